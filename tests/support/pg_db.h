/*
 * pg_db.h - the PostgreSQL test databases, made one way for every test
 * program: the unit tests' fixture (tests/unit/fixture.c), the end-to-end
 * harness (tests/e2e/harness.c) and the PostgreSQL tests of tests/pg.
 *
 * A server is named by its libpq keyword string without a database
 * ("host=/tmp/... port=... user=..."); the functions add dbname.  Every
 * one fails the running cmocka test on error, naming the statement and
 * what PostgreSQL said.
 */
#ifndef RP_TEST_PG_DB_H
#define RP_TEST_PG_DB_H

#include <libpq-fe.h>
#include <stddef.h>

/*
 * Run sql on database dbname of server ("postgres" for its maintenance
 * database: making and dropping the tests' databases).  When rows is not
 * NULL it is given the result, which the caller PQclear()s.
 */
void rp_test_pg_sql(const char *server, const char *dbname, const char *sql,
                    PGresult **rows);

/* Make dbname on server, empty (dropped first if a run before left it). */
void rp_test_pg_create_empty(const char *server, const char *dbname);

/*
 * Make dbname on server as a copy (CREATE DATABASE ... TEMPLATE) of the
 * database from, or, when from is NULL, of the template at the latest
 * schema: migrating a new database takes seconds on a loaded machine and
 * the tests make many.  The template's name carries a hash of the
 * migrations, so a changed schema gets one of its own; it is made once
 * per server, under an advisory lock that every copy is also made under
 * (a template must have no one connected while it is copied).
 */
void rp_test_pg_create(const char *server, const char *dbname,
                       const char *from);

/* Run a shell command line (tests/pg/pg-start, pg-stop), failing the test
 * unless it exits 0; fill out (when not NULL) with its first line. */
void rp_test_run(const char *cmd, char *out, size_t n);

#endif
