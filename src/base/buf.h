/*
 * buf.h - the one growable byte buffer of rapport.
 *
 * Text that is built piece by piece (a SQL statement from the entity
 * catalogue, a Prometheus exposition, an HTML page, a request body) goes
 * into an rp_buf, never into a fixed array that could cut it.  A buffer
 * that fails to grow remembers the failure and ignores further appends, so
 * a builder checks once at the end instead of after every piece.
 */
#ifndef RP_BUF_H
#define RP_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

typedef struct rp_buf {
    char *p;    /* the bytes, NUL-terminated once anything is appended */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated */
    int failed; /* an allocation failed; the contents are incomplete */
} rp_buf;

/* An empty buffer; nothing is allocated until the first append. */
/* clang-format off */
#define RP_BUF_INIT {NULL, 0, 0, 0}
/* clang-format on */

/* Make room for n more bytes (and a NUL); returns 0, or -1 when out of memory.
 */
int rp_buf_reserve(rp_buf *b, size_t n);

/* Append n bytes of s. */
void rp_buf_append(rp_buf *b, const char *s, size_t n);

/* rp_buf_append, inline when the bytes fit in what is allocated: for the
 * many small pieces of JSON text written a reply at a time (base/json.h). */
static inline void rp_buf_add(rp_buf *b, const char *s, size_t n)
{
    if (b->len + n < b->cap && !b->failed) { /* cap > 0: p allocated */
        memcpy(b->p + b->len, s, n);
        b->len += n;
        b->p[b->len] = '\0';
    } else {
        rp_buf_append(b, s, n);
    }
}

/* Append the NUL-terminated string s. */
void rp_buf_puts(rp_buf *b, const char *s);

/* Append printf-style formatted text. */
void rp_buf_printf(rp_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* rp_buf_printf with a va_list, for functions that take a format. */
void rp_buf_vprintf(rp_buf *b, const char *fmt, va_list ap);

/* The text so far: "" when nothing was appended (never NULL). */
const char *rp_buf_str(const rp_buf *b);

/* Hand the allocation to the caller (who frees it) and reset b. */
char *rp_buf_steal(rp_buf *b);

/* Empty b, keeping its allocation for the next text. */
void rp_buf_clear(rp_buf *b);

/* Free the allocation and reset b to empty. */
void rp_buf_free(rp_buf *b);

#endif
