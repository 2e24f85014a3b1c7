/*
 * test_help_limits.c - the abuse limits of the public help form
 * (rp_help_admit) on a real database: per client address, per network (a
 * /24 for IPv4, a /64 for IPv6, an IPv4 address mapped into IPv6 counted
 * as IPv4), per email address in any case; a refused request is not
 * counted, the wait until the next one is told, and the window moves on.
 */
#include <string.h>

#include "fixture.h"

static rp_help_config limits(int addr, int net, int email)
{
    rp_help_config cfg;
    rp_help_config_default(&cfg);
    cfg.window_seconds = 3600;
    cfg.max_per_address = addr;
    cfg.max_per_network = net;
    cfg.max_per_email = email;
    return cfg;
}

static rp_code admit(rp_test_db *db, const rp_help_config *cfg,
                     const char *addr, const char *email, int *retry)
{
    rp_error err;
    int r = 0;
    rp_code rc = rp_help_admit(&db->ctx, cfg, addr, email, &r, &err);
    if (retry)
        *retry = r;
    return rc;
}

static void test_address_and_ipv4_network(void **state)
{
    rp_test_db *db = *state;
    rp_help_config cfg = limits(2, 3, 0);
    rp_clock_pin(1800000000);
    assert_int_equal(admit(db, &cfg, "192.0.2.10", NULL, NULL), RP_OK);
    assert_int_equal(admit(db, &cfg, "192.0.2.10", NULL, NULL), RP_OK);
    int retry = 0;
    assert_int_equal(admit(db, &cfg, "192.0.2.10", NULL, &retry),
                     RP_ERATELIMIT);
    assert_int_equal(retry, 3600);
    /* the same address mapped into IPv6 is the same address */
    assert_int_equal(admit(db, &cfg, "::ffff:192.0.2.10", NULL, NULL),
                     RP_ERATELIMIT);
    /* a neighbour in the /24: the network has room for one more */
    assert_int_equal(admit(db, &cfg, "192.0.2.99", NULL, NULL), RP_OK);
    assert_int_equal(admit(db, &cfg, "192.0.2.200", NULL, NULL), RP_ERATELIMIT);
    /* the next /24 is another network */
    assert_int_equal(admit(db, &cfg, "192.0.3.1", NULL, NULL), RP_OK);
    /* an hour after the first, the window has moved on */
    rp_clock_pin(1800000000 + 3601);
    assert_int_equal(admit(db, &cfg, "192.0.2.10", NULL, NULL), RP_OK);
}

static void test_ipv6_network_is_a_64(void **state)
{
    rp_test_db *db = *state;
    rp_help_config cfg = limits(10, 2, 0);
    rp_clock_pin(1800000000);
    assert_int_equal(admit(db, &cfg, "2001:db8:1:2::1", NULL, NULL), RP_OK);
    /* another host of the same /64, written differently */
    assert_int_equal(admit(db, &cfg, "2001:0db8:0001:0002:ffff::9", NULL, NULL),
                     RP_OK);
    assert_int_equal(admit(db, &cfg, "2001:db8:1:2:abcd::", NULL, NULL),
                     RP_ERATELIMIT);
    /* the neighbouring /64 is not affected */
    assert_int_equal(admit(db, &cfg, "2001:db8:1:3::1", NULL, NULL), RP_OK);
}

static void test_email_in_any_case(void **state)
{
    rp_test_db *db = *state;
    rp_help_config cfg = limits(0, 0, 2);
    rp_clock_pin(1800000000);
    assert_int_equal(admit(db, &cfg, "192.0.2.1", "ola@example.com", NULL),
                     RP_OK);
    rp_clock_pin(1800000000 + 600);
    assert_int_equal(admit(db, &cfg, "198.51.100.7", "OLA@Example.COM", NULL),
                     RP_OK);
    int retry = 0;
    rp_error err;
    assert_int_equal(rp_help_admit(&db->ctx, &cfg, "203.0.113.5",
                                   "Ola@example.com", &retry, &err),
                     RP_ERATELIMIT);
    assert_string_equal(err.field, "email");
    assert_non_null(strstr(err.message, "for this email address"));
    assert_non_null(strstr(err.message, "50 minutes"));
    assert_int_equal(retry, 3000);
    /* refused requests are not counted: the window frees on time */
    rp_clock_pin(1800000000 + 3601);
    assert_int_equal(admit(db, &cfg, "192.0.2.1", "ola@example.com", NULL),
                     RP_OK);
    assert_int_equal(admit(db, &cfg, "192.0.2.1", "ola@example.com", NULL),
                     RP_ERATELIMIT);
    /* another sender is counted on their own */
    assert_int_equal(admit(db, &cfg, "192.0.2.1", "max@example.com", NULL),
                     RP_OK);
}

static void test_zero_means_no_limit(void **state)
{
    rp_test_db *db = *state;
    rp_help_config cfg = limits(0, 0, 0);
    rp_clock_pin(1800000000);
    for (int i = 0; i < 50; i++)
        assert_int_equal(admit(db, &cfg, "192.0.2.1", "a@example.com", NULL),
                         RP_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_address_and_ipv4_network,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_ipv6_network_is_a_64,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_email_in_any_case,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_zero_means_no_limit,
                                        rp_test_db_setup, rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
