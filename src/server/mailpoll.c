/*
 * mailpoll.c - rapportd's IMAP thread (see mailpoll.h).  Like the
 * scheduler's, it waits on a condition variable so that shutdown wakes it
 * at once; several servers may poll the same mailboxes, because each
 * message is claimed in the database before it is taken.
 */
#include "base/log.h"
#include "mailpoll.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct rp_mailpoll {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
    int interval;
    const rp_mail_options *opt;
    rp_store *store;
};

static void *run(void *arg)
{
    rp_mailpoll *p = arg;
    rp_ctx ctx = {.store = p->store, .actor = "mail"};
    pthread_mutex_lock(&p->lock);
    while (!p->stopping) {
        pthread_mutex_unlock(&p->lock);
        int taken = 0;
        rp_error err;
        /* each mailbox's problem was logged by the poll itself */
        rp_mail_imap_poll(&ctx, p->opt, &taken, &err);
        if (taken)
            rp_logf(RP_LOG_INFO, "mail: took %d message%s by IMAP", taken,
                    taken == 1 ? "" : "s");
        pthread_mutex_lock(&p->lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += p->interval;
        while (!p->stopping &&
               pthread_cond_timedwait(&p->wake, &p->lock, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

rp_code rp_mailpoll_start(const char *db, int interval,
                          const rp_mail_options *opt, rp_mailpoll **out,
                          rp_error *err)
{
    *out = NULL;
    if (interval <= 0)
        return RP_OK;
    rp_mailpoll *p = calloc(1, sizeof *p);
    if (!p)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    if (rp_store_open(db, &p->store, err)) {
        free(p);
        return err->code;
    }
    p->interval = interval;
    p->opt = opt;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    if (pthread_create(&p->thread, NULL, run, p)) {
        rp_store_close(p->store);
        free(p);
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "cannot start the mail thread");
    }
    *out = p;
    return RP_OK;
}

void rp_mailpoll_stop(rp_mailpoll *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    rp_store_close(p->store);
    free(p);
}
