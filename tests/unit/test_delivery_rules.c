/*
 * test_delivery_rules.c - the rules of the delivery settings kept in
 * the database (core/followup/delivery_settings.c): what a change must
 * hold together, that a refused change leaves everything as it was, that
 * a secret is sealed, kept when left out and removed by null, and which
 * settings delivery uses: the database's channel over the program's, one
 * channel at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    assert_non_null(v);
    return v;
}

static rp_code change(rp_test_db *db, const char *text, json_t **out,
                      rp_error *err)
{
    json_t *in = parse(text);
    rp_code rc = rp_delivery_settings_update(&db->ctx, in, out, err);
    json_decref(in);
    return rc;
}

static void refused(rp_test_db *db, const char *text, const char *field)
{
    rp_error err;
    json_t *out = NULL;
    assert_int_equal(change(db, text, &out, &err), RP_EINVALID);
    assert_null(out);
    if (field)
        assert_string_equal(err.field, field);
}

static void test_what_a_change_must_hold(void **state)
{
    rp_test_db *db = *state;
    refused(db,
            "{\"smtp_url\":\"http://mail.example\",\"smtp_from\":\"a@b.c\"}",
            "smtp_url");
    refused(db, "{\"smtp_url\":\"smtp://mail.example\"}", "smtp_from");
    refused(db, "{\"smtp_url\":\"smtps://m.example\",\"smtp_from\":\"nobody\"}",
            "smtp_from");
    refused(db,
            "{\"smtp_url\":\"smtp://m.example\",\"smtp_from\":\"a@b.example\","
            "\"smtp_password\":\"pw\"}",
            "smtp_user");
    refused(db, "{\"webhook_url\":\"ftp://x.example\"}", "webhook_url");
    refused(db, "{\"smtp_url\":\"smtp://m.example\",\"colour\":\"red\"}",
            "colour");
    refused(db, "{}", NULL);
    /* text past the limit, counted in characters */
    char big[600 * 4 + 64] = "{\"smtp_user\":\"";
    for (int i = 0; i < 255; i++)
        strcat(big, "\xC3\xA9"); /* é: 255 characters, one too many */
    strcat(big, "\"}");
    refused(db, big, "smtp_user");
    /* nothing of it was kept */
    json_t *got = NULL;
    rp_error err;
    assert_int_equal(rp_delivery_settings_get(&db->ctx, &got, &err), RP_OK);
    assert_true(json_is_null(json_object_get(got, "smtp_url")));
    assert_true(json_is_null(json_object_get(got, "smtp_user")));
    assert_true(json_is_false(json_object_get(got, "smtp_password_set")));
    json_decref(got);
    /* 254 characters of accented text are fine */
    strcpy(big, "{\"smtp_user\":\"");
    for (int i = 0; i < 254; i++)
        strcat(big, "\xC3\xA9");
    strcat(big, "\"}");
    assert_int_equal(change(db, big, &got, &err), RP_OK);
    assert_int_equal(
        strlen(json_string_value(json_object_get(got, "smtp_user"))), 254 * 2);
    json_decref(got);
}

static void test_secrets_sealed_kept_and_removed(void **state)
{
    rp_test_db *db = *state;
    json_t *got = NULL;
    rp_error err;
    assert_int_equal(change(db,
                            "{\"smtp_url\":\"smtp://127.0.0.1:2525\","
                            "\"smtp_from\":\"desk@example.com\","
                            "\"smtp_user\":\"desk\",\"smtp_password\":"
                            "\"pässwörd 🍉\",\"webhook_url\":"
                            "\"https://sms.example/send\",\"webhook_secret\":"
                            "\"hook key\"}",
                            &got, &err),
                     RP_OK);
    assert_true(json_is_true(json_object_get(got, "smtp_password_set")));
    assert_true(json_is_true(json_object_get(got, "webhook_secret_set")));
    assert_null(json_object_get(got, "smtp_password"));
    json_decref(got);
    long long n = -1;
    assert_int_equal(rp_test_db_sql(db,
                                    "SELECT count(*) FROM delivery_settings "
                                    "WHERE smtp_password LIKE 'rpsec1:%' AND "
                                    "webhook_secret LIKE 'rpsec1:%'",
                                    &n),
                     0);
    assert_int_equal(n, 1);
    /* the secrets subsystem counts them, so a rotation reseals them */
    json_t *st = NULL;
    assert_int_equal(rp_secrets_status(&db->ctx, &st, &err), RP_OK);
    assert_true(json_integer_value(json_object_get(st, "sealed")) >= 2);
    json_decref(st);

    /* what delivery uses: the database's, the secrets opened */
    rp_delivery_config base = {.smtp_url = "smtp://server.example:25",
                               .smtp_from = "server@example.com",
                               .webhook_url = NULL};
    rp_delivery_effective e;
    assert_int_equal(rp_delivery_effective_read(&db->ctx, &base, &e, &err),
                     RP_OK);
    assert_string_equal(e.config.smtp_url, "smtp://127.0.0.1:2525");
    assert_string_equal(e.config.smtp_from, "desk@example.com");
    assert_string_equal(e.config.smtp_password, "pässwörd 🍉");
    assert_string_equal(e.config.webhook_secret, "hook key");
    assert_string_equal(e.email_source, "console");
    rp_delivery_effective_free(&e);

    /* left out: kept; null: removed (and the user may then go too) */
    assert_int_equal(
        change(db, "{\"smtp_from\":\"help@example.com\"}", &got, &err), RP_OK);
    assert_true(json_is_true(json_object_get(got, "smtp_password_set")));
    json_decref(got);
    refused(db, "{\"smtp_user\":null}", "smtp_user");
    assert_int_equal(change(db,
                            "{\"smtp_user\":null,\"smtp_password\":null,"
                            "\"webhook_secret\":null}",
                            &got, &err),
                     RP_OK);
    assert_true(json_is_false(json_object_get(got, "smtp_password_set")));
    assert_true(json_is_false(json_object_get(got, "webhook_secret_set")));
    json_decref(got);
}

static void test_one_channel_at_a_time(void **state)
{
    rp_test_db *db = *state;
    rp_error err;
    rp_delivery_config base = {.smtp_url = "smtp://server.example:25",
                               .smtp_from = "server@example.com",
                               .webhook_url = "https://server.example/sms",
                               .webhook_secret = "server key"};
    rp_delivery_effective e;
    /* nothing in the database: the program's settings */
    assert_int_equal(rp_delivery_effective_read(&db->ctx, &base, &e, &err),
                     RP_OK);
    assert_string_equal(e.config.smtp_url, base.smtp_url);
    assert_string_equal(e.email_source, "server");
    assert_string_equal(e.sms_source, "server");
    rp_delivery_effective_free(&e);
    /* nothing anywhere: not configured */
    json_t *st = NULL;
    assert_int_equal(rp_delivery_status(&db->ctx, NULL, &st, &err), RP_OK);
    assert_true(json_is_false(
        json_object_get(json_object_get(st, "email"), "configured")));
    json_decref(st);
    /* the database sets email only: text messages stay the program's */
    json_t *got = NULL;
    assert_int_equal(change(db,
                            "{\"smtp_url\":\"smtp://db.example\","
                            "\"smtp_from\":\"db@example.com\"}",
                            &got, &err),
                     RP_OK);
    json_decref(got);
    assert_int_equal(rp_delivery_effective_read(&db->ctx, &base, &e, &err),
                     RP_OK);
    assert_string_equal(e.config.smtp_url, "smtp://db.example");
    assert_null(e.config.smtp_password); /* not the program's */
    assert_string_equal(e.config.webhook_url, base.webhook_url);
    assert_string_equal(e.config.webhook_secret, "server key");
    assert_string_equal(e.email_source, "console");
    assert_string_equal(e.sms_source, "server");
    rp_delivery_effective_free(&e);
    /* a test without an address is refused before anything is sent */
    json_t *in = parse("{\"to\":\"not an address\"}"), *out = NULL;
    assert_int_equal(rp_delivery_test(&db->ctx, &base, in, &out, &err),
                     RP_EINVALID);
    assert_string_equal(err.field, "to");
    json_decref(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_what_a_change_must_hold,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_secrets_sealed_kept_and_removed,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_one_channel_at_a_time,
                                        rp_test_db_setup, rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
