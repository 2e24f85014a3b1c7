/*
 * test_group_commit.c - writers take turns in arrival order and share the
 * flushes of the log, and no commit is reported done before a flush that
 * began after it has ended.
 *
 * The first tests drive the group of sqlite_commit.c directly, with a
 * flush that takes a while, so that commits pile up behind it; the others
 * write through real stores, one connection per thread, to one file.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "store/sqlite_commit.h"
#include "store/store_sqlite.h"
#include <sqlite3.h>

enum { THREADS = 8, COMMITS = 300, WRITES = 60 };

/* ---- the group alone ----------------------------------------------------- */

static atomic_int flushes_begun, flushes_ended, uncovered;

static void pause_us(long us)
{
    struct timespec t = {0, us * 1000L};
    nanosleep(&t, NULL);
}

static int slow_flush(void *arg)
{
    (void)arg;
    atomic_fetch_add(&flushes_begun, 1);
    pause_us(300);
    atomic_fetch_add(&flushes_ended, 1);
    return 0;
}

static void *commit_many(void *arg)
{
    rp_sqlite_group *g = arg;
    for (int i = 0; i < COMMITS; i++) {
        /* the flush that covers this commit reads the count after it, so
         * it is one begun after this moment */
        int begun_before = atomic_load(&flushes_begun);
        uint64_t seq = rp_sqlite_group_committed(g);
        if (rp_sqlite_group_sync(g, seq, slow_flush, NULL) != 0 ||
            atomic_load(&flushes_ended) <= begun_before)
            atomic_fetch_add(&uncovered, 1);
    }
    return NULL;
}

static void test_a_flush_begun_after_each_commit_covers_it(void **state)
{
    (void)state;
    rp_sqlite_group *g = rp_sqlite_group_join("/nonexistent/group-a.db");
    assert_non_null(g);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, commit_many, g), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    rp_sqlite_group_stats st;
    rp_sqlite_group_get_stats(g, &st);
    assert_int_equal(atomic_load(&uncovered), 0);
    assert_int_equal(st.commits, THREADS * COMMITS);
    /* commits made during a flush wait for the next one together */
    assert_true(st.flushes < st.commits / 2);
    assert_int_equal(st.flushes, (uint64_t)atomic_load(&flushes_ended));
    rp_sqlite_group_leave(g);
}

static int failing_flush(void *arg)
{
    (void)arg;
    return -1;
}

static void test_a_failed_flush_is_reported(void **state)
{
    (void)state;
    rp_sqlite_group *g = rp_sqlite_group_join("/nonexistent/group-b.db");
    uint64_t seq = rp_sqlite_group_committed(g);
    assert_int_equal(rp_sqlite_group_sync(g, seq, failing_flush, NULL), -1);
    rp_sqlite_group_stats st;
    rp_sqlite_group_get_stats(g, &st);
    assert_int_equal(st.flushes, 0);
    /* a later flush that works covers it */
    assert_int_equal(rp_sqlite_group_sync(g, seq, slow_flush, NULL), 0);
    rp_sqlite_group_leave(g);
}

static void test_the_turn_passes_in_arrival_order_or_times_out(void **state)
{
    (void)state;
    rp_sqlite_group *g = rp_sqlite_group_join("/nonexistent/group-c.db");
    rp_sqlite_group *same = rp_sqlite_group_join("/nonexistent/group-c.db");
    assert_ptr_equal(g, same); /* one group per file */
    int waited = -1;
    assert_int_equal(rp_sqlite_group_enter(g, 0, &waited), 0);
    /* held: a second writer gives up when its time is out */
    assert_int_equal(rp_sqlite_group_enter(g, 50, &waited), -1);
    assert_true(waited >= 45);
    rp_sqlite_group_exit(g);
    /* and the queue it left is empty: the next one enters at once */
    assert_int_equal(rp_sqlite_group_enter(g, 0, NULL), 0);
    rp_sqlite_group_exit(g);
    rp_sqlite_group_stats st;
    rp_sqlite_group_get_stats(g, &st);
    assert_int_equal(st.entered_at_once, 2);
    rp_sqlite_group_leave(same);
    rp_sqlite_group_leave(g);
}

static int64_t elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)(now.tv_sec - since->tv_sec) * 1000 +
           (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* A write that arrives in the queue after a pause, and a write of an
 * earlier batch that comes back after a pause. */
typedef struct arrival {
    rp_sqlite_group *g;
    rp_sqlite_member *member; /* NULL: arrive in the queue instead */
    long pause_us;
    int entered;
} arrival;

static void *arrive(void *arg)
{
    arrival *a = arg;
    pause_us(a->pause_us);
    if (a->member) {
        rp_sqlite_group_end_batch(a->g, a->member);
        rp_sqlite_group_await_batch(a->g, a->member);
        return NULL;
    }
    a->entered = rp_sqlite_group_enter(a->g, 10000, NULL) == 0;
    if (a->entered)
        rp_sqlite_group_exit(a->g);
    return NULL;
}

static void
test_a_batch_waits_for_writes_to_come_only_while_some_are_out(void **state)
{
    (void)state;
    rp_sqlite_group *g = rp_sqlite_group_join("/nonexistent/group-d.db");
    rp_sqlite_member mine = {0}, earlier = {0};
    rp_sqlite_group_stats st;
    struct timespec t0;

    /* alone: no write of another batch is out, so no wait at all, however
     * long the wait allowed */
    assert_int_equal(rp_sqlite_group_enter(g, 0, NULL), 0);
    rp_sqlite_group_join_batch(g, &mine);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(rp_sqlite_group_pass_lingering(g, 1, 5000000), 0);
    assert_true(elapsed_ms(&t0) < 1000);
    rp_sqlite_group_get_stats(g, &st);
    assert_int_equal(st.lingered, 0);

    /* a write of an earlier batch is out: the holder waits, and hands the
     * turn to the write that arrives meanwhile */
    rp_sqlite_group_join_batch(g, &earlier);
    arrival a = {g, NULL, 20000, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, arrive, &a), 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(rp_sqlite_group_pass_lingering(g, 1, 5000000), 1);
    assert_true(elapsed_ms(&t0) >= 15);
    pthread_join(t, NULL);
    assert_true(a.entered); /* it had the turn, and gave it back */
    rp_sqlite_group_get_stats(g, &st);
    assert_int_equal(st.lingered, 1);
    assert_int_equal(st.joined_lingering, 1);

    /* nobody arrives: the holder keeps the turn after the wait allowed */
    assert_int_equal(rp_sqlite_group_enter(g, 0, NULL), 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(rp_sqlite_group_pass_lingering(g, 1, 30000), 0);
    assert_true(elapsed_ms(&t0) >= 29);

    /* the write out comes back without a new one: the wait ends then, not
     * when the time allowed is up */
    arrival back = {g, &earlier, 20000, 0};
    assert_int_equal(pthread_create(&t, NULL, arrive, &back), 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(rp_sqlite_group_pass_lingering(g, 1, 5000000), 0);
    assert_true(elapsed_ms(&t0) < 4000);
    pthread_join(t, NULL);
    rp_sqlite_group_get_stats(g, &st);
    assert_int_equal(st.lingered, 3);
    assert_int_equal(st.joined_lingering, 1);
    rp_sqlite_group_exit(g);
    rp_sqlite_group_end_batch(g, &mine);
    rp_sqlite_group_await_batch(g, &mine);
    rp_sqlite_group_leave(g);
}

/* ---- through real stores ------------------------------------------------- */

typedef struct writer {
    rp_store *store;
    int failures;
} writer;

/* Insert row (taken) in a write transaction of its own; a failure is
 * counted. */
static void insert_alone(writer *w, const rp_entity *entity, json_t *row)
{
    rp_error err;
    int64_t id;
    rp_code rc = rp_store_begin(w->store, &err);
    if (rc == RP_OK) {
        rc = w->store->ops->insert(w->store, entity, row, &id, &err);
        rc = rp_store_finish(w->store, rc, &err);
    }
    json_decref(row);
    if (rc != RP_OK)
        w->failures++;
}

static void *write_customers(void *arg)
{
    writer *w = arg;
    for (int i = 0; i < WRITES; i++) {
        json_t *row = json_pack("{s:s, s:I, s:I}", "name", "Zoë 山田 🙂",
                                "created_at", (json_int_t)1, "updated_at",
                                (json_int_t)1);
        insert_alone(w, &RP_ENTITY_CUSTOMER, row);
    }
    return NULL;
}

static void test_writers_of_one_file_share_flushes(void **state)
{
    rp_test_db *db = *state;
    if (db->pg)
        skip();
    writer w[THREADS];
    pthread_t t[THREADS];
    long long before = 0, after = 0;
    assert_int_equal(
        rp_test_db_sql(db, "SELECT count(*) FROM customers", &before), 0);
    for (int i = 0; i < THREADS; i++) {
        w[i].store = rp_test_db_open(db, 0);
        w[i].failures = 0;
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, write_customers, &w[i]),
                         0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    rp_sqlite_group_stats st;
    rp_store_sqlite_group_stats(w[0].store, &st);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(w[i].failures, 0); /* none was told "busy" */
        rp_store_close(w[i].store);
    }
    assert_int_equal(
        rp_test_db_sql(db, "SELECT count(*) FROM customers", &after), 0);
    assert_int_equal(after - before, THREADS * WRITES);
    /* each write was a member of a batch; batches shared commits */
    assert_true(st.batched >= THREADS * WRITES);
    assert_true(st.batches >= 1 && st.batches <= st.batched);
    assert_true(st.commits >= 1 && st.commits <= st.batches);
    assert_true(st.flushes >= 1 && st.flushes <= st.commits);
    assert_true(st.entered_after_waiting > 0); /* they did queue */
    assert_true(st.joined_lingering <= st.lingered);
    printf("# %d writers: %llu writes in %llu batches, %llu commits, %llu "
           "flushes, %llu waited their turn, %llu batches held for a write "
           "to come, %llu joined so\n",
           THREADS, (unsigned long long)st.batched,
           (unsigned long long)st.batches, (unsigned long long)st.commits,
           (unsigned long long)st.flushes,
           (unsigned long long)st.entered_after_waiting,
           (unsigned long long)st.lingered,
           (unsigned long long)st.joined_lingering);
}

/* A second writer that begins while the first holds the turn, and is
 * refused after the first has committed into the batch. */
typedef struct second {
    rp_store *store;
    atomic_int begun, inserted;
} second;

static json_t *customer_named(const char *name)
{
    return json_pack("{s:s, s:I, s:I}", "name", name, "created_at",
                     (json_int_t)1, "updated_at", (json_int_t)1);
}

static void *refused_second(void *arg)
{
    second *b = arg;
    rp_error err;
    atomic_store(&b->begun, rp_store_begin(b->store, &err));
    if (atomic_load(&b->begun) != RP_OK)
        return NULL;
    json_t *row = customer_named("Second, refused");
    int64_t id;
    atomic_store(
        &b->inserted,
        b->store->ops->insert(b->store, &RP_ENTITY_CUSTOMER, row, &id, &err));
    json_decref(row);
    /* refused after its work was done: nothing of it may stay, and the
     * first writer's work, already in the batch, must be committed */
    b->store->ops->rollback(b->store);
    return NULL;
}

static void test_a_refused_write_keeps_the_rest_of_its_batch(void **state)
{
    rp_test_db *db = *state;
    if (db->pg)
        skip();
    rp_error err;
    rp_store *first = db->store;
    second b = {.store = rp_test_db_open(db, 0)};
    atomic_init(&b.begun, -1);
    atomic_init(&b.inserted, -1);
    rp_sqlite_group_stats before, st;
    rp_store_sqlite_group_stats(first, &before);
    assert_int_equal(rp_store_begin(first, &err), RP_OK);
    json_t *row = customer_named("First, kept");
    int64_t id;
    assert_int_equal(
        first->ops->insert(first, &RP_ENTITY_CUSTOMER, row, &id, &err), RP_OK);
    json_decref(row);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, refused_second, &b), 0);
    /* wait until the second is in the queue, so that the first's commit
     * hands it the batch instead of committing alone */
    for (int i = 0; i < 5000; i++) {
        rp_store_sqlite_group_stats(first, &st);
        if (st.waiting > 0)
            break;
        pause_us(1000);
    }
    assert_int_equal(st.waiting, 1);
    /* returns once the batch, ended by the second's refusal, is committed
     * and flushed */
    assert_int_equal(rp_store_commit(first, &err), RP_OK);
    /* the batch it joined ended with the second's refusal, after its
     * insert */
    assert_int_equal(atomic_load(&b.inserted), RP_OK);
    long long kept = 0, refused = -1;
    assert_int_equal(rp_test_db_sql(db,
                                    "SELECT count(*) FROM customers WHERE "
                                    "name = 'First, kept'",
                                    &kept),
                     0);
    assert_int_equal(kept, 1);
    pthread_join(t, NULL);
    assert_int_equal(atomic_load(&b.begun), RP_OK);
    assert_int_equal(rp_test_db_sql(db,
                                    "SELECT count(*) FROM customers WHERE "
                                    "name = 'Second, refused'",
                                    &refused),
                     0);
    assert_int_equal(refused, 0);
    rp_store_sqlite_group_stats(first, &st);
    assert_int_equal(st.batches - before.batches, 1);
    assert_int_equal(st.batched - before.batched, 1); /* the first only */
    assert_true(st.flushes > before.flushes);
    rp_store_close(b.store);
}

/* ---- the encounter subject index, written once per batch ---------------- */

static int64_t test_customer;

static json_t *encounter_about(const char *subject)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:I, s:I}", "customer_id",
                     (json_int_t)test_customer, "channel", "email", "subject",
                     subject, "stage", "received", "created_at", (json_int_t)1,
                     "updated_at", (json_int_t)1);
}

static void *write_encounters(void *arg)
{
    writer *w = arg;
    for (int i = 0; i < WRITES; i++) {
        char subject[64];
        snprintf(subject, sizeof subject, "Batched question zqx %p %d",
                 (void *)w, i);
        insert_alone(w, &RP_ENTITY_ENCOUNTER, encounter_about(subject));
    }
    return NULL;
}

static long long matches(rp_test_db *db, const char *word)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM encounters_fts WHERE encounters_fts"
             " MATCH '%s'",
             word);
    long long n = -1;
    assert_int_equal(rp_test_db_sql(db, sql, &n), 0);
    return n;
}

static int64_t insert_encounter(rp_store *s, const char *subject)
{
    rp_error err;
    json_t *row = encounter_about(subject);
    int64_t id = 0;
    assert_int_equal(s->ops->insert(s, &RP_ENTITY_ENCOUNTER, row, &id, &err),
                     RP_OK);
    json_decref(row);
    return id;
}

static void set_subject(rp_store *s, int64_t id, const char *subject)
{
    rp_error err;
    json_t *changes = json_pack("{s:s}", "subject", subject);
    assert_int_equal(s->ops->update(s, &RP_ENTITY_ENCOUNTER, id, changes, &err),
                     RP_OK);
    json_decref(changes);
}

static void test_the_subject_index_holds_each_batch(void **state)
{
    rp_test_db *db = *state;
    if (db->pg)
        skip();
    rp_error err;
    rp_store *s = db->store;
    json_t *c = customer_named("Index, customer");
    assert_int_equal(rp_store_begin(s, &err), RP_OK);
    assert_int_equal(
        s->ops->insert(s, &RP_ENTITY_CUSTOMER, c, &test_customer, &err), RP_OK);
    assert_int_equal(rp_store_commit(s, &err), RP_OK);
    json_decref(c);

    /* writers at once: their encounters committed in batches, each
     * batch's subjects indexed together before its commit */
    writer w[THREADS];
    pthread_t t[THREADS];
    rp_sqlite_group_stats before, st;
    rp_store_sqlite_group_stats(s, &before);
    for (int i = 0; i < THREADS; i++) {
        w[i].store = rp_test_db_open(db, 0);
        w[i].failures = 0;
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, write_encounters, &w[i]),
                         0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    rp_store_sqlite_group_stats(s, &st);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(w[i].failures, 0);
        rp_store_close(w[i].store);
    }
    assert_int_equal(matches(db, "zqx"), THREADS * WRITES);
    printf("# %d encounters in %llu batches\n", THREADS * WRITES,
           (unsigned long long)(st.batches - before.batches));

    /* a row changed in the transaction that made it, before its subject
     * was indexed; and a row indexed, then changed */
    assert_int_equal(rp_store_begin(s, &err), RP_OK);
    int64_t changed = insert_encounter(s, "First words qqw");
    set_subject(s, changed, "Second words wwq");
    int64_t later = insert_encounter(s, "Indexed first kkv");
    assert_int_equal(rp_store_commit(s, &err), RP_OK);
    assert_int_equal(matches(db, "qqw"), 0);
    assert_int_equal(matches(db, "wwq"), 1);
    assert_int_equal(matches(db, "kkv"), 1);
    assert_int_equal(rp_store_begin(s, &err), RP_OK);
    set_subject(s, later, "Indexed again vvk");
    assert_int_equal(rp_store_commit(s, &err), RP_OK);
    assert_int_equal(matches(db, "kkv"), 0);
    assert_int_equal(matches(db, "vvk"), 1);

    /* rows removed, before and after they were indexed (past the store,
     * which removes encounters only with what refers to them; foreign
     * keys are off on this connection), then a write through the store,
     * whose commit indexes what is noted */
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db->path, &raw), SQLITE_OK);
    char sql[512];
    snprintf(sql, sizeof sql,
             "BEGIN;"
             " INSERT INTO encounters (customer_id, channel, subject, stage,"
             " created_at, updated_at) VALUES (%lld, 'email',"
             " 'Gone before indexed rrm', 'received', 1, 1);"
             " DELETE FROM encounters WHERE id = last_insert_rowid();"
             " DELETE FROM encounters WHERE id = %lld;"
             " COMMIT;",
             (long long)test_customer, (long long)later);
    assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(matches(db, "vvk"), 0);
    assert_int_equal(rp_store_begin(s, &err), RP_OK);
    insert_encounter(s, "After the removals ppo");
    assert_int_equal(rp_store_commit(s, &err), RP_OK);
    assert_int_equal(matches(db, "rrm"), 0);
    assert_int_equal(matches(db, "ppo"), 1);

    /* a refused write's encounter leaves no note and no entry */
    assert_int_equal(rp_store_begin(s, &err), RP_OK);
    insert_encounter(s, "Refused write jjh");
    s->ops->rollback(s);
    assert_int_equal(matches(db, "jjh"), 0);

    long long pending = -1;
    assert_int_equal(rp_test_db_sql(db,
                                    "SELECT count(*) FROM "
                                    "encounters_fts_pending",
                                    &pending),
                     0);
    assert_int_equal(pending, 0);
    /* the index agrees with the rows it is made from */
    assert_int_equal(
        rp_test_db_sql(db,
                       "INSERT INTO encounters_fts (encounters_fts,"
                       " rank) VALUES ('integrity-check', 1)",
                       NULL),
        0);
}

/* One number that sql gives on the file at path, or -1. */
static long long scalar_of(const char *path, const char *sql)
{
    sqlite3 *raw;
    sqlite3_stmt *st = NULL;
    long long n = -1;
    if (sqlite3_open(path, &raw) == SQLITE_OK &&
        sqlite3_prepare_v2(raw, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(raw);
    return n;
}

/* Migration 123: a subject index of many segments (one per commit) is
 * one segment after the upgrade, finds what it found, and merges eight
 * segments at a time from then on. */
static void test_the_upgrade_merges_the_subject_index(void **state)
{
    rp_test_db *db = *state;
    if (db->pg)
        skip();
    char path[192];
    snprintf(path, sizeof path, "%s/before-123.db", db->dir);
    rp_store *s = NULL;
    rp_error err;
    assert_int_equal(rp_store_sqlite_open(path, 122, &s, &err), RP_OK);
    json_t *c = customer_named("Upgrade, customer");
    assert_int_equal(rp_store_begin(s, &err), RP_OK);
    assert_int_equal(
        s->ops->insert(s, &RP_ENTITY_CUSTOMER, c, &test_customer, &err), RP_OK);
    assert_int_equal(rp_store_commit(s, &err), RP_OK);
    json_decref(c);
    for (int i = 0; i < 40; i++) {
        char subject[64];
        snprintf(subject, sizeof subject, "Upgraded question ggz %d", i);
        assert_int_equal(rp_store_begin(s, &err), RP_OK);
        insert_encounter(s, subject);
        assert_int_equal(rp_store_commit(s, &err), RP_OK);
    }
    rp_store_close(s);
    const char *segments =
        "SELECT count(DISTINCT segid) FROM encounters_fts_idx";
    assert_true(scalar_of(path, segments) > 1);

    assert_int_equal(rp_store_sqlite_open(path, 0, &s, &err), RP_OK);
    rp_store_close(s);
    assert_int_equal(scalar_of(path, segments), 1);
    assert_int_equal(scalar_of(path, "SELECT count(*) FROM encounters_fts"
                                     " WHERE encounters_fts MATCH 'ggz'"),
                     40);
    assert_int_equal(scalar_of(path, "SELECT v FROM encounters_fts_config"
                                     " WHERE k = 'automerge'"),
                     8);
    /* the index agrees with its rows */
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw,
                                  "INSERT INTO encounters_fts (encounters_fts,"
                                  " rank) VALUES ('integrity-check', 1)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
}

static void test_a_writer_past_its_wait_is_told_busy(void **state)
{
    rp_test_db *db = *state;
    if (db->pg)
        skip();
    rp_error err;
    rp_store *other = rp_test_db_open(db, 0);
    assert_int_equal(rp_store_begin(db->store, &err), RP_OK);
    other->ops->set_busy_wait(other, 100);
    assert_int_equal(rp_store_begin(other, &err), RP_EBUSY);
    assert_non_null(strstr(err.message, "busy"));
    db->store->ops->rollback(db->store);
    other->ops->set_busy_wait(other, 100);
    assert_int_equal(rp_store_begin(other, &err), RP_OK);
    other->ops->rollback(other);
    rp_store_close(other);
}

static void test_each_commit_flushing_alone_still_works(void **state)
{
    rp_test_db *db = *state;
    if (db->pg)
        skip();
    setenv("RAPPORT_SQLITE_COMMIT", "each", 1);
    rp_store *alone = rp_test_db_open(db, 0);
    unsetenv("RAPPORT_SQLITE_COMMIT");
    rp_sqlite_group_stats st;
    rp_store_sqlite_group_stats(alone, &st);
    assert_int_equal(st.commits, 0);
    writer w = {alone, 0};
    write_customers(&w);
    assert_int_equal(w.failures, 0);
    rp_store_sqlite_group_stats(alone, &st);
    assert_int_equal(st.commits, 0); /* no group: FULL flushed each */
    rp_store_close(alone);
}

static void test_a_lone_writer_never_waits_for_writes_to_come(void **state)
{
    rp_test_db *db = *state;
    if (db->pg)
        skip();
    writer w = {rp_test_db_open(db, 0), 0};
    write_customers(&w);
    assert_int_equal(w.failures, 0);
    rp_sqlite_group_stats st;
    rp_store_sqlite_group_stats(w.store, &st);
    /* each write was back before the next began: none out to wait for */
    assert_int_equal(st.batches, WRITES);
    assert_int_equal(st.lingered, 0);
    rp_store_close(w.store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_flush_begun_after_each_commit_covers_it),
        cmocka_unit_test(test_a_failed_flush_is_reported),
        cmocka_unit_test(test_the_turn_passes_in_arrival_order_or_times_out),
        cmocka_unit_test(
            test_a_batch_waits_for_writes_to_come_only_while_some_are_out),
        cmocka_unit_test_setup_teardown(test_writers_of_one_file_share_flushes,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_refused_write_keeps_the_rest_of_its_batch, rp_test_db_setup,
            rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_the_subject_index_holds_each_batch,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            test_the_upgrade_merges_the_subject_index, rp_test_db_setup,
            rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_writer_past_its_wait_is_told_busy, rp_test_db_setup,
            rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            test_each_commit_flushing_alone_still_works, rp_test_db_setup,
            rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_lone_writer_never_waits_for_writes_to_come, rp_test_db_setup,
            rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
