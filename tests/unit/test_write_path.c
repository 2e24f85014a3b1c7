/*
 * test_write_path.c - what runs inside a write transaction stays small.
 *
 * Routing counts each available agent's open encounters inside the write
 * transaction of every new encounter, so that count must read a range of
 * open work, never an agent's whole closed history: checked here with
 * EXPLAIN QUERY PLAN on a database with statistics where closed encounters
 * outnumber open ones, and against the counts themselves.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* ---- the writer ---------------------------------------------------------- */

/* What one writing thread does: insert a customer named name in its own
 * transaction and, when refuse is set, also an agent whose email is taken,
 * so the transaction fails as a refused request does and is undone. */
typedef struct writer_job {
    const rp_test_db *db;
    const char *name;
    int refuse;
    rp_code rc; /* what rp_store_finish returned */
    pthread_t thread;
} writer_job;

static rp_code insert_named(rp_store *s, const char *name, rp_error *err)
{
    json_t *row = json_pack("{s:s, s:I, s:I}", "name", name, "created_at",
                            (json_int_t)1, "updated_at", (json_int_t)1);
    rp_code rc = s->ops->insert(s, &RP_ENTITY_CUSTOMER, row, NULL, err);
    json_decref(row);
    return rc;
}

static void *write_one(void *arg)
{
    writer_job *job = arg;
    rp_store *s = rp_test_db_open(job->db, 0);
    rp_error err;
    s->ops->set_busy_wait(s, 60000); /* generous: a loaded machine */
    job->rc = rp_store_begin(s, &err);
    if (job->rc == RP_OK) {
        rp_code rc = insert_named(s, job->name, &err);
        if (rc == RP_OK && job->refuse) {
            json_t *agent = json_pack(
                "{s:s, s:s, s:s, s:I, s:I}", "name", "Twin", "email",
                "taken@x.example", "role", "agent", "created_at", (json_int_t)1,
                "updated_at", (json_int_t)1);
            rc = s->ops->insert(s, &RP_ENTITY_AGENT, agent, NULL, &err);
            json_decref(agent);
        }
        job->rc = rp_store_finish(s, rc, &err);
    }
    rp_store_close(s);
    return NULL;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* Wait (up to a minute) until n transactions wait for s's writer. */
static void wait_for_queue(rp_store *s, int n)
{
    for (int i = 0; i < 60000; i++) {
        int waiting;
        long groups, members;
        rp_sqlite_writer_stats(s, &waiting, &groups, &members);
        if (waiting >= n)
            return;
        sleep_ms(1);
    }
    fail_msg("%d transactions never queued for the writer", n);
}

/* Start the jobs one by one while holder keeps the writer's turn, each
 * only once the one before it waits in line, so the order they arrive in
 * is known. */
static void queue_jobs(rp_store *holder, writer_job *jobs, int n)
{
    for (int i = 0; i < n; i++) {
        assert_int_equal(
            pthread_create(&jobs[i].thread, NULL, write_one, &jobs[i]), 0);
        wait_for_queue(holder, i + 1);
    }
}

/* The names of the customers in the order they were written (by id),
 * comma-separated, into a new string. */
static char *names_in_order(rp_store *s)
{
    json_t *rows = NULL;
    rp_error err;
    rp_page page = {.after_id = 0, .descending = 0, .limit = 100};
    assert_int_equal(
        s->ops->list(s, &RP_ENTITY_CUSTOMER, NULL, 0, &page, &rows, &err),
        RP_OK);
    rp_buf b = RP_BUF_INIT;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
        rp_buf_printf(&b, "%s%s", i ? "," : "",
                      json_string_value(json_object_get(row, "name")));
    json_decref(rows);
    return rp_buf_steal(&b);
}

static void test_writer_takes_transactions_in_arrival_order(void **state)
{
    rp_test_db *db = *state;
    rp_error err;
    rp_store *holder = db->store;
    assert_int_equal(rp_store_begin(holder, &err), RP_OK);
    assert_int_equal(insert_named(holder, "first", &err), RP_OK);
    writer_job jobs[6];
    static const char *const names[] = {"a", "b", "c", "d", "e", "f"};
    for (int i = 0; i < 6; i++)
        jobs[i] = (writer_job){.db = db, .name = names[i]};
    queue_jobs(holder, jobs, 6);
    int waiting;
    long groups0, members0, groups, members;
    rp_sqlite_writer_stats(holder, &waiting, &groups0, &members0);
    assert_int_equal(waiting, 6);
    assert_int_equal(rp_store_finish(holder, RP_OK, &err), RP_OK);
    for (int i = 0; i < 6; i++) {
        pthread_join(jobs[i].thread, NULL);
        assert_int_equal(jobs[i].rc, RP_OK);
    }
    char *order = names_in_order(holder);
    assert_string_equal(order, "first,a,b,c,d,e,f");
    free(order);
    /* the seven that met in the line were committed together: one group,
     * one COMMIT, one fsync */
    rp_sqlite_writer_stats(holder, &waiting, &groups, &members);
    assert_int_equal(waiting, 0);
    assert_int_equal(groups - groups0, 1);
    assert_int_equal(members - members0, 7);
}

static void test_refused_transaction_in_a_group_undoes_only_itself(void **state)
{
    rp_test_db *db = *state;
    rp_error err;
    rp_store *holder = db->store;
    json_t *agent = json_pack("{s:s, s:s, s:s, s:I, s:I}", "name", "Taken",
                              "email", "taken@x.example", "role", "agent",
                              "created_at", (json_int_t)1, "updated_at",
                              (json_int_t)1);
    assert_int_equal(
        holder->ops->insert(holder, &RP_ENTITY_AGENT, agent, NULL, &err),
        RP_OK);
    json_decref(agent);
    int waiting;
    long groups0, members0, groups, members;
    rp_sqlite_writer_stats(holder, &waiting, &groups0, &members0);

    assert_int_equal(rp_store_begin(holder, &err), RP_OK);
    assert_int_equal(insert_named(holder, "holder", &err), RP_OK);
    writer_job jobs[4] = {
        {.db = db, .name = "kept before"},
        {.db = db, .name = "refused", .refuse = 1},
        {.db = db, .name = "kept after"},
        {.db = db, .name = "refused last", .refuse = 1},
    };
    queue_jobs(holder, jobs, 4);
    assert_int_equal(rp_store_finish(holder, RP_OK, &err), RP_OK);
    for (int i = 0; i < 4; i++)
        pthread_join(jobs[i].thread, NULL);
    assert_int_equal(jobs[0].rc, RP_OK);
    assert_int_equal(jobs[1].rc, RP_ECONFLICT);
    assert_int_equal(jobs[2].rc, RP_OK);
    assert_int_equal(jobs[3].rc, RP_ECONFLICT);
    char *order = names_in_order(holder);
    assert_string_equal(order, "holder,kept before,kept after");
    free(order);
    /* one group of the three kept, committed by the last refused one */
    rp_sqlite_writer_stats(holder, &waiting, &groups, &members);
    assert_int_equal(groups - groups0, 1);
    assert_int_equal(members - members0, 3);
}

/* A transaction that cannot get the turn within its busy wait is refused
 * as busy, changes nothing, and leaves the line as it was. */
static void test_writer_wait_is_bounded(void **state)
{
    rp_test_db *db = *state;
    rp_error err;
    rp_store *holder = db->store;
    assert_int_equal(rp_store_begin(holder, &err), RP_OK);
    rp_store *other = rp_test_db_open(db, 0);
    other->ops->set_busy_wait(other, 200);
    assert_int_equal(insert_named(other, "too late", &err), RP_EBUSY);
    /* and one that does not wait at all (a best-effort write) */
    json_t *touch = json_pack("[I, I]", (json_int_t)1, (json_int_t)1);
    assert_int_equal(
        other->ops->try_exec(other, RP_Q_STAFF_TOKEN_TOUCH, touch, NULL, &err),
        RP_EBUSY);
    json_decref(touch);
    int waiting;
    long groups, members;
    rp_sqlite_writer_stats(holder, &waiting, &groups, &members);
    assert_int_equal(waiting, 0);
    assert_int_equal(insert_named(holder, "holder", &err), RP_OK);
    assert_int_equal(rp_store_finish(holder, RP_OK, &err), RP_OK);
    assert_int_equal(insert_named(other, "in time", &err), RP_OK);
    char *order = names_in_order(holder);
    assert_string_equal(order, "holder,in time");
    free(order);
    rp_store_close(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_writer_takes_transactions_in_arrival_order, rp_test_db_setup,
            rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            test_refused_transaction_in_a_group_undoes_only_itself,
            rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_writer_wait_is_bounded,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            test_routing_counts_open_work_from_a_range, rp_test_db_setup,
            rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
