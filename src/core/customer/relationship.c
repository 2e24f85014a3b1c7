/*
 * relationship.c - the relationship level of a customer (seed 002):
 * transactional -> incremental -> formative -> partnership.
 *
 * The level grows from the pattern of exchanges over time, never from one
 * visit: what one encounter shows (a become, a resolution that satisfied, a
 * formal exchange) counts for more only once the relationship went on (a
 * second closed encounter, a follow-up done, a promise kept), and a broken
 * promise or an unhappy answer holds it back a step.  It is read from the
 * customer's whole history, but never by walking it: one named query gathers,
 * per rule, at most ten encounters that show the rule holds (each branch on an
 * index leading with customer_id), and a second counts the closed encounters.
 * rp_level_decide (below, a pure function) turns that evidence into the level
 * and its reasons.  A change of level is a moment of truth and a row in the
 * level's history.
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
    return rp_relationship_recompute_because(ctx, customer_id, encounter_id,
                                             NULL, err);
}

rp_code rp_relationship_recompute_because(rp_ctx *ctx, int64_t customer_id,
                                          int64_t encounter_id,
                                          const char *cause, rp_error *err)
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
            "{s:I, s:s, s:o, s:O, s:o, s:I, s:o}", "customer_id",
            (json_int_t)customer_id, "level", level, "previous_level",
            before ? json_string(before) : json_null(), "reasons", reasons,
            "encounter_id",
            encounter_id ? json_integer(encounter_id) : json_null(),
            "created_at", (json_int_t)rp_now(), "cause",
            cause ? json_string(cause) : json_null());
        rc = s->ops->insert(s, &RP_ENTITY_RELATIONSHIP_LEVEL, hist, NULL, err);
        json_decref(hist);
        rp_buf summary = RP_BUF_INIT;
        const char *why = json_string_value(
            json_object_get(json_array_get(reasons, 0), "why"));
        rp_buf_printf(&summary, "Relationship %s -> %s",
                      before ? before : "none", level);
        if (cause) {
            rp_buf_puts(&summary, " when ");
            rp_buf_put_cut(&summary, cause, 200);
        }
        if (why) {
            rp_buf_puts(&summary, ": ");
            rp_buf_put_cut(&summary, why, 200);
        }
        json_t *detail = json_pack("{s:o, s:s, s:O, s:o}", "previous_level",
                                   before ? json_string(before) : json_null(),
                                   "level", level, "reasons", reasons, "cause",
                                   cause ? json_string(cause) : json_null());
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

const char *const rp_relationship_levels[] = {"transactional", "incremental",
                                              "formative", "partnership", NULL};

/* What the evidence rows say, read once. */
typedef struct {
    json_t *rows;
    int64_t closed;
    int went_on; /* a second closed encounter, a follow-up done or a
                    promise kept: the relationship went on after a visit */
} evidence;

/* Rows of this rule, and the newest "at" among them (0 when none). */
static int rows_of(const evidence *ev, const char *rule, int64_t *newest)
{
    int n = 0;
    size_t i;
    json_t *row;
    if (newest)
        *newest = 0;
    json_array_foreach(ev->rows, i, row) {
        const char *r = json_string_value(json_object_get(row, "rule"));
        if (!r || strcmp(r, rule))
            continue;
        n++;
        int64_t at = json_integer_value(json_object_get(row, "at"));
        if (newest && at > *newest)
            *newest = at;
    }
    return n;
}

static int has(const evidence *ev, const char *rule)
{
    return rows_of(ev, rule, NULL) > 0;
}

/* The encounter ids of this rule's rows (new array). */
static json_t *ids_of(const evidence *ev, const char *rule)
{
    json_t *ids = json_array(), *row;
    size_t i;
    json_array_foreach(ev->rows, i, row) {
        const char *r = json_string_value(json_object_get(row, "rule"));
        json_t *eid = json_object_get(row, "encounter_id");
        if (r && !strcmp(r, rule) && json_is_integer(eid))
            json_array_append(ids, eid);
    }
    return ids;
}

static int level_index(const char *level)
{
    for (int i = 0; rp_relationship_levels[i]; i++)
        if (!strcmp(rp_relationship_levels[i], level))
            return i;
    return 0;
}

/*
 * The rules, highest level first.  `evidence` is the row the rule rests
 * on; `holds` adds what the pattern over time must show.  docs/rules.md
 * has the same table.
 */
static int formal_holds(const evidence *ev)
{
    return has(ev, "formal_exchange") && ev->closed >= 3;
}
static int become_holds(const evidence *ev)
{
    return has(ev, "become_encounter") && ev->went_on;
}
static int resolution_holds(const evidence *ev)
{
    return has(ev, "resolution_satisfied") && ev->went_on;
}
static int goal_holds(const evidence *ev)
{
    return has(ev, "active_goal");
}
static int followed_holds(const evidence *ev)
{
    return has(ev, "supplemental_followed_up");
}
static int three_holds(const evidence *ev)
{
    return ev->closed >= 3;
}
/* One visit beyond a transaction is a first step, not yet a pattern. */
static int first_step_holds(const evidence *ev)
{
    return has(ev, "formal_exchange") || has(ev, "become_encounter") ||
           has(ev, "resolution_satisfied");
}

static const struct level_rule {
    const char *rule, *level, *evidence;
    int (*holds)(const evidence *);
    const char *why;
} level_rules[] = {
    {"formal_exchange", "partnership", "formal_exchange", formal_holds,
     "a formal exchange (a contract, or a meeting at senior level) was "
     "closed, on a history of 3 or more closed encounters"},
    {"become_encounter", "formative", "become_encounter", become_holds,
     "an encounter about what the customer wants to become was closed, and "
     "the relationship went on (another visit, a follow-up done or a promise "
     "kept)"},
    {"resolution_satisfied", "formative", "resolution_satisfied",
     resolution_holds,
     "a need worked out together left the customer satisfied (4 or 5), and "
     "the relationship went on (another visit, a follow-up done or a promise "
     "kept)"},
    {"active_goal", "formative", "active_goal", goal_holds,
     "the customer has an active goal kept in their profile"},
    {"supplemental_followed_up", "incremental", "supplemental_followed_up",
     followed_holds,
     "a supplemental exchange was closed and its follow-up was done"},
    {"three_closed_encounters", "incremental", "closed_encounter", three_holds,
     "three or more encounters were closed"},
    {"first_step", "incremental", NULL, first_step_holds,
     "one encounter went beyond a transaction (a become, a satisfying "
     "resolution or a formal exchange); one visit is a first step, not yet "
     "a pattern"},
};

/* The ids a rule rests on: its own rows, or for first_step those of any
 * single-visit evidence. */
static json_t *rule_ids(const evidence *ev, const struct level_rule *lr)
{
    if (lr->evidence)
        return ids_of(ev, lr->evidence);
    static const char *const single[] = {"formal_exchange", "become_encounter",
                                         "resolution_satisfied"};
    json_t *ids = json_array();
    for (size_t i = 0; i < sizeof single / sizeof single[0]; i++) {
        json_t *some = ids_of(ev, single[i]);
        json_array_extend(ids, some);
        json_decref(some);
    }
    return ids;
}

static json_t *reason(const char *rule, const char *level, const char *why,
                      json_t *ids)
{
    return json_pack("{s:s, s:s, s:s, s:o}", "rule", rule, "level", level,
                     "why", why, "encounter_ids", ids);
}

static void add_reason(json_t *reasons, const char *rule, const char *level,
                       const char *why, json_t *ids)
{
    json_array_append_new(reasons, reason(rule, level, why, ids));
}

/*
 * What holds the level back a step: the newest settled promise was broken,
 * or the newest satisfaction answer was 1 or 2.  Trust lost in the last
 * contact weighs more than the history behind it, until a promise is kept
 * or a better answer comes.
 */
static int held_back(const evidence *ev, json_t *reasons, const char *level)
{
    int64_t kept_at, broken_at;
    rows_of(ev, "promise_kept", &kept_at);
    int broken = rows_of(ev, "promise_broken", &broken_at) > 0 &&
                 broken_at >= kept_at;
    json_int_t score = 0;
    json_t *row;
    size_t i;
    json_t *sat_id = json_array();
    json_array_foreach(ev->rows, i, row) {
        const char *r = json_string_value(json_object_get(row, "rule"));
        if (r && !strcmp(r, "latest_satisfaction")) {
            score = json_integer_value(json_object_get(row, "score"));
            json_t *eid = json_object_get(row, "encounter_id");
            if (json_is_integer(eid))
                json_array_append(sat_id, eid);
        }
    }
    int unhappy = score >= 1 && score <= 2;
    int to = level_index(level) > 0 ? level_index(level) - 1 : 0;
    const char *lower = rp_relationship_levels[to];
    /* first, so the first reason always names the level it gives */
    if (unhappy)
        json_array_insert_new(
            reasons, 0,
            reason("unhappy_answer", lower,
                   score == 1 ? "the newest satisfaction answer was 1 of 5: "
                                "held back a step"
                              : "the newest satisfaction answer was 2 of 5: "
                                "held back a step",
                   json_incref(sat_id)));
    if (broken)
        json_array_insert_new(
            reasons, 0,
            reason("promise_broken", lower,
                   "the newest promise settled was broken, and none kept "
                   "since: held back a step",
                   ids_of(ev, "promise_broken")));
    json_decref(sat_id);
    return broken || unhappy;
}

void rp_level_decide(json_t *rows, int64_t closed_count, const char **level,
                     json_t **reasons)
{
    evidence ev = {rows, closed_count, 0};
    ev.went_on = closed_count >= 2 || has(&ev, "follow_up_done") ||
                 has(&ev, "promise_kept");
    *level = "transactional";
    *reasons = json_array();
    for (size_t r = 0; r < sizeof level_rules / sizeof level_rules[0]; r++) {
        const struct level_rule *lr = &level_rules[r];
        if (!lr->holds(&ev))
            continue;
        /* a first step says nothing more once a higher rule holds */
        if (!lr->evidence && json_array_size(*reasons) > 0)
            continue;
        if (json_array_size(*reasons) == 0)
            *level = lr->level;
        add_reason(*reasons, lr->rule, lr->level, lr->why, rule_ids(&ev, lr));
    }
    if (json_array_size(*reasons) == 0)
        add_reason(*reasons, "default", "transactional",
                   closed_count ? "only quick or unfollowed exchanges so far"
                                : "no encounter closed yet",
                   ids_of(&ev, "closed_encounter"));
    if (held_back(&ev, *reasons, *level) && level_index(*level) > 0)
        *level = rp_relationship_levels[level_index(*level) - 1];
}
