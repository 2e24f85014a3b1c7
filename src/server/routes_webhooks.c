/*
 * routes_webhooks.c - the two webhook routes that need translating: the
 * removal (which answers with what was removed) and the delivery log
 * (whose status filter comes from the query).  Creating, reading, listing
 * and changing subscriptions name their librapport function in the table
 * (routes.c).
 */
#include "routes.h"

void rp_h_webhook_remove(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "webhook", &id))
        return;
    rp_error err;
    rp_code rc = rp_webhook_remove(&req->ctx, id, &err);
    rp_reply_result(
        res, rc, &err, 200,
        rc ? NULL
           : json_pack("{s:I, s:b}", "id", (json_int_t)id, "removed", 1));
}

void rp_h_webhook_deliveries(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "webhook", &id))
        return;
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_webhook_deliveries(
        &req->ctx, id, rp_query_arg(req, "status"), &req->page, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}
