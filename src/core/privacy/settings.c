/*
 * settings.c - the desk's privacy settings: who may erase a customer, and
 * the retention rules.  One row per setting in privacy_settings, with who
 * changed it and when; the salt of the suppression list lives there too
 * but is never shown.
 */
#include <stdlib.h>
#include <string.h>

#include "core/privacy/privacy_internal.h"
#include "core/rapport.h"

typedef struct setting {
    const char *key;
    int64_t max; /* 0: the value is a word of approvals[] */
} setting;

static const char *const approvals[] = {"admin", "two_people", NULL};

static const setting settings[] = {
    {"erasure_approval", 0},
    {"retention_inactive_years", 100},
    {"retention_attachment_months", 1200},
    {"retention_body_months", 1200},
    {"retention_batch", 1000},
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

rp_code rp_privacy_setting(rp_ctx *ctx, const char *key, char **value,
                           rp_error *err)
{
    json_t *rows;
    if (ctx->store->ops->query(ctx->store, RP_Q_PRIVACY_SETTINGS_LIST, NULL,
                               &rows, err))
        return err->code;
    size_t i;
    json_t *row;
    *value = NULL;
    json_array_foreach(rows, i, row) {
        if (strcmp(json_string_value(json_object_get(row, "key")), key) == 0)
            *value = strdup(json_string_value(json_object_get(row, "value")));
    }
    json_decref(rows);
    if (!*value)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "the privacy setting %s is missing", key);
    return RP_OK;
}

rp_code rp_privacy_setting_int(rp_ctx *ctx, const char *key, int64_t *value,
                               rp_error *err)
{
    char *v;
    if (rp_privacy_setting(ctx, key, &v, err))
        return err->code;
    *value = strtoll(v, NULL, 10);
    free(v);
    return RP_OK;
}

rp_code rp_privacy_setting_put(rp_ctx *ctx, const char *key, const char *value,
                               rp_error *err)
{
    json_t *p = json_pack("[s, s, I, s]", key, value, (json_int_t)rp_now(),
                          ctx->actor ? ctx->actor : "system");
    rp_code rc = ctx->store->ops->exec(ctx->store, RP_Q_PRIVACY_SETTINGS_SET, p,
                                       NULL, err);
    json_decref(p);
    return rc;
}

rp_code rp_privacy_settings_get(rp_ctx *ctx, json_t **out, rp_error *err)
{
    json_t *rows;
    if (ctx->store->ops->query(ctx->store, RP_Q_PRIVACY_SETTINGS_LIST, NULL,
                               &rows, err))
        return err->code;
    json_t *o = json_object();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *key = json_string_value(json_object_get(row, "key"));
        const char *value = json_string_value(json_object_get(row, "value"));
        for (size_t k = 0; k < NSETTINGS; k++) {
            if (strcmp(settings[k].key, key) != 0)
                continue;
            json_object_set_new(o, key,
                                settings[k].max
                                    ? json_integer(strtoll(value, NULL, 10))
                                    : json_string(value));
        }
    }
    json_decref(rows);
    *out = o;
    return RP_OK;
}

rp_code rp_privacy_settings_update(rp_ctx *ctx, json_t *in, json_t **out,
                                   rp_error *err)
{
    const char *keys[NSETTINGS + 1];
    for (size_t k = 0; k < NSETTINGS; k++)
        keys[k] = settings[k].key;
    keys[NSETTINGS] = NULL;
    if (rp_in_object(in, keys, err))
        return err->code;
    /* check every value before changing any */
    char values[NSETTINGS][32];
    int given[NSETTINGS] = {0};
    for (size_t k = 0; k < NSETTINGS; k++) {
        const setting *s = &settings[k];
        if (!s->max) {
            const char *word;
            if (rp_in_enum(in, s->key, RP_IN_KEPT, approvals, &word, err))
                return err->code;
            if ((given[k] = word != NULL))
                snprintf(values[k], sizeof values[k], "%s", word);
            continue;
        }
        int64_t v = 0;
        if (rp_in_int(in, s->key, RP_IN_KEPT,
                      strcmp(s->key, "retention_batch") == 0 ? 1 : 0, s->max,
                      &v, &given[k], err))
            return err->code;
        snprintf(values[k], sizeof values[k], "%lld", (long long)v);
    }
    if (rp_store_begin(ctx->store, err))
        return err->code;
    rp_code rc = RP_OK;
    for (size_t k = 0; rc == RP_OK && k < NSETTINGS; k++)
        if (given[k])
            rc = rp_privacy_setting_put(ctx, settings[k].key, values[k], err);
    /* new rules are looked at on the scheduler's next step */
    if (rc == RP_OK)
        rc = rp_privacy_setting_put(ctx, "retention_next_at", "0", err);
    if (rp_store_finish(ctx->store, rc, err))
        return err->code;
    return rp_privacy_settings_get(ctx, out, err);
}
