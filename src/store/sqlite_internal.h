/*
 * sqlite_internal.h - what the pieces of the SQLite backend share: the
 * migration list (sqlite_schema.c) and the named-query table
 * (sqlite_queries.c).  Nothing outside src/store includes this but the
 * store's own unit tests, which look at the plans of its queries.
 */
#ifndef RP_SQLITE_INTERNAL_H
#define RP_SQLITE_INTERNAL_H

#include <jansson.h>

#include "base/error.h"
#include "store/queries.h"

typedef struct rp_sqlite_migration {
    int version;
    const char *description;
    const char *sql; /* one or more statements */
} rp_sqlite_migration;

extern const rp_sqlite_migration rp_sqlite_migrations[];
extern const int rp_sqlite_nmigrations;

/* The SQL text of query q; NULL when the table has none (a bug the unit
 * test catches) or q is out of range. */
const char *rp_sqlite_query_sql(rp_query q);

/* SQLite's process-wide settings (store_sqlite.c), made once: called
 * before anything of the backend opens a connection. */
void rp_sqlite_configure(void);

/* Register rp_bm25, the knowledge search's rank (sqlite_rank.c), on
 * connection db; an SQLite result code.  Every connection that prepares
 * knowledge.search needs it (the store's own, the shared writer, and a
 * test's raw connection that explains the query). */
struct sqlite3;
int rp_sqlite_rank_register(struct sqlite3 *db);

/* FTS5's API on connection db (its "SELECT fts5(?1)" handshake), or NULL
 * when SQLite has no FTS5; both registrations below start from it. */
struct fts5_api;
struct fts5_api *rp_sqlite_fts5_api(struct sqlite3 *db);

/* Register rp_kb_highlight and rp_kb_snippet, the knowledge search's
 * marked title and snippet (sqlite_marks.c), on connection db; an SQLite
 * result code.  The same connections as rp_sqlite_rank_register. */
int rp_sqlite_marks_register(struct sqlite3 *db);

/* Backups, restores and the server's claim (sqlite_backup.c), as the
 * backup op and rp_store_restore / rp_store_claim_db describe them. */
struct sqlite3;
rp_code rp_sqlite_backup(struct sqlite3 *db, const char *path, int replace,
                         json_t **report, rp_error *err);
rp_code rp_sqlite_restore(const char *file, const char *path, int replace,
                          json_t **report, rp_error *err);
rp_code rp_sqlite_claim(const char *path, void **hold, rp_error *err);
void rp_sqlite_release(void *hold);
rp_code rp_sqlite_describe(const char *path, json_t **out, rp_error *err);

/* The connection of a SQLite store, and its last failure as an rp_error
 * (store_sqlite.c), for the copy's operations (sqlite_copy.c). */
struct rp_store;
struct sqlite3 *rp_sqlite_handle(struct rp_store *s);
rp_code rp_sqlite_fail(struct rp_store *s, rp_error *err, const char *what);

/* The copy_tables, copy_read and copy_count operations (sqlite_copy.c). */
rp_code rp_sqlite_copy_tables(struct rp_store *s, json_t **out, rp_error *err);
rp_code rp_sqlite_copy_read(struct rp_store *s, const json_t *table,
                            const json_t *after, int limit, json_t **rows,
                            json_t **last, rp_error *err);
rp_code rp_sqlite_copy_count(struct rp_store *s, const char *table,
                             int64_t *count, rp_error *err);

#endif
