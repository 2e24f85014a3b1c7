/*
 * record.c - what an encounter records, and its sub-resources: defects,
 * special requests, promises, transfers, follow-ups and satisfaction checks;
 * and the completion of a task.
 *
 * Every field is validated before anything is written, so bad input changes
 * nothing; every change writes its moment of truth in the same transaction
 * (seed 004: each of these is a touch point the customer forms an opinion
 * at).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/encounter/encounter_internal.h"

#define TEXT_MAX 4000
#define LIST_ITEMS_MAX 50
#define LIST_ITEM_MAX 500
/* How many characters of what someone typed a moment's summary quotes. */
#define QUOTE_CHARS 200

static const char *const text_fields[] = {"facts",
                                          "feelings",
                                          "restatement",
                                          "request",
                                          "goal",
                                          "agreement",
                                          "no_agreement_reason",
                                          "outcome_done",
                                          "outcome_watch",
                                          "satisfaction_skip_reason",
                                          "bridged",
                                          "topic",
                                          NULL};
static const char *const list_fields[] = {"questions", "options",
                                          "preferences_captured", NULL};
static const char *const bool_fields[] = {
    "information_requested", "senior_level",  "contract", "thanked",
    "apology_owed",          "apology_given", NULL};

static const char *const kinds[] = {"what", "how", "become", NULL};
static const char *const exchanges[] = {"quick", "supplemental", "resolution",
                                        "formal", NULL};

/* How many characters the agent's reason for an override may have. */
#define OVERRIDE_MAX_CHARS 500

/*
 * kind or exchange: a value is the agent's word, with their reason when
 * they give one (<key>_override_reason); null hands it back to the rules.
 * A reason alone explains nothing and is refused.
 */
static rp_code read_override(json_t *in, const char *key,
                             const char *const values[], json_t *row,
                             rp_error *err)
{
    const char *v, *why;
    char reason[40], source[40], why_key[48];
    snprintf(reason, sizeof reason, "%s_reason", key);
    snprintf(source, sizeof source, "%s_source", key);
    snprintf(why_key, sizeof why_key, "%s_override_reason", key);
    if (rp_in_string(in, why_key, 0, OVERRIDE_MAX_CHARS, &why, err))
        return err->code;
    if (!json_object_get(in, key)) {
        if (why)
            return rp_error_refuse(err, RP_EINVALID, why_key, "not_needed", 0,
                                   "a reason for overriding the %s goes with "
                                   "the %s it explains: choose the %s too",
                                   key, key, key);
        return RP_OK;
    }
    if (rp_in_enum(in, key, 0, values, &v, err))
        return err->code;
    if (!v && why)
        return rp_error_refuse(
            err, RP_EINVALID, why_key, "not_needed", 0,
            "the %s is handed back to the rules, so there is "
            "no override to give a reason for",
            key);
    rp_buf b = RP_BUF_INIT;
    rp_buf_puts(&b, "set by the agent");
    if (why) {
        rp_buf_puts(&b, ": ");
        rp_buf_puts(&b, why);
    }
    json_object_set_new(row, key, v ? json_string(v) : json_null());
    json_object_set_new(row, reason,
                        v ? json_string(rp_buf_str(&b)) : json_null());
    json_object_set_new(row, source, v ? json_string("agent") : json_null());
    json_object_set_new(row, why_key, why ? json_string(why) : json_null());
    rp_buf_free(&b);
    return RP_OK;
}

/* What an encounter records, as rp_encounter_read_fields reads it; null
 * clears a field. */
/* clang-format off */
#define TEXT(n, max, what)                                                   \
    {n, RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = (max), .meaning = what}
#define LIST(n, what)                                                        \
    {n, RP_FIELD_TEXT_LIST, RP_IN_OPTIONAL, .max_items = LIST_ITEMS_MAX,     \
     .max_chars = LIST_ITEM_MAX, .meaning = what}
#define FLAG(n, what) {n, RP_FIELD_BOOL, RP_IN_OPTIONAL, .meaning = what}
#define RECORD_FIELDS                                                        \
    TEXT("facts", TEXT_MAX, "what happened, in the customer's words"),       \
    TEXT("feelings", TEXT_MAX, "how the customer feels about it"),           \
    TEXT("restatement", TEXT_MAX, "the problem said back to the customer"),  \
    TEXT("request", TEXT_MAX, "what the customer asks for"),                 \
    TEXT("goal", TEXT_MAX, "what the customer wants to be true after"),      \
    TEXT("agreement", TEXT_MAX, "what was agreed; not with "                 \
                                "no_agreement_reason"),                      \
    TEXT("no_agreement_reason", TEXT_MAX, "why nothing was agreed"),         \
    TEXT("outcome_done", TEXT_MAX, "what was done"),                         \
    TEXT("outcome_watch", TEXT_MAX, "what to watch for after"),              \
    TEXT("satisfaction_skip_reason", TEXT_MAX,                               \
         "why the customer is not asked how it went"),                       \
    TEXT("bridged", TEXT_MAX, "what bridged to the next need"),              \
    TEXT("topic", 100, "what the encounter is about, in a few words"),       \
    LIST("questions", "the questions asked"),                                \
    LIST("options", "the options offered"),                                  \
    LIST("preferences_captured", "preferences learnt"),                      \
    FLAG("information_requested", "the customer asked only for "             \
                                  "information"),                            \
    FLAG("senior_level", "handled at a senior level"),                       \
    FLAG("contract", "under a contract"),                                    \
    FLAG("thanked", "the customer was thanked"),                             \
    FLAG("apology_owed", "an apology is owed"),                              \
    FLAG("apology_given", "an apology was given; not when none is owed"),    \
    FLAG("first_contact_resolved", "resolved at first contact"),             \
    {"spend", RP_FIELD_NUMBER, RP_IN_OPTIONAL, .min = 0, .max = 1000000000,  \
     .meaning = "what the visit was worth"},                                 \
    {"kind", RP_FIELD_ENUM, RP_IN_OPTIONAL, .values = kinds,                 \
     .meaning = "the agent's word on the kind; null hands it back to "       \
                "inference"},                                                \
    {"exchange", RP_FIELD_ENUM, RP_IN_OPTIONAL, .values = exchanges,         \
     .meaning = "the agent's word on the exchange; null hands it back to "   \
                "inference"},                                                \
    TEXT("kind_override_reason", OVERRIDE_MAX_CHARS,                         \
         "why the agent's kind is right; with kind"),                        \
    TEXT("exchange_override_reason", OVERRIDE_MAX_CHARS,                     \
         "why the agent's exchange is right; with exchange")
/* clang-format on */

const rp_field rp_encounter_record_fields[] = {
    RECORD_FIELDS,
    {.name = NULL},
};

/* The stages an encounter is moved to (abandon gives up instead). */
static const char *const advance_stages[] = {"understood", "helped", "kept",
                                             "closed", NULL};

const rp_field rp_encounter_advance_fields[] = {
    {"to", RP_FIELD_ENUM, RP_IN_REQUIRED, .values = advance_stages,
     .meaning = "the stage to move to; abandon gives up instead"},
    RECORD_FIELDS,
    {.name = NULL},
};

rp_code rp_encounter_read_fields(json_t *in, const rp_field *fields,
                                 json_t *row, rp_error *err)
{
    if (rp_in_fields(in, fields, 0, err))
        return err->code;
    for (int i = 0; text_fields[i]; i++) {
        const char *s;
        if (rp_in_string(in, text_fields[i], 0,
                         strcmp(text_fields[i], "topic") ? TEXT_MAX : 100, &s,
                         err))
            return err->code;
        if (json_object_get(in, text_fields[i]))
            json_object_set_new(row, text_fields[i],
                                s ? json_string(s) : json_null());
    }
    for (int i = 0; list_fields[i]; i++) {
        json_t *list;
        if (rp_in_string_list(in, list_fields[i], LIST_ITEMS_MAX, LIST_ITEM_MAX,
                              &list, err))
            return err->code;
        if (json_object_get(in, list_fields[i]))
            json_object_set_new(row, list_fields[i],
                                list ? json_copy(list) : json_array());
    }
    for (int i = 0; bool_fields[i]; i++) {
        int b, present;
        if (rp_in_bool(in, bool_fields[i], 0, &b, &present, err))
            return err->code;
        if (present)
            json_object_set_new(row, bool_fields[i], json_boolean(b));
    }
    json_t *fcr = json_object_get(in, "first_contact_resolved");
    if (fcr && !json_is_null(fcr) && !json_is_boolean(fcr))
        return rp_error_set(err, RP_ETYPE, "first_contact_resolved",
                            "first_contact_resolved must be true, false or "
                            "null");
    if (fcr)
        json_object_set(row, "first_contact_resolved", fcr);
    json_t *spend = json_object_get(in, "spend");
    if (spend && !json_is_null(spend) && !json_is_number(spend))
        return rp_error_set(
            err, RP_ETYPE, "spend",
            "spend must be a number (what the visit was worth)");
    if (json_is_number(spend) &&
        (json_number_value(spend) < 0 || json_number_value(spend) > 1e9))
        return rp_error_refuse(err, RP_EINVALID, "spend", "out_of_range", 0,
                               "spend must be between 0 and 1000000000");
    if (spend)
        json_object_set_new(row, "spend",
                            json_is_null(spend)
                                ? json_null()
                                : json_real(json_number_value(spend)));
    if (read_override(in, "kind", kinds, row, err) ||
        read_override(in, "exchange", exchanges, row, err))
        return err->code;
    const char *agreement = json_string_value(
        json_object_get(row, "agreement"));
    const char *none = json_string_value(
        json_object_get(row, "no_agreement_reason"));
    if (agreement && none)
        return rp_error_refuse(err, RP_EINVALID, "no_agreement_reason",
                               "not_both", 0,
                               "give either what was agreed or why nothing "
                               "could be agreed, not both");
    /* agreement and the reason for none exclude each other on the record */
    if (agreement)
        json_object_set_new(row, "no_agreement_reason", json_null());
    if (none)
        json_object_set_new(row, "agreement", json_null());
    if (json_is_true(json_object_get(row, "apology_given")) &&
        json_is_false(json_object_get(row, "apology_owed")))
        return rp_error_refuse(err, RP_EINVALID, "apology_given", "not_both", 0,
                               "an apology cannot be given while it is "
                               "recorded that none was owed: say that one was "
                               "owed too");
    return RP_OK;
}

/* Begin a change of an encounter: open the transaction first and read the
 * encounter inside it, so that concurrent changes are serialised on the
 * write lock and every check sees the current row. */
static rp_code moment_for(rp_ctx *ctx, json_t *enc, const char *kind,
                          const char *summary, const char *impression,
                          json_t *detail, rp_error *err)
{
    rp_moment m = {
        .customer_id = rp_encounter_row_customer(enc),
        .encounter_id = rp_encounter_row_id(enc),
        .channel = json_string_value(json_object_get(enc, "channel")),
        .kind = kind,
        .summary = summary,
        .impression = impression,
        .detail = detail};
    return rp_moment_record(ctx, &m, err);
}

/* What each field records, in the words a moment's summary uses. */
static const struct {
    const char *field, *words;
} field_words[] = {
    {"facts", "the facts"},
    {"feelings", "how the customer feels"},
    {"restatement", "the need said back"},
    {"request", "the request"},
    {"goal", "the customer's goal"},
    {"agreement", "what was agreed"},
    {"no_agreement_reason", "why nothing was agreed"},
    {"outcome_done", "what was done"},
    {"outcome_watch", "what to watch"},
    {"satisfaction_skip_reason", "why satisfaction is not asked"},
    {"bridged", "the bridge to other needs"},
    {"topic", "the topic"},
    {"questions", "the questions asked"},
    {"options", "the options offered"},
    {"preferences_captured", "the preferences heard"},
    {"information_requested", "that only information was asked for"},
    {"senior_level", "the senior level"},
    {"contract", "the contract"},
    {"thanked", "the thanks"},
    {"apology_owed", "the apology owed"},
    {"apology_given", "the apology given"},
    {"first_contact_resolved", "resolution at first contact"},
    {"spend", "what the visit was worth"},
    {"kind", "the kind"},
    {"exchange", "the exchange"},
    {"kind_override_reason", "why the kind is what it is"},
    {"exchange_override_reason", "why the exchange is what it is"},
};

static const char *field_in_words(const char *field)
{
    for (size_t i = 0; i < sizeof field_words / sizeof field_words[0]; i++)
        if (!strcmp(field_words[i].field, field))
            return field_words[i].words;
    return field;
}

/*
 * The apology alone may still be recorded once the encounter is over: a
 * call that was cut off after a long wait was our fault all the same, and
 * the apology is often made afterwards, when the customer is called back.
 */
static int apology_only(json_t *in)
{
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v) {
        (void)v;
        if (strcmp(key, "apology_owed") && strcmp(key, "apology_given"))
            return 0;
    }
    return json_object_size(in) > 0;
}

/* "Recorded the facts and how the customer feels" */
static void recorded_summary(json_t *in, rp_buf *b)
{
    if (apology_only(in) &&
        json_is_true(json_object_get(in, "apology_given"))) {
        rp_buf_puts(b, "Apologised to the customer");
        return;
    }
    if (apology_only(in) && json_is_true(json_object_get(in, "apology_owed"))) {
        rp_buf_puts(b, "Recorded that an apology is owed");
        return;
    }
    rp_buf_puts(b, "Recorded ");
    size_t n = json_object_size(in), i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v) {
        (void)v;
        if (i)
            rp_buf_puts(b, i + 1 == n ? " and " : ", ");
        rp_buf_puts(b, field_in_words(key));
        i++;
    }
}

rp_code rp_encounter_record(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                            rp_error *err)
{
    json_t *row = json_object(), *enc = NULL;
    rp_code rc = rp_encounter_read_fields(in, rp_encounter_record_fields, row,
                                          err);
    if (rc == RP_OK && json_object_size(row) == 0)
        rc = rp_error_refuse(err, RP_EINVALID, NULL, "nothing_to_change", 0,
                             "nothing to record: give at least one field");
    if (rc == RP_OK)
        rc = rp_encounter_begin_change(ctx, id, !apology_only(in), "recording",
                                       &enc, err);
    if (rc == RP_OK && json_is_true(json_object_get(row, "apology_given")) &&
        !json_object_get(row, "apology_owed") &&
        !json_is_true(json_object_get(enc, "apology_owed"))) {
        /* giving an apology says it was owed */
        json_object_set_new(row, "apology_owed", json_true());
    }
    if (rc) {
        json_decref(row);
        return rc;
    }
    rp_buf summary = RP_BUF_INIT;
    recorded_summary(in, &summary);
    json_t *keys = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v) {
        (void)v;
        json_array_append_new(keys, json_string(key));
    }
    json_object_set_new(row, "updated_at", json_integer(rp_now()));
    rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_ENCOUNTER, id, row,
                                 err);
    json_t *detail = json_pack("{s:o}", "fields", keys);
    /* which of the apology's sentences the summary says */
    if (apology_only(in))
        json_object_set_new(
            detail, "apology",
            json_string(
                json_is_true(json_object_get(in, "apology_given"))  ? "given"
                : json_is_true(json_object_get(in, "apology_owed")) ? "owed"
                                                                    : "none"));
    if (rc == RP_OK)
        rc = moment_for(ctx, enc, "encounter.recorded", rp_buf_str(&summary),
                        NULL, detail, err);
    json_decref(detail);
    rp_buf_free(&summary);
    rc = rp_store_finish(ctx->store, rc, err);
    json_decref(row);
    json_decref(enc);
    return rc ? rc : rp_encounter_get(ctx, id, out, err);
}

/* Insert row as a record of e tied to enc, then its moment; when cause is
 * given, recompute the relationship level for it in the same transaction;
 * commit. */
static rp_code add_child_then(rp_ctx *ctx, json_t *enc, const rp_entity *e,
                              json_t *row, const char *kind,
                              const char *summary, const char *impression,
                              const char *cause, json_t *said, json_t **out,
                              rp_error *err)
{
    int64_t child = 0;
    json_object_set_new(row, "customer_id",
                        json_integer(rp_encounter_row_customer(enc)));
    json_object_set_new(row, "encounter_id",
                        json_integer(rp_encounter_row_id(enc)));
    json_object_set_new(row, "created_at", json_integer(rp_now()));
    rp_code rc = ctx->store->ops->insert(ctx->store, e, row, &child, err);
    json_t *detail = json_pack("{s:s, s:I}", "record", e->name, "id",
                               (json_int_t)child);
    if (said) /* what the summary says, for the console's words */
        json_object_update(detail, said);
    if (rc == RP_OK)
        rc = moment_for(ctx, enc, kind, summary, impression, detail, err);
    json_decref(detail);
    if (rc == RP_OK && cause)
        rc = rp_relationship_recompute_because(
            ctx, rp_encounter_row_customer(enc), rp_encounter_row_id(enc),
            cause, err);
    rc = rp_store_finish(ctx->store, rc, err);
    if (rc == RP_OK)
        rc = ctx->store->ops->get(ctx->store, e, child, out, err);
    return rc;
}

/* Insert row as a record of e tied to enc, then its moment (its detail
 * with said's parameters); commit. */
static rp_code add_child(rp_ctx *ctx, json_t *enc, const rp_entity *e,
                         json_t *row, const char *kind, const char *summary,
                         const char *impression, json_t *said, json_t **out,
                         rp_error *err)
{
    return add_child_then(ctx, enc, e, row, kind, summary, impression, NULL,
                          said, out, err);
}

static const char *const defect_kinds[] = {
    "wrong_item",   "late",      "missed_promise",
    "not_resolved", "long_wait", "disconnected",
    "rude",         "other",     NULL};
#define CAUSE_MAX_CHARS 1000

/* A defect's kind as the timeline says it. */
static const char *defect_words(const char *kind)
{
    static const char *const words[][2] = {
        {"wrong_item", "the wrong item"},
        {"late", "late"},
        {"missed_promise", "a promise missed"},
        {"not_resolved", "not resolved"},
        {"long_wait", "a long wait"},
        {"disconnected", "cut off"},
        {"rude", "rudeness"},
        {"other", "other"},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(words[i][0], kind))
            return words[i][1];
    return kind;
}

const rp_field rp_encounter_defect_fields[] = {
    {"kind", RP_FIELD_ENUM, RP_IN_REQUIRED, .values = defect_kinds},
    {"cause", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = CAUSE_MAX_CHARS},
    {.name = NULL},
};

rp_code rp_encounter_add_defect(rp_ctx *ctx, int64_t id, json_t *in,
                                json_t **out, rp_error *err)
{
    const char *kind, *cause;
    if (rp_in_fields(in, rp_encounter_defect_fields, 1, err) ||
        rp_in_enum(in, "kind", 1, defect_kinds, &kind, err) ||
        rp_in_string(in, "cause", 1, CAUSE_MAX_CHARS, &cause, err))
        return err->code;
    json_t *enc;
    if (rp_encounter_begin_change(ctx, id, 0, "", &enc, err))
        return err->code;
    json_t *row = json_pack("{s:s, s:s}", "kind", kind, "cause", cause);
    rp_buf summary = RP_BUF_INIT;
    rp_buf_printf(&summary, "Service breakdown (%s): ", defect_words(kind));
    rp_buf_put_cut(&summary, cause, QUOTE_CHARS);
    json_t *said = json_pack("{s:s, s:s}", "defect_kind", kind, "cause", cause);
    rp_code rc = add_child(ctx, enc, &RP_ENTITY_DEFECT, row, "defect.recorded",
                           rp_buf_str(&summary), "negative", said, out, err);
    json_decref(said);
    rp_buf_free(&summary);
    json_decref(row);
    json_decref(enc);
    return rc;
}

static const char *const request_outcomes[] = {"granted", "declined", NULL};
#define REQUEST_MAX_CHARS 1000

const rp_field rp_encounter_special_request_fields[] = {
    {"description", RP_FIELD_TEXT, RP_IN_REQUIRED,
     .max_chars = REQUEST_MAX_CHARS},
    {"outcome", RP_FIELD_ENUM, RP_IN_REQUIRED, .values = request_outcomes},
    {"decline_reason", RP_FIELD_TEXT, RP_IN_OPTIONAL,
     .max_chars = REQUEST_MAX_CHARS,
     .meaning = "required when declined, refused when granted"},
    {.name = NULL},
};

rp_code rp_encounter_add_special_request(rp_ctx *ctx, int64_t id, json_t *in,
                                         json_t **out, rp_error *err)
{
    const char *desc, *outcome, *reason;
    if (rp_in_fields(in, rp_encounter_special_request_fields, 1, err) ||
        rp_in_string(in, "description", 1, REQUEST_MAX_CHARS, &desc, err) ||
        rp_in_enum(in, "outcome", 1, request_outcomes, &outcome, err) ||
        rp_in_string(in, "decline_reason", 0, REQUEST_MAX_CHARS, &reason, err))
        return err->code;
    int declined = strcmp(outcome, "declined") == 0;
    if (declined && !reason)
        return rp_error_refuse(err, RP_EINVALID, "decline_reason", "required",
                               0,
                               "say why the request is declined: a customer "
                               "told no deserves the reason");
    if (!declined && reason)
        return rp_error_refuse(err, RP_EINVALID, "decline_reason", "not_needed",
                               0,
                               "a granted request needs no reason for a "
                               "refusal; leave the reason empty");
    json_t *enc;
    if (rp_encounter_begin_change(ctx, id, 0, "", &enc, err))
        return err->code;
    json_t *row = json_pack("{s:s, s:s, s:o}", "description", desc, "outcome",
                            outcome, "decline_reason",
                            declined ? json_string(reason) : json_null());
    rp_buf summary = RP_BUF_INIT;
    rp_buf_printf(&summary, "Special request %s: ", outcome);
    rp_buf_put_cut(&summary, desc, QUOTE_CHARS);
    if (declined) {
        rp_buf_puts(&summary, "; why: ");
        rp_buf_put_cut(&summary, reason, QUOTE_CHARS);
    }
    json_t *said = json_pack("{s:s, s:s?}", "description", desc,
                             "decline_reason", declined ? reason : NULL);
    rp_code rc = add_child(ctx, enc, &RP_ENTITY_SPECIAL_REQUEST, row,
                           declined ? "special_request.declined"
                                    : "special_request.granted",
                           rp_buf_str(&summary),
                           declined ? "negative" : "positive", said, out, err);
    json_decref(said);
    rp_buf_free(&summary);
    json_decref(row);
    json_decref(enc);
    return rc;
}

#define PROMISE_MAX_CHARS 1000

const rp_field rp_encounter_promise_fields[] = {
    {"what", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = PROMISE_MAX_CHARS},
    {"due_at", RP_FIELD_TIME, RP_IN_REQUIRED, .meaning = "kept by when"},
    {.name = NULL},
};

rp_code rp_encounter_add_promise(rp_ctx *ctx, int64_t id, json_t *in,
                                 json_t **out, rp_error *err)
{
    const char *what;
    int64_t due;
    if (rp_in_fields(in, rp_encounter_promise_fields, 1, err) ||
        rp_in_string(in, "what", 1, PROMISE_MAX_CHARS, &what, err) ||
        rp_in_time(in, "due_at", 1, &due, NULL, err))
        return err->code;
    json_t *enc;
    if (rp_encounter_begin_change(ctx, id, 1, "setting an expectation", &enc,
                                  err))
        return err->code;
    json_t *row = json_pack("{s:s, s:I, s:s}", "what", what, "due_at",
                            (json_int_t)due, "status", "open");
    char when[RP_TIME_MAX];
    rp_buf summary = RP_BUF_INIT;
    rp_time_format(due, when);
    rp_buf_puts(&summary, "Promised: ");
    rp_buf_put_cut(&summary, what, QUOTE_CHARS);
    rp_buf_printf(&summary, " (due %s)", when);
    json_t *said = json_pack("{s:s, s:s}", "what", what, "due_at", when);
    rp_code rc = add_child(ctx, enc, &RP_ENTITY_PROMISE, row, "promise.made",
                           rp_buf_str(&summary), NULL, said, out, err);
    json_decref(said);
    rp_buf_free(&summary);
    json_decref(row);
    json_decref(enc);
    return rc;
}

#define TRANSFER_MAX_CHARS 500

const rp_field rp_encounter_transfer_fields[] = {
    {"reason", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = TRANSFER_MAX_CHARS},
    {"to_queue_id", RP_FIELD_INT, RP_IN_OPTIONAL, .min = 1, .max = INT64_MAX},
    {"to_agent_id", RP_FIELD_INT, RP_IN_OPTIONAL, .min = 1, .max = INT64_MAX},
    {.name = NULL},
};

rp_code rp_encounter_transfer_in(rp_ctx *ctx, json_t *enc, const char *reason,
                                 int64_t queue, int64_t agent,
                                 int64_t *transfer_id, rp_error *err)
{
    if (rp_encounter_require_open(enc, "transferring", err))
        return err->code;
    int64_t id = rp_encounter_row_id(enc), child = 0;
    /* a transfer to a queue alone is offered to that queue's agent
     * (a queue id that names no queue is kept as given, as before) */
    if (queue && !agent) {
        rp_code orc = rp_routing_offer(ctx, queue, &agent, err);
        if (orc && orc != RP_ENOTFOUND)
            return err->code;
    }
    json_t *row = json_pack(
        "{s:s, s:O, s:O, s:o, s:o, s:I, s:I, s:I}", "reason", reason,
        "from_queue_id", json_object_get(enc, "queue_id"), "from_agent_id",
        json_object_get(enc, "agent_id"), "to_queue_id",
        queue ? json_integer(queue) : json_null(), "to_agent_id",
        agent ? json_integer(agent) : json_null(), "customer_id",
        (json_int_t)rp_encounter_row_customer(enc), "encounter_id",
        (json_int_t)id, "created_at", (json_int_t)rp_now());
    json_t *change = json_pack(
        "{s:I, s:I}", "transfers",
        (json_int_t)(json_integer_value(json_object_get(enc, "transfers")) + 1),
        "updated_at", (json_int_t)rp_now());
    if (queue)
        json_object_set_new(change, "queue_id", json_integer(queue));
    if (agent)
        json_object_set_new(change, "agent_id", json_integer(agent));
    rp_code rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_ENCOUNTER, id,
                                         change, err);
    if (rc == RP_OK)
        rc = rp_event_emit_pack(
            ctx, "encounter.assigned", rp_encounter_row_customer(enc), id, err,
            "{s:O?, s:O?, s:b}", "queue_id",
            json_object_get(queue ? change : enc, "queue_id"), "agent_id",
            json_object_get(agent ? change : enc, "agent_id"), "transferred",
            1);
    if (rc == RP_OK)
        rc = ctx->store->ops->insert(ctx->store, &RP_ENTITY_TRANSFER, row,
                                     &child, err);
    rp_buf summary = RP_BUF_INIT;
    rp_buf_puts(&summary, "Transferred: ");
    rp_buf_put_cut(&summary, reason, QUOTE_CHARS);
    json_t *detail = json_pack("{s:s, s:I, s:s}", "record",
                               RP_ENTITY_TRANSFER.name, "id", (json_int_t)child,
                               "reason", reason);
    if (rc == RP_OK)
        rc = moment_for(ctx, enc, "encounter.transferred", rp_buf_str(&summary),
                        NULL, detail, err);
    if (rc == RP_OK && transfer_id)
        *transfer_id = child;
    json_decref(detail);
    rp_buf_free(&summary);
    json_decref(change);
    json_decref(row);
    return rc;
}

rp_code rp_encounter_add_transfer(rp_ctx *ctx, int64_t id, json_t *in,
                                  json_t **out, rp_error *err)
{
    const char *reason;
    int64_t queue = 0, agent = 0;
    int has_agent = 0;
    if (rp_in_fields(in, rp_encounter_transfer_fields, 1, err) ||
        rp_in_string(in, "reason", 1, TRANSFER_MAX_CHARS, &reason, err) ||
        rp_in_int(in, "to_queue_id", 0, 1, INT64_MAX, &queue, NULL, err) ||
        rp_in_int(in, "to_agent_id", 0, 1, INT64_MAX, &agent, &has_agent, err))
        return err->code;
    /* naming the agent who gets it is assigning, a lead's (ownership.c) */
    if (has_agent && agent != ctx->agent_id && ctx->viewer &&
        ctx->viewer->role < rp_role_rank("lead"))
        return rp_error_set(err, RP_EFORBIDDEN, "to_agent_id",
                            "handing an encounter to a named agent is for a "
                            "lead or an admin; transfer it to a queue instead");
    json_t *enc;
    if (rp_encounter_begin_change(ctx, id, 1, "transferring", &enc, err))
        return err->code;
    int64_t child = 0;
    rp_code rc = rp_encounter_transfer_in(ctx, enc, reason, queue, agent,
                                          &child, err);
    rc = rp_store_finish(ctx->store, rc, err);
    json_decref(enc);
    if (rc == RP_OK)
        rc = ctx->store->ops->get(ctx->store, &RP_ENTITY_TRANSFER, child, out,
                                  err);
    return rc;
}

/* Insert a task of kind for enc with the key "<kind>:<encounter>:<n>". */
static rp_code add_task(rp_ctx *ctx, json_t *enc, const char *kind,
                        const char *subject, const char *channel, int64_t due,
                        const char *moment_kind, const char *summary,
                        json_t *said, json_t **out, rp_error *err)
{
    json_t *params = json_pack("[I,s]", (json_int_t)rp_encounter_row_id(enc),
                               kind);
    json_t *rows = NULL;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_ENCOUNTER_TASK_COUNT,
                                        params, &rows, err);
    json_decref(params);
    if (rc) {
        rp_store_rollback(ctx->store);
        return rc;
    }
    json_int_t n = json_integer_value(
                       json_object_get(json_array_get(rows, 0), "n")) +
                   1;
    json_decref(rows);
    char key[96];
    snprintf(key, sizeof key, "%s:%lld:%lld", kind,
             (long long)rp_encounter_row_id(enc), (long long)n);
    /* A satisfaction check goes out by whatever channel the scheduler can
     * reach the customer on (email, else SMS), not the channel the
     * encounter came by: a check scheduled at the counter is still sent. */
    if (!channel && strcmp(kind, "satisfaction_check") != 0)
        channel = json_string_value(json_object_get(enc, "channel"));
    json_t *row = json_pack(
        "{s:s, s:s, s:o, s:s, s:{}, s:I, s:s, s:s, s:i, s:s}", "kind", kind,
        "purpose", "service", "channel",
        channel ? json_string(channel) : json_null(), "subject", subject,
        "payload", "due_at", (json_int_t)due, "status", "scheduled",
        "idempotency_key", key, "attempts", 0, "created_by",
        ctx->actor ? ctx->actor : "system");
    rc = add_child(ctx, enc, &RP_ENTITY_TASK, row, moment_kind, summary, NULL,
                   said, out, err);
    json_decref(row);
    return rc;
}

const rp_field rp_encounter_follow_up_fields[] = {
    {"due_at", RP_FIELD_TIME, RP_IN_REQUIRED, .meaning = "when it is due"},
    {"subject", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = 200},
    {"channel", RP_FIELD_ENUM, RP_IN_OPTIONAL, .values = rp_encounter_channels,
     .meaning = "how to reach the customer"},
    {.name = NULL},
};

rp_code rp_encounter_add_follow_up(rp_ctx *ctx, int64_t id, json_t *in,
                                   json_t **out, rp_error *err)
{
    const char *subject, *channel;
    int64_t due;
    if (rp_in_fields(in, rp_encounter_follow_up_fields, 1, err) ||
        rp_in_time(in, "due_at", 1, &due, NULL, err) ||
        rp_in_string(in, "subject", 1, 200, &subject, err) ||
        rp_in_enum(in, "channel", 0, rp_encounter_channels, &channel, err))
        return err->code;
    json_t *enc;
    if (rp_encounter_begin_change(ctx, id, 0, "", &enc, err))
        return err->code;
    char when[RP_TIME_MAX];
    rp_buf summary = RP_BUF_INIT;
    rp_time_format(due, when);
    rp_buf_puts(&summary, "Follow-up scheduled: ");
    rp_buf_put_cut(&summary, subject, QUOTE_CHARS);
    rp_buf_printf(&summary, " (due %s)", when);
    json_t *said = json_pack("{s:s, s:s}", "subject", subject, "due_at", when);
    rp_code rc = add_task(ctx, enc, "follow_up", subject, channel, due,
                          "follow_up.scheduled", rp_buf_str(&summary), said,
                          out, err);
    json_decref(said);
    rp_buf_free(&summary);
    json_decref(enc);
    return rc;
}

const rp_field rp_encounter_satisfaction_fields[] = {
    {"score", RP_FIELD_INT, RP_IN_OPTIONAL, .min = 1, .max = 5,
     .meaning = "the customer's answer, checked in person; or schedule_at"},
    {"words", RP_FIELD_TEXT_LIST, RP_IN_OPTIONAL, .max_items = 3,
     .max_chars = 40, .meaning = "up to three words, with a score"},
    {"comment", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = 2000,
     .meaning = "with a score"},
    {"schedule_at", RP_FIELD_TIME, RP_IN_OPTIONAL,
     .meaning = "schedule the check instead of giving a score"},
    {.name = NULL},
};

static const char *impression_of(int64_t score)
{
    return score >= 4 ? "positive" : score == 3 ? "neutral" : "negative";
}

rp_code rp_encounter_add_satisfaction(rp_ctx *ctx, int64_t id, json_t *in,
                                      json_t **out, rp_error *err)
{
    int64_t score = 0, at = 0;
    int has_score = 0, has_at = 0;
    json_t *words;
    const char *comment;
    if (rp_in_fields(in, rp_encounter_satisfaction_fields, 1, err) ||
        rp_in_int(in, "score", 0, 1, 5, &score, &has_score, err) ||
        rp_in_string_list(in, "words", 3, 40, &words, err) ||
        rp_in_string(in, "comment", 0, 2000, &comment, err) ||
        rp_in_time(in, "schedule_at", 0, &at, &has_at, err))
        return err->code;
    if (has_score == has_at)
        return rp_error_refuse(
            err, RP_EINVALID, has_at ? "schedule_at" : "score", "not_both", 0,
            "give either a score (1 to 5, checked in person) or "
            "schedule_at (to schedule a check), not %s",
            has_at ? "both" : "neither");
    if (has_at && (words || comment))
        return rp_error_refuse(
            err, RP_EINVALID, words ? "words" : "comment", "not_needed", 0,
            "words and comment are the customer's answer; they "
            "go with a score, not with schedule_at");
    json_t *enc;
    if (rp_encounter_begin_change(ctx, id, 0, "", &enc, err))
        return err->code;
    rp_code rc;
    rp_buf summary = RP_BUF_INIT;
    if (has_at) {
        char when[RP_TIME_MAX];
        rp_time_format(at, when);
        rp_buf_printf(&summary, "Satisfaction check scheduled (due %s)", when);
        json_t *said = json_pack("{s:s}", "due_at", when);
        rc = add_task(ctx, enc, "satisfaction_check", "How did we do?", NULL,
                      at, "satisfaction.scheduled", rp_buf_str(&summary), said,
                      out, err);
        json_decref(said);
    } else {
        json_t *row = json_pack(
            "{s:I, s:o, s:o, s:I}", "score", (json_int_t)score, "words",
            words ? json_copy(words) : json_array(), "comment",
            comment ? json_string(comment) : json_null(), "answered_at",
            (json_int_t)rp_now());
        rp_buf_printf(&summary, "Satisfaction %lld/5", (long long)score);
        size_t i;
        json_t *w;
        json_array_foreach(words, i, w) {
            rp_buf_puts(&summary, i ? ", " : " in words: ");
            rp_buf_puts(&summary, json_string_value(w));
        }
        /* the answer counts at once: a level is never out of date */
        json_t *said = json_pack("{s:I, s:o}", "score", (json_int_t)score,
                                 "words",
                                 words ? json_copy(words) : json_array());
        rc = add_child_then(
            ctx, enc, &RP_ENTITY_SATISFACTION, row, "satisfaction.answered",
            rp_buf_str(&summary), impression_of(score),
            "the customer answered a satisfaction check", said, out, err);
        json_decref(said);
        json_decref(row);
    }
    rp_buf_free(&summary);
    json_decref(enc);
    return rc;
}

const rp_field rp_task_complete_fields[] = {
    {"note", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = 1000,
     .meaning = "how it went"},
    {.name = NULL},
};

rp_code rp_task_complete(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                         rp_error *err)
{
    const char *note = NULL;
    if (in && (rp_in_fields(in, rp_task_complete_fields, 1, err) ||
               rp_in_string(in, "note", 0, 1000, &note, err)))
        return err->code;
    rp_store *s = ctx->store;
    json_t *task = NULL;
    if (rp_store_begin(s, err))
        return err->code;
    rp_code rc = s->ops->get(s, &RP_ENTITY_TASK, id, &task, err);
    if (rc == RP_ENOTFOUND)
        rc = rp_error_set(err, RP_ENOTFOUND, "id", "no task with id %lld",
                          (long long)id);
    const char *status = json_string_value(json_object_get(task, "status"));
    const char *kind = json_string_value(json_object_get(task, "kind"));
    if (rc == RP_OK &&
        (!strcmp(status, "done") || !strcmp(status, "cancelled")))
        rc = rp_error_refuse(err, RP_ECONFLICT, "status", "already_done", 0,
                             "task %lld is already %s", (long long)id, status);
    if (rc == RP_OK) {
        int64_t now = rp_now();
        json_t *row = json_pack("{s:s, s:I}", "status", "done", "done_at",
                                (json_int_t)now);
        rc = s->ops->update(s, &RP_ENTITY_TASK, id, row, err);
        json_decref(row);
        char mkind[64];
        rp_buf summary = RP_BUF_INIT;
        snprintf(mkind, sizeof mkind, "%s.done", kind);
        rp_buf_puts(&summary, "Done: ");
        rp_buf_put_cut(&summary,
                       json_string_value(json_object_get(task, "subject")),
                       QUOTE_CHARS);
        if (note) {
            rp_buf_puts(&summary, " - ");
            rp_buf_put_cut(&summary, note, 150);
        }
        json_t *eid = json_object_get(task, "encounter_id");
        json_t *detail = json_pack(
            "{s:I, s:O?, s:s?}", "task_id", (json_int_t)id, "subject",
            json_object_get(task, "subject"), "note", note);
        rp_moment m = {
            .customer_id = json_integer_value(
                json_object_get(task, "customer_id")),
            .encounter_id = json_integer_value(eid),
            .channel = json_string_value(json_object_get(task, "channel")),
            .kind = mkind,
            .summary = rp_buf_str(&summary),
            .impression = "positive",
            .detail = detail};
        if (rc == RP_OK)
            rc = rp_moment_record(ctx, &m, err);
        json_decref(detail);
        rp_buf_free(&summary);
        if (rc == RP_OK)
            rc = rp_relationship_recompute_because(
                ctx, m.customer_id, json_integer_value(eid),
                strcmp(kind, "follow_up") ? "a task was done"
                                          : "a follow-up was done",
                err);
    }
    rc = rp_store_finish(ctx->store, rc, err);
    json_decref(task);
    return rc ? rc : s->ops->get(s, &RP_ENTITY_TASK, id, out, err);
}

/* ---- what an encounter recorded, for its page ---------------------------- */

/* How many of each an encounter's page lists: far more than a real
 * encounter records, and a bound on the reply. */
#define RECORDS_MAX 200

/* The rows of e recorded on the encounter, oldest first; by the index of
 * customer and encounter. */
static rp_code records_of(rp_ctx *ctx, const rp_entity *e, json_t *enc,
                          json_t **rows, rp_error *err)
{
    json_t *cid = json_integer(rp_encounter_row_customer(enc));
    json_t *eid = json_integer(rp_encounter_row_id(enc));
    rp_filter f[2] = {{"customer_id", RP_FILTER_EQ, cid},
                      {"encounter_id", RP_FILTER_EQ, eid}};
    rp_page page = {0, 0, RECORDS_MAX};
    rp_code rc = ctx->store->ops->list(ctx->store, e, f, 2, &page, rows, err);
    json_decref(cid);
    json_decref(eid);
    return rc;
}

rp_code rp_encounter_records(rp_ctx *ctx, int64_t id, json_t **out,
                             rp_error *err)
{
    static const struct {
        const char *key;
        const rp_entity *entity;
    } parts[] = {
        {"defects", &RP_ENTITY_DEFECT},
        {"special_requests", &RP_ENTITY_SPECIAL_REQUEST},
        {"promises", &RP_ENTITY_PROMISE},
        {"transfers", &RP_ENTITY_TRANSFER},
        {"satisfaction", &RP_ENTITY_SATISFACTION},
    };
    json_t *enc = NULL, *all = json_object();
    if (rp_store_read_begin(ctx->store, err)) {
        json_decref(all);
        return err->code;
    }
    rp_code rc = rp_encounter_get(ctx, id, &enc, err);
    for (size_t i = 0; rc == RP_OK && i < sizeof parts / sizeof parts[0]; i++) {
        json_t *rows = NULL;
        rc = records_of(ctx, parts[i].entity, enc, &rows, err);
        if (rc == RP_OK)
            json_object_set_new(all, parts[i].key, rows);
    }
    rp_store_read_end(ctx->store);
    json_decref(enc);
    if (rc) {
        json_decref(all);
        return rc;
    }
    /* a satisfaction link is a secret of the customer's, never shown */
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(all, "satisfaction"), i, s)
        json_object_del(s, "token_hash");
    json_object_set_new(all, "encounter_id", json_integer(id));
    *out = all;
    return RP_OK;
}
