/*
 * webhook_thread.c - the event webhook sender of rapportd (see
 * webhook_thread.h).
 *
 * Like the scheduler thread it sleeps on a condition variable so that
 * shutdown wakes it at once, and it asks between deliveries whether to
 * stop: a delivery claimed and not sent is taken over after its lease by
 * the next process, with the same delivery id.  After a run that sent a
 * full batch it goes round again at once, so a backlog drains at the speed
 * of the receivers rather than one batch per interval.
 */
#include "base/worker.h"
#include "webhook_thread.h"

#include "base/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct rp_webhook_thread {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
    int interval;
    const rp_webhook_config *cfg;
    rp_store *store;
};

static int stopping(void *arg)
{
    rp_webhook_thread *t = arg;
    pthread_mutex_lock(&t->lock);
    int stop = t->stopping;
    pthread_mutex_unlock(&t->lock);
    return stop;
}

/* One run; 1 when it claimed a whole batch (more may be due). */
static int run_once(rp_webhook_thread *t, rp_webhook_config *cfg,
                    const char *worker)
{
    rp_ctx ctx = {.store = t->store, .actor = "webhooks"};
    rp_error err;
    json_t *report = NULL;
    if (rp_webhook_run(&ctx, cfg, rp_now(), worker, &report, &err)) {
        rp_log(RP_LOG_ERROR, "webhook run failed", "error", err.message,
               (char *)NULL);
        return 0;
    }
    json_int_t claimed = json_integer_value(json_object_get(report, "claimed"));
    if (claimed)
        fprintf(
            stderr,
            "rapportd: webhooks: delivered %lld, retrying %lld, failed "
            "%lld\n",
            (long long)json_integer_value(json_object_get(report, "delivered")),
            (long long)json_integer_value(json_object_get(report, "retried")),
            (long long)json_integer_value(json_object_get(report, "failed")));
    json_decref(report);
    return claimed >= cfg->batch;
}

/* Once an hour, what is past keeping goes, a bounded batch at a time. */
static void prune(rp_webhook_thread *t, const rp_webhook_config *cfg,
                  int64_t *last)
{
    int64_t now = rp_now();
    if (cfg->keep_days <= 0 || now - *last < 3600)
        return;
    *last = now;
    rp_ctx ctx = {.store = t->store, .actor = "webhooks"};
    rp_error err;
    int64_t removed = 0;
    if (rp_webhook_prune(&ctx, now - (int64_t)cfg->keep_days * 86400, 1000,
                         &removed, &err))
        fprintf(stderr, "rapportd: webhooks: pruning: %s\n", err.message);
}

static void *run(void *arg)
{
    rp_webhook_thread *t = arg;
    rp_webhook_config cfg = *t->cfg;
    cfg.should_stop = stopping;
    cfg.stop_arg = t;
    char worker[RP_WORKER_NAME_MAX];
    rp_worker_name(worker, sizeof worker, "rapportd", "webhooks");
    int64_t pruned_at = 0;
    pthread_mutex_lock(&t->lock);
    while (!t->stopping) {
        pthread_mutex_unlock(&t->lock);
        int more = run_once(t, &cfg, worker);
        prune(t, &cfg, &pruned_at);
        pthread_mutex_lock(&t->lock);
        if (more)
            continue;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += t->interval;
        while (!t->stopping &&
               pthread_cond_timedwait(&t->wake, &t->lock, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

rp_code rp_webhook_thread_start(const char *db, int interval,
                                const rp_webhook_config *cfg,
                                rp_webhook_thread **out, rp_error *err)
{
    *out = NULL;
    if (interval <= 0)
        return RP_OK;
    rp_webhook_thread *t = calloc(1, sizeof *t);
    if (!t)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    if (rp_store_open(db, &t->store, err)) {
        free(t);
        return err->code;
    }
    t->interval = interval;
    t->cfg = cfg;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->wake, NULL);
    if (pthread_create(&t->thread, NULL, run, t)) {
        pthread_cond_destroy(&t->wake);
        pthread_mutex_destroy(&t->lock);
        rp_store_close(t->store);
        free(t);
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "cannot start the webhook thread");
    }
    *out = t;
    return RP_OK;
}

void rp_webhook_thread_stop(rp_webhook_thread *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    t->stopping = 1;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->lock);
    rp_store_close(t->store);
    free(t);
}
