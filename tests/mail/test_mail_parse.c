/*
 * test_mail_parse.c - the mail parser over the whole corpus: every message
 * is understood as its .expect file says (sender, ids, kind, text and
 * quoted history, attachments, bounces), or refused as unreadable with the
 * reason; every text that comes out is valid UTF-8.  Run under the
 * sanitizers too, it shows that no message of the corpus, and no
 * message made of noise, makes the parser read or write out of bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "corpus.h"
#include "mail/mail.h"

static rp_corpus_item *items;
static int nitems;
static int failures; /* every wrong item is told, then the test fails */

#define bad(...)                                                               \
    do {                                                                       \
        print_error(__VA_ARGS__);                                              \
        print_error("\n");                                                     \
        failures++;                                                            \
    } while (0)

static const char *class_name(rp_mail_class c)
{
    switch (c) {
    case RP_MAIL_PERSONAL: return "personal";
    case RP_MAIL_AUTO_REPLY: return "auto_reply";
    case RP_MAIL_BULK: return "bulk";
    case RP_MAIL_LOOP: return "loop";
    case RP_MAIL_BOUNCE: return "bounce";
    }
    return "?";
}

static void valid(const char *what, const char *name, const char *s)
{
    if (s && !rp_utf8_is_valid(s, strlen(s)))
        bad("%s: %s is not valid UTF-8", name, what);
}

static void same(const char *name, const char *key, const char *want,
                 const char *got)
{
    if (strcmp(want, "-") == 0) {
        if (got)
            bad("%s: %s should be none, is '%s'", name, key, got);
        return;
    }
    if (!got || strcmp(want, got) != 0)
        bad("%s: %s should be '%s', is '%s'", name, key, want,
            got ? got : "(none)");
}

static void check_attachment(const rp_corpus_item *it, const rp_inbound_mail *m,
                             size_t i, const char *spec)
{
    char *copy = strdup(spec), *save = NULL, *f[5] = {0};
    int n = 0;
    for (char *t = strtok_r(copy, "|", &save); t && n < 5;
         t = strtok_r(NULL, "|", &save)) {
        while (*t == ' ')
            t++;
        size_t l = strlen(t);
        while (l && t[l - 1] == ' ')
            t[--l] = '\0';
        f[n++] = t;
    }
    if (i >= m->nattachments) {
        bad("%s: attachment %zu missing", it->name, i + 1);
        free(copy);
        return;
    }
    const rp_mail_attachment *a = &m->attachments[i];
    same(it->name, "attachment name", f[0], a->filename);
    same(it->name, "attachment type", f[1], a->content_type);
    if (strcmp(f[2], "-") != 0 && (size_t)atol(f[2]) != a->size)
        bad("%s: attachment %s should be %s bytes, is %zu", it->name, f[0],
            f[2], a->size);
    if (a->is_inline != (strcmp(f[3], "inline") == 0))
        bad("%s: attachment %s should be %s", it->name, f[0], f[3]);
    if (f[4])
        same(it->name, "attachment content id", f[4], a->content_id);
    valid("attachment name", it->name, a->filename);
    free(copy);
}

static void check_item(const rp_corpus_item *it)
{
    rp_mail_parsed *p = NULL;
    rp_error err = {0};
    rp_code rc = rp_mail_parse(it->raw, it->size, NULL, &p, &err);
    const char *want_error = rp_corpus_get(it, "error");
    if (want_error) {
        if (rc != RP_EMALFORMED || !strstr(err.message, want_error))
            bad("%s: should be unreadable (%s), got %d: %s", it->name,
                want_error, rc, err.message);
        return;
    }
    if (rc) {
        bad("%s: not parsed: %s", it->name, err.message);
        return;
    }
    const rp_inbound_mail *m = rp_mail_inbound(p);
    const char *v;
    size_t i;
    json_t *e;
    if ((v = rp_corpus_get(it, "from")))
        same(it->name, "from", v, m->from_address);
    if ((v = rp_corpus_get(it, "name")))
        same(it->name, "name", v, m->from_name);
    if ((v = rp_corpus_get(it, "class")))
        same(it->name, "class", v, class_name(m->mail_class));
    if ((v = rp_corpus_get(it, "message_id")))
        same(it->name, "message_id", v, m->message_id);
    if ((v = rp_corpus_get(it, "in_reply_to")))
        same(it->name, "in_reply_to", v, m->in_reply_to);
    if ((v = rp_corpus_get(it, "subject")))
        same(it->name, "subject", v, m->subject);
    if ((v = rp_corpus_get(it, "date")) && atoll(v) != m->sent_at)
        bad("%s: date should be %s, is %lld", it->name, v,
            (long long)m->sent_at);
    if ((v = rp_corpus_get(it, "references"))) {
        char joined[4096] = "";
        for (i = 0; i < m->nreferences; i++)
            snprintf(joined + strlen(joined), sizeof joined - strlen(joined),
                     "%s%s", i ? " " : "", m->references[i]);
        same(it->name, "references", v, joined);
    }
    json_array_foreach(rp_corpus_all(it, "text"), i, e) {
        if (!strstr(m->text, json_string_value(e)))
            bad("%s: the text lacks '%s'; it is:\n%s", it->name,
                json_string_value(e), m->text);
    }
    json_array_foreach(rp_corpus_all(it, "not_text"), i, e) {
        if (strstr(m->text, json_string_value(e)))
            bad("%s: the text should not have '%s'; it is:\n%s", it->name,
                json_string_value(e), m->text);
    }
    json_array_foreach(rp_corpus_all(it, "quoted"), i, e) {
        if (!m->quoted || !strstr(m->quoted, json_string_value(e)))
            bad("%s: the quoted history lacks '%s'; it is:\n%s", it->name,
                json_string_value(e), m->quoted ? m->quoted : "(none)");
    }
    if ((v = rp_corpus_get(it, "attachments")) &&
        (size_t)atoi(v) != m->nattachments)
        bad("%s: %s attachments expected, %zu found", it->name, v,
            m->nattachments);
    json_array_foreach(rp_corpus_all(it, "attachment"), i, e) {
        check_attachment(it, m, i, json_string_value(e));
    }
    if ((v = rp_corpus_get(it, "bounced")))
        same(it->name, "bounced", v, m->bounced_message_id);
    if ((v = rp_corpus_get(it, "reason")) &&
        (!m->bounce_reason || !strstr(m->bounce_reason, v)))
        bad("%s: bounce reason should have '%s', is '%s'", it->name, v,
            m->bounce_reason ? m->bounce_reason : "(none)");
    if (m->mail_class != RP_MAIL_BOUNCE && m->bounced_message_id)
        bad("%s: not a bounce, yet reports a message", it->name);
    valid("text", it->name, m->text);
    valid("quoted", it->name, m->quoted);
    valid("subject", it->name, m->subject);
    valid("name", it->name, m->from_name);
    valid("from", it->name, m->from_address);
    valid("reason", it->name, m->bounce_reason);
    assert_ptr_equal(m->raw, it->raw);
    assert_int_equal(m->raw_size, it->size);
    rp_mail_free(p);
}

static void test_corpus(void **state)
{
    (void)state;
    assert_true(nitems >= 30);
    for (int i = 0; i < nitems; i++)
        check_item(&items[i]);
    assert_int_equal(failures, 0);
}

/* The 30 MB message: taken under the default limit, refused over a
 * smaller one, with the sizes in the reason. */
static void test_big_message(void **state)
{
    (void)state;
    size_t len;
    unsigned char *raw = rp_corpus_big_message("big@example.com",
                                               30u * 1000 * 1000, &len);
    rp_mail_parsed *p = NULL;
    rp_error err = {0};
    assert_int_equal(rp_mail_parse(raw, len, NULL, &p, &err), RP_OK);
    const rp_inbound_mail *m = rp_mail_inbound(p);
    assert_int_equal(m->nattachments, 1);
    assert_true(m->attachments[0].size > 21u * 1000 * 1000);
    assert_non_null(strstr(m->text, "Here are the scans"));
    rp_mail_free(p);
    rp_mail_options opt = {.max_size = 10u * 1000 * 1000};
    p = NULL;
    assert_int_equal(rp_mail_parse(raw, len, &opt, &p, &err), RP_ETOOLARGE);
    assert_null(p);
    assert_non_null(strstr(err.message, "over the limit of 10000000 bytes"));
    free(raw);
}

/* Noise of every kind: the corpus's messages cut at every 97th byte and
 * with bytes flipped.  Each is parsed or refused, never crashes. */
static void test_cut_and_flipped(void **state)
{
    (void)state;
    for (int i = 0; i < nitems; i++) {
        const rp_corpus_item *it = &items[i];
        for (size_t cut = 1; cut < it->size; cut += 97) {
            unsigned char *copy = malloc(cut);
            memcpy(copy, it->raw, cut);
            if (cut > 10)
                copy[cut / 2] ^= 0xA5;
            rp_mail_parsed *p = NULL;
            rp_error err = {0};
            rp_code rc = rp_mail_parse(copy, cut, NULL, &p, &err);
            if (rc == RP_OK) {
                const rp_inbound_mail *m = rp_mail_inbound(p);
                valid("text", it->name, m->text);
                valid("subject", it->name, m->subject);
                rp_mail_free(p);
            } else if (rc != RP_EMALFORMED) {
                fail_msg("%s cut at %zu: %s", it->name, cut, err.message);
            }
            free(copy);
        }
    }
}

static void test_charsets(void **state)
{
    (void)state;
    /* bytes no charset defines, and a charset nobody knows */
    const char bad[] = "caf\xe9 \x81 \xff\xfe end";
    char *s = rp_mail_to_utf8(bad, sizeof bad - 1, "utf-8");
    assert_true(rp_utf8_is_valid(s, strlen(s)));
    assert_non_null(strstr(s, "café"));
    free(s);
    s = rp_mail_to_utf8(bad, sizeof bad - 1, "x-unknown-charset");
    assert_true(rp_utf8_is_valid(s, strlen(s)));
    free(s);
    const char koi8[] = "\xf0\xd2\xc9\xd7\xc5\xd4"; /* Привет in KOI8-R */
    s = rp_mail_to_utf8(koi8, sizeof koi8 - 1, "koi8-r");
    assert_string_equal(s, "Привет");
    free(s);
}

int main(void)
{
    nitems = rp_corpus_load(RP_MAIL_CORPUS_DIR, &items);
    if (nitems < 0) {
        fprintf(stderr, "cannot read the corpus in %s\n", RP_MAIL_CORPUS_DIR);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_big_message),
        cmocka_unit_test(test_cut_and_flipped),
        cmocka_unit_test(test_charsets),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rp_corpus_free(items, nitems);
    return rc;
}
