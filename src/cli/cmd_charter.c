/*
 * cmd_charter.c - `rapport charter show|set|breaches|settle|keep`: the
 * service charter from the command line, with the rules of charter.c.
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
    "    --json                      print JSON exactly as the HTTP API does\n"
    "\n"
    "EXAMPLES\n"
    "    rapport charter set --acknowledge-minutes 3 --resolution-hours 8\n"
    "    rapport charter breaches --from 2026-11-01T00:00:00Z\n"
    "    rapport charter settle      # e.g. every 5 minutes from cron\n"
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

static const rp_subcommand subs[] = {{"show", simple},       {"set", set},
                                     {"breaches", breaches}, {"settle", simple},
                                     {"keep", simple},       {NULL, NULL}};

const rp_command rp_cmd_charter = {
    "charter", "the service charter: targets, breaches, promises", help, subs,
    NULL};
