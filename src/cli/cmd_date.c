/*
 * cmd_date.c - `rapport date`: a customer's important dates, which drive
 * reminders; the subcommands are those of every profile item (profile_items.c).
 */
#include "cli.h"

static const rp_opt fields[] = {{"kind", RP_OPT_STR, "kind", NULL},
                                {"title", RP_OPT_STR, "title", NULL},
                                {"at", RP_OPT_STR, "at", NULL},
                                {"where", RP_OPT_STR, "where", NULL},
                                {"with", RP_OPT_STR, "with_whom", NULL},
                                {"bring", RP_OPT_STR, "bring", NULL},
                                {"encounter", RP_OPT_INT, "encounter_id", NULL},
                                {0}};

static int run(rp_cli *cli, int argc, char **argv)
{
    return rp_profile_items_run(cli, argc, argv, "dates", fields);
}

static const rp_subcommand subs[] = {{"add", run},    {"set", run},
                                     {"list", run},   {"update", run},
                                     {"remove", run}, {NULL, NULL}};

const rp_command rp_cmd_date = {"date", "a customer's important dates",
                                rp_profile_items_help, subs, NULL};
