/*
 * test_auth.c - signing in: the browser session with its cookie and CSRF
 * token, bearer tokens, logout, revoked and deactivated credentials, roles,
 * and the throttling of failed logins.  All through the real rapportd and
 * the real CLI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

/* Send with no bearer token (the harness adds s->token otherwise). */
static void send_anon(rp_srv *s, const char *method, const char *path,
                      const char *body, const char *const *headers, rp_http *r)
{
    char saved[sizeof s->token];
    memcpy(saved, s->token, sizeof saved);
    s->token[0] = '\0';
    rp_http_send(s, method, path, body ? "application/json" : NULL, body,
                 body ? strlen(body) : 0, headers, r);
    memcpy(s->token, saved, sizeof saved);
}

static void login_body(char *out, size_t n, const char *email, const char *pw)
{
    json_t *b = json_pack("{s:s, s:s}", "email", email, "password", pw);
    char *t = json_dumps(b, JSON_COMPACT);
    snprintf(out, n, "%s", t);
    free(t);
    json_decref(b);
}

/* Log in; fill cookie ("rapport_session=...") and csrf. */
static void login(rp_srv *s, char *cookie, size_t cn, char *csrf, size_t csn)
{
    char body[300];
    login_body(body, sizeof body, s->admin_email, s->admin_password);
    rp_http r;
    send_anon(s, "POST", "/api/v1/session", body, NULL, &r);
    if (r.status != 201)
        fprintf(stderr, "login: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    assert_non_null(strstr(r.set_cookie, "rapport_session="));
    assert_non_null(strstr(r.set_cookie, "HttpOnly"));
    assert_non_null(strstr(r.set_cookie, "SameSite=Strict"));
    assert_non_null(strstr(r.set_cookie, "Path=/"));
    size_t vl = strcspn(r.set_cookie, ";");
    assert_true(vl < cn);
    memcpy(cookie, r.set_cookie, vl);
    cookie[vl] = '\0';
    json_t *agent = json_object_get(r.json, "agent");
    assert_string_equal(json_string_value(json_object_get(agent, "email")),
                        s->admin_email);
    assert_string_equal(json_string_value(json_object_get(agent, "role")),
                        "admin");
    assert_null(json_object_get(agent, "password_hash"));
    const char *t = json_string_value(json_object_get(r.json, "csrf_token"));
    assert_non_null(t);
    assert_true(strlen(t) == 64 && strlen(t) < csn);
    snprintf(csrf, csn, "%s", t);
    rp_http_free(&r);
}

static void test_session_cookie_csrf_and_logout(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    char cookie[200], csrf[80], hcookie[260], hcsrf[120];
    login(&s, cookie, sizeof cookie, csrf, sizeof csrf);
    snprintf(hcookie, sizeof hcookie, "Cookie: %s", cookie);
    snprintf(hcsrf, sizeof hcsrf, "X-CSRF-Token: %s", csrf);

    /* The cookie alone reads. */
    const char *h_cookie[] = {hcookie, NULL};
    rp_http r;
    send_anon(&s, "GET", "/api/v1/session", NULL, h_cookie, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(
        json_string_value(json_object_get(r.json, "csrf_token")), csrf);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(r.json, "agent"), "id")),
                     s.admin_id);
    rp_http_free(&r);

    /* A change with the cookie but without (or with a wrong) CSRF token. */
    const char *body = "{\"name\":\"Lena Fischer\"}";
    send_anon(&s, "POST", "/api/v1/customers", body, h_cookie, &r);
    rp_assert_error(&r, 403, "csrf", NULL);
    rp_http_free(&r);
    const char *h_bad[] = {
        hcookie,
        "X-CSRF-Token: "
        "0000000000000000000000000000000000000000000000000000000000000000",
        NULL};
    send_anon(&s, "POST", "/api/v1/customers", body, h_bad, &r);
    rp_assert_error(&r, 403, "csrf", NULL);
    rp_http_free(&r);
    assert_int_equal(rp_list_count(&s, "/api/v1/customers"), 0); /* no change */

    /* With it, the change is made and recorded as done by this agent. */
    const char *h_ok[] = {hcookie, hcsrf, NULL};
    send_anon(&s, "POST", "/api/v1/customers", body, h_ok, &r);
    assert_int_equal(r.status, 201);
    long long cid = (long long)json_integer_value(
        json_object_get(r.json, "id"));
    rp_http_free(&r);
    char path[80], actor[40];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments", cid);
    json_t *m = rp_call(&s, "GET", path, NULL, 200);
    snprintf(actor, sizeof actor, "agent:%lld", s.admin_id);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(m, "items"), 0), "actor")),
        actor);
    json_decref(m);

    /* A session answers GET /session; a bearer token does too, without CSRF. */
    json_t *who = rp_call(&s, "GET", "/api/v1/session", NULL, 200);
    assert_true(json_is_null(json_object_get(who, "csrf_token")));
    json_decref(who);

    /* Logout needs the CSRF token, ends the session, clears the cookie. */
    send_anon(&s, "DELETE", "/api/v1/session", NULL, h_cookie, &r);
    rp_assert_error(&r, 403, "csrf", NULL);
    rp_http_free(&r);
    send_anon(&s, "DELETE", "/api/v1/session", NULL, h_ok, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.set_cookie, "Max-Age=0"));
    rp_http_free(&r);
    send_anon(&s, "GET", "/api/v1/session", NULL, h_cookie, &r);
    rp_assert_error(&r, 401, "unauthorized", NULL);
    assert_non_null(strstr(r.www_authenticate, "Bearer"));
    rp_http_free(&r);

    /* Logout removed the session row itself (sessions are not listed by
     * any endpoint, so the table is read). */
    assert_int_equal(rp_db_count(&s, "agent_sessions"), 0);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

static void test_bad_credentials(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    rp_http r;
    send_anon(&s, "GET", "/api/v1/customers", NULL, NULL, &r);
    rp_assert_error(&r, 401, "unauthorized", NULL);
    rp_http_free(&r);
    const char *h_junk[] = {"Authorization: Bearer rpt_not-a-token", NULL};
    send_anon(&s, "GET", "/api/v1/customers", NULL, h_junk, &r);
    rp_assert_error(&r, 401, "unauthorized", NULL);
    rp_http_free(&r);
    const char *h_basic[] = {"Authorization: Basic YWRtaW46YWRtaW4=", NULL};
    send_anon(&s, "GET", "/api/v1/customers", NULL, h_basic, &r);
    rp_assert_error(&r, 401, "unauthorized", NULL);
    rp_http_free(&r);
    const char *h_cookie[] = {
        "Cookie: "
        "rapport_session="
        "0123456789012345678901234567890123456789012345678901234567890123",
        NULL};
    send_anon(&s, "GET", "/api/v1/customers", NULL, h_cookie, &r);
    rp_assert_error(&r, 401, "unauthorized", NULL);
    rp_http_free(&r);

    /* Wrong password and unknown email get the same answer. */
    char body[300];
    login_body(body, sizeof body, s.admin_email, "wrong password here");
    send_anon(&s, "POST", "/api/v1/session", body, NULL, &r);
    rp_assert_error(&r, 401, "unauthorized", NULL);
    char msg1[200];
    snprintf(msg1, sizeof msg1, "%s", r.body);
    rp_http_free(&r);
    login_body(body, sizeof body, "nobody@e2e.example", "wrong password here");
    send_anon(&s, "POST", "/api/v1/session", body, NULL, &r);
    rp_assert_error(&r, 401, "unauthorized", NULL);
    assert_string_equal(r.body, msg1);
    rp_http_free(&r);
    send_anon(&s, "POST", "/api/v1/session", "{\"email\":\"x@y.example\"}",
              NULL, &r);
    rp_assert_error(&r, 422, "invalid", "password");
    rp_http_free(&r);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

static void test_tokens_revoke_and_roles(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    char admin[160], agent[160];
    memcpy(admin, s.token, sizeof admin);
    long long agent_id = rp_srv_agent_for(&s, "agent", agent, sizeof agent);

    /* Only the SHA-256 is stored: the token text is nowhere in the file. */
    char secret[65];
    snprintf(secret, sizeof secret, "%.64s", agent + 4);
    assert_false(rp_db_holds(&s, secret));

    /* The agent makes a token of its own through the API and lists it. */
    snprintf(s.token, sizeof s.token, "%s", agent);
    json_t *t = rp_callf(&s, "POST", "/api/v1/tokens", 201,
                         "{\"name\":\"script\"}");
    const char *mine = json_string_value(json_object_get(t, "token"));
    assert_non_null(mine);
    assert_int_equal(strncmp(mine, "rpt_", 4), 0);
    assert_int_equal(json_integer_value(json_object_get(t, "agent_id")),
                     agent_id);
    char mine_copy[160];
    snprintf(mine_copy, sizeof mine_copy, "%s", mine);
    long long mine_id = (long long)json_integer_value(json_object_get(t, "id"));
    json_decref(t);
    json_t *l = rp_call(&s, "GET", "/api/v1/tokens", NULL, 200);
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(l, "items"), i, row) {
        assert_int_equal(json_integer_value(json_object_get(row, "agent_id")),
                         agent_id);
        assert_null(json_object_get(row, "token"));
        assert_null(json_object_get(row, "token_hash"));
    }
    assert_int_equal(json_array_size(json_object_get(l, "items")), 2);
    json_decref(l);
    /* Not for someone else, and not someone else's token. */
    char body[80];
    snprintf(body, sizeof body, "{\"name\":\"x\",\"agent_id\":%lld}",
             s.admin_id);
    rp_http r;
    rp_http_send(&s, "POST", "/api/v1/tokens", "application/json", body,
                 strlen(body), NULL, &r);
    rp_assert_error(&r, 403, "forbidden", "agent_id");
    rp_http_free(&r);
    rp_http_send(&s, "DELETE", "/api/v1/tokens/1", NULL, NULL, 0, NULL, &r);
    rp_assert_error(&r, 404, "not_found", "id");
    rp_http_free(&r);
    /* Wrong role. */
    rp_http_send(&s, "POST", "/api/v1/queues", "application/json",
                 "{\"name\":\"q\"}", 12, NULL, &r);
    rp_assert_error(&r, 403, "forbidden", NULL);
    rp_http_free(&r);
    rp_http_send(&s, "GET", "/api/v1/agents", NULL, NULL, 0, NULL, &r);
    rp_assert_error(&r, 403, "forbidden", NULL);
    rp_http_free(&r);

    /* The agent revokes its own new token: it stops working at once. */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/tokens/%lld", mine_id);
    json_decref(rp_call(&s, "DELETE", path, NULL, 200));
    snprintf(s.token, sizeof s.token, "%s", mine_copy);
    rp_http_send(&s, "GET", "/api/v1/customers", NULL, NULL, 0, NULL, &r);
    rp_assert_error(&r, 401, "unauthorized", NULL);
    rp_http_free(&r);

    /* The admin revokes the agent's first token through the CLI. */
    snprintf(s.token, sizeof s.token, "%s", agent);
    json_decref(rp_call(&s, "GET", "/api/v1/customers", NULL, 200));
    char *out = NULL;
    json_t *all;
    memcpy(s.token, admin, sizeof admin);
    all = rp_call(&s, "GET", "/api/v1/tokens", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(all, "items")), 3);
    long long first = 0;
    json_array_foreach(json_object_get(all, "items"), i, row)
        if (json_integer_value(json_object_get(row, "agent_id")) == agent_id &&
            !first)
            first = (long long)json_integer_value(json_object_get(row, "id"));
    json_decref(all);
    char idtext[32];
    snprintf(idtext, sizeof idtext, "%lld", first);
    assert_int_equal(rp_cli(&s, &out, "token", "revoke", idtext, NULL), 0);
    free(out);
    assert_int_equal(rp_cli(&s, &out, "token", "revoke", idtext, NULL), 3);
    free(out);
    snprintf(s.token, sizeof s.token, "%s", agent);
    rp_http_send(&s, "GET", "/api/v1/customers", NULL, NULL, 0, NULL, &r);
    rp_assert_error(&r, 401, "unauthorized", NULL);
    rp_http_free(&r);

    /* A deactivated agent's tokens stop working too. */
    memcpy(s.token, admin, sizeof admin);
    char lead[160];
    long long lead_id = rp_srv_agent_for(&s, "lead", lead, sizeof lead);
    snprintf(path, sizeof path, "/api/v1/agents/%lld", lead_id);
    json_decref(rp_callf(&s, "PATCH", path, 200, "{\"active\":false}"));
    snprintf(s.token, sizeof s.token, "%s", lead);
    rp_http_send(&s, "GET", "/api/v1/customers", NULL, NULL, 0, NULL, &r);
    rp_assert_error(&r, 401, "unauthorized", NULL);
    rp_http_free(&r);
    /* The last admin cannot lock everyone out. */
    memcpy(s.token, admin, sizeof admin);
    snprintf(path, sizeof path, "/api/v1/agents/%lld", s.admin_id);
    rp_http_send(&s, "PATCH", path, "application/json", "{\"role\":\"lead\"}",
                 15, NULL, &r);
    rp_assert_error(&r, 409, "conflict", "role");
    /* the reason, for the console to say in the agent's words */
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(r.json, "error"), "reason")),
                        "last_admin");
    rp_http_free(&r);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

static void test_agents_api_and_cli(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    json_t *a = rp_callf(
        &s, "POST", "/api/v1/agents", 201,
        "{\"name\":\"Ada Byron\",\"email\":\"ada@e2e.example\","
        "\"role\":\"lead\",\"skills\":[\"Billing\",\"phone\"],"
        "\"password\":\"correct horse battery\"}");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(a, "skills"), 0)),
        "billing");
    assert_true(json_is_true(json_object_get(a, "active")));
    assert_null(json_object_get(a, "password"));
    assert_null(json_object_get(a, "password_hash"));
    json_decref(a);
    rp_http r;
    const char *dup =
        "{\"name\":\"Ada 2\",\"email\":\"ADA@e2e.example\",\"role\":\"agent\"}";
    rp_http_send(&s, "POST", "/api/v1/agents", "application/json", dup,
                 strlen(dup), NULL, &r);
    rp_assert_error(&r, 409, "conflict", "email");
    /* the reason, for the console to say in the agent's words */
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(r.json, "error"), "reason")),
                        "taken");
    rp_http_free(&r);
    const char *shortpw = "{\"name\":\"B\",\"email\":\"b@e2e.example\","
                          "\"role\":\"agent\",\"password\":\"short\"}";
    rp_http_send(&s, "POST", "/api/v1/agents", "application/json", shortpw,
                 strlen(shortpw), NULL, &r);
    rp_assert_error(&r, 422, "invalid", "password");
    rp_http_free(&r);
    const char *badrole =
        "{\"name\":\"B\",\"email\":\"b@e2e.example\",\"role\":\"root\"}";
    rp_http_send(&s, "POST", "/api/v1/agents", "application/json", badrole,
                 strlen(badrole), NULL, &r);
    rp_assert_error(&r, 422, "invalid", "role");
    rp_http_free(&r);
    json_t *l = rp_call(&s, "GET", "/api/v1/agents", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 2);
    json_decref(l);

    /* The CLI: list, passwd (then the new password signs in), deactivate. */
    char *out = NULL;
    assert_int_equal(rp_cli(&s, &out, "agent", "list", NULL), 0);
    assert_non_null(strstr(out, "ada@e2e.example"));
    free(out);
    assert_int_equal(
        rp_cli(&s, &out, "agent", "passwd", "2", "--generate-password", NULL),
        0);
    char *pw = strstr(out, "password: ");
    assert_non_null(pw);
    pw += 10;
    pw[strcspn(pw, "\n")] = '\0';
    char body[200];
    snprintf(body, sizeof body,
             "{\"email\":\"ada@e2e.example\",\"password\":\"%s\"}", pw);
    free(out);
    char saved[sizeof s.token];
    memcpy(saved, s.token, sizeof saved);
    s.token[0] = '\0';
    json_decref(rp_callf(&s, "POST", "/api/v1/session", 201, body));
    memcpy(s.token, saved, sizeof saved);
    assert_int_equal(rp_cli(&s, &out, "agent", "deactivate", "2", NULL), 0);
    free(out);
    s.token[0] = '\0';
    rp_http_send(&s, "POST", "/api/v1/session", "application/json", body,
                 strlen(body), NULL, &r);
    rp_assert_error(&r, 401, "unauthorized", NULL);
    rp_http_free(&r);
    memcpy(s.token, saved, sizeof saved);
    /* No built-in password: init without one is refused. */
    assert_int_equal(rp_cli(&s, &out, "init", "--admin-email", "x@e2e.example",
                            "--admin-name", "X", NULL),
                     3);
    free(out);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Log in from the loopback address from; fill r. */
static void login_from(rp_srv *s, const char *from, const char *body,
                       rp_http *r)
{
    snprintf(s->source, sizeof s->source, "%s", from);
    send_anon(s, "POST", "/api/v1/session", body, NULL, r);
    s->source[0] = '\0';
}

/*
 * Failed logins slow the address they come from, never the account
 * everywhere: an attacker at 127.0.0.2 guessing the admin's password is
 * made to wait, while the admin at 127.0.0.3 signs in.
 */
static void test_failed_logins_are_throttled(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    char bad[300], good[300];
    login_body(bad, sizeof bad, s.admin_email, "not the password");
    login_body(good, sizeof good, s.admin_email, s.admin_password);
    rp_http r;
    int failed = 0; /* wrong passwords from 127.0.0.2: the address's count */
    /* Four failures, then a success: the count starts again. */
    for (int i = 0; i < 4; i++, failed++) {
        login_from(&s, "127.0.0.2", bad, &r);
        rp_assert_error(&r, 401, "unauthorized", NULL);
        rp_http_free(&r);
    }
    login_from(&s, "127.0.0.2", good, &r);
    assert_int_equal(r.status, 201);
    rp_http_free(&r);
    /* Five failures in a row from 127.0.0.2: then from there even the
     * right password must wait... */
    for (int i = 0; i < 5; i++, failed++) {
        login_from(&s, "127.0.0.2", bad, &r);
        rp_assert_error(&r, 401, "unauthorized", NULL);
        rp_http_free(&r);
    }
    login_from(&s, "127.0.0.2", good, &r);
    double refused_at = now_s();
    rp_assert_error(&r, 429, "rate_limited", NULL);
    int retry = atoi(r.retry_after);
    assert_true(retry > 0 && retry <= 15);
    rp_http_free(&r);
    /* ...and the count is in the database: a restart does not lift it
     * (asked only while the delay certainly runs). */
    rp_srv_stop(&s);
    rp_srv_start(&s);
    login_from(&s, "127.0.0.2", good, &r);
    if (now_s() - refused_at < retry - 1)
        rp_assert_error(&r, 429, "rate_limited", NULL);
    else
        printf("auth: the restart took longer than the delay; not checked\n");
    rp_http_free(&r);
    /* Meanwhile the owner, elsewhere, signs in at once, as often as the
     * attacker keeps trying. */
    for (int i = 0; i < 3; i++) {
        login_from(&s, "127.0.0.3", good, &r);
        assert_int_equal(r.status, 201);
        rp_http_free(&r);
        login_from(&s, "127.0.0.2", bad, &r);
        assert_true(r.status == 429 || r.status == 401);
        failed += r.status == 401;
        rp_http_free(&r);
    }
    /* Per address: guesses at other accounts from 127.0.0.2 are let
     * through until the address has 20 failures in all. */
    int limited_after = -1;
    for (int i = 0; i < 25 && limited_after < 0; i++) {
        char other[300], email[64];
        snprintf(email, sizeof email, "guess%d@e2e.example", i);
        login_body(other, sizeof other, email, "whatever password");
        login_from(&s, "127.0.0.2", other, &r);
        assert_true(r.status == 401 || r.status == 429);
        if (r.status == 429) {
            limited_after = i;
            assert_true(atoi(r.retry_after) > 0);
        }
        rp_http_free(&r);
    }
    assert_int_equal(failed + limited_after, 20);
    /* The admin from another address still gets in; bearer tokens are
     * not affected at all. */
    login_from(&s, "127.0.0.3", good, &r);
    assert_int_equal(r.status, 201);
    rp_http_free(&r);
    json_decref(rp_call(&s, "GET", "/api/v1/customers", NULL, 200));
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_cookie_csrf_and_logout),
        cmocka_unit_test(test_bad_credentials),
        cmocka_unit_test(test_tokens_revoke_and_roles),
        cmocka_unit_test(test_agents_api_and_cli),
        cmocka_unit_test(test_failed_logins_are_throttled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
