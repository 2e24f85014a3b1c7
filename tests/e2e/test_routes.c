/*
 * test_routes.c - the route table as callers and readers see it:
 *
 *   - docs/api.md holds exactly the table `rapportd --routes` prints (run
 *     scripts/gen-api-docs after changing a route), and every route is also
 *     described in the prose around it;
 *   - a list or search refuses a query parameter it does not take with 400
 *     `malformed` naming it, and still answers the ones it declares;
 *   - the CSRF refusal has the same error body as every other refusal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define BEGIN_MARK "<!-- BEGIN ROUTES"
#define END_MARK "<!-- END ROUTES -->"

/* The whole of a stream, NUL-terminated; caller frees. */
static char *slurp(FILE *f)
{
    size_t len = 0, cap = 8192;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    buf[len] = '\0';
    return buf;
}

static char *routes_output(void)
{
    FILE *p = popen(RAPPORTD_PATH " --routes", "r");
    assert_non_null(p);
    char *out = slurp(p);
    assert_int_equal(pclose(p), 0);
    return out;
}

static char *api_doc(void)
{
    FILE *f = fopen(RP_SOURCE_DIR "/docs/api.md", "r");
    assert_non_null(f);
    char *doc = slurp(f);
    fclose(f);
    return doc;
}

/* Print the first line where a and b differ. */
static void show_difference(const char *a, const char *b)
{
    const char *la = a, *lb = b;
    int line = 1;
    while (*a && *a == *b) {
        if (*a == '\n') {
            line++;
            la = a + 1;
            lb = b + 1;
        }
        a++, b++;
    }
    fprintf(stderr,
            "routes: docs/api.md differs from `rapportd --routes` at line %d "
            "of the table:\n  docs:     %.*s\n  rapportd: %.*s\n"
            "run scripts/gen-api-docs\n",
            line, (int)strcspn(la, "\n"), la, (int)strcspn(lb, "\n"), lb);
}

static void test_docs_hold_the_route_table(void **state)
{
    (void)state;
    char *routes = routes_output(), *doc = api_doc();
    char *begin = strstr(doc, BEGIN_MARK), *end = strstr(doc, END_MARK);
    assert_non_null(begin);
    assert_non_null(end);
    begin = strchr(begin, '\n');
    assert_non_null(begin);
    begin++;
    assert_true(begin <= end);
    *end = '\0';
    if (strcmp(begin, routes) != 0)
        show_difference(begin, routes);
    assert_string_equal(begin, routes);

    /* Every path is described in the prose too (written as `... /path`,
     * `... /path?...` or ` /path` followed by a space), not only listed. */
    char *prose_after = end + strlen(END_MARK);
    begin[-1] = '\0'; /* the prose before the table ends at its marker */
    int missing = 0;
    for (char *line = routes; (line = strstr(line, "| `")) != NULL;) {
        line += 3;
        char pattern[200];
        size_t n = strcspn(line, "`");
        snprintf(pattern, sizeof pattern, "%.*s", (int)n, line);
        const char *ends[] = {"`", "?", " "};
        int found = 0;
        for (int k = 0; k < 3 && !found; k++) {
            char needle[220];
            snprintf(needle, sizeof needle, " %s%s", pattern, ends[k]);
            found = strstr(doc, needle) || strstr(prose_after, needle);
        }
        if (!found) {
            fprintf(stderr,
                    "routes: %s is in the table but not described in "
                    "docs/api.md\n",
                    pattern);
            missing++;
        }
        line = strchr(line, '\n') ? strchr(line, '\n') : line + n;
    }
    assert_int_equal(missing, 0);
    free(routes);
    free(doc);
}

static void expect_unknown(rp_srv *s, const char *path, const char *param)
{
    rp_http r;
    rp_http_send(s, "GET", path, NULL, NULL, 0, NULL, &r);
    if (r.status != 400)
        fprintf(stderr, "routes: GET %s: %ld %s\n", path, r.status, r.body);
    rp_assert_error(&r, 400, "malformed", param);
    const char *msg = json_string_value(
        json_object_get(json_object_get(r.json, "error"), "message"));
    assert_non_null(msg);
    assert_non_null(strstr(msg, param));
    rp_http_free(&r);
}

static void test_unknown_query_parameters_are_refused(void **state)
{
    rp_srv *s = *state;
    json_decref(rp_callf(s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Ada Query\"}"));
    json_decref(rp_callf(s, "POST", "/api/v1/encounters", 201,
                         "{\"customer_id\":1,\"channel\":\"phone\","
                         "\"subject\":\"Filters\"}"));

    /* Not a filter of encounters: refused, not "every encounter". */
    expect_unknown(s, "/api/v1/encounters?agent_id=3", "agent_id");
    expect_unknown(s, "/api/v1/encounters?stage=received&agent_id=3",
                   "agent_id");
    expect_unknown(s, "/api/v1/customers?name=Ada", "name");
    expect_unknown(s, "/api/v1/customers/1/moments?kind=x", "kind");
    expect_unknown(s, "/api/v1/agents?role=admin", "role");
    expect_unknown(s, "/api/v1/queues?name=x", "name");
    expect_unknown(s, "/api/v1/tokens?agent_id=1", "agent_id");
    expect_unknown(s, "/api/v1/products?colour=red", "colour");
    expect_unknown(s, "/api/v1/tasks?state=held", "state");
    /* searches and windows declare theirs; a cursor is not one of them */
    expect_unknown(s, "/api/v1/kb/search?q=brake&cursor=2", "cursor");
    expect_unknown(s, "/api/v1/metrics/service?window=7", "window");
    expect_unknown(s, "/api/v1/charter/breaches?team=2", "team");
    expect_unknown(s, "/api/v1/customers/1/recommendations?ask=true", "ask");

    /* A name in another script, longer than the field and the quote can
     * hold and not aligned on its characters, still gets a whole JSON
     * error: the field and the quote are cut between characters. */
    char path[1024] = "/api/v1/encounters?a";
    for (int i = 0; i < 70; i++)
        strcat(path, "%E6%9E%9C");
    strcat(path, "=1");
    rp_http r;
    rp_http_send(s, "GET", path, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(r.json);
    json_t *e = json_object_get(r.json, "error");
    const char *field = json_string_value(json_object_get(e, "field"));
    const char *msg = json_string_value(json_object_get(e, "message"));
    assert_non_null(field);
    assert_non_null(msg);
    assert_int_equal(strncmp(field, "a\xe6\x9e\x9c", 4), 0);
    assert_non_null(strstr(msg, "\xe2\x80\xa6\"; it takes limit, cursor"));
    rp_http_free(&r);

    /* What they declare still works. */
    json_t *page = rp_call(s, "GET",
                           "/api/v1/encounters?customer_id=1&stage=received"
                           "&limit=5",
                           NULL, 200);
    assert_int_equal(json_array_size(json_object_get(page, "items")), 1);
    json_decref(page);
    json_decref(rp_call(s, "GET",
                        "/api/v1/customers?q=ada&limit=2&cursor=", NULL, 200));
    json_decref(rp_call(s, "GET", "/api/v1/tasks?status=held&customer_id=1",
                        NULL, 200));
    json_decref(
        rp_call(s, "GET", "/api/v1/kb/search?q=brake&limit=3", NULL, 200));
    json_decref(rp_call(s, "GET",
                        "/api/v1/metrics/service?from=2020-01-01T00:00:00Z"
                        "&to=2020-02-01T00:00:00Z&queue=1&agent=1",
                        NULL, 200));
    json_decref(
        rp_call(s, "GET", "/api/v1/charter/breaches?limit=10", NULL, 200));
    json_decref(
        rp_call(s, "GET", "/api/v1/products?category=x&tag=y", NULL, 200));
    json_decref(rp_call(
        s, "GET", "/api/v1/customers/1/recommendations?asked=true", NULL, 200));
}

/* The keys of the error object of r, sorted, joined by commas. */
static void error_keys(rp_http *r, char *out, size_t n)
{
    json_t *e = json_object_get(r->json, "error");
    assert_true(json_is_object(e));
    assert_int_equal(json_object_size(r->json), 1);
    const char *key;
    json_t *v;
    out[0] = '\0';
    /* jansson keeps insertion order; these three are always set in order */
    json_object_foreach(e, key, v) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s%s", len ? "," : "", key);
    }
}

static void test_csrf_refusal_has_the_common_error_body(void **state)
{
    rp_srv *s = *state;
    char body[300], cookie[200], saved[sizeof s->token];
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}",
             s->admin_email, s->admin_password);
    memcpy(saved, s->token, sizeof saved);
    s->token[0] = '\0';
    rp_http r;
    rp_http_send(s, "POST", "/api/v1/session", "application/json", body,
                 strlen(body), NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(cookie, sizeof cookie, "Cookie: %.*s",
             (int)strcspn(r.set_cookie, ";"), r.set_cookie);
    rp_http_free(&r);

    const char *h[] = {cookie, NULL};
    const char *customer = "{\"name\":\"Never Made\"}";
    /* read the table: this test holds a session cookie, not a token that
     * GET /api/v1/customers would take */
    long before = rp_db_count(s, "customers");
    rp_http_send(s, "POST", "/api/v1/customers", "application/json", customer,
                 strlen(customer), h, &r);
    rp_assert_error(&r, 403, "csrf", NULL);
    json_t *e = json_object_get(r.json, "error");
    assert_true(json_is_null(json_object_get(e, "field")));
    const char *msg = json_string_value(json_object_get(e, "message"));
    assert_non_null(msg);
    assert_non_null(strstr(msg, "X-CSRF-Token"));
    char csrf_keys[80], other_keys[80];
    error_keys(&r, csrf_keys, sizeof csrf_keys);
    assert_string_equal(r.content_type, "application/json");
    rp_http_free(&r);
    assert_int_equal(rp_db_count(s, "customers"), before);

    /* The same body as any other refusal: a 401 of no credentials. */
    rp_http_send(s, "POST", "/api/v1/customers", "application/json", customer,
                 strlen(customer), NULL, &r);
    rp_assert_error(&r, 401, "unauthorized", NULL);
    error_keys(&r, other_keys, sizeof other_keys);
    rp_http_free(&r);
    assert_string_equal(csrf_keys, other_keys);
    assert_string_equal(csrf_keys, "code,message,field");
    memcpy(s->token, saved, sizeof saved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docs_hold_the_route_table),
        cmocka_unit_test_setup_teardown(
            test_unknown_query_parameters_are_refused, rp_srv_fixture_start,
            rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(
            test_csrf_refusal_has_the_common_error_body, rp_srv_fixture_start,
            rp_srv_fixture_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
