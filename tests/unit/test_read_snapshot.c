/*
 * test_read_snapshot.c - a view of several queries reads one snapshot.
 *
 * rp_store_read_begin holds the database as it was at the first read
 * until rp_store_read_end, whatever other connections commit meanwhile, so
 * the 360 view, the guide and the dashboard never show half of a change.
 * Inside a transaction already open it changes nothing and ends nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static const char *name_of(rp_store *s, int64_t id)
{
    static char buf[64];
    json_t *row;
    rp_error err;
    assert_int_equal(s->ops->get(s, &RP_ENTITY_CUSTOMER, id, &row, &err),
                     RP_OK);
    snprintf(buf, sizeof buf, "%s",
             json_string_value(json_object_get(row, "name")));
    json_decref(row);
    return buf;
}

static void rename_to(rp_store *s, int64_t id, const char *name)
{
    rp_error err;
    json_t *ch = json_pack("{s:s}", "name", name);
    assert_int_equal(rp_store_begin(s, &err), RP_OK);
    rp_code rc = s->ops->update(s, &RP_ENTITY_CUSTOMER, id, ch, &err);
    json_decref(ch);
    assert_int_equal(rp_store_finish(s, rc, &err), RP_OK);
}

static void test_reads_see_one_moment(void **state)
{
    rp_test_db *db = *state;
    rp_error err;
    json_t *in = json_pack("{s:s}", "name", "Before"), *out;
    assert_int_equal(rp_customer_create(&db->ctx, in, &out, &err), RP_OK);
    int64_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(in);
    json_decref(out);

    rp_store *other = rp_test_db_open(db, 0);
    assert_int_equal(rp_store_read_begin(db->store, &err), RP_OK);
    assert_string_equal(name_of(db->store, id), "Before");
    rename_to(other, id, "After"); /* a writer is not held up by the read */
    assert_string_equal(name_of(db->store, id), "Before");
    /* the whole 360 view, inside the snapshot, still shows the old name */
    assert_int_equal(rp_customer_overview(&db->ctx, id, &out, &err), RP_OK);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(out, "customer"), "name")),
                        "Before");
    json_decref(out);
    rp_store_read_end(db->store);
    assert_string_equal(name_of(db->store, id), "After");

    /* a write may begin again once the read is over */
    rename_to(db->store, id, "Again");
    assert_string_equal(name_of(other, id), "Again");
    rp_store_close(other);
}

static void test_inside_a_transaction_it_ends_nothing(void **state)
{
    rp_test_db *db = *state;
    rp_error err;
    rp_store *s = db->store;
    json_t *row = json_pack("{s:s, s:I, s:I}", "name", "Inside", "created_at",
                            (json_int_t)1, "updated_at", (json_int_t)1);
    int64_t id;
    assert_int_equal(rp_store_begin(s, &err), RP_OK);
    assert_int_equal(s->ops->insert(s, &RP_ENTITY_CUSTOMER, row, &id, &err),
                     RP_OK);
    json_decref(row);
    assert_int_equal(rp_store_read_begin(s, &err), RP_OK);
    assert_string_equal(name_of(s, id), "Inside");
    rp_store_read_end(s);
    /* still the writer's transaction: undoing it undoes the insert */
    rp_store_rollback(s);
    json_t *gone;
    assert_int_equal(s->ops->get(s, &RP_ENTITY_CUSTOMER, id, &gone, &err),
                     RP_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reads_see_one_moment,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            test_inside_a_transaction_it_ends_nothing, rp_test_db_setup,
            rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
