/*
 * routes_satisfaction.c - the customer's satisfaction pages, PUBLIC (no
 * session, no token, no CSRF: the single-use link is the credential):
 *
 *   GET  /s/style.css    the pages' style sheet
 *   GET  /s/{token}      a small mobile-friendly form: score 1-5, three
 *                        words, a comment
 *   POST /s/{token}      application/x-www-form-urlencoded (the only route
 *                        that takes it, see http.c); records the answer once
 *
 * The pages carry no script (the server sends a CSP that forbids it) and
 * every text that came from a person is HTML-escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"
#include "server_internal.h"

static const char css[] =
    "body{font-family:system-ui,sans-serif;margin:0;padding:1rem;"
    "background:#f6f7f9;color:#1d2330}\n"
    "main{max-width:32rem;margin:0 auto;background:#fff;padding:1.25rem;"
    "border-radius:.75rem;box-shadow:0 1px 4px rgba(0,0,0,.08)}\n"
    "h1{font-size:1.35rem;margin-top:0}\n"
    "fieldset{border:0;padding:0;margin:0 0 1rem}\n"
    ".scores{display:flex;gap:.5rem}\n"
    ".scores label{flex:1;text-align:center;border:1px solid #c8ccd4;"
    "border-radius:.5rem;padding:.6rem 0;font-size:1.2rem}\n"
    "input[type=text],textarea{width:100%;box-sizing:border-box;padding:.6rem;"
    "font-size:1rem;border:1px solid #c8ccd4;border-radius:.5rem;"
    "margin-bottom:.5rem}\n"
    "button{width:100%;padding:.8rem;font-size:1.1rem;border:0;"
    "border-radius:.5rem;background:#2456c9;color:#fff}\n"
    ".error{color:#a40000}\n";

static void put_escaped(rp_buf *b, const char *s)
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

static void begin(rp_buf *b, const char *title)
{
    rp_buf_puts(
        b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, "
           "initial-scale=1\"><title>");
    put_escaped(b, title);
    rp_buf_puts(b,
                "</title><link rel=\"stylesheet\" href=\"/s/style.css\"></head>"
                "<body><main>");
}

static void reply_page(rp_response *res, int status, rp_buf *b)
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

static void message_page(rp_response *res, int status, const char *title,
                         const char *text)
{
    rp_buf b = RP_BUF_INIT;
    begin(&b, title);
    rp_buf_puts(&b, "<h1>");
    put_escaped(&b, title);
    rp_buf_puts(&b, "</h1><p>");
    put_escaped(&b, text);
    rp_buf_puts(&b, "</p>");
    reply_page(res, status, &b);
}

static void form_page(rp_response *res, int status, const char *token,
                      const char *name, const char *problem)
{
    rp_buf b = RP_BUF_INIT;
    begin(&b, "How did we do?");
    rp_buf_puts(&b, "<h1>Hello ");
    put_escaped(&b, name);
    rp_buf_puts(&b, ", how did we do?</h1>");
    if (problem) {
        rp_buf_puts(&b, "<p class=\"error\">");
        put_escaped(&b, problem);
        rp_buf_puts(&b, "</p>");
    }
    rp_buf_puts(&b, "<form method=\"post\" action=\"/s/");
    put_escaped(&b, token);
    rp_buf_puts(&b, "\"><fieldset><legend>Your score (1 = poor, 5 = excellent)"
                    "</legend><div class=\"scores\">");
    for (int i = 1; i <= 5; i++) {
        char item[160];
        snprintf(item, sizeof item,
                 "<label><input type=\"radio\" name=\"score\" value=\"%d\""
                 "%s> %d</label>",
                 i, i == 5 ? " required" : "", i);
        rp_buf_puts(&b, item);
    }
    rp_buf_puts(&b,
                "</div></fieldset><fieldset><legend>Three words that describe "
                "your experience</legend>"
                "<input type=\"text\" name=\"word\" maxlength=\"40\" "
                "aria-label=\"first word\">"
                "<input type=\"text\" name=\"word\" maxlength=\"40\" "
                "aria-label=\"second word\">"
                "<input type=\"text\" name=\"word\" maxlength=\"40\" "
                "aria-label=\"third word\"></fieldset>"
                "<fieldset><legend>Anything else? (optional)</legend>"
                "<textarea name=\"comment\" rows=\"4\" maxlength=\"2000\">"
                "</textarea></fieldset><button type=\"submit\">Send</button>"
                "</form>");
    reply_page(res, status, &b);
}

void rp_h_satisfaction_css(rp_request *req, rp_response *res)
{
    (void)req;
    res->status = 200;
    res->text = strdup(css);
    res->text_len = res->text ? strlen(css) : 0;
    res->content_type = "text/css; charset=utf-8";
}

static void state_page(rp_response *res, const char *state)
{
    if (!strcmp(state, "answered"))
        message_page(res, 409, "Already answered",
                     "This satisfaction check has already been answered. "
                     "Thank you - nothing more is needed.");
    else
        message_page(res, 410, "This link has expired",
                     "This satisfaction link has expired. If something is "
                     "not right, please contact us and we will help.");
}

/* The check of the link's token in *check (new reference); when there is
 * none, reply with a page that says so and return -1. */
static int lookup_check(rp_request *req, rp_response *res, json_t **check)
{
    rp_error err;
    *check = NULL;
    if (rp_satisfaction_lookup(&req->ctx, req->params[0], check, &err) == RP_OK)
        return 0;
    message_page(res, err.code == RP_ENOTFOUND ? 404 : 500, "Link not valid",
                 err.code == RP_ENOTFOUND
                     ? "This link is not valid. Please check that it was "
                       "copied completely."
                     : "Something went wrong on our side; please try "
                       "again later.");
    return -1;
}

void rp_h_satisfaction_page(rp_request *req, rp_response *res)
{
    json_t *check;
    if (lookup_check(req, res, &check))
        return;
    const char *state = json_string_value(json_object_get(check, "state"));
    if (strcmp(state, "open"))
        state_page(res, state);
    else
        form_page(res, 200, req->params[0],
                  json_string_value(json_object_get(check, "greeting_name")),
                  NULL);
    json_decref(check);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Decode one form value (+ is space, %XX a byte) into a new string. */
static char *decode(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    size_t j = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[j++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
                   hexval(s[i + 2]) >= 0) {
            out[j++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            out[j++] = s[i];
        }
    }
    out[j] = '\0';
    return out;
}

/* The form as the JSON that rp_satisfaction_answer takes. */
static json_t *form_to_json(const char *form, size_t len, char *problem,
                            size_t psize)
{
    json_t *in = json_object(), *words = json_array();
    const char *p = form, *end = form + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (eq) {
            char *key = decode(p, (size_t)(eq - p));
            char *val = decode(eq + 1, (size_t)(stop - eq - 1));
            if (key && val) {
                /* trim surrounding spaces; skip empty words */
                char *v = val;
                while (*v == ' ')
                    v++;
                size_t vl = strlen(v);
                while (vl && v[vl - 1] == ' ')
                    v[--vl] = '\0';
                if (!strcmp(key, "score")) {
                    char *e;
                    long sc = strtol(v, &e, 10);
                    if (*v && !*e)
                        json_object_set_new(in, "score", json_integer(sc));
                    else
                        snprintf(problem, psize,
                                 "Please choose a score from 1 "
                                 "to 5.");
                } else if (!strcmp(key, "word") && *v) {
                    json_t *w = json_string(v);
                    if (w)
                        json_array_append_new(words, w);
                } else if (!strcmp(key, "comment") && *v) {
                    json_t *c = json_string(v);
                    if (c)
                        json_object_set_new(in, "comment", c);
                }
            }
            free(key);
            free(val);
        }
        p = stop + 1;
    }
    json_object_set_new(in, "words", words);
    return in;
}

void rp_h_satisfaction_answer(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *check, *out = NULL;
    if (lookup_check(req, res, &check))
        return;
    const char *state = json_string_value(json_object_get(check, "state"));
    if (strcmp(state, "open")) {
        state_page(res, state);
        json_decref(check);
        return;
    }
    /* The name stays whole: a page greets by the full name, however long
     * in bytes its characters are. */
    const char *name = json_string_value(
        json_object_get(check, "greeting_name"));
    if (!req->form) {
        form_page(res, 415, req->params[0], name,
                  "Please send the form from this page.");
        json_decref(check);
        return;
    }
    char problem[RP_ERROR_MESSAGE_MAX] = "";
    json_t *in = form_to_json(req->form, req->form_len, problem,
                              sizeof problem);
    rp_code rc = problem[0] ? RP_EINVALID
                            : rp_satisfaction_answer(&req->ctx, req->params[0],
                                                     in, &out, &err);
    json_decref(in);
    if (rc == RP_ECONFLICT || rc == RP_EFORBIDDEN) {
        state_page(res, rc == RP_ECONFLICT ? "answered" : "expired");
    } else if (rc == RP_EINVALID || rc == RP_ETYPE) {
        if (!problem[0])
            snprintf(problem, sizeof problem, "%s", err.message);
        form_page(res, 422, req->params[0], name, problem);
    } else if (rc) {
        message_page(res, 500, "Something went wrong",
                     "Your answer could not be saved; please try again.");
    } else {
        message_page(res, 200, "Thank you!",
                     "Thank you for telling us. Your answer helps us serve "
                     "you better.");
    }
    json_decref(out);
    json_decref(check);
}

/* For the fuzz harnesses (server_internal.h). */
json_t *rp_form_to_json(const char *form, size_t len, char *problem,
                        size_t psize)
{
    return form_to_json(form, len, problem, psize);
}
