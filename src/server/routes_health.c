/*
 * routes_health.c - GET /healthz: is the server up, can it read its
 * database, and can it write to it?  Load balancers and the test harness
 * poll it.
 *
 * 200 "ok": reads and writes work.  503 "degraded" (with Retry-After):
 * reads are served but changes are not taken now, because another process
 * holds the database's write lock or because the last change failed on a
 * full disk; "reason" says which.  503 "unavailable": the database cannot
 * even be read.  A reply never carries the database's own error text (it
 * names files and tables): that goes to the log.
 *
 * Every reply also carries "database" (reachable, schema version) and
 * "delivery" (the backlog of tasks and outgoing messages, due and failed).
 */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "routes.h"

/*
 * The database's part of the reply: whether it can be read and at which
 * schema version; and the delivery backlog (tasks and the outbox, due and
 * failed), from index ranges, so that monitoring sees a stuck scheduler or
 * mail server before customers do.  The backlog is null when it cannot
 * be read.
 */
static void add_details(rp_request *req, json_t *body, int readable)
{
    rp_store *st = req->ctx.store;
    json_object_set_new(body, "database",
                        json_pack("{s:b, s:i}", "reachable", readable,
                                  "schema_version",
                                  st->ops->schema_version(st)));
    json_t *backlog = NULL;
    rp_error err;
    if (readable && rp_delivery_backlog(&req->ctx, rp_now(), &backlog, &err))
        rp_log(RP_LOG_ERROR, "health check: reading the delivery backlog",
               "error", err.message, (char *)NULL);
    json_object_set_new(body, "delivery", backlog ? backlog : json_null());
}

static void reply_health(rp_request *req, rp_response *res, int status,
                         const char *state, const char *reason)
{
    json_t *body = json_pack(
        "{s:s, s:s, s:i}", "status", state, "version", RP_VERSION,
        "schema_version", req->ctx.store->ops->schema_version(req->ctx.store));
    if (reason)
        json_object_set_new(body, "reason", json_string(reason));
    add_details(req, body, strcmp(state, "unavailable") != 0);
    if (status != 200)
        res->retry_after = 2;
    rp_reply_json(res, status, body);
}

void rp_h_healthz(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *rows = NULL;
    /* a read whose cost does not grow with the desk: never count rows */
    rp_code read = req->ctx.store->ops->query(
        req->ctx.store, RP_Q_STORE_READ_CHECK, NULL, &rows, &err);
    json_decref(rows);
    if (read) {
        rp_log(RP_LOG_ERROR, "health check: the database cannot be read",
               "error", err.message, (char *)NULL);
        reply_health(req, res, 503, "unavailable",
                     "the database cannot be read");
        return;
    }
    /* a change in flight holds the lock for milliseconds: wait that out,
     * so that a busy desk is not reported as a degraded one */
    req->ctx.store->ops->set_busy_wait(req->ctx.store, 500);
    rp_code rc = req->ctx.store->ops->probe_write(req->ctx.store, &err);
    if (rc == RP_EBUSY) {
        /* The server's own writers hold the lock a moment at a time (a
         * burst of logins writes on every one): wait for it as a change
         * would before calling the database busy. */
        rc = rp_store_begin(req->ctx.store, &err);
        if (rc == RP_OK)
            rp_store_rollback(req->ctx.store);
    }
    if (rc == RP_EBUSY) {
        reply_health(req, res, 503, "degraded",
                     "the database is busy: another process holds its write "
                     "lock, so changes are refused for now (reads work)");
        return;
    }
    if (rc) {
        rp_log(RP_LOG_ERROR, "health check: the database cannot be written",
               "error", err.message, (char *)NULL);
        reply_health(req, res, 503, "degraded",
                     "the database cannot take changes (reads work)");
        return;
    }
    if (rp_last_write_fault() == RP_ENOSPACE) {
        reply_health(req, res, 503, "degraded",
                     "the last change failed because the disk holding the "
                     "database is full; free some space (reads work)");
        return;
    }
    reply_health(req, res, 200, "ok", NULL);
}
