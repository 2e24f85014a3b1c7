/*
 * fuzz_form.c - the satisfaction form's parser (routes_satisfaction.c) and
 * the answer it feeds (rp_satisfaction_answer), on a temporary database
 * with the demo data and one open satisfaction check.
 *
 * The input is a form body as a browser posts it
 * (application/x-www-form-urlencoded).  Checked beyond the checks of every
 * call (fuzz.h): the parser gives an object with a "words" array; and an
 * answer that was accepted kept every word the customer typed (a word
 * dropped silently, while the page says "Thank you!", is a lost answer).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "server/server_internal.h"

static char token[128];

/* One open check for customer 1, issued once; its token in token. */
static rp_ctx *setup(void)
{
    rp_ctx *ctx = rp_fuzz_db();
    if (token[0])
        return ctx;
    rp_error err;
    rp_buf url = RP_BUF_INIT;
    if (rp_store_begin(ctx->store, &err) ||
        rp_store_finish(ctx->store,
                        rp_satisfaction_issue(ctx, 1, 0, 0, 30,
                                              "http://fuzz.invalid", &url,
                                              &err),
                        &err)) {
        fprintf(stderr, "fuzz: issuing a check: %s\n", err.message);
        exit(1);
    }
    snprintf(token, sizeof token, "%s", strrchr(rp_buf_str(&url), '/') + 1);
    rp_buf_free(&url);
    rp_fuzz_db_keep();
    return ctx;
}

static int hex(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The value of one form field decoded ('+' a space, %XX a byte), in out. */
static void decode(const char *s, size_t n, rp_buf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hex(s[i + 1]) >= 0 &&
            hex(s[i + 2]) >= 0) {
            char c = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            rp_buf_append(out, &c, 1);
            i += 2;
        } else {
            rp_buf_append(out, s[i] == '+' ? " " : s + i, 1);
        }
    }
}

/* How many "word" fields of the form hold something besides spaces: each
 * should be a word of the answer. */
static size_t typed_words(const char *form, size_t len)
{
    size_t n = 0;
    const char *p = form, *end = form + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (eq) {
            rp_buf key = RP_BUF_INIT, val = RP_BUF_INIT;
            decode(p, (size_t)(eq - p), &key);
            decode(eq + 1, (size_t)(stop - eq - 1), &val);
            const char *v = rp_buf_str(&val);
            if (!strcmp(rp_buf_str(&key), "word") && v[strspn(v, " ")])
                n++;
            rp_buf_free(&key);
            rp_buf_free(&val);
        }
        p = stop + 1;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    rp_ctx *ctx = setup();
    char problem[RP_ERROR_MESSAGE_MAX] = "";
    const char *form = (const char *)data;
    json_t *in = rp_form_to_json(form, size, problem, sizeof problem);
    if (!in)
        abort(); /* out of memory is not an answer to a form */
    json_t *words = json_object_get(in, "words");
    if (!json_is_array(words))
        abort();
    if (!problem[0]) {
        rp_error err;
        json_t *out = NULL;
        rp_code rc = rp_satisfaction_answer(ctx, token, in, &out, &err);
        if (rc == RP_OK && json_array_size(words) != typed_words(form, size)) {
            fprintf(stderr,
                    "fuzz: the answer was taken with %zu of %zu words\n",
                    json_array_size(words), typed_words(form, size));
            abort();
        }
        rp_fuzz_check_call("the satisfaction answer", rc, &err, out);
        json_decref(out);
    } else {
        rp_fuzz_check_utf8("the form's problem", problem, strlen(problem));
    }
    json_decref(in);
    return 0;
}
