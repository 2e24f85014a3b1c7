/*
 * store.h - the storage interface of rapport.
 *
 * The domain (src/core) never writes SQL.  It talks to an rp_store, a table of
 * function pointers that a backend fills: SQLite today (store_sqlite.c), and
 * PostgreSQL later without a change to the domain.  The interface has three
 * parts:
 *
 *   1. transactions (begin / commit / rollback);
 *   2. generic record operations (insert, update, get, list, count) over the
 *      entity catalogue of entity.h, so a new kind of record is a catalogue
 *      entry and a migration rather than five new functions;
 *   3. named queries: every other statement (aggregates, searches, claims)
 *      is looked up by a stable name such as "moment.list_for_customer"; each
 *      backend owns the SQL text for each name.
 *
 * Rows travel as jansson objects keyed by column name.  Times are integers
 * (Unix seconds, UTC) going in and RFC 3339 strings coming out, so the API
 * layer never converts; JSON columns go in and out as JSON values.
 */
#ifndef RP_STORE_H
#define RP_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "base/error.h"
#include "store/entity.h"

typedef struct rp_store rp_store;

/* How a list filter compares a column with its value. */
typedef enum rp_filter_op {
    RP_FILTER_EQ,       /* column = value (value NULL matches IS NULL) */
    RP_FILTER_NE,       /* column <> value */
    RP_FILTER_LT,
    RP_FILTER_LE,
    RP_FILTER_GT,
    RP_FILTER_GE,
    RP_FILTER_CONTAINS, /* case-insensitive substring match on a text column */
    RP_FILTER_IN        /* value is a JSON array; column IN (...) */
} rp_filter_op;

typedef struct rp_filter {
    const char *column;   /* a column of the entity; several joined by '|'
                             for CONTAINS means "any of these columns" */
    rp_filter_op op;
    json_t *value;        /* borrowed */
} rp_filter;

/* One page request: keyset pagination on id. */
typedef struct rp_page {
    int64_t after_id;     /* 0: from the start */
    int descending;       /* 1: newest (highest id) first */
    int limit;            /* rows wanted; the store returns at most this */
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
    rp_code (*insert)(rp_store *s, const rp_entity *e, json_t *row,
                      int64_t *id, rp_error *err);
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
     * Run the named query with params (a JSON array bound in order; may be
     * NULL) and fill *rows (new array of objects).  Result columns named
     * "*_at" come back as RFC 3339 times, "*__json" as parsed JSON and
     * "*__bool" as booleans, with the suffix removed.
     */
    rp_code (*query)(rp_store *s, const char *name, json_t *params,
                     json_t **rows, rp_error *err);
    /* Run a named statement that returns no rows; fill *changes if not NULL. */
    rp_code (*exec)(rp_store *s, const char *name, json_t *params,
                    int64_t *changes, rp_error *err);

    /* Schema version the database is at. */
    int (*schema_version)(rp_store *s);
    /* Release every resource; s is invalid afterwards. */
    void (*close)(rp_store *s);
} rp_store_ops;

struct rp_store {
    const rp_store_ops *ops;
    void *impl;
};

/*
 * Open (creating if needed) the SQLite database at path and bring its schema
 * up to date.  A database whose schema is newer than this program knows is
 * refused with RP_ESCHEMA.  target_version 0 means the latest; tests pass a
 * lower number to build an old database and check that migration keeps data.
 */
rp_code rp_store_sqlite_open(const char *path, int target_version,
                             rp_store **out, rp_error *err);

/* Highest schema version this build knows. */
int rp_store_sqlite_latest_version(void);

/* Convenience wrappers that read like the rest of the library. */
static inline rp_code rp_store_begin(rp_store *s, rp_error *err)
{
    return s->ops->begin(s, err);
}
static inline rp_code rp_store_commit(rp_store *s, rp_error *err)
{
    return s->ops->commit(s, err);
}
static inline void rp_store_rollback(rp_store *s) { s->ops->rollback(s); }
static inline void rp_store_close(rp_store *s)
{
    if (s)
        s->ops->close(s);
}

#endif
