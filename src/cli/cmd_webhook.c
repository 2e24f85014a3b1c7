/*
 * cmd_webhook.c - `rapport webhook add|list|show|update|remove|deliveries`:
 * the subscriptions that send the desk's events to other systems, and
 * what was delivered to each.
 */
#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport webhook - send the desk's events to other systems\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport webhook add --url URL --event KIND [--event KIND ...]\n"
    "                        [--description TEXT] [--secret TEXT]\n"
    "                        [--inactive] [--json]\n"
    "    rapport webhook list [--json]\n"
    "    rapport webhook show ID [--json]\n"
    "    rapport webhook update ID [--url URL] [--event KIND ...]\n"
    "                        [--description TEXT] [--active yes|no] [--json]\n"
    "    rapport webhook remove ID\n"
    "    rapport webhook deliveries ID [--status STATUS] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    add subscribes URL (https:// or http://) to the kinds of event\n"
    "    named by --event, or to all with --event '*'.  The kinds:\n"
    "    encounter.opened, encounter.stage_changed, encounter.assigned,\n"
    "    encounter.closed, encounter.abandoned, message.received,\n"
    "    message.sent, message.failed, satisfaction.answered,\n"
    "    customer.created, customer.changed, customer.merged,\n"
    "    customer.erased, charter.breached.  rapportd POSTs each event as\n"
    "    JSON, signed with the subscription's secret (the header\n"
    "    Rapport-Signature: t=TIME,v1=HMAC-SHA256 of \"TIME.BODY\"), with\n"
    "    the same Rapport-Delivery id on every retry.  Without --secret one\n"
    "    is made; the secret is printed by add only, never again.\n"
    "    update changes what it is given (--event replaces the list);\n"
    "    --active no stops sending and keeps what is waiting.  remove\n"
    "    deletes a subscription and its delivery log.  deliveries lists\n"
    "    what was sent, newest first, with its status (queued, sending,\n"
    "    delivered, failed), attempts and the receiver's answer.\n"
    "\n"
    "OPTIONS\n" RP_CLI_PAGE_HELP "\n"
    "EXAMPLES\n"
    "    rapport webhook add --url https://crm.example/hooks/rapport \\\n"
    "        --event encounter.closed --event satisfaction.answered\n"
    "    rapport webhook deliveries 1 --status failed\n"
    "    rapport webhook update 1 --active no\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad input, 4 no such subscription,\n"
    "    1 database error.\n";

static const rp_opt fields[] = {
    {"url", RP_OPT_STR, "url", NULL},
    {"event", RP_OPT_LIST, "events", NULL},
    {"description", RP_OPT_STR, "description", NULL},
    {"secret", RP_OPT_STR, "secret", NULL},
    {"inactive", RP_OPT_FALSE, "active", NULL},
    {"active", RP_OPT_BOOL, "active", NULL},
    {0}};

static int add(rp_cli *cli, int argc, char **argv)
{
    return rp_cli_write(cli, argc, argv, fields, "webhook", rp_webhook_create,
                        rp_webhook_update);
}

static int list(rp_cli *cli, int argc, char **argv)
{
    rp_cli_page p = {0};
    const rp_opt opts[] = {RP_CLI_PAGE_OPTIONS(p), {0}};
    int rc = rp_cli_args(cli, argc, argv, opts, NULL, NULL);
    if (rc || (rc = rp_cli_page_open(cli, &p)))
        return rc;
    rp_error err;
    json_t *out = NULL;
    rp_code code = rp_webhook_list(&cli->ctx, &p.req, &out, &err);
    static const char *const cols[] = {
        "id",          "active",          "url",         "events",
        "last_status", "last_attempt_at", "description", NULL};
    return rp_cli_finish(code, &err, out, p.json, cols);
}

static int show(rp_cli *cli, int argc, char **argv)
{
    return rp_cli_show(cli, argc, argv, "webhook", rp_webhook_get);
}

static int remove_one(rp_cli *cli, int argc, char **argv)
{
    int64_t id = 0;
    int rc = rp_cli_start(cli, argc, argv, NULL, NULL, "webhook", &id, NULL);
    if (rc)
        return rc;
    rp_error err;
    if (rp_webhook_remove(&cli->ctx, id, &err))
        return rp_cli_fail(&err);
    printf("rapport: webhook %lld removed\n", (long long)id);
    return RP_EXIT_OK;
}

static int deliveries(rp_cli *cli, int argc, char **argv)
{
    const char *status = NULL;
    rp_cli_page p = {0};
    const rp_opt opts[] = {
        {"status", RP_OPT_TEXT, NULL, &status}, RP_CLI_PAGE_OPTIONS(p), {0}};
    int64_t id = 0;
    int rc = rp_cli_args(cli, argc, argv, opts, NULL, "webhook", &id, NULL);
    if (rc || (rc = rp_cli_page_open(cli, &p)))
        return rc;
    rp_error err;
    json_t *out = NULL;
    rp_code code = rp_webhook_deliveries(&cli->ctx, id, status, &p.req, &out,
                                         &err);
    static const char *const cols[] = {
        "id",         "delivery_id", "kind",
        "status",     "attempts",    "response_code",
        "created_at", "last_error",  NULL};
    return rp_cli_finish(code, &err, out, p.json, cols);
}

static const rp_subcommand subs[] = {
    {"add", add},    {"list", list},         {"show", show},
    {"update", add}, {"remove", remove_one}, {"deliveries", deliveries},
    {NULL, NULL}};

const rp_command rp_cmd_webhook = {
    "webhook", "send the desk's events to other systems (event webhooks)", help,
    subs, NULL};
