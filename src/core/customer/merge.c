/*
 * merge.c - two records of one person made one: merging customers, and
 * pointing out the customers who may be the same person.
 *
 * A person who wrote from two addresses, or was imported twice, ends up as
 * two customers; their history is then split and the relationship each
 * half has earned is too small.  A merge moves everything of the customer
 * merged away (encounters, identities, preferences, goals, dates,
 * consents, tasks, answers, offers, requests) to the customer kept, in one
 * transaction.  Moments of truth are the exception: the sealed ledger
 * hashes each moment's customer, so a moment can never be moved.  The
 * customer merged away stays instead, as an alias (merged_into), and a
 * customer's history is theirs and their aliases' (rp_customer_ids): the
 * timeline, the overview and the export read all of it, and the ledger
 * still verifies.  Anything addressed to the old id afterwards reaches the
 * customer kept (rp_customer_get follows the alias).
 *
 * When both had a preference with the same key, or decided on the same
 * consent, the later one stands and the other is written into the merge's
 * moment, so nothing is lost.
 *
 * Duplicates are found through the identities' match key (migration 56),
 * an address or number loosened the way people write it differently;
 * the identities themselves are unique, so an exact match is always one
 * customer already.
 */
#include <string.h>

#include "core/rapport.h"

#define REASON_MAX_CHARS 500

const rp_field rp_customer_merge_fields[] = {
    {"merged_id", RP_FIELD_INT, RP_IN_REQUIRED, .min = 1, .max = INT64_MAX,
     .meaning = "the other customer: their records move to this one, and "
                "their id then leads to this one"},
    {"reason", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = REASON_MAX_CHARS,
     .meaning = "why the two are the same person"},
    {.name = NULL},
};

/* Every table whose rows follow a customer into a merge, by the statement
 * that moves them.  Moments, events and the audit log stay where they are
 * (sealed, sent or append-only) and are read through the alias. */
static const rp_query moves[] = {
    RP_Q_CUSTOMER_MERGE_ENCOUNTERS,
    RP_Q_CUSTOMER_MERGE_ENCOUNTER_TRANSFERS,
    RP_Q_CUSTOMER_MERGE_DEFECTS,
    RP_Q_CUSTOMER_MERGE_SPECIAL_REQUESTS,
    RP_Q_CUSTOMER_MERGE_PROMISES,
    RP_Q_CUSTOMER_MERGE_RELATIONSHIP_LEVELS,
    RP_Q_CUSTOMER_MERGE_TASKS,
    RP_Q_CUSTOMER_MERGE_SATISFACTION_CHECKS,
    RP_Q_CUSTOMER_MERGE_PREFERENCES,
    RP_Q_CUSTOMER_MERGE_GOALS,
    RP_Q_CUSTOMER_MERGE_IMPORTANT_DATES,
    RP_Q_CUSTOMER_MERGE_CONSENTS,
    RP_Q_CUSTOMER_MERGE_OFFERS,
    RP_Q_CUSTOMER_MERGE_IDENTITIES,
    RP_Q_CUSTOMER_MERGE_MESSAGES,
    RP_Q_CUSTOMER_MERGE_ATTACHMENTS,
    RP_Q_CUSTOMER_MERGE_HELP_LINKS,
    RP_Q_CUSTOMER_MERGE_EXPORT_REQUESTS,
    RP_Q_CUSTOMER_MERGE_ERASURE_REQUESTS,
    RP_Q_CUSTOMER_MERGE_CHARTER_BREACHES,
};

static json_t *ids2(int64_t a, int64_t b)
{
    return json_pack("[I, I]", (json_int_t)a, (json_int_t)b);
}

rp_code rp_customer_ids(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err)
{
    json_t *p = json_pack("[I]", (json_int_t)id), *rows = NULL;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_CUSTOMER_ALIASES, p,
                                        &rows, err);
    json_decref(p);
    if (rc)
        return rc;
    json_t *ids = json_pack("[I]", (json_int_t)id);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
        json_array_append(ids, json_object_get(r, "id"));
    json_decref(rows);
    *out = ids;
    return RP_OK;
}

rp_code rp_customer_live_id(rp_ctx *ctx, int64_t id, int64_t *live,
                            rp_error *err)
{
    json_t *row;
    if (ctx->store->ops->get(ctx->store, &RP_ENTITY_CUSTOMER, id, &row, err)) {
        if (err->code == RP_ENOTFOUND)
            rp_error_set(err, RP_ENOTFOUND, "id", "no customer with id %lld",
                         (long long)id);
        return err->code;
    }
    json_t *into = json_object_get(row, "merged_into");
    *live = json_is_integer(into) ? json_integer_value(into) : id;
    json_decref(row);
    return RP_OK;
}

/* Only an admin merges: a merge cannot be undone by hand.  The command
 * line (agent 0) is the operator's. */
static rp_code must_be_admin(rp_ctx *ctx, rp_error *err)
{
    if (!ctx->agent_id)
        return RP_OK;
    json_t *agent;
    if (ctx->store->ops->get(ctx->store, &RP_ENTITY_AGENT, ctx->agent_id,
                             &agent, err))
        return err->code;
    int rank = json_is_true(json_object_get(agent, "active"))
                   ? rp_role_rank(
                         json_string_value(json_object_get(agent, "role")))
                   : 0;
    json_decref(agent);
    return rank >= rp_role_rank("admin")
               ? RP_OK
               : rp_error_set(err, RP_EFORBIDDEN, NULL,
                              "only an admin may merge two customers");
}

/* One of the two customers, refused when it cannot take part. */
static rp_code load_party(rp_ctx *ctx, int64_t id, const char *field,
                          json_t **out, rp_error *err)
{
    rp_store *s = ctx->store;
    json_t *row;
    if (s->ops->get(s, &RP_ENTITY_CUSTOMER, id, &row, err)) {
        if (err->code == RP_ENOTFOUND)
            rp_error_set(err, RP_ENOTFOUND, field, "no customer with id %lld",
                         (long long)id);
        return err->code;
    }
    rp_code rc = RP_OK;
    json_t *into = json_object_get(row, "merged_into");
    if (!json_is_null(json_object_get(row, "erased_at")))
        rc = rp_error_refuse(err, RP_ECONFLICT, field, "erased", 0,
                             "customer %lld was erased; an erased customer "
                             "cannot be merged",
                             (long long)id);
    else if (json_is_integer(into))
        rc = rp_error_refuse(err, RP_ECONFLICT, field, "merged", 0,
                             "customer %lld was merged into customer %lld "
                             "already; merge with customer %lld instead",
                             (long long)id, (long long)json_integer_value(into),
                             (long long)json_integer_value(into));
    json_t *p = json_pack("[I]", (json_int_t)id), *rows = NULL;
    if (rc == RP_OK)
        rc = s->ops->query(s, RP_Q_CUSTOMER_MERGE_ERASURE_PENDING, p, &rows,
                           err);
    json_decref(p);
    if (rc == RP_OK && json_array_size(rows))
        rc = rp_error_refuse(err, RP_ECONFLICT, field, "erasure_pending", 0,
                             "customer %lld has an erasure waiting for "
                             "approval; approve it or let it lapse before a "
                             "merge",
                             (long long)id);
    json_decref(rows);
    if (rc) {
        json_decref(row);
        return rc;
    }
    *out = row;
    return RP_OK;
}

/* Of two preferences with one key or two decisions on one purpose, drop
 * the one that gave way; *dropped gets the rows, for the moment. */
static rp_code drop_superseded(rp_ctx *ctx, rp_query q, const rp_entity *e,
                               int64_t keep, int64_t gone, json_t **dropped,
                               rp_error *err)
{
    rp_store *s = ctx->store;
    json_t *p = ids2(keep, gone), *rows = NULL;
    rp_code rc = s->ops->query(s, q, p, &rows, err);
    json_decref(p);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        if (rc)
            break;
        rc = s->ops->remove(s, e, json_integer_value(json_object_get(r, "id")),
                            err);
    }
    if (rc) {
        json_decref(rows);
        return rc;
    }
    *dropped = rows;
    return RP_OK;
}

/* The strings of a and then those of b not in a (a new array). */
static json_t *union_of(json_t *a, json_t *b)
{
    json_t *all = json_is_array(a) ? json_copy(a) : json_array();
    size_t i, j;
    json_t *v, *w;
    json_array_foreach(b, i, v) {
        int seen = 0;
        json_array_foreach(all, j, w)
            seen |= json_equal(v, w);
        if (!seen)
            json_array_append(all, v);
    }
    return all;
}

/* The two customers' rows: the kept one gets the addresses and numbers,
 * the earlier date of becoming a customer (and the external id when it
 * had none); the other becomes its alias. */
static rp_code rewrite_rows(rp_ctx *ctx, json_t *kept, json_t *gone,
                            int64_t now, rp_error *err)
{
    rp_store *s = ctx->store;
    int64_t keep = json_integer_value(json_object_get(kept, "id"));
    int64_t away = json_integer_value(json_object_get(gone, "id"));
    json_t *ext = json_object_get(gone, "external_id");
    int move_ext = json_is_string(ext) &&
                   !json_is_string(json_object_get(kept, "external_id"));
    json_t *g = json_pack("{s:I, s:[], s:[], s:I}", "merged_into",
                          (json_int_t)keep, "emails", "phones", "updated_at",
                          (json_int_t)now);
    if (move_ext)
        json_object_set_new(g, "external_id", json_null());
    json_t *k = json_pack("{s:o, s:o, s:I}", "emails",
                          union_of(json_object_get(kept, "emails"),
                                   json_object_get(gone, "emails")),
                          "phones",
                          union_of(json_object_get(kept, "phones"),
                                   json_object_get(gone, "phones")),
                          "updated_at", (json_int_t)now);
    if (move_ext)
        json_object_set(k, "external_id", ext);
    /* a customer since the earlier of the two dates (tenure, loyalty) */
    int64_t since_kept, since_gone;
    if (!rp_time_parse(json_string_value(json_object_get(kept, "created_at")),
                       &since_kept) &&
        !rp_time_parse(json_string_value(json_object_get(gone, "created_at")),
                       &since_gone) &&
        since_gone < since_kept)
        json_object_set_new(k, "created_at", json_integer(since_gone));
    rp_code rc = s->ops->update(s, &RP_ENTITY_CUSTOMER, away, g, err);
    if (rc == RP_OK)
        rc = s->ops->update(s, &RP_ENTITY_CUSTOMER, keep, k, err);
    json_decref(g);
    json_decref(k);
    return rc;
}

/* The merge's moment on the customer kept: who (the actor), when, which
 * customer, why, and what gave way. */
static rp_code record_moment(rp_ctx *ctx, json_t *gone, const char *reason,
                             int64_t keep, json_t *prefs, json_t *consents,
                             rp_error *err)
{
    int64_t away = json_integer_value(json_object_get(gone, "id"));
    const char *name = json_string_value(json_object_get(gone, "name"));
    rp_buf summary = RP_BUF_INIT;
    rp_buf_puts(&summary, "Another record of this customer, ");
    rp_buf_put_cut(&summary, name ? name : "without a name", 200);
    rp_buf_printf(&summary, " (customer %lld), was merged into this one: ",
                  (long long)away);
    rp_buf_put_cut(&summary, reason, REASON_MAX_CHARS);
    json_t *detail = json_pack("{s:I, s:s?, s:s, s:O, s:O}", "merged_id",
                               (json_int_t)away, "merged_name", name, "reason",
                               reason, "superseded_preferences", prefs,
                               "superseded_consents", consents);
    rp_moment m = {.customer_id = keep,
                   .kind = "customer.merged",
                   .summary = rp_buf_str(&summary),
                   .detail = detail};
    rp_code rc = summary.failed || !detail
                     ? rp_error_set(err, RP_EINTERNAL, NULL, "out of memory")
                     : rp_moment_record(ctx, &m, err);
    json_decref(detail);
    rp_buf_free(&summary);
    return rc;
}

/* Everything of the merge inside its transaction. */
static rp_code merge_in(rp_ctx *ctx, int64_t keep, int64_t away,
                        const char *reason, rp_error *err)
{
    rp_store *s = ctx->store;
    json_t *kept = NULL, *gone = NULL, *prefs = NULL, *consents = NULL;
    int64_t now = rp_now();
    rp_code rc = load_party(ctx, keep, "id", &kept, err);
    if (rc == RP_OK)
        rc = load_party(ctx, away, "merged_id", &gone, err);
    if (rc == RP_OK)
        rc = drop_superseded(ctx, RP_Q_CUSTOMER_MERGE_PREFERENCES_SUPERSEDED,
                             &RP_ENTITY_PREFERENCE, keep, away, &prefs, err);
    if (rc == RP_OK)
        rc = drop_superseded(ctx, RP_Q_CUSTOMER_MERGE_CONSENTS_SUPERSEDED,
                             &RP_ENTITY_CONSENT, keep, away, &consents, err);
    json_t *p = ids2(keep, away);
    for (size_t i = 0; rc == RP_OK && i < sizeof moves / sizeof moves[0]; i++)
        rc = s->ops->exec(s, moves[i], p, NULL, err);
    if (rc == RP_OK)
        rc = s->ops->exec(s, RP_Q_CUSTOMER_MERGE_REPOINT, p, NULL, err);
    json_decref(p);
    if (rc == RP_OK)
        rc = rewrite_rows(ctx, kept, gone, now, err);
    if (rc == RP_OK)
        rc = record_moment(ctx, gone, reason, keep, prefs, consents, err);
    if (rc == RP_OK)
        rc = rp_relationship_recompute(ctx, keep, 0, err);
    if (rc == RP_OK)
        rc = rp_event_emit_pack(ctx, "customer.merged", keep, 0, err,
                                "{s:I, s:I}", "kept_id", (json_int_t)keep,
                                "merged_id", (json_int_t)away);
    if (rc == RP_OK) {
        rp_audit_entry e = {.action = "change",
                            .subject = "customer",
                            .subject_id = away,
                            .customer_id = keep};
        rc = rp_audit_record(ctx, &e, err);
    }
    json_decref(kept);
    json_decref(gone);
    json_decref(prefs);
    json_decref(consents);
    return rc;
}

rp_code rp_customer_merge(rp_ctx *ctx, int64_t keep_id, int64_t merged_id,
                          const char *reason, json_t **out, rp_error *err)
{
    if (!reason || rp_text_is_blank(reason))
        return rp_error_refuse(err, RP_EINVALID, "reason", "required", 0,
                               "reason is required: say why the two are the "
                               "same person");
    if (!rp_utf8_is_valid(reason, strlen(reason)))
        return rp_error_refuse(err, RP_EINVALID, "reason", "not_text", 0,
                               "reason is not valid UTF-8");
    if (rp_utf8_length(reason) > REASON_MAX_CHARS)
        return rp_error_refuse(
            err, RP_EINVALID, "reason", "too_long", REASON_MAX_CHARS,
            "reason is longer than %d characters", REASON_MAX_CHARS);
    if (keep_id == merged_id)
        return rp_error_refuse(err, RP_EINVALID, "merged_id", "same_customer",
                               0,
                               "a customer cannot be merged into themself: "
                               "name the other customer");
    if (must_be_admin(ctx, err))
        return err->code;
    rp_store *s = ctx->store;
    if (rp_store_begin(s, err))
        return err->code;
    rp_code rc = merge_in(ctx, keep_id, merged_id, reason, err);
    if (rp_store_finish(s, rc, err))
        return err->code;
    json_t *customer;
    if (rp_customer_get(ctx, keep_id, &customer, err))
        return err->code;
    *out = json_pack("{s:o, s:I, s:s}", "customer", customer, "merged_id",
                     (json_int_t)merged_id, "message",
                     "The two customers are one now; the other record's "
                     "history is part of this one.");
    return RP_OK;
}

rp_code rp_customer_merge_request(rp_ctx *ctx, int64_t keep_id, json_t *in,
                                  json_t **out, rp_error *err)
{
    const char *reason;
    int64_t merged;
    int present;
    if (rp_in_fields(in, rp_customer_merge_fields, 1, err) ||
        rp_in_int(in, "merged_id", RP_IN_REQUIRED, 1, INT64_MAX, &merged,
                  &present, err) ||
        rp_in_string(in, "reason", RP_IN_REQUIRED, REASON_MAX_CHARS, &reason,
                     err))
        return err->code;
    return rp_customer_merge(ctx, keep_id, merged, reason, out, err);
}

/* ---- possible duplicates ------------------------------------------------ */

/* The item of customer_id in items, made when missing. */
static json_t *item_for(json_t *items, json_t *row)
{
    json_t *cid = json_object_get(row, "customer_id"), *it;
    size_t i;
    json_array_foreach(items, i, it)
        if (json_equal(json_object_get(it, "customer_id"), cid))
            return it;
    json_t *pref = json_object_get(row, "preferred_name");
    json_t *name = json_object_get(row, "name");
    it = json_pack("{s:O, s:O, s:O, s:[]}", "customer_id", cid, "name", name,
                   "greeting_name",
                   json_is_string(pref) && json_string_length(pref) ? pref
                                                                    : name,
                   "matches");
    json_array_append_new(items, it);
    return it;
}

rp_code rp_customer_duplicates(rp_ctx *ctx, int64_t id, json_t **out,
                               rp_error *err)
{
    int64_t live;
    if (rp_customer_live_id(ctx, id, &live, err))
        return err->code;
    json_t *p = json_pack("[I]", (json_int_t)live), *rows = NULL;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_CUSTOMER_DUPLICATES, p,
                                        &rows, err);
    json_decref(p);
    if (rc)
        return rc;
    json_t *items = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        json_t *it = item_for(items, r);
        json_array_append_new(
            json_object_get(it, "matches"),
            json_pack("{s:O, s:O, s:O}", "kind", json_object_get(r, "kind"),
                      "value", json_object_get(r, "value"), "own_value",
                      json_object_get(r, "own_value")));
    }
    json_decref(rows);
    *out = json_pack("{s:I, s:o}", "customer_id", (json_int_t)live, "items",
                     items);
    return RP_OK;
}
