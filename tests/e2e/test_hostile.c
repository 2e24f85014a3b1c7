/*
 * test_hostile.c - hostile input against every create and change endpoint.
 *
 * The endpoints come from the route table itself (`rapportd --routes`),
 * so a route added later is attacked without anyone remembering to: every
 * POST, PATCH and PUT gets bodies of the wrong type, broken JSON, invalid
 * UTF-8 in keys and values, deep nesting (10,000 levels), huge numbers and
 * an unknown field.  Routes with a known valid body (the table below) also
 * get each of their fields replaced by every hostile value: wrong types,
 * huge numbers, control characters, invalid UTF-8, and text in several
 * scripts (ASCII, accented Latin, CJK, 4-byte emoji, combining marks) at
 * the field's limit and one past it, the limit being found by asking.
 *
 * Whatever is sent, the answer is never a 5xx; a refusal is a JSON error
 * with a code and a message (naming the field when a field is at fault),
 * and nothing in the database changed (a fingerprint of every table but
 * the sign-in ones, read through a second connection); an acceptance
 * stores the text exactly and reads it back byte for byte.  A text that
 * fits the limit in ASCII fits in every script, and one that does not fit
 * in ASCII fits in none: limits count characters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "harness.h"

static rp_srv srv;
static int serial;    /* makes values that must be unique unique */
static long requests; /* how many hostile requests were sent */

/* ---- what the database holds, to tell "nothing changed" ----------------- */

/* Tables that a refused request may still write: sign-in throttling
 * counts every attempt, and a credential's last use is recorded. */
static int volatile_table(const char *name)
{
    return strstr(name, "login") || strstr(name, "session") ||
           strstr(name, "token") || strstr(name, "attempt") ||
           strstr(name, "throttle") ||
           /* a refusal is on the record: that is what it is for */
           strstr(name, "audit");
}

static rp_db *watch; /* open for the whole test */

static unsigned long long fingerprint(void)
{
    return rp_db_fingerprint(watch, volatile_table);
}

/* The count of commits by other connections, as this one sees it:
 * unchanged means nothing at all was written. */
static long long data_version(void)
{
    return rp_db_version(watch);
}

/* The fingerprint of the database at a data version, kept so it is
 * recomputed only after something was written. */
static long long known_version = -1;
static unsigned long long known_fp;

static unsigned long long fingerprint_now(long long version)
{
    if (version != known_version) {
        known_fp = fingerprint();
        known_version = version;
    }
    return known_fp;
}

/* ---- sending and judging --------------------------------------------------
 */

typedef enum outcome { REFUSED_FIELD, ACCEPTED, OTHER } outcome;

/*
 * Send body (len bytes) and judge the answer: never 5xx; a refusal is a
 * JSON error with a code and message, naming field when the code is
 * invalid or wrong_type and field is not NULL, and leaves the database as
 * it was; an acceptance that echoes field stores sent exactly (a blank
 * text is stored as no text).  Returns what happened.
 */
static outcome attack(const char *method, const char *path, const char *body,
                      size_t len, const char *field, const char *sent)
{
    long long v0 = data_version();
    unsigned long long fp0 = fingerprint_now(v0); /* cached when unchanged */
    rp_http r;
    rp_http_send(&srv, method, path, "application/json", body, len, NULL, &r);
    requests++;
    if (r.status >= 500 || r.status < 200)
        fprintf(stderr, "hostile: %s %s (%zu bytes: %.120s): %ld %.300s\n",
                method, path, len, body, r.status, r.body);
    assert_true(r.status >= 200 && r.status < 500);
    outcome o = OTHER;
    if (r.status >= 400) {
        json_t *e = json_object_get(r.json, "error");
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        const char *f = json_string_value(json_object_get(e, "field"));
        if (!strncmp(path, "/api/v2/", 8)) {
            /* Zendesk's shape: {"error", "description", "details"} */
            void *first = json_object_iter(json_object_get(r.json, "details"));
            code = json_string_value(e);
            msg = json_string_value(json_object_get(r.json, "description"));
            f = first ? json_object_iter_key(first) : NULL;
            if (code && !strcmp(code, "RecordInvalid"))
                code = "invalid";
        }
        if (!code || !msg || !*msg)
            fprintf(stderr,
                    "hostile: %s %s (%.120s): %ld without a clear "
                    "JSON error: %.300s\n",
                    method, path, body, r.status, r.body);
        assert_non_null(code);
        assert_true(msg && *msg);
        int about_field = !strcmp(code, "invalid") ||
                          !strcmp(code, "wrong_type");
        if (field && about_field && (!f || strcmp(f, field) != 0))
            fprintf(stderr,
                    "hostile: %s %s (%.120s): field %s expected: "
                    "%.300s\n",
                    method, path, body, field, r.body);
        if (field && about_field)
            assert_true(f && !strcmp(f, field));
        /* nothing written at all; or, when a sign-in attempt was counted
         * (or a credential's use noted), nothing else */
        long long v1 = data_version();
        unsigned long long before = 0, after = 0;
        if (v1 != v0) {
            before = fp0;
            after = fingerprint_now(v1);
        }
        if (after != before)
            fprintf(stderr,
                    "hostile: %s %s (%.120s) refused with %ld but "
                    "changed the database\n",
                    method, path, body, r.status);
        assert_true(after == before);
        if (r.status == 422 && field && f && !strcmp(f, field))
            o = REFUSED_FIELD;
    } else {
        o = ACCEPTED;
        json_t *echo = field ? json_object_get(r.json, field) : NULL;
        if (json_is_array(echo))
            echo = json_array_get(echo, 0);
        if (sent && json_is_string(echo)) {
            if (strcmp(json_string_value(echo), sent) != 0)
                fprintf(stderr,
                        "hostile: %s %s: %s stored as \"%.80s\", "
                        "sent \"%.80s\"\n",
                        method, path, field, json_string_value(echo), sent);
            assert_string_equal(json_string_value(echo), sent);
        }
    }
    rp_http_free(&r);
    return o;
}

static outcome attack_json(const char *method, const char *path, json_t *body,
                           const char *field, const char *sent)
{
    char *text = json_dumps(body, JSON_COMPACT);
    assert_non_null(text);
    outcome o = attack(method, path, text, strlen(text), field, sent);
    free(text);
    return o;
}

/* ---- hostile values -------------------------------------------------------
 */

/* Values that are not what any field takes, as JSON text. */
static const char *const hostile_json[] = {"null",
                                           "true",
                                           "false",
                                           "0",
                                           "-1",
                                           "1.5",
                                           "-0.0",
                                           "1e308",
                                           "-1e308",
                                           "9223372036854775807",
                                           "-9223372036854775808",
                                           "18446744073709551616",
                                           "123456789012345678901234567890",
                                           "[]",
                                           "{}",
                                           "[null]",
                                           "[1,2,3]",
                                           "{\"a\":1}",
                                           "\"\"",
                                           "\"   \"",
                                           "\"\\u3000\\u200b\"",
                                           "\"\\u0000\"",
                                           "\"a\\u0000b\"",
                                           "\"\\u0001\\u001f\\u007f\"",
                                           "\"\\u001b[31mred\"",
                                           "\"line\\r\\nbreak\"",
                                           "\"\\ud800\"",
                                           "\"\\udc00x\"",
                                           "\"\\ud83d\\ude00\"",
                                           "\"'; DROP TABLE customers; --\"",
                                           "\"<script>alert(1)</script>\"",
                                           "\"%00%ff\"",
                                           "\"..\\/..\\/etc\\/passwd\"",
                                           "\"1970-01-01T00:00:00Z\"",
                                           "\"0000-01-01T00:00:00Z\"",
                                           "\"9999-12-31T23:59:59Z\"",
                                           "\"99999-01-01T00:00:00Z\"",
                                           "\"2026-02-30T00:00:00Z\"",
                                           "\"true\"",
                                           "\"-1\"",
                                           "\"1e999\""};

/* Raw bytes that are not UTF-8, put inside a JSON string as they are. */
static const char *const bad_utf8[] = {
    "\xff",     "\xc3\x28", "\xed\xa0\x80", "\xf4\x90\x80\x80",
    "\xc0\xaf", "a\x80",    "\xe2\x82",     "\xf0\x9f\x98"};

/* One character of each script: its UTF-8 (a combining mark is a
 * character of its own, and counts as one). */
static const char *const scripts[] = {"a", "\xc3\xa9", "\xe6\xbc\xa2",
                                      "\xf0\x9f\x98\x80", "e\xcc\x81"};
static const int script_chars[] = {1, 1, 1, 1, 2};

/* n characters of script s (a combining pair is two; an odd count ends
 * with its base letter). */
static char *text_of(int s, size_t n)
{
    rp_buf b = RP_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (script_chars[s] == 2)
            rp_buf_puts(&b, i % 2 ? "\xcc\x81" : "e");
        else
            rp_buf_puts(&b, scripts[s]);
    }
    return b.p ? rp_buf_steal(&b) : strdup("");
}

/* Deep nesting: depth arrays, or objects, one inside the other. */
static char *nested(int depth, int objects)
{
    rp_buf b = RP_BUF_INIT;
    for (int i = 0; i < depth; i++)
        rp_buf_puts(&b, objects ? "{\"a\":" : "[");
    rp_buf_puts(&b, "1");
    for (int i = 0; i < depth; i++)
        rp_buf_puts(&b, objects ? "}" : "]");
    return rp_buf_steal(&b);
}

/* ---- the routes and what a valid body of each looks like ----------------- */

typedef struct route {
    char method[8];
    char pattern[160];
    int form;
} route;

static route routes[128];
static int nroutes;

/* Read the create and change routes from `rapportd --routes`. */
static void read_routes(void)
{
    FILE *p = popen(RAPPORTD_PATH " --routes", "r");
    assert_non_null(p);
    char line[1024];
    while (fgets(line, sizeof line, p) && nroutes < 128) {
        route r = {0};
        char access[64];
        if (sscanf(line, "| %7s | `%159[^`]` | %63[^|]|", r.method, r.pattern,
                   access) != 3)
            continue;
        if (strcmp(r.method, "POST") && strcmp(r.method, "PATCH") &&
            strcmp(r.method, "PUT"))
            continue;
        r.form = strstr(access, "form") != NULL;
        routes[nroutes++] = r;
    }
    assert_int_equal(pclose(p), 0);
    assert_true(nroutes >= 30); /* the table was read */
}

/*
 * A valid body for each route (by method and pattern), whose fields are
 * attacked one at a time.  "#" in a value is replaced by a serial number,
 * for values that must be unique.  A route missing here still gets every
 * body-level attack.
 */
typedef struct base_body {
    const char *method, *pattern, *body;
} base_body;

static const base_body bases[] = {
    {"POST", "/api/v1/customers",
     "{\"name\":\"N\",\"preferred_name\":\"P\",\"emails\":[\"a#@b.example\"],"
     "\"phones\":[\"+48 600 000 000\"],\"notes\":\"n\"}"},
    {"PATCH", "/api/v1/customers/{id}",
     "{\"name\":\"N\",\"preferred_name\":\"P\",\"notes\":\"n\"}"},
    {"POST", "/api/v1/encounters",
     "{\"customer_id\":@customer,\"channel\":\"phone\",\"subject\":\"S\","
     "\"topic\":\"t\"}"},
    {"PATCH", "/api/v1/encounters/{id}",
     "{\"facts\":\"f\",\"feelings\":\"f\",\"restatement\":\"r\","
     "\"request\":\"r\",\"goal\":\"g\",\"questions\":[\"q\"],"
     "\"options\":[\"o\"],\"topic\":\"t\",\"spend\":10,\"outcome_done\":\"d\","
     "\"no_agreement_reason\":\"n\",\"thanked\":true}"},
    {"POST", "/api/v1/encounters/{id}/acknowledge", "{}"},
    {"POST", "/api/v1/encounters/{id}/advance", "{\"to\":\"understood\"}"},
    {"POST", "/api/v1/encounters/{id}/abandon", "{\"reason\":\"r\"}"},
    {"POST", "/api/v1/encounters/{id}/defects",
     "{\"kind\":\"late\",\"cause\":\"c\"}"},
    {"POST", "/api/v1/encounters/{id}/special_requests",
     "{\"description\":\"d\",\"outcome\":\"declined\","
     "\"decline_reason\":\"r\"}"},
    {"POST", "/api/v1/encounters/{id}/promises",
     "{\"what\":\"w\",\"due_at\":\"2030-01-01T00:00:00Z\"}"},
    {"POST", "/api/v1/encounters/{id}/transfers",
     "{\"reason\":\"r\",\"to_queue_id\":@queue}"},
    {"POST", "/api/v1/encounters/{id}/follow_ups",
     "{\"due_at\":\"2030-01-01T00:00:00Z\",\"subject\":\"s\","
     "\"channel\":\"email\"}"},
    {"POST", "/api/v1/encounters/{id}/satisfaction",
     "{\"score\":4,\"words\":[\"w\"],\"comment\":\"c\"}"},
    {"POST", "/api/v1/tasks/{id}/complete", "{\"note\":\"n\"}"},
    {"POST", "/api/v1/session",
     "{\"email\":\"nobody@e2e.example\",\"password\":\"wrong password\"}"},
    {"POST", "/api/v1/agents",
     "{\"name\":\"A\",\"email\":\"h#@e2e.example\",\"role\":\"agent\","
     "\"skills\":[\"s\"],\"available\":true}"},
    {"PATCH", "/api/v1/agents/{id}",
     "{\"name\":\"A\",\"role\":\"agent\",\"skills\":[\"s\"],"
     "\"available\":true}"},
    {"POST", "/api/v1/tokens", "{\"name\":\"t\"}"},
    {"POST", "/api/v1/queues",
     "{\"name\":\"Q#\",\"skills\":[\"s\"],\"topics\":[\"t\"],"
     "\"channels\":[\"phone\"]}"},
    {"POST", "/api/v1/kb/articles",
     "{\"title\":\"T\",\"body\":\"B\",\"tags\":[\"t\"]}"},
    {"PATCH", "/api/v1/kb/articles/{id}",
     "{\"title\":\"T\",\"body\":\"B\",\"tags\":[\"t\"]}"},
    {"POST", "/api/v1/kb/articles/{id}/feedback", "{\"helped\":true}"},
    {"PUT", "/api/v1/charter",
     "{\"acknowledge_minutes\":5,\"first_response_minutes\":15,"
     "\"resolution_hours\":24,\"follow_up_on_time\":true}"},
    {"POST", "/api/v1/customers/{id}/preferences",
     "{\"key\":\"k\",\"value\":\"v\",\"firmness\":\"firm\"}"},
    {"PATCH", "/api/v1/customers/{id}/preferences/{item}",
     "{\"value\":\"v\",\"firmness\":\"firm\"}"},
    {"POST", "/api/v1/customers/{id}/goals",
     "{\"title\":\"g\",\"tags\":[\"t\"],\"status\":\"active\"}"},
    {"PATCH", "/api/v1/customers/{id}/goals/{item}",
     "{\"title\":\"g\",\"tags\":[\"t\"],\"status\":\"active\"}"},
    {"POST", "/api/v1/customers/{id}/dates",
     "{\"kind\":\"other\",\"title\":\"t\",\"at\":\"2030-01-01T00:00:00Z\","
     "\"where\":\"w\",\"with_whom\":\"x\",\"bring\":\"b\"}"},
    {"PATCH", "/api/v1/customers/{id}/dates/{item}",
     "{\"title\":\"t\",\"where\":\"w\",\"with_whom\":\"x\",\"bring\":\"b\"}"},
    {"POST", "/api/v1/customers/{id}/consents",
     "{\"purpose\":\"offers\",\"granted\":true,\"source\":\"s\"}"},
    {"PATCH", "/api/v1/customers/{id}/consents/{item}",
     "{\"granted\":true,\"source\":\"s\"}"},
    {"POST", "/api/v1/promises/{id}/keep", "{}"},
    {"POST", "/api/v1/customers/{id}/recommendations/{product}/accept",
     "{\"reason\":\"r\"}"},
    {"POST", "/api/v1/customers/{id}/recommendations/{product}/decline",
     "{\"reason\":\"r\"}"},
    {"POST", "/api/v1/products",
     "{\"name\":\"P\",\"category\":\"c\",\"stock\":1,\"tags\":[\"t\"],"
     "\"attributes\":{\"colour\":\"red\"},\"price\":1.5}"},
    {"PATCH", "/api/v1/products/{id}",
     "{\"name\":\"P\",\"category\":\"c\",\"stock\":1,\"tags\":[\"t\"]}"},
    {"POST", "/api/v1/scheduler/run", "{\"now\":\"2026-01-01T00:00:00Z\"}"},
    {"PUT", "/api/v1/loyalty/tiers",
     "{\"items\":[{\"name\":\"bronze\",\"rank\":1,\"discount_percent\":0}]}"},
};

/* ---- path ids: a fresh thing of each kind for each route ------------------
 */

static json_int_t made(const char *method, const char *path, const char *body)
{
    json_t *v = rp_callf(&srv, method, path, 201, body);
    json_int_t id = json_integer_value(json_object_get(v, "id"));
    json_decref(v);
    assert_true(id > 0);
    return id;
}

typedef struct ids {
    json_int_t customer, encounter, agent, article, product, task, promise,
        queue, item;
} ids;

/* Make what a route's path names, fresh, so one route's accepted attack
 * (an encounter abandoned, a promise kept) does not spoil the next. */
static void make_ids(const char *pattern, ids *d)
{
    char path[160], body[300];
    serial++;
    d->customer = made("POST", "/api/v1/customers", "{\"name\":\"Hostile\"}");
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"phone\",\"subject\":\"S\"}",
             (long long)d->customer);
    d->encounter = made("POST", "/api/v1/encounters", body);
    snprintf(body, sizeof body,
             "{\"name\":\"H\",\"email\":\"id%d-%d@e2e.example\","
             "\"role\":\"agent\"}",
             (int)getpid(), serial);
    d->agent = made("POST", "/api/v1/agents", body);
    d->article = made("POST", "/api/v1/kb/articles",
                      "{\"title\":\"T\",\"body\":\"B\"}");
    d->product = made("POST", "/api/v1/products",
                      "{\"name\":\"P\",\"category\":\"c\"}");
    snprintf(body, sizeof body, "{\"name\":\"Queue %d-%d\"}", (int)getpid(),
             serial);
    d->queue = made("POST", "/api/v1/queues", body);
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/follow_ups",
             (long long)d->encounter);
    d->task = made("POST", path,
                   "{\"due_at\":\"2030-01-01T00:00:00Z\",\"subject\":\"s\"}");
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/promises",
             (long long)d->encounter);
    d->promise = made("POST", path,
                      "{\"what\":\"w\",\"due_at\":\"2030-01-01T00:00:00Z\"}");
    d->item = 1;
    static const struct {
        const char *kind, *body;
    } items[] = {{"preferences",
                  "{\"key\":\"k\",\"value\":\"v\",\"firmness\":\"firm\"}"},
                 {"goals", "{\"title\":\"g\"}"},
                 {"dates", "{\"kind\":\"other\",\"title\":\"t\","
                           "\"at\":\"2030-01-01T00:00:00Z\"}"},
                 {"consents", "{\"purpose\":\"offers\",\"granted\":true}"}};
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        if (strstr(pattern, items[i].kind)) {
            snprintf(path, sizeof path, "/api/v1/customers/%lld/%s",
                     (long long)d->customer, items[i].kind);
            d->item = made("POST", path, items[i].body);
        }
}

/* The pattern with each {param} replaced by the id it names (the segment
 * before it says which); an unknown one gets 1. */
static void fill_path(const char *pattern, const ids *d, char *out, size_t n)
{
    rp_buf b = RP_BUF_INIT;
    const char *p = pattern;
    while (*p) {
        if (*p != '{') {
            rp_buf_append(&b, p++, 1);
            continue;
        }
        const char *close = strchr(p, '}');
        assert_non_null(close);
        json_int_t id = 1;
        char name[40];
        snprintf(name, sizeof name, "%.*s", (int)(close - p - 1), p + 1);
        const char *prev = rp_buf_str(&b);
        size_t bl = b.len;
        const char *seg = prev + bl - 1;
        while (seg > prev && seg[-1] != '/')
            seg--;
        if (!strcmp(name, "item"))
            id = d->item;
        else if (!strcmp(name, "product"))
            id = d->product;
        else if (!strncmp(seg, "customers/", 10))
            id = d->customer;
        else if (!strncmp(seg, "encounters/", 11))
            id = d->encounter;
        else if (!strncmp(seg, "agents/", 7))
            id = d->agent;
        else if (!strncmp(seg, "articles/", 9))
            id = d->article;
        else if (!strncmp(seg, "products/", 9))
            id = d->product;
        else if (!strncmp(seg, "tasks/", 6))
            id = d->task;
        else if (!strncmp(seg, "promises/", 9))
            id = d->promise;
        rp_buf_printf(&b, "%lld", (long long)id);
        p = close + 1;
    }
    snprintf(out, n, "%s", rp_buf_str(&b));
    rp_buf_free(&b);
}

/* The base body of a route with its placeholders filled, or NULL. */
static json_t *base_of(const route *r, const ids *d)
{
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        if (strcmp(bases[i].method, r->method) ||
            strcmp(bases[i].pattern, r->pattern))
            continue;
        rp_buf b = RP_BUF_INIT;
        for (const char *p = bases[i].body; *p; p++) {
            if (*p == '#')
                rp_buf_printf(&b, "%d-%d", (int)getpid(), ++serial);
            else if (!strncmp(p, "@customer", 9))
                rp_buf_printf(&b, "%lld", (long long)d->customer), p += 8;
            else if (!strncmp(p, "@queue", 6))
                rp_buf_printf(&b, "%lld", (long long)d->queue), p += 5;
            else
                rp_buf_append(&b, p, 1);
        }
        json_error_t jerr;
        json_t *v = json_loads(rp_buf_str(&b), 0, &jerr);
        if (!v)
            fprintf(stderr, "hostile: bad base body %s: %s\n", bases[i].body,
                    jerr.text);
        assert_non_null(v);
        rp_buf_free(&b);
        return v;
    }
    return NULL;
}

/* ---- the attacks ----------------------------------------------------------
 */

/* Body-level attacks: any route, with or without a known body. */
static void attack_bodies(const route *r, const char *path)
{
    static const char *const bodies[] = {"",
                                         "[]",
                                         "\"x\"",
                                         "1",
                                         "null",
                                         "true",
                                         "{",
                                         "{\"a\":",
                                         "{\"a\"1}",
                                         "{\"x\":1,\"x\":2}",
                                         "{\"\":1}",
                                         "{\"zz_unknown\":\"\xe6\xbc\xa2\"}",
                                         "{\"a\\u0000b\":1}",
                                         "{\"\xff\":1}",
                                         "{\"k\":\"\xff\"}",
                                         "\xef\xbb\xbf{}",
                                         "{}  x",
                                         "[[[[]]]]",
                                         "{\"a\":1e999999}",
                                         "{\"a\":-}"};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
        attack(r->method, path, bodies[i], strlen(bodies[i]), NULL, NULL);
    char *deep = nested(10000, 0);
    attack(r->method, path, deep, strlen(deep), NULL, NULL);
    free(deep);
    deep = nested(10000, 1);
    attack(r->method, path, deep, strlen(deep), NULL, NULL);
    free(deep);
}

/* The body with field set to the JSON text value (or raw bytes). */
static void attack_value(const route *r, const char *path, json_t *base,
                         const char *field, const char *value_text)
{
    json_t *body = json_deep_copy(base);
    json_object_del(body, field);
    char *rest = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    /* {"field":VALUE,<rest without its brace>} */
    rp_buf b = RP_BUF_INIT;
    rp_buf_puts(&b, "{\"");
    rp_buf_puts(&b, field);
    rp_buf_puts(&b, "\":");
    rp_buf_puts(&b, value_text);
    if (strlen(rest) > 2) {
        rp_buf_puts(&b, ",");
        rp_buf_puts(&b, rest + 1);
    } else {
        rp_buf_puts(&b, "}");
    }
    free(rest);
    attack(r->method, path, rp_buf_str(&b), b.len, field, NULL);
    rp_buf_free(&b);
}

/* Send field as text (or as the first item of a list field). */
static outcome attack_text(const route *r, const char *path, json_t *base,
                           const char *field, int as_list, const char *text)
{
    json_t *body = json_deep_copy(base);
    json_t *v = json_string(text);
    assert_non_null(v);
    json_object_set_new(body, field, as_list ? json_pack("[o]", v) : v);
    outcome o = attack_json(r->method, path, body, field, text);
    json_decref(body);
    return o;
}

/* The most ASCII characters field takes, found by asking: the candidates
 * are every limit rapport uses; 0 when it takes no text of any length
 * (an enum, an email), -1 when it took the longest tried. */
static long find_limit(const route *r, const char *path, json_t *base,
                       const char *field, int as_list)
{
    static const long tries[] = {1,   20,  40,   60,   64,   100,   200,
                                 254, 500, 1000, 2000, 5000, 20000, 40000};
    long last_ok = 0;
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
        char *t = text_of(0, (size_t)tries[i]);
        outcome o = attack_text(r, path, base, field, as_list, t);
        free(t);
        if (o == ACCEPTED) {
            last_ok = tries[i];
            continue;
        }
        if (o != REFUSED_FIELD)
            return 0;
        if (!last_ok)
            return 0;
        /* between last_ok and tries[i]: halve until found */
        long lo = last_ok, hi = tries[i];
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            t = text_of(0, (size_t)mid);
            o = attack_text(r, path, base, field, as_list, t);
            free(t);
            if (o == ACCEPTED)
                lo = mid;
            else if (o == REFUSED_FIELD)
                hi = mid;
            else
                return 0;
        }
        return lo;
    }
    return -1;
}

static void attack_field(const route *r, const char *path, json_t *base,
                         const char *field)
{
    json_t *v = json_object_get(base, field);
    int as_list = json_is_array(v) && json_is_string(json_array_get(v, 0));
    for (size_t i = 0; i < sizeof hostile_json / sizeof hostile_json[0]; i++)
        attack_value(r, path, base, field, hostile_json[i]);
    char *deep = nested(10000, 0);
    attack_value(r, path, base, field, deep);
    free(deep);
    for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++) {
        char value[32];
        snprintf(value, sizeof value, as_list ? "[\"%s\"]" : "\"%s\"",
                 bad_utf8[i]);
        attack_value(r, path, base, field, value);
    }
    if (!json_is_string(v) && !as_list)
        return;
    /* text in every script at the limit and one past it */
    long limit = find_limit(r, path, base, field, as_list);
    if (limit <= 0) {
        /* no length of plain text is taken, or none was too long: still
         * every script, a few lengths */
        for (int s = 0; s < 5; s++)
            for (size_t n = 1; n <= 64; n *= 8) {
                char *t = text_of(s, n);
                attack_text(r, path, base, field, as_list, t);
                free(t);
            }
        return;
    }
    for (int s = 0; s < 5; s++)
        for (long n = limit; n <= limit + 1; n++) {
            char *t = text_of(s, (size_t)n);
            outcome o = attack_text(r, path, base, field, as_list, t);
            free(t);
            /* limits count characters: a length fits in every script or
             * in none (a refusal for another reason is not compared) */
            outcome want = n <= limit ? ACCEPTED : REFUSED_FIELD;
            if (o != want && o != OTHER)
                fprintf(stderr,
                        "hostile: %s %s: %s of %ld characters in "
                        "script %d: %s, but ASCII's limit is %ld\n",
                        r->method, path, field, n, s,
                        o == ACCEPTED ? "accepted" : "refused", limit);
            assert_true(o == want || o == OTHER);
        }
}

static void test_every_change_endpoint(void **state)
{
    (void)state;
    read_routes();
    int with_base = 0;
    for (int i = 0; i < nroutes; i++) {
        const route *r = &routes[i];
        if (r->form || strncmp(r->pattern, "/api/", 5) != 0)
            continue; /* pages for people answer in HTML: their own tests */
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        long r0 = requests;
        ids d;
        make_ids(r->pattern, &d);
        char path[200];
        fill_path(r->pattern, &d, path, sizeof path);
        attack_bodies(r, path);
        json_t *base = base_of(r, &d);
        if (!base) {
            fprintf(stderr,
                    "hostile: %s %s has no valid body in this test; "
                    "only body-level attacks were sent\n",
                    r->method, r->pattern);
            continue;
        }
        with_base++;
        const char *field;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(base, tmp, field, v) {
            (void)v;
            attack_field(r, path, base, field);
        }
        json_decref(base);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (getenv("RP_HOSTILE_TIMES"))
            fprintf(stderr, "hostile: %s %s: %ld requests, %.1f s\n", r->method,
                    r->pattern, requests - r0,
                    (double)(t1.tv_sec - t0.tv_sec) +
                        (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    }
    fprintf(stderr,
            "hostile: %d routes, %d with every field attacked, %ld "
            "requests, no 5xx\n",
            nroutes, with_base, requests);
    assert_true(with_base >= 30);
}

static int setup(void **state)
{
    (void)state;
    rp_srv_init(&srv);
    /* Thousands of writes: the database goes to memory when it can, as
     * the commits' flushes would take most of the time (what is judged
     * here is what the server answers, not what survives a crash). */
    char shm[] = "/dev/shm/rapport-hostile-XXXXXX";
    if (!rp_e2e_pg() && access("/dev/shm", W_OK) == 0 && mkdtemp(shm)) {
        rmdir(srv.dir);
        snprintf(srv.dir, sizeof srv.dir, "%s", shm);
        snprintf(srv.db, sizeof srv.db, "%s/rapport.db", srv.dir);
    }
    /* no scheduler thread: what changes the database is only what this
     * test sends */
    snprintf(srv.extra_env, sizeof srv.extra_env,
             "RAPPORT_SCHEDULER_INTERVAL=0");
    rp_srv_start(&srv);
    watch = rp_db_open(&srv);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rp_db_close(watch);
    rp_srv_stop(&srv);
    rp_srv_cleanup(&srv);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_change_endpoint),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
