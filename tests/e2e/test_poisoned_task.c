/*
 * test_poisoned_task.c - no single task can stop the scheduler, and none
 * is delivered twice.  On real channels (the SMTP sink and the webhook
 * receiver of sinks.h) and a real rapportd and `rapport due`:
 *
 *   - a follow-up whose subject is 200 accented characters arrives whole,
 *     by email and by webhook, and the tasks behind it go out in the same
 *     run;
 *   - a receiver that keeps refusing one message: that task is retried
 *     with growing delays and failed after the configured attempts, with
 *     its reason, while every other task is delivered;
 *   - a task that was sent but whose sending could not be recorded (the
 *     database refuses the record) is failed with its reason, the run goes
 *     on, and it is never sent again;
 *   - a sender killed in the middle of sending: the task's outcome is
 *     unknown, so the next sender does not send it again but fails it,
 *     saying so.
 */
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "sinks.h"

typedef struct world {
    rp_srv srv;
    rp_sink smtp, hook;
} world;

/* Start the sinks (hook_arg: the webhook receiver's mode) and rapportd. */
static world *start(const char *hook_arg)
{
    world *w = calloc(1, sizeof *w);
    rp_sink_start(&w->smtp, "smtp_sink.py", "0");
    rp_sink_start(&w->hook, "webhook_sink.py", hook_arg);
    char url[128];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", w->smtp.port);
    setenv("RAPPORT_SMTP_URL", url, 1);
    setenv("RAPPORT_SMTP_FROM", "desk@garage.example", 1);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/sms", w->hook.port);
    setenv("RAPPORT_WEBHOOK_URL", url, 1);
    setenv("RAPPORT_WEBHOOK_SECRET", "secret", 1);
    setenv("RAPPORT_PUBLIC_URL", "https://desk.example", 1);
    setenv("RAPPORT_SCHEDULER_INTERVAL", "0", 1); /* runs are the test's */
    setenv("RAPPORT_TASK_MAX_ATTEMPTS", "3", 1);
    setenv("RAPPORT_TASK_BACKOFF", "60", 1);
    setenv("TZ", "UTC", 1);
    rp_srv_init(&w->srv);
    rp_srv_start(&w->srv);
    return w;
}

static int setup(void **state)
{
    *state = start("0");
    return 0;
}

static int setup_refusing(void **state)
{
    *state = start("fail:REFUSED");
    return 0;
}

static int setup_hanging(void **state)
{
    *state = start("hang:HANGS");
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

/* unit repeated n times (caller frees). */
static long long id_of(json_t *j)
{
    long long id = (long long)json_integer_value(json_object_get(j, "id"));
    assert_true(id > 0);
    json_decref(j);
    return id;
}

/* A customer reachable by email or phone (the other NULL). */
static long long customer(rp_srv *s, const char *name, const char *email,
                          const char *phone)
{
    json_t *b = json_pack("{s:s}", "name", name);
    if (email)
        json_object_set_new(b, "emails", json_pack("[s]", email));
    if (phone)
        json_object_set_new(b, "phones", json_pack("[s]", phone));
    json_t *c = rp_call(s, "POST", "/api/v1/customers", b, 201);
    json_decref(b);
    return id_of(c);
}

/* A follow-up of a new chat with the customer, due at due; its task id. */
static long long follow_up(rp_srv *s, long long cid, const char *due,
                           const char *subject)
{
    json_t *b = json_pack("{s:I, s:s, s:s}", "customer_id", (json_int_t)cid,
                          "channel", "chat", "subject", "A question");
    json_t *e = rp_call(s, "POST", "/api/v1/encounters", b, 201);
    json_decref(b);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/follow_ups", id_of(e));
    b = json_pack("{s:s, s:s}", "due_at", due, "subject", subject);
    json_t *t = rp_call(s, "POST", path, b, 201);
    json_decref(b);
    return id_of(t);
}

static json_t *run_at(rp_srv *s, const char *now)
{
    char body[100];
    snprintf(body, sizeof body, "{\"now\":\"%s\"}", now);
    return rp_callf(s, "POST", "/api/v1/scheduler/run", 200, body);
}

static size_t count_in(json_t *report, const char *list)
{
    return json_array_size(json_object_get(report, list));
}

static json_t *task(rp_srv *s, long long id)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/tasks/%lld", id);
    return rp_call(s, "GET", path, NULL, 200);
}

static const char *field(json_t *t, const char *key)
{

    const char *v = json_string_value(json_object_get(t, key));
    return v ? v : "";
}

/*
 * The Subject of an email as text: its lines unfolded and each RFC 2047
 * encoded word ("=?UTF-8?B?...?=") decoded, the white space between two
 * of them dropped.  Caller frees.
 */
static char *subject_of(const char *msg)
{
    const char *h = strstr(msg, "\r\nSubject: ");
    assert_non_null(h);
    h += strlen("\r\nSubject: ");
    char *out = calloc(1, strlen(h) + 1);
    size_t n = 0;
    for (;;) {
        const char *eol = strstr(h, "\r\n");
        assert_non_null(eol);
        for (const char *p = h; p < eol;) {
            if (!strncmp(p, "=?UTF-8?B?", 10)) {
                const char *end = strstr(p + 10, "?=");
                assert_true(end && end <= eol);
                size_t got = 0;
                assert_int_equal(sodium_base642bin(
                                     (unsigned char *)out + n, strlen(h) - n,
                                     p + 10, (size_t)(end - p - 10), NULL, &got,
                                     NULL, sodium_base64_VARIANT_ORIGINAL),
                                 0);
                n += got;
                p = end + 2;
                while (*p == ' ' && !strncmp(p + 1, "=?", 2))
                    p++; /* between two encoded words */
            } else {
                out[n++] = *p++;
            }
        }
        if (eol[2] != ' ' && eol[2] != '\t')
            break;
        h = eol + 3; /* a folded line goes on */
    }
    out[n] = '\0';
    return out;
}

/* Every header line of the email is at most 78 characters, and ASCII. */
static void assert_headers_fit(const char *msg)
{
    const char *end = strstr(msg, "\r\n\r\n");
    assert_non_null(end);
    for (const char *p = msg; p < end;) {
        const char *eol = strstr(p, "\r\n");
        assert_true(eol - p <= 78);
        for (const char *c = p; c < eol; c++)
            assert_true((unsigned char)*c < 0x80);
        p = eol + 2;
    }
}

/* A subject of 200 accented characters arrives whole, by email and by
 * webhook, and the tasks behind it go out in the same run. */
static void test_accented_subject_arrives_whole(void **state)
{
    world *w = *state;
    rp_srv *s = &w->srv;
    char *subject = rp_repeat("\xc3\xa9", 190); /* é */
    char *mixed = malloc(strlen(subject) + 32);
    sprintf(mixed, "Mot %s \xe2\x82\xac fin", subject);
    long long by_mail = customer(s, "Ren\xc3\xa9", "rene@example.com", NULL);
    long long by_hook = customer(s, "Zo\xc3\xab", NULL, "+33 6 12 34 56 78");
    long long t1 = follow_up(s, by_mail, "2027-05-01T09:00:00Z", mixed);
    long long t2 = follow_up(s, by_hook, "2027-05-01T09:00:00Z", mixed);
    long long behind[3];
    for (int i = 0; i < 3; i++) {
        char name[32], email[64];
        snprintf(name, sizeof name, "Behind %d", i);
        snprintf(email, sizeof email, "behind%d@example.com", i);
        behind[i] = follow_up(s, customer(s, name, email, NULL),
                              "2027-05-01T09:30:00Z", "did it help?");
    }
    json_t *r = run_at(s, "2027-05-01T10:00:00Z");
    assert_int_equal(count_in(r, "sent"), 5);
    assert_int_equal(count_in(r, "failed") + count_in(r, "retried"), 0);
    json_decref(r);

    /* the email: the subject in encoded words of whole characters */
    assert_int_equal(rp_sink_count(&w->smtp, "msg-", ".eml"), 4);
    int found = 0;
    for (int i = 1; i <= 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "msg-%d.eml", i);
        char *msg = rp_sink_read(&w->smtp, name);
        assert_headers_fit(msg);
        char *subj = subject_of(msg);
        if (!strcmp(subj, mixed)) {
            found = 1;
            char *hello = malloc(strlen(mixed) + 32);
            sprintf(hello, "Hello Ren\xc3\xa9, %s", mixed);
            assert_non_null(strstr(msg, hello));
            free(hello);
        }
        free(subj);
        free(msg);
    }
    assert_true(found);
    /* the webhook: subject and text whole */
    assert_int_equal(rp_sink_count(&w->hook, "hook-", ".json"), 1);
    char *raw = rp_sink_read(&w->hook, "hook-1.json");
    json_t *rec = json_loads(raw, 0, NULL);
    free(raw);
    json_t *body = json_loads(json_string_value(json_object_get(rec, "body")),
                              0, NULL);
    assert_non_null(body);
    assert_string_equal(field(body, "subject"), mixed);
    assert_non_null(strstr(field(body, "text"), mixed));
    json_decref(body);
    json_decref(rec);

    long long ids[5] = {t1, t2, behind[0], behind[1], behind[2]};
    for (int i = 0; i < 5; i++) {
        json_t *t = task(s, ids[i]);
        assert_string_equal(field(t, "status"), "sent");
        json_decref(t);
    }
    /* nothing goes out twice */
    r = run_at(s, "2027-05-01T11:00:00Z");
    assert_int_equal(json_integer_value(json_object_get(r, "claimed")), 0);
    json_decref(r);
    assert_int_equal(rp_sink_count(&w->smtp, "msg-", ".eml"), 4);
    assert_int_equal(rp_sink_count(&w->hook, "hook-", ".json"), 1);
    free(mixed);
    free(subject);
}

/* A receiver that keeps refusing one message: that task is failed after
 * three attempts with its reason; every other task is delivered. */
static void test_refused_task_fails_after_the_cap_others_go(void **state)
{
    world *w = *state;
    rp_srv *s = &w->srv;
    long long p = customer(s, "Pat", NULL, "+44 7700 900001");
    long long bad = follow_up(s, p, "2027-06-01T08:00:00Z",
                              "REFUSED by the receiver every time");
    long long good[3];
    for (int i = 0; i < 3; i++) {
        char name[32], phone[32];
        snprintf(name, sizeof name, "Quinn %d", i);
        snprintf(phone, sizeof phone, "+44 7700 90001%d", i);
        good[i] = follow_up(s, customer(s, name, NULL, phone),
                            "2027-06-01T08:30:00Z", "how was the fitting?");
    }
    json_t *r = run_at(s, "2027-06-01T09:00:00Z");
    assert_int_equal(count_in(r, "sent"), 3);
    assert_int_equal(count_in(r, "retried"), 1);
    json_decref(r);
    json_t *t = task(s, bad);
    assert_string_equal(field(t, "status"), "scheduled");
    assert_int_equal(json_integer_value(json_object_get(t, "attempts")), 1);
    assert_string_equal(field(t, "next_attempt_at"), "2027-06-01T09:01:00Z");
    assert_non_null(strstr(field(t, "last_error"), "answered HTTP 500"));
    json_decref(t);
    r = run_at(s, "2027-06-01T09:01:00Z");
    assert_int_equal(count_in(r, "retried"), 1);
    json_decref(r);
    r = run_at(s, "2027-06-01T09:03:00Z"); /* 60 s, then 120 s */
    assert_int_equal(count_in(r, "failed"), 1);
    json_decref(r);
    t = task(s, bad);
    assert_string_equal(field(t, "status"), "failed");
    assert_int_equal(json_integer_value(json_object_get(t, "attempts")), 3);
    assert_true(json_is_null(json_object_get(t, "next_attempt_at")));
    assert_non_null(strstr(field(t, "last_error"), "answered HTTP 500"));
    json_decref(t);
    /* failed is final */
    r = run_at(s, "2027-06-02T09:00:00Z");
    assert_int_equal(json_integer_value(json_object_get(r, "claimed")), 0);
    json_decref(r);
    for (int i = 0; i < 3; i++) {
        t = task(s, good[i]);
        assert_string_equal(field(t, "status"), "sent");
        json_decref(t);
    }
    assert_int_equal(rp_sink_count(&w->hook, "hook-", ".json"), 3);
    /* the failed tasks are listed, for the console and the CLI */
    json_t *l = rp_call(s, "GET", "/api/v1/tasks?status=failed", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
    json_decref(l);
}

/* Run SQL on the database with a connection of the test's own. */
static void sql(rp_srv *s, const char *text)
{
    assert_int_equal(rp_db_exec(s, text), 0);
}

/* The record of a sent task is refused by the database: the task is
 * failed with the reason, the run goes on, and it is never sent again. */
static void test_unrecorded_send_is_failed_not_repeated(void **state)
{
    world *w = *state;
    rp_srv *s = &w->srv;
    long long a = customer(s, "Ada", "ada@example.com", NULL);
    long long poisoned = follow_up(s, a, "2027-07-01T08:00:00Z", "first");
    long long next = follow_up(s, customer(s, "Bo", "bo@example.com", NULL),
                               "2027-07-01T08:30:00Z", "second");
    /* a fault of the database: the moment that records the sending of
     * Ada's task cannot be written */
    char text[600];
    if (rp_e2e_pg())
        snprintf(text, sizeof text,
                 "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql"
                 " AS $$BEGIN RAISE EXCEPTION 'the disk said no'; END$$;"
                 "CREATE TRIGGER poison BEFORE INSERT ON moments FOR EACH ROW"
                 " WHEN (NEW.kind = 'task.sent' AND NEW.customer_id = %lld)"
                 " EXECUTE FUNCTION poison();",
                 a);
    else
        snprintf(text, sizeof text,
                 "CREATE TRIGGER poison BEFORE INSERT ON moments"
                 " WHEN NEW.kind = 'task.sent' AND NEW.customer_id = %lld"
                 " BEGIN SELECT RAISE(ABORT, 'the disk said no'); END;",
                 a);
    sql(s, text);
    json_t *r = run_at(s, "2027-07-01T09:00:00Z");
    assert_int_equal(count_in(r, "sent"), 1);
    assert_int_equal(count_in(r, "failed"), 1);
    json_decref(r);
    json_t *t = task(s, poisoned);
    assert_string_equal(field(t, "status"), "failed");
    assert_non_null(strstr(field(t, "last_error"), "could not be recorded"));
    assert_non_null(strstr(field(t, "last_error"), "not sent again"));
    json_decref(t);
    t = task(s, next);
    assert_string_equal(field(t, "status"), "sent");
    json_decref(t);
    assert_int_equal(rp_sink_count(&w->smtp, "msg-", ".eml"), 2);
    sql(s, rp_e2e_pg()
               ? "DROP TRIGGER poison ON moments; DROP FUNCTION poison();"
               : "DROP TRIGGER poison;");
    r = run_at(s, "2027-07-02T09:00:00Z");
    assert_int_equal(json_integer_value(json_object_get(r, "claimed")), 0);
    json_decref(r);
    assert_int_equal(rp_sink_count(&w->smtp, "msg-", ".eml"), 2);
}

/* A sender killed while sending: the next one does not send the task
 * again (its outcome is unknown) but fails it, saying so; the others go. */
static void test_killed_while_sending_is_not_sent_again(void **state)
{
    world *w = *state;
    rp_srv *s = &w->srv;
    long long c = customer(s, "Cy", NULL, "+1 555 0100");
    long long hangs = follow_up(s, c, "2027-08-01T08:00:00Z",
                                "HANGS at the receiver");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl(RAPPORT_CLI_PATH, "rapport", "--db", s->db, "due", "--now",
              "2027-08-01T09:00:00Z", (char *)NULL);
        _exit(127);
    }
    /* the receiver has the message; the sender waits for its answer */
    for (int i = 0; i < 300 && rp_sink_count(&w->hook, "hook-", ".json") == 0;
         i++)
        usleep(100 * 1000);
    assert_int_equal(rp_sink_count(&w->hook, "hook-", ".json"), 1);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    long long other = follow_up(s, customer(s, "Di", NULL, "+1 555 0101"),
                                "2027-08-01T08:30:00Z", "the other one");
    /* within the lease the claim is still the dead sender's */
    json_t *r = run_at(s, "2027-08-01T09:01:00Z");
    assert_int_equal(count_in(r, "sent"), 1);
    json_decref(r);
    json_t *t = task(s, hangs);
    assert_string_equal(field(t, "status"), "claimed");
    json_decref(t);
    /* after the lease (300 s) the task is taken over, and failed */
    r = run_at(s, "2027-08-01T09:06:00Z");
    assert_int_equal(count_in(r, "failed"), 1);
    assert_int_equal(count_in(r, "sent"), 0);
    json_decref(r);
    t = task(s, hangs);
    assert_string_equal(field(t, "status"), "failed");
    assert_non_null(strstr(field(t, "last_error"), "may or may not"));
    json_decref(t);
    t = task(s, other);
    assert_string_equal(field(t, "status"), "sent");
    json_decref(t);
    /* one delivery of the hanging task, one of the other: no repeat */
    assert_int_equal(rp_sink_count(&w->hook, "hook-", ".json"), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_accented_subject_arrives_whole,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_refused_task_fails_after_the_cap_others_go, setup_refusing,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_unrecorded_send_is_failed_not_repeated, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_killed_while_sending_is_not_sent_again, setup_hanging,
            teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
