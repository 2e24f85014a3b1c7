/*
 * pg_copy.c - the PostgreSQL backend in a desk copy (the copy_* operations
 * of store.h): as its source (tables read from the live catalogue, read in
 * primary-key order a batch at a time) and as its target (batches loaded
 * with COPY, each in one transaction with the record of how far the copy
 * got, then the id sequences moved past the ids copied).
 *
 * Why these choices:
 *   - the rows go in as they were stored, with triggers and foreign-key
 *     checks off for each batch's transaction (session_replication_role =
 *     replica, as pg_restore --disable-triggers does): the source desk
 *     kept its own rules, and the triggers would add to its rows (a
 *     charter watch per encounter, a customer's last contact) or refuse
 *     them (a moment is appended only with its hashes, which a copied
 *     moment has, but the order of tables would matter for every
 *     foreign key);
 *   - COPY is PostgreSQL's bulk path: one round trip per batch, no
 *     parameter limit; its statement names a table and columns from the
 *     live catalogue (quoted, never from input), so it cannot be a named
 *     query;
 *   - the progress lives in the target (rapport_copy_progress), written
 *     in the batch's own transaction, so a copy killed at any moment is
 *     taken up at the first row it had not kept;
 *   - generated columns (the knowledge base's tsvector, an identity's
 *     match key) are left out: the target computes them, and its search
 *     indexes are built from the rows as they arrive; the knowledge base's
 *     word counts (kb_terms) are counted again at the seal.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/copy_internal.h"
#include "store/pg_internal.h"
#include "store/store.h"

#define PROGRESS_TABLE "rapport_copy_progress"

#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

/* Run sql with text parameters (n of them) and fill *out, or fail. */
static rp_code exec_params(rp_store *s, const char *sql, int n,
                           const char *const *values, const char *what,
                           PGresult **out, rp_error *err)
{
    PGresult *res = PQexecParams(rp_pg_conn(s), sql, n, NULL, values, NULL,
                                 NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        if (out)
            *out = res;
        else
            PQclear(res);
        return RP_OK;
    }
    return rp_pg_fail(s, res, what, err);
}

/* Does any migration put rows into table? */
static int seeded(const char *table)
{
    for (int i = 0; i < rp_pg_nmigrations; i++)
        if (rp_copy_sql_seeds(rp_pg_migrations[i].sql, table))
            return 1;
    return 0;
}

rp_code rp_pg_copy_tables(rp_store *s, json_t **out, rp_error *err)
{
    /* every column but the generated and dropped ones, with its place in
     * the primary key (0: not in it), table by table */
    static const char sql[] =
        "SELECT c.relname, a.attname,"
        " coalesce((SELECT k.n FROM unnest(i.indkey::int2[])"
        "   WITH ORDINALITY AS k(att, n) WHERE k.att = a.attnum), 0)"
        " FROM pg_class c"
        " JOIN pg_namespace ns ON ns.oid = c.relnamespace"
        " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0"
        "  AND NOT a.attisdropped AND a.attgenerated = ''"
        " LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary"
        " WHERE ns.nspname = current_schema() AND c.relkind IN ('r', 'p')"
        "  AND c.relname NOT IN ('schema_version', '" PROGRESS_TABLE "',"
        "   'kb_terms')"
        " ORDER BY c.relname, a.attnum";
    PGresult *res;
    if (exec_params(s, sql, 0, NULL, "copying: reading the schema", &res, err))
        return err->code;
    json_t *tables = json_array(), *t = NULL;
    for (int r = 0; r < PQntuples(res); r++) {
        const char *name = PQgetvalue(res, r, 0);
        if (!t || strcmp(json_string_value(json_object_get(t, "name")), name)) {
            t = json_pack("{s:s, s:[], s:[], s:b}", "name", name, "columns",
                          "key", "seeded", seeded(name));
            json_array_append_new(tables, t);
        }
        const char *column = PQgetvalue(res, r, 1);
        json_array_append_new(json_object_get(t, "columns"),
                              json_string(column));
        int at = atoi(PQgetvalue(res, r, 2));
        json_t *key = json_object_get(t, "key");
        if (at > 0) {
            while ((int)json_array_size(key) < at)
                json_array_append_new(key, json_null());
            json_array_set_new(key, (size_t)at - 1, json_string(column));
        }
    }
    PQclear(res);
    *out = tables;
    return RP_OK;
}

/* The value at (row, col) as a copy carries it. */
static json_t *stored_value(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col))
        return json_null();
    const char *text = PQgetvalue(res, row, col);
    switch (PQftype(res, col)) {
    case OID_INT2:
    case OID_INT4:
    case OID_INT8: return json_integer(strtoll(text, NULL, 10));
    case OID_FLOAT4:
    case OID_FLOAT8:
    case OID_NUMERIC: return json_real(strtod(text, NULL));
    case OID_BOOL: return json_integer(text[0] == 't');
    case OID_BYTEA: /* "\x..." as bytea_output = hex writes it */
        return json_pack("{s:s}", "hex", text[0] == '\\' ? text + 2 : text);
    default: return json_stringn(text, (size_t)PQgetlength(res, row, col));
    }
}

/* The text of a key value, as a parameter (NULL for null). */
static char *param_text(const json_t *v)
{
    char num[64];
    if (json_is_integer(v))
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
    else if (json_is_string(v))
        return strdup(json_string_value(v));
    else
        return NULL;
    return strdup(num);
}

rp_code rp_pg_copy_read(rp_store *s, const json_t *table, const json_t *after,
                        int limit, json_t **rows_out, json_t **last_out,
                        rp_error *err)
{
    rp_buf sql = RP_BUF_INIT;
    int nafter = after ? (int)json_array_size(after) : 0;
    if (rp_copy_select_sql(table, nafter > 0, 1, limit, &sql, err)) {
        rp_buf_free(&sql);
        return err->code;
    }
    char *values[16] = {0};
    if (nafter > 16) {
        rp_buf_free(&sql);
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "copying: a key of too many columns");
    }
    for (int i = 0; i < nafter; i++)
        values[i] = param_text(json_array_get(after, (size_t)i));
    PGresult *res;
    rp_code code = exec_params(s, rp_buf_str(&sql), nafter,
                               (const char *const *)values,
                               "copying: reading a table", &res, err);
    rp_buf_free(&sql);
    for (int i = 0; i < nafter; i++)
        free(values[i]);
    if (code)
        return code;
    int nkey = (int)json_array_size(json_object_get(table, "key"));
    json_t *rows = json_array(), *last = json_null();
    for (int r = 0; r < PQntuples(res); r++) {
        json_t *row = json_array();
        json_decref(last);
        last = json_array();
        for (int c = 0; c < PQnfields(res); c++) {
            json_t *v = stored_value(res, r, c);
            json_array_append_new(c < nkey ? last : row, v ? v : json_null());
        }
        json_array_append_new(rows, row);
    }
    PQclear(res);
    *rows_out = rows;
    *last_out = last;
    return RP_OK;
}

rp_code rp_pg_copy_count(rp_store *s, const char *table, int64_t *count,
                         rp_error *err)
{
    rp_buf sql = RP_BUF_INIT;
    rp_buf_puts(&sql, "SELECT count(*) FROM ");
    PGresult *res = NULL;
    rp_code code = rp_copy_quote(&sql, table, err);
    if (!code)
        code = exec_params(s, rp_buf_str(&sql), 0, NULL,
                           "copying: counting rows", &res, err);
    rp_buf_free(&sql);
    if (code)
        return code;
    *count = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return RP_OK;
}

rp_code rp_pg_copy_progress(rp_store *s, json_t **out, rp_error *err)
{
    PGresult *res;
    if (exec_params(s,
                    "SELECT to_regclass(quote_ident('" PROGRESS_TABLE
                    "')) IS NOT NULL",
                    0, NULL, "copying: reading the progress", &res, err))
        return err->code;
    int exists = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (!exists) {
        *out = NULL;
        return RP_OK;
    }
    if (exec_params(s,
                    "SELECT table_name, source, after, rows, done FROM "
                    "" PROGRESS_TABLE " ORDER BY table_name",
                    0, NULL, "copying: reading the progress", &res, err))
        return err->code;
    json_t *progress = json_pack("{s:n, s:{}}", "source", "tables");
    for (int r = 0; r < PQntuples(res); r++) {
        json_object_set_new(progress, "source",
                            json_string(PQgetvalue(res, r, 1)));
        json_t *after = PQgetisnull(res, r, 2)
                            ? json_null()
                            : json_loads(PQgetvalue(res, r, 2), 0, NULL);
        json_object_set_new(
            json_object_get(progress, "tables"), PQgetvalue(res, r, 0),
            json_pack("{s:o, s:I, s:b}", "after", after ? after : json_null(),
                      "rows",
                      (json_int_t)strtoll(PQgetvalue(res, r, 3), NULL, 10),
                      "done", atoi(PQgetvalue(res, r, 4))));
    }
    PQclear(res);
    *out = progress;
    return RP_OK;
}

/* Append v to b as COPY's text format writes a value. */
static void put_copy_value(rp_buf *b, const json_t *v)
{
    if (json_is_null(v)) {
        rp_buf_puts(b, "\\N");
    } else if (json_is_integer(v)) {
        rp_buf_printf(b, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        rp_buf_printf(b, "%.17g", json_real_value(v));
    } else if (json_is_object(v)) { /* a blob: bytea's hex input */
        rp_buf_printf(b, "\\\\x%s",
                      json_string_value(json_object_get(v, "hex")));
    } else {
        const char *p = json_string_value(v);
        size_t n = json_string_length(v), from = 0;
        for (size_t i = 0; i < n; i++) {
            const char *esc = p[i] == '\\'   ? "\\\\"
                              : p[i] == '\t' ? "\\t"
                              : p[i] == '\n' ? "\\n"
                              : p[i] == '\r' ? "\\r"
                                             : NULL;
            if (!esc)
                continue;
            rp_buf_append(b, p + from, i - from);
            rp_buf_puts(b, esc);
            from = i + 1;
        }
        rp_buf_append(b, p + from, n - from);
    }
}

/* COPY rows into table (its "columns", in order). */
static rp_code copy_rows(rp_store *s, const json_t *table, const json_t *rows,
                         rp_error *err)
{
    rp_buf sql = RP_BUF_INIT, data = RP_BUF_INIT;
    rp_buf_puts(&sql, "COPY ");
    rp_code code = rp_copy_quote(
        &sql, json_string_value(json_object_get(table, "name")), err);
    rp_buf_puts(&sql, " (");
    size_t i, k;
    const json_t *c, *row, *v;
    json_array_foreach(json_object_get(table, "columns"), i, c) {
        if (i)
            rp_buf_puts(&sql, ", ");
        if (!code)
            code = rp_copy_quote(&sql, json_string_value(c), err);
    }
    rp_buf_puts(&sql, ") FROM STDIN");
    json_array_foreach(rows, i, row) {
        json_array_foreach(row, k, v) {
            if (k)
                rp_buf_puts(&data, "\t");
            put_copy_value(&data, v);
        }
        rp_buf_puts(&data, "\n");
    }
    if (!code && (sql.failed || data.failed))
        code = rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    PGconn *conn = rp_pg_conn(s);
    if (!code) {
        PGresult *res = PQexec(conn, rp_buf_str(&sql));
        if (PQresultStatus(res) != PGRES_COPY_IN)
            code = rp_pg_fail(s, res, "copying: writing a table", err);
        else {
            PQclear(res);
            int ok = PQputCopyData(conn, data.p ? data.p : "", (int)data.len) ==
                     1;
            ok = PQputCopyEnd(conn, ok ? NULL : "the rows could not be sent") ==
                     1 &&
                 ok;
            res = PQgetResult(conn);
            if (PQresultStatus(res) != PGRES_COMMAND_OK)
                code = rp_pg_fail(s, res, "copying: writing a table", err);
            else
                PQclear(res);
            while ((res = PQgetResult(conn)))
                PQclear(res);
        }
    }
    rp_buf_free(&sql);
    rp_buf_free(&data);
    return code;
}

/* Turn the triggers and foreign-key checks off for this transaction. */
static rp_code triggers_off(rp_store *s, rp_error *err)
{
    PGresult *res = PQexec(rp_pg_conn(s),
                           "SET LOCAL session_replication_role = replica");
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        PQclear(res);
        return RP_OK;
    }
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (state && strcmp(state, "42501") == 0) {
        PQclear(res);
        return rp_error_set(
            err, RP_EINVALID, "target",
            "the copy writes the rows as they were stored, with the "
            "target's triggers and foreign-key checks off while it does, "
            "which PostgreSQL allows only a superuser or a role given the "
            "right: run GRANT SET ON PARAMETER session_replication_role TO "
            "the user of the target (as a superuser), then copy again");
    }
    return rp_pg_fail(s, res, "copying: turning the triggers off", err);
}

/* Record that table is copied up to last. */
static rp_code note_progress(rp_store *s, const char *source, const char *table,
                             const json_t *last, int64_t copied, int done,
                             rp_error *err)
{
    char *after = json_is_null(last) || !last
                      ? NULL
                      : json_dumps(last, JSON_COMPACT | JSON_ENCODE_ANY);
    char rows[32], finished[4];
    snprintf(rows, sizeof rows, "%lld", (long long)copied);
    snprintf(finished, sizeof finished, "%d", done ? 1 : 0);
    const char *values[] = {table, source, after, rows, finished};
    rp_code code = exec_params(
        s,
        "INSERT INTO " PROGRESS_TABLE
        " (table_name, source, after, rows, done) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (table_name) DO UPDATE SET"
        "  after = coalesce(excluded.after, " PROGRESS_TABLE ".after),"
        "  rows = excluded.rows, done = excluded.done",
        5, values, "copying: recording the progress", NULL, err);
    free(after);
    return code;
}

rp_code rp_pg_copy_write(rp_store *s, const char *source, const json_t *table,
                         const json_t *rows, int first, const json_t *last,
                         int64_t copied, int done, rp_error *err)
{
    const char *name = json_string_value(json_object_get(table, "name"));
    if (rp_store_begin(s, err))
        return err->code;
    rp_code code = triggers_off(s, err);
    if (!code && first) {
        rp_buf sql = RP_BUF_INIT;
        rp_buf_puts(&sql, "DELETE FROM ");
        code = rp_copy_quote(&sql, name, err);
        if (!code)
            code = exec_params(
                s,
                "CREATE TABLE IF NOT EXISTS " PROGRESS_TABLE
                " (table_name text PRIMARY KEY, source text NOT NULL,"
                "  after text, rows bigint NOT NULL, done bigint NOT NULL)",
                0, NULL, "copying: recording the progress", NULL, err);
        if (!code)
            code = exec_params(s, rp_buf_str(&sql), 0, NULL,
                               "copying: emptying a seeded table", NULL, err);
        rp_buf_free(&sql);
    }
    if (!code && json_array_size(rows))
        code = copy_rows(s, table, rows, err);
    if (!code)
        code = note_progress(s, source, name, last, copied, done, err);
    return rp_store_finish(s, code, err);
}

/*
 * The knowledge base's word counts (kb_terms, migration 100) are
 * PostgreSQL's own derivation of the articles, as FTS5's index is SQLite's:
 * not copied (a SQLite source has no such table) but counted again from
 * the copied articles, whose batches went in with the trigger that keeps
 * them off.
 */
static rp_code refill_kb_terms(rp_store *s, rp_error *err)
{
    static const char forget[] = "DELETE FROM kb_terms";
    static const char each_word[] =
        "INSERT INTO kb_terms (term, articles)"
        " SELECT l, count(*) FROM kb_articles a,"
        " unnest(tsvector_to_array(a.search)) AS l GROUP BY l";
    static const char all_articles[] = "INSERT INTO kb_terms (term, articles)"
                                       " SELECT '', count(*) FROM kb_articles";
    static const char *const steps[] = {forget, each_word, all_articles};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (exec_params(s, steps[i], 0, NULL,
                        "copying: counting the knowledge base's words", NULL,
                        err))
            return err->code;
    return RP_OK;
}

rp_code rp_pg_copy_seal(rp_store *s, rp_error *err)
{
    static const char sql[] =
        "SELECT c.relname, a.attname FROM pg_class c"
        " JOIN pg_namespace ns ON ns.oid = c.relnamespace"
        " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0"
        "  AND NOT a.attisdropped"
        " WHERE ns.nspname = current_schema() AND c.relkind IN ('r', 'p')"
        "  AND pg_get_serial_sequence(quote_ident(c.relname), a.attname)"
        "   IS NOT NULL ORDER BY 1";
    PGresult *res = NULL;
    if (rp_store_begin(s, err))
        return err->code;
    rp_code code = exec_params(s, sql, 0, NULL, "copying: finding sequences",
                               &res, err);
    for (int r = 0; !code && r < PQntuples(res); r++) {
        rp_buf q = RP_BUF_INIT;
        const char *table = PQgetvalue(res, r, 0);
        const char *column = PQgetvalue(res, r, 1);
        rp_buf_puts(&q, "SELECT setval(pg_get_serial_sequence(quote_ident($1),"
                        " $2), max(");
        code = rp_copy_quote(&q, column, err);
        rp_buf_puts(&q, ")) FROM ");
        if (!code)
            code = rp_copy_quote(&q, table, err);
        rp_buf_puts(&q, " HAVING max(");
        if (!code)
            code = rp_copy_quote(&q, column, err);
        rp_buf_puts(&q, ") IS NOT NULL");
        const char *values[] = {table, column};
        if (!code)
            code = exec_params(s, rp_buf_str(&q), 2, values,
                               "copying: moving a sequence", NULL, err);
        rp_buf_free(&q);
    }
    PQclear(res);
    if (!code)
        code = refill_kb_terms(s, err);
    return rp_store_finish(s, code, err);
}

rp_code rp_pg_copy_forget(rp_store *s, rp_error *err)
{
    return exec_params(s, "DROP TABLE IF EXISTS " PROGRESS_TABLE, 0, NULL,
                       "copying: forgetting the progress", NULL, err);
}
