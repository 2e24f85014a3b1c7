/*
 * metrics.c - the service metrics of a window, and the gauges of /metrics.
 *
 * What a lead needs to see whether the desk has know-how (seed 003) and
 * keeps relationships (seed 002): volume, how long people wait (p50 and
 * p90, because an average hides the thirty-minute call), how many hang up,
 * how many are resolved at the first contact, transfers, what customers
 * say, how relationships move, defects, special requests, apologies,
 * promises and breaches of the charter.
 *
 * The encounters' figures (volume, channels, waits, abandonment, first
 * contact, transfers, apologies, ownership), the levels and, without a
 * queue or agent, the moments of truth are read from the rollups
 * (rollup.c); the other sections are one named query over an index range
 * of the window each.  The direct computation from the
 * records (encounter_sections, wait_section, ownership_section) is kept
 * as the reference: rp_metrics_service_direct and rp_metrics_verify.
 * Percentiles use the nearest-rank method on an ordered query: one count,
 * then one row fetched at the rank (LIMIT 1 OFFSET k) per percentile.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/measures/measures_internal.h"

int64_t rp_percentile_rank(int64_t n, int p)
{
    if (n <= 0 || p <= 0)
        return n <= 0 ? -1 : 0;
    if (p > 100)
        p = 100;
    /* ceil(p * n / 100) in integers, so that no rounding of a double can
     * move the rank by one on exact boundaries */
    int64_t rank = (p * n + 99) / 100;
    return rank < 1 ? 0 : rank - 1;
}

/* ?1..?4 of every window query. */
static json_t *window_params(const rp_window *w)
{
    return json_pack("[I, I, o, o]", (json_int_t)w->from, (json_int_t)w->to,
                     rp_window_queues(w),
                     w->agent_id ? json_integer(w->agent_id) : json_null());
}

/* Run the named window query; rows in *rows (new array). */
static rp_code q(rp_ctx *ctx, rp_query name, const rp_window *w, json_t **rows,
                 rp_error *err)
{
    json_t *params = window_params(w);
    rp_code rc = ctx->store->ops->query(ctx->store, name, params, rows, err);
    json_decref(params);
    return rc;
}

/* The integer in column key of the first row of rows, 0 when none. */
static int64_t first_int(json_t *rows, const char *key)
{
    return json_integer_value(json_object_get(json_array_get(rows, 0), key));
}

/* num / den rounded to 4 places, or null when den is 0. */
static json_t *rate(int64_t num, int64_t den)
{
    if (den <= 0)
        return json_null();
    return json_real(round((double)num / (double)den * 10000.0) / 10000.0);
}

static json_t *real_or_null(json_t *v, double scale)
{
    if (!json_is_number(v))
        return json_null();
    return json_real(round(json_number_value(v) * scale) / scale);
}

static rp_code wait_at(rp_ctx *ctx, const rp_window *w, int64_t rank,
                       json_t **out, rp_error *err)
{
    if (rank < 0) {
        *out = json_null();
        return RP_OK;
    }
    json_t *params = window_params(w), *rows;
    json_array_append_new(params, json_integer(rank));
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_MEASURES_WAIT_AT_RANK,
                                        params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *v = json_object_get(json_array_get(rows, 0), "w");
    *out = v ? json_incref(v) : json_null();
    json_decref(rows);
    return RP_OK;
}

/* What the volume, abandonment, first-contact, transfer and apology
 * sections are made of, counted from the records or read from the
 * rollups: both paths answer in the same fields through one writer. */
typedef struct encounter_counts {
    int64_t n, closed, abandoned, waiting, fcr, fcr_unknown, transfers,
        transferred, apologies_owed, apologies_given, apologies_missing;
} encounter_counts;

/* Set those sections of out from k; by_channel is taken over. */
static void put_encounter_sections(json_t *out, json_t *by_channel,
                                   const encounter_counts *k)
{
    json_object_set_new(out, "volume",
                        json_pack("{s:I, s:o, s:I, s:I, s:I}", "encounters",
                                  (json_int_t)k->n, "by_channel", by_channel,
                                  "closed", (json_int_t)k->closed, "abandoned",
                                  (json_int_t)k->abandoned, "waiting",
                                  (json_int_t)k->waiting));
    json_object_set_new(out, "abandonment",
                        json_pack("{s:I, s:o}", "abandoned",
                                  (json_int_t)k->abandoned, "rate",
                                  rate(k->abandoned, k->n)));
    /* unknown is neither yes nor no: the rate is of the known ones */
    int64_t known = k->closed - k->fcr_unknown;
    json_object_set_new(
        out, "first_contact_resolution",
        json_pack("{s:I, s:I, s:I, s:I, s:o}", "closed", (json_int_t)k->closed,
                  "resolved_first_contact", (json_int_t)k->fcr, "known",
                  (json_int_t)known, "unknown", (json_int_t)k->fcr_unknown,
                  "rate", rate(k->fcr, known)));
    json_object_set_new(
        out, "transfers",
        json_pack("{s:I, s:I, s:o}", "total", (json_int_t)k->transfers,
                  "encounters_transferred", (json_int_t)k->transferred, "rate",
                  rate(k->transferred, k->n)));
    json_object_set_new(
        out, "apologies",
        json_pack("{s:I, s:I, s:I}", "owed", (json_int_t)k->apologies_owed,
                  "given", (json_int_t)k->apologies_given, "owed_not_given",
                  (json_int_t)k->apologies_missing));
}

/* volume, abandonment, first-contact resolution, transfers, apologies. */
static rp_code encounter_sections(rp_ctx *ctx, const rp_window *w, json_t *out,
                                  int64_t *volume, rp_error *err)
{
    json_t *rows, *channels;
    if (q(ctx, RP_Q_MEASURES_VOLUME, w, &rows, err))
        return err->code;
    if (q(ctx, RP_Q_MEASURES_BY_CHANNEL, w, &channels, err)) {
        json_decref(rows);
        return err->code;
    }
    int64_t n = first_int(rows, "encounters"),
            closed = first_int(rows, "closed"),
            abandoned = first_int(rows, "abandoned"),
            fcr = first_int(rows, "first_contact_resolved"),
            fcr_unknown = first_int(rows, "first_contact_unknown"),
            transferred = first_int(rows, "transferred");
    json_t *by_channel = json_object();
    size_t i;
    json_t *row;
    json_array_foreach(channels, i, row)
        json_object_set(by_channel,
                        json_string_value(json_object_get(row, "channel")),
                        json_object_get(row, "n"));
    encounter_counts k = {n,
                          closed,
                          abandoned,
                          first_int(rows, "waiting"),
                          fcr,
                          fcr_unknown,
                          first_int(rows, "transfers"),
                          transferred,
                          first_int(rows, "apologies_owed"),
                          first_int(rows, "apologies_given"),
                          first_int(rows, "apologies_missing")};
    put_encounter_sections(out, by_channel, &k);
    json_decref(rows);
    json_decref(channels);
    *volume = n;
    return RP_OK;
}

/* Who handles the work: how often encounters were taken, assigned by
 * someone else, and moved from one owner to another. */
static rp_code ownership_section(rp_ctx *ctx, const rp_window *w, json_t *out,
                                 rp_error *err)
{
    json_t *rows;
    if (q(ctx, RP_Q_MEASURES_OWNERSHIP, w, &rows, err))
        return err->code;
    json_object_set_new(
        out, "ownership",
        json_pack("{s:I, s:I, s:I}", "taken",
                  (json_int_t)first_int(rows, "takes"), "assigned",
                  (json_int_t)first_int(rows, "assignments"), "reassigned",
                  (json_int_t)first_int(rows, "reassignments")));
    json_decref(rows);
    return RP_OK;
}

static rp_code wait_section(rp_ctx *ctx, const rp_window *w, json_t *out,
                            rp_error *err)
{
    json_t *rows, *p50 = NULL, *p90 = NULL;
    if (q(ctx, RP_Q_MEASURES_WAIT_SUMMARY, w, &rows, err))
        return err->code;
    int64_t n = first_int(rows, "n");
    json_t *first = json_array_get(rows, 0);
    if (wait_at(ctx, w, rp_percentile_rank(n, 50), &p50, err) ||
        wait_at(ctx, w, rp_percentile_rank(n, 90), &p90, err)) {
        json_decref(p50);
        json_decref(rows);
        return err->code;
    }
    json_object_set_new(
        out, "wait",
        json_pack("{s:I, s:o, s:o, s:o, s:O}", "measured", (json_int_t)n,
                  "p50_seconds", p50, "p90_seconds", p90, "average_seconds",
                  real_or_null(json_object_get(first, "average"), 10.0),
                  "max_seconds", json_object_get(first, "maximum")));
    json_decref(rows);
    return RP_OK;
}

/* Calls told by a phone system (core/telephony) that arrived in the
 * window, as Zendesk Talk counts them: answered, abandoned in the queue
 * (hung up before anyone answered), the time to answer and to give up,
 * and hold time in total and per answered call. */
static rp_code telephony_section(rp_ctx *ctx, const rp_window *w, int64_t now,
                                 json_t *out, rp_error *err)
{
    json_t *rows, *params = window_params(w);
    json_array_append_new(params, json_integer(now));
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_MEASURES_TELEPHONY,
                                        params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *r = json_array_get(rows, 0);
    int64_t calls = first_int(rows, "calls"),
            answered = first_int(rows, "answered"),
            abandoned = first_int(rows, "abandoned"),
            hold = first_int(rows, "hold_total");
    json_object_set_new(
        out, "telephony",
        json_pack(
            "{s:I, s:I, s:I, s:o, s:I, s:{s:o, s:O}, s:{s:o, s:O}, "
            "s:{s:I, s:I, s:I, s:o, s:I}}",
            "calls", (json_int_t)calls, "answered", (json_int_t)answered,
            "abandoned_in_queue", (json_int_t)abandoned, "abandonment_rate",
            rate(abandoned, calls), "waiting",
            (json_int_t)first_int(rows, "waiting"), "time_to_answer",
            "average_seconds",
            real_or_null(json_object_get(r, "answer_average"), 10.0),
            "max_seconds", json_object_get(r, "answer_max"), "time_to_abandon",
            "average_seconds",
            real_or_null(json_object_get(r, "abandon_average"), 10.0),
            "max_seconds", json_object_get(r, "abandon_max"), "hold",
            "calls_held", (json_int_t)first_int(rows, "held"), "holds",
            (json_int_t)first_int(rows, "holds"), "total_seconds",
            (json_int_t)hold, "average_per_answered_call_seconds",
            answered ? json_real(round((double)hold / (double)answered * 10.0) /
                                 10.0)
                     : json_null(),
            "max_per_call_seconds", (json_int_t)first_int(rows, "hold_max")));
    json_decref(rows);
    return RP_OK;
}

static rp_code satisfaction_section(rp_ctx *ctx, const rp_window *w,
                                    json_t *out, rp_error *err)
{
    json_t *rows, *words;
    if (q(ctx, RP_Q_MEASURES_SATISFACTION, w, &rows, err))
        return err->code;
    if (q(ctx, RP_Q_MEASURES_SATISFACTION_WORDS, w, &words, err)) {
        json_decref(rows);
        return err->code;
    }
    json_t *list = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(words, i, row)
        json_array_append_new(
            list, json_pack("{s:O, s:O}", "word", json_object_get(row, "word"),
                            "count", json_object_get(row, "n")));
    json_object_set_new(
        out, "satisfaction",
        json_pack(
            "{s:I, s:o, s:o}", "answered",
            (json_int_t)first_int(rows, "answered"), "average",
            real_or_null(json_object_get(json_array_get(rows, 0), "average"),
                         100.0),
            "words", list));
    json_decref(rows);
    json_decref(words);
    return RP_OK;
}

static const char *const levels[] = {"transactional", "incremental",
                                     "formative", "partnership", NULL};

static int level_rank(const char *level)
{
    for (int i = 0; level && levels[i]; i++)
        if (!strcmp(levels[i], level))
            return i;
    return -1;
}

static rp_code relationship_section(rp_ctx *ctx, const rp_window *w, int direct,
                                    json_t *out, rp_error *err)
{
    json_t *counts, *moves;
    /* the levels are the desk's now, not the window's; a reader who may
     * not see every queue gets those of the customers of their queues */
    json_t *queues = w->queues ? json_pack("[O]", w->queues) : NULL;
    rp_code rc = ctx->store->ops->query(ctx->store,
                                        queues ? RP_Q_MEASURES_LEVELS_IN_QUEUES
                                        : direct ? RP_Q_MEASURES_LEVELS
                                                 : RP_Q_MEASURES_ROLLUP_LEVELS,
                                        queues, &counts, err);
    json_decref(queues);
    if (rc)
        return rc;
    rc = direct ? RP_ENOTFOUND : rp_rollup_movements(ctx, w, &moves, err);
    if (rc == RP_ENOTFOUND)
        rc = q(ctx, RP_Q_MEASURES_MOVEMENTS, w, &moves, err);
    if (rc) {
        json_decref(counts);
        return rc;
    }
    json_t *by_level = json_object();
    for (int i = 0; levels[i]; i++)
        json_object_set_new(by_level, levels[i], json_integer(0));
    size_t i;
    json_t *row;
    json_array_foreach(counts, i, row)
        json_object_set(by_level,
                        json_string_value(json_object_get(row, "level")),
                        json_object_get(row, "n"));
    json_t *list = json_array();
    int64_t up = 0, down = 0;
    json_array_foreach(moves, i, row) {
        const char *from = json_string_value(
            json_object_get(row, "from_level"));
        const char *to = json_string_value(json_object_get(row, "to_level"));
        int64_t n = json_integer_value(json_object_get(row, "n"));
        int rf = level_rank(from), rt = level_rank(to);
        const char *dir = rf < 0    ? "first"
                          : rt > rf ? "up"
                          : rt < rf ? "down"
                                    : "same";
        up += rt > rf && rf >= 0 ? n : 0;
        down += rt < rf ? n : 0;
        json_array_append_new(list, json_pack("{s:s?, s:s?, s:I, s:s}", "from",
                                              from, "to", to, "count",
                                              (json_int_t)n, "direction", dir));
    }
    json_object_set_new(out, "relationships",
                        json_pack("{s:o, s:o, s:I, s:I}", "levels", by_level,
                                  "movements", list, "up", (json_int_t)up,
                                  "down", (json_int_t)down));
    json_decref(counts);
    json_decref(moves);
    return RP_OK;
}

/* The moments of w: from the rollup of the moments unless direct or w
 * cannot be read so (rp_rollup_moments), else from the ledger. */
static rp_code moments_section(rp_ctx *ctx, const rp_window *w, int direct,
                               json_t *out, rp_error *err)
{
    json_t *rows;
    rp_code rc = direct ? RP_ENOTFOUND : rp_rollup_moments(ctx, w, &rows, err);
    if (rc == RP_ENOTFOUND)
        rc = q(ctx, RP_Q_MEASURES_MOMENTS, w, &rows, err);
    if (rc)
        return rc;
    int64_t n = first_int(rows, "moments"),
            people = first_int(rows, "customers");
    json_object_set_new(
        out, "moments",
        json_pack("{s:I, s:I, s:o, s:I, s:I, s:I}", "total", (json_int_t)n,
                  "customers", (json_int_t)people, "per_customer",
                  people ? json_real(round((double)n / (double)people * 100.0) /
                                     100.0)
                         : json_null(),
                  "positive", (json_int_t)first_int(rows, "positive"),
                  "neutral", (json_int_t)first_int(rows, "neutral"), "negative",
                  (json_int_t)first_int(rows, "negative")));
    json_decref(rows);
    return RP_OK;
}

static rp_code defects_section(rp_ctx *ctx, const rp_window *w, json_t *out,
                               rp_error *err)
{
    json_t *rows;
    if (q(ctx, RP_Q_MEASURES_DEFECTS, w, &rows, err))
        return err->code;
    json_t *by_kind = json_object(), *by_cause = json_array();
    int64_t total = 0;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *kind = json_string_value(json_object_get(row, "kind"));
        int64_t n = json_integer_value(json_object_get(row, "n"));
        total += n;
        json_object_set_new(
            by_kind, kind,
            json_integer(json_integer_value(json_object_get(by_kind, kind)) +
                         n));
        json_array_append_new(by_cause,
                              json_pack("{s:s, s:O, s:I}", "kind", kind,
                                        "cause", json_object_get(row, "cause"),
                                        "count", (json_int_t)n));
    }
    json_object_set_new(out, "defects",
                        json_pack("{s:I, s:o, s:o}", "total", (json_int_t)total,
                                  "by_kind", by_kind, "by_cause", by_cause));
    json_decref(rows);
    return RP_OK;
}

static rp_code special_requests_section(rp_ctx *ctx, const rp_window *w,
                                        json_t *out, rp_error *err)
{
    json_t *rows;
    if (q(ctx, RP_Q_MEASURES_SPECIAL_REQUESTS, w, &rows, err))
        return err->code;
    int64_t granted = 0, declined = 0;
    json_t *reasons = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        int64_t n = json_integer_value(json_object_get(row, "n"));
        if (!strcmp(json_string_value(json_object_get(row, "outcome")),
                    "granted")) {
            granted += n;
            continue;
        }
        declined += n;
        json_array_append_new(reasons, json_pack("{s:O, s:I}", "reason",
                                                 json_object_get(row, "reason"),
                                                 "count", (json_int_t)n));
    }
    json_object_set_new(out, "special_requests",
                        json_pack("{s:I, s:I, s:o, s:o}", "granted",
                                  (json_int_t)granted, "declined",
                                  (json_int_t)declined, "decline_rate",
                                  rate(declined, granted + declined),
                                  "decline_reasons", reasons));
    json_decref(rows);
    return RP_OK;
}

static rp_code promises_section(rp_ctx *ctx, const rp_window *w, int64_t now,
                                json_t *out, rp_error *err)
{
    json_t *rows, *params = window_params(w);
    json_array_append_new(params, json_integer(now));
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_MEASURES_PROMISES,
                                        params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *j = json_pack("{s:i, s:i, s:i}", "kept", 0, "broken", 0, "open", 0);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
        json_object_set(j, json_string_value(json_object_get(row, "status")),
                        json_object_get(row, "n"));
    int64_t kept = json_integer_value(json_object_get(j, "kept"));
    int64_t broken = json_integer_value(json_object_get(j, "broken"));
    json_object_set_new(j, "kept_rate", rate(kept, kept + broken));
    json_object_set_new(out, "promises", j);
    json_decref(rows);
    return RP_OK;
}

/* The figures of the encounters of w from the rollups (rollup.c): the
 * sections encounter_sections, wait_section and ownership_section compute
 * from the records, with the same fields. */
static rp_code rollup_sections(rp_ctx *ctx, const rp_window *w, json_t *out,
                               rp_error *err)
{
    json_t *s, *c;
    if (rp_rollup_window(ctx, w, &s, &c, err))
        return err->code;
#define S(k) json_integer_value(json_object_get(s, k))
    int64_t n = S("encounters"), closed = S("closed"),
            abandoned = S("abandoned"), fcr = S("fcr_resolved"),
            fcr_unknown = S("fcr_unknown"), transferred = S("transferred"),
            waits = S("waits");
    json_t *by_channel = json_object(), *v;
    const char *key;
    json_object_foreach(json_object_get(c, "channel"), key, v)
        if (json_integer_value(v) > 0) /* a row an encounter left */
            json_object_set(by_channel, key, v);
    encounter_counts k = {n,
                          closed,
                          abandoned,
                          S("waiting"),
                          fcr,
                          fcr_unknown,
                          S("transfers"),
                          transferred,
                          S("apologies_owed"),
                          S("apologies_given"),
                          S("apologies_missing")};
    put_encounter_sections(out, by_channel, &k);
    json_object_set_new(out, "ownership",
                        json_pack("{s:I, s:I, s:I}", "taken",
                                  (json_int_t)S("takes"), "assigned",
                                  (json_int_t)S("assignments"), "reassigned",
                                  (json_int_t)S("reassignments")));
    json_t *hist = json_object_get(c, "wait");
    json_t *max = json_object_get(s, "wait_max");
    json_object_set_new(
        out, "wait",
        json_pack("{s:I, s:o, s:o, s:o, s:o}", "measured", (json_int_t)waits,
                  "p50_seconds", rp_rollup_rank(hist, 50), "p90_seconds",
                  rp_rollup_rank(hist, 90), "average_seconds",
                  waits > 0 ? json_real(round((double)S("wait_sum") /
                                              (double)waits * 10.0) /
                                        10.0)
                            : json_null(),
                  "max_seconds",
                  waits > 0 && json_is_integer(max) ? json_incref(max)
                                                    : json_null()));
#undef S
    json_decref(s);
    json_decref(c);
    return RP_OK;
}

static rp_code service_in(rp_ctx *ctx, const rp_window *w, int direct,
                          const rp_metrics_options *o, json_t **out,
                          rp_error *err);

/* The metrics of asked, limited to the reader, in one snapshot, with what
 * o (may be NULL) adds. */
static rp_code service(rp_ctx *ctx, const rp_window *asked, int direct,
                       const rp_metrics_options *o, json_t **out, rp_error *err)
{
    rp_window w;
    if (rp_window_limit(ctx, asked, &w, err))
        return err->code;
    rp_code rc = rp_store_read_begin(ctx->store, err);
    if (rc == RP_OK) {
        rc = service_in(ctx, &w, direct, o, out, err);
        rp_store_read_end(ctx->store);
    }
    rp_window_release(&w);
    return rc;
}

/* The dashboard's figures read one snapshot, so its sections add up. */
rp_code rp_metrics_service(rp_ctx *ctx, const rp_window *asked, json_t **out,
                           rp_error *err)
{
    return service(ctx, asked, 0, NULL, out, err);
}

rp_code rp_metrics_service_with(rp_ctx *ctx, const rp_window *asked,
                                const rp_metrics_options *opts, json_t **out,
                                rp_error *err)
{
    if (rp_metrics_series_check(asked, opts, err))
        return err->code;
    return service(ctx, asked, 0, opts, out, err);
}

rp_code rp_metrics_service_direct(rp_ctx *ctx, const rp_window *asked,
                                  json_t **out, rp_error *err)
{
    return service(ctx, asked, 1, NULL, out, err);
}

/* Where a (records) and b (rollups) differ under path, appended to diffs;
 * a wait's percentile agrees when b is the bucket of a. */
static void compare(const char *path, json_t *a, json_t *b, json_t *diffs)
{
    if (json_is_object(a) && json_is_object(b)) {
        const char *key;
        json_t *v;
        char sub[160];
        json_object_foreach(a, key, v) {
            snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key);
            compare(sub, v, json_object_get(b, key), diffs);
        }
        json_object_foreach(b, key, v)
            if (!json_object_get(a, key)) {
                snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "",
                         key);
                compare(sub, NULL, v, diffs);
            }
        return;
    }
    int same = a && b && json_equal(a, b);
    if (!same && json_is_integer(a) && json_is_integer(b) &&
        (!strcmp(path, "wait.p50_seconds") ||
         !strcmp(path, "wait.p90_seconds")))
        same = rp_rollup_wait_bucket(json_integer_value(a)) ==
               json_integer_value(b);
    if (!same)
        json_array_append_new(diffs,
                              json_pack("{s:s, s:O?, s:O?}", "figure", path,
                                        "records", a, "rollups", b));
}

/* The agents whose count of open work (agent_open_work, migration 108,
 * which routing reads) differs from their encounters not ended, appended
 * to diffs as figures "open_work.agent N". */
static rp_code open_work_diffs(rp_ctx *ctx, json_t *diffs, rp_error *err)
{
    json_t *rows;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_MEASURES_VERIFY_OPEN_WORK, NULL, &rows, err);
    if (rc)
        return rc;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        char figure[64];
        snprintf(
            figure, sizeof figure, "open_work.agent %lld",
            (long long)json_integer_value(json_object_get(row, "agent_id")));
        json_array_append_new(
            diffs, json_pack("{s:s, s:O?, s:O?}", "figure", figure, "records",
                             json_object_get(row, "counted"), "rollups",
                             json_object_get(row, "kept")));
    }
    json_decref(rows);
    return RP_OK;
}

/* Where how long the breaches of w took (the dashboard's breach_times)
 * differs between the records and the rollup of migration 125, appended
 * to diffs as figures "charter.times...", and "charter.list" when the
 * breach list's first 1,000 differ (the number of items of each): both
 * read at one time. */
static rp_code times_diffs(rp_ctx *ctx, const rp_window *w, json_t *diffs,
                           rp_error *err)
{
    rp_charter c;
    int64_t now = rp_now();
    json_t *a = NULL, *b = NULL;
    rp_code rc = rp_charter_load(ctx, &c, err);
    if (rc == RP_OK)
        rc = rp_charter_breach_times(ctx, w, &c, now, 1, &a, err);
    if (rc == RP_OK)
        rc = rp_charter_breach_times(ctx, w, &c, now, 0, &b, err);
    if (rc == RP_OK)
        compare("charter.times", a, b, diffs);
    json_decref(a);
    json_decref(b);
    a = b = NULL;
    /* the breach list's first page, read both ways */
    if (rc == RP_OK)
        rc = rp_charter_breach_page(ctx, w, &c, now, 1000, 1, &a, err);
    if (rc == RP_OK)
        rc = rp_charter_breach_page(ctx, w, &c, now, 1000, 0, &b, err);
    if (rc == RP_OK && !json_equal(a, b))
        json_array_append_new(
            diffs, json_pack("{s:s, s:I, s:I}", "figure", "charter.list",
                             "records", (json_int_t)json_array_size(a),
                             "rollups", (json_int_t)json_array_size(b)));
    json_decref(a);
    json_decref(b);
    return rc;
}

rp_code rp_metrics_verify(rp_ctx *ctx, const rp_window *asked, json_t **diffs,
                          rp_error *err)
{
    rp_window w;
    if (rp_window_limit(ctx, asked, &w, err))
        return err->code;
    json_t *a = NULL, *b = NULL, *d = json_array();
    rp_code rc = rp_store_read_begin(ctx->store, err);
    if (rc == RP_OK) {
        rc = service_in(ctx, &w, 1, NULL, &a, err);
        if (rc == RP_OK)
            rc = service_in(ctx, &w, 0, NULL, &b, err);
        if (rc == RP_OK) {
            compare("", a, b, d);
            rc = open_work_diffs(ctx, d, err);
        }
        if (rc == RP_OK)
            rc = times_diffs(ctx, &w, d, err);
        rp_store_read_end(ctx->store);
    }
    rp_window_release(&w);
    if (rc == RP_OK)
        *diffs = json_incref(d);
    json_decref(d);
    json_decref(a);
    json_decref(b);
    return rc;
}

/* The metrics of w, already limited to what the reader may count: the
 * encounters' figures from the rollups, or from the records when
 * direct; with what o (may be NULL) adds. */
static rp_code service_in(rp_ctx *ctx, const rp_window *w, int direct,
                          const rp_metrics_options *o, json_t **out,
                          rp_error *err)
{
    int64_t now = rp_now(), volume = 0, breaches = 0;
    rp_charter c;
    /* A read settles nothing: a promise open past its date counts as
     * broken here and in the breaches alike, and is marked so (with its
     * moment) by the scheduler or `rapport charter settle`. */
    if (rp_charter_load(ctx, &c, err))
        return err->code;
    json_t *j = json_object(), *counts = NULL;
    json_object_set_new(j, "window", rp_window_json(w));
    rp_code rc = direct ? encounter_sections(ctx, w, j, &volume, err)
                        : rollup_sections(ctx, w, j, err);
    if (rc == RP_OK && direct)
        rc = wait_section(ctx, w, j, err);
    if (rc == RP_OK && direct)
        rc = ownership_section(ctx, w, j, err);
    if (rc || satisfaction_section(ctx, w, j, err) ||
        relationship_section(ctx, w, direct, j, err) ||
        moments_section(ctx, w, direct, j, err) ||
        defects_section(ctx, w, j, err) ||
        special_requests_section(ctx, w, j, err) ||
        promises_section(ctx, w, now, j, err) ||
        telephony_section(ctx, w, now, j, err) ||
        (direct
             ? rp_charter_breach_counts(ctx, w, &c, now, &counts, &breaches,
                                        err)
             : rp_rollup_breaches(ctx, w, &c, now, &counts, &breaches, err))) {
        json_decref(j);
        return err->code;
    }
    json_object_set_new(j, "charter",
                        json_pack("{s:I, s:o}", "breaches",
                                  (json_int_t)breaches, "by_target", counts));
    if (o && rp_metrics_breakdown(ctx, w, o, &c, now, j, err)) {
        json_decref(j);
        return err->code;
    }
    *out = j;
    return RP_OK;
}

rp_code rp_metrics_gauges(rp_ctx *ctx, json_t **out, rp_error *err)
{
    rp_store *s = ctx->store;
    json_t *depth = NULL, *due = NULL, *failed = NULL;
    json_t *now = json_pack("[I]", (json_int_t)rp_now());
    rp_code rc = s->ops->query(s, RP_Q_MEASURES_QUEUE_DEPTH, NULL, &depth, err);
    if (rc == RP_OK)
        rc = s->ops->query(s, RP_Q_MEASURES_TASKS_DUE, now, &due, err);
    if (rc == RP_OK)
        rc = s->ops->query(s, RP_Q_MEASURES_TASKS_FAILED, NULL, &failed, err);
    json_decref(now);
    if (rc) {
        json_decref(depth);
        json_decref(due);
        return rc;
    }
    *out = json_pack("{s:o, s:o, s:o}", "queue_depth", depth, "tasks_due", due,
                     "tasks_failed", failed);
    return RP_OK;
}
