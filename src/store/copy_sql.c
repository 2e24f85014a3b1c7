/*
 * copy_sql.c - the pieces of a desk copy's SQL that both backends share
 * (copy_internal.h).  A copy reads every table of the live schema, so its
 * statements name tables and columns the database's catalogue listed: they
 * are checked to be plain identifiers and quoted, and values are always
 * bound.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "store/copy_internal.h"

rp_code rp_copy_quote(rp_buf *b, const char *name, rp_error *err)
{
    if (!name || !*name)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "copying: a table or column without a name");
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return rp_error_set(err, RP_EINTERNAL, NULL,
                                "copying: the schema names something that "
                                "is not a plain identifier");
    rp_buf_printf(b, "\"%s\"", name);
    return RP_OK;
}

/* Append the names of list, quoted and separated by commas. */
static rp_code put_list(rp_buf *b, const json_t *list, rp_error *err)
{
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v) {
        if (i)
            rp_buf_puts(b, ", ");
        if (rp_copy_quote(b, json_string_value(v), err))
            return err->code;
    }
    return RP_OK;
}

rp_code rp_copy_select_sql(const json_t *table, int after_params, int dollar,
                           int limit, rp_buf *b, rp_error *err)
{
    const json_t *key = json_object_get(table, "key");
    const json_t *columns = json_object_get(table, "columns");
    if (!json_array_size(key) || !json_array_size(columns))
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "copying: a table without a key or columns");
    rp_buf_puts(b, "SELECT ");
    if (put_list(b, key, err))
        return err->code;
    rp_buf_puts(b, ", ");
    if (put_list(b, columns, err))
        return err->code;
    rp_buf_puts(b, " FROM ");
    if (rp_copy_quote(b, json_string_value(json_object_get(table, "name")),
                      err))
        return err->code;
    if (after_params) {
        /* a row value compares as the ORDER BY sorts */
        rp_buf_puts(b, " WHERE (");
        if (put_list(b, key, err))
            return err->code;
        rp_buf_puts(b, ") > (");
        for (size_t i = 0; i < json_array_size(key); i++) {
            if (dollar)
                rp_buf_printf(b, "%s$%zu", i ? ", " : "", i + 1);
            else
                rp_buf_printf(b, "%s?", i ? ", " : "");
        }
        rp_buf_puts(b, ")");
    }
    rp_buf_puts(b, " ORDER BY ");
    if (put_list(b, key, err))
        return err->code;
    rp_buf_printf(b, " LIMIT %d", limit);
    if (b->failed)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    return RP_OK;
}

int rp_copy_sql_seeds(const char *sql, const char *table)
{
    static const char insert[] = "INSERT INTO ";
    size_t n = strlen(table), m = sizeof insert - 1;
    for (const char *p = sql; *p; p++) {
        if (strncasecmp(p, insert, m) != 0)
            continue;
        const char *name = p + m;
        if (strncmp(name, table, n) == 0 && (name[n] == ' ' || name[n] == '('))
            return 1;
    }
    return 0;
}
