/*
 * cmd_store.c - `rapport store copy SOURCE TARGET`: move a whole desk into
 * another database, as a desk that outgrew SQLite moves onto PostgreSQL.
 *
 * The core does the copy and its checks (rp_transfer_copy); this file
 * parses, draws the progress (a bar on a terminal, plain lines in a log)
 * and prints what was checked.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport store - move a whole desk into another database\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport store copy SOURCE TARGET [--batch-rows N] [--batches N]\n"
    "                       [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    copy copies the whole desk in SOURCE into TARGET: every table of\n"
    "    the schema (customers, encounters, the ledger of moments of truth\n"
    "    in order with its hashes, identities, messages and attachments,\n"
    "    agents, settings, and the sealed secrets as they are stored, so the\n"
    "    same key opens them).  SOURCE and TARGET are database names as\n"
    "    --db takes them: sqlite:PATH or a plain path for SQLite, and\n"
    "    postgres://USER@HOST/DATABASE, postgresql://... or a keyword string\n"
    "    such as \"host=/run/postgresql dbname=rapport\" for PostgreSQL.\n"
    "    The target is a PostgreSQL database: a SQLite desk is copied to\n"
    "    another file whole by 'rapport backup'.\n"
    "\n"
    "    The target must be empty (created with createdb, nothing in it;\n"
    "    the copy migrates it to the source's schema first) or already at\n"
    "    the source's schema version with no desk in it.  A target holding\n"
    "    data is refused and left as it was, so nothing is ever mixed with\n"
    "    or overwritten by a copy.  The source must be at this rapport's\n"
    "    schema version.  Stop rapportd on the source while it is copied:\n"
    "    rows written meanwhile may be missed, and the check at the end\n"
    "    then fails.  Turning the target's triggers off while the rows go\n"
    "    in needs a superuser, or a role given the right with GRANT SET ON\n"
    "    PARAMETER session_replication_role TO that role.\n"
    "\n"
    "    Rows are copied a batch at a time, each batch one transaction in\n"
    "    the target that also records how far the copy got.  A copy that\n"
    "    stops (killed, the connection lost, --batches) goes on where it\n"
    "    stopped when the same command is run again.  On a terminal a\n"
    "    progress bar shows how far it is; otherwise one line is printed\n"
    "    per table copied.\n"
    "\n"
    "    At the end the copy is checked, and what was checked is printed:\n"
    "    the rows of every table counted in both databases, a SHA-256 of\n"
    "    every moment of the ledger in order computed in both, and the\n"
    "    ledger's hash chain verified on the target (as 'rapport ledger\n"
    "    verify' does) up to the source's last moment.  Then the target is\n"
    "    an ordinary desk: point rapportd at it with --db or RAPPORT_DB.\n"
    "\n"
    "OPTIONS\n"
    "    --batch-rows N  rows per batch (default 1000)\n"
    "    --batches N     stop after N batches; run again to go on (to copy\n"
    "                    a large desk a slice at a time)\n"
    "    --json          print the report as JSON\n"
    "\n"
    "EXAMPLES\n"
    "    createdb -O rapport rapport\n"
    "    rapport store copy sqlite:/var/lib/rapport/rapport.db \\\n"
    "        postgres://rapport@db.example.com/rapport\n"
    "    rapport store copy /var/lib/rapport/rapport.db \\\n"
    "        \"host=/run/postgresql dbname=rapport\" --batches 100\n"
    "\n"
    "EXIT STATUS\n"
    "    0 copied and checked (or stopped by --batches, saying so), 2 usage\n"
    "    error, 3 refused: the target holds data, the schema versions\n"
    "    differ, the target is not PostgreSQL, or the copy does not match\n"
    "    its source, 1 a database failed (run again to go on).\n";

/* What the progress display keeps between two batches. */
typedef struct shown {
    int tty;
    int tables_done;
    int drawn; /* a bar is on the line */
} shown;

static void draw(void *arg, const rp_copy_progress *p)
{
    shown *s = arg;
    if (s->tty) {
        int width = 30;
        int filled = p->total ? (int)(p->rows * width / p->total) : width;
        if (filled > width)
            filled = width;
        printf("\r[%.*s%*s] %3d%%  %d/%d tables  %-24.24s", filled,
               "##############################", width - filled, "",
               p->total ? (int)(p->rows * 100 / p->total) : 100, p->tables_done,
               p->tables, p->table);
        s->drawn = 1;
    } else if (p->tables_done > s->tables_done) {
        printf("copied %s: %lld rows (%d of %d tables, %lld of %lld rows)\n",
               p->table, (long long)p->table_rows, p->tables_done, p->tables,
               (long long)p->rows, (long long)p->total);
    }
    s->tables_done = p->tables_done;
    fflush(stdout);
}

static void print_report(json_t *r)
{
    long long batches = json_integer_value(json_object_get(r, "batches"));
    long long rows = json_integer_value(json_object_get(r, "rows"));
    printf("%s %s to %s: %lld rows in %lld batches\n",
           json_is_true(json_object_get(r, "resumed")) ? "went on copying"
                                                       : "copied",
           json_string_value(json_object_get(r, "source")),
           json_string_value(json_object_get(r, "target")), rows, batches);
    if (!json_is_true(json_object_get(r, "complete"))) {
        printf("stopped after %lld batches, as --batches asked; run the same "
               "command again to go on\n",
               batches);
        return;
    }
    json_t *tables = json_object_get(r, "tables");
    printf("checked %zu tables: each has as many rows in the copy as in the "
           "source\n",
           json_array_size(tables));
    size_t i;
    json_t *t;
    json_array_foreach(tables, i, t) {
        printf(
            "  %-28s %lld\n", json_string_value(json_object_get(t, "name")),
            (long long)json_integer_value(json_object_get(t, "target_rows")));
    }
    json_t *l = json_object_get(r, "ledger");
    printf("checked the ledger: %lld moments hash to the same SHA-256 in "
           "both (%s)\n",
           (long long)json_integer_value(json_object_get(l, "moments")),
           json_string_value(json_object_get(l, "sha256")));
    if (json_is_string(json_object_get(l, "head_hash")))
        printf("ledger verified on the copy: every hash recomputed, up to "
               "the source's last moment %lld:%s\n",
               (long long)json_integer_value(json_object_get(l, "head_id")),
               json_string_value(json_object_get(l, "head_hash")));
    else
        printf("ledger verified on the copy: it has no moments\n");
}

/* A whole number >= 1 from an option, or a usage error. */
static int count_option(const char *text, const char *name, int64_t *out)
{
    rp_error err;
    if (text && rp_parse_id(text, name, out, &err))
        return rp_cli_usage("store",
                            "--%s must be a whole number of at "
                            "least 1",
                            name);
    return 0;
}

static int copy(rp_cli *cli, int argc, char **argv)
{
    const char *batch_rows = NULL, *batches = NULL;
    int json = 0;
    const rp_opt opts[] = {{"batch-rows", RP_OPT_TEXT, NULL, &batch_rows},
                           {"batches", RP_OPT_TEXT, NULL, &batches},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    rp_args a;
    int rc = rp_opt_parse(cli, argc, argv, opts, &a);
    if (!rc)
        rc = rp_cli_no_more(cli, &a, 2);
    if (!rc && a.npos < 2)
        rc = rp_cli_usage("store", "copy needs SOURCE and TARGET");
    int64_t rows = 0, max = 0;
    if (!rc)
        rc = count_option(batch_rows, "batch-rows", &rows);
    if (!rc)
        rc = count_option(batches, "batches", &max);
    if (!rc && rows > 100000)
        rc = rp_cli_usage("store", "--batch-rows may be at most 100000");
    const char *source = a.npos > 0 ? a.pos[0] : NULL;
    const char *target = a.npos > 1 ? a.pos[1] : NULL;
    if (rc) {
        rp_args_free(&a);
        return rc;
    }
    shown s = {.tty = !json && isatty(STDOUT_FILENO)};
    rp_copy_opts o = {.batch_rows = (int)rows,
                      .max_batches = max,
                      .progress = json ? NULL : draw,
                      .arg = &s};
    json_t *report = NULL;
    rp_error err;
    rp_code code = rp_transfer_copy(source, target, &o, &report, &err);
    rp_args_free(&a);
    if (s.drawn)
        printf("\n");
    if (code) {
        rc = rp_cli_fail(&err);
        return code == RP_ESCHEMA ? RP_EXIT_INPUT : rc;
    }
    return rp_cli_finish_with(RP_OK, &err, report, json, print_report);
}

static const rp_subcommand subs[] = {{"copy", copy}, {NULL, NULL}};

const rp_command rp_cmd_store = {
    "store", "move a whole desk into another database (PostgreSQL)", help, subs,
    NULL};
