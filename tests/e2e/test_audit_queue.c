/*
 * test_audit_queue.c - the audit log's queue of reads, end to end.
 *
 * Reads of customer data are recorded through an in-memory queue that a
 * thread of rapportd writes in batches (core/audit/writer.c).  Two
 * promises are checked here against the real server and database:
 *
 *   - a clean stop (SIGTERM) writes every queued read before rapportd
 *     exits, even one the flush interval has not reached yet;
 *   - the queue is bounded, and when it is full (the database refuses
 *     writes: here another process holds the write lock) a read is
 *     answered 503 with Retry-After rather than answered unrecorded or
 *     dropped from the record; once the lock is gone every read that was
 *     answered 200 is in the log, and reads are answered again.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How many reads of customer id are in the audit log. */
static long reads_of(rp_srv *s, long long id)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit_log WHERE action = 'read' AND "
             "customer_id = %lld",
             id);
    return (long)rp_db_number(s, sql);
}

static long long new_customer(rp_srv *s, const char *name)
{
    char body[128];
    snprintf(body, sizeof body, "{\"name\":\"%s\"}", name);
    json_t *c = rp_callf(s, "POST", "/api/v1/customers", 201, body);
    long long id = (long long)json_integer_value(json_object_get(c, "id"));
    json_decref(c);
    assert_true(id > 0);
    return id;
}

/* GET the customer's profile; the status. */
static long read_profile(rp_srv *s, long long id, rp_http *out)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/customers/%lld", id);
    rp_http_send(s, "GET", path, NULL, NULL, 0, NULL, out);
    return out->status;
}

static void test_sigterm_writes_every_queued_read(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    /* the longest interval: nothing is written by the timer during the
     * test, so what is in the log at the end was written at the stop */
    snprintf(s.extra_env, sizeof s.extra_env, "RAPPORT_AUDIT_FLUSH_MS=60000");
    rp_srv_start(&s);
    long long id = new_customer(&s, "Ines Drain");
    enum { READS = 40 };
    for (int i = 0; i < READS; i++) {
        rp_http r;
        assert_int_equal(read_profile(&s, id, &r), 200);
        rp_http_free(&r);
    }
    assert_int_equal(reads_of(&s, id), 0); /* still queued */
    rp_srv_stop(&s);                       /* SIGTERM; exits 0 */
    assert_int_equal(reads_of(&s, id), READS);
    rp_srv_cleanup(&s);
}

static void test_full_queue_refuses_reads_and_loses_none(void **state)
{
    (void)state;
    enum { MAX = 5, TRIES = 12 };
    rp_srv s;
    rp_srv_init(&s);
    snprintf(s.extra_env, sizeof s.extra_env, "RAPPORT_AUDIT_QUEUE_MAX=%d",
             MAX);
    rp_srv_start(&s);
    long long id = new_customer(&s, "Olek Queue");

    /* another process takes the write lock and keeps it */
    rp_db *lock = rp_db_open(&s);
    rp_db_hold_writes(lock);
    int ok = 0, busy = 0;
    for (int i = 0; i < TRIES; i++) {
        rp_http r;
        long status = read_profile(&s, id, &r);
        if (status == 200) {
            ok++;
        } else {
            rp_assert_error(&r, 503, "busy", NULL);
            assert_true(atoi(r.retry_after) > 0);
            assert_null(strstr(r.body, "Olek")); /* no data given */
            busy++;
        }
        rp_http_free(&r);
    }
    /* the first MAX were queued, the rest refused */
    assert_int_equal(ok, MAX);
    assert_int_equal(busy, TRIES - MAX);
    assert_int_equal(reads_of(&s, id), 0);

    /* the lock goes: the queued reads are written, all of them */
    assert_int_equal(rp_db_run(lock, "ROLLBACK"), 0);
    rp_db_close(lock);
    long n = 0;
    for (int i = 0; i < 300 && (n = reads_of(&s, id)) < MAX; i++)
        usleep(100 * 1000);
    assert_int_equal(n, MAX);

    /* and reads are answered again (the writer said the queue has room) */
    rp_http r;
    assert_int_equal(read_profile(&s, id, &r), 200);
    rp_http_free(&r);
    rp_srv_stop(&s);
    assert_int_equal(reads_of(&s, id), MAX + 1);
    rp_srv_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigterm_writes_every_queued_read),
        cmocka_unit_test(test_full_queue_refuses_reads_and_loses_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
