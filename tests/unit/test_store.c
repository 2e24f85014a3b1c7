/*
 * test_store.c - the store: opening by name, migrations, the newer-schema
 * refusal, generic records, paging, filters, the append-only ledger, the
 * end of a transaction, and the store against its own schema (every named
 * query compiles, every catalogue column exists with a fitting type).
 * The same tests run on SQLite and, with RAPPORT_TEST_DB set, on
 * PostgreSQL (fixture.h); where a check looks inside one engine (SQLite's
 * affinities and query plans) each engine has its own.
 */
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "fixture.h"
#include "store/pg_internal.h"
#include "store/sqlite_internal.h"
#include "store/store_pg.h"
#include "store/store_sqlite.h"

/*
 * Each test gets the shared temporary database unopened (these tests are
 * about opening it), and opens, closes and reopens the database itself.
 * Plain SQL on the database stands for an older rapport or someone
 * bypassing the store.
 */

static void test_fresh_database_is_at_latest_version(void **state)
{
    rp_test_db *db = *state;
    rp_store *s = rp_test_db_open(db, 0);
    assert_int_equal(s->ops->schema_version(s), rp_test_db_latest_version(db));
    assert_string_equal(s->ops->backend, db->pg ? "postgresql" : "sqlite");
    rp_store_close(s);
}

static void test_migrating_an_old_database_keeps_its_data(void **state)
{
    rp_test_db *db = *state;
    rp_store *s = rp_test_db_open(db, 1);
    rp_error err;
    assert_int_equal(s->ops->schema_version(s), 1);
    rp_store_close(s);
    /* Write data as a version-1 rapport would have: with the old schema. */
    long long id = 0;
    assert_int_equal(rp_test_db_sql(db,
                                    "INSERT INTO customers (name, "
                                    "preferred_name, created_at, updated_at) "
                                    "VALUES ('Old Timer', 'Old', 1, 1) "
                                    "RETURNING id",
                                    &id),
                     0);
    assert_true(id > 0);
    rp_ctx ctx = {.actor = "test"};
    json_t *out;

    s = rp_test_db_open(db, 0); /* migrates to the latest version */
    assert_int_equal(s->ops->schema_version(s), rp_test_db_latest_version(db));
    ctx.store = s;
    assert_int_equal(rp_customer_get(&ctx, id, &out, &err), RP_OK);
    assert_string_equal(
        json_string_value(json_object_get(out, "greeting_name")), "Old");
    json_decref(out);
    rp_store_close(s);
}

static void test_newer_database_is_refused(void **state)
{
    rp_test_db *db = *state;
    rp_store_close(rp_test_db_open(db, 0));
    assert_int_equal(
        rp_test_db_sql(db, "INSERT INTO schema_version VALUES (9999, 0)", NULL),
        0);
    rp_store *s = NULL;
    rp_error err;
    assert_int_equal(rp_store_open(db->name, &s, &err), RP_ESCHEMA);
    assert_null(s);
    assert_non_null(strstr(err.message, "9999"));
    assert_non_null(strstr(err.message, "newer"));
}

static void test_moments_are_append_only(void **state)
{
    rp_test_db *db = *state;
    rp_store *s = rp_test_db_open(db, 0);
    rp_ctx ctx = {.store = s, .actor = "test"};
    rp_error err;
    json_t *in = json_pack("{s:s}", "name", "Ledger Person"), *out;
    assert_int_equal(rp_customer_create(&ctx, in, &out, &err), RP_OK);
    json_decref(in);
    json_decref(out);
    json_t *change = json_pack("{s:s}", "summary", "rewritten history");
    assert_int_equal(s->ops->update(s, &RP_ENTITY_MOMENT, 1, change, &err),
                     RP_ECONFLICT);
    assert_int_equal(s->ops->remove(s, &RP_ENTITY_MOMENT, 1, &err),
                     RP_ECONFLICT);
    json_decref(change);
    rp_store_close(s);
    /* Even plain SQL cannot rewrite the ledger: the triggers refuse. */
    long long n = 0;
    assert_int_equal(rp_test_db_sql(db, "SELECT count(*) FROM moments", &n), 0);
    assert_true(n > 0);
    assert_int_equal(rp_test_db_sql(db, "DELETE FROM moments", NULL), 1);
    assert_int_equal(
        rp_test_db_sql(db, "UPDATE moments SET summary = 'rewritten'", NULL),
        1);
}

static void test_paging_and_filters(void **state)
{
    rp_test_db *db = *state;
    rp_store *s = rp_test_db_open(db, 0);
    rp_ctx ctx = {.store = s, .actor = "test"};
    rp_error err;
    for (int i = 0; i < 8; i++) { /* four odd, four even */
        char name[40];
        snprintf(name, sizeof name, "%s %d", i % 2 ? "Odd" : "Even", i);
        json_t *in = json_pack("{s:s}", "name", name), *out;
        assert_int_equal(rp_customer_create(&ctx, in, &out, &err), RP_OK);
        json_decref(in);
        json_decref(out);
    }
    rp_page_req page = {3, 0};
    json_t *out;
    assert_int_equal(rp_customer_list(&ctx, "odd", &page, &out, &err), RP_OK);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 3);
    const char *cursor = json_string_value(json_object_get(out, "next_cursor"));
    assert_non_null(cursor);
    assert_int_equal(rp_page_req_parse("3", cursor, &page, &err), RP_OK);
    json_decref(out);
    assert_int_equal(rp_customer_list(&ctx, "odd", &page, &out, &err), RP_OK);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
    assert_true(json_is_null(json_object_get(out, "next_cursor")));
    json_decref(out);
    int64_t n;
    assert_int_equal(rp_customer_count(&ctx, &n, &err), RP_OK);
    assert_int_equal(n, 8);
    rp_store_close(s);
}

static void test_open_by_name(void **state)
{
    rp_test_db *db = *state;
    rp_store *s = NULL;
    rp_error err;
    char name[160];
    if (!db->pg) {
        /* a plain path is a SQLite file, as --db and RAPPORT_DB have
         * always taken it */
        assert_int_equal(rp_store_open(db->path, &s, &err), RP_OK);
        assert_string_equal(s->ops->backend, "sqlite");
        rp_store_close(s);
        s = NULL;
        snprintf(name, sizeof name, "sqlite:%s", db->path);
        assert_int_equal(rp_store_open(name, &s, &err), RP_OK);
    } else {
        /* a keyword string (the fixture's name), and the same database as
         * a URI with the socket folder as its host */
        assert_int_equal(rp_store_open(db->name, &s, &err), RP_OK);
        assert_string_equal(s->ops->backend, "postgresql");
        rp_store_close(s);
        s = NULL;
        PGconn *c = PQconnectdb(db->name);
        assert_int_equal(PQstatus(c), CONNECTION_OK);
        char host[128];
        snprintf(host, sizeof host, "%s", PQhost(c));
        PQfinish(c);
        assert_int_equal(host[0], '/');
        rp_buf uri = RP_BUF_INIT;
        rp_buf_printf(&uri, "postgres:///%s?host=%s&user=rapport", db->pgdb,
                      host);
        assert_int_equal(rp_store_open(rp_buf_str(&uri), &s, &err), RP_OK);
        rp_buf_free(&uri);
    }
    assert_int_equal(s->ops->schema_version(s), rp_test_db_latest_version(db));
    rp_store_close(s);
    s = NULL;
    assert_non_null(rp_store_backend_find("sqlite", 6));
    assert_non_null(rp_store_backend_find("postgres", 8));
    assert_non_null(rp_store_backend_find("postgresql", 10));
    assert_null(rp_store_backend_find("sqlit", 5));

    /* an unknown scheme is refused by name, and nothing is created */
    snprintf(name, sizeof name, "mysql:%s/other.db", db->dir);
    assert_int_equal(rp_store_open(name, &s, &err), RP_EINVALID);
    assert_null(s);
    assert_string_equal(err.field, "db");
    assert_non_null(strstr(err.message, "\"mysql\""));
    assert_non_null(strstr(err.message, "sqlite:"));
    assert_non_null(strstr(err.message, "postgres:"));
    char other[160];
    snprintf(other, sizeof other, "%s/other.db", db->dir);
    assert_int_not_equal(access(other, F_OK), 0);
    /* "postgres:" takes a URI, not a path, and says how one is written */
    snprintf(name, sizeof name, "postgres:%s/other.db", db->dir);
    assert_int_equal(rp_store_open(name, &s, &err), RP_EINVALID);
    assert_null(s);
    assert_string_equal(err.field, "db");
    assert_non_null(strstr(err.message, "postgres://"));
    assert_int_not_equal(access(other, F_OK), 0);

    assert_int_equal(rp_store_open("", &s, &err), RP_EINVALID);
    assert_string_equal(err.field, "db");
    assert_int_equal(rp_store_open("sqlite:", &s, &err), RP_EINVALID);
    assert_null(s);
}

/* Rows in customers, read with plain SQL. */
static int count_customers(const rp_test_db *db)
{
    long long n = -1;
    assert_int_equal(rp_test_db_sql(db, "SELECT count(*) FROM customers", &n),
                     0);
    return (int)n;
}

static void insert_customer(rp_store *s, const char *name)
{
    rp_error err;
    json_t *row = json_pack("{s:s, s:I, s:I}", "name", name, "created_at",
                            (json_int_t)1, "updated_at", (json_int_t)1);
    assert_int_equal(s->ops->insert(s, &RP_ENTITY_CUSTOMER, row, NULL, &err),
                     RP_OK);
    json_decref(row);
}

static void test_finish_commits_or_rolls_back(void **state)
{
    rp_test_db *db = *state;
    rp_store *s = rp_test_db_open(db, 0);
    rp_error err;

    assert_int_equal(rp_store_begin(s, &err), RP_OK);
    insert_customer(s, "Kept");
    assert_int_equal(rp_store_finish(s, RP_OK, &err), RP_OK);
    assert_int_equal(count_customers(db), 1);

    /* a failed step: rolled back, and its code (and message) come back */
    assert_int_equal(rp_store_begin(s, &err), RP_OK);
    insert_customer(s, "Undone");
    rp_error_set(&err, RP_ECONFLICT, "status", "the step failed");
    assert_int_equal(rp_store_finish(s, RP_ECONFLICT, &err), RP_ECONFLICT);
    assert_string_equal(err.message, "the step failed");
    assert_int_equal(count_customers(db), 1);
    /* nothing is left open: a new transaction can begin */
    assert_int_equal(rp_store_begin(s, &err), RP_OK);
    assert_int_equal(rp_store_finish(s, RP_OK, &err), RP_OK);

    /* a commit that fails (here: none is open) is the error returned */
    assert_int_equal(rp_store_finish(s, RP_OK, &err), RP_EINTERNAL);
    assert_non_null(strstr(err.message, "committing"));
    rp_store_close(s);
}

static void test_every_named_query_compiles(void **state)
{
    rp_test_db *db = *state;
    rp_store *s = rp_test_db_open(db, 0);
    rp_error err;
    int broken = 0;
    static const char *const subsystems[] = {
        "customer.",
        "encounter.",
        "followup.",
        "offers.",
        "staff.",
        "knowledge.",
        "measures.",
        "demo.",
        "conversation.",
        "mailbox.",
        "store.",
        /* one line each from here, so that additions merge cleanly */
        "webhook.",
        "secrets.",
        "audit.",
        "export.",
        "zendesk.",
        "privacy.",
        "telephony.",
    };
    for (int q = 0; q < RP_QUERY_COUNT; q++) {
        const char *name = rp_query_name((rp_query)q);
        int known = 0;
        for (size_t i = 0; i < sizeof subsystems / sizeof subsystems[0]; i++)
            known |= strncmp(name, subsystems[i], strlen(subsystems[i])) == 0;
        if (!known) {
            print_error("query %s is not named after a subsystem\n", name);
            broken++;
        }
        for (int r = 0; r < q; r++)
            if (strcmp(name, rp_query_name((rp_query)r)) == 0) {
                print_error("two queries are named %s\n", name);
                broken++;
            }
        if (s->ops->check(s, (rp_query)q, &err) != RP_OK) {
            print_error("%s\n", err.message);
            broken++;
        }
    }
    assert_int_equal(broken, 0);
    assert_string_equal(rp_query_name(RP_QUERY_COUNT), "(unknown query)");
    /* a misuse names the query */
    assert_int_equal(
        s->ops->query(s, RP_Q_CUSTOMER_CLOSED_COUNT, NULL, NULL, &err),
        RP_EINTERNAL);
    assert_non_null(strstr(err.message, "customer.closed_count"));
    rp_store_close(s);
}

/* The affinity SQLite gives a declared column type (the rules of section
 * 3.1 of its datatype documentation, in their order). */
static const char *affinity(const char *decl)
{
    char up[64];
    size_t i = 0;
    for (; decl[i] && i < sizeof up - 1; i++)
        up[i] = (char)(decl[i] >= 'a' && decl[i] <= 'z' ? decl[i] - 32
                                                        : decl[i]);
    up[i] = '\0';
    if (strstr(up, "INT"))
        return "INTEGER";
    if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT"))
        return "TEXT";
    if (!*up || strstr(up, "BLOB"))
        return "BLOB";
    if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB"))
        return "REAL";
    return "NUMERIC";
}

static const char *affinity_for(rp_column_type t)
{
    switch (t) {
    case RP_COL_INT:
    case RP_COL_BOOL:
    case RP_COL_TIME: return "INTEGER";
    case RP_COL_REAL: return "REAL";
    case RP_COL_TEXT:
    case RP_COL_JSON: return "TEXT";
    }
    return "?";
}

/* Does PostgreSQL's type name (information_schema's data_type) keep what
 * the catalogue's type promises? */
static int pg_type_fits(const char *decl, int is_id, rp_column_type t)
{
    int integer = strcmp(decl, "bigint") == 0 || strcmp(decl, "integer") == 0;
    if (is_id)
        return integer;
    switch (t) {
    case RP_COL_INT:
    case RP_COL_BOOL:
    case RP_COL_TIME: return integer;
    case RP_COL_REAL:
        return strcmp(decl, "double precision") == 0 ||
               strcmp(decl, "real") == 0 || strcmp(decl, "numeric") == 0;
    case RP_COL_TEXT:
    case RP_COL_JSON:
        return strcmp(decl, "text") == 0 ||
               strcmp(decl, "character varying") == 0;
    }
    return 0;
}

static void catalogue_matches_pg(const rp_test_db *db)
{
    PGconn *c = PQconnectdb(db->name);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    for (size_t i = 0; i < rp_nentities; i++) {
        const rp_entity *e = rp_entities[i];
        for (size_t k = 0; k <= e->ncolumns; k++) {
            const char *col = k == 0 ? "id" : e->columns[k - 1].name;
            const char *values[] = {e->table, col};
            PGresult *r = PQexecParams(
                c,
                "SELECT data_type FROM information_schema.columns WHERE"
                " table_schema = current_schema() AND table_name = $1 AND"
                " column_name = $2",
                2, NULL, values, NULL, NULL, 0);
            assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
            if (PQntuples(r) != 1)
                fail_msg("%s (%s): table %s has no column %s", e->name,
                         e->table, e->table, col);
            const char *decl = PQgetvalue(r, 0, 0);
            if (!pg_type_fits(decl, k == 0,
                              k == 0 ? RP_COL_INT : e->columns[k - 1].type))
                fail_msg("%s.%s is declared %s, which does not fit the "
                         "catalogue's type",
                         e->table, col, decl);
            PQclear(r);
        }
    }
    PQfinish(c);
}

static void test_catalogue_matches_the_schema(void **state)
{
    rp_test_db *db = *state;
    rp_store_close(rp_test_db_open(db, 0));
    assert_true(rp_nentities > 0);
    if (db->pg) {
        catalogue_matches_pg(db);
        return;
    }
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db->path, &raw), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(
                         raw,
                         "SELECT type FROM pragma_table_info(?) WHERE name = ?",
                         -1, &st, NULL),
                     SQLITE_OK);
    assert_true(rp_nentities > 0);
    for (size_t i = 0; i < rp_nentities; i++) {
        const rp_entity *e = rp_entities[i];
        for (size_t c = 0; c <= e->ncolumns; c++) {
            const char *col = c == 0 ? "id" : e->columns[c - 1].name;
            const char *want = c == 0 ? "INTEGER"
                                      : affinity_for(e->columns[c - 1].type);
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, e->table, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_ROW)
                fail_msg("%s (%s): table %s has no column %s", e->name,
                         e->table, e->table, col);
            const char *decl = (const char *)sqlite3_column_text(st, 0);
            if (strcmp(affinity(decl ? decl : ""), want) != 0)
                fail_msg("%s.%s is declared %s, the catalogue wants %s",
                         e->table, col, decl ? decl : "(none)", want);
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(raw);
}

/* /healthz is polled often on desks of any size: the read it makes must
 * find its row through a key, never walk a table (it once counted every
 * customer). */
static void test_health_read_scans_nothing(void **state)
{
    rp_test_db *db = *state;
    rp_store *s = rp_test_db_open(db, 0);
    rp_error err;
    json_t *rows = NULL;
    assert_int_equal(s->ops->query(s, RP_Q_STORE_READ_CHECK, NULL, &rows, &err),
                     RP_OK);
    assert_int_equal(json_array_size(rows), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(rows, 0), "version")),
        rp_test_db_latest_version(db));
    json_decref(rows);
    rp_store_close(s);

    if (db->pg) {
        /* PostgreSQL reads a small table whole whatever its indexes, so
         * ask whether a way through an index exists at all: with
         * sequential scans turned off, the plan must not need one */
        PGconn *c = PQconnectdb(db->name);
        assert_int_equal(PQstatus(c), CONNECTION_OK);
        PQclear(PQexec(c, "SET enable_seqscan = off"));
        rp_buf sql = RP_BUF_INIT;
        rp_buf_printf(&sql, "EXPLAIN %s",
                      rp_pg_query_sql(RP_Q_STORE_READ_CHECK));
        PGresult *r = PQexec(c, rp_buf_str(&sql));
        rp_buf_free(&sql);
        assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
        assert_true(PQntuples(r) > 0);
        for (int i = 0; i < PQntuples(r); i++)
            if (strstr(PQgetvalue(r, i, 0), "Seq Scan"))
                fail_msg("the health read scans: %s", PQgetvalue(r, i, 0));
        PQclear(r);
        PQfinish(c);
        return;
    }
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db->path, &raw), SQLITE_OK);
    char *sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s",
                                rp_sqlite_query_sql(RP_Q_STORE_READ_CHECK));
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(raw, sql, -1, &st, NULL), SQLITE_OK);
    int steps = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(st, 3);
        if (strncmp(detail, "SCAN", 4) == 0)
            fail_msg("the health read scans: %s", detail);
        steps++;
    }
    assert_true(steps > 0);
    sqlite3_finalize(st);
    sqlite3_free(sql);
    sqlite3_close(raw);
}

/* How many rows sql (one count) gives on raw. */
static long long count_of(sqlite3 *raw, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(raw, sql, -1, &st, NULL), SQLITE_OK);
    long long n = 0;
    while (sqlite3_step(st) == SQLITE_ROW)
        n++;
    sqlite3_finalize(st);
    return n;
}

/* The audit log's rebuild (migration 58) keeps every entry with its id,
 * its checks and its append-only triggers, and an entry's insert no
 * longer builds a temporary table for the checks. */
static void test_audit_log_rebuild_keeps_entries(void **state)
{
    rp_test_db *db = *state;
    rp_store_close(rp_test_db_open(db, 57));
    assert_int_equal(
        rp_test_db_sql(db,
                       "INSERT INTO audit_log (id, at, action, agent_id, via,"
                       " route, subject, subject_id, customer_id, status)"
                       " VALUES (5, 100, 'read', 1, 'token',"
                       " '/api/v1/customers/{id}', 'customer', 7, 7, 200),"
                       " (9, 101, 'login_failed', NULL, 'session', NULL, NULL,"
                       " NULL, NULL, 401)",
                       NULL),
        0);

    rp_store_close(rp_test_db_open(db, 0));
    if (db->pg) {
        /* the same entries and rules on PostgreSQL, where the rebuild has
         * nothing to rebuild (its checks are altered in place) */
        long long n = 0;
        assert_int_equal(rp_test_db_sql(db,
                                        "SELECT count(*) FROM audit_log WHERE"
                                        " (id = 5 AND at = 100 AND action ="
                                        " 'read' AND customer_id = 7 AND"
                                        " status = 200) OR (id = 9 AND action"
                                        " = 'login_failed')",
                                        &n),
                         0);
        assert_int_equal(n, 2);
        assert_int_equal(rp_test_db_sql(db,
                                        "INSERT INTO audit_log (at, action,"
                                        " via) VALUES (1, 'dance', 'cli')",
                                        NULL),
                         1);
        assert_int_equal(rp_test_db_sql(db,
                                        "INSERT INTO audit_log (at, action,"
                                        " via) VALUES (1, 'read', 'telepathy')",
                                        NULL),
                         1);
        assert_int_equal(
            rp_test_db_sql(db, "UPDATE audit_log SET agent_id = 2", NULL), 1);
        assert_int_equal(rp_test_db_sql(db, "DELETE FROM audit_log", NULL), 1);
        return;
    }
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db->path, &raw), SQLITE_OK);
    assert_int_equal(count_of(raw, "SELECT 1 FROM audit_log WHERE id = 5 AND"
                                   " at = 100 AND action = 'read' AND"
                                   " customer_id = 7 AND status = 200"),
                     1);
    assert_int_equal(count_of(raw, "SELECT 1 FROM audit_log WHERE id = 9 AND"
                                   " action = 'login_failed'"),
                     1);
    assert_int_equal(count_of(raw, "SELECT 1 FROM audit_log"), 2);
    assert_int_equal(count_of(raw, "SELECT 1 FROM sqlite_master WHERE"
                                   " tbl_name = 'audit_log' AND type IN"
                                   " ('index', 'trigger')"),
                     5);
    assert_int_not_equal(sqlite3_exec(raw,
                                      "INSERT INTO audit_log (at, action, via)"
                                      " VALUES (1, 'dance', 'cli')",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(raw,
                                      "INSERT INTO audit_log (at, action, via)"
                                      " VALUES (1, 'read', 'telepathy')",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(raw, "UPDATE audit_log SET agent_id = 2",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(
        sqlite3_exec(raw, "DELETE FROM audit_log", NULL, NULL, NULL),
        SQLITE_OK);
    /* no temporary table per insert: the program has no OpenEphemeral */
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(raw,
                                        "EXPLAIN INSERT INTO audit_log (at,"
                                        " action, via) VALUES (1, 'read', "
                                        "'cli')",
                                        -1, &st, NULL),
                     SQLITE_OK);
    int ops = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *op = (const char *)sqlite3_column_text(st, 1);
        assert_string_not_equal(op, "OpenEphemeral");
        ops++;
    }
    sqlite3_finalize(st);
    assert_true(ops > 0);
    sqlite3_close(raw);
}

/* A name shown in a log or on the terminal keeps its password hidden. */
static void test_display_name_hides_passwords(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"postgres://desk:s3cret@db.example:5432/rapport?sslmode=require",
         "postgres://desk:***@db.example:5432/rapport?sslmode=require"},
        {"postgresql:///rapport?host=/run/pg&password=s3cret&user=desk",
         "postgresql:///rapport?host=/run/pg&password=***&user=desk"},
        {"host=db password='s3 cr\\'et' dbname=rapport",
         "host=db password=*** dbname=rapport"},
        {"host=db password=s3cret", "host=db password=***"},
        {"postgres://desk@db/rapport", "postgres://desk@db/rapport"},
        {"sqlite:/var/lib/rapport.db", "sqlite:/var/lib/rapport.db"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rp_buf b = RP_BUF_INIT;
        rp_store_display_name(cases[i][0], &b);
        assert_string_equal(rp_buf_str(&b), cases[i][1]);
        rp_buf_free(&b);
    }
}

/* Every test starts from a temporary database that is not opened yet. */
#define UNOPENED(test)                                                         \
    cmocka_unit_test_setup_teardown(test, rp_test_db_setup_unopened,           \
                                    rp_test_db_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNOPENED(test_fresh_database_is_at_latest_version),
        UNOPENED(test_migrating_an_old_database_keeps_its_data),
        UNOPENED(test_newer_database_is_refused),
        UNOPENED(test_moments_are_append_only),
        UNOPENED(test_paging_and_filters),
        UNOPENED(test_open_by_name),
        UNOPENED(test_finish_commits_or_rolls_back),
        UNOPENED(test_every_named_query_compiles),
        UNOPENED(test_catalogue_matches_the_schema),
        UNOPENED(test_health_read_scans_nothing),
        UNOPENED(test_audit_log_rebuild_keeps_entries),
        UNOPENED(test_display_name_hides_passwords),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
