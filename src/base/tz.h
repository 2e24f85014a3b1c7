/*
 * tz.h - IANA time zones read from the system's tz database, and civil
 * dates.
 *
 * Business hours are written in a place's local time ("Monday to Friday,
 * 9 to 17 in Europe/Madrid"), while rapport keeps every instant in UTC.
 * The C library can convert only in the zone of the TZ variable, which is
 * process-wide: switching it per call (setenv + tzset) would race between
 * the server's threads.  So rapport reads the compiled zone files
 * (TZif, RFC 8536) under /usr/share/zoneinfo itself: a zone is loaded
 * once, kept for the life of the process (a handful of zones at most),
 * and never changed after, so lookups need no lock.  Instants after a
 * file's last transition follow the POSIX rule in its footer
 * ("CET-1CEST,M3.5.0,M10.5.0/3").
 */
#ifndef RP_TZ_H
#define RP_TZ_H

#include <stdint.h>

#include "base/error.h"

typedef struct rp_tz rp_tz;

/*
 * The zone named name ("Europe/Madrid", "UTC", "America/New_York") in
 * *out, loaded from the tz database on first use and cached.  A name that
 * is not a zone of the database (or not a plain zone path: no "..", no
 * leading "/") is RP_EINVALID naming field.  The zone lives as long as
 * the process; the caller never frees it.  Thread-safe.
 */
rp_code rp_tz_load(const char *name, const char *field, const rp_tz **out,
                   rp_error *err);

/* The zone's name, as loaded. */
const char *rp_tz_name(const rp_tz *z);

/* The offset from UTC in seconds (east positive) in zone z at instant t. */
int32_t rp_tz_offset(const rp_tz *z, int64_t t);

/*
 * The instant at which the clocks of zone z show local (seconds since
 * 1970-01-01 00:00 of the local calendar).  A local time shown twice (the
 * hour repeated when summer time ends) gives the first; one never shown
 * (the hour skipped when it begins) gives the instant as far after the
 * jump as local is after its start, as mktime does.
 */
int64_t rp_tz_local_to_utc(const rp_tz *z, int64_t local);

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d. */
int64_t rp_days_from_civil(int64_t y, int m, int d);

/* The date of day number days (since 1970-01-01). */
void rp_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/* The day of the week of day number days: 0 Sunday .. 6 Saturday. */
int rp_weekday(int64_t days);

/*
 * Parse a date "YYYY-MM-DD" (a real date: no February 30th) into its day
 * number.  Returns 0, or -1 when text is not such a date.
 */
int rp_date_parse(const char *text, int64_t *days);

/* Write day number days as "YYYY-MM-DD" into out (at least 16 bytes). */
void rp_date_format(int64_t days, char out[16]);

#endif
