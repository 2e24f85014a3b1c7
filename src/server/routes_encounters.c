/*
 * routes_encounters.c - /api/v1/encounters: the list with its filters, and
 * one encounter with its measures.  Opening, recording, the cycle and the
 * sub-resources name their librapport function in the table (routes.c).
 */
#include "routes.h"

void rp_h_encounter_list(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    int64_t customer_id = 0;
    const char *customer = rp_query_arg(req, "customer_id");
    rp_code rc = RP_OK;
    if (customer && rp_parse_id(customer, "customer_id", &customer_id, &err))
        rc = rp_error_set(&err, RP_EINVALID, "customer_id",
                          "customer_id must be a positive integer");
    if (rc == RP_OK)
        rc = rp_encounter_list(&req->ctx, customer_id,
                               rp_query_arg(req, "stage"), &req->page, &out,
                               &err);
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
