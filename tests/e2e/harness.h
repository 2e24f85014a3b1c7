/*
 * harness.h - end-to-end test harness: starts the real rapportd on an
 * ephemeral loopback port with a fresh database, talks HTTP to it with
 * libcurl, and runs the real rapport CLI as a second process on the same
 * database.  Nothing here is mocked.
 *
 * The database is a SQLite file in the test's private directory, or, when
 * RP_E2E_PG holds the libpq keyword string of a PostgreSQL server (CTest's
 * pg_e2e_* tests set it to the server of the pg_server fixture), a
 * database of the test's own on that server, created by rp_srv_init and
 * dropped by rp_srv_cleanup.  Either way s->db is what rapportd and the
 * CLI are given as --db, and the rp_db_* functions below look at the
 * database past rapportd on whichever backend it is, so one test runs on
 * both.
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
    char dir[256]; /* private temporary directory */
    char db[300];  /* --db: a file inside dir, or a PostgreSQL one */
    char pgdb[64]; /* the database's name on PostgreSQL, else "" */
    /* PostgreSQL: 1 while no program has opened the database, made at
     * the latest schema from a template (a SQLite file not made yet) */
    int fresh;
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

/* Make a fresh private directory and database path (on PostgreSQL: an
 * empty database of its own on the RP_E2E_PG server); does not start. */
void rp_srv_init(rp_srv *s);

/* The key file of secrets at rest that rapportd and the CLI use for s's
 * database: beside the file on SQLite (the default), and on PostgreSQL,
 * which has no file to be beside, one in s->dir that the harness names in
 * RAPPORT_SECRET_KEY_FILE for every program it runs. */
void rp_srv_key_file(const rp_srv *s, char *out, size_t n);

/* 1 when the tests run on PostgreSQL (RP_E2E_PG is set), else 0.  A test
 * of what only a SQLite file has (its bytes, its write-ahead log, its
 * size) skips that part on PostgreSQL with this. */
int rp_e2e_pg(void);

/* Whether s's database exists yet: rapportd or the CLI has opened it
 * (a SQLite file they made; on PostgreSQL, s->fresh is 0).  A test that
 * runs a program on s->db itself before rp_cli or rp_srv_start, and
 * wants it counted as opened, clears s->fresh. */
int rp_db_exists(rp_srv *s);

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

/* Stop if running, remove the temporary directory and drop the
 * PostgreSQL database. */
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

/* ---- the database seen past rapportd -------------------------------------
 *
 * A connection of the test's own (never the server's) to s's database, on
 * SQLite or PostgreSQL.  Only for what no endpoint shows (the whole
 * ledger, index tables, history rows), for what no endpoint can do (time
 * moved back, a row changed by hand), or for when no server is running;
 * everything else goes through the API.  The SQL given must mean the same
 * on both engines (plain SELECT, UPDATE, DELETE with literal values). */
typedef struct rp_db rp_db;

/* Open a connection to s's database, which must exist; it waits up to 30
 * seconds for a writer, as rapportd's own may be writing. */
rp_db *rp_db_open(rp_srv *s);
void rp_db_close(rp_db *db);

/* The first column of the first row of sql as an integer (0 when there
 * is no row); fails the test when the database refuses it. */
long long rp_db_value(rp_db *db, const char *sql);

/* Every row of sql as a JSON array of arrays of column values, each
 * value a string (as the engine writes it as text) or null; fails the
 * test when the database refuses it.  The caller decrefs. */
json_t *rp_db_rows(rp_db *db, const char *sql);

/* Run sql (one or more statements): 0 when it ran, 1 when the database
 * refused it by a rule (a constraint, a trigger), -1 on any other
 * failure, whose message is printed. */
int rp_db_run(rp_db *db, const char *sql);

/* Begin a write transaction that holds the writer's lock as rapportd's
 * own write transactions take it (SQLite: BEGIN IMMEDIATE; PostgreSQL:
 * the store's advisory lock), so rapportd's writers wait for it;
 * rp_db_run(db, "ROLLBACK") gives it back. */
void rp_db_hold_writes(rp_db *db);

/* A number that changes whenever another connection commits a change
 * (SQLite's data_version; PostgreSQL's next transaction id), so that an
 * unchanged number means nothing was written. */
long long rp_db_version(rp_db *db);

/*
 * A hash (FNV-1a) of every row of every table of db, tables in name
 * order, so that equal fingerprints mean nothing was written.  leave_out,
 * when given, names tables left out (those meant to change, such as the
 * audit log); a table this connection cannot read (a virtual table whose
 * module is not loaded here) is left out too.
 */
unsigned long long rp_db_fingerprint(rp_db *db,
                                     int (*leave_out)(const char *table));

/* rp_db_value and rp_db_run on a connection of their own. */
long long rp_db_number(rp_srv *s, const char *sql);
int rp_db_exec(rp_srv *s, const char *sql);

/* Count of rows in a table (see rp_db_open for when to use it). */
long rp_db_count(rp_srv *s, const char *table);

/*
 * Whether text is anywhere in what the database keeps of the desk: on
 * SQLite the bytes of the database file and its write-ahead log (what an
 * erasure must leave no trace in); on PostgreSQL, whose files are the
 * server's, any row of any table, read as text.
 */
int rp_db_holds(rp_srv *s, const char *text);

/*
 * Make copy a new server (not started) whose database is a copy of s's,
 * for a test that changes a copy by hand.  On PostgreSQL the copy is made
 * from s's database as a template, so nothing may be connected to it:
 * stop s's rapportd first.  rp_srv_cleanup(copy) removes it.
 */
void rp_db_copy(rp_srv *s, rp_srv *copy);

/* ---- bursts: many requests at once (libcurl multi) ---------------------- */

/* One request of a burst: filled in by the caller, answered by rp_burst. */
typedef struct rp_burst_req {
    char url[256];        /* the whole URL */
    char body[256];       /* a JSON body to POST, "" for a GET */
    const char *token;    /* sent as a bearer token, or NULL for none */
    int tag;              /* the caller's own, left alone */
    long status;          /* the answer's status, 0 for none (closed) */
    double seconds;       /* how long it took (all start at once) */
    char retry_after[32]; /* the Retry-After header's value, "" for none */
} rp_burst_req;

/*
 * Send the n requests of reqs all at once, from 127.0.0.1, each allowed
 * 120 s, and return when every one is answered or has failed, with its
 * status, time and Retry-After filled in.  When sent_fd >= 0, "sent\n" is
 * written to it once every request is on its way (a fifth of a second
 * into the burst, or at its end when it is over sooner).  Returns the
 * seconds the whole burst took.  Meant for a child process (fork) that
 * bursts while the test sends other requests.
 */
double rp_burst(rp_burst_req *reqs, int n, int sent_fd);

/* Seconds on the monotonic clock, for timing. */
double rp_now_s(void);

#endif
