/*
 * nextday.c - the next-day satisfaction check of seed 003 ("The next day I
 * received a phone call with the question if everything was OK").
 *
 * An encounter closed with no satisfaction answered, none scheduled and no
 * reason to skip gets a check by itself, for the next working day at 10:00
 * in the desk's local time, so "next day" is a rule and not a date an agent
 * types.  It is not scheduled when the customer cannot be reached (no email
 * address, no phone number) or has withdrawn consent to be contacted about
 * the service; the close then records why, in plain words, in place of the
 * agent's reason.  The agent can move any scheduled check or follow-up
 * (rp_task_move).  docs/rules.md states the rule.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/encounter/encounter_internal.h"

/* When the next-day check goes out, local time. */
#define CHECK_HOUR 10

int64_t rp_next_working_day(int64_t t, int hour)
{
    time_t now = (time_t)t;
    struct tm tm;
    localtime_r(&now, &tm);
    int add = tm.tm_wday == 5 ? 3 : tm.tm_wday == 6 ? 2 : 1;
    tm.tm_mday += add;
    tm.tm_hour = hour;
    tm.tm_min = 0;
    tm.tm_sec = 0;
    tm.tm_isdst = -1; /* mktime finds whether summer time holds that day */
    return (int64_t)mktime(&tm);
}

/* "Monday 7 December at 10:00", local time: what an agent reads. */
static void when_words(int64_t t, char *out, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    if (!strftime(out, n, "%A %-d %B at %H:%M", &tm))
        snprintf(out, n, "the next working day");
}

/* Why no check can be scheduled for the customer, or NULL when one can. */
static rp_code unreachable_why(rp_ctx *ctx, int64_t customer_id,
                               const char **why, rp_error *err)
{
    json_t *c = NULL;
    *why = NULL;
    if (ctx->store->ops->get(ctx->store, &RP_ENTITY_CUSTOMER, customer_id, &c,
                             err))
        return err->code;
    int reachable = json_array_size(json_object_get(c, "emails")) > 0 ||
                    json_array_size(json_object_get(c, "phones")) > 0;
    json_decref(c);
    if (!reachable) {
        *why = "No satisfaction check was scheduled: the customer has no "
               "email address or phone number on record";
        return RP_OK;
    }
    int granted = 0;
    char reason[256];
    if (rp_consent_check(ctx, customer_id, "service", &granted, reason,
                         sizeof reason, err))
        return err->code;
    if (!granted)
        *why = "No satisfaction check was scheduled: the customer has not "
               "consented to be contacted about the service";
    return RP_OK;
}

/* Insert the check task for enc due at `due`, and its moment. */
static rp_code insert_check(rp_ctx *ctx, json_t *enc, int64_t due,
                            rp_error *err)
{
    int64_t id = rp_encounter_row_id(enc);
    json_t *params = json_pack("[I,s]", (json_int_t)id, "satisfaction_check");
    json_t *rows = NULL;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_ENCOUNTER_TASK_COUNT,
                                        params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_int_t n = json_integer_value(
                       json_object_get(json_array_get(rows, 0), "n")) +
                   1;
    json_decref(rows);
    char key[96];
    snprintf(key, sizeof key, "satisfaction_check:%lld:%lld", (long long)id,
             (long long)n);
    json_t *row = json_pack(
        "{s:I, s:I, s:s, s:s, s:n, s:s, s:{s:b}, s:I, s:s, s:s, s:i, s:s, "
        "s:I}",
        "customer_id", (json_int_t)rp_encounter_row_customer(enc),
        "encounter_id", (json_int_t)id, "kind", "satisfaction_check", "purpose",
        "service", "channel", "subject", "How did we do?", "payload",
        "next_day", 1, "due_at", (json_int_t)due, "status", "scheduled",
        "idempotency_key", key, "attempts", 0, "created_by", "rapport",
        "created_at", (json_int_t)rp_now());
    int64_t task = 0;
    rc = ctx->store->ops->insert(ctx->store, &RP_ENTITY_TASK, row, &task, err);
    json_decref(row);
    if (rc)
        return rc;
    char when[64];
    rp_buf summary = RP_BUF_INIT;
    when_words(due, when, sizeof when);
    rp_buf_printf(&summary,
                  "Satisfaction check scheduled by itself for the next "
                  "working day, %s",
                  when);
    char due_at[RP_TIME_MAX];
    rp_time_format(due, due_at);
    json_t *detail = json_pack("{s:s, s:I, s:b, s:s}", "record", "task", "id",
                               (json_int_t)task, "next_day", 1, "due_at",
                               due_at);
    rp_moment m = {
        .customer_id = rp_encounter_row_customer(enc),
        .encounter_id = id,
        .channel = json_string_value(json_object_get(enc, "channel")),
        .kind = "satisfaction.scheduled",
        .summary = rp_buf_str(&summary),
        .detail = detail};
    rc = rp_moment_record(ctx, &m, err);
    json_decref(detail);
    rp_buf_free(&summary);
    return rc;
}

rp_code rp_encounter_next_day_check(rp_ctx *ctx, json_t *enc, json_t *merged,
                                    rp_encounter_facts *f, json_t *row,
                                    rp_error *err)
{
    if (f->satisfaction_answered > 0 || f->satisfaction_scheduled > 0 ||
        !rp_text_is_blank(json_string_value(
            json_object_get(merged, "satisfaction_skip_reason"))))
        return RP_OK;
    const char *why;
    if (unreachable_why(ctx, rp_encounter_row_customer(enc), &why, err))
        return err->code;
    if (why) {
        json_object_set_new(row, "satisfaction_skip_reason", json_string(why));
        json_object_set_new(merged, "satisfaction_skip_reason",
                            json_string(why));
        return RP_OK;
    }
    rp_code rc = insert_check(ctx, enc,
                              rp_next_working_day(rp_now(), CHECK_HOUR), err);
    if (rc == RP_OK)
        f->satisfaction_scheduled++;
    return rc;
}

/* ---- moving a check or a follow-up --------------------------------------- */

#define MOVE_REASON_CHARS 500

const rp_field rp_task_move_fields[] = {
    {"due_at", RP_FIELD_TIME, RP_IN_REQUIRED, .meaning = "the new time"},
    {"reason", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = MOVE_REASON_CHARS,
     .meaning = "why it was moved, in the agent's words"},
    {.name = NULL},
};

rp_code rp_task_move(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                     rp_error *err)
{
    int64_t due = 0;
    const char *reason = NULL;
    if (rp_in_fields(in, rp_task_move_fields, 1, err) ||
        rp_in_time(in, "due_at", 1, &due, NULL, err) ||
        rp_in_string(in, "reason", 0, MOVE_REASON_CHARS, &reason, err))
        return err->code;
    if (due <= rp_now())
        return rp_error_refuse(err, RP_EINVALID, "due_at", "in_the_past", 0,
                               "due_at must be in the future: a check or "
                               "follow-up cannot be moved into the past");
    rp_store *s = ctx->store;
    if (rp_store_begin(s, err))
        return err->code;
    json_t *task = NULL;
    rp_code rc = s->ops->get(s, &RP_ENTITY_TASK, id, &task, err);
    if (rc == RP_ENOTFOUND)
        rc = rp_error_set(err, RP_ENOTFOUND, "id", "no task with id %lld",
                          (long long)id);
    const char *kind = rc ? ""
                          : json_string_value(json_object_get(task, "kind"));
    const char *status = rc ? ""
                            : json_string_value(
                                  json_object_get(task, "status"));
    if (rc == RP_OK && strcmp(kind, "satisfaction_check") &&
        strcmp(kind, "follow_up"))
        rc = rp_error_refuse(err, RP_ECONFLICT, "kind", "wrong_kind", 0,
                             "only a satisfaction check or a follow-up can be "
                             "moved; task %lld is a %s",
                             (long long)id, kind);
    if (rc == RP_OK && strcmp(status, "scheduled") && strcmp(status, "held"))
        rc = rp_error_refuse(
            err, RP_ECONFLICT, "status", "already_done", 0,
            "task %lld is %s; only a task still to be sent can "
            "be moved",
            (long long)id, status);
    if (rc == RP_OK) {
        json_t *row = json_pack("{s:I, s:n}", "due_at", (json_int_t)due,
                                "next_attempt_at");
        rc = s->ops->update(s, &RP_ENTITY_TASK, id, row, err);
        json_decref(row);
    }
    if (rc == RP_OK) {
        char when[64], mkind[64];
        when_words(due, when, sizeof when);
        snprintf(mkind, sizeof mkind, "%s.moved", kind);
        rp_buf summary = RP_BUF_INIT;
        rp_buf_printf(&summary, "%s moved to %s",
                      strcmp(kind, "follow_up") ? "Satisfaction check"
                                                : "Follow-up",
                      when);
        if (!rp_text_is_blank(reason)) {
            rp_buf_puts(&summary, ": ");
            rp_buf_put_cut(&summary, reason, 200);
        }
        json_t *eid = json_object_get(task, "encounter_id");
        json_t *detail = json_pack(
            "{s:I, s:O, s:I}", "task_id", (json_int_t)id, "previous_due_at",
            json_object_get(task, "due_at"), "due_at", (json_int_t)due);
        if (!rp_text_is_blank(reason))
            json_object_set_new(detail, "reason", json_string(reason));
        rp_moment m = {
            .customer_id = json_integer_value(
                json_object_get(task, "customer_id")),
            .encounter_id = json_is_integer(eid) ? json_integer_value(eid) : 0,
            .kind = mkind,
            .summary = rp_buf_str(&summary),
            .detail = detail};
        rc = rp_moment_record(ctx, &m, err);
        json_decref(detail);
        rp_buf_free(&summary);
    }
    json_decref(task);
    rc = rp_store_finish(s, rc, err);
    return rc ? rc : s->ops->get(s, &RP_ENTITY_TASK, id, out, err);
}
