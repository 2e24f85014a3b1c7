/*
 * test_input.c - validation of fields and times: the same mistakes get the
 * same messages, naming the field, from the API and the CLI alike.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "core/rapport.h"

static void test_time_round_trip(void **state)
{
    (void)state;
    int64_t t;
    assert_int_equal(rp_time_parse("2026-11-23T08:50:00Z", &t), 0);
    char buf[RP_TIME_MAX];
    rp_time_format(t, buf);
    assert_string_equal(buf, "2026-11-23T08:50:00Z");
    int64_t t2;
    assert_int_equal(rp_time_parse("2026-11-23T10:50:00.123+02:00", &t2), 0);
    assert_int_equal(t, t2);
    assert_int_equal(rp_time_parse("2024-02-29T00:00:00Z", &t), 0);
    assert_int_equal(rp_time_parse("2023-02-29T00:00:00Z", &t), -1);
    assert_int_equal(rp_time_parse("2026-11-23", &t), -1);
    assert_int_equal(rp_time_parse("2026-11-23T25:00:00Z", &t), -1);
    assert_int_equal(rp_time_parse("2026-11-23T08:50:00", &t), -1);
    assert_int_equal(rp_time_parse("2026-11-23T08:50:00Zjunk", &t), -1);
}

static void test_pinned_clock(void **state)
{
    (void)state;
    rp_clock_pin(1000);
    assert_int_equal(rp_now(), 1000);
    rp_clock_pin(0);
    assert_true(rp_now() > 1700000000);
}

static void test_strings(void **state)
{
    (void)state;
    rp_error err;
    const char *out;
    json_t *in = json_pack("{s:s, s:i, s:s}", "name", "Ünïcödé", "n", 3,
                           "blank", "  ");
    assert_int_equal(rp_in_string(in, "name", 1, 7, &out, &err), RP_OK);
    assert_int_equal(rp_in_string(in, "name", 1, 6, &out, &err), RP_EINVALID);
    assert_string_equal(err.field, "name");
    assert_int_equal(rp_in_string(in, "n", 1, 10, &out, &err), RP_ETYPE);
    assert_string_equal(err.field, "n");
    assert_int_equal(rp_in_string(in, "blank", 1, 10, &out, &err), RP_EINVALID);
    assert_int_equal(rp_in_string(in, "missing", 1, 10, &out, &err), RP_EINVALID);
    assert_non_null(strstr(err.message, "required"));
    assert_int_equal(rp_in_string(in, "missing", 0, 10, &out, &err), RP_OK);
    assert_null(out);
    static const char *const allowed[] = {"name", "n", NULL};
    assert_int_equal(rp_in_object(in, allowed, &err), RP_EINVALID);
    assert_string_equal(err.field, "blank");
    json_decref(in);
}

static void test_enum_and_ids(void **state)
{
    (void)state;
    rp_error err;
    const char *out;
    static const char *const channels[] = {"phone", "email", NULL};
    json_t *in = json_pack("{s:s}", "channel", "fax");
    assert_int_equal(rp_in_enum(in, "channel", 1, channels, &out, &err),
                     RP_EINVALID);
    assert_non_null(strstr(err.message, "phone, email"));
    json_decref(in);
    int64_t id;
    assert_int_equal(rp_parse_id("42", "id", &id, &err), RP_OK);
    assert_int_equal(id, 42);
    assert_int_equal(rp_parse_id("0", "id", &id, &err), RP_EMALFORMED);
    assert_int_equal(rp_parse_id("4x", "id", &id, &err), RP_EMALFORMED);
    assert_int_equal(rp_parse_id("99999999999999999999", "id", &id, &err),
                     RP_EMALFORMED);
}

static void test_contacts(void **state)
{
    (void)state;
    assert_true(rp_email_is_valid("max@example.com"));
    assert_false(rp_email_is_valid("max@example"));
    assert_false(rp_email_is_valid("@example.com"));
    assert_false(rp_email_is_valid("a b@example.com"));
    assert_true(rp_phone_is_valid("+48 601 555 123"));
    assert_false(rp_phone_is_valid("call me"));
    assert_false(rp_phone_is_valid("12"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_round_trip), cmocka_unit_test(test_pinned_clock),
        cmocka_unit_test(test_strings),         cmocka_unit_test(test_enum_and_ids),
        cmocka_unit_test(test_contacts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
