/*
 * import.c - customers from a CSV file: columns mapped onto the customer's
 * fields, each row matched, made or updated, all in one transaction.
 *
 * A row goes through the same rules as a customer made by hand
 * (rp_customer_create_in), so the import refuses exactly what the API
 * refuses, with the same words; a refused row is undone alone (a savepoint
 * per row) and the others go on.  Only a file that cannot be read to its
 * end, or a database that fails, loses the whole run.
 *
 * Matching makes a second run of the same file harmless: a row finds its
 * customer by external id, else by an email address or a phone number
 * (normalised, as identities are), and then only adds what is new.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/rapport.h"

const char *const rp_import_fields[] = {
    "external_id", "name",  "preferred_name", "email",
    "phone",       "notes", "ignore",         NULL};

/*
 * Headers known without a mapping, compared lowercase with everything but
 * letters and digits removed ("Work Phone", "work_phone" and "workphone"
 * are one).  rapport's own export; Zendesk's user import and export
 * (name, email, external_id, alias, details, notes, phone, and role,
 * organization, tags... which rapport has no place for); Freshdesk's
 * contact export (Name, Email, Work Phone, Mobile Phone, Unique External
 * ID, Description...); and common spreadsheet names.  A NULL field means
 * "known, and deliberately not imported".
 */
static const struct {
    const char *key;
    const char *field;
} known_headers[] = {
    /* rapport */
    {"externalid", "external_id"},
    {"name", "name"},
    {"preferredname", "preferred_name"},
    {"emails", "email"},
    {"phones", "phone"},
    {"notes", "notes"},
    {"id", NULL},
    {"createdat", NULL},
    {"updatedat", NULL},
    {"relationshiplevel", NULL},
    {"relationshipreasons", NULL},
    {"unconfirmed", NULL},
    /* Zendesk users */
    {"email", "email"},
    {"alias", "preferred_name"},
    {"details", "notes"},
    {"phone", "phone"},
    {"role", NULL},
    {"restriction", NULL},
    {"organization", NULL},
    {"tags", NULL},
    {"brand", NULL},
    {"timezone", NULL},
    {"locale", NULL},
    {"verified", NULL},
    {"suspended", NULL},
    {"shared", NULL},
    {"lastloginat", NULL},
    /* Freshdesk contacts */
    {"fullname", "name"},
    {"contactname", "name"},
    {"workphone", "phone"},
    {"mobilephone", "phone"},
    {"mobile", "phone"},
    {"uniqueexternalid", "external_id"},
    {"description", "notes"},
    {"about", "notes"},
    {"jobtitle", NULL},
    {"title", NULL},
    {"company", NULL},
    {"companyname", NULL},
    {"twitterid", NULL},
    {"twitter", NULL},
    {"facebookid", NULL},
    {"address", NULL},
    {"language", NULL},
    {"clientmanager", NULL},
    /* spreadsheets */
    {"emailaddress", "email"},
    {"email1", "email"},
    {"email2", "email"},
    {"phonenumber", "phone"},
    {"telephone", "phone"},
    {"customername", "name"},
    {"nickname", "preferred_name"},
    {"note", "notes"},
    {"customerid", "external_id"},
    {"customernumber", "external_id"},
};

#define NKNOWN (sizeof known_headers / sizeof known_headers[0])

/* How one column of the file is read. */
typedef struct column {
    const char *header; /* as in the file (points into names) */
    const char *field;  /* one of rp_import_fields but "ignore"; NULL */
    int known;          /* recognised or mapped, even when ignored */
} column;

typedef struct import_run {
    rp_ctx *ctx;
    rp_csv *csv;
    const rp_import_hooks *hooks;
    column *cols;
    size_t ncols;
    json_t *names; /* the headers, owned */
    json_t *report;
    json_t *refusals;
    int64_t rows, created, updated, unchanged, refused;
} import_run;

static int is_field(const char *f)
{
    for (int i = 0; rp_import_fields[i]; i++)
        if (strcmp(rp_import_fields[i], f) == 0)
            return 1;
    return 0;
}

/* The header's key: lowercase ASCII letters and digits only. */
static void header_key(const char *h, rp_buf *out)
{
    for (const char *p = h; *p; p++)
        if (isalnum((unsigned char)*p)) {
            char c = (char)tolower((unsigned char)*p);
            rp_buf_append(out, &c, 1);
        }
}

static const char *recognise(const char *header, int *known)
{
    rp_buf k = RP_BUF_INIT;
    header_key(header, &k);
    const char *field = NULL;
    *known = 0;
    for (size_t i = 0; i < NKNOWN; i++)
        if (strcmp(known_headers[i].key, rp_buf_str(&k)) == 0) {
            field = known_headers[i].field;
            *known = 1;
            break;
        }
    rp_buf_free(&k);
    return field;
}

rp_code rp_import_map_add(json_t *map, const char *spec, rp_error *err)
{
    const char *eq = strrchr(spec, '=');
    rp_buf q = RP_BUF_INIT;
    if (!eq || eq == spec) {
        rp_error_refuse(err, RP_EINVALID, "map", "not_allowed", 0,
                        "\"%s\" does not say COLUMN=FIELD (a field is one of "
                        "external_id, name, preferred_name, email, phone, "
                        "notes, ignore)",
                        rp_cut(&q, spec, 80));
        rp_buf_free(&q);
        return err->code;
    }
    rp_buf col = RP_BUF_INIT;
    rp_buf_append(&col, spec, (size_t)(eq - spec));
    json_t *v = json_string(eq + 1);
    int bad = !v || !rp_utf8_is_valid(rp_buf_str(&col), col.len);
    if (!bad)
        json_object_set_new(map, rp_buf_str(&col), v);
    rp_buf_free(&col);
    if (bad) {
        json_decref(v);
        return rp_error_refuse(err, RP_EINVALID, "map", "not_text", 0,
                               "\"%s\" is not UTF-8 text",
                               rp_cut(&q, spec, 80));
    }
    return RP_OK;
}

/* The header of column i, trimmed of white space; refused when not text. */
static rp_code read_header(import_run *r, rp_error *err)
{
    int got = 0;
    if (rp_csv_next(r->csv, &got, err))
        return err->code;
    if (!got)
        return rp_error_refuse(
            err, RP_EINVALID, "file", "unreadable", 0,
            "the file is empty: its first line must name the "
            "columns");
    r->ncols = rp_csv_count(r->csv);
    r->cols = calloc(r->ncols, sizeof *r->cols);
    r->names = json_array();
    if (!r->cols)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < r->ncols; i++) {
        size_t len;
        const char *h = rp_csv_field(r->csv, i, &len);
        if (strlen(h) != len || !rp_utf8_is_valid(h, len))
            return rp_error_refuse(err, RP_EINVALID, "file", "unreadable",
                                   rp_csv_line(r->csv),
                                   "line %lld: the name of column %zu is not "
                                   "UTF-8 text; save the file as UTF-8",
                                   (long long)rp_csv_line(r->csv), i + 1);
        while (*h == ' ' || *h == '\t')
            h++, len--;
        while (len && (h[len - 1] == ' ' || h[len - 1] == '\t'))
            len--;
        json_array_append_new(r->names, json_stringn(h, len));
    }
    for (size_t i = 0; i < r->ncols; i++)
        r->cols[i].header = json_string_value(json_array_get(r->names, i));
    return RP_OK;
}

/* Each column's field: from map when it names the header, else known by
 * its header, else ignored. */
static rp_code map_columns(import_run *r, json_t *map, rp_error *err)
{
    const char *key;
    json_t *v;
    rp_buf q = RP_BUF_INIT;
    rp_code rc = RP_OK;
    json_object_foreach(map, key, v) {
        const char *f = json_string_value(v);
        int found = 0;
        if (!f || !is_field(f)) {
            rc = RP_EINVALID;
            rp_error_refuse(err, RP_EINVALID, "map", "not_allowed", 0,
                            "\"%s\" is not a field a column can be read as: "
                            "use external_id, name, preferred_name, email, "
                            "phone, notes or ignore",
                            f ? rp_cut(&q, f, 60) : "");
            break;
        }
        for (size_t i = 0; i < r->ncols; i++)
            if (strcasecmp(r->cols[i].header, key) == 0) {
                r->cols[i].field = strcmp(f, "ignore") ? f : NULL;
                r->cols[i].known = 2;
                found = 1;
            }
        if (!found) {
            rc = RP_EINVALID;
            rp_error_refuse(err, RP_EINVALID, "map", "no_such_column", 0,
                            "the file has no column \"%s\"",
                            rp_cut(&q, key, 60));
            break;
        }
    }
    rp_buf_free(&q);
    if (rc)
        return rc;
    int named = 0;
    json_t *columns = json_array();
    for (size_t i = 0; i < r->ncols; i++) {
        column *c = &r->cols[i];
        if (c->known != 2)
            c->field = recognise(c->header, &c->known);
        named |= c->field && strcmp(c->field, "name") == 0;
        json_array_append_new(columns, json_pack("{s:s, s:s?, s:b}", "column",
                                                 c->header, "field", c->field,
                                                 "recognised", c->known != 0));
    }
    json_object_set_new(r->report, "columns", columns);
    if (!named)
        return rp_error_refuse(
            err, RP_EINVALID, "map", "no_name_column", 0,
            "no column gives the customer's name: map one to "
            "name (COLUMN=name)");
    return RP_OK;
}

/* Refuse the row: why in words, rule the stable reason (one of
 * rp_error_reasons, for a client to say it in its own words; NULL for
 * none) and limit its limit (0: none). */
static void refuse(import_run *r, const char *column, const char *field,
                   const char *why, const char *rule, long long limit)
{
    r->refused++;
    if (json_array_size(r->refusals) < RP_IMPORT_MAX_REPORTED) {
        json_t *x = json_pack("{s:I, s:s?, s:s?, s:s}", "line",
                              (json_int_t)rp_csv_line(r->csv), "column", column,
                              "field", field, "reason", why);
        if (rule && *rule)
            json_object_set_new(x, "rule", json_string(rule));
        if (limit)
            json_object_set_new(x, "limit", json_integer(limit));
        json_array_append_new(r->refusals, x);
    }
    if (r->hooks && r->hooks->refused) {
        rp_buf b = RP_BUF_INIT;
        if (column)
            rp_buf_printf(&b, "column \"%s\": ", column);
        rp_buf_puts(&b, why);
        r->hooks->refused(r->hooks->arg, rp_csv_line(r->csv), field,
                          rp_buf_str(&b));
        rp_buf_free(&b);
    }
}

/* The customer field a column feeds. */
static const char *in_key(const char *field)
{
    return strcmp(field, "email") == 0   ? "emails"
           : strcmp(field, "phone") == 0 ? "phones"
                                         : field;
}

/* The column a customer field came from, to name it in a refusal. */
static const char *column_of(import_run *r, const char *key)
{
    for (size_t i = 0; key && i < r->ncols; i++)
        if (r->cols[i].field && strcmp(in_key(r->cols[i].field), key) == 0)
            return r->cols[i].header;
    return NULL;
}

/* Split a cell of addresses or numbers on ',' and ';' into list. */
static void add_items(json_t *list, const char *s)
{
    while (*s) {
        size_t n = strcspn(s, ",;");
        const char *a = s, *b = s + n;
        while (a < b && isspace((unsigned char)*a))
            a++;
        while (b > a && isspace((unsigned char)b[-1]))
            b--;
        if (b > a)
            json_array_append_new(list, json_stringn(a, (size_t)(b - a)));
        s += n + (s[n] != '\0');
    }
}

/* The row as a customer's fields into *in; 0, or -1 when refused. */
static int row_fields(import_run *r, json_t **in)
{
    json_t *o = json_object();
    for (size_t i = 0; i < r->ncols; i++) {
        const column *c = &r->cols[i];
        size_t len;
        const char *v = rp_csv_field(r->csv, i, &len);
        if (!c->field || len == 0)
            continue;
        if (strlen(v) != len || !rp_utf8_is_valid(v, len)) {
            rp_buf why = RP_BUF_INIT;
            if (strlen(v) != len)
                rp_buf_puts(&why, "holds a NUL byte");
            else
                rp_buf_printf(&why,
                              "is not UTF-8 text (byte %zu is not part of a "
                              "character); save the file as UTF-8",
                              rp_utf8_valid_prefix(v, len) + 1);
            refuse(r, c->header, in_key(c->field), rp_buf_str(&why), "not_text",
                   0);
            rp_buf_free(&why);
            json_decref(o);
            return -1;
        }
        const char *key = in_key(c->field);
        if (strcmp(c->field, "email") == 0 || strcmp(c->field, "phone") == 0) {
            json_t *list = json_object_get(o, key);
            if (!list)
                json_object_set_new(o, key, list = json_array());
            add_items(list, v);
            continue;
        }
        if (rp_text_is_blank(v))
            continue;
        json_t *had = json_object_get(o, key);
        if (had && strcmp(key, "notes") == 0) { /* details and notes */
            rp_buf b = RP_BUF_INIT;
            rp_buf_printf(&b, "%s\n\n%s", json_string_value(had), v);
            json_object_set_new(o, key, json_string(rp_buf_str(&b)));
            rp_buf_free(&b);
        } else if (!had) {
            json_object_set_new(o, key, json_string(v));
        }
    }
    *in = o;
    return 0;
}

/* The customer the row names: by external id, else by an email address or
 * phone number; 0 when none. */
static rp_code find_match(import_run *r, json_t *in, int64_t *id, rp_error *err)
{
    *id = 0;
    json_t *ext = json_object_get(in, "external_id");
    if (ext) {
        json_t *params = json_pack("[O]", ext), *rows = NULL;
        rp_code rc = r->ctx->store->ops->query(
            r->ctx->store, RP_Q_CUSTOMER_BY_EXTERNAL_ID, params, &rows, err);
        json_decref(params);
        *id = json_integer_value(
            json_object_get(json_array_get(rows, 0), "id"));
        json_decref(rows);
        if (rc || *id)
            return rc;
    }
    static const char *const kinds[][2] = {{"emails", "email"},
                                           {"phones", "phone"}};
    for (int k = 0; k < 2; k++) {
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(in, kinds[k][0]), i, v) {
            int64_t identity = 0;
            if (rp_identity_find(r->ctx, kinds[k][1], json_string_value(v), id,
                                 &identity, err))
                return err->code;
            if (*id)
                return RP_OK;
        }
    }
    return RP_OK;
}

/* Add to list (the customer's, borrowed) the items of add this customer
 * does not have yet; 1 when any was added. */
static int merge_items(rp_ctx *ctx, int64_t id, const char *kind, json_t *list,
                       json_t *add, rp_error *err, rp_code *rc)
{
    int added = 0;
    size_t i;
    json_t *v;
    json_array_foreach(add, i, v) {
        int64_t owner = 0, identity = 0;
        if ((*rc = rp_identity_find(ctx, kind, json_string_value(v), &owner,
                                    &identity, err)))
            return added;
        if (owner == id)
            continue;
        /* another's, or nobody's: the customer's rules say which */
        json_array_append(list, v);
        added = 1;
    }
    return added;
}

/* What the row says that customer id does not have yet, as the fields of
 * an update (empty when nothing). */
static rp_code changes_for(import_run *r, int64_t id, json_t *in,
                           json_t **changes, rp_error *err)
{
    json_t *cur;
    if (rp_customer_get(r->ctx, id, &cur, err))
        return err->code;
    json_t *ch = json_object();
    static const char *const texts[] = {"name", "preferred_name", "notes",
                                        "external_id", NULL};
    for (int i = 0; texts[i]; i++) {
        json_t *v = json_object_get(in, texts[i]);
        if (v && !json_equal(v, json_object_get(cur, texts[i])))
            json_object_set(ch, texts[i], v);
    }
    rp_code rc = RP_OK;
    static const char *const lists[][2] = {{"emails", "email"},
                                           {"phones", "phone"}};
    for (int k = 0; k < 2 && rc == RP_OK; k++) {
        json_t *list = json_deep_copy(json_object_get(cur, lists[k][0]));
        if (!json_is_array(list)) {
            json_decref(list);
            list = json_array();
        }
        if (merge_items(r->ctx, id, lists[k][1], list,
                        json_object_get(in, lists[k][0]), err, &rc))
            json_object_set(ch, lists[k][0], list);
        json_decref(list);
    }
    json_decref(cur);
    if (rc) {
        json_decref(ch);
        return rc;
    }
    *changes = ch;
    return RP_OK;
}

/* A refusal by a rule is the row's; anything else stops the import. */
static int is_refusal(rp_code code)
{
    return code == RP_EINVALID || code == RP_ECONFLICT || code == RP_ETYPE ||
           code == RP_ENOTFOUND;
}

/* A row with an external id that found customer id by an address or a
 * number: refused when the customer came with another external id (two
 * people of the other system sharing an address). */
static rp_code conflicting_external_id(import_run *r, int64_t id, json_t *in,
                                       rp_error *err)
{
    json_t *ext = json_object_get(in, "external_id"), *cur;
    if (!ext)
        return RP_OK;
    if (rp_customer_get(r->ctx, id, &cur, err))
        return err->code;
    json_t *had = json_object_get(cur, "external_id");
    rp_code rc = RP_OK;
    if (json_is_string(had) && !json_equal(had, ext)) {
        rp_buf a = RP_BUF_INIT, b = RP_BUF_INIT;
        rc = rp_error_refuse(err, RP_ECONFLICT, "external_id", "taken", 0,
                             "the row's external id \"%s\" differs from "
                             "\"%s\", that of customer %lld, who has its email "
                             "address or phone number",
                             rp_cut(&a, json_string_value(ext), 60),
                             rp_cut(&b, json_string_value(had), 60),
                             (long long)id);
        rp_buf_free(&a);
        rp_buf_free(&b);
    }
    json_decref(cur);
    return rc;
}

/* One row, inside its savepoint. */
static rp_code import_row(import_run *r, json_t *in, rp_error *err)
{
    int64_t id = 0;
    if (find_match(r, in, &id, err))
        return err->code;
    if (!id) {
        if (rp_customer_create_in(r->ctx, in, &id, err))
            return err->code;
        r->created++;
        return RP_OK;
    }
    json_t *ch = NULL;
    if (conflicting_external_id(r, id, in, err) ||
        changes_for(r, id, in, &ch, err))
        return err->code;
    rp_code rc = RP_OK;
    if (json_object_size(ch) == 0)
        r->unchanged++;
    else if ((rc = rp_customer_update_in(r->ctx, id, ch, err)) == RP_OK)
        r->updated++;
    json_decref(ch);
    return rc;
}

static void progress(import_run *r)
{
    if (r->hooks && r->hooks->progress)
        r->hooks->progress(r->hooks->arg, rp_csv_offset(r->csv), r->rows);
}

/* Every row after the header; RP_OK, or the fatal error. */
static rp_code import_rows(import_run *r, rp_error *err)
{
    rp_store *s = r->ctx->store;
    for (;;) {
        int got = 0;
        if (rp_csv_next(r->csv, &got, err))
            return err->code;
        if (!got)
            return RP_OK;
        r->rows++;
        if (r->rows % 500 == 0)
            progress(r);
        if (rp_csv_problem(r->csv)) {
            refuse(r, NULL, NULL, rp_csv_problem(r->csv), "unreadable", 0);
            continue;
        }
        if (rp_csv_count(r->csv) != r->ncols) {
            rp_buf why = RP_BUF_INIT;
            rp_buf_printf(&why,
                          "the row has %zu fields where the header has "
                          "%zu",
                          rp_csv_count(r->csv), r->ncols);
            refuse(r, NULL, NULL, rp_buf_str(&why), "unreadable", 0);
            rp_buf_free(&why);
            continue;
        }
        json_t *in = NULL;
        if (row_fields(r, &in))
            continue;
        if (s->ops->mark(s, err)) {
            json_decref(in);
            return err->code;
        }
        rp_error rerr;
        rp_error_clear(&rerr);
        rp_code rc = import_row(r, in, &rerr);
        json_decref(in);
        if (rc == RP_OK) {
            if (s->ops->unmark(s, err))
                return err->code;
            continue;
        }
        s->ops->undo_to_mark(s);
        if (!is_refusal(rc)) {
            *err = rerr;
            return rc;
        }
        refuse(r, column_of(r, rerr.field[0] ? rerr.field : NULL),
               rerr.field[0] ? rerr.field : NULL, rerr.message, rerr.reason,
               rerr.limit);
    }
}

rp_code rp_import_customers(rp_ctx *ctx, rp_csv *c, json_t *map, int dry_run,
                            const rp_import_hooks *hooks, json_t **out,
                            rp_error *err)
{
    import_run r = {.ctx = ctx, .csv = c, .hooks = hooks};
    r.report = json_object();
    r.refusals = json_array();
    rp_error_clear(err);
    rp_code rc = read_header(&r, err);
    if (rc == RP_OK)
        rc = map_columns(&r, map, err);
    if (rc == RP_OK && (rc = rp_store_begin(ctx->store, err)) == RP_OK) {
        rc = rp_desk_settings_pin(ctx, err);
        if (rc == RP_OK)
            rc = import_rows(&r, err);
        rp_desk_settings_unpin(ctx);
        if (rc == RP_OK && dry_run) {
            rp_store_rollback(ctx->store);
        } else {
            rc = rp_store_finish(ctx->store, rc, err);
        }
    }
    progress(&r);
    if (rc == RP_OK) {
        char delim[2] = {rp_csv_delimiter(c), 0};
        json_object_set_new(r.report, "dry_run", json_boolean(dry_run));
        json_object_set_new(r.report, "rows", json_integer(r.rows));
        json_object_set_new(r.report, "created", json_integer(r.created));
        json_object_set_new(r.report, "updated", json_integer(r.updated));
        json_object_set_new(r.report, "unchanged", json_integer(r.unchanged));
        json_object_set_new(r.report, "refused", json_integer(r.refused));
        json_object_set(r.report, "refusals", r.refusals);
        json_object_set_new(r.report, "delimiter", json_string(delim));
        *out = r.report;
        r.report = NULL;
    }
    json_decref(r.report);
    json_decref(r.refusals);
    json_decref(r.names);
    free(r.cols);
    return rc;
}
