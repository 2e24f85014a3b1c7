/*
 * test_knowledge.c - the knowledge base's rules on a real store (SQLite,
 * and PostgreSQL as pg_unit_test_knowledge): drafts are seen by writers
 * only (never found, read, listed, counted in tags or suggested for an
 * agent), publishing sets when, and search finds articles holding some of
 * the words, ranked by how many, and words by their start, while what a
 * person types stays words (no search operator gets through).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static rp_principal agent_p = {.agent_id = 0, .role = 1};
static rp_principal lead_p = {.agent_id = 0, .role = 2};

static int64_t add(rp_ctx *ctx, const char *json)
{
    json_t *in = json_loads(json, 0, NULL), *out = NULL;
    rp_error err;
    assert_non_null(in);
    rp_code rc = rp_kb_article_create(ctx, in, &out, &err);
    if (rc)
        print_message("create: %s\n", err.message);
    assert_int_equal(rc, RP_OK);
    int64_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(in);
    json_decref(out);
    return id;
}

/* The ids found for q, in order, as "1,2,3" ("" when none). */
static void found(rp_ctx *ctx, const char *q, char *ids, size_t n)
{
    json_t *out = NULL;
    rp_error err;
    rp_code rc = rp_kb_search(ctx, q, 20, &out, &err);
    if (rc)
        print_message("search %s: %s\n", q, err.message);
    assert_int_equal(rc, RP_OK);
    size_t i, len = 0;
    json_t *it;
    ids[0] = '\0';
    json_array_foreach(json_object_get(out, "items"), i, it)
        len += (size_t)snprintf(
            ids + len, n - len, "%s%lld", i ? "," : "",
            (long long)json_integer_value(json_object_get(it, "id")));
    json_decref(out);
}

static void expect(rp_ctx *ctx, const char *q, const char *want)
{
    char ids[200], w[200];
    found(ctx, q, ids, sizeof ids);
    snprintf(w, sizeof w, "%s", want);
    if (strcmp(ids, w) != 0)
        print_message("search \"%s\": found [%s], wanted [%s]\n", q, ids, w);
    assert_string_equal(ids, w);
}

static void test_search_some_words_and_prefixes(void **state)
{
    rp_test_db *db = *state;
    rp_ctx *ctx = &db->ctx;
    int64_t dup = add(ctx, "{\"title\":\"Merging duplicate customers\","
                           "\"body\":\"Two profiles for one person: merge "
                           "them from the customer page.\"}");
    int64_t refund = add(ctx, "{\"title\":\"Refund for a late delivery\","
                              "\"body\":\"Apologise, then refund the "
                              "delivery fee to the card.\"}");
    int64_t card = add(ctx, "{\"title\":\"Card declined\",\"body\":\"Ask "
                            "the customer to call their bank.\"}");
    char want[64];
    /* the start of a word finds the word */
    snprintf(want, sizeof want, "%lld", (long long)dup);
    expect(ctx, "dupl", want);
    expect(ctx, "DUPLIC", want);
    /* some of the words: every article holding one; the one with more of
     * them first */
    snprintf(want, sizeof want, "%lld,%lld", (long long)refund,
             (long long)card);
    expect(ctx, "refund card", want);
    snprintf(want, sizeof want, "%lld,%lld", (long long)refund, (long long)dup);
    expect(ctx, "late delivery refund merge", want);
    /* typed operators are words: NOT, a column filter, NEAR, a caret */
    snprintf(want, sizeof want, "%lld", (long long)dup);
    expect(ctx, "NOT dupl*", want);
    expect(ctx, "title: ^dupl NEAR(x", want);
    expect(ctx, "'dupl':* | !x & y", want);
    /* two letters are a word, not a start (they would match half the
     * index); "zz" matches nothing */
    expect(ctx, "zz", "");
    rp_error err;
    json_t *out = NULL;
    assert_int_equal(rp_kb_search(ctx, "\" * ( ) :", 10, &out, &err),
                     RP_EINVALID);
    assert_string_equal(err.field, "q");
}

/* A word more than 1,000 articles hold: the search stays bounded (what is
 * ranked is a pool, not every match) yet an older article holding a rare
 * word asked with it is still found first, and the common word is searched
 * as it stands (not as the start of longer words, which a pool that full
 * has no room for), while a rare start of a word still finds its word. */
static void test_common_word_bounded(void **state)
{
    rp_test_db *db = *state;
    rp_ctx *ctx = &db->ctx;
    rp_error err;
    int64_t old = add(ctx, "{\"title\":\"Zebrafish tank printer\","
                           "\"body\":\"The printer by the zebrafish tank "
                           "jams.\"}");
    assert_int_equal(ctx->store->ops->begin(ctx->store, &err), RP_OK);
    for (int i = 0; i < 1100; i++) {
        char body[128];
        snprintf(body, sizeof body,
                 "{\"title\":\"Printer note %d\",\"body\":\"Restart the "
                 "printer, then try page %d again.\"}",
                 i, i);
        add(ctx, body);
    }
    assert_int_equal(rp_store_finish(ctx->store, RP_OK, &err), RP_OK);
    int64_t less = add(ctx, "{\"title\":\"Printerless offices\","
                            "\"body\":\"Offices that print nothing.\"}");
    char ids[200], want[32];
    /* the rare word's article first, though 1,100 newer ones match */
    found(ctx, "printer zebrafish", ids, sizeof ids);
    snprintf(want, sizeof want, "%lld,", (long long)old);
    assert_memory_equal(ids, want, strlen(want));
    /* a page of the common word, each holding it as it stands */
    json_t *out = NULL;
    assert_int_equal(rp_kb_search(ctx, "printer", 20, &out, &err), RP_OK);
    json_t *items = json_object_get(out, "items"), *it;
    assert_int_equal(json_array_size(items), 20);
    size_t i;
    json_array_foreach(items, i, it) {
        assert_int_not_equal(json_integer_value(json_object_get(it, "id")),
                             less);
        assert_non_null(
            strstr(json_string_value(json_object_get(it, "snippet_html")),
                   "<mark>printer</mark>"));
    }
    json_decref(out);
    /* the start of a rarer word still finds it */
    snprintf(want, sizeof want, "%lld", (long long)less);
    expect(ctx, "printerl", want);
}

/* A word's weight follows the articles: the rarer of two words asked
 * ranks its article first, and when articles change so that the other
 * word becomes the rarer, the order turns at once (SQLite keeps each
 * word's count of articles between searches, and must count again when
 * an article's text changes). */
static void test_word_weights_follow_the_articles(void **state)
{
    rp_test_db *db = *state;
    rp_ctx *ctx = &db->ctx;
    rp_error err;
    int64_t zeta = add(ctx, "{\"title\":\"Note one\","
                            "\"body\":\"zeta filler filler\"}");
    int64_t kappa = add(ctx, "{\"title\":\"Note two\","
                             "\"body\":\"kappa filler filler\"}");
    int64_t others[3];
    for (int i = 0; i < 3; i++)
        others[i] = add(ctx, "{\"title\":\"Note three\","
                             "\"body\":\"zeta other other\"}");
    char ids[200], want[64];
    /* zeta is in four articles, kappa in one: kappa's article first */
    found(ctx, "zeta kappa", ids, sizeof ids);
    snprintf(want, sizeof want, "%lld,%lld,", (long long)kappa,
             (long long)zeta);
    assert_memory_equal(ids, want, strlen(want));
    for (int i = 0; i < 3; i++) {
        json_t *in = json_pack("{s:s}", "body", "kappa other other"), *out;
        assert_int_equal(rp_kb_article_update(ctx, others[i], in, &out, &err),
                         RP_OK);
        json_decref(in);
        json_decref(out);
    }
    /* now kappa is in four and zeta in one: zeta's article first */
    found(ctx, "zeta kappa", ids, sizeof ids);
    snprintf(want, sizeof want, "%lld,", (long long)zeta);
    assert_memory_equal(ids, want, strlen(want));
    /* and the others are no longer found by the word they lost */
    snprintf(want, sizeof want, "%lld", (long long)zeta);
    expect(ctx, "zeta", want);
}

static void test_drafts_for_writers_only(void **state)
{
    rp_test_db *db = *state;
    rp_ctx *ctx = &db->ctx;
    rp_error err;
    int64_t pub = add(ctx, "{\"title\":\"Opening hours\",\"body\":\"Monday "
                           "to Friday.\",\"tags\":[\"shop\"]}");
    int64_t draft = add(ctx, "{\"title\":\"Duplicate invoices\",\"body\":"
                             "\"Cancel the second invoice.\",\"tags\":"
                             "[\"billing\",\"shop\"],\"state\":\"draft\"}");
    json_t *a = NULL;
    assert_int_equal(rp_kb_article_get(ctx, draft, &a, &err), RP_OK);
    assert_string_equal(json_string_value(json_object_get(a, "state")),
                        "draft");
    assert_true(json_is_null(json_object_get(a, "published_at")));
    json_decref(a);
    assert_int_equal(rp_kb_article_get(ctx, pub, &a, &err), RP_OK);
    assert_string_equal(json_string_value(json_object_get(a, "state")),
                        "published");
    assert_true(json_is_string(json_object_get(a, "published_at")));
    json_decref(a);

    /* a lead finds and reads the draft */
    ctx->viewer = &lead_p;
    char want[32];
    snprintf(want, sizeof want, "%lld", (long long)draft);
    expect(ctx, "invoice", want);
    assert_int_equal(rp_kb_article_get(ctx, draft, &a, &err), RP_OK);
    json_decref(a);
    json_t *tags = NULL;
    assert_int_equal(rp_kb_tags(ctx, &tags, &err), RP_OK);
    assert_int_equal(json_array_size(json_object_get(tags, "items")), 2);
    json_t *first = json_array_get(json_object_get(tags, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "tag")),
                        "shop");
    assert_int_equal(json_integer_value(json_object_get(first, "articles")), 2);
    json_decref(tags);
    rp_page_req page = {.limit = 10, .after_id = 0};
    json_t *list = NULL;
    assert_int_equal(rp_kb_article_list(ctx, NULL, "draft", &page, &list, &err),
                     RP_OK);
    assert_int_equal(json_array_size(json_object_get(list, "items")), 1);
    json_decref(list);

    /* an agent does not: not found, not read, not listed, not counted */
    ctx->viewer = &agent_p;
    expect(ctx, "invoice", "");
    assert_int_equal(rp_kb_article_get(ctx, draft, &a, &err), RP_ENOTFOUND);
    assert_string_equal(err.field, "id");
    assert_int_equal(rp_kb_article_list(ctx, NULL, NULL, &page, &list, &err),
                     RP_OK);
    assert_int_equal(json_array_size(json_object_get(list, "items")), 1);
    json_decref(list);
    assert_int_equal(
        rp_kb_article_list(ctx, "billing", NULL, &page, &list, &err), RP_OK);
    assert_int_equal(json_array_size(json_object_get(list, "items")), 0);
    json_decref(list);
    assert_int_equal(rp_kb_article_list(ctx, NULL, "draft", &page, &list, &err),
                     RP_EFORBIDDEN);
    assert_int_equal(rp_kb_tags(ctx, &tags, &err), RP_OK);
    assert_int_equal(json_array_size(json_object_get(tags, "items")), 1);
    json_decref(tags);

    /* never suggested, even to a lead */
    ctx->viewer = NULL;
    json_t *cust = NULL, *enc = NULL, *in;
    in = json_pack("{s:s}", "name", "Ida Brandt");
    assert_int_equal(rp_customer_create(ctx, in, &cust, &err), RP_OK);
    json_decref(in);
    in = json_pack("{s:I, s:s, s:s}", "customer_id",
                   (json_int_t)json_integer_value(json_object_get(cust, "id")),
                   "channel", "email", "subject",
                   "Duplicate invoice for my order");
    assert_int_equal(rp_encounter_open(ctx, in, &enc, &err), RP_OK);
    json_decref(in);
    ctx->viewer = &lead_p;
    json_t *sugg = NULL;
    assert_int_equal(
        rp_kb_suggest(ctx, json_integer_value(json_object_get(enc, "id")),
                      &sugg, &err),
        RP_OK);
    assert_int_equal(json_array_size(json_object_get(sugg, "items")), 0);
    json_decref(sugg);

    /* published: the agent finds it by the start of a word; published_at
     * is set once and kept when it goes back to a draft and out again */
    in = json_pack("{s:s}", "state", "published");
    assert_int_equal(rp_kb_article_update(ctx, draft, in, &a, &err), RP_OK);
    json_decref(in);
    const char *at = json_string_value(json_object_get(a, "published_at"));
    assert_non_null(at);
    char first_at[40];
    snprintf(first_at, sizeof first_at, "%s", at);
    json_decref(a);
    ctx->viewer = &agent_p;
    expect(ctx, "dupl", want);
    assert_int_equal(
        rp_kb_suggest(ctx, json_integer_value(json_object_get(enc, "id")),
                      &sugg, &err),
        RP_OK);
    assert_int_equal(json_array_size(json_object_get(sugg, "items")), 1);
    json_decref(sugg);
    ctx->viewer = NULL;
    rp_clock_pin(rp_now() + 3600);
    in = json_pack("{s:s}", "state", "draft");
    assert_int_equal(rp_kb_article_update(ctx, draft, in, &a, &err), RP_OK);
    json_decref(in);
    json_decref(a);
    in = json_pack("{s:s}", "state", "published");
    assert_int_equal(rp_kb_article_update(ctx, draft, in, &a, &err), RP_OK);
    json_decref(in);
    assert_string_equal(json_string_value(json_object_get(a, "published_at")),
                        first_at);
    json_decref(a);

    /* a state that is not one is refused, naming the field; nothing
     * changes */
    in = json_pack("{s:s}", "state", "hidden");
    assert_int_equal(rp_kb_article_update(ctx, draft, in, &a, &err),
                     RP_EINVALID);
    assert_string_equal(err.field, "state");
    json_decref(in);
    in = json_pack("{s:n}", "state");
    assert_int_equal(rp_kb_article_update(ctx, draft, in, &a, &err),
                     RP_EINVALID);
    json_decref(in);
    assert_int_equal(rp_kb_article_get(ctx, draft, &a, &err), RP_OK);
    assert_string_equal(json_string_value(json_object_get(a, "state")),
                        "published");
    json_decref(a);
    json_decref(cust);
    json_decref(enc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_search_some_words_and_prefixes,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_common_word_bounded,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_word_weights_follow_the_articles,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_drafts_for_writers_only,
                                        rp_test_db_setup, rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
