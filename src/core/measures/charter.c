/*
 * charter.c - the service charter: the targets the desk promises itself,
 * the breaches of them, and promises settled as kept or broken.
 *
 * Seed 003's caller waited thirty minutes before anyone spoke, and was
 * never helped.  A charter turns "we respond timely" into numbers that can
 * be missed: acknowledge within N minutes, first response within M,
 * resolution within H hours, follow-ups and promises done by their date.
 * The targets live in the charter table (one row each) so a lead can
 * change them without a release.  Breaches are computed on demand by one
 * named query (a UNION over encounters, promises and follow-up tasks in a
 * window, each an index range scan), never stored, so changing a target
 * re-judges history consistently.
 *
 * A promise is broken when its date passes while it is open; settling
 * writes that down with a moment of truth, because a broken promise is
 * exactly the kind of moment a customer remembers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/measures/measures_internal.h"

#define SETTLE_BATCH 200
#define WINDOW_MAX_SECONDS (366LL * 86400)
#define WINDOW_DEFAULT_SECONDS (30LL * 86400)

const rp_charter rp_charter_defaults = {5, 15, 24, 1};

#define ACK_MAX_MINUTES (7 * 24 * 60)
#define FIRST_MAX_MINUTES (30 * 24 * 60)
#define RESOLUTION_MAX_HOURS (366 * 24)

const rp_field rp_charter_fields[] = {
    {"acknowledge_minutes", RP_FIELD_INT, RP_IN_OPTIONAL, .min = 1,
     .max = ACK_MAX_MINUTES},
    {"first_response_minutes", RP_FIELD_INT, RP_IN_OPTIONAL, .min = 1,
     .max = FIRST_MAX_MINUTES},
    {"resolution_hours", RP_FIELD_INT, RP_IN_OPTIONAL, .min = 1,
     .max = RESOLUTION_MAX_HOURS},
    {"follow_up_on_time", RP_FIELD_BOOL, RP_IN_OPTIONAL,
     .meaning = "a follow-up done late is a breach"},
    {.name = NULL},
};

/* Read the stored rows into *c and, if meta is not NULL, the latest change
 * time and author into meta (new object). */
static rp_code load_rows(rp_ctx *ctx, rp_charter *c, json_t **meta,
                         rp_error *err)
{
    json_t *rows;
    if (ctx->store->ops->query(ctx->store, RP_Q_MEASURES_CHARTER_LIST, NULL,
                               &rows, err))
        return err->code;
    *c = rp_charter_defaults;
    const char *latest_at = NULL, *latest_by = NULL;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *key = json_string_value(json_object_get(row, "key"));
        int64_t v = json_integer_value(json_object_get(row, "value"));
        const char *at = json_string_value(json_object_get(row, "updated_at"));
        if (!key)
            continue;
        if (!strcmp(key, "acknowledge_minutes"))
            c->acknowledge_minutes = v;
        else if (!strcmp(key, "first_response_minutes"))
            c->first_response_minutes = v;
        else if (!strcmp(key, "resolution_hours"))
            c->resolution_hours = v;
        else if (!strcmp(key, "follow_up_on_time"))
            c->follow_up_on_time = v != 0;
        /* RFC 3339 UTC strings of one format sort as the times they are */
        if (at && (!latest_at || strcmp(at, latest_at) > 0)) {
            latest_at = at;
            latest_by = json_string_value(json_object_get(row, "updated_by"));
        }
    }
    if (meta)
        *meta = json_pack("{s:s?, s:s?}", "updated_at", latest_at, "updated_by",
                          latest_by);
    json_decref(rows);
    return RP_OK;
}

rp_code rp_charter_load(rp_ctx *ctx, rp_charter *out, rp_error *err)
{
    return load_rows(ctx, out, NULL, err);
}

static json_t *charter_json(const rp_charter *c)
{
    return json_pack("{s:I, s:I, s:I, s:b}", "acknowledge_minutes",
                     (json_int_t)c->acknowledge_minutes,
                     "first_response_minutes",
                     (json_int_t)c->first_response_minutes, "resolution_hours",
                     (json_int_t)c->resolution_hours, "follow_up_on_time",
                     c->follow_up_on_time);
}

rp_code rp_charter_get(rp_ctx *ctx, json_t **out, rp_error *err)
{
    rp_charter c;
    json_t *meta;
    if (load_rows(ctx, &c, &meta, err))
        return err->code;
    json_t *j = charter_json(&c);
    json_object_update(j, meta);
    json_decref(meta);
    int64_t version = 0;
    rp_charter cur;
    if (rp_charter_at(ctx, rp_now(), &cur, &version, err)) {
        json_decref(j);
        return err->code;
    }
    json_object_set_new(j, "version_id",
                        version ? json_integer(version) : json_null());
    *out = j;
    return RP_OK;
}

/* Validate in against the current targets cur; fill *next. */
static rp_code validate(json_t *in, const rp_charter *cur, rp_charter *next,
                        rp_error *err)
{
    int p1, p2, p3, p4, on = cur->follow_up_on_time;
    *next = *cur;
    if (rp_in_fields(in, rp_charter_fields, 0, err) ||
        rp_in_int(in, "acknowledge_minutes", 0, 1, ACK_MAX_MINUTES,
                  &next->acknowledge_minutes, &p1, err) ||
        rp_in_int(in, "first_response_minutes", 0, 1, FIRST_MAX_MINUTES,
                  &next->first_response_minutes, &p2, err) ||
        rp_in_int(in, "resolution_hours", 0, 1, RESOLUTION_MAX_HOURS,
                  &next->resolution_hours, &p3, err) ||
        rp_in_bool(in, "follow_up_on_time", 0, &on, &p4, err))
        return err->code;
    next->follow_up_on_time = on;
    if (!p1 && !p2 && !p3 && !p4)
        return rp_error_refuse(err, RP_EINVALID, NULL, "nothing_to_change", 0,
                               "give at least one of acknowledge_minutes, "
                               "first_response_minutes, resolution_hours, "
                               "follow_up_on_time");
    /* A target that can only be met by breaking an earlier one is a typo. */
    if (next->first_response_minutes < next->acknowledge_minutes)
        return rp_error_refuse(
            err, RP_EINVALID,
            p2 ? "first_response_minutes" : "acknowledge_minutes",
            "wrong_order", 0,
            "first_response_minutes (%lld) must not be below "
            "acknowledge_minutes (%lld): a first response comes after the "
            "acknowledgement",
            (long long)next->first_response_minutes,
            (long long)next->acknowledge_minutes);
    if (next->resolution_hours * 60 < next->first_response_minutes)
        return rp_error_refuse(
            err, RP_EINVALID,
            p3 ? "resolution_hours" : "first_response_minutes", "wrong_order",
            0,
            "resolution_hours (%lld h) must not be shorter than "
            "first_response_minutes (%lld min)",
            (long long)next->resolution_hours,
            (long long)next->first_response_minutes);
    return RP_OK;
}

static rp_code set_one(rp_ctx *ctx, const char *key, int64_t value, int64_t now,
                       rp_error *err)
{
    json_t *params = json_pack("[I, I, s, s]", (json_int_t)value,
                               (json_int_t)now,
                               ctx->actor ? ctx->actor : "system", key);
    int64_t changes = 0;
    rp_code rc = ctx->store->ops->exec(ctx->store, RP_Q_MEASURES_CHARTER_SET,
                                       params, &changes, err);
    json_decref(params);
    if (rc == RP_OK && changes != 1)
        rc = rp_error_set(err, RP_EINTERNAL, key,
                          "the charter has no row for %s; the database was "
                          "not migrated",
                          key);
    return rc;
}

static rp_code add_version(rp_ctx *ctx, const rp_charter *c, int64_t now,
                           rp_error *err)
{
    json_t *rows = NULL,
           *params = json_pack("[I, I, I, I, i, s]", (json_int_t)now,
                               (json_int_t)c->acknowledge_minutes,
                               (json_int_t)c->first_response_minutes,
                               (json_int_t)c->resolution_hours,
                               c->follow_up_on_time,
                               ctx->actor ? ctx->actor : "system");
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_MEASURES_CHARTER_VERSION_ADD, params, &rows, err);
    json_decref(params);
    json_decref(rows);
    return rc;
}

/* A version row as a charter. */
static void version_charter(json_t *row, rp_charter *c)
{
    c->acknowledge_minutes = json_integer_value(
        json_object_get(row, "acknowledge_minutes"));
    c->first_response_minutes = json_integer_value(
        json_object_get(row, "first_response_minutes"));
    c->resolution_hours = json_integer_value(
        json_object_get(row, "resolution_hours"));
    c->follow_up_on_time = json_integer_value(
                               json_object_get(row, "follow_up_on_time")) != 0;
}

rp_code rp_charter_at(rp_ctx *ctx, int64_t t, rp_charter *out,
                      int64_t *version_id, rp_error *err)
{
    json_t *rows = NULL, *params = json_pack("[I]", (json_int_t)t);
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_MEASURES_CHARTER_VERSION_AT, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *row = json_array_get(rows, 0);
    if (row) {
        version_charter(row, out);
        if (version_id)
            *version_id = json_integer_value(json_object_get(row, "id"));
        json_decref(rows);
        return RP_OK;
    }
    json_decref(rows);
    /* older than every version (none starts before 0): today's targets */
    if (version_id)
        *version_id = 0;
    return rp_charter_load(ctx, out, err);
}

rp_code rp_charter_versions(rp_ctx *ctx, json_t **out, rp_error *err)
{
    json_t *rows = NULL, *params = json_pack("[i]", 500);
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_MEASURES_CHARTER_VERSIONS, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        json_t *on = json_object_get(row, "follow_up_on_time");
        json_object_set_new(row, "follow_up_on_time",
                            json_boolean(json_integer_value(on) != 0));
        /* the version before any change was in force from the start */
        const char *at = json_string_value(json_object_get(row, "starts_at"));
        int64_t t = 0;
        if (at && rp_time_parse(at, &t) == 0 && t == 0)
            json_object_set_new(row, "starts_at", json_null());
    }
    *out = json_pack("{s:o}", "items", rows);
    return RP_OK;
}

rp_code rp_charter_update(rp_ctx *ctx, json_t *in, json_t **out, rp_error *err)
{
    rp_charter cur, next;
    rp_store *s = ctx->store;
    if (rp_store_begin(s, err))
        return err->code;
    rp_code rc = rp_charter_load(ctx, &cur, err);
    if (rc == RP_OK)
        rc = validate(in, &cur, &next, err);
    int64_t now = rp_now();
    if (rc == RP_OK && json_object_get(in, "acknowledge_minutes"))
        rc = set_one(ctx, "acknowledge_minutes", next.acknowledge_minutes, now,
                     err);
    if (rc == RP_OK && json_object_get(in, "first_response_minutes"))
        rc = set_one(ctx, "first_response_minutes", next.first_response_minutes,
                     now, err);
    if (rc == RP_OK && json_object_get(in, "resolution_hours"))
        rc = set_one(ctx, "resolution_hours", next.resolution_hours, now, err);
    if (rc == RP_OK && json_object_get(in, "follow_up_on_time"))
        rc = set_one(ctx, "follow_up_on_time", next.follow_up_on_time, now,
                     err);
    /* the change is a new version in force from now on: encounters
     * received before keep the version they were received under, and
     * their deadlines with it (sweep.c), so nothing is judged again */
    if (rc == RP_OK)
        rc = add_version(ctx, &next, now, err);
    rc = rp_store_finish(s, rc, err);
    if (rc)
        return rc;
    return rp_charter_get(ctx, out, err);
}

/* ---- windows ------------------------------------------------------------- */

static rp_code parse_time_arg(const char *text, const char *field, int64_t *out,
                              rp_error *err)
{
    if (!rp_time_parse(text, out))
        return RP_OK;
    /* quoted by characters: a query or argv may hold bytes that are not
     * text, and an error never echoes them */
    rp_buf q = RP_BUF_INIT;
    rp_error_refuse(err, RP_EINVALID, field, "not_a_time", 0,
                    "%s must be an RFC 3339 time such as "
                    "2026-11-23T08:00:00Z, not \"%s\"",
                    field, rp_cut(&q, text, 40));
    rp_buf_free(&q);
    return err->code;
}

rp_code rp_window_parse(const char *from, const char *to, const char *queue,
                        const char *agent, rp_window *out, rp_error *err)
{
    memset(out, 0, sizeof *out);
    out->to = rp_now() + 1; /* half-open: include what happened this second */
    if (to && *to && parse_time_arg(to, "to", &out->to, err))
        return err->code;
    out->from = out->to - WINDOW_DEFAULT_SECONDS;
    if (from && *from && parse_time_arg(from, "from", &out->from, err))
        return err->code;
    if (out->from >= out->to)
        return rp_error_refuse(err, RP_EINVALID, "from", "wrong_order", 0,
                               "from must be before to");
    if (out->to - out->from > WINDOW_MAX_SECONDS)
        return rp_error_refuse(err, RP_EINVALID, "from", "out_of_range", 0,
                               "the window from..to must be at most 366 days");
    /* rp_parse_id's message quotes the value by characters; a bad id in a
     * window is a broken rule of the report (422), not a malformed request */
    if ((queue && *queue && rp_parse_id(queue, "queue", &out->queue_id, err)) ||
        (agent && *agent && rp_parse_id(agent, "agent", &out->agent_id, err)))
        return err->code = RP_EINVALID;
    return RP_OK;
}

rp_code rp_window_limit(rp_ctx *ctx, const rp_window *w, rp_window *out,
                        rp_error *err)
{
    json_t *queues = NULL;
    if (rp_access_queues(ctx, ctx->viewer, &queues, err))
        return err->code;
    *out = *w;
    out->queues = NULL;
    if (!queues)
        return RP_OK;
    if (!w->queue_id) {
        out->queues = queues;
        return RP_OK;
    }
    int seen = 0;
    size_t i;
    json_t *v;
    json_array_foreach(queues, i, v)
        seen |= json_integer_value(v) == w->queue_id;
    json_decref(queues);
    if (seen)
        return RP_OK;
    return rp_error_set(err, RP_EFORBIDDEN, "queue",
                        "the figures of queue %lld are not yours to see: "
                        "it is restricted to its members, or outside the "
                        "queues this token is limited to",
                        (long long)w->queue_id);
}

void rp_window_release(rp_window *w)
{
    json_decref(w->queues);
    w->queues = NULL;
}

json_t *rp_window_queues(const rp_window *w)
{
    if (w->queue_id)
        return json_pack("[I]", (json_int_t)w->queue_id);
    return w->queues ? json_incref(w->queues) : json_null();
}

/* ---- promises ------------------------------------------------------------ */

/* Settle one promise to status ("kept" or "broken") with its moment; the
 * caller holds the transaction.  *done is 0 when someone settled it first. */
static rp_code settle_one(rp_ctx *ctx, json_t *promise, const char *status,
                          int64_t now, int *done, rp_error *err)
{
    int64_t id = json_integer_value(json_object_get(promise, "id"));
    json_t *params = json_pack("[s, I, I]", status, (json_int_t)now,
                               (json_int_t)id);
    int64_t changes = 0;
    rp_code rc = ctx->store->ops->exec(ctx->store, RP_Q_MEASURES_PROMISE_SETTLE,
                                       params, &changes, err);
    json_decref(params);
    *done = changes == 1;
    if (rc || !*done)
        return rc;
    const char *what = json_string_value(json_object_get(promise, "what"));
    rp_buf summary = RP_BUF_INIT;
    int kept = !strcmp(status, "kept");
    rp_buf_printf(&summary,
                  "Promise %s: ", kept ? "kept" : "broken (its date passed)");
    rp_buf_put_cut(&summary, what, 200);
    json_t *enc = json_object_get(promise, "encounter_id");
    json_t *detail = json_pack("{s:I, s:s, s:s}", "promise_id", (json_int_t)id,
                               "status", status, "what", what ? what : "");
    rp_moment m = {
        .customer_id = json_integer_value(
            json_object_get(promise, "customer_id")),
        .encounter_id = json_is_integer(enc) ? json_integer_value(enc) : 0,
        .kind = kept ? "promise.kept" : "promise.broken",
        .summary = rp_buf_str(&summary),
        .impression = kept ? "positive" : "negative",
        .detail = detail};
    rc = rp_moment_record(ctx, &m, err);
    char due[RP_TIME_MAX];
    rp_time_format(json_integer_value(json_object_get(promise, "due")), due);
    if (rc == RP_OK && !kept)
        rc = rp_event_emit_pack(ctx, "charter.breached", m.customer_id,
                                m.encounter_id, err, "{s:s, s:I, s:s}",
                                "target", "promise", "promise_id",
                                (json_int_t)id, "due_at", due);
    json_decref(detail);
    rp_buf_free(&summary);
    /* an encounter that waited on this promise can now be judged */
    if (rc == RP_OK && m.encounter_id)
        rc = rp_encounter_first_contact_settle(ctx, m.encounter_id, err);
    /* and the relationship knows at once whether our word was kept */
    if (rc == RP_OK)
        rc = rp_relationship_recompute_because(
            ctx, m.customer_id, m.encounter_id,
            kept ? "a promise was kept" : "a promise was broken", err);
    return rc;
}

rp_code rp_charter_settle_promises(rp_ctx *ctx, int64_t now, int64_t *settled,
                                   rp_error *err)
{
    rp_store *s = ctx->store;
    int64_t total = 0;
    for (;;) {
        /* Look before taking the write lock: reports call this on every
         * read, and almost always there is nothing to settle.  The UPDATE
         * re-checks status = 'open', so a promise settled by someone else
         * between the look and the write is skipped, not settled twice.
         * One batch per transaction: a backlog never holds the write lock
         * for long, and each batch is all-or-nothing with its moments. */
        json_t *rows = NULL,
               *params = json_pack("[I, i]", (json_int_t)now, SETTLE_BATCH);
        rp_code rc = s->ops->query(s, RP_Q_MEASURES_PROMISES_OVERDUE, params,
                                   &rows, err);
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
        json_array_foreach(rows, i, row) {
            int done;
            if (rc == RP_OK)
                rc = settle_one(ctx, row, "broken", now, &done, err);
            if (rc == RP_OK && done)
                total++;
        }
        json_decref(rows);
        rc = rp_store_finish(s, rc, err);
        if (rc)
            return rc;
        if (n < SETTLE_BATCH)
            break;
    }
    if (settled)
        *settled = total;
    return RP_OK;
}

rp_code rp_promise_keep(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err)
{
    rp_store *s = ctx->store;
    if (rp_store_begin(s, err))
        return err->code;
    json_t *p = NULL;
    int64_t now = rp_now();
    rp_code rc = s->ops->get(s, &RP_ENTITY_PROMISE, id, &p, err);
    if (rc == RP_ENOTFOUND)
        rc = rp_error_set(err, RP_ENOTFOUND, "id", "no promise with id %lld",
                          (long long)id);
    const char *status = rc ? NULL
                            : json_string_value(json_object_get(p, "status"));
    int64_t due = 0;
    if (rc == RP_OK && strcmp(status, "open"))
        rc = rp_error_refuse(err, RP_ECONFLICT, "status", "already_done", 0,
                             "promise %lld is already %s", (long long)id,
                             status);
    if (rc == RP_OK &&
        (rp_time_parse(json_string_value(json_object_get(p, "due_at")), &due) ||
         due < now))
        rc = rp_error_refuse(err, RP_ECONFLICT, "due_at", "too_late", 0,
                             "promise %lld was due at %s and is broken: a "
                             "promise kept after its date is not kept",
                             (long long)id,
                             json_string_value(json_object_get(p, "due_at")));
    int done = 0;
    if (rc == RP_OK)
        rc = settle_one(ctx, p, "kept", now, &done, err);
    if (rc == RP_OK && !done)
        rc = rp_error_refuse(err, RP_ECONFLICT, "status", "changed_meanwhile",
                             0, "promise %lld was settled meanwhile",
                             (long long)id);
    json_decref(p);
    rc = rp_store_finish(s, rc, err);
    if (rc)
        return rc;
    if (s->ops->get(s, &RP_ENTITY_PROMISE, id, out, err))
        return err->code;
    return RP_OK;
}

/* ---- breaches ------------------------------------------------------------ */

json_t *rp_charter_breach_params(const rp_window *w, const rp_charter *c,
                                 int64_t now)
{
    return json_pack("[I, I, o, o, I, I, I, I, i]", (json_int_t)w->from,
                     (json_int_t)w->to, rp_window_queues(w),
                     w->agent_id ? json_integer(w->agent_id) : json_null(),
                     (json_int_t)now, (json_int_t)(c->acknowledge_minutes * 60),
                     (json_int_t)(c->first_response_minutes * 60),
                     (json_int_t)(c->resolution_hours * 3600),
                     c->follow_up_on_time);
}

json_t *rp_window_json(const rp_window *w)
{
    char from[RP_TIME_MAX], to[RP_TIME_MAX];
    rp_time_format(w->from, from);
    rp_time_format(w->to, to);
    return json_pack("{s:s, s:s, s:o, s:o}", "from", from, "to", to, "queue_id",
                     w->queue_id ? json_integer(w->queue_id) : json_null(),
                     "agent_id",
                     w->agent_id ? json_integer(w->agent_id) : json_null());
}

rp_code rp_charter_breach_counts(rp_ctx *ctx, const rp_window *w,
                                 const rp_charter *c, int64_t now,
                                 json_t **counts, int64_t *total, rp_error *err)
{
    json_t *params = rp_charter_breach_params(w, c, now), *rows;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_MEASURES_CHARTER_BREACH_COUNTS, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *j = json_pack("{s:i, s:i, s:i, s:i}", "acknowledge", 0,
                          "first_response", 0, "resolution", 0,
                          "follow_up_on_time", 0);
    *total = 0;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        json_t *n = json_object_get(row, "n");
        json_object_set(j, json_string_value(json_object_get(row, "target")),
                        n);
        *total += json_integer_value(n);
    }
    json_decref(rows);
    *counts = j;
    return RP_OK;
}

static rp_code breaches_in(rp_ctx *ctx, const rp_window *w, int limit,
                           json_t **out, rp_error *err);

/* The sums of one target in rp_charter_breach_times. */
typedef struct breach_sums {
    const char *target;
    int64_t n, calendar, over;
} breach_sums;

static breach_sums *sums_of(breach_sums *s, size_t ns, const char *target)
{
    for (size_t i = 0; target && i < ns; i++)
        if (!strcmp(s[i].target, target))
            return &s[i];
    return NULL;
}

/* Add to s the seconds past each target of the encounters' breaches of
 * queue q (0: none), counted in the business hours of cal. */
static rp_code business_over(rp_ctx *ctx, const rp_window *w,
                             const rp_charter *c, int64_t now, int64_t q,
                             const rp_calendar *cal, breach_sums *s, size_t ns,
                             rp_error *err)
{
    json_t *rows, *params = rp_charter_breach_params(w, c, now);
    json_array_append_new(params, json_integer(q));
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_MEASURES_BREACH_TIMES_ROWS, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        breach_sums *t = sums_of(
            s, ns, json_string_value(json_object_get(row, "target")));
        if (!t)
            continue;
        int64_t start = json_integer_value(json_object_get(row, "started"));
        int64_t actual = rp_calendar_between(
            cal, start,
            start + json_integer_value(json_object_get(row, "actual_seconds")));
        int64_t target = json_integer_value(
            json_object_get(row, "target_seconds"));
        if (actual > target)
            t->over += actual - target;
    }
    json_decref(rows);
    return RP_OK;
}

static json_t *average(int64_t sum, int64_t n)
{
    return n > 0 ? json_real(round((double)sum / (double)n * 10.0) / 10.0)
                 : json_null();
}

rp_code rp_charter_breach_times(rp_ctx *ctx, const rp_window *w,
                                const rp_charter *c, int64_t now, int direct,
                                json_t **times, rp_error *err)
{
    breach_sums s[] = {{"acknowledge", 0, 0, 0},
                       {"first_response", 0, 0, 0},
                       {"resolution", 0, 0, 0},
                       {"follow_up_on_time", 0, 0, 0}};
    size_t ns = sizeof s / sizeof s[0];
    json_t *rows = NULL;
    rp_code rc;
    if (direct) {
        json_t *params = rp_charter_breach_params(w, c, now);
        rc = ctx->store->ops->query(ctx->store, RP_Q_MEASURES_BREACH_TIMES,
                                    params, &rows, err);
        json_decref(params);
    } else {
        rc = rp_rollup_breach_times(ctx, w, c, now, &rows, err);
    }
    if (rc)
        return rc;
    /* each queue whose encounters breached, with its calendar read once:
     * around the clock, the grouped sum is the figure; in business
     * hours, its rows are counted again in them */
    size_t nq = 0, i;
    struct {
        int64_t id;
        int always;
    } *queues = calloc(json_array_size(rows) + 1, sizeof *queues);
    if (!queues) {
        json_decref(rows);
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    }
    json_t *row;
    json_array_foreach(rows, i, row) {
        if (strcmp(json_string_value(json_object_get(row, "subject")),
                   "encounter"))
            continue;
        int64_t q = json_integer_value(json_object_get(row, "queue_id"));
        size_t k = 0;
        while (k < nq && queues[k].id != q)
            k++;
        if (k < nq)
            continue;
        rp_calendar cal;
        if ((rc = rp_calendar_load(ctx, q, &cal, err)))
            break;
        queues[nq].id = q;
        queues[nq].always = rp_calendar_always(&cal);
        if (!queues[nq].always)
            rc = business_over(ctx, w, c, now, q, &cal, s, ns, err);
        rp_calendar_free(&cal);
        nq++;
        if (rc)
            break;
    }
    json_array_foreach(rows, i, row) {
        breach_sums *t = sums_of(
            s, ns, json_string_value(json_object_get(row, "target")));
        if (rc || !t)
            continue;
        t->n += json_integer_value(json_object_get(row, "n"));
        t->calendar += json_integer_value(json_object_get(row, "calendar_sum"));
        int64_t q = json_integer_value(json_object_get(row, "queue_id"));
        int always = 1;
        if (!strcmp(json_string_value(json_object_get(row, "subject")),
                    "encounter"))
            for (size_t k = 0; k < nq; k++)
                if (queues[k].id == q)
                    always = queues[k].always;
        if (always)
            t->over += json_integer_value(json_object_get(row, "over_sum"));
    }
    free(queues);
    json_decref(rows);
    if (rc)
        return rc;
    json_t *j = json_object();
    for (size_t k = 0; k < ns; k++)
        json_object_set_new(
            j, s[k].target,
            json_pack("{s:I, s:o, s:o}", "breaches", (json_int_t)s[k].n,
                      "over_seconds_average", average(s[k].over, s[k].n),
                      "calendar_seconds_average",
                      average(s[k].calendar, s[k].n)));
    *times = j;
    return RP_OK;
}

#define CALENDARS_KEPT 16

/*
 * The query measures each breach of an encounter in calendar time; the
 * charter counts business time.  Give each such item "calendar_seconds"
 * (the query's figure) and "actual_seconds" in its queue's business
 * hours, reading each queue's calendar once.
 */
static rp_code business_figures(rp_ctx *ctx, json_t *rows, rp_error *err)
{
    int64_t ids[CALENDARS_KEPT];
    rp_calendar cals[CALENDARS_KEPT];
    int kept = 0;
    rp_code rc = RP_OK;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        json_t *calendar = json_object_get(row, "actual_seconds");
        json_object_set(row, "calendar_seconds", calendar);
        if (strcmp(json_string_value(json_object_get(row, "subject")),
                   "encounter"))
            continue;
        int64_t q = json_integer_value(json_object_get(row, "queue_id"));
        int k = 0;
        while (k < kept && ids[k] != q)
            k++;
        rp_calendar one, *cal = k < kept ? &cals[k] : &one;
        if (k == kept && (rc = rp_calendar_load(ctx, q, &one, err)))
            break;
        int64_t start = 0;
        rp_time_parse(json_string_value(json_object_get(row, "started_at")),
                      &start);
        json_object_set_new(
            row, "actual_seconds",
            json_integer(rp_calendar_between(
                cal, start, start + json_integer_value(calendar))));
        if (k < kept)
            continue;
        if (kept < CALENDARS_KEPT) {
            ids[kept] = q;
            cals[kept++] = one;
        } else {
            rp_calendar_free(&one);
        }
    }
    while (kept > 0)
        rp_calendar_free(&cals[--kept]);
    return rc;
}

rp_code rp_charter_breach_page(rp_ctx *ctx, const rp_window *w,
                               const rp_charter *c, int64_t now, int limit,
                               int direct, json_t **rows, rp_error *err)
{
    json_t *params = rp_charter_breach_params(w, c, now);
    json_array_append_new(params, json_integer(limit));
    rp_code rc = ctx->store->ops->query(
        ctx->store,
        direct ? RP_Q_MEASURES_CHARTER_BREACHES_RECORDS
               : RP_Q_MEASURES_CHARTER_BREACHES,
        params, rows, err);
    json_decref(params);
    return rc;
}

rp_code rp_charter_breaches(rp_ctx *ctx, const rp_window *asked, int limit,
                            json_t **out, rp_error *err)
{
    rp_window w;
    if (rp_window_limit(ctx, asked, &w, err))
        return err->code;
    rp_code rc = breaches_in(ctx, &w, limit, out, err);
    rp_window_release(&w);
    return rc;
}

/* The breaches of w, already limited to what the reader may count. */
static rp_code breaches_in(rp_ctx *ctx, const rp_window *w, int limit,
                           json_t **out, rp_error *err)
{
    if (limit < 1 || limit > 1000)
        return rp_error_refuse(err, RP_EINVALID, "limit", "out_of_range", 0,
                               "limit must be between 1 and 1000");
    int64_t now = rp_now(), total = 0;
    rp_charter c;
    /* a read settles nothing: the breaches count a promise open past its
     * date as broken already */
    if (rp_charter_load(ctx, &c, err))
        return err->code;
    json_t *counts = NULL, *rows = NULL;
    if (rp_rollup_breaches(ctx, w, &c, now, &counts, &total, err))
        return err->code;
    rp_code rc = rp_charter_breach_page(ctx, w, &c, now, limit, 0, &rows, err);
    if (rc) {
        json_decref(counts);
        return rc;
    }
    rc = business_figures(ctx, rows, err);
    if (rc) {
        json_decref(counts);
        json_decref(rows);
        return rc;
    }
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        int64_t target = json_integer_value(
            json_object_get(row, "target_seconds"));
        int64_t actual = json_integer_value(
            json_object_get(row, "actual_seconds"));
        /* An encounter abandoned before its resolution target was still
         * never resolved: a breach, but not "late by" any figure. */
        json_object_set_new(row, "over_by_seconds",
                            actual > target ? json_integer(actual - target)
                                            : json_null());
    }
    *out = json_pack("{s:o, s:o, s:I, s:o, s:b, s:o}", "window",
                     rp_window_json(w), "charter", charter_json(&c), "count",
                     (json_int_t)total, "counts", counts, "truncated",
                     (int64_t)json_array_size(rows) < total, "items", rows);
    return RP_OK;
}
