/*
 * conversation.h - the conversation of an encounter: what the customer
 * wrote, what the desk wrote back, and the notes agents leave each other.
 *
 * A help desk lives by this loop.  Every message is a moment of truth, the
 * first reply stops the first-response clock, and a customer who writes on
 * a closed encounter reopens it.  Mail and web forms reach the desk through
 * one door, rp_conversation_receive, which takes a message already parsed
 * (src/mail parses MIME; the core never sees raw MIME) so the rules of
 * threading live here, once, whatever the way in.
 */
#ifndef RP_CONVERSATION_H
#define RP_CONVERSATION_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "core/context.h"

/* ---- one door in: a parsed inbound message ---------------------------- */

/* What kind of mail a message is; only RP_MAIL_PERSONAL opens work. */
typedef enum rp_mail_class {
    RP_MAIL_PERSONAL = 0, /* a person wrote to the desk */
    RP_MAIL_AUTO_REPLY,   /* Auto-Submitted, out-of-office, vacation */
    RP_MAIL_BULK,         /* Precedence: bulk/junk/list, List-Id */
    RP_MAIL_LOOP,         /* carries our own X-Loop: we sent it */
    RP_MAIL_BOUNCE        /* a delivery status notification */
} rp_mail_class;

/* One attachment or inline part, decoded. */
typedef struct rp_mail_attachment {
    const char *filename;     /* UTF-8, NULL when the part had none */
    const char *content_type; /* lower case, "image/png"; never NULL */
    const char *content_id;   /* without <>, for inline images; or NULL */
    int is_inline;            /* shown in the body rather than attached */
    const unsigned char *data;
    size_t size;
} rp_mail_attachment;

/*
 * A message as the parser understood it.  Every text is valid UTF-8 (the
 * parser converts charsets and turns HTML into text); pointers are borrowed
 * for the duration of the call.
 */
typedef struct rp_inbound_mail {
    const char *channel;     /* "email" or "web" */
    const char *queue;       /* queue to open new encounters in, or NULL */
    const char *message_id;  /* without <>; NULL when the mail had none */
    const char *in_reply_to; /* without <>; or NULL */
    const char *const *references; /* without <>, oldest first */
    size_t nreferences;
    const char *from_address; /* as written; normalised by the core */
    const char *from_name;    /* display name, or NULL */
    const char *subject;      /* or NULL */
    const char *text;         /* the new text of the message */
    const char *quoted;       /* reply history split off the text, or NULL */
    int64_t sent_at;          /* Date: header in unix seconds, 0 if unknown */
    rp_mail_class mail_class;
    const char *bounced_message_id; /* a bounce: the message it reports */
    const char *bounce_reason;      /* a bounce: in words, or NULL */
    const rp_mail_attachment *attachments;
    size_t nattachments;
    const unsigned char *raw; /* the message as received, kept; may be NULL */
    size_t raw_size;
} rp_inbound_mail;

/*
 * Take in one inbound message: find the customer by their address (a new,
 * unconfirmed customer when nobody knows it), thread it (In-Reply-To, then
 * References, then a subject tag naming an encounter of that customer, else
 * a new encounter), reopen a closed encounter or open a linked new one,
 * store the message and its attachments, and record the moment of truth.
 * The same Message-ID delivered twice is stored once.  A bounce marks the
 * outbound message it reports as failed; auto-replies, bulk mail and loops
 * are recorded as refused and open nothing.
 *
 * *out is {"outcome": "opened"|"threaded"|"reopened"|"duplicate"|
 * "bounce"|"refused", "encounter_id", "message_id", "customer_id",
 * "reason"} (ids absent when none).  RP_EBUSY is a temporary failure the
 * caller may retry; any other error means the message was not taken.
 */
rp_code rp_conversation_receive(rp_ctx *ctx, const rp_inbound_mail *mail,
                                json_t **out, rp_error *err);

/*
 * Keep a message that could not be understood at all, raw, with the reason,
 * for an admin to see: no message is ever dropped.  *id is the kept row.
 */
rp_code rp_conversation_keep_unreadable(rp_ctx *ctx, const unsigned char *raw,
                                        size_t size, const char *reason,
                                        int64_t *id, rp_error *err);

#endif
