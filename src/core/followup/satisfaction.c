/*
 * satisfaction.c - the next-day satisfaction check of seed 003 ("The next
 * day I received a phone call with the question if everything was OK") and
 * the three words of seed 004.
 *
 * The customer answers through a single-use link that expires.  The token
 * is a random 256-bit value; only its SHA-256 is stored, so a copy of the
 * database does not let anyone answer in the customer's name.  The answer
 * is a moment of truth with its impression.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rapport.h"

#define TOKEN_BYTES 32

static void hash_token(const char *token, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out, 65, h, sizeof h);
}

rp_code rp_satisfaction_issue(rp_ctx *ctx, int64_t customer_id,
                              int64_t encounter_id, int64_t task_id,
                              int ttl_days, const char *public_url, rp_buf *url,
                              rp_error *err)
{
    if (!public_url || !*public_url)
        return rp_error_set(err, RP_EINTERNAL, "public_url",
                            "no public URL is configured for links");
    if (sodium_init() < 0)
        return rp_error_set(err, RP_EINTERNAL, NULL, "libsodium cannot start");
    unsigned char raw[TOKEN_BYTES];
    char token[TOKEN_BYTES * 2 + 1], hash[65];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(token, sizeof token, raw, sizeof raw);
    hash_token(token, hash);
    int64_t now = rp_now();
    rp_store *s = ctx->store;
    /* one check per task: a retried send renews the link of the same row */
    json_t *tid = json_integer(task_id), *rows = json_array();
    rp_filter f = {"task_id", RP_FILTER_EQ, tid};
    rp_page p = {0, 0, 1};
    rp_code rc = RP_OK;
    if (task_id) {
        json_decref(rows);
        rc = s->ops->list(s, &RP_ENTITY_SATISFACTION, &f, 1, &p, &rows, err);
    }
    json_decref(tid);
    if (rc)
        return rc;
    json_t *row = json_pack("{s:s, s:I}", "token_hash", hash, "expires_at",
                            (json_int_t)(now + (int64_t)ttl_days * 86400));
    if (json_array_size(rows)) {
        int64_t id = json_integer_value(
            json_object_get(json_array_get(rows, 0), "id"));
        rc = s->ops->update(s, &RP_ENTITY_SATISFACTION, id, row, err);
    } else {
        json_object_set_new(row, "customer_id", json_integer(customer_id));
        json_object_set_new(row, "encounter_id",
                            encounter_id ? json_integer(encounter_id)
                                         : json_null());
        json_object_set_new(row, "task_id",
                            task_id ? json_integer(task_id) : json_null());
        json_object_set_new(row, "words", json_array());
        json_object_set_new(row, "created_at", json_integer(now));
        rc = s->ops->insert(s, &RP_ENTITY_SATISFACTION, row, NULL, err);
    }
    json_decref(row);
    json_decref(rows);
    if (rc)
        return rc;
    const char *base = public_url;
    size_t bl = strlen(base);
    rp_buf_append(url, base, bl && base[bl - 1] == '/' ? bl - 1 : bl);
    rp_buf_printf(url, "/s/%s", token);
    return RP_OK;
}

/* The check whose token this is, or RP_ENOTFOUND. */
static rp_code find(rp_ctx *ctx, const char *token, json_t **row, rp_error *err)
{
    size_t n = token ? strlen(token) : 0;
    int hex = n == TOKEN_BYTES * 2;
    for (size_t i = 0; hex && i < n; i++)
        hex = (token[i] >= '0' && token[i] <= '9') ||
              (token[i] >= 'a' && token[i] <= 'f');
    if (!hex)
        return rp_error_set(err, RP_ENOTFOUND, "token",
                            "this link is not valid");
    char hash[65];
    hash_token(token, hash);
    json_t *hv = json_string(hash), *rows;
    rp_filter f = {"token_hash", RP_FILTER_EQ, hv};
    rp_page p = {0, 0, 1};
    rp_code rc = ctx->store->ops->list(ctx->store, &RP_ENTITY_SATISFACTION, &f,
                                       1, &p, &rows, err);
    json_decref(hv);
    if (rc)
        return rc;
    if (!json_array_size(rows)) {
        json_decref(rows);
        return rp_error_set(err, RP_ENOTFOUND, "token",
                            "this link is not valid");
    }
    *row = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return RP_OK;
}

static const char *state_of(json_t *row)
{
    if (!json_is_null(json_object_get(row, "answered_at")))
        return "answered";
    int64_t exp = 0;
    const char *e = json_string_value(json_object_get(row, "expires_at"));
    if (e && rp_time_parse(e, &exp) == 0 && exp <= rp_now())
        return "expired";
    return "open";
}

rp_code rp_satisfaction_lookup(rp_ctx *ctx, const char *token, json_t **out,
                               rp_error *err)
{
    json_t *row, *customer;
    if (find(ctx, token, &row, err))
        return err->code;
    json_int_t cid = json_integer_value(json_object_get(row, "customer_id"));
    if (rp_customer_get(ctx, cid, &customer, err)) {
        json_decref(row);
        return err->code;
    }
    *out = json_pack("{s:O, s:I, s:O, s:s}", "id", json_object_get(row, "id"),
                     "customer_id", cid, "greeting_name",
                     json_object_get(customer, "greeting_name"), "state",
                     state_of(row));
    json_decref(customer);
    json_decref(row);
    return RP_OK;
}

rp_code rp_satisfaction_answer(rp_ctx *ctx, const char *token, json_t *in,
                               json_t **out, rp_error *err)
{
    static const char *const fields[] = {"score", "words", "comment", NULL};
    json_t *row;
    if (find(ctx, token, &row, err))
        return err->code;
    const char *state = state_of(row);
    if (strcmp(state, "open") != 0) {
        json_decref(row);
        return strcmp(state, "answered") == 0
                   ? rp_error_refuse(err, RP_ECONFLICT, "token", "already_done",
                                     0, "this check has already been answered")
                   : rp_error_set(err, RP_EFORBIDDEN, "token",
                                  "this link has expired");
    }
    int64_t score = 0;
    const char *comment;
    json_t *words;
    if (rp_in_object(in, fields, err) ||
        rp_in_int(in, "score", 1, 1, 5, &score, NULL, err) ||
        rp_in_string_list(in, "words", 3, 40, &words, err) ||
        rp_in_string(in, "comment", 0, 2000, &comment, err)) {
        json_decref(row);
        return err->code;
    }
    int64_t id = json_integer_value(json_object_get(row, "id"));
    json_int_t cid = json_integer_value(json_object_get(row, "customer_id"));
    json_int_t eid = json_integer_value(json_object_get(row, "encounter_id"));
    json_decref(row);
    const char *impression = score >= 4   ? "positive"
                             : score == 3 ? "neutral"
                                          : "negative";
    rp_store *s = ctx->store;
    if (rp_store_begin(s, err))
        return err->code;
    int64_t changed = 0;
    json_t *params = json_pack("[I, O, s?, I, I]", (json_int_t)score,
                               words ? words : json_array(), comment,
                               (json_int_t)rp_now(), (json_int_t)id);
    rp_code rc = s->ops->exec(s, RP_Q_FOLLOWUP_SATISFACTION_ANSWER, params,
                              &changed, err);
    json_decref(params);
    if (rc == RP_OK && changed == 0)
        rc = rp_error_refuse(err, RP_ECONFLICT, "token", "already_done", 0,
                             "this check has already been answered");
    if (rc == RP_OK) {
        rp_buf summary = RP_BUF_INIT;
        rp_buf_printf(&summary, "Satisfaction check answered: %lld/5",
                      (long long)score);
        size_t i;
        json_t *w;
        json_array_foreach(words, i, w) {
            rp_buf_puts(&summary, i ? ", " : " - ");
            rp_buf_puts(&summary, json_string_value(w));
        }
        json_t *detail = json_pack("{s:I, s:I, s:O, s:s?}", "check_id",
                                   (json_int_t)id, "score", (json_int_t)score,
                                   "words", words ? words : json_array(),
                                   "comment", comment);
        rp_moment m = {.customer_id = cid,
                       .encounter_id = eid,
                       .channel = "web",
                       .kind = "satisfaction.answered",
                       .summary = rp_buf_str(&summary),
                       .impression = impression,
                       .detail = detail};
        rc = rp_moment_record(ctx, &m, err);
        if (rc == RP_OK)
            rc = rp_event_emit_pack(ctx, "satisfaction.answered", cid, eid, err,
                                    "{s:I, s:I, s:s}", "check_id",
                                    (json_int_t)id, "score", (json_int_t)score,
                                    "impression", impression);
        json_decref(detail);
        rp_buf_free(&summary);
        /* the answer counts at once: a level is never out of date */
        if (rc == RP_OK)
            rc = rp_relationship_recompute_because(
                ctx, cid, eid, "the customer answered a satisfaction check",
                err);
    }
    rc = rp_store_finish(s, rc, err);
    if (rc)
        return rc;
    *out = json_pack("{s:I, s:I, s:s}", "id", (json_int_t)id, "score",
                     (json_int_t)score, "impression", impression);
    return RP_OK;
}

rp_code rp_satisfaction_summary(rp_ctx *ctx, int64_t customer_id, json_t **out,
                                rp_error *err)
{
    json_t *rows, *params = json_pack("[I]", (json_int_t)customer_id);
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_FOLLOWUP_SATISFACTION_SUMMARY, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *r = json_array_get(rows, 0);
    json_t *o = json_object();
    const char *keys[] = {"answered", "average_score", "positive", "neutral",
                          "negative"};
    for (int i = 0; i < 5; i++) {
        json_t *v = json_object_get(r, keys[i]);
        json_object_set_new(o, keys[i],
                            json_is_null(v) || !v
                                ? (i == 1 ? json_null() : json_integer(0))
                                : json_incref(v));
    }
    json_decref(rows);
    *out = o;
    return RP_OK;
}
