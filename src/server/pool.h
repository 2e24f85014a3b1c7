/*
 * pool.h - a pool of store connections for the server's worker threads.
 *
 * SQLite connections must not be shared between threads that use them at
 * the same time, so each request borrows one for its duration.  Connections
 * are opened on demand up to a bound and kept for reuse.
 */
#ifndef RP_POOL_H
#define RP_POOL_H

#include "core/rapport.h"

typedef struct rp_pool rp_pool;

/* Make a pool for the database at path; opens one connection to check it. */
rp_code rp_pool_create(const char *path, int max, rp_pool **out, rp_error *err);

/* Borrow a connection, opening one if none is idle. */
rp_code rp_pool_acquire(rp_pool *pool, rp_store **out, rp_error *err);

/* Give a borrowed connection back. */
void rp_pool_release(rp_pool *pool, rp_store *s);

/* Close every connection; none may be borrowed. */
void rp_pool_destroy(rp_pool *pool);

#endif
