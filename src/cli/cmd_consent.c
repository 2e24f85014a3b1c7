/*
 * cmd_consent.c - `rapport consent`: what a customer agreed to be contacted
 * for; the subcommands are those of every profile item (profile_items.c).
 */
#include "cli.h"

static const rp_opt fields[] = {{"purpose", RP_OPT_STR, "purpose", NULL},
                                {"granted", RP_OPT_BOOL, "granted", NULL},
                                {"source", RP_OPT_STR, "source", NULL},
                                {0}};

static int run(rp_cli *cli, int argc, char **argv)
{
    return rp_profile_items_run(cli, argc, argv, "consents", fields);
}

static const rp_subcommand subs[] = {{"add", run},    {"set", run},
                                     {"list", run},   {"update", run},
                                     {"remove", run}, {NULL, NULL}};

const rp_command rp_cmd_consent = {"consent",
                                   "a customer's consent per purpose",
                                   rp_profile_items_help, subs, NULL};
