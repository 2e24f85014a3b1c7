/*
 * main.c - rapport, the command line of the rapport desk.
 *
 * Global options come before the command; each command parses its own.
 * Every command calls librapport and prints its result; no rule lives here.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const rp_command commands[] = {
    {"init", "create the database, or migrate it to this version", rp_cmd_init},
    {"demo", "load the seed stories as demo data", rp_cmd_demo},
    {"customer", "add, show, change and list customers", rp_cmd_customer},
    {"encounter", "open encounters and move them through the cycle",
     rp_cmd_encounter},
    {"agent", "add, list and manage agents", rp_cmd_agent},
    {"token", "create, list and revoke API tokens", rp_cmd_token},
    {"charter", "the service charter: targets, breaches, promises", rp_cmd_charter},
    {"report", "the service metrics of a window, as a report", rp_cmd_report},
    /* looking to the future */
    {"pref", "a customer's preferences (firm or flexible)", rp_cmd_pref},
    {"goal", "a customer's goals", rp_cmd_goal},
    {"date", "a customer's important dates", rp_cmd_date},
    {"consent", "a customer's consent per purpose", rp_cmd_consent},
    {"product", "the catalogue", rp_cmd_product},
    {"due", "send what is due (reminders, notices, checks)", rp_cmd_due},
    {"tasks", "list tasks: sent, held, failed", rp_cmd_tasks},
    {"loyalty", "a customer's loyalty tier and discount", rp_cmd_loyalty},
    {"recommend", "respectful recommendations for a customer", rp_cmd_recommend},
};

static const char usage_text[] =
    "NAME\n"
    "    rapport - the rapport customer-service desk, from the command line\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport [--db PATH] COMMAND [OPTIONS] [ARGS]\n"
    "    rapport COMMAND --help\n"
    "\n"
    "DESCRIPTION\n"
    "    Works directly on the rapport database, with the same rules as the\n"
    "    HTTP API of rapportd (which is a separate program: see\n"
    "    'rapportd --help').  Every change is recorded as a moment of truth.\n"
    "\n"
    "COMMANDS\n"
    "    init        create the database, or migrate it to this version\n"
    "    demo        load the seed stories as demo data\n"
    "    customer    add, show, change and list customers\n"
    "    encounter   open encounters and move them through the cycle\n"
    "    agent       add, list and manage agents\n"
    "    token       create, list and revoke API tokens\n"
    "    charter     the service charter: targets, breaches, promises\n"
    "    report      the service metrics of a window, as a report\n"
    "    pref        a customer's preferences (firm or flexible)\n"
    "    goal        a customer's goals\n"
    "    date        a customer's important dates\n"
    "    consent     a customer's consent per purpose\n"
    "    product     the catalogue\n"
    "    due         send what is due (reminders, notices, checks)\n"
    "    tasks       list tasks: sent, held, failed\n"
    "    loyalty     a customer's loyalty tier and discount\n"
    "    recommend   respectful recommendations for a customer\n"
    "\n"
    "GLOBAL OPTIONS\n"
    "    --db PATH   SQLite database file (default: $RAPPORT_DB, else\n"
    "                ./rapport.db)\n"
    "    -h, --help  print this help and exit\n"
    "    --version   print the version and exit\n"
    "\n"
    "ENVIRONMENT\n"
    "    RAPPORT_DB  database file when --db is not given\n"
    "\n"
    "EXIT STATUS\n"
    "    0  success\n"
    "    1  internal error: the database cannot be read or written\n"
    "    2  usage error: unknown command or option, missing argument\n"
    "    3  bad input: a value breaks a rule, or the change is refused\n"
    "    4  not found: no record with the id given\n";

int rp_cli_open(rp_cli *cli)
{
    if (cli->store)
        return RP_EXIT_OK;
    rp_error err;
    if (rp_store_open(cli->db_path, &cli->store, &err)) {
        fprintf(stderr, "rapport: %s\n", err.message);
        return RP_EXIT_INTERNAL;
    }
    cli->ctx.store = cli->store;
    cli->ctx.actor = "cli";
    return RP_EXIT_OK;
}

int rp_cli_fail(const rp_error *err)
{
    if (err->field[0])
        fprintf(stderr, "rapport: %s (field: %s)\n", err->message, err->field);
    else
        fprintf(stderr, "rapport: %s\n", err->message);
    switch (err->code) {
    case RP_ENOTFOUND:
        return RP_EXIT_NOTFOUND;
    case RP_EMALFORMED:
    case RP_ETYPE:
    case RP_EINVALID:
    case RP_ECONFLICT:
    case RP_EFORBIDDEN:
    case RP_EAUTH:
    case RP_ERATELIMIT:
        return RP_EXIT_INPUT;
    default:
        return RP_EXIT_INTERNAL;
    }
}

int rp_cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rapport %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'rapport %s --help'.\n", cmd);
    return RP_EXIT_USAGE;
}

static void print_value(json_t *v)
{
    if (json_is_string(v)) {
        fputs(json_string_value(v), stdout);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            if (i)
                fputs(", ", stdout);
            print_value(item);
        }
    } else if (json_is_null(v)) {
        fputs("-", stdout);
    } else {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        fputs(s ? s : "?", stdout);
        free(s);
    }
}

void rp_cli_print_record(json_t *record, int json)
{
    if (json) {
        json_dumpf(record, stdout, JSON_INDENT(2));
        putchar('\n');
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach(record, key, v)
    {
        printf("%-16s ", key);
        print_value(v);
        putchar('\n');
    }
}

void rp_cli_print_table(json_t *page, const char *const columns[], int json)
{
    if (json) {
        json_dumpf(page, stdout, JSON_INDENT(2));
        putchar('\n');
        return;
    }
    json_t *items = json_object_get(page, "items");
    for (int c = 0; columns[c]; c++)
        printf("%s%s", c ? "\t" : "", columns[c]);
    putchar('\n');
    size_t i;
    json_t *row;
    json_array_foreach(items, i, row)
    {
        for (int c = 0; columns[c]; c++) {
            if (c)
                putchar('\t');
            print_value(json_object_get(row, columns[c]));
        }
        putchar('\n');
    }
    json_t *next = json_object_get(page, "next_cursor");
    if (json_is_string(next))
        fprintf(stderr, "(more: --cursor %s)\n", json_string_value(next));
}

int main(int argc, char **argv)
{
    rp_cli cli = {.db_path = getenv("RAPPORT_DB")};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_text, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--version")) {
            printf("rapport %s\n", RP_VERSION);
            return 0;
        } else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            cli.db_path = argv[++i];
        } else if (!strncmp(argv[i], "--db=", 5)) {
            cli.db_path = argv[i] + 5;
        } else {
            fprintf(stderr, "rapport: unknown option '%s'\nTry 'rapport --help'.\n",
                    argv[i]);
            return RP_EXIT_USAGE;
        }
    }
    if (!cli.db_path || !*cli.db_path)
        cli.db_path = "rapport.db";
    if (i >= argc) {
        fputs(usage_text, stderr);
        return RP_EXIT_USAGE;
    }
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
        if (strcmp(commands[c].name, argv[i]) == 0) {
            optind = 1;
            int rc = commands[c].run(&cli, argc - i, argv + i);
            rp_store_close(cli.store);
            return rc;
        }
    }
    fprintf(stderr, "rapport: unknown command '%s'\nTry 'rapport --help'.\n",
            argv[i]);
    return RP_EXIT_USAGE;
}
