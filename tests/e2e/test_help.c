/*
 * test_help.c - the customer's help pages against the real rapportd: a
 * request sent with the public form (multipart, with a file) opens an
 * encounter and gives a link; the link's page shows the conversation but
 * never an internal note or an unsent draft, nor a note's file; the
 * customer's reply lands in the same encounter; the link mailed by the
 * scheduler arrives at the real SMTP sink and works; and the abuse
 * protections hold: the honeypot opens nothing, the limits per address,
 * per /24 network (requests from 127.0.0.1 and 127.0.0.2) and per email
 * address answer 429 with Retry-After and change nothing, oversized input
 * is refused in words, and a link stops working when it expires.
 */
#include <curl/curl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "harness.h"
#include "sinks.h"

#define BOUNDARY "rapportTestBoundary7MA4YWxkTrZu0gW"

/* ---- helpers ------------------------------------------------------------- */

/* A multipart/form-data body of the NULL-ended name, value pairs, and a
 * file field "attachment" when file_name is not NULL. */
static char *multipart(size_t *len, const char *file_name, const char *data,
                       size_t data_len, const char *const *pairs)
{
    rp_buf b = RP_BUF_INIT;
    for (int i = 0; pairs && pairs[i]; i += 2)
        rp_buf_printf(&b,
                      "--" BOUNDARY "\r\nContent-Disposition: form-data; "
                      "name=\"%s\"\r\n\r\n%s\r\n",
                      pairs[i], pairs[i + 1]);
    if (file_name) {
        rp_buf_printf(&b,
                      "--" BOUNDARY "\r\nContent-Disposition: form-data; "
                      "name=\"attachment\"; filename=\"%s\"\r\n"
                      "Content-Type: image/png\r\n\r\n",
                      file_name);
        rp_buf_append(&b, data, data_len);
        rp_buf_puts(&b, "\r\n");
    }
    rp_buf_puts(&b, "--" BOUNDARY "--\r\n");
    assert_false(b.failed);
    *len = b.len;
    return rp_buf_steal(&b);
}

static void post_form(rp_srv *s, const char *path, const char *file_name,
                      const char *data, size_t data_len,
                      const char *const *pairs, rp_http *r)
{
    size_t len;
    char *body = multipart(&len, file_name, data, data_len, pairs);
    rp_http_send(s, "POST", path, "multipart/form-data; boundary=" BOUNDARY,
                 body, len, NULL, r);
    free(body);
}

/* Send the help form as name <email>. */
static void ask(rp_srv *s, const char *name, const char *email,
                const char *subject, const char *message, rp_http *r)
{
    const char *pairs[] = {"name",    name,    "email",   email,
                           "subject", subject, "message", message,
                           "website", "",      NULL};
    post_form(s, "/help", NULL, NULL, 0, pairs, r);
}

/* The token of the first /help/r/<token> link in text, into out (65). */
static int token_in(const char *text, char *out)
{
    const char *p = text ? strstr(text, "/help/r/") : NULL;
    if (!p)
        return -1;
    p += strlen("/help/r/");
    for (int i = 0; i < 64; i++) {
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return -1;
        out[i] = p[i];
    }
    out[64] = '\0';
    return 0;
}

static long long newest_encounter(rp_srv *s)
{
    json_t *list = rp_call(s, "GET", "/api/v1/encounters?limit=1", NULL, 200);
    long long id = json_integer_value(json_object_get(
        json_array_get(json_object_get(list, "items"), 0), "id"));
    json_decref(list);
    return id;
}

static void page(rp_srv *s, const char *token, rp_http *r)
{
    char path[128];
    snprintf(path, sizeof path, "/help/r/%s", token);
    rp_http_send(s, "GET", path, NULL, NULL, 0, NULL, r);
}

/* Does text show a machine time (an ISO 8601 / RFC 3339 timestamp)? */
static int has_iso_time(const char *text)
{
    regex_t re;
    assert_int_equal(regcomp(&re, "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    int found = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return found;
}

static void sql(rp_srv *s, const char *text)
{
    assert_int_equal(rp_db_exec(s, text), 0);
}

static size_t discard(char *d, size_t size, size_t n, void *arg)
{
    (void)d;
    (void)arg;
    return size * n;
}

/* POST the help form from the local address source (127.0.0.x); the HTTP
 * status. */
static long ask_from(rp_srv *s, const char *source, const char *email)
{
    const char *pairs[] = {"name",    "Flood Tester", "email",
                           email,     "subject",      "Hello",
                           "message", "Just a test",  NULL};
    size_t len;
    char *body = multipart(&len, NULL, NULL, 0, pairs);
    char url[160], iface[40];
    snprintf(url, sizeof url, "%s/help", s->url);
    snprintf(iface, sizeof iface, "host!%s", source);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(
        NULL, "Content-Type: multipart/form-data; boundary=" BOUNDARY);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_INTERFACE, iface);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(body);
    return status;
}

static void start(rp_srv *s, const char *per_address, const char *per_network,
                  const char *per_email)
{
    setenv("RAPPORT_HELP_MAX_PER_ADDRESS", per_address, 1);
    setenv("RAPPORT_HELP_MAX_PER_NETWORK", per_network, 1);
    setenv("RAPPORT_HELP_MAX_PER_EMAIL", per_email, 1);
    setenv("RAPPORT_HELP_MAX_ATTACHMENT", "4096", 1);
    setenv("RAPPORT_SCHEDULER_INTERVAL", "0", 1);
    rp_srv_init(s);
    rp_srv_start(s);
}

/* ---- the request, the page, the reply ------------------------------------ */

static void test_request_page_and_reply(void **state)
{
    (void)state;
    rp_srv s;
    start(&s, "100", "100", "100");
    rp_http r;
    rp_http_send(&s, "GET", "/help", NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "text/html"));
    assert_non_null(strstr(r.body, "name=\"website\"")); /* the honeypot */
    assert_null(strstr(r.body, "<script"));
    rp_http_free(&r);

    /* a request with a photo */
    const char png[] = "\x89PNG\r\n\x1a\n-not-really-a-picture-\x00\x01\x02";
    const char *pairs[] = {"name",    "Marta Nowak",
                           "email",   "Marta@Example.com",
                           "subject", "The kettle leaks",
                           "message", "It leaks from the bottom <b>again</b>.",
                           "website", "",
                           NULL};
    post_form(&s, "/help", "kettle.png", png, sizeof png - 1, pairs, &r);
    assert_int_equal(r.status, 201);
    char token[65];
    assert_int_equal(token_in(r.body, token), 0);
    assert_non_null(strstr(r.body, "Thank you, Marta Nowak"));
    rp_http_free(&r);
    assert_int_equal(rp_db_count(&s, "help_links"), 2); /* page and mail */

    long long eid = newest_encounter(&s);
    char path[160];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld", eid);
    json_t *enc = rp_call(&s, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(enc, "channel")),
                        "web");
    json_decref(enc);

    /* the agent writes a note, a draft, a note with a file, and a reply */
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/messages", eid);
    json_decref(rp_callf(&s, "POST", path, 201,
                         "{\"kind\":\"note\",\"body\":\"SECRET-NOTE: she "
                         "returned two kettles already\"}"));
    json_decref(rp_callf(&s, "POST", path, 201,
                         "{\"kind\":\"reply\",\"draft\":true,\"body\":"
                         "\"DRAFT-UNSENT: maybe a refund\"}"));
    json_t *noted = rp_callf(
        &s, "POST", path, 201,
        "{\"kind\":\"note\",\"body\":\"the receipt\",\"attachments\":"
        "[{\"filename\":\"receipt-internal.txt\",\"content_type\":"
        "\"text/plain\",\"data_base64\":\"aW50ZXJuYWw=\"}]}");
    long long note_file = json_integer_value(json_object_get(
        json_array_get(json_object_get(noted, "attachments"), 0), "id"));
    assert_true(note_file > 0);
    json_decref(noted);
    json_decref(rp_callf(&s, "POST", path, 201,
                         "{\"kind\":\"reply\",\"body\":\"REPLY-VISIBLE: we "
                         "send you a new kettle.\"}"));

    page(&s, token, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "The kettle leaks"));
    /* what she typed is shown as text */
    assert_non_null(strstr(r.body, "It leaks from the bottom &lt;b&gt;again"));
    assert_non_null(strstr(r.body, "REPLY-VISIBLE"));
    assert_non_null(strstr(r.body, "kettle.png"));
    assert_null(strstr(r.body, "SECRET-NOTE"));
    assert_null(strstr(r.body, "receipt-internal"));
    assert_null(strstr(r.body, "DRAFT-UNSENT"));
    assert_false(has_iso_time(r.body));
    assert_non_null(strstr(r.body, "(UTC)"));
    assert_null(strstr(r.body, "<script"));
    /* her file downloads as a file, byte for byte */
    const char *f = strstr(r.body, "/files/");
    assert_non_null(f);
    char file_path[200];
    snprintf(file_path, sizeof file_path, "/help/r/%s/files/%lld", token,
             atoll(f + strlen("/files/")));
    rp_http_free(&r);
    rp_http_send(&s, "GET", file_path, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, sizeof png - 1);
    assert_memory_equal(r.body, png, sizeof png - 1);
    rp_http_free(&r);
    /* the note's file is not reachable through her link */
    snprintf(file_path, sizeof file_path, "/help/r/%s/files/%lld", token,
             note_file);
    rp_http_send(&s, "GET", file_path, NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_null(strstr(r.body, "internal"));
    rp_http_free(&r);

    /* her answer on the page lands in the same encounter */
    const char *reply[] = {"message", "REPLY-FROM-PAGE: thank you!", NULL};
    snprintf(path, sizeof path, "/help/r/%s", token);
    post_form(&s, path, NULL, NULL, 0, reply, &r);
    assert_int_equal(r.status, 303);
    assert_non_null(strstr(r.location, token));
    rp_http_free(&r);
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/messages?limit=100",
             eid);
    json_t *msgs = rp_call(&s, "GET", path, NULL, 200);
    json_t *items = json_object_get(msgs, "items");
    json_t *last = json_array_get(items, json_array_size(items) - 1);
    assert_string_equal(json_string_value(json_object_get(last, "body")),
                        "REPLY-FROM-PAGE: thank you!");
    assert_string_equal(json_string_value(json_object_get(last, "direction")),
                        "inbound");
    assert_string_equal(json_string_value(json_object_get(last, "channel")),
                        "web");
    json_decref(msgs);
    assert_int_equal(newest_encounter(&s), eid); /* no new encounter */
    page(&s, token, &r);
    assert_non_null(strstr(r.body, "REPLY-FROM-PAGE"));
    assert_null(strstr(r.body, "SECRET-NOTE"));
    rp_http_free(&r);
    rp_srv_cleanup(&s);
}

/* ---- the mailed link ----------------------------------------------------- */

static void test_link_is_mailed(void **state)
{
    (void)state;
    rp_sink smtp;
    rp_sink_start(&smtp, "smtp_sink.py", "0");
    char url[80];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", smtp.port);
    setenv("RAPPORT_SMTP_URL", url, 1);
    setenv("RAPPORT_SMTP_FROM", "desk@rapport.example", 1);
    rp_srv s;
    start(&s, "100", "100", "100");
    setenv("RAPPORT_PUBLIC_URL", s.url, 1); /* the CLI mails with it */
    rp_http r;
    ask(&s, "Jan Kowalski", "jan@example.com", "Where is my parcel?",
        "It was due on Monday.", &r);
    assert_int_equal(r.status, 201);
    char shown[65], mailed[65];
    assert_int_equal(token_in(r.body, shown), 0);
    rp_http_free(&r);
    char *out = NULL;
    assert_int_equal(rp_cli(&s, &out, "due", NULL), 0);
    free(out);
    assert_int_equal(rp_sink_count(&smtp, "msg-", ".eml"), 1);
    char *mail = rp_sink_read(&smtp, "msg-1.eml");
    assert_non_null(strstr(mail, "To: jan@example.com"));
    assert_non_null(strstr(mail, "Where is my parcel?"));
    assert_int_equal(token_in(mail, mailed), 0);
    free(mail);
    assert_string_not_equal(shown, mailed);
    /* both open the request; a second run mails nothing again */
    page(&s, mailed, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "It was due on Monday."));
    rp_http_free(&r);
    page(&s, shown, &r);
    assert_int_equal(r.status, 200);
    rp_http_free(&r);
    assert_int_equal(rp_cli(&s, &out, "due", NULL), 0);
    free(out);
    assert_int_equal(rp_sink_count(&smtp, "msg-", ".eml"), 1);
    unsetenv("RAPPORT_SMTP_URL");
    unsetenv("RAPPORT_SMTP_FROM");
    unsetenv("RAPPORT_PUBLIC_URL");
    rp_srv_cleanup(&s);
    rp_sink_stop(&smtp);
}

/* ---- abuse --------------------------------------------------------------- */

static void test_honeypot_opens_nothing(void **state)
{
    (void)state;
    rp_srv s;
    start(&s, "100", "100", "100");
    long before = rp_list_count(&s, "/api/v1/encounters");
    long customers = rp_list_count(&s, "/api/v1/customers");
    const char *pairs[] = {"name",    "Cheap Pills",
                           "email",   "bot@spam.example",
                           "subject", "Offer",
                           "message", "Buy now",
                           "website", "http://spam.example/",
                           NULL};
    rp_http r;
    post_form(&s, "/help", NULL, NULL, 0, pairs, &r);
    assert_int_equal(r.status, 200); /* the bot is told nothing */
    assert_null(strstr(r.body, "/help/r/"));
    rp_http_free(&r);
    assert_int_equal(rp_list_count(&s, "/api/v1/encounters"), before);
    assert_int_equal(rp_list_count(&s, "/api/v1/customers"), customers);
    assert_int_equal(rp_db_count(&s, "help_links"), 0);
    rp_srv_cleanup(&s);
}

static void test_limit_per_email(void **state)
{
    (void)state;
    rp_srv s;
    start(&s, "100", "100", "2");
    rp_http r;
    for (int i = 0; i < 2; i++) {
        ask(&s, "Ola", i ? "OLA@example.com" : "ola@example.com", "Hi", "First",
            &r);
        assert_int_equal(r.status, 201);
        rp_http_free(&r);
    }
    long before = rp_list_count(&s, "/api/v1/encounters");
    ask(&s, "Ola", "ola@example.com", "Hi", "Third", &r);
    assert_int_equal(r.status, 429);
    assert_true(atoi(r.retry_after) > 0);
    assert_non_null(strstr(r.body, "for this email address"));
    /* what she typed is kept in the form for later */
    assert_non_null(strstr(r.body, "Third"));
    rp_http_free(&r);
    assert_int_equal(rp_list_count(&s, "/api/v1/encounters"), before);
    /* another address is still welcome */
    ask(&s, "Piotr", "piotr@example.com", "Hi", "Me too", &r);
    assert_int_equal(r.status, 201);
    rp_http_free(&r);
    rp_srv_cleanup(&s);
}

/* The desk's own flood rule (one door for mail and the web) refuses too,
 * and the customer is told to try later, not that something broke. */
static void test_refused_by_the_door(void **state)
{
    (void)state;
    rp_srv s;
    start(&s, "100", "100", "100");
    json_decref(rp_callf(&s, "PUT", "/api/v1/conversation/settings", 200,
                         "{\"flood_messages\":1,\"flood_minutes\":10}"));
    rp_http r;
    ask(&s, "Ida", "ida@example.com", "One", "first", &r);
    assert_int_equal(r.status, 201);
    rp_http_free(&r);
    long before = rp_list_count(&s, "/api/v1/encounters");
    ask(&s, "Ida", "ida@example.com", "Two", "second", &r);
    assert_int_equal(r.status, 429);
    assert_true(atoi(r.retry_after) > 0);
    assert_non_null(strstr(r.body, "could not take your message just now"));
    assert_non_null(strstr(r.body, "second")); /* kept in the form */
    rp_http_free(&r);
    assert_int_equal(rp_list_count(&s, "/api/v1/encounters"), before);
    assert_int_equal(rp_db_count(&s, "help_links"), 2);
    rp_srv_cleanup(&s);
}

static void test_limit_per_address_and_network(void **state)
{
    (void)state;
    rp_srv s;
    /* three per address, four per /24 */
    start(&s, "3", "4", "100");
    char email[64];
    for (int i = 0; i < 3; i++) {
        snprintf(email, sizeof email, "a%d@example.com", i);
        assert_int_equal(ask_from(&s, "127.0.0.1", email), 201);
    }
    assert_int_equal(ask_from(&s, "127.0.0.1", "a9@example.com"), 429);
    /* another address of the same /24: one more fits the network's four */
    assert_int_equal(ask_from(&s, "127.0.0.2", "b1@example.com"), 201);
    long before = rp_list_count(&s, "/api/v1/encounters");
    assert_int_equal(ask_from(&s, "127.0.0.2", "b2@example.com"), 429);
    assert_int_equal(ask_from(&s, "127.0.0.3", "c1@example.com"), 429);
    assert_int_equal(rp_list_count(&s, "/api/v1/encounters"), before);
    /* the refusal says when to come back */
    rp_http r;
    ask(&s, "X", "x@example.com", "Hi", "there", &r);
    assert_int_equal(r.status, 429);
    assert_non_null(strstr(r.body, "try again in"));
    rp_http_free(&r);
    rp_srv_cleanup(&s);
}

static void test_size_limits(void **state)
{
    (void)state;
    rp_srv s;
    start(&s, "100", "100", "100");
    long before = rp_list_count(&s, "/api/v1/encounters");
    /* a file over the 4096 bytes allowed, within the body's room */
    size_t n = 6000;
    char *big = malloc(n);
    memset(big, 'x', n);
    const char *pairs[] = {"name",    "Big",     "email",   "big@example.com",
                           "subject", "A photo", "message", "see the file",
                           "website", "",        NULL};
    rp_http r;
    post_form(&s, "/help", "big.png", big, n, pairs, &r);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "attachment is larger than 4 KB"));
    rp_http_free(&r);
    free(big);
    /* a body far over any limit: refused before it is read */
    n = 2u * 1024 * 1024;
    big = malloc(n);
    memset(big, 'y', n);
    post_form(&s, "/help", "huge.png", big, n, pairs, &r);
    assert_int_equal(r.status, 413);
    rp_http_free(&r);
    free(big);
    /* a message over 20000 characters */
    char *text = malloc(20002);
    memset(text, 'z', 20001);
    text[20001] = '\0';
    ask(&s, "Long", "long@example.com", "Long", text, &r);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "message"));
    rp_http_free(&r);
    free(text);
    /* a missing field is named in words */
    ask(&s, "No mail", "", "Hi", "text", &r);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "email"));
    rp_http_free(&r);
    assert_int_equal(rp_list_count(&s, "/api/v1/encounters"), before);
    assert_int_equal(rp_db_count(&s, "help_links"), 0);
    rp_srv_cleanup(&s);
}

/* ---- links --------------------------------------------------------------- */

static void test_links_expire_and_are_exact(void **state)
{
    (void)state;
    rp_srv s;
    start(&s, "100", "100", "100");
    rp_http r;
    ask(&s, "Eva", "eva@example.com", "Hello", "Question", &r);
    assert_int_equal(r.status, 201);
    char token[65];
    assert_int_equal(token_in(r.body, token), 0);
    rp_http_free(&r);
    page(&s, token, &r);
    assert_int_equal(r.status, 200);
    rp_http_free(&r);
    /* a token one character off, a short one, an upper-case one */
    char wrong[65];
    memcpy(wrong, token, sizeof wrong);
    wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
    page(&s, wrong, &r);
    assert_int_equal(r.status, 404);
    rp_http_free(&r);
    page(&s, "abc", &r);
    assert_int_equal(r.status, 404);
    rp_http_free(&r);
    /* the database holds no token, only its hash */
    char text[200];
    for (const char *c = token; *c; c++) /* hex: safe in a literal */
        assert_non_null(strchr("0123456789abcdefABCDEF", *c));
    snprintf(text, sizeof text,
             "SELECT count(*) FROM help_links WHERE token_hash = '%s'", token);
    assert_int_equal(rp_db_number(&s, text), 0);
    /* time passes: the link expires (plain SQL: no endpoint moves time) */
    snprintf(text, sizeof text, "UPDATE help_links SET expires_at = %lld",
             (long long)time(NULL) - 1);
    sql(&s, text);
    page(&s, token, &r);
    assert_int_equal(r.status, 410);
    assert_non_null(strstr(r.body, "expired"));
    rp_http_free(&r);
    long long eid = newest_encounter(&s);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/messages", eid);
    long before = rp_list_count(&s, path);
    const char *reply[] = {"message", "too late", NULL};
    snprintf(path, sizeof path, "/help/r/%s", token);
    post_form(&s, path, NULL, NULL, 0, reply, &r);
    assert_int_equal(r.status, 410);
    rp_http_free(&r);
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/messages", eid);
    assert_int_equal(rp_list_count(&s, path), before);
    rp_srv_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_page_and_reply),
        cmocka_unit_test(test_link_is_mailed),
        cmocka_unit_test(test_honeypot_opens_nothing),
        cmocka_unit_test(test_limit_per_email),
        cmocka_unit_test(test_refused_by_the_door),
        cmocka_unit_test(test_limit_per_address_and_network),
        cmocka_unit_test(test_size_limits),
        cmocka_unit_test(test_links_expire_and_are_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
