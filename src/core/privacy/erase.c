/*
 * erase.c - erasing a customer's personal data, for good.
 *
 * The customer's row stays (the counts of the past need it), renamed and
 * emptied; what describes them is deleted (identities, preferences, goals,
 * dates, consents, attachments, help links, kept mail from their address);
 * what the measures count (encounters, messages, defects, promises,
 * transfers, tasks, satisfaction answers, relationship levels, offers)
 * keeps its times, kinds, numbers and flags with its text replaced by a
 * tombstone; every moment of truth keeps its place in the sealed ledger
 * with its content replaced (customer/ledger.c), and the erasure is a
 * moment of its own.  All in one transaction: the customer is erased
 * entirely or not at all.  The store zeroes what it deletes (secure
 * delete) and the write-ahead log is emptied afterwards, so the bytes are
 * gone from the files, not only from the rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/privacy/privacy_internal.h"
#include "core/rapport.h"

#define REQUESTED_BY_MAX 200

/* The steps of an erasure that take only (customer, tombstone, now), in
 * order: what is found through the customer's addresses before the
 * addresses go. */
static const rp_query steps[] = {
    RP_Q_PRIVACY_ERASE_KEPT_MAIL,   RP_Q_PRIVACY_ERASE_HELP_HITS,
    RP_Q_PRIVACY_ERASE_HELP_LINKS,  RP_Q_PRIVACY_ERASE_IDENTITIES,
    RP_Q_PRIVACY_ERASE_PREFERENCES, RP_Q_PRIVACY_ERASE_GOALS,
    RP_Q_PRIVACY_ERASE_DATES,       RP_Q_PRIVACY_ERASE_CONSENTS,
    RP_Q_PRIVACY_ERASE_ENCOUNTERS,  RP_Q_PRIVACY_ERASE_TRANSFERS,
    RP_Q_PRIVACY_ERASE_DEFECTS,     RP_Q_PRIVACY_ERASE_SPECIAL_REQUESTS,
    RP_Q_PRIVACY_ERASE_PROMISES,    RP_Q_PRIVACY_ERASE_LEVELS,
    RP_Q_PRIVACY_ERASE_TASKS,       RP_Q_PRIVACY_ERASE_SATISFACTION,
    RP_Q_PRIVACY_ERASE_OFFERS,      RP_Q_PRIVACY_ERASE_MESSAGES,
};

/* How many parameters a step's statement takes: 1 (customer), 2
 * (customer, tombstone) or 3 (customer, tombstone, now). */
static json_t *step_params(rp_query q, int64_t id, int64_t now)
{
    switch (q) {
    case RP_Q_PRIVACY_ERASE_KEPT_MAIL:
    case RP_Q_PRIVACY_ERASE_HELP_HITS:
    case RP_Q_PRIVACY_ERASE_HELP_LINKS:
    case RP_Q_PRIVACY_ERASE_IDENTITIES:
    case RP_Q_PRIVACY_ERASE_PREFERENCES:
    case RP_Q_PRIVACY_ERASE_GOALS:
    case RP_Q_PRIVACY_ERASE_DATES:
    case RP_Q_PRIVACY_ERASE_CONSENTS: return json_pack("[I]", (json_int_t)id);
    case RP_Q_PRIVACY_ERASE_ENCOUNTERS:
    case RP_Q_PRIVACY_ERASE_MESSAGES:
        return json_pack("[I, s, I]", (json_int_t)id, RP_ERASED_TEXT,
                         (json_int_t)now);
    default: return json_pack("[I, s]", (json_int_t)id, RP_ERASED_TEXT);
    }
}

rp_code rp_privacy_drop_blobs(rp_ctx *ctx, json_t *blobs, rp_error *err)
{
    size_t i;
    json_t *row;
    json_array_foreach(blobs, i, row) {
        json_t *p = json_pack("[O]", json_object_get(row, "blob_id"));
        rp_code rc = ctx->store->ops->exec(
            ctx->store, RP_Q_PRIVACY_BLOB_DROP_UNUSED, p, NULL, err);
        json_decref(p);
        if (rc)
            return rc;
    }
    return RP_OK;
}

/* The attachments and the blobs no one else's attachment shares. */
static rp_code erase_attachments(rp_ctx *ctx, int64_t id, rp_error *err)
{
    rp_store *s = ctx->store;
    json_t *p = json_pack("[I]", (json_int_t)id), *blobs = NULL;
    rp_code rc = s->ops->query(s, RP_Q_PRIVACY_BLOBS_OF_CUSTOMER, p, &blobs,
                               err);
    if (rc == RP_OK)
        rc = s->ops->exec(s, RP_Q_PRIVACY_ERASE_ATTACHMENTS, p, NULL, err);
    if (rc == RP_OK)
        rc = rp_privacy_drop_blobs(ctx, blobs, err);
    json_decref(p);
    json_decref(blobs);
    return rc;
}

static rp_code must_suppress(rp_ctx *ctx, int64_t id, int asked, int *out,
                             rp_error *err)
{
    *out = asked;
    if (asked)
        return RP_OK;
    json_t *p = json_pack("[I]", (json_int_t)id), *rows;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_PRIVACY_OFFERS_REFUSED,
                                        p, &rows, err);
    json_decref(p);
    if (rc)
        return rc;
    *out = json_array_size(rows) > 0;
    json_decref(rows);
    return RP_OK;
}

/* Everything but the moment, inside the transaction.  alias: id is a
 * customer merged into the one erased, whose moments are still theirs. */
static rp_code erase_all(rp_ctx *ctx, int64_t id, int alias, int suppress,
                         int64_t now, rp_error *err)
{
    rp_store *s = ctx->store;
    json_t *customer;
    if (s->ops->get(s, &RP_ENTITY_CUSTOMER, id, &customer, err))
        return err->code;
    int erased = !json_is_null(json_object_get(customer, "erased_at"));
    json_int_t into = json_integer_value(
        json_object_get(customer, "merged_into"));
    json_decref(customer);
    if (erased && alias)
        return RP_OK;
    if (erased)
        return rp_error_refuse(err, RP_ECONFLICT, NULL, "already_done", 0,
                               "customer %lld was erased already",
                               (long long)id);
    if (into && !alias)
        return rp_error_refuse(err, RP_ECONFLICT, NULL, "merged", 0,
                               "customer %lld was merged into customer %lld: "
                               "erase customer %lld, which erases both",
                               (long long)id, (long long)into, (long long)into);
    rp_code rc = must_suppress(ctx, id, suppress, &suppress, err);
    if (rc == RP_OK && suppress)
        rc = rp_privacy_suppress_customer(ctx, id, err);
    if (rc == RP_OK)
        rc = rp_ledger_erase_customer(ctx, id, now, err);
    for (size_t i = 0; rc == RP_OK && i < sizeof steps / sizeof steps[0]; i++) {
        json_t *p = step_params(steps[i], id, now);
        rc = s->ops->exec(s, steps[i], p, NULL, err);
        json_decref(p);
    }
    if (rc == RP_OK)
        rc = erase_attachments(ctx, id, err);
    if (rc == RP_OK)
        rc = rp_event_forget_customer(ctx, id, err);
    if (rc == RP_OK) {
        json_t *p = json_pack("[I, s, s, I]", (json_int_t)id, RP_ERASED_NAME,
                              RP_ERASED_TEXT, (json_int_t)now);
        rc = s->ops->exec(s, RP_Q_PRIVACY_ERASE_CUSTOMER, p, NULL, err);
        json_decref(p);
    }
    return rc;
}

rp_code rp_privacy_erase_now(rp_ctx *ctx, int64_t id, const char *requested_by,
                             int suppress, const char *erased_by, rp_error *err)
{
    rp_store *s = ctx->store;
    int64_t now = rp_now();
    if (rp_store_begin(s, err))
        return err->code;
    rp_code rc = erase_all(ctx, id, 0, suppress, now, err);
    /* the customers merged into this one are the same person */
    json_t *ids = NULL;
    if (rc == RP_OK)
        rc = rp_customer_ids(ctx, id, &ids, err);
    for (size_t i = 1; rc == RP_OK && i < json_array_size(ids); i++)
        rc = erase_all(ctx, json_integer_value(json_array_get(ids, i)), 1,
                       suppress, now, err);
    json_decref(ids);
    if (rc == RP_OK) {
        json_t *p = json_pack("[I, I, I]", (json_int_t)id,
                              (json_int_t)ctx->agent_id, (json_int_t)now);
        if (!ctx->agent_id)
            json_array_set_new(p, 1, json_null());
        rc = s->ops->exec(s, RP_Q_PRIVACY_REQUEST_DONE, p, NULL, err);
        json_decref(p);
    }
    if (rc == RP_OK) {
        rp_buf summary = RP_BUF_INIT;
        rp_buf_puts(&summary, "Personal data erased at the request of ");
        rp_buf_put_cut(&summary, requested_by, REQUESTED_BY_MAX);
        if (erased_by) {
            rp_buf_puts(&summary, "; erased by ");
            rp_buf_put_cut(&summary, erased_by, 80);
        }
        rp_buf_puts(&summary, "; this cannot be undone");
        json_t *detail = json_pack("{s:s, s:s?}", "requested_by", requested_by,
                                   "erased_by", erased_by);
        rp_moment m = {.customer_id = id,
                       .kind = "customer.erased",
                       .summary = rp_buf_str(&summary),
                       .detail = detail};
        rc = summary.failed
                 ? rp_error_set(err, RP_EINTERNAL, NULL, "out of memory")
                 : rp_moment_record(ctx, &m, err);
        json_decref(detail);
        rp_buf_free(&summary);
    }
    /* the audit log accounts for it as an erasure, by whom and whence */
    if (rc == RP_OK) {
        rp_audit_entry e = {.action = "erasure",
                            .subject = "customer",
                            .subject_id = id,
                            .customer_id = id};
        rc = rp_audit_record(ctx, &e, err);
    }
    /* other systems hear of it with the id alone: nothing erased leaves */
    if (rc == RP_OK)
        rc = rp_event_emit(ctx, "customer.erased", id, 0, NULL, err);
    if (rp_store_finish(s, rc, err))
        return err->code;
    /* the erasure stands even when a reader keeps the log for now: the
     * next erasure, or the server's own checkpoints, empty it */
    rp_error scrub_err;
    if (s->ops->scrub(s, &scrub_err))
        fprintf(stderr,
                "rapport: erasure: the write-ahead log could not be "
                "emptied yet: %s\n",
                scrub_err.message);
    return RP_OK;
}

/* The agent's role rank, or the operator's (3) for agent 0. */
static rp_code role_of(rp_ctx *ctx, int64_t agent_id, int *rank, char **name,
                       rp_error *err)
{
    *name = NULL;
    if (!agent_id) {
        *rank = 3;
        return RP_OK;
    }
    json_t *agent;
    if (ctx->store->ops->get(ctx->store, &RP_ENTITY_AGENT, agent_id, &agent,
                             err))
        return err->code;
    *rank = json_is_true(json_object_get(agent, "active"))
                ? rp_role_rank(
                      json_string_value(json_object_get(agent, "role")))
                : 0;
    const char *n = json_string_value(json_object_get(agent, "name"));
    *name = strdup(n ? n : "an agent");
    json_decref(agent);
    return RP_OK;
}

/* A pending request for the customer: *found, its asker and its text. */
static rp_code pending(rp_ctx *ctx, int64_t id, json_t **found, rp_error *err)
{
    json_t *p = json_pack("[I]", (json_int_t)id), *rows;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_PRIVACY_REQUEST_PENDING, p, &rows, err);
    json_decref(p);
    if (rc)
        return rc;
    *found = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return RP_OK;
}

static rp_code ask(rp_ctx *ctx, int64_t id, const char *requested_by,
                   int suppress, json_t **out, rp_error *err)
{
    rp_store *s = ctx->store;
    if (rp_store_begin(s, err))
        return err->code;
    json_t *customer = NULL;
    rp_code rc = s->ops->get(s, &RP_ENTITY_CUSTOMER, id, &customer, err);
    if (rc == RP_OK && !json_is_null(json_object_get(customer, "erased_at")))
        rc = rp_error_refuse(err, RP_ECONFLICT, NULL, "already_done", 0,
                             "customer %lld was erased already", (long long)id);
    json_decref(customer);
    if (rc == RP_OK) {
        json_t *p = json_pack("[I, s, i, I, I]", (json_int_t)id, requested_by,
                              suppress, (json_int_t)ctx->agent_id,
                              (json_int_t)rp_now());
        rc = s->ops->exec(s, RP_Q_PRIVACY_REQUEST_INSERT, p, NULL, err);
        json_decref(p);
    }
    if (rc == RP_OK) {
        rp_buf summary = RP_BUF_INIT;
        rp_buf_puts(&summary, "Erasure of the customer's personal data asked "
                              "for, at the request of ");
        rp_buf_put_cut(&summary, requested_by, REQUESTED_BY_MAX);
        rp_buf_puts(&summary, "; a second person must approve it");
        json_t *said = json_pack("{s:s}", "requested_by", requested_by);
        rp_moment m = {.customer_id = id,
                       .kind = "customer.erasure_requested",
                       .summary = rp_buf_str(&summary),
                       .detail = said};
        rc = rp_moment_record(ctx, &m, err);
        json_decref(said);
        rp_buf_free(&summary);
    }
    if (rp_store_finish(s, rc, err))
        return err->code;
    *out = json_pack("{s:I, s:s, s:s}", "customer_id", (json_int_t)id, "state",
                     "pending", "message",
                     "The erasure waits for a second admin or lead to approve "
                     "it; nothing was erased yet.");
    return RP_OK;
}

rp_code rp_privacy_erase(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                         rp_error *err)
{
    static const char *const fields[] = {"requested_by", "suppress_marketing",
                                         NULL};
    const char *requested_by;
    int suppress = 0, present = 0;
    json_t *empty = NULL;
    if (!in)
        in = empty = json_object();
    rp_code rc = RP_OK;
    if (rp_in_object(in, fields, err) ||
        rp_in_string(in, "requested_by", RP_IN_REQUIRED, REQUESTED_BY_MAX,
                     &requested_by, err) ||
        rp_in_bool(in, "suppress_marketing", RP_IN_OPTIONAL, &suppress,
                   &present, err))
        rc = err->code;
    char *mode = NULL, *name = NULL;
    int rank = 0;
    json_t *request = NULL;
    if (rc == RP_OK)
        rc = rp_privacy_setting(ctx, "erasure_approval", &mode, err);
    if (rc == RP_OK)
        rc = role_of(ctx, ctx->agent_id, &rank, &name, err);
    int two = mode && strcmp(mode, "two_people") == 0;
    if (rc == RP_OK && rank < (two ? 2 : 3))
        rc = rp_error_set(err, RP_EFORBIDDEN, NULL,
                          two ? "only an admin or a lead may ask for or "
                                "approve an erasure"
                              : "only an admin may erase a customer");
    if (rc == RP_OK && two && !ctx->agent_id)
        rc = rp_error_refuse(err, RP_EINVALID, "agent", "required", 0,
                             "this desk needs two people for an erasure: say "
                             "which agent asks or approves");
    if (rc == RP_OK && two)
        rc = pending(ctx, id, &request, err);
    if (rc == RP_OK && two && !request)
        rc = ask(ctx, id, requested_by, suppress, out, err);
    else if (rc == RP_OK && two &&
             json_integer_value(json_object_get(request, "agent_id")) ==
                 ctx->agent_id)
        rc = rp_error_refuse(err, RP_ECONFLICT, NULL, "own_request", 0,
                             "you asked for this erasure yourself; a different "
                             "admin or lead must approve it");
    else if (rc == RP_OK) {
        /* the request that is approved is the one first made */
        const char *asked = request ? json_string_value(json_object_get(
                                          request, "requested_by"))
                                    : requested_by;
        int sup = suppress || (request && json_integer_value(json_object_get(
                                              request, "suppress_marketing")));
        rc = rp_privacy_erase_now(ctx, id, asked, sup, name, err);
        if (rc == RP_OK)
            *out = json_pack("{s:I, s:s, s:s}", "customer_id", (json_int_t)id,
                             "state", "erased", "message",
                             "The customer's personal data was erased.");
    }
    json_decref(request);
    json_decref(empty);
    free(mode);
    free(name);
    return rc;
}
