/*
 * routes_queues.c - /api/v1/queues: the teams encounters are routed to.
 */
#include <stdio.h>

#include "routes.h"

void rp_h_queue_list(rp_request *req, rp_response *res)
{
    rp_error err;
    rp_page_req page;
    json_t *out = NULL;
    rp_code rc = rp_page_req_parse(rp_query_arg(req, "limit"),
                                   rp_query_arg(req, "cursor"), &page, &err);
    if (rc == RP_OK)
        rc = rp_queue_list(&req->ctx, &page, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_queue_create(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_queue_create(&req->ctx, req->body, &out, &err);
    if (rc == RP_OK)
        snprintf(res->location, sizeof res->location, "/api/v1/queues/%lld",
                 (long long)json_integer_value(json_object_get(out, "id")));
    rp_reply_result(res, rc, &err, 201, out);
}
