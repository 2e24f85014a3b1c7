/*
 * cmd_charter.c - `rapport charter show|set|breaches|settle|keep`: the
 * service charter from the command line, with the rules of charter.c.
 * `settle` is meant for cron as well as for people: it marks promises
 * whose date passed while open as broken, with a moment of truth each.
 */
#include <getopt.h>
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
    "    --from TIME, --to TIME      RFC 3339 times; the window is [from, to),\n"
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

enum { OPT_ACK = 1, OPT_FIRST, OPT_RES, OPT_FOLLOW, OPT_FROM, OPT_TO,
       OPT_QUEUE, OPT_AGENT, OPT_LIMIT, OPT_JSON, OPT_HELP };

static const struct option opts[] = {
    {"acknowledge-minutes", required_argument, NULL, OPT_ACK},
    {"first-response-minutes", required_argument, NULL, OPT_FIRST},
    {"resolution-hours", required_argument, NULL, OPT_RES},
    {"follow-up-on-time", required_argument, NULL, OPT_FOLLOW},
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {"queue", required_argument, NULL, OPT_QUEUE},
    {"agent", required_argument, NULL, OPT_AGENT},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* Put the integer text under key in in; -1 when it is not an integer. */
static int set_int(json_t *in, const char *key, const char *text)
{
    char *end;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end)
        return -1;
    json_object_set_new(in, key, json_integer(v));
    return 0;
}

static void print_breaches(json_t *out)
{
    json_t *items = json_object_get(out, "items");
    printf("%-18s %-10s %-8s %-8s %-24s %-20s %10s %10s  %s\n", "target",
           "subject", "id", "customer", "name", "started", "actual_s",
           "over_by_s", "detail");
    size_t i;
    json_t *b;
    json_array_foreach(items, i, b)
    {
        json_t *over = json_object_get(b, "over_by_seconds");
        char overtext[32];
        if (json_is_integer(over))
            snprintf(overtext, sizeof overtext, "%lld",
                     (long long)json_integer_value(over));
        else
            snprintf(overtext, sizeof overtext, "-");
        printf("%-18s %-10s %-8lld %-8lld %-24.24s %-20s %10lld %10s  %s\n",
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

int rp_cmd_charter(rp_cli *cli, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(help, argc < 2 ? stderr : stdout);
        return argc < 2 ? RP_EXIT_USAGE : RP_EXIT_OK;
    }
    const char *sub = argv[1];
    const char *from = NULL, *to = NULL, *queue = NULL, *agent = NULL,
               *limit = NULL;
    json_t *in = json_object();
    int json = 0, c, bad = 0;
    optind = 1;
    opterr = 0;
    while (!bad && (c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_ACK: bad = set_int(in, "acknowledge_minutes", optarg); break;
        case OPT_FIRST: bad = set_int(in, "first_response_minutes", optarg); break;
        case OPT_RES: bad = set_int(in, "resolution_hours", optarg); break;
        case OPT_FOLLOW:
            if (!strcmp(optarg, "yes") || !strcmp(optarg, "no"))
                json_object_set_new(in, "follow_up_on_time",
                                    json_boolean(!strcmp(optarg, "yes")));
            else
                bad = -1;
            break;
        case OPT_FROM: from = optarg; break;
        case OPT_TO: to = optarg; break;
        case OPT_QUEUE: queue = optarg; break;
        case OPT_AGENT: agent = optarg; break;
        case OPT_LIMIT: limit = optarg; break;
        case OPT_JSON: json = 1; break;
        case 'h':
        case OPT_HELP:
            json_decref(in);
            fputs(help, stdout);
            return RP_EXIT_OK;
        default:
            json_decref(in);
            return rp_cli_usage("charter", "unknown or incomplete option '%s'",
                                argv[optind]);
        }
    }
    if (bad) {
        json_decref(in);
        return rp_cli_usage("charter", "%s needs %s, not '%s'", argv[optind - 1],
                            strstr(argv[optind - 1], "follow") ? "yes or no"
                                                                 : "an integer",
                            optarg);
    }
    int64_t id = 0;
    rp_error err;
    if (!strcmp(sub, "keep")) {
        if (optind >= argc - 1 ||
            rp_parse_id(argv[optind + 1], "promise", &id, &err)) {
            json_decref(in);
            return rp_cli_usage("charter", "keep needs a promise id");
        }
    } else if (strcmp(sub, "show") && strcmp(sub, "set") &&
               strcmp(sub, "breaches") && strcmp(sub, "settle")) {
        json_decref(in);
        return rp_cli_usage("charter", "unknown subcommand '%s'", sub);
    }
    int rc = rp_cli_open(cli);
    if (rc) {
        json_decref(in);
        return rc;
    }
    json_t *out = NULL;
    rp_code code = RP_OK;
    if (!strcmp(sub, "show")) {
        code = rp_charter_get(&cli->ctx, &out, &err);
    } else if (!strcmp(sub, "set")) {
        code = rp_charter_update(&cli->ctx, in, &out, &err);
    } else if (!strcmp(sub, "keep")) {
        code = rp_promise_keep(&cli->ctx, id, &out, &err);
    } else if (!strcmp(sub, "settle")) {
        int64_t n = 0;
        code = rp_charter_settle_promises(&cli->ctx, rp_now(), &n, &err);
        if (code == RP_OK)
            out = json_pack("{s:I}", "broken", (json_int_t)n);
    } else {
        rp_window w;
        int lim = 500;
        if (limit) {
            char *end;
            long v = strtol(limit, &end, 10);
            lim = *limit && !*end && v >= 1 && v <= 1000 ? (int)v : 0;
        }
        code = rp_window_parse(from, to, queue, agent, &w, &err);
        if (code == RP_OK)
            code = rp_charter_breaches(&cli->ctx, &w, lim, &out, &err);
    }
    json_decref(in);
    if (code)
        return rp_cli_fail(&err);
    if (json || !strcmp(sub, "show") || !strcmp(sub, "set") ||
        !strcmp(sub, "keep"))
        rp_cli_print_record(out, json);
    else if (!strcmp(sub, "settle"))
        printf("%lld promise(s) past their date marked broken\n",
               (long long)json_integer_value(json_object_get(out, "broken")));
    else
        print_breaches(out);
    json_decref(out);
    return RP_EXIT_OK;
}
