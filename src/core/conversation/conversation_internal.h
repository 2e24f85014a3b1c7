/*
 * conversation_internal.h - what the files of the conversation subsystem
 * share (message.c, receive.c, outbox.c); not part of the public API.
 */
#ifndef RP_CONVERSATION_INTERNAL_H
#define RP_CONVERSATION_INTERNAL_H

#include "core/rapport.h"

/* The most attachments one message may carry. */
#define RP_CONV_MAX_ATTACHMENTS 50

/*
 * Store the attachments of message message_id: each content once by its
 * SHA-256 (a second copy only points at the first), refused as a whole
 * when one is over max_bytes (RP_EINVALID naming "attachments").  Call
 * inside the caller's transaction.
 */
rp_code rp_conv_store_attachments(rp_ctx *ctx, int64_t customer_id,
                                  int64_t encounter_id, int64_t message_id,
                                  const rp_mail_attachment *a, size_t n,
                                  int64_t max_bytes, rp_error *err);

/* Append "<subject> [<desk> #<id>]" to out, the tag only when subject does
 * not carry it already. */
void rp_conv_tag_subject(rp_buf *out, const char *subject,
                         const char *desk_name, int64_t encounter_id);

/*
 * Set the encounter's first response (and acknowledgement, when missing) to
 * now when it has none; *first tells whether this was the first.  Call
 * inside the caller's transaction.
 */
rp_code rp_conv_mark_first_response(rp_ctx *ctx, json_t *enc, int64_t now,
                                    int *first, rp_error *err);

/*
 * Queue an outbound message (already inserted as a draft or new) to be
 * sent: address it to the customer's last inbound address (else their
 * first email), answer the customer's last message (In-Reply-To and
 * References), tag its subject.  Fills row's columns for the insert or
 * update.  RP_EINVALID (field "channel") when there is nobody to write to.
 */
rp_code rp_conv_address_reply(rp_ctx *ctx, json_t *enc, const char *subject,
                              const char *desk_name, json_t *row,
                              rp_error *err);

/* The base64 text of the n bytes at data (malloc'd; NULL when out of
 * memory). */
char *rp_conv_base64(const unsigned char *data, size_t n);

#endif
