/*
 * test_credentials_age.c - sessions and API tokens age, end to end.
 *
 * A browser session ends after its idle lifetime without use (use keeps
 * it alive) and after its absolute lifetime however much it is used; an
 * API token can be given an expiry when it is made (API and CLI), shows
 * when it was last used, and is refused with a clear 401 once expired.
 * The session cookie is Secure unless rapportd is told it is reached over
 * plain HTTP on loopback.  The lifetimes are set to a few seconds through
 * the real settings (RAPPORT_SESSION_IDLE, RAPPORT_SESSION_LIFETIME).
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Log in as the admin; fill cookie with "Cookie: rapport_session=..." and
 * set_cookie with the whole Set-Cookie header. */
static void login(rp_srv *s, char *cookie, size_t n, char *set_cookie,
                  size_t sn)
{
    char token[160];
    memcpy(token, s->token, sizeof token);
    s->token[0] = '\0';
    json_t *body = json_pack("{s:s, s:s}", "email", s->admin_email, "password",
                             s->admin_password);
    char *text = json_dumps(body, JSON_COMPACT);
    rp_http r;
    rp_http_send(s, "POST", "/api/v1/session", "application/json", text,
                 strlen(text), NULL, &r);
    free(text);
    json_decref(body);
    assert_int_equal(r.status, 201);
    snprintf(set_cookie, sn, "%s", r.set_cookie);
    size_t len = strcspn(r.set_cookie, ";");
    assert_true(len < n - 10);
    snprintf(cookie, n, "Cookie: %.*s", (int)len, r.set_cookie);
    rp_http_free(&r);
    memcpy(s->token, token, sizeof token);
}

/* GET /api/v1/session with the cookie alone; fill r. */
static void whoami(rp_srv *s, const char *cookie, rp_http *r)
{
    char token[160];
    memcpy(token, s->token, sizeof token);
    s->token[0] = '\0';
    const char *headers[] = {cookie, NULL};
    rp_http_send(s, "GET", "/api/v1/session", NULL, NULL, 0, headers, r);
    memcpy(s->token, token, sizeof token);
}

static const char *error_message(const rp_http *r)
{
    return json_string_value(
        json_object_get(json_object_get(r->json, "error"), "message"));
}

static void test_session_idle_lifetime(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    snprintf(s.extra_env, sizeof s.extra_env, "RAPPORT_SESSION_IDLE=5");
    rp_srv_start(&s);
    char cookie[200], set_cookie[512];
    login(&s, cookie, sizeof cookie, set_cookie, sizeof set_cookie);
    /* the harness runs rapportd on plain HTTP on loopback: not Secure */
    assert_null(strstr(set_cookie, "Secure"));
    /* used every second for longer than the idle lifetime: still alive */
    double t0 = seconds_now();
    while (seconds_now() - t0 < 8.0) {
        rp_http r;
        whoami(&s, cookie, &r);
        assert_int_equal(r.status, 200);
        rp_http_free(&r);
        sleep(1);
    }
    /* left alone for longer than that: ended, and the message says why */
    sleep(8);
    rp_http r;
    whoami(&s, cookie, &r);
    rp_assert_error(&r, 401, "unauthorized", NULL);
    assert_non_null(strstr(error_message(&r), "without use"));
    assert_non_null(strstr(error_message(&r), "5 seconds"));
    rp_http_free(&r);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

static void test_session_absolute_lifetime_and_secure(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    /* not on plain HTTP: the cookie is Secure, the default */
    snprintf(s.extra_env, sizeof s.extra_env, "RAPPORT_PLAIN_HTTP=0");
    rp_srv_start(&s);
    char cookie[200], set_cookie[512];
    login(&s, cookie, sizeof cookie, set_cookie, sizeof set_cookie);
    assert_non_null(strstr(set_cookie, "; Secure"));
    assert_non_null(strstr(set_cookie, "HttpOnly"));
    rp_srv_stop(&s);

    snprintf(s.extra_env, sizeof s.extra_env, "RAPPORT_SESSION_LIFETIME=4");
    rp_srv_start(&s);
    login(&s, cookie, sizeof cookie, set_cookie, sizeof set_cookie);
    double t0 = seconds_now(), ended = 0;
    rp_http r = {0};
    while (seconds_now() - t0 < 15.0) {
        whoami(&s, cookie, &r);
        if (r.status != 200) {
            ended = seconds_now() - t0;
            break;
        }
        rp_http_free(&r);
        sleep(1);
    }
    fprintf(stderr,
            "credentials: a session used every second ended after "
            "%.1f s\n",
            ended);
    /* used all along, it still ended once its lifetime was over */
    assert_true(ended >= 2.5 && ended < 15.0);
    rp_assert_error(&r, 401, "unauthorized", NULL);
    assert_non_null(strstr(error_message(&r), "after login"));
    rp_http_free(&r);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

/* The token with this id as GET /api/v1/tokens lists it (new reference). */
static json_t *listed_token(rp_srv *s, json_int_t id)
{
    json_t *page = rp_call(s, "GET", "/api/v1/tokens?limit=100", NULL, 200);
    size_t i;
    json_t *t, *found = NULL;
    json_array_foreach(json_object_get(page, "items"), i, t)
        if (json_integer_value(json_object_get(t, "id")) == id)
            found = json_incref(t);
    json_decref(page);
    assert_non_null(found);
    return found;
}

static void test_token_expiry_and_last_use(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    char soon[RP_TIME_MAX], past[RP_TIME_MAX], body[200];
    rp_time_format(rp_now() + 4, soon);
    rp_time_format(rp_now() - 60, past);

    /* a token born expired, or with an expiry that is not a time, is
     * refused and nothing is made */
    long before = rp_list_count(&s, "/api/v1/tokens");
    snprintf(body, sizeof body, "{\"name\":\"old\",\"expires_at\":\"%s\"}",
             past);
    rp_http r;
    rp_http_send(&s, "POST", "/api/v1/tokens", "application/json", body,
                 strlen(body), NULL, &r);
    rp_assert_error(&r, 422, "invalid", "expires_at");
    rp_http_free(&r);
    json_decref(rp_callf(&s, "POST", "/api/v1/tokens", 400,
                         "{\"name\":\"odd\",\"expires_at\":7}"));
    assert_int_equal(rp_list_count(&s, "/api/v1/tokens"), before);

    /* a token that expires in a few seconds works until then */
    snprintf(body, sizeof body, "{\"name\":\"brief\",\"expires_at\":\"%s\"}",
             soon);
    json_t *made = rp_callf(&s, "POST", "/api/v1/tokens", 201, body);
    assert_string_equal(json_string_value(json_object_get(made, "expires_at")),
                        soon);
    assert_true(json_is_null(json_object_get(made, "last_used_at")));
    json_int_t id = json_integer_value(json_object_get(made, "id"));
    char admin[160], brief[160];
    memcpy(admin, s.token, sizeof admin);
    snprintf(brief, sizeof brief, "%s",
             json_string_value(json_object_get(made, "token")));
    json_decref(made);
    /* its last use shows: noting it is best effort and skipped while
     * another write holds the database (the scheduler's first run at
     * start, on a loaded machine), so the token is used until it shows */
    int shown = 0;
    for (int tries = 0; tries < 25 && !shown; tries++) {
        if (tries)
            usleep(200 * 1000);
        memcpy(s.token, brief, sizeof brief);
        json_decref(rp_call(&s, "GET", "/api/v1/session", NULL, 200));
        memcpy(s.token, admin, sizeof admin);
        json_t *t = listed_token(&s, id);
        assert_string_equal(json_string_value(json_object_get(t, "expires_at")),
                            soon);
        shown = json_is_string(json_object_get(t, "last_used_at"));
        json_decref(t);
    }
    assert_true(shown);

    /* past its expiry it is refused, and the message says so */
    sleep(6);
    memcpy(s.token, brief, sizeof brief);
    rp_http_send(&s, "GET", "/api/v1/session", NULL, NULL, 0, NULL, &r);
    rp_assert_error(&r, 401, "unauthorized", NULL);
    assert_non_null(strstr(error_message(&r), "expired"));
    assert_non_null(strstr(error_message(&r), soon));
    rp_http_free(&r);
    memcpy(s.token, admin, sizeof admin);

    /* the CLI: an expiry in the past is bad input; one to come is kept
     * and listed */
    char agent[32], *text = NULL;
    snprintf(agent, sizeof agent, "%lld", s.admin_id);
    assert_int_equal(rp_cli(&s, &text, "token", "create", "--agent", agent,
                            "--name", "cli", "--expires", past, NULL),
                     3);
    free(text);
    char later[RP_TIME_MAX];
    rp_time_format(rp_now() + 86400, later);
    assert_int_equal(rp_cli(&s, &text, "token", "create", "--agent", agent,
                            "--name", "cli", "--expires", later, "--json",
                            NULL),
                     0);
    json_t *cli = json_loads(text, 0, NULL);
    free(text);
    assert_non_null(cli);
    assert_string_equal(json_string_value(json_object_get(cli, "expires_at")),
                        later);
    json_decref(cli);
    assert_int_equal(rp_cli(&s, &text, "token", "list", NULL), 0);
    assert_non_null(strstr(text, later));
    free(text);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

/* GET path with the cookie alone, or with the bearer token given; fill
 * r. */
static void get_as(rp_srv *s, const char *path, const char *cookie,
                   const char *bearer, rp_http *r)
{
    char token[160];
    memcpy(token, s->token, sizeof token);
    snprintf(s->token, sizeof s->token, "%s", bearer ? bearer : "");
    const char *headers[] = {cookie, NULL};
    rp_http_send(s, "GET", path, NULL, NULL, 0, cookie ? headers : NULL, r);
    memcpy(s->token, token, sizeof token);
}

/* A new token of the admin's, its secret into out; returns its id. */
static json_int_t new_token(rp_srv *s, const char *name, char *out, size_t n)
{
    char body[100];
    snprintf(body, sizeof body, "{\"name\":\"%s\"}", name);
    json_t *made = rp_callf(s, "POST", "/api/v1/tokens", 201, body);
    snprintf(out, n, "%s", json_string_value(json_object_get(made, "token")));
    json_int_t id = json_integer_value(json_object_get(made, "id"));
    json_decref(made);
    return id;
}

/*
 * The 360 view checks the credentials inside the read transaction it
 * reads in, and writes their last use after it: a session used only on
 * the view stays alive past its idle lifetime, a token used only there
 * shows its last use, and a token revoked (by the API, or by the CLI in
 * another process) or expired is refused on the next request.
 */
static void test_view_reads_credentials(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    snprintf(s.extra_env, sizeof s.extra_env, "RAPPORT_SESSION_IDLE=5");
    rp_srv_start(&s);
    json_t *c = rp_callf(&s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Ada Viewer\"}");
    char view[80];
    snprintf(view, sizeof view, "/api/v1/customers/%lld/overview",
             (long long)json_integer_value(json_object_get(c, "id")));
    json_decref(c);

    char cookie[200], set_cookie[512];
    login(&s, cookie, sizeof cookie, set_cookie, sizeof set_cookie);
    double t0 = seconds_now();
    rp_http r;
    while (seconds_now() - t0 < 8.0) {
        get_as(&s, view, cookie, NULL, &r);
        assert_int_equal(r.status, 200);
        rp_http_free(&r);
        sleep(1);
    }

    char secret[160];
    json_int_t id = new_token(&s, "viewer", secret, sizeof secret);
    int shown = 0;
    for (int tries = 0; tries < 25 && !shown; tries++) {
        if (tries)
            usleep(200 * 1000);
        get_as(&s, view, NULL, secret, &r);
        assert_int_equal(r.status, 200);
        rp_http_free(&r);
        json_t *t = listed_token(&s, id);
        shown = json_is_string(json_object_get(t, "last_used_at"));
        json_decref(t);
    }
    assert_true(shown);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/tokens/%lld", (long long)id);
    json_decref(rp_call(&s, "DELETE", path, NULL, 200));
    get_as(&s, view, NULL, secret, &r);
    rp_assert_error(&r, 401, "unauthorized", NULL);
    assert_non_null(strstr(error_message(&r), "revoked"));
    rp_http_free(&r);

    /* revoked by the CLI, another process, after a few reads */
    id = new_token(&s, "viewer2", secret, sizeof secret);
    for (int i = 0; i < 3; i++) {
        get_as(&s, view, NULL, secret, &r);
        assert_int_equal(r.status, 200);
        rp_http_free(&r);
    }
    char tid[32], *text = NULL;
    snprintf(tid, sizeof tid, "%lld", (long long)id);
    assert_int_equal(rp_cli(&s, &text, "token", "revoke", tid, NULL), 0);
    free(text);
    get_as(&s, view, NULL, secret, &r);
    rp_assert_error(&r, 401, "unauthorized", NULL);
    assert_non_null(strstr(error_message(&r), "revoked"));
    rp_http_free(&r);

    /* expired between two reads, with nothing else changed */
    char soon[RP_TIME_MAX], body[200];
    rp_time_format(rp_now() + 3, soon);
    snprintf(body, sizeof body, "{\"name\":\"brief\",\"expires_at\":\"%s\"}",
             soon);
    json_t *made = rp_callf(&s, "POST", "/api/v1/tokens", 201, body);
    snprintf(secret, sizeof secret, "%s",
             json_string_value(json_object_get(made, "token")));
    json_decref(made);
    get_as(&s, view, NULL, secret, &r);
    assert_int_equal(r.status, 200);
    rp_http_free(&r);
    sleep(5);
    get_as(&s, view, NULL, secret, &r);
    rp_assert_error(&r, 401, "unauthorized", NULL);
    assert_non_null(strstr(error_message(&r), "expired"));
    rp_http_free(&r);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_view_reads_credentials),
        cmocka_unit_test(test_token_expiry_and_last_use),
        cmocka_unit_test(test_session_idle_lifetime),
        cmocka_unit_test(test_session_absolute_lifetime_and_secure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
