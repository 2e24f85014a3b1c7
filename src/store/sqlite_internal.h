/*
 * sqlite_internal.h - what the pieces of the SQLite backend share: the
 * migration list (sqlite_schema.c) and the named-query table
 * (sqlite_queries.c).  Nothing outside src/store includes this.
 */
#ifndef RP_SQLITE_INTERNAL_H
#define RP_SQLITE_INTERNAL_H

typedef struct rp_sqlite_migration {
    int version;
    const char *description;
    const char *sql; /* one or more statements */
} rp_sqlite_migration;

extern const rp_sqlite_migration rp_sqlite_migrations[];
extern const int rp_sqlite_nmigrations;

typedef struct rp_sqlite_query {
    const char *name;
    const char *sql;
} rp_sqlite_query;

/* Find the SQL text of a named query; NULL when there is none. */
const char *rp_sqlite_query_sql(const char *name);

#endif
