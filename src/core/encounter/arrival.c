/*
 * arrival.c - when the customer started waiting.
 *
 * Seed 003's caller waited thirty minutes before anyone spoke; an email
 * may sit in the mailbox for an hour before an agent types it in.  The
 * waits and the charter's clocks count from the customer's arrival, not
 * from when the encounter was created, so an encounter may be opened with
 * the time the customer arrived, called or wrote.  That time is bounded:
 * never in the future (beyond a small allowance for clocks that disagree,
 * taken as now), and never further back than the desk allows
 * (arrival_max_hours), since a time typed wrong or sent by a confused
 * phone system would otherwise make breaches out of nothing.
 */
#include <stdio.h>

#include "core/rapport.h"

rp_code rp_arrival_check(int64_t at, int64_t now, int64_t max_hours,
                         const char *field, int64_t *out, rp_error *err)
{
    char when[RP_TIME_MAX];
    rp_time_format(at, when);
    if (at > now + RP_ARRIVAL_SKEW_SECONDS)
        return rp_error_set(err, RP_EINVALID, field,
                            "%s is in the future (%s, %lld s after this "
                            "server's clock): give the time the customer "
                            "arrived, at most %d s ahead",
                            field, when, (long long)(at - now),
                            RP_ARRIVAL_SKEW_SECONDS);
    if (at < now - max_hours * 3600)
        return rp_error_set(err, RP_EINVALID, field,
                            "%s is more than %lld hours ago (%s): the desk "
                            "takes arrivals up to %lld hours back "
                            "(arrival_max_hours)",
                            field, (long long)max_hours, when,
                            (long long)max_hours);
    *out = at < now ? at : now;
    return RP_OK;
}

int64_t rp_arrival_of_mail(int64_t sent_at, int64_t now, int64_t max_hours)
{
    /* a Date: header is the sender's word: believed only inside the
     * bounds, and otherwise the mail arrived when it was taken in */
    if (sent_at <= 0 || sent_at > now || sent_at < now - max_hours * 3600)
        return now;
    return sent_at;
}

rp_code rp_arrival_max_hours(rp_ctx *ctx, int64_t *out, rp_error *err)
{
    rp_desk_settings s;
    if (rp_desk_settings_read(ctx, &s, err))
        return err->code;
    *out = s.arrival_max_hours;
    rp_desk_settings_free(&s);
    return RP_OK;
}

rp_code rp_arrival_read(rp_ctx *ctx, json_t *in, const char *key, int64_t now,
                        int64_t *out, rp_error *err)
{
    int64_t at = now, max_hours = 0;
    int given = 0;
    if (rp_in_time(in, key, 0, &at, &given, err))
        return err->code;
    if (!given || json_is_null(json_object_get(in, key))) {
        *out = now;
        return RP_OK;
    }
    if (rp_arrival_max_hours(ctx, &max_hours, err))
        return err->code;
    return rp_arrival_check(at, now, max_hours, key, out, err);
}
