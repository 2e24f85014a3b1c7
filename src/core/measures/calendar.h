/*
 * calendar.h - business hours and holidays, and time counted in them.
 *
 * A desk promises "acknowledged within 5 minutes" for the hours it is
 * open, not for the night or the weekend, as the business-hours SLA
 * policies of Zendesk and Zammad do.  A calendar is a time zone, the
 * weekly opening intervals in that zone's local time (several a day, as
 * for a lunch break) and the dates it stays closed.  A calendar without
 * intervals is open around the clock, which is how every queue without
 * business hours is judged.
 *
 * The two functions that count time are pure (no store, no clock), so
 * they are tested with tables of cases: tests/unit/test_calendar.c.
 */
#ifndef RP_CALENDAR_H
#define RP_CALENDAR_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/input.h"
#include "base/tz.h"

#define RP_CALENDAR_MAX_INTERVALS 42 /* six a day */
#define RP_CALENDAR_MAX_HOLIDAYS 1000

/* One opening: day of the week (0 Sunday .. 6 Saturday), from open to
 * close, in minutes after local midnight (close up to 1440). */
typedef struct rp_calendar_interval {
    int day, open, close;
} rp_calendar_interval;

typedef struct rp_calendar {
    const rp_tz *zone; /* NULL: open around the clock */
    int ninterval;     /* 0: open around the clock */
    rp_calendar_interval interval[RP_CALENDAR_MAX_INTERVALS]; /* sorted */
    size_t nholiday;
    int64_t *holiday; /* closed local dates (day numbers), sorted, owned */
} rp_calendar;

/* A calendar open around the clock. */
void rp_calendar_init(rp_calendar *c);

/* Release what c holds; c is open around the clock again. */
void rp_calendar_free(rp_calendar *c);

/* 1 when c counts every second (no business hours). */
int rp_calendar_always(const rp_calendar *c);

/*
 * The deadline of seconds business seconds counted from t under c: the
 * last instant by which no more than seconds of business time have
 * passed since t.  A clock that reaches its target exactly at closing
 * time is due at the next opening, so "past the deadline" and "more than
 * the target in business time" always agree.  Around the clock: t +
 * seconds.
 */
int64_t rp_calendar_add(const rp_calendar *c, int64_t t, int64_t seconds);

/* The business seconds of c between a and b (0 when b <= a). */
int64_t rp_calendar_between(const rp_calendar *c, int64_t a, int64_t b);

/*
 * Fill *out from the stored or requested forms: zone a tz database name
 * (NULL with no intervals: around the clock), intervals an array of
 * {"day": "monday".."sunday", "open": "09:00", "close": "17:00"}, holidays
 * (may be NULL) an array of {"date": "YYYY-MM-DD", ...} (those of the
 * queue and the desk's together).  Each refusal names the field and the
 * interval or holiday at fault; intervals of one day may not overlap.
 */
rp_code rp_calendar_parse(const char *zone, json_t *intervals, json_t *holidays,
                          rp_calendar *out, rp_error *err);

/*
 * Append to intervals the openings a person writes as "mon-fri 09:00-17:00"
 * (days: a day's first three letters or its name, a range "mon-fri", or a
 * list "mon,wed,fri"; then open-close).  A refusal names field and quotes
 * what was wrong; intervals is unchanged then.
 */
rp_code rp_calendar_spec_parse(const char *spec, const char *field,
                               json_t *intervals, rp_error *err);

/* Append to holidays the holiday written "2026-12-25" or
 * "2026-12-25=Christmas Day"; refused naming field when it is not. */
rp_code rp_holiday_spec_parse(const char *spec, const char *field,
                              json_t *holidays, rp_error *err);

/* The fields of an opening interval and of a holiday, for the contract. */
extern const rp_field rp_calendar_interval_fields[];
extern const rp_field rp_calendar_holiday_fields[];

#endif
