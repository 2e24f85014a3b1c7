/*
 * export.c - the customer's archive and its readable page (export.h).
 *
 * One table of sections says where each part of the archive comes from:
 * an entity of the catalogue (read page by page, so a long history is
 * read in bounded steps, typed as the catalogue says) or a named query.
 * A section is named after its table, so that what the archive holds can
 * be checked against the database table by table, and a new table of
 * customer data is one more line here.
 */
#include "core/export/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/audit/audit.h"
#include "core/customer/customer.h"

/* Where a section of the archive comes from. */
typedef struct section {
    const char *name;    /* the key, and the table it comes from */
    const rp_entity *e;  /* read by customer_id, or NULL */
    rp_query q;          /* else this query, with the customer's id */
    const char *heading; /* on the readable page */
    const char *secret;  /* a column never exported, or NULL */
} section;

static const section sections[] = {
    {"identities", &RP_ENTITY_IDENTITY, 0,
     "Your email addresses and phone numbers", NULL},
    {"preferences", &RP_ENTITY_PREFERENCE, 0, "Your preferences", NULL},
    {"goals", &RP_ENTITY_GOAL, 0, "Your goals", NULL},
    {"important_dates", &RP_ENTITY_DATE, 0, "Your important dates", NULL},
    {"consents", &RP_ENTITY_CONSENT, 0,
     "What you agreed to (the history of each is in the moments below)", NULL},
    {"encounters", &RP_ENTITY_ENCOUNTER, 0, "Your requests and visits", NULL},
    {"encounter_transfers", &RP_ENTITY_TRANSFER, 0,
     "When your request was handed to someone else", NULL},
    {"defects", &RP_ENTITY_DEFECT, 0, "What went wrong", NULL},
    {"special_requests", &RP_ENTITY_SPECIAL_REQUEST, 0, "Your special requests",
     NULL},
    {"promises", &RP_ENTITY_PROMISE, 0, "What we promised you", NULL},
    {"messages", &RP_ENTITY_MESSAGE, 0, "The conversations", NULL},
    {"attachments", &RP_ENTITY_ATTACHMENT, 0, "The files", NULL},
    {"moments", &RP_ENTITY_MOMENT, 0, "Everything that happened, in order",
     NULL},
    {"tasks", &RP_ENTITY_TASK, 0,
     "Reminders and messages we planned or sent you", NULL},
    {"satisfaction_checks", &RP_ENTITY_SATISFACTION, 0,
     "What you told us about our service", "token_hash"},
    {"relationship_levels", &RP_ENTITY_RELATIONSHIP_LEVEL, 0,
     "How our relationship grew", NULL},
    {"offers", &RP_ENTITY_OFFER, 0, "What we recommended to you", NULL},
    {"events", &RP_ENTITY_EVENT, 0, "What we told our other systems about you",
     NULL},
    {"help_links", NULL, RP_Q_EXPORT_HELP_LINKS,
     "The links to your requests' pages", NULL},
    {"export_requests", NULL, RP_Q_EXPORT_REQUESTS_OF,
     "Your requests for this copy of your data", NULL},
    {"erasure_requests", NULL, RP_Q_EXPORT_ERASURE_REQUESTS_OF,
     "Requests to erase your data", NULL},
};

#define PAGE 500

/* Every row of e with this customer_id, in id order. */
static rp_code rows_of_entity(rp_store *s, const rp_entity *e, int64_t id,
                              json_t **out, rp_error *err)
{
    json_t *all = json_array(), *value = json_integer((json_int_t)id);
    rp_filter f = {"customer_id", RP_FILTER_EQ, value};
    rp_page page = {0, 0, PAGE};
    rp_code rc = RP_OK;
    for (;;) {
        json_t *rows;
        if ((rc = s->ops->list(s, e, &f, 1, &page, &rows, err)))
            break;
        size_t n = json_array_size(rows);
        json_array_extend(all, rows);
        if (n)
            page.after_id = json_integer_value(
                json_object_get(json_array_get(rows, n - 1), "id"));
        json_decref(rows);
        if (n < PAGE)
            break;
    }
    json_decref(value);
    if (rc) {
        json_decref(all);
        return rc;
    }
    *out = all;
    return RP_OK;
}

/* Each attachment's content as base64, as the store keeps it. */
static rp_code add_contents(rp_store *s, json_t *attachments, rp_error *err)
{
    size_t i;
    json_t *a;
    json_array_foreach(attachments, i, a) {
        json_t *blob;
        int64_t blob_id = json_integer_value(json_object_get(a, "blob_id"));
        if (!blob_id) {
            json_object_set_new(a, "data_base64", json_null());
            continue;
        }
        rp_code rc = s->ops->get(s, &RP_ENTITY_ATTACHMENT_BLOB, blob_id, &blob,
                                 err);
        if (rc == RP_ENOTFOUND) {
            json_object_set_new(a, "data_base64", json_null());
            continue;
        }
        if (rc)
            return rc;
        json_object_set(a, "data_base64", json_object_get(blob, "data"));
        json_decref(blob);
    }
    return RP_OK;
}

static int oldest_first(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t **)a, "id"));
    json_int_t y = json_integer_value(json_object_get(*(json_t **)b, "id"));
    return x < y ? -1 : x > y ? 1 : 0;
}

/* rows in id order: the rows of several customers put together. */
static rp_code sort_by_id(json_t *rows, rp_error *err)
{
    size_t n = json_array_size(rows);
    json_t **items = malloc((n ? n : 1) * sizeof *items);
    if (!items)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < n; i++)
        items[i] = json_incref(json_array_get(rows, i));
    qsort(items, n, sizeof *items, oldest_first);
    json_array_clear(rows);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(rows, items[i]);
    free(items);
    return RP_OK;
}

/* The section's rows of one of the customer's ids. */
static rp_code rows_of_id(rp_store *s, const section *sec, int64_t id,
                          json_t **rows, rp_error *err)
{
    if (sec->e)
        return rows_of_entity(s, sec->e, id, rows, err);
    json_t *p = json_pack("[I]", (json_int_t)id);
    rp_code rc = s->ops->query(s, sec->q, p, rows, err);
    json_decref(p);
    return rc;
}

/* A section holds the rows of the customer and of every customer merged
 * into them (ids): the moments of those stay theirs in the sealed ledger. */
static rp_code fill_section(rp_store *s, const section *sec, json_t *ids,
                            json_t *archive, rp_error *err)
{
    json_t *rows = json_array();
    rp_code rc = RP_OK;
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id) {
        json_t *some = NULL;
        if ((rc = rows_of_id(s, sec, json_integer_value(id), &some, err)))
            break;
        json_array_extend(rows, some);
        json_decref(some);
    }
    if (rc == RP_OK && json_array_size(ids) > 1)
        rc = sort_by_id(rows, err);
    if (rc) {
        json_decref(rows);
        return rc;
    }
    if (sec->secret) {
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
            json_object_del(row, sec->secret);
    }
    if (sec->e == &RP_ENTITY_ATTACHMENT && (rc = add_contents(s, rows, err))) {
        json_decref(rows);
        return rc;
    }
    json_object_set_new(archive, sec->name, rows);
    return RP_OK;
}

/* Who looked at or changed the customer's data: the audit log's entries,
 * with the agent's name and in words, without the agents' addresses. */
static rp_code fill_audit(rp_ctx *ctx, json_t *ids, json_t *archive,
                          rp_error *err)
{
    json_t *rows = json_array();
    size_t k;
    json_t *id;
    json_array_foreach(ids, k, id) {
        json_t *some;
        if (rp_audit_of_customer(ctx, json_integer_value(id), &some, err)) {
            json_decref(rows);
            return err->code;
        }
        json_array_extend(rows, some);
        json_decref(some);
    }
    if (json_array_size(ids) > 1 && sort_by_id(rows, err)) {
        json_decref(rows);
        return err->code;
    }
    json_t *out = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        json_t *keep = json_object();
        static const char *const keys[] = {
            "id",     "occurred_at", "action", "agent_id", "agent_name",
            "via",    "method",      "route",  "subject",  "subject_id",
            "status", "what",        NULL};
        for (int k = 0; keys[k]; k++)
            json_object_set(keep, keys[k], json_object_get(row, keys[k]));
        json_array_append_new(out, keep);
    }
    json_decref(rows);
    json_object_set_new(archive, "audit", out);
    return RP_OK;
}

rp_code rp_export_customer(rp_ctx *ctx, int64_t customer_id, json_t **out,
                           rp_error *err)
{
    rp_store *s = ctx->store;
    json_t *customer, *ids;
    /* a merged customer's archive is the one of whom they are now */
    if (rp_customer_live_id(ctx, customer_id, &customer_id, err))
        return err->code;
    if (s->ops->get(s, &RP_ENTITY_CUSTOMER, customer_id, &customer, err)) {
        if (err->code == RP_ENOTFOUND)
            rp_error_set(err, RP_ENOTFOUND, "id", "no customer with id %lld",
                         (long long)customer_id);
        return err->code;
    }
    if (rp_customer_ids(ctx, customer_id, &ids, err)) {
        json_decref(customer);
        return err->code;
    }
    /* on the record before it is read, so the archive shows it too */
    rp_audit_entry e = {.action = "export",
                        .subject = "customer",
                        .subject_id = customer_id,
                        .customer_id = customer_id,
                        .status = 200};
    if (rp_audit_record(ctx, &e, err)) {
        json_decref(customer);
        json_decref(ids);
        return err->code;
    }
    char now[RP_TIME_MAX];
    rp_time_format(rp_now(), now);
    json_t *archive = json_pack("{s:s, s:s, s:o}", "format", RP_EXPORT_FORMAT,
                                "exported_at", now, "customer", customer);
    rp_code rc = RP_OK;
    for (size_t i = 0; i < sizeof sections / sizeof sections[0] && !rc; i++)
        rc = fill_section(s, &sections[i], ids, archive, err);
    if (!rc)
        rc = fill_audit(ctx, ids, archive, err);
    json_decref(ids);
    if (rc) {
        json_decref(archive);
        return rc;
    }
    *out = archive;
    return RP_OK;
}

/* ---- the readable page --------------------------------------------------- */

static void put_escaped(rp_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': rp_buf_puts(b, "&lt;"); break;
        case '>': rp_buf_puts(b, "&gt;"); break;
        case '&': rp_buf_puts(b, "&amp;"); break;
        case '"': rp_buf_puts(b, "&quot;"); break;
        case '\'': rp_buf_puts(b, "&#39;"); break;
        default: rp_buf_append(b, s, 1);
        }
    }
}

/* "1 December 2026 at 22:40 (UTC)" for an RFC 3339 time; else NULL. */
static int put_time(rp_buf *b, const char *text)
{
    static const char *const months[] = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    int64_t t;
    size_t n = strlen(text);
    if (n < 20 || text[4] != '-' || text[10] != 'T' || rp_time_parse(text, &t))
        return 0;
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    rp_buf_printf(b, "%d %s %d at %02d:%02d (UTC)", tm.tm_mday,
                  months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
    return 1;
}

/* A field's name as words: "first_response_at" is "First response at". */
static void put_label(rp_buf *b, const char *key)
{
    for (const char *c = key; *c; c++) {
        char ch = *c == '_' ? ' ' : *c;
        if (c == key && ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        rp_buf_append(b, &ch, 1);
    }
}

static void put_row(rp_buf *b, json_t *row, const char *skip);

/* A value in words: a list of plain values joined by commas, a list of
 * records one under the other, a record as its fields (never JSON, which
 * a person asking for their data cannot be expected to read). */
static void put_value(rp_buf *b, json_t *v)
{
    if (json_is_string(v)) {
        if (!put_time(b, json_string_value(v)))
            put_escaped(b, json_string_value(v));
    } else if (json_is_true(v)) {
        rp_buf_puts(b, "yes");
    } else if (json_is_false(v)) {
        rp_buf_puts(b, "no");
    } else if (json_is_integer(v)) {
        rp_buf_printf(b, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        rp_buf_printf(b, "%g", json_real_value(v));
    } else if (json_is_null(v)) {
        rp_buf_puts(b, "none");
    } else if (json_is_object(v)) {
        put_row(b, v, NULL);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *item;
        int records = 0;
        json_array_foreach(v, i, item)
            records |= json_is_object(item) || json_is_array(item);
        if (json_array_size(v) == 0)
            rp_buf_puts(b, "none");
        else if (!records)
            json_array_foreach(v, i, item) {
                rp_buf_puts(b, i ? ", " : "");
                put_value(b, item);
            }
        else {
            rp_buf_puts(b, "<ul>\n");
            json_array_foreach(v, i, item) {
                rp_buf_puts(b, "<li>");
                put_value(b, item);
                rp_buf_puts(b, "</li>\n");
            }
            rp_buf_puts(b, "</ul>\n");
        }
    }
}

/* One row as a list of its fields (null and empty ones left out). */
static void put_row(rp_buf *b, json_t *row, const char *skip)
{
    const char *key;
    json_t *v;
    rp_buf_puts(b, "<dl>\n");
    json_object_foreach(row, key, v) {
        if (json_is_null(v) || (skip && !strcmp(key, skip)) ||
            (json_is_string(v) && !*json_string_value(v)))
            continue;
        rp_buf_puts(b, "<dt>");
        put_label(b, key);
        rp_buf_puts(b, "</dt><dd>");
        put_value(b, v);
        rp_buf_puts(b, "</dd>\n");
    }
    rp_buf_puts(b, "</dl>\n");
}

static void put_section(rp_buf *b, const char *heading, json_t *rows,
                        const char *skip)
{
    rp_buf_puts(b, "<section>\n<h2>");
    put_escaped(b, heading);
    rp_buf_puts(b, "</h2>\n");
    if (json_array_size(rows) == 0)
        rp_buf_puts(b, "<p>Nothing.</p>\n");
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
        put_row(b, row, skip);
    rp_buf_puts(b, "</section>\n");
}

void rp_export_html(json_t *archive, rp_buf *b)
{
    json_t *customer = json_object_get(archive, "customer");
    const char *name = json_string_value(json_object_get(customer, "name"));
    rp_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                   "<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, "
                   "initial-scale=1\">\n<title>Everything we hold about ");
    put_escaped(b, name ? name : "you");
    rp_buf_puts(b, "</title>\n</head>\n<body>\n<main>\n<h1>Everything we "
                   "hold about ");
    put_escaped(b, name ? name : "you");
    rp_buf_puts(b, "</h1>\n<p>Made on ");
    const char *at = json_string_value(json_object_get(archive, "exported_at"));
    if (!at || !put_time(b, at))
        rp_buf_puts(b, "request");
    rp_buf_puts(b, ". The same, for a computer to read, is the JSON file of "
                   "this export.</p>\n");
    json_t *one = json_array();
    json_array_append(one, customer);
    put_section(b, "Your profile", one, NULL);
    json_decref(one);
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        put_section(
            b, sections[i].heading, json_object_get(archive, sections[i].name),
            sections[i].e == &RP_ENTITY_ATTACHMENT ? "data_base64" : NULL);
    json_t *audit = json_object_get(archive, "audit");
    rp_buf_puts(b, "<section>\n<h2>Who looked at or changed your data</h2>\n");
    if (json_array_size(audit) == 0)
        rp_buf_puts(b, "<p>Nobody.</p>\n");
    rp_buf_puts(b, "<ul>\n");
    size_t i;
    json_t *row;
    json_array_foreach(audit, i, row) {
        rp_buf_puts(b, "<li>");
        const char *what = json_string_value(json_object_get(row, "what"));
        put_escaped(b, what ? what : "");
        const char *when = json_string_value(
            json_object_get(row, "occurred_at"));
        if (when) {
            rp_buf_puts(b, ", ");
            put_time(b, when);
        }
        rp_buf_puts(b, "</li>\n");
    }
    rp_buf_puts(b, "</ul>\n</section>\n</main>\n</body>\n</html>\n");
}
