/*
 * routes_encounters.c - /api/v1/encounters: open, read and list encounters.
 */
#include <stdio.h>

#include "routes.h"

void rp_h_encounter_list(rp_request *req, rp_response *res)
{
    rp_error err;
    rp_page_req page;
    json_t *out = NULL;
    int64_t customer_id = 0;
    const char *customer = rp_query_arg(req, "customer_id");
    rp_code rc = rp_page_req_parse(rp_query_arg(req, "limit"),
                                   rp_query_arg(req, "cursor"), &page, &err);
    if (rc == RP_OK && customer &&
        rp_parse_id(customer, "customer_id", &customer_id, &err))
        rc = rp_error_set(&err, RP_EINVALID, "customer_id",
                          "customer_id must be a positive integer");
    if (rc == RP_OK)
        rc = rp_encounter_list(&req->ctx, customer_id,
                               rp_query_arg(req, "stage"), &page, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_encounter_open(rp_request *req, rp_response *res)
{
    rp_serve_create(req, res, rp_encounter_open, "/api/v1/encounters");
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

/* ---- the encounter engine: recording, the cycle, sub-resources ---------- */


void rp_h_encounter_record(rp_request *req, rp_response *res)
{
    rp_serve_by_id_body(req, res, "encounter", rp_encounter_record, 200);
}

void rp_h_encounter_acknowledge(rp_request *req, rp_response *res)
{
    rp_serve_by_id_body(req, res, "encounter", rp_encounter_acknowledge, 200);
}

void rp_h_encounter_advance(rp_request *req, rp_response *res)
{
    rp_serve_by_id_body(req, res, "encounter", rp_encounter_advance, 200);
}

void rp_h_encounter_abandon(rp_request *req, rp_response *res)
{
    rp_serve_by_id_body(req, res, "encounter", rp_encounter_abandon, 200);
}

void rp_h_encounter_defect(rp_request *req, rp_response *res)
{
    rp_serve_by_id_body(req, res, "encounter", rp_encounter_add_defect, 201);
}

void rp_h_encounter_special_request(rp_request *req, rp_response *res)
{
    rp_serve_by_id_body(req, res, "encounter", rp_encounter_add_special_request, 201);
}

void rp_h_encounter_promise(rp_request *req, rp_response *res)
{
    rp_serve_by_id_body(req, res, "encounter", rp_encounter_add_promise, 201);
}

void rp_h_encounter_transfer(rp_request *req, rp_response *res)
{
    rp_serve_by_id_body(req, res, "encounter", rp_encounter_add_transfer, 201);
}

void rp_h_encounter_follow_up(rp_request *req, rp_response *res)
{
    rp_serve_by_id_body(req, res, "encounter", rp_encounter_add_follow_up, 201);
}

void rp_h_encounter_satisfaction(rp_request *req, rp_response *res)
{
    rp_serve_by_id_body(req, res, "encounter", rp_encounter_add_satisfaction, 201);
}

void rp_h_encounter_guide(rp_request *req, rp_response *res)
{
    rp_serve_by_id(req, res, "encounter", rp_encounter_guide, 200);
}
