/*
 * test_store.c - the SQLite store: migrations, the newer-schema refusal,
 * generic records, paging, filters, and the append-only ledger.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rapport.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/rapport-unit-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static rp_store *open_store(void)
{
    rp_store *s = NULL;
    rp_error err;
    rp_code rc = rp_store_sqlite_open(path, 0, &s, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(rc, RP_OK);
    return s;
}

static void test_fresh_database_is_at_latest_version(void **state)
{
    (void)state;
    rp_store *s = open_store();
    assert_int_equal(s->ops->schema_version(s), rp_store_sqlite_latest_version());
    rp_store_close(s);
}

static void test_migrating_an_old_database_keeps_its_data(void **state)
{
    (void)state;
    rp_store *s = NULL;
    rp_error err;
    assert_int_equal(rp_store_sqlite_open(path, 1, &s, &err), RP_OK);
    assert_int_equal(s->ops->schema_version(s), 1);
    rp_store_close(s);
    /* Write data as a version-1 rapport would have: with the old schema. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "INSERT INTO customers (name, preferred_name, "
                           "created_at, updated_at) VALUES ('Old Timer', "
                           "'Old', 1, 1)",
                           -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    json_int_t id = (json_int_t)sqlite3_last_insert_rowid(db);
    sqlite3_close(db);
    rp_ctx ctx = {.actor = "test"};
    json_t *out;

    s = open_store(); /* migrates to the latest version */
    assert_int_equal(s->ops->schema_version(s), rp_store_sqlite_latest_version());
    ctx.store = s;
    assert_int_equal(rp_customer_get(&ctx, id, &out, &err), RP_OK);
    assert_string_equal(json_string_value(json_object_get(out, "greeting_name")),
                        "Old");
    json_decref(out);
    rp_store_close(s);
}

static void test_newer_database_is_refused(void **state)
{
    (void)state;
    rp_store_close(open_store());
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO schema_version VALUES "
                                        "(9999, 0)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    rp_store *s = NULL;
    rp_error err;
    assert_int_equal(rp_store_sqlite_open(path, 0, &s, &err), RP_ESCHEMA);
    assert_null(s);
    assert_non_null(strstr(err.message, "9999"));
    assert_non_null(strstr(err.message, "newer"));
}

static void test_moments_are_append_only(void **state)
{
    (void)state;
    rp_store *s = open_store();
    rp_ctx ctx = {.store = s, .actor = "test"};
    rp_error err;
    json_t *in = json_pack("{s:s}", "name", "Ledger Person"), *out;
    assert_int_equal(rp_customer_create(&ctx, in, &out, &err), RP_OK);
    json_decref(in);
    json_decref(out);
    json_t *change = json_pack("{s:s}", "summary", "rewritten history");
    assert_int_equal(s->ops->update(s, &RP_ENTITY_MOMENT, 1, change, &err),
                     RP_ECONFLICT);
    assert_int_equal(s->ops->remove(s, &RP_ENTITY_MOMENT, 1, &err), RP_ECONFLICT);
    json_decref(change);
    rp_store_close(s);
    /* Even plain SQL cannot rewrite the ledger: the triggers refuse. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "DELETE FROM moments", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_CONSTRAINT);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_paging_and_filters(void **state)
{
    (void)state;
    rp_store *s = open_store();
    rp_ctx ctx = {.store = s, .actor = "test"};
    rp_error err;
    for (int i = 0; i < 8; i++) { /* four odd, four even */
        char name[40];
        snprintf(name, sizeof name, "%s %d", i % 2 ? "Odd" : "Even", i);
        json_t *in = json_pack("{s:s}", "name", name), *out;
        assert_int_equal(rp_customer_create(&ctx, in, &out, &err), RP_OK);
        json_decref(in);
        json_decref(out);
    }
    rp_page_req page = {3, 0};
    json_t *out;
    assert_int_equal(rp_customer_list(&ctx, "odd", &page, &out, &err), RP_OK);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 3);
    const char *cursor = json_string_value(json_object_get(out, "next_cursor"));
    assert_non_null(cursor);
    assert_int_equal(rp_page_req_parse("3", cursor, &page, &err), RP_OK);
    json_decref(out);
    assert_int_equal(rp_customer_list(&ctx, "odd", &page, &out, &err), RP_OK);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
    assert_true(json_is_null(json_object_get(out, "next_cursor")));
    json_decref(out);
    int64_t n;
    assert_int_equal(rp_customer_count(&ctx, &n, &err), RP_OK);
    assert_int_equal(n, 8);
    rp_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fresh_database_is_at_latest_version,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_migrating_an_old_database_keeps_its_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_database_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_moments_are_append_only, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_paging_and_filters, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
