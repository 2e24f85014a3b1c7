/*
 * error.h - the one error type of rapport.
 *
 * Every fallible function in librapport returns an rp_code and, on failure,
 * fills an rp_error that names the field at fault (when there is one) and says
 * why in words a person can act on.  The HTTP server maps the code to a status
 * and the CLI maps it to an exit code; neither invents messages of its own.
 */
#ifndef RP_ERROR_H
#define RP_ERROR_H

#include <stdarg.h>

typedef enum rp_code {
    RP_OK = 0,
    RP_EMALFORMED, /* input cannot be parsed at all (bad JSON, bad number) */
    RP_ETYPE,      /* a field has the wrong JSON type */
    RP_EINVALID, /* well-formed input that breaks a rule (missing, too long, bad
                    value) */
    RP_ENOTFOUND,  /* the thing named by an id does not exist */
    RP_ECONFLICT,  /* the request is valid but the current state refuses it */
    RP_EAUTH,      /* no valid credentials */
    RP_EFORBIDDEN, /* credentials valid, role not allowed */
    RP_ETOOLARGE,  /* request body over the limit */
    RP_EMEDIATYPE, /* wrong content type */
    RP_EMETHOD,    /* method not allowed on this resource */
    RP_ERATELIMIT, /* too many attempts */
    RP_ECSRF,      /* a browser session's change without its CSRF token */
    RP_ESCHEMA,    /* database schema is newer than this program knows */
    RP_EBUSY,      /* the database is busy: a temporary failure, try again */
    RP_ENOSPACE,   /* the disk holding the database is full */
    RP_EINTERNAL   /* a bug or an I/O failure; the message says which */
} rp_code;

#define RP_ERROR_FIELD_MAX 64
#define RP_ERROR_MESSAGE_MAX 384
#define RP_ERROR_REASON_MAX 24

/*
 * Which rule of a field was broken, stable and machine-readable beside
 * the message (the console says it in the agent's language): "required",
 * "too_long" (limit: the most characters), "too_many" (limit: the most
 * items), "not_allowed" (not one of the values), "out_of_range",
 * "not_text" (not UTF-8, or a NUL inside), "not_a_time",
 * "not_an_email", "not_a_phone", "unknown_field".  "" when the message alone
 * says it.
 */
typedef struct rp_error {
    rp_code code;
    char field[RP_ERROR_FIELD_MAX]; /* "" when no single field is at fault */
    char message[RP_ERROR_MESSAGE_MAX];
    char reason[RP_ERROR_REASON_MAX]; /* "" or one of the reasons above */
    long long limit;                  /* too_long, too_many: the limit; 0 */
} rp_error;

/*
 * Fill err (if not NULL) with code, field (may be NULL) and a printf-style
 * message.  Returns code, so callers can write `return rp_error_set(...)`.
 */
rp_code rp_error_set(rp_error *err, rp_code code, const char *field,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* rp_error_set with a va_list, for functions that take a format of their
 * own.  A character cut by the fixed buffers, or by a "%.Ns" in fmt, is
 * dropped, so field and message are always valid UTF-8. */
rp_code rp_error_vset(rp_error *err, rp_code code, const char *field,
                      const char *fmt, va_list ap);

/*
 * Name the rule err's field broke (one of the reasons above) and its
 * limit (0: none), after rp_error_set, which clears both.  Returns
 * err->code (RP_OK when err is NULL).
 */
rp_code rp_error_because(rp_error *err, const char *reason, long long limit);

/* Reset err to RP_OK with empty field, message and reason. */
void rp_error_clear(rp_error *err);

/* Stable machine-readable name of a code, e.g. "not_found"; used in JSON. */
const char *rp_code_name(rp_code code);

/* HTTP status that an error of this code is reported with. */
int rp_code_http_status(rp_code code);

#endif
