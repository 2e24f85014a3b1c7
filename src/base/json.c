/*
 * json.c - JSON text written straight into an rp_buf (base/json.h says
 * why and which bytes).
 *
 * A string is copied in runs: the bytes that need nothing (printable ASCII
 * other than the quote and the backslash) are found with one table lookup
 * each and appended together; a byte above 0x7F starts a UTF-8 sequence
 * that is checked by jansson's rules (no overlong form, no surrogate,
 * nothing above U+10FFFF) and copied as it is, or written as U+FFFD when
 * it is not text.
 */
#include "base/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 for the bytes copied as they are. */
static const unsigned char plain[256] = {
    /* 0x20 to 0x7F but '"' and '\\' */
    ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1,  ['&'] = 1, ['\''] = 1,
    ['('] = 1, [')'] = 1, ['*'] = 1, ['+'] = 1,  [','] = 1, ['-'] = 1,
    ['.'] = 1, ['/'] = 1, ['0'] = 1, ['1'] = 1,  ['2'] = 1, ['3'] = 1,
    ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,  ['8'] = 1, ['9'] = 1,
    [':'] = 1, [';'] = 1, ['<'] = 1, ['='] = 1,  ['>'] = 1, ['?'] = 1,
    ['@'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1,  ['D'] = 1, ['E'] = 1,
    ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1,  ['J'] = 1, ['K'] = 1,
    ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1,  ['P'] = 1, ['Q'] = 1,
    ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,  ['V'] = 1, ['W'] = 1,
    ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['['] = 1,  [']'] = 1, ['^'] = 1,
    ['_'] = 1, ['`'] = 1, ['a'] = 1, ['b'] = 1,  ['c'] = 1, ['d'] = 1,
    ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,  ['i'] = 1, ['j'] = 1,
    ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,  ['o'] = 1, ['p'] = 1,
    ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,  ['u'] = 1, ['v'] = 1,
    ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,  ['{'] = 1, ['|'] = 1,
    ['}'] = 1, ['~'] = 1, [' '] = 1, [0x7F] = 1,
};

/* The length of the UTF-8 sequence at s (at most n bytes), or 0 when it
 * is not one jansson accepts. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ||
        (len == 3 && v < 0x800) || (len == 4 && v < 0x10000))
        return 0;
    return len;
}

/* The end of the string at s ('"'), before end, when it has nothing
 * escaped and is UTF-8 text; NULL otherwise. */
static const unsigned char *compact_string(const unsigned char *s,
                                           const unsigned char *end)
{
    if (s >= end || *s++ != '"')
        return NULL;
    while (s < end && *s != '"') {
        if (plain[*s]) {
            s++;
        } else if (*s >= 0x80) {
            size_t n = utf8_sequence(s, (size_t)(end - s));
            if (!n)
                return NULL;
            s += n;
        } else {
            return NULL; /* a backslash or a control character */
        }
    }
    return s < end ? s + 1 : NULL;
}

/* The end of the compact value at s, or NULL (rp_json_is_compact). */
static const unsigned char *compact_value(const unsigned char *s,
                                          const unsigned char *end, int depth)
{
    if (s >= end)
        return NULL;
    switch (*s) {
    case '"': return compact_string(s, end);
    case 't': return end - s >= 4 && !memcmp(s, "true", 4) ? s + 4 : NULL;
    case 'f': return end - s >= 5 && !memcmp(s, "false", 5) ? s + 5 : NULL;
    case 'n': return end - s >= 4 && !memcmp(s, "null", 4) ? s + 4 : NULL;
    case '[':
    case '{': {
        if (depth >= 16)
            return NULL;
        int object = *s == '{';
        unsigned char close = object ? '}' : ']';
        enum { KEYS = 32 };
        const unsigned char *key[KEYS];
        size_t key_len[KEYS], nkeys = 0;
        s++;
        if (s < end && *s == close)
            return s + 1;
        for (;;) {
            if (object) {
                const unsigned char *k = s;
                s = compact_string(s, end);
                if (!s || s >= end || *s++ != ':' || nkeys == KEYS)
                    return NULL;
                /* json_loads keeps a key given twice once, in its first
                 * place with its last value: not these bytes */
                for (size_t i = 0; i < nkeys; i++)
                    if (key_len[i] == (size_t)(s - k) &&
                        !memcmp(key[i], k, key_len[i]))
                        return NULL;
                key[nkeys] = k;
                key_len[nkeys++] = (size_t)(s - k);
            }
            s = compact_value(s, end, depth + 1);
            if (!s || s >= end)
                return NULL;
            if (*s == close)
                return s + 1;
            if (*s++ != ',')
                return NULL;
        }
    }
    default: {
        const unsigned char *start = s;
        while (s < end && *s >= '0' && *s <= '9')
            s++;
        if (s == start || s - start > 18 || (*start == '0' && s - start > 1))
            return NULL;
        if (s < end && (*s == '.' || *s == 'e' || *s == 'E'))
            return NULL;
        return s;
    }
    }
}

int rp_json_is_compact(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text, *end = s + len;
    if (!len || (*s != '[' && *s != '{'))
        return 0;
    return compact_value(s, end, 0) == end;
}

/* The end of the string at s ('"'), escapes skipped, or NULL: the next
 * quote not escaped, that is after an even number of backslashes. */
static const char *skip_string(const char *s, const char *end)
{
    for (s++; s < end;) {
        const char *q = memchr(s, '"', (size_t)(end - s));
        if (!q)
            return NULL;
        const char *b = q;
        while (b > s && b[-1] == '\\')
            b--;
        if ((q - b) % 2 == 0)
            return q + 1;
        s = q + 1;
    }
    return NULL;
}

/* The end of the JSON value at s, before end, or NULL: a string with its
 * escapes, an array or an object to its closing bracket, anything else up
 * to the next ',', ']' or '}'. */
static const char *skip_value(const char *s, const char *end)
{
    if (s >= end)
        return NULL;
    if (*s == '"')
        return skip_string(s, end);
    if (*s == '[' || *s == '{') {
        int depth = 0;
        while (s < end) {
            if (*s == '"') {
                if (!(s = skip_string(s, end)))
                    return NULL;
                continue;
            }
            if (*s == '[' || *s == '{')
                depth++;
            else if ((*s == ']' || *s == '}') && --depth == 0)
                return s + 1;
            s++;
        }
        return NULL;
    }
    while (s < end && *s != ',' && *s != ']' && *s != '}')
        s++;
    return s;
}

int rp_json_member(const char *text, size_t len, const char *key,
                   size_t key_len, size_t *at, size_t *n)
{
    const char *s = text, *end = text + len;
    if (len < 2 || *s++ != '{')
        return 0;
    while (s < end && *s == '"') {
        const char *k = s + 1, *v = skip_string(s, end);
        if (!v || v >= end || *v != ':')
            return 0;
        const char *ve = skip_value(v + 1, end);
        if (!ve)
            return 0;
        if ((size_t)(v - 1 - k) == key_len && !memcmp(k, key, key_len)) {
            *at = (size_t)(v + 1 - text);
            *n = (size_t)(ve - (v + 1));
            return 1;
        }
        if (ve >= end || *ve != ',')
            return 0;
        s = ve + 1;
    }
    return 0;
}

void rp_json_write_string(rp_buf *b, const char *str, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)str, *end = s + len;
    /* the common case, a short plain string, in one reservation */
    if (rp_buf_reserve(b, len + 2))
        return;
    b->p[b->len++] = '"';
    while (s < end) {
        const unsigned char *run = s;
        while (s < end && plain[*s])
            s++;
        if (s > run)
            rp_buf_add(b, (const char *)run, (size_t)(s - run));
        if (s == end)
            break;
        unsigned c = *s;
        if (c >= 0x80) {
            size_t n = utf8_sequence(s, (size_t)(end - s));
            if (n) {
                rp_buf_add(b, (const char *)s, n);
                s += n;
            } else {
                rp_buf_add(b, "\xEF\xBF\xBD", 3); /* U+FFFD */
                s++;
            }
            continue;
        }
        char esc[6] = {'\\', 0, '0', '0', 0, 0};
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        rp_buf_add(b, esc, n);
        s++;
    }
    rp_buf_add(b, "\"", 1);
}

void rp_json_write_int(rp_buf *b, int64_t n)
{
    char digits[24], *p = digits + sizeof digits;
    uint64_t u = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (n < 0)
        *--p = '-';
    rp_buf_add(b, p, (size_t)(digits + sizeof digits - p));
}

void rp_json_write_real(rp_buf *b, double d)
{
    char s[48];
    int n = snprintf(s, sizeof s, "%.17g", d);
    if (n < 0 || (size_t)n >= sizeof s - 3)
        return;
    size_t len = (size_t)n;
    for (size_t i = 0; i < len; i++)
        if (s[i] == ',') /* a locale's decimal comma */
            s[i] = '.';
    if (!memchr(s, '.', len) && !memchr(s, 'e', len)) {
        memcpy(s + len, ".0", 3);
        len += 2;
    }
    char *e = memchr(s, 'e', len);
    if (e) { /* "1e+05" as "1e5", "1e-05" as "1e-5" */
        char *start = e + 1, *digits = start + 1;
        if (*start == '-')
            start++;
        while (*digits == '0')
            digits++;
        if (digits != start) {
            memmove(start, digits, (size_t)(s + len + 1 - digits));
            len -= (size_t)(digits - start);
        }
    }
    rp_buf_add(b, s, len);
}

void rp_json_write(rp_buf *b, const json_t *value)
{
    if (!value) { /* what a failed json_string() left: jansson's null */
        rp_buf_add(b, "null", 4);
        return;
    }
    switch (json_typeof(value)) {
    case JSON_OBJECT: {
        rp_buf_add(b, "{", 1);
        int first = 1;
        for (void *it = json_object_iter((json_t *)value); it;
             it = json_object_iter_next((json_t *)value, it)) {
            if (!first)
                rp_buf_add(b, ",", 1);
            first = 0;
            rp_json_write_string(b, json_object_iter_key(it),
                                 json_object_iter_key_len(it));
            rp_buf_add(b, ":", 1);
            rp_json_write(b, json_object_iter_value(it));
        }
        rp_buf_add(b, "}", 1);
        break;
    }
    case JSON_ARRAY: {
        rp_buf_add(b, "[", 1);
        size_t n = json_array_size(value);
        for (size_t i = 0; i < n; i++) {
            if (i)
                rp_buf_add(b, ",", 1);
            rp_json_write(b, json_array_get(value, i));
        }
        rp_buf_add(b, "]", 1);
        break;
    }
    case JSON_STRING:
        rp_json_write_string(b, json_string_value(value),
                             json_string_length(value));
        break;
    case JSON_INTEGER: rp_json_write_int(b, json_integer_value(value)); break;
    case JSON_REAL: rp_json_write_real(b, json_real_value(value)); break;
    case JSON_TRUE: rp_buf_add(b, "true", 4); break;
    case JSON_FALSE: rp_buf_add(b, "false", 5); break;
    case JSON_NULL:
    default: rp_buf_add(b, "null", 4); break;
    }
}

char *rp_json_text(const json_t *value, size_t *len)
{
    rp_buf b = RP_BUF_INIT;
    if (rp_buf_reserve(&b, 4096) == 0)
        rp_json_write(&b, value);
    if (b.failed) {
        rp_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return rp_buf_steal(&b);
}
