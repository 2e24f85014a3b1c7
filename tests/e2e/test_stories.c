/*
 * test_stories.c - the seed stories 1 to 5 of docs/design.md replayed
 * through the HTTP API of a real rapportd: the kinds, exchanges and
 * relationship levels they must produce, the refusals of the interaction
 * cycle (409 naming the missing piece), the moments of truth, the guide and
 * the overview; and `rapport demo` loading the same stories.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "base/clock.h"

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static json_int_t num(json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* METHOD /api/v1/encounters/ID<suffix> with body, expecting status. */
static json_t *ep(rp_srv *s, const char *method, json_int_t id,
                  const char *suffix, long status, const char *body)
{
    char path[160];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld%s", (long long)id,
             suffix);
    return rp_callf(s, method, path, status, body);
}

/* Like ep, but only the status matters. */
static void ok(rp_srv *s, const char *method, json_int_t id, const char *suffix,
               long status, const char *body)
{
    json_decref(ep(s, method, id, suffix, status, body));
}

/* A refusal: status 409 (or as given) whose field names the missing piece. */
static void refused(rp_srv *s, json_int_t id, const char *suffix,
                    const char *body, long status, const char *field)
{
    json_t *e = ep(s, suffix[0] ? "POST" : "PATCH", id, suffix, status, body);
    json_t *error = json_object_get(e, "error");
    assert_non_null(error);
    assert_string_equal(str(error, "field"), field);
    assert_true(strlen(str(error, "message")) > 15);
    json_decref(e);
}

static json_int_t new_customer(rp_srv *s, const char *body)
{
    json_t *c = rp_callf(s, "POST", "/api/v1/customers", 201, body);
    json_int_t id = num(c, "id");
    json_decref(c);
    return id;
}

static json_int_t new_encounter(rp_srv *s, json_int_t customer,
                                const char *channel, const char *subject)
{
    json_t *body = json_pack("{s:I, s:s, s:s}", "customer_id", customer,
                             "channel", channel, "subject", subject);
    json_t *e = rp_call(s, "POST", "/api/v1/encounters", body, 201);
    json_int_t id = num(e, "id");
    json_decref(body);
    json_decref(e);
    return id;
}

static json_t *customer(rp_srv *s, json_int_t id)
{
    char path[80];
    snprintf(path, sizeof path, "/api/v1/customers/%lld", (long long)id);
    return rp_call(s, "GET", path, NULL, 200);
}

static void expect_level(rp_srv *s, json_int_t id, const char *level)
{
    json_t *c = customer(s, id);
    if (strcmp(str(c, "relationship_level"), level))
        fprintf(stderr, "level %s, expected %s\n", str(c, "relationship_level"),
                level);
    assert_string_equal(str(c, "relationship_level"), level);
    assert_true(json_array_size(json_object_get(c, "relationship_reasons")) >=
                1);
    json_decref(c);
}

/* Does the level's reasons name this rule? */
static int has_reason(rp_srv *s, json_int_t id, const char *rule)
{
    json_t *c = customer(s, id);
    size_t i;
    json_t *r;
    int found = 0;
    json_array_foreach(json_object_get(c, "relationship_reasons"), i, r)
        found |= strcmp(str(r, "rule"), rule) == 0;
    json_decref(c);
    return found;
}

/* How many of the customer's moments have this kind. */
static int moments_of_kind(rp_srv *s, json_int_t customer_id, const char *kind)
{
    char path[100];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments?limit=500",
             (long long)customer_id);
    json_t *m = rp_call(s, "GET", path, NULL, 200);
    size_t i;
    json_t *item;
    int n = 0;
    json_array_foreach(json_object_get(m, "items"), i, item)
        n += strcmp(str(item, "kind"), kind) == 0;
    json_decref(m);
    return n;
}

/* Play one ordinary encounter up to kept: request at the start, facts,
 * then fields for helping. */
static void through_helped(rp_srv *s, json_int_t e, const char *request,
                           const char *understanding, const char *helping)
{
    char body[200];
    if (request) {
        snprintf(body, sizeof body, "{\"request\":\"%s\"}", request);
        ok(s, "PATCH", e, "", 200, body);
    }
    ok(s, "POST", e, "/acknowledge", 200, "{}");
    ok(s, "PATCH", e, "", 200, understanding);
    ok(s, "POST", e, "/advance", 200, "{\"to\":\"understood\"}");
    ok(s, "PATCH", e, "", 200, helping);
    ok(s, "POST", e, "/advance", 200, "{\"to\":\"helped\"}");
    ok(s, "POST", e, "/advance", 200, "{\"to\":\"kept\"}");
}

static json_t *close_it(rp_srv *s, json_int_t e)
{
    return ep(s, "POST", e, "/advance", 200,
              "{\"to\":\"closed\",\"outcome_done\":\"done\","
              "\"outcome_watch\":\"nothing\"}");
}

/* GET this encounter's measures. */
static json_t *measures_of(rp_srv *s, json_int_t e)
{
    return ep(s, "GET", e, "/measures", 200, NULL);
}

/* First-contact resolution is earned: an encounter closed with nothing
 * sold and nothing agreed is not resolved at first contact, one that waits
 * on a promise is not known until the promise is kept, the encounter and
 * its measures say the same, and the rate counts only the known. */
static void test_first_contact_resolution_is_earned(void **state)
{
    rp_srv *s = *state;
    json_int_t c = new_customer(s, "{\"name\":\"Walk-in browser\"}");
    json_int_t e = new_encounter(s, c, "in_person", "Looking around");
    through_helped(s, e, "looking", "{\"facts\":\"Only browsing\"}",
                   "{\"no_agreement_reason\":\"nothing needed today\"}");
    ok(s, "PATCH", e, "", 200, "{\"satisfaction_skip_reason\":\"left\"}");
    json_t *closed = ep(s, "POST", e, "/advance", 200, "{\"to\":\"closed\"}");
    assert_true(
        json_is_false(json_object_get(closed, "first_contact_resolved")));
    assert_non_null(strstr(str(closed, "first_contact_reason"), "nothing"));
    json_decref(closed);
    json_t *m = measures_of(s, e);
    assert_true(json_is_false(json_object_get(m, "first_contact_resolved")));
    json_decref(m);

    m = rp_call(s, "GET", "/api/v1/metrics/service", NULL, 200);
    json_t *fcr = json_object_get(m, "first_contact_resolution");
    assert_int_equal(num(fcr, "closed"), 1);
    assert_int_equal(num(fcr, "resolved_first_contact"), 0);
    assert_int_equal(num(fcr, "unknown"), 0);
    assert_true(json_real_value(json_object_get(fcr, "rate")) == 0.0);
    json_decref(m);

    /* agreed, resting on a promise: unknown, and left out of the rate */
    json_int_t p = new_encounter(s, c, "phone", "Refund");
    through_helped(s, p, "a refund", "{\"facts\":\"Wants a refund\"}",
                   "{\"agreement\":\"Refund by Friday\"}");
    json_t *promise = ep(
        s, "POST", p, "/promises", 201,
        "{\"what\":\"Refund\",\"due_at\":\"2099-01-01T00:00:00Z\"}");
    json_int_t promise_id = num(promise, "id");
    json_decref(promise);
    ok(s, "PATCH", p, "", 200, "{\"satisfaction_skip_reason\":\"later\"}");
    closed = ep(s, "POST", p, "/advance", 200, "{\"to\":\"closed\"}");
    assert_true(
        json_is_null(json_object_get(closed, "first_contact_resolved")));
    assert_non_null(strstr(str(closed, "first_contact_reason"), "Not known"));
    json_decref(closed);
    m = measures_of(s, p);
    assert_true(json_is_null(json_object_get(m, "first_contact_resolved")));
    json_decref(m);
    m = rp_call(s, "GET", "/api/v1/metrics/service", NULL, 200);
    fcr = json_object_get(m, "first_contact_resolution");
    assert_int_equal(num(fcr, "closed"), 2);
    assert_int_equal(num(fcr, "known"), 1);
    assert_int_equal(num(fcr, "unknown"), 1);
    assert_true(json_real_value(json_object_get(fcr, "rate")) == 0.0);
    json_decref(m);

    /* the report says so in words */
    char *out = NULL;
    assert_int_equal(rp_cli(s, &out, "report", NULL), 0);
    assert_non_null(strstr(out, "not known if resolved at first contact"));
    free(out);

    /* keeping the promise settles it: now resolved, 1 of 2 known */
    char path[80];
    snprintf(path, sizeof path, "/api/v1/promises/%lld/keep",
             (long long)promise_id);
    json_decref(rp_callf(s, "POST", path, 200, "{}"));
    closed = ep(s, "GET", p, "", 200, NULL);
    assert_true(
        json_is_true(json_object_get(closed, "first_contact_resolved")));
    json_decref(closed);
    m = rp_call(s, "GET", "/api/v1/metrics/service", NULL, 200);
    fcr = json_object_get(m, "first_contact_resolution");
    assert_int_equal(num(fcr, "resolved_first_contact"), 1);
    assert_int_equal(num(fcr, "unknown"), 0);
    assert_true(json_real_value(json_object_get(fcr, "rate")) == 0.5);
    json_decref(m);
}

/* Story 1: the fruit seller, three times; the third encounter is "become". */
static void test_story1_fruit_seller(void **state)
{
    rp_srv *s = *state;
    json_int_t c = new_customer(s, "{\"name\":\"Ahmad bin Yusof\","
                                   "\"preferred_name\":\"Ahmad\"}");
    const char *kinds[] = {"what", "how", "become"};
    const char *levels[] = {"transactional", "transactional", "formative"};
    const char *understanding[] = {
        "{\"facts\":\"Wants 20 watermelons\"}",
        "{\"facts\":\"20 watermelons, red, seedless\",\"questions\":[\"Red or"
        " yellow?\"],\"preferences_captured\":[\"colour: red\",\"seedless\"]}",
        "{\"facts\":\"Makes watermelon juice\",\"goal\":\"The best juice in"
        " town, beyond watermelon\",\"questions\":[\"A party?\"]}"};
    const char *helping[] = {
        "{\"agreement\":\"20 watermelons\"}",
        "{\"options\":[\"normal\",\"long-shaped\"],\"agreement\":\"20 normal "
        "and 20 long-shaped\"}",
        "{\"options\":[\"starfruit\",\"apple\",\"honey melon\"],\"agreement\":"
        "\"20 watermelons and a plantation visit\",\"bridged\":\"other "
        "juices\"}"};
    for (int i = 0; i < 3; i++) {
        json_int_t e = new_encounter(s, c, "in_person", "20 watermelons");
        through_helped(s, e, "20 watermelons", understanding[i], helping[i]);
        ok(s, "POST", e, "/satisfaction", 201,
           "{\"score\":5,\"words\":[\"sweet\",\"kind\",\"quick\"]}");
        json_t *closed = close_it(s, e);
        assert_string_equal(str(closed, "stage"), "closed");
        assert_string_equal(str(closed, "kind"), kinds[i]);
        assert_string_equal(str(closed, "kind_source"), "inferred");
        assert_non_null(str(closed, "kind_reason"));
        /* the request was known at the start: never a resolution */
        assert_string_equal(str(closed, "exchange"), "quick");
        assert_true(
            json_is_true(json_object_get(closed, "first_contact_resolved")));
        assert_non_null(str(closed, "closed_at"));
        json_decref(closed);
        expect_level(s, c, levels[i]);
    }
    assert_true(has_reason(s, c, "become_encounter"));
    assert_true(has_reason(s, c, "three_closed_encounters"));
    assert_int_equal(moments_of_kind(s, c, "encounter.closed"), 3);
    assert_int_equal(moments_of_kind(s, c, "relationship.changed"), 1);
    /* the level history is not listed by any endpoint */
    assert_int_equal(rp_db_count(s, "relationship_levels"), 1);
}

/* A preference on the customer's profile, through the profile's API; the
 * guide must read it. */
static void seed_preference(rp_srv *s, json_int_t customer, const char *key,
                            const char *value, const char *firmness)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/preferences",
             (long long)customer);
    json_t *body = json_pack("{s:s, s:s, s:s}", "key", key, "value", value,
                             "firmness", firmness);
    json_decref(rp_call(s, "POST", path, body, 201));
    json_decref(body);
}

/* Story 2: Max and the suit; refusals name the missing piece. */
static void test_story2_max_and_refusals(void **state)
{
    rp_srv *s = *state;
    json_int_t c = new_customer(s, "{\"name\":\"Maximilian Weber\","
                                   "\"preferred_name\":\"Max\"}");
    json_int_t e = new_encounter(s, c, "in_person", "A navy suit");
    seed_preference(s, c, "colour", "navy", "firm");
    seed_preference(s, c, "style", "single-breasted", "firm");
    seed_preference(s, c, "brand", "Hugo", "flexible");
    /* the whole ledger: the API shows it only customer by customer */
    long moments = rp_db_count(s, "moments");
    refused(s, e, "/advance", "{\"to\":\"understood\"}", 409,
            "acknowledged_at");
    refused(s, e, "/advance", "{\"to\":\"helped\"}", 409, "to");
    refused(s, e, "/advance", "{\"to\":\"nowhere\"}", 422, "to");
    refused(s, e, "/advance", "{}", 422, "to");
    refused(s, e, "", "{\"facts\":42}", 400, "facts");
    refused(s, e, "", "{\"kind\":\"why\"}", 422, "kind");
    refused(s, e, "", "{\"shoe_size\":44}", 422, "shoe_size");
    assert_int_equal(rp_db_count(s, "moments"), moments); /* nothing changed */

    json_t *g = ep(s, "GET", e, "/guide", 200, NULL);
    assert_string_equal(str(g, "stage"), "received");
    json_t *firm = json_object_get(g, "firm_preferences"); /* not the brand */
    assert_int_equal(json_array_size(firm), 2);
    assert_string_equal(str(json_array_get(firm, 0), "key"), "colour");
    assert_string_equal(str(json_array_get(firm, 1), "key"), "style");
    assert_non_null(strstr(str(g, "greeting"), ", Max"));
    json_t *item = json_array_get(json_object_get(g, "checklist"), 1);
    assert_string_equal(str(item, "skill"), "acknowledge");
    assert_true(json_is_false(json_object_get(item, "done")));
    assert_string_equal(
        str(json_array_get(json_object_get(g, "missing"), 0), "field"),
        "acknowledged_at");
    json_decref(g);

    ok(s, "PATCH", e, "", 200, "{\"request\":\"A navy single-breasted suit\"}");
    ok(s, "POST", e, "/acknowledge", 200, "{}");
    ok(s, "POST", e, "/advance", 200, "{\"to\":\"understood\"}");
    refused(s, e, "/advance", "{\"to\":\"helped\"}", 409, "facts");
    /* a refused advance records none of the fields that came with it */
    refused(s, e, "/advance", "{\"to\":\"kept\",\"facts\":\"x\"}", 409, "to");
    json_t *now = ep(s, "GET", e, "", 200, NULL);
    assert_true(json_is_null(json_object_get(now, "facts")));
    json_decref(now);
    ok(s, "PATCH", e, "", 200,
       "{\"facts\":\"Navy, single-breasted; brand negotiable\","
       "\"preferences_captured\":[\"colour: navy (firm)\","
       "\"style: single-breasted (firm)\",\"brand (flexible)\"]}");

    g = ep(s, "GET", e, "/guide", 200, NULL);
    assert_string_equal(str(g, "stage"), "understood");
    item = json_array_get(json_object_get(g, "checklist"), 0);
    assert_string_equal(str(item, "skill"), "listen for facts");
    assert_true(json_is_true(json_object_get(item, "done")));
    item = json_array_get(json_object_get(g, "checklist"), 1);
    assert_true(json_is_false(json_object_get(item, "done"))); /* feelings */
    assert_int_equal(json_array_size(json_object_get(g, "missing")), 0);
    assert_string_equal(str(g, "next_stage"), "helped");
    json_decref(g);

    ok(s, "POST", e, "/advance", 200, "{\"to\":\"helped\"}");
    refused(s, e, "/advance", "{\"to\":\"kept\"}", 409, "agreement");
    refused(s, e, "", "{\"agreement\":\"a\",\"no_agreement_reason\":\"b\"}",
            422, "no_agreement_reason");
    ok(s, "PATCH", e, "", 200,
       "{\"no_agreement_reason\":\"Not in stock in his colour and style; no "
       "substitute pushed\",\"thanked\":true}");
    ok(s, "POST", e, "/promises", 201,
       "{\"what\":\"Call Max when the suit arrives\",\"due_at\":"
       "\"2030-01-10T10:00:00Z\"}");
    ok(s, "POST", e, "/advance", 200, "{\"to\":\"kept\"}");
    ok(s, "PATCH", e, "", 200, "{\"satisfaction_skip_reason\":\"He left\"}");
    json_t *closed = close_it(s, e);
    assert_string_equal(str(closed, "kind"), "how");
    assert_string_equal(str(closed, "exchange"), "quick");
    json_decref(closed);
    refused(s, e, "/advance", "{\"to\":\"closed\"}", 409, "stage");
    refused(s, e, "/abandon", "{\"reason\":\"late\"}", 409, "stage");
    refused(s, e, "", "{\"facts\":\"more\"}", 409, "stage");
    expect_level(s, c, "transactional");

    g = ep(s, "GET", e, "/guide", 200, NULL);
    json_t *promises = json_object_get(g, "open_promises");
    assert_int_equal(json_array_size(promises), 1);
    assert_string_equal(str(json_array_get(promises, 0), "what"),
                        "Call Max when the suit arrives");
    json_decref(g);
    assert_int_equal(moments_of_kind(s, c, "encounter.understood"), 1);
    assert_int_equal(moments_of_kind(s, c, "encounter.helped"), 1);
    assert_int_equal(moments_of_kind(s, c, "encounter.kept"), 1);
    assert_int_equal(moments_of_kind(s, c, "promise.made"), 1);
}

/* Story 3: the aspirin: quick, nothing pushed, transactional. */
static void test_story3_aspirin(void **state)
{
    rp_srv *s = *state;
    json_int_t c = new_customer(s, "{\"name\":\"Grace Okafor\"}");
    json_int_t e = new_encounter(s, c, "in_person", "Aspirin");
    through_helped(s, e, "Aspirin",
                   "{\"facts\":\"Headache; wants aspirin\",\"feelings\":"
                   "\"In pain\"}",
                   "{\"agreement\":\"A pack of aspirin\",\"thanked\":true}");
    ok(s, "POST", e, "/satisfaction", 201,
       "{\"score\":4,\"words\":[\"fast\",\"respectful\",\"easy\"]}");
    json_t *closed = close_it(s, e);
    assert_string_equal(str(closed, "kind"), "what");
    assert_string_equal(str(closed, "exchange"), "quick");
    assert_non_null(strstr(str(closed, "exchange_reason"), "knew"));
    json_decref(closed);
    expect_level(s, c, "transactional");
    assert_true(has_reason(s, c, "default"));
    assert_int_equal(moments_of_kind(s, c, "relationship.changed"), 0);
    assert_int_equal(moments_of_kind(s, c, "satisfaction.answered"), 1);
}

/* Story 4: the pharmacist's follow-up: supplemental, then incremental. */
static void test_story4_pharmacy_follow_up(void **state)
{
    rp_srv *s = *state;
    json_int_t c = new_customer(s, "{\"name\":\"Thomas Baker\","
                                   "\"preferred_name\":\"Tom\"}");
    json_int_t e = new_encounter(s, c, "phone", "Leaflet");
    through_helped(s, e, "Information on a new medicine",
                   "{\"facts\":\"New blood-pressure medicine\","
                   "\"information_requested\":true}",
                   "{\"agreement\":\"Email the leaflet; call in a week\"}");
    json_t *task = ep(s, "POST", e, "/follow_ups", 201,
                      "{\"due_at\":\"2030-01-08T10:00:00Z\",\"subject\":"
                      "\"Call Tom\"}");
    char key[64];
    snprintf(key, sizeof key, "follow_up:%lld:1", (long long)e);
    assert_string_equal(str(task, "idempotency_key"), key);
    assert_string_equal(str(task, "kind"), "follow_up");
    json_int_t task_id = num(task, "id");
    json_decref(task);
    ok(s, "POST", e, "/satisfaction", 201,
       "{\"schedule_at\":\"2030-01-02T10:00:00Z\"}"); /* a check, scheduled */
    json_t *closed = close_it(s, e);
    assert_string_equal(str(closed, "kind"), "what");
    assert_string_equal(str(closed, "exchange"), "supplemental");
    json_decref(closed);
    expect_level(s, c, "transactional"); /* the follow-up is not done yet */

    char path[80];
    snprintf(path, sizeof path, "/api/v1/tasks/%lld/complete",
             (long long)task_id);
    json_t *done = rp_callf(s, "POST", path, 200, "{\"note\":\"All well\"}");
    assert_string_equal(str(done, "status"), "done");
    assert_non_null(str(done, "done_at"));
    json_decref(done);
    json_t *again = rp_callf(s, "POST", path, 409, "{}");
    assert_string_equal(str(json_object_get(again, "error"), "field"),
                        "status");
    json_decref(again);
    json_decref(rp_callf(s, "POST", "/api/v1/tasks/99999/complete", 404, "{}"));

    expect_level(s, c, "incremental");
    assert_true(has_reason(s, c, "supplemental_followed_up"));
    assert_int_equal(moments_of_kind(s, c, "follow_up.done"), 1);
    assert_int_equal(moments_of_kind(s, c, "relationship.changed"), 1);
    assert_int_equal(moments_of_kind(s, c, "satisfaction.scheduled"), 1);
}

/* Story 5: the phone call: unresolved, transferred, cut off, abandoned. */
static void test_story5_phone_call_abandoned(void **state)
{
    rp_srv *s = *state;
    json_int_t c = new_customer(s, "{\"name\":\"Piotr Nowak\"}");
    json_int_t e = new_encounter(s, c, "phone", "Service not working");
    ok(s, "POST", e, "/acknowledge", 200, "{}");
    ok(s, "POST", e, "/transfers", 201,
       "{\"reason\":\"IVR sent him to billing\",\"to_queue_id\":2}");
    refused(s, e, "/transfers", "{}", 422, "reason");
    ok(s, "POST", e, "/defects", 201,
       "{\"kind\":\"long_wait\",\"cause\":\"30 minutes in the queue\"}");
    ok(s, "POST", e, "/defects", 201,
       "{\"kind\":\"disconnected\",\"cause\":\"Cut off before help\"}");
    refused(s, e, "/defects", "{\"kind\":\"meh\",\"cause\":\"x\"}", 422,
            "kind");
    refused(s, e, "/abandon", "{}", 422, "reason");
    json_t *a = ep(
        s, "POST", e, "/abandon", 200,
        "{\"reason\":\"Disconnected after 30 minutes, unresolved\"}");
    assert_string_equal(str(a, "stage"), "abandoned");
    assert_non_null(str(a, "abandoned_at"));
    assert_true(json_is_false(json_object_get(a, "first_contact_resolved")));
    assert_int_equal(num(a, "transfers"), 1);
    assert_int_equal(num(a, "queue_id"), 2);
    json_decref(a);
    refused(s, e, "/advance", "{\"to\":\"understood\"}", 409, "stage");
    assert_int_equal(rp_db_count(s, "defects"), 2); /* no endpoint lists them */
    assert_int_equal(moments_of_kind(s, c, "defect.recorded"), 2);
    assert_int_equal(moments_of_kind(s, c, "encounter.abandoned"), 1);
    assert_int_equal(moments_of_kind(s, c, "encounter.transferred"), 1);
    expect_level(s, c, "transactional");
}

/* The overview draws on every section, in one response. */
static void test_overview_uses_all_sections(void **state)
{
    rp_srv *s = *state;
    json_int_t c = new_customer(s, "{\"name\":\"Anna Kowalska\","
                                   "\"preferred_name\":\"Anna\"}");
    json_int_t e1 = new_encounter(s, c, "in_person", "Inspection");
    through_helped(s, e1, NULL,
                   "{\"facts\":\"Inspection due\",\"questions\":[\"When"
                   " do you need the car?\"]}",
                   "{\"options\":[\"today\",\"tomorrow\"],"
                   "\"agreement\":\"Tomorrow 9am\"}");
    ok(s, "POST", e1, "/promises", 201,
       "{\"what\":\"Car ready by 5pm\",\"due_at\":\"2030-01-01T17:00:00Z\"}");
    ok(s, "POST", e1, "/follow_ups", 201,
       "{\"due_at\":\"2020-01-02T10:00:00Z\",\"subject\":\"How is the car?\"}");
    ok(s, "POST", e1, "/satisfaction", 201,
       "{\"score\":5,\"words\":[\"Friendly\",\"clear\",\"fast\"]}");
    json_decref(close_it(s, e1));
    json_int_t e2 = new_encounter(s, c, "phone", "Brakes squeak");
    /* learnt on the call, before she says how it went */
    seed_preference(s, c, "appointment", "mornings", "flexible");
    ok(s, "POST", e2, "/satisfaction", 201,
       "{\"score\":3,\"words\":[\"friendly\",\"slow\"]}");

    char path[80];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/overview",
             (long long)c);
    json_t *o = rp_call(s, "GET", path, NULL, 200);
    assert_string_equal(str(json_object_get(o, "customer"), "greeting_name"),
                        "Anna");
    json_t *prefs = json_object_get(o, "preferences");
    assert_int_equal(json_array_size(prefs), 1);
    assert_string_equal(str(json_array_get(prefs, 0), "value"), "mornings");
    /* a need worked out (a question asked, options explored, no request
     * at the start), satisfied: on one visit, a first step */
    assert_string_equal(str(json_object_get(o, "relationship"), "level"),
                        "incremental");
    json_t *open = json_object_get(o, "open_encounters");
    assert_int_equal(json_array_size(open), 1);
    assert_int_equal(num(json_array_get(open, 0), "id"), e2);
    assert_string_equal(str(json_array_get(open, 0), "stage"), "received");
    assert_int_equal(json_array_size(json_object_get(o, "open_promises")), 1);
    json_t *fu = json_array_get(json_object_get(o, "follow_ups"), 0);
    assert_string_equal(str(fu, "subject"), "How is the car?");
    assert_true(json_is_true(json_object_get(fu, "due")));
    json_t *latest = json_object_get(o, "latest_moments");
    assert_int_equal(json_array_size(latest), 10);
    assert_string_equal(str(json_array_get(latest, 0), "kind"),
                        "satisfaction.answered");
    json_t *sat = json_object_get(o, "satisfaction");
    assert_int_equal(num(sat, "count"), 2);
    assert_true(json_real_value(json_object_get(sat, "average")) > 3.9 &&
                json_real_value(json_object_get(sat, "average")) < 4.1);
    json_t *w0 = json_array_get(json_object_get(sat, "words"), 0);
    assert_string_equal(str(w0, "word"), "friendly");
    assert_int_equal(num(w0, "n"), 2);
    assert_int_equal(num(json_object_get(o, "encounters_by_kind"), "how"), 1);
    assert_int_equal(num(json_object_get(o, "encounters_by_kind"), "unset"), 1);
    assert_int_equal(
        num(json_object_get(o, "encounters_by_exchange"), "resolution"), 1);
    json_decref(o);

    /* the CLI shows the same overview */
    char *out = NULL, idtext[32];
    snprintf(idtext, sizeof idtext, "%lld", (long long)c);
    assert_int_equal(rp_cli(s, &out, "customer", "show", idtext, "--overview",
                            "--json", NULL),
                     0);
    json_t *viacli = json_loads(out, 0, NULL);
    assert_non_null(viacli);
    assert_string_equal(str(json_object_get(viacli, "relationship"), "level"),
                        "incremental");
    assert_int_equal(
        json_array_size(json_object_get(viacli, "open_encounters")), 1);
    json_decref(viacli);
    free(out);
    json_decref(
        rp_callf(s, "GET", "/api/v1/customers/9999/overview", 404, NULL));
}

/* The CLI moves an encounter through the same rules. */
static void test_cli_cycle(void **state)
{
    rp_srv *s = *state;
    json_int_t c = new_customer(s, "{\"name\":\"Jan Dvorak\"}");
    json_int_t e = new_encounter(s, c, "phone", "Policy renewal");
    char id[32], *out = NULL;
    snprintf(id, sizeof id, "%lld", (long long)e);
    assert_int_equal(
        rp_cli(s, &out, "encounter", "advance", id, "--to", "understood", NULL),
        3);
    free(out);
    assert_int_equal(rp_cli(s, &out, "encounter", "acknowledge", id, NULL), 0);
    free(out);
    assert_int_equal(rp_cli(s, &out, "encounter", "note", id, "--facts",
                            "Policy ends in a week", "--question",
                            "Same cover?", "--agreement", "Renew as is", NULL),
                     0);
    free(out);
    assert_int_equal(
        rp_cli(s, &out, "encounter", "advance", id, "--to", "understood", NULL),
        0);
    free(out);
    assert_int_equal(
        rp_cli(s, &out, "encounter", "advance", id, "--to", "helped", NULL), 0);
    free(out);
    assert_int_equal(
        rp_cli(s, &out, "encounter", "advance", id, "--to", "kept", NULL), 0);
    free(out);
    assert_int_equal(rp_cli(s, &out, "encounter", "satisfaction", id, "--score",
                            "4", "--word", "easy", NULL),
                     0);
    free(out);
    assert_int_equal(rp_cli(s, &out, "encounter", "close", id, "--done",
                            "Renewed", "--watch", "Next renewal in a year",
                            "--json", NULL),
                     0);
    json_t *closed = json_loads(out, 0, NULL);
    free(out);
    assert_non_null(closed);
    assert_string_equal(str(closed, "stage"), "closed");
    assert_string_equal(str(closed, "outcome_watch"), "Next renewal in a year");
    json_decref(closed);
    assert_int_equal(rp_cli(s, &out, "encounter", "advance", "--help", NULL),
                     0);
    assert_non_null(strstr(out, "EXIT STATUS"));
    free(out);
}

/* Racing agents: of eight simultaneous moves to the same stage exactly one
 * wins, and exactly one moment records it. */
static void test_concurrent_advance_moves_once(void **state)
{
    rp_srv *s = *state;
    json_int_t c = new_customer(s, "{\"name\":\"Racer\"}");
    json_int_t e = new_encounter(s, c, "chat", "Two agents, one chat");
    ok(s, "POST", e, "/acknowledge", 200, "{}");
    char path[100];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/advance",
             (long long)e);
    const char *body = "{\"to\":\"understood\"}";
    pid_t kids[8];
    for (int i = 0; i < 8; i++) {
        kids[i] = fork();
        assert_true(kids[i] >= 0);
        if (kids[i] == 0) {
            rp_http r;
            rp_http_send(s, "POST", path, "application/json", body,
                         strlen(body), NULL, &r);
            _exit(r.status == 200 ? 0 : r.status == 409 ? 1 : 2);
        }
    }
    int won = 0, refused_n = 0;
    for (int i = 0; i < 8; i++) {
        int st;
        assert_int_equal(waitpid(kids[i], &st, 0), kids[i]);
        assert_true(WIFEXITED(st));
        won += WEXITSTATUS(st) == 0;
        refused_n += WEXITSTATUS(st) == 1;
    }
    assert_int_equal(won, 1);
    assert_int_equal(refused_n, 7);
    assert_int_equal(moments_of_kind(s, c, "encounter.understood"), 1);
}

/* `rapport demo` plays the stories through the same rules. */
static void test_demo_loads_the_stories(void **state)
{
    rp_srv *s = *state;
    char *out = NULL;
    assert_int_equal(rp_cli(s, &out, "demo", NULL), 0);
    free(out);
    json_t *list = rp_call(s, "GET", "/api/v1/customers?limit=20", NULL, 200);
    json_t *items = json_object_get(list, "items");
    assert_int_equal(json_array_size(items), 9);
    /* customer order: walk-in, Siew Lan, Ahmad, Max, Grace, Tom, Piotr */
    const char *levels[] = {"transactional", "transactional", "formative",
                            "transactional", "transactional", "incremental",
                            "transactional"};
    for (int i = 0; i < 7; i++)
        assert_string_equal(
            str(json_array_get(items, (size_t)i), "relationship_level"),
            levels[i]);
    json_decref(list);
    const char *kinds[] = {"what", "how", "become", "how", "what", "what"};
    const char *exchanges[] = {"quick", "quick", "supplemental",
                               "quick", "quick", "supplemental"};
    for (int i = 0; i < 6; i++) {
        json_t *e = ep(s, "GET", i + 1, "", 200, NULL);
        assert_string_equal(str(e, "stage"), "closed");
        assert_string_equal(str(e, "kind"), kinds[i]);
        assert_string_equal(str(e, "exchange"), exchanges[i]);
        json_decref(e);
    }
    json_t *piotr = ep(s, "GET", 7, "", 200, NULL);
    assert_string_equal(str(piotr, "stage"), "abandoned");
    int64_t created, acked;
    assert_int_equal(rp_time_parse(str(piotr, "created_at"), &created), 0);
    assert_int_equal(rp_time_parse(str(piotr, "acknowledged_at"), &acked), 0);
    assert_int_equal(acked - created, 1800);
    json_decref(piotr);
    json_t *g = ep(s, "GET", 4, "/guide", 200, NULL); /* Max */
    assert_non_null(strstr(str(g, "greeting"), ", Max"));
    assert_int_equal(json_array_size(json_object_get(g, "open_promises")), 1);
    json_decref(g);
    for (int i = 8; i <= 9; i++) {
        json_t *e = ep(s, "GET", i, "", 200, NULL);
        assert_string_equal(str(e, "stage"), "received");
        json_decref(e);
    }
}

/* The number of preferences in customer id's 360 view. */
static size_t preferences_of(rp_srv *s, int64_t id)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/overview",
             (long long)id);
    json_t *v = rp_call(s, "GET", path, NULL, 200);
    size_t n = json_array_size(json_object_get(v, "preferences"));
    json_decref(v);
    return n;
}

/* `rapport demo` never mixes the demo into a desk with customers; `demo
 * --beside` does (for the benchmarks), and each story's profile goes to the
 * customer it made, not to another of the same name. */
static void test_demo_beside_a_desk_with_customers(void **state)
{
    rp_srv *s = *state;
    char *out = NULL;
    json_decref(rp_callf(s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Maximilian Weber\"}"));
    assert_int_equal(rp_cli(s, &out, "demo", NULL), 0);
    assert_non_null(strstr(out, "demo not loaded"));
    free(out);
    assert_int_equal(rp_db_count(s, "customers"), 1);
    assert_int_equal(rp_cli(s, &out, "demo", "--beside", NULL), 0);
    assert_non_null(strstr(out, "9 customers"));
    free(out);
    assert_int_equal(rp_db_count(s, "customers"), 10);
    /* the demo's Max is customer 5 (its fourth), with his three preferences;
     * the desk's own Maximilian Weber has none */
    json_t *max = rp_call(s, "GET", "/api/v1/customers/5", NULL, 200);
    assert_string_equal(str(max, "name"), "Maximilian Weber");
    json_decref(max);
    assert_int_equal(preferences_of(s, 5), 3);
    assert_int_equal(preferences_of(s, 1), 0);
    /* once only: the stories' phones and emails are one customer's each */
    assert_int_equal(rp_cli(s, &out, "demo", "--beside", NULL), 3);
    free(out);
    assert_int_equal(rp_db_count(s, "customers"), 11); /* the walk-in buyer */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_story1_fruit_seller,
                                        rp_srv_fixture_start,
                                        rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(test_story2_max_and_refusals,
                                        rp_srv_fixture_start,
                                        rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(
            test_story3_aspirin, rp_srv_fixture_start, rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(test_story4_pharmacy_follow_up,
                                        rp_srv_fixture_start,
                                        rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(test_story5_phone_call_abandoned,
                                        rp_srv_fixture_start,
                                        rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(test_overview_uses_all_sections,
                                        rp_srv_fixture_start,
                                        rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(test_cli_cycle, rp_srv_fixture_start,
                                        rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(test_concurrent_advance_moves_once,
                                        rp_srv_fixture_start,
                                        rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(test_first_contact_resolution_is_earned,
                                        rp_srv_fixture_start,
                                        rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(test_demo_loads_the_stories,
                                        rp_srv_fixture_start,
                                        rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(test_demo_beside_a_desk_with_customers,
                                        rp_srv_fixture_start,
                                        rp_srv_fixture_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
