/*
 * routes_delivery.c - whether the desk can send email and text messages,
 * and a test email: the two routes of the delivery settings that need the
 * program's own settings (RAPPORT_SMTP_*, RAPPORT_WEBHOOK_*) besides the
 * database's, so they pass the configuration down to the core.
 */
#include "routes.h"

void rp_h_delivery_status(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_delivery_status(&req->ctx, &req->config->followup.delivery,
                                    &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_delivery_test(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_delivery_test(&req->ctx, &req->config->followup.delivery,
                                  req->body, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}
