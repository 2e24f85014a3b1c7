/*
 * test_edge_input.c - input at the edges that a real desk meets by
 * accident, each refused clearly with nothing changed, or kept exactly:
 * a search that is not UTF-8, times in the years before 1000 and at the
 * end of 9999, a %00 in the address, a change that blanks or removes a
 * field every record has, an encounter of another customer named on a
 * preference, goal or date, a customer with more profile items than a
 * list holds, and uploads over the 1 MiB limit (the client must read the
 * 413, never a reset; up to 16 MiB the server reads the body through).  The
 * satisfaction form's unreadable words are checked with the real mailed link in
 * test_delivery.c.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

#define J "application/json"

static json_int_t id_of(json_t *v)
{
    json_int_t id = json_integer_value(json_object_get(v, "id"));
    json_decref(v);
    assert_true(id > 0);
    return id;
}

static json_int_t customer(rp_srv *s, const char *name)
{
    json_t *b = json_pack("{s:s}", "name", name);
    json_int_t id = id_of(rp_call(s, "POST", "/api/v1/customers", b, 201));
    json_decref(b);
    return id;
}

static json_int_t encounter(rp_srv *s, json_int_t cid)
{
    char body[160];
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"phone\",\"subject\":\"x\"}",
             (long long)cid);
    return id_of(rp_callf(s, "POST", "/api/v1/encounters", 201, body));
}

/* The body of GET path, as text, to compare before and after. */
static char *snapshot(rp_srv *s, const char *path)
{
    json_t *v = rp_call(s, "GET", path, NULL, 200);
    char *text = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(v);
    return text;
}

static void send_json(rp_srv *s, const char *method, const char *path,
                      const char *body, rp_http *r)
{
    rp_http_send(s, method, path, J, body, body ? strlen(body) : 0, NULL, r);
}

/* ---- knowledge-base search with a query that is not UTF-8 ---------------- */

static void test_kb_search_not_utf8(void **state)
{
    rp_srv *s = *state;
    json_decref(rp_callf(s, "POST", "/api/v1/kb/articles", 201,
                         "{\"title\":\"Returns\",\"body\":\"How to return\"}"));
    static const char *const qs[] = {"q=%ff%fe", "q=caf%e9", "q=%c3",
                                     "q=ok+%ed%a0%80", "q=%f4%90%80%80"};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/api/v1/kb/search?%s", qs[i]);
        rp_http r;
        rp_http_send(s, "GET", path, NULL, NULL, 0, NULL, &r);
        rp_assert_error(&r, 400, "malformed", "q");
        assert_non_null(
            strstr(json_string_value(json_object_get(
                       json_object_get(r.json, "error"), "message")),
                   "UTF-8"));
        rp_http_free(&r);
    }
    /* the same word in UTF-8 is searched */
    json_decref(rp_call(s, "GET", "/api/v1/kb/search?q=caf%c3%a9", NULL, 200));
}

/* ---- times: four-digit years both ways ----------------------------------- */

static void test_times_four_digit_years(void **state)
{
    rp_srv *s = *state;
    json_int_t c = customer(s, "Time Traveller");
    char path[96], body[200];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/dates", (long long)c);
    /* kept and written back exactly, the year with its leading zeros */
    static const char *const kept[] = {
        "0999-03-04T05:06:07Z", "0001-01-01T00:00:00Z", "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z", "0099-12-31T23:00:00Z"};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        snprintf(body, sizeof body,
                 "{\"kind\":\"other\",\"title\":\"t\",\"at\":\"%s\"}", kept[i]);
        json_t *d = rp_callf(s, "POST", path, 201, body);
        assert_string_equal(json_string_value(json_object_get(d, "at")),
                            kept[i]);
        json_decref(d);
    }
    /* a time with an offset is stored as the same instant in UTC */
    json_t *d = rp_callf(s, "POST", path, 201,
                         "{\"kind\":\"other\",\"title\":\"t\","
                         "\"at\":\"1000-01-01T00:30:00+01:00\"}");
    assert_string_equal(json_string_value(json_object_get(d, "at")),
                        "0999-12-31T23:30:00Z");
    json_decref(d);
    /* outside the years RFC 3339 can write: refused, nothing stored */
    json_t *list = rp_call(s, "GET", path, NULL, 200);
    size_t n = json_array_size(json_object_get(list, "items"));
    json_decref(list);
    static const char *const refused[] = {
        "0000-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01",
        "10000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z",
        "999-01-01T00:00:00Z"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        snprintf(body, sizeof body,
                 "{\"kind\":\"other\",\"title\":\"t\",\"at\":\"%s\"}",
                 refused[i]);
        rp_http r;
        send_json(s, "POST", path, body, &r);
        rp_assert_error(&r, 422, "invalid", "at");
        rp_http_free(&r);
    }
    list = rp_call(s, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(list, "items")), n);
    json_decref(list);
    /* every time the server writes is RFC 3339 with a four-digit year */
    list = rp_call(s, "GET", path, NULL, 200);
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(list, "items"), i, item) {
        const char *at = json_string_value(json_object_get(item, "at"));
        assert_int_equal(strlen(at), 20);
        assert_true(at[4] == '-' && at[7] == '-' && at[10] == 'T' &&
                    at[19] == 'Z');
    }
    json_decref(list);
}

/* ---- %00 in the address ---------------------------------------------------
 */

static void test_nul_in_address(void **state)
{
    rp_srv *s = *state;
    json_int_t c = customer(s, "Nul Person");
    char path[128], before_path[96];
    snprintf(before_path, sizeof before_path, "/api/v1/customers/%lld",
             (long long)c);
    char *before = snapshot(s, before_path);
    long customers = rp_list_count(s, "/api/v1/customers");
    static const char *const paths[] = {
        "/api/v1/customers/%lld%%00", "/api/v1/customers/%lld%%00x",
        "/api/v1/customers/%lld/%%00", "/api/v1/customers?q=a%%00b&x=%lld"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        snprintf(path, sizeof path, paths[i], (long long)c);
        rp_http r;
        rp_http_send(s, "GET", path, NULL, NULL, 0, NULL, &r);
        rp_assert_error(&r, 400, "malformed", NULL);
        rp_http_free(&r);
        send_json(s, "PATCH", path, "{\"name\":\"Changed\"}", &r);
        rp_assert_error(&r, 400, "malformed", NULL);
        rp_http_free(&r);
    }
    rp_http r;
    send_json(s, "POST", "/api/v1/customers%00", "{\"name\":\"New\"}", &r);
    rp_assert_error(&r, 400, "malformed", NULL);
    rp_http_free(&r);
    char *after = snapshot(s, before_path);
    assert_string_equal(before, after);
    assert_int_equal(rp_list_count(s, "/api/v1/customers"), customers);
    free(before);
    free(after);
}

/* ---- a change never blanks or removes a field every record has ---------- */

typedef struct kept_case {
    const char *create_path; /* %lld: the customer */
    const char *create_body;
    const char *item_path; /* after create: <create_path>/<id>, or absolute */
    const char *field;
    const char *other; /* a valid change sent with it, or NULL */
    int not_text;      /* not a string: only null can remove it */
} kept_case;

/* Where the item can be read back: itself, else the list it is in. */
static const char *read_path(const char *item, const char *list)
{
    if (strstr(item, "/agents/"))
        return "/api/v1/agents?limit=500";
    if (strstr(item, "/preferences/") || strstr(item, "/goals/") ||
        strstr(item, "/dates/") || strstr(item, "/consents/"))
        return list;
    return item;
}

static void test_change_keeps_required_fields(void **state)
{
    rp_srv *s = *state;
    json_int_t c = customer(s, "Kept Fields");
    static const kept_case cases[] = {
        {NULL, NULL, "/api/v1/customers/%lld", "name", "\"notes\":\"n\"", 0},
        {"/api/v1/agents",
         "{\"name\":\"Kept Agent\",\"email\":\"kept@e2e.example\","
         "\"role\":\"agent\"}",
         NULL, "name", "\"available\":false", 0},
        {"/api/v1/agents",
         "{\"name\":\"Kept Agent 2\",\"email\":\"kept2@e2e.example\","
         "\"role\":\"agent\"}",
         NULL, "role", NULL, 0},
        {"/api/v1/kb/articles", "{\"title\":\"Kept\",\"body\":\"Kept body\"}",
         NULL, "title", "\"tags\":[\"x\"]", 0},
        {"/api/v1/kb/articles", "{\"title\":\"Kept\",\"body\":\"Kept body\"}",
         NULL, "body", NULL, 0},
        {"/api/v1/products", "{\"name\":\"Kept\",\"category\":\"fruit\"}", NULL,
         "name", "\"stock\":3", 0},
        {"/api/v1/products", "{\"name\":\"Kept\",\"category\":\"fruit\"}", NULL,
         "category", NULL, 0},
        {"/api/v1/customers/%lld/preferences",
         "{\"key\":\"colour\",\"value\":\"navy\",\"firmness\":\"firm\"}", NULL,
         "value", "\"firmness\":\"flexible\"", 0},
        {"/api/v1/customers/%lld/preferences",
         "{\"key\":\"style\",\"value\":\"slim\",\"firmness\":\"firm\"}", NULL,
         "firmness", NULL, 0},
        {"/api/v1/customers/%lld/goals", "{\"title\":\"Best juice\"}", NULL,
         "title", "\"status\":\"achieved\"", 0},
        {"/api/v1/customers/%lld/goals", "{\"title\":\"Best juice\"}", NULL,
         "status", NULL, 0},
        {"/api/v1/customers/%lld/dates",
         "{\"kind\":\"appointment\",\"title\":\"Inspection\","
         "\"at\":\"2030-01-02T09:00:00Z\"}",
         NULL, "title", "\"where\":\"Garage\"", 0},
        {"/api/v1/customers/%lld/dates",
         "{\"kind\":\"appointment\",\"title\":\"Inspection\","
         "\"at\":\"2030-01-02T09:00:00Z\"}",
         NULL, "kind", NULL, 0},
        {"/api/v1/customers/%lld/dates",
         "{\"kind\":\"appointment\",\"title\":\"Inspection\","
         "\"at\":\"2030-01-02T09:00:00Z\"}",
         NULL, "at", NULL, 0},
        {"/api/v1/customers/%lld/consents",
         "{\"purpose\":\"offers\",\"granted\":true}", NULL, "granted", NULL, 1},
    };
    static const char *const blanks[] = {"\"   \"", "null", "\"\\u3000\\t\"",
                                         "\"\""};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const kept_case *k = &cases[i];
        char path[160], item[200];
        if (k->create_path) {
            snprintf(path, sizeof path, k->create_path, (long long)c);
            json_int_t id = id_of(
                rp_callf(s, "POST", path, 201, k->create_body));
            snprintf(item, sizeof item, "%s/%lld", path, (long long)id);
        } else {
            snprintf(item, sizeof item, k->item_path, (long long)c);
        }
        const char *read = read_path(item, path);
        char *before = snapshot(s, read);
        long moments = rp_db_count(s, "moments");
        for (size_t b = k->not_text ? 1 : 0;
             b < (k->not_text ? 2 : sizeof blanks / sizeof blanks[0]); b++)
            for (int with_other = 0; with_other <= (k->other != NULL);
                 with_other++) {
                char body[200];
                snprintf(body, sizeof body, "{\"%s\":%s%s%s}", k->field,
                         blanks[b], with_other ? "," : "",
                         with_other ? k->other : "");
                rp_http r;
                send_json(s, "PATCH", item, body, &r);
                if (r.status != 422)
                    fprintf(stderr, "PATCH %s %s: %ld %s\n", item, body,
                            r.status, r.body);
                rp_assert_error(&r, 422, "invalid", k->field);
                rp_http_free(&r);
            }
        char *after = snapshot(s, read);
        assert_string_equal(before, after);
        assert_int_equal(rp_db_count(s, "moments"), moments);
        free(before);
        free(after);
    }
}

/* ---- an encounter named on a profile item is the customer's own ---------- */

static void test_profile_encounter_is_the_customers(void **state)
{
    rp_srv *s = *state;
    json_int_t anna = customer(s, "Anna Own"), ben = customer(s, "Ben Other");
    json_int_t annas = encounter(s, anna), bens = encounter(s, ben);
    static const char *const kinds[] = {"preferences", "goals", "dates"};
    static const char *const bodies[] = {
        "{\"key\":\"k\",\"value\":\"v\",\"firmness\":\"firm\"",
        "{\"title\":\"Goal\"",
        "{\"kind\":\"other\",\"title\":\"D\",\"at\":\"2030-01-01T00:00:00Z\""};
    for (int k = 0; k < 3; k++) {
        char path[128], body[300], item[160];
        snprintf(path, sizeof path, "/api/v1/customers/%lld/%s",
                 (long long)anna, kinds[k]);
        long moments = rp_db_count(s, "moments");
        /* another customer's encounter, and one that does not exist */
        json_int_t wrong[] = {bens, 999999};
        for (int w = 0; w < 2; w++) {
            snprintf(body, sizeof body, "%s,\"encounter_id\":%lld}", bodies[k],
                     (long long)wrong[w]);
            rp_http r;
            send_json(s, "POST", path, body, &r);
            rp_assert_error(&r, 422, "invalid", "encounter_id");
            rp_http_free(&r);
        }
        json_t *list = rp_call(s, "GET", path, NULL, 200);
        assert_int_equal(json_array_size(json_object_get(list, "items")), 0);
        json_decref(list);
        assert_int_equal(rp_db_count(s, "moments"), moments);
        /* her own is taken */
        snprintf(body, sizeof body, "%s,\"encounter_id\":%lld}", bodies[k],
                 (long long)annas);
        json_int_t id = id_of(rp_callf(s, "POST", path, 201, body));
        snprintf(item, sizeof item, "%s/%lld", path, (long long)id);
        /* and cannot be changed to his */
        for (int w = 0; w < 2; w++) {
            snprintf(body, sizeof body, "{\"encounter_id\":%lld}",
                     (long long)wrong[w]);
            rp_http r;
            send_json(s, "PATCH", item, body, &r);
            rp_assert_error(&r, 422, "invalid", "encounter_id");
            rp_http_free(&r);
        }
        list = rp_call(s, "GET", path, NULL, 200);
        assert_int_equal(json_integer_value(json_object_get(
                             json_array_get(json_object_get(list, "items"), 0),
                             "encounter_id")),
                         annas);
        json_decref(list);
    }
}

/* ---- profile lists are whole: a documented limit, never a silent cut ----- */

static void test_profile_list_never_cut(void **state)
{
    rp_srv *s = *state;
    json_int_t c = customer(s, "Many Wishes");
    char path[96];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/preferences",
             (long long)c);
    long accepted = 0;
    for (int i = 0; i < 501; i++) {
        char body[120];
        snprintf(body, sizeof body,
                 "{\"key\":\"k%d\",\"value\":\"v\",\"firmness\":\"firm\"}", i);
        rp_http r;
        send_json(s, "POST", path, body, &r);
        if (r.status == 201) {
            accepted++;
        } else {
            /* the limit is told, with the number, and nothing is kept */
            rp_assert_error(&r, 409, "conflict", NULL);
            assert_non_null(strstr(r.body, "500"));
        }
        rp_http_free(&r);
    }
    assert_int_equal(accepted, 500);
    json_t *list = rp_call(s, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(list, "items")), accepted);
    json_decref(list);
    /* giving an existing key again still changes it */
    json_decref(rp_callf(s, "POST", path, 201,
                         "{\"key\":\"k7\",\"value\":\"w\",\"firmness\":"
                         "\"flexible\"}"));
}

/* ---- uploads over 1 MiB: the client reads the 413 ------------------------ */

static int connect_to(rp_srv *s)
{
    int port = atoi(strrchr(s->url, ':') + 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

/* Send head, wait a little (so a server that answers at once has done so
 * and closed), then body_len bytes of body, the way a simple client sends
 * all before it reads; *all_sent tells whether every byte could be sent
 * (curl gives up at the first failed send and never shows the answer).
 * Then read what comes back until the server closes or 30 seconds pass.
 * Returns the response (caller frees), "" when nothing could be read. */
static char *post_raw(rp_srv *s, const char *head, size_t body_len, int chunked,
                      int *all_sent)
{
    int fd = connect_to(s);
    assert_true(send(fd, head, strlen(head), MSG_NOSIGNAL) ==
                (ssize_t)strlen(head));
    poll(NULL, 0, 300);
    static char chunk[64 * 1024];
    memset(chunk, 'a', sizeof chunk);
    size_t sent = 0;
    while (sent < body_len) {
        size_t n = body_len - sent < sizeof chunk ? body_len - sent
                                                  : sizeof chunk;
        char hdr[32];
        if (chunked) {
            snprintf(hdr, sizeof hdr, "%zx\r\n", n);
            if (send(fd, hdr, strlen(hdr), MSG_NOSIGNAL) < 0)
                break;
        }
        ssize_t w = send(fd, chunk, n, MSG_NOSIGNAL);
        if (w <= 0)
            break;
        sent += (size_t)w;
        if (chunked && send(fd, "\r\n", 2, MSG_NOSIGNAL) < 0)
            break;
    }
    *all_sent = sent == body_len;
    if (chunked && sent == body_len)
        *all_sent = send(fd, "0\r\n\r\n", 5, MSG_NOSIGNAL) == 5;
    char *out = calloc(1, 65536);
    size_t len = 0;
    struct pollfd p = {fd, POLLIN, 0};
    while (len < 65535 && poll(&p, 1, 30000) > 0) {
        ssize_t r = recv(fd, out + len, 65535 - len, 0);
        if (r <= 0)
            break; /* closed, or reset */
        len += (size_t)r;
        if (strstr(out, "\r\n\r\n") && strstr(out, "}}"))
            break;
    }
    close(fd);
    return out;
}

static size_t ignore(char *data, size_t size, size_t n, void *arg)
{
    (void)data;
    (void)arg;
    return size * n;
}

/* POST len bytes of body the way the curl command does with
 * --data-binary @file; the status goes to *status. */
static CURLcode curl_post(rp_srv *s, const char *body, size_t len, long *status)
{
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[160], auth[200];
    snprintf(url, sizeof url, "%s/api/v1/customers", s->url);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", s->token);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 102400L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ignore);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return rc;
}

static void test_upload_over_limit_reads_413(void **state)
{
    rp_srv *s = *state;
    long customers = rp_list_count(s, "/api/v1/customers");
    char head[512];
    const size_t sizes[] = {1024 * 1024 + 1, 2 * 1024 * 1024, 8 * 1024 * 1024};
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            snprintf(head, sizeof head,
                     "POST /api/v1/customers HTTP/1.1\r\n"
                     "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                     "Content-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n",
                     s->token, sizes[i]);
            int all_sent;
            char *resp = post_raw(s, head, sizes[i], 0, &all_sent);
            if (strncmp(resp, "HTTP/1.1 413", 12) != 0 || !all_sent)
                fprintf(stderr,
                        "size %zu round %d: sent all: %d, got "
                        "\"%.80s\"\n",
                        sizes[i], round, all_sent, resp);
            assert_true(all_sent);
            assert_memory_equal(resp, "HTTP/1.1 413", 12);
            assert_non_null(strstr(resp, "\"too_large\""));
            free(resp);
        }
    /* chunked, with no length said in advance */
    snprintf(head, sizeof head,
             "POST /api/v1/customers HTTP/1.1\r\n"
             "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\n"
             "Transfer-Encoding: chunked\r\n\r\n",
             s->token);
    for (int round = 0; round < 2; round++) {
        int all_sent;
        char *resp = post_raw(s, head, 3 * 1024 * 1024, 1, &all_sent);
        assert_true(all_sent);
        assert_memory_equal(resp, "HTTP/1.1 413", 12);
        free(resp);
    }
    /* with Expect: 100-continue the refusal comes before the body */
    snprintf(head, sizeof head,
             "POST /api/v1/customers HTTP/1.1\r\n"
             "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nExpect: 100-continue\r\n"
             "Content-Length: %d\r\n\r\n",
             s->token, 50 * 1024 * 1024);
    int all_sent;
    char *resp = post_raw(s, head, 0, 0, &all_sent);
    assert_memory_equal(resp, "HTTP/1.1 413", 12);
    free(resp);
    /* and through libcurl, as the curl command sends a file: curl stops
     * at a failed send, so a reset instead of the 413 is an error here
     * (seen about one time in five before the body was read through) */
    size_t big = 8 * 1024 * 1024;
    char *body = malloc(big);
    memset(body, ' ', big);
    for (int round = 0; round < 10; round++)
        for (size_t len = 2 * 1024 * 1024; len <= big; len *= 2) {
            long status = 0;
            CURLcode rc = curl_post(s, body, len, &status);
            if (rc != CURLE_OK)
                fprintf(stderr, "%zu bytes: %s\n", len, curl_easy_strerror(rc));
            assert_int_equal(rc, CURLE_OK);
            assert_int_equal(status, 413);
        }
    free(body);
    /* nothing was made, and the server still serves */
    assert_int_equal(rp_list_count(s, "/api/v1/customers"), customers);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kb_search_not_utf8),
        cmocka_unit_test(test_times_four_digit_years),
        cmocka_unit_test(test_nul_in_address),
        cmocka_unit_test(test_change_keeps_required_fields),
        cmocka_unit_test(test_profile_encounter_is_the_customers),
        cmocka_unit_test(test_profile_list_never_cut),
        cmocka_unit_test(test_upload_over_limit_reads_413),
    };
    return cmocka_run_group_tests(tests, rp_srv_fixture_start,
                                  rp_srv_fixture_stop);
}
