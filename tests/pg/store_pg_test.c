/*
 * store_pg_test.c - what the PostgreSQL backend must do that SQLite gets
 * from being one file: writers take turns across connections, a failed
 * statement inside a transaction undoes only itself, the mark, a lost
 * connection made again (and an honest 503 inside a transaction), an
 * unreachable server refused clearly, and servers starting at once on an
 * empty database migrating it exactly once.  Runs only against a real
 * PostgreSQL (RAPPORT_TEST_DB, which CTest sets to the server it starts).
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../unit/fixture.h"
#include "store/pg_internal.h"
#include "store/store_pg.h"

/* Run sql on the server's maintenance database as an administrator. */
static long long admin(const rp_test_db *db, const char *sql)
{
    char info[1200];
    snprintf(info, sizeof info, "%s dbname=postgres",
             getenv("RAPPORT_TEST_DB"));
    PGconn *c = PQconnectdb(info);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    const char *values[] = {db->pgdb};
    PGresult *r = PQexecParams(c, sql, 1, NULL, values, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    long long n = PQntuples(r);
    PQclear(r);
    PQfinish(c);
    return n;
}

/* Cut every connection to the test's database, as a server restart or a
 * network failure would. */
static void cut_connections(const rp_test_db *db)
{
    assert_true(admin(db, "SELECT pg_terminate_backend(pid) FROM"
                          " pg_stat_activity WHERE datname = $1") > 0);
    /* the server ends the backends at once; give it a moment to */
    struct timespec pause = {0, 200 * 1000 * 1000};
    nanosleep(&pause, NULL);
}

static void add_queue(rp_store *s, const char *name, rp_code want)
{
    rp_error err;
    json_t *row = json_pack("{s:s, s:I, s:I}", "name", name, "created_at",
                            (json_int_t)1, "updated_at", (json_int_t)1);
    assert_int_equal(s->ops->insert(s, &RP_ENTITY_QUEUE, row, NULL, &err),
                     want);
    json_decref(row);
}

static int64_t queues(rp_store *s)
{
    int64_t n = -1;
    rp_error err;
    assert_int_equal(s->ops->count(s, &RP_ENTITY_QUEUE, NULL, 0, &n, &err),
                     RP_OK);
    return n;
}

static void test_a_failed_statement_undoes_only_itself(void **state)
{
    rp_test_db *db = *state;
    rp_store *s = db->store;
    rp_error err;
    assert_int_equal(rp_store_begin(s, &err), RP_OK);
    add_queue(s, "first", RP_OK);
    add_queue(s, "first", RP_ECONFLICT); /* the name is unique */
    add_queue(s, "second", RP_OK);       /* the transaction goes on */
    /* the mark: what follows it is undone, what precedes it kept */
    assert_int_equal(s->ops->mark(s, &err), RP_OK);
    add_queue(s, "undone", RP_OK);
    s->ops->undo_to_mark(s);
    add_queue(s, "third", RP_OK);
    assert_int_equal(rp_store_finish(s, RP_OK, &err), RP_OK);
    assert_int_equal(queues(s), 3);
    rp_filter f = {"name", RP_FILTER_EQ, json_string("undone")};
    int64_t n = -1;
    assert_int_equal(s->ops->count(s, &RP_ENTITY_QUEUE, &f, 1, &n, &err),
                     RP_OK);
    assert_int_equal(n, 0);
    json_decref(f.value);
}

static void test_writers_take_turns(void **state)
{
    rp_test_db *db = *state;
    rp_store *a = db->store, *b = rp_test_db_open(db, 0);
    rp_error err;
    assert_int_equal(rp_store_begin(a, &err), RP_OK);
    add_queue(a, "held", RP_OK);
    /* b waits as long as it is told, then is told the database is busy */
    b->ops->set_busy_wait(b, 300);
    time_t t0 = time(NULL);
    assert_int_equal(rp_store_begin(b, &err), RP_EBUSY);
    /* ...while the health probe does not queue for the writers' lock,
     * which servers sharing the database pass around all the time: the
     * database takes writes, so b is well */
    assert_int_equal(b->ops->probe_write(b, &err), RP_OK);
    assert_true(time(NULL) - t0 < 30);
    /* reads never wait for a writer */
    assert_int_equal(queues(b), 0);
    assert_int_equal(rp_store_finish(a, RP_OK, &err), RP_OK);
    b->ops->set_busy_wait(b, 300);
    assert_int_equal(b->ops->probe_write(b, &err), RP_OK);
    assert_int_equal(rp_store_begin(b, &err), RP_OK);
    add_queue(b, "after", RP_OK);
    assert_int_equal(rp_store_finish(b, RP_OK, &err), RP_OK);
    assert_int_equal(queues(a), 2);
    rp_store_close(b);
}

static void test_a_lost_connection_is_made_again(void **state)
{
    rp_test_db *db = *state;
    rp_store *s = db->store;
    rp_error err;
    add_queue(s, "before", RP_OK);
    /* outside a transaction: connected again, the statement retried */
    cut_connections(db);
    assert_int_equal(queues(s), 1);
    cut_connections(db);
    add_queue(s, "after", RP_OK);
    assert_int_equal(queues(s), 2);
    /* inside one: the transaction is gone with the connection, and the
     * caller is told so (503), not given a half-done change */
    assert_int_equal(rp_store_begin(s, &err), RP_OK);
    add_queue(s, "lost", RP_OK);
    cut_connections(db);
    json_t *row = json_pack("{s:s, s:I, s:I}", "name", "also lost",
                            "created_at", (json_int_t)1, "updated_at",
                            (json_int_t)1);
    assert_int_equal(s->ops->insert(s, &RP_ENTITY_QUEUE, row, NULL, &err),
                     RP_EBUSY);
    json_decref(row);
    assert_non_null(strstr(err.message, "cannot be reached"));
    assert_int_not_equal(rp_store_finish(s, RP_OK, &err), RP_OK);
    assert_int_equal(queues(s), 2);
    assert_int_equal(rp_store_begin(s, &err), RP_OK);
    add_queue(s, "again", RP_OK);
    assert_int_equal(rp_store_finish(s, RP_OK, &err), RP_OK);
    assert_int_equal(queues(s), 3);
}

static void test_an_unreachable_server_is_refused_clearly(void **state)
{
    (void)state;
    rp_store *s = NULL;
    rp_error err;
    assert_int_equal(
        rp_store_open("host=/nonexistent/rapport dbname=x", &s, &err),
        RP_EBUSY);
    assert_null(s);
    assert_string_equal(err.field, "db");
    assert_non_null(strstr(err.message, "cannot be reached"));
}

typedef struct opener {
    const char *name;
    rp_code rc;
    int version;
} opener;

static void *open_one(void *arg)
{
    opener *o = arg;
    rp_store *s = NULL;
    rp_error err;
    o->rc = rp_store_open(o->name, &s, &err);
    if (o->rc == RP_OK) {
        o->version = s->ops->schema_version(s);
        rp_store_close(s);
    } else {
        fprintf(stderr, "open: %s\n", err.message);
    }
    return NULL;
}

static void test_servers_starting_at_once_migrate_once(void **state)
{
    rp_test_db *db = *state; /* unopened: an empty database */
    enum { N = 4 };
    opener o[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        o[i] = (opener){.name = db->name};
        assert_int_equal(pthread_create(&t[i], NULL, open_one, &o[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(o[i].rc, RP_OK);
        assert_int_equal(o[i].version, rp_store_pg_latest_version());
    }
    long long n = -1;
    assert_int_equal(
        rp_test_db_sql(db, "SELECT count(*) FROM schema_version", &n), 0);
    assert_int_equal(n, rp_pg_nmigrations);
    assert_int_equal(rp_test_db_sql(db,
                                    "SELECT count(*) FROM (SELECT version"
                                    " FROM schema_version GROUP BY version"
                                    " HAVING count(*) > 1) twice",
                                    &n),
                     0);
    assert_int_equal(n, 0);
}

#define OPENED(test)                                                           \
    cmocka_unit_test_setup_teardown(test, rp_test_db_setup, rp_test_db_teardown)
#define UNOPENED(test)                                                         \
    cmocka_unit_test_setup_teardown(test, rp_test_db_setup_unopened,           \
                                    rp_test_db_teardown)

int main(void)
{
    const char *server = getenv("RAPPORT_TEST_DB");
    if (!server || !*server || strcmp(server, "sqlite") == 0) {
        fprintf(stderr, "store_pg_test: set RAPPORT_TEST_DB to a PostgreSQL "
                        "server (tests/pg/pg-start prints one)\n");
        return 2;
    }
    const struct CMUnitTest tests[] = {
        OPENED(test_a_failed_statement_undoes_only_itself),
        OPENED(test_writers_take_turns),
        OPENED(test_a_lost_connection_is_made_again),
        UNOPENED(test_an_unreachable_server_is_refused_clearly),
        UNOPENED(test_servers_starting_at_once_migrate_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
