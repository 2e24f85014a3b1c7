/*
 * routes_kb.c - GET /api/v1/kb/search: the knowledge base's search, whose
 * limit is its own (1 to 50), not a page's; GET /api/v1/kb/articles: a
 * page of articles by tag and state.  Articles, feedback and the
 * suggestions for an encounter name their librapport function in the table
 * (routes.c).
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

void rp_h_kb_article_list(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_kb_article_list(&req->ctx, rp_query_arg(req, "tag"),
                                    rp_query_arg(req, "state"), &req->page,
                                    &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}
