/*
 * user.c - Zendesk's users as rapport's customers (end-users) and agents.
 *
 * Zendesk keeps every person in one list with a role; rapport keeps the
 * people it serves and the people who serve apart, each with their own
 * rules.  Customers keep their ids and agents are shown above
 * RP_ZENDESK_AGENT_BASE (zendesk.h), so an id says which it is without a
 * lookup, and an end-user made here is an ordinary customer, made by
 * rp_customer_create with its moment of truth.
 */
#include <string.h>

#include "core/zendesk/zendesk_internal.h"

int64_t rp_zd_agent_user_id(int64_t agent_id)
{
    return RP_ZENDESK_AGENT_BASE + agent_id;
}

rp_code rp_zd_user_id(int64_t user_id, const char *field, int64_t *customer_id,
                      int64_t *agent_id, rp_error *err)
{
    *customer_id = *agent_id = 0;
    if (user_id <= 0)
        return rp_error_set(err, RP_ENOTFOUND, field, "no user with id %lld",
                            (long long)user_id);
    if (user_id > RP_ZENDESK_AGENT_BASE)
        *agent_id = user_id - RP_ZENDESK_AGENT_BASE;
    else
        *customer_id = user_id;
    return RP_OK;
}

rp_code rp_zd_agent_by_email(rp_ctx *ctx, const char *email, int64_t *agent_id,
                             rp_error *err)
{
    json_t *rows = NULL, *params = json_pack("[s]", email);
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_ZENDESK_AGENT_BY_EMAIL,
                                        params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    *agent_id = json_integer_value(
        json_object_get(json_array_get(rows, 0), "id"));
    json_decref(rows);
    return RP_OK;
}

static json_t *first_of(json_t *row, const char *key)
{
    json_t *v = json_array_get(json_object_get(row, key), 0);
    return v ? json_incref(v) : json_null();
}

static json_t *customer_user(json_t *c)
{
    json_t *u = json_object();
    json_object_set(u, "id", json_object_get(c, "id"));
    json_object_set(u, "name", json_object_get(c, "name"));
    json_object_set_new(u, "email", first_of(c, "emails"));
    json_object_set_new(u, "phone", first_of(c, "phones"));
    json_object_set_new(u, "role", json_string("end-user"));
    json_object_set_new(u, "active", json_true());
    json_object_set_new(u, "suspended", json_false());
    json_object_set_new(u, "verified", json_false());
    json_t *notes = json_object_get(c, "notes");
    json_object_set_new(u, "notes",
                        json_is_string(notes) ? json_incref(notes)
                                              : json_string(""));
    json_object_set_new(u, "tags", json_array());
    json_object_set_new(u, "external_id", json_null());
    json_object_set_new(u, "organization_id", json_null());
    json_object_set_new(u, "user_fields", json_object());
    json_object_set(u, "created_at", json_object_get(c, "created_at"));
    json_object_set(u, "updated_at", json_object_get(c, "updated_at"));
    return u;
}

json_t *rp_zd_agent_user(json_t *a)
{
    const char *role = json_string_value(json_object_get(a, "role"));
    json_t *u = json_object();
    json_object_set_new(u, "id",
                        json_integer(rp_zd_agent_user_id(
                            json_integer_value(json_object_get(a, "id")))));
    json_object_set(u, "name", json_object_get(a, "name"));
    json_object_set(u, "email", json_object_get(a, "email"));
    json_object_set_new(u, "phone", json_null());
    json_object_set_new(
        u, "role",
        json_string(role && !strcmp(role, "admin") ? "admin" : "agent"));
    json_object_set_new(
        u, "active", json_boolean(json_is_true(json_object_get(a, "active"))));
    json_object_set_new(u, "suspended", json_false());
    json_object_set_new(u, "verified", json_true());
    json_object_set_new(u, "tags", json_array());
    json_object_set_new(u, "external_id", json_null());
    json_object_set_new(u, "organization_id", json_null());
    json_object_set_new(u, "user_fields", json_object());
    json_object_set(u, "created_at", json_object_get(a, "created_at"));
    json_object_set(u, "updated_at", json_object_get(a, "updated_at"));
    return u;
}

rp_code rp_zd_customers_shape(rp_ctx *ctx, json_t *rows, rp_error *err)
{
    (void)ctx;
    (void)err;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
        json_array_set_new(rows, i, customer_user(row));
    return RP_OK;
}

static const char *const wrap_fields[] = {"user", NULL};
static const char *const user_fields[] = {"name",  "email", "phone",
                                          "notes", "role",  NULL};

rp_code rp_zendesk_user_create(rp_ctx *ctx, json_t *in, json_t **out,
                               rp_error *err)
{
    json_t *u = json_is_object(in) ? json_object_get(in, "user") : NULL;
    const char *name, *email, *phone, *notes, *role;
    if (!json_is_object(u))
        return rp_error_set(err, RP_EINVALID, "user",
                            "send an object: {\"user\": {\"name\", "
                            "\"email\"}}");
    if (rp_in_object(in, wrap_fields, err) ||
        rp_in_object(u, user_fields, err) ||
        rp_in_string(u, "name", RP_IN_REQUIRED, 200, &name, err) ||
        rp_in_string(u, "email", 0, 254, &email, err) ||
        rp_in_string(u, "phone", 0, 40, &phone, err) ||
        rp_in_string(u, "notes", 0, 2000, &notes, err) ||
        rp_in_string(u, "role", 0, 20, &role, err))
        return err->code;
    if (role && strcmp(role, "end-user") != 0)
        return rp_error_set(err, RP_EINVALID, "role",
                            "only end-users are made here; agents are added "
                            "by an admin in rapport itself");
    json_t *c = json_pack("{s:s}", "name", name);
    if (email)
        json_object_set_new(c, "emails", json_pack("[s]", email));
    if (phone)
        json_object_set_new(c, "phones", json_pack("[s]", phone));
    if (notes)
        json_object_set_new(c, "notes", json_string(notes));
    json_t *made = NULL;
    rp_code rc = rp_customer_create(ctx, c, &made, err);
    json_decref(c);
    if (rc) {
        /* the customer's lists are one address here */
        if (!strcmp(err->field, "emails") || !strcmp(err->field, "phones"))
            err->field[strlen(err->field) - 1] = '\0';
        return rc;
    }
    *out = json_pack("{s:o}", "user", customer_user(made));
    json_decref(made);
    return RP_OK;
}

rp_code rp_zendesk_user_get(rp_ctx *ctx, int64_t id, json_t **out,
                            rp_error *err)
{
    int64_t customer, agent;
    json_t *row = NULL;
    if (rp_zd_user_id(id, "id", &customer, &agent, err))
        return err->code;
    rp_code rc = customer ? rp_customer_get(ctx, customer, &row, err)
                          : rp_agent_get(ctx, agent, &row, err);
    if (rc == RP_ENOTFOUND)
        return rp_error_set(err, RP_ENOTFOUND, "id", "no user with id %lld",
                            (long long)id);
    if (rc)
        return rc;
    *out = json_pack("{s:o}", "user",
                     customer ? customer_user(row) : rp_zd_agent_user(row));
    json_decref(row);
    return RP_OK;
}

/* Everyone with this address: at most the one customer and the one agent
 * who have it. */
static rp_code users_by_email(rp_ctx *ctx, const char *email, json_t **out,
                              rp_error *err)
{
    int64_t customer = 0, identity = 0, agent = 0;
    if (rp_identity_find(ctx, "email", email, &customer, &identity, err) ||
        rp_zd_agent_by_email(ctx, email, &agent, err))
        return err->code;
    json_t *users = json_array(), *row = NULL;
    /* a customer of a queue the reader may not see is not found */
    rp_error hidden;
    rp_code seen = customer && ctx->viewer
                       ? rp_access_row(ctx, ctx->viewer, RP_ROWS_CUSTOMER,
                                       customer, &hidden)
                       : RP_OK;
    if (seen == RP_EFORBIDDEN)
        customer = 0;
    else if (seen) {
        *err = hidden;
        return seen;
    }
    if (customer && rp_customer_get(ctx, customer, &row, err) == RP_OK) {
        json_array_append_new(users, customer_user(row));
        json_decref(row);
    }
    if (agent && rp_agent_get(ctx, agent, &row, err) == RP_OK) {
        json_array_append_new(users, rp_zd_agent_user(row));
        json_decref(row);
    }
    *out = users;
    return RP_OK;
}

rp_code rp_zendesk_user_search(rp_ctx *ctx, const char *query,
                               const rp_zendesk_page *page, json_t **out,
                               rp_error *err)
{
    if (!query || rp_text_is_blank(query))
        return rp_error_set(err, RP_EINVALID, "query",
                            "query is required: an email address or part of "
                            "a name");
    if (strlen(query) > 800)
        return rp_error_set(err, RP_EINVALID, "query",
                            "query is longer than 800 bytes");
    if (!strncmp(query, "email:", 6))
        query += 6;
    if (rp_email_is_valid(query)) {
        json_t *users = NULL;
        if (users_by_email(ctx, query, &users, err))
            return err->code;
        if (page->offset_style)
            *out = json_pack("{s:o, s:I, s:b, s:I}", "users", users, "count",
                             (json_int_t)json_array_size(users), "has_more", 0,
                             "page", (json_int_t)page->number);
        else
            *out = json_pack("{s:o, s:{s:b, s:n, s:n}}", "users", users, "meta",
                             "has_more", 0, "after_cursor", "before_cursor");
        return RP_OK;
    }
    json_t *q = json_string(query);
    rp_filter f = {"name|preferred_name|emails", RP_FILTER_CONTAINS, q};
    rp_code rc = rp_zd_page_of(ctx, &RP_ENTITY_CUSTOMER, &f, 1,
                               RP_ROWS_CUSTOMER, page, "users",
                               rp_zd_customers_shape, out, err);
    json_decref(q);
    return rc;
}

rp_code rp_zendesk_user_requested(rp_ctx *ctx, int64_t id,
                                  const rp_zendesk_page *page, json_t **out,
                                  rp_error *err)
{
    json_t *user = NULL;
    if (rp_zendesk_user_get(ctx, id, &user, err))
        return err->code;
    json_decref(user);
    if (id > RP_ZENDESK_AGENT_BASE) {
        /* agents ask for nothing: an empty page */
        *out = page->offset_style
                   ? json_pack("{s:[], s:i, s:b, s:I}", "tickets", "count", 0,
                               "has_more", 0, "page", (json_int_t)page->number)
                   : json_pack("{s:[], s:{s:b, s:n, s:n}}", "tickets", "meta",
                               "has_more", 0, "after_cursor", "before_cursor");
        return RP_OK;
    }
    return rp_zendesk_ticket_list(ctx, id, page, out, err);
}

void rp_zendesk_audit_subject(const char *pattern, const char *const *params,
                              int nparams, const char **subject, int64_t *id)
{
    rp_error err;
    *subject = NULL;
    *id = 0;
    int ticket = !strncmp(pattern, "/api/v2/tickets/{", 17);
    int user = !strncmp(pattern, "/api/v2/users/{", 15);
    if ((!ticket && !user) || nparams < 1 ||
        rp_parse_id(params[0], "id", id, &err) != RP_OK ||
        (user && *id > RP_ZENDESK_AGENT_BASE)) {
        *id = 0;
        return;
    }
    *subject = ticket ? "encounter" : "customer";
}
