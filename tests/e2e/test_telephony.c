/*
 * test_telephony.c - a phone system tells a real rapportd about its calls
 * (POST /api/v1/telephony/calls and .../events, with a token limited to
 * the "telephony" resource), and the waits count from when the customer
 * arrived.
 *
 *   - Hold time: a call arrives 20 minutes ago, is answered 2 minutes
 *     later, held twice (5 and 3 minutes) and hung up: the call reports
 *     8 minutes of hold on 2 holds and a queue wait of 2 minutes; its
 *     encounter was acknowledged at the answer, its wait counts from the
 *     arrival (not from when it was typed in); retried arrivals and
 *     events change nothing; an event out of order, one that cannot
 *     follow the call's state and one in the future are refused naming
 *     the field; the service metrics and `rapport report` count it.
 *   - Seed 003, the thirty-minute call: a minute of menu, thirty minutes
 *     of music, then the caller hangs up unanswered: the encounter is
 *     abandoned, saying after how long, the full 31-minute wait is
 *     measured from the arrival, the acknowledgement target is breached
 *     and the metrics count a call abandoned in the queue.
 *   - Arrival bounds: an encounter opened by the API or the CLI with the
 *     time the customer arrived, refused in the future or further back
 *     than the desk's arrival_max_hours, accepted once the desk allows
 *     more; shown in the work list and the encounter.
 *   - A token without the "telephony" resource is refused, and the
 *     telephony token reads nothing else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "core/rapport.h"

static int setup(void **state)
{
    rp_srv *s = calloc(1, sizeof *s);
    rp_srv_init(s);
    setenv("RAPPORT_SCHEDULER_INTERVAL", "0", 1);
    rp_srv_start(s);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    rp_srv *s = *state;
    rp_srv_cleanup(s);
    unsetenv("RAPPORT_SCHEDULER_INTERVAL");
    free(s);
    return 0;
}

/* now + delta seconds as RFC 3339, into out. */
static const char *when(int64_t t, char out[RP_TIME_MAX])
{
    rp_time_format(t, out);
    return out;
}

/* A token for the admin limited by the --scope given, made with the CLI. */
static void scoped_token(rp_srv *s, const char *scope, char *tok, size_t n)
{
    char *out = NULL, agent[32];
    snprintf(agent, sizeof agent, "%lld", s->admin_id);
    assert_int_equal(rp_cli(s, &out, "token", "create", "--agent", agent,
                            "--name", scope, "--scope", scope, NULL),
                     0);
    out[strcspn(out, "\n")] = '\0';
    snprintf(tok, n, "%s", out);
    free(out);
}

/* Send method path body (a JSON text or NULL) as token; the reply in *h. */
static void send_as(rp_srv *s, const char *token, const char *method,
                    const char *path, const char *body, rp_http *h)
{
    char saved[sizeof s->token], use[sizeof s->token];
    snprintf(use, sizeof use, "%s", token); /* token may be s->token */
    memcpy(saved, s->token, sizeof saved);
    memcpy(s->token, use, sizeof use);
    rp_http_send(s, method, path, body ? "application/json" : NULL, body,
                 body ? strlen(body) : 0, NULL, h);
    memcpy(s->token, saved, sizeof saved);
}

/* Tell event ev of call id at time t as token; expect status; the call. */
static json_t *tell(rp_srv *s, const char *token, const char *id,
                    const char *ev, int64_t t, const char *extra, long status)
{
    char path[128], body[256], at[RP_TIME_MAX];
    snprintf(path, sizeof path, "/api/v1/telephony/calls/%s/events", id);
    snprintf(body, sizeof body, "{\"event\":\"%s\",\"at\":\"%s\"%s}", ev,
             when(t, at), extra ? extra : "");
    rp_http h;
    send_as(s, token, "POST", path, body, &h);
    if (h.status != status)
        fail_msg("%s at %s: %ld, expected %ld: %s", ev, at, h.status, status,
                 h.body);
    json_t *r = json_incref(h.json);
    rp_http_free(&h);
    return r;
}

static long long num(json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

static json_t *encounter(rp_srv *s, long long id)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld", id);
    return rp_call(s, "GET", path, NULL, 200);
}

static void test_hold_time(void **state)
{
    rp_srv *s = *state;
    char pbx[160], at[RP_TIME_MAX], body[512];
    scoped_token(s, "telephony", pbx, sizeof pbx);
    int64_t now = (int64_t)time(NULL), arrived = now - 20 * 60;
    snprintf(body, sizeof body,
             "{\"call_id\":\"pbx-1001\",\"from\":\"+34 600 100 200\","
             "\"caller_name\":\"Jos\xc3\xa9 Mar\xc3\xad"
             "a\","
             "\"arrived_at\":\"%s\"}",
             when(arrived, at));
    rp_http h;
    send_as(s, pbx, "POST", "/api/v1/telephony/calls", body, &h);
    assert_int_equal(h.status, 201);
    json_t *call = json_incref(h.json);
    rp_http_free(&h);
    assert_string_equal(json_string_value(json_object_get(call, "state")),
                        "queued");
    long long eid = num(call, "encounter_id"), cid = num(call, "customer_id");
    assert_true(eid > 0 && cid > 0);
    /* the phone system retries the arrival: the same call, nothing new */
    long encounters = rp_list_count(s, "/api/v1/encounters");
    send_as(s, pbx, "POST", "/api/v1/telephony/calls", body, &h);
    assert_int_equal(h.status, 200);
    assert_int_equal(num(h.json, "encounter_id"), eid);
    rp_http_free(&h);
    assert_int_equal(rp_list_count(s, "/api/v1/encounters"), encounters);
    json_decref(call);

    json_decref(tell(s, pbx, "pbx-1001", "answered", arrived + 120, NULL, 201));
    /* told again (a retry): recorded once */
    json_decref(tell(s, pbx, "pbx-1001", "answered", arrived + 120, NULL, 200));
    /* before the last event: refused naming at */
    snprintf(body, sizeof body, "{\"event\":\"hold\",\"at\":\"%s\"}",
             when(arrived + 60, at));
    send_as(s, pbx, "POST", "/api/v1/telephony/calls/pbx-1001/events", body,
            &h);
    rp_assert_error(&h, 422, "invalid", "at");
    rp_http_free(&h);
    /* a resume with no hold cannot follow an answer */
    snprintf(body, sizeof body, "{\"event\":\"resume\",\"at\":\"%s\"}",
             when(arrived + 200, at));
    send_as(s, pbx, "POST", "/api/v1/telephony/calls/pbx-1001/events", body,
            &h);
    rp_assert_error(&h, 409, "conflict", "event");
    rp_http_free(&h);
    /* in the future */
    snprintf(body, sizeof body, "{\"event\":\"hold\",\"at\":\"%s\"}",
             when(now + 3600, at));
    send_as(s, pbx, "POST", "/api/v1/telephony/calls/pbx-1001/events", body,
            &h);
    rp_assert_error(&h, 422, "invalid", "at");
    rp_http_free(&h);

    json_decref(tell(s, pbx, "pbx-1001", "hold", now - 15 * 60, NULL, 201));
    json_decref(tell(s, pbx, "pbx-1001", "resume", now - 10 * 60, NULL, 201));
    json_decref(tell(s, pbx, "pbx-1001", "hold", now - 8 * 60, NULL, 201));
    json_decref(tell(s, pbx, "pbx-1001", "resume", now - 5 * 60, NULL, 201));
    json_decref(tell(s, pbx, "pbx-1001", "resume", now - 5 * 60, NULL, 200));
    call = tell(s, pbx, "pbx-1001", "hung_up", now - 60, NULL, 201);
    assert_string_equal(json_string_value(json_object_get(call, "state")),
                        "ended");
    assert_int_equal(num(call, "hold_seconds"), 8 * 60);
    assert_int_equal(num(call, "holds"), 2);
    assert_int_equal(num(call, "queue_wait_seconds"), 120);
    assert_false(json_is_true(json_object_get(call, "abandoned")));
    assert_int_equal(json_array_size(json_object_get(call, "events")), 6);
    json_decref(call);
    /* after the hang-up nothing follows */
    json_decref(tell(s, pbx, "pbx-1001", "hold", now, NULL, 409));
    /* the telephony token reads nothing else */
    send_as(s, pbx, "GET", "/api/v1/customers", NULL, &h);
    assert_int_equal(h.status, 403);
    rp_http_free(&h);

    /* the encounter: acknowledged at the answer, waits from the arrival */
    json_t *e = encounter(s, eid);
    int64_t ack = 0, arr = 0, created = 0;
    assert_int_equal(
        rp_time_parse(json_string_value(json_object_get(e, "acknowledged_at")),
                      &ack),
        0);
    assert_int_equal(
        rp_time_parse(json_string_value(json_object_get(e, "arrived_at")),
                      &arr),
        0);
    assert_int_equal(
        rp_time_parse(json_string_value(json_object_get(e, "created_at")),
                      &created),
        0);
    assert_int_equal(ack, arrived + 120);
    assert_int_equal(arr, arrived);
    assert_true(created >= now - 5);
    json_t *m = json_object_get(e, "measures");
    assert_int_equal(num(m, "queue_wait_seconds"), 120);
    assert_string_equal(json_string_value(json_object_get(e, "channel")),
                        "phone");
    json_decref(e);

    /* the customer was made from the number, unconfirmed */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/customers/%lld", cid);
    json_t *c = rp_call(s, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(c, "name")),
                        "Jos\xc3\xa9 Mar\xc3\xad"
                        "a");
    json_decref(c);

    json_t *metrics = rp_call(s, "GET", "/api/v1/metrics/service", NULL, 200);
    json_t *t = json_object_get(metrics, "telephony");
    assert_int_equal(num(t, "calls"), 1);
    assert_int_equal(num(t, "answered"), 1);
    assert_int_equal(num(t, "abandoned_in_queue"), 0);
    json_t *hold = json_object_get(t, "hold");
    assert_int_equal(num(hold, "total_seconds"), 480);
    assert_int_equal(num(hold, "holds"), 2);
    assert_int_equal(num(hold, "calls_held"), 1);
    assert_int_equal(num(hold, "max_per_call_seconds"), 480);
    assert_true(json_number_value(json_object_get(
                    hold, "average_per_answered_call_seconds")) == 480.0);
    assert_true(
        json_number_value(json_object_get(json_object_get(t, "time_to_answer"),
                                          "average_seconds")) == 120.0);
    json_decref(metrics);

    char *out = NULL;
    assert_int_equal(rp_cli(s, &out, "report", NULL), 0);
    assert_non_null(strstr(out, "Phone calls"));
    assert_non_null(strstr(out, "hold time, total"));
    assert_non_null(strstr(out, "8m 00s"));
    free(out);
}

static void test_thirty_minute_call(void **state)
{
    rp_srv *s = *state;
    char pbx[160], at[RP_TIME_MAX], body[256];
    scoped_token(s, "telephony", pbx, sizeof pbx);
    int64_t now = (int64_t)time(NULL), arrived = now - 31 * 60;
    snprintf(body, sizeof body,
             "{\"call_id\":\"seed-003\",\"from\":\"+48 22 555 01 03\","
             "\"arrived_at\":\"%s\"}",
             when(arrived, at));
    rp_http h;
    send_as(s, pbx, "POST", "/api/v1/telephony/calls", body, &h);
    assert_int_equal(h.status, 201);
    long long eid = num(h.json, "encounter_id");
    rp_http_free(&h);
    /* a minute of pressing keys, thirty of music, then the hang-up */
    json_t *call = tell(s, pbx, "seed-003", "hung_up", now, NULL, 201);
    assert_true(json_is_true(json_object_get(call, "abandoned")));
    assert_int_equal(num(call, "queue_wait_seconds"), 31 * 60);
    json_decref(call);
    json_decref(tell(s, pbx, "seed-003", "hung_up", now, NULL, 200));

    json_t *e = encounter(s, eid);
    assert_string_equal(json_string_value(json_object_get(e, "stage")),
                        "abandoned");
    const char *reason = json_string_value(
        json_object_get(e, "abandon_reason"));
    assert_non_null(strstr(reason, "31 min"));
    json_t *m = json_object_get(e, "measures");
    assert_true(json_is_true(json_object_get(m, "abandoned")));
    assert_int_equal(num(m, "queue_wait_seconds"), 31 * 60);
    json_t *ackj = json_object_get(json_object_get(m, "charter"),
                                   "acknowledge");
    assert_true(json_is_true(json_object_get(ackj, "breached")));
    assert_int_equal(num(ackj, "calendar_seconds"), 31 * 60);
    json_decref(e);

    /* the breach report counts from the arrival too */
    json_t *b = rp_call(s, "GET", "/api/v1/charter/breaches", NULL, 200);
    size_t i;
    json_t *item;
    int found = 0;
    json_array_foreach(json_object_get(b, "items"), i, item)
        if (num(item, "encounter_id") == eid &&
            !strcmp(json_string_value(json_object_get(item, "target")),
                    "acknowledge")) {
            found = 1;
            assert_int_equal(num(item, "actual_seconds"), 31 * 60);
        }
    assert_true(found);
    json_decref(b);

    json_t *metrics = rp_call(s, "GET", "/api/v1/metrics/service", NULL, 200);
    json_t *t = json_object_get(metrics, "telephony");
    assert_int_equal(num(t, "abandoned_in_queue"), 1);
    assert_true(json_number_value(json_object_get(t, "abandonment_rate")) ==
                1.0);
    assert_int_equal(num(json_object_get(t, "time_to_abandon"), "max_seconds"),
                     31 * 60);
    assert_int_equal(num(json_object_get(metrics, "wait"), "max_seconds"),
                     31 * 60);
    json_decref(metrics);
}

static void test_arrival_bounds(void **state)
{
    rp_srv *s = *state;
    char at[RP_TIME_MAX], body[256];
    json_t *c = rp_callf(s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Walk-in\"}");
    long long cid = num(c, "id");
    json_decref(c);
    int64_t now = (int64_t)time(NULL);
    rp_http h;
    /* in the future, beyond the allowance for clocks */
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"email\",\"subject\":\"x\","
             "\"arrived_at\":\"%s\"}",
             cid, when(now + 3600, at));
    send_as(s, s->token, "POST", "/api/v1/encounters", body, &h);
    rp_assert_error(&h, 422, "invalid", "arrived_at");
    assert_non_null(strstr(h.body, "future"));
    rp_http_free(&h);
    /* further back than the desk's 24 hours */
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"email\",\"subject\":\"x\","
             "\"arrived_at\":\"%s\"}",
             cid, when(now - 30 * 3600, at));
    send_as(s, s->token, "POST", "/api/v1/encounters", body, &h);
    rp_assert_error(&h, 422, "invalid", "arrived_at");
    assert_non_null(strstr(h.body, "arrival_max_hours"));
    rp_http_free(&h);
    /* not a time */
    send_as(s, s->token, "POST", "/api/v1/encounters",
            "{\"customer_id\":1,\"channel\":\"email\",\"subject\":\"x\","
            "\"arrived_at\":\"yesterday\"}",
            &h);
    rp_assert_error(&h, 422, "invalid", "arrived_at");
    rp_http_free(&h);
    /* the desk allows 48 hours: 30 hours back is taken */
    json_decref(rp_callf(s, "PUT", "/api/v1/conversation/settings", 200,
                         "{\"arrival_max_hours\":48}"));
    send_as(s, s->token, "POST", "/api/v1/encounters", body, &h);
    assert_int_equal(h.status, 201);
    long long eid = num(h.json, "id");
    rp_http_free(&h);
    json_t *e = encounter(s, eid);
    json_t *m = json_object_get(e, "measures");
    assert_true(num(m, "queue_wait_seconds") >= 30 * 3600);
    assert_true(json_is_true(json_object_get(m, "waiting")));
    json_decref(e);
    /* the work list shows when the customer arrived */
    json_t *list = rp_call(
        s, "GET", "/api/v1/encounters?sort=waiting&state=open", NULL, 200);
    json_t *first = json_array_get(json_object_get(list, "items"), 0);
    assert_int_equal(num(first, "id"), eid);
    assert_string_equal(json_string_value(json_object_get(first, "arrived_at")),
                        at);
    json_decref(list);

    /* the CLI: rapport encounter open --arrived */
    char *out = NULL, cus[32];
    snprintf(cus, sizeof cus, "%lld", cid);
    assert_int_equal(rp_cli(s, &out, "encounter", "open", "--customer", cus,
                            "--channel", "phone", "--subject", "On hold",
                            "--arrived", when(now - 600, at), "--json", NULL),
                     0);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "arrived_at")),
                        at);
    json_decref(j);
    free(out);
    assert_int_equal(rp_cli(s, &out, "encounter", "open", "--customer", cus,
                            "--channel", "phone", "--subject", "Later",
                            "--arrived", when(now + 7200, at), NULL),
                     3);
    free(out);
}

static void test_token_without_telephony(void **state)
{
    rp_srv *s = *state;
    char tok[160];
    scoped_token(s, "customers", tok, sizeof tok);
    rp_http h;
    send_as(s, tok, "POST", "/api/v1/telephony/calls",
            "{\"call_id\":\"c-1\",\"from\":\"+34600000001\"}", &h);
    assert_int_equal(h.status, 403);
    rp_http_free(&h);
    send_as(s, tok, "GET", "/api/v1/telephony/calls/c-1", NULL, &h);
    assert_int_equal(h.status, 403);
    rp_http_free(&h);
    assert_int_equal(rp_db_count(s, "telephony_calls"), 0);
    /* a call id that cannot go in a path is refused naming it */
    send_as(s, s->token, "POST", "/api/v1/telephony/calls",
            "{\"call_id\":\"a/b\",\"from\":\"+34600000001\"}", &h);
    rp_assert_error(&h, 422, "invalid", "call_id");
    rp_http_free(&h);
    send_as(s, s->token, "GET", "/api/v1/telephony/calls/unknown-call", NULL,
            &h);
    rp_assert_error(&h, 404, "not_found", "call_id");
    rp_http_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hold_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thirty_minute_call, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_arrival_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_without_telephony, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
