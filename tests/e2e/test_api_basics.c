/*
 * test_api_basics.c - the foundation end to end: customers, encounters and
 * their moments of truth through the HTTP API of a real rapportd, checked
 * again through the CLI as a second process on the same database.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void test_healthz(void **state)
{
    json_t *h = rp_call(*state, "GET", "/healthz", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(h, "status")), "ok");
    /* what it says, and no more: a count of rows (it once counted every
     * customer) would cost more the bigger the desk; the delivery backlog
     * is counted from index ranges */
    assert_int_equal(json_object_size(h), 5);
    assert_true(json_is_object(json_object_get(h, "database")));
    assert_true(json_is_object(json_object_get(h, "delivery")));
    assert_non_null(json_object_get(h, "version"));
    assert_true(json_is_integer(json_object_get(h, "schema_version")));
    json_decref(h);
}

static void test_customer_lifecycle(void **state)
{
    rp_srv *s = *state;
    json_t *c = rp_callf(
        s, "POST", "/api/v1/customers", 201,
        "{\"name\":\"Maximilian Weber\",\"preferred_name\":"
        "\"Max\",\"emails\":[\"max@example.com\"],"
        "\"phones\":[\"+49 30 1234567\"],\"notes\":\"suits\"}");
    json_int_t id = json_integer_value(json_object_get(c, "id"));
    assert_true(id > 0);
    assert_string_equal(json_string_value(json_object_get(c, "greeting_name")),
                        "Max");
    assert_non_null(json_string_value(json_object_get(c, "created_at")));
    json_decref(c);

    char path[100];
    snprintf(path, sizeof path, "/api/v1/customers/%lld", (long long)id);
    c = rp_callf(s, "PATCH", path, 200, "{\"preferred_name\":\"Maxi\"}");
    assert_string_equal(json_string_value(json_object_get(c, "greeting_name")),
                        "Maxi");
    assert_string_equal(json_string_value(json_object_get(c, "name")),
                        "Maximilian Weber");
    json_decref(c);
    c = rp_call(s, "GET", path, NULL, 200);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(c, "emails"), 0)),
        "max@example.com");
    json_decref(c);

    /* A second process reading the database sees the same customer. */
    char *out = NULL;
    char idtext[32];
    snprintf(idtext, sizeof idtext, "%lld", (long long)id);
    assert_int_equal(
        rp_cli(s, &out, "customer", "show", idtext, "--json", NULL), 0);
    json_t *viacli = json_loads(out, 0, NULL);
    assert_non_null(viacli);
    assert_string_equal(
        json_string_value(json_object_get(viacli, "preferred_name")), "Maxi");
    json_decref(viacli);
    free(out);

    /* Moments: created, then updated; newest first. */
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments",
             (long long)id);
    json_t *m = rp_call(s, "GET", path, NULL, 200);
    json_t *items = json_object_get(m, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(items, 0), "kind")),
        "customer.updated");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(items, 1), "kind")),
        "customer.created");
    json_decref(m);
}

static void test_list_search_and_cursor(void **state)
{
    rp_srv *s = *state;
    const char *names[] = {"Ada Lovelace", "Grace Hopper", "Alan Turing",
                           "Edsger Dijkstra", "Barbara Liskov"};
    for (int i = 0; i < 5; i++) {
        char body[200];
        snprintf(body, sizeof body,
                 "{\"name\":\"%s\",\"emails\":[\"p%d@paging.example\"]}",
                 names[i], i);
        json_decref(rp_callf(s, "POST", "/api/v1/customers", 201, body));
    }
    /* Walk all pages of 2 over the search "paging.example": 5 customers. */
    char path[200] = "/api/v1/customers?q=paging.example&limit=2";
    int seen = 0, pages = 0;
    for (;;) {
        json_t *p = rp_call(s, "GET", path, NULL, 200);
        seen += (int)json_array_size(json_object_get(p, "items"));
        pages++;
        json_t *next = json_object_get(p, "next_cursor");
        if (!json_is_string(next)) {
            json_decref(p);
            break;
        }
        snprintf(path, sizeof path,
                 "/api/v1/customers?q=paging.example&limit=2&cursor=%s",
                 json_string_value(next));
        json_decref(p);
    }
    assert_int_equal(seen, 5);
    assert_int_equal(pages, 3);
    json_t *p = rp_call(s, "GET", "/api/v1/customers?q=HOPPER", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(p, "items")), 1);
    json_decref(p);
}

static void test_encounters(void **state)
{
    rp_srv *s = *state;
    json_t *c = rp_callf(s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Grace Okafor\"}");
    json_int_t cid = json_integer_value(json_object_get(c, "id"));
    json_decref(c);
    char body[200], path[200];
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"in_person\",\"subject\":"
             "\"Aspirin\"}",
             (long long)cid);
    json_t *e = rp_callf(s, "POST", "/api/v1/encounters", 201, body);
    assert_string_equal(json_string_value(json_object_get(e, "stage")),
                        "received");
    json_int_t eid = json_integer_value(json_object_get(e, "id"));
    json_decref(e);
    snprintf(path, sizeof path, "/api/v1/encounters/%lld", (long long)eid);
    e = rp_call(s, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(e, "subject")),
                        "Aspirin");
    json_decref(e);
    snprintf(path, sizeof path,
             "/api/v1/encounters?customer_id=%lld&stage=received",
             (long long)cid);
    json_t *l = rp_call(s, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
    json_decref(l);
    snprintf(path, sizeof path,
             "/api/v1/encounters?customer_id=%lld&stage=closed",
             (long long)cid);
    l = rp_call(s, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 0);
    json_decref(l);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments",
             (long long)cid);
    json_t *m = rp_call(s, "GET", path, NULL, 200);
    json_t *first = json_array_get(json_object_get(m, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "kind")),
                        "encounter.opened");
    assert_int_equal(json_integer_value(json_object_get(first, "encounter_id")),
                     eid);
    assert_string_equal(json_string_value(json_object_get(first, "channel")),
                        "in_person");
    json_decref(m);
    /* The CLI lists the same encounter from its own process. */
    char *out = NULL, cidtext[32];
    snprintf(cidtext, sizeof cidtext, "%lld", (long long)cid);
    assert_int_equal(rp_cli(s, &out, "encounter", "list", "--customer", cidtext,
                            "--json", NULL),
                     0);
    assert_non_null(strstr(out, "Aspirin"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthz),
        cmocka_unit_test(test_customer_lifecycle),
        cmocka_unit_test(test_list_search_and_cursor),
        cmocka_unit_test(test_encounters),
    };
    return cmocka_run_group_tests(tests, rp_srv_fixture_start,
                                  rp_srv_fixture_stop);
}
