/*
 * measure.c - the measures of one encounter.
 *
 * Seed 003: "after one minute of pressing keys ... about 30 minutes before
 * conversation started."  The wait a customer feels starts when the
 * encounter is received and stops when someone acknowledges them; if they
 * hang up first, it stops then.  These figures are derived from the
 * timestamps the interaction cycle records (created_at, acknowledged_at,
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

static json_t *seconds_or_null(int have, int64_t v)
{
    return have ? json_integer(v) : json_null();
}

static json_t *judge(int64_t target, int64_t actual, int breached)
{
    return json_pack("{s:I, s:I, s:b}", "target_seconds", (json_int_t)target,
                     "actual_seconds", (json_int_t)actual, "breached",
                     breached);
}

json_t *rp_measure_compute(json_t *e, const rp_charter *c, int64_t now)
{
    int64_t created = now, ack = 0, first = 0, closed = 0, abandoned = 0;
    time_of(e, "created_at", &created);
    int has_ack = time_of(e, "acknowledged_at", &ack);
    int has_first = time_of(e, "first_response_at", &first);
    int has_closed = time_of(e, "closed_at", &closed);
    int has_aband = time_of(e, "abandoned_at", &abandoned);
    /* Where the clock of each target stops: the event itself, else the end
     * of the encounter, else now (still running). */
    int64_t end = has_aband ? abandoned : has_closed ? closed : now;
    int64_t wait = (has_ack ? ack : end) - created;
    int64_t to_first = (has_first ? first : end) - created;
    int64_t to_resolve = (has_closed  ? closed
                          : has_aband ? abandoned
                                      : now) -
                         created;
    int64_t ack_t = c->acknowledge_minutes * 60;
    int64_t first_t = c->first_response_minutes * 60;
    int64_t res_t = c->resolution_hours * 3600;
    int res_breached = has_closed ? to_resolve > res_t
                                  : has_aband || to_resolve > res_t;
    json_t *fcr = json_object_get(e, "first_contact_resolved");
    json_t *reason = json_object_get(e, "abandon_reason");
    return json_pack(
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
        "charter", "acknowledge", judge(ack_t, wait, wait > ack_t),
        "first_response", judge(first_t, to_first, to_first > first_t),
        "resolution", judge(res_t, to_resolve, res_breached));
}

rp_code rp_measure_encounter(rp_ctx *ctx, json_t *encounter, rp_error *err)
{
    rp_charter c;
    if (rp_charter_load(ctx, &c, err))
        return err->code;
    json_object_set_new(encounter, "measures",
                        rp_measure_compute(encounter, &c, rp_now()));
    return RP_OK;
}

rp_code rp_measure_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err)
{
    json_t *e;
    rp_charter c;
    if (rp_encounter_get(ctx, id, &e, err))
        return err->code;
    if (rp_charter_load(ctx, &c, err)) {
        json_decref(e);
        return err->code;
    }
    json_t *m = rp_measure_compute(e, &c, rp_now());
    json_object_set_new(m, "encounter_id", json_integer(id));
    json_object_set(m, "customer_id", json_object_get(e, "customer_id"));
    json_object_set(m, "stage", json_object_get(e, "stage"));
    json_decref(e);
    *out = m;
    return RP_OK;
}
