/*
 * sqlite_queries.c - the SQL text of every named query of the SQLite
 * backend.  The domain asks for a query by name (store.h); this table is the
 * only place its SQL lives.  Parameters are positional (?), bound from a JSON
 * array.  Keep names grouped by subsystem: "<subsystem>.<what>".
 */
#include "sqlite_internal.h"

#include <string.h>

static const rp_sqlite_query queries[] = {
    /* customers */
    {"customer.exists", "SELECT 1 AS found FROM customers WHERE id = ?"},
    /* encounters */
    {"encounter.counts_by_stage",
     "SELECT stage, count(*) AS n FROM encounters WHERE customer_id = ?"
     " GROUP BY stage"},
    /* moments */
    {"moment.count_for_customer",
     "SELECT count(*) AS n FROM moments WHERE customer_id = ?"},
};

const char *rp_sqlite_query_sql(const char *name)
{
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        if (strcmp(queries[i].name, name) == 0)
            return queries[i].sql;
    return NULL;
}
