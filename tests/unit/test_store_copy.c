/*
 * test_store_copy.c - the store's side of `rapport store copy`, on the
 * backend the fixture gives (SQLite, or PostgreSQL under pg_unit_): the
 * tables a copy reads are every table of the live schema (counted here
 * from the database's own catalogue, so a table the copy forgot fails
 * the test), without generated columns, each with a key to read it in
 * order; read a few rows at a time, every row of every table comes back
 * once, in key order.
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* The table named in tables, or NULL. */
static json_t *table_named(json_t *tables, const char *name)
{
    size_t i;
    json_t *t;
    json_array_foreach(tables, i, t) {
        if (strcmp(json_string_value(json_object_get(t, "name")), name) == 0)
            return t;
    }
    return NULL;
}

static int has(json_t *list, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        if (strcmp(json_string_value(v), name) == 0)
            return 1;
    }
    return 0;
}

static json_t *load_desk(rp_test_db *db)
{
    rp_error err;
    int loaded = 0;
    assert_int_equal(rp_demo_load(&db->ctx, &loaded, &err), RP_OK);
    json_t *tables = NULL;
    assert_int_equal(db->store->ops->copy_tables(db->store, &tables, &err),
                     RP_OK);
    return tables;
}

static void test_every_table_of_the_live_schema(void **state)
{
    rp_test_db *db = *state;
    json_t *tables = load_desk(db);
    long long n = 0;
    /* the catalogue's count, without the copy's code: what each backend
     * keeps for itself (the schema version) and what each derives
     * (SQLite: FTS5 tables and everything named after one; PostgreSQL:
     * the knowledge base's word counts, counted again at the seal) left
     * out */
    const char *sql =
        db->pg
            ? "SELECT count(*) FROM pg_tables WHERE"
              " schemaname = current_schema()"
              " AND tablename NOT IN ('schema_version', 'kb_terms')"
            : "SELECT count(*) FROM sqlite_master t WHERE t.type = 'table'"
              " AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
              " AND t.name <> 'schema_version'"
              " AND NOT EXISTS (SELECT 1 FROM sqlite_master v"
              "  WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%'"
              "  AND (t.name = v.name"
              "   OR substr(t.name, 1, length(v.name) + 1) = v.name || '_'))";
    assert_int_equal(rp_test_db_sql(db, sql, &n), 0);
    assert_true(n > 40);
    assert_int_equal((long long)json_array_size(tables), n);
    rp_error err;
    size_t i;
    json_t *t;
    json_array_foreach(tables, i, t) {
        int64_t count = -1;
        assert_int_equal(db->store->ops->copy_count(
                             db->store,
                             json_string_value(json_object_get(t, "name")),
                             &count, &err),
                         RP_OK);
        assert_true(count >= 0);
        assert_true(json_array_size(json_object_get(t, "key")) >= 1);
    }
    /* generated columns are the target's to compute */
    json_t *identities = table_named(tables, "identities");
    assert_non_null(identities);
    assert_true(has(json_object_get(identities, "columns"), "value"));
    assert_false(has(json_object_get(identities, "columns"), "match_key"));
    json_t *kb = table_named(tables, "kb_articles");
    assert_true(has(json_object_get(kb, "columns"), "title"));
    assert_false(has(json_object_get(kb, "columns"), "search"));
    /* a table without a rowid is read in the order of its primary key */
    json_t *members = table_named(tables, "queue_members");
    assert_int_equal(json_array_size(json_object_get(members, "key")), 2);
    assert_non_null(table_named(tables, "moments"));
    assert_null(table_named(tables, "schema_version"));
    assert_null(table_named(tables, "customers_fts_pending"));
    assert_true(json_is_true(
        json_object_get(table_named(tables, "desk_settings"), "seeded")));
    assert_false(json_is_true(
        json_object_get(table_named(tables, "customers"), "seeded")));
    json_decref(tables);
}

static void test_batches_read_every_row_once_in_order(void **state)
{
    rp_test_db *db = *state;
    json_t *tables = load_desk(db);
    rp_error err;
    size_t i;
    json_t *t;
    json_array_foreach(tables, i, t) {
        const char *name = json_string_value(json_object_get(t, "name"));
        int64_t count = 0, seen = 0;
        assert_int_equal(
            db->store->ops->copy_count(db->store, name, &count, &err), RP_OK);
        json_t *after = NULL;
        long long previous = 0;
        size_t id_at = 0, k;
        json_t *c;
        json_array_foreach(json_object_get(t, "columns"), k, c) {
            if (strcmp(json_string_value(c), "id") == 0)
                id_at = k + 1;
        }
        for (;;) {
            json_t *rows = NULL, *last = NULL;
            assert_int_equal(db->store->ops->copy_read(db->store, t, after, 3,
                                                       &rows, &last, &err),
                             RP_OK);
            size_t r;
            json_t *row;
            json_array_foreach(rows, r, row) {
                assert_int_equal(
                    json_array_size(row),
                    json_array_size(json_object_get(t, "columns")));
                if (id_at) {
                    long long id = json_integer_value(
                        json_array_get(row, id_at - 1));
                    assert_true(id > previous);
                    previous = id;
                }
            }
            seen += (int64_t)json_array_size(rows);
            int done = json_array_size(rows) < 3;
            json_decref(rows);
            if (json_is_null(last)) {
                json_decref(last);
                break;
            }
            json_decref(after);
            after = last;
            if (done)
                break;
        }
        json_decref(after);
        if (seen != count)
            fail_msg("%s: %lld rows read, %lld counted", name, (long long)seen,
                     (long long)count);
    }
    json_decref(tables);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_table_of_the_live_schema,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            test_batches_read_every_row_once_in_order, rp_test_db_setup,
            rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
