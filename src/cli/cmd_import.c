/*
 * cmd_import.c - `rapport import customers FILE.csv`: customers from a
 * spreadsheet or another help desk's export.
 *
 * The rules (reading the CSV, mapping its columns, matching and refusing
 * rows, all or nothing) are the core's (core/transfer); this file reads
 * the file, draws a progress bar when standard error is a terminal, and
 * prints each refused row as it comes and the counts at the end.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport import - bring customers in from a CSV file\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport import customers FILE [--map COLUMN=FIELD]... [--dry-run]\n"
    "                             [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Reads FILE (- for standard input) as CSV: the first line names the\n"
    "    columns.  Commas or semicolons (Excel's dialect) are told apart on\n"
    "    that line; quoted fields may hold commas, quotes and line breaks;\n"
    "    a UTF-8 byte-order mark is skipped.  The text must be UTF-8.\n"
    "\n"
    "    Columns are recognised by their names: rapport's own export,\n"
    "    Zendesk's user export (name, email, external_id, alias, details,\n"
    "    notes, phone) and Freshdesk's contact export (Name, Email, Work\n"
    "    Phone, Mobile Phone, Unique External ID, Description), and common\n"
    "    names such as \"Email address\" or \"Full name\".  --map says how\n"
    "    to read a column by hand; FIELD is one of external_id, name,\n"
    "    preferred_name, email, phone, notes, or ignore.  Other columns are\n"
    "    ignored, and listed.\n"
    "\n"
    "    A row finds its customer by external id, else by an email address\n"
    "    or phone number; such a customer is updated with what the row adds\n"
    "    (or left unchanged), others are created.  Running the same file\n"
    "    twice creates nobody twice.  A row that breaks a rule is refused\n"
    "    and printed with its line and why; the other rows go in.  A file\n"
    "    that cannot be read to its end (a quote left open) changes\n"
    "    nothing.  --dry-run does everything and then keeps nothing, so\n"
    "    what it reports is what a real run would do.\n"
    "\n"
    "    The import is one transaction: while it runs, rapportd's changes\n"
    "    wait for it (and are answered 503 after RAPPORT_BUSY_WAIT_MS).\n"
    "\n"
    "OPTIONS\n"
    "    --map COLUMN=FIELD  read COLUMN as FIELD (repeatable)\n"
    "    --dry-run           report what would happen; change nothing\n"
    "    --json              print the report as JSON (as the HTTP API)\n"
    "\n"
    "EXAMPLES\n"
    "    rapport import customers zendesk-users.csv --dry-run\n"
    "    rapport import customers list.csv --map 'Client=name' \\\n"
    "        --map 'Ref=external_id'\n"
    "\n"
    "EXIT STATUS\n"
    "    0 the import ran (refused rows are listed), 2 usage error,\n"
    "    3 the file or the mapping was refused (nothing changed),\n"
    "    1 the file or the database could not be read or written.\n";

typedef struct input {
    FILE *f;
    uint64_t size; /* 0 when unknown (a pipe) */
    int bar;       /* draw a progress bar */
    int drawn;
} input;

static long read_file(void *arg, char *buf, size_t n, const char **why)
{
    input *in = arg;
    size_t got = fread(buf, 1, n, in->f);
    if (got == 0 && ferror(in->f)) {
        *why = strerror(errno);
        return -1;
    }
    return (long)got;
}

static void on_refused(void *arg, int64_t line, const char *field,
                       const char *why)
{
    input *in = arg;
    (void)field;
    if (in->drawn) { /* the bar's line is rewritten below the refusal */
        fputs("\r\033[K", stderr);
        in->drawn = 0;
    }
    rp_cli_say("line %lld: %s\n", (long long)line, why);
}

static void on_progress(void *arg, uint64_t bytes, int64_t rows)
{
    input *in = arg;
    if (!in->bar)
        return;
    if (in->size) {
        int pct = (int)(bytes * 100 / in->size), w = 30, fill = pct * w / 100;
        fprintf(stderr, "\r[%.*s%*s] %3d%%  %lld rows", fill,
                "##############################", w - fill, "", pct,
                (long long)rows);
    } else {
        fprintf(stderr, "\r%lld rows", (long long)rows);
    }
    in->drawn = 1;
}

static void print_report(json_t *r)
{
    long long rows = json_integer_value(json_object_get(r, "rows"));
    printf("%lld row%s: %lld created, %lld updated, %lld unchanged, %lld "
           "refused\n",
           rows, rows == 1 ? "" : "s",
           (long long)json_integer_value(json_object_get(r, "created")),
           (long long)json_integer_value(json_object_get(r, "updated")),
           (long long)json_integer_value(json_object_get(r, "unchanged")),
           (long long)json_integer_value(json_object_get(r, "refused")));
    size_t i;
    json_t *c;
    int first = 1;
    json_array_foreach(json_object_get(r, "columns"), i, c) {
        if (json_is_string(json_object_get(c, "field")) ||
            json_is_true(json_object_get(c, "recognised")))
            continue;
        printf("%s\"%s\"", first ? "columns ignored: " : ", ",
               json_string_value(json_object_get(c, "column")));
        first = 0;
    }
    if (!first)
        putchar('\n');
    if (json_is_true(json_object_get(r, "dry_run")))
        puts("dry run: nothing was saved");
}

static int customers(rp_cli *cli, int argc, char **argv)
{
    int dry_run = 0, json = 0;
    const rp_opt opts[] = {{"map", RP_OPT_LIST, "map", NULL},
                           {"dry-run", RP_OPT_FLAG, NULL, &dry_run},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    rp_args a;
    int rc = rp_opt_parse(cli, argc, argv, opts, &a);
    if (!rc && a.npos != 1)
        rc = rp_cli_usage("import", "give one FILE to import (- for standard "
                                    "input)");
    json_t *map = json_object();
    rp_error err = {0};
    size_t i;
    json_t *spec;
    json_array_foreach(rc ? NULL : json_object_get(a.fields, "map"), i, spec) {
        if (rp_import_map_add(map, json_string_value(spec), &err)) {
            rc = rp_cli_fail(&err);
            break;
        }
    }
    input in = {0};
    if (!rc) {
        in.f = strcmp(a.pos[0], "-") == 0 ? stdin : fopen(a.pos[0], "rb");
        if (!in.f) {
            rp_cli_say("rapport: cannot open %s: %s\n", a.pos[0],
                       strerror(errno));
            rc = RP_EXIT_INTERNAL;
        }
    }
    if (!rc)
        rc = rp_cli_open(cli);
    if (!rc) {
        struct stat st;
        if (fstat(fileno(in.f), &st) == 0 && S_ISREG(st.st_mode))
            in.size = (uint64_t)st.st_size;
        in.bar = isatty(STDERR_FILENO);
        rp_csv *csv = rp_csv_new(read_file, &in);
        rp_import_hooks hooks = {on_refused, on_progress, &in};
        json_t *out = NULL;
        rp_code code = csv ? rp_import_customers(&cli->ctx, csv, map, dry_run,
                                                 &hooks, &out, &err)
                           : rp_error_set(&err, RP_EINTERNAL, NULL,
                                          "out of memory");
        rp_csv_free(csv);
        if (in.drawn)
            fputs("\n", stderr);
        if (code) {
            rc = rp_cli_fail(&err);
        } else if (json) {
            char *s = json_dumps(out, JSON_COMPACT);
            puts(s ? s : "{}");
            free(s);
        } else {
            print_report(out);
        }
        json_decref(out);
    }
    if (in.f && in.f != stdin)
        fclose(in.f);
    json_decref(map);
    rp_args_free(&a);
    return rc;
}

static const rp_subcommand subs[] = {{"customers", customers}, {NULL, NULL}};

const rp_command rp_cmd_import = {
    "import", "bring customers in from a CSV file", help, subs, NULL};
