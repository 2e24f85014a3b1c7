/*
 * cmd_agent.c - `rapport agent add|list|passwd|deactivate` and
 * `rapport token create|list|revoke`, plus the password reading that
 * `rapport init` shares.
 *
 * The CLI works on the database file directly, so whoever can run it owns
 * the desk: it acts as an admin.  Passwords never come from the command
 * line (it shows in `ps` and shell history): from an environment variable,
 * a terminal prompt without echo, or generated and printed once.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

static const char agent_help[] =
    "NAME\n"
    "    rapport agent - add, list and manage the agents who sign in\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport agent add --name NAME --email EMAIL [--role ROLE]\n"
    "                      [--skill SKILL]... [--unavailable]\n"
    "                      [--generate-password | --no-password] [--json]\n"
    "    rapport agent list [--limit N] [--cursor C] [--json]\n"
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
    "    RAPPORT_PASSWORD=... rapport agent passwd 3\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad input or refused, 4 no such agent,\n"
    "    1 database error.\n";

static const char token_help[] =
    "NAME\n"
    "    rapport token - API tokens for integrations and scripts\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport token create --agent ID --name NAME [--json]\n"
    "    rapport token list [--agent ID] [--json]\n"
    "    rapport token revoke ID\n"
    "\n"
    "DESCRIPTION\n"
    "    create makes a token that acts as agent ID, with that agent's role,\n"
    "    and prints it once on a line of its own: only its SHA-256 is kept,\n"
    "    so it cannot be shown again.  Send it as\n"
    "    'Authorization: Bearer TOKEN'.  list shows tokens without their\n"
    "    secrets; revoke stops one at once.\n"
    "\n"
    "EXAMPLES\n"
    "    rapport token create --agent 1 --name 'nightly export'\n"
    "    rapport token revoke 4\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad input or already revoked,\n"
    "    4 no such token or agent, 1 database error.\n";

/* Read a line from the terminal without echo. */
static int prompt_hidden(const char *prompt, char *out, size_t n)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return -1;
    struct termios old, quiet;
    int fd = fileno(tty);
    if (tcgetattr(fd, &old) != 0) {
        fclose(tty);
        return -1;
    }
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    fputs(prompt, tty);
    fflush(tty);
    tcsetattr(fd, TCSAFLUSH, &quiet);
    char *got = fgets(out, (int)n, tty);
    tcsetattr(fd, TCSAFLUSH, &old);
    fputs("\n", tty);
    fclose(tty);
    if (!got)
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

int rp_cli_read_password(const char *env, int generate, char *out, size_t n,
                         int *generated)
{
    *generated = 0;
    if (generate) {
        rp_password_generate(out, n < 21 ? n : 21); /* 20 characters */
        *generated = 1;
        return 0;
    }
    const char *v = getenv(env);
    if (v && *v) {
        snprintf(out, n, "%s", v);
        return 0;
    }
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, "rapport: no password given: set %s, use "
                        "--generate-password, or run on a terminal\n", env);
        return -1;
    }
    char again[256];
    if (prompt_hidden("Password: ", out, n) ||
        prompt_hidden("Password again: ", again, sizeof again)) {
        fprintf(stderr, "rapport: cannot read the password from the terminal\n");
        return -1;
    }
    if (strcmp(out, again) != 0) {
        fprintf(stderr, "rapport: the two passwords differ\n");
        return -1;
    }
    return 0;
}

enum { O_NAME = 1, O_EMAIL, O_ROLE, O_SKILL, O_UNAVAIL, O_GEN, O_NOPW, O_JSON,
       O_LIMIT, O_CURSOR, O_AGENT, O_HELP };

static const struct option opts[] = {
    {"name", required_argument, NULL, O_NAME},
    {"email", required_argument, NULL, O_EMAIL},
    {"role", required_argument, NULL, O_ROLE},
    {"skill", required_argument, NULL, O_SKILL},
    {"unavailable", no_argument, NULL, O_UNAVAIL},
    {"generate-password", no_argument, NULL, O_GEN},
    {"no-password", no_argument, NULL, O_NOPW},
    {"json", no_argument, NULL, O_JSON},
    {"limit", required_argument, NULL, O_LIMIT},
    {"cursor", required_argument, NULL, O_CURSOR},
    {"agent", required_argument, NULL, O_AGENT},
    {"help", no_argument, NULL, O_HELP},
    {NULL, 0, NULL, 0},
};

typedef struct args {
    json_t *fields;
    int gen, nopw, json, help;
    const char *limit, *cursor, *agent;
} args;

static int parse(const char *cmd, int argc, char **argv, args *a)
{
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_NAME:
            json_object_set_new(a->fields, "name", json_string(optarg));
            break;
        case O_EMAIL:
            json_object_set_new(a->fields, "email", json_string(optarg));
            break;
        case O_ROLE:
            json_object_set_new(a->fields, "role", json_string(optarg));
            break;
        case O_SKILL: {
            json_t *l = json_object_get(a->fields, "skills");
            if (!l)
                json_object_set_new(a->fields, "skills", l = json_array());
            json_array_append_new(l, json_string(optarg));
            break;
        }
        case O_UNAVAIL:
            json_object_set_new(a->fields, "available", json_false());
            break;
        case O_GEN: a->gen = 1; break;
        case O_NOPW: a->nopw = 1; break;
        case O_JSON: a->json = 1; break;
        case O_LIMIT: a->limit = optarg; break;
        case O_CURSOR: a->cursor = optarg; break;
        case O_AGENT: a->agent = optarg; break;
        case 'h':
        case O_HELP: a->help = 1; break;
        default:
            return rp_cli_usage(cmd, "unknown or incomplete option '%s'",
                                argv[optind - 1]);
        }
    }
    return 0;
}

static int id_at(const char *cmd, int argc, char **argv, int64_t *id)
{
    rp_error err;
    if (optind >= argc)
        return rp_cli_usage(cmd, "%s needs an id", argv[0]);
    if (rp_parse_id(argv[optind], "id", id, &err))
        return rp_cli_usage(cmd, "%s", err.message);
    return 0;
}

static int agent_run(rp_cli *cli, const char *sub, int argc, char **argv,
                     args *a)
{
    rp_error err;
    json_t *out = NULL;
    int64_t id = 0;
    int rc;
    char pw[256];
    int generated = 0;
    if (!strcmp(sub, "add")) {
        if (!json_object_get(a->fields, "role"))
            json_object_set_new(a->fields, "role", json_string("agent"));
        if (!a->nopw) {
            if (rp_cli_read_password("RAPPORT_PASSWORD", a->gen, pw, sizeof pw,
                                     &generated))
                return RP_EXIT_INPUT;
            json_object_set_new(a->fields, "password", json_string(pw));
        }
        if ((rc = rp_cli_open(cli)))
            return rc;
        if (rp_agent_create(&cli->ctx, a->fields, &out, &err))
            return rp_cli_fail(&err);
    } else if (!strcmp(sub, "list")) {
        rp_page_req page;
        if ((rc = rp_cli_open(cli)))
            return rc;
        if (rp_page_req_parse(a->limit, a->cursor, &page, &err) ||
            rp_agent_list(&cli->ctx, &page, &out, &err))
            return rp_cli_fail(&err);
        static const char *const cols[] = {"id", "name", "email", "role",
                                           "skills", "active", "available",
                                           NULL};
        rp_cli_print_table(out, cols, a->json);
        json_decref(out);
        return RP_EXIT_OK;
    } else if (!strcmp(sub, "passwd") || !strcmp(sub, "deactivate")) {
        if ((rc = id_at("agent", argc, argv, &id)))
            return rc;
        json_t *in = json_object();
        if (!strcmp(sub, "passwd")) {
            if (rp_cli_read_password("RAPPORT_PASSWORD", a->gen, pw, sizeof pw,
                                     &generated)) {
                json_decref(in);
                return RP_EXIT_INPUT;
            }
            json_object_set_new(in, "password", json_string(pw));
        } else {
            json_object_set_new(in, "active", json_false());
        }
        rc = rp_cli_open(cli);
        rp_code code = rc ? RP_OK : rp_agent_update(&cli->ctx, id, in, &out, &err);
        json_decref(in);
        if (rc)
            return rc;
        if (code)
            return rp_cli_fail(&err);
    } else {
        return rp_cli_usage("agent", "unknown subcommand '%s'", sub);
    }
    if (generated && a->json)
        json_object_set_new(out, "generated_password", json_string(pw));
    rp_cli_print_record(out, a->json);
    if (generated && !a->json)
        printf("password: %s\n", pw);
    json_decref(out);
    return RP_EXIT_OK;
}

int rp_cmd_agent(rp_cli *cli, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(agent_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? RP_EXIT_USAGE : RP_EXIT_OK;
    }
    args a = {.fields = json_object()};
    int rc = parse("agent", argc - 1, argv + 1, &a);
    if (!rc && a.help)
        fputs(agent_help, stdout);
    else if (!rc)
        rc = agent_run(cli, argv[1], argc - 1, argv + 1, &a);
    json_decref(a.fields);
    return rc;
}

static int token_run(rp_cli *cli, const char *sub, int argc, char **argv,
                     args *a)
{
    rp_error err;
    json_t *out = NULL;
    int64_t id = 0, agent = 0;
    int rc;
    if (a->agent && rp_parse_id(a->agent, "agent", &agent, &err))
        return rp_cli_usage("token", "--agent: %s", err.message);
    if (!strcmp(sub, "create")) {
        if (!a->agent || !json_object_get(a->fields, "name"))
            return rp_cli_usage("token", "create needs --agent ID and --name NAME");
        if ((rc = rp_cli_open(cli)))
            return rc;
        json_t *in = json_pack("{s:O, s:I}", "name",
                               json_object_get(a->fields, "name"), "agent_id",
                               (json_int_t)agent);
        rp_code code = rp_token_create(&cli->ctx, in, 1, &out, &err);
        json_decref(in);
        if (code)
            return rp_cli_fail(&err);
        if (a->json) {
            rp_cli_print_record(out, 1);
        } else {
            printf("%s\n", json_string_value(json_object_get(out, "token")));
            fprintf(stderr, "rapport: token %lld for agent %lld; it is shown "
                            "only this once\n",
                    (long long)json_integer_value(json_object_get(out, "id")),
                    (long long)agent);
        }
        json_decref(out);
        return RP_EXIT_OK;
    }
    if (!strcmp(sub, "list")) {
        rp_page_req page;
        if ((rc = rp_cli_open(cli)))
            return rc;
        if (rp_page_req_parse(a->limit, a->cursor, &page, &err) ||
            rp_token_list(&cli->ctx, agent, &page, &out, &err))
            return rp_cli_fail(&err);
        static const char *const cols[] = {"id", "agent_id", "name",
                                           "created_at", "last_used_at",
                                           "revoked_at", NULL};
        rp_cli_print_table(out, cols, a->json);
        json_decref(out);
        return RP_EXIT_OK;
    }
    if (!strcmp(sub, "revoke")) {
        if ((rc = id_at("token", argc, argv, &id)) || (rc = rp_cli_open(cli)))
            return rc;
        if (rp_token_revoke(&cli->ctx, id, 1, &err))
            return rp_cli_fail(&err);
        printf("rapport: token %lld revoked\n", (long long)id);
        return RP_EXIT_OK;
    }
    return rp_cli_usage("token", "unknown subcommand '%s'", sub);
}

int rp_cmd_token(rp_cli *cli, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(token_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? RP_EXIT_USAGE : RP_EXIT_OK;
    }
    args a = {.fields = json_object()};
    int rc = parse("token", argc - 1, argv + 1, &a);
    if (!rc && a.help)
        fputs(token_help, stdout);
    else if (!rc)
        rc = token_run(cli, argv[1], argc - 1, argv + 1, &a);
    json_decref(a.fields);
    return rc;
}
