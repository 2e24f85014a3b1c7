/*
 * test_charter_events.c - a breach of the charter's targets reaches a
 * subscribed system when it happens, once: a real rapportd with a charter
 * of short targets, a real HTTP receiver on loopback
 * (tests/tools/webhook_sink.py), and the scheduler run at chosen times
 * through the API.  An encounter nobody answers breaches acknowledgement
 * first, then first response and resolution; each arrives signed, once,
 * with how late it is; running the scheduler again, and again after a
 * restart of rapportd (its own scheduler thread running too), sends
 * nothing twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "sinks.h"
#include "core/rapport.h"

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

/* Run the scheduler as if it were at; returns how many breaches it
 * recorded. */
static long long run_at(world *w, int64_t at)
{
    char when[RP_TIME_MAX], body[64];
    rp_time_format(at, when);
    snprintf(body, sizeof body, "{\"now\":\"%s\"}", when);
    json_t *r = rp_callf(&w->srv, "POST", "/api/v1/scheduler/run", 200, body);
    long long n = json_integer_value(json_object_get(r, "charter_breaches"));
    json_decref(r);
    return n;
}

/* Check delivery i: signed with secret, a charter.breached of encounter
 * eid for target, due at created + target_seconds and late by the time
 * the scheduler ran (at) past that. */
static void check_breach(world *w, int i, const char *secret, long long eid,
                         const char *target, int64_t created,
                         int64_t target_seconds, int64_t at)
{
    json_t *r = rp_sink_webhook(&w->hook, i), *ev = json_object_get(r, "event"),
           *data = json_object_get(ev, "data");
    assert_true(json_is_true(json_object_get(r, "verified")));
    const char *raw = json_string_value(json_object_get(r, "body"));
    rp_error err;
    assert_int_equal(rp_webhook_verify(secret,
                                       rp_sink_header(r, "rapport-signature"),
                                       raw, strlen(raw), rp_now(), 300, &err),
                     RP_OK);
    assert_string_equal(rp_sink_header(r, "rapport-event"), "charter.breached");
    assert_string_equal(json_string_value(json_object_get(ev, "type")),
                        "charter.breached");
    assert_int_equal(json_integer_value(json_object_get(ev, "encounter_id")),
                     eid);
    assert_string_equal(json_string_value(json_object_get(data, "target")),
                        target);
    assert_int_equal(
        json_integer_value(json_object_get(data, "target_seconds")),
        target_seconds);
    int64_t due = 0, happened = 0;
    assert_int_equal(
        rp_time_parse(json_string_value(json_object_get(data, "due_at")), &due),
        0);
    assert_int_equal(
        rp_time_parse(json_string_value(json_object_get(data, "breached_at")),
                      &happened),
        0);
    assert_int_equal(due, created + target_seconds);
    assert_int_equal(happened, due);
    assert_int_equal(
        json_integer_value(json_object_get(data, "over_by_seconds")), at - due);
    assert_true(json_is_integer(json_object_get(data, "breach_id")));
    json_decref(r);
}

/* The targets of the sink's first n deliveries, each counted. */
static json_t *targets(world *w, int n)
{
    json_t *seen = json_object(), *ids = json_object();
    for (int i = 1; i <= n; i++) {
        json_t *r = rp_sink_webhook(&w->hook, i);
        const char *t = json_string_value(json_object_get(
            json_object_get(json_object_get(r, "event"), "data"), "target"));
        json_int_t k = json_integer_value(json_object_get(seen, t));
        json_object_set_new(seen, t, json_integer(k + 1));
        json_object_set_new(ids, rp_sink_header(r, "rapport-delivery"),
                            json_true());
        json_decref(r);
    }
    json_object_set_new(seen, "distinct_deliveries",
                        json_integer((json_int_t)json_object_size(ids)));
    json_decref(ids);
    return seen;
}

static void test_breaches_are_sent_once(void **state)
{
    world *w = *state;
    /* the receiver checks each signature with the secret it was given */
    const char *given = "a-secret-the-receiver-knows-too";
    setenv("WEBHOOK_SINK_SECRET", given, 1);
    rp_sink_start(&w->hook, "webhook_sink.py", "0");
    /* short targets: acknowledge within a minute, respond within half an
     * hour, resolve within an hour */
    json_decref(rp_callf(&w->srv, "PUT", "/api/v1/charter", 200,
                         "{\"acknowledge_minutes\":1,"
                         "\"first_response_minutes\":30,"
                         "\"resolution_hours\":1}"));
    char body[256];
    snprintf(body, sizeof body,
             "{\"url\":\"http://127.0.0.1:%d/breaches\",\"events\":"
             "[\"charter.breached\"],\"secret\":\"%s\"}",
             w->hook.port, given);
    json_t *h = rp_callf(&w->srv, "POST", "/api/v1/webhooks", 201, body);
    char secret[128];
    snprintf(secret, sizeof secret, "%s",
             json_string_value(json_object_get(h, "secret")));
    json_decref(h);
    json_t *c = rp_callf(&w->srv, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Thirty Minutes of Music\"}");
    long long cid = json_integer_value(json_object_get(c, "id"));
    json_decref(c);
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"phone\",\"subject\":"
             "\"On hold\"}",
             cid);
    json_t *enc = rp_callf(&w->srv, "POST", "/api/v1/encounters", 201, body);
    long long eid = json_integer_value(json_object_get(enc, "id"));
    int64_t created = 0;
    assert_int_equal(
        rp_time_parse(json_string_value(json_object_get(enc, "created_at")),
                      &created),
        0);
    json_decref(enc);

    /* before the first deadline nothing is a breach */
    assert_int_equal(run_at(w, created + 30), 0);
    /* a minute and a half in, nobody has answered */
    int64_t first_run = created + 90;
    assert_int_equal(run_at(w, first_run), 1);
    assert_int_equal(run_at(w, first_run), 0);
    assert_int_equal(rp_sink_wait_webhooks(&w->hook, 1, WAIT_SECONDS), 1);
    check_breach(w, 1, secret, eid, "acknowledge", created, 60, first_run);
    /* two hours in: first response and resolution are lost too */
    int64_t second_run = created + 2 * 3600;
    assert_int_equal(run_at(w, second_run), 2);
    assert_int_equal(rp_sink_wait_webhooks(&w->hook, 3, WAIT_SECONDS), 3);
    for (int i = 2; i <= 3; i++) {
        json_t *r = rp_sink_webhook(&w->hook, i);
        const char *t = json_string_value(json_object_get(
            json_object_get(json_object_get(r, "event"), "data"), "target"));
        int resolution = !strcmp(t, "resolution");
        json_decref(r);
        check_breach(w, i, secret, eid,
                     resolution ? "resolution" : "first_response", created,
                     resolution ? 3600 : 1800, second_run);
    }
    /* the breach is a moment of the customer's ledger too */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments", cid);
    json_t *moments = rp_call(&w->srv, "GET", path, NULL, 200);
    size_t i, found = 0;
    json_t *m;
    json_array_foreach(json_object_get(moments, "items"), i, m) {
        found += !strcmp(json_string_value(json_object_get(m, "kind")),
                         "charter.breached");
    }
    assert_int_equal(found, 3);
    json_decref(moments);

    /* a restart, the scheduler run again at the same and later times, and
     * rapportd's own scheduler thread running meanwhile: nothing twice */
    rp_srv_stop(&w->srv);
    rp_srv_start(&w->srv);
    assert_int_equal(run_at(w, second_run), 0);
    assert_int_equal(run_at(w, created + 3 * 3600), 0);
    sleep(4); /* anything sent again would have come by now */
    assert_int_equal(rp_sink_count(&w->hook, "hook-", ".json"), 3);
    json_t *seen = targets(w, 3);
    assert_int_equal(json_integer_value(json_object_get(seen, "acknowledge")),
                     1);
    assert_int_equal(
        json_integer_value(json_object_get(seen, "first_response")), 1);
    assert_int_equal(json_integer_value(json_object_get(seen, "resolution")),
                     1);
    assert_int_equal(
        json_integer_value(json_object_get(seen, "distinct_deliveries")), 3);
    json_decref(seen);
    rp_srv_stop(&w->srv);
}

int main(void)
{
    /* quick sends, and the scheduler thread running every second */
    setenv("RAPPORT_EVENTS_INTERVAL", "1", 1);
    setenv("RAPPORT_EVENTS_BACKOFF", "1", 1);
    setenv("RAPPORT_EVENTS_BACKOFF_MAX", "2", 1);
    setenv("RAPPORT_SCHEDULER_INTERVAL", "1", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_breaches_are_sent_once, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
