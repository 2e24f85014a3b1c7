/*
 * sqlite_commit.h - the write queue and group commit of a SQLite database
 * file (sqlite_commit.c says why).  Only the SQLite backend and the store's
 * unit tests include it.
 */
#ifndef RP_SQLITE_COMMIT_H
#define RP_SQLITE_COMMIT_H

#include <pthread.h>
#include <stdint.h>

/* What the connections of one file have shared, since it was first opened
 * in this process. */
typedef struct rp_sqlite_group_stats {
    uint64_t entered_at_once;       /* writes that found the queue empty */
    uint64_t entered_after_waiting; /* writes woken in their turn */
    uint64_t commits;               /* commits counted */
    uint64_t flushes;               /* flushes of the log that covered them */
    uint64_t batched;               /* write transactions ended in batches */
    uint64_t batches;               /* batches ended (committed or not) */
    uint64_t lingered; /* times a batch was held open for writes to come */
    uint64_t joined_lingering; /* ... and a write came and joined it */
    uint64_t waiting;          /* connections in the queue now */
} rp_sqlite_group_stats;

/* A write transaction of a batch (store_sqlite.c): several write
 * transactions committed as one, each in its own savepoint.  The one that
 * ends the batch marks each member done and wakes it; a member waits for
 * that on a condition of its own, so that ending a batch wakes its members
 * only, not those of the next batch already waiting.  Zero-initialize. */
typedef struct rp_sqlite_member {
    struct rp_sqlite_member *next;
    int done;
    int sleeping; /* woken set up: the member waits on it */
    int out;      /* counted out by rp_sqlite_group_join_batch */
    pthread_cond_t woken;
} rp_sqlite_member;

typedef struct rp_sqlite_group rp_sqlite_group;

/*
 * The group of the database file at path (as SQLite names it, so every
 * connection to one file names it alike), created on first use; NULL if
 * path is empty (an in-memory or temporary database) or memory ran out.
 * Each join is matched by one rp_sqlite_group_leave.
 */
rp_sqlite_group *rp_sqlite_group_join(const char *path);

/* Leave the group; the last to leave frees it.  NULL is ignored. */
void rp_sqlite_group_leave(rp_sqlite_group *g);

/*
 * Wait in arrival order for the file's write turn, at most timeout_ms.
 * Returns 0 with the turn held (give it back with rp_sqlite_group_exit), or
 * -1 if the time ran out (the caller was taken out of the queue).  If
 * waited_ms is not NULL it is set to how long the call waited.
 */
int rp_sqlite_group_enter(rp_sqlite_group *g, int timeout_ms, int *waited_ms);

/* Give the write turn to the next in the queue, if any. */
void rp_sqlite_group_exit(rp_sqlite_group *g);

/*
 * Give the write turn to the next in the queue if there is one, and return
 * 1; else return 0, the caller still holding the turn.  (A caller that
 * must not leave the turn unheld, with work pending for the next, tells
 * the two apart in one step: a waiter may give up its wait at any time.)
 */
int rp_sqlite_group_pass(rp_sqlite_group *g);

/*
 * As rp_sqlite_group_pass, for the holder of the turn ending its write into
 * an open batch of members writes (itself among them): if nobody is in the
 * queue but writes of other batches are still out (counted by
 * rp_sqlite_group_join_batch and not yet back from
 * rp_sqlite_group_await_batch), wait up to linger_us for a write to arrive
 * and hand it the turn (sqlite_commit.c says why).  A lone writer never
 * waits.
 */
int rp_sqlite_group_pass_lingering(rp_sqlite_group *g, int members,
                                   int linger_us);

/* Count member m, a write released into the open batch, out until its
 * rp_sqlite_group_await_batch returns. */
void rp_sqlite_group_join_batch(rp_sqlite_group *g, rp_sqlite_member *m);

/*
 * End a batch: mark every member of the list done and wake them (the
 * caller filled in what they are to learn first; it holds the turn).
 */
void rp_sqlite_group_end_batch(rp_sqlite_group *g, rp_sqlite_member *list);

/* Wait until member m of a batch is marked done (and count it back, if
 * rp_sqlite_group_join_batch counted it out). */
void rp_sqlite_group_await_batch(rp_sqlite_group *g, rp_sqlite_member *m);

/*
 * Count a commit that has just written its pages to the log, and return
 * its number, for rp_sqlite_group_sync.
 */
uint64_t rp_sqlite_group_committed(rp_sqlite_group *g);

/*
 * Return once a flush of the log that began after commit seq was counted
 * has ended: either led here, by calling sync(arg), or by another caller
 * whose flush covers it.  Returns 0, or -1 if the flush this call led
 * failed (the commit is then not known to be on the disk).
 */
int rp_sqlite_group_sync(rp_sqlite_group *g, uint64_t seq,
                         int (*sync)(void *arg), void *arg);

/*
 * The connection the file's write transactions share (store_sqlite.c says
 * why), or NULL before one is set.  Only a caller holding the write turn
 * uses it, or sets it; close(writer) is called when the last connection
 * leaves the group.
 */
void *rp_sqlite_group_writer(rp_sqlite_group *g);
void rp_sqlite_group_set_writer(rp_sqlite_group *g, void *writer,
                                void (*close)(void *writer));

/* Fill out with the group's figures (zeros for NULL). */
void rp_sqlite_group_get_stats(rp_sqlite_group *g, rp_sqlite_group_stats *out);

#endif
