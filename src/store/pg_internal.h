/*
 * pg_internal.h - what the pieces of the PostgreSQL backend share: the
 * migration list (pg_schema.c) and the named-query table (pg_queries.c).
 * Nothing outside src/store includes this but the store's own unit tests.
 */
#ifndef RP_PG_INTERNAL_H
#define RP_PG_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

#include "base/error.h"
#include "store/queries.h"

typedef struct rp_pg_migration {
    int version;
    const char *description;
    const char *sql; /* one or more statements */
} rp_pg_migration;

extern const rp_pg_migration rp_pg_migrations[];
extern const int rp_pg_nmigrations;

/* The SQL text of query q (parameters $1, $2, ... bound in order), NULL
 * when none or out of range. */
const char *rp_pg_query_sql(rp_query q);

/* The connection of a PostgreSQL store, and a failed result turned into
 * an rp_error as the backend maps them (res is cleared), for the copy's
 * operations (pg_copy.c). */
struct rp_store;
struct pg_conn;
struct pg_result;
struct pg_conn *rp_pg_conn(struct rp_store *s);
rp_code rp_pg_fail(struct rp_store *s, struct pg_result *res, const char *what,
                   rp_error *err);

/* The copy_* operations of store.h (pg_copy.c). */
rp_code rp_pg_copy_tables(struct rp_store *s, json_t **out, rp_error *err);
rp_code rp_pg_copy_read(struct rp_store *s, const json_t *table,
                        const json_t *after, int limit, json_t **rows,
                        json_t **last, rp_error *err);
rp_code rp_pg_copy_count(struct rp_store *s, const char *table, int64_t *count,
                         rp_error *err);
rp_code rp_pg_copy_progress(struct rp_store *s, json_t **out, rp_error *err);
rp_code rp_pg_copy_write(struct rp_store *s, const char *source,
                         const json_t *table, const json_t *rows, int first,
                         const json_t *last, int64_t copied, int done,
                         rp_error *err);
rp_code rp_pg_copy_seal(struct rp_store *s, rp_error *err);
rp_code rp_pg_copy_forget(struct rp_store *s, rp_error *err);

#endif
