/*
 * test_routing.c - queues and routing: a new encounter goes to the queue of
 * its topic, else of its channel, and is offered to the available agent
 * with the queue's skills and the fewest open encounters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static long long id_of(json_t *j)
{
    long long id = (long long)json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    return id;
}

static json_t *open_enc(rp_srv *s, long long cid, const char *channel,
                        const char *topic)
{
    json_t *b = json_pack("{s:I, s:s, s:s}", "customer_id", (json_int_t)cid,
                          "channel", channel, "subject", "Help wanted");
    if (topic)
        json_object_set_new(b, "topic", json_string(topic));
    json_t *e = rp_call(s, "POST", "/api/v1/encounters", b, 201);
    json_decref(b);
    return e;
}

static long long int_of(json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);
    return json_is_null(v) ? 0 : (long long)json_integer_value(v);
}

static void test_routing_by_topic_channel_skill_and_load(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    /* Dee has the skill but is not available: never offered. */
    long long dee = id_of(rp_callf(
        &s, "POST", "/api/v1/agents", 201,
        "{\"name\":\"Dee\",\"email\":\"dee@e2e.example\",\"role\":\"agent\","
        "\"skills\":[\"billing\"],\"available\":false}"));
    long long ann = id_of(rp_callf(
        &s, "POST", "/api/v1/agents", 201,
        "{\"name\":\"Ann\",\"email\":\"ann@e2e.example\",\"role\":\"agent\","
        "\"skills\":[\"billing\"]}"));
    long long bob = id_of(rp_callf(
        &s, "POST", "/api/v1/agents", 201,
        "{\"name\":\"Bob\",\"email\":\"bob@e2e.example\",\"role\":\"agent\","
        "\"skills\":[\"billing\",\"german\"]}"));
    long long billing = id_of(
        rp_callf(&s, "POST", "/api/v1/queues", 201,
                 "{\"name\":\"Billing\",\"skills\":[\"billing\"],"
                 "\"topics\":[\"Refund\",\"invoice\"]}"));
    long long german = id_of(rp_callf(
        &s, "POST", "/api/v1/queues", 201,
        "{\"name\":\"German line\",\"skills\":[\"billing\",\"german\"],"
        "\"channels\":[\"phone\"]}"));
    json_t *ql = rp_call(&s, "GET", "/api/v1/queues", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(ql, "items")), 2);
    json_decref(ql);
    (void)dee;
    long long cid = id_of(rp_callf(&s, "POST", "/api/v1/customers", 201,
                                   "{\"name\":\"Greta Braun\"}"));

    /* By topic (any case): the billing queue; Ann and Bob both free, so the
     * lower id; then the one with fewer open encounters. */
    json_t *e1 = open_enc(&s, cid, "chat", "refund");
    assert_int_equal(int_of(e1, "queue_id"), billing);
    assert_int_equal(int_of(e1, "agent_id"), ann);
    json_t *e2 = open_enc(&s, cid, "email", "Invoice");
    assert_int_equal(int_of(e2, "queue_id"), billing);
    assert_int_equal(int_of(e2, "agent_id"), bob);
    json_t *e3 = open_enc(&s, cid, "chat", "refund");
    assert_int_equal(int_of(e3, "agent_id"), ann);
    /* By channel: the German line needs both skills: only Bob, even though
     * he has more open encounters than nobody else qualifying. */
    json_t *e4 = open_enc(&s, cid, "phone", NULL);
    assert_int_equal(int_of(e4, "queue_id"), german);
    assert_int_equal(int_of(e4, "agent_id"), bob);
    /* Topic beats channel. */
    json_t *e5 = open_enc(&s, cid, "phone", "refund");
    assert_int_equal(int_of(e5, "queue_id"), billing);
    /* No rule matches: not routed, no routing moment. */
    json_t *e6 = open_enc(&s, cid, "web", "something else");
    assert_true(json_is_null(json_object_get(e6, "queue_id")));
    assert_true(json_is_null(json_object_get(e6, "agent_id")));

    /* The routing is a moment of truth in the customer's ledger. */
    char path[80];
    snprintf(path, sizeof path,
             "/api/v1/customers/%lld/moments?limit=100&view=full", cid);
    json_t *m = rp_call(&s, "GET", path, NULL, 200);
    size_t i, routed = 0;
    json_t *row;
    json_array_foreach(json_object_get(m, "items"), i, row) {
        if (strcmp(json_string_value(json_object_get(row, "kind")),
                   "encounter.routed") != 0)
            continue;
        routed++;
        json_t *d = json_object_get(row, "detail");
        if (int_of(row, "encounter_id") == int_of(e4, "id"))
            assert_string_equal(json_string_value(json_object_get(d, "by")),
                                "channel");
        if (int_of(row, "encounter_id") == int_of(e1, "id")) {
            assert_string_equal(json_string_value(json_object_get(d, "by")),
                                "topic");
            assert_non_null(strstr(
                json_string_value(json_object_get(row, "summary")), "Ann"));
        }
    }
    assert_int_equal(routed, 5);
    json_decref(m);

    /* Nobody available with the skills: queued without an agent. */
    char ap[64];
    snprintf(ap, sizeof ap, "/api/v1/agents/%lld", bob);
    json_decref(rp_callf(&s, "PATCH", ap, 200, "{\"available\":false}"));
    json_t *e7 = open_enc(&s, cid, "phone", NULL);
    assert_int_equal(int_of(e7, "queue_id"), german);
    assert_true(json_is_null(json_object_get(e7, "agent_id")));

    /* A transfer to a queue alone is offered to that queue's agent (Bob is
     * away now: Ann), recorded with its reason and counted. */
    char tp[80], ep[64], tb[120];
    snprintf(tp, sizeof tp, "/api/v1/encounters/%lld/transfers",
             int_of(e6, "id"));
    snprintf(tb, sizeof tb,
             "{\"reason\":\"It is about a refund\",\"to_queue_id\":%lld}",
             billing);
    json_decref(rp_callf(&s, "POST", tp, 201, tb));
    snprintf(ep, sizeof ep, "/api/v1/encounters/%lld", int_of(e6, "id"));
    json_t *moved = rp_call(&s, "GET", ep, NULL, 200);
    assert_int_equal(int_of(moved, "queue_id"), billing);
    assert_int_equal(int_of(moved, "agent_id"), ann);
    assert_int_equal(int_of(moved, "transfers"), 1);
    json_decref(moved);
    /* and no other transfer was written anywhere (no endpoint lists them) */
    assert_int_equal(rp_db_count(&s, "encounter_transfers"), 1);

    /* Bad queues are refused and change nothing. */
    rp_http r;
    const char *dup = "{\"name\":\"Billing\"}";
    rp_http_send(&s, "POST", "/api/v1/queues", "application/json", dup,
                 strlen(dup), NULL, &r);
    rp_assert_error(&r, 409, "conflict", "name");
    rp_http_free(&r);
    const char *badch = "{\"name\":\"Fax\",\"channels\":[\"fax\"]}";
    rp_http_send(&s, "POST", "/api/v1/queues", "application/json", badch,
                 strlen(badch), NULL, &r);
    rp_assert_error(&r, 422, "invalid", "channels");
    rp_http_free(&r);
    assert_int_equal(rp_list_count(&s, "/api/v1/queues"), 2);
    json_decref(e1);
    json_decref(e2);
    json_decref(e3);
    json_decref(e4);
    json_decref(e5);
    json_decref(e6);
    json_decref(e7);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routing_by_topic_channel_skill_and_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
