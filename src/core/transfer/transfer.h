/*
 * transfer.h - bringing customers in from a spreadsheet or another help
 * desk, and taking everything out again.
 *
 * A team adopting rapport arrives with a CSV file: a spreadsheet saved by
 * Excel (perhaps with semicolons, perhaps with a byte-order mark), or the
 * user export of Zendesk or Freshdesk.  The reader here takes RFC 4180 CSV
 * as those programs write it; the import maps its columns onto the
 * customer's fields (the headers of those exports are known by name) and
 * keeps every row or none: one transaction, each row undone alone when a
 * rule refuses it, so the report names each refused row by its line and
 * the rest go in together, or nothing does when the file itself is broken
 * (a quote left open at its end).  A customer's id in the system they
 * came from (external_id) makes a second run find them again instead of
 * making them twice.
 *
 * The export streams a table out as CSV or JSON Lines in batches of rows
 * read by id, so a million rows take the memory of one batch.
 */
#ifndef RP_TRANSFER_H
#define RP_TRANSFER_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "core/context.h"

/* ---- reading CSV (csv.c) ------------------------------------------------- */

/* The longest record the reader holds, in bytes: longer, and the file is
 * refused (usually a quote left open swallowing the rest of the file). */
#define RP_CSV_MAX_RECORD (1024 * 1024)

/* Where the reader gets its bytes: up to n into buf; 0 at the end of the
 * input, -1 (with *why set to a sentence) when reading failed. */
typedef long (*rp_csv_read_fn)(void *arg, char *buf, size_t n,
                               const char **why);

typedef struct rp_csv rp_csv;

/*
 * A reader of the CSV text that read delivers.  A UTF-8 byte-order mark
 * is skipped; UTF-16 text is refused when the first record is read.  The
 * delimiter is found on the first line (the header): a comma, or a
 * semicolon (Excel's dialect where the comma is the decimal mark) or a
 * tab when the line holds more of those outside quotes; Excel's first
 * line "sep=;" names it and is skipped.
 */
rp_csv *rp_csv_new(rp_csv_read_fn read, void *arg);

/* A reader of the len bytes at text (not copied: they must outlive it). */
rp_csv *rp_csv_new_memory(const char *text, size_t len);

/*
 * Read the next record.  *got is 0 at the end of the input.  Quoted
 * fields may hold delimiters, quotes written twice and line breaks;
 * records end with CRLF, LF or CR; lines with nothing on them are
 * skipped.  A record the file cannot be read past is RP_EINVALID naming
 * its line: a quote left open at the end of the input, a record longer
 * than RP_CSV_MAX_RECORD, UTF-16 text; a failed read is RP_EINTERNAL.
 * Problems that spoil only this record (text after a closing quote) are
 * told by rp_csv_problem.  Bytes are not checked for UTF-8 here: the
 * caller knows which column it is.
 */
rp_code rp_csv_next(rp_csv *c, int *got, rp_error *err);

/* The number of fields of the record read last. */
size_t rp_csv_count(const rp_csv *c);

/* Field i of the record read last (NUL-terminated; *len, when not NULL,
 * is its length in bytes, a NUL inside included); NULL past the end. */
const char *rp_csv_field(const rp_csv *c, size_t i, size_t *len);

/* The line of the input where the record read last begins (1 is the first
 * line; a "sep=" line and quoted line breaks count). */
int64_t rp_csv_line(const rp_csv *c);

/* What spoils the record read last, as a sentence; NULL when nothing. */
const char *rp_csv_problem(const rp_csv *c);

/* The delimiter in use (known once the first record is read). */
char rp_csv_delimiter(const rp_csv *c);

/* Bytes of input consumed so far (for a progress bar). */
uint64_t rp_csv_offset(const rp_csv *c);

void rp_csv_free(rp_csv *c);

/* ---- writing CSV (csv.c) ------------------------------------------------- */

/*
 * Append the len bytes at s to b as one CSV field: quoted (quotes written
 * twice) when it holds a comma, a semicolon or a tab (so that a reader
 * guessing the delimiter reads it as written), a quote, a line break, a
 * space at either end, or "sep=" at its start (Excel's delimiter line);
 * as it is otherwise.
 */
void rp_csv_put(rp_buf *b, const char *s, size_t len);

/* ---- import (import.c) --------------------------------------------------- */

/* The fields a column can be mapped to; NULL-terminated.  "ignore" drops
 * the column. */
extern const char *const rp_import_fields[];

/* What an import reports as it goes (each may be NULL). */
typedef struct rp_import_hooks {
    /* A row refused: its line, the field at fault (NULL when none) and
     * why, in words. */
    void (*refused)(void *arg, int64_t line, const char *field,
                    const char *why);
    /* Every few hundred rows and at the end: input bytes read, rows so
     * far. */
    void (*progress)(void *arg, uint64_t bytes, int64_t rows);
    void *arg;
} rp_import_hooks;

/* Refused rows kept in the report's "refusals"; more are counted only. */
#define RP_IMPORT_MAX_REPORTED 1000

/*
 * Import customers from the CSV that c reads.  map (borrowed; may be
 * NULL) is {"column header": "field"} for columns to map by hand, field
 * one of rp_import_fields; the other columns are recognised by their
 * header (rapport's own export, Zendesk's and Freshdesk's user exports,
 * and common names: "Email", "Full name", "Mobile phone"...), and columns
 * still unknown are ignored and listed in the report.  A header not in
 * the file, or a field not known, is RP_EINVALID naming "map".
 *
 * A row is matched to a customer by its external id, else by one of its
 * email addresses or phone numbers: a match is updated with what the row
 * says that the customer lacks (a name that differs, notes, addresses and
 * numbers added to theirs), or left as it is when it says nothing new; a
 * row matching nobody makes a customer.  A row that breaks a rule is
 * undone alone and reported (hooks->refused) with its line, the field and
 * why; the others go in.  Everything is written in one transaction: a
 * file that cannot be read to its end changes nothing (RP_EINVALID naming
 * the line), and dry_run rolls it back at the end, so what it reports is
 * exactly what a real run would do.
 *
 * *out is {"dry_run", "rows", "created", "updated", "unchanged",
 * "refused", "refusals": [{"line", "field", "reason"}] (the first
 * RP_IMPORT_MAX_REPORTED), "columns": [{"column", "field"}] (how each
 * column was read; field null when ignored), "delimiter"}.
 */
rp_code rp_import_customers(rp_ctx *ctx, rp_csv *c, json_t *map, int dry_run,
                            const rp_import_hooks *hooks, json_t **out,
                            rp_error *err);

/*
 * Parse "COLUMN=FIELD" into map (an object), the way the CLI's --map and
 * the API's map parameter give it: the last '=' splits, so a header may
 * hold '='.  RP_EINVALID naming "map" when there is no '='.
 */
rp_code rp_import_map_add(json_t *map, const char *spec, rp_error *err);

/* ---- export (export.c) --------------------------------------------------- */

/* The formats of an export. */
typedef enum rp_export_format {
    RP_EXPORT_CSV,  /* a header line, then one record per row */
    RP_EXPORT_JSONL /* one JSON object per line */
} rp_export_format;

/* Rows read per batch: the export holds one batch at a time. */
#define RP_EXPORT_BATCH 1000

/* The tables that can be exported ("customers", "encounters",
 * "moments"); NULL-terminated. */
extern const char *const rp_export_tables[];

/* RP_OK and *format set when name is "csv" or "jsonl"; else RP_EINVALID
 * naming "format". */
rp_code rp_export_format_parse(const char *name, rp_export_format *format,
                               rp_error *err);

/*
 * Write every row of table to out in format, in id order, reading
 * RP_EXPORT_BATCH rows at a time by id (constant memory, whatever the
 * size of the table).  CSV: the columns are id and the table's columns in
 * the store's order; times as RFC 3339, true and false, a list of texts
 * (emails, phones) joined by "; ", other JSON values as JSON text; null
 * as an empty field.  *rows (when not NULL) is the number written.  An
 * unknown table is RP_EINVALID naming "table"; a failed write is
 * RP_EINTERNAL saying why.  The export is recorded on the audit log
 * (action "export", route "export TABLE") before the first row.  Rows written
 * while the export runs may or may not be in it; each row is whole.
 */
rp_code rp_export(rp_ctx *ctx, const char *table, rp_export_format format,
                  FILE *out, int64_t *rows, rp_error *err);

/* ---- copying a whole desk into another database (copy.c) ----------------- */

/* Rows per batch of a copy, unless told otherwise: each batch is one
 * transaction in the target. */
#define RP_COPY_BATCH_ROWS 1000

/* How far a copy has got, told after each batch. */
typedef struct rp_copy_progress {
    const char *table;   /* the table the batch was of */
    int64_t table_rows;  /* its rows copied so far */
    int64_t table_total; /* its rows in the source */
    int64_t rows;        /* rows of every table copied so far */
    int64_t total;       /* rows of every table in the source */
    int tables_done;     /* tables copied whole */
    int tables;          /* tables to copy */
} rp_copy_progress;

/* How to copy. */
typedef struct rp_copy_opts {
    int batch_rows;      /* rows per batch (0: RP_COPY_BATCH_ROWS) */
    int64_t max_batches; /* stop after this many batches, to go on by
                            copying again (0: no limit) */
    void (*progress)(void *arg, const rp_copy_progress *p); /* or NULL */
    void *arg;
} rp_copy_opts;

/*
 * Copy the whole desk in the database source names into the one target
 * names (store names as rp_store_open takes them; the target a
 * PostgreSQL database): every table of the live schema (the moments
 * ledger in id order, identities, attachments, settings, sealed secrets as
 * stored), a batch of rows per transaction, the progress kept in the
 * target so that a copy stopped anywhere (killed, or after
 * o->max_batches) goes on where it stopped when run again with the same
 * source.  Then it checks the copy: rows per table in both, a SHA-256 of
 * every moment of the ledger in both, and the ledger's hash chain
 * verified on the target with the source's last moment as anchor.
 *
 * Refused, changing nothing: a source whose schema is not this
 * rapport's latest (RP_ESCHEMA, "source"), a target at another version
 * than the source (RP_ESCHEMA, "target"; a new, empty database is
 * migrated first), a target that cannot take a copy (RP_EINVALID,
 * "target"), a target that holds data other than its own unfinished copy
 * of this source (RP_ECONFLICT, "target"), schemas that differ.  A copy
 * that does not match its source once done is RP_ECONFLICT naming what
 * differs.
 *
 * *report (new object): {"source", "target" (as they may be shown),
 * "complete", "resumed", "batches", "rows" (copied by this run),
 * "tables": [{"name", "source_rows", "target_rows"}], "ledger":
 * {"moments", "sha256", "head_id", "head_hash", "verified"}} ("tables"
 * and "ledger" once complete).  Stop rapportd on the source first: rows
 * written while the copy runs may be missed, and the check then fails.
 */
rp_code rp_transfer_copy(const char *source, const char *target,
                         const rp_copy_opts *o, json_t **report, rp_error *err);

#endif
