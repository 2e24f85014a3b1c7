/*
 * test_zendesk.c - the edges of the Zendesk-compatible API (/api/v2)
 * against the real rapportd: Zendesk's credentials and their refusals,
 * Zendesk's error bodies, its two paging styles followed link by link,
 * and input that is refused changing nothing.  The client's happy path is
 * tests/zendesk (the real node-zendesk); this is what a client does wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void base64(const char *in, char *out)
{
    static const char t[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(in), o = 0;
    const unsigned char *p = (const unsigned char *)in;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        out[o++] = t[(v >> 18) & 63];
        out[o++] = t[(v >> 12) & 63];
        out[o++] = i + 1 < n ? t[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? t[v & 63] : '=';
    }
    out[o] = '\0';
}

/* Send with Authorization: Basic base64(user:secret) (user NULL: no
 * credentials at all), never the harness's bearer token. */
static void send_basic(rp_srv *s, const char *method, const char *path,
                       const char *user, const char *secret, const char *body,
                       rp_http *out)
{
    char saved[sizeof s->token], plain[400], b64[600], hdr[700];
    /* secret may be s->token itself: read it before it is put aside */
    snprintf(plain, sizeof plain, "%s:%s", user ? user : "", secret);
    memcpy(saved, s->token, sizeof saved);
    s->token[0] = '\0';
    base64(plain, b64);
    snprintf(hdr, sizeof hdr, "Authorization: Basic %s", b64);
    const char *const headers[] = {hdr, NULL};
    rp_http_send(s, method, path, body ? "application/json" : NULL, body,
                 body ? strlen(body) : 0, user ? headers : NULL, out);
    memcpy(s->token, saved, sizeof saved);
}

/* Assert a Zendesk error body: status, "error", and (for RecordInvalid)
 * the field named in details. */
static void assert_zd_error(rp_http *r, long status, const char *error,
                            const char *field)
{
    if (r->status != status || !r->json)
        fprintf(stderr, "got %ld: %s\n", r->status, r->body);
    assert_int_equal(r->status, status);
    assert_non_null(r->json);
    assert_string_equal(json_string_value(json_object_get(r->json, "error")),
                        error);
    if (field) {
        json_t *d = json_object_get(json_object_get(r->json, "details"), field);
        assert_true(json_is_array(d));
        assert_non_null(json_string_value(
            json_object_get(json_array_get(d, 0), "description")));
    } else {
        assert_true(json_is_string(json_object_get(r->json, "description")));
    }
    /* never rapport's own error shape under /api/v2 */
    assert_false(json_is_object(json_object_get(r->json, "error")));
}

static json_t *new_ticket(rp_srv *s, const char *email, const char *subject)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"ticket\": {\"subject\": \"%s\", \"comment\": {\"body\": "
             "\"Please help with %s.\"}, \"requester\": {\"email\": \"%s\"}}}",
             subject, subject, email);
    json_t *r = rp_callf(s, "POST", "/api/v2/tickets.json", 201, body);
    json_t *t = json_incref(json_object_get(r, "ticket"));
    json_decref(r);
    return t;
}

static void test_credentials(void **state)
{
    rp_srv *s = *state;
    rp_http r;
    char user[120];
    snprintf(user, sizeof user, "%s/token", s->admin_email);

    /* the token with its own agent's address, in any case, is let in */
    send_basic(s, "GET", "/api/v2/users/me.json", user, s->token, NULL, &r);
    if (r.status != 200)
        fprintf(stderr, "as %s: %ld %s\n", user, r.status, r.body);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(r.json, "user"), "email")),
                        s->admin_email);
    rp_http_free(&r);
    char upper[120];
    snprintf(upper, sizeof upper, "%s", user);
    for (char *c = upper; *c && *c != '/'; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    send_basic(s, "GET", "/api/v2/users/me", upper, s->token, NULL, &r);
    assert_int_equal(r.status, 200);
    rp_http_free(&r);

    /* no credentials */
    send_basic(s, "GET", "/api/v2/tickets.json", NULL, "", NULL, &r);
    assert_zd_error(&r, 401, "Couldn't authenticate you", NULL);
    assert_non_null(strstr(r.www_authenticate, "Basic"));
    rp_http_free(&r);
    /* someone else's address with this token */
    send_basic(s, "GET", "/api/v2/tickets.json", "mallory@example.com/token",
               s->token, NULL, &r);
    assert_zd_error(&r, 401, "Couldn't authenticate you", NULL);
    rp_http_free(&r);
    /* a password, even the right one: passwords are for signing in */
    send_basic(s, "GET", "/api/v2/tickets.json", s->admin_email,
               s->admin_password, NULL, &r);
    assert_zd_error(&r, 401, "Couldn't authenticate you", NULL);
    assert_non_null(strstr(
        json_string_value(json_object_get(r.json, "description")), "password"));
    rp_http_free(&r);
    /* a token nobody issued */
    send_basic(s, "GET", "/api/v2/tickets.json", user,
               "rpt_0000000000000000000000000000000000000000000000000000000000"
               "000000",
               NULL, &r);
    assert_zd_error(&r, 401, "Couldn't authenticate you", NULL);
    rp_http_free(&r);
    /* not base64 at all */
    const char *const junk[] = {"Authorization: Basic %%%not-base64", NULL};
    char saved[sizeof s->token];
    memcpy(saved, s->token, sizeof saved);
    s->token[0] = '\0';
    rp_http_send(s, "GET", "/api/v2/tickets.json", NULL, NULL, 0, junk, &r);
    assert_zd_error(&r, 401, "Couldn't authenticate you", NULL);
    rp_http_free(&r);
    memcpy(s->token, saved, sizeof saved);

    /* a revoked token stops working at once */
    char other[160];
    rp_srv_agent_for(s, "agent", other, sizeof other);
    memcpy(saved, s->token, sizeof saved);
    snprintf(s->token, sizeof s->token, "%s", other);
    json_t *me = rp_call(s, "GET", "/api/v2/users/me.json", NULL, 200);
    char email[120];
    snprintf(email, sizeof email, "%s/token",
             json_string_value(
                 json_object_get(json_object_get(me, "user"), "email")));
    json_decref(me);
    json_t *tokens = rp_call(s, "GET", "/api/v1/tokens", NULL, 200);
    long long tid = json_integer_value(json_object_get(
        json_array_get(json_object_get(tokens, "items"), 0), "id"));
    json_decref(tokens);
    send_basic(s, "GET", "/api/v2/tickets.json", email, other, NULL, &r);
    assert_int_equal(r.status, 200);
    rp_http_free(&r);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/tokens/%lld", tid);
    json_decref(rp_call(s, "DELETE", path, NULL, 200));
    memcpy(s->token, saved, sizeof saved);
    send_basic(s, "GET", "/api/v2/tickets.json", email, other, NULL, &r);
    assert_zd_error(&r, 401, "Couldn't authenticate you", NULL);
    rp_http_free(&r);
}

static void test_error_shapes(void **state)
{
    rp_srv *s = *state;
    rp_http r;
    json_t *t = new_ticket(s, "errors@example.com", "shapes");
    long long id = json_integer_value(json_object_get(t, "id"));
    json_decref(t);
    long encounters = rp_list_count(s, "/api/v1/encounters");
    long customers = rp_list_count(s, "/api/v1/customers");

    rp_http_send(s, "GET", "/api/v2/tickets/999999.json", NULL, NULL, 0, NULL,
                 &r);
    assert_zd_error(&r, 404, "RecordNotFound", NULL);
    rp_http_free(&r);
    rp_http_send(s, "GET", "/api/v2/users/424242", NULL, NULL, 0, NULL, &r);
    assert_zd_error(&r, 404, "RecordNotFound", NULL);
    rp_http_free(&r);
    rp_http_send(s, "GET", "/api/v2/organizations.json", NULL, NULL, 0, NULL,
                 &r);
    assert_zd_error(&r, 404, "InvalidEndpoint", NULL);
    rp_http_free(&r);

    /* input that breaks a rule: 422 RecordInvalid naming the field, and
     * nothing is made */
    const char *bad[][2] = {
        {"{\"ticket\": {\"subject\": \"x\", \"priority\": \"whenever\", "
         "\"comment\": {\"body\": \"hi\"}, \"requester\": {\"email\": "
         "\"new1@example.com\"}}}",
         "priority"},
        {"{\"ticket\": {\"subject\": \"x\", \"requester\": {\"email\": "
         "\"new2@example.com\"}}}",
         "comment"},
        {"{\"ticket\": {\"subject\": \"x\", \"comment\": {\"body\": \"hi\"}}}",
         "requester"},
        {"{\"ticket\": {\"subject\": \"x\", \"comment\": {\"body\": \"hi\"}, "
         "\"requester\": {\"email\": \"not an address\"}}}",
         "requester.email"},
        {"{\"ticket\": {\"subject\": \"x\", \"comment\": {\"body\": \"  \"}, "
         "\"requester\": {\"email\": \"new3@example.com\"}}}",
         "comment.body"},
        {"{\"ticket\": {\"subject\": \"x\", \"comment\": {\"body\": \"hi\"}, "
         "\"requester\": {\"email\": \"new4@example.com\"}, "
         "\"assignee_id\": 5}}",
         "assignee_id"},
        {"{\"ticket\": {\"subject\": \"x\", \"comment\": {\"body\": \"hi\"}, "
         "\"requester\": {\"email\": \"new5@example.com\"}, \"group_id\": 1}}",
         "group_id"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rp_http_send(s, "POST", "/api/v2/tickets.json", "application/json",
                     bad[i][0], strlen(bad[i][0]), NULL, &r);
        assert_zd_error(&r, 422, "RecordInvalid", bad[i][1]);
        rp_http_free(&r);
    }
    assert_int_equal(rp_list_count(s, "/api/v1/encounters"), encounters);
    assert_int_equal(rp_list_count(s, "/api/v1/customers"), customers);

    /* malformed JSON, an unknown parameter, a bad page size */
    rp_http_send(s, "POST", "/api/v2/tickets.json", "application/json", "{", 1,
                 NULL, &r);
    assert_zd_error(&r, 400, "BadRequest", NULL);
    rp_http_free(&r);
    rp_http_send(s, "GET", "/api/v2/tickets.json?sort_by=id", NULL, NULL, 0,
                 NULL, &r);
    assert_zd_error(&r, 400, "BadRequest", NULL);
    rp_http_free(&r);
    rp_http_send(s, "GET", "/api/v2/tickets.json?page%5Bsize%5D=1000", NULL,
                 NULL, 0, NULL, &r);
    assert_zd_error(&r, 400, "BadRequest", NULL);
    rp_http_free(&r);
    rp_http_send(s, "GET", "/api/v2/search.json?query=organization:acme", NULL,
                 NULL, 0, NULL, &r);
    assert_zd_error(&r, 422, "RecordInvalid", "query");
    rp_http_free(&r);

    /* a state the cycle refuses: a solved ticket does not go back */
    char path[64], body[] = "{\"ticket\": {\"status\": \"solved\"}}";
    snprintf(path, sizeof path, "/api/v2/tickets/%lld.json", id);
    json_t *solved = rp_callf(s, "PUT", path, 200, body);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(solved, "ticket"), "status")),
                        "solved");
    json_decref(solved);
    const char *reopen = "{\"ticket\": {\"status\": \"open\", \"priority\": "
                         "\"urgent\"}}";
    rp_http_send(s, "PUT", path, "application/json", reopen, strlen(reopen),
                 NULL, &r);
    assert_zd_error(&r, 422, "RecordInvalid", "status");
    rp_http_free(&r);
    json_t *after = rp_call(s, "GET", path, NULL, 200);
    json_t *ticket = json_object_get(after, "ticket");
    assert_string_equal(json_string_value(json_object_get(ticket, "status")),
                        "solved");
    assert_true(json_is_null(json_object_get(ticket, "priority")));
    json_decref(after);
}

/* The path and query of an absolute link of this server. */
static const char *local(rp_srv *s, const char *link)
{
    assert_non_null(link);
    assert_int_equal(strncmp(link, s->url, strlen(s->url)), 0);
    return link + strlen(s->url);
}

static void test_paging(void **state)
{
    rp_srv *s = *state;
    long long made[5];
    for (int i = 0; i < 5; i++) {
        char email[64], subject[32];
        snprintf(email, sizeof email, "pager%d@example.com", i);
        snprintf(subject, sizeof subject, "page test %d", i);
        json_t *t = new_ticket(s, email, subject);
        made[i] = json_integer_value(json_object_get(t, "id"));
        json_decref(t);
    }
    long total = rp_list_count(s, "/api/v1/encounters");

    /* cursor style, followed link by link as a client does */
    char path[512];
    snprintf(path, sizeof path, "/api/v2/tickets.json?page%%5Bsize%%5D=2");
    long seen = 0, pages = 0, last = 0;
    for (;;) {
        json_t *p = rp_call(s, "GET", path, NULL, 200);
        json_t *items = json_object_get(p, "tickets");
        json_t *meta = json_object_get(p, "meta");
        const char *next = json_string_value(
            json_object_get(json_object_get(p, "links"), "next"));
        assert_true(json_array_size(items) <= 2);
        size_t i;
        json_t *t;
        json_array_foreach(items, i, t) {
            long id = (long)json_integer_value(json_object_get(t, "id"));
            assert_true(id > last); /* in id order, none twice */
            last = id;
            seen++;
        }
        pages++;
        int more = json_is_true(json_object_get(meta, "has_more"));
        assert_int_equal(more, next != NULL);
        if (!more) {
            json_decref(p);
            break;
        }
        assert_non_null(strstr(next, "page%5Bafter%5D="));
        snprintf(path, sizeof path, "%s", local(s, next));
        json_decref(p);
    }
    assert_int_equal(seen, total);
    assert_int_equal(pages, (total + 1) / 2);
    assert_true(last >= made[4]);

    /* offset style: next_page and previous_page, and the count */
    json_t *p = rp_call(s, "GET", "/api/v2/tickets.json?page=2&per_page=2",
                        NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(p, "count")), total);
    assert_int_equal(json_array_size(json_object_get(p, "tickets")), 2);
    const char *next = json_string_value(json_object_get(p, "next_page"));
    const char *prev = json_string_value(json_object_get(p, "previous_page"));
    assert_non_null(strstr(next, "page=3"));
    assert_non_null(strstr(prev, "page=1"));
    json_t *first = rp_call(s, "GET", local(s, prev), NULL, 200);
    assert_true(json_is_null(json_object_get(first, "previous_page")));
    json_decref(first);
    json_decref(p);
    snprintf(path, sizeof path, "/api/v2/tickets.json?page=%ld&per_page=2",
             (total + 1) / 2);
    p = rp_call(s, "GET", path, NULL, 200);
    assert_true(json_is_null(json_object_get(p, "next_page")));
    json_decref(p);

    /* search keeps its query in the links */
    p = rp_call(s, "GET",
                "/api/v2/search.json?query=type%3Aticket%20status%3Anew"
                "&per_page=2",
                NULL, 200);
    assert_true(json_integer_value(json_object_get(p, "count")) >= 5);
    next = json_string_value(json_object_get(p, "next_page"));
    assert_non_null(strstr(next, "query=type%3Aticket%20status%3Anew"));
    json_t *p2 = rp_call(s, "GET", local(s, next), NULL, 200);
    assert_int_equal(json_array_size(json_object_get(p2, "results")), 2);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(p2, "results"), 0), "result_type")),
        "ticket");
    json_decref(p2);
    json_decref(p);

    /* backwards is not supported, and says so */
    rp_http r;
    rp_http_send(s, "GET", "/api/v2/tickets.json?page%5Bbefore%5D=3", NULL,
                 NULL, 0, NULL, &r);
    assert_zd_error(&r, 400, "BadRequest", NULL);
    rp_http_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_credentials),
        cmocka_unit_test(test_error_shapes),
        cmocka_unit_test(test_paging),
    };
    return cmocka_run_group_tests(tests, rp_srv_fixture_start,
                                  rp_srv_fixture_stop);
}
