/*
 * fixture.c - the temporary database of the unit tests (see fixture.h).
 * The directory is removed with nftw rather than a shell, so a path never
 * passes through quoting.  On PostgreSQL each test's database is created
 * and dropped through a connection to the server's "postgres" database.
 */
#include "fixture.h"

#include <ftw.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/pg_internal.h"
#include "store/store_pg.h"
#include "store/store_sqlite.h"
#include "support/pg_db.h"

/* The PostgreSQL server the tests run against, or NULL for SQLite. */
static const char *pg_server(void)
{
    const char *v = getenv("RAPPORT_TEST_DB");
    if (!v || !*v || strcmp(v, "sqlite") == 0)
        return NULL;
    return v;
}

int rp_test_db_latest_version(const rp_test_db *db)
{
    return db->pg ? rp_store_pg_latest_version()
                  : rp_store_sqlite_latest_version();
}

rp_store *rp_test_db_open(const rp_test_db *db, int version)
{
    rp_store *s = NULL;
    rp_error err;
    rp_code rc;
    if (version == 0) /* by name, as rapportd and the CLI open it */
        rc = rp_store_open(db->name, &s, &err);
    else if (db->pg)
        rc = rp_store_pg_open(db->name, version, &s, &err);
    else
        rc = rp_store_sqlite_open(db->path, version, &s, &err);
    if (rc != RP_OK)
        fprintf(stderr, "opening %s: %s\n", db->name, err.message);
    assert_int_equal(rc, RP_OK);
    return s;
}

static int sqlite_sql(const rp_test_db *db, const char *sql, long long *value)
{
    sqlite3 *raw;
    if (sqlite3_open(db->path, &raw) != SQLITE_OK)
        return -1;
    int got = 0, outcome = 0;
    const char *tail = sql;
    while (tail && *tail && outcome == 0) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(raw, tail, -1, &st, &tail) != SQLITE_OK) {
            outcome = -1;
            break;
        }
        if (!st)
            break;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            if (!got++ && value)
                *value = sqlite3_column_int64(st, 0);
        if (rc != SQLITE_DONE)
            outcome = (rc & 0xff) == SQLITE_CONSTRAINT ? 1 : -1;
        sqlite3_finalize(st);
    }
    sqlite3_close(raw);
    return outcome;
}

static int pg_sql(const rp_test_db *db, const char *sql, long long *value)
{
    PGconn *c = PQconnectdb(db->name);
    if (PQstatus(c) != CONNECTION_OK) {
        PQfinish(c);
        return -1;
    }
    PGresult *r = PQexec(c, sql);
    int outcome = 0;
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK) {
        if (value && PQntuples(r) > 0 && PQnfields(r) > 0)
            *value = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    } else if (st != PGRES_COMMAND_OK) {
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        outcome = state && (strncmp(state, "23", 2) == 0 ||
                            strcmp(state, "P0001") == 0)
                      ? 1
                      : -1;
    }
    PQclear(r);
    PQfinish(c);
    return outcome;
}

int rp_test_db_sql(const rp_test_db *db, const char *sql, long long *value)
{
    if (value)
        *value = 0;
    return db->pg ? pg_sql(db, sql, value) : sqlite_sql(db, sql, value);
}

json_t *rp_test_db_rows(const rp_test_db *db, const char *sql)
{
    json_t *rows = json_array();
    if (db->pg) {
        PGconn *c = PQconnectdb(db->name);
        if (PQstatus(c) != CONNECTION_OK)
            fail_msg("connecting to %s: %s", db->name, PQerrorMessage(c));
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            fail_msg("%s: %s", sql, PQresultErrorMessage(r));
        for (int i = 0; i < PQntuples(r); i++) {
            json_t *row = json_array();
            for (int k = 0; k < PQnfields(r); k++)
                json_array_append_new(row,
                                      PQgetisnull(r, i, k)
                                          ? json_null()
                                          : json_string(PQgetvalue(r, i, k)));
            json_array_append_new(rows, row);
        }
        PQclear(r);
        PQfinish(c);
        return rows;
    }
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db->path, &raw), SQLITE_OK);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(raw, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(raw));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row = json_array();
        for (int k = 0; k < sqlite3_column_count(st); k++) {
            const char *v = (const char *)sqlite3_column_text(st, k);
            json_array_append_new(row, v ? json_string(v) : json_null());
        }
        json_array_append_new(rows, row);
    }
    if (rc != SQLITE_DONE)
        fail_msg("%s: %s", sql, sqlite3_errmsg(raw));
    sqlite3_finalize(st);
    sqlite3_close(raw);
    return rows;
}

void rp_test_db_make(rp_test_db *db, int open)
{
    memset(db, 0, sizeof *db);
    snprintf(db->dir, sizeof db->dir, "/tmp/rapport-unit-XXXXXX");
    assert_non_null(mkdtemp(db->dir));
    snprintf(db->path, sizeof db->path, "%s/t.db", db->dir);
    snprintf(db->name, sizeof db->name, "sqlite:%s", db->path);
    if (pg_server()) {
        static int made;
        db->pg = 1;
        snprintf(db->pgdb, sizeof db->pgdb, "rp_unit_%ld_%d", (long)getpid(),
                 ++made);
        snprintf(db->name, sizeof db->name, "%s dbname=%s", pg_server(),
                 db->pgdb);
        if (open)
            rp_test_pg_create(pg_server(), db->pgdb, NULL);
        else
            rp_test_pg_create_empty(pg_server(), db->pgdb);
    }
    db->ctx.actor = "test";
    /* secrets are sealed under a key file of the test's own, made 0600 at
     * the first seal, as the programs do beside their database */
    char key[160];
    snprintf(key, sizeof key, "%s/t.db.key", db->dir);
    rp_secret_settings keys = {.key_file = key};
    rp_error err;
    assert_int_equal(rp_secrets_configure(&keys, &err), RP_OK);
    if (open) {
        db->store = rp_test_db_open(db, 0);
        db->ctx.store = db->store;
    }
}

static int remove_one(const char *path, const struct stat *sb, int flag,
                      struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void rp_test_db_remove(rp_test_db *db)
{
    rp_store_close(db->store);
    db->store = NULL;
    db->ctx.store = NULL;
    rp_clock_pin(0);
    rp_secrets_reset();
    if (db->pg && db->pgdb[0]) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)",
                 db->pgdb);
        rp_test_pg_sql(pg_server(), "postgres", sql, NULL);
        db->pgdb[0] = '\0';
    }
    if (db->dir[0])
        assert_int_equal(nftw(db->dir, remove_one, 8, FTW_DEPTH | FTW_PHYS), 0);
    db->dir[0] = '\0';
}

static int setup(void **state, int open)
{
    rp_test_db *db = calloc(1, sizeof *db);
    assert_non_null(db);
    rp_test_db_make(db, open);
    *state = db;
    return 0;
}

int rp_test_db_setup(void **state)
{
    return setup(state, 1);
}

int rp_test_db_setup_unopened(void **state)
{
    return setup(state, 0);
}

int rp_test_db_teardown(void **state)
{
    rp_test_db *db = *state;
    rp_test_db_remove(db);
    free(db);
    *state = NULL;
    return 0;
}
