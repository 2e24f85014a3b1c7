/*
 * page.h - the HTML pages the server writes for people without the console:
 * the customer's help pages and satisfaction pages.
 *
 * They share one frame (doctype, language, viewport, title, style sheet)
 * and one escaping rule, so a text that came from a person is escaped the
 * same way on every page, and a page that runs out of memory is answered
 * with an error rather than cut.
 */
#ifndef RP_PAGE_H
#define RP_PAGE_H

#include "base/buf.h"
#include "http.h"

/* Append s (NULL is nothing) to b with < > & " ' escaped for HTML. */
void rp_page_escape(rp_buf *b, const char *s);

/* Start a page: the head with title (escaped) and the style sheet at
 * stylesheet (a path of ours), then <body><main>. */
void rp_page_begin(rp_buf *b, const char *title, const char *stylesheet);

/*
 * Close the page begun in b and make it res's reply with status, as
 * text/html.  b is taken (left empty).  Out of memory while building is
 * answered 500 instead of a page cut short.
 */
void rp_page_finish(rp_response *res, int status, rp_buf *b);

#endif
