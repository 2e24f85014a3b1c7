/*
 * test_input.c - validation of fields and times: the same mistakes get the
 * same messages, naming the field, from the API and the CLI alike.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rapport.h"

static void test_time_round_trip(void **state)
{
    (void)state;
    int64_t t;
    assert_int_equal(rp_time_parse("2026-11-23T08:50:00Z", &t), 0);
    char buf[RP_TIME_MAX];
    rp_time_format(t, buf);
    assert_string_equal(buf, "2026-11-23T08:50:00Z");
    int64_t t2;
    assert_int_equal(rp_time_parse("2026-11-23T10:50:00.123+02:00", &t2), 0);
    assert_int_equal(t, t2);
    assert_int_equal(rp_time_parse("2024-02-29T00:00:00Z", &t), 0);
    assert_int_equal(rp_time_parse("2023-02-29T00:00:00Z", &t), -1);
    assert_int_equal(rp_time_parse("2026-11-23", &t), -1);
    assert_int_equal(rp_time_parse("2026-11-23T25:00:00Z", &t), -1);
    assert_int_equal(rp_time_parse("2026-11-23T08:50:00", &t), -1);
    assert_int_equal(rp_time_parse("2026-11-23T08:50:00Zjunk", &t), -1);
}

static void test_pinned_clock(void **state)
{
    (void)state;
    rp_clock_pin(1000);
    assert_int_equal(rp_now(), 1000);
    rp_clock_pin(0);
    assert_true(rp_now() > 1700000000);
}

static void test_strings(void **state)
{
    (void)state;
    rp_error err;
    const char *out;
    json_t *in = json_pack("{s:s, s:i, s:s}", "name", "Ünïcödé", "n", 3,
                           "blank", "  ");
    assert_int_equal(rp_in_string(in, "name", 1, 7, &out, &err), RP_OK);
    assert_int_equal(rp_in_string(in, "name", 1, 6, &out, &err), RP_EINVALID);
    assert_string_equal(err.field, "name");
    assert_int_equal(rp_in_string(in, "n", 1, 10, &out, &err), RP_ETYPE);
    assert_string_equal(err.field, "n");
    assert_int_equal(rp_in_string(in, "blank", 1, 10, &out, &err), RP_EINVALID);
    assert_int_equal(rp_in_string(in, "missing", 1, 10, &out, &err),
                     RP_EINVALID);
    assert_non_null(strstr(err.message, "required"));
    assert_int_equal(rp_in_string(in, "missing", 0, 10, &out, &err), RP_OK);
    assert_null(out);
    static const char *const allowed[] = {"name", "n", NULL};
    assert_int_equal(rp_in_object(in, allowed, &err), RP_EINVALID);
    assert_string_equal(err.field, "blank");
    json_decref(in);
}

static void test_enum_and_ids(void **state)
{
    (void)state;
    rp_error err;
    const char *out;
    static const char *const channels[] = {"phone", "email", NULL};
    json_t *in = json_pack("{s:s}", "channel", "fax");
    assert_int_equal(rp_in_enum(in, "channel", 1, channels, &out, &err),
                     RP_EINVALID);
    assert_non_null(strstr(err.message, "phone, email"));
    json_decref(in);
    int64_t id;
    assert_int_equal(rp_parse_id("42", "id", &id, &err), RP_OK);
    assert_int_equal(id, 42);
    assert_int_equal(rp_parse_id("0", "id", &id, &err), RP_EMALFORMED);
    assert_int_equal(rp_parse_id("4x", "id", &id, &err), RP_EMALFORMED);
    assert_int_equal(rp_parse_id("99999999999999999999", "id", &id, &err),
                     RP_EMALFORMED);
}

static void test_contacts(void **state)
{
    (void)state;
    assert_true(rp_email_is_valid("max@example.com"));
    assert_false(rp_email_is_valid("max@example"));
    assert_false(rp_email_is_valid("@example.com"));
    assert_false(rp_email_is_valid("a b@example.com"));
    assert_true(rp_phone_is_valid("+48 601 555 123"));
    assert_false(rp_phone_is_valid("call me"));
    assert_false(rp_phone_is_valid("12"));
}

/* ---- blank text: one rule ------------------------------------------------ */

static void test_blank_is_white_space_only(void **state)
{
    (void)state;
    assert_true(rp_text_is_blank(NULL));
    assert_true(rp_text_is_blank(""));
    assert_true(rp_text_is_blank("   "));
    assert_true(rp_text_is_blank(" \t\r\n\v\f"));
    assert_true(rp_text_is_blank("\xC2\xA0"));                  /* U+00A0 */
    assert_true(rp_text_is_blank("\xE3\x80\x80 \xE3\x80\x80")); /* U+3000 */
    assert_true(rp_text_is_blank("\xE2\x80\x83\xE2\x80\xAF"));  /* em, narrow */
    assert_true(rp_text_is_blank("\xE2\x80\x8B\xEF\xBB\xBF"));  /* ZWSP, BOM */
    assert_true(rp_text_is_blank("\xC2\x85\xE2\x80\xA8"));      /* NEL, LS */
    assert_false(rp_text_is_blank("x"));
    assert_false(rp_text_is_blank("  x  "));
    assert_false(rp_text_is_blank("\xE3\x80\x80\xE6\xBC\xA2")); /* space, 漢 */
    assert_false(rp_text_is_blank("\xCC\x81"));         /* lone U+0301 */
    assert_false(rp_text_is_blank(" \xE2\x83\x9D "));   /* lone U+20DD */
    assert_false(rp_text_is_blank("\xF0\x9F\x99\x82")); /* an emoji */
    assert_false(rp_text_is_blank(" \xFF "));           /* not UTF-8 */
    assert_false(rp_text_is_blank("\xC2"));             /* cut short */
}

static void test_utf8_validity(void **state)
{
    (void)state;
    const char *ok = "a\xC3\xA9\xE6\xBC\xA2\xF0\x9F\x99\x82";
    assert_true(rp_utf8_is_valid(ok, strlen(ok)));
    assert_true(rp_utf8_is_valid("", 0));
    assert_false(rp_utf8_is_valid("\xFF", 1));
    assert_false(rp_utf8_is_valid("\x80", 1));         /* stray continuation */
    assert_false(rp_utf8_is_valid("\xC3", 1));         /* cut short */
    assert_false(rp_utf8_is_valid("\xC0\xA0", 2));     /* overlong space */
    assert_false(rp_utf8_is_valid("\xE0\x80\xA0", 3)); /* overlong */
    assert_false(rp_utf8_is_valid("\xED\xA0\x80", 3)); /* surrogate */
    assert_false(rp_utf8_is_valid("\xF4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_false(rp_utf8_is_valid("ab\xE6\xBC", 4)); /* cut in the middle */
    /* only len bytes count, even when a whole character follows */
    assert_false(rp_utf8_is_valid("ab\xE6\xBC\xA2", 3));
    assert_true(rp_utf8_is_valid("ab\xE6\xBC\xA2", 2));
}

static void test_blank_input_is_absent(void **state)
{
    (void)state;
    rp_error err;
    const char *out = "untouched";
    json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "spaces", " \t\n ",
                           "nbsp", "\xC2\xA0", "ideographic", "\xE3\x80\x80",
                           "mark", "\xCC\x81", "text", " x ");
    const char *blanks[] = {"spaces", "nbsp", "ideographic"};
    for (size_t i = 0; i < 3; i++) {
        /* optional: the same as not given */
        assert_int_equal(rp_in_string(in, blanks[i], 0, 10, &out, &err), RP_OK);
        assert_null(out);
        /* required: refused, naming the field */
        assert_int_equal(rp_in_string(in, blanks[i], 1, 10, &out, &err),
                         RP_EINVALID);
        assert_string_equal(err.field, blanks[i]);
        assert_non_null(strstr(err.message, "is required"));
        assert_non_null(strstr(err.message, blanks[i]));
    }
    assert_int_equal(rp_in_string(in, "mark", 1, 10, &out, &err), RP_OK);
    assert_string_equal(out, "\xCC\x81");
    assert_int_equal(rp_in_string(in, "text", 1, 10, &out, &err), RP_OK);
    assert_string_equal(out, " x "); /* text is kept as given */
    json_decref(in);

    /* a list item that is blank is refused, naming the list */
    json_t *list;
    in = json_pack("{s:[s, s]}", "questions", "Which size?", "\xE3\x80\x80");
    assert_int_equal(rp_in_string_list(in, "questions", 5, 50, &list, &err),
                     RP_EINVALID);
    assert_string_equal(err.field, "questions");
    assert_non_null(strstr(err.message, "questions[1]"));
    json_decref(in);

    /* text that is not UTF-8 is refused, whatever made the JSON string */
    in = json_object();
    json_object_set_new(in, "facts", json_stringn_nocheck("ok \xFF", 4));
    assert_int_equal(rp_in_string(in, "facts", 0, 10, &out, &err), RP_EINVALID);
    assert_string_equal(err.field, "facts");
    assert_non_null(strstr(err.message, "UTF-8"));
    json_decref(in);
}

/* rp_buf_put_cut of s at n characters. */
static char *cut(const char *s, size_t n)
{
    rp_buf b = RP_BUF_INIT;
    rp_buf_put_cut(&b, s, n);
    rp_buf_puts(&b, "");
    return rp_buf_steal(&b);
}

static void expect_cut(const char *s, size_t n, const char *want)
{
    char *got = cut(s, n);
    assert_string_equal(got, want);
    assert_true(rp_utf8_is_valid(got, strlen(got)));
    free(got);
}

#define ELL "\xE2\x80\xA6"

static void test_cut_at_a_character_boundary(void **state)
{
    (void)state;
    expect_cut(NULL, 5, "");
    expect_cut("short", 5, "short");
    expect_cut("longer", 5, "longe" ELL);
    /* accented, CJK and emoji count as one character each */
    expect_cut("\xC3\xA9t\xC3\xA9 \xC3\xA0 Z\xC3\xBCrich", 5,
               "\xC3\xA9t\xC3\xA9 \xC3\xA0" ELL);
    expect_cut("\xE6\xBC\xA2\xE5\xAD\x97\xE3\x81\x8B\xE3\x81\xAA", 2,
               "\xE6\xBC\xA2\xE5\xAD\x97" ELL);
    expect_cut("ab\xF0\x9F\x99\x82\xF0\x9F\x99\x82", 3,
               "ab\xF0\x9F\x99\x82" ELL);
    /* a letter is not parted from its accent: e + U+0301 */
    expect_cut("abe\xCC\x81z", 3, "ab" ELL);
    expect_cut("abe\xCC\x81z", 4, "abe\xCC\x81" ELL);
    /* nor an emoji from its skin tone, nor joined emoji from each other */
    expect_cut("a\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD!", 2, "a" ELL);
    expect_cut("a\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB!", 3, "a" ELL);
    /* nor the two letters of a flag */
    expect_cut(
        "a\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7", 2,
        "a" ELL);
    expect_cut(
        "a\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7", 4,
        "a\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA" ELL);

    /* every cut of a long mixed text is valid UTF-8 and a prefix */
    const char *mixed = "Caf\xC3\xA9 \xE6\xBC\xA2\xE5\xAD\x97 e\xCC\x81 "
                        "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD \xF0\x9F\x87\xA9"
                        "\xF0\x9F\x87\xAA \xF0\x9F\x91\xA9\xE2\x80\x8D"
                        "\xF0\x9F\x92\xBB end";
    for (size_t n = 0; n <= rp_utf8_length(mixed); n++) {
        char *got = cut(mixed, n);
        size_t len = strlen(got);
        assert_true(rp_utf8_is_valid(got, len));
        if (len >= 3 && !strcmp(got + len - 3, ELL))
            len -= 3;
        assert_memory_equal(got, mixed, len);
        assert_true(rp_utf8_length(got) <= n + 1);
        free(got);
    }
}

/* Lower-casing for comparison touches A-Z only, so other scripts stay
 * whole and valid. */
static void test_strings_lower(void **state)
{
    (void)state;
    json_t *in = json_pack("[s,s,s]", "Navy BLUE", "\xc3\x89t\xc3\xa9",
                           "\xe6\x9e\x9cJuice");
    json_t *out = rp_strings_lower(in);
    assert_non_null(out);
    assert_int_equal(json_array_size(out), 3);
    assert_string_equal(json_string_value(json_array_get(out, 0)), "navy blue");
    assert_string_equal(json_string_value(json_array_get(out, 1)),
                        "\xc3\x89t\xc3\xa9");
    assert_string_equal(json_string_value(json_array_get(out, 2)),
                        "\xe6\x9e\x9cjuice");
    assert_string_equal(json_string_value(json_array_get(in, 0)), "Navy BLUE");
    json_decref(out);
    json_decref(in);
}

/* An error's fixed field and message never end inside a character. */
static void test_error_text_cut_between_characters(void **state)
{
    (void)state;
    char text[1200] = "a";
    for (int i = 0; i < 300; i++)
        strcat(text, "\xe6\x9e\x9c");
    rp_error err;
    rp_error_set(&err, RP_EINVALID, text, "%s", text);
    assert_true(rp_utf8_is_valid(err.field, strlen(err.field)));
    assert_true(rp_utf8_is_valid(err.message, strlen(err.message)));
    assert_int_equal((strlen(err.field) - 1) % 3, 0);
    assert_int_equal((strlen(err.message) - 1) % 3, 0);
    assert_true(strlen(err.message) >= sizeof err.message - 4);
    /* a byte count in the format cuts inside the text, not at its end */
    rp_error_set(&err, RP_EINVALID, "emails", "\"%.4s\" is not an email",
                 "\xe6\x9e\x9c\xe6\x9e\x9c");
    assert_string_equal(err.message, "\"\xe6\x9e\x9c\" is not an email");
}

/* A refusal quotes what was typed by characters, and never echoes a byte
 * that is not text: each is shown as U+FFFD. */
static void test_quote_by_characters(void **state)
{
    (void)state;
    rp_buf q = RP_BUF_INIT;
    assert_string_equal(rp_cut(&q, NULL, 5), "");
    assert_string_equal(rp_cut(&q, "plain", 5), "plain");
    /* the buffer is emptied first: it can be used again */
    assert_string_equal(rp_cut(&q, "\xe6\x9e\x9c\xe6\x9e\x9c\xe6\x9e\x9c", 2),
                        "\xe6\x9e\x9c\xe6\x9e\x9c" ELL);
    assert_string_equal(rp_cut(&q, "a\xff\xc3z", 10),
                        "a\xEF\xBF\xBD\xEF\xBF\xBDz");
    const char *got = rp_cut(&q, "\xe2\x82 \xc3\xa9", 10);
    assert_true(rp_utf8_is_valid(got, strlen(got)));
    assert_string_equal(got, "\xEF\xBF\xBD\xEF\xBF\xBD \xc3\xa9");
    rp_buf_free(&q);
    /* where text stops being UTF-8 */
    assert_int_equal(rp_utf8_valid_prefix("ab\xc3\xa9\xffz", 6), 4);
    assert_int_equal(rp_utf8_valid_prefix("ab\xc3\xa9", 4), 4);
    assert_int_equal(rp_utf8_valid_prefix("ab\xe2\x82", 4), 2);
    /* an error that quotes through rp_cut holds the whole quote */
    rp_error err;
    char typed[200] = "";
    for (int i = 0; i < 50; i++)
        strcat(typed, "\xc3\xa9");
    rp_error_set(&err, RP_EINVALID, "x", "not \"%s\"", rp_cut(&q, typed, 40));
    assert_int_equal(rp_utf8_length(err.message), 4 + 1 + 40 + 1 + 1);
    rp_buf_free(&q);
}

/* rp_buf_vprintf and rp_buf_clear: text of any length, built again. */
static void vput(rp_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rp_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

static void test_buf_vprintf_and_clear(void **state)
{
    (void)state;
    rp_buf b = RP_BUF_INIT;
    char big[3001];
    memset(big, 'x', 3000);
    big[3000] = '\0';
    vput(&b, "%s-%d", big, 7);
    assert_int_equal(b.len, 3002);
    assert_string_equal(rp_buf_str(&b) + 3000, "-7");
    rp_buf_clear(&b);
    assert_string_equal(rp_buf_str(&b), "");
    vput(&b, "%s", "again");
    assert_string_equal(rp_buf_str(&b), "again");
    rp_buf_free(&b);
}

/* Every year RFC 3339 can write is read and written back exactly, every
 * day of them agrees with the C library where it has the date, and a time
 * outside years 0000-9999 is refused rather than written wrongly. */
static void test_time_four_digit_years(void **state)
{
    (void)state;
    static const char *const kept[] = {
        "0000-01-01T00:00:00Z", "0000-02-29T12:00:00Z", "0001-01-01T00:00:00Z",
        "0099-12-31T23:59:59Z", "0999-03-04T05:06:07Z", "1000-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "2000-02-29T00:00:00Z",
        "9999-12-31T23:59:59Z"};
    char buf[RP_TIME_MAX];
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        int64_t t;
        assert_int_equal(rp_time_parse(kept[i], &t), 0);
        rp_time_format(t, buf);
        assert_string_equal(buf, kept[i]);
    }
    for (int64_t t = -86400LL * 800; t < 86400LL * 800; t += 86400 * 7 + 3671) {
        time_t tt = (time_t)t;
        struct tm tm;
        char want[64];
        gmtime_r(&tt, &tm);
        strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
        rp_time_format(t, buf);
        assert_string_equal(buf, want);
    }
    int64_t t;
    assert_int_equal(rp_time_parse("0000-01-01T00:00:00+00:01", &t), -1);
    assert_int_equal(rp_time_parse("9999-12-31T23:59:59-00:01", &t), -1);
    assert_int_equal(rp_time_parse("10000-01-01T00:00:00Z", &t), -1);
    assert_int_equal(rp_time_parse("-001-01-01T00:00:00Z", &t), -1);
    rp_time_format(RP_TIME_MIN - 86400, buf);
    assert_string_equal(buf, "0000-01-01T00:00:00Z");
    rp_time_format(RP_TIME_LAST + 1, buf);
    assert_string_equal(buf, "9999-12-31T23:59:59Z");
}

/* A field every record has: required when made, never removed or blanked
 * when changed, and simply left as it is when not given. */
static void test_kept_fields(void **state)
{
    (void)state;
    rp_error err;
    const char *out;
    int64_t n;
    int b, present;
    json_t *in = json_loads("{\"a\":null,\"b\":\" \\u3000\",\"c\":\"x\"}", 0,
                            NULL);
    assert_non_null(in);
    assert_int_equal(rp_in_string(in, "a", RP_IN_KEPT, 10, &out, &err),
                     RP_EINVALID);
    assert_string_equal(err.field, "a");
    assert_non_null(strstr(err.message, "cannot be removed or blank"));
    assert_int_equal(rp_in_string(in, "b", RP_IN_KEPT, 10, &out, &err),
                     RP_EINVALID);
    assert_string_equal(err.field, "b");
    assert_int_equal(rp_in_string(in, "c", RP_IN_KEPT, 10, &out, &err), RP_OK);
    assert_string_equal(out, "x");
    assert_int_equal(rp_in_string(in, "absent", RP_IN_KEPT, 10, &out, &err),
                     RP_OK);
    assert_null(out);
    assert_int_equal(rp_in_int(in, "a", RP_IN_KEPT, 0, 9, &n, &present, &err),
                     RP_EINVALID);
    assert_int_equal(rp_in_bool(in, "a", RP_IN_KEPT, &b, &present, &err),
                     RP_EINVALID);
    assert_int_equal(rp_in_bool(in, "absent", RP_IN_KEPT, &b, &present, &err),
                     RP_OK);
    assert_int_equal(present, 0);
    /* optional: null and blank are no value */
    assert_int_equal(rp_in_string(in, "b", RP_IN_OPTIONAL, 10, &out, &err),
                     RP_OK);
    assert_null(out);
    json_decref(in);
}

/* A field table checks a body as the rp_in_* calls would, and describes
 * the same rules as JSON Schema for the API's contract. */
static const char *const colours[] = {"red", "blue", NULL};
static const rp_field table[] = {
    {"name", RP_FIELD_TEXT, RP_IN_CREATE, .max_chars = 5},
    {"colour", RP_FIELD_ENUM, RP_IN_OPTIONAL, .values = colours},
    {"count", RP_FIELD_INT, RP_IN_OPTIONAL, .min = 1, .max = 9},
    {"tags", RP_FIELD_TEXT_LIST, RP_IN_OPTIONAL, .max_items = 2,
     .max_chars = 3},
    {.name = NULL},
};

static rp_code check(const char *text, int creating, rp_error *err)
{
    json_t *in = json_loads(text, 0, NULL);
    assert_non_null(in);
    rp_code rc = rp_in_fields(in, table, creating, err);
    json_decref(in);
    return rc;
}

static void test_field_table_checks_and_describes(void **state)
{
    (void)state;
    rp_error err;
    assert_int_equal(check("{\"name\":\"\u00e9t\u00e9s\"}", 1, &err), RP_OK);
    assert_int_equal(check("{}", 0, &err), RP_OK);
    assert_int_equal(check("{}", 1, &err), RP_EINVALID);
    assert_string_equal(err.field, "name");
    assert_int_equal(check("{\"name\":null}", 0, &err), RP_EINVALID);
    assert_string_equal(err.field, "name");
    assert_int_equal(
        check("{\"name\":\"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"}", 1, &err),
        RP_EINVALID);
    assert_string_equal(err.field, "name");
    assert_int_equal(check("{\"name\":\"a\",\"size\":1}", 1, &err),
                     RP_EINVALID);
    assert_string_equal(err.field, "size");
    assert_int_equal(check("{\"name\":\"a\",\"colour\":\"green\"}", 1, &err),
                     RP_EINVALID);
    assert_string_equal(err.field, "colour");
    assert_int_equal(check("{\"name\":\"a\",\"count\":10}", 1, &err),
                     RP_EINVALID);
    assert_int_equal(check("{\"name\":\"a\",\"count\":\"1\"}", 1, &err),
                     RP_ETYPE);
    assert_string_equal(err.field, "count");
    assert_int_equal(
        check("{\"name\":\"a\",\"tags\":[\"a\",\"b\",\"c\"]}", 1, &err),
        RP_EINVALID);
    assert_string_equal(err.field, "tags");

    json_t *name = rp_field_schema(&table[0]);
    assert_string_equal(json_string_value(json_object_get(name, "type")),
                        "string");
    assert_int_equal(json_integer_value(json_object_get(name, "maxLength")), 5);
    assert_int_equal(json_integer_value(json_object_get(name, "minLength")), 1);
    json_decref(name);
    json_t *colour = rp_field_schema(&table[1]);
    json_t *values = json_object_get(colour, "enum");
    assert_int_equal(json_array_size(values), 3); /* red, blue, null */
    assert_true(json_is_null(json_array_get(values, 2)));
    json_decref(colour);
    json_t *count = rp_field_schema(&table[2]);
    assert_int_equal(json_integer_value(json_object_get(count, "minimum")), 1);
    assert_int_equal(json_integer_value(json_object_get(count, "maximum")), 9);
    json_decref(count);
    json_t *tags = rp_field_schema(&table[3]);
    assert_int_equal(json_integer_value(json_object_get(tags, "maxItems")), 2);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(tags, "items"), "maxLength")),
                     3);
    json_decref(tags);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_round_trip),
        cmocka_unit_test(test_pinned_clock),
        cmocka_unit_test(test_time_four_digit_years),
        cmocka_unit_test(test_kept_fields),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_enum_and_ids),
        cmocka_unit_test(test_contacts),
        cmocka_unit_test(test_blank_is_white_space_only),
        cmocka_unit_test(test_utf8_validity),
        cmocka_unit_test(test_blank_input_is_absent),
        cmocka_unit_test(test_cut_at_a_character_boundary),
        cmocka_unit_test(test_strings_lower),
        cmocka_unit_test(test_error_text_cut_between_characters),
        cmocka_unit_test(test_quote_by_characters),
        cmocka_unit_test(test_buf_vprintf_and_clear),
        cmocka_unit_test(test_field_table_checks_and_describes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
