/*
 * routes_audit.c - GET /api/v1/audit, the audit log for admins: its query
 * parameters become the filters of rp_audit_list (core/audit), which
 * checks them and says in words what each entry was.
 */
#include "routes.h"

/* The filters as rp_audit_list takes them: ids as integers when they read
 * as numbers (else as given, so the core names the field it refuses). */
static void put_filter(rp_request *req, json_t *q, const char *name, int id)
{
    const char *v = rp_query_arg(req, name);
    if (!v)
        return;
    int64_t n;
    rp_error err;
    if (id && rp_parse_id(v, name, &n, &err) == RP_OK)
        json_object_set_new(q, name, json_integer((json_int_t)n));
    else
        json_object_set_new(q, name, json_string(v));
}

void rp_h_audit_list(rp_request *req, rp_response *res)
{
    json_t *q = json_object(), *out = NULL;
    put_filter(req, q, "agent_id", 1);
    put_filter(req, q, "customer_id", 1);
    put_filter(req, q, "from", 0);
    put_filter(req, q, "to", 0);
    put_filter(req, q, "action", 0);
    rp_error err;
    rp_code rc = rp_audit_list(&req->ctx, q, &req->page, &out, &err);
    json_decref(q);
    rp_reply_result(res, rc, &err, 200, out);
}
