/*
 * copy.c - moving a whole desk into another database (`rapport store copy
 * sqlite:desk.db postgres://...`), the way a desk that outgrew one
 * machine moves onto PostgreSQL.
 *
 * The store reads and writes the rows (the copy_* operations of
 * store.h); this file holds the rules of a copy: what may be copied into
 * what (same schema version, an empty target or its own unfinished copy),
 * the batches and the progress that lets a stopped copy go on, and the
 * checks at the end that prove the copy is the desk (rows per table, a
 * hash of every moment of the ledger, the ledger's chain verified on the
 * copy).  Tables come from the live schema of both databases, never from
 * a list here, so a table a later migration adds is copied, and a table
 * only one side has stops the copy instead of being left behind.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/customer/customer.h"
#include "core/transfer/transfer.h"

/* The two databases of a copy, and what is known of them. */
typedef struct copy_job {
    rp_store *source, *target;
    char *source_name; /* as it may be shown and recorded in the target */
    json_t *plan;      /* [{"name","columns","source_key","target_key",
                          "seeded","total"}] */
    json_t *progress;  /* the target's, or NULL for a new copy */
    const rp_copy_opts *o;
    rp_copy_progress told;
    int64_t batches, rows;
} copy_job;

/* The table named in tables (an array of copy_tables), or NULL. */
static json_t *find_table(json_t *tables, const char *name)
{
    size_t i;
    json_t *t;
    json_array_foreach(tables, i, t) {
        if (strcmp(json_string_value(json_object_get(t, "name")), name) == 0)
            return t;
    }
    return NULL;
}

/* Does the array of names a hold the name? */
static int has_name(const json_t *a, const char *name)
{
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v) {
        if (strcmp(json_string_value(v), name) == 0)
            return 1;
    }
    return 0;
}

/* Same names, in any order? */
static int same_names(const json_t *a, const json_t *b)
{
    size_t i;
    const json_t *v;
    if (json_array_size(a) != json_array_size(b))
        return 0;
    json_array_foreach(a, i, v) {
        if (!has_name(b, json_string_value(v)))
            return 0;
    }
    return 1;
}

/* The plan: every table of both schemas, which must be the same tables
 * with the same columns. */
static rp_code make_plan(copy_job *j, rp_error *err)
{
    json_t *from = NULL, *to = NULL;
    if (j->source->ops->copy_tables(j->source, &from, err))
        return err->code;
    if (j->target->ops->copy_tables(j->target, &to, err)) {
        json_decref(from);
        return err->code;
    }
    rp_code code = RP_OK;
    j->plan = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(from, i, t) {
        const char *name = json_string_value(json_object_get(t, "name"));
        json_t *u = find_table(to, name);
        if (!u || !same_names(json_object_get(t, "columns"),
                              json_object_get(u, "columns"))) {
            code = rp_error_set(
                err, RP_ESCHEMA, "target",
                "the two databases' schemas differ (table "
                "%s %s): both must be made by the same "
                "rapport",
                name, u ? "has other columns" : "is missing in the target");
            break;
        }
        json_array_append_new(
            j->plan, json_pack("{s:s, s:O, s:O, s:O, s:O}", "name", name,
                               "columns", json_object_get(t, "columns"),
                               "source_key", json_object_get(t, "key"),
                               "target_key", json_object_get(u, "key"),
                               "seeded", json_object_get(u, "seeded")));
    }
    json_array_foreach(to, i, t) {
        const char *name = json_string_value(json_object_get(t, "name"));
        if (!code && !find_table(from, name))
            code = rp_error_set(err, RP_ESCHEMA, "source",
                                "the two databases' schemas differ (table "
                                "%s is missing in the source): both must be "
                                "made by the same rapport",
                                name);
    }
    json_decref(from);
    json_decref(to);
    return code;
}

/* The table as one side reads it: the plan's columns, that side's key. */
static json_t *as_read(const json_t *t, const char *key)
{
    return json_pack("{s:O, s:O, s:O}", "name", json_object_get(t, "name"),
                     "columns", json_object_get(t, "columns"), "key",
                     json_object_get(t, key));
}

/* Refuse a target that holds anything but what its migrations seeded. */
static rp_code check_empty(copy_job *j, rp_error *err)
{
    rp_buf held = RP_BUF_INIT;
    int found = 0;
    size_t i;
    json_t *t;
    json_array_foreach(j->plan, i, t) {
        if (json_is_true(json_object_get(t, "seeded")))
            continue;
        int64_t n = 0;
        const char *name = json_string_value(json_object_get(t, "name"));
        if (j->target->ops->copy_count(j->target, name, &n, err)) {
            rp_buf_free(&held);
            return err->code;
        }
        if (n > 0 && found++ < 3)
            rp_buf_printf(&held, "%s%s: %lld row%s", found > 1 ? ", " : "",
                          name, (long long)n, n == 1 ? "" : "s");
    }
    rp_code code = RP_OK;
    if (found)
        code = rp_error_set(err, RP_ECONFLICT, "target",
                            "the target already holds a desk (%s%s); a copy "
                            "goes only into a new, empty database, so that "
                            "nothing in it is mixed with or overwritten by "
                            "the copy: create an empty database and copy "
                            "into that",
                            rp_buf_str(&held), found > 3 ? ", ..." : "");
    rp_buf_free(&held);
    return code;
}

/* Count the source's rows of every table into the plan. */
static rp_code count_source(copy_job *j, rp_error *err)
{
    size_t i;
    json_t *t;
    json_array_foreach(j->plan, i, t) {
        int64_t n = 0;
        if (j->source->ops->copy_count(
                j->source, json_string_value(json_object_get(t, "name")), &n,
                err))
            return err->code;
        json_object_set_new(t, "total", json_integer(n));
        j->told.total += n;
    }
    j->told.tables = (int)json_array_size(j->plan);
    return RP_OK;
}

/* Copy what is left of table t, a batch per transaction; *stopped is set
 * when the batches allowed are spent. */
static rp_code copy_table(copy_job *j, json_t *t, int *stopped, rp_error *err)
{
    const char *name = json_string_value(json_object_get(t, "name"));
    json_t *state = j->progress
                        ? json_object_get(
                              json_object_get(j->progress, "tables"), name)
                        : NULL;
    int64_t copied = state ? json_integer_value(json_object_get(state, "rows"))
                           : 0;
    j->told.table = name;
    j->told.table_total = json_integer_value(json_object_get(t, "total"));
    j->told.rows += copied;
    if (state && json_is_true(json_object_get(state, "done"))) {
        j->told.tables_done++;
        return RP_OK;
    }
    json_t *after = state ? json_incref(json_object_get(state, "after")) : NULL;
    if (json_is_null(after)) {
        json_decref(after);
        after = NULL;
    }
    int first = !state, limit = j->o->batch_rows;
    json_t *reading = as_read(t, "source_key"),
           *writing = as_read(t, "target_key");
    rp_code code = RP_OK;
    for (int done = 0; !done && !code;) {
        if (j->o->max_batches && j->batches >= j->o->max_batches) {
            *stopped = 1;
            break;
        }
        json_t *rows = NULL, *last = NULL;
        code = j->source->ops->copy_read(j->source, reading, after, limit,
                                         &rows, &last, err);
        if (code)
            break;
        int64_t n = (int64_t)json_array_size(rows);
        done = n < limit;
        code = j->target->ops->copy_write(j->target, j->source_name, writing,
                                          rows, first, last, copied + n, done,
                                          err);
        json_decref(rows);
        if (code) {
            json_decref(last);
            break;
        }
        first = 0;
        copied += n;
        j->rows += n;
        j->batches++;
        if (!json_is_null(last)) {
            json_decref(after);
            after = last;
        } else
            json_decref(last);
        j->told.rows += n;
        j->told.table_rows = copied;
        j->told.tables_done += done;
        if (j->o->progress)
            j->o->progress(j->o->arg, &j->told);
    }
    json_decref(after);
    json_decref(reading);
    json_decref(writing);
    return code;
}

/* Hash every moment of side (source or target) in id order, and note the
 * last one's id and chain hash. */
static rp_code hash_ledger(rp_store *s, const json_t *moments, const char *key,
                           int limit, char hex[65], int64_t *count,
                           json_t **head, rp_error *err)
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    json_t *table = as_read(moments, key), *after = NULL;
    const json_t *columns = json_object_get(moments, "columns");
    size_t id_at = 0, chain_at = 0, i;
    const json_t *c;
    json_array_foreach(columns, i, c) {
        if (strcmp(json_string_value(c), "id") == 0)
            id_at = i;
        if (strcmp(json_string_value(c), "chain_hash") == 0)
            chain_at = i;
    }
    *count = 0;
    *head = json_null();
    rp_code code = RP_OK;
    for (int done = 0; !done && !code;) {
        json_t *rows = NULL, *last = NULL;
        code = s->ops->copy_read(s, table, after, limit, &rows, &last, err);
        if (code)
            break;
        json_t *row;
        json_array_foreach(rows, i, row) {
            char *text = json_dumps(row, JSON_COMPACT | JSON_ENCODE_ANY);
            if (!text) {
                code = rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
                break;
            }
            crypto_hash_sha256_update(&h, (const unsigned char *)text,
                                      strlen(text));
            crypto_hash_sha256_update(&h, (const unsigned char *)"\n", 1);
            free(text);
            json_decref(*head);
            *head = json_pack("{s:O, s:O}", "id", json_array_get(row, id_at),
                              "chain_hash", json_array_get(row, chain_at));
        }
        *count += (int64_t)json_array_size(rows);
        done = (int)json_array_size(rows) < limit;
        json_decref(rows);
        if (!json_is_null(last)) {
            json_decref(after);
            after = last;
        } else
            json_decref(last);
    }
    json_decref(after);
    json_decref(table);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(hex, 65, digest, sizeof digest);
    return code;
}

/* The checks of a finished copy, into report. */
static rp_code verify(copy_job *j, json_t *report, rp_error *err)
{
    json_t *tables = json_array();
    json_object_set_new(report, "tables", tables);
    size_t i;
    json_t *t, *moments = NULL;
    json_array_foreach(j->plan, i, t) {
        const char *name = json_string_value(json_object_get(t, "name"));
        int64_t from = 0, to = 0;
        if (j->source->ops->copy_count(j->source, name, &from, err) ||
            j->target->ops->copy_count(j->target, name, &to, err))
            return err->code;
        json_array_append_new(tables, json_pack("{s:s, s:I, s:I}", "name", name,
                                                "source_rows", (json_int_t)from,
                                                "target_rows", (json_int_t)to));
        if (from != to)
            return rp_error_set(err, RP_ECONFLICT, "target",
                                "the copy differs from the source: table %s "
                                "has %lld rows in the source and %lld in the "
                                "copy (was the source changed while it was "
                                "copied?)",
                                name, (long long)from, (long long)to);
        if (strcmp(name, "moments") == 0)
            moments = t;
    }
    if (!moments)
        return rp_error_set(err, RP_ESCHEMA, "source",
                            "the source has no ledger of moments");
    char src_hex[65], dst_hex[65];
    int64_t src_n = 0, dst_n = 0;
    json_t *src_head = NULL, *dst_head = NULL;
    int limit = j->o->batch_rows;
    rp_code code = hash_ledger(j->source, moments, "source_key", limit, src_hex,
                               &src_n, &src_head, err);
    if (!code)
        code = hash_ledger(j->target, moments, "target_key", limit, dst_hex,
                           &dst_n, &dst_head, err);
    if (!code && (src_n != dst_n || strcmp(src_hex, dst_hex) != 0))
        code = rp_error_set(err, RP_ECONFLICT, "target",
                            "the copy's ledger of moments differs from the "
                            "source's (%lld moments hash to %.12s... in the "
                            "source, %lld to %.12s... in the copy)",
                            (long long)src_n, src_hex, (long long)dst_n,
                            dst_hex);
    json_t *checked = NULL;
    if (!code) {
        rp_ctx ctx = {.store = j->target, .actor = "cli"};
        int64_t head_id = json_integer_value(json_object_get(src_head, "id"));
        const char *head_hash = json_string_value(
            json_object_get(src_head, "chain_hash"));
        code = rp_ledger_verify(&ctx, head_hash ? head_id : 0, head_hash,
                                &checked, err);
    }
    if (!code) {
        int ok = json_is_true(json_object_get(checked, "ok"));
        json_object_set_new(
            report, "ledger",
            json_pack("{s:I, s:s, s:O, s:O, s:b}", "moments", (json_int_t)src_n,
                      "sha256", src_hex, "head_id",
                      json_object_get(src_head, "id"), "head_hash",
                      json_object_get(src_head, "chain_hash"), "verified", ok));
        if (!ok)
            code = rp_error_set(err, RP_ECONFLICT, "target",
                                "the copy's ledger of moments does not "
                                "verify (rapport ledger verify on the "
                                "target names each moment at fault)");
    }
    json_decref(checked);
    json_decref(src_head);
    json_decref(dst_head);
    return code;
}

/* err, now naming which database it is about (field). */
static rp_code about(rp_error *err, const char *field)
{
    snprintf(err->field, sizeof err->field, "%s", field);
    return err->code;
}

/* Refuse what cannot be copied, looking at both databases before either
 * is opened (opening would migrate them). */
static rp_code check_versions(const char *source, const char *target,
                              rp_error *err)
{
    json_t *from = NULL, *to = NULL;
    if (rp_store_describe(source, &from, err))
        return about(err, "source");
    rp_code code = RP_OK;
    int have = (int)json_integer_value(json_object_get(from, "schema_version"));
    int latest = (int)json_integer_value(
        json_object_get(from, "latest_schema_version"));
    if (!json_is_true(json_object_get(from, "exists")) || have == 0)
        code = rp_error_set(err, RP_EINVALID, "source",
                            "there is no desk at the source to copy");
    else if (have != latest)
        code = rp_error_set(err, RP_ESCHEMA, "source",
                            "the source is at schema version %d and this "
                            "rapport at %d: open the source once with this "
                            "rapport (rapportd, or any rapport command with "
                            "--db SOURCE, migrates it), then copy",
                            have, latest);
    if (!code && rp_store_describe(target, &to, err))
        code = about(err, "target");
    if (!code && !json_is_true(json_object_get(to, "copy_target")))
        code = rp_error_set(err, RP_EINVALID, "target",
                            "a copy goes into a PostgreSQL database "
                            "(postgres://... or a keyword string such as "
                            "\"host=... dbname=...\"); a SQLite desk is "
                            "copied whole by rapport backup");
    if (!code) {
        int there = (int)json_integer_value(
            json_object_get(to, "schema_version"));
        if (there != 0 && there != have)
            code = rp_error_set(err, RP_ESCHEMA, "target",
                                "the target is at schema version %d and the "
                                "source at %d: a copy goes into an empty "
                                "database or one at the source's version",
                                there, have);
    }
    json_decref(from);
    json_decref(to);
    return code;
}

/* Open both databases and refuse a target that cannot take the copy. */
static rp_code open_both(copy_job *j, const char *source, const char *target,
                         rp_error *err)
{
    if (rp_store_open(source, &j->source, err))
        return about(err, "source");
    if (rp_store_open(target, &j->target, err))
        return about(err, "target");
    if (!j->source->ops->copy_tables || !j->target->ops->copy_write)
        return rp_error_set(err, RP_EINVALID, "target",
                            "this database cannot take a copy");
    return RP_OK;
}

/* Is this the target's own unfinished copy of this source?  Otherwise
 * the target must be empty. */
static rp_code check_target(copy_job *j, rp_error *err)
{
    if (j->target->ops->copy_progress(j->target, &j->progress, err))
        return err->code;
    if (!j->progress)
        return check_empty(j, err);
    const char *from = json_string_value(
        json_object_get(j->progress, "source"));
    if (from && strcmp(from, j->source_name) != 0)
        return rp_error_set(err, RP_ECONFLICT, "target",
                            "the target holds an unfinished copy of another "
                            "database (%s); finish that copy by running it "
                            "again, or copy into a new, empty database",
                            from);
    return RP_OK;
}

rp_code rp_transfer_copy(const char *source, const char *target,
                         const rp_copy_opts *o, json_t **report, rp_error *err)
{
    rp_copy_opts opts = *o;
    if (opts.batch_rows <= 0)
        opts.batch_rows = RP_COPY_BATCH_ROWS;
    if (strcmp(source, target) == 0)
        return rp_error_set(err, RP_EINVALID, "target",
                            "the source and the target are the same "
                            "database");
    if (check_versions(source, target, err))
        return err->code;
    copy_job j = {.o = &opts};
    rp_buf shown = RP_BUF_INIT, shown_target = RP_BUF_INIT;
    rp_store_display_name(source, &shown);
    rp_store_display_name(target, &shown_target);
    j.source_name = rp_buf_steal(&shown);
    rp_code code = open_both(&j, source, target, err);
    if (!code)
        code = make_plan(&j, err);
    if (!code)
        code = check_target(&j, err);
    if (!code)
        code = count_source(&j, err);
    int stopped = 0;
    size_t i;
    json_t *t;
    json_array_foreach(j.plan, i, t) {
        if (code || stopped)
            break;
        code = copy_table(&j, t, &stopped, err);
    }
    json_t *out = NULL;
    if (!code) {
        out = json_pack("{s:s, s:s, s:b, s:b, s:I, s:I}", "source",
                        j.source_name, "target", rp_buf_str(&shown_target),
                        "complete", !stopped, "resumed", j.progress != NULL,
                        "batches", (json_int_t)j.batches, "rows",
                        (json_int_t)j.rows);
        if (!stopped)
            code = j.target->ops->copy_seal(j.target, err);
        if (!code && !stopped)
            code = verify(&j, out, err);
        if (!code && !stopped)
            code = j.target->ops->copy_forget(j.target, err);
    }
    rp_buf_free(&shown_target);
    free(j.source_name);
    json_decref(j.plan);
    json_decref(j.progress);
    rp_store_close(j.source);
    rp_store_close(j.target);
    if (code) {
        json_decref(out);
        return code;
    }
    *report = out;
    return RP_OK;
}
