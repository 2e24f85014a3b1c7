/*
 * test_restart.c - what the API acknowledged survives: a graceful restart,
 * and a crash (SIGKILL) right after the write; and a crash while eight
 * clients write at once: every write that was answered 201 before the
 * kill is in the database after it.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "harness.h"

static void test_graceful_restart_keeps_data(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    json_t *c = rp_callf(
        &s, "POST", "/api/v1/customers", 201,
        "{\"name\":\"Anna Kowalska\",\"preferred_name\":\"Anna\"}");
    json_int_t id = json_integer_value(json_object_get(c, "id"));
    json_decref(c);
    rp_srv_stop(&s); /* asserts a clean exit */
    rp_srv_start(&s);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/customers/%lld", (long long)id);
    c = rp_call(&s, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(c, "greeting_name")),
                        "Anna");
    json_decref(c);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

static void test_crash_keeps_acknowledged_writes(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    for (int i = 0; i < 20; i++) {
        char body[100];
        snprintf(body, sizeof body, "{\"name\":\"Crash test %d\"}", i);
        json_decref(rp_callf(&s, "POST", "/api/v1/customers", 201, body));
    }
    json_decref(rp_callf(&s, "POST", "/api/v1/encounters", 201,
                         "{\"customer_id\":20,\"channel\":\"chat\","
                         "\"subject\":\"Last write before the crash\"}"));
    rp_srv_kill(&s);
    /* read the file itself: no server is running to ask */
    assert_int_equal(rp_db_count(&s, "customers"), 20);
    assert_int_equal(rp_db_count(&s, "encounters"), 1);
    assert_int_equal(rp_db_count(&s, "moments"), 21);
    rp_srv_start(&s);
    json_t *l = rp_call(&s, "GET", "/api/v1/encounters?customer_id=20", NULL,
                        200);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
    json_decref(l);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

/* ---- a crash amid concurrent writes ------------------------------------- */

#define CRASH_CLIENTS 8
#define CRASH_MAX_WRITES 400

typedef struct crash_client {
    const rp_srv *s;
    int n;                           /* which client */
    long long ids[CRASH_MAX_WRITES]; /* the customers answered 201 */
    int acknowledged;
    pthread_t thread;
} crash_client;

static atomic_int crash_stop;
static atomic_int crash_acknowledged;

static size_t keep_body(char *p, size_t size, size_t n, void *arg)
{
    rp_buf *b = arg;
    rp_buf_append(b, p, size * n);
    return size * n;
}

/* POST customers one after another until told to stop or the server is
 * gone; keep the id of each one answered 201.  Its own curl handle: the
 * harness's requests fail the test when the server goes away. */
static void *crash_write(void *arg)
{
    crash_client *c = arg;
    char url[160], auth[200];
    snprintf(url, sizeof url, "%s/api/v1/customers", c->s->url);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->s->token);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    for (int i = 0;
         !atomic_load(&crash_stop) && c->acknowledged < CRASH_MAX_WRITES; i++) {
        char body[100];
        snprintf(body, sizeof body, "{\"name\":\"Group %d-%d\"}", c->n, i);
        CURL *k = curl_easy_init();
        rp_buf got = RP_BUF_INIT;
        curl_easy_setopt(k, CURLOPT_URL, url);
        curl_easy_setopt(k, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(k, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, keep_body);
        curl_easy_setopt(k, CURLOPT_WRITEDATA, &got);
        curl_easy_setopt(k, CURLOPT_TIMEOUT, 30L);
        curl_easy_setopt(k, CURLOPT_NOSIGNAL, 1L);
        long status = 0;
        CURLcode rc = curl_easy_perform(k);
        if (rc == CURLE_OK)
            curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(k);
        json_t *j = status == 201 && got.p ? json_loadb(got.p, got.len, 0, NULL)
                                           : NULL;
        rp_buf_free(&got);
        if (rc != CURLE_OK) {
            json_decref(j);
            break; /* the server is gone */
        }
        if (j) {
            c->ids[c->acknowledged++] = json_integer_value(
                json_object_get(j, "id"));
            atomic_fetch_add(&crash_acknowledged, 1);
        }
        json_decref(j);
    }
    curl_slist_free_all(h);
    return NULL;
}

static void test_crash_amid_grouped_writes_keeps_acknowledged(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    static crash_client clients[CRASH_CLIENTS];
    atomic_store(&crash_stop, 0);
    atomic_store(&crash_acknowledged, 0);
    for (int i = 0; i < CRASH_CLIENTS; i++) {
        clients[i] = (crash_client){.s = &s, .n = i};
        assert_int_equal(
            pthread_create(&clients[i].thread, NULL, crash_write, &clients[i]),
            0);
    }
    /* kill while the clients are still writing (generous: a slow machine) */
    for (int i = 0; i < 6000 && atomic_load(&crash_acknowledged) < 150; i++) {
        struct timespec ts = {0, 10 * 1000000};
        nanosleep(&ts, NULL);
    }
    rp_srv_kill(&s);
    atomic_store(&crash_stop, 1);
    int acknowledged = 0;
    for (int i = 0; i < CRASH_CLIENTS; i++) {
        pthread_join(clients[i].thread, NULL);
        acknowledged += clients[i].acknowledged;
    }
    assert_true(acknowledged >= 150);

    /* every acknowledged customer is in the file the crash left */
    rp_db *db = rp_db_open(&s);
    int missing = 0;
    for (int i = 0; i < CRASH_CLIENTS; i++)
        for (int j = 0; j < clients[i].acknowledged; j++) {
            char sql[80];
            snprintf(sql, sizeof sql,
                     "SELECT count(*) FROM customers WHERE id = %lld",
                     clients[i].ids[j]);
            if (rp_db_value(db, sql) != 1) {
                fprintf(stderr,
                        "crash: customer %lld was acknowledged and "
                        "is lost\n",
                        clients[i].ids[j]);
                missing++;
            }
        }
    long stored = rp_db_count(&s, "customers");
    rp_db_close(db);
    fprintf(stderr,
            "crash: %d writes acknowledged by 8 clients before the kill, "
            "%ld in the database after it, %d lost\n",
            acknowledged, stored, missing);
    assert_int_equal(missing, 0);
    assert_true(stored >= acknowledged); /* some may be unanswered only */
    rp_srv_start(&s); /* and the server opens the file again */
    assert_int_equal(rp_list_count(&s, "/api/v1/customers"), stored);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_graceful_restart_keeps_data),
        cmocka_unit_test(test_crash_keeps_acknowledged_writes),
        cmocka_unit_test(test_crash_amid_grouped_writes_keeps_acknowledged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
