/*
 * routes_products.c - GET /api/v1/products: the catalogue recommendations
 * are made from, listed by category or tag.  Adding, changing and showing
 * a product name their librapport function in the table (routes.c).
 */
#include "routes.h"

void rp_h_product_list(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_product_list(&req->ctx, rp_query_arg(req, "category"),
                                 rp_query_arg(req, "tag"), &req->page, &out,
                                 &err);
    rp_reply_result(res, rc, &err, 200, out);
}
