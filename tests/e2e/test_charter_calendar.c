/*
 * test_charter_calendar.c - the charter's clocks run in business hours,
 * and a change of the charter applies from the moment it is made, with a
 * real rapportd and the scheduler run at chosen times through the API (its
 * own scheduler thread turned off, so only those runs judge).
 *
 *   - An email to a queue open Monday to Friday, 9 to 17 in Europe/Madrid,
 *     received on Friday at 18:00 with the default acknowledgement target
 *     of 5 minutes: not overdue on Saturday, nor on Monday at 09:04:59;
 *     overdue just after 09:05 Madrid time, recorded once however often
 *     the scheduler runs.  rapportd's clock cannot be set, so the email is
 *     received now and its received time moved to that Friday in the
 *     database while rapportd is stopped (the deadlines are computed at
 *     the first look after that, as they would be on the Friday).
 *   - A change of the acknowledgement target from 5 minutes to an hour in
 *     the middle of the week: an encounter received before keeps 5
 *     minutes, one received after gets the hour, and the breach counted
 *     before the change is still counted after it (the breach report is
 *     read at rapportd's real time, so what has happened is moved back
 *     half an hour in the database, rapportd stopped, rather than
 *     waited for).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static int64_t at(const char *rfc3339)
{
    int64_t t = 0;
    assert_int_equal(rp_time_parse(rfc3339, &t), 0);
    return t;
}

/* Run the scheduler as if it were t; how many breaches it recorded. */
static long long run_at(rp_srv *s, int64_t t)
{
    char when[RP_TIME_MAX], body[64];
    rp_time_format(t, when);
    snprintf(body, sizeof body, "{\"now\":\"%s\"}", when);
    json_t *r = rp_callf(s, "POST", "/api/v1/scheduler/run", 200, body);
    long long n = json_integer_value(json_object_get(r, "charter_breaches"));
    json_decref(r);
    return n;
}

/* A token that may only deliver mail, made with the real CLI. */
static void mail_token(rp_srv *s, char *token, size_t n)
{
    char *out = NULL, agent[32];
    snprintf(agent, sizeof agent, "%lld", s->admin_id);
    assert_int_equal(rp_cli(s, &out, "token", "create", "--agent", agent,
                            "--name", "mail service", "--mail-only", NULL),
                     0);
    out[strcspn(out, "\n")] = '\0';
    snprintf(token, n, "%s", out);
    free(out);
}

static void exec_sql(rp_srv *s, const char *sql)
{
    assert_int_equal(rp_db_exec(s, sql), 0);
}

/* One integer read with a second connection. */
static long long count_sql(rp_srv *s, const char *sql)
{
    return rp_db_number(s, sql);
}

static json_t *judged(json_t *enc, const char *target)
{
    return json_object_get(
        json_object_get(json_object_get(enc, "measures"), "charter"), target);
}

static void test_friday_evening_email(void **state)
{
    rp_srv *s = *state;
    json_t *q = rp_callf(s, "POST", "/api/v1/queues", 201,
                         "{\"name\":\"Madrid\"}");
    long long qid = json_integer_value(json_object_get(q, "id"));
    json_decref(q);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/queues/%lld/hours", qid);
    /* a bad zone or day is refused, naming the field, and changes nothing */
    rp_http res;
    const char *bad =
        "{\"time_zone\":\"Europe/Atlantis\",\"intervals\":[{\"day\":"
        "\"monday\",\"open\":\"09:00\",\"close\":\"17:00\"}]}";
    rp_http_send(s, "PUT", path, "application/json", bad, strlen(bad), NULL,
                 &res);
    rp_assert_error(&res, 422, "invalid", "time_zone");
    rp_http_free(&res);
    json_t *h = rp_call(s, "GET", path, NULL, 200);
    assert_true(json_is_true(json_object_get(h, "around_the_clock")));
    json_decref(h);
    h = rp_callf(
        s, "PUT", path, 200,
        "{\"time_zone\":\"Europe/Madrid\",\"intervals\":["
        "{\"day\":\"monday\",\"open\":\"09:00\",\"close\":\"17:00\"},"
        "{\"day\":\"tuesday\",\"open\":\"09:00\",\"close\":\"17:00\"},"
        "{\"day\":\"wednesday\",\"open\":\"09:00\",\"close\":\"17:00\"},"
        "{\"day\":\"thursday\",\"open\":\"09:00\",\"close\":\"17:00\"},"
        "{\"day\":\"friday\",\"open\":\"09:00\",\"close\":\"17:00\"}],"
        "\"holidays\":[{\"date\":\"2026-12-08\",\"name\":\"Inmaculada\"}]}");
    assert_false(json_is_true(json_object_get(h, "around_the_clock")));
    assert_int_equal(json_array_size(json_object_get(h, "intervals")), 5);
    json_decref(h);

    /* the email, through the mail service's door */
    char token[160];
    mail_token(s, token, sizeof token);
    const char *mail = "From: Lucia Romero <lucia.romero@example.com>\r\n"
                       "To: ayuda@desk.example\r\n"
                       "Subject: Pedido sin llegar\r\n"
                       "Message-ID: <friday-evening@example.com>\r\n"
                       "Date: Fri, 27 Nov 2026 18:00:00 +0100\r\n"
                       "\r\n"
                       "My order has not arrived.\r\n";
    char saved[sizeof s->token];
    memcpy(saved, s->token, sizeof saved);
    snprintf(s->token, sizeof s->token, "%s", token);
    rp_http_send(s, "POST", "/api/v1/mail/inbound?queue=Madrid",
                 "message/rfc822", mail, strlen(mail), NULL, &res);
    memcpy(s->token, saved, sizeof saved);
    assert_int_equal(res.status, 200);
    long long eid = json_integer_value(
        json_object_get(res.json, "encounter_id"));
    rp_http_free(&res);
    assert_true(eid > 0);

    /* received on Friday 27 November 2026 at 18:00 in Madrid */
    int64_t friday = at("2026-11-27T18:00:00+01:00");
    rp_srv_stop(s);
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE encounters SET created_at = %lld, arrived_at = %lld"
             " WHERE id = %lld;"
             "UPDATE charter_watch SET next_at = 0 WHERE encounter_id = %lld;",
             (long long)friday, (long long)friday, eid, eid);
    exec_sql(s, sql);
    rp_srv_start(s);

    assert_int_equal(run_at(s, friday + 10 * 60), 0);
    assert_int_equal(run_at(s, at("2026-11-28T12:00:00+01:00")), 0);
    assert_int_equal(run_at(s, at("2026-11-29T23:00:00+01:00")), 0);
    assert_int_equal(run_at(s, at("2026-11-30T09:04:59+01:00")), 0);
    assert_int_equal(run_at(s, at("2026-11-30T09:05:01+01:00")), 1);
    assert_int_equal(run_at(s, at("2026-11-30T09:05:01+01:00")), 0);
    assert_int_equal(run_at(s, at("2026-11-30T09:06:00+01:00")), 0);

    /* the breach: due at Monday 09:05 Madrid, judged against 5 minutes */
    snprintf(path, sizeof path, "/api/v1/encounters/%lld", eid);
    json_t *enc = rp_call(s, "GET", path, NULL, 200);
    json_t *ack = judged(enc, "acknowledge");
    assert_string_equal(json_string_value(json_object_get(ack, "due_at")),
                        "2026-11-30T08:05:00Z");
    assert_int_equal(json_integer_value(json_object_get(ack, "target_seconds")),
                     300);
    assert_true(json_is_true(json_object_get(ack, "breached")));
    json_t *m = json_object_get(enc, "measures");
    assert_true(json_is_true(json_object_get(m, "business_hours")));
    /* calendar time runs on over the weekend; business time does not */
    assert_true(json_integer_value(json_object_get(ack, "calendar_seconds")) >
                json_integer_value(json_object_get(ack, "actual_seconds")) +
                    2 * 86400);
    json_decref(enc);
    /* one moment of truth for the breach, however often the runs */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM moments WHERE encounter_id = %lld AND"
             " kind = 'charter.breached'",
             eid);
    long long moments = count_sql(s, sql);
    assert_int_equal(moments, 1);
    /* the breach report agrees: one acknowledgement breach that week */
    json_t *r = rp_call(s, "GET",
                        "/api/v1/charter/breaches?from=2026-11-23T00:00:00Z"
                        "&to=2026-11-30T00:00:00Z",
                        NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(r, "counts"), "acknowledge")),
                     1);
    json_decref(r);
}

/* Move encounters ids (and charter versions after the first) back by
 * seconds, with rapportd stopped: as if they had happened that much
 * earlier, since rapportd's clock cannot be set.  The watch looks at each
 * again at the next run. */
static void move_back(rp_srv *s, const char *ids, int versions, int64_t seconds)
{
    char sql[512];
    rp_srv_stop(s);
    snprintf(sql, sizeof sql,
             "UPDATE encounters SET created_at = created_at - %lld,"
             " arrived_at = arrived_at - %lld WHERE id IN (%s);"
             "UPDATE charter_versions SET starts_at = starts_at - %lld"
             " WHERE %d = 1 AND starts_at > 0;"
             "UPDATE charter_watch SET next_at = 0;",
             (long long)seconds, (long long)seconds, ids, (long long)seconds,
             versions);
    exec_sql(s, sql);
    rp_srv_start(s);
}

static long long acknowledge_breaches(rp_srv *s)
{
    json_t *r = rp_call(s, "GET", "/api/v1/charter/breaches", NULL, 200);
    long long n = json_integer_value(
        json_object_get(json_object_get(r, "counts"), "acknowledge"));
    json_decref(r);
    return n;
}

static long long open_encounter(rp_srv *s, long long cid)
{
    char body[160];
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"phone\",\"subject\":"
             "\"Waiting\"}",
             cid);
    json_t *e = rp_callf(s, "POST", "/api/v1/encounters", 201, body);
    long long id = json_integer_value(json_object_get(e, "id"));
    json_decref(e);
    return id;
}

static void test_charter_change_mid_week(void **state)
{
    rp_srv *s = *state;
    json_t *c = rp_callf(s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Mid Week\"}");
    long long cid = json_integer_value(json_object_get(c, "id"));
    json_decref(c);
    char ids[64], path[256];
    /* A: received half an hour ago under 5 minutes, nobody answered */
    long long aid = open_encounter(s, cid);
    snprintf(ids, sizeof ids, "%lld", aid);
    move_back(s, ids, 0, 30 * 60);
    assert_int_equal(acknowledge_breaches(s), 1);
    /* acknowledgement and first response (15 minutes) are recorded */
    assert_int_equal(run_at(s, rp_now()), 2);
    /* B arrives, then the target becomes an hour, then C arrives */
    long long bid = open_encounter(s, cid);
    sleep(1); /* the change starts in a later second than B's arrival */
    json_t *ch = rp_callf(s, "PUT", "/api/v1/charter", 200,
                          "{\"acknowledge_minutes\":60,"
                          "\"first_response_minutes\":90}");
    long long version = json_integer_value(json_object_get(ch, "version_id"));
    json_decref(ch);
    long long c_id = open_encounter(s, cid);
    /* A's breach, counted before the change, is still counted: its half
     * hour is not judged against the new hour */
    assert_int_equal(acknowledge_breaches(s), 1);
    /* half an hour on: B breached its 5 minutes, C is within its hour */
    snprintf(ids, sizeof ids, "%lld, %lld", bid, c_id);
    move_back(s, ids, 1, 30 * 60);
    assert_int_equal(acknowledge_breaches(s), 2);
    int64_t now = rp_now();
    assert_int_equal(run_at(s, now), 2); /* B's two */
    long long targets[3] = {aid, bid, c_id};
    long long want[3] = {300, 300, 3600};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "/api/v1/encounters/%lld", targets[i]);
        json_t *e = rp_call(s, "GET", path, NULL, 200);
        assert_int_equal(json_integer_value(json_object_get(
                             judged(e, "acknowledge"), "target_seconds")),
                         want[i]);
        json_t *v = json_object_get(json_object_get(e, "measures"),
                                    "charter_version");
        if (i == 2)
            assert_int_equal(json_integer_value(v), version);
        else
            assert_true(json_integer_value(v) < version);
        json_decref(e);
    }
    /* the recorded breaches keep the target each was judged against */
    snprintf(path, sizeof path,
             "SELECT count(*) FROM charter_breaches WHERE target ="
             " 'acknowledge' AND target_seconds = 300 AND encounter_id IN"
             " (%lld, %lld)",
             aid, bid);
    assert_int_equal(count_sql(s, path), 2);
    /* half an hour and a minute later: C breaches the hour, once */
    assert_int_equal(run_at(s, now + 31 * 60), 1);
    assert_int_equal(run_at(s, now + 32 * 60), 0);
    snprintf(path, sizeof path,
             "SELECT count(*) FROM charter_breaches WHERE encounter_id ="
             " %lld AND target_seconds = 3600",
             c_id);
    assert_int_equal(count_sql(s, path), 1);
    /* the history of the charter, newest first */
    json_t *v = rp_call(s, "GET", "/api/v1/charter/versions", NULL, 200);
    json_t *items = json_object_get(v, "items");
    assert_int_equal(json_array_size(items), 2);
    json_t *newest = json_array_get(items, 0);
    assert_int_equal(json_integer_value(json_object_get(newest, "id")),
                     version);
    assert_int_equal(
        json_integer_value(json_object_get(newest, "acknowledge_minutes")), 60);
    assert_true(json_is_string(json_object_get(newest, "starts_at")));
    json_t *first = json_array_get(items, 1);
    assert_int_equal(
        json_integer_value(json_object_get(first, "acknowledge_minutes")), 5);
    assert_true(json_is_null(json_object_get(first, "starts_at")));
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_friday_evening_email, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_charter_change_mid_week, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
