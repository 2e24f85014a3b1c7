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
 */
#include <stdio.h>

#include "routes.h"

static void reply_health(rp_request *req, rp_response *res, int status,
                         const char *state, const char *reason)
{
    json_t *body = json_pack(
        "{s:s, s:s, s:i}", "status", state, "version", RP_VERSION,
        "schema_version", req->ctx.store->ops->schema_version(req->ctx.store));
    if (reason)
        json_object_set_new(body, "reason", json_string(reason));
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
        fprintf(stderr, "rapportd: healthz: reading: %s\n", err.message);
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
        fprintf(stderr, "rapportd: healthz: writing: %s\n", err.message);
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
