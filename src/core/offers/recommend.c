/*
 * recommend.c - respectful recommendations.
 *
 * Seed 000 (the juice maker): bridge to what the customer wants to become,
 * so a goal tagged "juice" brings starfruit, apple and honey melon.  Seed
 * 002 (Max and the suit): never offer what contradicts a firm preference -
 * if the navy single-breasted suit is out of stock, say so and offer no
 * other colour or style; and do not push anything on a customer whose
 * recent exchanges are all quick and whose relationship is transactional
 * (the headache and the aspirin) unless they asked.
 *
 * A preference key may be scoped to a category with a prefix
 * ("watermelon.colour"): it then only judges products of that category, so
 * a firm wish about watermelons says nothing about apples.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/rapport.h"

/* An attribute value as comparable text in out: booleans and yes/no
 * agree. */
static void norm(json_t *v, const char *text, rp_buf *out)
{
    rp_buf_clear(out);
    if (v && json_is_boolean(v))
        rp_buf_puts(out, json_is_true(v) ? "true" : "false");
    else if (v && json_is_integer(v))
        rp_buf_printf(out, "%lld", (long long)json_integer_value(v));
    else if (v && json_is_real(v))
        rp_buf_printf(out, "%g", json_real_value(v));
    else
        rp_buf_puts(out, v ? json_string_value(v) : text);
    if (out->p)
        rp_ascii_lower(out->p);
    const char *t = rp_buf_str(out);
    const char *same = !strcmp(t, "yes")  ? "true"
                       : !strcmp(t, "no") ? "false"
                                          : NULL;
    if (same) {
        rp_buf_clear(out);
        rp_buf_puts(out, same);
    }
}

/* Append the reason built in b to reasons, and empty b. */
static void add_reason(json_t *reasons, rp_buf *b)
{
    json_array_append_new(reasons, json_string(rp_buf_str(b)));
    rp_buf_clear(b);
}

/* The attribute a preference speaks about for this product, or NULL when it
 * does not apply (scoped to another category, or no such attribute). */
static json_t *attribute_for(json_t *pref, json_t *product)
{
    const char *key = json_string_value(json_object_get(pref, "key"));
    const char *dot = strchr(key, '.');
    const char *cat = json_string_value(json_object_get(product, "category"));
    if (dot) {
        if (!cat || strlen(cat) != (size_t)(dot - key) ||
            strncasecmp(cat, key, (size_t)(dot - key)) != 0)
            return NULL;
        key = dot + 1;
    }
    json_t *attrs = json_object_get(product, "attributes");
    const char *k;
    json_t *v;
    json_object_foreach(attrs, k, v)
        if (strcasecmp(k, key) == 0)
            return v;
    return NULL;
}

typedef struct judged {
    int contradicts; /* breaks a firm preference */
    int matches;     /* preferences it agrees with */
    int goals;       /* active goals it serves */
    json_t *reasons;
} judged;

static judged judge(json_t *product, json_t *prefs, json_t *goals)
{
    judged j = {0, 0, 0, json_array()};
    rp_buf a = RP_BUF_INIT, want = RP_BUF_INIT, reason = RP_BUF_INIT;
    size_t i;
    json_t *p;
    json_array_foreach(prefs, i, p) {
        json_t *attr = attribute_for(p, product);
        if (!attr)
            continue;
        norm(attr, NULL, &a);
        norm(NULL, json_string_value(json_object_get(p, "value")), &want);
        int firm = !strcmp(json_string_value(json_object_get(p, "firmness")),
                           "firm");
        if (strcmp(rp_buf_str(&a), rp_buf_str(&want)) == 0) {
            j.matches++;
            rp_buf_printf(&reason, "matches your %s preference: %s %s",
                          firm ? "firm" : "flexible",
                          json_string_value(json_object_get(p, "key")),
                          json_string_value(json_object_get(p, "value")));
            add_reason(j.reasons, &reason);
        } else if (firm) {
            j.contradicts = 1;
        } else {
            rp_buf_printf(&reason,
                          "%s is %s rather than %s (you said that is flexible)",
                          json_string_value(json_object_get(p, "key")),
                          rp_buf_str(&a), rp_buf_str(&want));
            add_reason(j.reasons, &reason);
        }
    }
    json_t *tags = json_object_get(product, "tags");
    json_array_foreach(goals, i, p) {
        size_t k, m;
        json_t *gt, *pt;
        json_array_foreach(json_object_get(p, "tags"), k, gt)
            json_array_foreach(tags, m, pt)
                if (json_equal(gt, pt)) {
                    rp_buf_printf(
                        &reason, "serves your goal \"%s\" (%s)",
                        json_string_value(json_object_get(p, "title")),
                        json_string_value(gt));
                    add_reason(j.reasons, &reason);
                    j.goals++;
                    goto next_goal;
                }
    next_goal:;
    }
    rp_buf_free(&a);
    rp_buf_free(&want);
    rp_buf_free(&reason);
    return j;
}

static int by_score(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t sx = json_integer_value(json_object_get(x, "score"));
    json_int_t sy = json_integer_value(json_object_get(y, "score"));
    if (sx != sy)
        return sx > sy ? -1 : 1;
    json_int_t ix = json_integer_value(
        json_object_get(json_object_get(x, "product"), "id"));
    json_int_t iy = json_integer_value(
        json_object_get(json_object_get(y, "product"), "id"));
    return ix < iy ? -1 : ix > iy;
}

/* Withheld: a transactional customer whose last closed exchanges (up to
 * three) were all quick gets nothing unasked. */
static rp_code only_quick(rp_ctx *ctx, json_t *customer, int *quick,
                          rp_error *err)
{
    *quick = 0;
    const char *level = json_string_value(
        json_object_get(customer, "relationship_level"));
    if (!level || strcmp(level, "transactional") != 0)
        return RP_OK;
    json_t *rows, *p = json_pack("[O]", json_object_get(customer, "id"));
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_OFFERS_RECENT_EXCHANGES, p, &rows, err);
    json_decref(p);
    if (rc)
        return rc;
    size_t i;
    json_t *r;
    *quick = json_array_size(rows) > 0;
    json_array_foreach(rows, i, r) {
        const char *x = json_string_value(json_object_get(r, "exchange"));
        if (!x || strcmp(x, "quick") != 0)
            *quick = 0;
    }
    json_decref(rows);
    return RP_OK;
}

/* Record the products of items ({"product","reasons"}) not shown before
 * and still undecided, with one moment; *fresh gets their ids. */
static rp_code record_shown(rp_ctx *ctx, int64_t customer_id, json_t *items,
                            json_t **fresh_ids, rp_error *err)
{
    rp_store *s = ctx->store;
    json_t *open, *p = json_pack("[I]", (json_int_t)customer_id);
    rp_code rc = s->ops->query(s, RP_Q_OFFERS_SHOWN, p, &open, err);
    json_decref(p);
    if (rc)
        return rc;
    json_t *fresh = json_array();
    size_t i, k;
    json_t *it, *o;
    json_array_foreach(items, i, it) {
        json_t *pid = json_object_get(json_object_get(it, "product"), "id");
        int seen = 0;
        json_array_foreach(open, k, o)
            seen |= json_equal(json_object_get(o, "product_id"), pid);
        if (!seen)
            json_array_append(fresh, it);
    }
    json_decref(open);
    *fresh_ids = json_array();
    if (!json_array_size(fresh)) {
        json_decref(fresh);
        return RP_OK;
    }
    if (rp_store_begin(s, err)) {
        json_decref(fresh);
        json_decref(*fresh_ids);
        return err->code;
    }
    rp_buf summary = RP_BUF_INIT;
    rp_buf_puts(&summary, "Offered:");
    json_t *ids = *fresh_ids, *names = json_array();
    int64_t now = rp_now();
    json_array_foreach(fresh, i, it) {
        json_t *prod = json_object_get(it, "product");
        json_t *row = json_pack(
            "{s:I, s:O, s:s, s:O?, s:I}", "customer_id",
            (json_int_t)customer_id, "product_id", json_object_get(prod, "id"),
            "status", "shown", "reason",
            json_array_get(json_object_get(it, "reasons"), 0), "created_at",
            (json_int_t)now);
        if (rc == RP_OK)
            rc = s->ops->insert(s, &RP_ENTITY_OFFER, row, NULL, err);
        json_decref(row);
        rp_buf_printf(&summary, "%s ", i ? "," : "");
        rp_buf_put_cut(&summary,
                       json_string_value(json_object_get(prod, "name")), 200);
        json_array_append(ids, json_object_get(prod, "id"));
        if (json_is_string(json_object_get(prod, "name")))
            json_array_append(names, json_object_get(prod, "name"));
    }
    if (rc == RP_OK) {
        json_t *detail = json_pack("{s:O}", "product_ids", ids);
        json_object_set(detail, "products", names);
        rp_moment m = {.customer_id = customer_id,
                       .kind = "offer.shown",
                       .summary = rp_buf_str(&summary),
                       .detail = detail};
        rc = rp_moment_record(ctx, &m, err);
        json_decref(detail);
    }
    rp_buf_free(&summary);
    json_decref(names);
    json_decref(fresh);
    rc = rp_store_finish(s, rc, err);
    if (rc) {
        json_decref(*fresh_ids);
        *fresh_ids = NULL;
    }
    return rc;
}

/* The firm preferences as "colour navy, style single-breasted", into out. */
static void firm_text(json_t *prefs, rp_buf *out)
{
    size_t i;
    json_t *p;
    json_array_foreach(prefs, i, p) {
        if (strcmp(json_string_value(json_object_get(p, "firmness")), "firm"))
            continue;
        rp_buf_printf(out, "%s%s %s", out->len ? ", " : "",
                      json_string_value(json_object_get(p, "key")),
                      json_string_value(json_object_get(p, "value")));
    }
}

rp_code rp_recommend(rp_ctx *ctx, int64_t customer_id, int asked, json_t **out,
                     rp_error *err)
{
    json_t *customer, *prefs = NULL, *goals = NULL, *products = NULL;
    if (rp_customer_get(ctx, customer_id, &customer, err))
        return err->code;
    int quick = 0;
    if (!asked && only_quick(ctx, customer, &quick, err)) {
        json_decref(customer);
        return err->code;
    }
    int offers_ok = 1;
    if (!asked && !quick) {
        /* in person, suggestions need no opt-in; but a customer who
         * withdrew consent for offers gets none unasked */
        json_t *cons = NULL;
        if (rp_profile_list(ctx, "consents", customer_id, &cons, err)) {
            json_decref(customer);
            return err->code;
        }
        size_t k;
        json_t *c;
        json_array_foreach(json_object_get(cons, "items"), k, c)
            if (!strcmp(json_string_value(json_object_get(c, "purpose")),
                        "offers") &&
                !json_is_true(json_object_get(c, "granted")))
                offers_ok = 0;
        json_decref(cons);
    }
    if (quick || !offers_ok) {
        json_decref(customer);
        if (!offers_ok) {
            *out = json_pack("{s:[], s:b, s:s, s:[]}", "items", "withheld", 1,
                             "reason",
                             "nothing is offered unasked: the customer "
                             "withdrew consent for offers",
                             "notes");
            return RP_OK;
        }
        *out = json_pack(
            "{s:[], s:b, s:s, s:[]}", "items", "withheld", 1, "reason",
            "nothing is offered unasked: the customer's recent exchanges were "
            "all quick and the relationship is transactional; if the "
            "customer asks for suggestions, show them then",
            "notes");
        return RP_OK;
    }
    json_decref(customer);
    rp_code rc = rp_profile_list(ctx, "preferences", customer_id, &prefs, err);
    if (rc == RP_OK)
        rc = rp_profile_list(ctx, "goals", customer_id, &goals, err);
    if (rc == RP_OK)
        rc = ctx->store->ops->query(ctx->store, RP_Q_OFFERS_PRODUCTS, NULL,
                                    &products, err);
    if (rc) {
        json_decref(prefs);
        json_decref(goals);
        return rc;
    }
    json_t *pl = json_object_get(prefs, "items");
    json_t *active = json_array();
    size_t i;
    json_t *g, *prod;
    json_array_foreach(json_object_get(goals, "items"), i, g)
        if (!strcmp(json_string_value(json_object_get(g, "status")), "active"))
            json_array_append(active, g);
    json_t *items = json_array(), *notes = json_array();
    json_t *chosen = json_object(); /* id -> 1, to add related ones once */
    int out_of_stock = 0, contradicted = 0;
    json_array_foreach(products, i, prod) {
        judged j = judge(prod, pl, active);
        if (j.contradicts) {
            contradicted++;
        } else if (j.goals || j.matches) {
            if (json_integer_value(json_object_get(prod, "stock")) <= 0) {
                rp_buf note = RP_BUF_INIT;
                rp_buf_printf(&note, "%s would suit, but it is out of stock",
                              json_string_value(json_object_get(prod, "name")));
                add_reason(notes, &note);
                rp_buf_free(&note);
                out_of_stock++;
            } else {
                char key[32];
                snprintf(
                    key, sizeof key, "%lld",
                    (long long)json_integer_value(json_object_get(prod, "id")));
                json_object_set_new(chosen, key, json_true());
                json_array_append_new(
                    items, json_pack("{s:O, s:O, s:I}", "product", prod,
                                     "reasons", j.reasons, "score",
                                     (json_int_t)(j.goals * 10 + j.matches)));
            }
        }
        json_decref(j.reasons);
    }
    /* related products of what we recommend, under the same firm rules */
    size_t nchosen = json_array_size(items);
    for (size_t c = 0; c < nchosen; c++) {
        json_t *base = json_object_get(json_array_get(items, c), "product");
        size_t k;
        json_t *rid;
        json_array_foreach(json_object_get(base, "related"), k, rid) {
            char key[32];
            snprintf(key, sizeof key, "%lld",
                     (long long)json_integer_value(rid));
            if (json_object_get(chosen, key))
                continue;
            json_array_foreach(products, i, prod) {
                if (!json_equal(json_object_get(prod, "id"), rid))
                    continue;
                judged j = judge(prod, pl, active);
                if (!j.contradicts &&
                    json_integer_value(json_object_get(prod, "stock")) > 0) {
                    rp_buf reason = RP_BUF_INIT;
                    rp_buf_printf(
                        &reason, "goes with %s",
                        json_string_value(json_object_get(base, "name")));
                    add_reason(j.reasons, &reason);
                    rp_buf_free(&reason);
                    json_object_set_new(chosen, key, json_true());
                    json_array_append_new(
                        items,
                        json_pack("{s:O, s:O, s:I}", "product", prod, "reasons",
                                  j.reasons, "score", (json_int_t)0));
                }
                json_decref(j.reasons);
            }
        }
    }
    json_decref(chosen);
    /* sort by score, highest first (a small array: qsort a copy) */
    size_t n = json_array_size(items);
    json_t **v = n ? malloc(n * sizeof *v) : NULL;
    for (size_t k = 0; k < n; k++)
        v[k] = json_incref(json_array_get(items, k));
    if (n)
        qsort(v, n, sizeof *v, by_score);
    json_array_clear(items);
    for (size_t k = 0; k < n; k++)
        json_array_append_new(items, v[k]);
    free(v);
    rp_buf firm = RP_BUF_INIT;
    firm_text(pl, &firm);
    if (n == 0 && firm.len && (out_of_stock || contradicted)) {
        rp_buf note = RP_BUF_INIT;
        rp_buf_printf(&note,
                      "nothing in stock matches the firm preferences (%s); "
                      "nothing that contradicts them is offered instead",
                      rp_buf_str(&firm));
        add_reason(notes, &note);
        rp_buf_free(&note);
    } else if (n == 0 && !json_array_size(notes)) {
        json_array_append_new(notes,
                              json_string("no product serves the customer's "
                                          "active goals or preferences"));
    }
    rp_buf_free(&firm);
    json_decref(prefs);
    json_decref(goals);
    json_decref(active);
    json_decref(products);
    *out = json_pack("{s:o, s:b, s:n, s:o}", "items", items, "withheld", 0,
                     "reason", "notes", notes);
    return RP_OK;
}

/* The recommendation of product id in rec's items, or NULL. */
static json_t *recommended(json_t *rec, json_t *id)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(rec, "items"), i, it)
        if (json_equal(json_object_get(json_object_get(it, "product"), "id"),
                       id))
            return it;
    return NULL;
}

const rp_field rp_offer_shown_fields[] = {
    {"product_ids", RP_FIELD_INT_LIST, RP_IN_REQUIRED, .max_items = 50,
     .min = 1, .max = INT64_MAX, .meaning = "the products shown, 1 to 50"},
    {.name = NULL},
};

const rp_field rp_offer_decide_fields[] = {
    {"reason", RP_FIELD_TEXT, RP_IN_OPTIONAL, .max_chars = 500,
     .meaning = "what the customer said"},
    {"encounter_id", RP_FIELD_INT, RP_IN_OPTIONAL, .min = 1, .max = INT64_MAX,
     .meaning = "the encounter it was decided in"},
    {.name = NULL},
};

rp_code rp_offer_record_shown(rp_ctx *ctx, int64_t customer_id, json_t *in,
                              json_t **out, rp_error *err)
{
    if (rp_in_fields(in, rp_offer_shown_fields, 1, err))
        return err->code;
    json_t *ids = json_object_get(in, "product_ids");
    if (!json_is_array(ids) || json_array_size(ids) == 0 ||
        json_array_size(ids) > 50)
        return rp_error_set(err,
                            ids && !json_is_array(ids) ? RP_ETYPE : RP_EINVALID,
                            "product_ids",
                            "product_ids must be a list of 1 to 50 product "
                            "ids");
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
        if (!json_is_integer(id) || json_integer_value(id) < 1)
            return rp_error_set(err, RP_ETYPE, "product_ids",
                                "product_ids must hold product ids (whole "
                                "numbers from 1)");
    /* the reasons are the recommendations' own, as the customer heard them
     * (asked: what was shown was shown, withheld or not) */
    json_t *rec = NULL, *items = json_array(), *fresh = NULL;
    rp_code rc = rp_recommend(ctx, customer_id, 1, &rec, err);
    json_array_foreach(ids, i, id) {
        json_t *product = NULL;
        if (rc)
            break;
        rc = rp_product_get(ctx, json_integer_value(id), &product, err);
        if (rc == RP_ENOTFOUND) {
            rc = rp_error_refuse(err, RP_EINVALID, "product_ids", "unknown_id",
                                 0, "product_ids: there is no product %lld",
                                 (long long)json_integer_value(id));
            break;
        }
        if (rc)
            break;
        json_t *r = recommended(rec, id);
        json_array_append_new(
            items, json_pack("{s:o, s:O}", "product", product, "reasons",
                             r ? json_object_get(r, "reasons") : json_null()));
    }
    json_decref(rec);
    if (rc == RP_OK)
        rc = record_shown(ctx, customer_id, items, &fresh, err);
    json_decref(items);
    if (rc)
        return rc;
    json_t *already = json_array();
    json_array_foreach(ids, i, id) {
        size_t k;
        json_t *f;
        int is_fresh = 0;
        json_array_foreach(fresh, k, f)
            is_fresh |= json_equal(f, id);
        if (!is_fresh)
            json_array_append(already, id);
    }
    *out = json_pack("{s:o, s:o}", "recorded", fresh, "already_shown", already);
    return RP_OK;
}

rp_code rp_offer_decide(rp_ctx *ctx, int64_t customer_id, int64_t product_id,
                        int accept, json_t *in, json_t **out, rp_error *err)
{
    const char *reason = NULL;
    int64_t eid = 0;
    int has_eid = 0;
    json_t *customer, *product;
    if (in &&
        (rp_in_fields(in, rp_offer_decide_fields, 1, err) ||
         rp_in_string(in, "reason", 0, 500, &reason, err) ||
         rp_in_int(in, "encounter_id", 0, 1, INT64_MAX, &eid, &has_eid, err)))
        return err->code;
    if (rp_customer_get(ctx, customer_id, &customer, err))
        return err->code;
    json_decref(customer);
    if (rp_product_get(ctx, product_id, &product, err))
        return err->code;
    rp_store *s = ctx->store;
    const char *status = accept ? "accepted" : "declined";
    json_t *cid = json_integer(customer_id), *pid = json_integer(product_id),
           *shown = json_string("shown"), *rows = NULL;
    rp_filter f[3] = {{"customer_id", RP_FILTER_EQ, cid},
                      {"product_id", RP_FILTER_EQ, pid},
                      {"status", RP_FILTER_EQ, shown}};
    rp_page pg = {0, 1, 1};
    int64_t id = 0, now = rp_now();
    rp_code rc = rp_store_begin(s, err);
    if (rc == RP_OK)
        rc = s->ops->list(s, &RP_ENTITY_OFFER, f, 3, &pg, &rows, err);
    json_t *change = json_pack("{s:s, s:I}", "status", status, "decided_at",
                               (json_int_t)now);
    if (reason)
        json_object_set_new(change, "reason", json_string(reason));
    if (has_eid)
        json_object_set_new(change, "encounter_id", json_integer(eid));
    if (rc == RP_OK && json_array_size(rows)) {
        id = json_integer_value(json_object_get(json_array_get(rows, 0), "id"));
        rc = s->ops->update(s, &RP_ENTITY_OFFER, id, change, err);
    } else if (rc == RP_OK) {
        json_object_set_new(change, "customer_id", json_integer(customer_id));
        json_object_set_new(change, "product_id", json_integer(product_id));
        json_object_set_new(change, "created_at", json_integer(now));
        rc = s->ops->insert(s, &RP_ENTITY_OFFER, change, &id, err);
    }
    json_decref(change);
    json_decref(rows);
    json_decref(cid);
    json_decref(pid);
    json_decref(shown);
    if (rc == RP_OK) {
        rp_buf summary = RP_BUF_INIT;
        rp_buf_printf(&summary, "Offer %s: ", status);
        rp_buf_put_cut(
            &summary, json_string_value(json_object_get(product, "name")), 200);
        if (reason) {
            rp_buf_puts(&summary, " - ");
            rp_buf_put_cut(&summary, reason, 200);
        }
        json_t *detail = json_pack(
            "{s:I, s:I, s:O?, s:s?}", "offer_id", (json_int_t)id, "product_id",
            (json_int_t)product_id, "product", json_object_get(product, "name"),
            "reason", reason);
        rp_moment m = {.customer_id = customer_id,
                       .encounter_id = eid,
                       .kind = accept ? "offer.accepted" : "offer.declined",
                       .summary = rp_buf_str(&summary),
                       .impression = accept ? "positive" : NULL,
                       .detail = detail};
        rc = rp_moment_record(ctx, &m, err);
        json_decref(detail);
        rp_buf_free(&summary);
    }
    json_decref(product);
    rc = rp_store_finish(s, rc, err);
    if (rc)
        return rc;
    return s->ops->get(s, &RP_ENTITY_OFFER, id, out, err);
}
