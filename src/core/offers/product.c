/*
 * product.c - the catalogue that recommendations are made from.
 *
 * A product has a category, free attributes (colour, seedless, style,
 * brand, ...) that preferences are compared with, a stock level, tags that
 * link it to what customers want to become ("juice"), and related products
 * (the long sweet watermelon next to the round one).  Products belong to
 * no customer, so changes to them write no moment of truth.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rapport.h"

const rp_field rp_product_fields[] = {
    {"name", RP_FIELD_TEXT, RP_IN_CREATE, .max_chars = 200},
    {"category", RP_FIELD_TEXT, RP_IN_CREATE, .max_chars = 60,
     .meaning = "compared in any case"},
    {"attributes", RP_FIELD_OBJECT, RP_IN_OPTIONAL,
     .meaning = "up to 30 named values, each a string, a number or a "
                "boolean, e.g. {\"colour\": \"red\"}"},
    {"stock", RP_FIELD_INT, RP_IN_OPTIONAL, .min = 0, .max = 1000000000},
    {"tags", RP_FIELD_TEXT_LIST, RP_IN_OPTIONAL, .max_items = 20,
     .max_chars = 40, .meaning = "matched against goals' tags, any case"},
    {"related", RP_FIELD_INT_LIST, RP_IN_OPTIONAL, .max_items = 50, .min = 1,
     .max = INT64_MAX, .meaning = "ids of products that go with it"},
    {"price", RP_FIELD_NUMBER, RP_IN_OPTIONAL, .meaning = "a number >= 0"},
    {.name = NULL},
};

static rp_code read_fields(json_t *in, int creating, json_t *row, rp_error *err)
{
    const char *name, *category;
    int64_t stock = 0;
    int stock_present = 0;
    json_t *tags, *attrs = json_object_get(in, "attributes"),
                  *related = json_object_get(in, "related"),
                  *price = json_object_get(in, "price");
    if (rp_in_fields(in, rp_product_fields, creating, err) ||
        rp_in_string(in, "name", RP_IN_ALWAYS(creating), 200, &name, err) ||
        rp_in_string(in, "category", RP_IN_ALWAYS(creating), 60, &category,
                     err) ||
        rp_in_int(in, "stock", 0, 0, 1000000000, &stock, &stock_present, err) ||
        rp_in_string_list(in, "tags", 20, 40, &tags, err))
        return err->code;
    if (attrs && !json_is_object(attrs))
        return rp_error_set(err, RP_ETYPE, "attributes",
                            "attributes must be an object such as "
                            "{\"colour\":\"red\",\"seedless\":true}");
    const char *key;
    json_t *v;
    json_object_foreach(attrs, key, v)
        if (!json_is_string(v) && !json_is_boolean(v) && !json_is_number(v)) {
            rp_buf q = RP_BUF_INIT;
            rp_error_set(err, RP_ETYPE, "attributes",
                         "attributes.%s must be a string, a number or a "
                         "boolean",
                         rp_cut(&q, key, 40));
            rp_buf_free(&q);
            return err->code;
        }
    if (json_object_size(attrs) > 30)
        return rp_error_refuse(err, RP_EINVALID, "attributes", "too_many", 30,
                               "at most 30 attributes");
    if (related && !json_is_array(related))
        return rp_error_set(err, RP_ETYPE, "related",
                            "related must be an array of product ids");
    size_t i;
    json_array_foreach(related, i, v)
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return rp_error_set(
                err, RP_ETYPE, "related",
                "related[%zu] must be a product id (an integer >= 1)", i);
    if (json_array_size(related) > 50)
        return rp_error_refuse(err, RP_EINVALID, "related", "too_many", 50,
                               "at most 50 related products");
    if (price && !json_is_null(price) &&
        (!json_is_number(price) || json_number_value(price) < 0))
        return rp_error_set(
            err, price && json_is_number(price) ? RP_EINVALID : RP_ETYPE,
            "price", "price must be a number >= 0");
    if (name)
        json_object_set_new(row, "name", json_string(name));
    if (category) {
        char *lc = strdup(category);
        if (!lc)
            return rp_error_set(err, RP_EINTERNAL, "category", "out of memory");
        rp_ascii_lower(lc);
        json_object_set_new(row, "category", json_string(lc));
        free(lc);
    }
    if (attrs)
        json_object_set(row, "attributes", attrs);
    else if (creating)
        json_object_set_new(row, "attributes", json_object());
    if (stock_present || creating)
        json_object_set_new(row, "stock", json_integer(stock));
    if (tags) {
        json_t *lt = rp_strings_lower(tags);
        if (!lt)
            return rp_error_set(err, RP_EINTERNAL, "tags", "out of memory");
        json_object_set_new(row, "tags", lt);
    } else if (creating) {
        json_object_set_new(row, "tags", json_array());
    }
    if (related)
        json_object_set(row, "related", related);
    else if (creating)
        json_object_set_new(row, "related", json_array());
    if (price)
        json_object_set_new(row, "price",
                            json_is_null(price)
                                ? json_null()
                                : json_real(json_number_value(price)));
    return RP_OK;
}

/* Every related id must name a product (other than this one). */
static rp_code check_related(rp_ctx *ctx, int64_t self, json_t *related,
                             rp_error *err)
{
    if (!json_array_size(related))
        return RP_OK;
    rp_filter f = {"id", RP_FILTER_IN, related};
    int64_t n = 0;
    if (ctx->store->ops->count(ctx->store, &RP_ENTITY_PRODUCT, &f, 1, &n, err))
        return err->code;
    size_t i;
    json_t *v;
    json_array_foreach(related, i, v)
        if (json_integer_value(v) == self)
            return rp_error_refuse(err, RP_EINVALID, "related",
                                   "self_reference", 0,
                                   "a product cannot be related to itself");
    /* duplicates in the list count once in n */
    json_t *seen = json_object();
    json_array_foreach(related, i, v) {
        char k[32];
        snprintf(k, sizeof k, "%lld", (long long)json_integer_value(v));
        json_object_set_new(seen, k, json_true());
    }
    size_t distinct = json_object_size(seen);
    json_decref(seen);
    if ((size_t)n != distinct)
        return rp_error_refuse(err, RP_EINVALID, "related", "unknown_id", 0,
                               "related names a product that does not exist");
    return RP_OK;
}

rp_code rp_product_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err)
{
    json_t *p;
    if (ctx->store->ops->get(ctx->store, &RP_ENTITY_PRODUCT, id, &p, err)) {
        if (err->code == RP_ENOTFOUND)
            rp_error_set(err, RP_ENOTFOUND, "id", "no product with id %lld",
                         (long long)id);
        return err->code;
    }
    json_t *related = json_object_get(p, "related"), *rows = json_array();
    if (json_array_size(related)) {
        json_decref(rows);
        rp_filter f = {"id", RP_FILTER_IN, related};
        rp_page pg = {0, 0, 50};
        if (ctx->store->ops->list(ctx->store, &RP_ENTITY_PRODUCT, &f, 1, &pg,
                                  &rows, err)) {
            json_decref(p);
            return err->code;
        }
    }
    json_object_set_new(p, "related_products", rows);
    *out = p;
    return RP_OK;
}

rp_code rp_product_create(rp_ctx *ctx, json_t *in, json_t **out, rp_error *err)
{
    json_t *row = json_object();
    int64_t id = 0, now = rp_now();
    if (read_fields(in, 1, row, err) ||
        check_related(ctx, 0, json_object_get(row, "related"), err)) {
        json_decref(row);
        return err->code;
    }
    json_object_set_new(row, "created_at", json_integer(now));
    json_object_set_new(row, "updated_at", json_integer(now));
    rp_code rc = ctx->store->ops->insert(ctx->store, &RP_ENTITY_PRODUCT, row,
                                         &id, err);
    json_decref(row);
    return rc ? rc : rp_product_get(ctx, id, out, err);
}

rp_code rp_product_update(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                          rp_error *err)
{
    json_t *cur;
    if (rp_product_get(ctx, id, &cur, err))
        return err->code;
    json_decref(cur);
    json_t *row = json_object();
    if (read_fields(in, 0, row, err) ||
        check_related(ctx, id, json_object_get(row, "related"), err)) {
        json_decref(row);
        return err->code;
    }
    if (json_object_size(row) == 0) {
        json_decref(row);
        return rp_error_refuse(err, RP_EINVALID, NULL, "nothing_to_change", 0,
                               "nothing to change: give at least one field");
    }
    json_object_set_new(row, "updated_at", json_integer(rp_now()));
    rp_code rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_PRODUCT, id,
                                         row, err);
    json_decref(row);
    return rc ? rc : rp_product_get(ctx, id, out, err);
}

rp_code rp_product_list(rp_ctx *ctx, const char *category, const char *tag,
                        const rp_page_req *page, json_t **out, rp_error *err)
{
    rp_filter f[2];
    int nf = 0;
    json_t *cv = NULL, *tv = NULL;
    if (category && *category) {
        cv = json_string(category);
        f[nf++] = (rp_filter){"category", RP_FILTER_EQ, cv};
    }
    if (tag && *tag) {
        /* tags are a JSON array of lower-case words: match "word" quoted;
         * the whole tag, never cut inside a character */
        rp_buf quoted = RP_BUF_INIT;
        rp_buf_printf(&quoted, "\"%s\"", tag);
        if (quoted.p)
            rp_ascii_lower(quoted.p);
        tv = quoted.failed ? NULL : json_string(rp_buf_str(&quoted));
        rp_buf_free(&quoted);
        f[nf++] = (rp_filter){"tags", RP_FILTER_CONTAINS, tv};
    }
    if ((category && !cv && *category) || (tag && *tag && !tv)) {
        json_decref(cv);
        json_decref(tv);
        return rp_error_refuse(err, RP_EINVALID, category ? "category" : "tag",
                               "not_text", 0, "not valid UTF-8");
    }
    rp_page p = {page->after_id, 0, page->limit + 1};
    json_t *rows;
    rp_code rc = ctx->store->ops->list(ctx->store, &RP_ENTITY_PRODUCT, f, nf,
                                       &p, &rows, err);
    json_decref(cv);
    json_decref(tv);
    if (rc)
        return rc;
    *out = rp_page_result(rows, page->limit);
    return RP_OK;
}
