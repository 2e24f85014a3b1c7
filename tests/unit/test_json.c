/*
 * test_json.c - rp_json_write (base/json.h) writes the bytes jansson's
 * json_dumps(JSON_COMPACT) writes, for every kind of value: checked on
 * chosen values and on many random trees of random text and numbers, and
 * that a string holding bytes that are not UTF-8 comes out as text (each
 * bad byte as U+FFFD) where json_dumps gives up; and that text
 * rp_json_is_compact takes is what json_loads and rp_json_write give back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

/* rp_json_text(v) equals json_dumps(v, JSON_COMPACT), byte for byte. */
static void same_as_jansson(json_t *v)
{
    char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    assert_non_null(want);
    rp_buf b = RP_BUF_INIT;
    rp_json_write(&b, v);
    assert_false(b.failed);
    assert_string_equal(rp_buf_str(&b), want);
    assert_int_equal(b.len, strlen(want));
    rp_buf_free(&b);
    free(want);
}

static void test_chosen_values(void **state)
{
    (void)state;
    json_t *v = json_pack(
        "{s:s, s:s, s:s, s:I, s:I, s:I, s:b, s:b, s:n, s:[], s:{}, s:[i,s,{}]}",
        "plain", "Maximilian Weber", "escapes",
        "quote \" backslash \\ slash / tab \t nl \n cr \r bs \b ff \f "
        "ctl \x01\x1f del \x7f",
        "unicode",
        "Ünïcödé 日本語 emoji \xF0\x9F\x98\x80 family "
        "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9",
        "zero", (json_int_t)0, "max", (json_int_t)INT64_MAX, "min",
        (json_int_t)INT64_MIN, "t", 1, "f", 0, "null", "empty_array",
        "empty_object", "mixed", -7, "x");
    same_as_jansson(v);
    json_decref(v);
    /* a string with a NUL inside, and a key with one */
    json_t *o = json_object();
    json_object_setn_new_nocheck(o, "a\0b", 3, json_stringn("x\0y", 3));
    same_as_jansson(o);
    json_decref(o);
    const double reals[] = {0.0,     -0.0,
                            1.0,     -1.5,
                            0.1,     1e5,
                            1e-5,    1e21,
                            1e-300,  123456789012.0,
                            4.25,    2.0 / 3,
                            DBL_MAX, DBL_MIN,
                            1e100,   -2.5e-7,
                            3.0e17,  12345678901234567890.0};
    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
        json_t *a = json_pack("[f]", reals[i]);
        same_as_jansson(a);
        json_decref(a);
    }
}

static uint64_t seed = 88172645463325252ull;
static unsigned rnd(unsigned n)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (unsigned)(seed % n);
}

/* Random valid UTF-8: ASCII (control characters too), two-, three- and
 * four-byte characters. */
static json_t *random_string(void)
{
    char s[80]; /* up to 19 characters of up to 4 bytes */
    size_t n = 0, want = rnd(20);
    for (size_t i = 0; i < want; i++) {
        switch (rnd(4)) {
        case 0: s[n++] = (char)(1 + rnd(127)); break;
        case 1: {
            unsigned c = 0x80 + rnd(0x780);
            s[n++] = (char)(0xC0 | c >> 6);
            s[n++] = (char)(0x80 | (c & 0x3F));
            break;
        }
        case 2: {
            unsigned c = 0x800 + rnd(0xF800);
            if (c >= 0xD800 && c <= 0xDFFF)
                c = 0x4E2D;
            s[n++] = (char)(0xE0 | c >> 12);
            s[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
            s[n++] = (char)(0x80 | (c & 0x3F));
            break;
        }
        default: {
            unsigned c = 0x10000 + rnd(0x100000);
            s[n++] = (char)(0xF0 | c >> 18);
            s[n++] = (char)(0x80 | ((c >> 12) & 0x3F));
            s[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
            s[n++] = (char)(0x80 | (c & 0x3F));
        }
        }
    }
    json_t *v = json_stringn(s, n);
    assert_non_null(v);
    return v;
}

static json_t *random_value(int depth)
{
    switch (rnd(depth > 3 ? 5 : 7)) {
    case 0: return random_string();
    case 1:
        return json_integer((json_int_t)(seed >> rnd(64)) * (rnd(2) ? 1 : -1));
    case 2: {
        double d = (double)(int64_t)seed / (double)(1ull << rnd(63));
        return json_real(d * pow(10, (int)rnd(40) - 20));
    }
    case 3: return rnd(2) ? json_true() : json_false();
    case 4: return json_null();
    case 5: {
        json_t *a = json_array();
        for (unsigned i = rnd(6); i; i--)
            json_array_append_new(a, random_value(depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (unsigned i = rnd(6); i; i--) {
            json_t *k = random_string();
            json_object_set_new(o, json_string_value(k),
                                random_value(depth + 1));
            json_decref(k);
        }
        return o;
    }
    }
}

static void test_random_trees(void **state)
{
    (void)state;
    for (int i = 0; i < 3000; i++) {
        json_t *a = json_array();
        json_array_append_new(a, random_value(0));
        same_as_jansson(a);
        json_decref(a);
    }
}

static void test_bytes_that_are_not_text(void **state)
{
    (void)state;
    /* a lone continuation byte, an overlong "/", a surrogate, a cut
     * sequence, a byte that never starts one */
    const char bad[] = "a\x80"
                       "b\xC0\xAF"
                       "c\xED\xA0\x80"
                       "d\xF0\x9F\x98"
                       "e\xFF";
    json_t *v = json_stringn_nocheck(bad, sizeof bad - 1);
    rp_buf b = RP_BUF_INIT;
    rp_json_write(&b, v);
    const char *r = "\xEF\xBF\xBD";
    char want[128];
    snprintf(want, sizeof want, "\"a%sb%s%sc%s%s%sd%s%s%se%s\"", r, r, r, r, r,
             r, r, r, r, r);
    assert_string_equal(rp_buf_str(&b), want);
    rp_buf_free(&b);
    json_decref(v);
}

/* rp_json_is_compact(t) only when json_loads then rp_json_write give t
 * back, byte for byte. */
static void round_trip_if_compact(const char *t, size_t len, int *taken)
{
    if (!rp_json_is_compact(t, len))
        return;
    (*taken)++;
    json_error_t jerr;
    json_t *v = json_loadb(t, len, JSON_DECODE_ANY, &jerr);
    assert_non_null(v);
    rp_buf b = RP_BUF_INIT;
    rp_json_write(&b, v);
    assert_int_equal(b.len, len);
    assert_memory_equal(b.p, t, len);
    rp_buf_free(&b);
    json_decref(v);
}

static void test_compact_form(void **state)
{
    (void)state;
    const char *yes[] = {
        "[]",
        "{}",
        "[\"a\",\"b\"]",
        "[true,false,null,0,7]",
        "{\"level\":\"formative\",\"why\":[\"went on\"],\"encounters\":[1,22]}",
        "[\"\xC3\xBC\xE6\x97\xA5\xF0\x9F\x98\x80\"]",
        "[[[[[[1]]]]]]",
        "[123456789012345678]",
        "[\"a/b\x7F\"]"};
    const char *no[] = {"",
                        "\"x\"",
                        "7",
                        "[ 1]",
                        "[1 ]",
                        "[1,]",
                        "[,1]",
                        "[\"a\\\"b\"]",
                        "[\"a\\/\"]",
                        "[\"\x01\"]",
                        "[01]",
                        "[-1]",
                        "[1.5]",
                        "[1e5]",
                        "[1234567890123456789]",
                        "{\"a\":1,\"a\":2}",
                        "{\"a\":1,}",
                        "{\"a\"1}",
                        "{1:1}",
                        "[\"\xFF\"]",
                        "[\"\xED\xA0\x80\"]",
                        "[\"\xC0\xAF\"]",
                        "[\"a\"",
                        "[\"a\"]x",
                        "[tru]",
                        "[nul]",
                        "[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]"};
    int taken = 0;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        assert_true(rp_json_is_compact(yes[i], strlen(yes[i])));
        round_trip_if_compact(yes[i], strlen(yes[i]), &taken);
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(rp_json_is_compact(no[i], strlen(no[i])));
    /* what rp_json_write wrote, then the same with a byte changed, taken
     * out or put in: whatever is taken reads back as it was */
    static const char bytes[] = "\"\\ ,:[]{}01-.eatn\x80\xC3\xA9\x01";
    taken = 0;
    int written = 0;
    for (int i = 0; i < 3000; i++) {
        json_t *a = json_array();
        json_array_append_new(a, random_value(0));
        rp_buf b = RP_BUF_INIT;
        rp_json_write(&b, a);
        json_decref(a);
        if (rp_json_is_compact(b.p, b.len))
            written++;
        round_trip_if_compact(b.p, b.len, &taken);
        for (int k = 0; k < 8 && b.len > 1; k++) {
            size_t at = rnd((unsigned)b.len);
            char c = bytes[rnd(sizeof bytes - 1)];
            rp_buf m = RP_BUF_INIT;
            rp_buf_append(&m, b.p, at);
            switch (rnd(3)) {
            case 0: /* changed */
                rp_buf_append(&m, &c, 1);
                rp_buf_append(&m, b.p + at + 1, b.len - at - 1);
                break;
            case 1: /* taken out */
                rp_buf_append(&m, b.p + at + 1, b.len - at - 1);
                break;
            default: /* put in */
                rp_buf_append(&m, &c, 1);
                rp_buf_append(&m, b.p + at, b.len - at);
            }
            round_trip_if_compact(m.p, m.len, &taken);
            rp_buf_free(&m);
        }
        rp_buf_free(&b);
    }
    /* the test took something: trees without reals or escapes are written
     * compact, and some changes keep them so */
    assert_true(written > 300);
    assert_true(taken > written);
}

/* rp_json_member finds each member of objects rp_json_write wrote (any
 * values: escapes, nesting, reals) as the bytes its value is written as,
 * and no member that is not there. */
static void test_members(void **state)
{
    (void)state;
    static const char *const keys[] = {
        "id", "level", "reasons", "notes", "relationship_level", "x"};
    size_t nkeys = sizeof keys / sizeof keys[0];
    int found = 0;
    for (int i = 0; i < 2000; i++) {
        json_t *o = json_object();
        for (size_t k = 0; k < nkeys; k++)
            if (rnd(3))
                json_object_set_new(o, keys[k], random_value(1));
        rp_buf b = RP_BUF_INIT;
        rp_json_write(&b, o);
        for (size_t k = 0; k < nkeys; k++) {
            size_t at = 0, n = 0;
            int has = rp_json_member(b.p, b.len, keys[k], strlen(keys[k]), &at,
                                     &n);
            json_t *v = json_object_get(o, keys[k]);
            assert_int_equal(has, v != NULL);
            if (!v)
                continue;
            rp_buf want = RP_BUF_INIT;
            rp_json_write(&want, v);
            assert_int_equal(n, want.len);
            assert_memory_equal(b.p + at, want.p, n);
            rp_buf_free(&want);
            found++;
        }
        rp_buf_free(&b);
        json_decref(o);
    }
    assert_true(found > 5000);
    size_t at, n;
    assert_false(rp_json_member("[1]", 3, "x", 1, &at, &n));
    assert_false(rp_json_member("{\"x\":\"a", 7, "x", 1, &at, &n));
    assert_false(rp_json_member("{\"xx\":1}", 8, "x", 1, &at, &n));
    const char *tricky = "{\"a\":\"x\\\",\\\"b\\\":\",\"b\":[{}]}";
    assert_true(rp_json_member(tricky, strlen(tricky), "b", 1, &at, &n));
    assert_memory_equal(tricky + at, "[{}]", 4);
    assert_int_equal(n, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chosen_values),
        cmocka_unit_test(test_random_trees),
        cmocka_unit_test(test_bytes_that_are_not_text),
        cmocka_unit_test(test_compact_form),
        cmocka_unit_test(test_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
