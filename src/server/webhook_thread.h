/*
 * webhook_thread.h - the thread of rapportd that sends event webhook
 * deliveries (rp_webhook_run) every few seconds, on its own store
 * connection, so a slow receiver never holds an HTTP worker or the
 * scheduler.
 */
#ifndef RP_WEBHOOK_THREAD_H
#define RP_WEBHOOK_THREAD_H

#include "core/rapport.h"

typedef struct rp_webhook_thread rp_webhook_thread;

/*
 * Start the thread on the database at db, sending what is due every
 * interval seconds (0: do not start; *out is then NULL) with cfg, which
 * must outlive the thread.  Deliveries left pending by an earlier process
 * are picked up on its first run; one that process was sending is taken
 * over once its lease has passed.
 */
rp_code rp_webhook_thread_start(const char *db, int interval,
                                const rp_webhook_config *cfg,
                                rp_webhook_thread **out, rp_error *err);

/* Ask the thread to stop, wait for it (a send in progress finishes or
 * times out), and release it.  NULL is allowed. */
void rp_webhook_thread_stop(rp_webhook_thread *t);

#endif
