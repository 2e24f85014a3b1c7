/*
 * cmd_agent.c - `rapport agent add|list|update|passwd|deactivate`: the
 * people who sign in.
 *
 * The CLI works on the database file directly, so whoever can run it owns
 * the desk: it acts as an admin.  Passwords come from password.c, never
 * from the command line.
 */
#include <string.h>

#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport agent - add, list and manage the agents who sign in\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport agent add --name NAME --email EMAIL [--role ROLE]\n"
    "                      [--skill SKILL]... [--unavailable]\n"
    "                      [--language LANG] [--time-zone ZONE]\n"
    "                      [--generate-password | --no-password] [--json]\n"
    "    rapport agent list [--limit N] [--cursor C] [--json]\n"
    "    rapport agent update ID [--name NAME] [--role ROLE]\n"
    "                      [--language LANG] [--time-zone ZONE] [--json]\n"
    "    rapport agent passwd ID [--generate-password]\n"
    "    rapport agent deactivate ID\n"
    "\n"
    "DESCRIPTION\n"
    "    add creates an agent.  ROLE is agent (the default), lead or admin:\n"
    "    leads also write knowledge articles, admins also manage agents and\n"
    "    queues.  Skills are matched against the skills queues need when\n"
    "    encounters are routed.  The password is read from\n"
    "    $RAPPORT_PASSWORD, else prompted for on the terminal without echo;\n"
    "    --generate-password makes a random one and prints it once;\n"
    "    --no-password makes an agent that can only use API tokens.\n"
    "    --language (en or de) is the language the console speaks to the\n"
    "    agent and --time-zone (a tz database zone, such as Europe/Berlin)\n"
    "    the zone it shows their times in; without them the console follows\n"
    "    the agent's browser (agents may also choose them in the console).\n"
    "    update changes the name, role, language or time zone given.\n"
    "    passwd sets a new password and ends the agent's sessions.\n"
    "    deactivate stops the agent from signing in (sessions end, tokens\n"
    "    stop working) and from being offered encounters; the last active\n"
    "    admin cannot be deactivated.\n"
    "\n"
    "OPTIONS\n"
    "    --json      print JSON exactly as the HTTP API returns it\n"
    "\n"
    "ENVIRONMENT\n"
    "    RAPPORT_PASSWORD  the password for add and passwd\n"
    "\n"
    "EXAMPLES\n"
    "    rapport agent add --name 'Ada Byron' --email ada@example.com \\\n"
    "        --role lead --skill billing --skill phone\n"
    "    rapport agent update 3 --language de --time-zone Europe/Berlin\n"
    "    RAPPORT_PASSWORD=... rapport agent passwd 3\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad input or refused, 4 no such agent,\n"
    "    1 database error.\n";

/* Print the agent out made, with the password when it was generated. */
static int print_agent(json_t *out, int json, const char *pw, int generated)
{
    if (generated && json)
        json_object_set_new(out, "generated_password", json_string(pw));
    rp_cli_print_record(out, json);
    if (generated && !json)
        printf("password: %s\n", pw);
    json_decref(out);
    return RP_EXIT_OK;
}

static int add(rp_cli *cli, int argc, char **argv)
{
    int gen = 0, nopw = 0, json = 0;
    const rp_opt opts[] = {{"name", RP_OPT_STR, "name", NULL},
                           {"email", RP_OPT_STR, "email", NULL},
                           {"role", RP_OPT_STR, "role", NULL},
                           {"skill", RP_OPT_LIST, "skills", NULL},
                           {"unavailable", RP_OPT_FALSE, "available", NULL},
                           {"language", RP_OPT_STR, "language", NULL},
                           {"time-zone", RP_OPT_STR, "time_zone", NULL},
                           {"generate-password", RP_OPT_FLAG, NULL, &gen},
                           {"no-password", RP_OPT_FLAG, NULL, &nopw},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    rp_args a;
    char pw[256];
    int generated = 0;
    rp_error err;
    json_t *out = NULL;
    int rc = rp_cli_args(cli, argc, argv, opts, &a, NULL);
    if (!rc && !json_object_get(a.fields, "role"))
        json_object_set_new(a.fields, "role", json_string("agent"));
    if (!rc && !nopw) {
        if (rp_cli_read_password(cli->config.password, "RAPPORT_PASSWORD", gen,
                                 pw, sizeof pw, &generated))
            rc = RP_EXIT_INPUT;
        else
            json_object_set_new(a.fields, "password", json_string(pw));
    }
    if (!rc)
        rc = rp_cli_open(cli);
    if (!rc && rp_agent_create(&cli->ctx, a.fields, &out, &err))
        rc = rp_cli_fail(&err);
    rp_args_free(&a);
    return rc ? rc : print_agent(out, json, pw, generated);
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
    rp_code code = rp_agent_list(&cli->ctx, &p.req, &out, &err);
    static const char *const cols[] = {"id",     "name",   "email",     "role",
                                       "skills", "active", "available", NULL};
    return rp_cli_finish(code, &err, out, p.json, cols);
}

/* update: the name, role, language or time zone of agent ID. */
static int update(rp_cli *cli, int argc, char **argv)
{
    int json = 0;
    const rp_opt opts[] = {{"name", RP_OPT_STR, "name", NULL},
                           {"role", RP_OPT_STR, "role", NULL},
                           {"language", RP_OPT_STR, "language", NULL},
                           {"time-zone", RP_OPT_STR, "time_zone", NULL},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    rp_args a;
    int64_t id = 0;
    rp_error err;
    json_t *out = NULL;
    int rc = rp_cli_args(cli, argc, argv, opts, &a, "agent", &id, NULL);
    if (!rc)
        rc = rp_cli_open(cli);
    if (!rc && rp_agent_update(&cli->ctx, id, a.fields, &out, &err))
        rc = rp_cli_fail(&err);
    rp_args_free(&a);
    return rc ? rc : print_agent(out, json, NULL, 0);
}

/* passwd and deactivate: one change to agent ID. */
static int change(rp_cli *cli, int argc, char **argv)
{
    int gen = 0, json = 0, passwd = !strcmp(argv[0], "passwd");
    const rp_opt opts[] = {{"generate-password", RP_OPT_FLAG, NULL, &gen},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    int64_t id = 0;
    char pw[256];
    int generated = 0;
    int rc = rp_cli_args(cli, argc, argv, passwd ? opts : opts + 1, NULL,
                         "agent", &id, NULL);
    if (rc)
        return rc;
    json_t *in = json_object();
    if (!passwd)
        json_object_set_new(in, "active", json_false());
    else if (rp_cli_read_password(cli->config.password, "RAPPORT_PASSWORD", gen,
                                  pw, sizeof pw, &generated))
        rc = RP_EXIT_INPUT;
    else
        json_object_set_new(in, "password", json_string(pw));
    rp_error err;
    json_t *out = NULL;
    if (!rc)
        rc = rp_cli_open(cli);
    if (!rc && rp_agent_update(&cli->ctx, id, in, &out, &err))
        rc = rp_cli_fail(&err);
    json_decref(in);
    return rc ? rc : print_agent(out, json, pw, generated);
}

static const rp_subcommand subs[] = {{"add", add},           {"list", list},
                                     {"update", update},     {"passwd", change},
                                     {"deactivate", change}, {NULL, NULL}};

const rp_command rp_cmd_agent = {"agent", "add, list and manage agents", help,
                                 subs, NULL};
