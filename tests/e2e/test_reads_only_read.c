/*
 * test_reads_only_read.c - a read never writes.
 *
 * Every GET route of the route table (from `rapportd --routes`, so a new
 * one is covered without editing this file) is called on the demo data,
 * for several ids, and the database must not have changed: a fingerprint
 * of every row of every table, but for the audit log, which records the
 * reads of customers' data (and must have grown).  The scheduler thread
 * is off and
 * the token has been used once before, so the one write a read may cause
 * (when the token was last used, at most once a minute) is not due.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * A fingerprint of every table but the audit log, which records reads (in
 * the background, a batch at a time) and is meant to grow with them.
 * Blank for a missing table: the fingerprint of everything else is what
 * counts.
 */
static int is_audit_log(const char *table)
{
    return strcmp(table, "audit_log") == 0;
}

static unsigned long long fingerprint(rp_db *db)
{
    return rp_db_fingerprint(db, is_audit_log);
}

static long long audit_rows(rp_db *db)
{
    return rp_db_value(db, "SELECT count(*) FROM audit_log");
}

/* The GET patterns of the route table, one per line, into a new buffer. */
static char *get_patterns(void)
{
    FILE *p = popen(RAPPORTD_PATH " --routes", "r");
    assert_non_null(p);
    size_t cap = 1 << 16, len = 0;
    char *out = calloc(1, cap), line[1024];
    assert_non_null(out);
    while (fgets(line, sizeof line, p)) {
        if (strncmp(line, "| GET | `", 9) != 0)
            continue;
        char *start = line + 9, *end = strchr(start, '`');
        assert_non_null(end);
        size_t n = (size_t)(end - start);
        assert_true(len + n + 2 < cap);
        memcpy(out + len, start, n);
        len += n;
        out[len++] = '\n';
    }
    assert_int_equal(pclose(p), 0);
    return out;
}

/* pattern with every {name} replaced by id. */
static void fill(const char *pattern, const char *id, char *out, size_t n)
{
    size_t o = 0;
    for (const char *c = pattern; *c && o + 1 < n;) {
        if (*c == '{') {
            o += (size_t)snprintf(out + o, n - o, "%s", id);
            c = strchr(c, '}') + 1;
        } else {
            out[o++] = *c++;
        }
    }
    out[o < n ? o : n - 1] = '\0';
}

static void test_no_get_route_writes(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    snprintf(s.extra_env, sizeof s.extra_env, "RAPPORT_SCHEDULER_INTERVAL=0");
    rp_srv_start(&s);
    char *out = NULL;
    assert_int_equal(rp_cli(&s, &out, "demo", NULL), 0);
    free(out);
    /* the token's first use is recorded now, not during the walk */
    json_decref(rp_call(&s, "GET", "/api/v1/session", NULL, 200));

    rp_db *db = rp_db_open(&s);
    unsigned long long before = fingerprint(db);
    long long audited = audit_rows(db);
    char *patterns = get_patterns();
    static const char *const ids[] = {"1", "3", "4", "8", "999999"};
    int calls = 0;
    for (char *line = strtok(patterns, "\n"); line; line = strtok(NULL, "\n")) {
        for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
            char path[512];
            fill(line, ids[i], path, sizeof path);
            rp_http r;
            rp_http_send(&s, "GET", path, NULL, NULL, 0, NULL, &r);
            if (r.status >= 500)
                fprintf(stderr, "reads: GET %s: %ld %s\n", path, r.status,
                        r.body);
            assert_true(r.status < 500);
            rp_http_free(&r);
            calls++;
            unsigned long long now = fingerprint(db);
            if (now != before)
                fail_msg("GET %s changed the database", path);
            if (!strchr(line, '{'))
                break; /* no id to vary */
        }
    }
    /* asked for advice, too: the recommendations are read, not recorded */
    for (size_t i = 0; i < 4; i++) {
        char path[160];
        snprintf(path, sizeof path,
                 "/api/v1/customers/%s/recommendations?asked=true", ids[i]);
        rp_http r;
        rp_http_send(&s, "GET", path, NULL, NULL, 0, NULL, &r);
        rp_http_free(&r);
        assert_true(fingerprint(db) == before);
    }
    fprintf(stderr, "reads: %d GET requests, the database unchanged\n", calls);
    assert_true(calls > 50);
    /* the reads of customers' data are on the record (written within
     * RAPPORT_AUDIT_FLUSH_MS, 200 ms by default: give it ample time) */
    for (int i = 0; i < 100 && audit_rows(db) < audited + 20; i++)
        usleep(100 * 1000);
    assert_true(audit_rows(db) >= audited + 20);
    /* and the check sees a change when there is one */
    json_decref(rp_callf(&s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"A write\"}"));
    assert_true(fingerprint(db) != before);
    free(patterns);
    rp_db_close(db);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_get_route_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
