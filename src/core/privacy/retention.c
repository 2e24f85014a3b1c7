/*
 * retention.c - the desk's retention rules: keep personal data only as long
 * as it serves the customer.
 *
 *   retention_inactive_years     erase a customer with no moment of truth
 *                                (no contact, no change) for N years;
 *   retention_attachment_months  drop attachments N months old;
 *   retention_body_months        blank the messages of encounters closed
 *                                or abandoned N months ago (their times
 *                                stay).
 *
 * A year is 365 days and a month 30, so that a rule means the same length
 * of time whenever it runs.  The scheduler applies a bounded batch of each
 * rule per step, each customer or encounter in a transaction of its own
 * with its moment of truth, so a large backlog never holds the write lock
 * for long; the dry run reports what the rules would remove now.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/privacy/privacy_internal.h"
#include "core/rapport.h"

#define DAY 86400
#define LISTED 100
#define IDLE_SECONDS 3600

typedef struct rules {
    int64_t years, attachment_months, body_months, batch;
} rules;

static rp_code read_rules(rp_ctx *ctx, rules *r, rp_error *err)
{
    if (rp_privacy_setting_int(ctx, "retention_inactive_years", &r->years,
                               err) ||
        rp_privacy_setting_int(ctx, "retention_attachment_months",
                               &r->attachment_months, err) ||
        rp_privacy_setting_int(ctx, "retention_body_months", &r->body_months,
                               err) ||
        rp_privacy_setting_int(ctx, "retention_batch", &r->batch, err))
        return err->code;
    if (r->batch < 1)
        r->batch = 1;
    return RP_OK;
}

static rp_code rows_of(rp_ctx *ctx, rp_query q, int64_t cutoff, int64_t limit,
                       json_t **rows, rp_error *err)
{
    json_t *p = limit
                    ? json_pack("[I, I]", (json_int_t)cutoff, (json_int_t)limit)
                    : json_pack("[I]", (json_int_t)cutoff);
    rp_code rc = ctx->store->ops->query(ctx->store, q, p, rows, err);
    json_decref(p);
    return rc;
}

static json_t *first(json_t *rows)
{
    json_t *row = json_array_get(rows, 0);
    return row ? json_incref(row) : json_object();
}

rp_code rp_retention_report(rp_ctx *ctx, int64_t now, json_t **out,
                            rp_error *err)
{
    rules r;
    json_t *settings = NULL;
    if (read_rules(ctx, &r, err) ||
        rp_privacy_settings_get(ctx, &settings, err))
        return err->code;
    json_t *report = json_pack("{s:o}", "rules", settings);
    json_t *rows = NULL, *count = NULL;
    rp_code rc = RP_OK;
    if (r.years) {
        int64_t cut = now - r.years * 365 * DAY;
        if ((rc = rows_of(ctx, RP_Q_PRIVACY_RETAIN_INACTIVE_COUNT, cut, 0,
                          &count, err)) ||
            (rc = rows_of(ctx, RP_Q_PRIVACY_RETAIN_INACTIVE, cut, LISTED, &rows,
                          err)))
            goto done;
        json_object_set_new(
            report, "customers",
            json_pack("{s:O, s:O}", "count",
                      json_object_get(json_array_get(count, 0), "n"), "listed",
                      rows));
        json_decref(rows);
        json_decref(count);
        rows = count = NULL;
    }
    if (r.attachment_months) {
        int64_t cut = now - r.attachment_months * 30 * DAY;
        if ((rc = rows_of(ctx, RP_Q_PRIVACY_RETAIN_ATTACHMENTS_COUNT, cut, 0,
                          &count, err)))
            goto done;
        json_t *c = first(count);
        json_object_set_new(report, "attachments",
                            json_pack("{s:O, s:O, s:O}", "count",
                                      json_object_get(c, "n"), "encounters",
                                      json_object_get(c, "encounters"), "bytes",
                                      json_object_get(c, "bytes")));
        json_decref(c);
        json_decref(count);
        count = NULL;
    }
    if (r.body_months) {
        int64_t cut = now - r.body_months * 30 * DAY;
        if ((rc = rows_of(ctx, RP_Q_PRIVACY_RETAIN_BODIES_COUNT, cut, 0, &count,
                          err)))
            goto done;
        json_t *c = first(count);
        json_object_set_new(report, "bodies",
                            json_pack("{s:O, s:O}", "encounters",
                                      json_object_get(c, "encounters"),
                                      "messages",
                                      json_object_get(c, "messages")));
        json_decref(c);
        json_decref(count);
        count = NULL;
    }
done:
    json_decref(rows);
    json_decref(count);
    if (rc) {
        json_decref(report);
        return rc;
    }
    *out = report;
    return RP_OK;
}

/* What one step of the rules removed, and whether a rule had more left. */
typedef struct tally {
    int64_t customers, attachments, encounters, messages;
    int more;
} tally;

/* What a rule does to one of the rows its query found, in a transaction of
 * its own with its moment of truth, adding what it removed to t. */
typedef rp_code (*retention_act)(rp_ctx *ctx, json_t *row, const rules *r,
                                 int64_t now, tally *t, rp_error *err);

/* One customer with no contact for the rule's years, erased. */
static rp_code erase_inactive(rp_ctx *ctx, json_t *row, const rules *r,
                              int64_t now, tally *t, rp_error *err)
{
    (void)now;
    char why[160];
    snprintf(why, sizeof why,
             "the desk's retention rules (no contact for %lld year%s)",
             (long long)r->years, r->years == 1 ? "" : "s");
    if (rp_privacy_erase_now(ctx,
                             json_integer_value(json_object_get(row, "id")),
                             why, 0, NULL, err))
        return err->code;
    t->customers++;
    return RP_OK;
}

/* One encounter's old attachments, with its moment. */
static rp_code drop_attachments(rp_ctx *ctx, json_t *row, const rules *r,
                                int64_t now, tally *t, rp_error *err)
{
    rp_store *s = ctx->store;
    int64_t cut = now - r->attachment_months * 30 * DAY;
    int64_t eid = json_integer_value(json_object_get(row, "encounter_id"));
    int64_t n = json_integer_value(json_object_get(row, "n"));
    if (rp_store_begin(s, err))
        return err->code;
    json_t *p = json_pack("[I, I]", (json_int_t)eid, (json_int_t)cut), *blobs;
    rp_code rc = s->ops->query(s, RP_Q_PRIVACY_BLOBS_OF_ENCOUNTER, p, &blobs,
                               err);
    if (rc == RP_OK) {
        rc = s->ops->exec(s, RP_Q_PRIVACY_DROP_OLD_ATTACHMENTS, p, NULL, err);
        if (rc == RP_OK)
            rc = rp_privacy_drop_blobs(ctx, blobs, err);
        json_decref(blobs);
    }
    json_decref(p);
    if (rc == RP_OK) {
        char summary[200];
        snprintf(summary, sizeof summary,
                 "%lld attachment%s older than %lld month%s removed under the "
                 "desk's retention rules",
                 (long long)n, n == 1 ? "" : "s",
                 (long long)r->attachment_months,
                 r->attachment_months == 1 ? "" : "s");
        rp_moment m = {.customer_id = json_integer_value(
                           json_object_get(row, "customer_id")),
                       .encounter_id = eid,
                       .kind = "retention.attachments_dropped",
                       .summary = summary};
        json_t *said = json_pack("{s:I, s:I}", "count", (json_int_t)n, "months",
                                 (json_int_t)r->attachment_months);
        m.detail = said;
        rc = rp_moment_record(ctx, &m, err);
        json_decref(said);
    }
    rc = rp_store_finish(s, rc, err);
    if (rc == RP_OK)
        t->attachments += n;
    return rc;
}

/* One closed encounter's message bodies, with its moment. */
static rp_code blank_bodies(rp_ctx *ctx, json_t *row, const rules *r,
                            int64_t now, tally *t, rp_error *err)
{
    rp_store *s = ctx->store;
    int64_t eid = json_integer_value(json_object_get(row, "id"));
    if (rp_store_begin(s, err))
        return err->code;
    json_t *p = json_pack("[I, s, I]", (json_int_t)eid, RP_ERASED_TEXT,
                          (json_int_t)now);
    int64_t n = 0;
    rp_code rc = s->ops->exec(s, RP_Q_PRIVACY_DROP_BODIES, p, &n, err);
    json_decref(p);
    /* the moments of the conversation quote its messages */
    if (rc == RP_OK && n > 0)
        rc = rp_ledger_erase_encounter(ctx, eid, now, err);
    if (rc == RP_OK) {
        p = json_pack("[I, I]", (json_int_t)eid, (json_int_t)now);
        rc = s->ops->exec(s, RP_Q_PRIVACY_BODIES_DROPPED, p, NULL, err);
        json_decref(p);
    }
    if (rc == RP_OK && n > 0) {
        char summary[200];
        snprintf(summary, sizeof summary,
                 "The text of %lld message%s removed under the desk's "
                 "retention rules, %lld month%s after the encounter ended",
                 (long long)n, n == 1 ? " was" : "s were",
                 (long long)r->body_months, r->body_months == 1 ? "" : "s");
        rp_moment m = {.customer_id = json_integer_value(
                           json_object_get(row, "customer_id")),
                       .encounter_id = eid,
                       .kind = "retention.messages_blanked",
                       .summary = summary};
        json_t *said = json_pack("{s:I, s:I}", "count", (json_int_t)n, "months",
                                 (json_int_t)r->body_months);
        m.detail = said;
        rc = rp_moment_record(ctx, &m, err);
        json_decref(said);
    }
    rc = rp_store_finish(s, rc, err);
    if (rc == RP_OK) {
        t->messages += n;
        t->encounters++;
    }
    return rc;
}

/* One batch of one rule: the rows q finds older than cut, each acted on.
 * A full batch means the rule has more left for the next step. */
static rp_code run_rule(rp_ctx *ctx, rp_query q, int64_t cut, const rules *r,
                        int64_t now, retention_act act, tally *t, rp_error *err)
{
    json_t *rows;
    if (rows_of(ctx, q, cut, r->batch, &rows, err))
        return err->code;
    t->more |= (int64_t)json_array_size(rows) == r->batch;
    rp_code rc = RP_OK;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        if ((rc = act(ctx, row, r, now, t, err)))
            break;
        /* each row is its own transaction: the requests waiting to write
         * go between two */
        rp_store_give_way(ctx->store, 50);
    }
    json_decref(rows);
    return rc;
}

/* Removed rows leave SQLite's log as well; best effort, as the rows are
 * already gone from the database. */
static void scrub_log(rp_ctx *ctx)
{
    rp_error ignored;
    ctx->store->ops->scrub(ctx->store, &ignored);
}

rp_code rp_retention_apply(rp_ctx *ctx, int64_t now, json_t **out,
                           rp_error *err)
{
    rules r;
    if (read_rules(ctx, &r, err))
        return err->code;
    tally t = {0};
    rp_code rc = RP_OK;
    if (r.years)
        rc = run_rule(ctx, RP_Q_PRIVACY_RETAIN_INACTIVE,
                      now - r.years * 365 * DAY, &r, now, erase_inactive, &t,
                      err);
    if (rc == RP_OK && r.attachment_months) {
        rc = run_rule(ctx, RP_Q_PRIVACY_RETAIN_ATTACHMENTS,
                      now - r.attachment_months * 30 * DAY, &r, now,
                      drop_attachments, &t, err);
        if (t.attachments > 0)
            scrub_log(ctx);
    }
    if (rc == RP_OK && r.body_months) {
        rc = run_rule(ctx, RP_Q_PRIVACY_RETAIN_BODIES,
                      now - r.body_months * 30 * DAY, &r, now, blank_bodies, &t,
                      err);
        if (t.messages > 0)
            scrub_log(ctx);
    }
    if (rc)
        return rc;
    *out = json_pack("{s:I, s:I, s:I, s:I, s:b}", "customers_erased",
                     (json_int_t)t.customers, "attachments_dropped",
                     (json_int_t)t.attachments, "encounters_blanked",
                     (json_int_t)t.encounters, "messages_blanked",
                     (json_int_t)t.messages, "more", t.more);
    return RP_OK;
}

rp_code rp_retention_tick(rp_ctx *ctx, int64_t now, json_t **out, rp_error *err)
{
    int64_t next;
    *out = NULL;
    if (rp_privacy_setting_int(ctx, "retention_next_at", &next, err))
        return err->code;
    if (now < next)
        return RP_OK;
    json_t *done;
    if (rp_retention_apply(ctx, now, &done, err))
        return err->code;
    char when[32];
    snprintf(when, sizeof when, "%lld",
             (long long)(json_is_true(json_object_get(done, "more"))
                             ? now
                             : now + IDLE_SECONDS));
    rp_code rc = rp_store_begin(ctx->store, err);
    if (rc == RP_OK)
        rc = rp_store_finish(
            ctx->store,
            rp_privacy_setting_put(ctx, "retention_next_at", when, err), err);
    if (rc) {
        json_decref(done);
        return rc;
    }
    *out = done;
    return RP_OK;
}
