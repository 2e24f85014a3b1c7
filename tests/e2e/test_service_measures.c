/*
 * test_service_measures.c - measured waiting, the service charter, the service
 * metrics and Prometheus /metrics, end to end against the real rapportd.
 *
 * Story 5 of docs/design.md (seed 003): a phone call waits 30 minutes in the
 * queue, is not resolved, and is disconnected.  Story 6: the car service,
 * served promptly and resolved at the first contact, with a satisfaction
 * call.  Customers and encounters are made through the API; the timestamps
 * the interaction cycle would record (acknowledged_at, abandoned_at, ...)
 * and the defects, promises and tasks are written through the store by
 * this process, because thirty real minutes cannot pass in a test.  Every
 * figure asserted comes from the HTTP endpoints (and the CLI).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "core/rapport.h"

#define MIN 60
#define HOUR 3600

typedef struct world {
    rp_srv srv;
    rp_store *store;
    int64_t now;
    int64_t caller, driver;      /* customers */
    int64_t call, visit, queued; /* encounters */
} world;

static int64_t id_of(json_t *j)
{
    return json_integer_value(json_object_get(j, "id"));
}

static void store_update(world *w, const rp_entity *e, int64_t id,
                         json_t *changes)
{
    rp_error err;
    rp_code rc = w->store->ops->update(w->store, e, id, changes, &err);
    if (rc)
        fail_msg("update %s %lld: %s", e->name, (long long)id, err.message);
    json_decref(changes);
}

static int64_t store_insert(world *w, const rp_entity *e, json_t *row)
{
    rp_error err;
    int64_t id = 0;
    rp_code rc = w->store->ops->insert(w->store, e, row, &id, &err);
    if (rc)
        fail_msg("insert %s: %s", e->name, err.message);
    json_decref(row);
    return id;
}

static int64_t open_encounter(world *w, int64_t customer, const char *channel,
                              const char *subject)
{
    char body[300];
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"%s\",\"subject\":\"%s\"}",
             (long long)customer, channel, subject);
    json_t *e = rp_callf(&w->srv, "POST", "/api/v1/encounters", 201, body);
    int64_t id = id_of(e);
    json_decref(e);
    return id;
}

/* Build stories 5 and 6 and one caller still in the queue. */
static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    rp_srv_init(&w->srv);
    /* The test settles promises itself and backdates its encounters in the
     * database: rapportd's own scheduler must not settle or sweep them
     * first, at whatever moment a loaded machine lets it run. */
    snprintf(w->srv.extra_env, sizeof w->srv.extra_env,
             "RAPPORT_SCHEDULER_INTERVAL=0");
    rp_srv_start(&w->srv);
    rp_error err;
    /* rp_error_clear and rp_now are called here, not only inside the store,
     * so that the linker takes error.o and timeutil.o from librapport before
     * it reaches the store library that needs them. */
    rp_error_clear(&err);
    w->now = rp_now();
    assert_int_equal(rp_store_open(w->srv.db, &w->store, &err), RP_OK);

    json_t *c = rp_callf(&w->srv, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Seed Three Caller\"}");
    w->caller = id_of(c);
    json_decref(c);
    c = rp_callf(&w->srv, "POST", "/api/v1/customers", 201,
                 "{\"name\":\"Car Owner\",\"preferred_name\":\"King\"}");
    w->driver = id_of(c);
    json_decref(c);

    /* Story 5: received 40 minutes ago, acknowledged after 30 minutes of
     * music, no answer, disconnected when the caller asked for a name. */
    w->call = open_encounter(w, w->caller, "phone", "Problem with the service");
    int64_t t0 = w->now - 40 * MIN;
    store_update(
        w, &RP_ENTITY_ENCOUNTER, w->call,
        json_pack(
            "{s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:b, s:I, s:b}", "created_at",
            (json_int_t)t0, "arrived_at", (json_int_t)t0, "acknowledged_at",
            (json_int_t)(t0 + 30 * MIN), "first_response_at",
            (json_int_t)(t0 + 31 * MIN), "abandoned_at",
            (json_int_t)(t0 + 36 * MIN), "stage", "abandoned", "abandon_reason",
            "disconnected when asked for his name", "first_contact_resolved", 0,
            "queue_id", (json_int_t)3, "apology_owed", 1));
    store_insert(w, &RP_ENTITY_DEFECT,
                 json_pack("{s:I, s:I, s:s, s:s, s:I}", "customer_id",
                           (json_int_t)w->caller, "encounter_id",
                           (json_int_t)w->call, "kind", "disconnected", "cause",
                           "agent hung up when asked for his name",
                           "created_at", (json_int_t)(t0 + 36 * MIN)));
    store_insert(w, &RP_ENTITY_DEFECT,
                 json_pack("{s:I, s:I, s:s, s:s, s:I}", "customer_id",
                           (json_int_t)w->caller, "encounter_id",
                           (json_int_t)w->call, "kind", "long_wait", "cause",
                           "30 minutes of music", "created_at",
                           (json_int_t)(t0 + 30 * MIN)));

    /* Story 6: the car service, served promptly and resolved at the first
     * contact; asked the next day, satisfied. */
    w->visit = open_encounter(w, w->driver, "in_person",
                              "Technical inspection");
    int64_t t1 = w->now - 3 * HOUR;
    store_update(
        w, &RP_ENTITY_ENCOUNTER, w->visit,
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:s, s:b, s:I}", "created_at",
                  (json_int_t)t1, "arrived_at", (json_int_t)t1,
                  "acknowledged_at", (json_int_t)(t1 + 40), "first_response_at",
                  (json_int_t)(t1 + 90), "closed_at",
                  (json_int_t)(t1 + 2 * HOUR), "stage", "closed",
                  "first_contact_resolved", 1, "queue_id", (json_int_t)4));
    store_insert(w, &RP_ENTITY_SATISFACTION,
                 json_pack("{s:I, s:I, s:i, s:[s, s, s], s:I, s:I}",
                           "customer_id", (json_int_t)w->driver, "encounter_id",
                           (json_int_t)w->visit, "score", 5, "words", "Prompt",
                           "friendly", "clean", "answered_at",
                           (json_int_t)(w->now - 60), "created_at",
                           (json_int_t)(t1 + 2 * HOUR)));

    /* A special request of each outcome, and the car owner's relationship
     * moving up after the visit. */
    store_insert(w, &RP_ENTITY_SPECIAL_REQUEST,
                 json_pack("{s:I, s:I, s:s, s:s, s:s, s:I}", "customer_id",
                           (json_int_t)w->caller, "encounter_id",
                           (json_int_t)w->call, "description",
                           "call me back after 8 pm", "outcome", "declined",
                           "decline_reason", "no evening shift", "created_at",
                           (json_int_t)(t0 + 35 * MIN)));
    store_insert(w, &RP_ENTITY_SPECIAL_REQUEST,
                 json_pack("{s:I, s:I, s:s, s:s, s:I}", "customer_id",
                           (json_int_t)w->driver, "encounter_id",
                           (json_int_t)w->visit, "description",
                           "a taxi while waiting", "outcome", "granted",
                           "created_at", (json_int_t)(t1 + 60)));
    store_insert(w, &RP_ENTITY_RELATIONSHIP_LEVEL,
                 json_pack("{s:I, s:s, s:s, s:[s], s:I, s:I}", "customer_id",
                           (json_int_t)w->driver, "level", "incremental",
                           "previous_level", "transactional", "reasons",
                           "a returning customer", "encounter_id",
                           (json_int_t)w->visit, "created_at",
                           (json_int_t)(t1 + 2 * HOUR)));

    /* Someone still in the queue, not routed: the queue depth. */
    w->queued = open_encounter(w, w->caller, "chat", "Still there?");
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    rp_store_close(w->store);
    rp_srv_stop(&w->srv);
    rp_srv_cleanup(&w->srv);
    free(w);
    return 0;
}

static json_t *dig(json_t *j, const char *a, const char *b)
{
    return json_object_get(json_object_get(j, a), b);
}

static json_t *find_breach(json_t *items, const char *target, int64_t id)
{
    size_t i;
    json_t *b;
    json_array_foreach(items, i, b)
        if (!strcmp(json_string_value(json_object_get(b, "target")), target) &&
            json_integer_value(json_object_get(b, "subject_id")) == id)
            return b;
    return NULL;
}

static void test_story5_the_thirty_minute_call(void **state)
{
    world *w = *state;
    char path[160];

    /* The encounter's own measures. */
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/measures",
             (long long)w->call);
    json_t *m = rp_call(&w->srv, "GET", path, NULL, 200);
    assert_int_equal(
        json_integer_value(json_object_get(m, "queue_wait_seconds")), 30 * MIN);
    assert_true(json_is_true(json_object_get(m, "abandoned")));
    assert_string_equal(json_string_value(json_object_get(m, "abandon_reason")),
                        "disconnected when asked for his name");
    assert_true(json_is_true(
        dig(json_object_get(m, "charter"), "acknowledge", "breached")));
    json_decref(m);

    /* The breach list names the customer, the target, the actual wait and
     * by how much it was missed. */
    json_t *b = rp_call(&w->srv, "GET", "/api/v1/charter/breaches", NULL, 200);
    json_t *items = json_object_get(b, "items");
    json_t *ack = find_breach(items, "acknowledge", w->call);
    assert_non_null(ack);
    assert_int_equal(json_integer_value(json_object_get(ack, "customer_id")),
                     w->caller);
    assert_string_equal(
        json_string_value(json_object_get(ack, "customer_name")),
        "Seed Three Caller");
    assert_int_equal(json_integer_value(json_object_get(ack, "target_seconds")),
                     5 * MIN);
    assert_int_equal(json_integer_value(json_object_get(ack, "actual_seconds")),
                     30 * MIN);
    assert_int_equal(
        json_integer_value(json_object_get(ack, "over_by_seconds")), 25 * MIN);
    json_t *res = find_breach(items, "resolution", w->call);
    assert_non_null(res);
    assert_string_equal(json_string_value(json_object_get(res, "detail")),
                        "abandoned unresolved");
    /* The car service breached nothing. */
    assert_null(find_breach(items, "acknowledge", w->visit));
    assert_null(find_breach(items, "first_response", w->visit));
    assert_null(find_breach(items, "resolution", w->visit));
    json_int_t breaches = json_integer_value(json_object_get(b, "count"));
    assert_int_equal(breaches, (json_int_t)json_array_size(items));
    json_decref(b);

    /* The service metrics show the breach, the abandonment and the defect. */
    m = rp_call(&w->srv, "GET", "/api/v1/metrics/service", NULL, 200);
    assert_int_equal(json_integer_value(dig(m, "volume", "encounters")), 3);
    assert_int_equal(json_integer_value(dig(m, "abandonment", "abandoned")), 1);
    assert_true(json_real_value(dig(m, "abandonment", "rate")) > 0.33 &&
                json_real_value(dig(m, "abandonment", "rate")) < 0.34);
    assert_int_equal(json_integer_value(dig(m, "defects", "total")), 2);
    json_t *by_kind = dig(m, "defects", "by_kind");
    assert_int_equal(
        json_integer_value(json_object_get(by_kind, "disconnected")), 1);
    assert_int_equal(json_integer_value(json_object_get(by_kind, "long_wait")),
                     1);
    assert_int_equal(json_integer_value(dig(m, "charter", "breaches")),
                     breaches);
    assert_true(json_integer_value(dig(json_object_get(m, "charter"),
                                       "by_target", "acknowledge")) >= 1);
    /* Two measured waits (30 min and 40 s): the p90 is the 30-minute call. */
    assert_int_equal(json_integer_value(dig(m, "wait", "measured")), 2);
    assert_int_equal(json_integer_value(dig(m, "wait", "p90_seconds")),
                     30 * MIN);
    assert_int_equal(json_integer_value(dig(m, "wait", "p50_seconds")), 40);
    assert_int_equal(json_integer_value(dig(m, "apologies", "owed_not_given")),
                     1);
    assert_int_equal(json_integer_value(dig(m, "special_requests", "declined")),
                     1);
    assert_int_equal(json_integer_value(dig(m, "special_requests", "granted")),
                     1);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(dig(m, "special_requests", "decline_reasons"), 0),
            "reason")),
        "no evening shift");
    json_decref(m);

    /* The same through the CLI, as a second process on the database. */
    char *out = NULL;
    assert_int_equal(rp_cli(&w->srv, &out, "report", NULL), 0);
    assert_non_null(strstr(out, "Service report"));
    assert_non_null(strstr(out, "disconnected: agent hung up when asked"));
    assert_non_null(strstr(out, "30m 00s")); /* the p90 wait */
    free(out);
    assert_int_equal(rp_cli(&w->srv, &out, "charter", "breaches", NULL), 0);
    assert_non_null(strstr(out, "acknowledged late"));
    free(out);
    assert_int_equal(rp_cli(&w->srv, &out, "report", "--json", NULL), 0);
    json_t *viacli = json_loads(out, 0, NULL);
    assert_non_null(viacli);
    assert_int_equal(json_integer_value(dig(viacli, "volume", "encounters")),
                     3);
    assert_int_equal(
        json_integer_value(dig(viacli, "abandonment", "abandoned")), 1);
    assert_int_equal(json_integer_value(dig(viacli, "charter", "breaches")),
                     breaches);
    json_decref(viacli);
    free(out);
}

static void test_story6_car_service_first_contact_resolution(void **state)
{
    world *w = *state;
    char path[160];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/measures",
             (long long)w->visit);
    json_t *m = rp_call(&w->srv, "GET", path, NULL, 200);
    assert_true(json_is_true(json_object_get(m, "first_contact_resolved")));
    assert_int_equal(
        json_integer_value(json_object_get(m, "queue_wait_seconds")), 40);
    assert_int_equal(
        json_integer_value(json_object_get(m, "resolution_seconds")), 2 * HOUR);
    json_decref(m);

    /* Only the car service's queue: one closed encounter, resolved at the
     * first contact; the thirty-minute call is in another queue. */
    m = rp_call(&w->srv, "GET", "/api/v1/metrics/service?queue=4", NULL, 200);
    assert_int_equal(json_integer_value(dig(m, "volume", "encounters")), 1);
    assert_int_equal(json_integer_value(dig(m, "first_contact_resolution",
                                            "resolved_first_contact")),
                     1);
    assert_true(json_real_value(dig(m, "first_contact_resolution", "rate")) ==
                1.0);
    assert_int_equal(json_integer_value(dig(m, "abandonment", "abandoned")), 0);
    assert_int_equal(json_integer_value(dig(m, "charter", "breaches")), 0);
    assert_true(json_number_value(dig(m, "satisfaction", "average")) == 5.0);
    json_t *words = dig(m, "satisfaction", "words");
    assert_int_equal(json_array_size(words), 3);
    int prompt = 0;
    size_t i;
    json_t *row;
    json_array_foreach(words, i, row)
        prompt |= !strcmp(json_string_value(json_object_get(row, "word")),
                          "prompt");
    assert_true(prompt); /* "Prompt" counted lower-cased */
    assert_int_equal(json_integer_value(dig(m, "special_requests", "granted")),
                     1);
    assert_int_equal(json_integer_value(dig(m, "special_requests", "declined")),
                     0);
    assert_int_equal(json_integer_value(dig(m, "relationships", "up")), 1);
    json_t *move = json_array_get(dig(m, "relationships", "movements"), 0);
    assert_string_equal(json_string_value(json_object_get(move, "from")),
                        "transactional");
    assert_string_equal(json_string_value(json_object_get(move, "to")),
                        "incremental");
    assert_string_equal(json_string_value(json_object_get(move, "direction")),
                        "up");
    json_decref(m);

    /* A window that ended before either story shows nothing. */
    m = rp_call(&w->srv, "GET",
                "/api/v1/metrics/service?from=2020-01-01T00:00:00Z"
                "&to=2020-02-01T00:00:00Z",
                NULL, 200);
    assert_int_equal(json_integer_value(dig(m, "volume", "encounters")), 0);
    assert_true(json_is_null(dig(m, "wait", "p50_seconds")));
    json_decref(m);
}

/* The row of queue id (0: in no queue) in the report's "queues". */
static json_t *queue_of(json_t *m, int64_t id)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(m, "queues"), i, r)
        if (json_integer_value(json_object_get(r, "queue_id")) == id)
            return r;
    return NULL;
}

/* by_queue gives each queue's figures as the report of that queue alone
 * gives them, and together the whole desk's. */
static void test_breakdown_by_queue(void **state)
{
    world *w = *state;
    json_t *m = rp_call(&w->srv, "GET", "/api/v1/metrics/service?by_queue=true",
                        NULL, 200);
    json_t *q3 = queue_of(m, 3), *q4 = queue_of(m, 4);
    assert_non_null(q3);
    assert_non_null(q4);
    assert_int_equal(json_integer_value(json_object_get(q3, "encounters")), 1);
    assert_int_equal(json_integer_value(json_object_get(q3, "abandoned")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(q3, "wait_p50_seconds")), 30 * MIN);
    assert_int_equal(json_integer_value(json_object_get(q4, "abandoned")), 0);
    assert_int_equal(
        json_integer_value(json_object_get(q4, "wait_p90_seconds")), 40);
    int64_t sum = 0;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(m, "queues"), i, r) {
        sum += json_integer_value(json_object_get(r, "encounters"));
        if (json_is_null(json_object_get(r, "queue_id")))
            continue;
        char path[120];
        snprintf(path, sizeof path, "/api/v1/metrics/service?queue=%lld",
                 (long long)json_integer_value(json_object_get(r, "queue_id")));
        json_t *one = rp_call(&w->srv, "GET", path, NULL, 200);
        assert_int_equal(json_integer_value(json_object_get(r, "encounters")),
                         json_integer_value(dig(one, "volume", "encounters")));
        assert_true(json_equal(json_object_get(r, "wait_p50_seconds"),
                               dig(one, "wait", "p50_seconds")));
        assert_true(json_equal(json_object_get(r, "wait_p90_seconds"),
                               dig(one, "wait", "p90_seconds")));
        assert_int_equal(
            json_integer_value(json_object_get(r, "abandoned")),
            json_integer_value(dig(one, "abandonment", "abandoned")));
        json_decref(one);
    }
    assert_int_equal(sum, json_integer_value(dig(m, "volume", "encounters")));
    assert_null(json_object_get(m, "series"));
    json_decref(m);

    /* without by_queue, no queues */
    m = rp_call(&w->srv, "GET", "/api/v1/metrics/service?by_queue=false", NULL,
                200);
    assert_null(json_object_get(m, "queues"));
    json_decref(m);
}

/* A series cuts the window at local midnights with no gap, and its
 * buckets add up to the window's satisfaction and breaches. */
static void check_series(world *w, const char *path, const char *bucket,
                         size_t min_buckets)
{
    json_t *m = rp_call(&w->srv, "GET", path, NULL, 200);
    json_t *s = json_object_get(m, "series"), *b;
    assert_string_equal(json_string_value(json_object_get(s, "bucket")),
                        bucket);
    json_t *list = json_object_get(s, "buckets");
    assert_true(json_array_size(list) >= min_buckets);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(list, 0), "from")),
        json_string_value(dig(m, "window", "from")));
    int64_t answered = 0, breaches = 0;
    size_t i;
    const char *prev = NULL;
    json_array_foreach(list, i, b) {
        if (prev)
            assert_string_equal(prev,
                                json_string_value(json_object_get(b, "from")));
        prev = json_string_value(json_object_get(b, "to"));
        answered += json_integer_value(dig(b, "satisfaction", "answered"));
        breaches += json_integer_value(json_object_get(b, "breaches"));
    }
    assert_string_equal(prev, json_string_value(dig(m, "window", "to")));
    assert_int_equal(answered,
                     json_integer_value(dig(m, "satisfaction", "answered")));
    assert_int_equal(breaches,
                     json_integer_value(dig(m, "charter", "breaches")));
    /* the answer given a minute ago is in the last bucket, scored 5 */
    json_t *last = json_array_get(list, json_array_size(list) - 1);
    assert_int_equal(json_integer_value(dig(last, "satisfaction", "answered")),
                     1);
    assert_true(json_number_value(dig(last, "satisfaction", "average")) == 5.0);
    json_decref(m);
}

static void test_breakdown_series(void **state)
{
    world *w = *state;
    check_series(w, "/api/v1/metrics/service?series=day&tz=Europe/Madrid",
                 "day", 30);
    check_series(w, "/api/v1/metrics/service?series=week", "week", 5);
    json_t *m = rp_call(&w->srv, "GET",
                        "/api/v1/metrics/service?series=day"
                        "&tz=America/New_York&by_queue=true",
                        NULL, 200);
    assert_string_equal(json_string_value(dig(m, "series", "time_zone")),
                        "America/New_York");
    assert_non_null(queue_of(m, 3));
    json_decref(m);

    static const struct {
        const char *path, *field;
    } bad[] = {
        {"/api/v1/metrics/service?by_queue=yes", "by_queue"},
        {"/api/v1/metrics/service?series=month", "series"},
        {"/api/v1/metrics/service?series=day&tz=Mars/Olympus", "tz"},
        {"/api/v1/metrics/service?tz=Europe/Madrid", "tz"},
        {"/api/v1/metrics/service?series=day&from=2026-01-01T00:00:00Z"
         "&to=2026-12-01T00:00:00Z",
         "series"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rp_http r;
        rp_http_send(&w->srv, "GET", bad[i].path, NULL, NULL, 0, NULL, &r);
        rp_assert_error(&r, 422, "invalid", bad[i].field);
        rp_http_free(&r);
    }
}

/* The report's breach_times, per target, are the breach list's figures
 * averaged as the dashboard averaged them (over_by_seconds, null as 0;
 * calendar_seconds), for the window given by query (appended to both). */
static void check_breach_times(world *w, const char *query)
{
    static const char *const targets[] = {"acknowledge", "first_response",
                                          "resolution", "follow_up_on_time"};
    char path[200];
    snprintf(path, sizeof path, "/api/v1/charter/breaches?limit=1000%s", query);
    time_t t0 = time(NULL);
    json_t *b = rp_call(&w->srv, "GET", path, NULL, 200);
    snprintf(path, sizeof path,
             "/api/v1/metrics/service?breach_times=true&by_queue=true"
             "&series=day%s",
             query);
    json_t *m = rp_call(&w->srv, "GET", path, NULL, 200);
    /* a clock still running (the caller still queued) moved on between
     * the two reads by at most this much, and an average with it */
    double moved = (double)(time(NULL) - t0) + 1.0;
    assert_false(json_is_true(json_object_get(b, "truncated")));
    json_t *times = dig(m, "charter", "times");
    assert_non_null(times);
    int64_t seen = 0;
    for (size_t k = 0; k < sizeof targets / sizeof targets[0]; k++) {
        int64_t n = 0;
        double over = 0, calendar = 0;
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(b, "items"), i, it) {
            if (strcmp(json_string_value(json_object_get(it, "target")),
                       targets[k]))
                continue;
            n++;
            over += (double)json_integer_value(
                json_object_get(it, "over_by_seconds"));
            calendar += (double)json_integer_value(
                json_object_get(it, "calendar_seconds"));
        }
        json_t *t = json_object_get(times, targets[k]);
        assert_non_null(t);
        assert_int_equal(json_integer_value(json_object_get(t, "breaches")), n);
        assert_int_equal(n,
                         json_integer_value(dig(json_object_get(m, "charter"),
                                                "by_target", targets[k])));
        json_t *o = json_object_get(t, "over_seconds_average");
        json_t *c = json_object_get(t, "calendar_seconds_average");
        if (n == 0) {
            assert_true(json_is_null(o) && json_is_null(c));
            continue;
        }
        seen += n;
        if (fabs(json_number_value(o) - over / (double)n) > moved ||
            fabs(json_number_value(c) - calendar / (double)n) > moved)
            fail_msg("%s: the report says %.1f s over and %.1f s taken, the "
                     "breach list %.1f and %.1f (%lld breaches)",
                     targets[k], json_number_value(o), json_number_value(c),
                     over / (double)n, calendar / (double)n, (long long)n);
    }
    assert_int_equal(seen, json_integer_value(dig(m, "charter", "breaches")));
    json_decref(b);
    json_decref(m);
}

/* How far over each target the breaches went, on average, from the
 * report as from the breach list: the whole desk, one queue, and once
 * the queue of the thirty-minute call keeps business hours (an hour on
 * a day three days from now: the call's half hour was outside them, so
 * it was not late by any business figure). */
static void test_breach_times(void **state)
{
    world *w = *state;
    check_breach_times(w, "");
    check_breach_times(w, "&queue=3");
    json_t *m = rp_call(&w->srv, "GET",
                        "/api/v1/metrics/service?breach_times=true", NULL, 200);
    double before = json_number_value(
        dig(dig(m, "charter", "times"), "acknowledge", "over_seconds_average"));
    assert_true(before > 0);
    json_decref(m);
    /* the call moves to a queue with business hours */
    json_t *q = rp_callf(&w->srv, "POST", "/api/v1/queues", 201,
                         "{\"name\":\"Phones by day\"}");
    int64_t qid = id_of(q);
    json_decref(q);
    store_update(w, &RP_ENTITY_ENCOUNTER, w->call,
                 json_pack("{s:I}", "queue_id", (json_int_t)qid));
    static const char *const days[] = {"sunday",    "monday",   "tuesday",
                                       "wednesday", "thursday", "friday",
                                       "saturday"};
    time_t later = time(NULL) + 3 * 86400;
    struct tm tm;
    gmtime_r(&later, &tm);
    char body[200], path[80], query[40];
    snprintf(body, sizeof body,
             "{\"time_zone\":\"UTC\",\"intervals\":[{\"day\":\"%s\","
             "\"open\":\"03:00\",\"close\":\"04:00\"}]}",
             days[tm.tm_wday]);
    snprintf(path, sizeof path, "/api/v1/queues/%lld/hours", (long long)qid);
    json_decref(rp_callf(&w->srv, "PUT", path, 200, body));
    snprintf(query, sizeof query, "&queue=%lld", (long long)qid);
    check_breach_times(w, "");
    check_breach_times(w, query);
    m = rp_call(&w->srv, "GET", "/api/v1/metrics/service?breach_times=true",
                NULL, 200);
    assert_true(json_number_value(dig(dig(m, "charter", "times"), "acknowledge",
                                      "over_seconds_average")) < before);
    json_decref(m);
    /* without breach_times, no times; a bad value is refused naming it */
    m = rp_call(&w->srv, "GET", "/api/v1/metrics/service", NULL, 200);
    assert_null(dig(m, "charter", "times"));
    json_decref(m);
    rp_http r;
    rp_http_send(&w->srv, "GET", "/api/v1/metrics/service?breach_times=yes",
                 NULL, NULL, 0, NULL, &r);
    rp_assert_error(&r, 422, "invalid", "breach_times");
    rp_http_free(&r);
}

static void test_promises_kept_and_broken(void **state)
{
    world *w = *state;
    int64_t broken = store_insert(
        w, &RP_ENTITY_PROMISE,
        json_pack("{s:I, s:I, s:s, s:I, s:s, s:I}", "customer_id",
                  (json_int_t)w->caller, "encounter_id", (json_int_t)w->call,
                  "what", "call back within the hour", "due_at",
                  (json_int_t)(w->now - 5 * MIN), "status", "open",
                  "created_at", (json_int_t)(w->now - 40 * MIN)));
    int64_t future = store_insert(
        w, &RP_ENTITY_PROMISE,
        json_pack("{s:I, s:I, s:s, s:I, s:s, s:I}", "customer_id",
                  (json_int_t)w->driver, "encounter_id", (json_int_t)w->visit,
                  "what", "call tomorrow to ask if all is well", "due_at",
                  (json_int_t)(w->now + HOUR), "status", "open", "created_at",
                  (json_int_t)(w->now - HOUR)));
    json_t *b = rp_call(&w->srv, "GET", "/api/v1/charter/breaches", NULL, 200);
    json_t *p = find_breach(json_object_get(b, "items"), "follow_up_on_time",
                            broken);
    assert_non_null(p);
    assert_string_equal(json_string_value(json_object_get(p, "subject")),
                        "promise");
    json_decref(b);

    /* Reading the breaches (and the metrics) settled nothing: the promise
     * is still open and no moment was written; settling is its own act
     * (the scheduler's, or `rapport charter settle` from cron). */
    char path[160];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments",
             (long long)w->caller);
    json_decref(rp_call(&w->srv, "GET", "/api/v1/metrics/service", NULL, 200));
    json_t *before = rp_call(&w->srv, "GET", path, NULL, 200);
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(before, "items"), i, it)
        assert_string_not_equal(json_string_value(json_object_get(it, "kind")),
                                "promise.broken");
    json_decref(before);
    char *settled = NULL;
    assert_int_equal(rp_cli(&w->srv, &settled, "charter", "settle", NULL), 0);
    assert_non_null(strstr(settled, "1 promise(s)"));
    free(settled);

    snprintf(path, sizeof path, "/api/v1/promises/%lld/keep",
             (long long)future);
    json_t *k = rp_callf(&w->srv, "POST", path, 200, "{}");
    assert_string_equal(json_string_value(json_object_get(k, "status")),
                        "kept");
    json_decref(k);
    rp_http r;
    rp_http_send(&w->srv, "POST", path, "application/json", "{}", 2, NULL, &r);
    rp_assert_error(&r, 409, "conflict", "status");
    rp_http_free(&r);
    snprintf(path, sizeof path, "/api/v1/promises/%lld/keep",
             (long long)broken);
    rp_http_send(&w->srv, "POST", path, "application/json", "{}", 2, NULL, &r);
    rp_assert_error(&r, 409, "conflict", "status");
    rp_http_free(&r);
    rp_http_send(&w->srv, "POST", "/api/v1/promises/99999/keep",
                 "application/json", "{}", 2, NULL, &r);
    rp_assert_error(&r, 404, "not_found", "id");
    rp_http_free(&r);

    /* Both settlements are moments of truth on the customers' timelines. */
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments",
             (long long)w->caller);
    json_t *moments = rp_call(&w->srv, "GET", path, NULL, 200);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(moments, "items"), 0), "kind")),
        "promise.broken");
    json_decref(moments);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments",
             (long long)w->driver);
    moments = rp_call(&w->srv, "GET", path, NULL, 200);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(moments, "items"), 0), "kind")),
        "promise.kept");
    json_decref(moments);

    json_t *m = rp_call(&w->srv, "GET",
                        "/api/v1/metrics/service?to=2099-01-01T00:00:00Z&"
                        "from=2098-06-01T00:00:00Z",
                        NULL, 200);
    assert_int_equal(json_integer_value(dig(m, "promises", "kept")), 0);
    json_decref(m);
    m = rp_call(&w->srv, "GET", "/api/v1/metrics/service", NULL, 200);
    /* the default window ends now: the kept promise is due in an hour */
    assert_int_equal(json_integer_value(dig(m, "promises", "broken")), 1);
    json_decref(m);
    char *out = NULL;
    assert_int_equal(rp_cli(&w->srv, &out, "charter", "settle", NULL), 0);
    assert_non_null(strstr(out, "0 promise(s)")); /* already settled */
    free(out);
}

static void test_charter_get_put_and_bad_input(void **state)
{
    world *w = *state;
    json_t *c = rp_call(&w->srv, "GET", "/api/v1/charter", NULL, 200);
    assert_int_equal(
        json_integer_value(json_object_get(c, "acknowledge_minutes")), 5);
    assert_int_equal(
        json_integer_value(json_object_get(c, "first_response_minutes")), 15);
    assert_int_equal(json_integer_value(json_object_get(c, "resolution_hours")),
                     24);
    assert_true(json_is_true(json_object_get(c, "follow_up_on_time")));
    json_decref(c);

    static const struct {
        const char *body;
        long status;
        const char *code, *field;
    } bad[] = {
        {"{\"acknowledge_minutes\":0}", 422, "invalid", "acknowledge_minutes"},
        {"{\"acknowledge_minutes\":\"five\"}", 400, "wrong_type",
         "acknowledge_minutes"},
        {"{\"first_response_minutes\":2}", 422, "invalid",
         "first_response_minutes"},
        {"{\"resolution_hours\":100000}", 422, "invalid", "resolution_hours"},
        {"{\"follow_up_on_time\":\"yes\"}", 400, "wrong_type",
         "follow_up_on_time"},
        {"{\"colour\":\"red\"}", 422, "invalid", "colour"},
        {"{}", 422, "invalid", NULL},
        {"[1]", 400, "wrong_type", NULL},
        {"{\"resolution_hours\":", 400, "malformed", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rp_http r;
        rp_http_send(&w->srv, "PUT", "/api/v1/charter", "application/json",
                     bad[i].body, strlen(bad[i].body), NULL, &r);
        rp_assert_error(&r, bad[i].status, bad[i].code, bad[i].field);
        rp_http_free(&r);
    }
    /* Bad input changed nothing. */
    c = rp_call(&w->srv, "GET", "/api/v1/charter", NULL, 200);
    assert_int_equal(
        json_integer_value(json_object_get(c, "acknowledge_minutes")), 5);
    json_decref(c);

    /* Loosen the acknowledgement target to 45 minutes: the change is
     * visible to the next reader, and applies from now on: the 30-minute
     * call, received under 5 minutes, still breached its target. */
    c = rp_callf(&w->srv, "PUT", "/api/v1/charter", 200,
                 "{\"acknowledge_minutes\":45,\"first_response_minutes\":60}");
    assert_int_equal(
        json_integer_value(json_object_get(c, "acknowledge_minutes")), 45);
    /* who changed it: the acting agent once auth lands, never "system" */
    assert_non_null(json_string_value(json_object_get(c, "updated_by")));
    assert_string_not_equal(json_string_value(json_object_get(c, "updated_by")),
                            "system");
    json_decref(c);
    json_t *b = rp_call(&w->srv, "GET", "/api/v1/charter/breaches", NULL, 200);
    json_t *kept = find_breach(json_object_get(b, "items"), "acknowledge",
                               w->call);
    assert_non_null(kept);
    assert_int_equal(
        json_integer_value(json_object_get(kept, "target_seconds")), 300);
    assert_non_null(
        find_breach(json_object_get(b, "items"), "resolution", w->call));
    json_decref(b);

    static const char *const bad_windows[][2] = {
        {"/api/v1/metrics/service?from=yesterday", "from"},
        {"/api/v1/metrics/service?to=2026-02-30T00:00:00Z", "to"},
        {"/api/v1/metrics/"
         "service?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
         "from"},
        {"/api/v1/metrics/service?queue=abc", "queue"},
        {"/api/v1/metrics/service?agent=-1", "agent"},
        {"/api/v1/charter/breaches?limit=0", "limit"},
        {"/api/v1/charter/breaches?from=2001-01-01T00:00:00Z", "from"},
    };
    for (size_t i = 0; i < sizeof bad_windows / sizeof bad_windows[0]; i++) {
        rp_http r;
        rp_http_send(&w->srv, "GET", bad_windows[i][0], NULL, NULL, 0, NULL,
                     &r);
        rp_assert_error(&r, 422, "invalid", bad_windows[i][1]);
        rp_http_free(&r);
    }
    /* The CLI reads the charter the API wrote, and refuses the same way. */
    char *out = NULL;
    assert_int_equal(rp_cli(&w->srv, &out, "charter", "show", "--json", NULL),
                     0);
    json_t *viacli = json_loads(out, 0, NULL);
    assert_non_null(viacli);
    assert_int_equal(
        json_integer_value(json_object_get(viacli, "acknowledge_minutes")), 45);
    json_decref(viacli);
    free(out);
    assert_int_equal(rp_cli(&w->srv, &out, "charter", "set",
                            "--acknowledge-minutes", "0", NULL),
                     3);
    free(out);
    assert_int_equal(rp_cli(&w->srv, &out, "charter", "set",
                            "--acknowledge-minutes", "soon", NULL),
                     2);
    free(out);
    assert_int_equal(
        rp_cli(&w->srv, &out, "report", "--from", "tomorrow", NULL), 3);
    free(out);
    assert_int_equal(rp_cli(&w->srv, &out, "charter", "keep", "99999", NULL),
                     4);
    free(out);

    rp_http r;
    rp_http_send(&w->srv, "GET", "/api/v1/encounters/77777/measures", NULL,
                 NULL, 0, NULL, &r);
    rp_assert_error(&r, 404, "not_found", "id");
    rp_http_free(&r);
    rp_http_send(&w->srv, "DELETE", "/api/v1/charter", NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 405);
    rp_http_free(&r);
}

/* The value of the sample whose name and labels are exactly series, or
 * -1 when there is none. */
static double sample(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *p = text; p && *p;) {
        if (!strncmp(p, series, n) && p[n] == ' ')
            return strtod(p + n + 1, NULL);
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return -1;
}

static void test_prometheus(void **state)
{
    world *w = *state;
    char path[100];
    snprintf(path, sizeof path, "/api/v1/customers/%lld", (long long)w->caller);
    for (int i = 0; i < 3; i++)
        json_decref(rp_call(&w->srv, "GET", path, NULL, 200));
    json_decref(rp_call(&w->srv, "GET", "/api/v1/customers/424242", NULL, 404));
    /* Tasks: one due and unsent, one failed, one due tomorrow. */
    store_insert(w, &RP_ENTITY_TASK,
                 json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:I}", "customer_id",
                           (json_int_t)w->driver, "kind", "follow_up",
                           "subject", "all well?", "due_at",
                           (json_int_t)(w->now - 60), "status", "scheduled",
                           "idempotency_key", "p-1", "created_at",
                           (json_int_t)w->now));
    store_insert(w, &RP_ENTITY_TASK,
                 json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:I}", "customer_id",
                           (json_int_t)w->driver, "kind", "reminder", "subject",
                           "inspection tomorrow", "due_at",
                           (json_int_t)(w->now - HOUR), "status", "failed",
                           "idempotency_key", "p-2", "created_at",
                           (json_int_t)w->now));
    store_insert(w, &RP_ENTITY_TASK,
                 json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:I}", "customer_id",
                           (json_int_t)w->driver, "kind", "follow_up",
                           "subject", "later", "due_at",
                           (json_int_t)(w->now + 86400), "status", "scheduled",
                           "idempotency_key", "p-3", "created_at",
                           (json_int_t)w->now));

    rp_http r;
    rp_http_send(&w->srv, "GET", "/metrics", NULL, NULL, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "text/plain"));
    assert_non_null(strstr(r.content_type, "version=0.0.4"));
    const char *text = r.body;

    /* Every line is a comment or "name{labels} value" with a number. */
    int samples = 0;
    for (const char *p = text; *p;) {
        const char *end = strchr(p, '\n');
        assert_non_null(end); /* the format ends every line with \n */
        char line[512];
        size_t len = (size_t)(end - p) < sizeof line - 1 ? (size_t)(end - p)
                                                         : sizeof line - 1;
        memcpy(line, p, len);
        line[len] = '\0';
        if (line[0] == '#') {
            assert_true(!strncmp(line, "# HELP rapport_", 15) ||
                        !strncmp(line, "# TYPE rapport_", 15));
        } else {
            assert_true(!strncmp(line, "rapport_", 8));
            char *sp = strrchr(line, ' ');
            assert_non_null(sp);
            char *num_end;
            strtod(sp + 1, &num_end);
            assert_true(num_end != sp + 1 && *num_end == '\0');
            char *brace = strchr(line, '{');
            if (brace && brace < sp)
                assert_true(sp[-1] == '}');
            samples++;
        }
        p = end + 1;
    }
    assert_true(samples > 10);

    /* Requests are counted by route pattern, never by raw path. */
    assert_true(sample(text, "rapport_http_requests_total{route=\"/api/v1/"
                             "customers/{id}\",status=\"200\"}") >= 3);
    assert_true(sample(text, "rapport_http_requests_total{route=\"/api/v1/"
                             "customers/{id}\",status=\"404\"}") >= 1);
    assert_null(strstr(text, "/api/v1/customers/424242"));
    snprintf(path, sizeof path, "route=\"/api/v1/customers/%lld\"",
             (long long)w->caller);
    assert_null(strstr(text, path));

    /* The histogram is cumulative and its +Inf bucket equals its count. */
    const char *h = "rapport_http_request_duration_seconds";
    char series[200];
    double prev = 0;
    static const char *const les[] = {
        "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
        "0.25",  "0.5",    "1",     "2.5",  "5",     "+Inf", NULL};
    for (int i = 0; les[i]; i++) {
        snprintf(series, sizeof series,
                 "%s_bucket{route=\"/api/v1/customers/{id}\",le=\"%s\"}", h,
                 les[i]);
        double v = sample(text, series);
        assert_true(v >= prev);
        prev = v;
    }
    snprintf(series, sizeof series,
             "%s_count{route=\"/api/v1/customers/{id}\"}", h);
    assert_true(sample(text, series) == prev);
    assert_true(prev >= 4);

    /* Gauges: one caller still unacknowledged and not routed; one task due
     * and one failed. */
    assert_true(sample(text, "rapport_queue_depth{queue=\"none\"}") == 1);
    assert_true(sample(text, "rapport_tasks_due{kind=\"follow_up\"}") == 1);
    assert_true(sample(text, "rapport_tasks_failed{kind=\"reminder\"}") == 1);
    assert_true(sample(text, "rapport_tasks_failed{kind=\"follow_up\"}") == 0);
    rp_http_free(&r);

    /* A second scrape counts the first one. */
    rp_http_send(&w->srv, "GET", "/metrics", NULL, NULL, 0, NULL, &r);
    assert_true(sample(r.body, "rapport_http_requests_total{route=\"/metrics\","
                               "status=\"200\"}") >= 1);
    rp_http_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_story5_the_thirty_minute_call,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_story6_car_service_first_contact_resolution, setup, teardown),
        cmocka_unit_test_setup_teardown(test_breakdown_by_queue, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_breakdown_series, setup, teardown),
        cmocka_unit_test_setup_teardown(test_breach_times, setup, teardown),
        cmocka_unit_test_setup_teardown(test_promises_kept_and_broken, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_charter_get_put_and_bad_input,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_prometheus, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
