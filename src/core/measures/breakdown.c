/*
 * breakdown.c - what a report adds to the service metrics on request: the
 * waits of each queue and a series of days or weeks (issue 11: the
 * dashboard drew its "Waits in each queue" table and its trends with a
 * metrics call per queue and per bucket, some twenty calls a render; it
 * now makes one).
 *
 * The queues' figures come from the rollups, as the report's own
 * (rollup.c): whole UTC days from measure_days and measure_day_counts
 * grouped by queue, the partial days at the edges from the encounters of
 * those hours.  The series reads, per bucket, the satisfaction answers of
 * an index range (the same query as the report's section) and the
 * breaches from the breaches' rollup (rp_rollup_breaches), so a bucket
 * costs what a report of its length costs for those two figures, and the
 * series is bounded to RP_METRICS_MAX_BUCKETS.
 *
 * How long the breaches took (breach_times, charter.c) is what the
 * dashboard read the whole breach list for: one grouped read of the
 * window's breaches replaces up to 1,000 rows sent to the browser.
 */
#include <math.h>
#include <string.h>

#include "core/measures/measures_internal.h"

#define DAY 86400

rp_code rp_metrics_options_parse(const char *by_queue, const char *series,
                                 const char *tz, const char *breach_times,
                                 rp_metrics_options *out, rp_error *err)
{
    memset(out, 0, sizeof *out);
    if (by_queue && *by_queue) {
        if (!strcmp(by_queue, "true"))
            out->by_queue = 1;
        else if (strcmp(by_queue, "false"))
            return rp_error_refuse(err, RP_EINVALID, "by_queue", "not_allowed",
                                   0, "by_queue must be true or false");
    }
    if (series && *series) {
        if (!strcmp(series, "day"))
            out->series_days = 1;
        else if (!strcmp(series, "week"))
            out->series_days = 7;
        else
            return rp_error_refuse(err, RP_EINVALID, "series", "not_allowed", 0,
                                   "series must be day or week");
    }
    if (breach_times && *breach_times) {
        if (!strcmp(breach_times, "true"))
            out->breach_times = 1;
        else if (strcmp(breach_times, "false"))
            return rp_error_set(err, RP_EINVALID, "breach_times",
                                "breach_times must be true or false");
    }
    if (tz && *tz) {
        if (!out->series_days)
            return rp_error_refuse(err, RP_EINVALID, "tz", "required", 0,
                                   "tz says where a series' days start: give "
                                   "it with series");
        if (rp_tz_load(tz, "tz", &out->zone, err))
            return err->code = RP_EINVALID;
    }
    return RP_OK;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The local day number (in zone, UTC when NULL) holding instant t. */
static int64_t local_day(const rp_tz *zone, int64_t t)
{
    return floor_div(t + (zone ? rp_tz_offset(zone, t) : 0), DAY);
}

/* The instant local day day starts in zone. */
static int64_t day_start(const rp_tz *zone, int64_t day)
{
    return zone ? rp_tz_local_to_utc(zone, day * DAY) : day * DAY;
}

/* The first local day of the bucket holding w->from: that day, or the
 * Monday before it for weeks. */
static int64_t first_day(const rp_metrics_options *o, const rp_window *w)
{
    int64_t d = local_day(o->zone, w->from);
    if (o->series_days == 7)
        d -= (rp_weekday(d) + 6) % 7; /* 0 Monday .. 6 Sunday */
    return d;
}

/* ---- the queues ---------------------------------------------------------- */

/* The row of queue id in rows_by ({id: {encounters, abandoned, wait}}). */
static json_t *queue_row(json_t *rows_by, json_t *id)
{
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)json_integer_value(id));
    json_t *r = json_object_get(rows_by, key);
    if (!r) {
        r = json_pack("{s:O, s:i, s:i, s:{}}", "queue_id", id, "encounters", 0,
                      "abandoned", 0, "wait");
        json_object_set_new(rows_by, key, r);
    }
    return r;
}

static void add_int(json_t *obj, const char *key, json_t *v)
{
    json_object_set_new(
        obj, key,
        json_integer(json_integer_value(json_object_get(obj, key)) +
                     json_integer_value(v)));
}

/* Run q over [a, b) with w's filter and add its rows to rows_by: sums
 * (encounters, abandoned) or, when waits, the histogram (key, n). */
static rp_code add_queues(rp_ctx *ctx, rp_query q, int64_t a, int64_t b,
                          const rp_window *w, int waits, json_t *rows_by,
                          rp_error *err)
{
    json_t *rows, *params = json_pack("[I, I, o, o]", (json_int_t)a,
                                      (json_int_t)b, rp_window_queues(w),
                                      w->agent_id ? json_integer(w->agent_id)
                                                  : json_null());
    rp_code rc = ctx->store->ops->query(ctx->store, q, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        json_t *r = queue_row(rows_by, json_object_get(row, "queue_id"));
        if (waits)
            add_int(json_object_get(r, "wait"),
                    json_string_value(json_object_get(row, "key")),
                    json_object_get(row, "n"));
        else {
            add_int(r, "encounters", json_object_get(row, "encounters"));
            add_int(r, "abandoned", json_object_get(row, "abandoned"));
        }
    }
    json_decref(rows);
    return RP_OK;
}

/* Both figures of the queues over [a, b): days of the rollups, or
 * seconds of the records when edge. */
static rp_code add_span(rp_ctx *ctx, int edge, int64_t a, int64_t b,
                        const rp_window *w, json_t *rows_by, rp_error *err)
{
    rp_query qs = edge ? RP_Q_MEASURES_EDGE_QUEUES
                       : RP_Q_MEASURES_ROLLUP_QUEUES,
             qw = edge ? RP_Q_MEASURES_EDGE_QUEUE_WAITS
                       : RP_Q_MEASURES_ROLLUP_QUEUE_WAITS;
    if (add_queues(ctx, qs, a, b, w, 0, rows_by, err) ||
        add_queues(ctx, qw, a, b, w, 1, rows_by, err))
        return err->code;
    return RP_OK;
}

/* rows_by as the report's list, by queue id (0, none, as null). */
static json_t *queue_list(json_t *rows_by)
{
    json_t *list = json_array(), *r;
    const char *key;
    json_object_foreach(rows_by, key, r) {
        json_t *hist = json_object_get(r, "wait");
        json_t *id = json_object_get(r, "queue_id");
        json_t *item = json_pack("{s:o, s:O, s:O, s:o, s:o}", "queue_id",
                                 json_integer_value(id) ? json_incref(id)
                                                        : json_null(),
                                 "encounters", json_object_get(r, "encounters"),
                                 "abandoned", json_object_get(r, "abandoned"),
                                 "wait_p50_seconds", rp_rollup_rank(hist, 50),
                                 "wait_p90_seconds", rp_rollup_rank(hist, 90));
        /* in order of id, none first: insert before the first greater */
        size_t at = json_array_size(list);
        for (size_t i = 0; i < json_array_size(list); i++) {
            json_t *other = json_object_get(json_array_get(list, i),
                                            "queue_id");
            if (json_integer_value(other) > json_integer_value(id)) {
                at = i;
                break;
            }
        }
        json_array_insert_new(list, at, item);
    }
    return list;
}

static rp_code queues_section(rp_ctx *ctx, const rp_window *w, json_t *out,
                              rp_error *err)
{
    int64_t d1 = floor_div(w->from + DAY - 1, DAY), d2 = floor_div(w->to, DAY);
    json_t *rows_by = json_object();
    rp_code rc;
    if (d1 < d2) {
        rc = add_span(ctx, 0, d1, d2, w, rows_by, err);
        if (!rc && w->from < d1 * DAY)
            rc = add_span(ctx, 1, w->from, d1 * DAY, w, rows_by, err);
        if (!rc && d2 * DAY < w->to)
            rc = add_span(ctx, 1, d2 * DAY, w->to, w, rows_by, err);
    } else {
        rc = add_span(ctx, 1, w->from, w->to, w, rows_by, err);
    }
    if (rc == RP_OK)
        json_object_set_new(out, "queues", queue_list(rows_by));
    json_decref(rows_by);
    return rc;
}

/* ---- the series ---------------------------------------------------------- */

/* Satisfaction and breaches of bucket b, appended to series. */
static rp_code bucket(rp_ctx *ctx, const rp_window *b, const rp_charter *c,
                      int64_t now, json_t *series, rp_error *err)
{
    json_t *rows, *counts = NULL,
                  *params = json_pack("[I, I, o, o]", (json_int_t)b->from,
                                      (json_int_t)b->to, rp_window_queues(b),
                                      b->agent_id ? json_integer(b->agent_id)
                                                  : json_null());
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_MEASURES_SATISFACTION,
                                        params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    int64_t breaches = 0;
    if (rp_rollup_breaches(ctx, b, c, now, &counts, &breaches, err)) {
        json_decref(rows);
        return err->code;
    }
    json_decref(counts);
    json_t *r = json_array_get(rows, 0), *avg = json_object_get(r, "average");
    json_t *j = rp_window_json(b);
    json_object_del(j, "queue_id");
    json_object_del(j, "agent_id");
    json_object_set_new(
        j, "satisfaction",
        json_pack(
            "{s:I, s:o}", "answered",
            (json_int_t)json_integer_value(json_object_get(r, "answered")),
            "average",
            json_is_number(avg)
                ? json_real(round(json_number_value(avg) * 100.0) / 100.0)
                : json_null()));
    json_object_set_new(j, "breaches", json_integer(breaches));
    json_array_append_new(series, j);
    json_decref(rows);
    return RP_OK;
}

static rp_code series_section(rp_ctx *ctx, const rp_window *w,
                              const rp_metrics_options *o, const rp_charter *c,
                              int64_t now, json_t *out, rp_error *err)
{
    int64_t day = first_day(o, w), step = o->series_days;
    json_t *series = json_array();
    rp_window b = *w;
    for (int64_t d = day; day_start(o->zone, d) < w->to; d += step) {
        int64_t a = day_start(o->zone, d), z = day_start(o->zone, d + step);
        b.from = a > w->from ? a : w->from;
        b.to = z < w->to ? z : w->to;
        if (bucket(ctx, &b, c, now, series, err)) {
            json_decref(series);
            return err->code;
        }
    }
    json_object_set_new(
        out, "series",
        json_pack("{s:s, s:s, s:o}", "bucket",
                  o->series_days == 7 ? "week" : "day", "time_zone",
                  o->zone ? rp_tz_name(o->zone) : "UTC", "buckets", series));
    return RP_OK;
}

rp_code rp_metrics_series_check(const rp_window *w, const rp_metrics_options *o,
                                rp_error *err)
{
    if (!o || !o->series_days)
        return RP_OK;
    int n = 0;
    for (int64_t d = first_day(o, w); day_start(o->zone, d) < w->to;
         d += o->series_days)
        if (++n > RP_METRICS_MAX_BUCKETS)
            return rp_error_refuse(
                err, RP_EINVALID, "series", "out_of_range", 0,
                "series would cut this window into more than %d buckets: "
                "ask for weeks, or a shorter window",
                RP_METRICS_MAX_BUCKETS);
    return RP_OK;
}

rp_code rp_metrics_breakdown(rp_ctx *ctx, const rp_window *w,
                             const rp_metrics_options *o, const rp_charter *c,
                             int64_t now, json_t *out, rp_error *err)
{
    if (o->by_queue && queues_section(ctx, w, out, err))
        return err->code;
    if (o->series_days && series_section(ctx, w, o, c, now, out, err))
        return err->code;
    if (o->breach_times) {
        json_t *times;
        if (rp_charter_breach_times(ctx, w, c, now, 0, &times, err))
            return err->code;
        json_object_set_new(json_object_get(out, "charter"), "times", times);
    }
    return RP_OK;
}
