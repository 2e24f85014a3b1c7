/*
 * e2e_pg_test.c - the real rapportd on a real PostgreSQL 15 whose server
 * the test stops and starts under it: a server that cannot be reached is
 * refused at start with the reason; connections the database cuts are
 * made again without the client seeing it; while the server is down every
 * request is an honest 503 "busy" (never a crash, never a lost
 * acknowledged write), and once it is back rapportd serves again without
 * a restart.  The test starts a PostgreSQL of its own (tests/pg/pg-start)
 * because it stops it.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../e2e/harness.h"
#include "support/pg_db.h"

#define PG_SCRIPTS RP_SOURCE_DIR "/tests/pg"

/* Stop the server in dir without removing it (pg-stop would). */
static void stop_server(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "%s/usr/lib/postgresql/15/bin/pg_ctl -D %s/data -m fast -w stop"
             " >/dev/null",
             getuid() == 0 ? "runuser -u nobody -- " : "", dir);
    rp_test_run(cmd, NULL, 0);
}

static void test_unreachable_at_start_is_refused(void **state)
{
    (void)state;
    FILE *p = popen(RAPPORTD_PATH " --db 'host=/nonexistent/rapport-pg"
                                  " dbname=desk user=rapport password=s3cret'"
                                  " --listen 127.0.0.1:0 2>&1",
                    "r");
    assert_non_null(p);
    char all[4096] = "";
    size_t len = fread(all, 1, sizeof all - 1, p);
    all[len] = '\0';
    int status = pclose(p);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 4);
    assert_non_null(strstr(all, "cannot be reached"));
    assert_null(strstr(all, "s3cret"));
}

static void test_served_through_a_server_going_away(void **state)
{
    (void)state;
    char dir[64], cmd[512], conninfo[200];
    snprintf(dir, sizeof dir, "/tmp/rp-e2e-pg-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "%s/pg-start %s", PG_SCRIPTS, dir);
    rp_test_run(cmd, conninfo, sizeof conninfo);
    rp_test_pg_sql(conninfo, "postgres", "CREATE DATABASE desk", NULL);

    rp_srv s;
    rp_srv_init(&s);
    snprintf(s.db, sizeof s.db, "%s dbname=desk", conninfo);
    rp_srv_start(&s); /* migrates, makes an admin through the CLI */
    json_t *c = rp_callf(&s, "POST", "/api/v1/customers", 201,
                         "{\"name\": \"Before Outage\"}");
    json_int_t id = json_integer_value(json_object_get(c, "id"));
    json_decref(c);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/customers/%lld", (long long)id);

    /* the database cuts every connection: made again, the client sees
     * nothing */
    rp_test_pg_sql(conninfo, "postgres",
                   "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                   " WHERE datname = 'desk'",
                   NULL);
    usleep(300 * 1000);
    json_decref(rp_call(&s, "GET", path, NULL, 200));
    json_decref(rp_callf(&s, "POST", "/api/v1/customers", 201,
                         "{\"name\": \"After The Cut\"}"));

    /* the server is down: 503 busy, saying so, and rapportd stays up */
    stop_server(dir);
    rp_http r;
    rp_http_send(&s, "GET", path, NULL, NULL, 0, NULL, &r);
    rp_assert_error(&r, 503, "busy", NULL);
    assert_non_null(strstr(r.body, "cannot be reached"));
    rp_http_free(&r);
    const char *body = "{\"name\": \"During Outage\"}";
    rp_http_send(&s, "POST", "/api/v1/customers", "application/json", body,
                 strlen(body), NULL, &r);
    rp_assert_error(&r, 503, "busy", NULL);
    rp_http_free(&r);

    /* back: served again, nothing acknowledged was lost */
    snprintf(cmd, sizeof cmd, "%s/pg-start %s", PG_SCRIPTS, dir);
    rp_test_run(cmd, NULL, 0);
    json_decref(rp_call(&s, "GET", path, NULL, 200));
    json_decref(rp_callf(&s, "POST", "/api/v1/customers", 201,
                         "{\"name\": \"After Outage\"}"));
    json_t *list = rp_call(&s, "GET", "/api/v1/customers?limit=50", NULL, 200);
    json_t *items = json_object_get(list, "items");
    int before = 0, cut = 0, during = 0, after = 0;
    for (size_t i = 0; i < json_array_size(items); i++) {
        const char *name = json_string_value(
            json_object_get(json_array_get(items, i), "name"));
        before += strcmp(name, "Before Outage") == 0;
        cut += strcmp(name, "After The Cut") == 0;
        during += strcmp(name, "During Outage") == 0;
        after += strcmp(name, "After Outage") == 0;
    }
    json_decref(list);
    assert_int_equal(before, 1);
    assert_int_equal(cut, 1);
    assert_int_equal(during, 0);
    assert_int_equal(after, 1);

    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
    snprintf(cmd, sizeof cmd, "%s/pg-stop %s", PG_SCRIPTS, dir);
    rp_test_run(cmd, NULL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unreachable_at_start_is_refused),
        cmocka_unit_test(test_served_through_a_server_going_away),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
