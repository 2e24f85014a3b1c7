/*
 * cmd_init.c - `rapport init` and `rapport demo`.
 */
#include <string.h>

#include "cli.h"

static const char init_help[] =
    "NAME\n"
    "    rapport init - create the database, or migrate it to this version\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport [--db PATH] init\n"
    "    rapport [--db PATH] init --admin-email EMAIL --admin-name NAME\n"
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
    "    RAPPORT_ADMIN_PASSWORD  the admin's password (at least 10 characters)\n"
    "\n"
    "EXAMPLES\n"
    "    rapport init\n"
    "    rapport init --admin-email ada@example.com --admin-name 'Ada Byron'\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 1 the database cannot be created or is too new,\n"
    "    2 usage error, 3 no password, a bad one, or the email is taken.\n";

static const char demo_help[] =
    "NAME\n"
    "    rapport demo - load the seed stories as demo data\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport [--db PATH] demo\n"
    "\n"
    "DESCRIPTION\n"
    "    Loads the people and encounters of the seed stories (the fruit\n"
    "    seller, Max and the suit, the aspirin, the pharmacist's follow-up,\n"
    "    the phone call, the car service, the insurance renewal) through the\n"
    "    same rules as the API.  Does nothing on a database that already has\n"
    "    customers, so demo data never mixes with real data.  Then loads demo\n"
    "    queues (Front desk, Phone line, Billing) and knowledge articles,\n"
    "    unless the knowledge base already has articles.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success (loaded, or skipped), 1 database error.\n";

static int wants_help(int argc, char **argv, const char *text)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(text, stdout);
            return 1;
        }
    return 0;
}

int rp_cmd_init(rp_cli *cli, int argc, char **argv)
{
    if (wants_help(argc, argv, init_help))
        return RP_EXIT_OK;
    const char *email = NULL, *name = NULL;
    int generate = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--admin-email") && i + 1 < argc)
            email = argv[++i];
        else if (!strcmp(argv[i], "--admin-name") && i + 1 < argc)
            name = argv[++i];
        else if (!strcmp(argv[i], "--generate-password"))
            generate = 1;
        else
            return rp_cli_usage("init", "unexpected argument '%s'", argv[i]);
    }
    if (!email != !name || (generate && !email))
        return rp_cli_usage("init", "--admin-email and --admin-name go "
                                    "together (and --generate-password "
                                    "needs them)");
    char pw[256];
    int generated = 0;
    if (email && rp_cli_read_password("RAPPORT_ADMIN_PASSWORD", generate, pw,
                                      sizeof pw, &generated))
        return RP_EXIT_INPUT;
    int rc = rp_cli_open(cli);
    if (rc)
        return rc;
    printf("rapport: database %s is at schema version %d\n", cli->db_path,
           cli->store->ops->schema_version(cli->store));
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

int rp_cmd_demo(rp_cli *cli, int argc, char **argv)
{
    if (wants_help(argc, argv, demo_help))
        return RP_EXIT_OK;
    if (argc > 1)
        return rp_cli_usage("demo", "unexpected argument '%s'", argv[1]);
    int rc = rp_cli_open(cli);
    if (rc)
        return rc;
    rp_error err;
    int loaded;
    if (rp_demo_load(&cli->ctx, &loaded, &err))
        return rp_cli_fail(&err);
    if (loaded)
        printf("rapport: loaded the seed stories (%d customers)\n", loaded);
    else
        printf("rapport: the database already has customers; demo not loaded\n");
    int articles = 0; /* auth: demo queues and knowledge articles */
    if (rp_kb_demo_load(&cli->ctx, &articles, &err))
        return rp_cli_fail(&err);
    if (articles)
        printf("rapport: loaded demo queues and %d knowledge articles\n",
               articles);
    return RP_EXIT_OK;
}
