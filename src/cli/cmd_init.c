/*
 * cmd_init.c - `rapport init`: create the database or migrate it, and
 * optionally the first admin, the one person who can then add the others.
 */
#include <string.h>

#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport init - create the database, or migrate it to this version\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport [--db NAME] init\n"
    "    rapport [--db NAME] init --admin-email EMAIL --admin-name NAME\n"
    "                             [--generate-password]\n"
    "\n"
    "DESCRIPTION\n"
    "    Creates the SQLite database if it does not exist and applies every\n"
    "    schema migration it lacks, keeping its data.  A database made by a\n"
    "    newer rapport is refused and left untouched.  Safe to run again.\n"
    "\n"
    "    With --admin-email and --admin-name it also creates an admin agent,\n"
    "    the first person who can sign in.  There is no built-in password:\n"
    "    it is read from $RAPPORT_ADMIN_PASSWORD, else prompted for twice on\n"
    "    the terminal without echo; --generate-password makes a random one\n"
    "    and prints it once.  The output then has the lines 'agent: ID' and,\n"
    "    when generated, 'password: PASSWORD'.\n"
    "\n"
    "OPTIONS\n"
    "    --admin-email EMAIL    email the admin signs in with\n"
    "    --admin-name NAME      the admin's name\n"
    "    --generate-password    make and print a random 20-character password\n"
    "\n"
    "ENVIRONMENT\n"
    "    RAPPORT_ADMIN_PASSWORD  the admin's password (at least 10 "
    "characters)\n"
    "\n"
    "EXAMPLES\n"
    "    rapport init\n"
    "    rapport init --admin-email ada@example.com --admin-name 'Ada Byron'\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 1 the database cannot be created or is too new,\n"
    "    2 usage error, 3 no password, a bad one, or the email is taken.\n";

static int run(rp_cli *cli, int argc, char **argv)
{
    const char *email = NULL, *name = NULL;
    int generate = 0;
    const rp_opt opts[] = {{"admin-email", RP_OPT_TEXT, NULL, &email},
                           {"admin-name", RP_OPT_TEXT, NULL, &name},
                           {"generate-password", RP_OPT_FLAG, NULL, &generate},
                           {0}};
    int rc = rp_cli_args(cli, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc;
    if (!email != !name || (generate && !email))
        return rp_cli_usage("init", "--admin-email and --admin-name go "
                                    "together (and --generate-password "
                                    "needs them)");
    char pw[256];
    int generated = 0;
    if (email && rp_cli_read_password(cli->config.admin_password,
                                      "RAPPORT_ADMIN_PASSWORD", generate, pw,
                                      sizeof pw, &generated))
        return RP_EXIT_INPUT;
    if ((rc = rp_cli_open(cli)))
        return rc;
    rp_buf shown = RP_BUF_INIT;
    rp_store_display_name(cli->config.db, &shown);
    printf("rapport: database %s is at schema version %d\n", rp_buf_str(&shown),
           cli->store->ops->schema_version(cli->store));
    rp_buf_free(&shown);
    if (!email)
        return RP_EXIT_OK;
    rp_error err;
    json_t *out = NULL;
    json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "name", name, "email", email,
                           "role", "admin", "password", pw);
    rp_code code = rp_agent_create(&cli->ctx, in, &out, &err);
    json_decref(in);
    if (code)
        return rp_cli_fail(&err);
    printf("agent: %lld\nemail: %s\nrole: admin\n",
           (long long)json_integer_value(json_object_get(out, "id")),
           json_string_value(json_object_get(out, "email")));
    if (generated)
        printf("password: %s\n", pw);
    json_decref(out);
    return RP_EXIT_OK;
}

const rp_command rp_cmd_init = {
    "init", "create the database, or migrate it to this version", help, NULL,
    run};
