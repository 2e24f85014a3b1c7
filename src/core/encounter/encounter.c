/*
 * encounter.c - encounters: one contact between a customer and the business.
 *
 * An encounter arrives by a channel with a subject and starts the
 * interaction cycle of seed 004 at "received".  Opening one writes a moment
 * of truth in the same transaction.
 */
#include <stdio.h>
#include <string.h>

#include "core/encounter/encounter_internal.h"

const char *const rp_encounter_channels[] = {"in_person", "phone", "email",
                                             "chat",      "web",   NULL};
const char *const rp_encounter_stages[] = {
    "received", "understood", "helped", "kept", "closed", "abandoned", NULL};

#define TOPIC_MAX_CHARS 100
#define SUBJECT_MAX_CHARS 200

const rp_field rp_encounter_open_fields[] = {
    {"topic", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = TOPIC_MAX_CHARS,
     .meaning = "what it is about, for routing to a queue"},
    {"customer_id", RP_FIELD_INT, RP_IN_REQUIRED, .min = 1, .max = INT64_MAX},
    {"channel", RP_FIELD_ENUM, RP_IN_REQUIRED, .values = rp_encounter_channels},
    {"subject", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = SUBJECT_MAX_CHARS},
    {"arrived_at", RP_FIELD_TIME, RP_IN_OPTIONAL,
     .meaning = "when the customer arrived, called or wrote, if before now; "
                "not in the future, at most arrival_max_hours back"},
    {.name = NULL},
};

rp_code rp_encounter_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err)
{
    if (ctx->store->ops->get(ctx->store, &RP_ENTITY_ENCOUNTER, id, out, err)) {
        if (err->code == RP_ENOTFOUND)
            rp_error_set(err, RP_ENOTFOUND, "id", "no encounter with id %lld",
                         (long long)id);
        return err->code;
    }
    return RP_OK;
}

rp_code rp_encounter_open(rp_ctx *ctx, json_t *in, json_t **out, rp_error *err)
{
    int64_t customer_id = 0;
    const char *channel, *subject, *topic;
    if (rp_in_fields(in, rp_encounter_open_fields, 1, err) ||
        rp_in_string(in, "topic", 0, TOPIC_MAX_CHARS, &topic, err) ||
        rp_in_int(in, "customer_id", 1, 1, INT64_MAX, &customer_id, NULL,
                  err) ||
        rp_in_enum(in, "channel", 1, rp_encounter_channels, &channel, err) ||
        rp_in_string(in, "subject", 1, SUBJECT_MAX_CHARS, &subject, err))
        return err->code;
    int64_t now = rp_now(), arrived = now;
    if (rp_arrival_read(ctx, in, "arrived_at", now, &arrived, err))
        return err->code;
    rp_store *s = ctx->store;
    if (rp_store_begin(s, err))
        return err->code;
    /* Everything is read inside the write transaction, on the connection
     * that writes: its pages are the ones the last writes left in its
     * cache, where a read connection would find its cache dropped by
     * every commit since its last read and read them back from the disk.
     * A customer merged into another is that other customer now. */
    int64_t live;
    rp_error ignored;
    int known = rp_customer_live_id(ctx, customer_id, &live, &ignored) == RP_OK;
    int64_t id = 0;
    rp_encounter_opening o = {.customer_id = known ? live : customer_id,
                              .channel = channel,
                              .subject = subject,
                              .topic = topic,
                              .arrived_at = arrived,
                              .route = 1,
                              .customer_known = known && live == customer_id};
    rp_code rc = rp_encounter_open_in(ctx, &o, &id, err);
    /* the reply is the row as this transaction stored it */
    json_t *row = NULL;
    if (rc == RP_OK)
        rc = rp_encounter_get(ctx, id, &row, err);
    return rp_store_finish_with(s, rc, row, out, err);
}

rp_code rp_encounter_open_in(rp_ctx *ctx, const rp_encounter_opening *o,
                             int64_t *id, rp_error *err)
{
    rp_store *s = ctx->store;
    json_t *customer = NULL;
    int64_t now = rp_now();
    rp_code rc = o->customer_known
                     ? RP_OK
                     : s->ops->get(s, &RP_ENTITY_CUSTOMER, o->customer_id,
                                   &customer, err);
    if (rc == RP_ENOTFOUND)
        rc = rp_error_refuse(err, RP_EINVALID, "customer_id", "unknown_id", 0,
                             "customer_id %lld names no customer",
                             (long long)o->customer_id);
    json_decref(customer);
    /* routing decided before the row is stored, so that the row is stored
     * once, routed (its rollups counted once, under its queue and agent):
     * the open work it counts is the same, the new row being nobody's yet
     * either way */
    rp_routing routing = {0};
    if (rc == RP_OK && o->route)
        rc = rp_routing_decide(ctx, o->topic, o->channel, &routing, err);
    if (rc == RP_OK) {
        json_t *row = json_pack(
            "{s:I, s:s, s:s, s:s, s:I, s:I, s:I}", "customer_id",
            (json_int_t)o->customer_id, "channel", o->channel, "subject",
            o->subject, "stage", "received", "created_at", (json_int_t)now,
            "updated_at", (json_int_t)now, "arrived_at",
            (json_int_t)(o->arrived_at ? o->arrived_at : now));
        if (o->topic && *o->topic) /* routing by topic */
            json_object_set_new(row, "topic", json_string(o->topic));
        if (routing.queue_id)
            json_object_set_new(row, "queue_id",
                                json_integer(routing.queue_id));
        if (routing.agent_id)
            json_object_set_new(row, "agent_id",
                                json_integer(routing.agent_id));
        rc = s->ops->insert(s, &RP_ENTITY_ENCOUNTER, row, id, err);
        json_decref(row);
    }
    if (rc == RP_OK) {
        rp_buf summary = RP_BUF_INIT;
        /* the channel as the timeline says it: "in person", not in_person */
        rp_buf_printf(&summary, "Encounter opened (%s): %s",
                      strcmp(o->channel, "in_person") ? o->channel
                                                      : "in person",
                      o->subject);
        if (o->arrived_at && o->arrived_at < now) { /* the wait so far */
            rp_buf_puts(&summary, "; the customer had already waited ");
            rp_encounter_put_duration(&summary, now - o->arrived_at);
        }
        json_t *detail = json_pack("{s:s}", "subject", o->subject);
        if (o->arrived_at && o->arrived_at < now)
            json_object_set_new(detail, "waited_seconds",
                                json_integer(now - o->arrived_at));
        rp_moment m = {.customer_id = o->customer_id,
                       .encounter_id = *id,
                       .channel = o->channel,
                       .kind = "encounter.opened",
                       .summary = rp_buf_str(&summary),
                       .detail = detail};
        rc = rp_moment_record(ctx, &m, err);
        json_decref(detail);
        rp_buf_free(&summary);
    }
    if (rc == RP_OK)
        rc = rp_event_emit_pack(ctx, "encounter.opened", o->customer_id, *id,
                                err, "{s:s, s:s, s:n}", "channel", o->channel,
                                "stage", "received", "previous_encounter_id");
    if (rc == RP_OK) /* routed to a queue and agent, same tx */
        rc = rp_routing_record(ctx, *id, o->customer_id, o->channel, &routing,
                               err);
    rp_routing_free(&routing);
    return rc;
}

rp_code rp_encounter_list(rp_ctx *ctx, int64_t customer_id, const char *stage,
                          const rp_page_req *page, json_t **out, rp_error *err)
{
    if (stage) {
        int known = 0;
        for (int i = 0; rp_encounter_stages[i]; i++)
            known |= strcmp(rp_encounter_stages[i], stage) == 0;
        if (!known)
            return rp_error_refuse(
                err, RP_EINVALID, "stage", "not_allowed", 0,
                "stage must be one of: received, understood, "
                "helped, kept, closed, abandoned");
    }
    json_t *cid = json_integer(customer_id),
           *st = stage ? json_string(stage) : NULL;
    rp_filter f[2] = {{0}};
    int nf = 0;
    if (customer_id)
        f[nf++] = (rp_filter){"customer_id", RP_FILTER_EQ, cid};
    if (st)
        f[nf++] = (rp_filter){"stage", RP_FILTER_EQ, st};
    rp_page p = {page->after_id, 1, page->limit + 1};
    json_t *rows;
    rp_code rc = ctx->store->ops->list(ctx->store, &RP_ENTITY_ENCOUNTER, f, nf,
                                       &p, &rows, err);
    json_decref(cid);
    json_decref(st);
    if (rc)
        return rc;
    *out = rp_page_result(rows, page->limit);
    return RP_OK;
}
