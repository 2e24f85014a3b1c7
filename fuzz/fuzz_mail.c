/*
 * fuzz_mail.c - the mail reader (src/mail): a raw message parsed into what
 * the conversation's door takes, and then taken in through that door on a
 * temporary database with the demo data.
 *
 * The input is a raw RFC 5322 message, as a mail server pipes it to
 * `rapport mail receive`.  Checked beyond the checks of every call
 * (fuzz.h): every text of a parsed message is valid UTF-8, whatever the
 * charsets it declared; an attachment has a content type and size
 * readable bytes; the references are as many as they say.  A message
 * that cannot be understood is kept raw with its reason, never an
 * internal error.  Messages over 256 KiB are left out: they take the same
 * paths as smaller ones, only slower.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mail/mail.h"

static void text(const char *what, const char *s)
{
    if (s)
        rp_fuzz_check_utf8(what, s, strlen(s));
}

static void check_parsed(const rp_inbound_mail *m)
{
    text("message_id", m->message_id);
    text("in_reply_to", m->in_reply_to);
    for (size_t i = 0; i < m->nreferences; i++) {
        if (!m->references[i])
            abort();
        text("a reference", m->references[i]);
    }
    text("from_address", m->from_address);
    text("from_name", m->from_name);
    text("subject", m->subject);
    text("text", m->text);
    text("quoted", m->quoted);
    text("bounced_message_id", m->bounced_message_id);
    text("bounce_reason", m->bounce_reason);
    if (m->mail_class > RP_MAIL_BOUNCE)
        abort();
    for (size_t i = 0; i < m->nattachments; i++) {
        const rp_mail_attachment *a = &m->attachments[i];
        if (!a->content_type)
            abort();
        text("an attachment's content type", a->content_type);
        text("an attachment's file name", a->filename);
        text("an attachment's content id", a->content_id);
        /* ASan checks that size bytes are there */
        if (a->size && !a->data)
            abort();
        if (a->size && memchr(a->data, 0, a->size) == (const void *)1)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 262144)
        return 0;
    rp_ctx *ctx = rp_fuzz_db();
    rp_mail_options opt = {0};
    rp_mail_parsed *m = NULL;
    rp_error err;
    rp_code rc = rp_mail_parse(data, size, &opt, &m, &err);
    if (rc == RP_OK)
        check_parsed(rp_mail_inbound(m));
    else
        rp_fuzz_check_result("parsing a message", rc, &err, NULL);
    rp_mail_free(m);

    json_t *out = NULL;
    rc = rp_mail_deliver(ctx, data, size, &opt, &out, &err);
    rp_fuzz_check_result("taking a message in", rc, &err, out);
    json_decref(out);
    rp_fuzz_db_reset();
    return 0;
}
