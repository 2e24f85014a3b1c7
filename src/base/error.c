/*
 * error.c - filling and naming rp_error values (see error.h).
 */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

rp_code rp_error_set(rp_error *err, rp_code code, const char *field,
                     const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
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
