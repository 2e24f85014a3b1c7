/*
 * worker.h - the name a process signs its claims in the database with.
 *
 * The scheduler, the outbox and the webhook sender claim rows (tasks,
 * messages, deliveries) by writing their name into claimed_by, and settle
 * only rows that still carry it.  With several rapportd on one PostgreSQL
 * the name must differ between every two claimants anywhere: a process
 * id alone does not (two containers each run rapportd as pid 1), so the
 * name carries the host, the process id, a random number drawn once per
 * process and a count of the names this process has given.
 */
#ifndef RP_WORKER_H
#define RP_WORKER_H

#include <stddef.h>

/* The longest name rp_worker_name writes, with its NUL. */
#define RP_WORKER_NAME_MAX 128

/*
 * Write into out (n bytes, RP_WORKER_NAME_MAX is enough) a name no other
 * call in any process on any host gives: "PROGRAM:HOST:PID:RANDOM:N:ROLE",
 * e.g. "rapportd:desk-2:4711:9f3a61c2:1:scheduler".  The host is cut to
 * 40 bytes.  Safe to call from any thread.
 */
void rp_worker_name(char *out, size_t n, const char *program, const char *role);

#endif
