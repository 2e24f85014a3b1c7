/*
 * moment.c - the moments-of-truth ledger.
 *
 * Seed 004: every contact forms an opinion, and a good organisation creates
 * more of them.  Every change to a customer or an encounter appends one
 * moment here, in the same transaction as the change; the ledger is never
 * edited (the store refuses updates and deletes, erasure only blanks a
 * moment's content), so it is the history a relationship is read from.
 * Each moment is sealed into a hash chain as it is appended (ledger.c).
 */
#include "core/customer/customer_internal.h"
#include "core/rapport.h"

#include <string.h>

/* Listed once here so that the OpenAPI document names them and the
 * console's test can check that it says each in the agent's language. */
const char *const rp_moment_kinds[] = {"customer.created",
                                       "customer.updated",
                                       "customer.merged",
                                       "customer.erasure_requested",
                                       "customer.erased",
                                       "profile.changed",
                                       "consent.changed",
                                       "relationship.changed",
                                       "encounter.opened",
                                       "encounter.routed",
                                       "encounter.acknowledged",
                                       "encounter.understood",
                                       "encounter.helped",
                                       "encounter.kept",
                                       "encounter.closed",
                                       "encounter.abandoned",
                                       "encounter.reopened",
                                       "encounter.taken",
                                       "encounter.assigned",
                                       "encounter.transferred",
                                       "encounter.recorded",
                                       "defect.recorded",
                                       "special_request.granted",
                                       "special_request.declined",
                                       "promise.made",
                                       "promise.kept",
                                       "promise.broken",
                                       "charter.breached",
                                       "follow_up.scheduled",
                                       "follow_up.moved",
                                       "follow_up.done",
                                       "satisfaction.scheduled",
                                       "satisfaction.answered",
                                       "satisfaction_check.moved",
                                       "satisfaction_check.done",
                                       "reminder.done",
                                       "renewal_notice.done",
                                       "keep_in_touch.done",
                                       "task.sent",
                                       "message.received",
                                       "message.replied",
                                       "message.noted",
                                       "message.failed",
                                       "offer.shown",
                                       "offer.accepted",
                                       "offer.declined",
                                       "kb.feedback",
                                       "export.requested",
                                       "export.approved",
                                       "retention.messages_blanked",
                                       "retention.attachments_dropped",
                                       NULL};

int rp_moment_kind_known(const char *kind)
{
    for (const char *const *k = rp_moment_kinds; kind && *k; k++)
        if (!strcmp(*k, kind))
            return 1;
    return 0;
}

rp_code rp_moment_record(rp_ctx *ctx, const rp_moment *m, rp_error *err)
{
    /* a kind nobody listed would reach the console without its words */
    if (!rp_moment_kind_known(m->kind))
        return rp_error_set(err, RP_EINTERNAL, "kind",
                            "a moment of truth of a kind not listed in "
                            "rp_moment_kinds: %s",
                            m->kind ? m->kind : "(none)");
    return rp_ledger_append(ctx, m, rp_now(), err);
}

rp_code rp_moment_list(rp_ctx *ctx, int64_t customer_id,
                       const rp_page_req *page, json_t **out, rp_error *err)
{
    json_t *ids;
    if (rp_customer_live_id(ctx, customer_id, &customer_id, err) ||
        rp_customer_ids(ctx, customer_id, &ids, err))
        return err->code;
    /* a merged customer's moments stay theirs in the ledger, and are part
     * of the history of the customer they were merged into */
    rp_filter f = json_array_size(ids) > 1
                      ? (rp_filter){"customer_id", RP_FILTER_IN, ids}
                      : (rp_filter){"customer_id", RP_FILTER_EQ,
                                    json_array_get(ids, 0)};
    rp_page p = {page->after_id, 1, page->limit + 1};
    json_t *rows;
    rp_code rc = ctx->store->ops->list(ctx->store, &RP_ENTITY_MOMENT, &f, 1, &p,
                                       &rows, err);
    json_decref(ids);
    if (rc)
        return rc;
    *out = rp_page_result(rows, page->limit);
    return RP_OK;
}
