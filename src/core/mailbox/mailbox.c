/*
 * mailbox.c - the IMAP mailboxes of the queues and the UIDs taken from them
 * (mailbox.h).  The claim is one upsert that returns a row only to the
 * caller that now holds it, so no lock is needed between servers.  A
 * mailbox's password is kept sealed (secrets.h): the poller must log in
 * with it, so it cannot be a hash, but a copy of the database alone does
 * not give it away.
 */
#include <stdlib.h>
#include <string.h>

#include "core/rapport.h"

static const char *const mailbox_fields[] = {"url",    "username", "password",
                                             "folder", "queue",    NULL};

static rp_code run(rp_ctx *ctx, rp_query q, json_t *params, json_t **rows,
                   rp_error *err)
{
    if (!params)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    rp_code rc = ctx->store->ops->query(ctx->store, q, params, rows, err);
    json_decref(params);
    return rc;
}

rp_code rp_mailbox_add(rp_ctx *ctx, json_t *in, json_t **out, rp_error *err)
{
    const char *url, *user, *password, *folder, *queue;
    if (rp_in_object(in, mailbox_fields, err) ||
        rp_in_string(in, "url", 1, 500, &url, err) ||
        rp_in_string(in, "username", 1, 200, &user, err) ||
        rp_in_string(in, "password", 1, 500, &password, err) ||
        rp_in_string(in, "folder", 0, 200, &folder, err) ||
        rp_in_string(in, "queue", 0, 100, &queue, err))
        return err->code;
    if (strncmp(url, "imap://", 7) != 0 && strncmp(url, "imaps://", 8) != 0)
        return rp_error_refuse(err, RP_EINVALID, "url", "not_a_url", 0,
                               "url must start with imap:// or imaps://");
    if (strchr(url + 8, '/') && strchr(url + 8, '/')[1])
        return rp_error_refuse(err, RP_EINVALID, "url", "not_a_url", 0,
                               "url names the server only; give the folder "
                               "as folder");
    char *sealed = NULL;
    if (rp_secret_seal(password, &sealed, err))
        return err->code;
    json_t *rows = NULL;
    rp_code rc = run(ctx, RP_Q_MAILBOX_INSERT,
                     json_pack("[s?, s, s, s, s, I]", queue, url, user, sealed,
                               folder ? folder : "INBOX", (json_int_t)rp_now()),
                     &rows, err);
    free(sealed);
    if (rc == RP_ECONFLICT)
        return rp_error_refuse(err, RP_ECONFLICT, "url", "taken", 0,
                               "this mailbox (server, user and folder) is "
                               "already read");
    if (rc)
        return rc;
    json_t *id = json_object_get(json_array_get(rows, 0), "id");
    *out = json_pack("{s:O, s:s?, s:s, s:s, s:s}", "id", id, "queue", queue,
                     "url", url, "username", user, "folder",
                     folder ? folder : "INBOX");
    json_decref(rows);
    return *out ? RP_OK
                : rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
}

rp_code rp_mailbox_list(rp_ctx *ctx, int with_passwords, json_t **out,
                        rp_error *err)
{
    json_t *rows = NULL;
    rp_code rc = run(ctx, RP_Q_MAILBOX_LIST, json_array(), &rows, err);
    if (rc)
        return rc;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *pw = json_string_value(json_object_get(row, "password"));
        if (!with_passwords || !rp_secret_is_sealed(pw)) {
            /* one kept plain from before sealing is sealed at the next
             * start (rp_secrets_start) */
            if (!with_passwords)
                json_object_del(row, "password");
            continue;
        }
        char *plain = NULL;
        if (rp_secret_open(pw, &plain, err)) {
            json_decref(rows);
            return err->code;
        }
        json_object_set_new(row, "password", json_string(plain));
        rp_secret_free(plain);
    }
    *out = json_pack("{s:o}", "items", rows);
    return RP_OK;
}

rp_code rp_mailbox_remove(rp_ctx *ctx, int64_t id, rp_error *err)
{
    json_t *params = json_pack("[I]", (json_int_t)id);
    int64_t changes = 0;
    rp_code rc = ctx->store->ops->exec(ctx->store, RP_Q_MAILBOX_DELETE, params,
                                       &changes, err);
    json_decref(params);
    if (rc)
        return rc;
    if (!changes)
        return rp_error_set(err, RP_ENOTFOUND, "id", "no mailbox %lld",
                            (long long)id);
    return RP_OK;
}

rp_code rp_mailbox_uid_from(rp_ctx *ctx, int64_t mailbox, int64_t uidvalidity,
                            int64_t *from, rp_error *err)
{
    json_t *rows = NULL;
    rp_code rc = run(ctx, RP_Q_MAILBOX_UID_FROM,
                     json_pack("[I, I, I]", (json_int_t)mailbox,
                               (json_int_t)uidvalidity,
                               (json_int_t)(rp_now() - RP_MAILBOX_CLAIM_LEASE)),
                     &rows, err);
    if (rc)
        return rc;
    json_int_t v = json_integer_value(
        json_object_get(json_array_get(rows, 0), "from_uid"));
    *from = v > 0 ? v : 1;
    json_decref(rows);
    return RP_OK;
}

rp_code rp_mailbox_claim(rp_ctx *ctx, int64_t mailbox, int64_t uidvalidity,
                         int64_t uid, int *claimed, rp_error *err)
{
    int64_t now = rp_now();
    json_t *rows = NULL;
    rp_code rc = run(ctx, RP_Q_MAILBOX_UID_CLAIM,
                     json_pack("[I, I, I, I, I]", (json_int_t)mailbox,
                               (json_int_t)uidvalidity, (json_int_t)uid,
                               (json_int_t)now,
                               (json_int_t)(now - RP_MAILBOX_CLAIM_LEASE)),
                     &rows, err);
    if (rc)
        return rc;
    *claimed = json_array_size(rows) == 1;
    json_decref(rows);
    return RP_OK;
}

static rp_code mark(rp_ctx *ctx, rp_query q, int64_t mailbox,
                    int64_t uidvalidity, int64_t uid, rp_error *err)
{
    json_t *params = json_pack("[I, I, I]", (json_int_t)mailbox,
                               (json_int_t)uidvalidity, (json_int_t)uid);
    rp_code rc = ctx->store->ops->exec(ctx->store, q, params, NULL, err);
    json_decref(params);
    return rc;
}

rp_code rp_mailbox_done(rp_ctx *ctx, int64_t mailbox, int64_t uidvalidity,
                        int64_t uid, rp_error *err)
{
    return mark(ctx, RP_Q_MAILBOX_UID_DONE, mailbox, uidvalidity, uid, err);
}

rp_code rp_mailbox_release(rp_ctx *ctx, int64_t mailbox, int64_t uidvalidity,
                           int64_t uid, rp_error *err)
{
    return mark(ctx, RP_Q_MAILBOX_UID_RELEASE, mailbox, uidvalidity, uid, err);
}
