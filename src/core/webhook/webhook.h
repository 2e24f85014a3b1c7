/*
 * webhook.h - events and the webhooks that carry them to other systems.
 *
 * When something happens that another system may want to know (an
 * encounter opened, a message received, a customer erased), the code that
 * makes the change calls rp_event_emit inside its own transaction.  The
 * event is written to the events table and, in the same transaction, one
 * delivery is queued for every active subscription that asked for its
 * kind: so an event exists exactly when the change committed, and a
 * delivery is never lost to a crash between the change and the send.
 *
 * Deliveries are sent later, outside any request (rp_webhook_run, from a
 * thread of rapportd or `rapport webhook run`), each signed with
 * HMAC-SHA256 over "<timestamp>.<body>" with the subscription's secret and
 * carrying a delivery id that stays the same on every retry, so a receiver
 * can drop a repeat.  A failed send is retried with exponential backoff
 * until the subscription's attempts run out; one being sent when the
 * process died is taken over after a lease and sent again with the same id.
 */
#ifndef RP_WEBHOOK_H
#define RP_WEBHOOK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/context.h"

/* ---- events (event.c) ---------------------------------------------------- */

/*
 * The kinds of event, ending in NULL:
 *   encounter.opened, encounter.stage_changed, encounter.assigned,
 *   encounter.closed, encounter.abandoned,
 *   message.received, message.sent, message.failed,
 *   satisfaction.answered,
 *   customer.created, customer.changed, customer.merged, customer.erased,
 *   charter.breached.
 * docs/webhooks.md says what the data of each holds.
 */
extern const char *const rp_event_kinds[];

/* *out is {"kinds": [every kind, in the order above]}. */
rp_code rp_event_kind_list(rp_ctx *ctx, json_t **out, rp_error *err);

/* 1 when kind is one of rp_event_kinds. */
int rp_event_kind_is_known(const char *kind);

/*
 * Record that kind happened to customer_id / encounter_id (0: none) with
 * data (a JSON object, borrowed; NULL for {}), and queue one delivery of it
 * for every active subscription that wants kind.  Call it inside the
 * transaction that makes the change (between rp_store_begin and
 * rp_store_finish), after the change is written, so the event and the
 * change are kept or lost together; its error fails that transaction.
 * An unknown kind is RP_EINTERNAL (a bug in the caller).  data must not
 * hold secrets or anything the customer asked to be erased: it leaves the
 * desk.
 */
rp_code rp_event_emit(rp_ctx *ctx, const char *kind, int64_t customer_id,
                      int64_t encounter_id, json_t *data, rp_error *err);

/*
 * rp_event_emit with data built by json_pack from fmt and its arguments
 * ("{s:I, s:s}", "message_id", id, "stage", to), the short form for the
 * places that emit.  A format that does not build an object is
 * RP_EINTERNAL.
 */
rp_code rp_event_emit_pack(rp_ctx *ctx, const char *kind, int64_t customer_id,
                           int64_t encounter_id, rp_error *err, const char *fmt,
                           ...);

/*
 * Forget what the stored events of customer_id said (their data becomes
 * {}), inside the erasure's transaction, so that nothing erased leaves the
 * desk later in a delivery still queued.  The kinds and ids stay.
 */
rp_code rp_event_forget_customer(rp_ctx *ctx, int64_t customer_id,
                                 rp_error *err);

/* ---- subscriptions (subscription.c) ------------------------------------- */

/* The fields of a new subscription, and of a change to one (its secret
 * is given only when it is made). */
extern const rp_field rp_webhook_create_fields[];
extern const rp_field rp_webhook_update_fields[];

/*
 * Add a subscription from in: {"url" (http or https, at most 2000
 * characters), "events" (a non-empty list of kinds, or ["*"] for all),
 * "description"?, "secret"? (at least 24 characters; made at random when
 * absent), "active"? (default true)}.  *out is the subscription with its
 * "secret": the only time the secret is shown.
 */
rp_code rp_webhook_create(rp_ctx *ctx, json_t *in, json_t **out, rp_error *err);

/* One subscription without its secret, with its last delivery's status;
 * RP_ENOTFOUND when there is none. */
rp_code rp_webhook_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err);

/* A page of subscriptions, without their secrets. */
rp_code rp_webhook_list(rp_ctx *ctx, const rp_page_req *page, json_t **out,
                        rp_error *err);

/*
 * Change url, events, description or active (the keys given) of a
 * subscription; *out as rp_webhook_get.  Turning a subscription off keeps
 * its queued deliveries until it is turned on again.
 */
rp_code rp_webhook_update(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                          rp_error *err);

/* Remove a subscription and its delivery log (deliveries not yet sent are
 * dropped); RP_ENOTFOUND when there is none. */
rp_code rp_webhook_remove(rp_ctx *ctx, int64_t id, rp_error *err);

/*
 * A page of the deliveries of subscription id, newest first: {"id",
 * "delivery_id", "event_id", "kind", "status" (queued, sending, delivered,
 * failed), "attempts", "response_code", "last_error", "next_attempt_at",
 * "delivered_at", "created_at"}; filtered by status when status is not
 * NULL.
 */
rp_code rp_webhook_deliveries(rp_ctx *ctx, int64_t id, const char *status,
                              const rp_page_req *page, json_t **out,
                              rp_error *err);

/* ---- delivery (dispatch.c) ---------------------------------------------- */

/* How deliveries are sent; rp_webhook_config_default() fills the defaults,
 * the program then what it was configured with. */
typedef struct rp_webhook_config {
    int timeout_seconds;     /* one request, connection included */
    int backoff_seconds;     /* delay before the first retry; doubles */
    int backoff_max_seconds; /* no delay is longer than this */
    int max_attempts;        /* then the delivery is failed */
    int batch;               /* deliveries claimed per transaction */
    int keep_days;           /* delivered and failed deliveries, and events no
                                delivery waits for, are removed after this */
    /* asked between deliveries; nonzero stops the run early (shutdown).
     * Deliveries claimed and not sent are taken over after the lease. */
    int (*should_stop)(void *arg);
    void *stop_arg;
} rp_webhook_config;

/* The defaults: timeout 10 s, backoff 30 s doubling up to 6 hours, 12
 * attempts (about a day and a half), batch 20, kept 30 days. */
void rp_webhook_config_default(rp_webhook_config *cfg);

/* Seconds a claimed delivery is left to its sender before another takes
 * it over: longer than any one send can last. */
int rp_webhook_lease_seconds(const rp_webhook_config *cfg);

/*
 * The delay before attempt attempts + 1, after attempts (>= 1) failed:
 * backoff_seconds * 2^(attempts - 1), at most backoff_max_seconds.
 */
int64_t rp_webhook_backoff(const rp_webhook_config *cfg, int64_t attempts);

/*
 * The signature of body (len bytes) sent at timestamp with secret: the
 * hex HMAC-SHA256 of "<timestamp>.<body>" into out (65 bytes).  It is
 * sent as "Rapport-Signature: t=<timestamp>,v1=<hex>".
 */
void rp_webhook_sign(const char *secret, int64_t timestamp, const char *body,
                     size_t len, char out[65]);

/*
 * Check a Rapport-Signature header value against body with secret, as a
 * receiver does: RP_OK when one of its v1 signatures matches (compared in
 * constant time) and its t is within tolerance seconds of now; otherwise
 * RP_EAUTH saying why.  For receivers written in C and for the tests.
 */
rp_code rp_webhook_verify(const char *secret, const char *header,
                          const char *body, size_t len, int64_t now,
                          int64_t tolerance, rp_error *err);

/*
 * Send what is due as of now: claim up to cfg->batch due deliveries in
 * one short transaction (as worker), POST each to its subscription's URL
 * with no transaction open, and settle each in its own short transaction:
 * delivered (any 2xx answer), queued again after rp_webhook_backoff, or
 * failed after cfg->max_attempts.  *out is {"claimed", "delivered",
 * "retried", "failed"} (counts).  Does nothing, and writes nothing, when
 * nothing is due.
 */
rp_code rp_webhook_run(rp_ctx *ctx, const rp_webhook_config *cfg, int64_t now,
                       const char *worker, json_t **out, rp_error *err);

/*
 * Remove what is no longer needed as of before (Unix seconds): delivered
 * and failed deliveries last changed earlier, then events that occurred
 * earlier and that no delivery names any more, at most limit of each, each
 * batch in its own short transaction.  *removed (may be NULL) gets how many
 * rows went.  Queued deliveries and their events are never removed.
 */
rp_code rp_webhook_prune(rp_ctx *ctx, int64_t before, int limit,
                         int64_t *removed, rp_error *err);

/* Deliveries waiting to be sent (queued or being sent), for /healthz and
 * the metrics. */
rp_code rp_webhook_backlog(rp_ctx *ctx, int64_t *count, rp_error *err);

#endif
