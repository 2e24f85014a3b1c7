/*
 * writer.c - the background writer of the audit log's reads (audit.h).
 *
 * A read must not pay for a write: a write takes the database's one write
 * lock and waits for the disk (synchronous=FULL), which would cut the
 * throughput of reads many times over.  So a read's entry is copied onto
 * an in-memory queue under a mutex, and one thread writes what has
 * gathered every flush interval (or sooner, once many are waiting) in one
 * transaction: one fsync for a batch instead of one per read.
 *
 * What is queued is written also when the server stops (rp_audit_writer_
 * stop writes the rest before it returns); what a crash takes with it is at
 * most the last interval's reads, and never a change, whose entry is in
 * its own transaction.
 */
#include "core/audit/audit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"

/* Entries waiting past this wake the thread at once. */
#define BATCH_WAKE 512

typedef struct queued {
    rp_audit_entry e; /* strings point into text */
    char *text;       /* the strings of e, one block */
} queued;

struct rp_audit_writer {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* something to write, or stop */
    pthread_cond_t done; /* a batch was written */
    pthread_t thread;
    rp_store *store;
    int flush_ms;
    queued *items;
    size_t n, cap;
    unsigned long long pushed, written; /* counts, for flush */
    long long lost;                     /* dropped over the limit */
    int stopping;
};

/* Copy e's strings into one block owned by q. */
static int copy_entry(queued *q, const rp_audit_entry *e)
{
    const char *const *src[] = {&e->action, &e->via,   &e->address,
                                &e->method, &e->route, &e->subject,
                                &e->code,   &e->field};
    const char **dst[] = {&q->e.action, &q->e.via,   &q->e.address,
                          &q->e.method, &q->e.route, &q->e.subject,
                          &q->e.code,   &q->e.field};
    size_t total = 0, k = sizeof src / sizeof src[0];
    for (size_t i = 0; i < k; i++)
        total += *src[i] ? strlen(*src[i]) + 1 : 0;
    q->e = *e;
    q->text = malloc(total ? total : 1);
    if (!q->text)
        return -1;
    char *p = q->text;
    for (size_t i = 0; i < k; i++) {
        if (!*src[i]) {
            *dst[i] = NULL;
            continue;
        }
        size_t len = strlen(*src[i]) + 1;
        memcpy(p, *src[i], len);
        *dst[i] = p;
        p += len;
    }
    return 0;
}

void rp_audit_writer_push(rp_audit_writer *w, const rp_audit_entry *e)
{
    queued q;
    if (copy_entry(&q, e))
        return;
    if (!q.e.at)
        q.e.at = rp_now();
    pthread_mutex_lock(&w->lock);
    if (w->n >= RP_AUDIT_QUEUE_MAX) {
        if (w->lost++ == 0)
            fprintf(stderr,
                    "rapportd: audit: more than %d reads waiting to "
                    "be written; dropping reads until the database "
                    "takes writes again\n",
                    RP_AUDIT_QUEUE_MAX);
        pthread_mutex_unlock(&w->lock);
        free(q.text);
        return;
    }
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 256;
        queued *items = realloc(w->items, cap * sizeof *items);
        if (!items) {
            w->lost++;
            pthread_mutex_unlock(&w->lock);
            free(q.text);
            return;
        }
        w->items = items;
        w->cap = cap;
    }
    w->items[w->n++] = q;
    w->pushed++;
    if (w->n == BATCH_WAKE)
        pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

/* Write items in one transaction; RP_OK or the failure (nothing kept). */
static rp_code write_batch(rp_store *s, queued *items, size_t n, long long lost,
                           rp_error *err)
{
    if (s->ops->begin(s, err))
        return err->code;
    rp_code rc = RP_OK;
    rp_ctx ctx = {.store = s, .actor = "audit"};
    for (size_t i = 0; i < n && rc == RP_OK; i++)
        rc = rp_audit_record(&ctx, &items[i].e, err);
    if (rc == RP_OK && lost > 0) {
        /* what was dropped is itself on the record */
        char field[32];
        snprintf(field, sizeof field, "%lld reads", lost);
        rp_audit_entry e = {.action = "refused",
                            .via = "system",
                            .code = "lost",
                            .field = field};
        rc = rp_audit_record(&ctx, &e, err);
    }
    return rp_store_finish(s, rc, err);
}

static void *run(void *arg)
{
    rp_audit_writer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        if (w->n == 0 && !w->stopping) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += w->flush_ms / 1000;
            until.tv_nsec += (long)(w->flush_ms % 1000) * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&w->wake, &w->lock, &until);
        }
        if (w->n == 0 && w->lost == 0) {
            if (w->stopping)
                break;
            continue;
        }
        /* take the batch; pushes go on into a fresh queue meanwhile */
        queued *items = w->items;
        size_t n = w->n;
        long long lost = w->lost;
        w->items = NULL;
        w->n = w->cap = 0;
        w->lost = 0;
        pthread_mutex_unlock(&w->lock);
        rp_error err;
        rp_code rc = write_batch(w->store, items, n, lost, &err);
        pthread_mutex_lock(&w->lock);
        if (rc == RP_OK || w->stopping) {
            if (rc)
                fprintf(stderr,
                        "rapportd: audit: %zu reads not written at "
                        "stop: %s\n",
                        n, err.message);
            for (size_t i = 0; i < n; i++)
                free(items[i].text);
            free(items);
            w->written += n;
            pthread_cond_broadcast(&w->done);
        } else {
            /* busy or full: put the batch back in front and wait a turn */
            fprintf(stderr,
                    "rapportd: audit: writing %zu reads: %s; will "
                    "try again\n",
                    n, err.message);
            queued *merged = realloc(items, (n + w->n) * sizeof *items);
            if (merged) {
                if (w->n)
                    memcpy(merged + n, w->items, w->n * sizeof *merged);
                free(w->items);
                w->items = merged;
                w->n += n;
                w->cap = w->n;
            } else {
                w->lost += (long long)n;
                for (size_t i = 0; i < n; i++)
                    free(items[i].text);
                free(items);
                w->written += n;
            }
            w->lost += lost;
            struct timespec pause;
            clock_gettime(CLOCK_REALTIME, &pause);
            pause.tv_sec += 1;
            pthread_cond_timedwait(&w->wake, &w->lock, &pause);
        }
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

rp_code rp_audit_writer_start(rp_store *store, int flush_ms,
                              rp_audit_writer **out, rp_error *err)
{
    rp_audit_writer *w = calloc(1, sizeof *w);
    if (!w)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    pthread_cond_init(&w->done, NULL);
    w->store = store;
    w->flush_ms = flush_ms > 0 ? flush_ms : 200;
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
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
    unsigned long long target = w->pushed;
    pthread_cond_signal(&w->wake);
    while (w->written < target && !w->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&w->done, &w->lock, &until);
        pthread_cond_signal(&w->wake);
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
    for (size_t i = 0; i < w->n; i++)
        free(w->items[i].text);
    free(w->items);
    rp_store_close(w->store);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    pthread_cond_destroy(&w->done);
    free(w);
}
