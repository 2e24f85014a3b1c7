/*
 * test_customer_search.c - finding customers by any part of a name or an
 * email address.
 *
 * The search reads an index (the trigram index of migration 66) instead of
 * every customer, and must find what the old substring test found: any
 * part of three characters or more of the name, the preferred name or an
 * email address, in any letter case, with accents kept; shorter text still
 * works; a whole email address finds the one customer who holds it (the
 * identities' index); an edit or an erasure is seen at once because the
 * index is kept in the write's own transaction; paging goes on from its
 * cursor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "fixture.h"

static int64_t add(rp_test_db *db, const char *name, const char *email)
{
    rp_error err;
    json_t *in = json_pack("{s:s}", "name", name), *out;
    if (email)
        json_object_set_new(in, "emails", json_pack("[s]", email));
    assert_int_equal(rp_customer_create(&db->ctx, in, &out, &err), RP_OK);
    int64_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(in);
    json_decref(out);
    return id;
}

/* The ids found for q, as "1,3," (a page of up to limit after after). */
static char *found(rp_test_db *db, const char *q, int limit, int64_t after)
{
    rp_error err;
    rp_page_req page = {limit, after};
    json_t *out = NULL;
    rp_code rc = rp_customer_list(&db->ctx, q, &page, &out, &err);
    if (rc)
        fail_msg("search %s: %s", q, err.message);
    static char buf[256];
    buf[0] = '\0';
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(out, "items"), i, c) {
        size_t n = strlen(buf);
        snprintf(buf + n, sizeof buf - n, "%lld,",
                 (long long)json_integer_value(json_object_get(c, "id")));
        assert_non_null(json_object_get(c, "greeting_name"));
        assert_true(json_is_array(json_object_get(c, "emails")));
    }
    json_decref(out);
    return buf;
}

static void test_any_part_in_any_case(void **state)
{
    rp_test_db *db = *state;
    int64_t ana = add(db, "Ana Quirkfield", "ana@example.com");
    int64_t bo = add(db, "Bo Martin", "bo.martin@shop.example");
    int64_t zoe = add(db, "Zoé Éclair", NULL);
    (void)ana;
    (void)bo;
    (void)zoe;
    assert_string_equal(found(db, "quirk", 50, 0), "1,");
    assert_string_equal(found(db, "IRKF", 50, 0), "1,");
    assert_string_equal(found(db, "martin@shop", 50, 0), "2,");
    assert_string_equal(found(db, "example", 50, 0), "1,2,");
    /* accents are kept: an e does not find an é */
    assert_string_equal(found(db, "Zoé", 50, 0), "3,");
    assert_string_equal(found(db, "Zoe", 50, 0), "");
    /* shorter than a trigram: still a substring search */
    assert_string_equal(found(db, "bo", 50, 0), "2,");
    assert_string_equal(found(db, "a", 50, 0), "1,2,3,");
    /* a double quote is text like any other */
    assert_string_equal(found(db, "Quirk\"", 50, 0), "");
    assert_string_equal(found(db, "nothing like it", 50, 0), "");
}

/* A whole email address is an identity lookup: the one customer who holds
 * it, in any letter case, not those whose addresses only contain it; when
 * nobody holds it, the text search still finds it inside longer ones. */
static void test_whole_email_address(void **state)
{
    rp_test_db *db = *state;
    add(db, "Ana Berg", "ana@example.com");
    add(db, "Joana Berg", "joana@example.com");
    add(db, "Ana Two", "ana@example.com.au");
    assert_string_equal(found(db, "ana@example.com", 50, 0), "1,");
    assert_string_equal(found(db, " ANA@Example.COM ", 50, 0), "1,");
    assert_string_equal(found(db, "joana@example.com", 50, 0), "2,");
    /* not an address anyone holds: every address that contains it */
    assert_string_equal(found(db, "na@example.com", 50, 0), "1,2,3,");
    assert_string_equal(found(db, "oana@example.co", 50, 0), "2,");
    /* not an address at all: the text search */
    assert_string_equal(found(db, "@example", 50, 0), "1,2,3,");
}

static void test_edits_and_paging(void **state)
{
    rp_test_db *db = *state;
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof name, "Pat Lindqvist %d", i);
        add(db, name, NULL);
    }
    assert_string_equal(found(db, "lindq", 2, 0), "1,2,");
    assert_string_equal(found(db, "lindq", 2, 2), "3,4,");
    assert_string_equal(found(db, "lindq", 2, 4), "5,");

    rp_error err;
    json_t *in = json_pack("{s:s, s:s}", "name", "Pat Holm", "preferred_name",
                           "Patsy"),
           *out;
    assert_int_equal(rp_customer_update(&db->ctx, 3, in, &out, &err), RP_OK);
    json_decref(in);
    json_decref(out);
    assert_string_equal(found(db, "lindq", 50, 0), "1,2,4,5,");
    assert_string_equal(found(db, "holm", 50, 0), "3,");
    assert_string_equal(found(db, "patsy", 50, 0), "3,");
}

/* A customer merged into another is found as that other only; an erased
 * one is not found by its old name, and the index is merged into one
 * segment by the erasure's scrub, so the old name's entries are gone from
 * it rather than only marked deleted. */
static void test_merged_and_erased(void **state)
{
    rp_test_db *db = *state;
    int64_t keep = add(db, "Rosalind Okonkwo", "rosalind@example.com");
    int64_t gone = add(db, "Rosalind O.", "roz.okonkwo@example.org");
    int64_t other = add(db, "Vesna Quillfeather", "vesna@example.com");
    char want[64];
    snprintf(want, sizeof want, "%lld,%lld,", (long long)keep, (long long)gone);
    assert_string_equal(found(db, "rosalind", 50, 0), want);
    rp_error err;
    json_t *merged = NULL;
    assert_int_equal(rp_customer_merge(&db->ctx, keep, gone, "the same person",
                                       &merged, &err),
                     RP_OK);
    json_decref(merged);
    snprintf(want, sizeof want, "%lld,", (long long)keep);
    assert_string_equal(found(db, "rosalind", 50, 0), want);
    /* the merged customer's address is the kept one's now */
    assert_string_equal(found(db, "roz.okon", 50, 0), want);

    assert_int_equal(
        rp_privacy_erase_now(&db->ctx, other, "the customer", 0, NULL, &err),
        RP_OK);
    assert_string_equal(found(db, "quillfeather", 50, 0), "");
    assert_string_equal(found(db, "vesna@", 50, 0), "");
    /* one segment left: nothing of the erased name waits for a merge
     * (SQLite's full-text index; PostgreSQL's trigram index has no
     * segments, and what scrub can do there is said in store_pg.c) */
    if (db->pg)
        return;
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db->path, &h), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT count(*) FROM customers_fts_idx"
                                        " WHERE segid <> (SELECT min(segid)"
                                        " FROM customers_fts_idx)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_any_part_in_any_case,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_whole_email_address,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_edits_and_paging, rp_test_db_setup,
                                        rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_merged_and_erased,
                                        rp_test_db_setup, rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
