/*
 * calendar.c - time counted in business hours (see calendar.h).
 *
 * Both counts walk the local days from the first instant on: a day that
 * is a holiday is skipped, and each opening interval of its weekday is
 * turned into a span of UTC instants through the zone (so a day of 23 or
 * 25 hours, when summer time begins or ends, opens and closes at the
 * hours its clocks show).  Intervals never cross midnight, so the walk
 * needs no state between days.  A walk is bounded: a calendar with
 * intervals is open some day of every week, and holidays are finite.
 */
#include "core/measures/calendar.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"

#define SCAN_DAYS_MAX (RP_CALENDAR_MAX_HOLIDAYS + 366 * 20)

static const char *const day_names[] = {"sunday",    "monday",   "tuesday",
                                        "wednesday", "thursday", "friday",
                                        "saturday",  NULL};

const rp_field rp_calendar_interval_fields[] = {
    {"day", RP_FIELD_ENUM, RP_IN_REQUIRED, .values = day_names},
    {"open", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = 5,
     .meaning = "local opening time, HH:MM"},
    {"close", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = 5,
     .meaning = "local closing time, HH:MM (24:00 for midnight)"},
    {.name = NULL},
};

const rp_field rp_calendar_holiday_fields[] = {
    {"date", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = 10,
     .meaning = "a local date, YYYY-MM-DD, closed all day"},
    {"name", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = 100},
    {.name = NULL},
};

void rp_calendar_init(rp_calendar *c)
{
    memset(c, 0, sizeof *c);
}

void rp_calendar_free(rp_calendar *c)
{
    free(c->holiday);
    rp_calendar_init(c);
}

int rp_calendar_always(const rp_calendar *c)
{
    return !c || !c->zone || c->ninterval == 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static int64_t local_day(const rp_calendar *c, int64_t t)
{
    return floor_div(t + rp_tz_offset(c->zone, t), 86400);
}

static int is_holiday(const rp_calendar *c, int64_t day)
{
    size_t lo = 0, hi = c->nholiday;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->holiday[mid] == day)
            return 1;
        if (c->holiday[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* The span of interval i on local day as UTC instants. */
static void span(const rp_calendar *c, const rp_calendar_interval *i,
                 int64_t day, int64_t *s, int64_t *e)
{
    *s = rp_tz_local_to_utc(c->zone, day * 86400 + i->open * 60);
    *e = rp_tz_local_to_utc(c->zone, day * 86400 + i->close * 60);
}

int64_t rp_calendar_add(const rp_calendar *c, int64_t t, int64_t seconds)
{
    if (seconds < 0)
        seconds = 0;
    if (rp_calendar_always(c))
        return t + seconds;
    int64_t day = local_day(c, t), left = seconds;
    for (int n = 0; n < SCAN_DAYS_MAX; n++, day++) {
        if (is_holiday(c, day))
            continue;
        int wd = rp_weekday(day);
        for (int k = 0; k < c->ninterval; k++) {
            if (c->interval[k].day != wd)
                continue;
            int64_t s, e;
            span(c, &c->interval[k], day, &s, &e);
            if (e <= t)
                continue;
            if (s < t)
                s = t;
            /* strictly more: a target met exactly at closing is due at
             * the next opening (see calendar.h) */
            if (e - s > left)
                return s + left;
            left -= e - s;
        }
    }
    return RP_TIME_LAST;
}

int64_t rp_calendar_between(const rp_calendar *c, int64_t a, int64_t b)
{
    if (b <= a)
        return 0;
    if (rp_calendar_always(c))
        return b - a;
    int64_t total = 0, last = local_day(c, b);
    int n = 0;
    for (int64_t day = local_day(c, a); day <= last && n < SCAN_DAYS_MAX * 10;
         day++, n++) {
        if (is_holiday(c, day))
            continue;
        int wd = rp_weekday(day);
        for (int k = 0; k < c->ninterval; k++) {
            if (c->interval[k].day != wd)
                continue;
            int64_t s, e;
            span(c, &c->interval[k], day, &s, &e);
            if (s < a)
                s = a;
            if (e > b)
                e = b;
            if (e > s)
                total += e - s;
        }
    }
    return total;
}

/* ---- parsing ------------------------------------------------------------- */

/* "HH:MM" into minutes after midnight, up to max; -1 when it is not. */
static int parse_hhmm(const char *s, int max)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    int v = h * 60 + m;
    return m < 60 && v <= max ? v : -1;
}

static int by_day_then_open(const void *a, const void *b)
{
    const rp_calendar_interval *x = a, *y = b;
    return x->day != y->day ? x->day - y->day : x->open - y->open;
}

static int by_value(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static rp_code parse_intervals(json_t *intervals, rp_calendar *c, rp_error *err)
{
    size_t i;
    json_t *iv;
    if (json_array_size(intervals) > RP_CALENDAR_MAX_INTERVALS)
        return rp_error_refuse(err, RP_EINVALID, "intervals", "too_many",
                               RP_CALENDAR_MAX_INTERVALS,
                               "intervals may hold at most %d openings",
                               RP_CALENDAR_MAX_INTERVALS);
    json_array_foreach(intervals, i, iv) {
        const char *day = json_string_value(json_object_get(iv, "day"));
        int d = -1;
        for (int k = 0; day && day_names[k]; k++)
            if (!strcmp(day, day_names[k]))
                d = k;
        int open = parse_hhmm(json_string_value(json_object_get(iv, "open")),
                              1439);
        int close = parse_hhmm(json_string_value(json_object_get(iv, "close")),
                               1440);
        if (d < 0)
            return rp_error_refuse(err, RP_EINVALID, "intervals", "not_allowed",
                                   0,
                                   "intervals[%zu]: day must be a day of the "
                                   "week such as monday",
                                   i);
        if (open < 0 || close < 0)
            return rp_error_refuse(err, RP_EINVALID, "intervals", "not_a_time",
                                   0,
                                   "intervals[%zu]: open and close must be "
                                   "times such as 09:00 and 17:00 (24:00 for "
                                   "midnight)",
                                   i);
        if (close <= open)
            return rp_error_refuse(err, RP_EINVALID, "intervals", "wrong_order",
                                   0,
                                   "intervals[%zu]: close must be after open "
                                   "(an opening never crosses midnight: split "
                                   "it in two days)",
                                   i);
        c->interval[c->ninterval++] = (rp_calendar_interval){d, open, close};
    }
    qsort(c->interval, (size_t)c->ninterval, sizeof c->interval[0],
          by_day_then_open);
    for (int k = 1; k < c->ninterval; k++)
        if (c->interval[k].day == c->interval[k - 1].day &&
            c->interval[k].open < c->interval[k - 1].close)
            return rp_error_refuse(err, RP_EINVALID, "intervals", "overlap", 0,
                                   "intervals: two openings of %s overlap",
                                   day_names[c->interval[k].day]);
    return RP_OK;
}

static rp_code parse_holidays(json_t *holidays, rp_calendar *c, rp_error *err)
{
    size_t i, n = json_array_size(holidays);
    json_t *h;
    if (n > RP_CALENDAR_MAX_HOLIDAYS)
        return rp_error_refuse(
            err, RP_EINVALID, "holidays", "too_many", RP_CALENDAR_MAX_HOLIDAYS,
            "holidays may hold at most %d dates", RP_CALENDAR_MAX_HOLIDAYS);
    if (n == 0)
        return RP_OK;
    if (!(c->holiday = malloc(n * sizeof *c->holiday)))
        return rp_error_set(err, RP_EINTERNAL, "holidays", "out of memory");
    json_array_foreach(holidays, i, h) {
        int64_t day;
        if (rp_date_parse(json_string_value(json_object_get(h, "date")), &day))
            return rp_error_refuse(err, RP_EINVALID, "holidays", "not_a_time",
                                   0,
                                   "holidays[%zu]: date must be a date such as "
                                   "2026-12-25",
                                   i);
        c->holiday[c->nholiday++] = day;
    }
    qsort(c->holiday, c->nholiday, sizeof *c->holiday, by_value);
    return RP_OK;
}

rp_code rp_calendar_parse(const char *zone, json_t *intervals, json_t *holidays,
                          rp_calendar *out, rp_error *err)
{
    rp_calendar c;
    rp_calendar_init(&c);
    if (json_array_size(intervals) > 0 && !zone)
        return rp_error_refuse(err, RP_EINVALID, "time_zone", "required", 0,
                               "time_zone is required with business hours, "
                               "such as Europe/Madrid");
    rp_code rc = RP_OK;
    if (zone)
        rc = rp_tz_load(zone, "time_zone", &c.zone, err);
    if (rc == RP_OK)
        rc = parse_intervals(intervals, &c, err);
    if (rc == RP_OK)
        rc = parse_holidays(holidays, &c, err);
    if (rc) {
        rp_calendar_free(&c);
        return rc;
    }
    *out = c;
    return RP_OK;
}

/* ---- the forms people write ---------------------------------------------- */

/* The day named by the len characters at s ("mon", "monday"); -1: none. */
static int day_of(const char *s, size_t len)
{
    for (int k = 0; day_names[k]; k++)
        if ((len == 3 || len == strlen(day_names[k])) &&
            !strncmp(s, day_names[k], len))
            return k;
    return -1;
}

/* The days of "mon-fri" or "mon,wed" into days[7] (1: included). */
static int parse_days(const char *s, size_t len, int days[7])
{
    size_t start = 0;
    while (start < len) {
        size_t end = start;
        while (end < len && s[end] != ',')
            end++;
        const char *dash = memchr(s + start, '-', end - start);
        int a, b;
        if (dash) {
            a = day_of(s + start, (size_t)(dash - s - start));
            b = day_of(dash + 1, (size_t)(s + end - dash - 1));
        } else {
            a = b = day_of(s + start, end - start);
        }
        if (a < 0 || b < 0)
            return -1;
        for (int d = a;; d = (d + 1) % 7) { /* "sat-sun" wraps */
            days[d] = 1;
            if (d == b)
                break;
        }
        start = end + 1;
    }
    return 0;
}

rp_code rp_calendar_spec_parse(const char *spec, const char *field,
                               json_t *intervals, rp_error *err)
{
    int days[7] = {0};
    const char *space = spec ? strchr(spec, ' ') : NULL;
    char open[6] = "", close[6] = "";
    if (space && strlen(space + 1) == 11 && space[6] == '-') {
        memcpy(open, space + 1, 5);
        memcpy(close, space + 7, 5);
    }
    if (!space || parse_days(spec, (size_t)(space - spec), days) ||
        parse_hhmm(open, 1439) < 0 || parse_hhmm(close, 1440) < 0) {
        rp_buf q = RP_BUF_INIT;
        rp_error_refuse(err, RP_EINVALID, field, "not_a_time", 0,
                        "%s must read like \"mon-fri 09:00-17:00\", not \"%s\"",
                        field, rp_cut(&q, spec ? spec : "", 40));
        rp_buf_free(&q);
        return err->code;
    }
    for (int d = 0; d < 7; d++)
        if (days[d])
            json_array_append_new(intervals, json_pack("{s:s, s:s, s:s}", "day",
                                                       day_names[d], "open",
                                                       open, "close", close));
    return RP_OK;
}

rp_code rp_holiday_spec_parse(const char *spec, const char *field,
                              json_t *holidays, rp_error *err)
{
    char date[11] = "";
    int64_t day;
    if (spec && strlen(spec) >= 10) {
        memcpy(date, spec, 10);
        date[10] = 0;
    }
    if (!spec || rp_date_parse(date, &day) || (spec[10] && spec[10] != '=')) {
        rp_buf q = RP_BUF_INIT;
        rp_error_refuse(err, RP_EINVALID, field, "not_a_time", 0,
                        "%s must read like \"2026-12-25\" or "
                        "\"2026-12-25=Christmas Day\", not \"%s\"",
                        field, rp_cut(&q, spec ? spec : "", 40));
        rp_buf_free(&q);
        return err->code;
    }
    const char *name = spec[10] == '=' && spec[11] ? spec + 11 : NULL;
    json_array_append_new(holidays,
                          json_pack("{s:s, s:s?}", "date", date, "name", name));
    return RP_OK;
}
