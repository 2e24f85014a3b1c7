/*
 * profile.c - what rapport remembers about where a customer is going:
 * preferences (with their firmness), goals, important dates and consent
 * per purpose.
 *
 * Seed 002 (Max and the suit) needs firmness so recommendations never
 * contradict a firm wish; seed 003 needs important dates so reminders and
 * renewal notices go out before the customer has to ask, and consent so
 * information is used only to make the customer's life simpler.  The four
 * kinds share one add/update/remove/list path; each kind only says how its
 * fields are validated and how its moment of truth reads.
 */
#include <stdio.h>
#include <string.h>

#include "core/rapport.h"

const char *const rp_profile_kinds[] = {"preferences", "goals", "dates",
                                        "consents", NULL};

static const char *const firmness_values[] = {"firm", "flexible", NULL};
static const char *const goal_status_values[] = {"active", "achieved",
                                                 "dropped", NULL};
static const char *const date_kind_values[] = {"appointment", "renewal",
                                               "expiry", "other", NULL};
static const char *const purpose_values[] = {"service", "reminders", "offers",
                                             NULL};

/* encounter_id is optional on every kind but consents. */
#define ENCOUNTER_FIELD                                                        \
    {                                                                          \
        "encounter_id", RP_FIELD_INT, RP_IN_OPTIONAL,                          \
            .min = 1, .max = INT64_MAX,                                        \
            .meaning = "the encounter it was learnt in"                        \
    }

/* A preference's key, and a consent's purpose, are given once: a change
 * of them is refused before its fields are read (the add's tables hold
 * them, the change's do not). */
#define PREFERENCE_FIELDS                                                      \
    {"value", RP_FIELD_TEXT, RP_IN_CREATE, .max_chars = 200},                  \
        {"firmness", RP_FIELD_ENUM, RP_IN_CREATE, .values = firmness_values,   \
         .meaning = "firm: never offer against it"},                           \
        ENCOUNTER_FIELD
const rp_field rp_preference_add_fields[] = {
    {"key", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = 60,
     .meaning = "what it is about, e.g. seat or colour; one per key"},
    PREFERENCE_FIELDS,
    {.name = NULL},
};
const rp_field rp_preference_change_fields[] = {
    PREFERENCE_FIELDS,
    {.name = NULL},
};

const rp_field rp_goal_fields[] = {
    {"title", RP_FIELD_TEXT, RP_IN_CREATE, .max_chars = 200},
    {"tags", RP_FIELD_TEXT_LIST, RP_IN_OPTIONAL, .max_items = 20,
     .max_chars = 40, .meaning = "matched against products' tags, any case"},
    {"status", RP_FIELD_ENUM, RP_IN_KEPT, .values = goal_status_values,
     .meaning = "default: active"},
    ENCOUNTER_FIELD,
    {.name = NULL},
};

const rp_field rp_date_fields[] = {
    {"kind", RP_FIELD_ENUM, RP_IN_CREATE, .values = date_kind_values},
    {"title", RP_FIELD_TEXT, RP_IN_CREATE, .max_chars = 200},
    {"at", RP_FIELD_TIME, RP_IN_CREATE, .meaning = "when"},
    {"where", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = 200},
    {"with_whom", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = 200},
    {"bring", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = 500},
    ENCOUNTER_FIELD,
    {.name = NULL},
};

#define CONSENT_FIELDS                                                         \
    {"granted", RP_FIELD_BOOL, RP_IN_CREATE,                                   \
     .meaning = "false withdraws the consent"},                                \
    {                                                                          \
        "source", RP_FIELD_TEXT, RP_IN_OPTIONAL,                               \
            .max_chars = 200, .meaning = "where the customer said so"          \
    }
const rp_field rp_consent_add_fields[] = {
    {"purpose", RP_FIELD_ENUM, RP_IN_REQUIRED, .values = purpose_values},
    CONSENT_FIELDS,
    {.name = NULL},
};
const rp_field rp_consent_change_fields[] = {
    CONSENT_FIELDS,
    {.name = NULL},
};

typedef struct profile_kind {
    const char *name;
    const rp_entity *entity;
    /* validate in into row; creating requires the required fields */
    rp_code (*read)(json_t *in, int creating, json_t *row, rp_error *err);
    /* one-line summary of the change for the moment of truth */
    void (*describe)(json_t *item, const char *verb, rp_buf *b);
    const char *unique_key; /* column that is unique per customer, or NULL */
} profile_kind;

/* encounter_id is optional on every kind; it must be a positive integer. */
static rp_code read_encounter(json_t *in, json_t *row, rp_error *err)
{
    int64_t eid = 0;
    int present = 0;
    if (json_is_null(json_object_get(in, "encounter_id"))) {
        if (json_object_get(in, "encounter_id"))
            json_object_set_new(row, "encounter_id", json_null());
        return RP_OK;
    }
    if (rp_in_int(in, "encounter_id", 0, 1, INT64_MAX, &eid, &present, err))
        return err->code;
    if (present)
        json_object_set_new(row, "encounter_id", json_integer(eid));
    return RP_OK;
}

static void set_str(json_t *row, const char *col, const char *v, json_t *in,
                    const char *key)
{
    if (v)
        json_object_set_new(row, col, json_string(v));
    else if (json_object_get(in, key))
        json_object_set_new(row, col, json_null());
}

static rp_code read_preference(json_t *in, int creating, json_t *row,
                               rp_error *err)
{
    const char *key, *value, *firmness;
    if (!creating && json_is_object(in) && json_object_get(in, "key"))
        return rp_error_refuse(
            err, RP_EINVALID, "key", "not_changeable", 0,
            "key cannot be changed; remove the preference and "
            "add one with the new key");
    if (rp_in_fields(in,
                     creating ? rp_preference_add_fields
                              : rp_preference_change_fields,
                     creating, err) ||
        rp_in_string(in, "key", RP_IN_ALWAYS(creating), 60, &key, err) ||
        rp_in_string(in, "value", RP_IN_ALWAYS(creating), 200, &value, err) ||
        rp_in_enum(in, "firmness", RP_IN_ALWAYS(creating), firmness_values,
                   &firmness, err) ||
        read_encounter(in, row, err))
        return err->code;
    if (key)
        json_object_set_new(row, "key", json_string(key));
    if (value)
        json_object_set_new(row, "value", json_string(value));
    if (firmness)
        json_object_set_new(row, "firmness", json_string(firmness));
    return RP_OK;
}

/* The text of item's column, or "" (a summary never says "(null)"). */
static const char *text_of(json_t *item, const char *col)
{
    const char *s = json_string_value(json_object_get(item, col));
    return s ? s : "";
}

/*
 * The parameters of a profile moment, for the console to say it in the
 * agent's language: {"kind", "id", "action", "item": the columns its
 * summary names}.
 */
static json_t *profile_detail(const char *kind, int64_t id, const char *verb,
                              json_t *item)
{
    static const char *const cols[] = {"key",     "value",   "firmness",
                                       "title",   "status",  "at",
                                       "purpose", "granted", NULL};
    json_t *said = json_object();
    for (const char *const *c = cols; *c; c++) {
        json_t *v = json_object_get(item, *c);
        if (v && !json_is_null(v))
            json_object_set(said, *c, v);
    }
    /* a date's kind, beside the kind of profile item */
    if (!strcmp(kind, "dates") && json_is_string(json_object_get(item, "kind")))
        json_object_set(said, "date_kind", json_object_get(item, "kind"));
    return json_pack("{s:s, s:I, s:s, s:o}", "kind", kind, "id", (json_int_t)id,
                     "action", verb, "item", said);
}

static void describe_preference(json_t *p, const char *verb, rp_buf *b)
{
    rp_buf_printf(b, "Preference %s: %s = %s (%s)", verb, text_of(p, "key"),
                  text_of(p, "value"), text_of(p, "firmness"));
}

static rp_code read_goal(json_t *in, int creating, json_t *row, rp_error *err)
{
    const char *title, *status;
    json_t *tags;
    if (rp_in_fields(in, rp_goal_fields, creating, err) ||
        rp_in_string(in, "title", RP_IN_ALWAYS(creating), 200, &title, err) ||
        rp_in_string_list(in, "tags", 20, 40, &tags, err) ||
        rp_in_enum(in, "status", creating ? RP_IN_OPTIONAL : RP_IN_KEPT,
                   goal_status_values, &status, err) ||
        read_encounter(in, row, err))
        return err->code;
    if (title)
        json_object_set_new(row, "title", json_string(title));
    if (tags) {
        /* tags are matched against product tags: compare them lower-case */
        json_t *lower = rp_strings_lower(tags);
        if (!lower)
            return rp_error_set(err, RP_EINTERNAL, "tags", "out of memory");
        json_object_set_new(row, "tags", lower);
    } else if (creating) {
        json_object_set_new(row, "tags", json_array());
    }
    if (status)
        json_object_set_new(row, "status", json_string(status));
    else if (creating)
        json_object_set_new(row, "status", json_string("active"));
    return RP_OK;
}

static void describe_goal(json_t *g, const char *verb, rp_buf *b)
{
    rp_buf_printf(b, "Goal %s: %s (%s)", verb, text_of(g, "title"),
                  text_of(g, "status"));
}

static rp_code read_date(json_t *in, int creating, json_t *row, rp_error *err)
{
    const char *kind, *title, *where, *with_whom, *bring;
    int64_t at = 0;
    int at_present = 0;
    if (rp_in_fields(in, rp_date_fields, creating, err) ||
        rp_in_enum(in, "kind", RP_IN_ALWAYS(creating), date_kind_values, &kind,
                   err) ||
        rp_in_string(in, "title", RP_IN_ALWAYS(creating), 200, &title, err) ||
        rp_in_time(in, "at", RP_IN_ALWAYS(creating), &at, &at_present, err) ||
        rp_in_string(in, "where", 0, 200, &where, err) ||
        rp_in_string(in, "with_whom", 0, 200, &with_whom, err) ||
        rp_in_string(in, "bring", 0, 500, &bring, err) ||
        read_encounter(in, row, err))
        return err->code;
    if (kind)
        json_object_set_new(row, "kind", json_string(kind));
    if (title)
        json_object_set_new(row, "title", json_string(title));
    if (at_present)
        json_object_set_new(row, "at", json_integer(at));
    set_str(row, "location", where, in, "where");
    set_str(row, "with_whom", with_whom, in, "with_whom");
    set_str(row, "bring", bring, in, "bring");
    return RP_OK;
}

static void describe_date(json_t *d, const char *verb, rp_buf *b)
{
    rp_buf_printf(b, "Important date %s: %s %s on %s", verb, text_of(d, "kind"),
                  text_of(d, "title"), text_of(d, "at"));
}

static rp_code read_consent(json_t *in, int creating, json_t *row,
                            rp_error *err)
{
    const char *purpose, *source;
    int granted = 0, present = 0;
    if (!creating && json_is_object(in) && json_object_get(in, "purpose"))
        return rp_error_refuse(
            err, RP_EINVALID, "purpose", "not_changeable", 0,
            "purpose cannot be changed; give the consent for "
            "the other purpose separately");
    if (rp_in_fields(
            in, creating ? rp_consent_add_fields : rp_consent_change_fields,
            creating, err) ||
        rp_in_enum(in, "purpose", RP_IN_ALWAYS(creating), purpose_values,
                   &purpose, err) ||
        rp_in_bool(in, "granted", RP_IN_ALWAYS(creating), &granted, &present,
                   err) ||
        rp_in_string(in, "source", 0, 200, &source, err))
        return err->code;
    if (purpose)
        json_object_set_new(row, "purpose", json_string(purpose));
    if (present) {
        json_object_set_new(row, "granted", json_boolean(granted));
        json_object_set_new(row, "decided_at", json_integer(rp_now()));
    }
    set_str(row, "source", source, in, "source");
    return RP_OK;
}

static void describe_consent(json_t *c, const char *verb, rp_buf *b)
{
    (void)verb;
    rp_buf_printf(b, "Consent for %s %s", text_of(c, "purpose"),
                  json_is_true(json_object_get(c, "granted")) ? "granted"
                                                              : "withdrawn");
}

static const profile_kind kinds[] = {
    {"preferences", &RP_ENTITY_PREFERENCE, read_preference, describe_preference,
     "key"},
    {"goals", &RP_ENTITY_GOAL, read_goal, describe_goal, NULL},
    {"dates", &RP_ENTITY_DATE, read_date, describe_date, NULL},
    {"consents", &RP_ENTITY_CONSENT, read_consent, describe_consent, "purpose"},
};

static const profile_kind *kind_named(const char *name, rp_error *err)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (name && strcmp(kinds[i].name, name) == 0)
            return &kinds[i];
    rp_error_refuse(err, RP_EINVALID, "kind", "not_allowed", 0,
                    "kind must be one of preferences, goals, dates, consents");
    return NULL;
}

/* The API speaks "where"; the column is "location" (WHERE is SQL). */
static json_t *present(const profile_kind *k, json_t *row)
{
    if (k->entity == &RP_ENTITY_DATE) {
        json_object_set(row, "where", json_object_get(row, "location"));
        json_object_del(row, "location");
    }
    return row;
}

/*
 * The encounter an item was learnt in (row's encounter_id, when given) must
 * be one of this customer's: otherwise the customer's history would point
 * at a conversation with somebody else.
 */
static rp_code check_encounter(rp_ctx *ctx, int64_t customer_id, json_t *row,
                               rp_error *err)
{
    json_t *v = json_object_get(row, "encounter_id");
    if (!json_is_integer(v))
        return RP_OK;
    json_int_t eid = json_integer_value(v);
    json_t *enc = NULL;
    rp_code rc = ctx->store->ops->get(ctx->store, &RP_ENTITY_ENCOUNTER, eid,
                                      &enc, err);
    if (rc == RP_ENOTFOUND)
        return rp_error_refuse(err, RP_EINVALID, "encounter_id", "unknown_id",
                               0, "encounter_id %lld names no encounter",
                               (long long)eid);
    if (rc)
        return rc;
    json_int_t owner = json_integer_value(json_object_get(enc, "customer_id"));
    json_decref(enc);
    if (owner != customer_id)
        return rp_error_refuse(
            err, RP_EINVALID, "encounter_id", "unknown_id", 0,
            "encounter %lld is another customer's, not one of "
            "customer %lld's",
            (long long)eid, (long long)customer_id);
    return RP_OK;
}

/* A customer has at most RP_PROFILE_MAX_ITEMS of a kind, so a list of
 * them is always whole; checked inside the adding transaction. */
static rp_code check_room(rp_ctx *ctx, const profile_kind *k,
                          int64_t customer_id, rp_error *err)
{
    json_t *cid = json_integer(customer_id);
    rp_filter f = {"customer_id", RP_FILTER_EQ, cid};
    int64_t n = 0;
    rp_code rc = ctx->store->ops->count(ctx->store, k->entity, &f, 1, &n, err);
    json_decref(cid);
    if (rc == RP_OK && n >= RP_PROFILE_MAX_ITEMS)
        rc = rp_error_refuse(err, RP_ECONFLICT, NULL, "limit_reached", 0,
                             "customer %lld already has %d %s, the most one "
                             "customer can have; remove one first",
                             (long long)customer_id, RP_PROFILE_MAX_ITEMS,
                             k->name);
    return rc;
}

/* The customer exists; *id becomes the one it is now (a merged customer's
 * items are the customer's they were merged into). */
static rp_code customer_exists(rp_ctx *ctx, int64_t *id, rp_error *err)
{
    return rp_customer_live_id(ctx, *id, id, err);
}

/* The existing item of a kind that is unique per customer, or NULL. */
static rp_code find_unique(rp_ctx *ctx, const profile_kind *k,
                           int64_t customer_id, json_t *value, json_t **found,
                           rp_error *err)
{
    *found = NULL;
    json_t *cid = json_integer(customer_id);
    rp_filter f[2] = {{"customer_id", RP_FILTER_EQ, cid},
                      {k->unique_key, RP_FILTER_EQ, value}};
    rp_page p = {0, 0, 1};
    json_t *rows;
    rp_code rc = ctx->store->ops->list(ctx->store, k->entity, f, 2, &p, &rows,
                                       err);
    json_decref(cid);
    if (rc)
        return rc;
    if (json_array_size(rows))
        *found = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return RP_OK;
}

/* A moved or removed date takes its pending reminder with it (the rules
 * key reminders by date and time, so the new time gets its own). */
static rp_code cancel_date_tasks(rp_ctx *ctx, int64_t customer_id,
                                 int64_t date_id, const char *why,
                                 rp_error *err)
{
    json_t *p = json_pack("[s, I, I]", why, (json_int_t)customer_id,
                          (json_int_t)date_id);
    rp_code rc = ctx->store->ops->exec(
        ctx->store, RP_Q_CUSTOMER_CANCEL_DATE_TASKS, p, NULL, err);
    json_decref(p);
    return rc;
}

/*
 * Offers may not be consented to for an address on the marketing
 * suppression list: its owner refused offers and had their data erased,
 * and the list is how that refusal outlives the erasure.
 */
static rp_code check_not_suppressed(rp_ctx *ctx, int64_t customer_id,
                                    int64_t id, json_t *row, rp_error *err)
{
    if (!json_is_true(json_object_get(row, "granted")))
        return RP_OK;
    json_t *purpose = json_object_get(row, "purpose"), *old = NULL;
    if (!purpose && id) {
        if (ctx->store->ops->get(ctx->store, &RP_ENTITY_CONSENT, id, &old, err))
            return err->code;
        purpose = json_object_get(old, "purpose");
    }
    int offers = json_is_string(purpose) &&
                 strcmp(json_string_value(purpose), "offers") == 0;
    json_decref(old);
    int suppressed = 0;
    if (offers &&
        rp_privacy_marketing_suppressed(ctx, customer_id, &suppressed, err))
        return err->code;
    if (suppressed)
        return rp_error_refuse(err, RP_ECONFLICT, "granted", "opted_out", 0,
                               "this customer's email address is on the list "
                               "of addresses that must not receive offers (its "
                               "owner refused them before their data was "
                               "erased), so consent to offers cannot be "
                               "recorded for it");
    return RP_OK;
}

/*
 * Who is deciding, in words, kept beside a consent so the page can say who
 * changed it: the agent's name, or how the change came in when no agent
 * made it.
 */
static rp_code decider(rp_ctx *ctx, rp_buf *b, rp_error *err)
{
    if (ctx->agent_id > 0) {
        json_t *agent = NULL;
        rp_code rc = ctx->store->ops->get(ctx->store, &RP_ENTITY_AGENT,
                                          ctx->agent_id, &agent, err);
        if (rc && rc != RP_ENOTFOUND)
            return rc;
        const char *name = json_string_value(json_object_get(agent, "name"));
        if (name)
            rp_buf_put_cut(b, name, 200);
        else
            rp_buf_printf(b, "agent %lld", (long long)ctx->agent_id);
        json_decref(agent);
        return RP_OK;
    }
    const char *a = ctx->actor ? ctx->actor : "";
    rp_buf_puts(b, !strcmp(a, "cli")   ? "the command line"
                   : !strcmp(a, "api") ? "a connected system"
                                       : "rapport itself");
    return RP_OK;
}

/* Write row (insert when id is 0) and its moment in one transaction. */
static rp_code save(rp_ctx *ctx, const profile_kind *k, int64_t customer_id,
                    int64_t *id, json_t *row, const char *verb, rp_error *err)
{
    rp_store *s = ctx->store;
    int updating = *id != 0;
    if (rp_store_begin(s, err))
        return err->code;
    rp_code rc = check_encounter(ctx, customer_id, row, err);
    if (rc == RP_OK && k->entity == &RP_ENTITY_CONSENT)
        rc = check_not_suppressed(ctx, customer_id, *id, row, err);
    if (rc == RP_OK && k->entity == &RP_ENTITY_CONSENT &&
        json_object_get(row, "granted")) {
        rp_buf who = RP_BUF_INIT;
        rc = decider(ctx, &who, err);
        json_object_set_new(row, "decided_by", json_string(rp_buf_str(&who)));
        rp_buf_free(&who);
    }
    if (rc == RP_OK && !updating)
        rc = check_room(ctx, k, customer_id, err);
    if (rc == RP_OK)
        rc = *id ? s->ops->update(s, k->entity, *id, row, err)
                 : s->ops->insert(s, k->entity, row, id, err);
    if (rc == RP_OK && updating && k->entity == &RP_ENTITY_DATE &&
        json_object_get(row, "at"))
        rc = cancel_date_tasks(ctx, customer_id, *id,
                               "cancelled: the date was moved; a new reminder "
                               "follows the new date",
                               err);
    json_t *item = NULL;
    if (rc == RP_OK)
        rc = s->ops->get(s, k->entity, *id, &item, err);
    if (rc == RP_OK) {
        rp_buf summary = RP_BUF_INIT;
        k->describe(item, verb, &summary);
        json_t *detail = profile_detail(k->name, *id, verb, item);
        json_int_t eid = json_integer_value(
            json_object_get(item, "encounter_id"));
        rp_moment m = {.customer_id = customer_id,
                       .encounter_id = eid,
                       .kind = k->entity == &RP_ENTITY_CONSENT
                                   ? "consent.changed"
                                   : "profile.changed",
                       .summary = rp_buf_str(&summary),
                       .detail = detail};
        rc = rp_moment_record(ctx, &m, err);
        json_decref(detail);
        rp_buf_free(&summary);
    }
    if (rc == RP_OK && k->entity == &RP_ENTITY_CONSENT &&
        json_is_true(json_object_get(item, "granted"))) {
        /* what was held for want of this consent may go out now */
        json_t *p = json_pack("[I, O]", (json_int_t)customer_id,
                              json_object_get(item, "purpose"));
        rc = s->ops->exec(s, RP_Q_CUSTOMER_UNHOLD_TASKS, p, NULL, err);
        json_decref(p);
    }
    json_decref(item);
    /* An active goal is evidence of a formative relationship (docs/rules.md):
     * the level follows the goal in the same transaction. */
    if (rc == RP_OK && k->entity == &RP_ENTITY_GOAL)
        rc = rp_relationship_recompute(ctx, customer_id, 0, err);
    return rp_store_finish(s, rc, err);
}

static rp_code get_item(rp_ctx *ctx, const profile_kind *k, int64_t customer_id,
                        int64_t item_id, json_t **out, rp_error *err)
{
    json_t *row = NULL;
    rp_code rc = ctx->store->ops->get(ctx->store, k->entity, item_id, &row,
                                      err);
    if (rc && rc != RP_ENOTFOUND)
        return rc;
    if (rc == RP_OK && json_integer_value(json_object_get(
                           row, "customer_id")) == customer_id) {
        *out = present(k, row);
        return RP_OK;
    }
    json_decref(rc == RP_OK ? row : NULL);
    return rp_error_set(
        err, RP_ENOTFOUND, "id", "customer %lld has no %s with id %lld",
        (long long)customer_id, k->entity->name, (long long)item_id);
}

rp_code rp_profile_add(rp_ctx *ctx, const char *kind, int64_t customer_id,
                       json_t *in, json_t **out, rp_error *err)
{
    rp_error_clear(err);
    const profile_kind *k = kind_named(kind, err);
    if (!k || customer_exists(ctx, &customer_id, err))
        return err->code;
    json_t *row = json_object();
    if (k->read(in, 1, row, err)) {
        json_decref(row);
        return err->code;
    }
    int64_t now = rp_now(), id = 0;
    json_object_set_new(row, "updated_at", json_integer(now));
    const char *verb = "recorded";
    json_t *existing = NULL;
    if (k->unique_key &&
        find_unique(ctx, k, customer_id, json_object_get(row, k->unique_key),
                    &existing, err)) {
        json_decref(row);
        return err->code;
    }
    if (existing) {
        /* one per key/purpose: giving it again changes it */
        id = json_integer_value(json_object_get(existing, "id"));
        json_decref(existing);
        verb = "changed";
    } else {
        json_object_set_new(row, "customer_id", json_integer(customer_id));
        json_object_set_new(row, "created_at", json_integer(now));
    }
    rp_code rc = save(ctx, k, customer_id, &id, row, verb, err);
    json_decref(row);
    return rc ? rc : get_item(ctx, k, customer_id, id, out, err);
}

rp_code rp_profile_update(rp_ctx *ctx, const char *kind, int64_t customer_id,
                          int64_t item_id, json_t *in, json_t **out,
                          rp_error *err)
{
    rp_error_clear(err);
    const profile_kind *k = kind_named(kind, err);
    json_t *current;
    if (!k || customer_exists(ctx, &customer_id, err) ||
        get_item(ctx, k, customer_id, item_id, &current, err))
        return err->code;
    json_decref(current);
    json_t *row = json_object();
    if (k->read(in, 0, row, err)) {
        json_decref(row);
        return err->code;
    }
    if (json_object_size(row) == 0) {
        json_decref(row);
        return rp_error_refuse(err, RP_EINVALID, NULL, "nothing_to_change", 0,
                               "nothing to change: give at least one field");
    }
    json_object_set_new(row, "updated_at", json_integer(rp_now()));
    rp_code rc = save(ctx, k, customer_id, &item_id, row, "changed", err);
    json_decref(row);
    return rc ? rc : get_item(ctx, k, customer_id, item_id, out, err);
}

rp_code rp_profile_remove(rp_ctx *ctx, const char *kind, int64_t customer_id,
                          int64_t item_id, rp_error *err)
{
    rp_error_clear(err);
    const profile_kind *k = kind_named(kind, err);
    json_t *item;
    if (!k || customer_exists(ctx, &customer_id, err) ||
        get_item(ctx, k, customer_id, item_id, &item, err))
        return err->code;
    if (k->entity == &RP_ENTITY_CONSENT) {
        json_decref(item);
        return rp_error_refuse(
            err, RP_ECONFLICT, "id", "kept_as_record", 0,
            "a consent is kept as a record of the customer's "
            "decision; withdraw it with granted false instead");
    }
    rp_store *s = ctx->store;
    rp_buf summary = RP_BUF_INIT;
    k->describe(item, "removed", &summary);
    json_t *detail = profile_detail(k->name, item_id, "removed", item);
    json_decref(item);
    if (rp_store_begin(s, err)) {
        rp_buf_free(&summary);
        json_decref(detail);
        return err->code;
    }
    rp_code rc = s->ops->remove(s, k->entity, item_id, err);
    if (rc == RP_OK && k->entity == &RP_ENTITY_DATE)
        rc = cancel_date_tasks(ctx, customer_id, item_id,
                               "cancelled: the important date was removed",
                               err);
    if (rc == RP_OK) {
        rp_moment m = {.customer_id = customer_id,
                       .kind = "profile.changed",
                       .summary = rp_buf_str(&summary),
                       .detail = detail};
        rc = rp_moment_record(ctx, &m, err);
    }
    json_decref(detail);
    rp_buf_free(&summary);
    if (rc == RP_OK && k->entity == &RP_ENTITY_GOAL)
        rc = rp_relationship_recompute(ctx, customer_id, 0, err);
    return rp_store_finish(s, rc, err);
}

rp_code rp_profile_list(rp_ctx *ctx, const char *kind, int64_t customer_id,
                        json_t **out, rp_error *err)
{
    rp_error_clear(err);
    const profile_kind *k = kind_named(kind, err);
    if (!k || customer_exists(ctx, &customer_id, err))
        return err->code;
    /* Every item, page by page: a list that stopped at a page's size
     * would silently drop a firm preference from the recommendations. */
    json_t *cid = json_integer(customer_id), *all = json_array();
    rp_filter f = {"customer_id", RP_FILTER_EQ, cid};
    rp_page p = {0, 0, RP_PROFILE_MAX_ITEMS};
    rp_code rc = RP_OK;
    for (;;) {
        json_t *rows;
        rc = ctx->store->ops->list(ctx->store, k->entity, &f, 1, &p, &rows,
                                   err);
        if (rc)
            break;
        size_t i, n = json_array_size(rows);
        json_t *r;
        json_array_foreach(rows, i, r) {
            p.after_id = json_integer_value(json_object_get(r, "id"));
            json_array_append(all, present(k, r));
        }
        json_decref(rows);
        if (n < (size_t)p.limit)
            break;
    }
    json_decref(cid);
    if (rc) {
        json_decref(all);
        return rc;
    }
    *out = json_pack("{s:o}", "items", all);
    return RP_OK;
}

rp_code rp_consent_check(rp_ctx *ctx, int64_t customer_id, const char *purpose,
                         int *granted, char *why, size_t whysize, rp_error *err)
{
    const profile_kind *k = &kinds[3];
    json_t *value = json_string(purpose), *found = NULL;
    rp_code rc = find_unique(ctx, k, customer_id, value, &found, err);
    json_decref(value);
    if (rc)
        return rc;
    if (found) {
        *granted = json_is_true(json_object_get(found, "granted"));
        if (!*granted)
            snprintf(why, whysize,
                     "held: the customer withdrew consent for %s on %s",
                     purpose,
                     json_string_value(json_object_get(found, "decided_at")));
    } else {
        *granted = strcmp(purpose, "service") == 0;
        if (!*granted)
            snprintf(why, whysize,
                     "held: the customer has not given consent for %s",
                     purpose);
    }
    json_decref(found);
    int suppressed = 0;
    if (*granted && strcmp(purpose, "offers") == 0 &&
        rp_privacy_marketing_suppressed(ctx, customer_id, &suppressed, err))
        return err->code;
    if (suppressed) {
        *granted = 0;
        snprintf(why, whysize,
                 "held: this address must not receive offers (its owner "
                 "refused them before their data was erased)");
    }
    return RP_OK;
}
