/*
 * test_rollups.c - the service metrics read from the rollups are those
 * computed from the records (core/measures/rollup.c).
 *
 * A varied desk is played through the encounter engine with the clock
 * pinned: 240 encounters over about two weeks, on every channel, in
 * four queues and with five agents (given by transfers), acknowledged
 * after waits from seconds to hours, abandoned, transferred once or twice
 * (some after they were acknowledged, so they leave their day's row),
 * closed with and without an agreement, with defects, apologies, special
 * requests, promises and satisfaction answers; the charter changes a
 * third of the way and the sweep gives encounters their deadlines now and
 * then, so the charter's breaches are judged by two versions, with
 * deadlines and without, for good and with clocks still running.  Then,
 * for windows aligned
 * to days and not, for a queue and an agent, the figures from the rollups
 * are compared with those from the records (rp_metrics_verify: equal, the
 * waits' percentiles equal to the bucket of the exact figure), and the
 * rollups are emptied past the store and rebuilt.  Runs on SQLite and, as
 * pg_unit_test_rollups, on PostgreSQL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

#define T0 1900000000LL /* 2030-03-17T17:46:40Z */
#define DAY 86400
#define N_ENCOUNTERS 240

typedef struct tally {
    int opened, acked, abandoned, transferred, closed, defects, requests,
        promises, answers, follow_ups;
} tally;

/* Call op on encounter id with the JSON text body; 1 when it was done.
 * A step the rules refuse (a state it does not fit) is simply not done:
 * the desk is what the engine accepted, and the tally says it is varied. */
typedef rp_code (*op_fn)(rp_ctx *, int64_t, json_t *, json_t **, rp_error *);
static int play(rp_ctx *ctx, op_fn op, int64_t id, const char *body)
{
    json_error_t jerr;
    json_t *in = body ? json_loads(body, 0, &jerr) : json_object(), *out = NULL;
    assert_non_null(in);
    rp_error err;
    rp_code rc = op(ctx, id, in, &out, &err);
    json_decref(in);
    json_decref(out);
    return rc == RP_OK;
}

static const char *const channels[] = {"in_person", "phone", "email", "chat",
                                       "web"};

/* Encounter i of the desk, received at t. */
static void encounter(rp_ctx *ctx, int64_t customer, int i, int64_t t, tally *n)
{
    rp_error err;
    json_t *in = json_pack("{s:I, s:s, s:s}", "customer_id",
                           (json_int_t)customer, "channel", channels[i % 5],
                           "subject", "A question"),
           *e = NULL;
    rp_clock_pin(t);
    assert_int_equal(rp_encounter_open(ctx, in, &e, &err), RP_OK);
    json_decref(in);
    int64_t id = json_integer_value(json_object_get(e, "id"));
    json_decref(e);
    n->opened++;
    char body[160];
    /* routed by a transfer to one of four queues and five agents */
    if (i % 6 != 5) {
        snprintf(body, sizeof body,
                 "{\"reason\":\"routing\",\"to_queue_id\":%d,"
                 "\"to_agent_id\":%d}",
                 1 + i % 4, 1 + (i / 4) % 5);
        n->transferred += play(ctx, rp_encounter_add_transfer, id, body);
    }
    /* follow-ups due 3.5 h or 9.5 h after, done 3 h or 4 h after or left
     * open:
     * late, on time and overdue, under charters that want them on time
     * and one that does not */
    if (i % 6 == 1) {
        char due[RP_TIME_MAX];
        rp_time_format(t + (i % 4) * 3 * 3600 + 1800, due);
        snprintf(body, sizeof body,
                 "{\"due_at\":\"%s\",\"subject\":\"call back\"}", due);
        json_t *fin = json_loads(body, 0, NULL), *task = NULL;
        assert_int_equal(rp_encounter_add_follow_up(ctx, id, fin, &task, &err),
                         RP_OK);
        json_decref(fin);
        if (i % 12 == 1) {
            rp_clock_pin(t + (i % 24 == 1 ? 4 : 3) * 3600);
            json_t *done = NULL;
            assert_int_equal(
                rp_task_complete(
                    ctx, json_integer_value(json_object_get(task, "id")), NULL,
                    &done, &err),
                RP_OK);
            json_decref(done);
        }
        json_decref(task);
        n->follow_ups++;
    }
    /* waits from 0 s to about 5 h: every bucket width */
    int64_t wait = (int64_t)((i * 7919LL) % 360) * (i % 3 ? 1 : 50);
    rp_clock_pin(t + wait);
    if (i % 7 == 3) {
        n->abandoned += play(ctx, rp_encounter_abandon, id,
                             "{\"reason\":\"hung up\"}");
        return;
    }
    if (i % 11 == 4)
        return; /* still waiting */
    n->acked += play(ctx, rp_encounter_acknowledge, id, NULL);
    rp_clock_pin(t + wait + 60);
    if (i % 5 == 2) {
        /* transferred after the wait was measured: leaves its row */
        snprintf(body, sizeof body,
                 "{\"reason\":\"specialist\",\"to_queue_id\":%d,"
                 "\"to_agent_id\":%d}",
                 1 + (i + 1) % 4, 1 + (i + 2) % 5);
        n->transferred += play(ctx, rp_encounter_add_transfer, id, body);
    }
    if (i % 9 == 1) {
        n->defects += play(ctx, rp_encounter_add_defect, id,
                           "{\"kind\":\"late\",\"cause\":\"late parcel\"}");
        play(ctx, rp_encounter_record, id,
             i % 2 ? "{\"apology_owed\":true,\"apology_given\":true}"
                   : "{\"apology_owed\":true}");
    }
    if (i % 8 == 3)
        n->requests += play(
            ctx, rp_encounter_add_special_request, id,
            i % 16 == 3 ? "{\"description\":\"free delivery\","
                          "\"outcome\":\"granted\"}"
                        : "{\"description\":\"a discount\",\"outcome\":"
                          "\"declined\",\"decline_reason\":\"policy\"}");
    if (i % 10 == 6) {
        char due[RP_TIME_MAX];
        rp_time_format(t + DAY, due);
        snprintf(body, sizeof body,
                 "{\"what\":\"call back\",\"due_at\":\"%s\"}", due);
        n->promises += play(ctx, rp_encounter_add_promise, id, body);
    }
    if (i % 4 == 0)
        return; /* acknowledged, left open */
    play(ctx, rp_encounter_record, id,
         i % 3 ? "{\"facts\":\"f\",\"agreement\":\"a refund, paid\","
                 "\"thanked\":true}"
               : "{\"facts\":\"f\",\"no_agreement_reason\":\"none\"}");
    play(ctx, rp_encounter_record, id,
         "{\"satisfaction_skip_reason\":\"asked at the counter\"}");
    static const char *const steps[] = {"understood", "helped", "kept"};
    for (int k = 0; k < 3; k++) {
        snprintf(body, sizeof body, "{\"to\":\"%s\"}", steps[k]);
        play(ctx, rp_encounter_advance, id, body);
    }
    rp_clock_pin(t + wait + 600 + i * 13);
    n->closed += play(ctx, rp_encounter_advance, id,
                      "{\"to\":\"closed\",\"outcome_done\":\"refunded\"}");
    if (i % 3 == 1) {
        snprintf(body, sizeof body, "{\"score\":%d,\"words\":[\"quick\"]}",
                 1 + i % 5);
        n->answers += play(ctx, rp_encounter_add_satisfaction, id, body);
    }
}

static void expect_agree(rp_ctx *ctx, int64_t from, int64_t to, int64_t queue,
                         int64_t agent)
{
    rp_window w = {
        .from = from, .to = to, .queue_id = queue, .agent_id = agent};
    json_t *diffs = NULL;
    rp_error err;
    assert_int_equal(rp_metrics_verify(ctx, &w, &diffs, &err), RP_OK);
    if (json_array_size(diffs)) {
        char *text = json_dumps(diffs, JSON_INDENT(1));
        print_error("window [%lld, %lld) queue %lld agent %lld:\n%s\n",
                    (long long)from, (long long)to, (long long)queue,
                    (long long)agent, text);
        free(text);
    }
    assert_int_equal(json_array_size(diffs), 0);
    json_decref(diffs);
}

static int64_t figure(rp_ctx *ctx, int64_t from, int64_t to,
                      const char *section, const char *key)
{
    rp_window w = {.from = from, .to = to};
    json_t *m = NULL;
    rp_error err;
    assert_int_equal(rp_metrics_service(ctx, &w, &m, &err), RP_OK);
    int64_t v = json_integer_value(
        json_object_get(json_object_get(m, section), key));
    json_decref(m);
    return v;
}

/* A moment of customer at t with impression, appended as the engine does
 * (the clock pinned to t): a moment older than the customer's newest, as
 * an import or a late write makes, moves no customer's newest moment. */
static void moment_at(rp_test_db *db, int64_t customer, int64_t t,
                      const char *impression)
{
    rp_error err;
    rp_moment m = {.customer_id = customer,
                   .kind = "customer.updated",
                   .summary = "Details changed.",
                   .impression = impression};
    rp_clock_pin(t);
    assert_int_equal(rp_store_begin(db->ctx.store, &err), RP_OK);
    rp_code rc = rp_moment_record(&db->ctx, &m, &err);
    assert_int_equal(rp_store_finish(db->ctx.store, rc, &err), RP_OK);
}

static void test_rollups_agree_with_the_records(void **state)
{
    rp_test_db *db = *state;
    rp_ctx *ctx = &db->ctx;
    rp_error err;
    int64_t customers[12];
    for (int c = 0; c < 12; c++) {
        char name[32];
        snprintf(name, sizeof name, "Customer %d", c);
        json_t *in = json_pack("{s:s}", "name", name), *out = NULL;
        assert_int_equal(rp_customer_create(ctx, in, &out, &err), RP_OK);
        customers[c] = json_integer_value(json_object_get(out, "id"));
        json_decref(in);
        json_decref(out);
    }
    /* queue 2 keeps business hours: its breaches' seconds past their
     * targets are counted again in its hours when read (breach_times) */
    for (int q = 1; q <= 2; q++) {
        char name[16];
        snprintf(name, sizeof name, "Queue %d", q);
        json_t *in = json_pack("{s:s}", "name", name), *out = NULL;
        assert_int_equal(rp_queue_create(ctx, in, &out, &err), RP_OK);
        assert_int_equal(json_integer_value(json_object_get(out, "id")), q);
        json_decref(in);
        json_decref(out);
    }
    {
        json_t
            *in = json_loads(
                "{\"time_zone\":\"Europe/Madrid\",\"intervals\":["
                "{\"day\":\"monday\",\"open\":\"09:00\",\"close\":\"17:00\"},"
                "{\"day\":\"tuesday\",\"open\":\"09:00\",\"close\":\"17:00\"},"
                "{\"day\":\"friday\",\"open\":\"08:00\",\"close\":\"20:00\"}"
                "]}",
                0, NULL),
            *out = NULL;
        assert_int_equal(rp_hours_set(ctx, 2, in, &out, &err), RP_OK);
        json_decref(in);
        json_decref(out);
    }
    tally n = {0};
    /* every 1h 23m 17s: about two weeks, at every hour; a third of the way
     * the charter is made stricter (encounters keep the version they
     * arrived under), and the sweep gives the encounters it judges their
     * deadlines now and then, so the breaches' rollup is kept through
     * every way a judgement can change */
    int64_t breached_recorded = 0;
    for (int i = 0; i < N_ENCOUNTERS; i++) {
        int64_t t = T0 + (int64_t)i * 4997;
        if (i == N_ENCOUNTERS / 3) {
            /* as the previous encounter arrived: that one is judged again
             * by the new version (it starts at or before its arrival) */
            rp_clock_pin(t - 4997);
            json_t *in = json_pack("{s:i, s:i, s:i}", "acknowledge_minutes", 2,
                                   "first_response_minutes", 4,
                                   "resolution_hours", 1),
                   *out = NULL;
            assert_int_equal(rp_charter_update(ctx, in, &out, &err), RP_OK);
            json_decref(in);
            json_decref(out);
        }
        if (i == 2 * N_ENCOUNTERS / 3 || i == 5 * N_ENCOUNTERS / 6) {
            /* follow-ups due from here are not judged, then are again */
            rp_clock_pin(t - 10);
            json_t *in = json_pack("{s:b}", "follow_up_on_time",
                                   i != 2 * N_ENCOUNTERS / 3),
                   *out = NULL;
            assert_int_equal(rp_charter_update(ctx, in, &out, &err), RP_OK);
            json_decref(in);
            json_decref(out);
        }
        if (i % 40 == 39) {
            int64_t b = 0;
            assert_int_equal(rp_charter_sweep(ctx, t, &b, NULL, &err), RP_OK);
            breached_recorded += b;
        }
        encounter(ctx, customers[i % 12], i, t, &n);
    }
    int64_t end = T0 + (int64_t)N_ENCOUNTERS * 4997;
    rp_clock_pin(end + DAY);
    assert_true(breached_recorded > 0);
    print_message("opened %d, acknowledged %d, abandoned %d, transferred "
                  "%d, closed %d, defects %d, requests %d, promises %d, "
                  "answers %d\n",
                  n.opened, n.acked, n.abandoned, n.transferred, n.closed,
                  n.defects, n.requests, n.promises, n.answers);
    /* the desk is varied: every kind of write happened */
    assert_true(n.acked > 100 && n.abandoned > 20 && n.transferred > 150 &&
                n.closed > 50 && n.defects > 5 && n.requests > 5 &&
                n.promises > 5);

    /* each agent's open work as routing reads it (migration 108) agrees
     * with the records, after every kind of write above */
    long long disagree = -1, kept = -1, counted = -1;
    assert_int_equal(
        rp_test_db_sql(db,
                       "SELECT count(*) FROM agents a WHERE coalesce((SELECT"
                       " w.open_work FROM agent_open_work w WHERE w.agent_id"
                       " = a.id), 0) <> (SELECT count(*) FROM encounters e"
                       " WHERE e.agent_id = a.id AND e.stage NOT IN"
                       " ('closed','abandoned'))",
                       &disagree),
        0);
    assert_int_equal(disagree, 0);
    assert_int_equal(rp_test_db_sql(db,
                                    "SELECT coalesce(sum(open_work), 0)"
                                    " FROM agent_open_work",
                                    &kept),
                     0);
    assert_int_equal(rp_test_db_sql(db,
                                    "SELECT count(*) FROM encounters WHERE"
                                    " agent_id IS NOT NULL AND stage NOT IN"
                                    " ('closed','abandoned')",
                                    &counted),
                     0);
    print_message("open work kept by agent: %lld in all\n", kept);
    assert_int_equal(kept, counted);

    /* the whole history, a window of 30 days up to now, windows that
     * start and end inside a day, one shorter than a day, one queue,
     * one agent */
    int64_t from = T0 - DAY, to = end + 2 * DAY;
    expect_agree(ctx, from, to, 0, 0);
    expect_agree(ctx, end + DAY - 30 * DAY, end + DAY, 0, 0);
    expect_agree(ctx, T0 + 7 * 3600 + 11, end - 5 * 3600 - 7, 0, 0);
    expect_agree(ctx, T0 + 3 * DAY + 100, T0 + 3 * DAY + 20000, 0, 0);
    expect_agree(ctx, T0 + DAY / 2, end - DAY / 3, 2, 0);
    expect_agree(ctx, from, to, 0, 3);
    expect_agree(ctx, T0 + 5000, end - 5000, 3, 4);

    /* the figures are not empty: each section is exercised */
    assert_int_equal(figure(ctx, from, to, "volume", "encounters"),
                     N_ENCOUNTERS);
    assert_true(figure(ctx, from, to, "volume", "closed") > 50);
    assert_true(figure(ctx, from, to, "abandonment", "abandoned") > 20);
    assert_true(figure(ctx, from, to, "transfers", "total") > 150);
    assert_true(figure(ctx, from, to, "wait", "p90_seconds") > 600);
    /* the charter's breaches, for good and with clocks still running */
    assert_true(figure(ctx, from, to, "charter", "breaches") > 50);
    {
        /* follow-ups late, overdue and not judged (the version of the
         * middle does not want them on time) */
        rp_window w = {.from = from, .to = to};
        json_t *m = NULL;
        assert_int_equal(rp_metrics_service(ctx, &w, &m, &err), RP_OK);
        json_int_t late = json_integer_value(json_object_get(
            json_object_get(json_object_get(m, "charter"), "by_target"),
            "follow_up_on_time"));
        json_decref(m);
        assert_true(n.follow_ups > 30);
        print_message("follow-ups %d, late or overdue %lld\n", n.follow_ups,
                      (long long)late);
        assert_true(late > 5 && late < n.follow_ups + n.promises);
    }
    expect_agree(ctx, end - 2 * 3600, end + DAY, 0, 0);

    /* what is late for good (migration 119): the overdue promises broken
     * by the charter's rule, a follow-up done late moved to another day
     * and one cancelled, a change of level taken back; windows whose
     * edges cut the days of each */
    {
        int64_t settled = 0;
        long long moves = 0, broken = 0;
        assert_int_equal(
            rp_charter_settle_promises(ctx, end + DAY, &settled, &err), RP_OK);
        assert_int_equal(rp_test_db_sql(db,
                                        "SELECT count(*) FROM promises"
                                        " WHERE status = 'broken'",
                                        &broken),
                         0);
        print_message("promises broken %lld (settled %lld)\n", broken,
                      (long long)settled);
        assert_true(broken > 0);
        assert_int_equal(
            rp_test_db_sql(db,
                           "UPDATE tasks SET due_at = due_at - 80000 WHERE id ="
                           " (SELECT min(id) FROM tasks WHERE kind ="
                           " 'follow_up' AND status = 'done'"
                           " AND done_at > due_at)",
                           NULL),
            0);
        assert_int_equal(
            rp_test_db_sql(db,
                           "UPDATE tasks SET status = 'cancelled' WHERE id ="
                           " (SELECT max(id) FROM tasks WHERE kind ="
                           " 'follow_up' AND status = 'done'"
                           " AND done_at > due_at)",
                           NULL),
            0);
        assert_int_equal(rp_test_db_sql(db,
                                        "SELECT count(*) FROM"
                                        " relationship_levels",
                                        &moves),
                         0);
        print_message("changes of level %lld\n", moves);
        assert_true(moves > 0);
        assert_int_equal(
            rp_test_db_sql(db,
                           "DELETE FROM relationship_levels WHERE id ="
                           " (SELECT max(id) FROM relationship_levels)",
                           NULL),
            0);
        expect_agree(ctx, from, to, 0, 0);
        for (int64_t a = T0 + 3 * 3600 + 1; a < end; a += DAY + 5 * 3600 + 3)
            expect_agree(ctx, a, a + 3 * DAY + 7200, 0, 0);
        expect_agree(ctx, T0 + DAY / 3, T0 + DAY / 2, 0, 0);
        /* windows across one midnight, as a series' days in a time zone
         * (the breaches of a part longer than half a day are the day's
         * rollup less the rest of the day) */
        for (int64_t a = T0 + 5 * 3600; a < end; a += DAY + 3 * 3600 + 7) {
            expect_agree(ctx, a, a + DAY + 7200, 0, 0);
            expect_agree(ctx, a, a + DAY + 7200, 2, 0);
        }
        for (int64_t m = (T0 / DAY + 1) * DAY; m < end; m += 2 * DAY)
            expect_agree(ctx, m - 3600, m + DAY - 3600, 0, 0);
    }

    /* how long the breaches took (breach_times, migration 125): every
     * target late by some seconds, and --verify sees the rollup's seconds
     * drift from the records (a change made past the triggers) */
    {
        rp_window w = {.from = from, .to = to};
        rp_metrics_options o = {.breach_times = 1};
        json_t *m = NULL, *diffs = NULL;
        assert_int_equal(rp_metrics_service_with(ctx, &w, &o, &m, &err), RP_OK);
        json_t *times = json_object_get(json_object_get(m, "charter"), "times");
        const char *target;
        json_t *t;
        json_object_foreach(times, target, t) {
            print_message(
                "%s: %lld breaches, %.1f s over on average\n", target,
                (long long)json_integer_value(json_object_get(t, "breaches")),
                json_real_value(json_object_get(t, "over_seconds_average")));
            assert_true(json_integer_value(json_object_get(t, "breaches")) > 0);
            assert_true(json_real_value(json_object_get(
                            t, "calendar_seconds_average")) > 0);
        }
        json_decref(m);
        assert_int_equal(
            rp_test_db_sql(db,
                           "UPDATE measure_breaches SET over_sum = over_sum"
                           " + 70000 WHERE target = 'first_response' AND n > 0"
                           " AND day = (SELECT min(day) FROM measure_breaches"
                           " WHERE target = 'first_response' AND n > 0"
                           " AND day > 1900000000 / 86400 + 1)",
                           NULL),
            0);
        assert_int_equal(rp_metrics_verify(ctx, &w, &diffs, &err), RP_OK);
        assert_true(json_array_size(diffs) >= 1);
        assert_string_equal(
            json_string_value(
                json_object_get(json_array_get(diffs, 0), "figure")),
            "charter.times.first_response.over_seconds_average");
        json_decref(diffs);
        assert_int_equal(
            rp_test_db_sql(db,
                           "UPDATE measure_breaches SET over_sum = over_sum"
                           " - 70000 WHERE target = 'first_response' AND n > 0"
                           " AND day = (SELECT min(day) FROM measure_breaches"
                           " WHERE target = 'first_response' AND n > 0"
                           " AND day > 1900000000 / 86400 + 1)",
                           NULL),
            0);
        expect_agree(ctx, from, to, 0, 0);
        /* and a breach missing from the breach list's rows */
        assert_int_equal(rp_test_db_sql(db,
                                        "DELETE FROM measure_breach_list"
                                        " WHERE encounter_id = (SELECT"
                                        " min(encounter_id) FROM"
                                        " measure_breach_list)",
                                        NULL),
                         0);
        assert_int_equal(rp_metrics_verify(ctx, &w, &diffs, &err), RP_OK);
        assert_int_equal(json_array_size(diffs), 1);
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(diffs, 0), "figure")),
                            "charter.list");
        json_decref(diffs);
        assert_int_equal(rp_rollup_rebuild(ctx, &err), RP_OK);
        expect_agree(ctx, from, to, 0, 0);
    }

    /* --verify sees an agent's count of open work that has drifted from
     * the records (a change made past the triggers) */
    {
        assert_int_equal(
            rp_test_db_sql(db,
                           "UPDATE agent_open_work SET open_work ="
                           " open_work + 2 WHERE agent_id ="
                           " (SELECT min(agent_id) FROM agent_open_work)",
                           NULL),
            0);
        rp_window w = {.from = from, .to = to};
        json_t *diffs = NULL;
        assert_int_equal(rp_metrics_verify(ctx, &w, &diffs, &err), RP_OK);
        assert_int_equal(json_array_size(diffs), 1);
        json_t *d = json_array_get(diffs, 0);
        assert_non_null(strstr(json_string_value(json_object_get(d, "figure")),
                               "open_work"));
        assert_int_equal(json_integer_value(json_object_get(d, "rollups")) -
                             json_integer_value(json_object_get(d, "records")),
                         2);
        json_decref(diffs);
        assert_int_equal(
            rp_test_db_sql(db,
                           "UPDATE agent_open_work SET open_work ="
                           " open_work - 2 WHERE agent_id ="
                           " (SELECT min(agent_id) FROM agent_open_work)",
                           NULL),
            0);
        expect_agree(ctx, from, to, 0, 0);
    }

    /* the moments' rollup (migration 112): moments written out of order
     * (older than the customer's newest), a customer whose moments are
     * all after a window's end or before its start, windows ending in the
     * past and not on an hour */
    int64_t late = 0;
    {
        json_t *in = json_pack("{s:s}", "name", "Late customer"), *out = NULL;
        assert_int_equal(rp_customer_create(ctx, in, &out, &err), RP_OK);
        late = json_integer_value(json_object_get(out, "id"));
        json_decref(in);
        json_decref(out);
    }
    moment_at(db, customers[0], T0 + 2 * DAY + 123, "negative");
    moment_at(db, customers[1], T0 + 2 * DAY + 3599, "positive");
    moment_at(db, late, end - 3 * DAY + 17, "neutral");
    moment_at(db, customers[2], T0 + 600, NULL);
    rp_clock_pin(end + DAY);
    int64_t moments = figure(ctx, from, to, "moments", "total");
    assert_true(moments > N_ENCOUNTERS);
    assert_true(figure(ctx, from, to, "moments", "negative") > 0);
    assert_int_equal(figure(ctx, from, to, "moments", "customers"), 13);
    expect_agree(ctx, T0 + 2 * DAY, T0 + 2 * DAY + 3600, 0, 0);
    expect_agree(ctx, T0 + 2 * DAY + 124, T0 + 5 * DAY - 1, 0, 0);
    expect_agree(ctx, T0 + 3600 + 1, end - 3 * DAY + 17, 0, 0);
    expect_agree(ctx, T0 + 3600 + 1, end - 3 * DAY + 18, 0, 0);
    expect_agree(ctx, end - 3 * DAY + 18, end + DAY, 0, 0);
    expect_agree(ctx, T0 - 7200, T0 + 601, 0, 0);
    for (int64_t a = T0; a < end; a += 2 * DAY + 3 * 3600 + 7)
        expect_agree(ctx, a, a + 4 * DAY + 1800, 0, 0);

    /* rebuilt from the records after they were emptied past the store */
    int64_t breaches = figure(ctx, from, to, "charter", "breaches");
    assert_int_equal(rp_test_db_sql(db, "DELETE FROM measure_days", NULL), 0);
    assert_int_equal(rp_test_db_sql(db, "DELETE FROM measure_breaches", NULL),
                     0);
    assert_int_equal(rp_test_db_sql(db, "DELETE FROM measure_day_totals", NULL),
                     0);
    assert_int_equal(
        rp_test_db_sql(db, "DELETE FROM measure_moment_hours", NULL), 0);
    assert_int_equal(
        rp_test_db_sql(db, "DELETE FROM measure_moment_customers", NULL), 0);
    assert_int_equal(rp_test_db_sql(db, "DELETE FROM measure_late_days", NULL),
                     0);
    assert_int_equal(
        rp_test_db_sql(db, "DELETE FROM measure_movement_days", NULL), 0);
    assert_int_equal(
        rp_test_db_sql(db, "DELETE FROM measure_breach_list", NULL), 0);
    assert_int_equal(figure(ctx, from, to, "volume", "encounters"), 0);
    /* the moments were read from their rollup: only the edges are left */
    assert_true(figure(ctx, from, to, "moments", "total") < moments);
    assert_true(figure(ctx, from, to, "charter", "breaches") < breaches);
    assert_int_equal(rp_rollup_rebuild(ctx, &err), RP_OK);
    expect_agree(ctx, from, to, 0, 0);
    expect_agree(ctx, end + DAY - 30 * DAY, end + DAY, 0, 3);
    assert_int_equal(figure(ctx, from, to, "volume", "encounters"),
                     N_ENCOUNTERS);
    assert_int_equal(figure(ctx, from, to, "charter", "breaches"), breaches);
    assert_int_equal(figure(ctx, from, to, "moments", "total"), moments);
    assert_int_equal(figure(ctx, from, to, "moments", "customers"), 13);
    rp_clock_pin(0);
}

/* The buckets of the waits' histogram, at and around each boundary. */
static void test_wait_buckets(void **state)
{
    (void)state;
    static const int64_t cases[][2] = {
        {-5, -5},       {0, 0},         {119, 119},     {120, 120},
        {129, 120},     {599, 590},     {600, 600},     {659, 600},
        {3599, 3540},   {3600, 3600},   {3899, 3600},   {21599, 21300},
        {21600, 21600}, {23399, 21600}, {86399, 84600}, {86400, 86400},
        {90000, 90000}, {93599, 90000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(rp_rollup_wait_bucket(cases[i][0]), cases[i][1]);
    json_t *h = json_pack("{s:i, s:i, s:i}", "5", 2, "130", 1, "600", 1);
    json_t *p50 = rp_rollup_rank(h, 50), *p90 = rp_rollup_rank(h, 90);
    assert_int_equal(json_integer_value(p50), 5);
    assert_int_equal(json_integer_value(p90), 600);
    json_decref(p50);
    json_decref(p90);
    json_decref(h);
    json_t *empty = json_object(), *none = rp_rollup_rank(empty, 50);
    assert_true(json_is_null(none));
    json_decref(none);
    json_decref(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wait_buckets),
        cmocka_unit_test_setup_teardown(test_rollups_agree_with_the_records,
                                        rp_test_db_setup, rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
