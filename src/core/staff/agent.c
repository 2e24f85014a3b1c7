/*
 * agent.c - the people who serve customers: name, email, role, skills and
 * whether they are active and available for new encounters (auth.h).
 *
 * Skills are what routing (routing.c) matches against a queue's needs.
 * The language and time zone are the agent's own settings for the
 * console (each agent may change theirs; an admin anyone's).
 * The password hash is written through its own named query and never read
 * back into an agent record, so no view of an agent can leak it.
 */
#include <stdio.h>
#include <string.h>

#include "base/tz.h"
#include "core/rapport.h"

#define SKILLS_MAX 50

/* An agent's fields; email is given once, when the agent is added. */
/* clang-format off */
#define AGENT_FIELDS                                                         \
    {"name", RP_FIELD_TEXT, RP_IN_CREATE, .max_chars = 200},                 \
    {"role", RP_FIELD_ENUM, RP_IN_CREATE, .values = rp_agent_roles},         \
    {"skills", RP_FIELD_TEXT_LIST, RP_IN_OPTIONAL, .max_items = SKILLS_MAX,  \
     .max_chars = 40, .meaning = "what the agent is good at, for routing"},  \
    {"available", RP_FIELD_BOOL, RP_IN_OPTIONAL,                             \
     .meaning = "takes new encounters now"},                                 \
    {"password", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = 1024,           \
     .meaning = "to sign in to the console"},                                \
    SETTINGS_FIELDS

/* The agent's own settings (null: not chosen, the browser's is used). */
#define SETTINGS_FIELDS                                                      \
    {"language", RP_FIELD_ENUM, RP_IN_OPTIONAL,                              \
     .values = rp_agent_languages,                                           \
     .meaning = "the console's language for the agent; null: the browser's"},\
    {"time_zone", RP_FIELD_TEXT, RP_IN_OPTIONAL,                             \
     .max_chars = RP_AGENT_TIME_ZONE_MAX,                                    \
     .meaning = "a zone of the tz database, such as Europe/Berlin, for the " \
                "agent's times; null: the browser's"}
/* clang-format on */
const char *const rp_agent_languages[] = {"en", "de", NULL};
const rp_field rp_agent_settings_fields[] = {
    SETTINGS_FIELDS,
    {.name = NULL},
};
const rp_field rp_agent_create_fields[] = {
    {"email", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = 254,
     .format = "email"},
    AGENT_FIELDS,
    {.name = NULL},
};
const rp_field rp_agent_update_fields[] = {
    AGENT_FIELDS,
    {"active", RP_FIELD_BOOL, RP_IN_OPTIONAL,
     .meaning = "false: the agent can no longer sign in"},
    {.name = NULL},
};

rp_code rp_agent_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err)
{
    if (ctx->store->ops->get(ctx->store, &RP_ENTITY_AGENT, id, out, err)) {
        if (err->code == RP_ENOTFOUND)
            rp_error_set(err, RP_ENOTFOUND, "id", "no agent with id %lld",
                         (long long)id);
        return err->code;
    }
    return RP_OK;
}

rp_code rp_agent_list(rp_ctx *ctx, const rp_page_req *page, json_t **out,
                      rp_error *err)
{
    rp_page p = {page->after_id, 0, page->limit + 1};
    json_t *rows;
    if (ctx->store->ops->list(ctx->store, &RP_ENTITY_AGENT, NULL, 0, &p, &rows,
                              err))
        return err->code;
    *out = rp_page_result(rows, page->limit);
    return RP_OK;
}

/* Skills are compared exactly, so keep them lower-case words. */
static rp_code read_skills(json_t *in, json_t *row, rp_error *err)
{
    json_t *skills;
    if (rp_in_string_list(in, "skills", SKILLS_MAX, 40, &skills, err))
        return err->code;
    if (!json_object_get(in, "skills"))
        return RP_OK;
    json_t *norm = rp_strings_lower(skills);
    if (!norm)
        return rp_error_set(err, RP_EINTERNAL, "skills", "out of memory");
    json_object_set_new(row, "skills", norm);
    return RP_OK;
}

rp_code rp_agent_settings_read(json_t *in, json_t *row, rp_error *err)
{
    const char *language = NULL, *zone = NULL;
    json_t *l = json_object_get(in, "language"),
           *z = json_object_get(in, "time_zone");
    /* null clears a setting: the console follows the browser again */
    if (l && !json_is_null(l) &&
        rp_in_enum(in, "language", RP_IN_KEPT, rp_agent_languages, &language,
                   err))
        return err->code;
    if (z && !json_is_null(z)) {
        const rp_tz *tz;
        if (rp_in_string(in, "time_zone", RP_IN_KEPT, RP_AGENT_TIME_ZONE_MAX,
                         &zone, err) ||
            rp_tz_load(zone, "time_zone", &tz, err))
            return err->code;
    }
    if (l)
        json_object_set_new(row, "language",
                            language ? json_string(language) : json_null());
    if (z)
        json_object_set_new(row, "time_zone",
                            zone ? json_string(zone) : json_null());
    return RP_OK;
}

/* A stored column left out of a row (never set) is null. */
static json_t *or_null(json_t *v)
{
    return v ? v : json_null();
}

rp_code rp_agent_settings_update(rp_ctx *ctx, json_t *in, json_t **out,
                                 rp_error *err)
{
    json_t *row = json_object(), *current = NULL;
    if (rp_in_fields(in, rp_agent_settings_fields, 0, err) ||
        rp_agent_settings_read(in, row, err))
        goto fail;
    if (json_object_size(row) == 0) {
        rp_error_refuse(err, RP_EINVALID, NULL, "nothing_to_change", 0,
                        "nothing to change: give language, time_zone or both");
        goto fail;
    }
    rp_store *s = ctx->store;
    if (rp_store_begin(s, err))
        goto fail;
    /* read inside the write transaction: what is not given is kept */
    rp_code rc = rp_agent_get(ctx, ctx->agent_id, &current, err);
    if (rc == RP_OK) {
        json_t *l = json_object_get(row, "language"),
               *z = json_object_get(row, "time_zone");
        json_t *params = json_pack(
            "[O, O, I, I]",
            l ? l : or_null(json_object_get(current, "language")),
            z ? z : or_null(json_object_get(current, "time_zone")),
            (json_int_t)rp_now(), (json_int_t)ctx->agent_id);
        rc = s->ops->exec(s, RP_Q_STAFF_AGENT_SET_SETTINGS, params, NULL, err);
        json_decref(params);
    }
    rc = rp_store_finish(s, rc, err);
    if (rc)
        goto fail;
    json_decref(row);
    json_decref(current);
    return rp_agent_get(ctx, ctx->agent_id, out, err);
fail:
    json_decref(row);
    json_decref(current);
    return err->code;
}

rp_code rp_agent_create(rp_ctx *ctx, json_t *in, json_t **out, rp_error *err)
{
    const char *name, *email, *role, *password;
    int available = 1;
    json_t *row = json_object();
    if (rp_in_fields(in, rp_agent_create_fields, 1, err) ||
        rp_in_string(in, "name", 1, 200, &name, err) ||
        rp_in_string(in, "email", 1, 254, &email, err) ||
        rp_in_enum(in, "role", 1, rp_agent_roles, &role, err) ||
        rp_in_bool(in, "available", 0, &available, NULL, err) ||
        rp_in_string(in, "password", 0, 1024, &password, err) ||
        read_skills(in, row, err) || rp_agent_settings_read(in, row, err))
        goto fail;
    if (!*name) {
        rp_error_refuse(err, RP_EINVALID, "name", "required", 0,
                        "name must not be empty");
        goto fail;
    }
    if (!rp_email_is_valid(email)) {
        rp_buf q = RP_BUF_INIT;
        rp_error_refuse(err, RP_EINVALID, "email", "not_an_email", 0,
                        "email \"%s\" is not an email address",
                        rp_cut(&q, email, 60));
        rp_error_because(err, "not_an_email", 0);
        rp_buf_free(&q);
        goto fail;
    }
    /* a blank password is no password: refused, not silently skipped */
    if ((password || json_is_string(json_object_get(in, "password"))) &&
        rp_password_check(password, "password", err))
        goto fail;
    int64_t now = rp_now(), id = 0;
    json_object_set_new(row, "name", json_string(name));
    json_object_set_new(row, "email", json_string(email));
    json_object_set_new(row, "role", json_string(role));
    if (!json_object_get(row, "skills"))
        json_object_set_new(row, "skills", json_array());
    json_object_set_new(row, "active", json_true());
    json_object_set_new(row, "available", json_boolean(available));
    json_object_set_new(row, "created_at", json_integer(now));
    json_object_set_new(row, "updated_at", json_integer(now));
    /* Hash before the transaction: it takes a tenth of a second and must
     * not hold the write lock meanwhile. */
    char hash[128] = "";
    if (password && rp_password_hash(password, hash, err))
        goto fail;
    rp_store *s = ctx->store;
    if (rp_store_begin(s, err))
        goto fail;
    rp_code rc = s->ops->insert(s, &RP_ENTITY_AGENT, row, &id, err);
    if (rc == RP_ECONFLICT) {
        rp_buf q = RP_BUF_INIT;
        rc = rp_error_refuse(err, RP_ECONFLICT, "email", "taken", 0,
                             "an agent with email %s already exists",
                             rp_cut(&q, email, 60));
        rp_buf_free(&q);
    }
    if (rc == RP_OK && hash[0]) {
        json_t *params = json_pack("[s, I, I]", hash, (json_int_t)now,
                                   (json_int_t)id);
        rc = s->ops->exec(s, RP_Q_STAFF_AGENT_SET_PASSWORD, params, NULL, err);
        json_decref(params);
    }
    rc = rp_store_finish(s, rc, err);
    if (rc)
        goto fail;
    json_decref(row);
    return rp_agent_get(ctx, id, out, err);
fail:
    json_decref(row);
    return err->code;
}

/* Would this change leave no active admin?  Locking out every admin
 * cannot be undone through the API. */
static rp_code keeps_an_admin(rp_ctx *ctx, int64_t id, json_t *current,
                              json_t *row, rp_error *err)
{
    const char *role = json_string_value(json_object_get(current, "role"));
    if (!role || strcmp(role, "admin") != 0 ||
        !json_is_true(json_object_get(current, "active")))
        return RP_OK;
    json_t *nr = json_object_get(row, "role"),
           *na = json_object_get(row, "active");
    int demoted = nr && strcmp(json_string_value(nr), "admin") != 0;
    int deactivated = na && json_is_false(na);
    if (!demoted && !deactivated)
        return RP_OK;
    json_t *params = json_pack("[I]", (json_int_t)id), *rows;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_STAFF_OTHER_ACTIVE_ADMINS, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    int64_t others = json_integer_value(
        json_object_get(json_array_get(rows, 0), "n"));
    json_decref(rows);
    if (others == 0)
        return rp_error_refuse(err, RP_ECONFLICT, demoted ? "role" : "active",
                               "last_admin", 0,
                               "agent %lld is the last active admin; make "
                               "another admin first",
                               (long long)id);
    return RP_OK;
}

rp_code rp_agent_update(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                        rp_error *err)
{
    const char *name, *role, *password;
    int active = 0, available = 0, has_active = 0, has_available = 0;
    json_t *row = json_object(), *current = NULL;
    if (rp_agent_get(ctx, id, &current, err) ||
        rp_in_fields(in, rp_agent_update_fields, 0, err) ||
        rp_in_string(in, "name", RP_IN_KEPT, 200, &name, err) ||
        rp_in_enum(in, "role", RP_IN_KEPT, rp_agent_roles, &role, err) ||
        rp_in_bool(in, "active", 0, &active, &has_active, err) ||
        rp_in_bool(in, "available", 0, &available, &has_available, err) ||
        rp_in_string(in, "password", 0, 1024, &password, err) ||
        read_skills(in, row, err) || rp_agent_settings_read(in, row, err))
        goto fail;
    /* a blank password is no password: refused, not silently skipped */
    if ((password || json_is_string(json_object_get(in, "password"))) &&
        rp_password_check(password, "password", err))
        goto fail;
    if (name)
        json_object_set_new(row, "name", json_string(name));
    if (role)
        json_object_set_new(row, "role", json_string(role));
    if (has_active)
        json_object_set_new(row, "active", json_boolean(active));
    if (has_available)
        json_object_set_new(row, "available", json_boolean(available));
    if (json_object_size(row) == 0 && !password) {
        rp_error_refuse(err, RP_EINVALID, NULL, "nothing_to_change", 0,
                        "nothing to change: give at least one of name, role, "
                        "skills, active, available, password, language, "
                        "time_zone");
        goto fail;
    }
    if (keeps_an_admin(ctx, id, current, row, err))
        goto fail;
    char hash[128] = "";
    if (password && rp_password_hash(password, hash, err))
        goto fail;
    int64_t now = rp_now();
    json_object_set_new(row, "updated_at", json_integer(now));
    rp_store *s = ctx->store;
    if (rp_store_begin(s, err))
        goto fail;
    rp_code rc = s->ops->update(s, &RP_ENTITY_AGENT, id, row, err);
    if (rc == RP_OK && hash[0]) {
        json_t *params = json_pack("[s, I, I]", hash, (json_int_t)now,
                                   (json_int_t)id);
        rc = s->ops->exec(s, RP_Q_STAFF_AGENT_SET_PASSWORD, params, NULL, err);
        json_decref(params);
    }
    /* A new password or a deactivation ends every open session at once. */
    if (rc == RP_OK && (hash[0] || (has_active && !active))) {
        json_t *params = json_pack("[I]", (json_int_t)id);
        rc = s->ops->exec(s, RP_Q_STAFF_SESSIONS_OF_AGENT_DELETE, params, NULL,
                          err);
        json_decref(params);
    }
    rc = rp_store_finish(s, rc, err);
    if (rc)
        goto fail;
    json_decref(row);
    json_decref(current);
    return rp_agent_get(ctx, id, out, err);
fail:
    json_decref(row);
    json_decref(current);
    return err->code;
}
