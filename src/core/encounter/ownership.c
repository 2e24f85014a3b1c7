/*
 * ownership.c - who handles an encounter: taking it, assigning it to an
 * agent, reassigning it.  (A transfer to another queue is a transfer
 * record, record.c.)
 *
 * Each change of owner is a moment of truth that says who did it and who
 * handles the encounter now, and is counted on the encounter (takes,
 * assignments, reassignments) so the measures of a window can show how
 * often work changes hands.  The rules: an agent takes work for
 * themself, and may take an encounter that nobody handles; taking one
 * that another agent handles, or giving one to another agent, is a
 * lead's or an admin's (a reader without a role, the CLI, acts as the
 * desk's admin).
 */
#include <stdio.h>
#include <string.h>

#include "encounter_internal.h"

#define ASSIGN_REASON_MAX_CHARS 500
#define QUOTE_CHARS 80

const rp_field rp_encounter_take_fields[] = {
    {.name = NULL},
};

const rp_field rp_encounter_assign_fields[] = {
    {"agent_id", RP_FIELD_INT, RP_IN_REQUIRED, .min = 1, .max = INT64_MAX,
     .meaning = "the agent who handles it from now on"},
    {"reason", RP_FIELD_TEXT, RP_IN_OPTIONAL,
     .max_chars = ASSIGN_REASON_MAX_CHARS},
    {.name = NULL},
};

/* 1 when the acting reader may change whose work an encounter is. */
static int may_assign_others(const rp_ctx *ctx)
{
    return !ctx->viewer || ctx->viewer->role >= rp_role_rank("lead");
}

/* The name of agent id into name ("agent 7" when it has none); RP_EINVALID
 * on field when there is no such agent or it is not active. */
static rp_code active_agent(rp_ctx *ctx, int64_t id, const char *field,
                            rp_buf *name, rp_error *err)
{
    json_t *a = NULL;
    if (ctx->store->ops->get(ctx->store, &RP_ENTITY_AGENT, id, &a, err)) {
        if (err->code != RP_ENOTFOUND)
            return err->code;
        return rp_error_refuse(err, RP_EINVALID, field, "unknown_id", 0,
                               "there is no agent %lld", (long long)id);
    }
    const char *n = json_string_value(json_object_get(a, "name"));
    int active = json_is_true(json_object_get(a, "active"));
    if (n)
        rp_buf_put_cut(name, n, QUOTE_CHARS);
    else
        rp_buf_printf(name, "agent %lld", (long long)id);
    json_decref(a);
    if (!active)
        return rp_error_refuse(err, RP_EINVALID, field, "inactive", 0,
                               "%s is no longer active and cannot take work",
                               rp_buf_str(name));
    return RP_OK;
}

/*
 * Give the encounter enc (a transaction open on it) to agent `to` named
 * to_name: update its owner and counts, write the moment and the event,
 * commit, and read it back into *out.  taken: the agent took it.
 */
static rp_code change_owner(rp_ctx *ctx, json_t *enc, int64_t to,
                            const char *to_name, int taken, const char *reason,
                            json_t **out, rp_error *err)
{
    int64_t id = rp_encounter_row_id(enc);
    json_t *prev = json_object_get(enc, "agent_id");
    int had_owner = json_is_integer(prev);
    rp_buf before = RP_BUF_INIT, summary = RP_BUF_INIT;
    rp_code rc = RP_OK;
    if (had_owner) {
        rp_error ignored;
        /* the previous owner may have left: their name is still theirs */
        if (active_agent(ctx, json_integer_value(prev), "agent_id", &before,
                         &ignored) &&
            !*rp_buf_str(&before))
            rp_buf_printf(&before, "agent %lld",
                          (long long)json_integer_value(prev));
    }
    json_t *change = json_pack("{s:I, s:I}", "agent_id", (json_int_t)to,
                               "updated_at", (json_int_t)rp_now());
    const char *counter = taken ? "takes" : "assignments";
    json_object_set_new(
        change, counter,
        json_integer(json_integer_value(json_object_get(enc, counter)) + 1));
    if (had_owner)
        json_object_set_new(
            change, "reassignments",
            json_integer(
                json_integer_value(json_object_get(enc, "reassignments")) + 1));
    if (taken)
        rp_buf_printf(&summary, "Taken by %s", to_name);
    else
        rp_buf_printf(&summary, "Assigned to %s", to_name);
    if (had_owner)
        rp_buf_printf(&summary, ", who takes over from %s",
                      rp_buf_str(&before));
    if (reason) {
        rp_buf_puts(&summary, ": ");
        rp_buf_put_cut(&summary, reason, QUOTE_CHARS);
    }
    rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_ENCOUNTER, id, change,
                                 err);
    /* the names as they were, for the console to say it in any language */
    json_t *detail = json_pack(
        "{s:I, s:O, s:s, s:o}", "agent_id", (json_int_t)to, "previous_agent_id",
        prev, "agent", to_name, "previous_agent",
        had_owner ? json_string(rp_buf_str(&before)) : json_null());
    if (reason)
        json_object_set_new(detail, "reason", json_string(reason));
    rp_moment m = {
        .customer_id = rp_encounter_row_customer(enc),
        .encounter_id = id,
        .channel = json_string_value(json_object_get(enc, "channel")),
        .kind = taken ? "encounter.taken" : "encounter.assigned",
        .summary = rp_buf_str(&summary),
        .detail = detail};
    if (rc == RP_OK)
        rc = rp_moment_record(ctx, &m, err);
    if (rc == RP_OK)
        rc = rp_event_emit_pack(
            ctx, "encounter.assigned", rp_encounter_row_customer(enc), id, err,
            "{s:O, s:I, s:b}", "queue_id", json_object_get(enc, "queue_id"),
            "agent_id", (json_int_t)to, "transferred", 0);
    rc = rp_store_finish(ctx->store, rc, err);
    json_decref(detail);
    json_decref(change);
    rp_buf_free(&before);
    rp_buf_free(&summary);
    if (rc)
        return rc;
    return rp_encounter_get(ctx, id, out, err);
}

/* The refusal to change another agent's work, naming its owner. */
static rp_code refuse_others_work(rp_ctx *ctx, json_t *enc, rp_error *err)
{
    rp_buf owner = RP_BUF_INIT;
    rp_error ignored;
    active_agent(ctx, json_integer_value(json_object_get(enc, "agent_id")),
                 "agent_id", &owner, &ignored);
    rp_error_set(err, RP_EFORBIDDEN, "agent_id",
                 "%s already handles this encounter; ask a lead to "
                 "reassign it",
                 *rp_buf_str(&owner) ? rp_buf_str(&owner) : "another agent");
    rp_buf_free(&owner);
    return err->code;
}

/* Take or assign encounter id to agent `to`; taken: by that agent. */
static rp_code give(rp_ctx *ctx, int64_t id, int64_t to, int taken,
                    const char *reason, json_t **out, rp_error *err)
{
    json_t *enc = NULL;
    if (rp_encounter_begin_change(ctx, id, 1, taken ? "taking" : "assigning",
                                  &enc, err))
        return err->code;
    json_t *owner = json_object_get(enc, "agent_id");
    rp_buf name = RP_BUF_INIT;
    rp_code rc = RP_OK;
    if (json_is_integer(owner) && json_integer_value(owner) == to) {
        /* already theirs: nothing happened, so nothing is recorded */
        rp_store_rollback(ctx->store);
        json_decref(enc);
        return rp_encounter_get(ctx, id, out, err);
    }
    if (json_is_integer(owner) && !may_assign_others(ctx))
        rc = refuse_others_work(ctx, enc, err);
    if (rc == RP_OK)
        rc = active_agent(ctx, to, taken ? "agent" : "agent_id", &name, err);
    if (rc == RP_OK)
        rc = change_owner(ctx, enc, to, rp_buf_str(&name), taken, reason, out,
                          err);
    else
        rp_store_rollback(ctx->store);
    rp_buf_free(&name);
    json_decref(enc);
    return rc;
}

rp_code rp_encounter_take(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                          rp_error *err)
{
    if (in && rp_in_fields(in, rp_encounter_take_fields, 1, err))
        return err->code;
    if (ctx->agent_id <= 0)
        return rp_error_set(err, RP_EINVALID, "agent",
                            "taking an encounter needs the agent who takes "
                            "it: sign in as that agent");
    return give(ctx, id, ctx->agent_id, 1, NULL, out, err);
}

rp_code rp_encounter_assign(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                            rp_error *err)
{
    int64_t to = 0;
    const char *reason = NULL;
    if (rp_in_fields(in, rp_encounter_assign_fields, 1, err) ||
        rp_in_int(in, "agent_id", 1, 1, INT64_MAX, &to, NULL, err) ||
        rp_in_string(in, "reason", 0, ASSIGN_REASON_MAX_CHARS, &reason, err))
        return err->code;
    if (reason && !*reason)
        reason = NULL;
    if (to != ctx->agent_id && !may_assign_others(ctx))
        return rp_error_set(err, RP_EFORBIDDEN, "agent_id",
                            "giving an encounter to another agent is for a "
                            "lead or an admin; you can take it yourself");
    /* assigning to oneself is taking */
    return give(ctx, id, to, to == ctx->agent_id, reason, out, err);
}

rp_code rp_encounter_assignees(rp_ctx *ctx, json_t **out, rp_error *err)
{
    json_t *yes = json_true(), *rows = NULL;
    rp_filter f = {"active", RP_FILTER_EQ, yes};
    rp_page all = {0, 0, 1000};
    rp_code rc = ctx->store->ops->list(ctx->store, &RP_ENTITY_AGENT, &f, 1,
                                       &all, &rows, err);
    json_decref(yes);
    if (rc)
        return rc;
    json_t *items = json_array(), *a;
    size_t i;
    json_array_foreach(rows, i, a)
        json_array_append_new(items,
                              json_pack("{s:O, s:O, s:O, s:O}", "id",
                                        json_object_get(a, "id"), "name",
                                        json_object_get(a, "name"), "role",
                                        json_object_get(a, "role"), "available",
                                        json_object_get(a, "available")));
    json_decref(rows);
    *out = json_pack("{s:o}", "items", items);
    return RP_OK;
}
