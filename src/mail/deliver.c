/*
 * deliver.c - the one way in that the pipe, the HTTP endpoint and the IMAP
 * poller share: parse, then hand to the conversation's door.
 *
 * No message is dropped: one that cannot be understood is kept raw for an
 * admin, with the reason; only an oversized one is refused, and the log
 * says so with enough to find it (size, sender, Message-ID) because the
 * sender's mail server is the only other place that knows about it.
 */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "mail.h"

/* What little of an oversized message can be read without parsing it:
 * the value of header name, cut at its line's end, into out. */
static void peek_header(const unsigned char *raw, size_t size, const char *name,
                        char *out, size_t n)
{
    out[0] = '\0';
    size_t k = strlen(name);
    size_t limit = size < 65536 ? size : 65536; /* the headers, roughly */
    for (size_t i = 0; i + k < limit; i++) {
        if ((i == 0 || raw[i - 1] == '\n') &&
            strncasecmp((const char *)raw + i, name, k) == 0 &&
            raw[i + k] == ':') {
            size_t j = i + k + 1, w = 0;
            while (j < limit && raw[j] == ' ')
                j++;
            while (j < limit && raw[j] != '\r' && raw[j] != '\n' && w + 1 < n) {
                /* printable ASCII only: this goes to a log line */
                out[w++] = raw[j] >= 0x20 && raw[j] < 0x7f ? (char)raw[j] : '?';
                j++;
            }
            out[w] = '\0';
            return;
        }
        if (raw[i] == '\n' && i + 1 < limit &&
            (raw[i + 1] == '\n' || raw[i + 1] == '\r'))
            return; /* the end of the headers */
    }
}

static void log_oversized(const unsigned char *raw, size_t size,
                          const rp_error *why)
{
    char from[200], id[200];
    peek_header(raw, size, "From", from, sizeof from);
    peek_header(raw, size, "Message-ID", id, sizeof id);
    rp_logf(RP_LOG_WARN,
            "mail: refused a message of %zu bytes from %s (Message-ID %s): %s",
            size, *from ? from : "an unknown sender", *id ? id : "none",
            why->message);
}

/* Keep the raw message with why it could not be taken, for an admin. */
static rp_code keep_raw(rp_ctx *ctx, const unsigned char *raw, size_t size,
                        rp_error *err, json_t **out)
{
    char reason[RP_ERROR_MESSAGE_MAX];
    snprintf(reason, sizeof reason, "%s", err->message);
    int64_t id = 0;
    if (rp_conversation_keep_unreadable(ctx, raw, size, reason, &id, err))
        return err->code;
    rp_logf(RP_LOG_WARN, "mail: kept an unreadable message raw (%s)", reason);
    *out = json_pack("{s:s, s:I, s:s}", "outcome", "unreadable",
                     "unreadable_id", (json_int_t)id, "reason", reason);
    return *out ? RP_OK
                : rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
}

rp_code rp_mail_deliver(rp_ctx *ctx, const unsigned char *raw, size_t size,
                        const rp_mail_options *opt, json_t **out, rp_error *err)
{
    rp_mail_parsed *m = NULL;
    rp_code rc = rp_mail_parse(raw, size, opt, &m, err);
    if (rc == RP_ETOOLARGE) {
        log_oversized(raw, size, err);
        return rc;
    }
    if (rc == RP_EMALFORMED)
        return keep_raw(ctx, raw, size, err, out);
    if (rc)
        return rc;
    rc = rp_conversation_receive(ctx, rp_mail_inbound(m), out, err);
    rp_mail_free(m);
    /* The desk refused what it was given (a text its rules do not take):
     * the message is kept raw rather than lost.  A queue that does not
     * exist is the configuration's fault, not the message's: the caller
     * says so and the mail server keeps the message. */
    if ((rc == RP_EINVALID || rc == RP_EMALFORMED || rc == RP_ETYPE) &&
        strcmp(err->field, "queue") != 0)
        return keep_raw(ctx, raw, size, err, out);
    return rc;
}
