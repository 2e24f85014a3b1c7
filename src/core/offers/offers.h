/*
 * offers.h - what the desk can offer: the catalogue, loyalty (tenure,
 * visits, tier, discount) and respectful recommendations.
 *
 * Seeds 000 and 002: bridge to what the customer's goals need, never push a
 * substitute that contradicts a firm preference, and push nothing on someone
 * who came for a quick exchange unless they asked.
 */
#ifndef RP_OFFERS_H
#define RP_OFFERS_H

#include <jansson.h>
#include <stdint.h>
#include "core/context.h"

/* ---- catalogue (product.c) ----------------------------------------------- */

/*
 * Add a product: {"name","category","attributes":{...},"stock","tags":[...],
 * "related":[product ids],"price"?}.
 */
/* The fields of a product, made or changed. */
extern const rp_field rp_product_fields[];

rp_code rp_product_create(rp_ctx *ctx, json_t *in, json_t **out, rp_error *err);
/* Change the fields present in in. */
rp_code rp_product_update(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                          rp_error *err);
/* One product with its related products expanded ("related_products"). */
rp_code rp_product_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err);
/* A page of products, optionally of one category or carrying one tag. */
rp_code rp_product_list(rp_ctx *ctx, const char *category, const char *tag,
                        const rp_page_req *page, json_t **out, rp_error *err);

/* ---- loyalty (loyalty.c) ------------------------------------------------- */

/*
 * The customer's loyalty: {"tier","discount_percent","visits","tenure_days",
 * "spend","returning","summary":"returning customer, silver tier, 5%
 * discount","next_tier":{...}|null}.  Visits are closed encounters; spend
 * is the sum of their spend; tiers come from the loyalty_tiers table (a
 * tier is reached when any of its non-null minimums is met).
 */
rp_code rp_loyalty_for_customer(rp_ctx *ctx, int64_t customer_id, json_t **out,
                                rp_error *err);

/* The tiers, highest first, as {"items":[...]}. */
rp_code rp_loyalty_tiers(rp_ctx *ctx, json_t **out, rp_error *err);

/*
 * Replace every tier with in: {"items":[{"name","rank","min_visits"?,
 * "min_tenure_days"?,"min_spend"?,"discount_percent"}]} (1 to 20 tiers,
 * names and ranks distinct, discount 0..100; exactly one tier without any
 * minimum, the floor).  Fills *out like rp_loyalty_tiers.
 */
/* The body of a replacement of the tiers: {"items": [tier, ...]}. */
extern const rp_field rp_loyalty_tier_fields[];

rp_code rp_loyalty_set_tiers(rp_ctx *ctx, json_t *in, json_t **out,
                             rp_error *err);

/* ---- recommendations (recommend.c) --------------------------------------- */

/*
 * Products for the customer, each {"product","reasons":[...]}: those whose
 * tags serve an active goal or whose attributes match a preference, in
 * stock, never contradicting a firm preference.  Nothing unasked (asked 0)
 * for a transactional customer whose last three closed encounters were all
 * quick exchanges.  *out is {"items","withheld","reason","notes":[...]}.
 * It only reads: what was shown to the customer is recorded by
 * rp_offer_record_shown.
 */
rp_code rp_recommend(rp_ctx *ctx, int64_t customer_id, int asked, json_t **out,
                     rp_error *err);

/*
 * Record that the products of in {"product_ids": [1 to 50 ids]} were shown
 * to the customer: an offer for each that is not shown and undecided
 * already, with the first reason the recommendations give for it, and one
 * moment of truth ("offer.shown").  A product that does not exist is
 * RP_EINVALID naming product_ids, and nothing is recorded.  *out is
 * {"recorded": [ids], "already_shown": [ids]}.
 */
/* The fields of a record of offers shown, and of a decision on one (its
 * body may be left out). */
extern const rp_field rp_offer_shown_fields[];
extern const rp_field rp_offer_decide_fields[];

rp_code rp_offer_record_shown(rp_ctx *ctx, int64_t customer_id, json_t *in,
                              json_t **out, rp_error *err);

/* Record that the customer accepted (accept 1) or declined an offer of
 * product_id; a moment of truth records it.  in may carry {"reason"}. */
rp_code rp_offer_decide(rp_ctx *ctx, int64_t customer_id, int64_t product_id,
                        int accept, json_t *in, json_t **out, rp_error *err);

#endif
