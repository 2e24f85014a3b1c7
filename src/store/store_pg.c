/*
 * store_pg.c - the PostgreSQL backend of the store interface (store.h).
 *
 * One rp_store is one libpq connection; the server keeps a pool of them,
 * one per thread, as it does for SQLite.  Several rapportd may share one
 * database, so what SQLite gets from being one file on one machine is
 * asked of the server here:
 *
 *   - Writers take turns.  A write transaction (begin) takes a
 *     transaction-scoped advisory lock before anything else, so write
 *     transactions run one at a time across every server, as SQLite's
 *     BEGIN IMMEDIATE makes them run one at a time across connections.
 *     The domain's rules (read, decide, write) were written for that and
 *     stay true unchanged; reads never wait for it.  Waiting for the lock
 *     is bounded by lock_timeout, the PostgreSQL side of set_busy_wait.
 *   - A snapshot for several reads (read_begin) is a REPEATABLE READ READ
 *     ONLY transaction: READ COMMITTED would let each query see a newer
 *     database than the one before it.
 *   - A failed statement undoes only itself, as in SQLite: inside a write
 *     transaction each statement runs under a savepoint, because
 *     PostgreSQL would otherwise refuse every later statement of the
 *     transaction (the domain goes on after a conflict it expected).
 *   - Migrations run at open under a session advisory lock, each in its
 *     own transaction, so servers started at once migrate exactly once; an
 *     open that finds the schema current takes no lock at all.
 *   - A lost connection (a restarted server, a network cut) is reconnected
 *     and the statement retried once when no transaction was open; inside
 *     a transaction, or when the retry fails too, the caller gets RP_EBUSY
 *     saying the database cannot be reached (503), never a crash.
 *
 * Every statement with values is prepared (PQprepare) and kept per
 * connection in a small cache; values are sent as text parameters and
 * identifiers in the generated statements only ever come from the entity
 * catalogue.  Rows are typed as store.h says, from each result column's
 * type (PQftype) where SQLite looks at the stored value.  The SQL text
 * itself lives in pg_schema.c (migrations) and pg_queries.c (named
 * queries).
 */
#include "store/store_pg.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "store/pg_internal.h"

/* Builds from a tree that does not have the PostgreSQL SQL text yet link
 * without it; such a build refuses to open a PostgreSQL database and says
 * why (see open_pg). */
#ifdef RP_PG_NO_SCHEMA
const rp_pg_migration rp_pg_migrations[1] = {{0, NULL, NULL}};
const int rp_pg_nmigrations = 0;
#endif
#ifdef RP_PG_NO_QUERIES
const char *rp_pg_query_sql(rp_query q)
{
    (void)q;
    return NULL;
}
#endif

#define STMT_CACHE_SIZE 256

/* Advisory lock keys ("rapp" and a number): the migration lock is held by
 * a session while it migrates, the writer lock by each write transaction. */
#define MIGRATION_LOCK_KEY 0x7261707000000001LL
#define WRITER_LOCK_KEY RP_PG_WRITER_LOCK_KEY

/* How long an open waits for another server's migration to finish. */
#define MIGRATION_WAIT_MS (10 * 60 * 1000)

/* Result column types (pg_type.h's OIDs, stable across versions). */
#define OID_BOOL 16
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_OID 26
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

typedef struct cached_stmt {
    char *sql;
    unsigned long hash;
    char name[24];
    int nparams; /* -1 until described */
} cached_stmt;

typedef struct pg_store {
    rp_store base;
    PGconn *conn;
    int version;
    cached_stmt cache[STMT_CACHE_SIZE];
    int next_evict;
    unsigned long next_name;
    /* waiting for another writer (set_busy_wait) */
    int wait_ms;
    int per_request;
    long long deadline_ms; /* per request: when the budget is spent */
    int session_timeout;   /* lock_timeout the session has; -1 unknown */
    /* what this store has open on the connection */
    int in_write; /* begin's transaction */
    int marked;   /* a mark inside it */
    int read_owned, read_nested;
} pg_store;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int tx_open(const pg_store *ps)
{
    return ps->in_write || ps->read_owned;
}

/* ---- errors -------------------------------------------------------------- */

static int starts(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Did the connection go away (the server restarted or is shutting down,
 * the network failed)?  Then a new connection may succeed. */
static int connection_lost(const pg_store *ps, const PGresult *res)
{
    if (PQstatus(ps->conn) == CONNECTION_BAD)
        return 1;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return starts(state, "08") || starts(state, "57P0");
}

static rp_code unreachable(rp_error *err)
{
    return rp_error_set(err, RP_EBUSY, NULL,
                        "the database cannot be reached; nothing was "
                        "changed, try again in a moment");
}

/*
 * Turn a failed result into an rp_error, as db_error does for SQLite: the
 * server's own text (it names tables, columns and values) goes to the log,
 * never into the message.  res is cleared.
 */
static rp_code pg_fail(pg_store *ps, PGresult *res, const char *what,
                       rp_error *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *text = res && *PQresultErrorMessage(res)
                           ? PQresultErrorMessage(res)
                           : PQerrorMessage(ps->conn);
    rp_code code;
    if (connection_lost(ps, res)) {
        rp_log(RP_LOG_ERROR, "store: the database cannot be reached", "doing",
               what, "error", text, (char *)NULL);
        code = unreachable(err);
    } else if (starts(state, "40001") || starts(state, "40P01") ||
               starts(state, "55P03") || starts(state, "57014") ||
               starts(state, "53300")) {
        /* serialization failure, deadlock, lock_timeout, a cancelled
         * statement, no connection slot left: all pass */
        code = rp_error_set(err, RP_EBUSY, NULL,
                            "the database is busy with another change; "
                            "nothing was changed, try again in a moment");
    } else if (starts(state, "53100")) {
        rp_log(RP_LOG_ERROR, "store: out of space", "doing", what, "error",
               text, (char *)NULL);
        code = rp_error_set(err, RP_ENOSPACE, NULL,
                            "the disk holding the database is full; nothing "
                            "was saved (free some space, then try again)");
    } else {
        rp_log(RP_LOG_ERROR, "store: the database failed", "doing", what,
               "error", text, "code", state ? state : "", (char *)NULL);
        /* integrity constraints, and a trigger refusing a change (the
         * append-only tables): SQLite says SQLITE_CONSTRAINT for both */
        if (starts(state, "23") || starts(state, "P0001"))
            code = rp_error_refuse(err, RP_ECONFLICT, NULL, "taken", 0,
                                   "%s: the change conflicts with a record "
                                   "already stored",
                                   what);
        else
            code = rp_error_set(err, RP_EINTERNAL, NULL,
                                "%s: the database failed (the server's log "
                                "says how)",
                                what);
    }
    PQclear(res);
    return code;
}

/* ---- the connection ------------------------------------------------------ */

/* The server's notices ("relation already exists, skipping") say nothing
 * an operator must act on; libpq would print each on standard error. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static PGconn *connect_to(const char *conninfo)
{
    /* processed in order, the conninfo last: what it names wins */
    const char *const keys[] = {"connect_timeout", "application_name",
                                "client_encoding", "dbname", NULL};
    const char *const values[] = {"10", "rapport", "UTF8", conninfo, NULL};
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    if (conn)
        PQsetNoticeProcessor(conn, ignore_notice, NULL);
    return conn;
}

/* Forget the prepared statements (the server forgot them with the old
 * connection, or the connection is closing). */
static void forget_statements(pg_store *ps)
{
    for (int i = 0; i < STMT_CACHE_SIZE; i++) {
        free(ps->cache[i].sql);
        memset(&ps->cache[i], 0, sizeof ps->cache[i]);
    }
    ps->next_evict = 0;
}

/* Run a statement without values (BEGIN, SET, SAVEPOINT): RP_OK, or the
 * failure as pg_fail reports it. */
static rp_code run_plain(pg_store *ps, const char *sql, const char *what,
                         rp_error *err)
{
    PGresult *res = PQexec(ps->conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        PQclear(res);
        return RP_OK;
    }
    return pg_fail(ps, res, what, err);
}

/* Give the session (outside a transaction) this lock_timeout, unless it
 * has it already. */
static rp_code session_timeout(pg_store *ps, int ms, rp_error *err)
{
    if (ps->session_timeout == ms)
        return RP_OK;
    char sql[64];
    snprintf(sql, sizeof sql, "SET lock_timeout = %d", ms);
    if (run_plain(ps, sql, "setting how long to wait", err))
        return err->code;
    ps->session_timeout = ms;
    return RP_OK;
}

/* Connect again after the connection was lost: RP_OK with a fresh
 * connection (and no prepared statements), or RP_EBUSY. */
static rp_code reconnect(pg_store *ps, rp_error *err)
{
    forget_statements(ps);
    ps->session_timeout = -1;
    ps->in_write = ps->marked = ps->read_owned = 0;
    PQreset(ps->conn);
    if (PQstatus(ps->conn) != CONNECTION_OK) {
        rp_log(RP_LOG_ERROR, "store: the database cannot be reached", "error",
               PQerrorMessage(ps->conn), (char *)NULL);
        return unreachable(err);
    }
    rp_log(RP_LOG_INFO, "store: connected to the database again", (char *)NULL);
    return RP_OK;
}

/* Before a statement: a connection that is gone is made again when no
 * transaction was open on it (one that was is lost with it). */
static rp_code ensure_connected(pg_store *ps, rp_error *err)
{
    if (PQstatus(ps->conn) == CONNECTION_OK)
        return RP_OK;
    if (tx_open(ps))
        return unreachable(err);
    return reconnect(ps, err);
}

/* The wait a statement outside a transaction may make: the request's
 * whole allowance (a statement alone seldom waits at all in PostgreSQL,
 * which locks rows, not the database). */
static int statement_wait(const pg_store *ps)
{
    return ps->wait_ms > 0 ? ps->wait_ms : 1;
}

/* The wait left to a write transaction about to begin. */
static int begin_wait(const pg_store *ps)
{
    if (!ps->per_request)
        return ps->wait_ms > 0 ? ps->wait_ms : 1;
    long long left = ps->deadline_ms - now_ms();
    return left > 1 ? (int)(left > 600000 ? 600000 : left) : 1;
}

/* ---- statement cache ----------------------------------------------------- */

static unsigned long hash_of(const char *s)
{
    unsigned long h = 5381;
    for (; *s; s++)
        h = h * 33 + (unsigned char)*s;
    return h;
}

/*
 * The prepared statement for sql, preparing it on this connection if it
 * is not yet; describe: also learn how many parameters it takes.  On
 * failure *failed is the server's result (for pg_fail) or NULL when the
 * failure is already in err.
 */
static cached_stmt *prepare(pg_store *ps, const char *sql, int describe,
                            PGresult **failed, rp_error *err)
{
    *failed = NULL;
    unsigned long h = hash_of(sql);
    cached_stmt *c = NULL;
    for (int i = 0; i < STMT_CACHE_SIZE && !c; i++)
        if (ps->cache[i].sql && ps->cache[i].hash == h &&
            strcmp(ps->cache[i].sql, sql) == 0)
            c = &ps->cache[i];
    if (!c) {
        c = &ps->cache[ps->next_evict];
        ps->next_evict = (ps->next_evict + 1) % STMT_CACHE_SIZE;
        if (c->sql) {
            char sqlbuf[48];
            snprintf(sqlbuf, sizeof sqlbuf, "DEALLOCATE %s", c->name);
            PQclear(PQexec(ps->conn, sqlbuf));
            free(c->sql);
            c->sql = NULL;
        }
        char name[24];
        snprintf(name, sizeof name, "rp_%lu", ps->next_name++);
        PGresult *res = PQprepare(ps->conn, name, sql, 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            *failed = res;
            return NULL;
        }
        PQclear(res);
        c->sql = strdup(sql);
        if (!c->sql) {
            rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
            return NULL;
        }
        c->hash = h;
        snprintf(c->name, sizeof c->name, "%s", name);
        c->nparams = -1;
    }
    if (describe && c->nparams < 0) {
        PGresult *res = PQdescribePrepared(ps->conn, c->name);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            *failed = res;
            return NULL;
        }
        c->nparams = PQnparams(res);
        PQclear(res);
    }
    return c;
}

/* ---- values -------------------------------------------------------------- */

/* The text parameters of one statement. */
typedef struct params {
    int n, cap;
    char **v; /* NULL entries are SQL NULL */
} params;

static void params_free(params *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->v[i]);
    free(p->v);
    memset(p, 0, sizeof *p);
}

static rp_code params_add(params *p, char *text, int is_null, rp_error *err)
{
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 8;
        char **v = realloc(p->v, (size_t)cap * sizeof *v);
        if (!v) {
            free(text);
            return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
        }
        p->v = v;
        p->cap = cap;
    }
    if (!is_null && !text)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    p->v[p->n++] = text;
    return RP_OK;
}

/* Add v as store.h binds a value: integers, reals and strings as
 * themselves, true/false as 1/0 (valid input for a boolean as for an
 * integer), null as NULL, an object or array as its compact JSON. */
static rp_code params_add_json(params *p, json_t *v, rp_error *err)
{
    char num[64];
    switch (json_typeof(v)) {
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        return params_add(p, strdup(num), 0, err);
    case JSON_REAL:
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
        return params_add(p, strdup(num), 0, err);
    case JSON_STRING:
        /* PostgreSQL text cannot hold a NUL; SQLite's would keep it */
        if (strlen(json_string_value(v)) != json_string_length(v))
            return rp_error_set(err, RP_EINVALID, NULL,
                                "text holds a NUL character, which the "
                                "database cannot store");
        return params_add(p, strdup(json_string_value(v)), 0, err);
    case JSON_TRUE: return params_add(p, strdup("1"), 0, err);
    case JSON_FALSE: return params_add(p, strdup("0"), 0, err);
    case JSON_NULL: return params_add(p, NULL, 1, err);
    default: return params_add(p, json_dumps(v, JSON_COMPACT), 0, err);
    }
}

static rp_code params_add_int(params *p, long long n, rp_error *err)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", n);
    return params_add(p, strdup(num), 0, err);
}

/* Add v for a column of the given type, checking that the domain passed
 * the representation the catalogue promises. */
static rp_code params_add_column(params *p, const rp_entity *e,
                                 const rp_column *c, json_t *v, rp_error *err)
{
    if (json_is_null(v))
        return params_add(p, NULL, 1, err);
    int ok = 1;
    switch (c->type) {
    case RP_COL_INT:
    case RP_COL_TIME: ok = json_is_integer(v); break;
    case RP_COL_REAL: ok = json_is_number(v); break;
    case RP_COL_TEXT: ok = json_is_string(v); break;
    case RP_COL_BOOL: ok = json_is_boolean(v); break;
    case RP_COL_JSON:
        if (json_is_string(v) || json_is_number(v) || json_is_boolean(v))
            return params_add(p, json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY),
                              0, err);
        break;
    }
    if (!ok)
        return rp_error_set(err, RP_EINTERNAL, c->name,
                            "%s.%s: value of the wrong type for the store",
                            e->name, c->name);
    return params_add_json(p, v, err);
}

static json_t *time_value(long long t)
{
    char buf[RP_TIME_MAX];
    rp_time_format(t, buf);
    return json_string(buf);
}

static json_t *json_text_value(const char *text)
{
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    return v ? v : json_string(text);
}

static int is_integer_type(Oid t)
{
    return t == OID_INT2 || t == OID_INT4 || t == OID_INT8 || t == OID_OID;
}

static int is_real_type(Oid t)
{
    return t == OID_FLOAT4 || t == OID_FLOAT8 || t == OID_NUMERIC;
}

/* A value read as a truth: a boolean column says t/f, an integer one a
 * number (0 is false). */
static json_t *truth_value(const char *text, Oid t)
{
    if (t == OID_BOOL)
        return json_boolean(text[0] == 't');
    return json_boolean(strtoll(text, NULL, 10) != 0);
}

/* The value at (row, col) for a catalogue column of this type. */
static json_t *typed_value(const PGresult *res, int row, int col,
                           rp_column_type type)
{
    if (PQgetisnull(res, row, col))
        return json_null();
    const char *text = PQgetvalue(res, row, col);
    switch (type) {
    case RP_COL_INT: return json_integer(strtoll(text, NULL, 10));
    case RP_COL_REAL: return json_real(strtod(text, NULL));
    case RP_COL_BOOL: return truth_value(text, PQftype(res, col));
    case RP_COL_TIME: return time_value(strtoll(text, NULL, 10));
    case RP_COL_JSON: return json_text_value(text);
    case RP_COL_TEXT:
    default: return json_string(text);
    }
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A row of a named query: types follow the column-name suffixes, then the
 * column's type. */
static json_t *generic_row(const PGresult *res, int row)
{
    json_t *out = json_object();
    int n = PQnfields(res);
    for (int i = 0; i < n; i++) {
        const char *name = PQfname(res, i);
        Oid t = PQftype(res, i);
        char key[128];
        snprintf(key, sizeof key, "%s", name);
        int as_json = ends_with(name, "__json");
        int as_bool = ends_with(name, "__bool");
        if (as_json || as_bool)
            key[strlen(key) - 6] = '\0';
        json_t *v;
        if (PQgetisnull(res, row, i))
            v = json_null();
        else if (as_json)
            v = typed_value(res, row, i, RP_COL_JSON);
        else if (as_bool)
            v = truth_value(PQgetvalue(res, row, i), t);
        else if (ends_with(name, "_at") && is_integer_type(t))
            v = typed_value(res, row, i, RP_COL_TIME);
        else if (is_integer_type(t))
            v = typed_value(res, row, i, RP_COL_INT);
        else if (is_real_type(t))
            v = typed_value(res, row, i, RP_COL_REAL);
        else if (t == OID_BOOL)
            v = truth_value(PQgetvalue(res, row, i), t);
        else
            v = json_string(PQgetvalue(res, row, i));
        json_object_set_new(out, key, v ? v : json_null());
    }
    return out;
}

static json_t *entity_row(const PGresult *res, int row, const rp_entity *e)
{
    json_t *out = json_object();
    json_object_set_new(
        out, "id", json_integer(strtoll(PQgetvalue(res, row, 0), NULL, 10)));
    for (size_t i = 0; i < e->ncolumns; i++) {
        json_t *v = typed_value(res, row, (int)i + 1, e->columns[i].type);
        json_object_set_new(out, e->columns[i].name, v ? v : json_null());
    }
    return out;
}

/* ---- running a statement ------------------------------------------------- */

/* How a statement is run. */
typedef struct run_opts {
    const char *what;  /* for messages: an entity or query name */
    int count_params;  /* check the parameter count (named queries) */
    int ready_to_fail; /* may fail as a rule (a write): guard it */
} run_opts;

/* Prepare and run sql once; *out is the result on success. */
static rp_code run_once(pg_store *ps, const char *sql, const params *p,
                        const run_opts *o, PGresult **out, rp_error *err)
{
    PGresult *failed = NULL;
    cached_stmt *c = prepare(ps, sql, o->count_params, &failed, err);
    if (!c)
        return failed ? pg_fail(ps, failed, o->what, err) : err->code;
    if (o->count_params && c->nparams != p->n)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "%s: %d parameters expected, %d given", o->what,
                            c->nparams, p->n);
    PGresult *res = PQexecPrepared(ps->conn, c->name, p->n,
                                   (const char *const *)p->v, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        *out = res;
        return RP_OK;
    }
    return pg_fail(ps, res, o->what, err);
}

/*
 * Run sql with the parameters p and fill *out (the caller clears it).
 * Inside a write transaction a statement that may fail runs under a
 * savepoint, so that its failure undoes it alone and the transaction goes
 * on, as in SQLite.  Outside one, a lost connection is made again and the
 * statement tried once more.
 */
static rp_code run(pg_store *ps, const char *sql, const params *p,
                   const run_opts *o, PGresult **out, rp_error *err)
{
    *out = NULL;
    if (ensure_connected(ps, err))
        return err->code;
    if (ps->in_write) {
        if (!o->ready_to_fail)
            return run_once(ps, sql, p, o, out, err);
        if (run_plain(ps, "SAVEPOINT rp_step", o->what, err))
            return err->code;
        rp_code rc = run_once(ps, sql, p, o, out, err);
        if (rc != RP_OK && PQstatus(ps->conn) == CONNECTION_OK) {
            rp_error ignored;
            run_plain(ps, "ROLLBACK TO SAVEPOINT rp_step", o->what, &ignored);
        }
        if (PQstatus(ps->conn) == CONNECTION_OK) {
            rp_error ignored;
            run_plain(ps, "RELEASE SAVEPOINT rp_step", o->what, &ignored);
        }
        return rc;
    }
    if (!tx_open(ps) && session_timeout(ps, statement_wait(ps), err)) {
        if (PQstatus(ps->conn) == CONNECTION_OK || reconnect(ps, err) ||
            session_timeout(ps, statement_wait(ps), err))
            return err->code;
    }
    rp_code rc = run_once(ps, sql, p, o, out, err);
    if (rc == RP_OK || tx_open(ps) || PQstatus(ps->conn) == CONNECTION_OK)
        return rc;
    if (reconnect(ps, err) || session_timeout(ps, statement_wait(ps), err))
        return err->code;
    return run_once(ps, sql, p, o, out, err);
}

/* Run the statement built in b and free b; a buffer that failed to grow
 * is reported instead of run cut short. */
static rp_code run_built(pg_store *ps, rp_buf *b, const params *p,
                         const run_opts *o, PGresult **out, rp_error *err)
{
    rp_code rc = b->failed
                     ? rp_error_set(err, RP_EINTERNAL, NULL, "out of memory")
                     : run(ps, rp_buf_str(b), p, o, out, err);
    rp_buf_free(b);
    return rc;
}

/* ---- transactions -------------------------------------------------------- */

static rp_code begin_once(pg_store *ps, rp_error *err)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "BEGIN ISOLATION LEVEL READ COMMITTED;"
             " SET LOCAL lock_timeout = %d;"
             " SELECT pg_advisory_xact_lock(%lld)",
             begin_wait(ps), WRITER_LOCK_KEY);
    PGresult *res = PQexec(ps->conn, sql);
    if (PQresultStatus(res) == PGRES_TUPLES_OK) {
        PQclear(res);
        ps->in_write = 1;
        return RP_OK;
    }
    rp_code rc = pg_fail(ps, res, "beginning a transaction", err);
    if (PQstatus(ps->conn) == CONNECTION_OK)
        PQclear(PQexec(ps->conn, "ROLLBACK"));
    return rc;
}

static rp_code pg_begin(rp_store *s, rp_error *err)
{
    pg_store *ps = s->impl;
    if (tx_open(ps))
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "a transaction is already open");
    if (ensure_connected(ps, err))
        return err->code;
    rp_code rc = begin_once(ps, err);
    if (rc == RP_OK || PQstatus(ps->conn) == CONNECTION_OK)
        return rc;
    if (reconnect(ps, err))
        return err->code;
    return begin_once(ps, err);
}

static rp_code pg_commit(rp_store *s, rp_error *err)
{
    pg_store *ps = s->impl;
    if (!ps->in_write)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "committing: no transaction is open");
    ps->in_write = ps->marked = 0;
    PGresult *res = PQexec(ps->conn, "COMMIT");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        if (connection_lost(ps, res)) {
            rp_log(RP_LOG_ERROR, "store: the connection was lost at commit",
                   "error", PQerrorMessage(ps->conn), (char *)NULL);
            PQclear(res);
            return rp_error_set(err, RP_EBUSY, NULL,
                                "the database could not be reached while "
                                "saving; the change may not have been "
                                "saved, look before trying again");
        }
        return pg_fail(ps, res, "committing", err);
    }
    /* a transaction that had failed ends in ROLLBACK, not an error */
    int kept = strcmp(PQcmdStatus(res), "COMMIT") == 0;
    PQclear(res);
    if (!kept)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "committing: a statement of the transaction had "
                            "failed, so nothing was saved");
    return RP_OK;
}

static void pg_rollback(rp_store *s)
{
    pg_store *ps = s->impl;
    if (!tx_open(ps))
        return;
    ps->in_write = ps->marked = ps->read_owned = 0;
    if (PQstatus(ps->conn) == CONNECTION_OK)
        PQclear(PQexec(ps->conn, "ROLLBACK"));
}

static rp_code pg_read_begin(rp_store *s, rp_error *err)
{
    pg_store *ps = s->impl;
    if (tx_open(ps)) {
        ps->read_nested++;
        return RP_OK;
    }
    if (ensure_connected(ps, err))
        return err->code;
    const char *sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    if (run_plain(ps, sql, "beginning a read", err)) {
        if (PQstatus(ps->conn) == CONNECTION_OK || reconnect(ps, err) ||
            run_plain(ps, sql, "beginning a read", err))
            return err->code;
    }
    ps->read_owned = 1;
    return RP_OK;
}

static void pg_read_end(rp_store *s)
{
    pg_store *ps = s->impl;
    if (ps->read_nested > 0) {
        ps->read_nested--;
        return;
    }
    if (!ps->read_owned)
        return;
    ps->read_owned = 0;
    if (PQstatus(ps->conn) != CONNECTION_OK)
        return;
    /* a read transaction has nothing to keep: COMMIT only lets go */
    PGresult *res = PQexec(ps->conn, "COMMIT");
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        PQclear(PQexec(ps->conn, "ROLLBACK"));
    PQclear(res);
}

/* ---- generic records ----------------------------------------------------- */

static rp_code check_columns(const rp_entity *e, json_t *row, rp_error *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(row, key, v) {
        (void)v;
        if (!rp_entity_column(e, key))
            return rp_error_set(err, RP_EINTERNAL, key, "%s has no column %s",
                                e->name, key);
    }
    return RP_OK;
}

/* Add the columns of e present in values, in catalogue order. */
static rp_code add_present(params *p, const rp_entity *e, json_t *values,
                           rp_error *err)
{
    for (size_t i = 0; i < e->ncolumns; i++) {
        json_t *v = json_object_get(values, e->columns[i].name);
        if (v && params_add_column(p, e, &e->columns[i], v, err))
            return err->code;
    }
    return RP_OK;
}

static rp_code pg_insert(rp_store *s, const rp_entity *e, json_t *row,
                         int64_t *id, rp_error *err)
{
    pg_store *ps = s->impl;
    if (check_columns(e, row, err))
        return err->code;
    rp_buf b = RP_BUF_INIT;
    rp_buf_printf(&b, "INSERT INTO %s (", e->table);
    int n = 0;
    for (size_t i = 0; i < e->ncolumns; i++)
        if (json_object_get(row, e->columns[i].name))
            rp_buf_printf(&b, "%s%s", n++ ? ", " : "", e->columns[i].name);
    if (n == 0)
        rp_buf_printf(&b, ") DEFAULT VALUES");
    else {
        rp_buf_printf(&b, ") VALUES (");
        for (int i = 0; i < n; i++)
            rp_buf_printf(&b, "%s$%d", i ? ", " : "", i + 1);
        rp_buf_printf(&b, ")");
    }
    rp_buf_printf(&b, " RETURNING id");
    params p = {0};
    PGresult *res = NULL;
    run_opts o = {.what = e->name, .ready_to_fail = 1};
    if (add_present(&p, e, row, err) || run_built(ps, &b, &p, &o, &res, err)) {
        rp_buf_free(&b);
        params_free(&p);
        return err->code;
    }
    params_free(&p);
    if (id)
        *id = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    return RP_OK;
}

static long long changed_rows(const PGresult *res)
{
    return strtoll(PQcmdTuples((PGresult *)res), NULL, 10);
}

static rp_code pg_update(rp_store *s, const rp_entity *e, int64_t id,
                         json_t *changes, rp_error *err)
{
    pg_store *ps = s->impl;
    if (e->append_only)
        return rp_error_refuse(err, RP_ECONFLICT, NULL, "kept_as_record", 0,
                               "%s records are append-only", e->name);
    if (check_columns(e, changes, err))
        return err->code;
    if (json_object_size(changes) == 0)
        return RP_OK;
    rp_buf b = RP_BUF_INIT;
    rp_buf_printf(&b, "UPDATE %s SET ", e->table);
    int n = 0;
    for (size_t i = 0; i < e->ncolumns; i++)
        if (json_object_get(changes, e->columns[i].name)) {
            rp_buf_printf(&b, "%s%s = $%d", n ? ", " : "", e->columns[i].name,
                          n + 1);
            n++;
        }
    rp_buf_printf(&b, " WHERE id = $%d", n + 1);
    params p = {0};
    PGresult *res = NULL;
    run_opts o = {.what = e->name, .ready_to_fail = 1};
    if (add_present(&p, e, changes, err) || params_add_int(&p, id, err) ||
        run_built(ps, &b, &p, &o, &res, err)) {
        rp_buf_free(&b);
        params_free(&p);
        return err->code;
    }
    params_free(&p);
    long long changed = changed_rows(res);
    PQclear(res);
    if (changed == 0)
        return rp_error_set(err, RP_ENOTFOUND, "id", "no %s with id %lld",
                            e->name, (long long)id);
    return RP_OK;
}

static void add_select_list(rp_buf *b, const rp_entity *e)
{
    rp_buf_printf(b, "SELECT id");
    for (size_t i = 0; i < e->ncolumns; i++)
        rp_buf_printf(b, ", %s", e->columns[i].name);
    rp_buf_printf(b, " FROM %s", e->table);
}

static rp_code pg_get(rp_store *s, const rp_entity *e, int64_t id, json_t **row,
                      rp_error *err)
{
    pg_store *ps = s->impl;
    rp_buf b = RP_BUF_INIT;
    add_select_list(&b, e);
    rp_buf_printf(&b, " WHERE id = $1");
    params p = {0};
    PGresult *res = NULL;
    run_opts o = {.what = e->name};
    if (params_add_int(&p, id, err) || run_built(ps, &b, &p, &o, &res, err)) {
        rp_buf_free(&b);
        params_free(&p);
        return err->code;
    }
    params_free(&p);
    if (PQntuples(res) == 0) {
        PQclear(res);
        return rp_error_set(err, RP_ENOTFOUND, "id", "no %s with id %lld",
                            e->name, (long long)id);
    }
    *row = entity_row(res, 0, e);
    PQclear(res);
    return RP_OK;
}

/* Add the WHERE clause of the filters and the page, and their values to
 * p.  CONTAINS compares the column's text, so that it also reads a JSON
 * column (a list of addresses) as SQLite's instr does. */
static rp_code add_where(rp_buf *b, params *p, const rp_filter *filters,
                         int nfilters, const rp_page *page, rp_error *err)
{
    int n = 0;
    for (int i = 0; i < nfilters; i++) {
        const rp_filter *f = &filters[i];
        rp_buf_printf(b, " %s ", n++ ? "AND" : "WHERE");
        if (f->op == RP_FILTER_CONTAINS) {
            char buf[256];
            snprintf(buf, sizeof buf, "%s", f->column);
            char *save = NULL;
            int k = 0;
            rp_buf_printf(b, "(");
            for (char *c = strtok_r(buf, "|", &save); c;
                 c = strtok_r(NULL, "|", &save)) {
                if (params_add_json(p, f->value, err))
                    return err->code;
                rp_buf_printf(b,
                              "%sstrpos(lower(%s::text), lower($%d::text))"
                              " > 0",
                              k++ ? " OR " : "", c, p->n);
            }
            rp_buf_printf(b, ")");
        } else if (f->op == RP_FILTER_IN) {
            rp_buf_printf(b, "%s IN (", f->column);
            for (size_t k = 0; k < json_array_size(f->value); k++) {
                if (params_add_json(p, json_array_get(f->value, k), err))
                    return err->code;
                rp_buf_printf(b, "%s$%d", k ? ", " : "", p->n);
            }
            if (json_array_size(f->value) == 0)
                rp_buf_printf(b, "NULL");
            rp_buf_printf(b, ")");
        } else if (f->op == RP_FILTER_EQ && json_is_null(f->value)) {
            rp_buf_printf(b, "%s IS NULL", f->column);
        } else {
            if (params_add_json(p, f->value, err))
                return err->code;
            rp_buf_printf(b, "%s %s $%d", f->column, rp_filter_op_sql(f->op),
                          p->n);
        }
    }
    if (page && page->after_id > 0) {
        if (params_add_int(p, page->after_id, err))
            return err->code;
        rp_buf_printf(b, " %s id %s $%d", n++ ? "AND" : "WHERE",
                      page->descending ? "<" : ">", p->n);
    }
    return RP_OK;
}

static rp_code pg_list(rp_store *s, const rp_entity *e,
                       const rp_filter *filters, int nfilters,
                       const rp_page *page, json_t **rows, rp_error *err)
{
    pg_store *ps = s->impl;
    for (int i = 0; i < nfilters; i++)
        if (rp_filter_check_columns(e, &filters[i], err))
            return err->code;
    rp_buf b = RP_BUF_INIT;
    params p = {0};
    PGresult *res = NULL;
    run_opts o = {.what = e->name};
    add_select_list(&b, e);
    if (add_where(&b, &p, filters, nfilters, page, err) ||
        params_add_int(&p, page && page->limit > 0 ? page->limit : 100, err))
        goto fail;
    rp_buf_printf(&b, " ORDER BY id %s LIMIT $%d",
                  page && page->descending ? "DESC" : "ASC", p.n);
    if (run_built(ps, &b, &p, &o, &res, err))
        goto fail;
    params_free(&p);
    json_t *out = json_array();
    for (int r = 0; r < PQntuples(res); r++)
        json_array_append_new(out, entity_row(res, r, e));
    PQclear(res);
    *rows = out;
    return RP_OK;
fail:
    rp_buf_free(&b);
    params_free(&p);
    return err->code;
}

static rp_code pg_count(rp_store *s, const rp_entity *e,
                        const rp_filter *filters, int nfilters, int64_t *count,
                        rp_error *err)
{
    pg_store *ps = s->impl;
    for (int i = 0; i < nfilters; i++)
        if (rp_filter_check_columns(e, &filters[i], err))
            return err->code;
    rp_buf b = RP_BUF_INIT;
    params p = {0};
    PGresult *res = NULL;
    run_opts o = {.what = e->name};
    rp_buf_printf(&b, "SELECT count(*) FROM %s", e->table);
    if (add_where(&b, &p, filters, nfilters, NULL, err) ||
        run_built(ps, &b, &p, &o, &res, err)) {
        rp_buf_free(&b);
        params_free(&p);
        return err->code;
    }
    params_free(&p);
    *count = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return RP_OK;
}

static rp_code pg_remove(rp_store *s, const rp_entity *e, int64_t id,
                         rp_error *err)
{
    pg_store *ps = s->impl;
    if (e->append_only)
        return rp_error_refuse(err, RP_ECONFLICT, NULL, "kept_as_record", 0,
                               "%s records are append-only", e->name);
    rp_buf b = RP_BUF_INIT;
    rp_buf_printf(&b, "DELETE FROM %s WHERE id = $1", e->table);
    params p = {0};
    PGresult *res = NULL;
    run_opts o = {.what = e->name, .ready_to_fail = 1};
    if (params_add_int(&p, id, err) || run_built(ps, &b, &p, &o, &res, err)) {
        rp_buf_free(&b);
        params_free(&p);
        return err->code;
    }
    params_free(&p);
    long long changed = changed_rows(res);
    PQclear(res);
    if (changed == 0)
        return rp_error_set(err, RP_ENOTFOUND, "id", "no %s with id %lld",
                            e->name, (long long)id);
    return RP_OK;
}

/* ---- named queries ------------------------------------------------------- */

static rp_code run_named(pg_store *ps, rp_query q, json_t *params_in,
                         PGresult **out, rp_error *err)
{
    const char *sql = rp_pg_query_sql(q);
    if (!sql)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "query %s has no SQL in the postgresql backend",
                            rp_query_name(q));
    if (params_in && !json_is_array(params_in))
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "%s: parameters must be an array",
                            rp_query_name(q));
    params p = {0};
    for (size_t i = 0; i < json_array_size(params_in); i++)
        if (params_add_json(&p, json_array_get(params_in, i), err)) {
            params_free(&p);
            return err->code;
        }
    run_opts o = {
        .what = rp_query_name(q), .count_params = 1, .ready_to_fail = 1};
    rp_code rc = run(ps, sql, &p, &o, out, err);
    params_free(&p);
    return rc;
}

static rp_code pg_query(rp_store *s, rp_query q, json_t *params_in,
                        json_t **rows, rp_error *err)
{
    PGresult *res = NULL;
    if (run_named(s->impl, q, params_in, &res, err))
        return err->code;
    json_t *out = json_array();
    for (int r = 0; r < PQntuples(res); r++)
        json_array_append_new(out, generic_row(res, r));
    PQclear(res);
    *rows = out;
    return RP_OK;
}

static rp_code pg_exec(rp_store *s, rp_query q, json_t *params_in,
                       int64_t *changes, rp_error *err)
{
    PGresult *res = NULL;
    if (run_named(s->impl, q, params_in, &res, err))
        return err->code;
    if (changes)
        *changes = changed_rows(res);
    PQclear(res);
    return RP_OK;
}

/* Like exec, with lock_timeout at its least (0 would mean "for ever"). */
static rp_code pg_try_exec(rp_store *s, rp_query q, json_t *params_in,
                           int64_t *changes, rp_error *err)
{
    pg_store *ps = s->impl;
    rp_error ignored;
    if (ensure_connected(ps, err))
        return err->code;
    if (tx_open(ps)) {
        if (run_plain(ps, "SET LOCAL lock_timeout = 1", "setting no wait", err))
            return err->code;
        rp_code rc = pg_exec(s, q, params_in, changes, err);
        char sql[64];
        snprintf(sql, sizeof sql, "SET LOCAL lock_timeout = %d",
                 begin_wait(ps));
        run_plain(ps, sql, "setting the wait back", &ignored);
        return rc;
    }
    if (session_timeout(ps, 1, err))
        return err->code;
    PGresult *res = NULL;
    rp_code rc = RP_OK;
    const char *sql = rp_pg_query_sql(q);
    if (!sql)
        return pg_exec(s, q, params_in, changes, err);
    /* run it here rather than through run(), which would give the
     * session its usual wait first */
    params p = {0};
    for (size_t i = 0; i < json_array_size(params_in) && rc == RP_OK; i++)
        rc = params_add_json(&p, json_array_get(params_in, i), err);
    run_opts o = {.what = rp_query_name(q), .count_params = 1};
    if (rc == RP_OK)
        rc = run_once(ps, sql, &p, &o, &res, err);
    params_free(&p);
    if (rc == RP_OK) {
        if (changes)
            *changes = changed_rows(res);
        PQclear(res);
    }
    return rc;
}

/* A savepoint of a fixed name: the store's one mark. */
static rp_code pg_mark(rp_store *s, rp_error *err)
{
    pg_store *ps = s->impl;
    if (!ps->in_write)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "marking a savepoint: no transaction is open");
    if (run_plain(ps, "SAVEPOINT rp_mark", "marking a savepoint", err))
        return err->code;
    ps->marked = 1;
    return RP_OK;
}

static rp_code pg_unmark(rp_store *s, rp_error *err)
{
    pg_store *ps = s->impl;
    if (!ps->marked)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "releasing a savepoint: there is no mark");
    ps->marked = 0;
    return run_plain(ps, "RELEASE SAVEPOINT rp_mark", "releasing a savepoint",
                     err);
}

static void pg_undo_to_mark(rp_store *s)
{
    pg_store *ps = s->impl;
    rp_error err;
    if (!ps->marked || PQstatus(ps->conn) != CONNECTION_OK)
        return;
    ps->marked = 0;
    if (run_plain(ps, "ROLLBACK TO SAVEPOINT rp_mark", "undoing to a mark",
                  &err) == RP_OK)
        run_plain(ps, "RELEASE SAVEPOINT rp_mark", "releasing a savepoint",
                  &err);
}

/*
 * Could a write begin now?  Not by queueing for the writers' lock, as on
 * SQLite: here the servers sharing the database pass it between them all
 * the time, and under load a wait of half a second says only that they
 * are busy, not that this one is unwell (a load balancer that believed
 * it would take every server out at once).  A write that waits longer
 * than its allowance gets its own 503.  What is asked instead is whether
 * the database takes writes at all: reached, not a standby in recovery,
 * not read-only.
 */
static rp_code pg_probe_write(rp_store *s, rp_error *err)
{
    pg_store *ps = s->impl;
    if (tx_open(ps))
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "a transaction is already open");
    if (ensure_connected(ps, err))
        return err->code;
    PGresult *res = PQexec(ps->conn,
                           "SELECT pg_is_in_recovery() OR"
                           " current_setting('default_transaction_read_only')"
                           " = 'on'");
    if (PQresultStatus(res) != PGRES_TUPLES_OK &&
        PQstatus(ps->conn) != CONNECTION_OK) {
        PQclear(res);
        if (reconnect(ps, err))
            return err->code;
        res = PQexec(ps->conn,
                     "SELECT pg_is_in_recovery() OR"
                     " current_setting('default_transaction_read_only')"
                     " = 'on'");
    }
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return pg_fail(ps, res, "checking that the database takes writes", err);
    int read_only = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (read_only)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "the database takes no changes: it is a standby "
                            "or read-only");
    return RP_OK;
}

/* Prepare under a name of its own and deallocate at once: a check of every
 * query must not evict the statements the connection is really using. */
static rp_code pg_check(rp_store *s, rp_query q, rp_error *err)
{
    pg_store *ps = s->impl;
    const char *sql = rp_pg_query_sql(q);
    if (!sql)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "query %s has no SQL in the postgresql backend",
                            rp_query_name(q));
    if (ensure_connected(ps, err))
        return err->code;
    if (ps->in_write && run_plain(ps, "SAVEPOINT rp_step", "checking", err))
        return err->code;
    PGresult *res = PQprepare(ps->conn, "rp_check", sql, 0, NULL);
    rp_code rc = RP_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        char msg[RP_ERROR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "%s",
                 PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                     ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                     : PQerrorMessage(ps->conn));
        rc = rp_error_set(err, RP_EINTERNAL, NULL, "query %s: %s",
                          rp_query_name(q), msg);
    } else {
        PQclear(PQexec(ps->conn, "DEALLOCATE rp_check"));
    }
    PQclear(res);
    if (ps->in_write) {
        rp_error ignored;
        if (rc != RP_OK)
            run_plain(ps, "ROLLBACK TO SAVEPOINT rp_step", "checking",
                      &ignored);
        run_plain(ps, "RELEASE SAVEPOINT rp_step", "checking", &ignored);
    }
    return rc;
}

/*
 * After an erasure: nothing to do beyond the commit that made it.  SQLite
 * keeps erased bytes in its write-ahead log file until a checkpoint the
 * application asks for; PostgreSQL's server owns its log and its files:
 * the erased rows are gone from every read at commit, their old versions
 * are reclaimed by autovacuum and the log segments recycled by the server
 * as it goes.  Nothing a client can ask for makes that happen at once
 * (VACUUM frees the space but does not zero it), so a desk that needs the
 * bytes gone from the disk keeps PostgreSQL's files on an encrypted
 * volume.
 */
static rp_code pg_scrub(rp_store *s, rp_error *err)
{
    (void)s;
    (void)err;
    return RP_OK;
}

static rp_code pg_backup(rp_store *s, const char *path, int replace,
                         json_t **report, rp_error *err)
{
    (void)s;
    (void)path;
    (void)replace;
    *report = NULL;
    return rp_error_set(err, RP_EINVALID, NULL,
                        "a PostgreSQL database is backed up with PostgreSQL's "
                        "own tools: use pg_dump (and pg_restore to put it "
                        "back)");
}

static void pg_set_busy_wait(rp_store *s, int ms)
{
    pg_store *ps = s->impl;
    ps->wait_ms = ms > 0 ? ms : 0;
    ps->per_request = 1;
    ps->deadline_ms = now_ms() + ps->wait_ms;
}

static int pg_schema_version(rp_store *s)
{
    return ((pg_store *)s->impl)->version;
}

static void pg_close(rp_store *s)
{
    pg_store *ps = s->impl;
    forget_statements(ps);
    PQfinish(ps->conn);
    free(ps);
}

struct pg_conn *rp_pg_conn(rp_store *s)
{
    return ((pg_store *)s->impl)->conn;
}

rp_code rp_pg_fail(rp_store *s, PGresult *res, const char *what, rp_error *err)
{
    return pg_fail(s->impl, res, what, err);
}

static const rp_store_ops pg_ops = {
    .backend = "postgresql",
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .insert = pg_insert,
    .update = pg_update,
    .get = pg_get,
    .list = pg_list,
    .count = pg_count,
    .remove = pg_remove,
    .query = pg_query,
    .exec = pg_exec,
    .check = pg_check,
    .schema_version = pg_schema_version,
    .close = pg_close,
    .set_busy_wait = pg_set_busy_wait,
    .try_exec = pg_try_exec,
    .probe_write = pg_probe_write,
    .backup = pg_backup,
    .mark = pg_mark,
    .unmark = pg_unmark,
    .undo_to_mark = pg_undo_to_mark,
    .scrub = pg_scrub,
    .read_begin = pg_read_begin,
    .read_end = pg_read_end,
    .copy_tables = rp_pg_copy_tables,
    .copy_read = rp_pg_copy_read,
    .copy_count = rp_pg_copy_count,
    .copy_progress = rp_pg_copy_progress,
    .copy_write = rp_pg_copy_write,
    .copy_seal = rp_pg_copy_seal,
    .copy_forget = rp_pg_copy_forget,
};

/* ---- opening and migrating ----------------------------------------------- */

int rp_store_pg_latest_version(void)
{
    return rp_pg_nmigrations > 0
               ? rp_pg_migrations[rp_pg_nmigrations - 1].version
               : 0;
}

/* The schema version, read without a lock; -1 when there is no version
 * table yet (a new database) or it cannot be read now. */
static int version_quietly(pg_store *ps)
{
    PGresult *res = PQexec(ps->conn, "SELECT coalesce(max(version), 0)"
                                     " FROM schema_version");
    int version = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res)
                      ? atoi(PQgetvalue(res, 0, 0))
                      : -1;
    PQclear(res);
    return version;
}

/* The server's words for why res failed, for a migration's message. */
static void why_failed(const pg_store *ps, const PGresult *res, char *out,
                       size_t n)
{
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                              : NULL;
    snprintf(out, n, "%s", primary ? primary : PQerrorMessage(ps->conn));
    size_t len = strlen(out);
    while (len > 0 && out[len - 1] == '\n')
        out[--len] = '\0';
}

/* Apply migration m in a transaction of its own, recording it. */
static rp_code apply_migration(pg_store *ps, const rp_pg_migration *m,
                               rp_error *err)
{
    char why[256];
    PGresult *res = PQexec(ps->conn, "BEGIN");
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    res = ok ? PQexec(ps->conn, m->sql) : NULL;
    ok = ok && (PQresultStatus(res) == PGRES_COMMAND_OK ||
                PQresultStatus(res) == PGRES_TUPLES_OK);
    if (ok) {
        PQclear(res);
        char version[16], now[32];
        snprintf(version, sizeof version, "%d", m->version);
        snprintf(now, sizeof now, "%lld", (long long)rp_now());
        const char *values[] = {version, now};
        res = PQexecParams(ps->conn,
                           "INSERT INTO schema_version (version, applied_at)"
                           " VALUES ($1, $2)",
                           2, NULL, values, NULL, NULL, 0);
        ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    }
    if (ok) {
        PQclear(res);
        res = PQexec(ps->conn, "COMMIT");
        ok = PQresultStatus(res) == PGRES_COMMAND_OK &&
             strcmp(PQcmdStatus(res), "COMMIT") == 0;
    }
    if (ok) {
        PQclear(res);
        return RP_OK;
    }
    why_failed(ps, res, why, sizeof why);
    rp_log(RP_LOG_ERROR, "store: a migration failed", "error", why,
           (char *)NULL);
    PQclear(res);
    PQclear(PQexec(ps->conn, "ROLLBACK"));
    if (PQstatus(ps->conn) != CONNECTION_OK)
        return unreachable(err);
    return rp_error_set(err, RP_EINTERNAL, NULL, "migration %d (%s) failed: %s",
                        m->version, m->description, why);
}

static rp_code migrate_locked(pg_store *ps, int target, rp_error *err)
{
    int latest = rp_store_pg_latest_version();
    rp_error ignored;
    if (run_plain(ps,
                  "CREATE TABLE IF NOT EXISTS schema_version ("
                  " version integer PRIMARY KEY,"
                  " applied_at bigint NOT NULL)",
                  "making the schema version table", err))
        return err->code;
    int version = version_quietly(ps);
    if (version < 0)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "the schema version cannot be read");
    if (version > latest)
        return rp_error_set(err, RP_ESCHEMA, NULL,
                            "the database schema is at version %d but this "
                            "rapport knows versions up to %d; use a newer "
                            "rapport",
                            version, latest);
    for (int i = 0; i < rp_pg_nmigrations; i++) {
        const rp_pg_migration *m = &rp_pg_migrations[i];
        if (m->version <= version || m->version > target)
            continue;
        if (apply_migration(ps, m, err))
            return err->code;
        version = m->version;
    }
    (void)ignored;
    ps->version = version;
    return RP_OK;
}

/*
 * Bring the schema to target: look first without a lock (nearly every open
 * finds it current, and then waits for no other server); otherwise take
 * the migration lock, which a server already migrating holds, and look
 * again under it.
 */
static rp_code migrate(pg_store *ps, int target, rp_error *err)
{
    int latest = rp_store_pg_latest_version();
    if (target <= 0 || target > latest)
        target = latest;
    int current = version_quietly(ps);
    if (current >= target && current <= latest) {
        ps->version = current;
        return RP_OK;
    }
    char sql[96];
    if (session_timeout(ps, MIGRATION_WAIT_MS, err))
        return err->code;
    snprintf(sql, sizeof sql, "SELECT pg_advisory_lock(%lld)",
             MIGRATION_LOCK_KEY);
    if (run_plain(ps, sql, "waiting for another server's migration", err))
        return err->code;
    rp_code rc = migrate_locked(ps, target, err);
    snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(%lld)",
             MIGRATION_LOCK_KEY);
    rp_error ignored;
    run_plain(ps, sql, "ending the migration", &ignored);
    return rc;
}

rp_code rp_store_pg_open(const char *conninfo, int target_version,
                         rp_store **out, rp_error *err)
{
    *out = NULL;
    if (target_version >= 0 && rp_store_pg_latest_version() == 0)
        return rp_error_set(err, RP_EINVALID, "db",
                            "this rapport was built without the PostgreSQL "
                            "schema (src/store/pg_schema.c); build it from a "
                            "tree that has it");
    pg_store *ps = calloc(1, sizeof *ps);
    if (!ps)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    ps->base.ops = &pg_ops;
    ps->base.impl = ps;
    ps->wait_ms = RP_STORE_BUSY_WAIT_MS;
    ps->session_timeout = -1;
    ps->conn = connect_to(conninfo);
    if (!ps->conn || PQstatus(ps->conn) != CONNECTION_OK) {
        char why[256];
        why_failed(ps, NULL, why, sizeof why);
        rp_error_set(err, RP_EBUSY, "db",
                     "the PostgreSQL database cannot be reached: %s", why);
        PQfinish(ps->conn);
        free(ps);
        return err->code;
    }
    rp_code rc = session_timeout(ps, ps->wait_ms, err);
    if (rc == RP_OK && target_version >= 0)
        rc = migrate(ps, target_version, err);
    else if (rc == RP_OK)
        ps->version = version_quietly(ps) > 0 ? version_quietly(ps) : 0;
    if (rc == RP_OK)
        rc = session_timeout(ps, ps->wait_ms, err);
    if (rc != RP_OK) {
        pg_close(&ps->base);
        return rc;
    }
    *out = &ps->base;
    return RP_OK;
}

int rp_store_pg_is_keyword_string(const char *name)
{
    size_t i = 0;
    while (name[i] == ' ' || name[i] == '\t')
        i++;
    size_t start = i;
    while ((name[i] >= 'a' && name[i] <= 'z') ||
           (name[i] >= 'A' && name[i] <= 'Z') || name[i] == '_')
        i++;
    if (i == start)
        return 0;
    while (name[i] == ' ' || name[i] == '\t')
        i++;
    return name[i] == '=';
}

/*
 * The connection string a target names: after "postgres:" or
 * "postgresql:" the rest of a URI ("//host/db"), or a whole keyword
 * string (store.c passes those on unchanged).  Fills *out (malloc'd).
 */
static rp_code conninfo_of(const char *target, char **out, rp_error *err)
{
    *out = NULL;
    if (strncmp(target, "//", 2) == 0) {
        size_t n = strlen(target);
        char *s = malloc(n + sizeof "postgresql:");
        if (!s)
            return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
        memcpy(s, "postgresql:", sizeof "postgresql:" - 1);
        memcpy(s + sizeof "postgresql:" - 1, target, n + 1);
        *out = s;
        return RP_OK;
    }
    if (rp_store_pg_is_keyword_string(target)) {
        *out = strdup(target);
        return *out ? RP_OK
                    : rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    }
    return rp_error_set(err, RP_EINVALID, "db",
                        "a PostgreSQL database is named by a URI, "
                        "postgres://[USER@]HOST[:PORT]/DATABASE, or by a "
                        "libpq keyword string (host=... dbname=...)");
}

static rp_code open_latest(const char *target, rp_store **out, rp_error *err)
{
    char *conninfo;
    if (conninfo_of(target, &conninfo, err))
        return err->code;
    rp_code rc = rp_store_pg_open(conninfo, 0, out, err);
    free(conninfo);
    return rc;
}

static rp_code pg_restore_refused(const char *file, const char *target,
                                  int replace, json_t **report, rp_error *err)
{
    (void)file;
    (void)target;
    (void)replace;
    *report = NULL;
    return rp_error_set(err, RP_EINVALID, "db",
                        "a PostgreSQL database is restored with PostgreSQL's "
                        "own tools: use pg_restore on a pg_dump backup");
}

/* Several servers share a PostgreSQL database by design, and no restore
 * of this program replaces it: there is nothing to hold. */
static rp_code pg_claim(const char *target, void **hold, rp_error *err)
{
    (void)target;
    (void)err;
    *hold = NULL;
    return RP_OK;
}

static void pg_release(void *hold)
{
    (void)hold;
}

static rp_code pg_describe(const char *target, json_t **out, rp_error *err)
{
    *out = NULL;
    char *conninfo;
    if (conninfo_of(target, &conninfo, err))
        return err->code;
    rp_store *s = NULL;
    rp_code rc = rp_store_pg_open(conninfo, -1, &s, err);
    free(conninfo);
    if (rc != RP_OK) {
        char msg[RP_ERROR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "%s", err->message);
        return rp_error_set(err, RP_EINVALID, "db", "%s", msg);
    }
    int version = version_quietly(s->impl);
    rp_store_close(s);
    int latest = rp_store_pg_latest_version();
    if (version > latest)
        return rp_error_set(err, RP_ESCHEMA, "db",
                            "the database schema is at version %d but this "
                            "rapport knows versions up to %d; use a newer "
                            "rapport",
                            version, latest);
    *out = json_pack("{s:b, s:i, s:i}", "exists", version > 0, "schema_version",
                     version > 0 ? version : 0, "latest_schema_version",
                     latest);
    return RP_OK;
}

const rp_store_backend rp_store_pg_backend = {
    "postgres", open_latest, pg_restore_refused,
    pg_claim,   pg_release,  pg_describe,
    1};

const rp_store_backend rp_store_postgresql_backend = {"postgresql",
                                                      open_latest,
                                                      pg_restore_refused,
                                                      pg_claim,
                                                      pg_release,
                                                      pg_describe,
                                                      1};
