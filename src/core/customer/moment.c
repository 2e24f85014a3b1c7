/*
 * moment.c - the moments-of-truth ledger.
 *
 * Seed 004: every contact forms an opinion, and a good organisation creates
 * more of them.  Every change to a customer or an encounter appends one
 * moment here, in the same transaction as the change; the ledger is never
 * edited (the store refuses updates and deletes), so it is the history a
 * relationship is read from.
 */
#include "core/rapport.h"

rp_code rp_moment_record(rp_ctx *ctx, const rp_moment *m, rp_error *err)
{
    json_t *row = json_pack(
        "{s:I, s:o, s:I, s:s, s:o, s:s, s:s, s:o, s:O}", "customer_id",
        (json_int_t)m->customer_id, "encounter_id",
        m->encounter_id ? json_integer(m->encounter_id) : json_null(),
        "occurred_at", (json_int_t)rp_now(), "actor",
        ctx->actor ? ctx->actor : "system", "channel",
        m->channel ? json_string(m->channel) : json_null(), "kind", m->kind,
        "summary", m->summary, "impression",
        m->impression ? json_string(m->impression) : json_null(), "detail",
        m->detail ? m->detail : json_null());
    if (!row)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "cannot build the moment %s", m->kind);
    rp_code rc = ctx->store->ops->insert(ctx->store, &RP_ENTITY_MOMENT, row,
                                         NULL, err);
    json_decref(row);
    return rc;
}

rp_code rp_moment_list(rp_ctx *ctx, int64_t customer_id,
                       const rp_page_req *page, json_t **out, rp_error *err)
{
    json_t *customer;
    if (rp_customer_get(ctx, customer_id, &customer, err))
        return err->code;
    json_decref(customer);
    json_t *id = json_integer(customer_id);
    rp_filter f = {"customer_id", RP_FILTER_EQ, id};
    rp_page p = {page->after_id, 1, page->limit + 1};
    json_t *rows;
    rp_code rc = ctx->store->ops->list(ctx->store, &RP_ENTITY_MOMENT, &f, 1, &p,
                                       &rows, err);
    json_decref(id);
    if (rc)
        return rc;
    *out = rp_page_result(rows, page->limit);
    return RP_OK;
}
