/*
 * test_csv.c - the CSV reader with the files people really have (a BOM,
 * Excel's semicolons, quoted line breaks, blank lines, Latin-1 bytes, a
 * quote left open), read whole and through a reader that hands out a few
 * bytes at a time, so every boundary of the reader's window is crossed;
 * and the customers import against a real database: mapping, refused rows
 * with their lines, matching on a second run, all or nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* ---- a reader that trickles ---------------------------------------------- */

typedef struct trickle {
    const char *s;
    size_t len, pos, step;
} trickle;

static long trickle_read(void *arg, char *buf, size_t n, const char **why)
{
    trickle *t = arg;
    (void)why;
    size_t k = t->len - t->pos;
    if (k > n)
        k = n;
    if (k > t->step)
        k = t->step;
    memcpy(buf, t->s + t->pos, k);
    t->pos += k;
    t->step = t->step % 7 + 1; /* 1 to 7 bytes, never the same twice */
    return (long)k;
}

/* The records of text as one JSON array of arrays (with the line each
 * began on as the first element), read whole when step is 0, else
 * trickled; NULL and *err filled when the reader refused. */
static json_t *read_all(const char *text, size_t len, size_t step,
                        rp_error *err)
{
    trickle t = {text, len, 0, step};
    rp_csv *c = step ? rp_csv_new(trickle_read, &t)
                     : rp_csv_new_memory(text, len);
    json_t *all = json_array();
    for (;;) {
        int got = 0;
        if (rp_csv_next(c, &got, err)) {
            json_decref(all);
            all = NULL;
            break;
        }
        if (!got)
            break;
        json_t *rec = json_array();
        json_array_append_new(rec, json_integer(rp_csv_line(c)));
        for (size_t i = 0; i < rp_csv_count(c); i++) {
            size_t n;
            const char *f = rp_csv_field(c, i, &n);
            json_array_append_new(rec, json_stringn_nocheck(f, n));
        }
        if (rp_csv_problem(c))
            json_array_append_new(rec, json_string("PROBLEM"));
        json_array_append_new(all, rec);
    }
    rp_csv_free(c);
    return all;
}

/* Read text both ways; assert they agree and that it reads as expected
 * (JSON text of the same shape as read_all's). */
static void assert_reads(const char *text, const char *expected)
{
    json_error_t je;
    json_t *want = json_loads(expected, 0, &je);
    assert_non_null(want);
    for (size_t step = 0; step <= 3; step++) {
        rp_error err;
        json_t *got = read_all(text, strlen(text), step, &err);
        if (!got)
            fail_msg("refused: %s", err.message);
        if (!json_equal(got, want)) {
            char *g = json_dumps(got, JSON_COMPACT);
            fail_msg("step %zu: read %s, wanted %s", step, g, expected);
        }
        json_decref(got);
    }
    json_decref(want);
}

static void assert_refused(const char *text, size_t len, const char *words)
{
    for (size_t step = 0; step <= 2; step++) {
        rp_error err;
        json_t *got = read_all(text, len, step, &err);
        assert_null(got);
        assert_int_equal(err.code, RP_EINVALID);
        if (!strstr(err.message, words))
            fail_msg("\"%s\" does not say \"%s\"", err.message, words);
    }
}

static void test_plain_and_quoted(void **state)
{
    (void)state;
    assert_reads("a,b,c\n1,2,3\n",
                 "[[1,\"a\",\"b\",\"c\"],[2,\"1\",\"2\",\"3\"]]");
    /* no line end at the end of the file; an empty last field */
    assert_reads("a,b\n1,", "[[1,\"a\",\"b\"],[2,\"1\",\"\"]]");
    /* delimiters, doubled quotes and line breaks inside quotes; the line of
     * the next record counts the quoted breaks */
    assert_reads("name,notes\r\n\"Weber, Max\",\"said \"\"hi\"\"\r\nthen "
                 "left\"\r\nAda,x\r\n",
                 "[[1,\"name\",\"notes\"],"
                 "[2,\"Weber, Max\",\"said \\\"hi\\\"\\r\\nthen left\"],"
                 "[4,\"Ada\",\"x\"]]");
    /* an empty quoted field is a field */
    assert_reads("a,b\n\"\",x\n", "[[1,\"a\",\"b\"],[2,\"\",\"x\"]]");
    /* bare CR line ends (old Mac spreadsheets) */
    assert_reads("a,b\r1,2\r", "[[1,\"a\",\"b\"],[2,\"1\",\"2\"]]");
}

static void test_blank_lines_are_skipped(void **state)
{
    (void)state;
    assert_reads("a,b\n\n1,2\r\n\r\n\n3,4\n\n",
                 "[[1,\"a\",\"b\"],[3,\"1\",\"2\"],[6,\"3\",\"4\"]]");
    assert_reads("", "[]");
    assert_reads("\n\n", "[]");
}

static void test_bom_and_dialects(void **state)
{
    (void)state;
    /* Excel's "CSV UTF-8": a byte-order mark before the header */
    assert_reads("\xEF\xBB\xBFname,email\nZoë,z@example.com\n",
                 "[[1,\"name\",\"email\"],[2,\"Zoë\",\"z@example.com\"]]");
    /* Excel where the comma is the decimal mark: semicolons, found on the
     * header line; commas in fields are then text */
    assert_reads("Name;Email;Notes\nWeber, Max;m@example.com;1,5 kg\n",
                 "[[1,\"Name\",\"Email\",\"Notes\"],"
                 "[2,\"Weber, Max\",\"m@example.com\",\"1,5 kg\"]]");
    /* a semicolon inside quotes on the header does not count */
    assert_reads("\"a;b;c\",d\n1,2\n", "[[1,\"a;b;c\",\"d\"],[2,\"1\",\"2\"]]");
    /* "sep=;" names the delimiter and is not a record */
    assert_reads("sep=;\r\na;b,c\r\n1;2\r\n",
                 "[[2,\"a\",\"b,c\"],[3,\"1\",\"2\"]]");
    /* a "sep=" naming no usable delimiter (a space, a byte outside ASCII)
     * is an ordinary first line, and reading ends at the end of the file */
    assert_reads("sep= \n1,2\n", "[[1,\"sep= \"],[2,\"1\",\"2\"]]");
    rp_error err;
    json_t *odd = read_all("sep=\xff\n\x86", 7, 0, &err);
    assert_non_null(odd);
    assert_int_equal(json_array_size(odd), 2);
    json_decref(odd);
    /* tabs */
    assert_reads("a\tb\n1\t2,5\n", "[[1,\"a\",\"b\"],[2,\"1\",\"2,5\"]]");
}

static void test_malformed(void **state)
{
    (void)state;
    /* a quote left open at the end of the file: the file is refused, the
     * line where the quote opened named */
    const char *open = "name,notes\nAda,ok\nMax,\"never closed\nmore\n";
    assert_refused(open, strlen(open),
                   "line 3: a quote opened on this line is never closed");
    /* UTF-16 (Excel's "Unicode text") is not read as garbage */
    assert_refused("\xFF\xFEn\0a\0", 6, "UTF-16");
    /* text after a closing quote spoils that record only */
    assert_reads("a,b\n\"x\"y,2\n3,4\n", "[[1,\"a\",\"b\"],"
                                         "[2,\"x\",\"2\",\"PROBLEM\"],"
                                         "[3,\"3\",\"4\"]]");
    /* a stray quote inside an unquoted field is text */
    assert_reads("a\n5\" screen\n", "[[1,\"a\"],[2,\"5\\\" screen\"]]");
    /* Latin-1 bytes pass through the reader as bytes (the import refuses
     * them naming the column) */
    rp_error err;
    json_t *got = read_all("a\nJos\xE9\n", 7, 1, &err);
    assert_non_null(got);
    size_t n;
    rp_csv *c = rp_csv_new_memory("a\nJos\xE9\n", 7);
    int ok = 0;
    assert_int_equal(rp_csv_next(c, &ok, &err), RP_OK);
    assert_int_equal(rp_csv_next(c, &ok, &err), RP_OK);
    assert_memory_equal(rp_csv_field(c, 0, &n), "Jos\xE9", 4);
    assert_int_equal(n, 4);
    rp_csv_free(c);
    json_decref(got);
}

static void test_record_too_long(void **state)
{
    (void)state;
    size_t len = RP_CSV_MAX_RECORD + 100;
    char *big = malloc(len);
    memcpy(big, "a\n\"", 3);
    memset(big + 3, 'x', len - 3);
    rp_error err;
    json_t *got = read_all(big, len, 0, &err);
    assert_null(got);
    assert_int_equal(err.code, RP_EINVALID);
    assert_non_null(strstr(err.message, "line 2"));
    assert_non_null(strstr(err.message, "quote left open"));
    free(big);
}

static void test_writing_quotes_what_needs_it(void **state)
{
    (void)state;
    rp_buf b = RP_BUF_INIT;
    const char *fields[] = {"plain",   "a,b",  "say \"hi\"", "two\r\nlines",
                            " padded", "a; b", "",           "Zoë"};
    for (size_t i = 0; i < 8; i++) {
        if (i)
            rp_buf_puts(&b, ",");
        rp_csv_put(&b, fields[i], strlen(fields[i]));
    }
    rp_buf_puts(&b, "\r\n");
    assert_string_equal(rp_buf_str(&b),
                        "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\","
                        "\" padded\",\"a; b\",,Zoë\r\n");
    /* and it reads back as written */
    rp_csv *c = rp_csv_new_memory(rp_buf_str(&b), b.len);
    int got = 0;
    rp_error err;
    assert_int_equal(rp_csv_next(c, &got, &err), RP_OK);
    assert_int_equal(rp_csv_count(c), 8);
    for (size_t i = 0; i < 8; i++)
        assert_string_equal(rp_csv_field(c, i, NULL), fields[i]);
    rp_csv_free(c);
    rp_buf_free(&b);
}

/* ---- the import --------------------------------------------------------- */

static json_t *import(rp_test_db *db, const char *text, json_t *map,
                      int dry_run, rp_code expect)
{
    rp_csv *c = rp_csv_new_memory(text, strlen(text));
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_import_customers(&db->ctx, c, map, dry_run, NULL, &out,
                                     &err);
    rp_csv_free(c);
    if (rc != expect)
        fail_msg("import: %s (%s)", err.message, rp_code_name(rc));
    return out;
}

static int64_t count_customers(rp_test_db *db)
{
    int64_t n = -1;
    rp_error err;
    assert_int_equal(rp_customer_count(&db->ctx, &n, &err), RP_OK);
    return n;
}

static int64_t num(json_t *report, const char *key)
{
    return json_integer_value(json_object_get(report, key));
}

/* Zendesk's user export, with rows that break rules. */
static const char zendesk[] =
    "name,email,external_id,details,notes,phone,role,organization,tags\r\n"
    "Ada Lovelace,ada@example.com,Z1,,Likes tea,+44 20 7946 0000,end-user,,\r\n"
    "\"Weber, Max\",max@example.com,Z2,\"Navy suits\",\"firm on colour,\r\n"
    "flexible on brand\",,end-user,,vip\r\n"
    "Bad Mail,not-an-address,Z3,,,,end-user,,\r\n"
    "Jos\xE9 Latin,jose@example.com,Z4,,,,end-user,,\r\n"
    "Too,few@example.com\r\n"
    ",noname@example.com,Z5,,,,end-user,,\r\n"
    "Zoë Ñúñez,zoe@example.com,Z6,,,,end-user,,\r\n";

static void test_import_zendesk_refusals_and_lines(void **state)
{
    rp_test_db *db = *state;
    json_t *r = import(db, zendesk, NULL, 0, RP_OK);
    assert_int_equal(num(r, "rows"), 7);
    assert_int_equal(num(r, "created"), 3);
    assert_int_equal(num(r, "refused"), 4);
    assert_int_equal(count_customers(db), 3);
    json_t *ref = json_object_get(r, "refusals");
    /* each refusal: its line (the quoted line break counted), the field */
    const struct {
        int line;
        const char *field, *words;
    } want[] = {{5, "emails", "is not an email address"},
                {6, "name", "is not UTF-8 text"},
                {7, NULL, "2 fields where the header has 9"},
                {8, "name", "name is required"}};
    for (size_t i = 0; i < 4; i++) {
        json_t *x = json_array_get(ref, i);
        assert_int_equal(num(x, "line"), want[i].line);
        const char *f = json_string_value(json_object_get(x, "field"));
        if (want[i].field)
            assert_string_equal(f, want[i].field);
        else
            assert_null(f);
        assert_non_null(strstr(json_string_value(json_object_get(x, "reason")),
                               want[i].words));
    }
    /* what went in is whole: details and notes together, the line break */
    json_t *max = NULL;
    rp_error err;
    assert_int_equal(rp_customer_get(&db->ctx, 2, &max, &err), RP_OK);
    assert_string_equal(json_string_value(json_object_get(max, "name")),
                        "Weber, Max");
    assert_string_equal(json_string_value(json_object_get(max, "notes")),
                        "Navy suits\n\nfirm on colour,\r\nflexible on brand");
    assert_string_equal(json_string_value(json_object_get(max, "external_id")),
                        "Z2");
    json_decref(max);
    json_decref(r);
}

static void test_import_twice_creates_nothing_twice(void **state)
{
    rp_test_db *db = *state;
    json_decref(import(db, zendesk, NULL, 0, RP_OK));
    int64_t moments_before = 0;
    rp_error err;
    assert_int_equal(db->store->ops->count(db->store, &RP_ENTITY_MOMENT, NULL,
                                           0, &moments_before, &err),
                     RP_OK);
    json_t *r = import(db, zendesk, NULL, 0, RP_OK);
    assert_int_equal(num(r, "created"), 0);
    assert_int_equal(num(r, "unchanged"), 3);
    assert_int_equal(count_customers(db), 3);
    int64_t moments_after = 0;
    assert_int_equal(db->store->ops->count(db->store, &RP_ENTITY_MOMENT, NULL,
                                           0, &moments_after, &err),
                     RP_OK);
    assert_int_equal(moments_after, moments_before); /* nothing happened */
    json_decref(r);
    /* a changed name and a new address update; found by external id */
    r = import(db,
               "external_id,name,email\n"
               "Z1,Ada King,ada@example.com; countess@example.com\n",
               NULL, 0, RP_OK);
    assert_int_equal(num(r, "updated"), 1);
    json_t *ada = NULL;
    assert_int_equal(rp_customer_get(&db->ctx, 1, &ada, &err), RP_OK);
    assert_string_equal(json_string_value(json_object_get(ada, "name")),
                        "Ada King");
    assert_int_equal(json_array_size(json_object_get(ada, "emails")), 2);
    json_decref(ada);
    json_decref(r);
    /* found by email, however it is written, without an external id */
    r = import(db, "Full Name,Email\nAda King,ADA@Example.com\n", NULL, 0,
               RP_OK);
    assert_int_equal(num(r, "unchanged"), 1);
    assert_int_equal(count_customers(db), 3);
    json_decref(r);
    /* a row naming two customers (Ada's address and Max's) is refused after
     * Ada's row was written: that write is undone, the next row goes in */
    r = import(db,
               "name,email\n"
               "Both,ada@example.com; max@example.com\n"
               "After,after@example.com\n",
               NULL, 0, RP_OK);
    assert_int_equal(num(r, "refused"), 1);
    assert_int_equal(num(r, "created"), 1);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(r, "refusals"), 0), "field")),
        "emails");
    json_decref(r);
    assert_int_equal(rp_customer_get(&db->ctx, 1, &ada, &err), RP_OK);
    assert_string_equal(json_string_value(json_object_get(ada, "name")),
                        "Ada King");
    assert_int_equal(json_array_size(json_object_get(ada, "emails")), 2);
    json_decref(ada);
    assert_int_equal(count_customers(db), 4);
    /* the same address under another external id is refused, not merged */
    r = import(db, "name,email,external_id\nImpostor,ada@example.com,Z99\n",
               NULL, 0, RP_OK);
    assert_int_equal(num(r, "refused"), 1);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(r, "refusals"), 0), "field")),
        "external_id");
    json_decref(r);
}

static void test_import_dry_run_and_fatal_change_nothing(void **state)
{
    rp_test_db *db = *state;
    json_t *r = import(db, zendesk, NULL, 1, RP_OK);
    assert_int_equal(num(r, "created"), 3); /* what a real run would do */
    assert_true(json_is_true(json_object_get(r, "dry_run")));
    assert_int_equal(count_customers(db), 0);
    json_decref(r);
    /* a quote left open at the end: the good rows before it are lost too */
    char *broken = malloc(sizeof zendesk + 64);
    strcpy(broken, zendesk);
    strcat(broken, "Last,last@example.com,Z7,\"open quote,,,,,\r\n");
    assert_null(import(db, broken, NULL, 0, RP_EINVALID));
    assert_int_equal(count_customers(db), 0);
    free(broken);
    /* no column for the name */
    assert_null(import(db, "email\na@example.com\n", NULL, 0, RP_EINVALID));
}

static void test_import_mapping(void **state)
{
    rp_test_db *db = *state;
    json_t *map = json_object();
    rp_error err;
    assert_int_equal(rp_import_map_add(map, "Client=name", &err), RP_OK);
    assert_int_equal(rp_import_map_add(map, "Ref=external_id", &err), RP_OK);
    assert_int_equal(rp_import_map_add(map, "Phone=ignore", &err), RP_OK);
    /* semicolons, a BOM, and columns mapped by hand */
    json_t *r = import(db,
                       "\xEF\xBB\xBF"
                       "Client;Ref;Phone;Shoe size\r\n"
                       "Grace Hopper;R1;not a phone;42\r\n",
                       map, 0, RP_OK);
    assert_int_equal(num(r, "created"), 1);
    assert_string_equal(json_string_value(json_object_get(r, "delimiter")),
                        ";");
    json_t *cols = json_object_get(r, "columns");
    assert_true(json_is_null(
        json_object_get(json_array_get(cols, 2), "field"))); /* ignored */
    assert_false(
        json_is_true(json_object_get(json_array_get(cols, 3), "recognised")));
    json_decref(r);
    /* a map that names no column of the file, or no field */
    json_t *bad = json_object();
    assert_int_equal(rp_import_map_add(bad, "Nope=name", &err), RP_OK);
    assert_null(import(db, "name\nx\n", bad, 0, RP_EINVALID));
    json_object_clear(bad);
    assert_int_equal(rp_import_map_add(bad, "name=shoe_size", &err), RP_OK);
    assert_null(import(db, "name\nx\n", bad, 0, RP_EINVALID));
    assert_int_equal(rp_import_map_add(bad, "no equals sign", &err),
                     RP_EINVALID);
    assert_string_equal(err.field, "map");
    json_decref(bad);
    json_decref(map);
    /* Freshdesk's contact export is recognised by its headers */
    r = import(db,
               "Name,Email,Job Title,Work Phone,Mobile Phone,Twitter ID,"
               "Unique External ID,Company,Description\n"
               "Linus,linus@example.com,Dev,+1 555 0100,+1 555 0101,,F1,,"
               "kernel\n",
               NULL, 0, RP_OK);
    assert_int_equal(num(r, "created"), 1);
    json_decref(r);
    json_t *c = NULL;
    assert_int_equal(rp_customer_get(&db->ctx, 2, &c, &err), RP_OK);
    assert_int_equal(json_array_size(json_object_get(c, "phones")), 2);
    assert_string_equal(json_string_value(json_object_get(c, "external_id")),
                        "F1");
    assert_string_equal(json_string_value(json_object_get(c, "notes")),
                        "kernel");
    json_decref(c);
}

/* ---- the export -----------------------------------------------------------
 */

static void test_export_round_trip(void **state)
{
    rp_test_db *db = *state;
    json_decref(import(db, zendesk, NULL, 0, RP_OK));
    char path[200];
    snprintf(path, sizeof path, "%s/out.csv", db->dir);
    FILE *f = fopen(path, "w+b");
    int64_t rows = 0;
    rp_error err;
    assert_int_equal(
        rp_export(&db->ctx, "customers", RP_EXPORT_CSV, f, &rows, &err), RP_OK);
    assert_int_equal(rows, 3);
    /* the export is on the audit log */
    json_t *q = json_pack("{s:s}", "action", "export"), *log = NULL;
    rp_page_req pr = {.limit = 10};
    assert_int_equal(rp_audit_list(&db->ctx, q, &pr, &log, &err), RP_OK);
    assert_int_equal(json_array_size(json_object_get(log, "items")), 1);
    json_decref(log);
    json_decref(q);
    long size = ftell(f);
    rewind(f);
    char *text = calloc(1, (size_t)size + 1);
    assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    /* into a second desk, whose export is then the same but for times */
    rp_test_db other;
    rp_test_db_make(&other, 1);
    json_t *r = import(&other, text, NULL, 0, RP_OK);
    assert_int_equal(num(r, "created"), 3);
    assert_int_equal(num(r, "refused"), 0);
    json_decref(r);
    for (int64_t id = 1; id <= 3; id++) {
        json_t *a = NULL, *b = NULL;
        assert_int_equal(rp_customer_get(&db->ctx, id, &a, &err), RP_OK);
        assert_int_equal(rp_customer_get(&other.ctx, id, &b, &err), RP_OK);
        static const char *const keys[] = {"name",   "preferred_name",
                                           "emails", "phones",
                                           "notes",  "external_id"};
        for (size_t k = 0; k < 6; k++)
            assert_true(json_equal(json_object_get(a, keys[k]),
                                   json_object_get(b, keys[k])));
        json_decref(a);
        json_decref(b);
    }
    rp_test_db_remove(&other);
    free(text);
    /* JSON Lines: one object per line; an unknown table or format refused */
    f = tmpfile();
    assert_int_equal(
        rp_export(&db->ctx, "moments", RP_EXPORT_JSONL, f, &rows, &err), RP_OK);
    assert_int_equal(rows, 3);
    rewind(f);
    char line[4096];
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        assert_non_null(o);
        assert_string_equal(json_string_value(json_object_get(o, "kind")),
                            "customer.created");
        json_decref(o);
        lines++;
    }
    assert_int_equal(lines, 3);
    assert_int_equal(
        rp_export(&db->ctx, "agents", RP_EXPORT_CSV, f, &rows, &err),
        RP_EINVALID);
    fclose(f);
    rp_export_format fmt;
    assert_int_equal(rp_export_format_parse("xlsx", &fmt, &err), RP_EINVALID);
    assert_string_equal(err.field, "format");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_quoted),
        cmocka_unit_test(test_blank_lines_are_skipped),
        cmocka_unit_test(test_bom_and_dialects),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_record_too_long),
        cmocka_unit_test(test_writing_quotes_what_needs_it),
        cmocka_unit_test_setup_teardown(test_import_zendesk_refusals_and_lines,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_import_twice_creates_nothing_twice,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(
            test_import_dry_run_and_fatal_change_nothing, rp_test_db_setup,
            rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_import_mapping, rp_test_db_setup,
                                        rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_export_round_trip,
                                        rp_test_db_setup, rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
