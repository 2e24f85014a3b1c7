/*
 * cycle.c - the interaction cycle of seed 004 as a state machine:
 * received -> understood -> helped -> kept -> closed, or abandoned from any
 * open stage.
 *
 * A stage is left only when what the table of docs/rules.md asks for is there (the
 * rules are in rp_cycle_check, infer.c), so a refusal always names the
 * missing piece and says what to do.  Each transition sets the stage's
 * timestamp and writes its moment of truth in the same transaction; closing
 * also settles the kind and exchange and recomputes the customer's
 * relationship level, so the history a level is read from is never out of
 * step with the encounters it names.
 */
#include <stdio.h>
#include <string.h>

#include "core/encounter/encounter_internal.h"

/* ---- helpers shared by the engine (engine_internal.h) -------------------- */

rp_code rp_encounter_load(rp_ctx *ctx, int64_t id, json_t **enc, rp_error *err)
{
    return rp_encounter_get(ctx, id, enc, err);
}

int64_t rp_encounter_row_id(json_t *enc)
{
    return json_integer_value(json_object_get(enc, "id"));
}

int64_t rp_encounter_row_customer(json_t *enc)
{
    return json_integer_value(json_object_get(enc, "customer_id"));
}

int rp_encounter_is_open(json_t *enc)
{
    int i = rp_cycle_stage_index(json_string_value(json_object_get(enc, "stage")));
    return i >= 0 && i < 4;
}

rp_code rp_encounter_require_open(json_t *enc, const char *doing, rp_error *err)
{
    if (rp_encounter_is_open(enc))
        return RP_OK;
    return rp_error_set(err, RP_ECONFLICT, "stage",
                        "encounter %lld is %s; %s needs an open encounter",
                        (long long)rp_encounter_row_id(enc),
                        json_string_value(json_object_get(enc, "stage")), doing);
}

static int int_of(json_t *row, const char *key)
{
    json_t *v = json_object_get(row, key);
    if (json_is_integer(v))
        return (int)json_integer_value(v);
    if (json_is_true(v))
        return 1;
    return 0;
}

rp_code rp_encounter_facts_read(rp_ctx *ctx, json_t *enc, rp_encounter_facts *f,
                        rp_error *err)
{
    json_t *params = json_pack("[I,I]", (json_int_t)rp_encounter_row_customer(enc),
                               (json_int_t)rp_encounter_row_id(enc));
    json_t *rows = NULL;
    rp_code rc = ctx->store->ops->query(ctx->store, "engine.encounter_facts",
                                        params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *r = json_array_get(rows, 0);
    memset(f, 0, sizeof *f);
    f->satisfaction_answered = int_of(r, "sat_answered");
    f->satisfaction_best = int_of(r, "sat_best");
    f->satisfaction_scheduled = int_of(r, "sat_scheduled");
    f->follow_ups = int_of(r, "follow_ups");
    f->follow_ups_done = int_of(r, "follow_ups_done");
    f->promises = int_of(r, "promises");
    f->request_known_at_ack = int_of(r, "request_known");
    json_decref(rows);
    return RP_OK;
}

rp_code rp_encounter_finish(rp_ctx *ctx, rp_code rc, rp_error *err)
{
    if (rc == RP_OK)
        rc = rp_store_commit(ctx->store, err);
    if (rc)
        rp_store_rollback(ctx->store);
    return rc;
}

/* ---- acknowledge --------------------------------------------------------- */

static const char *const no_fields[] = {NULL};

static rp_code greeting_name(rp_ctx *ctx, int64_t customer_id, char *buf,
                             size_t size, rp_error *err)
{
    json_t *c;
    if (rp_customer_get(ctx, customer_id, &c, err))
        return err->code;
    snprintf(buf, size, "%s",
             json_string_value(json_object_get(c, "greeting_name")));
    json_decref(c);
    return RP_OK;
}

rp_code rp_encounter_acknowledge(rp_ctx *ctx, int64_t id, json_t *in,
                                 json_t **out, rp_error *err)
{
    if (in && rp_in_object(in, no_fields, err))
        return err->code;
    json_t *enc = NULL;
    rp_code rc = rp_store_begin(ctx->store, err);
    if (rc == RP_OK)
        rc = rp_encounter_load(ctx, id, &enc, err);
    if (rc == RP_OK)
        rc = rp_encounter_require_open(enc, "acknowledging", err);
    int already = rc == RP_OK &&
                  !json_is_null(json_object_get(enc, "acknowledged_at"));
    char name[128] = "";
    if (rc == RP_OK && !already)
        rc = greeting_name(ctx, rp_encounter_row_customer(enc), name, sizeof name, err);
    if (rc || already) {
        rp_store_rollback(ctx->store);
        json_decref(enc);
        return rc ? rc : rp_encounter_get(ctx, id, out, err);
    }
    int64_t now = rp_now(), created = 0;
    rp_time_parse(json_string_value(json_object_get(enc, "created_at")), &created);
    json_t *row = json_pack("{s:I, s:I}", "acknowledged_at", (json_int_t)now,
                            "updated_at", (json_int_t)now);
    if (json_is_null(json_object_get(enc, "first_response_at")))
        json_object_set_new(row, "first_response_at", json_integer(now));
    const char *request = json_string_value(json_object_get(enc, "request"));
    int request_known = request && *request;
    rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_ENCOUNTER, id, row, err);
    char summary[300];
    int64_t wait = now - created > 0 ? now - created : 0;
    snprintf(summary, sizeof summary,
             "Acknowledged after %lld min %lld s; greeted as %s",
             (long long)(wait / 60), (long long)(wait % 60), name);
    json_t *detail = json_pack("{s:I, s:b, s:s}", "wait_seconds",
                               (json_int_t)wait, "request_known", request_known,
                               "greeted_as", name);
    rp_moment m = {.customer_id = rp_encounter_row_customer(enc),
                   .encounter_id = id,
                   .channel = json_string_value(json_object_get(enc, "channel")),
                   .kind = "encounter.acknowledged",
                   .summary = summary,
                   .detail = detail};
    if (rc == RP_OK)
        rc = rp_moment_record(ctx, &m, err);
    json_decref(detail);
    rc = rp_encounter_finish(ctx, rc, err);
    json_decref(row);
    json_decref(enc);
    return rc ? rc : rp_encounter_get(ctx, id, out, err);
}

/* ---- advance ------------------------------------------------------------- */

static const char *const advance_fields[] = {"to", NULL};

/* Settle kind, exchange and first-contact resolution at close. */
static void settle_on_close(json_t *merged, const rp_encounter_facts *f,
                            json_t *row)
{
    const char *src = json_string_value(json_object_get(merged, "kind_source"));
    if (!src || strcmp(src, "agent") != 0) {
        const char *kind, *why;
        rp_kind_infer(merged, &kind, &why);
        json_object_set_new(row, "kind", json_string(kind));
        json_object_set_new(row, "kind_reason", json_string(why));
        json_object_set_new(row, "kind_source", json_string("inferred"));
        json_object_set_new(merged, "kind", json_string(kind));
    }
    src = json_string_value(json_object_get(merged, "exchange_source"));
    if (!src || strcmp(src, "agent") != 0) {
        const char *exchange, *why;
        rp_exchange_infer(merged, f, &exchange, &why);
        json_object_set_new(row, "exchange", json_string(exchange));
        json_object_set_new(row, "exchange_reason", json_string(why));
        json_object_set_new(row, "exchange_source", json_string("inferred"));
        json_object_set_new(merged, "exchange", json_string(exchange));
    }
    if (json_is_null(json_object_get(merged, "first_contact_resolved"))) {
        int fcr = json_integer_value(json_object_get(merged, "transfers")) == 0;
        json_object_set_new(row, "first_contact_resolved", json_boolean(fcr));
    }
}

static void transition_summary(json_t *m, const rp_encounter_facts *f,
                               const char *to, char *buf, size_t size)
{
#define TXT(k) json_string_value(json_object_get(m, k))
    if (!strcmp(to, "understood"))
        snprintf(buf, size, "Understood: %.200s", TXT("facts"));
    else if (!strcmp(to, "helped") && TXT("agreement") && *TXT("agreement"))
        snprintf(buf, size, "Helped: agreed %.200s", TXT("agreement"));
    else if (!strcmp(to, "helped"))
        snprintf(buf, size, "Helped: no agreement (%.200s)",
                 TXT("no_agreement_reason"));
    else if (!strcmp(to, "kept"))
        snprintf(buf, size, "Keeping the customer: check satisfaction, thank, "
                            "bridge, follow up");
    else
        snprintf(buf, size, "Closed (kind %s, exchange %s; satisfaction %s)%s%.200s",
                 TXT("kind"), TXT("exchange"),
                 f->satisfaction_answered    ? "checked"
                 : f->satisfaction_scheduled ? "check scheduled"
                                             : "check skipped",
                 TXT("outcome_done") ? ": " : "",
                 TXT("outcome_done") ? TXT("outcome_done") : "");
#undef TXT
}

/*
 * Put the customer's loyalty on the outcome of a closing encounter: the
 * tier and discount earned by the visits before this one (seed 003: "they
 * noticed that I am a permanent client and I will get a discount").
 */
static rp_code apply_loyalty(rp_ctx *ctx, int64_t customer_id, json_t *row,
                             char *note, size_t size, rp_error *err)
{
    json_t *loyalty = NULL;
    if (rp_loyalty_for_customer(ctx, customer_id, &loyalty, err))
        return err->code;
    json_t *tier = json_object_get(loyalty, "tier");
    double discount =
        json_number_value(json_object_get(loyalty, "discount_percent"));
    json_object_set_new(row, "loyalty_tier",
                        json_is_string(tier) ? json_copy(tier) : json_null());
    json_object_set_new(row, "loyalty_discount_percent", json_real(discount));
    if (json_is_true(json_object_get(loyalty, "returning")) && discount > 0)
        snprintf(note, size, "%s",
                 json_string_value(json_object_get(loyalty, "summary")));
    json_decref(loyalty);
    return RP_OK;
}

static rp_code advance_in_tx(rp_ctx *ctx, json_t *enc, json_t *row,
                             const char *to, rp_error *err)
{
    rp_encounter_facts f;
    int64_t id = rp_encounter_row_id(enc), now = rp_now();
    json_t *merged = json_deep_copy(enc);
    json_object_update(merged, row);
    rp_code rc = rp_encounter_facts_read(ctx, enc, &f, err);
    if (rc == RP_OK)
        rc = rp_cycle_check(merged, &f, to, err);
    if (rc) {
        json_decref(merged);
        return rc;
    }
    int closing = strcmp(to, "closed") == 0;
    char loyalty_note[160] = "";
    if (closing) {
        settle_on_close(merged, &f, row);
        rc = apply_loyalty(ctx, rp_encounter_row_customer(enc), row, loyalty_note,
                           sizeof loyalty_note, err);
        if (rc) {
            json_decref(merged);
            return rc;
        }
    }
    char stamp[32];
    snprintf(stamp, sizeof stamp, "%s_at", to);
    json_object_set_new(row, "stage", json_string(to));
    json_object_set_new(row, stamp, json_integer(now));
    json_object_set_new(row, "updated_at", json_integer(now));
    rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_ENCOUNTER, id, row, err);
    char kind[40], summary[320];
    snprintf(kind, sizeof kind, "encounter.%s", to);
    transition_summary(merged, &f, to, summary, sizeof summary);
    if (loyalty_note[0]) {
        size_t len = strlen(summary);
        snprintf(summary + len, sizeof summary - len, "; %s", loyalty_note);
    }
    rp_moment m = {.customer_id = rp_encounter_row_customer(enc),
                   .encounter_id = id,
                   .channel = json_string_value(json_object_get(enc, "channel")),
                   .kind = kind,
                   .summary = summary};
    if (rc == RP_OK)
        rc = rp_moment_record(ctx, &m, err);
    if (rc == RP_OK && closing)
        rc = rp_relationship_recompute(ctx, rp_encounter_row_customer(enc), id, err);
    json_decref(merged);
    return rc;
}

rp_code rp_encounter_advance(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                             rp_error *err)
{
    const char *to;
    json_t *row = json_object(), *enc = NULL;
    rp_code rc = rp_encounter_read_fields(in, advance_fields, row, err);
    if (rc == RP_OK && rp_in_string(in, "to", 0, 20, &to, err))
        rc = err->code;
    if (rc == RP_OK && !to)
        rc = rp_error_set(err, RP_EINVALID, "to",
                          "to is required: the stage to move to (understood, "
                          "helped, kept or closed)");
    if (rc == RP_OK && rp_cycle_stage_index(to) < 1)
        rc = rp_error_set(err, RP_EINVALID, "to",
                          "to must be one of: understood, helped, kept, closed "
                          "(use abandon to give up), not \"%.30s\"",
                          to);
    if (rc == RP_OK && (rc = rp_store_begin(ctx->store, err)) == RP_OK) {
        rc = rp_encounter_load(ctx, id, &enc, err);
        if (rc == RP_OK)
            rc = advance_in_tx(ctx, enc, row, to, err);
        rc = rp_encounter_finish(ctx, rc, err);
    }
    json_decref(row);
    json_decref(enc);
    return rc ? rc : rp_encounter_get(ctx, id, out, err);
}

/* ---- abandon ------------------------------------------------------------- */

static const char *const abandon_fields[] = {"reason", NULL};

rp_code rp_encounter_abandon(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                             rp_error *err)
{
    const char *reason;
    if (rp_in_object(in, abandon_fields, err) ||
        rp_in_string(in, "reason", 1, 500, &reason, err))
        return err->code;
    json_t *enc = NULL;
    rp_code rc = rp_store_begin(ctx->store, err);
    if (rc == RP_OK)
        rc = rp_encounter_load(ctx, id, &enc, err);
    if (rc == RP_OK)
        rc = rp_encounter_require_open(enc, "abandoning", err);
    if (rc) {
        rp_store_rollback(ctx->store);
        json_decref(enc);
        return rc;
    }
    int64_t now = rp_now();
    json_t *row = json_pack("{s:s, s:I, s:s, s:I}", "stage", "abandoned",
                            "abandoned_at", (json_int_t)now, "abandon_reason",
                            reason, "updated_at", (json_int_t)now);
    if (json_is_null(json_object_get(enc, "first_contact_resolved")))
        json_object_set_new(row, "first_contact_resolved", json_false());
    rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_ENCOUNTER, id, row,
                                 err);
    char summary[600];
    snprintf(summary, sizeof summary, "Abandoned at stage %s: %s",
             json_string_value(json_object_get(enc, "stage")), reason);
    rp_moment m = {.customer_id = rp_encounter_row_customer(enc),
                   .encounter_id = id,
                   .channel = json_string_value(json_object_get(enc, "channel")),
                   .kind = "encounter.abandoned",
                   .summary = summary,
                   .impression = "negative"};
    if (rc == RP_OK)
        rc = rp_moment_record(ctx, &m, err);
    if (rc == RP_OK)
        rc = rp_relationship_recompute(ctx, rp_encounter_row_customer(enc), id, err);
    rc = rp_encounter_finish(ctx, rc, err);
    json_decref(row);
    json_decref(enc);
    return rc ? rc : rp_encounter_get(ctx, id, out, err);
}
