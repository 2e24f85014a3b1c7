/*
 * test_faults.c - faults are told honestly, end to end.
 *
 * A database whose write lock another process holds (this test, with its
 * own SQLite connection and BEGIN IMMEDIATE): changes wait a bounded time
 * and are answered 503 with Retry-After, reads go on being served (even
 * for a token whose last use cannot be recorded now), /healthz says
 * degraded; once the lock is given back everything works and nothing
 * acknowledged is lost.  A full disk: a small tmpfs the test mounts in a
 * private mount namespace where that is allowed, and always a file-size
 * limit on rapportd (RLIMIT_FSIZE): changes are answered 507 with a clear
 * message, the server does not crash, reads work, /healthz says degraded,
 * and when space comes back it writes again.  No reply names a file or
 * carries SQL.
 */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A reply must not show where the database is or how it is queried. */
static void assert_tells_nothing_inside(const rp_srv *s, const rp_http *r)
{
    static const char *const never[] = {
        "rapport.db", "sqlite", "SQLITE", "SELECT ", "INSERT ",
        "UPDATE ",    "BEGIN",  "/tmp/",  "errno",   NULL};
    if (strstr(r->body, s->dir))
        fail_msg("the reply names the database's directory: %s", r->body);
    if (s->pgdb[0] && (strstr(r->body, s->pgdb) || strstr(r->body, "dbname")))
        fail_msg("the reply names the PostgreSQL database: %s", r->body);
    for (int i = 0; never[i]; i++)
        if (strstr(r->body, never[i]))
            fail_msg("the reply contains \"%s\": %s", never[i], r->body);
}

/* POST a customer named name with notes of n characters; fill r. */
static void post_customer(rp_srv *s, const char *name, size_t n, rp_http *r)
{
    char *notes = malloc(n + 1);
    assert_non_null(notes);
    memset(notes, 'n', n);
    notes[n] = '\0';
    json_t *body = json_pack("{s:s, s:s}", "name", name, "notes", notes);
    char *text = json_dumps(body, JSON_COMPACT);
    rp_http_send(s, "POST", "/api/v1/customers", "application/json", text,
                 strlen(text), NULL, r);
    free(text);
    json_decref(body);
    free(notes);
}

static void post_customer_ok(rp_srv *s, const char *name)
{
    rp_http r;
    post_customer(s, name, 10, &r);
    assert_int_equal(r.status, 201);
    rp_http_free(&r);
}

/* Customers whose name holds q, over every page. */
static long customers_named(rp_srv *s, const char *q)
{
    char path[200];
    snprintf(path, sizeof path, "/api/v1/customers?q=%s", q);
    return rp_list_count(s, path);
}

static void assert_health(rp_srv *s, long status, const char *state,
                          const char *reason_part)
{
    rp_http r;
    rp_http_send(s, "GET", "/healthz", NULL, NULL, 0, NULL, &r);
    if (r.status != status)
        fprintf(stderr, "healthz: expected %ld, got %ld: %s\n", status,
                r.status, r.body);
    assert_int_equal(r.status, status);
    assert_non_null(r.json);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")),
                        state);
    if (reason_part) {
        const char *reason = json_string_value(
            json_object_get(r.json, "reason"));
        assert_non_null(reason);
        assert_non_null(strstr(reason, reason_part));
        assert_true(atoi(r.retry_after) >= 1);
    }
    assert_tells_nothing_inside(s, &r);
    rp_http_free(&r);
}

/* ---- the write lock held from outside ------------------------------------ */

static void test_held_write_lock(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    /* a request waits 3 s in all for the lock, then is answered 503 */
    snprintf(s.extra_env, sizeof s.extra_env, "RAPPORT_BUSY_WAIT_MS=3000");
    rp_srv_start(&s);
    rp_http r;
    post_customer(&s, "Before", 10, &r);
    assert_int_equal(r.status, 201);
    json_int_t before = json_integer_value(json_object_get(r.json, "id"));
    rp_http_free(&r);
    /* a token never used yet: its first use will want to record itself */
    char admin[160], fresh[160];
    memcpy(admin, s.token, sizeof admin);
    rp_srv_token_for(&s, "agent", fresh, sizeof fresh);
    assert_health(&s, 200, "ok", NULL);

    rp_db *db = rp_db_open(&s); /* waits while the scheduler writes */
    rp_db_hold_writes(db);

    /* changes: 503 busy with Retry-After, after the bounded wait */
    double t0 = seconds_now();
    post_customer(&s, "During", 10, &r);
    double waited = seconds_now() - t0;
    rp_assert_error(&r, 503, "busy", NULL);
    assert_true(atoi(r.retry_after) >= 1);
    assert_tells_nothing_inside(&s, &r);
    rp_http_free(&r);
    fprintf(stderr,
            "faults: a change under the lock was refused after %.2f s\n",
            waited);
    assert_true(waited >= 2.9); /* it did wait for the lock */
    assert_true(waited < 20.0); /* and not forever (generous: loaded CI) */
    char path[160];
    snprintf(path, sizeof path, "/api/v1/customers/%lld", (long long)before);
    rp_http_send(&s, "PATCH", path, "application/json",
                 "{\"preferred_name\":\"B\"}", 22, NULL, &r);
    rp_assert_error(&r, 503, "busy", NULL);
    assert_true(atoi(r.retry_after) >= 1);
    rp_http_free(&r);

    /* reads are served at once, also with the fresh token, whose last use
     * cannot be recorded now and does not hold the read up */
    memcpy(s.token, fresh, sizeof fresh);
    t0 = seconds_now();
    rp_http_send(&s, "GET", path, NULL, NULL, 0, NULL, &r);
    double read_took = seconds_now() - t0;
    assert_int_equal(r.status, 200);
    rp_http_free(&r);
    fprintf(stderr, "faults: a read under the lock took %.2f s\n", read_took);
    assert_true(read_took < 2.0); /* well under the 3 s a writer waits */
    assert_int_equal(customers_named(&s, "Before"), 1);
    memcpy(s.token, admin, sizeof admin);

    /* SQLite: the health check's write waits behind the held lock, as a
     * request would, and says the server is degraded.  PostgreSQL: the
     * writers' lock is rapport's own (an advisory lock that busy servers
     * pass around all the time), so the check asks whether the database
     * takes writes instead, and it does: a load balancer must not take
     * every server out at once because one of them holds the lock. */
    if (rp_e2e_pg())
        assert_health(&s, 200, "ok", NULL);
    else
        assert_health(&s, 503, "degraded", "busy");

    /* a restart while the lock is held: the schema is current, so start-up
     * only reads it and the server is back (a migration that took the
     * write lock would keep it from starting at all).  The old server is
     * killed: stopped cleanly it would first try, for up to 30 s, to write
     * the reads it has recorded, which the held lock refuses. */
    rp_srv_kill(&s);
    t0 = seconds_now();
    rp_srv_start(&s);
    double start_took = seconds_now() - t0;
    fprintf(stderr, "faults: a restart under the lock took %.2f s\n",
            start_took);
    assert_true(start_took < 15.0); /* the server did start */
    memcpy(s.token, fresh, sizeof fresh);
    rp_http_send(&s, "GET", path, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    rp_http_free(&r);
    memcpy(s.token, admin, sizeof admin);

    /* the lock is given back: everything works, nothing is lost */
    assert_int_equal(rp_db_run(db, "ROLLBACK"), 0);
    rp_db_close(db);
    assert_health(&s, 200, "ok", NULL);
    t0 = seconds_now();
    post_customer(&s, "After", 10, &r);
    if (r.status != 201) /* e.g. a connection left "busy" by the refusal */
        fprintf(stderr, "faults: after the lock (%.2f s): %ld %s\n",
                seconds_now() - t0, r.status, r.body);
    assert_int_equal(r.status, 201);
    rp_http_free(&r);
    rp_http_send(&s, "PATCH", path, "application/json",
                 "{\"preferred_name\":\"B\"}", 22, NULL, &r);
    assert_int_equal(r.status, 200);
    rp_http_free(&r);
    assert_int_equal(customers_named(&s, "Before"), 1);
    assert_int_equal(customers_named(&s, "After"), 1);
    assert_int_equal(customers_named(&s, "During"), 0); /* refused: absent */
    assert_int_equal(rp_list_count(&s, "/api/v1/customers"), 2);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

/* ---- a full disk ----------------------------------------------------------
 */

/* Write customers with long notes until the server answers 507; return
 * how many it acknowledged before. */
static int write_until_full(rp_srv *s)
{
    int acknowledged = 0;
    for (int i = 0; i < 400; i++) {
        rp_http r;
        char name[40];
        snprintf(name, sizeof name, "Filler %d", i);
        post_customer(s, name, 9000, &r);
        if (r.status == 201) {
            acknowledged++;
            rp_http_free(&r);
            continue;
        }
        rp_assert_error(&r, 507, "no_space", NULL);
        const char *msg = json_string_value(
            json_object_get(json_object_get(r.json, "error"), "message"));
        assert_non_null(strstr(msg, "disk"));
        assert_non_null(strstr(msg, "full"));
        assert_tells_nothing_inside(s, &r);
        rp_http_free(&r);
        fprintf(stderr, "faults: 507 after %d acknowledged writes\n",
                acknowledged);
        return acknowledged;
    }
    fail_msg("the disk never filled up");
    return -1;
}

/* While the disk is full: the server is alive, reads work, every further
 * change is refused, /healthz says degraded. */
static void check_while_full(rp_srv *s)
{
    assert_int_equal(kill(s->pid, 0), 0); /* no crash */
    rp_http r;
    rp_http_send(s, "GET", "/api/v1/customers/1", NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    rp_http_free(&r);
    post_customer(s, "Refused", 9000, &r);
    rp_assert_error(&r, 507, "no_space", NULL);
    rp_http_free(&r);
    assert_health(s, 503, "degraded", "full");
}

/* Once space is back: writes work, /healthz is ok again, and exactly the
 * acknowledged customers are there. */
static void check_after_space_returns(rp_srv *s, int acknowledged)
{
    rp_http r;
    post_customer(s, "After", 100, &r);
    if (r.status != 201)
        fprintf(stderr, "faults: after space returned: %ld %s\n", r.status,
                r.body);
    assert_int_equal(r.status, 201);
    rp_http_free(&r);
    assert_health(s, 200, "ok", NULL);
    assert_int_equal(customers_named(s, "Filler"), acknowledged);
    assert_int_equal(customers_named(s, "Refused"), 0);
    assert_int_equal(customers_named(s, "After"), 1);
}

/* rapportd under a file-size limit that the database soon reaches, lifted
 * afterwards as freeing space would. */
static void test_file_size_limit(void **state)
{
    (void)state;
    /* SQLite only: on PostgreSQL the files that fill up are the database
     * server's, not rapportd's (and the fixture's server is shared) */
    if (rp_e2e_pg())
        skip();
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s); /* the database, its admin and token */
    post_customer_ok(&s, "First");
    rp_srv_stop(&s);
    struct stat st;
    assert_int_equal(stat(s.db, &st), 0);
    s.fsize_limit = (long long)st.st_size + 384 * 1024;
    rp_srv_start(&s);
    int acknowledged = write_until_full(&s);
    check_while_full(&s);
    struct rlimit lifted = {RLIM_INFINITY, RLIM_INFINITY};
    assert_int_equal(prlimit(s.pid, RLIMIT_FSIZE, &lifted, NULL), 0);
    check_after_space_returns(&s, acknowledged);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

/* Mount a small tmpfs on dir in a mount namespace of this process's own,
 * so it vanishes with the test whatever happens; -1 where not allowed. */
static int private_tmpfs(const char *dir)
{
    if (geteuid() != 0 || unshare(CLONE_NEWNS) != 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=8m") != 0)
        return -1;
    return 0;
}

/* Take every free byte of the file system holding path's directory. */
static void fill_disk(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    static char chunk[65536];
    memset(chunk, 'f', sizeof chunk);
    for (size_t size = sizeof chunk; size >= 512; size /= 8)
        while (write(fd, chunk, size) == (ssize_t)size)
            ;
    assert_int_equal(errno, ENOSPC);
    close(fd);
}

static void test_full_tmpfs(void **state)
{
    (void)state;
    if (rp_e2e_pg()) /* SQLite only, as test_file_size_limit */
        skip();
    rp_srv s;
    rp_srv_init(&s);
    if (private_tmpfs(s.dir) != 0) {
        fprintf(stderr,
                "faults: no tmpfs here (%s); the file-size limit "
                "test stands for it\n",
                strerror(errno));
        rp_srv_cleanup(&s);
        skip();
    }
    rp_srv_start(&s);
    post_customer_ok(&s, "First");
    char filler[400];
    snprintf(filler, sizeof filler, "%s/filler", s.dir);
    fill_disk(filler);
    int acknowledged = write_until_full(&s);
    check_while_full(&s);
    assert_int_equal(unlink(filler), 0);
    check_after_space_returns(&s, acknowledged);
    rp_srv_stop(&s);
    assert_int_equal(umount2(s.dir, MNT_DETACH), 0);
    rp_srv_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* first: unshare() wants a process with a single thread */
        cmocka_unit_test(test_full_tmpfs),
        cmocka_unit_test(test_file_size_limit),
        cmocka_unit_test(test_held_write_lock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
