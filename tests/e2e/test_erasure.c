/*
 * test_erasure.c - erasure, the sealed ledger and retention, end to end,
 * against the real rapportd and CLI.
 *
 * A customer with a full history (profile, identities, preferences, goals,
 * dates, consents, a conversation with an attachment, a note, a
 * satisfaction answer) is erased through the API; then the database file
 * and its write-ahead log are searched byte by byte for their name, email
 * address and words from their messages (on PostgreSQL, whose files are
 * the server's: every row of every table), and none is found, while the
 * service metrics of the past are unchanged and `rapport ledger verify`
 * passes.  A copy of the database changed by hand, its trigger dropped,
 * fails verification, naming the moment.  The second person's approval,
 * the marketing suppression list, and retention in dry-run and real runs
 * are checked the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "harness.h"

#define NAME "Zebulon Quixworth"
#define EMAIL "zebulon.quixworth@example.org"
#define PHRASE "sapphire marmalade umbrella"
#define NOTE "prefers the back door near the quince tree"
#define GOAL "open a ferret sanctuary in Wrexham"
#define COMMENT "splendidly xylophonic service"
/* "quixworthian attachment body" */
#define FILE_B64 "cXVpeHdvcnRoaWFuIGF0dGFjaG1lbnQgYm9keQ=="

/* ---- looking in the files ----------------------------------------------- */

static char *slurp(const char *path, size_t *n)
{
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    fclose(f);
    *n = len;
    return buf;
}

/* Is text anywhere in the database file or its write-ahead log (on
 * PostgreSQL: in any row)? */
static int in_files(rp_srv *s, const char *text)
{
    return rp_db_holds(s, text);
}

/* (the attachment is kept as base64: its text is looked for that way) */
static const char *const secrets[] = {NAME, EMAIL,   PHRASE,  NOTE,
                                      GOAL, COMMENT, FILE_B64};
#define NSECRETS (sizeof secrets / sizeof secrets[0])

/* ---- building a history ------------------------------------------------- */

static long long id_of(json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

static void post(rp_srv *s, const char *path, long status, const char *json)
{
    json_decref(rp_callf(s, "POST", path, status, json));
}

/* A customer with everything rapport can hold about them; *encounter is
 * their conversation's encounter. */
static long long full_history(rp_srv *s, long long *encounter)
{
    json_t *c = rp_callf(s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"" NAME "\",\"preferred_name\":\"Zeb\","
                         "\"emails\":[\"" EMAIL "\"],"
                         "\"phones\":[\"+44 7700 900123\"],"
                         "\"notes\":\"" NOTE "\"}");
    long long id = id_of(c, "id");
    json_decref(c);
    char path[200];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/preferences", id);
    post(s, path, 201,
         "{\"key\":\"colour\",\"value\":\"quixworth ochre\","
         "\"firmness\":\"firm\"}");
    snprintf(path, sizeof path, "/api/v1/customers/%lld/goals", id);
    post(s, path, 201, "{\"title\":\"" GOAL "\"}");
    snprintf(path, sizeof path, "/api/v1/customers/%lld/dates", id);
    post(s, path, 201,
         "{\"kind\":\"appointment\",\"title\":\"Fitting at Quixworth "
         "Hall\",\"at\":\"2031-05-01T09:00:00Z\",\"with_whom\":\"Mrs "
         "Quixworth\"}");
    snprintf(path, sizeof path, "/api/v1/customers/%lld/consents", id);
    post(s, path, 201, "{\"purpose\":\"offers\",\"granted\":false}");
    /* the customer writes, with a file */
    json_t *in = rp_callf(
        s, "POST", "/api/v1/conversation/inbound", 200,
        "{\"from_address\":\"" EMAIL "\",\"from_name\":\"" NAME "\","
        "\"subject\":\"My saddle\",\"text\":\"Hello, about the " PHRASE
        ", please.\",\"message_id\":\"<zq-1@example.org>\","
        "\"attachments\":[{\"filename\":\"quixworth-invoice.txt\","
        "\"content_type\":\"text/plain\",\"data_base64\":\"" FILE_B64 "\"}]}");
    assert_int_equal(id_of(in, "customer_id"), id);
    *encounter = id_of(in, "encounter_id");
    json_decref(in);
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/messages", *encounter);
    post(s, path, 201,
         "{\"kind\":\"note\",\"body\":\"Zebulon mentioned the " PHRASE
         " again\"}");
    post(s, path, 201,
         "{\"kind\":\"reply\",\"body\":\"Dear Zebulon Quixworth, your "
         "saddle is ready.\"}");
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/satisfaction",
             *encounter);
    post(s, path, 201,
         "{\"score\":4,\"words\":[\"quick\",\"kind\"],\"comment\":\"" COMMENT
         "\"}");
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/abandon", *encounter);
    post(s, path, 200, "{\"reason\":\"Zebulon hung up\"}");
    return id;
}

/* The metrics of a fixed window around now. */
static json_t *metrics(rp_srv *s)
{
    static char path[200];
    if (!path[0]) {
        time_t now = time(NULL);
        char from[32], to[32];
        time_t a = now - 86400, b = now + 86400;
        strftime(from, sizeof from, "%Y-%m-%dT%H:%M:%SZ", gmtime(&a));
        strftime(to, sizeof to, "%Y-%m-%dT%H:%M:%SZ", gmtime(&b));
        snprintf(path, sizeof path, "/api/v1/metrics/service?from=%s&to=%s",
                 from, to);
    }
    return rp_call(s, "GET", path, NULL, 200);
}

static int cli_ok(rp_srv *s, char **out, const char *a, const char *b,
                  const char *c, const char *d)
{
    return rp_cli(s, out, a, b, c, d, (char *)NULL);
}

/* ---- erasure ------------------------------------------------------------- */

static void test_erasure_removes_every_byte_and_keeps_the_past(void **state)
{
    rp_srv *s = *state;
    long long encounter;
    long long id = full_history(s, &encounter);
    /* the test can fail: before the erasure, each is in the files */
    for (size_t i = 0; i < NSECRETS; i++)
        assert_true(in_files(s, secrets[i]));
    json_t *before = metrics(s);
    long moments = rp_db_count(s, "moments");
    long messages = rp_db_count(s, "messages");
    long encounters = rp_db_count(s, "encounters");
    long answers = rp_db_count(s, "satisfaction_checks");
    assert_true(rp_db_count(s, "attachments") > 0);

    char path[120];
    snprintf(path, sizeof path,
             "/api/v1/customers/%lld?requested_by=the%%20customer%%2C%%20by"
             "%%20email",
             id);
    json_t *r = rp_call(s, "DELETE", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(r, "state")),
                        "erased");
    json_decref(r);

    for (size_t i = 0; i < NSECRETS; i++)
        assert_false(in_files(s, secrets[i]));
    /* the past is still counted the same */
    json_t *after = metrics(s);
    /* the erasure is a moment of its own, recorded now: one more, neither
     * positive nor negative; everything else is exactly as it was */
    json_t *mb = json_object_get(before, "moments");
    json_t *ma = json_object_get(after, "moments");
    assert_int_equal(id_of(ma, "total"), id_of(mb, "total") + 1);
    assert_int_equal(id_of(ma, "positive"), id_of(mb, "positive"));
    assert_int_equal(id_of(ma, "negative"), id_of(mb, "negative"));
    assert_int_equal(id_of(ma, "customers"), id_of(mb, "customers"));
    json_object_del(before, "moments");
    json_object_del(after, "moments");
    char *b = json_dumps(before, JSON_SORT_KEYS | JSON_COMPACT);
    char *a = json_dumps(after, JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(a, b);
    free(a);
    free(b);
    json_decref(before);
    json_decref(after);
    assert_int_equal(rp_db_count(s, "moments"), moments + 1);
    assert_int_equal(rp_db_count(s, "messages"), messages);
    assert_int_equal(rp_db_count(s, "encounters"), encounters);
    assert_int_equal(rp_db_count(s, "satisfaction_checks"), answers);
    assert_int_equal(rp_db_count(s, "attachments"), 0);
    assert_int_equal(rp_db_count(s, "identities"), 0);
    assert_int_equal(rp_db_count(s, "goals"), 0);

    /* the audit log accounts for it */
    snprintf(path, sizeof path, "/api/v1/audit?action=erasure&customer_id=%lld",
             id);
    assert_int_equal(rp_list_count(s, path), 1);
    snprintf(path, sizeof path, "/api/v1/customers/%lld", id);

    /* the customer stays, erased; the moments keep their shape */
    json_t *c = rp_call(s, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(c, "name")),
                        "Erased customer");
    assert_true(json_is_string(json_object_get(c, "erased_at")));
    json_decref(c);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments?limit=100", id);
    json_t *page = rp_call(s, "GET", path, NULL, 200);
    json_t *items = json_object_get(page, "items");
    assert_true(json_array_size(items) > 5);
    json_t *newest = json_array_get(items, 0);
    assert_string_equal(json_string_value(json_object_get(newest, "kind")),
                        "customer.erased");
    assert_non_null(strstr(
        json_string_value(json_object_get(newest, "summary")), "by email"));
    for (size_t i = 1; i < json_array_size(items); i++) {
        json_t *m = json_array_get(items, i);
        assert_string_equal(json_string_value(json_object_get(m, "summary")),
                            "The details of this moment were erased.");
        assert_true(json_is_string(json_object_get(m, "occurred_at")));
        assert_true(json_is_string(json_object_get(m, "kind")));
    }
    json_decref(page);

    /* it cannot be done again, and the ledger verifies */
    snprintf(path, sizeof path, "/api/v1/customers/%lld?requested_by=x", id);
    rp_http h;
    rp_http_send(s, "DELETE", path, NULL, NULL, 0, NULL, &h);
    rp_assert_error(&h, 409, "conflict", NULL);
    rp_http_free(&h);
    char *out = NULL;
    assert_int_equal(cli_ok(s, &out, "ledger", "verify", NULL, NULL), 0);
    assert_non_null(strstr(out, "ledger verified"));
    free(out);

    /* the customer had refused offers: their address cannot consent again */
    json_t *again = rp_callf(s, "POST", "/api/v1/customers", 201,
                             "{\"name\":\"Z. Q.\",\"emails\":[\"" EMAIL "\"]}");
    snprintf(path, sizeof path, "/api/v1/customers/%lld/consents",
             id_of(again, "id"));
    rp_http_send(s, "POST", path, "application/json",
                 "{\"purpose\":\"offers\",\"granted\":true}", 35, NULL, &h);
    rp_assert_error(&h, 409, "conflict", "granted");
    rp_http_free(&h);
    post(s, path, 201, "{\"purpose\":\"reminders\",\"granted\":true}");
    json_decref(again);
    /* nor is the address itself kept anywhere: only a salted hash */
    assert_int_equal(rp_db_count(s, "marketing_suppressions"), 1);
}

static void test_verify_names_a_moment_changed_by_hand(void **state)
{
    rp_srv *s = *state;
    long long encounter;
    full_history(s, &encounter);
    char *out = NULL;
    assert_int_equal(cli_ok(s, &out, "ledger", "verify", NULL, NULL), 0);
    free(out);
    /* a copy, changed by hand, the trigger dropped (a PostgreSQL database
     * is copied with nothing connected to it: rapportd stops meanwhile) */
    rp_srv copy;
    rp_srv_stop(s);
    rp_db_copy(s, &copy);
    rp_srv_start(s);
    char cmd[1200];
    assert_int_equal(
        rp_db_exec(&copy,
                   rp_e2e_pg()
                       ? "DROP TRIGGER moments_are_append_only_u ON moments;"
                         " UPDATE moments SET summary = 'Customer was rude'"
                         " WHERE id = (SELECT min(id) + 3 FROM moments);"
                       : "DROP TRIGGER moments_are_append_only_u;"
                         " UPDATE moments SET summary = 'Customer was rude'"
                         " WHERE id = (SELECT min(id) + 3 FROM moments);"),
        0);
    char target[24];
    snprintf(target, sizeof target, "%lld",
             rp_db_number(&copy, "SELECT min(id) + 3 FROM moments"));

    snprintf(cmd, sizeof cmd,
             RAPPORT_CLI_PATH " --db '%s' ledger verify > '%s/verify.out'",
             copy.db, s->dir);
    int status = system(cmd);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 3);
    char outpath[400];
    snprintf(outpath, sizeof outpath, "%s/verify.out", s->dir);
    size_t n;
    char *text = slurp(outpath, &n);
    assert_non_null(text);
    text = realloc(text, n + 1);
    text[n] = '\0';
    char named[64];
    snprintf(named, sizeof named, "moment %s (", target);
    assert_non_null(strstr(text, named));
    assert_non_null(strstr(text, "summary or detail differs"));
    assert_non_null(strstr(text, "LEDGER ALTERED"));
    free(text);
    rp_srv_cleanup(&copy);
    /* the server's own database still verifies */
    assert_int_equal(cli_ok(s, &out, "ledger", "verify", NULL, NULL), 0);
    free(out);
}

static void test_a_second_person_approves(void **state)
{
    rp_srv *s = *state;
    json_decref(rp_callf(s, "PUT", "/api/v1/privacy/settings", 200,
                         "{\"erasure_approval\":\"two_people\"}"));
    char admin[160], lead[160], lead2[160], agent[160];
    memcpy(admin, s->token, sizeof admin);
    rp_srv_token_for(s, "lead", lead, sizeof lead);
    rp_srv_token_for(s, "lead", lead2, sizeof lead2);
    rp_srv_token_for(s, "agent", agent, sizeof agent);
    json_t *c = rp_callf(s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Wilhelmina Twospoon\"}");
    char path[120];
    snprintf(path, sizeof path,
             "/api/v1/customers/%lld?requested_by=the+customer",
             id_of(c, "id"));
    json_decref(c);
    rp_http h;
    snprintf(s->token, sizeof s->token, "%s", agent);
    rp_http_send(s, "DELETE", path, NULL, NULL, 0, NULL, &h);
    assert_int_equal(h.status, 403);
    rp_http_free(&h);
    snprintf(s->token, sizeof s->token, "%s", lead);
    json_t *r = rp_call(s, "DELETE", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(r, "state")),
                        "pending");
    json_decref(r);
    assert_true(in_files(s, "Twospoon"));
    rp_http_send(s, "DELETE", path, NULL, NULL, 0, NULL, &h);
    rp_assert_error(&h, 409, "conflict", NULL);
    rp_http_free(&h);
    snprintf(s->token, sizeof s->token, "%s", lead2);
    r = rp_call(s, "DELETE", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(r, "state")),
                        "erased");
    json_decref(r);
    memcpy(s->token, admin, sizeof admin);
    assert_false(in_files(s, "Twospoon"));
    json_decref(rp_callf(s, "PUT", "/api/v1/privacy/settings", 200,
                         "{\"erasure_approval\":\"admin\"}"));
}

/* ---- retention ----------------------------------------------------------- */

static long count_where(rp_srv *s, const char *sql)
{
    return (long)rp_db_number(s, sql);
}

/* TIME years from now, as RFC 3339, in out. */
static void years_ahead(int years, char out[32])
{
    time_t t = time(NULL) + (time_t)years * 366 * 86400;
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
}

static void test_retention_dry_run_then_run(void **state)
{
    rp_srv *s = *state;
    long long encounter;
    full_history(s, &encounter);
    char *out = NULL;
    assert_int_equal(rp_cli(s, &out, "retention", "--inactive-years", "3",
                            "--attachment-months", "6", "--body-months", "6",
                            (char *)NULL),
                     0);
    free(out);
    const char *live = "SELECT count(*) FROM customers WHERE erased_at IS NULL";
    long customers = count_where(s, live);
    long attachments = rp_db_count(s, "attachments");
    long messages = rp_db_count(s, "messages");
    long moments = rp_db_count(s, "moments");
    assert_true(customers > 0 && attachments > 0 && messages >= 3);

    /* in a year: the attachment and the messages of the abandoned
     * encounter are due, the customer is not */
    char year1[32], year5[32];
    years_ahead(1, year1);
    years_ahead(5, year5);
    assert_int_equal(
        rp_cli(s, &out, "retention", "--dry-run", "--now", year1, (char *)NULL),
        0);
    assert_non_null(strstr(out, "no contact for 3 years): 0"));
    assert_non_null(strstr(out, "attachments to drop: 1"));
    char expect[120];
    snprintf(expect, sizeof expect,
             "messages to blank: %ld (in 1 ended encounters)", messages);
    assert_non_null(strstr(out, expect));
    assert_non_null(strstr(out, "nothing was changed"));
    free(out);
    assert_int_equal(rp_db_count(s, "attachments"), attachments);
    assert_int_equal(rp_db_count(s, "moments"), moments);
    assert_true(in_files(s, PHRASE));

    /* not yet due today: a real run now removes nothing */
    assert_int_equal(rp_cli(s, &out, "retention", "--run", (char *)NULL), 0);
    free(out);
    assert_int_equal(rp_db_count(s, "attachments"), attachments);
    assert_true(in_files(s, PHRASE));

    assert_int_equal(
        rp_cli(s, &out, "retention", "--run", "--now", year1, (char *)NULL), 0);
    snprintf(expect, sizeof expect,
             "erased 0 customers, dropped 1 attachments, blanked %ld "
             "messages in 1 encounters",
             messages);
    assert_non_null(strstr(out, expect));
    free(out);
    assert_int_equal(rp_db_count(s, "attachments"), 0);
    assert_int_equal(rp_db_count(s, "messages"), messages);
    assert_false(in_files(s, PHRASE));
    assert_false(in_files(s, FILE_B64));
    assert_true(in_files(s, NAME)); /* the customer stays */
    assert_int_equal(count_where(s, "SELECT count(*) FROM moments WHERE kind"
                                    " LIKE 'retention.%'"),
                     2);
    /* the conversation's moments quoted it: they are blanked, and the
     * ledger still verifies with the customer not erased */
    assert_int_equal(cli_ok(s, &out, "ledger", "verify", NULL, NULL), 0);
    free(out);

    /* in five years the customer is erased too, with a moment */
    assert_int_equal(
        rp_cli(s, &out, "retention", "--dry-run", "--now", year5, (char *)NULL),
        0);
    snprintf(expect, sizeof expect,
             "customers to erase (no contact for 3 years): %ld", customers);
    assert_non_null(strstr(out, expect));
    assert_non_null(strstr(out, NAME));
    free(out);
    assert_int_equal(count_where(s, live), customers);
    assert_int_equal(
        rp_cli(s, &out, "retention", "--run", "--now", year5, (char *)NULL), 0);
    snprintf(expect, sizeof expect, "erased %ld customers", customers);
    assert_non_null(strstr(out, expect));
    free(out);
    assert_int_equal(count_where(s, live), 0);
    assert_int_equal(count_where(s, "SELECT count(*) FROM moments WHERE "
                                    "kind = 'customer.erased'"),
                     customers);
    for (size_t i = 0; i < NSECRETS; i++)
        assert_false(in_files(s, secrets[i]));
    assert_int_equal(cli_ok(s, &out, "ledger", "verify", NULL, NULL), 0);
    free(out);
    assert_int_equal(
        rp_cli(s, &out, "retention", "--dry-run", "--now", year5, (char *)NULL),
        0);
    assert_non_null(strstr(out, "no contact for 3 years): 0"));
    free(out);
}

/* The erasure's test compares the metrics before and after it: a run of
 * the scheduler in between (its first comes at start, when a loaded
 * machine may have delayed it) would add a moment of its own, so this
 * server runs none. */
static int start_without_scheduler(void **state)
{
    setenv("RAPPORT_SCHEDULER_INTERVAL", "0", 1);
    int rc = rp_srv_fixture_start(state);
    unsetenv("RAPPORT_SCHEDULER_INTERVAL");
    return rc;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_erasure_removes_every_byte_and_keeps_the_past,
            start_without_scheduler, rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(
            test_verify_names_a_moment_changed_by_hand, rp_srv_fixture_start,
            rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(test_a_second_person_approves,
                                        rp_srv_fixture_start,
                                        rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(test_retention_dry_run_then_run,
                                        rp_srv_fixture_start,
                                        rp_srv_fixture_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
