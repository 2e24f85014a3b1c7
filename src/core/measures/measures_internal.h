/*
 * measures_internal.h - what charter.c and metrics.c share and nobody
 * else needs: the window as JSON and the breach counts of a window.
 */
#ifndef RP_MEASURES_INTERNAL_H
#define RP_MEASURES_INTERNAL_H

#include "core/rapport.h"

/* The parameters ?1..?9 of the breach queries, and of the breach times'
 * reading of what is still running (sqlite_queries.c): the window, its
 * queues and agent, the time of reading, and the charter's targets.  A new
 * array the caller owns. */
json_t *rp_charter_breach_params(const rp_window *w, const rp_charter *c,
                                 int64_t now);
/* {"from", "to", "queue_id", "agent_id"} of w (new object). */
json_t *rp_window_json(const rp_window *w);

/* Breaches of charter c in w at time now, by target (every target
 * present, new object in *counts), and their sum in *total. */
rp_code rp_charter_breach_counts(rp_ctx *ctx, const rp_window *w,
                                 const rp_charter *c, int64_t now,
                                 json_t **counts, int64_t *total,
                                 rp_error *err);

/*
 * How long the breaches of charter c in w took, at time now, by target
 * (every target present, new object in *times): {"breaches",
 * "over_seconds_average" (past the target, in business time for an
 * encounter of a queue with business hours, as the breach report's
 * over_by_seconds; a breach not late by any figure, as an abandoned
 * encounter before its resolution target, counts 0),
 * "calendar_seconds_average" (from the start to the breach's end or now,
 * as the report's calendar_seconds)}, averages to a tenth of a second,
 * null without breaches.  The grouped breaches of w from the records
 * when direct (`rapport report --verify`'s reference), else from the
 * rollup (rp_rollup_breach_times); and one read of the rows of each queue
 * with business hours.
 */
rp_code rp_charter_breach_times(rp_ctx *ctx, const rp_window *w,
                                const rp_charter *c, int64_t now, int direct,
                                json_t **times, rp_error *err);

/* The first limit breaches of charter c in w at time now in the order of
 * their start (the breach report's items before their business figures,
 * new array in *rows): from the records when direct (the reference of
 * `rapport report --verify`), else each kind read in that order and cut
 * at limit, the breaches for good of the encounters from their list
 * (migration 125). */
rp_code rp_charter_breach_page(rp_ctx *ctx, const rp_window *w,
                               const rp_charter *c, int64_t now, int limit,
                               int direct, json_t **rows, rp_error *err);

/* The rows of the query MEASURES_BREACH_TIMES ({target, subject,
 * queue_id, n, calendar_sum, over_sum}, new array in *rows; a target and
 * queue may come in several rows, to be added) read from the rollup of
 * the breaches for good and their seconds (migration 125: whole days;
 * the partial days at the edges from their encounters) plus what the
 * time of reading decides (the running clocks of the encounters not
 * ended, the promises and follow-ups due in w): rollup.c. */
rp_code rp_rollup_breach_times(rp_ctx *ctx, const rp_window *w,
                               const rp_charter *c, int64_t now, json_t **rows,
                               rp_error *err);

/* The same counts as rp_charter_breach_counts, read from the rollup of
 * the breaches for good (whole days; the partial days at the edges from
 * their encounters) plus what the time of reading decides (the running
 * clocks of the encounters not ended, the promises and follow-ups due in
 * w): rollup.c. */
rp_code rp_rollup_breaches(rp_ctx *ctx, const rp_window *w, const rp_charter *c,
                           int64_t now, json_t **counts, int64_t *total,
                           rp_error *err);

/*
 * The moments of w read from the rollup of the moments (migration 112):
 * the same row as the query MEASURES_MOMENTS ({moments, customers,
 * positive, neutral, negative}, new array in *rows), from the hours of
 * measure_moment_hours, the partial hours at the edges and each
 * customer's newest moment.  RP_ENOTFOUND when w cannot be read so (a
 * queue or agent filter, or a window spanning fewer than two hour
 * boundaries): the caller counts from the ledger.
 */
rp_code rp_rollup_moments(rp_ctx *ctx, const rp_window *w, json_t **rows,
                          rp_error *err);

/*
 * The relationships' movements of w read from their rollup (migration
 * 119): the same rows as the query MEASURES_MOVEMENTS ({from_level,
 * to_level, n}, most first, new array in *rows), from the whole UTC days
 * of measure_movement_days and the levels of the partial days at the
 * edges.  RP_ENOTFOUND when w has a queue or agent filter (or starts
 * before 1970): the caller counts from the records.
 */
rp_code rp_rollup_movements(rp_ctx *ctx, const rp_window *w, json_t **rows,
                            rp_error *err);

/*
 * A copy of w in *out limited to what ctx->viewer may count: a queue they
 * may not see is RP_EFORBIDDEN naming "queue"; without a queue, the copy's
 * queues are those they may see (NULL when all).  Release the copy with
 * rp_window_release.
 */
rp_code rp_window_limit(rp_ctx *ctx, const rp_window *w, rp_window *out,
                        rp_error *err);

/* Release what rp_window_limit gave w. */
void rp_window_release(rp_window *w);

/* The queues a window query counts (its ?3): the window's queue, the
 * reader's queues, or null for every queue (new reference). */
json_t *rp_window_queues(const rp_window *w);

/* RP_EINVALID naming "series" when o's series would cut w into more than
 * RP_METRICS_MAX_BUCKETS buckets (checked before anything is read). */
rp_code rp_metrics_series_check(const rp_window *w, const rp_metrics_options *o,
                                rp_error *err);

/* Add to out what o asks for beyond the report (breakdown.c): w already
 * limited to the reader, c the charter and now the time of reading. */
rp_code rp_metrics_breakdown(rp_ctx *ctx, const rp_window *w,
                             const rp_metrics_options *o, const rp_charter *c,
                             int64_t now, json_t *out, rp_error *err);

#endif
