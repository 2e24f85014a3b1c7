/*
 * pg_db.c - the PostgreSQL test databases (see pg_db.h).  One
 * implementation, so that the unit tests and the end-to-end tests share
 * the template database at the latest schema (same name, same lock)
 * rather than each keeping a copy of how it is made.
 */
#include "pg_db.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "store/pg_internal.h"
#include "store/store_pg.h"

/* The advisory lock the template is made and copied under. */
#define TEMPLATE_LOCK "7298"

/* A connection to dbname on server; fails the test when it cannot be
 * made. */
static PGconn *connect_to(const char *server, const char *dbname)
{
    char info[1024];
    snprintf(info, sizeof info, "%s dbname=%s", server, dbname);
    PGconn *c = PQconnectdb(info);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("the test PostgreSQL (%s) cannot be reached: %s", info,
                 PQerrorMessage(c));
    return c;
}

/* Run sql on c, failing the test on error; the result, or NULL when rows
 * are not wanted. */
static PGresult *exec_on(PGconn *c, const char *sql, int want_rows)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    if (want_rows)
        return r;
    PQclear(r);
    return NULL;
}

void rp_test_pg_sql(const char *server, const char *dbname, const char *sql,
                    PGresult **rows)
{
    PGconn *c = connect_to(server, dbname);
    PGresult *r = exec_on(c, sql, rows != NULL);
    if (rows)
        *rows = r;
    PQfinish(c);
}

void rp_test_pg_create_empty(const char *server, const char *dbname)
{
    char sql[200];
    PGconn *c = connect_to(server, "postgres");
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", dbname);
    exec_on(c, sql, 0);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", dbname);
    exec_on(c, sql, 0);
    PQfinish(c);
}

/* The template at the latest schema on c's server, made when missing (c
 * holds the advisory lock); its name is written into tpl. */
static void latest_template(PGconn *c, const char *server, char *tpl, size_t n)
{
    unsigned long long h = 1469598103934665603ULL;
    for (int i = 0; i < rp_pg_nmigrations; i++) {
        h = (h ^ (unsigned)rp_pg_migrations[i].version) * 1099511628211ULL;
        for (const char *p = rp_pg_migrations[i].sql; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    }
    snprintf(tpl, n, "rp_template_%016llx", h);
    const char *values[] = {tpl};
    PGresult *r = PQexecParams(c,
                               "SELECT 1 FROM pg_database WHERE datname = $1",
                               1, NULL, values, NULL, NULL, 0);
    int have = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    PQclear(r);
    if (have)
        return;
    char sql[200], info[1024];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", tpl);
    exec_on(c, sql, 0);
    snprintf(info, sizeof info, "%s dbname=%s", server, tpl);
    rp_store *st = NULL;
    rp_error err;
    if (rp_store_pg_open(info, 0, &st, &err) != RP_OK)
        fail_msg("migrating the template database: %s", err.message);
    rp_store_close(st);
}

void rp_test_pg_create(const char *server, const char *dbname, const char *from)
{
    PGconn *c = connect_to(server, "postgres");
    PQclear(PQexec(c, "SELECT pg_advisory_lock(" TEMPLATE_LOCK ")"));
    char tpl[64], sql[200];
    if (from)
        snprintf(tpl, sizeof tpl, "%s", from);
    else
        latest_template(c, server, tpl, sizeof tpl);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE %s", dbname, tpl);
    exec_on(c, sql, 0);
    PQclear(PQexec(c, "SELECT pg_advisory_unlock(" TEMPLATE_LOCK ")"));
    PQfinish(c);
}

void rp_test_run(const char *cmd, char *out, size_t n)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[1024] = "", rest[256];
    if (!fgets(line, sizeof line, p))
        line[0] = '\0';
    while (fgets(rest, sizeof rest, p))
        ;
    int status = pclose(p);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("%s failed", cmd);
    line[strcspn(line, "\n")] = '\0';
    if (out)
        snprintf(out, n, "%s", line);
}
