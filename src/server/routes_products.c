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
    rp_serve_create(req, res, rp_product_create, "/api/v1/products");
}

void rp_h_product_get(rp_request *req, rp_response *res)
{
    rp_serve_by_id(req, res, "product", rp_product_get, 200);
}

void rp_h_product_update(rp_request *req, rp_response *res)
{
    rp_serve_by_id_body(req, res, "product", rp_product_update, 200);
}
