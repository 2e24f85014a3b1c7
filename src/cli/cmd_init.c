/*
 * cmd_init.c - `rapport init` and `rapport demo`.
 */
#include <string.h>

#include "cli.h"

static const char init_help[] =
    "NAME\n"
    "    rapport init - create the database, or migrate it to this version\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport [--db PATH] init\n"
    "\n"
    "DESCRIPTION\n"
    "    Creates the SQLite database if it does not exist and applies every\n"
    "    schema migration it lacks, keeping its data.  A database made by a\n"
    "    newer rapport is refused and left untouched.  Safe to run again.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 1 the database cannot be created or is too new.\n";

static const char demo_help[] =
    "NAME\n"
    "    rapport demo - load the seed stories as demo data\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport [--db PATH] demo\n"
    "\n"
    "DESCRIPTION\n"
    "    Loads the people and encounters of the seed stories (the fruit\n"
    "    seller, Max and the suit, the aspirin, the pharmacist's follow-up,\n"
    "    the phone call, the car service, the insurance renewal) through the\n"
    "    same rules as the API.  Does nothing on a database that already has\n"
    "    customers, so demo data never mixes with real data.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success (loaded, or skipped), 1 database error.\n";

static int wants_help(int argc, char **argv, const char *text)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(text, stdout);
            return 1;
        }
    return 0;
}

int rp_cmd_init(rp_cli *cli, int argc, char **argv)
{
    if (wants_help(argc, argv, init_help))
        return RP_EXIT_OK;
    if (argc > 1)
        return rp_cli_usage("init", "unexpected argument '%s'", argv[1]);
    int rc = rp_cli_open(cli);
    if (rc)
        return rc;
    printf("rapport: database %s is at schema version %d\n", cli->db_path,
           cli->store->ops->schema_version(cli->store));
    return RP_EXIT_OK;
}

int rp_cmd_demo(rp_cli *cli, int argc, char **argv)
{
    if (wants_help(argc, argv, demo_help))
        return RP_EXIT_OK;
    if (argc > 1)
        return rp_cli_usage("demo", "unexpected argument '%s'", argv[1]);
    int rc = rp_cli_open(cli);
    if (rc)
        return rc;
    rp_error err;
    int loaded;
    if (rp_demo_load(&cli->ctx, &loaded, &err))
        return rp_cli_fail(&err);
    if (loaded)
        printf("rapport: loaded the seed stories (%d customers)\n", loaded);
    else
        printf("rapport: the database already has customers; demo not loaded\n");
    return RP_EXIT_OK;
}
