/*
 * store_sqlite.h - what the SQLite backend offers beyond store.h.
 *
 * The server, the CLI and the tests open a store with rp_store_open
 * ("sqlite:PATH").  This header is for the backend table in store.c and for
 * the tests that must build a database at an old schema version to check
 * that migrating it keeps its data; nothing else includes it.
 */
#ifndef RP_STORE_SQLITE_H
#define RP_STORE_SQLITE_H

#include "store/store.h"

/* The "sqlite" entry of the backend table. */
extern const rp_store_backend rp_store_sqlite_backend;

/*
 * Open (creating if needed) the SQLite database at path and migrate it to
 * target_version (0 or anything above the latest: the latest).  A database
 * whose schema is newer than this program knows is refused with RP_ESCHEMA.
 */
rp_code rp_store_sqlite_open(const char *path, int target_version,
                             rp_store **out, rp_error *err);

/*
 * The figures of the write queue and group commit that the connection s
 * (a SQLite store) shares with the process's other connections to its
 * file (sqlite_commit.h); all zero when it shares none (an in-memory
 * database, or RAPPORT_SQLITE_COMMIT=each).
 */
struct rp_sqlite_group_stats;
void rp_store_sqlite_group_stats(rp_store *s,
                                 struct rp_sqlite_group_stats *out);

/* Highest schema version this build knows. */
int rp_store_sqlite_latest_version(void);

#endif
