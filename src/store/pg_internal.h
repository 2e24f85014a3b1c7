/*
 * pg_internal.h - what the pieces of the PostgreSQL backend share: the
 * migration list (pg_schema.c) and the named-query table (pg_queries.c).
 * Nothing outside src/store includes this but the store's own unit tests.
 */
#ifndef RP_PG_INTERNAL_H
#define RP_PG_INTERNAL_H

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

#endif
