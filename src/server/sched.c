/*
 * sched.c - the scheduler thread of rapportd (see sched.h).
 *
 * It sleeps on a condition variable rather than sleep(), so that shutdown
 * wakes it at once.  A run in progress stops at the next point where
 * nothing is half done: between two batches of a rule (each its own
 * transaction; the next run goes on from there), between two tasks (a
 * send is never cut off between delivery and bookkeeping), or between
 * two steps of the loop below.
 *
 * It runs at a lower CPU priority than the threads that answer requests
 * (nice 10, this thread only): its work is never waited for by a person,
 * and a run can be long (after a restart the charter's sweep judges every
 * encounter whose deadline passed while the server was down, thousands
 * of write transactions).  Measured with bench/console_render.mjs
 * --explain: on 2 CPUs such a catch-up at start held a full CPU for 10 to
 * 20 s, and the console's first pages, rendered meanwhile, took 300 to
 * 1,300 ms instead of 50 to 100 (bench/README.md).  At nice 10 it still
 * gets a tenth of a busy CPU, and all of an idle one.
 */
#include "base/worker.h"
#include "base/log.h"
#include "sched.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SCHED_NICE 10

struct rp_sched {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
    int interval;
    int64_t clock_offset;
    const rp_scheduler_config *cfg;
    rp_store *store;
};

static int stopping(void *arg)
{
    rp_sched *s = arg;
    pthread_mutex_lock(&s->lock);
    int stop = s->stopping;
    pthread_mutex_unlock(&s->lock);
    return stop;
}

/* This thread, and only it, at a lower CPU priority (Linux: a thread's
 * nice value is its own; elsewhere nothing changes).  A refusal is said
 * and the scheduler runs on as it is. */
static void lower_priority(void)
{
#ifdef SYS_gettid
    id_t tid = (id_t)syscall(SYS_gettid);
    if (setpriority(PRIO_PROCESS, tid, SCHED_NICE) != 0)
        rp_logf(RP_LOG_WARN,
                "scheduler: cannot lower its CPU priority (%s); it runs at "
                "the priority of the requests",
                strerror(errno));
#endif
}

/*
 * The query planner's statistics, brought up to the tables' sizes at the
 * first run and then once an hour (the store's refresh_statistics says
 * how): a desk analyzed when it was small, a table that grew tenfold
 * since, or an index a migration made since, would otherwise be planned
 * with figures that no longer hold (or none).
 */
#define STATISTICS_EVERY_SECONDS 3600

static void refresh_statistics(rp_sched *s, int64_t *last)
{
    int64_t now = rp_now();
    if (!s->store->ops->refresh_statistics ||
        (*last && now - *last < STATISTICS_EVERY_SECONDS))
        return;
    *last = now;
    rp_error err;
    int analyzed = 0;
    if (s->store->ops->refresh_statistics(s->store, &analyzed, &err))
        rp_log(RP_LOG_ERROR, "gathering the planner's statistics failed",
               "error", err.message, (char *)NULL);
    else if (analyzed)
        rp_logf(RP_LOG_INFO,
                "statistics: %d tables analyzed again, their sizes having "
                "moved or an index being new",
                analyzed);
}

static void *run(void *arg)
{
    rp_sched *s = arg;
    lower_priority();
    rp_ctx ctx = {.store = s->store, .actor = "scheduler"};
    rp_scheduler_config cfg = *s->cfg;
    cfg.should_stop = stopping;
    cfg.stop_arg = s;
    char worker[RP_WORKER_NAME_MAX];
    rp_worker_name(worker, sizeof worker, "rapportd", "scheduler");
    /* moments recorded before the ledger was sealed get their hashes
     * once, in order, before anything else runs */
    rp_error seal_err;
    int64_t sealed = 0;
    if (rp_ledger_seal(&ctx, &sealed, &seal_err))
        fprintf(stderr, "rapportd: sealing the ledger: %s\n", seal_err.message);
    else if (sealed)
        fprintf(stderr, "rapportd: sealed %lld moments of the ledger\n",
                (long long)sealed);
    int64_t statistics_at = 0;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        pthread_mutex_unlock(&s->lock);
        /* first, so that the rules' own statements are planned with them */
        refresh_statistics(s, &statistics_at);
        rp_error err;
        json_t *report = NULL;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        rp_code rc = rp_scheduler_run(&ctx, &cfg, rp_now() + s->clock_offset,
                                      worker, &report, &err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double took = (double)(t1.tv_sec - t0.tv_sec) +
                      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        if (rc == RP_OK && (took >= 1 || json_integer_value(json_object_get(
                                             report, "created"))))
            rp_logf(RP_LOG_INFO,
                    "scheduler: rules created %lld tasks in %lld transactions; "
                    "run took %.1f s",
                    (long long)json_integer_value(
                        json_object_get(report, "created")),
                    (long long)json_integer_value(
                        json_object_get(report, "rule_transactions")),
                    took);
        if (rc)
            rp_log(RP_LOG_ERROR, "scheduler run failed", "error", err.message,
                   (char *)NULL);
        else if (json_array_size(json_object_get(report, "sent")) ||
                 json_array_size(json_object_get(report, "failed")))
            rp_logf(RP_LOG_INFO,
                    "scheduler: sent %zu, held %zu, retrying %zu, failed %zu",
                    json_array_size(json_object_get(report, "sent")),
                    json_array_size(json_object_get(report, "held")),
                    json_array_size(json_object_get(report, "retried")),
                    json_array_size(json_object_get(report, "failed")));
        json_decref(report);
        report = NULL;
        /* asked to stop: the rest waits for the next start */
        if (stopping(s)) {
            pthread_mutex_lock(&s->lock);
            break;
        }
        /* the outbox: the desk's replies, its own step */
        if (rp_outbox_run(&ctx, &cfg.delivery, rp_now() + s->clock_offset,
                          worker, &report, &err))
            rp_log(RP_LOG_ERROR, "outbox run failed", "error", err.message,
                   (char *)NULL);
        json_decref(report);
        /* promises past their date are marked broken here, with their
         * moments, since reading the charter or the metrics settles
         * nothing */
        int64_t settled = 0;
        if (rp_charter_settle_promises(&ctx, rp_now() + s->clock_offset,
                                       &settled, &err))
            rp_log(RP_LOG_ERROR, "settling promises failed", "error",
                   err.message, (char *)NULL);
        /* the retention rules, a bounded batch at a time */
        report = NULL;
        if (stopping(s)) {
            pthread_mutex_lock(&s->lock);
            break;
        }
        if (rp_retention_tick(&ctx, rp_now() + s->clock_offset, &report, &err))
            rp_log(RP_LOG_ERROR, "retention failed", "error", err.message,
                   (char *)NULL);
        else if (report && (json_integer_value(
                                json_object_get(report, "customers_erased")) ||
                            json_integer_value(json_object_get(
                                report, "attachments_dropped")) ||
                            json_integer_value(
                                json_object_get(report, "messages_blanked"))))
            rp_logf(RP_LOG_INFO,
                    "retention: erased %lld customers, dropped "
                    "%lld attachments, blanked %lld messages",
                    (long long)json_integer_value(
                        json_object_get(report, "customers_erased")),
                    (long long)json_integer_value(
                        json_object_get(report, "attachments_dropped")),
                    (long long)json_integer_value(
                        json_object_get(report, "messages_blanked")));
        json_decref(report);
        pthread_mutex_lock(&s->lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += s->interval;
        while (!s->stopping &&
               pthread_cond_timedwait(&s->wake, &s->lock, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

rp_code rp_sched_start(const char *db, int interval, int64_t clock_offset,
                       const rp_scheduler_config *cfg, rp_sched **out,
                       rp_error *err)
{
    *out = NULL;
    if (interval <= 0)
        return RP_OK;
    rp_sched *s = calloc(1, sizeof *s);
    if (!s)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    if (rp_store_open(db, &s->store, err)) {
        free(s);
        return err->code;
    }
    s->interval = interval;
    s->clock_offset = clock_offset;
    s->cfg = cfg;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    if (pthread_create(&s->thread, NULL, run, s)) {
        rp_store_close(s->store);
        free(s);
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "cannot start the scheduler thread");
    }
    *out = s;
    return RP_OK;
}

void rp_sched_ask_stop(rp_sched *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
}

void rp_sched_stop(rp_sched *s)
{
    if (!s)
        return;
    rp_sched_ask_stop(s);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    rp_store_close(s->store);
    free(s);
}
