/*
 * measure.c - the measures of one encounter.
 *
 * Seed 003: "after one minute of pressing keys ... about 30 minutes before
 * conversation started."  The wait a customer feels starts when they
 * arrived, called or wrote (arrived_at, which may be before the encounter
 * was typed in) and stops when someone acknowledges them; if they hang up
 * first, it stops then.  These figures are derived from the timestamps
 * the interaction cycle records (arrived_at, acknowledged_at,
 * first_response_at, closed_at, abandoned_at) and are never stored, so they
 * cannot drift from the facts.
 *
 * The charter judgement here follows the same rules as the breach query in
 * sqlite_queries.c (charter.breaches); tests/unit/test_charter.c checks
 * that the two agree.
 */
#include <string.h>

#include "core/rapport.h"

/* Read the time at key of o into *t; 0 when absent or null. */
static int time_of(json_t *o, const char *key, int64_t *t)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && rp_time_parse(s, t) == 0;
}

/* When the customer started waiting: arrived_at, or created_at for a row
 * that has none. */
static int arrival_of(json_t *e, int64_t *t)
{
    return time_of(e, "arrived_at", t) || time_of(e, "created_at", t);
}

static json_t *seconds_or_null(int have, int64_t v)
{
    return have ? json_integer(v) : json_null();
}

/* One target judged: its target and business-time figure, the same in
 * calendar time, when it falls due, and whether it was missed. */
static json_t *judge(int64_t target, int64_t business, int64_t calendar,
                     int64_t due, int breached)
{
    char at[RP_TIME_MAX];
    rp_time_format(due, at);
    return json_pack("{s:I, s:I, s:I, s:s, s:b}", "target_seconds",
                     (json_int_t)target, "actual_seconds", (json_int_t)business,
                     "calendar_seconds", (json_int_t)calendar, "due_at", at,
                     "breached", breached);
}

void rp_deadlines_compute(const rp_charter *c, const rp_calendar *cal,
                          int64_t created, rp_deadlines *out)
{
    out->business_hours = !rp_calendar_always(cal);
    out->due[0] = rp_calendar_add(cal, created, c->acknowledge_minutes * 60);
    out->due[1] = rp_calendar_add(cal, created, c->first_response_minutes * 60);
    out->due[2] = rp_calendar_add(cal, created, c->resolution_hours * 3600);
}

json_t *rp_measure_compute(json_t *e, const rp_charter *c, int64_t now)
{
    return rp_measure_compute_in(e, c, NULL, NULL, now);
}

json_t *rp_measure_compute_in(json_t *e, const rp_charter *c,
                              const rp_calendar *cal, const rp_deadlines *d,
                              int64_t now)
{
    int64_t created = now, ack = 0, first = 0, closed = 0, abandoned = 0;
    arrival_of(e, &created);
    int has_ack = time_of(e, "acknowledged_at", &ack);
    int has_first = time_of(e, "first_response_at", &first);
    int has_closed = time_of(e, "closed_at", &closed);
    int has_aband = time_of(e, "abandoned_at", &abandoned);
    rp_deadlines computed;
    if (!d) {
        rp_deadlines_compute(c, cal, created, &computed);
        computed.version_id = 0;
        d = &computed;
    }
    /* Where the clock of each target stops: the event itself, else the end
     * of the encounter, else now (still running). */
    int64_t end = has_aband ? abandoned : has_closed ? closed : now;
    int64_t ack_end = has_ack ? ack : end;
    int64_t first_end = has_first ? first : end;
    int64_t res_end = has_closed ? closed : has_aband ? abandoned : now;
    int64_t wait = ack_end - created;
    int64_t ack_t = c->acknowledge_minutes * 60;
    int64_t first_t = c->first_response_minutes * 60;
    int64_t res_t = c->resolution_hours * 3600;
    /* past the deadline is over the target in business time: the
     * deadline is where the business time passes the target */
    int res_breached = has_closed ? closed > d->due[2]
                                  : has_aband || now > d->due[2];
    int64_t wait_b = rp_calendar_between(cal, created, ack_end);
    int64_t first_b = rp_calendar_between(cal, created, first_end);
    int64_t res_b = rp_calendar_between(cal, created, res_end);
    json_t *fcr = json_object_get(e, "first_contact_resolved");
    json_t *reason = json_object_get(e, "abandon_reason");
    json_t *m = json_pack(
        "{s:I, s:b, s:o, s:o, s:b, s:O?, s:o, s:I, s:{s:o, s:o, s:o}}",
        "queue_wait_seconds", (json_int_t)wait, "waiting",
        !has_ack && !has_aband && !has_closed, "first_response_seconds",
        seconds_or_null(has_first, first - created), "resolution_seconds",
        seconds_or_null(has_closed, closed - created), "abandoned", has_aband,
        "abandon_reason", json_is_string(reason) ? reason : NULL,
        "first_contact_resolved",
        json_is_boolean(fcr) ? json_boolean(json_is_true(fcr)) : json_null(),
        "transfers",
        (json_int_t)json_integer_value(json_object_get(e, "transfers")),
        "charter", "acknowledge",
        judge(ack_t, wait_b, wait, d->due[0], ack_end > d->due[0]),
        "first_response",
        judge(first_t, first_b, first_end - created, d->due[1],
              first_end > d->due[1]),
        "resolution",
        judge(res_t, res_b, res_end - created, d->due[2], res_breached));
    /* the same figures in business time, and what they were judged by */
    json_object_set_new(m, "queue_wait_business_seconds", json_integer(wait_b));
    json_object_set_new(m, "first_response_business_seconds",
                        seconds_or_null(has_first, first_b));
    json_object_set_new(m, "resolution_business_seconds",
                        seconds_or_null(has_closed, res_b));
    json_object_set_new(m, "business_hours", json_boolean(d->business_hours));
    json_object_set_new(m, "charter_version",
                        d->version_id ? json_integer(d->version_id)
                                      : json_null());
    return m;
}

rp_code rp_measure_judgement(rp_ctx *ctx, json_t *e, rp_charter *c,
                             rp_calendar *cal, rp_deadlines *d, rp_error *err)
{
    int64_t created = rp_now();
    arrival_of(e, &created);
    int64_t eid = json_integer_value(json_object_get(e, "id"));
    int64_t queue = json_integer_value(json_object_get(e, "queue_id"));
    if (rp_charter_at(ctx, created, c, &d->version_id, err) ||
        rp_calendar_load(ctx, queue, cal, err))
        return err->code;
    json_t *rows = NULL, *params = json_pack("[I]", (json_int_t)eid);
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_MEASURES_DEADLINES_GET,
                                        params, &rows, err);
    json_decref(params);
    if (rc) {
        rp_calendar_free(cal);
        return rc;
    }
    json_t *row = json_array_get(rows, 0);
    static const char *const keys[3] = {
        "acknowledge_due_at", "first_response_due_at", "resolution_due_at"};
    rp_deadlines_compute(c, cal, created, d);
    if (row) { /* as they were given when it was first judged */
        d->business_hours = json_is_true(
            json_object_get(row, "business_hours"));
        for (int i = 0; i < 3; i++)
            time_of(row, keys[i], &d->due[i]);
        d->version_id = json_integer_value(json_object_get(row, "version_id"));
    }
    json_decref(rows);
    return RP_OK;
}

/* The measures of encounter e as of now, with the charter, hours and
 * deadlines it is judged by. */
static rp_code measure(rp_ctx *ctx, json_t *e, json_t **out, rp_error *err)
{
    rp_charter c;
    rp_calendar cal;
    rp_deadlines d;
    if (rp_measure_judgement(ctx, e, &c, &cal, &d, err))
        return err->code;
    *out = rp_measure_compute_in(e, &c, &cal, &d, rp_now());
    rp_calendar_free(&cal);
    return RP_OK;
}

rp_code rp_measure_encounter(rp_ctx *ctx, json_t *encounter, rp_error *err)
{
    json_t *m;
    if (measure(ctx, encounter, &m, err))
        return err->code;
    json_object_set_new(encounter, "measures", m);
    return RP_OK;
}

rp_code rp_measure_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err)
{
    json_t *e, *m;
    if (rp_encounter_get(ctx, id, &e, err))
        return err->code;
    if (measure(ctx, e, &m, err)) {
        json_decref(e);
        return err->code;
    }
    json_object_set_new(m, "encounter_id", json_integer(id));
    json_object_set(m, "customer_id", json_object_get(e, "customer_id"));
    json_object_set(m, "stage", json_object_get(e, "stage"));
    json_decref(e);
    *out = m;
    return RP_OK;
}
