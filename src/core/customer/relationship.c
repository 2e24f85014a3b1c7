/*
 * relationship.c - the relationship level of a customer (seed 002):
 * transactional -> incremental -> formative -> partnership.
 *
 * The level is read from the customer's whole history, but never by walking
 * it: one named query gathers, per rule, at most ten encounters that show
 * the rule holds (each branch on an index leading with customer_id), and a
 * second counts the closed encounters.  rp_level_decide (below, a pure
 * function) turns that evidence into the level and its reasons.  A change of
 * level is a moment of truth and a row in the level's history.
 */
#include <stdio.h>
#include <string.h>

#include "core/rapport.h"

static rp_code gather(rp_ctx *ctx, int64_t customer_id, json_t **evidence,
                      int64_t *closed, rp_error *err)
{
    json_t *params = json_pack("[I]", (json_int_t)customer_id), *rows = NULL;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_CUSTOMER_RELATIONSHIP_EVIDENCE, params, evidence, err);
    if (rc == RP_OK)
        rc = ctx->store->ops->query(ctx->store, RP_Q_CUSTOMER_CLOSED_COUNT,
                                    params, &rows, err);
    if (rc == RP_OK)
        *closed = json_integer_value(
            json_object_get(json_array_get(rows, 0), "n"));
    else if (*evidence) {
        json_decref(*evidence);
        *evidence = NULL;
    }
    json_decref(rows);
    json_decref(params);
    return rc;
}

rp_code rp_relationship_recompute(rp_ctx *ctx, int64_t customer_id,
                                  int64_t encounter_id, rp_error *err)
{
    json_t *customer = NULL, *evidence = NULL, *reasons = NULL;
    int64_t closed = 0;
    rp_store *s = ctx->store;
    rp_code rc = s->ops->get(s, &RP_ENTITY_CUSTOMER, customer_id, &customer,
                             err);
    if (rc == RP_OK)
        rc = gather(ctx, customer_id, &evidence, &closed, err);
    if (rc) {
        json_decref(customer);
        return rc;
    }
    const char *level;
    rp_level_decide(evidence, closed, &level, &reasons);
    const char *before = json_string_value(
        json_object_get(customer, "relationship_level"));
    int changed = !before || strcmp(before, level) != 0;
    json_t *row = json_pack("{s:s, s:O}", "relationship_level", level,
                            "relationship_reasons", reasons);
    rc = s->ops->update(s, &RP_ENTITY_CUSTOMER, customer_id, row, err);
    json_decref(row);
    if (rc == RP_OK && changed) {
        json_t *hist = json_pack(
            "{s:I, s:s, s:o, s:O, s:o, s:I}", "customer_id",
            (json_int_t)customer_id, "level", level, "previous_level",
            before ? json_string(before) : json_null(), "reasons", reasons,
            "encounter_id",
            encounter_id ? json_integer(encounter_id) : json_null(),
            "created_at", (json_int_t)rp_now());
        rc = s->ops->insert(s, &RP_ENTITY_RELATIONSHIP_LEVEL, hist, NULL, err);
        json_decref(hist);
        rp_buf summary = RP_BUF_INIT;
        const char *why = json_string_value(
            json_object_get(json_array_get(reasons, 0), "why"));
        rp_buf_printf(&summary, "Relationship %s -> %s",
                      before ? before : "none", level);
        if (why) {
            rp_buf_puts(&summary, ": ");
            rp_buf_put_cut(&summary, why, 200);
        }
        json_t *detail = json_pack("{s:o, s:s, s:O}", "previous_level",
                                   before ? json_string(before) : json_null(),
                                   "level", level, "reasons", reasons);
        rp_moment m = {.customer_id = customer_id,
                       .encounter_id = encounter_id,
                       .kind = "relationship.changed",
                       .summary = rp_buf_str(&summary),
                       .detail = detail};
        if (rc == RP_OK)
            rc = rp_moment_record(ctx, &m, err);
        json_decref(detail);
        rp_buf_free(&summary);
    }
    json_decref(reasons);
    json_decref(evidence);
    json_decref(customer);
    return rc;
}

json_t *rp_relationship_summary(json_t *customer)
{
    return json_pack("{s:O, s:O}", "level",
                     json_object_get(customer, "relationship_level"), "reasons",
                     json_object_get(customer, "relationship_reasons"));
}

/* The level rules, highest first; a rule holds when evidence names it. */
static const struct level_rule {
    const char *rule, *level, *why;
} level_rules[] = {
    {"formal_exchange", "partnership",
     "a formal exchange (contract, or a meeting at senior level) was closed"},
    {"resolution_satisfied", "formative",
     "a resolution exchange was closed with satisfaction 4 or 5"},
    {"become_encounter", "formative",
     "an encounter about what the customer wants to become was closed"},
    {"active_goal", "formative", "the customer has an active goal"},
    {"supplemental_followed_up", "incremental",
     "a supplemental exchange was closed and its follow-up was done"},
    {"three_closed_encounters", "incremental",
     "three or more encounters were closed"},
};

const char *const rp_relationship_levels[] = {"transactional", "incremental",
                                              "formative", "partnership", NULL};

void rp_level_decide(json_t *evidence, int64_t closed_count, const char **level,
                     json_t **reasons)
{
    *level = "transactional";
    *reasons = json_array();
    for (size_t r = 0; r < sizeof level_rules / sizeof level_rules[0]; r++) {
        const struct level_rule *lr = &level_rules[r];
        json_t *ids = json_array();
        int holds = 0;
        size_t i;
        json_t *row;
        int counts = strcmp(lr->rule, "three_closed_encounters") == 0;
        json_array_foreach(evidence, i, row) {
            const char *rule = json_string_value(json_object_get(row, "rule"));
            if (!rule)
                continue;
            if (counts ? strcmp(rule, "closed_encounter") == 0
                       : strcmp(rule, lr->rule) == 0) {
                holds = 1;
                json_t *eid = json_object_get(row, "encounter_id");
                if (json_is_integer(eid))
                    json_array_append(ids, eid);
            }
        }
        if (counts)
            holds = closed_count >= 3;
        if (!holds) {
            json_decref(ids);
            continue;
        }
        if (json_array_size(*reasons) == 0)
            *level = lr->level;
        json_array_append_new(*reasons,
                              json_pack("{s:s, s:s, s:s, s:o}", "rule",
                                        lr->rule, "level", lr->level, "why",
                                        lr->why, "encounter_ids", ids));
    }
    if (json_array_size(*reasons) == 0) {
        json_t *ids = json_array();
        size_t i;
        json_t *row;
        json_array_foreach(evidence, i, row) {
            const char *rule = json_string_value(json_object_get(row, "rule"));
            json_t *eid = json_object_get(row, "encounter_id");
            if (rule && !strcmp(rule, "closed_encounter") &&
                json_is_integer(eid))
                json_array_append(ids, eid);
        }
        json_array_append_new(
            *reasons,
            json_pack("{s:s, s:s, s:s, s:o}", "rule", "default", "level",
                      "transactional", "why",
                      closed_count ? "only quick or unfollowed exchanges so far"
                                   : "no encounter closed yet",
                      "encounter_ids", ids));
    }
}
