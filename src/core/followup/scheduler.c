/*
 * scheduler.c - keeping every promise about the future.
 *
 * Seed 003: "The day before the visit I got text message not to miss it",
 * "a phone call one week before my insurance finishes", "the next day I
 * received a phone call with the question if everything was OK".  Rules
 * turn important dates, closed encounters and relationship levels into
 * tasks with a due time; the sender claims due tasks and delivers them.
 *
 * Exactly once, as far as a sender can promise it:
 *   - every rule names its task with a deterministic idempotency key
 *     ("reminder:date:42") that is UNIQUE in the table, and inserts with
 *     INSERT OR IGNORE, so rules can run any number of times;
 *   - due tasks are claimed in one write transaction (status 'claimed',
 *     claimed_by, claimed_at), so two schedulers never take the same task;
 *   - a task is marked (sending_at) just before it is sent; a claim older
 *     than the lease is taken over, and sent only if its sender never got
 *     that far: after the mark the outcome is unknown, so the task is
 *     failed, saying so, rather than sent twice (the key travels with the
 *     message all the same);
 *   - a failed send is retried with exponential backoff and, after
 *     max_attempts, shown as failed with its last error: never dropped;
 *   - no task stops a run: one whose outcome cannot be recorded is
 *     recorded failed, with the reason, and the run goes on.
 * Nothing is sent for a purpose the customer has not consented to: such a
 * task is 'held' and last_error says why.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rapport.h"

const char *const rp_scheduler_levels[] = {"transactional", "incremental",
                                           "formative", "partnership", NULL};

void rp_scheduler_config_default(rp_scheduler_config *cfg)
{
    static const int cadence[4] = {0, 90, 30, 14};
    memset(cfg, 0, sizeof *cfg);
    memcpy(cfg->cadence_days, cadence, sizeof cadence);
    cfg->lease_seconds = 300;
    cfg->max_attempts = 5;
    cfg->backoff_seconds = 60;
    cfg->batch = 50;
    cfg->satisfaction_ttl_days = 14;
    cfg->help_link_days = 30;
    cfg->rule_batch = 100;
    cfg->give_way_ms = 50;
}

/* ---- rules ----------------------------------------------------------------
 *
 * Each rule reads what is due from an index and works through it in
 * batches: a batch inserts the tasks of up to rule_batch rows (INSERT OR
 * IGNORE on the idempotency key) and marks the same rows as looked at, so
 * that they leave the index the next batch reads; both in one short write
 * transaction.  Between two batches the scheduler gives way to the
 * requests waiting to write and asks whether it should stop.  Whatever is
 * left is where the next run begins, so a run over a million customers is
 * ten thousand transactions of a few milliseconds, not one of minutes.
 *
 *   reminders, renewals   the dates to come whose time has no task yet
 *                         (important_dates_untasked);
 *   keep in touch         per level, the customers whose last contact is
 *                         older than the level's cadence and who were not
 *                         asked about since (customers_keep_in_touch; the
 *                         last contact is kept on the row by triggers);
 *   satisfaction          the encounters closed since the last run, in the
 *                         order of encounters_by_closed, from a cursor kept
 *                         in scheduler_cursors.
 */

#define DAY 86400
/* An encounter's close is looked at again until it is this old: a close
 * whose transaction began before the rule's batch but committed after it
 * is seen all the same. */
#define CLOSE_SETTLE_SECONDS 300

/* One run of the rules: what they created, in how many transactions. */
typedef struct rules_run {
    rp_ctx *ctx;
    const rp_scheduler_config *cfg;
    int64_t now;
    int64_t created;
    int64_t batches;
} rules_run;

static int limit_of(const rp_scheduler_config *cfg)
{
    return cfg->rule_batch > 0 ? cfg->rule_batch : 100;
}

static int stop_asked(const rp_scheduler_config *cfg)
{
    return cfg->should_stop && cfg->should_stop(cfg->stop_arg);
}

/* Between two batches: the requests first. */
static void give_way(rules_run *r)
{
    rp_store_give_way(r->ctx->store,
                      r->cfg->give_way_ms > 0 ? r->cfg->give_way_ms : 0);
}

/* One batch: insert (the tasks, counted as created) then mark (the rows
 * looked at, *marked of them), in one transaction. */
static rp_code batch(rules_run *r, rp_query insert, json_t *ip, rp_query mark,
                     json_t *mp, int64_t *marked, rp_error *err)
{
    rp_store *s = r->ctx->store;
    int64_t made = 0;
    rp_code rc = rp_store_begin(s, err);
    if (rc == RP_OK)
        rc = s->ops->exec(s, insert, ip, &made, err);
    if (rc == RP_OK)
        rc = s->ops->exec(s, mark, mp, marked, err);
    rc = rp_store_finish(s, rc, err);
    if (rc == RP_OK) {
        r->created += made;
        r->batches++;
    }
    return rc;
}

/* Reminders (appointments) and renewal notices (renewals, expiries): each
 * date still to come gets its task, due `lead` seconds before it. */
static rp_code date_rule(rules_run *r, const char *date_kind,
                         const char *task_kind, const char *subject,
                         int64_t lead, const char *key, rp_error *err)
{
    int limit = limit_of(r->cfg);
    int64_t marked = limit;
    rp_code rc = RP_OK;
    while (rc == RP_OK && marked == limit && !stop_asked(r->cfg)) {
        json_t *ip = json_pack("[s, s, s, I, s, I, i]", date_kind, task_kind,
                               subject, (json_int_t)lead, key,
                               (json_int_t)r->now, limit);
        json_t *mp = json_pack("[s, I, i]", date_kind, (json_int_t)r->now,
                               limit);
        rc = batch(r, RP_Q_FOLLOWUP_DATES_BATCH, ip, RP_Q_FOLLOWUP_DATES_MARK,
                   mp, &marked, err);
        json_decref(ip);
        json_decref(mp);
        give_way(r);
    }
    return rc;
}

/* Keep in touch: per level with a cadence, the customers due. */
static rp_code keep_in_touch_rule(rules_run *r, rp_error *err)
{
    int limit = limit_of(r->cfg);
    rp_code rc = RP_OK;
    for (int l = 0; l < 4 && rc == RP_OK; l++) {
        int days = r->cfg->cadence_days[l];
        if (days <= 0)
            continue;
        const char *level = rp_scheduler_levels[l];
        int64_t cut = r->now - (int64_t)days * DAY;
        int64_t marked = limit;
        while (rc == RP_OK && marked == limit && !stop_asked(r->cfg)) {
            json_t *ip = json_pack("[s, I, I, i, i]", level, (json_int_t)cut,
                                   (json_int_t)r->now, days, limit);
            json_t *mp = json_pack("[s, I, i]", level, (json_int_t)cut, limit);
            rc = batch(r, RP_Q_FOLLOWUP_KEEP_IN_TOUCH_BATCH, ip,
                       RP_Q_FOLLOWUP_KEEP_IN_TOUCH_MARK, mp, &marked, err);
            json_decref(ip);
            json_decref(mp);
            give_way(r);
        }
    }
    return rc;
}

/* Where the satisfaction rule stopped looking: the close time and id of
 * the last encounter it saw (0, 0 before its first run). */
static rp_code cursor_get(rp_store *s, int64_t *at, int64_t *id, rp_error *err)
{
    json_t *p = json_pack("[s]", "satisfaction"), *rows = NULL;
    rp_code rc = s->ops->query(s, RP_Q_FOLLOWUP_CURSOR_GET, p, &rows, err);
    json_decref(p);
    if (rc)
        return rc;
    json_t *row = json_array_get(rows, 0);
    *at = json_integer_value(json_object_get(row, "position"));
    *id = json_integer_value(json_object_get(row, "id"));
    json_decref(rows);
    return RP_OK;
}

/*
 * One batch of the satisfaction rule after (*at, *id): the next closes in
 * the order of the index, the check of each, and the cursor, in one
 * transaction; *at and *id move to the last close seen, *seen says how
 * many.  The cursor kept in the database stays CLOSE_SETTLE_SECONDS
 * behind now, so that the last minutes are looked at again next time.
 */
static rp_code satisfaction_batch(rules_run *r, int64_t from, int64_t *at,
                                  int64_t *id, int64_t *seen, rp_error *err)
{
    rp_store *s = r->ctx->store;
    int limit = limit_of(r->cfg);
    int64_t lo = *at > from ? *at : from, made = 0;
    json_t *rows = NULL;
    json_t *p = json_pack("[I, I, I, I, i]", (json_int_t)lo, (json_int_t)*at,
                          (json_int_t)*id, (json_int_t)r->now, limit);
    rp_code rc = rp_store_begin(s, err);
    if (rc == RP_OK)
        rc = s->ops->query(s, RP_Q_FOLLOWUP_CLOSED_AFTER, p, &rows, err);
    json_decref(p);
    size_t n = json_array_size(rows);
    if (rc == RP_OK && n) {
        json_t *last = json_array_get(rows, n - 1);
        int64_t last_at = json_integer_value(json_object_get(last, "closed"));
        int64_t last_id = json_integer_value(json_object_get(last, "id"));
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row) {
            int64_t one = 0;
            p = json_pack("[I, I, O]", (json_int_t)DAY, (json_int_t)r->now,
                          json_object_get(row, "id"));
            rc = s->ops->exec(s, RP_Q_FOLLOWUP_SATISFACTION_ONE, p, &one, err);
            json_decref(p);
            if (rc)
                break;
            made += one;
        }
        int64_t settled = r->now - CLOSE_SETTLE_SECONDS;
        if (rc == RP_OK) {
            p = last_at <= settled
                    ? json_pack("[s, I, I]", "satisfaction",
                                (json_int_t)last_at, (json_int_t)last_id)
                    : json_pack("[s, I, i]", "satisfaction",
                                (json_int_t)settled, 0);
            rc = s->ops->exec(s, RP_Q_FOLLOWUP_CURSOR_PUT, p, NULL, err);
            json_decref(p);
        }
        *at = last_at;
        *id = last_id;
    }
    json_decref(rows);
    rc = rp_store_finish(s, rc, err);
    if (rc == RP_OK) {
        r->created += made;
        r->batches++;
        *seen = (int64_t)n;
    }
    return rc;
}

/* The safety net of the next-day check (closing schedules it itself):
 * every encounter closed in the last two weeks with none checked or
 * scheduled and no reason to skip gets one, due the day after. */
static rp_code satisfaction_rule(rules_run *r, rp_error *err)
{
    int64_t at = 0, id = 0, seen = limit_of(r->cfg);
    /* older closes would ask about a visit nobody remembers */
    int64_t from = r->now - 14 * DAY;
    rp_code rc = cursor_get(r->ctx->store, &at, &id, err);
    while (rc == RP_OK && seen == limit_of(r->cfg) && !stop_asked(r->cfg)) {
        rc = satisfaction_batch(r, from, &at, &id, &seen, err);
        give_way(r);
    }
    return rc;
}

static rp_code rules(rules_run *r, rp_error *err)
{
    rp_code rc;
    /* the day before an appointment; seven days before a renewal or an
     * expiry */
    if ((rc = date_rule(r, "appointment", "reminder", "Reminder: ", DAY,
                        "reminder:date:", err)) ||
        (rc = date_rule(r, "renewal", "renewal_notice",
                        "Renewal notice: ", 7 * DAY, "renewal:date:", err)) ||
        (rc = date_rule(r, "expiry", "renewal_notice",
                        "Renewal notice: ", 7 * DAY, "renewal:date:", err)) ||
        (rc = satisfaction_rule(r, err)))
        return rc;
    /* keep in touch once the cadence of the relationship has passed */
    return keep_in_touch_rule(r, err);
}

rp_code rp_scheduler_rules(rp_ctx *ctx, const rp_scheduler_config *cfg,
                           int64_t now, int64_t *created, rp_error *err)
{
    rules_run r = {.ctx = ctx, .cfg = cfg, .now = now};
    if (rules(&r, err))
        return err->code;
    if (created)
        *created = r.created;
    return RP_OK;
}

/* ---- composing messages ---------------------------------------------------
 */

/* "24 Nov at 09:00" in local time (TZ), and how many days from now. */
static void when_text(int64_t at, int64_t now, char *out, size_t n,
                      int *days_away)
{
    time_t t = (time_t)at, tn = (time_t)now;
    struct tm tm, tmn;
    localtime_r(&t, &tm);
    localtime_r(&tn, &tmn);
    strftime(out, n, "%d %b at %H:%M", &tm);
    if (out[0] == '0')
        memmove(out, out + 1, strlen(out));
    /* calendar days between the two local dates */
    struct tm a = tm, b = tmn;
    a.tm_hour = b.tm_hour = 12;
    a.tm_min = b.tm_min = a.tm_sec = b.tm_sec = 0;
    a.tm_isdst = b.tm_isdst = -1;
    *days_away = (int)((mktime(&a) - mktime(&b) + 43200) / 86400);
}

static const char *str(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v && *v ? v : NULL;
}

/* The text of o's k, "" when there is none (never printed as "(null)"). */
static const char *text(json_t *o, const char *k)
{
    const char *v = str(o, k);
    return v ? v : "";
}

/* Append the body of a reminder or renewal notice of date d to body. */
static void compose_date(const char *greet, const char *kind, json_t *d,
                         int64_t now, rp_buf *body)
{
    int64_t at = 0;
    rp_time_parse(str(d, "at"), &at);
    char when[64]; /* digits and a month's abbreviation, never typed text */
    int days;
    when_text(at, now, when, sizeof when, &days);
    int reminder = strcmp(kind, "reminder") == 0;
    if (reminder)
        rp_buf_printf(body, "Hello %s, a reminder: your %s is ", greet,
                      text(d, "title"));
    else
        rp_buf_printf(body, "Hello %s, your %s %s ", greet, text(d, "title"),
                      strcmp(text(d, "kind"), "expiry") == 0
                          ? "expires"
                          : "is due for renewal");
    if (days == 0 || days == 1)
        rp_buf_puts(body, days == 0 ? "today" : "tomorrow");
    else
        rp_buf_printf(body, "in %d days", days);
    rp_buf_printf(body, ", %s", when);
    if (str(d, "where"))
        rp_buf_printf(body, ", at %s", str(d, "where"));
    if (str(d, "with_whom"))
        rp_buf_printf(body, ", with %s", str(d, "with_whom"));
    rp_buf_puts(body, ".");
    if (!reminder)
        rp_buf_puts(body, " We are getting the renewal ready for you so that "
                          "nothing lapses; reply to this message or call us "
                          "if anything has changed.");
    if (str(d, "bring"))
        rp_buf_printf(body, " Please bring %s.", str(d, "bring"));
    rp_buf_puts(body, "\n");
}

/* ---- sending one task -----------------------------------------------------
 */

typedef struct outcome {
    const char *status;  /* sent, held, scheduled (retry), failed, cancelled,
                            lost (another sender holds the claim now) */
    const char *channel; /* email, sms */
    rp_buf reason;       /* why it was held, retried or failed */
} outcome;

/* Set o's status and its reason (printf-style). */
static void decide(outcome *o, const char *status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void decide(outcome *o, const char *status, const char *fmt, ...)
{
    o->status = status;
    rp_buf_clear(&o->reason);
    va_list ap;
    va_start(ap, fmt);
    rp_buf_vprintf(&o->reason, fmt, ap);
    va_end(ap);
}

/* Choose the channel.  A task's channel is a preference: "email" tries the
 * email address first; "sms" or "phone" (a follow-up of a phone call, a
 * check after one) the phone first; anything else (an in-person visit)
 * email, then phone.  Whatever the preference, an address that exists is
 * better than none. */
static const char *pick(json_t *task, json_t *customer, const char **to)
{
    const char *ch = str(task, "channel");
    const char *email = json_string_value(
        json_array_get(json_object_get(customer, "emails"), 0));
    const char *phone = json_string_value(
        json_array_get(json_object_get(customer, "phones"), 0));
    int phone_first = ch && (!strcmp(ch, "sms") || !strcmp(ch, "phone"));
    if (phone_first && phone) {
        *to = phone;
        return "sms";
    }
    if (email) {
        *to = email;
        return "email";
    }
    if (phone) {
        *to = phone;
        return "sms";
    }
    return NULL;
}

/*
 * Write the subject and body of task's message for customer (greeted as
 * greet).  Returns RP_OK, or an error when a link or a date cannot be had:
 * o says then what becomes of the task.
 */
static rp_code compose(rp_ctx *ctx, const rp_scheduler_config *cfg,
                       json_t *task, const char *greet, int64_t now,
                       rp_buf *subject, rp_buf *body, outcome *o)
{
    rp_error err;
    int64_t tid = json_integer_value(json_object_get(task, "id"));
    int64_t cid = json_integer_value(json_object_get(task, "customer_id"));
    int64_t eid = json_integer_value(json_object_get(task, "encounter_id"));
    const char *kind = text(task, "kind");
    json_t *payload = json_object_get(task, "payload");
    json_t *date_id = json_object_get(payload, "date_id");
    rp_buf_puts(subject, text(task, "subject"));
    if (json_is_integer(date_id)) {
        json_t *date = NULL;
        if (ctx->store->ops->get(ctx->store, &RP_ENTITY_DATE,
                                 json_integer_value(date_id), &date, &err)) {
            if (err.code == RP_ENOTFOUND)
                decide(o, "cancelled",
                       "cancelled: the important date was removed");
            else
                decide(o, "scheduled", "%s", err.message);
            return err.code;
        }
        json_object_set(date, "where", json_object_get(date, "location"));
        compose_date(greet, kind, date, now, body);
        json_decref(date);
    } else if (strcmp(kind, "satisfaction_check") == 0) {
        rp_buf url = RP_BUF_INIT;
        rp_code rc = rp_store_begin(ctx->store, &err);
        if (rc == RP_OK)
            rc = rp_satisfaction_issue(ctx, cid, eid, tid,
                                       cfg->satisfaction_ttl_days,
                                       cfg->public_url, &url, &err);
        rc = rp_store_finish(ctx->store, rc, &err);
        if (rc == RP_OK)
            rp_buf_printf(
                body,
                "Hello %s, thank you for coming to us. Was everything OK?\n"
                "Tell us in a minute (a score, three words, a comment):\n"
                "%s\n(The link works once, for %d days.)\n",
                greet, rp_buf_str(&url), cfg->satisfaction_ttl_days);
        rp_buf_free(&url);
        if (rc) {
            decide(o, "scheduled", "%s", err.message);
            return rc;
        }
        rp_buf_clear(subject);
        rp_buf_printf(subject, "%s, was everything OK?", greet);
    } else if (strcmp(kind, "keep_in_touch") == 0) {
        rp_buf_printf(body,
                      "Hello %s, it has been a while since we last spoke. Is "
                      "there anything we can do for you? Just reply to this "
                      "message.\n",
                      greet);
    } else {
        const char *note = str(payload, "note");
        rp_buf_printf(body, "Hello %s, %s\n", greet,
                      note ? note : text(task, "subject"));
    }
    return RP_OK;
}

/*
 * Mark task as being sent, in a transaction of its own, if this worker
 * still holds its claim; *mine is 0 when another sender has taken it
 * over.  After this mark an expired claim means the outcome is unknown.
 */
static rp_code mark_sending(rp_ctx *ctx, int64_t tid, int64_t now,
                            const char *worker, int *mine, rp_error *err)
{
    rp_store *s = ctx->store;
    int64_t changed = 0;
    json_t *p = json_pack("[I, I, s]", (json_int_t)now, (json_int_t)tid,
                          worker);
    rp_code rc = rp_store_begin(s, err);
    if (rc == RP_OK)
        rc = s->ops->exec(s, RP_Q_FOLLOWUP_TASK_SENDING, p, &changed, err);
    json_decref(p);
    rc = rp_store_finish(s, rc, err);
    *mine = changed > 0;
    return rc;
}

/* Build and send the message of task; fill o. */
static void deliver(rp_ctx *ctx, const rp_scheduler_config *cfg, json_t *task,
                    int64_t now, const char *worker, outcome *o)
{
    rp_error err;
    rp_error_clear(&err);
    int64_t tid = json_integer_value(json_object_get(task, "id"));
    int64_t cid = json_integer_value(json_object_get(task, "customer_id"));
    const char *purpose = text(task, "purpose");
    json_t *customer = NULL;
    rp_buf subject = RP_BUF_INIT, body = RP_BUF_INIT;
    int granted = 0, mine = 0;
    char why[RP_ERROR_MESSAGE_MAX] = "";
    if (rp_customer_get(ctx, cid, &customer, &err) ||
        rp_consent_check(ctx, cid, purpose, &granted, why, sizeof why, &err)) {
        decide(o, "scheduled", "%s", err.message);
        goto done;
    }
    if (!granted) {
        decide(o, "held", "%s", why);
        goto done;
    }
    const char *to = NULL;
    o->channel = pick(task, customer, &to);
    if (!o->channel) {
        decide(o, "held",
               "held: the customer has no email address or phone "
               "number to send to");
        goto done;
    }
    if (compose(ctx, cfg, task, text(customer, "greeting_name"), now, &subject,
                &body, o))
        goto done;
    if (subject.failed || body.failed) {
        decide(o, "scheduled", "out of memory composing the message");
        goto done;
    }
    if (mark_sending(ctx, tid, now, worker, &mine, &err)) {
        decide(o, "scheduled", "%s", err.message);
        goto done;
    }
    if (!mine) {
        o->status = "lost"; /* another sender took the claim over */
        goto done;
    }
    rp_message m = {.channel = o->channel,
                    .to = to,
                    .subject = rp_buf_str(&subject),
                    .body = rp_buf_str(&body),
                    .idempotency_key = text(task, "idempotency_key"),
                    .task_id = tid,
                    .customer_id = cid,
                    .kind = text(task, "kind")};
    if (rp_delivery_send(&cfg->delivery, &m, &err))
        decide(o, "scheduled", "%s", err.message);
    else
        o->status = "sent";
done:
    rp_buf_free(&subject);
    rp_buf_free(&body);
    json_decref(customer);
}

/*
 * Decide what becomes of a task just claimed, and send it when it may be:
 * a claim taken over after its sender began sending has an unknown
 * outcome and is not sent again; one taken over more often than the
 * attempts allow (its sender stopped each time) is not tried again.
 */
static void attempt(rp_ctx *ctx, const rp_scheduler_config *cfg, json_t *task,
                    int64_t now, const char *worker, outcome *o)
{
    int64_t attempts = json_integer_value(json_object_get(task, "attempts"));
    if (str(task, "sending_at"))
        decide(o, "failed",
               "the sender stopped while sending it, so it may or may not "
               "have arrived; it is not sent again: ask the customer, and "
               "schedule it anew if it did not arrive");
    else if (attempts > cfg->max_attempts)
        decide(o, "failed",
               "given up after %lld attempts: the sender stopped each time "
               "before it could finish",
               (long long)attempts);
    else
        deliver(ctx, cfg, task, now, worker, o);
}

/* Record the outcome; a retry that ran out of attempts becomes failed. */
static rp_code settle(rp_ctx *ctx, const rp_scheduler_config *cfg, json_t *task,
                      int64_t now, const char *worker, outcome *o,
                      rp_error *err)
{
    rp_store *s = ctx->store;
    int64_t tid = json_integer_value(json_object_get(task, "id"));
    int64_t attempts = json_integer_value(json_object_get(task, "attempts"));
    int64_t next = 0;
    if (strcmp(o->status, "scheduled") == 0) {
        if (attempts >= cfg->max_attempts) {
            char *last = rp_buf_steal(&o->reason);
            decide(o, "failed", "given up after %lld attempts; the last: %s",
                   (long long)attempts, last ? last : "");
            free(last);
        } else {
            int shift = attempts - 1 < 20 ? (int)attempts - 1 : 20;
            next = now +
                   ((int64_t)cfg->backoff_seconds << (shift < 0 ? 0 : shift));
        }
    }
    if (rp_store_begin(s, err))
        return err->code;
    int64_t changed = 0;
    rp_code rc;
    if (strcmp(o->status, "sent") == 0) {
        json_t *p = json_pack("[I, s, I, s]", (json_int_t)now, o->channel,
                              (json_int_t)tid, worker);
        rc = s->ops->exec(s, RP_Q_FOLLOWUP_TASK_SENT, p, &changed, err);
        json_decref(p);
        if (rc == RP_OK && changed) {
            rp_buf summary = RP_BUF_INIT;
            rp_buf_printf(&summary, "%s sent by %s: ",
                          str(task, "kind") ? str(task, "kind") : "task",
                          o->channel);
            rp_buf_put_cut(&summary, str(task, "subject"), 200);
            json_t *detail = json_pack(
                "{s:I, s:s, s:s?, s:s, s:s?}", "task_id", (json_int_t)tid,
                "idempotency_key", text(task, "idempotency_key"), "task_kind",
                str(task, "kind"), "via", o->channel, "subject",
                str(task, "subject"));
            rp_moment m = {.customer_id = json_integer_value(
                               json_object_get(task, "customer_id")),
                           .encounter_id = json_integer_value(
                               json_object_get(task, "encounter_id")),
                           .channel = strcmp(o->channel, "sms") == 0 ? "phone"
                                                                     : "email",
                           .kind = "task.sent",
                           .summary = rp_buf_str(&summary),
                           .detail = detail};
            rc = rp_moment_record(ctx, &m, err);
            json_decref(detail);
            rp_buf_free(&summary);
        }
    } else {
        json_t *p = json_pack("[s, o, s, s?, I, s]", o->status,
                              next ? json_integer(next) : json_null(),
                              rp_buf_str(&o->reason), o->channel,
                              (json_int_t)tid, worker);
        rc = s->ops->exec(s, RP_Q_FOLLOWUP_TASK_SETTLE, p, &changed, err);
        json_decref(p);
    }
    rc = rp_store_finish(s, rc, err);
    if (rc == RP_OK && !changed)
        o->status = "lost"; /* another scheduler took the claim over */
    return rc;
}

/*
 * The outcome of task could not be recorded (why says what the database
 * answered): record it failed instead, with both, in a transaction of its
 * own, so that it is never sent again and the run can go on.  An error
 * here means the database cannot be written at all.
 */
static rp_code settle_failed(rp_ctx *ctx, json_t *task, const char *worker,
                             outcome *o, const char *why, rp_error *err)
{
    char *was = rp_buf_steal(&o->reason);
    if (strcmp(o->status, "sent") == 0)
        decide(o, "failed",
               "sent by %s, but its sending could not be recorded (%s); it is "
               "not sent again",
               o->channel, why);
    else
        decide(o, "failed",
               "what became of it (%s%s%s) could not be recorded (%s); it is "
               "not tried again",
               o->status, was && *was ? ": " : "", was ? was : "", why);
    free(was);
    rp_store *s = ctx->store;
    int64_t changed = 0;
    json_t *p = json_pack(
        "[s, n, s, s?, I, s]", "failed", rp_buf_str(&o->reason), o->channel,
        (json_int_t)json_integer_value(json_object_get(task, "id")), worker);
    rp_code rc = rp_store_begin(s, err);
    if (rc == RP_OK)
        rc = s->ops->exec(s, RP_Q_FOLLOWUP_TASK_SETTLE, p, &changed, err);
    json_decref(p);
    rc = rp_store_finish(s, rc, err);
    if (rc == RP_OK && !changed)
        o->status = "lost";
    return rc;
}

/* Claim one batch of due tasks in a transaction, send and settle each. */
static rp_code run_batch(rp_ctx *ctx, const rp_scheduler_config *cfg,
                         int64_t now, const char *worker, json_t *report,
                         size_t *nclaimed, rp_error *err)
{
    rp_store *s = ctx->store;
    json_t *claimed = NULL;
    json_t *p = json_pack("[s, I, I, I, I, i]", worker, (json_int_t)now,
                          (json_int_t)now, (json_int_t)now,
                          (json_int_t)(now - cfg->lease_seconds), cfg->batch);
    rp_code rc = rp_store_begin(s, err);
    if (rc == RP_OK)
        rc = s->ops->query(s, RP_Q_FOLLOWUP_CLAIM_TASKS, p, &claimed, err);
    json_decref(p);
    rc = rp_store_finish(s, rc, err);
    if (rc) {
        json_decref(claimed);
        return rc;
    }
    *nclaimed = json_array_size(claimed);
    size_t i;
    json_t *task;
    json_array_foreach(claimed, i, task) {
        if (cfg->should_stop && cfg->should_stop(cfg->stop_arg)) {
            *nclaimed = 0; /* end the run: the lease hands the rest on */
            break;
        }
        outcome o = {.status = "scheduled", .reason = RP_BUF_INIT};
        attempt(ctx, cfg, task, now, worker, &o);
        rp_error why;
        if (strcmp(o.status, "lost") != 0 &&
            settle(ctx, cfg, task, now, worker, &o, &why) &&
            settle_failed(ctx, task, worker, &o, why.message, err)) {
            rp_buf_free(&o.reason);
            json_decref(claimed);
            return err->code; /* nothing can be written: stop the run */
        }
        const char *list = strcmp(o.status, "sent") == 0        ? "sent"
                           : strcmp(o.status, "held") == 0      ? "held"
                           : strcmp(o.status, "scheduled") == 0 ? "retried"
                           : strcmp(o.status, "lost") == 0      ? NULL
                                                                : "failed";
        if (list) {
            json_t *summary = json_pack(
                "{s:O, s:O, s:O, s:O, s:O, s:s, s:s?, s:s?}", "id",
                json_object_get(task, "id"), "customer_id",
                json_object_get(task, "customer_id"), "kind",
                json_object_get(task, "kind"), "subject",
                json_object_get(task, "subject"), "idempotency_key",
                json_object_get(task, "idempotency_key"), "status", o.status,
                "channel", o.channel, "reason",
                o.reason.len ? rp_buf_str(&o.reason) : NULL);
            json_array_append_new(json_object_get(report, list), summary);
        }
        rp_buf_free(&o.reason);
        /* each task is settled in a transaction of its own: the requests
         * waiting to write go between two */
        rp_store_give_way(s, cfg->give_way_ms > 0 ? cfg->give_way_ms : 0);
    }
    json_decref(claimed);
    return RP_OK;
}

const rp_field rp_scheduler_run_fields[] = {
    {"now", RP_FIELD_TIME, RP_IN_OPTIONAL,
     .meaning = "run as if it were this time; default: now"},
    {.name = NULL},
};

static rp_code run_with(rp_ctx *ctx, const rp_scheduler_config *cfg,
                        int64_t now, const char *worker, json_t **out,
                        rp_error *err)
{
    rules_run r = {.ctx = ctx, .cfg = cfg, .now = now};
    if (rules(&r, err))
        return err->code;
    char nowtext[RP_TIME_MAX];
    rp_time_format(now, nowtext);
    json_t *report = json_pack("{s:s, s:I, s:I, s:I, s:[], s:[], s:[], s:[]}",
                               "now", nowtext, "created", (json_int_t)r.created,
                               "rule_transactions", (json_int_t)r.batches,
                               "claimed", (json_int_t)0, "sent", "held",
                               "retried", "failed");
    json_int_t total = 0;
    /* batch after batch until nothing due is left; bounded, so one run
     * cannot spin forever on tasks that are retried at once */
    for (int round = 0; round < 1000; round++) {
        size_t n = 0;
        if (run_batch(ctx, cfg, now, worker, report, &n, err)) {
            json_decref(report);
            return err->code;
        }
        total += (json_int_t)n;
        if (n < (size_t)cfg->batch ||
            (cfg->should_stop && cfg->should_stop(cfg->stop_arg)))
            break;
    }
    /* the status links of the help pages wait to be mailed here too */
    if (stop_asked(cfg)) {
        json_object_set_new(report, "claimed", json_integer(total));
        *out = report;
        return RP_OK;
    }
    if (rp_help_mail_links(ctx, cfg, now, report, err)) {
        json_decref(report);
        return err->code;
    }
    /* the charter's targets passed since the last run, each sent once */
    int64_t breached = 0;
    if (rp_charter_sweep(ctx, now, &breached, NULL, err)) {
        json_decref(report);
        return err->code;
    }
    json_object_set_new(report, "charter_breaches", json_integer(breached));
    json_object_set_new(report, "claimed", json_integer(total));
    *out = report;
    return RP_OK;
}

/* The delivery settings an admin keeps in the database replace the
 * program's, channel by channel, read afresh for every run. */
rp_code rp_scheduler_run(rp_ctx *ctx, const rp_scheduler_config *cfg,
                         int64_t now, const char *worker, json_t **out,
                         rp_error *err)
{
    rp_delivery_effective e;
    if (rp_delivery_effective_read(ctx, &cfg->delivery, &e, err))
        return err->code;
    rp_scheduler_config with = *cfg;
    with.delivery = e.config;
    rp_code rc = run_with(ctx, &with, now, worker, out, err);
    rp_delivery_effective_free(&e);
    return rc;
}

/* ---- reading tasks --------------------------------------------------------
 */

static const char *const task_statuses[] = {"scheduled", "claimed", "sent",
                                            "done",      "failed",  "cancelled",
                                            "held",      NULL};

rp_code rp_task_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err)
{
    if (ctx->store->ops->get(ctx->store, &RP_ENTITY_TASK, id, out, err)) {
        if (err->code == RP_ENOTFOUND)
            rp_error_set(err, RP_ENOTFOUND, "id", "no task with id %lld",
                         (long long)id);
        return err->code;
    }
    return RP_OK;
}

rp_code rp_task_list(rp_ctx *ctx, const char *status, int64_t customer_id,
                     const rp_page_req *page, json_t **out, rp_error *err)
{
    if (status) {
        int known = 0;
        for (int i = 0; task_statuses[i]; i++)
            known |= strcmp(task_statuses[i], status) == 0;
        if (!known)
            return rp_error_refuse(err, RP_EINVALID, "status", "not_allowed", 0,
                                   "status must be one of scheduled, claimed, "
                                   "sent, done, failed, cancelled, held");
    }
    json_t *cid = json_integer(customer_id),
           *st = status ? json_string(status) : NULL;
    rp_filter f[2];
    int nf = 0;
    if (customer_id)
        f[nf++] = (rp_filter){"customer_id", RP_FILTER_EQ, cid};
    if (st)
        f[nf++] = (rp_filter){"status", RP_FILTER_EQ, st};
    rp_page p = {page->after_id, 1, page->limit + 1};
    json_t *rows;
    rp_code rc = ctx->store->ops->list(ctx->store, &RP_ENTITY_TASK, f, nf, &p,
                                       &rows, err);
    json_decref(cid);
    json_decref(st);
    if (rc)
        return rc;
    *out = rp_page_result(rows, page->limit);
    return RP_OK;
}
