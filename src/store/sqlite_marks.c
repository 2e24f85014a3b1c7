/*
 * sqlite_marks.c - the knowledge search's highlighted title and snippet,
 * made from an article's stored text: two SQL functions registered on
 * every connection of the backend.
 *
 *   rp_kb_highlight(text, query, open, close)
 *   rp_kb_snippet(text, query, open, close, ellipsis, words)
 *
 * They give what FTS5's highlight() and snippet() give for a column of
 * kb_fts matched by query (the same tokenizer, porter over unicode61, the
 * same matching of each quoted phrase and of a prefix, and snippet()'s
 * choice of the words shown), but without a cursor of the index on the
 * row: FTS5's functions need one, and the search had to match its query a
 * second time over the range of the page's ids to get it, which for the
 * start of a word (every longer word's matches merged again) cost more
 * than ranking the pool (1.5 ms of 3.3, measured; bench/README.md).  Here
 * the ten rows of a page are read from kb_articles and tokenized again,
 * a few hundred words each.
 *
 * query is what rp_kb_fts_terms writes (core/knowledge): quoted phrases,
 * each maybe followed by the prefix star, joined by OR; anything else
 * between the phrases is ignored.  It is parsed and tokenized once per
 * statement (SQLite's auxdata on the argument).
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

/* The tokenizer of kb_fts: tokenize='porter unicode61'. */
typedef struct marks_tokenizer {
    fts5_tokenizer api;
    Fts5Tokenizer *tok;
} marks_tokenizer;

typedef struct token {
    int start, end; /* bytes of the text */
    int at, n;      /* the token's folded text in the arena */
} token;

typedef struct tokens {
    token *v;
    int n, cap;
    char *arena;
    int used, room;
    int failed;
} tokens;

typedef struct phrase {
    int first, n; /* its tokens in the query's list */
    int prefix;
} phrase;

typedef struct parsed_query {
    tokens t;
    phrase *p;
    int np;
} parsed_query;

static void tokens_free(tokens *t)
{
    free(t->v);
    free(t->arena);
}

static int add_token(void *arg, int flags, const char *text, int n, int start,
                     int end)
{
    tokens *t = arg;
    if (flags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK; /* a synonym: no position of its own */
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 64;
        token *v = realloc(t->v, sizeof *v * (size_t)cap);
        if (!v)
            return t->failed = 1, SQLITE_NOMEM;
        t->v = v;
        t->cap = cap;
    }
    if (t->used + n > t->room) {
        int room = (t->room ? t->room * 2 : 1024) + n;
        char *a = realloc(t->arena, (size_t)room);
        if (!a)
            return t->failed = 1, SQLITE_NOMEM;
        t->arena = a;
        t->room = room;
    }
    memcpy(t->arena + t->used, text, (size_t)n);
    t->v[t->n++] = (token){start, end, t->used, n};
    t->used += n;
    return SQLITE_OK;
}

static void query_free(void *arg)
{
    parsed_query *q = arg;
    if (q) {
        tokens_free(&q->t);
        free(q->p);
        free(q);
    }
}

/* The phrases of query, each tokenized as FTS5 tokenizes a query. */
static parsed_query *parse_query(marks_tokenizer *mt, const char *query)
{
    parsed_query *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    int cap = 0;
    const char *s = query;
    while ((s = strchr(s, '"'))) {
        const char *w = s + 1, *end = strchr(w, '"');
        if (!end)
            break;
        int prefix = end[1] == '*';
        if (q->np == cap) {
            cap = cap ? cap * 2 : 8;
            phrase *p = realloc(q->p, sizeof *p * (size_t)cap);
            if (!p) {
                query_free(q);
                return NULL;
            }
            q->p = p;
        }
        int first = q->t.n;
        int flags = FTS5_TOKENIZE_QUERY | (prefix ? FTS5_TOKENIZE_PREFIX : 0);
        if (mt->api.xTokenize(mt->tok, &q->t, flags, w, (int)(end - w),
                              add_token) != SQLITE_OK ||
            q->t.failed) {
            query_free(q);
            return NULL;
        }
        if (q->t.n > first) /* a phrase with no token matches nothing */
            q->p[q->np++] = (phrase){first, q->t.n - first, prefix};
        s = end + 1 + prefix;
    }
    return q;
}

/* Does phrase p of q start at token i of doc? */
static int phrase_at(const parsed_query *q, const phrase *p, const tokens *doc,
                     int i)
{
    if (i + p->n > doc->n)
        return 0;
    for (int k = 0; k < p->n; k++) {
        const token *qt = &q->t.v[p->first + k], *dt = &doc->v[i + k];
        int last_prefix = p->prefix && k == p->n - 1;
        if (last_prefix ? dt->n < qt->n : dt->n != qt->n)
            return 0;
        if (memcmp(q->t.arena + qt->at, doc->arena + dt->at, (size_t)qt->n))
            return 0;
    }
    return 1;
}

/* A phrase found in the text: its first and last token. */
typedef struct hit {
    int phrase, first, last;
} hit;

/* Every phrase of q in doc, by position then phrase (FTS5's xInst order). */
static hit *hits_of(const parsed_query *q, const tokens *doc, int *nhits)
{
    int n = 0, cap = 16;
    hit *h = malloc(sizeof *h * (size_t)cap);
    for (int i = 0; h && i < doc->n; i++)
        for (int p = 0; p < q->np; p++) {
            if (!phrase_at(q, &q->p[p], doc, i))
                continue;
            if (n == cap) {
                hit *more = realloc(h, sizeof *h * (size_t)(cap *= 2));
                if (!more) {
                    free(h);
                    return NULL;
                }
                h = more;
            }
            h[n++] = (hit){p, i, i + q->p[p].n - 1};
        }
    *nhits = n;
    return h;
}

typedef struct out {
    char *s;
    size_t n, cap;
    int failed;
} out;

static void put(out *o, const char *s, size_t n)
{
    if (o->failed || n == 0)
        return;
    if (o->n + n + 1 > o->cap) {
        size_t cap = (o->cap ? o->cap * 2 : 256) + n;
        char *m = realloc(o->s, cap);
        if (!m) {
            o->failed = 1;
            return;
        }
        o->s = m;
        o->cap = cap;
    }
    memcpy(o->s + o->n, s, n);
    o->n += n;
}

/* The text of tokens [from, to] of doc with the hits marked, as FTS5's
 * highlighter writes it (fts5HighlightCb): overlapping hits are one mark;
 * a mark cut by the range is closed at its end.  from 0 starts at the
 * text's start; to the last token runs to the text's end. */
static void marked(out *o, const char *text, int len, const tokens *doc,
                   const hit *h, int nh, int from, int to, const char *open,
                   const char *close)
{
    int off = from > 0 ? doc->v[from].start : 0, k = 0;
    size_t lo = strlen(open), lc = strlen(close);
    while (k < nh) {
        int first = h[k].first, last = h[k].last;
        for (k++; k < nh && h[k].first <= last; k++)
            if (h[k].last > last)
                last = h[k].last;
        if (last < from || first > to)
            continue;
        int a = first < from ? from : first, b = last > to ? to : last;
        put(o, text + off, (size_t)(doc->v[a].start - off));
        put(o, open, lo);
        put(o, text + doc->v[a].start,
            (size_t)(doc->v[b].end - doc->v[a].start));
        put(o, close, lc);
        off = doc->v[b].end;
    }
    int end = to >= doc->n - 1 ? len : doc->v[to].end;
    if (end > off)
        put(o, text + off, (size_t)(end - off));
}

/* The text, the parsed query, and the text's tokens and hits. */
typedef struct marking {
    const char *text;
    int len;
    parsed_query *q;
    int fresh; /* q parsed by this call: handed to SQLite at the end */
    tokens doc;
    hit *h;
    int nh;
} marking;

/* Read the arguments into m: 1, or 0 with the result set (NULL for a
 * NULL argument, or the error). */
static int start_marking(sqlite3_context *ctx, sqlite3_value **argv, marking *m)
{
    marks_tokenizer *mt = sqlite3_user_data(ctx);
    memset(m, 0, sizeof *m);
    m->text = (const char *)sqlite3_value_text(argv[0]);
    m->len = sqlite3_value_bytes(argv[0]);
    const char *query = (const char *)sqlite3_value_text(argv[1]);
    if (!m->text || !query) {
        sqlite3_result_null(ctx);
        return 0;
    }
    m->q = sqlite3_get_auxdata(ctx, 1);
    if (!m->q) {
        if (!(m->q = parse_query(mt, query))) {
            sqlite3_result_error_nomem(ctx);
            return 0;
        }
        m->fresh = 1;
    }
    if (mt->api.xTokenize(mt->tok, &m->doc, FTS5_TOKENIZE_DOCUMENT, m->text,
                          m->len, add_token) != SQLITE_OK ||
        m->doc.failed || !(m->h = hits_of(m->q, &m->doc, &m->nh))) {
        sqlite3_result_error_nomem(ctx);
        tokens_free(&m->doc);
        if (m->fresh)
            query_free(m->q);
        return 0;
    }
    return 1;
}

/* Free what m holds; a query parsed by this call is kept by SQLite for
 * the statement's next rows (it may free it at once: SQLite's rule is
 * that nothing uses it after this). */
static void end_marking(sqlite3_context *ctx, marking *m)
{
    tokens_free(&m->doc);
    free(m->h);
    if (m->fresh)
        sqlite3_set_auxdata(ctx, 1, m->q, query_free);
}

/* o's text as the result (an empty text when nothing was put). */
static void result(sqlite3_context *ctx, out *o)
{
    if (o->s)
        sqlite3_result_text(ctx, o->s, (int)o->n, free);
    else
        sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
}

static void highlight_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    marking m;
    if (!start_marking(ctx, argv, &m))
        return;
    out o = {0};
    const char *open = (const char *)sqlite3_value_text(argv[2]);
    const char *close = (const char *)sqlite3_value_text(argv[3]);
    if (m.doc.n == 0)
        put(&o, m.text, (size_t)m.len);
    else
        marked(&o, m.text, m.len, &m.doc, m.h, m.nh, 0, m.doc.n - 1,
               open ? open : "", close ? close : "");
    end_marking(ctx, &m);
    if (o.failed)
        sqlite3_result_error_nomem(ctx);
    else
        result(ctx, &o);
    if (o.failed)
        free(o.s);
}

/* snippet()'s score of the window of words words from pos
 * (fts5SnippetScore): 1000 for each phrase seen first, 1 for each again;
 * *adj the window's start with its hits in the middle. */
static int window_score(const parsed_query *q, const hit *h, int nh, int ndoc,
                        int pos, int words, int *adj)
{
    char seen[64] = {0};
    int score = 0, first = -1, last = 0;
    for (int i = 0; i < nh; i++) {
        if (h[i].first < pos || h[i].first >= pos + words)
            continue;
        int p = h[i].phrase < 64 ? h[i].phrase : 63;
        score += seen[p] ? 1 : 1000;
        seen[p] = 1;
        if (first < 0)
            first = h[i].first;
        last = h[i].first + q->p[h[i].phrase].n;
    }
    if (adj) {
        int a = first - (words - (last - first)) / 2;
        if (a + words > ndoc)
            a = ndoc - words;
        *adj = a < 0 ? 0 : a;
    }
    return score;
}

/* Does token i start a sentence (fts5SentenceFinderCb): the first, or one
 * after white space that follows a full stop or a colon? */
static int sentence_start(const char *text, const tokens *doc, int i)
{
    if (i == 0)
        return 1;
    int k = doc->v[i].start - 1;
    while (k >= 0 && (text[k] == ' ' || text[k] == '\t' || text[k] == '\n' ||
                      text[k] == '\r'))
        k--;
    return k != doc->v[i].start - 1 && k >= 0 &&
           (text[k] == '.' || text[k] == ':');
}

static void snippet_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    marking m;
    if (!start_marking(ctx, argv, &m))
        return;
    const char *open = (const char *)sqlite3_value_text(argv[2]);
    const char *close = (const char *)sqlite3_value_text(argv[3]);
    const char *ellipsis = (const char *)sqlite3_value_text(argv[4]);
    int words = sqlite3_value_int(argv[5]);
    open = open ? open : "";
    close = close ? close : "";
    ellipsis = ellipsis ? ellipsis : "";
    if (words < 1)
        words = 1;
    if (words > 64)
        words = 64;
    int ndoc = m.doc.n, best = 0, start = 0;
    for (int i = 0; i < m.nh; i++) {
        int adj, score = window_score(m.q, m.h, m.nh, ndoc, m.h[i].first, words,
                                      &adj);
        if (score > best) {
            best = score;
            start = adj;
        }
        if (ndoc > words) {
            /* the start of the sentence the hit is in, scored higher */
            int s = -1;
            for (int k = m.h[i].first; k >= 0 && s < 0; k--)
                if (sentence_start(m.text, &m.doc, k))
                    s = k;
            if (s >= 0 && s < m.h[i].first) {
                score = window_score(m.q, m.h, m.nh, ndoc, s, words, NULL) +
                        (s == 0 ? 120 : 100);
                if (score > best) {
                    best = score;
                    start = s;
                }
            }
        }
    }
    out o = {0};
    if (ndoc == 0) {
        put(&o, m.text, (size_t)m.len);
    } else {
        int end = start + words - 1;
        if (end > ndoc - 1)
            end = ndoc - 1;
        if (start > 0)
            put(&o, ellipsis, strlen(ellipsis));
        marked(&o, m.text, m.len, &m.doc, m.h, m.nh, start, end, open, close);
        if (end < ndoc - 1)
            put(&o, ellipsis, strlen(ellipsis));
    }
    end_marking(ctx, &m);
    if (o.failed) {
        free(o.s);
        sqlite3_result_error_nomem(ctx);
    } else {
        result(ctx, &o);
    }
}

static void tokenizer_free(void *arg)
{
    marks_tokenizer *mt = arg;
    if (mt) {
        if (mt->tok)
            mt->api.xDelete(mt->tok);
        free(mt);
    }
}

int rp_sqlite_marks_register(sqlite3 *db)
{
    fts5_api *api = rp_sqlite_fts5_api(db);
    if (!api)
        return SQLITE_ERROR;
    marks_tokenizer *mt = calloc(1, sizeof *mt);
    if (!mt)
        return SQLITE_NOMEM;
    void *ud = NULL;
    const char *args[] = {"unicode61"};
    if (api->xFindTokenizer(api, "porter", &ud, &mt->api) != SQLITE_OK ||
        mt->api.xCreate(ud, args, 1, &mt->tok) != SQLITE_OK) {
        free(mt);
        return SQLITE_ERROR;
    }
    /* one tokenizer for both functions, freed with the second's */
    int rc = sqlite3_create_function_v2(db, "rp_kb_highlight", 4,
                                        SQLITE_UTF8 | SQLITE_DETERMINISTIC, mt,
                                        highlight_fn, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        return sqlite3_create_function_v2(
            db, "rp_kb_snippet", 6, SQLITE_UTF8 | SQLITE_DETERMINISTIC, mt,
            snippet_fn, NULL, NULL, tokenizer_free);
    tokenizer_free(mt);
    return rc;
}
