/*
 * test_webhooks.c - event webhooks end to end: a real rapportd sends the
 * events of real changes to a real HTTP receiver on loopback
 * (tests/tools/webhook_sink.py), and the test reads what arrived over the
 * wire.  It checks that each delivery is signed so that a receiver can
 * verify it (in Python, by the receiver, and in C with
 * rp_webhook_verify), that a subscription gets only the kinds it asked
 * for, that a delivery to a receiver that was down arrives once it is
 * back, with the delivery id it had from the start, and that a restart of
 * rapportd sends nothing twice, while a delivery cut off by a crash is
 * sent again with the same id.
 */
#include <signal.h>
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
    unsetenv("WEBHOOK_SINK_PORT");
    unsetenv("WEBHOOK_SINK_SECRET");
    free(w);
    return 0;
}

/* Subscribe path on the sink to kinds (a JSON array text); fills secret
 * (the one time it is shown) and returns the subscription's id. */
static long long subscribe(world *w, const char *path, const char *kinds,
                           const char *secret_in, char *secret, size_t n)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"url\":\"http://127.0.0.1:%d%s\",\"events\":%s,"
             "\"description\":\"the test's receiver\"%s%s%s}",
             w->hook.port, path, kinds, secret_in ? ",\"secret\":\"" : "",
             secret_in ? secret_in : "", secret_in ? "\"" : "");
    json_t *h = rp_callf(&w->srv, "POST", "/api/v1/webhooks", 201, body);
    const char *sec = json_string_value(json_object_get(h, "secret"));
    assert_non_null(sec);
    snprintf(secret, n, "%s", sec);
    long long id = json_integer_value(json_object_get(h, "id"));
    json_decref(h);
    return id;
}

static long long new_customer(world *w, const char *name)
{
    char body[256];
    snprintf(body, sizeof body, "{\"name\":\"%s\"}", name);
    json_t *c = rp_callf(&w->srv, "POST", "/api/v1/customers", 201, body);
    long long id = json_integer_value(json_object_get(c, "id"));
    json_decref(c);
    return id;
}

/* The delivery log of subscription id; caller decrefs. */
static json_t *deliveries(world *w, long long id, const char *query)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/webhooks/%lld/deliveries%s", id,
             query ? query : "");
    return rp_call(&w->srv, "GET", path, NULL, 200);
}

static void test_signed_and_filtered(void **state)
{
    world *w = *state;
    const char *given = "a-secret-of-the-receivers-own-making";
    setenv("WEBHOOK_SINK_SECRET", given, 1);
    rp_sink_start(&w->hook, "webhook_sink.py", "0");
    char secret[128], other[128];
    long long a = subscribe(w, "/customers",
                            "[\"customer.created\",\"encounter.opened\"]",
                            given, secret, sizeof secret);
    assert_string_equal(secret, given);
    long long b = subscribe(w, "/messages", "[\"message.received\"]", NULL,
                            other, sizeof other);
    assert_int_equal(strncmp(other, "whsec_", 6), 0);
    /* the secret is never read back */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/webhooks/%lld", a);
    json_t *got = rp_call(&w->srv, "GET", path, NULL, 200);
    assert_null(json_object_get(got, "secret"));
    assert_true(json_is_true(json_object_get(got, "active")));
    json_decref(got);
    got = rp_call(&w->srv, "GET", "/api/v1/webhooks", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(got, "items")), 2);
    char *listed = json_dumps(got, 0);
    assert_null(strstr(listed, given));
    free(listed);
    json_decref(got);

    long long cid = new_customer(w, "Ada Receiver");
    char body[160];
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"phone\",\"subject\":"
             "\"A question about hooks\"}",
             cid);
    json_t *enc = rp_callf(&w->srv, "POST", "/api/v1/encounters", 201, body);
    long long eid = json_integer_value(json_object_get(enc, "id"));
    json_decref(enc);
    assert_int_equal(rp_sink_wait_webhooks(&w->hook, 2, WAIT_SECONDS), 2);
    sleep(3); /* anything else would have come by now: it must not */
    assert_int_equal(rp_sink_count(&w->hook, "hook-", ".json"), 2);

    const char *want[] = {"customer.created", "encounter.opened"};
    for (int i = 1; i <= 2; i++) {
        json_t *r = rp_sink_webhook(&w->hook, i);
        json_t *ev = json_object_get(r, "event");
        assert_string_equal(json_string_value(json_object_get(r, "path")),
                            "/customers");
        /* the receiver, in Python, found the signature good */
        assert_true(json_is_true(json_object_get(r, "verified")));
        const char *type = json_string_value(json_object_get(ev, "type"));
        assert_string_equal(type, want[i - 1]);
        assert_string_equal(rp_sink_header(r, "rapport-event"), type);
        assert_string_equal(
            rp_sink_header(r, "rapport-delivery"),
            json_string_value(json_object_get(ev, "delivery_id")));
        assert_int_equal(json_integer_value(json_object_get(ev, "customer_id")),
                         cid);
        if (i == 2)
            assert_int_equal(
                json_integer_value(json_object_get(ev, "encounter_id")), eid);
        /* and so does librapport's check; a changed body does not pass */
        const char *raw = json_string_value(json_object_get(r, "body"));
        rp_error err;
        assert_int_equal(
            rp_webhook_verify(secret, rp_sink_header(r, "rapport-signature"),
                              raw, strlen(raw), rp_now(), 300, &err),
            RP_OK);
        assert_int_equal(
            rp_webhook_verify(secret, rp_sink_header(r, "rapport-signature"),
                              raw, strlen(raw) - 1, rp_now(), 300, &err),
            RP_EAUTH);
        assert_int_equal(
            rp_webhook_verify(other, rp_sink_header(r, "rapport-signature"),
                              raw, strlen(raw), rp_now(), 300, &err),
            RP_EAUTH);
        json_decref(r);
    }
    /* the log says delivered, with the receiver's answer */
    json_t *log = deliveries(w, a, "?status=delivered");
    json_t *items = json_object_get(log, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(items, 0), "response_code")),
                     200);
    json_decref(log);
    log = deliveries(w, b, NULL);
    assert_int_equal(json_array_size(json_object_get(log, "items")), 0);
    json_decref(log);
    got = rp_call(&w->srv, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(got, "last_status")),
                        "delivered");
    json_decref(got);

    /* turned off, it gets nothing; the CLI sees the same subscriptions */
    json_decref(rp_callf(&w->srv, "PATCH", path, 200, "{\"active\":false}"));
    new_customer(w, "Not Sent");
    char *out = NULL;
    assert_int_equal(rp_cli(&w->srv, &out, "webhook", "list", NULL), 0);
    assert_non_null(strstr(out, "/customers"));
    assert_non_null(strstr(out, "/messages"));
    assert_null(strstr(out, given));
    free(out);
    sleep(3);
    assert_int_equal(rp_sink_count(&w->hook, "hook-", ".json"), 2);
    /* bad input is refused naming the field, and changes nothing */
    rp_http r;
    const char *bad = "{\"url\":\"ftp://x.example/\",\"events\":[\"*\"]}";
    rp_http_send(&w->srv, "POST", "/api/v1/webhooks", "application/json", bad,
                 strlen(bad), NULL, &r);
    rp_assert_error(&r, 422, "invalid", "url");
    rp_http_free(&r);
    bad = "{\"url\":\"https://x.example/\",\"events\":[\"customer.exploded\"]}";
    rp_http_send(&w->srv, "POST", "/api/v1/webhooks", "application/json", bad,
                 strlen(bad), NULL, &r);
    rp_assert_error(&r, 422, "invalid", "events");
    rp_http_free(&r);
    assert_int_equal(rp_list_count(&w->srv, "/api/v1/webhooks"), 2);
    /* an agent may not see or change subscriptions */
    char token[160];
    rp_srv_token_for(&w->srv, "agent", token, sizeof token);
    char admin[160];
    snprintf(admin, sizeof admin, "%s", w->srv.token);
    snprintf(w->srv.token, sizeof w->srv.token, "%s", token);
    json_decref(rp_call(&w->srv, "GET", "/api/v1/webhooks", NULL, 403));
    snprintf(w->srv.token, sizeof w->srv.token, "%s", admin);
    rp_srv_stop(&w->srv);
}

static void test_retry_after_receiver_was_down(void **state)
{
    world *w = *state;
    /* a receiver that is down: its port is known, nobody listens */
    rp_sink_start(&w->hook, "webhook_sink.py", "0");
    int port = w->hook.port;
    char secret[128];
    long long id = subscribe(w, "/down", "[\"*\"]", NULL, secret,
                             sizeof secret);
    rp_sink_stop(&w->hook);
    new_customer(w, "Waiting Customer");
    /* it fails, and is kept for another attempt */
    json_t *d = NULL;
    for (int i = 0; i < WAIT_SECONDS * 5; i++) {
        json_t *log = deliveries(w, id, NULL);
        d = json_incref(json_array_get(json_object_get(log, "items"), 0));
        json_decref(log);
        if (d && json_integer_value(json_object_get(d, "attempts")) >= 1 &&
            !strcmp(json_string_value(json_object_get(d, "status")), "queued"))
            break;
        json_decref(d);
        d = NULL;
        usleep(200 * 1000);
    }
    assert_non_null(d);
    assert_non_null(strstr(json_string_value(json_object_get(d, "last_error")),
                           "could not be reached"));
    char first_id[80];
    snprintf(first_id, sizeof first_id, "%s",
             json_string_value(json_object_get(d, "delivery_id")));
    json_decref(d);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/webhooks/%lld", id);
    json_t *got = rp_call(&w->srv, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(got, "last_status")),
                        "retrying");
    json_decref(got);
    /* the receiver comes back on its port: the delivery arrives, once,
     * with the id it had from the start */
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    setenv("WEBHOOK_SINK_PORT", p, 1);
    rp_sink_start(&w->hook, "webhook_sink.py", "0");
    assert_int_equal(w->hook.port, port);
    assert_int_equal(rp_sink_wait_webhooks(&w->hook, 1, WAIT_SECONDS), 1);
    json_t *r = rp_sink_webhook(&w->hook, 1);
    assert_string_equal(rp_sink_header(r, "rapport-delivery"), first_id);
    assert_string_equal(rp_sink_header(r, "rapport-event"), "customer.created");
    json_decref(r);
    /* the receiver has the request before rapportd has its answer and
     * records the delivery: wait for the record, not just the arrival */
    json_t *log = NULL;
    d = NULL;
    for (int i = 0; i < WAIT_SECONDS * 5 && !d; i++) {
        json_decref(log);
        log = deliveries(w, id, "?status=delivered");
        d = json_array_get(json_object_get(log, "items"), 0);
        if (!d)
            usleep(200 * 1000);
    }
    assert_non_null(d);
    assert_true(json_integer_value(json_object_get(d, "attempts")) >= 2);
    json_decref(log);
    sleep(3);
    assert_int_equal(rp_sink_count(&w->hook, "hook-", ".json"), 1);
    rp_srv_stop(&w->srv);
}

/* The delivery ids of the sink's first n deliveries, as one string list. */
static int distinct_ids(world *w, int n)
{
    json_t *seen = json_object();
    for (int i = 1; i <= n; i++) {
        json_t *r = rp_sink_webhook(&w->hook, i);
        json_object_set_new(seen, rp_sink_header(r, "rapport-delivery"),
                            json_true());
        json_decref(r);
    }
    int k = (int)json_object_size(seen);
    json_decref(seen);
    return k;
}

static void test_restart_sends_nothing_twice(void **state)
{
    world *w = *state;
    /* requests to /cut-off are stored, then left hanging: the sender is
     * in the middle of sending when it is killed */
    rp_sink_start(&w->hook, "webhook_sink.py", "hang:/cut-off");
    char secret[128];
    long long id = subscribe(w, "/restart", "[\"customer.created\"]", NULL,
                             secret, sizeof secret);
    long long cut = subscribe(w, "/cut-off", "[\"encounter.opened\"]", NULL,
                              secret, sizeof secret);
    for (int i = 0; i < 3; i++)
        new_customer(w, "Before Restart");
    assert_int_equal(rp_sink_wait_webhooks(&w->hook, 3, WAIT_SECONDS), 3);
    /* a clean restart: what was delivered is not sent again */
    rp_srv_stop(&w->srv);
    rp_srv_start(&w->srv);
    new_customer(w, "After Restart");
    assert_int_equal(rp_sink_wait_webhooks(&w->hook, 4, WAIT_SECONDS), 4);
    sleep(3);
    assert_int_equal(rp_sink_count(&w->hook, "hook-", ".json"), 4);
    assert_int_equal(distinct_ids(w, 4), 4);

    /* a crash in the middle of a send: the delivery is sent again after
     * its lease, with the same id, so the receiver can drop the repeat */
    long long cid = new_customer(w, "Cut Off");
    assert_int_equal(rp_sink_wait_webhooks(&w->hook, 5, WAIT_SECONDS), 5);
    char body[128];
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"chat\",\"subject\":"
             "\"Cut off\"}",
             cid);
    json_decref(rp_callf(&w->srv, "POST", "/api/v1/encounters", 201, body));
    assert_int_equal(rp_sink_wait_webhooks(&w->hook, 6, WAIT_SECONDS), 6);
    rp_srv_kill(&w->srv);
    rp_srv_start(&w->srv);
    assert_int_equal(rp_sink_wait_webhooks(&w->hook, 7, WAIT_SECONDS), 7);
    json_t *r5 = rp_sink_webhook(&w->hook, 6),
           *r6 = rp_sink_webhook(&w->hook, 7);
    assert_string_equal(rp_sink_header(r5, "rapport-delivery"),
                        rp_sink_header(r6, "rapport-delivery"));
    assert_string_equal(json_string_value(json_object_get(r6, "path")),
                        "/cut-off");
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(r6, "event"), "customer_id")),
                     cid);
    /* only the signature's time may differ; the body is the same */
    assert_string_equal(json_string_value(json_object_get(r5, "body")),
                        json_string_value(json_object_get(r6, "body")));
    json_decref(r5);
    json_decref(r6);
    assert_int_equal(distinct_ids(w, 7), 6);
    json_t *log = deliveries(w, id, NULL);
    assert_int_equal(json_array_size(json_object_get(log, "items")), 5);
    json_decref(log);
    log = deliveries(w, cut, NULL);
    json_t *d = json_array_get(json_object_get(log, "items"), 0);
    assert_int_equal(json_array_size(json_object_get(log, "items")), 1);
    assert_true(json_integer_value(json_object_get(d, "attempts")) >= 2);
    json_decref(log);
    rp_srv_kill(&w->srv);
}

int main(void)
{
    /* quick runs, a short timeout (the hanging receiver), quick retries */
    setenv("RAPPORT_EVENTS_INTERVAL", "1", 1);
    setenv("RAPPORT_EVENTS_TIMEOUT", "3", 1);
    setenv("RAPPORT_EVENTS_BACKOFF", "1", 1);
    setenv("RAPPORT_EVENTS_BACKOFF_MAX", "2", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_signed_and_filtered, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_retry_after_receiver_was_down,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_sends_nothing_twice, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
