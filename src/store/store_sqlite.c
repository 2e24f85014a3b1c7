/*
 * store_sqlite.c - the SQLite backend of the store interface (store.h).
 *
 * One rp_store reads on a SQLite connection of its own; the server keeps a
 * pool of them.  Its write transactions run on the one connection the
 * process shares for writing to the file, in turn (the writer, below).
 * The database runs in WAL mode, and a write the store returned for has
 * reached the disk, so every write the API acknowledged survives a crash
 * or a power cut.  The connections of a process to one file take turns to
 * write in arrival order and share the flushes of the log, one flush for
 * every commit made while the last was under way (sqlite_commit.c): that
 * is as durable as synchronous=FULL, which flushes once per commit while
 * holding the write lock.  Foreign keys are on.  Every statement is prepared
 * with bound values and kept in a small per-connection cache; identifiers in
 * the generated statements only ever come from the entity catalogue.
 */
#include "base/log.h"
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/json.h"
#include "store/sqlite_commit.h"
#include "store/sqlite_internal.h"
#include "store/store_sqlite.h"

#define STMT_CACHE_SIZE 96

typedef struct cached_stmt {
    char *sql;
    sqlite3_stmt *stmt;
} cached_stmt;

struct sqlite_store;

/* A store's write transaction, done in the writer's batch and waiting for
 * the batch to end (commit_in_batch). */
typedef struct sq_member {
    rp_sqlite_member node; /* first: the list is of nodes */
    rp_code code;          /* RP_OK: committed and flushed; else why not */
    rp_error err;
} sq_member;

/* One SQLite connection, its prepared statements, and whether it has
 * committed since the log was last known flushed. */
typedef struct sq_conn {
    sqlite3 *db;
    cached_stmt cache[STMT_CACHE_SIZE];
    int next_evict;
    /* the named queries, each prepared once on first use and kept for
     * the connection's life: found by number, never evicted (the cache
     * above, searched by text, holds the statements built from the
     * entity catalogue) */
    sqlite3_stmt *named[RP_QUERY_COUNT];
    int unsynced;
    /* the generation of the planner's statistics this connection loaded
     * (statistics_generation) */
    unsigned statistics_seen;
    /* the writer's: the store using it (whose waits on_busy counts); the
     * write transactions done in its open batch, and when the first of
     * them was done */
    struct sqlite_store *user;
    sq_member *members;
    int nmembers;
    int64_t batch_began_ms;
} sq_conn;

typedef struct sqlite_store {
    rp_store base;
    /* the connection in use: the store's own, or, while the store holds
     * the file's write turn, the writer the process's write transactions
     * share (take_turn says why); db is conn->db */
    sqlite3 *db;
    sq_conn *conn;
    sq_conn own;
    int version;
    /* waiting for locks other connections hold (on_busy) */
    int wait_ms;     /* how long to wait in all before RP_EBUSY */
    int waited_ms;   /* how long the connection has waited so far */
    int per_request; /* 1: waited_ms adds up until set_busy_wait */
    int nowait;      /* 1: fail at once (best-effort writes, probes) */
    /* read_begin: reads begun inside a transaction already open (they end
     * nothing), and whether the connection's read transaction is its own */
    int read_nested;
    int read_owned;
    /* the file's write queue and group commit (sqlite_commit.c); NULL
     * when every commit flushes on its own (in-memory databases, or
     * RAPPORT_SQLITE_COMMIT=each) */
    rp_sqlite_group *group;
    int in_turn;      /* holds the file's write turn */
    int in_savepoint; /* its write transaction is open on the writer */
    uint64_t serial;  /* this store among the process's (data_version) */
} sqlite_store;

/* ---- errors -------------------------------------------------------------- */

/* Is the file system holding path nearly full, or is one of the files
 * near this process's file-size limit?  A write error SQLite reports as
 * plain I/O (EFBIG past RLIMIT_FSIZE, or an errno lost on the way) is told
 * apart from a failing disk this way. */
static int storage_exhausted(const char *path)
{
    const off_t margin = 1024 * 1024; /* a transaction's worth of pages */
    if (!path || !*path)
        return 0;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    struct statvfs fs;
    if (statvfs(slash ? dir : ".", &fs) == 0 &&
        (off_t)fs.f_bavail * (off_t)fs.f_frsize < margin)
        return 1;
    struct rlimit rl;
    if (getrlimit(RLIMIT_FSIZE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return 0;
    char wal[4200];
    snprintf(wal, sizeof wal, "%s-wal", path);
    const char *files[] = {path, wal};
    for (int i = 0; i < 2; i++) {
        struct stat st;
        if (stat(files[i], &st) == 0 &&
            st.st_size + margin > (off_t)rl.rlim_cur)
            return 1;
    }
    return 0;
}

/* Did the last failure come from a full disk (or a file-size limit)?
 * SQLite says SQLITE_FULL for ENOSPC, but an EFBIG or EDQUOT write is an
 * I/O error whose cause only the system error number, or the state of the
 * disk, tells. */
static int out_of_space(sqlite_store *ss, int rc)
{
    if ((rc & 0xff) == SQLITE_FULL)
        return 1;
    if ((rc & 0xff) != SQLITE_IOERR)
        return 0;
    int e = sqlite3_system_errno(ss->db);
    return e == ENOSPC || e == EFBIG || e == EDQUOT ||
           storage_exhausted(sqlite3_db_filename(ss->db, "main"));
}

/*
 * Turn the connection's last failure into an rp_error.  SQLite's own text
 * names files, tables, columns and pieces of SQL: it goes to the log
 * (standard error), never into the message, which a client may be shown.
 * A busy database and a full disk are told apart from other failures, so
 * the server can answer them as temporary (503) and as storage (507).
 */
static rp_code db_error(sqlite_store *ss, rp_error *err, const char *what)
{
    int rc = sqlite3_extended_errcode(ss->db);
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return rp_error_set(err, RP_EBUSY, NULL,
                            "the database is busy with another change; "
                            "nothing was changed, try again in a moment");
    if (out_of_space(ss, rc)) {
        char codes[64];
        snprintf(codes, sizeof codes, "%d", rc);
        rp_log(RP_LOG_ERROR, "store: out of space", "doing", what, "error",
               sqlite3_errmsg(ss->db), "code", codes, "errno",
               strerror(sqlite3_system_errno(ss->db)), (char *)NULL);
        return rp_error_set(err, RP_ENOSPACE, NULL,
                            "the disk holding the database is full; nothing "
                            "was saved (free some space, then try again)");
    }
    char code[32];
    snprintf(code, sizeof code, "%d", rc);
    rp_log(RP_LOG_ERROR, "store: the database failed", "doing", what, "error",
           sqlite3_errmsg(ss->db), "code", code, (char *)NULL);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return rp_error_refuse(err, RP_ECONFLICT, NULL, "taken", 0,
                               "%s: the change conflicts with a record already "
                               "stored",
                               what);
    return rp_error_set(err, RP_EINTERNAL, NULL,
                        "%s: the database failed (the server's log says how)",
                        what);
}

/* A statement that failed to run: report it, then reset it.  Left as it
 * is, it would keep its read transaction open on the connection, and in
 * WAL mode a later BEGIN IMMEDIATE on an old snapshot fails at once as
 * busy, however long it waits (the connection would stay "busy" after the
 * other writer is long gone). */
static rp_code step_error(sqlite_store *ss, sqlite3_stmt *st, rp_error *err,
                          const char *what)
{
    rp_code rc = db_error(ss, err, what);
    sqlite3_reset(st);
    return rc;
}

/* ---- waiting for another writer ----------------------------------------- */

/*
 * SQLite's busy handler: called while another connection (a thread of the
 * server, the CLI, a backup) holds a lock this one needs.  Sleep a little
 * and try again, until the connection has waited wait_ms: per statement
 * when told nothing, per request once the server has called set_busy_wait,
 * so that a request's waits add up to a bounded time and it then answers
 * "busy" instead of hanging.
 */
static int on_busy(void *arg, int count)
{
    sqlite_store *ss = arg;
    if (ss->nowait)
        return 0;
    if (!ss->per_request && count == 0)
        ss->waited_ms = 0;
    int left = ss->wait_ms - ss->waited_ms;
    if (left <= 0)
        return 0;
    int step = count < 4 ? 2 << count : 25; /* 2, 4, 8, 16, then 25 ms */
    if (step > left)
        step = left;
    sqlite3_sleep(step);
    ss->waited_ms += step;
    return 1;
}

static void sq_set_busy_wait(rp_store *s, int ms)
{
    sqlite_store *ss = s->impl;
    ss->wait_ms = ms > 0 ? ms : 0;
    ss->waited_ms = 0;
    ss->per_request = 1;
}

/* ---- statement cache ----------------------------------------------------- */

static rp_code prepare(sqlite_store *ss, const char *sql, sqlite3_stmt **out,
                       rp_error *err)
{
    sq_conn *conn = ss->conn;
    for (int i = 0; i < STMT_CACHE_SIZE; i++) {
        cached_stmt *c = &conn->cache[i];
        if (c->sql && strcmp(c->sql, sql) == 0) {
            sqlite3_reset(c->stmt);
            sqlite3_clear_bindings(c->stmt);
            *out = c->stmt;
            return RP_OK;
        }
    }
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v3(ss->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt,
                           NULL) != SQLITE_OK)
        return db_error(ss, err, "preparing a statement");
    cached_stmt *slot = &conn->cache[conn->next_evict];
    conn->next_evict = (conn->next_evict + 1) % STMT_CACHE_SIZE;
    if (slot->stmt)
        sqlite3_finalize(slot->stmt);
    free(slot->sql);
    slot->sql = strdup(sql);
    slot->stmt = stmt;
    if (!slot->sql) {
        sqlite3_finalize(stmt);
        slot->stmt = NULL;
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    }
    *out = stmt;
    return RP_OK;
}

/* Prepare the statement built in b (through the cache) and free b; a
 * buffer that failed to grow is reported instead of run cut short. */
static rp_code prepare_built(sqlite_store *ss, rp_buf *b, sqlite3_stmt **out,
                             rp_error *err)
{
    rp_code rc = b->failed
                     ? rp_error_set(err, RP_EINTERNAL, NULL, "out of memory")
                     : prepare(ss, rp_buf_str(b), out, err);
    rp_buf_free(b);
    return rc;
}

/* Run a statement that returns nothing, without caching (pragmas, DDL). */
static rp_code run_once(sqlite_store *ss, const char *sql, rp_error *err)
{
    const char *tail = sql;
    while (tail && *tail) {
        sqlite3_stmt *stmt = NULL;
        if (sqlite3_prepare_v2(ss->db, tail, -1, &stmt, &tail) != SQLITE_OK)
            return db_error(ss, err, "preparing a schema statement");
        if (!stmt)
            break; /* only whitespace or comments were left */
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
            ;
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE)
            return db_error(ss, err, "running a schema statement");
    }
    return RP_OK;
}

/* ---- binding and reading values ----------------------------------------- */

static rp_code bind_json(sqlite_store *ss, sqlite3_stmt *st, int idx, json_t *v,
                         rp_error *err)
{
    int rc;
    switch (json_typeof(v)) {
    case JSON_INTEGER:
        rc = sqlite3_bind_int64(st, idx, json_integer_value(v));
        break;
    case JSON_REAL:
        rc = sqlite3_bind_double(st, idx, json_real_value(v));
        break;
    case JSON_STRING:
        rc = sqlite3_bind_text(st, idx, json_string_value(v),
                               (int)json_string_length(v), SQLITE_TRANSIENT);
        break;
    case JSON_TRUE: rc = sqlite3_bind_int(st, idx, 1); break;
    case JSON_FALSE: rc = sqlite3_bind_int(st, idx, 0); break;
    case JSON_NULL: rc = sqlite3_bind_null(st, idx); break;
    default: {
        char *text = json_dumps(v, JSON_COMPACT);
        if (!text)
            return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
        rc = sqlite3_bind_text(st, idx, text, -1, free);
        break;
    }
    }
    if (rc != SQLITE_OK)
        return db_error(ss, err, "binding a value");
    return RP_OK;
}

/* Bind v for a column of the given type, checking that the domain passed
 * the representation the catalogue promises. */
static rp_code bind_column(sqlite_store *ss, sqlite3_stmt *st, int idx,
                           const rp_entity *e, const rp_column *c, json_t *v,
                           rp_error *err)
{
    if (json_is_null(v))
        return bind_json(ss, st, idx, v, err);
    int ok = 1;
    switch (c->type) {
    case RP_COL_INT:
    case RP_COL_TIME: ok = json_is_integer(v); break;
    case RP_COL_REAL: ok = json_is_number(v); break;
    case RP_COL_TEXT: ok = json_is_string(v); break;
    case RP_COL_BOOL: ok = json_is_boolean(v); break;
    case RP_COL_JSON:
        if (json_is_string(v) || json_is_number(v) || json_is_boolean(v)) {
            char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            if (!text)
                return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
            if (sqlite3_bind_text(st, idx, text, -1, free) != SQLITE_OK)
                return db_error(ss, err, "binding a value");
            return RP_OK;
        }
        break;
    }
    if (!ok)
        return rp_error_set(err, RP_EINTERNAL, c->name,
                            "%s.%s: value of the wrong type for the store",
                            e->name, c->name);
    return bind_json(ss, st, idx, v, err);
}

static json_t *time_value(sqlite3_int64 t)
{
    char buf[RP_TIME_MAX];
    rp_time_format(t, buf);
    return json_string(buf);
}

/* The common stored JSON read without json_loads, whose set-up and
 * reading a character at a time through a callback cost more than the
 * rest of reading a row: a compact array (as rp_json_write and jansson
 * store it) of strings with nothing escaped (emails, phones, a
 * satisfaction answer's words), of plain integers, and of arrays and
 * objects of those (a customer's relationship reasons: level, why and
 * encounter ids).  NULL: anything else (whitespace, escapes, numbers with
 * a sign, fraction or exponent, true, false, null, deep nesting), for
 * json_loads, so what is read is what json_loads would read. */
static json_t *simple_value(const char **pp, int depth);

/* A string with nothing escaped at *pp ('"'), its length in *n. */
static const char *simple_string(const char **pp, size_t *n)
{
    const char *p = *pp;
    if (*p != '"')
        return NULL;
    const char *start = ++p;
    while (*p && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
        p++;
    if (*p != '"')
        return NULL;
    *n = (size_t)(p - start);
    *pp = p + 1;
    return start;
}

static json_t *simple_value(const char **pp, int depth)
{
    const char *p = *pp;
    json_t *v = NULL;
    if (*p == '"') {
        size_t n;
        const char *str = simple_string(&p, &n);
        /* json_stringn refuses text that is not UTF-8 */
        v = str ? json_stringn(str, n) : NULL;
    } else if (*p >= '0' && *p <= '9') {
        /* 0 or up to 18 digits without a leading zero: within json_int_t */
        const char *start = p;
        json_int_t i = 0;
        while (*p >= '0' && *p <= '9' && p - start < 18)
            i = i * 10 + (*p++ - '0');
        if ((*start == '0' && p - start > 1) || (*p >= '0' && *p <= '9') ||
            *p == '.' || *p == 'e' || *p == 'E')
            return NULL;
        v = json_integer(i);
    } else if (*p == '[' && depth < 4) {
        v = json_array();
        p++;
        if (*p == ']') {
            *pp = p + 1;
            return v;
        }
        for (;;) {
            json_t *e = simple_value(&p, depth + 1);
            if (!e || json_array_append_new(v, e))
                goto fail;
            if (*p == ']')
                break;
            if (*p++ != ',')
                goto fail;
        }
        p++;
    } else if (*p == '{' && depth < 4) {
        v = json_object();
        p++;
        if (*p == '}') {
            *pp = p + 1;
            return v;
        }
        for (;;) {
            size_t n;
            const char *key = simple_string(&p, &n);
            if (!key || *p++ != ':')
                goto fail;
            json_t *e = simple_value(&p, depth + 1);
            /* json_object_setn_new refuses a key that is not UTF-8; a key
             * given twice keeps the last value, as json_loads does */
            if (!e || json_object_setn_new(v, key, n, e))
                goto fail;
            if (*p == '}')
                break;
            if (*p++ != ',')
                goto fail;
        }
        p++;
    }
    if (v)
        *pp = p;
    return v;
fail:
    json_decref(v);
    return NULL;
}

static json_t *simple_json(const char *text)
{
    if (text[0] != '[')
        return NULL;
    const char *p = text;
    json_t *v = simple_value(&p, 0);
    if (v && *p != '\0') {
        json_decref(v);
        v = NULL;
    }
    return v;
}

static json_t *json_text_value(const char *text)
{
    if (!text)
        return json_null();
    json_t *v = simple_json(text);
    if (v)
        return v;
    v = json_loads(text, JSON_DECODE_ANY, NULL);
    return v ? v : json_string(text);
}

static json_t *typed_value(sqlite3_stmt *st, int i, rp_column_type type)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return json_null();
    switch (type) {
    case RP_COL_INT: return json_integer(sqlite3_column_int64(st, i));
    case RP_COL_REAL: return json_real(sqlite3_column_double(st, i));
    case RP_COL_BOOL: return json_boolean(sqlite3_column_int(st, i));
    case RP_COL_TIME: return time_value(sqlite3_column_int64(st, i));
    case RP_COL_JSON:
        return json_text_value((const char *)sqlite3_column_text(st, i));
    case RP_COL_TEXT:
    default: return json_string((const char *)sqlite3_column_text(st, i));
    }
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A row of a named query: types follow the column-name suffixes. */
static json_t *generic_row(sqlite3_stmt *st)
{
    json_t *row = json_object();
    int n = sqlite3_column_count(st);
    for (int i = 0; i < n; i++) {
        const char *name = sqlite3_column_name(st, i);
        size_t len = strlen(name);
        json_t *v;
        if (ends_with(name, "__json")) {
            len -= 6;
            v = typed_value(st, i, RP_COL_JSON);
        } else if (ends_with(name, "__bool")) {
            len -= 6;
            v = typed_value(st, i, RP_COL_BOOL);
        } else if (ends_with(name, "_at") &&
                   sqlite3_column_type(st, i) == SQLITE_INTEGER) {
            v = typed_value(st, i, RP_COL_TIME);
        } else {
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_INTEGER:
                v = json_integer(sqlite3_column_int64(st, i));
                break;
            case SQLITE_FLOAT:
                v = json_real(sqlite3_column_double(st, i));
                break;
            case SQLITE_NULL: v = json_null(); break;
            default: v = json_string((const char *)sqlite3_column_text(st, i));
            }
        }
        json_object_setn_new(row, name, len, v ? v : json_null());
    }
    return row;
}

static json_t *entity_row(sqlite3_stmt *st, const rp_entity *e)
{
    json_t *row = json_object();
    json_object_set_new(row, "id", json_integer(sqlite3_column_int64(st, 0)));
    for (size_t i = 0; i < e->ncolumns; i++) {
        json_t *v = typed_value(st, (int)i + 1, e->columns[i].type);
        json_object_set_new(row, e->columns[i].name, v ? v : json_null());
    }
    return row;
}

static void add_select_list(rp_buf *b, const rp_entity *e)
{
    rp_buf_puts(b, "SELECT id");
    for (size_t i = 0; i < e->ncolumns; i++) {
        rp_buf_puts(b, ", ");
        rp_buf_puts(b, e->columns[i].name);
    }
    rp_buf_puts(b, " FROM ");
    rp_buf_puts(b, e->table);
}

/* ---- the writer: one connection for the process's write transactions ---
 *
 * Each store reads on a connection of its own, but while it holds the
 * file's write turn its statements run on one connection the process keeps
 * per file, the writer, which every store holding the turn uses in its
 * turn.  In WAL mode a connection that finds that another connection has
 * committed since its last transaction drops its whole page cache and
 * reads again every page it touches.  When each store wrote on its own
 * connection, every write transaction found its cache dropped by the one
 * before it: an encounter created at 64 connections read about 97 pages
 * back from the log or the file (a system call each) before it could
 * write.  The writer itself made every commit since its last transaction,
 * so its cache stays valid from one write to the next.  Only the store
 * holding the turn touches the writer, so it needs no lock of its own.
 */

/* The settings of every connection (rp_store_sqlite_open, open_writer). */
static const char *const connection_pragmas[] = {
    "PRAGMA foreign_keys = ON",
    /* a savepoint's journal (an import takes one per row) is kept in
     * memory, not written to a temporary file page by page (measured:
     * 100,000 rows imported in 61 s with a file, 35 s without, on a loaded
     * machine) */
    "PRAGMA temp_store = MEMORY",
    /* a page cache of 64 MiB per connection (SQLite's default is 2 MiB): a
     * report's index ranges over a large desk (the metrics of 30 days at
     * 1M encounters read some tens of MiB) are then read from the file
     * once, not again by every request; measured in bench/README.md,
     * "Service metrics from rollups" */
    "PRAGMA cache_size = -65536",
    /* what is deleted or overwritten is zeroed in the file, never left in
     * free space: an erasure must remove the bytes, not only the rows */
    "PRAGMA secure_delete = ON",
    /* ANALYZE reads a sample of each index, not all of it: the statistics
     * are gathered again while the desk is open (sq_refresh_statistics),
     * and a table of millions of rows must not hold the write lock */
    "PRAGMA analysis_limit = 1000",
    NULL,
};

/* SQLite's commit hook: a transaction of this connection is committing. */
static int on_commit(void *arg)
{
    ((sq_conn *)arg)->unsynced = 1;
    return 0;
}

/* The writer's busy handler counts the waits of the store using it. */
static int on_writer_busy(void *arg, int count)
{
    sq_conn *w = arg;
    return w->user ? on_busy(w->user, count) : 0;
}

static void finalize_all(sq_conn *c)
{
    for (int i = 0; i < STMT_CACHE_SIZE; i++) {
        if (c->cache[i].stmt)
            sqlite3_finalize(c->cache[i].stmt);
        free(c->cache[i].sql);
        c->cache[i].stmt = NULL;
        c->cache[i].sql = NULL;
    }
    for (int i = 0; i < RP_QUERY_COUNT; i++) {
        if (c->named[i])
            sqlite3_finalize(c->named[i]);
        c->named[i] = NULL;
    }
}

static void close_writer(void *arg)
{
    sq_conn *w = arg;
    finalize_all(w);
    sqlite3_close(w->db);
    free(w);
}

/* The file's writer, opened by the first store to hold the turn; NULL if
 * it cannot be opened, and the store then writes on its own connection. */
static sq_conn *writer_of(sqlite_store *ss)
{
    sq_conn *w = rp_sqlite_group_writer(ss->group);
    if (w)
        return w;
    if (!(w = calloc(1, sizeof *w)))
        return NULL;
    const char *path = sqlite3_db_filename(ss->own.db, "main");
    int ok = sqlite3_open_v2(path, &w->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                             NULL) == SQLITE_OK &&
             sqlite3_exec(w->db, "PRAGMA synchronous = NORMAL", NULL, NULL,
                          NULL) == SQLITE_OK &&
             rp_sqlite_rank_register(w->db) == SQLITE_OK &&
             rp_sqlite_marks_register(w->db) == SQLITE_OK;
    for (int i = 0; ok && connection_pragmas[i]; i++)
        ok = sqlite3_exec(w->db, connection_pragmas[i], NULL, NULL, NULL) ==
             SQLITE_OK;
    if (!ok) {
        rp_log(RP_LOG_WARN,
               "store: the shared writer could not be opened; each "
               "connection writes on its own",
               "error", w->db ? sqlite3_errmsg(w->db) : "out of memory",
               (char *)NULL);
        sqlite3_close(w->db);
        free(w);
        return NULL;
    }
    sqlite3_busy_handler(w->db, on_writer_busy, w);
    sqlite3_extended_result_codes(w->db, 1);
    sqlite3_commit_hook(w->db, on_commit, w);
    rp_sqlite_group_set_writer(ss->group, w, close_writer);
    return w;
}

/* ---- transactions -------------------------------------------------------- */

/* How many connections of this process are beginning a write transaction
 * (waiting for the write lock, most of the time): a long job gives way to
 * them between its batches (sq_give_way). */
static atomic_int beginning;

/* The file whose write turn this thread holds, if any.  A thread that
 * holds it and begins a write on a second connection to the same file
 * (which would wait for itself in the queue) meets SQLite's lock instead,
 * as it did before there was a queue: busy, after the connection's wait. */
static _Thread_local rp_sqlite_group *turn_of_thread;

/* The connection's handle on the log, if it has the log open. */
static sqlite3_file *log_of(sqlite3 *db)
{
    sqlite3_file *log = NULL;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &log) !=
            SQLITE_OK ||
        !log || !log->pMethods)
        return NULL;
    return log;
}

/* Flush the log through the handle of connection arg on it: the file
 * SQLite writes the commits to, whatever has become of its name. */
static int sync_log(void *arg)
{
    sqlite3_file *log = log_of(arg);
    if (!log)
        return -1;
    return log->pMethods->xSync(log, SQLITE_SYNC_NORMAL) == SQLITE_OK ? 0 : -1;
}

/* Return once commit seq of the group is on the disk, flushed through
 * connection via's handle on the log or by a flush of the group that
 * began after it. */
static rp_code await_flush(sqlite_store *ss, uint64_t seq, sqlite3 *via,
                           rp_error *err)
{
    if (rp_sqlite_group_sync(ss->group, seq, sync_log, via) == 0)
        return RP_OK;
    rp_log(RP_LOG_ERROR, "store: flushing the write-ahead log failed", "file",
           sqlite3_db_filename(via, "main"), (char *)NULL);
    return rp_error_set(err, RP_EINTERNAL, NULL,
                        "the disk did not confirm that the change was "
                        "written (the server's log says more)");
}

/* ---- batches: write transactions committed together ----------------------
 *
 * A store holding the turn begins its write transaction on the writer as a
 * savepoint: in a transaction of the writer's own (BEGIN IMMEDIATE) when
 * none is open, else in the one open, the batch.  Its commit releases the
 * savepoint, and then, if another store is waiting for the turn, the
 * store hands it the turn with the batch still open and waits; if none
 * is (after waiting a moment for one, when writes of other batches are
 * out: BATCH_LINGER_US), it commits the batch (and so the work of every
 * store in it) and wakes them.  Each then waits for a flush of the log begun
 * after that commit, as before.  Every page the batch's writes share (the last
 * leaf of each table and index, a day's rollups) goes to the log once per batch
 * instead of once per write: an encounter created wrote 35 to 41 pages.
 * The encounters' subject index is written once per batch, just before
 * its COMMIT (flush_encounter_index, migration 115), one segment for the
 * batch instead of one per create.
 * A write refused rolls back to its own savepoint, and the others of the
 * batch are kept.  Nobody is answered before the batch's commit is on the
 * disk; if it fails, all of the batch fail, and nothing of it is kept.
 */

enum { BATCH_MAX = 64, BATCH_MAX_MS = 50 };

/* How long a store ending its write holds an open batch for the next write
 * to arrive, while writes of other batches are out (sqlite_commit.c says
 * why): up to a millisecond added to a batch's wait, for batches of 10 to
 * 40 writes instead of 1.5 to 3.7 at 64 connections. */
enum { BATCH_LINGER_US = 1000 };

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Run a cached statement that returns nothing on the connection in use. */
static rp_code run_cached(sqlite_store *ss, const char *sql, const char *what,
                          rp_error *err)
{
    sqlite3_stmt *st;
    if (prepare(ss, sql, &st, err))
        return err->code;
    if (sqlite3_step(st) != SQLITE_DONE)
        return step_error(ss, st, err, what);
    return RP_OK;
}

/* Bring a full-text index up to date from the notes its triggers keep:
 * when the probe finds a note, run the apply statements in turn (the last
 * clears the notes).  reading and updating say what failed, in an error. */
static rp_code apply_index_notes(sqlite_store *ss, const char *probe,
                                 const char *const *apply, size_t napply,
                                 const char *reading, const char *updating,
                                 rp_error *err)
{
    sqlite3_stmt *st;
    if (prepare(ss, probe, &st, err))
        return err->code;
    int noted = sqlite3_step(st);
    sqlite3_reset(st);
    if (noted == SQLITE_DONE)
        return RP_OK;
    if (noted != SQLITE_ROW)
        return db_error(ss, err, reading);
    for (size_t i = 0; i < napply; i++) {
        if (prepare(ss, apply[i], &st, err))
            return err->code;
        if (sqlite3_step(st) != SQLITE_DONE)
            return step_error(ss, st, err, updating);
    }
    return RP_OK;
}

/*
 * Put the encounters noted since the last flush into the subject index
 * (migration 115): once per batch on the writer, just before its COMMIT,
 * or once per transaction on a store's own connection.  Rows removed
 * before they were indexed drop out of the join.
 */
static rp_code flush_encounter_index(sqlite_store *ss, rp_error *err)
{
    static const char *const apply[] = {
        "INSERT INTO encounters_fts (rowid, subject)"
        " SELECT e.id, e.subject FROM encounters_fts_pending p"
        " JOIN encounters e ON e.id = p.id",
        "DELETE FROM encounters_fts_pending",
    };
    if (ss->version < 115)
        return RP_OK;
    return apply_index_notes(ss, "SELECT 1 FROM encounters_fts_pending LIMIT 1",
                             apply, sizeof apply / sizeof apply[0],
                             "reading the encounter index's notes",
                             "updating the encounter index", err);
}

/* A batch taken off the writer by the store that ends it: its members,
 * whether it was committed, and the commit whose flush they wait for. */
typedef struct ended_batch {
    sq_member *members;
    rp_code code;
    rp_error why;
    uint64_t seq; /* 0: nothing to flush */
} ended_batch;

/* Take the batch off the writer, holding the turn; code says whether it
 * was committed. */
static void take_batch(sqlite_store *ss, rp_code code, const rp_error *why,
                       ended_batch *out)
{
    sq_conn *w = ss->conn;
    out->members = w->members;
    out->code = code;
    out->seq = 0;
    if (code)
        out->why = *why;
    else if (w->unsynced)
        out->seq = rp_sqlite_group_committed(ss->group);
    w->unsynced = 0;
    w->members = NULL;
    w->nmembers = 0;
}

/* Commit the writer's batch and take it off, holding the turn. */
static void commit_batch(sqlite_store *ss, ended_batch *out)
{
    rp_error why;
    rp_code code = flush_encounter_index(ss, &why);
    if (code == RP_OK)
        code = run_cached(ss, "COMMIT", "committing", &why);
    if (code && !sqlite3_get_autocommit(ss->db))
        sqlite3_exec(ss->db, "ROLLBACK", NULL, NULL, NULL);
    take_batch(ss, code, &why, out);
}

/*
 * Flush the log for a batch taken off the writer, through connection via's
 * handle on it (as await_flush), then tell its members how it ended and
 * wake them: each learns once, after the flush, and the flush is made by
 * one thread, not raced for by every member.
 */
static void finish_batch(sqlite_store *ss, ended_batch *b, sqlite3 *via)
{
    if (!b->members)
        return;
    if (b->code == RP_OK && b->seq)
        b->code = await_flush(ss, b->seq, via, &b->why);
    for (sq_member *m = b->members; m; m = (sq_member *)m->node.next) {
        m->code = b->code;
        if (b->code)
            m->err = b->why;
    }
    rp_sqlite_group_end_batch(ss->group, &b->members->node);
}

/* Undo the store's own write transaction on the writer, if open: back to
 * its savepoint, keeping the batch; or, failing that, the whole batch. */
static void undo_savepoint(sqlite_store *ss)
{
    if (!ss->in_savepoint)
        return;
    ss->in_savepoint = 0;
    rp_error ignored;
    if (!sqlite3_get_autocommit(ss->db) &&
        (run_cached(ss, "ROLLBACK TO rp_write", "undoing a write", &ignored) ||
         run_cached(ss, "RELEASE rp_write", "undoing a write", &ignored)))
        sqlite3_exec(ss->db, "ROLLBACK", NULL, NULL, NULL);
}

/* The store uses its own connection again. */
static void detach(sqlite_store *ss)
{
    ss->conn->user = NULL;
    ss->conn = &ss->own;
    ss->db = ss->own.db;
}

/*
 * Give the turn up, and the writer on to the next store with nothing of
 * this one's left on it: its write transaction undone unless released
 * into the batch, no statement still stepping (which would keep its
 * snapshot into the next turn).  A batch with members goes on to the next
 * store waiting, if there is one and the batch is not yet full or old;
 * else it is committed here, and once the turn is let go (so the next
 * batch goes on meanwhile), flushed and its members woken.
 */
static void leave_turn(sqlite_store *ss)
{
    if (!ss->in_turn)
        return;
    sq_conn *w = ss->conn;
    int passed = 0;
    ended_batch ended = {0};
    /* the flush goes through the store's own handle on the log, which
     * only its thread uses; if its connection has not opened the log
     * yet, through the writer's, before the turn is let go */
    sqlite3 *via = ss->own.db;
    if (w != &ss->own) {
        undo_savepoint(ss);
        for (int i = 0; i < STMT_CACHE_SIZE; i++)
            if (w->cache[i].stmt && sqlite3_stmt_busy(w->cache[i].stmt))
                sqlite3_reset(w->cache[i].stmt);
        for (int i = 0; i < RP_QUERY_COUNT; i++)
            if (w->named[i] && sqlite3_stmt_busy(w->named[i]))
                sqlite3_reset(w->named[i]);
        int open = !sqlite3_get_autocommit(w->db);
        if (open && w->nmembers == 0) {
            sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
        } else if (!open && w->nmembers > 0) {
            rp_error why;
            rp_error_set(&why, RP_EINTERNAL, NULL,
                         "the change was not saved: the database gave up "
                         "the transaction it shared with other changes "
                         "(the server's log says why)");
            take_batch(ss, why.code, &why, &ended);
        } else if (open) {
            passed = w->nmembers < BATCH_MAX &&
                     now_ms() - w->batch_began_ms < BATCH_MAX_MS &&
                     rp_sqlite_group_pass_lingering(ss->group, w->nmembers,
                                                    BATCH_LINGER_US);
            if (!passed)
                commit_batch(ss, &ended);
        }
        if (ended.members && !log_of(via)) {
            via = w->db;
            finish_batch(ss, &ended, via);
            ended.members = NULL;
        }
        detach(ss);
    }
    ss->in_turn = 0;
    if (turn_of_thread == ss->group)
        turn_of_thread = NULL;
    if (!passed)
        rp_sqlite_group_exit(ss->group);
    finish_batch(ss, &ended, via);
}

static rp_code busy_error(rp_error *err)
{
    return rp_error_set(err, RP_EBUSY, NULL,
                        "the database is busy with another change; "
                        "nothing was changed, try again in a moment");
}

/* Wait in the file's queue for the turn to write, for what is left of
 * the connection's wait (none for a best-effort write); then write on
 * the file's writer. */
static rp_code take_turn(sqlite_store *ss, rp_error *err)
{
    if (!ss->group || turn_of_thread == ss->group)
        return RP_OK;
    int left = ss->nowait ? 0
                          : ss->wait_ms - (ss->per_request ? ss->waited_ms : 0);
    if (left < 0)
        left = 0;
    int waited = 0;
    if (rp_sqlite_group_enter(ss->group, left, &waited))
        return busy_error(err);
    if (ss->per_request)
        ss->waited_ms += waited;
    ss->in_turn = 1;
    turn_of_thread = ss->group;
    sq_conn *w = writer_of(ss);
    if (w) {
        w->user = ss;
        ss->conn = w;
        ss->db = w->db;
    }
    return RP_OK;
}

/*
 * After a write that ended a transaction (a statement run on its own):
 * return only once what it committed is on the disk, flushed by this
 * connection or by a flush of the group that began after it.
 */
static rp_code settle(sqlite_store *ss, rp_error *err)
{
    sq_conn *c = ss->conn;
    if (!c->unsynced || !sqlite3_get_autocommit(c->db))
        return RP_OK;
    c->unsynced = 0;
    if (!ss->group)
        return RP_OK; /* synchronous=FULL flushed it already */
    return await_flush(ss, rp_sqlite_group_committed(ss->group), c->db, err);
}

static rp_code sq_begin(rp_store *s, rp_error *err)
{
    sqlite_store *ss = s->impl;
    if (!sqlite3_get_autocommit(ss->db))
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "a transaction is already open");
    atomic_fetch_add(&beginning, 1);
    rp_code rc = take_turn(ss, err);
    if (rc == RP_OK && ss->conn != &ss->own) {
        /* on the writer: a savepoint in the open batch, or in a new one */
        sq_conn *w = ss->conn;
        if (sqlite3_get_autocommit(w->db))
            rc = run_cached(ss, "BEGIN IMMEDIATE", "beginning a transaction",
                            err);
        if (rc == RP_OK &&
            (rc = run_cached(ss, "SAVEPOINT rp_write",
                             "beginning a transaction", err)) == RP_OK)
            ss->in_savepoint = 1;
    } else if (rc == RP_OK) {
        rc = run_cached(ss, "BEGIN IMMEDIATE", "beginning a transaction", err);
    }
    atomic_fetch_sub(&beginning, 1);
    if (rc)
        leave_turn(ss);
    return rc;
}

/* A writer that finds the lock taken sleeps in on_busy and looks again
 * some milliseconds later; one that kept beginning a transaction the
 * moment it committed the last would take the lock back before such a
 * writer woke, batch after batch.  So wait, a millisecond at a time,
 * until no other connection of the process is beginning one. */
static void sq_give_way(rp_store *s, int ms)
{
    (void)s;
    for (int waited = 0; waited < ms && atomic_load(&beginning) > 0; waited++)
        sqlite3_sleep(1);
}

/*
 * Bring the customer search index up to date with the customers this
 * transaction changed, as their triggers noted them (migration 68): what
 * the index held for each is taken out, what the row holds now is put in
 * (unless the customer was merged into another or deleted).  Once per
 * transaction, because a full-text table written mid-transaction writes a
 * segment before every later statement.
 */
static rp_code flush_search_index(sqlite_store *ss, rp_error *err)
{
    static const char *const apply[] = {
        "INSERT INTO customers_fts (customers_fts, rowid, name,"
        " preferred_name, emails) SELECT 'delete', id, name, preferred_name,"
        " emails FROM customers_fts_pending WHERE indexed",
        "INSERT INTO customers_fts (rowid, name, preferred_name, emails)"
        " SELECT c.id, c.name, c.preferred_name, c.emails"
        " FROM customers_fts_pending p JOIN customers c ON c.id = p.id"
        " WHERE c.merged_into IS NULL",
        "DELETE FROM customers_fts_pending",
    };
    if (ss->version < 68)
        return RP_OK;
    return apply_index_notes(ss, "SELECT 1 FROM customers_fts_pending LIMIT 1",
                             apply, sizeof apply / sizeof apply[0],
                             "reading the search index's notes",
                             "updating the search index", err);
}

/* Commit the store's write transaction on the writer: into the batch,
 * answering once the batch is committed and flushed (see "batches"). */
static rp_code commit_in_batch(sqlite_store *ss, rp_error *err)
{
    sq_conn *w = ss->conn;
    rp_code rc = flush_search_index(ss, err);
    if (rc == RP_OK)
        rc = run_cached(ss, "RELEASE rp_write", "committing", err);
    if (rc) {
        leave_turn(ss);
        return rc;
    }
    ss->in_savepoint = 0;
    sq_member me = {.node = {.next = w->members ? &w->members->node : NULL}};
    if (!w->members)
        w->batch_began_ms = now_ms(); /* how long members have waited */
    w->members = &me;
    w->nmembers++;
    rp_sqlite_group_join_batch(ss->group, &me.node);
    leave_turn(ss); /* hands the batch on, or commits and flushes it */
    rp_sqlite_group_await_batch(ss->group, &me.node);
    if (me.code)
        *err = me.err;
    return me.code;
}

static rp_code sq_commit(rp_store *s, rp_error *err)
{
    sqlite_store *ss = s->impl;
    if (ss->conn != &ss->own)
        return commit_in_batch(ss, err);
    sqlite3_stmt *st;
    if (flush_search_index(ss, err) || flush_encounter_index(ss, err)) {
        s->ops->rollback(s);
        return err->code;
    }
    if (prepare(ss, "COMMIT", &st, err)) {
        s->ops->rollback(s);
        return err->code;
    }
    if (sqlite3_step(st) != SQLITE_DONE) {
        rp_code rc = step_error(ss, st, err, "committing");
        s->ops->rollback(s);
        return rc;
    }
    /* the next writer goes on while this one waits for the flush */
    leave_turn(ss);
    return settle(ss, err);
}

static void sq_rollback(rp_store *s)
{
    sqlite_store *ss = s->impl;
    /* on the writer, leave_turn undoes the store's own savepoint */
    if (ss->conn == &ss->own && !sqlite3_get_autocommit(ss->db)) {
        sqlite3_stmt *st;
        rp_error err;
        if (prepare(ss, "ROLLBACK", &st, &err) == RP_OK)
            sqlite3_step(st);
    }
    leave_turn(ss);
}

/* A deferred BEGIN takes no lock until the first read, which then holds
 * its snapshot (WAL: an end mark in the log) until COMMIT. */
/* ---- the planner's statistics ------------------------------------------- */

/*
 * How many times this process gathered statistics again
 * (sq_refresh_statistics).  A connection loads the statistics when it
 * opens, and an ANALYZE reaches only the connection that ran it: the
 * others keep planning with what they loaded, even statements prepared
 * afterwards (checked on SQLite 3.40).  So each connection compares the
 * generation it loaded with this one before a read, and loads them again
 * when they differ.
 */
static atomic_uint statistics_generation;

/* Load the statistics again if they changed since this connection loaded
 * them.  "ANALYZE sqlite_schema" does it, and takes the write lock for an
 * instant without writing: it never waits for it (a batch of writes may
 * hold it), and is tried again on a later read. */
static void load_new_statistics(sqlite_store *ss)
{
    unsigned now = atomic_load(&statistics_generation);
    if (ss->conn != &ss->own || ss->own.statistics_seen == now)
        return;
    sqlite3_busy_handler(ss->db, NULL, NULL);
    int rc = sqlite3_exec(ss->db, "ANALYZE sqlite_schema", NULL, NULL, NULL);
    sqlite3_busy_handler(ss->db, on_busy, ss);
    if (rc == SQLITE_OK)
        ss->own.statistics_seen = now;
}

/* The tables whose statistics are out of step with their size, into
 * names (see refresh_statistics in store.h for the rule).  A table's size
 * is its largest rowid: the tables of a desk only grow (an erasure blanks
 * rows), and the last page of a table costs one look. */
static rp_code stale_tables(sqlite_store *ss, json_t *names, rp_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ss->db,
                           "SELECT 1 FROM sqlite_schema"
                           " WHERE name = 'sqlite_stat1'",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(ss, err, "reading the statistics");
    int have_statistics = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    /* the rows a table's statistics were gathered at (the first figure
     * of each of its indexes' rows), and whether an index of the whole
     * table has none: one a migration made since (ANALYZE gives every
     * index of a table with rows its row, but an empty partial one) */
    // clang-format off
    const char *sql =
        have_statistics
            ? "SELECT t.name, (SELECT max(CAST(s.stat AS INTEGER))"
              "  FROM sqlite_stat1 s WHERE s.tbl = t.name),"
              " EXISTS (SELECT 1 FROM pragma_index_list(t.name) l"
              "  WHERE l.partial = 0 AND NOT EXISTS (SELECT 1"
              "  FROM sqlite_stat1 s WHERE s.tbl = t.name AND s.idx = l.name))"
              " FROM sqlite_schema t"
              " WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite%'"
              " AND EXISTS (SELECT 1 FROM sqlite_schema i WHERE i.type ="
              " 'index' AND i.tbl_name = t.name AND i.sql IS NOT NULL)"
            : "SELECT t.name, NULL, 0 FROM sqlite_schema t"
              " WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite%'"
              " AND EXISTS (SELECT 1 FROM sqlite_schema i WHERE i.type ="
              " 'index' AND i.tbl_name = t.name AND i.sql IS NOT NULL)";
    // clang-format on
    if (sqlite3_prepare_v2(ss->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(ss, err, "reading the statistics");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        int known = sqlite3_column_type(st, 1) != SQLITE_NULL;
        sqlite3_int64 then = sqlite3_column_int64(st, 1);
        int unanalyzed_index = sqlite3_column_int(st, 2);
        char *count = sqlite3_mprintf("SELECT max(rowid) FROM \"%w\"", name);
        sqlite3_stmt *c = NULL;
        sqlite3_int64 rows = -1;
        /* a table without rowid is left as it is */
        if (count &&
            sqlite3_prepare_v2(ss->db, count, -1, &c, NULL) == SQLITE_OK &&
            sqlite3_step(c) == SQLITE_ROW)
            rows = sqlite3_column_int64(c, 0);
        sqlite3_finalize(c);
        sqlite3_free(count);
        if (rows >= 1000 &&
            (!known || unanalyzed_index || rows > 2 * then || 2 * rows < then))
            json_array_append_new(names, json_string(name));
    }
    sqlite3_finalize(st);
    return RP_OK;
}

static rp_code sq_refresh_statistics(rp_store *s, int *analyzed, rp_error *err)
{
    sqlite_store *ss = s->impl;
    *analyzed = 0;
    json_t *names = json_array();
    rp_code rc = stale_tables(ss, names, err);
    size_t i;
    json_t *name;
    json_array_foreach(names, i, name) {
        if (rc)
            break;
        char *sql = sqlite3_mprintf("ANALYZE \"%w\"", json_string_value(name));
        if (!sql) {
            rc = rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
            break;
        }
        /* one table a transaction, from a sample (analysis_limit): the
         * write lock is held for milliseconds */
        rc = sq_begin(s, err);
        if (rc == RP_OK && (rc = run_once(ss, sql, err)) != RP_OK)
            sq_rollback(s);
        else if (rc == RP_OK)
            rc = sq_commit(s, err);
        sqlite3_free(sql);
        if (rc == RP_OK)
            (*analyzed)++;
    }
    json_decref(names);
    if (*analyzed)
        atomic_fetch_add(&statistics_generation, 1);
    return rc;
}

static rp_code sq_read_begin(rp_store *s, rp_error *err)
{
    sqlite_store *ss = s->impl;
    if (!sqlite3_get_autocommit(ss->db)) {
        ss->read_nested++;
        return RP_OK;
    }
    load_new_statistics(ss);
    sqlite3_stmt *st;
    if (prepare(ss, "BEGIN DEFERRED", &st, err))
        return err->code;
    if (sqlite3_step(st) != SQLITE_DONE)
        return step_error(ss, st, err, "beginning a read");
    ss->read_owned = 1;
    return RP_OK;
}

static void sq_read_end(rp_store *s)
{
    sqlite_store *ss = s->impl;
    if (ss->read_nested > 0) {
        ss->read_nested--;
        return;
    }
    if (!ss->read_owned)
        return;
    ss->read_owned = 0;
    if (sqlite3_get_autocommit(ss->db))
        return;
    sqlite3_stmt *st;
    rp_error err;
    /* a read transaction has nothing to keep: COMMIT only lets go */
    if (prepare(ss, "COMMIT", &st, &err) == RP_OK &&
        sqlite3_step(st) != SQLITE_DONE) {
        step_error(ss, st, &err, "ending a read");
        sq_rollback(s); /* never leave the connection inside it */
    }
}

/* PRAGMA data_version changes when another connection commits (the
 * writer, another process), not when this one does: the connection's own
 * changes are counted apart (sqlite3_total_changes64 counts every row it
 * changed, kept or undone).  The pragma is the first read of a read
 * transaction just begun, so the snapshot it names is the one the
 * transaction's later reads see. */
static rp_code sq_data_version(rp_store *s, uint64_t v[3], rp_error *err)
{
    sqlite_store *ss = s->impl;
    if (ss->conn != &ss->own || ss->in_turn || sqlite3_get_autocommit(ss->db))
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "data_version: no read transaction is open");
    sqlite3_stmt *st;
    if (prepare(ss, "PRAGMA data_version", &st, err))
        return err->code;
    if (sqlite3_step(st) != SQLITE_ROW)
        return step_error(ss, st, err, "reading the data version");
    v[0] = ss->serial;
    v[1] = (uint64_t)sqlite3_column_int64(st, 0);
    v[2] = (uint64_t)sqlite3_total_changes64(ss->db);
    sqlite3_reset(st);
    return RP_OK;
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

/* Bind the columns of e present in values, in catalogue order, from *idx
 * on; *idx is left at the next free parameter. */
static rp_code bind_present(sqlite_store *ss, sqlite3_stmt *st,
                            const rp_entity *e, json_t *values, int *idx,
                            rp_error *err)
{
    for (size_t i = 0; i < e->ncolumns; i++) {
        json_t *v = json_object_get(values, e->columns[i].name);
        if (v && bind_column(ss, st, (*idx)++, e, &e->columns[i], v, err))
            return err->code;
    }
    return RP_OK;
}

static rp_code sq_insert(rp_store *s, const rp_entity *e, json_t *row,
                         int64_t *id, rp_error *err)
{
    sqlite_store *ss = s->impl;
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
            rp_buf_printf(&b, "%s?", i ? ", " : "");
        rp_buf_printf(&b, ")");
    }
    sqlite3_stmt *st;
    if (prepare_built(ss, &b, &st, err))
        return err->code;
    int idx = 1;
    if (bind_present(ss, st, e, row, &idx, err))
        return err->code;
    if (sqlite3_step(st) != SQLITE_DONE)
        return step_error(ss, st, err, e->name);
    if (id)
        *id = sqlite3_last_insert_rowid(ss->db);
    return settle(ss, err);
}

static rp_code sq_update(rp_store *s, const rp_entity *e, int64_t id,
                         json_t *changes, rp_error *err)
{
    sqlite_store *ss = s->impl;
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
        if (json_object_get(changes, e->columns[i].name))
            rp_buf_printf(&b, "%s%s = ?", n++ ? ", " : "", e->columns[i].name);
    rp_buf_printf(&b, " WHERE id = ?");
    sqlite3_stmt *st;
    if (prepare_built(ss, &b, &st, err))
        return err->code;
    int idx = 1;
    if (bind_present(ss, st, e, changes, &idx, err))
        return err->code;
    sqlite3_bind_int64(st, idx, id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return step_error(ss, st, err, e->name);
    if (settle(ss, err))
        return err->code;
    if (sqlite3_changes(ss->db) == 0)
        return rp_error_set(err, RP_ENOTFOUND, "id", "no %s with id %lld",
                            e->name, (long long)id);
    return RP_OK;
}

static rp_code sq_get(rp_store *s, const rp_entity *e, int64_t id, json_t **row,
                      rp_error *err)
{
    sqlite_store *ss = s->impl;
    rp_buf b = RP_BUF_INIT;
    add_select_list(&b, e);
    rp_buf_printf(&b, " WHERE id = ?");
    sqlite3_stmt *st;
    if (prepare_built(ss, &b, &st, err))
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *row = entity_row(st, e);
        sqlite3_reset(st);
        return RP_OK;
    }
    if (step == SQLITE_DONE)
        return rp_error_set(err, RP_ENOTFOUND, "id", "no %s with id %lld",
                            e->name, (long long)id);
    return step_error(ss, st, err, e->name);
}

static void add_where(rp_buf *b, const rp_entity *e, const rp_filter *filters,
                      int nfilters, const rp_page *page)
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
                 c = strtok_r(NULL, "|", &save))
                rp_buf_printf(b, "%sinstr(lower(%s), lower(?)) > 0",
                              k++ ? " OR " : "", c);
            rp_buf_printf(b, ")");
        } else if (f->op == RP_FILTER_IN) {
            rp_buf_printf(b, "%s IN (", f->column);
            for (size_t k = 0; k < json_array_size(f->value); k++)
                rp_buf_printf(b, "%s?", k ? ", " : "");
            if (json_array_size(f->value) == 0)
                rp_buf_printf(b, "NULL");
            rp_buf_printf(b, ")");
        } else if (f->op == RP_FILTER_EQ && json_is_null(f->value)) {
            rp_buf_printf(b, "%s IS NULL", f->column);
        } else {
            rp_buf_printf(b, "%s %s ?", f->column, rp_filter_op_sql(f->op));
        }
    }
    (void)e;
    if (page && page->after_id > 0)
        rp_buf_printf(b, " %s id %s ?", n++ ? "AND" : "WHERE",
                      page->descending ? "<" : ">");
}

static rp_code bind_filters(sqlite_store *ss, sqlite3_stmt *st,
                            const rp_filter *filters, int nfilters, int *idx,
                            rp_error *err)
{
    for (int i = 0; i < nfilters; i++) {
        const rp_filter *f = &filters[i];
        if (f->op == RP_FILTER_CONTAINS) {
            int k = 1;
            for (const char *c = f->column; *c; c++)
                k += *c == '|';
            for (int j = 0; j < k; j++)
                if (bind_json(ss, st, (*idx)++, f->value, err))
                    return err->code;
        } else if (f->op == RP_FILTER_IN) {
            for (size_t k = 0; k < json_array_size(f->value); k++)
                if (bind_json(ss, st, (*idx)++, json_array_get(f->value, k),
                              err))
                    return err->code;
        } else if (f->op == RP_FILTER_EQ && json_is_null(f->value)) {
            continue;
        } else if (bind_json(ss, st, (*idx)++, f->value, err)) {
            return err->code;
        }
    }
    return RP_OK;
}

static rp_code sq_list(rp_store *s, const rp_entity *e,
                       const rp_filter *filters, int nfilters,
                       const rp_page *page, json_t **rows, rp_error *err)
{
    sqlite_store *ss = s->impl;
    for (int i = 0; i < nfilters; i++)
        if (rp_filter_check_columns(e, &filters[i], err))
            return err->code;
    rp_buf b = RP_BUF_INIT;
    add_select_list(&b, e);
    add_where(&b, e, filters, nfilters, page);
    rp_buf_printf(&b, " ORDER BY id %s LIMIT ?",
                  page && page->descending ? "DESC" : "ASC");
    sqlite3_stmt *st;
    if (prepare_built(ss, &b, &st, err))
        return err->code;
    int idx = 1;
    if (bind_filters(ss, st, filters, nfilters, &idx, err))
        return err->code;
    if (page && page->after_id > 0)
        sqlite3_bind_int64(st, idx++, page->after_id);
    sqlite3_bind_int(st, idx, page && page->limit > 0 ? page->limit : 100);
    json_t *out = json_array();
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(out, entity_row(st, e));
    if (step != SQLITE_DONE) {
        json_decref(out);
        return step_error(ss, st, err, e->name);
    }
    *rows = out;
    return RP_OK;
}

static rp_code sq_count(rp_store *s, const rp_entity *e,
                        const rp_filter *filters, int nfilters, int64_t *count,
                        rp_error *err)
{
    sqlite_store *ss = s->impl;
    for (int i = 0; i < nfilters; i++)
        if (rp_filter_check_columns(e, &filters[i], err))
            return err->code;
    rp_buf b = RP_BUF_INIT;
    rp_buf_printf(&b, "SELECT count(*) FROM %s", e->table);
    add_where(&b, e, filters, nfilters, NULL);
    sqlite3_stmt *st;
    if (prepare_built(ss, &b, &st, err))
        return err->code;
    int idx = 1;
    if (bind_filters(ss, st, filters, nfilters, &idx, err))
        return err->code;
    if (sqlite3_step(st) != SQLITE_ROW)
        return step_error(ss, st, err, e->name);
    *count = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return RP_OK;
}

static rp_code sq_remove(rp_store *s, const rp_entity *e, int64_t id,
                         rp_error *err)
{
    sqlite_store *ss = s->impl;
    if (e->append_only)
        return rp_error_refuse(err, RP_ECONFLICT, NULL, "kept_as_record", 0,
                               "%s records are append-only", e->name);
    rp_buf b = RP_BUF_INIT;
    rp_buf_printf(&b, "DELETE FROM %s WHERE id = ?", e->table);
    sqlite3_stmt *st;
    if (prepare_built(ss, &b, &st, err))
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return step_error(ss, st, err, e->name);
    if (settle(ss, err))
        return err->code;
    if (sqlite3_changes(ss->db) == 0)
        return rp_error_set(err, RP_ENOTFOUND, "id", "no %s with id %lld",
                            e->name, (long long)id);
    return RP_OK;
}

/* ---- named queries ------------------------------------------------------- */

static rp_code prepare_named(sqlite_store *ss, rp_query q, json_t *params,
                             sqlite3_stmt **out, rp_error *err)
{
    const char *sql = rp_sqlite_query_sql(q);
    if (!sql)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "query %s has no SQL in the sqlite backend",
                            rp_query_name(q));
    sqlite3_stmt *st = ss->conn->named[q];
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    } else if (sqlite3_prepare_v3(ss->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                  &st, NULL) != SQLITE_OK) {
        return db_error(ss, err, "preparing a statement");
    } else {
        ss->conn->named[q] = st;
    }
    if (params && !json_is_array(params))
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "%s: parameters must be an array",
                            rp_query_name(q));
    if ((int)json_array_size(params) != sqlite3_bind_parameter_count(st))
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "%s: %d parameters expected, %zu given",
                            rp_query_name(q), sqlite3_bind_parameter_count(st),
                            json_array_size(params));
    for (size_t i = 0; i < json_array_size(params); i++)
        if (bind_json(ss, st, (int)i + 1, json_array_get(params, i), err))
            return err->code;
    *out = st;
    return RP_OK;
}

static rp_code sq_query(rp_store *s, rp_query q, json_t *params, json_t **rows,
                        rp_error *err)
{
    sqlite_store *ss = s->impl;
    sqlite3_stmt *st;
    if (prepare_named(ss, q, params, &st, err))
        return err->code;
    json_t *out = json_array();
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(out, generic_row(st));
    if (step != SQLITE_DONE) {
        json_decref(out);
        return step_error(ss, st, err, rp_query_name(q));
    }
    if (settle(ss, err)) {
        json_decref(out);
        return err->code;
    }
    *rows = out;
    return RP_OK;
}

/* How a result column of a named query is written, from its name. */
enum { COL_BY_VALUE, COL_JSON, COL_BOOL, COL_TIME };

/* Append the value of column i of st, read as kind says, to b: the bytes
 * generic_row's value would be written as. */
static void write_value(rp_buf *b, sqlite3_stmt *st, int i, int kind)
{
    int type = sqlite3_column_type(st, i);
    if (type == SQLITE_NULL) {
        rp_buf_add(b, "null", 4);
        return;
    }
    switch (kind) {
    case COL_JSON: {
        const char *text = (const char *)sqlite3_column_text(st, i);
        size_t len = (size_t)sqlite3_column_bytes(st, i);
        /* stored as rp_json_write writes it (a customer's emails, phones
         * and relationship reasons): copied, not parsed and written */
        if (text && rp_json_is_compact(text, len)) {
            rp_buf_add(b, text, len);
            return;
        }
        json_t *v = json_text_value(text);
        rp_json_write(b, v);
        json_decref(v);
        return;
    }
    case COL_BOOL:
        rp_buf_add(b, sqlite3_column_int(st, i) ? "true" : "false",
                   sqlite3_column_int(st, i) ? 4 : 5);
        return;
    case COL_TIME:
        if (type == SQLITE_INTEGER) {
            char t[RP_TIME_MAX + 2];
            t[0] = '"';
            rp_time_format(sqlite3_column_int64(st, i), t + 1);
            size_t n = strlen(t);
            t[n++] = '"';
            rp_buf_add(b, t, n);
            return;
        }
        break;
    }
    switch (type) {
    case SQLITE_INTEGER:
        rp_json_write_int(b, sqlite3_column_int64(st, i));
        break;
    case SQLITE_FLOAT:
        rp_json_write_real(b, sqlite3_column_double(st, i));
        break;
    default: {
        const char *text = (const char *)sqlite3_column_text(st, i);
        /* as json_string(text) reads it: up to a NUL */
        rp_json_write_string(b, text ? text : "", text ? strlen(text) : 0);
    }
    }
}

/* The rows of a named query as JSON text, with the key and kind of each
 * column worked out once, not once a row. */
static rp_code sq_query_write(rp_store *s, rp_query q, json_t *params,
                              rp_buf *out, rp_error *err)
{
    sqlite_store *ss = s->impl;
    sqlite3_stmt *st;
    if (prepare_named(ss, q, params, &st, err))
        return err->code;
    enum { MAX_COLUMNS = 64 };
    int n = sqlite3_column_count(st);
    if (n > MAX_COLUMNS) { /* no such query: the tree's way, then */
        json_t *rows;
        if (sq_query(s, q, params, &rows, err))
            return err->code;
        rp_json_write(out, rows);
        json_decref(rows);
        return RP_OK;
    }
    rp_buf keys = RP_BUF_INIT; /* each column's '"key":' (',' before all but
                                  the first), back to back */
    size_t key_at[MAX_COLUMNS + 1];
    int kind[MAX_COLUMNS];
    int step, rows = 0;
    rp_buf_add(out, "[", 1);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (rows++ == 0) {
            for (int i = 0; i < n; i++) {
                const char *name = sqlite3_column_name(st, i);
                size_t len = strlen(name);
                kind[i] = COL_BY_VALUE;
                if (ends_with(name, "__json")) {
                    len -= 6;
                    kind[i] = COL_JSON;
                } else if (ends_with(name, "__bool")) {
                    len -= 6;
                    kind[i] = COL_BOOL;
                } else if (ends_with(name, "_at")) {
                    kind[i] = COL_TIME;
                }
                key_at[i] = keys.len;
                if (i)
                    rp_buf_add(&keys, ",", 1);
                rp_json_write_string(&keys, name, len);
                rp_buf_add(&keys, ":", 1);
            }
            key_at[n] = keys.len;
        } else {
            rp_buf_add(out, ",", 1);
        }
        rp_buf_add(out, "{", 1);
        for (int i = 0; i < n; i++) {
            rp_buf_add(out, keys.p + key_at[i], key_at[i + 1] - key_at[i]);
            write_value(out, st, i, kind[i]);
        }
        rp_buf_add(out, "}", 1);
    }
    rp_buf_free(&keys);
    rp_buf_add(out, "]", 1);
    if (step != SQLITE_DONE)
        return step_error(ss, st, err, rp_query_name(q));
    if (settle(ss, err))
        return err->code;
    return out->failed ? rp_error_set(err, RP_EINTERNAL, NULL, "out of memory")
                       : RP_OK;
}

static rp_code sq_exec(rp_store *s, rp_query q, json_t *params,
                       int64_t *changes, rp_error *err)
{
    sqlite_store *ss = s->impl;
    sqlite3_stmt *st;
    if (prepare_named(ss, q, params, &st, err))
        return err->code;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        ;
    if (step != SQLITE_DONE)
        return step_error(ss, st, err, rp_query_name(q));
    if (changes)
        *changes = sqlite3_changes(ss->db);
    sqlite3_reset(st);
    return settle(ss, err);
}

static rp_code sq_try_exec(rp_store *s, rp_query q, json_t *params,
                           int64_t *changes, rp_error *err)
{
    sqlite_store *ss = s->impl;
    ss->nowait = 1;
    rp_code rc = sq_exec(s, q, params, changes, err);
    ss->nowait = 0;
    return rc;
}

/* A savepoint of a fixed name: the store's one mark. */
static rp_code step_one(rp_store *s, const char *sql, const char *what,
                        rp_error *err)
{
    sqlite_store *ss = s->impl;
    sqlite3_stmt *st;
    if (prepare(ss, sql, &st, err))
        return err->code;
    if (sqlite3_step(st) != SQLITE_DONE)
        return step_error(ss, st, err, what);
    return settle(ss, err);
}

static rp_code sq_mark(rp_store *s, rp_error *err)
{
    return step_one(s, "SAVEPOINT rp_mark", "marking a savepoint", err);
}

static rp_code sq_unmark(rp_store *s, rp_error *err)
{
    return step_one(s, "RELEASE rp_mark", "releasing a savepoint", err);
}

static void sq_undo_to_mark(rp_store *s)
{
    rp_error err;
    if (step_one(s, "ROLLBACK TO rp_mark", "undoing to a savepoint", &err) ==
        RP_OK)
        step_one(s, "RELEASE rp_mark", "releasing a savepoint", &err);
}

static rp_code sq_probe_write(rp_store *s, rp_error *err)
{
    rp_code rc = sq_begin(s, err);
    if (rc == RP_OK)
        sq_rollback(s);
    return rc;
}

/* Compile without the cache: a check of every query at once must not
 * evict the statements the connection is really using. */
static rp_code sq_check(rp_store *s, rp_query q, rp_error *err)
{
    sqlite_store *ss = s->impl;
    const char *sql = rp_sqlite_query_sql(q);
    if (!sql)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "query %s has no SQL in the sqlite backend",
                            rp_query_name(q));
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    if (sqlite3_prepare_v2(ss->db, sql, -1, &st, &tail) != SQLITE_OK)
        return rp_error_set(err, RP_EINTERNAL, NULL, "query %s: %s",
                            rp_query_name(q), sqlite3_errmsg(ss->db));
    sqlite3_finalize(st);
    while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t'))
        tail++;
    if (!st || (tail && *tail))
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "query %s: must be exactly one statement",
                            rp_query_name(q));
    return RP_OK;
}

static rp_code sq_scrub(rp_store *s, rp_error *err)
{
    sqlite_store *ss = s->impl;
    int logged = 0, copied = 0;
    /* The customer search index keeps a removed row's text in its older
     * segments until they are merged; merging them all into one now
     * leaves an erased name in no page (secure_delete zeroes the freed
     * ones).  Its cost grows with the index: erasures are rare. */
    if (sqlite3_exec(ss->db,
                     "INSERT INTO customers_fts (customers_fts)"
                     " VALUES ('optimize')",
                     NULL, NULL, NULL) != SQLITE_OK)
        return db_error(ss, err, "merging the customer search index");
    int rc = sqlite3_wal_checkpoint_v2(ss->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
                                       &logged, &copied);
    if (rc != SQLITE_OK)
        return db_error(ss, err, "emptying the write-ahead log");
    return RP_OK;
}

static int sq_schema_version(rp_store *s)
{
    return ((sqlite_store *)s->impl)->version;
}

static void sq_close(rp_store *s)
{
    sqlite_store *ss = s->impl;
    leave_turn(ss);
    finalize_all(&ss->own);
    sqlite3_close(ss->own.db);
    rp_sqlite_group_leave(ss->group);
    free(ss);
}

static rp_code sq_backup(rp_store *s, const char *path, int replace,
                         json_t **report, rp_error *err)
{
    return rp_sqlite_backup(((sqlite_store *)s->impl)->db, path, replace,
                            report, err);
}

struct sqlite3 *rp_sqlite_handle(rp_store *s)
{
    return ((sqlite_store *)s->impl)->db;
}

rp_code rp_sqlite_fail(rp_store *s, rp_error *err, const char *what)
{
    return db_error(s->impl, err, what);
}

static const rp_store_ops sqlite_ops = {
    .backend = "sqlite",
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .insert = sq_insert,
    .update = sq_update,
    .get = sq_get,
    .list = sq_list,
    .count = sq_count,
    .remove = sq_remove,
    .query = sq_query,
    .query_write = sq_query_write,
    .exec = sq_exec,
    .check = sq_check,
    .schema_version = sq_schema_version,
    .close = sq_close,
    .set_busy_wait = sq_set_busy_wait,
    .try_exec = sq_try_exec,
    .probe_write = sq_probe_write,
    .backup = sq_backup,
    .mark = sq_mark,
    .unmark = sq_unmark,
    .undo_to_mark = sq_undo_to_mark,
    .scrub = sq_scrub,
    .read_begin = sq_read_begin,
    .read_end = sq_read_end,
    .data_version = sq_data_version,
    .give_way = sq_give_way,
    .refresh_statistics = sq_refresh_statistics,
    .copy_tables = rp_sqlite_copy_tables,
    .copy_read = rp_sqlite_copy_read,
    .copy_count = rp_sqlite_copy_count,
};

/* ---- opening and migrating ----------------------------------------------- */

int rp_store_sqlite_latest_version(void)
{
    return rp_sqlite_migrations[rp_sqlite_nmigrations - 1].version;
}

static rp_code read_version(sqlite_store *ss, int *version, rp_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ss->db, "SELECT max(version) FROM schema_version",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(ss, err, "reading the schema version");
    int rc = sqlite3_step(st);
    *version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? RP_OK
                            : db_error(ss, err, "reading the schema version");
}

static rp_code record_version(sqlite_store *ss, int version, rp_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ss->db,
                           "INSERT INTO schema_version (version, applied_at) "
                           "VALUES (?, ?)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(ss, err, "recording the schema version");
    sqlite3_bind_int(st, 1, version);
    sqlite3_bind_int64(st, 2, rp_now());
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE
               ? RP_OK
               : db_error(ss, err, "recording the schema version");
}

/* The schema version, read without a transaction; -1 when there is no
 * version table yet (a new database) or it cannot be read now. */
static int version_quietly(sqlite_store *ss)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ss->db, "SELECT max(version) FROM schema_version",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0)
                                                 : -1;
    sqlite3_finalize(st);
    return version;
}

static rp_code migrate(sqlite_store *ss, int target, rp_error *err)
{
    int latest = rp_store_sqlite_latest_version();
    if (target <= 0 || target > latest)
        target = latest;
    /* Nearly every open finds the schema current: then take no write lock,
     * so that opening a connection never waits for another writer (the
     * server opens them while it serves). */
    int current = version_quietly(ss);
    if (current >= target && current <= latest) {
        ss->version = current;
        return RP_OK;
    }
    if (run_once(ss, "BEGIN IMMEDIATE", err))
        return err->code;
    int version = 0;
    if (run_once(ss,
                 "CREATE TABLE IF NOT EXISTS schema_version ("
                 " version INTEGER NOT NULL, applied_at INTEGER NOT NULL)",
                 err) ||
        read_version(ss, &version, err))
        goto fail;
    if (version > latest) {
        rp_error_set(err, RP_ESCHEMA, NULL,
                     "the database schema is at version %d but this rapport "
                     "knows versions up to %d; use a newer rapport",
                     version, latest);
        goto fail;
    }
    for (int i = 0; i < rp_sqlite_nmigrations; i++) {
        const rp_sqlite_migration *m = &rp_sqlite_migrations[i];
        if (m->version <= version || m->version > target)
            continue;
        if (run_once(ss, m->sql, err) || record_version(ss, m->version, err)) {
            char msg[RP_ERROR_MESSAGE_MAX];
            snprintf(msg, sizeof msg, "%s", err->message);
            rp_error_set(err, RP_EINTERNAL, NULL,
                         "migration %d (%s) failed: %s", m->version,
                         m->description, msg);
            goto fail;
        }
        version = m->version;
    }
    if (run_once(ss, "COMMIT", err))
        goto fail;
    ss->version = version;
    return RP_OK;
fail:
    run_once(ss, "ROLLBACK", NULL);
    return err->code;
}

/*
 * Share the file's write queue and group commit with the process's other
 * connections to it, flushing the log once per group of commits rather
 * than once per commit (synchronous=NORMAL; settle waits for the flush).
 * Only a file in WAL mode has a log to share; RAPPORT_SQLITE_COMMIT=each
 * keeps synchronous=FULL and a flush per commit, for comparison in the
 * benchmarks.
 */
static rp_code join_group(sqlite_store *ss, rp_error *err)
{
    const char *mode = getenv("RAPPORT_SQLITE_COMMIT");
    if (mode && strcmp(mode, "each") == 0)
        return RP_OK;
    const char *file = sqlite3_db_filename(ss->db, "main");
    sqlite3_stmt *st;
    if (!file || !*file ||
        prepare(ss, "PRAGMA journal_mode", &st, err) != RP_OK)
        return RP_OK;
    int wal = sqlite3_step(st) == SQLITE_ROW &&
              sqlite3_stricmp((const char *)sqlite3_column_text(st, 0),
                              "wal") == 0;
    sqlite3_reset(st);
    if (!wal)
        return RP_OK;
    if (run_once(ss, "PRAGMA synchronous = NORMAL", err))
        return err->code;
    ss->group = rp_sqlite_group_join(file);
    if (!ss->group)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    return RP_OK;
}

/*
 * SQLite's process-wide settings, made once before its first connection.
 * One budget for every connection's page cache in the process.  Each
 * connection may keep up to 64 MiB of pages (cache_size below), and a
 * server holds one connection per thread and per lane: unbounded, a desk
 * of a million encounters read on every thread grew rapportd to 280 MB.
 * Past this soft limit SQLite recycles a connection's least recently used
 * pages instead of allocating more, so the caches together stay near the
 * budget while one busy connection can still use most of it.  The limit
 * works from SQLite's memory statistics, so they stay on, though they take
 * one library-wide mutex on every allocation (measured with them off: 5.7%
 * of the server's time creating encounters at 64 connections, 3% of the
 * 360 view's): bounded memory comes first.
 */
#define RP_SQLITE_CACHE_BUDGET (96 * 1024 * 1024)

static void configure_sqlite(void)
{
    sqlite3_soft_heap_limit64(RP_SQLITE_CACHE_BUDGET);
}

void rp_sqlite_configure(void)
{
    static pthread_once_t configured = PTHREAD_ONCE_INIT;
    pthread_once(&configured, configure_sqlite);
}

rp_code rp_store_sqlite_open(const char *path, int target_version,
                             rp_store **out, rp_error *err)
{
    rp_sqlite_configure();
    sqlite_store *ss = calloc(1, sizeof *ss);
    if (!ss)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    ss->base.ops = &sqlite_ops;
    ss->base.impl = ss;
    ss->conn = &ss->own;
    static atomic_uint_fast64_t serials;
    ss->serial = atomic_fetch_add(&serials, 1) + 1;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &ss->own.db, flags, NULL) != SQLITE_OK) {
        rp_error_set(err, RP_EINTERNAL, "db", "cannot open database %s: %s",
                     path,
                     ss->own.db ? sqlite3_errmsg(ss->own.db) : "out of memory");
        sqlite3_close(ss->own.db);
        free(ss);
        return err->code;
    }
    if (rp_sqlite_rank_register(ss->own.db) != SQLITE_OK ||
        rp_sqlite_marks_register(ss->own.db) != SQLITE_OK) {
        rp_error_set(err, RP_EINTERNAL, "db",
                     "cannot open database %s: SQLite has no FTS5", path);
        sqlite3_close(ss->own.db);
        free(ss);
        return err->code;
    }
    ss->db = ss->own.db;
    ss->wait_ms = RP_STORE_BUSY_WAIT_MS;
    sqlite3_busy_handler(ss->db, on_busy, ss);
    sqlite3_extended_result_codes(ss->db, 1);
    rp_code rc = run_once(ss, "PRAGMA journal_mode = WAL", err);
    if (rc == RP_OK)
        rc = run_once(ss, "PRAGMA synchronous = FULL", err);
    for (int i = 0; rc == RP_OK && connection_pragmas[i]; i++)
        rc = run_once(ss, connection_pragmas[i], err);
    if (rc == RP_OK)
        rc = migrate(ss, target_version, err);
    if (rc) {
        char msg[RP_ERROR_MESSAGE_MAX * 2], field[RP_ERROR_FIELD_MAX];
        snprintf(msg, sizeof msg, "%s: %s", path, err->message);
        snprintf(field, sizeof field, "%s", err->field);
        rp_code code = err->code;
        rp_error_set(err, code, field, "%s", msg);
        sq_close(&ss->base);
        return code;
    }
    if (join_group(ss, err)) {
        sq_close(&ss->base);
        return err->code;
    }
    sqlite3_commit_hook(ss->db, on_commit, &ss->own);
    *out = &ss->base;
    return RP_OK;
}

void rp_store_sqlite_group_stats(rp_store *s, rp_sqlite_group_stats *out)
{
    rp_sqlite_group_get_stats(((sqlite_store *)s->impl)->group, out);
}

static rp_code open_latest(const char *path, rp_store **out, rp_error *err)
{
    return rp_store_sqlite_open(path, 0, out, err);
}

const rp_store_backend rp_store_sqlite_backend = {"sqlite",
                                                  open_latest,
                                                  rp_sqlite_restore,
                                                  rp_sqlite_claim,
                                                  rp_sqlite_release,
                                                  rp_sqlite_describe,
                                                  0};
