/*
 * routes_overview.c - GET /api/v1/customers/{id}/overview: the customer at a
 * glance (profile, relationship, open work, satisfaction, counts).
 */
#include "routes.h"

void rp_h_customer_overview(rp_request *req, rp_response *res)
{
    rp_serve_by_id(req, res, "customer", rp_customer_overview, 200);
}
