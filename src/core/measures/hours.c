/*
 * hours.c - the business hours of each queue and the desk's holidays, as
 * a lead reads and replaces them, and the calendar the charter's clocks
 * of a queue count in (see calendar.h for the counting itself).
 *
 * The shape follows the schedules of Zendesk: one time zone, weekly
 * openings in its local time (one interval per day and opening, several
 * a day allowed), and holidays as whole local dates.  Holidays are kept
 * per queue and for the whole desk; a queue's calendar closes on both.
 * A queue without openings counts around the clock, as every queue did
 * before calendars, and holidays do not stop such a clock.
 */
#include <stdlib.h>
#include <string.h>

#include "core/measures/measures_internal.h"

#define HOLIDAYS_MAX RP_CALENDAR_MAX_HOLIDAYS

const rp_field rp_hours_fields[] = {
    {"time_zone", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = 100,
     .meaning = "a zone of the tz database, such as Europe/Madrid"},
    {"intervals", RP_FIELD_ARRAY, RP_IN_REQUIRED,
     .max_items = RP_CALENDAR_MAX_INTERVALS,
     .fields = rp_calendar_interval_fields,
     .meaning = "the weekly openings; none: open around the clock"},
    {"holidays", RP_FIELD_ARRAY, RP_IN_OPTIONAL, .max_items = HOLIDAYS_MAX,
     .fields = rp_calendar_holiday_fields,
     .meaning = "the queue's own closed dates (the desk's apply too)"},
    {.name = NULL},
};

const rp_field rp_holidays_fields[] = {
    {"holidays", RP_FIELD_ARRAY, RP_IN_REQUIRED, .max_items = HOLIDAYS_MAX,
     .fields = rp_calendar_holiday_fields,
     .meaning = "the dates every queue with business hours is closed"},
    {.name = NULL},
};

static rp_code query1(rp_ctx *ctx, rp_query q, json_t *params, json_t **rows,
                      rp_error *err)
{
    rp_code rc = ctx->store->ops->query(ctx->store, q, params, rows, err);
    json_decref(params);
    return rc;
}

static rp_code exec1(rp_ctx *ctx, rp_query q, json_t *params, rp_error *err)
{
    rp_code rc = ctx->store->ops->exec(ctx->store, q, params, NULL, err);
    json_decref(params);
    return rc;
}

/* The stored hours of queue_id (NULL row when none) and its holidays and
 * the desk's. */
static rp_code read_hours(rp_ctx *ctx, int64_t queue_id, json_t **hours,
                          json_t **queue_holidays, json_t **desk_holidays,
                          rp_error *err)
{
    json_t *rows = NULL, *qh = NULL, *dh = NULL;
    rp_code rc = query1(ctx, RP_Q_MEASURES_HOURS_GET,
                        json_pack("[I]", (json_int_t)queue_id), &rows, err);
    if (rc == RP_OK)
        rc = query1(ctx, RP_Q_MEASURES_HOLIDAYS_OF_QUEUE,
                    json_pack("[I]", (json_int_t)queue_id), &qh, err);
    if (rc == RP_OK)
        rc = query1(ctx, RP_Q_MEASURES_HOLIDAYS_OF_DESK, json_array(), &dh,
                    err);
    if (rc) {
        json_decref(rows);
        json_decref(qh);
        json_decref(dh);
        return rc;
    }
    *hours = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    *queue_holidays = qh;
    *desk_holidays = dh;
    return RP_OK;
}

rp_code rp_calendar_load(rp_ctx *ctx, int64_t queue_id, rp_calendar *out,
                         rp_error *err)
{
    rp_calendar_init(out);
    if (queue_id <= 0)
        return RP_OK;
    json_t *hours, *qh, *dh;
    if (read_hours(ctx, queue_id, &hours, &qh, &dh, err))
        return err->code;
    rp_code rc = RP_OK;
    if (hours) {
        json_array_extend(qh, dh);
        rc = rp_calendar_parse(
            json_string_value(json_object_get(hours, "time_zone")),
            json_object_get(hours, "intervals"), qh, out, err);
    }
    json_decref(hours);
    json_decref(qh);
    json_decref(dh);
    return rc;
}

/* The hours of queue_id as JSON (see measures.h). */
static json_t *hours_json(int64_t queue_id, json_t *hours, json_t *qh,
                          json_t *dh)
{
    json_t *j = json_pack(
        "{s:I, s:o, s:o, s:b, s:O, s:O}", "queue_id", (json_int_t)queue_id,
        "time_zone",
        hours ? json_incref(json_object_get(hours, "time_zone")) : json_null(),
        "intervals",
        hours ? json_incref(json_object_get(hours, "intervals")) : json_array(),
        "around_the_clock", hours == NULL, "holidays", qh, "desk_holidays", dh);
    json_object_set(j, "updated_at",
                    hours ? json_object_get(hours, "updated_at") : json_null());
    json_object_set(j, "updated_by",
                    hours ? json_object_get(hours, "updated_by") : json_null());
    return j;
}

rp_code rp_hours_get(rp_ctx *ctx, int64_t queue_id, json_t **out, rp_error *err)
{
    json_t *q, *hours, *qh, *dh;
    if (rp_queue_get(ctx, queue_id, &q, err))
        return err->code;
    json_decref(q);
    if (read_hours(ctx, queue_id, &hours, &qh, &dh, err))
        return err->code;
    *out = hours_json(queue_id, hours, qh, dh);
    json_decref(hours);
    json_decref(qh);
    json_decref(dh);
    return RP_OK;
}

/* Replace the holidays of queue_id (0: the desk's) with list, already
 * checked. */
static rp_code put_holidays(rp_ctx *ctx, int64_t queue_id, json_t *list,
                            rp_error *err)
{
    json_t *qid = queue_id ? json_integer(queue_id) : json_null();
    rp_code rc = queue_id ? exec1(ctx, RP_Q_MEASURES_HOLIDAYS_CLEAR_QUEUE,
                                  json_pack("[I]", (json_int_t)queue_id), err)
                          : exec1(ctx, RP_Q_MEASURES_HOLIDAYS_CLEAR_DESK,
                                  json_array(), err);
    size_t i;
    json_t *h;
    json_array_foreach(list, i, h) {
        if (rc)
            break;
        const char *name = NULL;
        rp_in_string(h, "name", 0, 100, &name, err);
        rc = exec1(
            ctx, RP_Q_MEASURES_HOLIDAY_ADD,
            json_pack("[O, O, s?]", qid, json_object_get(h, "date"), name),
            err);
    }
    json_decref(qid);
    return rc;
}

/* Refuse a date given twice in list. */
static rp_code no_twice(json_t *list, const char *field, rp_error *err)
{
    size_t i, k;
    json_t *a, *b;
    json_array_foreach(list, i, a) {
        for (k = 0; k < i; k++) {
            b = json_array_get(list, k);
            if (json_equal(json_object_get(a, "date"),
                           json_object_get(b, "date")))
                return rp_error_refuse(
                    err, RP_EINVALID, field, "repeated", 0,
                    "%s[%zu]: the date %s is given twice", field, i,
                    json_string_value(json_object_get(a, "date")));
        }
    }
    return RP_OK;
}

rp_code rp_hours_set(rp_ctx *ctx, int64_t queue_id, json_t *in, json_t **out,
                     rp_error *err)
{
    if (rp_in_fields(in, rp_hours_fields, 0, err))
        return err->code;
    const char *zone = NULL;
    json_t *intervals = json_object_get(in, "intervals"),
           *holidays = json_object_get(in, "holidays");
    rp_in_string(in, "time_zone", 0, 100, &zone, err);
    /* checked whole before anything is written */
    rp_calendar c;
    if (rp_calendar_parse(zone, intervals, holidays, &c, err))
        return err->code;
    rp_calendar_free(&c);
    if (no_twice(holidays, "holidays", err))
        return err->code;
    json_t *q;
    if (rp_queue_get(ctx, queue_id, &q, err))
        return err->code;
    json_decref(q);
    rp_store *s = ctx->store;
    if (rp_store_begin(s, err))
        return err->code;
    rp_code rc;
    if (json_array_size(intervals) == 0) {
        rc = exec1(ctx, RP_Q_MEASURES_HOURS_CLEAR,
                   json_pack("[I]", (json_int_t)queue_id), err);
    } else {
        char *text = json_dumps(intervals, JSON_COMPACT);
        rc = exec1(ctx, RP_Q_MEASURES_HOURS_SET,
                   json_pack("[I, s, s, I, s]", (json_int_t)queue_id, zone,
                             text, (json_int_t)rp_now(),
                             ctx->actor ? ctx->actor : "system"),
                   err);
        free(text);
    }
    if (rc == RP_OK && holidays)
        rc = put_holidays(ctx, queue_id, holidays, err);
    rc = rp_store_finish(s, rc, err);
    return rc ? rc : rp_hours_get(ctx, queue_id, out, err);
}

rp_code rp_holidays_get(rp_ctx *ctx, json_t **out, rp_error *err)
{
    json_t *rows = NULL;
    if (query1(ctx, RP_Q_MEASURES_HOLIDAYS_OF_DESK, json_array(), &rows, err))
        return err->code;
    *out = json_pack("{s:o}", "holidays", rows);
    return RP_OK;
}

rp_code rp_holidays_set(rp_ctx *ctx, json_t *in, json_t **out, rp_error *err)
{
    if (rp_in_fields(in, rp_holidays_fields, 0, err))
        return err->code;
    json_t *holidays = json_object_get(in, "holidays");
    rp_calendar c;
    if (rp_calendar_parse(NULL, NULL, holidays, &c, err))
        return err->code;
    rp_calendar_free(&c);
    if (no_twice(holidays, "holidays", err))
        return err->code;
    rp_store *s = ctx->store;
    if (rp_store_begin(s, err))
        return err->code;
    rp_code rc = put_holidays(ctx, 0, holidays, err);
    rc = rp_store_finish(s, rc, err);
    return rc ? rc : rp_holidays_get(ctx, out, err);
}
