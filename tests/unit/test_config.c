/*
 * test_config.c - the settings table: defaults, the environment, flags
 * over variables, and bad values refused with the name of the variable or
 * flag they came from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

/* The row of the table with this variable or flag. */
static size_t row(const char *env, const char *flag)
{
    for (size_t i = 0; rp_settings[i].env || rp_settings[i].flag; i++)
        if ((env && rp_settings[i].env && !strcmp(rp_settings[i].env, env)) ||
            (flag && rp_settings[i].flag && !strcmp(rp_settings[i].flag, flag)))
            return i;
    fail_msg("no setting %s", env ? env : flag);
    return 0;
}

static int clean(void **state)
{
    (void)state;
    for (size_t i = 0; rp_settings[i].env || rp_settings[i].flag; i++)
        if (rp_settings[i].env)
            unsetenv(rp_settings[i].env);
    return 0;
}

static void test_defaults(void **state)
{
    (void)state;
    rp_config c;
    char why[300];
    assert_int_equal(
        rp_config_read(&c, RP_CONFIG_SERVER, NULL, why, sizeof why), 0);
    assert_string_equal(c.db, "rapport.db");
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_string_equal(c.followup.public_url, "http://127.0.0.1:8080");
    assert_null(c.web_root);
    assert_null(c.followup.delivery.smtp_url);
    assert_int_equal(c.threads, 4);
    assert_int_equal(c.scheduler_interval, 30);
    assert_int_equal(c.cookie_secure, 1); /* Secure unless told plain HTTP */
    assert_int_equal(c.busy_wait_ms, 2000);
    assert_int_equal(c.session_idle, 12 * 3600);
    assert_int_equal(c.session_lifetime, 24 * 3600);
    assert_int_equal(c.followup.lease_seconds, 300);
    assert_int_equal(c.followup.max_attempts, 5);
    assert_int_equal(c.followup.cadence_days[1], 90);
}

static void test_environment_and_flags(void **state)
{
    (void)state;
    setenv("RAPPORT_DB", "/tmp/from-env.db", 1);
    setenv("RAPPORT_CADENCE", "transactional=0,incremental=10,partnership=3",
           1);
    setenv("RAPPORT_TASK_MAX_ATTEMPTS", "3", 1);
    setenv("RAPPORT_SMTP_URL", "smtp://127.0.0.1:2525", 1);
    setenv("RAPPORT_PLAIN_HTTP", "1", 1);
    setenv("RAPPORT_SESSION_IDLE", "600", 1);
    setenv("RAPPORT_LISTEN", "", 1); /* empty: unset */
    const char *given[64] = {0};
    given[row(NULL, "db")] = "/tmp/from-flag.db";
    given[row(NULL, "web-root")] = ""; /* no console */
    rp_config c;
    char why[300];
    assert_int_equal(
        rp_config_read(&c, RP_CONFIG_SERVER, given, why, sizeof why), 0);
    assert_string_equal(c.db, "/tmp/from-flag.db");
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_string_equal(c.web_root, "");
    assert_int_equal(c.followup.cadence_days[0], 0);
    assert_int_equal(c.followup.cadence_days[1], 10);
    assert_int_equal(c.followup.cadence_days[2], 30);
    assert_int_equal(c.followup.cadence_days[3], 3);
    assert_int_equal(c.followup.max_attempts, 3);
    assert_string_equal(c.followup.delivery.smtp_url, "smtp://127.0.0.1:2525");
    assert_int_equal(c.cookie_secure, 0);
    assert_int_equal(c.plain_http, 1);
    assert_int_equal(c.session_idle, 600);
    /* plain HTTP only on loopback: a browser would send the cookie in the
     * clear over a network */
    given[row(NULL, "listen")] = "0.0.0.0:8080";
    assert_int_equal(
        rp_config_read(&c, RP_CONFIG_SERVER, given, why, sizeof why), -1);
    assert_non_null(strstr(why, "RAPPORT_PLAIN_HTTP"));
    given[row(NULL, "listen")] = NULL;
    /* the CLI reads the database and the scheduler's settings too, but
     * not the server's */
    assert_int_equal(rp_config_read(&c, RP_CONFIG_CLI, NULL, why, sizeof why),
                     0);
    assert_string_equal(c.db, "/tmp/from-env.db");
    assert_int_equal(c.followup.max_attempts, 3);
    assert_int_equal(c.cookie_secure, 0);
}

static void test_bad_values_name_their_source(void **state)
{
    (void)state;
    rp_config c;
    char why[300];
    setenv("RAPPORT_TASK_LEASE", "soon", 1);
    assert_int_equal(rp_config_read(&c, RP_CONFIG_CLI, NULL, why, sizeof why),
                     -1);
    assert_non_null(strstr(why, "RAPPORT_TASK_LEASE"));
    assert_non_null(strstr(why, "'soon'"));
    unsetenv("RAPPORT_TASK_LEASE");

    setenv("RAPPORT_CADENCE", "weekly=7", 1);
    assert_int_equal(rp_config_read(&c, RP_CONFIG_CLI, NULL, why, sizeof why),
                     -1);
    assert_non_null(strstr(why, "RAPPORT_CADENCE"));
    unsetenv("RAPPORT_CADENCE");

    setenv("RAPPORT_LISTEN", "nowhere", 1);
    assert_int_equal(
        rp_config_read(&c, RP_CONFIG_SERVER, NULL, why, sizeof why), -1);
    assert_non_null(strstr(why, "RAPPORT_LISTEN"));
    /* a good flag wins over a bad variable */
    const char *given[64] = {0};
    given[row(NULL, "listen")] = "127.0.0.1:0";
    assert_int_equal(
        rp_config_read(&c, RP_CONFIG_SERVER, given, why, sizeof why), 0);
    assert_string_equal(c.listen, "127.0.0.1:0");
    given[row(NULL, "listen")] = NULL;
    given[row(NULL, "threads")] = "65";
    unsetenv("RAPPORT_LISTEN");
    assert_int_equal(
        rp_config_read(&c, RP_CONFIG_SERVER, given, why, sizeof why), -1);
    assert_non_null(strstr(why, "--threads"));
}

/* The default key file lies beside a SQLite file; a PostgreSQL database
 * has no file to be beside, whatever its name looks like. */
static void test_key_file_beside_a_file_only(void **state)
{
    (void)state;
    rp_config cfg;
    rp_config_defaults(&cfg);
    rp_secret_settings keys;
    cfg.db = "/var/lib/rapport/desk.db";
    rp_config_secrets(&cfg, &keys);
    assert_string_equal(keys.key_file, "/var/lib/rapport/desk.db.key");
    cfg.db = "sqlite:desk.db";
    rp_config_secrets(&cfg, &keys);
    assert_string_equal(keys.key_file, "desk.db.key");
    static const char *const servers[] = {
        "postgres://rapport@db.example/rapport",
        "postgresql:///rapport?host=/run/postgresql",
        "host=/run/postgresql dbname=rapport",
        "dbname = rapport",
    };
    for (size_t i = 0; i < sizeof servers / sizeof servers[0]; i++) {
        cfg.db = servers[i];
        rp_config_secrets(&cfg, &keys);
        assert_null(keys.key_file);
    }
}

static void test_help_lists_every_variable(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    rp_config_print_environment(f, RP_CONFIG_SERVER | RP_CONFIG_CLI);
    fclose(f);
    for (size_t i = 0; rp_settings[i].env || rp_settings[i].flag; i++)
        if (rp_settings[i].env)
            assert_non_null(strstr(text, rp_settings[i].env));
    free(text);
}

/* The load balancers whose X-Forwarded-For rapportd believes: IP
 * addresses only, each refused entry named; one address in two
 * spellings is the same. */
static void test_trusted_proxies(void **state)
{
    (void)state;
    char why[300];
    assert_int_equal(rp_config_check_proxies(NULL, why, sizeof why), 0);
    assert_int_equal(
        rp_config_check_proxies("127.0.0.1,10.0.0.5,::1", why, sizeof why), 0);
    assert_int_equal(
        rp_config_check_proxies("10.0.0.5,haproxy.local", why, sizeof why), -1);
    assert_non_null(strstr(why, "'haproxy.local' is not an IP address"));
    assert_int_equal(rp_config_check_proxies("10.0.0.5,", why, sizeof why), 0);
    assert_int_equal(rp_config_check_proxies(",10.0.0.5", why, sizeof why), -1);
    assert_true(rp_config_proxy_listed("10.0.0.5,127.0.0.1", "127.0.0.1"));
    assert_true(rp_config_proxy_listed("::ffff:127.0.0.1", "127.0.0.1"));
    assert_true(rp_config_proxy_listed("0:0::1", "::1"));
    assert_false(rp_config_proxy_listed("10.0.0.5", "10.0.0.50"));
    assert_false(rp_config_proxy_listed(NULL, "127.0.0.1"));
    assert_false(rp_config_proxy_listed("127.0.0.1", "unknown"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, clean, clean),
        cmocka_unit_test_setup_teardown(test_environment_and_flags, clean,
                                        clean),
        cmocka_unit_test_setup_teardown(test_bad_values_name_their_source,
                                        clean, clean),
        cmocka_unit_test_setup_teardown(test_key_file_beside_a_file_only, clean,
                                        clean),
        cmocka_unit_test_setup_teardown(test_help_lists_every_variable, clean,
                                        clean),
        cmocka_unit_test(test_trusted_proxies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
