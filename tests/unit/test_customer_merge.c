/*
 * test_customer_merge.c - merging two customers, and their possible duplicates.
 *
 * The merge is checked against the database itself: every table that has
 * a customer_id column (found in the live schema, so a table added later
 * is covered without editing this file) gets a row of the customer merged
 * away, and after the merge none is left with them but in the tables that
 * stay (the sealed moments, the events sent, the append-only audit log);
 * the customer kept's export holds every row both had, under the section
 * of its table, as the export's own test demands of one customer.  The
 * ledger still verifies.  Each refused merge leaves every row of every
 * table as it was.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "fixture.h"

#define KEEP 4 /* the demo's Maximilian Weber */
#define GONE 3 /* the demo's Ahmad bin Yusof */

/* The tables whose rows stay with the customer merged away, read through
 * the alias. */
static int stays(const char *table)
{
    return !strcmp(table, "moments") || !strcmp(table, "events") ||
           !strcmp(table, "audit_log");
}

/* The archive's section of a table. */
static const char *section_of(const char *table)
{
    return strcmp(table, "audit_log") ? table : "audit";
}

/* The database seen past rapport, with a connection of the test's own
 * (the fixture's), on SQLite or PostgreSQL. */
static void raw_exec(rp_test_db *h, const char *sql)
{
    if (rp_test_db_sql(h, sql, NULL) != 0)
        fail_msg("%s: refused", sql);
}

static long long raw_count(rp_test_db *h, const char *sql)
{
    long long n = 0;
    if (rp_test_db_sql(h, sql, &n) != 0)
        fail_msg("%s: refused", sql);
    return n;
}

/* Each customer's newest moment, kept by a trigger on the moments for the
 * service metrics: it is not a record of the customer but a figure drawn
 * from the moments, and follows them (they stay with the customer merged
 * away, so does it). */
static int derived_from_moments(const char *table)
{
    return !strcmp(table, "measure_moment_customers");
}

/* The tables with a customer_id column, as a JSON array of names, but for
 * the figures derived from the moments. */
static json_t *customer_tables(rp_test_db *h)
{
    json_t *rows = rp_test_db_rows(
        h, h->pg ? "SELECT DISTINCT c.relname FROM pg_class c JOIN"
                   " pg_namespace n ON n.oid = c.relnamespace JOIN"
                   " pg_attribute a ON a.attrelid = c.oid WHERE n.nspname ="
                   " 'public' AND c.relkind IN ('r', 'p') AND a.attname ="
                   " 'customer_id' AND NOT a.attisdropped ORDER BY 1"
                 : "SELECT DISTINCT m.name FROM sqlite_master m,"
                   " pragma_table_info(m.name) p WHERE m.type ="
                   " 'table' AND p.name = 'customer_id' ORDER BY 1");
    json_t *names = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
        if (!derived_from_moments(json_string_value(json_array_get(r, 0))))
            json_array_append(names, json_array_get(r, 0));
    json_decref(rows);
    return names;
}

/* {table: [ids of rows of customer a or b]}. */
static json_t *rows_of(rp_test_db *h, json_t *tables, int64_t a, int64_t b)
{
    json_t *all = json_object();
    size_t i;
    json_t *t;
    json_array_foreach(tables, i, t) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT id FROM \"%s\" WHERE customer_id IN (%lld, %lld)"
                 " ORDER BY id",
                 json_string_value(t), (long long)a, (long long)b);
        json_t *rows = rp_test_db_rows(h, sql), *ids = json_array(), *r;
        size_t k;
        json_array_foreach(rows, k, r)
            json_array_append_new(
                ids,
                json_integer(atoll(json_string_value(json_array_get(r, 0)))));
        json_decref(rows);
        json_object_set_new(all, json_string_value(t), ids);
    }
    return all;
}

/* A row of the customer merged away in every table: those the demo
 * leaves empty get one here, the others lend one of another customer's.
 * A new table that is empty after the demo needs a line here (the test
 * says which) so that its move is tested. */
static void give_gone_a_row_everywhere(rp_test_db *h, json_t *tables)
{
    static const char *const seeds[][2] = {
        {"encounter_transfers",
         "INSERT INTO encounter_transfers (customer_id, encounter_id, reason,"
         " created_at) VALUES (3, 3, 'to the right desk', 1700000000)"},
        {"special_requests",
         "INSERT INTO special_requests (customer_id, encounter_id,"
         " description, outcome, created_at) VALUES (3, 3, 'gift wrap',"
         " 'granted', 1700000000)"},
        {"offers",
         "INSERT INTO offers (customer_id, product_id, status, created_at)"
         " VALUES (3, (SELECT min(id) FROM products), 'shown', 1700000000)"},
        {"messages",
         "INSERT INTO messages (customer_id, encounter_id, direction, author,"
         " channel, body, occurred_at, created_at, updated_at) VALUES (3, 3,"
         " 'inbound', 'customer', 'email', 'hello', 1700000000, 1700000000,"
         " 1700000000)"},
        {"attachments",
         "INSERT INTO attachment_blobs (sha256, size, data, created_at)"
         " VALUES ('00', 2, 'aGk=', 1700000000);"
         "INSERT INTO attachments (customer_id, encounter_id, message_id,"
         " blob_id, filename, content_type, size, created_at) VALUES (3, 3,"
         " (SELECT max(id) FROM messages), (SELECT max(id) FROM"
         " attachment_blobs), 'a.txt', 'text/plain', 2, 1700000000)"},
        {"help_links",
         "INSERT INTO help_links (token_hash, purpose, encounter_id,"
         " customer_id, email, thread_id, created_at, expires_at) VALUES"
         " ('ab', 'page', 3, 3, 'ahmad@example.com', 't1', 1700000000,"
         " 1800000000)"},
        {"erasure_requests",
         "INSERT INTO erasure_requests (customer_id, requested_by, state,"
         " created_at, done_at) VALUES (3, 'a test', 'done', 1700000000,"
         " 1700000001)"},
        {"audit_log",
         "INSERT INTO audit_log (at, action, via, subject, subject_id,"
         " customer_id) VALUES (1700000000, 'read', 'cli', 'customer', 3, 3)"},
        {"export_requests",
         "INSERT INTO export_requests (customer_id, encounter_id, status,"
         " requested_at) VALUES (3, 3, 'pending', 1700000000)"},
        {"charter_breaches",
         "INSERT INTO charter_breaches (encounter_id, customer_id, target,"
         " target_seconds, due_at, breached_at, judged_at) VALUES (3, 3,"
         " 'acknowledge', 300, 1700000300, 1700000300, 1700000400)"},
    };
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        raw_exec(h, seeds[i][1]);
    size_t i;
    json_t *t;
    json_array_foreach(tables, i, t) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM \"%s\" WHERE customer_id = %d",
                 json_string_value(t), GONE);
        if (raw_count(h, sql) == 0) { /* another customer's row, theirs */
            snprintf(sql, sizeof sql,
                     "UPDATE \"%s\" SET customer_id = %d WHERE id = (SELECT"
                     " min(id) FROM \"%s\" WHERE customer_id NOT IN (%d, %d))",
                     json_string_value(t), GONE, json_string_value(t), GONE,
                     KEEP);
            raw_exec(h, sql);
            snprintf(sql, sizeof sql,
                     "SELECT count(*) FROM \"%s\" WHERE customer_id = %d",
                     json_string_value(t), GONE);
        }
        if (raw_count(h, sql) == 0)
            fail_msg("the table %s has no row of the customer merged away: "
                     "add one to give_gone_a_row_everywhere",
                     json_string_value(t));
    }
}

/* Every row of every table as text, to tell that nothing changed (on
 * PostgreSQL each table's rows sorted: a row rewritten unchanged moves). */
static char *fingerprint(rp_test_db *h)
{
    rp_buf b = RP_BUF_INIT;
    json_t *tables = rp_test_db_rows(
        h, h->pg ? "SELECT tablename FROM pg_tables WHERE schemaname ="
                   " 'public' ORDER BY 1"
                 : "SELECT name FROM sqlite_master WHERE type = 'table'"
                   " ORDER BY name");
    size_t i;
    json_t *t;
    if (h->pg) {
        /* one statement for every table: a connection a table (as the
         * fixture makes for each) would make each fingerprint slow */
        rp_buf sql = RP_BUF_INIT;
        json_array_foreach(tables, i, t) {
            const char *name = json_string_value(json_array_get(t, 0));
            rp_buf_printf(&sql,
                          "%sSELECT %zu AS n, '[%s]' || E'\\n' ||"
                          " coalesce(string_agg(r::text, E'\\n' ORDER BY"
                          " r::text), '') AS x FROM \"%s\" r",
                          i ? " UNION ALL " : "", i, name, name);
        }
        rp_buf all = RP_BUF_INIT;
        rp_buf_printf(&all,
                      "SELECT string_agg(x, E'\\n' ORDER BY n) FROM (%s) y",
                      rp_buf_str(&sql));
        json_t *rows = rp_test_db_rows(h, rp_buf_str(&all));
        rp_buf_puts(
            &b, json_string_value(json_array_get(json_array_get(rows, 0), 0)));
        json_decref(rows);
        rp_buf_free(&all);
        rp_buf_free(&sql);
    } else {
        json_array_foreach(tables, i, t) {
            const char *name = json_string_value(json_array_get(t, 0));
            char sql[300];
            snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", name);
            rp_buf_printf(&b, "[%s]\n", name);
            json_t *rows = rp_test_db_rows(h, sql), *row, *v;
            size_t k, c;
            json_array_foreach(rows, k, row) {
                json_array_foreach(row, c, v)
                    rp_buf_printf(&b, "%s|",
                                  json_is_string(v) ? json_string_value(v)
                                                    : "NULL");
                rp_buf_puts(&b, "\n");
            }
            json_decref(rows);
        }
    }
    json_decref(tables);
    char *text = strdup(rp_buf_str(&b));
    rp_buf_free(&b);
    return text;
}

static int has_id(json_t *rows, json_t *id)
{
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
        if (json_equal(json_object_get(r, "id"), id))
            return 1;
    return 0;
}

static void load_demo(rp_test_db *db)
{
    rp_error err;
    int loaded = 0;
    if (rp_demo_load(&db->ctx, &loaded, &err))
        fail_msg("demo: %s", err.message);
}

/* A preference of one key on each, the customer merged away's later, and
 * a consent for one purpose on each, the kept customer's later. */
static void give_both_the_same_key(rp_test_db *db)
{
    rp_error err;
    json_t *out;
    rp_clock_pin(rp_now() + 60);
    json_t *in = json_pack("{s:s, s:s, s:s}", "key", "colour", "value",
                           "charcoal", "firmness", "firm");
    if (rp_profile_add(&db->ctx, "preferences", GONE, in, &out, &err))
        fail_msg("preference: %s", err.message);
    json_decref(in);
    json_decref(out);
    rp_clock_pin(rp_now() + 60);
    in = json_pack("{s:s, s:b}", "purpose", "offers", "granted", 0);
    if (rp_profile_add(&db->ctx, "consents", KEEP, in, &out, &err))
        fail_msg("consent: %s", err.message);
    json_decref(in);
    json_decref(out);
}

static void test_merge_moves_every_table(void **state)
{
    rp_test_db *db = *state;
    load_demo(db);
    give_both_the_same_key(db);
    rp_test_db *h = db;
    json_t *tables = customer_tables(h);
    give_gone_a_row_everywhere(h, tables);
    json_t *before = rows_of(h, tables, KEEP, GONE);
    long long kept_colour = raw_count(
        h, "SELECT id FROM preferences WHERE customer_id = 4 AND key ="
           " 'colour'");
    long long gone_offers = raw_count(
        h, "SELECT id FROM consents WHERE customer_id = 3 AND purpose ="
           " 'offers'");

    rp_error err;
    json_t *out = NULL;
    if (rp_customer_merge(&db->ctx, KEEP, GONE, "the same person", &out, &err))
        fail_msg("merge: %s", err.message);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(out, "customer"), "id")),
                     KEEP);
    json_decref(out);

    /* nothing of theirs is left but what stays, and nothing was lost */
    size_t i;
    json_t *t;
    json_array_foreach(tables, i, t) {
        const char *name = json_string_value(t);
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM \"%s\" WHERE customer_id = %d", name,
                 GONE);
        long long left = raw_count(h, sql);
        if (stays(name) ? left == 0 : left != 0)
            fail_msg("%s: %lld rows of the customer merged away after the "
                     "merge",
                     name, left);
    }
    /* of the two on one key, the later stands; the other is in the moment */
    assert_int_equal(raw_count(h, "SELECT count(*) FROM preferences WHERE"
                                  " customer_id = 4 AND key = 'colour' AND"
                                  " value = 'charcoal'"),
                     1);
    assert_int_equal(raw_count(h, "SELECT count(*) FROM consents WHERE"
                                  " customer_id = 4 AND purpose = 'offers'"),
                     1);
    assert_int_equal(
        raw_count(h, h->pg
                         ? "SELECT count(*) FROM moments WHERE customer_id = 4"
                           " AND kind = 'customer.merged' AND detail::jsonb #>>"
                           " '{superseded_preferences,0,value}' = 'navy' AND"
                           " detail::jsonb -> 'merged_id' = '3' AND"
                           " detail::jsonb ->> 'reason' = 'the same person'"
                           " AND jsonb_array_length(detail::jsonb ->"
                           " 'superseded_consents') = 1"
                         : "SELECT count(*) FROM moments WHERE customer_id = 4"
                           " AND kind = 'customer.merged' AND json_extract("
                           "detail, '$.superseded_preferences[0].value') ="
                           " 'navy' AND json_extract(detail, '$.merged_id') ="
                           " 3 AND json_extract(detail, '$.reason') = 'the"
                           " same person' AND json_array_length(detail,"
                           " '$.superseded_consents') = 1"),
        1);
    /* the alias, the event, the audit */
    assert_int_equal(raw_count(h, "SELECT merged_into FROM customers WHERE"
                                  " id = 3"),
                     KEEP);
    assert_int_equal(
        raw_count(h, h->pg ? "SELECT count(*) FROM events WHERE kind ="
                             " 'customer.merged' AND customer_id = 4 AND"
                             " data::jsonb -> 'kept_id' = '4' AND"
                             " data::jsonb -> 'merged_id' = '3'"
                           : "SELECT count(*) FROM events WHERE kind ="
                             " 'customer.merged' AND customer_id = 4 AND"
                             " json_extract(data, '$.kept_id') = 4 AND"
                             " json_extract(data, '$.merged_id') = 3"),
        1);
    assert_int_equal(raw_count(h, "SELECT count(*) FROM audit_log WHERE"
                                  " action = 'change' AND customer_id = 4"
                                  " AND subject_id = 3"),
                     1);

    /* the kept customer's export holds every row either had */
    json_t *archive = NULL;
    if (rp_export_customer(&db->ctx, KEEP, &archive, &err))
        fail_msg("export: %s", err.message);
    const char *name;
    json_t *ids;
    json_object_foreach(before, name, ids) {
        json_t *section = json_object_get(archive, section_of(name));
        json_t *id;
        json_array_foreach(ids, i, id) {
            if ((!strcmp(name, "preferences") &&
                 json_integer_value(id) == kept_colour) ||
                (!strcmp(name, "consents") &&
                 json_integer_value(id) == gone_offers))
                continue; /* gave way: kept in the merge's moment */
            if (!has_id(section, id))
                fail_msg("the export after the merge misses %s %lld", name,
                         (long long)json_integer_value(id));
        }
    }
    json_decref(archive);

    /* the ledger was not touched, and verifies */
    json_t *report = NULL;
    assert_int_equal(rp_ledger_verify(&db->ctx, 0, NULL, &report, &err), RP_OK);
    assert_true(json_is_true(json_object_get(report, "ok")));
    json_decref(report);

    json_decref(before);
    json_decref(tables);
}

static void test_history_reads_through_the_alias(void **state)
{
    rp_test_db *db = *state;
    load_demo(db);
    rp_error err;
    json_t *out = NULL;
    rp_test_db *h = db;
    long long gone_moments = raw_count(h, "SELECT count(*) FROM moments WHERE"
                                          " customer_id = 3");
    long long kept_moments = raw_count(h, "SELECT count(*) FROM moments WHERE"
                                          " customer_id = 4");
    assert_true(gone_moments > 0);
    /* the customer merged away came first: the kept one is a customer
     * since then */
    raw_exec(h, "UPDATE customers SET created_at = 1600000000 WHERE id = 3");
    assert_int_equal(
        rp_customer_merge(&db->ctx, KEEP, GONE, "one person", &out, &err),
        RP_OK);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(out, "customer"), "created_at")),
                        "2020-09-13T12:26:40Z");
    json_decref(out);

    /* the timeline: both customers' moments and the merge's, newest first */
    rp_page_req page = {.limit = 500};
    assert_int_equal(rp_moment_list(&db->ctx, KEEP, &page, &out, &err), RP_OK);
    json_t *items = json_object_get(out, "items");
    assert_true((long long)json_array_size(items) >=
                gone_moments + kept_moments + 1);
    int64_t last = INT64_MAX;
    size_t i;
    json_t *m;
    int of_gone = 0;
    json_array_foreach(items, i, m) {
        int64_t id = json_integer_value(json_object_get(m, "id"));
        assert_true(id < last);
        last = id;
        of_gone += json_integer_value(json_object_get(m, "customer_id")) ==
                   GONE;
    }
    assert_int_equal(of_gone, gone_moments);
    json_decref(out);

    /* the old id answers with the customer kept */
    assert_int_equal(rp_customer_get(&db->ctx, GONE, &out, &err), RP_OK);
    assert_int_equal(json_integer_value(json_object_get(out, "id")), KEEP);
    json_decref(out);
    assert_int_equal(rp_customer_overview(&db->ctx, GONE, &out, &err), RP_OK);
    json_t *latest = json_object_get(out, "latest_moments");
    int merged_seen = 0;
    last = INT64_MAX;
    json_array_foreach(latest, i, m) {
        int64_t id = json_integer_value(json_object_get(m, "id"));
        assert_true(id < last);
        last = id;
        merged_seen |= !strcmp(json_string_value(json_object_get(m, "kind")),
                               "customer.merged");
    }
    assert_true(merged_seen);
    json_decref(out);
    /* a preference given to the old id lands on the kept customer */
    json_t *in = json_pack("{s:s, s:s, s:s}", "key", "fit", "value", "slim",
                           "firmness", "flexible");
    assert_int_equal(
        rp_profile_add(&db->ctx, "preferences", GONE, in, &out, &err), RP_OK);
    json_decref(in);
    assert_int_equal(json_integer_value(json_object_get(out, "customer_id")),
                     KEEP);
    json_decref(out);
    /* the list shows the kept customer only */
    rp_page_req all = {.limit = 100};
    assert_int_equal(rp_customer_list(&db->ctx, NULL, &all, &out, &err), RP_OK);
    json_array_foreach(json_object_get(out, "items"), i, m)
        assert_int_not_equal(json_integer_value(json_object_get(m, "id")),
                             GONE);
    json_decref(out);
}

/* Each refusal: its code, and every row of every table as it was. */
static void refused(rp_test_db *db, rp_test_db *h, int64_t keep, int64_t gone,
                    const char *reason, rp_code want, const char *field)
{
    char *before = fingerprint(h);
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_customer_merge(&db->ctx, keep, gone, reason, &out, &err);
    if (rc != want)
        fail_msg("merge %lld into %lld: %d, wanted %d (%s)", (long long)gone,
                 (long long)keep, rc, want, rc ? err.message : "merged");
    if (field)
        assert_string_equal(err.field, field);
    assert_true(strlen(err.message) > 10);
    char *after = fingerprint(h);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_refused_merges_change_nothing(void **state)
{
    rp_test_db *db = *state;
    load_demo(db);
    rp_test_db *h = db;
    refused(db, h, KEEP, KEEP, "same", RP_EINVALID, "merged_id");
    refused(db, h, KEEP, GONE, "  ", RP_EINVALID, "reason");
    refused(db, h, KEEP, 999, "same", RP_ENOTFOUND, "merged_id");
    refused(db, h, 999, GONE, "same", RP_ENOTFOUND, "id");

    /* an agent who is not an admin */
    rp_error err;
    json_t *agent = NULL,
           *in = json_pack("{s:s, s:s, s:s}", "name", "Lee", "email",
                           "lee@example.com", "role", "lead");
    assert_int_equal(rp_agent_create(&db->ctx, in, &agent, &err), RP_OK);
    json_decref(in);
    db->ctx.agent_id = json_integer_value(json_object_get(agent, "id"));
    json_decref(agent);
    refused(db, h, KEEP, GONE, "same", RP_EFORBIDDEN, NULL);
    db->ctx.agent_id = 0;

    /* an erased customer, on either side */
    json_t *out = NULL;
    in = json_pack("{s:s}", "requested_by", "the customer");
    assert_int_equal(rp_privacy_erase(&db->ctx, 5, in, &out, &err), RP_OK);
    json_decref(in);
    json_decref(out);
    refused(db, h, KEEP, 5, "same", RP_ECONFLICT, "merged_id");
    refused(db, h, 5, KEEP, "same", RP_ECONFLICT, "id");

    /* an erasure waiting */
    raw_exec(h, "INSERT INTO erasure_requests (customer_id, requested_by,"
                " state, created_at) VALUES (6, 'x', 'pending', 1700000000)");
    refused(db, h, KEEP, 6, "same", RP_ECONFLICT, "merged_id");

    /* merged already, on either side */
    assert_int_equal(rp_customer_merge(&db->ctx, KEEP, GONE, "one", &out, &err),
                     RP_OK);
    json_decref(out);
    refused(db, h, KEEP, GONE, "again", RP_ECONFLICT, "merged_id");
    refused(db, h, GONE, 2, "again", RP_ECONFLICT, "id");
}

static void test_merging_a_merged_customer_keeps_one_alias_level(void **state)
{
    rp_test_db *db = *state;
    load_demo(db);
    rp_error err;
    json_t *out;
    assert_int_equal(rp_customer_merge(&db->ctx, GONE, 2, "one", &out, &err),
                     RP_OK);
    json_decref(out);
    assert_int_equal(rp_customer_merge(&db->ctx, KEEP, GONE, "two", &out, &err),
                     RP_OK);
    json_decref(out);
    json_t *ids = NULL;
    assert_int_equal(rp_customer_ids(&db->ctx, KEEP, &ids, &err), RP_OK);
    assert_int_equal(json_array_size(ids), 3);
    json_decref(ids);
    assert_int_equal(rp_customer_get(&db->ctx, 2, &out, &err), RP_OK);
    assert_int_equal(json_integer_value(json_object_get(out, "id")), KEEP);
    json_decref(out);
    /* erasing the kept customer erases the aliases with it */
    json_t *in = json_pack("{s:s}", "requested_by", "the customer");
    assert_int_equal(rp_privacy_erase(&db->ctx, GONE, in, &out, &err),
                     RP_ECONFLICT);
    assert_int_equal(rp_privacy_erase(&db->ctx, KEEP, in, &out, &err), RP_OK);
    json_decref(out);
    json_decref(in);
    rp_test_db *h = db;
    assert_int_equal(raw_count(h, "SELECT count(*) FROM customers WHERE id IN"
                                  " (2, 3, 4) AND erased_at IS NOT NULL"),
                     3);
    assert_int_equal(raw_count(h, "SELECT count(*) FROM moments WHERE"
                                  " customer_id IN (2, 3, 4) AND erased_at"
                                  " IS NULL AND kind <> 'customer.erased'"),
                     0);
    json_t *report = NULL;
    assert_int_equal(rp_ledger_verify(&db->ctx, 0, NULL, &report, &err), RP_OK);
    assert_true(json_is_true(json_object_get(report, "ok")));
    json_decref(report);
}

static void test_duplicates_by_loose_identity(void **state)
{
    rp_test_db *db = *state;
    rp_error err;
    json_t *a, *b, *c, *in;
    in = json_pack("{s:s, s:[s], s:[s]}", "name", "Ana Silva", "emails",
                   "Ana.Silva@gmail.com", "phones", "+34 600 100 200");
    assert_int_equal(rp_customer_create(&db->ctx, in, &a, &err), RP_OK);
    json_decref(in);
    in = json_pack("{s:s, s:[s]}", "name", "Ana S.", "emails",
                   "anasilva+shop@gmail.com");
    assert_int_equal(rp_customer_create(&db->ctx, in, &b, &err), RP_OK);
    json_decref(in);
    in = json_pack("{s:s, s:[s], s:[s]}", "name", "Someone else", "emails",
                   "ana@example.com", "phones", "600 100 201");
    assert_int_equal(rp_customer_create(&db->ctx, in, &c, &err), RP_OK);
    json_decref(in);
    int64_t ida = json_integer_value(json_object_get(a, "id"));
    int64_t idb = json_integer_value(json_object_get(b, "id"));
    json_t *out = NULL;
    assert_int_equal(rp_customer_duplicates(&db->ctx, ida, &out, &err), RP_OK);
    json_t *items = json_object_get(out, "items");
    assert_int_equal(json_array_size(items), 1);
    json_t *it = json_array_get(items, 0);
    assert_int_equal(json_integer_value(json_object_get(it, "customer_id")),
                     idb);
    json_t *m = json_array_get(json_object_get(it, "matches"), 0);
    assert_string_equal(json_string_value(json_object_get(m, "kind")), "email");
    assert_string_equal(json_string_value(json_object_get(m, "value")),
                        "anasilva+shop@gmail.com");
    json_decref(out);
    /* and the other way round; none for a customer unlike the others */
    assert_int_equal(rp_customer_duplicates(&db->ctx, idb, &out, &err), RP_OK);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
    json_decref(out);
    assert_int_equal(
        rp_customer_duplicates(
            &db->ctx, json_integer_value(json_object_get(c, "id")), &out, &err),
        RP_OK);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 0);
    json_decref(out);
    /* after the merge, no one is a duplicate of anyone */
    assert_int_equal(rp_customer_merge(&db->ctx, ida, idb, "same", &out, &err),
                     RP_OK);
    json_decref(out);
    assert_int_equal(rp_customer_duplicates(&db->ctx, ida, &out, &err), RP_OK);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 0);
    json_decref(out);
    assert_int_equal(rp_customer_duplicates(&db->ctx, 999, &out, &err),
                     RP_ENOTFOUND);
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_merge_moves_every_table,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_history_reads_through_the_alias,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_refused_merges_change_nothing,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            test_merging_a_merged_customer_keeps_one_alias_level,
            rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_duplicates_by_loose_identity,
                                        rp_test_db_setup, rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
