/*
 * test_charter_sweep.c - the sweep that records the charter's breaches as
 * they happen (measures/sweep.c), against a real SQLite store: which
 * encounters it selects and judges (one acknowledged in time is no breach,
 * one closed is not swept again, one abandoned breaches resolution when
 * the customer gave up), that each breach is recorded and emitted once
 * however often and however concurrently the sweep runs, that it agrees
 * with the breach report, that a changed charter is applied on the next
 * run, and that its queries read indexes only.
 *
 * Encounters are written through the store's generic record operation
 * with chosen times and the clock is pinned, so every expected figure
 * follows from the rows written here.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "store/sqlite_internal.h"

#define NOW 1900000000LL /* after the migration wrote the default charter */
#define MIN 60
#define HOUR 3600

typedef struct fixture {
    rp_test_db db;
    rp_store *s;
    rp_ctx ctx;
    int64_t customer;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    rp_test_db_make(&f->db, 1);
    f->s = f->db.store;
    f->ctx = f->db.ctx;
    rp_clock_pin(NOW);
    rp_error err;
    json_t *c = NULL, *in = json_pack("{s:s}", "name", "Kept Waiting");
    assert_int_equal(rp_customer_create(&f->ctx, in, &c, &err), RP_OK);
    f->customer = json_integer_value(json_object_get(c, "id"));
    json_decref(in);
    json_decref(c);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rp_test_db_remove(&f->db);
    free(f);
    return 0;
}

/* Insert an encounter; times are offsets before NOW (0: not set). */
static int64_t encounter(fixture *f, int64_t created_ago, int64_t ack_ago,
                         int64_t first_ago, int64_t closed_ago,
                         int64_t abandoned_ago)
{
    json_t *row = json_pack(
        "{s:I, s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o}", "customer_id",
        (json_int_t)f->customer, "channel", "phone", "subject", "swept",
        "stage",
        closed_ago      ? "closed"
        : abandoned_ago ? "abandoned"
                        : "received",
        "created_at", (json_int_t)(NOW - created_ago), "updated_at",
        (json_int_t)NOW, "acknowledged_at",
        ack_ago ? json_integer(NOW - ack_ago) : json_null(),
        "first_response_at",
        first_ago ? json_integer(NOW - first_ago) : json_null(), "closed_at",
        closed_ago ? json_integer(NOW - closed_ago) : json_null(),
        "abandoned_at",
        abandoned_ago ? json_integer(NOW - abandoned_ago) : json_null());
    int64_t id = 0;
    rp_error err;
    assert_int_equal(
        f->s->ops->insert(f->s, &RP_ENTITY_ENCOUNTER, row, &id, &err), RP_OK);
    json_decref(row);
    return id;
}

/* One integer that sql (with no parameters) reads from the database. */
static int64_t scalar(fixture *f, const char *sql)
{
    sqlite3 *raw;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(f->db.path, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(raw, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(raw);
    return v;
}

static void sweep(fixture *f, int64_t at, int64_t want_breached,
                  int64_t want_looked)
{
    rp_error err;
    int64_t breached = -1, looked = -1;
    rp_clock_pin(at);
    assert_int_equal(rp_charter_sweep(&f->ctx, at, &breached, &looked, &err),
                     RP_OK);
    assert_int_equal(breached, want_breached);
    assert_int_equal(looked, want_looked);
}

/* The breaches recorded for encounter id, oldest first (new array). */
static json_t *facts(fixture *f, int64_t id)
{
    rp_error err;
    json_t *out = NULL;
    assert_int_equal(rp_charter_breach_facts(&f->ctx, id, &out, &err), RP_OK);
    return out;
}

static int64_t time_at(json_t *row, const char *key)
{
    int64_t t = 0;
    assert_int_equal(
        rp_time_parse(json_string_value(json_object_get(row, key)), &t), 0);
    return t;
}

static void test_selection(void **state)
{
    fixture *f = *state;
    /* the default charter: acknowledge 5 min, first response 15, 24 h */
    int64_t in_time = encounter(f, 10 * MIN, 8 * MIN, 7 * MIN, 0, 0);
    int64_t waiting = encounter(f, 10 * MIN, 0, 0, 0, 0);
    int64_t closed = encounter(f, 3 * HOUR, 3 * HOUR - MIN, 3 * HOUR - 2 * MIN,
                               2 * HOUR, 0);
    int64_t gave_up = encounter(f, 20 * MIN, 0, 0, 0, 19 * MIN);
    /* every new encounter is watched, through the store's trigger */
    assert_int_equal(scalar(f, "SELECT count(*) FROM charter_watch"), 4);

    sweep(f, NOW, 2, 4);
    json_t *got = facts(f, in_time);
    assert_int_equal(json_array_size(got), 0); /* acknowledged in time */
    json_decref(got);
    got = facts(f, closed);
    assert_int_equal(json_array_size(got), 0);
    json_decref(got);
    got = facts(f, waiting);
    assert_int_equal(json_array_size(got), 1);
    json_t *b = json_array_get(got, 0);
    assert_string_equal(json_string_value(json_object_get(b, "target")),
                        "acknowledge");
    assert_int_equal(json_integer_value(json_object_get(b, "target_seconds")),
                     5 * MIN);
    assert_int_equal(time_at(b, "due_at"), NOW - 5 * MIN);
    assert_int_equal(time_at(b, "breached_at"), NOW - 5 * MIN);
    assert_int_equal(time_at(b, "judged_at"), NOW);
    json_decref(got);
    /* hung up after a minute: no acknowledgement breach (the wait was
     * one minute), but never resolved, from the moment they gave up */
    got = facts(f, gave_up);
    assert_int_equal(json_array_size(got), 1);
    b = json_array_get(got, 0);
    assert_string_equal(json_string_value(json_object_get(b, "target")),
                        "resolution");
    assert_int_equal(time_at(b, "breached_at"), NOW - 19 * MIN);
    json_decref(got);
    /* the ended encounters left the watch; the open ones wait for their
     * next deadline, so the same run again looks at nothing */
    assert_int_equal(scalar(f, "SELECT count(*) FROM charter_watch"), 2);
    sweep(f, NOW, 0, 0);
    sweep(f, NOW + 4 * MIN, 0, 0);
    /* the waiting one's first-response deadline passes at +5 min */
    sweep(f, NOW + 6 * MIN, 1, 1);
    sweep(f, NOW + 7 * MIN, 0, 0);
    assert_int_equal(scalar(f, "SELECT count(*) FROM events WHERE kind = "
                               "'charter.breached'"),
                     3);
    assert_int_equal(scalar(f,
                            "SELECT count(*) FROM moments WHERE kind = "
                            "'charter.breached' AND impression = 'negative'"),
                     3);

    /* the sweep and the breach report agree on what is a breach */
    rp_window w = {.from = NOW - 24 * HOUR, .to = NOW + HOUR};
    rp_error err;
    json_t *report = NULL;
    assert_int_equal(rp_charter_breaches(&f->ctx, &w, 100, &report, &err),
                     RP_OK);
    json_t *items = json_object_get(report, "items"), *item;
    size_t i;
    assert_int_equal(json_array_size(items), 3);
    json_array_foreach(items, i, item) {
        json_t *mine = facts(
            f, json_integer_value(json_object_get(item, "encounter_id")));
        int found = 0;
        size_t k;
        json_t *one;
        json_array_foreach(mine, k, one) {
            found |= !strcmp(
                json_string_value(json_object_get(one, "target")),
                json_string_value(json_object_get(item, "target")));
        }
        assert_true(found);
        json_decref(mine);
    }
    json_decref(report);

    /* a day later the two open ones breach resolution; with every target
     * judged they leave the watch, though still open */
    sweep(f, NOW + 25 * HOUR, 2, 2);
    assert_int_equal(scalar(f, "SELECT count(*) FROM charter_watch"), 0);
    sweep(f, NOW + 26 * HOUR, 0, 0);
    assert_int_equal(scalar(f, "SELECT count(*) FROM charter_breaches"), 5);
}

static void test_reopened_is_watched_again(void **state)
{
    fixture *f = *state;
    int64_t id = encounter(f, 2 * HOUR, 2 * HOUR - MIN, 2 * HOUR - 2 * MIN,
                           HOUR, 0);
    sweep(f, NOW, 0, 1);
    sweep(f, NOW, 0, 0);
    /* the customer writes again: closed_at is cleared, as a reopening
     * does, and the encounter is watched again from its start */
    rp_error err;
    json_t *changes = json_pack("{s:s, s:n}", "stage", "received", "closed_at");
    assert_int_equal(
        f->s->ops->update(f->s, &RP_ENTITY_ENCOUNTER, id, changes, &err),
        RP_OK);
    json_decref(changes);
    sweep(f, NOW, 0, 1);
    sweep(f, NOW + 23 * HOUR, 1, 1);
    json_t *got = facts(f, id);
    assert_int_equal(json_array_size(got), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(got, 0), "target")),
        "resolution");
    json_decref(got);
}

/* A change of the charter applies from the moment it is made: an
 * encounter received before keeps its deadline (and is not looked at again
 * for the change), one received after gets the new target. */
static void test_changed_charter_keeps_received_targets(void **state)
{
    fixture *f = *state;
    rp_error err;
    rp_clock_pin(NOW - 2 * HOUR);
    json_t *out = NULL, *in = json_pack("{s:i, s:i}", "acknowledge_minutes", 60,
                                        "first_response_minutes", 90);
    assert_int_equal(rp_charter_update(&f->ctx, in, &out, &err), RP_OK);
    json_decref(in);
    json_decref(out);
    int64_t before = encounter(f, 30 * MIN, 0, 0, 0, 0);
    sweep(f, NOW, 0, 1); /* next look: in half an hour */
    in = json_pack("{s:i}", "acknowledge_minutes", 10);
    assert_int_equal(rp_charter_update(&f->ctx, in, &out, &err), RP_OK);
    json_decref(in);
    json_decref(out);
    sweep(f, NOW, 0, 0);                          /* nothing to judge again */
    int64_t after = encounter(f, -1, 0, 0, 0, 0); /* received after it */
    sweep(f, NOW + 1, 0, 1);
    sweep(f, NOW + 12 * MIN, 1, 1); /* the new 10 minutes */
    sweep(f, NOW + 31 * MIN, 1, 1); /* the old hour, half an hour on */
    json_t *got = facts(f, before);
    json_t *b = json_array_get(got, 0);
    assert_string_equal(json_string_value(json_object_get(b, "target")),
                        "acknowledge");
    assert_int_equal(json_integer_value(json_object_get(b, "target_seconds")),
                     60 * MIN);
    json_decref(got);
    got = facts(f, after);
    b = json_array_get(got, 0);
    assert_int_equal(json_integer_value(json_object_get(b, "target_seconds")),
                     10 * MIN);
    json_decref(got);
    /* the history of the charter: the first version and two changes */
    assert_int_equal(rp_charter_versions(&f->ctx, &out, &err), RP_OK);
    json_t *items = json_object_get(out, "items");
    assert_int_equal(json_array_size(items), 3);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(items, 0), "acknowledge_minutes")),
                     10);
    assert_true(
        json_is_null(json_object_get(json_array_get(items, 2), "starts_at")));
    json_decref(out);
}

/* Two sweeps at once on two connections. */
typedef struct runner {
    rp_store *store;
    int64_t breached;
    int failures;
} runner;

static void *run_sweeps(void *arg)
{
    runner *r = arg;
    rp_ctx ctx = {.store = r->store, .actor = "scheduler"};
    rp_error err;
    r->store->ops->set_busy_wait(r->store, 10000);
    for (int i = 0; i < 5; i++) {
        int64_t n = 0;
        if (rp_charter_sweep(&ctx, NOW, &n, NULL, &err))
            r->failures++;
        else
            r->breached += n;
    }
    return NULL;
}

static void test_overlapping_sweeps_send_once(void **state)
{
    fixture *f = *state;
    /* more than one batch, all past acknowledgement and first response */
    enum { N = 250 };
    for (int i = 0; i < N; i++)
        encounter(f, 20 * MIN, 0, 0, 0, 0);
    runner a = {.store = rp_test_db_open(&f->db, 0)},
           b = {.store = rp_test_db_open(&f->db, 0)};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, run_sweeps, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, run_sweeps, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    rp_store_close(a.store);
    rp_store_close(b.store);
    assert_int_equal(a.failures + b.failures, 0);
    assert_int_equal(a.breached + b.breached, 2 * N);
    assert_int_equal(scalar(f, "SELECT count(*) FROM charter_breaches"), 2 * N);
    assert_int_equal(scalar(f, "SELECT count(*) FROM events WHERE kind = "
                               "'charter.breached'"),
                     2 * N);
    assert_int_equal(
        scalar(f, "SELECT count(*) FROM (SELECT DISTINCT encounter_id, target"
                  " FROM charter_breaches)"),
        2 * N);
}

/* The sweep's reads and writes find their rows through indexes: its cost
 * follows what is due, never the size of the history. */
static void test_sweep_queries_are_indexed(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 50; i++)
        encounter(f, (i + 1) * HOUR, 0, 0, i % 2 ? HOUR / 2 : 0, 0);
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(f->db.path, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, "ANALYZE", NULL, NULL, NULL), SQLITE_OK);
    static const rp_query qs[] = {
        RP_Q_MEASURES_SWEEP_DUE,
        RP_Q_MEASURES_SWEEP_LOOK,
        RP_Q_MEASURES_SWEEP_NEXT,
        RP_Q_MEASURES_SWEEP_DONE,
        RP_Q_MEASURES_SWEEP_AGAIN,
        RP_Q_MEASURES_SWEEP_BREACHES_OF,
        RP_Q_MEASURES_SWEEP_BREACHES_OF_CUSTOMER,
    };
    for (size_t q = 0; q < sizeof qs / sizeof qs[0]; q++) {
        char *sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s",
                                    rp_sqlite_query_sql(qs[q]));
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(raw, sql, -1, &st, NULL),
                         SQLITE_OK);
        int steps = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *detail = (const char *)sqlite3_column_text(st, 3);
            if (strncmp(detail, "SCAN", 4) == 0)
                fail_msg("%s scans: %s", rp_query_name(qs[q]), detail);
            steps++;
        }
        assert_true(steps > 0);
        sqlite3_finalize(st);
        sqlite3_free(sql);
    }
    sqlite3_close(raw);
}

#define T(test) cmocka_unit_test_setup_teardown(test, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_selection),
        T(test_reopened_is_watched_again),
        T(test_changed_charter_keeps_received_targets),
        T(test_overlapping_sweeps_send_once),
        T(test_sweep_queries_are_indexed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
