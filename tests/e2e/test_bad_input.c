/*
 * test_bad_input.c - every endpoint refuses bad input with the documented
 * status, error code and field, and changes nothing: the counts of
 * customers, encounters and moments are the same before and after.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

typedef struct bad_case {
    const char *method;
    const char *path;
    const char *content_type; /* NULL: none */
    const char *body;         /* NULL: none */
    long status;
    const char *code;
    const char *field; /* NULL: not checked */
} bad_case;

static rp_srv srv;
static char long_name[600];
static char long_body[800];

static int setup(void **state)
{
    (void)state;
    rp_srv_init(&srv);
    rp_srv_start(&srv);
    json_decref(rp_callf(&srv, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Existing Customer\"}"));
    json_decref(rp_callf(&srv, "POST", "/api/v1/encounters", 201,
                         "{\"customer_id\":1,\"channel\":\"phone\","
                         "\"subject\":\"Existing\"}"));
    memset(long_name, 'x', 300);
    long_name[300] = '\0';
    snprintf(long_body, sizeof long_body, "{\"name\":\"%s\"}", long_name);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rp_srv_stop(&srv);
    rp_srv_cleanup(&srv);
    return 0;
}

#define J "application/json"

static const bad_case cases[] = {
    /* POST /api/v1/customers */
    {"POST", "/api/v1/customers", J, "{\"name\":", 400, "malformed", NULL},
    {"POST", "/api/v1/customers", J, "[1,2]", 400, "wrong_type", NULL},
    {"POST", "/api/v1/customers", J, "", 400, "wrong_type", NULL},
    {"POST", "/api/v1/customers", J, "{}", 422, "invalid", "name"},
    {"POST", "/api/v1/customers", J, "{\"name\":\"   \"}", 422, "invalid",
     "name"},
    {"POST", "/api/v1/customers", J, "{\"name\":42}", 400, "wrong_type",
     "name"},
    {"POST", "/api/v1/customers", J, "{\"name\":\"A\",\"emails\":\"a@b.co\"}",
     400, "wrong_type", "emails"},
    {"POST", "/api/v1/customers", J, "{\"name\":\"A\",\"emails\":[\"nope\"]}",
     422, "invalid", "emails"},
    {"POST", "/api/v1/customers", J,
     "{\"name\":\"A\",\"phones\":[\"call me\"]}", 422, "invalid", "phones"},
    {"POST", "/api/v1/customers", J, "{\"name\":\"A\",\"colour\":\"red\"}", 422,
     "invalid", "colour"},
    {"POST", "/api/v1/customers", J, "{\"name\":\"A\",\"name\":\"B\"}", 400,
     "malformed", NULL},
    {"POST", "/api/v1/customers", "text/plain", "{\"name\":\"A\"}", 415,
     "unsupported_media_type", NULL},
    {"POST", "/api/v1/customers", NULL, "{\"name\":\"A\"}", 415,
     "unsupported_media_type", NULL},
    {"DELETE", "/api/v1/customers", NULL, NULL, 405, "method_not_allowed",
     NULL},
    {"PUT", "/api/v1/customers/1", J, "{\"name\":\"A\"}", 405,
     "method_not_allowed", NULL},
    /* GET lists */
    {"GET", "/api/v1/customers?limit=0", NULL, NULL, 422, "invalid", "limit"},
    {"GET", "/api/v1/customers?limit=abc", NULL, NULL, 422, "invalid", "limit"},
    {"GET", "/api/v1/customers?limit=100000", NULL, NULL, 422, "invalid",
     "limit"},
    {"GET", "/api/v1/customers?cursor=zz", NULL, NULL, 422, "invalid",
     "cursor"},
    {"GET", "/api/v1/encounters?stage=flying", NULL, NULL, 422, "invalid",
     "stage"},
    {"GET", "/api/v1/encounters?customer_id=-3", NULL, NULL, 422, "invalid",
     "customer_id"},
    /* GET/PATCH one customer */
    {"GET", "/api/v1/customers/999999", NULL, NULL, 404, "not_found", "id"},
    {"GET", "/api/v1/customers/abc", NULL, NULL, 404, "not_found", "id"},
    {"GET", "/api/v1/customers/999999/moments", NULL, NULL, 404, "not_found",
     "id"},
    {"PATCH", "/api/v1/customers/999999", J, "{\"name\":\"B\"}", 404,
     "not_found", "id"},
    {"PATCH", "/api/v1/customers/1", J, "{\"name\":", 400, "malformed", NULL},
    {"PATCH", "/api/v1/customers/1", J, "{}", 422, "invalid", NULL},
    {"PATCH", "/api/v1/customers/1", J, "{\"name\":null}", 422, "invalid",
     "name"},
    {"PATCH", "/api/v1/customers/1", J, "{\"notes\":[1]}", 400, "wrong_type",
     "notes"},
    {"PATCH", "/api/v1/customers/1", "text/html", "{\"name\":\"B\"}", 415,
     "unsupported_media_type", NULL},
    /* POST /api/v1/encounters */
    {"POST", "/api/v1/encounters", J, "{oops}", 400, "malformed", NULL},
    {"POST", "/api/v1/encounters", J, "{}", 422, "invalid", "customer_id"},
    {"POST", "/api/v1/encounters", J,
     "{\"customer_id\":\"1\",\"channel\":\"phone\",\"subject\":\"x\"}", 400,
     "wrong_type", "customer_id"},
    {"POST", "/api/v1/encounters", J,
     "{\"customer_id\":999999,\"channel\":\"phone\",\"subject\":\"x\"}", 422,
     "invalid", "customer_id"},
    {"POST", "/api/v1/encounters", J,
     "{\"customer_id\":1,\"channel\":\"pigeon\",\"subject\":\"x\"}", 422,
     "invalid", "channel"},
    {"POST", "/api/v1/encounters", J,
     "{\"customer_id\":1,\"channel\":\"phone\"}", 422, "invalid", "subject"},
    {"POST", "/api/v1/encounters", J,
     "{\"customer_id\":1,\"channel\":\"phone\",\"subject\":true}", 400,
     "wrong_type", "subject"},
    {"GET", "/api/v1/encounters/999999", NULL, NULL, 404, "not_found", "id"},
    {"DELETE", "/api/v1/encounters/1", NULL, NULL, 405, "method_not_allowed",
     NULL},
    /* unknown endpoint */
    {"GET", "/api/v1/nothing-here", NULL, NULL, 404, "not_found", NULL},
};

static void counts(long out[3])
{
    out[0] = rp_list_count(&srv, "/api/v1/customers");
    out[1] = rp_list_count(&srv, "/api/v1/encounters");
    /* the whole ledger: the API shows it only customer by customer */
    out[2] = rp_db_count(&srv, "moments");
}

static void assert_unchanged(const long before[3])
{
    long after[3];
    counts(after);
    for (int i = 0; i < 3; i++)
        assert_int_equal(before[i], after[i]);
}

static void test_bad_cases(void **state)
{
    (void)state;
    long before[3];
    counts(before);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bad_case *c = &cases[i];
        rp_http r;
        rp_http_send(&srv, c->method, c->path, c->content_type, c->body,
                     c->body ? strlen(c->body) : 0, NULL, &r);
        if (r.status != c->status)
            fprintf(stderr, "case %zu: %s %s\n", i, c->method, c->path);
        rp_assert_error(&r, c->status, c->code, c->field);
        if (c->status == 405)
            assert_true(strlen(r.allow) > 0);
        rp_http_free(&r);
    }
    /* the 405 names every method the path takes, not only the first
     * route found (the table is walked to its end only then) */
    rp_http r;
    rp_http_send(&srv, "DELETE", "/api/v1/customers", NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 405);
    assert_string_equal(r.allow, "GET, POST");
    rp_http_free(&r);
    assert_unchanged(before);
}

static void test_over_long_strings(void **state)
{
    (void)state;
    long before[3];
    counts(before);
    rp_http r;
    rp_http_send(&srv, "POST", "/api/v1/customers", J, long_body,
                 strlen(long_body), NULL, &r);
    rp_assert_error(&r, 422, "invalid", "name");
    assert_non_null(strstr(json_string_value(json_object_get(
                               json_object_get(r.json, "error"), "message")),
                           "at most 200"));
    rp_http_free(&r);
    char body[900];
    snprintf(body, sizeof body,
             "{\"customer_id\":1,\"channel\":\"phone\",\"subject\":\"%s\"}",
             long_name);
    rp_http_send(&srv, "POST", "/api/v1/encounters", J, body, strlen(body),
                 NULL, &r);
    rp_assert_error(&r, 422, "invalid", "subject");
    rp_http_free(&r);
    assert_unchanged(before);
}

static void test_oversized_body(void **state)
{
    (void)state;
    long before[3];
    counts(before);
    size_t n = 2 * 1024 * 1024;
    char *big = malloc(n + 1);
    memset(big, ' ', n);
    memcpy(big, "{\"name\":\"", 9);
    big[n - 2] = '"';
    big[n - 1] = '}';
    big[n] = '\0';
    rp_http r;
    rp_http_send(&srv, "POST", "/api/v1/customers", J, big, n, NULL, &r);
    rp_assert_error(&r, 413, "too_large", NULL);
    rp_http_free(&r);
    const char *const chunked[] = {"Transfer-Encoding: chunked", NULL};
    rp_http_send(&srv, "POST", "/api/v1/customers", J, big, n, chunked, &r);
    rp_assert_error(&r, 413, "too_large", NULL);
    rp_http_free(&r);
    free(big);
    assert_unchanged(before);
    /* The server is still healthy afterwards. */
    json_decref(rp_call(&srv, "GET", "/healthz", NULL, 200));
}

/* A database named with a scheme no store knows is a usage error of the
 * CLI, and rapportd refuses to start with it; nothing is created. */
static void test_unknown_database_scheme(void **state)
{
    (void)state;
    char *out = NULL;
    int rc = rp_cli(&srv, &out, "--db", "nosuch:/tmp/x.db", "customer", "list",
                    NULL);
    assert_int_equal(rc, 2);
    free(out);
    assert_int_equal(access("nosuch:", F_OK), -1);
    /* rapportd: "the database cannot be opened" (4), before it listens */
    int status = system(RAPPORTD_PATH " --db nosuch:/tmp/x.db --listen "
                                      "127.0.0.1:0 >/dev/null 2>&1");
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 4);
}

/* An error that quotes what was typed, cut to its first bytes, is still a
 * whole JSON error when the text is in another script. */
static void test_quoted_text_in_errors_stays_whole(void **state)
{
    (void)state;
    long before[3];
    counts(before);
    char body[512] = "{\"name\":\"A\",\"emails\":[\"a";
    for (int i = 0; i < 30; i++)
        strcat(body, "\xe6\x9e\x9c");
    strcat(body, "\"]}");
    rp_http r;
    rp_http_send(&srv, "POST", "/api/v1/customers", J, body, strlen(body), NULL,
                 &r);
    rp_assert_error(&r, 422, "invalid", "emails");
    rp_http_free(&r);
    assert_unchanged(before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_cases),
        cmocka_unit_test(test_over_long_strings),
        cmocka_unit_test(test_oversized_body),
        cmocka_unit_test(test_unknown_database_scheme),
        cmocka_unit_test(test_quoted_text_in_errors_stays_whole),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
