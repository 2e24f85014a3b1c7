/*
 * input.c - field validation and paging (see input.h).
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
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
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
    json_object_foreach(in, key, v)
    {
        (void)v;
        int known = 0;
        for (int i = 0; allowed[i]; i++)
            if (strcmp(allowed[i], key) == 0)
                known = 1;
        if (!known)
            return rp_error_set(err, RP_EINVALID, key,
                                "%s is not a field that can be set here", key);
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

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

static rp_code check_text(json_t *v, const char *key, size_t maxchars,
                          int nonempty, rp_error *err)
{
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v))
        return rp_error_set(err, RP_EINVALID, key,
                            "%s must not contain a NUL character", key);
    if (nonempty && is_blank(s))
        return rp_error_set(err, RP_EINVALID, key, "%s must not be empty", key);
    size_t n = rp_utf8_length(s);
    if (n > maxchars)
        return rp_error_set(err, RP_EINVALID, key,
                            "%s is %zu characters long; at most %zu are allowed",
                            key, n, maxchars);
    return RP_OK;
}

rp_code rp_in_string(json_t *in, const char *key, int required,
                     size_t maxchars, const char **out, rp_error *err)
{
    json_t *v = json_object_get(in, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return rp_error_set(err, RP_EINVALID, key, "%s is required", key);
        return RP_OK;
    }
    if (!json_is_string(v))
        return rp_error_set(err, RP_ETYPE, key, "%s must be a string, not %s",
                            key, type_name(v));
    if (check_text(v, key, maxchars, required, err))
        return err->code;
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
    char list[256] = "";
    for (int i = 0; values[i]; i++) {
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                 values[i]);
    }
    rp_error_set(err, RP_EINVALID, key, "%s must be one of: %s (got \"%.40s\")",
                 key, list, *out);
    *out = NULL;
    return err->code;
}

rp_code rp_in_int(json_t *in, const char *key, int required, int64_t min,
                  int64_t max, int64_t *out, int *present, rp_error *err)
{
    json_t *v = json_object_get(in, key);
    if (present)
        *present = 0;
    if (!v || json_is_null(v)) {
        if (required)
            return rp_error_set(err, RP_EINVALID, key, "%s is required", key);
        return RP_OK;
    }
    if (!json_is_integer(v))
        return rp_error_set(err, RP_ETYPE, key,
                            "%s must be an integer, not %s", key, type_name(v));
    int64_t n = json_integer_value(v);
    if (n < min || n > max)
        return rp_error_set(err, RP_EINVALID, key,
                            "%s must be between %" PRId64 " and %" PRId64, key,
                            min, max);
    *out = n;
    if (present)
        *present = 1;
    return RP_OK;
}

rp_code rp_in_bool(json_t *in, const char *key, int required, int *out,
                   int *present, rp_error *err)
{
    json_t *v = json_object_get(in, key);
    if (present)
        *present = 0;
    if (!v || json_is_null(v)) {
        if (required)
            return rp_error_set(err, RP_EINVALID, key, "%s is required", key);
        return RP_OK;
    }
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
    if (rp_time_parse(s, out))
        return rp_error_set(err, RP_EINVALID, key,
                            "%s must be an RFC 3339 time such as "
                            "2026-11-23T09:30:00Z",
                            key);
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
    if (json_array_size(v) > max_items)
        return rp_error_set(err, RP_EINVALID, key,
                            "%s has %zu items; at most %zu are allowed", key,
                            json_array_size(v), max_items);
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        char name[80];
        snprintf(name, sizeof name, "%s[%zu]", key, i);
        if (!json_is_string(item))
            return rp_error_set(err, RP_ETYPE, key, "%s must be a string, not %s",
                                name, type_name(item));
        if (check_text(item, name, maxchars, 1, err)) {
            snprintf(err->field, sizeof err->field, "%s", key);
            return err->code;
        }
    }
    *out = v;
    return RP_OK;
}

rp_code rp_parse_id(const char *text, const char *field, int64_t *out,
                    rp_error *err)
{
    if (!text || !*text)
        return rp_error_set(err, RP_EINVALID, field, "%s is required", field);
    for (const char *p = text; *p; p++)
        if (!isdigit((unsigned char)*p))
            return rp_error_set(err, RP_EMALFORMED, field,
                                "%s must be a positive integer, not \"%.40s\"",
                                field, text);
    errno = 0;
    long long v = strtoll(text, NULL, 10);
    if (errno || v < 1)
        return rp_error_set(err, RP_EMALFORMED, field,
                            "%s must be a positive integer, not \"%.40s\"",
                            field, text);
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
            return rp_error_set(err, RP_EINVALID, "limit",
                                "limit must be an integer from 1 to 500");
        if (n > 500)
            return rp_error_set(err, RP_EINVALID, "limit",
                                "limit must be an integer from 1 to 500");
        out->limit = (int)n;
    }
    if (cursor && *cursor) {
        if (rp_parse_id(cursor, "cursor", &out->after_id, err))
            return rp_error_set(err, RP_EINVALID, "cursor",
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
