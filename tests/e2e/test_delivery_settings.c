/*
 * test_delivery_settings.c - the delivery settings an admin keeps in the
 * database, end to end: a real rapportd started with no mail server says
 * so (its status and a refused test), refuses bad settings naming the
 * field and changing nothing, keeps the SMTP password sealed and never
 * sends it back, sends a test email that arrives at a real SMTP sink, and
 * uses the settings for the scheduler's next run (a reminder arrives);
 * and a lead changes a queue (PATCH), with its text limits counted in
 * characters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sinks.h"

typedef struct world {
    rp_srv srv;
    rp_sink smtp;
} world;

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    unsetenv("RAPPORT_SMTP_URL");
    unsetenv("RAPPORT_SMTP_FROM");
    unsetenv("RAPPORT_WEBHOOK_URL");
    setenv("RAPPORT_SCHEDULER_INTERVAL", "0", 1);
    rp_sink_start(&w->smtp, "smtp_sink.py", "0");
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

/* The stored SMTP password, as the database holds it (caller frees). */
static char *stored_password(world *w)
{
    rp_db *db = rp_db_open(&w->srv);
    json_t *rows = rp_db_rows(db, "SELECT smtp_password FROM "
                                  "delivery_settings WHERE id = 1");
    rp_db_close(db);
    assert_int_equal(json_array_size(rows), 1);
    const char *v = json_string_value(
        json_array_get(json_array_get(rows, 0), 0));
    char *out = v ? strdup(v) : NULL;
    json_decref(rows);
    return out;
}

static void refused(world *w, const char *body, const char *field)
{
    rp_http r;
    rp_http_send(&w->srv, "PUT", "/api/v1/delivery/settings",
                 "application/json", body, strlen(body), NULL, &r);
    rp_assert_error(&r, 422, "invalid", field);
    rp_http_free(&r);
}

static void test_settings_test_and_a_run(void **state)
{
    world *w = *state;
    rp_srv *s = &w->srv;
    /* no mail server: the status says so, and a test is refused */
    json_t *st = rp_call(s, "GET", "/api/v1/delivery/status", NULL, 200);
    assert_true(json_is_false(
        json_object_get(json_object_get(st, "email"), "configured")));
    assert_true(
        json_is_null(json_object_get(json_object_get(st, "email"), "source")));
    json_decref(st);
    rp_http r;
    rp_http_send(s, "POST", "/api/v1/delivery/test", "application/json",
                 "{\"to\":\"ada@example.com\"}", 24, NULL, &r);
    rp_assert_error(&r, 409, "conflict", "smtp_url");
    /* the reason, for the console to say in the agent's words */
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(r.json, "error"), "reason")),
                        "not_set_up");
    rp_http_free(&r);

    /* bad settings are refused naming the field; nothing changes */
    refused(w, "{\"smtp_url\":\"ftp://mail.example\",\"smtp_from\":\"a@b.c\"}",
            "smtp_url");
    refused(w, "{\"smtp_url\":\"smtp://mail.example:25\"}", "smtp_from");
    refused(w,
            "{\"smtp_url\":\"smtp://m.example\",\"smtp_from\":\"not an "
            "address\"}",
            "smtp_from");
    refused(w,
            "{\"smtp_url\":\"smtp://m.example\",\"smtp_from\":\"a@b.example\","
            "\"smtp_password\":\"p\"}",
            "smtp_user");
    refused(w, "{\"webhook_url\":\"mailto:x@y.z\"}", "webhook_url");
    refused(w, "{}", NULL);
    json_t *got = rp_call(s, "GET", "/api/v1/delivery/settings", NULL, 200);
    assert_true(json_is_null(json_object_get(got, "smtp_url")));
    assert_true(json_is_false(json_object_get(got, "smtp_password_set")));
    json_decref(got);

    /* the mail server set through the API: the password sealed, never
     * sent back */
    char body[512];
    snprintf(body, sizeof body,
             "{\"smtp_url\":\"smtp://127.0.0.1:%d\",\"smtp_from\":"
             "\"desk@garage.example\",\"smtp_user\":\"desk\","
             "\"smtp_password\":\"s3cret pässword\"}",
             w->smtp.port);
    got = rp_callf(s, "PUT", "/api/v1/delivery/settings", 200, body);
    assert_true(json_is_true(json_object_get(got, "smtp_password_set")));
    char *text = json_dumps(got, 0);
    assert_null(strstr(text, "s3cret"));
    free(text);
    json_decref(got);
    char *sealed = stored_password(w);
    assert_non_null(sealed);
    assert_int_equal(strncmp(sealed, "rpsec1:", 7), 0);
    assert_null(strstr(sealed, "s3cret"));
    free(sealed);
    st = rp_call(s, "GET", "/api/v1/delivery/status", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(st, "email"), "source")),
                        "console");
    json_decref(st);

    /* a test arrives at the sink, from the sender set */
    got = rp_callf(s, "POST", "/api/v1/delivery/test", 200,
                   "{\"to\":\"ada@example.com\"}");
    assert_true(json_is_true(json_object_get(got, "sent")));
    json_decref(got);
    assert_int_equal(rp_sink_count(&w->smtp, "msg-", ".eml"), 1);
    char *msg = rp_sink_read(&w->smtp, "msg-1.eml");
    assert_non_null(strstr(msg, "A test from rapport"));
    assert_non_null(strstr(msg, "desk@garage.example"));
    assert_non_null(strstr(msg, "ada@example.com"));
    free(msg);

    /* a password left out is kept; null removes it */
    got = rp_callf(s, "PUT", "/api/v1/delivery/settings", 200,
                   "{\"smtp_user\":\"desk2\"}");
    assert_true(json_is_true(json_object_get(got, "smtp_password_set")));
    json_decref(got);
    got = rp_callf(s, "PUT", "/api/v1/delivery/settings", 200,
                   "{\"smtp_password\":null}");
    assert_true(json_is_false(json_object_get(got, "smtp_password_set")));
    json_decref(got);
    assert_null(stored_password(w));

    /* the scheduler's next run sends with the settings of the database:
     * a reminder of a customer who agreed to reminders arrives */
    json_t *c = rp_callf(s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Nora Quist\",\"emails\":"
                         "[\"nora@example.com\"]}");
    long long cid = json_integer_value(json_object_get(c, "id"));
    json_decref(c);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/consents", cid);
    json_decref(rp_callf(s, "POST", path, 201,
                         "{\"purpose\":\"reminders\",\"granted\":true}"));
    snprintf(path, sizeof path, "/api/v1/customers/%lld/dates", cid);
    json_decref(rp_callf(s, "POST", path, 201,
                         "{\"kind\":\"appointment\",\"title\":\"car "
                         "service\",\"at\":\"2030-05-10T09:00:00Z\"}"));
    got = rp_callf(s, "POST", "/api/v1/scheduler/run", 200,
                   "{\"now\":\"2030-05-09T09:00:00Z\"}");
    assert_true(json_array_size(json_object_get(got, "sent")) >= 1);
    json_decref(got);
    assert_true(rp_sink_count(&w->smtp, "msg-", ".eml") >= 2);
}

static void test_a_lead_changes_a_queue(void **state)
{
    world *w = *state;
    rp_srv *s = &w->srv;
    char lead[160], admin[160];
    snprintf(admin, sizeof admin, "%s", s->token);
    rp_srv_token_for(s, "lead", lead, sizeof lead);
    snprintf(s->token, sizeof s->token, "%s", lead);
    json_t *q = rp_callf(s, "POST", "/api/v1/queues", 201,
                         "{\"name\":\"Billing\",\"skills\":[\"Billing\"]}");
    long long id = json_integer_value(json_object_get(q, "id"));
    json_decref(q);
    json_decref(
        rp_callf(s, "POST", "/api/v1/queues", 201, "{\"name\":\"Workshop\"}"));
    char path[64];
    snprintf(path, sizeof path, "/api/v1/queues/%lld", id);
    q = rp_callf(s, "PATCH", path, 200,
                 "{\"skills\":[\"Español\",\"billing\"],\"channels\":"
                 "[\"email\"]}");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(q, "skills"), 0)),
        "español");
    assert_string_equal(json_string_value(json_object_get(q, "name")),
                        "Billing");
    json_decref(q);
    rp_http r;
    /* another queue's name, an unknown channel, nothing at all: refused */
    rp_http_send(s, "PATCH", path, "application/json",
                 "{\"name\":\"Workshop\"}", 19, NULL, &r);
    rp_assert_error(&r, 409, "conflict", "name");
    /* the reason, for the console to say in the agent's words */
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(r.json, "error"), "reason")),
                        "taken");
    rp_http_free(&r);
    rp_http_send(s, "PATCH", path, "application/json",
                 "{\"channels\":[\"fax\"]}", 20, NULL, &r);
    rp_assert_error(&r, 422, "invalid", "channels");
    rp_http_free(&r);
    rp_http_send(s, "PATCH", path, "application/json", "{}", 2, NULL, &r);
    rp_assert_error(&r, 422, "invalid", NULL);
    rp_http_free(&r);
    /* names count characters: 100 emoji fit, 101 do not */
    char *name = rp_repeat("\xF0\x9F\x8D\x89", 100);
    json_t *body = json_pack("{s:s}", "name", name);
    q = rp_call(s, "PATCH", path, body, 200);
    assert_string_equal(json_string_value(json_object_get(q, "name")), name);
    json_decref(q);
    json_decref(body);
    free(name);
    name = rp_repeat("e\xCC\x81", 51); /* 102 code points */
    body = json_pack("{s:s}", "name", name);
    char *text = json_dumps(body, 0);
    rp_http_send(s, "PATCH", path, "application/json", text, strlen(text), NULL,
                 &r);
    rp_assert_error(&r, 422, "invalid", "name");
    rp_http_free(&r);
    free(text);
    json_decref(body);
    free(name);
    rp_http_send(s, "PATCH", path, "application/json",
                 "{\"name\":\"\xC3\x28\"}", 13, NULL, &r);
    assert_true(r.status == 400 || r.status == 422);
    rp_http_free(&r);
    q = rp_call(s, "GET", "/api/v1/queues", NULL, 200);
    json_t *first = json_array_get(json_object_get(q, "items"), 0);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(first, "channels"), 0)),
                        "email");
    json_decref(q);
    snprintf(s->token, sizeof s->token, "%s", admin);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_settings_test_and_a_run, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_lead_changes_a_queue, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
