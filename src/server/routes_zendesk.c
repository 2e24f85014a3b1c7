/*
 * routes_zendesk.c - /api/v2, the Zendesk-compatible API: the handlers
 * that read Zendesk's paging parameters and add the links of the next
 * page, which only the server can write (they hold its own address).
 * Everything else, the mapping included, is in core/zendesk.
 */
#include <string.h>

#include "routes.h"

/* The paging parameters of the request; on failure reply and return -1. */
static int page_of(rp_request *req, rp_response *res, rp_zendesk_page *page)
{
    rp_error err;
    if (rp_zendesk_page_parse(
            rp_query_arg(req, "page[size]"), rp_query_arg(req, "page[after]"),
            rp_query_arg(req, "page[before]"), rp_query_arg(req, "page"),
            rp_query_arg(req, "per_page"), page, &err)) {
        rp_reply_error(res, &err);
        return -1;
    }
    return 0;
}

static void put_escaped(rp_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~", *p))
            rp_buf_append(b, (const char *)p, 1);
        else
            rp_buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
}

static int is_paging(const char *key)
{
    return !strcmp(key, "page") || !strcmp(key, "per_page") ||
           !strncmp(key, "page[", 5);
}

static enum MHD_Result put_arg(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *value)
{
    (void)kind;
    rp_buf *b = cls;
    if (!key || !*key || is_paging(key))
        return MHD_YES;
    put_escaped(b, key);
    rp_buf_puts(b, "=");
    put_escaped(b, value ? value : "");
    rp_buf_puts(b, "&");
    return MHD_YES;
}

/* This request's address without its paging parameters, ready for more:
 * "http://host/api/v2/tickets.json?query=...&". */
static void this_address(rp_request *req, rp_buf *b)
{
    const char *host = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_HOST);
    const char *proto = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                                    "X-Forwarded-Proto");
    rp_buf_printf(b, "%s://%s%s?",
                  proto && !strcmp(proto, "https") ? "https" : "http",
                  host ? host : "localhost", req->path);
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, put_arg, b);
}

/* Add Zendesk's links to a page (links.next in cursor style, next_page
 * and previous_page in offset style) and reply with it. */
static void reply_page(rp_request *req, rp_response *res,
                       const rp_zendesk_page *page, rp_code rc,
                       const rp_error *err, json_t *out)
{
    if (rc) {
        rp_reply_error(res, err);
        return;
    }
    rp_buf next = RP_BUF_INIT, prev = RP_BUF_INIT;
    if (page->offset_style) {
        int more = json_is_true(json_object_get(out, "has_more"));
        this_address(req, &next);
        this_address(req, &prev);
        rp_buf_printf(&next, "page=%lld&per_page=%d",
                      (long long)page->number + 1, page->size);
        rp_buf_printf(&prev, "page=%lld&per_page=%d",
                      (long long)page->number - 1, page->size);
        json_object_set_new(out, "next_page",
                            more ? json_string(rp_buf_str(&next))
                                 : json_null());
        json_object_set_new(out, "previous_page",
                            page->number > 1 ? json_string(rp_buf_str(&prev))
                                             : json_null());
        json_object_del(out, "has_more");
        json_object_del(out, "page");
    } else {
        json_t *meta = json_object_get(out, "meta");
        const char *after = json_string_value(
            json_object_get(meta, "after_cursor"));
        int more = json_is_true(json_object_get(meta, "has_more"));
        this_address(req, &next);
        rp_buf_printf(&next,
                      "page%%5Bsize%%5D=%d&page%%5Bafter%%5D=", page->size);
        put_escaped(&next, after ? after : "");
        json_object_set_new(out, "links",
                            json_pack("{s:o, s:n}", "next",
                                      more && after
                                          ? json_string(rp_buf_str(&next))
                                          : json_null(),
                                      "prev"));
    }
    rp_buf_free(&next);
    rp_buf_free(&prev);
    rp_reply_json(res, 200, out);
}

void rp_h_zd_ticket_list(rp_request *req, rp_response *res)
{
    rp_zendesk_page page;
    if (page_of(req, res, &page))
        return;
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_zendesk_ticket_list(&req->ctx, 0, &page, &out, &err);
    reply_page(req, res, &page, rc, &err, out);
}

void rp_h_zd_ticket_create(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_zendesk_ticket_create(&req->ctx, req->body, &out, &err);
    if (rc == RP_OK)
        snprintf(res->location, sizeof res->location, "/api/v2/tickets/%lld",
                 (long long)json_integer_value(
                     json_object_get(json_object_get(out, "ticket"), "id")));
    rp_reply_result(res, rc, &err, 201, out);
}

void rp_h_zd_comment_list(rp_request *req, rp_response *res)
{
    int64_t id;
    rp_zendesk_page page;
    if (rp_path_id(req, res, 0, "ticket", &id) || page_of(req, res, &page))
        return;
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_zendesk_comment_list(&req->ctx, id, &page, &out, &err);
    reply_page(req, res, &page, rc, &err, out);
}

void rp_h_zd_user_me(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_zendesk_user_get(
        &req->ctx, RP_ZENDESK_AGENT_BASE + req->auth.agent_id, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_zd_user_create(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_zendesk_user_create(&req->ctx, req->body, &out, &err);
    if (rc == RP_OK)
        snprintf(res->location, sizeof res->location, "/api/v2/users/%lld",
                 (long long)json_integer_value(
                     json_object_get(json_object_get(out, "user"), "id")));
    rp_reply_result(res, rc, &err, 201, out);
}

void rp_h_zd_user_search(rp_request *req, rp_response *res)
{
    rp_zendesk_page page;
    if (page_of(req, res, &page))
        return;
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_zendesk_user_search(&req->ctx, rp_query_arg(req, "query"),
                                        &page, &out, &err);
    reply_page(req, res, &page, rc, &err, out);
}

void rp_h_zd_user_requested(rp_request *req, rp_response *res)
{
    int64_t id;
    rp_zendesk_page page;
    if (rp_path_id(req, res, 0, "user", &id) || page_of(req, res, &page))
        return;
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_zendesk_user_requested(&req->ctx, id, &page, &out, &err);
    reply_page(req, res, &page, rc, &err, out);
}

void rp_h_zd_search(rp_request *req, rp_response *res)
{
    rp_zendesk_page page;
    if (page_of(req, res, &page))
        return;
    if (!page.offset_style && !rp_query_arg(req, "page[size]") &&
        !rp_query_arg(req, "page[after]"))
        page.offset_style = 1; /* Zendesk's search pages by offset */
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_zendesk_search(&req->ctx, rp_query_arg(req, "query"), &page,
                                   &out, &err);
    reply_page(req, res, &page, rc, &err, out);
}
