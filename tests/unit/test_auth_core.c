/*
 * test_auth_core.c - unit tests of auth, routing choice and the knowledge
 * base's query sanitising: argon2id hashing, secret hashing, the login
 * throttle (on a real temporary store, with a pinned clock), the FTS5
 * query builder, and rp_routing_pick.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static void test_password_hashing(void **state)
{
    (void)state;
    char h1[128], h2[128];
    rp_error err;
    assert_int_equal(rp_password_hash("correct horse battery", h1, &err),
                     RP_OK);
    assert_int_equal(rp_password_hash("correct horse battery", h2, &err),
                     RP_OK);
    assert_int_equal(strncmp(h1, "$argon2id$", 10), 0);
    assert_string_not_equal(h1, h2); /* salted */
    assert_true(rp_password_verify(h1, "correct horse battery"));
    assert_true(rp_password_verify(h2, "correct horse battery"));
    assert_false(rp_password_verify(h1, "correct horse batterY"));
    assert_false(rp_password_verify(h1, ""));
    assert_false(rp_password_verify("not a hash", "x"));
    assert_int_equal(rp_password_check("short", "password", &err), RP_EINVALID);
    assert_string_equal(err.field, "password");
    assert_int_equal(rp_password_check("ten chars!", "password", &err), RP_OK);
    char gen[21];
    rp_password_generate(gen, sizeof gen);
    assert_int_equal(strlen(gen), 20);
    assert_null(strpbrk(gen, "0O1lI"));
}

static void test_secret_hashing(void **state)
{
    (void)state;
    char h[RP_SECRET_HEX], a[RP_SECRET_HEX], b[RP_SECRET_HEX], c[RP_SECRET_HEX];
    /* FIPS 180-2 test vector. */
    rp_secret_hash("abc", h);
    assert_string_equal(
        h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    rp_secret_new(a);
    rp_secret_new(b);
    assert_int_equal(strlen(a), 64);
    assert_int_equal(strspn(a, "0123456789abcdef"), 64);
    assert_string_not_equal(a, b);
    rp_csrf_for(a, c);
    rp_secret_hash(a, h);
    assert_string_not_equal(c, h); /* the stored hash is not the CSRF token */
    assert_string_not_equal(c, a);
    assert_true(rp_secret_equal(a, a));
    assert_false(rp_secret_equal(a, b));
    assert_false(rp_secret_equal("abc", "abcd"));
    assert_int_equal(rp_role_rank("agent"), 1);
    assert_int_equal(rp_role_rank("lead"), 2);
    assert_int_equal(rp_role_rank("admin"), 3);
    assert_int_equal(rp_role_rank("root"), 0);
    assert_int_equal(rp_role_rank(NULL), 0);
}

static rp_code try_login(rp_ctx *ctx, const char *email, const char *pw,
                         const char *addr, int *retry, rp_error *err)
{
    json_t *in = json_pack("{s:s, s:s}", "email", email, "password", pw),
           *out = NULL;
    char secret[RP_SECRET_HEX];
    rp_code rc = rp_auth_login(ctx, in, addr, secret, &out, retry, err);
    json_decref(in);
    json_decref(out);
    return rc;
}

static void test_login_delays_grow(void **state)
{
    (void)state;
    assert_int_equal(rp_login_delay(0, 5), 0);
    assert_int_equal(rp_login_delay(4, 5), 0);
    assert_int_equal(rp_login_delay(5, 5), RP_LOGIN_DELAY_FIRST_SECONDS);
    assert_int_equal(rp_login_delay(6, 5), 2 * RP_LOGIN_DELAY_FIRST_SECONDS);
    assert_int_equal(rp_login_delay(8, 5), 8 * RP_LOGIN_DELAY_FIRST_SECONDS);
    assert_int_equal(rp_login_delay(60, 5), RP_LOGIN_DELAY_MAX_SECONDS);
    assert_int_equal(rp_login_delay(INT64_MAX, 5), RP_LOGIN_DELAY_MAX_SECONDS);
}

#define ADA_PW "correct horse battery"

static void test_login_throttle(void **state)
{
    rp_test_db *db = *state;
    rp_ctx ctx = db->ctx;
    rp_error err;
    json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "name", "Ada", "email",
                           "ada@example.com", "role", "agent", "password",
                           ADA_PW),
           *out = NULL;
    assert_int_equal(rp_agent_create(&ctx, in, &out, &err), RP_OK);
    json_decref(in);
    json_decref(out);
    int64_t t0 = 1800000000;
    rp_clock_pin(t0);
    int retry = 0;
    for (int i = 0; i < RP_LOGIN_FREE_PER_PAIR; i++)
        assert_int_equal(try_login(&ctx, "ada@example.com", "wrong", "10.0.0.1",
                                   &retry, &err),
                         RP_EAUTH);
    /* From that address the next attempt waits, even the right one... */
    assert_int_equal(
        try_login(&ctx, "ADA@example.com", ADA_PW, "10.0.0.1", &retry, &err),
        RP_ERATELIMIT);
    assert_int_equal(retry, RP_LOGIN_DELAY_FIRST_SECONDS);
    /* ...but the owner elsewhere is not locked out by somebody's guesses. */
    assert_int_equal(
        try_login(&ctx, "ada@example.com", ADA_PW, "10.0.0.2", &retry, &err),
        RP_OK);
    /* The delay doubles with each further failure. */
    rp_clock_pin(t0 + RP_LOGIN_DELAY_FIRST_SECONDS);
    assert_int_equal(
        try_login(&ctx, "ada@example.com", "wrong", "10.0.0.1", &retry, &err),
        RP_EAUTH);
    assert_int_equal(
        try_login(&ctx, "ada@example.com", "wrong", "10.0.0.1", &retry, &err),
        RP_ERATELIMIT);
    assert_int_equal(retry, 2 * RP_LOGIN_DELAY_FIRST_SECONDS);
    rp_clock_pin(t0 + 3 * RP_LOGIN_DELAY_FIRST_SECONDS - 1);
    assert_int_equal(
        try_login(&ctx, "ada@example.com", ADA_PW, "10.0.0.1", &retry, &err),
        RP_ERATELIMIT);
    assert_int_equal(retry, 1);
    /* A success from the address clears that address's count for her. */
    rp_clock_pin(t0 + 3 * RP_LOGIN_DELAY_FIRST_SECONDS);
    assert_int_equal(
        try_login(&ctx, "ada@example.com", ADA_PW, "10.0.0.1", &retry, &err),
        RP_OK);
    for (int i = 0; i < RP_LOGIN_FREE_PER_PAIR; i++)
        assert_int_equal(try_login(&ctx, "ada@example.com", "wrong", "10.0.0.1",
                                   &retry, &err),
                         RP_EAUTH);
    /* Failures older than the memory window are forgotten. */
    rp_clock_pin(t0 + RP_LOGIN_MEMORY_SECONDS +
                 3 * RP_LOGIN_DELAY_FIRST_SECONDS + 1);
    assert_int_equal(
        try_login(&ctx, "ada@example.com", "wrong", "10.0.0.1", &retry, &err),
        RP_EAUTH);
    assert_int_equal(
        try_login(&ctx, "ada@example.com", "wrong", "10.0.0.1", &retry, &err),
        RP_EAUTH);

    /* Per address: many accounts guessed from one address. */
    int64_t t1 = t0 + 10 * RP_LOGIN_MEMORY_SECONDS;
    rp_clock_pin(t1);
    for (int i = 0; i < RP_LOGIN_FREE_PER_ADDRESS; i++) {
        char email[40];
        snprintf(email, sizeof email, "guess%d@example.com", i);
        assert_int_equal(try_login(&ctx, email, "x", "10.9.9.9", &retry, &err),
                         RP_EAUTH);
    }
    assert_int_equal(
        try_login(&ctx, "ada@example.com", ADA_PW, "10.9.9.9", &retry, &err),
        RP_ERATELIMIT);
    assert_int_equal(retry, RP_LOGIN_DELAY_FIRST_SECONDS);
    assert_int_equal(
        try_login(&ctx, "ada@example.com", ADA_PW, "10.9.9.8", &retry, &err),
        RP_OK);
    /* One right password does not wipe the address's record. */
    rp_clock_pin(t1 + RP_LOGIN_DELAY_FIRST_SECONDS);
    assert_int_equal(
        try_login(&ctx, "ada@example.com", ADA_PW, "10.9.9.9", &retry, &err),
        RP_OK);
    assert_int_equal(
        try_login(&ctx, "guess0@example.com", "x", "10.9.9.9", &retry, &err),
        RP_EAUTH);
    assert_int_equal(
        try_login(&ctx, "guess1@example.com", "x", "10.9.9.9", &retry, &err),
        RP_ERATELIMIT);
    assert_int_equal(retry, 2 * RP_LOGIN_DELAY_FIRST_SECONDS);
}

/* Attempts in flight count before their check: parallel guesses at one
 * account from one address cannot all slip under the limit; an attempt
 * never checked is taken back. */
static void test_login_counted_before_check(void **state)
{
    rp_test_db *db = *state;
    rp_ctx ctx = db->ctx;
    rp_error err;
    json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "name", "Ada", "email",
                           "ada@example.com", "role", "agent", "password",
                           ADA_PW),
           *out = NULL;
    assert_int_equal(rp_agent_create(&ctx, in, &out, &err), RP_OK);
    json_decref(in);
    json_decref(out);
    rp_clock_pin(1850000000);
    int retry = 0;
    for (int i = 0; i < RP_LOGIN_FREE_PER_PAIR - 1; i++)
        assert_int_equal(try_login(&ctx, "ada@example.com", "wrong", "10.0.0.1",
                                   &retry, &err),
                         RP_EAUTH);
    in = json_pack("{s:s, s:s}", "email", "ada@example.com", "password",
                   ADA_PW);
    rp_login *a = NULL, *b = NULL;
    assert_int_equal(rp_login_begin(&ctx, in, "10.0.0.1", &a, &retry, &err),
                     RP_OK);
    assert_int_equal(rp_login_begin(&ctx, in, "10.0.0.1", &b, &retry, &err),
                     RP_ERATELIMIT);
    assert_null(b);
    /* Never checked: taken back, and the next attempt is let through. */
    char secret[RP_SECRET_HEX];
    assert_int_equal(rp_login_finish(&ctx, a, secret, &out, &err), RP_EBUSY);
    rp_login_free(a);
    assert_int_equal(rp_login_begin(&ctx, in, "10.0.0.1", &b, &retry, &err),
                     RP_OK);
    rp_login_check(b);
    assert_int_equal(rp_login_finish(&ctx, b, secret, &out, &err), RP_OK);
    rp_login_free(b);
    json_decref(out);
    json_decref(in);
}

static void test_session_expiry(void **state)
{
    rp_test_db *db = *state;
    rp_ctx ctx = db->ctx;
    rp_error err;
    json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "name", "Bo", "email",
                           "bo@example.com", "role", "lead", "password",
                           "correct horse battery"),
           *out = NULL;
    assert_int_equal(rp_agent_create(&ctx, in, &out, &err), RP_OK);
    json_decref(in);
    json_decref(out);
    int64_t t0 = 1900000000;
    rp_clock_pin(t0);
    char secret[RP_SECRET_HEX];
    int retry;
    in = json_pack("{s:s, s:s}", "email", "bo@example.com", "password",
                   "correct horse battery");
    assert_int_equal(
        rp_auth_login(&ctx, in, "127.0.0.1", secret, &out, &retry, &err),
        RP_OK);
    json_decref(in);
    json_decref(out);
    rp_principal p;
    assert_int_equal(rp_auth_session(&ctx, secret, &p, &err), RP_OK);
    assert_int_equal(p.role, 2);
    assert_true(p.via_session);
    /* Used within the idle time it stays alive... */
    rp_clock_pin(t0 + RP_SESSION_IDLE_SECONDS - 10);
    assert_int_equal(rp_auth_session(&ctx, secret, &p, &err), RP_OK);
    rp_clock_pin(t0 + 2 * RP_SESSION_IDLE_SECONDS - 20);
    assert_int_equal(rp_auth_session(&ctx, secret, &p, &err), RP_OK);
    /* ...and idle longer it expires. */
    rp_clock_pin(t0 + 3 * RP_SESSION_IDLE_SECONDS);
    assert_int_equal(rp_auth_session(&ctx, secret, &p, &err), RP_EAUTH);
    assert_int_equal(rp_auth_session(&ctx, "short", &p, &err), RP_EAUTH);
}

/* A token checked as the server checks it for the 360 view: inside a
 * read transaction, its last use written after. */
static rp_code token_in_read(rp_ctx *ctx, const char *token, rp_principal *p,
                             rp_error *err)
{
    assert_int_equal(rp_store_read_begin(ctx->store, err), RP_OK);
    ctx->touch_later = 1;
    rp_code rc = rp_auth_token(ctx, token, p, err);
    rp_store_read_end(ctx->store);
    ctx->touch_later = 0;
    rp_auth_touch(ctx, p);
    return rc;
}

static json_int_t make_token(rp_ctx *ctx, int64_t agent, const char *expires,
                             char *secret, size_t n)
{
    rp_error err;
    json_t *in = json_pack("{s:s, s:I}", "name", "view", "agent_id",
                           (json_int_t)agent),
           *out = NULL;
    if (expires)
        json_object_set_new(in, "expires_at", json_string(expires));
    assert_int_equal(rp_token_create(ctx, in, 1, &out, &err), RP_OK);
    json_decref(in);
    snprintf(secret, n, "%s", json_string_value(json_object_get(out, "token")));
    json_int_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    return id;
}

/*
 * A token checked again in a read transaction of the same store is let in
 * from what the last lookup kept only while nothing was committed since
 * (SQLite; PostgreSQL keeps nothing): a change by another connection (the
 * CLI, another process) or by this process, a revocation, and the
 * token's expiry each take effect on the next check.
 */
static void test_token_kept_between_reads(void **state)
{
    rp_test_db *db = *state;
    rp_ctx ctx = db->ctx;
    rp_error err;
    int keeps = ctx.store->ops->data_version != NULL;
    json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "name", "Cy", "email",
                           "cy@example.com", "role", "lead", "password",
                           "correct horse battery"),
           *out = NULL;
    assert_int_equal(rp_agent_create(&ctx, in, &out, &err), RP_OK);
    json_decref(in);
    json_int_t agent = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    char secret[RP_SECRET_HEX + 8], sql[160];
    json_int_t id = make_token(&ctx, agent, NULL, secret, sizeof secret);
    rp_principal p;
    /* the first check writes its last use after the read; the next one
     * reads it back and keeps it; the third is let in from that */
    for (int i = 0; i < 2; i++)
        assert_int_equal(token_in_read(&ctx, secret, &p, &err), RP_OK);
    uint64_t hits = rp_auth_token_cache_hits();
    assert_int_equal(token_in_read(&ctx, secret, &p, &err), RP_OK);
    assert_int_equal(p.agent_id, agent);
    assert_int_equal(p.role, 2);
    assert_int_equal(p.token_id, id);
    assert_int_equal(p.touch_at, 0);
    assert_int_equal(rp_auth_token_cache_hits(), hits + (uint64_t)keeps);
    /* outside a read transaction nothing is kept or used */
    assert_int_equal(rp_auth_token(&ctx, secret, &p, &err), RP_OK);
    assert_int_equal(rp_auth_token_cache_hits(), hits + (uint64_t)keeps);

    /* the agent made inactive past the store, as another process would */
    snprintf(sql, sizeof sql, "UPDATE agents SET active = 0 WHERE id = %lld",
             (long long)agent);
    assert_int_equal(rp_test_db_sql(db, sql, NULL), 0);
    assert_int_equal(token_in_read(&ctx, secret, &p, &err), RP_EAUTH);
    snprintf(sql, sizeof sql, "UPDATE agents SET active = 1 WHERE id = %lld",
             (long long)agent);
    assert_int_equal(rp_test_db_sql(db, sql, NULL), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(token_in_read(&ctx, secret, &p, &err), RP_OK);
    /* its role changed the same way: the next check has the new one */
    snprintf(sql, sizeof sql,
             "UPDATE agents SET role = 'agent' WHERE id = %lld",
             (long long)agent);
    assert_int_equal(rp_test_db_sql(db, sql, NULL), 0);
    assert_int_equal(token_in_read(&ctx, secret, &p, &err), RP_OK);
    assert_int_equal(p.role, 1);

    /* revoked through the store (its writer, in this process) */
    assert_int_equal(token_in_read(&ctx, secret, &p, &err), RP_OK);
    assert_int_equal(rp_token_revoke(&ctx, id, 1, &err), RP_OK);
    assert_int_equal(token_in_read(&ctx, secret, &p, &err), RP_EAUTH);
    assert_non_null(strstr(err.message, "revoked"));

    /* revoked past the store, after being let in from the keep */
    id = make_token(&ctx, agent, NULL, secret, sizeof secret);
    for (int i = 0; i < 3; i++)
        assert_int_equal(token_in_read(&ctx, secret, &p, &err), RP_OK);
    snprintf(sql, sizeof sql,
             "UPDATE api_tokens SET revoked_at = 1 WHERE id = %lld",
             (long long)id);
    assert_int_equal(rp_test_db_sql(db, sql, NULL), 0);
    assert_int_equal(token_in_read(&ctx, secret, &p, &err), RP_EAUTH);

    /* expired while kept, with nothing else changed */
    int64_t t0 = rp_now();
    char when[RP_TIME_MAX];
    rp_time_format(t0 + 100, when);
    make_token(&ctx, agent, when, secret, sizeof secret);
    for (int i = 0; i < 3; i++)
        assert_int_equal(token_in_read(&ctx, secret, &p, &err), RP_OK);
    hits = rp_auth_token_cache_hits();
    rp_clock_pin(t0 + 50);
    assert_int_equal(token_in_read(&ctx, secret, &p, &err), RP_OK);
    assert_int_equal(rp_auth_token_cache_hits(), hits + (uint64_t)keeps);
    rp_clock_pin(t0 + 100);
    assert_int_equal(token_in_read(&ctx, secret, &p, &err), RP_EAUTH);
    assert_non_null(strstr(err.message, "expired"));
    rp_clock_pin(0);
}

static void fts(const char *in, const char *joiner, size_t minlen, int skip,
                const char *want)
{
    char out[600];
    rp_error err;
    rp_code rc = rp_kb_fts_query(in, joiner, minlen, skip, out, sizeof out,
                                 &err);
    if (!want) {
        assert_int_equal(rc, RP_EINVALID);
        assert_string_equal(err.field, "q");
        return;
    }
    assert_int_equal(rc, RP_OK);
    assert_string_equal(out, want);
}

static void test_fts_query_sanitising(void **state)
{
    (void)state;
    fts("refund", " ", 1, 0, "\"refund\"");
    fts("Late  Refund!", " ", 1, 0, "\"late\" \"refund\"");
    /* FTS5 syntax is only ever words. */
    fts("refund\" OR title:* NEAR(a b)", " ", 1, 0,
        "\"refund\" \"or\" \"title\" \"near\" \"a\" \"b\"");
    fts("-delivery AND ^late", " ", 1, 0, "\"delivery\" \"and\" \"late\"");
    fts("\"\" * ( ) :", " ", 1, 0, NULL);
    fts("", " ", 1, 0, NULL);
    fts(NULL, " ", 1, 0, NULL);
    fts("Müller straße", " ", 1, 0, "\"müller\" \"straße\"");
    /* Suggestions: any word, skipping short and common ones. */
    fts("The customer wants a refund for the kettle", " OR ", 3, 1,
        "\"refund\" OR \"kettle\"");
    fts("a an to of", " OR ", 3, 1, NULL);
    /* At most RP_KB_MAX_TERMS words. */
    char many[400] = "", want[800] = "";
    for (int i = 0; i < RP_KB_MAX_TERMS + 5; i++) {
        char w[16];
        snprintf(w, sizeof w, "w%d ", i);
        strcat(many, w);
        if (i < RP_KB_MAX_TERMS) {
            snprintf(w, sizeof w, "%s\"w%d\"", i ? " " : "", i);
            strcat(want, w);
        }
    }
    fts(many, " ", 1, 0, want);
    /* The start of a word: a star after the quote, for words of three
     * characters or more (counted as characters, not bytes). */
    char out[200];
    rp_error e;
    assert_int_equal(rp_kb_fts_terms("Dupl ab Müller \xe6\x9d\xb1\xe4\xba\xac "
                                     "\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd "
                                     "caf\xc3\xa9* \"x\"*",
                                     " OR ", 1, 0, 3, out, sizeof out, &e),
                     RP_OK);
    assert_string_equal(out, "\"dupl\"* OR \"ab\" OR \"müller\"* OR "
                             "\"\xe6\x9d\xb1\xe4\xba\xac\" OR "
                             "\"\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd\"* OR "
                             "\"caf\xc3\xa9\"* OR \"x\"");
    /* a word cut inside a character is left out, the others kept */
    assert_int_equal(
        rp_kb_fts_terms("abc\xc3 refund", " OR ", 1, 0, 3, out, sizeof out, &e),
        RP_OK);
    assert_string_equal(out, "\"refund\"*");
    char small[8];
    rp_error err;
    assert_int_equal(
        rp_kb_fts_query("refund", " ", 1, 0, small, sizeof small, &err),
        RP_EINVALID);
}

static void test_routing_pick(void **state)
{
    (void)state;
    json_t *c = json_loads(
        "[{\"id\":1,\"skills\":[],\"open\":0},"
        " {\"id\":2,\"skills\":[\"billing\"],\"open\":3},"
        " {\"id\":3,\"skills\":[\"billing\",\"german\"],\"open\":2},"
        " {\"id\":4,\"skills\":[\"german\",\"billing\"],\"open\":2},"
        " {\"id\":5,\"skills\":[\"german\"],\"open\":0}]",
        0, NULL);
    json_t *billing = json_loads("[\"billing\"]", 0, NULL);
    json_t *both = json_loads("[\"billing\",\"german\"]", 0, NULL);
    json_t *none = json_array();
    json_t *french = json_loads("[\"french\"]", 0, NULL);
    assert_int_equal(rp_routing_pick(c, billing),
                     3); /* fewest open; tie: lower id */
    assert_int_equal(rp_routing_pick(c, both), 3);
    assert_int_equal(rp_routing_pick(c, none), 1);
    assert_int_equal(rp_routing_pick(c, french), 0);
    json_t *empty = json_array();
    assert_int_equal(rp_routing_pick(empty, billing), 0);
    json_decref(c);
    json_decref(billing);
    json_decref(both);
    json_decref(none);
    json_decref(french);
    json_decref(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_hashing),
        cmocka_unit_test(test_secret_hashing),
        cmocka_unit_test(test_login_delays_grow),
        cmocka_unit_test_setup_teardown(test_login_throttle, rp_test_db_setup,
                                        rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_login_counted_before_check,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_session_expiry, rp_test_db_setup,
                                        rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_token_kept_between_reads,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test(test_fts_query_sanitising),
        cmocka_unit_test(test_routing_pick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
