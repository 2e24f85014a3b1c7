/*
 * routes_health.c - GET /healthz: is the server up and is its database
 * answering?  Load balancers and the test harness poll it.
 */
#include "routes.h"

void rp_h_healthz(rp_request *req, rp_response *res)
{
    int64_t n;
    rp_error err;
    if (rp_customer_count(&req->ctx, &n, &err)) {
        rp_reply_json(res, 503,
                      json_pack("{s:s, s:s}", "status", "unavailable", "reason",
                                err.message));
        return;
    }
    rp_reply_json(
        res, 200,
        json_pack("{s:s, s:s, s:i}", "status", "ok", "version", RP_VERSION,
                  "schema_version",
                  req->ctx.store->ops->schema_version(req->ctx.store)));
}
