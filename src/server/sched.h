/*
 * sched.h - the scheduler thread of rapportd: every N seconds it runs the
 * rules and sends what is due (rp_scheduler_run), on its own store
 * connection so it never waits for the request pool.
 */
#ifndef RP_SCHED_H
#define RP_SCHED_H

#include "core/rapport.h"

typedef struct rp_sched rp_sched;

/*
 * Start the thread on the database at db, running every interval seconds
 * (0: do not start; *out is then NULL) with the scheduler configuration
 * cfg, which must outlive the thread.  clock_offset seconds are added to
 * the clock it runs at (documented for demos; tests use POST
 * /api/v1/scheduler/run instead).
 */
rp_code rp_sched_start(const char *db, int interval, int64_t clock_offset,
                       const rp_scheduler_config *cfg, rp_sched **out,
                       rp_error *err);

/* Ask the thread to stop at its next batch or task, without waiting for
 * it, so that it winds down while the rest of the server does.  NULL is
 * allowed. */
void rp_sched_ask_stop(rp_sched *s);

/* Ask the thread to stop, wait for it (a send in progress finishes, a
 * batch of a rule commits), and release it.  NULL is allowed. */
void rp_sched_stop(rp_sched *s);

#endif
