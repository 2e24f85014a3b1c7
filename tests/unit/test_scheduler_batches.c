/*
 * test_scheduler_batches.c - the scheduler's rules over a backlog of
 * 22,000 due rows (18,000 customers due a keep-in-touch message, 2,000
 * encounters closed without a satisfaction check, 2,000 appointments to
 * come) work in many short transactions: a writer creating customers at
 * the same time never waits a second for one, each rule's tasks are those
 * the rule always made (the same keys, the same due times), each made once
 * however often the rules run, and a run asked to stop between two
 * batches is taken up where it stopped by the next.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fixture.h"

#define T0 1803974400 /* 2027-03-02T08:00:00Z */
#define DAY 86400
#define CUSTOMERS 20000
#define CLOSED 2000 /* the first customers each have a closed encounter */
#define DATES 2000  /* appointments of the last customers */

/* Run sql on the database file with a connection of its own. */
static void exec_sql(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s", msg ? msg : "?");
    sqlite3_close(db);
}

static int64_t count_sql(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* The backlog, written straight into rapport's schema in one transaction:
 * incremental customers created 200 days before T0 (due: the cadence is
 * 90 days), the first CLOSED of them with an encounter opened two days
 * before T0 and closed the day before (so not due a keep-in-touch
 * message, but a satisfaction check), the last DATES with an appointment
 * in the days to come. */
static void seed(const char *path)
{
    char sql[4096];
    snprintf(sql, sizeof sql,
             "BEGIN;"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
             "  WHERE i < %d)"
             " INSERT INTO customers (name, emails, created_at, updated_at,"
             " relationship_level) SELECT 'Customer ' || i,"
             " json_array('c' || i || '@example.com'), %d, %d, 'incremental'"
             " FROM n;"
             "INSERT INTO encounters (customer_id, channel, subject, stage,"
             " created_at, updated_at, closed_at) SELECT id, 'phone', 'Call',"
             " 'closed', %d, %d, %d FROM customers WHERE id <= %d;"
             "INSERT INTO important_dates (customer_id, kind, title, at,"
             " created_at, updated_at) SELECT id, 'appointment', 'visit',"
             " %d + (id %% 20) * 3600, %d, %d FROM customers"
             " WHERE id > %d;"
             /* the search index is brought up to date here, not by the first
              * commit of the writer below */
             "INSERT INTO customers_fts (customers_fts) VALUES ('rebuild');"
             "DELETE FROM customers_fts_pending;"
             "COMMIT;",
             CUSTOMERS, T0 - 200 * DAY, T0 - 200 * DAY, T0 - 2 * DAY, T0 - DAY,
             T0 - DAY, CLOSED, T0 + 3 * DAY, T0 - 200 * DAY, T0 - 200 * DAY,
             CUSTOMERS - DATES);
    exec_sql(path, sql);
}

/* What the rules made, counted by the keys and due times they always
 * gave (the rules before batching made exactly these). */
static void expect_tasks(const char *path)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM tasks WHERE kind = 'keep_in_touch'"
             " AND idempotency_key = 'keep_in_touch:customer:' || customer_id"
             " || ':' || %d AND due_at = %d AND status = 'scheduled'",
             T0 - 200 * DAY, T0);
    assert_int_equal(count_sql(path, sql), CUSTOMERS - CLOSED);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM tasks t JOIN encounters e"
             " ON e.id = t.encounter_id WHERE t.kind = 'satisfaction_check'"
             " AND t.idempotency_key = 'satisfaction:encounter:' || e.id"
             " AND t.due_at = e.closed_at + %d",
             DAY);
    assert_int_equal(count_sql(path, sql), CLOSED);
    assert_int_equal(
        count_sql(path, "SELECT count(*) FROM tasks t JOIN important_dates d"
                        " ON d.id = json_extract(t.payload, '$.date_id')"
                        " WHERE t.kind = 'reminder' AND t.idempotency_key ="
                        " 'reminder:date:' || d.id || ':' || d.at"
                        " AND t.due_at = d.at - 86400"),
        DATES);
    /* nothing else, and nothing twice */
    assert_int_equal(count_sql(path, "SELECT count(*) FROM tasks"),
                     CUSTOMERS + DATES);
}

/* A writer beside the scheduler: creates customers one after another, as
 * a client of the API would, until told to stop, and keeps its longest
 * wait. */
typedef struct writer {
    rp_test_db *db;
    atomic_int stop;
    int created;
    double worst_ms;
    rp_code failed;
} writer;

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
           (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void *write_customers(void *arg)
{
    writer *w = arg;
    rp_store *s = rp_test_db_open(w->db, 0);
    rp_ctx ctx = {.store = s, .actor = "writer"};
    while (!atomic_load(&w->stop)) {
        char name[64];
        snprintf(name, sizeof name, "Walk-in %d", w->created);
        json_t *in = json_pack("{s:s}", "name", name), *out = NULL;
        rp_error err;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        rp_code rc = rp_customer_create(&ctx, in, &out, &err);
        double ms = ms_since(&t0);
        json_decref(in);
        json_decref(out);
        if (rc) {
            w->failed = rc;
            break;
        }
        if (ms > w->worst_ms)
            w->worst_ms = ms;
        w->created++;
        /* a client's own time between two requests (a writer that began
         * its next transaction the instant it committed would keep the
         * lock from everyone else, the scheduler included) */
        struct timespec pause = {0, 2 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    rp_store_close(s);
    return NULL;
}

/* should_stop: counts the batches (it is asked before each) and stops
 * the run after `after` of them when that is not 0. */
typedef struct counter {
    int asked, after;
} counter;

static int count_batches(void *arg)
{
    counter *c = arg;
    c->asked++;
    return c->after && c->asked > c->after;
}

static void test_backlog_in_short_transactions_beside_a_writer(void **state)
{
    rp_test_db *db = *state;
    rp_clock_pin(T0);
    seed(db->path);
    rp_scheduler_config cfg;
    rp_scheduler_config_default(&cfg);
    counter c = {0, 0};
    cfg.should_stop = count_batches;
    cfg.stop_arg = &c;

    writer w = {.db = db};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, write_customers, &w), 0);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rp_error err;
    int64_t created = 0;
    rp_code rc = rp_scheduler_rules(&db->ctx, &cfg, T0, &created, &err);
    double took = ms_since(&t0);
    atomic_store(&w.stop, 1);
    pthread_join(thread, NULL);
    if (rc)
        fail_msg("%s", err.message);
    print_message("rules: %lld tasks in %d batches, %.0f ms; the writer made "
                  "%d customers meanwhile, the slowest in %.1f ms\n",
                  (long long)created, c.asked, took, w.created, w.worst_ms);
    assert_int_equal(w.failed, RP_OK);
    assert_int_equal(created, CUSTOMERS + DATES);
    /* 100 rows a batch: at least 220 transactions, not one */
    assert_true(c.asked >= (CUSTOMERS + DATES) / 100);
    /* the writer went on during the run and never waited long (the
     * margin is for a loaded machine: a batch holds the lock for
     * milliseconds) */
    assert_true(w.created > 0);
    assert_true(w.worst_ms < 1000);
    expect_tasks(db->path);

    /* exactly once: the rules again make nothing, and the rows they looked
     * at are out of their indexes (a batch or so per rule and level) */
    c.asked = 0;
    assert_int_equal(
        rp_scheduler_rules(&db->ctx, &cfg, T0 + 60, &created, &err), RP_OK);
    assert_int_equal(created, 0);
    assert_true(c.asked < 20);
    expect_tasks(db->path);
}

static void test_a_stopped_run_is_taken_up_by_the_next(void **state)
{
    rp_test_db *db = *state;
    rp_clock_pin(T0);
    seed(db->path);
    rp_scheduler_config cfg;
    rp_scheduler_config_default(&cfg);
    counter c = {0, 10}; /* asked to stop after ten batches */
    cfg.should_stop = count_batches;
    cfg.stop_arg = &c;
    rp_error err;
    int64_t first = 0, second = 0;
    assert_int_equal(rp_scheduler_rules(&db->ctx, &cfg, T0, &first, &err),
                     RP_OK);
    assert_true(first > 0);
    assert_true(first <= 10 * 100);
    c.after = 0;
    assert_int_equal(rp_scheduler_rules(&db->ctx, &cfg, T0, &second, &err),
                     RP_OK);
    assert_int_equal(first + second, CUSTOMERS + DATES);
    expect_tasks(db->path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_backlog_in_short_transactions_beside_a_writer,
            rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_stopped_run_is_taken_up_by_the_next, rp_test_db_setup,
            rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
