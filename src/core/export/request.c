/*
 * request.c - a customer's request for their data, an agent's approval,
 * and the download from their page (export.h).
 *
 * The customer is known only by the link of their help page, which anyone
 * holding it could use: so by default an agent looks at the request
 * before the data is handed out, and the download works for a limited
 * time after the approval.  A desk may grant requests at once
 * (RAPPORT_EXPORT_AUTO); the time limit holds either way.
 */
#include "core/export/export.h"

#include <string.h>

#include "core/audit/audit.h"
#include "core/customer/customer.h"

static rp_code query1(rp_ctx *ctx, rp_query q, json_t *params, json_t **row,
                      rp_error *err)
{
    json_t *rows;
    rp_code rc = ctx->store->ops->query(ctx->store, q, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *r = json_array_get(rows, 0);
    *row = r ? json_incref(r) : json_null();
    json_decref(rows);
    return RP_OK;
}

/* Is the request row approved and its download still open? */
static int downloadable(json_t *row)
{
    const char *status = json_string_value(json_object_get(row, "status"));
    const char *until = json_string_value(json_object_get(row, "expires_at"));
    int64_t t;
    return status && !strcmp(status, "approved") && until &&
           rp_time_parse(until, &t) == 0 && t > rp_now();
}

static rp_code record_moment(rp_ctx *ctx, int64_t customer_id,
                             int64_t encounter_id, const char *kind,
                             const char *summary, int granted, rp_error *err)
{
    json_t *said = json_pack("{s:b}", "granted", granted);
    rp_moment m = {.customer_id = customer_id,
                   .encounter_id = encounter_id,
                   .channel = "web",
                   .kind = kind,
                   .summary = summary,
                   .detail = said};
    rp_code rc = rp_moment_record(ctx, &m, err);
    json_decref(said);
    return rc;
}

rp_code rp_export_request_create(rp_ctx *ctx, int64_t customer_id,
                                 int64_t encounter_id, int auto_approve,
                                 int link_hours, json_t **out, rp_error *err)
{
    rp_store *s = ctx->store;
    json_t *row;
    if (rp_store_begin(s, err))
        return err->code;
    rp_code rc = query1(ctx, RP_Q_EXPORT_REQUEST_PENDING,
                        json_pack("[I]", (json_int_t)customer_id), &row, err);
    if (rc == RP_OK && !json_is_null(row)) {
        rc = rp_store_finish(s, rc, err); /* asked already: nothing new */
        if (rc == RP_OK)
            *out = row;
        else
            json_decref(row);
        return rc;
    }
    json_decref(row);
    int64_t now = rp_now();
    json_t *id_row = NULL;
    if (rc == RP_OK)
        rc = query1(
            ctx, RP_Q_EXPORT_REQUEST_INSERT,
            json_pack("[I, o, s, I, o, o]", (json_int_t)customer_id,
                      encounter_id ? json_integer(encounter_id) : json_null(),
                      auto_approve ? "approved" : "pending", (json_int_t)now,
                      auto_approve ? json_integer(now) : json_null(),
                      auto_approve
                          ? json_integer(now + (int64_t)link_hours * 3600)
                          : json_null()),
            &id_row, err);
    if (rc == RP_OK)
        rc = record_moment(ctx, customer_id, encounter_id, "export.requested",
                           auto_approve
                               ? "Asked for a copy of their data, granted at "
                                 "once"
                               : "Asked for a copy of their data",
                           auto_approve, err);
    int64_t id = json_integer_value(json_object_get(id_row, "id"));
    json_decref(id_row);
    row = NULL;
    if (rc == RP_OK)
        rc = query1(ctx, RP_Q_EXPORT_REQUEST_GET,
                    json_pack("[I]", (json_int_t)id), &row, err);
    rc = rp_store_finish(s, rc, err);
    if (rc) {
        json_decref(row);
        return rc;
    }
    *out = row;
    return RP_OK;
}

rp_code rp_export_request_list(rp_ctx *ctx, const char *status,
                               const rp_page_req *page, json_t **out,
                               rp_error *err)
{
    static const char *const statuses[] = {"pending", "approved", "declined",
                                           NULL};
    if (status) {
        int known = 0;
        for (int i = 0; statuses[i]; i++)
            known |= !strcmp(status, statuses[i]);
        if (!known)
            return rp_error_refuse(err, RP_EINVALID, "status", "not_allowed", 0,
                                   "status must be pending, approved or "
                                   "declined");
    }
    json_t *params = json_pack(
               "[o, I, i]", status ? json_string(status) : json_null(),
               (json_int_t)(page->after_id ? page->after_id : INT64_MAX),
               page->limit + 1),
           *rows;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_EXPORT_REQUEST_LIST,
                                        params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    *out = rp_page_result(rows, page->limit);
    return RP_OK;
}

rp_code rp_export_request_approve(rp_ctx *ctx, int64_t id, int link_hours,
                                  json_t **out, rp_error *err)
{
    rp_store *s = ctx->store;
    json_t *row;
    if (rp_store_begin(s, err))
        return err->code;
    rp_code rc = query1(ctx, RP_Q_EXPORT_REQUEST_GET,
                        json_pack("[I]", (json_int_t)id), &row, err);
    if (rc == RP_OK && json_is_null(row))
        rc = rp_error_set(err, RP_ENOTFOUND, "id",
                          "no export request with id %lld", (long long)id);
    const char *status = json_string_value(json_object_get(row, "status"));
    if (rc == RP_OK && strcmp(status, "pending") != 0)
        rc = rp_error_refuse(err, RP_ECONFLICT, "id", "already_done", 0,
                             "this request was already %s", status);
    int64_t now = rp_now();
    int64_t customer = json_integer_value(json_object_get(row, "customer_id"));
    int64_t encounter = json_integer_value(
        json_object_get(row, "encounter_id"));
    json_decref(row);
    row = NULL;
    int64_t changed = 0;
    if (rc == RP_OK) {
        json_t *p = json_pack(
            "[I, o, I, I]", (json_int_t)now,
            ctx->agent_id ? json_integer(ctx->agent_id) : json_null(),
            (json_int_t)(now + (int64_t)link_hours * 3600), (json_int_t)id);
        rc = s->ops->exec(s, RP_Q_EXPORT_REQUEST_APPROVE, p, &changed, err);
        json_decref(p); /* exec binds the parameters, it does not keep them */
    }
    if (rc == RP_OK && changed != 1)
        rc = rp_error_refuse(err, RP_ECONFLICT, "id", "changed_meanwhile", 0,
                             "this request was decided meanwhile");
    if (rc == RP_OK)
        rc = record_moment(ctx, customer, encounter, "export.approved",
                           "Their request for a copy of their data was "
                           "approved",
                           1, err);
    if (rc == RP_OK)
        rc = query1(ctx, RP_Q_EXPORT_REQUEST_GET,
                    json_pack("[I]", (json_int_t)id), &row, err);
    rc = rp_store_finish(s, rc, err);
    if (rc) {
        json_decref(row);
        return rc;
    }
    *out = row;
    return RP_OK;
}

rp_code rp_export_request_latest(rp_ctx *ctx, int64_t customer_id, json_t **out,
                                 rp_error *err)
{
    json_t *row;
    if (query1(ctx, RP_Q_EXPORT_REQUEST_LATEST,
               json_pack("[I]", (json_int_t)customer_id), &row, err))
        return err->code;
    if (!json_is_null(row))
        json_object_set_new(row, "downloadable",
                            json_boolean(downloadable(row)));
    *out = row;
    return RP_OK;
}

rp_code rp_export_for_customer(rp_ctx *ctx, int64_t customer_id,
                               const char *client_addr, json_t **out,
                               rp_error *err)
{
    json_t *latest;
    if (rp_export_request_latest(ctx, customer_id, &latest, err))
        return err->code;
    int ok = json_is_true(json_object_get(latest, "downloadable"));
    json_decref(latest);
    if (!ok)
        return rp_error_set(err, RP_EFORBIDDEN, NULL,
                            "your copy is not ready, or its link has "
                            "expired: ask for it again from your page");
    /* the customer, not an agent, is who exported it */
    rp_audit_request by_customer = {
        .entry = {.via = "customer",
                  .address = client_addr,
                  .method = "GET",
                  .route = "/help/r/{token}/export"}};
    rp_audit_request *served = ctx->audit;
    int64_t agent = ctx->agent_id;
    ctx->audit = &by_customer;
    ctx->agent_id = 0;
    rp_code rc = rp_export_customer(ctx, customer_id, out, err);
    ctx->audit = served;
    ctx->agent_id = agent;
    return rc;
}
