/*
 * test_kb_marks.c - the SQLite knowledge search's own rank and marks
 * against FTS5's: rp_bm25 gives bm25's figures (counted, then kept), and
 * rp_kb_highlight and rp_kb_snippet give what highlight() and snippet()
 * give, on articles made through the core whose text has accents, other
 * scripts, words FTS5 cuts in two ("don’t"), sentences, long bodies and
 * short ones, for single words, starts of words and several words (the
 * queries the core writes).  A difference names the query and the row.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "store/sqlite_internal.h"

static const char *const articles[][2] = {
    {"Printer jams", "The printer jams on thick paper. Open the tray: "
                     "remove the paper, then print again."},
    {"Café printing", "Naïve users print from the café's printer; the "
                      "printed pages come out blank. Über-long jobs wait."},
    {"Don’t duplicate refunds",
     "A refund must not be duplicated. Don’t refund twice: check the "
     "duplicate list first, then refund the rest. Refunds made twice are "
     "refunded back by the bank, which takes days. Straße addresses work."},
    {"東京 office", "東京 の プリンタ. 日本語 printer manual: see page 4."},
    {"Short", "Print."},
    {"Long notes",
     "one two three four five six seven eight nine ten eleven twelve "
     "thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty. "
     "printer twenty-one twenty-two: printer twenty-three twenty-four "
     "twenty-five twenty-six twenty-seven twenty-eight twenty-nine thirty "
     "thirty-one printer thirty-two thirty-three thirty-four thirty-five "
     "thirty-six thirty-seven thirty-eight thirty-nine forty paper"},
    {"Wi-fi and e-mail", "  Wi-fi drops; e-mail waits.\nRestart the wi-fi "
                         "box, then the printer, then paper feeds."},
};

static const char *const queries[] = {
    "\"printer\"",
    "\"print\"*",
    "\"paper\" OR \"printer\"*",
    "\"naïve\"",
    "\"naive\"",
    "\"café\"*",
    "\"don’t\"",
    "\"dupl\"* OR \"refund\"",
    "\"東京\"",
    "\"日本語\"*",
    "\"wi\" OR \"fi\"*",
    "\"straße\"",
    "\"twenty\" OR \"thirty\"* OR \"printer\"",
    "\"the\" OR \"then\"",
};

static int same_text(const unsigned char *a, const unsigned char *b)
{
    return (!a && !b) ||
           (a && b && strcmp((const char *)a, (const char *)b) == 0);
}

/* The articles above, written through the core as an author would. */
static void add_articles(rp_test_db *db)
{
    for (size_t i = 0; i < sizeof articles / sizeof articles[0]; i++) {
        json_t *in = json_pack("{s:s, s:s}", "title", articles[i][0], "body",
                               articles[i][1]),
               *out = NULL;
        rp_error err;
        assert_int_equal(rp_kb_article_create(&db->ctx, in, &out, &err), RP_OK);
        json_decref(in);
        json_decref(out);
    }
}

static void test_rank_and_marks_are_fts5s(void **state)
{
    rp_test_db *db = *state;
    if (db->pg)
        skip(); /* SQLite's functions; PostgreSQL ranks and marks in SQL */
    add_articles(db);
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db->path, &raw), SQLITE_OK);
    assert_int_equal(rp_sqlite_rank_register(raw), SQLITE_OK);
    assert_int_equal(rp_sqlite_marks_register(raw), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(
            raw,
            "SELECT kb_fts.rowid,"
            " highlight(kb_fts, 0, '[', ']'),"
            " rp_kb_highlight(a.title, ?1, '[', ']'),"
            " snippet(kb_fts, 1, '[', ']', '...', 24),"
            " rp_kb_snippet(a.body, ?1, '[', ']', '...', 24),"
            " bm25(kb_fts, 5.0, 1.0, 3.0),"
            " rp_bm25(kb_fts, ?1, (SELECT version FROM kb_fts_version"
            "  WHERE id = 1), d.sz, 5.0, 1.0, 3.0)"
            " FROM kb_fts JOIN kb_articles a ON a.id = kb_fts.rowid"
            " LEFT JOIN kb_fts_docsize d ON d.id = kb_fts.rowid"
            " WHERE kb_fts MATCH ?1 ORDER BY kb_fts.rowid",
            -1, &st, NULL),
        SQLITE_OK);
    int failed = 0;
    /* twice: the second time rp_bm25's counts are the kept ones */
    for (int round = 0; round < 2; round++)
        for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
            sqlite3_bind_text(st, 1, queries[q], -1, SQLITE_STATIC);
            int rows = 0;
            while (sqlite3_step(st) == SQLITE_ROW) {
                rows++;
                long long id = sqlite3_column_int64(st, 0);
                for (int c = 1; c <= 3; c += 2)
                    if (!same_text(sqlite3_column_text(st, c),
                                   sqlite3_column_text(st, c + 1))) {
                        print_error("%s, article %lld: FTS5 gives\n  %s\n"
                                    "rp_kb_%s gives\n  %s\n",
                                    queries[q], id, sqlite3_column_text(st, c),
                                    c == 1 ? "highlight" : "snippet",
                                    sqlite3_column_text(st, c + 1));
                        failed++;
                    }
                double bm25 = sqlite3_column_double(st, 5),
                       ours = sqlite3_column_double(st, 6);
                if (fabs(bm25 - ours) > 1e-12 * (1 + fabs(bm25))) {
                    print_error("%s, article %lld: bm25 %.17g, rp_bm25 "
                                "%.17g\n",
                                queries[q], id, bm25, ours);
                    failed++;
                }
            }
            sqlite3_reset(st);
            if (rows == 0) {
                print_error("%s finds no article: nothing compared\n",
                            queries[q]);
                failed++;
            }
        }
    sqlite3_finalize(st);
    sqlite3_close(raw);
    assert_int_equal(failed, 0);
}

/* The articles matching query (as rp_kb_match makes it when matched is
 * set, else as it is) in rowid order, each with rp_bm25's rank (counted
 * afresh when not matched; bm25's figures, the test above checks):
 * "id:rank id:rank ...". */
static void ranked(sqlite3 *raw, const char *query, int matched, char *out,
                   size_t n)
{
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(
            raw,
            matched
                ? "SELECT kb_fts.rowid, rp_bm25(kb_fts, ?1, (SELECT version"
                  "  FROM kb_fts_version WHERE id = 1), d.sz, 5.0, 1.0, 3.0)"
                  " FROM kb_fts LEFT JOIN kb_fts_docsize d"
                  "  ON d.id = kb_fts.rowid"
                  " WHERE kb_fts MATCH rp_kb_match(?1, (SELECT version FROM"
                  "  kb_fts_version WHERE id = 1)) ORDER BY kb_fts.rowid"
                : "SELECT kb_fts.rowid, rp_bm25(kb_fts, ?1, NULL, d.sz,"
                  "  5.0, 1.0, 3.0)"
                  " FROM kb_fts LEFT JOIN kb_fts_docsize d"
                  "  ON d.id = kb_fts.rowid"
                  " WHERE kb_fts MATCH ?1 ORDER BY kb_fts.rowid",
            -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
    size_t len = 0;
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW && len < n)
        len += (size_t)snprintf(out + len, n - len, "%lld:%.17g ",
                                (long long)sqlite3_column_int64(st, 0),
                                sqlite3_column_double(st, 1));
    sqlite3_finalize(st);
}

/* What rp_kb_match makes of query, at the index's version. */
static void matched_as(sqlite3 *raw, const char *query, char *out, size_t n)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(raw,
                                        "SELECT rp_kb_match(?1, version) FROM"
                                        " kb_fts_version WHERE id = 1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* A start of a word is matched as the index's words that start so, and
 * the same articles come with the same rank as when the start of the word
 * is matched (to the last bit); a start of more than eight words, or of
 * none, stays as it is; a new word is in the list once an article holds
 * it. */
static void test_starts_of_words_matched_as_words(void **state)
{
    rp_test_db *db = *state;
    if (db->pg)
        skip(); /* SQLite's function; PostgreSQL matches prefixes itself */
    add_articles(db);
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db->path, &raw), SQLITE_OK);
    assert_int_equal(rp_sqlite_rank_register(raw), SQLITE_OK);
    char as[400], want[4000], ours[4000];
    /* "print"* is "print" (print, printed, printing) and "printer" */
    matched_as(raw, "\"print\"*", as, sizeof as);
    assert_string_equal(as, "\"print\" OR \"printer\"");
    matched_as(raw, "\"paper\" OR \"dupl\"* OR \"zzz\"* OR \"t\"*", as,
               sizeof as);
    assert_string_equal(as, "\"paper\" OR \"duplic\" OR \"zzz\"* OR \"t\"*");
    static const char *const queries2[] = {
        "\"print\"*",
        "\"dupl\"* OR \"print\"*",
        "\"refund\"* OR \"paper\"",
        "\"t\"* OR \"print\"*",
        "\"twent\"*",
        "\"café\"* OR \"thirt\"*",
    };
    int failed = 0;
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            /* a new word under "print": matched from the next search on */
            json_t *in = json_pack("{s:s, s:s}", "title", "Printouts", "body",
                                   "printouts of the printer"),
                   *out = NULL;
            rp_error err;
            assert_int_equal(rp_kb_article_create(&db->ctx, in, &out, &err),
                             RP_OK);
            json_decref(in);
            json_decref(out);
            matched_as(raw, "\"print\"*", as, sizeof as);
            assert_string_equal(as, "\"print\" OR \"printer\" OR \"printout\"");
        }
        for (size_t q = 0; q < sizeof queries2 / sizeof queries2[0]; q++) {
            ranked(raw, queries2[q], 0, want, sizeof want);
            ranked(raw, queries2[q], 1, ours, sizeof ours);
            if (strcmp(want, ours) != 0 || !want[0]) {
                print_error("%s: as it is\n  %s\nmatched as words\n  %s\n",
                            queries2[q], want, ours);
                failed++;
            }
        }
    }
    sqlite3_close(raw);
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rank_and_marks_are_fts5s,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_starts_of_words_matched_as_words,
                                        rp_test_db_setup, rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
