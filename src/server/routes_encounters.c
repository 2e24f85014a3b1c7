/*
 * routes_encounters.c - /api/v1/encounters: the list with its filters, and
 * one encounter with its measures.  Opening, recording, the cycle and the
 * sub-resources name their librapport function in the table (routes.c).
 */
#include "routes.h"

/* The filters are the work list's, read from the query string as text;
 * the core checks them and names the one at fault. */
void rp_h_encounter_list(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL, *filters = json_object();
    for (const char *const *f = rp_worklist_filters; *f; f++) {
        const char *v = rp_query_arg(req, *f);
        if (v)
            json_object_set_new(filters, *f, json_string(v));
    }
    rp_code rc = rp_encounter_worklist(&req->ctx, filters, &req->page, &out,
                                       &err);
    json_decref(filters);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_encounter_get(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "encounter", &id))
        return;
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_encounter_get(&req->ctx, id, &out, &err);
    if (rc == RP_OK)
        rc = rp_measure_encounter(&req->ctx, out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}
