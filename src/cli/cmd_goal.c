/*
 * cmd_goal.c - `rapport goal`: what a customer wants to become; the subcommands
 * are those of every profile item (profile_items.c).
 */
#include "cli.h"

static const rp_opt fields[] = {{"title", RP_OPT_STR, "title", NULL},
                                {"tag", RP_OPT_LIST, "tags", NULL},
                                {"status", RP_OPT_STR, "status", NULL},
                                {"encounter", RP_OPT_INT, "encounter_id", NULL},
                                {0}};

static int run(rp_cli *cli, int argc, char **argv)
{
    return rp_profile_items_run(cli, argc, argv, "goals", fields);
}

static const rp_subcommand subs[] = {{"add", run},    {"set", run},
                                     {"list", run},   {"update", run},
                                     {"remove", run}, {NULL, NULL}};

const rp_command rp_cmd_goal = {"goal", "a customer's goals",
                                rp_profile_items_help, subs, NULL};
