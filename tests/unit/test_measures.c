/*
 * test_measures.c - measured waiting, the charter and the metrics against
 * a real SQLite store: percentile ranks and the percentile queries, the
 * breach rules (and that the breach query agrees with the per-encounter
 * judgement), promise settlement and keeping, charter validation, windows.
 *
 * Rows are written through the store's generic record operations with
 * chosen timestamps, and the clock is pinned, so every expected figure is
 * computed here from the rows rather than copied from a run.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

#define NOW                                                                    \
    1900000000LL /* 2030-03-17T17:46:40Z: after the migration wrote the        \
                    defaults */
#define MIN 60
#define HOUR 3600

/* The shared temporary database and the one customer every row belongs to;
 * s and ctx are the database's own, named short. */
typedef struct fixture {
    rp_test_db db;
    rp_store *s;
    rp_ctx ctx;
    int64_t customer;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    rp_test_db_make(&f->db, 1);
    f->s = f->db.store;
    f->ctx = f->db.ctx;
    rp_error err;
    rp_clock_pin(NOW);
    json_t *c = NULL;
    json_t *in = json_pack("{s:s}", "name", "Seed Three");
    assert_int_equal(rp_customer_create(&f->ctx, in, &c, &err), RP_OK);
    f->customer = json_integer_value(json_object_get(c, "id"));
    json_decref(in);
    json_decref(c);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rp_test_db_remove(&f->db);
    free(f);
    return 0;
}

/* Insert an encounter; times are offsets before NOW (0: not set). */
static int64_t encounter(fixture *f, int64_t created_ago, int64_t ack_ago,
                         int64_t first_ago, int64_t closed_ago,
                         int64_t abandoned_ago, int fcr, int64_t queue)
{
    json_t *row = json_pack(
        "{s:I, s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:o, "
        "s:o, s:o, s:o}",
        "customer_id", (json_int_t)f->customer, "channel", "phone", "subject",
        "test", "stage",
        closed_ago      ? "closed"
        : abandoned_ago ? "abandoned"
                        : "received",
        "created_at", (json_int_t)(NOW - created_ago), "updated_at",
        (json_int_t)NOW, "acknowledged_at",
        ack_ago ? json_integer(NOW - ack_ago) : json_null(),
        "first_response_at",
        first_ago ? json_integer(NOW - first_ago) : json_null(), "closed_at",
        closed_ago ? json_integer(NOW - closed_ago) : json_null(),
        "abandoned_at",
        abandoned_ago ? json_integer(NOW - abandoned_ago) : json_null(),
        "first_contact_resolved", closed_ago ? json_boolean(fcr) : json_null(),
        "queue_id", queue ? json_integer(queue) : json_null());
    int64_t id = 0;
    rp_error err;
    assert_int_equal(
        f->s->ops->insert(f->s, &RP_ENTITY_ENCOUNTER, row, &id, &err), RP_OK);
    json_decref(row);
    return id;
}

static int64_t promise(fixture *f, int64_t encounter_id, int64_t due_ago,
                       const char *status, int64_t settled_ago)
{
    json_t *row = json_pack(
        "{s:I, s:I, s:s, s:I, s:s, s:o, s:I}", "customer_id",
        (json_int_t)f->customer, "encounter_id", (json_int_t)encounter_id,
        "what", "call back", "due_at", (json_int_t)(NOW - due_ago), "status",
        status, "settled_at",
        settled_ago ? json_integer(NOW - settled_ago) : json_null(),
        "created_at", (json_int_t)(NOW - 10 * HOUR));
    int64_t id = 0;
    rp_error err;
    assert_int_equal(
        f->s->ops->insert(f->s, &RP_ENTITY_PROMISE, row, &id, &err), RP_OK);
    json_decref(row);
    return id;
}

static int64_t follow_up(fixture *f, int64_t due_ago, const char *status,
                         int64_t done_ago)
{
    static int seq;
    char key[32];
    snprintf(key, sizeof key, "fu-%d", ++seq);
    json_t *row = json_pack(
        "{s:I, s:s, s:s, s:I, s:s, s:s, s:o, s:I}", "customer_id",
        (json_int_t)f->customer, "kind", "follow_up", "subject",
        "how is it going?", "due_at", (json_int_t)(NOW - due_ago), "status",
        status, "idempotency_key", key, "done_at",
        done_ago ? json_integer(NOW - done_ago) : json_null(), "created_at",
        (json_int_t)(NOW - 10 * HOUR));
    int64_t id = 0;
    rp_error err;
    assert_int_equal(f->s->ops->insert(f->s, &RP_ENTITY_TASK, row, &id, &err),
                     RP_OK);
    json_decref(row);
    return id;
}

static rp_window last_day(void)
{
    return (rp_window){NOW - 24 * HOUR, NOW + 1, 0, 0, NULL};
}

/* ---- percentiles ----------------------------------------------------------
 */

static void test_percentile_rank(void **state)
{
    (void)state;
    assert_int_equal(rp_percentile_rank(0, 50), -1);
    assert_int_equal(rp_percentile_rank(1, 50), 0);
    assert_int_equal(rp_percentile_rank(1, 90), 0);
    assert_int_equal(rp_percentile_rank(2, 50), 0); /* ceil(1) - 1 */
    assert_int_equal(rp_percentile_rank(3, 50), 1); /* ceil(1.5) - 1 */
    assert_int_equal(rp_percentile_rank(10, 50), 4);
    assert_int_equal(rp_percentile_rank(10, 90), 8);
    assert_int_equal(rp_percentile_rank(11, 90), 9); /* ceil(9.9) - 1 */
    assert_int_equal(rp_percentile_rank(100, 90), 89);
    assert_int_equal(rp_percentile_rank(100, 100), 99);
    assert_int_equal(rp_percentile_rank(7, 100), 6);
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void test_wait_percentiles_from_the_store(void **state)
{
    fixture *f = *state;
    /* 23 waits in scrambled order; abandoned-before-acknowledgement counts
     * its wait until the hang-up; still-waiting encounters are not measured. */
    int64_t waits[23];
    for (int i = 0; i < 23; i++) {
        waits[i] = (int64_t)((i * 37) % 23 + 1) * 45;
        if (i % 5 == 0)
            encounter(f, 5 * HOUR, 0, 0, 0, 5 * HOUR - waits[i], 0, 0);
        else
            encounter(f, 5 * HOUR, 5 * HOUR - waits[i], 0, 0, 0, 0, 0);
    }
    encounter(f, 2 * HOUR, 0, 0, 0, 0, 0, 0); /* waiting: not measured */
    qsort(waits, 23, sizeof waits[0], cmp64);
    rp_window w = last_day();
    json_t *m = NULL;
    rp_error err;
    assert_int_equal(rp_metrics_service(&f->ctx, &w, &m, &err), RP_OK);
    json_t *wait = json_object_get(m, "wait");
    assert_int_equal(json_integer_value(json_object_get(wait, "measured")), 23);
    /* the rollups' percentiles are the start of the exact figure's bucket
     * (docs/rules.md); the longest wait is exact */
    assert_int_equal(json_integer_value(json_object_get(wait, "p50_seconds")),
                     rp_rollup_wait_bucket(waits[rp_percentile_rank(23, 50)]));
    assert_int_equal(json_integer_value(json_object_get(wait, "p90_seconds")),
                     rp_rollup_wait_bucket(waits[rp_percentile_rank(23, 90)]));
    assert_int_equal(json_integer_value(json_object_get(wait, "max_seconds")),
                     waits[22]);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(m, "volume"), "encounters")),
                     24);
    json_decref(m);
    /* from the records, the percentiles are exact */
    assert_int_equal(rp_metrics_service_direct(&f->ctx, &w, &m, &err), RP_OK);
    wait = json_object_get(m, "wait");
    assert_int_equal(json_integer_value(json_object_get(wait, "p50_seconds")),
                     waits[rp_percentile_rank(23, 50)]);
    assert_int_equal(json_integer_value(json_object_get(wait, "p90_seconds")),
                     waits[rp_percentile_rank(23, 90)]);
    json_decref(m);
}

/* ---- charter breach rules -------------------------------------------------
 */

typedef struct expect {
    const char *target;
    const char *subject;
    int64_t id;
} expect;

static int listed(json_t *items, const char *target, const char *subject,
                  int64_t id)
{
    size_t i;
    json_t *b;
    json_array_foreach(items, i, b)
        if (!strcmp(json_string_value(json_object_get(b, "target")), target) &&
            !strcmp(json_string_value(json_object_get(b, "subject")),
                    subject) &&
            json_integer_value(json_object_get(b, "subject_id")) == id)
            return 1;
    return 0;
}

static void test_breach_rules(void **state)
{
    fixture *f = *state;
    /* Targets: 5 min, 15 min, 24 h (the defaults). */
    int64_t seed3 = encounter(f, 40 * MIN, 10 * MIN, 0, 0, 9 * MIN, 0, 0);
    int64_t prompt = encounter(f, 2 * HOUR, 2 * HOUR - 60, 2 * HOUR - 120, HOUR,
                               0, 1, 0);
    int64_t slow_reply = encounter(f, 3 * HOUR, 3 * HOUR - 60,
                                   3 * HOUR - 20 * MIN, 2 * HOUR, 0, 1, 0);
    int64_t waiting = encounter(f, 6 * MIN, 0, 0, 0, 0, 0, 0);
    int64_t fresh = encounter(f, 2 * MIN, 0, 0, 0, 0, 0, 0);
    int64_t hangup = encounter(f, 3 * MIN, 0, 0, 0, 1 * MIN, 0, 0);
    int64_t old_open = encounter(f, 23 * HOUR, 23 * HOUR - 60, 23 * HOUR - 60,
                                 0, 0, 0, 0);
    int64_t p_broken = promise(f, prompt, HOUR, "open", 0);
    int64_t p_future = promise(f, prompt, -HOUR, "open", 0);
    int64_t p_kept = promise(f, prompt, 2 * HOUR, "kept", 3 * HOUR);
    int64_t p_late = promise(f, prompt, 2 * HOUR, "kept", HOUR);
    int64_t t_late = follow_up(f, 3 * HOUR, "done", 2 * HOUR);
    int64_t t_ok = follow_up(f, 3 * HOUR, "done", 4 * HOUR);
    int64_t t_missed = follow_up(f, HOUR, "scheduled", 0);
    int64_t t_cancel = follow_up(f, HOUR, "cancelled", 0);
    int64_t t_future = follow_up(f, -HOUR, "scheduled", 0);

    rp_window w = last_day();
    json_t *out = NULL;
    rp_error err;
    assert_int_equal(rp_charter_breaches(&f->ctx, &w, 1000, &out, &err), RP_OK);
    json_t *items = json_object_get(out, "items");
    const expect yes[] = {
        {"acknowledge", "encounter", seed3},         /* 30 min wait */
        {"first_response", "encounter", seed3},      /* abandoned at 31 min */
        {"resolution", "encounter", seed3},          /* never resolved */
        {"first_response", "encounter", slow_reply}, /* 20 min */
        {"acknowledge", "encounter", waiting},       /* 6 min and counting */
        {"resolution", "encounter", hangup},         /* abandoned */
        {"follow_up_on_time", "promise", p_broken},
        {"follow_up_on_time", "promise", p_late},
        {"follow_up_on_time", "follow_up", t_late},
        {"follow_up_on_time", "follow_up", t_missed},
    };
    const expect no[] = {
        {"acknowledge", "encounter", prompt},
        {"first_response", "encounter", prompt},
        {"resolution", "encounter", prompt},
        {"resolution", "encounter", slow_reply}, /* 1 h < 24 h */
        {"acknowledge", "encounter", fresh},
        {"acknowledge", "encounter", hangup},  /* hung up after 2 min */
        {"resolution", "encounter", old_open}, /* 23 h < 24 h, still open */
        {"follow_up_on_time", "promise", p_future},
        {"follow_up_on_time", "promise", p_kept},
        {"follow_up_on_time", "follow_up", t_ok},
        {"follow_up_on_time", "follow_up", t_cancel},
        {"follow_up_on_time", "follow_up", t_future},
    };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (!listed(items, yes[i].target, yes[i].subject, yes[i].id))
            fail_msg("expected a %s breach of %s %lld", yes[i].target,
                     yes[i].subject, (long long)yes[i].id);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (listed(items, no[i].target, no[i].subject, no[i].id))
            fail_msg("unexpected %s breach of %s %lld", no[i].target,
                     no[i].subject, (long long)no[i].id);
    /* "waiting" is also first_response-pending but within 15 min; fresh is
     * within every target: exactly the listed ones and these counts. */
    assert_int_equal(json_array_size(items), sizeof yes / sizeof yes[0]);
    assert_int_equal(json_integer_value(json_object_get(out, "count")),
                     (json_int_t)(sizeof yes / sizeof yes[0]));
    json_t *counts = json_object_get(out, "counts");
    assert_int_equal(json_integer_value(json_object_get(counts, "acknowledge")),
                     2);
    assert_int_equal(
        json_integer_value(json_object_get(counts, "follow_up_on_time")), 4);
    /* The seed-3 acknowledgement: 30 minutes against 5, over by 25. */
    size_t i;
    json_t *b;
    json_array_foreach(items, i, b)
        if (json_integer_value(json_object_get(b, "subject_id")) == seed3 &&
            !strcmp(json_string_value(json_object_get(b, "target")),
                    "acknowledge")) {
            assert_int_equal(
                json_integer_value(json_object_get(b, "actual_seconds")),
                30 * MIN);
            assert_int_equal(
                json_integer_value(json_object_get(b, "over_by_seconds")),
                25 * MIN);
            assert_string_equal(json_string_value(json_object_get(b, "detail")),
                                "acknowledged late");
            assert_string_equal(
                json_string_value(json_object_get(b, "customer_name")),
                "Seed Three");
        }
    /* The report's breach_times are these rows averaged, per target: the
     * time past the target (none counts 0) and the calendar time. */
    rp_metrics_options opts = {.breach_times = 1};
    json_t *report = NULL;
    assert_int_equal(rp_metrics_service_with(&f->ctx, &w, &opts, &report, &err),
                     RP_OK);
    const char *all[] = {"acknowledge", "first_response", "resolution",
                         "follow_up_on_time"};
    for (size_t k = 0; k < 4; k++) {
        int64_t n = 0, over = 0, calendar = 0;
        json_array_foreach(items, i, b) {
            if (strcmp(json_string_value(json_object_get(b, "target")), all[k]))
                continue;
            n++;
            over += json_integer_value(json_object_get(b, "over_by_seconds"));
            calendar += json_integer_value(
                json_object_get(b, "calendar_seconds"));
        }
        json_t *t = json_object_get(
            json_object_get(json_object_get(report, "charter"), "times"),
            all[k]);
        assert_int_equal(json_integer_value(json_object_get(t, "breaches")), n);
        assert_true(n > 0);
        double o = json_number_value(
            json_object_get(t, "over_seconds_average"));
        double c = json_number_value(
            json_object_get(t, "calendar_seconds_average"));
        if (fabs(o - round((double)over / (double)n * 10.0) / 10.0) > 1e-9 ||
            fabs(c - round((double)calendar / (double)n * 10.0) / 10.0) > 1e-9)
            fail_msg("%s: report %.1f over, %.1f taken; breach list %lld and "
                     "%lld over %lld breaches",
                     all[k], o, c, (long long)over, (long long)calendar,
                     (long long)n);
    }
    json_decref(report);
    /* The per-encounter judgement agrees with the breach query. */
    const int64_t encs[] = {seed3, prompt, slow_reply, waiting,
                            fresh, hangup, old_open};
    const char *targets[] = {"acknowledge", "first_response", "resolution"};
    for (size_t e = 0; e < sizeof encs / sizeof encs[0]; e++) {
        json_t *m = NULL;
        assert_int_equal(rp_measure_get(&f->ctx, encs[e], &m, &err), RP_OK);
        for (int t = 0; t < 3; t++) {
            int judged = json_is_true(json_object_get(
                json_object_get(json_object_get(m, "charter"), targets[t]),
                "breached"));
            if (judged != listed(items, targets[t], "encounter", encs[e]))
                fail_msg("encounter %lld, %s: measure says %d, query disagrees",
                         (long long)encs[e], targets[t], judged);
        }
        json_decref(m);
    }
    json_decref(out);

    /* A change of the charter applies from the moment it is made:
     * turning follow_up_on_time off and tightening the acknowledgement
     * target leave history judged as it was. */
    json_t *in = json_pack("{s:b, s:i}", "follow_up_on_time", 0,
                           "acknowledge_minutes", 1);
    json_t *c = NULL;
    assert_int_equal(rp_charter_update(&f->ctx, in, &c, &err), RP_OK);
    json_decref(in);
    json_decref(c);
    assert_int_equal(rp_charter_breaches(&f->ctx, &w, 1000, &out, &err), RP_OK);
    counts = json_object_get(out, "counts");
    assert_int_equal(
        json_integer_value(json_object_get(counts, "follow_up_on_time")), 4);
    assert_int_equal(json_integer_value(json_object_get(counts, "acknowledge")),
                     2);
    json_decref(out);
    /* the version in force an instant before is the old one */
    rp_charter then, now;
    int64_t v_then = 0, v_now = 0;
    assert_int_equal(rp_charter_at(&f->ctx, rp_now() - 1, &then, &v_then, &err),
                     RP_OK);
    assert_int_equal(rp_charter_at(&f->ctx, rp_now(), &now, &v_now, &err),
                     RP_OK);
    assert_int_equal(then.acknowledge_minutes, 5);
    assert_int_equal(now.acknowledge_minutes, 1);
    assert_false(now.follow_up_on_time);
    assert_true(v_now > v_then);
}

static void test_measures_of_one_encounter(void **state)
{
    fixture *f = *state;
    int64_t id = encounter(f, 40 * MIN, 10 * MIN, 0, 0, 9 * MIN, 0, 0);
    json_t *e = NULL, *m;
    rp_error err;
    assert_int_equal(rp_encounter_get(&f->ctx, id, &e, &err), RP_OK);
    assert_int_equal(rp_measure_encounter(&f->ctx, e, &err), RP_OK);
    m = json_object_get(e, "measures");
    assert_int_equal(
        json_integer_value(json_object_get(m, "queue_wait_seconds")), 30 * MIN);
    assert_false(json_is_true(json_object_get(m, "waiting")));
    assert_true(json_is_true(json_object_get(m, "abandoned")));
    assert_true(json_is_null(json_object_get(m, "resolution_seconds")));
    assert_true(json_is_null(json_object_get(m, "first_contact_resolved")));
    json_decref(e);

    int64_t fast = encounter(f, 2 * HOUR, 2 * HOUR - 60, 2 * HOUR - 120, HOUR,
                             0, 1, 0);
    assert_int_equal(rp_measure_get(&f->ctx, fast, &m, &err), RP_OK);
    assert_int_equal(
        json_integer_value(json_object_get(m, "queue_wait_seconds")), 60);
    assert_int_equal(
        json_integer_value(json_object_get(m, "first_response_seconds")), 120);
    assert_int_equal(
        json_integer_value(json_object_get(m, "resolution_seconds")), HOUR);
    assert_true(json_is_true(json_object_get(m, "first_contact_resolved")));
    json_decref(m);

    int64_t still = encounter(f, 7 * MIN, 0, 0, 0, 0, 0, 0);
    assert_int_equal(rp_measure_get(&f->ctx, still, &m, &err), RP_OK);
    assert_true(json_is_true(json_object_get(m, "waiting")));
    assert_int_equal(
        json_integer_value(json_object_get(m, "queue_wait_seconds")), 7 * MIN);
    json_decref(m);
    assert_int_equal(rp_measure_get(&f->ctx, 999999, &m, &err), RP_ENOTFOUND);
}

/* ---- promises -------------------------------------------------------------
 */

static int64_t moments_of_kind(fixture *f, const char *kind)
{
    json_t *v = json_string(kind);
    rp_filter flt = {"kind", RP_FILTER_EQ, v};
    int64_t n = 0;
    rp_error err;
    assert_int_equal(
        f->s->ops->count(f->s, &RP_ENTITY_MOMENT, &flt, 1, &n, &err), RP_OK);
    json_decref(v);
    return n;
}

static const char *status_of(fixture *f, int64_t id)
{
    static char buf[16];
    json_t *p = NULL;
    rp_error err;
    assert_int_equal(f->s->ops->get(f->s, &RP_ENTITY_PROMISE, id, &p, &err),
                     RP_OK);
    snprintf(buf, sizeof buf, "%s",
             json_string_value(json_object_get(p, "status")));
    json_decref(p);
    return buf;
}

static void test_promise_settlement(void **state)
{
    fixture *f = *state;
    int64_t e = encounter(f, 3 * HOUR, 3 * HOUR, 0, 0, 0, 0, 0);
    int64_t overdue1 = promise(f, e, HOUR, "open", 0);
    int64_t overdue2 = promise(f, e, 1, "open", 0);
    int64_t due_now = promise(f, e, 0, "open", 0); /* due this second */
    int64_t future = promise(f, e, -HOUR, "open", 0);
    int64_t kept = promise(f, e, 2 * HOUR, "kept", 3 * HOUR);
    int64_t n = -1;
    rp_error err;
    assert_int_equal(rp_charter_settle_promises(&f->ctx, NOW, &n, &err), RP_OK);
    assert_int_equal(n, 2);
    assert_string_equal(status_of(f, overdue1), "broken");
    assert_string_equal(status_of(f, overdue2), "broken");
    assert_string_equal(status_of(f, due_now), "open");
    assert_string_equal(status_of(f, future), "open");
    assert_string_equal(status_of(f, kept), "kept");
    assert_int_equal(moments_of_kind(f, "promise.broken"), 2);
    /* Settling again changes nothing and writes no moment. */
    assert_int_equal(rp_charter_settle_promises(&f->ctx, NOW, &n, &err), RP_OK);
    assert_int_equal(n, 0);
    assert_int_equal(moments_of_kind(f, "promise.broken"), 2);

    json_t *p = NULL;
    assert_int_equal(rp_promise_keep(&f->ctx, future, &p, &err), RP_OK);
    assert_string_equal(json_string_value(json_object_get(p, "status")),
                        "kept");
    json_decref(p);
    assert_int_equal(moments_of_kind(f, "promise.kept"), 1);
    assert_int_equal(rp_promise_keep(&f->ctx, future, &p, &err), RP_ECONFLICT);
    assert_int_equal(rp_promise_keep(&f->ctx, overdue1, &p, &err),
                     RP_ECONFLICT);
    assert_string_equal(err.field, "status");
    /* Open but past its date (not yet settled): refused, left for settle. */
    rp_clock_pin(NOW + 10);
    assert_int_equal(rp_promise_keep(&f->ctx, due_now, &p, &err), RP_ECONFLICT);
    assert_string_equal(err.field, "due_at");
    assert_string_equal(status_of(f, due_now), "open");
    assert_int_equal(rp_promise_keep(&f->ctx, 424242, &p, &err), RP_ENOTFOUND);
    assert_int_equal(moments_of_kind(f, "promise.kept"), 1);

    /* Metrics count them once settled. */
    rp_window w = {NOW - 24 * HOUR, NOW + 2 * HOUR, 0, 0, NULL};
    json_t *m = NULL;
    assert_int_equal(rp_metrics_service(&f->ctx, &w, &m, &err), RP_OK);
    json_t *pr = json_object_get(m, "promises");
    assert_int_equal(json_integer_value(json_object_get(pr, "broken")), 3);
    assert_int_equal(json_integer_value(json_object_get(pr, "kept")), 2);
    assert_int_equal(json_integer_value(json_object_get(pr, "open")), 0);
    json_decref(m);
}

/* ---- charter validation and windows -------------------------------------- */

static void expect_refused(fixture *f, const char *json, rp_code code,
                           const char *field)
{
    json_t *in = json_loads(json, 0, NULL), *out = NULL;
    rp_error err;
    assert_int_equal(rp_charter_update(&f->ctx, in, &out, &err), code);
    if (field)
        assert_string_equal(err.field, field);
    json_decref(in);
}

static void test_charter_validation(void **state)
{
    fixture *f = *state;
    rp_charter c;
    rp_error err;
    assert_int_equal(rp_charter_load(&f->ctx, &c, &err), RP_OK);
    assert_int_equal(c.acknowledge_minutes, 5);
    assert_int_equal(c.first_response_minutes, 15);
    assert_int_equal(c.resolution_hours, 24);
    assert_int_equal(c.follow_up_on_time, 1);
    expect_refused(f, "{\"acknowledge_minutes\":0}", RP_EINVALID,
                   "acknowledge_minutes");
    expect_refused(f, "{\"acknowledge_minutes\":\"5\"}", RP_ETYPE,
                   "acknowledge_minutes");
    expect_refused(f, "{\"resolution_hours\":9000}", RP_EINVALID,
                   "resolution_hours");
    expect_refused(f, "{\"follow_up_on_time\":1}", RP_ETYPE,
                   "follow_up_on_time");
    expect_refused(f, "{\"first_response_minutes\":3}", RP_EINVALID,
                   "first_response_minutes");
    expect_refused(f, "{\"acknowledge_minutes\":30}", RP_EINVALID,
                   "acknowledge_minutes");
    expect_refused(
        f, "{\"acknowledge_minutes\":4,\"first_response_minutes\":3000}",
        RP_EINVALID, "first_response_minutes");
    expect_refused(f, "{\"speed\":1}", RP_EINVALID, "speed");
    expect_refused(f, "{}", RP_EINVALID, NULL);
    /* A valid field next to an invalid one changes nothing. */
    expect_refused(f, "{\"resolution_hours\":8,\"acknowledge_minutes\":-1}",
                   RP_EINVALID, "acknowledge_minutes");
    assert_int_equal(rp_charter_load(&f->ctx, &c, &err), RP_OK);
    assert_int_equal(c.resolution_hours, 24);

    json_t *in = json_pack("{s:i, s:i}", "acknowledge_minutes", 2,
                           "resolution_hours", 8),
           *out = NULL;
    assert_int_equal(rp_charter_update(&f->ctx, in, &out, &err), RP_OK);
    assert_int_equal(
        json_integer_value(json_object_get(out, "acknowledge_minutes")), 2);
    assert_int_equal(
        json_integer_value(json_object_get(out, "first_response_minutes")), 15);
    assert_string_equal(json_string_value(json_object_get(out, "updated_by")),
                        "test");
    json_decref(in);
    json_decref(out);
}

static void test_window_parse(void **state)
{
    (void)state;
    rp_window w;
    rp_error err;
    assert_int_equal(rp_window_parse(NULL, NULL, NULL, NULL, &w, &err), RP_OK);
    assert_int_equal(w.to - w.from, 30 * 24 * HOUR);
    assert_int_equal(rp_window_parse("2026-11-01T00:00:00Z",
                                     "2026-11-02T00:00:00Z", "3", "4", &w,
                                     &err),
                     RP_OK);
    assert_int_equal(w.to - w.from, 24 * HOUR);
    assert_int_equal(w.queue_id, 3);
    assert_int_equal(w.agent_id, 4);
    assert_int_equal(rp_window_parse("yesterday", NULL, NULL, NULL, &w, &err),
                     RP_EINVALID);
    assert_string_equal(err.field, "from");
    assert_int_equal(
        rp_window_parse(NULL, "2026-13-01T00:00:00Z", NULL, NULL, &w, &err),
        RP_EINVALID);
    assert_string_equal(err.field, "to");
    assert_int_equal(rp_window_parse("2026-11-02T00:00:00Z",
                                     "2026-11-01T00:00:00Z", NULL, NULL, &w,
                                     &err),
                     RP_EINVALID);
    assert_string_equal(err.field, "from");
    assert_int_equal(rp_window_parse("2024-01-01T00:00:00Z",
                                     "2026-01-01T00:00:00Z", NULL, NULL, &w,
                                     &err),
                     RP_EINVALID);
    assert_int_equal(rp_window_parse(NULL, NULL, "0", NULL, &w, &err),
                     RP_EINVALID);
    assert_string_equal(err.field, "queue");
    assert_int_equal(rp_window_parse(NULL, NULL, NULL, "x", &w, &err),
                     RP_EINVALID);
    assert_string_equal(err.field, "agent");
}

static void test_queue_filter(void **state)
{
    fixture *f = *state;
    int64_t in7 = encounter(f, HOUR, HOUR - 30, 0, 0, 0, 0, 7);
    encounter(f, HOUR, HOUR - 90, 0, 0, 0, 0, 7);
    encounter(f, HOUR, 0, 0, 0, HOUR - 40 * MIN, 0, 8);
    rp_error err;
    rp_moment mo = {.customer_id = f->customer,
                    .encounter_id = in7,
                    .kind = "encounter.acknowledged",
                    .summary = "hello",
                    .impression = "positive"};
    assert_int_equal(rp_moment_record(&f->ctx, &mo, &err), RP_OK);
    rp_window w = last_day();
    json_t *m = NULL;
    /* Unfiltered: the customer.created moment and this one. */
    assert_int_equal(rp_metrics_service(&f->ctx, &w, &m, &err), RP_OK);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(m, "moments"), "total")),
                     2);
    json_decref(m);
    w.queue_id = 7;
    assert_int_equal(rp_metrics_service(&f->ctx, &w, &m, &err), RP_OK);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(m, "moments"), "total")),
                     1);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(m, "moments"), "positive")),
                     1);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(m, "volume"), "encounters")),
                     2);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(m, "abandonment"), "abandoned")),
                     0);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(m, "wait"), "max_seconds")),
                     90);
    json_decref(m);
    w.queue_id = 8;
    assert_int_equal(rp_metrics_service(&f->ctx, &w, &m, &err), RP_OK);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(m, "moments"), "total")),
                     0);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(m, "abandonment"), "abandoned")),
                     1);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(m, "charter"), "breaches")),
                     3); /* acknowledge, first response, resolution */
    json_decref(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percentile_rank),
        cmocka_unit_test_setup_teardown(test_wait_percentiles_from_the_store,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_breach_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_measures_of_one_encounter, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_promise_settlement, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_charter_validation, setup,
                                        teardown),
        cmocka_unit_test(test_window_parse),
        cmocka_unit_test_setup_teardown(test_queue_filter, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
