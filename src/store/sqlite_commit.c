/*
 * sqlite_commit.c - the write queue and the group commit of one SQLite
 * database file, shared by every connection a process has open on it.
 *
 * Two things made concurrent writes slow when each connection fended for
 * itself.  A writer that found the write lock taken slept in SQLite's busy
 * handler (2, 4, 8 ... 25 ms) and polled, so newcomers overtook it and its
 * request waited far longer than the work ahead of it took.  And every
 * COMMIT paid for its own fsync of the log while holding the lock, so the
 * desk wrote at the speed of the disk's flushes, one transaction each.
 *
 * So a process keeps, per database file:
 *
 *  - a write queue: a connection about to begin a write transaction waits
 *    its turn in arrival order, woken by the one before it, instead of
 *    polling.  Connections of other processes (the CLI, another server)
 *    still meet at SQLite's own lock, as before.
 *
 *  - a group commit: connections run with synchronous=NORMAL, under which
 *    a COMMIT writes its pages to the log (the -wal file) without flushing
 *    them, so the lock passes on at once.  Before the commit is reported
 *    done, the committer makes sure one flush (fsync) of the log has begun
 *    after its commit and ended: the first committer to find none running
 *    leads one for everyone committed so far; the others wait for it, and
 *    one flush covers them all.  What the store acknowledges is on the
 *    disk, as with synchronous=FULL, for a fraction of the flushes.  NORMAL
 *    keeps SQLite's own guarantees against corruption (the log is flushed
 *    before each checkpoint, the database after it).
 *
 * The flush itself is SQLite's: the caller passes a function that syncs the
 * log through the connection's own file handle, so it is always the file
 * SQLite writes to.
 *
 * A batch (store_sqlite.c) is handed from one write to the next while
 * writes wait in the queue, and committed when none does.  A commit costs
 * more than the write it ends: measured alone (an encounter with its
 * triggers and 18 indexes, commits of 1 to 1,000 writes), about 75 us of
 * CPU a write plus about 265 us a commit, the pages to the log at two
 * writes each.  At 64 connections on 2 CPUs the batches held 1.5 to 3.7
 * writes, because the writes of the last batch were still being woken
 * after its flush, or their next requests read, when the holder looked at
 * the queue.  So the holder, when writes of other batches are out, holds
 * the turn up to a millisecond longer for one to arrive (passing it on at
 * once when one does), and commits only then: batches of 10 to 40.
 */
#include "store/sqlite_commit.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One connection waiting for its turn to write. */
typedef struct waiter {
    pthread_cond_t turn;
    int granted;
    struct waiter *next;
} waiter;

struct rp_sqlite_group {
    char *path;
    int users; /* connections of this process on the file */
    struct rp_sqlite_group *next;

    pthread_mutex_t lock;
    /* the write queue: held while a connection has a write transaction
     * open; waiting connections in arrival order */
    int held;
    waiter *first, *last;
    /* writes released into batches and not yet back from
     * rp_sqlite_group_await_batch */
    int out;
    /* the group commit: commits counted, commits known flushed, and
     * whether a flush is under way */
    uint64_t committed, durable;
    int flushing;
    pthread_cond_t flushed;
    rp_sqlite_group_stats stats;
    /* the connection write transactions share, and how to close it */
    void *writer;
    void (*close_writer)(void *writer);
};

static pthread_mutex_t groups_lock = PTHREAD_MUTEX_INITIALIZER;
static rp_sqlite_group *groups;

/* A condition variable timed by the monotonic clock: a change of the
 * wall clock must not cut a wait short or stretch it. */
static void cond_init_monotonic(pthread_cond_t *c)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(c, &attr);
    pthread_condattr_destroy(&attr);
}

rp_sqlite_group *rp_sqlite_group_join(const char *path)
{
    if (!path || !*path)
        return NULL;
    pthread_mutex_lock(&groups_lock);
    rp_sqlite_group *g = groups;
    while (g && strcmp(g->path, path) != 0)
        g = g->next;
    if (!g) {
        g = calloc(1, sizeof *g);
        if (g && !(g->path = strdup(path))) {
            free(g);
            g = NULL;
        }
        if (g) {
            pthread_mutex_init(&g->lock, NULL);
            cond_init_monotonic(&g->flushed);
            g->next = groups;
            groups = g;
        }
    }
    if (g)
        g->users++;
    pthread_mutex_unlock(&groups_lock);
    return g;
}

void rp_sqlite_group_leave(rp_sqlite_group *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&groups_lock);
    if (--g->users > 0) {
        pthread_mutex_unlock(&groups_lock);
        return;
    }
    rp_sqlite_group **p = &groups;
    while (*p != g)
        p = &(*p)->next;
    *p = g->next;
    pthread_mutex_unlock(&groups_lock);
    if (g->writer && g->close_writer)
        g->close_writer(g->writer);
    pthread_mutex_destroy(&g->lock);
    pthread_cond_destroy(&g->flushed);
    free(g->path);
    free(g);
}

/* ---- the write queue ----------------------------------------------------- */

static int64_t monotonic_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void unlink_waiter(rp_sqlite_group *g, waiter *w)
{
    waiter **p = &g->first, *before = NULL;
    while (*p && *p != w) {
        before = *p;
        p = &(*p)->next;
    }
    if (!*p)
        return;
    *p = w->next;
    if (g->last == w)
        g->last = before;
}

int rp_sqlite_group_enter(rp_sqlite_group *g, int timeout_ms, int *waited_ms)
{
    int64_t start = monotonic_ms();
    pthread_mutex_lock(&g->lock);
    if (!g->held && !g->first) {
        g->held = 1;
        g->stats.entered_at_once++;
        pthread_mutex_unlock(&g->lock);
        return 0;
    }
    waiter w = {.granted = 0, .next = NULL};
    cond_init_monotonic(&w.turn);
    if (g->last)
        g->last->next = &w;
    else
        g->first = &w;
    g->last = &w;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    int timed_out = 0;
    while (!w.granted && !timed_out)
        timed_out = pthread_cond_timedwait(&w.turn, &g->lock, &deadline) ==
                    ETIMEDOUT;
    if (!w.granted)
        unlink_waiter(g, &w);
    else
        g->stats.entered_after_waiting++;
    int granted = w.granted;
    pthread_mutex_unlock(&g->lock);
    pthread_cond_destroy(&w.turn);
    if (waited_ms)
        *waited_ms = (int)(monotonic_ms() - start);
    return granted ? 0 : -1;
}

/* Hand the turn to the first waiter, if any (g->lock held); 1 if so. */
static int hand_over(rp_sqlite_group *g)
{
    waiter *next = g->first;
    if (!next)
        return 0;
    /* handed over directly: nobody arriving now can overtake it */
    g->first = next->next;
    if (!g->first)
        g->last = NULL;
    next->granted = 1;
    pthread_cond_signal(&next->turn);
    return 1;
}

void rp_sqlite_group_exit(rp_sqlite_group *g)
{
    pthread_mutex_lock(&g->lock);
    if (!hand_over(g))
        g->held = 0;
    pthread_mutex_unlock(&g->lock);
}

int rp_sqlite_group_pass(rp_sqlite_group *g)
{
    pthread_mutex_lock(&g->lock);
    int passed = hand_over(g);
    pthread_mutex_unlock(&g->lock);
    return passed;
}

/* The time by the monotonic clock, in microseconds. */
static int64_t monotonic_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* How often a lingering holder looks at the queue again, in microseconds:
 * a write that arrives waits at most this long for the turn. */
enum { LINGER_STEP_US = 100 };

int rp_sqlite_group_pass_lingering(rp_sqlite_group *g, int members,
                                   int linger_us)
{
    pthread_mutex_lock(&g->lock);
    int passed = hand_over(g);
    int lingering = !passed && linger_us > 0 && g->out > members;
    if (lingering)
        g->stats.lingered++;
    pthread_mutex_unlock(&g->lock);
    if (!lingering)
        return passed;
    /* sleeping, not waiting on the queue's condition: the turn is held,
     * so an arrival queues without signalling anyone */
    int64_t until = monotonic_us() + linger_us;
    while (!passed) {
        struct timespec step = {0, LINGER_STEP_US * 1000L};
        nanosleep(&step, NULL);
        pthread_mutex_lock(&g->lock);
        if ((passed = hand_over(g)) != 0)
            g->stats.joined_lingering++;
        int others_out = g->out > members;
        pthread_mutex_unlock(&g->lock);
        if (!others_out || monotonic_us() >= until)
            break;
    }
    return passed;
}

/* ---- batches ------------------------------------------------------------- */

void rp_sqlite_group_join_batch(rp_sqlite_group *g, rp_sqlite_member *m)
{
    pthread_mutex_lock(&g->lock);
    m->out = 1;
    g->out++;
    pthread_mutex_unlock(&g->lock);
}

void rp_sqlite_group_end_batch(rp_sqlite_group *g, rp_sqlite_member *list)
{
    pthread_mutex_lock(&g->lock);
    g->stats.batches++;
    /* each member sees done only once the lock is let go, so none is
     * gone before the loop has passed it */
    for (rp_sqlite_member *m = list, *next; m; m = next) {
        next = m->next;
        m->done = 1;
        if (m->sleeping)
            pthread_cond_signal(&m->woken);
        g->stats.batched++;
    }
    pthread_mutex_unlock(&g->lock);
}

void rp_sqlite_group_await_batch(rp_sqlite_group *g, rp_sqlite_member *m)
{
    pthread_mutex_lock(&g->lock);
    if (!m->done) {
        pthread_cond_init(&m->woken, NULL);
        m->sleeping = 1;
        while (!m->done)
            pthread_cond_wait(&m->woken, &g->lock);
        m->sleeping = 0;
        if (m->out)
            g->out--;
        pthread_mutex_unlock(&g->lock);
        pthread_cond_destroy(&m->woken);
        return;
    }
    if (m->out)
        g->out--;
    pthread_mutex_unlock(&g->lock);
}

/* ---- the group commit ---------------------------------------------------- */

uint64_t rp_sqlite_group_committed(rp_sqlite_group *g)
{
    pthread_mutex_lock(&g->lock);
    uint64_t seq = ++g->committed;
    g->stats.commits++;
    pthread_mutex_unlock(&g->lock);
    return seq;
}

int rp_sqlite_group_sync(rp_sqlite_group *g, uint64_t seq,
                         int (*sync)(void *arg), void *arg)
{
    int failed = 0;
    pthread_mutex_lock(&g->lock);
    while (g->durable < seq && !failed) {
        if (g->flushing) {
            pthread_cond_wait(&g->flushed, &g->lock);
            continue;
        }
        /* lead a flush for every commit counted so far: each of them
         * wrote its pages before it was counted */
        g->flushing = 1;
        uint64_t upto = g->committed;
        pthread_mutex_unlock(&g->lock);
        failed = sync(arg) != 0;
        pthread_mutex_lock(&g->lock);
        g->flushing = 0;
        if (!failed && upto > g->durable) {
            g->stats.flushes++;
            g->durable = upto;
        }
        pthread_cond_broadcast(&g->flushed);
    }
    pthread_mutex_unlock(&g->lock);
    return failed ? -1 : 0;
}

void *rp_sqlite_group_writer(rp_sqlite_group *g)
{
    pthread_mutex_lock(&g->lock);
    void *w = g->writer;
    pthread_mutex_unlock(&g->lock);
    return w;
}

void rp_sqlite_group_set_writer(rp_sqlite_group *g, void *writer,
                                void (*close)(void *writer))
{
    pthread_mutex_lock(&g->lock);
    g->writer = writer;
    g->close_writer = close;
    pthread_mutex_unlock(&g->lock);
}

void rp_sqlite_group_get_stats(rp_sqlite_group *g, rp_sqlite_group_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    *out = g->stats;
    for (waiter *w = g->first; w; w = w->next)
        out->waiting++;
    pthread_mutex_unlock(&g->lock);
}
