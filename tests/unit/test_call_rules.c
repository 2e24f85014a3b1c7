/*
 * test_call_rules.c - the rules of a phone system's calls and of when a
 * customer arrived, as tables of cases.
 *
 *   - the call's state machine (rp_call_step): which event may follow
 *     which state, events in order, hold time summed as holds end, a
 *     hang-up before any answer abandoned;
 *   - the bounds of an arrival (rp_arrival_check) and of a mail's Date:
 *     (rp_arrival_of_mail), and which call ids are taken;
 *   - the calls in a real store: a retried arrival or event records
 *     nothing twice, a refused one writes nothing, the encounter follows
 *     the call (acknowledged at the answer, abandoned at the hang-up), and
 *     text fields are counted in characters;
 *   - a mail's encounter waits since its Date: when that is believable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* the tables leave the figures that stay 0 out */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* ---- the state machine --------------------------------------------------- */

typedef struct step {
    const char *event;
    int64_t at;
} step;

typedef struct step_case {
    const char *name;
    step steps[8];     /* applied in order until one with no event */
    rp_code rc;        /* of the last step */
    const char *field; /* of a refusal */
    rp_call_state state;
    int64_t answered_at, ended_at, holds, hold_seconds, transfers;
    int abandoned;
} step_case;

static const step_case step_cases[] = {
    {"answer", {{"answered", 10}}, RP_OK, NULL, RP_CALL_ANSWERED, 10},
    {"answer at the arrival",
     {{"answered", 0}},
     RP_OK,
     NULL,
     RP_CALL_ANSWERED,
     0},
    {"hold while queued",
     {{"hold", 10}},
     RP_ECONFLICT,
     "event",
     RP_CALL_QUEUED},
    {"resume while queued",
     {{"resume", 10}},
     RP_ECONFLICT,
     "event",
     RP_CALL_QUEUED},
    {"hang-up unanswered",
     {{"hung_up", 1800}},
     RP_OK,
     NULL,
     RP_CALL_ENDED,
     0,
     1800,
     0,
     0,
     0,
     1},
    {"one hold",
     {{"answered", 10}, {"hold", 20}, {"resume", 50}},
     RP_OK,
     NULL,
     RP_CALL_ANSWERED,
     10,
     0,
     1,
     30},
    {"two holds",
     {{"answered", 10},
      {"hold", 20},
      {"resume", 50},
      {"hold", 60},
      {"resume", 100}},
     RP_OK,
     NULL,
     RP_CALL_ANSWERED,
     10,
     0,
     2,
     70},
    {"hang-up on hold",
     {{"answered", 10}, {"hold", 20}, {"hung_up", 1820}},
     RP_OK,
     NULL,
     RP_CALL_ENDED,
     10,
     1820,
     1,
     1800,
     0,
     0},
    {"transfer from hold",
     {{"answered", 10}, {"hold", 20}, {"transferred", 25}},
     RP_OK,
     NULL,
     RP_CALL_TRANSFERRED,
     10,
     0,
     1,
     5,
     1},
    {"answered again after a transfer",
     {{"answered", 10}, {"transferred", 20}, {"answered", 40}},
     RP_OK,
     NULL,
     RP_CALL_ANSWERED,
     10,
     0,
     0,
     0,
     1},
    {"transfer in the queue, then hang-up",
     {{"transferred", 20}, {"hung_up", 90}},
     RP_OK,
     NULL,
     RP_CALL_ENDED,
     0,
     90,
     0,
     0,
     1,
     1},
    {"answered twice",
     {{"answered", 10}, {"answered", 20}},
     RP_ECONFLICT,
     "event",
     RP_CALL_ANSWERED,
     10},
    {"hold twice",
     {{"answered", 10}, {"hold", 20}, {"hold", 30}},
     RP_ECONFLICT,
     "event",
     RP_CALL_ON_HOLD,
     10,
     0,
     1,
     0},
    {"resume after a resume",
     {{"answered", 10}, {"hold", 20}, {"resume", 30}, {"resume", 40}},
     RP_ECONFLICT,
     "event",
     RP_CALL_ANSWERED,
     10,
     0,
     1,
     10},
    {"after the hang-up",
     {{"hung_up", 10}, {"answered", 20}},
     RP_ECONFLICT,
     "event",
     RP_CALL_ENDED,
     0,
     10,
     0,
     0,
     0,
     1},
    {"hung up twice",
     {{"hung_up", 10}, {"hung_up", 10}},
     RP_ECONFLICT,
     "event",
     RP_CALL_ENDED,
     0,
     10,
     0,
     0,
     0,
     1},
    {"before the last event",
     {{"answered", 100}, {"hold", 99}},
     RP_EINVALID,
     "at",
     RP_CALL_ANSWERED,
     100},
    {"before the arrival",
     {{"answered", -1}},
     RP_EINVALID,
     "at",
     RP_CALL_QUEUED},
    {"at the same second",
     {{"answered", 10}, {"hold", 10}, {"resume", 10}},
     RP_OK,
     NULL,
     RP_CALL_ANSWERED,
     10,
     0,
     1,
     0},
    {"unknown event", {{"ringing", 10}}, RP_EINVALID, "event", RP_CALL_QUEUED},
};

static void test_step_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof step_cases / sizeof step_cases[0]; i++) {
        const step_case *c = &step_cases[i];
        rp_call_facts f = {0};
        rp_error err = {0};
        rp_code rc = RP_OK;
        for (int k = 0; k < 8 && c->steps[k].event; k++) {
            rc = rp_call_step(&f, c->steps[k].event, c->steps[k].at, &err);
            if (rc)
                break;
        }
        if (rc != c->rc)
            fail_msg("%s: rc %d, expected %d (%s)", c->name, rc, c->rc,
                     err.message);
        if (c->field)
            assert_string_equal(err.field, c->field);
        if (f.state != c->state || f.answered_at != c->answered_at ||
            f.ended_at != c->ended_at || f.holds != c->holds ||
            f.hold_seconds != c->hold_seconds || f.transfers != c->transfers ||
            f.abandoned != c->abandoned)
            fail_msg("%s: state %d answered %lld ended %lld holds %lld hold "
                     "%lld transfers %lld abandoned %d",
                     c->name, f.state, (long long)f.answered_at,
                     (long long)f.ended_at, (long long)f.holds,
                     (long long)f.hold_seconds, (long long)f.transfers,
                     f.abandoned);
    }
}

/* A refusal leaves the facts as they were, and says what may follow. */
static void test_refusal_changes_nothing(void **state)
{
    (void)state;
    rp_call_facts f = {0};
    rp_error err;
    assert_int_equal(rp_call_step(&f, "answered", 10, &err), RP_OK);
    assert_int_equal(rp_call_step(&f, "hold", 20, &err), RP_OK);
    rp_call_facts before = f;
    assert_int_equal(rp_call_step(&f, "answered", 30, &err), RP_ECONFLICT);
    assert_non_null(strstr(err.message, "resume, transferred or hung_up"));
    assert_memory_equal(&f, &before, sizeof f);
    assert_int_equal(rp_call_step(&f, "resume", 5, &err), RP_EINVALID);
    assert_non_null(strstr(err.message, "order they happened"));
    assert_memory_equal(&f, &before, sizeof f);
    /* a hold still running counts to the time asked */
    assert_int_equal(rp_call_hold_seconds(&f, 80), 60);
    assert_int_equal(rp_call_hold_seconds(&f, 20), 0);
}

/* ---- bounds -------------------------------------------------------------- */

typedef struct bound_case {
    int64_t at, max_hours;
    rp_code rc;
    int64_t out; /* when accepted */
} bound_case;

#define NOW 1800000000LL

static const bound_case bound_cases[] = {
    {NOW, 24, RP_OK, NOW},
    {NOW - 1800, 24, RP_OK, NOW - 1800},
    {NOW + 60, 24, RP_OK, NOW}, /* a clock a minute ahead: now */
    {NOW + RP_ARRIVAL_SKEW_SECONDS, 24, RP_OK, NOW},
    {NOW + RP_ARRIVAL_SKEW_SECONDS + 1, 24, RP_EINVALID, 0},
    {NOW + 86400, 24, RP_EINVALID, 0},
    {NOW - 24 * 3600, 24, RP_OK, NOW - 24 * 3600},
    {NOW - 24 * 3600 - 1, 24, RP_EINVALID, 0},
    {NOW - 30 * 3600, 48, RP_OK, NOW - 30 * 3600},
    {NOW - 3601, 1, RP_EINVALID, 0},
    {0, 24, RP_EINVALID, 0},
};

static void test_arrival_bounds(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bound_cases / sizeof bound_cases[0]; i++) {
        const bound_case *c = &bound_cases[i];
        rp_error err = {0};
        int64_t out = -1;
        rp_code rc = rp_arrival_check(c->at, NOW, c->max_hours, "arrived_at",
                                      &out, &err);
        if (rc != c->rc)
            fail_msg("case %zu: rc %d, expected %d", i, rc, c->rc);
        if (rc == RP_OK)
            assert_int_equal(out, c->out);
        else {
            assert_string_equal(err.field, "arrived_at");
            assert_int_equal(out, -1);
        }
    }
    /* a mail's Date: is believed only inside the same bounds */
    static const int64_t mail[][3] = {
        {0, 24, NOW},
        {NOW - 600, 24, NOW - 600},
        {NOW + 600, 24, NOW},
        {NOW - 25 * 3600, 24, NOW},
        {NOW - 25 * 3600, 48, NOW - 25 * 3600},
        {-5, 24, NOW},
    };
    for (size_t i = 0; i < sizeof mail / sizeof mail[0]; i++)
        assert_int_equal(rp_arrival_of_mail(mail[i][0], NOW, mail[i][1]),
                         mail[i][2]);
}

static void test_call_ids(void **state)
{
    (void)state;
    char *long_ok = malloc(252);
    memset(long_ok, 'a', 251);
    long_ok[250] = '\0';
    assert_true(rp_call_id_is_valid(long_ok));
    long_ok[250] = 'a';
    long_ok[251] = '\0';
    assert_false(rp_call_id_is_valid(long_ok));
    free(long_ok);
    static const struct {
        const char *id;
        int ok;
    } ids[] = {
        {"53ba82e2bd6d12d9fb2d3838f0cfb070", 1},
        {"f4ebd2be-7b9a-4d58-94e3-1c2d", 1},
        {"sip:1001@pbx.example.com", 1},
        {"1700000000.42", 1},
        {"", 0},
        {"a/b", 0},
        {"a b", 0},
        {"caf\xc3\xa9", 0},
        {"\xe5\x91\xbc\xe5\x8f\xab", 0},
        {"a%2Fb", 0},
        {"a?b", 0},
    };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (rp_call_id_is_valid(ids[i].id) != ids[i].ok)
            fail_msg("call id \"%s\": expected %d", ids[i].id, ids[i].ok);
}

/* ---- in the store -------------------------------------------------------- */

static int setup(void **state)
{
    rp_test_db *db = calloc(1, sizeof *db);
    rp_test_db_make(db, 1);
    rp_clock_pin(NOW);
    *state = db;
    return 0;
}

static int teardown(void **state)
{
    rp_test_db *db = *state;
    rp_test_db_remove(db);
    free(db);
    return 0;
}

static json_t *arrive(rp_test_db *db, const char *json, rp_code expect,
                      int *created)
{
    json_t *in = json_loads(json, 0, NULL), *out = NULL;
    assert_non_null(in);
    rp_error err = {0};
    int made = -1;
    rp_code rc = rp_call_arrive(&db->ctx, in, &out, &made, &err);
    json_decref(in);
    if (rc != expect)
        fail_msg("arrive %s: rc %d (%s)", json, rc, err.message);
    if (created)
        *created = made;
    return out;
}

static json_t *tell(rp_test_db *db, const char *id, const char *ev, int64_t at,
                    rp_code expect, int *created, const char *field)
{
    char t[RP_TIME_MAX], body[160];
    rp_time_format(at, t);
    snprintf(body, sizeof body, "{\"event\":\"%s\",\"at\":\"%s\"}", ev, t);
    json_t *in = json_loads(body, 0, NULL), *out = NULL;
    rp_error err = {0};
    int made = -1;
    rp_code rc = rp_call_event(&db->ctx, id, in, &out, &made, &err);
    json_decref(in);
    if (rc != expect)
        fail_msg("%s at %s: rc %d (%s)", ev, t, rc, err.message);
    if (field)
        assert_string_equal(err.field, field);
    if (created)
        *created = made;
    return out;
}

static int64_t count(rp_test_db *db, const rp_entity *e)
{
    int64_t n = 0;
    rp_error err;
    assert_int_equal(db->store->ops->count(db->store, e, NULL, 0, &n, &err),
                     RP_OK);
    return n;
}

static json_t *encounter_of(rp_test_db *db, json_t *call)
{
    json_t *e = NULL;
    rp_error err;
    assert_int_equal(
        rp_encounter_get(
            &db->ctx, json_integer_value(json_object_get(call, "encounter_id")),
            &e, &err),
        RP_OK);
    return e;
}

static void test_store_idempotent(void **state)
{
    rp_test_db *db = *state;
    int created = -1;
    char body[256], t[RP_TIME_MAX];
    rp_time_format(NOW - 600, t);
    snprintf(body, sizeof body,
             "{\"call_id\":\"c-1\",\"from\":\"+34 600 100 200\","
             "\"arrived_at\":\"%s\"}",
             t);
    json_t *call = arrive(db, body, RP_OK, &created);
    assert_int_equal(created, 1);
    int64_t encounters = count(db, &RP_ENTITY_ENCOUNTER);
    int64_t customers = count(db, &RP_ENTITY_CUSTOMER);
    json_t *again = arrive(db, body, RP_OK, &created);
    assert_int_equal(created, 0);
    assert_true(json_equal(json_object_get(call, "encounter_id"),
                           json_object_get(again, "encounter_id")));
    assert_int_equal(count(db, &RP_ENTITY_ENCOUNTER), encounters);
    assert_int_equal(count(db, &RP_ENTITY_CUSTOMER), customers);
    json_decref(again);
    /* a second call from the same number is the same customer */
    json_t *second = arrive(
        db, "{\"call_id\":\"c-2\",\"from\":\"+34600100200\"}", RP_OK, &created);
    assert_int_equal(created, 1);
    assert_true(json_equal(json_object_get(call, "customer_id"),
                           json_object_get(second, "customer_id")));
    json_decref(second);

    json_decref(tell(db, "c-1", "answered", NOW - 480, RP_OK, &created, NULL));
    assert_int_equal(created, 1);
    int64_t moments = count(db, &RP_ENTITY_MOMENT);
    json_t *r = tell(db, "c-1", "answered", NOW - 480, RP_OK, &created, NULL);
    assert_int_equal(created, 0);
    assert_int_equal(count(db, &RP_ENTITY_MOMENT), moments);
    assert_int_equal(json_array_size(json_object_get(r, "events")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(r, "queue_wait_seconds")), 120);
    json_decref(r);
    /* the encounter was acknowledged at the answer */
    json_t *e = encounter_of(db, call);
    rp_time_format(NOW - 480, t);
    assert_string_equal(
        json_string_value(json_object_get(e, "acknowledged_at")), t);
    json_decref(e);

    /* refusals write nothing: out of order, after the limit, unknown */
    tell(db, "c-1", "hold", NOW - 500, RP_EINVALID, NULL, "at");
    tell(db, "c-1", "hold", NOW - 25 * 3600, RP_EINVALID, NULL, "at");
    tell(db, "c-1", "hold", NOW + 3600, RP_EINVALID, NULL, "at");
    tell(db, "nobody", "hold", NOW, RP_ENOTFOUND, NULL, "call_id");
    assert_int_equal(count(db, &RP_ENTITY_MOMENT), moments);

    json_decref(tell(db, "c-1", "hold", NOW - 400, RP_OK, NULL, NULL));
    /* a hold still running counts to now */
    r = tell(db, "c-1", "hold", NOW - 400, RP_OK, &created, NULL);
    assert_int_equal(created, 0);
    assert_int_equal(json_integer_value(json_object_get(r, "hold_seconds")),
                     400);
    json_decref(r);
    r = tell(db, "c-1", "hung_up", NOW - 100, RP_OK, NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(r, "hold_seconds")),
                     300);
    assert_false(json_is_true(json_object_get(r, "abandoned")));
    json_decref(r);
    /* answered before the hang-up: the encounter is still the agent's */
    e = encounter_of(db, call);
    assert_string_equal(json_string_value(json_object_get(e, "stage")),
                        "received");
    json_decref(e);

    /* the unanswered one: abandoned as of the hang-up */
    r = tell(db, "c-2", "hung_up", NOW, RP_OK, NULL, NULL);
    assert_true(json_is_true(json_object_get(r, "abandoned")));
    e = encounter_of(db, r);
    assert_string_equal(json_string_value(json_object_get(e, "stage")),
                        "abandoned");
    rp_time_format(NOW, t);
    assert_string_equal(json_string_value(json_object_get(e, "abandoned_at")),
                        t);
    json_decref(e);
    json_decref(r);

    /* the metrics of the window */
    rp_window w = {.from = NOW - 3600, .to = NOW + 1};
    json_t *m = NULL;
    rp_error err;
    assert_int_equal(rp_metrics_service(&db->ctx, &w, &m, &err), RP_OK);
    json_t *tel = json_object_get(m, "telephony");
    assert_int_equal(json_integer_value(json_object_get(tel, "calls")), 2);
    assert_int_equal(json_integer_value(json_object_get(tel, "answered")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(tel, "abandoned_in_queue")), 1);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(tel, "hold"), "total_seconds")),
                     300);
    json_decref(m);
    json_decref(call);
}

static void test_store_refusals(void **state)
{
    rp_test_db *db = *state;
    int64_t encounters = count(db, &RP_ENTITY_ENCOUNTER);
    char t[RP_TIME_MAX], body[1200];
    rp_time_format(NOW + 3600, t);
    snprintf(body, sizeof body,
             "{\"call_id\":\"c-f\",\"from\":\"+34600\",\"arrived_at\":\"%s\"}",
             t);
    json_decref(arrive(db, body, RP_EINVALID, NULL));
    json_decref(arrive(db, "{\"call_id\":\"c f\",\"from\":\"+34600\"}",
                       RP_EINVALID, NULL));
    json_decref(arrive(db,
                       "{\"call_id\":\"c-q\",\"from\":\"+34600\","
                       "\"queue_id\":999}",
                       RP_EINVALID, NULL));
    /* names counted in characters: 200 accented, CJK or emoji are taken,
     * 201 are not */
    static const char *const units[] = {"\xc3\xa9", "\xe5\x90\x8d",
                                        "\xf0\x9f\x93\x9e", "e\xcc\x81"};
    for (size_t u = 0; u < 4; u++) {
        for (int n = 200; n <= 201; n++) {
            rp_buf name = RP_BUF_INIT;
            /* e + combining accent is 2 characters */
            int units_n = u == 3 ? n / 2 : n;
            for (int k = 0; k < units_n; k++)
                rp_buf_puts(&name, units[u]);
            if (u == 3 && n % 2)
                rp_buf_puts(&name, "e");
            snprintf(body, sizeof body,
                     "{\"call_id\":\"n-%zu-%d\",\"from\":\"anonymous\","
                     "\"caller_name\":\"%s\"}",
                     u, n, rp_buf_str(&name));
            rp_buf_free(&name);
            rp_code expect = n == 200 ? RP_OK : RP_EINVALID;
            json_decref(arrive(db, body, expect, NULL));
            if (expect == RP_OK)
                encounters++;
        }
    }
    /* invalid UTF-8 is refused */
    json_t *in = json_pack("{s:s, s:s}", "call_id", "bad", "from", "anonymous");
    json_object_set_new(in, "caller_name", json_stringn_nocheck("x\xff", 2));
    json_t *out = NULL;
    rp_error err;
    int created;
    assert_int_not_equal(rp_call_arrive(&db->ctx, in, &out, &created, &err),
                         RP_OK);
    json_decref(in);
    assert_int_equal(count(db, &RP_ENTITY_ENCOUNTER), encounters);
}

/* A mail is waiting since its Date: when that can be believed. */
static void test_mail_arrival(void **state)
{
    rp_test_db *db = *state;
    static const struct {
        int64_t sent_at, arrived_at;
    } cases[] = {
        {NOW - 3600, NOW - 3600}, /* an hour in the mailbox */
        {NOW + 600, NOW},         /* a sender's clock ahead */
        {NOW - 30 * 3600, NOW},   /* older than the desk takes */
        {0, NOW},                 /* no Date: */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char mid[64], from[64];
        snprintf(mid, sizeof mid, "arrival-%zu@example.com", i);
        snprintf(from, sizeof from, "writer%zu@example.com", i);
        rp_inbound_mail m = {.channel = "email",
                             .from_address = from,
                             .subject = "The kettle",
                             .text = "It does not heat.",
                             .message_id = mid,
                             .sent_at = cases[i].sent_at};
        json_t *out = NULL, *e = NULL;
        rp_error err;
        assert_int_equal(rp_conversation_receive(&db->ctx, &m, &out, &err),
                         RP_OK);
        assert_int_equal(rp_encounter_get(&db->ctx,
                                          json_integer_value(json_object_get(
                                              out, "encounter_id")),
                                          &e, &err),
                         RP_OK);
        char want[RP_TIME_MAX];
        rp_time_format(cases[i].arrived_at, want);
        assert_string_equal(json_string_value(json_object_get(e, "arrived_at")),
                            want);
        json_decref(e);
        json_decref(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_table),
        cmocka_unit_test(test_refusal_changes_nothing),
        cmocka_unit_test(test_arrival_bounds),
        cmocka_unit_test(test_call_ids),
        cmocka_unit_test_setup_teardown(test_store_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mail_arrival, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
