/*
 * test_profile.c - preferences, goals, dates, consents, the
 * catalogue and recommendations end to end through a real rapportd and
 * the CLI as a second process.
 *
 * Seed stories replayed: 1, third kind (the juice maker is offered
 * starfruit, apple and honey melon), 2 (Max: firm colour and style,
 * flexible brand; the suit is out of stock and nothing of another colour
 * or style is offered), 3 (the aspirin: nothing pushed on a quick,
 * transactional customer unless asked).
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* The scheduler thread stays off: these tests run it themselves. */
static int setup(void **state)
{
    setenv("RAPPORT_SCHEDULER_INTERVAL", "0", 1);
    return rp_srv_fixture_start(state);
}

static json_int_t id_of(json_t *j)
{
    json_int_t id = json_integer_value(json_object_get(j, "id"));
    assert_true(id > 0);
    json_decref(j);
    return id;
}

static json_int_t post(rp_srv *s, const char *path, const char *json)
{
    return id_of(rp_callf(s, "POST", path, 201, json));
}

static void expect_error(rp_srv *s, const char *method, const char *path,
                         const char *body, long status, const char *code,
                         const char *field)
{
    rp_http h;
    rp_http_send(s, method, path, "application/json", body, strlen(body), NULL,
                 &h);
    rp_assert_error(&h, status, code, field);
    rp_http_free(&h);
}

/* Close encounter e through the interaction cycle: the customer knew what
 * she wanted, got it, and nothing more was asked. */
static void close_quickly(rp_srv *s, json_int_t e)
{
    static const char *const steps[][2] = {
        {"acknowledge", "{}"},
        {"advance",
         "{\"to\":\"understood\",\"facts\":\"Knows what she wants\"}"},
        {"advance", "{\"to\":\"helped\",\"agreement\":\"Sold as asked\"}"},
        {"advance", "{\"to\":\"kept\"}"},
        {"advance", "{\"to\":\"closed\",\"satisfaction_skip_reason\":"
                    "\"a quick purchase\"}"},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        char path[96];
        snprintf(path, sizeof path, "/api/v1/encounters/%lld/%s", (long long)e,
                 steps[i][0]);
        json_decref(rp_callf(s, "POST", path, 200, steps[i][1]));
    }
}

static void test_profile_crud_validation_and_moments(void **state)
{
    rp_srv *s = *state;
    json_int_t max = post(s, "/api/v1/customers",
                          "{\"name\":\"Maximilian Weber\",\"preferred_name\":"
                          "\"Max\"}");
    char base[100], path[160];
    snprintf(base, sizeof base, "/api/v1/customers/%lld", (long long)max);

    snprintf(path, sizeof path, "%s/preferences", base);
    json_int_t colour = post(s, path,
                             "{\"key\":\"colour\",\"value\":\"navy\","
                             "\"firmness\":\"firm\"}");
    expect_error(s, "POST", path,
                 "{\"key\":\"style\",\"value\":\"x\","
                 "\"firmness\":\"very\"}",
                 422, "invalid", "firmness");
    expect_error(s, "POST", path, "{\"key\":\"style\",\"value\":\"x\"}", 422,
                 "invalid", "firmness");
    expect_error(s, "POST", path,
                 "{\"key\":\"style\",\"value\":7,"
                 "\"firmness\":\"firm\"}",
                 400, "wrong_type", "value");
    expect_error(s, "POST", path,
                 "{\"key\":\"style\",\"value\":\"x\","
                 "\"firmness\":\"firm\",\"colour\":1}",
                 422, "invalid", "colour");
    /* the same key again changes it: one preference per key */
    json_t *p = rp_callf(s, "POST", path, 201,
                         "{\"key\":\"colour\",\"value\":\"navy blue\","
                         "\"firmness\":\"firm\"}");
    assert_int_equal(json_integer_value(json_object_get(p, "id")), colour);
    json_decref(p);
    snprintf(path, sizeof path, "%s/preferences/%lld", base, (long long)colour);
    p = rp_callf(s, "PATCH", path, 200, "{\"value\":\"navy\"}");
    assert_string_equal(json_string_value(json_object_get(p, "value")), "navy");
    json_decref(p);
    expect_error(s, "PATCH", path, "{\"key\":\"hue\"}", 422, "invalid", "key");

    snprintf(path, sizeof path, "%s/goals", base);
    json_int_t goal = post(s, path,
                           "{\"title\":\"Look sharp at the wedding\","
                           "\"tags\":[\"Wedding\"]}");
    expect_error(s, "POST", path, "{\"tags\":[\"x\"]}", 422, "invalid",
                 "title");
    expect_error(s, "POST", path, "{\"title\":\"t\",\"status\":\"won\"}", 422,
                 "invalid", "status");
    snprintf(path, sizeof path, "%s/goals/%lld", base, (long long)goal);
    p = rp_callf(s, "PATCH", path, 200, "{\"status\":\"achieved\"}");
    assert_string_equal(json_string_value(json_object_get(p, "status")),
                        "achieved");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(p, "tags"), 0)),
        "wedding");
    json_decref(p);

    snprintf(path, sizeof path, "%s/dates", base);
    json_int_t date = post(s, path,
                           "{\"kind\":\"appointment\",\"title\":"
                           "\"fitting\",\"at\":\"2027-01-10T15:00:00Z\","
                           "\"where\":\"the shop\",\"with_whom\":"
                           "\"the tailor\",\"bring\":\"your shoes\"}");
    expect_error(s, "POST", path,
                 "{\"kind\":\"party\",\"title\":\"x\",\"at\":"
                 "\"2027-01-10T15:00:00Z\"}",
                 422, "invalid", "kind");
    expect_error(s, "POST", path,
                 "{\"kind\":\"other\",\"title\":\"x\",\"at\":"
                 "\"next tuesday\"}",
                 422, "invalid", "at");
    json_t *list = rp_call(s, "GET", path, NULL, 200);
    json_t *d = json_array_get(json_object_get(list, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(d, "where")),
                        "the shop");
    assert_string_equal(json_string_value(json_object_get(d, "at")),
                        "2027-01-10T15:00:00Z");
    json_decref(list);
    snprintf(path, sizeof path, "%s/dates/%lld", base, (long long)date);
    json_decref(rp_call(s, "DELETE", path, NULL, 200));
    json_decref(rp_call(s, "DELETE", path, NULL, 404));

    snprintf(path, sizeof path, "%s/consents", base);
    expect_error(s, "POST", path,
                 "{\"purpose\":\"marketing\",\"granted\":true}", 422, "invalid",
                 "purpose");
    expect_error(s, "POST", path,
                 "{\"purpose\":\"offers\",\"granted\":\"yes\"}", 400,
                 "wrong_type", "granted");
    post(s, path, "{\"purpose\":\"offers\",\"granted\":true}");
    /* who decided is kept beside the decision, as a name, not an id */
    json_t *cons = rp_call(s, "GET", path, NULL, 200);
    const char *by = json_string_value(json_object_get(
        json_array_get(json_object_get(cons, "items"), 0), "decided_by"));
    assert_non_null(by);
    assert_true(strlen(by) > 0);
    assert_null(strchr(by, ':'));
    json_decref(cons);

    /* another customer's item is not found through this customer */
    json_int_t other = post(s, "/api/v1/customers", "{\"name\":\"Other\"}");
    snprintf(path, sizeof path, "/api/v1/customers/%lld/preferences/%lld",
             (long long)other, (long long)colour);
    expect_error(s, "PATCH", path, "{\"value\":\"red\"}", 404, "not_found",
                 "id");
    json_decref(rp_call(s, "GET", "/api/v1/customers/999999/goals", NULL, 404));

    /* every change was a moment of truth */
    snprintf(path, sizeof path, "%s/moments?limit=100", base);
    json_t *m = rp_call(s, "GET", path, NULL, 200);
    int profile = 0, consent = 0;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(m, "items"), i, it) {
        const char *k = json_string_value(json_object_get(it, "kind"));
        profile += !strcmp(k, "profile.changed");
        consent += !strcmp(k, "consent.changed");
    }
    assert_int_equal(profile, 7); /* 3 preference, 2 goal, 2 date changes */
    assert_int_equal(consent, 1);
    json_decref(m);

    /* the CLI sees the same, as a second process */
    char *out = NULL, idtext[32];
    snprintf(idtext, sizeof idtext, "%lld", (long long)max);
    assert_int_equal(rp_cli(s, &out, "pref", "list", idtext, "--json", NULL),
                     0);
    json_t *viacli = json_loads(out, 0, NULL);
    free(out);
    assert_int_equal(json_array_size(json_object_get(viacli, "items")), 1);
    json_decref(viacli);
    assert_int_equal(rp_cli(s, &out, "pref", "add", idtext, "--key", "style",
                            "--value", "single-breasted", "--firmness", "firm",
                            NULL),
                     0);
    free(out);
    assert_int_equal(rp_cli(s, &out, "pref", "add", idtext, "--key", "brand",
                            "--value", "x", "--firmness", "sometimes", NULL),
                     3);
    free(out);
    assert_int_equal(rp_cli(s, &out, "goal", "list", "999999", NULL), 4);
    free(out);
    assert_int_equal(rp_cli(s, &out, "pref", "--help", NULL), 0);
    assert_non_null(strstr(out, "SYNOPSIS"));
    free(out);
}

static json_int_t product(rp_srv *s, const char *json)
{
    return post(s, "/api/v1/products", json);
}

static int offered(json_t *rec, const char *name)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(rec, "items"), i, it)
        if (!strcmp(json_string_value(json_object_get(
                        json_object_get(it, "product"), "name")),
                    name))
            return 1;
    return 0;
}

/* How many moments of this kind the customer has. */
static int moments_of_kind(rp_srv *s, json_int_t customer, const char *kind)
{
    char path[160];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments?limit=500",
             (long long)customer);
    json_t *m = rp_call(s, "GET", path, NULL, 200);
    int n = 0;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(m, "items"), i, it)
        n += !strcmp(json_string_value(json_object_get(it, "kind")), kind);
    json_decref(m);
    return n;
}

/* Story 1, third kind, and story 2. */
static void
test_recommendations_respect_goals_and_firm_preferences(void **state)
{
    rp_srv *s = *state;
    json_int_t round = product(s, "{\"name\":\"Red seedless watermelon\","
                                  "\"category\":\"watermelon\",\"stock\":100,"
                                  "\"attributes\":{\"colour\":\"red\","
                                  "\"seedless\":true}}");
    char rel[200];
    json_int_t long_sweet = product(s,
                                    "{\"name\":\"Long sweet watermelon\","
                                    "\"category\":\"watermelon\",\"stock\":50,"
                                    "\"attributes\":{\"colour\":\"red\","
                                    "\"shape\":\"long\"}}");
    snprintf(rel, sizeof rel, "{\"related\":[%lld]}", (long long)long_sweet);
    char path[160];
    snprintf(path, sizeof path, "/api/v1/products/%lld", (long long)round);
    json_t *p = rp_callf(s, "PATCH", path, 200, rel);
    assert_int_equal(json_array_size(json_object_get(p, "related_products")),
                     1);
    json_decref(p);
    expect_error(s, "PATCH", path, "{\"related\":[999999]}", 422, "invalid",
                 "related");
    expect_error(s, "POST", "/api/v1/products", "{\"name\":\"x\"}", 422,
                 "invalid", "category");
    expect_error(s, "POST", "/api/v1/products",
                 "{\"name\":\"x\",\"category\":\"y\",\"attributes\":[1]}", 400,
                 "wrong_type", "attributes");
    product(s, "{\"name\":\"Starfruit\",\"category\":\"fruit\",\"stock\":10,"
               "\"tags\":[\"juice\"]}");
    product(s, "{\"name\":\"Apple\",\"category\":\"fruit\",\"stock\":10,"
               "\"tags\":[\"juice\"]}");
    product(s, "{\"name\":\"Honey melon\",\"category\":\"fruit\",\"stock\":10,"
               "\"tags\":[\"Juice\"]}");
    product(s, "{\"name\":\"Durian\",\"category\":\"fruit\",\"stock\":10}");
    json_int_t navy_sb = product(
        s, "{\"name\":\"Navy single-breasted suit (Hugo Boss)\",\"category\":"
           "\"suit\",\"stock\":0,\"attributes\":{\"colour\":\"navy\",\"style\":"
           "\"single-breasted\",\"brand\":\"Hugo Boss\"}}");
    product(s, "{\"name\":\"Charcoal double-breasted suit\",\"category\":"
               "\"suit\",\"stock\":3,\"attributes\":{\"colour\":\"charcoal\","
               "\"style\":\"double-breasted\",\"brand\":\"Hugo Boss\"}}");
    product(s, "{\"name\":\"Navy double-breasted suit\",\"category\":\"suit\","
               "\"stock\":3,\"attributes\":{\"colour\":\"navy\",\"style\":"
               "\"double-breasted\",\"brand\":\"Armani\"}}");
    product(s, "{\"name\":\"Black single-breasted suit\",\"category\":\"suit\","
               "\"stock\":3,\"attributes\":{\"colour\":\"black\",\"style\":"
               "\"single-breasted\",\"brand\":\"Zegna\"}}");
    json_t *l = rp_call(s, "GET", "/api/v1/products?tag=juice", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 3);
    json_decref(l);

    /* A tag in another script is found whole, whatever its case: "Fruit"
     * and 21 CJK characters, longer in bytes than any fixed cut. */
    char tag[128] = "Fruit", query[512] = "/api/v1/products?tag=fruit";
    for (int i = 0; i < 21; i++) {
        strcat(tag, "\xe6\x9e\x9c");
        strcat(query, "%E6%9E%9C");
    }
    char body[256];
    snprintf(body, sizeof body,
             "{\"name\":\"Star fruit\",\"category\":\"fruit\",\"tags\":"
             "[\"%s\"]}",
             tag);
    product(s, body);
    l = rp_call(s, "GET", query, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
    json_decref(l);

    /* the juice maker */
    json_int_t ahmad = post(s, "/api/v1/customers",
                            "{\"name\":\"Ahmad bin Yusof\",\"preferred_name\":"
                            "\"Ahmad\"}");
    snprintf(path, sizeof path, "/api/v1/customers/%lld/goals",
             (long long)ahmad);
    post(s, path,
         "{\"title\":\"Make the best juice in town\",\"tags\":"
         "[\"juice\"]}");
    snprintf(path, sizeof path, "/api/v1/customers/%lld/recommendations",
             (long long)ahmad);
    json_t *rec = rp_call(s, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(rec, "items")), 3);
    assert_true(offered(rec, "Starfruit") && offered(rec, "Apple") &&
                offered(rec, "Honey melon"));
    assert_false(offered(rec, "Durian"));
    json_t *first = json_array_get(json_object_get(rec, "items"), 0);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(first, "reasons"), 0)),
        "serves your goal \"Make the best juice in town\" (juice)");
    json_int_t apple = json_integer_value(json_object_get(
        json_object_get(json_array_get(json_object_get(rec, "items"), 1),
                        "product"),
        "id"));
    /* reading the recommendations (twice) records nothing: showing them to
     * the customer is its own, explicit change */
    json_decref(rp_call(s, "GET", path, NULL, 200));
    assert_int_equal(rp_db_count(s, "offers"), 0);
    assert_int_equal(moments_of_kind(s, ahmad, "offer.shown"), 0);
    json_t *ids = json_array();
    size_t k;
    json_t *item;
    json_array_foreach(json_object_get(rec, "items"), k, item)
        json_array_append(
            ids, json_object_get(json_object_get(item, "product"), "id"));
    json_decref(rec);
    char shown_path[200];
    snprintf(shown_path, sizeof shown_path,
             "/api/v1/customers/%lld/recommendations/shown", (long long)ahmad);
    json_t *shown_body = json_pack("{s:O}", "product_ids", ids);
    json_t *rs = rp_call(s, "POST", shown_path, shown_body, 200);
    assert_int_equal(json_array_size(json_object_get(rs, "recorded")), 3);
    assert_int_equal(json_array_size(json_object_get(rs, "already_shown")), 0);
    json_decref(rs);
    /* shown again: nothing new is recorded */
    rs = rp_call(s, "POST", shown_path, shown_body, 200);
    assert_int_equal(json_array_size(json_object_get(rs, "recorded")), 0);
    assert_int_equal(json_array_size(json_object_get(rs, "already_shown")), 3);
    json_decref(rs);
    json_decref(shown_body);
    /* a product that does not exist is refused, and nothing is recorded */
    json_t *bad = rp_callf(s, "POST", shown_path, 422,
                           "{\"product_ids\":[999999]}");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(bad, "error"), "field")),
                        "product_ids");
    json_decref(bad);
    json_decref(
        rp_callf(s, "POST", shown_path, 400, "{\"product_ids\":\"1\"}"));
    json_decref(rp_callf(s, "POST",
                         "/api/v1/customers/999999/recommendations/shown", 404,
                         "{\"product_ids\":[1]}"));
    json_decref(ids);
    /* accepted and declined offers are moments of truth */
    char act[200];
    snprintf(act, sizeof act,
             "/api/v1/customers/%lld/recommendations/%lld/accept",
             (long long)ahmad, (long long)apple);
    json_t *o = rp_callf(s, "POST", act, 200, "{}");
    assert_string_equal(json_string_value(json_object_get(o, "status")),
                        "accepted");
    json_decref(o);
    snprintf(act, sizeof act,
             "/api/v1/customers/%lld/recommendations/%lld/decline",
             (long long)ahmad, (long long)999999);
    json_decref(rp_callf(s, "POST", act, 404, "{}"));
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments",
             (long long)ahmad);
    json_t *m = rp_call(s, "GET", path, NULL, 200);
    int shown = 0, accepted = 0;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(m, "items"), i, it) {
        shown += !strcmp(json_string_value(json_object_get(it, "kind")),
                         "offer.shown");
        accepted += !strcmp(json_string_value(json_object_get(it, "kind")),
                            "offer.accepted");
    }
    assert_int_equal(shown, 1);
    assert_int_equal(accepted, 1);
    json_decref(m);
    /* offers made are not listed by any endpoint: count the table */
    assert_int_equal(rp_db_count(s, "offers"), 3);
    /* a customer who withdrew consent for offers gets none unasked */
    snprintf(path, sizeof path, "/api/v1/customers/%lld/consents",
             (long long)ahmad);
    post(s, path, "{\"purpose\":\"offers\",\"granted\":false}");
    snprintf(path, sizeof path, "/api/v1/customers/%lld/recommendations",
             (long long)ahmad);
    rec = rp_call(s, "GET", path, NULL, 200);
    assert_true(json_is_true(json_object_get(rec, "withheld")));
    assert_non_null(strstr(json_string_value(json_object_get(rec, "reason")),
                           "withdrew consent for offers"));
    json_decref(rec);
    snprintf(path, sizeof path,
             "/api/v1/customers/%lld/recommendations?asked=true",
             (long long)ahmad);
    rec = rp_call(s, "GET", path, NULL, 200);
    assert_true(offered(rec, "Starfruit"));
    json_decref(rec);

    /* Max: firm navy and single-breasted, flexible brand */
    json_int_t max = post(s, "/api/v1/customers",
                          "{\"name\":\"Maximilian Weber\",\"preferred_name\":"
                          "\"Max\"}");
    snprintf(path, sizeof path, "/api/v1/customers/%lld/preferences",
             (long long)max);
    post(s, path,
         "{\"key\":\"colour\",\"value\":\"navy\",\"firmness\":\"firm\"}");
    post(s, path,
         "{\"key\":\"style\",\"value\":\"single-breasted\","
         "\"firmness\":\"firm\"}");
    post(s, path,
         "{\"key\":\"brand\",\"value\":\"Hugo Boss\",\"firmness\":"
         "\"flexible\"}");
    snprintf(path, sizeof path, "/api/v1/customers/%lld/recommendations",
             (long long)max);
    rec = rp_call(s, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(rec, "items")), 0);
    char *notes = json_dumps(json_object_get(rec, "notes"), 0);
    assert_non_null(strstr(notes, "out of stock"));
    assert_non_null(strstr(notes, "nothing in stock matches the firm "
                                  "preferences (colour navy, style "
                                  "single-breasted)"));
    free(notes);
    json_decref(rec);
    /* a navy single-breasted suit of another brand arrives: offered, with
     * the flexible brand named; the original is restocked: offered first */
    product(s, "{\"name\":\"Navy single-breasted suit (Zegna)\",\"category\":"
               "\"suit\",\"stock\":1,\"attributes\":{\"colour\":\"navy\","
               "\"style\":\"single-breasted\",\"brand\":\"Zegna\"}}");
    rec = rp_call(s, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(rec, "items")), 1);
    assert_true(offered(rec, "Navy single-breasted suit (Zegna)"));
    char *reasons = json_dumps(rec, 0);
    assert_non_null(strstr(reasons, "brand is zegna rather than hugo boss"));
    free(reasons);
    json_decref(rec);
    snprintf(act, sizeof act, "/api/v1/products/%lld", (long long)navy_sb);
    json_decref(rp_callf(s, "PATCH", act, 200, "{\"stock\":2}"));
    rec = rp_call(s, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(rec, "items")), 2);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_array_get(json_object_get(rec, "items"), 0),
                            "product"),
            "name")),
        "Navy single-breasted suit (Hugo Boss)");
    assert_false(offered(rec, "Charcoal double-breasted suit"));
    assert_false(offered(rec, "Navy double-breasted suit"));
    assert_false(offered(rec, "Black single-breasted suit"));
    json_decref(rec);

    /* the second kind: the long sweet ones go with the round seedless */
    json_int_t siew = post(s, "/api/v1/customers", "{\"name\":\"Siew Lan\"}");
    snprintf(path, sizeof path, "/api/v1/customers/%lld/preferences",
             (long long)siew);
    post(s, path,
         "{\"key\":\"watermelon.seedless\",\"value\":\"yes\","
         "\"firmness\":\"firm\"}");
    snprintf(path, sizeof path, "/api/v1/customers/%lld/recommendations",
             (long long)siew);
    rec = rp_call(s, "GET", path, NULL, 200);
    assert_true(offered(rec, "Red seedless watermelon"));
    assert_true(offered(rec, "Long sweet watermelon"));
    char *text = json_dumps(rec, 0);
    assert_non_null(strstr(text, "goes with Red seedless watermelon"));
    free(text);
    json_decref(rec);
}

/* Story 3: quick exchanges and a transactional relationship: nothing
 * unasked, with the reason; asking lifts the hold.  A goal, once told, is
 * evidence of a formative relationship (docs/rules.md), and then the goal's
 * products may be offered unasked. */
static void test_nothing_pushed_on_quick_transactional(void **state)
{
    rp_srv *s = *state;
    product(s, "{\"name\":\"Vitamin C\",\"category\":\"pharmacy\",\"stock\":5,"
               "\"tags\":[\"health\"]}");
    json_int_t grace = post(s, "/api/v1/customers",
                            "{\"name\":\"Grace Okafor\"}");
    char path[160];
    /* she asks for aspirin and gets it: a quick exchange, closed through
     * the interaction cycle */
    snprintf(path, sizeof path,
             "{\"customer_id\":%lld,\"channel\":"
             "\"in_person\",\"subject\":\"Aspirin\"}",
             (long long)grace);
    json_int_t e = post(s, "/api/v1/encounters", path);
    close_quickly(s, e);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/recommendations",
             (long long)grace);
    json_t *rec = rp_call(s, "GET", path, NULL, 200);
    assert_true(json_is_true(json_object_get(rec, "withheld")));
    assert_int_equal(json_array_size(json_object_get(rec, "items")), 0);
    assert_non_null(
        strstr(json_string_value(json_object_get(rec, "reason")), "quick"));
    json_decref(rec);
    assert_int_equal(rp_db_count(s, "offers"), 0); /* no endpoint lists them */
    snprintf(path, sizeof path,
             "/api/v1/customers/%lld/recommendations?asked=true",
             (long long)grace);
    rec = rp_call(s, "GET", path, NULL, 200);
    assert_false(json_is_true(json_object_get(rec, "withheld")));
    json_decref(rec);
    /* she tells us she wants to stay well: the level moves to formative
     * and the goal's products are offered without asking */
    snprintf(path, sizeof path, "/api/v1/customers/%lld/goals",
             (long long)grace);
    post(s, path, "{\"title\":\"Stay well\",\"tags\":[\"health\"]}");
    snprintf(path, sizeof path, "/api/v1/customers/%lld", (long long)grace);
    json_t *c = rp_call(s, "GET", path, NULL, 200);
    assert_string_equal(
        json_string_value(json_object_get(c, "relationship_level")),
        "formative");
    json_decref(c);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/recommendations",
             (long long)grace);
    rec = rp_call(s, "GET", path, NULL, 200);
    assert_false(json_is_true(json_object_get(rec, "withheld")));
    assert_true(offered(rec, "Vitamin C"));
    json_decref(rec);
    snprintf(path, sizeof path,
             "/api/v1/customers/%lld/recommendations?asked=perhaps",
             (long long)grace);
    json_decref(rp_call(s, "GET", path, NULL, 422));
}

/* The demo loads the stories' products, dates and consents. */
static void test_demo_loads_profiles_and_catalogue(void **state)
{
    rp_srv *s = *state;
    char *out = NULL;
    assert_int_equal(rp_cli(s, &out, "demo", NULL), 0);
    free(out);
    assert_int_equal(rp_list_count(s, "/api/v1/products"), 11);
    /* dates and consents are listed customer by customer: count the tables */
    assert_int_equal(rp_db_count(s, "important_dates"), 2);
    assert_true(rp_db_count(s, "consents") >= 3);
    json_t *c = rp_call(s, "GET", "/api/v1/customers?q=Ahmad", NULL, 200);
    json_int_t ahmad = json_integer_value(
        json_object_get(json_array_get(json_object_get(c, "items"), 0), "id"));
    json_decref(c);
    char path[160];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/recommendations",
             (long long)ahmad);
    json_t *rec = rp_call(s, "GET", path, NULL, 200);
    assert_true(offered(rec, "Starfruit") && offered(rec, "Apple") &&
                offered(rec, "Honey melon"));
    json_decref(rec);
    assert_int_equal(rp_cli(s, &out, "product", "list", "--tag", "juice", NULL),
                     0);
    assert_non_null(strstr(out, "Starfruit"));
    free(out);
    json_t *tiers = rp_call(s, "GET", "/api/v1/loyalty/tiers", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(tiers, "items")), 3);
    json_decref(tiers);
}

/* Loyalty tiers are configurable: replaced as a whole, validated. */
static void test_loyalty_tiers_are_configurable(void **state)
{
    rp_srv *s = *state;
    expect_error(s, "PUT", "/api/v1/loyalty/tiers",
                 "{\"items\":[{\"name\":\"silver\",\"rank\":1,"
                 "\"min_visits\":2,\"discount_percent\":5}]}",
                 422, "invalid", "items");
    expect_error(s, "PUT", "/api/v1/loyalty/tiers",
                 "{\"items\":[{\"name\":\"base\",\"rank\":0,"
                 "\"discount_percent\":150}]}",
                 422, "invalid", "discount_percent");
    json_t *t = rp_callf(s, "PUT", "/api/v1/loyalty/tiers", 200,
                         "{\"items\":[{\"name\":\"member\",\"rank\":0,"
                         "\"discount_percent\":0},{\"name\":\"friend\","
                         "\"rank\":1,\"min_visits\":1,\"discount_percent\":"
                         "2.5}]}");
    assert_int_equal(json_array_size(json_object_get(t, "items")), 2);
    json_decref(t);
    json_int_t c = post(s, "/api/v1/customers", "{\"name\":\"Anna\"}");
    char body[120], path[100];
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"phone\","
             "\"subject\":\"x\"}",
             (long long)c);
    json_int_t e = post(s, "/api/v1/encounters", body);
    close_quickly(s, e);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/loyalty", (long long)c);
    json_t *l = rp_call(s, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(l, "summary")),
                        "returning customer, friend tier, 2.5% discount");
    json_decref(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_profile_crud_validation_and_moments, setup,
            rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(
            test_recommendations_respect_goals_and_firm_preferences, setup,
            rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(
            test_nothing_pushed_on_quick_transactional, setup,
            rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(test_demo_loads_profiles_and_catalogue,
                                        setup, rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(test_loyalty_tiers_are_configurable,
                                        setup, rp_srv_fixture_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
