/*
 * backlog.c - the delivery backlog: what is waiting to be sent and what
 * was given up on, for the health check an operator's monitoring polls.
 *
 * A backlog that grows says the scheduler, the outbox or the event
 * webhooks are stuck (a mail server down, a receiver refusing); failures that
 * grow say sends are being given up on.  Both are counted from index ranges, so
 * a health check costs the same on a desk with a million tasks.
 */
#include "core/measures/measures_internal.h"

rp_code rp_delivery_backlog(rp_ctx *ctx, int64_t now, json_t **out,
                            rp_error *err)
{
    json_t *rows = NULL, *params = json_pack("[I]", (json_int_t)now);
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_MEASURES_DELIVERY_BACKLOG, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *r = json_array_get(rows, 0);
#define N(name) json_integer(json_integer_value(json_object_get(r, name)))
    *out = json_pack("{s:{s:o, s:o}, s:{s:o, s:o}, s:{s:o, s:o}}", "tasks",
                     "due", N("tasks_due"), "failed", N("tasks_failed"),
                     "outbox", "due", N("outbox_due"), "failed",
                     N("outbox_failed"), "webhooks", "due", N("webhooks_due"),
                     "failed", N("webhooks_failed"));
#undef N
    json_decref(rows);
    return RP_OK;
}
