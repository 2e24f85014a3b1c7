/*
 * worklist.c - the work lists: the encounters an agent works through, by
 * the filters a desk sorts its work with, and the counts of every list.
 *
 * A list is a filter and an order, not a stored thing (Zendesk's views
 * and Zammad's overviews are the same idea): "mine" is the open
 * encounters of the reader, "unassigned" the open ones nobody handles, a
 * queue's list its open ones, "all open", and the finished ones.  Each is
 * one indexed query: open encounters are read from partial indexes of the
 * open rows only (a few thousand, whatever the history), finished ones
 * from one of the finished rows by last activity, and text from the
 * trigram indexes of subjects and customers' names; the page's rows are
 * then read by id.  The counts are one walk of a covering index of the
 * open work.  The lists and the counts answer the same filters whether an
 * agent reads them in the console, a script through the API or an admin
 * through the CLI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encounter_internal.h"

static const char *const states[] = {"open", "closed", "all", NULL};
static const char *const sorts[] = {"waiting", "activity", "newest", NULL};
static const char *const kinds[] = {"what", "how", "become", NULL};
static const char *const exchanges[] = {"quick", "supplemental", "resolution",
                                        "formal", NULL};
static const char *const truth[] = {"true", "false", NULL};

const char *const rp_worklist_filters[] = {
    "state",    "stage",       "queue", "agent",       "channel", "kind",
    "exchange", "over_target", "q",     "customer_id", "sort",    NULL};

#define Q_MIN_CHARS 3 /* a trigram: the index finds nothing shorter */
#define Q_MAX_CHARS 200
/* the closed list's count covers this many days of activity */
#define CLOSED_RECENT_DAYS 7

/* The filters as the queries bind them. */
typedef struct wl_filter {
    const char *state, *stage, *channel, *kind, *exchange, *sort, *q;
    json_t *queue, *agent; /* NULL: any; 0: none */
    int over_target;
    int64_t customer_id;
} wl_filter;

/* The text value of filter key (a string; an id may also be a number). */
static const char *text_of(json_t *in, const char *key, char *num, size_t n)
{
    json_t *v = json_object_get(in, key);
    if (json_is_integer(v)) {
        snprintf(num, n, "%lld", (long long)json_integer_value(v));
        return num;
    }
    return json_string_value(v);
}

static rp_code one_of(json_t *in, const char *key, const char *const values[],
                      const char *what, const char **out, rp_error *err)
{
    char num[32];
    const char *v = text_of(in, key, num, sizeof num);
    *out = NULL;
    if (!json_object_get(in, key))
        return RP_OK;
    for (int i = 0; v && values[i]; i++)
        if (!strcmp(values[i], v)) {
            *out = values[i];
            return RP_OK;
        }
    rp_buf list = RP_BUF_INIT;
    for (int i = 0; values[i]; i++)
        rp_buf_printf(&list, "%s%s", i ? ", " : "", values[i]);
    rp_error_refuse(err, RP_EINVALID, key, "not_allowed", 0,
                    "%s must be one of: %s", what, rp_buf_str(&list));
    rp_buf_free(&list);
    return err->code;
}

/* An id, or one of the words (each standing for the value given). */
static rp_code id_or_word(json_t *in, const char *key, const char *word1,
                          int64_t val1, const char *word2, int64_t val2,
                          json_t **out, rp_error *err)
{
    char num[32];
    const char *v = text_of(in, key, num, sizeof num);
    *out = NULL;
    if (!json_object_get(in, key))
        return RP_OK;
    int64_t id;
    rp_error ignored;
    if (v && word1 && !strcmp(v, word1))
        *out = json_integer(val1);
    else if (v && word2 && !strcmp(v, word2))
        *out = json_integer(val2);
    else if (v && rp_parse_id(v, key, &id, &ignored) == RP_OK)
        *out = json_integer(id);
    else if (word2)
        return rp_error_refuse(err, RP_EINVALID, key, "not_allowed", 0,
                               "%s must be an agent's number, %s or %s", key,
                               word1, word2);
    else
        return rp_error_refuse(err, RP_EINVALID, key, "not_allowed", 0,
                               "%s must be a queue's number or %s", key, word1);
    return RP_OK;
}

static rp_code read_filter(rp_ctx *ctx, json_t *in, wl_filter *f, rp_error *err)
{
    memset(f, 0, sizeof *f);
    if (in && rp_in_object(in, rp_worklist_filters, err))
        return err->code;
    json_t *empty = in ? NULL : json_object();
    if (!in)
        in = empty;
    char num[32];
    const char *over = NULL, *customer;
    rp_code rc = RP_OK;
    if (one_of(in, "state", states, "state", &f->state, err) ||
        one_of(in, "stage", rp_encounter_stages, "stage", &f->stage, err) ||
        one_of(in, "channel", rp_encounter_channels, "channel", &f->channel,
               err) ||
        one_of(in, "kind", kinds, "kind", &f->kind, err) ||
        one_of(in, "exchange", exchanges, "exchange", &f->exchange, err) ||
        one_of(in, "sort", sorts, "sort", &f->sort, err) ||
        one_of(in, "over_target", truth, "over_target", &over, err) ||
        id_or_word(in, "queue", "none", 0, NULL, 0, &f->queue, err) ||
        id_or_word(in, "agent", "none", 0, "me", -1, &f->agent, err))
        rc = err->code;
    f->over_target = over && !strcmp(over, "true");
    customer = text_of(in, "customer_id", num, sizeof num);
    if (rc == RP_OK && json_object_get(in, "customer_id") &&
        (!customer ||
         rp_parse_id(customer, "customer_id", &f->customer_id, err)))
        rc = rp_error_refuse(err, RP_EINVALID, "customer_id", "not_allowed", 0,
                             "customer_id must be a customer's number");
    f->q = json_string_value(json_object_get(in, "q"));
    if (rc == RP_OK && json_object_get(in, "q") && !f->q)
        rc = rp_error_refuse(err, RP_EINVALID, "q", "not_text", 0,
                             "q must be text");
    if (rc == RP_OK && f->q && rp_text_is_blank(f->q))
        f->q = NULL;
    if (rc == RP_OK && f->q && rp_utf8_length(f->q) < Q_MIN_CHARS)
        rc = rp_error_refuse(err, RP_EINVALID, "q", "too_short", 3,
                             "type at least three characters to search");
    if (rc == RP_OK && f->q && rp_utf8_length(f->q) > Q_MAX_CHARS)
        rc = rp_error_refuse(err, RP_EINVALID, "q", "too_long", Q_MAX_CHARS,
                             "a search is at most %d characters", Q_MAX_CHARS);
    if (rc == RP_OK && f->agent && json_integer_value(f->agent) == -1) {
        if (ctx->agent_id <= 0)
            rc = rp_error_set(err, RP_EINVALID, "agent",
                              "agent \"me\" needs a signed-in agent");
        else
            json_integer_set(f->agent, ctx->agent_id);
    }
    /* a stage says which encounters; a state that contradicts it finds
     * nothing, which is an error in the asking */
    if (rc == RP_OK && f->stage) {
        const char *of = strcmp(f->stage, "closed") &&
                                 strcmp(f->stage, "abandoned")
                             ? "open"
                             : "closed";
        if (f->state && strcmp(f->state, "all") && strcmp(f->state, of))
            rc = rp_error_refuse(err, RP_EINVALID, "stage", "not_allowed", 0,
                                 "an encounter at stage %s is never %s",
                                 f->stage, f->state);
        f->state = of;
    }
    if (rc == RP_OK && f->over_target && f->state && strcmp(f->state, "open"))
        rc = rp_error_refuse(err, RP_EINVALID, "over_target", "not_needed", 0,
                             "only open encounters are over a target");
    if (rc == RP_OK && f->over_target)
        f->state = "open";
    if (rc == RP_OK && !f->state)
        f->state = "all";
    if (rc == RP_OK && !f->sort)
        f->sort = !strcmp(f->state, "open")     ? "waiting"
                  : !strcmp(f->state, "closed") ? "activity"
                                                : "newest";
    if (rc == RP_OK && !f->q && !f->customer_id && strcmp(f->sort, "newest") &&
        !strcmp(f->state, "all"))
        rc = rp_error_refuse(err, RP_EINVALID, "sort", "not_allowed", 0,
                             "waiting time and last activity sort open or "
                             "closed encounters: choose state open or closed");
    if (rc == RP_OK && !f->q && !f->customer_id &&
        !strcmp(f->sort, "waiting") && !strcmp(f->state, "closed"))
        rc = rp_error_refuse(err, RP_EINVALID, "sort", "not_allowed", 0,
                             "closed encounters wait no more: sort them by "
                             "activity or newest");
    json_decref(empty);
    if (rc) {
        json_decref(f->queue);
        json_decref(f->agent);
        f->queue = f->agent = NULL;
    }
    return rc;
}

/* The times before which an open encounter misses each target (now minus
 * the charter's acknowledge, first response and resolution targets). */
static rp_code cutoffs(rp_ctx *ctx, int64_t out[3], rp_error *err)
{
    rp_charter c;
    if (rp_charter_load(ctx, &c, err))
        return err->code;
    int64_t now = rp_now();
    out[0] = now - c.acknowledge_minutes * 60;
    out[1] = now - c.first_response_minutes * 60;
    out[2] = now - c.resolution_hours * 3600;
    return RP_OK;
}

/* q as one FTS5 string: the text in double quotes, quotes doubled. */
static json_t *fts_string(const char *q)
{
    rp_buf b = RP_BUF_INIT;
    rp_buf_puts(&b, "\"");
    for (const char *p = q; *p; p++) {
        if (*p == '"')
            rp_buf_puts(&b, "\"");
        rp_buf_append(&b, p, 1);
    }
    rp_buf_puts(&b, "\"");
    json_t *s = json_string(rp_buf_str(&b));
    rp_buf_free(&b);
    return s;
}

#define OPT_S(s) ((s) ? json_string(s) : json_null())

/* The sort keys of the encounter a cursor names; 0 when there is none. */
static rp_code cursor_keys(rp_ctx *ctx, int64_t id, int64_t *arrived,
                           int64_t *updated, rp_error *err)
{
    json_t *params = json_pack("[I]", (json_int_t)id), *rows = NULL;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_ENCOUNTER_WORKLIST_KEY,
                                        params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    json_t *r = json_array_get(rows, 0);
    *arrived = json_integer_value(json_object_get(r, "arrived"));
    *updated = json_integer_value(json_object_get(r, "updated"));
    int found = r != NULL;
    json_decref(rows);
    if (!found)
        return rp_error_refuse(err, RP_EINVALID, "cursor", "unknown_id", 0,
                               "the cursor names no encounter; start again "
                               "from the first page");
    return RP_OK;
}

/* Choose the query for f and build its parameters. */
static rp_code plan(rp_ctx *ctx, const wl_filter *f, const rp_page_req *page,
                    rp_query *q, json_t **params, rp_error *err)
{
    int64_t cut[3] = {0, 0, 0}, arrived = 0, updated = 0;
    if (f->over_target && cutoffs(ctx, cut, err))
        return err->code;
    if (page->after_id > 0 &&
        cursor_keys(ctx, page->after_id, &arrived, &updated, err))
        return err->code;
    json_t *p = json_pack(
        "[s, O?, O?, o, o, o, o, o, o, o, o, o, o, i]", f->state, f->queue,
        f->agent, OPT_S(f->stage), OPT_S(f->channel), OPT_S(f->kind),
        OPT_S(f->exchange), f->over_target ? json_integer(1) : json_null(),
        json_integer(cut[0]), json_integer(cut[1]), json_integer(cut[2]),
        f->q ? fts_string(f->q) : json_null(),
        f->customer_id ? json_integer(f->customer_id) : json_null(),
        page->limit + 1);
    if (!f->queue)
        json_array_set_new(p, 1, json_null());
    if (!f->agent)
        json_array_set_new(p, 2, json_null());
    int first = page->after_id <= 0;
    int64_t after = first ? INT64_MAX : page->after_id;
    if (f->q) {
        /* the key as WL_SEARCH_KEY computes it */
        int64_t key = !strcmp(f->sort, "waiting")    ? arrived
                      : !strcmp(f->sort, "activity") ? -updated
                                                     : -page->after_id;
        *q = RP_Q_ENCOUNTER_WORKLIST_SEARCH;
        json_array_append_new(p, json_string(f->sort));
        json_array_append_new(p, json_integer(first ? INT64_MIN : key));
        json_array_append_new(p, json_integer(first ? 0 : page->after_id));
    } else if (f->customer_id || !strcmp(f->sort, "newest")) {
        *q = f->customer_id ? RP_Q_ENCOUNTER_WORKLIST_CUSTOMER
                            : RP_Q_ENCOUNTER_WORKLIST_NEWEST;
        json_array_append_new(p, json_integer(after));
    } else if (!strcmp(f->sort, "waiting")) {
        /* one agent's work from that agent's index entries, one queue's
         * from that queue's range, not a walk of all the open work in
         * waiting order */
        *q = f->agent && json_integer_value(f->agent) > 0
                 ? RP_Q_ENCOUNTER_WORKLIST_AGENT_WAITING
             : f->queue ? RP_Q_ENCOUNTER_WORKLIST_QUEUE_WAITING
                        : RP_Q_ENCOUNTER_WORKLIST_OPEN_WAITING;
        json_array_append_new(p, json_integer(first ? INT64_MIN : arrived));
        json_array_append_new(p, json_integer(first ? 0 : page->after_id));
    } else {
        *q = strcmp(f->state, "open") ? RP_Q_ENCOUNTER_WORKLIST_CLOSED_ACTIVITY
             : f->queue               ? RP_Q_ENCOUNTER_WORKLIST_QUEUE_ACTIVITY
                                      : RP_Q_ENCOUNTER_WORKLIST_OPEN_ACTIVITY;
        json_array_append_new(p, json_integer(first ? INT64_MAX : updated));
        json_array_append_new(p, json_integer(after));
    }
    *params = p;
    return RP_OK;
}

/* The encounter's columns that fields (NULL: all) names, into cols (room
 * for every column): the entity e read with them.  A page of a list reads
 * the 17 columns its items show, not the 61 of an encounter, most of which
 * were turned into JSON only to be dropped again. */
static void columns_of(const json_t *fields, rp_column *cols, rp_entity *e)
{
    *e = RP_ENTITY_ENCOUNTER;
    if (!fields)
        return;
    size_t n = 0;
    for (size_t i = 0; i < RP_ENTITY_ENCOUNTER.ncolumns; i++)
        if (json_object_get(fields, RP_ENTITY_ENCOUNTER.columns[i].name) ||
            !strcmp(RP_ENTITY_ENCOUNTER.columns[i].name, "stage"))
            cols[n++] = RP_ENTITY_ENCOUNTER.columns[i]; /* stage: see below */
    e->columns = cols;
    e->ncolumns = n;
}

/* Replace each {"id", names...} of order with the encounter's row (the
 * columns fields names, NULL: all) and the names, read in one query by
 * id. */
static rp_code fill_rows(rp_ctx *ctx, json_t *order, const json_t *fields,
                         rp_error *err)
{
    if (json_array_size(order) == 0)
        return RP_OK;
    json_t *ids = json_array(), *v;
    size_t i;
    json_array_foreach(order, i, v)
        json_array_append(ids, json_object_get(v, "id"));
    rp_filter flt = {"id", RP_FILTER_IN, ids};
    rp_page all = {0, 0, (int)json_array_size(ids)};
    json_t *rows = NULL;
    rp_column *cols = malloc(RP_ENTITY_ENCOUNTER.ncolumns * sizeof *cols);
    rp_entity e;
    columns_of(cols ? fields : NULL, cols, &e);
    rp_code rc = ctx->store->ops->list(ctx->store, &e, &flt, 1, &all, &rows,
                                       err);
    free(cols);
    json_decref(ids);
    if (rc)
        return rc;
    json_array_foreach(order, i, v) {
        json_int_t id = json_integer_value(json_object_get(v, "id"));
        size_t j;
        json_t *row, *found = NULL;
        json_array_foreach(rows, j, row)
            if (json_integer_value(json_object_get(row, "id")) == id) {
                found = row;
                break;
            }
        if (!found) /* gone between the two reads: the names stand alone */
            continue;
        json_object_update_missing(v, found);
    }
    json_decref(rows);
    return RP_OK;
}

rp_code rp_encounter_worklist(rp_ctx *ctx, json_t *filters,
                              const rp_page_req *page, json_t **out,
                              rp_error *err)
{
    wl_filter f;
    if (read_filter(ctx, filters, &f, err))
        return err->code;
    rp_query q = RP_Q_ENCOUNTER_WORKLIST_NEWEST;
    json_t *params = NULL, *order = NULL;
    rp_code rc = plan(ctx, &f, page, &q, &params, err);
    if (rc == RP_OK)
        rc = ctx->store->ops->query(ctx->store, q, params, &order, err);
    json_decref(params);
    json_decref(f.queue);
    json_decref(f.agent);
    if (rc == RP_OK)
        rc = fill_rows(ctx, order, ctx->list_fields, err);
    if (rc) {
        json_decref(order);
        return rc;
    }
    /* a row that went between the reads has only its names (no stage,
     * which is always read): leave it out after the page is cut, so the
     * cursor still follows the order */
    json_t *result = rp_page_result(order, page->limit);
    json_t *items = json_object_get(result, "items");
    for (size_t i = json_array_size(items); i-- > 0;)
        if (!json_object_get(json_array_get(items, i), "stage"))
            json_array_remove(items, i);
    *out = result;
    return RP_OK;
}

/* ---- the counts of every list ------------------------------------------ */

/* 1 when queue id (0: none) is among visible (NULL: every queue). */
static int visible_queue(json_t *visible, int64_t id)
{
    if (!visible)
        return 1;
    size_t i;
    json_t *v;
    json_array_foreach(visible, i, v)
        if (json_integer_value(v) == id)
            return 1;
    return 0;
}

static json_int_t int_of(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* One list's entry for queue row r (or the desk's queue q with no open
 * work): {"queue_id", "name", "open", "unassigned", "mine",
 * "over_target", "closed_recently"}. */
static json_t *queue_entry(json_t *queue, json_t *counts, json_t *closed)
{
    return json_pack(
        "{s:O, s:O, s:I, s:I, s:I, s:I, s:I}", "queue_id",
        queue ? json_object_get(queue, "id") : json_null(), "name",
        queue ? json_object_get(queue, "name") : json_null(), "open",
        int_of(counts, "open"), "unassigned", int_of(counts, "unassigned"),
        "mine", int_of(counts, "mine"), "over_target",
        int_of(counts, "over_target"), "closed_recently", int_of(closed, "n"));
}

/* The row of rows whose queue_id is id (0: null), or NULL. */
static json_t *row_of_queue(json_t *rows, int64_t id)
{
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        json_t *q = json_object_get(r, "queue_id");
        if ((id == 0 && json_is_null(q)) ||
            (json_is_integer(q) && json_integer_value(q) == id))
            return r;
    }
    return NULL;
}

rp_code rp_encounter_worklists(rp_ctx *ctx, json_t **out, rp_error *err)
{
    int64_t cut[3], since = rp_now() - CLOSED_RECENT_DAYS * 86400;
    rp_store *s = ctx->store;
    json_t *counts = NULL, *closed = NULL, *changed = NULL, *queues = NULL,
           *visible = NULL;
    if (cutoffs(ctx, cut, err))
        return err->code;
    if (rp_store_read_begin(s, err))
        return err->code;
    json_t *p = json_pack("[I, I, I, I]", (json_int_t)ctx->agent_id,
                          (json_int_t)cut[0], (json_int_t)cut[1],
                          (json_int_t)cut[2]);
    rp_code rc = s->ops->query(s, RP_Q_ENCOUNTER_WORKLIST_COUNTS, p, &counts,
                               err);
    json_decref(p);
    p = json_pack("[I]", (json_int_t)since);
    if (rc == RP_OK)
        rc = s->ops->query(s, RP_Q_ENCOUNTER_WORKLIST_CLOSED_COUNTS, p, &closed,
                           err);
    json_decref(p);
    if (rc == RP_OK)
        rc = s->ops->query(s, RP_Q_ENCOUNTER_WORKLIST_CHANGED, NULL, &changed,
                           err);
    rp_page all = {0, 0, 1000};
    if (rc == RP_OK)
        rc = s->ops->list(s, &RP_ENTITY_QUEUE, NULL, 0, &all, &queues, err);
    if (rc == RP_OK && ctx->viewer)
        rc = rp_access_queues(ctx, ctx->viewer, &visible, err);
    rp_store_read_end(s);
    if (rc) {
        json_decref(counts);
        json_decref(closed);
        json_decref(changed);
        json_decref(queues);
        return rc;
    }
    json_t *list = json_array();
    json_int_t mine = 0, unassigned = 0, open = 0, over = 0, done = 0;
    size_t i;
    json_t *r;
    /* every queue the reader may see, then the encounters in none */
    json_array_foreach(queues, i, r) {
        int64_t id = int_of(r, "id");
        if (!visible_queue(visible, id))
            continue;
        json_array_append_new(list, queue_entry(r, row_of_queue(counts, id),
                                                row_of_queue(closed, id)));
    }
    if (visible_queue(visible, 0))
        json_array_append_new(list, queue_entry(NULL, row_of_queue(counts, 0),
                                                row_of_queue(closed, 0)));
    json_array_foreach(list, i, r) {
        unassigned += int_of(r, "unassigned");
        open += int_of(r, "open");
        over += int_of(r, "over_target");
        done += int_of(r, "closed_recently");
    }
    /* one's own work counts wherever it is */
    json_array_foreach(counts, i, r)
        mine += int_of(r, "mine");
    /* what changed last, as a token a console compares with the one it has */
    json_t *c = json_array_get(changed, 0);
    char token[96];
    snprintf(token, sizeof token, "%lld.%lld",
             (long long)int_of(c, "open_changed"),
             (long long)int_of(c, "closed_changed"));
    char since_text[RP_TIME_MAX];
    rp_time_format(since, since_text);
    *out = json_pack("{s:I, s:I, s:I, s:I, s:I, s:s, s:o, s:s}", "mine", mine,
                     "unassigned", unassigned, "open", open, "over_target",
                     over, "closed_recently", done, "closed_since", since_text,
                     "queues", list, "changed", token);
    json_decref(counts);
    json_decref(closed);
    json_decref(changed);
    json_decref(queues);
    json_decref(visible);
    return RP_OK;
}
