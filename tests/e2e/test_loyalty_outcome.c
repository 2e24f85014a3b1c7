/*
 * test_loyalty_outcome.c - seed 003's car service: a returning customer is
 * recognised on receiving (the guide shows their loyalty) and the discount
 * they earned appears on the outcome of the encounter when it closes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static json_int_t open_encounter(rp_srv *s, json_int_t customer)
{
    char body[160];
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"in_person\",\"subject\":"
             "\"Technical inspection\"}",
             (long long)customer);
    json_t *e = rp_callf(s, "POST", "/api/v1/encounters", 201, body);
    json_int_t id = json_integer_value(json_object_get(e, "id"));
    json_decref(e);
    return id;
}

static void step(rp_srv *s, json_int_t id, const char *what, const char *body)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/%s", (long long)id,
             what);
    json_decref(rp_callf(s, "POST", path, 200, body));
}

/* Walk one encounter through the whole cycle and return it closed. */
static json_t *serve_and_close(rp_srv *s, json_int_t id)
{
    step(s, id, "acknowledge", "{}");
    step(s, id, "advance",
         "{\"to\":\"understood\",\"facts\":\"Yearly inspection due\"}");
    step(s, id, "advance",
         "{\"to\":\"helped\",\"agreement\":\"Inspect today, wait with "
         "coffee\"}");
    step(s, id, "advance",
         "{\"to\":\"kept\",\"outcome_done\":\"Inspected, brakes checked\","
         "\"outcome_watch\":\"Front tyres in six months\"}");
    char path[96];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/advance",
             (long long)id);
    return rp_callf(s, "POST", path, 200,
                    "{\"to\":\"closed\",\"satisfaction_skip_reason\":"
                    "\"call planned tomorrow\"}");
}

static void test_returning_customer_gets_the_discount(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    json_t *c = rp_callf(
        &s, "POST", "/api/v1/customers", 201,
        "{\"name\":\"Anna Kowalska\",\"preferred_name\":\"Anna\"}");
    json_int_t cid = json_integer_value(json_object_get(c, "id"));
    json_decref(c);

    /* First visit: nobody is a returning customer yet, no discount. */
    json_t *first = serve_and_close(&s, open_encounter(&s, cid));
    assert_true(json_number_value(
                    json_object_get(first, "loyalty_discount_percent")) == 0);
    json_decref(first);
    json_decref(serve_and_close(&s, open_encounter(&s, cid)));
    json_decref(serve_and_close(&s, open_encounter(&s, cid)));

    /* Fourth visit: three visits earn the silver tier (5%) by default. */
    json_int_t id = open_encounter(&s, cid);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/guide", (long long)id);
    json_t *g = rp_call(&s, "GET", path, NULL, 200);
    json_t *loyalty = json_object_get(g, "loyalty");
    assert_non_null(loyalty);
    assert_true(json_is_true(json_object_get(loyalty, "returning")));
    assert_string_equal(json_string_value(json_object_get(loyalty, "tier")),
                        "silver");
    assert_non_null(strstr(
        json_string_value(json_object_get(loyalty, "summary")), "5% discount"));
    json_decref(g);

    json_t *closed = serve_and_close(&s, id);
    assert_string_equal(
        json_string_value(json_object_get(closed, "loyalty_tier")), "silver");
    assert_true(json_number_value(
                    json_object_get(closed, "loyalty_discount_percent")) == 5);
    json_decref(closed);

    /* The closing moment of truth says so too. */
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments?limit=500",
             (long long)cid);
    json_t *m = rp_call(&s, "GET", path, NULL, 200);
    size_t i;
    json_t *item;
    int found = 0;
    json_array_foreach(json_object_get(m, "items"), i, item) {
        const char *kind = json_string_value(json_object_get(item, "kind"));
        json_int_t eid = json_integer_value(
            json_object_get(item, "encounter_id"));
        if (eid == id && strcmp(kind, "encounter.closed") == 0)
            found = strstr(json_string_value(json_object_get(item, "summary")),
                           "silver tier, 5% discount") != NULL;
    }
    assert_true(found);
    json_decref(m);

    /* Spend is recorded on the encounter and validated. */
    id = open_encounter(&s, cid);
    snprintf(path, sizeof path, "/api/v1/encounters/%lld", (long long)id);
    json_t *e = rp_callf(&s, "PATCH", path, 200, "{\"spend\":129.5}");
    assert_true(json_number_value(json_object_get(e, "spend")) == 129.5);
    json_decref(e);
    rp_http r;
    rp_http_send(&s, "PATCH", path, "application/json", "{\"spend\":-1}", 12,
                 NULL, &r);
    rp_assert_error(&r, 422, "invalid", "spend");
    rp_http_free(&r);
    rp_http_send(&s, "PATCH", path, "application/json", "{\"spend\":\"a lot\"}",
                 17, NULL, &r);
    rp_assert_error(&r, 400, "wrong_type", "spend");
    rp_http_free(&r);

    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_returning_customer_gets_the_discount),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
