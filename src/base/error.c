/*
 * error.c - filling and naming rp_error values (see error.h).
 */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A message may quote what someone typed, cut to a byte count ("%.60s")
 * or by the fixed buffers of rp_error, and so cut inside a character.
 * Drop every such partial character, wherever it stands, so a field or a
 * message is always valid UTF-8 (a JSON error body cannot be built
 * otherwise). */
static void drop_partial_characters(char *s)
{
    unsigned char *in = (unsigned char *)s, *out = in;
    while (*in) {
        size_t need = *in < 0x80    ? 1
                      : *in >= 0xF0 ? 4
                      : *in >= 0xE0 ? 3
                      : *in >= 0xC0 ? 2
                                    : 0;
        size_t have = need ? 1 : 0;
        while (have && have < need && (in[have] & 0xC0) == 0x80)
            have++;
        if (need && have == need) {
            memmove(out, in, need);
            out += need;
            in += need;
        } else {
            in += have ? have : 1; /* a stray or cut piece: dropped */
        }
    }
    *out = '\0';
}

rp_code rp_error_vset(rp_error *err, rp_code code, const char *field,
                      const char *fmt, va_list ap)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    err->reason[0] = '\0';
    err->limit = 0;
    drop_partial_characters(err->field);
    drop_partial_characters(err->message);
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

rp_code rp_error_refuse(rp_error *err, rp_code code, const char *field,
                        const char *reason, long long limit, const char *fmt,
                        ...)
{
    va_list ap;
    va_start(ap, fmt);
    rp_error_vset(err, code, field, fmt, ap);
    va_end(ap);
    rp_error_because(err, reason, limit);
    return code;
}

const char *const rp_error_reasons[] = {"required",
                                        "too_long",
                                        "too_many",
                                        "too_short",
                                        "not_allowed",
                                        "out_of_range",
                                        "not_text",
                                        "not_a_time",
                                        "not_an_email",
                                        "not_a_phone",
                                        "unknown_field",
                                        "unknown_id",
                                        "not_changeable",
                                        "nothing_to_change",
                                        "not_both",
                                        "not_needed",
                                        "wrong_order",
                                        "overlap",
                                        "same_customer",
                                        "inactive",
                                        "step_missing",
                                        "out_of_order",
                                        "finished",
                                        "already_done",
                                        "changed_meanwhile",
                                        "too_late",
                                        "taken",
                                        "limit_reached",
                                        "last_admin",
                                        "merged",
                                        "erased",
                                        "erasure_pending",
                                        "own_request",
                                        "not_set_up",
                                        "opted_out",
                                        "kept_as_record",
                                        "wrong_kind",
                                        "in_the_past",
                                        "too_big",
                                        "no_address",
                                        "not_a_url",
                                        "repeated",
                                        "one_starting_tier",
                                        "self_reference",
                                        "no_secret_key",
                                        "tampered",
                                        "unreadable",
                                        "no_such_column",
                                        "no_name_column",
                                        NULL};

rp_code rp_error_because(rp_error *err, const char *reason, long long limit)
{
    if (!err)
        return RP_OK;
    snprintf(err->reason, sizeof err->reason, "%s", reason ? reason : "");
    err->limit = limit;
    return err->code;
}

void rp_error_clear(rp_error *err)
{
    if (!err)
        return;
    err->code = RP_OK;
    err->field[0] = '\0';
    err->message[0] = '\0';
    err->reason[0] = '\0';
    err->limit = 0;
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
    {RP_EBUSY, "busy", 503},
    {RP_ENOSPACE, "no_space", 507},
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
