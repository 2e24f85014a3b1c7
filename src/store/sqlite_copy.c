/*
 * sqlite_copy.c - the SQLite backend as the source of a desk copy (the
 * copy_* operations of store.h): its tables read from the live schema,
 * read in key order a batch at a time, and counted.
 *
 * What a copy leaves out is what SQLite derives: the FTS5 tables, their
 * shadow tables and the queue of rows waiting for the customer index
 * (customers_fts_pending), each named after its index; the target builds
 * its own search indexes from the rows.  SQLite cannot be a copy's target
 * (its triggers cannot be turned off for a transaction; `rapport backup`
 * copies a SQLite desk whole), so the target's operations stay NULL.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/copy_internal.h"
#include "store/sqlite_internal.h"
#include "store/store.h"

/* Is name one of the derived tables: the schema version, or named after a
 * virtual (full-text) table ("customers_fts_pending")? */
static int derived(const char *name, const json_t *virtuals)
{
    if (strcmp(name, "schema_version") == 0)
        return 1;
    size_t i;
    const json_t *v;
    json_array_foreach(virtuals, i, v) {
        size_t n = json_string_length(v);
        if (strncmp(name, json_string_value(v), n) == 0 &&
            (name[n] == '\0' || name[n] == '_'))
            return 1;
    }
    return 0;
}

/* The columns (generated ones left out) and key of table t. */
static rp_code describe_table(rp_store *s, json_t *t, int without_rowid,
                              rp_error *err)
{
    sqlite3 *db = rp_sqlite_handle(s);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT name, hidden, pk FROM pragma_table_xinfo(?)"
                           " ORDER BY cid",
                           -1, &st, NULL) != SQLITE_OK)
        return rp_sqlite_fail(s, err, "copying: reading the schema");
    sqlite3_bind_text(st, 1, json_string_value(json_object_get(t, "name")), -1,
                      SQLITE_TRANSIENT);
    json_t *columns = json_array(), *pk = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        int hidden = sqlite3_column_int(st, 1), at = sqlite3_column_int(st, 2);
        if (hidden == 2 || hidden == 3) /* generated: the target computes */
            continue;
        json_array_append_new(columns, json_string(name));
        if (at > 0) {
            while ((int)json_array_size(pk) < at)
                json_array_append_new(pk, json_null());
            json_array_set_new(pk, (size_t)at - 1, json_string(name));
        }
    }
    rp_code code = rc == SQLITE_DONE
                       ? RP_OK
                       : rp_sqlite_fail(s, err, "copying: reading the schema");
    sqlite3_finalize(st);
    json_object_set_new(t, "columns", columns);
    if (without_rowid)
        json_object_set_new(t, "key", pk);
    else {
        json_decref(pk);
        json_object_set_new(t, "key", json_pack("[s]", "rowid"));
    }
    return code;
}

/* Does any migration put rows into table? */
static int seeded(const char *table)
{
    for (int i = 0; i < rp_sqlite_nmigrations; i++)
        if (rp_copy_sql_seeds(rp_sqlite_migrations[i].sql, table))
            return 1;
    return 0;
}

rp_code rp_sqlite_copy_tables(rp_store *s, json_t **out, rp_error *err)
{
    sqlite3 *db = rp_sqlite_handle(s);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT name, type, wr FROM pragma_table_list"
                           " WHERE schema = 'main' ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        return rp_sqlite_fail(s, err, "copying: reading the schema");
    json_t *all = json_array(), *virtuals = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *type = (const char *)sqlite3_column_text(st, 1);
        if (strcmp(type, "virtual") == 0)
            json_array_append_new(virtuals, json_string(name));
        if (strcmp(type, "table") != 0 || strncmp(name, "sqlite_", 7) == 0)
            continue;
        json_array_append_new(all, json_pack("{s:s, s:b}", "name", name,
                                             "without_rowid",
                                             sqlite3_column_int(st, 2)));
    }
    rp_code code = rc == SQLITE_DONE
                       ? RP_OK
                       : rp_sqlite_fail(s, err, "copying: reading the schema");
    sqlite3_finalize(st);
    json_t *tables = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(all, i, t) {
        if (code)
            break;
        const char *name = json_string_value(json_object_get(t, "name"));
        if (derived(name, virtuals))
            continue;
        int wr = json_is_true(json_object_get(t, "without_rowid"));
        json_t *one = json_pack("{s:s, s:b}", "name", name, "seeded",
                                seeded(name));
        code = describe_table(s, one, wr, err);
        json_array_append_new(tables, one);
    }
    json_decref(all);
    json_decref(virtuals);
    if (code) {
        json_decref(tables);
        return code;
    }
    *out = tables;
    return RP_OK;
}

/* The value of column i as a copy carries it. */
static json_t *stored_value(sqlite3_stmt *st, int i, rp_error *err)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(st, i));
    case SQLITE_FLOAT: return json_real(sqlite3_column_double(st, i));
    case SQLITE_NULL: return json_null();
    case SQLITE_BLOB: {
        const unsigned char *p = sqlite3_column_blob(st, i);
        int n = sqlite3_column_bytes(st, i);
        rp_buf hex = RP_BUF_INIT;
        rp_buf_reserve(&hex, (size_t)n * 2 + 1);
        for (int k = 0; k < n; k++)
            rp_buf_printf(&hex, "%02x", p[k]);
        json_t *v = hex.failed ? NULL
                               : json_pack("{s:s}", "hex", rp_buf_str(&hex));
        rp_buf_free(&hex);
        if (!v)
            rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
        return v;
    }
    default: {
        const char *text = (const char *)sqlite3_column_text(st, i);
        json_t *v = json_stringn(text, (size_t)sqlite3_column_bytes(st, i));
        if (!v)
            rp_error_set(err, RP_EINVALID, NULL,
                         "copying: a text value is not UTF-8 (or holds a "
                         "NUL), which PostgreSQL cannot store");
        return v;
    }
    }
}

/* Bind the key values of after (integers, reals, text). */
static void bind_after(sqlite3_stmt *st, const json_t *after)
{
    size_t i;
    const json_t *v;
    json_array_foreach(after, i, v) {
        int at = (int)i + 1;
        if (json_is_integer(v))
            sqlite3_bind_int64(st, at, json_integer_value(v));
        else if (json_is_real(v))
            sqlite3_bind_double(st, at, json_real_value(v));
        else if (json_is_string(v))
            sqlite3_bind_text(st, at, json_string_value(v),
                              (int)json_string_length(v), SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, at);
    }
}

rp_code rp_sqlite_copy_read(rp_store *s, const json_t *table,
                            const json_t *after, int limit, json_t **rows_out,
                            json_t **last_out, rp_error *err)
{
    rp_buf sql = RP_BUF_INIT;
    int has_after = after && json_array_size(after);
    if (rp_copy_select_sql(table, has_after, 0, limit, &sql, err)) {
        rp_buf_free(&sql);
        return err->code;
    }
    sqlite3_stmt *st;
    int prc = sqlite3_prepare_v2(rp_sqlite_handle(s), rp_buf_str(&sql), -1, &st,
                                 NULL);
    rp_buf_free(&sql);
    if (prc != SQLITE_OK)
        return rp_sqlite_fail(s, err, "copying: reading a table");
    if (has_after)
        bind_after(st, after);
    int nkey = (int)json_array_size(json_object_get(table, "key"));
    int ncol = sqlite3_column_count(st);
    json_t *rows = json_array(), *last = json_null();
    rp_code code = RP_OK;
    int rc;
    while (!code && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row = json_array();
        json_decref(last);
        last = json_array();
        for (int i = 0; i < ncol && !code; i++) {
            json_t *v = stored_value(st, i, err);
            if (!v)
                code = err->code;
            else
                json_array_append_new(i < nkey ? last : row, v);
        }
        json_array_append_new(rows, row);
    }
    if (!code && rc != SQLITE_DONE)
        code = rp_sqlite_fail(s, err, "copying: reading a table");
    sqlite3_finalize(st);
    if (code) {
        json_decref(rows);
        json_decref(last);
        return code;
    }
    *rows_out = rows;
    *last_out = last;
    return RP_OK;
}

rp_code rp_sqlite_copy_count(rp_store *s, const char *table, int64_t *count,
                             rp_error *err)
{
    rp_buf sql = RP_BUF_INIT;
    rp_buf_puts(&sql, "SELECT count(*) FROM ");
    if (rp_copy_quote(&sql, table, err)) {
        rp_buf_free(&sql);
        return err->code;
    }
    sqlite3_stmt *st;
    int prc = sqlite3_prepare_v2(rp_sqlite_handle(s), rp_buf_str(&sql), -1, &st,
                                 NULL);
    rp_buf_free(&sql);
    if (prc != SQLITE_OK)
        return rp_sqlite_fail(s, err, "copying: counting rows");
    rp_code code = RP_OK;
    if (sqlite3_step(st) == SQLITE_ROW)
        *count = sqlite3_column_int64(st, 0);
    else
        code = rp_sqlite_fail(s, err, "copying: counting rows");
    sqlite3_finalize(st);
    return code;
}
