/*
 * test_pg_sql.c - the PostgreSQL backend's SQL against the SQLite
 * backend's, with no PostgreSQL needed: every named query has a text in
 * both, each taking as many parameters in PostgreSQL ($1..$n, every one of
 * them used, or PostgreSQL cannot type the missing one) as SQLite counts
 * for its text; both schemas have the same migrations, under the same
 * numbers and descriptions.  (tests/pg/check-sql prepares the texts
 * against a real PostgreSQL.)
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "store/pg_internal.h"
#include "store/sqlite_internal.h"

/*
 * The highest $n of a PostgreSQL text, setting used[n] for each one seen;
 * string literals, quoted identifiers and comments are skipped, so a '$'
 * in them is no parameter.  Dollar-quoted bodies are not expected in a
 * query.
 */
static int pg_params(const char *sql, char used[1000])
{
    int max = 0;
    for (const char *p = sql; *p; p++) {
        if (*p == '\'' || *p == '"') {
            char q = *p;
            for (p++; *p && *p != q; p++)
                ;
            if (!*p)
                break;
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
            if (!*p)
                break;
        } else if (p[0] == '$' && p[1] >= '1' && p[1] <= '9') {
            int n = (int)strtol(p + 1, NULL, 10);
            if (n < 1000)
                used[n] = 1;
            if (n > max)
                max = n;
        }
    }
    return max;
}

/* An in-memory SQLite database with the whole schema, to count the
 * parameters of each SQLite text as SQLite itself does. */
static sqlite3 *sqlite_with_schema(void)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    /* the backend's own functions, which knowledge.search calls */
    assert_int_equal(rp_sqlite_rank_register(db), SQLITE_OK);
    assert_int_equal(rp_sqlite_marks_register(db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE schema_version ("
                                  " version INTEGER NOT NULL,"
                                  " applied_at INTEGER NOT NULL)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    for (int i = 0; i < rp_sqlite_nmigrations; i++) {
        char *msg = NULL;
        if (sqlite3_exec(db, rp_sqlite_migrations[i].sql, NULL, NULL, &msg) !=
            SQLITE_OK)
            fail_msg("SQLite migration %d: %s", rp_sqlite_migrations[i].version,
                     msg ? msg : "?");
    }
    return db;
}

static void test_every_query_has_a_text_with_the_same_parameters(void **state)
{
    (void)state;
    sqlite3 *db = sqlite_with_schema();
    int checked = 0;
    for (int q = 0; q < RP_QUERY_COUNT; q++) {
        const char *name = rp_query_name((rp_query)q);
        const char *pg = rp_pg_query_sql((rp_query)q);
        const char *lite = rp_sqlite_query_sql((rp_query)q);
        if (!pg)
            fail_msg("query %s has no PostgreSQL text", name);
        assert_non_null(lite);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, lite, -1, &st, NULL) != SQLITE_OK)
            fail_msg("query %s: SQLite: %s", name, sqlite3_errmsg(db));
        int want = sqlite3_bind_parameter_count(st);
        sqlite3_finalize(st);
        char used[1000] = {0};
        int got = pg_params(pg, used);
        if (got != want)
            fail_msg("query %s takes %d parameters on SQLite but %d on "
                     "PostgreSQL",
                     name, want, got);
        for (int n = 1; n <= got; n++)
            if (!used[n])
                fail_msg("query %s never uses $%d on PostgreSQL", name, n);
        checked++;
    }
    sqlite3_close(db);
    assert_int_equal(checked, RP_QUERY_COUNT);
    /* out of range is no text, on both */
    assert_null(rp_pg_query_sql(RP_QUERY_COUNT));
    assert_null(rp_pg_query_sql((rp_query)-1));
}

static void test_the_migrations_are_the_same_versions(void **state)
{
    (void)state;
    if (rp_pg_nmigrations != rp_sqlite_nmigrations)
        fail_msg("%d PostgreSQL migrations but %d SQLite ones",
                 rp_pg_nmigrations, rp_sqlite_nmigrations);
    for (int i = 0; i < rp_pg_nmigrations; i++) {
        const rp_pg_migration *p = &rp_pg_migrations[i];
        const rp_sqlite_migration *s = &rp_sqlite_migrations[i];
        if (p->version != s->version)
            fail_msg("migration %d of PostgreSQL is version %d, of SQLite %d",
                     i, p->version, s->version);
        if (strcmp(p->description, s->description) != 0)
            fail_msg("migration %d: \"%s\" on PostgreSQL, \"%s\" on SQLite",
                     p->version, p->description, s->description);
        assert_non_null(p->sql);
        assert_true(p->sql[0] != '\0');
        if (i > 0)
            assert_true(p->version > rp_pg_migrations[i - 1].version);
    }
}

/* The counter above is what the test rests on: it must see what is a
 * parameter and what only looks like one. */
static void test_parameters_are_counted_outside_quotes(void **state)
{
    (void)state;
    char used[1000] = {0};
    assert_int_equal(pg_params("SELECT $1, '$7', \"$8\" -- $9\n, $2", used), 2);
    assert_true(used[1] && used[2] && !used[7] && !used[8] && !used[9]);
    memset(used, 0, sizeof used);
    assert_int_equal(pg_params("SELECT $12::bigint, $3", used), 12);
    assert_true(used[12] && used[3] && !used[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parameters_are_counted_outside_quotes),
        cmocka_unit_test(test_every_query_has_a_text_with_the_same_parameters),
        cmocka_unit_test(test_the_migrations_are_the_same_versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
