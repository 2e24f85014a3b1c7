/*
 * test_ledger.c - the sealed ledger of moments: its hashes, the chain, the
 * verification that names a moment changed, removed or reordered behind
 * rapport's back (with the database's own client, the trigger dropped), sealing
 * the moments of a database from before the chain, two writers appending
 * at once without forking it, and erasure keeping it verifiable.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"

#define KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY2 "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

/* ---- the hashes ----------------------------------------------------------
 */

static void test_content_hash_covers_summary_detail_and_key(void **state)
{
    (void)state;
    char a[65], b[65];
    assert_int_equal(rp_ledger_content_hash(KEY, "Order taken", NULL, a), 0);
    assert_int_equal(strlen(a), 64);
    assert_int_equal(rp_ledger_content_hash(KEY, "Order taken", NULL, b), 0);
    assert_string_equal(a, b);
    assert_int_equal(rp_ledger_content_hash(KEY, "Order taken.", NULL, b), 0);
    assert_string_not_equal(a, b);
    assert_int_equal(rp_ledger_content_hash(KEY2, "Order taken", NULL, b), 0);
    assert_string_not_equal(a, b);
    assert_int_equal(rp_ledger_content_hash(KEY, "Order taken", "{}", b), 0);
    assert_string_not_equal(a, b);
    /* no detail and an empty one differ; so do two ways to split a text */
    assert_int_equal(rp_ledger_content_hash(KEY, "Order taken", "", a), 0);
    assert_int_equal(rp_ledger_content_hash(KEY, "Order taken", NULL, b), 0);
    assert_string_not_equal(a, b);
    assert_int_equal(rp_ledger_content_hash(KEY, "ab", "c", a), 0);
    assert_int_equal(rp_ledger_content_hash(KEY, "a", "bc", b), 0);
    assert_string_not_equal(a, b);
    assert_int_equal(rp_ledger_content_hash("not a key", "x", NULL, a), -1);
}

static void test_chain_hash_covers_every_field(void **state)
{
    (void)state;
    char content[65], base[65], other[65], prev[65];
    rp_ledger_content_hash(KEY, "x", NULL, content);
    rp_ledger_content_hash(KEY, "y", NULL, prev);
    rp_ledger_fields f = {.id = 7,
                          .occurred_at = 1700000000,
                          .customer_id = 3,
                          .encounter_id = 2,
                          .kind = "encounter.opened",
                          .actor = "agent:Ada",
                          .channel = "phone",
                          .impression = "positive",
                          .content_hash = content};
    assert_int_equal(rp_ledger_chain_hash(prev, &f, base), 0);
    rp_ledger_fields g;
#define DIFFERS(change)                                                        \
    do {                                                                       \
        g = f;                                                                 \
        change;                                                                \
        assert_int_equal(rp_ledger_chain_hash(prev, &g, other), 0);            \
        assert_string_not_equal(base, other);                                  \
    } while (0)
    DIFFERS(g.id = 8);
    DIFFERS(g.occurred_at++);
    DIFFERS(g.customer_id = 4);
    DIFFERS(g.encounter_id = 0);
    DIFFERS(g.kind = "encounter.closed");
    DIFFERS(g.actor = "agent:Bob");
    DIFFERS(g.channel = NULL);
    DIFFERS(g.impression = "negative");
    DIFFERS(g.content_hash = prev);
#undef DIFFERS
    assert_int_equal(rp_ledger_chain_hash(NULL, &f, other), 0);
    assert_string_not_equal(base, other);
    assert_int_equal(rp_ledger_chain_hash("zz", &f, other), -1);
}

/* ---- the ledger in a database ------------------------------------------- */

static int64_t new_customer(rp_test_db *db, const char *name)
{
    rp_error err;
    json_t *in = json_pack("{s:s}", "name", name), *out;
    assert_int_equal(rp_customer_create(&db->ctx, in, &out, &err), RP_OK);
    int64_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(in);
    json_decref(out);
    return id;
}

static void record(rp_test_db *db, int64_t customer, const char *summary)
{
    rp_error err;
    json_t *detail = json_pack("{s:s}", "note", summary);
    rp_moment m = {.customer_id = customer,
                   .kind = "profile.changed",
                   .summary = summary,
                   .detail = detail};
    assert_int_equal(rp_moment_record(&db->ctx, &m, &err), RP_OK);
    json_decref(detail);
}

static json_t *verify(rp_test_db *db)
{
    rp_error err;
    json_t *out = NULL;
    assert_int_equal(rp_ledger_verify(&db->ctx, 0, NULL, &out, &err), RP_OK);
    return out;
}

/* Run sql on the database past rapport, as someone with the file and the
 * sqlite3 shell (or psql and the database's owner) would, the triggers
 * dropped first. */
static void tamper(rp_test_db *db, const char *sql)
{
    assert_int_equal(
        rp_test_db_sql(db,
                       db->pg
                           ? "DROP TRIGGER IF EXISTS moments_are_append_only_u"
                             " ON moments;"
                             "DROP TRIGGER IF EXISTS moments_are_append_only_d"
                             " ON moments;"
                             "DROP TRIGGER IF EXISTS moments_are_sealed"
                             " ON moments;"
                           : "DROP TRIGGER IF EXISTS moments_are_append_only_u;"
                             "DROP TRIGGER IF EXISTS moments_are_append_only_d;"
                             "DROP TRIGGER IF EXISTS moments_are_sealed;",
                       NULL),
        0);
    int rc = rp_test_db_sql(db, sql, NULL);
    if (rc)
        fprintf(stderr, "tamper: %s: refused (%d)\n", sql, rc);
    assert_int_equal(rc, 0);
}

static json_t *problem(json_t *report, size_t i)
{
    return json_array_get(json_object_get(report, "problems"), i);
}

static int64_t problem_id(json_t *report, size_t i)
{
    return json_integer_value(json_object_get(problem(report, i), "moment_id"));
}

static const char *problem_text(json_t *report, size_t i)
{
    return json_string_value(json_object_get(problem(report, i), "problem"));
}

static void test_an_untouched_ledger_verifies(void **state)
{
    rp_test_db *db = *state;
    int64_t c = new_customer(db, "Ada");
    for (int i = 0; i < 300; i++) /* more than one page of the walk */
        record(db, c, "Preference recorded");
    json_t *r = verify(db);
    assert_true(json_is_true(json_object_get(r, "ok")));
    assert_int_equal(json_integer_value(json_object_get(r, "moments")), 301);
    json_t *head = json_object_get(r, "head");
    assert_int_equal(json_integer_value(json_object_get(head, "moment_id")),
                     301);
    /* the head noted earlier is an anchor a later verification checks */
    char hash[65];
    snprintf(hash, sizeof hash, "%s",
             json_string_value(json_object_get(head, "chain_hash")));
    json_decref(r);
    rp_error err;
    assert_int_equal(rp_ledger_verify(&db->ctx, 301, hash, &r, &err), RP_OK);
    assert_true(json_is_true(json_object_get(r, "anchor_matches")));
    json_decref(r);
    /* the newest moments cut off: only the anchor can tell */
    tamper(db, "DELETE FROM moments WHERE id > 299");
    r = verify(db);
    assert_true(json_is_true(json_object_get(r, "ok")));
    json_decref(r);
    assert_int_equal(rp_ledger_verify(&db->ctx, 301, hash, &r, &err), RP_OK);
    assert_false(json_is_true(json_object_get(r, "ok")));
    assert_int_equal(problem_id(r, 0), 301);
    assert_non_null(strstr(problem_text(r, 0), "cut short"));
    json_decref(r);
}

static void test_a_changed_moment_is_named(void **state)
{
    rp_test_db *db = *state;
    int64_t c = new_customer(db, "Ada");
    for (int i = 0; i < 5; i++)
        record(db, c, "Preference recorded");
    json_t *r = verify(db);
    assert_true(json_is_true(json_object_get(r, "ok")));
    json_decref(r);

    tamper(db, "UPDATE moments SET summary = 'Nothing happened' WHERE id = 3");
    r = verify(db);
    assert_false(json_is_true(json_object_get(r, "ok")));
    assert_int_equal(json_integer_value(json_object_get(r, "problem_count")),
                     1);
    assert_int_equal(problem_id(r, 0), 3);
    assert_non_null(strstr(problem_text(r, 0), "summary or detail"));
    assert_string_equal(
        json_string_value(json_object_get(problem(r, 0), "kind")),
        "profile.changed");
    json_decref(r);

    tamper(db, "UPDATE moments SET summary = 'Preference recorded' "
               "WHERE id = 3; UPDATE moments SET occurred_at = occurred_at - "
               "86400 WHERE id = 5");
    r = verify(db);
    assert_int_equal(json_integer_value(json_object_get(r, "problem_count")),
                     1);
    assert_int_equal(problem_id(r, 0), 5);
    assert_non_null(strstr(problem_text(r, 0), "time, kind"));
    json_decref(r);
}

static void test_a_removed_or_reordered_moment_is_named(void **state)
{
    rp_test_db *db = *state;
    int64_t c = new_customer(db, "Ada");
    record(db, c, "first");
    record(db, c, "second");
    record(db, c, "third");
    record(db, c, "fourth");
    tamper(db, "DELETE FROM moments WHERE id = 3");
    json_t *r = verify(db);
    assert_false(json_is_true(json_object_get(r, "ok")));
    assert_int_equal(problem_id(r, 0), 4);
    assert_non_null(strstr(problem_text(r, 0), "(3) is missing"));
    json_decref(r);

    /* two moments swapped, hashes and all: the chain breaks at both */
    tamper(db, "UPDATE moments SET id = 100 WHERE id = 4;"
               "UPDATE moments SET id = 4 WHERE id = 5;"
               "UPDATE moments SET id = 5 WHERE id = 100;");
    r = verify(db);
    assert_false(json_is_true(json_object_get(r, "ok")));
    int named4 = 0, named5 = 0;
    for (size_t i = 0; i < json_array_size(json_object_get(r, "problems"));
         i++) {
        named4 |= problem_id(r, i) == 4;
        named5 |= problem_id(r, i) == 5;
    }
    assert_true(named4 && named5);
    json_decref(r);
}

static void test_the_trigger_refuses_all_but_erasure(void **state)
{
    rp_test_db *db = *state;
    int64_t c = new_customer(db, "Ada");
    record(db, c, "first");
    const char *refused[] = {
        "UPDATE moments SET summary = 'x' WHERE id = 2",
        "UPDATE moments SET kind = 'x' WHERE id = 2",
        /* an erasure that changes the hashes too */
        "UPDATE moments SET summary = 'The details of this moment were "
        "erased.', detail = NULL, erased_at = 1, chain_hash = 'x' WHERE id = 2",
        "DELETE FROM moments WHERE id = 2",
        "INSERT INTO moments (customer_id, occurred_at, actor, kind, summary)"
        " VALUES (1, 1, 'x', 'x', 'x')",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_int_equal(rp_test_db_sql(db, refused[i], NULL), 1);
    assert_int_equal(rp_test_db_sql(db,
                                    "UPDATE moments SET summary = 'The details"
                                    " of this moment were erased.', detail ="
                                    " NULL, erased_at = 1 WHERE id = 2",
                                    NULL),
                     0);
    /* blanked without erasing the customer: verification says so */
    json_t *r = verify(db);
    assert_false(json_is_true(json_object_get(r, "ok")));
    assert_int_equal(problem_id(r, 0), 2);
    assert_non_null(strstr(problem_text(r, 0), "never erased"));
    json_decref(r);
}

static void test_erasure_keeps_the_chain(void **state)
{
    rp_test_db *db = *state;
    int64_t ada = new_customer(db, "Ada");
    int64_t bob = new_customer(db, "Bob");
    record(db, ada, "Ada likes navy");
    record(db, bob, "Bob likes grey");
    record(db, ada, "Ada's goal: open a juice bar");
    rp_error err;
    json_t *in = json_pack("{s:s}", "requested_by", "the customer"), *out;
    assert_int_equal(rp_privacy_erase(&db->ctx, ada, in, &out, &err), RP_OK);
    assert_string_equal(json_string_value(json_object_get(out, "state")),
                        "erased");
    json_decref(out);
    json_t *r = verify(db);
    assert_true(json_is_true(json_object_get(r, "ok")));
    assert_int_equal(json_integer_value(json_object_get(r, "erased")), 3);
    assert_int_equal(json_integer_value(json_object_get(r, "moments")), 6);
    json_decref(r);
    /* the erasure cannot be done twice, nor undone */
    assert_int_equal(rp_privacy_erase(&db->ctx, ada, in, &out, &err),
                     RP_ECONFLICT);
    json_decref(in);
}

static void test_erasure_refuses_a_tampered_history(void **state)
{
    rp_test_db *db = *state;
    int64_t ada = new_customer(db, "Ada");
    record(db, ada, "Ada likes navy");
    tamper(db, "UPDATE moments SET summary = 'Ada likes red' WHERE id = 2");
    rp_error err;
    json_t *in = json_pack("{s:s}", "requested_by", "the customer"), *out;
    assert_int_equal(rp_privacy_erase(&db->ctx, ada, in, &out, &err),
                     RP_ECONFLICT);
    assert_non_null(strstr(err.message, "moment 2"));
    json_decref(in);
    json_t *customer;
    assert_int_equal(rp_customer_get(&db->ctx, ada, &customer, &err), RP_OK);
    assert_string_equal(json_string_value(json_object_get(customer, "name")),
                        "Ada");
    json_decref(customer);
}

/* ---- sealing a ledger from before the chain ----------------------------- */

static void test_old_moments_are_sealed_in_order(void **state)
{
    (void)state;
    rp_test_db db;
    rp_test_db_make(&db, 0);
    rp_store *old = rp_test_db_open(&db, 16);
    rp_store_close(old);
    assert_int_equal(
        rp_test_db_sql(&db,
                       "INSERT INTO customers (name, created_at, updated_at)"
                       " VALUES ('Ada', 1, 1);"
                       "INSERT INTO moments (customer_id, occurred_at, actor,"
                       " kind, summary, detail) VALUES"
                       " (1, 1, 'cli', 'customer.created', 'Ada added', NULL),"
                       " (1, 2, 'cli', 'profile.changed', 'Ada likes navy',"
                       "  '{\"kind\":\"preferences\"}');",
                       NULL),
        0);
    db.store = rp_test_db_open(&db, 0);
    db.ctx.store = db.store;
    /* a new moment seals the old ones first, then chains onto them */
    record(&db, 1, "Ada likes grey");
    json_t *r = verify(&db);
    assert_true(json_is_true(json_object_get(r, "ok")));
    assert_int_equal(json_integer_value(json_object_get(r, "moments")), 3);
    json_decref(r);
    int64_t sealed = -1;
    rp_error err;
    assert_int_equal(rp_ledger_seal(&db.ctx, &sealed, &err), RP_OK);
    assert_int_equal(sealed, 0);
    rp_test_db_remove(&db);
}

/* ---- two writers at once ------------------------------------------------ */

typedef struct writer {
    const char *path;
    int64_t customer;
    int n, failed;
} writer;

static void *write_moments(void *arg)
{
    writer *w = arg;
    rp_store *s;
    rp_error err;
    if (rp_store_open(w->path, &s, &err)) {
        w->failed = w->n;
        return NULL;
    }
    rp_ctx ctx = {.store = s, .actor = "test"};
    for (int i = 0; i < w->n; i++) {
        rp_moment m = {.customer_id = w->customer,
                       .kind = "profile.changed",
                       .summary = "written at once"};
        /* without a transaction of their own: the append must still
         * chain onto whatever the other writer appended last */
        if (rp_moment_record(&ctx, &m, &err))
            w->failed++;
    }
    rp_store_close(s);
    return NULL;
}

static void test_two_writers_do_not_fork_the_chain(void **state)
{
    rp_test_db *db = *state;
    int64_t c = new_customer(db, "Ada");
    writer a = {db->name, c, 150, 0}, b = {db->name, c, 150, 0};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, write_moments, &a);
    pthread_create(&tb, NULL, write_moments, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_int_equal(a.failed + b.failed, 0);
    json_t *r = verify(db);
    assert_true(json_is_true(json_object_get(r, "ok")));
    assert_int_equal(json_integer_value(json_object_get(r, "moments")), 301);
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_hash_covers_summary_detail_and_key),
        cmocka_unit_test(test_chain_hash_covers_every_field),
        cmocka_unit_test_setup_teardown(test_an_untouched_ledger_verifies,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_a_changed_moment_is_named,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_removed_or_reordered_moment_is_named, rp_test_db_setup,
            rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            test_the_trigger_refuses_all_but_erasure, rp_test_db_setup,
            rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_erasure_keeps_the_chain,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_erasure_refuses_a_tampered_history,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test(test_old_moments_are_sealed_in_order),
        cmocka_unit_test_setup_teardown(test_two_writers_do_not_fork_the_chain,
                                        rp_test_db_setup, rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
