/*
 * cmd_tasks.c - `rapport tasks`: what the scheduler sent, held, retried
 * or failed, and the follow-ups agents promised.
 */
#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport tasks - reminders, notices, checks and follow-ups\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport tasks [--status STATUS] [--customer ID] [--limit N]\n"
    "                  [--cursor C] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Lists tasks newest first.  STATUS is scheduled, claimed, sent,\n"
    "    done, failed, cancelled or held; held and failed tasks show why in\n"
    "    last_error.\n"
    "\n"
    "EXAMPLES\n"
    "    rapport tasks --status failed\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad input, 1 database error.\n";

static int run(rp_cli *cli, int argc, char **argv)
{
    const char *status = NULL, *customer = NULL;
    rp_cli_page p = {0};
    const rp_opt opts[] = {{"status", RP_OPT_TEXT, NULL, &status},
                           {"customer", RP_OPT_TEXT, NULL, &customer},
                           RP_CLI_PAGE_OPTIONS(p),
                           {0}};
    rp_error err;
    int64_t cid = 0;
    int rc = rp_cli_args(cli, argc, argv, opts, NULL, NULL);
    if (!rc && customer && rp_parse_id(customer, "customer", &cid, &err))
        rc = rp_cli_fail(&err);
    if (rc || (rc = rp_cli_page_open(cli, &p)))
        return rc;
    static const char *const cols[] = {"id",      "customer_id", "kind",
                                       "status",  "due_at",      "channel",
                                       "subject", "last_error",  NULL};
    json_t *out = NULL;
    rp_code code = rp_task_list(&cli->ctx, status, cid, &p.req, &out, &err);
    return rp_cli_finish(code, &err, out, p.json, cols);
}

const rp_command rp_cmd_tasks = {"tasks", "list tasks: sent, held, failed",
                                 help, NULL, run};
