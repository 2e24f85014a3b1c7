/*
 * outbox.c - sending the desk's replies: the scheduler works through the
 * messages queued for sending, outside any web request.
 *
 * A reply is claimed (status "sending", with who claimed it and when, so a
 * process that dies mid-send leaves a claim another takes over after five
 * minutes), written as an RFC 5322 message and handed to the SMTP server
 * with libcurl, then settled: sent, queued again with exponential backoff,
 * or failed after the desk's outbox_max_attempts, the reason kept on the
 * message where the agent sees it.
 *
 * What makes a reply thread in the customer's mail program and come back
 * to the right encounter: a Message-ID of our own on the From: domain
 * (random, so strict servers accept it and it never repeats), In-Reply-To
 * and References naming the customer's message, and the subject tag
 * "[<desk> #123]".  X-Loop marks it as ours, so a copy that comes back is
 * refused instead of answered; the automatic acknowledgement also says
 * Auto-Submitted, so no well-behaved robot answers it.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/conversation/conversation_internal.h"

#define LEASE_SECONDS 300
#define BATCH 20

/* Append a header value with every line break made a space. */
static void put_line(rp_buf *b, const char *s)
{
    for (; s && *s; s++)
        rp_buf_append(b, (*s == '\r' || *s == '\n') ? " " : s, 1);
}

static int is_ascii(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

/* A header text, as RFC 2047 encoded words when it is not ASCII; each word
 * holds whole characters. */
static void put_words(rp_buf *b, const char *s)
{
    if (is_ascii(s)) {
        put_line(b, s);
        return;
    }
    size_t n = strlen(s), i = 0;
    while (i < n) {
        size_t j = i + 45 < n ? i + 45 : n;
        while (j < n && ((unsigned char)s[j] & 0xC0) == 0x80)
            j--; /* never split a character */
        char *enc = rp_conv_base64((const unsigned char *)s + i, j - i);
        rp_buf_printf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", enc ? enc : "");
        free(enc);
        i = j;
    }
}

static const char *domain_of(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    return at && at[1] ? at + 1 : "rapport.invalid";
}

/* The body lines in CRLF, as 8bit when every line is short, else base64. */
static void put_text_part(rp_buf *b, const char *text)
{
    size_t line = 0, longest = 0;
    for (const char *p = text; *p; p++) {
        line = *p == '\n' ? 0 : line + 1;
        if (line > longest)
            longest = line;
    }
    if (longest > 900) {
        rp_buf_puts(b, "Content-Type: text/plain; charset=utf-8\r\n"
                       "Content-Transfer-Encoding: base64\r\n\r\n");
        char *enc = rp_conv_base64((const unsigned char *)text, strlen(text));
        for (size_t i = 0, n = enc ? strlen(enc) : 0; i < n; i += 76) {
            rp_buf_append(b, enc + i, n - i < 76 ? n - i : 76);
            rp_buf_puts(b, "\r\n");
        }
        free(enc);
        return;
    }
    rp_buf_puts(b, "Content-Type: text/plain; charset=utf-8\r\n"
                   "Content-Transfer-Encoding: 8bit\r\n\r\n");
    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            rp_buf_puts(b, "\r\n");
        else if (*p != '\r')
            rp_buf_append(b, p, 1);
    }
    rp_buf_puts(b, "\r\n");
}

/* One attachment part: its name in RFC 2231 form and an ASCII fallback. */
static void put_attachment(rp_buf *b, json_t *a)
{
    const char *name = json_string_value(json_object_get(a, "filename"));
    const char *type = rp_attachment_safe_type(
        json_string_value(json_object_get(a, "content_type")));
    rp_buf_printf(b,
                  "Content-Type: %s\r\nContent-Transfer-Encoding: base64\r\n"
                  "Content-Disposition: attachment; filename=\"",
                  type);
    for (const char *p = name; p && *p; p++)
        rp_buf_append(b,
                      (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f ||
                              *p == '"' || *p == '\\'
                          ? "_"
                          : p,
                      1);
    rp_buf_puts(b, "\"; filename*=UTF-8''");
    for (const char *p = name; p && *p; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || strchr(".-_", c))
            rp_buf_append(b, p, 1);
        else
            rp_buf_printf(b, "%%%02X", c);
    }
    rp_buf_puts(b, "\r\n\r\n");
    const char *data = json_string_value(json_object_get(a, "data"));
    for (size_t i = 0, n = data ? strlen(data) : 0; i < n; i += 76) {
        rp_buf_append(b, data + i, n - i < 76 ? n - i : 76);
        rp_buf_puts(b, "\r\n");
    }
}

/* The whole message m (a row of messages) from `from`. */
static void render(rp_buf *b, json_t *m, json_t *atts, const char *from,
                   const char *desk_name)
{
    char date[64];
    time_t now = (time_t)rp_now();
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    rp_buf_puts(b, "From: ");
    if (desk_name && is_ascii(desk_name) && !strpbrk(desk_name, "\"\\<>")) {
        rp_buf_puts(b, "\"");
        put_line(b, desk_name);
        rp_buf_puts(b, "\" ");
    }
    rp_buf_puts(b, "<");
    put_line(b, from);
    rp_buf_puts(b, ">\r\nTo: <");
    put_line(b, json_string_value(json_object_get(m, "to_address")));
    rp_buf_puts(b, ">\r\nSubject: ");
    put_words(b, json_string_value(json_object_get(m, "subject")));
    rp_buf_printf(b, "\r\nDate: %s\r\nMessage-ID: <", date);
    put_line(b, json_string_value(json_object_get(m, "message_id")));
    rp_buf_puts(b, ">\r\n");
    const char *parent = json_string_value(json_object_get(m, "in_reply_to"));
    if (parent) {
        rp_buf_puts(b, "In-Reply-To: <");
        put_line(b, parent);
        rp_buf_puts(b, ">\r\n");
    }
    json_t *refs = json_object_get(m, "refs");
    if (json_array_size(refs)) {
        rp_buf_puts(b, "References:");
        size_t i;
        json_t *r;
        json_array_foreach(refs, i, r) {
            rp_buf_puts(b, i ? "\r\n <" : " <");
            put_line(b, json_string_value(r));
            rp_buf_puts(b, ">");
        }
        rp_buf_puts(b, "\r\n");
    }
    rp_buf_puts(b, "X-Loop: " RP_X_LOOP "\r\n");
    if (!strcmp(json_string_value(json_object_get(m, "author")), "system"))
        rp_buf_puts(b, "Auto-Submitted: auto-replied\r\n");
    rp_buf_printf(
        b, "X-Rapport-Encounter: %lld\r\nMIME-Version: 1.0\r\n",
        (long long)json_integer_value(json_object_get(m, "encounter_id")));
    const char *body = json_string_value(json_object_get(m, "body"));
    if (!json_array_size(atts)) {
        put_text_part(b, body ? body : "");
        return;
    }
    unsigned char rnd[12];
    char boundary[64], hex[25];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    snprintf(boundary, sizeof boundary, "=_rapport_%s", hex);
    rp_buf_printf(b,
                  "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n"
                  "This is a message in MIME format.\r\n--%s\r\n",
                  boundary, boundary);
    put_text_part(b, body ? body : "");
    size_t i;
    json_t *a;
    json_array_foreach(atts, i, a) {
        rp_buf_printf(b, "--%s\r\n", boundary);
        put_attachment(b, a);
    }
    rp_buf_printf(b, "--%s--\r\n", boundary);
}

/* The From: of a reply: its queue's address, else the configured one. */
static rp_code sender_of(rp_ctx *ctx, json_t *m, const char *fallback,
                         rp_buf *from, rp_error *err)
{
    json_t *enc = NULL, *queue = NULL;
    rp_code rc = rp_encounter_get(
        ctx, json_integer_value(json_object_get(m, "encounter_id")), &enc, err);
    int64_t qid = json_integer_value(json_object_get(enc, "queue_id"));
    if (rc == RP_OK && qid &&
        ctx->store->ops->get(ctx->store, &RP_ENTITY_QUEUE, qid, &queue, err) !=
            RP_OK)
        queue = NULL;
    const char *addr = json_string_value(
        json_object_get(queue, "email_address"));
    if (!addr)
        addr = fallback;
    if (rc == RP_OK && addr)
        rp_buf_puts(from, addr);
    json_decref(enc);
    json_decref(queue);
    return rc;
}

/* Give the message a Message-ID of our own when it has none yet, on the
 * domain of the address it is sent from. */
static rp_code ensure_message_id(rp_ctx *ctx, json_t *m, const char *from,
                                 rp_error *err)
{
    if (json_string_value(json_object_get(m, "message_id")))
        return RP_OK;
    unsigned char rnd[16];
    char hex[33];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    rp_buf id = RP_BUF_INIT;
    rp_buf_printf(&id, "rapport.%lld.%s@",
                  (long long)json_integer_value(json_object_get(m, "id")), hex);
    put_line(&id, domain_of(from));
    json_t *changes = json_pack("{s:s}", "message_id", rp_buf_str(&id));
    rp_code rc = ctx->store->ops->update(
        ctx->store, &RP_ENTITY_MESSAGE,
        json_integer_value(json_object_get(m, "id")), changes, err);
    if (rc == RP_OK)
        json_object_set_new(m, "message_id", json_string(rp_buf_str(&id)));
    json_decref(changes);
    rp_buf_free(&id);
    return rc;
}

/* The message, its attachments and its text as it goes out. */
static rp_code prepare(rp_ctx *ctx, int64_t id, const char *fallback_from,
                       rp_buf *from, rp_buf *text, json_t **msg, rp_error *err)
{
    json_t *m = NULL, *atts = NULL, *params;
    rp_desk_settings ds;
    *msg = NULL;
    if (rp_desk_settings_read(ctx, &ds, err))
        return err->code;
    rp_code rc = ctx->store->ops->get(ctx->store, &RP_ENTITY_MESSAGE, id, &m,
                                      err);
    if (rc == RP_OK)
        rc = sender_of(ctx, m, fallback_from, from, err);
    if (rc == RP_OK && !from->len)
        rc = rp_error_set(err, RP_EINTERNAL, "channel",
                          "email is not configured: set RAPPORT_SMTP_FROM, "
                          "or give the queue an email address");
    if (rc == RP_OK)
        rc = ensure_message_id(ctx, m, rp_buf_str(from), err);
    if (rc == RP_OK) {
        params = json_pack("[I]", (json_int_t)id);
        rc = ctx->store->ops->query(ctx->store,
                                    RP_Q_CONVERSATION_ATTACHMENTS_OF_MESSAGE,
                                    params, &atts, err);
        json_decref(params);
    }
    if (rc == RP_OK)
        render(text, m, atts, rp_buf_str(from), ds.desk_name);
    if (rc == RP_OK && text->failed)
        rc = rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    json_decref(atts);
    rp_desk_settings_free(&ds);
    if (rc)
        json_decref(m);
    else
        *msg = m;
    return rc;
}

rp_code rp_outbox_render(rp_ctx *ctx, int64_t id, const char *from, char **text,
                         rp_error *err)
{
    rp_buf f = RP_BUF_INIT, t = RP_BUF_INIT;
    json_t *m = NULL;
    rp_code rc = prepare(ctx, id, from, &f, &t, &m, err);
    json_decref(m);
    rp_buf_free(&f);
    if (rc) {
        rp_buf_free(&t);
        return rc;
    }
    *text = rp_buf_steal(&t);
    return RP_OK;
}

/* Settle one claimed message: sent, retried later, or failed for good. */
static rp_code settle(rp_ctx *ctx, int64_t id, int64_t attempts, int64_t now,
                      const char *worker, const rp_desk_settings *ds,
                      const rp_error *failure, json_t *report, rp_error *err)
{
    const char *status = "sent";
    int64_t next = 0;
    if (failure) {
        status = attempts >= ds->outbox_max_attempts ? "failed" : "queued";
        int64_t delay = ds->outbox_backoff_seconds;
        for (int64_t i = 1; i < attempts && delay < 86400; i++)
            delay *= 2;
        next = now + delay;
    }
    rp_store *s = ctx->store;
    if (rp_store_begin(s, err))
        return err->code;
    json_t *params = json_pack(
        "[s, o, o, o, I, I, s]", status,
        failure ? json_null() : json_integer(now),
        failure && !strcmp(status, "queued") ? json_integer(next) : json_null(),
        failure ? json_string(failure->message) : json_null(), (json_int_t)now,
        (json_int_t)id, worker);
    int64_t changed = 0;
    rp_code rc = s->ops->exec(s, RP_Q_CONVERSATION_OUTBOX_SETTLE, params,
                              &changed, err);
    json_decref(params);
    json_t *m = NULL;
    if (rc == RP_OK && changed && strcmp(status, "queued"))
        rc = s->ops->get(s, &RP_ENTITY_MESSAGE, id, &m, err);
    if (rc == RP_OK && m)
        rc = rp_event_emit_pack(
            ctx, failure ? "message.failed" : "message.sent",
            json_integer_value(json_object_get(m, "customer_id")),
            json_integer_value(json_object_get(m, "encounter_id")), err,
            "{s:I, s:s, s:o}", "message_id", (json_int_t)id, "channel", "email",
            "attempts", json_integer(attempts));
    if (rc == RP_OK && m && failure) {
        rp_buf summary = RP_BUF_INIT;
        rp_buf_puts(&summary, "A reply could not be sent: ");
        rp_buf_puts(&summary, failure->message);
        json_t *detail = json_pack("{s:I, s:s, s:s}", "message_id",
                                   (json_int_t)id, "failure", "not_sent",
                                   "reason", failure->message);
        rp_moment mo = {.customer_id = json_integer_value(
                            json_object_get(m, "customer_id")),
                        .encounter_id = json_integer_value(
                            json_object_get(m, "encounter_id")),
                        .channel = "email",
                        .kind = "message.failed",
                        .summary = rp_buf_str(&summary),
                        .impression = "negative",
                        .detail = detail};
        rc = rp_moment_record(ctx, &mo, err);
        json_decref(detail);
        rp_buf_free(&summary);
    }
    json_decref(m);
    rc = rp_store_finish(s, rc, err);
    if (rc == RP_OK && changed) {
        if (!failure)
            json_array_append_new(json_object_get(report, "sent"),
                                  json_integer(id));
        else
            json_array_append_new(
                json_object_get(report, strcmp(status, "failed") ? "retried"
                                                                 : "failed"),
                json_pack("{s:I, s:s}", "id", (json_int_t)id, "reason",
                          failure->message));
    }
    return rc;
}

static rp_code run_with(rp_ctx *ctx, const rp_delivery_config *dc, int64_t now,
                        const char *worker, json_t **out, rp_error *err)
{
    rp_desk_settings ds;
    if (rp_desk_settings_read(ctx, &ds, err))
        return err->code;
    rp_store *s = ctx->store;
    json_t *claimed = NULL;
    json_t *params = json_pack("[s, I, I, i]", worker, (json_int_t)now,
                               (json_int_t)(now - LEASE_SECONDS), BATCH);
    rp_code rc = rp_store_begin(s, err);
    if (rc == RP_OK)
        rc = rp_store_finish(s,
                             s->ops->query(s, RP_Q_CONVERSATION_OUTBOX_CLAIM,
                                           params, &claimed, err),
                             err);
    json_decref(params);
    if (rc) {
        rp_desk_settings_free(&ds);
        return rc;
    }
    json_t *report = json_pack("{s:[], s:[], s:[]}", "sent", "retried",
                               "failed");
    size_t i;
    json_t *c;
    json_array_foreach(claimed, i, c) {
        int64_t id = json_integer_value(json_object_get(c, "id"));
        int64_t attempts = json_integer_value(json_object_get(c, "attempts"));
        rp_buf from = RP_BUF_INIT, text = RP_BUF_INIT;
        json_t *m = NULL;
        rp_error failure;
        rp_code sent = prepare(ctx, id, dc ? dc->smtp_from : NULL, &from, &text,
                               &m, &failure);
        if (sent == RP_OK)
            sent = rp_smtp_send(
                dc, rp_buf_str(&from),
                json_string_value(json_object_get(m, "to_address")), text.p,
                text.len, &failure);
        json_decref(m);
        rp_buf_free(&from);
        rp_buf_free(&text);
        rc = settle(ctx, id, attempts, now, worker, &ds,
                    sent == RP_OK ? NULL : &failure, report, err);
        if (rc)
            break;
    }
    json_decref(claimed);
    rp_desk_settings_free(&ds);
    if (rc) {
        json_decref(report);
        return rc;
    }
    *out = report;
    return RP_OK;
}

/* The delivery settings an admin keeps in the database replace the
 * program's, read afresh for every run. */
rp_code rp_outbox_run(rp_ctx *ctx, const rp_delivery_config *dc, int64_t now,
                      const char *worker, json_t **out, rp_error *err)
{
    rp_delivery_effective e;
    if (rp_delivery_effective_read(ctx, dc, &e, err))
        return err->code;
    rp_code rc = run_with(ctx, &e.config, now, worker, out, err);
    rp_delivery_effective_free(&e);
    return rc;
}
