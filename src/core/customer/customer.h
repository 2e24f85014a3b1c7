/*
 * customer.h - the customer: who they are, what they want and where they
 * are going (preferences, goals, important dates, consents), every moment
 * of truth with them, and the relationship level their history has earned.
 *
 * Seeds 002 to 004: know the name, remember the wish, never send what the
 * customer has not agreed to, and let every contact count.  The rules of the
 * relationship level are written down in docs/rules.md; rp_level_decide
 * takes plain facts and no store, so unit tests check it without a database.
 */
#ifndef RP_CUSTOMER_H
#define RP_CUSTOMER_H

#include <jansson.h>
#include <stdint.h>
#include "base/buf.h"
#include "core/context.h"

/* ---- customers (customer.c) ---------------------------------------------- */

/* The fields of a customer's create and change, and their limits: what
 * rp_customer_create and rp_customer_update accept, and what the API's
 * contract says they accept. */
extern const rp_field rp_customer_fields[];

/*
 * Create a customer from in: {"name" (required), "preferred_name", "emails",
 * "phones", "notes", "external_id"}.  Records a moment of truth.  *out is
 * the new customer.  external_id is the customer's id in the system they
 * came from (unique: another customer's is RP_ECONFLICT).
 */
rp_code rp_customer_create(rp_ctx *ctx, json_t *in, json_t **out,
                           rp_error *err);

/* Change the fields present in in (same fields as create; at least one). */
rp_code rp_customer_update(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                           rp_error *err);

/*
 * rp_customer_create and rp_customer_update inside the transaction the
 * caller has open (a bulk import, which keeps or loses every row
 * together): the same rules and moment, without reading the customer
 * back.  create fills *id; update takes a customer known to exist.
 */
rp_code rp_customer_create_in(rp_ctx *ctx, json_t *in, int64_t *id,
                              rp_error *err);
rp_code rp_customer_update_in(rp_ctx *ctx, int64_t id, json_t *in,
                              rp_error *err);

/* The customer with this id, or RP_ENOTFOUND.  A customer merged into
 * another answers with the one they were merged into (rp_customer_merge). */
rp_code rp_customer_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err);

/*
 * A page of customers in id order, optionally only those whose name,
 * preferred name or email contains q; a q that reads as a phone number
 * finds who holds that number, and a whole email address who holds that
 * address (or, when nobody does, those whose addresses contain it).
 * *out is {"items", "next_cursor"}.
 */
rp_code rp_customer_list(rp_ctx *ctx, const char *q, const rp_page_req *page,
                         json_t **out, rp_error *err);

/* The number of customers (all of them). */
rp_code rp_customer_count(rp_ctx *ctx, int64_t *count, rp_error *err);

/* ---- merging customers, and possible duplicates (merge.c) -------------- */

/* The fields of a merge's request: "merged_id" (the other customer) and
 * "reason", as rp_customer_merge_request reads them. */
extern const rp_field rp_customer_merge_fields[];

/*
 * Merge customer merged_id into keep_id, in one transaction: every row of
 * theirs (encounters, identities, preferences, goals, dates, consents,
 * tasks, satisfaction answers, offers, requests, ...) moves to keep_id;
 * their moments stay in the sealed ledger and merged_id becomes an alias
 * of keep_id (merged_into), whose history includes the alias's moments.
 * Of two preferences with one key, or two consents for one purpose, the
 * later stands and the other is kept in the merge's moment of truth
 * ("customer.merged" on keep_id: who, when, which customer, why).  Emits
 * "customer.merged" {"kept_id", "merged_id"}, writes the audit log and
 * recomputes keep_id's relationship level.  Only an admin (or the command
 * line) may merge: RP_EFORBIDDEN.  Refused, changing nothing: the same
 * customer twice or a blank reason (RP_EINVALID), an erased customer, one
 * merged already, or one with an erasure waiting (RP_ECONFLICT), an
 * unknown id (RP_ENOTFOUND).  *out is {"customer", "merged_id",
 * "message"}.
 */
rp_code rp_customer_merge(rp_ctx *ctx, int64_t keep_id, int64_t merged_id,
                          const char *reason, json_t **out, rp_error *err);

/* rp_customer_merge with its other customer and reason read from in,
 * {"merged_id", "reason"} (the API's body). */
rp_code rp_customer_merge_request(rp_ctx *ctx, int64_t keep_id, json_t *in,
                                  json_t **out, rp_error *err);

/*
 * Other customers who may be the same person as id: those with an email
 * address or phone number that matches one of id's when written loosely
 * (an email's "+tag", a Gmail address's dots, a number's country code),
 * found through the identities' index.  *out is {"customer_id", "items":
 * [{"customer_id", "name", "greeting_name", "matches": [{"kind", "value",
 * "own_value"}]}]}.  Erased and merged customers are left out.
 */
rp_code rp_customer_duplicates(rp_ctx *ctx, int64_t id, json_t **out,
                               rp_error *err);

/* The customer that id is now: id itself, or the customer it was merged
 * into.  RP_ENOTFOUND when there is no such customer. */
rp_code rp_customer_live_id(rp_ctx *ctx, int64_t id, int64_t *live,
                            rp_error *err);

/* The ids whose rows are customer id's history: id and the customers
 * merged into it (a new array, id first). */
rp_code rp_customer_ids(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err);

/* ---- moments of truth (moment.c) ----------------------------------------- */

/* One touch point, as the domain records it. */
typedef struct rp_moment {
    int64_t customer_id;
    int64_t encounter_id;   /* 0 when the moment is not part of an encounter */
    const char *channel;    /* NULL when none */
    const char *kind;       /* "customer.created", "encounter.opened", ... */
    const char *summary;    /* one line a person can read */
    const char *impression; /* "positive", "neutral", "negative" or NULL */
    json_t *detail;         /* borrowed; NULL when none */
} rp_moment;

/*
 * Every kind of moment the desk records, NULL-terminated.  The OpenAPI
 * document lists them as the Moment's kinds, and the console's test checks
 * that it says each one in the agent's language (from the kind and the
 * parameters its detail carries; the stored summary is the English of the
 * moment, kept for what the console does not know).
 */
extern const char *const rp_moment_kinds[];

/* 1 when kind is one of rp_moment_kinds. */
int rp_moment_kind_known(const char *kind);

/*
 * Append a moment to the ledger.  Call inside the transaction of the change
 * it records, so that the change and its moment are kept or lost together.
 * A kind not in rp_moment_kinds is refused (RP_EINTERNAL): list it there
 * and give it words in the console first.
 */
rp_code rp_moment_record(rp_ctx *ctx, const rp_moment *m, rp_error *err);

/* A page of a customer's moments, newest first; RP_ENOTFOUND if no customer. */
rp_code rp_moment_list(rp_ctx *ctx, int64_t customer_id,
                       const rp_page_req *page, json_t **out, rp_error *err);

/* ---- the sealed ledger (ledger.c) --------------------------------------- */

/* What an erased moment says instead of its content (the database's
 * trigger allows exactly this text). */
#define RP_MOMENT_ERASED_SUMMARY "The details of this moment were erased."

/* The fields of a moment its chain hash covers. */
typedef struct rp_ledger_fields {
    int64_t id, occurred_at, customer_id, encounter_id; /* encounter 0: none */
    const char *kind, *actor, *channel, *impression;    /* NULL: none */
    const char *content_hash;                           /* 64 hex digits */
} rp_ledger_fields;

/*
 * The content hash of a moment (64 hex digits and a NUL in out): BLAKE2b-256
 * keyed with key_hex (the customer's ledger key, 64 hex digits) over the
 * summary and the detail's JSON text (either NULL).  -1 for a bad key.
 */
int rp_ledger_content_hash(const char *key_hex, const char *summary,
                           const char *detail, char out[65]);

/*
 * The chain hash of a moment: BLAKE2b-256 over the previous moment's chain
 * hash (prev_hex; NULL for the first moment) and f.  -1 when a hash given
 * is not 64 hex digits.
 */
int rp_ledger_chain_hash(const char *prev_hex, const rp_ledger_fields *f,
                         char out[65]);

/*
 * Seal, in id order and in one transaction, the moments recorded before
 * the ledger carried hashes; *sealed (may be NULL) is how many.  Nothing
 * to do on a ledger sealed already, which costs one indexed lookup.
 */
rp_code rp_ledger_seal(rp_ctx *ctx, int64_t *sealed, rp_error *err);

/*
 * Walk the whole ledger in id order, a page at a time (memory does not
 * grow with its length), recomputing every hash.  *out is {"ok",
 * "moments", "erased", "problem_count", "problems": [{"moment_id",
 * "occurred_at", "kind", "problem"}] (the first 20), "head": {"moment_id",
 * "chain_hash"} or null, "anchor_matches"}.  A problem names a moment whose
 * content, recorded fields or place in the chain changed, the moments
 * missing before one, and an erased moment whose customer was not erased
 * (nor its encounter's conversation, by the retention rules).
 * The chain alone cannot tell that the newest moments were cut off: give
 * anchor_id and anchor (a head noted earlier) to check that the moment is
 * still there with that hash (anchor_id 0: no anchor).  RP_OK even when
 * problems are found; an error only when the ledger cannot be read.
 */
rp_code rp_ledger_verify(rp_ctx *ctx, int64_t anchor_id, const char *anchor,
                         json_t **out, rp_error *err);

/*
 * Erasure's part in the ledger, inside the erasure's transaction: check
 * that each of the customer's moments still has the content its hash
 * recorded (RP_ECONFLICT naming the first that does not, and nothing
 * changes), then replace the content of each by RP_MOMENT_ERASED_SUMMARY,
 * keeping its time, kind, encounter and both hashes.
 */
rp_code rp_ledger_erase_customer(rp_ctx *ctx, int64_t customer_id, int64_t now,
                                 rp_error *err);

/* The same for the moments of one encounter, when the retention rules
 * blank its conversation (the moments quote its messages). */
rp_code rp_ledger_erase_encounter(rp_ctx *ctx, int64_t encounter_id,
                                  int64_t now, rp_error *err);

/* ---- profile: preferences, goals, dates, consents (profile.c) ------------ */

/*
 * The kinds of profile item a customer has; each is a sub-resource
 * /api/v1/customers/{id}/<kind>:
 *   "preferences" {"key","value","firmness":"firm"|"flexible","encounter_id"?}
 *                 (one per key: adding an existing key changes it)
 *   "goals"       {"title","tags":[...],"status":"active"|"achieved"|"dropped",
 *                  "encounter_id"?}
 *   "dates"       {"kind":"appointment"|"renewal"|"expiry"|"other","title",
 *                  "at" (RFC 3339),"where"?,"with_whom"?,"bring"?,
 *                  "encounter_id"?}
 *   "consents"    {"purpose":"service"|"reminders"|"offers","granted":bool,
 *                  "source"?} (one per purpose: adding again changes it)
 * Returns NULL-terminated list of kind names.
 */
extern const char *const rp_profile_kinds[];

/* The fields of each kind: added (POST) and changed (PATCH).  A
 * preference's key and a consent's purpose are given only when added. */
extern const rp_field rp_preference_add_fields[];
extern const rp_field rp_preference_change_fields[];
extern const rp_field rp_goal_fields[];
extern const rp_field rp_date_fields[];
extern const rp_field rp_consent_add_fields[];
extern const rp_field rp_consent_change_fields[];

/* The most items of one kind a customer can have; adding one more is
 * refused (RP_ECONFLICT), so that every list of them is whole. */
#define RP_PROFILE_MAX_ITEMS 500

/*
 * Add an item of kind to customer_id from in.  Validates every field
 * (RP_ETYPE / RP_EINVALID naming it; an encounter_id must name one of this
 * customer's encounters), records a moment of truth in the same
 * transaction, and fills *out with the item.  RP_ENOTFOUND when there is
 * no such customer, RP_EINVALID for an unknown kind, RP_ECONFLICT when the
 * customer already has RP_PROFILE_MAX_ITEMS of the kind.
 */
rp_code rp_profile_add(rp_ctx *ctx, const char *kind, int64_t customer_id,
                       json_t *in, json_t **out, rp_error *err);

/* Change the fields present in in on one item (same fields as add; a
 * field every item has cannot be given as null or blank). */
rp_code rp_profile_update(rp_ctx *ctx, const char *kind, int64_t customer_id,
                          int64_t item_id, json_t *in, json_t **out,
                          rp_error *err);

/* Delete one item (a moment records it). Consents cannot be deleted, only
 * withdrawn (granted false): RP_ECONFLICT. */
rp_code rp_profile_remove(rp_ctx *ctx, const char *kind, int64_t customer_id,
                          int64_t item_id, rp_error *err);

/* Every item of kind for the customer, as {"items":[...]}: all of them,
 * never cut at a page's size. */
rp_code rp_profile_list(rp_ctx *ctx, const char *kind, int64_t customer_id,
                        json_t **out, rp_error *err);

/*
 * Whether the customer has consented to purpose.  "service" is granted
 * unless the customer withdrew it (serving the request they made is why we
 * hold their details); "reminders" and "offers" need an explicit grant.
 * Fills *granted and, when refused, why[] with a sentence for people.
 */
rp_code rp_consent_check(rp_ctx *ctx, int64_t customer_id, const char *purpose,
                         int *granted, char *why, size_t whysize,
                         rp_error *err);

/* ---- relationship levels (relationship.c) -------------------------------- */

/* The levels, lowest first, NULL-terminated. */
extern const char *const rp_relationship_levels[];

/*
 * Recompute the customer's relationship level from their whole history with
 * a bounded number of indexed queries; store it with its reasons, and when
 * it changed append a relationship_levels row and the moment
 * "relationship.changed".  Call INSIDE the caller's transaction.
 * encounter_id (0: none) is the encounter that caused the recomputation.
 */
rp_code rp_relationship_recompute(struct rp_ctx *ctx, int64_t customer_id,
                                  int64_t encounter_id, rp_error *err);

/*
 * rp_relationship_recompute, saying what caused it in plain words ("the
 * customer answered a satisfaction check", NULL: not said); the cause goes
 * into the level's history row and the moment of a change.
 */
rp_code rp_relationship_recompute_because(struct rp_ctx *ctx,
                                          int64_t customer_id,
                                          int64_t encounter_id,
                                          const char *cause, rp_error *err);

/* {"level", "reasons"} of a customer row, as the guide and overview show it
 * (new object). */
json_t *rp_relationship_summary(json_t *customer);

/*
 * Decide a level from evidence (docs/rules.md): rows of {"rule",
 * "encounter_id", "at", "score"} (rules "formal_exchange",
 * "resolution_satisfied", "become_encounter", "active_goal",
 * "supplemental_followed_up", "closed_encounter", "follow_up_done",
 * "promise_kept", "promise_broken", "latest_satisfaction") and the number of
 * closed encounters.  *level is static; *reasons is a new array of {"rule",
 * "level", "why", "encounter_ids"}, the first naming the level given.
 */
void rp_level_decide(json_t *evidence, int64_t closed_count, const char **level,
                     json_t **reasons);

/* ---- the customer at a glance (overview.c) ------------------------------ */

/*
 * The customer at a glance: {"customer", "relationship", "preferences",
 * "open_encounters", "open_promises", "follow_ups", "latest_moments",
 * "satisfaction": {"count", "average", "words"}, "encounters_by_kind",
 * "encounters_by_exchange", "encounters_set_by_agent"}, read in one
 * snapshot.  A fixed number of indexed queries, whatever the history's
 * length.
 */
rp_code rp_customer_overview(struct rp_ctx *ctx, int64_t id, json_t **out,
                             rp_error *err);

/*
 * rp_customer_overview as compact JSON text appended to out (the bytes
 * rp_json_write would write for it), written as the rows are read instead
 * of built as a tree first: what rapportd sends.  On failure out may hold
 * part of the text.
 */
rp_code rp_customer_overview_write(struct rp_ctx *ctx, int64_t id, rp_buf *out,
                                   rp_error *err);

#endif
