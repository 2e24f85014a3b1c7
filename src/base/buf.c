/*
 * buf.c - the growable buffer of buf.h.  Capacity doubles, so building a
 * text of n bytes costs O(n) copies whatever the size of the pieces.
 */
#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rp_buf_reserve(rp_buf *b, size_t n)
{
    if (b->failed)
        return -1;
    if (b->len + n + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    char *np = realloc(b->p, cap);
    if (!np) {
        b->failed = 1;
        return -1;
    }
    b->p = np;
    b->cap = cap;
    return 0;
}

void rp_buf_append(rp_buf *b, const char *s, size_t n)
{
    if (rp_buf_reserve(b, n))
        return;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void rp_buf_puts(rp_buf *b, const char *s)
{
    rp_buf_append(b, s, strlen(s));
}

void rp_buf_vprintf(rp_buf *b, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0)
        b->failed = 1;
    else if (rp_buf_reserve(b, (size_t)n) == 0) {
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
}

void rp_buf_printf(rp_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rp_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

const char *rp_buf_str(const rp_buf *b)
{
    return b->p ? b->p : "";
}

char *rp_buf_steal(rp_buf *b)
{
    char *p = b->p;
    *b = (rp_buf)RP_BUF_INIT;
    return p;
}

void rp_buf_clear(rp_buf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->p)
        b->p[0] = '\0';
}

void rp_buf_free(rp_buf *b)
{
    free(b->p);
    *b = (rp_buf)RP_BUF_INIT;
}
