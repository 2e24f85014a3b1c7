/*
 * staff.h - the people of the desk: agents, their passwords, browser sessions,
 * API tokens and the throttling of failed logins.
 *
 * Passwords are hashed with argon2id (libsodium crypto_pwhash_str) and are
 * only ever checked at login, because a slow hash per request would cap the
 * server at a few requests a second.  Sessions and API tokens are random
 * 256-bit values handed to the client once, as 64 hex digits; the store keeps
 * only their SHA-256, so a copy of the database does not let anyone in and
 * a request is authenticated with one indexed lookup.  The CSRF token of a
 * session is derived from the session secret, so it needs no storage and
 * cannot be guessed without the cookie.
 *
 * Roles are ordered: agent < lead < admin; a route or rule that needs a role
 * accepts every role above it.
 */
#ifndef RP_STAFF_H
#define RP_STAFF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/context.h"

struct rp_ctx;

#define RP_SECRET_HEX 65                        /* 64 hex digits and a NUL */
#define RP_SESSION_IDLE_SECONDS (12 * 3600)     /* the default */
#define RP_SESSION_LIFETIME_SECONDS (24 * 3600) /* the default */
/* The login throttle (login.c): failures are remembered for an hour; past
 * the free ones, of one account from one address or of one address in
 * all, each attempt waits a delay that starts at 15 s and doubles with
 * every failure, up to 15 minutes. */
#define RP_LOGIN_MEMORY_SECONDS 3600
#define RP_LOGIN_FREE_PER_PAIR 5     /* one account from one address */
#define RP_LOGIN_FREE_PER_ADDRESS 20 /* one address, any accounts */
#define RP_LOGIN_DELAY_FIRST_SECONDS 15
#define RP_LOGIN_DELAY_MAX_SECONDS (15 * 60)
#define RP_PASSWORD_MIN_CHARS 10
#define RP_TOKEN_PREFIX "rpt_" /* API tokens: "rpt_" + 64 hex digits */

/* The roles, NULL-terminated, lowest first. */
extern const char *const rp_agent_roles[];

/* Who a request authenticated as. */
typedef struct rp_principal {
    int64_t agent_id;
    int role;                 /* rp_role_rank() of the agent's role */
    int via_session;          /* 1: cookie session (needs CSRF); 0: token */
    int64_t token_id;         /* the API token used, 0 for a session */
    char csrf[RP_SECRET_HEX]; /* the session's CSRF token, "" for tokens */
    int may_deliver_mail;     /* an admin, or a mail-only token */
} rp_principal;

/* 1 agent, 2 lead, 3 admin; 0 for anything else (also NULL). */
int rp_role_rank(const char *role);

/* ---- primitives (no store) ----------------------------------------------- */

/* Initialise libsodium (idempotent, thread-safe); RP_EINTERNAL on failure. */
rp_code rp_auth_init(rp_error *err);

/* Hash password with argon2id into out (crypto_pwhash_STRBYTES = 128). */
rp_code rp_password_hash(const char *password, char out[128], rp_error *err);

/* 1 when password matches the argon2id hash, else 0. */
int rp_password_verify(const char *hash, const char *password);

/*
 * Run at most n argon2id computations (rp_password_hash and
 * rp_password_verify) at once in this process; more wait their turn.
 * Each holds 64 MiB while it runs, so this bounds the memory that
 * passwords take whatever the number of threads.  0 (the default): no
 * bound.
 */
void rp_password_set_concurrency(int n);

/* Check the rules of a new password (length); RP_EINVALID naming field. */
rp_code rp_password_check(const char *password, const char *field,
                          rp_error *err);

/* Fill out with 32 random bytes as 64 lower-case hex digits. */
void rp_secret_new(char out[RP_SECRET_HEX]);

/* Fill out with a readable random password of n-1 characters (n <= 64). */
void rp_password_generate(char *out, size_t n);

/* SHA-256 of secret as 64 hex digits: what the store keeps for it. */
void rp_secret_hash(const char *secret, char out[RP_SECRET_HEX]);

/* The CSRF token that goes with a session secret. */
void rp_csrf_for(const char *session_secret, char out[RP_SECRET_HEX]);

/* Compare two NUL-terminated strings in time independent of their content
 * (only their lengths leak); 1 when equal. */
int rp_secret_equal(const char *a, const char *b);

/* ---- agents (agent.c) ---------------------------------------------------- */

/*
 * Create an agent from in: {"name", "email", "role" (all required),
 * "skills" [strings], "available" bool, "password"}.  Without a password
 * the agent can only use API tokens.  Email taken: RP_ECONFLICT.
 */
rp_code rp_agent_create(struct rp_ctx *ctx, json_t *in, json_t **out,
                        rp_error *err);

/*
 * Change the fields present in in: {"name", "role", "skills", "active",
 * "available", "password"}.  Deactivating or demoting the last active admin
 * is refused (RP_ECONFLICT).  Deactivating or a new password ends the
 * agent's sessions.
 */
rp_code rp_agent_update(struct rp_ctx *ctx, int64_t id, json_t *in,
                        json_t **out, rp_error *err);

/* The agent with this id (never its password hash), or RP_ENOTFOUND. */
rp_code rp_agent_get(struct rp_ctx *ctx, int64_t id, json_t **out,
                     rp_error *err);

/* A page of agents in id order: {"items", "next_cursor"}. */
rp_code rp_agent_list(struct rp_ctx *ctx, const rp_page_req *page, json_t **out,
                      rp_error *err);

/* ---- sessions and tokens (login.c) ----------------------------------------
 */

/*
 * Log in with in: {"email", "password"} from client address addr.  On
 * success fills secret with the new session secret (for the cookie) and
 * *out with {"agent", "csrf_token"}.  Wrong email or password: RP_EAUTH,
 * the same answer for both.  Too many recent failures of this account from
 * this address, or from this address in all: RP_ERATELIMIT and
 * *retry_after (seconds); failures from other addresses never hold an
 * account back.  The attempt is counted in the store before the password
 * is checked, so the limit holds across threads and processes; a success
 * clears the failures of the account from this address.  The three steps
 * below, one after the other.
 */
rp_code rp_auth_login(struct rp_ctx *ctx, json_t *in, const char *addr,
                      char secret[RP_SECRET_HEX], json_t **out,
                      int *retry_after, rp_error *err);

/*
 * A login in three steps, so that the slow check of the password (argon2id)
 * can run on a thread that holds no store connection and serves no
 * request.  rp_login_begin checks the input, applies the throttle
 * (RP_ERATELIMIT and *retry_after), counts the attempt and reads the
 * account; rp_login_check checks the password, using no store, on any
 * thread; rp_login_finish records the outcome and opens the session, with
 * rp_auth_login's results.  A login begun and never checked is taken back
 * by rp_login_finish, which then answers RP_EBUSY.  rp_login_free wipes the
 * password and frees it (NULL is fine).
 */
typedef struct rp_login rp_login;
rp_code rp_login_begin(struct rp_ctx *ctx, json_t *in, const char *addr,
                       rp_login **out, int *retry_after, rp_error *err);
void rp_login_check(rp_login *login);
rp_code rp_login_finish(struct rp_ctx *ctx, rp_login *login,
                        char secret[RP_SECRET_HEX], json_t **out,
                        rp_error *err);
void rp_login_free(rp_login *login);

/*
 * The delay before the next attempt after failures failures of which free
 * are let through without one: 0 below free, then
 * RP_LOGIN_DELAY_FIRST_SECONDS doubling with each failure, at most
 * RP_LOGIN_DELAY_MAX_SECONDS.
 */
int64_t rp_login_delay(int64_t failures, int64_t free);

/*
 * How long sessions last in this process: idle seconds without use, and
 * lifetime seconds after login however much they are used (the defaults
 * RP_SESSION_IDLE_SECONDS and RP_SESSION_LIFETIME_SECONDS).  rapportd sets
 * them once from its settings, before it serves.
 */
void rp_session_set_lifetimes(int idle, int lifetime);

/* End the session with this secret (nothing happens if there is none). */
rp_code rp_auth_logout(struct rp_ctx *ctx, const char *secret, rp_error *err);

/*
 * Authenticate a session secret (from the cookie) or an API token (from
 * "Authorization: Bearer").  Unknown, expired (a session idle or past its
 * lifetime, a token past its expires_at), revoked, or an inactive agent:
 * RP_EAUTH, the message saying which.  Fills *p.  When the credential was
 * last used is recorded on the way, best effort: a busy or full database
 * never delays or fails the request for it.
 */
rp_code rp_auth_session(struct rp_ctx *ctx, const char *secret, rp_principal *p,
                        rp_error *err);
rp_code rp_auth_token(struct rp_ctx *ctx, const char *token, rp_principal *p,
                      rp_error *err);

/* {"agent", "csrf_token"} for p, as POST/GET /api/v1/session answer. */
rp_code rp_auth_whoami(struct rp_ctx *ctx, const rp_principal *p, json_t **out,
                       rp_error *err);

/*
 * Create an API token from in: {"name" (required), "agent_id",
 * "expires_at" (a time in the future; absent or null: never), "scope"};
 * the agent defaults to ctx->agent_id.  Scope "mail" makes a token that
 * may only deliver inbound mail (a mail service's, which must not read
 * customers; only an admin makes one); "all" (the default) acts as its
 * agent.  A token for another agent needs as_admin.  *out is {"id",
 * "agent_id", "name", "scope", "created_at", "expires_at", "last_used_at",
 * "token"}: the only time the token itself is shown.
 */
rp_code rp_token_create(struct rp_ctx *ctx, json_t *in, int as_admin,
                        json_t **out, rp_error *err);

/* A page of tokens of agent_id (0: every agent) in id order, no secrets. */
rp_code rp_token_list(struct rp_ctx *ctx, int64_t agent_id,
                      const rp_page_req *page, json_t **out, rp_error *err);

/*
 * Revoke token id.  Without as_admin only ctx->agent_id's own tokens
 * (another's is RP_ENOTFOUND, so ids of others' tokens do not leak).
 * Revoking twice is RP_ECONFLICT.
 */
rp_code rp_token_revoke(struct rp_ctx *ctx, int64_t id, int as_admin,
                        rp_error *err);

/* ---- queues and routing (routing.c) ------------------------------------ */
/*
 * queues (teams) and the routing of new encounters to them.
 *
 * A queue names the skills its work needs and the topics and channels it
 * takes.  A new encounter goes to the queue whose topics hold its topic,
 * else to one that takes its channel, and is offered to the available
 * agent who has every skill of that queue and the fewest open encounters:
 * seed 003's caller should reach someone who can help, at once.
 */

/* The fields of a new queue and their limits (for the API's contract too). */
extern const rp_field rp_queue_fields[];

/*
 * Create a queue from in: {"name" (required, unique), "skills", "topics",
 * "channels"} (lists of strings; channels from rp_encounter_channels).
 */
rp_code rp_queue_create(struct rp_ctx *ctx, json_t *in, json_t **out,
                        rp_error *err);

/* The queue with this id, or RP_ENOTFOUND. */
rp_code rp_queue_get(struct rp_ctx *ctx, int64_t id, json_t **out,
                     rp_error *err);

/* A page of queues in id order: {"items", "next_cursor"}. */
rp_code rp_queue_list(struct rp_ctx *ctx, const rp_page_req *page, json_t **out,
                      rp_error *err);

/*
 * Pure choice: among candidates (array of {"id", "skills", "open"}) the one
 * that has every skill in needed (array of strings; empty: anyone) with the
 * fewest open encounters, the lowest id on a tie.  0 when nobody fits.
 */
int64_t rp_routing_pick(json_t *candidates, json_t *needed);

/*
 * Route the encounter with this id: set its queue_id and agent_id and
 * record the moment "encounter.routed".  Does nothing when no queue takes
 * the encounter's topic or channel.  Call INSIDE the transaction that
 * opened the encounter, so that an encounter is never seen unrouted.
 */
rp_code rp_routing_route(struct rp_ctx *ctx, int64_t encounter_id,
                         rp_error *err);

/*
 * For a transfer to queue_id: fill *agent_id with the agent routing would
 * offer it to now (0 when nobody available has the skills).  RP_ENOTFOUND
 * (field "to_queue_id") when there is no such queue.  Call inside the
 * transfer's transaction.
 */
rp_code rp_routing_offer(struct rp_ctx *ctx, int64_t queue_id,
                         int64_t *agent_id, rp_error *err);

#endif
