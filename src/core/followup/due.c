/*
 * due.c - the follow-ups an agent has to do, and another try for a message
 * that was held or failed.
 *
 * A follow-up by phone or in person is work for a person, not for the
 * scheduler, and the agent who promised it needs to see it come due: "Due
 * today and overdue" is the follow-ups still open (scheduled, or sent and
 * not yet marked done) that fall due before a given time, for the agent's
 * own encounters, for the queues the agent belongs to, or for the whole
 * desk.  Read through the tasks' (status, due_at) index, so the list costs
 * what is due, not what the desk has ever scheduled.
 *
 * A held message (no consent, no address) or a failed one (the mail server
 * refused it, every attempt used) can be tried again once its cause is
 * mended: it goes back to the schedule with its attempts counted afresh,
 * and the scheduler decides again, so a message still without consent is
 * held again with the same reason rather than sent.
 */
#include <string.h>

#include "core/rapport.h"

/* scope as one of the known words, or NULL. */
static const char *known_scope(const char *scope)
{
    static const char *const scopes[] = {"mine", "queues", "all", NULL};
    for (int i = 0; scopes[i]; i++)
        if (strcmp(scopes[i], scope) == 0)
            return scopes[i];
    return NULL;
}

rp_code rp_task_due(rp_ctx *ctx, const char *scope, int64_t before,
                    const rp_page_req *page, json_t **out, rp_error *err)
{
    if (!scope)
        scope = ctx->agent_id ? "mine" : "all";
    else if (!(scope = known_scope(scope)))
        return rp_error_refuse(err, RP_EINVALID, "scope", "not_allowed", 0,
                               "scope is mine, queues or all");
    if (strcmp(scope, "all") != 0 && !ctx->agent_id)
        return rp_error_refuse(err, RP_EINVALID, "scope", "not_allowed", 0,
                               "scope %s needs a signed-in agent; use all",
                               scope);
    json_t *params = json_pack("[I, s, I, I, i]", (json_int_t)before, scope,
                               (json_int_t)ctx->agent_id,
                               (json_int_t)page->after_id, page->limit + 1),
           *rows = NULL;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_FOLLOWUP_DUE, params,
                                        &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    *out = rp_page_result(rows, page->limit);
    return RP_OK;
}

rp_code rp_task_retry(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err)
{
    rp_store *s = ctx->store;
    json_t *task = NULL;
    if (rp_store_begin(s, err))
        return err->code;
    rp_code rc = rp_task_get(ctx, id, &task, err);
    const char *status = json_string_value(json_object_get(task, "status"));
    if (rc == RP_OK && strcmp(status, "failed") && strcmp(status, "held"))
        rc = rp_error_refuse(
            err, RP_ECONFLICT, "status", "wrong_kind", 0,
            "only a held or failed message can be tried again; "
            "this one is %s",
            status);
    if (rc == RP_OK) {
        json_t *p = json_pack("[I, I]", (json_int_t)id, (json_int_t)rp_now());
        rc = s->ops->exec(s, RP_Q_FOLLOWUP_TASK_RETRY, p, NULL, err);
        json_decref(p);
    }
    json_decref(task);
    rc = rp_store_finish(s, rc, err);
    return rc ? rc : rp_task_get(ctx, id, out, err);
}
