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

/* The most queues one API token may be limited to. */
#define RP_TOKEN_MAX_QUEUES 16

/* Who a request authenticated as. */
typedef struct rp_principal {
    int64_t agent_id;
    int role;                 /* rp_role_rank() of the agent's role */
    int via_session;          /* 1: cookie session (needs CSRF); 0: token */
    int64_t token_id;         /* the API token used, 0 for a session */
    char csrf[RP_SECRET_HEX]; /* the session's CSRF token, "" for tokens */
    int may_deliver_mail;     /* an admin, or a mail-only token */
    /* a token's limits (access.c): all zero for a session */
    int read_only;      /* may only read (GET) */
    uint64_t resources; /* bit i: rp_resources[i] (at most 63 of them); 0:
                           every resource */
    int nqueues;        /* > 0: only these queues' customers and encounters */
    int64_t queues[RP_TOKEN_MAX_QUEUES];
    /* the credential's last use, left for rp_auth_touch to write (the
     * request reads in one transaction: ctx->touch_later): when (0:
     * nothing to write), and the session's or token's id */
    int64_t touch_at;
    int64_t touch_id;
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

/* The fields of a new agent, and of a change to one (email is given
 * once, when the agent is added). */
extern const rp_field rp_agent_create_fields[];
extern const rp_field rp_agent_update_fields[];

/*
 * Create an agent from in: {"name", "email", "role" (all required),
 * "skills" [strings], "available" bool, "password", "language",
 * "time_zone"}.  Without a password
 * the agent can only use API tokens.  Email taken: RP_ECONFLICT.
 */
rp_code rp_agent_create(struct rp_ctx *ctx, json_t *in, json_t **out,
                        rp_error *err);

/*
 * Change the fields present in in: {"name", "role", "skills", "active",
 * "available", "password", "language", "time_zone"}.  Deactivating or demoting
 * the last active admin is refused (RP_ECONFLICT).  Deactivating or a new
 * password ends the agent's sessions.
 */
rp_code rp_agent_update(struct rp_ctx *ctx, int64_t id, json_t *in,
                        json_t **out, rp_error *err);

/* The agent with this id (never its password hash), or RP_ENOTFOUND. */
rp_code rp_agent_get(struct rp_ctx *ctx, int64_t id, json_t **out,
                     rp_error *err);

/* A page of agents in id order: {"items", "next_cursor"}. */
rp_code rp_agent_list(struct rp_ctx *ctx, const rp_page_req *page, json_t **out,
                      rp_error *err);

/*
 * An agent's own settings: the language the console speaks to them
 * (rp_agent_languages; null: not chosen, the console follows the browser)
 * and the time zone it shows their times in (a zone of the tz database;
 * null: the browser's).  The fields, as a body of their own.
 */
extern const char *const rp_agent_languages[];
extern const rp_field rp_agent_settings_fields[];

/*
 * Check the settings present in in ("language", "time_zone"; a key given
 * as null clears it) and put each into row as it is to be stored.  An
 * unknown language, or a name that is not a zone of the tz database (or
 * not UTF-8, or longer than RP_AGENT_TIME_ZONE_MAX characters), is
 * RP_EINVALID naming the field; row is unchanged then.  Pure: no store.
 */
#define RP_AGENT_TIME_ZONE_MAX 64
rp_code rp_agent_settings_read(json_t *in, json_t *row, rp_error *err);

/*
 * Change the signed-in agent's (ctx->agent_id) own settings from in
 * ({"language", "time_zone"}, each optional, at least one); *out is the
 * agent as rp_agent_get gives it.  Any agent may change their own.
 */
rp_code rp_agent_settings_update(struct rp_ctx *ctx, json_t *in, json_t **out,
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

/* The fields of a sign-in: email and password. */
extern const rp_field rp_login_fields[];

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

/* Write the last use that rp_auth_session or rp_auth_token left in p
 * (p->touch_at) because ctx->touch_later was set, best effort as they do;
 * nothing when none was left.  Call with no transaction open. */
void rp_auth_touch(struct rp_ctx *ctx, const rp_principal *p);

/* How many times rp_auth_token let a token in from what it kept of an
 * earlier lookup (login.c says when), since the process started: for the
 * tests, which check that it does and that nothing changed slips past. */
uint64_t rp_auth_token_cache_hits(void);

/* {"agent", "csrf_token"} for p, as POST/GET /api/v1/session answer. */
rp_code rp_auth_whoami(struct rp_ctx *ctx, const rp_principal *p, json_t **out,
                       rp_error *err);

/* The fields of a new API token. */
extern const rp_field rp_token_fields[];

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

/*
 * Change the fields present in in (rp_queue_fields: name, skills, topics,
 * channels; a list given replaces the old one, an empty list clears it).
 * Encounters already routed stay where they are: routing reads the queue
 * when an encounter arrives.  RP_ENOTFOUND; RP_ECONFLICT (field "name")
 * when another queue has the name; nothing given: RP_EINVALID.
 */
rp_code rp_queue_update(struct rp_ctx *ctx, int64_t id, json_t *in,
                        json_t **out, rp_error *err);

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

/* Where routing sends an encounter (rp_routing_decide). */
typedef struct rp_routing {
    int64_t queue_id; /* 0: no queue takes it */
    int64_t agent_id; /* 0: nobody available has the queue's skills */
    json_t *queues;   /* the queues that take it, best first */
    json_t *agents;   /* the candidates, with their open work */
} rp_routing;

/*
 * Decide where an encounter of this topic (NULL or empty: none) and
 * channel goes: the queue that takes it, and the agent routing offers it
 * to (rp_routing_pick), from what is open now.  Free r with
 * rp_routing_free, whatever is returned.  Call inside the write
 * transaction that stores the decision.
 */
rp_code rp_routing_decide(struct rp_ctx *ctx, const char *topic,
                          const char *channel, rp_routing *r, rp_error *err);

/*
 * Record decision r for the encounter, once its queue_id and agent_id hold
 * it: the moment "encounter.routed" and the event "encounter.assigned".
 * Nothing when r has no queue.
 */
rp_code rp_routing_record(struct rp_ctx *ctx, int64_t encounter_id,
                          int64_t customer_id, const char *channel,
                          const rp_routing *r, rp_error *err);

/* Free what rp_routing_decide kept in r. */
void rp_routing_free(rp_routing *r);

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

/* ---- least privilege (access.c) -------------------------------------- */
/*
 * Who sees what.  A queue is open (every agent sees its customers and
 * encounters) or restricted (only its members, leads among them, and
 * admins).  A customer belongs to the queues their encounters were routed
 * to; one with no encounter in a restricted queue, or with one in an open
 * queue, is seen by every agent.  An agent also always sees the customers
 * and encounters they handle; a lead sees the work of the agents of their
 * queues (the customers and encounters those agents handle); an admin
 * sees everything.  An API token may be limited to reading, to a set of
 * resources (the first segment of the route's path after /api/v1/) and to
 * queues: then it sees only the customers with an encounter in those
 * queues and the encounters routed to them (and, for an agent's token,
 * only of the queues the agent is a member of).
 */

/* What a resource's path id names, for the check of its row. */
typedef enum rp_rows {
    RP_ROWS_NONE = 0, /* no one customer's data: the charter, agents, ... */
    RP_ROWS_CUSTOMER,
    RP_ROWS_ENCOUNTER,
    RP_ROWS_MESSAGE,
    RP_ROWS_ATTACHMENT,
    RP_ROWS_TASK,
    RP_ROWS_PROMISE,
    RP_ROWS_EXPORT_REQUEST /* a customer's request for their data */
} rp_rows;

/* A resource of the API: a route's first path segment after /api/v1/. */
typedef struct rp_resource {
    const char *name; /* "customers" */
    rp_rows rows;     /* what its path id names */
} rp_resource;

/* Every resource, ended by a NULL name.  A route whose resource is not
 * here is refused (a route must be classified before it is served). */
extern const rp_resource rp_resources[];

/* The resource named by the len bytes at name, or NULL. */
const rp_resource *rp_resource_find(const char *name, size_t len);

/* The resource of a route's path pattern: its first segment after
 * /api/v1/ or /api/v2/ (or after "/"); NULL when not classified.
 * *id_follows (may be NULL) is 1 when a {param} comes right after it. */
const rp_resource *rp_resource_of_path(const char *pattern, int *id_follows);

/* "customer", "encounter", ..., "none": what rows names, for the docs. */
const char *rp_rows_name(rp_rows rows);

/*
 * May p use resource r at all, writing when writes: RP_OK, or
 * RP_EFORBIDDEN saying why in words (a read-only token writing, a token
 * limited to other resources).
 */
rp_code rp_access_resource(const rp_principal *p, const rp_resource *r,
                           int writes, rp_error *err);

/*
 * May p see the row of kind with this id (a customer, an encounter, or a
 * message, attachment, task or promise through its encounter or
 * customer): RP_OK, also when there is no such row (the route then says
 * 404); RP_EFORBIDDEN saying why.  A few lookups by key.
 */
rp_code rp_access_row(rp_ctx *ctx, const rp_principal *p, rp_rows kind,
                      int64_t id, rp_error *err);

/*
 * Remove from items (a JSON array of rows) the ones p may not see: rows
 * of kind by their "id", or with kind RP_ROWS_NONE by their
 * "encounter_id", else their "customer_id".  *removed (may be NULL) gets
 * how many went.
 */
rp_code rp_access_filter(rp_ctx *ctx, const rp_principal *p, rp_rows kind,
                         json_t *items, int *removed, rp_error *err);

/* The fields of a queue's access: restricted and members. */
extern const rp_field rp_queue_access_fields[];

/*
 * The queues whose encounters p may count in figures (the service
 * metrics, the charter's breaches): NULL in *out when p sees every queue;
 * otherwise a new array of queue ids, 0 standing for encounters in no
 * queue.  An agent or a lead counts the open queues, their own restricted
 * ones and no queue; a token limited to queues counts only those (for an
 * agent's token, those the agent is a member of).  Figures are counted by
 * queue, so the encounters an agent handles in a restricted queue they
 * are not a member of are seen one by one, not in the figures.
 */
rp_code rp_access_queues(rp_ctx *ctx, const rp_principal *p, json_t **out,
                         rp_error *err);

/*
 * Set who may see queue id's customers and encounters from in:
 * {"restricted" (bool), "members" (agent ids; replaces the list)}, either
 * or both.  *out is the queue with "restricted" and "members".
 */
rp_code rp_queue_set_access(struct rp_ctx *ctx, int64_t id, json_t *in,
                            json_t **out, rp_error *err);

/* Queue id's access: {"id", "name", "restricted", "members"}. */
rp_code rp_queue_access(struct rp_ctx *ctx, int64_t id, json_t **out,
                        rp_error *err);

#endif
