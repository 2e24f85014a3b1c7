/*
 * test_restart.c - what the API acknowledged survives: a graceful restart,
 * and a crash (SIGKILL) right after the write.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void test_graceful_restart_keeps_data(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    json_t *c = rp_callf(
        &s, "POST", "/api/v1/customers", 201,
        "{\"name\":\"Anna Kowalska\",\"preferred_name\":\"Anna\"}");
    json_int_t id = json_integer_value(json_object_get(c, "id"));
    json_decref(c);
    rp_srv_stop(&s); /* asserts a clean exit */
    rp_srv_start(&s);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/customers/%lld", (long long)id);
    c = rp_call(&s, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(c, "greeting_name")),
                        "Anna");
    json_decref(c);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

static void test_crash_keeps_acknowledged_writes(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    for (int i = 0; i < 20; i++) {
        char body[100];
        snprintf(body, sizeof body, "{\"name\":\"Crash test %d\"}", i);
        json_decref(rp_callf(&s, "POST", "/api/v1/customers", 201, body));
    }
    json_decref(rp_callf(&s, "POST", "/api/v1/encounters", 201,
                         "{\"customer_id\":20,\"channel\":\"chat\","
                         "\"subject\":\"Last write before the crash\"}"));
    rp_srv_kill(&s);
    /* read the file itself: no server is running to ask */
    assert_int_equal(rp_db_count(&s, "customers"), 20);
    assert_int_equal(rp_db_count(&s, "encounters"), 1);
    assert_int_equal(rp_db_count(&s, "moments"), 21);
    rp_srv_start(&s);
    json_t *l = rp_call(&s, "GET", "/api/v1/encounters?customer_id=20", NULL,
                        200);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
    json_decref(l);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_graceful_restart_keeps_data),
        cmocka_unit_test(test_crash_keeps_acknowledged_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
