/*
 * harness.h - end-to-end test harness: starts the real rapportd on an
 * ephemeral loopback port with a fresh database, talks HTTP to it with
 * libcurl, and runs the real rapport CLI as a second process on the same
 * database.  Nothing here is mocked.
 */
#ifndef RP_HARNESS_H
#define RP_HARNESS_H

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/types.h>

typedef struct rp_srv {
    pid_t pid;
    char dir[256];       /* private temporary directory */
    char db[300];        /* database path inside dir */
    char url[80];        /* "http://127.0.0.1:PORT" without trailing slash */
    char token[160];     /* bearer token sent with every request, "" for none */
    char extra_env[512]; /* "NAME=value" set for rapportd, "" for none */
    /* > 0: rapportd runs with this file-size limit (RLIMIT_FSIZE, SIGXFSZ
     * ignored), so a write past it fails as on a full disk; its hard
     * limit stays unlimited, so the test can lift it (prlimit) again */
    long long fsize_limit;
    /* The admin rp_srv_start made on a new database, through the real CLI
     * (`rapport init --admin-email ... --generate-password`, then
     * `rapport token create`): s->token is that admin's API token. */
    long long admin_id;
    char admin_email[64];
    char admin_password[64];
    /* The local address requests are sent from ("127.0.0.2": another
     * client, as the server's per-address limits see it); "" for any. */
    char source[32];
} rp_srv;

typedef struct rp_http {
    long status;
    json_t *json; /* parsed body when it is JSON, else NULL */
    char *body;   /* raw body, NUL-terminated */
    size_t len;
    char content_type[128];
    char location[160];
    char allow[80];
    char set_cookie[512];
    char retry_after[32];
    char www_authenticate[80];
} rp_http;

/* Make a fresh private directory and database path; does not start. */
void rp_srv_init(rp_srv *s);

/*
 * Start rapportd on s->db and wait until it listens.  On a new database
 * (no file yet) it first creates an admin agent and an API token for it
 * with the CLI, and puts the token in s->token, so every request is
 * authenticated as that admin.  Empty s->token to send no credentials.
 * A test that builds its database before the first start (so it is not
 * new) gets no admin: it can call rp_srv_token_for(s, "admin", s->token,
 * sizeof s->token) itself, which works on any database.
 */
void rp_srv_start(rp_srv *s);

/*
 * Read the first line a child process writes on fd (its "listening ..."
 * announcement) into line, without the newline, and close fd.  Fails the
 * test when none comes within 20 seconds.
 */
void rp_child_first_line(int fd, char *line, size_t size);

/*
 * Make a new agent with this role ("agent", "lead", "admin"; no password)
 * and an API token for it, through the CLI; fill out with the token.
 * rp_srv_agent_for does the same and returns the new agent's id.
 */
void rp_srv_token_for(rp_srv *s, const char *role, char *out, size_t n);
long long rp_srv_agent_for(rp_srv *s, const char *role, char *out, size_t n);

/* Stop with SIGTERM and assert a clean exit (status 0). */
void rp_srv_stop(rp_srv *s);

/* Kill with SIGKILL, as a crash would. */
void rp_srv_kill(rp_srv *s);

/*
 * cmocka fixtures (for a group or for one test): start a rapportd on a
 * fresh database (*state is the rp_srv), and stop and remove it after.
 */
int rp_srv_fixture_start(void **state);
int rp_srv_fixture_stop(void **state);

/* Stop if running and remove the temporary directory. */
void rp_srv_cleanup(rp_srv *s);

/*
 * Send a request.  content_type NULL means no Content-Type header; body
 * NULL means no body.  extra_headers is a NULL-terminated list or NULL.
 */
void rp_http_send(rp_srv *s, const char *method, const char *path,
                  const char *content_type, const char *body, size_t len,
                  const char *const *extra_headers, rp_http *out);

/* Free what rp_http_send filled. */
void rp_http_free(rp_http *r);

/*
 * Send a JSON request (body may be NULL), assert the status, and return the
 * parsed response body (new reference; caller decrefs).
 */
json_t *rp_call(rp_srv *s, const char *method, const char *path, json_t *body,
                long expect_status);

/* A new string of unit written n times (free() it), for texts at and
 * around a limit counted in characters. */
char *rp_repeat(const char *unit, int n);

/* Like rp_call with a body written as a JSON string literal. */
json_t *rp_callf(rp_srv *s, const char *method, const char *path,
                 long expect_status, const char *json_text);

/* Assert that r is an error with this status, code and field (NULL: any). */
void rp_assert_error(rp_http *r, long status, const char *code,
                     const char *field);

/*
 * Run the CLI `rapport --db s->db ARGS...` (NULL-terminated) as a separate
 * process; fill *out with its stdout (caller frees) and return its exit code.
 */
int rp_cli(rp_srv *s, char **out, ...);

/*
 * Number of items a paged list endpoint (path, with or without a query)
 * returns over all its pages, following next_cursor, as s->token sees it.
 * This is how a test counts what an endpoint can list.
 */
long rp_list_count(rp_srv *s, const char *path);

/*
 * Count of rows in a table, read from the database file with a second,
 * read-only connection (never the server's).  Only for what no endpoint
 * lists (the whole ledger, index tables, history rows) or for when no
 * server is running; everything else is counted with rp_list_count.
 */
long rp_db_count(rp_srv *s, const char *table);

/*
 * A hash (FNV-1a) of every row of every table of the database open on db,
 * tables in name order, so that equal fingerprints mean nothing was
 * written.  leave_out, when given, names tables left out (those meant to
 * change, such as the audit log); a table this connection cannot read (a
 * virtual table whose module is not loaded here) is left out too.
 */
struct sqlite3;
unsigned long long rp_db_fingerprint(struct sqlite3 *db,
                                     int (*leave_out)(const char *table));

#endif
