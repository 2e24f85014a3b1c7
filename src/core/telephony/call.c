/*
 * call.c - the calls a phone system tells rapport about, in the store.
 *
 * A phone system retries what it could not see acknowledged, so every
 * write here is idempotent on the phone system's own names: a call is
 * known by its call id (unique), an event by the call, the event and its
 * time (unique); telling either again finds what was recorded and changes
 * nothing.  The call, its event and what the encounter does about it (an
 * answer acknowledges it, a transfer transfers it, a hang-up before any
 * answer abandons it) are written in one transaction, so a call is never
 * answered while its encounter still waits.  The rules of the call itself
 * are rules.c's.
 */
#include <stdio.h>
#include <string.h>

#include "core/rapport.h"

#define CALLER_MAX_CHARS 40
#define NAME_MAX_CHARS 200
#define TOPIC_MAX_CHARS 100
#define SUBJECT_MAX_CHARS 200
#define REASON_MAX_CHARS 500
#define EVENTS_SHOWN 500

const rp_field rp_call_arrival_fields[] = {
    {"call_id", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = 250,
     .meaning = "the phone system's id of the call: letters, digits and "
                ". _ - : @"},
    {"from", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = CALLER_MAX_CHARS,
     .meaning = "the caller's number, or anonymous when withheld"},
    {"caller_name", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = NAME_MAX_CHARS,
     .meaning = "the caller's name as the phone system knows it, for a "
                "new customer"},
    {"arrived_at", RP_FIELD_TIME, RP_IN_OPTIONAL,
     .meaning = "when the call reached the phone system (default now); not "
                "in the future, at most arrival_max_hours back"},
    {"queue_id", RP_FIELD_INT, RP_IN_OPTIONAL, .min = 1, .max = INT64_MAX,
     .meaning = "the queue the call waits in (default: routing)"},
    {"topic", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = TOPIC_MAX_CHARS,
     .meaning = "what the caller chose in the menu, for routing"},
    {"subject", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = SUBJECT_MAX_CHARS,
     .meaning = "the encounter's subject (default: who called)"},
    {.name = NULL},
};

const rp_field rp_call_event_fields[] = {
    {"event", RP_FIELD_ENUM, RP_IN_REQUIRED, .values = rp_call_events},
    {"at", RP_FIELD_TIME, RP_IN_REQUIRED,
     .meaning = "when it happened: not before the call's last event, not "
                "in the future"},
    {"queue_id", RP_FIELD_INT, RP_IN_OPTIONAL, .min = 1, .max = INT64_MAX,
     .meaning = "transferred: the queue the call went to"},
    {"agent_id", RP_FIELD_INT, RP_IN_OPTIONAL, .min = 1, .max = INT64_MAX,
     .meaning = "transferred: the agent the call went to; answered: who "
                "answered"},
    {"reason", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = REASON_MAX_CHARS,
     .meaning = "transferred: why, in words"},
    {.name = NULL},
};

static int64_t int_at(json_t *row, const char *key)
{
    return json_integer_value(json_object_get(row, key));
}

/* The facts of a call row (telephony.call_get). */
static void facts_of(json_t *row, rp_call_facts *f)
{
    memset(f, 0, sizeof *f);
    int s = rp_call_state_of(json_string_value(json_object_get(row, "state")));
    f->state = s < 0 ? RP_CALL_QUEUED : (rp_call_state)s;
    f->arrived_at = int_at(row, "arrived");
    f->answered_at = int_at(row, "answered");
    f->ended_at = int_at(row, "ended");
    f->hold_since = int_at(row, "hold_since");
    f->holds = int_at(row, "holds");
    f->hold_seconds = int_at(row, "hold_seconds");
    f->transfers = int_at(row, "transfers");
    f->last_event_at = int_at(row, "last_event");
    f->abandoned = int_at(row, "abandoned") != 0;
}

/* The call row of call_id into *row (NULL when unknown). */
static rp_code call_row(rp_ctx *ctx, const char *call_id, json_t **row,
                        rp_error *err)
{
    json_t *params = json_pack("[s]", call_id), *rows = NULL;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_TELEPHONY_CALL_GET,
                                        params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *r = json_array_get(rows, 0);
    *row = r ? json_incref(r) : NULL;
    json_decref(rows);
    return RP_OK;
}

static json_t *time_or_null(int64_t t)
{
    if (!t)
        return json_null();
    char s[RP_TIME_MAX];
    rp_time_format(t, s);
    return json_string(s);
}

static rp_code not_found(const char *call_id, rp_error *err)
{
    rp_buf q = RP_BUF_INIT;
    rp_code rc = rp_error_set(err, RP_ENOTFOUND, "call_id",
                              "no call with call_id \"%s\"",
                              rp_cut(&q, call_id, 60));
    rp_buf_free(&q);
    return rc;
}

rp_code rp_call_get(rp_ctx *ctx, const char *call_id, json_t **out,
                    rp_error *err)
{
    json_t *row = NULL, *events = NULL;
    if (call_row(ctx, call_id, &row, err))
        return err->code;
    if (!row)
        return not_found(call_id, err);
    json_t *params = json_pack("[O, i]", json_object_get(row, "id"),
                               EVENTS_SHOWN);
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_TELEPHONY_EVENTS_OF,
                                        params, &events, err);
    json_decref(params);
    if (rc) {
        json_decref(row);
        return rc;
    }
    rp_call_facts f;
    facts_of(row, &f);
    int64_t now = rp_now();
    /* the caller's wait in the queue: to the first answer, else to the
     * hang-up, else still running */
    int64_t wait_end = f.answered_at ? f.answered_at
                       : f.ended_at  ? f.ended_at
                                     : now;
    int64_t wait = wait_end > f.arrived_at ? wait_end - f.arrived_at : 0;
    int64_t hold_end = f.ended_at ? f.ended_at : now;
    *out = json_pack(
        "{s:O, s:O, s:O, s:s, s:o, s:o, s:o, s:b, s:I, s:I, s:I, s:o, s:I, "
        "s:o}",
        "call_id", json_object_get(row, "call_id"), "encounter_id",
        json_object_get(row, "encounter_id"), "customer_id",
        json_object_get(row, "customer_id"), "state", rp_call_states[f.state],
        "arrived_at", time_or_null(f.arrived_at), "answered_at",
        time_or_null(f.answered_at), "ended_at", time_or_null(f.ended_at),
        "abandoned", f.abandoned, "queue_wait_seconds", (json_int_t)wait,
        "hold_seconds", (json_int_t)rp_call_hold_seconds(&f, hold_end), "holds",
        (json_int_t)f.holds, "on_hold_since", time_or_null(f.hold_since),
        "transfers", (json_int_t)f.transfers, "events", events);
    json_decref(row);
    return RP_OK;
}

/* ---- arrival ------------------------------------------------------------- */

/* The caller's customer: the one with that number, else a new unconfirmed
 * one (with the number when there is one), with its moment and event. */
static rp_code caller(rp_ctx *ctx, const char *from, const char *name,
                      int is_number, int64_t *customer_id, rp_error *err)
{
    int64_t identity = 0;
    *customer_id = 0;
    if (is_number &&
        rp_identity_find(ctx, "phone", from, customer_id, &identity, err))
        return err->code;
    if (*customer_id) {
        int64_t live;
        rp_error ignored;
        if (rp_customer_live_id(ctx, *customer_id, &live, &ignored) == RP_OK)
            *customer_id = live;
        return RP_OK;
    }
    rp_buf shown = RP_BUF_INIT;
    if (name)
        rp_buf_put_cut(&shown, name, NAME_MAX_CHARS);
    else if (is_number)
        rp_buf_printf(&shown, "Caller %s", from);
    else
        rp_buf_puts(&shown, "Unknown caller");
    int64_t now = rp_now();
    json_t *phones = is_number ? json_pack("[s]", from) : json_array();
    json_t *row = json_pack("{s:s, s:[], s:O, s:b, s:I, s:I}", "name",
                            rp_buf_str(&shown), "emails", "phones", phones,
                            "unconfirmed", 1, "created_at", (json_int_t)now,
                            "updated_at", (json_int_t)now);
    rp_code rc = ctx->store->ops->insert(ctx->store, &RP_ENTITY_CUSTOMER, row,
                                         customer_id, err);
    json_decref(row);
    if (rc == RP_OK && is_number)
        rc = rp_identity_sync(ctx, *customer_id, "phone", phones, err);
    json_decref(phones);
    rp_buf summary = RP_BUF_INIT;
    if (is_number)
        rp_buf_printf(&summary,
                      "Called the desk for the first time, from %s "
                      "(not yet confirmed)",
                      from);
    else
        rp_buf_puts(&summary, "Called the desk with the number withheld (not "
                              "yet confirmed)");
    json_t *said = json_pack("{s:s, s:s?}", "via", "phone", "from",
                             is_number ? from : NULL);
    rp_moment m = {.customer_id = *customer_id,
                   .channel = "phone",
                   .kind = "customer.created",
                   .summary = rp_buf_str(&summary),
                   .detail = said};
    if (rc == RP_OK)
        rc = rp_moment_record(ctx, &m, err);
    json_decref(said);
    if (rc == RP_OK)
        rc = rp_event_emit_pack(ctx, "customer.created", *customer_id, 0, err,
                                "{s:[s, s], s:s}", "fields", "name", "phones",
                                "channel", "phone");
    rp_buf_free(&summary);
    rp_buf_free(&shown);
    return rc;
}

/* Put the new encounter id in queue queue_id, offered to the agent routing
 * would offer it to, as the phone system placed the call there. */
static rp_code place(rp_ctx *ctx, int64_t id, int64_t customer_id,
                     int64_t queue_id, rp_error *err)
{
    json_t *q = NULL;
    rp_code rc = rp_queue_get(ctx, queue_id, &q, err);
    if (rc == RP_ENOTFOUND)
        return rp_error_set(err, RP_EINVALID, "queue_id",
                            "queue_id %lld names no queue",
                            (long long)queue_id);
    if (rc)
        return rc;
    int64_t agent = 0;
    rc = rp_routing_offer(ctx, queue_id, &agent, err);
    json_t *change = json_pack("{s:I, s:o}", "queue_id", (json_int_t)queue_id,
                               "agent_id",
                               agent ? json_integer(agent) : json_null());
    if (rc == RP_OK)
        rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_ENCOUNTER, id,
                                     change, err);
    rp_buf summary = RP_BUF_INIT;
    rp_buf_puts(&summary, "Waiting in queue ");
    rp_buf_put_cut(&summary, json_string_value(json_object_get(q, "name")),
                   100);
    rp_buf_puts(&summary, ", where the phone system placed the call");
    json_t *detail = json_pack(
        "{s:I, s:O, s:s}", "queue_id", (json_int_t)queue_id, "agent_id",
        json_object_get(change, "agent_id"), "by", "phone system");
    const char *qn = json_string_value(json_object_get(q, "name"));
    json_object_set_new(detail, "queue", json_string(qn ? qn : ""));
    rp_moment m = {.customer_id = customer_id,
                   .encounter_id = id,
                   .channel = "phone",
                   .kind = "encounter.routed",
                   .summary = rp_buf_str(&summary),
                   .detail = detail};
    if (rc == RP_OK)
        rc = rp_moment_record(ctx, &m, err);
    if (rc == RP_OK)
        rc = rp_event_emit_pack(ctx, "encounter.assigned", customer_id, id, err,
                                "{s:I, s:O}", "queue_id", (json_int_t)queue_id,
                                "agent_id",
                                json_object_get(change, "agent_id"));
    json_decref(detail);
    json_decref(change);
    json_decref(q);
    rp_buf_free(&summary);
    return rc;
}

/* The checked values of an arrival. */
typedef struct arrival {
    const char *call_id, *from, *name, *topic, *subject;
    int64_t arrived, queue_id;
} arrival;

static rp_code read_arrival(rp_ctx *ctx, json_t *in, arrival *a, rp_error *err)
{
    memset(a, 0, sizeof *a);
    if (rp_in_fields(in, rp_call_arrival_fields, 1, err) ||
        rp_in_string(in, "call_id", 1, 250, &a->call_id, err) ||
        rp_in_string(in, "from", 1, CALLER_MAX_CHARS, &a->from, err) ||
        rp_in_string(in, "caller_name", 0, NAME_MAX_CHARS, &a->name, err) ||
        rp_in_int(in, "queue_id", 0, 1, INT64_MAX, &a->queue_id, NULL, err) ||
        rp_in_string(in, "topic", 0, TOPIC_MAX_CHARS, &a->topic, err) ||
        rp_in_string(in, "subject", 0, SUBJECT_MAX_CHARS, &a->subject, err))
        return err->code;
    if (!rp_call_id_is_valid(a->call_id))
        return rp_error_set(err, RP_EINVALID, "call_id",
                            "call_id is the phone system's id of the call: "
                            "1 to 250 letters, digits and . _ - : @");
    return rp_arrival_read(ctx, in, "arrived_at", rp_now(), &a->arrived, err);
}

rp_code rp_call_arrive(rp_ctx *ctx, json_t *in, json_t **out, int *created,
                       rp_error *err)
{
    arrival a;
    rp_desk_settings ds;
    if (read_arrival(ctx, in, &a, err) || rp_desk_settings_read(ctx, &ds, err))
        return err->code;
    rp_buf number = RP_BUF_INIT, subject = RP_BUF_INIT;
    int is_number = rp_identity_phone(a.from, ds.country_code, &number) == 0;
    rp_desk_settings_free(&ds);
    if (a.subject)
        rp_buf_puts(&subject, a.subject);
    else if (is_number)
        rp_buf_printf(&subject, "Phone call from %s", rp_buf_str(&number));
    else
        rp_buf_puts(&subject, "Phone call (number withheld)");
    json_t *row = NULL;
    int64_t customer_id = 0, encounter_id = 0;
    rp_code rc = rp_store_begin(ctx->store, err);
    if (rc) {
        rp_buf_free(&number);
        rp_buf_free(&subject);
        return rc;
    }
    rc = call_row(ctx, a.call_id, &row, err);
    int known = rc == RP_OK && row;
    if (rc == RP_OK && !known)
        rc = caller(ctx, a.from, a.name, is_number, &customer_id, err);
    if (rc == RP_OK && !known) {
        rp_encounter_opening o = {.customer_id = customer_id,
                                  .channel = "phone",
                                  .subject = rp_buf_str(&subject),
                                  .topic = a.topic,
                                  .arrived_at = a.arrived,
                                  .route = a.queue_id == 0};
        rc = rp_encounter_open_in(ctx, &o, &encounter_id, err);
    }
    if (rc == RP_OK && !known && a.queue_id)
        rc = place(ctx, encounter_id, customer_id, a.queue_id, err);
    if (rc == RP_OK && !known) {
        json_t *params = json_pack("[s, I, I, I]", a.call_id,
                                   (json_int_t)encounter_id,
                                   (json_int_t)a.arrived, (json_int_t)rp_now()),
               *ids = NULL;
        rc = ctx->store->ops->query(ctx->store, RP_Q_TELEPHONY_CALL_INSERT,
                                    params, &ids, err);
        json_decref(params);
        json_decref(ids);
    }
    if (known) /* told again: what was recorded stands */
        rp_store_rollback(ctx->store);
    else
        rc = rp_store_finish(ctx->store, rc, err);
    json_decref(row);
    rp_buf_free(&number);
    rp_buf_free(&subject);
    if (rc)
        return rc;
    *created = !known;
    return rp_call_get(ctx, a.call_id, out, err);
}

/* ---- events -------------------------------------------------------------- */

/* The checked values of an event. */
typedef struct event {
    const char *event, *reason;
    int64_t at, queue_id, agent_id;
} event;

static rp_code read_event(rp_ctx *ctx, json_t *in, event *e, rp_error *err)
{
    memset(e, 0, sizeof *e);
    int64_t at = 0, max_hours = 0;
    if (rp_in_fields(in, rp_call_event_fields, 1, err) ||
        rp_in_enum(in, "event", 1, rp_call_events, &e->event, err) ||
        rp_in_time(in, "at", 1, &at, NULL, err) ||
        rp_in_int(in, "queue_id", 0, 1, INT64_MAX, &e->queue_id, NULL, err) ||
        rp_in_int(in, "agent_id", 0, 1, INT64_MAX, &e->agent_id, NULL, err) ||
        rp_in_string(in, "reason", 0, REASON_MAX_CHARS, &e->reason, err))
        return err->code;
    if (!strcmp(e->event, "transferred") && !e->queue_id && !e->agent_id)
        return rp_error_set(err, RP_EINVALID, "queue_id",
                            "a transfer names where the call went: "
                            "queue_id, agent_id or both");
    if (rp_arrival_max_hours(ctx, &max_hours, err))
        return err->code;
    return rp_arrival_check(at, rp_now(), max_hours, "at", &e->at, err);
}

/* "31 min 5 s": how long, in words. */
static void put_wait(rp_buf *b, int64_t seconds)
{
    if (seconds < 0)
        seconds = 0;
    if (seconds < 60)
        rp_buf_printf(b, "%lld s", (long long)seconds);
    else
        rp_buf_printf(b, "%lld min %lld s", (long long)(seconds / 60),
                      (long long)(seconds % 60));
}

/* What the encounter does about event e of a call whose facts were before
 * and are now after: the engine's own steps, as of the event's time. */
static rp_code follow(rp_ctx *ctx, int64_t encounter_id, const event *e,
                      const rp_call_facts *before, const rp_call_facts *after,
                      rp_error *err)
{
    json_t *enc = NULL;
    if (rp_encounter_get(ctx, encounter_id, &enc, err))
        return err->code;
    const char *stage = json_string_value(json_object_get(enc, "stage"));
    rp_code rc = RP_OK;
    /* an encounter the agent already ended keeps its end; the call's own
     * record still says what happened */
    int open = stage && strcmp(stage, "closed") && strcmp(stage, "abandoned");
    if (open && !strcmp(e->event, "answered") && !before->answered_at) {
        rc = rp_encounter_acknowledge_in(ctx, enc, e->at, err);
    } else if (open && !strcmp(e->event, "transferred")) {
        rc = rp_encounter_transfer_in(
            ctx, enc, e->reason ? e->reason : "transferred by the phone system",
            e->queue_id, e->agent_id, NULL, err);
    } else if (open && !strcmp(e->event, "hung_up") && after->abandoned &&
               json_is_null(json_object_get(enc, "acknowledged_at"))) {
        /* (an agent who acknowledged it in the console spoke with the
         * customer: the encounter is theirs to end) */
        rp_buf reason = RP_BUF_INIT;
        rp_buf_puts(&reason, "The caller hung up after ");
        put_wait(&reason, after->ended_at - after->arrived_at);
        rp_buf_puts(&reason, " waiting, before anyone answered");
        rc = rp_encounter_abandon_in(ctx, enc, rp_buf_str(&reason), e->at, err);
        rp_buf_free(&reason);
    }
    json_decref(enc);
    return rc;
}

static json_t *int_or_null(int64_t v)
{
    return v ? json_integer(v) : json_null();
}

/* Record event e of the call row (not told before), inside the caller's
 * transaction. */
static rp_code record(rp_ctx *ctx, json_t *row, const event *e, rp_error *err)
{
    rp_call_facts before, after;
    facts_of(row, &before);
    after = before;
    if (rp_call_step(&after, e->event, e->at, err))
        return err->code;
    json_t *id = json_object_get(row, "id");
    int64_t now = rp_now();
    json_t *params = json_pack(
        "[O, s, o, o, i, o, I, I, I, I, I]", id, rp_call_states[after.state],
        int_or_null(after.answered_at), int_or_null(after.ended_at),
        after.abandoned, int_or_null(after.hold_since), (json_int_t)after.holds,
        (json_int_t)after.hold_seconds, (json_int_t)after.transfers,
        (json_int_t)after.last_event_at, (json_int_t)now);
    rp_code rc = ctx->store->ops->exec(ctx->store, RP_Q_TELEPHONY_CALL_UPDATE,
                                       params, NULL, err);
    json_decref(params);
    if (rc)
        return rc;
    params = json_pack("[O, s, I, o, o, I]", id, e->event, (json_int_t)e->at,
                       int_or_null(e->queue_id), int_or_null(e->agent_id),
                       (json_int_t)now);
    rc = ctx->store->ops->exec(ctx->store, RP_Q_TELEPHONY_EVENT_INSERT, params,
                               NULL, err);
    json_decref(params);
    if (rc)
        return rc;
    return follow(ctx, int_at(row, "encounter_id"), e, &before, &after, err);
}

/* 1 when the event was told before (the same event at the same time). */
static rp_code told_before(rp_ctx *ctx, json_t *row, const event *e, int *seen,
                           rp_error *err)
{
    json_t *params = json_pack("[O, s, I]", json_object_get(row, "id"),
                               e->event, (json_int_t)e->at),
           *rows = NULL;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_TELEPHONY_EVENT_FIND,
                                        params, &rows, err);
    json_decref(params);
    *seen = rc == RP_OK && json_array_size(rows) > 0;
    json_decref(rows);
    return rc;
}

rp_code rp_call_event(rp_ctx *ctx, const char *call_id, json_t *in,
                      json_t **out, int *created, rp_error *err)
{
    event e;
    if (read_event(ctx, in, &e, err))
        return err->code;
    json_t *row = NULL;
    int seen = 0;
    rp_code rc = rp_store_begin(ctx->store, err);
    if (rc)
        return rc;
    rc = call_row(ctx, call_id, &row, err);
    if (rc == RP_OK && !row)
        rc = not_found(call_id, err);
    if (rc == RP_OK)
        rc = told_before(ctx, row, &e, &seen, err);
    if (rc == RP_OK && !seen)
        rc = record(ctx, row, &e, err);
    if (seen) /* told again: what was recorded stands */
        rp_store_rollback(ctx->store);
    else
        rc = rp_store_finish(ctx->store, rc, err);
    json_decref(row);
    if (rc)
        return rc;
    *created = !seen;
    return rp_call_get(ctx, call_id, out, err);
}
