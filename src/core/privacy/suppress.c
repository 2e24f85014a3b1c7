/*
 * suppress.c - the marketing suppression list.
 *
 * A customer who refused offers and was then erased must not receive
 * offers again when their address comes back (a new message, a new
 * customer record).  Keeping the address would undo the erasure, so the
 * list keeps a BLAKE2b hash of it keyed with a salt of the database's own
 * (privacy_settings.email_salt, made at random when the database was
 * created): the list can tell whether an address is on it, but cannot be
 * read back, nor matched against a list of addresses without the salt.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/privacy/privacy_internal.h"
#include "core/rapport.h"

#define SALT_BYTES 32

/* The salted hash of an address (already normalised: lower case). */
static rp_code email_hash(const char *salt_hex, const char *email,
                          char out[SALT_BYTES * 2 + 1], rp_error *err)
{
    unsigned char salt[SALT_BYTES], h[32];
    size_t n = 0;
    if (sodium_hex2bin(salt, sizeof salt, salt_hex, strlen(salt_hex), NULL, &n,
                       NULL) != 0 ||
        n != SALT_BYTES)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "the salt of the suppression list is damaged");
    crypto_generichash(h, sizeof h, (const unsigned char *)email, strlen(email),
                       salt, sizeof salt);
    sodium_memzero(salt, sizeof salt);
    sodium_bin2hex(out, SALT_BYTES * 2 + 1, h, sizeof h);
    return RP_OK;
}

/* Call fn on the hash of each of the customer's email addresses until it
 * returns other than RP_OK. */
static rp_code each_hash(rp_ctx *ctx, int64_t customer_id,
                         rp_code (*fn)(rp_ctx *, const char *, void *,
                                       rp_error *),
                         void *arg, rp_error *err)
{
    char *salt;
    if (rp_privacy_setting(ctx, "email_salt", &salt, err))
        return err->code;
    json_t *p = json_pack("[I]", (json_int_t)customer_id), *rows;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_PRIVACY_EMAILS_OF, p,
                                        &rows, err);
    json_decref(p);
    size_t i;
    json_t *row;
    if (rc == RP_OK) {
        json_array_foreach(rows, i, row) {
            char h[SALT_BYTES * 2 + 1];
            const char *email = json_string_value(
                json_object_get(row, "value"));
            if ((rc = email_hash(salt, email, h, err)) ||
                (rc = fn(ctx, h, arg, err)))
                break;
        }
        json_decref(rows);
    }
    free(salt);
    return rc;
}

static rp_code add(rp_ctx *ctx, const char *h, void *arg, rp_error *err)
{
    (void)arg;
    json_t *p = json_pack("[s, I]", h, (json_int_t)rp_now());
    rp_code rc = ctx->store->ops->exec(ctx->store, RP_Q_PRIVACY_SUPPRESS, p,
                                       NULL, err);
    json_decref(p);
    return rc;
}

rp_code rp_privacy_suppress_customer(rp_ctx *ctx, int64_t customer_id,
                                     rp_error *err)
{
    return each_hash(ctx, customer_id, add, NULL, err);
}

static rp_code find(rp_ctx *ctx, const char *h, void *arg, rp_error *err)
{
    json_t *p = json_pack("[s]", h), *rows;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_PRIVACY_SUPPRESSED, p,
                                        &rows, err);
    json_decref(p);
    if (rc)
        return rc;
    if (json_array_size(rows))
        *(int *)arg = 1;
    json_decref(rows);
    return RP_OK;
}

rp_code rp_privacy_marketing_suppressed(rp_ctx *ctx, int64_t customer_id,
                                        int *suppressed, rp_error *err)
{
    int found = 0;
    if (each_hash(ctx, customer_id, find, &found, err))
        return err->code;
    *suppressed = found;
    return RP_OK;
}
