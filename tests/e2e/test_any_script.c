/*
 * test_any_script.c - text is text, whatever the script: names, subjects,
 * titles and product names at their limits in characters that take two,
 * three or four bytes each (accented letters, the euro sign, CJK, emoji
 * with modifiers and joiners, letters with combining marks) go through
 * every step that quotes them (moments of truth, greetings, routing,
 * recommendations and their notes) and come back byte for byte; and bytes
 * that are not UTF-8 in a path, a query or a body are refused with
 * an error body that names the problem and echoes none of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define EURO "\xe2\x82\xac"     /* U+20AC, three bytes */
#define FRUIT "\xe6\x9e\x9c"    /* U+679C, CJK, three bytes */
#define GRIN "\xf0\x9f\x98\x80" /* U+1F600, four bytes */
#define E_ACUTE "e\xcc\x81"     /* e and a combining acute accent */
#define THUMBS_DARK             /* U+1F44D U+1F3FF, a modified emoji */        \
    "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbf"

/* unit repeated n times (caller frees). */
static long long id_of(json_t *j)
{
    long long id = (long long)json_integer_value(json_object_get(j, "id"));
    assert_true(id > 0);
    json_decref(j);
    return id;
}

/* POST body (a jansson object, stolen) to path expecting 201; the new id. */
static long long create(rp_srv *s, const char *path, json_t *body)
{
    json_t *r = rp_call(s, "POST", path, body, 201);
    json_decref(body);
    return id_of(r);
}

/* Every moment of the customer is whole text; does one of this kind
 * contain want? */
static int moment_has(rp_srv *s, long long cid, const char *kind,
                      const char *want)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments?limit=200",
             cid);
    json_t *page = rp_call(s, "GET", path, NULL, 200);
    int found = 0;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(page, "items"), i, m) {
        const char *text = json_string_value(json_object_get(m, "summary"));
        assert_non_null(text);
        if (!strcmp(json_string_value(json_object_get(m, "kind")), kind) &&
            strstr(text, want))
            found = 1;
    }
    json_decref(page);
    return found;
}

/* A valid 100-character name of euro signs makes a customer (it was 500
 * "cannot build the moment customer.created"), and so do names at their
 * limit in CJK, in four-byte emoji and in letters with combining marks. */
static void test_customer_names_in_any_script(void **state)
{
    rp_srv *s = *state;
    const char *units[] = {EURO, FRUIT, GRIN, E_ACUTE, THUMBS_DARK};
    const int counts[] = {100, 200, 200, 100, 100};
    for (int k = 0; k < 5; k++) {
        char *name = rp_repeat(units[k], counts[k]);
        long long id = create(s, "/api/v1/customers",
                              json_pack("{s:s}", "name", name));
        char path[64];
        snprintf(path, sizeof path, "/api/v1/customers/%lld", id);
        json_t *c = rp_call(s, "GET", path, NULL, 200);
        assert_string_equal(json_string_value(json_object_get(c, "name")),
                            name);
        json_decref(c);
        /* the moment quotes the name, cut (if at all) between characters */
        assert_true(moment_has(s, id, "customer.created", units[k]));
        /* and a change to the same name in another script works too */
        json_t *b = json_pack("{s:s}", "name", name);
        json_decref(rp_call(s, "PATCH", path, b, 200));
        json_decref(b);
        free(name);
    }
}

/* A customer whose preferred name is 100 euro signs can be acknowledged,
 * guided, and served to the end. */
static void test_preferred_name_of_euros_is_greeted(void **state)
{
    rp_srv *s = *state;
    char *pref = rp_repeat(EURO, 100);
    long long cid = create(
        s, "/api/v1/customers",
        json_pack("{s:s, s:s}", "name", "Euro Fan", "preferred_name", pref));
    char *subject = rp_repeat(E_ACUTE, 100);
    long long eid = create(s, "/api/v1/encounters",
                           json_pack("{s:I, s:s, s:s}", "customer_id",
                                     (json_int_t)cid, "channel", "in_person",
                                     "subject", subject));
    char path[96];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/acknowledge", eid);
    json_decref(rp_callf(s, "POST", path, 200, "{}"));
    assert_true(moment_has(s, cid, "encounter.acknowledged", EURO EURO));
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/guide", eid);
    json_t *g = rp_call(s, "GET", path, NULL, 200);
    const char *hello = json_string_value(json_object_get(g, "greeting"));
    assert_non_null(hello);
    assert_non_null(strstr(hello, pref)); /* the whole name, not a cut one */
    json_decref(g);
    free(subject);
    free(pref);
}

/* An agent named with accented letters gets the encounters routed to
 * them, and the routing moment names them whole. */
static void test_agent_with_accents_gets_encounters(void **state)
{
    rp_srv *s = *state;
    char *name = rp_repeat("\xc3\x89lo\xc3\xafse \xc3\x85ngstr\xc3\xb6m-", 12);
    char *skill = rp_repeat("\xc3\xa9", 40);
    char *queue = rp_repeat("\xc5\x81", 100);
    long long agent = create(s, "/api/v1/agents",
                             json_pack("{s:s, s:s, s:s, s:[s]}", "name", name,
                                       "email", "eloise@e2e.example", "role",
                                       "agent", "skills", skill));
    long long q = create(s, "/api/v1/queues",
                         json_pack("{s:s, s:[s], s:[s]}", "name", queue,
                                   "skills", skill, "topics", skill));
    long long cid = create(s, "/api/v1/customers",
                           json_pack("{s:s}", "name", "Zo\xc3\xab"));
    for (int i = 0; i < 3; i++) {
        json_t *b = json_pack("{s:I, s:s, s:s, s:s}", "customer_id",
                              (json_int_t)cid, "channel", "chat", "subject",
                              "Remboursement", "topic", skill);
        json_t *e = rp_call(s, "POST", "/api/v1/encounters", b, 201);
        json_decref(b);
        assert_int_equal(json_integer_value(json_object_get(e, "queue_id")), q);
        assert_int_equal(json_integer_value(json_object_get(e, "agent_id")),
                         agent);
        json_decref(e);
    }
    assert_true(moment_has(s, cid, "encounter.routed", name));
    free(queue);
    free(skill);
    free(name);
}

/* Products named at their limit in other scripts are recommended, with
 * every reason and note quoting them whole. */
static void test_recommendations_in_other_scripts(void **state)
{
    rp_srv *s = *state;
    char *cat = rp_repeat(FRUIT, 60);
    char *tag = rp_repeat(GRIN, 40);
    char *key = rp_repeat("\xd1\x86", 60); /* Cyrillic tse */
    char *value = rp_repeat(E_ACUTE, 100);
    char *title = rp_repeat(THUMBS_DARK, 100);
    char *names[3] = {rp_repeat(FRUIT, 200), rp_repeat(GRIN, 200),
                      rp_repeat(E_ACUTE, 100)};
    long long pids[3];
    for (int i = 0; i < 3; i++) {
        json_t *attrs = json_object();
        json_object_set_new(attrs, key, json_string(value));
        pids[i] = create(s, "/api/v1/products",
                         json_pack("{s:s, s:s, s:i, s:[s], s:o}", "name",
                                   names[i], "category", cat, "stock",
                                   i == 2 ? 0 : 5, "tags", tag, "attributes",
                                   attrs));
    }
    char path[160];
    snprintf(path, sizeof path, "/api/v1/products/%lld", pids[0]);
    json_t *rel = json_pack("{s:[I]}", "related", (json_int_t)pids[1]);
    json_decref(rp_call(s, "PATCH", path, rel, 200));
    json_decref(rel);
    long long cid = create(
        s, "/api/v1/customers",
        json_pack("{s:s}", "name", "\xe7\x8e\x8b\xe8\x8a\xb3"));
    snprintf(path, sizeof path, "/api/v1/customers/%lld/goals", cid);
    create(s, path, json_pack("{s:s, s:[s]}", "title", title, "tags", tag));
    snprintf(path, sizeof path, "/api/v1/customers/%lld/preferences", cid);
    create(s, path,
           json_pack("{s:s, s:s, s:s}", "key", key, "value", value, "firmness",
                     "flexible"));
    snprintf(path, sizeof path, "/api/v1/customers/%lld/recommendations", cid);
    json_t *r = rp_call(s, "GET", path, NULL, 200);
    json_t *items = json_object_get(r, "items");
    assert_int_equal(json_array_size(items), 2);
    int goal_reason = 0;
    size_t i, k;
    json_t *it, *why;
    json_array_foreach(items, i, it) {
        const char *n = json_string_value(
            json_object_get(json_object_get(it, "product"), "name"));
        assert_true(!strcmp(n, names[0]) || !strcmp(n, names[1]));
        json_array_foreach(json_object_get(it, "reasons"), k, why) {
            assert_true(json_is_string(why));
            goal_reason |= strstr(json_string_value(why), title) != NULL;
        }
    }
    assert_true(goal_reason);
    /* the third would suit but is out of stock: the note names it whole */
    json_t *note = json_array_get(json_object_get(r, "notes"), 0);
    assert_non_null(note);
    assert_non_null(strstr(json_string_value(note), names[2]));
    /* reading records nothing; the products shown are recorded on their
     * own, and the moment names them whole */
    assert_false(moment_has(s, cid, "offer.shown", FRUIT FRUIT));
    json_t *ids = json_array();
    json_array_foreach(items, i, it)
        json_array_append(
            ids, json_object_get(json_object_get(it, "product"), "id"));
    json_decref(r);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/recommendations/shown",
             cid);
    json_t *shown = json_pack("{s:o}", "product_ids", ids);
    json_decref(rp_call(s, "POST", path, shown, 200));
    json_decref(shown);
    assert_true(moment_has(s, cid, "offer.shown", FRUIT FRUIT));

    /* a firm wish that nothing in stock meets: the note quotes it whole */
    long long c2 = create(s, "/api/v1/customers",
                          json_pack("{s:s}", "name", "Firm"));
    snprintf(path, sizeof path, "/api/v1/customers/%lld/preferences", c2);
    create(s, path,
           json_pack("{s:s, s:s, s:s}", "key", key, "value", title, "firmness",
                     "firm"));
    snprintf(path, sizeof path,
             "/api/v1/customers/%lld/recommendations?asked=true", c2);
    r = rp_call(s, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(r, "items")), 0);
    note = json_array_get(json_object_get(r, "notes"), 0);
    assert_non_null(note);
    assert_non_null(strstr(json_string_value(note), title));
    json_decref(r);
    for (int j = 0; j < 3; j++)
        free(names[j]);
    free(title);
    free(value);
    free(key);
    free(tag);
    free(cat);
}

/* The error body is JSON naming the problem, and holds only valid UTF-8
 * (jansson refuses to parse anything else). */
static void expect_refusal(rp_srv *s, const char *method, const char *path,
                           const char *ct, const char *body, long status,
                           const char *words)
{
    rp_http r;
    rp_http_send(s, method, path, ct, body, body ? strlen(body) : 0, NULL, &r);
    if (r.status != status || !r.json)
        fail_msg("%s %s: %ld %s", method, path, r.status, r.body ? r.body : "");
    json_t *e = json_object_get(r.json, "error");
    const char *msg = json_string_value(json_object_get(e, "message"));
    assert_non_null(msg);
    if (!strstr(msg, words))
        fail_msg("%s %s: \"%s\" does not say \"%s\"", method, path, msg, words);
    rp_http_free(&r);
}

/* Bytes that are not UTF-8 are refused wherever they come, with a body. */
static void test_invalid_utf8_is_refused_with_a_body(void **state)
{
    rp_srv *s = *state;
    long before = rp_list_count(s, "/api/v1/customers");
    expect_refusal(s, "GET", "/api/v1/customers/%ff", NULL, NULL, 400, "UTF-8");
    expect_refusal(s, "GET", "/api/v1/no%c3where", NULL, NULL, 400, "UTF-8");
    expect_refusal(s, "GET", "/api/v1/customers?q=%e2%82", NULL, NULL, 400,
                   "UTF-8");
    /* a NUL does not cut the path or a value short: it is refused */
    expect_refusal(s, "GET", "/api/v1/customers/1%00x", NULL, NULL, 400, "%00");
    expect_refusal(s, "GET", "/api/v1/customers?q=a%00b", NULL, NULL, 400,
                   "%00");
    expect_refusal(s, "GET", "/api/v1/kb/search?q=%ff%fe", NULL, NULL, 400,
                   "UTF-8");
    expect_refusal(s, "POST", "/api/v1/customers", "application/json",
                   "{\"name\":\"\xff\xfe\"}", 400, "UTF-8");
    expect_refusal(s, "POST", "/api/v1/customers", "application/json",
                   "{\"name\":\"A\",\"x\xc3\":1}", 400, "UTF-8");
    assert_int_equal(rp_list_count(s, "/api/v1/customers"), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_customer_names_in_any_script),
        cmocka_unit_test(test_preferred_name_of_euros_is_greeted),
        cmocka_unit_test(test_agent_with_accents_gets_encounters),
        cmocka_unit_test(test_recommendations_in_other_scripts),
        cmocka_unit_test(test_invalid_utf8_is_refused_with_a_body),
    };
    return cmocka_run_group_tests(tests, rp_srv_fixture_start,
                                  rp_srv_fixture_stop);
}
