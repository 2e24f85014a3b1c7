/*
 * identity.c - a customer's email addresses and phone numbers as identities
 * of their own: normalised once, unique across customers, found by one
 * index lookup (conversation.h says how each kind is normalised and why).
 *
 * The customer row keeps the lists as the customer wrote them; this file
 * keeps the identities table in step with them inside the same
 * transaction, so the two never disagree.
 */
#include <ctype.h>
#include <string.h>

#include "core/rapport.h"

int rp_identity_email(const char *s, rp_buf *out)
{
    if (!s)
        return -1;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    rp_buf tmp = RP_BUF_INIT;
    rp_buf_append(&tmp, s, n);
    int ok = n && !tmp.failed && rp_email_is_valid(rp_buf_str(&tmp));
    if (ok) {
        for (size_t i = 0; i < tmp.len; i++)
            if (tmp.p[i] >= 'A' && tmp.p[i] <= 'Z')
                tmp.p[i] = (char)(tmp.p[i] - 'A' + 'a');
        rp_buf_append(out, tmp.p, tmp.len);
    }
    rp_buf_free(&tmp);
    return ok ? 0 : -1;
}

int rp_identity_looks_like_phone(const char *q)
{
    int digits = 0;
    for (const char *p = q; p && *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (!strchr("+-().:/ \t", *p))
            return 0;
    }
    return digits >= 3;
}

int rp_identity_phone(const char *s, const char *country_code, rp_buf *out)
{
    if (!s || !rp_identity_looks_like_phone(s) || !rp_phone_is_valid(s))
        return -1;
    rp_buf digits = RP_BUF_INIT;
    int plus = 0;
    const char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '+')
        plus = 1;
    for (; *p; p++)
        if (isdigit((unsigned char)*p))
            rp_buf_append(&digits, p, 1);
    const char *d = rp_buf_str(&digits);
    if (!plus && d[0] == '0' && d[1] == '0') { /* 00 is the way out */
        plus = 1;
        d += 2;
    }
    int ok = *d != '\0' && !digits.failed;
    if (ok && plus) {
        rp_buf_puts(out, "+");
        rp_buf_puts(out, d);
    } else if (ok && country_code && *country_code) {
        if (d[0] == '0') /* the national trunk prefix */
            d++;
        rp_buf_printf(out, "+%s%s", country_code, d);
    } else if (ok) {
        rp_buf_puts(out, d);
    }
    rp_buf_free(&digits);
    return ok ? 0 : -1;
}

/* The normalised form of text of kind; -1 when it is not one. */
static int normalise(rp_ctx *ctx, const char *kind, const char *text,
                     rp_buf *out, rp_error *err, rp_code *rc)
{
    *rc = RP_OK;
    if (strcmp(kind, "email") == 0)
        return rp_identity_email(text, out);
    rp_desk_settings ds;
    if ((*rc = rp_desk_settings_read(ctx, &ds, err)))
        return -1;
    int r = rp_identity_phone(text, ds.country_code, out);
    rp_desk_settings_free(&ds);
    return r;
}

rp_code rp_identity_find(rp_ctx *ctx, const char *kind, const char *text,
                         int64_t *customer_id, int64_t *identity_id,
                         rp_error *err)
{
    *customer_id = *identity_id = 0;
    rp_buf v = RP_BUF_INIT;
    rp_code rc;
    if (normalise(ctx, kind, text, &v, err, &rc)) {
        rp_buf_free(&v);
        return rc;
    }
    json_t *params = json_pack("[s, s]", kind, rp_buf_str(&v)), *rows = NULL;
    rc = ctx->store->ops->query(ctx->store, RP_Q_CONVERSATION_IDENTITY_FIND,
                                params, &rows, err);
    json_decref(params);
    rp_buf_free(&v);
    json_t *r = json_array_get(rows, 0);
    if (rc == RP_OK && r) {
        *customer_id = json_integer_value(json_object_get(r, "customer_id"));
        *identity_id = json_integer_value(json_object_get(r, "id"));
    }
    json_decref(rows);
    return rc;
}

/* Add one identity to customer_id unless it has it; another customer's is
 * a conflict naming them. */
static rp_code add_one(rp_ctx *ctx, int64_t customer_id, const char *kind,
                       const char *written, const char *value, rp_error *err)
{
    json_t *params = json_pack("[s, s]", kind, value), *rows = NULL;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_CONVERSATION_IDENTITY_FIND, params, &rows, err);
    json_decref(params);
    json_t *r = json_array_get(rows, 0);
    int64_t owner = r ? json_integer_value(json_object_get(r, "customer_id"))
                      : 0;
    json_decref(rows);
    if (rc || owner == customer_id)
        return rc;
    const char *field = strcmp(kind, "email") == 0 ? "emails" : "phones";
    if (owner) {
        rp_buf q = RP_BUF_INIT;
        rp_buf_put_cut(&q, written, 60);
        rc = rp_error_refuse(err, RP_ECONFLICT, field, "taken", 0,
                             "%s \"%s\" already belongs to customer %lld",
                             strcmp(kind, "email") == 0 ? "the email address"
                                                        : "the phone number",
                             rp_buf_str(&q), (long long)owner);
        rp_buf_free(&q);
        return rc;
    }
    json_t *row = json_pack("{s:I, s:s, s:s, s:I}", "customer_id",
                            (json_int_t)customer_id, "kind", kind, "value",
                            value, "created_at", (json_int_t)rp_now());
    int64_t id;
    rc = ctx->store->ops->insert(ctx->store, &RP_ENTITY_IDENTITY, row, &id,
                                 err);
    json_decref(row);
    return rc;
}

rp_code rp_identity_sync(rp_ctx *ctx, int64_t customer_id, const char *kind,
                         json_t *list, rp_error *err)
{
    if (!list)
        return RP_OK;
    int email = strcmp(kind, "email") == 0;
    const char *field = email ? "emails" : "phones";
    rp_desk_settings ds = {0};
    if (!email && rp_desk_settings_read(ctx, &ds, err))
        return err->code;
    json_t *values = json_array();
    rp_code rc = RP_OK;
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        rp_buf norm = RP_BUF_INIT;
        int bad = email ? rp_identity_email(json_string_value(v), &norm)
                        : rp_identity_phone(json_string_value(v),
                                            ds.country_code, &norm);
        if (bad) {
            rc = rp_error_set(err, RP_EINVALID, field,
                              "%s[%zu] cannot be read as %s", field, i,
                              email ? "an email address" : "a phone number");
            rp_error_because(err, email ? "not_an_email" : "not_a_phone", 0);
        } else
            json_array_append_new(values, json_string(rp_buf_str(&norm)));
        rp_buf_free(&norm);
        if (rc)
            break;
    }
    rp_desk_settings_free(&ds);
    if (rc == RP_OK) { /* drop those no longer listed, keep the others' ids */
        json_t *params = json_pack("[I, s, O]", (json_int_t)customer_id, kind,
                                   values);
        rc = ctx->store->ops->exec(
            ctx->store, RP_Q_CONVERSATION_IDENTITIES_PRUNE, params, NULL, err);
        json_decref(params);
    }
    json_array_foreach(values, i, v) {
        if (rc)
            break;
        rc = add_one(ctx, customer_id, kind,
                     json_string_value(json_array_get(list, i)),
                     json_string_value(v), err);
    }
    json_decref(values);
    return rc;
}
