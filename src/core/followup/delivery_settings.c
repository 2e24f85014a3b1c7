/*
 * delivery_settings.c - where email and text messages go, as an admin set
 * it in the console: the SMTP server (address, sender, user, password) and
 * the webhook that carries text messages, kept in the database
 * (delivery_settings, one row).
 *
 * They live in the database, not only in the programs' settings, so that
 * an admin who has no shell on the server can make the desk send, every
 * server and the CLI send alike, and a desk that cannot send says so
 * instead of failing its tasks one by one.  What the database holds wins
 * over the program's RAPPORT_SMTP_* and RAPPORT_WEBHOOK_* settings, one
 * channel at a time, so a desk configured the old way keeps working.
 * The SMTP password and the webhook's key are sealed (core/secrets) and
 * never read back out: a reader is told only whether one is set.
 */
#include <stdlib.h>
#include <string.h>

#include "core/rapport.h"
#include "core/secrets/secrets.h"

#define URL_MAX_CHARS 500

const rp_field rp_delivery_settings_fields[] = {
    {"smtp_url", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = URL_MAX_CHARS,
     .meaning = "the mail server: smtp://host:port or smtps://host:port; "
                "null: send no email from these settings"},
    {"smtp_from", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = 254,
     .format = "email", .meaning = "the address email is sent from"},
    {"smtp_user", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = 254,
     .meaning = "the user name at the mail server; STARTTLS is tried when "
                "set"},
    {"smtp_password", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = 1024,
     .meaning = "left out: kept as it is; null: removed.  Kept sealed and "
                "never shown again"},
    {"webhook_url", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = URL_MAX_CHARS,
     .meaning = "where text messages are posted as JSON (http:// or "
                "https://); null: none"},
    {"webhook_secret", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = 1024,
     .meaning = "the key that signs each post; left out: kept; null: "
                "removed.  Kept sealed and never shown again"},
    {.name = NULL},
};

const rp_field rp_delivery_test_fields[] = {
    {"to", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = 254, .format = "email",
     .meaning = "the address the test message goes to"},
    {.name = NULL},
};

static rp_code read_row(rp_ctx *ctx, json_t **row, rp_error *err)
{
    json_t *rows = NULL;
    if (ctx->store->ops->query(ctx->store, RP_Q_DELIVERY_SETTINGS_GET, NULL,
                               &rows, err))
        return err->code;
    json_t *r = json_array_get(rows, 0);
    *row = r ? json_incref(r) : json_object();
    json_decref(rows);
    return RP_OK;
}

static const char *text_of(json_t *row, const char *key)
{
    const char *v = json_string_value(json_object_get(row, key));
    return v && *v ? v : NULL;
}

/* The settings as a reader may see them: secrets only as set or not. */
static json_t *shown(json_t *row)
{
    return json_pack(
        "{s:s?, s:s?, s:s?, s:b, s:s?, s:b, s:O, s:s?}", "smtp_url",
        text_of(row, "smtp_url"), "smtp_from", text_of(row, "smtp_from"),
        "smtp_user", text_of(row, "smtp_user"), "smtp_password_set",
        text_of(row, "smtp_password") != NULL, "webhook_url",
        text_of(row, "webhook_url"), "webhook_secret_set",
        text_of(row, "webhook_secret") != NULL, "updated_at",
        json_object_get(row, "updated_at") ? json_object_get(row, "updated_at")
                                           : json_null(),
        "updated_by", text_of(row, "updated_by"));
}

rp_code rp_delivery_settings_get(rp_ctx *ctx, json_t **out, rp_error *err)
{
    json_t *row;
    if (read_row(ctx, &row, err))
        return err->code;
    *out = shown(row);
    json_decref(row);
    return *out ? RP_OK
                : rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * The new value of key: the one given (null or blank: none), else the
 * one kept.  *value is borrowed from in or from row.
 */
static rp_code merged(json_t *in, json_t *row, const char *key, size_t max,
                      const char **value, rp_error *err)
{
    if (!json_object_get(in, key)) {
        *value = text_of(row, key);
        return RP_OK;
    }
    return rp_in_string(in, key, RP_IN_OPTIONAL, max, value, err);
}

/* The rules a whole set of settings keeps, once merged. */
static rp_code check_settings(const char *url, const char *from,
                              const char *user, const char *password,
                              const char *hook, rp_error *err)
{
    if (url && !starts_with(url, "smtp://") && !starts_with(url, "smtps://"))
        return rp_error_refuse(
            err, RP_EINVALID, "smtp_url", "not_a_url", 0,
            "the mail server's address starts with smtp:// "
            "or smtps://, such as smtp://mail.example.com:587");
    if (url && !from)
        return rp_error_refuse(err, RP_EINVALID, "smtp_from", "required", 0,
                               "give the address email is sent from along with "
                               "the mail server");
    if (from && !rp_email_is_valid(from))
        return rp_error_refuse(err, RP_EINVALID, "smtp_from", "not_an_email", 0,
                               "the address email is sent from is not an email "
                               "address");
    if (password && !user)
        return rp_error_refuse(err, RP_EINVALID, "smtp_user", "required", 0,
                               "a password needs the user name it belongs to");
    if (hook && !starts_with(hook, "http://") && !starts_with(hook, "https://"))
        return rp_error_refuse(
            err, RP_EINVALID, "webhook_url", "not_a_url", 0,
            "the text-message address starts with http:// or "
            "https://");
    return RP_OK;
}

/*
 * The stored form of a secret: the one kept when key is left out, none
 * when it is null or blank, else the new one sealed.  *stored is a new
 * string (NULL: none).
 */
static rp_code secret_of(json_t *in, json_t *row, const char *key,
                         char **stored, rp_error *err)
{
    *stored = NULL;
    if (!json_object_get(in, key)) {
        const char *kept = text_of(row, key);
        if (kept && !(*stored = strdup(kept)))
            return rp_error_set(err, RP_EINTERNAL, key, "out of memory");
        return RP_OK;
    }
    const char *plain;
    if (rp_in_string(in, key, RP_IN_OPTIONAL, 1024, &plain, err))
        return err->code;
    return plain ? rp_secret_seal(plain, stored, err) : RP_OK;
}

rp_code rp_delivery_settings_update(rp_ctx *ctx, json_t *in, json_t **out,
                                    rp_error *err)
{
    const char *url, *from, *user, *hook;
    char *password = NULL, *secret = NULL;
    json_t *row = NULL;
    if (rp_in_fields(in, rp_delivery_settings_fields, 0, err) ||
        read_row(ctx, &row, err))
        goto done;
    if (json_object_size(in) == 0) {
        rp_error_refuse(err, RP_EINVALID, NULL, "nothing_to_change", 0,
                        "nothing to change: give at least one setting");
        goto done;
    }
    if (merged(in, row, "smtp_url", URL_MAX_CHARS, &url, err) ||
        merged(in, row, "smtp_from", 254, &from, err) ||
        merged(in, row, "smtp_user", 254, &user, err) ||
        merged(in, row, "webhook_url", URL_MAX_CHARS, &hook, err))
        goto done;
    /* the password is checked before it is sealed: sealing needs a key,
     * and a refusal for another reason must not ask for one */
    const char *new_password = NULL;
    if (json_object_get(in, "smtp_password") &&
        rp_in_string(in, "smtp_password", RP_IN_OPTIONAL, 1024, &new_password,
                     err))
        goto done;
    int has_password = json_object_get(in, "smtp_password")
                           ? new_password != NULL
                           : text_of(row, "smtp_password") != NULL;
    if (check_settings(url, from, user, has_password ? "set" : NULL, hook,
                       err) ||
        secret_of(in, row, "smtp_password", &password, err) ||
        secret_of(in, row, "webhook_secret", &secret, err))
        goto done;
    json_t *params = json_pack(
        "[s?, s?, s?, s?, s?, s?, I, s]", url, from, user, password, hook,
        secret, (json_int_t)rp_now(), ctx->actor ? ctx->actor : "system");
    rp_store *s = ctx->store;
    rp_code rc = rp_store_begin(s, err);
    if (rc == RP_OK)
        rc = s->ops->exec(s, RP_Q_DELIVERY_SETTINGS_SET, params, NULL, err);
    rc = rp_store_finish(s, rc, err);
    json_decref(params);
    if (rc == RP_OK)
        rc = rp_delivery_settings_get(ctx, out, err);
    json_decref(row);
    free(password);
    free(secret);
    return rc;
done:
    json_decref(row);
    free(password);
    free(secret);
    return err->code;
}

rp_code rp_delivery_effective_read(rp_ctx *ctx, const rp_delivery_config *base,
                                   rp_delivery_effective *e, rp_error *err)
{
    memset(e, 0, sizeof *e);
    if (base)
        e->config = *base;
    e->email_source = base && base->smtp_url ? "server" : NULL;
    e->sms_source = base && base->webhook_url ? "server" : NULL;
    if (read_row(ctx, &e->row, err))
        return err->code;
    rp_delivery_config *c = &e->config;
    if (text_of(e->row, "smtp_url")) {
        c->smtp_url = text_of(e->row, "smtp_url");
        c->smtp_from = text_of(e->row, "smtp_from");
        c->smtp_user = text_of(e->row, "smtp_user");
        c->smtp_password = NULL;
        const char *sealed = text_of(e->row, "smtp_password");
        if (sealed && rp_secret_open(sealed, &e->smtp_password, err)) {
            rp_delivery_effective_free(e);
            return err->code;
        }
        c->smtp_password = e->smtp_password;
        e->email_source = "console";
    }
    if (text_of(e->row, "webhook_url")) {
        c->webhook_url = text_of(e->row, "webhook_url");
        c->webhook_secret = NULL;
        const char *sealed = text_of(e->row, "webhook_secret");
        if (sealed && rp_secret_open(sealed, &e->webhook_secret, err)) {
            rp_delivery_effective_free(e);
            return err->code;
        }
        c->webhook_secret = e->webhook_secret;
        e->sms_source = "console";
    }
    return RP_OK;
}

void rp_delivery_effective_free(rp_delivery_effective *e)
{
    json_decref(e->row);
    rp_secret_free(e->smtp_password);
    rp_secret_free(e->webhook_secret);
    memset(e, 0, sizeof *e);
}

rp_code rp_delivery_status(rp_ctx *ctx, const rp_delivery_config *base,
                           json_t **out, rp_error *err)
{
    rp_delivery_effective e;
    if (rp_delivery_effective_read(ctx, base, &e, err))
        return err->code;
    *out = json_pack("{s:{s:b, s:s?}, s:{s:b, s:s?}}", "email", "configured",
                     e.config.smtp_url != NULL, "source", e.email_source,
                     "text_messages", "configured",
                     e.config.webhook_url != NULL, "source", e.sms_source);
    rp_delivery_effective_free(&e);
    return *out ? RP_OK
                : rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
}

rp_code rp_delivery_test(rp_ctx *ctx, const rp_delivery_config *base,
                         json_t *in, json_t **out, rp_error *err)
{
    const char *to;
    if (rp_in_fields(in, rp_delivery_test_fields, 1, err) ||
        rp_in_string(in, "to", RP_IN_REQUIRED, 254, &to, err))
        return err->code;
    if (!rp_email_is_valid(to))
        return rp_error_refuse(err, RP_EINVALID, "to", "not_an_email", 0,
                               "the test goes to an email address, such as "
                               "you@example.com");
    rp_delivery_effective e;
    if (rp_delivery_effective_read(ctx, base, &e, err))
        return err->code;
    if (!e.config.smtp_url) {
        rp_delivery_effective_free(&e);
        return rp_error_refuse(err, RP_ECONFLICT, "smtp_url", "not_set_up", 0,
                               "no mail server is set: save the mail server's "
                               "address and sender first");
    }
    char id[RP_SECRET_HEX];
    rp_secret_new(id);
    rp_message m = {
        .channel = "email",
        .to = to,
        .subject = "A test from rapport",
        .body = "This is a test message from your help desk. It shows that "
                "the desk can send email: nothing else needs doing.",
        .idempotency_key = id,
        .kind = "test",
    };
    rp_error send_err;
    rp_code rc = rp_delivery_send(&e.config, &m, &send_err);
    *out = json_pack("{s:b, s:s, s:s?, s:s?}", "sent", rc == RP_OK, "to", to,
                     "from", e.config.smtp_from, "problem",
                     rc == RP_OK ? NULL : send_err.message);
    rp_delivery_effective_free(&e);
    return *out ? RP_OK
                : rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
}
