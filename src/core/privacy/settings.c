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

static const char *const approvals[] = {"admin", "two_people", NULL};

/* The settings, their words and bounds: what an update accepts, and what
 * the API's contract says it accepts. */
const rp_field rp_privacy_settings_fields[] = {
    {"erasure_approval", RP_FIELD_ENUM, RP_IN_KEPT, .values = approvals,
     .meaning = "admin: an admin erases; two_people: a lead asks and "
                "another approves"},
    {"retention_inactive_years", RP_FIELD_INT, RP_IN_KEPT, .min = 0, .max = 100,
     .meaning = "erase customers inactive this long; 0: never"},
    {"retention_attachment_months", RP_FIELD_INT, RP_IN_KEPT, .min = 0,
     .max = 1200, .meaning = "drop attachments this old; 0: never"},
    {"retention_body_months", RP_FIELD_INT, RP_IN_KEPT, .min = 0, .max = 1200,
     .meaning = "blank message bodies this old; 0: never"},
    {"retention_batch", RP_FIELD_INT, RP_IN_KEPT, .min = 1, .max = 1000,
     .meaning = "how many records one step of the rules handles"},
    {.name = NULL},
};
#define NSETTINGS                                                              \
    (sizeof rp_privacy_settings_fields /                                       \
         sizeof rp_privacy_settings_fields[0] -                                \
     1)

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
            if (strcmp(rp_privacy_settings_fields[k].name, key) != 0)
                continue;
            json_object_set_new(o, key,
                                rp_privacy_settings_fields[k].type ==
                                        RP_FIELD_INT
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
    if (rp_in_fields(in, rp_privacy_settings_fields, 0, err))
        return err->code;
    /* check every value before changing any */
    char values[NSETTINGS][32];
    int given[NSETTINGS] = {0};
    for (size_t k = 0; k < NSETTINGS; k++) {
        const rp_field *s = &rp_privacy_settings_fields[k];
        if (s->type == RP_FIELD_ENUM) {
            const char *word;
            if (rp_in_enum(in, s->name, RP_IN_KEPT, approvals, &word, err))
                return err->code;
            if ((given[k] = word != NULL))
                snprintf(values[k], sizeof values[k], "%s", word);
            continue;
        }
        int64_t v = 0;
        if (rp_in_int(in, s->name, RP_IN_KEPT, s->min, s->max, &v, &given[k],
                      err))
            return err->code;
        snprintf(values[k], sizeof values[k], "%lld", (long long)v);
    }
    if (rp_store_begin(ctx->store, err))
        return err->code;
    rp_code rc = RP_OK;
    for (size_t k = 0; rc == RP_OK && k < NSETTINGS; k++)
        if (given[k])
            rc = rp_privacy_setting_put(ctx, rp_privacy_settings_fields[k].name,
                                        values[k], err);
    /* new rules are looked at on the scheduler's next step */
    if (rc == RP_OK)
        rc = rp_privacy_setting_put(ctx, "retention_next_at", "0", err);
    if (rp_store_finish(ctx->store, rc, err))
        return err->code;
    return rp_privacy_settings_get(ctx, out, err);
}
