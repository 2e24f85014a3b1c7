/*
 * test_authz.c - the authorization walk: EVERY route rapportd serves
 * (`rapportd --routes` prints its route table) is called with no
 * credentials, with a token of each role, with a revoked token, and with a
 * browser session without and with its CSRF token; each status is checked.
 *
 * The list below says who may call each route.  It must name every route
 * of the table and nothing else: a route added to routes.c without being
 * added here fails this test, so no endpoint escapes the walk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

typedef struct expect {
    const char *method, *pattern, *access; /* public, agent, lead, admin,
                                              mail */
} expect;

static const expect expected[] = {
    {"GET", "/healthz", "public"},
    {"GET", "/api/v1/customers", "agent"},
    {"POST", "/api/v1/customers", "agent"},
    {"GET", "/api/v1/customers/{id}", "agent"},
    {"PATCH", "/api/v1/customers/{id}", "agent"},
    {"GET", "/api/v1/customers/{id}/moments", "agent"},
    {"GET", "/api/v1/encounters", "agent"},
    {"POST", "/api/v1/encounters", "agent"},
    {"GET", "/api/v1/encounters/{id}", "agent"},
    {"POST", "/api/v1/session", "public"},
    {"GET", "/api/v1/session", "agent"},
    {"PATCH", "/api/v1/session", "agent"},
    {"DELETE", "/api/v1/session", "agent"},
    {"GET", "/api/v1/agents", "admin"},
    {"POST", "/api/v1/agents", "admin"},
    {"PATCH", "/api/v1/agents/{id}", "admin"},
    {"GET", "/api/v1/tokens", "agent"},
    {"POST", "/api/v1/tokens", "agent"},
    {"DELETE", "/api/v1/tokens/{id}", "agent"},
    {"GET", "/api/v1/queues", "agent"},
    {"POST", "/api/v1/queues", "lead"},
    {"PATCH", "/api/v1/queues/{id}", "lead"},
    {"GET", "/api/v1/kb/search", "agent"},
    {"GET", "/api/v1/kb/articles", "agent"},
    {"GET", "/api/v1/kb/tags", "agent"},
    {"POST", "/api/v1/kb/articles", "lead"},
    {"GET", "/api/v1/kb/articles/{id}", "agent"},
    {"PATCH", "/api/v1/kb/articles/{id}", "lead"},
    {"POST", "/api/v1/kb/articles/{id}/feedback", "agent"},
    {"GET", "/api/v1/encounters/{id}/kb_suggestions", "agent"},
    /* the encounter cycle and its records */
    {"PATCH", "/api/v1/encounters/{id}", "agent"},
    {"POST", "/api/v1/encounters/{id}/acknowledge", "agent"},
    {"POST", "/api/v1/encounters/{id}/advance", "agent"},
    {"POST", "/api/v1/encounters/{id}/abandon", "agent"},
    {"POST", "/api/v1/encounters/{id}/defects", "agent"},
    {"POST", "/api/v1/encounters/{id}/special_requests", "agent"},
    {"POST", "/api/v1/encounters/{id}/promises", "agent"},
    {"POST", "/api/v1/encounters/{id}/transfers", "agent"},
    {"POST", "/api/v1/encounters/{id}/follow_ups", "agent"},
    {"POST", "/api/v1/encounters/{id}/satisfaction", "agent"},
    {"GET", "/api/v1/encounters/{id}/guide", "agent"},
    {"POST", "/api/v1/tasks/{id}/complete", "agent"},
    {"POST", "/api/v1/tasks/{id}/move", "agent"},
    {"GET", "/api/v1/customers/{id}/overview", "agent"},
    /* measures */
    {"GET", "/api/v1/encounters/{id}/measures", "agent"},
    {"GET", "/api/v1/encounters/{id}/record", "agent"},
    {"GET", "/api/v1/charter", "agent"},
    {"PUT", "/api/v1/charter", "lead"},
    {"GET", "/api/v1/charter/breaches", "agent"},
    {"POST", "/api/v1/promises/{id}/keep", "agent"},
    {"GET", "/api/v1/metrics/service", "agent"},
    {"GET", "/metrics", "agent"},
    /* profile, offers and follow-up */
    {"GET", "/api/v1/customers/{id}/preferences", "agent"},
    {"POST", "/api/v1/customers/{id}/preferences", "agent"},
    {"PATCH", "/api/v1/customers/{id}/preferences/{item}", "agent"},
    {"DELETE", "/api/v1/customers/{id}/preferences/{item}", "agent"},
    {"GET", "/api/v1/customers/{id}/goals", "agent"},
    {"POST", "/api/v1/customers/{id}/goals", "agent"},
    {"PATCH", "/api/v1/customers/{id}/goals/{item}", "agent"},
    {"DELETE", "/api/v1/customers/{id}/goals/{item}", "agent"},
    {"GET", "/api/v1/customers/{id}/dates", "agent"},
    {"POST", "/api/v1/customers/{id}/dates", "agent"},
    {"PATCH", "/api/v1/customers/{id}/dates/{item}", "agent"},
    {"DELETE", "/api/v1/customers/{id}/dates/{item}", "agent"},
    {"GET", "/api/v1/customers/{id}/consents", "agent"},
    {"POST", "/api/v1/customers/{id}/consents", "agent"},
    {"PATCH", "/api/v1/customers/{id}/consents/{item}", "agent"},
    {"DELETE", "/api/v1/customers/{id}/consents/{item}", "agent"},
    {"GET", "/api/v1/customers/{id}/loyalty", "agent"},
    {"GET", "/api/v1/customers/{id}/satisfaction", "agent"},
    {"GET", "/api/v1/customers/{id}/recommendations", "agent"},
    {"POST", "/api/v1/customers/{id}/recommendations/{product}/accept",
     "agent"},
    {"POST", "/api/v1/customers/{id}/recommendations/{product}/decline",
     "agent"},
    {"POST", "/api/v1/customers/{id}/recommendations/shown", "agent"},
    {"GET", "/api/v1/products", "agent"},
    {"POST", "/api/v1/products", "lead"},
    {"GET", "/api/v1/products/{id}", "agent"},
    {"PATCH", "/api/v1/products/{id}", "lead"},
    {"GET", "/api/v1/tasks", "agent"},
    {"GET", "/api/v1/tasks/{id}", "agent"},
    {"POST", "/api/v1/tasks/{id}/retry", "agent"},
    {"GET", "/api/v1/followups", "agent"},
    {"POST", "/api/v1/scheduler/run", "admin"},
    {"GET", "/api/v1/loyalty/tiers", "agent"},
    {"PUT", "/api/v1/loyalty/tiers", "admin"},
    {"GET", "/s/style.css", "public"},
    {"GET", "/s/{token}", "public"},
    {"POST", "/s/{token}", "public"},
    /* conversations */
    {"GET", "/api/v1/encounters/{id}/messages", "agent"},
    {"POST", "/api/v1/encounters/{id}/messages", "agent"},
    {"GET", "/api/v1/messages/{id}", "agent"},
    {"POST", "/api/v1/messages/{id}/send", "agent"},
    {"GET", "/api/v1/attachments/{id}", "agent"},
    {"POST", "/api/v1/conversation/inbound", "admin"},
    {"POST", "/api/v1/outbox/run", "admin"},
    {"GET", "/api/v1/conversation/settings", "agent"},
    {"PUT", "/api/v1/conversation/settings", "admin"},
    {"PUT", "/api/v1/queues/{id}/mail", "admin"},
    {"GET", "/api/v1/mail/kept", "admin"},
    /* email in: an admin or a mail-only token (test_mail_in walks those) */
    {"POST", "/api/v1/mail/inbound", "mail"},
    /* the customer's help pages */
    {"GET", "/help", "public"},
    {"POST", "/help", "public"},
    {"GET", "/help/style.css", "public"},
    {"GET", "/help/r/{token}", "public"},
    {"POST", "/help/r/{token}", "public"},
    {"GET", "/help/r/{token}/files/{id}", "public"},
    /* least privilege (test_privilege walks the scopes and queues) */
    {"GET", "/api/v1/queues/{id}/access", "agent"},
    {"PUT", "/api/v1/queues/{id}/access", "admin"},
    /* the API's OpenAPI document */
    {"GET", "/api/v1/openapi.json", "public"},
    /* the audit log and the customer's export */
    {"GET", "/api/v1/audit", "admin"},
    /* the Zendesk-compatible API */
    {"GET", "/api/v2/tickets", "agent"},
    {"POST", "/api/v2/tickets", "agent"},
    {"GET", "/api/v2/tickets/{id}", "agent"},
    {"PUT", "/api/v2/tickets/{id}", "agent"},
    {"GET", "/api/v2/tickets/{id}/comments", "agent"},
    {"GET", "/api/v2/users/me", "agent"},
    {"GET", "/api/v2/users/search", "agent"},
    {"POST", "/api/v2/users", "agent"},
    {"GET", "/api/v2/users/{id}", "agent"},
    {"GET", "/api/v2/users/{id}/tickets/requested", "agent"},
    {"GET", "/api/v2/search", "agent"},
    /* event webhooks */
    {"GET", "/api/v1/webhooks", "admin"},
    {"POST", "/api/v1/webhooks", "admin"},
    {"GET", "/api/v1/webhooks/events", "admin"},
    {"GET", "/api/v1/webhooks/{id}", "admin"},
    {"PATCH", "/api/v1/webhooks/{id}", "admin"},
    {"DELETE", "/api/v1/webhooks/{id}", "admin"},
    {"GET", "/api/v1/webhooks/{id}/deliveries", "admin"},
    {"GET", "/api/v1/customers/{id}/export", "agent"},
    {"GET", "/api/v1/export_requests", "agent"},
    {"POST", "/api/v1/export_requests/{id}/approve", "agent"},
    {"POST", "/help/r/{token}/export", "public"},
    {"GET", "/help/r/{token}/export", "public"},
    /* the Zendesk-compatible API: Zendesk's credentials (tokens only, no
     * browser session) and error bodies */
    /* CSV in */
    {"POST", "/api/v1/imports/customers", "lead"},
    /* erasure and the desk's privacy settings */
    {"DELETE", "/api/v1/customers/{id}", "lead"},
    {"GET", "/api/v1/privacy/settings", "admin"},
    {"PUT", "/api/v1/privacy/settings", "admin"},
    /* merging customers, and possible duplicates */
    {"POST", "/api/v1/customers/{id}/merge", "admin"},
    {"GET", "/api/v1/customers/{id}/duplicates", "agent"},
    /* the charter's calendar and history */
    {"GET", "/api/v1/charter/versions", "agent"},
    {"GET", "/api/v1/queues/{id}/hours", "agent"},
    {"PUT", "/api/v1/queues/{id}/hours", "lead"},
    {"GET", "/api/v1/holidays", "agent"},
    {"PUT", "/api/v1/holidays", "lead"},
    /* a phone system's calls */
    {"POST", "/api/v1/telephony/calls", "agent"},
    {"GET", "/api/v1/telephony/calls/{call_id}", "agent"},
    {"POST", "/api/v1/telephony/calls/{call_id}/events", "agent"},
    /* the work lists, and who handles an encounter */
    {"GET", "/api/v1/encounters/counts", "agent"},
    {"GET", "/api/v1/encounters/assignees", "lead"},
    {"POST", "/api/v1/encounters/{id}/take", "agent"},
    {"POST", "/api/v1/encounters/{id}/assign", "agent"},
    /* where email and text messages go */
    {"GET", "/api/v1/delivery/settings", "admin"},
    {"PUT", "/api/v1/delivery/settings", "admin"},
    {"GET", "/api/v1/delivery/status", "agent"},
    {"POST", "/api/v1/delivery/test", "admin"},
};
#define NEXPECTED (sizeof expected / sizeof expected[0])

static int rank(const char *access)
{
    return !strcmp(access, "admin") || !strcmp(access, "mail") ? 3
           : !strcmp(access, "lead")                           ? 2
           : !strcmp(access, "agent")                          ? 1
                                                               : 0;
}

typedef struct route {
    char method[16], pattern[200], access[16];
} route;

/* The live route table, from `rapportd --routes` (a markdown table:
 * "| GET | `/api/v1/customers` | agent | list | ... |"). */
static int load_routes(route *out, int max)
{
    FILE *p = popen(RAPPORTD_PATH " --routes", "r");
    assert_non_null(p);
    int n = 0;
    char line[400];
    while (n < max && fgets(line, sizeof line, p))
        if (sscanf(line, "| %15s | `%199[^`]` | %15[a-z]", out[n].method,
                   out[n].pattern, out[n].access) == 3)
            n++;
    assert_int_equal(pclose(p), 0);
    return n;
}

/* pattern with every {param} replaced by an id that names nothing. */
static void concrete(const char *pattern, char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = pattern; *p && o + 8 < n;) {
        if (*p == '{') {
            o += (size_t)snprintf(out + o, n - o, "999999");
            p = strchr(p, '}') ? strchr(p, '}') + 1 : p + strlen(p);
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
}

static int has_body(const char *method)
{
    return !strcmp(method, "POST") || !strcmp(method, "PATCH") ||
           !strcmp(method, "PUT");
}

/* Call route r with the given token (may be "") and extra headers. */
static void call(rp_srv *s, const route *r, const char *token,
                 const char *const *headers, rp_http *out)
{
    char saved[sizeof s->token], path[256];
    memcpy(saved, s->token, sizeof saved);
    snprintf(s->token, sizeof s->token, "%s", token);
    concrete(r->pattern, path, sizeof path);
    int body = has_body(r->method);
    rp_http_send(s, r->method, path, body ? "application/json" : NULL,
                 body ? "{}" : NULL, body ? 2 : 0, headers, out);
    memcpy(s->token, saved, sizeof saved);
}

/* A route of the Zendesk-compatible API: tokens only, Zendesk's errors. */
static int is_zendesk(const route *r)
{
    return !strncmp(r->pattern, "/api/v2/", 8);
}

static void check(const route *r, const char *who, rp_http *h, long status,
                  const char *code)
{
    int ok;
    if (status && is_zendesk(r)) /* Zendesk's error names */
        ok = h->status == status && h->json &&
             json_is_string(json_object_get(h->json, "error")) &&
             !strcmp(json_string_value(json_object_get(h->json, "error")),
                     status == 401 ? "Couldn't authenticate you" : "Forbidden");
    else if (status) /* exactly this status and code */
        ok = h->status == status && h->json &&
             !strcmp(json_string_value(json_object_get(
                         json_object_get(h->json, "error"), "code")),
                     code);
    else /* let through: anything but 401/403 (and no server error) */
        ok = h->status != 401 && h->status != 403 && h->status < 500;
    if (!ok)
        fprintf(stderr, "authz: %s %s as %s: got %ld %s, expected %s%ld %s\n",
                r->method, r->pattern, who, h->status, h->body,
                status ? "" : "not 401/403/5xx", status, status ? code : "");
    assert_true(ok);
}

static void test_every_route_with_every_kind_of_caller(void **state)
{
    (void)state;
    route routes[200];
    int n = load_routes(routes, 200);
    assert_true(n > 0);
    /* The list above and the table agree, both ways. */
    for (int i = 0; i < n; i++) {
        const expect *e = NULL;
        for (size_t k = 0; k < NEXPECTED; k++)
            if (!strcmp(expected[k].method, routes[i].method) &&
                !strcmp(expected[k].pattern, routes[i].pattern))
                e = &expected[k];
        if (!e)
            fprintf(stderr,
                    "authz: route %s %s is not in test_authz.c's list; "
                    "add it with who may call it\n",
                    routes[i].method, routes[i].pattern);
        assert_non_null(e);
        if (strcmp(e->access, routes[i].access) != 0)
            fprintf(stderr, "authz: %s %s is %s in the table, %s in the test\n",
                    routes[i].method, routes[i].pattern, routes[i].access,
                    e->access);
        assert_string_equal(e->access, routes[i].access);
    }
    assert_int_equal((size_t)n, NEXPECTED);

    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    char tok[4][160], revoked[160];
    snprintf(tok[3], sizeof tok[3], "%s", s.token);
    rp_srv_token_for(&s, "agent", tok[1], sizeof tok[1]);
    rp_srv_token_for(&s, "lead", tok[2], sizeof tok[2]);
    rp_srv_token_for(&s, "admin", revoked, sizeof revoked);
    /* Revoke the last token made (an admin's: revocation beats role). */
    json_t *tl = rp_call(&s, "GET", "/api/v1/tokens?limit=500", NULL, 200);
    json_t *items = json_object_get(tl, "items");
    char last[32], *out = NULL;
    snprintf(last, sizeof last, "%lld",
             (long long)json_integer_value(json_object_get(
                 json_array_get(items, json_array_size(items) - 1), "id")));
    json_decref(tl);
    assert_int_equal(rp_cli(&s, &out, "token", "revoke", last, NULL), 0);
    free(out);

    /* A browser session of the admin, for the CSRF walk. */
    char body[300], cookie[200], csrf_h[120];
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}",
             s.admin_email, s.admin_password);
    rp_http h;
    char saved[sizeof s.token];
    memcpy(saved, s.token, sizeof saved);
    s.token[0] = '\0';
    rp_http_send(&s, "POST", "/api/v1/session", "application/json", body,
                 strlen(body), NULL, &h);
    memcpy(s.token, saved, sizeof saved);
    assert_int_equal(h.status, 201);
    snprintf(cookie, sizeof cookie, "Cookie: %.*s",
             (int)strcspn(h.set_cookie, ";"), h.set_cookie);
    snprintf(csrf_h, sizeof csrf_h, "X-CSRF-Token: %s",
             json_string_value(json_object_get(h.json, "csrf_token")));
    rp_http_free(&h);
    const char *no_csrf[] = {cookie, NULL};
    const char *with_csrf[] = {cookie, csrf_h, NULL};
    static const char *const roles[] = {"", "agent", "lead", "admin"};

    int walked = 0;
    for (int i = 0; i < n; i++) {
        const route *r = &routes[i];
        int need = rank(r->access);
        /* The session is ended by DELETE /session: walk it last. */
        if (!strcmp(r->method, "DELETE") &&
            !strcmp(r->pattern, "/api/v1/session"))
            continue;
        call(&s, r, "", NULL, &h);
        check(r, "nobody", &h, need ? 401 : 0, "unauthorized");
        rp_http_free(&h);
        call(&s, r, revoked, NULL, &h);
        check(r, "a revoked token", &h, need ? 401 : 0, "unauthorized");
        rp_http_free(&h);
        for (int role = 1; role <= 3; role++) {
            call(&s, r, tok[role], NULL, &h);
            check(r, roles[role], &h, need > role ? 403 : 0, "forbidden");
            rp_http_free(&h);
        }
        if (need && strcmp(r->method, "GET") != 0) {
            call(&s, r, "", no_csrf, &h);
            check(r, "a session without CSRF", &h, is_zendesk(r) ? 401 : 403,
                  "csrf");
            rp_http_free(&h);
        }
        call(&s, r, "", with_csrf, &h);
        check(r, "an admin session", &h, is_zendesk(r) ? 401 : 0, NULL);
        rp_http_free(&h);
        walked++;
    }
    /* Last: DELETE /api/v1/session, by the same rules. */
    route del = {"DELETE", "/api/v1/session", "agent"};
    call(&s, &del, "", NULL, &h);
    check(&del, "nobody", &h, 401, "unauthorized");
    rp_http_free(&h);
    call(&s, &del, revoked, NULL, &h);
    check(&del, "a revoked token", &h, 401, "unauthorized");
    rp_http_free(&h);
    call(&s, &del, "", no_csrf, &h);
    check(&del, "a session without CSRF", &h, 403, "csrf");
    rp_http_free(&h);
    call(&s, &del, "", with_csrf, &h);
    check(&del, "an admin session", &h, 0, NULL);
    rp_http_free(&h);
    call(&s, &del, "", with_csrf, &h); /* the session is gone now */
    check(&del, "an ended session", &h, 401, "unauthorized");
    rp_http_free(&h);
    assert_int_equal(walked + 1, n);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

/* A draft article is the writers' (leads and admins): to an agent it is
 * not there when read, listed, found or counted among the tags, and
 * asking for the drafts is refused; a lead sees all of it. */
static void test_drafts_are_for_writers(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    char agent[160], lead[160], path[80];
    rp_srv_token_for(&s, "agent", agent, sizeof agent);
    rp_srv_token_for(&s, "lead", lead, sizeof lead);
    snprintf(s.token, sizeof s.token, "%s", lead);
    json_t *a = rp_callf(&s, "POST", "/api/v1/kb/articles", 201,
                         "{\"title\":\"Duplicate parcels\",\"body\":\"Send "
                         "one back.\",\"tags\":[\"post\"],\"state\":"
                         "\"draft\"}");
    snprintf(path, sizeof path, "/api/v1/kb/articles/%lld",
             (long long)json_integer_value(json_object_get(a, "id")));
    json_decref(a);
    json_decref(rp_call(&s, "GET", path, NULL, 200));
    json_t *l = rp_call(&s, "GET", "/api/v1/kb/articles?state=draft", NULL,
                        200);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
    json_decref(l);
    l = rp_call(&s, "GET", "/api/v1/kb/search?q=dupl", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
    json_decref(l);

    snprintf(s.token, sizeof s.token, "%s", agent);
    rp_http r;
    rp_http_send(&s, "GET", path, NULL, NULL, 0, NULL, &r);
    rp_assert_error(&r, 404, "not_found", "id");
    rp_http_free(&r);
    rp_http_send(&s, "PATCH", path, "application/json",
                 "{\"state\":\"published\"}", 21, NULL, &r);
    assert_int_equal(r.status, 403);
    rp_http_free(&r);
    rp_http_send(&s, "GET", "/api/v1/kb/articles?state=draft", NULL, NULL, 0,
                 NULL, &r);
    rp_assert_error(&r, 403, "forbidden", "state");
    rp_http_free(&r);
    l = rp_call(&s, "GET", "/api/v1/kb/articles", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 0);
    json_decref(l);
    l = rp_call(&s, "GET", "/api/v1/kb/search?q=dupl", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 0);
    json_decref(l);
    l = rp_call(&s, "GET", "/api/v1/kb/tags", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 0);
    json_decref(l);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_with_every_kind_of_caller),
        cmocka_unit_test(test_drafts_are_for_writers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
