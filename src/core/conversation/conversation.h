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
#include "core/followup/followup.h"

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

/* The fields of a message already parsed, as the API takes it in, and the
 * names of rp_mail_class in its order. */
extern const rp_field rp_inbound_fields[];
extern const char *const rp_mail_class_names[];

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

/* ---- identities (identity.c) ------------------------------------------- */

/*
 * A customer's email addresses and phone numbers are identities: unique
 * across customers and stored normalised, so that finding the customer for
 * an address is one index lookup.  The customer's own lists keep the text
 * as it was written, for showing and for writing to.
 *
 * An email address is trimmed and lower-cased whole (ASCII letters only),
 * the local part included: RFC 5321 lets a server tell "Max@" from "max@",
 * but no mail service in use does, and a customer who types their address
 * in another case is the same customer.  Dots and "+tags" are kept: they
 * name different mailboxes on most services.
 *
 * A phone number keeps its digits: a leading "+" or "00" makes it
 * international ("+<digits>"); otherwise, when the desk has a default
 * country code, one leading trunk "0" is dropped and "+<code>" put before
 * it (E.164, "600 100 200" with 34 is "+34600100200"); with no default
 * country code a national number stays as its digits.
 */

/* Append the normalised form of the email address s to out; -1 (out
 * untouched) when s is not an email address. */
int rp_identity_email(const char *s, rp_buf *out);

/* Append the normalised form of the phone number s to out, given the
 * desk's default country code ("34", or NULL / "" for none); -1 (out
 * untouched) when s is not a phone number. */
int rp_identity_phone(const char *s, const char *country_code, rp_buf *out);

/*
 * Make the customer's identities of kind ("email" or "phone") those of
 * list (an array of strings as written; NULL leaves them as they are).
 * Call inside the caller's transaction.  An address that belongs to
 * another customer is RP_ECONFLICT naming the field ("emails" or
 * "phones") and that customer.
 */
rp_code rp_identity_sync(rp_ctx *ctx, int64_t customer_id, const char *kind,
                         json_t *list, rp_error *err);

/*
 * The customer whose identity of kind matches text once normalised: fills
 * *customer_id and *identity_id, both 0 when nobody has it (not an error).
 */
rp_code rp_identity_find(rp_ctx *ctx, const char *kind, const char *text,
                         int64_t *customer_id, int64_t *identity_id,
                         rp_error *err);

/* 1 when q reads as a phone number (digits with + - ( ) . / and spaces),
 * so that a customer search looks it up as one. */
int rp_identity_looks_like_phone(const char *q);

/* ---- the desk's conversation settings (settings.c) ---------------------- */

/* What the rules of conversations read from the desk's settings. */
typedef struct rp_desk_settings {
    json_t *row;              /* every setting, {key: value}; owned */
    const char *desk_name;    /* in the subject tag "[<desk_name> #123]" */
    const char *country_code; /* default country code of phone numbers */
    int64_t reopen_days;      /* a closed encounter reopens within this */
    int64_t flood_messages;   /* at most this many messages from one */
    int64_t flood_minutes;    /*   sender within this many minutes */
    int64_t attachment_max_bytes;
    int64_t outbox_max_attempts;
    int64_t outbox_backoff_seconds;
    int64_t arrival_max_hours; /* how far back an arrival may be given */
} rp_desk_settings;

/* Read the settings into *s (release with rp_desk_settings_free). */
rp_code rp_desk_settings_read(rp_ctx *ctx, rp_desk_settings *s, rp_error *err);
void rp_desk_settings_free(rp_desk_settings *s);

/* Read the settings once and let every rp_desk_settings_read on ctx use
 * that copy until rp_desk_settings_unpin.  For a long write transaction
 * (an import of many rows), where the settings cannot change under it and
 * reading them once per row would cost a query per phone number. */
rp_code rp_desk_settings_pin(rp_ctx *ctx, rp_error *err);

/* Drop the copy made by rp_desk_settings_pin; harmless when none. */
void rp_desk_settings_unpin(rp_ctx *ctx);

/* The settings as JSON: {"desk_name", "phone_country_code", "reopen_days",
 * "flood_messages", "flood_minutes", "attachment_max_bytes",
 * "outbox_max_attempts", "outbox_backoff_seconds", "arrival_max_hours"}. */
rp_code rp_desk_settings_get(rp_ctx *ctx, json_t **out, rp_error *err);

/* Change any of the settings (same keys); each is checked and named when
 * refused; nothing changes unless all are good. */
/* The desk's settings with their bounds, and a queue's mail fields. */
extern const rp_field rp_desk_settings_fields[];
extern const rp_field rp_queue_mail_fields[];

rp_code rp_desk_settings_update(rp_ctx *ctx, json_t *in, json_t **out,
                                rp_error *err);

/* Set a queue's mail: {"email_address" (the From: of its replies, or null),
 * "acknowledge_new" (true: a new request by mail gets an automatic
 * acknowledgement)}. */
rp_code rp_queue_mail_set(rp_ctx *ctx, int64_t queue_id, json_t *in,
                          json_t **out, rp_error *err);

/* ---- messages (message.c) ----------------------------------------------- */

/* The directions, authors, channels and delivery states of a message. */
extern const char *const rp_message_channels[];

/*
 * The conversation of an encounter, oldest first: a page of messages, each
 * with its "attachments" [{"id","filename","content_type","size",
 * "inline"}].  *out is {"items", "next_cursor"}.
 */
rp_code rp_message_list(rp_ctx *ctx, int64_t encounter_id,
                        const rp_page_req *page, json_t **out, rp_error *err);

/* One message with its attachments, or RP_ENOTFOUND. */
rp_code rp_message_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err);

/* The fields of a new message, attachments included. */
extern const rp_field rp_message_add_fields[];

/*
 * Write on an encounter: in is {"kind": "reply"|"note" (required), "body"
 * (required), "subject"?, "channel"? ("email" default, "web", "phone",
 * "in_person"), "draft"? (a reply kept unsent), "attachments"?:
 * [{"filename", "content_type", "data_base64"}]}.  A note is for agents
 * and never sent.  A reply by email or web is queued for the outbox (the
 * scheduler sends it); by phone or in person it records what was said and
 * counts as sent.  The first reply that is not a draft is the encounter's
 * first response (it stops that clock; acknowledging too).  Every message
 * is a moment of truth.  A reply on a closed encounter is RP_ECONFLICT;
 * a reply by email to a customer with no email address is RP_EINVALID.
 */
rp_code rp_message_add(rp_ctx *ctx, int64_t encounter_id, json_t *in,
                       json_t **out, rp_error *err);

/* Send a draft reply (in may be NULL or {}): it is queued, as
 * rp_message_add would have; anything but a draft is RP_ECONFLICT. */
rp_code rp_message_send(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                        rp_error *err);

/* An attachment's content, to serve for download. */
typedef struct rp_attachment_data {
    json_t *row;              /* {"id","filename","content_type","size",...} */
    const char *filename;     /* from row */
    const char *content_type; /* safe to serve: never HTML or script */
    unsigned char *data;      /* malloc'd; release with rp_attachment_free */
    size_t size;
} rp_attachment_data;

/* The attachment with this id, or RP_ENOTFOUND. */
rp_code rp_attachment_get(rp_ctx *ctx, int64_t id, rp_attachment_data *out,
                          rp_error *err);
void rp_attachment_free(rp_attachment_data *a);

/*
 * The content type an attachment is served with: the declared one when it
 * is a plain media type that browsers will not run (images other than SVG,
 * PDF, audio, video, plain text, office documents, archives), else
 * application/octet-stream.  Static.
 */
const char *rp_attachment_safe_type(const char *declared);

/* Mail that was refused or could not be read, newest first, for admins. */
rp_code rp_kept_mail_list(rp_ctx *ctx, const rp_page_req *page, json_t **out,
                          rp_error *err);

/* ---- threading rules (receive.c) ----------------------------------------- */

/* The encounter number in a subject tag "[<desk_name> #123]" (any case of
 * the desk's name), or 0 when subject carries none. */
int64_t rp_subject_tag_encounter(const char *subject, const char *desk_name);

/* ---- the outbox (outbox.c) ------------------------------------------------
 */

/*
 * Send the replies that are due: claim queued messages (a claim older than
 * five minutes is taken over), send each by SMTP with dc (from the queue's
 * address, else dc->smtp_from) with its Message-ID, In-Reply-To and
 * References of the customer's last message, the subject tag, X-Loop and
 * the attachments; record it sent, or retry it with backoff, or fail it
 * after the desk's outbox_max_attempts, the reason kept on the message.
 * *out is {"sent": [ids], "retried": [...], "failed": [...]} where a
 * retried or failed entry is {"id", "reason"}.
 */
rp_code rp_outbox_run(rp_ctx *ctx, const rp_delivery_config *dc, int64_t now,
                      const char *worker, json_t **out, rp_error *err);

/* The RFC 5322 text of the message with this id as the outbox would send
 * it from `from` (new string, CRLF line ends; free()); for the tests and
 * for showing what went out. */
rp_code rp_outbox_render(rp_ctx *ctx, int64_t id, const char *from, char **text,
                         rp_error *err);

/* X-Loop carried by every message the desk sends; the mail reader refuses
 * mail that carries it back (RP_MAIL_LOOP). */
#define RP_X_LOOP "rapport"

/* ---- the customer's help pages (help.c) ------------------------------- */

/*
 * The public web door: a form anyone may send (so it is guarded against
 * floods without any outside service) and a status page behind a link that
 * works for one request only, expires, and is kept only as its SHA-256.
 * Requests and replies enter through rp_conversation_receive like mail.
 */
typedef struct rp_help_config {
    int link_days;       /* how long a status link works */
    int window_seconds;  /* the window every limit counts in */
    int max_per_address; /* requests and replies from one client address */
    int max_per_network; /* ... from one /24 (IPv4) or /64 (IPv6) network */
    int max_per_email;   /* new requests from one email address */
    int max_attachment;  /* bytes of the one attachment a message may have */
    const char *queue;   /* queue new requests open in, or NULL */
} rp_help_config;

/* The defaults: links for 30 days; per hour 10 from one address, 30 from
 * one network, 5 new requests from one email; attachments up to 5 MiB. */
void rp_help_config_default(rp_help_config *cfg);

/* What the /help form sent; texts are as typed (checked here). */
typedef struct rp_help_request {
    const char *name, *email, *subject, *text;
    const char *honeypot;    /* a field people never see; bots fill it in */
    const char *client_addr; /* the sender's IP address, as text */
    const rp_mail_attachment *attachment; /* NULL when none */
} rp_help_request;

/*
 * Count one request from client_addr (and, when email is not NULL, from
 * that email address) against the limits of cfg, in one transaction, so
 * that parallel requests cannot all slip under them.  Over a limit:
 * RP_ERATELIMIT, *retry_after the seconds until the oldest counted
 * request leaves the window, and nothing is counted.
 */
rp_code rp_help_admit(rp_ctx *ctx, const rp_help_config *cfg,
                      const char *client_addr, const char *email,
                      int *retry_after, rp_error *err);

/*
 * Open a request from the help form: check the fields (name, email,
 * subject, text: required; the attachment's size), count it (rp_help_admit),
 * take it in through rp_conversation_receive on channel "web", and make the
 * status link shown on the page (token, 64 hex characters) and a second one
 * the scheduler mails to the customer.  A filled-in honeypot changes nothing
 * and answers {"outcome":"ignored"} with an empty token, so a bot learns
 * nothing.  *out is {"outcome","encounter_id","expires_at"}.
 */
rp_code rp_help_open(rp_ctx *ctx, const rp_help_config *cfg,
                     const rp_help_request *req, char token[65], json_t **out,
                     int *retry_after, rp_error *err);

/*
 * The link of token: {"id","encounter_id","customer_id","email",
 * "thread_id","subject","expires_at"} (times in unix seconds).
 * RP_ENOTFOUND for a token nobody issued, RP_EFORBIDDEN once it expired.
 */
rp_code rp_help_link(rp_ctx *ctx, const char *token, json_t **out,
                     rp_error *err);

/*
 * What the customer's status page shows: {"greeting_name","subject",
 * "stage","status" (in words),"expires_at","messages":[{"id","inbound",
 * "author","at","text","quoted","attachments":[{"id","filename","size"}],
 * "delivery"}]}, oldest first.  Internal notes are never in it.
 */
rp_code rp_help_view(rp_ctx *ctx, const char *token, json_t **out,
                     rp_error *err);

/*
 * The customer's reply from the status page, taken in through
 * rp_conversation_receive as an answer to the request (so a closed
 * encounter reopens by the usual rule), counted against the address
 * limits.  *out is rp_conversation_receive's.
 */
rp_code rp_help_reply(rp_ctx *ctx, const rp_help_config *cfg, const char *token,
                      const char *text, const rp_mail_attachment *attachment,
                      const char *client_addr, json_t **out, int *retry_after,
                      rp_error *err);

/*
 * Attachment id, when it belongs to a message the link's page shows (never
 * to a note or an unsent draft), as rp_attachment_get gives it (release
 * with rp_attachment_free); RP_ENOTFOUND otherwise, as for an unknown id.
 */
rp_code rp_help_attachment(rp_ctx *ctx, const char *token, int64_t id,
                           rp_attachment_data *out, rp_error *err);

/*
 * Mail the status links that wait to be mailed (due, or whose sender died
 * mid-send), as part of the scheduler's run: each gets a fresh token (the
 * one mailed is the only one that opens it), is sent by email on
 * cfg->delivery, and is retried with the scheduler's backoff up to its
 * max_attempts.  Adds {"sent","retried","failed"} counts as "help_links"
 * to report.
 */
rp_code rp_help_mail_links(rp_ctx *ctx, const rp_scheduler_config *cfg,
                           int64_t now, json_t *report, rp_error *err);

#endif
