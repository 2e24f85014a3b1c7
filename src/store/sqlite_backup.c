/*
 * sqlite_backup.c - backups and restores of a SQLite database, and the
 * claim a server holds on its database so that a restore does not replace
 * it underneath.
 *
 * A backup is taken with SQLite's online backup API from inside one read
 * transaction: in WAL mode a reader never blocks a writer, so the server
 * goes on taking changes, and the copy is the database at the moment the
 * transaction began (every change acknowledged before it, none after).
 * The pages are copied in steps, so no step holds anything long.  The copy
 * is written beside the destination, switched to a rollback journal so it
 * is one self-contained file, checked (PRAGMA integrity_check, the tables
 * of rapport, the schema version), flushed to the disk, and only then
 * renamed onto the destination: a backup file is never half written.
 *
 * A restore checks the file the same way, copies it beside the database,
 * and renames it into place.  The old database is checkpointed first, so
 * its write-ahead log is empty: a log left beside the new file would be
 * replayed into it, and the log and shared-memory files are removed before
 * the rename.  The database is either the old one or the whole new one,
 * whenever the machine stops.
 *
 * The claim is an flock() on the database file: shared for each rapportd,
 * exclusive for a restore.  SQLite locks with fcntl(), which on Linux is a
 * separate kind of lock, so the two never meet; the claim's descriptor is
 * closed only after the server's last connection (closing any descriptor
 * of a file drops the process's fcntl locks on it).
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/input.h"
#include "base/log.h"
#include "store/sqlite_internal.h"
#include "store/store_sqlite.h"

/* Pages copied per step: 4 MiB at the default page size. */
#define STEP_PAGES 1024

/* The tables whose rows a report counts, when the schema has them. */
static const char *const counted[] = {
    "customers", "encounters", "moments", "messages", "tasks", "agents",
};

/* SQLite's own text names files and SQL: it goes to the log, and the
 * error says what failed in words. */
static rp_code db_fail(sqlite3 *db, rp_error *err, rp_code code,
                       const char *field, const char *what)
{
    int rc = db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;
    char num[32];
    snprintf(num, sizeof num, "%d", rc);
    rp_log(RP_LOG_ERROR, "store: the database failed", "doing", what, "error",
           db ? sqlite3_errmsg(db) : "out of memory", "code", num,
           (char *)NULL);
    if ((rc & 0xff) == SQLITE_FULL)
        return rp_error_set(err, RP_ENOSPACE, field,
                            "%s: the disk is full; nothing was written", what);
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return rp_error_set(err, RP_EBUSY, field,
                            "%s: the database is busy; try again in a moment",
                            what);
    return rp_error_set(err, code, field, "%s: %s", what,
                        (rc & 0xff) == SQLITE_NOTADB
                            ? "the file is not a SQLite database"
                        : (rc & 0xff) == SQLITE_CORRUPT
                            ? "the file is damaged"
                            : "the database failed (the log says how)");
}

static int run(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Flush a file, or a directory's entries, to the disk. */
static int sync_path(const char *path, int directory)
{
    int fd = open(path,
                  (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* The directory that holds path, in b. */
static const char *dir_of(rp_buf *b, const char *path)
{
    rp_buf_clear(b);
    const char *slash = strrchr(path, '/');
    if (!slash)
        rp_buf_puts(b, ".");
    else if (slash == path)
        rp_buf_puts(b, "/");
    else
        rp_buf_append(b, path, (size_t)(slash - path));
    return rp_buf_str(b);
}

/* Copy the main database of src, as its current read transaction sees it
 * (or as it is, with none open), into a new file at to. */
static rp_code copy_pages(sqlite3 *src, const char *to, rp_error *err)
{
    sqlite3 *dst = NULL;
    rp_sqlite_configure();
    if (sqlite3_open_v2(to, &dst,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                            SQLITE_OPEN_EXRESCODE,
                        NULL) != SQLITE_OK) {
        rp_code rc = db_fail(dst, err, RP_EINTERNAL, NULL, "creating the copy");
        sqlite3_close(dst);
        return rc;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        rp_code rc = db_fail(dst, err, RP_EINTERNAL, NULL, "starting the copy");
        sqlite3_close(dst);
        return rc;
    }
    int rc, waits = 0;
    do {
        rc = sqlite3_backup_step(b, STEP_PAGES);
        /* a lock on the copy's source is brief: wait it out, bounded */
        if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && waits++ < 500)
            sqlite3_sleep(10);
        else if (rc != SQLITE_OK && rc != SQLITE_DONE)
            break;
    } while (rc != SQLITE_DONE);
    int finished = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE || finished != SQLITE_OK) {
        /* the step's error is the copy's: SQLite keeps it on neither
         * connection, so it is told from its code */
        int why = rc != SQLITE_DONE ? rc : finished;
        char num[32];
        snprintf(num, sizeof num, "%d", why);
        rp_log(RP_LOG_ERROR, "store: copying the database failed", "error",
               sqlite3_errstr(why), "code", num, (char *)NULL);
        sqlite3_close(dst);
        if ((why & 0xff) == SQLITE_FULL)
            return rp_error_set(err, RP_ENOSPACE, NULL,
                                "copying the database: the disk is full");
        return rp_error_set(
            err, RP_EINVALID, "file", "copying the database: %s",
            (why & 0xff) == SQLITE_NOTADB ? "the file is not a SQLite database"
            : (why & 0xff) == SQLITE_CORRUPT
                ? "the file is damaged"
                : "it could not be read (the log says why)");
    }
    /* one self-contained file: no write-ahead log beside it */
    if (run(dst, "PRAGMA journal_mode = DELETE")) {
        rp_code code = db_fail(dst, err, RP_EINTERNAL, NULL,
                               "making the copy one file");
        sqlite3_close(dst);
        return code;
    }
    if (sqlite3_close(dst) != SQLITE_OK)
        return rp_error_set(err, RP_EINTERNAL, NULL, "closing the copy failed");
    return RP_OK;
}

/* One integer from sql (no parameters), or -1. */
static long long one_number(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Does the database have the table?  The name is bound. */
static int has_table(sqlite3 *db, const char *table)
{
    sqlite3_stmt *st;
    int found = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT 1 FROM sqlite_schema WHERE type = 'table'"
                           " AND name = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* Is the database at path intact, and a rapport database this program
 * can open?  Fills *report on success. */
static rp_code check_copy(const char *path, json_t **report, rp_error *err)
{
    sqlite3 *db = NULL;
    rp_sqlite_configure();
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rp_code rc = db_fail(db, err, RP_EINVALID, "file", "reading the copy");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_stmt *st;
    rp_code rc = RP_OK;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) !=
        SQLITE_OK) {
        rc = db_fail(db, err, RP_EINVALID, "file", "checking the copy");
        sqlite3_close(db);
        return rc;
    }
    int problems = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(st, 0);
        if (line && strcmp(line, "ok") != 0) {
            problems++;
            rp_log(RP_LOG_ERROR, "store: integrity check", "problem", line,
                   (char *)NULL);
        }
    }
    int step_failed = sqlite3_errcode(db) != SQLITE_OK &&
                      sqlite3_errcode(db) != SQLITE_DONE;
    sqlite3_finalize(st);
    if (step_failed && !problems) {
        rc = db_fail(db, err, RP_EINVALID, "file", "checking the copy");
        sqlite3_close(db);
        return rc;
    }
    if (problems) {
        sqlite3_close(db);
        return rp_error_set(err, RP_EINVALID, "file",
                            "the database is damaged: its integrity check "
                            "found %d problem%s (the log lists them)",
                            problems, problems == 1 ? "" : "s");
    }
    if (!has_table(db, "schema_version") || !has_table(db, "customers") ||
        !has_table(db, "moments")) {
        sqlite3_close(db);
        return rp_error_set(err, RP_EINVALID, "file",
                            "the file is a SQLite database but not a rapport "
                            "database (it has no customers, moments or schema "
                            "version)");
    }
    long long version = one_number(db, "SELECT max(version) FROM "
                                       "schema_version");
    int latest = rp_store_sqlite_latest_version();
    if (version > latest) {
        sqlite3_close(db);
        return rp_error_set(err, RP_ESCHEMA, "file",
                            "the database's schema is at version %lld but "
                            "this rapport knows versions up to %d; use a "
                            "newer rapport",
                            version, latest);
    }
    json_t *counts = json_object();
    for (size_t i = 0; i < sizeof counted / sizeof *counted; i++) {
        if (!has_table(db, counted[i]))
            continue;
        /* the name comes from the constant list above, never from input */
        rp_buf sql = RP_BUF_INIT;
        rp_buf_printf(&sql, "SELECT count(*) FROM \"%s\"", counted[i]);
        json_object_set_new(counts, counted[i],
                            json_integer(one_number(db, rp_buf_str(&sql))));
        rp_buf_free(&sql);
    }
    sqlite3_close(db);
    struct stat sb;
    *report = json_pack("{s:I, s:I, s:o}", "bytes",
                        (json_int_t)(stat(path, &sb) == 0 ? sb.st_size : 0),
                        "schema_version", (json_int_t)version, "counts",
                        counts);
    return RP_OK;
}

/* The copy at tmp is checked: flush it, rename it onto path, and flush the
 * directory, so that path names either its old file or the whole copy. */
static rp_code put_in_place(const char *tmp, const char *path, rp_error *err)
{
    rp_buf dir = RP_BUF_INIT;
    int failed = sync_path(tmp, 0) || rename(tmp, path) ||
                 sync_path(dir_of(&dir, path), 1);
    int e = errno;
    rp_buf_free(&dir);
    if (failed)
        return rp_error_set(err, e == ENOSPC ? RP_ENOSPACE : RP_EINTERNAL, NULL,
                            "putting the copy in place: %s", strerror(e));
    return RP_OK;
}

/* "PATH.NAME-PID": a file beside path, on the same file system, so that
 * the rename is atomic. */
static const char *beside(rp_buf *b, const char *path, const char *what)
{
    rp_buf_clear(b);
    rp_buf_printf(b, "%s.%s-%d", path, what, (int)getpid());
    return rp_buf_str(b);
}

rp_code rp_sqlite_backup(sqlite3 *db, const char *path, int replace,
                         json_t **report, rp_error *err)
{
    *report = NULL;
    rp_buf q = RP_BUF_INIT;
    if (!replace && access(path, F_OK) == 0) {
        rp_error_set(err, RP_ECONFLICT, "to",
                     "%s exists; give another file, or --force to replace "
                     "it",
                     rp_cut(&q, path, 200));
        rp_buf_free(&q);
        return err->code;
    }
    rp_buf tmpname = RP_BUF_INIT;
    const char *tmp = beside(&tmpname, path, "partial");
    unlink(tmp);
    /* one read transaction: the copy is the database at this moment, and
     * writers go on beside it (WAL) */
    rp_code rc = RP_OK;
    if (run(db, "BEGIN") ||
        one_number(db, "SELECT count(*) FROM sqlite_schema") < 0)
        rc = db_fail(db, err, RP_EINTERNAL, NULL, "starting the backup");
    if (!rc)
        rc = copy_pages(db, tmp, err);
    run(db, "ROLLBACK");
    if (!rc)
        rc = check_copy(tmp, report, err);
    if (!rc)
        rc = put_in_place(tmp, path, err);
    if (rc) {
        unlink(tmp);
        json_decref(*report);
        *report = NULL;
    }
    rp_buf_free(&tmpname);
    rp_buf_free(&q);
    return rc;
}

/* Take the claim on the database file at path: shared for a server,
 * exclusive for a restore, never waiting.  Fills *fd (-1 when there is no
 * file yet). */
static rp_code take_claim(const char *path, int exclusive, int *fd,
                          rp_error *err)
{
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0) {
        if (errno == ENOENT)
            return RP_OK;
        return rp_error_set(err, RP_EINTERNAL, "db", "cannot open %s: %s", path,
                            strerror(errno));
    }
    if (flock(*fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0)
        return RP_OK;
    int e = errno;
    close(*fd);
    *fd = -1;
    if (e != EWOULDBLOCK)
        return rp_error_set(err, RP_EINTERNAL, "db", "cannot lock %s: %s", path,
                            strerror(e));
    return rp_error_set(err, RP_EBUSY, "db",
                        exclusive ? "a rapportd is serving %s: stop it "
                                    "before restoring"
                                  : "%s is being restored: start rapportd "
                                    "again once the restore is done",
                        path);
}

/* Make the old database one file: its write-ahead log checkpointed and
 * emptied.  RP_EBUSY while another program has it open. */
static rp_code settle_old(const char *path, rp_error *err)
{
    sqlite3 *db = NULL;
    rp_sqlite_configure();
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return RP_OK; /* unreadable: replaced whole, log and all */
    }
    sqlite3_stmt *st;
    int busy = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &st,
                           NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            busy = sqlite3_column_int(st, 0);
        else
            busy = (sqlite3_errcode(db) & 0xff) == SQLITE_BUSY;
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    if (busy)
        return rp_error_set(err, RP_EBUSY, "db",
                            "another program has %s open (a rapport "
                            "command?); let it finish, then restore",
                            path);
    return RP_OK;
}

static void remove_beside(const char *path, const char *suffix)
{
    rp_buf b = RP_BUF_INIT;
    rp_buf_printf(&b, "%s%s", path, suffix);
    unlink(rp_buf_str(&b));
    rp_buf_free(&b);
}

rp_code rp_sqlite_restore(const char *file, const char *path, int replace,
                          json_t **report, rp_error *err)
{
    *report = NULL;
    rp_buf q = RP_BUF_INIT;
    struct stat sb;
    if (stat(file, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        rp_error_set(err, RP_ENOTFOUND, "file", "no backup file %s",
                     rp_cut(&q, file, 200));
        rp_buf_free(&q);
        return err->code;
    }
    if (strcmp(path, ":memory:") == 0 || !*path)
        return rp_error_set(err, RP_EINVALID, "db",
                            "a database in memory cannot be restored into");
    int exists = access(path, F_OK) == 0;
    if (exists && !replace) {
        rp_error_set(err, RP_ECONFLICT, "force",
                     "the database %s exists and restoring would replace "
                     "it: give --force to replace it",
                     rp_cut(&q, path, 200));
        rp_buf_free(&q);
        return err->code;
    }
    rp_buf_free(&q);
    int fd = -1;
    if (take_claim(path, 1, &fd, err))
        return err->code;
    rp_buf tmpname = RP_BUF_INIT;
    const char *tmp = beside(&tmpname, path, "restoring");
    unlink(tmp);
    sqlite3 *src = NULL;
    rp_code rc = RP_OK;
    rp_sqlite_configure();
    if (sqlite3_open_v2(file, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        rc = db_fail(src, err, RP_EINVALID, "file", "reading the backup");
    if (!rc)
        rc = copy_pages(src, tmp, err);
    sqlite3_close(src);
    if (!rc)
        rc = check_copy(tmp, report, err);
    if (!rc && exists)
        rc = settle_old(path, err);
    if (!rc) {
        /* the old log is empty now; gone before the rename, it can never
         * be replayed into the new file */
        remove_beside(path, "-wal");
        remove_beside(path, "-shm");
        rc = put_in_place(tmp, path, err);
    }
    if (rc) {
        unlink(tmp);
        json_decref(*report);
        *report = NULL;
    }
    rp_buf_free(&tmpname);
    if (fd >= 0)
        close(fd);
    return rc;
}

rp_code rp_sqlite_claim(const char *path, void **hold, rp_error *err)
{
    *hold = NULL;
    if (!*path || strcmp(path, ":memory:") == 0 ||
        strncmp(path, "file:", 5) == 0)
        return RP_OK;
    int fd;
    if (take_claim(path, 0, &fd, err))
        return err->code;
    if (fd < 0)
        return RP_OK;
    int *h = malloc(sizeof *h);
    if (!h) {
        close(fd);
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    }
    *h = fd;
    *hold = h;
    return RP_OK;
}

void rp_sqlite_release(void *hold)
{
    if (!hold)
        return;
    close(*(int *)hold);
    free(hold);
}

/* ---- looking without touching (rapportd --check-config) ---- */

rp_code rp_sqlite_describe(const char *path, json_t **out, rp_error *err)
{
    *out = NULL;
    int latest = rp_store_sqlite_latest_version();
    rp_buf dir = RP_BUF_INIT;
    dir_of(&dir, path);
    rp_code rc = RP_OK;
    long long version = 0;
    int exists = 0;
    struct stat sb;
    if (!*path || strcmp(path, ":memory:") == 0 ||
        strncmp(path, "file:", 5) == 0) {
        /* nothing on the disk to look at */
    } else if (stat(path, &sb) != 0) {
        if (access(rp_buf_str(&dir), W_OK | X_OK) != 0)
            rc = rp_error_set(err, RP_EINVALID, "db",
                              "the database %s does not exist and its "
                              "directory %s cannot be written (%s), so it "
                              "cannot be created",
                              path, rp_buf_str(&dir), strerror(errno));
    } else if (!S_ISREG(sb.st_mode)) {
        rc = rp_error_set(err, RP_EINVALID, "db",
                          "the database %s is not a file", path);
    } else if (access(path, R_OK | W_OK) != 0 ||
               access(rp_buf_str(&dir), W_OK | X_OK) != 0) {
        /* WAL mode writes its log and index beside the file */
        rc = rp_error_set(err, RP_EINVALID, "db",
                          "the database %s, or its directory, cannot be "
                          "written by this user (%s)",
                          path, strerror(errno));
    } else {
        exists = 1;
        sqlite3 *db = NULL;
        rp_sqlite_configure();
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
                SQLITE_OK ||
            one_number(db, "SELECT count(*) FROM sqlite_schema") < 0) {
            rc = db_fail(db, err, RP_EINVALID, "db", "reading the database");
        } else if (has_table(db, "schema_version")) {
            version = one_number(db, "SELECT max(version) FROM "
                                     "schema_version");
        } else if (one_number(db, "SELECT count(*) FROM sqlite_schema") > 0) {
            rc = rp_error_set(err, RP_EINVALID, "db",
                              "%s is a SQLite database but not a rapport "
                              "database",
                              path);
        }
        sqlite3_close(db);
        if (!rc && version > latest)
            rc = rp_error_set(err, RP_ESCHEMA, "db",
                              "the database's schema is at version %lld but "
                              "this rapport knows versions up to %d; use a "
                              "newer rapport",
                              version, latest);
    }
    rp_buf_free(&dir);
    if (rc)
        return rc;
    *out = json_pack("{s:b, s:I, s:i}", "exists", exists, "schema_version",
                     (json_int_t)(version < 0 ? 0 : version),
                     "latest_schema_version", latest);
    return RP_OK;
}
