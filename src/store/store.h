/*
 * store.h - the storage interface of rapport.
 *
 * The domain (src/core) never writes SQL.  It talks to an rp_store, a table of
 * function pointers that a backend fills: SQLite (store_sqlite.c), the
 * embedded default, and PostgreSQL (store_pg.c) for desks that outgrow one
 * machine, without a change to the domain.  A store is opened by
 * name, "sqlite:PATH", the scheme choosing the backend from one table the
 * way SQLite's sqlite3_vfs_find picks a VFS by name.  The interface has
 * three parts:
 *
 *   1. transactions (begin / commit / rollback, and rp_store_finish to end
 *      one);
 *   2. generic record operations (insert, update, get, list, count) over the
 *      entity catalogue of entity.h, so a new kind of record is a catalogue
 *      entry and a migration rather than five new functions;
 *   3. named queries: every other statement (aggregates, searches, claims)
 *      is named by an id of queries.h such as RP_Q_CUSTOMER_OPEN_PROMISES;
 *      each backend owns the SQL text for each id.
 *
 * Rows travel as jansson objects keyed by column name.  Times are integers
 * (Unix seconds, UTC) going in and RFC 3339 strings coming out, so the API
 * layer never converts; JSON columns go in and out as JSON values.
 *
 * Row typing.  Entity rows (get, list) are typed by the catalogue: each
 * column as its rp_column_type says (entity.h), "id" an integer, SQL NULL
 * always JSON null.  Rows of named queries carry no catalogue, so the name
 * of each result column says how to read it, checked in this order:
 *
 *   "NAME__json"  the key is NAME; text is parsed as any JSON value (text
 *                 that is not valid JSON comes back as a string);
 *   "NAME__bool"  the key is NAME; 0 is false, any other number true;
 *   "NAME_at"     the key keeps its name; an integer value is Unix seconds
 *                 and comes back as an RFC 3339 UTC string
 *                 ("2024-05-01T09:30:00Z"); a value of another type comes
 *                 back as the rule below says;
 *   anything else by the stored value: integer as JSON integer, real as
 *                 JSON real, text as string, NULL as null.
 *
 * SQL NULL is JSON null under every suffix.  A query that wants a time as
 * an integer (to compare it) names the column without "_at" ("last_seen_at
 * AS seen").  Column names longer than 127 bytes are cut.
 *
 * Parameters of named queries are a JSON array bound in order: integers,
 * reals and strings as themselves, true/false as 1/0, null as NULL, and an
 * object or array as its compact JSON text.
 */
#ifndef RP_STORE_H
#define RP_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/error.h"
#include "store/entity.h"
#include "store/queries.h"

typedef struct rp_store rp_store;

/* How long a statement waits for another connection's lock before it
 * fails with RP_EBUSY, unless set_busy_wait says otherwise. */
#define RP_STORE_BUSY_WAIT_MS 5000

/* How a list filter compares a column with its value. */
typedef enum rp_filter_op {
    RP_FILTER_EQ, /* column = value (value NULL matches IS NULL) */
    RP_FILTER_NE, /* column <> value */
    RP_FILTER_LT,
    RP_FILTER_LE,
    RP_FILTER_GT,
    RP_FILTER_GE,
    RP_FILTER_CONTAINS, /* case-insensitive substring match on a text column */
    RP_FILTER_IN        /* value is a JSON array; column IN (...) */
} rp_filter_op;

typedef struct rp_filter {
    const char *column; /* a column of the entity; several joined by '|'
                           for CONTAINS means "any of these columns" */
    rp_filter_op op;
    json_t *value; /* borrowed */
} rp_filter;

/* One page request: keyset pagination on id. */
/* The SQL comparison of a filter's operator ("=", "<>", "<", ...); both
 * backends build their WHERE clauses with it. */
const char *rp_filter_op_sql(rp_filter_op op);
/* RP_OK when every column f names (several joined by '|') is a column of e
 * or "id", else RP_EINTERNAL naming it: no identifier in a statement comes
 * from outside the catalogue. */
rp_code rp_filter_check_columns(const rp_entity *e, const rp_filter *f,
                                rp_error *err);

typedef struct rp_page {
    int64_t after_id; /* 0: from the start */
    int descending;   /* 1: newest (highest id) first */
    int limit;        /* rows wanted; the store returns at most this */
} rp_page;

typedef struct rp_store_ops {
    const char *backend; /* "sqlite", "postgresql" */

    /* Begin a write transaction.  Nested calls are an error. */
    rp_code (*begin)(rp_store *s, rp_error *err);
    /* Make the transaction durable; only then may the caller acknowledge. */
    rp_code (*commit)(rp_store *s, rp_error *err);
    /* Undo the transaction; safe to call when none is open. */
    void (*rollback)(rp_store *s);

    /* Insert row (keys are column names of e) and fill *id. */
    rp_code (*insert)(rp_store *s, const rp_entity *e, json_t *row, int64_t *id,
                      rp_error *err);
    /* Set the columns present in changes on the record with this id. */
    rp_code (*update)(rp_store *s, const rp_entity *e, int64_t id,
                      json_t *changes, rp_error *err);
    /* Fill *row (new reference) with the record, or RP_ENOTFOUND. */
    rp_code (*get)(rp_store *s, const rp_entity *e, int64_t id, json_t **row,
                   rp_error *err);
    /* Fill *rows (new array) with the records matching every filter. */
    rp_code (*list)(rp_store *s, const rp_entity *e, const rp_filter *filters,
                    int nfilters, const rp_page *page, json_t **rows,
                    rp_error *err);
    /* Fill *count with the number of records matching every filter. */
    rp_code (*count)(rp_store *s, const rp_entity *e, const rp_filter *filters,
                     int nfilters, int64_t *count, rp_error *err);
    /* Delete the record with this id (refused for append-only entities). */
    rp_code (*remove)(rp_store *s, const rp_entity *e, int64_t id,
                      rp_error *err);

    /*
     * Run query q with params (a JSON array bound in order; may be NULL) and
     * fill *rows (new array of objects typed as the row-typing contract at
     * the top of this file says).
     */
    rp_code (*query)(rp_store *s, rp_query q, json_t *params, json_t **rows,
                     rp_error *err);
    /*
     * Run query q as query does and append its rows to out as JSON text:
     * the bytes rp_json_write (base/json.h) writes for the array query
     * would fill, without making it (a view sent as it is read).  On
     * failure out may hold part of the text.  May be NULL: call
     * rp_store_query_write, which falls back to query.
     */
    rp_code (*query_write)(rp_store *s, rp_query q, json_t *params, rp_buf *out,
                           rp_error *err);
    /* Run query q for its effect, ignoring any rows; fill *changes (rows
     * inserted, changed or deleted) if not NULL. */
    rp_code (*exec)(rp_store *s, rp_query q, json_t *params, int64_t *changes,
                    rp_error *err);
    /* Compile query q against the live schema without running it: RP_OK,
     * or RP_EINTERNAL naming the query and saying why it does not compile. */
    rp_code (*check)(rp_store *s, rp_query q, rp_error *err);

    /* Schema version the database is at. */
    int (*schema_version)(rp_store *s);
    /* Release every resource; s is invalid afterwards. */
    void (*close)(rp_store *s);

    /* ---- waiting for another writer ---- */
    /* From now on wait at most ms milliseconds in all (0: not at all) for
     * locks other connections hold, then fail with RP_EBUSY.  The server
     * calls it as each request begins, so that a request's waits add up
     * to no more than ms; a store never told waits up to
     * RP_STORE_BUSY_WAIT_MS for each statement. */
    void (*set_busy_wait)(rp_store *s, int ms);
    /* Like exec, but never waiting: RP_EBUSY at once when another
     * connection holds the lock.  For best-effort writes (when a session
     * or token was last used) that must neither delay nor fail the
     * request they ride on. */
    rp_code (*try_exec)(rp_store *s, rp_query q, json_t *params,
                        int64_t *changes, rp_error *err);
    /* Could a write begin now?  Takes the write lock, waiting as long as
     * set_busy_wait allows, and gives it back at once, changing nothing:
     * RP_OK, or RP_EBUSY while another connection keeps it.  Call with no
     * transaction open.  PostgreSQL, whose servers pass the writers' lock
     * between them all the time, does not queue for it: it answers
     * whether the database takes writes at all (not a standby, not
     * read-only), so a busy fleet is not reported as an unwell one. */
    rp_code (*probe_write)(rp_store *s, rp_error *err);

    /* ---- operations ---- */
    /*
     * Copy the database, as it is at one moment, to the file path while
     * other connections go on reading and writing, then check the copy
     * (its integrity, its schema) and fill *report (new object) with
     * "bytes", "schema_version" and "counts" {table: rows}.  The copy is
     * written beside path and renamed onto it only once it is checked and
     * on the disk, so path is never half written; an existing path is
     * refused (RP_ECONFLICT, field "to") unless replace.  Call with no
     * transaction open.
     */
    rp_code (*backup)(rp_store *s, const char *path, int replace,
                      json_t **report, rp_error *err);
    /* ---- a step inside a long transaction ---- */
    /* Mark the point a bulk write (an import) can undo one row back to,
     * inside the transaction that is open; one mark at a time. */
    rp_code (*mark)(rp_store *s, rp_error *err);
    /* Keep what was done since the mark, and forget the mark. */
    rp_code (*unmark)(rp_store *s, rp_error *err);
    /* Undo what was done since the mark, and forget the mark; the
     * transaction stays open. */
    void (*undo_to_mark)(rp_store *s);
    /* ---- erasure ---- */
    /* After an erasure has committed: copy the write-ahead log back into
     * the database file and empty it, so that the erased bytes survive in
     * no file (deleted content is overwritten in the database itself, the
     * store never leaves it in free space).  Waits for readers as
     * set_busy_wait allows: RP_OK, or RP_EBUSY when a reader kept the log
     * (the erasure itself stands; the log is emptied at a later one). */
    rp_code (*scrub)(rp_store *s, rp_error *err);
    /* ---- one snapshot for several reads ---- */
    /* Begin a read transaction, so that the queries up to read_end see
     * the database as it was at one moment (a view made of several
     * queries is consistent, and they share one lock instead of taking
     * it each).  Inside a transaction already open it does nothing and
     * read_end leaves that transaction alone, so a view may be read
     * within a larger piece of work.  No write may begin before
     * read_end. */
    rp_code (*read_begin)(rp_store *s, rp_error *err);
    /* End what the matching read_begin began. */
    void (*read_end)(rp_store *s);
    /*
     * Inside a read transaction (read_begin) of this store: fill v with
     * three numbers that are the same in two of its read transactions
     * only if nothing was committed to the database in between, by
     * anyone (another connection, another process, this store), and that
     * no other store of the process gives; what was read in the one is
     * then still what the other would read (a cache of the credentials,
     * core/staff/login.c).  RP_EINTERNAL outside a read transaction.  May
     * be NULL (PostgreSQL, whose other processes leave no such mark on a
     * connection): nothing is kept from one transaction to the next.
     */
    rp_code (*data_version)(rp_store *s, uint64_t v[3], rp_error *err);
    /* ---- long jobs beside requests ---- */
    /* Let the writers of this process that are waiting to begin a
     * transaction go first: return once none waits, or after at most
     * ms milliseconds.  A job that works through a large table in short
     * transactions (the scheduler's rules) calls it between two of them,
     * so a request waits for one batch at most, never for the job.  Call
     * with no transaction open.  May be NULL (a backend whose writers do
     * not share one lock). */
    void (*give_way)(rp_store *s, int ms);
    /*
     * Bring the query planner's statistics up to the tables' sizes: each
     * table with indexes that holds at least a thousand rows and more than
     * twice, or less than half, the rows its statistics were gathered at
     * (or that has none, or an index of all its rows that has none: one
     * a migration made since) is analyzed again from a bounded sample, one
     * table per write transaction; the other connections of the process
     * load the new statistics before their next read.  Fills *analyzed
     * with how many tables were.  Call with no transaction open.  May be
     * NULL (a backend whose server keeps its own statistics: PostgreSQL's
     * autovacuum).
     */
    rp_code (*refresh_statistics)(rp_store *s, int *analyzed, rp_error *err);

    /* ---- copying a whole desk into another database (store copy) ---- */
    /* The copy reads every table of the live schema, not the entity
     * catalogue, so a table added by a later migration is copied without
     * anyone remembering to list it.  Rows travel as JSON arrays of the
     * values as stored: integers, reals, text, null, and a blob as
     * {"hex": "..."}.  Identifiers in these statements come from the
     * database's own catalogue, never from input, and are quoted. */
    /* Fill *tables (new array) with the tables holding the desk's data,
     * read from the live schema, as objects {"name", "columns": [the
     * columns a copy writes, generated ones left out], "key": [the
     * columns (or "rowid") rows are read in order of], "seeded": true
     * when the migrations put rows in it}.  What the backend derives
     * from other tables (SQLite's full-text indexes and their queues) and
     * its own bookkeeping (the schema version, a copy's progress) are
     * left out. */
    rp_code (*copy_tables)(rp_store *s, json_t **tables, rp_error *err);
    /* Fill *rows (new array of arrays, values in the order of
     * table["columns"]) with at most limit rows of table (an object as
     * copy_tables makes, "columns" possibly reordered) whose key comes
     * after after (an array of key values; NULL: from the first), in key
     * order, and *last (new array) with the key of the last row (null
     * when none). */
    rp_code (*copy_read)(rp_store *s, const json_t *table, const json_t *after,
                         int limit, json_t **rows, json_t **last,
                         rp_error *err);
    /* Fill *count with the rows of the table named (one copy_tables
     * lists). */
    rp_code (*copy_count)(rp_store *s, const char *table, int64_t *count,
                          rp_error *err);
    /* The rest is what a backend offers as a copy's target (NULL when it
     * cannot be one).  Fill *progress (new object, or NULL when no copy
     * into this database is under way) with {"source", "tables": {name:
     * {"after", "rows", "done"}}} as copy_write left it. */
    rp_code (*copy_progress)(rp_store *s, json_t **progress, rp_error *err);
    /* In one transaction of its own: when first, delete what table holds
     * (the rows its migrations seeded) and note that a copy from source
     * began; write rows (as copy_read gives them, in table["columns"]
     * order) as they are, with the database's triggers and foreign-key
     * checks off for the transaction (the rows come from a desk that kept
     * its rules, and the triggers would add to them: a watch on each
     * encounter, a customer's last contact); and record that the table is
     * copied up to the key last (rows counts what it holds, done whether
     * it is complete).  Interrupted, nothing of the batch is kept. */
    rp_code (*copy_write)(rp_store *s, const char *source, const json_t *table,
                          const json_t *rows, int first, const json_t *last,
                          int64_t copied, int done, rp_error *err);
    /* After the last batch: move every id sequence past the ids copied,
     * so the next row written gets a new one. */
    rp_code (*copy_seal)(rp_store *s, rp_error *err);
    /* Once the copy is verified: forget its progress, so the database is
     * an ordinary desk (and a copy into it is refused as into any
     * non-empty one). */
    rp_code (*copy_forget)(rp_store *s, rp_error *err);
} rp_store_ops;

/*
 * Work to do inside a transaction just before it commits, or RP_OK to do
 * nothing: a failure rolls the transaction back and is what
 * rp_store_finish returns.  The audit log uses it to record a change in
 * the very transaction that makes it, without each change asking for it.
 */
typedef rp_code (*rp_store_commit_hook)(rp_store *s, void *arg, rp_error *err);

struct rp_store {
    const rp_store_ops *ops;
    void *impl;
    /* called by rp_store_finish before it commits, when set; set and
     * cleared by whoever lends the store out (a backend leaves it zero) */
    rp_store_commit_hook before_commit;
    void *before_commit_arg;
};

/* A backend: the scheme that names it and how to open a store of it. */
typedef struct rp_store_backend {
    const char *scheme; /* "sqlite" */
    /* Open the store that target (the name after "scheme:") names, bringing
     * its schema up to date; fill *out. */
    rp_code (*open)(const char *target, rp_store **out, rp_error *err);
    /* rp_store_restore and rp_store_claim for this backend's targets */
    rp_code (*restore)(const char *file, const char *target, int replace,
                       json_t **report, rp_error *err);
    rp_code (*claim)(const char *target, void **hold, rp_error *err);
    void (*release)(void *hold);
    /* rp_store_describe for this backend's targets */
    rp_code (*describe)(const char *target, json_t **out, rp_error *err);
    /* 1: its stores can be the target of a desk copy (copy_write) */
    int copy_target;
} rp_store_backend;

/* The backend whose scheme is the len bytes at scheme; NULL when none. */
const rp_store_backend *rp_store_backend_find(const char *scheme, size_t len);

/*
 * Open the store that name names and bring its schema up to date.  A name
 * is "SCHEME:TARGET", SCHEME being a letter followed by letters, digits,
 * '+', '-' or '.':
 *
 *   "sqlite:PATH"   the SQLite database file at PATH, created if missing;
 *   "postgres://USER@HOST:PORT/DATABASE" (or "postgresql://...", any URI
 *                   libpq takes) a PostgreSQL database, which must exist;
 *   "host=... dbname=..."  the same named by a libpq keyword string (a
 *                   name that starts with a keyword and '=').
 *
 * A name without a scheme (nothing before the first ':', or a '/' before
 * it: "./rapport.db", "/var/lib/rapport.db", "rapport.db", ":memory:") is a
 * SQLite path, so that --db and RAPPORT_DB keep taking a plain file name
 * (write "./a=b.db" for a file whose name looks like a keyword string).
 * An unknown scheme or an empty name is RP_EINVALID naming it (write
 * "./a:b.db" or "sqlite:a:b.db" for a file whose name holds a ':').  A
 * database whose schema is newer than this program knows is RP_ESCHEMA.
 */
rp_code rp_store_open(const char *name, rp_store **out, rp_error *err);

/*
 * Put the backup file back as the database that name names: check the
 * file first (a database of this backend, intact, made by rapport, its
 * schema not newer than this program knows: RP_EINVALID field "file", or
 * RP_ESCHEMA), then copy it beside the database and rename it into place
 * once it is on the disk, so the database is either the old one or the
 * whole new one.  An existing database is refused (RP_ECONFLICT, field
 * "force") unless replace; one a server holds (rp_store_claim) is refused
 * whatever replace says (RP_EBUSY).  Fills *report (new object) as backup
 * does for the restored database.
 */
rp_code rp_store_restore(const char *file, const char *name, int replace,
                         json_t **report, rp_error *err);

/*
 * Look at the database that name names without creating, migrating or
 * changing it (for rapportd --check-config): fill *out (new object) with
 * "exists", "schema_version" (0 for none yet), "latest_schema_version"
 * (what this program would migrate it to) and "copy_target" (whether a
 * desk can be copied into it, rapport store copy).  A database that cannot be
 * read or written by this user, or that is not a rapport database, is
 * RP_EINVALID (field "db"); one newer than this program is RP_ESCHEMA.  A
 * missing database is fine when it can be created.
 */
rp_code rp_store_describe(const char *name, json_t **out, rp_error *err);

/*
 * Write name into out as it may be shown or logged: a password in it (a
 * PostgreSQL URI's "user:password@", a keyword string's "password=...")
 * is replaced by "***".  Other names are written unchanged.
 */
void rp_store_display_name(const char *name, rp_buf *out);

/* What rp_store_claim holds; released with rp_store_release. */
typedef struct rp_store_claim rp_store_claim;

/*
 * Mark the database that name names as served by this process for as long
 * as the claim is held, so that a restore refuses to replace it under the
 * server.  Several servers may hold claims on one database at once; a
 * restore under way is RP_EBUSY.  Fills *out (NULL for a database with no
 * file, such as ":memory:").  Take it after the database is opened and
 * release it after the last connection is closed.
 */
rp_code rp_store_claim_db(const char *name, rp_store_claim **out,
                          rp_error *err);

/* Release a claim (NULL is fine). */
void rp_store_release(rp_store_claim *claim);

/*
 * End the transaction that s has open, given rc, the outcome of the work
 * done in it: when rc is RP_OK commit, and return the commit's error if it
 * fails (after rolling back); otherwise roll back and return rc, err left
 * as the failed step filled it.  When s->before_commit is set it runs
 * first, inside the transaction, and its failure rolls back.  Every write
 * ends with
 * "return rp_store_finish(s, rc, err);" instead of its own tail.
 */
rp_code rp_store_finish(rp_store *s, rp_code rc, rp_error *err);

/*
 * rp_store_finish for a write whose answer was read inside its own
 * transaction (so that it is the row as the write left it, before another
 * thread or process can move it on): on success *out takes row; on any
 * failure, of the work (rc) or of the commit, row is freed and *out is
 * left alone.
 */
rp_code rp_store_finish_with(rp_store *s, rp_code rc, json_t *row, json_t **out,
                             rp_error *err);

/* Convenience wrappers that read like the rest of the library. */
static inline rp_code rp_store_begin(rp_store *s, rp_error *err)
{
    return s->ops->begin(s, err);
}
static inline rp_code rp_store_commit(rp_store *s, rp_error *err)
{
    return s->ops->commit(s, err);
}
static inline void rp_store_rollback(rp_store *s)
{
    s->ops->rollback(s);
}
/* Append the rows of query q to out as JSON text (the query_write op, or
 * query and rp_json_write where a backend has none). */
rp_code rp_store_query_write(rp_store *s, rp_query q, json_t *params,
                             rp_buf *out, rp_error *err);

static inline rp_code rp_store_read_begin(rp_store *s, rp_error *err)
{
    return s->ops->read_begin(s, err);
}
static inline void rp_store_read_end(rp_store *s)
{
    s->ops->read_end(s);
}
/* The store's data_version, or RP_EINTERNAL when it has none. */
static inline rp_code rp_store_data_version(rp_store *s, uint64_t v[3],
                                            rp_error *err)
{
    if (!s->ops->data_version)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "this store cannot tell what changed");
    return s->ops->data_version(s, v, err);
}
static inline void rp_store_give_way(rp_store *s, int ms)
{
    if (s->ops->give_way)
        s->ops->give_way(s, ms);
}
static inline void rp_store_close(rp_store *s)
{
    if (s)
        s->ops->close(s);
}

#endif
