/*
 * routes_customers.c - /api/v1/customers: create, read, update, list and
 * the moments-of-truth timeline of a customer.
 */
#include <stdio.h>

#include "routes.h"

void rp_h_customer_list(rp_request *req, rp_response *res)
{
    rp_error err;
    rp_page_req page;
    json_t *out = NULL;
    rp_code rc = rp_page_req_parse(rp_query_arg(req, "limit"),
                                   rp_query_arg(req, "cursor"), &page, &err);
    if (rc == RP_OK)
        rc = rp_customer_list(&req->ctx, rp_query_arg(req, "q"), &page, &out,
                              &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_customer_create(rp_request *req, rp_response *res)
{
    rp_serve_create(req, res, rp_customer_create, "/api/v1/customers");
}

void rp_h_customer_get(rp_request *req, rp_response *res)
{
    rp_serve_by_id(req, res, "customer", rp_customer_get, 200);
}

void rp_h_customer_update(rp_request *req, rp_response *res)
{
    rp_serve_by_id_body(req, res, "customer", rp_customer_update, 200);
}

void rp_h_customer_moments(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "customer", &id))
        return;
    rp_error err;
    rp_page_req page;
    json_t *out = NULL;
    rp_code rc = rp_page_req_parse(rp_query_arg(req, "limit"),
                                   rp_query_arg(req, "cursor"), &page, &err);
    if (rc == RP_OK)
        rc = rp_moment_list(&req->ctx, id, &page, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}
