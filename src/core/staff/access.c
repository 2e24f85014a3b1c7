/*
 * access.c - least privilege: the resources of the API, what a limited
 * token may use, and which customers and encounters an agent, a lead or a
 * token may see (staff.h explains the rule).
 *
 * The server calls these for every route, generically from its table: the
 * resource is the route's first path segment, whether it writes is its
 * method, and the row is its path id or the ids in its body or list.  So a
 * new route is checked without a line of its own, and a route whose
 * resource is not listed here is refused rather than served unchecked.
 * Each row check is a few lookups by key (the customer's own encounters,
 * a queue's members), whatever the size of the desk.
 */
#include <stdio.h>
#include <string.h>

#include "core/rapport.h"

const rp_resource rp_resources[] = {
    {"customers", RP_ROWS_CUSTOMER},
    {"encounters", RP_ROWS_ENCOUNTER},
    {"messages", RP_ROWS_MESSAGE},
    {"attachments", RP_ROWS_ATTACHMENT},
    {"tasks", RP_ROWS_TASK},
    {"followups", RP_ROWS_TASK},
    {"promises", RP_ROWS_PROMISE},
    {"session", RP_ROWS_NONE},
    {"agents", RP_ROWS_NONE},
    {"tokens", RP_ROWS_NONE},
    {"queues", RP_ROWS_NONE},
    {"kb", RP_ROWS_NONE},
    {"charter", RP_ROWS_NONE},
    {"metrics", RP_ROWS_NONE},
    {"products", RP_ROWS_NONE},
    {"scheduler", RP_ROWS_NONE},
    {"loyalty", RP_ROWS_NONE},
    {"conversation", RP_ROWS_NONE},
    {"outbox", RP_ROWS_NONE},
    {"mail", RP_ROWS_NONE},
    /* resources of the desk's other parts: their lists are still filtered
     * by the customer_id or encounter_id of each item */
    {"webhooks", RP_ROWS_NONE},
    {"events", RP_ROWS_NONE},
    {"audit", RP_ROWS_NONE},
    {"retention", RP_ROWS_NONE},
    {"ledger", RP_ROWS_NONE},
    {"openapi", RP_ROWS_NONE},
    {"export_requests", RP_ROWS_EXPORT_REQUEST},
    {"imports", RP_ROWS_NONE},
    {"privacy", RP_ROWS_NONE},
    {"holidays", RP_ROWS_NONE},
    /* a phone system's calls (their encounters are checked as their
     * own resource when read there) */
    {"telephony", RP_ROWS_NONE},
    {"delivery", RP_ROWS_NONE},
    /* the Zendesk-compatible API (/api/v2/): a ticket is an encounter, a
     * user at or below RP_ZENDESK_AGENT_BASE a customer */
    {"tickets", RP_ROWS_ENCOUNTER},
    {"users", RP_ROWS_CUSTOMER},
    {"search", RP_ROWS_NONE},
    {NULL, RP_ROWS_NONE},
};

const rp_resource *rp_resource_of_path(const char *pattern, int *id_follows)
{
    const char *p = pattern;
    if (strncmp(p, "/api/v1/", 8) == 0 || strncmp(p, "/api/v2/", 8) == 0)
        p += 8;
    else if (*p == '/')
        p++;
    size_t n = strcspn(p, "/");
    if (id_follows)
        *id_follows = p[n] == '/' && p[n + 1] == '{';
    return rp_resource_find(p, n);
}

const rp_resource *rp_resource_find(const char *name, size_t len)
{
    for (const rp_resource *r = rp_resources; r->name; r++)
        if (strlen(r->name) == len && strncmp(r->name, name, len) == 0)
            return r;
    return NULL;
}

const char *rp_rows_name(rp_rows rows)
{
    switch (rows) {
    case RP_ROWS_CUSTOMER: return "customer";
    case RP_ROWS_ENCOUNTER: return "encounter";
    case RP_ROWS_MESSAGE: return "message";
    case RP_ROWS_ATTACHMENT: return "attachment";
    case RP_ROWS_TASK: return "task";
    case RP_ROWS_PROMISE: return "promise";
    case RP_ROWS_EXPORT_REQUEST: return "export_request";
    default: return "none";
    }
}

rp_code rp_access_resource(const rp_principal *p, const rp_resource *r,
                           int writes, rp_error *err)
{
    if (writes && p->read_only)
        return rp_error_set(err, RP_EFORBIDDEN, NULL,
                            "this token may only read; it cannot change "
                            "anything");
    if (!p->resources)
        return RP_OK;
    uint64_t bit = UINT64_C(1) << (unsigned)(r - rp_resources);
    if (p->resources & bit)
        return RP_OK;
    rp_buf allowed = RP_BUF_INIT;
    for (const rp_resource *x = rp_resources; x->name; x++)
        if (p->resources & (UINT64_C(1) << (unsigned)(x - rp_resources)))
            rp_buf_printf(&allowed, "%s%s", allowed.len ? ", " : "", x->name);
    rp_error_set(err, RP_EFORBIDDEN, NULL, "this token may use only %s, not %s",
                 rp_buf_str(&allowed), r->name);
    rp_buf_free(&allowed);
    return RP_EFORBIDDEN;
}

/* ---- the rows ------------------------------------------------------------ */

static rp_code one_row(rp_ctx *ctx, rp_query q, json_t *params, json_t **row,
                       rp_error *err)
{
    json_t *rows = NULL;
    if (!params)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    rp_code rc = ctx->store->ops->query(ctx->store, q, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    *row = json_incref(json_array_get(rows, 0)); /* NULL: none */
    json_decref(rows);
    return RP_OK;
}

/* The queues a limited token sees through: its own, and for an agent's or
 * a lead's token only those the agent is a member of.  A new array. */
static rp_code token_queues(rp_ctx *ctx, const rp_principal *p, json_t **out,
                            rp_error *err)
{
    json_t *mine = NULL;
    if (p->role < 3) {
        json_t *params = json_pack("[I]", (json_int_t)p->agent_id);
        rp_code rc = ctx->store->ops->query(
            ctx->store, RP_Q_STAFF_QUEUES_OF_AGENT, params, &mine, err);
        json_decref(params);
        if (rc)
            return rc;
    }
    json_t *q = json_array();
    for (int i = 0; i < p->nqueues; i++) {
        int member = p->role >= 3;
        size_t k;
        json_t *m;
        json_array_foreach(mine, k, m)
            member |= json_integer_value(json_object_get(m, "queue_id")) ==
                      p->queues[i];
        if (member)
            json_array_append_new(q, json_integer(p->queues[i]));
    }
    json_decref(mine);
    *out = q;
    return RP_OK;
}

/* Is there anything to check at all?  Not for an admin without a queue
 * limit, nor for anyone while no queue is restricted and the token has no
 * queue limit. */
static rp_code unlimited(rp_ctx *ctx, const rp_principal *p, int *yes,
                         rp_error *err)
{
    *yes = 0;
    if (p->nqueues > 0)
        return RP_OK;
    if (p->role >= 3) {
        *yes = 1;
        return RP_OK;
    }
    json_t *row = NULL;
    rp_code rc = one_row(ctx, RP_Q_STAFF_ANY_RESTRICTED, json_array(), &row,
                         err);
    if (rc)
        return rc;
    *yes = !json_is_true(json_object_get(row, "any"));
    json_decref(row);
    return RP_OK;
}

static rp_code customer_check(rp_ctx *ctx, const rp_principal *p, int64_t id,
                              json_t *queues, rp_error *err)
{
    json_t *row = NULL;
    rp_code rc = queues
                     ? one_row(ctx, RP_Q_STAFF_CUSTOMER_IN_QUEUES,
                               json_pack("[I, O]", (json_int_t)id, queues),
                               &row, err)
                     : one_row(ctx, RP_Q_STAFF_CUSTOMER_VISIBLE,
                               json_pack("[I, I, i]", (json_int_t)id,
                                         (json_int_t)p->agent_id, p->role == 2),
                               &row, err);
    if (rc)
        return rc;
    int found = json_is_true(json_object_get(row, "found"));
    int visible = json_is_true(json_object_get(row, "visible"));
    json_decref(row);
    if (!found || visible)
        return RP_OK;
    if (queues)
        return rp_error_set(err, RP_EFORBIDDEN, NULL,
                            "customer %lld has no encounter in the queues "
                            "this token is limited to",
                            (long long)id);
    return rp_error_set(err, RP_EFORBIDDEN, NULL,
                        "customer %lld is served by a restricted queue you "
                        "are not a member of",
                        (long long)id);
}

static rp_code encounter_check(rp_ctx *ctx, const rp_principal *p, int64_t id,
                               json_t *queues, rp_error *err)
{
    json_t *row = NULL;
    rp_code rc = one_row(ctx, RP_Q_STAFF_ENCOUNTER_VISIBLE,
                         json_pack("[I, I, i, O?]", (json_int_t)id,
                                   (json_int_t)p->agent_id, p->role == 2,
                                   queues),
                         &row, err);
    if (rc)
        return rc;
    int visible = !row || json_is_true(json_object_get(row, "visible"));
    json_decref(row);
    if (visible)
        return RP_OK;
    return rp_error_set(err, RP_EFORBIDDEN, NULL,
                        queues ? "encounter %lld is not in the queues this "
                                 "token is limited to"
                               : "encounter %lld is in a restricted queue you "
                                 "are not a member of",
                        (long long)id);
}

/* A message, attachment, task or promise: seen through its encounter, or
 * its customer when it has none. */
static rp_code owned_check(rp_ctx *ctx, const rp_principal *p, rp_query q,
                           int64_t id, json_t *queues, rp_error *err)
{
    json_t *row = NULL;
    rp_code rc = one_row(ctx, q, json_pack("[I]", (json_int_t)id), &row, err);
    if (rc || !row)
        return rc;
    json_int_t enc = json_integer_value(json_object_get(row, "encounter_id"));
    json_int_t cust = json_integer_value(json_object_get(row, "customer_id"));
    json_decref(row);
    return enc ? encounter_check(ctx, p, enc, queues, err)
               : customer_check(ctx, p, cust, queues, err);
}

static rp_code row_check(rp_ctx *ctx, const rp_principal *p, rp_rows kind,
                         int64_t id, json_t *queues, rp_error *err)
{
    switch (kind) {
    case RP_ROWS_CUSTOMER: return customer_check(ctx, p, id, queues, err);
    case RP_ROWS_ENCOUNTER: return encounter_check(ctx, p, id, queues, err);
    case RP_ROWS_MESSAGE:
        return owned_check(ctx, p, RP_Q_STAFF_OWNER_OF_MESSAGE, id, queues,
                           err);
    case RP_ROWS_ATTACHMENT:
        return owned_check(ctx, p, RP_Q_STAFF_OWNER_OF_ATTACHMENT, id, queues,
                           err);
    case RP_ROWS_TASK:
        return owned_check(ctx, p, RP_Q_STAFF_OWNER_OF_TASK, id, queues, err);
    case RP_ROWS_PROMISE:
        return owned_check(ctx, p, RP_Q_STAFF_OWNER_OF_PROMISE, id, queues,
                           err);
    case RP_ROWS_EXPORT_REQUEST:
        return owned_check(ctx, p, RP_Q_STAFF_OWNER_OF_EXPORT_REQUEST, id,
                           queues, err);
    default: return RP_OK;
    }
}

rp_code rp_access_row(rp_ctx *ctx, const rp_principal *p, rp_rows kind,
                      int64_t id, rp_error *err)
{
    int all = 0;
    if (kind == RP_ROWS_NONE)
        return RP_OK;
    if (unlimited(ctx, p, &all, err))
        return err->code;
    if (all)
        return RP_OK;
    json_t *queues = NULL;
    if (p->nqueues > 0 && token_queues(ctx, p, &queues, err))
        return err->code;
    rp_code rc = row_check(ctx, p, kind, id, queues, err);
    json_decref(queues);
    return rc;
}

rp_code rp_access_filter(rp_ctx *ctx, const rp_principal *p, rp_rows kind,
                         json_t *items, int *removed, rp_error *err)
{
    int all = 0, gone = 0;
    if (removed)
        *removed = 0;
    if (!json_is_array(items) || json_array_size(items) == 0)
        return RP_OK;
    if (unlimited(ctx, p, &all, err))
        return err->code;
    if (all)
        return RP_OK;
    json_t *queues = NULL;
    if (p->nqueues > 0 && token_queues(ctx, p, &queues, err))
        return err->code;
    rp_code rc = RP_OK;
    for (size_t i = 0; i < json_array_size(items) && rc == RP_OK;) {
        json_t *item = json_array_get(items, i);
        rp_rows k = kind;
        json_t *id = json_object_get(item, "id");
        if (k == RP_ROWS_NONE) {
            id = json_object_get(item, "encounter_id");
            k = RP_ROWS_ENCOUNTER;
            if (!json_is_integer(id)) {
                id = json_object_get(item, "customer_id");
                k = RP_ROWS_CUSTOMER;
            }
        }
        if (!json_is_integer(id)) {
            i++;
            continue;
        }
        rp_error why;
        rc = row_check(ctx, p, k, json_integer_value(id), queues, &why);
        if (rc == RP_EFORBIDDEN) {
            json_array_remove(items, i);
            gone++;
            rc = RP_OK;
        } else if (rc) {
            *err = why;
        } else {
            i++;
        }
    }
    json_decref(queues);
    if (removed)
        *removed = gone;
    return rc;
}

rp_code rp_access_queues(rp_ctx *ctx, const rp_principal *p, json_t **out,
                         rp_error *err)
{
    int all = 0;
    *out = NULL;
    if (!p)
        return RP_OK;
    if (unlimited(ctx, p, &all, err))
        return err->code;
    if (all)
        return RP_OK;
    if (p->nqueues > 0)
        return token_queues(ctx, p, out, err);
    json_t *rows = NULL, *params = json_pack("[I]", (json_int_t)p->agent_id);
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_STAFF_QUEUES_VISIBLE,
                                        params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *q = json_array();
    json_array_append_new(q, json_integer(0)); /* no queue: seen by all */
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
        json_array_append(q, json_object_get(row, "queue_id"));
    json_decref(rows);
    *out = q;
    return RP_OK;
}

/* ---- a queue's access ---------------------------------------------------- */

rp_code rp_queue_access(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err)
{
    json_t *queue = NULL, *rows = NULL;
    if (rp_queue_get(ctx, id, &queue, err))
        return err->code;
    json_t *params = json_pack("[I]", (json_int_t)id);
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_STAFF_QUEUE_MEMBERS,
                                        params, &rows, err);
    json_decref(params);
    if (rc) {
        json_decref(queue);
        return rc;
    }
    json_t *members = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
        json_array_append(members, json_object_get(row, "agent_id"));
    json_decref(rows);
    *out = json_pack("{s:O, s:O, s:O, s:o}", "id", json_object_get(queue, "id"),
                     "name", json_object_get(queue, "name"), "restricted",
                     json_object_get(queue, "restricted"), "members", members);
    json_decref(queue);
    return *out ? RP_OK
                : rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
}

const rp_field rp_queue_access_fields[] = {
    {"restricted", RP_FIELD_BOOL, RP_IN_OPTIONAL,
     .meaning = "only its members see the queue's customers"},
    {"members", RP_FIELD_INT_LIST, RP_IN_OPTIONAL, .max_items = 1000, .min = 1,
     .max = INT64_MAX, .meaning = "the ids of its member agents"},
    {.name = NULL},
};

/* Check that every member is an agent; RP_EINVALID naming the first that
 * is not. */
static rp_code check_members(rp_ctx *ctx, json_t *members, rp_error *err)
{
    if (!members)
        return RP_OK;
    if (!json_is_array(members))
        return rp_error_set(err, RP_ETYPE, "members",
                            "members must be a list of agent ids");
    if (json_array_size(members) > 1000)
        return rp_error_refuse(err, RP_EINVALID, "members", "too_many", 1000,
                               "members holds more than 1000 agents");
    size_t i;
    json_t *v;
    json_array_foreach(members, i, v) {
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return rp_error_set(err, RP_ETYPE, "members",
                                "members[%zu] is not an agent id", i);
        json_t *agent = NULL;
        if (rp_agent_get(ctx, json_integer_value(v), &agent, err)) {
            if (err->code == RP_ENOTFOUND)
                rp_error_refuse(err, RP_EINVALID, "members", "unknown_id", 0,
                                "members[%zu]: there is no agent %lld", i,
                                (long long)json_integer_value(v));
            return err->code;
        }
        json_decref(agent);
    }
    return RP_OK;
}

static rp_code exec_q(rp_ctx *ctx, rp_query q, json_t *params, rp_error *err)
{
    if (!params)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    rp_code rc = ctx->store->ops->exec(ctx->store, q, params, NULL, err);
    json_decref(params);
    return rc;
}

rp_code rp_queue_set_access(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                            rp_error *err)
{
    int restricted = 0, present = 0;
    json_t *queue = NULL;
    if (rp_in_fields(in, rp_queue_access_fields, 1, err) ||
        rp_in_bool(in, "restricted", 0, &restricted, &present, err))
        return err->code;
    json_t *members = json_object_get(in, "members");
    if (json_is_null(members))
        members = NULL;
    if (!present && !members)
        return rp_error_refuse(
            err, RP_EINVALID, NULL, "nothing_to_change", 0,
            "give restricted (true or false), members (agent "
            "ids), or both");
    if (rp_queue_get(ctx, id, &queue, err))
        return err->code;
    json_decref(queue);
    if (check_members(ctx, members, err))
        return err->code;
    rp_code rc = rp_store_begin(ctx->store, err);
    if (rc)
        return rc;
    if (present)
        rc = exec_q(ctx, RP_Q_STAFF_QUEUE_SET_RESTRICTED,
                    json_pack("[i, I, I]", restricted, (json_int_t)rp_now(),
                              (json_int_t)id),
                    err);
    if (rc == RP_OK && members) {
        rc = exec_q(ctx, RP_Q_STAFF_QUEUE_MEMBERS_CLEAR,
                    json_pack("[I]", (json_int_t)id), err);
        size_t i;
        json_t *v;
        json_array_foreach(members, i, v) {
            if (rc)
                break;
            rc = exec_q(ctx, RP_Q_STAFF_QUEUE_MEMBER_ADD,
                        json_pack("[I, O]", (json_int_t)id, v), err);
        }
    }
    rc = rp_store_finish(ctx->store, rc, err);
    if (rc)
        return rc;
    return rp_queue_access(ctx, id, out, err);
}
