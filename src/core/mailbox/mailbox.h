/*
 * mailbox.h - the IMAP mailboxes the desk reads its mail from, and which of
 * their messages have been taken.
 *
 * A queue may have a mailbox (a support address at a mail provider) that
 * rapportd polls.  A message in a mailbox is named by its UID, which means
 * something only under the folder's UIDVALIDITY, so both are kept.  Taking
 * a message is a claim in the database before the message is read and a
 * mark after it was delivered: two rapportd servers on one database never
 * take the same message, a restart does not take it again, and a claim
 * whose taker died goes stale after a lease and is taken again.
 */
#ifndef RP_MAILBOX_H
#define RP_MAILBOX_H

#include <jansson.h>
#include <stdint.h>

#include "core/context.h"

/* Seconds after which a claim nobody finished may be taken again. */
#define RP_MAILBOX_CLAIM_LEASE 600

/*
 * Add a mailbox from in: {"url" (imap:// or imaps://, required), "username"
 * (required), "password" (required), "folder" (default "INBOX"), "queue"
 * (the queue new encounters open in)}.  The same URL, user and folder
 * twice: RP_ECONFLICT.  *out is the mailbox without its password.
 */
rp_code rp_mailbox_add(rp_ctx *ctx, json_t *in, json_t **out, rp_error *err);

/*
 * Every mailbox, {"items": [...]} in id order; the passwords only when
 * with_passwords (for the poller, never for display).
 */
rp_code rp_mailbox_list(rp_ctx *ctx, int with_passwords, json_t **out,
                        rp_error *err);

/* Remove a mailbox and what was taken from it; RP_ENOTFOUND when none. */
rp_code rp_mailbox_remove(rp_ctx *ctx, int64_t id, rp_error *err);

/* The lowest UID worth asking the server for under uidvalidity: one past
 * the highest taken, or a stale claim's. */
rp_code rp_mailbox_uid_from(rp_ctx *ctx, int64_t mailbox, int64_t uidvalidity,
                            int64_t *from, rp_error *err);

/* Claim a message for this caller; *claimed is 0 when someone else has it
 * or it was taken already. */
rp_code rp_mailbox_claim(rp_ctx *ctx, int64_t mailbox, int64_t uidvalidity,
                         int64_t uid, int *claimed, rp_error *err);

/* The claimed message was delivered (or kept, or refused for good). */
rp_code rp_mailbox_done(rp_ctx *ctx, int64_t mailbox, int64_t uidvalidity,
                        int64_t uid, rp_error *err);

/* Give a claim back, to be taken again at the next poll (a temporary
 * failure). */
rp_code rp_mailbox_release(rp_ctx *ctx, int64_t mailbox, int64_t uidvalidity,
                           int64_t uid, rp_error *err);

#endif
