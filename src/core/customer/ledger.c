/*
 * ledger.c - the moments ledger made tamper-evident: every moment is sealed
 * with two hashes when it is appended.
 *
 *   content_hash = BLAKE2b-256, keyed with the customer's ledger key, of
 *                  the moment's personal content (its summary and detail);
 *   chain_hash   = BLAKE2b-256 of the previous moment's chain_hash, the
 *                  moment's id, time, customer, encounter, kind, actor,
 *                  channel and impression, and its content_hash.
 *
 * The chain covers the content's hash, not the content, so that erasure
 * can blank a moment's content (its one sanctioned change, which the
 * database's trigger enforces) and the chain still verifies: the ledger
 * keeps its shape, and whoever checks it can still prove that no moment
 * was altered, removed or reordered.  The content hash is keyed per
 * customer, and erasure replaces the key, so an erased moment's hash can
 * no longer be tested against a guess of what it said.
 *
 * Moments are appended by one writer at a time: the id is chosen as the
 * one after the head and the insert happens only while that is still the
 * head (CUSTOMER_LEDGER_APPEND), so two appends can never both chain onto
 * the same moment, inside a transaction or not.  Rows from before the
 * ledger was sealed are sealed in id order by rp_ledger_seal (at the
 * server's start, or by the first append that finds them).
 */
#include <sodium.h>
#include <string.h>

#include "core/customer/customer_internal.h"
#include "core/rapport.h"

#define HASH_BYTES 32
#define HASH_HEX (HASH_BYTES * 2 + 1)
#define LEDGER_PAGE 256
#define PROBLEMS_LISTED 20
#define APPEND_TRIES 50

static const char domain[] = "rapport moments ledger v1";

/* ---- hashing ------------------------------------------------------------- */

static void put_u64(crypto_generichash_state *st, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    crypto_generichash_update(st, b, sizeof b);
}

/* A text as present-flag, length and bytes, so that no two different
 * sequences of fields hash the same. */
static void put_text(crypto_generichash_state *st, const char *s)
{
    unsigned char flag = s != NULL;
    crypto_generichash_update(st, &flag, 1);
    if (!s)
        return;
    size_t n = strlen(s);
    put_u64(st, n);
    crypto_generichash_update(st, (const unsigned char *)s, n);
}

static void finish_hex(crypto_generichash_state *st, char out[HASH_HEX])
{
    unsigned char h[HASH_BYTES];
    crypto_generichash_final(st, h, sizeof h);
    sodium_bin2hex(out, HASH_HEX, h, sizeof h);
}

static int from_hex(const char *hex, unsigned char out[HASH_BYTES])
{
    size_t n = 0;
    return hex && strlen(hex) == HASH_BYTES * 2 &&
           sodium_hex2bin(out, HASH_BYTES, hex, HASH_BYTES * 2, NULL, &n,
                          NULL) == 0 &&
           n == HASH_BYTES;
}

int rp_ledger_content_hash(const char *key_hex, const char *summary,
                           const char *detail, char out[65])
{
    unsigned char key[HASH_BYTES];
    if (!from_hex(key_hex, key))
        return -1;
    crypto_generichash_state st;
    crypto_generichash_init(&st, key, sizeof key, HASH_BYTES);
    sodium_memzero(key, sizeof key);
    put_text(&st, summary);
    put_text(&st, detail);
    finish_hex(&st, out);
    return 0;
}

int rp_ledger_chain_hash(const char *prev_hex, const rp_ledger_fields *f,
                         char out[65])
{
    unsigned char prev[HASH_BYTES] = {0}, content[HASH_BYTES];
    if ((prev_hex && !from_hex(prev_hex, prev)) ||
        !from_hex(f->content_hash, content))
        return -1;
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, HASH_BYTES);
    crypto_generichash_update(&st, (const unsigned char *)domain,
                              sizeof domain - 1);
    crypto_generichash_update(&st, prev, sizeof prev);
    put_u64(&st, (uint64_t)f->id);
    put_u64(&st, (uint64_t)f->occurred_at);
    put_u64(&st, (uint64_t)f->customer_id);
    put_u64(&st, (uint64_t)f->encounter_id);
    put_text(&st, f->kind);
    put_text(&st, f->actor);
    put_text(&st, f->channel);
    put_text(&st, f->impression);
    crypto_generichash_update(&st, content, sizeof content);
    finish_hex(&st, out);
    return 0;
}

/* ---- rows ---------------------------------------------------------------- */

static const char *text(json_t *row, const char *key)
{
    return json_string_value(json_object_get(row, key));
}

static int64_t num(json_t *row, const char *key)
{
    return json_integer_value(json_object_get(row, key));
}

/* The hashed fields of a row of LEDGER_COLUMNS. */
static void fields_of(json_t *row, const char *content_hash,
                      rp_ledger_fields *f)
{
    f->id = num(row, "id");
    f->occurred_at = num(row, "occurred");
    f->customer_id = num(row, "customer_id");
    f->encounter_id = num(row, "encounter_id");
    f->kind = text(row, "kind");
    f->actor = text(row, "actor");
    f->channel = text(row, "channel");
    f->impression = text(row, "impression");
    f->content_hash = content_hash;
}

static rp_code broken(rp_error *err, const char *what, int64_t id)
{
    return rp_error_set(err, RP_EINTERNAL, NULL,
                        "moment %lld: %s; run `rapport ledger verify`",
                        (long long)id, what);
}

/* ---- sealing the rows from before the ledger was sealed ------------------ */

static rp_code seal_rows(rp_ctx *ctx, int64_t *sealed, rp_error *err)
{
    rp_store *s = ctx->store;
    for (;;) {
        json_t *p = json_pack("[i]", LEDGER_PAGE), *rows;
        rp_code rc = s->ops->query(s, RP_Q_CUSTOMER_LEDGER_UNSEALED, p, &rows,
                                   err);
        json_decref(p);
        if (rc)
            return rc;
        if (json_array_size(rows) == 0) {
            json_decref(rows);
            return RP_OK;
        }
        json_t *before;
        p = json_pack("[I]", (json_int_t)num(json_array_get(rows, 0), "id"));
        rc = s->ops->query(s, RP_Q_CUSTOMER_LEDGER_BEFORE, p, &before, err);
        json_decref(p);
        if (rc) {
            json_decref(rows);
            return rc;
        }
        char prev[HASH_HEX] = "";
        const char *ph = text(json_array_get(before, 0), "chain_hash");
        if (ph)
            snprintf(prev, sizeof prev, "%s", ph);
        json_decref(before);
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row) {
            char content[HASH_HEX], chain[HASH_HEX];
            rp_ledger_fields f;
            if (rp_ledger_content_hash(text(row, "ledger_key"),
                                       text(row, "summary"),
                                       text(row, "detail"), content)) {
                rc = broken(err, "its customer has no ledger key",
                            num(row, "id"));
                break;
            }
            fields_of(row, content, &f);
            rp_ledger_chain_hash(prev[0] ? prev : NULL, &f, chain);
            p = json_pack("[I, s, s]", (json_int_t)f.id, content, chain);
            rc = s->ops->exec(s, RP_Q_CUSTOMER_LEDGER_SEAL, p, NULL, err);
            json_decref(p);
            if (rc)
                break;
            memcpy(prev, chain, sizeof prev);
            if (sealed)
                (*sealed)++;
        }
        json_decref(rows);
        if (rc)
            return rc;
    }
}

rp_code rp_ledger_seal(rp_ctx *ctx, int64_t *sealed, rp_error *err)
{
    int64_t n = 0;
    if (rp_store_begin(ctx->store, err))
        return err->code;
    rp_code rc = rp_store_finish(ctx->store, seal_rows(ctx, &n, err), err);
    if (rc == RP_OK && sealed)
        *sealed = n;
    return rc;
}

/* ---- appending ----------------------------------------------------------- */

/* The head of the ledger: its id (0 when empty) and chain hash ("" when
 * empty or not sealed). */
static rp_code head(rp_ctx *ctx, int64_t *id, char hash[HASH_HEX],
                    rp_error *err)
{
    json_t *rows;
    if (ctx->store->ops->query(ctx->store, RP_Q_CUSTOMER_LEDGER_HEAD, NULL,
                               &rows, err))
        return err->code;
    json_t *row = json_array_get(rows, 0);
    *id = row ? num(row, "id") : 0;
    snprintf(hash, HASH_HEX, "%s",
             row && text(row, "chain_hash") ? text(row, "chain_hash") : "");
    json_decref(rows);
    return RP_OK;
}

static rp_code customer_key(rp_ctx *ctx, int64_t customer_id, char **key,
                            rp_error *err)
{
    json_t *p = json_pack("[I]", (json_int_t)customer_id), *rows;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_CUSTOMER_LEDGER_KEY, p,
                                        &rows, err);
    json_decref(p);
    if (rc)
        return rc;
    const char *k = text(json_array_get(rows, 0), "ledger_key");
    *key = k ? strdup(k) : NULL;
    json_decref(rows);
    if (!*key)
        return rp_error_set(err, RP_ENOTFOUND, "customer_id",
                            "no customer with id %lld", (long long)customer_id);
    return RP_OK;
}

rp_code rp_ledger_append(rp_ctx *ctx, const rp_moment *m, int64_t now,
                         rp_error *err)
{
    char *detail = m->detail && !json_is_null(m->detail)
                       ? json_dumps(m->detail, JSON_COMPACT | JSON_ENCODE_ANY)
                       : NULL;
    char *key = NULL, content[HASH_HEX];
    rp_code rc = customer_key(ctx, m->customer_id, &key, err);
    if (rc == RP_OK && rp_ledger_content_hash(key, m->summary, detail, content))
        rc = broken(err, "the customer's ledger key is damaged", 0);
    free(key);
    for (int tries = 0; rc == RP_OK; tries++) {
        if (tries == APPEND_TRIES) {
            rc = rp_error_set(err, RP_EBUSY, NULL,
                              "the ledger is busy with other moments; nothing "
                              "was changed, try again in a moment");
            break;
        }
        int64_t last = 0;
        char prev[HASH_HEX], chain[HASH_HEX];
        if ((rc = head(ctx, &last, prev, err)))
            break;
        if (last && !prev[0]) {
            /* rows from before the ledger was sealed: seal them first */
            if ((rc = seal_rows(ctx, NULL, err)))
                break;
            continue;
        }
        rp_ledger_fields f = {.id = last + 1,
                              .occurred_at = now,
                              .customer_id = m->customer_id,
                              .encounter_id = m->encounter_id,
                              .kind = m->kind,
                              .actor = ctx->actor ? ctx->actor : "system",
                              .channel = m->channel,
                              .impression = m->impression,
                              .content_hash = content};
        rp_ledger_chain_hash(last ? prev : NULL, &f, chain);
        json_t *p = json_pack(
            "[I, I, o, I, s, o, s, s, o, o, s, s]", (json_int_t)f.id,
            (json_int_t)f.customer_id,
            f.encounter_id ? json_integer(f.encounter_id) : json_null(),
            (json_int_t)now, f.actor,
            f.channel ? json_string(f.channel) : json_null(), f.kind,
            m->summary, f.impression ? json_string(f.impression) : json_null(),
            detail ? json_string(detail) : json_null(), content, chain);
        if (!p) {
            rc = rp_error_set(err, RP_EINTERNAL, NULL,
                              "cannot build the moment %s", m->kind);
            break;
        }
        int64_t added = 0;
        rc = ctx->store->ops->exec(ctx->store, RP_Q_CUSTOMER_LEDGER_APPEND, p,
                                   &added, err);
        json_decref(p);
        if (rc == RP_OK && added == 1)
            break;
        /* another writer appended first: chain onto its moment instead */
    }
    free(detail);
    return rc;
}

/* ---- verifying ----------------------------------------------------------- */

typedef struct verify_state {
    int64_t moments, erased, problems;
    int64_t last_id;
    char prev[HASH_HEX];
    json_t *listed;
} verify_state;

static void problem(verify_state *v, json_t *row, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(verify_state *v, json_t *row, const char *fmt, ...)
{
    v->problems++;
    if (json_array_size(v->listed) >= PROBLEMS_LISTED)
        return;
    char what[512], at[RP_TIME_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    rp_time_format(num(row, "occurred"), at);
    json_array_append_new(
        v->listed, json_pack("{s:I, s:s, s:s?, s:s}", "moment_id",
                             (json_int_t)num(row, "id"), "occurred_at", at,
                             "kind", text(row, "kind"), "problem", what));
}

static void verify_row(verify_state *v, json_t *row)
{
    int64_t id = num(row, "id");
    const char *stored_content = text(row, "content_hash");
    const char *stored_chain = text(row, "chain_hash");
    v->moments++;
    if (id != v->last_id + 1)
        problem(v, row,
                v->last_id + 1 == id - 1
                    ? "the moment before it (%lld) is missing"
                    : "the moments before it (from %lld) are missing",
                (long long)(v->last_id + 1));
    if (!stored_content || !stored_chain) {
        problem(v, row,
                "it carries no hashes: it was never sealed, or was "
                "added by hand");
        v->prev[0] = '\0';
        v->last_id = id;
        return;
    }
    if (json_integer_value(json_object_get(row, "erased"))) {
        v->erased++;
        if (!json_integer_value(json_object_get(row, "customer_erased")) &&
            !json_integer_value(json_object_get(row, "encounter_blanked")))
            problem(v, row,
                    "it is marked erased, but its customer was never "
                    "erased, nor its encounter's conversation");
        else if (strcmp(text(row, "summary") ? text(row, "summary") : "",
                        RP_MOMENT_ERASED_SUMMARY) != 0 ||
                 text(row, "detail"))
            problem(v, row, "its erased content was written over");
    } else {
        char content[HASH_HEX];
        if (rp_ledger_content_hash(text(row, "ledger_key"),
                                   text(row, "summary"), text(row, "detail"),
                                   content))
            problem(v, row, "its customer is missing or has no ledger key");
        else if (strcmp(content, stored_content) != 0)
            problem(v, row,
                    "its summary or detail differs from what was "
                    "recorded");
    }
    char chain[HASH_HEX];
    rp_ledger_fields f;
    fields_of(row, stored_content, &f);
    if (rp_ledger_chain_hash(v->prev[0] ? v->prev : NULL, &f, chain) ||
        strcmp(chain, stored_chain) != 0)
        problem(v, row,
                "its time, kind, customer, encounter, actor, channel or "
                "impression differs from what was recorded, or its hashes "
                "were rewritten, or the moment before it was changed");
    snprintf(v->prev, sizeof v->prev, "%s", stored_chain);
    v->last_id = id;
}

rp_code rp_ledger_verify(rp_ctx *ctx, int64_t anchor_id, const char *anchor,
                         json_t **out, rp_error *err)
{
    verify_state v = {.listed = json_array()};
    char anchor_seen[HASH_HEX] = "";
    for (;;) {
        json_t *p = json_pack("[I, i]", (json_int_t)v.last_id, LEDGER_PAGE),
               *rows;
        rp_code rc = ctx->store->ops->query(
            ctx->store, RP_Q_CUSTOMER_LEDGER_PAGE, p, &rows, err);
        json_decref(p);
        if (rc) {
            json_decref(v.listed);
            return rc;
        }
        size_t i, n = json_array_size(rows);
        json_t *row;
        json_array_foreach(rows, i, row) {
            verify_row(&v, row);
            if (anchor_id && num(row, "id") == anchor_id)
                snprintf(anchor_seen, sizeof anchor_seen, "%s",
                         text(row, "chain_hash") ? text(row, "chain_hash")
                                                 : "-");
        }
        json_decref(rows);
        if (n < LEDGER_PAGE)
            break;
    }
    json_t *anchor_ok = json_null();
    if (anchor_id) {
        int same = anchor && strcmp(anchor_seen, anchor) == 0;
        anchor_ok = json_boolean(same);
        if (!same) {
            v.problems++;
            json_array_append_new(
                v.listed,
                json_pack("{s:I, s:n, s:n, s:s}", "moment_id",
                          (json_int_t)anchor_id, "occurred_at", "kind",
                          "problem",
                          anchor_seen[0]
                              ? "its chain hash is not the one noted earlier: "
                                "the ledger was rewritten from there on"
                              : "it is no longer in the ledger: the ledger "
                                "was cut short"));
        }
    }
    *out = json_pack(
        "{s:b, s:I, s:I, s:I, s:o, s:o, s:o}", "ok", v.problems == 0, "moments",
        (json_int_t)v.moments, "erased", (json_int_t)v.erased, "problem_count",
        (json_int_t)v.problems, "problems", v.listed, "head",
        v.last_id ? json_pack("{s:I, s:s}", "moment_id", (json_int_t)v.last_id,
                              "chain_hash", v.prev)
                  : json_null(),
        "anchor_matches", anchor_ok);
    return RP_OK;
}

/* ---- erasure ------------------------------------------------------------- */

/* Check that each moment query q lists for id (customer or encounter) still
 * has the content its hash recorded, then blank them all with tombstone. */
static rp_code erase_moments(rp_ctx *ctx, rp_query of, rp_query tombstone,
                             int64_t id, int64_t now, const char *whose,
                             rp_error *err)
{
    rp_store *s = ctx->store;
    rp_code rc = seal_rows(ctx, NULL, err);
    int64_t after = 0;
    while (rc == RP_OK) {
        json_t *p = json_pack("[I, I, i]", (json_int_t)id, (json_int_t)after,
                              LEDGER_PAGE),
               *rows;
        rc = s->ops->query(s, of, p, &rows, err);
        json_decref(p);
        if (rc)
            break;
        size_t i, n = json_array_size(rows);
        json_t *row;
        json_array_foreach(rows, i, row) {
            char content[HASH_HEX];
            after = num(row, "id");
            const char *stored = text(row, "content_hash");
            if (rp_ledger_content_hash(text(row, "ledger_key"),
                                       text(row, "summary"),
                                       text(row, "detail"), content) ||
                !stored || strcmp(content, stored) != 0) {
                rc = rp_error_refuse(
                    err, RP_ECONFLICT, NULL, "tampered", 0,
                    "moment %lld of this %s no longer matches what was "
                    "recorded (it was changed outside rapport), so nothing "
                    "was erased; `rapport ledger verify` names every such "
                    "moment",
                    (long long)after, whose);
                break;
            }
        }
        json_decref(rows);
        if (n < LEDGER_PAGE)
            break;
    }
    if (rc == RP_OK) {
        json_t *p = json_pack("[I, I, s]", (json_int_t)id, (json_int_t)now,
                              RP_MOMENT_ERASED_SUMMARY);
        rc = s->ops->exec(s, tombstone, p, NULL, err);
        json_decref(p);
    }
    return rc;
}

rp_code rp_ledger_erase_customer(rp_ctx *ctx, int64_t customer_id, int64_t now,
                                 rp_error *err)
{
    return erase_moments(ctx, RP_Q_CUSTOMER_LEDGER_OF_CUSTOMER,
                         RP_Q_CUSTOMER_LEDGER_TOMBSTONE, customer_id, now,
                         "customer", err);
}

rp_code rp_ledger_erase_encounter(rp_ctx *ctx, int64_t encounter_id,
                                  int64_t now, rp_error *err)
{
    return erase_moments(ctx, RP_Q_CUSTOMER_LEDGER_OF_ENCOUNTER,
                         RP_Q_CUSTOMER_LEDGER_TOMBSTONE_ENCOUNTER, encounter_id,
                         now, "encounter", err);
}
