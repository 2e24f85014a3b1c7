/*
 * routes_kb.c - /api/v1/kb: knowledge articles, search, helpfulness
 * feedback, and suggestions for an encounter.
 */
#include <stdio.h>
#include <stdlib.h>

#include "routes.h"

void rp_h_kb_search(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    const char *limit = rp_query_arg(req, "limit");
    char *end = NULL;
    long n = limit ? strtol(limit, &end, 10) : 10;
    if (limit && (!*limit || *end || n < 1 || n > 50)) {
        rp_reply_fail(res, RP_EINVALID, "limit", "limit must be 1 to 50");
        return;
    }
    rp_code rc = rp_kb_search(&req->ctx, rp_query_arg(req, "q"), (int)n, &out,
                              &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_kb_article_create(rp_request *req, rp_response *res)
{
    rp_serve_create(req, res, rp_kb_article_create, "/api/v1/kb/articles");
}

void rp_h_kb_article_get(rp_request *req, rp_response *res)
{
    rp_serve_by_id(req, res, "article", rp_kb_article_get, 200);
}

void rp_h_kb_article_update(rp_request *req, rp_response *res)
{
    rp_serve_by_id_body(req, res, "article", rp_kb_article_update, 200);
}

void rp_h_kb_feedback(rp_request *req, rp_response *res)
{
    rp_serve_by_id_body(req, res, "article", rp_kb_feedback, 201);
}

void rp_h_kb_suggestions(rp_request *req, rp_response *res)
{
    rp_serve_by_id(req, res, "encounter", rp_kb_suggest, 200);
}
