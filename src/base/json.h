/*
 * json.h - writing JSON text fast: a value of jansson's into an rp_buf, and
 * the pieces of JSON (strings, numbers, times) written straight from
 * values that are not json_t at all.
 *
 * Every reply of rapportd is JSON, and jansson's json_dumps spent about a
 * fifth of the CPU of a request on the customer 360 view (bench/README.md)
 * through a callback per piece and a UTF-8 decoding per character.  These
 * write the same bytes as json_dumps(value, JSON_COMPACT) for every value
 * jansson accepts (object keys in their order, "/" unescaped, text other
 * than ASCII as UTF-8, control characters as \u00XX with upper-case hex,
 * reals as "%.17g" with ".0" added and the exponent's "+" and leading zeros
 * removed), checked against jansson by test_json.c.  The one difference:
 * a string holding bytes that are not UTF-8 (a value stored by another
 * program) makes json_dumps fail; here each such byte is written as
 * U+FFFD, as rapport shows a byte that is not text (docs/design.md).
 */
#ifndef RP_JSON_H
#define RP_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Append value as compact JSON text (json_dumps' JSON_COMPACT bytes); a
 * NULL value as null. */
void rp_json_write(rp_buf *b, const json_t *value);

/* Append len bytes of s as a JSON string, quotes included. */
void rp_json_write_string(rp_buf *b, const char *s, size_t len);

/* Append an integer as JSON. */
void rp_json_write_int(rp_buf *b, int64_t n);

/* Append a real as jansson writes it (finite values only). */
void rp_json_write_real(rp_buf *b, double d);

/* 1 when the len bytes of text are an array or an object that
 * rp_json_write writes back byte for byte once json_loads has read it, so
 * that stored JSON in that form can be copied instead of parsed and
 * written again: compact (no white space), strings with nothing escaped
 * and only UTF-8 text, integers without a sign, a leading zero or more
 * than 18 digits, true, false and null, no key twice in an object, at
 * most 16 deep.  0 for anything else (the caller parses it then). */
int rp_json_is_compact(const char *text, size_t len);

/* Find the value of the member key (len bytes, no escapes) of the object
 * text (len bytes of compact JSON, as rp_json_write writes it): 1 with
 * its first byte's offset in *at and its length in *n, 0 when the object
 * has no such member or the text is not an object.  A view that writes a
 * row and then some of its values again copies them from the row's text. */
int rp_json_member(const char *text, size_t len, const char *key,
                   size_t key_len, size_t *at, size_t *n);

/* value as compact JSON text in a new allocation the caller frees, and its
 * length in *len; NULL when out of memory. */
char *rp_json_text(const json_t *value, size_t *len);

#endif
