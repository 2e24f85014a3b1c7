/*
 * test_next_day.c - the next-day satisfaction check, end to end through a
 * real rapportd running in Europe/Madrid: an encounter closed with no check
 * gets one by itself for the next working day at 10:00 local time; none
 * for a customer with no email or phone, or who withdrew consent, or when
 * the agent gave a reason to skip; and the agent moves it (API and CLI).
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int start(void **state)
{
    rp_srv *s = calloc(1, sizeof *s);
    rp_srv_init(s);
    snprintf(s->extra_env, sizeof s->extra_env, "TZ=Europe/Madrid");
    rp_srv_start(s);
    *state = s;
    return 0;
}

static int stop(void **state)
{
    rp_srv *s = *state;
    rp_srv_stop(s);
    rp_srv_cleanup(s);
    free(s);
    return 0;
}

static json_int_t post_id(rp_srv *s, const char *path, const char *body)
{
    json_t *r = rp_callf(s, "POST", path, 201, body);
    json_int_t id = json_integer_value(json_object_get(r, "id"));
    json_decref(r);
    return id;
}

/* A customer from body, and an encounter of theirs taken to "kept". */
static json_int_t kept_encounter(rp_srv *s, const char *customer,
                                 json_int_t *cid)
{
    char body[200], path[96];
    *cid = post_id(s, "/api/v1/customers", customer);
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"in_person\","
             "\"subject\":\"A new kettle\"}",
             (long long)*cid);
    json_int_t e = post_id(s, "/api/v1/encounters", body);
    snprintf(path, sizeof path, "/api/v1/encounters/%lld", (long long)e);
    char sub[128];
    snprintf(sub, sizeof sub, "%s/acknowledge", path);
    json_decref(rp_callf(s, "POST", sub, 200, "{}"));
    snprintf(sub, sizeof sub, "%s/advance", path);
    json_decref(rp_callf(s, "POST", sub, 200,
                         "{\"to\":\"understood\",\"facts\":\"Kettle broke\"}"));
    json_decref(rp_callf(s, "POST", sub, 200,
                         "{\"to\":\"helped\",\"agreement\":\"A new one\"}"));
    json_decref(rp_callf(s, "POST", sub, 200, "{\"to\":\"kept\"}"));
    return e;
}

static json_t *close_plain(rp_srv *s, json_int_t e, const char *extra)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/advance",
             (long long)e);
    return rp_callf(s, "POST", path, 200, extra);
}

/* The encounter's satisfaction_check tasks (new array). */
static json_t *checks_of(rp_srv *s, json_int_t cid)
{
    char path[96];
    snprintf(path, sizeof path,
             "/api/v1/tasks?customer_id=%lld&limit=50&view=full",
             (long long)cid);
    json_t *r = rp_call(s, "GET", path, NULL, 200), *out = json_array(), *t;
    size_t i;
    json_array_foreach(json_object_get(r, "items"), i, t)
        if (!strcmp(str(t, "kind"), "satisfaction_check"))
            json_array_append(out, t);
    json_decref(r);
    return out;
}

static void test_close_schedules_next_working_day(void **state)
{
    rp_srv *s = *state;
    json_int_t cid;
    json_int_t e = kept_encounter(
        s, "{\"name\":\"Lucía Pérez\",\"emails\":[\"lucia@example.com\"]}",
        &cid);
    int64_t before = time(NULL);
    json_t *closed = close_plain(s, e, "{\"to\":\"closed\"}");
    assert_string_equal(str(closed, "stage"), "closed");
    assert_true(
        json_is_null(json_object_get(closed, "satisfaction_skip_reason")));
    json_decref(closed);
    json_t *checks = checks_of(s, cid);
    assert_int_equal(json_array_size(checks), 1);
    json_t *t = json_array_get(checks, 0);
    assert_string_equal(str(t, "status"), "scheduled");
    char key[64];
    snprintf(key, sizeof key, "satisfaction_check:%lld:1", (long long)e);
    assert_string_equal(str(t, "idempotency_key"), key);
    int64_t due;
    assert_int_equal(rp_time_parse(str(t, "due_at"), &due), 0);
    json_int_t task = json_integer_value(json_object_get(t, "id"));
    json_decref(checks);

    /* 10:00 in Madrid, on a weekday, the first working day after today */
    setenv("TZ", "Europe/Madrid", 1);
    tzset();
    time_t tt = (time_t)due, now = (time_t)before;
    struct tm d, n;
    localtime_r(&tt, &d);
    localtime_r(&now, &n);
    assert_int_equal(d.tm_hour, 10);
    assert_int_equal(d.tm_min, 0);
    assert_true(d.tm_wday >= 1 && d.tm_wday <= 5);
    /* whole local days from today to the due day: noon to noon */
    struct tm a = n, b = d;
    a.tm_hour = b.tm_hour = 12;
    a.tm_min = b.tm_min = a.tm_sec = b.tm_sec = 0;
    a.tm_isdst = b.tm_isdst = -1;
    long days = (long)((difftime(mktime(&b), mktime(&a)) + 43200) / 86400);
    long want = n.tm_wday == 5 ? 3 : n.tm_wday == 6 ? 2 : 1;
    assert_int_equal(days, want);
    unsetenv("TZ");
    tzset();

    /* the close's moment says a check was scheduled; so does its own */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments?limit=20",
             (long long)cid);
    json_t *m = rp_call(s, "GET", path, NULL, 200), *it;
    size_t i;
    int scheduled = 0, closed_says = 0;
    json_array_foreach(json_object_get(m, "items"), i, it) {
        if (!strcmp(str(it, "kind"), "satisfaction.scheduled"))
            scheduled += strstr(str(it, "summary"), "next working day") != NULL;
        if (!strcmp(str(it, "kind"), "encounter.closed"))
            closed_says += strstr(str(it, "summary"), "check scheduled") !=
                           NULL;
    }
    json_decref(m);
    assert_int_equal(scheduled, 1);
    assert_int_equal(closed_says, 1);

    /* the agent moves it: not into the past, a day later through the API,
     * then by the CLI */
    snprintf(path, sizeof path, "/api/v1/tasks/%lld/move", (long long)task);
    json_t *r = rp_callf(s, "POST", path, 422,
                         "{\"due_at\":\"2020-01-01T10:00:00Z\"}");
    assert_string_equal(str(json_object_get(r, "error"), "field"), "due_at");
    json_decref(r);
    char when[RP_TIME_MAX], body[128];
    rp_time_format(due + 86400, when);
    snprintf(body, sizeof body,
             "{\"due_at\":\"%s\",\"reason\":\"She is away on Monday\"}", when);
    r = rp_callf(s, "POST", path, 200, body);
    assert_string_equal(str(r, "due_at"), when);
    json_decref(r);
    char *out = NULL, idtext[32];
    snprintf(idtext, sizeof idtext, "%lld", (long long)task);
    rp_time_format(due + 2 * 86400, when);
    assert_int_equal(rp_cli(s, &out, "encounter", "move-task", idtext, "--due",
                            when, "--json", NULL),
                     0);
    json_t *j = json_loads(out, 0, NULL);
    free(out);
    assert_string_equal(str(j, "due_at"), when);
    json_decref(j);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments?limit=5",
             (long long)cid);
    m = rp_call(s, "GET", path, NULL, 200);
    json_t *newest = json_array_get(json_object_get(m, "items"), 0);
    assert_string_equal(str(newest, "kind"), "satisfaction_check.moved");
    assert_non_null(strstr(str(newest, "summary"), "Satisfaction check moved"));
    json_decref(m);
    /* a follow-up done is not moved */
    snprintf(path, sizeof path, "/api/v1/tasks/%lld/complete", (long long)task);
    json_decref(rp_callf(s, "POST", path, 200, "{}"));
    snprintf(path, sizeof path, "/api/v1/tasks/%lld/move", (long long)task);
    r = rp_callf(s, "POST", path, 409, body);
    assert_string_equal(str(json_object_get(r, "error"), "field"), "status");
    json_decref(r);
}

static void test_no_check_when_unreachable_or_refused(void **state)
{
    rp_srv *s = *state;
    json_int_t cid;
    /* no email, no phone: the close says why, and schedules nothing */
    json_int_t e = kept_encounter(s, "{\"name\":\"Walk-in\"}", &cid);
    json_t *closed = close_plain(s, e, "{\"to\":\"closed\"}");
    assert_non_null(strstr(str(closed, "satisfaction_skip_reason"),
                           "no email address or phone number"));
    json_decref(closed);
    json_t *checks = checks_of(s, cid);
    assert_int_equal(json_array_size(checks), 0);
    json_decref(checks);

    /* consent to be contacted about the service withdrawn */
    e = kept_encounter(
        s, "{\"name\":\"Jordi Puig\",\"phones\":[\"+34 600 000 001\"]}", &cid);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/consents",
             (long long)cid);
    json_decref(rp_callf(s, "POST", path, 201,
                         "{\"purpose\":\"service\",\"granted\":false}"));
    closed = close_plain(s, e, "{\"to\":\"closed\"}");
    assert_non_null(
        strstr(str(closed, "satisfaction_skip_reason"), "not consented"));
    json_decref(closed);
    checks = checks_of(s, cid);
    assert_int_equal(json_array_size(checks), 0);
    json_decref(checks);

    /* the agent's reason to skip is kept, and nothing is scheduled */
    e = kept_encounter(
        s, "{\"name\":\"Marta Gil\",\"emails\":[\"marta@example.com\"]}", &cid);
    closed = close_plain(s, e,
                         "{\"to\":\"closed\",\"satisfaction_skip_reason\":"
                         "\"She asked not to be called\"}");
    assert_string_equal(str(closed, "satisfaction_skip_reason"),
                        "She asked not to be called");
    json_decref(closed);
    checks = checks_of(s, cid);
    assert_int_equal(json_array_size(checks), 0);
    json_decref(checks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_close_schedules_next_working_day,
                                        start, stop),
        cmocka_unit_test_setup_teardown(
            test_no_check_when_unreachable_or_refused, start, stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
