/*
 * routes_tasks.c - GET /api/v1/tasks: what the scheduler will send, has
 * sent, holds back and why, or failed to send; POST /api/v1/scheduler/run
 * runs the scheduler now, optionally at an injected time (admin only, since
 * it sends messages).  One task, completing a task and the loyalty tiers
 * name their librapport function in the table (routes.c).
 */
#include <stdio.h>
#include <unistd.h>

#include "base/worker.h"
#include "routes.h"

void rp_h_task_list(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    int64_t customer = 0;
    const char *cid = rp_query_arg(req, "customer_id");
    rp_code rc = RP_OK;
    if (cid)
        rc = rp_parse_id(cid, "customer_id", &customer, &err);
    if (rc == RP_OK)
        rc = rp_task_list(&req->ctx, rp_query_arg(req, "status"), customer,
                          &req->page, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

/* GET /api/v1/followups: ?scope=mine|queues|all&due_before=TIME (default
 * now). */
void rp_h_followups_due(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    int64_t before = rp_now();
    const char *at = rp_query_arg(req, "due_before");
    rp_code rc = RP_OK;
    if (at && rp_time_parse(at, &before) != 0)
        rc = rp_error_refuse(&err, RP_EINVALID, "due_before", "not_a_time", 0,
                             "due_before is a time such as "
                             "2026-12-15T18:00:00+01:00");
    if (rc == RP_OK)
        rc = rp_task_due(&req->ctx, rp_query_arg(req, "scope"), before,
                         &req->page, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_scheduler_run(rp_request *req, rp_response *res)
{
    rp_error err;
    int64_t now = 0;
    int present = 0;
    json_t *in = req->body ? req->body : json_object(), *out = NULL;
    rp_code rc = rp_in_fields(in, rp_scheduler_run_fields, 1, &err);
    if (rc == RP_OK)
        rc = rp_in_time(in, "now", 0, &now, &present, &err);
    if (!req->body)
        json_decref(in);
    if (rc == RP_OK) {
        char worker[RP_WORKER_NAME_MAX];
        rp_worker_name(worker, sizeof worker, "rapportd", "api");
        rc = rp_scheduler_run(&req->ctx, &req->config->followup,
                              present ? now : rp_now(), worker, &out, &err);
    }
    rp_reply_result(res, rc, &err, 200, out);
}
