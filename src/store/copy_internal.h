/*
 * copy_internal.h - what both backends share to take part in a copy of a
 * whole desk (the copy_* operations of store.h): the statement that reads
 * a table in key order, written once for both, and the test of whether a
 * migration seeds a table.  Private to src/store.
 */
#ifndef RP_COPY_INTERNAL_H
#define RP_COPY_INTERNAL_H

#include <jansson.h>

#include "base/buf.h"
#include "base/error.h"

/* Append name to b as a quoted identifier; RP_EINTERNAL when it is not a
 * plain identifier (letters, digits, '_'), which a table or column of
 * rapport's schema always is. */
rp_code rp_copy_quote(rp_buf *b, const char *name, rp_error *err);

/*
 * Write into b the statement that reads table (an object of copy_tables)
 * in key order: the key columns, then table["columns"]; after the last
 * key read when after_params (one parameter per key column), at most
 * limit rows.  dollar: PostgreSQL's parameters ($1, $2), else SQLite's
 * (?).
 */
rp_code rp_copy_select_sql(const json_t *table, int after_params, int dollar,
                           int limit, rp_buf *b, rp_error *err);

/* Does the SQL text of a migration insert rows into table ("INSERT INTO
 * table ..." in any case)? */
int rp_copy_sql_seeds(const char *sql, const char *table);

#endif
