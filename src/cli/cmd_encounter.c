/*
 * cmd_encounter.c - `rapport encounter open|show|list`; the engine's subcommands
 * (acknowledge, note, advance, close, ...) are in cmd_encounter_engine.c.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport encounter - open, show and list encounters\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport encounter open --customer ID --channel CHANNEL\n"
    "                           --subject TEXT [--json]\n"
    "    rapport encounter show ID [--json]\n"
    "    rapport encounter list [--customer ID] [--stage STAGE]\n"
    "                           [--limit N] [--cursor C] [--json]\n"
    "    rapport encounter acknowledge|note|advance|close|abandon|guide ID ...\n"
    "    rapport encounter defect|promise|transfer|special-request|\n"
    "                      follow-up|satisfaction ID ...\n"
    "    rapport encounter follow-up-done TASK_ID\n"
    "        the interaction cycle: see 'rapport encounter help-engine'\n"
    "\n"
    "DESCRIPTION\n"
    "    An encounter is one contact with a customer.  open starts one at\n"
    "    the stage 'received' of the interaction cycle and records a moment\n"
    "    of truth.  list prints encounters newest first.\n"
    "\n"
    "    CHANNEL is one of in_person, phone, email, chat, web.\n"
    "    STAGE is one of received, understood, helped, kept, closed,\n"
    "    abandoned.\n"
    "\n"
    "OPTIONS\n"
    "    --json      print JSON exactly as the HTTP API returns it\n"
    "    --limit N   rows per page, 1 to 500 (default 50)\n"
    "    --cursor C  continue after the page that printed '(more: --cursor C)'\n"
    "\n"
    "EXAMPLES\n"
    "    rapport encounter open --customer 4 --channel phone \\\n"
    "        --subject 'Suit out of stock'\n"
    "    rapport encounter list --stage received\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad input, 4 no such encounter,\n"
    "    1 database error.\n";

enum { OPT_CUSTOMER = 1, OPT_CHANNEL, OPT_SUBJECT, OPT_STAGE, OPT_JSON,
       OPT_LIMIT, OPT_CURSOR, OPT_HELP };

static const struct option opts[] = {
    {"customer", required_argument, NULL, OPT_CUSTOMER},
    {"channel", required_argument, NULL, OPT_CHANNEL},
    {"subject", required_argument, NULL, OPT_SUBJECT},
    {"stage", required_argument, NULL, OPT_STAGE},
    {"json", no_argument, NULL, OPT_JSON},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"cursor", required_argument, NULL, OPT_CURSOR},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

int rp_cmd_encounter(rp_cli *cli, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(help, argc < 2 ? stderr : stdout);
        return argc < 2 ? RP_EXIT_USAGE : RP_EXIT_OK;
    }
    const char *sub = argv[1];
    if (rp_cmd_encounter_is_engine(sub))
        return rp_cmd_encounter_engine(cli, argc, argv);
    const char *customer = NULL, *channel = NULL, *subject = NULL, *stage = NULL,
               *limit = NULL, *cursor = NULL;
    int json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_CUSTOMER: customer = optarg; break;
        case OPT_CHANNEL: channel = optarg; break;
        case OPT_SUBJECT: subject = optarg; break;
        case OPT_STAGE: stage = optarg; break;
        case OPT_JSON: json = 1; break;
        case OPT_LIMIT: limit = optarg; break;
        case OPT_CURSOR: cursor = optarg; break;
        case 'h':
        case OPT_HELP:
            fputs(help, stdout);
            return RP_EXIT_OK;
        default:
            return rp_cli_usage("encounter", "unknown or incomplete option '%s'",
                                argv[optind]);
        }
    }
    rp_error err;
    int64_t id = 0, customer_id = 0;
    if (customer && rp_parse_id(customer, "customer", &customer_id, &err))
        return rp_cli_usage("encounter", "%s", err.message);
    int needs_id = !strcmp(sub, "show");
    if (needs_id) {
        if (optind >= argc - 1)
            return rp_cli_usage("encounter", "%s needs an encounter id", sub);
        if (rp_parse_id(argv[optind + 1], "id", &id, &err))
            return rp_cli_usage("encounter", "%s", err.message);
    } else if (strcmp(sub, "open") && strcmp(sub, "list")) {
        return rp_cli_usage("encounter", "unknown subcommand '%s'", sub);
    }
    int rc = rp_cli_open(cli);
    if (rc)
        return rc;
    json_t *out = NULL;
    rp_code code;
    if (!strcmp(sub, "open")) {
        json_t *in = json_object();
        if (customer)
            json_object_set_new(in, "customer_id", json_integer(customer_id));
        if (channel)
            json_object_set_new(in, "channel", json_string(channel));
        if (subject)
            json_object_set_new(in, "subject", json_string(subject));
        code = rp_encounter_open(&cli->ctx, in, &out, &err);
        json_decref(in);
    } else if (!strcmp(sub, "show")) {
        code = rp_encounter_get(&cli->ctx, id, &out, &err);
    } else {
        rp_page_req page;
        code = rp_page_req_parse(limit, cursor, &page, &err);
        if (code == RP_OK)
            code = rp_encounter_list(&cli->ctx, customer_id, stage, &page, &out,
                                     &err);
    }
    if (code)
        return rp_cli_fail(&err);
    static const char *const columns[] = {"id", "customer_id", "channel",
                                          "stage", "subject", NULL};
    if (!strcmp(sub, "list"))
        rp_cli_print_table(out, columns, json);
    else
        rp_cli_print_record(out, json);
    json_decref(out);
    return RP_EXIT_OK;
}
