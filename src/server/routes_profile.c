/*
 * routes_profile.c - what rapport remembers about a customer's future:
 * /api/v1/customers/{id}/preferences|goals|dates|consents (list, add,
 * change, remove), and what it derives from them: .../recommendations
 * (with accept/decline of an offer) and .../satisfaction (the customer's
 * satisfaction figures).  The loyalty of a customer names its librapport
 * function in the table (routes.c).
 */
#include <stdio.h>
#include <string.h>

#include "routes.h"

/*
 * The kind of a profile route is the path segment after the customer's id
 * ("/api/v1/customers/{id}/goals/{item}" is goals), so one handler serves
 * all four kinds.  Fills kind and returns it.
 */
static const char *kind_of(const rp_request *req, char *kind, size_t n)
{
    const char *p = strstr(req->route->pattern, "/{id}/");
    p = p ? p + strlen("/{id}/") : "";
    snprintf(kind, n, "%.*s", (int)strcspn(p, "/"), p);
    return kind;
}

void rp_h_profile_list(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "customer", &id))
        return;
    char kind[32];
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_profile_list(&req->ctx, kind_of(req, kind, sizeof kind), id,
                                 &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_profile_add(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "customer", &id))
        return;
    char kind[32];
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_profile_add(&req->ctx, kind_of(req, kind, sizeof kind), id,
                                req->body, &out, &err);
    if (rc == RP_OK)
        snprintf(res->location, sizeof res->location,
                 "/api/v1/customers/%lld/%s/%lld", (long long)id, kind,
                 (long long)json_integer_value(json_object_get(out, "id")));
    rp_reply_result(res, rc, &err, 201, out);
}

/* The customer's id and the item's id of .../{id}/<kind>/{item}; on
 * failure the reply is made and -1 returned. */
static int item_path(rp_request *req, rp_response *res, const char *kind,
                     int64_t *id, int64_t *item)
{
    return rp_path_id(req, res, 0, "customer", id) ||
                   rp_path_id(req, res, 1, kind, item)
               ? -1
               : 0;
}

void rp_h_profile_update(rp_request *req, rp_response *res)
{
    char kind[32];
    kind_of(req, kind, sizeof kind);
    int64_t id, item;
    if (item_path(req, res, kind, &id, &item))
        return;
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_profile_update(&req->ctx, kind, id, item, req->body, &out,
                                   &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_profile_remove(rp_request *req, rp_response *res)
{
    char kind[32];
    kind_of(req, kind, sizeof kind);
    int64_t id, item;
    if (item_path(req, res, kind, &id, &item))
        return;
    rp_error err;
    rp_code rc = rp_profile_remove(&req->ctx, kind, id, item, &err);
    rp_reply_result(res, rc, &err, 200,
                    rc ? NULL : json_pack("{s:b}", "deleted", 1));
}

void rp_h_customer_satisfaction(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "customer", &id))
        return;
    rp_error err;
    json_t *out = NULL, *c = NULL;
    rp_code rc = rp_customer_get(&req->ctx, id, &c, &err);
    json_decref(c);
    if (rc == RP_OK)
        rc = rp_satisfaction_summary(&req->ctx, id, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_customer_recommendations(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "customer", &id))
        return;
    const char *asked = rp_query_arg(req, "asked");
    if (asked && strcmp(asked, "true") && strcmp(asked, "false")) {
        rp_buf q = RP_BUF_INIT;
        rp_reply_fail(res, RP_EINVALID, "asked",
                      "asked must be true or false, not \"%s\"",
                      rp_cut(&q, asked, 20));
        rp_buf_free(&q);
        return;
    }
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_recommend(&req->ctx, id, asked && !strcmp(asked, "true"),
                              &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_offer_decide(rp_request *req, rp_response *res)
{
    int64_t id, product;
    if (rp_path_id(req, res, 0, "customer", &id) ||
        rp_path_id(req, res, 1, "product", &product))
        return;
    const char *last = strrchr(req->route->pattern, '/');
    int accept = last && strcmp(last, "/accept") == 0;
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_offer_decide(&req->ctx, id, product, accept, req->body,
                                 &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}
