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

#include "core/rapport.h"

rp_code rp_loyalty_tiers(rp_ctx *ctx, json_t **out, rp_error *err)
{
    json_t *rows;
    if (ctx->store->ops->query(ctx->store, RP_Q_OFFERS_LOYALTY_TIERS, NULL,
                               &rows, err))
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

rp_code rp_loyalty_for_customer(rp_ctx *ctx, int64_t customer_id, json_t **out,
                                rp_error *err)
{
    json_t *customer, *stats = NULL, *tiers = NULL;
    if (rp_customer_get(ctx, customer_id, &customer, err))
        return err->code;
    json_t *p = json_pack("[I]", (json_int_t)customer_id);
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_OFFERS_LOYALTY_STATS,
                                        p, &stats, err);
    json_decref(p);
    if (rc == RP_OK)
        rc = ctx->store->ops->query(ctx->store, RP_Q_OFFERS_LOYALTY_TIERS, NULL,
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
    json_array_foreach(tiers, i, t) {
        if (reached(t, visits, tenure_days, spend)) {
            tier = t;
            break;
        }
        next = t;
    }
    const char *name = tier ? json_string_value(json_object_get(tier, "name"))
                            : "none";
    double discount = tier ? json_number_value(
                                 json_object_get(tier, "discount_percent"))
                           : 0;
    int returning = visits >= 1;
    char pct[32];
    rp_buf summary = RP_BUF_INIT;
    if (discount == floor(discount))
        snprintf(pct, sizeof pct, "%.0f%%", discount);
    else
        snprintf(pct, sizeof pct, "%.1f%%", discount);
    rp_buf_printf(&summary, "%s, %s tier, %s",
                  returning ? "returning customer" : "new customer", name,
                  discount > 0 ? pct : "no discount");
    if (discount > 0)
        rp_buf_puts(&summary, " discount");
    *out = json_pack("{s:I, s:s, s:f, s:I, s:I, s:f, s:b, s:s, s:O}",
                     "customer_id", (json_int_t)customer_id, "tier", name,
                     "discount_percent", discount, "visits", (json_int_t)visits,
                     "tenure_days", (json_int_t)tenure_days, "spend", spend,
                     "returning", returning, "summary", rp_buf_str(&summary),
                     "next_tier", next ? next : json_null());
    rp_buf_free(&summary);
    json_decref(customer);
    json_decref(stats);
    json_decref(tiers);
    return RP_OK;
}

static const rp_field tier_fields[] = {
    {"name", RP_FIELD_TEXT, RP_IN_REQUIRED, .max_chars = 40},
    {"rank", RP_FIELD_INT, RP_IN_REQUIRED, .min = 0, .max = 1000,
     .meaning = "higher is better; one tier of rank 0 (the floor)"},
    {"min_visits", RP_FIELD_INT, RP_IN_OPTIONAL, .min = 0, .max = 1000000},
    {"min_tenure_days", RP_FIELD_INT, RP_IN_OPTIONAL, .min = 0, .max = 36500},
    {"min_spend", RP_FIELD_NUMBER, RP_IN_OPTIONAL, .meaning = "a number >= 0"},
    {"discount_percent", RP_FIELD_NUMBER, RP_IN_REQUIRED, .min = 0, .max = 100},
    {.name = NULL},
};

const rp_field rp_loyalty_tier_fields[] = {
    {"items", RP_FIELD_ARRAY, RP_IN_REQUIRED, .max_items = 20,
     .fields = tier_fields, .meaning = "every tier, 1 to 20"},
    {.name = NULL},
};

/* Validate one tier of a replacement list into row. */
static rp_code read_tier(json_t *t, size_t i, json_t *row, int *floor,
                         rp_error *err)
{
    const char *name;
    int64_t rank = 0, visits = 0, tenure = 0;
    int has_visits = 0, has_tenure = 0;
    if (!json_is_object(t))
        return rp_error_set(err, RP_ETYPE, "items",
                            "items[%zu] must be an object", i);
    if (rp_in_fields(t, tier_fields, 1, err) ||
        rp_in_string(t, "name", 1, 40, &name, err) ||
        rp_in_int(t, "rank", 1, 0, 1000, &rank, NULL, err) ||
        rp_in_int(t, "min_visits", 0, 0, 1000000, &visits, &has_visits, err) ||
        rp_in_int(t, "min_tenure_days", 0, 0, 36500, &tenure, &has_tenure, err))
        return err->code;
    json_t *spend = json_object_get(t, "min_spend"),
           *disc = json_object_get(t, "discount_percent");
    if (spend && !json_is_null(spend) &&
        (!json_is_number(spend) || json_number_value(spend) < 0))
        return rp_error_refuse(err, RP_EINVALID, "min_spend", "out_of_range", 0,
                               "items[%zu].min_spend must be a number >= 0", i);
    if (!json_is_number(disc) || json_number_value(disc) < 0 ||
        json_number_value(disc) > 100)
        return rp_error_refuse(err, RP_EINVALID, "discount_percent",
                               "out_of_range", 0,
                               "items[%zu].discount_percent must be a number "
                               "from 0 to 100",
                               i);
    int has_spend = spend && !json_is_null(spend);
    if (!has_visits && !has_tenure && !has_spend)
        (*floor)++;
    json_object_set_new(row, "name", json_string(name));
    json_object_set_new(row, "rank", json_integer(rank));
    json_object_set_new(row, "min_visits",
                        has_visits ? json_integer(visits) : json_null());
    json_object_set_new(row, "min_tenure_days",
                        has_tenure ? json_integer(tenure) : json_null());
    json_object_set_new(row, "min_spend",
                        has_spend ? json_real(json_number_value(spend))
                                  : json_null());
    json_object_set_new(row, "discount_percent",
                        json_real(json_number_value(disc)));
    return RP_OK;
}

rp_code rp_loyalty_set_tiers(rp_ctx *ctx, json_t *in, json_t **out,
                             rp_error *err)
{
    if (rp_in_fields(in, rp_loyalty_tier_fields, 1, err))
        return err->code;
    json_t *items = json_object_get(in, "items");
    if (!json_is_array(items))
        return rp_error_set(err, items ? RP_ETYPE : RP_EINVALID, "items",
                            "items must be an array of tiers");
    if (json_array_size(items) < 1 || json_array_size(items) > 20)
        return rp_error_refuse(err, RP_EINVALID, "items", "out_of_range", 0,
                               "give from 1 to 20 tiers");
    json_t *rows = json_array();
    int floor = 0;
    size_t i;
    json_t *t;
    json_array_foreach(items, i, t) {
        json_t *row = json_object();
        json_array_append_new(rows, row);
        if (read_tier(t, i, row, &floor, err)) {
            json_decref(rows);
            return err->code;
        }
        for (size_t k = 0; k < i; k++) {
            json_t *o = json_array_get(rows, k);
            if (json_equal(json_object_get(o, "name"),
                           json_object_get(row, "name")) ||
                json_equal(json_object_get(o, "rank"),
                           json_object_get(row, "rank"))) {
                json_decref(rows);
                return rp_error_refuse(err, RP_EINVALID, "items", "repeated", 0,
                                       "items[%zu] repeats the name or rank of "
                                       "items[%zu]",
                                       i, k);
            }
        }
    }
    if (floor != 1) {
        json_decref(rows);
        return rp_error_refuse(
            err, RP_EINVALID, "items", "one_starting_tier", 0,
            "exactly one tier must have no minimum (the tier "
            "every customer starts in); %d have none",
            floor);
    }
    rp_store *s = ctx->store;
    rp_code rc = rp_store_begin(s, err);
    if (rc == RP_OK)
        rc = s->ops->exec(s, RP_Q_OFFERS_LOYALTY_TIERS_CLEAR, NULL, NULL, err);
    json_array_foreach(rows, i, t)
        if (rc == RP_OK)
            rc = s->ops->insert(s, &RP_ENTITY_LOYALTY_TIER, t, NULL, err);
    json_decref(rows);
    rc = rp_store_finish(s, rc, err);
    if (rc)
        return rc;
    return rp_loyalty_tiers(ctx, out, err);
}
