/*
 * routes_messages.c - the conversation of an encounter over HTTP: the list
 * of its messages, attachment downloads, a message taken in as JSON, and
 * running the outbox now.  Writing and sending name their librapport
 * function in the table (routes.c).
 *
 * An attachment is what a customer sent: it is always served as a download
 * (Content-Disposition: attachment), with nosniff and a content type that
 * a browser will not run, so a file named invoice.html can never become a
 * page on the desk's origin.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/worker.h"
#include "routes.h"

void rp_h_message_list(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "encounter", &id))
        return;
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_message_list(&req->ctx, id, &req->page, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

/* The file name as RFC 6266 wants it: an ASCII fallback and the UTF-8
 * name percent-encoded. */
static void disposition(rp_response *res, const char *name)
{
    rp_buf b = RP_BUF_INIT;
    rp_buf_puts(&b, "attachment; filename=\"");
    for (const char *p = name; p && *p && b.len < 200; p++)
        rp_buf_append(&b,
                      (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f ||
                              *p == '"' || *p == '\\' || *p == ';'
                          ? "_"
                          : p,
                      1);
    rp_buf_puts(&b, "\"; filename*=UTF-8''");
    for (const char *p = name; p && *p && b.len < 480; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || strchr(".-_", c))
            rp_buf_append(&b, p, 1);
        else
            rp_buf_printf(&b, "%%%02X", c);
    }
    snprintf(res->disposition, sizeof res->disposition, "%s",
             b.failed ? "attachment" : rp_buf_str(&b));
    rp_buf_free(&b);
}

void rp_h_attachment_download(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "attachment", &id))
        return;
    rp_error err;
    rp_attachment_data a;
    if (rp_attachment_get(&req->ctx, id, &a, &err)) {
        rp_reply_error(res, &err);
        return;
    }
    res->status = 200;
    res->content_type = a.content_type;
    res->text = (char *)a.data;
    res->text_len = a.size;
    a.data = NULL;
    disposition(res, a.filename);
    rp_reply_header(res, "Cache-Control", "private, no-store");
    rp_reply_header(res, "Content-Security-Policy",
                    "default-src 'none'; sandbox");
    rp_attachment_free(&a);
}

static const char *str(json_t *in, const char *key)
{
    return json_string_value(json_object_get(in, key));
}

/* The classes of mail, by the names the JSON uses. */
static int mail_class(const char *name, rp_mail_class *out)
{
    for (int i = 0; rp_mail_class_names[i]; i++)
        if (name && !strcmp(name, rp_mail_class_names[i])) {
            *out = (rp_mail_class)i;
            return 0;
        }
    return name ? -1 : (*out = RP_MAIL_PERSONAL, 0);
}

void rp_h_conversation_inbound(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *in = req->body, *out = NULL;
    rp_inbound_mail m = {0};
    const char **refs = NULL;
    rp_mail_attachment *atts = NULL;
    size_t natts = 0;
    int64_t sent_at = 0;
    /* the field rules are the core's (rp_inbound_fields): types, the
     * class, each attachment's fields */
    rp_code rc = in ? rp_in_fields(in, rp_inbound_fields, 1, &err)
                    : rp_error_set(&err, RP_EINVALID, NULL, "a body is needed");
    for (size_t i = 0;
         rc == RP_OK && i < json_array_size(json_object_get(in, "references"));
         i++)
        if (!json_is_string(
                json_array_get(json_object_get(in, "references"), i)))
            rc = rp_error_set(&err, RP_ETYPE, "references",
                              "references[%zu] must be text", i);
    if (rc == RP_OK)
        rc = rp_in_time(in, "sent_at", 0, &sent_at, NULL, &err);
    if (rc == RP_OK && mail_class(str(in, "class"), &m.mail_class))
        rc = rp_error_refuse(
            &err, RP_EINVALID, "class", "not_allowed", 0,
            "class must be personal, auto_reply, bulk, loop or "
            "bounce");
    json_t *list = json_object_get(in, "references");
    if (rc == RP_OK && list && !json_is_array(list))
        rc = rp_error_set(&err, RP_ETYPE, "references",
                          "references must be an array of strings");
    if (rc == RP_OK && list) {
        refs = calloc(json_array_size(list) + 1, sizeof *refs);
        for (size_t i = 0; refs && i < json_array_size(list); i++)
            refs[m.nreferences++] = json_string_value(json_array_get(list, i));
        m.references = refs;
    }
    list = json_object_get(in, "attachments");
    if (rc == RP_OK && list && !json_is_array(list))
        rc = rp_error_set(&err, RP_ETYPE, "attachments",
                          "attachments must be an array");
    if (rc == RP_OK && list)
        atts = calloc(json_array_size(list) + 1, sizeof *atts);
    for (size_t i = 0; rc == RP_OK && atts && i < json_array_size(list); i++) {
        json_t *a = json_array_get(list, i);
        const char *b64;
        int inl = 0;
        if (!json_is_object(a) ||
            rp_in_string(a, "data_base64", 1, SIZE_MAX, &b64, &err) ||
            rp_in_bool(a, "inline", 0, &inl, NULL, &err)) {
            rc = json_is_object(a) ? err.code
                                   : rp_error_set(&err, RP_ETYPE, "attachments",
                                                  "attachments[%zu] must be "
                                                  "an object",
                                                  i);
            break;
        }
        size_t len = strlen(b64), got = 0;
        unsigned char *bin = malloc(len + 1);
        if (!bin || sodium_base642bin(bin, len + 1, b64, len, "\r\n ", &got,
                                      NULL, sodium_base64_VARIANT_ORIGINAL)) {
            free(bin);
            rc = rp_error_set(&err, RP_EINVALID, "attachments",
                              "attachments[%zu].data_base64 is not base64", i);
            break;
        }
        atts[i] = (rp_mail_attachment){
            .filename = str(a, "filename"),
            .content_type = str(a, "content_type") ? str(a, "content_type")
                                                   : "application/octet-stream",
            .content_id = str(a, "content_id"),
            .is_inline = inl,
            .data = bin,
            .size = got};
        natts = i + 1;
    }
    if (rc == RP_OK) {
        m.channel = str(in, "channel") ? str(in, "channel") : "email";
        m.queue = str(in, "queue");
        m.message_id = str(in, "message_id");
        m.in_reply_to = str(in, "in_reply_to");
        m.from_address = str(in, "from_address");
        m.from_name = str(in, "from_name");
        m.subject = str(in, "subject");
        m.text = str(in, "text");
        m.quoted = str(in, "quoted");
        m.sent_at = sent_at;
        m.bounced_message_id = str(in, "bounced_message_id");
        m.bounce_reason = str(in, "bounce_reason");
        m.attachments = atts;
        m.nattachments = natts;
        rc = rp_conversation_receive(&req->ctx, &m, &out, &err);
    }
    for (size_t i = 0; i < natts; i++)
        free((void *)atts[i].data);
    free(atts);
    free(refs);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_outbox_run(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    rp_code rc = req->body ? rp_in_fields(req->body, rp_no_fields, 1, &err)
                           : RP_OK;
    if (rc == RP_OK) {
        char worker[RP_WORKER_NAME_MAX];
        rp_worker_name(worker, sizeof worker, "rapportd", "api");
        rc = rp_outbox_run(&req->ctx, &req->config->followup.delivery, rp_now(),
                           worker, &out, &err);
    }
    rp_reply_result(res, rc, &err, 200, out);
}
