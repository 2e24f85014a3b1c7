/*
 * measures.h - measured waiting, the service charter and the service
 * metrics (seed 003: thirty minutes of music, no answer, a hang-up).
 *
 * Know-how is measured or it is a slogan.  Three parts:
 *
 *   measure.c  the measures of one encounter: queue wait, time to first
 *              response and to resolution, abandonment, first-contact
 *              resolution, and how each compares with the charter;
 *   charter.c  the targets the desk promises itself (acknowledge within N
 *              minutes, first response, resolution within H hours,
 *              follow-ups and promises done by their date), the breaches,
 *              and the settling of promises as kept or broken;
 *   metrics.c  the service metrics of a window of time, for a queue or an
 *              agent, and the gauges that /metrics exports.
 *
 * Every figure comes from a bounded number of indexed named queries, so the
 * cost of a report stays flat as the history grows.
 */
#ifndef RP_MEASURES_H
#define RP_MEASURES_H

#include <jansson.h>
#include <stdint.h>

#include "core/context.h"
#include "core/measures/calendar.h"

typedef struct rp_ctx rp_ctx;

/* ---- the service charter (charter.c) ------------------------------------- */

/* The targets, as stored in the charter table. */
typedef struct rp_charter {
    int64_t acknowledge_minutes;    /* received -> acknowledged */
    int64_t first_response_minutes; /* received -> first response */
    int64_t resolution_hours;       /* received -> closed */
    int follow_up_on_time; /* 1: promises and follow-ups count when late */
} rp_charter;

/* The targets a new database starts with: 5 min, 15 min, 24 h, on. */
extern const rp_charter rp_charter_defaults;

/* Read the targets into *out. */
rp_code rp_charter_load(rp_ctx *ctx, rp_charter *out, rp_error *err);

/*
 * The charter as JSON: {"acknowledge_minutes", "first_response_minutes",
 * "resolution_hours", "follow_up_on_time", "updated_at", "updated_by"}.
 */
rp_code rp_charter_get(rp_ctx *ctx, json_t **out, rp_error *err);

/* The charter's fields and their bounds (for the API's contract too). */
extern const rp_field rp_charter_fields[];

/*
 * Change the targets present in in (at least one; the others keep their
 * value).  acknowledge_minutes 1..10080, first_response_minutes 1..43200 and
 * not below acknowledge_minutes, resolution_hours 1..8784 and not below the
 * first-response target, follow_up_on_time a boolean.  Each error names its
 * field; nothing changes unless every field is valid.  *out is the charter.
 */
rp_code rp_charter_update(rp_ctx *ctx, json_t *in, json_t **out, rp_error *err);

/* A window of time, and optionally one queue or agent, for breaches and
 * metrics.  [from, to) in Unix seconds; 0 ids mean "any".  queues is the
 * core's own: the queues counted for a reader (ctx->viewer) who may not
 * see them all (rp_access_queues); NULL: every queue. */
typedef struct rp_window {
    int64_t from, to;
    int64_t queue_id, agent_id;
    json_t *queues;
} rp_window;

/*
 * Parse a window from query-string text (any argument may be NULL): from
 * and to are RFC 3339 times (default: the 30 days up to now), queue and
 * agent positive ids.  from must be before to and the window at most 366
 * days long.  Errors name the argument.
 */
rp_code rp_window_parse(const char *from, const char *to, const char *queue,
                        const char *agent, rp_window *out, rp_error *err);

/*
 * Mark every open promise whose due_at is before now as broken, writing a
 * moment of truth for each in the same transaction.  Fills *settled (may be
 * NULL) with the number of promises broken.  Safe to run concurrently: a
 * promise is settled once.
 */
rp_code rp_charter_settle_promises(rp_ctx *ctx, int64_t now, int64_t *settled,
                                   rp_error *err);

/*
 * The breaches of the charter in window w, oldest first, at most limit
 * (1..1000): {"window", "charter", "count", "counts": {target: n},
 * "truncated", "items": [{"target", "subject", "subject_id", "encounter_id",
 * "customer_id", "customer_name", "started_at", "target_seconds",
 * "actual_seconds", "over_by_seconds", "detail"}]}.  Only reads: a
 * promise open past its date is a breach whether settled or not.  A
 * reader (ctx->viewer) who may not see every queue gets the breaches of
 * their queues (rp_access_queues); a queue of w they may not see is
 * RP_EFORBIDDEN.
 */
rp_code rp_charter_breaches(rp_ctx *ctx, const rp_window *w, int limit,
                            json_t **out, rp_error *err);

/*
 * Mark the open promise id as kept, with a moment of truth.  A promise that
 * is already kept or broken, or whose due date has passed (it is broken by
 * the charter's rule), is refused with RP_ECONFLICT.  *out is the promise.
 */
rp_code rp_promise_keep(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err);

/* ---- the sweep of breaches as they happen (sweep.c) ---------------------- */

/*
 * Record the breaches of the acknowledgement, first-response and
 * resolution targets that have happened by now and were not recorded
 * before, each once (encounter and target), with the target it was judged
 * against, when it was due and when it happened; write a charter.breached
 * moment of truth and emit the charter.breached event (target,
 * breach_id, target_seconds, due_at, breached_at, over_by_seconds) for
 * each, in the transaction that records it.  Reads only the encounters
 * whose next deadline has passed (an index), in batches of short
 * transactions.  Safe to run again and at the same time on other
 * connections: a breach is sent once.  *breached (may be NULL) gets how
 * many were recorded, *looked (may be NULL) how many encounters were
 * judged.
 */
rp_code rp_charter_sweep(rp_ctx *ctx, int64_t now, int64_t *breached,
                         int64_t *looked, rp_error *err);

/*
 * The breaches recorded for encounter_id, oldest first: [{"id",
 * "encounter_id", "customer_id", "target", "target_seconds", "due_at",
 * "breached_at", "judged_at"}].
 */
rp_code rp_charter_breach_facts(rp_ctx *ctx, int64_t encounter_id, json_t **out,
                                rp_error *err);

/* ---- measures of one encounter (measure.c) ------------------------------- */

/*
 * The measures of encounter (a row as rp_encounter_get returns it) at time
 * now, judged against charter c: {"queue_wait_seconds", "waiting",
 * "first_response_seconds", "resolution_seconds", "abandoned",
 * "abandon_reason", "first_contact_resolved", "transfers", "charter":
 * {"acknowledge"|"first_response"|"resolution": {"target_seconds",
 * "actual_seconds", "breached"}}}.  Pure: reads nothing else.
 */
json_t *rp_measure_compute(json_t *encounter, const rp_charter *c, int64_t now);

/* When an encounter's three targets fall due (acknowledge, first
 * response, resolution), the charter version it is judged by (0: not
 * known) and whether they count in business hours. */
typedef struct rp_deadlines {
    int64_t version_id;
    int business_hours;
    int64_t due[3];
} rp_deadlines;

/* The deadlines of an encounter received at created under charter c and
 * calendar cal (NULL: around the clock); version_id is left as it was. */
void rp_deadlines_compute(const rp_charter *c, const rp_calendar *cal,
                          int64_t created, rp_deadlines *out);

/*
 * rp_measure_compute in business hours: each target of "charter" gets
 * "actual_seconds" in business time under cal (NULL: around the clock),
 * "calendar_seconds" the same in calendar time, and "due_at", its
 * deadline (from d, or computed from c and cal when d is NULL); it is
 * breached once its clock stops, or now is, past the deadline.  The
 * object adds "queue_wait_business_seconds",
 * "first_response_business_seconds", "resolution_business_seconds",
 * "business_hours" and "charter_version".  Pure.
 */
json_t *rp_measure_compute_in(json_t *encounter, const rp_charter *c,
                              const rp_calendar *cal, const rp_deadlines *d,
                              int64_t now);

/*
 * What encounter e (a row with id, queue_id and arrived_at, else
 * created_at) is judged by: the charter version in force when the
 * customer arrived, its queue's
 * calendar (released by the caller with rp_calendar_free) and its
 * deadlines, as stored when the sweep first judged it or else computed.
 */
rp_code rp_measure_judgement(rp_ctx *ctx, json_t *e, rp_charter *c,
                             rp_calendar *cal, rp_deadlines *d, rp_error *err);

/* Add a "measures" object (rp_measure_compute_in with what the encounter
 * is judged by, rp_measure_judgement, and the current time) to the
 * encounter object. */
rp_code rp_measure_encounter(rp_ctx *ctx, json_t *encounter, rp_error *err);

/* The measures of encounter id, with "encounter_id"; RP_ENOTFOUND if none. */
rp_code rp_measure_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err);

/* ---- service metrics (metrics.c) ----------------------------------------- */

/*
 * The 0-based position of the p-th percentile (0 < p <= 100) among n
 * ordered values by the nearest-rank method: ceil(p / 100 * n) - 1.  -1
 * when n is 0.
 */
int64_t rp_percentile_rank(int64_t n, int p);

/*
 * The service metrics of window w (see docs/api.md for every field):
 * volume, waits (p50, p90), abandonment, first-contact resolution,
 * transfers, satisfaction and its words, relationship levels and
 * movements, moments of truth per customer, defects, special requests,
 * apologies, promises and charter breaches.  Only reads: a promise open
 * past its date counts as broken whether settled or not.  A reader
 * (ctx->viewer) who may not see every queue gets the figures of their
 * queues only, as rp_charter_breaches.
 */
rp_code rp_metrics_service(rp_ctx *ctx, const rp_window *w, json_t **out,
                           rp_error *err);

/* What a report may add to the service metrics (breakdown.c). */
typedef struct rp_metrics_options {
    int by_queue;      /* 1: a row per queue ("queues") */
    int series_days;   /* 0: no series; 1: buckets of a day; 7: of a week */
    const rp_tz *zone; /* where the buckets' days start (NULL: UTC) */
    int breach_times;  /* 1: how long the breaches took ("charter.times") */
} rp_metrics_options;

/* The most buckets a series may hold (62 days; 366 days are 54 weeks). */
#define RP_METRICS_MAX_BUCKETS 62

/*
 * Parse the report's options from query-string text (each may be NULL):
 * by_queue "true" or "false", series "day" or "week", tz a time-zone name
 * of the tz database (default UTC; only with series), breach_times "true"
 * or "false".  Each refusal names its parameter and says what is
 * accepted.
 */
rp_code rp_metrics_options_parse(const char *by_queue, const char *series,
                                 const char *tz, const char *breach_times,
                                 rp_metrics_options *out, rp_error *err);

/*
 * rp_metrics_service with the additions opts asks for, in the same
 * snapshot:
 *   - "queues" (by_queue): per queue that received encounters in the
 *     window ({queue_id, null for none}), the encounters, the abandoned
 *     and the waits' p50 and p90 (bucketed as the report's), from the
 *     rollups;
 *   - "series" (series_days): the window cut at the local midnights (a
 *     week starts on Monday) of opts->zone, each bucket's {from, to,
 *     satisfaction {answered, average}, breaches}; a window of more than
 *     RP_METRICS_MAX_BUCKETS buckets is refused, naming "series";
 *   - "charter.times" (breach_times): per target of the charter, the
 *     breaches and their average time past the target (business time)
 *     and in calendar time, as the breach report's over_by_seconds and
 *     calendar_seconds averaged over every breach of the window (the
 *     dashboard's "How far over, on average"; rp_charter_breach_times).
 */
rp_code rp_metrics_service_with(rp_ctx *ctx, const rp_window *w,
                                const rp_metrics_options *opts, json_t **out,
                                rp_error *err);

/*
 * The same figures computed from the records (every encounter of the
 * window walked, the waits' percentiles exact): the reference the rollups
 * are checked against (rp_metrics_verify, the tests).  Slow on a large
 * desk; not for a request path.
 */
rp_code rp_metrics_service_direct(rp_ctx *ctx, const rp_window *w, json_t **out,
                                  rp_error *err);

/*
 * Compare the metrics of w from the rollups with those from the records
 * (rp_metrics_service_direct) in one snapshot: *diffs is a new array of
 * {"figure" (a path like "wait.p50_seconds"), "records", "rollups"}, empty
 * when they agree.  The waits' p50 and p90 agree when the rollups' figure
 * is the bucket of the records' (rp_rollup_wait_bucket).  Also each
 * agent's count of open work (agent_open_work, which routing reads)
 * against their encounters not closed or abandoned: a difference is the
 * figure "open_work.agent N".  And how long the charter's breaches took
 * (breach_times, "charter.times..."), from the records against the rollup
 * of their seconds (migration 125), and the breach list's first 1,000
 * ("charter.list").
 */
rp_code rp_metrics_verify(rp_ctx *ctx, const rp_window *w, json_t **diffs,
                          rp_error *err);

/* ---- the rollups of the service metrics (rollup.c) ---------------------- */

/* The bucket of the histogram a wait of w seconds is counted in (its
 * start): w itself below 120 s; then 10 s wide below 10 min, 1 min below
 * 1 h, 5 min below 6 h, 30 min below 1 day, 1 h beyond. */
int64_t rp_rollup_wait_bucket(int64_t w);

/*
 * The rolled-up figures of the encounters received in window w (already
 * limited to the reader): *sums a new object of measure_days' columns
 * summed (wait_max the greatest, absent when no wait was measured),
 * *counts a new object {kind: {key: n}} ("channel", "wait").  Whole UTC
 * days from the rollups, partial days at the edges from the records.
 */
rp_code rp_rollup_window(rp_ctx *ctx, const rp_window *w, json_t **sums,
                         json_t **counts, rp_error *err);

/* The p-th percentile (nearest rank) of a histogram {bucket: n}, as the
 * bucket's start; null when it is empty (new reference). */
json_t *rp_rollup_rank(json_t *histogram, int p);

/* Empty the rollups and fill them again from the records, in one write
 * transaction (`rapport report --rebuild`). */
rp_code rp_rollup_rebuild(rp_ctx *ctx, rp_error *err);

/*
 * The gauges exported to Prometheus: {"queue_depth": [{"queue_id", "n"}],
 * "tasks_due": [{"kind", "n"}], "tasks_failed": [{"kind", "n"}]}.
 */
rp_code rp_metrics_gauges(rp_ctx *ctx, json_t **out, rp_error *err);

/*
 * The delivery backlog at now, for the health check: {"tasks": {"due",
 * "failed"}, "outbox": {"due", "failed"}, "webhooks": {"due", "failed"}}:
 * reminders and other tasks due and not yet sent, or given up on; the
 * desk's replies waiting to be sent (their next attempt due), or given up
 * on; event deliveries the same.  A fixed number of index range counts.
 */
rp_code rp_delivery_backlog(rp_ctx *ctx, int64_t now, json_t **out,
                            rp_error *err);

/* ---- the charter's versions and calendar (charter.c, hours.c) ----------- */

/*
 * The charter version in force at instant t (the newest that started at or
 * before it) into *out, and its id into *version_id (may be NULL).  An
 * encounter is judged by the version in force when it was received.
 */
rp_code rp_charter_at(rp_ctx *ctx, int64_t t, rp_charter *out,
                      int64_t *version_id, rp_error *err);

/*
 * The history of the charter, newest first (at most 500): {"items": [{"id",
 * "starts_at" (null for the version in force from the start),
 * "acknowledge_minutes", "first_response_minutes", "resolution_hours",
 * "follow_up_on_time", "created_by"}]}.
 */
rp_code rp_charter_versions(rp_ctx *ctx, json_t **out, rp_error *err);

/*
 * The calendar the charter's clocks of queue_id count in (its business
 * hours, its holidays and the desk's) into *out, released with
 * rp_calendar_free; around the clock for no queue (0) or a queue without
 * hours.
 */
rp_code rp_calendar_load(rp_ctx *ctx, int64_t queue_id, rp_calendar *out,
                         rp_error *err);

/* The fields of a queue's hours and of the desk's holidays. */
extern const rp_field rp_hours_fields[];
extern const rp_field rp_holidays_fields[];

/*
 * The business hours of queue queue_id: {"queue_id", "time_zone",
 * "intervals": [{"day", "open", "close"}], "around_the_clock", "holidays":
 * [{"date", "name"}] (the queue's), "desk_holidays", "updated_at",
 * "updated_by"}.  RP_ENOTFOUND for no such queue.
 */
rp_code rp_hours_get(rp_ctx *ctx, int64_t queue_id, json_t **out,
                     rp_error *err);

/*
 * Replace the hours of queue queue_id with in ({"time_zone", "intervals",
 * "holidays"}; intervals empty: around the clock; holidays absent: kept).
 * The whole body is checked first (a zone of the tz database, days of the
 * week, HH:MM times with close after open, openings of a day not
 * overlapping, real dates given once); each refusal names its field and
 * changes nothing.  Encounters already received keep the deadlines they
 * were given; the new hours count for those received from now on.
 */
rp_code rp_hours_set(rp_ctx *ctx, int64_t queue_id, json_t *in, json_t **out,
                     rp_error *err);

/* The desk's holidays: {"holidays": [{"date", "name"}]}. */
rp_code rp_holidays_get(rp_ctx *ctx, json_t **out, rp_error *err);

/* Replace the desk's holidays with in's {"holidays": [...]}, checked as
 * rp_hours_set checks a queue's. */
rp_code rp_holidays_set(rp_ctx *ctx, json_t *in, json_t **out, rp_error *err);

#endif
