/*
 * cmd_backup.c - `rapport backup` and `rapport restore`: a checked copy of
 * the database taken while rapportd serves, and putting one back.
 *
 * The store does the work (a consistent copy through the backend's online
 * backup, the checks, the atomic rename); these commands only parse,
 * call and print what the copy holds.
 */
#include "cli.h"

static const char backup_help[] =
    "NAME\n"
    "    rapport backup - copy the database, checked, while rapportd serves\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport [--db NAME] backup --to FILE [--force] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Copies the database as it is at one moment into FILE, while\n"
    "    rapportd and other commands go on reading and writing it: every\n"
    "    change acknowledged before the backup began is in the copy, and\n"
    "    none is half in it.  The copy is one self-contained SQLite file.\n"
    "    It is written beside FILE, checked (the database's integrity\n"
    "    check, that it is a rapport database and its schema version), put\n"
    "    on the disk, and only then renamed to FILE, so FILE is never half\n"
    "    written.  Prints its size, its schema version and how many\n"
    "    customers, encounters, moments, messages, tasks and agents it\n"
    "    holds.\n"
    "\n"
    "OPTIONS\n"
    "    --to FILE  where the copy goes (required)\n"
    "    --force    replace FILE if it exists (refused otherwise)\n"
    "    --json     print the report as JSON\n"
    "\n"
    "EXAMPLES\n"
    "    rapport --db /var/lib/rapport/rapport.db backup \\\n"
    "        --to /var/backups/rapport-$(date +%F).db\n"
    "\n"
    "EXIT STATUS\n"
    "    0 the copy is made and checked, 2 usage error, 3 FILE exists,\n"
    "    1 the database or the disk failed (nothing is left at FILE).\n";

static const char restore_help[] =
    "NAME\n"
    "    rapport restore - put a backup back as the database\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport [--db NAME] restore FILE [--force] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Checks FILE (the database's integrity check, that it is a rapport\n"
    "    database, and that its schema is not newer than this rapport\n"
    "    knows), copies it beside the database, puts it on the disk and\n"
    "    renames it into place, so the database is either the old one or\n"
    "    the whole backup whenever the machine stops.  An existing\n"
    "    database is replaced only with --force.  A database a running\n"
    "    rapportd serves is never replaced: stop rapportd first (systemctl\n"
    "    stop rapportd), restore, start it again; it migrates an older\n"
    "    backup to the current schema as it starts.\n"
    "\n"
    "OPTIONS\n"
    "    --force  replace an existing database\n"
    "    --json   print the report as JSON\n"
    "\n"
    "EXAMPLES\n"
    "    systemctl stop rapportd\n"
    "    rapport --db /var/lib/rapport/rapport.db restore --force \\\n"
    "        /var/backups/rapport-2026-12-01.db\n"
    "    systemctl start rapportd\n"
    "\n"
    "EXIT STATUS\n"
    "    0 restored, 2 usage error, 3 refused: the database exists (no\n"
    "    --force), rapportd or another program has it open, FILE is not an\n"
    "    intact rapport database or is newer than this rapport, 4 no FILE,\n"
    "    1 the disk failed (the old database is left as it was).\n";

/* The report of a checked copy, as lines or JSON. */
static void print_report(const char *verb, const char *file, json_t *report,
                         int json)
{
    if (json) {
        json_t *out = json_deep_copy(report);
        json_object_set_new(out, "file", json_string(file));
        char *s = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("%s\n", s);
        free(s);
        json_decref(out);
        return;
    }
    rp_buf shown = RP_BUF_INIT;
    printf("%s %s: %lld bytes, schema version %lld, integrity ok\n", verb,
           rp_cut(&shown, file, 200),
           (long long)json_integer_value(json_object_get(report, "bytes")),
           (long long)json_integer_value(
               json_object_get(report, "schema_version")));
    rp_buf_free(&shown);
    const char *table;
    json_t *n;
    json_object_foreach(json_object_get(report, "counts"), table, n)
        printf("  %-11s %lld\n", table, (long long)json_integer_value(n));
}

static int run_backup(rp_cli *cli, int argc, char **argv)
{
    const char *to = NULL;
    int force = 0, json = 0;
    const rp_opt opts[] = {{"to", RP_OPT_TEXT, NULL, &to},
                           {"force", RP_OPT_FLAG, NULL, &force},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    int rc = rp_cli_args(cli, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc;
    if (!to || !*to)
        return rp_cli_usage("backup", "--to FILE is required");
    if ((rc = rp_cli_open(cli)))
        return rc;
    json_t *report = NULL;
    rp_error err;
    if (cli->store->ops->backup(cli->store, to, force, &report, &err))
        return rp_cli_fail(&err);
    print_report("backed up to", to, report, json);
    json_decref(report);
    return RP_EXIT_OK;
}

static int run_restore(rp_cli *cli, int argc, char **argv)
{
    int force = 0, json = 0;
    const rp_opt opts[] = {{"force", RP_OPT_FLAG, NULL, &force},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    rp_args a;
    int rc = rp_opt_parse(cli, argc, argv, opts, &a);
    if (!rc)
        rc = rp_cli_no_more(cli, &a, 1);
    if (!rc && a.npos < 1)
        rc = rp_cli_usage("restore", "which backup? give FILE");
    const char *file = a.npos ? a.pos[0] : NULL;
    rp_args_free(&a);
    if (rc)
        return rc;
    json_t *report = NULL;
    rp_error err;
    if (rp_store_restore(file, cli->config.db, force, &report, &err)) {
        rc = rp_cli_fail(&err);
        /* a live database or a newer backup: a refusal, not a failure */
        return err.code == RP_EBUSY || err.code == RP_ESCHEMA ? RP_EXIT_INPUT
                                                              : rc;
    }
    print_report("restored from", file, report, json);
    json_decref(report);
    return RP_EXIT_OK;
}

const rp_command rp_cmd_backup = {"backup",
                                  "copy the database, checked, while it "
                                  "serves",
                                  backup_help, NULL, run_backup};
const rp_command rp_cmd_restore = {"restore",
                                   "put a backup back as the database",
                                   restore_help, NULL, run_restore};
