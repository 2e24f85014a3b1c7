/*
 * ticket.c - Zendesk's tickets as rapport's encounters, and their
 * comments as the messages of the encounter's conversation.
 *
 * A ticket is made the way a customer's request is: its first comment is
 * taken in through rp_conversation_receive, so the requester is found by
 * address or made a customer, the encounter is opened and routed, and the
 * first message and its moment are written, exactly as for mail or the
 * help form.  A change of status moves the encounter along its cycle with
 * the cycle's own calls, one step at a time, so each step is checked and
 * leaves its moment; where a step needs something a Zendesk client never
 * records, the filler says so in plain words rather than pretending.
 */
#include <stdio.h>
#include <string.h>

#include "core/zendesk/zendesk_internal.h"

const char *const rp_zendesk_statuses[] = {
    "new", "open", "pending", "hold", "solved", "closed", NULL};
const char *const rp_zendesk_priorities[] = {"low", "normal", "high", "urgent",
                                             NULL};

#define TAGS_MAX 50
#define TAG_CHARS 80
/* What the facts quote of the customer's first message. */
#define FACTS_CHARS 1000

/* ---- the shape of a ticket ----------------------------------------------- */

static int is_set(json_t *enc, const char *key)
{
    json_t *v = json_object_get(enc, key);
    return v && !json_is_null(v);
}

const char *rp_zendesk_status_of(json_t *enc)
{
    const char *stage = json_string_value(json_object_get(enc, "stage"));
    int i = rp_cycle_stage_index(stage);
    if (i < 0 || i >= 4)
        return "closed";
    if (i == 3)
        return "solved";
    if (!is_set(enc, "acknowledged_at"))
        return "new";
    const char *waiting = json_string_value(json_object_get(enc, "waiting_on"));
    if (waiting && !strcmp(waiting, "customer"))
        return "pending";
    if (waiting && !strcmp(waiting, "third_party"))
        return "hold";
    return "open";
}

rp_code rp_zd_status_filters(const char *status, rp_filter *f, int *nf,
                             json_t *keep, rp_error *err)
{
    json_t *open = json_pack("[s,s,s]", "received", "understood", "helped");
    json_t *zero = json_integer(0), *null = json_null();
    json_array_append_new(keep, open);
    json_array_append_new(keep, zero);
    json_array_append_new(keep, null);
    int n = *nf;
    if (!strcmp(status, "new")) {
        f[n++] = (rp_filter){"stage", RP_FILTER_IN, open};
        f[n++] = (rp_filter){"acknowledged_at", RP_FILTER_EQ, null};
    } else if (!strcmp(status, "open") || !strcmp(status, "pending") ||
               !strcmp(status, "hold")) {
        json_t *w = !strcmp(status, "open")      ? null
                    : !strcmp(status, "pending") ? json_string("customer")
                                                 : json_string("third_party");
        if (w != null)
            json_array_append_new(keep, w);
        f[n++] = (rp_filter){"stage", RP_FILTER_IN, open};
        f[n++] = (rp_filter){"acknowledged_at", RP_FILTER_GT, zero};
        f[n++] = (rp_filter){"waiting_on", RP_FILTER_EQ, w};
    } else if (!strcmp(status, "solved")) {
        json_t *kept = json_pack("[s]", "kept");
        json_array_append_new(keep, kept);
        f[n++] = (rp_filter){"stage", RP_FILTER_IN, kept};
    } else if (!strcmp(status, "closed")) {
        json_t *done = json_pack("[s,s]", "closed", "abandoned");
        json_array_append_new(keep, done);
        f[n++] = (rp_filter){"stage", RP_FILTER_IN, done};
    } else {
        rp_buf q = RP_BUF_INIT;
        rp_error_set(err, RP_EINVALID, "status",
                     "status must be one of new, open, pending, hold, "
                     "solved, closed; not \"%s\"",
                     rp_cut(&q, status, 40));
        rp_buf_free(&q);
        return err->code;
    }
    *nf = n;
    return RP_OK;
}

static json_t *id_or_null(json_t *enc, const char *key, int64_t base)
{
    json_t *v = json_object_get(enc, key);
    return json_is_integer(v) ? json_integer(base + json_integer_value(v))
                              : json_null();
}

/* Zendesk's via.channel for a channel of rapport's. */
static const char *via_channel(const char *channel)
{
    if (!channel)
        return "api";
    if (!strcmp(channel, "phone"))
        return "voice";
    if (!strcmp(channel, "in_person"))
        return "api";
    return channel; /* email, web, chat */
}

static json_t *ticket_of(json_t *enc, const char *description)
{
    json_t *t = json_object(), *tags = json_object_get(enc, "tags");
    json_object_set(t, "id", json_object_get(enc, "id"));
    json_object_set(t, "subject", json_object_get(enc, "subject"));
    json_object_set(t, "raw_subject", json_object_get(enc, "subject"));
    json_object_set_new(t, "description",
                        json_string(description ? description : ""));
    json_object_set_new(t, "status", json_string(rp_zendesk_status_of(enc)));
    json_object_set_new(t, "priority",
                        is_set(enc, "priority")
                            ? json_incref(json_object_get(enc, "priority"))
                            : json_null());
    json_object_set_new(t, "type", json_null());
    json_object_set_new(t, "tags",
                        json_is_array(tags) ? json_incref(tags) : json_array());
    json_object_set_new(t, "requester_id", id_or_null(enc, "customer_id", 0));
    json_object_set_new(t, "submitter_id", id_or_null(enc, "customer_id", 0));
    json_object_set_new(t, "assignee_id",
                        id_or_null(enc, "agent_id", RP_ZENDESK_AGENT_BASE));
    json_object_set_new(t, "group_id", id_or_null(enc, "queue_id", 0));
    json_object_set_new(t, "organization_id", json_null());
    json_object_set_new(t, "collaborator_ids", json_array());
    json_object_set_new(t, "follower_ids", json_array());
    json_object_set_new(t, "email_cc_ids", json_array());
    json_object_set_new(t, "is_public", json_true());
    json_object_set_new(t, "has_incidents", json_false());
    json_object_set_new(t, "due_at", json_null());
    json_object_set_new(t, "external_id", json_null());
    json_object_set_new(t, "recipient", json_null());
    json_object_set_new(t, "custom_fields", json_array());
    json_object_set_new(t, "via",
                        json_pack("{s:s}", "channel",
                                  via_channel(json_string_value(
                                      json_object_get(enc, "channel")))));
    json_object_set(t, "created_at", json_object_get(enc, "created_at"));
    json_object_set(t, "updated_at", json_object_get(enc, "updated_at"));
    return t;
}

rp_code rp_zd_tickets_shape(rp_ctx *ctx, json_t *rows, rp_error *err)
{
    json_t *ids = json_array(), *firsts = NULL, *row;
    size_t i;
    json_array_foreach(rows, i, row)
        json_array_append(ids, json_object_get(row, "id"));
    json_t *params = json_pack("[o]", ids);
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_ZENDESK_FIRST_MESSAGES,
                                        params, &firsts, err);
    json_decref(params);
    if (rc)
        return rc;
    json_array_foreach(rows, i, row) {
        json_int_t id = json_integer_value(json_object_get(row, "id"));
        const char *body = NULL;
        size_t j;
        json_t *m;
        json_array_foreach(firsts, j, m)
            if (json_integer_value(json_object_get(m, "encounter_id")) == id)
                body = json_string_value(json_object_get(m, "body"));
        json_array_set_new(rows, i, ticket_of(row, body));
    }
    json_decref(firsts);
    return RP_OK;
}

/* One encounter as {"ticket": {...}}. */
static rp_code wrap_one(rp_ctx *ctx, json_t *enc, json_t **out, rp_error *err)
{
    json_t *rows = json_pack("[O]", enc);
    if (rp_zd_tickets_shape(ctx, rows, err)) {
        json_decref(rows);
        return err->code;
    }
    *out = json_pack("{s:O}", "ticket", json_array_get(rows, 0));
    json_decref(rows);
    return RP_OK;
}

/* The encounter of ticket id; a missing one is named as a ticket. */
static rp_code encounter_of(rp_ctx *ctx, int64_t id, json_t **enc,
                            rp_error *err)
{
    rp_code rc = rp_encounter_get(ctx, id, enc, err);
    if (rc == RP_ENOTFOUND)
        return rp_error_set(err, RP_ENOTFOUND, "id", "no ticket with id %lld",
                            (long long)id);
    return rc;
}

rp_code rp_zendesk_ticket_get(rp_ctx *ctx, int64_t id, json_t **out,
                              rp_error *err)
{
    json_t *enc;
    if (encounter_of(ctx, id, &enc, err))
        return err->code;
    rp_code rc = wrap_one(ctx, enc, out, err);
    json_decref(enc);
    return rc;
}

rp_code rp_zendesk_ticket_list(rp_ctx *ctx, int64_t requester_id,
                               const rp_zendesk_page *page, json_t **out,
                               rp_error *err)
{
    json_t *cid = json_integer(requester_id);
    rp_filter f = {"customer_id", RP_FILTER_EQ, cid};
    rp_code rc = rp_zd_page_of(ctx, &RP_ENTITY_ENCOUNTER, &f,
                               requester_id ? 1 : 0, RP_ROWS_ENCOUNTER, page,
                               "tickets", rp_zd_tickets_shape, out, err);
    json_decref(cid);
    return rc;
}

/* ---- comments ------------------------------------------------------------ */

static rp_code comments_shape(rp_ctx *ctx, json_t *rows, rp_error *err)
{
    (void)ctx;
    (void)err;
    json_t *shaped = json_array(), *m;
    size_t i;
    json_array_foreach(rows, i, m) {
        const char *status = json_string_value(json_object_get(m, "status"));
        if (status && !strcmp(status, "draft"))
            continue; /* not written yet: Zendesk has no drafts */
        const char *author = json_string_value(json_object_get(m, "author"));
        const char *dir = json_string_value(json_object_get(m, "direction"));
        json_t *author_id = author && !strcmp(author, "customer")
                                ? id_or_null(m, "customer_id", 0)
                            : author && !strcmp(author, "agent")
                                ? id_or_null(m, "agent_id",
                                             RP_ZENDESK_AGENT_BASE)
                                : json_null();
        json_array_append_new(
            shaped,
            json_pack(
                "{s:O, s:s, s:o, s:O, s:O, s:b, s:[], s:{s:s}, s:O}", "id",
                json_object_get(m, "id"), "type", "Comment", "author_id",
                author_id, "body", json_object_get(m, "body"), "plain_body",
                json_object_get(m, "body"), "public",
                dir && strcmp(dir, "note") != 0, "attachments", "via",
                "channel",
                via_channel(json_string_value(json_object_get(m, "channel"))),
                "created_at", json_object_get(m, "created_at")));
    }
    json_array_clear(rows);
    json_array_extend(rows, shaped);
    json_decref(shaped);
    return RP_OK;
}

rp_code rp_zendesk_comment_list(rp_ctx *ctx, int64_t id,
                                const rp_zendesk_page *page, json_t **out,
                                rp_error *err)
{
    json_t *enc;
    if (encounter_of(ctx, id, &enc, err))
        return err->code;
    json_decref(enc);
    json_t *eid = json_integer(id);
    rp_filter f = {"encounter_id", RP_FILTER_EQ, eid};
    rp_code rc = rp_zd_page_of(ctx, &RP_ENTITY_MESSAGE, &f, 1, RP_ROWS_NONE,
                               page, "comments", comments_shape, out, err);
    json_decref(eid);
    return rc;
}

/* ---- what a create or an update asks for --------------------------------- */

typedef struct change {
    const char *status;   /* NULL: unchanged */
    const char *priority; /* with has_priority; NULL clears it */
    int has_priority;
    json_t *tags;        /* lower-cased, owned; NULL: unchanged */
    int64_t assignee;    /* agent id; 0: unchanged */
    const char *subject; /* NULL: unchanged */
    const char *body;    /* the comment, or NULL */
    int is_public;       /* the comment is a reply, else a note */
} change;

static const char *const wrap_fields[] = {"ticket", NULL};
static const char *const update_fields[] = {
    "status", "priority", "tags", "assignee_id", "subject", "comment", NULL};
static const char *const create_fields[] = {
    "status",  "priority",  "tags",         "assignee_id", "subject",
    "comment", "requester", "requester_id", NULL};
static const char *const comment_fields[] = {"body", "public", NULL};
static const char *const requester_fields[] = {"name", "email", NULL};

/* Name err's field inside its object: "body" becomes "comment.body". */
static void field_in(rp_error *err, const char *prefix)
{
    char f[RP_ERROR_FIELD_MAX];
    size_t n = strlen(prefix), m = strlen(err->field);
    if (n + m >= sizeof f)
        m = sizeof f - n - 1;
    memcpy(f, prefix, n);
    memcpy(f + n, err->field, m);
    f[n + m] = '\0';
    memcpy(err->field, f, n + m + 1);
}

static rp_code inner(json_t *in, const char *key, const char *const fields[],
                     int required, json_t **obj, rp_error *err)
{
    *obj = NULL;
    if (!in || !json_is_object(in))
        return rp_error_set(err, RP_ETYPE, NULL,
                            "send an object: {\"ticket\": {...}}");
    json_t *v = json_object_get(in, key);
    if (!v && !required)
        return RP_OK;
    if (!v || !json_is_object(v))
        return rp_error_set(err, v ? RP_ETYPE : RP_EINVALID, key,
                            "%s must be an object", key);
    if (rp_in_object(v, fields, err)) {
        /* name the field as the client wrote it */
        return err->code;
    }
    *obj = v;
    return RP_OK;
}

/* The agent a user id names, when it is an active agent's. */
static rp_code assignee_of(rp_ctx *ctx, json_t *t, int64_t *agent_id,
                           rp_error *err)
{
    json_t *v = json_object_get(t, "assignee_id");
    *agent_id = 0;
    if (!v)
        return RP_OK;
    if (json_is_null(v))
        return rp_error_set(err, RP_EINVALID, "assignee_id",
                            "a ticket cannot be left without an agent here; "
                            "assign it to another agent instead");
    int64_t uid = 0, customer = 0, agent = 0;
    if (rp_in_int(t, "assignee_id", 1, 1, INT64_MAX, &uid, NULL, err))
        return err->code;
    if (rp_zd_user_id(uid, "assignee_id", &customer, &agent, err))
        return err->code;
    json_t *a = NULL;
    if (!agent || rp_agent_get(ctx, agent, &a, err))
        return rp_error_set(err, RP_EINVALID, "assignee_id",
                            "assignee_id %lld is not an agent's user id",
                            (long long)uid);
    int active = json_is_true(json_object_get(a, "active"));
    json_decref(a);
    if (!active)
        return rp_error_set(err, RP_EINVALID, "assignee_id",
                            "agent %lld is not active", (long long)uid);
    *agent_id = agent;
    return RP_OK;
}

static rp_code read_change(rp_ctx *ctx, json_t *t, change *c, rp_error *err)
{
    memset(c, 0, sizeof *c);
    json_t *comment = NULL, *tags = NULL;
    c->is_public = 1;
    if (rp_in_enum(t, "status", 0, rp_zendesk_statuses, &c->status, err) ||
        rp_in_enum(t, "priority", 0, rp_zendesk_priorities, &c->priority,
                   err) ||
        rp_in_string_list(t, "tags", TAGS_MAX, TAG_CHARS, &tags, err) ||
        rp_in_string(t, "subject", RP_IN_KEPT, 200, &c->subject, err) ||
        assignee_of(ctx, t, &c->assignee, err) ||
        inner(t, "comment", comment_fields, 0, &comment, err))
        return err->code;
    c->has_priority = json_object_get(t, "priority") != NULL;
    if (comment &&
        (rp_in_string(comment, "body", RP_IN_REQUIRED, 100000, &c->body, err) ||
         rp_in_bool(comment, "public", 0, &c->is_public, NULL, err))) {
        field_in(err, "comment."); /* the body and public are the comment's */
        return err->code;
    }
    if (comment && !json_object_get(comment, "public"))
        c->is_public = 1;
    if (tags)
        c->tags = rp_strings_lower(tags);
    return RP_OK;
}

/* Is moving a ticket at status `from` to `to` a way the cycle can go? */
static rp_code check_move(int64_t id, const char *from, const char *to,
                          rp_error *err)
{
    if (!to || !strcmp(from, to))
        return RP_OK;
    if (!strcmp(from, "closed"))
        return rp_error_refuse(
            err, RP_ECONFLICT, "status", "finished", 0,
            "ticket %lld is closed; a closed ticket does not "
            "change any more",
            (long long)id);
    if (!strcmp(to, "new"))
        return rp_error_refuse(
            err, RP_ECONFLICT, "status", "out_of_order", 0,
            "ticket %lld was acknowledged already; it cannot "
            "be new again",
            (long long)id);
    if (!strcmp(from, "solved") && strcmp(to, "closed"))
        return rp_error_refuse(
            err, RP_ECONFLICT, "status", "out_of_order", 0,
            "ticket %lld is solved and its cycle does not go "
            "back; it can only be closed (a reply from the "
            "customer opens a new one)",
            (long long)id);
    return RP_OK;
}

/* ---- applying a change --------------------------------------------------- */

static const char *waiting_for(const char *status)
{
    if (!status)
        return NULL;
    if (!strcmp(status, "pending"))
        return "customer";
    if (!strcmp(status, "hold"))
        return "third_party";
    return "";
}

static void put_list(rp_buf *b, json_t *list)
{
    size_t i;
    json_t *v;
    if (json_array_size(list) == 0)
        rp_buf_puts(b, "none");
    json_array_foreach(list, i, v) {
        rp_buf_puts(b, i ? ", " : "");
        rp_buf_put_cut(b, json_string_value(v), TAG_CHARS);
    }
}

/* Priority, tags, subject, whom it waits on, and a first agent: the
 * encounter's own fields, in one transaction with one moment. */
static rp_code change_fields(rp_ctx *ctx, int64_t id, const change *c,
                             int64_t first_agent, rp_error *err)
{
    const char *waiting = waiting_for(c->status);
    if (!c->has_priority && !c->tags && !c->subject && !waiting && !first_agent)
        return RP_OK;
    rp_store *s = ctx->store;
    if (rp_store_begin(s, err))
        return err->code;
    json_t *enc = NULL, *row = json_object();
    rp_buf summary = RP_BUF_INIT;
    rp_code rc = s->ops->get(s, &RP_ENTITY_ENCOUNTER, id, &enc, err);
    if (rc == RP_OK && c->has_priority) {
        json_object_set_new(row, "priority",
                            c->priority ? json_string(c->priority)
                                        : json_null());
        rp_buf_printf(&summary, "Priority set to %s. ",
                      c->priority ? c->priority : "none");
    }
    if (rc == RP_OK && c->tags) {
        json_object_set(row, "tags", c->tags);
        rp_buf_puts(&summary, "Tags set to: ");
        put_list(&summary, c->tags);
        rp_buf_puts(&summary, ". ");
    }
    if (rc == RP_OK && c->subject) {
        json_object_set_new(row, "subject", json_string(c->subject));
        rp_buf_puts(&summary, "Subject changed to ");
        rp_buf_put_cut(&summary, c->subject, 100);
        rp_buf_puts(&summary, ". ");
    }
    const char *was = json_string_value(json_object_get(enc, "waiting_on"));
    if (rc == RP_OK && waiting && strcmp(was ? was : "", waiting) != 0) {
        json_object_set_new(row, "waiting_on",
                            *waiting ? json_string(waiting) : json_null());
        rp_buf_puts(&summary, !strcmp(waiting, "customer")
                                  ? "Waiting on the customer. "
                              : *waiting ? "Waiting on a third party. "
                                         : "No longer waiting. ");
    }
    if (rc == RP_OK && first_agent) {
        json_object_set_new(row, "agent_id", json_integer(first_agent));
        rp_buf_printf(&summary, "Assigned to agent %lld. ",
                      (long long)first_agent);
    }
    if (rc == RP_OK && json_object_size(row) > 0) {
        json_object_set_new(row, "updated_at", json_integer(rp_now()));
        rc = s->ops->update(s, &RP_ENTITY_ENCOUNTER, id, row, err);
        if (summary.len && summary.p[summary.len - 1] == ' ')
            summary.p[--summary.len] = '\0';
        rp_moment m = {
            .customer_id = json_integer_value(
                json_object_get(enc, "customer_id")),
            .encounter_id = id,
            .channel = json_string_value(json_object_get(enc, "channel")),
            .kind = first_agent ? "encounter.assigned" : "encounter.recorded",
            .summary = rp_buf_str(&summary)};
        if (rc == RP_OK)
            rc = rp_moment_record(ctx, &m, err);
        if (rc == RP_OK && first_agent) {
            json_t *data = json_pack("{s:I}", "agent_id",
                                     (json_int_t)first_agent);
            rc = rp_event_emit(ctx, "encounter.assigned", m.customer_id, id,
                               data, err);
            json_decref(data);
        }
    }
    rc = rp_store_finish(s, rc, err);
    rp_buf_free(&summary);
    json_decref(row);
    json_decref(enc);
    return rc;
}

/* The words put where the cycle asks for what no Zendesk client records. */
static rp_code filler(rp_ctx *ctx, int64_t id, const char *field, json_t *in,
                      rp_error *err)
{
    if (!strcmp(field, "agreement")) {
        json_object_set_new(in, "no_agreement_reason",
                            json_string("Solved from a help-desk client, "
                                        "which records no agreement"));
        return RP_OK;
    }
    if (!strcmp(field, "satisfaction")) {
        json_object_set_new(in, "satisfaction_skip_reason",
                            json_string("Closed from a help-desk client, "
                                        "which does not check "
                                        "satisfaction"));
        return RP_OK;
    }
    if (strcmp(field, "facts") != 0)
        return RP_ENOTFOUND;
    json_t *firsts = NULL, *params = json_pack("[[I]]", (json_int_t)id);
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_ZENDESK_FIRST_MESSAGES,
                                        params, &firsts, err);
    json_decref(params);
    if (rc)
        return rc;
    const char *body = json_string_value(
        json_object_get(json_array_get(firsts, 0), "body"));
    rp_buf facts = RP_BUF_INIT;
    if (body && !rp_text_is_blank(body)) {
        rp_buf_puts(&facts, "As the customer wrote: ");
        rp_buf_put_cut(&facts, body, FACTS_CHARS);
    } else {
        rp_buf_puts(&facts, "Not recorded: solved from a help-desk client");
    }
    json_object_set_new(in, "facts", json_string(rp_buf_str(&facts)));
    rp_buf_free(&facts);
    json_decref(firsts);
    return RP_OK;
}

/* Advance the encounter one stage at a time up to stage index target. */
static rp_code advance_to(rp_ctx *ctx, int64_t id, int target, rp_error *err)
{
    for (;;) {
        json_t *enc;
        if (rp_encounter_get(ctx, id, &enc, err))
            return err->code;
        int at = rp_cycle_stage_index(
            json_string_value(json_object_get(enc, "stage")));
        json_decref(enc);
        if (at < 0 || at >= target)
            return RP_OK;
        json_t *in = json_pack("{s:s}", "to", rp_encounter_stages[at + 1]);
        json_t *out = NULL;
        rp_code rc = rp_encounter_advance(ctx, id, in, &out, err);
        for (int tries = 0; rc == RP_ECONFLICT && tries < 2; tries++) {
            if (!strcmp(err->field, "acknowledged_at"))
                rc = rp_encounter_acknowledge(ctx, id, NULL, &out, err);
            else if (filler(ctx, id, err->field, in, err) != RP_OK)
                break;
            json_decref(out);
            out = NULL;
            if (rc == RP_OK || rc == RP_ECONFLICT)
                rc = rp_encounter_advance(ctx, id, in, &out, err);
        }
        json_decref(in);
        json_decref(out);
        if (rc)
            return rc;
    }
}

static rp_code acknowledged(rp_ctx *ctx, int64_t id, rp_error *err)
{
    json_t *out = NULL;
    rp_code rc = rp_encounter_acknowledge(ctx, id, NULL, &out, err);
    json_decref(out);
    return rc;
}

static rp_code apply_change(rp_ctx *ctx, int64_t id, json_t *enc,
                            const change *c, rp_error *err)
{
    int64_t current = json_integer_value(json_object_get(enc, "agent_id"));
    int64_t first = c->assignee && !current ? c->assignee : 0;
    rp_code rc = change_fields(ctx, id, c, first, err);
    if (rc == RP_OK && c->assignee && current && c->assignee != current) {
        json_t *in = json_pack("{s:s, s:I}", "reason",
                               "Reassigned from a help-desk client",
                               "to_agent_id", (json_int_t)c->assignee);
        json_t *out = NULL;
        rc = rp_encounter_add_transfer(ctx, id, in, &out, err);
        json_decref(in);
        json_decref(out);
    }
    if (rc == RP_OK && c->body) {
        json_t *in = json_pack("{s:s, s:s}", "kind",
                               c->is_public ? "reply" : "note", "body",
                               c->body);
        json_t *out = NULL;
        rc = rp_message_add(ctx, id, in, &out, err);
        json_decref(in);
        json_decref(out);
    }
    if (rc || !c->status || !strcmp(c->status, "new"))
        return rc;
    rc = acknowledged(ctx, id, err);
    if (rc == RP_OK && !strcmp(c->status, "solved"))
        rc = advance_to(ctx, id, 3, err);
    if (rc == RP_OK && !strcmp(c->status, "closed"))
        rc = advance_to(ctx, id, 4, err);
    return rc;
}

static rp_code checked(rp_ctx *ctx, int64_t id, json_t **enc, const change *c,
                       rp_error *err)
{
    if (encounter_of(ctx, id, enc, err))
        return err->code;
    const char *from = rp_zendesk_status_of(*enc);
    if (!strcmp(from, "closed"))
        rp_error_refuse(err, RP_ECONFLICT, "status", "finished", 0,
                        "ticket %lld is closed; a closed ticket does not "
                        "change any more",
                        (long long)id);
    if (!strcmp(from, "closed") || check_move(id, from, c->status, err)) {
        json_decref(*enc);
        *enc = NULL;
        return err->code;
    }
    return RP_OK;
}

rp_code rp_zendesk_ticket_update(rp_ctx *ctx, int64_t id, json_t *in,
                                 json_t **out, rp_error *err)
{
    json_t *t, *enc = NULL;
    change c;
    if (inner(in, "ticket", update_fields, 1, &t, err) ||
        rp_in_object(in, wrap_fields, err) || read_change(ctx, t, &c, err))
        return err->code;
    rp_code rc = checked(ctx, id, &enc, &c, err);
    if (rc == RP_OK)
        rc = apply_change(ctx, id, enc, &c, err);
    json_decref(enc);
    json_decref(c.tags);
    return rc ? rc : rp_zendesk_ticket_get(ctx, id, out, err);
}

/* ---- create -------------------------------------------------------------- */

/* The requester's address and name, from requester {email, name} or
 * requester_id (an end-user with an address).  *email and *name point
 * into t or into *keep (released by the caller). */
static rp_code requester_of(rp_ctx *ctx, json_t *t, const char **email,
                            const char **name, json_t **keep, rp_error *err)
{
    json_t *r = NULL;
    *keep = NULL;
    *name = NULL;
    if (inner(t, "requester", requester_fields, 0, &r, err))
        return err->code;
    if (r) {
        if (rp_in_string(r, "email", RP_IN_REQUIRED, 254, email, err) ||
            rp_in_string(r, "name", 0, 200, name, err)) {
            field_in(err, "requester.");
            return err->code;
        }
        if (!rp_email_is_valid(*email))
            return rp_error_set(err, RP_EINVALID, "requester.email",
                                "requester.email is not an email address");
        return RP_OK;
    }
    int64_t uid = 0, customer = 0, agent = 0;
    if (rp_in_int(t, "requester_id", 1, 1, INT64_MAX, &uid, NULL, err))
        return rp_error_set(err, err->code, "requester",
                            "give the requester: requester {\"email\", "
                            "\"name\"} or requester_id");
    if (rp_zd_user_id(uid, "requester_id", &customer, &agent, err))
        return err->code;
    if (!customer || rp_customer_get(ctx, customer, keep, err))
        return rp_error_set(err, RP_EINVALID, "requester_id",
                            "requester_id %lld is not an end-user's id",
                            (long long)uid);
    *email = json_string_value(
        json_array_get(json_object_get(*keep, "emails"), 0));
    *name = json_string_value(json_object_get(*keep, "name"));
    if (!*email)
        return rp_error_set(err, RP_EINVALID, "requester_id",
                            "end-user %lld has no email address to write "
                            "to",
                            (long long)uid);
    return RP_OK;
}

rp_code rp_zendesk_ticket_create(rp_ctx *ctx, json_t *in, json_t **out,
                                 rp_error *err)
{
    json_t *t, *keep = NULL, *taken = NULL;
    change c = {0};
    const char *email = NULL, *name = NULL;
    if (inner(in, "ticket", create_fields, 1, &t, err) ||
        rp_in_object(in, wrap_fields, err) || read_change(ctx, t, &c, err))
        return err->code;
    rp_code rc = RP_OK;
    if (!c.body)
        rc = rp_error_set(err, RP_EINVALID, "comment",
                          "a ticket needs its first comment: "
                          "comment {\"body\"}");
    else if (c.status && !strcmp(c.status, "closed"))
        rc = rp_error_set(err, RP_EINVALID, "status",
                          "a ticket cannot be made closed; make it, then "
                          "close it");
    if (rc == RP_OK)
        rc = requester_of(ctx, t, &email, &name, &keep, err);
    if (rc == RP_OK) {
        rp_inbound_mail m = {.channel = "web",
                             .from_address = email,
                             .from_name = name,
                             .subject = c.subject,
                             .text = c.body,
                             .mail_class = RP_MAIL_PERSONAL};
        rc = rp_conversation_receive(ctx, &m, &taken, err);
    }
    /* A subject carrying the desk's tag of one of the requester's
     * encounters joins it, as a mail would ("threaded", "reopened"): the
     * answer is that ticket.  Refused (a flood) or a duplicate made
     * nothing new. */
    const char *outcome = json_string_value(json_object_get(taken, "outcome"));
    if (rc == RP_OK &&
        (!outcome ||
         !json_integer_value(json_object_get(taken, "encounter_id")) ||
         !strcmp(outcome, "refused") || !strcmp(outcome, "duplicate")))
        rc = rp_error_set(
            err, RP_EINVALID, "comment",
            "the request was not taken as a new ticket: %s",
            json_string_value(json_object_get(taken, "reason"))
                ? json_string_value(json_object_get(taken, "reason"))
            : outcome ? outcome
                      : "no reason given");
    int64_t id = json_integer_value(json_object_get(taken, "encounter_id"));
    json_t *enc = NULL;
    if (rc == RP_OK)
        rc = rp_encounter_get(ctx, id, &enc, err);
    /* the comment was the customer's message; the rest is applied */
    c.body = NULL;
    c.subject = NULL;
    if (rc == RP_OK)
        rc = apply_change(ctx, id, enc, &c, err);
    json_decref(enc);
    json_decref(taken);
    json_decref(keep);
    json_decref(c.tags);
    return rc ? rc : rp_zendesk_ticket_get(ctx, id, out, err);
}
