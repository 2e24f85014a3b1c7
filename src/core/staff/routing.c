/*
 * routing.c - queues and the routing of new encounters (routing.h).
 *
 * Routing is two indexed queries (the queue, then the available agents with
 * their open load) and a choice made here in C, so the rule that picks an
 * agent is a small pure function that unit tests can check directly.
 */
#include <stdio.h>
#include <string.h>

#include "core/rapport.h"

#define QUEUE_NAME_MAX_CHARS 100
#define QUEUE_LIST_MAX 50
#define QUEUE_WORD_MAX_CHARS 60

const rp_field rp_queue_fields[] = {
    {"name", RP_FIELD_TEXT, RP_IN_CREATE, .max_chars = QUEUE_NAME_MAX_CHARS},
    {"skills", RP_FIELD_TEXT_LIST, RP_IN_OPTIONAL, .max_items = QUEUE_LIST_MAX,
     .max_chars = QUEUE_WORD_MAX_CHARS,
     .meaning = "what an agent needs to be offered its encounters"},
    {"topics", RP_FIELD_TEXT_LIST, RP_IN_OPTIONAL, .max_items = QUEUE_LIST_MAX,
     .max_chars = QUEUE_WORD_MAX_CHARS,
     .meaning = "the encounter topics routed here"},
    {"channels", RP_FIELD_TEXT_LIST, RP_IN_OPTIONAL,
     .max_items = QUEUE_LIST_MAX, .max_chars = QUEUE_WORD_MAX_CHARS,
     .meaning = "the channels routed here: in_person, phone, email, chat, web"},
    {.name = NULL},
};

rp_code rp_queue_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err)
{
    if (ctx->store->ops->get(ctx->store, &RP_ENTITY_QUEUE, id, out, err)) {
        if (err->code == RP_ENOTFOUND)
            rp_error_set(err, RP_ENOTFOUND, "id", "no queue with id %lld",
                         (long long)id);
        return err->code;
    }
    return RP_OK;
}

rp_code rp_queue_list(rp_ctx *ctx, const rp_page_req *page, json_t **out,
                      rp_error *err)
{
    rp_page p = {page->after_id, 0, page->limit + 1};
    json_t *rows;
    if (ctx->store->ops->list(ctx->store, &RP_ENTITY_QUEUE, NULL, 0, &p, &rows,
                              err))
        return err->code;
    *out = rp_page_result(rows, page->limit);
    return RP_OK;
}

/* A list of lower-case strings from in[key] (absent: empty list). */
static rp_code lower_list(json_t *in, const char *key, json_t **out,
                          rp_error *err)
{
    json_t *list;
    if (rp_in_string_list(in, key, QUEUE_LIST_MAX, QUEUE_WORD_MAX_CHARS, &list,
                          err))
        return err->code;
    /* an absent list is an empty one */
    *out = list ? rp_strings_lower(list) : json_array();
    if (!*out)
        return rp_error_set(err, RP_EINTERNAL, key, "out of memory");
    return RP_OK;
}

/* Every channel in channels is one an encounter can come by. */
static rp_code check_channels(json_t *channels, rp_error *err)
{
    size_t i;
    json_t *v;
    json_array_foreach(channels, i, v) {
        int known = 0;
        for (int c = 0; rp_encounter_channels[c]; c++)
            known |= strcmp(rp_encounter_channels[c], json_string_value(v)) ==
                     0;
        if (!known) {
            rp_buf q = RP_BUF_INIT;
            rp_error_refuse(err, RP_EINVALID, "channels", "not_allowed", 0,
                            "channels[%zu] \"%s\" is not a channel (in_person, "
                            "phone, email, chat, web)",
                            i, rp_cut(&q, json_string_value(v), 40));
            rp_buf_free(&q);
            return err->code;
        }
    }
    return RP_OK;
}

/* The queue's name is unique: say so in words when it is taken. */
static rp_code name_taken(rp_code rc, const char *name, rp_error *err)
{
    if (rc != RP_ECONFLICT || !name)
        return rc;
    rp_buf q = RP_BUF_INIT;
    rp_error_refuse(err, RP_ECONFLICT, "name", "taken", 0,
                    "a queue named \"%s\" already exists",
                    rp_cut(&q, name, 60));
    rp_buf_free(&q);
    return err->code;
}

rp_code rp_queue_create(rp_ctx *ctx, json_t *in, json_t **out, rp_error *err)
{
    const char *name;
    json_t *skills = NULL, *topics = NULL, *channels = NULL;
    if (rp_in_fields(in, rp_queue_fields, 1, err) ||
        rp_in_string(in, "name", 1, QUEUE_NAME_MAX_CHARS, &name, err) ||
        lower_list(in, "skills", &skills, err) ||
        lower_list(in, "topics", &topics, err) ||
        lower_list(in, "channels", &channels, err) ||
        check_channels(channels, err))
        goto fail;
    int64_t now = rp_now(), id = 0;
    json_t *row = json_pack("{s:s, s:O, s:O, s:O, s:I, s:I}", "name", name,
                            "skills", skills, "topics", topics, "channels",
                            channels, "created_at", (json_int_t)now,
                            "updated_at", (json_int_t)now);
    rp_code rc = ctx->store->ops->insert(ctx->store, &RP_ENTITY_QUEUE, row, &id,
                                         err);
    json_decref(row);
    if (name_taken(rc, name, err))
        goto fail;
    json_decref(skills);
    json_decref(topics);
    json_decref(channels);
    return rp_queue_get(ctx, id, out, err);
fail:
    json_decref(skills);
    json_decref(topics);
    json_decref(channels);
    return err->code;
}

rp_code rp_queue_update(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                        rp_error *err)
{
    static const char *const lists[] = {"skills", "topics", "channels"};
    const char *name = NULL;
    json_t *row = json_object(), *current = NULL;
    if (rp_queue_get(ctx, id, &current, err) ||
        rp_in_fields(in, rp_queue_fields, 0, err) ||
        rp_in_string(in, "name", RP_IN_KEPT, QUEUE_NAME_MAX_CHARS, &name, err))
        goto fail;
    if (name)
        json_object_set_new(row, "name", json_string(name));
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        json_t *list = NULL;
        if (!json_object_get(in, lists[i]))
            continue;
        if (lower_list(in, lists[i], &list, err))
            goto fail;
        json_object_set_new(row, lists[i], list);
    }
    if (check_channels(json_object_get(row, "channels"), err))
        goto fail;
    if (json_object_size(row) == 0) {
        rp_error_refuse(err, RP_EINVALID, NULL, "nothing_to_change", 0,
                        "nothing to change: give at least one of name, skills, "
                        "topics, channels");
        goto fail;
    }
    json_object_set_new(row, "updated_at", json_integer(rp_now()));
    rp_code rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_QUEUE, id, row,
                                         err);
    if (name_taken(rc, name, err))
        goto fail;
    json_decref(row);
    json_decref(current);
    return rp_queue_get(ctx, id, out, err);
fail:
    json_decref(row);
    json_decref(current);
    return err->code;
}

static int has_skill(json_t *skills, const char *skill)
{
    size_t i;
    json_t *v;
    json_array_foreach(skills, i, v)
        if (strcmp(json_string_value(v), skill) == 0)
            return 1;
    return 0;
}

int64_t rp_routing_pick(json_t *candidates, json_t *needed)
{
    int64_t best = 0, best_open = 0;
    size_t i, j;
    json_t *c, *skill;
    json_array_foreach(candidates, i, c) {
        json_t *skills = json_object_get(c, "skills");
        int fits = 1;
        json_array_foreach(needed, j, skill)
            fits &= has_skill(skills, json_string_value(skill));
        if (!fits)
            continue;
        int64_t id = json_integer_value(json_object_get(c, "id"));
        int64_t open = json_integer_value(json_object_get(c, "open"));
        if (!best || open < best_open || (open == best_open && id < best)) {
            best = id;
            best_open = open;
        }
    }
    return best;
}

void rp_routing_free(rp_routing *r)
{
    json_decref(r->queues);
    json_decref(r->agents);
    memset(r, 0, sizeof *r);
}

rp_code rp_routing_decide(rp_ctx *ctx, const char *topic, const char *channel,
                          rp_routing *r, rp_error *err)
{
    rp_store *s = ctx->store;
    memset(r, 0, sizeof *r);
    json_t *params = json_pack(
        "[o, s]", topic && *topic ? json_string(topic) : json_null(), channel);
    rp_code rc = s->ops->query(s, RP_Q_STAFF_QUEUE_FOR, params, &r->queues,
                               err);
    json_decref(params);
    json_t *queue = json_array_get(r->queues, 0);
    if (rc || !queue)
        return rc; /* no queue takes it: it stays with whoever opened it */
    rc = s->ops->query(s, RP_Q_STAFF_ROUTING_CANDIDATES, NULL, &r->agents, err);
    if (rc)
        return rc;
    r->queue_id = json_integer_value(json_object_get(queue, "id"));
    r->agent_id = rp_routing_pick(r->agents, json_object_get(queue, "skills"));
    return RP_OK;
}

rp_code rp_routing_record(rp_ctx *ctx, int64_t encounter_id,
                          int64_t customer_id, const char *channel,
                          const rp_routing *r, rp_error *err)
{
    if (!r->queue_id)
        return RP_OK;
    json_t *queue = json_array_get(r->queues, 0);
    const char *agent_name = NULL;
    size_t i;
    json_t *a;
    json_array_foreach(r->agents, i, a)
        if (json_integer_value(json_object_get(a, "id")) == r->agent_id)
            agent_name = json_string_value(json_object_get(a, "name"));
    rp_buf summary = RP_BUF_INIT;
    const char *qname = json_string_value(json_object_get(queue, "name"));
    if (r->agent_id)
        rp_buf_printf(&summary, "Routed to queue %s and offered to %s",
                      qname ? qname : "", agent_name ? agent_name : "an agent");
    else
        rp_buf_printf(&summary,
                      "Routed to queue %s; waiting for an available agent",
                      qname ? qname : "");
    json_t *detail = json_pack(
        "{s:I, s:o, s:s}", "queue_id", (json_int_t)r->queue_id, "agent_id",
        r->agent_id ? json_integer(r->agent_id) : json_null(), "by",
        json_integer_value(json_object_get(queue, "rank")) == 0 ? "topic"
                                                                : "channel");
    /* the names as they were, for the console's words */
    json_object_set_new(detail, "queue", json_string(qname ? qname : ""));
    if (r->agent_id && agent_name)
        json_object_set_new(detail, "agent", json_string(agent_name));
    rp_moment m = {.customer_id = customer_id,
                   .encounter_id = encounter_id,
                   .channel = channel,
                   .kind = "encounter.routed",
                   .summary = rp_buf_str(&summary),
                   .detail = detail};
    rp_code rc = rp_moment_record(ctx, &m, err);
    if (rc == RP_OK)
        rc = rp_event_emit_pack(
            ctx, "encounter.assigned", customer_id, encounter_id, err,
            "{s:I, s:o}", "queue_id", (json_int_t)r->queue_id, "agent_id",
            r->agent_id ? json_integer(r->agent_id) : json_null());
    json_decref(detail);
    rp_buf_free(&summary);
    return rc;
}

rp_code rp_routing_route(rp_ctx *ctx, int64_t encounter_id, rp_error *err)
{
    rp_store *s = ctx->store;
    json_t *enc = NULL;
    rp_code rc = s->ops->get(s, &RP_ENTITY_ENCOUNTER, encounter_id, &enc, err);
    if (rc)
        return rc;
    const char *channel = json_string_value(json_object_get(enc, "channel"));
    rp_routing r;
    rc = rp_routing_decide(ctx,
                           json_string_value(json_object_get(enc, "topic")),
                           channel, &r, err);
    if (rc == RP_OK && r.queue_id) {
        json_t *changes = json_pack(
            "{s:I, s:o}", "queue_id", (json_int_t)r.queue_id, "agent_id",
            r.agent_id ? json_integer(r.agent_id) : json_null());
        rc = s->ops->update(s, &RP_ENTITY_ENCOUNTER, encounter_id, changes,
                            err);
        json_decref(changes);
        if (rc == RP_OK)
            rc = rp_routing_record(
                ctx, encounter_id,
                json_integer_value(json_object_get(enc, "customer_id")),
                channel, &r, err);
    }
    rp_routing_free(&r);
    json_decref(enc);
    return rc;
}

rp_code rp_routing_offer(rp_ctx *ctx, int64_t queue_id, int64_t *agent_id,
                         rp_error *err)
{
    json_t *queue = NULL, *agents = NULL;
    *agent_id = 0;
    rp_code rc = ctx->store->ops->get(ctx->store, &RP_ENTITY_QUEUE, queue_id,
                                      &queue, err);
    if (rc == RP_ENOTFOUND)
        return rp_error_set(err, RP_ENOTFOUND, "to_queue_id",
                            "to_queue_id %lld names no queue",
                            (long long)queue_id);
    if (rc == RP_OK)
        rc = ctx->store->ops->query(ctx->store, RP_Q_STAFF_ROUTING_CANDIDATES,
                                    NULL, &agents, err);
    if (rc == RP_OK)
        *agent_id = rp_routing_pick(agents, json_object_get(queue, "skills"));
    json_decref(queue);
    json_decref(agents);
    return rc;
}
