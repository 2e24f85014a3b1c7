/*
 * test_messages.c - the conversation loop end to end, with real
 * components only: a customer's message is taken in by the real rapportd,
 * an agent's reply goes out through the outbox to a real SMTP receiver
 * (the sink) with the headers a mail program threads by, the customer's
 * answer to it (fed through `rapport message receive`, as a script or a
 * web form would) lands in the same encounter, a duplicate is stored
 * once, an answer on an abandoned encounter reopens it, the reply is the
 * encounter's first response, and a send that cannot reach the mail
 * server is visible on the message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "sinks.h"

typedef struct world {
    rp_srv srv;
    rp_sink smtp;
} world;

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    rp_sink_start(&w->smtp, "smtp_sink.py", "0");
    char url[128];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", w->smtp.port);
    setenv("RAPPORT_SMTP_URL", url, 1);
    setenv("RAPPORT_SMTP_FROM", "desk@fallback.example", 1);
    setenv("RAPPORT_SCHEDULER_INTERVAL", "1", 1);
    rp_srv_init(&w->srv);
    rp_srv_start(&w->srv);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    rp_srv_stop(&w->srv);
    rp_srv_cleanup(&w->srv);
    rp_sink_stop(&w->smtp);
    free(w);
    return 0;
}

/* The message as the API shows it once its status is not `from` any more
 * (the scheduler thread sends within a second or two; 60 s of margin). */
static json_t *settled(rp_srv *s, long long id, const char *from)
{
    char path[80];
    snprintf(path, sizeof path, "/api/v1/messages/%lld", id);
    for (int i = 0; i < 600; i++) {
        json_t *m = rp_call(s, "GET", path, NULL, 200);
        const char *st = json_string_value(json_object_get(m, "status"));
        if (st && strcmp(st, from) && strcmp(st, "sending"))
            return m;
        json_decref(m);
        usleep(100 * 1000);
    }
    fail_msg("message %lld stayed %s", id, from);
    return NULL;
}

static long long num(json_t *j, const char *key)
{
    return (long long)json_integer_value(json_object_get(j, key));
}

static const char *str(json_t *j, const char *key)
{
    return json_string_value(json_object_get(j, key));
}

/* The header line "Name: value" of msg, or fail. */
static void expect_header(const char *msg, const char *line)
{
    if (!strstr(msg, line))
        fail_msg("no \"%s\" in:\n%s", line, msg);
}

static void test_reply_threads_back(void **state)
{
    world *w = *state;
    rp_srv *s = &w->srv;
    json_decref(rp_callf(s, "POST", "/api/v1/queues", 201,
                         "{\"name\":\"Front\",\"channels\":[\"email\"]}"));
    json_t *q = rp_callf(s, "PUT", "/api/v1/queues/1/mail", 200,
                         "{\"email_address\":\"help@shop.example\"}");
    assert_string_equal(str(q, "email_address"), "help@shop.example");
    json_decref(q);

    /* the customer writes; nobody knows them yet */
    json_t *in = rp_callf(
        s, "POST", "/api/v1/conversation/inbound", 200,
        "{\"from_address\":\"Ann.Lee@Example.com\",\"from_name\":\"Ann Lee\","
        "\"subject\":\"Kettle broken\",\"text\":\"It does not heat.\","
        "\"message_id\":\"c1@customer.example\",\"queue\":\"Front\"}");
    assert_string_equal(str(in, "outcome"), "opened");
    long long enc = num(in, "encounter_id"), cust = num(in, "customer_id");
    json_decref(in);
    char path[120];
    snprintf(path, sizeof path, "/api/v1/customers/%lld", cust);
    json_t *c = rp_call(s, "GET", path, NULL, 200);
    assert_true(json_is_true(json_object_get(c, "unconfirmed")));
    json_decref(c);
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/measures", enc);
    json_t *meas = rp_call(s, "GET", path, NULL, 200);
    assert_true(json_is_null(json_object_get(meas, "first_response_seconds")));
    json_decref(meas);

    /* a note, then the reply with an attachment ("hello\n") */
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/messages", enc);
    json_decref(rp_callf(s, "POST", path, 201,
                         "{\"kind\":\"note\",\"body\":\"Warranty ok.\"}"));
    json_t *r = rp_callf(
        s, "POST", path, 201,
        "{\"kind\":\"reply\",\"body\":\"Dear Ann,\\nplease hold the reset "
        "button.\\n.\\nA line with a dot above.\",\"attachments\":"
        "[{\"filename\":\"steps.txt\",\"content_type\":\"text/plain\","
        "\"data_base64\":\"aGVsbG8K\"}]}");
    assert_string_equal(str(r, "status"), "queued");
    long long reply = num(r, "id");
    json_decref(r);

    /* the first reply is the first response */
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/measures", enc);
    meas = rp_call(s, "GET", path, NULL, 200);
    assert_true(
        json_is_integer(json_object_get(meas, "first_response_seconds")));
    json_decref(meas);

    json_t *sent = settled(s, reply, "queued");
    assert_string_equal(str(sent, "status"), "sent");
    const char *mid = str(sent, "message_id");
    assert_non_null(mid);
    assert_non_null(strstr(mid, "@shop.example"));
    char *msg = rp_sink_read(&w->smtp, "msg-1.eml");
    char *env = rp_sink_read(&w->smtp, "msg-1.json");
    assert_non_null(msg);
    assert_non_null(strstr(env, "Ann.Lee@Example.com"));
    assert_non_null(strstr(env, "help@shop.example"));
    char line[300];
    expect_header(msg, "From: \"Support\" <help@shop.example>\r\n");
    expect_header(msg, "To: <Ann.Lee@Example.com>\r\n");
    snprintf(line, sizeof line,
             "Subject: Re: Kettle broken [Support #%lld]\r\n", enc);
    expect_header(msg, line);
    snprintf(line, sizeof line, "Message-ID: <%s>\r\n", mid);
    expect_header(msg, line);
    expect_header(msg, "In-Reply-To: <c1@customer.example>\r\n");
    expect_header(msg, "References: <c1@customer.example>\r\n");
    expect_header(msg, "X-Loop: rapport\r\n");
    expect_header(msg, "Content-Type: multipart/mixed; boundary=");
    expect_header(msg, "filename=\"steps.txt\"");
    expect_header(msg, "aGVsbG8K\r\n");
    expect_header(msg, "please hold the reset button.\r\n.\r\nA line");
    assert_null(strstr(msg, "Auto-Submitted")); /* a person wrote it */
    free(msg);
    free(env);

    /* the customer answers from their mail program: same encounter */
    char *out = NULL;
    char parent[200];
    snprintf(parent, sizeof parent, "%s", mid);
    assert_int_equal(rp_cli(s, &out, "message", "receive", "--from",
                            "ann.lee@example.com", "--subject",
                            "Re: Kettle broken", "--text", "Thanks, it works!",
                            "--message-id", "c2@customer.example",
                            "--in-reply-to", parent, "--json", NULL),
                     0);
    json_t *ans = json_loads(out, 0, NULL);
    free(out);
    assert_non_null(ans);
    assert_string_equal(str(ans, "outcome"), "threaded");
    assert_int_equal(num(ans, "encounter_id"), enc);
    assert_int_equal(num(ans, "customer_id"), cust);
    json_decref(ans);
    json_decref(sent);

    /* the same message delivered twice is stored once */
    assert_int_equal(rp_cli(s, &out, "message", "receive", "--from",
                            "ann.lee@example.com", "--text",
                            "Thanks, it works!", "--message-id",
                            "c2@customer.example", "--json", NULL),
                     0);
    ans = json_loads(out, 0, NULL);
    free(out);
    assert_string_equal(str(ans, "outcome"), "duplicate");
    json_decref(ans);
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/messages", enc);
    assert_int_equal(rp_list_count(s, path), 4); /* in, note, reply, in */

    /* the attachment is a download, never a page */
    json_t *page = rp_call(s, "GET", path, NULL, 200);
    json_t *att = json_array_get(
        json_object_get(json_array_get(json_object_get(page, "items"), 2),
                        "attachments"),
        0);
    snprintf(path, sizeof path, "/api/v1/attachments/%lld", num(att, "id"));
    json_decref(page);
    rp_http h;
    rp_http_send(s, "GET", path, NULL, NULL, 0, NULL, &h);
    assert_int_equal(h.status, 200);
    assert_int_equal(h.len, 6);
    assert_memory_equal(h.body, "hello\n", 6);
    assert_string_equal(h.content_type, "text/plain");
    rp_http_free(&h);

    /* an answer on an abandoned encounter reopens it */
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/abandon", enc);
    json_decref(rp_callf(s, "POST", path, 200,
                         "{\"reason\":\"Customer stopped answering\"}"));
    char subject[80];
    snprintf(subject, sizeof subject, "One more thing [Support #%lld]", enc);
    assert_int_equal(rp_cli(s, &out, "message", "receive", "--from",
                            "ANN.LEE@example.com", "--subject", subject,
                            "--text", "The lid is loose.", "--message-id",
                            "c3@customer.example", "--json", NULL),
                     0);
    ans = json_loads(out, 0, NULL);
    free(out);
    assert_string_equal(str(ans, "outcome"), "reopened");
    assert_int_equal(num(ans, "encounter_id"), enc);
    json_decref(ans);
    snprintf(path, sizeof path, "/api/v1/encounters/%lld", enc);
    json_t *e = rp_call(s, "GET", path, NULL, 200);
    assert_string_equal(str(e, "stage"), "received");
    json_decref(e);
}

static void test_failed_send_is_visible(void **state)
{
    world *w = *state;
    rp_srv *s = &w->srv;
    json_decref(rp_callf(s, "PUT", "/api/v1/conversation/settings", 200,
                         "{\"outbox_max_attempts\":1}"));
    json_t *in = rp_callf(
        s, "POST", "/api/v1/conversation/inbound", 200,
        "{\"from_address\":\"bob@example.org\",\"subject\":\"Invoice\","
        "\"text\":\"Where is it?\",\"message_id\":\"b1@example.org\"}");
    long long enc = num(in, "encounter_id");
    json_decref(in);
    rp_sink_stop(&w->smtp); /* the mail server is gone */
    char path[80];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/messages", enc);
    json_t *r = rp_callf(s, "POST", path, 201,
                         "{\"kind\":\"reply\",\"body\":\"It is attached.\"}");
    json_t *m = settled(s, num(r, "id"), "queued");
    json_decref(r);
    assert_string_equal(str(m, "status"), "failed");
    assert_non_null(strstr(str(m, "last_error"), "mail server"));
    json_decref(m);
}

/* The command line writes and reads the same conversation. */
static void test_cli_conversation(void **state)
{
    world *w = *state;
    rp_srv *s = &w->srv;
    json_t *in = rp_callf(
        s, "POST", "/api/v1/conversation/inbound", 200,
        "{\"from_address\":\"cleo@example.net\",\"subject\":\"Lamp\","
        "\"text\":\"It flickers.\",\"message_id\":\"l1@example.net\"}");
    char enc[24];
    snprintf(enc, sizeof enc, "%lld", num(in, "encounter_id"));
    json_decref(in);
    char file[400];
    snprintf(file, sizeof file, "%s/manual.pdf", s->dir);
    FILE *fp = fopen(file, "wb");
    assert_non_null(fp);
    fputs("%PDF-1.4 tiny", fp);
    fclose(fp);
    char *out = NULL;
    assert_int_equal(rp_cli(s, &out, "message", "reply", enc, "--body",
                            "Here is the manual.", "--attach", file, "--draft",
                            "--json", NULL),
                     0);
    json_t *d = json_loads(out, 0, NULL);
    free(out);
    assert_string_equal(str(d, "status"), "draft");
    char id[24];
    snprintf(id, sizeof id, "%lld", num(d, "id"));
    json_t *att = json_array_get(json_object_get(d, "attachments"), 0);
    assert_string_equal(str(att, "filename"), "manual.pdf");
    char attid[24];
    snprintf(attid, sizeof attid, "%lld", num(att, "id"));
    json_decref(d);
    assert_int_equal(rp_cli(s, &out, "message", "send", id, NULL), 0);
    free(out);
    assert_int_equal(rp_cli(s, &out, "message", "send", id, NULL), 3);
    free(out);
    json_t *m = settled(s, atoll(id), "queued");
    assert_string_equal(str(m, "status"), "sent");
    json_decref(m);
    assert_int_equal(rp_cli(s, &out, "message", "note", enc, "--body",
                            "Sent the manual.", NULL),
                     0);
    free(out);
    assert_int_equal(rp_cli(s, &out, "message", "list", enc, NULL), 0);
    assert_non_null(strstr(out, "Here is the manual."));
    assert_non_null(strstr(out, "Sent the manual."));
    assert_non_null(strstr(out, "It flickers."));
    free(out);
    char saved[400];
    snprintf(saved, sizeof saved, "%s/copy.pdf", s->dir);
    assert_int_equal(rp_cli(s, &out, "message", "attachment", attid, "--output",
                            saved, NULL),
                     0);
    free(out);
    fp = fopen(saved, "rb");
    assert_non_null(fp);
    char buf[64] = {0};
    assert_int_equal(fread(buf, 1, sizeof buf - 1, fp), 13);
    fclose(fp);
    assert_string_equal(buf, "%PDF-1.4 tiny");
    /* an out-of-office is kept, with the reason, for an admin to see */
    json_decref(
        rp_callf(s, "POST", "/api/v1/conversation/inbound", 200,
                 "{\"from_address\":\"cleo@example.net\",\"subject\":\"Away\","
                 "\"text\":\"Back Monday.\",\"class\":\"auto_reply\"}"));
    assert_int_equal(rp_cli(s, &out, "message", "kept", NULL), 0);
    assert_non_null(strstr(out, "automatic reply"));
    free(out);
    /* the customer is found by a phone number however it is typed */
    assert_int_equal(rp_cli(s, &out, "message", "settings",
                            "--phone-country-code", "34", NULL),
                     0);
    free(out);
    json_decref(rp_callf(s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Dora\",\"phones\":[\"+34 600 100 "
                         "200\"]}"));
    assert_int_equal(
        rp_cli(s, &out, "customer", "list", "--q", "600 100 200", NULL), 0);
    assert_non_null(strstr(out, "Dora"));
    free(out);
    rp_http h;
    const char *hdr[] = {"Content-Type: application/json", NULL};
    const char *body = "{\"name\":\"Dora two\",\"phones\":[\"600100200\"]}";
    rp_http_send(s, "POST", "/api/v1/customers", "application/json", body,
                 strlen(body), hdr + 1, &h);
    rp_assert_error(&h, 409, "conflict", "phones");
    rp_http_free(&h);
    /* a message whose fields are not text is refused naming the field */
    body = "{\"from_address\":\"cleo@example.net\",\"subject\":5}";
    rp_http_send(s, "POST", "/api/v1/conversation/inbound", "application/json",
                 body, strlen(body), hdr + 1, &h);
    rp_assert_error(&h, 400, "wrong_type", "subject");
    rp_http_free(&h);
    body = "{\"from_address\":\"not an address\",\"text\":\"hi\"}";
    rp_http_send(s, "POST", "/api/v1/conversation/inbound", "application/json",
                 body, strlen(body), hdr + 1, &h);
    rp_assert_error(&h, 422, "invalid", "from_address");
    rp_http_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reply_threads_back, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_failed_send_is_visible, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cli_conversation, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
