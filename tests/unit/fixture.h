/*
 * fixture.h - the one temporary database of the unit tests.
 *
 * Unit tests run the real rules against a real SQLite store, each test on
 * a fresh database in a private directory under /tmp that is removed after
 * it, with the clock unpinned again, so no test sees another's rows or
 * time.  Every unit test makes its database here, so a change to how a
 * store is opened is made in one place.
 *
 * The same tests run against PostgreSQL when RAPPORT_TEST_DB holds the
 * libpq keyword string of a PostgreSQL server (tests/pg/pg-start prints
 * one; CTest's pg_ tests start one for the whole run): each test then gets
 * a database of its own on that server, created here and dropped after
 * it.  Unset, empty or "sqlite", the tests use SQLite files as before.
 */
#ifndef RP_TEST_FIXTURE_H
#define RP_TEST_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/rapport.h"

typedef struct rp_test_db {
    char dir[64];    /* private temporary directory */
    char path[128];  /* database file inside dir (SQLite) */
    int pg;          /* 1: the database is on the PostgreSQL server */
    char pgdb[64];   /* its name there (PostgreSQL) */
    char name[1024]; /* what rp_store_open takes for it */
    rp_store *store; /* open on path, or NULL when not opened */
    rp_ctx ctx;      /* store and actor "test", for calls into the core */
} rp_test_db;

/*
 * Make a fresh directory and database path in *db, and the key of secrets
 * at rest a key file in it (made at the first seal; forgotten again by
 * rp_test_db_remove).  When open is non-zero
 * also open the store at the latest schema and fill db->ctx; a test of
 * migrations passes 0 and opens the file itself.  Fails the test on error.
 */
void rp_test_db_make(rp_test_db *db, int open);

/* Close db->store if open, unpin the clock and remove the directory. */
void rp_test_db_remove(rp_test_db *db);

/*
 * Open another store on db->path at this schema version (0: the latest)
 * and return it; the caller closes it.  Fails the test on error.
 */
rp_store *rp_test_db_open(const rp_test_db *db, int version);

/* The latest schema version of db's backend. */
int rp_test_db_latest_version(const rp_test_db *db);

/*
 * Run sql on db's database directly, past the store (standing for an
 * older rapport or someone bypassing it): 0 when it ran, 1 when the
 * database refused it by a rule (a constraint, a trigger), -1 on any
 * other failure.  When value is not NULL it is filled with the first
 * column of the first row (0 when none).
 */
int rp_test_db_sql(const rp_test_db *db, const char *sql, long long *value);

/*
 * Every row of sql on db's database directly (as rp_test_db_sql), as a
 * JSON array of arrays of column values, each a string as the engine
 * writes it as text or null; fails the test on error.  Caller decrefs.
 */
json_t *rp_test_db_rows(const rp_test_db *db, const char *sql);

/*
 * cmocka setup and teardown: *state becomes a new rp_test_db made with
 * rp_test_db_make (open, or not for the _unopened variant), and is
 * removed and freed after the test.
 */
int rp_test_db_setup(void **state);
int rp_test_db_setup_unopened(void **state);
int rp_test_db_teardown(void **state);

#endif
