/*
 * test_agent_settings_rules.c - the rules of an agent's own settings for the
 * console (core/staff/agent.c): the language must be one the console
 * has, the time zone a zone of the tz database given as text that is
 * UTF-8 and within its length; a refusal names the field and leaves the
 * row as it was; null clears a setting; and the change through the store
 * keeps what was not given.
 */
#include <string.h>

#include "fixture.h"

/* Read in (JSON text, or made by the caller) as rp_agent_settings_read;
 * return the code, with err filled and the row kept for the caller. */
static rp_code read_settings(json_t *in, json_t **row, rp_error *err)
{
    *row = json_object();
    rp_code rc = rp_in_fields(in, rp_agent_settings_fields, 0, err);
    if (rc == RP_OK)
        rc = rp_agent_settings_read(in, *row, err);
    return rc;
}

static void assert_refused(json_t *in, rp_code code, const char *field)
{
    json_t *row;
    rp_error err;
    rp_error_clear(&err);
    assert_int_equal(read_settings(in, &row, &err), code);
    assert_string_equal(err.field, field);
    assert_int_equal(json_object_size(row), 0);
    json_decref(row);
    json_decref(in);
}

static json_t *zone_of(const char *bytes, size_t n)
{
    json_t *in = json_object();
    json_object_set_new(in, "time_zone", json_stringn_nocheck(bytes, n));
    return in;
}

static void test_good_values(void **state)
{
    (void)state;
    json_t *row;
    rp_error err;
    json_t *in = json_pack("{s:s, s:s}", "language", "de", "time_zone",
                           "America/Argentina/Buenos_Aires");
    assert_int_equal(read_settings(in, &row, &err), RP_OK);
    assert_string_equal(json_string_value(json_object_get(row, "language")),
                        "de");
    assert_string_equal(json_string_value(json_object_get(row, "time_zone")),
                        "America/Argentina/Buenos_Aires");
    json_decref(row);
    json_decref(in);

    /* null clears; what is not given is not in the row */
    in = json_pack("{s:n}", "language");
    assert_int_equal(read_settings(in, &row, &err), RP_OK);
    assert_true(json_is_null(json_object_get(row, "language")));
    assert_null(json_object_get(row, "time_zone"));
    json_decref(row);
    json_decref(in);

    in = json_pack("{s:s}", "time_zone", "UTC");
    assert_int_equal(read_settings(in, &row, &err), RP_OK);
    assert_string_equal(json_string_value(json_object_get(row, "time_zone")),
                        "UTC");
    json_decref(row);
    json_decref(in);
}

static void test_bad_values(void **state)
{
    (void)state;
    /* languages the console does not have, in any spelling */
    assert_refused(json_pack("{s:s}", "language", "fr"), RP_EINVALID,
                   "language");
    assert_refused(json_pack("{s:s}", "language", "DE"), RP_EINVALID,
                   "language");
    assert_refused(json_pack("{s:s}", "language", "de-DE"), RP_EINVALID,
                   "language");
    assert_refused(json_pack("{s:s}", "language", ""), RP_EINVALID, "language");
    assert_refused(json_pack("{s:i}", "language", 1), RP_ETYPE, "language");
    /* zones that are not zones of the database, or not a plain name */
    assert_refused(json_pack("{s:s}", "time_zone", "Europe/Atlantis"),
                   RP_EINVALID, "time_zone");
    assert_refused(json_pack("{s:s}", "time_zone", "../../../etc/passwd"),
                   RP_EINVALID, "time_zone");
    assert_refused(json_pack("{s:s}", "time_zone", "/usr/share/zoneinfo/UTC"),
                   RP_EINVALID, "time_zone");
    assert_refused(json_pack("{s:s}", "time_zone", "Europe/"), RP_EINVALID,
                   "time_zone");
    assert_refused(json_pack("{s:s}", "time_zone", "   "), RP_EINVALID,
                   "time_zone");
    assert_refused(json_pack("{s:s}", "time_zone", "Europe/Berlin\n"),
                   RP_EINVALID, "time_zone");
    assert_refused(json_pack("{s:s}", "time_zone", "東京"), RP_EINVALID,
                   "time_zone");
    /* invalid UTF-8 and a NUL inside */
    assert_refused(zone_of("Europe/\xff\xfe", 9), RP_EINVALID, "time_zone");
    assert_refused(zone_of("Europe/Berl\xc3", 12), RP_EINVALID, "time_zone");
    assert_refused(zone_of("UTC\0Europe/Berlin", 17), RP_EINVALID, "time_zone");
    /* over the limit in characters (64), accented or emoji */
    char over[4 * (RP_AGENT_TIME_ZONE_MAX + 1) + 1] = "";
    for (int i = 0; i <= RP_AGENT_TIME_ZONE_MAX; i++)
        strcat(over, "é");
    assert_refused(json_pack("{s:s}", "time_zone", over), RP_EINVALID,
                   "time_zone");
    over[0] = '\0';
    for (int i = 0; i <= RP_AGENT_TIME_ZONE_MAX; i++)
        strcat(over, "🕰");
    assert_refused(json_pack("{s:s}", "time_zone", over), RP_EINVALID,
                   "time_zone");
    /* an unknown field */
    assert_refused(json_pack("{s:s}", "timezone", "UTC"), RP_EINVALID,
                   "timezone");
}

static void test_stored_and_kept(void **state)
{
    rp_test_db *db = *state;
    rp_error err;
    json_t *a;
    json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "name", "Zoë", "email",
                           "zoe@example.com", "role", "agent", "time_zone",
                           "Asia/Tokyo");
    assert_int_equal(rp_agent_create(&db->ctx, in, &a, &err), RP_OK);
    json_decref(in);
    db->ctx.agent_id = json_integer_value(json_object_get(a, "id"));
    assert_true(json_is_null(json_object_get(a, "language")));
    json_decref(a);

    in = json_pack("{s:s}", "language", "de");
    assert_int_equal(rp_agent_settings_update(&db->ctx, in, &a, &err), RP_OK);
    json_decref(in);
    assert_string_equal(json_string_value(json_object_get(a, "language")),
                        "de");
    assert_string_equal(json_string_value(json_object_get(a, "time_zone")),
                        "Asia/Tokyo");
    json_decref(a);

    /* a refusal changes nothing, not even the good half */
    in = json_pack("{s:s, s:s}", "language", "en", "time_zone", "Nowhere");
    assert_int_equal(rp_agent_settings_update(&db->ctx, in, &a, &err),
                     RP_EINVALID);
    assert_string_equal(err.field, "time_zone");
    json_decref(in);
    in = json_object();
    assert_int_equal(rp_agent_settings_update(&db->ctx, in, &a, &err),
                     RP_EINVALID);
    json_decref(in);
    assert_int_equal(rp_agent_get(&db->ctx, db->ctx.agent_id, &a, &err), RP_OK);
    assert_string_equal(json_string_value(json_object_get(a, "language")),
                        "de");
    json_decref(a);

    in = json_pack("{s:n}", "time_zone");
    assert_int_equal(rp_agent_settings_update(&db->ctx, in, &a, &err), RP_OK);
    json_decref(in);
    assert_true(json_is_null(json_object_get(a, "time_zone")));
    assert_string_equal(json_string_value(json_object_get(a, "language")),
                        "de");
    json_decref(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_values),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test_setup_teardown(test_stored_and_kept, rp_test_db_setup,
                                        rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
