/*
 * main.c - rapport, the command line of the rapport desk.
 *
 * Reads the configuration once (--db and the RAPPORT_* variables, from the
 * table in config.c), then runs the command named on the command line from
 * the table below; its help is built from the same table.  Global options
 * come before the command; each command parses its own.  Every command
 * calls librapport and prints its result; no rule lives here.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static const rp_command *const commands[] = {
    &rp_cmd_init,      &rp_cmd_demo,    &rp_cmd_customer, &rp_cmd_encounter,
    &rp_cmd_agent,     &rp_cmd_token,   &rp_cmd_charter,  &rp_cmd_report,
    &rp_cmd_pref,      &rp_cmd_goal,    &rp_cmd_date,     &rp_cmd_consent,
    &rp_cmd_product,   &rp_cmd_due,     &rp_cmd_tasks,    &rp_cmd_loyalty,
    &rp_cmd_recommend, &rp_cmd_message, &rp_cmd_mail,     &rp_cmd_secrets,
    &rp_cmd_webhook,   &rp_cmd_backup,  &rp_cmd_restore,  &rp_cmd_queue,
    &rp_cmd_import,    &rp_cmd_export,  &rp_cmd_ledger,   &rp_cmd_retention,
    &rp_cmd_store,
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fputs("NAME\n"
          "    rapport - the rapport customer-service desk, from the command "
          "line\n"
          "\n"
          "SYNOPSIS\n"
          "    rapport [--db NAME] COMMAND [OPTIONS] [ARGS]\n"
          "    rapport COMMAND --help\n"
          "\n"
          "DESCRIPTION\n"
          "    Works directly on the rapport database, with the same rules as "
          "the\n"
          "    HTTP API of rapportd (which is a separate program: see\n"
          "    'rapportd --help').  Every change is recorded as a moment of "
          "truth.\n"
          "\n"
          "COMMANDS\n",
          out);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "    %-11s %s\n", commands[i]->name, commands[i]->summary);
    fputs("\nGLOBAL OPTIONS\n", out);
    rp_config_print_flags(out, RP_CONFIG_CLI);
    fputs("    -h, --help\n"
          "        print this help and exit.\n"
          "    --version\n"
          "        print the version and exit.\n"
          "\n"
          "ENVIRONMENT\n",
          out);
    rp_config_print_environment(out, RP_CONFIG_CLI);
    fputs("\n"
          "EXIT STATUS\n"
          "    0  success\n"
          "    1  internal error: the database cannot be read or written\n"
          "    2  usage error: unknown command or option, missing argument, a\n"
          "       bad RAPPORT_* value\n"
          "    3  bad input: a value breaks a rule, or the change is refused\n"
          "    4  not found: no record with the id given\n",
          out);
}

static int usage_error(const char *fmt, const char *arg)
{
    rp_buf why = RP_BUF_INIT;
    rp_buf_printf(&why, fmt, arg);
    rp_cli_say("rapport: %s\nTry 'rapport --help'.\n", rp_buf_str(&why));
    rp_buf_free(&why);
    return RP_EXIT_USAGE;
}

enum { OPT_HELP = 'h', OPT_VERSION = 'V' };

int main(int argc, char **argv)
{
    struct option opts[16] = {
        {"help", no_argument, NULL, OPT_HELP},
        {"version", no_argument, NULL, OPT_VERSION},
    };
    size_t nopts = 2;
    /* the last entry stays zero: the end of the array */
    rp_config_options(RP_CONFIG_CLI, opts, 15, &nopts);
    const char *given[64] = {0};
    int c;
    opterr = 0;
    /* "+": the first word that is not an option is the command */
    while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
        if (c == OPT_HELP) {
            usage(stdout);
            return RP_EXIT_OK;
        } else if (c == OPT_VERSION) {
            printf("rapport %s\n", RP_VERSION);
            return RP_EXIT_OK;
        } else if (c >= RP_CONFIG_OPTION_BASE &&
                   c - RP_CONFIG_OPTION_BASE <
                       (int)(sizeof given / sizeof *given)) {
            given[c - RP_CONFIG_OPTION_BASE] = optarg;
        } else {
            return usage_error(c == ':' ? "option '%s' needs a value"
                                        : "unknown option '%s'",
                               argv[optind - 1]);
        }
    }
    rp_cli cli = {0};
    char why[512];
    if (rp_config_read(&cli.config, RP_CONFIG_CLI, given, why, sizeof why))
        return usage_error("%s", why);
    if (optind >= argc) {
        usage(stderr);
        return RP_EXIT_USAGE;
    }
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(commands[i]->name, argv[optind]) == 0) {
            int rc = rp_cli_dispatch(&cli, commands[i], argc - optind,
                                     argv + optind);
            rp_store_close(cli.store);
            return rc;
        }
    }
    return usage_error("unknown command '%s'", argv[optind]);
}
