/*
 * routes_products.c - /api/v1/products: the catalogue recommendations are
 * made from (add, change, show with related products, list by category or
 * tag).
 */
#include <stdio.h>

#include "routes.h"

void rp_h_product_list(rp_request *req, rp_response *res)
{
    rp_error err;
    rp_page_req page;
    json_t *out = NULL;
    rp_code rc = rp_page_req_parse(rp_query_arg(req, "limit"),
                                   rp_query_arg(req, "cursor"), &page, &err);
    if (rc == RP_OK)
        rc = rp_product_list(&req->ctx, rp_query_arg(req, "category"),
                             rp_query_arg(req, "tag"), &page, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_product_create(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_product_create(&req->ctx, req->body, &out, &err);
    if (rc == RP_OK)
        snprintf(res->location, sizeof res->location, "/api/v1/products/%lld",
                 (long long)json_integer_value(json_object_get(out, "id")));
    rp_reply_result(res, rc, &err, 201, out);
}

void rp_h_product_get(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "product", &id))
        return;
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_product_get(&req->ctx, id, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_product_update(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "product", &id))
        return;
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_product_update(&req->ctx, id, req->body, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}
