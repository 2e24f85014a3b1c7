/*
 * writer.c - the background writer of the audit log's reads (audit.h).
 *
 * A read must not pay for a write: a write takes the database's one write
 * lock and waits for the disk (synchronous=FULL), which would cut the
 * throughput of reads many times over.  So a read's entry is copied onto
 * an in-memory queue under a mutex, and one thread writes what has
 * gathered in one transaction: one fsync for a batch instead of one per
 * read.
 *
 * The thread sleeps until the queue is no longer empty, then lets the
 * batch gather for the flush interval (cut short when the queue reaches
 * RP_AUDIT_WRITER_BATCH, or at stop), then writes it.  So under a steady
 * load it commits once per interval, not once per write's duration:
 * every commit costs an fsync, and makes every other connection drop its
 * page cache at its next read.  An entry is on the disk at most the
 * interval plus two writes (the one under way when it came, and its own)
 * after its read was answered.
 *
 * Nothing accepted is dropped.  A batch the database refuses (busy, full)
 * is kept and tried again; the queue holds at most max entries, and past
 * them a push is refused, so that the read it records is refused too
 * rather than answered unrecorded.  What is queued is written when the
 * server stops (rp_audit_writer_stop); a crash takes at most the last
 * interval's reads with it, never a change, whose entry is in its own
 * transaction.
 */
#include "core/audit/audit.h"
#include "base/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"

/*
 * The queue: entries in one array, their strings in one block of text,
 * both grown by doubling; so a read costs two copies under a lock, and a
 * batch two frees, whatever its size (a block per entry, freed by another
 * thread than the one that made it, cost the writer more than SQLite
 * did).  The queue is split in SHARDS, each with its own lock, a request
 * thread keeping to one: with one lock for all, the request threads
 * waited for each other (measured: a quarter of what recording cost).
 * Each entry carries its place in the order of pushes, and the writer puts
 * the shards' entries back in that order, so the log's ids still follow
 * the order the reads were answered in.
 */
#define NSTR 8 /* the strings of an entry: action ... field */

typedef struct slot {
    rp_audit_entry e;       /* its strings NULL here: see off */
    size_t off[NSTR];       /* where each string is in the text, + 1; 0: NULL */
    unsigned long long seq; /* its place in the order of pushes */
} slot;

typedef struct batch {
    slot *slots;
    size_t n, cap;
    char *text;
    size_t len, size;
} batch;

#define SHARDS 8

typedef struct shard {
    pthread_mutex_t lock;
    batch queue; /* waiting, in the order of their pushes */
} __attribute__((aligned(64))) shard;

struct rp_audit_writer {
    shard shards[SHARDS];
    atomic_size_t count;    /* accepted, not yet written */
    atomic_ullong pushed;   /* accepted in all: the next seq */
    atomic_int full;        /* pushes are being refused */
    atomic_uint next_shard; /* for a thread's first push */
    pthread_mutex_t lock;   /* the rest */
    pthread_cond_t wake; /* the queue is no longer empty, is large, or stop */
    pthread_cond_t done; /* a batch was written */
    pthread_t thread;
    rp_store *store;
    int flush_ms;
    size_t max;                 /* entries that may wait (count) */
    batch kept;                 /* a batch the database refused, to try again */
    unsigned long long written; /* for flush */
    int hurry;                  /* flush: write without waiting */
    int stopping;
};

/* The shard of the calling thread: its own from its first push on. */
static _Thread_local int thread_shard = -1;

static void batch_free(batch *b)
{
    free(b->slots);
    free(b->text);
    memset(b, 0, sizeof *b);
}

/* Room for one more slot and len more bytes of text in b; -1 when out of
 * memory (b unchanged). */
static int batch_reserve(batch *b, size_t len)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        slot *slots = realloc(b->slots, cap * sizeof *slots);
        if (!slots)
            return -1;
        b->slots = slots;
        b->cap = cap;
    }
    if (b->len + len > b->size) {
        size_t size = b->size ? b->size * 2 : 16384;
        while (size < b->len + len)
            size *= 2;
        char *text = realloc(b->text, size);
        if (!text)
            return -1;
        b->text = text;
        b->size = size;
    }
    return 0;
}

/* The string pointers of e, in the order of slot.off. */
#define ENTRY_STRINGS(e)                                                       \
    {                                                                          \
        &(e)->action, &(e)->via, &(e)->address, &(e)->method, &(e)->route,     \
            &(e)->subject, &(e)->code, &(e)->field                             \
    }

/* Append a copy of e to b, whose room batch_reserve made for len bytes. */
static void batch_put(batch *b, const rp_audit_entry *e)
{
    slot *s = &b->slots[b->n++];
    const char *const *src[] = ENTRY_STRINGS(e);
    s->e = *e;
    const char **dst[] = ENTRY_STRINGS(&s->e);
    for (int i = 0; i < NSTR; i++) {
        *dst[i] = NULL;
        s->off[i] = 0;
        if (!*src[i])
            continue;
        size_t len = strlen(*src[i]) + 1;
        memcpy(b->text + b->len, *src[i], len);
        s->off[i] = b->len + 1;
        b->len += len;
    }
}

/* Append what b2 holds to b; -1 when out of memory (b unchanged). */
static int batch_join(batch *b, const batch *b2)
{
    if (!b2->n)
        return 0;
    slot *slots = realloc(b->slots, (b->n + b2->n) * sizeof *slots);
    if (!slots)
        return -1;
    b->slots = slots;
    b->cap = b->n + b2->n;
    char *text = realloc(b->text, b->len + b2->len + 1);
    if (!text)
        return -1;
    b->text = text;
    b->size = b->len + b2->len + 1;
    memcpy(b->text + b->len, b2->text, b2->len);
    for (size_t i = 0; i < b2->n; i++) {
        slot *s = &b->slots[b->n + i];
        *s = b2->slots[i];
        for (int k = 0; k < NSTR; k++)
            if (s->off[k])
                s->off[k] += b->len;
    }
    b->n += b2->n;
    b->len += b2->len;
    return 0;
}

rp_code rp_audit_writer_push(rp_audit_writer *w, const rp_audit_entry *e)
{
    const char *const *src[] = ENTRY_STRINGS(e);
    size_t len = 0;
    for (int i = 0; i < NSTR; i++)
        len += *src[i] ? strlen(*src[i]) + 1 : 0;
    rp_audit_entry copy = *e;
    if (!copy.at)
        copy.at = rp_now();
    size_t before = atomic_fetch_add(&w->count, 1);
    if (before >= w->max) {
        atomic_fetch_sub(&w->count, 1);
        if (!atomic_exchange(&w->full, 1))
            rp_logf(RP_LOG_WARN,
                    "audit: %zu reads are waiting to be written; reads of "
                    "customer data are refused (503) until the database "
                    "takes writes again",
                    before);
        return RP_EBUSY;
    }
    if (thread_shard < 0)
        thread_shard = (int)(atomic_fetch_add(&w->next_shard, 1) % SHARDS);
    shard *sh = &w->shards[thread_shard];
    pthread_mutex_lock(&sh->lock);
    if (batch_reserve(&sh->queue, len)) {
        pthread_mutex_unlock(&sh->lock);
        atomic_fetch_sub(&w->count, 1);
        return RP_EINTERNAL;
    }
    batch_put(&sh->queue, &copy);
    sh->queue.slots[sh->queue.n - 1].seq = atomic_fetch_add(&w->pushed, 1);
    pthread_mutex_unlock(&sh->lock);
    /* the writer sleeps while nothing waits, and gathers a batch until
     * the interval is over or the batch is large */
    if (before == 0 || before + 1 == RP_AUDIT_WRITER_BATCH) {
        pthread_mutex_lock(&w->lock);
        pthread_cond_signal(&w->wake);
        pthread_mutex_unlock(&w->lock);
    }
    return RP_OK;
}

/* Write b in one transaction; RP_OK or the failure (nothing kept). */
static rp_code write_batch(rp_store *s, const batch *b, rp_error *err)
{
    rp_audit_entry *e = malloc((b->n ? b->n : 1) * sizeof *e);
    if (!e)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < b->n; i++) {
        const slot *sl = &b->slots[i];
        e[i] = sl->e;
        const char **dst[] = ENTRY_STRINGS(&e[i]);
        for (int k = 0; k < NSTR; k++)
            *dst[k] = sl->off[k] ? b->text + sl->off[k] - 1 : NULL;
    }
    rp_code rc = s->ops->begin(s, err);
    if (rc == RP_OK)
        rc = rp_store_finish(s, rp_audit_write_entries(s, e, b->n, err), err);
    free(e);
    return rc;
}

/* now + ms, for pthread_cond_timedwait */
static struct timespec after_ms(long ms)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

static int by_seq(const void *a, const void *b)
{
    unsigned long long x = ((const slot *)a)->seq, y = ((const slot *)b)->seq;
    return x < y ? -1 : x > y;
}

/* The next batch: what was kept from a refused one, then what the shards
 * hold, in the order of their pushes (a shard that cannot be joined, out
 * of memory, waits for the next).  Called with w->lock held. */
static batch take_batch(rp_audit_writer *w)
{
    batch b = w->kept;
    size_t first = b.n; /* the kept ones are older than any queued */
    memset(&w->kept, 0, sizeof w->kept);
    for (int i = 0; i < SHARDS; i++) {
        shard *sh = &w->shards[i];
        pthread_mutex_lock(&sh->lock);
        if (batch_join(&b, &sh->queue) == 0)
            sh->queue.n = sh->queue.len = 0; /* its memory serves again */
        pthread_mutex_unlock(&sh->lock);
    }
    if (b.n > first)
        qsort(b.slots + first, b.n - first, sizeof *b.slots, by_seq);
    return b;
}

/* Wait, lock held, until there is a batch to write: the queue no longer
 * empty, then the interval over (or a large queue, a flush, a stop). */
static void wait_for_batch(rp_audit_writer *w)
{
    while (atomic_load(&w->count) == 0 && !w->stopping)
        pthread_cond_wait(&w->wake, &w->lock);
    struct timespec until = after_ms(w->flush_ms);
    while (!w->stopping && !w->hurry &&
           atomic_load(&w->count) < RP_AUDIT_WRITER_BATCH &&
           pthread_cond_timedwait(&w->wake, &w->lock, &until) != ETIMEDOUT)
        ;
}

static void *run(void *arg)
{
    rp_audit_writer *w = arg;
    /* named, so that its CPU time can be told apart (top -H, perf,
     * /proc/PID/task) from the requests' */
    pthread_setname_np(pthread_self(), "rp-audit");
    time_t give_up = 0; /* at stop: when to stop trying a refused batch */
    pthread_mutex_lock(&w->lock);
    for (;;) {
        wait_for_batch(w);
        if (atomic_load(&w->count) == 0)
            break; /* stopping, and all written */
        w->hurry = 0;
        batch b = take_batch(w);
        pthread_mutex_unlock(&w->lock);
        rp_error err;
        rp_code rc = b.n ? write_batch(w->store, &b, &err) : RP_OK;
        pthread_mutex_lock(&w->lock);
        if (rc == RP_OK) {
            w->written += b.n;
            atomic_fetch_sub(&w->count, b.n);
            batch_free(&b);
            if (atomic_load(&w->count) < w->max && atomic_exchange(&w->full, 0))
                rp_logf(RP_LOG_INFO, "audit: the waiting reads are written; "
                                     "reads are answered again");
            pthread_cond_broadcast(&w->done);
            continue;
        }
        if (w->stopping && !give_up)
            give_up = time(NULL) + RP_AUDIT_STOP_WAIT_S;
        if (w->stopping && time(NULL) >= give_up) {
            rp_logf(RP_LOG_ERROR, "audit: %zu reads not written at stop: %s",
                    atomic_load(&w->count), err.message);
            batch_free(&b);
            break;
        }
        /* busy or full: keep the batch, in front, and wait a turn */
        rp_logf(RP_LOG_WARN, "audit: writing %zu reads: %s; will try again",
                b.n, err.message);
        w->kept = b;
        struct timespec pause = after_ms(1000);
        pthread_cond_timedwait(&w->done, &w->lock, &pause);
    }
    pthread_cond_broadcast(&w->done);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

rp_code rp_audit_writer_start(rp_store *store, int flush_ms, int max,
                              rp_audit_writer **out, rp_error *err)
{
    /* aligned, for the shards' own cache lines */
    rp_audit_writer *w = aligned_alloc(64, sizeof *w);
    if (w)
        memset(w, 0, sizeof *w);
    if (!w)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    pthread_cond_init(&w->done, NULL);
    for (int i = 0; i < SHARDS; i++)
        pthread_mutex_init(&w->shards[i].lock, NULL);
    atomic_init(&w->count, 0);
    atomic_init(&w->pushed, 0);
    atomic_init(&w->full, 0);
    atomic_init(&w->next_shard, 0);
    w->store = store;
    w->flush_ms = flush_ms > 0 ? flush_ms : 200;
    w->max = max > 0 ? (size_t)max : RP_AUDIT_QUEUE_MAX;
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        for (int i = 0; i < SHARDS; i++)
            pthread_mutex_destroy(&w->shards[i].lock);
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->wake);
        pthread_cond_destroy(&w->done);
        free(w);
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "cannot start the audit log's writer");
    }
    *out = w;
    return RP_OK;
}

void rp_audit_writer_flush(rp_audit_writer *w)
{
    pthread_mutex_lock(&w->lock);
    unsigned long long target = atomic_load(&w->pushed);
    while (w->written < target && !w->stopping) {
        w->hurry = 1;
        pthread_cond_signal(&w->wake);
        struct timespec until = after_ms(1000);
        pthread_cond_timedwait(&w->done, &w->lock, &until);
    }
    pthread_mutex_unlock(&w->lock);
}

void rp_audit_writer_stop(rp_audit_writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    for (int i = 0; i < SHARDS; i++) {
        batch_free(&w->shards[i].queue);
        pthread_mutex_destroy(&w->shards[i].lock);
    }
    batch_free(&w->kept);
    rp_store_close(w->store);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    pthread_cond_destroy(&w->done);
    free(w);
}
