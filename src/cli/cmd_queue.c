/*
 * cmd_queue.c - `rapport queue list|access`: the queues, and who may see
 * each queue's customers and encounters (open to every agent, or
 * restricted to its members).
 */
#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport queue - the queues, and who may see their customers\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport queue list [--json]\n"
    "    rapport queue access ID [--restricted yes|no] [--member AGENT]...\n"
    "                            [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    A queue is open (every agent sees its customers and encounters)\n"
    "    or restricted: then only its members (leads among them) and\n"
    "    admins see the encounters routed to it, and the customers whose\n"
    "    encounters are only in restricted queues they are not members\n"
    "    of stay hidden from other agents.  A lead also sees the work of\n"
    "    the agents of their queues.  access alone shows a queue's access;\n"
    "    --restricted yes|no changes it; --member (repeatable) replaces\n"
    "    its members.  See docs/privacy.md, \"Who can see what\".\n"
    "\n"
    "EXAMPLES\n"
    "    rapport queue access 2 --restricted yes --member 3 --member 4\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad input, 4 no such queue or agent,\n"
    "    1 database error.\n";

static int list(rp_cli *cli, int argc, char **argv)
{
    rp_cli_page p = {0};
    const rp_opt opts[] = {RP_CLI_PAGE_OPTIONS(p), {0}};
    int rc = rp_cli_args(cli, argc, argv, opts, NULL, NULL);
    if (rc || (rc = rp_cli_page_open(cli, &p)))
        return rc;
    rp_error err;
    json_t *out = NULL;
    rp_code code = rp_queue_list(&cli->ctx, &p.req, &out, &err);
    static const char *const cols[] = {"id", "name", "restricted", "skills",
                                       NULL};
    return rp_cli_finish(code, &err, out, p.json, cols);
}

static int access(rp_cli *cli, int argc, char **argv)
{
    int json = 0;
    const rp_opt opts[] = {{"restricted", RP_OPT_BOOL, "restricted", NULL},
                           {"member", RP_OPT_IDLIST, "members", NULL},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    rp_args a = {0};
    int64_t id = 0;
    int rc = rp_cli_start(cli, argc, argv, opts, &a, "queue", &id, NULL);
    if (rc) {
        rp_args_free(&a);
        return rc;
    }
    rp_error err;
    json_t *out = NULL;
    rp_code code = json_object_size(a.fields)
                       ? rp_queue_set_access(&cli->ctx, id, a.fields, &out,
                                             &err)
                       : rp_queue_access(&cli->ctx, id, &out, &err);
    rp_args_free(&a);
    return rp_cli_finish_with(code, &err, out, json, NULL);
}

static const rp_subcommand subs[] = {
    {"list", list}, {"access", access}, {NULL, NULL}};

const rp_command rp_cmd_queue = {
    "queue", "the queues, and who may see their customers", help, subs, NULL};
