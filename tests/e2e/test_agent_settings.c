/*
 * test_agent_settings.c - an agent's language and time zone for the
 * console, end to end through a real rapportd: an agent sets their own
 * (PATCH /api/v1/session) and reads them back (GET /api/v1/session); an
 * unknown language or zone is refused naming the field and changes
 * nothing; null clears a setting; a browser session needs its CSRF token;
 * an admin sets them when adding or changing an agent; and the CLI's
 * `agent add/update --language --time-zone` keep the same rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* PATCH /api/v1/session with body; assert a 422 naming field. */
static void refused(rp_srv *s, const char *method, const char *path,
                    const char *body, const char *field)
{
    rp_http r;
    rp_http_send(s, method, path, "application/json", body, strlen(body), NULL,
                 &r);
    rp_assert_error(&r, 422, "invalid", field);
    rp_http_free(&r);
}

/* The agent's settings as GET /api/v1/session shows them. */
static void assert_settings(rp_srv *s, const char *language, const char *zone)
{
    json_t *who = rp_call(s, "GET", "/api/v1/session", NULL, 200);
    json_t *agent = json_object_get(who, "agent");
    json_t *l = json_object_get(agent, "language"),
           *z = json_object_get(agent, "time_zone");
    assert_non_null(l);
    assert_non_null(z);
    if (language)
        assert_string_equal(json_string_value(l), language);
    else
        assert_true(json_is_null(l));
    if (zone)
        assert_string_equal(json_string_value(z), zone);
    else
        assert_true(json_is_null(z));
    json_decref(who);
}

static void test_an_agent_sets_their_own(void **state)
{
    rp_srv *s = *state;
    char admin[sizeof s->token];
    memcpy(admin, s->token, sizeof admin);
    rp_srv_agent_for(s, "agent", s->token, sizeof s->token);

    /* not chosen yet: both null */
    assert_settings(s, NULL, NULL);
    json_t *got = rp_callf(s, "PATCH", "/api/v1/session", 200,
                           "{\"language\":\"de\",\"time_zone\":"
                           "\"Europe/Berlin\"}");
    assert_string_equal(json_string_value(json_object_get(got, "language")),
                        "de");
    json_decref(got);
    assert_settings(s, "de", "Europe/Berlin");

    /* bad values are refused naming the field, and change nothing (not
     * even the good half of the same request) */
    refused(s, "PATCH", "/api/v1/session", "{\"language\":\"fr\"}", "language");
    refused(s, "PATCH", "/api/v1/session", "{\"language\":\"\"}", "language");
    rp_http r;
    rp_http_send(s, "PATCH", "/api/v1/session", "application/json",
                 "{\"language\":7}", 14, NULL, &r);
    rp_assert_error(&r, 400, "wrong_type", "language");
    rp_http_free(&r);
    refused(s, "PATCH", "/api/v1/session",
            "{\"language\":\"en\",\"time_zone\":\"Mars/Olympus_Mons\"}",
            "time_zone");
    refused(s, "PATCH", "/api/v1/session",
            "{\"time_zone\":\"../../etc/passwd\"}", "time_zone");
    refused(s, "PATCH", "/api/v1/session", "{\"time_zone\":\"/etc/localtime\"}",
            "time_zone");
    char *longzone = rp_repeat("é", 65);
    char body[600];
    snprintf(body, sizeof body, "{\"time_zone\":\"%s\"}", longzone);
    free(longzone);
    refused(s, "PATCH", "/api/v1/session", body, "time_zone");
    refused(s, "PATCH", "/api/v1/session", "{\"colour\":\"blue\"}", "colour");
    refused(s, "PATCH", "/api/v1/session", "{}", NULL);
    assert_settings(s, "de", "Europe/Berlin");

    /* one at a time keeps the other; null clears */
    json_decref(rp_callf(s, "PATCH", "/api/v1/session", 200,
                         "{\"time_zone\":\"America/Argentina/Buenos_Aires\"}"));
    assert_settings(s, "de", "America/Argentina/Buenos_Aires");
    json_decref(
        rp_callf(s, "PATCH", "/api/v1/session", 200, "{\"language\":null}"));
    assert_settings(s, NULL, "America/Argentina/Buenos_Aires");
    json_decref(rp_callf(s, "PATCH", "/api/v1/session", 200,
                         "{\"language\":\"en\",\"time_zone\":null}"));
    assert_settings(s, "en", NULL);

    /* an agent may not change another agent's through the admin's path */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/agents/%lld", s->admin_id);
    rp_http_send(s, "PATCH", path, "application/json", "{\"language\":\"de\"}",
                 17, NULL, &r);
    rp_assert_error(&r, 403, "forbidden", NULL);
    rp_http_free(&r);
    memcpy(s->token, admin, sizeof admin);
}

static void test_a_browser_session_needs_csrf(void **state)
{
    rp_srv *s = *state;
    char saved[sizeof s->token];
    memcpy(saved, s->token, sizeof saved);
    s->token[0] = '\0';
    json_t *b = json_pack("{s:s, s:s}", "email", s->admin_email, "password",
                          s->admin_password);
    char *text = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    rp_http r;
    rp_http_send(s, "POST", "/api/v1/session", "application/json", text,
                 strlen(text), NULL, &r);
    free(text);
    assert_int_equal(r.status, 201);
    char cookie[300], csrf[200];
    size_t vl = strcspn(r.set_cookie, ";");
    assert_true(vl < sizeof cookie - 10);
    snprintf(cookie, sizeof cookie, "Cookie: %.*s", (int)vl, r.set_cookie);
    snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s",
             json_string_value(json_object_get(r.json, "csrf_token")));
    rp_http_free(&r);

    const char *body = "{\"language\":\"de\"}";
    const char *no_csrf[] = {cookie, NULL}, *with_csrf[] = {cookie, csrf, NULL};
    rp_http_send(s, "PATCH", "/api/v1/session", "application/json", body,
                 strlen(body), no_csrf, &r);
    rp_assert_error(&r, 403, "csrf", NULL);
    rp_http_free(&r);
    rp_http_send(s, "PATCH", "/api/v1/session", "application/json", body,
                 strlen(body), with_csrf, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "language")),
                        "de");
    rp_http_free(&r);
    rp_http_send(s, "GET", "/api/v1/session", NULL, NULL, 0, no_csrf, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(r.json, "agent"), "language")),
                        "de");
    rp_http_free(&r);
    memcpy(s->token, saved, sizeof saved);
}

static void test_the_admin_and_the_cli(void **state)
{
    rp_srv *s = *state;
    long before = rp_db_count(s, "agents");
    refused(s, "POST", "/api/v1/agents",
            "{\"name\":\"Zoë\",\"email\":\"zoe@example.com\",\"role\":"
            "\"agent\",\"time_zone\":\"Europe/Atlantis\"}",
            "time_zone");
    refused(s, "POST", "/api/v1/agents",
            "{\"name\":\"Zoë\",\"email\":\"zoe@example.com\",\"role\":"
            "\"agent\",\"language\":\"klingon\"}",
            "language");
    assert_int_equal(rp_db_count(s, "agents"), before);

    json_t *a = rp_callf(s, "POST", "/api/v1/agents", 201,
                         "{\"name\":\"Zoë\",\"email\":\"zoe@example.com\","
                         "\"role\":\"agent\",\"language\":\"de\","
                         "\"time_zone\":\"Asia/Tokyo\"}");
    long long id = json_integer_value(json_object_get(a, "id"));
    assert_string_equal(json_string_value(json_object_get(a, "time_zone")),
                        "Asia/Tokyo");
    json_decref(a);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/agents/%lld", id);
    refused(s, "PATCH", path, "{\"language\":\"EN\"}", "language");
    a = rp_callf(s, "PATCH", path, 200, "{\"language\":\"en\"}");
    assert_string_equal(json_string_value(json_object_get(a, "language")),
                        "en");
    assert_string_equal(json_string_value(json_object_get(a, "time_zone")),
                        "Asia/Tokyo");
    json_decref(a);

    /* the CLI: the same rules, the same refusals */
    char ids[32], *out = NULL;
    snprintf(ids, sizeof ids, "%lld", id);
    assert_int_equal(rp_cli(s, &out, "agent", "update", ids, "--time-zone",
                            "Nowhere/Special", "--json", NULL),
                     3);
    free(out);
    assert_int_equal(rp_cli(s, &out, "agent", "update", ids, "--language", "de",
                            "--time-zone", "America/New_York", "--json", NULL),
                     0);
    json_t *j = json_loads(out, 0, NULL);
    free(out);
    assert_string_equal(json_string_value(json_object_get(j, "language")),
                        "de");
    assert_string_equal(json_string_value(json_object_get(j, "time_zone")),
                        "America/New_York");
    json_decref(j);
    assert_int_equal(rp_cli(s, &out, "agent", "add", "--name", "Ümit",
                            "--email", "umit@example.com", "--no-password",
                            "--language", "de", "--time-zone", "Europe/Vienna",
                            "--json", NULL),
                     0);
    j = json_loads(out, 0, NULL);
    free(out);
    assert_string_equal(json_string_value(json_object_get(j, "time_zone")),
                        "Europe/Vienna");
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_agent_sets_their_own),
        cmocka_unit_test(test_a_browser_session_needs_csrf),
        cmocka_unit_test(test_the_admin_and_the_cli),
    };
    return cmocka_run_group_tests(tests, rp_srv_fixture_start,
                                  rp_srv_fixture_stop);
}
