/*
 * test_write_path.c - what runs inside a write transaction stays small.
 *
 * Routing counts each available agent's open encounters inside the write
 * transaction of every new encounter, so that count must read a range of
 * open work, never an agent's whole closed history: checked here with
 * EXPLAIN QUERY PLAN on a database with statistics where closed encounters
 * outnumber open ones, and against the counts themselves.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "store/sqlite_internal.h"

/* Run sql on a raw connection to the test database; fail on error. */
static void raw_exec(sqlite3 *raw, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(raw, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* The plan of query q on raw, one detail per line, into a new string. */
static char *plan_of(sqlite3 *raw, rp_query q)
{
    char *sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s",
                                rp_sqlite_query_sql(q));
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(raw, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_free(sql);
    size_t cap = 4096, len = 0;
    char *out = calloc(1, cap);
    assert_non_null(out);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(st, 3);
        size_t n = strlen(d);
        if (len + n + 2 > cap) {
            cap = 2 * (len + n + 2);
            out = realloc(out, cap);
            assert_non_null(out);
        }
        memcpy(out + len, d, n);
        len += n;
        out[len++] = '\n';
        out[len] = '\0';
    }
    sqlite3_finalize(st);
    return out;
}

/* Three agents; agent 1 with 2,000 closed or abandoned encounters and 3
 * open, agent 2 with 1 open, agent 3 with none; statistics gathered. */
static void fill_routing_desk(sqlite3 *raw)
{
    raw_exec(raw,
             "INSERT INTO agents (id, name, email, role, created_at,"
             " updated_at) VALUES (1, 'Ann', 'ann@x.example', 'agent', 1, 1),"
             " (2, 'Bo', 'bo@x.example', 'agent', 1, 1),"
             " (3, 'Cy', 'cy@x.example', 'agent', 1, 1);"
             "INSERT INTO customers (id, name, created_at, updated_at)"
             " VALUES (1, 'Customer', 1, 1);"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
             "  WHERE i < 2000)"
             " INSERT INTO encounters (customer_id, channel, subject, stage,"
             "  created_at, updated_at, agent_id)"
             " SELECT 1, 'email', 'old', CASE WHEN i % 7 = 0 THEN 'abandoned'"
             "  ELSE 'closed' END, 1, 1, 1 FROM n;"
             "INSERT INTO encounters (customer_id, channel, subject, stage,"
             " created_at, updated_at, agent_id) VALUES"
             " (1, 'email', 'a', 'received', 1, 1, 1),"
             " (1, 'email', 'b', 'understood', 1, 1, 1),"
             " (1, 'email', 'c', 'helped', 1, 1, 1),"
             " (1, 'email', 'd', 'received', 1, 1, 2);"
             "ANALYZE;");
}

static void test_routing_counts_open_work_from_a_range(void **state)
{
    rp_test_db *db = *state;
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db->path, &raw), SQLITE_OK);
    /* the plan on a fresh database (no statistics) first */
    char *plan = plan_of(raw, RP_Q_STAFF_ROUTING_CANDIDATES);
    if (!strstr(plan, "USING COVERING INDEX encounters_open_by_agent "
                      "(agent_id=?)"))
        fail_msg("routing's count is not a range of open work:\n%s", plan);
    free(plan);
    fill_routing_desk(raw);
    plan = plan_of(raw, RP_Q_STAFF_ROUTING_CANDIDATES);
    if (!strstr(plan, "USING COVERING INDEX encounters_open_by_agent "
                      "(agent_id=?)") ||
        strstr(plan, "SCAN e"))
        fail_msg("with statistics, routing's count is not a range of open "
                 "work:\n%s",
                 plan);
    free(plan);
    /* the range of agent 1 holds its 3 open encounters, not its 2,003 */
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(raw,
                                        "SELECT count(*) FROM encounters"
                                        " INDEXED BY encounters_open_by_agent"
                                        " WHERE agent_id = 1 AND stage NOT IN"
                                        " ('closed','abandoned')",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 3);
    sqlite3_finalize(st);
    sqlite3_close(raw);

    /* and the store's query counts the same */
    json_t *rows = NULL;
    rp_error err;
    assert_int_equal(db->store->ops->query(db->store,
                                           RP_Q_STAFF_ROUTING_CANDIDATES, NULL,
                                           &rows, &err),
                     RP_OK);
    assert_int_equal(json_array_size(rows), 3);
    const json_int_t want[] = {3, 1, 0};
    for (size_t i = 0; i < 3; i++) {
        json_t *row = json_array_get(rows, i);
        assert_int_equal(json_integer_value(json_object_get(row, "id")),
                         (json_int_t)i + 1);
        assert_int_equal(json_integer_value(json_object_get(row, "open")),
                         want[i]);
    }
    json_decref(rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_routing_counts_open_work_from_a_range, rp_test_db_setup,
            rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
