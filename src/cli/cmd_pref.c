/*
 * cmd_pref.c - `rapport pref`: a customer's preferences, firm or flexible; the
 * subcommands are those of every profile item (profile_items.c).
 */
#include "cli.h"

static const rp_opt fields[] = {{"key", RP_OPT_STR, "key", NULL},
                                {"value", RP_OPT_STR, "value", NULL},
                                {"firmness", RP_OPT_STR, "firmness", NULL},
                                {"encounter", RP_OPT_INT, "encounter_id", NULL},
                                {0}};

static int run(rp_cli *cli, int argc, char **argv)
{
    return rp_profile_items_run(cli, argc, argv, "preferences", fields);
}

static const rp_subcommand subs[] = {{"add", run},    {"set", run},
                                     {"list", run},   {"update", run},
                                     {"remove", run}, {NULL, NULL}};

const rp_command rp_cmd_pref = {"pref",
                                "a customer's preferences (firm or flexible)",
                                rp_profile_items_help, subs, NULL};
