/*
 * test_privacy.c - the customer's export and the audit log, end to end.
 *
 * The export is checked against the database itself: every table that has
 * a customer_id column (found in the live schema, so a table added later
 * is covered without editing this file) must have each of the customer's
 * rows in the archive, under the section of its name.  The audit log is
 * checked for reads and changes made through the console (a session with
 * its CSRF token) and the API (a token), refusals, and failed sign-ins.
 * The customer's own flow: ask from their help page, wait for an agent's
 * approval, download.
 */
#include "base/buf.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BOUNDARY "rapportPrivacyBoundary4tE1aQ"

/* ---- helpers ------------------------------------------------------------- */

/* Send the help form as name <email> with a small file; the status link's
 * token into token (65). */
static void ask_help(rp_srv *s, const char *email, char token[65])
{
    rp_buf b = RP_BUF_INIT;
    const char *pairs[] = {"name",    "Ahmad",   "email",   email,
                           "subject", "My data", "message", "A phrase of mine",
                           "website", "",        NULL};
    for (int i = 0; pairs[i]; i += 2)
        rp_buf_printf(&b,
                      "--" BOUNDARY "\r\nContent-Disposition: form-data; "
                      "name=\"%s\"\r\n\r\n%s\r\n",
                      pairs[i], pairs[i + 1]);
    rp_buf_puts(&b, "--" BOUNDARY "\r\nContent-Disposition: form-data; "
                    "name=\"attachment\"; filename=\"receipt.txt\"\r\n"
                    "Content-Type: text/plain\r\n\r\nreceipt 42\r\n--" BOUNDARY
                    "--\r\n");
    rp_http r;
    rp_http_send(s, "POST", "/help", "multipart/form-data; boundary=" BOUNDARY,
                 rp_buf_str(&b), b.len, NULL, &r);
    rp_buf_free(&b);
    assert_int_equal(r.status, 201);
    const char *p = strstr(r.body, "/help/r/");
    assert_non_null(p);
    memcpy(token, p + 8, 64);
    token[64] = '\0';
    rp_http_free(&r);
}

/* How many audit entries match where (an SQL condition of this test's). */
static long audit_count(rp_srv *s, const char *where)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_log WHERE %s", where);
    return (long)rp_db_number(s, sql);
}

/* Wait (generously: the machine may be loaded) until where matches. */
static long audit_wait(rp_srv *s, const char *where)
{
    long n = 0;
    for (int i = 0; i < 100 && (n = audit_count(s, where)) == 0; i++)
        usleep(100 * 1000);
    if (n == 0)
        fprintf(stderr, "privacy: no audit entry where %s\n", where);
    return n;
}

/* ---- the export holds every row --------------------------------------- */

static void test_export_holds_every_row(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    char *out = NULL;
    assert_int_equal(rp_cli(&s, &out, "demo", NULL), 0);
    free(out);
    /* customer 3 of the demo (the juice maker) has a long history; add
     * what the demo leaves out: a conversation with a file and its help
     * link, an export request, a date, a defect, a special request, a
     * transfer, an offer, reads and changes on the audit log */
    const long long c = 3;
    char token[65], path[256];
    ask_help(&s, "ahmad@juicebar.example", token);
    snprintf(path, sizeof path, "/help/r/%s/export", token);
    rp_http r;
    rp_http_send(&s, "POST", path, "application/x-www-form-urlencoded", "", 0,
                 NULL, &r);
    assert_int_equal(r.status, 303);
    rp_http_free(&r);
    json_t *e = rp_callf(&s, "POST", "/api/v1/encounters", 201,
                         "{\"customer_id\":3,\"channel\":\"phone\","
                         "\"subject\":\"Juicer parts\"}");
    long long enc = json_integer_value(json_object_get(e, "id"));
    json_decref(e);
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/defects", enc);
    json_decref(rp_callf(&s, "POST", path, 201,
                         "{\"kind\":\"long_wait\",\"cause\":\"waited\"}"));
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/special_requests",
             enc);
    json_decref(rp_callf(&s, "POST", path, 201,
                         "{\"description\":\"Early delivery\","
                         "\"outcome\":\"granted\"}"));
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/transfers", enc);
    json_decref(rp_callf(&s, "POST", path, 201,
                         "{\"reason\":\"Billing question\","
                         "\"to_queue_id\":3}"));
    /* the scheduler run as if two days later finds that encounter
     * unanswered: breaches of the charter, recorded for the customer */
    char run[64], when[32];
    time_t later = time(NULL) + 2 * 86400;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&later));
    snprintf(run, sizeof run, "{\"now\":\"%s\"}", when);
    json_decref(rp_callf(&s, "POST", "/api/v1/scheduler/run", 200, run));
    json_decref(rp_callf(&s, "POST", "/api/v1/customers/3/dates", 201,
                         "{\"kind\":\"appointment\",\"title\":\"Tasting\","
                         "\"at\":\"2030-01-02T09:00:00Z\"}"));
    for (int p = 1; p <= 3; p++) {
        snprintf(path, sizeof path,
                 "/api/v1/customers/3/recommendations/%d/accept", p);
        rp_http_send(&s, "POST", path, "application/json",
                     "{\"reason\":\"asked\"}", 18, NULL, &r);
        rp_http_free(&r);
    }
    json_decref(rp_call(&s, "GET", "/api/v1/customers/3/overview", NULL, 200));
    /* the read above is written by the background writer: wait for it, so
     * that the archive's audit section is complete */
    assert_true(audit_wait(&s, "customer_id = 3 AND action = 'read'") > 0);

    rp_http_send(&s, "GET", "/api/v1/customers/3/export", NULL, NULL, 0, NULL,
                 &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "application/json"));
    json_t *archive = json_incref(r.json);
    rp_http_free(&r);
    assert_non_null(archive);
    assert_string_equal(json_string_value(json_object_get(archive, "format")),
                        "rapport-export/1");
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(archive, "customer"), "id")),
                     c);

    /* every row of every customer table, by id, in its section */
    rp_db *db = rp_db_open(&s);
    json_t *tables = rp_db_rows(
        db, rp_e2e_pg()
                ? "SELECT DISTINCT c.relname FROM pg_class c JOIN pg_namespace"
                  " n ON n.oid = c.relnamespace JOIN pg_attribute a ON"
                  " a.attrelid = c.oid WHERE n.nspname = 'public' AND"
                  " c.relkind IN ('r', 'p') AND a.attname = 'customer_id'"
                  " AND NOT a.attisdropped ORDER BY 1"
                : "SELECT DISTINCT m.name FROM sqlite_master m,"
                  " pragma_table_info(m.name) p WHERE m.type ="
                  " 'table' AND p.name = 'customer_id' ORDER BY 1");
    int checked = 0, empty = 0, missing = 0;
    long rows = 0;
    size_t ti;
    json_t *trow;
    json_array_foreach(tables, ti, trow) {
        const char *t = json_string_value(json_array_get(trow, 0));
        /* each customer's newest moment, kept by a trigger for the
         * service metrics, is a figure drawn from the moments (which the
         * export holds), not a record of its own */
        if (!strcmp(t, "measure_moment_customers"))
            continue;
        const char *section = !strcmp(t, "audit_log") ? "audit" : t;
        json_t *items = json_object_get(archive, section);
        if (!json_is_array(items)) {
            fprintf(stderr, "privacy: table %s has no section in the export\n",
                    t);
            missing++;
            continue;
        }
        char sql[200];
        snprintf(sql, sizeof sql,
                 "SELECT id FROM \"%s\" WHERE customer_id = %lld ORDER BY id",
                 t, c);
        json_t *ids = rp_db_rows(db, sql);
        int n = 0;
        size_t ri;
        json_t *rrow;
        json_array_foreach(ids, ri, rrow) {
            long long id = atoll(json_string_value(json_array_get(rrow, 0)));
            int found = 0;
            size_t i;
            json_t *item;
            json_array_foreach(items, i, item)
                found |= json_integer_value(json_object_get(item, "id")) == id;
            if (!found) {
                fprintf(stderr, "privacy: %s row %lld is not in the export\n",
                        t, id);
                missing++;
            }
            n++;
        }
        json_decref(ids);
        /* and nothing of anyone else */
        if ((size_t)n != json_array_size(items) && strcmp(t, "audit_log")) {
            fprintf(stderr, "privacy: %s has %d rows, the export %zu\n", t, n,
                    json_array_size(items));
            missing++;
        }
        if (n == 0) {
            fprintf(stderr,
                    "privacy: (table %s has nothing of customer %lld)\n", t, c);
            empty++;
        }
        rows += n;
        checked++;
    }
    json_decref(tables);
    rp_db_close(db);
    fprintf(stderr, "privacy: %d tables, %ld rows of customer %lld checked\n",
            checked, rows, c);
    assert_int_equal(missing, 0);
    assert_true(checked >= 20);
    /* a full history: at most the webhook events are missing (no
     * subscription in this test) */
    assert_true(empty <= 1);

    /* the file's content, the help link without its hash */
    json_t *att = json_array_get(json_object_get(archive, "attachments"), 0);
    assert_string_equal(json_string_value(json_object_get(att, "data_base64")),
                        "cmVjZWlwdCA0Mg==");
    json_t *link = json_array_get(json_object_get(archive, "help_links"), 0);
    assert_null(json_object_get(link, "token_hash"));
    char *dumped = json_dumps(archive, 0);
    assert_non_null(strstr(dumped, "A phrase of mine"));
    free(dumped);
    /* the export itself and who read the data are in it */
    int export_seen = 0, read_seen = 0;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(archive, "audit"), i, a) {
        const char *action = json_string_value(json_object_get(a, "action"));
        export_seen |= !strcmp(action, "export");
        read_seen |= !strcmp(action, "read") &&
                     strstr(json_string_value(json_object_get(a, "what")),
                            "read the overview of") != NULL;
    }
    assert_true(export_seen);
    assert_true(read_seen);
    json_decref(archive);

    /* the readable page and the command line say the same */
    rp_http_send(&s, "GET", "/api/v1/customers/3/export?format=html", NULL,
                 NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Everything we hold about"));
    assert_non_null(strstr(r.body, "A phrase of mine"));
    assert_null(strstr(r.body, "<script"));
    rp_http_free(&r);
    char file[400];
    snprintf(file, sizeof file, "%s/export.json", s.dir);
    assert_int_equal(
        rp_cli(&s, &out, "customer", "export", "3", "--out", file, NULL), 0);
    free(out);
    json_error_t jerr;
    json_t *from_cli = json_load_file(file, 0, &jerr);
    assert_non_null(from_cli);
    assert_int_equal(json_array_size(json_object_get(from_cli, "messages")),
                     (size_t)rp_db_count(&s, "messages"));
    json_decref(from_cli);
    assert_true(audit_count(&s, "action = 'export' AND via = 'cli' AND "
                                "customer_id = 3") == 1);
    assert_int_equal(
        rp_cli(&s, &out, "customer", "export", "999999", "--out", file, NULL),
        4);
    free(out);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

/* ---- the audit log: console and API, reads and changes ---------------- */

/* The session cookie's "name=value" from a Set-Cookie header. */
static void cookie_of(const rp_http *r, char *out, size_t n)
{
    size_t len = strcspn(r->set_cookie, ";");
    assert_true(len > 0 && len < n);
    memcpy(out, r->set_cookie, len);
    out[len] = '\0';
}

static void test_audit_records_console_and_api(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    char *out = NULL;
    assert_int_equal(rp_cli(&s, &out, "demo", NULL), 0);
    free(out);
    char where[256];

    /* the API, with a token: a read, a change, a refusal */
    json_decref(rp_call(&s, "GET", "/api/v1/customers/4", NULL, 200));
    json_decref(rp_callf(&s, "PATCH", "/api/v1/customers/4", 200,
                         "{\"notes\":\"Prefers navy\"}"));
    /* the change is in the same transaction: there at once */
    snprintf(where, sizeof where,
             "action = 'change' AND via = 'token' AND agent_id = %lld AND "
             "customer_id = 4 AND method = 'PATCH' AND route = "
             "'/api/v1/customers/{id}'",
             s.admin_id);
    assert_int_equal(audit_count(&s, where), 1);
    rp_http r;
    rp_http_send(&s, "PATCH", "/api/v1/customers/4", "application/json",
                 "{\"name\":\"\"}", 11, NULL, &r);
    assert_int_equal(r.status, 422);
    rp_http_free(&r);
    assert_int_equal(audit_count(&s, "action = 'refused' AND customer_id = 4 "
                                     "AND code = 'invalid' AND field = "
                                     "'name' AND status = 422"),
                     1);
    snprintf(where, sizeof where,
             "action = 'read' AND via = 'token' AND agent_id = %lld AND "
             "customer_id = 4 AND route = '/api/v1/customers/{id}' AND "
             "address = '127.0.0.1'",
             s.admin_id);
    assert_true(audit_wait(&s, where) == 1);
    /* a conversation read through its encounter names the customer */
    json_decref(rp_call(&s, "GET", "/api/v1/encounters/3/messages", NULL, 200));
    assert_true(audit_wait(&s,
                           "action = 'read' AND subject = 'encounter' AND "
                           "subject_id = 3 AND customer_id = (SELECT "
                           "customer_id FROM encounters WHERE id = 3)") == 1);

    /* the console: a failed sign-in, a sign-in, a read and a change with
     * the session and its CSRF token */
    char saved[sizeof s.token], body[300];
    memcpy(saved, s.token, sizeof saved);
    s.token[0] = '\0';
    snprintf(body, sizeof body,
             "{\"email\":\"%s\",\"password\":\"not the password\"}",
             s.admin_email);
    rp_http_send(&s, "POST", "/api/v1/session", "application/json", body,
                 strlen(body), NULL, &r);
    assert_int_equal(r.status, 401);
    rp_http_free(&r);
    snprintf(where, sizeof where,
             "action = 'login_failed' AND agent_id = %lld AND address = "
             "'127.0.0.1'",
             s.admin_id);
    assert_int_equal(audit_count(&s, where), 1);
    rp_http_send(&s, "POST", "/api/v1/session", "application/json",
                 "{\"email\":\"nobody@example.com\",\"password\":\"xxxxxxxxxxx"
                 "x\"}",
                 56, NULL, &r);
    assert_int_equal(r.status, 401);
    rp_http_free(&r);
    assert_int_equal(audit_count(&s, "action = 'login_failed' AND agent_id IS "
                                     "NULL"),
                     1);
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}",
             s.admin_email, s.admin_password);
    rp_http_send(&s, "POST", "/api/v1/session", "application/json", body,
                 strlen(body), NULL, &r);
    assert_int_equal(r.status, 201);
    char cookie[200], cookie_hdr[260], csrf_hdr[200];
    cookie_of(&r, cookie, sizeof cookie);
    snprintf(cookie_hdr, sizeof cookie_hdr, "Cookie: %s", cookie);
    snprintf(csrf_hdr, sizeof csrf_hdr, "X-CSRF-Token: %s",
             json_string_value(json_object_get(r.json, "csrf_token")));
    rp_http_free(&r);
    snprintf(where, sizeof where, "action = 'login' AND agent_id = %lld",
             s.admin_id);
    assert_int_equal(audit_count(&s, where), 1);
    const char *with_cookie[] = {cookie_hdr, NULL};
    const char *with_csrf[] = {cookie_hdr, csrf_hdr, NULL};
    rp_http_send(&s, "GET", "/api/v1/customers/6/overview", NULL, NULL, 0,
                 with_cookie, &r);
    assert_int_equal(r.status, 200);
    rp_http_free(&r);
    rp_http_send(&s, "PATCH", "/api/v1/customers/6", "application/json",
                 "{\"notes\":\"Called back\"}", 23, with_csrf, &r);
    assert_int_equal(r.status, 200);
    rp_http_free(&r);
    snprintf(where, sizeof where,
             "action = 'change' AND via = 'session' AND agent_id = %lld AND "
             "customer_id = 6",
             s.admin_id);
    assert_int_equal(audit_count(&s, where), 1);
    /* without the CSRF token: refused, and on the record */
    rp_http_send(&s, "PATCH", "/api/v1/customers/6", "application/json",
                 "{\"notes\":\"Forged\"}", 18, with_cookie, &r);
    assert_int_equal(r.status, 403);
    rp_http_free(&r);
    assert_int_equal(audit_count(&s, "action = 'refused' AND code = 'csrf' AND "
                                     "customer_id = 6"),
                     1);
    snprintf(where, sizeof where,
             "action = 'read' AND via = 'session' AND agent_id = %lld AND "
             "customer_id = 6 AND route = '/api/v1/customers/{id}/overview'",
             s.admin_id);
    assert_true(audit_wait(&s, where) == 1);
    memcpy(s.token, saved, sizeof saved);

    /* searchable through the API, in words; for admins only */
    json_t *page = rp_call(&s, "GET", "/api/v1/audit?customer_id=6&limit=50",
                           NULL, 200);
    int said = 0;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(page, "items"), i, item) {
        const char *text = json_string_value(json_object_get(item, "text"));
        assert_int_equal(
            json_integer_value(json_object_get(item, "customer_id")), 6);
        said |= strstr(text, "read the overview of") &&
                strstr(text, "from 127.0.0.1") && !strstr(text, "/api/");
    }
    assert_true(said);
    json_decref(page);
    snprintf(where, sizeof where, "/api/v1/audit?agent_id=%lld&action=login",
             s.admin_id);
    page = rp_call(&s, "GET", where, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(page, "items")), 1);
    json_decref(page);
    page = rp_call(&s, "GET", "/api/v1/audit?from=2999-01-01T00:00:00Z", NULL,
                   200);
    assert_int_equal(json_array_size(json_object_get(page, "items")), 0);
    json_decref(page);
    rp_http_send(&s, "GET", "/api/v1/audit?action=dance", NULL, NULL, 0, NULL,
                 &r);
    rp_assert_error(&r, 422, "invalid", "action");
    rp_http_free(&r);
    char agent_token[160];
    rp_srv_token_for(&s, "agent", agent_token, sizeof agent_token);
    memcpy(s.token, agent_token, sizeof agent_token);
    rp_http_send(&s, "GET", "/api/v1/audit", NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 403);
    rp_http_free(&r);
    memcpy(s.token, saved, sizeof saved);

    /* append-only: the database itself refuses to rewrite it */
    assert_int_equal(rp_db_exec(&s, "UPDATE audit_log SET agent_id = 99"), 1);
    assert_int_equal(rp_db_exec(&s, "DELETE FROM audit_log"), 1);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

/* ---- the customer asks, an agent approves, the customer downloads ----- */

static void test_request_approval_download(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    char token[65], path[256];
    ask_help(&s, "marta@example.com", token);
    rp_http r;
    snprintf(path, sizeof path, "/help/r/%s", token);
    rp_http_send(&s, "GET", path, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Ask for a copy of my data"));
    rp_http_free(&r);
    /* nothing to download before it is asked for and approved */
    snprintf(path, sizeof path, "/help/r/%s/export", token);
    rp_http_send(&s, "GET", path, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 403);
    rp_http_free(&r);
    rp_http_send(&s, "POST", path, "application/x-www-form-urlencoded", "", 0,
                 NULL, &r);
    assert_int_equal(r.status, 303);
    rp_http_free(&r);
    /* asking twice makes one request */
    rp_http_send(&s, "POST", path, "application/x-www-form-urlencoded", "", 0,
                 NULL, &r);
    assert_int_equal(r.status, 303);
    rp_http_free(&r);
    rp_http_send(&s, "GET", path, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 403);
    rp_http_free(&r);
    snprintf(path, sizeof path, "/help/r/%s", token);
    rp_http_send(&s, "GET", path, NULL, NULL, 0, NULL, &r);
    assert_non_null(strstr(r.body, "will look at your request"));
    rp_http_free(&r);

    json_t *list = rp_call(&s, "GET", "/api/v1/export_requests?status=pending",
                           NULL, 200);
    json_t *items = json_object_get(list, "items");
    assert_int_equal(json_array_size(items), 1);
    long long id = json_integer_value(
        json_object_get(json_array_get(items, 0), "id"));
    long long customer = json_integer_value(
        json_object_get(json_array_get(items, 0), "customer_id"));
    json_decref(list);
    snprintf(path, sizeof path, "/api/v1/export_requests/%lld/approve", id);
    json_t *done = rp_callf(&s, "POST", path, 200, "{}");
    assert_string_equal(json_string_value(json_object_get(done, "status")),
                        "approved");
    json_decref(done);
    rp_http_send(&s, "POST", path, "application/json", "{}", 2, NULL, &r);
    rp_assert_error(&r, 409, "conflict", NULL);
    rp_http_free(&r);
    char where[200];
    snprintf(where, sizeof where,
             "action = 'change' AND subject = 'export_request' AND "
             "customer_id = %lld",
             customer);
    assert_int_equal(audit_count(&s, where), 1);

    snprintf(path, sizeof path, "/help/r/%s", token);
    rp_http_send(&s, "GET", path, NULL, NULL, 0, NULL, &r);
    assert_non_null(strstr(r.body, "is ready"));
    rp_http_free(&r);
    char saved[sizeof s.token];
    memcpy(saved, s.token, sizeof saved);
    s.token[0] = '\0'; /* the customer has no credentials */
    snprintf(path, sizeof path, "/help/r/%s/export", token);
    rp_http_send(&s, "GET", path, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(r.json);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(r.json, "customer"), "id")),
                     customer);
    assert_int_equal(json_array_size(json_object_get(r.json, "messages")), 1);
    rp_http_free(&r);
    snprintf(path, sizeof path, "/help/r/%s/export?format=html", token);
    rp_http_send(&s, "GET", path, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Everything we hold about Ahmad"));
    rp_http_free(&r);
    memcpy(s.token, saved, sizeof saved);
    snprintf(where, sizeof where,
             "action = 'export' AND via = 'customer' AND customer_id = %lld",
             customer);
    assert_int_equal(audit_count(&s, where), 2);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);

    /* granted at once when the desk says so */
    rp_srv_init(&s);
    snprintf(s.extra_env, sizeof s.extra_env, "RAPPORT_EXPORT_AUTO=1");
    rp_srv_start(&s);
    ask_help(&s, "auto@example.com", token);
    snprintf(path, sizeof path, "/help/r/%s/export", token);
    rp_http_send(&s, "POST", path, "application/x-www-form-urlencoded", "", 0,
                 NULL, &r);
    assert_int_equal(r.status, 303);
    rp_http_free(&r);
    rp_http_send(&s, "GET", path, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    rp_http_free(&r);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export_holds_every_row),
        cmocka_unit_test(test_audit_records_console_and_api),
        cmocka_unit_test(test_request_approval_download),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
