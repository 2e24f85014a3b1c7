/*
 * clock.c - clock and RFC 3339 conversion (see clock.h).
 */
#include "base/clock.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static _Atomic int64_t pinned_time;

int64_t rp_now(void)
{
    int64_t p = atomic_load(&pinned_time);
    return p ? p : (int64_t)time(NULL);
}

void rp_clock_pin(int64_t t)
{
    atomic_store(&pinned_time, t);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * algorithm), so that parsing does not depend on the TZ environment. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The date of a day count since 1970-01-01 (the inverse of
 * days_from_civil), so that formatting needs neither gmtime's time_t range
 * nor strftime's idea of a year's width. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void rp_time_format(int64_t t, char out[RP_TIME_MAX])
{
    /* Only years 0000 to 9999 can be written in RFC 3339; parsing refuses
     * anything else, so only arithmetic at the very ends gets here. */
    if (t < RP_TIME_MIN)
        t = RP_TIME_MIN;
    if (t > RP_TIME_LAST)
        t = RP_TIME_LAST;
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400, y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    /* every field is in range (years 0000 to 9999), so the text is 20
     * bytes, written digit by digit: a list or a view formats thousands
     * of times a second, and snprintf was a visible part of a read */
    unsigned v[6] = {(unsigned)y,
                     m,
                     d,
                     (unsigned)(secs / 3600),
                     (unsigned)(secs / 60 % 60),
                     (unsigned)(secs % 60)};
    static const char sep[6] = {'-', '-', 'T', ':', ':', 'Z'};
    char *p = out;
    for (int i = 0; i < 6; i++) {
        if (i == 0) {
            *p++ = (char)('0' + v[0] / 1000 % 10);
            *p++ = (char)('0' + v[0] / 100 % 10);
        }
        *p++ = (char)('0' + v[i] / 10 % 10);
        *p++ = (char)('0' + v[i] % 10);
        *p++ = sep[i];
    }
    *p = '\0';
}

static int read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int rp_time_parse(const char *s, int64_t *out)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h, mi, se;
    const char *p = s;
    if (!s || read_digits(&p, 4, &y) || *p++ != '-' ||
        read_digits(&p, 2, &mo) || *p++ != '-' || read_digits(&p, 2, &d))
        return -1;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return -1;
    p++;
    if (read_digits(&p, 2, &h) || *p++ != ':' || read_digits(&p, 2, &mi) ||
        *p++ != ':' || read_digits(&p, 2, &se))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 60)
        return -1;
    int dim = mdays[mo - 1] + (mo == 2 && is_leap(y));
    if (d > dim)
        return -1;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p))
            p++;
    }
    int offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om;
        p++;
        if (read_digits(&p, 2, &oh) || *p++ != ':' || read_digits(&p, 2, &om) ||
            oh > 23 || om > 59)
            return -1;
        offset = sign * (oh * 3600 + om * 60);
    } else {
        return -1;
    }
    if (*p != '\0')
        return -1;
    if (se == 60)
        se = 59; /* a leap second is stored as the second before it */
    int64_t t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
                h * 3600 + mi * 60 + se - offset;
    if (t < RP_TIME_MIN || t > RP_TIME_LAST)
        return -1; /* an offset took it out of years 0000-9999 */
    *out = t;
    return 0;
}
