/*
 * routes_customers.c - /api/v1/customers: the list with its search, and the
 * moments-of-truth timeline of a customer.  Create, read, change and the
 * overview name their librapport function in the table (routes.c).
 */
#include "routes.h"

void rp_h_customer_list(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_customer_list(&req->ctx, rp_query_arg(req, "q"), &req->page,
                                  &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_customer_moments(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "customer", &id))
        return;
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_moment_list(&req->ctx, id, &req->page, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}
