/*
 * routes_telephony.c - /api/v1/telephony: what a phone system tells the
 * desk about its calls (core/telephony).  The call is named by the phone
 * system's own call id in the path, which is text, so these routes have
 * handlers; a call or an event told for the first time is 201, told again
 * (a retry) 200 with what was recorded the first time.
 */
#include "routes.h"

void rp_h_call_arrive(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    int created = 0;
    rp_code rc = rp_call_arrive(&req->ctx, req->body, &out, &created, &err);
    rp_reply_result(res, rc, &err, created ? 201 : 200, out);
}

void rp_h_call_event(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    int created = 0;
    rp_code rc = rp_call_event(&req->ctx, req->params[0], req->body, &out,
                               &created, &err);
    rp_reply_result(res, rc, &err, created ? 201 : 200, out);
}

void rp_h_call_get(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_call_get(&req->ctx, req->params[0], &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}
