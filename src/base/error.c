/*
 * error.c - filling and naming rp_error values (see error.h).
 */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The fixed buffers of rp_error may cut a long text inside a character;
 * drop such a partial character from the end, so a message or field is
 * always valid UTF-8 (a JSON error body cannot be built otherwise). */
static void drop_partial_character(char *s)
{
    size_t len = strlen(s), lead = len;
    while (lead > 0 && len - lead < 4 &&
           ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead == 0)
        return;
    unsigned char c = (unsigned char)s[lead - 1];
    size_t need = c < 0x80    ? 1
                  : c >= 0xF0 ? 4
                  : c >= 0xE0 ? 3
                  : c >= 0xC0 ? 2
                              : 1;
    if (len - (lead - 1) < need)
        s[lead - 1] = '\0';
}

rp_code rp_error_vset(rp_error *err, rp_code code, const char *field,
                      const char *fmt, va_list ap)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    drop_partial_character(err->field);
    drop_partial_character(err->message);
    return code;
}

rp_code rp_error_set(rp_error *err, rp_code code, const char *field,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rp_error_vset(err, code, field, fmt, ap);
    va_end(ap);
    return code;
}

void rp_error_clear(rp_error *err)
{
    if (!err)
        return;
    err->code = RP_OK;
    err->field[0] = '\0';
    err->message[0] = '\0';
}

static const struct {
    rp_code code;
    const char *name;
    int status;
} code_table[] = {
    {RP_OK, "ok", 200},
    {RP_EMALFORMED, "malformed", 400},
    {RP_ETYPE, "wrong_type", 400},
    {RP_EINVALID, "invalid", 422},
    {RP_ENOTFOUND, "not_found", 404},
    {RP_ECONFLICT, "conflict", 409},
    {RP_EAUTH, "unauthorized", 401},
    {RP_EFORBIDDEN, "forbidden", 403},
    {RP_ETOOLARGE, "too_large", 413},
    {RP_EMEDIATYPE, "unsupported_media_type", 415},
    {RP_EMETHOD, "method_not_allowed", 405},
    {RP_ERATELIMIT, "rate_limited", 429},
    {RP_ECSRF, "csrf", 403},
    {RP_ESCHEMA, "schema_too_new", 500},
    {RP_EINTERNAL, "internal", 500},
};

const char *rp_code_name(rp_code code)
{
    for (size_t i = 0; i < sizeof code_table / sizeof code_table[0]; i++)
        if (code_table[i].code == code)
            return code_table[i].name;
    return "internal";
}

int rp_code_http_status(rp_code code)
{
    for (size_t i = 0; i < sizeof code_table / sizeof code_table[0]; i++)
        if (code_table[i].code == code)
            return code_table[i].status;
    return 500;
}
