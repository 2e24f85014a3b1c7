/*
 * privacy.h - the customer's data is theirs: erasure, retention and the
 * marketing suppression list.
 *
 * Erasure removes a customer's personal data from every table (their
 * profile, identities, preferences, goals, dates, consents, the text of
 * their encounters, messages, attachments, answers and notes) while every
 * row the measures count keeps its times, kinds and flags, and every
 * moment of truth keeps its place in the sealed ledger with its content
 * replaced by a tombstone (customer/ledger.c).  Retention applies the
 * desk's rules (erase customers with no contact for years, drop old
 * attachments, blank the messages of encounters long ended) in bounded
 * batches from the scheduler.  The desk's privacy settings say who may
 * erase and what the rules are.  docs/privacy.md explains all of it.
 */
#ifndef RP_PRIVACY_H
#define RP_PRIVACY_H

#include <jansson.h>

#include "core/context.h"

/* What erased text says instead (the customer's row: its name). */
#define RP_ERASED_TEXT "(erased)"
#define RP_ERASED_NAME "Erased customer"

/* ---- settings (settings.c) ---------------------------------------------- */

/*
 * The desk's privacy settings: {"erasure_approval": "admin" or
 * "two_people", "retention_inactive_years", "retention_attachment_months",
 * "retention_body_months" (0: the rule is off), "retention_batch"}.
 */
rp_code rp_privacy_settings_get(rp_ctx *ctx, json_t **out, rp_error *err);

/* The privacy settings with their words and bounds. */
extern const rp_field rp_privacy_settings_fields[];

/* Change the settings present in in (the keys above); all or nothing.
 * *out is every setting afterwards. */
rp_code rp_privacy_settings_update(rp_ctx *ctx, json_t *in, json_t **out,
                                   rp_error *err);

/* ---- the marketing suppression list (suppress.c) ------------------------ */

/*
 * Does one of the customer's email addresses belong to someone erased who
 * had refused offers?  Only a salted hash of each such address is kept,
 * so the list tells "this address" and never gives an address back.
 */
rp_code rp_privacy_marketing_suppressed(rp_ctx *ctx, int64_t customer_id,
                                        int *suppressed, rp_error *err);

/* Put the salted hashes of the customer's email addresses on the list
 * (inside the caller's transaction). */
rp_code rp_privacy_suppress_customer(rp_ctx *ctx, int64_t customer_id,
                                     rp_error *err);

/* ---- erasure (erase.c) -------------------------------------------------- */

/*
 * Erase customer id's personal data, for ctx's agent (ctx->agent_id 0:
 * the operator of the database, from the command line).  in:
 * {"requested_by" (required: on whose request, e.g. "the customer, by
 * letter of 1 December"), "suppress_marketing" (keep a salted hash of the
 * addresses so no offer reaches them again; implied when the customer had
 * refused offers)}.
 *
 * With "erasure_approval" "admin" an admin erases at once.  With
 * "two_people" an admin or lead asks first (the request waits, *out says
 * "pending") and a different admin or lead erases by asking again.  Every
 * erasure is one transaction ending with a moment of truth
 * ("customer.erased": who, on whose request, approved by whom) and cannot
 * be undone; then the database's write-ahead log is emptied, so that the
 * erased bytes are in no file.  *out: {"customer_id", "state": "erased" or
 * "pending", "message"}.  An erased customer is RP_ECONFLICT.
 */
rp_code rp_privacy_erase(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                         rp_error *err);

/* The erasure itself, in one transaction, without the approval rules (the
 * retention rules use it: they are the desk's own decision).  erased_by
 * (may be NULL) names who erases in the moment; suppress as
 * "suppress_marketing" above. */
rp_code rp_privacy_erase_now(rp_ctx *ctx, int64_t id, const char *requested_by,
                             int suppress, const char *erased_by,
                             rp_error *err);

/* ---- retention (retention.c) -------------------------------------------- */

/*
 * What the retention rules would remove at time now, changing nothing:
 * {"rules": the settings, "customers": {"count", "listed": [{"id",
 * "name"}] (the first 100)}, "attachments": {"count", "encounters",
 * "bytes"}, "bodies": {"encounters", "messages"}}.
 */
rp_code rp_retention_report(rp_ctx *ctx, int64_t now, json_t **out,
                            rp_error *err);

/*
 * Apply each rule that is on to at most one batch ("retention_batch") of
 * what it finds at time now, each customer, and each encounter's
 * attachments or messages, in a transaction of its own with its moment of
 * truth.  *out: {"customers_erased", "attachments_dropped",
 * "encounters_blanked", "messages_blanked", "more"} ("more": a batch was
 * full, run again).
 */
rp_code rp_retention_apply(rp_ctx *ctx, int64_t now, json_t **out,
                           rp_error *err);

/*
 * The scheduler's step: apply one batch when it is time (an hour after the
 * last batch that left nothing, at once after a full one).  *out as
 * rp_retention_apply, or NULL when it was not yet time.
 */
rp_code rp_retention_tick(rp_ctx *ctx, int64_t now, json_t **out,
                          rp_error *err);

#endif
