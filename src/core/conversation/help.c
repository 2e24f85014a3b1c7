/*
 * help.c - the customer's help pages: the public request form, the status
 * link, and the limits that keep a form anyone may send from being flooded.
 *
 * The form needs no account, so it is guarded here, without any outside
 * service: every request is counted per client address, per network (a /24
 * for IPv4, a /64 for IPv6, because one host easily owns a whole block) and
 * per email address, in the database, so that several rapportd servers on
 * one database share one limit; a field people never see catches the bots
 * that fill in every field; texts and the attachment have size limits.
 *
 * The customer follows the request through a link that works for that
 * request only and expires.  Its token is a random 256-bit value and only
 * its SHA-256 is stored (as the satisfaction links), so a copy of the
 * database opens no conversation.  The link on the page is made at once;
 * the one that is mailed is made when the scheduler sends it, so no token
 * ever waits in the database in the clear.
 *
 * Requests and replies enter through rp_conversation_receive, the one door
 * mail comes in by, so threading, reopening and the moments of truth follow
 * the same rules whatever way the customer wrote.
 */
#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rapport.h"

#define TOKEN_BYTES 32
#define MAX_NAME 200
#define MAX_SUBJECT 200
#define MAX_TEXT 20000

void rp_help_config_default(rp_help_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->link_days = 30;
    cfg->window_seconds = 3600;
    cfg->max_per_address = 10;
    cfg->max_per_network = 30;
    cfg->max_per_email = 5;
    cfg->max_attachment = 5 * 1024 * 1024;
}

/* ---- tokens -------------------------------------------------------------- */

static void hash_token(const char *token, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out, 65, h, sizeof h);
}

static rp_code random_hex(char out[65], rp_error *err)
{
    if (sodium_init() < 0)
        return rp_error_set(err, RP_EINTERNAL, NULL, "libsodium cannot start");
    unsigned char raw[TOKEN_BYTES];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, 65, raw, sizeof raw);
    return RP_OK;
}

static int is_token(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    if (n != TOKEN_BYTES * 2)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
            return 0;
    return 1;
}

/* ---- abuse limits -------------------------------------------------------- */

/*
 * The counting keys of a client address: the address itself and its
 * network.  An IPv4 address mapped into IPv6 counts as IPv4, so one host
 * cannot double its allowance by changing how it connects.
 */
static void address_keys(const char *addr, char *akey, char *nkey, size_t n)
{
    unsigned char b[16];
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
                                             0, 0, 0, 0, 0xff, 0xff};
    int v4 = addr && inet_pton(AF_INET, addr, b) == 1;
    if (!v4 && addr && inet_pton(AF_INET6, addr, b) == 1 &&
        !memcmp(b, mapped, sizeof mapped)) {
        memmove(b, b + 12, 4);
        v4 = 1;
    } else if (!v4 && addr && inet_pton(AF_INET6, addr, b) == 1) {
        char text[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, b, text, sizeof text);
        snprintf(akey, n, "addr:%s", text);
        snprintf(nkey, n, "net:%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", b[0],
                 b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
        return;
    }
    if (v4) {
        snprintf(akey, n, "addr:%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
        snprintf(nkey, n, "net:%u.%u.%u.0/24", b[0], b[1], b[2]);
        return;
    }
    /* not an IP address (a Unix socket): one bucket for all of them */
    snprintf(akey, n, "addr:unknown");
    snprintf(nkey, n, "net:unknown");
}

static rp_code hits(rp_ctx *ctx, const char *key, int64_t since, int64_t *n,
                    int64_t *first, rp_error *err)
{
    json_t *params = json_pack("[s, I]", key, (json_int_t)since), *rows;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_CONVERSATION_HELP_HITS_COUNT, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *row = json_array_get(rows, 0);
    *n = json_integer_value(json_object_get(row, "n"));
    *first = json_integer_value(json_object_get(row, "first"));
    json_decref(rows);
    return RP_OK;
}

static rp_code exec_params(rp_ctx *ctx, rp_query q, json_t *params,
                           int64_t *changed, rp_error *err)
{
    rp_code rc = ctx->store->ops->exec(ctx->store, q, params, changed, err);
    json_decref(params);
    return rc;
}

rp_code rp_help_admit(rp_ctx *ctx, const rp_help_config *cfg,
                      const char *client_addr, const char *email,
                      int *retry_after, rp_error *err)
{
    char akey[80], nkey[80];
    address_keys(client_addr, akey, nkey, sizeof akey);
    rp_buf ekey = RP_BUF_INIT;
    if (email) {
        rp_buf_puts(&ekey, "email:");
        rp_buf_puts(&ekey, email);
        /* one sender, however the address is capitalised */
        if (!ekey.failed)
            rp_ascii_lower(ekey.p);
    }
    const char *keys[3] = {akey, nkey, email ? rp_buf_str(&ekey) : NULL};
    const int max[3] = {cfg->max_per_address, cfg->max_per_network,
                        cfg->max_per_email};
    static const char *const what[3] = {
        "from this address", "from this network", "for this email address"};
    int64_t now = rp_now(), since = now - cfg->window_seconds;
    int over = -1;
    int64_t first = now;
    rp_store *s = ctx->store;
    *retry_after = 0;
    rp_code rc = rp_store_begin(s, err);
    if (rc == RP_OK)
        rc = exec_params(ctx, RP_Q_CONVERSATION_HELP_HITS_EXPIRE,
                         json_pack("[I]", (json_int_t)since), NULL, err);
    for (int i = 0; i < 3 && rc == RP_OK && over < 0; i++) {
        int64_t n = 0, f = 0;
        if (!keys[i] || max[i] <= 0)
            continue;
        rc = hits(ctx, keys[i], since, &n, &f, err);
        if (rc == RP_OK && n >= max[i]) {
            over = i;
            first = f;
        }
    }
    for (int i = 0; i < 3 && rc == RP_OK && over < 0; i++)
        if (keys[i] && max[i] > 0)
            rc = exec_params(ctx, RP_Q_CONVERSATION_HELP_HIT_ADD,
                             json_pack("[s, I]", keys[i], (json_int_t)now),
                             NULL, err);
    rc = rp_store_finish(s, rc, err);
    rp_buf_free(&ekey);
    if (rc)
        return rc;
    if (over < 0)
        return RP_OK;
    int64_t wait = first + cfg->window_seconds - now;
    *retry_after = wait < 1 ? 1 : (int)wait;
    int minutes = (*retry_after + 59) / 60;
    return rp_error_set(err, RP_ERATELIMIT, over == 2 ? "email" : NULL,
                        "too many messages %s in a short time; please try "
                        "again in %d minute%s",
                        what[over], minutes, minutes == 1 ? "" : "s");
}

/* ---- checking what the customer typed ------------------------------------ */

static void put(json_t *in, const char *key, const char *value)
{
    if (value)
        json_object_set_new(in, key, json_string(value));
    else
        json_object_set_new(in, key, json_null());
}

/* A text must be UTF-8 before it is a JSON string at all. */
static rp_code utf8_fields(const char *const names[], const char *const vals[],
                           rp_error *err)
{
    for (int i = 0; names[i]; i++)
        if (vals[i] && !rp_utf8_is_valid(vals[i], strlen(vals[i])))
            return rp_error_refuse(err, RP_EINVALID, names[i], "not_text", 0,
                                   "%s is not valid UTF-8 text", names[i]);
    return RP_OK;
}

static rp_code check_attachment(const rp_help_config *cfg,
                                const rp_mail_attachment *a, rp_error *err)
{
    if (!a)
        return RP_OK;
    int mb = cfg->max_attachment >= 1024 * 1024 &&
             cfg->max_attachment % (1024 * 1024) == 0;
    if (a->size > (size_t)cfg->max_attachment)
        return rp_error_refuse(err, RP_EINVALID, "attachment", "too_big",
                               (long long)cfg->max_attachment,
                               "the attachment is larger than %d %s; please "
                               "send a smaller file",
                               mb ? cfg->max_attachment / (1024 * 1024)
                                  : cfg->max_attachment / 1024,
                               mb ? "MB" : "KB");
    if (a->filename && !rp_utf8_is_valid(a->filename, strlen(a->filename)))
        return rp_error_refuse(err, RP_EINVALID, "attachment", "not_text", 0,
                               "the attachment's name is not valid UTF-8 text");
    return RP_OK;
}

/* A Message-ID of our own for what came through the web, so that a reply
 * can name what it answers just as a mail would. */
static rp_code web_message_id(char out[96], rp_error *err)
{
    char hex[65];
    if (random_hex(hex, err))
        return err->code;
    snprintf(out, 96, "web-%.32s@help.rapport.invalid", hex);
    return RP_OK;
}

/*
 * The door refused the message (a flood from one sender, most likely):
 * kept there with its reason for an admin, and for the customer a limit
 * like ours, to try again later.
 */
static rp_code not_taken(json_t *got, int *retry_after, rp_error *err)
{
    const char *why = json_string_value(json_object_get(got, "reason"));
    *retry_after = 600;
    rp_error_set(err, RP_ERATELIMIT, NULL,
                 "we could not take your message just now (%s); please try "
                 "again in a few minutes",
                 why ? why : "too many messages");
    return err->code;
}

/* ---- opening a request --------------------------------------------------- */

static rp_code insert_link(rp_ctx *ctx, const char *hash, const char *purpose,
                           int64_t eid, int64_t cid, const char *email,
                           const char *thread, const char *subject, int64_t now,
                           int64_t expires, rp_error *err)
{
    int mail = strcmp(purpose, "mail") == 0;
    json_t *params = json_pack("[s, s, I, I, s, s, s?, I, I, s?, o]", hash,
                               purpose, (json_int_t)eid, (json_int_t)cid, email,
                               thread, subject, (json_int_t)now,
                               (json_int_t)expires, mail ? "pending" : NULL,
                               mail ? json_integer(now) : json_null());
    json_t *rows = NULL;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_CONVERSATION_HELP_LINK_INSERT, params, &rows, err);
    json_decref(params);
    json_decref(rows);
    return rc;
}

rp_code rp_help_open(rp_ctx *ctx, const rp_help_config *cfg,
                     const rp_help_request *req, char token[65], json_t **out,
                     int *retry_after, rp_error *err)
{
    token[0] = '\0';
    *retry_after = 0;
    if (req->honeypot && *req->honeypot) {
        /* A person never sees the field: answer as if all went well. */
        *out = json_pack("{s:s}", "outcome", "ignored");
        return RP_OK;
    }
    static const char *const names[] = {"name", "email", "subject", "message",
                                        NULL};
    const char *const vals[] = {req->name, req->email, req->subject, req->text};
    if (utf8_fields(names, vals, err))
        return err->code;
    json_t *in = json_object();
    for (int i = 0; names[i]; i++)
        put(in, names[i], vals[i]);
    const char *name, *email, *subject, *text;
    rp_code rc = RP_OK;
    if (rp_in_string(in, "name", 1, MAX_NAME, &name, err) ||
        rp_in_string(in, "email", 1, 254, &email, err) ||
        rp_in_string(in, "subject", 1, MAX_SUBJECT, &subject, err) ||
        rp_in_string(in, "message", 1, MAX_TEXT, &text, err))
        rc = err->code;
    else if (!rp_email_is_valid(email))
        rc = rp_error_refuse(err, RP_EINVALID, "email", "not_an_email", 0,
                             "email must be an address like name@example.com");
    else
        rc = check_attachment(cfg, req->attachment, err);
    if (rc == RP_OK)
        rc = rp_help_admit(ctx, cfg, req->client_addr, email, retry_after, err);
    char mid[96], hash[65], mailhash[80], pending[65];
    if (rc == RP_OK)
        rc = web_message_id(mid, err);
    if (rc == RP_OK)
        rc = random_hex(token, err);
    if (rc == RP_OK)
        rc = random_hex(pending, err);
    json_t *got = NULL;
    if (rc == RP_OK) {
        rp_inbound_mail mail = {
            .channel = "web",
            .queue = cfg->queue,
            .message_id = mid,
            .from_address = email,
            .from_name = name,
            .subject = subject,
            .text = text,
            .sent_at = rp_now(),
            .mail_class = RP_MAIL_PERSONAL,
            .attachments = req->attachment,
            .nattachments = req->attachment ? 1 : 0,
        };
        rc = rp_conversation_receive(ctx, &mail, &got, err);
    }
    int64_t eid = json_integer_value(json_object_get(got, "encounter_id"));
    int64_t cid = json_integer_value(json_object_get(got, "customer_id"));
    if (rc == RP_OK && (!eid || !cid))
        rc = not_taken(got, retry_after, err);
    int64_t now = rp_now(), expires = now + (int64_t)cfg->link_days * 86400;
    if (rc == RP_OK) {
        hash_token(token, hash);
        snprintf(mailhash, sizeof mailhash, "pending:%s", pending);
        rp_store *s = ctx->store;
        rc = rp_store_begin(s, err);
        if (rc == RP_OK)
            rc = insert_link(ctx, hash, "page", eid, cid, email, mid, subject,
                             now, expires, err);
        if (rc == RP_OK)
            rc = insert_link(ctx, mailhash, "mail", eid, cid, email, mid,
                             subject, now, expires, err);
        rc = rp_store_finish(s, rc, err);
    }
    if (rc == RP_OK)
        *out = json_pack("{s:O, s:I, s:I}", "outcome",
                         json_object_get(got, "outcome"), "encounter_id",
                         (json_int_t)eid, "expires_at", (json_int_t)expires);
    else
        token[0] = '\0';
    json_decref(got);
    json_decref(in);
    return rc;
}

/* ---- the link ------------------------------------------------------------ */

rp_code rp_help_link(rp_ctx *ctx, const char *token, json_t **out,
                     rp_error *err)
{
    if (!is_token(token))
        return rp_error_set(err, RP_ENOTFOUND, "token",
                            "this link is not valid");
    char hash[65];
    hash_token(token, hash);
    json_t *params = json_pack("[s]", hash), *rows;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_CONVERSATION_HELP_LINK_BY_HASH, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *row = json_array_get(rows, 0);
    if (!row) {
        json_decref(rows);
        return rp_error_set(err, RP_ENOTFOUND, "token",
                            "this link is not valid");
    }
    int64_t expires = json_integer_value(json_object_get(row, "expires"));
    if (expires <= rp_now()) {
        json_decref(rows);
        return rp_error_set(err, RP_EFORBIDDEN, "token",
                            "this link has expired");
    }
    json_object_set_new(row, "expires_at", json_integer(expires));
    json_object_del(row, "expires");
    *out = json_incref(row);
    json_decref(rows);
    return RP_OK;
}

/* ---- the customer's reply ------------------------------------------------ */

rp_code rp_help_reply(rp_ctx *ctx, const rp_help_config *cfg, const char *token,
                      const char *text, const rp_mail_attachment *attachment,
                      const char *client_addr, json_t **out, int *retry_after,
                      rp_error *err)
{
    json_t *link;
    *retry_after = 0;
    if (rp_help_link(ctx, token, &link, err))
        return err->code;
    static const char *const names[] = {"message", NULL};
    const char *const vals[] = {text};
    json_t *in = json_object();
    put(in, "message", text);
    const char *body = NULL;
    rp_code rc = utf8_fields(names, vals, err);
    if (rc == RP_OK)
        rc = rp_in_string(in, "message", 1, MAX_TEXT, &body, err);
    if (rc == RP_OK)
        rc = check_attachment(cfg, attachment, err);
    if (rc == RP_OK)
        rc = rp_help_admit(ctx, cfg, client_addr, NULL, retry_after, err);
    char mid[96];
    if (rc == RP_OK)
        rc = web_message_id(mid, err);
    json_t *got = NULL;
    int64_t eid = json_integer_value(json_object_get(link, "encounter_id"));
    if (rc == RP_OK) {
        const char *thread = json_string_value(
            json_object_get(link, "thread_id"));
        const char *subject = json_string_value(
            json_object_get(link, "subject"));
        rp_buf re = RP_BUF_INIT;
        rp_buf_puts(&re, "Re: ");
        rp_buf_puts(&re, subject ? subject : "your request");
        const char *refs[1] = {thread};
        rp_inbound_mail mail = {
            .channel = "web",
            .queue = cfg->queue,
            .message_id = mid,
            .in_reply_to = thread,
            .references = refs,
            .nreferences = 1,
            .from_address = json_string_value(json_object_get(link, "email")),
            .subject = rp_buf_str(&re),
            .text = body,
            .sent_at = rp_now(),
            .mail_class = RP_MAIL_PERSONAL,
            .attachments = attachment,
            .nattachments = attachment ? 1 : 0,
        };
        rc = rp_conversation_receive(ctx, &mail, &got, err);
        rp_buf_free(&re);
    }
    /* A reply long after the close opens a new, linked encounter: the
     * customer's links follow it, so the page shows where work goes on. */
    int64_t now_eid = json_integer_value(json_object_get(got, "encounter_id"));
    if (rc == RP_OK && !now_eid)
        rc = not_taken(got, retry_after, err);
    if (rc == RP_OK && now_eid && now_eid != eid) {
        rp_store *s = ctx->store;
        rc = rp_store_begin(s, err);
        if (rc == RP_OK)
            rc = exec_params(
                ctx, RP_Q_CONVERSATION_HELP_LINK_MOVE,
                json_pack("[I, I]", (json_int_t)eid, (json_int_t)now_eid), NULL,
                err);
        rc = rp_store_finish(s, rc, err);
    }
    if (rc == RP_OK)
        *out = json_incref(got);
    json_decref(got);
    json_decref(in);
    json_decref(link);
    return rc;
}

/* ---- mailing the links --------------------------------------------------- */

static void count(json_t *report, const char *what)
{
    json_t *h = json_object_get(report, "help_links");
    json_int_t n = json_integer_value(json_object_get(h, what));
    json_object_set_new(h, what, json_integer(n + 1));
}

/* Build and send the mail of one claimed link; its token is token. */
static rp_code send_link(rp_ctx *ctx, const rp_scheduler_config *cfg,
                         json_t *row, const char *token, rp_error *err)
{
    const char *base = cfg->public_url;
    if (!base || !*base)
        return rp_error_set(err, RP_EINTERNAL, "public_url",
                            "no public URL is configured for links: set "
                            "RAPPORT_PUBLIC_URL");
    int64_t cid = json_integer_value(json_object_get(row, "customer_id"));
    int64_t id = json_integer_value(json_object_get(row, "id"));
    const char *subject = json_string_value(json_object_get(row, "subject"));
    json_t *customer = NULL;
    const char *greet = "there";
    if (rp_customer_get(ctx, cid, &customer, err) == RP_OK &&
        json_string_value(json_object_get(customer, "greeting_name")))
        greet = json_string_value(json_object_get(customer, "greeting_name"));
    size_t bl = strlen(base);
    if (bl && base[bl - 1] == '/')
        bl--;
    rp_buf body = RP_BUF_INIT, subj = RP_BUF_INIT, key = RP_BUF_INIT;
    rp_buf_printf(&body,
                  "Hello %s,\n\nthank you for writing to us. We have "
                  "your request",
                  greet);
    if (subject) {
        rp_buf_puts(&body, " \"");
        rp_buf_put_cut(&body, subject, 200);
        rp_buf_puts(&body, "\"");
    }
    rp_buf_printf(&body,
                  " and will answer you soon.\n\nYou can see it, with our "
                  "answers, and write to us again here:\n%.*s/help/r/%s\n\n"
                  "The link is for you only; keep it to yourself. It works "
                  "for %d days. Our answers also come to you by email.\n",
                  (int)bl, base, token, cfg->help_link_days);
    rp_buf_puts(&subj, "We have your request");
    if (subject) {
        rp_buf_puts(&subj, ": ");
        rp_buf_put_cut(&subj, subject, 150);
    }
    rp_buf_printf(
        &key, "help-link-%lld-%lld", (long long)id,
        (long long)json_integer_value(json_object_get(row, "attempts")) + 1);
    rp_code rc;
    if (body.failed || subj.failed || key.failed) {
        rc = rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    } else {
        rp_message m = {.channel = "email",
                        .to = json_string_value(json_object_get(row, "email")),
                        .subject = rp_buf_str(&subj),
                        .body = rp_buf_str(&body),
                        .idempotency_key = rp_buf_str(&key),
                        .customer_id = cid,
                        .kind = "help_link"};
        rc = rp_delivery_send(&cfg->delivery, &m, err);
    }
    rp_buf_free(&body);
    rp_buf_free(&subj);
    rp_buf_free(&key);
    json_decref(customer);
    return rc;
}

static rp_code settle_link(rp_ctx *ctx, const rp_scheduler_config *cfg,
                           json_t *row, int64_t now, rp_code sent,
                           const rp_error *why, json_t *report, rp_error *err)
{
    int64_t id = json_integer_value(json_object_get(row, "id"));
    int64_t attempts = json_integer_value(json_object_get(row, "attempts")) + 1;
    json_t *params;
    rp_query q = RP_Q_CONVERSATION_HELP_LINK_MAILED;
    if (sent == RP_OK) {
        params = json_pack("[I]", (json_int_t)id);
        count(report, "sent");
    } else {
        int failed = attempts >= cfg->max_attempts;
        int shift = attempts - 1 < 20 ? (int)attempts - 1 : 20;
        int64_t next = now + ((int64_t)cfg->backoff_seconds << shift);
        params = json_pack("[I, s, I, s]", (json_int_t)id,
                           failed ? "failed" : "pending", (json_int_t)next,
                           why->message);
        q = RP_Q_CONVERSATION_HELP_LINK_MAIL_RETRY;
        count(report, failed ? "failed" : "retried");
    }
    rp_store *s = ctx->store;
    rp_code rc = rp_store_begin(s, err);
    if (rc == RP_OK)
        rc = exec_params(ctx, q, params, NULL, err);
    else
        json_decref(params);
    return rp_store_finish(s, rc, err);
}

rp_code rp_help_mail_links(rp_ctx *ctx, const rp_scheduler_config *cfg,
                           int64_t now, json_t *report, rp_error *err)
{
    json_object_set_new(
        report, "help_links",
        json_pack("{s:i, s:i, s:i}", "sent", 0, "retried", 0, "failed", 0));
    json_t *params = json_pack("[I, I, i]", (json_int_t)now,
                               (json_int_t)(now - cfg->lease_seconds),
                               cfg->batch),
           *rows;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_CONVERSATION_HELP_LINKS_TO_MAIL, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        if (cfg->should_stop && cfg->should_stop(cfg->stop_arg))
            break;
        char token[65], hash[65];
        int64_t changed = 0;
        int64_t id = json_integer_value(json_object_get(row, "id"));
        rc = random_hex(token, err);
        if (rc)
            break;
        hash_token(token, hash);
        /* claim it with its new token: only the mailed token opens it */
        rp_store *s = ctx->store;
        rc = rp_store_begin(s, err);
        if (rc == RP_OK)
            rc = exec_params(
                ctx, RP_Q_CONVERSATION_HELP_LINK_CLAIM_MAIL,
                json_pack(
                    "[I, I, s, I, I]", (json_int_t)id, (json_int_t)now, hash,
                    (json_int_t)(now + (int64_t)cfg->help_link_days * 86400),
                    (json_int_t)(now - cfg->lease_seconds)),
                &changed, err);
        rc = rp_store_finish(s, rc, err);
        if (rc)
            break;
        if (!changed)
            continue; /* another scheduler has it */
        rp_error why;
        rp_error_clear(&why);
        rp_code sent = send_link(ctx, cfg, row, token, &why);
        sodium_memzero(token, sizeof token);
        rc = settle_link(ctx, cfg, row, now, sent, &why, report, err);
        if (rc)
            break;
    }
    json_decref(rows);
    return rc;
}

/* ---- what the customer's page shows -------------------------------------- */

/* The stage of an encounter as the customer reads it. */
static const char *status_words(const char *stage)
{
    if (!stage)
        return "We have your request.";
    if (!strcmp(stage, "received"))
        return "We have your request and will answer soon.";
    if (!strcmp(stage, "closed"))
        return "Resolved. If something is still not right, write to us "
               "below and we will pick it up again.";
    if (!strcmp(stage, "abandoned"))
        return "Closed. If you still need help, write to us below.";
    return "We are working on your request.";
}

/* A message the customer may see: what they wrote and what was sent or is
 * on its way to them; never a note, never a draft. */
static int customer_sees(json_t *m)
{
    const char *dir = json_string_value(json_object_get(m, "direction"));
    const char *status = json_string_value(json_object_get(m, "status"));
    if (!dir || !strcmp(dir, "note"))
        return 0;
    if (!strcmp(dir, "inbound"))
        return 1;
    return !strcmp(dir, "outbound") && status && strcmp(status, "draft") != 0;
}

static json_t *shown(json_t *m)
{
    const char *dir = json_string_value(json_object_get(m, "direction"));
    int64_t at = 0;
    rp_time_parse(json_string_value(json_object_get(m, "occurred_at")), &at);
    json_t *files = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(m, "attachments"), i, a)
        json_array_append_new(
            files, json_pack("{s:O, s:O, s:O}", "id", json_object_get(a, "id"),
                             "filename", json_object_get(a, "filename"), "size",
                             json_object_get(a, "size")));
    int inbound = !strcmp(dir, "inbound");
    json_t *body = json_object_get(m, "body"),
           *quoted = json_object_get(m, "quoted");
    return json_pack(
        "{s:O, s:b, s:s, s:I, s:O, s:O, s:o}", "id", json_object_get(m, "id"),
        "inbound", inbound, "author", inbound ? "You wrote" : "We answered",
        "at", (json_int_t)at, "text", body ? body : json_null(), "quoted",
        quoted ? quoted : json_null(), "attachments", files);
}

/* The pages of 100 messages a status page reads: the first thousand
 * messages of a conversation, a bound on the work one public page costs. */
#define VIEW_PAGES 10

rp_code rp_help_view(rp_ctx *ctx, const char *token, json_t **out,
                     rp_error *err)
{
    json_t *link, *enc = NULL, *customer = NULL;
    if (rp_help_link(ctx, token, &link, err))
        return err->code;
    int64_t eid = json_integer_value(json_object_get(link, "encounter_id"));
    int64_t cid = json_integer_value(json_object_get(link, "customer_id"));
    rp_code rc = rp_encounter_get(ctx, eid, &enc, err);
    if (rc == RP_OK)
        rc = rp_customer_get(ctx, cid, &customer, err);
    json_t *messages = json_array();
    rp_page_req page = {100, 0};
    for (int i = 0; rc == RP_OK && i < VIEW_PAGES; i++) {
        json_t *got = NULL;
        rc = rp_message_list(ctx, eid, &page, &got, err);
        if (rc)
            break;
        size_t k;
        json_t *m;
        json_array_foreach(json_object_get(got, "items"), k, m)
            if (customer_sees(m))
                json_array_append_new(messages, shown(m));
        const char *next = json_string_value(
            json_object_get(got, "next_cursor"));
        rp_page_req more;
        rc = next ? rp_page_req_parse("100", next, &more, err) : RP_OK;
        json_decref(got);
        if (!next || rc)
            break;
        page = more;
    }
    if (rc == RP_OK) {
        const char *stage = json_string_value(json_object_get(enc, "stage"));
        json_t *last = json_array_get(messages, json_array_size(messages) - 1);
        int answered = last && !json_is_true(json_object_get(last, "inbound"));
        int open = stage && strcmp(stage, "closed") &&
                   strcmp(stage, "abandoned");
        *out = json_pack(
            "{s:O, s:O, s:s?, s:s, s:O, s:O}", "greeting_name",
            json_object_get(customer, "greeting_name"), "subject",
            json_object_get(link, "subject"), "stage", stage, "status",
            open && answered ? "We have answered you. If you need anything "
                               "else, write to us below."
                             : status_words(stage),
            "expires_at", json_object_get(link, "expires_at"), "messages",
            messages);
    }
    json_decref(messages);
    json_decref(customer);
    json_decref(enc);
    json_decref(link);
    return rc;
}

rp_code rp_help_attachment(rp_ctx *ctx, const char *token, int64_t id,
                           rp_attachment_data *out, rp_error *err)
{
    json_t *link, *m = NULL;
    if (rp_help_link(ctx, token, &link, err))
        return err->code;
    rp_attachment_data a;
    rp_code rc = rp_attachment_get(ctx, id, &a, err);
    if (rc) {
        json_decref(link);
        return rc;
    }
    int64_t mid = json_integer_value(json_object_get(a.row, "message_id"));
    int same = json_integer_value(json_object_get(a.row, "encounter_id")) ==
               json_integer_value(json_object_get(link, "encounter_id"));
    if (same && rp_message_get(ctx, mid, &m, err) == RP_OK &&
        customer_sees(m)) {
        *out = a;
    } else {
        /* the same answer as for no such file: a link learns nothing about
         * what it may not see */
        rp_attachment_free(&a);
        rc = rp_error_set(err, RP_ENOTFOUND, "id", "no such file");
    }
    json_decref(m);
    json_decref(link);
    return rc;
}
