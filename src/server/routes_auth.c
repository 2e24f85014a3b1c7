/*
 * routes_auth.c - /api/v1/session (login, who am I, logout) and
 * /api/v1/tokens (an agent's own API tokens; an admin's view covers
 * everyone's).  The agents (admin) name their librapport function in the
 * table (routes.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"

#define ADMIN(req) ((req)->auth.role >= 3)

/* Behind a TLS-terminating proxy RAPPORT_COOKIE_SECURE=1 makes the
 * browser never send the cookie over plain HTTP; off by default because
 * rapportd itself serves plain HTTP on loopback. */
static void set_session_cookie(const rp_request *req, rp_response *res,
                               const char *secret)
{
    if (secret)
        snprintf(res->set_cookie, sizeof res->set_cookie,
                 RP_SESSION_COOKIE "=%s; HttpOnly; SameSite=Strict; Path=/%s",
                 secret, req->config->cookie_secure ? "; Secure" : "");
    else
        snprintf(res->set_cookie, sizeof res->set_cookie,
                 RP_SESSION_COOKIE "=; HttpOnly; SameSite=Strict; Path=/; "
                                   "Max-Age=0");
}

/* A login runs on a password thread (RP_ROUTE_PASSWORD), never on an
 * HTTP worker: argon2id would stall every request that worker serves.  Its
 * steps: the throttle and the attempt counted, the check, the outcome. */
void rp_h_session_create(rp_request *req, rp_response *res)
{
    rp_error err;
    rp_login *login = NULL;
    int retry_after = 0;
    rp_code rc = rp_login_begin(&req->ctx, req->body, req->client_addr, &login,
                                &retry_after, &err);
    if (rc) {
        if (rc == RP_ERATELIMIT)
            res->retry_after = retry_after;
        rp_reply_error(res, &err);
        return;
    }
    rp_login_check(login);
    json_t *out = NULL;
    char secret[RP_SECRET_HEX];
    rc = rp_login_finish(&req->ctx, login, secret, &out, &err);
    rp_login_free(login);
    if (rc == RP_OK)
        set_session_cookie(req, res, secret);
    if (rc == RP_EBUSY)
        res->retry_after = 2;
    rp_reply_result(res, rc, &err, 201, out);
}

void rp_h_session_get(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_auth_whoami(&req->ctx, &req->auth, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_session_delete(rp_request *req, rp_response *res)
{
    rp_error err;
    rp_code rc = RP_OK;
    if (req->auth.via_session)
        rc = rp_auth_logout(&req->ctx, req->session_secret, &err);
    if (rc == RP_OK)
        set_session_cookie(req, res, NULL);
    rp_reply_result(res, rc, &err, 200, json_pack("{s:b}", "logged_out", 1));
}

void rp_h_token_list(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    /* An agent sees their own tokens; an admin everyone's. */
    rp_code rc = rp_token_list(&req->ctx, ADMIN(req) ? 0 : req->auth.agent_id,
                               &req->page, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_token_create(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_token_create(&req->ctx, req->body, ADMIN(req), &out, &err);
    rp_reply_result(res, rc, &err, 201, out);
}

void rp_h_token_revoke(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "token", &id))
        return;
    rp_error err;
    rp_code rc = rp_token_revoke(&req->ctx, id, ADMIN(req), &err);
    rp_reply_result(
        res, rc, &err, 200,
        json_pack("{s:I, s:b}", "id", (json_int_t)id, "revoked", 1));
}
