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

#include "base/json.h"
#include "core/rapport.h"

static rp_code q(rp_ctx *ctx, rp_query name, json_t *params, json_t **rows,
                 rp_error *err)
{
    return ctx->store->ops->query(ctx->store, name, params, rows, err);
}

/* Append {"what": n, "how": n, ...} from rows of (key, n), summing over
 * the rest: the keys in the order they first come (null as "unset"), as a
 * jansson object filled row by row would write them. */
static void put_count_by(rp_buf *out, json_t *rows, const char *key)
{
    size_t nrows = json_array_size(rows), nkeys = 0;
    const char **keys = malloc((nrows ? nrows : 1) * sizeof *keys);
    json_int_t *sums = malloc((nrows ? nrows : 1) * sizeof *sums);
    if (!keys || !sums) {
        free(keys);
        free(sums);
        out->failed = 1;
        return;
    }
    for (size_t i = 0; i < nrows; i++) {
        json_t *r = json_array_get(rows, i);
        const char *k = json_string_value(json_object_get(r, key));
        if (!k)
            k = "unset";
        size_t j = 0;
        while (j < nkeys && strcmp(keys[j], k))
            j++;
        if (j == nkeys) {
            keys[nkeys] = k;
            sums[nkeys++] = 0;
        }
        sums[j] += json_integer_value(json_object_get(r, "n"));
    }
    rp_buf_add(out, "{", 1);
    for (size_t j = 0; j < nkeys; j++) {
        if (j)
            rp_buf_add(out, ",", 1);
        rp_json_write_string(out, keys[j], strlen(keys[j]));
        rp_buf_add(out, ":", 1);
        rp_json_write_int(out, sums[j]);
    }
    rp_buf_add(out, "}", 1);
    free(keys);
    free(sums);
}

static int newest_first(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t **)a, "id"));
    json_int_t y = json_integer_value(json_object_get(*(json_t **)b, "id"));
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The latest moments of the customer id and of the customers merged into
 * it (ids, id first), newest first, as many as the query gives for one
 * (at least 10): a query per customer (merges are few), each served by
 * moments_by_customer. */
static rp_code merged_moments(rp_ctx *ctx, json_t *ids, json_t **out,
                              rp_error *err)
{
    json_t *latest = json_array();
    size_t want = 10, n = json_array_size(ids);
    rp_code rc = RP_OK;
    for (size_t i = 0; i < n && rc == RP_OK; i++) {
        json_t *p = json_pack("[O]", json_array_get(ids, i)), *rows = NULL;
        rc = q(ctx, RP_Q_CUSTOMER_LATEST_MOMENTS, p, &rows, err);
        json_decref(p);
        if (rc == RP_OK) {
            if (i == 0 && json_array_size(rows) > want)
                want = json_array_size(rows);
            json_array_extend(latest, rows);
        }
        json_decref(rows);
    }
    if (rc) {
        json_decref(latest);
        return rc;
    }
    size_t total = json_array_size(latest);
    json_t **items = malloc((total ? total : 1) * sizeof *items);
    if (!items) {
        json_decref(latest);
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    }
    for (size_t i = 0; i < total; i++)
        items[i] = json_incref(json_array_get(latest, i));
    qsort(items, total, sizeof *items, newest_first);
    json_t *sorted = json_array();
    for (size_t i = 0; i < total; i++) {
        if (i < want)
            json_array_append(sorted, items[i]);
        json_decref(items[i]);
    }
    free(items);
    json_decref(latest);
    *out = sorted;
    return RP_OK;
}

/* A word and how often the customer chose it. */
typedef struct word_count {
    const char *word; /* a key of the counting object */
    json_int_t n;
} word_count;

/* Most chosen first, then in byte order (SQL's ORDER BY n DESC, word). */
static int most_chosen_first(const void *a, const void *b)
{
    const word_count *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->word, y->word);
}

/*
 * Append the customer's 20 most chosen words as [{"word", "n"}], from
 * rows of {"words": [...]} (each answer's words): a word counts in lower
 * case, A-Z only, as SQLite's lower() makes it; most chosen first, ties
 * in byte order.  Counted here rather than with a GROUP BY over json_each
 * or jsonb_array_elements_text, which cost more than the rest of the
 * view's queries together; the two backends now count alike.
 */
static rp_code put_words(rp_buf *out, json_t *rows, rp_error *err)
{
    json_t *counts = json_object();
    size_t i, j;
    json_t *r, *w;
    rp_buf word = RP_BUF_INIT;
    int failed = 0;
    json_array_foreach(rows, i, r) {
        json_array_foreach(json_object_get(r, "words"), j, w) {
            if (!json_is_string(w))
                continue;
            rp_buf_clear(&word);
            rp_buf_puts(&word, json_string_value(w));
            if (word.failed) {
                failed = 1;
                break;
            }
            rp_ascii_lower(word.p);
            const char *k = rp_buf_str(&word);
            json_t *had = json_object_get(counts, k);
            json_object_set_new(counts, k,
                                json_integer(json_integer_value(had) + 1));
        }
    }
    size_t n = json_object_size(counts);
    word_count *all = malloc((n ? n : 1) * sizeof *all);
    if (!all || failed) {
        free(all);
        rp_buf_free(&word);
        json_decref(counts);
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    }
    const char *k;
    json_t *v;
    i = 0;
    json_object_foreach(counts, k, v) {
        all[i++] = (word_count){k, json_integer_value(v)};
    }
    qsort(all, n, sizeof *all, most_chosen_first);
    rp_buf_puts(out, "[");
    for (i = 0; i < n && i < 20; i++) {
        rp_buf_puts(out, i ? ",{\"word\":" : "{\"word\":");
        rp_json_write_string(out, all[i].word, strlen(all[i].word));
        rp_buf_puts(out, ",\"n\":");
        rp_json_write_int(out, all[i].n);
        rp_buf_puts(out, "}");
    }
    rp_buf_puts(out, "]");
    free(all);
    rp_buf_free(&word);
    json_decref(counts);
    return RP_OK;
}

/* Append how many of the rows' encounters had kind and exchange set by
 * the agent rather than inferred, as {"kind": n, "exchange": n}: an
 * override is counted as such. */
static void put_set_by_agent(rp_buf *out, json_t *rows)
{
    json_int_t kind = 0, exchange = 0;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        json_int_t n = json_integer_value(json_object_get(r, "n"));
        const char *ks = json_string_value(json_object_get(r, "kind_source"));
        const char *xs = json_string_value(
            json_object_get(r, "exchange_source"));
        kind += ks && !strcmp(ks, "agent") ? n : 0;
        exchange += xs && !strcmp(xs, "agent") ? n : 0;
    }
    rp_buf_puts(out, "{\"kind\":");
    rp_json_write_int(out, kind);
    rp_buf_puts(out, ",\"exchange\":");
    rp_json_write_int(out, exchange);
    rp_buf_puts(out, "}");
}

/* Append ",\"key\":" and the rows of query name as JSON text. */
static rp_code put_rows(rp_ctx *ctx, rp_buf *out, const char *key,
                        rp_query name, json_t *params, rp_error *err)
{
    rp_buf_puts(out, key);
    return rp_store_query_write(ctx->store, name, params, out, err);
}

/* Append ",\"key\":" and v as JSON text, and release v. */
static void put_new(rp_buf *out, const char *key, json_t *v)
{
    rp_buf_puts(out, key);
    rp_json_write(out, v);
    json_decref(v);
}

/* Append the one row of query name for p (as {...}, without the rows'
 * brackets) to out; RP_ENOTFOUND when there is none. */
static rp_code put_row(rp_ctx *ctx, rp_buf *out, rp_buf *scratch, rp_query name,
                       json_t *p, rp_error *err)
{
    rp_buf_clear(scratch);
    if (rp_store_query_write(ctx->store, name, p, scratch, err))
        return err->code;
    if (scratch->len < 4 || scratch->p[1] != '{')
        return RP_ENOTFOUND; /* "[]" */
    rp_buf_add(out, scratch->p + 1, scratch->len - 2);
    return RP_OK;
}

/* Append ",\"relationship\":" and rp_relationship_summary of the customer
 * written at out->p + at, its values copied from that text: the same bytes
 * as writing them again, without another read of the row. */
static rp_code put_relationship(rp_buf *out, size_t at, rp_error *err)
{
    size_t level, level_n, reasons, reasons_n;
    if (!rp_json_member(out->p + at, out->len - at, "relationship_level", 18,
                        &level, &level_n) ||
        !rp_json_member(out->p + at, out->len - at, "relationship_reasons", 20,
                        &reasons, &reasons_n))
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "cannot build the overview");
    /* room first: the values are copied from the buffer they go into */
    if (rp_buf_reserve(out, level_n + reasons_n + 64))
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    rp_buf_puts(out, ",\"relationship\":{\"level\":");
    rp_buf_add(out, out->p + at + level, level_n);
    rp_buf_puts(out, ",\"reasons\":");
    rp_buf_add(out, out->p + at + reasons, reasons_n);
    rp_buf_puts(out, "}");
    return RP_OK;
}

/*
 * The view as JSON text, written as it is read: the rows of its queries go
 * from the store into out without becoming jansson values
 * (rp_store_query_write), so the view costs a tree of objects less.  The
 * fields in the order rp_customer_overview's callers have always had them;
 * the customer is rp_customer_get's row (customer.view_row: the same
 * columns, types and order, the alias followed in one statement), and
 * its relationship is copied from it.
 */
static rp_code overview_write(rp_ctx *ctx, int64_t id, rp_buf *out,
                              rp_error *err)
{
    json_t *p1 = json_pack("[I]", (json_int_t)id);
    json_t *p2 = NULL, *ids = NULL, *sat = NULL, *counts = NULL, *latest = NULL;
    rp_buf row = RP_BUF_INIT;
    rp_buf_puts(out, "{\"customer\":");
    size_t at = out->len;
    rp_code rc = put_row(ctx, out, &row, RP_Q_CUSTOMER_VIEW_ROW, p1, err);
    if (rc == RP_ENOTFOUND)
        rc = rp_error_set(err, RP_ENOTFOUND, "id", "no customer with id %lld",
                          (long long)id);
    if (rc == RP_OK && (out->failed || strncmp(out->p + at, "{\"id\":", 6)))
        rc = rp_error_set(err, RP_EINTERNAL, NULL, "cannot build the overview");
    rp_buf_free(&row);
    if (rc == RP_OK) { /* the row starts {"id":N, : the live customer's */
        id = strtoll(out->p + at + 6, NULL, 10);
        json_array_set_new(p1, 0, json_integer(id));
        p2 = json_pack("[I,I]", (json_int_t)id, (json_int_t)rp_now());
        rc = put_relationship(out, at, err);
    }
    if (rc == RP_OK)
        rc = rp_customer_ids(ctx, id, &ids, err);
    if (rc == RP_OK)
        rc = put_rows(ctx, out, ",\"preferences\":", RP_Q_CUSTOMER_PREFERENCES,
                      p1, err);
    if (rc == RP_OK)
        rc = put_rows(ctx, out,
                      ",\"open_encounters\":", RP_Q_CUSTOMER_OPEN_ENCOUNTERS,
                      p1, err);
    if (rc == RP_OK)
        rc = put_rows(ctx, out,
                      ",\"open_promises\":", RP_Q_CUSTOMER_OPEN_PROMISES, p1,
                      err);
    if (rc == RP_OK)
        rc = put_rows(ctx, out,
                      ",\"follow_ups\":", RP_Q_CUSTOMER_OPEN_FOLLOW_UPS, p2,
                      err);
    if (rc == RP_OK && json_array_size(ids) < 2) {
        rc = put_rows(ctx, out,
                      ",\"latest_moments\":", RP_Q_CUSTOMER_LATEST_MOMENTS, p1,
                      err);
    } else if (rc == RP_OK) { /* merged customers' moments among them */
        rc = merged_moments(ctx, ids, &latest, err);
        if (rc == RP_OK)
            put_new(out, ",\"latest_moments\":", latest);
    }
    if (rc == RP_OK)
        rc = q(ctx, RP_Q_CUSTOMER_SATISFACTION_SUMMARY, p1, &sat, err);
    if (rc == RP_OK) {
        json_t *row = json_array_get(sat, 0);
        json_t *count = json_object_get(row, "count");
        if (!json_is_integer(count))
            rc = rp_error_set(err, RP_EINTERNAL, NULL,
                              "cannot build the overview");
        else {
            rp_buf_puts(out, ",\"satisfaction\":{\"count\":");
            rp_json_write(out, count);
            /* NULL (no answer yet) is written as null */
            rp_buf_puts(out, ",\"average\":");
            rp_json_write(out, json_object_get(row, "average"));
            json_t *lists = NULL;
            rc = q(ctx, RP_Q_CUSTOMER_SATISFACTION_WORD_LISTS, p1, &lists, err);
            rp_buf_puts(out, ",\"words\":");
            if (rc == RP_OK)
                rc = put_words(out, lists, err);
            json_decref(lists);
            rp_buf_puts(out, "}");
        }
    }
    if (rc == RP_OK)
        rc = q(ctx, RP_Q_CUSTOMER_ENCOUNTER_COUNTS, p1, &counts, err);
    if (rc == RP_OK) {
        rp_buf_puts(out, ",\"encounters_by_kind\":");
        put_count_by(out, counts, "kind");
        rp_buf_puts(out, ",\"encounters_by_exchange\":");
        put_count_by(out, counts, "exchange");
        rp_buf_puts(out, ",\"encounters_set_by_agent\":");
        put_set_by_agent(out, counts);
        rp_buf_puts(out, "}");
        if (out->failed)
            rc = rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    }
    json_decref(p1);
    json_decref(p2);
    json_decref(ids);
    json_decref(sat);
    json_decref(counts);
    return rc;
}

/* The view's queries read one snapshot: what it shows is the customer as
 * they were at one moment, never half of a change. */
rp_code rp_customer_overview_write(rp_ctx *ctx, int64_t id, rp_buf *out,
                                   rp_error *err)
{
    if (rp_store_read_begin(ctx->store, err))
        return err->code;
    rp_code rc = overview_write(ctx, id, out, err);
    rp_store_read_end(ctx->store);
    return rc;
}

rp_code rp_customer_overview(rp_ctx *ctx, int64_t id, json_t **out,
                             rp_error *err)
{
    rp_buf text = RP_BUF_INIT;
    rp_code rc = rp_customer_overview_write(ctx, id, &text, err);
    if (rc == RP_OK) {
        json_error_t jerr;
        *out = json_loadb(text.p, text.len, 0, &jerr);
        if (!*out)
            rc = rp_error_set(err, RP_EINTERNAL, NULL,
                              "cannot build the overview: %s", jerr.text);
    }
    rp_buf_free(&text);
    return rc;
}
