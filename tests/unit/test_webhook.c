/*
 * test_webhook.c - the rules of event webhooks: how a delivery is signed
 * and checked, how retries back off, which subscriptions an event is
 * queued for, and that an event exists exactly when its transaction
 * committed.
 */
#include <string.h>

#include "fixture.h"

#define SECRET "whsec_0123456789abcdefghijkl"

/* A known answer computed with Python's hmac module. */
static void test_sign_known_answer(void **state)
{
    (void)state;
    char sig[65];
    rp_webhook_sign(SECRET, 1700000000, "{\"a\":1}", 7, sig);
    assert_string_equal(
        sig,
        "eb88656e40b5129d4e11458aa1fb7533481fd32dee17b6d1189f1bfc5da40b72");
}

static void test_verify(void **state)
{
    (void)state;
    const char *body = "{\"type\":\"encounter.opened\"}";
    char sig[65], hdr[160];
    rp_error err;
    rp_webhook_sign(SECRET, 1700000000, body, strlen(body), sig);
    snprintf(hdr, sizeof hdr, "t=1700000000,v1=%s", sig);
    assert_int_equal(rp_webhook_verify(SECRET, hdr, body, strlen(body),
                                       1700000100, 300, &err),
                     RP_OK);
    /* a changed body, another secret, a replay too late, no timestamp */
    assert_int_equal(
        rp_webhook_verify(SECRET, hdr, "{}", 2, 1700000100, 300, &err),
        RP_EAUTH);
    assert_non_null(strstr(err.message, "does not match"));
    assert_int_equal(rp_webhook_verify("whsec_another_secret_of_24", hdr, body,
                                       strlen(body), 1700000100, 300, &err),
                     RP_EAUTH);
    assert_int_equal(rp_webhook_verify(SECRET, hdr, body, strlen(body),
                                       1700000301, 300, &err),
                     RP_EAUTH);
    assert_non_null(strstr(err.message, "301 seconds"));
    /* the timestamp is signed: moving it breaks the signature */
    char moved[160];
    snprintf(moved, sizeof moved, "t=1700000100,v1=%s", sig);
    assert_int_equal(rp_webhook_verify(SECRET, moved, body, strlen(body),
                                       1700000100, 300, &err),
                     RP_EAUTH);
    assert_int_equal(rp_webhook_verify(SECRET, hdr + 13, body, strlen(body),
                                       1700000100, 300, &err),
                     RP_EAUTH);
    assert_int_equal(rp_webhook_verify(SECRET, "", body, strlen(body),
                                       1700000100, 300, &err),
                     RP_EAUTH);
    /* a second v1 (a secret being rotated) is accepted beside a stale one */
    char two[240];
    snprintf(two, sizeof two, "t=1700000000,v1=%064d,v1=%s", 0, sig);
    assert_int_equal(rp_webhook_verify(SECRET, two, body, strlen(body),
                                       1700000000, 300, &err),
                     RP_OK);
}

static void test_backoff(void **state)
{
    (void)state;
    rp_webhook_config cfg;
    rp_webhook_config_default(&cfg);
    cfg.backoff_seconds = 30;
    cfg.backoff_max_seconds = 200;
    assert_int_equal(rp_webhook_backoff(&cfg, 1), 30);
    assert_int_equal(rp_webhook_backoff(&cfg, 2), 60);
    assert_int_equal(rp_webhook_backoff(&cfg, 3), 120);
    assert_int_equal(rp_webhook_backoff(&cfg, 4), 200);
    assert_int_equal(rp_webhook_backoff(&cfg, 1000), 200);
    /* a lease outlasts the longest send */
    assert_true(rp_webhook_lease_seconds(&cfg) > cfg.timeout_seconds);
}

/* Add a subscription to kinds (a JSON array text); its id. */
static int64_t subscribe(rp_test_db *db, const char *kinds, int active)
{
    rp_error err;
    json_t *out = NULL;
    json_t *in = json_pack("{s:s, s:o, s:b}", "url", "http://127.0.0.1:9/h",
                           "events", json_loads(kinds, 0, NULL), "active",
                           active);
    assert_int_equal(rp_webhook_create(&db->ctx, in, &out, &err), RP_OK);
    /* the secret is shown once, made when not given */
    const char *secret = json_string_value(json_object_get(out, "secret"));
    assert_non_null(secret);
    assert_int_equal(strncmp(secret, "whsec_", 6), 0);
    assert_int_equal(strlen(secret), 6 + 64);
    int64_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(in);
    json_decref(out);
    return id;
}

static int64_t deliveries_of(rp_test_db *db, int64_t id)
{
    rp_error err;
    rp_page_req page = {500, 0};
    json_t *out = NULL;
    assert_int_equal(
        rp_webhook_deliveries(&db->ctx, id, NULL, &page, &out, &err), RP_OK);
    int64_t n = (int64_t)json_array_size(json_object_get(out, "items"));
    json_decref(out);
    return n;
}

static rp_code emit_in_tx(rp_test_db *db, const char *kind, int commit)
{
    rp_error err;
    rp_store *s = db->store;
    assert_int_equal(rp_store_begin(s, &err), RP_OK);
    json_t *data = json_pack("{s:s}", "stage", "helping");
    rp_code rc = rp_event_emit(&db->ctx, kind, 1, 2, data, &err);
    json_decref(data);
    return rp_store_finish(s, commit ? rc : RP_ECONFLICT, &err);
}

static void test_fanout_by_subscription(void **state)
{
    rp_test_db *db = *state;
    int64_t opened = subscribe(db, "[\"encounter.opened\"]", 1);
    int64_t all = subscribe(db, "[\"*\"]", 1);
    int64_t off = subscribe(db, "[\"encounter.opened\"]", 0);
    int64_t msgs = subscribe(db, "[\"message.received\", \"message.sent\"]", 1);
    assert_int_equal(emit_in_tx(db, "encounter.opened", 1), RP_OK);
    assert_int_equal(emit_in_tx(db, "message.sent", 1), RP_OK);
    assert_int_equal(deliveries_of(db, opened), 1);
    assert_int_equal(deliveries_of(db, all), 2);
    assert_int_equal(deliveries_of(db, off), 0);
    assert_int_equal(deliveries_of(db, msgs), 1);
    /* a change rolled back leaves no event and no delivery */
    assert_int_equal(emit_in_tx(db, "encounter.opened", 0), RP_ECONFLICT);
    assert_int_equal(deliveries_of(db, opened), 1);
    rp_error err;
    int64_t n = 0;
    assert_int_equal(
        db->store->ops->count(db->store, &RP_ENTITY_EVENT, NULL, 0, &n, &err),
        RP_OK);
    assert_int_equal(n, 2);
    int64_t backlog = 0;
    assert_int_equal(rp_webhook_backlog(&db->ctx, &backlog, &err), RP_OK);
    assert_int_equal(backlog, 4);
    /* every delivery has its own id */
    rp_page_req page = {500, 0};
    json_t *out = NULL;
    assert_int_equal(
        rp_webhook_deliveries(&db->ctx, all, "queued", &page, &out, &err),
        RP_OK);
    json_t *items = json_object_get(out, "items");
    assert_int_equal(json_array_size(items), 2);
    const char *a = json_string_value(
        json_object_get(json_array_get(items, 0), "delivery_id"));
    const char *b = json_string_value(
        json_object_get(json_array_get(items, 1), "delivery_id"));
    assert_non_null(a);
    assert_non_null(b);
    assert_string_not_equal(a, b);
    json_decref(out);
    /* an unknown kind is a bug in the caller */
    assert_int_equal(emit_in_tx(db, "encounter.exploded", 1), RP_EINTERNAL);
}

static void test_subscription_rules(void **state)
{
    rp_test_db *db = *state;
    rp_error err;
    json_t *out = NULL;
    const char *bad[][2] = {
        {"{\"url\":\"ftp://x.example/h\",\"events\":[\"*\"]}", "url"},
        {"{\"url\":\"not a url\",\"events\":[\"*\"]}", "url"},
        {"{\"url\":\"https://x.example/h\",\"events\":[]}", "events"},
        {"{\"url\":\"https://x.example/h\"}", "events"},
        {"{\"url\":\"https://x.example/h\",\"events\":[\"nope\"]}", "events"},
        {"{\"url\":\"https://x.example/h\",\"events\":[\"*\"],"
         "\"secret\":\"short\"}",
         "secret"},
        {"{\"url\":\"https://x.example/h\",\"events\":[\"*\"],\"x\":1}", "x"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *in = json_loads(bad[i][0], 0, NULL);
        assert_non_null(in);
        assert_int_not_equal(rp_webhook_create(&db->ctx, in, &out, &err),
                             RP_OK);
        assert_string_equal(err.field, bad[i][1]);
        json_decref(in);
    }
    rp_page_req page = {50, 0};
    assert_int_equal(rp_webhook_list(&db->ctx, &page, &out, &err), RP_OK);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 0);
    json_decref(out);
    /* the secret is never read back */
    int64_t id = subscribe(db, "[\"customer.created\"]", 1);
    assert_int_equal(rp_webhook_get(&db->ctx, id, &out, &err), RP_OK);
    assert_null(json_object_get(out, "secret"));
    json_decref(out);
    assert_int_equal(rp_webhook_list(&db->ctx, &page, &out, &err), RP_OK);
    assert_null(json_object_get(
        json_array_get(json_object_get(out, "items"), 0), "secret"));
    json_decref(out);
    /* a change keeps what it is not given; turning off stops the fan-out */
    json_t *in = json_pack("{s:b}", "active", 0);
    assert_int_equal(rp_webhook_update(&db->ctx, id, in, &out, &err), RP_OK);
    assert_false(json_is_true(json_object_get(out, "active")));
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(out, "events"), 0)),
        "customer.created");
    json_decref(in);
    json_decref(out);
    assert_int_equal(emit_in_tx(db, "customer.created", 1), RP_OK);
    assert_int_equal(deliveries_of(db, id), 0);
    in = json_pack("{s:[s]}", "events", "nope");
    assert_int_equal(rp_webhook_update(&db->ctx, id, in, &out, &err),
                     RP_EINVALID);
    json_decref(in);
    assert_int_equal(rp_webhook_remove(&db->ctx, id, &err), RP_OK);
    assert_int_equal(rp_webhook_get(&db->ctx, id, &out, &err), RP_ENOTFOUND);
    assert_int_equal(rp_webhook_remove(&db->ctx, id, &err), RP_ENOTFOUND);
}

/* A delivery to a port nobody listens on is retried with backoff, then
 * failed; the claim and the settle are each their own transaction. */
static void test_run_retries_then_fails(void **state)
{
    rp_test_db *db = *state;
    rp_error err;
    int64_t id = subscribe(db, "[\"*\"]", 1);
    assert_int_equal(emit_in_tx(db, "customer.changed", 1), RP_OK);
    rp_webhook_config cfg;
    rp_webhook_config_default(&cfg);
    cfg.timeout_seconds = 5;
    cfg.backoff_seconds = 100;
    cfg.max_attempts = 2;
    int64_t t0 = rp_now();
    json_t *out = NULL;
    assert_int_equal(rp_webhook_run(&db->ctx, &cfg, t0, "w", &out, &err),
                     RP_OK);
    assert_int_equal(json_integer_value(json_object_get(out, "retried")), 1);
    json_decref(out);
    /* not due again before the backoff */
    assert_int_equal(rp_webhook_run(&db->ctx, &cfg, t0 + 50, "w", &out, &err),
                     RP_OK);
    assert_int_equal(json_integer_value(json_object_get(out, "claimed")), 0);
    json_decref(out);
    assert_int_equal(rp_webhook_run(&db->ctx, &cfg, t0 + 3600, "w", &out, &err),
                     RP_OK);
    assert_int_equal(json_integer_value(json_object_get(out, "failed")), 1);
    json_decref(out);
    rp_page_req page = {50, 0};
    assert_int_equal(
        rp_webhook_deliveries(&db->ctx, id, "failed", &page, &out, &err),
        RP_OK);
    json_t *d = json_array_get(json_object_get(out, "items"), 0);
    assert_int_equal(json_integer_value(json_object_get(d, "attempts")), 2);
    assert_non_null(
        strstr(json_string_value(json_object_get(d, "last_error")), "reached"));
    json_decref(out);
    assert_int_equal(rp_webhook_get(&db->ctx, id, &out, &err), RP_OK);
    assert_string_equal(json_string_value(json_object_get(out, "last_status")),
                        "failed");
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_known_answer),
        cmocka_unit_test(test_verify),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test_setup_teardown(test_fanout_by_subscription,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_subscription_rules,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_run_retries_then_fails,
                                        rp_test_db_setup, rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
