/*
 * routes_tasks.c - /api/v1/tasks/{id}/complete: mark a follow-up (or any
 * scheduled task) done.
 */
#include "routes.h"

void rp_h_task_complete(rp_request *req, rp_response *res)
{
    int64_t id;
    if (rp_path_id(req, res, 0, "task", &id))
        return;
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_task_complete(&req->ctx, id, req->body, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}
