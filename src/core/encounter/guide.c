/*
 * guide.c - what the agent sees during an encounter: the skills of the
 * current stage of seed 004 as a checklist, personalised for the customer.
 *
 * A read-only view built from a fixed number of named, indexed
 * queries (the customer.* queries of store/queries.h), so its cost does not
 * grow with the customer's history.
 */
#include <stdio.h>
#include <string.h>

#include "core/encounter/encounter_internal.h"

static rp_code q(rp_ctx *ctx, rp_query name, json_t *params, json_t **rows,
                 rp_error *err)
{
    return ctx->store->ops->query(ctx->store, name, params, rows, err);
}

/* The same rule as the cycle's, so a ticked skill is never "missing". */
static int has_text(json_t *o, const char *key)
{
    return !rp_text_is_blank(json_string_value(json_object_get(o, key)));
}

static int has_items(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_array(v) && json_array_size(v) > 0;
}

static void skill(json_t *list, const char *name, int done, const char *hint)
{
    json_array_append_new(list, json_pack("{s:s, s:b, s:s}", "skill", name,
                                          "done", done, "hint", hint));
}

/* The skills of seed 004 for the stage, ticked from what is recorded. */
static json_t *checklist(json_t *enc, const rp_encounter_facts *f, int stage)
{
    json_t *l = json_array();
    int acked = !json_is_null(json_object_get(enc, "acknowledged_at"));
    switch (stage) {
    case 0:
        skill(l, "greet by name", acked, "greet with the greeting above");
        skill(l, "acknowledge", acked,
              "acknowledge the customer: it stops the wait clock");
        break;
    case 1:
        skill(l, "listen for facts", has_text(enc, "facts"), "record facts");
        skill(l, "listen for feelings", has_text(enc, "feelings"),
              "record feelings");
        skill(l, "ask open questions", has_items(enc, "questions"),
              "record the questions asked");
        skill(l, "restate", has_text(enc, "restatement"),
              "restate the need in your words and record it");
        break;
    case 2:
        skill(l, "offer information and options",
              has_items(enc, "options") ||
                  json_is_true(json_object_get(enc, "information_requested")),
              "record the options offered");
        skill(l, "set realistic expectations", f->promises > 0,
              "record what was promised, by when");
        skill(l, "get agreement",
              has_text(enc, "agreement") ||
                  has_text(enc, "no_agreement_reason"),
              "record the agreement, or why there is none");
        break;
    case 3:
        skill(l, "check satisfaction",
              f->satisfaction_answered > 0 || f->satisfaction_scheduled > 0,
              "ask a score and three words, or schedule a check");
        skill(l, "thank", json_is_true(json_object_get(enc, "thanked")),
              "thank the customer");
        skill(l, "bridge to other needs", has_text(enc, "bridged"),
              "ask about other needs and record what came up");
        skill(l, "follow up", f->follow_ups > 0, "schedule a follow-up");
        break;
    }
    return l;
}

static void greeting(const char *name, rp_buf *b)
{
    int64_t now = rp_now();
    int hour = (int)((now % 86400 + 86400) % 86400 / 3600);
    rp_buf_printf(b, "%s, %s",
                  hour < 12   ? "Good morning"
                  : hour < 18 ? "Good afternoon"
                              : "Good evening",
                  name ? name : "");
}

static rp_code guide_read(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err)
{
    json_t *enc = NULL, *customer = NULL, *prefs = NULL, *promises = NULL,
           *follow = NULL;
    rp_encounter_facts f;
    if (rp_encounter_load(ctx, id, &enc, err))
        return err->code;
    int64_t cid = rp_encounter_row_customer(enc);
    json_t *p1 = json_pack("[I]", (json_int_t)cid);
    json_t *p2 = json_pack("[I,I]", (json_int_t)cid, (json_int_t)rp_now());
    rp_code rc = rp_customer_get(ctx, cid, &customer, err);
    if (rc == RP_OK)
        rc = rp_encounter_facts_read(ctx, enc, &f, err);
    if (rc == RP_OK)
        rc = q(ctx, RP_Q_CUSTOMER_FIRM_PREFERENCES, p1, &prefs, err);
    if (rc == RP_OK)
        rc = q(ctx, RP_Q_CUSTOMER_OPEN_PROMISES, p1, &promises, err);
    if (rc == RP_OK)
        rc = q(ctx, RP_Q_CUSTOMER_OPEN_FOLLOW_UPS, p2, &follow, err);
    json_decref(p1);
    json_decref(p2);
    if (rc) {
        json_decref(enc);
        json_decref(customer);
        json_decref(prefs);
        json_decref(promises);
        json_decref(follow);
        return rc;
    }
    const char *stage = json_string_value(json_object_get(enc, "stage"));
    int si = rp_cycle_stage_index(stage);
    rp_buf hello = RP_BUF_INIT;
    greeting(json_string_value(json_object_get(customer, "greeting_name")),
             &hello);
    json_t *missing = json_array(), *next = json_null();
    if (si >= 0 && si < 4) {
        rp_error why;
        next = json_string(rp_encounter_stages[si + 1]);
        if (rp_cycle_check(enc, &f, rp_encounter_stages[si + 1], &why))
            json_array_append_new(missing,
                                  json_pack("{s:s, s:s}", "field", why.field,
                                            "message", why.message));
    }
    const char *kind, *kind_why, *exch, *exch_why;
    rp_kind_infer(enc, &kind, &kind_why);
    rp_exchange_infer(enc, &f, &exch, &exch_why);
    *out = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
                     " s:{s:s, s:s}, s:{s:s, s:s}}",
                     "encounter_id", (json_int_t)id, "stage", stage, "greeting",
                     rp_buf_str(&hello), "customer", customer, "relationship",
                     rp_relationship_summary(customer), "open_promises",
                     promises, "open_follow_ups", follow, "firm_preferences",
                     prefs, "checklist", checklist(enc, &f, si), "next_stage",
                     next, "missing", missing, "kind_preview", "kind", kind,
                     "reason", kind_why, "exchange_preview", "exchange", exch,
                     "reason", exch_why);
    rp_buf_free(&hello);
    json_decref(enc);
    if (!*out)
        return rp_error_set(err, RP_EINTERNAL, NULL, "cannot build the guide");
    /* Seed 003's car service: a returning customer is recognised on
     * receiving, with the discount their loyalty has earned. */
    json_t *loyalty = NULL;
    if (rp_loyalty_for_customer(ctx, cid, &loyalty, err)) {
        json_decref(*out);
        *out = NULL;
        return err->code;
    }
    json_object_set_new(*out, "loyalty", loyalty);
    return RP_OK;
}

/* The guide reads one snapshot of the encounter and its customer. */
rp_code rp_encounter_guide(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err)
{
    if (rp_store_read_begin(ctx->store, err))
        return err->code;
    rp_code rc = guide_read(ctx, id, out, err);
    rp_store_read_end(ctx->store);
    return rc;
}
