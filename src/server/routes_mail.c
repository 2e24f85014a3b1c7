/*
 * routes_mail.c - POST /api/v1/mail/inbound: email in by HTTP, for mail
 * services that forward a received message to a URL.  The body is the raw
 * message (message/rfc822), taken exactly as `rapport mail receive` takes
 * it from a mail server's pipe.
 */
#include "mail/mail.h"
#include "routes.h"

void rp_h_mail_inbound(rp_request *req, rp_response *res)
{
    rp_mail_options opt = {
        .queue = rp_query_arg(req, "queue"),
        .channel = "email",
        .max_size = (size_t)req->config->mail_max_bytes,
        .loop = req->config->mail_loop,
    };
    rp_error err;
    json_t *out = NULL;
    if (rp_mail_deliver(&req->ctx, req->raw, req->raw_len, &opt, &out, &err)) {
        rp_reply_error(res, &err);
        return;
    }
    rp_reply_json(res, 200, out);
}
