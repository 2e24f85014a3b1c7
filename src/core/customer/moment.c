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

rp_code rp_moment_record(rp_ctx *ctx, const rp_moment *m, rp_error *err)
{
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
