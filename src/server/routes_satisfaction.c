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

#include "base/log.h"
#include "page.h"
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

static void message_page(rp_response *res, int status, const char *title,
                         const char *text)
{
    rp_buf b = RP_BUF_INIT;
    rp_page_begin(&b, title, "/s/style.css");
    rp_buf_puts(&b, "<h1>");
    rp_page_escape(&b, title);
    rp_buf_puts(&b, "</h1><p>");
    rp_page_escape(&b, text);
    rp_buf_puts(&b, "</p>");
    rp_page_finish(res, status, &b);
}

/* What the customer typed, put back into the form when it is shown again
 * (kept: {"score"?, "words":[text or "" per box], "comment"?}; NULL for an
 * empty form), so that nothing has to be typed twice. */
static const char *kept_word(json_t *kept, int i)
{
    const char *w = json_string_value(
        json_array_get(json_object_get(kept, "words"), (size_t)i));
    return w ? w : "";
}

static void form_page(rp_response *res, int status, const char *token,
                      const char *name, const char *problem, json_t *kept)
{
    static const char *const which[] = {"first", "second", "third"};
    rp_buf b = RP_BUF_INIT;
    rp_page_begin(&b, "How did we do?", "/s/style.css");
    rp_buf_puts(&b, "<h1>Hello ");
    rp_page_escape(&b, name);
    rp_buf_puts(&b, ", how did we do?</h1>");
    if (problem) {
        rp_buf_puts(&b, "<p class=\"error\" role=\"alert\">");
        rp_page_escape(&b, problem);
        rp_buf_puts(&b, "</p>");
    }
    rp_buf_puts(&b, "<form method=\"post\" action=\"/s/");
    rp_page_escape(&b, token);
    rp_buf_puts(&b, "\"><fieldset><legend>Your score (1 = poor, 5 = excellent)"
                    "</legend><div class=\"scores\">");
    json_int_t score = json_integer_value(json_object_get(kept, "score"));
    for (int i = 1; i <= 5; i++)
        rp_buf_printf(&b,
                      "<label><input type=\"radio\" name=\"score\" "
                      "value=\"%d\"%s%s> %d</label>",
                      i, i == 5 ? " required" : "",
                      score == i ? " checked" : "", i);
    rp_buf_puts(&b, "</div></fieldset><fieldset><legend>Three words that "
                    "describe your experience</legend>");
    for (int i = 0; i < 3; i++) {
        rp_buf_puts(&b, "<input type=\"text\" name=\"word\" maxlength=\"40\" "
                        "value=\"");
        rp_page_escape(&b, kept_word(kept, i));
        rp_buf_printf(&b, "\" aria-label=\"%s word\">", which[i]);
    }
    rp_buf_puts(&b, "</fieldset><fieldset><legend>Anything else? (optional)"
                    "</legend><textarea name=\"comment\" rows=\"4\" "
                    "maxlength=\"2000\">");
    rp_page_escape(&b, json_string_value(json_object_get(kept, "comment")));
    rp_buf_puts(&b, "</textarea></fieldset><button type=\"submit\">Send"
                    "</button></form>");
    rp_page_finish(res, status, &b);
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
                  NULL, NULL);
    json_decref(check);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Decode one form value (+ is space, %XX a byte) into a new string;
 * *len is its length in bytes (a %00 inside makes it longer than strlen). */
static char *decode(const char *s, size_t n, size_t *len)
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
    *len = j;
    return out;
}

/* Text a person could have typed: UTF-8, no NUL. */
static int readable(const char *v, size_t len)
{
    return strlen(v) == len && rp_utf8_is_valid(v, len);
}

/* Say which box could not be read (the first one only: one thing to fix
 * at a time), unless something is said already. */
static void unreadable(char *problem, size_t psize, const char *what)
{
    if (!problem[0])
        snprintf(problem, psize,
                 "We could not read the %s: it holds characters that are "
                 "not text. Please type it again.",
                 what);
}

/*
 * The form as the JSON that rp_satisfaction_answer takes, and in *kept
 * what to show again if the form comes back (a box that could not be read
 * is shown empty).  A value that is not text fills problem, in words the
 * customer can act on: nothing is dropped silently.
 */
static json_t *form_to_json(const char *form, size_t len, char *problem,
                            size_t psize, json_t **kept)
{
    static const char *const which[] = {"first word", "second word",
                                        "third word"};
    json_t *in = json_object(), *words = json_array();
    json_t *shown = json_array();
    *kept = json_object();
    const char *p = form, *end = form + len;
    size_t nwords = 0;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (eq) {
            size_t klen, vlen;
            char *key = decode(p, (size_t)(eq - p), &klen);
            char *val = decode(eq + 1, (size_t)(stop - eq - 1), &vlen);
            if (key && val) {
                int ok = readable(val, vlen);
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
                    if (ok && *v && !*e) {
                        json_object_set_new(in, "score", json_integer(sc));
                        json_object_set_new(*kept, "score", json_integer(sc));
                    } else {
                        snprintf(problem, psize,
                                 "Please choose a score from 1 "
                                 "to 5.");
                    }
                } else if (!strcmp(key, "word")) {
                    if (!ok)
                        unreadable(problem, psize,
                                   nwords < 3 ? which[nwords] : "extra word");
                    else if (*v)
                        json_array_append_new(words, json_string(v));
                    json_array_append_new(shown, json_string(ok ? v : ""));
                    nwords++;
                } else if (!strcmp(key, "comment")) {
                    if (!ok)
                        unreadable(problem, psize, "comment");
                    else if (*v) {
                        json_object_set_new(in, "comment", json_string(v));
                        json_object_set_new(*kept, "comment", json_string(v));
                    }
                }
            }
            free(key);
            free(val);
        }
        p = stop + 1;
    }
    json_object_set_new(in, "words", words);
    json_object_set_new(*kept, "words", shown);
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
                  "Please send the form from this page.", NULL);
        json_decref(check);
        return;
    }
    char problem[RP_ERROR_MESSAGE_MAX] = "";
    json_t *kept;
    json_t *in = form_to_json(req->form, req->form_len, problem, sizeof problem,
                              &kept);
    rp_code rc = problem[0] ? RP_EINVALID
                            : rp_satisfaction_answer(&req->ctx, req->params[0],
                                                     in, &out, &err);
    json_decref(in);
    if (rc == RP_ECONFLICT || rc == RP_EFORBIDDEN) {
        state_page(res, rc == RP_ECONFLICT ? "answered" : "expired");
    } else if (rc == RP_EINVALID || rc == RP_ETYPE) {
        if (!problem[0])
            snprintf(problem, sizeof problem, "%s", err.message);
        form_page(res, 422, req->params[0], name, problem, kept);
    } else if (rc == RP_EBUSY || rc == RP_ENOSPACE) {
        /* a fault of ours the customer can wait out: said as such */
        if (rc == RP_EBUSY)
            res->retry_after = 1;
        message_page(res, rp_code_http_status(rc), "Please try again",
                     "We could not save your answer just now; please send "
                     "it again in a little while.");
    } else if (rc) {
        rp_log(RP_LOG_ERROR, "saving a satisfaction answer failed", "error",
               err.message, (char *)NULL);
        message_page(res, 500, "Something went wrong",
                     "Your answer could not be saved; please try again.");
    } else {
        message_page(res, 200, "Thank you!",
                     "Thank you for telling us. Your answer helps us serve "
                     "you better.");
    }
    json_decref(kept);
    json_decref(out);
    json_decref(check);
}

/* For the fuzz harnesses (server_internal.h). */
json_t *rp_form_to_json(const char *form, size_t len, char *problem,
                        size_t psize)
{
    json_t *kept = NULL;
    json_t *in = form_to_json(form, len, problem, psize, &kept);
    json_decref(kept);
    return in;
}
