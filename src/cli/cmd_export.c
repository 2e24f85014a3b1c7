/*
 * cmd_export.c - `rapport export customers|encounters|moments`: a table
 * out as CSV or JSON Lines, to standard output or a file.
 *
 * The core streams the rows in batches (core/transfer/export.c), so any
 * size of desk exports in constant memory; this file picks the output.
 * A file is written beside its name and renamed into place when whole, so
 * an export that fails never leaves half a file under the name asked for.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport export - take customers, encounters or moments out\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport export customers|encounters|moments [--format csv|jsonl]\n"
    "                   [--out FILE]\n"
    "\n"
    "DESCRIPTION\n"
    "    Writes every row of the table, in the order they were made, as CSV\n"
    "    (the default: a header line, then one record per row, CRLF line\n"
    "    ends, quoted where needed) or JSON Lines (one JSON object per line,\n"
    "    as the HTTP API shows the record).  In CSV, lists of addresses and\n"
    "    numbers are joined with \"; \" and other structured values are\n"
    "    JSON text.  The rows are read in batches, so the export takes the\n"
    "    same memory whatever the size of the table.  A customers export\n"
    "    can be imported again with 'rapport import customers'.\n"
    "\n"
    "OPTIONS\n"
    "    --format csv|jsonl  the format (default csv)\n"
    "    --out FILE          write to FILE (made whole or not at all)\n"
    "                        instead of standard output\n"
    "\n"
    "EXAMPLES\n"
    "    rapport export customers --out customers.csv\n"
    "    rapport export moments --format jsonl | gzip > moments.jsonl.gz\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad format,\n"
    "    1 the database could not be read or the output written.\n";

static int export_table(rp_cli *cli, int argc, char **argv)
{
    const char *format_name = "csv", *path = NULL;
    const rp_opt opts[] = {{"format", RP_OPT_TEXT, NULL, &format_name},
                           {"out", RP_OPT_TEXT, NULL, &path},
                           {0}};
    rp_export_format format;
    rp_error err = {0};
    int rc = rp_cli_args(cli, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc;
    if (rp_export_format_parse(format_name, &format, &err))
        return rp_cli_fail(&err);
    if ((rc = rp_cli_open(cli)))
        return rc;
    rp_buf tmp = RP_BUF_INIT;
    FILE *out = stdout;
    if (path) {
        rp_buf_printf(&tmp, "%s.part", path);
        out = fopen(rp_buf_str(&tmp), "wb");
        if (!out) {
            rp_cli_say("rapport: cannot write %s: %s\n", rp_buf_str(&tmp),
                       strerror(errno));
            rp_buf_free(&tmp);
            return RP_EXIT_INTERNAL;
        }
    }
    int64_t rows = 0;
    rp_code code = rp_export(&cli->ctx, argv[0], format, out, &rows, &err);
    if (path) {
        if (fclose(out) != 0 && !code)
            code = rp_error_set(&err, RP_EINTERNAL, NULL, "writing %s: %s",
                                path, strerror(errno));
        if (!code && rename(rp_buf_str(&tmp), path) != 0)
            code = rp_error_set(&err, RP_EINTERNAL, NULL, "renaming to %s: %s",
                                path, strerror(errno));
        if (code)
            unlink(rp_buf_str(&tmp));
        else
            rp_cli_say("%lld row%s written to %s\n", (long long)rows,
                       rows == 1 ? "" : "s", path);
    }
    rp_buf_free(&tmp);
    return code ? rp_cli_fail(&err) : RP_EXIT_OK;
}

static const rp_subcommand subs[] = {{"customers", export_table},
                                     {"encounters", export_table},
                                     {"moments", export_table},
                                     {NULL, NULL}};

const rp_command rp_cmd_export = {"export",
                                  "take customers, encounters or moments out "
                                  "as CSV or JSON Lines",
                                  help, subs, NULL};
