/*
 * routes_overview.c - GET /api/v1/customers/{id}/overview: the customer at a
 * glance (profile, relationship, open work, satisfaction, counts).
 */
#include "routes.h"

void rp_h_customer_overview(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "customer", &id))
        return;
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_customer_overview(&req->ctx, id, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}
