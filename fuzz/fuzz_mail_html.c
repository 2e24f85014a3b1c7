/*
 * fuzz_mail_html.c - the mail reader's text work (src/mail): bytes in a
 * declared charset made UTF-8, HTML made readable text, and a body split
 * into the new text and the quoted history.
 *
 * The input is a first line naming a charset (empty: none declared) and
 * then the bytes of a body.  They go through the steps a message's body
 * goes through: rp_mail_to_utf8, then rp_mail_html_to_text (which takes
 * UTF-8), then rp_mail_split_quoted on the text.  Every result must be
 * valid UTF-8, and the HTML reader must never fail with an internal error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mail/mail.h"

static void check_split(const char *body)
{
    char *text = NULL, *quoted = NULL;
    rp_mail_split_quoted(body, &text, &quoted);
    if (!text)
        abort();
    rp_fuzz_check_utf8("a split text", text, strlen(text));
    if (quoted)
        rp_fuzz_check_utf8("a split quote", quoted, strlen(quoted));
    free(text);
    free(quoted);
}

/* The mail layer starts GMime when it first parses a message; its charset
 * names are looked up through GMime, so start it the same way here. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static const char raw[] = "From: a@example.com\r\n\r\nhi\r\n";
    rp_mail_options opt = {0};
    rp_mail_parsed *m = NULL;
    rp_error err;
    if (rp_mail_parse((const unsigned char *)raw, sizeof raw - 1, &opt, &m,
                      &err) == RP_OK)
        rp_mail_free(m);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl || nl - data > 40)
        return 0;
    char charset[41];
    memcpy(charset, data, (size_t)(nl - data));
    charset[nl - data] = '\0';
    const char *body = (const char *)nl + 1;
    size_t len = size - (size_t)(nl - data) - 1;

    char *utf8 = rp_mail_to_utf8(body, len, charset[0] ? charset : NULL);
    if (!utf8)
        abort();
    rp_fuzz_check_utf8("a body made UTF-8", utf8, strlen(utf8));

    char *text = NULL, *quoted = NULL;
    rp_error err;
    rp_code rc = rp_mail_html_to_text(utf8, strlen(utf8), &text, &quoted, &err);
    if (rc == RP_OK) {
        if (!text)
            abort();
        rp_fuzz_check_utf8("the text of HTML", text, strlen(text));
        if (quoted)
            rp_fuzz_check_utf8("the quote of HTML", quoted, strlen(quoted));
        check_split(text);
    } else {
        rp_fuzz_check_result("reading HTML", rc, &err, NULL);
    }
    free(text);
    free(quoted);
    check_split(utf8);
    free(utf8);
    return 0;
}
