/*
 * subscription.c - the subscriptions that say which events go where
 * (webhook.h).
 *
 * A subscription's secret is shown once, in the answer that creates it,
 * and never read back: every other read removes it, so a leaked admin
 * screen or log cannot be used to forge deliveries.  A secret not given is
 * made from 32 random bytes, like the API tokens.  The sender needs the
 * secret itself (an HMAC key cannot be kept as a hash), so it is stored
 * sealed with the key of secrets at rest (core/secrets/secrets.h), which is
 * not in the database.
 */
#include <curl/curl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/rapport.h"

#define URL_MAX 2000
#define DESCRIPTION_MAX 200
#define SECRET_MIN 24
#define SECRET_MAX 200

/* clang-format off */
#define WEBHOOK_FIELDS                                                       \
    {"url", RP_FIELD_TEXT, RP_IN_CREATE, .max_chars = URL_MAX,               \
     .meaning = "an absolute http or https URL"},                            \
    {"events", RP_FIELD_TEXT_LIST, RP_IN_CREATE, .max_items = 64,            \
     .max_chars = 64,                                                        \
     .meaning = "the kinds of event to send (GET /api/v1/webhooks/events), " \
                "or \"*\" for all"},                                         \
    {"description", RP_FIELD_TEXT, RP_IN_OPTIONAL,                           \
     .max_chars = DESCRIPTION_MAX},                                          \
    {"active", RP_FIELD_BOOL, RP_IN_OPTIONAL, .meaning = "default: true"}
/* clang-format on */

const rp_field rp_webhook_create_fields[] = {
    WEBHOOK_FIELDS,
    {"secret", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = SECRET_MAX,
     .meaning = "at least 24 characters; left out, one is made and shown "
                "once"},
    {.name = NULL},
};

const rp_field rp_webhook_update_fields[] = {
    WEBHOOK_FIELDS,
    {.name = NULL},
};

/* url must be an absolute http or https URL with a host. */
static rp_code check_url(const char *url, rp_error *err)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    rp_code rc = RP_OK;
    if (!u)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    if (curl_url_set(u, CURLUPART_URL, url, 0) ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) || !host || !*host)
        rc = rp_error_refuse(err, RP_EINVALID, "url", "not_a_url", 0,
                             "url must be a whole web address such as "
                             "https://example.com/hooks");
    else if (strcasecmp(scheme, "http") && strcasecmp(scheme, "https"))
        rc = rp_error_refuse(err, RP_EINVALID, "url", "not_a_url", 0,
                             "url must start with https:// or http://");
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

/* The events of in (a non-empty list of known kinds, or ["*"]) in *out
 * (new reference, duplicates dropped), or NULL when absent. */
static rp_code check_events(json_t *in, int required, json_t **out,
                            rp_error *err)
{
    json_t *list = NULL;
    *out = NULL;
    if (rp_in_string_list(in, "events", 64, 64, &list, err))
        return err->code;
    if (!list) {
        if (required || json_object_get(in, "events"))
            return rp_error_refuse(err, RP_EINVALID, "events", "required", 0,
                                   "events is required: the kinds of event to "
                                   "send, or \"*\" for all");
        return RP_OK;
    }
    if (!json_array_size(list))
        return rp_error_refuse(err, RP_EINVALID, "events", "required", 0,
                               "events must name at least one kind of event");
    json_t *kinds = json_array();
    size_t i;
    json_t *k;
    json_array_foreach(list, i, k) {
        const char *kind = json_string_value(k);
        if (strcmp(kind, "*") && !rp_event_kind_is_known(kind)) {
            rp_buf q = RP_BUF_INIT;
            rp_error_refuse(err, RP_EINVALID, "events", "not_allowed", 0,
                            "events: \"%s\" is not a kind of event; the kinds "
                            "are listed in the webhooks documentation",
                            rp_cut(&q, kind, 40));
            rp_buf_free(&q);
            json_decref(kinds);
            return RP_EINVALID;
        }
        int seen = 0;
        size_t j;
        json_t *have;
        json_array_foreach(kinds, j, have)
            seen |= !strcmp(json_string_value(have), kind);
        if (!seen)
            json_array_append_new(kinds, json_string(kind));
    }
    *out = kinds;
    return RP_OK;
}

/* A new random secret, "whsec_" and 64 hex digits. */
static void make_secret(char out[71])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    memcpy(out, "whsec_", 6);
    sodium_bin2hex(out + 6, 65, raw, sizeof raw);
}

/* row without its secret. */
static json_t *public_row(json_t *row)
{
    json_object_del(row, "secret");
    return row;
}

rp_code rp_webhook_create(rp_ctx *ctx, json_t *in, json_t **out, rp_error *err)
{
    const char *url, *description, *secret;
    json_t *events = NULL;
    int active = 1, present = 0;
    if (rp_in_fields(in, rp_webhook_create_fields, 1, err) ||
        rp_in_string(in, "url", RP_IN_REQUIRED, URL_MAX, &url, err) ||
        check_url(url, err) ||
        rp_in_string(in, "description", RP_IN_OPTIONAL, DESCRIPTION_MAX,
                     &description, err) ||
        rp_in_string(in, "secret", RP_IN_OPTIONAL, SECRET_MAX, &secret, err) ||
        rp_in_bool(in, "active", RP_IN_OPTIONAL, &active, &present, err))
        return err->code;
    if (!present)
        active = 1;
    if (secret && rp_utf8_length(secret) < SECRET_MIN)
        return rp_error_refuse(
            err, RP_EINVALID, "secret", "too_short", SECRET_MIN,
            "secret must be at least %d characters; leave it "
            "out to have one made",
            SECRET_MIN);
    if (check_events(in, 1, &events, err))
        return err->code;
    char made[71];
    if (!secret) {
        make_secret(made);
        secret = made;
    }
    char *sealed = NULL;
    if (rp_secret_seal(secret, &sealed, err)) {
        sodium_memzero(made, sizeof made);
        json_decref(events);
        return err->code;
    }
    int64_t now = rp_now(), id = 0;
    json_t *row = json_pack(
        "{s:s, s:o, s:o, s:s, s:b, s:I, s:I}", "url", url, "description",
        description ? json_string(description) : json_null(), "events", events,
        "secret", sealed, "active", active, "created_at", (json_int_t)now,
        "updated_at", (json_int_t)now);
    free(sealed);
    rp_store *s = ctx->store;
    rp_code rc = rp_store_begin(s, err);
    if (rc == RP_OK)
        rc = rp_store_finish(
            s, s->ops->insert(s, &RP_ENTITY_WEBHOOK, row, &id, err), err);
    json_decref(row);
    json_t *got = NULL;
    if (rc == RP_OK)
        rc = s->ops->get(s, &RP_ENTITY_WEBHOOK, id, &got, err);
    if (rc == RP_OK) /* the one answer that shows the secret */
        json_object_set_new(got, "secret", json_string(secret));
    sodium_memzero(made, sizeof made);
    if (rc)
        return rc;
    *out = got;
    return RP_OK;
}

rp_code rp_webhook_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err)
{
    json_t *row = NULL;
    rp_code rc = ctx->store->ops->get(ctx->store, &RP_ENTITY_WEBHOOK, id, &row,
                                      err);
    if (rc == RP_ENOTFOUND)
        return rp_error_set(err, RP_ENOTFOUND, "id", "no webhook %lld",
                            (long long)id);
    if (rc)
        return rc;
    *out = public_row(row);
    return RP_OK;
}

rp_code rp_webhook_list(rp_ctx *ctx, const rp_page_req *page, json_t **out,
                        rp_error *err)
{
    rp_page p = {page->after_id, 0, page->limit + 1};
    json_t *rows = NULL;
    rp_code rc = ctx->store->ops->list(ctx->store, &RP_ENTITY_WEBHOOK, NULL, 0,
                                       &p, &rows, err);
    if (rc)
        return rc;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
        public_row(r);
    *out = rp_page_result(rows, page->limit);
    return RP_OK;
}

rp_code rp_webhook_update(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                          rp_error *err)
{
    const char *url, *description;
    json_t *events = NULL, *old = NULL;
    int active = 0, present = 0;
    if (rp_in_fields(in, rp_webhook_update_fields, 0, err) ||
        rp_in_string(in, "url", RP_IN_KEPT, URL_MAX, &url, err) ||
        (url && check_url(url, err)) ||
        rp_in_string(in, "description", RP_IN_OPTIONAL, DESCRIPTION_MAX,
                     &description, err) ||
        rp_in_bool(in, "active", RP_IN_OPTIONAL, &active, &present, err) ||
        check_events(in, 0, &events, err))
        return err->code;
    if (rp_webhook_get(ctx, id, &old, err))
        return err->code;
    json_decref(old);
    json_t *changes = json_pack("{s:I}", "updated_at", (json_int_t)rp_now());
    if (url)
        json_object_set_new(changes, "url", json_string(url));
    if (events)
        json_object_set_new(changes, "events", events);
    if (json_object_get(in, "description"))
        json_object_set_new(changes, "description",
                            description ? json_string(description)
                                        : json_null());
    if (present)
        json_object_set_new(changes, "active", json_boolean(active));
    rp_store *s = ctx->store;
    rp_code rc = rp_store_begin(s, err);
    if (rc == RP_OK)
        rc = rp_store_finish(
            s, s->ops->update(s, &RP_ENTITY_WEBHOOK, id, changes, err), err);
    json_decref(changes);
    if (rc)
        return rc;
    return rp_webhook_get(ctx, id, out, err);
}

rp_code rp_webhook_remove(rp_ctx *ctx, int64_t id, rp_error *err)
{
    json_t *old = NULL;
    if (rp_webhook_get(ctx, id, &old, err))
        return err->code;
    json_decref(old);
    rp_store *s = ctx->store;
    rp_code rc = rp_store_begin(s, err);
    if (rc == RP_OK)
        rc = rp_store_finish(s, s->ops->remove(s, &RP_ENTITY_WEBHOOK, id, err),
                             err);
    return rc;
}

rp_code rp_webhook_deliveries(rp_ctx *ctx, int64_t id, const char *status,
                              const rp_page_req *page, json_t **out,
                              rp_error *err)
{
    static const char *const statuses[] = {"queued", "sending", "delivered",
                                           "failed", NULL};
    int known = !status;
    for (int i = 0; status && statuses[i]; i++)
        known |= !strcmp(status, statuses[i]);
    if (!known)
        return rp_error_refuse(err, RP_EINVALID, "status", "not_allowed", 0,
                               "status must be queued, sending, delivered or "
                               "failed");
    json_t *old = NULL;
    if (rp_webhook_get(ctx, id, &old, err))
        return err->code;
    json_decref(old);
    json_t *params = json_pack("[I, s?, I, i]", (json_int_t)id, status,
                               (json_int_t)page->after_id, page->limit + 1);
    json_t *rows = NULL;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_WEBHOOK_DELIVERIES,
                                        params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    *out = rp_page_result(rows, page->limit);
    return RP_OK;
}
