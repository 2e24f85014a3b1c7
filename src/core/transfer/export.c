/*
 * export.c - a table out as CSV or JSON Lines, in constant memory.
 *
 * Rows are read by id in batches (keyset pagination: "after the last id,
 * the next RP_EXPORT_BATCH"), each batch written and released before the
 * next is read, so a desk of a million customers exports in the memory of
 * a thousand.  The columns are the store's catalogue of the table, so a
 * column added by a migration is exported without a change here.
 */
#include <errno.h>
#include <string.h>

#include "core/rapport.h"

const char *const rp_export_tables[] = {"customers", "encounters", "moments",
                                        NULL};

static const rp_entity *entity_of(const char *table)
{
    if (strcmp(table, "customers") == 0)
        return &RP_ENTITY_CUSTOMER;
    if (strcmp(table, "encounters") == 0)
        return &RP_ENTITY_ENCOUNTER;
    if (strcmp(table, "moments") == 0)
        return &RP_ENTITY_MOMENT;
    return NULL;
}

rp_code rp_export_format_parse(const char *name, rp_export_format *format,
                               rp_error *err)
{
    if (name && strcmp(name, "csv") == 0)
        *format = RP_EXPORT_CSV;
    else if (name && strcmp(name, "jsonl") == 0)
        *format = RP_EXPORT_JSONL;
    else
        return rp_error_refuse(err, RP_EINVALID, "format", "not_allowed", 0,
                               "the format is csv or jsonl");
    return RP_OK;
}

/* A list of texts reads best as "a; b" in a spreadsheet. */
static int is_text_list(json_t *v)
{
    size_t i;
    json_t *x;
    if (!json_is_array(v))
        return 0;
    json_array_foreach(v, i, x)
        if (!json_is_string(x))
            return 0;
    return 1;
}

/* One value as a CSV field. */
static void put_value(rp_buf *b, json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        rp_csv_put(b, json_string_value(v), json_string_length(v));
        return;
    case JSON_INTEGER:
        rp_buf_printf(b, "%lld", (long long)json_integer_value(v));
        return;
    case JSON_REAL: rp_buf_printf(b, "%.17g", json_real_value(v)); return;
    case JSON_TRUE: rp_buf_puts(b, "true"); return;
    case JSON_FALSE: rp_buf_puts(b, "false"); return;
    case JSON_NULL: return;
    default: break;
    }
    rp_buf t = RP_BUF_INIT;
    if (is_text_list(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            if (i)
                rp_buf_puts(&t, "; ");
            rp_buf_append(&t, json_string_value(x), json_string_length(x));
        }
    } else {
        char *s = json_dumps(v, JSON_COMPACT);
        rp_buf_puts(&t, s ? s : "");
        free(s);
    }
    rp_csv_put(b, rp_buf_str(&t), t.len);
    rp_buf_free(&t);
}

static void put_header(rp_buf *b, const rp_entity *e)
{
    rp_buf_puts(b, "id");
    for (size_t i = 0; i < e->ncolumns; i++) {
        rp_buf_puts(b, ",");
        rp_buf_puts(b, e->columns[i].name);
    }
    rp_buf_puts(b, "\r\n");
}

static void put_row(rp_buf *b, const rp_entity *e, json_t *row,
                    rp_export_format format)
{
    if (format == RP_EXPORT_JSONL) {
        char *s = json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER);
        rp_buf_puts(b, s ? s : "{}");
        rp_buf_puts(b, "\n");
        free(s);
        return;
    }
    put_value(b, json_object_get(row, "id"));
    for (size_t i = 0; i < e->ncolumns; i++) {
        rp_buf_puts(b, ",");
        put_value(b, json_object_get(row, e->columns[i].name));
    }
    rp_buf_puts(b, "\r\n");
}

/* Write b out and empty it. */
static rp_code flush(rp_buf *b, FILE *out, rp_error *err)
{
    if (b->failed)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    if (b->len && fwrite(b->p, 1, b->len, out) != b->len)
        return rp_error_set(err, RP_EINTERNAL, NULL, "writing failed: %s",
                            strerror(errno));
    rp_buf_clear(b);
    return RP_OK;
}

rp_code rp_export(rp_ctx *ctx, const char *table, rp_export_format format,
                  FILE *out, int64_t *rows, rp_error *err)
{
    const rp_entity *e = table ? entity_of(table) : NULL;
    if (!e)
        return rp_error_refuse(err, RP_EINVALID, "table", "not_allowed", 0,
                               "the table is customers, encounters or moments");
    /* who took the whole table out is on the audit log before any row
     * leaves */
    rp_buf what = RP_BUF_INIT;
    rp_buf_printf(&what, "export %s", table);
    rp_audit_entry audit = {.action = "export", .route = rp_buf_str(&what)};
    rp_code arc = rp_audit_record(ctx, &audit, err);
    rp_buf_free(&what);
    if (arc)
        return arc;
    rp_buf b = RP_BUF_INIT;
    if (format == RP_EXPORT_CSV)
        put_header(&b, e);
    rp_page page = {0, 0, RP_EXPORT_BATCH};
    int64_t n = 0;
    rp_code rc = RP_OK;
    for (;;) {
        json_t *batch = NULL;
        if ((rc = ctx->store->ops->list(ctx->store, e, NULL, 0, &page, &batch,
                                        err)))
            break;
        size_t i;
        json_t *row;
        json_array_foreach(batch, i, row) {
            put_row(&b, e, row, format);
            page.after_id = json_integer_value(json_object_get(row, "id"));
        }
        n += (int64_t)json_array_size(batch);
        size_t got = json_array_size(batch);
        json_decref(batch);
        if ((rc = flush(&b, out, err)) || got < RP_EXPORT_BATCH)
            break;
    }
    if (rc == RP_OK && fflush(out) != 0)
        rc = rp_error_set(err, RP_EINTERNAL, NULL, "writing failed: %s",
                          strerror(errno));
    rp_buf_free(&b);
    if (rc == RP_OK && rows)
        *rows = n;
    return rc;
}
