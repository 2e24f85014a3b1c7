/*
 * test_blank_text.c - blank text is no text, from the CLI and the API alike:
 * facts of spaces are stored as null, so the guide's checklist, its list
 * of what is missing and the refusal of the next move all agree; a
 * required text that is blank is refused naming the field.  And the
 * moments of the same story say what happened, when it happened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Run the CLI with --json and parse what it printed; returns the exit code. */
static int cli_json(rp_srv *s, json_t **out, const char *cmd, const char *id,
                    const char *opt, const char *value)
{
    char *text = NULL;
    int rc = opt ? rp_cli(s, &text, "encounter", cmd, id, opt, value, "--json",
                          NULL)
                 : rp_cli(s, &text, "encounter", cmd, id, "--json", NULL);
    *out = json_loads(text, 0, NULL);
    free(text);
    return rc;
}

/* The guide, through the API: is "listen for facts" ticked, and is facts
 * what the next move is missing? */
static void expect_guide(rp_srv *s, const char *path, int facts_done)
{
    json_t *g = rp_call(s, "GET", path, NULL, 200);
    json_t *skill = json_array_get(json_object_get(g, "checklist"), 0);
    assert_string_equal(json_string_value(json_object_get(skill, "skill")),
                        "listen for facts");
    assert_int_equal(json_is_true(json_object_get(skill, "done")), facts_done);
    json_t *missing = json_object_get(g, "missing");
    assert_int_equal(json_array_size(missing), facts_done ? 0 : 1);
    if (!facts_done)
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(missing, 0), "field")),
                            "facts");
    json_decref(g);
}

/* The summary of the newest moment of kind, or NULL; every moment of the
 * customer is checked on the way for "(null)". */
static char *moment_summary(rp_srv *s, long long cid, const char *kind)
{
    char path[80];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments?limit=500",
             cid);
    json_t *page = rp_call(s, "GET", path, NULL, 200);
    char *found = NULL;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(page, "items"), i, m) {
        const char *text = json_string_value(json_object_get(m, "summary"));
        assert_non_null(text);
        assert_null(strstr(text, "(null)"));
        if (!strcmp(json_string_value(json_object_get(m, "kind")), kind)) {
            free(found);
            found = strdup(text);
        }
    }
    json_decref(page);
    return found;
}

static void test_blank_facts_from_the_cli(void **state)
{
    rp_srv *s = *state;
    json_t *c = rp_callf(s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Maximilian Weber\"}");
    long long cid = json_integer_value(json_object_get(c, "id"));
    json_decref(c);
    char body[160], id[32], guide[80], path[64];
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"in_person\","
             "\"subject\":\"A navy suit\"}",
             cid);
    json_t *e = rp_callf(s, "POST", "/api/v1/encounters", 201, body);
    snprintf(id, sizeof id, "%lld",
             (long long)json_integer_value(json_object_get(e, "id")));
    json_decref(e);
    snprintf(path, sizeof path, "/api/v1/encounters/%s", id);
    snprintf(guide, sizeof guide, "/api/v1/encounters/%s/guide", id);

    assert_int_equal(cli_json(s, &e, "acknowledge", id, NULL, NULL), 0);
    json_decref(e);
    assert_int_equal(cli_json(s, &e, "advance", id, "--to", "understood"), 0);
    json_decref(e);
    char *understood = moment_summary(s, cid, "encounter.understood");
    assert_non_null(understood);
    assert_null(strstr(understood, "Understood"));
    free(understood);

    /* facts of spaces: recorded as no facts, and everyone agrees */
    assert_int_equal(cli_json(s, &e, "note", id, "--facts", "   "), 0);
    assert_non_null(e);
    assert_true(json_is_null(json_object_get(e, "facts")));
    json_decref(e);
    expect_guide(s, guide, 0);
    assert_int_equal(cli_json(s, &e, "advance", id, "--to", "helped"), 3);
    json_decref(e);

    /* the same for Unicode spaces, from the CLI and from the API */
    assert_int_equal(
        cli_json(s, &e, "note", id, "--facts", "\xE3\x80\x80\xC2\xA0"), 0);
    assert_true(json_is_null(json_object_get(e, "facts")));
    json_decref(e);
    json_decref(rp_callf(s, "PATCH", path, 200, "{\"facts\":\"\\t\\u3000\"}"));
    expect_guide(s, guide, 0);

    /* a required text that is blank is refused and changes nothing */
    assert_int_equal(cli_json(s, &e, "abandon", id, "--reason", " \t "), 3);
    json_decref(e);
    rp_http r;
    char abandon[80];
    const char *blank = "{\"reason\":\"\\u3000\"}";
    snprintf(abandon, sizeof abandon, "%s/abandon", path);
    rp_http_send(s, "POST", abandon, "application/json", blank, strlen(blank),
                 NULL, &r);
    rp_assert_error(&r, 422, "invalid", "reason");
    assert_non_null(strstr(r.body, "reason is required"));
    rp_http_free(&r);
    e = rp_call(s, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(e, "stage")),
                        "understood");
    json_decref(e);
    assert_null(moment_summary(s, cid, "encounter.helped"));

    /* real facts: ticked, nothing missing, the move is allowed, and its
     * moment says what was understood and claims no agreement */
    assert_int_equal(
        cli_json(s, &e, "note", id, "--facts", "Needs a navy suit, size 50"),
        0);
    json_decref(e);
    expect_guide(s, guide, 1);
    assert_int_equal(cli_json(s, &e, "advance", id, "--to", "helped"), 0);
    json_decref(e);
    char *helped = moment_summary(s, cid, "encounter.helped");
    assert_string_equal(helped, "Understood: Needs a navy suit, size 50");
    free(helped);
    char *out = NULL;
    assert_int_equal(rp_cli(s, &out, "encounter", "advance", id, "--to", "kept",
                            "--no-agreement-reason", "Out of stock", NULL),
                     0);
    free(out);
    char *kept = moment_summary(s, cid, "encounter.kept");
    assert_string_equal(kept,
                        "Helped; nothing was agreed, because: Out of stock");
    free(kept);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blank_facts_from_the_cli),
    };
    return cmocka_run_group_tests(tests, rp_srv_fixture_start,
                                  rp_srv_fixture_stop);
}
