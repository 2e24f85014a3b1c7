/*
 * e2e_store_copy.c - `rapport store copy` moving a desk from SQLite onto
 * the fixture's PostgreSQL 15, end to end with the real programs.
 *
 * A desk is built on SQLite through the real rapportd and CLI: the demo
 * stories, generated customers with encounters (and so moments of truth),
 * and an email with an attachment (a blob).  It is copied into a database
 * of its own on the fixture's server, then rapportd is started on the
 * copy and must serve the same customers and 360 views with the same API
 * token, take a new encounter, and leave a ledger that verifies.  A copy
 * stopped after a few batches (--batches) and one killed with SIGKILL each
 * go on when run again and end identical, table by table and row by row,
 * to a copy made in one run.  A copy into a database that holds a desk is
 * refused and changes nothing in it.
 */
#include <libpq-fe.h>
#include <sqlite3.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../e2e/harness.h"
#include "base/buf.h"
#include "support/pg_db.h"

static rp_srv sqlite_desk;
static const char *server;  /* the fixture's conninfo, without dbname */
static char copied[3][200]; /* the first copy's target, and the others' */
static char *fingerprint_one_run;

/* Make an empty database of this test and fill conninfo with its name. */
static void new_database(const char *suffix, char *conninfo, size_t n)
{
    char name[64];
    snprintf(name, sizeof name, "copy_%d_%s", (int)getpid(), suffix);
    rp_test_pg_create_empty(server, name);
    snprintf(conninfo, n, "%s dbname=%s", server, name);
}

/*
 * A fingerprint of every row of every table of a PostgreSQL database
 * (new string): per table in name order, its name and the md5 of its
 * rows as text in sorted order.  Two databases with equal fingerprints
 * hold the same rows.  Left out: schema_version, each database's own
 * record of when it was migrated.
 */
static char *pg_fingerprint(const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *t = PQexec(c, "SELECT tablename FROM pg_tables WHERE "
                            "schemaname = current_schema()"
                            " AND tablename <> 'schema_version' ORDER BY 1");
    assert_int_equal(PQresultStatus(t), PGRES_TUPLES_OK);
    rp_buf out = RP_BUF_INIT;
    for (int i = 0; i < PQntuples(t); i++) {
        char sql[400];
        const char *name = PQgetvalue(t, i, 0);
        snprintf(sql, sizeof sql,
                 "SELECT count(*), md5(coalesce(string_agg(r::text, '|'"
                 " ORDER BY r::text), '')) FROM \"%s\" r",
                 name);
        PGresult *r = PQexec(c, sql);
        assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
        rp_buf_printf(&out, "%s %s %s\n", name, PQgetvalue(r, 0, 0),
                      PQgetvalue(r, 0, 1));
        PQclear(r);
    }
    PQclear(t);
    PQfinish(c);
    return rp_buf_steal(&out);
}

/* Run `rapport store copy SOURCE TARGET [a1 a2 a3 a4]`; fill *out. */
static int store_copy(const char *target, char **out, const char *a1,
                      const char *a2, const char *a3, const char *a4)
{
    return rp_cli(&sqlite_desk, out, "store", "copy", sqlite_desk.db, target,
                  a1, a2, a3, a4, NULL);
}

/* The rows the copy's report says table has in the copy (-1: not in it),
 * checking that the source has as many. */
static long long reported_rows(json_t *report, const char *table)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(report, "tables"), i, t) {
        if (strcmp(json_string_value(json_object_get(t, "name")), table))
            continue;
        long long n = json_integer_value(json_object_get(t, "target_rows"));
        assert_int_equal(json_integer_value(json_object_get(t, "source_rows")),
                         n);
        return n;
    }
    return -1;
}

/*
 * Every table of both databases' catalogues, read here without the
 * copy's own code, is in the copy's report with as many rows on both
 * sides; left out only what each database derives or keeps for itself:
 * the schema versions, SQLite's full-text tables and what is named after
 * them (their shadow tables, the customer index's queue), PostgreSQL's
 * knowledge-base word counts (counted again from the copied articles,
 * checked below).  A table a migration adds that the copy skipped fails
 * here.
 */
static void check_every_table(json_t *report)
{
    PGconn *c = PQconnectdb(copied[0]);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = PQexec(c, "SELECT tablename FROM pg_tables WHERE"
                            " schemaname = current_schema()"
                            " AND tablename NOT IN ('schema_version',"
                            " 'kb_terms')");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_true(PQntuples(r) > 40);
    for (int i = 0; i < PQntuples(r); i++)
        if (reported_rows(report, PQgetvalue(r, i, 0)) < 0)
            fail_msg("table %s was not copied", PQgetvalue(r, i, 0));
    PQclear(r);
    /* the word counts, counted again from the copied articles: one count
     * of all articles, and as many articles under each word as hold it */
    r = PQexec(c, "SELECT (SELECT articles FROM kb_terms WHERE term = '')"
                  "  = (SELECT count(*) FROM kb_articles),"
                  " (SELECT count(*) FROM kb_terms WHERE term <> '') > 0,"
                  " NOT EXISTS (SELECT 1 FROM kb_terms k WHERE k.term <> ''"
                  "  AND k.articles <> (SELECT count(*) FROM kb_articles a"
                  "   WHERE k.term = ANY (tsvector_to_array(a.search))))");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_string_equal(PQgetvalue(r, 0, 0), "t");
    assert_string_equal(PQgetvalue(r, 0, 1), "t");
    assert_string_equal(PQgetvalue(r, 0, 2), "t");
    PQclear(r);
    PQfinish(c);
    sqlite3 *db;
    assert_int_equal(
        sqlite3_open_v2(sqlite_desk.db, &db, SQLITE_OPEN_READONLY, NULL),
        SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(
            db,
            "SELECT t.name FROM sqlite_master t WHERE t.type = 'table'"
            " AND t.name NOT LIKE 'sqlite_%' AND t.name <> 'schema_version'"
            " AND NOT EXISTS (SELECT 1 FROM sqlite_master v"
            "  WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%'"
            "  AND (t.name = v.name OR t.name LIKE v.name || '\\_%'"
            "   ESCAPE '\\'))",
            -1, &st, NULL),
        SQLITE_OK);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (reported_rows(report, name) < 0)
            fail_msg("table %s was not copied", name);
        n++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_int_equal(n,
                     (int)json_array_size(json_object_get(report, "tables")));
    const char *filled[] = {"customers",  "encounters",    "moments",
                            "identities", "attachments",   "attachment_blobs",
                            "messages",   "desk_settings", "api_tokens",
                            "kb_articles"};
    for (size_t i = 0; i < sizeof filled / sizeof *filled; i++)
        if (reported_rows(report, filled[i]) < 1)
            fail_msg("the desk has no %s to copy", filled[i]);
}

static json_t *get(rp_srv *s, const char *path)
{
    return rp_call(s, "GET", path, NULL, 200);
}

/* The desk on SQLite: the demo, generated customers with encounters, and
 * an email with an attachment. */
static int build_desk(void **state)
{
    (void)state;
    server = getenv("RAPPORT_TEST_DB");
    if (!server || !*server) {
        fprintf(stderr, "RAPPORT_TEST_DB names no PostgreSQL server\n");
        return -1;
    }
    rp_srv_init(&sqlite_desk);
    char *text = NULL;
    assert_int_equal(rp_cli(&sqlite_desk, &text, "demo", NULL), 0);
    free(text);
    rp_srv_token_for(&sqlite_desk, "admin", sqlite_desk.token,
                     sizeof sqlite_desk.token);
    rp_srv_start(&sqlite_desk);
    for (int i = 0; i < 80; i++) {
        char body[200];
        snprintf(body, sizeof body,
                 "{\"name\":\"Client généré %d 客户\",\"emails\":"
                 "[\"client%d@example.com\"]}",
                 i, i);
        json_t *c = rp_callf(&sqlite_desk, "POST", "/api/v1/customers", 201,
                             body);
        snprintf(body, sizeof body,
                 "{\"customer_id\":%lld,\"channel\":\"phone\",\"subject\":"
                 "\"Question\\tnuméro %d\\nà suivre\"}",
                 (long long)json_integer_value(json_object_get(c, "id")), i);
        json_decref(c);
        json_decref(
            rp_callf(&sqlite_desk, "POST", "/api/v1/encounters", 201, body));
    }
    static const char mail[] =
        "From: Ada Lovelace <ada@example.com>\r\n"
        "To: desk@example.com\r\n"
        "Subject: The invoice, attached\r\n"
        "Message-ID: <copy-test-1@example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
        "\r\n"
        "--b1\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Please find the invoice attached.\r\n"
        "--b1\r\n"
        "Content-Type: application/octet-stream\r\n"
        "Content-Disposition: attachment; filename=\"invoice.bin\"\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n"
        "AAECA/8JCg0iXCcAAQID/wkKDSJcJw==\r\n"
        "--b1--\r\n";
    rp_http r;
    rp_http_send(&sqlite_desk, "POST", "/api/v1/mail/inbound", "message/rfc822",
                 mail, sizeof mail - 1, NULL, &r);
    assert_int_equal(r.status, 200);
    rp_http_free(&r);
    rp_srv_stop(&sqlite_desk);
    assert_true(rp_db_count(&sqlite_desk, "attachment_blobs") >= 1);
    return 0;
}

static int drop_all(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        const char *db = strstr(copied[i], "dbname=");
        if (!db)
            continue;
        char sql[160];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s",
                 db + strlen("dbname="));
        rp_test_pg_sql(server, "postgres", sql, NULL);
    }
    free(fingerprint_one_run);
    rp_srv_cleanup(&sqlite_desk);
    return 0;
}

static void test_copy_is_served_by_rapportd(void **state)
{
    (void)state;
    /* what the SQLite desk serves */
    rp_srv_start(&sqlite_desk);
    long customers = rp_list_count(&sqlite_desk, "/api/v1/customers");
    json_t *page = get(&sqlite_desk, "/api/v1/customers?limit=50");
    json_t *overview = get(&sqlite_desk, "/api/v1/customers/2/overview");
    json_t *last = get(&sqlite_desk, "/api/v1/customers/89/overview");
    rp_http file;
    rp_http_send(&sqlite_desk, "GET", "/api/v1/attachments/1", NULL, NULL, 0,
                 NULL, &file);
    assert_int_equal(file.status, 200);
    rp_srv_stop(&sqlite_desk);
    assert_true(customers >= 89);

    new_database("served", copied[0], sizeof copied[0]);
    char *out = NULL;
    int rc = store_copy(copied[0], &out, "--batch-rows", "100", "--json", NULL);
    if (rc != 0)
        fail_msg("store copy exited %d: %s", rc, out);
    json_t *report = json_loads(out, 0, NULL);
    assert_non_null(report);
    free(out);
    check_every_table(report);
    json_t *ledger = json_object_get(report, "ledger");
    assert_true(json_is_true(json_object_get(ledger, "verified")));
    assert_true(json_integer_value(json_object_get(ledger, "moments")) > 200);
    assert_int_equal(
        strlen(json_string_value(json_object_get(ledger, "sha256"))), 64);
    json_decref(report);
    fingerprint_one_run = pg_fingerprint(copied[0]);

    /* rapportd on the copy, with the same admin token (copied as its
     * hash) */
    rp_srv pg = sqlite_desk;
    pg.pid = 0;
    snprintf(pg.db, sizeof pg.db, "%s", copied[0]);
    rp_srv_start(&pg);
    assert_int_equal(rp_list_count(&pg, "/api/v1/customers"), customers);
    json_t *page2 = get(&pg, "/api/v1/customers?limit=50");
    json_t *overview2 = get(&pg, "/api/v1/customers/2/overview");
    json_t *last2 = get(&pg, "/api/v1/customers/89/overview");
    assert_true(json_equal(page, page2));
    assert_true(json_equal(overview, overview2));
    assert_true(json_equal(last, last2));
    rp_http file2;
    rp_http_send(&pg, "GET", "/api/v1/attachments/1", NULL, NULL, 0, NULL,
                 &file2);
    assert_int_equal(file2.status, 200);
    assert_int_equal(file2.len, file.len);
    assert_memory_equal(file2.body, file.body, file.len);
    assert_int_equal(file.len, 22); /* the bytes sent, NUL and all */
    rp_http_free(&file);
    rp_http_free(&file2);
    /* new rows get new ids after the copied ones, and new moments chain
     * onto the copied ledger */
    json_t *c = rp_callf(&pg, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Arrivée après la copie\"}");
    assert_true(json_integer_value(json_object_get(c, "id")) > customers);
    char body[160];
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"email\",\"subject\":"
             "\"After\"}",
             (long long)json_integer_value(json_object_get(c, "id")));
    json_decref(rp_callf(&pg, "POST", "/api/v1/encounters", 201, body));
    json_decref(c);
    char *verified = NULL;
    assert_int_equal(rp_cli(&pg, &verified, "ledger", "verify", NULL), 0);
    assert_non_null(strstr(verified, "ledger verified"));
    free(verified);
    rp_srv_stop(&pg);
    json_decref(page);
    json_decref(page2);
    json_decref(overview);
    json_decref(overview2);
    json_decref(last);
    json_decref(last2);
}

static void test_stopped_copy_goes_on_and_ends_identical(void **state)
{
    (void)state;
    new_database("stopped", copied[1], sizeof copied[1]);
    char *out = NULL;
    int runs = 0;
    for (;;) {
        runs++;
        assert_true(runs < 100);
        int rc = store_copy(copied[1], &out, "--batch-rows", "100", "--batches",
                            "7");
        if (rc != 0)
            fail_msg("store copy exited %d: %s", rc, out);
        int done = strstr(out, "stopped after") == NULL;
        if (runs > 1)
            assert_non_null(strstr(out, "went on copying"));
        free(out);
        if (done)
            break;
    }
    assert_true(runs > 2);
    char *fp = pg_fingerprint(copied[1]);
    assert_string_equal(fp, fingerprint_one_run);
    free(fp);
}

static void test_killed_copy_goes_on_and_ends_identical(void **state)
{
    (void)state;
    new_database("killed", copied[2], sizeof copied[2]);
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        close(pipefd[1]);
        execl(RAPPORT_CLI_PATH, "rapport", "store", "copy", sqlite_desk.db,
              copied[2], "--batch-rows", "20", (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    /* kill it once it has copied a dozen tables: in the middle of one */
    FILE *lines = fdopen(pipefd[0], "r");
    char line[512];
    int seen = 0;
    while (seen < 12 && fgets(line, sizeof line, lines))
        seen++;
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    fclose(lines);
    assert_true(WIFSIGNALED(status));
    char *out = NULL;
    int rc = store_copy(copied[2], &out, NULL, NULL, NULL, NULL);
    if (rc != 0)
        fail_msg("store copy exited %d: %s", rc, out);
    assert_non_null(strstr(out, "went on copying"));
    free(out);
    char *fp = pg_fingerprint(copied[2]);
    assert_string_equal(fp, fingerprint_one_run);
    free(fp);
}

static void test_copy_into_a_desk_is_refused(void **state)
{
    (void)state;
    char *before = pg_fingerprint(copied[0]);
    /* the CLI's error goes to stderr: read it through the shell */
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "%s store copy '%s' '%s' 2>&1; echo \"exit=$?\"",
             RAPPORT_CLI_PATH, sqlite_desk.db, copied[0]);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char all[4096];
    size_t n = fread(all, 1, sizeof all - 1, p);
    all[n] = '\0';
    pclose(p);
    assert_non_null(strstr(all, "already holds a desk"));
    assert_non_null(strstr(all, "exit=3"));
    char *after = pg_fingerprint(copied[0]);
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* and into SQLite: refused before anything is made */
    char file[400];
    snprintf(file, sizeof file, "%s/other.db", sqlite_desk.dir);
    snprintf(cmd, sizeof cmd, "%s store copy '%s' '%s' 2>&1; echo \"exit=$?\"",
             RAPPORT_CLI_PATH, sqlite_desk.db, file);
    p = popen(cmd, "r");
    assert_non_null(p);
    n = fread(all, 1, sizeof all - 1, p);
    all[n] = '\0';
    pclose(p);
    assert_non_null(strstr(all, "PostgreSQL"));
    assert_non_null(strstr(all, "exit=3"));
    assert_int_not_equal(access(file, F_OK), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_is_served_by_rapportd),
        cmocka_unit_test(test_stopped_copy_goes_on_and_ends_identical),
        cmocka_unit_test(test_killed_copy_goes_on_and_ends_identical),
        cmocka_unit_test(test_copy_into_a_desk_is_refused),
    };
    return cmocka_run_group_tests(tests, build_desk, drop_all);
}
