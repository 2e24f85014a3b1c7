/*
 * test_scheduler.c - the follow-up rules, on a real SQLite store:
 * rules are idempotent and due at the right time, a claim older than the
 * lease is taken over, failures back off exponentially and then fail,
 * loyalty tiers, single-use expiring satisfaction links, the webhook
 * signature (RFC 4231 vector), consent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static rp_store *store;
static rp_ctx ctx;

#define T0 1803974400 /* 2027-03-02T08:00:00Z */

/* The shared temporary database, its store and context kept in the file's
 * statics so the helpers below need no fixture argument. */
static int setup(void **state)
{
    rp_test_db_setup(state);
    rp_test_db *db = *state;
    store = db->store;
    ctx = db->ctx;
    rp_clock_pin(T0);
    return 0;
}

static int teardown(void **state)
{
    store = NULL;
    return rp_test_db_teardown(state);
}

static json_int_t make(const char *kind, json_int_t cid, const char *json)
{
    rp_error err;
    json_t *in = json_loads(json, 0, NULL), *out = NULL;
    rp_code rc = kind ? rp_profile_add(&ctx, kind, cid, in, &out, &err)
                      : rp_customer_create(&ctx, in, &out, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(rc, RP_OK);
    json_int_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(in);
    json_decref(out);
    return id;
}

static json_t *tasks(const char *status)
{
    rp_error err;
    rp_page_req page = {500, 0};
    json_t *out;
    assert_int_equal(rp_task_list(&ctx, status, 0, &page, &out, &err), RP_OK);
    json_t *items = json_incref(json_object_get(out, "items"));
    json_decref(out);
    return items;
}

static const char *sfield(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The defaults, with webhooks to a closed port: every send fails, for real. */
static void config(rp_scheduler_config *cfg)
{
    rp_scheduler_config_default(cfg);
    cfg->delivery.webhook_url = "http://127.0.0.1:1/hook";
    cfg->public_url = "http://127.0.0.1:8080";
}

static void test_rules_are_idempotent_and_due_on_time(void **state)
{
    (void)state;
    rp_scheduler_config cfg;
    config(&cfg);
    json_int_t c = make(NULL, 0,
                        "{\"name\":\"Anna\",\"phones\":[\"+48 601\"]}");
    json_int_t appt = make("dates", c,
                           "{\"kind\":\"appointment\",\"title\":"
                           "\"inspection\",\"at\":"
                           "\"2027-03-10T09:00:00Z\"}");
    make("dates", c,
         "{\"kind\":\"expiry\",\"title\":\"policy\",\"at\":"
         "\"2027-03-20T00:00:00Z\"}");
    make("dates", c,
         "{\"kind\":\"other\",\"title\":\"birthday\",\"at\":"
         "\"2027-03-21T00:00:00Z\"}");
    make("dates", c,
         "{\"kind\":\"appointment\",\"title\":\"past\",\"at\":"
         "\"2027-01-01T00:00:00Z\"}");
    rp_error err;
    int64_t created = -1;
    assert_int_equal(rp_scheduler_rules(&ctx, &cfg, T0, &created, &err), RP_OK);
    assert_int_equal(created, 2);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(rp_scheduler_rules(&ctx, &cfg, T0 + i, &created, &err),
                         RP_OK);
        assert_int_equal(created, 0);
    }
    json_t *t = tasks(NULL);
    assert_int_equal(json_array_size(t), 2);
    size_t i;
    json_t *task;
    char key[64];
    snprintf(key, sizeof key, "reminder:date:%lld:1804669200", (long long)appt);
    json_array_foreach(t, i, task) {
        if (!strcmp(sfield(task, "kind"), "reminder")) {
            assert_string_equal(sfield(task, "idempotency_key"), key);
            assert_string_equal(sfield(task, "due_at"), "2027-03-09T09:00:00Z");
            assert_string_equal(sfield(task, "purpose"), "reminders");
        } else {
            assert_string_equal(sfield(task, "kind"), "renewal_notice");
            assert_string_equal(sfield(task, "due_at"), "2027-03-13T00:00:00Z");
        }
    }
    json_decref(t);

    /* the appointment moves: the pending reminder is cancelled and one for
     * the new time is created */
    json_t *in = json_pack("{s:s}", "at", "2027-03-12T10:00:00Z"), *out;
    assert_int_equal(rp_profile_update(&ctx, "dates", c, appt, in, &out, &err),
                     RP_OK);
    json_decref(in);
    json_decref(out);
    assert_int_equal(rp_scheduler_rules(&ctx, &cfg, T0, &created, &err), RP_OK);
    assert_int_equal(created, 1);
    t = tasks("cancelled");
    assert_int_equal(json_array_size(t), 1);
    assert_string_equal(sfield(json_array_get(t, 0), "idempotency_key"), key);
    json_decref(t);
    t = tasks("scheduled");
    int moved = 0;
    json_array_foreach(t, i, task)
        moved += !strcmp(sfield(task, "due_at"), "2027-03-11T10:00:00Z");
    assert_int_equal(moved, 1);
    json_decref(t);
}

static void test_satisfaction_rule_once_per_closed_encounter(void **state)
{
    (void)state;
    rp_scheduler_config cfg;
    config(&cfg);
    rp_error err;
    json_int_t c = make(NULL, 0, "{\"name\":\"Anna\"}");
    json_t *in = json_pack("{s:I, s:s, s:s}", "customer_id", c, "channel",
                           "in_person", "subject", "Inspection"),
           *e = NULL;
    json_int_t eid[2];
    for (int k = 0; k < 2; k++) {
        assert_int_equal(rp_encounter_open(&ctx, in, &e, &err), RP_OK);
        eid[k] = json_integer_value(json_object_get(e, "id"));
        json_decref(e);
        json_t *ch = json_pack("{s:s, s:I}", "stage", "closed", "closed_at",
                               (json_int_t)T0);
        assert_int_equal(
            store->ops->update(store, &RP_ENTITY_ENCOUNTER, eid[k], ch, &err),
            RP_OK);
        json_decref(ch);
    }
    json_decref(in);
    /* closing the second one already scheduled its check */
    json_t *row = json_pack(
        "{s:I, s:I, s:s, s:s, s:I, s:s, s:I}", "customer_id", c, "encounter_id",
        eid[1], "kind", "satisfaction_check", "subject", "check", "due_at",
        (json_int_t)T0, "idempotency_key", "satisfaction_check:2:1",
        "created_at", (json_int_t)T0);
    assert_int_equal(
        store->ops->insert(store, &RP_ENTITY_TASK, row, NULL, &err), RP_OK);
    json_decref(row);
    int64_t created;
    assert_int_equal(rp_scheduler_rules(&ctx, &cfg, T0 + 60, &created, &err),
                     RP_OK);
    assert_int_equal(created, 1);
    assert_int_equal(rp_scheduler_rules(&ctx, &cfg, T0 + 120, &created, &err),
                     RP_OK);
    assert_int_equal(created, 0);
    json_t *t = tasks("scheduled");
    int found = 0;
    size_t i;
    json_t *task;
    json_array_foreach(t, i, task)
        if (!strncmp(sfield(task, "idempotency_key"),
                     "satisfaction:encounter:", 23)) {
            found++;
            assert_int_equal(
                json_integer_value(json_object_get(task, "encounter_id")),
                eid[0]);
            assert_string_equal(sfield(task, "due_at"), "2027-03-03T08:00:00Z");
        }
    assert_int_equal(found, 1);
    json_decref(t);
}

static void test_keep_in_touch_cadence_is_configurable(void **state)
{
    (void)state;
    rp_scheduler_config cfg;
    config(&cfg);
    cfg.cadence_days[1] = 10; /* incremental */
    cfg.cadence_days[3] = 3;  /* partnership */
    rp_error err;
    json_int_t a = make(NULL, 0, "{\"name\":\"Incremental\"}");
    make(NULL, 0, "{\"name\":\"Transactional\"}");
    json_t *ch = json_pack("{s:s}", "relationship_level", "incremental");
    assert_int_equal(
        store->ops->update(store, &RP_ENTITY_CUSTOMER, a, ch, &err), RP_OK);
    json_decref(ch);
    int64_t created;
    assert_int_equal(
        rp_scheduler_rules(&ctx, &cfg, T0 + 9 * 86400, &created, &err), RP_OK);
    assert_int_equal(created, 0);
    assert_int_equal(
        rp_scheduler_rules(&ctx, &cfg, T0 + 10 * 86400, &created, &err), RP_OK);
    assert_int_equal(created, 1); /* only the incremental customer */
    assert_int_equal(
        rp_scheduler_rules(&ctx, &cfg, T0 + 11 * 86400, &created, &err), RP_OK);
    assert_int_equal(created, 0);
}

/* Set one task's columns directly, as a killed sender would leave it. */
static void force(json_int_t id, json_t *changes)
{
    rp_error err;
    assert_int_equal(
        store->ops->update(store, &RP_ENTITY_TASK, id, changes, &err), RP_OK);
    json_decref(changes);
}

static void test_lease_takeover_and_backoff(void **state)
{
    (void)state;
    rp_scheduler_config cfg;
    config(&cfg);
    cfg.max_attempts = 3;
    cfg.backoff_seconds = 100;
    json_int_t c = make(NULL, 0,
                        "{\"name\":\"Jan\",\"phones\":[\"+420 601\"]}");
    make("consents", c, "{\"purpose\":\"reminders\",\"granted\":true}");
    make("dates", c,
         "{\"kind\":\"renewal\",\"title\":\"policy\",\"at\":"
         "\"2027-03-09T00:00:00Z\"}");
    rp_error err;
    int64_t created;
    assert_int_equal(rp_scheduler_rules(&ctx, &cfg, T0, &created, &err), RP_OK);
    json_t *t = tasks(NULL);
    json_int_t id = json_integer_value(
        json_object_get(json_array_get(t, 0), "id"));
    json_decref(t);
    /* a sender claimed it and died 100 s ago: within the lease, left alone */
    force(id, json_pack("{s:s, s:s, s:I, s:i}", "status", "claimed",
                        "claimed_by", "dead", "claimed_at",
                        (json_int_t)(T0 - 100), "attempts", 1));
    json_t *r;
    assert_int_equal(rp_scheduler_run(&ctx, &cfg, T0, "w1", &r, &err), RP_OK);
    assert_int_equal(json_integer_value(json_object_get(r, "claimed")), 0);
    json_decref(r);
    /* past the lease (300 s): taken over, sent, fails (port closed): retry */
    assert_int_equal(rp_scheduler_run(&ctx, &cfg, T0 + 300, "w1", &r, &err),
                     RP_OK);
    assert_int_equal(json_integer_value(json_object_get(r, "claimed")), 1);
    assert_int_equal(json_array_size(json_object_get(r, "retried")), 1);
    json_decref(r);
    json_t *task;
    assert_int_equal(rp_task_get(&ctx, id, &task, &err), RP_OK);
    assert_string_equal(sfield(task, "status"), "scheduled");
    assert_int_equal(json_integer_value(json_object_get(task, "attempts")), 2);
    assert_string_equal(sfield(task, "claimed_by"), "w1");
    /* second attempt: backoff 100 * 2^(2-1) */
    char expect[RP_TIME_MAX];
    rp_time_format(T0 + 300 + 200, expect);
    assert_string_equal(sfield(task, "next_attempt_at"), expect);
    assert_non_null(strstr(sfield(task, "last_error"), "127.0.0.1:1"));
    json_decref(task);
    assert_int_equal(rp_scheduler_run(&ctx, &cfg, T0 + 499, "w1", &r, &err),
                     RP_OK);
    assert_int_equal(json_integer_value(json_object_get(r, "claimed")), 0);
    json_decref(r);
    assert_int_equal(rp_scheduler_run(&ctx, &cfg, T0 + 500, "w2", &r, &err),
                     RP_OK);
    assert_int_equal(json_array_size(json_object_get(r, "failed")), 1);
    json_decref(r);
    assert_int_equal(rp_task_get(&ctx, id, &task, &err), RP_OK);
    assert_string_equal(sfield(task, "status"), "failed");
    assert_int_equal(json_integer_value(json_object_get(task, "attempts")), 3);
    json_decref(task);
    t = tasks("failed");
    assert_int_equal(json_array_size(t), 1);
    json_decref(t);
}

/* A task whose senders keep dying before they finish is given up once its
 * claims pass the attempts; one whose sender died while sending is not
 * sent again. */
static void test_taken_over_claims_are_capped(void **state)
{
    (void)state;
    rp_scheduler_config cfg;
    config(&cfg);
    cfg.max_attempts = 3;
    json_int_t c = make(NULL, 0,
                        "{\"name\":\"Jan\",\"phones\":[\"+420 601\"]}");
    make("consents", c, "{\"purpose\":\"reminders\",\"granted\":true}");
    make("dates", c,
         "{\"kind\":\"renewal\",\"title\":\"policy\",\"at\":"
         "\"2027-03-09T00:00:00Z\"}");
    make("dates", c,
         "{\"kind\":\"expiry\",\"title\":\"card\",\"at\":"
         "\"2027-03-09T00:00:00Z\"}");
    rp_error err;
    int64_t created;
    assert_int_equal(rp_scheduler_rules(&ctx, &cfg, T0, &created, &err), RP_OK);
    json_t *t = tasks(NULL);
    json_int_t crashed = json_integer_value(
        json_object_get(json_array_get(t, 0), "id"));
    json_int_t unknown = json_integer_value(
        json_object_get(json_array_get(t, 1), "id"));
    json_decref(t);
    /* claimed three times already, each sender died before sending */
    force(crashed, json_pack("{s:s, s:s, s:I, s:i}", "status", "claimed",
                             "claimed_by", "dead", "claimed_at",
                             (json_int_t)(T0 - 1000), "attempts", 3));
    /* claimed once, its sender died while the receiver had it */
    force(unknown,
          json_pack("{s:s, s:s, s:I, s:I, s:i}", "status", "claimed",
                    "claimed_by", "dead", "claimed_at", (json_int_t)(T0 - 1000),
                    "sending_at", (json_int_t)(T0 - 1000), "attempts", 1));
    json_t *r;
    assert_int_equal(rp_scheduler_run(&ctx, &cfg, T0, "w1", &r, &err), RP_OK);
    assert_int_equal(json_array_size(json_object_get(r, "failed")), 2);
    assert_int_equal(json_array_size(json_object_get(r, "retried")), 0);
    json_decref(r);
    json_t *task;
    assert_int_equal(rp_task_get(&ctx, crashed, &task, &err), RP_OK);
    assert_string_equal(sfield(task, "status"), "failed");
    assert_int_equal(json_integer_value(json_object_get(task, "attempts")), 4);
    assert_non_null(strstr(sfield(task, "last_error"), "given up after 4"));
    json_decref(task);
    assert_int_equal(rp_task_get(&ctx, unknown, &task, &err), RP_OK);
    assert_string_equal(sfield(task, "status"), "failed");
    assert_non_null(strstr(sfield(task, "last_error"), "may or may not"));
    json_decref(task);
}

/* Tasks made by the encounter cycle carry the encounter's channel: a check
 * after an in-person visit is still sent; a follow-up call is left to a person.
 */
static void test_encounter_tasks_and_channels(void **state)
{
    (void)state;
    rp_scheduler_config cfg;
    config(&cfg);
    rp_error err;
    json_int_t c = make(NULL, 0,
                        "{\"name\":\"Anna\",\"phones\":[\"+48 601\"]}");
    const char *kinds[3][3] = {{"satisfaction_check", "in_person", "k1"},
                               {"follow_up", "phone", "k2"},
                               {"follow_up", "email", "k3"}};
    for (int i = 0; i < 3; i++) {
        json_t *row = json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:I}",
                                "customer_id", c, "kind", kinds[i][0],
                                "channel", kinds[i][1], "subject", "s",
                                "due_at", (json_int_t)T0, "idempotency_key",
                                kinds[i][2], "created_at", (json_int_t)T0);
        assert_int_equal(
            store->ops->insert(store, &RP_ENTITY_TASK, row, NULL, &err), RP_OK);
        json_decref(row);
    }
    json_t *r;
    assert_int_equal(rp_scheduler_run(&ctx, &cfg, T0, "w", &r, &err), RP_OK);
    /* the check and the email follow-up are claimed and sent by SMS (the
     * only address; the webhook here is a closed port, so: retried) */
    assert_int_equal(json_integer_value(json_object_get(r, "claimed")), 2);
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(r, "retried"), i, t) {
        assert_string_equal(sfield(t, "channel"), "sms");
        assert_string_not_equal(sfield(t, "idempotency_key"), "k2");
    }
    json_decref(r);
}

static void test_consent_rules(void **state)
{
    (void)state;
    json_int_t c = make(NULL, 0, "{\"name\":\"Piotr\"}");
    rp_error err;
    char why[200] = "";
    int granted = -1;
    assert_int_equal(
        rp_consent_check(&ctx, c, "service", &granted, why, sizeof why, &err),
        RP_OK);
    assert_int_equal(granted, 1);
    assert_int_equal(
        rp_consent_check(&ctx, c, "offers", &granted, why, sizeof why, &err),
        RP_OK);
    assert_int_equal(granted, 0);
    assert_string_equal(why, "held: the customer has not given consent for "
                             "offers");
    make("consents", c, "{\"purpose\":\"service\",\"granted\":false}");
    assert_int_equal(
        rp_consent_check(&ctx, c, "service", &granted, why, sizeof why, &err),
        RP_OK);
    assert_int_equal(granted, 0);
    assert_non_null(strstr(why, "withdrew consent for service"));
}

static void test_loyalty_tiers(void **state)
{
    (void)state;
    rp_error err;
    json_int_t c = make(NULL, 0, "{\"name\":\"Anna\"}");
    json_t *out;
    assert_int_equal(rp_loyalty_for_customer(&ctx, c, &out, &err), RP_OK);
    assert_string_equal(sfield(out, "tier"), "bronze");
    assert_string_equal(sfield(out, "summary"), "new customer, bronze tier, no "
                                                "discount");
    json_decref(out);
    json_t *in = json_pack("{s:I, s:s, s:s}", "customer_id", c, "channel",
                           "in_person", "subject", "Service");
    for (int k = 0; k < 10; k++) {
        json_t *e;
        assert_int_equal(rp_encounter_open(&ctx, in, &e, &err), RP_OK);
        json_t *ch = json_pack("{s:s}", "stage", "closed");
        assert_int_equal(
            store->ops->update(store, &RP_ENTITY_ENCOUNTER,
                               json_integer_value(json_object_get(e, "id")), ch,
                               &err),
            RP_OK);
        json_decref(ch);
        json_decref(e);
        assert_int_equal(rp_loyalty_for_customer(&ctx, c, &out, &err), RP_OK);
        assert_string_equal(sfield(out, "tier"), k + 1 >= 10  ? "gold"
                                                 : k + 1 >= 3 ? "silver"
                                                              : "bronze");
        json_decref(out);
    }
    json_decref(in);
    assert_int_equal(rp_loyalty_for_customer(&ctx, c, &out, &err), RP_OK);
    assert_string_equal(sfield(out, "summary"),
                        "returning customer, gold tier, 10% discount");
    assert_true(json_is_null(json_object_get(out, "next_tier")));
    json_decref(out);
    /* a year of tenure alone is gold too */
    json_int_t old = make(NULL, 0, "{\"name\":\"Old friend\"}");
    rp_clock_pin(T0 + 366 * 86400);
    assert_int_equal(rp_loyalty_for_customer(&ctx, old, &out, &err), RP_OK);
    assert_string_equal(sfield(out, "tier"), "gold");
    json_decref(out);
    rp_clock_pin(T0);
}

static void test_satisfaction_link_single_use_and_expiring(void **state)
{
    (void)state;
    rp_error err;
    json_int_t c = make(NULL, 0,
                        "{\"name\":\"Anna Kowalska\","
                        "\"preferred_name\":\"Anna\"}");
    rp_buf link = RP_BUF_INIT;
    assert_int_equal(store->ops->begin(store, &err), RP_OK);
    assert_int_equal(rp_satisfaction_issue(&ctx, c, 0, 0, 14,
                                           "https://desk.example/", &link,
                                           &err),
                     RP_OK);
    assert_int_equal(store->ops->commit(store, &err), RP_OK);
    const char *url = rp_buf_str(&link);
    assert_int_equal(strncmp(url, "https://desk.example/s/", 23), 0);
    const char *token = url + 23;
    assert_int_equal(strlen(token), 64);
    /* only the hash is stored */
    json_t *rows;
    json_t *p = json_pack("[I]", c);
    assert_int_equal(rp_satisfaction_summary(&ctx, c, &rows, &err), RP_OK);
    json_decref(rows);
    json_decref(p);
    json_t *out;
    assert_int_equal(rp_satisfaction_lookup(&ctx, token, &out, &err), RP_OK);
    assert_string_equal(sfield(out, "state"), "open");
    assert_string_equal(sfield(out, "greeting_name"), "Anna");
    json_decref(out);
    json_t *bad = json_pack("{s:i}", "score", 6);
    assert_int_equal(rp_satisfaction_answer(&ctx, token, bad, &out, &err),
                     RP_EINVALID);
    json_decref(bad);
    json_t *ans = json_pack("{s:i, s:[s,s,s]}", "score", 2, "words", "slow",
                            "cold", "late");
    assert_int_equal(rp_satisfaction_answer(&ctx, token, ans, &out, &err),
                     RP_OK);
    assert_string_equal(sfield(out, "impression"), "negative");
    json_decref(out);
    assert_int_equal(rp_satisfaction_answer(&ctx, token, ans, &out, &err),
                     RP_ECONFLICT);
    json_decref(ans);
    assert_int_equal(rp_satisfaction_summary(&ctx, c, &out, &err), RP_OK);
    assert_int_equal(json_integer_value(json_object_get(out, "negative")), 1);
    json_decref(out);

    /* a second link, unanswered for 15 days: expired */
    rp_buf_clear(&link);
    assert_int_equal(store->ops->begin(store, &err), RP_OK);
    assert_int_equal(rp_satisfaction_issue(&ctx, c, 0, 0, 14,
                                           "https://desk.example/", &link,
                                           &err),
                     RP_OK);
    assert_int_equal(store->ops->commit(store, &err), RP_OK);
    rp_clock_pin(T0 + 15 * 86400);
    url = rp_buf_str(&link);
    assert_int_equal(rp_satisfaction_lookup(&ctx, url + 23, &out, &err), RP_OK);
    assert_string_equal(sfield(out, "state"), "expired");
    json_decref(out);
    ans = json_pack("{s:i}", "score", 5);
    assert_int_equal(rp_satisfaction_answer(&ctx, url + 23, ans, &out, &err),
                     RP_EFORBIDDEN);
    json_decref(ans);
    assert_int_equal(rp_satisfaction_lookup(&ctx, "not-a-token", &out, &err),
                     RP_ENOTFOUND);
    rp_buf_free(&link);
    rp_clock_pin(T0);
}

static void test_webhook_signature_rfc4231(void **state)
{
    (void)state;
    char hex[65];
    const char *data = "what do ya want for nothing?";
    rp_delivery_sign("Jefe", data, strlen(data), hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c7"
                             "5a003f089d2739839dec58b964ec3843");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_rules_are_idempotent_and_due_on_time, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_satisfaction_rule_once_per_closed_encounter, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_keep_in_touch_cadence_is_configurable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lease_takeover_and_backoff, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_taken_over_claims_are_capped,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_encounter_tasks_and_channels,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_consent_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loyalty_tiers, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_satisfaction_link_single_use_and_expiring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_webhook_signature_rfc4231, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
