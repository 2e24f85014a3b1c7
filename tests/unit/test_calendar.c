/*
 * test_calendar.c - time counted in business hours (core/measures/
 * calendar.c) and the zone reader under it (base/tz.c), as tables of
 * cases read from the system's tz database: Europe/Madrid's weekdays
 * 9 to 17, a Friday evening's email, the days summer time begins and
 * ends (23 and 25 hours), a holiday, a day with two openings, and a
 * queue without hours counted around the clock as before.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/rapport.h"

static int64_t at(const char *rfc3339)
{
    int64_t t = 0;
    assert_int_equal(rp_time_parse(rfc3339, &t), 0);
    return t;
}

/* A calendar from a compact description: "monday 09:00 17:00; ..." */
static void make(rp_calendar *c, const char *zone, const char *intervals,
                 const char *holidays)
{
    json_t *iv = json_array(), *hol = json_array();
    char *copy = strdup(intervals ? intervals : ""), *save = NULL;
    for (char *one = strtok_r(copy, ";", &save); one;
         one = strtok_r(NULL, ";", &save)) {
        char day[16], open[8], close[8];
        assert_int_equal(sscanf(one, "%15s %7s %7s", day, open, close), 3);
        json_array_append_new(iv, json_pack("{s:s, s:s, s:s}", "day", day,
                                            "open", open, "close", close));
    }
    free(copy);
    copy = strdup(holidays ? holidays : "");
    for (char *one = strtok_r(copy, " ", &save); one;
         one = strtok_r(NULL, " ", &save))
        json_array_append_new(hol, json_pack("{s:s}", "date", one));
    free(copy);
    rp_error err;
    assert_int_equal(rp_calendar_parse(zone, iv, hol, c, &err), RP_OK);
    json_decref(iv);
    json_decref(hol);
}

#define WEEKDAYS_9_17                                                          \
    "monday 09:00 17:00; tuesday 09:00 17:00; wednesday 09:00 17:00;"          \
    "thursday 09:00 17:00; friday 09:00 17:00"

typedef struct add_case {
    const char *what, *zone, *hours, *holidays;
    const char *from;
    int64_t seconds;
    const char *due;
} add_case;

static const add_case add_cases[] = {
    {"Friday 18:00, five minutes: Monday 09:05", "Europe/Madrid", WEEKDAYS_9_17,
     NULL, "2026-11-27T18:00:00+01:00", 300, "2026-11-30T09:05:00+01:00"},
    {"Friday 16:58: two minutes on Friday, three on Monday", "Europe/Madrid",
     WEEKDAYS_9_17, NULL, "2026-11-27T16:58:00+01:00", 300,
     "2026-11-30T09:03:00+01:00"},
    {"met exactly at closing: due at the next opening", "Europe/Madrid",
     WEEKDAYS_9_17, NULL, "2026-11-27T16:55:00+01:00", 300,
     "2026-11-30T09:00:00+01:00"},
    {"inside the hours: plain addition", "Europe/Madrid", WEEKDAYS_9_17, NULL,
     "2026-12-01T10:00:00+01:00", 3600, "2026-12-01T11:00:00+01:00"},
    {"before opening: from the opening", "Europe/Madrid", WEEKDAYS_9_17, NULL,
     "2026-12-01T07:00:00+01:00", 600, "2026-12-01T09:10:00+01:00"},
    {"24 business hours: three working days", "Europe/Madrid", WEEKDAYS_9_17,
     NULL, "2026-12-01T09:00:00+01:00", 24 * 3600, "2026-12-04T09:00:00+01:00"},
    {"over the weekend summer time begins: Monday opens at 09:00 CEST",
     "Europe/Madrid", WEEKDAYS_9_17, NULL, "2026-03-27T16:00:00+01:00",
     2 * 3600, "2026-03-30T10:00:00+02:00"},
    {"over the weekend summer time ends: Monday opens at 09:00 CET",
     "Europe/Madrid", WEEKDAYS_9_17, NULL, "2026-10-23T16:00:00+02:00",
     2 * 3600, "2026-10-26T10:00:00+01:00"},
    {"a Sunday of 23 hours open all day", "Europe/Madrid", "sunday 00:00 24:00",
     NULL, "2026-03-29T00:00:00+01:00", 23 * 3600 - 1,
     "2026-03-29T23:59:59+02:00"},
    {"a Sunday of 25 hours open all day", "Europe/Madrid", "sunday 00:00 24:00",
     NULL, "2026-10-25T00:00:00+02:00", 25 * 3600 - 1,
     "2026-10-25T23:59:59+01:00"},
    {"Christmas Friday closed: Thursday 16:30 plus an hour is Monday 09:30",
     "Europe/Madrid", WEEKDAYS_9_17, "2026-12-25", "2026-12-24T16:30:00+01:00",
     3600, "2026-12-28T09:30:00+01:00"},
    {"two openings a day: the lunch break does not count", "Europe/Madrid",
     "monday 09:00 13:00; monday 15:00 19:00", NULL,
     "2026-11-30T12:30:00+01:00", 3600, "2026-11-30T15:30:00+01:00"},
    {"two openings a day: the second runs out, next Monday", "Europe/Madrid",
     "monday 09:00 13:00; monday 15:00 19:00", NULL,
     "2026-11-30T18:00:00+01:00", 2 * 3600, "2026-12-07T10:00:00+01:00"},
    {"another zone: New York's weekdays", "America/New_York", WEEKDAYS_9_17,
     NULL, "2026-11-27T18:00:00-05:00", 300, "2026-11-30T09:05:00-05:00"},
    {"no hours: around the clock, as before", NULL, NULL, NULL,
     "2026-11-27T18:00:00+01:00", 300, "2026-11-27T18:05:00+01:00"},
    {"no hours: holidays do not stop the clock", NULL, NULL, "2026-12-25",
     "2026-12-25T10:00:00+01:00", 3600, "2026-12-25T11:00:00+01:00"},
};

static void test_add(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof add_cases / sizeof add_cases[0]; i++) {
        const add_case *k = &add_cases[i];
        rp_calendar c;
        make(&c, k->zone, k->hours, k->holidays);
        int64_t due = rp_calendar_add(&c, at(k->from), k->seconds);
        if (due != at(k->due)) {
            char got[RP_TIME_MAX];
            rp_time_format(due, got);
            fail_msg("%s: due %s, expected %s", k->what, got, k->due);
        }
        /* the deadline is where business time passes the target */
        assert_int_equal(rp_calendar_between(&c, at(k->from), due), k->seconds);
        assert_true(rp_calendar_between(&c, at(k->from), due + 1) > k->seconds);
        rp_calendar_free(&c);
    }
}

typedef struct between_case {
    const char *what, *zone, *hours, *holidays;
    const char *a, *b;
    int64_t seconds;
} between_case;

static const between_case between_cases[] = {
    {"Friday evening to Saturday noon: closed", "Europe/Madrid", WEEKDAYS_9_17,
     NULL, "2026-11-27T18:00:00+01:00", "2026-11-28T12:00:00+01:00", 0},
    {"Friday evening to Monday 09:05: five minutes", "Europe/Madrid",
     WEEKDAYS_9_17, NULL, "2026-11-27T18:00:00+01:00",
     "2026-11-30T09:05:00+01:00", 300},
    {"a whole week: five days of eight hours", "Europe/Madrid", WEEKDAYS_9_17,
     NULL, "2026-11-30T00:00:00+01:00", "2026-12-07T00:00:00+01:00",
     5 * 8 * 3600},
    {"a week with a holiday: four days", "Europe/Madrid", WEEKDAYS_9_17,
     "2026-12-08", "2026-12-07T00:00:00+01:00", "2026-12-14T00:00:00+01:00",
     4 * 8 * 3600},
    {"the day summer time begins has 23 hours", "Europe/Madrid",
     "sunday 00:00 24:00", NULL, "2026-03-28T12:00:00+01:00",
     "2026-03-30T12:00:00+02:00", 23 * 3600},
    {"the day summer time ends has 25 hours", "Europe/Madrid",
     "sunday 00:00 24:00", NULL, "2026-10-24T12:00:00+02:00",
     "2026-10-26T12:00:00+01:00", 25 * 3600},
    {"two openings: from 12:00 to 16:00 counts two hours", "Europe/Madrid",
     "monday 09:00 13:00; monday 15:00 19:00", NULL,
     "2026-11-30T12:00:00+01:00", "2026-11-30T16:00:00+01:00", 2 * 3600},
    {"backwards is nothing", "Europe/Madrid", WEEKDAYS_9_17, NULL,
     "2026-12-01T12:00:00+01:00", "2026-12-01T11:00:00+01:00", 0},
    {"no hours: around the clock", NULL, NULL, NULL,
     "2026-11-27T18:00:00+01:00", "2026-11-30T09:05:00+01:00",
     2 * 86400 + 15 * 3600 + 300},
};

static void test_between(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof between_cases / sizeof between_cases[0];
         i++) {
        const between_case *k = &between_cases[i];
        rp_calendar c;
        make(&c, k->zone, k->hours, k->holidays);
        int64_t got = rp_calendar_between(&c, at(k->a), at(k->b));
        if (got != k->seconds)
            fail_msg("%s: %lld seconds, expected %lld", k->what, (long long)got,
                     (long long)k->seconds);
        rp_calendar_free(&c);
    }
}

typedef struct zone_case {
    const char *zone, *instant;
    int32_t offset;
} zone_case;

static const zone_case zone_cases[] = {
    {"Europe/Madrid", "2026-01-15T12:00:00Z", 3600},
    {"Europe/Madrid", "2026-07-15T12:00:00Z", 7200},
    {"Europe/Madrid", "2026-03-29T00:59:59Z", 3600},
    {"Europe/Madrid", "2026-03-29T01:00:00Z", 7200},
    {"Europe/Madrid", "2026-10-25T00:59:59Z", 7200},
    {"Europe/Madrid", "2026-10-25T01:00:00Z", 3600},
    /* past the file's transitions: the footer's rule */
    {"Europe/Madrid", "2090-07-15T12:00:00Z", 7200},
    {"Europe/Madrid", "2090-12-15T12:00:00Z", 3600},
    {"America/New_York", "2026-03-08T06:59:59Z", -5 * 3600},
    {"America/New_York", "2026-03-08T07:00:00Z", -4 * 3600},
    {"Australia/Sydney", "2026-01-15T00:00:00Z", 11 * 3600},
    {"Australia/Sydney", "2090-01-15T00:00:00Z", 11 * 3600},
    {"Australia/Sydney", "2090-07-15T00:00:00Z", 10 * 3600},
    {"Asia/Kolkata", "2026-06-01T00:00:00Z", 5 * 3600 + 1800},
    {"UTC", "2026-06-01T00:00:00Z", 0},
};

static void test_zone_offsets(void **state)
{
    (void)state;
    rp_error err;
    for (size_t i = 0; i < sizeof zone_cases / sizeof zone_cases[0]; i++) {
        const rp_tz *z = NULL;
        assert_int_equal(rp_tz_load(zone_cases[i].zone, "time_zone", &z, &err),
                         RP_OK);
        int32_t got = rp_tz_offset(z, at(zone_cases[i].instant));
        if (got != zone_cases[i].offset)
            fail_msg("%s at %s: offset %d, expected %d", zone_cases[i].zone,
                     zone_cases[i].instant, got, zone_cases[i].offset);
    }
}

static void test_local_times(void **state)
{
    (void)state;
    rp_error err;
    const rp_tz *z = NULL;
    assert_int_equal(rp_tz_load("Europe/Madrid", "time_zone", &z, &err), RP_OK);
    int64_t day = rp_days_from_civil(2026, 3, 29) * 86400;
    /* 02:30 is never shown: the instant an hour after the jump's start */
    assert_int_equal(rp_tz_local_to_utc(z, day + 2 * 3600 + 1800),
                     at("2026-03-29T01:30:00Z"));
    day = rp_days_from_civil(2026, 10, 25) * 86400;
    /* 02:30 is shown twice: the first time */
    assert_int_equal(rp_tz_local_to_utc(z, day + 2 * 3600 + 1800),
                     at("2026-10-25T00:30:00Z"));
    assert_int_equal(rp_tz_local_to_utc(z, day + 12 * 3600),
                     at("2026-10-25T11:00:00Z"));
    /* the same zone is loaded once */
    const rp_tz *again = NULL;
    assert_int_equal(rp_tz_load("Europe/Madrid", "time_zone", &again, &err),
                     RP_OK);
    assert_ptr_equal(z, again);
}

static void test_refusals(void **state)
{
    (void)state;
    rp_error err;
    const rp_tz *z;
    const char *bad_zones[] = {"Nowhere/City",    "../../etc/passwd",
                               "/etc/localtime",  "",
                               "Europe/Madrid\n", NULL};
    for (int i = 0; bad_zones[i]; i++) {
        assert_int_equal(rp_tz_load(bad_zones[i], "time_zone", &z, &err),
                         RP_EINVALID);
        assert_string_equal(err.field, "time_zone");
    }
    struct {
        const char *intervals, *holidays, *field;
    } bad[] = {
        {"[{\"day\":\"moonday\",\"open\":\"09:00\",\"close\":\"17:00\"}]", "[]",
         "intervals"},
        {"[{\"day\":\"monday\",\"open\":\"9\",\"close\":\"17:00\"}]", "[]",
         "intervals"},
        {"[{\"day\":\"monday\",\"open\":\"17:00\",\"close\":\"09:00\"}]", "[]",
         "intervals"},
        {"[{\"day\":\"monday\",\"open\":\"09:00\",\"close\":\"24:01\"}]", "[]",
         "intervals"},
        {"[{\"day\":\"monday\",\"open\":\"09:00\",\"close\":\"13:00\"},"
         "{\"day\":\"monday\",\"open\":\"12:00\",\"close\":\"17:00\"}]",
         "[]", "intervals"},
        {"[]", "[{\"date\":\"2026-02-30\"}]", "holidays"},
        {"[]", "[{\"date\":\"25/12/2026\"}]", "holidays"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *iv = json_loads(bad[i].intervals, 0, NULL),
               *hol = json_loads(bad[i].holidays, 0, NULL);
        rp_calendar c;
        assert_int_equal(rp_calendar_parse("Europe/Madrid", iv, hol, &c, &err),
                         RP_EINVALID);
        assert_string_equal(err.field, bad[i].field);
        json_decref(iv);
        json_decref(hol);
    }
    /* hours without a zone */
    json_t *iv = json_loads(
        "[{\"day\":\"monday\",\"open\":\"09:00\",\"close\":\"17:00\"}]", 0,
        NULL);
    rp_calendar c;
    assert_int_equal(rp_calendar_parse(NULL, iv, NULL, &c, &err), RP_EINVALID);
    assert_string_equal(err.field, "time_zone");
    json_decref(iv);
}

static void test_dates(void **state)
{
    (void)state;
    int64_t d;
    char out[16];
    assert_int_equal(rp_date_parse("2028-02-29", &d), 0);
    rp_date_format(d, out);
    assert_string_equal(out, "2028-02-29");
    assert_int_equal(rp_weekday(d), 2); /* a Tuesday */
    assert_int_equal(rp_date_parse("2027-02-29", &d), -1);
    assert_int_equal(rp_date_parse("2026-1-01", &d), -1);
    assert_int_equal(rp_date_parse("2026-13-01", &d), -1);
    assert_int_equal(rp_weekday(rp_days_from_civil(1969, 12, 31)), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add),          cmocka_unit_test(test_between),
        cmocka_unit_test(test_zone_offsets), cmocka_unit_test(test_local_times),
        cmocka_unit_test(test_refusals),     cmocka_unit_test(test_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
