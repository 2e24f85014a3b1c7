/*
 * routes_export.c - a customer's data as one archive: for agents
 * (GET /api/v1/customers/{id}/export, the requests and their approval) and
 * for the customer from their help page (ask, then download).  The rules,
 * what is in the archive and who may have it when, are in core/export.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "page.h"
#include "routes.h"

/* Reply with the archive: JSON to keep, or (format=html) the page to
 * read; either as a download named after the customer's id. */
static void reply_archive(rp_request *req, rp_response *res, json_t *archive)
{
    static __thread char disposition[96];
    const char *format = rp_query_arg(req, "format");
    long long id = (long long)json_integer_value(
        json_object_get(json_object_get(archive, "customer"), "id"));
    int html = format && !strcmp(format, "html");
    snprintf(disposition, sizeof disposition,
             "attachment; filename=\"customer-%lld-data.%s\"", id,
             html ? "html" : "json");
    res->status = 200;
    if (html) {
        rp_buf b = RP_BUF_INIT;
        rp_export_html(archive, &b);
        if (b.failed) {
            rp_buf_free(&b);
            json_decref(archive);
            rp_reply_fail(res, RP_EINTERNAL, NULL, "out of memory");
            return;
        }
        res->text_len = b.len;
        res->text = b.p; /* handed over: freed with the reply */
        res->content_type = "text/html; charset=utf-8";
    } else {
        res->text = json_dumps(archive, JSON_INDENT(1) | JSON_SORT_KEYS);
        res->text_len = res->text ? strlen(res->text) : 0;
        res->content_type = "application/json";
    }
    rp_reply_header(res, "Content-Disposition", disposition);
    rp_reply_header(res, "Cache-Control", "private, no-store");
    json_decref(archive);
}

/* format must be json (the default) or html; else reply and return -1. */
static int format_ok(rp_request *req, rp_response *res)
{
    const char *format = rp_query_arg(req, "format");
    if (!format || !strcmp(format, "json") || !strcmp(format, "html"))
        return 0;
    rp_reply_fail(res, RP_EINVALID, "format", "format must be json or html");
    return -1;
}

void rp_h_customer_export(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "customer", &id) || format_ok(req, res))
        return;
    rp_error err;
    json_t *archive = NULL;
    if (rp_export_customer(&req->ctx, id, &archive, &err)) {
        rp_reply_error(res, &err);
        return;
    }
    reply_archive(req, res, archive);
}

void rp_h_export_request_list(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_export_request_list(&req->ctx, rp_query_arg(req, "status"),
                                        &req->page, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_export_request_approve(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "export request", &id))
        return;
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_export_request_approve(
        &req->ctx, id, req->config->export_link_hours, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

/* ---- the customer's side, from their help page --------------------------- */

/* The customer and encounter of the help link in the path; on failure a
 * page saying why, and -1. */
static int link_of(rp_request *req, rp_response *res, int64_t *customer,
                   int64_t *encounter)
{
    rp_error err;
    json_t *link = NULL;
    rp_code rc = rp_help_link(&req->ctx, req->params[0], &link, &err);
    if (rc == RP_OK) {
        *customer = json_integer_value(json_object_get(link, "customer_id"));
        *encounter = json_integer_value(json_object_get(link, "encounter_id"));
        json_decref(link);
        return 0;
    }
    rp_buf b = RP_BUF_INIT;
    rp_page_begin(&b, "Your data", "/help/style.css");
    rp_buf_puts(&b, rc == RP_ENOTFOUND
                        ? "<h1>Link not valid</h1><p>This link is not valid."
                          " Please check that it was copied completely.</p>"
                    : rc == RP_EFORBIDDEN
                        ? "<h1>This link has expired</h1><p>Please write to "
                          "us again and we will send you a new one.</p>"
                        : "<h1>Please try again</h1><p>Something went wrong "
                          "on our side; please try again in a minute.</p>");
    rp_page_finish(res,
                   rc == RP_ENOTFOUND    ? 404
                   : rc == RP_EFORBIDDEN ? 410
                                         : 503,
                   &b);
    return -1;
}

void rp_h_help_export_request(rp_request *req, rp_response *res)
{
    int64_t customer, encounter;
    if (link_of(req, res, &customer, &encounter))
        return;
    rp_error err;
    json_t *out = NULL;
    if (rp_export_request_create(&req->ctx, customer, encounter,
                                 req->config->export_auto,
                                 req->config->export_link_hours, &out, &err)) {
        rp_buf b = RP_BUF_INIT;
        rp_page_begin(&b, "Your data", "/help/style.css");
        rp_buf_puts(&b, "<h1>Please try again</h1><p>Your request was not "
                        "saved; please try again in a minute.</p>");
        rp_page_finish(res, err.code == RP_EBUSY ? 503 : 500, &b);
        return;
    }
    json_decref(out);
    /* back to the page, which says where the request stands */
    res->status = 303;
    snprintf(res->location, sizeof res->location, "/help/r/%s#data",
             req->params[0]);
    res->text = strdup("Your request for your data is saved.\n");
    res->text_len = res->text ? strlen(res->text) : 0;
    res->content_type = "text/plain; charset=utf-8";
}

void rp_h_help_export_download(rp_request *req, rp_response *res)
{
    int64_t customer, encounter;
    if (link_of(req, res, &customer, &encounter))
        return;
    rp_error err;
    json_t *archive = NULL;
    rp_code rc = rp_export_for_customer(&req->ctx, customer, req->client_addr,
                                        &archive, &err);
    if (rc) {
        rp_buf b = RP_BUF_INIT;
        rp_page_begin(&b, "Your data", "/help/style.css");
        rp_buf_puts(&b, "<h1>Your data</h1><p>");
        rp_page_escape(&b, rc == RP_EFORBIDDEN
                               ? "Your copy is not ready yet, or its link has "
                                 "expired. You can ask for it again from "
                                 "your request's page."
                               : "Something went wrong on our side; please "
                                 "try again in a minute.");
        rp_buf_puts(&b, "</p>");
        rp_page_finish(res, rc == RP_EFORBIDDEN ? 403 : 503, &b);
        return;
    }
    reply_archive(req, res, archive);
}

/* "1 December 2026 at 22:40 (UTC)", as the help pages write times. */
static void put_time(rp_buf *b, int64_t t)
{
    static const char *const months[] = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    rp_buf_printf(b, "%d %s %d at %02d:%02d (UTC)", tm.tm_mday,
                  months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

void rp_help_put_data_section(rp_buf *b, rp_ctx *ctx, const char *token)
{
    rp_error err;
    json_t *link = NULL, *latest = NULL;
    if (rp_help_link(ctx, token, &link, &err))
        return;
    int64_t customer = json_integer_value(json_object_get(link, "customer_id"));
    json_decref(link);
    if (rp_export_request_latest(ctx, customer, &latest, &err))
        return;
    const char *status = json_string_value(json_object_get(latest, "status"));
    int ready = json_is_true(json_object_get(latest, "downloadable"));
    rp_buf_puts(b, "<h2 id=\"data\">Your data</h2>");
    if (ready) {
        rp_buf_puts(b, "<p>Your copy of everything we hold about you is "
                       "ready: <a href=\"/help/r/");
        rp_page_escape(b, token);
        rp_buf_puts(b, "/export?format=html\">read it</a>, or <a "
                       "href=\"/help/r/");
        rp_page_escape(b, token);
        rp_buf_puts(b, "/export\">download it as a file for a computer "
                       "(JSON)</a>. The links work until ");
        int64_t until;
        const char *at = json_string_value(
            json_object_get(latest, "expires_at"));
        if (at && rp_time_parse(at, &until) == 0)
            put_time(b, until);
        rp_buf_puts(b, ".</p>");
    } else if (status && !strcmp(status, "pending")) {
        rp_buf_puts(b, "<p>You asked for a copy of everything we hold about "
                       "you. Someone at our desk will look at your request "
                       "soon; this page will then offer the download.</p>");
    } else {
        rp_buf_puts(b, "<p>You can ask for a copy of everything we hold "
                       "about you: your details, your requests and our "
                       "conversations, and who at our desk looked at "
                       "them.</p><form method=\"post\" action=\"/help/r/");
        rp_page_escape(b, token);
        rp_buf_puts(b, "/export\"><button type=\"submit\">Ask for a copy of "
                       "my data</button></form>");
    }
    json_decref(latest);
}
