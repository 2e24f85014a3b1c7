/*
 * settings.c - the desk's conversation settings, and a queue's mail.
 *
 * They are rows of the database (desk_settings), not flags of a program,
 * because every way a message comes in must apply the same rules: rapportd's
 * HTTP endpoint and IMAP poller, `rapport mail receive` run by the mail
 * server, and several rapportd servers on one database.  An admin changes
 * them through the API or the CLI; every change is checked first.
 */
#include <stdlib.h>
#include <string.h>

#include "core/rapport.h"

/* The settings, their types and bounds: what an update accepts, and what
 * the API's contract says it accepts. */
const rp_field rp_desk_settings_fields[] = {
    {"desk_name", RP_FIELD_TEXT, RP_IN_KEPT, .max_chars = 60,
     .meaning = "the desk's name, in replies' subject tag [name #123]; no [, "
                "], # or line break"},
    {"phone_country_code", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = 3,
     .meaning = "the digits of the calling code a phone number without one "
                "is read in; empty for none"},
    {"reopen_days", RP_FIELD_INT, RP_IN_KEPT, .min = 0, .max = 3650,
     .meaning = "days after closing in which a reply reopens the encounter"},
    {"flood_messages", RP_FIELD_INT, RP_IN_KEPT, .min = 1, .max = 100000,
     .meaning = "messages from one sender in flood_minutes before more are "
                "kept aside"},
    {"flood_minutes", RP_FIELD_INT, RP_IN_KEPT, .min = 1, .max = 10080},
    {"attachment_max_bytes", RP_FIELD_INT, RP_IN_KEPT, .min = 1024,
     .max = 100LL * 1024 * 1024},
    {"outbox_max_attempts", RP_FIELD_INT, RP_IN_KEPT, .min = 1, .max = 100},
    {"outbox_backoff_seconds", RP_FIELD_INT, RP_IN_KEPT, .min = 1,
     .max = 86400},
    {"arrival_max_hours", RP_FIELD_INT, RP_IN_KEPT, .min = 1,
     .max = RP_ARRIVAL_MAX_HOURS_LIMIT,
     .meaning = "how many hours back an encounter's arrival may be given "
                "(a call or mail that reached the desk before it was typed "
                "in)"},
    {.name = NULL},
};

static int64_t number(json_t *row, const char *key)
{
    return json_integer_value(json_object_get(row, key));
}

/* The rows as {key: value}, numbers as numbers. */
static rp_code load(rp_ctx *ctx, json_t **out, rp_error *err)
{
    json_t *rows = NULL;
    if (ctx->store->ops->query(ctx->store, RP_Q_CONVERSATION_SETTINGS_LIST,
                               NULL, &rows, err))
        return err->code;
    json_t *o = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        const char *key = json_string_value(json_object_get(r, "key"));
        const char *value = json_string_value(json_object_get(r, "value"));
        if (!key || !value)
            continue;
        for (const rp_field *s = rp_desk_settings_fields; s->name; s++)
            if (strcmp(s->name, key) == 0)
                json_object_set_new(o, key,
                                    s->type == RP_FIELD_INT
                                        ? json_integer(strtoll(value, NULL, 10))
                                        : json_string(value));
    }
    json_decref(rows);
    *out = o;
    return RP_OK;
}

rp_code rp_desk_settings_read(rp_ctx *ctx, rp_desk_settings *s, rp_error *err)
{
    memset(s, 0, sizeof *s);
    if (ctx->desk_settings)
        s->row = json_incref(ctx->desk_settings);
    else if (load(ctx, &s->row, err))
        return err->code;
    s->desk_name = json_string_value(json_object_get(s->row, "desk_name"));
    if (!s->desk_name)
        s->desk_name = "Support";
    s->country_code = json_string_value(
        json_object_get(s->row, "phone_country_code"));
    s->reopen_days = number(s->row, "reopen_days");
    s->flood_messages = number(s->row, "flood_messages");
    s->flood_minutes = number(s->row, "flood_minutes");
    s->attachment_max_bytes = number(s->row, "attachment_max_bytes");
    s->outbox_max_attempts = number(s->row, "outbox_max_attempts");
    s->outbox_backoff_seconds = number(s->row, "outbox_backoff_seconds");
    s->arrival_max_hours = number(s->row, "arrival_max_hours");
    if (s->arrival_max_hours <= 0) /* a database before migration 88 */
        s->arrival_max_hours = RP_ARRIVAL_MAX_HOURS_DEFAULT;
    return RP_OK;
}

void rp_desk_settings_free(rp_desk_settings *s)
{
    json_decref(s->row);
    s->row = NULL;
}

rp_code rp_desk_settings_pin(rp_ctx *ctx, rp_error *err)
{
    json_t *row = NULL;
    if (load(ctx, &row, err))
        return err->code;
    rp_desk_settings_unpin(ctx);
    ctx->desk_settings = row;
    return RP_OK;
}

void rp_desk_settings_unpin(rp_ctx *ctx)
{
    json_decref(ctx->desk_settings);
    ctx->desk_settings = NULL;
}

rp_code rp_desk_settings_get(rp_ctx *ctx, json_t **out, rp_error *err)
{
    return load(ctx, out, err);
}

/* Check one given setting into its text form. */
static rp_code check_one(json_t *in, const rp_field *s, rp_buf *value,
                         rp_error *err)
{
    if (s->type == RP_FIELD_INT) {
        int64_t v;
        if (rp_in_int(in, s->name, 0, s->min, s->max, &v, NULL, err))
            return err->code;
        rp_buf_printf(value, "%lld", (long long)v);
        return RP_OK;
    }
    const char *text;
    if (rp_in_string(in, s->name, 0, s->max_chars, &text, err))
        return err->code;
    if (strcmp(s->name, "phone_country_code") == 0) {
        for (const char *p = text; p && *p; p++)
            if (*p < '0' || *p > '9' || (p == text && *p == '0'))
                return rp_error_refuse(err, RP_EINVALID, s->name, "not_allowed",
                                       0,
                                       "phone_country_code is the digits of "
                                       "a country's calling code, such as 34 "
                                       "or 1, or empty for none");
    } else if (!text) {
        return rp_error_refuse(err, RP_EINVALID, s->name, "required", 0,
                               "%s cannot be blank", s->name);
    } else if (strpbrk(text, "[]#\r\n")) {
        return rp_error_refuse(err, RP_EINVALID, s->name, "not_allowed", 0,
                               "desk_name cannot hold [, ], # or a line break: "
                               "it goes in the subject tag [name #123]");
    }
    rp_buf_puts(value, text ? text : "");
    return RP_OK;
}

rp_code rp_desk_settings_update(rp_ctx *ctx, json_t *in, json_t **out,
                                rp_error *err)
{
    if (rp_in_fields(in, rp_desk_settings_fields, 0, err))
        return err->code;
    if (json_object_size(in) == 0)
        return rp_error_refuse(err, RP_EINVALID, NULL, "nothing_to_change", 0,
                               "nothing to change: give at least one setting");
    json_t *values = json_object();
    for (const rp_field *s = rp_desk_settings_fields; s->name; s++) {
        if (!json_object_get(in, s->name))
            continue;
        rp_buf v = RP_BUF_INIT;
        rp_code rc = check_one(in, s, &v, err);
        if (rc == RP_OK)
            json_object_set_new(values, s->name, json_string(rp_buf_str(&v)));
        rp_buf_free(&v);
        if (rc) {
            json_decref(values);
            return rc;
        }
    }
    rp_store *st = ctx->store;
    rp_code rc = rp_store_begin(st, err);
    if (rc) {
        json_decref(values);
        return rc;
    }
    const char *key;
    json_t *v;
    json_object_foreach(values, key, v) {
        json_t *params = json_pack("[O, I, s, s]", v, (json_int_t)rp_now(),
                                   ctx->actor ? ctx->actor : "system", key);
        rc = st->ops->exec(st, RP_Q_CONVERSATION_SETTINGS_SET, params, NULL,
                           err);
        json_decref(params);
        if (rc)
            break;
    }
    json_decref(values);
    rc = rp_store_finish(st, rc, err);
    return rc ? rc : rp_desk_settings_get(ctx, out, err);
}

const rp_field rp_queue_mail_fields[] = {
    {"email_address", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = 254,
     .format = "email",
     .meaning = "the address mail to the queue comes to; null: none"},
    {"acknowledge_new", RP_FIELD_BOOL, RP_IN_OPTIONAL,
     .meaning = "answer a new request at once to say it was received"},
    {.name = NULL},
};

rp_code rp_queue_mail_set(rp_ctx *ctx, int64_t queue_id, json_t *in,
                          json_t **out, rp_error *err)
{
    const char *address;
    int ack = 0, ack_given = 0;
    if (rp_in_fields(in, rp_queue_mail_fields, 1, err) ||
        rp_in_string(in, "email_address", 0, 254, &address, err) ||
        rp_in_bool(in, "acknowledge_new", 0, &ack, &ack_given, err))
        return err->code;
    if (address && !rp_email_is_valid(address))
        return rp_error_refuse(err, RP_EINVALID, "email_address",
                               "not_an_email", 0,
                               "email_address is not an email address");
    if (!json_object_get(in, "email_address") && !ack_given)
        return rp_error_refuse(err, RP_EINVALID, NULL, "nothing_to_change", 0,
                               "nothing to change: give email_address or "
                               "acknowledge_new");
    json_t *q;
    if (rp_queue_get(ctx, queue_id, &q, err))
        return err->code;
    json_decref(q);
    json_t *changes = json_object();
    if (json_object_get(in, "email_address"))
        json_object_set_new(changes, "email_address",
                            address ? json_string(address) : json_null());
    if (ack_given)
        json_object_set_new(changes, "acknowledge_new", json_boolean(ack));
    json_object_set_new(changes, "updated_at", json_integer(rp_now()));
    rp_code rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_QUEUE, queue_id,
                                         changes, err);
    json_decref(changes);
    return rc ? rc : rp_queue_get(ctx, queue_id, out, err);
}
