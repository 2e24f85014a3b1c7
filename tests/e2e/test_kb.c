/*
 * test_kb.c - the knowledge base: FTS5 search ranked by bm25 and by
 * helpfulness votes, highlighted and escaped snippets, some of the words
 * and the start of a word enough to find an article, safe handling of
 * query syntax typed by people, edits kept in the index, and suggestions
 * for an encounter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static long long id_of(json_t *j)
{
    long long id = (long long)json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    return id;
}

static json_t *search(rp_srv *s, const char *q_escaped, long status)
{
    char path[300];
    snprintf(path, sizeof path, "/api/v1/kb/search?q=%s", q_escaped);
    return rp_call(s, "GET", path, NULL, status);
}

static long long item_id(json_t *res, size_t i)
{
    return (long long)json_integer_value(json_object_get(
        json_array_get(json_object_get(res, "items"), i), "id"));
}

static void test_kb_search_rank_snippets_and_votes(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    char lead[160], admin[160];
    memcpy(admin, s.token, sizeof admin);
    rp_srv_token_for(&s, "lead", lead, sizeof lead);
    snprintf(s.token, sizeof s.token, "%s", lead);
    long long refund = id_of(rp_callf(
        &s, "POST", "/api/v1/kb/articles", 201,
        "{\"title\":\"Refund for a late delivery\",\"body\":\"When a delivery "
        "is late, apologise and offer a refund of the delivery fee.  The "
        "refund reaches the card in three days.\",\"tags\":[\"billing\"]}"));
    long long address = id_of(rp_callf(
        &s, "POST", "/api/v1/kb/articles", 201,
        "{\"title\":\"Changing the delivery address\",\"body\":\"Before the "
        "parcel ships the address can change; after that a refund & a new "
        "order <b>are</b> simpler.  Never promise what you cannot keep.\"}"));
    long long kettle = id_of(rp_callf(
        &s, "POST", "/api/v1/kb/articles", 201,
        "{\"title\":\"Warranty claim kettle\",\"body\":\"Ask for the receipt "
        "and the serial number.\"}"));
    long long toaster = id_of(rp_callf(
        &s, "POST", "/api/v1/kb/articles", 201,
        "{\"title\":\"Warranty claim toaster\",\"body\":\"Ask for the receipt "
        "and the serial number.\"}"));
    /* the search index is internal: the table (PostgreSQL: the articles'
     * generated column) shows it kept up */
    assert_int_equal(rp_e2e_pg() ? rp_db_number(&s, "SELECT count(*) FROM"
                                                    " kb_articles WHERE"
                                                    " search != ''")
                                 : rp_db_count(&s, "kb_fts"),
                     4);

    /* A title match ranks above a passing mention in the body; matches are
     * marked, the rest of the text is escaped. */
    json_t *res = search(&s, "refunds", 200); /* porter stemming */
    assert_int_equal(json_array_size(json_object_get(res, "items")), 2);
    assert_int_equal(item_id(res, 0), refund);
    assert_int_equal(item_id(res, 1), address);
    json_t *first = json_array_get(json_object_get(res, "items"), 0);
    assert_non_null(
        strstr(json_string_value(json_object_get(first, "title_html")),
               "<mark>Refund</mark>"));
    assert_non_null(
        strstr(json_string_value(json_object_get(first, "snippet_html")),
               "<mark>refund</mark>"));
    assert_true(
        json_real_value(json_object_get(first, "score")) >
        json_real_value(json_object_get(
            json_array_get(json_object_get(res, "items"), 1), "score")));
    json_t *second = json_array_get(json_object_get(res, "items"), 1);
    const char *snip = json_string_value(
        json_object_get(second, "snippet_html"));
    assert_null(strstr(snip, "<b>"));
    assert_non_null(strstr(snip, "&lt;b&gt;are&lt;/b&gt;"));
    assert_non_null(strstr(snip, "&amp;"));
    json_decref(res);
    /* Some of the words are enough; the article with all of them first. */
    res = search(&s, "refund%20card", 200);
    assert_int_equal(json_array_size(json_object_get(res, "items")), 2);
    assert_int_equal(item_id(res, 0), refund);
    json_decref(res);
    /* The start of a word finds the word. */
    res = search(&s, "warr", 200);
    assert_int_equal(json_array_size(json_object_get(res, "items")), 2);
    json_decref(res);

    /* Query syntax typed by a person is only words: no error, no
     * injection ("OR", "title", "NEAR" are words to look for). */
    res = search(&s, "refund%22%20OR%20title%3A*%20NEAR(", 200);
    assert_int_equal(json_array_size(json_object_get(res, "items")), 2);
    json_decref(res);
    res = search(&s, "late%20-delivery", 200);
    assert_int_equal(json_array_size(json_object_get(res, "items")), 2);
    assert_int_equal(item_id(res, 0), refund);
    json_decref(res);
    rp_http r;
    rp_http_send(&s, "GET", "/api/v1/kb/search?q=%22%22%20%2A", NULL, NULL, 0,
                 NULL, &r);
    rp_assert_error(&r, 422, "invalid", "q");
    rp_http_free(&r);
    rp_http_send(&s, "GET", "/api/v1/kb/search", NULL, NULL, 0, NULL, &r);
    rp_assert_error(&r, 422, "invalid", "q");
    rp_http_free(&r);

    /* Equal text: the older article first; helpfulness votes turn that. */
    res = search(&s, "warranty", 200);
    assert_int_equal(item_id(res, 0), kettle);
    assert_int_equal(item_id(res, 1), toaster);
    json_decref(res);
    char path[100];
    snprintf(s.token, sizeof s.token, "%s", admin);
    long long cid = id_of(rp_callf(&s, "POST", "/api/v1/customers", 201,
                                   "{\"name\":\"Otto Krause\"}"));
    char body[200];
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"phone\",\"subject\":"
             "\"Kettle stopped working, warranty claim\"}",
             cid);
    long long enc = id_of(
        rp_callf(&s, "POST", "/api/v1/encounters", 201, body));
    snprintf(path, sizeof path, "/api/v1/kb/articles/%lld/feedback", toaster);
    for (int i = 0; i < 3; i++) {
        json_t *a = rp_callf(&s, "POST", path, 201, "{\"helped\":true}");
        assert_int_equal(json_integer_value(json_object_get(a, "helped")),
                         i + 1);
        json_decref(a);
    }
    snprintf(path, sizeof path, "/api/v1/kb/articles/%lld/feedback", kettle);
    snprintf(body, sizeof body, "{\"helped\":false,\"encounter_id\":%lld}",
             enc);
    json_decref(rp_callf(&s, "POST", path, 201, body));
    res = search(&s, "warranty", 200);
    assert_int_equal(item_id(res, 0), toaster);
    assert_int_equal(item_id(res, 1), kettle);
    json_decref(res);
    /* Feedback on an encounter is a moment of truth of that customer. */
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments", cid);
    json_t *m = rp_call(&s, "GET", path, NULL, 200);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(m, "items"), 0), "kind")),
        "kb.feedback");
    json_decref(m);
    snprintf(path, sizeof path, "/api/v1/kb/articles/%lld/feedback", kettle);
    rp_http_send(&s, "POST", path, "application/json",
                 "{\"helped\":true,\"encounter_id\":999999}", 37, NULL, &r);
    rp_assert_error(&r, 422, "invalid", "encounter_id");
    rp_http_free(&r);
    rp_http_send(&s, "POST", path, "application/json", "{\"helped\":\"yes\"}",
                 16, NULL, &r);
    rp_assert_error(&r, 400, "wrong_type", "helped");
    rp_http_free(&r);
    /* feedback is not listed by any endpoint */
    assert_int_equal(rp_db_count(&s, "kb_feedback"), 4);

    /* Suggestions come from what the encounter recorded. */
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/kb_suggestions", enc);
    res = rp_call(&s, "GET", path, NULL, 200);
    assert_true(json_array_size(json_object_get(res, "items")) >= 1);
    assert_int_equal(item_id(res, 0), kettle); /* "kettle" and "warranty" */
    json_decref(res);

    /* An edit is searchable at once, and the old words are gone. */
    snprintf(s.token, sizeof s.token, "%s", lead);
    snprintf(path, sizeof path, "/api/v1/kb/articles/%lld", address);
    json_decref(rp_callf(&s, "PATCH", path, 200,
                         "{\"title\":\"Redirecting a parcel\",\"body\":\"Call "
                         "the courier.\"}"));
    res = search(&s, "courier", 200);
    assert_int_equal(item_id(res, 0), address);
    json_decref(res);
    res = search(&s, "refund", 200);
    assert_int_equal(json_array_size(json_object_get(res, "items")), 1);
    json_decref(res);
    /* PostgreSQL counts the articles that hold each word, for the rank (the
     * empty word counts all articles): the edit moved its words' counts */
    if (rp_e2e_pg()) {
        assert_int_equal(rp_db_number(&s, "SELECT articles FROM kb_terms"
                                          " WHERE term = 'refund'"),
                         1);
        assert_int_equal(rp_db_number(&s, "SELECT articles FROM kb_terms"
                                          " WHERE term = 'courier'"),
                         1);
        assert_int_equal(rp_db_number(&s, "SELECT count(*) FROM kb_terms"
                                          " WHERE term = 'parcel'"),
                         1);
        assert_int_equal(rp_db_number(&s, "SELECT count(*) FROM kb_terms"
                                          " WHERE term = 'ship'"),
                         0);
        assert_int_equal(rp_db_number(&s, "SELECT articles FROM kb_terms"
                                          " WHERE term = ''"),
                         4);
    }
    json_t *a = rp_call(&s, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(a, "title")),
                        "Redirecting a parcel");
    json_decref(a);
    rp_http_send(&s, "POST", "/api/v1/kb/articles", "application/json",
                 "{\"title\":\"\",\"body\":\"x\"}", 23, NULL, &r);
    rp_assert_error(&r, 422, "invalid", "title");
    rp_http_free(&r);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

/* `rapport demo` brings queues and know-how; new encounters are routed. */
static void test_demo_knowledge_and_queues(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    char *out = NULL;
    assert_int_equal(rp_cli(&s, &out, "demo", NULL), 0);
    assert_non_null(strstr(out, "knowledge articles"));
    free(out);
    assert_int_equal(rp_cli(&s, &out, "demo", NULL), 0); /* twice: no more */
    free(out);
    /* articles are found by search, not listed: count the table */
    assert_int_equal(rp_db_count(&s, "kb_articles"), 7);
    assert_int_equal(rp_list_count(&s, "/api/v1/queues"), 3);
    json_t *res = search(&s, "seedless%20watermelon", 200);
    assert_int_equal(json_array_size(json_object_get(res, "items")), 1);
    json_decref(res);
    json_t *e = rp_callf(&s, "POST", "/api/v1/encounters", 201,
                         "{\"customer_id\":1,\"channel\":\"phone\","
                         "\"subject\":\"Waited 30 minutes and was cut off\"}");
    assert_int_equal(json_integer_value(json_object_get(e, "agent_id")),
                     s.admin_id);
    char path[80];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/kb_suggestions",
             (long long)json_integer_value(json_object_get(e, "id")));
    json_decref(e);
    res = rp_call(&s, "GET", path, NULL, 200);
    const char *title = json_string_value(json_object_get(
        json_array_get(json_object_get(res, "items"), 0), "title"));
    assert_non_null(title);
    assert_non_null(strstr(title, "Long waits"));
    json_decref(res);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kb_search_rank_snippets_and_votes),
        cmocka_unit_test(test_demo_knowledge_and_queues),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
