/*
 * test_zendesk.c - the rules of the Zendesk mapping against a real store:
 * a ticket's status is read from the cycle in one place and searched for
 * by store filters in another, so every status is checked both ways on
 * tickets in every state; and the paging and error rules.
 */
#include <string.h>

#include "fixture.h"

static json_t *make_ticket(rp_ctx *ctx, const char *email, const char *status)
{
    char text[512];
    snprintf(text, sizeof text,
             "{\"ticket\": {\"subject\": \"About %s\", \"comment\": "
             "{\"body\": \"Help, please.\"}, \"requester\": {\"email\": "
             "\"%s\"}%s%s%s}}",
             email, email, status ? ", \"status\": \"" : "",
             status ? status : "", status ? "\"" : "");
    json_t *in = json_loads(text, 0, NULL), *out = NULL;
    rp_error err;
    rp_code rc = rp_zendesk_ticket_create(ctx, in, &out, &err);
    if (rc)
        fail_msg("%s: %s", err.field, err.message);
    json_decref(in);
    json_t *t = json_incref(json_object_get(out, "ticket"));
    json_decref(out);
    return t;
}

static void test_status_read_and_searched_alike(void **state)
{
    rp_test_db *db = *state;
    const char *made[] = {NULL,     "open",   "pending", "hold",
                          "solved", "closed", "open"};
    /* "closed" cannot be made: it is made solved, then closed */
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        char email[64];
        snprintf(email, sizeof email, "c%zu@example.com", i);
        int close = made[i] && !strcmp(made[i], "closed");
        json_t *t = make_ticket(&db->ctx, email, close ? "solved" : made[i]);
        assert_string_equal(json_string_value(json_object_get(t, "status")),
                            close     ? "solved"
                            : made[i] ? made[i]
                                      : "new");
        if (close) {
            json_t *in = json_pack("{s:{s:s}}", "ticket", "status", "closed");
            json_t *out = NULL;
            rp_error err;
            assert_int_equal(rp_zendesk_ticket_update(
                                 &db->ctx,
                                 json_integer_value(json_object_get(t, "id")),
                                 in, &out, &err),
                             RP_OK);
            assert_string_equal(json_string_value(json_object_get(
                                    json_object_get(out, "ticket"), "status")),
                                "closed");
            json_decref(in);
            json_decref(out);
        }
        json_decref(t);
    }
    rp_zendesk_page page = {100, 0, 0, 1};
    json_t *all = NULL;
    rp_error err;
    assert_int_equal(rp_zendesk_ticket_list(&db->ctx, 0, &page, &all, &err),
                     RP_OK);
    assert_int_equal(json_array_size(json_object_get(all, "tickets")), 7);
    for (int s = 0; rp_zendesk_statuses[s]; s++) {
        char query[64];
        snprintf(query, sizeof query, "status:%s", rp_zendesk_statuses[s]);
        json_t *found = NULL;
        assert_int_equal(
            rp_zendesk_search(&db->ctx, query, &page, &found, &err), RP_OK);
        /* the search finds exactly the tickets the list shows so */
        size_t i, n = 0;
        json_t *t;
        json_array_foreach(json_object_get(all, "tickets"), i, t) {
            int shown = !strcmp(json_string_value(json_object_get(t, "status")),
                                rp_zendesk_statuses[s]);
            int hit = 0;
            size_t j;
            json_t *r;
            json_array_foreach(json_object_get(found, "results"), j, r)
                hit |= json_equal(json_object_get(r, "id"),
                                  json_object_get(t, "id"));
            assert_int_equal(shown, hit);
            n += (size_t)shown;
        }
        assert_int_equal(json_array_size(json_object_get(found, "results")), n);
        assert_int_equal(n, !strcmp(rp_zendesk_statuses[s], "open") ? 2 : 1);
        json_decref(found);
    }
    json_decref(all);
}

static void test_page_parse(void **state)
{
    (void)state;
    rp_zendesk_page p;
    rp_error err;
    assert_int_equal(
        rp_zendesk_page_parse(NULL, NULL, NULL, NULL, NULL, &p, &err), RP_OK);
    assert_int_equal(p.size, 100);
    assert_false(p.offset_style);
    assert_int_equal(
        rp_zendesk_page_parse("2", "17", NULL, NULL, NULL, &p, &err), RP_OK);
    assert_int_equal(p.size, 2);
    assert_int_equal(p.after_id, 17);
    assert_int_equal(
        rp_zendesk_page_parse(NULL, NULL, NULL, "3", "25", &p, &err), RP_OK);
    assert_true(p.offset_style);
    assert_int_equal(p.number, 3);
    assert_int_equal(p.size, 25);
    const char *bad[][5] = {
        {"0", NULL, NULL, NULL, NULL},    {"101", NULL, NULL, NULL, NULL},
        {"x", NULL, NULL, NULL, NULL},    {NULL, "abc", NULL, NULL, NULL},
        {NULL, NULL, "5", NULL, NULL},    {NULL, NULL, NULL, "0", NULL},
        {NULL, NULL, NULL, "1", "1000"},  {"2", NULL, NULL, "1", NULL},
        {NULL, NULL, NULL, "101", "100"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(rp_zendesk_page_parse(bad[i][0], bad[i][1], bad[i][2],
                                               bad[i][3], bad[i][4], &p, &err),
                         RP_EMALFORMED);
        assert_true(err.field[0] != '\0');
    }
}

static void test_error_bodies(void **state)
{
    (void)state;
    rp_error err;
    int status;
    rp_error_set(&err, RP_EINVALID, "priority", "priority must be one of ...");
    json_t *b = rp_zendesk_error(&err, &status);
    assert_int_equal(status, 422);
    assert_string_equal(json_string_value(json_object_get(b, "error")),
                        "RecordInvalid");
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(
                json_object_get(json_object_get(b, "details"), "priority"), 0),
            "description")),
        "priority must be one of ...");
    json_decref(b);
    rp_error_set(&err, RP_EAUTH, NULL, "no token");
    b = rp_zendesk_error(&err, &status);
    assert_int_equal(status, 401);
    assert_string_equal(json_string_value(json_object_get(b, "error")),
                        "Couldn't authenticate you");
    json_decref(b);
    rp_error_set(&err, RP_EINTERNAL, NULL, "disk I/O error in /var/x.db");
    b = rp_zendesk_error(&err, &status);
    assert_int_equal(status, 500);
    assert_null(
        strstr(json_string_value(json_object_get(b, "description")), "x.db"));
    json_decref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_status_read_and_searched_alike,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test(test_page_parse),
        cmocka_unit_test(test_error_bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
