/*
 * page.c - the frame and escaping of the server's HTML pages (page.h).
 *
 * The pages carry no script (the server's CSP for HTML forbids it), so all
 * they need is a head, escaped text and a body; the handlers that write
 * them (routes_help.c, routes_satisfaction.c) only say what is on them.
 */
#include "page.h"

void rp_page_escape(rp_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': rp_buf_puts(b, "&lt;"); break;
        case '>': rp_buf_puts(b, "&gt;"); break;
        case '&': rp_buf_puts(b, "&amp;"); break;
        case '"': rp_buf_puts(b, "&quot;"); break;
        case '\'': rp_buf_puts(b, "&#39;"); break;
        default: rp_buf_append(b, s, 1);
        }
    }
}

void rp_page_begin(rp_buf *b, const char *title, const char *stylesheet)
{
    rp_buf_puts(b, "<!doctype html>\n<html lang=\"en\"><head>"
                   "<meta charset=\"utf-8\"><meta name=\"viewport\" "
                   "content=\"width=device-width, initial-scale=1\"><title>");
    rp_page_escape(b, title);
    rp_buf_puts(b, "</title><link rel=\"stylesheet\" href=\"");
    rp_page_escape(b, stylesheet);
    rp_buf_puts(b, "\"></head><body><main>");
}

void rp_page_finish(rp_response *res, int status, rp_buf *b)
{
    rp_buf_puts(b, "</main></body></html>\n");
    json_decref(res->json);
    res->json = NULL;
    if (b->failed) {
        rp_buf_free(b);
        rp_reply_fail(res, RP_EINTERNAL, NULL,
                      "out of memory building the page");
        return;
    }
    res->status = status;
    res->text_len = b->len;
    res->text = rp_buf_steal(b);
    res->content_type = "text/html; charset=utf-8";
}
