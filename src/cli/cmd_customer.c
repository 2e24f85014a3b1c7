/*
 * cmd_customer.c - `rapport customer add|show|update|list`.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport customer - add, show, change and list customers\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport customer add --name NAME [--preferred-name NAME]\n"
    "                         [--email ADDR]... [--phone NUMBER]...\n"
    "                         [--notes TEXT] [--json]\n"
    "    rapport customer update ID [--name NAME] [--preferred-name NAME]\n"
    "                         [--email ADDR]... [--phone NUMBER]...\n"
    "                         [--notes TEXT] [--json]\n"
    "    rapport customer show ID [--overview] [--json]\n"
    "    rapport customer list [--q TEXT] [--limit N] [--cursor C] [--json]\n"
    "    rapport customer moments ID [--limit N] [--cursor C] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    add creates a customer and prints it.  The preferred name is how\n"
    "    the customer likes to be greeted; it is shown first everywhere.\n"
    "    --email and --phone may be repeated; on update they replace the\n"
    "    whole list.  show prints one customer; list prints customers in the\n"
    "    order they were added, those whose name, preferred name or email\n"
    "    contains TEXT when --q is given; moments prints the customer's\n"
    "    moments of truth, newest first.  Every change is recorded as a\n"
    "    moment of truth.\n"
    "\n"
    "    show --overview prints the customer at a glance instead: profile,\n"
    "    relationship level and why, open encounters with their stage,\n"
    "    open promises and follow-ups, the latest 10 moments of truth,\n"
    "    satisfaction so far, and encounters counted by kind and exchange\n"
    "    (the same as GET /api/v1/customers/ID/overview).\n"
    "\n"
    "OPTIONS\n"
    "    --json      print JSON exactly as the HTTP API returns it\n"
    "    --limit N   rows per page, 1 to 500 (default 50)\n"
    "    --cursor C  continue after the page that printed '(more: --cursor C)'\n"
    "\n"
    "EXAMPLES\n"
    "    rapport customer add --name 'Maximilian Weber' --preferred-name Max \\\n"
    "        --email max@example.com\n"
    "    rapport customer list --q weber\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad input, 4 no such customer,\n"
    "    1 database error.\n";

enum { OPT_NAME = 1, OPT_PREF, OPT_EMAIL, OPT_PHONE, OPT_NOTES, OPT_JSON,
       OPT_Q, OPT_LIMIT, OPT_CURSOR, OPT_HELP, OPT_OVERVIEW };

static const struct option opts[] = {
    {"name", required_argument, NULL, OPT_NAME},
    {"preferred-name", required_argument, NULL, OPT_PREF},
    {"email", required_argument, NULL, OPT_EMAIL},
    {"phone", required_argument, NULL, OPT_PHONE},
    {"notes", required_argument, NULL, OPT_NOTES},
    {"json", no_argument, NULL, OPT_JSON},
    {"q", required_argument, NULL, OPT_Q},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"cursor", required_argument, NULL, OPT_CURSOR},
    {"help", no_argument, NULL, OPT_HELP},
    {"overview", no_argument, NULL, OPT_OVERVIEW},
    {NULL, 0, NULL, 0},
};

typedef struct parsed {
    json_t *fields;
    int json, help, overview;
    const char *q, *limit, *cursor;
} parsed;

static void append(json_t *fields, const char *key, const char *value)
{
    json_t *list = json_object_get(fields, key);
    if (!list) {
        list = json_array();
        json_object_set_new(fields, key, list);
    }
    json_array_append_new(list, json_string(value));
}

static int parse(int argc, char **argv, parsed *p)
{
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_NAME:
            json_object_set_new(p->fields, "name", json_string(optarg));
            break;
        case OPT_PREF:
            json_object_set_new(p->fields, "preferred_name", json_string(optarg));
            break;
        case OPT_EMAIL:
            append(p->fields, "emails", optarg);
            break;
        case OPT_PHONE:
            append(p->fields, "phones", optarg);
            break;
        case OPT_NOTES:
            json_object_set_new(p->fields, "notes", json_string(optarg));
            break;
        case OPT_JSON:
            p->json = 1;
            break;
        case OPT_OVERVIEW:
            p->overview = 1;
            break;
        case OPT_Q:
            p->q = optarg;
            break;
        case OPT_LIMIT:
            p->limit = optarg;
            break;
        case OPT_CURSOR:
            p->cursor = optarg;
            break;
        case 'h':
        case OPT_HELP:
            p->help = 1;
            break;
        default:
            return rp_cli_usage("customer", "unknown or incomplete option '%s'",
                                argv[optind - 1]);
        }
    }
    return 0;
}

static int id_arg(int argc, char **argv, int64_t *id)
{
    rp_error err;
    if (optind >= argc)
        return rp_cli_usage("customer", "%s needs a customer id", argv[0]);
    if (rp_parse_id(argv[optind], "id", id, &err))
        return rp_cli_usage("customer", "%s", err.message);
    return 0;
}

int rp_cmd_customer(rp_cli *cli, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(help, argc < 2 ? stderr : stdout);
        return argc < 2 ? RP_EXIT_USAGE : RP_EXIT_OK;
    }
    const char *sub = argv[1];
    parsed p = {.fields = json_object()};
    optind = 1;
    int rc = parse(argc - 1, argv + 1, &p);
    if (rc || p.help) {
        json_decref(p.fields);
        if (p.help)
            fputs(help, stdout);
        return rc;
    }
    int64_t id = 0;
    rp_error err;
    json_t *out = NULL;
    rp_code code = RP_OK;
    if (strcmp(sub, "add") == 0 || strcmp(sub, "update") == 0 ||
        strcmp(sub, "show") == 0 || strcmp(sub, "moments") == 0 ||
        strcmp(sub, "list") == 0) {
        if (strcmp(sub, "add") && strcmp(sub, "list") &&
            (rc = id_arg(argc - 1, argv + 1, &id))) {
            json_decref(p.fields);
            return rc;
        }
        if ((rc = rp_cli_open(cli))) {
            json_decref(p.fields);
            return rc;
        }
    } else {
        json_decref(p.fields);
        return rp_cli_usage("customer", "unknown subcommand '%s'", sub);
    }
    static const char *const columns[] = {"id", "greeting_name", "name",
                                          "emails", "phones", NULL};
    static const char *const moment_columns[] = {"id", "occurred_at", "kind",
                                                 "summary", "impression", NULL};
    rp_page_req page;
    if (strcmp(sub, "add") == 0) {
        code = rp_customer_create(&cli->ctx, p.fields, &out, &err);
    } else if (strcmp(sub, "update") == 0) {
        code = rp_customer_update(&cli->ctx, id, p.fields, &out, &err);
    } else if (strcmp(sub, "show") == 0 && p.overview) {
        code = rp_customer_overview(&cli->ctx, id, &out, &err);
    } else if (strcmp(sub, "show") == 0) {
        code = rp_customer_get(&cli->ctx, id, &out, &err);
    } else if ((code = rp_page_req_parse(p.limit, p.cursor, &page, &err)) == RP_OK) {
        if (strcmp(sub, "list") == 0)
            code = rp_customer_list(&cli->ctx, p.q, &page, &out, &err);
        else
            code = rp_moment_list(&cli->ctx, id, &page, &out, &err);
    }
    json_decref(p.fields);
    if (code)
        return rp_cli_fail(&err);
    if (strcmp(sub, "list") == 0)
        rp_cli_print_table(out, columns, p.json);
    else if (strcmp(sub, "moments") == 0)
        rp_cli_print_table(out, moment_columns, p.json);
    else
        rp_cli_print_record(out, p.json);
    json_decref(out);
    return RP_EXIT_OK;
}
