/*
 * routes_customers.c - /api/v1/customers: the list with its search, the
 * moments-of-truth timeline of a customer, and erasure.  Create, read, change
 * and the overview name their librapport function in the table (routes.c).
 */
#include <string.h>

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

/* The query's fields as the core's input: requested_by as given,
 * suppress_marketing as a boolean when it reads as one (the core names it
 * when it does not). */
void rp_h_customer_erase(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "customer", &id))
        return;
    json_t *in = json_object();
    const char *by = rp_query_arg(req, "requested_by");
    const char *suppress = rp_query_arg(req, "suppress_marketing");
    if (by)
        json_object_set_new(in, "requested_by", json_string(by));
    if (suppress)
        json_object_set_new(in, "suppress_marketing",
                            !strcmp(suppress, "true") ? json_true()
                            : !strcmp(suppress, "false")
                                ? json_false()
                                : json_string(suppress));
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_privacy_erase(&req->ctx, id, in, &out, &err);
    json_decref(in);
    rp_reply_result(res, rc, &err, 200, out);
}
