/*
 * input.h - validating what people send us.
 *
 * Every field that enters rapport, from the API or the CLI, passes through
 * one of these checks, so the same mistake gets the same message everywhere:
 * the message names the field and says what is wrong with it.  Wrong JSON
 * types are RP_ETYPE (HTTP 400); values that break a rule (missing, empty,
 * too long, not one of the allowed words) are RP_EINVALID (HTTP 422).
 */
#ifndef RP_INPUT_H
#define RP_INPUT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/error.h"

/*
 * The `required` of the rp_in_* checks: what leaving a field out, or
 * giving it as null (or blank text), means.  A field every record has is
 * RP_IN_REQUIRED when the record is made and RP_IN_KEPT when it is
 * changed (RP_IN_ALWAYS(creating) says which), so that a change cannot
 * remove or blank what a create would have refused.
 */
#define RP_IN_OPTIONAL 0 /* absent, null or blank: no value */
#define RP_IN_REQUIRED 1 /* must be given, and not null or blank */
#define RP_IN_KEPT 2     /* may be left out; null or blank is refused */
#define RP_IN_ALWAYS(creating) ((creating) ? RP_IN_REQUIRED : RP_IN_KEPT)

/* ---- field tables --------------------------------------------------------
 *
 * A request's fields can be written down once as a table of rp_field: the
 * core checks its input with rp_in_fields, and the server's OpenAPI
 * document describes the same fields with rp_field_schema, so what the
 * contract says a body may hold is what the core accepts.
 */
#define RP_IN_CREATE 3 /* in a field table: RP_IN_ALWAYS(creating) */

typedef enum rp_field_type {
    RP_FIELD_TEXT,      /* rp_in_string: max characters */
    RP_FIELD_ENUM,      /* rp_in_enum: one of values */
    RP_FIELD_INT,       /* rp_in_int: min to max */
    RP_FIELD_BOOL,      /* rp_in_bool */
    RP_FIELD_TIME,      /* rp_in_time: an RFC 3339 time */
    RP_FIELD_TEXT_LIST, /* rp_in_string_list: max items of max characters */
    RP_FIELD_NUMBER,    /* a JSON number, min to max (checked by the core) */
    RP_FIELD_OBJECT,    /* a JSON object: of .fields when given, each checked
                           as a body is; else any object the core reads */
    RP_FIELD_ARRAY,     /* up to max_items objects, each of .fields */
    RP_FIELD_INT_LIST   /* up to max_items integers, each min to max */
} rp_field_type;

typedef struct rp_field rp_field;
struct rp_field {
    const char *name;
    rp_field_type type;
    int required;     /* RP_IN_OPTIONAL, _REQUIRED, _KEPT, _CREATE */
    size_t max_chars; /* TEXT and each item of TEXT_LIST; 0: none */
    size_t max_items; /* TEXT_LIST, ARRAY, INT_LIST; 0: none */
    int64_t min, max; /* INT, NUMBER, each of INT_LIST (both 0: no bounds) */
    const char *const *values;     /* ENUM, and each item of a TEXT_LIST that
                                      has them; NULL-terminated */
    const char *format;            /* "email", "phone": a rule checked after */
    const char *meaning;           /* a few words for the contract, or NULL */
    const struct rp_field *fields; /* OBJECT and ARRAY: the fields of the
                                      object (of each item), NULL-ended */
};

/*
 * Check in against a field table (ended by a NULL name): an object of
 * only these fields, each of its type, within its limits, the required
 * ones given (RP_IN_CREATE: when creating), and a nested object or each
 * object of an array checked the same way against its own .fields (a
 * refusal inside one names the field inside, and says where: "items[2]:
 * name is required").  An unknown field is refused naming it.  It only
 * checks; the caller reads the values after with the rp_in_* calls (which
 * cannot fail then).
 */
rp_code rp_in_fields(json_t *in, const rp_field *fields, int creating,
                     rp_error *err);

/* The table of a body that has no fields: {} or nothing at all. */
extern const rp_field rp_no_fields[];

/* The JSON Schema of one field (new reference), for the contract. */
json_t *rp_field_schema(const rp_field *f);

/*
 * The JSON Schema of a body checked against fields (new reference): an
 * object of exactly those fields, the required ones (RP_IN_CREATE: when
 * creating) listed as such.
 */
json_t *rp_fields_schema(const rp_field *fields, int creating);

/* in must be a JSON object whose keys are all in allowed (NULL-terminated). */
rp_code rp_in_object(json_t *in, const char *const allowed[], rp_error *err);

/*
 * The string at key.  Absent, null or blank (rp_text_is_blank) gives
 * *out = NULL, and "<key> is required" when RP_IN_REQUIRED (null or blank
 * given is refused when RP_IN_KEPT): blank text is never stored, it is the
 * same as no text.  Longer than maxchars characters is
 * refused; so is a NUL inside the text, and text that is not UTF-8.
 */
rp_code rp_in_string(json_t *in, const char *key, int required, size_t maxchars,
                     const char **out, rp_error *err);

/* A string that must be one of values (NULL-terminated). */
rp_code rp_in_enum(json_t *in, const char *key, int required,
                   const char *const values[], const char **out, rp_error *err);

/* An integer in [min, max]; *present tells whether the key was given. */
rp_code rp_in_int(json_t *in, const char *key, int required, int64_t min,
                  int64_t max, int64_t *out, int *present, rp_error *err);

/* A boolean; *present tells whether the key was given. */
rp_code rp_in_bool(json_t *in, const char *key, int required, int *out,
                   int *present, rp_error *err);

/* An RFC 3339 time string, returned as Unix seconds. */
rp_code rp_in_time(json_t *in, const char *key, int required, int64_t *out,
                   int *present, rp_error *err);

/*
 * An array of at most max_items non-blank strings of at most maxchars each.
 * *out is borrowed from in (NULL when absent).
 */
rp_code rp_in_string_list(json_t *in, const char *key, size_t max_items,
                          size_t maxchars, json_t **out, rp_error *err);

/* Make A-Z in s a-z, in place; other characters are left as they are, so
 * the text stays valid UTF-8.  Tags, skills and topics are compared so. */
void rp_ascii_lower(char *s);

/*
 * A new array of the strings of list (an array of strings) with A-Z made
 * a-z; NULL when out of memory.
 */
json_t *rp_strings_lower(json_t *list);

/* Parse a decimal id (>= 1) given as text, e.g. from a URL or argv. */
rp_code rp_parse_id(const char *text, const char *field, int64_t *out,
                    rp_error *err);

/* Number of characters (code points) in a UTF-8 string. */
size_t rp_utf8_length(const char *s);

/*
 * 1 when the len bytes at s are well-formed UTF-8: no stray continuation
 * bytes, overlong forms, surrogates or code points above U+10FFFF.
 */
int rp_utf8_is_valid(const char *s, size_t len);

/* How many of the len bytes at s are well-formed UTF-8 before the first
 * that is not (len when all are): where a refusal says the fault is. */
size_t rp_utf8_valid_prefix(const char *s, size_t len);

/*
 * The one rule of what counts as no text, used by every check in rapport
 * ("was a fact recorded?", "is this field given?"): 1 when s is NULL,
 * empty, or made only of white space.  White space is Unicode's (tab,
 * newlines, U+0085, U+00A0 no-break space, U+1680, U+2000..U+200A,
 * U+2028/9, U+202F, U+205F, U+3000 ideographic space) and the characters
 * that show nothing at all (U+180E, U+200B..U+200D, U+2060, U+FEFF).
 * Anything else is text, a lone combining mark included; a byte that is
 * not UTF-8 is text too (rp_in_string refuses it before it gets this far).
 */
int rp_text_is_blank(const char *s);

/*
 * Append s to b cut after at most maxchars characters, for summaries that
 * quote what someone typed.  The cut never splits a character, nor a
 * letter from its accents, an emoji from its modifiers or joined emoji, or
 * a flag; a cut text ends with an ellipsis (U+2026).  A byte that is not
 * UTF-8 is appended as U+FFFD.  NULL appends nothing.
 */
void rp_buf_put_cut(rp_buf *b, const char *s, size_t maxchars);

/*
 * The text s cut as rp_buf_put_cut cuts it, in b (emptied first; the
 * caller frees it): the one way a message quotes what someone typed,
 * e.g. rp_error_set(err, ..., "not \"%s\"", rp_cut(&q, value, 40)).  A
 * byte of s that is not UTF-8 is quoted as U+FFFD, never echoed raw.  NULL
 * is "".
 */
const char *rp_cut(rp_buf *b, const char *s, size_t maxchars);

/* A plausible email address: one '@', something before, a dotted domain. */
int rp_email_is_valid(const char *s);

/* A plausible phone number: digits and + - ( ) . spaces, 3 to 20 digits. */
int rp_phone_is_valid(const char *s);

/* A page of a list: limit (1..500, default 50) and an opaque cursor. */
typedef struct rp_page_req {
    int limit;
    int64_t after_id;
} rp_page_req;

/* Parse limit and cursor given as text (either may be NULL). */
rp_code rp_page_req_parse(const char *limit, const char *cursor,
                          rp_page_req *out, rp_error *err);

/*
 * Build {"items": rows[0..limit), "next_cursor": ...} from rows fetched with
 * limit + 1, so that the presence of one more row tells that there is a next
 * page.  Steals rows.
 */
json_t *rp_page_result(json_t *rows, int limit);

#endif
