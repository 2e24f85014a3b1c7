/*
 * customer.c - customers: who they are and how to address them.
 *
 * Seed 002 asks us to know the customer's name and use it; so every customer
 * carries a preferred name next to the legal one, and every view shows
 * "greeting_name" (the preferred name when there is one) first.  Creating
 * or changing a customer writes a moment of truth in the same transaction.
 */
#include <stdio.h>
#include <string.h>

#include "core/rapport.h"

#define NAME_MAX_CHARS 200
#define PREFERRED_MAX_CHARS 100
#define NOTES_MAX_CHARS 10000
#define CONTACTS_MAX 10
#define EXTERNAL_ID_MAX_CHARS 255

#define EMAIL_MAX_CHARS 254
#define PHONE_MAX_CHARS 40

const rp_field rp_customer_fields[] = {
    {"name", RP_FIELD_TEXT, RP_IN_CREATE, .max_chars = NAME_MAX_CHARS,
     .meaning = "the customer's full name"},
    {"preferred_name", RP_FIELD_TEXT, RP_IN_OPTIONAL,
     .max_chars = PREFERRED_MAX_CHARS,
     .meaning = "how the customer likes to be addressed"},
    {"emails", RP_FIELD_TEXT_LIST, RP_IN_OPTIONAL, .max_items = CONTACTS_MAX,
     .max_chars = EMAIL_MAX_CHARS, .format = "email"},
    {"phones", RP_FIELD_TEXT_LIST, RP_IN_OPTIONAL, .max_items = CONTACTS_MAX,
     .max_chars = PHONE_MAX_CHARS, .format = "phone"},
    {"notes", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = NOTES_MAX_CHARS},
    {"external_id", RP_FIELD_TEXT, RP_IN_OPTIONAL,
     .max_chars = EXTERNAL_ID_MAX_CHARS,
     .meaning = "the customer's id in the system they were imported from"},
    {"unconfirmed", RP_FIELD_BOOL, RP_IN_OPTIONAL,
     .meaning = "made from an unknown sender, not yet confirmed by an agent"},
    {.name = NULL},
};

/* Add the derived fields every view of a customer shows. */
static void decorate(json_t *c)
{
    json_t *pref = json_object_get(c, "preferred_name");
    const char *greet = json_is_string(pref) && json_string_length(pref)
                            ? json_string_value(pref)
                            : json_string_value(json_object_get(c, "name"));
    json_object_set_new(c, "greeting_name", json_string(greet ? greet : ""));
}

/* Validate the fields of a create or update and copy them into row. */
static rp_code read_fields(json_t *in, int creating, json_t *row, rp_error *err)
{
    const char *name, *preferred, *notes, *external;
    json_t *emails, *phones;
    int unconfirmed = 0, unconfirmed_given = 0;
    if (rp_in_fields(in, rp_customer_fields, creating, err) ||
        rp_in_bool(in, "unconfirmed", 0, &unconfirmed, &unconfirmed_given,
                   err) ||
        rp_in_string(in, "name", RP_IN_ALWAYS(creating), NAME_MAX_CHARS, &name,
                     err) ||
        rp_in_string(in, "preferred_name", 0, PREFERRED_MAX_CHARS, &preferred,
                     err) ||
        rp_in_string(in, "notes", 0, NOTES_MAX_CHARS, &notes, err) ||
        rp_in_string(in, "external_id", 0, EXTERNAL_ID_MAX_CHARS, &external,
                     err) ||
        rp_in_string_list(in, "emails", CONTACTS_MAX, EMAIL_MAX_CHARS, &emails,
                          err) ||
        rp_in_string_list(in, "phones", CONTACTS_MAX, PHONE_MAX_CHARS, &phones,
                          err))
        return err->code;
    size_t i;
    json_t *v;
    rp_buf q = RP_BUF_INIT;
    json_array_foreach(emails, i, v)
        if (!rp_email_is_valid(json_string_value(v))) {
            rp_error_set(err, RP_EINVALID, "emails",
                         "emails[%zu] \"%s\" is not an email address", i,
                         rp_cut(&q, json_string_value(v), 60));
            rp_error_because(err, "not_an_email", 0);
            rp_buf_free(&q);
            return err->code;
        }
    json_array_foreach(phones, i, v)
        if (!rp_phone_is_valid(json_string_value(v))) {
            rp_error_set(err, RP_EINVALID, "phones",
                         "phones[%zu] \"%s\" is not a phone number", i,
                         rp_cut(&q, json_string_value(v), 40));
            rp_error_because(err, "not_a_phone", 0);
            rp_buf_free(&q);
            return err->code;
        }
    if (name)
        json_object_set_new(row, "name", json_string(name));
    if (json_object_get(in, "preferred_name"))
        json_object_set_new(row, "preferred_name",
                            preferred ? json_string(preferred) : json_null());
    if (json_object_get(in, "notes"))
        json_object_set_new(row, "notes",
                            notes ? json_string(notes) : json_null());
    if (json_object_get(in, "external_id"))
        json_object_set_new(row, "external_id",
                            external ? json_string(external) : json_null());
    if (json_object_get(in, "emails"))
        json_object_set(row, "emails", emails ? emails : json_array());
    if (json_object_get(in, "phones"))
        json_object_set(row, "phones", phones ? phones : json_array());
    /* a customer made from an unknown sender is confirmed by an agent */
    if (unconfirmed_given)
        json_object_set_new(row, "unconfirmed", json_boolean(unconfirmed));
    return RP_OK;
}

rp_code rp_customer_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err)
{
    /* the row asked for is the one shown unless it was merged into
     * another: one read, not rp_customer_live_id's and then another */
    json_t *row;
    if (ctx->store->ops->get(ctx->store, &RP_ENTITY_CUSTOMER, id, &row, err)) {
        if (err->code == RP_ENOTFOUND)
            rp_error_set(err, RP_ENOTFOUND, "id", "no customer with id %lld",
                         (long long)id);
        return err->code;
    }
    json_t *into = json_object_get(row, "merged_into");
    if (json_is_integer(into)) {
        int64_t live = json_integer_value(into);
        json_decref(row);
        /* a merge points every alias at a customer who is not one */
        if (ctx->store->ops->get(ctx->store, &RP_ENTITY_CUSTOMER, live, &row,
                                 err)) {
            if (err->code == RP_ENOTFOUND)
                rp_error_set(err, RP_ENOTFOUND, "id",
                             "no customer with id %lld", (long long)id);
            return err->code;
        }
    }
    decorate(row);
    *out = row;
    return RP_OK;
}

/* The customer.created or customer.changed event of a save of row: the
 * names of the fields written, not their values, so that what leaves the
 * desk is an id to fetch. */
static rp_code emit_change(rp_ctx *ctx, int64_t id, const char *kind,
                           json_t *row, rp_error *err)
{
    json_t *fields = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(row, key, v) {
        if (strcmp(key, "created_at") && strcmp(key, "updated_at"))
            json_array_append_new(fields, json_string(key));
    }
    json_t *data = json_pack("{s:o}", "fields", fields);
    rp_code rc = rp_event_emit(ctx, kind, id, 0, data, err);
    json_decref(data);
    return rc;
}

/* An external id names one customer: another's is a conflict naming
 * them, before the unique index would refuse it without a word. */
static rp_code check_external_id(rp_ctx *ctx, int64_t id, json_t *row,
                                 rp_error *err)
{
    json_t *ext = json_object_get(row, "external_id");
    if (!json_is_string(ext))
        return RP_OK;
    json_t *params = json_pack("[O]", ext), *rows = NULL;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_CUSTOMER_BY_EXTERNAL_ID, params, &rows, err);
    json_decref(params);
    int64_t owner = json_integer_value(
        json_object_get(json_array_get(rows, 0), "id"));
    json_decref(rows);
    if (rc == RP_OK && owner && owner != id) {
        rp_buf q = RP_BUF_INIT;
        rc = rp_error_refuse(err, RP_ECONFLICT, "external_id", "taken", 0,
                             "the external id \"%s\" already belongs to "
                             "customer %lld",
                             rp_cut(&q, json_string_value(ext), 60),
                             (long long)owner);
        rp_buf_free(&q);
    }
    return rc;
}

/* Insert or update with the identities and the moment, inside the
 * caller's transaction. */
static rp_code write_row(rp_ctx *ctx, int64_t id, json_t *row, const char *kind,
                         const char *summary, int64_t *new_id, rp_error *err)
{
    rp_store *s = ctx->store;
    rp_code rc = check_external_id(ctx, id, row, err);
    if (rc == RP_OK)
        rc = id ? s->ops->update(s, &RP_ENTITY_CUSTOMER, id, row, err)
                : s->ops->insert(s, &RP_ENTITY_CUSTOMER, row, &id, err);
    /* the identities follow the lists, in the same transaction */
    if (rc == RP_OK)
        rc = rp_identity_sync(ctx, id, "email", json_object_get(row, "emails"),
                              err);
    if (rc == RP_OK)
        rc = rp_identity_sync(ctx, id, "phone", json_object_get(row, "phones"),
                              err);
    if (rc == RP_OK) {
        /* what the summary says, for the console's words: the name a
         * customer began with, the fields a change changed */
        json_t *detail = json_object(), *fields = json_array();
        const char *key;
        json_t *v;
        if (!strcmp(kind, "customer.created"))
            json_object_set(detail, "name", json_object_get(row, "name"));
        else {
            json_object_foreach(row, key, v) {
                (void)v;
                if (strcmp(key, "updated_at"))
                    json_array_append_new(fields, json_string(key));
            }
            json_object_set(detail, "fields", fields);
        }
        json_decref(fields);
        rp_moment m = {.customer_id = id,
                       .kind = kind,
                       .summary = summary,
                       .detail = detail};
        rc = rp_moment_record(ctx, &m, err);
        json_decref(detail);
    }
    if (rc == RP_OK)
        rc = emit_change(ctx, id,
                         strcmp(kind, "customer.created") ? "customer.changed"
                                                          : "customer.created",
                         row, err);
    if (rc == RP_OK && new_id)
        *new_id = id;
    return rc;
}

/* write_row in a transaction of its own. */
static rp_code save(rp_ctx *ctx, int64_t id, json_t *row, const char *kind,
                    const char *summary, int64_t *new_id, rp_error *err)
{
    rp_store *s = ctx->store;
    if (rp_store_begin(s, err))
        return err->code;
    int64_t made = 0;
    rp_code rc = write_row(ctx, id, row, kind, summary, &made, err);
    rc = rp_store_finish(s, rc, err);
    if (rc)
        return rc;
    if (new_id)
        *new_id = made;
    return RP_OK;
}

/* Create (in a transaction of its own when own_tx) and fill *id. */
static rp_code create(rp_ctx *ctx, json_t *in, int own_tx, int64_t *new_id,
                      rp_error *err)
{
    json_t *row = json_object();
    if (read_fields(in, 1, row, err)) {
        json_decref(row);
        return err->code;
    }
    int64_t now = rp_now(), id = 0;
    json_object_set_new(row, "created_at", json_integer(now));
    json_object_set_new(row, "updated_at", json_integer(now));
    if (!json_object_get(row, "emails"))
        json_object_set_new(row, "emails", json_array());
    if (!json_object_get(row, "phones"))
        json_object_set_new(row, "phones", json_array());
    rp_buf summary = RP_BUF_INIT;
    rp_buf_puts(&summary, "Became a customer: ");
    rp_buf_put_cut(&summary, json_string_value(json_object_get(row, "name")),
                   NAME_MAX_CHARS);
    rp_code rc = own_tx ? save(ctx, 0, row, "customer.created",
                               rp_buf_str(&summary), &id, err)
                        : write_row(ctx, 0, row, "customer.created",
                                    rp_buf_str(&summary), &id, err);
    rp_buf_free(&summary);
    json_decref(row);
    if (rc == RP_OK)
        *new_id = id;
    return rc;
}

rp_code rp_customer_create(rp_ctx *ctx, json_t *in, json_t **out, rp_error *err)
{
    int64_t id = 0;
    rp_code rc = create(ctx, in, 1, &id, err);
    return rc ? rc : rp_customer_get(ctx, id, out, err);
}

rp_code rp_customer_create_in(rp_ctx *ctx, json_t *in, int64_t *id,
                              rp_error *err)
{
    return create(ctx, in, 0, id, err);
}

/* Change customer id (known to exist), in a transaction of its own when
 * own_tx. */
static rp_code update(rp_ctx *ctx, int64_t id, json_t *in, int own_tx,
                      rp_error *err)
{
    json_t *row = json_object();
    if (read_fields(in, 0, row, err)) {
        json_decref(row);
        return err->code;
    }
    if (json_object_size(row) == 0) {
        json_decref(row);
        return rp_error_refuse(err, RP_EINVALID, NULL, "nothing_to_change", 0,
                               "nothing to change: give at least one of name, "
                               "preferred_name, emails, phones, notes, "
                               "unconfirmed, external_id");
    }
    rp_buf summary = RP_BUF_INIT;
    rp_buf_puts(&summary, "Profile updated:");
    const char *key;
    json_t *v;
    json_object_foreach(row, key, v) {
        (void)v;
        rp_buf_printf(&summary, " %s", key);
    }
    json_object_set_new(row, "updated_at", json_integer(rp_now()));
    rp_code rc = own_tx ? save(ctx, id, row, "customer.updated",
                               rp_buf_str(&summary), NULL, err)
                        : write_row(ctx, id, row, "customer.updated",
                                    rp_buf_str(&summary), NULL, err);
    rp_buf_free(&summary);
    json_decref(row);
    return rc;
}

rp_code rp_customer_update(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                           rp_error *err)
{
    if (rp_customer_live_id(ctx, id, &id, err))
        return err->code;
    rp_code rc = update(ctx, id, in, 1, err);
    return rc ? rc : rp_customer_get(ctx, id, out, err);
}

rp_code rp_customer_update_in(rp_ctx *ctx, int64_t id, json_t *in,
                              rp_error *err)
{
    if (rp_customer_live_id(ctx, id, &id, err))
        return err->code;
    return update(ctx, id, in, 0, err);
}

/* A search that reads as a phone number is an identity lookup, however
 * the number was typed: "600 100 200" and "+34600100200" find the same
 * customer.  Returns 1 when it answered. */
static int list_by_phone(rp_ctx *ctx, const char *q, const rp_page_req *page,
                         json_t **out, rp_error *err, rp_code *rc)
{
    rp_desk_settings ds;
    if (!rp_identity_looks_like_phone(q))
        return 0;
    if ((*rc = rp_desk_settings_read(ctx, &ds, err)))
        return 1;
    rp_buf v = RP_BUF_INIT;
    int bad = rp_identity_phone(q, ds.country_code, &v);
    rp_desk_settings_free(&ds);
    if (bad) {
        rp_buf_free(&v);
        return 0;
    }
    json_t *params = json_pack("[s, I, i]", rp_buf_str(&v),
                               (json_int_t)page->after_id, page->limit + 1),
           *rows = NULL;
    rp_buf_free(&v);
    *rc = ctx->store->ops->query(
        ctx->store, RP_Q_CONVERSATION_CUSTOMERS_BY_PHONE, params, &rows, err);
    json_decref(params);
    if (*rc)
        return 1;
    size_t i;
    json_t *c;
    json_array_foreach(rows, i, c)
        decorate(c);
    *out = rp_page_result(rows, page->limit);
    return 1;
}

/* A search that is a whole email address is an identity lookup (the
 * identities' unique index, as a phone number's): the customer who holds
 * it, whatever its letter case (an address is held by one customer at
 * most, so there is never a second page).  Returns 1 when it answered:
 * when nobody holds the address, the text search below still looks for
 * it inside longer ones. */
static int list_by_email(rp_ctx *ctx, const char *q, const rp_page_req *page,
                         json_t **out, rp_error *err, rp_code *rc)
{
    if (!strchr(q, '@'))
        return 0;
    rp_buf v = RP_BUF_INIT;
    if (rp_identity_email(q, &v) || v.failed) {
        rp_buf_free(&v);
        return 0;
    }
    json_t *params = json_pack("[s, I, i]", rp_buf_str(&v),
                               (json_int_t)page->after_id, page->limit + 1),
           *rows = NULL;
    rp_buf_free(&v);
    *rc = ctx->store->ops->query(
        ctx->store, RP_Q_CONVERSATION_CUSTOMERS_BY_EMAIL, params, &rows, err);
    json_decref(params);
    if (*rc)
        return 1;
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        return 0;
    }
    size_t i;
    json_t *c;
    json_array_foreach(rows, i, c)
        decorate(c);
    *out = rp_page_result(rows, page->limit);
    return 1;
}

/* A search of three characters or more is answered by the trigram index
 * of names and email addresses, which finds the same customers a
 * case-insensitive substring test of each would, without reading them
 * all.  Shorter text has no trigram, and is left to the list's filter. */
static rp_code list_by_text(rp_ctx *ctx, const char *q, const rp_page_req *page,
                            json_t **out, rp_error *err)
{
    rp_buf fts = RP_BUF_INIT;
    rp_buf_puts(&fts, "\""); /* one FTS5 string: the text as it is */
    for (const char *p = q; *p; p++) {
        if (*p == '"')
            rp_buf_puts(&fts, "\""); /* a quote inside is doubled */
        rp_buf_append(&fts, p, 1);
    }
    rp_buf_puts(&fts, "\"");
    json_t *params = json_pack("[s, I, i]", rp_buf_str(&fts),
                               (json_int_t)page->after_id, page->limit + 1),
           *rows = NULL;
    rp_buf_free(&fts);
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_CUSTOMER_SEARCH,
                                        params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    size_t i;
    json_t *c;
    json_array_foreach(rows, i, c)
        decorate(c);
    *out = rp_page_result(rows, page->limit);
    return RP_OK;
}

rp_code rp_customer_list(rp_ctx *ctx, const char *q, const rp_page_req *page,
                         json_t **out, rp_error *err)
{
    rp_code prc = RP_OK;
    if (q && *q && rp_utf8_length(q) <= 200 &&
        (list_by_phone(ctx, q, page, out, err, &prc) ||
         list_by_email(ctx, q, page, out, err, &prc)))
        return prc;
    if (q && rp_utf8_is_valid(q, strlen(q)) && rp_utf8_length(q) >= 3 &&
        rp_utf8_length(q) <= 200)
        return list_by_text(ctx, q, page, out, err);
    json_t *qv = NULL;
    /* a customer merged into another is listed as that other only */
    rp_filter f[2] = {{"merged_into", RP_FILTER_EQ, json_null()}};
    int nf = 1;
    if (q && *q) {
        if (rp_utf8_length(q) > 200)
            return rp_error_refuse(err, RP_EINVALID, "q", "too_long", 200,
                                   "q is longer than 200 characters");
        qv = json_string(q);
        if (!qv)
            return rp_error_refuse(err, RP_EINVALID, "q", "not_text", 0,
                                   "q is not valid UTF-8");
        f[1] = (rp_filter){"name|preferred_name|emails", RP_FILTER_CONTAINS,
                           qv};
        nf = 2;
    }
    rp_page p = {page->after_id, 0, page->limit + 1};
    json_t *rows;
    rp_code rc = ctx->store->ops->list(ctx->store, &RP_ENTITY_CUSTOMER, f, nf,
                                       &p, &rows, err);
    json_decref(qv);
    if (rc)
        return rc;
    size_t i;
    json_t *c;
    json_array_foreach(rows, i, c)
        decorate(c);
    *out = rp_page_result(rows, page->limit);
    return RP_OK;
}

rp_code rp_customer_count(rp_ctx *ctx, int64_t *count, rp_error *err)
{
    return ctx->store->ops->count(ctx->store, &RP_ENTITY_CUSTOMER, NULL, 0,
                                  count, err);
}
