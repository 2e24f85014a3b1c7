/*
 * fuzz_db.c - the temporary database and the checks of the fuzz
 * harnesses (see fuzz.h).
 *
 * The demo data is loaded once into a file under /dev/shm (so a commit's
 * fsync costs nothing) and copied into memory with SQLite's backup API.
 * After an input that committed something, as PRAGMA data_version tells
 * from a second connection, the copy is written back the same way: a few
 * hundred pages, far cheaper than loading the demo again, and the store's
 * own connection stays open with its prepared statements.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <sqlite3.h>

static rp_ctx ctx;
static sqlite3 *watch;    /* a second connection to the file */
static sqlite3 *pristine; /* the demo data, in memory */
static long long seen_version;
static char dir[256];

static void die(const char *what, const char *why)
{
    fprintf(stderr, "fuzz: %s: %s\n", what, why);
    exit(1);
}

static long long data_version(void)
{
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_prepare_v2(watch, "PRAGMA data_version", -1, &st, NULL) ==
        SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}

static void copy_db(sqlite3 *to, sqlite3 *from)
{
    sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
    if (!b)
        die("copying the database", sqlite3_errmsg(to));
    sqlite3_backup_step(b, -1);
    if (sqlite3_backup_finish(b) != SQLITE_OK)
        die("copying the database", sqlite3_errmsg(to));
}

static int remove_one(const char *path, const struct stat *sb, int flag,
                      struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void cleanup(void)
{
    rp_store_close(ctx.store);
    ctx.store = NULL;
    sqlite3_close(watch);
    sqlite3_close(pristine);
    if (dir[0])
        nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* A harness that crashed (the point of fuzzing) never removed its
 * database: remove those whose process is gone, so that long runs do not
 * fill /dev/shm, which is memory. */
static void sweep(const char *base)
{
    DIR *d = opendir(base);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        long pid;
        char rest[32];
        if (sscanf(e->d_name, "rapport-fuzz-%ld-%31s", &pid, rest) != 2 ||
            pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", base, e->d_name);
        nftw(path, remove_one, 8, FTW_DEPTH | FTW_PHYS);
    }
    if (d)
        closedir(d);
}

rp_ctx *rp_fuzz_db(void)
{
    if (ctx.store)
        return &ctx;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm"
                       : getenv("TMPDIR")            ? getenv("TMPDIR")
                                                     : "/tmp";
    sweep(base);
    snprintf(dir, sizeof dir, "%s/rapport-fuzz-%ld-XXXXXX", base,
             (long)getpid());
    if (!mkdtemp(dir))
        die("making a temporary directory", base);
    atexit(cleanup);
    char path[300], name[310];
    snprintf(path, sizeof path, "%s/fuzz.db", dir);
    snprintf(name, sizeof name, "sqlite:%s", path);

    /* A fixed time, so that what an input does depends on it alone; the
     * promises overdue at that time are settled now, as the first report
     * would, so that a report read later finds nothing left to write. */
    rp_clock_pin(1795426200); /* 2026-11-23T08:50:00Z */
    rp_error err;
    int loaded = 0, articles = 0;
    ctx.actor = "fuzz";
    ctx.agent_id = 1;
    if (rp_store_open(name, &ctx.store, &err) ||
        rp_demo_load(&ctx, &loaded, &err) ||
        rp_kb_demo_load(&ctx, &articles, &err) ||
        rp_charter_settle_promises(&ctx, rp_now(), NULL, &err))
        die("loading the demo data", err.message);

    if (sqlite3_open(path, &watch) != SQLITE_OK ||
        sqlite3_open(":memory:", &pristine) != SQLITE_OK)
        die("opening the database again", path);
    sqlite3_busy_timeout(watch, 5000);
    copy_db(pristine, watch);
    seen_version = data_version();
    return &ctx;
}

void rp_fuzz_db_keep(void)
{
    copy_db(pristine, watch);
    seen_version = data_version();
}

int rp_fuzz_db_reset(void)
{
    long long v = data_version();
    if (v == seen_version)
        return 0;
    copy_db(watch, pristine);
    seen_version = data_version();
    return 1;
}

void rp_fuzz_check_utf8(const char *what, const char *s, size_t len)
{
    if (!rp_utf8_is_valid(s, len)) {
        fprintf(stderr, "fuzz: %s is not valid UTF-8: \"%.*s\"\n", what,
                (int)len, s);
        abort();
    }
}

void rp_fuzz_check_result(const char *what, rp_code rc, const rp_error *err,
                          json_t *out)
{
    if (rc == RP_OK) {
        char *text = out ? json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY)
                         : NULL;
        if (!text) {
            fprintf(stderr, "fuzz: %s succeeded without a result\n", what);
            abort();
        }
        free(text);
        return;
    }
    if (rc != err->code || rc < RP_EMALFORMED || rc > RP_EINTERNAL) {
        fprintf(stderr, "fuzz: %s returned %d with error code %d\n", what,
                (int)rc, (int)err->code);
        abort();
    }
    if (rc == RP_EINTERNAL) {
        fprintf(stderr, "fuzz: %s: internal error on input: %s\n", what,
                err->message);
        abort();
    }
    if (!err->message[0]) {
        fprintf(stderr, "fuzz: %s: error %s without a message\n", what,
                rp_code_name(rc));
        abort();
    }
    rp_fuzz_check_utf8("an error's message", err->message,
                       strlen(err->message));
    rp_fuzz_check_utf8("an error's field", err->field, strlen(err->field));
}

void rp_fuzz_check_call(const char *what, rp_code rc, const rp_error *err,
                        json_t *out)
{
    rp_fuzz_check_result(what, rc, err, out);
    if (rp_fuzz_db_reset() && rc != RP_OK) {
        fprintf(stderr,
                "fuzz: %s was refused (%s: %s) but changed the "
                "database\n",
                what, rp_code_name(rc), err->message);
        abort();
    }
}

int rp_fuzz_split(const uint8_t *data, size_t size, char sep, char **pieces,
                  int max, char **copy)
{
    char *c = malloc(size + 1);
    if (!c)
        abort();
    memcpy(c, data, size);
    c[size] = '\0';
    int n = 0;
    char *p = c;
    pieces[n++] = p;
    while (n < max && (p = memchr(p, sep, (size_t)(c + size - p)))) {
        *p++ = '\0';
        pieces[n++] = p;
    }
    *copy = c;
    return n;
}
