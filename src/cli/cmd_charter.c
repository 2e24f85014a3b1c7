/*
 * cmd_charter.c - `rapport charter show|set|breaches|settle|keep|versions|
 * hours|holidays`: the service charter, its history and its calendar from
 * the command line, with the rules of charter.c and hours.c.
 * `settle` is meant for cron as well as for people: it marks promises
 * whose date passed while open as broken, with a moment of truth each.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport charter - the service charter: targets, breaches, promises\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport charter show [--json]\n"
    "    rapport charter set [--acknowledge-minutes N]\n"
    "                        [--first-response-minutes N]\n"
    "                        [--resolution-hours N]\n"
    "                        [--follow-up-on-time yes|no] [--json]\n"
    "    rapport charter breaches [--from TIME] [--to TIME] [--queue ID]\n"
    "                             [--agent ID] [--limit N] [--json]\n"
    "    rapport charter settle [--json]\n"
    "    rapport charter keep PROMISE_ID [--json]\n"
    "    rapport charter versions [--json]\n"
    "    rapport charter hours QUEUE_ID [--zone ZONE] [--open \"DAYS "
    "HH:MM-HH:MM\"]...\n"
    "                          [--holiday DATE[=NAME]]... [--no-holidays]\n"
    "                          [--around-the-clock] [--json]\n"
    "    rapport charter holidays [--holiday DATE[=NAME]]... [--none] "
    "[--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    The charter holds the targets the desk promises itself: acknowledge\n"
    "    a customer within N minutes of receiving them, give a first\n"
    "    response within M minutes, resolve within H hours, and do promised\n"
    "    follow-ups and promises by their date.  A new database starts with\n"
    "    5 minutes, 15 minutes, 24 hours and follow-ups on time.\n"
    "\n"
    "    show prints the targets.  set changes the targets given (the\n"
    "    others keep their value); a first-response target below the\n"
    "    acknowledgement target, or a resolution target below the first\n"
    "    response, is refused.\n"
    "\n"
    "    breaches lists every breach in the window, oldest first: encounters\n"
    "    received in the window that waited, went unanswered or unresolved\n"
    "    beyond a target, and promises and follow-ups due in the window that\n"
    "    were not done by their date.  It settles overdue promises first.\n"
    "\n"
    "    settle marks every open promise whose date has passed as broken and\n"
    "    writes a moment of truth for each; run it from cron, or let\n"
    "    breaches and reports do it.  keep marks an open promise as kept\n"
    "    (refused once its date has passed: it is broken).\n"
    "\n"
    "    A change of the targets is a new version of the charter, in force\n"
    "    from the moment it is made: an encounter is judged by the version\n"
    "    in force when it was received, so breaches already counted never\n"
    "    change.  versions lists the history, newest first.\n"
    "\n"
    "    The clocks of the charter count only the business hours of the\n"
    "    encounter's queue.  hours shows a queue's hours, or replaces them:\n"
    "    --zone names the time zone they are read in, each --open adds\n"
    "    openings (several a day for a lunch break), each --holiday a date\n"
    "    the queue is closed; --around-the-clock removes the hours (the\n"
    "    clocks then count every second, as for a queue that never had\n"
    "    any).  holidays shows or replaces the dates every queue with\n"
    "    hours is closed.  New hours count for encounters received after\n"
    "    the change.\n"
    "\n"
    "OPTIONS\n"
    "    --acknowledge-minutes N     1 to 10080\n"
    "    --first-response-minutes N  1 to 43200\n"
    "    --resolution-hours N        1 to 8784\n"
    "    --follow-up-on-time yes|no  whether late promises and follow-ups\n"
    "                                are breaches\n"
    "    --from TIME, --to TIME      RFC 3339 times; the window is [from, "
    "to),\n"
    "                                by default the 30 days up to now\n"
    "    --queue ID, --agent ID      only encounters of this queue or agent\n"
    "    --limit N                   at most N breaches listed, 1 to 1000\n"
    "                                (default 500); the counts are complete\n"
    "    --zone ZONE                 a tz database zone, e.g. Europe/Madrid\n"
    "    --open \"DAYS HH:MM-HH:MM\"    e.g. \"mon-fri 09:00-17:00\" or\n"
    "                                \"mon,wed 15:00-19:00\"; repeatable\n"
    "    --holiday DATE[=NAME]       e.g. 2026-12-25=Christmas; repeatable;\n"
    "                                replaces the list (--no-holidays, "
    "--none:\n"
    "                                empty it)\n"
    "    --json                      print JSON exactly as the HTTP API does\n"
    "\n"
    "EXAMPLES\n"
    "    rapport charter set --acknowledge-minutes 3 --resolution-hours 8\n"
    "    rapport charter breaches --from 2026-11-01T00:00:00Z\n"
    "    rapport charter settle      # e.g. every 5 minutes from cron\n"
    "    rapport charter hours 2 --zone Europe/Madrid \\\n"
    "        --open \"mon-fri 09:00-14:00\" --open \"mon-thu 16:00-18:00\"\n"
    "    rapport charter holidays --holiday 2026-12-25=Christmas\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad input or refused (a target out of\n"
    "    range, a promise already settled), 4 no such promise, 1 database\n"
    "    error.\n";

static void print_breaches(json_t *out)
{
    json_t *items = json_object_get(out, "items");
    printf("%-18s %-10s %-8s %-8s %-24s %-20s %10s %10s  %s\n", "target",
           "subject", "id", "customer", "name", "started", "actual_s",
           "over_by_s", "detail");
    size_t i;
    json_t *b;
    json_array_foreach(items, i, b) {
        json_t *over = json_object_get(b, "over_by_seconds");
        char overtext[32];
        if (json_is_integer(over))
            snprintf(overtext, sizeof overtext, "%lld",
                     (long long)json_integer_value(over));
        else
            snprintf(overtext, sizeof overtext, "-");
        printf(
            "%-18s %-10s %-8lld %-8lld %-24.24s %-20s %10lld %10s  %s\n",
            json_string_value(json_object_get(b, "target")),
            json_string_value(json_object_get(b, "subject")),
            (long long)json_integer_value(json_object_get(b, "subject_id")),
            (long long)json_integer_value(json_object_get(b, "customer_id")),
            json_string_value(json_object_get(b, "customer_name")),
            json_string_value(json_object_get(b, "started_at")),
            (long long)json_integer_value(json_object_get(b, "actual_seconds")),
            overtext, json_string_value(json_object_get(b, "detail")));
    }
    printf("%lld breach(es)%s\n",
           (long long)json_integer_value(json_object_get(out, "count")),
           json_is_true(json_object_get(out, "truncated"))
               ? " (list truncated: narrow the window or raise --limit)"
               : "");
}

/* The PROMISE_ID of keep, then the database; a missing or bad id is told
 * in keep's own words. */
static int keep_args(rp_cli *cli, int argc, char **argv, const rp_opt *opts,
                     int64_t *id)
{
    rp_args a;
    int rc = rp_opt_parse(cli, argc, argv, opts, &a);
    if (!rc &&
        (a.npos < 1 || rp_parse_id(a.pos[0], "promise", id, &(rp_error){0})))
        rc = rp_cli_usage("charter", "keep needs a promise id");
    if (!rc)
        rc = rp_cli_no_more(cli, &a, 1);
    rp_args_free(&a);
    return rc ? rc : rp_cli_open(cli);
}

static void print_settled(json_t *out)
{
    printf("%lld promise(s) past their date marked broken\n",
           (long long)json_integer_value(json_object_get(out, "broken")));
}

/* show, settle and keep: one call, printed as a record or a line. */
static int simple(rp_cli *cli, int argc, char **argv)
{
    const char *sub = argv[0];
    int json = 0, keep = !strcmp(sub, "keep");
    const rp_opt opts[] = {{"json", RP_OPT_FLAG, NULL, &json}, {0}};
    int64_t id = 0, broken = 0;
    int rc = keep ? keep_args(cli, argc, argv, opts, &id)
                  : rp_cli_start(cli, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc;
    rp_error err;
    json_t *out = NULL;
    rp_code code;
    if (keep)
        code = rp_promise_keep(&cli->ctx, id, &out, &err);
    else if (!strcmp(sub, "show"))
        code = rp_charter_get(&cli->ctx, &out, &err);
    else if (!(code = rp_charter_settle_promises(&cli->ctx, rp_now(), &broken,
                                                 &err)))
        out = json_pack("{s:I}", "broken", (json_int_t)broken);
    return rp_cli_finish_with(code, &err, out, json,
                              strcmp(sub, "settle") ? NULL : print_settled);
}

static int set(rp_cli *cli, int argc, char **argv)
{
    int json = 0;
    const rp_opt opts[] = {
        {"acknowledge-minutes", RP_OPT_INT, "acknowledge_minutes", NULL},
        {"first-response-minutes", RP_OPT_INT, "first_response_minutes", NULL},
        {"resolution-hours", RP_OPT_INT, "resolution_hours", NULL},
        {"follow-up-on-time", RP_OPT_BOOL, "follow_up_on_time", NULL},
        {"json", RP_OPT_FLAG, NULL, &json},
        {0}};
    rp_args a;
    int rc = rp_cli_start(cli, argc, argv, opts, &a, NULL);
    rp_error err;
    json_t *out = NULL;
    rp_code code = RP_OK;
    if (!rc)
        code = rp_charter_update(&cli->ctx, a.fields, &out, &err);
    rp_args_free(&a);
    return rc ? rc : rp_cli_finish(code, &err, out, json, NULL);
}

static int breaches(rp_cli *cli, int argc, char **argv)
{
    const char *from = NULL, *to = NULL, *queue = NULL, *agent = NULL,
               *limit = NULL;
    int json = 0;
    const rp_opt opts[] = {{"from", RP_OPT_TEXT, NULL, &from},
                           {"to", RP_OPT_TEXT, NULL, &to},
                           {"queue", RP_OPT_TEXT, NULL, &queue},
                           {"agent", RP_OPT_TEXT, NULL, &agent},
                           {"limit", RP_OPT_TEXT, NULL, &limit},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    int rc = rp_cli_start(cli, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc;
    int lim = 500;
    if (limit) {
        char *end;
        long v = strtol(limit, &end, 10);
        lim = *limit && !*end && v >= 1 && v <= 1000 ? (int)v : 0;
    }
    rp_error err;
    rp_window w;
    json_t *out = NULL;
    rp_code code = rp_window_parse(from, to, queue, agent, &w, &err);
    if (!code)
        code = rp_charter_breaches(&cli->ctx, &w, lim, &out, &err);
    return rp_cli_finish_with(code, &err, out, json, print_breaches);
}

static void print_holiday_list(const char *title, json_t *list)
{
    size_t i;
    json_t *h;
    if (json_array_size(list) == 0)
        return;
    printf("%s:\n", title);
    json_array_foreach(list, i, h) {
        const char *name = json_string_value(json_object_get(h, "name"));
        printf("  %s%s%s\n", json_string_value(json_object_get(h, "date")),
               name ? "  " : "", name ? name : "");
    }
}

static void print_hours(json_t *out)
{
    printf("queue %lld: ",
           (long long)json_integer_value(json_object_get(out, "queue_id")));
    if (json_is_true(json_object_get(out, "around_the_clock"))) {
        printf("open around the clock (no business hours)\n");
    } else {
        printf("business hours in %s\n",
               json_string_value(json_object_get(out, "time_zone")));
        size_t i;
        json_t *iv;
        json_array_foreach(json_object_get(out, "intervals"), i, iv)
            printf("  %-10s %s-%s\n",
                   json_string_value(json_object_get(iv, "day")),
                   json_string_value(json_object_get(iv, "open")),
                   json_string_value(json_object_get(iv, "close")));
    }
    print_holiday_list("holidays of this queue",
                       json_object_get(out, "holidays"));
    print_holiday_list("holidays of the whole desk",
                       json_object_get(out, "desk_holidays"));
}

/* `hours QUEUE_ID` shows; with --zone, --open, --holiday or
 * --around-the-clock it replaces the queue's hours. */
static int hours(rp_cli *cli, int argc, char **argv)
{
    const char *zone = NULL;
    int json = 0, always = 0, no_holidays = 0;
    const rp_opt opts[] = {{"zone", RP_OPT_TEXT, NULL, &zone},
                           {"open", RP_OPT_LIST, "open", NULL},
                           {"holiday", RP_OPT_LIST, "holiday", NULL},
                           {"no-holidays", RP_OPT_FLAG, NULL, &no_holidays},
                           {"around-the-clock", RP_OPT_FLAG, NULL, &always},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    rp_args a;
    int64_t queue = 0;
    int rc = rp_opt_parse(cli, argc, argv, opts, &a);
    if (!rc)
        rc = rp_cli_id(cli, &a, 0, "queue", &queue);
    if (!rc)
        rc = rp_cli_no_more(cli, &a, 1);
    if (!rc)
        rc = rp_cli_open(cli);
    if (rc) {
        rp_args_free(&a);
        return rc;
    }
    json_t *opens = json_object_get(a.fields, "open"),
           *days = json_object_get(a.fields, "holiday"), *out = NULL;
    rp_error err;
    rp_code code = RP_OK;
    if (!zone && !opens && !days && !always && !no_holidays) {
        code = rp_hours_get(&cli->ctx, queue, &out, &err);
    } else {
        json_t *in = json_pack("{s:[]}", "intervals"), *v;
        size_t i;
        if (zone)
            json_object_set_new(in, "time_zone", json_string(zone));
        json_array_foreach(opens, i, v) {
            if (!code)
                code = rp_calendar_spec_parse(json_string_value(v), "open",
                                              json_object_get(in, "intervals"),
                                              &err);
        }
        if (days || no_holidays)
            json_object_set_new(in, "holidays", json_array());
        json_array_foreach(days, i, v) {
            if (!code)
                code = rp_holiday_spec_parse(json_string_value(v), "holiday",
                                             json_object_get(in, "holidays"),
                                             &err);
        }
        /* hours given only as holidays keep the openings as they are */
        if (!code && !opens && !always) {
            json_t *cur = NULL;
            code = rp_hours_get(&cli->ctx, queue, &cur, &err);
            if (!code) {
                json_object_set(in, "intervals",
                                json_object_get(cur, "intervals"));
                if (!zone)
                    json_object_set(in, "time_zone",
                                    json_object_get(cur, "time_zone"));
            }
            json_decref(cur);
        }
        if (!code)
            code = rp_hours_set(&cli->ctx, queue, in, &out, &err);
        json_decref(in);
    }
    rp_args_free(&a);
    return rp_cli_finish_with(code, &err, out, json, print_hours);
}

static void print_desk_holidays(json_t *out)
{
    if (json_array_size(json_object_get(out, "holidays")) == 0)
        printf("the desk has no holidays\n");
    print_holiday_list("holidays of the whole desk",
                       json_object_get(out, "holidays"));
}

/* `holidays` shows the desk's; --holiday ... or --none replaces them. */
static int holidays(rp_cli *cli, int argc, char **argv)
{
    int json = 0, none = 0;
    const rp_opt opts[] = {{"holiday", RP_OPT_LIST, "holiday", NULL},
                           {"none", RP_OPT_FLAG, NULL, &none},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    rp_args a;
    int rc = rp_cli_start(cli, argc, argv, opts, &a, NULL);
    if (rc)
        return rc;
    json_t *days = json_object_get(a.fields, "holiday"), *out = NULL, *v;
    rp_error err;
    rp_code code = RP_OK;
    if (!days && !none) {
        code = rp_holidays_get(&cli->ctx, &out, &err);
    } else {
        json_t *in = json_pack("{s:[]}", "holidays");
        size_t i;
        json_array_foreach(days, i, v) {
            if (!code)
                code = rp_holiday_spec_parse(json_string_value(v), "holiday",
                                             json_object_get(in, "holidays"),
                                             &err);
        }
        if (!code)
            code = rp_holidays_set(&cli->ctx, in, &out, &err);
        json_decref(in);
    }
    rp_args_free(&a);
    return rp_cli_finish_with(code, &err, out, json, print_desk_holidays);
}

static void print_versions(json_t *out)
{
    printf("%-7s %-22s %8s %8s %8s %-9s %s\n", "version", "in force from",
           "ack_min", "first_m", "resol_h", "on_time", "by");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(out, "items"), i, v) {
        const char *from = json_string_value(json_object_get(v, "starts_at"));
        const char *by = json_string_value(json_object_get(v, "created_by"));
        printf("%-7lld %-22s %8lld %8lld %8lld %-9s %s\n",
               (long long)json_integer_value(json_object_get(v, "id")),
               from ? from : "the start",
               (long long)json_integer_value(
                   json_object_get(v, "acknowledge_minutes")),
               (long long)json_integer_value(
                   json_object_get(v, "first_response_minutes")),
               (long long)json_integer_value(
                   json_object_get(v, "resolution_hours")),
               json_is_true(json_object_get(v, "follow_up_on_time")) ? "yes"
                                                                     : "no",
               by ? by : "");
    }
}

static int versions(rp_cli *cli, int argc, char **argv)
{
    int json = 0;
    const rp_opt opts[] = {{"json", RP_OPT_FLAG, NULL, &json}, {0}};
    int rc = rp_cli_start(cli, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc;
    rp_error err;
    json_t *out = NULL;
    rp_code code = rp_charter_versions(&cli->ctx, &out, &err);
    return rp_cli_finish_with(code, &err, out, json, print_versions);
}

static const rp_subcommand subs[] = {
    {"show", simple},       {"set", set},           {"breaches", breaches},
    {"settle", simple},     {"keep", simple},       {"hours", hours},
    {"holidays", holidays}, {"versions", versions}, {NULL, NULL}};

const rp_command rp_cmd_charter = {
    "charter", "the service charter: targets, breaches, promises", help, subs,
    NULL};
