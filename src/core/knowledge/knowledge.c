/*
 * knowledge.c - the knowledge base (kb.h): articles, FTS5 search, helpfulness
 * votes and suggestions for an encounter.
 *
 * The FTS5 index (kb_fts) is an external-content table kept in step with
 * kb_articles by triggers, so an article and its index entry change in the
 * same transaction.  Snippets come back from SQLite with control
 * characters (\x02, \x03) around matches; here the text is HTML-escaped
 * and only then are those turned into <mark>, so article text can never
 * inject markup into the console.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rapport.h"

#define TITLE_MAX_CHARS 200
#define BODY_MAX_CHARS 20000
#define TAGS_MAX 20
#define TAG_MAX_CHARS 40
/* Words at least this long are also searched as the start of a word
 * ("dupl" finds "duplicate"); shorter ones would match half the index. */
#define PREFIX_FROM_CHARS 3

static const char *const article_states[] = {"draft", "published", NULL};

const rp_field rp_kb_article_fields[] = {
    {"title", RP_FIELD_TEXT, RP_IN_CREATE, .max_chars = TITLE_MAX_CHARS},
    {"body", RP_FIELD_TEXT, RP_IN_CREATE, .max_chars = BODY_MAX_CHARS},
    {"tags", RP_FIELD_TEXT_LIST, RP_IN_OPTIONAL, .max_items = TAGS_MAX,
     .max_chars = TAG_MAX_CHARS},
    {"state", RP_FIELD_ENUM, RP_IN_KEPT, .values = article_states,
     .meaning = "a draft (seen by leads and admins only) or published "
                "(default when creating)"},
    {.name = NULL},
};
const rp_field rp_kb_feedback_fields[] = {
    {"helped", RP_FIELD_BOOL, RP_IN_REQUIRED, .meaning = "the article helped"},
    {"encounter_id", RP_FIELD_INT, RP_IN_OPTIONAL, .min = 1, .max = INT64_MAX,
     .meaning = "the encounter it was used in"},
    {.name = NULL},
};

/* Words that say nothing about what an article is about. */
static const char *const common_words[] = {
    "the",   "and",   "for",   "with",   "that",  "this",     "from",  "have",
    "has",   "was",   "were",  "are",    "not",   "but",      "you",   "your",
    "our",   "they",  "their", "she",    "her",   "his",      "him",   "its",
    "can",   "could", "would", "should", "will",  "about",    "into",  "what",
    "when",  "who",   "how",   "why",    "there", "then",     "them",  "been",
    "had",   "did",   "does",  "any",    "all",   "customer", "wants", "want",
    "asked", "asks",  "said",  "says",   NULL};

/* The text at key in o, or dflt. */
static const char *text_of(json_t *o, const char *key, const char *dflt)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : dflt;
}

static int is_common(const char *w)
{
    for (int i = 0; common_words[i]; i++)
        if (strcmp(common_words[i], w) == 0)
            return 1;
    return 0;
}

static int word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c >= 0x80;
}

rp_code rp_kb_fts_query(const char *text, const char *joiner, size_t minlen,
                        int skip_common, char *out, size_t n, rp_error *err)
{
    return rp_kb_fts_terms(text, joiner, minlen, skip_common, 0, out, n, err);
}

rp_code rp_kb_fts_terms(const char *text, const char *joiner, size_t minlen,
                        int skip_common, size_t prefix_from, char *out,
                        size_t n, rp_error *err)
{
    size_t len = 0, terms = 0;
    const char *p = text ? text : "";
    if (n)
        out[0] = '\0';
    while (*p && terms < RP_KB_MAX_TERMS) {
        while (*p && !word_byte((unsigned char)*p))
            p++;
        const char *start = p;
        while (*p && word_byte((unsigned char)*p))
            p++;
        size_t wl = (size_t)(p - start);
        if (wl == 0 || wl > 64)
            continue;
        char word[65];
        for (size_t i = 0; i < wl; i++)
            word[i] = (char)(start[i] >= 'A' && start[i] <= 'Z' ? start[i] + 32
                                                                : start[i]);
        word[wl] = '\0';
        /* a word cut inside a character cannot be searched for (and SQLite
         * takes only UTF-8): it is left out, the others still count */
        if (!rp_utf8_is_valid(word, wl))
            continue;
        size_t chars = rp_utf8_length(word);
        if (chars < minlen || (skip_common && is_common(word)))
            continue;
        /* The word holds no '"' (not a word byte), so quoting is exact; a
         * '*' after the closing quote is FTS5's prefix, never the user's. */
        int w = snprintf(out + len, n - len, "%s\"%s\"%s", terms ? joiner : "",
                         word, prefix_from && chars >= prefix_from ? "*" : "");
        if (w < 0 || (size_t)w >= n - len)
            return rp_error_refuse(err, RP_EINVALID, "q", "too_long", 200,
                                   "q has too many words");
        len += (size_t)w;
        terms++;
    }
    if (!terms)
        return rp_error_refuse(
            err, RP_EINVALID, "q", "too_short", 0,
            "q must contain at least one word to search for");
    return RP_OK;
}

/* HTML-escape s, turning the \x02 and \x03 match marks into <mark>. */
static json_t *marked_html(const char *s)
{
    if (!s)
        return json_null();
    size_t cap = strlen(s) * 6 + 1;
    char *buf = malloc(cap), *o = buf;
    if (!buf)
        return json_null();
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '\x02': rep = "<mark>"; break;
        case '\x03': rep = "</mark>"; break;
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        }
        if (rep) {
            size_t rl = strlen(rep);
            memcpy(o, rep, rl);
            o += rl;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    json_t *v = json_string(buf);
    free(buf);
    return v ? v : json_null();
}

int rp_kb_may_see_drafts(const rp_ctx *ctx)
{
    return !ctx->viewer || ctx->viewer->role >= rp_role_rank("lead");
}

/* A draft is not there for a reader who may not see drafts: the same
 * answer as no article at all, so its existence is not told either. */
rp_code rp_kb_article_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err)
{
    json_t *a = NULL;
    rp_code rc = ctx->store->ops->get(ctx->store, &RP_ENTITY_KB_ARTICLE, id, &a,
                                      err);
    if (rc == RP_OK && (rp_kb_may_see_drafts(ctx) ||
                        strcmp(text_of(a, "state", "published"), "draft"))) {
        *out = a;
        return RP_OK;
    }
    json_decref(a);
    if (rc == RP_OK || rc == RP_ENOTFOUND)
        rp_error_set(err, RP_ENOTFOUND, "id", "no article with id %lld",
                     (long long)id);
    return err->code;
}

static rp_code read_article(json_t *in, int creating, json_t *row,
                            rp_error *err)
{
    const char *title, *body;
    json_t *tags;
    const char *state;
    if (rp_in_fields(in, rp_kb_article_fields, creating, err) ||
        rp_in_enum(in, "state", RP_IN_KEPT, article_states, &state, err) ||
        rp_in_string(in, "title", RP_IN_ALWAYS(creating), TITLE_MAX_CHARS,
                     &title, err) ||
        rp_in_string(in, "body", RP_IN_ALWAYS(creating), BODY_MAX_CHARS, &body,
                     err) ||
        rp_in_string_list(in, "tags", TAGS_MAX, TAG_MAX_CHARS, &tags, err))
        return err->code;
    if (title)
        json_object_set_new(row, "title", json_string(title));
    if (body)
        json_object_set_new(row, "body", json_string(body));
    if (json_object_get(in, "tags"))
        json_object_set(row, "tags", tags ? tags : json_array());
    if (state)
        json_object_set_new(row, "state", json_string(state));
    return RP_OK;
}

rp_code rp_kb_article_create(rp_ctx *ctx, json_t *in, json_t **out,
                             rp_error *err)
{
    json_t *row = json_object();
    if (read_article(in, 1, row, err)) {
        json_decref(row);
        return err->code;
    }
    int64_t now = rp_now(), id = 0;
    if (!json_object_get(row, "tags"))
        json_object_set_new(row, "tags", json_array());
    json_object_set_new(row, "helped", json_integer(0));
    json_object_set_new(row, "not_helped", json_integer(0));
    json_object_set_new(row, "created_by",
                        ctx->agent_id ? json_integer(ctx->agent_id)
                                      : json_null());
    json_object_set_new(row, "created_at", json_integer(now));
    json_object_set_new(row, "updated_at", json_integer(now));
    /* Published unless asked for a draft: what the API always did. */
    if (!json_object_get(row, "state"))
        json_object_set_new(row, "state", json_string("published"));
    int draft = strcmp(text_of(row, "state", ""), "draft") == 0;
    json_object_set_new(row, "published_at",
                        draft ? json_null() : json_integer(now));
    /* The insert trigger writes the FTS5 entry in the same statement. */
    rp_code rc = ctx->store->ops->insert(ctx->store, &RP_ENTITY_KB_ARTICLE, row,
                                         &id, err);
    json_decref(row);
    return rc ? rc : rp_kb_article_get(ctx, id, out, err);
}

rp_code rp_kb_article_update(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                             rp_error *err)
{
    json_t *current;
    if (rp_kb_article_get(ctx, id, &current, err))
        return err->code;
    json_t *row = json_object();
    if (read_article(in, 0, row, err)) {
        json_decref(current);
        json_decref(row);
        return err->code;
    }
    if (json_object_size(row) == 0) {
        json_decref(current);
        json_decref(row);
        return rp_error_refuse(err, RP_EINVALID, NULL, "nothing_to_change", 0,
                               "nothing to change: give title, body, tags or "
                               "state");
    }
    int64_t now = rp_now();
    /* published_at is when it was first published: taking it back to a
     * draft and publishing it again keeps the first time. */
    if (strcmp(text_of(row, "state", ""), "published") == 0 &&
        json_is_null(json_object_get(current, "published_at")))
        json_object_set_new(row, "published_at", json_integer(now));
    json_decref(current);
    json_object_set_new(row, "updated_at", json_integer(now));
    rp_code rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_KB_ARTICLE, id,
                                         row, err);
    json_decref(row);
    return rc ? rc : rp_kb_article_get(ctx, id, out, err);
}

/* A word that more than this many articles hold as it stands is common:
 * it is searched as it stands, not also as the start of longer words (the
 * start of a word is read by merging every longer word's matches, and a
 * pool this full has no room for them).  A word (or start of a word) that
 * matches more articles than this is ranked only among the store's
 * bounded pool (the newest of all the matches); every match of a rarer
 * one is ranked (knowledge.search). */
#define KB_COMMON 1000

/* How many articles the FTS5 string term matches, up to KB_COMMON + 1. */
static rp_code term_articles(rp_ctx *ctx, const char *term, json_int_t *n,
                             rp_error *err)
{
    json_t *params = json_pack("[s, i]", term, KB_COMMON + 1), *rows;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_KNOWLEDGE_WORD_ARTICLES, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    *n = json_integer_value(
        json_object_get(json_array_get(rows, 0), "articles"));
    json_decref(rows);
    return RP_OK;
}

/* From fts, the safe query rp_kb_fts_terms made ("word" or "word"*,
 * joined by " OR "), the query to run (*all: a common word loses its *)
 * and the rare words' (*rare, empty when none). */
static rp_code pool_queries(rp_ctx *ctx, const char *fts, rp_buf *all,
                            rp_buf *rare, rp_error *err)
{
    const char *p = fts;
    while ((p = strchr(p, '"'))) {
        const char *w = p + 1, *end = strchr(w, '"');
        if (!end || end - w > 64)
            break; /* not what rp_kb_fts_terms writes */
        int prefix = end[1] == '*';
        char term[80];
        snprintf(term, sizeof term, "\"%.*s\"", (int)(end - w), w);
        json_int_t n;
        if (term_articles(ctx, term, &n, err))
            return err->code;
        if (prefix && n <= KB_COMMON) {
            snprintf(term, sizeof term, "\"%.*s\"*", (int)(end - w), w);
            if (term_articles(ctx, term, &n, err))
                return err->code;
        }
        rp_buf_printf(all, "%s%s", all->len ? " OR " : "", term);
        if (n <= KB_COMMON)
            rp_buf_printf(rare, "%s%s", rare->len ? " OR " : "", term);
        p = end + 1 + (end[1] == '*');
    }
    return RP_OK;
}

/* Run the search for an already safe FTS5 query. */
static rp_code search_fts(rp_ctx *ctx, const char *fts, int limit, int drafts,
                          json_t **out, rp_error *err)
{
    rp_buf all = RP_BUF_INIT, rare = RP_BUF_INIT;
    rp_code rc = pool_queries(ctx, fts, &all, &rare, err);
    if (!rc && (all.failed || rare.failed))
        rc = rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    json_t *params = NULL, *rows = NULL;
    if (!rc) {
        params = json_pack("[s, i, i, s?]", all.len ? rp_buf_str(&all) : fts,
                           limit, drafts ? 1 : 0,
                           rare.len ? rp_buf_str(&rare) : NULL);
        rc = ctx->store->ops->query(ctx->store, RP_Q_KNOWLEDGE_SEARCH, params,
                                    &rows, err);
    }
    json_decref(params);
    rp_buf_free(&all);
    rp_buf_free(&rare);
    if (rc)
        return rc;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        json_object_set_new(
            r, "title_html",
            marked_html(json_string_value(json_object_get(r, "title_marked"))));
        json_object_set_new(r, "snippet_html",
                            marked_html(json_string_value(
                                json_object_get(r, "snippet_marked"))));
        json_object_del(r, "title_marked");
        json_object_del(r, "snippet_marked");
    }
    *out = json_pack("{s:o}", "items", rows);
    return RP_OK;
}

rp_code rp_kb_search(rp_ctx *ctx, const char *q, int limit, json_t **out,
                     rp_error *err)
{
    if (!q || !*q)
        return rp_error_refuse(err, RP_EINVALID, "q", "required", 0,
                               "q is required: the words "
                               "to search for");
    if (!rp_utf8_is_valid(q, strlen(q)))
        return rp_error_set(err, RP_EMALFORMED, "q",
                            "q is not UTF-8 text: send the words to search "
                            "for percent-encoded as UTF-8");
    if (rp_utf8_length(q) > 200)
        return rp_error_refuse(err, RP_EINVALID, "q", "too_long", 200,
                               "q is longer than 200 characters");
    if (limit < 1 || limit > 50)
        return rp_error_refuse(err, RP_EINVALID, "limit", "out_of_range", 0,
                               "limit must be 1 to 50");
    /* Any of the words, each also as the start of a longer word: bm25
     * sums what each word adds, so an article with more of them (and the
     * rarer ones) comes first, and one that has only some still comes. */
    char fts[RP_KB_MAX_TERMS * 72];
    if (rp_kb_fts_terms(q, " OR ", 1, 0, PREFIX_FROM_CHARS, fts, sizeof fts,
                        err))
        return err->code;
    return search_fts(ctx, fts, limit, rp_kb_may_see_drafts(ctx), out, err);
}

rp_code rp_kb_suggest(rp_ctx *ctx, int64_t encounter_id, json_t **out,
                      rp_error *err)
{
    json_t *enc;
    if (rp_encounter_get(ctx, encounter_id, &enc, err))
        return err->code;
    static const char *const keys[] = {"subject", "topic", "request", "facts",
                                       NULL};
    rp_buf text = RP_BUF_INIT;
    for (int i = 0; keys[i]; i++) {
        const char *v = json_string_value(json_object_get(enc, keys[i]));
        if (v)
            rp_buf_printf(&text, " %s", v);
    }
    json_decref(enc);
    char fts[RP_KB_MAX_TERMS * 72];
    rp_error ignored;
    int none = rp_kb_fts_query(rp_buf_str(&text), " OR ", 3, 1, fts, sizeof fts,
                               &ignored) != RP_OK;
    rp_buf_free(&text);
    if (none) {
        *out = json_pack("{s:[]}", "items"); /* nothing recorded to go on */
        return RP_OK;
    }
    /* a draft is never suggested, whoever reads the encounter */
    return search_fts(ctx, fts, 5, 0, out, err);
}

rp_code rp_kb_feedback(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                       rp_error *err)
{
    int helped = 0, has_enc = 0;
    int64_t encounter_id = 0;
    json_t *article = NULL, *enc = NULL;
    if (rp_kb_article_get(ctx, id, &article, err) ||
        rp_in_fields(in, rp_kb_feedback_fields, 1, err) ||
        rp_in_bool(in, "helped", 1, &helped, NULL, err) ||
        rp_in_int(in, "encounter_id", 0, 1, INT64_MAX, &encounter_id, &has_enc,
                  err))
        goto fail;
    if (has_enc && rp_encounter_get(ctx, encounter_id, &enc, err)) {
        if (err->code == RP_ENOTFOUND)
            rp_error_refuse(err, RP_EINVALID, "encounter_id", "unknown_id", 0,
                            "encounter_id %lld names no encounter",
                            (long long)encounter_id);
        goto fail;
    }
    rp_store *s = ctx->store;
    if (rp_store_begin(s, err))
        goto fail;
    int64_t fid;
    json_t *row = json_pack(
        "{s:I, s:o, s:o, s:b, s:I}", "article_id", (json_int_t)id, "agent_id",
        ctx->agent_id ? json_integer(ctx->agent_id) : json_null(),
        "encounter_id", has_enc ? json_integer(encounter_id) : json_null(),
        "helped", helped, "created_at", (json_int_t)rp_now());
    rp_code rc = s->ops->insert(s, &RP_ENTITY_KB_FEEDBACK, row, &fid, err);
    json_decref(row);
    if (rc == RP_OK) {
        json_t *params = json_pack("[i, i, I]", helped ? 1 : 0, helped ? 0 : 1,
                                   (json_int_t)id);
        rc = s->ops->exec(s, RP_Q_KNOWLEDGE_VOTE, params, NULL, err);
        json_decref(params);
    }
    if (rc == RP_OK && enc) {
        rp_buf summary = RP_BUF_INIT;
        rp_buf_puts(&summary, "Knowledge article \"");
        rp_buf_put_cut(&summary,
                       json_string_value(json_object_get(article, "title")),
                       200);
        rp_buf_printf(&summary, "\" %s", helped ? "helped" : "did not help");
        json_t *detail = json_pack("{s:I, s:b, s:O?}", "article_id",
                                   (json_int_t)id, "helped", helped, "title",
                                   json_object_get(article, "title"));
        rp_moment m = {.customer_id = json_integer_value(
                           json_object_get(enc, "customer_id")),
                       .encounter_id = encounter_id,
                       .kind = "kb.feedback",
                       .summary = rp_buf_str(&summary),
                       .detail = detail};
        rc = rp_moment_record(ctx, &m, err);
        json_decref(detail);
        rp_buf_free(&summary);
    }
    rc = rp_store_finish(s, rc, err);
    if (rc)
        goto fail;
    json_decref(article);
    json_decref(enc);
    return rp_kb_article_get(ctx, id, out, err);
fail:
    json_decref(article);
    json_decref(enc);
    return err->code;
}

rp_code rp_kb_article_list(rp_ctx *ctx, const char *tag, const char *state,
                           const rp_page_req *page, json_t **out, rp_error *err)
{
    if (state && *state && strcmp(state, "draft") != 0 &&
        strcmp(state, "published") != 0)
        return rp_error_refuse(err, RP_EINVALID, "state", "not_allowed", 0,
                               "state must be draft or published");
    int writer = rp_kb_may_see_drafts(ctx);
    if (!writer && state && strcmp(state, "draft") == 0)
        return rp_error_set(err, RP_EFORBIDDEN, "state",
                            "only leads and admins see drafts");
    rp_filter f[2];
    int nf = 0;
    json_t *sv = NULL, *tv = NULL;
    /* an agent's list is the published articles, asked for or not */
    if ((state && *state) || !writer) {
        sv = json_string(state && *state ? state : "published");
        f[nf++] = (rp_filter){"state", RP_FILTER_EQ, sv};
    }
    if (tag && *tag) {
        /* tags are a JSON array of words: match the whole tag quoted, as
         * the catalogue's tags are matched (rp_product_list) */
        rp_buf quoted = RP_BUF_INIT;
        rp_buf_printf(&quoted, "\"%s\"", tag);
        tv = quoted.failed ? NULL : json_string(rp_buf_str(&quoted));
        rp_buf_free(&quoted);
        if (!tv) {
            json_decref(sv);
            return rp_error_refuse(err, RP_EINVALID, "tag", "not_text", 0,
                                   "not valid UTF-8");
        }
        f[nf++] = (rp_filter){"tags", RP_FILTER_CONTAINS, tv};
    }
    rp_page p = {page->after_id, 0, page->limit + 1};
    json_t *rows;
    rp_code rc = ctx->store->ops->list(ctx->store, &RP_ENTITY_KB_ARTICLE, f, nf,
                                       &p, &rows, err);
    json_decref(sv);
    json_decref(tv);
    if (rc)
        return rc;
    *out = rp_page_result(rows, page->limit);
    return RP_OK;
}

rp_code rp_kb_tags(rp_ctx *ctx, json_t **out, rp_error *err)
{
    json_t *params = json_pack("[i]", rp_kb_may_see_drafts(ctx) ? 1 : 0), *rows;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_KNOWLEDGE_TAGS, params,
                                        &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    *out = json_pack("{s:o}", "items", rows);
    return RP_OK;
}
