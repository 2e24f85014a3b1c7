/*
 * routes_queues.c - /api/v1/queues: the teams encounters are routed to.
 */
#include <stdio.h>

#include "routes.h"

void rp_h_queue_list(rp_request *req, rp_response *res)
{
    rp_serve_page(req, res, rp_queue_list);
}

void rp_h_queue_create(rp_request *req, rp_response *res)
{
    rp_serve_create(req, res, rp_queue_create, "/api/v1/queues");
}
