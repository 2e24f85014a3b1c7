/*
 * workq.h - a few threads of their own, with a bounded queue, for slow
 * work that must not run on the HTTP workers: rapportd has two, the
 * password threads and the slow-work threads (docs/design.md, "The
 * server's threads").
 *
 * argon2id takes tens of milliseconds and 64 MiB per check, a search or a
 * report grows with the desk.  Run on an HTTP worker such work stalls
 * every connection that worker serves, and with many workers the memory
 * grows with their number.  Here it runs on a fixed number of threads, so
 * memory and CPU are bounded by that number, and the queue in front of
 * them is bounded too: when it is full the caller is told at once (and
 * answers 503) instead of piling up work.
 *
 * A place is reserved before the work is submitted, because the HTTP side
 * must suspend its connection between the two (a job that finished before
 * the suspension would resume nothing and leave it suspended for ever).
 */
#ifndef RP_WORKQ_H
#define RP_WORKQ_H

typedef struct rp_workq rp_workq;

/* One piece of work.  The submitter owns it and keeps it alive until
 * done() was called. */
typedef struct rp_job {
    void (*work)(struct rp_job *job); /* on a queue thread */
    /* Called once, on a queue thread, after work() or instead of it when
     * the queue stops first (then cancelled is 1). */
    void (*done)(struct rp_job *job);
    int cancelled;
    struct rp_job *next; /* the queue's own */
} rp_job;

/* Start nthreads threads with room for max_waiting jobs; NULL on failure. */
rp_workq *rp_workq_start(int nthreads, int max_waiting);

/* Reserve a place: 0, or -1 when the queue is full or stopping. */
int rp_workq_reserve(rp_workq *q);

/* Give back a reserved place unused. */
void rp_workq_release(rp_workq *q);

/* Submit job into a reserved place.  When the queue is stopping, done()
 * is called at once with cancelled set. */
void rp_workq_submit(rp_workq *q, rp_job *job);

/* Jobs waiting or running now. */
int rp_workq_load(rp_workq *q);

/*
 * Stop: the running jobs finish, the waiting ones are cancelled (done()
 * with cancelled set) and the threads are joined.  Every job submitted has
 * had its done() called when this returns; from now on a reservation is
 * refused and a submission cancelled at once.  Idempotent.
 */
void rp_workq_stop(rp_workq *q);

/* Stop if needed, then free; nobody may use q any more. */
void rp_workq_free(rp_workq *q);

#endif
