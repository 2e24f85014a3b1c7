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
 * Why a request was refused, stable and machine-readable beside the
 * message (the console says it in the agent's language, with what to do
 * next): one of rp_error_reasons below, "" when none applies.  A field's
 * rule: "required", "too_long" (limit: the most characters), "too_many"
 * (limit: the most items), "too_short", "not_allowed" (not one of the
 * values), "out_of_range", "not_text" (not UTF-8, or a NUL inside),
 * "not_a_time", "not_an_email", "not_a_phone", "not_a_url",
 * "unknown_field",
 * "unknown_id" (an id that names nothing), "not_changeable",
 * "nothing_to_change", "not_both" (give one of two, not both or neither),
 * "not_needed", "wrong_order" (a time or amount before the one it must
 * follow), "in_the_past", "overlap", "repeated", "same_customer",
 * "self_reference", "inactive", "too_big" (a file; limit: the most
 * bytes), "no_address" (the customer has none to write to),
 * "one_starting_tier".  "too_short"'s limit is the fewest characters.  The
 * state's refusals (conflict): "step_missing" (field: the step to record
 * first), "out_of_order" (a step cannot be skipped or undone), "finished" (it
 * is closed and changes no more), "already_done", "changed_meanwhile",
 * "too_late", "taken" (the name or address belongs to another), "limit_reached"
 * (limit: the most), "last_admin", "merged", "erased", "erasure_pending",
 * "own_request", "not_set_up", "opted_out", "kept_as_record",
 * "wrong_kind", "no_secret_key" (a secret cannot be sealed or opened: the
 * server has no key for it), "tampered" (what is stored was changed
 * outside rapport: nothing is changed).  A file to import: "unreadable"
 * (the file, or a row of it, cannot be read as CSV; limit: the line, when
 * known), "no_such_column" (a
 * column mapped that the file does not have), "no_name_column" (no column
 * gives the customer's name).
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
 * rp_error_set and rp_error_because in one: fill err with code, field,
 * the reason (one of rp_error_reasons) and its limit (0: none), and the
 * message.  Returns code.
 */
rp_code rp_error_refuse(rp_error *err, rp_code code, const char *field,
                        const char *reason, long long limit, const char *fmt,
                        ...) __attribute__((format(printf, 6, 7)));

/*
 * Name the rule err's field broke (one of the reasons above) and its
 * limit (0: none), after rp_error_set, which clears both.  Returns
 * err->code (RP_OK when err is NULL).
 */
rp_code rp_error_because(rp_error *err, const char *reason, long long limit);

/* Every reason rp_error_because may name, in the order docs/api.md lists
 * them; NULL-terminated.  The OpenAPI document lists them as the Error
 * schema's reasons, and the console's test checks it says each one. */
extern const char *const rp_error_reasons[];

/* Reset err to RP_OK with empty field, message and reason. */
void rp_error_clear(rp_error *err);

/* Stable machine-readable name of a code, e.g. "not_found"; used in JSON. */
const char *rp_code_name(rp_code code);

/* HTTP status that an error of this code is reported with. */
int rp_code_http_status(rp_code code);

#endif
