/*
 * test_store.c - the SQLite store: migrations, the newer-schema refusal,
 * generic records, paging, filters, and the append-only ledger.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/*
 * Each test gets the shared temporary database unopened (these tests are
 * about opening it), and opens, closes and reopens the file itself.  Plain
 * SQL on the file stands for an older rapport or someone bypassing the
 * store.
 */

static void test_fresh_database_is_at_latest_version(void **state)
{
    rp_test_db *db = *state;
    rp_store *s = rp_test_db_open(db, 0);
    assert_int_equal(s->ops->schema_version(s), rp_store_sqlite_latest_version());
    rp_store_close(s);
}

static void test_migrating_an_old_database_keeps_its_data(void **state)
{
    rp_test_db *db = *state;
    rp_store *s = rp_test_db_open(db, 1);
    rp_error err;
    assert_int_equal(s->ops->schema_version(s), 1);
    rp_store_close(s);
    /* Write data as a version-1 rapport would have: with the old schema. */
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db->path, &raw), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(raw,
                           "INSERT INTO customers (name, preferred_name, "
                           "created_at, updated_at) VALUES ('Old Timer', "
                           "'Old', 1, 1)",
                           -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    json_int_t id = (json_int_t)sqlite3_last_insert_rowid(raw);
    sqlite3_close(raw);
    rp_ctx ctx = {.actor = "test"};
    json_t *out;

    s = rp_test_db_open(db, 0); /* migrates to the latest version */
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
    rp_test_db *db = *state;
    rp_store_close(rp_test_db_open(db, 0));
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db->path, &raw), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(raw,
                                        "INSERT INTO schema_version VALUES "
                                        "(9999, 0)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(raw);
    rp_store *s = NULL;
    rp_error err;
    assert_int_equal(rp_store_sqlite_open(db->path, 0, &s, &err), RP_ESCHEMA);
    assert_null(s);
    assert_non_null(strstr(err.message, "9999"));
    assert_non_null(strstr(err.message, "newer"));
}

static void test_moments_are_append_only(void **state)
{
    rp_test_db *db = *state;
    rp_store *s = rp_test_db_open(db, 0);
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
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db->path, &raw), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(raw, "DELETE FROM moments", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_CONSTRAINT);
    sqlite3_finalize(st);
    sqlite3_close(raw);
}

static void test_paging_and_filters(void **state)
{
    rp_test_db *db = *state;
    rp_store *s = rp_test_db_open(db, 0);
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
                                        rp_test_db_setup_unopened,
                                        rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            test_migrating_an_old_database_keeps_its_data,
            rp_test_db_setup_unopened, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_newer_database_is_refused,
                                        rp_test_db_setup_unopened,
                                        rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_moments_are_append_only,
                                        rp_test_db_setup_unopened,
                                        rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_paging_and_filters,
                                        rp_test_db_setup_unopened,
                                        rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
