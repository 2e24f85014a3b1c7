/*
 * fuzz_text.c - the text rules and small validators of base/input.c and
 * the password rule, on any bytes.
 *
 * Checked beyond the sanitizers: rp_buf_put_cut and rp_cut give valid UTF-8
 * whatever they are given, and of a text never more than they were asked
 * for plus the ellipsis, as a prefix of it; what rp_utf8_is_valid accepts
 * jansson accepts too (every text that passes the rules can be written as
 * JSON); an id
 * that parses prints back to the same digits; an error whose message
 * quotes the input stays valid UTF-8 however it is cut.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static void fail(const char *why, const char *s)
{
    fprintf(stderr, "fuzz: %s: \"%s\"\n", why, s);
    abort();
}

static void check_cut(const char *s, size_t maxchars, int valid)
{
    rp_buf b = RP_BUF_INIT;
    rp_buf_put_cut(&b, s, maxchars);
    const char *cut = rp_buf_str(&b);
    size_t n = strlen(s);
    /* whatever came in, what is quoted is text: bytes that are not UTF-8
     * come out as U+FFFD */
    rp_fuzz_check_utf8("a cut text", cut, b.len);
    if (valid && (b.len != n || memcmp(cut, s, n))) {
        /* cut: a prefix of s, then U+2026 */
        if (b.len < 3 || memcmp(cut + b.len - 3, "\xE2\x80\xA6", 3) ||
            memcmp(cut, s, b.len - 3))
            fail("a cut text is not a prefix and an ellipsis", s);
        if (rp_utf8_length(cut) > maxchars + 1)
            fail("a cut text is longer than asked", s);
    }
    rp_buf q = RP_BUF_INIT;
    const char *quoted = rp_cut(&q, s, maxchars);
    if (strcmp(quoted, cut))
        fail("rp_cut and rp_buf_put_cut disagree", s);
    rp_buf_free(&q);
    rp_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    size_t len = strlen(s); /* the text as C sees it: up to a NUL */
    int valid = rp_utf8_is_valid(s, len);

    json_t *js = json_stringn(s, len);
    if (valid != (js != NULL))
        fail(valid ? "valid UTF-8 that jansson refuses"
                   : "invalid UTF-8 that jansson takes",
             s);
    json_decref(js);
    if (valid)
        (void)rp_utf8_length(s);
    (void)rp_text_is_blank(s);
    (void)rp_email_is_valid(s);
    (void)rp_phone_is_valid(s);
    for (size_t max = 0; max < 8; max++)
        check_cut(s, max, valid);
    check_cut(s, 60, valid);

    rp_error err;
    int64_t id;
    if (rp_parse_id(s, "id", &id, &err) == RP_OK) {
        char back[32];
        snprintf(back, sizeof back, "%lld", (long long)id);
        const char *digits = s;
        while (*digits == '0' && digits[1])
            digits++;
        if (id < 1 || strcmp(back, digits))
            fail("an id parsed to another number", s);
    } else {
        rp_fuzz_check_result("rp_parse_id", err.code, &err, NULL);
    }
    if (rp_password_check(s, "password", &err) != RP_OK)
        rp_fuzz_check_result("rp_password_check", err.code, &err, NULL);

    /* An error that quotes what was typed, cut anywhere. */
    if (valid) {
        rp_error_set(&err, RP_EINVALID, s, "%s is not one of ours: %.*s", s,
                     (int)(size % 80), s);
        rp_fuzz_check_result("rp_error_set", err.code, &err, NULL);
    }
    free(s);
    return 0;
}
