/*
 * search.c - Zendesk's search query language, the part tools use most:
 * "type:ticket status:open requester:ann@example.com" and plain words.
 *
 * Each term becomes a filter of the store's list of encounters (status
 * by the same rule rp_zendesk_status_of shows it, requester and assignee
 * found by address first), so a search is one indexed list and one count.
 * A term rapport cannot honour is refused naming it, never ignored: a
 * script that asks for "organization:acme" must not get every ticket.
 */
#include <stdlib.h>
#include <string.h>

#include "core/zendesk/zendesk_internal.h"

#define MAX_FILTERS 16

typedef struct terms {
    const char *type; /* "ticket" or "user" */
    rp_filter f[MAX_FILTERS];
    int nf;
    json_t *keep; /* the filters' values */
    int statuses; /* status terms seen: Zendesk ORs several, rapport
                     takes one */
    rp_buf words; /* plain words, for a user search */
    char *text;   /* the query, split in place */
} terms;

/* The next term of *s: a word, or key:value with an optional "quoted
 * value"; NULL at the end. */
static char *next_term(char **s)
{
    char *p = *s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p)
        return NULL;
    char *start = p, *w = p;
    int quoted = 0;
    for (; *p && (quoted || (*p != ' ' && *p != '\t')); p++) {
        if (*p == '"')
            quoted = !quoted;
        else
            *w++ = *p;
    }
    if (*p)
        p++;
    *w = '\0';
    *s = p;
    return start;
}

static rp_code add(terms *t, const char *column, rp_filter_op op, json_t *v,
                   rp_error *err)
{
    if (t->nf >= MAX_FILTERS - 4) {
        json_decref(v);
        return rp_error_set(err, RP_EINVALID, "query",
                            "the query has too many terms");
    }
    json_array_append_new(t->keep, v);
    t->f[t->nf++] = (rp_filter){column, op, v};
    return RP_OK;
}

/* The customer (as requester) or agent (as assignee) a value names. */
static rp_code person(rp_ctx *ctx, const char *key, const char *value,
                      int agent, int64_t *id, rp_error *err)
{
    *id = 0;
    if (rp_email_is_valid(value)) {
        int64_t identity = 0;
        return agent
                   ? rp_zd_agent_by_email(ctx, value, id, err)
                   : rp_identity_find(ctx, "email", value, id, &identity, err);
    }
    char *end = NULL;
    long long n = strtoll(value, &end, 10);
    int64_t customer = 0, agent_id = 0;
    if (!*value || *end || n <= 0)
        return rp_error_set(err, RP_EINVALID, key,
                            "%s: takes an email address or a user id", key);
    if (rp_zd_user_id(n, key, &customer, &agent_id, err))
        return err->code;
    *id = agent ? agent_id : customer;
    return RP_OK;
}

static rp_code term(rp_ctx *ctx, terms *t, char *word, rp_error *err)
{
    char *colon = strchr(word, ':');
    if (!colon) {
        rp_buf_printf(&t->words, "%s%s", t->words.len ? " " : "", word);
        return add(t, "subject", RP_FILTER_CONTAINS, json_string(word), err);
    }
    *colon = '\0';
    const char *key = word, *value = colon + 1;
    rp_buf q = RP_BUF_INIT;
    rp_code rc = RP_OK;
    int64_t id = 0;
    if (!strcmp(key, "type")) {
        if (strcmp(value, "ticket") && strcmp(value, "user"))
            rc = rp_error_set(err, RP_EINVALID, "type",
                              "type: may be ticket or user, not \"%s\"",
                              rp_cut(&q, value, 40));
        else
            t->type = !strcmp(value, "user") ? "user" : "ticket";
    } else if (!strcmp(key, "status")) {
        if (t->statuses++ || t->nf >= MAX_FILTERS - 4)
            rc = rp_error_set(err, RP_EINVALID, "status",
                              "give one status: term; several are not "
                              "supported");
        else
            rc = rp_zd_status_filters(value, t->f, &t->nf, t->keep, err);
    } else if (!strcmp(key, "requester") || !strcmp(key, "assignee")) {
        int agent = key[0] == 'a';
        if (agent && !strcmp(value, "none"))
            return add(t, "agent_id", RP_FILTER_EQ, json_null(), err);
        rc = person(ctx, key, value, agent, &id, err);
        /* nobody has it: id 0, which no one has, matches nothing */
        if (rc == RP_OK)
            rc = add(t, agent ? "agent_id" : "customer_id", RP_FILTER_EQ,
                     json_integer(id), err);
    } else if (!strcmp(key, "priority")) {
        int known = 0;
        for (int i = 0; rp_zendesk_priorities[i]; i++)
            known |= !strcmp(rp_zendesk_priorities[i], value);
        rc = known ? add(t, "priority", RP_FILTER_EQ, json_string(value), err)
                   : rp_error_set(err, RP_EINVALID, "priority",
                                  "priority: may be low, normal, high or "
                                  "urgent");
    } else if (!strcmp(key, "tags") || !strcmp(key, "tag")) {
        /* a tag is matched whole, quotes and all, in the stored list */
        rp_buf_printf(&q, "\"%s\"", value);
        rp_ascii_lower(q.p);
        rc = add(t, "tags", RP_FILTER_CONTAINS, json_string(rp_buf_str(&q)),
                 err);
    } else if (!strcmp(key, "email")) {
        rp_buf_printf(&t->words, "%s%s", t->words.len ? " " : "", value);
    } else {
        rc = rp_error_set(err, RP_EINVALID, "query",
                          "the search term %s: is not supported; use type, "
                          "status, requester, assignee, priority, tags or "
                          "plain words",
                          rp_cut(&q, key, 40));
    }
    rp_buf_free(&q);
    return rc;
}

static rp_code parse(rp_ctx *ctx, const char *query, terms *t, rp_error *err)
{
    if (!query || rp_text_is_blank(query))
        return rp_error_set(err, RP_EINVALID, "query",
                            "query is required, such as \"type:ticket "
                            "status:open\"");
    if (strlen(query) > 800)
        return rp_error_set(err, RP_EINVALID, "query",
                            "query is longer than 800 bytes");
    t->text = strdup(query);
    if (!t->text)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    char *s = t->text, *word;
    while ((word = next_term(&s)))
        if (term(ctx, t, word, err))
            return err->code;
    return RP_OK;
}

static void add_result_type(json_t *items, const char *type)
{
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
        json_object_set_new(v, "result_type", json_string(type));
}

/* Move out[key] to out["results"], each marked with its type. */
static void as_results(json_t *out, const char *key, const char *type)
{
    json_t *items = json_incref(json_object_get(out, key));
    json_object_del(out, key);
    add_result_type(items, type);
    json_object_set_new(out, "results", items);
    if (!json_object_get(out, "count"))
        json_object_set_new(out, "count",
                            json_integer((json_int_t)json_array_size(items)));
}

rp_code rp_zendesk_search(rp_ctx *ctx, const char *query,
                          const rp_zendesk_page *page, json_t **out,
                          rp_error *err)
{
    terms t = {.type = "ticket", .keep = json_array(), .words = RP_BUF_INIT};
    rp_code rc = parse(ctx, query, &t, err);
    if (rc == RP_OK && !strcmp(t.type, "user")) {
        rc = rp_zendesk_user_search(ctx, rp_buf_str(&t.words), page, out, err);
        if (rc == RP_OK)
            as_results(*out, "users", "user");
    } else if (rc == RP_OK) {
        rc = rp_zd_page_of(ctx, &RP_ENTITY_ENCOUNTER, t.f, t.nf,
                           RP_ROWS_ENCOUNTER, page, "tickets",
                           rp_zd_tickets_shape, out, err);
        if (rc == RP_OK)
            as_results(*out, "tickets", "ticket");
    }
    json_decref(t.keep);
    rp_buf_free(&t.words);
    free(t.text);
    return rc;
}
