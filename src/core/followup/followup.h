/*
 * followup.h - keeping every promise about the future: the scheduler that
 * sends reminders, renewal notices, satisfaction checks and keep-in-touch
 * messages when they are due, the channels it delivers on (email, webhook),
 * and the customer's answer to a satisfaction check.
 *
 * Seed 003: act before the customer has to ask, and call the next day to
 * ask how it went; send nothing for a purpose the customer has not agreed
 * to (the consent check of customer.h).
 */
#ifndef RP_FOLLOWUP_H
#define RP_FOLLOWUP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "core/context.h"

/* ---- scheduler (scheduler.c) --------------------------------------------- */

/*
 * Where messages go: SMTP for email, a webhook for SMS and other systems.
 * A channel whose URL is NULL is not configured, and a send on it fails
 * with a message saying so.  The program reads these (RAPPORT_SMTP_*,
 * RAPPORT_WEBHOOK_*: docs/scheduler.md); the core only uses them.
 */
typedef struct rp_delivery_config {
    const char *smtp_url;  /* smtp://host:port or smtps://... */
    const char *smtp_from; /* the envelope and From: address */
    const char *smtp_user; /* optional; STARTTLS is tried when set */
    const char *smtp_password;
    const char *webhook_url;    /* JSON is POSTed here */
    const char *webhook_secret; /* HMAC-SHA256 key of X-Rapport-Signature */
} rp_delivery_config;

/* How the scheduler behaves; rp_scheduler_config_default() fills in the
 * defaults, the program then what it was configured with. */
typedef struct rp_scheduler_config {
    int cadence_days[4];         /* keep-in-touch per level: transactional,
                                    incremental, formative, partnership; 0 none */
    int lease_seconds;           /* a claim older than this is taken over */
    int max_attempts;            /* then the task is failed */
    int backoff_seconds;         /* first retry delay; doubles each attempt */
    int batch;                   /* tasks claimed per transaction */
    int satisfaction_ttl_days;   /* how long a satisfaction link works */
    int help_link_days;          /* how long a mailed help-page link works */
    rp_delivery_config delivery; /* the channels; none by default */
    const char *public_url;      /* base of satisfaction links; NULL: none */
    /* asked between tasks; nonzero stops the run early (shutdown).  Tasks
     * claimed and not sent stay claimed and are taken over after the
     * lease.  NULL: never stop early. */
    int (*should_stop)(void *arg);
    void *stop_arg;
    /* The rules work in batches of rule_batch rows, each batch its own
     * short write transaction; between two, up to give_way_ms
     * milliseconds are left to the requests of the process waiting to
     * write, so a request never waits for more than one batch. */
    int rule_batch;
    int give_way_ms;
} rp_scheduler_config;

/*
 * The defaults: cadence 0/90/30/14 days, lease 300 s, 5 attempts, backoff
 * 60 s, batch 50, links valid 14 days, rules in batches of 100 rows giving
 * way for up to 50 ms; no channel and no public URL.
 */
void rp_scheduler_config_default(rp_scheduler_config *cfg);

/* The relationship levels in the order of cadence_days, ending in NULL. */
extern const char *const rp_scheduler_levels[];

/*
 * Run the rules that create tasks (each with a deterministic idempotency
 * key, so running them again creates no duplicate) as of now; fills
 * *created with the number of new tasks.  Each rule reads only what is
 * due from an index (or, for closed encounters, what closed since its
 * last run), in batches of cfg->rule_batch rows, each batch a write
 * transaction of its own; should_stop is asked between batches, and a
 * rule stopped early goes on from where it was at the next run.
 */
rp_code rp_scheduler_rules(rp_ctx *ctx, const rp_scheduler_config *cfg,
                           int64_t now, int64_t *created, rp_error *err);

/* The body of a run of the scheduler through the API (it may be left
 * out): the time to run at. */
extern const rp_field rp_scheduler_run_fields[];

/*
 * Run the rules, then claim due tasks in one transaction (as worker), send
 * each on its channel, and settle it: sent, held (no consent or no address;
 * last_error says why), retried later with exponential backoff, or failed
 * after cfg->max_attempts; then sweep the charter's breaches that happened
 * by now (rp_charter_sweep), each recorded and sent once.  *out is
 * {"now","created","claimed","sent":[...], "held":[...],"retried":[...],
 * "failed":[...], "charter_breaches"}, each entry a task summary,
 * charter_breaches the number of breaches recorded.
 */
rp_code rp_scheduler_run(rp_ctx *ctx, const rp_scheduler_config *cfg,
                         int64_t now, const char *worker, json_t **out,
                         rp_error *err);

/* A page of tasks, filtered by status and customer (NULL / 0: any); held and
 * failed tasks carry their reason in last_error. */
rp_code rp_task_list(rp_ctx *ctx, const char *status, int64_t customer_id,
                     const rp_page_req *page, json_t **out, rp_error *err);

/* One task, or RP_ENOTFOUND. */
rp_code rp_task_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err);

/*
 * A page of the follow-ups an agent has to do: scheduled or sent, not yet
 * done, due before `before` (a Unix time).  scope is "mine" (encounters
 * assigned to ctx's agent), "queues" (encounters in the queues the agent
 * is a member of) or "all"; NULL means "mine" for an agent and "all"
 * otherwise.  Each item carries the customer's name and the encounter's
 * agent and queue.  RP_EINVALID (field "scope") for another scope, or for
 * mine/queues without an agent.
 */
rp_code rp_task_due(rp_ctx *ctx, const char *scope, int64_t before,
                    const rp_page_req *page, json_t **out, rp_error *err);

/*
 * Put a held or failed task back on the schedule, its attempts counted
 * afresh and due now at the latest, so the scheduler decides again (and
 * holds it again, with its reason, if the cause is not mended).  *out is
 * the task as it now is.  RP_ENOTFOUND; RP_ECONFLICT (field "status") for a
 * task in any other state.
 */
rp_code rp_task_retry(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err);

/* ---- delivery (delivery.c) ----------------------------------------------- */

/* One message to deliver. */
typedef struct rp_message {
    const char *channel; /* "email" or "sms" (webhook) */
    const char *to;      /* address or phone number */
    const char *subject;
    const char *body;            /* plain text */
    const char *idempotency_key; /* travels as Message-ID / Idempotency-Key */
    int64_t task_id, customer_id;
    const char *kind;
} rp_message;

/*
 * Send m on the channels of dc: email through SMTP (smtp_url, smtp_from,
 * smtp_user, smtp_password) as an RFC 5322 message, or a webhook POST of
 * JSON to webhook_url signed with
 * X-Rapport-Signature: sha256=<hex HMAC-SHA256(body, webhook_secret)>.
 * RP_EINTERNAL with the transport's message on failure (the caller retries).
 */
rp_code rp_delivery_send(const rp_delivery_config *dc, const rp_message *m,
                         rp_error *err);

/*
 * Send text (len bytes: a whole RFC 5322 message, CRLF line ends) by SMTP
 * on dc's server (smtp_url, smtp_user, smtp_password) from the envelope
 * address from to to.  The reminders and the conversation's outbox both
 * send through here.  RP_EINTERNAL naming "channel" with the mail server's
 * words when it refuses or cannot be reached (the caller retries).
 */
rp_code rp_smtp_send(const rp_delivery_config *dc, const char *from,
                     const char *to, const char *text, size_t len,
                     rp_error *err);

/* ---- the delivery settings (delivery_settings.c) ------------------------ */

/* The fields of a change to the delivery settings, and of a test. */
extern const rp_field rp_delivery_settings_fields[];
extern const rp_field rp_delivery_test_fields[];

/*
 * The delivery settings kept in the database: {"smtp_url", "smtp_from",
 * "smtp_user", "smtp_password_set", "webhook_url", "webhook_secret_set",
 * "updated_at", "updated_by"}; the secrets themselves are never read out.
 */
rp_code rp_delivery_settings_get(rp_ctx *ctx, json_t **out, rp_error *err);

/*
 * Change the settings present in in (rp_delivery_settings_fields; null or
 * blank removes one; a secret left out is kept).  The whole is checked
 * first: an SMTP address starts smtp:// or smtps:// and needs a sender
 * address; a password needs a user; the webhook is http(s).  Secrets are
 * sealed (RP_EINVALID naming the key settings when no key can be had).
 * *out is the settings as rp_delivery_settings_get shows them.
 */
rp_code rp_delivery_settings_update(rp_ctx *ctx, json_t *in, json_t **out,
                                    rp_error *err);

/* What delivery uses now: base (the program's settings) with each
 * channel the database sets replacing base's.  Holds what it points to
 * until rp_delivery_effective_free. */
typedef struct rp_delivery_effective {
    rp_delivery_config config; /* what to send with */
    const char *email_source;  /* "console", "server" or NULL: no email */
    const char *sms_source;    /* the same for text messages */
    json_t *row;               /* the settings row config points into */
    char *smtp_password;       /* opened secrets, wiped when freed */
    char *webhook_secret;
} rp_delivery_effective;

/*
 * Fill *e from the database and base (may be NULL).  A sealed secret that
 * cannot be opened (its key is not loaded) is RP_EINVALID, nothing held.
 * Reads one row: call it for each run of the scheduler or the outbox, so
 * a change in the console is used at the next run.
 */
rp_code rp_delivery_effective_read(rp_ctx *ctx, const rp_delivery_config *base,
                                   rp_delivery_effective *e, rp_error *err);

/* Release what rp_delivery_effective holds (wiping the secrets). */
void rp_delivery_effective_free(rp_delivery_effective *e);

/*
 * Whether the desk can send: {"email": {"configured", "source"},
 * "text_messages": {"configured", "source"}}, source "console" (the
 * database), "server" (the program's settings) or null.
 */
rp_code rp_delivery_status(rp_ctx *ctx, const rp_delivery_config *base,
                           json_t **out, rp_error *err);

/*
 * Send a short test email to in {"to"} with the settings in use now.
 * *out is {"sent", "to", "from", "problem"}: a mail server that refuses or
 * cannot be reached is an answer (sent false, problem in its words), not
 * an error.  No mail server set: RP_ECONFLICT (field "smtp_url").
 */
rp_code rp_delivery_test(rp_ctx *ctx, const rp_delivery_config *base,
                         json_t *in, json_t **out, rp_error *err);

/* hex HMAC-SHA256 of body keyed by key into out (65 bytes). */
void rp_delivery_sign(const char *key, const char *body, size_t len,
                      char out[65]);

/* ---- satisfaction checks (satisfaction.c) -------------------------------- */

/*
 * Make (or renew) the single-use link of the check for task_id: a random
 * 256-bit token, stored only as its SHA-256, valid ttl_days.  Appends
 * <public_url>/s/<token> to url (RP_EINTERNAL when public_url is NULL or
 * empty).  Call inside the caller's transaction.
 */
rp_code rp_satisfaction_issue(rp_ctx *ctx, int64_t customer_id,
                              int64_t encounter_id, int64_t task_id,
                              int ttl_days, const char *public_url, rp_buf *url,
                              rp_error *err);

/*
 * Look up the check for token: *out is {"id","customer_id","greeting_name",
 * "state":"open"|"answered"|"expired"}; RP_ENOTFOUND for an unknown token.
 */
rp_code rp_satisfaction_lookup(rp_ctx *ctx, const char *token, json_t **out,
                               rp_error *err);

/*
 * Record the answer {"score":1..5,"words":[up to 3],"comment"?} once, with a
 * moment of truth (4-5 positive, 3 neutral, 1-2 negative).  RP_ECONFLICT
 * when already answered, RP_EFORBIDDEN when expired.
 */
rp_code rp_satisfaction_answer(rp_ctx *ctx, const char *token, json_t *in,
                               json_t **out, rp_error *err);

/* The customer's satisfaction figures: {"answered","average_score",
 * "positive","neutral","negative"}. */
rp_code rp_satisfaction_summary(rp_ctx *ctx, int64_t customer_id, json_t **out,
                                rp_error *err);

#endif
