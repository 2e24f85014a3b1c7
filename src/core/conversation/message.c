/*
 * message.c - the conversation of an encounter: what the customer wrote,
 * the desk's replies, and the notes agents leave each other.
 *
 * A reply is stored first and sent afterwards by the outbox (outbox.c),
 * never inside the request that wrote it, so a slow or failing mail server
 * never loses a reply or holds up an agent: the reply's status says where
 * it is (draft, queued, sending, sent, failed with the reason).  The first
 * reply that goes to the customer is the encounter's first response, the
 * measure that stops the first-response clock.  Attachments are stored in
 * the database, each content once by its SHA-256, so that several rapportd
 * servers on one database serve the same files.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/conversation/conversation_internal.h"

#define BODY_MAX_CHARS 100000
#define SUBJECT_MAX_CHARS 200

const char *const rp_message_channels[] = {"email", "web", "phone", "in_person",
                                           NULL};

/* ---- attachments --------------------------------------------------------- */

static void sha256_hex(const unsigned char *data, size_t n, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, n);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

char *rp_conv_base64(const unsigned char *data, size_t n)
{
    size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(len);
    if (b64)
        sodium_bin2base64(b64, len, data, n, sodium_base64_VARIANT_ORIGINAL);
    return b64;
}

/* The id of the stored content of data, stored now when new. */
static rp_code blob_for(rp_ctx *ctx, const unsigned char *data, size_t n,
                        int64_t *blob_id, rp_error *err)
{
    char hex[65];
    sha256_hex(data, n, hex);
    json_t *params = json_pack("[s]", hex), *rows = NULL;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_CONVERSATION_BLOB_BY_SHA, params, &rows, err);
    json_decref(params);
    json_t *r = json_array_get(rows, 0);
    if (rc == RP_OK && r) {
        *blob_id = json_integer_value(json_object_get(r, "id"));
        json_decref(rows);
        return RP_OK;
    }
    json_decref(rows);
    if (rc)
        return rc;
    char *b64 = rp_conv_base64(data, n);
    if (!b64)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    json_t *row = json_pack("{s:s, s:I, s:s, s:I}", "sha256", hex, "size",
                            (json_int_t)n, "data", b64, "created_at",
                            (json_int_t)rp_now());
    free(b64);
    rc = ctx->store->ops->insert(ctx->store, &RP_ENTITY_ATTACHMENT_BLOB, row,
                                 blob_id, err);
    json_decref(row);
    return rc;
}

/* A file name fit to keep: valid UTF-8, no path, no control characters. */
static void clean_filename(rp_buf *out, const char *name, size_t i)
{
    const char *base = name;
    for (const char *p = name; p && *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    if (!base || !*base || !rp_utf8_is_valid(base, strlen(base))) {
        rp_buf_printf(out, "attachment-%zu", i + 1);
        return;
    }
    rp_buf cut = RP_BUF_INIT;
    rp_buf_put_cut(&cut, base, 200);
    for (const char *p = rp_buf_str(&cut); *p; p++)
        rp_buf_append(out, (unsigned char)*p < 0x20 || *p == 0x7f ? "_" : p, 1);
    rp_buf_free(&cut);
}

rp_code rp_conv_store_attachments(rp_ctx *ctx, int64_t customer_id,
                                  int64_t encounter_id, int64_t message_id,
                                  const rp_mail_attachment *a, size_t n,
                                  int64_t max_bytes, rp_error *err)
{
    if (n > RP_CONV_MAX_ATTACHMENTS)
        return rp_error_refuse(err, RP_EINVALID, "attachments", "too_many",
                               RP_CONV_MAX_ATTACHMENTS,
                               "a message carries at most %d attachments",
                               RP_CONV_MAX_ATTACHMENTS);
    for (size_t i = 0; i < n; i++)
        if ((int64_t)a[i].size > max_bytes)
            return rp_error_refuse(err, RP_EINVALID, "attachments", "too_big",
                                   (long long)max_bytes,
                                   "attachment %zu is %zu bytes; the limit is "
                                   "%lld bytes",
                                   i + 1, a[i].size, (long long)max_bytes);
    for (size_t i = 0; i < n; i++) {
        int64_t blob_id = 0, id;
        rp_code rc = blob_for(ctx,
                              a[i].data ? a[i].data : (const unsigned char *)"",
                              a[i].size, &blob_id, err);
        if (rc)
            return rc;
        rp_buf name = RP_BUF_INIT;
        clean_filename(&name, a[i].filename, i);
        const char *type = a[i].content_type && *a[i].content_type &&
                                   rp_utf8_is_valid(a[i].content_type,
                                                    strlen(a[i].content_type))
                               ? a[i].content_type
                               : "application/octet-stream";
        json_t *row = json_pack(
            "{s:I, s:I, s:I, s:I, s:s, s:s, s:b, s:I, s:I}", "customer_id",
            (json_int_t)customer_id, "encounter_id", (json_int_t)encounter_id,
            "message_id", (json_int_t)message_id, "blob_id",
            (json_int_t)blob_id, "filename", rp_buf_str(&name), "content_type",
            type, "is_inline", a[i].is_inline, "size", (json_int_t)a[i].size,
            "created_at", (json_int_t)rp_now());
        if (row && a[i].content_id &&
            rp_utf8_is_valid(a[i].content_id, strlen(a[i].content_id)))
            json_object_set_new(row, "content_id",
                                json_string(a[i].content_id));
        rp_buf_free(&name);
        rc = row ? ctx->store->ops->insert(ctx->store, &RP_ENTITY_ATTACHMENT,
                                           row, &id, err)
                 : rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
        json_decref(row);
        if (rc)
            return rc;
    }
    return RP_OK;
}

const char *rp_attachment_safe_type(const char *declared)
{
    static const char *const safe[] = {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/bmp",
        "image/tiff",
        "application/pdf",
        "text/plain",
        "text/csv",
        "audio/mpeg",
        "audio/ogg",
        "audio/wav",
        "video/mp4",
        "video/webm",
        "application/zip",
        "application/gzip",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.wordprocessingml."
        "document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "message/rfc822",
        NULL};
    for (int i = 0; declared && safe[i]; i++) {
        size_t n = strlen(safe[i]);
        /* "text/plain; charset=utf-8" is text/plain */
        if (strncasecmp(declared, safe[i], n) == 0 &&
            (declared[n] == '\0' || declared[n] == ';' || declared[n] == ' '))
            return safe[i];
    }
    return "application/octet-stream";
}

rp_code rp_attachment_get(rp_ctx *ctx, int64_t id, rp_attachment_data *out,
                          rp_error *err)
{
    memset(out, 0, sizeof *out);
    json_t *params = json_pack("[I]", (json_int_t)id), *rows = NULL;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_CONVERSATION_ATTACHMENT_DATA, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *r = json_array_get(rows, 0);
    if (!r) {
        json_decref(rows);
        return rp_error_set(err, RP_ENOTFOUND, "id",
                            "no attachment with id %lld", (long long)id);
    }
    const char *b64 = json_string_value(json_object_get(r, "data"));
    size_t len = b64 ? strlen(b64) : 0, got = 0;
    out->data = malloc(len ? len : 1);
    if (!out->data ||
        sodium_base642bin(out->data, len ? len : 1, b64 ? b64 : "", len,
                          "\r\n ", &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(out->data);
        out->data = NULL;
        json_decref(rows);
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "attachment %lld cannot be read back",
                            (long long)id);
    }
    out->size = got;
    out->row = json_incref(r);
    json_object_del(out->row, "data");
    json_decref(rows);
    out->filename = json_string_value(json_object_get(out->row, "filename"));
    out->content_type = rp_attachment_safe_type(
        json_string_value(json_object_get(out->row, "content_type")));
    return RP_OK;
}

void rp_attachment_free(rp_attachment_data *a)
{
    json_decref(a->row);
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* ---- reading the conversation ------------------------------------------- */

/* A message as the API shows it: the row without the outbox's bookkeeping,
 * with its attachments (atts: rows of this encounter, may be NULL). */
static void decorate(json_t *m, json_t *atts)
{
    json_object_del(m, "claimed_by");
    json_object_del(m, "claimed_at");
    json_object_del(m, "next_attempt_at");
    json_t *mine = json_array();
    int64_t id = json_integer_value(json_object_get(m, "id"));
    size_t i;
    json_t *a;
    json_array_foreach(atts, i, a)
        if (json_integer_value(json_object_get(a, "message_id")) == id) {
            json_t *c = json_deep_copy(a);
            json_object_del(c, "message_id");
            json_array_append_new(mine, c);
        }
    json_object_set_new(m, "attachments", mine);
}

/* The attachments of messages first..last of an encounter. */
static rp_code attachments_of(rp_ctx *ctx, int64_t encounter_id, int64_t first,
                              int64_t last, json_t **rows, rp_error *err)
{
    json_t *params = json_pack("[I, I, I]", (json_int_t)encounter_id,
                               (json_int_t)first, (json_int_t)last);
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_CONVERSATION_ATTACHMENTS_OF, params, rows, err);
    json_decref(params);
    return rc;
}

rp_code rp_message_list(rp_ctx *ctx, int64_t encounter_id,
                        const rp_page_req *page, json_t **out, rp_error *err)
{
    json_t *enc;
    if (rp_encounter_get(ctx, encounter_id, &enc, err))
        return err->code;
    json_decref(enc);
    json_t *eid = json_integer(encounter_id), *rows = NULL, *atts = NULL;
    rp_filter f = {"encounter_id", RP_FILTER_EQ, eid};
    rp_page p = {page->after_id, 0, page->limit + 1};
    rp_code rc = ctx->store->ops->list(ctx->store, &RP_ENTITY_MESSAGE, &f, 1,
                                       &p, &rows, err);
    json_decref(eid);
    if (rc)
        return rc;
    size_t n = json_array_size(rows);
    if (n) {
        int64_t first = json_integer_value(
                    json_object_get(json_array_get(rows, 0), "id")),
                last = json_integer_value(
                    json_object_get(json_array_get(rows, n - 1), "id"));
        if ((rc = attachments_of(ctx, encounter_id, first, last, &atts, err))) {
            json_decref(rows);
            return rc;
        }
    }
    size_t i;
    json_t *m;
    json_array_foreach(rows, i, m)
        decorate(m, atts);
    json_decref(atts);
    *out = rp_page_result(rows, page->limit);
    return RP_OK;
}

rp_code rp_message_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err)
{
    json_t *m = NULL, *atts = NULL;
    if (ctx->store->ops->get(ctx->store, &RP_ENTITY_MESSAGE, id, &m, err)) {
        if (err->code == RP_ENOTFOUND)
            rp_error_set(err, RP_ENOTFOUND, "id", "no message with id %lld",
                         (long long)id);
        return err->code;
    }
    int64_t eid = json_integer_value(json_object_get(m, "encounter_id"));
    if (attachments_of(ctx, eid, id, id, &atts, err)) {
        json_decref(m);
        return err->code;
    }
    decorate(m, atts);
    json_decref(atts);
    *out = m;
    return RP_OK;
}

rp_code rp_kept_mail_list(rp_ctx *ctx, const rp_page_req *page, json_t **out,
                          rp_error *err)
{
    rp_page p = {page->after_id, 1, page->limit + 1};
    json_t *rows;
    if (ctx->store->ops->list(ctx->store, &RP_ENTITY_KEPT_MAIL, NULL, 0, &p,
                              &rows, err))
        return err->code;
    *out = rp_page_result(rows, page->limit);
    return RP_OK;
}

/* ---- writing ------------------------------------------------------------- */

void rp_conv_tag_subject(rp_buf *out, const char *subject,
                         const char *desk_name, int64_t encounter_id)
{
    rp_buf_put_cut(out, subject && *subject ? subject : "Your request",
                   SUBJECT_MAX_CHARS);
    if (rp_subject_tag_encounter(subject, desk_name) != encounter_id)
        rp_buf_printf(out, " [%s #%lld]", desk_name, (long long)encounter_id);
}

rp_code rp_conv_mark_first_response(rp_ctx *ctx, json_t *enc, int64_t now,
                                    int *first, rp_error *err)
{
    *first = json_is_null(json_object_get(enc, "first_response_at"));
    if (!*first)
        return RP_OK;
    json_t *changes = json_pack("{s:I, s:I}", "first_response_at",
                                (json_int_t)now, "updated_at", (json_int_t)now);
    if (json_is_null(json_object_get(enc, "acknowledged_at")))
        json_object_set_new(changes, "acknowledged_at", json_integer(now));
    rp_code rc = ctx->store->ops->update(
        ctx->store, &RP_ENTITY_ENCOUNTER,
        json_integer_value(json_object_get(enc, "id")), changes, err);
    json_decref(changes);
    return rc;
}

rp_code rp_conv_address_reply(rp_ctx *ctx, json_t *enc, const char *subject,
                              const char *desk_name, json_t *row, rp_error *err)
{
    int64_t eid = json_integer_value(json_object_get(enc, "id"));
    json_t *params = json_pack("[I]", (json_int_t)eid), *rows = NULL;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_CONVERSATION_LAST_INBOUND, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *last = json_array_get(rows, 0);
    const char *to = json_string_value(json_object_get(last, "from_address"));
    json_t *customer = NULL;
    if (!to) {
        if ((rc = rp_customer_get(
                 ctx, json_integer_value(json_object_get(enc, "customer_id")),
                 &customer, err))) {
            json_decref(rows);
            return rc;
        }
        to = json_string_value(
            json_array_get(json_object_get(customer, "emails"), 0));
    }
    if (!to) {
        json_decref(rows);
        json_decref(customer);
        return rp_error_refuse(err, RP_EINVALID, "channel", "no_address", 0,
                               "the customer has no email address to write to; "
                               "add one to the customer, or record the reply "
                               "as given by phone or in person");
    }
    json_object_set_new(row, "to_address", json_string(to));
    const char *parent = json_string_value(json_object_get(last, "message_id"));
    json_t *refs = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(last, "refs"), i, v)
        if (json_is_string(v))
            json_array_append(refs, v);
    if (parent) {
        json_object_set_new(row, "in_reply_to", json_string(parent));
        json_array_append_new(refs, json_string(parent));
    }
    json_object_set_new(row, "refs", refs);
    rp_buf subj = RP_BUF_INIT;
    if (subject && *subject) {
        rp_conv_tag_subject(&subj, subject, desk_name, eid);
    } else {
        const char *base = json_string_value(json_object_get(last, "subject"));
        if (!base)
            base = json_string_value(json_object_get(enc, "subject"));
        rp_buf re = RP_BUF_INIT;
        if (base && strncasecmp(base, "re:", 3) != 0)
            rp_buf_puts(&re, "Re: ");
        rp_buf_puts(&re, base ? base : "");
        rp_conv_tag_subject(&subj, rp_buf_str(&re), desk_name, eid);
        rp_buf_free(&re);
    }
    json_object_set_new(row, "subject", json_string(rp_buf_str(&subj)));
    rp_buf_free(&subj);
    json_decref(rows);
    json_decref(customer);
    return RP_OK;
}

static const rp_field attachment_fields[] = {
    {"filename", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = 200},
    {"content_type", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = 100},
    {"data_base64", RP_FIELD_TEXT, RP_IN_REQUIRED,
     .meaning = "the file, in base64; within the desk's attachment limit"},
    {.name = NULL},
};

static const char *const kinds[] = {"reply", "note", NULL};

const rp_field rp_message_add_fields[] = {
    {"kind", RP_FIELD_ENUM, RP_IN_REQUIRED, .values = kinds,
     .meaning = "a reply goes to the customer; a note stays inside"},
    {"body", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = BODY_MAX_CHARS},
    {"subject", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = SUBJECT_MAX_CHARS},
    {"channel", RP_FIELD_ENUM, RP_IN_OPTIONAL, .values = rp_message_channels,
     .meaning = "default: the encounter's"},
    {"draft", RP_FIELD_BOOL, RP_IN_OPTIONAL,
     .meaning = "keep a reply to send later; never a note"},
    {"attachments", RP_FIELD_ARRAY, RP_IN_OPTIONAL,
     .max_items = RP_CONV_MAX_ATTACHMENTS, .fields = attachment_fields},
    {.name = NULL},
};

/* Decode the attachments of an API body into parsed[] (data malloc'd). */
static rp_code read_attachments(json_t *in, rp_mail_attachment **out, size_t *n,
                                rp_error *err)
{
    json_t *list = json_object_get(in, "attachments");
    *out = NULL;
    *n = 0;
    if (!list || json_is_null(list))
        return RP_OK;
    if (!json_is_array(list))
        return rp_error_set(err, RP_ETYPE, "attachments",
                            "attachments must be an array");
    if (json_array_size(list) > RP_CONV_MAX_ATTACHMENTS)
        return rp_error_refuse(err, RP_EINVALID, "attachments", "too_many",
                               RP_CONV_MAX_ATTACHMENTS,
                               "a message carries at most %d attachments",
                               RP_CONV_MAX_ATTACHMENTS);
    rp_mail_attachment *a = calloc(json_array_size(list) + 1, sizeof *a);
    if (!a)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    size_t i;
    json_t *item;
    rp_code rc = RP_OK;
    json_array_foreach(list, i, item) {
        const char *name, *type, *b64;
        if (!json_is_object(item)) {
            rc = rp_error_set(err, RP_ETYPE, "attachments",
                              "attachments[%zu] must be an object", i);
            break;
        }
        if (rp_in_fields(item, attachment_fields, 1, err) ||
            rp_in_string(item, "filename", 1, 200, &name, err) ||
            rp_in_string(item, "content_type", 0, 100, &type, err) ||
            rp_in_string(item, "data_base64", 1, SIZE_MAX, &b64, err)) {
            rc = err->code;
            break;
        }
        size_t len = strlen(b64), got = 0;
        unsigned char *bin = malloc(len + 1);
        if (!bin ||
            sodium_base642bin(bin, len + 1, b64, len, "\r\n ", &got, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0) {
            free(bin);
            rc = rp_error_set(err, RP_EINVALID, "attachments",
                              "attachments[%zu].data_base64 is not base64", i);
            break;
        }
        a[i].filename = name;
        a[i].content_type = type ? type : "application/octet-stream";
        a[i].data = bin;
        a[i].size = got;
        *n = i + 1;
    }
    *out = a;
    return rc;
}

static void free_attachments(rp_mail_attachment *a, size_t n)
{
    for (size_t i = 0; a && i < n; i++)
        free((void *)a[i].data);
    free(a);
}

/* The moment of a message written by an agent. */
static rp_code record_moment(rp_ctx *ctx, json_t *enc, int64_t message_id,
                             const char *kind, const char *channel, int first,
                             const char *body, rp_error *err)
{
    rp_buf summary = RP_BUF_INIT;
    if (strcmp(kind, "note") == 0)
        rp_buf_puts(&summary, "Internal note: ");
    else if (first)
        rp_buf_puts(&summary, "First reply to the customer: ");
    else
        rp_buf_puts(&summary, "Reply to the customer: ");
    rp_buf_put_cut(&summary, body, 120);
    rp_buf quote = RP_BUF_INIT;
    rp_buf_put_cut(&quote, body, 120);
    json_t *detail = json_pack("{s:I, s:b, s:s}", "message_id",
                               (json_int_t)message_id, "first_response", first,
                               "excerpt", rp_buf_str(&quote));
    rp_buf_free(&quote);
    rp_moment m = {
        .customer_id = json_integer_value(json_object_get(enc, "customer_id")),
        .encounter_id = json_integer_value(json_object_get(enc, "id")),
        .channel = channel,
        .kind = strcmp(kind, "note") == 0 ? "message.noted" : "message.replied",
        .summary = rp_buf_str(&summary),
        .detail = detail};
    rp_code rc = rp_moment_record(ctx, &m, err);
    json_decref(detail);
    rp_buf_free(&summary);
    return rc;
}

/* Release a reply: queued for the outbox (email, web) or recorded as given
 * (phone, in person); first response; its moment.  Inside a transaction. */
static rp_code release_reply(rp_ctx *ctx, json_t *enc, int64_t message_id,
                             const char *channel, const char *body, int64_t now,
                             rp_error *err)
{
    int by_mail = !strcmp(channel, "email") || !strcmp(channel, "web");
    json_t *changes = json_pack("{s:s, s:I}", "status",
                                by_mail ? "queued" : "sent", "updated_at",
                                (json_int_t)now);
    if (by_mail)
        json_object_set_new(changes, "next_attempt_at", json_integer(now));
    else
        json_object_set_new(changes, "sent_at", json_integer(now));
    rp_code rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_MESSAGE,
                                         message_id, changes, err);
    json_decref(changes);
    int first = 0;
    if (rc == RP_OK)
        rc = rp_conv_mark_first_response(ctx, enc, now, &first, err);
    if (rc == RP_OK)
        rc = record_moment(ctx, enc, message_id, "reply", channel, first, body,
                           err);
    return rc;
}

rp_code rp_message_add(rp_ctx *ctx, int64_t encounter_id, json_t *in,
                       json_t **out, rp_error *err)
{
    const char *kind, *body, *subject, *channel;
    int draft = 0;
    if (rp_in_fields(in, rp_message_add_fields, 1, err) ||
        rp_in_enum(in, "kind", 1, kinds, &kind, err) ||
        rp_in_string(in, "body", 1, BODY_MAX_CHARS, &body, err) ||
        rp_in_string(in, "subject", 0, SUBJECT_MAX_CHARS, &subject, err) ||
        rp_in_enum(in, "channel", 0, rp_message_channels, &channel, err) ||
        rp_in_bool(in, "draft", 0, &draft, NULL, err))
        return err->code;
    int note = strcmp(kind, "note") == 0;
    if (note && draft)
        return rp_error_refuse(err, RP_EINVALID, "draft", "not_allowed", 0,
                               "a note is never sent, so it cannot be a draft");
    rp_mail_attachment *atts = NULL;
    size_t natts = 0;
    if (read_attachments(in, &atts, &natts, err)) {
        free_attachments(atts, natts);
        return err->code;
    }
    rp_desk_settings ds = {0};
    rp_store *s = ctx->store;
    json_t *enc = NULL, *row = NULL;
    int64_t id = 0, now = rp_now();
    rp_code rc = rp_desk_settings_read(ctx, &ds, err);
    if (rc == RP_OK)
        rc = rp_store_begin(s, err);
    if (rc) {
        free_attachments(atts, natts);
        rp_desk_settings_free(&ds);
        return rc;
    }
    rc = rp_encounter_get(ctx, encounter_id, &enc, err);
    const char *stage = json_string_value(json_object_get(enc, "stage"));
    if (rc == RP_OK && !note && stage &&
        (!strcmp(stage, "closed") || !strcmp(stage, "abandoned")))
        rc = rp_error_refuse(err, RP_ECONFLICT, "stage", "finished", 0,
                             "encounter %lld is %s; a reply needs an open "
                             "encounter (a note can still be added)",
                             (long long)encounter_id, stage);
    if (!channel) {
        const char *ec = json_string_value(json_object_get(enc, "channel"));
        channel = ec && (!strcmp(ec, "phone") || !strcmp(ec, "in_person")) &&
                          note
                      ? ec
                      : "email";
    }
    if (rc == RP_OK) {
        row = json_pack(
            "{s:I, s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "customer_id",
            json_integer_value(json_object_get(enc, "customer_id")),
            "encounter_id", (json_int_t)encounter_id, "direction",
            note ? "note" : "outbound", "author", "agent", "channel", channel,
            "body", body, "occurred_at", (json_int_t)now, "created_at",
            (json_int_t)now, "updated_at", (json_int_t)now);
        if (ctx->agent_id)
            json_object_set_new(row, "agent_id", json_integer(ctx->agent_id));
        if (note) {
            if (subject)
                json_object_set_new(row, "subject", json_string(subject));
        } else {
            json_object_set_new(row, "status", json_string("draft"));
            if (!strcmp(channel, "email") || !strcmp(channel, "web"))
                rc = rp_conv_address_reply(ctx, enc, subject, ds.desk_name, row,
                                           err);
            else if (subject)
                json_object_set_new(row, "subject", json_string(subject));
        }
    }
    if (rc == RP_OK)
        rc = s->ops->insert(s, &RP_ENTITY_MESSAGE, row, &id, err);
    if (rc == RP_OK)
        rc = rp_conv_store_attachments(
            ctx, json_integer_value(json_object_get(enc, "customer_id")),
            encounter_id, id, atts, natts, ds.attachment_max_bytes, err);
    if (rc == RP_OK && note)
        rc = record_moment(ctx, enc, id, "note", channel, 0, body, err);
    else if (rc == RP_OK && !draft)
        rc = release_reply(ctx, enc, id, channel, body, now, err);
    /* read in the transaction that made it: once committed, the outbox
     * may take a queued reply at once, and the answer would say "sending"
     * for what was just queued */
    json_t *made = NULL;
    if (rc == RP_OK)
        rc = rp_message_get(ctx, id, &made, err);
    rc = rp_store_finish_with(s, rc, made, out, err);
    json_decref(row);
    json_decref(enc);
    free_attachments(atts, natts);
    rp_desk_settings_free(&ds);
    return rc;
}

rp_code rp_message_send(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                        rp_error *err)
{
    if (in && rp_in_fields(in, rp_no_fields, 1, err))
        return err->code;
    rp_store *s = ctx->store;
    if (rp_store_begin(s, err))
        return err->code;
    json_t *m = NULL, *enc = NULL;
    rp_code rc = s->ops->get(s, &RP_ENTITY_MESSAGE, id, &m, err);
    if (rc == RP_ENOTFOUND)
        rc = rp_error_set(err, RP_ENOTFOUND, "id", "no message with id %lld",
                          (long long)id);
    const char *status = json_string_value(json_object_get(m, "status"));
    if (rc == RP_OK && (!status || strcmp(status, "draft")))
        rc = rp_error_refuse(err, RP_ECONFLICT, "status", "wrong_kind", 0,
                             "message %lld is %s, not a draft; only a draft "
                             "is sent this way",
                             (long long)id, status ? status : "not a reply");
    if (rc == RP_OK)
        rc = rp_encounter_get(
            ctx, json_integer_value(json_object_get(m, "encounter_id")), &enc,
            err);
    const char *stage = json_string_value(json_object_get(enc, "stage"));
    if (rc == RP_OK &&
        (!strcmp(stage, "closed") || !strcmp(stage, "abandoned")))
        rc = rp_error_refuse(err, RP_ECONFLICT, "stage", "finished", 0,
                             "the encounter is %s; a reply needs an open "
                             "encounter",
                             stage);
    if (rc == RP_OK)
        rc = release_reply(
            ctx, enc, id, json_string_value(json_object_get(m, "channel")),
            json_string_value(json_object_get(m, "body")), rp_now(), err);
    /* as when a reply is made: read before the outbox can take it */
    json_t *sent = NULL;
    if (rc == RP_OK)
        rc = rp_message_get(ctx, id, &sent, err);
    rc = rp_store_finish_with(s, rc, sent, out, err);
    json_decref(m);
    json_decref(enc);
    return rc;
}
