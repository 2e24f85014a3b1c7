/*
 * cmd_token.c - `rapport token create|list|revoke`: API tokens for
 * integrations and scripts, each acting as one agent.
 */
#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport token - API tokens for integrations and scripts\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport token create --agent ID --name NAME [--expires TIME]\n"
    "                         [--mail-only] [--scope SCOPE]... [--queue "
    "ID]...\n"
    "                         [--json]\n"
    "    rapport token add ...  (the same as create)\n"
    "    rapport token list [--agent ID] [--json]\n"
    "    rapport token revoke ID\n"
    "\n"
    "DESCRIPTION\n"
    "    create makes a token that acts as agent ID, with that agent's role,\n"
    "    and prints it once on a line of its own: only its SHA-256 is kept,\n"
    "    so it cannot be shown again.  Send it as\n"
    "    'Authorization: Bearer TOKEN'.  --expires TIME (RFC 3339, in the\n"
    "    future) makes it stop working then; without it the token works\n"
    "    until revoked.  list shows tokens without their secrets: when each\n"
    "    expires and when it was last used; revoke stops one at once.\n"
    "    --mail-only makes a token that may only deliver inbound email\n"
    "    (POST /api/v1/mail/inbound), for a mail service that forwards by\n"
    "    HTTP: it reads nothing.\n"
    "\n"
    "    --scope read makes a token that may only read (GET); --scope\n"
    "    RESOURCE (customers, encounters, messages, tasks, kb, ...: the\n"
    "    first word of an API path after /api/v1/) limits it to those\n"
    "    resources; both repeat.  --queue ID (repeatable, up to 16) limits\n"
    "    it to the customers with an encounter in those queues and the\n"
    "    encounters routed to them.  Anything else is refused with 403 and\n"
    "    the reason.\n"
    "\n"
    "EXAMPLES\n"
    "    rapport token create --agent 1 --name 'nightly export'\n"
    "    rapport token create --agent 2 --name audit \\\n"
    "        --expires 2027-01-31T00:00:00Z\n"
    "    rapport token add --agent 3 --name reports --scope read \\\n"
    "        --scope customers --queue 2\n"
    "    rapport token revoke 4\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad input or already revoked,\n"
    "    4 no such token or agent, 1 database error.\n";

/* The --agent of create and list, when given, into *agent_id. */
static int agent_option(const char *agent, int64_t *agent_id)
{
    rp_error err;
    if (agent && rp_parse_id(agent, "agent", agent_id, &err))
        return rp_cli_usage("token", "--agent: %s", err.message);
    return 0;
}

/* The new token alone on stdout, for scripts to capture; the rest is said
 * on stderr. */
static void print_token(json_t *out)
{
    printf("%s\n", json_string_value(json_object_get(out, "token")));
    fprintf(stderr,
            "rapport: token %lld for agent %lld; it is shown "
            "only this once\n",
            (long long)json_integer_value(json_object_get(out, "id")),
            (long long)json_integer_value(json_object_get(out, "agent_id")));
}

static int create(rp_cli *cli, int argc, char **argv)
{
    const char *agent = NULL, *name = NULL, *expires = NULL;
    int json = 0, mail_only = 0;
    const rp_opt opts[] = {{"agent", RP_OPT_TEXT, NULL, &agent},
                           {"name", RP_OPT_TEXT, NULL, &name},
                           {"expires", RP_OPT_TEXT, NULL, &expires},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {"mail-only", RP_OPT_FLAG, NULL, &mail_only},
                           {"scope", RP_OPT_LIST, "scopes", NULL},
                           {"queue", RP_OPT_IDLIST, "queues", NULL},
                           {0}};
    int64_t agent_id = 0;
    rp_args a = {0};
    int rc = rp_cli_args(cli, argc, argv, opts, &a, NULL);
    if (!rc)
        rc = agent_option(agent, &agent_id);
    if (!rc && (!agent || !name))
        rc = rp_cli_usage("token", "create needs --agent ID and --name NAME");
    if (rc || (rc = rp_cli_open(cli))) {
        rp_args_free(&a);
        return rc;
    }
    rp_error err;
    json_t *out = NULL;
    json_t *in = json_pack("{s:s, s:I, s:s}", "name", name, "agent_id",
                           (json_int_t)agent_id, "scope",
                           mail_only ? "mail" : "all");
    json_object_update(in, a.fields); /* scopes and queues */
    rp_args_free(&a);
    if (expires) /* checked by the core, which names expires_at */
        json_object_set_new(in, "expires_at", json_string(expires));
    rp_code code = rp_token_create(&cli->ctx, in, 1, &out, &err);
    json_decref(in);
    return rp_cli_finish_with(code, &err, out, json, print_token);
}

static int list(rp_cli *cli, int argc, char **argv)
{
    const char *agent = NULL;
    rp_cli_page p = {0};
    const rp_opt opts[] = {
        {"agent", RP_OPT_TEXT, NULL, &agent}, RP_CLI_PAGE_OPTIONS(p), {0}};
    int64_t agent_id = 0;
    int rc = rp_cli_args(cli, argc, argv, opts, NULL, NULL);
    if (!rc)
        rc = agent_option(agent, &agent_id);
    if (rc || (rc = rp_cli_page_open(cli, &p)))
        return rc;
    rp_error err;
    json_t *out = NULL;
    rp_code code = rp_token_list(&cli->ctx, agent_id, &p.req, &out, &err);
    static const char *const cols[] = {
        "id",         "agent_id",     "name",       "created_at",
        "expires_at", "last_used_at", "revoked_at", NULL};
    return rp_cli_finish(code, &err, out, p.json, cols);
}

static int revoke(rp_cli *cli, int argc, char **argv)
{
    int64_t id = 0;
    int rc = rp_cli_start(cli, argc, argv, NULL, NULL, "token", &id, NULL);
    if (rc)
        return rc;
    rp_error err;
    if (rp_token_revoke(&cli->ctx, id, 1, &err))
        return rp_cli_fail(&err);
    printf("rapport: token %lld revoked\n", (long long)id);
    return RP_EXIT_OK;
}

static const rp_subcommand subs[] = {{"create", create},
                                     {"add", create},
                                     {"list", list},
                                     {"revoke", revoke},
                                     {NULL, NULL}};

const rp_command rp_cmd_token = {"token", "create, list and revoke API tokens",
                                 help, subs, NULL};
