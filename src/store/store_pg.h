/*
 * store_pg.h - what the PostgreSQL backend offers beyond store.h.
 *
 * The server, the CLI and the tests open a PostgreSQL store with
 * rp_store_open ("postgres://...", "postgresql://..." or a libpq keyword
 * string such as "host=/run/postgresql dbname=rapport").  This header is
 * for the backend table in store.c and for the tests that must build a
 * database at an old schema version or hold the writer's lock; nothing
 * else includes it.
 */
#ifndef RP_STORE_PG_H
#define RP_STORE_PG_H

#include "store/store.h"

/* The advisory lock every write transaction takes first, so that writers
 * take turns across servers ("rapp" and 2).  A test that stands for
 * another server holding the write lock takes it too. */
#define RP_PG_WRITER_LOCK_KEY 0x7261707000000002LL

/* The "postgres" and "postgresql" entries of the backend table. */
extern const rp_store_backend rp_store_pg_backend;
extern const rp_store_backend rp_store_postgresql_backend;

/*
 * Is name a libpq keyword string ("host=... dbname=..."): a keyword of
 * letters and '_' followed by '=' (spaces allowed around it)?  store.c
 * sends such names to this backend whole.
 */
int rp_store_pg_is_keyword_string(const char *name);

/*
 * Connect to the database that conninfo names (a postgres:// or
 * postgresql:// URI, or a libpq keyword string) and migrate it to
 * target_version (0 or anything above the latest: the latest), under an
 * advisory lock so that servers starting at once migrate it once.  A
 * database whose schema is newer than this program knows is refused with
 * RP_ESCHEMA; one that cannot be reached is RP_EBUSY.
 */
rp_code rp_store_pg_open(const char *conninfo, int target_version,
                         rp_store **out, rp_error *err);

/* Highest schema version this build knows for PostgreSQL (0 when the
 * build has no PostgreSQL schema). */
int rp_store_pg_latest_version(void);

#endif
