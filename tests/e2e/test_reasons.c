/*
 * test_reasons.c - refusals the console meets carry a stable reason.
 *
 * The console says a refusal in the agent's language from its reason
 * (web/js/errors.js); a refusal without one falls back to the server's
 * English.  These are the refusals that had none: a file to import (its
 * columns, its rows, a file that is not CSV), the desk's conversation
 * settings, a follow-up moved into the past, an erasure over a tampered
 * ledger, and what the CLI prints.  Each is answered with its reason and
 * changes nothing (the database's fingerprint is the same before and
 * after, the audit log left out).
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int volatile_table(const char *name)
{
    /* a refusal is on the record (the audit), and a token's last use */
    return strstr(name, "login") || strstr(name, "session") ||
           strstr(name, "token") || strstr(name, "attempt") ||
           strstr(name, "throttle") || strstr(name, "audit");
}

static unsigned long long fingerprint(rp_srv *s)
{
    rp_db *db = rp_db_open(s);
    unsigned long long f = rp_db_fingerprint(db, volatile_table);
    rp_db_close(db);
    return f;
}

/* The error's reason in r. */
static const char *reason_of(rp_http *r)
{
    return json_string_value(
        json_object_get(json_object_get(r->json, "error"), "reason"));
}

/* Send and check status, code, field and reason; and that nothing
 * changed. */
static void refused(rp_srv *s, const char *method, const char *path,
                    const char *type, const char *body, long status,
                    const char *code, const char *field, const char *reason)
{
    unsigned long long before = fingerprint(s);
    rp_http r;
    rp_http_send(s, method, path, type, body, body ? strlen(body) : 0, NULL,
                 &r);
    rp_assert_error(&r, status, code, field);
    if (!reason_of(&r) || strcmp(reason_of(&r), reason))
        fprintf(stderr, "reasons: %s %s: %s\n", method, path,
                r.body ? r.body : "");
    assert_non_null(reason_of(&r));
    assert_string_equal(reason_of(&r), reason);
    rp_http_free(&r);
    if (fingerprint(s) != before)
        fprintf(stderr, "reasons: %s %s changed the database\n", method, path);
    assert_true(fingerprint(s) == before);
}

static void test_import_reasons(void **state)
{
    rp_srv *s = *state;
    /* a column mapped that the file lacks; no column for the name; a file
     * that is not CSV (a quote never closed) */
    refused(s, "POST", "/api/v1/imports/customers?map=Nom%3Dname", "text/csv",
            "Client,Mail\nAda,ada@example.com\n", 422, "invalid", "map",
            "no_such_column");
    refused(s, "POST", "/api/v1/imports/customers?map=Mail%3Demail", "text/csv",
            "Client,Mail\nAda,ada@example.com\n", 422, "invalid", "map",
            "no_name_column");
    refused(s, "POST", "/api/v1/imports/customers", "text/csv",
            "name\n\"open\n", 422, "invalid", "file", "unreadable");
    refused(s, "POST", "/api/v1/imports/customers", "text/csv", "", 422,
            "invalid", "file", "unreadable");

    /* a row refused: the report names the rule it broke beside its words */
    const char csv[] = "Client,Mail\n"
                       "Grace Hopper,grace@e2e.example\n"
                       "Alan Turing,not an address\n"
                       "Only one field\n";
    unsigned long long before = fingerprint(s);
    rp_http r;
    rp_http_send(s, "POST",
                 "/api/v1/imports/customers?dry_run=true&map=Client%3Dname"
                 "%3BMail%3Demail",
                 "text/csv", csv, sizeof csv - 1, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *refusals = json_object_get(r.json, "refusals");
    assert_int_equal(json_array_size(refusals), 2);
    json_t *bad = json_array_get(refusals, 0);
    assert_string_equal(json_string_value(json_object_get(bad, "column")),
                        "Mail");
    assert_string_equal(json_string_value(json_object_get(bad, "rule")),
                        "not_an_email");
    assert_non_null(json_string_value(json_object_get(bad, "reason")));
    json_t *short_row = json_array_get(refusals, 1);
    assert_string_equal(json_string_value(json_object_get(short_row, "rule")),
                        "unreadable");
    rp_http_free(&r);
    assert_true(fingerprint(s) == before);
}

static void test_settings_and_tasks(void **state)
{
    rp_srv *s = *state;
    refused(s, "PUT", "/api/v1/conversation/settings", "application/json",
            "{\"desk_name\":\"Help #1\"}", 422, "invalid", "desk_name",
            "not_allowed");
    refused(s, "PUT", "/api/v1/conversation/settings", "application/json", "{}",
            422, "invalid", NULL, "nothing_to_change");
    /* a queue's address */
    json_t *q = rp_callf(s, "POST", "/api/v1/queues", 201,
                         "{\"name\":\"Letters\"}");
    char qpath[96];
    snprintf(qpath, sizeof qpath, "/api/v1/queues/%lld/mail",
             (long long)json_integer_value(json_object_get(q, "id")));
    json_decref(q);
    refused(s, "PUT", qpath, "application/json",
            "{\"email_address\":\"not an address\"}", 422, "invalid",
            "email_address", "not_an_email");
    refused(s, "PUT", qpath, "application/json", "{}", 422, "invalid", NULL,
            "nothing_to_change");

    /* a follow-up moved into the past */
    json_t *c = rp_callf(s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Ada Lovelace\"}");
    char path[128], body[160];
    snprintf(path, sizeof path, "/api/v1/encounters");
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"phone\",\"subject\":\"x\"}",
             (long long)json_integer_value(json_object_get(c, "id")));
    json_t *e = rp_callf(s, "POST", path, 201, body);
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/follow_ups",
             (long long)json_integer_value(json_object_get(e, "id")));
    json_t *task = rp_callf(s, "POST", path, 201,
                            "{\"due_at\":\"2099-01-01T10:00:00Z\","
                            "\"subject\":\"Call Ada back\"}");
    snprintf(path, sizeof path, "/api/v1/tasks/%lld/move",
             (long long)json_integer_value(json_object_get(task, "id")));
    refused(s, "POST", path, "application/json",
            "{\"due_at\":\"2001-01-01T10:00:00Z\"}", 422, "invalid", "due_at",
            "in_the_past");
    json_decref(task);
    json_decref(e);
    json_decref(c);
}

static void test_tampered_ledger(void **state)
{
    rp_srv *s = *state;
    if (s->pgdb[0]) /* the trigger's name and syntax are SQLite's here */
        skip();
    json_t *c = rp_callf(s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Tamsin Tampered\"}");
    long long id = json_integer_value(json_object_get(c, "id"));
    json_decref(c);
    /* someone rewrites a moment behind rapport's back */
    char sql[512];
    snprintf(sql, sizeof sql,
             "DROP TRIGGER moments_are_append_only_u;"
             "UPDATE moments SET summary = 'Became a customer: someone else' "
             "WHERE customer_id = %lld;",
             id);
    assert_int_equal(rp_db_exec(s, sql), 0);
    char path[96];
    snprintf(path, sizeof path,
             "/api/v1/customers/%lld?requested_by=Tamsin%%20herself", id);
    refused(s, "DELETE", path, NULL, NULL, 409, "conflict", NULL, "tampered");
}

static void test_cli_prints_the_reason(void **state)
{
    rp_srv *s = *state;
    char cmd[1400], out[2048];
    snprintf(cmd, sizeof cmd,
             "%s --db '%s' customer add --name 'Ada' --email 'not an "
             "address' 2>&1",
             RAPPORT_CLI_PATH, s->db);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    pclose(p);
    if (!strstr(out, "reason: not_an_email"))
        fprintf(stderr, "reasons: the CLI printed: %s\n", out);
    assert_non_null(strstr(out, "field: emails"));
    assert_non_null(strstr(out, "reason: not_an_email"));
}

/* A server whose scheduler, mail and events threads write nothing by
 * themselves, so that an unchanged fingerprint means the refusal changed
 * nothing. */
static int quiet_start(void **state)
{
    rp_srv *s = calloc(1, sizeof *s);
    assert_non_null(s);
    rp_srv_init(s);
    snprintf(s->extra_env, sizeof s->extra_env, "RAPPORT_SCHEDULER_INTERVAL=0");
    rp_srv_start(s);
    *state = s;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_reasons, quiet_start,
                                        rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(test_settings_and_tasks, quiet_start,
                                        rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(test_tampered_ledger, quiet_start,
                                        rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(test_cli_prints_the_reason, quiet_start,
                                        rp_srv_fixture_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
