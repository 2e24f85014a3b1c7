/*
 * check_sql.c - the PostgreSQL backend's SQL against a real PostgreSQL.
 *
 * Needs none of the backend's C plumbing: it connects with libpq to the
 * server named by its one argument (a libpq connection string), applies
 * every migration of pg_schema.c in order, each in its own transaction,
 * then asks the server to PREPARE every named query of pg_queries.c, which
 * parses, resolves and types it against the live schema without running
 * it.  Every failure is printed with the migration or query it is about
 * and PostgreSQL's own message; the exit status is 1 when there was any.
 * tests/pg/check-sql starts a throwaway server and runs this against it.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_internal.h"

/* Run sql (one or more statements) for its effect: 0, or 1 having printed
 * what failed. */
static int run(PGconn *db, const char *what, const char *sql)
{
    PGresult *r = PQexec(db, sql);
    ExecStatusType st = PQresultStatus(r);
    int bad = st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK;
    if (bad)
        fprintf(stderr, "FAIL %s: %s", what, PQerrorMessage(db));
    PQclear(r);
    return bad;
}

static int apply_migrations(PGconn *db)
{
    int failed = 0;
    if (run(db, "schema_version",
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version bigint NOT NULL, applied_at bigint NOT NULL)"))
        return 1;
    for (int i = 0; i < rp_pg_nmigrations; i++) {
        const rp_pg_migration *m = &rp_pg_migrations[i];
        char what[64], mark[128];
        snprintf(what, sizeof what, "migration %d", m->version);
        snprintf(mark, sizeof mark,
                 "INSERT INTO schema_version VALUES (%d,"
                 " extract(epoch FROM now())::bigint)",
                 m->version);
        if (i > 0 && m->version <= rp_pg_migrations[i - 1].version) {
            fprintf(stderr, "FAIL %s: not after version %d\n", what,
                    rp_pg_migrations[i - 1].version);
            failed++;
        }
        if (run(db, what, "BEGIN") || run(db, what, m->sql) ||
            run(db, what, mark) || run(db, what, "COMMIT")) {
            run(db, what, "ROLLBACK");
            return failed + 1; /* later ones build on this one */
        }
    }
    printf("%d migrations applied\n", rp_pg_nmigrations);
    return failed;
}

static int prepare_queries(PGconn *db)
{
    int failed = 0, prepared = 0;
    for (int q = 0; q < RP_QUERY_COUNT; q++) {
        const char *sql = rp_pg_query_sql((rp_query)q);
        if (!sql) {
            fprintf(stderr, "FAIL query %s: no PostgreSQL text\n",
                    rp_query_name((rp_query)q));
            failed++;
            continue;
        }
        char stmt[32];
        snprintf(stmt, sizeof stmt, "q%d", q);
        PGresult *r = PQprepare(db, stmt, sql, 0, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            fprintf(stderr, "FAIL query %s: %s", rp_query_name((rp_query)q),
                    PQerrorMessage(db));
            failed++;
        } else {
            prepared++;
        }
        PQclear(r);
    }
    printf("%d of %d queries prepared\n", prepared, (int)RP_QUERY_COUNT);
    return failed;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CONNINFO\n", argv[0]);
        return 2;
    }
    PGconn *db = PQconnectdb(argv[1]);
    if (PQstatus(db) != CONNECTION_OK) {
        fprintf(stderr, "cannot connect: %s", PQerrorMessage(db));
        PQfinish(db);
        return 2;
    }
    /* the server's notices (an extension already there) are not errors */
    run(db, "quiet", "SET client_min_messages = warning");
    int failed = apply_migrations(db);
    if (!failed)
        failed = prepare_queries(db);
    PQfinish(db);
    return failed ? 1 : 0;
}
