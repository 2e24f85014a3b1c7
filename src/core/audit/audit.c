/*
 * audit.c - writing, reading and telling the audit log (audit.h).
 *
 * The entries of a request are written in one of three ways, so that the
 * record costs the request as little as possible and is never lost with
 * the change it records: inside the change's own transaction (the store's
 * commit hook), on the background writer's queue for reads (writer.c), or
 * at once for a request that changed nothing (a refusal).  What an entry
 * means in words is told here too, once, for the API, the console and the
 * command line.
 */
#include "core/audit/audit.h"
#include "base/log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/base.h"

const char *const rp_audit_actions[] = {"read",   "change",       "refused",
                                        "login",  "login_failed", "logout",
                                        "export", "erasure",      NULL};

/* ---- writing ------------------------------------------------------------- */

static json_t *int_or_null(int64_t v)
{
    return v ? json_integer((json_int_t)v) : json_null();
}

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

/* Append the parameters of audit.insert for e to p, in its order. */
static void append_params(json_t *p, const rp_audit_entry *e)
{
    json_array_append_new(p, json_integer(e->at ? e->at : rp_now()));
    json_array_append_new(p, json_string(e->action ? e->action : "change"));
    json_array_append_new(p, int_or_null(e->agent_id));
    json_array_append_new(p, int_or_null(e->token_id));
    json_array_append_new(p, json_string(e->via ? e->via : "system"));
    json_array_append_new(p, str_or_null(e->address));
    json_array_append_new(p, str_or_null(e->method));
    json_array_append_new(p, str_or_null(e->route));
    json_array_append_new(p, str_or_null(e->subject));
    json_array_append_new(p, int_or_null(e->subject_id));
    json_array_append_new(p, int_or_null(e->customer_id));
    json_array_append_new(p, e->status ? json_integer(e->status) : json_null());
    json_array_append_new(p, str_or_null(e->code));
    json_array_append_new(p, str_or_null(e->field));
}

/* Write e as it is, on store. */
static rp_code write_entry(rp_store *s, const rp_audit_entry *e, rp_error *err)
{
    json_t *p = json_array();
    append_params(p, e);
    rp_code rc = s->ops->exec(s, RP_Q_AUDIT_INSERT, p, NULL, err);
    json_decref(p);
    return rc;
}

rp_code rp_audit_write_entries(rp_store *s, const rp_audit_entry *e, size_t n,
                               rp_error *err)
{
    size_t i = 0;
    rp_code rc = RP_OK;
    json_t *p = json_array();
    for (; rc == RP_OK && i + RP_AUDIT_INSERT_ROWS <= n;
         i += RP_AUDIT_INSERT_ROWS) {
        json_array_clear(p);
        for (size_t k = 0; k < RP_AUDIT_INSERT_ROWS; k++)
            append_params(p, &e[i + k]);
        rc = s->ops->exec(s, RP_Q_AUDIT_INSERT_ROWS, p, NULL, err);
    }
    json_decref(p);
    for (; rc == RP_OK && i < n; i++)
        rc = write_entry(s, &e[i], err);
    return rc;
}

rp_code rp_audit_record(rp_ctx *ctx, const rp_audit_entry *e, rp_error *err)
{
    rp_audit_entry full = *e;
    rp_audit_request *r = ctx->audit;
    if (!full.agent_id)
        full.agent_id = r ? r->entry.agent_id : ctx->agent_id;
    if (r) {
        const rp_audit_entry *q = &r->entry;
        if (!full.token_id)
            full.token_id = q->token_id;
        if (!full.via)
            full.via = q->via;
        if (!full.address)
            full.address = q->address;
        if (!full.method)
            full.method = q->method;
        if (!full.route)
            full.route = q->route;
    } else if (!full.via) {
        full.via = "cli";
    }
    rp_code rc = write_entry(ctx->store, &full, err);
    if (rc == RP_OK && r)
        r->recorded = 1;
    return rc;
}

/* The store's commit hook while a change is served: its entry goes into
 * the transaction of the request's first commit. */
static rp_code record_at_commit(rp_store *s, void *arg, rp_error *err)
{
    rp_audit_request *r = arg;
    if (r->recorded)
        return RP_OK;
    rp_audit_entry e = r->entry;
    e.action = "change";
    rp_code rc = write_entry(s, &e, err);
    if (rc == RP_OK)
        r->recorded = 1;
    return rc;
}

void rp_audit_request_begin(rp_ctx *ctx, rp_audit_request *r)
{
    ctx->audit = r;
    r->recorded = 0;
    if (r->change && !r->at_end) {
        ctx->store->before_commit = record_at_commit;
        ctx->store->before_commit_arg = r;
    }
}

rp_code rp_audit_request_end(rp_ctx *ctx, rp_audit_request *r, int status,
                             const char *code, const char *field,
                             rp_audit_writer *w)
{
    if (ctx->store->before_commit_arg == r) {
        ctx->store->before_commit = NULL;
        ctx->store->before_commit_arg = NULL;
    }
    ctx->audit = NULL;
    if (r->recorded || status == 0)
        return RP_OK;
    rp_audit_entry e = r->entry;
    e.status = status;
    int ok = status >= 200 && status < 300;
    if (!ok) {
        e.code = code;
        e.field = field;
    }
    if (r->change) {
        e.action = ok ? "change" : "refused";
    } else {
        if (!e.subject || !(ok || status == 403))
            return RP_OK;
        e.action = ok ? "read" : "refused";
        return w ? rp_audit_writer_push(w, &e) : RP_OK;
    }
    rp_error err;
    if (write_entry(ctx->store, &e, &err))
        rp_logf(RP_LOG_ERROR, "audit: could not record %s %s: %s",
                e.method ? e.method : "", e.route ? e.route : "", err.message);
    return RP_OK;
}

/* ---- which customer a route touches -------------------------------------- */

static const struct {
    const char *prefix; /* the path up to its first {param} */
    const char *subject;
} subjects[] = {
    {"/api/v1/customers/", "customer"},
    {"/api/v1/encounters/", "encounter"},
    {"/api/v1/messages/", "message"},
    {"/api/v1/attachments/", "attachment"},
    {"/api/v1/tasks/", "task"},
    {"/api/v1/promises/", "promise"},
    {"/api/v1/export_requests/", "export_request"},
};

void rp_audit_subject_of(const char *pattern, const char *const *params,
                         int nparams, const char *query_customer,
                         const char **subject, int64_t *id)
{
    *subject = NULL;
    *id = 0;
    for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++) {
        size_t n = strlen(subjects[i].prefix);
        if (strncmp(pattern, subjects[i].prefix, n) != 0 || pattern[n] != '{')
            continue;
        rp_error err;
        if (nparams > 0 && rp_parse_id(params[0], "id", id, &err) == RP_OK)
            *subject = subjects[i].subject;
        else
            *id = 0;
        return;
    }
    rp_error err;
    if (query_customer &&
        rp_parse_id(query_customer, "customer_id", id, &err) == RP_OK)
        *subject = "customer";
    else
        *id = 0;
}

/* ---- reading ------------------------------------------------------------- */

static void add_text(json_t *row);

static const char *const list_fields[] = {"agent_id", "customer_id", "from",
                                          "to",       "action",      NULL};

rp_code rp_audit_list(rp_ctx *ctx, json_t *q, const rp_page_req *page,
                      json_t **out, rp_error *err)
{
    int64_t agent = 0, customer = 0, from = 0, to = 0;
    int has_agent = 0, has_customer = 0, has_from = 0, has_to = 0;
    const char *action = NULL;
    if (rp_in_object(q, list_fields, err) ||
        rp_in_int(q, "agent_id", 0, 1, INT64_MAX, &agent, &has_agent, err) ||
        rp_in_int(q, "customer_id", 0, 1, INT64_MAX, &customer, &has_customer,
                  err) ||
        rp_in_time(q, "from", 0, &from, &has_from, err) ||
        rp_in_time(q, "to", 0, &to, &has_to, err) ||
        rp_in_enum(q, "action", 0, rp_audit_actions, &action, err))
        return err->code;
    if (has_from && has_to && to <= from)
        return rp_error_refuse(err, RP_EINVALID, "to", "wrong_order", 0,
                               "to must be after from");
    rp_query query = has_customer ? RP_Q_AUDIT_LIST_BY_CUSTOMER
                     : has_agent  ? RP_Q_AUDIT_LIST_BY_AGENT
                                  : RP_Q_AUDIT_LIST;
    json_t *rows = json_array();
    int64_t before = page->after_id ? page->after_id : INT64_MAX;
    /* an action filter is applied to each page as read: a rare action
     * could otherwise leave a page short, so pages are read until full */
    while ((int)json_array_size(rows) <= page->limit) {
        json_t *params = json_pack("[o, o, o, o, I, i]",
                                   int_or_null(has_customer ? customer : 0),
                                   int_or_null(has_agent ? agent : 0),
                                   has_from ? json_integer(from) : json_null(),
                                   has_to ? json_integer(to) : json_null(),
                                   (json_int_t)before, page->limit + 1),
               *got;
        rp_code rc = ctx->store->ops->query(ctx->store, query, params, &got,
                                            err);
        json_decref(params);
        if (rc) {
            json_decref(rows);
            return rc;
        }
        size_t n = json_array_size(got), i;
        json_t *row;
        json_array_foreach(got, i, row) {
            before = json_integer_value(json_object_get(row, "id"));
            const char *a = json_string_value(json_object_get(row, "action"));
            if (action && (!a || strcmp(a, action) != 0))
                continue;
            if ((int)json_array_size(rows) > page->limit)
                break;
            add_text(row);
            json_array_append(rows, row);
        }
        json_decref(got);
        if ((int)n <= page->limit || !action)
            break;
    }
    *out = rp_page_result(rows, page->limit);
    return RP_OK;
}

rp_code rp_audit_of_customer(rp_ctx *ctx, int64_t customer_id, json_t **out,
                             rp_error *err)
{
    json_t *all = json_array();
    int64_t before = INT64_MAX;
    for (;;) {
        json_t *params = json_pack("[I, n, n, n, I, i]",
                                   (json_int_t)customer_id, (json_int_t)before,
                                   500),
               *rows;
        rp_code rc = ctx->store->ops->query(
            ctx->store, RP_Q_AUDIT_LIST_BY_CUSTOMER, params, &rows, err);
        json_decref(params);
        if (rc) {
            json_decref(all);
            return rc;
        }
        size_t n = json_array_size(rows), i;
        json_t *row;
        json_array_foreach(rows, i, row) {
            before = json_integer_value(json_object_get(row, "id"));
            add_text(row);
            json_array_insert(all, 0, row); /* oldest first */
        }
        json_decref(rows);
        if (n < 500)
            break;
    }
    *out = all;
    return RP_OK;
}

/* ---- in words ------------------------------------------------------------ */

/* What a route shows of a customer, by the end of its pattern. */
static const struct {
    const char *suffix;
    const char *what;
} shown[] = {
    {"/customers/{id}", "the profile"},
    {"/overview", "the overview"},
    {"/moments", "the moments of truth"},
    {"/preferences", "the preferences"},
    {"/goals", "the goals"},
    {"/dates", "the important dates"},
    {"/consents", "the consents"},
    {"/loyalty", "the loyalty"},
    {"/satisfaction", "the satisfaction figures"},
    {"/recommendations", "the recommendations"},
    {"/export", "all the data"},
    {"/export_requests", "the requests for exports"},
    {"/messages", "the conversation"},
    {"/messages/{id}", "a message of the conversation"},
    {"/attachments/{id}", "a file of the conversation"},
    {"/guide", "the guide of an encounter"},
    {"/measures", "the measures of an encounter"},
    {"/kb_suggestions", "the suggested articles of an encounter"},
    {"/encounters/{id}", "an encounter"},
    {"/encounters", "the encounters"},
    {"/tasks/{id}", "a task"},
    {"/tasks", "the tasks"},
};

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static const char *what_route_shows(const char *route)
{
    for (size_t i = 0; route && i < sizeof shown / sizeof shown[0]; i++)
        if (ends_with(route, shown[i].suffix))
            return shown[i].what;
    return "the data";
}

static const char *row_str(json_t *row, const char *key)
{
    return json_string_value(json_object_get(row, key));
}

static void put_who(json_t *row, rp_buf *b)
{
    const char *name = row_str(row, "agent_name");
    json_int_t agent = json_integer_value(json_object_get(row, "agent_id"));
    const char *via = row_str(row, "via");
    if (name)
        rp_buf_put_cut(b, name, 100);
    else if (agent)
        rp_buf_printf(b, "Agent %lld", (long long)agent);
    else if (via && strcmp(via, "cli") == 0)
        rp_buf_puts(b, "Someone at the command line");
    else if (via && strcmp(via, "customer") == 0)
        rp_buf_puts(b, "The customer");
    else
        rp_buf_puts(b, "Someone");
}

static void put_whom(json_t *row, rp_buf *b)
{
    const char *name = row_str(row, "customer_name");
    json_int_t customer = json_integer_value(
        json_object_get(row, "customer_id"));
    if (name)
        rp_buf_put_cut(b, name, 100);
    else if (customer)
        rp_buf_printf(b, "customer %lld", (long long)customer);
    else
        rp_buf_puts(b, "a customer");
}

/* What a change was made to, as words that follow "changed" or "a change
 * to", by its method and route. */
static void put_target(json_t *row, rp_buf *b)
{
    const char *route = row_str(row, "route");
    int customer = json_integer_value(json_object_get(row, "customer_id")) != 0;
    if (!route)
        rp_buf_puts(b, "the desk's records");
    else if (ends_with(route, "/customers/{id}"))
        rp_buf_puts(b, "the profile");
    else if (strstr(route, "/encounters"))
        rp_buf_puts(b, "an encounter");
    else if (strstr(route, "/messages") || strstr(route, "/conversation"))
        rp_buf_puts(b, "a conversation");
    else if (strstr(route, "/customers/{id}/"))
        rp_buf_puts(b, what_route_shows(route));
    else if (strstr(route, "/agents") || strstr(route, "/tokens"))
        rp_buf_puts(b, "the desk's agents or tokens");
    else if (!strcmp(route, "/api/v1/customers"))
        rp_buf_puts(b, "the list of customers");
    else
        rp_buf_puts(b, "the desk's settings or records");
    if (customer) {
        rp_buf_puts(b, " of ");
        put_whom(row, b);
    }
}

/* "Tue 1 Dec 2026, 10:04 UTC" */
static void put_when(json_t *row, rp_buf *b)
{
    int64_t t;
    const char *at = row_str(row, "occurred_at");
    if (!at || rp_time_parse(at, &t) != 0)
        return;
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char out[64];
    strftime(out, sizeof out, "%a ", &tm);
    rp_buf_puts(b, out);
    rp_buf_printf(b, "%d ", tm.tm_mday);
    strftime(out, sizeof out, "%b %Y, %H:%M UTC", &tm);
    rp_buf_puts(b, out);
}

/* A refusal's code in words. */
static const char *refusal_words(const char *code)
{
    static const struct {
        const char *code, *words;
    } words[] = {
        {"invalid", "a rule was broken"},
        {"not_found", "there was no such record"},
        {"forbidden", "their role does not allow it"},
        {"conflict", "it clashed with what is already there"},
        {"csrf", "the browser's request was not the console's"},
        {"rate_limited", "too many tries"},
        {"busy", "the database was busy"},
        {"no_space", "the disk was full"},
        {"auth", "they were not signed in"},
        {"lost", "the server could not keep up with writing them down"},
    };
    for (size_t i = 0; code && i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(code, words[i].code))
            return words[i].words;
    return "the request was not right";
}

static void put_what(json_t *row, rp_buf *b)
{
    const char *action = row_str(row, "action");
    const char *route = row_str(row, "route");
    const char *method = row_str(row, "method");
    if (!action)
        action = "";
    if (!strcmp(action, "login")) {
        put_who(row, b);
        rp_buf_puts(b, " signed in");
    } else if (!strcmp(action, "login_failed")) {
        if (json_integer_value(json_object_get(row, "agent_id"))) {
            rp_buf_puts(b, "A sign-in as ");
            put_who(row, b);
            rp_buf_puts(b, " failed: wrong password");
        } else {
            rp_buf_puts(b, "A sign-in with an unknown email address failed");
        }
    } else if (!strcmp(action, "logout")) {
        put_who(row, b);
        rp_buf_puts(b, " signed out");
    } else if (!strcmp(action, "export")) {
        put_who(row, b);
        rp_buf_puts(b, " exported all the data of ");
        put_whom(row, b);
    } else if (!strcmp(action, "erasure")) {
        put_who(row, b);
        rp_buf_puts(b, " erased the personal data of ");
        put_whom(row, b);
    } else if (!strcmp(action, "read")) {
        put_who(row, b);
        rp_buf_printf(b, " read %s of ", what_route_shows(route));
        put_whom(row, b);
    } else if (!strcmp(action, "refused")) {
        put_who(row, b);
        if (method && !strcmp(method, "GET")) {
            rp_buf_printf(b, " tried to read %s of ", what_route_shows(route));
            put_whom(row, b);
        } else {
            rp_buf_puts(b, " tried to change ");
            put_target(row, b);
        }
        const char *field = row_str(row, "field");
        rp_buf_printf(b, " and was refused: %s",
                      refusal_words(row_str(row, "code")));
        if (field && *field) {
            rp_buf_puts(b, " (");
            rp_buf_put_cut(b, field, 60);
            rp_buf_puts(b, ")");
        }
    } else if (route && method && !strcmp(method, "POST") &&
               !strcmp(route, "/api/v1/customers")) {
        put_who(row, b);
        rp_buf_puts(b, " added a customer");
    } else {
        put_who(row, b);
        rp_buf_puts(b, " changed ");
        put_target(row, b);
    }
}

void rp_audit_describe_what(json_t *row, rp_buf *b)
{
    put_what(row, b);
}

void rp_audit_describe(json_t *row, rp_buf *b)
{
    put_what(row, b);
    rp_buf_puts(b, ", ");
    put_when(row, b);
    const char *via = row_str(row, "via");
    const char *address = row_str(row, "address");
    if (via && !strcmp(via, "token"))
        rp_buf_puts(b, ", with an API token");
    else if (via && !strcmp(via, "cli"))
        rp_buf_puts(b, ", at the command line");
    if (address) {
        rp_buf_puts(b, ", from ");
        rp_buf_put_cut(b, address, 64);
    }
}

/* Give row its "what" and "text" in words. */
static void add_text(json_t *row)
{
    rp_buf b = RP_BUF_INIT;
    rp_audit_describe_what(row, &b);
    json_object_set_new(row, "what", json_string(rp_buf_str(&b)));
    rp_buf_clear(&b);
    rp_audit_describe(row, &b);
    json_object_set_new(row, "text", json_string(rp_buf_str(&b)));
    rp_buf_free(&b);
}
