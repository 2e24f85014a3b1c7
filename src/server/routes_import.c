/*
 * routes_import.c - POST /api/v1/imports/customers: customers from a CSV
 * file, for the console.  The body is the file itself (text/csv); the
 * core reads it, maps and checks every row, and keeps all of it or none
 * (core/transfer), exactly as `rapport import customers` does.
 */
#include <string.h>

#include "routes.h"

/* The map parameter, "COLUMN=FIELD;COLUMN=FIELD", into map. */
static rp_code read_map(const char *text, json_t *map, rp_error *err)
{
    rp_buf one = RP_BUF_INIT;
    rp_code rc = RP_OK;
    while (text && *text && rc == RP_OK) {
        size_t n = strcspn(text, ";");
        rp_buf_clear(&one);
        rp_buf_append(&one, text, n);
        if (n)
            rc = rp_import_map_add(map, rp_buf_str(&one), err);
        text += n + (text[n] != '\0');
    }
    rp_buf_free(&one);
    return rc;
}

void rp_h_import_customers(rp_request *req, rp_response *res)
{
    const char *dry = rp_query_arg(req, "dry_run");
    if (dry && strcmp(dry, "true") && strcmp(dry, "false")) {
        rp_reply_fail(res, RP_EINVALID, "dry_run", "dry_run is true or false");
        return;
    }
    rp_error err = {0};
    json_t *map = json_object(), *out = NULL;
    rp_code rc = read_map(rp_query_arg(req, "map"), map, &err);
    rp_csv *csv = NULL;
    if (rc == RP_OK) {
        csv = rp_csv_new_memory((const char *)req->raw, req->raw_len);
        rc = csv ? rp_import_customers(&req->ctx, csv, map,
                                       dry && !strcmp(dry, "true"), NULL, &out,
                                       &err)
                 : rp_error_set(&err, RP_EINTERNAL, NULL, "out of memory");
    }
    rp_csv_free(csv);
    json_decref(map);
    rp_reply_result(res, rc, &err, 200, out);
}
