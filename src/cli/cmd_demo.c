/*
 * cmd_demo.c - `rapport demo`: the seed stories, demo queues and knowledge
 * articles, loaded through the same rules as the API.
 */
#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport demo - load the seed stories as demo data\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport [--db NAME] demo [--beside]\n"
    "\n"
    "DESCRIPTION\n"
    "    Loads the people and encounters of the seed stories (the fruit\n"
    "    seller, Max and the suit, the aspirin, the pharmacist's follow-up,\n"
    "    the phone call, the car service, the insurance renewal) through the\n"
    "    same rules as the API.  Does nothing on a database that already has\n"
    "    customers, so demo data never mixes with real data.  Then loads demo\n"
    "    queues (Front desk, Phone line, Billing) and knowledge articles,\n"
    "    unless the knowledge base already has articles.\n"
    "\n"
    "OPTIONS\n"
    "    --beside  load the seed stories even when the database has\n"
    "              customers, beside them: for benchmarks that serve the\n"
    "              same demo customers from an empty desk and a large one\n"
    "              (bench/sq360).  Never on a desk in use: the demo's\n"
    "              people, encounters and moments of truth become part of\n"
    "              it.  Once per desk: a second run stops at the first\n"
    "              story whose phone or email is taken.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success (loaded, or skipped), 1 database error.\n";

static int run(rp_cli *cli, int argc, char **argv)
{
    int beside = 0;
    const rp_opt opts[] = {{"beside", RP_OPT_FLAG, NULL, &beside}, {0}};
    int rc = rp_cli_start(cli, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc;
    rp_error err;
    int loaded;
    if (beside ? rp_demo_load_beside(&cli->ctx, &loaded, &err)
               : rp_demo_load(&cli->ctx, &loaded, &err))
        return rp_cli_fail(&err);
    if (loaded)
        printf("rapport: loaded the seed stories (%d customers)\n", loaded);
    else
        printf(
            "rapport: the database already has customers; demo not loaded\n");
    int articles = 0;
    if (rp_kb_demo_load(&cli->ctx, &articles, &err))
        return rp_cli_fail(&err);
    if (articles)
        printf("rapport: loaded demo queues and %d knowledge articles\n",
               articles);
    return RP_EXIT_OK;
}

const rp_command rp_cmd_demo = {"demo", "load the seed stories as demo data",
                                help, NULL, run};
