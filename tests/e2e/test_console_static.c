/*
 * test_console_static.c - rapportd serves the agent console's files: the
 * page at /, its modules and styles with the right types, the
 * Content-Security-Policy on HTML, and nothing outside the web root.
 */
#include <string.h>

#include "harness.h"

static int setup(void **state)
{
    static rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    *state = &s;
    return 0;
}

static int teardown(void **state)
{
    rp_srv_cleanup(*state);
    return 0;
}

static void get(rp_srv *s, const char *path, rp_http *r)
{
    rp_http_send(s, "GET", path, NULL, NULL, 0, NULL, r);
}

static void test_index_and_modules(void **state)
{
    rp_srv *s = *state;
    rp_http r;
    get(s, "/", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "text/html"));
    assert_non_null(
        strstr(r.body, "<script type=\"module\" src=\"/js/app.js\">"));
    assert_null(strstr(r.body, "style="));
    rp_http_free(&r);
    get(s, "/js/app.js", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "text/javascript"));
    rp_http_free(&r);
    get(s, "/js/views/queue.js", &r);
    assert_int_equal(r.status, 200);
    rp_http_free(&r);
    get(s, "/css/app.css", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "text/css"));
    rp_http_free(&r);
}

static void test_nothing_outside_the_root(void **state)
{
    rp_srv *s = *state;
    static const char *const bad[] = {
        "/../CMakeLists.txt", "/js/../../README.md", "/.hidden",
        "/js/nope.js",        "/%2e%2e/README.md",   NULL};
    for (int i = 0; bad[i]; i++) {
        rp_http r;
        get(s, bad[i], &r);
        if (r.status != 404)
            fprintf(stderr, "%s answered %ld\n", bad[i], r.status);
        assert_int_equal(r.status, 404);
        rp_http_free(&r);
    }
}

static void test_api_still_wins(void **state)
{
    rp_srv *s = *state;
    rp_http r;
    get(s, "/healthz", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(r.json);
    rp_http_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_and_modules),
        cmocka_unit_test(test_nothing_outside_the_root),
        cmocka_unit_test(test_api_still_wins),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
