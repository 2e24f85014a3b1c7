/*
 * login.c - passwords, sessions, API tokens and login throttling (auth.h).
 *
 * The rules of docs/design.md: argon2id only at login; sessions and tokens
 * are 256-bit random secrets kept as SHA-256 so that each request costs one
 * indexed lookup (or none, for a token checked again in a read transaction
 * in which nothing changed: the keep below).  Failed logins are counted in
 * the store (not in memory) so the limit holds across the server's threads,
 * across restarts and for a second process.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "core/rapport.h"

/* Refresh last_seen_at / last_used_at at most this often: a write per
 * request would cost a synchronous disk flush per request. */
#define TOUCH_EVERY_SECONDS 60

/* How long sessions last (rp_session_set_lifetimes); set once at start. */
static int session_idle = RP_SESSION_IDLE_SECONDS;
static int session_lifetime = RP_SESSION_LIFETIME_SECONDS;

void rp_session_set_lifetimes(int idle, int lifetime)
{
    session_idle = idle > 0 ? idle : RP_SESSION_IDLE_SECONDS;
    session_lifetime = lifetime > 0 ? lifetime : RP_SESSION_LIFETIME_SECONDS;
}

/* A session's last use must be kept finer than its idle lifetime, or an
 * agent at work would be signed out. */
static int64_t touch_every(void)
{
    int64_t t = session_idle / 4;
    return t < 1 ? 1 : t < TOUCH_EVERY_SECONDS ? t : TOUCH_EVERY_SECONDS;
}

/* "5 minutes", "12 hours", "2 days": a lifetime as an agent reads it. */
static void lifetime_words(int64_t seconds, char *out, size_t n)
{
    if (seconds % 86400 == 0)
        snprintf(out, n, "%lld day%s", (long long)(seconds / 86400),
                 seconds == 86400 ? "" : "s");
    else if (seconds % 3600 == 0)
        snprintf(out, n, "%lld hour%s", (long long)(seconds / 3600),
                 seconds == 3600 ? "" : "s");
    else if (seconds % 60 == 0)
        snprintf(out, n, "%lld minute%s", (long long)(seconds / 60),
                 seconds == 60 ? "" : "s");
    else
        snprintf(out, n, "%lld second%s", (long long)seconds,
                 seconds == 1 ? "" : "s");
}

/*
 * Record when a session or token was last used: best effort and never in
 * the way.  It does not wait for another writer, and a busy database or a
 * full disk only leaves the time a little older; a read must not fail for
 * a write it did not ask for.
 */
static rp_code touch(rp_ctx *ctx, rp_query q, int64_t now, json_t *id,
                     rp_error *err)
{
    json_t *tp = json_pack("[I, O]", (json_int_t)now, id);
    rp_code rc = ctx->store->ops->try_exec(ctx->store, q, tp, NULL, err);
    json_decref(tp);
    if (rc == RP_EBUSY || rc == RP_ENOSPACE)
        rc = RP_OK;
    return rc;
}

const char *const rp_agent_roles[] = {"agent", "lead", "admin", NULL};

int rp_role_rank(const char *role)
{
    for (int i = 0; role && rp_agent_roles[i]; i++)
        if (strcmp(role, rp_agent_roles[i]) == 0)
            return i + 1;
    return 0;
}

/* ---- primitives ---------------------------------------------------------- */

rp_code rp_auth_init(rp_error *err)
{
    if (sodium_init() < 0)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "libsodium cannot be initialised");
    return RP_OK;
}

/* At most this many argon2id computations at once (0: no bound); each
 * holds 64 MiB while it runs. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    int max, running;
} gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};

void rp_password_set_concurrency(int n)
{
    pthread_mutex_lock(&gate.lock);
    gate.max = n > 0 ? n : 0;
    pthread_cond_broadcast(&gate.freed);
    pthread_mutex_unlock(&gate.lock);
}

static void gate_enter(void)
{
    pthread_mutex_lock(&gate.lock);
    while (gate.max && gate.running >= gate.max)
        pthread_cond_wait(&gate.freed, &gate.lock);
    gate.running++;
    pthread_mutex_unlock(&gate.lock);
}

static void gate_leave(void)
{
    pthread_mutex_lock(&gate.lock);
    gate.running--;
    pthread_cond_signal(&gate.freed);
    pthread_mutex_unlock(&gate.lock);
}

rp_code rp_password_hash(const char *password, char out[128], rp_error *err)
{
    if (rp_auth_init(err))
        return err->code;
    gate_enter();
    int rc = crypto_pwhash_str(out, password, strlen(password),
                               crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE);
    gate_leave();
    if (rc != 0)
        return rp_error_set(err, RP_EINTERNAL, "password",
                            "out of memory while hashing the password");
    return RP_OK;
}

int rp_password_verify(const char *hash, const char *password)
{
    if (!hash || !password || sodium_init() < 0)
        return 0;
    gate_enter();
    int rc = crypto_pwhash_str_verify(hash, password, strlen(password));
    gate_leave();
    return rc == 0;
}

rp_code rp_password_check(const char *password, const char *field,
                          rp_error *err)
{
    if (!password || rp_utf8_length(password) < RP_PASSWORD_MIN_CHARS)
        return rp_error_refuse(err, RP_EINVALID, field, "too_short",
                               RP_PASSWORD_MIN_CHARS,
                               "%s must be at least %d characters long", field,
                               RP_PASSWORD_MIN_CHARS);
    if (strlen(password) > 1024)
        return rp_error_refuse(err, RP_EINVALID, field, "too_long", 1024,
                               "%s is longer than 1024 bytes", field);
    return RP_OK;
}

void rp_secret_new(char out[RP_SECRET_HEX])
{
    unsigned char raw[32];
    if (sodium_init() < 0)
        abort(); /* no randomness: refusing beats handing out weak secrets */
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, RP_SECRET_HEX, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
}

void rp_password_generate(char *out, size_t n)
{
    /* No 0/O, 1/l/I: it is read off a terminal and typed into a form. */
    static const char alphabet[] = "abcdefghijkmnopqrstuvwxyz"
                                   "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    if (sodium_init() < 0)
        abort();
    if (n > 64)
        n = 64;
    for (size_t i = 0; i + 1 < n; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    if (n)
        out[n - 1] = '\0';
}

void rp_secret_hash(const char *secret, char out[RP_SECRET_HEX])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)secret, strlen(secret));
    sodium_bin2hex(out, RP_SECRET_HEX, h, sizeof h);
}

void rp_csrf_for(const char *session_secret, char out[RP_SECRET_HEX])
{
    /* A different hash of the same secret: knowing the stored hash (the
     * database) does not give the CSRF token, and neither gives the cookie. */
    char buf[RP_SECRET_HEX + 8];
    snprintf(buf, sizeof buf, "csrf:%s", session_secret);
    rp_secret_hash(buf, out);
    sodium_memzero(buf, sizeof buf);
}

int rp_secret_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (n != strlen(b))
        return 0;
    return sodium_memcmp(a, b, n) == 0;
}

/* ---- the principal from a lookup row ------------------------------------- */

/* Fill p from a session or token row; RP_EAUTH when it does not let in. */
static rp_code principal_from(json_t *rows, rp_principal *p, rp_error *err)
{
    json_t *row = json_array_get(rows, 0);
    if (!row || !json_is_true(json_object_get(row, "active")))
        return rp_error_set(err, RP_EAUTH, NULL,
                            "the credentials are not valid (unknown, expired "
                            "or revoked); log in again");
    p->agent_id = json_integer_value(json_object_get(row, "agent_id"));
    p->role = rp_role_rank(json_string_value(json_object_get(row, "role")));
    p->may_deliver_mail = p->role == 3; /* an admin may do everything */
    return RP_OK;
}

/* A token's limits (access.c): read-only, the resources it may use (a
 * bit per rp_resources entry) and the queues it sees. */
static void token_limits(json_t *row, rp_principal *p)
{
    p->read_only = json_is_true(json_object_get(row, "read_only"));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(row, "resources"), i, v) {
        const char *name = json_string_value(v);
        const rp_resource *r = name ? rp_resource_find(name, strlen(name))
                                    : NULL;
        /* a name no longer known grants nothing, but still limits */
        p->resources |= r ? UINT64_C(1) << (unsigned)(r - rp_resources)
                          : UINT64_C(1) << 63;
    }
    json_array_foreach(json_object_get(row, "queues"), i, v)
        if (p->nqueues < RP_TOKEN_MAX_QUEUES)
            p->queues[p->nqueues++] = json_integer_value(v);
}

rp_code rp_auth_session(rp_ctx *ctx, const char *secret, rp_principal *p,
                        rp_error *err)
{
    memset(p, 0, sizeof *p);
    if (!secret || strlen(secret) != RP_SECRET_HEX - 1)
        return rp_error_set(err, RP_EAUTH, NULL,
                            "the session cookie is not valid; log in again");
    char hash[RP_SECRET_HEX];
    rp_secret_hash(secret, hash);
    json_t *params = json_pack("[s]", hash), *rows = NULL;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_STAFF_SESSION_LOOKUP,
                                        params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *row = json_array_get(rows, 0);
    int64_t now = rp_now();
    int64_t seen = json_integer_value(json_object_get(row, "seen"));
    int64_t born = json_integer_value(json_object_get(row, "born"));
    char words[40];
    if (row && (seen < now - session_idle || born < now - session_lifetime)) {
        int idle = seen < now - session_idle;
        lifetime_words(idle ? session_idle : session_lifetime, words,
                       sizeof words);
        json_decref(rows);
        return rp_error_set(err, RP_EAUTH, NULL,
                            idle ? "the session expired after %s without use; "
                                   "log in again"
                                 : "the session expired: sessions last %s "
                                   "after login; log in again",
                            words);
    }
    rc = principal_from(rows, p, err);
    if (rc == RP_OK && seen < now - touch_every()) {
        if (ctx->touch_later) {
            p->touch_at = now;
            p->touch_id = json_integer_value(
                json_object_get(row, "session_id"));
        } else {
            rc = touch(ctx, RP_Q_STAFF_SESSION_TOUCH, now,
                       json_object_get(row, "session_id"), err);
        }
    }
    json_decref(rows);
    if (rc)
        return rc;
    p->via_session = 1;
    rp_csrf_for(secret, p->csrf);
    return RP_OK;
}

/*
 * Tokens let in lately, so that a request in a read transaction (the 360
 * view: ctx->touch_later) need not look its token up again: an entry
 * holds the principal a lookup made, and the store's data_version of the
 * transaction it was read in.  It is used only in a later transaction of
 * the same store with the same data_version, that is when nothing at all
 * was committed to the database in between by anyone (a revocation, an
 * agent's role or deactivation, by this process or the CLI), and only
 * while the token has not expired and its last use is recent enough not
 * to be written again; otherwise the token is looked up as before.  A
 * store without data_version (PostgreSQL) keeps nothing.  Entries are
 * keyed by the token's hash, never the token.
 */
enum { TOKEN_CACHE_SLOTS = 64 };
typedef struct token_entry {
    int filled;
    uint64_t version[3];
    char hash[RP_SECRET_HEX];
    int64_t expires; /* 0: never */
    int64_t used;    /* its last use, as the lookup read it */
    rp_principal p;
} token_entry;
static token_entry token_cache[TOKEN_CACHE_SLOTS];
static pthread_mutex_t token_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t token_cache_hits; /* under token_cache_lock */

uint64_t rp_auth_token_cache_hits(void)
{
    pthread_mutex_lock(&token_cache_lock);
    uint64_t n = token_cache_hits;
    pthread_mutex_unlock(&token_cache_lock);
    return n;
}

static token_entry *token_slot(const char *hash, const uint64_t v[3])
{
    uint64_t h = v[0] * 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 8 && hash[i]; i++)
        h = h * 31 + (unsigned char)hash[i];
    return &token_cache[h % TOKEN_CACHE_SLOTS];
}

/* Fill *p from the entry of hash for version v: 1, or 0 when there is
 * none to use at now. */
static int token_cached(const char *hash, const uint64_t v[3], int64_t now,
                        rp_principal *p)
{
    int hit = 0;
    pthread_mutex_lock(&token_cache_lock);
    token_entry *e = token_slot(hash, v);
    if (e->filled && !memcmp(e->version, (const void *)v, sizeof e->version) &&
        sodium_memcmp(e->hash, hash, RP_SECRET_HEX) == 0 &&
        (e->expires == 0 || e->expires > now) &&
        e->used >= now - TOUCH_EVERY_SECONDS) {
        *p = e->p;
        hit = 1;
        token_cache_hits++;
    }
    pthread_mutex_unlock(&token_cache_lock);
    return hit;
}

static void token_keep(const char *hash, const uint64_t v[3], int64_t expires,
                       int64_t used, const rp_principal *p)
{
    pthread_mutex_lock(&token_cache_lock);
    token_entry *e = token_slot(hash, v);
    e->filled = 1;
    memcpy(e->version, v, sizeof e->version);
    memcpy(e->hash, hash, RP_SECRET_HEX);
    e->expires = expires;
    e->used = used;
    e->p = *p;
    pthread_mutex_unlock(&token_cache_lock);
}

rp_code rp_auth_token(rp_ctx *ctx, const char *token, rp_principal *p,
                      rp_error *err)
{
    memset(p, 0, sizeof *p);
    if (!token || strlen(token) > 200)
        return rp_error_set(err, RP_EAUTH, NULL,
                            "the bearer token is not valid");
    char hash[RP_SECRET_HEX];
    rp_secret_hash(token, hash);
    uint64_t version[3];
    rp_error ignored;
    /* a store without data_version (PostgreSQL) is not asked: asking
     * would build an error message on every request */
    int cacheable = ctx->touch_later && ctx->store->ops->data_version &&
                    rp_store_data_version(ctx->store, version, &ignored) ==
                        RP_OK;
    if (cacheable && token_cached(hash, version, rp_now(), p))
        return RP_OK;
    json_t *params = json_pack("[s]", hash), *rows = NULL;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_STAFF_TOKEN_LOOKUP,
                                        params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *row = json_array_get(rows, 0);
    if (row && json_is_true(json_object_get(row, "revoked"))) {
        json_decref(rows);
        return rp_error_set(err, RP_EAUTH, NULL,
                            "the bearer token has been revoked");
    }
    int64_t now = rp_now();
    json_t *expires = json_object_get(row, "expires");
    if (row && json_is_integer(expires) && json_integer_value(expires) <= now) {
        char when[RP_TIME_MAX];
        rp_time_format(json_integer_value(expires), when);
        json_decref(rows);
        return rp_error_set(err, RP_EAUTH, NULL,
                            "the bearer token expired at %s; make a new one",
                            when);
    }
    rc = principal_from(rows, p, err);
    if (rc == RP_OK && json_integer_value(json_object_get(row, "used")) <
                           now - TOUCH_EVERY_SECONDS) {
        if (ctx->touch_later) {
            p->touch_at = now;
            p->touch_id = json_integer_value(json_object_get(row, "token_id"));
        } else {
            rc = touch(ctx, RP_Q_STAFF_TOKEN_TOUCH, now,
                       json_object_get(row, "token_id"), err);
        }
    }
    if (rc == RP_OK) {
        p->token_id = json_integer_value(json_object_get(row, "token_id"));
        /* a mail-only token delivers mail and nothing else: no role */
        const char *scope = json_string_value(json_object_get(row, "scope"));
        int mail_only = scope && strcmp(scope, "mail") == 0;
        if (mail_only)
            p->role = 0;
        p->may_deliver_mail = mail_only || p->role == 3;
        token_limits(row, p);
        if (cacheable && !p->touch_at)
            token_keep(hash, version,
                       json_is_integer(expires) ? json_integer_value(expires)
                                                : 0,
                       json_integer_value(json_object_get(row, "used")), p);
    }
    json_decref(rows);
    return rc;
}

void rp_auth_touch(rp_ctx *ctx, const rp_principal *p)
{
    if (!p->touch_at || !p->touch_id)
        return;
    json_t *id = json_integer(p->touch_id);
    rp_error err;
    if (touch(ctx,
              p->via_session ? RP_Q_STAFF_SESSION_TOUCH
                             : RP_Q_STAFF_TOKEN_TOUCH,
              p->touch_at, id, &err))
        rp_log(RP_LOG_WARN, "a credential's last use was not recorded", "error",
               err.message, (char *)NULL);
    json_decref(id);
}

rp_code rp_auth_whoami(rp_ctx *ctx, const rp_principal *p, json_t **out,
                       rp_error *err)
{
    json_t *agent;
    if (rp_agent_get(ctx, p->agent_id, &agent, err))
        return err->code;
    *out = json_pack("{s:o, s:o}", "agent", agent, "csrf_token",
                     p->via_session ? json_string(p->csrf) : json_null());
    return RP_OK;
}

/* ---- login and its throttle ---------------------------------------------- */

/*
 * The throttle keeps two counts of failed logins in the store: of one
 * account from one address (the pair), and of one address whatever the
 * account.  Neither is a lock on the account itself: five wrong passwords
 * typed by somebody else, somewhere else, do not keep its owner out.  Past
 * a free number of failures each further attempt must wait a delay that
 * doubles with every failure, so a guesser from one address slows to a
 * few tries an hour while a person who mistyped waits seconds.
 */

struct rp_login {
    char *pair_key;   /* "pair:<address>|<email, lower case>" */
    char *addr_key;   /* "address:<address>" */
    int64_t pending;  /* the failure row counted before the check */
    char *password;   /* wiped and freed with the login */
    char hash[128];   /* the account's argon2id hash; "" when none */
    int64_t agent_id; /* 0 when no active agent has the email */
    int role;         /* rp_role_rank() of the agent's role */
    int checked;      /* rp_login_check ran */
    int ok;           /* ... and the password is right */
};

/* How many failures key has in the memory window, and the last one's
 * time. */
static rp_code failures(rp_ctx *ctx, const char *key, int64_t since, int64_t *n,
                        int64_t *last, rp_error *err)
{
    json_t *params = json_pack("[s, I]", key, (json_int_t)since), *rows;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_STAFF_LOGIN_FAILURES_COUNT, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *row = json_array_get(rows, 0);
    *n = json_integer_value(json_object_get(row, "n"));
    *last = json_integer_value(json_object_get(row, "last"));
    json_decref(rows);
    return RP_OK;
}

static rp_code add_failure(rp_ctx *ctx, const char *key, int64_t now,
                           int64_t *id, rp_error *err)
{
    json_t *params = json_pack("[s, I]", key, (json_int_t)now), *rows;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_STAFF_LOGIN_FAILURE_ADD, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    if (id)
        *id = json_integer_value(
            json_object_get(json_array_get(rows, 0), "id"));
    json_decref(rows);
    return RP_OK;
}

static rp_code exec1(rp_ctx *ctx, rp_query name, json_t *params, rp_error *err)
{
    rp_code rc = ctx->store->ops->exec(ctx->store, name, params, NULL, err);
    json_decref(params);
    return rc;
}

int64_t rp_login_delay(int64_t failures, int64_t free)
{
    if (failures < free)
        return 0;
    int64_t delay = RP_LOGIN_DELAY_FIRST_SECONDS;
    for (int64_t i = free; i < failures && delay < RP_LOGIN_DELAY_MAX_SECONDS;
         i++)
        delay *= 2;
    return delay < RP_LOGIN_DELAY_MAX_SECONDS ? delay
                                              : RP_LOGIN_DELAY_MAX_SECONDS;
}

/* Seconds key must still wait before another attempt; 0: none. */
static int64_t wait_for(int64_t n, int64_t last, int64_t free, int64_t now)
{
    int64_t delay = rp_login_delay(n, free);
    return delay && last + delay > now ? last + delay - now : 0;
}

/*
 * Count this attempt before the password is checked: in one write
 * transaction, refuse if the pair or the address must still wait, else
 * record a failure of the pair (taken back on success).  Concurrent
 * guesses at one account from one address therefore cannot all slip
 * under the limit.  The address's failure is recorded only once the
 * password is known to be wrong, so that many people signing in at once
 * from one office address are not refused for each other's attempts.
 */
static rp_code admit_attempt(rp_ctx *ctx, rp_login *l, int *retry_after,
                             rp_error *err)
{
    rp_store *s = ctx->store;
    int64_t now = rp_now(), since = now - RP_LOGIN_MEMORY_SECONDS;
    int64_t np = 0, lp = 0, na = 0, la = 0;
    if (rp_store_begin(s, err))
        return err->code;
    rp_code rc = exec1(ctx, RP_Q_STAFF_LOGIN_FAILURES_EXPIRE,
                       json_pack("[I]", (json_int_t)since), err);
    if (rc == RP_OK)
        rc = failures(ctx, l->pair_key, since, &np, &lp, err);
    if (rc == RP_OK)
        rc = failures(ctx, l->addr_key, since, &na, &la, err);
    int64_t wp = wait_for(np, lp, RP_LOGIN_FREE_PER_PAIR, now);
    int64_t wa = wait_for(na, la, RP_LOGIN_FREE_PER_ADDRESS, now);
    if (rc == RP_OK && !wp && !wa)
        rc = add_failure(ctx, l->pair_key, now, &l->pending, err);
    rc = rp_store_finish(s, rc, err);
    if (rc || (!wp && !wa))
        return rc;
    int64_t wait = wp > wa ? wp : wa;
    *retry_after = (int)wait;
    return rp_error_set(err, RP_ERATELIMIT, NULL,
                        "too many failed logins %s; try again in %lld seconds",
                        wp >= wa ? "for this account from this address"
                                 : "from this address",
                        (long long)wait);
}

/* A hash to check against when the email is unknown, so that an unknown
 * email takes as long as a wrong password and does not leak existence. */
static const char *dummy_hash(void)
{
    static char hash[128];
    static int made;
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    if (!made) {
        rp_error err;
        made = rp_password_hash("rapport-no-such-agent", hash, &err) == RP_OK;
    }
    pthread_mutex_unlock(&lock);
    return made ? hash : NULL;
}

const rp_field rp_login_fields[] = {
    {"email", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = 254},
    {"password", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = 1024},
    {.name = NULL},
};

void rp_login_free(rp_login *l)
{
    if (!l)
        return;
    if (l->password) {
        sodium_memzero(l->password, strlen(l->password));
        free(l->password);
    }
    sodium_memzero(l->hash, sizeof l->hash);
    free(l->pair_key);
    free(l->addr_key);
    free(l);
}

/* The agent with the email: its hash, id and role, when active. */
static rp_code read_account(rp_ctx *ctx, const char *email, rp_login *l,
                            rp_error *err)
{
    json_t *params = json_pack("[s]", email), *rows = NULL;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_STAFF_AGENT_BY_EMAIL,
                                        params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *row = json_array_get(rows, 0);
    const char *hash = json_string_value(json_object_get(row, "password_hash"));
    if (hash && strlen(hash) < sizeof l->hash)
        strcpy(l->hash, hash);
    if (json_is_true(json_object_get(row, "active"))) {
        l->agent_id = json_integer_value(json_object_get(row, "id"));
        l->role = rp_role_rank(json_string_value(json_object_get(row, "role")));
    }
    json_decref(rows);
    return RP_OK;
}

rp_code rp_login_begin(rp_ctx *ctx, json_t *in, const char *addr,
                       rp_login **out, int *retry_after, rp_error *err)
{
    const char *email, *password;
    *retry_after = 0;
    if (rp_auth_init(err) || rp_in_fields(in, rp_login_fields, 1, err) ||
        rp_in_string(in, "email", 1, 254, &email, err) ||
        rp_in_string(in, "password", 1, 1024, &password, err))
        return err->code;
    rp_login *l = calloc(1, sizeof *l);
    rp_buf pair = RP_BUF_INIT, address = RP_BUF_INIT;
    rp_buf_printf(&pair, "pair:%s|", addr ? addr : "-");
    size_t at = pair.len;
    rp_buf_puts(&pair, email);
    rp_buf_printf(&address, "address:%s", addr ? addr : "-");
    if (!l || pair.failed || address.failed ||
        !(l->password = strdup(password))) {
        rp_buf_free(&pair);
        rp_buf_free(&address);
        rp_login_free(l);
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    }
    l->pair_key = rp_buf_steal(&pair);
    l->addr_key = rp_buf_steal(&address);
    rp_ascii_lower(l->pair_key + at);
    rp_code rc = admit_attempt(ctx, l, retry_after, err);
    if (rc == RP_OK)
        rc = read_account(ctx, email, l, err);
    if (rc) {
        rp_login_free(l);
        return rc;
    }
    *out = l;
    return RP_OK;
}

void rp_login_check(rp_login *l)
{
    /* An unknown email is checked against a hash too: same time. */
    int ok = l->hash[0] ? rp_password_verify(l->hash, l->password)
                        : (rp_password_verify(dummy_hash(), l->password), 0);
    l->ok = ok && l->agent_id > 0;
    l->checked = 1;
}

/* The password was wrong: the pair's failure stays, the address gets
 * one. */
static rp_code record_failure(rp_ctx *ctx, rp_login *l, rp_error *err)
{
    if (add_failure(ctx, l->addr_key, rp_now(), NULL, err))
        return err->code;
    rp_audit_entry e = {.action = "login_failed",
                        .agent_id = l->agent_id,
                        .status = 401,
                        .code = "auth"};
    if (rp_audit_record(ctx, &e, err))
        return err->code;
    return rp_error_set(err, RP_EAUTH, NULL,
                        "the email or the password is wrong");
}

rp_code rp_login_finish(rp_ctx *ctx, rp_login *l, char secret[RP_SECRET_HEX],
                        json_t **out, rp_error *err)
{
    if (!l->checked) {
        /* never checked (the server is stopping): the attempt is not
         * counted against anybody */
        rp_code rc = exec1(ctx, RP_Q_STAFF_LOGIN_FAILURE_DELETE,
                           json_pack("[I]", (json_int_t)l->pending), err);
        if (rc)
            return rc;
        return rp_error_set(err, RP_EBUSY, NULL,
                            "the server is stopping; try again in a moment");
    }
    if (!l->ok)
        return record_failure(ctx, l, err);

    /* Success: clear the pair's failures (this attempt's among them) and
     * open the session; all or nothing.  The address's failures stay: one
     * right password must not wipe a guesser's record. */
    rp_store *s = ctx->store;
    int64_t now = rp_now();
    char hash_hex[RP_SECRET_HEX];
    rp_secret_new(secret);
    rp_secret_hash(secret, hash_hex);
    if (rp_store_begin(s, err))
        return err->code;
    rp_code rc = exec1(ctx, RP_Q_STAFF_LOGIN_FAILURES_CLEAR,
                       json_pack("[s]", l->pair_key), err);
    if (rc == RP_OK)
        rc = exec1(ctx, RP_Q_STAFF_SESSIONS_EXPIRE,
                   json_pack("[I, I]", (json_int_t)(now - session_idle),
                             (json_int_t)(now - session_lifetime)),
                   err);
    if (rc == RP_OK)
        rc = exec1(ctx, RP_Q_STAFF_SESSION_INSERT,
                   json_pack("[I, s, I, I]", (json_int_t)l->agent_id, hash_hex,
                             (json_int_t)now, (json_int_t)now),
                   err);
    if (rc == RP_OK) {
        rp_audit_entry e = {
            .action = "login", .agent_id = l->agent_id, .status = 201};
        rc = rp_audit_record(ctx, &e, err);
    }
    rc = rp_store_finish(s, rc, err);
    if (rc)
        return rc;
    rp_principal p = {.agent_id = l->agent_id, .role = l->role};
    p.via_session = 1;
    rp_csrf_for(secret, p.csrf);
    return rp_auth_whoami(ctx, &p, out, err);
}

rp_code rp_auth_login(rp_ctx *ctx, json_t *in, const char *addr,
                      char secret[RP_SECRET_HEX], json_t **out,
                      int *retry_after, rp_error *err)
{
    rp_login *l;
    if (rp_login_begin(ctx, in, addr, &l, retry_after, err))
        return err->code;
    rp_login_check(l);
    rp_code rc = rp_login_finish(ctx, l, secret, out, err);
    rp_login_free(l);
    return rc;
}

rp_code rp_auth_logout(rp_ctx *ctx, const char *secret, rp_error *err)
{
    if (!secret)
        return RP_OK;
    char hash[RP_SECRET_HEX];
    rp_secret_hash(secret, hash);
    if (exec1(ctx, RP_Q_STAFF_SESSION_DELETE, json_pack("[s]", hash), err))
        return err->code;
    rp_audit_entry e = {.action = "logout", .status = 200};
    return rp_audit_record(ctx, &e, err);
}

/* ---- API tokens ---------------------------------------------------------- */

static const char *const token_scopes[] = {"all", "mail", NULL};

const rp_field rp_token_fields[] = {
    {"name", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = 100,
     .meaning = "what the token is for"},
    {"agent_id", RP_FIELD_INT, RP_IN_OPTIONAL, .min = 1, .max = INT64_MAX,
     .meaning = "whose token (an admin may name another agent); default: "
                "one's own"},
    {"expires_at", RP_FIELD_TIME, RP_IN_OPTIONAL,
     .meaning = "a time to come; null or absent: never"},
    {"scope", RP_FIELD_ENUM, RP_IN_OPTIONAL, .values = token_scopes,
     .meaning = "mail: may only deliver mail (admin only)"},
    {"scopes", RP_FIELD_TEXT_LIST, RP_IN_OPTIONAL, .max_items = 32,
     .max_chars = 40,
     .meaning = "read, and the resources the token may reach; none: all"},
    {"queues", RP_FIELD_INT_LIST, RP_IN_OPTIONAL,
     .max_items = RP_TOKEN_MAX_QUEUES, .min = 1, .max = INT64_MAX,
     .meaning = "the only queues whose customers it may reach"},
    {.name = NULL},
};

/* The expiry of a new token: 0 when absent or null (never), else a time
 * still to come (a token born expired is a mistake, not a choice). */
static rp_code token_expiry(json_t *in, int64_t *out, rp_error *err)
{
    int64_t at = 0;
    int present = 0;
    *out = 0;
    if (json_is_null(json_object_get(in, "expires_at")))
        return RP_OK;
    if (rp_in_time(in, "expires_at", 0, &at, &present, err))
        return err->code;
    if (!present)
        return RP_OK;
    if (at <= rp_now())
        return rp_error_refuse(err, RP_EINVALID, "expires_at", "in_the_past", 0,
                               "expires_at must be in the future");
    *out = at;
    return RP_OK;
}

/*
 * "scopes": "read" makes the token read-only; every other name must be a
 * resource (rp_resources), and limits the token to those.  *resources is
 * a new array of the names, or NULL for every resource.
 */
static rp_code token_scopes_in(rp_ctx *ctx, json_t *in, int *read_only,
                               json_t **resources, rp_error *err)
{
    (void)ctx;
    json_t *list = NULL;
    *read_only = 0;
    *resources = NULL;
    if (rp_in_string_list(in, "scopes", 32, 40, &list, err))
        return err->code;
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        const char *name = json_string_value(v);
        if (strcmp(name, "read") == 0) {
            *read_only = 1;
            continue;
        }
        if (!rp_resource_find(name, strlen(name))) {
            rp_buf q = RP_BUF_INIT, known = RP_BUF_INIT;
            for (const rp_resource *r = rp_resources; r->name; r++)
                rp_buf_printf(&known, ", %s", r->name);
            rp_error_refuse(err, RP_EINVALID, "scopes", "not_allowed", 0,
                            "scopes[%zu] \"%s\" is not a scope: read%s", i,
                            rp_cut(&q, name, 40), rp_buf_str(&known));
            rp_buf_free(&q);
            rp_buf_free(&known);
            json_decref(*resources);
            *resources = NULL;
            return err->code;
        }
        if (!*resources)
            *resources = json_array();
        json_array_append(*resources, v);
    }
    return RP_OK;
}

/* "queues": ids of queues that exist, at most RP_TOKEN_MAX_QUEUES; *out a
 * new array or NULL for every queue. */
static rp_code token_queues_in(rp_ctx *ctx, json_t *in, json_t **out,
                               rp_error *err)
{
    json_t *list = json_object_get(in, "queues");
    *out = NULL;
    if (!list || json_is_null(list))
        return RP_OK;
    if (!json_is_array(list))
        return rp_error_set(err, RP_ETYPE, "queues",
                            "queues must be a list of queue ids");
    if (json_array_size(list) == 0 ||
        json_array_size(list) > RP_TOKEN_MAX_QUEUES)
        return rp_error_refuse(err, RP_EINVALID, "queues", "out_of_range", 0,
                               "queues must name from 1 to %d queues",
                               RP_TOKEN_MAX_QUEUES);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        json_t *queue = NULL;
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return rp_error_set(err, RP_ETYPE, "queues",
                                "queues[%zu] is not a queue id", i);
        if (rp_queue_get(ctx, json_integer_value(v), &queue, err)) {
            if (err->code == RP_ENOTFOUND)
                rp_error_refuse(err, RP_EINVALID, "queues", "unknown_id", 0,
                                "queues[%zu]: there is no queue %lld", i,
                                (long long)json_integer_value(v));
            return err->code;
        }
        json_decref(queue);
    }
    *out = json_incref(list);
    return RP_OK;
}

rp_code rp_token_create(rp_ctx *ctx, json_t *in, int as_admin, json_t **out,
                        rp_error *err)
{
    const char *name, *scope;
    int64_t agent_id = 0;
    int present = 0;
    if (rp_auth_init(err) || rp_in_fields(in, rp_token_fields, 1, err) ||
        rp_in_string(in, "name", 1, 100, &name, err) ||
        rp_in_enum(in, "scope", 0, token_scopes, &scope, err) ||
        rp_in_int(in, "agent_id", 0, 1, INT64_MAX, &agent_id, &present, err))
        return err->code;
    int64_t expires_at = 0;
    if (token_expiry(in, &expires_at, err))
        return err->code;
    if (!*name)
        return rp_error_refuse(err, RP_EINVALID, "name", "required", 0,
                               "name must not be empty");
    if (!present)
        agent_id = ctx->agent_id;
    if (scope && strcmp(scope, "mail") == 0 && !as_admin)
        return rp_error_set(err, RP_EFORBIDDEN, "scope",
                            "only an admin can make a mail-only token");
    if (agent_id != ctx->agent_id && !as_admin)
        return rp_error_set(err, RP_EFORBIDDEN, "agent_id",
                            "only an admin can make a token for another agent");
    int read_only = 0;
    json_t *resources = NULL, *queues = NULL;
    if (token_scopes_in(ctx, in, &read_only, &resources, err))
        return err->code;
    if (token_queues_in(ctx, in, &queues, err)) {
        json_decref(resources);
        return err->code;
    }
    json_t *agent;
    if (rp_agent_get(ctx, agent_id, &agent, err)) {
        if (err->code == RP_ENOTFOUND)
            rp_error_refuse(err, RP_EINVALID, "agent_id", "unknown_id", 0,
                            "agent_id %lld names no agent",
                            (long long)agent_id);
        return err->code;
    }
    int active = json_is_true(json_object_get(agent, "active"));
    json_decref(agent);
    if (!active)
        return rp_error_refuse(err, RP_ECONFLICT, "agent_id", "inactive", 0,
                               "agent %lld is deactivated",
                               (long long)agent_id);
    char secret[RP_SECRET_HEX], token[RP_SECRET_HEX + 8], hash[RP_SECRET_HEX];
    rp_secret_new(secret);
    snprintf(token, sizeof token, "%s%s", RP_TOKEN_PREFIX, secret);
    rp_secret_hash(token, hash);
    json_t *params = json_pack("[I, s, s, I, o]", (json_int_t)agent_id, name,
                               hash, (json_int_t)rp_now(),
                               expires_at ? json_integer(expires_at)
                                          : json_null()),
           *rows = NULL;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_STAFF_TOKEN_INSERT,
                                        params, &rows, err);
    json_decref(params);
    if (rc) {
        json_decref(resources);
        json_decref(queues);
        return rc;
    }
    json_t *id = json_object_get(json_array_get(rows, 0), "id");
    if (read_only || resources || queues) {
        params = json_pack("[i, O?, O?, O]", read_only, resources, queues, id);
        rc = ctx->store->ops->exec(ctx->store, RP_Q_STAFF_TOKEN_SET_LIMITS,
                                   params, NULL, err);
        json_decref(params);
    }
    json_decref(resources);
    json_decref(queues);
    if (rc) {
        json_decref(rows);
        return rc;
    }
    if (scope && strcmp(scope, "mail") == 0) {
        params = json_pack("[s, O]", scope, id);
        rc = ctx->store->ops->exec(ctx->store, RP_Q_STAFF_TOKEN_SET_SCOPE,
                                   params, NULL, err);
        json_decref(params);
        if (rc) {
            json_decref(rows);
            return rc;
        }
    }
    params = json_pack("[O]", id);
    json_decref(rows);
    rc = ctx->store->ops->query(ctx->store, RP_Q_STAFF_TOKEN_GET, params, &rows,
                                err);
    json_decref(params);
    if (rc)
        return rc;
    *out = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    json_object_set_new(*out, "token", json_string(token));
    return RP_OK;
}

rp_code rp_token_list(rp_ctx *ctx, int64_t agent_id, const rp_page_req *page,
                      json_t **out, rp_error *err)
{
    json_t *params = json_pack("[I, I, i]", (json_int_t)agent_id,
                               (json_int_t)page->after_id, page->limit + 1),
           *rows;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_STAFF_TOKEN_LIST,
                                        params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    *out = rp_page_result(rows, page->limit);
    return RP_OK;
}

rp_code rp_token_revoke(rp_ctx *ctx, int64_t id, int as_admin, rp_error *err)
{
    json_t *params = json_pack("[I]", (json_int_t)id), *rows;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_STAFF_TOKEN_GET,
                                        params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *row = json_array_get(rows, 0);
    int mine = row && json_integer_value(json_object_get(row, "agent_id")) ==
                          ctx->agent_id;
    int revoked = row && !json_is_null(json_object_get(row, "revoked_at"));
    json_decref(rows);
    if (!row || (!mine && !as_admin))
        return rp_error_set(err, RP_ENOTFOUND, "id", "no token with id %lld",
                            (long long)id);
    if (revoked)
        return rp_error_refuse(err, RP_ECONFLICT, "id", "already_done", 0,
                               "token %lld is already revoked", (long long)id);
    return exec1(ctx, RP_Q_STAFF_TOKEN_REVOKE,
                 json_pack("[I, I]", (json_int_t)rp_now(), (json_int_t)id),
                 err);
}
