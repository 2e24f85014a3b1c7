/*
 * overview.c - the customer at a glance (the "360 view"): who they are,
 * their relationship and its reasons, open encounters, promises and
 * follow-ups, latest moments, satisfaction and their three words, and how
 * their encounters divide by kind and exchange.
 *
 * A fixed number of named, indexed queries, so the view costs the same for a
 * customer with two encounters and one with two thousand.
 */
#include <stdlib.h>
#include <string.h>

#include "core/rapport.h"

static rp_code q(rp_ctx *ctx, rp_query name, json_t *params, json_t **rows,
                 rp_error *err)
{
    return ctx->store->ops->query(ctx->store, name, params, rows, err);
}

/* {"what": n, "how": n, ...} from rows of (key, n), summing over the rest. */
static json_t *count_by(json_t *rows, const char *key)
{
    json_t *o = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        const char *k = json_string_value(json_object_get(r, key));
        if (!k)
            k = "unset";
        json_int_t n = json_integer_value(json_object_get(r, "n"));
        json_int_t had = json_integer_value(json_object_get(o, k));
        json_object_set_new(o, k, json_integer(had + n));
    }
    return o;
}

static int newest_first(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t **)a, "id"));
    json_int_t y = json_integer_value(json_object_get(*(json_t **)b, "id"));
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The latest moments of the customers merged into id with id's own,
 * newest first, as many as the query gives for one: a query per alias
 * (merges are few), each served by moments_by_customer. */
static rp_code add_alias_moments(rp_ctx *ctx, int64_t id, json_t **latest,
                                 rp_error *err)
{
    json_t *ids;
    if (rp_customer_ids(ctx, id, &ids, err))
        return err->code;
    size_t want = json_array_size(*latest), n = json_array_size(ids);
    if (n < 2) {
        json_decref(ids);
        return RP_OK;
    }
    if (want < 10)
        want = 10;
    rp_code rc = RP_OK;
    for (size_t i = 1; i < n && rc == RP_OK; i++) {
        json_t *p = json_pack("[O]", json_array_get(ids, i)), *rows = NULL;
        rc = q(ctx, RP_Q_CUSTOMER_LATEST_MOMENTS, p, &rows, err);
        json_decref(p);
        if (rc == RP_OK)
            json_array_extend(*latest, rows);
        json_decref(rows);
    }
    json_decref(ids);
    if (rc)
        return rc;
    size_t total = json_array_size(*latest);
    json_t **items = malloc(total * sizeof *items);
    if (!items)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < total; i++)
        items[i] = json_incref(json_array_get(*latest, i));
    qsort(items, total, sizeof *items, newest_first);
    json_t *sorted = json_array();
    for (size_t i = 0; i < total; i++) {
        if (i < want)
            json_array_append(sorted, items[i]);
        json_decref(items[i]);
    }
    free(items);
    json_decref(*latest);
    *latest = sorted;
    return RP_OK;
}

static rp_code overview_read(rp_ctx *ctx, int64_t id, json_t **out,
                             rp_error *err)
{
    static const rp_query names[] = {
        RP_Q_CUSTOMER_OPEN_ENCOUNTERS,      RP_Q_CUSTOMER_OPEN_PROMISES,
        RP_Q_CUSTOMER_OPEN_FOLLOW_UPS,      RP_Q_CUSTOMER_LATEST_MOMENTS,
        RP_Q_CUSTOMER_SATISFACTION_SUMMARY, RP_Q_CUSTOMER_SATISFACTION_WORDS,
        RP_Q_CUSTOMER_ENCOUNTER_COUNTS,     RP_Q_CUSTOMER_PREFERENCES};
    enum { N = sizeof names / sizeof names[0] };
    json_t *customer, *rows[N] = {0};
    if (rp_customer_get(ctx, id, &customer, err))
        return err->code;
    id = json_integer_value(json_object_get(customer, "id"));
    json_t *p1 = json_pack("[I]", (json_int_t)id);
    json_t *p2 = json_pack("[I,I]", (json_int_t)id, (json_int_t)rp_now());
    rp_code rc = RP_OK;
    for (int i = 0; i < N && rc == RP_OK; i++)
        rc = q(ctx, names[i],
               names[i] != RP_Q_CUSTOMER_OPEN_FOLLOW_UPS ? p1 : p2, &rows[i],
               err);
    json_decref(p1);
    json_decref(p2);
    if (rc) {
        for (int i = 0; i < N; i++)
            json_decref(rows[i]);
        json_decref(customer);
        return rc;
    }
    if ((rc = add_alias_moments(ctx, id, &rows[3], err))) {
        for (int i = 0; i < N; i++)
            json_decref(rows[i]);
        json_decref(customer);
        return rc;
    }
    json_t *sat = json_array_get(rows[4], 0);
    json_t *avg = json_object_get(sat, "average");
    *out = json_pack("{s:O, s:o, s:O, s:O, s:O, s:O, s:O,"
                     " s:{s:O, s:O, s:O}, s:o, s:o}",
                     "customer", customer, "relationship",
                     rp_relationship_summary(customer), "preferences", rows[7],
                     "open_encounters", rows[0], "open_promises", rows[1],
                     "follow_ups", rows[2], "latest_moments", rows[3],
                     "satisfaction", "count", json_object_get(sat, "count"),
                     "average", avg ? avg : json_null(), "words", rows[5],
                     "encounters_by_kind", count_by(rows[6], "kind"),
                     "encounters_by_exchange", count_by(rows[6], "exchange"));
    for (int i = 0; i < N; i++)
        json_decref(rows[i]);
    json_decref(customer);
    return *out ? RP_OK
                : rp_error_set(err, RP_EINTERNAL, NULL,
                               "cannot build the overview");
}

/* The view's queries read one snapshot: what it shows is the customer as
 * they were at one moment, never half of a change. */
rp_code rp_customer_overview(rp_ctx *ctx, int64_t id, json_t **out,
                             rp_error *err)
{
    if (rp_store_read_begin(ctx->store, err))
        return err->code;
    rp_code rc = overview_read(ctx, id, out, err);
    rp_store_read_end(ctx->store);
    return rc;
}
