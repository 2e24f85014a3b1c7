/*
 * sweep.c - the charter's breaches recorded once, when they happen, and
 * sent to the systems that subscribed to them.
 *
 * The breach report (charter.c) measures breaches when it is read; a
 * system connected to the desk needs to hear of one when it happens, and
 * only once.  The scheduler runs this sweep on every run:
 *
 *   - charter_watch holds the encounters whose targets are not all judged
 *     yet, and when each must be looked at next (its next deadline); the
 *     store's triggers add every new encounter and one reopened, so the
 *     sweep reads an index range of what is due and never the encounters;
 *   - each batch is one short write transaction: the watched encounter is
 *     read again inside it and judged by rp_measure_compute_in, the rule
 *     the measures and the breach report use, so the three always agree;
 *   - the first look at an encounter (the triggers watch it from the
 *     moment it is received) gives it its deadlines: the charter version
 *     in force when it was received and its queue's business hours turn
 *     each target into the instant it falls due, kept in
 *     charter_deadlines, which the measures and the breach report read
 *     too; next_at is then the nearest of those deadlines, so a Friday
 *     evening's email is not looked at again before Monday's opening;
 *   - a breach is inserted into charter_breaches, UNIQUE by encounter and
 *     target, and only the insert that made the row writes the moment of
 *     truth and emits charter.breached (rp_event_emit, the transactional
 *     outbox): a second sweep, one running at the same time on another
 *     connection, or one after a restart finds the row and sends nothing;
 *   - an encounter with a target still running is looked at again just
 *     after that target's deadline; one whose targets are all met or
 *     breached leaves the watch, so a closed encounter is not swept again.
 */
#include <stdint.h>
#include <string.h>

#include "core/measures/measures_internal.h"

#define SWEEP_BATCH 100
#define SWEEP_ROUNDS 100 /* at most 10,000 encounters per run */

/* One target of an encounter as the sweep judges it. */
typedef struct judged {
    const char *target;     /* acknowledge, first_response, resolution */
    int64_t target_seconds; /* the charter's value, as judged */
    int64_t due;            /* created + target_seconds */
    int breached;
    int running;      /* its clock still runs: it may yet be breached */
    int64_t over_by;  /* seconds past the target; 0: not late by a figure */
    int64_t happened; /* when the breach happened */
} judged;

static int time_of(json_t *o, const char *key, int64_t *t)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && rp_time_parse(s, t) == 0;
}

/* Judge the three targets of encounter e as of now into j[3], by the
 * charter version it was received under and its deadlines in business
 * time, given it here once (the index keeps the next of them). */
static rp_code judge(rp_ctx *ctx, json_t *e, int64_t now, judged j[3],
                     int *business, rp_error *err)
{
    rp_charter c;
    rp_calendar cal;
    rp_deadlines d;
    if (rp_measure_judgement(ctx, e, &c, &cal, &d, err))
        return err->code;
    json_t *params = json_pack("[O, I, i, I, I, I]", json_object_get(e, "id"),
                               (json_int_t)d.version_id, d.business_hours,
                               (json_int_t)d.due[0], (json_int_t)d.due[1],
                               (json_int_t)d.due[2]);
    rp_code rc = ctx->store->ops->exec(ctx->store, RP_Q_MEASURES_DEADLINES_SET,
                                       params, NULL, err);
    json_decref(params);
    if (rc) {
        rp_calendar_free(&cal);
        return rc;
    }
    int64_t ack = 0, first = 0, closed = 0, aband = 0;
    int has_ack = time_of(e, "acknowledged_at", &ack);
    int has_first = time_of(e, "first_response_at", &first);
    int has_closed = time_of(e, "closed_at", &closed);
    int has_aband = time_of(e, "abandoned_at", &aband);
    int ended = has_closed || has_aband;
    static const char *const names[3] = {"acknowledge", "first_response",
                                         "resolution"};
    const int running[3] = {!has_ack && !ended, !has_first && !ended, !ended};
    json_t *m = rp_measure_compute_in(e, &c, &cal, &d, now);
    json_t *charter = json_object_get(m, "charter");
    for (int i = 0; i < 3; i++) {
        json_t *one = json_object_get(charter, names[i]);
        int64_t t = json_integer_value(json_object_get(one, "target_seconds"));
        int64_t actual = json_integer_value(
            json_object_get(one, "actual_seconds"));
        j[i] = (judged){
            .target = names[i],
            .target_seconds = t,
            .due = d.due[i],
            .breached = json_is_true(json_object_get(one, "breached")),
            .running = running[i],
            .over_by = actual > t ? actual - t : 0};
        j[i].happened = j[i].due;
    }
    /* abandoned before its deadline, never resolved: the resolution
     * target was lost when the customer gave up, not at the deadline */
    if (!has_closed && has_aband && aband < j[2].due)
        j[2].happened = aband;
    *business = d.business_hours;
    json_decref(m);
    rp_calendar_free(&cal);
    return RP_OK;
}

/* "5 minutes", "1 hour": a target as a person says it. */
static void put_target(rp_buf *b, const judged *j)
{
    int64_t t = j->target_seconds;
    if (t % 3600 == 0 && !strcmp(j->target, "resolution"))
        rp_buf_printf(b, "%lld hour%s", (long long)(t / 3600),
                      t == 3600 ? "" : "s");
    else if (t % 60 == 0)
        rp_buf_printf(b, "%lld minute%s", (long long)(t / 60),
                      t == 60 ? "" : "s");
    else
        rp_buf_printf(b, "%lld seconds", (long long)t);
}

/* The moment of truth of breach j of encounter e: true when it is written,
 * since the sweep judges only what has already happened. */
static rp_code record_moment(rp_ctx *ctx, int64_t customer_id,
                             int64_t encounter_id, const judged *j,
                             int business, int64_t breach_id, rp_error *err)
{
    rp_buf summary = RP_BUF_INIT;
    if (!strcmp(j->target, "acknowledge"))
        rp_buf_puts(&summary, "Waited longer than the acknowledgement target "
                              "of ");
    else if (!strcmp(j->target, "first_response"))
        rp_buf_puts(&summary, "No first response within the target of ");
    else if (j->over_by)
        rp_buf_puts(&summary, "Not resolved within the target of ");
    else
        rp_buf_puts(&summary, "Abandoned before being resolved, within the "
                              "resolution target of ");
    put_target(&summary, j);
    if (business)
        rp_buf_puts(&summary, " of business hours");
    json_t *detail = json_pack(
        "{s:s, s:I, s:I, s:o}", "target", j->target, "breach_id",
        (json_int_t)breach_id, "target_seconds", (json_int_t)j->target_seconds,
        "over_by_seconds", j->over_by ? json_integer(j->over_by) : json_null());
    json_object_set_new(detail, "business_hours", json_boolean(business));
    rp_moment m = {.customer_id = customer_id,
                   .encounter_id = encounter_id,
                   .kind = "charter.breached",
                   .summary = rp_buf_str(&summary),
                   .impression = "negative",
                   .detail = detail};
    rp_code rc = rp_moment_record(ctx, &m, err);
    json_decref(detail);
    rp_buf_free(&summary);
    return rc;
}

/* Record breach j of encounter e once; *sent is 1 when this call recorded
 * it (and wrote its moment and event), 0 when it was recorded before. */
static rp_code record(rp_ctx *ctx, json_t *e, const judged *j, int business,
                      int64_t now, int *sent, rp_error *err)
{
    int64_t eid = json_integer_value(json_object_get(e, "id"));
    int64_t cid = json_integer_value(json_object_get(e, "customer_id"));
    json_t *rows = NULL,
           *params = json_pack(
               "[I, I, s, I, I, I, I]", (json_int_t)eid, (json_int_t)cid,
               j->target, (json_int_t)j->target_seconds, (json_int_t)j->due,
               (json_int_t)j->happened, (json_int_t)now);
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_MEASURES_SWEEP_RECORD,
                                        params, &rows, err);
    json_decref(params);
    *sent = rc == RP_OK && json_array_size(rows) == 1;
    if (rc || !*sent) {
        json_decref(rows);
        return rc;
    }
    int64_t id = json_integer_value(
        json_object_get(json_array_get(rows, 0), "id"));
    json_decref(rows);
    rc = record_moment(ctx, cid, eid, j, business, id, err);
    char due[RP_TIME_MAX], happened[RP_TIME_MAX];
    rp_time_format(j->due, due);
    rp_time_format(j->happened, happened);
    if (rc == RP_OK)
        rc = rp_event_emit_pack(
            ctx, "charter.breached", cid, eid, err,
            "{s:s, s:I, s:I, s:s, s:s, s:o}", "target", j->target, "breach_id",
            (json_int_t)id, "target_seconds", (json_int_t)j->target_seconds,
            "due_at", due, "breached_at", happened, "over_by_seconds",
            j->over_by ? json_integer(j->over_by) : json_null());
    return rc;
}

/* Judge watched encounter id as of now inside the caller's transaction;
 * add the breaches it recorded to *sent. */
static rp_code sweep_one(rp_ctx *ctx, int64_t id, int64_t now, int64_t *sent,
                         rp_error *err)
{
    rp_store *s = ctx->store;
    json_t *rows = NULL,
           *params = json_pack("[I, I]", (json_int_t)id, (json_int_t)now);
    rp_code rc = s->ops->query(s, RP_Q_MEASURES_SWEEP_LOOK, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *e = json_array_get(rows, 0);
    if (!e) { /* judged meanwhile by another sweep */
        json_decref(rows);
        return RP_OK;
    }
    judged j[3];
    int business = 0;
    rc = judge(ctx, e, now, j, &business, err);
    int64_t next = INT64_MAX;
    for (int i = 0; i < 3 && rc == RP_OK; i++) {
        int one = 0;
        if (j[i].breached)
            rc = record(ctx, e, &j[i], business, now, &one, err);
        else if (j[i].running && j[i].due + 1 < next)
            next = j[i].due + 1; /* breached once the wait is over it */
        *sent += one;
    }
    json_decref(rows);
    if (rc)
        return rc;
    params = next == INT64_MAX
                 ? json_pack("[I]", (json_int_t)id)
                 : json_pack("[I, I]", (json_int_t)id, (json_int_t)next);
    rc = s->ops->exec(s,
                      next == INT64_MAX ? RP_Q_MEASURES_SWEEP_DONE
                                        : RP_Q_MEASURES_SWEEP_NEXT,
                      params, NULL, err);
    json_decref(params);
    return rc;
}

rp_code rp_charter_sweep(rp_ctx *ctx, int64_t now, int64_t *breached,
                         int64_t *looked, rp_error *err)
{
    rp_store *s = ctx->store;
    int64_t sent = 0, seen = 0;
    for (int round = 0; round < SWEEP_ROUNDS; round++) {
        /* Look before taking the write lock: almost always nothing is
         * due, and then the sweep writes nothing. */
        json_t *rows = NULL,
               *params = json_pack("[I, i]", (json_int_t)now, SWEEP_BATCH);
        rp_code rc = s->ops->query(s, RP_Q_MEASURES_SWEEP_DUE, params, &rows,
                                   err);
        json_decref(params);
        if (rc)
            return rc;
        size_t i, n = json_array_size(rows);
        if (n == 0) {
            json_decref(rows);
            break;
        }
        if (rp_store_begin(s, err)) {
            json_decref(rows);
            return err->code;
        }
        json_t *row;
        int64_t batch_sent = 0;
        json_array_foreach(rows, i, row) {
            if (rc == RP_OK)
                rc = sweep_one(ctx,
                               json_integer_value(json_object_get(row, "id")),
                               now, &batch_sent, err);
        }
        json_decref(rows);
        rc = rp_store_finish(s, rc, err);
        if (rc)
            return rc;
        /* the requests waiting to write go before the next batch */
        rp_store_give_way(s, 50);
        /* counted once committed: a batch rolled back sent nothing */
        sent += batch_sent;
        seen += (int64_t)n;
        if (n < SWEEP_BATCH)
            break;
    }
    if (breached)
        *breached = sent;
    if (looked)
        *looked = seen;
    return RP_OK;
}

rp_code rp_charter_breach_facts(rp_ctx *ctx, int64_t encounter_id, json_t **out,
                                rp_error *err)
{
    json_t *params = json_pack("[I]", (json_int_t)encounter_id);
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_MEASURES_SWEEP_BREACHES_OF, params, out, err);
    json_decref(params);
    return rc;
}
