/*
 * test_delivery.c - the scheduler and delivery end to end, on real
 * channels: a real rapportd sends through libcurl to an SMTP sink and a
 * webhook receiver that this test starts on loopback, and the test reads
 * what actually arrived.  The clock is injected with POST
 * /api/v1/scheduler/run {"now"} and `rapport due --now`.
 *
 * Seed stories replayed: 6 (the car service: a reminder arrives the day
 * before, a satisfaction check the day after, answered through its
 * single-use page), 7 (the insurance renewal: a notice arrives seven days
 * before, by webhook for an SMS gateway, signed), 4 (the pharmacist's
 * follow-up is sent; keep-in-touch for an incremental relationship).
 */
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "sinks.h"
#include "base/clock.h"

typedef struct world {
    rp_srv srv;
    rp_sink smtp, hook;
} world;

#define SECRET "test-webhook-secret"

static void start(world *w, const char *hook_fail)
{
    rp_sink_start(&w->smtp, "smtp_sink.py", "0");
    rp_sink_start(&w->hook, "webhook_sink.py", hook_fail);
    char url[128];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", w->smtp.port);
    setenv("RAPPORT_SMTP_URL", url, 1);
    setenv("RAPPORT_SMTP_FROM", "desk@garage.example", 1);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/sms", w->hook.port);
    setenv("RAPPORT_WEBHOOK_URL", url, 1);
    setenv("RAPPORT_WEBHOOK_SECRET", SECRET, 1);
    setenv("RAPPORT_PUBLIC_URL", "https://desk.example", 1);
    setenv("RAPPORT_SCHEDULER_INTERVAL", "1", 1); /* the thread runs too */
    setenv("TZ", "UTC", 1);
    rp_srv_init(&w->srv);
    rp_srv_start(&w->srv);
}

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    unsetenv("RAPPORT_TASK_MAX_ATTEMPTS");
    unsetenv("RAPPORT_TASK_BACKOFF");
    start(w, "0");
    *state = w;
    return 0;
}

static int setup_failing(void **state)
{
    world *w = calloc(1, sizeof *w);
    setenv("RAPPORT_TASK_MAX_ATTEMPTS", "3", 1);
    setenv("RAPPORT_TASK_BACKOFF", "60", 1);
    start(w, "1000"); /* the receiver answers 503 to everything */
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    rp_srv_stop(&w->srv);
    rp_srv_cleanup(&w->srv);
    rp_sink_stop(&w->smtp);
    rp_sink_stop(&w->hook);
    free(w);
    return 0;
}

static json_int_t id_of(json_t *j)
{
    json_int_t id = json_integer_value(json_object_get(j, "id"));
    assert_true(id > 0);
    json_decref(j);
    return id;
}

static json_int_t customer(rp_srv *s, const char *json)
{
    return id_of(rp_callf(s, "POST", "/api/v1/customers", 201, json));
}

static json_int_t sub(rp_srv *s, json_int_t cid, const char *kind,
                      const char *json)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/%s", (long long)cid,
             kind);
    return id_of(rp_callf(s, "POST", path, 201, json));
}

/* Run the scheduler in rapportd as of now; return the report. */
static json_t *run_at(rp_srv *s, const char *now)
{
    char body[100];
    snprintf(body, sizeof body, "{\"now\":\"%s\"}", now);
    return rp_callf(s, "POST", "/api/v1/scheduler/run", 200, body);
}

static size_t nsent(json_t *report)
{
    return json_array_size(json_object_get(report, "sent"));
}

/* Does the customer's ledger hold a moment of this kind? */
static int has_moment(rp_srv *s, json_int_t cid, const char *kind,
                      const char *impression)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments",
             (long long)cid);
    json_t *m = rp_call(s, "GET", path, NULL, 200);
    size_t i;
    json_t *it;
    int found = 0;
    json_array_foreach(json_object_get(m, "items"), i, it) {
        if (strcmp(json_string_value(json_object_get(it, "kind")), kind))
            continue;
        if (!impression ||
            (json_is_string(json_object_get(it, "impression")) &&
             !strcmp(json_string_value(json_object_get(it, "impression")),
                     impression)))
            found = 1;
    }
    json_decref(m);
    return found;
}

/* Story 6: the reminder the day before the car service arrives by email. */
static void test_story6_reminder_arrives_the_day_before(void **state)
{
    world *w = *state;
    rp_srv *s = &w->srv;
    json_int_t anna = customer(
        s, "{\"name\":\"Anna Kowalska\",\"preferred_name\":\"Anna\","
           "\"emails\":[\"anna.kowalska@example.com\"],"
           "\"phones\":[\"+48 601 555 123\"]}");
    sub(s, anna, "consents", "{\"purpose\":\"reminders\",\"granted\":true}");
    json_int_t date = sub(
        s, anna, "dates",
        "{\"kind\":\"appointment\",\"title\":\"car's technical inspection\","
        "\"at\":\"2027-03-02T09:00:00Z\",\"where\":\"Auto Serwis Polna, ul. "
        "Polna 5\",\"bring\":\"the registration certificate\"}");

    /* two days before: nothing is due yet */
    json_t *r = run_at(s, "2027-02-28T09:00:00Z");
    assert_int_equal(nsent(r), 0);
    json_decref(r);
    assert_int_equal(rp_sink_count(&w->smtp, "msg-", ".eml"), 0);

    /* the day before: the reminder goes out, by email */
    r = run_at(s, "2027-03-01T09:00:00Z");
    assert_int_equal(nsent(r), 1);
    json_t *sent = json_array_get(json_object_get(r, "sent"), 0);
    assert_string_equal(json_string_value(json_object_get(sent, "channel")),
                        "email");
    json_decref(r);
    assert_int_equal(rp_sink_count(&w->smtp, "msg-", ".eml"), 1);
    char *msg = rp_sink_read(&w->smtp, "msg-1.eml");
    char *env = rp_sink_read(&w->smtp, "msg-1.json");
    assert_non_null(msg);
    assert_non_null(strstr(env, "<anna.kowalska@example.com>"));
    assert_non_null(strstr(env, "<desk@garage.example>"));
    assert_non_null(strstr(msg, "From: desk@garage.example\r\n"));
    assert_non_null(strstr(msg, "To: anna.kowalska@example.com\r\n"));
    assert_non_null(
        strstr(msg, "Subject: Reminder: car's technical inspection"));
    /* Date is when it was really sent: RFC 5322 form, UTC */
    char *date_hdr = strstr(msg, "\r\nDate: ");
    assert_non_null(date_hdr);
    assert_non_null(strstr(date_hdr, " +0000\r\n"));
    char mid[100];
    /* the key names the date and its time (2027-03-02T09:00:00Z) */
    snprintf(mid, sizeof mid,
             "Message-ID: <reminder:date:%lld:1803978000@garage.example>",
             (long long)date);
    assert_non_null(strstr(msg, mid));
    assert_non_null(strstr(
        msg, "Hello Anna, a reminder: your car's technical inspection is "
             "tomorrow, 2 Mar at 09:00, at Auto Serwis Polna, ul. Polna 5. "
             "Please bring the registration certificate."));
    free(msg);
    free(env);

    /* running again, here and from cron, sends nothing twice */
    r = run_at(s, "2027-03-01T10:00:00Z");
    assert_int_equal(nsent(r), 0);
    json_decref(r);
    char *out = NULL;
    assert_int_equal(
        rp_cli(s, &out, "due", "--now", "2027-03-01T11:00:00Z", NULL), 0);
    free(out);
    assert_int_equal(rp_sink_count(&w->smtp, "msg-", ".eml"), 1);

    char path[128];
    snprintf(path, sizeof path, "/api/v1/tasks?status=sent&customer_id=%lld",
             (long long)anna);
    json_t *tasks = rp_call(s, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(tasks, "items")), 1);
    json_t *t = json_array_get(json_object_get(tasks, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(t, "kind")),
                        "reminder");
    assert_string_equal(json_string_value(json_object_get(t, "sent_at")),
                        "2027-03-01T09:00:00Z");
    json_decref(tasks);
    assert_true(has_moment(s, anna, "task.sent", NULL));
}

/* POST a step of the interaction cycle for encounter eid. */
static void cycle_step(rp_srv *s, json_int_t eid, const char *what,
                       const char *body)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/%s", (long long)eid,
             what);
    json_decref(rp_callf(s, "POST", path, what[0] == 's' ? 201 : 200, body));
}

/*
 * Serve the car-service customer through the whole interaction cycle with
 * the encounter API, recording what the visit was worth.  In the keeping
 * stage the agent either schedules the satisfaction call for check_at
 * (Unix seconds; 0: skip it, with a reason).  Returns the encounter id.
 */
static json_int_t serve_encounter(rp_srv *s, json_int_t cid, double spend,
                                  int64_t check_at)
{
    char body[200];
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"in_person\",\"subject\":"
             "\"Technical inspection of the car\"}",
             (long long)cid);
    json_int_t eid = id_of(
        rp_callf(s, "POST", "/api/v1/encounters", 201, body));
    char path[96];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld", (long long)eid);
    snprintf(body, sizeof body, "{\"spend\":%.2f}", spend);
    json_decref(rp_callf(s, "PATCH", path, 200, body));
    cycle_step(s, eid, "acknowledge", "{}");
    cycle_step(s, eid, "advance",
               "{\"to\":\"understood\",\"facts\":\"Yearly inspection\"}");
    cycle_step(s, eid, "advance",
               "{\"to\":\"helped\",\"agreement\":\"Inspect while she waits\"}");
    cycle_step(s, eid, "advance",
               "{\"to\":\"kept\",\"outcome_done\":\"Inspected, car cleaned\","
               "\"outcome_watch\":\"Front tyres in six months\"}");
    if (check_at) {
        char at[RP_TIME_MAX];
        rp_time_format(check_at, at);
        snprintf(body, sizeof body, "{\"schedule_at\":\"%s\"}", at);
        cycle_step(s, eid, "satisfaction", body);
        cycle_step(s, eid, "advance", "{\"to\":\"closed\"}");
    } else {
        cycle_step(s, eid, "advance",
                   "{\"to\":\"closed\",\"satisfaction_skip_reason\":"
                   "\"asked at the counter\"}");
    }
    return eid;
}

/* Story 6, the day after: the satisfaction check arrives with a single-use
 * link; the customer answers on the public page once. */
static void test_story6_satisfaction_check_the_day_after(void **state)
{
    world *w = *state;
    rp_srv *s = &w->srv;
    json_int_t anna = customer(
        s, "{\"name\":\"Anna Kowalska\",\"preferred_name\":\"Anna\","
           "\"emails\":[\"anna@example.com\"]}");
    /* The agent closes the visit and schedules the call for tomorrow. */
    int64_t check_at = rp_now() + 86400;
    serve_encounter(s, anna, 180.0, check_at);
    char at[RP_TIME_MAX];
    rp_time_format(check_at - 20 * 3600, at);
    json_t *r = run_at(s, at);
    assert_int_equal(nsent(r), 0); /* not the same day */
    json_decref(r);
    rp_time_format(check_at + 60, at);
    r = run_at(s, at);
    assert_int_equal(nsent(r), 1);
    json_decref(r);
    assert_int_equal(rp_sink_count(&w->smtp, "msg-", ".eml"), 1);
    char *msg = rp_sink_read(&w->smtp, "msg-1.eml");
    assert_non_null(strstr(msg, "Subject: Anna, was everything OK?"));
    char *link = strstr(msg, "https://desk.example/s/");
    assert_non_null(link);
    char token[65];
    memcpy(token, link + strlen("https://desk.example/s/"), 64);
    token[64] = '\0';
    free(msg);

    char path[128];
    snprintf(path, sizeof path, "/s/%s", token);
    rp_http h;
    rp_http_send(s, "GET", path, NULL, NULL, 0, NULL, &h);
    assert_int_equal(h.status, 200);
    assert_non_null(strstr(h.content_type, "text/html"));
    assert_non_null(strstr(h.body, "Hello Anna, how did we do?"));
    assert_non_null(strstr(h.body, "name=\"score\""));
    assert_null(strstr(h.body, "<script"));
    rp_http_free(&h);

    /* a bad answer changes nothing */
    const char *bad = "score=9&word=x";
    rp_http_send(s, "POST", path, "application/x-www-form-urlencoded", bad,
                 strlen(bad), NULL, &h);
    assert_int_equal(h.status, 422);
    assert_non_null(strstr(h.body, "score"));
    rp_http_free(&h);

    /* a word that is not text is named, the form comes back with what
     * could be read, and nothing is recorded */
    const char *unreadable = "score=4&word=quick&word=%ff%fe&word=clean"
                             "&comment=Nice";
    rp_http_send(s, "POST", path, "application/x-www-form-urlencoded",
                 unreadable, strlen(unreadable), NULL, &h);
    assert_int_equal(h.status, 422);
    assert_null(strstr(h.body, "Thank you!"));
    assert_non_null(strstr(h.body, "We could not read the second word"));
    assert_non_null(strstr(h.body, "value=\"quick\""));
    assert_non_null(strstr(h.body, "value=\"clean\""));
    assert_non_null(strstr(h.body, "value=\"4\" checked"));
    assert_non_null(strstr(h.body, ">Nice</textarea>"));
    rp_http_free(&h);
    const char *nul = "score=4&word=qu%00ick&comment=ok";
    rp_http_send(s, "POST", path, "application/x-www-form-urlencoded", nul,
                 strlen(nul), NULL, &h);
    assert_int_equal(h.status, 422);
    assert_non_null(strstr(h.body, "We could not read the first word"));
    rp_http_free(&h);
    const char *bad_comment = "score=4&word=fine&comment=%c3%28";
    rp_http_send(s, "POST", path, "application/x-www-form-urlencoded",
                 bad_comment, strlen(bad_comment), NULL, &h);
    assert_int_equal(h.status, 422);
    assert_non_null(strstr(h.body, "We could not read the comment"));
    rp_http_free(&h);

    const char *form = "score=5&word=quick&word=friendly&word=clean+car"
                       "&comment=Thank+you+%3Cb%3Every%3C%2Fb%3E+much";
    rp_http_send(s, "POST", path, "application/x-www-form-urlencoded", form,
                 strlen(form), NULL, &h);
    assert_int_equal(h.status, 200);
    assert_non_null(strstr(h.body, "Thank you"));
    rp_http_free(&h);

    /* the link works once */
    rp_http_send(s, "POST", path, "application/x-www-form-urlencoded", form,
                 strlen(form), NULL, &h);
    assert_int_equal(h.status, 409);
    assert_non_null(strstr(h.body, "already been answered"));
    rp_http_free(&h);
    rp_http_send(s, "GET", path, NULL, NULL, 0, NULL, &h);
    assert_int_equal(h.status, 409);
    rp_http_free(&h);
    /* a made-up token is refused */
    rp_http_send(
        s, "GET",
        "/s/0000000000000000000000000000000000000000000000000000000000000000",
        NULL, NULL, 0, NULL, &h);
    assert_int_equal(h.status, 404);
    rp_http_free(&h);

    snprintf(path, sizeof path, "/api/v1/customers/%lld/satisfaction",
             (long long)anna);
    json_t *fig = rp_call(s, "GET", path, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(fig, "answered")), 1);
    assert_int_equal(json_integer_value(json_object_get(fig, "positive")), 1);
    json_decref(fig);
    assert_true(has_moment(s, anna, "satisfaction.answered", "positive"));

    /* the returning customer: one visit, bronze (silver needs three) */
    snprintf(path, sizeof path, "/api/v1/customers/%lld/loyalty",
             (long long)anna);
    json_t *loy = rp_call(s, "GET", path, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(loy, "visits")), 1);
    assert_true(json_is_true(json_object_get(loy, "returning")));
    json_decref(loy);
    serve_encounter(s, anna, 90, 0);
    serve_encounter(s, anna, 90, 0);
    loy = rp_call(s, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(loy, "tier")),
                        "silver");
    assert_string_equal(json_string_value(json_object_get(loy, "summary")),
                        "returning customer, silver tier, 5% discount");
    json_decref(loy);
}

/* Story 7: the renewal notice arrives seven days before, by webhook. */
static void test_story7_renewal_notice_by_signed_webhook(void **state)
{
    world *w = *state;
    rp_srv *s = &w->srv;
    json_int_t jan = customer(s, "{\"name\":\"Jan Dvorak\",\"preferred_name\":"
                                 "\"Jan\",\"phones\":[\"+420 601 222 333\"]}");
    sub(s, jan, "consents", "{\"purpose\":\"reminders\",\"granted\":true}");
    json_int_t date = sub(s, jan, "dates",
                          "{\"kind\":\"renewal\",\"title\":\"car insurance "
                          "policy\",\"at\":\"2027-03-08T12:00:00Z\","
                          "\"with_whom\":\"your agent, Eva\"}");
    json_t *r = run_at(s, "2027-02-28T12:00:00Z");
    assert_int_equal(nsent(r), 0);
    json_decref(r);
    r = run_at(s, "2027-03-01T12:00:00Z");
    assert_int_equal(nsent(r), 1);
    json_decref(r);
    assert_int_equal(rp_sink_count(&w->hook, "hook-", ".json"), 1);
    assert_int_equal(rp_sink_count(&w->smtp, "msg-", ".eml"), 0);
    char *raw = rp_sink_read(&w->hook, "hook-1.json");
    json_t *rec = json_loads(raw, 0, NULL);
    free(raw);
    assert_non_null(rec);
    json_t *hdr = json_object_get(rec, "headers");
    const char *body = json_string_value(json_object_get(rec, "body"));
    char key[64];
    snprintf(key, sizeof key, "renewal:date:%lld:1804507200", (long long)date);
    assert_string_equal(
        json_string_value(json_object_get(hdr, "idempotency-key")), key);
    /* the signature, computed here independently with libsodium */
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)SECRET,
                                strlen(SECRET));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body,
                                  strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    char hex[65], expect[80];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(expect, sizeof expect, "sha256=%s", hex);
    assert_string_equal(
        json_string_value(json_object_get(hdr, "x-rapport-signature")), expect);
    json_t *msg = json_loads(body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(msg, "to")),
                        "+420 601 222 333");
    assert_string_equal(json_string_value(json_object_get(msg, "channel")),
                        "sms");
    assert_non_null(strstr(json_string_value(json_object_get(msg, "text")),
                           "Hello Jan, your car insurance policy is due for "
                           "renewal in 7 days, 8 Mar at 12:00, with your "
                           "agent, Eva."));
    json_decref(msg);
    json_decref(rec);
}

/* Consent: nothing is sent for reminders without it; the API says why;
 * granting it lets the held reminder go. */
static void test_no_consent_holds_and_says_why(void **state)
{
    world *w = *state;
    rp_srv *s = &w->srv;
    json_int_t c = customer(s, "{\"name\":\"Piotr Nowak\","
                               "\"emails\":[\"piotr@example.com\"]}");
    sub(s, c, "dates",
        "{\"kind\":\"appointment\",\"title\":\"service\","
        "\"at\":\"2027-04-02T10:00:00Z\"}");
    json_t *r = run_at(s, "2027-04-01T10:00:00Z");
    assert_int_equal(nsent(r), 0);
    assert_int_equal(json_array_size(json_object_get(r, "held")), 1);
    json_decref(r);
    assert_int_equal(rp_sink_count(&w->smtp, "msg-", ".eml"), 0);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/tasks?status=held&customer_id=%lld",
             (long long)c);
    json_t *t = rp_call(s, "GET", path, NULL, 200);
    json_t *task = json_array_get(json_object_get(t, "items"), 0);
    assert_non_null(task);
    assert_string_equal(json_string_value(json_object_get(task, "last_error")),
                        "held: the customer has not given consent for "
                        "reminders");
    json_decref(t);
    /* withdrawn consent is held too, and cannot be deleted */
    json_int_t cons = sub(s, c, "consents",
                          "{\"purpose\":\"reminders\",\"granted\":false}");
    snprintf(path, sizeof path, "/api/v1/customers/%lld/consents/%lld",
             (long long)c, (long long)cons);
    json_decref(rp_call(s, "DELETE", path, NULL, 409));
    r = run_at(s, "2027-04-01T10:05:00Z");
    assert_int_equal(nsent(r), 0);
    json_decref(r);
    /* granted: the held reminder goes out on the next run */
    sub(s, c, "consents", "{\"purpose\":\"reminders\",\"granted\":true}");
    r = run_at(s, "2027-04-01T10:10:00Z");
    assert_int_equal(nsent(r), 1);
    json_decref(r);
    assert_int_equal(rp_sink_count(&w->smtp, "msg-", ".eml"), 1);
}

/* Story 4: the pharmacist's follow-up (scheduled with POST .../follow_ups
 * at the counter) is sent; an incremental relationship gets a
 * keep-in-touch after 90 days. */
static void test_story4_follow_up_and_keep_in_touch(void **state)
{
    world *w = *state;
    rp_srv *s = &w->srv;
    json_int_t tom = customer(s, "{\"name\":\"Thomas Baker\",\"preferred_name\""
                                 ":\"Tom\",\"emails\":[\"tom@example.com\"]}");
    sub(s, tom, "consents", "{\"purpose\":\"reminders\",\"granted\":true}");
    char body[300];
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"email\",\"subject\":"
             "\"Blood-pressure medicine\"}",
             (long long)tom);
    json_int_t eid = id_of(
        rp_callf(s, "POST", "/api/v1/encounters", 201, body));
    char path[96];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/follow_ups",
             (long long)eid);
    json_decref(rp_callf(s, "POST", path, 201,
                         "{\"due_at\":\"2027-03-04T08:00:00Z\",\"subject\":"
                         "\"did the leaflet on your new medicine answer your "
                         "questions?\"}"));
    /*
     * Plain SQL, because no endpoint can do this: months pass.  The API
     * stamps the customer and the encounter with the real clock, and the
     * relationship level is only ever derived from that history; the story
     * needs a customer met long ago whose relationship is incremental.
     */
    char sql[400];
    snprintf(sql, sizeof sql,
             "UPDATE customers SET relationship_level = 'incremental',"
             " created_at = 1790000000 WHERE id = %lld;"
             "UPDATE encounters SET created_at = 1790000000,"
             " arrived_at = 1790000000 WHERE id = %lld;",
             (long long)tom, (long long)eid);
    assert_int_equal(rp_db_exec(s, sql), 0);
    char *out = NULL;
    /* 2027-03-04: the follow-up is due; keep-in-touch is too (the customer
     * was last in contact long ago and the cadence is 90 days) */
    assert_int_equal(
        rp_cli(s, &out, "due", "--now", "2027-03-04T08:00:00Z", NULL), 0);
    assert_non_null(strstr(out, "follow_up"));
    assert_non_null(strstr(out, "keep_in_touch"));
    free(out);
    assert_int_equal(rp_sink_count(&w->smtp, "msg-", ".eml"), 2);
    int follow = 0, keep = 0;
    for (int i = 1; i <= 2; i++) {
        char name[32];
        snprintf(name, sizeof name, "msg-%d.eml", i);
        char *m = rp_sink_read(&w->smtp, name);
        follow |= strstr(m, "Hello Tom, did the leaflet on your new medicine "
                            "answer your questions?") != NULL;
        keep |= strstr(m, "Hello Tom, it has been a while") != NULL;
        free(m);
    }
    assert_true(follow && keep);
    /* the cadence starts again from the message just sent */
    assert_int_equal(
        rp_cli(s, &out, "due", "--now", "2027-04-04T08:00:00Z", NULL), 0);
    free(out);
    assert_int_equal(rp_sink_count(&w->smtp, "msg-", ".eml"), 2);
}

/* Two schedulers (two processes, two connections) at once: each task is
 * sent exactly once. */
static void test_concurrent_schedulers_send_each_task_once(void **state)
{
    world *w = *state;
    rp_srv *s = &w->srv;
    enum { N = 24 };
    for (int i = 0; i < N; i++) {
        char body[200];
        snprintf(body, sizeof body,
                 "{\"name\":\"Customer %d\",\"emails\":[\"c%d@example.com\"]}",
                 i, i);
        json_int_t c = customer(s, body);
        sub(s, c, "consents", "{\"purpose\":\"reminders\",\"granted\":true}");
        sub(s, c, "dates",
            "{\"kind\":\"appointment\",\"title\":\"fitting\","
            "\"at\":\"2027-05-02T10:00:00Z\"}");
    }
    pid_t pids[3];
    for (int k = 0; k < 3; k++) {
        pids[k] = fork();
        assert_true(pids[k] >= 0);
        if (pids[k] == 0) {
            char out[300];
            snprintf(out, sizeof out, "%s/runner-%d.txt", w->smtp.dir, k);
            int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            int devnull = open("/dev/null", O_WRONLY);
            dup2(fd, 1);
            dup2(devnull, 2);
            /* small batches, so the runners interleave */
            setenv("RAPPORT_TASK_BATCH", "2", 1);
            execl(RAPPORT_CLI_PATH, "rapport", "--db", s->db, "due", "--now",
                  "2027-05-01T10:00:00Z", (char *)NULL);
            _exit(127);
        }
    }
    for (int k = 0; k < 3; k++) {
        int status;
        waitpid(pids[k], &status, 0);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    /* what the runners printed as sent adds up to N, no task twice */
    int lines = 0;
    for (int k = 0; k < 3; k++) {
        char name[32];
        snprintf(name, sizeof name, "runner-%d.txt", k);
        char *text = rp_sink_read(&w->smtp, name);
        assert_non_null(text);
        for (char *p = text; (p = strstr(p, "sent\ttask ")); p++)
            lines++;
        free(text);
    }
    assert_int_equal(lines, N);
    /* and rapportd afterwards finds nothing left */
    json_t *r = run_at(s, "2027-05-01T10:00:00Z");
    assert_int_equal(nsent(r), 0);
    json_decref(r);
    assert_int_equal(rp_sink_count(&w->smtp, "msg-", ".eml"), N);
    /* every Message-ID distinct */
    json_t *ids = json_object();
    for (int i = 1; i <= N; i++) {
        char name[32];
        snprintf(name, sizeof name, "msg-%d.eml", i);
        char *m = rp_sink_read(&w->smtp, name);
        char *mid = strstr(m, "Message-ID: <");
        assert_non_null(mid);
        char *end = strchr(mid, '>');
        *end = '\0';
        json_object_set_new(ids, mid, json_true());
        free(m);
    }
    assert_int_equal(json_object_size(ids), N);
    json_decref(ids);
    json_t *t = rp_call(s, "GET", "/api/v1/tasks?status=sent&limit=100", NULL,
                        200);
    assert_int_equal(json_array_size(json_object_get(t, "items")), N);
    json_decref(t);
}

/* A receiver that keeps failing: retried with exponential backoff, then
 * failed with the reason, listed by GET /api/v1/tasks?status=failed. */
static void test_backoff_then_failed(void **state)
{
    world *w = *state;
    rp_srv *s = &w->srv;
    json_int_t c = customer(s, "{\"name\":\"Grace Okafor\","
                               "\"phones\":[\"+44 7700 900123\"]}");
    sub(s, c, "consents", "{\"purpose\":\"reminders\",\"granted\":true}");
    sub(s, c, "dates",
        "{\"kind\":\"expiry\",\"title\":\"prescription\","
        "\"at\":\"2027-06-08T09:00:00Z\"}");
    json_t *r = run_at(s, "2027-06-01T09:00:00Z");
    assert_int_equal(json_array_size(json_object_get(r, "retried")), 1);
    json_decref(r);
    json_t *t = rp_call(s, "GET", "/api/v1/tasks?status=scheduled", NULL, 200);
    json_t *task = json_array_get(json_object_get(t, "items"), 0);
    assert_int_equal(json_integer_value(json_object_get(task, "attempts")), 1);
    assert_string_equal(
        json_string_value(json_object_get(task, "next_attempt_at")),
        "2027-06-01T09:01:00Z");
    assert_non_null(
        strstr(json_string_value(json_object_get(task, "last_error")), "503"));
    json_decref(t);
    /* not before the backoff has passed */
    r = run_at(s, "2027-06-01T09:00:30Z");
    assert_int_equal(json_integer_value(json_object_get(r, "claimed")), 0);
    json_decref(r);
    r = run_at(s, "2027-06-01T09:01:00Z");
    assert_int_equal(json_array_size(json_object_get(r, "retried")), 1);
    json_decref(r);
    t = rp_call(s, "GET", "/api/v1/tasks?status=scheduled", NULL, 200);
    task = json_array_get(json_object_get(t, "items"), 0);
    assert_string_equal(
        json_string_value(json_object_get(task, "next_attempt_at")),
        "2027-06-01T09:03:00Z"); /* doubled: 120 s */
    json_decref(t);
    r = run_at(s, "2027-06-01T09:03:00Z");
    assert_int_equal(json_array_size(json_object_get(r, "failed")), 1);
    json_decref(r);
    t = rp_call(s, "GET", "/api/v1/tasks?status=failed", NULL, 200);
    task = json_array_get(json_object_get(t, "items"), 0);
    assert_non_null(task);
    assert_int_equal(json_integer_value(json_object_get(task, "attempts")), 3);
    assert_non_null(
        strstr(json_string_value(json_object_get(task, "last_error")),
               "answered HTTP 503"));
    json_decref(t);
    /* failed is final: later runs leave it alone */
    r = run_at(s, "2027-06-02T09:00:00Z");
    assert_int_equal(json_integer_value(json_object_get(r, "claimed")), 0);
    json_decref(r);
    assert_int_equal(rp_sink_count(&w->hook, "hook-", ".json"), 0);
}

/* The scheduler thread inside rapportd sends on its own, on the real
 * clock: an appointment a day from now (less a minute) is reminded at once. */
static void test_thread_in_rapportd_sends_what_is_due(void **state)
{
    world *w = *state;
    rp_srv *s = &w->srv;
    json_int_t c = customer(s, "{\"name\":\"Anna\","
                               "\"emails\":[\"anna@example.com\"]}");
    sub(s, c, "consents", "{\"purpose\":\"reminders\",\"granted\":true}");
    char at[40], body[200];
    time_t t = time(NULL) + 86400 - 60;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(body, sizeof body,
             "{\"kind\":\"appointment\",\"title\":\"inspection\","
             "\"at\":\"%s\"}",
             at);
    sub(s, c, "dates", body);
    /* the thread runs every second (RAPPORT_SCHEDULER_INTERVAL=1) */
    for (int i = 0; i < 100 && rp_sink_count(&w->smtp, "msg-", ".eml") == 0;
         i++)
        usleep(100 * 1000);
    assert_int_equal(rp_sink_count(&w->smtp, "msg-", ".eml"), 1);
    char *msg = rp_sink_read(&w->smtp, "msg-1.eml");
    /* "tomorrow", or "today" in the first minute after midnight */
    assert_non_null(strstr(msg, "Hello Anna, a reminder: your inspection is "));
    free(msg);
    sleep(2); /* more runs send nothing more */
    assert_int_equal(rp_sink_count(&w->smtp, "msg-", ".eml"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_story6_reminder_arrives_the_day_before, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_story6_satisfaction_check_the_day_after, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_story7_renewal_notice_by_signed_webhook, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_consent_holds_and_says_why,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_story4_follow_up_and_keep_in_touch,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_concurrent_schedulers_send_each_task_once, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_thread_in_rapportd_sends_what_is_due, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backoff_then_failed, setup_failing,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
