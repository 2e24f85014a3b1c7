/*
 * test_write_path.c - what runs inside a write transaction stays small.
 *
 * Routing reads each available agent's open load inside the write
 * transaction of every new encounter, so it must not count the agent's
 * encounters at all: it reads the counts the triggers of migration 108
 * keep (agent_open_work), one row per agent.  Checked here with EXPLAIN
 * QUERY PLAN on a database with statistics where closed encounters
 * outnumber open ones, and the counts against the records themselves after
 * encounters are opened, closed, reopened, handed over and deleted.
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

/* Every agent's kept count of open work against a count of the records;
 * fail naming the first that differs. */
static void assert_counts_agree(sqlite3 *raw)
{
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(
            raw,
            "SELECT a.id, coalesce((SELECT open_work FROM agent_open_work"
            "  WHERE agent_id = a.id), 0),"
            " (SELECT count(*) FROM encounters WHERE agent_id = a.id"
            "  AND stage NOT IN ('closed','abandoned'))"
            " FROM agents a ORDER BY a.id",
            -1, &st, NULL),
        SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        if (sqlite3_column_int(st, 1) != sqlite3_column_int(st, 2))
            fail_msg("agent %d: open work kept %d, counted %d",
                     sqlite3_column_int(st, 0), sqlite3_column_int(st, 1),
                     sqlite3_column_int(st, 2));
    sqlite3_finalize(st);
}

static void test_routing_reads_kept_counts(void **state)
{
    rp_test_db *db = *state;
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db->path, &raw), SQLITE_OK);
    fill_routing_desk(raw);
    char *plan = plan_of(raw, RP_Q_STAFF_ROUTING_CANDIDATES);
    if (strstr(plan, "encounters") || strstr(plan, " e ") ||
        !strstr(plan, "SEARCH w USING INTEGER PRIMARY KEY (rowid=?)"))
        fail_msg("routing's load is not read from the kept counts:\n%s", plan);
    free(plan);
    assert_counts_agree(raw);

    /* the store's query reads the same */
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

    /* closed, reopened, handed over, abandoned, unassigned, deleted: the
     * counts follow the records */
    const char *const changes[] = {
        "UPDATE encounters SET stage = 'closed' WHERE id = 2001",
        "UPDATE encounters SET stage = 'received' WHERE id = 2001",
        "UPDATE encounters SET agent_id = 3 WHERE id = 2002",
        "UPDATE encounters SET stage = 'abandoned', agent_id = 2"
        " WHERE id = 2003",
        "UPDATE encounters SET stage = 'understood' WHERE id = 2003",
        "UPDATE encounters SET agent_id = NULL WHERE id = 2004",
        "UPDATE encounters SET agent_id = 2 WHERE id = 1",
        "UPDATE encounters SET stage = 'helped' WHERE id = 1",
        "DELETE FROM encounters WHERE id = 2001",
        "DELETE FROM encounters WHERE id = 5",
        "INSERT INTO encounters (customer_id, channel, subject, stage,"
        " created_at, updated_at, agent_id) VALUES"
        " (1, 'email', 'e', 'received', 2, 2, 3),"
        " (1, 'email', 'f', 'closed', 2, 2, 3)",
        NULL,
    };
    for (int i = 0; changes[i]; i++) {
        raw_exec(raw, changes[i]);
        assert_counts_agree(raw);
    }
    sqlite3_close(raw);
}

/* Opening an encounter reads its customer and its reply inside the write
 * transaction: an unknown customer is refused and nothing is kept; a
 * merged customer's encounter is the live customer's; the reply is the
 * row stored, routed to the agent with the least open work, whose kept
 * count follows. */
static void test_open_reads_inside_its_transaction(void **state)
{
    rp_test_db *db = *state;
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db->path, &raw), SQLITE_OK);
    fill_routing_desk(raw);
    raw_exec(raw,
             "INSERT INTO customers (id, name, created_at, updated_at,"
             " merged_into) VALUES (2, 'Merged', 1, 1, 1);"
             "INSERT INTO queues (id, name, channels, created_at, updated_at)"
             " VALUES (1, 'Mail', '[\"email\"]', 1, 1);");
    sqlite3_close(raw);
    long long before = 0, moments = 0, after = 0, moments_after = 0;
    rp_test_db_sql(db, "SELECT count(*) FROM encounters", &before);
    rp_test_db_sql(db, "SELECT count(*) FROM moments", &moments);

    rp_error err;
    json_t *out = NULL,
           *in = json_pack("{s:i, s:s, s:s}", "customer_id", 999, "channel",
                           "email", "subject", "Who am I?");
    assert_int_equal(rp_encounter_open(&db->ctx, in, &out, &err), RP_EINVALID);
    assert_string_equal(err.field, "customer_id");
    assert_null(out);
    json_decref(in);
    rp_test_db_sql(db, "SELECT count(*) FROM encounters", &after);
    rp_test_db_sql(db, "SELECT count(*) FROM moments", &moments_after);
    assert_int_equal(after, before);
    assert_int_equal(moments_after, moments);

    in = json_pack("{s:i, s:s, s:s}", "customer_id", 2, "channel", "email",
                   "subject", "A question");
    assert_int_equal(rp_encounter_open(&db->ctx, in, &out, &err), RP_OK);
    json_decref(in);
    int64_t id = json_integer_value(json_object_get(out, "id"));
    assert_true(id > 0);
    assert_int_equal(json_integer_value(json_object_get(out, "customer_id")),
                     1);
    assert_int_equal(json_integer_value(json_object_get(out, "queue_id")), 1);
    /* agent 3 had no open work, agents 1 and 2 had 3 and 1 */
    assert_int_equal(json_integer_value(json_object_get(out, "agent_id")), 3);
    assert_string_equal(json_string_value(json_object_get(out, "subject")),
                        "A question");
    json_t *stored = NULL;
    assert_int_equal(rp_encounter_get(&db->ctx, id, &stored, &err), RP_OK);
    assert_true(json_equal(out, stored));
    json_decref(stored);
    json_decref(out);
    long long kept = 0;
    rp_test_db_sql(db,
                   "SELECT open_work FROM agent_open_work"
                   " WHERE agent_id = 3",
                   &kept);
    assert_int_equal(kept, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_routing_reads_kept_counts,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_open_reads_inside_its_transaction,
                                        rp_test_db_setup, rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
