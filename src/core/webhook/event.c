/*
 * event.c - recording events and queueing their deliveries (webhook.h).
 *
 * This is the transactional outbox: the event and its deliveries are rows
 * written by the transaction that makes the change, never a send from
 * inside it.  Sending happens later (dispatch.c), so a slow or absent
 * receiver can never hold the write lock or fail an agent's request, and
 * a change rolled back leaves no event behind.
 */
#include <string.h>

#include "core/rapport.h"

const char *const rp_event_kinds[] = {
    "encounter.opened", "encounter.stage_changed", "encounter.assigned",
    "encounter.closed", "encounter.abandoned",     "message.received",
    "message.sent",     "message.failed",          "satisfaction.answered",
    "customer.created", "customer.changed",        "customer.merged",
    "customer.erased",  "charter.breached",        NULL,
};

int rp_event_kind_is_known(const char *kind)
{
    for (int i = 0; kind && rp_event_kinds[i]; i++)
        if (!strcmp(kind, rp_event_kinds[i]))
            return 1;
    return 0;
}

rp_code rp_event_emit(rp_ctx *ctx, const char *kind, int64_t customer_id,
                      int64_t encounter_id, json_t *data, rp_error *err)
{
    if (!rp_event_kind_is_known(kind))
        return rp_error_set(err, RP_EINTERNAL, NULL, "unknown event kind %s",
                            kind ? kind : "(none)");
    if (data && !json_is_object(data))
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "the data of event %s is not an object", kind);
    int64_t now = rp_now();
    json_t *row = json_pack(
        "{s:s, s:o, s:o, s:s, s:o, s:I}", "kind", kind, "customer_id",
        customer_id ? json_integer(customer_id) : json_null(), "encounter_id",
        encounter_id ? json_integer(encounter_id) : json_null(), "actor",
        ctx->actor ? ctx->actor : "system", "data",
        data ? json_incref(data) : json_object(), "occurred_at",
        (json_int_t)now);
    if (!row)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "cannot build the event %s", kind);
    int64_t id = 0;
    rp_code rc = ctx->store->ops->insert(ctx->store, &RP_ENTITY_EVENT, row, &id,
                                         err);
    json_decref(row);
    if (rc)
        return rc;
    json_t *params = json_pack("[I, s, I]", (json_int_t)id, kind,
                               (json_int_t)now);
    rc = ctx->store->ops->exec(ctx->store, RP_Q_WEBHOOK_FANOUT, params, NULL,
                               err);
    json_decref(params);
    return rc;
}

rp_code rp_event_forget_customer(rp_ctx *ctx, int64_t customer_id,
                                 rp_error *err)
{
    json_t *params = json_pack("[I]", (json_int_t)customer_id);
    rp_code rc = ctx->store->ops->exec(
        ctx->store, RP_Q_WEBHOOK_EVENTS_FORGET_CUSTOMER, params, NULL, err);
    json_decref(params);
    return rc;
}
