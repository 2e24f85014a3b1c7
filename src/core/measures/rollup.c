/*
 * rollup.c - the service metrics read from rollups kept as the desk works,
 * so a window of 30 days over millions of encounters is a few hundred
 * rows, not a walk of every encounter received in it (issue 12 item 7,
 * issue 13 item 3).
 *
 * What is kept (migration 90; the SQL in store/sqlite_rollup.h and
 * store/pg_rollup.h):
 *   - measure_days: per UTC day of an encounter's created_at, queue and
 *     agent (0 for none), one column per summed figure: encounters, closed,
 *     abandoned, resolved at first contact and not known, still waiting,
 *     transfers and encounters transferred, apologies owed, given and
 *     missing, takes, assignments, reassignments, waits measured, their
 *     sum and the longest;
 *   - measure_day_counts: per day, queue and agent, counts of a kind of
 *     value: 'channel' (key the channel) and 'wait' (key the wait's bucket,
 *     rp_rollup_wait_bucket);
 *   - measure_levels: customers per relationship level, now;
 *   - measure_breaches (migration 97; store/breach_rollup.h): per day,
 *     queue, agent and target, the charter's breaches for good (the
 *     target's clock stopped after its deadline), judged by the breach
 *     report's rule: the version in force at arrival, the deadlines in
 *     business time once the sweep set them.  Triggers on encounters,
 *     charter_deadlines and charter_versions keep it; what the time of
 *     reading decides (running clocks of the encounters not ended, from
 *     the partial index encounters_unended_by_created, and the promises
 *     and follow-ups due in the window) is counted when read
 *     (rp_rollup_breaches); since migration 125 each row also sums its
 *     breaches' calendar seconds and those past the target around the
 *     clock (calendar_sum, over_sum: the dashboard's breach_times,
 *     rp_rollup_breach_times; a queue with business hours counts its
 *     seconds past the target again from its rows), and
 *     measure_breach_list holds each breach for good, one row each,
 *     indexed by arrival, so the breach list's page is a range that stops
 *     at its limit;
 *   - measure_day_totals (migration 113): measure_day_counts summed over
 *     queues and agents per day, kept by triggers on measure_day_counts,
 *     read by a window without a queue or agent;
 *   - measure_moment_hours and measure_moment_customers (migration 112;
 *     RM_* in sqlite_rollup.h): per UTC hour the moments of truth and
 *     their impressions, and how many customers' newest moment falls in
 *     it; each customer's newest moment.  A window's distinct customers
 *     are those whose newest moment is at or after its start, less those
 *     whose newest is at or after its end with none inside it (a seek
 *     each: none for a window ending now), so the count is exact and
 *     distinct over the whole window (rp_rollup_moments);
 *   - measure_late_days (migration 119): per UTC day of due_at, the
 *     follow-ups done late and the promises broken or kept late (late for
 *     good); which count is the charter's version's to say when read, and
 *     the open ones late by the time of reading come from a partial index
 *     of the open follow-ups (M_FOLLOW_UPS_LATE, in MEASURES_BREACHES_NOW);
 *   - measure_movement_days (migration 119): per UTC day of a change of
 *     level, the customers moved from one level to another, read by a
 *     window without a queue or agent (rp_rollup_movements).
 * Triggers on encounters and customers keep them in the transaction of
 * every write, whichever code path writes (the encounter engine's create,
 * stage changes, close, abandon, transfer, take and assign, apology, the
 * first-contact judgement, an import, a merge): a write that rolls back
 * takes its rollup change with it.  An update takes the old row's figures
 * away and adds the new row's, so an encounter moved to another queue,
 * agent or day is counted once, where it is now.
 *
 * Exact and bucketed: every count and sum, and so every rate (abandonment,
 * first contact, transfers) and the average wait, is exact.  The longest
 * wait is exact (a row's longest is read again from that one day's
 * encounters when the encounter that held it leaves the row).  The wait's
 * p50 and p90 are read from the histogram of buckets: exact below 2
 * minutes, otherwise the start of the bucket holding the exact figure (10
 * s wide to 10 minutes, 1 minute to an hour, 5 minutes to 6 hours, 30
 * minutes to a day, an hour beyond), at most about 10 % below it.
 *
 * Windows: whole UTC days inside [from, to) are read from the rollups; the
 * partial days at either edge (a window of "the 30 days up to now" has
 * two) are counted from the encounters of those hours, an index range of
 * at most a day each, so the figures of any window are those of the
 * records, to the second.  Days are UTC, not the desk's time zone, for
 * this reason: a window in any zone is then still exact.
 *
 * The reference: rp_metrics_service_direct computes the same figures from
 * the records as before the rollups; rp_metrics_verify (`rapport report
 * --verify`) compares the two, and rp_rollup_rebuild (`rapport report
 * --rebuild`) fills the rollups again from the records.
 *
 * Adding a measure:
 *   - a sum over encounters: a column of measure_days in a new migration
 *     of both backends; its term in RU_VALUES_AS, RU_DAYS_ROW and RU_SUMS
 *     (sqlite_rollup.h) and PRU_SUMS and the function's INSERT
 *     (pg_rollup.h); the columns it depends on in the update trigger's
 *     column lists; its sum in MEASURES_ROLLUP_SUMS of both backends.  It
 *     then arrives in rp_rollup_window's sums under its column name.
 *   - a distribution or a breakdown (hold time, a queue wait counted from
 *     arrival): a new kind of measure_day_counts, one more RU_COUNT_ROW
 *     with its key (a bucket: reuse RU_BUCKET) in RU_COUNTS_ROWS, its
 *     UNION ALL arm in MEASURES_EDGE_COUNTS and a FILL query; it arrives
 *     in rp_rollup_window's counts under its kind, and rp_rollup_rank
 *     reads percentiles from it.
 *   - a judgement that depends on more than the encounter's row (as a
 *     breach depends on its deadlines and the charter's versions): a
 *     trigger on each table it reads, taking the old judgement away and
 *     adding the new one (measure_breaches shows how), and what depends
 *     on the time of reading counted when read from an index of the rows
 *     it can concern.
 *   - then rebuild (a migration that calls the same fill, or `rapport
 *     report --rebuild`), and add the figure to the equality test of
 *     tests/unit/test_rollups.c.
 */
#include <stdlib.h>
#include <string.h>

#include "core/measures/measures_internal.h"

#define DAY 86400
#define HOUR 3600

int64_t rp_rollup_wait_bucket(int64_t w)
{
    if (w < 120)
        return w;
    if (w < 600)
        return w / 10 * 10;
    if (w < 3600)
        return w / 60 * 60;
    if (w < 21600)
        return w / 300 * 300;
    if (w < 86400)
        return w / 1800 * 1800;
    return w / 3600 * 3600;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The named query q over [a, b) (days or seconds) with w's filter. */
static rp_code run(rp_ctx *ctx, rp_query q, int64_t a, int64_t b,
                   const rp_window *w, json_t **rows, rp_error *err)
{
    json_t *params = json_pack(
        "[I, I, o, o]", (json_int_t)a, (json_int_t)b, rp_window_queues(w),
        w->agent_id ? json_integer(w->agent_id) : json_null());
    rp_code rc = ctx->store->ops->query(ctx->store, q, params, rows, err);
    json_decref(params);
    return rc;
}

/* Add the first row of rows to sums: wait_max the greater, the rest
 * added. */
static void add_sums(json_t *sums, json_t *rows)
{
    json_t *row = json_array_get(rows, 0), *v;
    const char *key;
    json_object_foreach(row, key, v) {
        json_t *have = json_object_get(sums, key);
        if (!strcmp(key, "wait_max")) {
            if (json_is_integer(v) &&
                (!json_is_integer(have) ||
                 json_integer_value(v) > json_integer_value(have)))
                json_object_set(sums, key, v);
        } else {
            json_object_set_new(
                sums, key,
                json_integer(json_integer_value(have) + json_integer_value(v)));
        }
    }
}

/* Add rows of {kind, key, n} to counts ({kind: {key: n}}). */
static void add_counts(json_t *counts, json_t *rows)
{
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *kind = json_string_value(json_object_get(row, "kind"));
        const char *key = json_string_value(json_object_get(row, "key"));
        if (!kind || !key)
            continue;
        json_t *of = json_object_get(counts, kind);
        if (!of) {
            of = json_object();
            json_object_set_new(counts, kind, of);
        }
        json_object_set_new(
            of, key,
            json_integer(json_integer_value(json_object_get(of, key)) +
                         json_integer_value(json_object_get(row, "n"))));
    }
}

/* Add the figures of a query pair over [a, b) to sums and counts. */
static rp_code add(rp_ctx *ctx, rp_query qs, rp_query qc, int64_t a, int64_t b,
                   const rp_window *w, json_t *sums, json_t *counts,
                   rp_error *err)
{
    json_t *rows;
    if (run(ctx, qs, a, b, w, &rows, err))
        return err->code;
    add_sums(sums, rows);
    json_decref(rows);
    if (run(ctx, qc, a, b, w, &rows, err))
        return err->code;
    add_counts(counts, rows);
    json_decref(rows);
    return RP_OK;
}

rp_code rp_rollup_window(rp_ctx *ctx, const rp_window *w, json_t **sums,
                         json_t **counts, rp_error *err)
{
    /* the whole days inside [from, to), and the edges outside them */
    int64_t d1 = floor_div(w->from + DAY - 1, DAY), d2 = floor_div(w->to, DAY);
    json_t *s = json_object(), *c = json_object();
    rp_code rc = RP_OK;
    if (d1 < d2) {
        rc = add(ctx, RP_Q_MEASURES_ROLLUP_SUMS, RP_Q_MEASURES_ROLLUP_COUNTS,
                 d1, d2, w, s, c, err);
        if (!rc && w->from < d1 * DAY)
            rc = add(ctx, RP_Q_MEASURES_EDGE_SUMS, RP_Q_MEASURES_EDGE_COUNTS,
                     w->from, d1 * DAY, w, s, c, err);
        if (!rc && d2 * DAY < w->to)
            rc = add(ctx, RP_Q_MEASURES_EDGE_SUMS, RP_Q_MEASURES_EDGE_COUNTS,
                     d2 * DAY, w->to, w, s, c, err);
    } else {
        rc = add(ctx, RP_Q_MEASURES_EDGE_SUMS, RP_Q_MEASURES_EDGE_COUNTS,
                 w->from, w->to, w, s, c, err);
    }
    if (rc) {
        json_decref(s);
        json_decref(c);
        return rc;
    }
    *sums = s;
    *counts = c;
    return RP_OK;
}

/* Add the integer columns of the first row of rows to the targets of
 * counts ({target: n}) that they name. */
static void add_targets(json_t *counts, json_t *rows)
{
    json_t *row = json_array_get(rows, 0), *v;
    const char *key;
    json_object_foreach(row, key, v) {
        json_t *have = json_object_get(counts, key);
        if (have)
            json_object_set_new(
                counts, key,
                json_integer(json_integer_value(have) + json_integer_value(v)));
    }
}

/* The breaches for good of the encounters received in [a, b) (seconds),
 * from their records, added to counts (taken away when sign < 0). */
static rp_code records_breaches(rp_ctx *ctx, int64_t a, int64_t b, int sign,
                                const rp_window *w, json_t *counts,
                                rp_error *err)
{
    if (a >= b)
        return RP_OK;
    json_t *rows;
    if (run(ctx, RP_Q_MEASURES_EDGE_BREACHES, a, b, w, &rows, err))
        return err->code;
    json_t *row = json_array_get(rows, 0), *v;
    const char *key;
    json_object_foreach(row, key, v) {
        json_t *have = json_object_get(counts, key);
        if (have)
            json_object_set_new(counts, key,
                                json_integer(json_integer_value(have) +
                                             sign * json_integer_value(v)));
    }
    json_decref(rows);
    return RP_OK;
}

/* Add to counts the rows of the breaches' rollup ({target, n}). */
static void add_rollup_rows(json_t *counts, json_t *rows)
{
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *t = json_string_value(json_object_get(row, "target"));
        json_t *have = t ? json_object_get(counts, t) : NULL;
        if (have)
            json_object_set_new(
                counts, t,
                json_integer(json_integer_value(have) +
                             json_integer_value(json_object_get(row, "n"))));
    }
}

/* The breaches for good of the encounters received in [a, b), a part of
 * one UTC day: from their records when it is at most half the day, else
 * the day's rollup less the records of the rest of the day, so no more
 * than half a day of encounters is read (a series of days in a time zone
 * not on UTC is two such parts a day). */
static rp_code edge_breaches(rp_ctx *ctx, int64_t a, int64_t b,
                             const rp_window *w, json_t *counts, rp_error *err)
{
    int64_t day = floor_div(a, DAY);
    if (b - a <= DAY / 2 || floor_div(b - 1, DAY) != day)
        return records_breaches(ctx, a, b, 1, w, counts, err);
    json_t *rows;
    if (run(ctx, RP_Q_MEASURES_ROLLUP_BREACHES, day, day + 1, w, &rows, err))
        return err->code;
    add_rollup_rows(counts, rows);
    json_decref(rows);
    if (records_breaches(ctx, day * DAY, a, -1, w, counts, err) ||
        records_breaches(ctx, b, (day + 1) * DAY, -1, w, counts, err))
        return err->code;
    return RP_OK;
}

rp_code rp_rollup_breaches(rp_ctx *ctx, const rp_window *w, const rp_charter *c,
                           int64_t now, json_t **counts, int64_t *total,
                           rp_error *err)
{
    int64_t d1 = floor_div(w->from + DAY - 1, DAY), d2 = floor_div(w->to, DAY);
    json_t *j = json_pack("{s:i, s:i, s:i, s:i}", "acknowledge", 0,
                          "first_response", 0, "resolution", 0,
                          "follow_up_on_time", 0),
           *rows = NULL;
    rp_code rc = RP_OK;
    if (d1 < d2) {
        rc = run(ctx, RP_Q_MEASURES_ROLLUP_BREACHES, d1, d2, w, &rows, err);
        add_rollup_rows(j, rows);
        json_decref(rows);
        if (!rc && w->from < d1 * DAY)
            rc = edge_breaches(ctx, w->from, d1 * DAY, w, j, err);
        if (!rc && d2 * DAY < w->to)
            rc = edge_breaches(ctx, d2 * DAY, w->to, w, j, err);
    } else if (w->from < d1 * DAY && d1 * DAY < w->to) {
        /* across one midnight (a day of a series in a time zone) */
        rc = edge_breaches(ctx, w->from, d1 * DAY, w, j, err);
        if (!rc)
            rc = edge_breaches(ctx, d1 * DAY, w->to, w, j, err);
    } else {
        rc = edge_breaches(ctx, w->from, w->to, w, j, err);
    }
    if (rc == RP_OK) {
        /* what the time of reading decides */
        json_t *params = rp_charter_breach_params(w, c, now);
        rc = ctx->store->ops->query(ctx->store, RP_Q_MEASURES_BREACHES_NOW,
                                    params, &rows, err);
        json_decref(params);
        if (rc == RP_OK) {
            add_targets(j, rows);
            json_decref(rows);
        }
    }
    if (rc) {
        json_decref(j);
        return rc;
    }
    *total = 0;
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v)
        *total += json_integer_value(v);
    *counts = j;
    return RP_OK;
}

/* Append the rows of the named query q over [a, b) with w's filter to
 * all. */
static rp_code append_rows(rp_ctx *ctx, rp_query q, int64_t a, int64_t b,
                           const rp_window *w, json_t *all, rp_error *err)
{
    json_t *rows;
    if (run(ctx, q, a, b, w, &rows, err))
        return err->code;
    json_array_extend(all, rows);
    json_decref(rows);
    return RP_OK;
}

rp_code rp_rollup_breach_times(rp_ctx *ctx, const rp_window *w,
                               const rp_charter *c, int64_t now, json_t **rows,
                               rp_error *err)
{
    /* the whole days from the rollup, the partial days at the edges (or
     * the whole window, within a day) from their encounters: no part is
     * taken away, so a target and queue of no breach is never a row */
    int64_t d1 = floor_div(w->from + DAY - 1, DAY), d2 = floor_div(w->to, DAY);
    json_t *all = json_array();
    rp_code rc = RP_OK;
    if (d1 < d2) {
        rc = append_rows(ctx, RP_Q_MEASURES_ROLLUP_BREACH_TIMES, d1, d2, w, all,
                         err);
        if (!rc && w->from < d1 * DAY)
            rc = append_rows(ctx, RP_Q_MEASURES_EDGE_BREACH_TIMES, w->from,
                             d1 * DAY, w, all, err);
        if (!rc && d2 * DAY < w->to)
            rc = append_rows(ctx, RP_Q_MEASURES_EDGE_BREACH_TIMES, d2 * DAY,
                             w->to, w, all, err);
    } else {
        rc = append_rows(ctx, RP_Q_MEASURES_EDGE_BREACH_TIMES, w->from, w->to,
                         w, all, err);
    }
    if (rc == RP_OK) {
        json_t *now_rows, *params = rp_charter_breach_params(w, c, now);
        rc = ctx->store->ops->query(ctx->store, RP_Q_MEASURES_BREACH_TIMES_NOW,
                                    params, &now_rows, err);
        json_decref(params);
        if (rc == RP_OK) {
            json_array_extend(all, now_rows);
            json_decref(now_rows);
        }
    }
    if (rc) {
        json_decref(all);
        return rc;
    }
    *rows = all;
    return RP_OK;
}

rp_code rp_rollup_moments(rp_ctx *ctx, const rp_window *w, json_t **rows,
                          rp_error *err)
{
    /* the whole hours inside [from, to): the rollup's rows; the edges
     * outside them from the ledger (hours are the rollup's, as
     * occurred_at / 3600 truncates: times before 1970 are not read so) */
    int64_t h1 = floor_div(w->from + HOUR - 1, HOUR),
            h2 = floor_div(w->to, HOUR);
    json_t *q = rp_window_queues(w);
    int filtered = !json_is_null(q) || w->agent_id;
    json_decref(q);
    if (filtered || w->from < 0 || h1 >= h2)
        return rp_error_set(err, RP_ENOTFOUND, NULL,
                            "the moments of this window are not rolled up");
    json_t *params = json_pack("[I, I, I, I]", (json_int_t)w->from,
                               (json_int_t)w->to, (json_int_t)h1,
                               (json_int_t)h2);
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_MEASURES_ROLLUP_MOMENTS, params, rows, err);
    json_decref(params);
    return rc;
}

rp_code rp_rollup_movements(rp_ctx *ctx, const rp_window *w, json_t **rows,
                            rp_error *err)
{
    json_t *q = rp_window_queues(w);
    int filtered = !json_is_null(q) || w->agent_id;
    json_decref(q);
    if (filtered || w->from < 0)
        return rp_error_set(err, RP_ENOTFOUND, NULL,
                            "the movements of this window are not rolled up");
    /* the whole days [d1, d2) from the rollup; the edges [from, e1) and
     * [s2, to) from the levels (when no whole day: [from, to) once) */
    int64_t d1 = floor_div(w->from + DAY - 1, DAY), d2 = floor_div(w->to, DAY);
    int64_t e1 = d1 * DAY < w->to ? d1 * DAY : w->to;
    int64_t s2 = d2 * DAY > e1 ? d2 * DAY : e1;
    json_t *params = json_pack(
        "[I, I, I, I, I, I]", (json_int_t)w->from, (json_int_t)e1,
        (json_int_t)s2, (json_int_t)w->to, (json_int_t)d1, (json_int_t)d2);
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_MEASURES_ROLLUP_MOVEMENTS, params, rows, err);
    json_decref(params);
    return rc;
}

static int by_value(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

json_t *rp_rollup_rank(json_t *histogram, int p)
{
    size_t n = json_object_size(histogram), i = 0;
    if (!n)
        return json_null();
    int64_t(*b)[2] = calloc(n, sizeof *b), total = 0;
    if (!b)
        return json_null();
    const char *key;
    json_t *v;
    json_object_foreach(histogram, key, v) {
        b[i][0] = strtoll(key, NULL, 10);
        b[i][1] = json_integer_value(v);
        total += b[i][1];
        i++;
    }
    qsort(b, n, sizeof *b, by_value);
    int64_t rank = rp_percentile_rank(total, p), seen = 0;
    json_t *out = json_null();
    for (i = 0; i < n && rank >= 0; i++) {
        seen += b[i][1];
        if (seen > rank) {
            out = json_integer(b[i][0]);
            break;
        }
    }
    free(b);
    return out;
}

rp_code rp_rollup_rebuild(rp_ctx *ctx, rp_error *err)
{
    static const rp_query steps[] = {
        RP_Q_MEASURES_ROLLUP_CLEAR_DAYS,
        RP_Q_MEASURES_ROLLUP_CLEAR_COUNTS,
        RP_Q_MEASURES_ROLLUP_CLEAR_LEVELS,
        RP_Q_MEASURES_ROLLUP_FILL_DAYS,
        RP_Q_MEASURES_ROLLUP_FILL_CHANNELS,
        RP_Q_MEASURES_ROLLUP_FILL_WAITS,
        RP_Q_MEASURES_ROLLUP_FILL_LEVELS,
        RP_Q_MEASURES_ROLLUP_CLEAR_BREACHES,
        RP_Q_MEASURES_ROLLUP_FILL_BREACHES,
        RP_Q_MEASURES_ROLLUP_CLEAR_BREACH_LIST,
        RP_Q_MEASURES_ROLLUP_FILL_BREACH_LIST,
        RP_Q_MEASURES_ROLLUP_CLEAR_MOMENT_HOURS,
        RP_Q_MEASURES_ROLLUP_CLEAR_MOMENT_CUSTOMERS,
        RP_Q_MEASURES_ROLLUP_FILL_MOMENT_HOURS,
        RP_Q_MEASURES_ROLLUP_FILL_MOMENT_CUSTOMERS,
        RP_Q_MEASURES_ROLLUP_FILL_MOMENT_LAST,
        /* the counts' triggers kept measure_day_totals as they were
         * emptied and filled; made again, it is right even after a change
         * made past them */
        RP_Q_MEASURES_ROLLUP_CLEAR_DAY_TOTALS,
        RP_Q_MEASURES_ROLLUP_FILL_DAY_TOTALS,
        RP_Q_MEASURES_ROLLUP_CLEAR_LATE,
        RP_Q_MEASURES_ROLLUP_FILL_LATE,
        RP_Q_MEASURES_ROLLUP_CLEAR_MOVEMENTS,
        RP_Q_MEASURES_ROLLUP_FILL_MOVEMENTS,
    };
    rp_store *s = ctx->store;
    rp_code rc = rp_store_begin(s, err);
    if (rc)
        return rc;
    for (size_t i = 0; rc == RP_OK && i < sizeof steps / sizeof steps[0]; i++)
        rc = s->ops->exec(s, steps[i], NULL, NULL, err);
    return rp_store_finish(s, rc, err);
}
