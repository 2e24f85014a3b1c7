/*
 * cycle.c - the interaction cycle of seed 004 as a state machine:
 * received -> understood -> helped -> kept -> closed, or abandoned from any
 * open stage.
 *
 * A stage is left only when what the table of docs/rules.md asks for is there
 * (the rules are in rp_cycle_check, infer.c), so a refusal always names the
 * missing piece and says what to do.  Each transition sets the stage's
 * timestamp and writes its moment of truth in the same transaction; closing
 * also settles the kind and exchange and recomputes the customer's
 * relationship level, so the history a level is read from is never out of
 * step with the encounters it names.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/encounter/encounter_internal.h"

/* ---- helpers shared by the encounter files (encounter_internal.h) -------- */

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
    int i = rp_cycle_stage_index(
        json_string_value(json_object_get(enc, "stage")));
    return i >= 0 && i < 4;
}

rp_code rp_encounter_require_open(json_t *enc, const char *doing, rp_error *err)
{
    if (rp_encounter_is_open(enc))
        return RP_OK;
    return rp_error_refuse(err, RP_ECONFLICT, "stage", "finished", 0,
                           "this encounter is %s, so %s is no longer possible; "
                           "open a new encounter with the customer instead",
                           rp_encounter_stage_words(json_string_value(
                               json_object_get(enc, "stage"))),
                           doing);
}

const char *rp_encounter_stage_words(const char *stage)
{
    static const char *const words[][2] = {
        {"received", "receiving"}, {"understood", "understanding"},
        {"helped", "helping"},     {"kept", "keeping"},
        {"closed", "closed"},      {"abandoned", "abandoned"},
    };
    for (size_t i = 0; stage && i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(words[i][0], stage))
            return words[i][1];
    return stage ? stage : "unknown";
}

void rp_encounter_put_duration(rp_buf *b, int64_t seconds)
{
    if (seconds < 0)
        seconds = 0;
    int64_t m = seconds / 60, h = m / 60;
    if (seconds < 60)
        rp_buf_printf(b, "%lld s", (long long)seconds);
    else if (m < 60)
        rp_buf_printf(b, "%lld min", (long long)m);
    else if (h < 48)
        rp_buf_printf(b, "%lld h %02lld min", (long long)h,
                      (long long)(m % 60));
    else
        rp_buf_printf(b, "%lld days", (long long)(h / 24));
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
    json_t *params = json_pack("[I,I]",
                               (json_int_t)rp_encounter_row_customer(enc),
                               (json_int_t)rp_encounter_row_id(enc));
    json_t *rows = NULL;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_ENCOUNTER_FACTS,
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
    f->promises_open = int_of(r, "promises_open");
    f->promises_broken = int_of(r, "promises_broken");
    f->inbound_messages = int_of(r, "inbound_messages");
    f->opened_by_message = int_of(r, "opened_by_message") > 0;
    f->reopened = int_of(r, "reopened");
    json_decref(rows);
    return RP_OK;
}

/* ---- acknowledge --------------------------------------------------------- */

/* The customer's greeting name, whole: it is quoted in a moment's detail,
 * so it must not be cut in the middle of a character. */
static rp_code greeting_name(rp_ctx *ctx, int64_t customer_id, rp_buf *name,
                             rp_error *err)
{
    json_t *c;
    if (rp_customer_get(ctx, customer_id, &c, err))
        return err->code;
    rp_buf_put_cut(name, json_string_value(json_object_get(c, "greeting_name")),
                   SIZE_MAX);
    json_decref(c);
    return RP_OK;
}

rp_code rp_encounter_begin_change(rp_ctx *ctx, int64_t id, int need_open,
                                  const char *doing, json_t **enc,
                                  rp_error *err)
{
    *enc = NULL;
    if (rp_store_begin(ctx->store, err))
        return err->code;
    if (rp_encounter_load(ctx, id, enc, err) ||
        (need_open && rp_encounter_require_open(*enc, doing, err))) {
        rp_store_rollback(ctx->store);
        json_decref(*enc);
        *enc = NULL;
        return err->code;
    }
    return RP_OK;
}

/* When the customer of enc started waiting: arrived_at, else created_at,
 * else fallback. */
static int64_t arrival_of(json_t *enc, int64_t fallback)
{
    int64_t t = fallback;
    if (rp_time_parse(json_string_value(json_object_get(enc, "arrived_at")),
                      &t) &&
        rp_time_parse(json_string_value(json_object_get(enc, "created_at")),
                      &t))
        t = fallback;
    return t;
}

rp_code rp_encounter_acknowledge_in(rp_ctx *ctx, json_t *enc, int64_t at,
                                    rp_error *err)
{
    if (rp_encounter_require_open(enc, "acknowledging", err))
        return err->code;
    if (!json_is_null(json_object_get(enc, "acknowledged_at")))
        return RP_OK;
    int64_t id = rp_encounter_row_id(enc);
    rp_buf name = RP_BUF_INIT;
    if (greeting_name(ctx, rp_encounter_row_customer(enc), &name, err)) {
        rp_buf_free(&name);
        return err->code;
    }
    int64_t arrived = arrival_of(enc, at);
    json_t *row = json_pack("{s:I, s:I}", "acknowledged_at", (json_int_t)at,
                            "updated_at", (json_int_t)rp_now());
    if (json_is_null(json_object_get(enc, "first_response_at")))
        json_object_set_new(row, "first_response_at", json_integer(at));
    const char *request = json_string_value(json_object_get(enc, "request"));
    int request_known = !rp_text_is_blank(request);
    rp_code rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_ENCOUNTER, id,
                                         row, err);
    rp_buf summary = RP_BUF_INIT;
    int64_t wait = at - arrived > 0 ? at - arrived : 0;
    rp_buf_printf(&summary, "Acknowledged after %lld min %lld s; greeted as ",
                  (long long)(wait / 60), (long long)(wait % 60));
    rp_buf_put_cut(&summary, rp_buf_str(&name), 100);
    json_t *detail = json_pack("{s:I, s:b, s:s}", "wait_seconds",
                               (json_int_t)wait, "request_known", request_known,
                               "greeted_as", rp_buf_str(&name));
    rp_moment m = {
        .customer_id = rp_encounter_row_customer(enc),
        .encounter_id = id,
        .channel = json_string_value(json_object_get(enc, "channel")),
        .kind = "encounter.acknowledged",
        .summary = rp_buf_str(&summary),
        .detail = detail};
    if (rc == RP_OK)
        rc = rp_moment_record(ctx, &m, err);
    json_decref(detail);
    rp_buf_free(&summary);
    rp_buf_free(&name);
    json_decref(row);
    return rc;
}

rp_code rp_encounter_acknowledge(rp_ctx *ctx, int64_t id, json_t *in,
                                 json_t **out, rp_error *err)
{
    if (in && rp_in_fields(in, rp_no_fields, 1, err))
        return err->code;
    json_t *enc = NULL;
    rp_code rc = rp_encounter_begin_change(ctx, id, 1, "acknowledging", &enc,
                                           err);
    if (rc)
        return rc;
    if (!json_is_null(json_object_get(enc, "acknowledged_at"))) {
        rp_store_rollback(ctx->store);
        json_decref(enc);
        return rp_encounter_get(ctx, id, out, err);
    }
    rc = rp_encounter_acknowledge_in(ctx, enc, rp_now(), err);
    rc = rp_store_finish(ctx->store, rc, err);
    json_decref(enc);
    return rc ? rc : rp_encounter_get(ctx, id, out, err);
}

/* ---- advance ------------------------------------------------------------- */

/*
 * Settle one of kind and exchange at close.  The rules always give their
 * verdict (kept in <key>_inferred, so an override can be counted against
 * it); the agent's word, once given, is kept and the reason says whether
 * the rules agree.
 */
static void settle_one(json_t *merged, json_t *row, const char *key,
                       const char *inferred, const char *rule_why)
{
    char reason[40], source[40], rule[40];
    snprintf(reason, sizeof reason, "%s_reason", key);
    snprintf(source, sizeof source, "%s_source", key);
    snprintf(rule, sizeof rule, "%s_inferred", key);
    json_object_set_new(row, rule, json_string(inferred));
    const char *src = json_string_value(json_object_get(merged, source));
    const char *agents = json_string_value(json_object_get(merged, key));
    if (!src || strcmp(src, "agent") != 0 || !agents) {
        json_object_set_new(row, key, json_string(inferred));
        json_object_set_new(row, reason, json_string(rule_why));
        json_object_set_new(row, source, json_string("inferred"));
        json_object_set_new(merged, key, json_string(inferred));
        return;
    }
    char override[48];
    snprintf(override, sizeof override, "%s_override_reason", key);
    const char *agent_why = json_string_value(
        json_object_get(merged, override));
    rp_buf b = RP_BUF_INIT;
    rp_buf_puts(&b, "set by the agent");
    if (!rp_text_is_blank(agent_why)) {
        rp_buf_puts(&b, " (");
        rp_buf_puts(&b, agent_why);
        rp_buf_puts(&b, ")");
    }
    if (strcmp(agents, inferred) == 0)
        rp_buf_printf(&b, ", and the rules agree: %s", rule_why);
    else
        rp_buf_printf(&b, "; the rules would say %s, because %s", inferred,
                      rule_why);
    json_object_set_new(row, reason, json_string(rp_buf_str(&b)));
    rp_buf_free(&b);
}

/* Settle kind, exchange and first-contact resolution at close. */
static void settle_on_close(json_t *merged, const rp_encounter_facts *f,
                            json_t *row)
{
    const char *kind, *exchange;
    rp_buf kind_why = RP_BUF_INIT, exchange_why = RP_BUF_INIT;
    rp_kind_infer(merged, f, &kind, &kind_why);
    rp_exchange_infer(merged, f, &exchange, &exchange_why);
    settle_one(merged, row, "kind", kind, rp_buf_str(&kind_why));
    settle_one(merged, row, "exchange", exchange, rp_buf_str(&exchange_why));
    rp_buf_free(&kind_why);
    rp_buf_free(&exchange_why);
    const char *why;
    int fcr = rp_first_contact_judge(merged, f, &why);
    json_object_set_new(row, "first_contact_resolved",
                        fcr < 0 ? json_null() : json_boolean(fcr));
    json_object_set_new(row, "first_contact_reason", json_string(why));
}

/* How many characters of what the agent typed a summary quotes. */
#define QUOTE_CHARS 200

/*
 * The moment of a move says what was done in the stage being left, which
 * rp_cycle_check has just made sure of: the stage being entered has not
 * happened yet (entering helping claims no agreement, which is asked for
 * only there).
 */
static void transition_summary(json_t *m, const rp_encounter_facts *f,
                               const char *to, rp_buf *b)
{
#define TXT(k) json_string_value(json_object_get(m, k))
    if (!strcmp(to, "understood")) {
        rp_buf_puts(b, "Received and acknowledged; listening for the need");
    } else if (!strcmp(to, "helped")) {
        rp_buf_puts(b, "Understood: ");
        rp_buf_put_cut(b, TXT("facts"), QUOTE_CHARS);
    } else if (!strcmp(to, "kept") && !rp_text_is_blank(TXT("agreement"))) {
        rp_buf_puts(b, "Helped: agreed ");
        rp_buf_put_cut(b, TXT("agreement"), QUOTE_CHARS);
    } else if (!strcmp(to, "kept")) {
        rp_buf_puts(b, "Helped; nothing was agreed, because: ");
        rp_buf_put_cut(b, TXT("no_agreement_reason"), QUOTE_CHARS);
    } else {
        const char *kind = TXT("kind"), *exchange = TXT("exchange");
        rp_buf_printf(b, "Closed (kind %s, exchange %s; satisfaction %s)",
                      kind ? kind : "not set", exchange ? exchange : "not set",
                      f->satisfaction_answered    ? "checked"
                      : f->satisfaction_scheduled ? "check scheduled"
                                                  : "check skipped");
        if (!rp_text_is_blank(TXT("outcome_done"))) {
            rp_buf_puts(b, ": ");
            rp_buf_put_cut(b, TXT("outcome_done"), QUOTE_CHARS);
        }
    }
#undef TXT
}

/* What transition_summary says, as parameters (the console says it in the
 * agent's language); what the agent typed is quoted as typed. */
static json_t *transition_detail(json_t *m, const rp_encounter_facts *f,
                                 const char *to, json_t *row, int loyalty)
{
#define TXT(k) json_string_value(json_object_get(m, k))
    json_t *d = json_pack("{s:s}", "stage", to);
    if (!strcmp(to, "helped")) {
        json_object_set_new(d, "facts",
                            json_string(TXT("facts") ? TXT("facts") : ""));
    } else if (!strcmp(to, "kept") && !rp_text_is_blank(TXT("agreement"))) {
        json_object_set_new(d, "agreement", json_string(TXT("agreement")));
    } else if (!strcmp(to, "kept")) {
        const char *why = TXT("no_agreement_reason");
        json_object_set_new(d, "no_agreement_reason",
                            json_string(why ? why : ""));
    } else if (!strcmp(to, "closed")) {
        json_object_set_new(
            d, "kind", TXT("kind") ? json_string(TXT("kind")) : json_null());
        json_object_set_new(d, "exchange",
                            TXT("exchange") ? json_string(TXT("exchange"))
                                            : json_null());
        json_object_set_new(d, "satisfaction",
                            json_string(f->satisfaction_answered ? "checked"
                                        : f->satisfaction_scheduled
                                            ? "scheduled"
                                            : "skipped"));
        if (!rp_text_is_blank(TXT("outcome_done")))
            json_object_set_new(d, "outcome_done",
                                json_string(TXT("outcome_done")));
        if (loyalty)
            json_object_set_new(
                d, "loyalty",
                json_pack("{s:O?, s:O?}", "tier",
                          json_object_get(row, "loyalty_tier"),
                          "discount_percent",
                          json_object_get(row, "loyalty_discount_percent")));
    }
    return d;
#undef TXT
}

/*
 * Put the customer's loyalty on the outcome of a closing encounter: the
 * tier and discount earned by the visits before this one (seed 003: "they
 * noticed that I am a permanent client and I will get a discount").
 */
static rp_code apply_loyalty(rp_ctx *ctx, int64_t customer_id, json_t *row,
                             rp_buf *note, rp_error *err)
{
    json_t *loyalty = NULL;
    if (rp_loyalty_for_customer(ctx, customer_id, &loyalty, err))
        return err->code;
    json_t *tier = json_object_get(loyalty, "tier");
    double discount = json_number_value(
        json_object_get(loyalty, "discount_percent"));
    json_object_set_new(row, "loyalty_tier",
                        json_is_string(tier) ? json_copy(tier) : json_null());
    json_object_set_new(row, "loyalty_discount_percent", json_real(discount));
    if (json_is_true(json_object_get(loyalty, "returning")) && discount > 0)
        rp_buf_printf(note, "; %s",
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
    rp_buf loyalty_note = RP_BUF_INIT;
    if (closing) {
        settle_on_close(merged, &f, row);
        rc = rp_encounter_next_day_check(ctx, enc, merged, &f, row, err);
        if (rc == RP_OK)
            rc = apply_loyalty(ctx, rp_encounter_row_customer(enc), row,
                               &loyalty_note, err);
        if (rc) {
            rp_buf_free(&loyalty_note);
            json_decref(merged);
            return rc;
        }
    }
    char stamp[32];
    snprintf(stamp, sizeof stamp, "%s_at", to);
    json_object_set_new(row, "stage", json_string(to));
    json_object_set_new(row, stamp, json_integer(now));
    json_object_set_new(row, "updated_at", json_integer(now));
    rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_ENCOUNTER, id, row,
                                 err);
    char kind[40];
    rp_buf summary = RP_BUF_INIT;
    snprintf(kind, sizeof kind, "encounter.%s", to);
    transition_summary(merged, &f, to, &summary);
    json_t *detail = transition_detail(merged, &f, to, row,
                                       *rp_buf_str(&loyalty_note) != '\0');
    rp_buf_puts(&summary, rp_buf_str(&loyalty_note));
    rp_buf_free(&loyalty_note);
    rp_moment m = {
        .customer_id = rp_encounter_row_customer(enc),
        .encounter_id = id,
        .channel = json_string_value(json_object_get(enc, "channel")),
        .kind = kind,
        .summary = rp_buf_str(&summary),
        .detail = detail};
    if (rc == RP_OK)
        rc = rp_moment_record(ctx, &m, err);
    json_decref(detail);
    rp_buf_free(&summary);
    if (rc == RP_OK)
        rc = rp_event_emit_pack(
            ctx, "encounter.stage_changed", m.customer_id, id, err,
            "{s:s, s:s}", "from",
            json_string_value(json_object_get(enc, "stage")), "to", to);
    if (rc == RP_OK && closing)
        rc = rp_event_emit_pack(ctx, "encounter.closed", m.customer_id, id, err,
                                "{s:O?, s:O?}", "kind",
                                json_object_get(row, "kind")
                                    ? json_object_get(row, "kind")
                                    : json_object_get(merged, "kind"),
                                "first_contact_resolved",
                                json_object_get(row, "first_contact_resolved"));
    if (rc == RP_OK && closing)
        rc = rp_relationship_recompute_because(
            ctx, rp_encounter_row_customer(enc), id, "an encounter was closed",
            err);
    json_decref(merged);
    return rc;
}

rp_code rp_encounter_advance(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                             rp_error *err)
{
    const char *to;
    json_t *row = json_object(), *enc = NULL;
    rp_code rc = rp_encounter_read_fields(in, rp_encounter_advance_fields, row,
                                          err);
    if (rc == RP_OK && rp_in_string(in, "to", 0, 20, &to, err))
        rc = err->code;
    if (rc == RP_OK && !to)
        rc = rp_error_refuse(
            err, RP_EINVALID, "to", "required", 0,
            "to is required: the stage to move to (understood, "
            "helped, kept or closed)");
    if (rc == RP_OK && rp_cycle_stage_index(to) < 1) {
        rp_buf q = RP_BUF_INIT;
        rc = rp_error_refuse(
            err, RP_EINVALID, "to", "not_allowed", 0,
            "to must be one of: understood, helped, kept, closed "
            "(use abandon to give up), not \"%s\"",
            rp_cut(&q, to, 30));
        rp_buf_free(&q);
    }
    if (rc == RP_OK && (rc = rp_store_begin(ctx->store, err)) == RP_OK) {
        rc = rp_encounter_load(ctx, id, &enc, err);
        if (rc == RP_OK)
            rc = advance_in_tx(ctx, enc, row, to, err);
        rc = rp_store_finish(ctx->store, rc, err);
    }
    json_decref(row);
    json_decref(enc);
    return rc ? rc : rp_encounter_get(ctx, id, out, err);
}

/* ---- first contact, settled later --------------------------------------- */

rp_code rp_encounter_first_contact_settle(rp_ctx *ctx, int64_t id,
                                          rp_error *err)
{
    json_t *enc;
    rp_encounter_facts f;
    if (rp_encounter_get(ctx, id, &enc, err))
        return err->code;
    const char *stage = json_string_value(json_object_get(enc, "stage"));
    rp_code rc = RP_OK;
    if (stage && !strcmp(stage, "closed") &&
        json_is_null(json_object_get(enc, "first_contact_resolved")))
        rc = rp_encounter_facts_read(ctx, enc, &f, err);
    else
        stage = NULL;
    if (rc == RP_OK && stage) {
        const char *why;
        int fcr = rp_first_contact_judge(enc, &f, &why);
        json_t *row = json_pack("{s:o, s:s}", "first_contact_resolved",
                                fcr < 0 ? json_null() : json_boolean(fcr),
                                "first_contact_reason", why);
        rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_ENCOUNTER, id, row,
                                     err);
        json_decref(row);
    }
    json_decref(enc);
    return rc;
}

/* ---- abandon ------------------------------------------------------------- */

#define ABANDON_MAX_CHARS 500

const rp_field rp_encounter_abandon_fields[] = {
    {"reason", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = ABANDON_MAX_CHARS},
    {.name = NULL},
};

rp_code rp_encounter_abandon_in(rp_ctx *ctx, json_t *enc, const char *reason,
                                int64_t at, rp_error *err)
{
    if (rp_encounter_require_open(enc, "abandoning", err))
        return err->code;
    int64_t id = rp_encounter_row_id(enc);
    json_t *row = json_pack("{s:s, s:I, s:s, s:I}", "stage", "abandoned",
                            "abandoned_at", (json_int_t)at, "abandon_reason",
                            reason, "updated_at", (json_int_t)rp_now());
    /* an abandoned need was not met, whatever was said before */
    json_object_set_new(row, "first_contact_resolved", json_false());
    json_object_set_new(row, "first_contact_reason",
                        json_string("Not resolved at first contact: it was "
                                    "abandoned"));
    rp_code rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_ENCOUNTER, id,
                                         row, err);
    rp_buf summary = RP_BUF_INIT;
    /* how long the customer had waited since they arrived, not since the
     * encounter was typed in */
    rp_buf_printf(&summary, "Abandoned while %s, after ",
                  rp_encounter_stage_words(
                      json_string_value(json_object_get(enc, "stage"))));
    rp_encounter_put_duration(&summary, at - arrival_of(enc, at));
    rp_buf_puts(&summary, ": ");
    rp_buf_put_cut(&summary, reason, 500);
    int64_t waited = at - arrival_of(enc, at);
    json_t *detail = json_pack("{s:O?, s:I, s:s}", "stage",
                               json_object_get(enc, "stage"), "waited_seconds",
                               (json_int_t)(waited > 0 ? waited : 0), "reason",
                               reason);
    rp_moment m = {
        .customer_id = rp_encounter_row_customer(enc),
        .encounter_id = id,
        .channel = json_string_value(json_object_get(enc, "channel")),
        .kind = "encounter.abandoned",
        .summary = rp_buf_str(&summary),
        .impression = "negative",
        .detail = detail};
    if (rc == RP_OK)
        rc = rp_moment_record(ctx, &m, err);
    json_decref(detail);
    if (rc == RP_OK)
        rc = rp_event_emit_pack(
            ctx, "encounter.abandoned", m.customer_id, id, err, "{s:s}",
            "stage", json_string_value(json_object_get(enc, "stage")));
    rp_buf_free(&summary);
    if (rc == RP_OK)
        rc = rp_relationship_recompute_because(
            ctx, rp_encounter_row_customer(enc), id,
            "an encounter was abandoned", err);
    json_decref(row);
    return rc;
}

rp_code rp_encounter_abandon(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                             rp_error *err)
{
    const char *reason;
    if (rp_in_fields(in, rp_encounter_abandon_fields, 1, err) ||
        rp_in_string(in, "reason", 1, ABANDON_MAX_CHARS, &reason, err))
        return err->code;
    json_t *enc;
    rp_code rc = rp_encounter_begin_change(ctx, id, 1, "abandoning", &enc, err);
    if (rc)
        return rc;
    rc = rp_encounter_abandon_in(ctx, enc, reason, rp_now(), err);
    rc = rp_store_finish(ctx->store, rc, err);
    json_decref(enc);
    return rc ? rc : rp_encounter_get(ctx, id, out, err);
}
