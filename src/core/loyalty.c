/*
 * loyalty.c - recognising the returning customer.
 *
 * Seed 003: "they noticed that I am permanent client and I will get
 * discount".  Tenure (since the customer was added), visits (closed
 * encounters) and spend (the sum of their spend) decide the tier; the tiers
 * and their discounts are rows of loyalty_tiers, so a business configures
 * them without a new build.  A tier is reached when any of its non-null
 * minimums is met; a tier with no minimum is the floor.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "future.h"

rp_code rp_loyalty_tiers(rp_ctx *ctx, json_t **out, rp_error *err)
{
    json_t *rows;
    if (ctx->store->ops->query(ctx->store, "future.loyalty_tiers", NULL, &rows,
                               err))
        return err->code;
    *out = json_pack("{s:o}", "items", rows);
    return RP_OK;
}

static int reached(json_t *tier, int64_t visits, int64_t tenure_days,
                   double spend)
{
    json_t *v = json_object_get(tier, "min_visits"),
           *t = json_object_get(tier, "min_tenure_days"),
           *s = json_object_get(tier, "min_spend");
    if (json_is_null(v) && json_is_null(t) && json_is_null(s))
        return 1;
    return (json_is_integer(v) && visits >= json_integer_value(v)) ||
           (json_is_integer(t) && tenure_days >= json_integer_value(t)) ||
           (json_is_number(s) && spend >= json_number_value(s));
}

rp_code rp_loyalty_for_customer(rp_ctx *ctx, int64_t customer_id,
                                json_t **out, rp_error *err)
{
    json_t *customer, *stats = NULL, *tiers = NULL;
    if (rp_customer_get(ctx, customer_id, &customer, err))
        return err->code;
    json_t *p = json_pack("[I]", (json_int_t)customer_id);
    rp_code rc = ctx->store->ops->query(ctx->store, "future.loyalty_stats", p,
                                        &stats, err);
    json_decref(p);
    if (rc == RP_OK)
        rc = ctx->store->ops->query(ctx->store, "future.loyalty_tiers", NULL,
                                    &tiers, err);
    if (rc) {
        json_decref(customer);
        json_decref(stats);
        return rc;
    }
    json_t *st = json_array_get(stats, 0);
    int64_t visits = json_integer_value(json_object_get(st, "visits"));
    double spend = json_number_value(json_object_get(st, "spend"));
    int64_t since = 0;
    rp_time_parse(json_string_value(json_object_get(customer, "created_at")),
                  &since);
    int64_t tenure_days = (rp_now() - since) / 86400;
    if (tenure_days < 0)
        tenure_days = 0;
    json_t *tier = NULL, *next = NULL;
    size_t i;
    json_t *t;
    /* tiers come highest rank first */
    json_array_foreach(tiers, i, t)
    {
        if (reached(t, visits, tenure_days, spend)) {
            tier = t;
            break;
        }
        next = t;
    }
    const char *name = tier ? json_string_value(json_object_get(tier, "name"))
                            : "none";
    double discount =
        tier ? json_number_value(json_object_get(tier, "discount_percent")) : 0;
    int returning = visits >= 1;
    char summary[200], pct[32];
    if (discount == floor(discount))
        snprintf(pct, sizeof pct, "%.0f%%", discount);
    else
        snprintf(pct, sizeof pct, "%.1f%%", discount);
    snprintf(summary, sizeof summary, "%s, %s tier, %s",
             returning ? "returning customer" : "new customer", name,
             discount > 0 ? pct : "no discount");
    if (discount > 0)
        snprintf(summary + strlen(summary), sizeof summary - strlen(summary),
                 " discount");
    *out = json_pack("{s:I, s:s, s:f, s:I, s:I, s:f, s:b, s:s, s:O}",
                     "customer_id", (json_int_t)customer_id, "tier", name,
                     "discount_percent", discount, "visits", (json_int_t)visits,
                     "tenure_days", (json_int_t)tenure_days, "spend", spend,
                     "returning", returning, "summary", summary, "next_tier",
                     next ? next : json_null());
    json_decref(customer);
    json_decref(stats);
    json_decref(tiers);
    return RP_OK;
}
