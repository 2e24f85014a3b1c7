/*
 * test_list_projection.c - lists send what the page needs, end to end.
 *
 * A page of customers, encounters, moments or tasks holds, by default, the
 * fields a list shows, not every column of every row; ?fields= names the
 * ones wanted (id always comes), ?view=full gives every field, and a field
 * the items do not have is refused with 422 naming it, before anything is
 * read.  Checked against a real rapportd.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* The first item of the page at path (new reference). */
static json_t *first_item(rp_srv *s, const char *path)
{
    json_t *page = rp_call(s, "GET", path, NULL, 200);
    json_t *item = json_incref(
        json_array_get(json_object_get(page, "items"), 0));
    json_decref(page);
    assert_non_null(item);
    return item;
}

static void assert_keys(json_t *item, const char *const *keys)
{
    size_t n = 0;
    for (; keys[n]; n++)
        if (!json_object_get(item, keys[n]))
            fail_msg("the item has no \"%s\": %s", keys[n],
                     json_dumps(item, JSON_COMPACT));
    if (json_object_size(item) != n)
        fail_msg("the item has %zu fields, not %zu: %s", json_object_size(item),
                 n, json_dumps(item, JSON_COMPACT));
}

static json_int_t g_customer, g_encounter;

static void test_setup_records(void **state)
{
    rp_srv *s = *state;
    json_t *c = rp_callf(s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Zoë Núñez\",\"preferred_name\":\"Zoë\","
                         "\"emails\":[\"zoe@example.com\"],"
                         "\"notes\":\"prefers mornings\"}");
    g_customer = json_integer_value(json_object_get(c, "id"));
    json_decref(c);
    char body[160];
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"phone\","
             "\"subject\":\"Printer shows E-12\"}",
             (long long)g_customer);
    json_t *e = rp_callf(s, "POST", "/api/v1/encounters", 201, body);
    g_encounter = json_integer_value(json_object_get(e, "id"));
    json_decref(e);
    assert_true(g_customer > 0 && g_encounter > 0);
}

static void test_default_projection(void **state)
{
    rp_srv *s = *state;
    static const char *const customer[] = {"id",
                                           "name",
                                           "preferred_name",
                                           "greeting_name",
                                           "emails",
                                           "phones",
                                           "relationship_level",
                                           "unconfirmed",
                                           "merged_into",
                                           "updated_at",
                                           NULL};
    json_t *c = first_item(s, "/api/v1/customers?limit=1");
    assert_keys(c, customer);
    assert_string_equal(json_string_value(json_object_get(c, "name")),
                        "Zoë Núñez");
    assert_null(json_object_get(c, "notes"));
    json_decref(c);

    static const char *const encounter[] = {
        "id",         "customer_id",     "subject",
        "channel",    "stage",           "priority",
        "tags",       "topic",           "queue_id",
        "agent_id",   "acknowledged_at", "waiting_on",
        "created_at", "updated_at",      "arrived_at",
        "kind",       "exchange",        "customer_name",
        "queue_name", "agent_name",      "customer_preferred_name",
        NULL};
    json_t *e = first_item(s, "/api/v1/encounters?limit=1");
    assert_keys(e, encounter);
    assert_int_equal(json_integer_value(json_object_get(e, "id")), g_encounter);
    json_decref(e);

    char path[96];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments?limit=1",
             (long long)g_customer);
    json_t *m = first_item(s, path);
    assert_null(json_object_get(m, "chain_hash"));
    /* the detail is listed: what the summary says, as parameters the
     * console says in the agent's language */
    assert_non_null(json_object_get(m, "detail"));
    assert_non_null(json_object_get(m, "summary"));
    assert_non_null(json_object_get(m, "occurred_at"));
    json_decref(m);
}

static void test_fields_named(void **state)
{
    rp_srv *s = *state;
    static const char *const asked[] = {"id", "name", "notes", NULL};
    json_t *c = first_item(s, "/api/v1/customers?limit=1&fields=name,notes");
    assert_keys(c, asked);
    assert_string_equal(json_string_value(json_object_get(c, "notes")),
                        "prefers mornings");
    json_decref(c);
    /* a filter and a projection together; a field the list does not show
     * by default may be asked for */
    char path[128];
    snprintf(path, sizeof path,
             "/api/v1/encounters?customer_id=%lld&fields=subject,request",
             (long long)g_customer);
    static const char *const enc[] = {"id", "subject", "request", NULL};
    json_t *e = first_item(s, path);
    assert_keys(e, enc);
    json_decref(e);
}

static void test_view_full(void **state)
{
    rp_srv *s = *state;
    json_t *c = first_item(s, "/api/v1/customers?limit=1&view=full");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/customers/%lld",
             (long long)g_customer);
    json_t *one = rp_call(s, "GET", path, NULL, 200);
    /* the whole record, as a customer's own page has it */
    assert_int_equal(json_object_size(c), json_object_size(one));
    assert_string_equal(json_string_value(json_object_get(c, "notes")),
                        "prefers mornings");
    json_decref(one);
    json_decref(c);
    json_t *e = first_item(s, "/api/v1/encounters?limit=1&view=full");
    assert_non_null(json_object_get(e, "questions"));
    assert_non_null(json_object_get(e, "first_contact_reason"));
    json_decref(e);
    /* the default said by name */
    json_t *l = first_item(s, "/api/v1/customers?limit=1&view=list");
    assert_null(json_object_get(l, "notes"));
    json_decref(l);
}

static void test_unknown_field_refused(void **state)
{
    rp_srv *s = *state;
    rp_http r;
    rp_http_send(s, "GET", "/api/v1/customers?fields=name,shoe_size", NULL,
                 NULL, 0, NULL, &r);
    rp_assert_error(&r, 422, "invalid", "fields");
    assert_non_null(strstr(r.body, "shoe_size"));
    rp_http_free(&r);
    /* a column the record never shows is no field of the items either */
    rp_http_send(s, "GET", "/api/v1/encounters?fields=password_hash", NULL,
                 NULL, 0, NULL, &r);
    rp_assert_error(&r, 422, "invalid", "fields");
    rp_http_free(&r);
    rp_http_send(s, "GET", "/api/v1/tasks?view=everything", NULL, NULL, 0, NULL,
                 &r);
    rp_assert_error(&r, 422, "invalid", "view");
    rp_http_free(&r);
    rp_http_send(s, "GET", "/api/v1/customers?view=full&fields=name", NULL,
                 NULL, 0, NULL, &r);
    rp_assert_error(&r, 422, "invalid", "fields");
    rp_http_free(&r);
    /* a list without a projection takes neither */
    rp_http_send(s, "GET", "/api/v1/queues?fields=name", NULL, NULL, 0, NULL,
                 &r);
    assert_int_equal(r.status, 400);
    rp_http_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_setup_records),
        cmocka_unit_test(test_default_projection),
        cmocka_unit_test(test_fields_named),
        cmocka_unit_test(test_view_full),
        cmocka_unit_test(test_unknown_field_refused),
    };
    return cmocka_run_group_tests(tests, rp_srv_fixture_start,
                                  rp_srv_fixture_stop);
}
