/*
 * fuzz_csv.c - the CSV reader (core/transfer/csv.c), which reads every
 * file a team imports, and the writer the export quotes with.
 *
 * The input is the file.  It must read the same whole and through a
 * reader that hands out a few bytes at a time (every boundary of the
 * reader's window crossed), be refused only with RP_EINVALID and a
 * message that is text, and every record read, written back with
 * rp_csv_put and read again, must come back field for field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rapport.h"

typedef struct trickle {
    const char *s;
    size_t len, pos, step;
} trickle;

static long trickle_read(void *arg, char *buf, size_t n, const char **why)
{
    trickle *t = arg;
    (void)why;
    size_t k = t->len - t->pos;
    if (k > n)
        k = n;
    if (k > t->step)
        k = t->step;
    memcpy(buf, t->s + t->pos, k);
    t->pos += k;
    t->step = t->step % 5 + 1;
    return (long)k;
}

/* Every record as "line|len:field|len:field...\n" into out; the code. */
static rp_code read_all(rp_csv *c, rp_buf *out, rp_error *err)
{
    for (;;) {
        int got = 0;
        if (rp_csv_next(c, &got, err))
            return err->code;
        if (!got)
            return RP_OK;
        rp_buf_printf(out, "%lld", (long long)rp_csv_line(c));
        rp_buf rec = RP_BUF_INIT;
        for (size_t i = 0; i < rp_csv_count(c); i++) {
            size_t n;
            const char *f = rp_csv_field(c, i, &n);
            rp_buf_printf(out, "|%zu:", n);
            rp_buf_append(out, f, n);
            if (i)
                rp_buf_append(&rec, ",", 1);
            rp_csv_put(&rec, f, n);
        }
        rp_buf_append(out, "\n", 1);
        /* written back, a record without problems reads as it was */
        rp_csv *again = rp_csv_new_memory(rp_buf_str(&rec), rec.len);
        int g = 0;
        rp_error e2;
        if (!rp_csv_problem(c) && rp_csv_count(c) > 1 &&
            memchr(rec.p ? rec.p : "", '\0', rec.len) == NULL) {
            if (rp_csv_next(again, &g, &e2) || !g ||
                rp_csv_count(again) != rp_csv_count(c)) {
                fprintf(stderr, "fuzz: a record written back reads apart\n");
                abort();
            }
            for (size_t i = 0; i < rp_csv_count(c); i++) {
                size_t a, b;
                const char *fa = rp_csv_field(c, i, &a),
                           *fb = rp_csv_field(again, i, &b);
                if (a != b || memcmp(fa, fb, a)) {
                    fprintf(stderr, "fuzz: field %zu changed written back\n",
                            i);
                    abort();
                }
            }
        }
        rp_csv_free(again);
        rp_buf_free(&rec);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    const char *s = (const char *)data;
    rp_buf a = RP_BUF_INIT, b = RP_BUF_INIT;
    rp_error ea, eb;
    rp_csv *whole = rp_csv_new_memory(s, size);
    trickle t = {s, size, 0, 1};
    rp_csv *slow = rp_csv_new(trickle_read, &t);
    rp_code ra = read_all(whole, &a, &ea), rb = read_all(slow, &b, &eb);
    if (ra != rb ||
        (ra == RP_OK &&
         (a.len != b.len || memcmp(rp_buf_str(&a), rp_buf_str(&b), a.len)))) {
        fprintf(stderr, "fuzz: read whole and read slowly differ\n");
        abort();
    }
    if (ra && (ra != RP_EINVALID ||
               !rp_utf8_is_valid(ea.message, strlen(ea.message)))) {
        fprintf(stderr, "fuzz: refused with %s: %s\n", rp_code_name(ra),
                ea.message);
        abort();
    }
    rp_csv_free(whole);
    rp_csv_free(slow);
    rp_buf_free(&a);
    rp_buf_free(&b);
    return 0;
}
