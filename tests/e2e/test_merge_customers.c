/*
 * test_merge_customers.c - merging customers and their possible duplicates, end
 * to end: a real rapportd, the real CLI on its database, and the event
 * customer.merged as it arrives, signed, at a real HTTP receiver on
 * loopback (tests/tools/webhook_sink.py).  The API answers who may merge
 * (an admin only), refuses what cannot be merged naming the field, and
 * afterwards answers a request for the merged customer with the customer
 * kept, whose timeline and encounters hold both histories; the sealed
 * ledger still verifies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "sinks.h"

#define WAIT_SECONDS 60

typedef struct world {
    rp_srv srv;
    rp_sink hook;
} world;

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    rp_srv_init(&w->srv);
    rp_srv_start(&w->srv);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    rp_srv_cleanup(&w->srv);
    rp_sink_stop(&w->hook);
    unsetenv("WEBHOOK_SINK_SECRET");
    free(w);
    return 0;
}

static long long create(world *w, const char *body)
{
    json_t *c = rp_callf(&w->srv, "POST", "/api/v1/customers", 201, body);
    long long id = json_integer_value(json_object_get(c, "id"));
    json_decref(c);
    return id;
}

/* POST body to the merge of keep as the credentials in token; the reply. */
static void merge_as(world *w, const char *token, long long keep,
                     const char *body, rp_http *r)
{
    char saved[sizeof w->srv.token], use[sizeof w->srv.token], path[80];
    snprintf(saved, sizeof saved, "%s", w->srv.token);
    snprintf(use, sizeof use, "%s", token); /* token may be w->srv.token */
    snprintf(w->srv.token, sizeof w->srv.token, "%s", use);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/merge", keep);
    rp_http_send(&w->srv, "POST", path, "application/json", body, strlen(body),
                 NULL, r);
    snprintf(w->srv.token, sizeof w->srv.token, "%s", saved);
}

static void test_merge_over_the_api(void **state)
{
    world *w = *state;
    /* the receiver checks each delivery's signature with this secret */
    setenv("WEBHOOK_SINK_SECRET", "the-receivers-merge-secret", 1);
    rp_sink_start(&w->hook, "webhook_sink.py", "0");
    char body[512];
    snprintf(body, sizeof body,
             "{\"url\":\"http://127.0.0.1:%d/events\",\"events\":"
             "[\"customer.merged\"],\"secret\":"
             "\"the-receivers-merge-secret\"}",
             w->hook.port);
    json_decref(rp_callf(&w->srv, "POST", "/api/v1/webhooks", 201, body));

    long long keep = create(w, "{\"name\":\"Ana Silva\",\"emails\":"
                               "[\"ana.silva@gmail.com\"]}");
    long long gone = create(w, "{\"name\":\"Ana S.\",\"emails\":"
                               "[\"anasilva+shop@gmail.com\"],\"phones\":"
                               "[\"+34 600 100 200\"]}");
    long long other = create(w, "{\"name\":\"Bo\",\"emails\":"
                                "[\"bo@example.com\"]}");
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"email\",\"subject\":"
             "\"Where is my order?\"}",
             gone);
    json_t *enc = rp_callf(&w->srv, "POST", "/api/v1/encounters", 201, body);
    long long eid = json_integer_value(json_object_get(enc, "id"));
    json_decref(enc);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/preferences", gone);
    json_decref(rp_callf(&w->srv, "POST", path, 201,
                         "{\"key\":\"colour\",\"value\":\"navy\","
                         "\"firmness\":\"firm\"}"));

    /* the possible duplicate, from either side; none for another */
    snprintf(path, sizeof path, "/api/v1/customers/%lld/duplicates", keep);
    json_t *d = rp_call(&w->srv, "GET", path, NULL, 200);
    json_t *items = json_object_get(d, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(items, 0), "customer_id")),
                     gone);
    json_decref(d);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/duplicates", other);
    d = rp_call(&w->srv, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(d, "items")), 0);
    json_decref(d);

    /* only an admin merges; an agent still sees the duplicates */
    char agent[160], lead[160];
    rp_srv_token_for(&w->srv, "agent", agent, sizeof agent);
    rp_srv_token_for(&w->srv, "lead", lead, sizeof lead);
    rp_http r;
    snprintf(body, sizeof body,
             "{\"merged_id\":%lld,\"reason\":\"the same person\"}", gone);
    merge_as(w, agent, keep, body, &r);
    assert_int_equal(r.status, 403);
    rp_http_free(&r);
    merge_as(w, lead, keep, body, &r);
    assert_int_equal(r.status, 403);
    rp_http_free(&r);

    /* refused, naming the field */
    merge_as(w, w->srv.token, keep, "{\"merged_id\":2}", &r);
    rp_assert_error(&r, 422, "invalid", "reason");
    rp_http_free(&r);
    snprintf(body, sizeof body, "{\"merged_id\":%lld,\"reason\":\"x\"}", keep);
    merge_as(w, w->srv.token, keep, body, &r);
    rp_assert_error(&r, 422, "invalid", "merged_id");
    rp_http_free(&r);
    merge_as(w, w->srv.token, keep, "{\"merged_id\":9999,\"reason\":\"x\"}",
             &r);
    rp_assert_error(&r, 404, "not_found", "merged_id");
    rp_http_free(&r);
    long before = rp_db_count(&w->srv, "moments");

    /* the merge */
    snprintf(body, sizeof body,
             "{\"merged_id\":%lld,\"reason\":\"the same person, from her "
             "shop's address\"}",
             gone);
    merge_as(w, w->srv.token, keep, body, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(r.json, "customer"), "id")),
                     keep);
    assert_int_equal(json_integer_value(json_object_get(r.json, "merged_id")),
                     gone);
    rp_http_free(&r);
    assert_true(rp_db_count(&w->srv, "moments") > before);
    /* twice is refused */
    merge_as(w, w->srv.token, keep, body, &r);
    rp_assert_error(&r, 409, "conflict", "merged_id");
    rp_http_free(&r);

    /* the old id answers with the customer kept, who has both histories */
    snprintf(path, sizeof path, "/api/v1/customers/%lld", gone);
    json_t *c = rp_call(&w->srv, "GET", path, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(c, "id")), keep);
    assert_int_equal(json_array_size(json_object_get(c, "emails")), 2);
    assert_int_equal(json_array_size(json_object_get(c, "phones")), 1);
    json_decref(c);
    snprintf(path, sizeof path, "/api/v1/encounters?customer_id=%lld", keep);
    json_t *list = rp_call(&w->srv, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(list, "items")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_array_get(json_object_get(list, "items"), 0), "id")),
        eid);
    json_decref(list);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments?limit=100",
             keep);
    list = rp_call(&w->srv, "GET", path, NULL, 200);
    size_t i;
    json_t *m;
    int of_gone = 0, merged = 0;
    json_array_foreach(json_object_get(list, "items"), i, m) {
        of_gone += json_integer_value(json_object_get(m, "customer_id")) ==
                   gone;
        merged += !strcmp(json_string_value(json_object_get(m, "kind")),
                          "customer.merged");
    }
    assert_true(of_gone >= 3); /* created, encounter opened, preference */
    assert_int_equal(merged, 1);
    json_decref(list);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/preferences", keep);
    list = rp_call(&w->srv, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(list, "items")), 1);
    json_decref(list);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/duplicates", keep);
    d = rp_call(&w->srv, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(d, "items")), 0);
    json_decref(d);

    /* the event, signed, at the receiver */
    assert_int_equal(rp_sink_wait_webhooks(&w->hook, 1, WAIT_SECONDS), 1);
    char *text = rp_sink_read(&w->hook, "hook-1.json");
    assert_non_null(text);
    json_t *got = json_loads(text, 0, NULL);
    free(text);
    assert_non_null(got);
    assert_true(json_is_true(json_object_get(got, "verified")));
    json_t *ev = json_loads(json_string_value(json_object_get(got, "body")), 0,
                            NULL);
    assert_non_null(ev);
    assert_string_equal(json_string_value(json_object_get(ev, "type")),
                        "customer.merged");
    json_t *data = json_object_get(ev, "data");
    assert_int_equal(json_integer_value(json_object_get(data, "kept_id")),
                     keep);
    assert_int_equal(json_integer_value(json_object_get(data, "merged_id")),
                     gone);
    json_decref(ev);
    json_decref(got);

    /* the ledger verifies; the CLI sees no duplicate left */
    char *out = NULL;
    assert_int_equal(rp_cli(&w->srv, &out, "ledger", "verify", NULL), 0);
    free(out);
    char id[24];
    snprintf(id, sizeof id, "%lld", keep);
    assert_int_equal(rp_cli(&w->srv, &out, "customer", "duplicates", id, NULL),
                     0);
    assert_non_null(strstr(out, "No other customer"));
    free(out);
}

static void test_merge_from_the_command_line(void **state)
{
    world *w = *state;
    long long keep = create(w, "{\"name\":\"Jo\",\"phones\":[\"+44 7700 "
                               "900123\"]}");
    long long gone = create(w, "{\"name\":\"Jo B\",\"phones\":[\"7700 "
                               "900123\"]}");
    char k[24], g[24], *out = NULL;
    snprintf(k, sizeof k, "%lld", keep);
    snprintf(g, sizeof g, "%lld", gone);
    assert_int_equal(rp_cli(&w->srv, &out, "customer", "duplicates", k, NULL),
                     0);
    assert_non_null(strstr(out, "Jo B"));
    free(out);
    /* without a reason: a usage error, and nothing merged */
    assert_int_equal(rp_cli(&w->srv, &out, "customer", "merge", k, g, NULL), 2);
    free(out);
    assert_int_equal(
        rp_cli(&w->srv, &out, "customer", "merge", k, k, "--reason", "x", NULL),
        3);
    free(out);
    assert_int_equal(rp_cli(&w->srv, &out, "customer", "merge", k, g,
                            "--reason", "one person", NULL),
                     0);
    assert_non_null(strstr(out, "is part of customer"));
    free(out);
    assert_int_equal(rp_cli(&w->srv, &out, "customer", "merge", "--help", NULL),
                     0);
    free(out);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/customers/%lld", gone);
    json_t *c = rp_call(&w->srv, "GET", path, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(c, "id")), keep);
    json_decref(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_merge_over_the_api, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_merge_from_the_command_line, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
