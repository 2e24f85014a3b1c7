/*
 * input.c - field validation, the text rules (what is blank, where text
 * may be cut) and paging (see input.h).
 */
#include "base/input.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"

static const char *type_name(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

rp_code rp_in_object(json_t *in, const char *const allowed[], rp_error *err)
{
    if (!json_is_object(in))
        return rp_error_set(err, RP_ETYPE, NULL,
                            "the body must be a JSON object, not %s",
                            in ? type_name(in) : "empty");
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v) {
        (void)v;
        int known = 0;
        for (int i = 0; allowed[i]; i++)
            if (strcmp(allowed[i], key) == 0)
                known = 1;
        if (!known) {
            rp_error_set(err, RP_EINVALID, key,
                         "%s is not a field that can be set here", key);
            return rp_error_because(err, "unknown_field", 0);
        }
    }
    return RP_OK;
}

size_t rp_utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/*
 * Decode the character at p into *cp, reading at most avail bytes (a NUL
 * also stops it); returns its length in bytes, or 0 when the bytes there
 * are not well-formed UTF-8.
 */
static size_t utf8_decode(const unsigned char *p, size_t avail, uint32_t *cp)
{
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t n;
    uint32_t c = p[0];
    if (c < 0x80)
        n = 1;
    else if ((c & 0xE0) == 0xC0)
        n = 2, c &= 0x1F;
    else if ((c & 0xF0) == 0xE0)
        n = 3, c &= 0x0F;
    else if ((c & 0xF8) == 0xF0)
        n = 4, c &= 0x07;
    else
        return 0;
    if (n > avail)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3F);
    }
    if (c < min[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

size_t rp_utf8_valid_prefix(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        uint32_t c;
        size_t n = *p ? utf8_decode(p, (size_t)(end - p), &c) : 1;
        if (!n)
            break;
        p += n;
    }
    return (size_t)(p - (const unsigned char *)s);
}

int rp_utf8_is_valid(const char *s, size_t len)
{
    return rp_utf8_valid_prefix(s, len) == len;
}

static int is_space(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 ||
           c == 0x1680 || c == 0x180E || (c >= 0x2000 && c <= 0x200D) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
           c == 0x2060 || c == 0x3000 || c == 0xFEFF;
}

int rp_text_is_blank(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (p && *p) {
        uint32_t c;
        size_t n = utf8_decode(p, SIZE_MAX, &c);
        if (!n || !is_space(c))
            return 0;
        p += n;
    }
    return 1;
}

/* Characters that belong to the one before them: a cut must not come
 * just before one (combining marks, joiners, variation selectors, emoji
 * skin tones, tag characters of subdivision flags). */
static int extends(uint32_t c)
{
    return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
           (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
           (c >= 0xFE20 && c <= 0xFE2F) || (c >= 0xFE00 && c <= 0xFE0F) ||
           c == 0x200C || c == 0x200D || (c >= 0x1F3FB && c <= 0x1F3FF) ||
           (c >= 0xE0020 && c <= 0xE007F) || (c >= 0xE0100 && c <= 0xE01EF);
}

static int regional(uint32_t c)
{
    return c >= 0x1F1E6 && c <= 0x1F1FF;
}

/* Append the n bytes at s, each byte that is not part of a well-formed
 * character as U+FFFD: what is quoted back is always text, never raw
 * bytes someone sent. */
static void append_text(rp_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        const unsigned char *run = p;
        uint32_t c;
        size_t k;
        while (p < end && (k = utf8_decode(p, (size_t)(end - p), &c)) > 0)
            p += k;
        rp_buf_append(b, (const char *)run, (size_t)(p - run));
        if (p < end) {
            rp_buf_puts(b, "\xEF\xBF\xBD"); /* U+FFFD REPLACEMENT CHARACTER */
            p++;
        }
    }
}

void rp_buf_put_cut(rp_buf *b, const char *s, size_t maxchars)
{
    if (!s)
        return;
    /* Walk the first maxchars characters remembering the last place a
     * cut may be made at; the cut goes there if there is more text. */
    const unsigned char *p = (const unsigned char *)s;
    size_t count = 0, safe = 0;
    size_t ri_run = 0; /* regional indicators just before p */
    uint32_t prev = 0;
    while (*p) {
        uint32_t c;
        size_t n = utf8_decode(p, SIZE_MAX, &c);
        if (!n) /* not UTF-8: one byte, shown as U+FFFD */
            c = 0xFFFD, n = 1;
        if (!extends(c) && prev != 0x200D && !(regional(c) && ri_run % 2 == 1))
            safe = (size_t)(p - (const unsigned char *)s);
        if (count == maxchars)
            break;
        ri_run = regional(c) ? ri_run + 1 : 0;
        prev = c;
        count++;
        p += n;
    }
    if (!*p) {
        append_text(b, s, (size_t)(p - (const unsigned char *)s));
        return;
    }
    append_text(b, s, safe);
    rp_buf_puts(b, "\xE2\x80\xA6"); /* U+2026 HORIZONTAL ELLIPSIS */
}

const char *rp_cut(rp_buf *b, const char *s, size_t maxchars)
{
    rp_buf_clear(b);
    rp_buf_put_cut(b, s ? s : "", maxchars);
    return rp_buf_str(b);
}

static rp_code check_text(json_t *v, const char *key, size_t maxchars,
                          rp_error *err)
{
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v)) {
        rp_error_set(err, RP_EINVALID, key,
                     "%s must not contain a NUL character", key);
        return rp_error_because(err, "not_text", 0);
    }
    if (!rp_utf8_is_valid(s, strlen(s))) {
        rp_error_set(err, RP_EINVALID, key, "%s is not valid UTF-8 text", key);
        return rp_error_because(err, "not_text", 0);
    }
    size_t n = rp_utf8_length(s);
    if (n > maxchars) {
        rp_error_set(err, RP_EINVALID, key,
                     "%s is %zu characters long; at most %zu are allowed", key,
                     n, maxchars);
        return rp_error_because(err, "too_long", (long long)maxchars);
    }
    return RP_OK;
}

/* A field every record has, given as null or blank in a change. */
static rp_code kept_error(const char *key, rp_error *err)
{
    rp_error_set(err, RP_EINVALID, key,
                 "%s cannot be removed or blank, only changed", key);
    return rp_error_because(err, "required", 0);
}

rp_code rp_in_string(json_t *in, const char *key, int required, size_t maxchars,
                     const char **out, rp_error *err)
{
    json_t *v = json_object_get(in, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required == RP_IN_KEPT && v)
            return kept_error(key, err);
        if (required == RP_IN_REQUIRED) {
            rp_error_set(err, RP_EINVALID, key, "%s is required", key);
            return rp_error_because(err, "required", 0);
        }
        return RP_OK;
    }
    if (!json_is_string(v))
        return rp_error_set(err, RP_ETYPE, key, "%s must be a string, not %s",
                            key, type_name(v));
    if (check_text(v, key, maxchars, err))
        return err->code;
    if (rp_text_is_blank(json_string_value(v))) {
        if (required == RP_IN_KEPT)
            return kept_error(key, err);
        if (required) {
            rp_error_set(err, RP_EINVALID, key,
                         "%s is required; blank text does not count", key);
            return rp_error_because(err, "required", 0);
        }
        return RP_OK;
    }
    *out = json_string_value(v);
    return RP_OK;
}

rp_code rp_in_enum(json_t *in, const char *key, int required,
                   const char *const values[], const char **out, rp_error *err)
{
    if (rp_in_string(in, key, required, 64, out, err))
        return err->code;
    if (!*out)
        return RP_OK;
    for (int i = 0; values[i]; i++)
        if (strcmp(values[i], *out) == 0)
            return RP_OK;
    rp_buf list = RP_BUF_INIT, got = RP_BUF_INIT;
    for (int i = 0; values[i]; i++)
        rp_buf_printf(&list, "%s%s", i ? ", " : "", values[i]);
    rp_error_set(err, RP_EINVALID, key, "%s must be one of: %s (got \"%s\")",
                 key, rp_buf_str(&list), rp_cut(&got, *out, 40));
    rp_error_because(err, "not_allowed", 0);
    rp_buf_free(&list);
    rp_buf_free(&got);
    *out = NULL;
    return err->code;
}

/* The value of key in *v, or NULL when it is absent or null: then
 * RP_EINVALID when it is required. */
static rp_code field_value(json_t *in, const char *key, int required,
                           json_t **v, rp_error *err)
{
    *v = json_object_get(in, key);
    if (*v && json_is_null(*v)) {
        *v = NULL;
        if (required == RP_IN_KEPT)
            return kept_error(key, err);
    }
    if (!*v && required == RP_IN_REQUIRED) {
        rp_error_set(err, RP_EINVALID, key, "%s is required", key);
        return rp_error_because(err, "required", 0);
    }
    return RP_OK;
}

rp_code rp_in_int(json_t *in, const char *key, int required, int64_t min,
                  int64_t max, int64_t *out, int *present, rp_error *err)
{
    json_t *v;
    if (present)
        *present = 0;
    rp_code rc = field_value(in, key, required, &v, err);
    if (rc || !v)
        return rc;
    if (!json_is_integer(v))
        return rp_error_set(err, RP_ETYPE, key, "%s must be an integer, not %s",
                            key, type_name(v));
    int64_t n = json_integer_value(v);
    if (n < min || n > max) {
        rp_error_set(err, RP_EINVALID, key,
                     "%s must be between %" PRId64 " and %" PRId64, key, min,
                     max);
        return rp_error_because(err, "out_of_range", 0);
    }
    *out = n;
    if (present)
        *present = 1;
    return RP_OK;
}

rp_code rp_in_bool(json_t *in, const char *key, int required, int *out,
                   int *present, rp_error *err)
{
    json_t *v;
    if (present)
        *present = 0;
    rp_code rc = field_value(in, key, required, &v, err);
    if (rc || !v)
        return rc;
    if (!json_is_boolean(v))
        return rp_error_set(err, RP_ETYPE, key,
                            "%s must be true or false, not %s", key,
                            type_name(v));
    *out = json_is_true(v);
    if (present)
        *present = 1;
    return RP_OK;
}

rp_code rp_in_time(json_t *in, const char *key, int required, int64_t *out,
                   int *present, rp_error *err)
{
    const char *s;
    if (present)
        *present = 0;
    if (rp_in_string(in, key, required, 40, &s, err))
        return err->code;
    if (!s)
        return RP_OK;
    if (rp_time_parse(s, out)) {
        rp_error_set(err, RP_EINVALID, key,
                     "%s must be an RFC 3339 time such as "
                     "2026-11-23T09:30:00Z, in the years 0000 to 9999",
                     key);
        return rp_error_because(err, "not_a_time", 0);
    }
    if (present)
        *present = 1;
    return RP_OK;
}

rp_code rp_in_string_list(json_t *in, const char *key, size_t max_items,
                          size_t maxchars, json_t **out, rp_error *err)
{
    json_t *v = json_object_get(in, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return RP_OK;
    if (!json_is_array(v))
        return rp_error_set(err, RP_ETYPE, key,
                            "%s must be an array of strings, not %s", key,
                            type_name(v));
    if (json_array_size(v) > max_items) {
        rp_error_set(err, RP_EINVALID, key,
                     "%s has %zu items; at most %zu are allowed", key,
                     json_array_size(v), max_items);
        return rp_error_because(err, "too_many", (long long)max_items);
    }
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
        char name[80];
        snprintf(name, sizeof name, "%s[%zu]", key, i);
        if (!json_is_string(item))
            return rp_error_set(err, RP_ETYPE, key,
                                "%s must be a string, not %s", name,
                                type_name(item));
        rp_code rc = check_text(item, name, maxchars, err);
        if (rc == RP_OK && rp_text_is_blank(json_string_value(item))) {
            rp_error_set(err, RP_EINVALID, name, "%s must not be blank", name);
            rc = rp_error_because(err, "required", 0);
        }
        if (rc) {
            snprintf(err->field, sizeof err->field, "%s", key);
            return err->code;
        }
    }
    *out = v;
    return RP_OK;
}

void rp_ascii_lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

json_t *rp_strings_lower(json_t *list)
{
    json_t *out = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        char *s = out ? strdup(json_string_value(v)) : NULL;
        if (!s) {
            json_decref(out);
            return NULL;
        }
        rp_ascii_lower(s);
        json_array_append_new(out, json_string(s));
        free(s);
    }
    return out;
}

/* "<field> must be a positive integer", quoting text by characters: an id
 * comes from a URL or argv, which may hold bytes that are not text. */
static rp_code not_an_id(const char *text, const char *field, rp_error *err)
{
    rp_buf q = RP_BUF_INIT;
    rp_error_set(err, RP_EMALFORMED, field,
                 "%s must be a positive integer, not \"%s\"", field,
                 rp_cut(&q, text, 40));
    rp_buf_free(&q);
    return err->code;
}

rp_code rp_parse_id(const char *text, const char *field, int64_t *out,
                    rp_error *err)
{
    if (!text || !*text)
        return rp_error_refuse(err, RP_EINVALID, field, "required", 0,
                               "%s is required", field);
    for (const char *p = text; *p; p++)
        if (!isdigit((unsigned char)*p))
            return not_an_id(text, field, err);
    errno = 0;
    long long v = strtoll(text, NULL, 10);
    if (errno || v < 1)
        return not_an_id(text, field, err);
    *out = v;
    return RP_OK;
}

int rp_email_is_valid(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@'))
        return 0;
    const char *dot = strrchr(at + 1, '.');
    if (!dot || dot == at + 1 || dot[1] == '\0')
        return 0;
    for (const char *p = s; *p; p++)
        if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
            return 0;
    return 1;
}

int rp_phone_is_valid(const char *s)
{
    int digits = 0;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (!strchr("+-(). ", *p))
            return 0;
    }
    return digits >= 3 && digits <= 20;
}

rp_code rp_page_req_parse(const char *limit, const char *cursor,
                          rp_page_req *out, rp_error *err)
{
    out->limit = 50;
    out->after_id = 0;
    if (limit) {
        int64_t n;
        if (rp_parse_id(limit, "limit", &n, err))
            return rp_error_refuse(err, RP_EINVALID, "limit", "out_of_range", 0,
                                   "limit must be an integer from 1 to 500");
        if (n > 500)
            return rp_error_refuse(err, RP_EINVALID, "limit", "out_of_range", 0,
                                   "limit must be an integer from 1 to 500");
        out->limit = (int)n;
    }
    if (cursor && *cursor) {
        if (rp_parse_id(cursor, "cursor", &out->after_id, err))
            return rp_error_refuse(
                err, RP_EINVALID, "cursor", "unknown_id", 0,
                "cursor is not one that this server returned");
    }
    return RP_OK;
}

json_t *rp_page_result(json_t *rows, int limit)
{
    json_t *next = json_null();
    if ((int)json_array_size(rows) > limit) {
        json_array_remove(rows, (size_t)limit);
        json_t *last = json_array_get(rows, (size_t)limit - 1);
        char buf[32];
        snprintf(buf, sizeof buf, "%" PRId64,
                 (int64_t)json_integer_value(json_object_get(last, "id")));
        json_decref(next);
        next = json_string(buf);
    }
    return json_pack("{s:o, s:o}", "items", rows, "next_cursor", next);
}

/* ---- field tables -------------------------------------------------------- */

const rp_field rp_no_fields[] = {{.name = NULL}};

/* A field left out that must be given: the refusal says what it is for,
 * from the table ("to is required: the stage to move to"). */
static void say_what_is_missing(const rp_field *f, rp_error *err)
{
    size_t n = strlen(err->message);
    if (!f->meaning || err->code != RP_EINVALID ||
        strcmp(err->field, f->name) || n < 11 ||
        strcmp(err->message + n - 11, "is required"))
        return;
    snprintf(err->message + n, sizeof err->message - n, ": %s", f->meaning);
}

/* A field the core reads itself, or a list: given when it must be. */
static rp_code check_presence(json_t *in, const rp_field *f, int req,
                              rp_error *err)
{
    json_t *v = json_object_get(in, f->name);
    if ((!v || json_is_null(v)) && req == RP_IN_REQUIRED) {
        rp_error_set(err, RP_EINVALID, f->name, "%s is required", f->name);
        return rp_error_because(err, "required", 0);
    }
    if (v && json_is_null(v) && req == RP_IN_KEPT) {
        rp_error_set(err, RP_EINVALID, f->name,
                     "%s cannot be removed; leave it out to keep it", f->name);
        return rp_error_because(err, "required", 0);
    }
    return RP_OK;
}

/* Each item of a list of words is one of the field's values. */
static rp_code check_list_values(const rp_field *f, json_t *list, rp_error *err)
{
    size_t i;
    json_t *item;
    rp_buf q = RP_BUF_INIT;
    json_array_foreach(list, i, item) {
        const char *s = json_string_value(item);
        int known = 0;
        for (int k = 0; f->values[k] && !known; k++)
            known = strcmp(f->values[k], s) == 0;
        if (!known) {
            rp_buf one = RP_BUF_INIT;
            for (int k = 0; f->values[k]; k++)
                rp_buf_printf(&one, "%s%s", k ? ", " : "", f->values[k]);
            rp_error_set(err, RP_EINVALID, f->name,
                         "%s[%zu] \"%s\" is not one of: %s", f->name, i,
                         rp_cut(&q, s, 40), rp_buf_str(&one));
            rp_error_because(err, "not_allowed", 0);
            rp_buf_free(&one);
            rp_buf_free(&q);
            return err->code;
        }
    }
    return RP_OK;
}

/* A refusal inside a nested object says where it is ("items[2]: ...");
 * its field is the one inside, or the outer one when none is at fault. */
static rp_code nested_refusal(const rp_field *f, const char *where,
                              rp_error *err)
{
    char message[sizeof err->message], field[sizeof err->field],
        reason[sizeof err->reason];
    long long limit = err->limit;
    snprintf(message, sizeof message, "%s", err->message);
    snprintf(field, sizeof field, "%s", err->field[0] ? err->field : f->name);
    snprintf(reason, sizeof reason, "%s", err->reason);
    rp_error_set(err, err->code, field, "%s: %s", where, message);
    return rp_error_because(err, reason, limit);
}

/* An object field of .fields, an array of objects, a list of integers. */
static rp_code check_nested(const rp_field *f, json_t *v, int creating,
                            rp_error *err)
{
    char where[96];
    size_t i;
    json_t *item;
    if (f->type == RP_FIELD_OBJECT) {
        if (!json_is_object(v))
            return rp_error_set(err, RP_ETYPE, f->name,
                                "%s must be an object, not %s", f->name,
                                type_name(v));
        if (f->fields && rp_in_fields(v, f->fields, creating, err))
            return nested_refusal(f, f->name, err);
        return RP_OK;
    }
    if (f->type == RP_FIELD_NUMBER) {
        if (!json_is_number(v))
            return rp_error_set(err, RP_ETYPE, f->name,
                                "%s must be a number, not %s", f->name,
                                type_name(v));
        double d = json_number_value(v);
        if ((f->min || f->max) && (d < (double)f->min || d > (double)f->max)) {
            rp_error_set(err, RP_EINVALID, f->name,
                         "%s must be between %lld and %lld", f->name,
                         (long long)f->min, (long long)f->max);
            return rp_error_because(err, "out_of_range", 0);
        }
        return RP_OK;
    }
    if (f->type != RP_FIELD_ARRAY && f->type != RP_FIELD_INT_LIST)
        return RP_OK;
    if (!json_is_array(v))
        return rp_error_set(err, RP_ETYPE, f->name,
                            "%s must be an array, not %s", f->name,
                            type_name(v));
    if (f->max_items && json_array_size(v) > f->max_items) {
        rp_error_set(err, RP_EINVALID, f->name,
                     "%s has %zu items; at most %zu are allowed", f->name,
                     json_array_size(v), f->max_items);
        return rp_error_because(err, "too_many", (long long)f->max_items);
    }
    json_array_foreach(v, i, item) {
        snprintf(where, sizeof where, "%s[%zu]", f->name, i);
        if (f->type == RP_FIELD_INT_LIST) {
            json_int_t n = json_integer_value(item);
            if (!json_is_integer(item))
                return rp_error_set(err, RP_ETYPE, f->name,
                                    "%s must be an integer, not %s", where,
                                    type_name(item));
            if ((f->min || f->max) && (n < f->min || n > f->max)) {
                rp_error_set(err, RP_EINVALID, f->name,
                             "%s must be between %lld and %lld", where,
                             (long long)f->min, (long long)f->max);
                return rp_error_because(err, "out_of_range", 0);
            }
            continue;
        }
        if (!json_is_object(item))
            return rp_error_set(err, RP_ETYPE, f->name,
                                "%s must be an object, not %s", where,
                                type_name(item));
        if (f->fields && rp_in_fields(item, f->fields, creating, err))
            return nested_refusal(f, where, err);
    }
    return RP_OK;
}

rp_code rp_in_fields(json_t *in, const rp_field *fields, int creating,
                     rp_error *err)
{
    size_t n = 0;
    while (fields[n].name)
        n++;
    const char **allowed = calloc(n + 1, sizeof *allowed);
    if (!allowed)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < n; i++)
        allowed[i] = fields[i].name;
    rp_code rc = rp_in_object(in, allowed, err);
    free(allowed);
    for (const rp_field *f = fields; rc == RP_OK && f->name; f++) {
        int req = f->required == RP_IN_CREATE ? RP_IN_ALWAYS(creating)
                                              : f->required;
        const char *s;
        int64_t i64;
        int b, present;
        json_t *list, *v;
        switch (f->type) {
        case RP_FIELD_TEXT:
            rc = rp_in_string(in, f->name, req,
                              f->max_chars ? f->max_chars : SIZE_MAX, &s, err);
            break;
        case RP_FIELD_ENUM:
            rc = rp_in_enum(in, f->name, req, f->values, &s, err);
            break;
        case RP_FIELD_INT:
            rc = rp_in_int(
                in, f->name, req, f->min || f->max ? f->min : INT64_MIN,
                f->min || f->max ? f->max : INT64_MAX, &i64, &present, err);
            break;
        case RP_FIELD_BOOL:
            rc = rp_in_bool(in, f->name, req, &b, &present, err);
            break;
        case RP_FIELD_TIME:
            rc = rp_in_time(in, f->name, req, &i64, &present, err);
            break;
        case RP_FIELD_TEXT_LIST:
            rc = rp_in_string_list(
                in, f->name, f->max_items ? f->max_items : SIZE_MAX,
                f->max_chars ? f->max_chars : SIZE_MAX, &list, err);
            if (rc == RP_OK && list && f->values)
                rc = check_list_values(f, list, err);
            if (rc == RP_OK)
                rc = check_presence(in, f, req, err);
            break;
        default:
            rc = check_presence(in, f, req, err);
            v = json_object_get(in, f->name);
            if (rc == RP_OK && v && !json_is_null(v))
                rc = check_nested(f, v, creating, err);
            break;
        }
        if (rc)
            say_what_is_missing(f, err);
    }
    return rc;
}

static json_t *field_schema(const rp_field *f, int creating);

json_t *rp_fields_schema(const rp_field *fields, int creating)
{
    json_t *props = json_object(), *required = json_array();
    for (const rp_field *f = fields; f->name; f++) {
        json_object_set_new(props, f->name, field_schema(f, creating));
        if (f->required == RP_IN_REQUIRED ||
            (creating && f->required == RP_IN_CREATE))
            json_array_append_new(required, json_string(f->name));
    }
    json_t *s = json_pack("{s:s, s:o, s:b}", "type", "object", "properties",
                          props, "additionalProperties", 0);
    if (json_array_size(required))
        json_object_set_new(s, "required", required);
    else
        json_decref(required);
    return s;
}

json_t *rp_field_schema(const rp_field *f)
{
    return field_schema(f, 1);
}

static json_t *field_schema(const rp_field *f, int creating)
{
    json_t *s = json_object(), *types = json_array();
    const char *type = "string";
    switch (f->type) {
    case RP_FIELD_INT: type = "integer"; break;
    case RP_FIELD_NUMBER: type = "number"; break;
    case RP_FIELD_BOOL: type = "boolean"; break;
    case RP_FIELD_TEXT_LIST:
    case RP_FIELD_INT_LIST:
    case RP_FIELD_ARRAY: type = "array"; break;
    case RP_FIELD_OBJECT: type = "object"; break;
    default: break;
    }
    /* only an optional field may be given as null (no value) */
    if (f->required == RP_IN_OPTIONAL) {
        json_array_append_new(types, json_string(type));
        json_array_append_new(types, json_string("null"));
        json_object_set_new(s, "type", types);
    } else {
        json_decref(types);
        json_object_set_new(s, "type", json_string(type));
    }
    if (f->meaning)
        json_object_set_new(s, "description", json_string(f->meaning));
    switch (f->type) {
    case RP_FIELD_TEXT:
        /* blank text is no text: a field that must have a value needs
         * more than white space (minLength says the least of it) */
        if (f->required != RP_IN_OPTIONAL)
            json_object_set_new(s, "minLength", json_integer(1));
        if (f->max_chars)
            json_object_set_new(s, "maxLength", json_integer(f->max_chars));
        if (f->format)
            json_object_set_new(s, "x-rapport-format", json_string(f->format));
        break;
    case RP_FIELD_ENUM: {
        json_t *values = json_array();
        for (int i = 0; f->values[i]; i++)
            json_array_append_new(values, json_string(f->values[i]));
        if (f->required == RP_IN_OPTIONAL)
            json_array_append_new(values, json_null());
        json_object_set_new(s, "enum", values);
        break;
    }
    case RP_FIELD_INT:
    case RP_FIELD_NUMBER:
        if (f->min || f->max) {
            json_object_set_new(s, "minimum", json_integer(f->min));
            json_object_set_new(s, "maximum", json_integer(f->max));
        }
        break;
    case RP_FIELD_TIME:
        json_object_set_new(s, "format", json_string("date-time"));
        break;
    case RP_FIELD_TEXT_LIST: {
        json_t *item = json_pack("{s:s, s:i}", "type", "string", "minLength",
                                 1);
        if (f->max_chars)
            json_object_set_new(item, "maxLength", json_integer(f->max_chars));
        if (f->format)
            json_object_set_new(item, "x-rapport-format",
                                json_string(f->format));
        if (f->values) {
            json_t *values = json_array();
            for (int i = 0; f->values[i]; i++)
                json_array_append_new(values, json_string(f->values[i]));
            json_object_set_new(item, "enum", values);
        }
        json_object_set_new(s, "items", item);
        if (f->max_items)
            json_object_set_new(s, "maxItems", json_integer(f->max_items));
        break;
    }
    case RP_FIELD_INT_LIST: {
        json_t *item = json_pack("{s:s}", "type", "integer");
        if (f->min || f->max) {
            json_object_set_new(item, "minimum", json_integer(f->min));
            json_object_set_new(item, "maximum", json_integer(f->max));
        }
        json_object_set_new(s, "items", item);
        if (f->max_items)
            json_object_set_new(s, "maxItems", json_integer(f->max_items));
        break;
    }
    case RP_FIELD_ARRAY:
        if (f->fields)
            json_object_set_new(s, "items",
                                rp_fields_schema(f->fields, creating));
        if (f->max_items)
            json_object_set_new(s, "maxItems", json_integer(f->max_items));
        break;
    case RP_FIELD_OBJECT:
        if (f->fields) {
            /* the nested object's own shape, null kept when optional */
            json_t *inner = rp_fields_schema(f->fields, creating);
            json_object_set(inner, "type", json_object_get(s, "type"));
            if (f->meaning)
                json_object_set_new(inner, "description",
                                    json_string(f->meaning));
            json_decref(s);
            s = inner;
        }
        break;
    default: break;
    }
    return s;
}
