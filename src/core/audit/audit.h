/*
 * audit.h - the audit log: what agents and API tokens did and read.
 *
 * A desk that remembers a lot about people must be able to say who looked
 * at whom and who changed what.  The audit log is append-only (the store
 * and a database trigger refuse to rewrite it, as for the moments ledger)
 * and holds, for each entry: when, what (a read, a change, a refusal, a
 * login or failed login, a logout, an export, an erasure), who (the agent,
 * and the API token when one was used), how they came in (a browser
 * session, a token, the command line), from which address, through which
 * route, and whose data it was (the customer).  It names people only by id
 * and never holds what anyone typed (a refusal keeps its error code and
 * the field, not the message, which may quote the input), so it holds no
 * personal data of its own and never needs rewriting.
 *
 * Cheap by construction:
 *
 *   - a change is recorded inside the transaction that makes it: the HTTP
 *     layer opens an rp_audit_request for the request, and its entry is
 *     written by the store's commit hook just before the first commit, so
 *     the change and its record are kept or lost together, for any route,
 *     without a line in any handler;
 *   - a read is pushed on an in-memory queue (rp_audit_writer) that one
 *     background thread writes in batches, one transaction per batch, so
 *     a read costs a copy and a lock, not a write; a read that cannot be
 *     queued (the queue is full) is refused, never answered unrecorded.
 *
 * Anything else that must be accounted for (an export, an erasure, a
 * login) calls rp_audit_record in its own transaction: it fills who and
 * from where from ctx->audit, the request it serves, or records the
 * command line as the actor.
 */
#ifndef RP_AUDIT_H
#define RP_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "core/context.h"

struct rp_ctx;

/* The actions an entry records, for filters and for the check in the
 * schema: "read", "change", "refused", "login", "login_failed", "logout",
 * "export", "erasure"; NULL-terminated. */
extern const char *const rp_audit_actions[];

/*
 * One entry.  Strings are borrowed; NULL and 0 mean "not known".  The
 * customer may be given directly or left to be found from the subject (a
 * "customer", "encounter", "message", "attachment", "task", "promise" or
 * "export_request" and its id): the store finds whose it is as it writes the
 * entry.
 */
typedef struct rp_audit_entry {
    const char *action;  /* one of rp_audit_actions */
    int64_t agent_id;    /* who acted */
    int64_t token_id;    /* the API token used, if any */
    const char *via;     /* "session", "token", "cli", "customer", "system" */
    const char *address; /* the client's address */
    const char *method;  /* "GET", "POST", ... (or the command's verb) */
    const char *route;   /* the route's pattern, or the command */
    const char *subject; /* what the path id names */
    int64_t subject_id;
    int64_t customer_id; /* whose data, when known without the subject */
    int status;          /* the HTTP status, or 0 */
    const char *code;    /* a refusal's error code ("invalid", ...) */
    const char *field;   /* the field a refusal named */
    int64_t at;          /* Unix seconds; 0: now */
} rp_audit_entry;

/*
 * The request being served, as the audit log sees it.  The HTTP layer
 * fills entry with who, how, from where and which route and subject, and
 * calls rp_audit_request_begin before the handler runs and
 * rp_audit_request_end after.  recorded is set once an entry for this
 * request is written, so that it is written once.
 */
typedef struct rp_audit_request {
    rp_audit_entry entry;
    int change;   /* 1: a change (recorded at its commit); 0: a read */
    int at_end;   /* 1: a change recorded at its end only, not at a commit
                     (a login's first step counts the attempt, and the
                     login records itself when finished) */
    int recorded; /* an entry for this request is written */
} rp_audit_request;

/*
 * Write e now, in the transaction ctx->store has open if any (else on its
 * own).  What e leaves unknown is filled from ctx: the agent from
 * ctx->agent_id, and how, from where and through which route from
 * ctx->audit (the request served), else via "cli".  Marks the request
 * recorded, so that its generic entry is not written as well: a login, an
 * export or an erasure records itself with its own action.
 */
rp_code rp_audit_record(struct rp_ctx *ctx, const rp_audit_entry *e,
                        rp_error *err);

/*
 * Which customer data the route pattern with these path parameters
 * touches: *subject ("customer", "encounter", "message", "attachment",
 * "task", "promise") and *id, from the path's first {id} segment under
 * /api/v1/; *subject NULL when the route names none.  query_customer (a
 * customer_id query parameter or body field, or NULL) names the customer
 * of a route without one in its path (a list of a customer's encounters,
 * opening an encounter).
 */
void rp_audit_subject_of(const char *pattern, const char *const *params,
                         int nparams, const char *query_customer,
                         const char **subject, int64_t *id);

/*
 * Start accounting for the request r describes: ctx->audit = r, and for a
 * change the store's commit hook is armed, so that r's entry is written
 * (action "change") in the transaction of the first commit the request
 * makes.
 */
void rp_audit_request_begin(struct rp_ctx *ctx, rp_audit_request *r);

/* A queue of reads written in the background (below). */
typedef struct rp_audit_writer rp_audit_writer;

/*
 * End the request begun with rp_audit_request_begin: disarm the commit
 * hook, and record what is still unrecorded.  A change that committed
 * nothing is written now (action "refused" with code and field when status
 * is not 2xx, else "change"); a read of customer data (r->entry.subject
 * set) that succeeded, or was forbidden (403), is pushed on w (not
 * recorded when w is NULL: reads are not being recorded).  Other reads (lists
 * of all customers, the queue, articles) are not recorded.  Status 0 means the
 * request goes on elsewhere (handed to another thread): the hook is disarmed
 * and nothing recorded.  A failure to write a change's entry is told on
 * standard error (the change has been made).  Returns RP_OK, or RP_EBUSY
 * when w's queue is full and the read could not be put on the record: the
 * caller must then not give the read's answer (it answers 503 instead).
 */
rp_code rp_audit_request_end(struct rp_ctx *ctx, rp_audit_request *r,
                             int status, const char *code, const char *field,
                             rp_audit_writer *w);

/*
 * A page of the audit log, newest first, as an admin searches it: filters
 * in q, any of "agent_id", "customer_id" (ids), "from", "to" (times, to
 * excluded) and "action" (one of rp_audit_actions); page as every list.
 * *out is {"items":[...], "next_cursor"}, each item {"id", "occurred_at",
 * "action", "agent_id", "agent_name", "token_id", "via", "address",
 * "method", "route", "subject", "subject_id", "customer_id",
 * "customer_name", "status", "code", "field", "what", "text"}, what and
 * text being the entry in plain language (rp_audit_describe).
 * A bad filter is RP_EINVALID naming it.
 */
rp_code rp_audit_list(struct rp_ctx *ctx, json_t *q, const rp_page_req *page,
                      json_t **out, rp_error *err);

/*
 * Every entry about customer_id, oldest first, as the customer's export
 * carries it (who looked at their data, who changed it).
 */
rp_code rp_audit_of_customer(struct rp_ctx *ctx, int64_t customer_id,
                             json_t **out, rp_error *err);

/*
 * The entry row (as rp_audit_list gives it) in plain language, what an
 * admin reads, appended to b: who did what to whose data, when and from
 * where ("Ana Ruiz read the profile of Marta Gil, Tue 1 Dec 2026, 10:04
 * UTC, from 127.0.0.1").  Items of rp_audit_list carry it as "text".
 */
void rp_audit_describe(json_t *row, rp_buf *b);

/* The first part alone, without when and from where ("Ana Ruiz read the
 * profile of Marta Gil"): items carry it as "what", for a page that
 * writes the time in the reader's own zone. */
void rp_audit_describe_what(json_t *row, rp_buf *b);

/* ---- the background writer of reads (writer.c) --------------------------- */

/*
 * Write the n entries e as they are, in the transaction s has open (else
 * each statement on its own), RP_AUDIT_INSERT_ROWS to a statement; for the
 * writer below.
 */
rp_code rp_audit_write_entries(rp_store *s, const rp_audit_entry *e, size_t n,
                               rp_error *err);

/*
 * Start the thread that writes queued entries to store (which it owns from
 * now on and closes at stop).  An entry is written, with those queued
 * with it, in one transaction, at most flush_ms milliseconds after it was
 * queued (plus the time the write takes), or sooner once
 * RP_AUDIT_WRITER_BATCH are waiting.  A batch that meets a busy database
 * (a backup holding the write lock, a full disk) is kept and tried again
 * every second.  At most max entries wait (0: RP_AUDIT_QUEUE_MAX); past
 * them rp_audit_writer_push refuses, so that nothing is dropped.
 */
#define RP_AUDIT_QUEUE_MAX 100000
#define RP_AUDIT_WRITER_BATCH 8192
rp_code rp_audit_writer_start(rp_store *store, int flush_ms, int max,
                              rp_audit_writer **out, rp_error *err);

/*
 * Copy e onto the queue (the time, when e->at is 0, is taken now): RP_OK,
 * or RP_EBUSY when max entries are already waiting (the database has
 * refused writes for a while), or RP_EINTERNAL when out of memory; then e
 * is not queued and the read it records must not be answered.
 */
rp_code rp_audit_writer_push(rp_audit_writer *w, const rp_audit_entry *e);

/* Write everything queued so far and wait until it is written (or the
 * writer stops); for tests and before a reply that must see it. */
void rp_audit_writer_flush(rp_audit_writer *w);

/*
 * Write what is queued, stop the thread, close its store, free w.  A
 * database that refuses the last batch is tried again for up to
 * RP_AUDIT_STOP_WAIT_S seconds; what is still unwritten then is counted on
 * standard error.
 */
#define RP_AUDIT_STOP_WAIT_S 30
void rp_audit_writer_stop(rp_audit_writer *w);

#endif
