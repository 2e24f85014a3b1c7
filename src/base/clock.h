/*
 * clock.h - the clock and RFC 3339 times.
 *
 * All times inside rapport are Unix seconds in UTC.  The clock can be pinned
 * (tests, and the scheduler's injectable clock) so that rules that depend on
 * "now" can be replayed exactly.
 */
#ifndef RP_CLOCK_H
#define RP_CLOCK_H

#include <stdint.h>

#define RP_TIME_MAX 32 /* room for "2026-11-23T08:50:00Z" and a NUL */

/* Current time in Unix seconds: the pinned time if one is set. */
int64_t rp_now(void);

/* Pin the clock at t (Unix seconds); rp_clock_pin(0) releases it. */
void rp_clock_pin(int64_t t);

/*
 * The times RFC 3339 can write: its year has four digits, so 0000-01-01
 * 00:00:00 UTC to 9999-12-31 23:59:59 UTC.  rp_time_parse refuses a time
 * outside (an offset can push "0000-01-01T00:00:00+01:00" out), so every
 * time rapport stores is one it can write back.
 */
#define RP_TIME_MIN (-62167219200LL) /* 0000-01-01T00:00:00Z */
#define RP_TIME_LAST 253402300799LL  /* 9999-12-31T23:59:59Z */

/*
 * Write t as "YYYY-MM-DDTHH:MM:SSZ" into out (RP_TIME_MAX bytes), the year
 * always four digits ("0999-01-01T00:00:00Z").  A t outside RP_TIME_MIN ..
 * RP_TIME_LAST (only reachable by arithmetic on a time at either end) is
 * written as the nearest end.
 */
void rp_time_format(int64_t t, char out[RP_TIME_MAX]);

/*
 * Parse an RFC 3339 time ("2026-11-23T08:50:00Z", "...+02:00", fractional
 * seconds allowed and dropped) into Unix seconds.  Returns 0 on success, -1
 * when s is not such a time or names a moment outside RP_TIME_MIN ..
 * RP_TIME_LAST.
 */
int rp_time_parse(const char *s, int64_t *out);

#endif
