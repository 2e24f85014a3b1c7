/*
 * routes_help.c - the customer's help pages, PUBLIC (no session, no token,
 * no CSRF; on the status page the link's token is the credential):
 *
 *   GET  /help                    the form: name, email, subject, message,
 *                                 an optional attachment
 *   POST /help                    multipart/form-data (or urlencoded);
 *                                 opens the request, shows the status link
 *   GET  /help/style.css          the pages' style sheet
 *   GET  /help/r/{token}          the request: its status and conversation
 *                                 (never an internal note), a reply form
 *   POST /help/r/{token}          the customer's reply, then back to the
 *                                 page (303), so a reload sends nothing twice
 *   GET  /help/r/{token}/files/{id}  an attachment of the conversation
 *
 * Server-rendered HTML with no script at all (the server's CSP for HTML
 * forbids it), so the pages work in any browser, with or without
 * JavaScript.  Every text that came from a person is HTML-escaped; what
 * the customer reads is plain language: no field names, no codes, times in
 * words.  The rules (limits, links, what the page may show) are in the
 * core (core/conversation/help.c); this file only translates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "page.h"
#include "routes.h"

#define MAX_PARTS 16

static const char css[] =
    "body{font-family:system-ui,sans-serif;margin:0;padding:1rem;"
    "background:#f6f7f9;color:#1d2330;line-height:1.45}\n"
    "main{max-width:40rem;margin:0 auto;background:#fff;padding:1.25rem;"
    "border-radius:.75rem;box-shadow:0 1px 4px rgba(0,0,0,.08)}\n"
    "h1{font-size:1.4rem;margin-top:0}h2{font-size:1.1rem}\n"
    "label{display:block;font-weight:600;margin:.75rem 0 .25rem}\n"
    ".hint{color:#4a5263;font-size:.9rem;margin:.1rem 0 .4rem}\n"
    "input[type=text],input[type=email],textarea{width:100%;"
    "box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid "
    "#8a91a0;border-radius:.5rem}\n"
    "input[type=file]{max-width:100%}\n"
    "input:focus,textarea:focus,button:focus,a:focus{outline:3px solid "
    "#f2b705;outline-offset:2px}\n"
    "button{margin-top:1rem;width:100%;padding:.8rem;font-size:1.1rem;"
    "border:0;border-radius:.5rem;background:#2456c9;color:#fff}\n"
    ".error{color:#a40000;font-weight:600}\n"
    ".hp{position:absolute;left:-10000px;width:1px;height:1px;"
    "overflow:hidden}\n"
    ".status{padding:.6rem .8rem;border-radius:.5rem;background:#eef3fd;"
    "border-left:4px solid #2456c9}\n"
    ".link{word-break:break-all;background:#f6f7f9;padding:.6rem;"
    "border-radius:.5rem}\n"
    "ol.thread{list-style:none;padding:0}\n"
    ".msg{border:1px solid #d5d9e0;border-radius:.6rem;padding:.7rem .9rem;"
    "margin:.8rem 0}\n"
    ".msg.desk{background:#f1f6ff;border-color:#b9cdf3}\n"
    ".msg .who{font-weight:600;margin:0}.msg .when{color:#4a5263;"
    "font-size:.9rem;margin:0 0 .4rem}\n"
    ".body{white-space:pre-wrap;overflow-wrap:anywhere;margin:.3rem 0}\n"
    "details pre{white-space:pre-wrap;overflow-wrap:anywhere;color:#4a5263}\n"
    ".files{margin:.4rem 0 0;padding-left:1.2rem}\n";

/* ---- building pages ------------------------------------------------------ */

static void message_page(rp_response *res, int status, const char *title,
                         const char *text)
{
    rp_buf b = RP_BUF_INIT;
    rp_page_begin(&b, title, "/help/style.css");
    rp_buf_puts(&b, "<h1>");
    rp_page_escape(&b, title);
    rp_buf_puts(&b, "</h1><p>");
    rp_page_escape(&b, text);
    rp_buf_puts(&b, "</p><p><a href=\"/help\">Write to us</a></p>");
    rp_page_finish(res, status, &b);
}

/* "1 December 2026 at 22:40 (UTC)": a time as people read it. */
static void put_time(rp_buf *b, int64_t t, int with_hour)
{
    static const char *const months[] = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    rp_buf_printf(b, "%d %s %d", tm.tm_mday, months[tm.tm_mon],
                  tm.tm_year + 1900);
    if (with_hour)
        rp_buf_printf(b, " at %02d:%02d (UTC)", tm.tm_hour, tm.tm_min);
}

/* "5 MB", "4 KB": a size limit as people read it. */
static void put_size(rp_buf *b, int bytes)
{
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
        rp_buf_printf(b, "%d MB", bytes / (1024 * 1024));
    else
        rp_buf_printf(b, "%d KB", bytes / 1024);
}

/* ---- reading the form ---------------------------------------------------- */

typedef struct form_part {
    char name[32];
    char *filename;
    char content_type[128];
    rp_buf value;
} form_part;

typedef struct form {
    form_part parts[MAX_PARTS];
    int n;
} form;

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *filename,
                               const char *content_type,
                               const char *transfer_encoding, const char *data,
                               uint64_t off, size_t size)
{
    (void)kind;
    (void)transfer_encoding;
    form *f = cls;
    if (off == 0) {
        if (f->n >= MAX_PARTS)
            return MHD_YES; /* fields past the last we read are dropped */
        form_part *p = &f->parts[f->n++];
        snprintf(p->name, sizeof p->name, "%s", key ? key : "");
        p->filename = filename && *filename ? strdup(filename) : NULL;
        snprintf(p->content_type, sizeof p->content_type, "%s",
                 content_type && *content_type ? content_type
                                               : "application/octet-stream");
    }
    if (f->n == 0)
        return MHD_YES;
    form_part *p = &f->parts[f->n - 1];
    if (size)
        rp_buf_append(&p->value, data, size);
    return p->value.failed ? MHD_NO : MHD_YES;
}

/* Parse req's form (urlencoded or multipart) into f; -1 when it cannot. */
static int read_form(rp_request *req, form *f)
{
    memset(f, 0, sizeof *f);
    if (!req->form)
        return -1;
    struct MHD_PostProcessor *pp = MHD_create_post_processor(req->conn, 65536,
                                                             on_part, f);
    if (!pp)
        return -1;
    enum MHD_Result ok = MHD_post_process(pp, req->form, req->form_len);
    enum MHD_Result done = MHD_destroy_post_processor(pp);
    return ok == MHD_YES && done == MHD_YES ? 0 : -1;
}

static void free_form(form *f)
{
    for (int i = 0; i < f->n; i++) {
        free(f->parts[i].filename);
        rp_buf_free(&f->parts[i].value);
    }
    f->n = 0;
}

/* The text of field name, or NULL. */
static const char *text_of(form *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->parts[i].name, name) && !f->parts[i].filename)
            return rp_buf_str(&f->parts[i].value);
    return NULL;
}

/* The file of field name as an attachment; 0 when none was chosen. */
static int file_of(form *f, const char *name, rp_mail_attachment *a)
{
    for (int i = 0; i < f->n; i++) {
        form_part *p = &f->parts[i];
        if (strcmp(p->name, name) || !p->filename || !p->value.len)
            continue;
        /* a browser's own idea of the type is only a hint: lower-cased,
         * and the core serves it back only as a safe type */
        rp_ascii_lower(p->content_type);
        *a = (rp_mail_attachment){.filename = p->filename,
                                  .content_type = p->content_type,
                                  .data = (const unsigned char *)p->value.p,
                                  .size = p->value.len};
        return 1;
    }
    return 0;
}

/* ---- the request form ---------------------------------------------------- */

static void field(rp_buf *b, const char *id, const char *label,
                  const char *type, const char *value, const char *extra)
{
    rp_buf_printf(b, "<label for=\"%s\">%s</label>", id, label);
    if (!strcmp(type, "textarea")) {
        rp_buf_printf(b, "<textarea id=\"%s\" name=\"%s\" rows=\"8\" %s>", id,
                      id, extra);
        rp_page_escape(b, value);
        rp_buf_puts(b, "</textarea>");
        return;
    }
    rp_buf_printf(b, "<input type=\"%s\" id=\"%s\" name=\"%s\" %s value=\"",
                  type, id, id, extra);
    rp_page_escape(b, value);
    rp_buf_puts(b, "\">");
}

static void form_page(rp_response *res, int status, const rp_config *cfg,
                      form *f, const char *problem)
{
    rp_buf b = RP_BUF_INIT;
    rp_page_begin(&b, "Write to us", "/help/style.css");
    rp_buf_puts(&b, "<h1>Write to us</h1><p>Tell us what you need and we "
                    "will answer by email. You will also get a link to "
                    "follow your request here.</p>");
    if (problem) {
        rp_buf_puts(&b, "<p class=\"error\" role=\"alert\">");
        rp_page_escape(&b, problem);
        rp_buf_puts(&b, "</p>");
    }
    rp_buf_puts(&b, "<form method=\"post\" action=\"/help\" "
                    "enctype=\"multipart/form-data\">");
    field(&b, "name", "Your name", "text", f ? text_of(f, "name") : NULL,
          "required maxlength=\"200\" autocomplete=\"name\"");
    field(&b, "email", "Your email address", "email",
          f ? text_of(f, "email") : NULL,
          "required maxlength=\"254\" autocomplete=\"email\"");
    field(&b, "subject", "Subject", "text", f ? text_of(f, "subject") : NULL,
          "required maxlength=\"200\"");
    field(&b, "message", "Your message", "textarea",
          f ? text_of(f, "message") : NULL, "required maxlength=\"20000\"");
    rp_buf_puts(&b, "<label for=\"attachment\">A file, if it helps "
                    "(optional)</label><p class=\"hint\" "
                    "id=\"attachment-hint\">A photo or a document, up to ");
    put_size(&b, cfg->help.max_attachment);
    rp_buf_puts(&b,
                ".</p><input type=\"file\" id=\"attachment\" "
                "name=\"attachment\" aria-describedby=\"attachment-hint\">");
    /* The honeypot: off screen and hidden from assistive technology, so
     * only a program that fills in every field fills it in. */
    rp_buf_puts(&b, "<div class=\"hp\" aria-hidden=\"true\">"
                    "<label for=\"website\">Leave this empty</label>"
                    "<input type=\"text\" id=\"website\" name=\"website\" "
                    "tabindex=\"-1\" autocomplete=\"off\"></div>"
                    "<button type=\"submit\">Send</button></form>");
    rp_page_finish(res, status, &b);
}

void rp_h_help_css(rp_request *req, rp_response *res)
{
    (void)req;
    res->status = 200;
    res->text = strdup(css);
    res->text_len = res->text ? strlen(css) : 0;
    res->content_type = "text/css; charset=utf-8";
}

void rp_h_help_form(rp_request *req, rp_response *res)
{
    form_page(res, 200, req->config, NULL, NULL);
}

/* The link as the customer may copy it: the address they reached us at. */
static void put_link(rp_buf *b, rp_request *req, const char *token)
{
    const char *host = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_HOST);
    rp_buf_puts(b, "<p class=\"link\"><a href=\"/help/r/");
    rp_page_escape(b, token);
    rp_buf_puts(b, "\">");
    if (host) {
        rp_buf_puts(b, req->config->cookie_secure ? "https://" : "http://");
        rp_page_escape(b, host);
    }
    rp_buf_puts(b, "/help/r/");
    rp_page_escape(b, token);
    rp_buf_puts(b, "</a></p>");
}

static void limited(rp_response *res, int retry_after)
{
    res->retry_after = retry_after;
}

void rp_h_help_send(rp_request *req, rp_response *res)
{
    const rp_config *cfg = req->config;
    if (req->too_large) {
        form_page(res, 413, cfg, NULL,
                  "That was too much to send at once: the file is too large. "
                  "Please choose a smaller file, or send it without one.");
        return;
    }
    form f;
    if (read_form(req, &f)) {
        free_form(&f);
        form_page(res, 400, cfg, NULL,
                  "Your message did not arrive complete; please send the "
                  "form again.");
        return;
    }
    rp_mail_attachment file;
    rp_help_request hr = {
        .name = text_of(&f, "name"),
        .email = text_of(&f, "email"),
        .subject = text_of(&f, "subject"),
        .text = text_of(&f, "message"),
        .honeypot = text_of(&f, "website"),
        .client_addr = req->client_addr,
        .attachment = file_of(&f, "attachment", &file) ? &file : NULL};
    char token[65];
    json_t *out = NULL;
    int retry_after = 0;
    rp_error err;
    rp_code rc = rp_help_open(&req->ctx, &cfg->help, &hr, token, &out,
                              &retry_after, &err);
    if (rc == RP_ERATELIMIT) {
        form_page(res, 429, cfg, &f, err.message);
        limited(res, retry_after);
    } else if (rc == RP_EINVALID || rc == RP_ETYPE) {
        /* the core's words name the field: "email must be ..." */
        rp_buf why = RP_BUF_INIT;
        rp_buf_puts(&why, "Please check your message: ");
        rp_buf_puts(&why, err.message);
        rp_buf_puts(&why, ".");
        form_page(res, 422, cfg, &f, rp_buf_str(&why));
        rp_buf_free(&why);
    } else if (rc == RP_EBUSY) {
        form_page(res, 503, cfg, &f,
                  "We are very busy right now; please send it again in a "
                  "minute.");
        limited(res, 30);
    } else if (rc) {
        form_page(res, 500, cfg, &f,
                  "Something went wrong on our side and your message was not "
                  "saved; please try again later.");
    } else if (!token[0]) {
        message_page(res, 200, "Thank you",
                     "Thank you for writing to us. We will be in touch.");
    } else {
        rp_buf b = RP_BUF_INIT;
        rp_page_begin(&b, "Thank you: we have your request", "/help/style.css");
        rp_buf_puts(&b, "<h1>Thank you, ");
        rp_page_escape(&b, hr.name);
        rp_buf_puts(&b, "</h1><p class=\"status\" role=\"status\">We have "
                        "your request and will answer you by email soon."
                        "</p><p>Keep this link to see your request, our "
                        "answers, and to write to us again:</p>");
        put_link(&b, req, token);
        rp_buf_puts(&b, "<p>We have sent the link to ");
        rp_page_escape(&b, hr.email);
        rp_buf_puts(&b, " as well. It is for you only and works until ");
        put_time(&b, json_integer_value(json_object_get(out, "expires_at")), 0);
        rp_buf_puts(&b, ".</p>");
        rp_page_finish(res, 201, &b);
    }
    json_decref(out);
    free_form(&f);
}

/* ---- the status page ----------------------------------------------------- */

/* A page for a link that does not open anything; 0 when it does. */
static int link_refused(rp_response *res, rp_code rc)
{
    if (rc == RP_OK)
        return 0;
    if (rc == RP_ENOTFOUND)
        message_page(res, 404, "Link not valid",
                     "This link is not valid. Please check that it was "
                     "copied completely, or write to us again.");
    else if (rc == RP_EFORBIDDEN)
        message_page(res, 410, "This link has expired",
                     "This link has expired. If you still need help, please "
                     "write to us again and we will send you a new one.");
    else
        message_page(res, rc == RP_EBUSY ? 503 : 500, "Please try again",
                     "Something went wrong on our side; please try again "
                     "in a minute.");
    return 1;
}

static void put_paragraphs(rp_buf *b, const char *text)
{
    rp_buf_puts(b, "<div class=\"body\">");
    rp_page_escape(b, text);
    rp_buf_puts(b, "</div>");
}

static void put_message(rp_buf *b, const char *token, json_t *m, int last)
{
    int inbound = json_is_true(json_object_get(m, "inbound"));
    const char *author = json_string_value(json_object_get(m, "author"));
    rp_buf_printf(b, "<li class=\"msg %s\"%s><p class=\"who\">",
                  inbound ? "you" : "desk", last ? " id=\"latest\"" : "");
    rp_page_escape(b, inbound ? "You wrote" : author ? author : "We answered");
    rp_buf_puts(b, "</p><p class=\"when\">");
    put_time(b, json_integer_value(json_object_get(m, "at")), 1);
    rp_buf_puts(b, "</p>");
    put_paragraphs(b, json_string_value(json_object_get(m, "text")));
    const char *quoted = json_string_value(json_object_get(m, "quoted"));
    if (quoted && *quoted) {
        rp_buf_puts(b, "<details><summary>Earlier messages quoted</summary>"
                       "<pre>");
        rp_page_escape(b, quoted);
        rp_buf_puts(b, "</pre></details>");
    }
    json_t *files = json_object_get(m, "attachments");
    if (json_array_size(files)) {
        rp_buf_puts(b, "<ul class=\"files\" aria-label=\"Files\">");
        size_t i;
        json_t *a;
        json_array_foreach(files, i, a) {
            rp_buf_puts(b, "<li><a href=\"/help/r/");
            rp_page_escape(b, token);
            rp_buf_printf(
                b, "/files/%lld\">",
                (long long)json_integer_value(json_object_get(a, "id")));
            rp_page_escape(b,
                           json_string_value(json_object_get(a, "filename")));
            rp_buf_printf(
                b, "</a> (%lld KB)</li>",
                (long long)(json_integer_value(json_object_get(a, "size")) +
                            1023) /
                    1024);
        }
        rp_buf_puts(b, "</ul>");
    }
    rp_buf_puts(b, "</li>");
}

static void status_page(rp_request *req, rp_response *res, int status,
                        const rp_config *cfg, const char *token, json_t *view,
                        const char *problem, const char *draft)
{
    rp_buf b = RP_BUF_INIT;
    const char *subject = json_string_value(json_object_get(view, "subject"));
    rp_page_begin(&b, "Your request", "/help/style.css");
    rp_buf_puts(&b, "<h1>");
    rp_page_escape(&b, subject ? subject : "Your request");
    rp_buf_puts(&b, "</h1><p class=\"status\" id=\"status\">");
    rp_page_escape(&b, json_string_value(json_object_get(view, "status")));
    rp_buf_puts(&b, "</p><h2 id=\"conv-h\">Messages</h2>"
                    "<ol class=\"thread\" aria-labelledby=\"conv-h\">");
    size_t i;
    json_t *m;
    json_t *list = json_object_get(view, "messages");
    json_array_foreach(list, i, m)
        put_message(&b, token, m, i + 1 == json_array_size(list));
    rp_buf_puts(&b, "</ol><h2 id=\"reply-h\">Write to us</h2>");
    if (problem) {
        rp_buf_puts(&b, "<p class=\"error\" role=\"alert\">");
        rp_page_escape(&b, problem);
        rp_buf_puts(&b, "</p>");
    }
    rp_buf_puts(&b, "<form method=\"post\" enctype=\"multipart/form-data\" "
                    "aria-labelledby=\"reply-h\" action=\"/help/r/");
    rp_page_escape(&b, token);
    rp_buf_puts(&b, "\">");
    field(&b, "message", "Your message", "textarea", draft,
          "required maxlength=\"20000\"");
    rp_buf_puts(&b, "<label for=\"attachment\">A file, if it helps "
                    "(optional)</label><p class=\"hint\" "
                    "id=\"attachment-hint\">Up to ");
    put_size(&b, cfg->help.max_attachment);
    rp_buf_puts(&b, ".</p><input type=\"file\" id=\"attachment\" "
                    "name=\"attachment\" aria-describedby=\"attachment-hint\">"
                    "<button type=\"submit\">Send</button></form>");
    rp_buf_puts(&b, "<p class=\"hint\">This link is for you only. It works "
                    "until ");
    put_time(&b, json_integer_value(json_object_get(view, "expires_at")), 0);
    rp_buf_puts(&b, ".</p>");
    rp_help_put_data_section(&b, &req->ctx, token);
    rp_page_finish(res, status, &b);
}

void rp_h_help_status(rp_request *req, rp_response *res)
{
    json_t *view = NULL;
    rp_error err;
    if (link_refused(res, rp_help_view(&req->ctx, req->params[0], &view, &err)))
        return;
    status_page(req, res, 200, req->config, req->params[0], view, NULL, NULL);
    json_decref(view);
}

void rp_h_help_reply(rp_request *req, rp_response *res)
{
    const rp_config *cfg = req->config;
    const char *token = req->params[0];
    json_t *view = NULL, *out = NULL;
    rp_error err;
    if (link_refused(res, rp_help_view(&req->ctx, token, &view, &err)))
        return;
    if (req->too_large) {
        status_page(req, res, 413, cfg, token, view,
                    "The file is too large; please choose a smaller one, or "
                    "send your message without it.",
                    NULL);
        json_decref(view);
        return;
    }
    form f;
    if (read_form(req, &f)) {
        free_form(&f);
        status_page(req, res, 400, cfg, token, view,
                    "Your message did not arrive complete; please send it "
                    "again.",
                    NULL);
        json_decref(view);
        return;
    }
    rp_mail_attachment file;
    int retry_after = 0;
    const char *text = text_of(&f, "message");
    rp_code rc = rp_help_reply(&req->ctx, &cfg->help, token, text,
                               file_of(&f, "attachment", &file) ? &file : NULL,
                               req->client_addr, &out, &retry_after, &err);
    if (rc == RP_OK) {
        /* back to the page: a reload then shows it and sends nothing */
        res->status = 303;
        snprintf(res->location, sizeof res->location, "/help/r/%s#latest",
                 token);
        res->text = strdup("Thank you, your message is on its way.\n");
        res->text_len = res->text ? strlen(res->text) : 0;
        res->content_type = "text/plain; charset=utf-8";
    } else if (link_refused(res, rc == RP_ENOTFOUND || rc == RP_EFORBIDDEN
                                     ? rc
                                     : RP_OK)) {
        /* the link stopped working between the two reads */
    } else if (rc == RP_ERATELIMIT) {
        status_page(req, res, 429, cfg, token, view, err.message, text);
        limited(res, retry_after);
    } else if (rc == RP_EINVALID || rc == RP_ETYPE) {
        rp_buf why = RP_BUF_INIT;
        rp_buf_puts(&why, "Please check your message: ");
        rp_buf_puts(&why, err.message);
        rp_buf_puts(&why, ".");
        status_page(req, res, 422, cfg, token, view, rp_buf_str(&why), text);
        rp_buf_free(&why);
    } else {
        status_page(req, res, rc == RP_EBUSY ? 503 : 500, cfg, token, view,
                    "Something went wrong on our side and your message was "
                    "not saved; please try again in a minute.",
                    text);
    }
    json_decref(out);
    json_decref(view);
    free_form(&f);
}

/* ---- files --------------------------------------------------------------- */

/*
 * Content-Disposition for name: always "attachment" (a file the customer
 * or anyone sent is never shown inline), with an ASCII fallback name and
 * the real one percent-encoded (RFC 6266), cut only between characters.
 * Kept per thread: the reply is sent by this thread right after.
 */
static const char *disposition(const char *name)
{
    static __thread char out[640];
    /* the fallback: the name's plain ASCII, anything else as '_' */
    size_t n = (size_t)snprintf(out, sizeof out, "attachment; filename=\"");
    const unsigned char *p = (const unsigned char *)(name ? name : "file");
    for (size_t i = 0; p[i] && n < 200; i++) {
        unsigned char c = p[i];
        if ((c & 0xc0) == 0x80)
            continue; /* the rest of a character already replaced */
        out[n++] = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%'
                       ? (char)c
                       : '_';
    }
    n += (size_t)snprintf(out + n, sizeof out - n, "\"; filename*=UTF-8''");
    while (*p) {
        size_t len = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
        if (n + len * 3 + 1 > sizeof out - 1)
            break;
        for (size_t i = 0; i < len && p[i]; i++) {
            unsigned char c = p[i];
            int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                        c == '_';
            n += (size_t)(plain
                              ? snprintf(out + n, sizeof out - n, "%c", c)
                              : snprintf(out + n, sizeof out - n, "%%%02X", c));
        }
        for (size_t i = 0; i < len && *p; i++)
            p++;
    }
    return out;
}

void rp_h_help_file(rp_request *req, rp_response *res)
{
    int64_t id;
    rp_error err;
    rp_attachment_data a;
    if (rp_parse_id(req->params[1], "id", &id, &err)) {
        message_page(res, 404, "No such file",
                     "This file is not part of your request.");
        return;
    }
    rp_code rc = rp_help_attachment(&req->ctx, req->params[0], id, &a, &err);
    if (rc == RP_ENOTFOUND && !strcmp(err.field, "id")) {
        message_page(res, 404, "No such file",
                     "This file is not part of your request.");
        return;
    }
    if (link_refused(res, rc))
        return;
    res->status = 200;
    res->text = (char *)a.data; /* handed over: freed with the reply */
    res->text_len = a.size;
    a.data = NULL;
    res->content_type = a.content_type;
    rp_reply_header(res, "Content-Disposition", disposition(a.filename));
    rp_reply_header(res, "Cache-Control", "private, no-store");
    rp_attachment_free(&a);
}
