/*
 * workq.c - a fixed pool of threads behind a bounded queue (see workq.h).
 */
#include "workq.h"

#include <pthread.h>
#include <stdlib.h>

struct rp_workq {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    rp_job *head, *tail; /* submitted, not yet taken */
    int reserved;        /* places taken: reserved, waiting or running */
    int max;             /* places: threads + max_waiting */
    int stopping;
    int nthreads;
    pthread_t *threads;
};

static void *run(void *arg)
{
    rp_workq *q = arg;
    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (!q->head && !q->stopping)
            pthread_cond_wait(&q->wake, &q->lock);
        rp_job *job = q->head;
        if (!job)
            break; /* stopping and nothing left */
        q->head = job->next;
        if (!q->head)
            q->tail = NULL;
        int cancel = q->stopping;
        pthread_mutex_unlock(&q->lock);
        job->cancelled = cancel;
        if (!cancel)
            job->work(job);
        job->done(job); /* the job may be freed from here on */
        pthread_mutex_lock(&q->lock);
        q->reserved--;
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

rp_workq *rp_workq_start(int nthreads, int max_waiting)
{
    rp_workq *q = calloc(1, sizeof *q);
    if (!q || !(q->threads = calloc((size_t)nthreads, sizeof *q->threads))) {
        free(q);
        return NULL;
    }
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->wake, NULL);
    q->max = nthreads + max_waiting;
    for (; q->nthreads < nthreads; q->nthreads++)
        if (pthread_create(&q->threads[q->nthreads], NULL, run, q)) {
            rp_workq_free(q);
            return NULL;
        }
    return q;
}

int rp_workq_reserve(rp_workq *q)
{
    pthread_mutex_lock(&q->lock);
    int ok = !q->stopping && q->reserved < q->max;
    if (ok)
        q->reserved++;
    pthread_mutex_unlock(&q->lock);
    return ok ? 0 : -1;
}

void rp_workq_release(rp_workq *q)
{
    pthread_mutex_lock(&q->lock);
    q->reserved--;
    pthread_mutex_unlock(&q->lock);
}

void rp_workq_submit(rp_workq *q, rp_job *job)
{
    job->next = NULL;
    job->cancelled = 0;
    pthread_mutex_lock(&q->lock);
    if (q->stopping) {
        q->reserved--;
        pthread_mutex_unlock(&q->lock);
        job->cancelled = 1;
        job->done(job);
        return;
    }
    if (q->tail)
        q->tail->next = job;
    else
        q->head = job;
    q->tail = job;
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
}

int rp_workq_load(rp_workq *q)
{
    pthread_mutex_lock(&q->lock);
    int n = q->reserved;
    pthread_mutex_unlock(&q->lock);
    return n;
}

void rp_workq_stop(rp_workq *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    q->stopping = 1;
    pthread_cond_broadcast(&q->wake);
    pthread_mutex_unlock(&q->lock);
    for (int i = 0; i < q->nthreads; i++)
        pthread_join(q->threads[i], NULL);
    q->nthreads = 0;
}

void rp_workq_free(rp_workq *q)
{
    if (!q)
        return;
    rp_workq_stop(q);
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->wake);
    free(q->threads);
    free(q);
}
