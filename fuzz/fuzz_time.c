/*
 * fuzz_time.c - the RFC 3339 time parser (base/clock.c), which reads every
 * time a client or an agent gives.
 *
 * The input is the text as it would arrive.  A time that parses must be
 * written back by rp_time_format as RFC 3339 that parses to the same
 * second, since every time rapport answers with is read back by its
 * clients: "years before 1000 in a form that is not RFC 3339" was such a
 * case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64)
        return 0;
    char s[65];
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t t;
    if (rp_time_parse(s, &t))
        return 0;
    char back[RP_TIME_MAX];
    rp_time_format(t, back);
    int64_t again;
    if (strlen(back) != 20 || rp_time_parse(back, &again) || again != t) {
        fprintf(stderr, "fuzz: \"%s\" is %lld, written back as \"%s\"\n", s,
                (long long)t, back);
        abort();
    }
    return 0;
}
