/*
 * sqlite_rank.c - rp_bm25, the rank of the knowledge search: an FTS5
 * auxiliary function registered on every connection of the backend.
 *
 * It is FTS5's own bm25, the same formula with the same constants, column
 * weights and document lengths, so articles come in bm25's order; what
 * differs is where the weight of each word (its idf) comes from.  bm25
 * counts the articles that hold each phrase of the query on every call,
 * reading every match of it: for a word every article holds that is
 * 97,000 matches, about 2 ms, more than the rest of the search
 * (bench/README.md).  Those counts change only when an article's text
 * does, so rp_bm25 keeps them per connection, keyed by the query's text
 * and the version of the index's contents (kb_fts_version, a random number
 * drawn again by the triggers of kb_articles whenever an article's title,
 * body or tags change, in the same transaction; random, so that two
 * databases never share one), and counts again only when the version has
 * moved.
 *
 *   rp_bm25(kb_fts, query, version, sizes, weight, ...)
 *
 * query is the text the same statement matches (its phrases are counted in
 * its order), version kb_fts_version's, each weight a column's, as bm25
 * takes them.  Without a version (NULL) it counts on every call, as bm25.
 * sizes is the row's record in the index's table of lengths
 * (kb_fts_docsize.sz: one varint per column, the number of words in it,
 * FTS5's documented format), joined in the statement: FTS5 reads it one
 * statement per row when asked for a row's length (xColumnSize), which
 * costs as much as the rest of the rank (0.6 ms for 1,000 rows, measured);
 * without it (NULL) the length is asked of FTS5.
 *
 * The core asks, for each word of a search, how many articles hold it (up
 * to 1,001: knowledge.word_articles), which for the start of a word merges
 * every longer word's matches (0.3 ms for "dupl").  Those counts are kept
 * the same way, by two SQL functions the statement calls:
 *
 *   rp_kb_kept_count(term, cap, version): the count kept, or NULL
 *   rp_kb_keep_count(term, cap, version, n): keep n, give it back
 *
 * The start of a word ("dupl"*) is matched by FTS5 by merging the matches
 * of every longer word into one list before the first row comes out, all
 * of them even when the newest 1,000 are asked (17,000 articles for
 * "dupl": 3 ms against 0.2 ms for the 1,000 newest of one word).  Yet the
 * index holds few words that start so ("dupl" stands for "duplic" alone,
 * after stemming).  So the statement matches
 *
 *   rp_kb_match(query, version)
 *
 * instead of the query: the same query with each start of a word replaced
 * by the index's words that start so (up to MATCH_WORDS of them, joined
 * by OR; more, and the start of the word stays), read from kb_fts_vocab
 * (migration 114) and kept per connection and version as the counts are.
 * The same articles match.  rp_bm25, given the query as the core wrote
 * it, weighs each start of a word as bm25 weighs it, one phrase: its
 * count of articles is the articles that hold any of its words, its
 * frequency in an article the sum of theirs, so the figures are bm25's to
 * the last bit.  A word is put in only if the tokenizer gives it back
 * unchanged (porter stems a stem again, sometimes shorter).
 *
 * A connection is used by one thread at a time, so its counts need no lock.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

/* bm25's constants (FTS5's fts5_aux.c) */
#define BM25_K1 1.2
#define BM25_B 0.75

/* Queries whose counts a connection keeps; the oldest kept goes first. */
#define RANK_KEPT 64

/* The most words a start of a word is matched as (rp_kb_match): FTS5 reads
 * each word's list of matches apart, so many short lists cost more than
 * the one merged list of the start of the word. */
#define MATCH_WORDS 8

typedef struct rank_kept {
    char *query;
    sqlite3_int64 version;
    int nphrase;
    sqlite3_int64 *hits; /* articles holding each phrase */
} rank_kept;

/* Rowids gathered from the matches of some phrases. */
typedef struct rowids {
    sqlite3_int64 *v;
    int n, cap;
} rowids;

/* A word's count of articles, up to a cap (knowledge.word_articles). */
typedef struct count_kept {
    char *term;
    sqlite3_int64 cap, version, n;
} count_kept;

/* What rp_kb_match made of a query: the text matched and, for each of its
 * phrases, the phrase of the query it stands for (NULL when the query is
 * matched as it is). */
typedef struct match_kept {
    char *query;
    sqlite3_int64 version;
    char *match;
    int nphrase, nquery; /* phrases of match, of query */
    int *of;
} match_kept;

typedef struct rank_cache {
    rank_kept kept[RANK_KEPT];
    int next;
    count_kept counted[RANK_KEPT];
    int next_count;
    match_kept matched[RANK_KEPT];
    int next_match;
    /* kb_fts's tokenizer (porter over unicode61), for rp_kb_match */
    fts5_tokenizer tokenizer;
    Fts5Tokenizer *tok;
} rank_cache;

/* What one statement's calls share (FTS5's auxdata): each phrase's idf
 * (a phrase of the query as the core wrote it), the average length of an
 * article, room for a row's frequencies, and which of them each of the
 * statement's phrases adds to (NULL: its own). */
typedef struct rank_stmt {
    int nphrase, nmatched;
    double avgdl;
    double *idf;
    double *freq;
    int *of;
} rank_stmt;

static void match_clear(match_kept *m)
{
    free(m->query);
    free(m->match);
    free(m->of);
    *m = (match_kept){0};
}

static void cache_free(void *arg)
{
    rank_cache *c = arg;
    if (!c)
        return;
    for (int i = 0; i < RANK_KEPT; i++) {
        free(c->kept[i].query);
        free(c->kept[i].hits);
        free(c->counted[i].term);
        match_clear(&c->matched[i]);
    }
    if (c->tok)
        c->tokenizer.xDelete(c->tok);
    free(c);
}

/* The expansion kept for query at version, or NULL. */
static const match_kept *kept_match(const rank_cache *c, const char *query,
                                    sqlite3_int64 version)
{
    for (int i = 0; i < RANK_KEPT; i++) {
        const match_kept *m = &c->matched[i];
        if (m->query && m->version == version && strcmp(m->query, query) == 0)
            return m;
    }
    return NULL;
}

static int count_hit(const Fts5ExtensionApi *api, Fts5Context *fts, void *arg)
{
    (void)api;
    (void)fts;
    (*(sqlite3_int64 *)arg)++;
    return SQLITE_OK;
}

/* The counts kept for query at version, or NULL. */
static const sqlite3_int64 *kept_hits(rank_cache *c, const char *query,
                                      sqlite3_int64 version, int nphrase)
{
    for (int i = 0; i < RANK_KEPT; i++) {
        rank_kept *k = &c->kept[i];
        if (k->query && k->version == version && k->nphrase == nphrase &&
            strcmp(k->query, query) == 0)
            return k->hits;
    }
    return NULL;
}

static void keep_hits(rank_cache *c, const char *query, sqlite3_int64 version,
                      int nphrase, const sqlite3_int64 *hits)
{
    char *q = strdup(query);
    sqlite3_int64 *h = malloc(sizeof *h * (size_t)(nphrase ? nphrase : 1));
    if (!q || !h) { /* not kept: counted again next time */
        free(q);
        free(h);
        return;
    }
    memcpy(h, hits, sizeof *h * (size_t)nphrase);
    rank_kept *k = &c->kept[c->next];
    c->next = (c->next + 1) % RANK_KEPT;
    free(k->query);
    free(k->hits);
    *k = (rank_kept){q, version, nphrase, h};
}

static void stmt_free(void *arg)
{
    rank_stmt *s = arg;
    if (s) {
        free(s->idf);
        free(s->freq);
        free(s->of);
        free(s);
    }
}

static int add_rowid(const Fts5ExtensionApi *api, Fts5Context *fts, void *arg)
{
    rowids *r = arg;
    if (r->n == r->cap) {
        int cap = r->cap ? r->cap * 2 : 1024;
        sqlite3_int64 *v = realloc(r->v, sizeof *v * (size_t)cap);
        if (!v)
            return SQLITE_NOMEM;
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = api->xRowid(fts);
    return SQLITE_OK;
}

static int by_rowid(const void *a, const void *b)
{
    sqlite3_int64 x = *(const sqlite3_int64 *)a, y = *(const sqlite3_int64 *)b;
    return (x > y) - (x < y);
}

/* How many articles hold any of the statement's phrases that stand for
 * phrase g of the query (each article once). */
static int count_group(const Fts5ExtensionApi *api, Fts5Context *fts,
                       const rank_stmt *s, int g, sqlite3_int64 *hits)
{
    int members = 0, only = -1;
    for (int i = 0; i < s->nmatched; i++)
        if (s->of[i] == g)
            members++, only = i;
    *hits = 0;
    if (members == 1)
        return api->xQueryPhrase(fts, only, hits, count_hit);
    rowids r = {0};
    int rc = SQLITE_OK;
    for (int i = 0; rc == SQLITE_OK && i < s->nmatched; i++)
        if (s->of[i] == g)
            rc = api->xQueryPhrase(fts, i, &r, add_rowid);
    if (rc == SQLITE_OK && r.n) {
        qsort(r.v, (size_t)r.n, sizeof *r.v, by_rowid);
        *hits = 1;
        for (int i = 1; i < r.n; i++)
            *hits += r.v[i] != r.v[i - 1];
    }
    free(r.v);
    return rc;
}

/* The statement's idf and average length, from the kept counts or, when
 * none are kept for this query and version, counted as bm25 counts: one
 * count per phrase of the query, which rp_kb_match may have matched as
 * several (kept_match says which). */
static int prepare_stmt(const Fts5ExtensionApi *api, Fts5Context *fts,
                        rank_cache *c, sqlite3_value **val, rank_stmt **out)
{
    sqlite3_int64 nrow = 0, ntoken = 0;
    int rc = api->xRowCount(fts, &nrow);
    if (rc == SQLITE_OK)
        rc = api->xColumnTotalSize(fts, -1, &ntoken);
    if (rc != SQLITE_OK)
        return rc;
    const char *query = (const char *)sqlite3_value_text(val[0]);
    int versioned = query && sqlite3_value_type(val[1]) == SQLITE_INTEGER;
    sqlite3_int64 version = sqlite3_value_int64(val[1]);
    int nm = api->xPhraseCount(fts);
    const match_kept *m = versioned ? kept_match(c, query, version) : NULL;
    if (m && (!m->of || m->nphrase != nm))
        m = NULL; /* matched as written (or not by rp_kb_match) */
    int np = m ? m->nquery : nm;
    rank_stmt *s = calloc(1, sizeof *s);
    sqlite3_int64 *hits = calloc((size_t)np + 1, sizeof *hits);
    if (s) {
        s->nphrase = np;
        s->nmatched = nm;
        s->idf = calloc((size_t)np + 1, sizeof *s->idf);
        s->freq = calloc((size_t)np + 1, sizeof *s->freq);
        s->of = calloc((size_t)nm + 1, sizeof *s->of);
    }
    if (!s || !hits || !s->idf || !s->freq || !s->of) {
        stmt_free(s);
        free(hits);
        return SQLITE_NOMEM;
    }
    for (int i = 0; i < nm; i++)
        s->of[i] = m ? m->of[i] : i;
    /* kept by the phrases counted: the query's when grouped, else the
     * statement's (the same number when nothing was grouped) */
    const sqlite3_int64 *known = versioned ? kept_hits(c, query, version, np)
                                           : NULL;
    if (known) {
        memcpy(hits, known, sizeof *hits * (size_t)np);
    } else {
        for (int i = 0; rc == SQLITE_OK && i < np; i++)
            rc = count_group(api, fts, s, i, &hits[i]);
        if (rc == SQLITE_OK && versioned)
            keep_hits(c, query, version, np, hits);
    }
    if (rc != SQLITE_OK) {
        stmt_free(s);
        free(hits);
        return rc;
    }
    for (int i = 0; i < np; i++) {
        double idf = log(((double)nrow - (double)hits[i] + 0.5) /
                         ((double)hits[i] + 0.5));
        s->idf[i] = idf <= 0.0 ? 1e-6 : idf;
    }
    s->avgdl = nrow > 0 ? (double)ntoken / (double)nrow : 1.0;
    free(hits);
    *out = s;
    return SQLITE_OK;
}

/* The number of words of a row from its kb_fts_docsize record: the sum
 * of its varints (SQLite's: big-endian groups of 7 bits, the high bit set
 * on all but the last, the ninth byte whole); -1 if it is not one. */
static sqlite3_int64 words_of(const unsigned char *p, int n)
{
    sqlite3_int64 total = 0;
    int i = 0;
    while (i < n) {
        sqlite3_uint64 v = 0;
        int k = 0;
        for (; k < 9 && i < n; k++) {
            unsigned char c = p[i++];
            if (k == 8) {
                v = (v << 8) | c;
                break;
            }
            v = (v << 7) | (c & 0x7f);
            if (!(c & 0x80))
                break;
        }
        if (k == 9 || (k < 8 && i == n && (p[i - 1] & 0x80)))
            return -1;
        total += (sqlite3_int64)v;
    }
    return total;
}

static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts,
                    sqlite3_context *ctx, int nval, sqlite3_value **val)
{
    if (nval < 3) {
        sqlite3_result_error(ctx,
                             "rp_bm25 takes the query, the index's version, "
                             "the row's sizes and the columns' weights",
                             -1);
        return;
    }
    rank_stmt *s = api->xGetAuxdata(fts, 0);
    int rc = SQLITE_OK;
    if (!s) {
        rc = prepare_stmt(api, fts, api->xUserData(fts), val, &s);
        if (rc == SQLITE_OK)
            rc = api->xSetAuxdata(fts, s, stmt_free);
        if (rc != SQLITE_OK) {
            sqlite3_result_error_code(ctx, rc);
            return;
        }
    }
    memset(s->freq, 0, sizeof *s->freq * (size_t)s->nphrase);
    int ninst = 0;
    rc = api->xInstCount(fts, &ninst);
    for (int i = 0; rc == SQLITE_OK && i < ninst; i++) {
        int phrase, col, off;
        rc = api->xInst(fts, i, &phrase, &col, &off);
        if (rc == SQLITE_OK && phrase >= 0 && phrase < s->nmatched)
            s->freq[s->of[phrase]] += nval - 3 > col
                                          ? sqlite3_value_double(val[3 + col])
                                          : 1.0;
    }
    sqlite3_int64 ntok = -1;
    if (rc == SQLITE_OK && sqlite3_value_type(val[2]) == SQLITE_BLOB)
        ntok = words_of(sqlite3_value_blob(val[2]),
                        sqlite3_value_bytes(val[2]));
    if (rc == SQLITE_OK && ntok < 0) {
        int n = 0;
        rc = api->xColumnSize(fts, -1, &n);
        ntok = n;
    }
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    double score = 0.0, d = (double)ntok;
    for (int i = 0; i < s->nphrase; i++)
        score += s->idf[i] * (s->freq[i] * (BM25_K1 + 1.0)) /
                 (s->freq[i] + BM25_K1 * (1 - BM25_B + BM25_B * d / s->avgdl));
    sqlite3_result_double(ctx, -1.0 * score);
}

/* rp_kb_kept_count(term, cap, version): the count kept for the term
 * under that cap at that version of the index, or NULL. */
static void kept_count_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    rank_cache *c = sqlite3_user_data(ctx);
    const char *term = (const char *)sqlite3_value_text(argv[0]);
    sqlite3_int64 cap = sqlite3_value_int64(argv[1]);
    sqlite3_int64 version = sqlite3_value_int64(argv[2]);
    if (term && sqlite3_value_type(argv[2]) == SQLITE_INTEGER)
        for (int i = 0; i < RANK_KEPT; i++) {
            count_kept *k = &c->counted[i];
            if (k->term && k->cap == cap && k->version == version &&
                strcmp(k->term, term) == 0) {
                sqlite3_result_int64(ctx, k->n);
                return;
            }
        }
    sqlite3_result_null(ctx);
}

/* rp_kb_keep_count(term, cap, version, n): keep n, and give it back. */
static void keep_count_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    rank_cache *c = sqlite3_user_data(ctx);
    const char *term = (const char *)sqlite3_value_text(argv[0]);
    sqlite3_int64 n = sqlite3_value_int64(argv[3]);
    char *copy;
    if (term && sqlite3_value_type(argv[2]) == SQLITE_INTEGER &&
        (copy = strdup(term))) {
        count_kept *k = &c->counted[c->next_count];
        c->next_count = (c->next_count + 1) % RANK_KEPT;
        free(k->term);
        *k = (count_kept){copy, sqlite3_value_int64(argv[1]),
                          sqlite3_value_int64(argv[2]), n};
    }
    sqlite3_result_int64(ctx, n);
}

/* A growing text. */
typedef struct text_buf {
    char *s;
    size_t n, cap;
    int failed;
} text_buf;

static void text_put(text_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 128) + n;
        char *m = realloc(b->s, cap);
        if (!m) {
            b->failed = 1;
            return;
        }
        b->s = m;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

/* A word as an FTS5 string (a '"' doubled, though the tokenizer never
 * leaves one in a word). */
static void put_quoted(text_buf *b, const char *w, size_t n)
{
    text_put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        if (w[i] == '"')
            text_put(b, "\"", 1);
        text_put(b, w + i, 1);
    }
    text_put(b, "\"", 1);
}

/* The tokens of a text, as the tokenizer gives them (the first kept). */
typedef struct token_seen {
    int n;
    char first[128];
    int first_len; /* -1: longer than first holds */
} token_seen;

static int see_token(void *arg, int flags, const char *text, int n, int start,
                     int end)
{
    (void)start;
    (void)end;
    token_seen *t = arg;
    if (flags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK;
    if (t->n++ == 0) {
        t->first_len = n < (int)sizeof t->first ? n : -1;
        if (t->first_len > 0)
            memcpy(t->first, text, (size_t)n);
    }
    return SQLITE_OK;
}

/* The index's words that start with prefix (n bytes), each one the
 * tokenizer gives back unchanged, appended to b joined by " OR ": how many,
 * or -1 when more than MATCH_WORDS or some word does not come back as it
 * is (then b is as it was), or -2 on an error of SQLite. */
static int words_of_prefix(rank_cache *c, sqlite3 *db, const char *prefix,
                           int n, text_buf *b)
{
    sqlite3_stmt *st;
    /* every word starting with prefix is >= it and < it followed by the
     * byte 0xff, which UTF-8 text never holds */
    if (sqlite3_prepare_v2(db,
                           "SELECT term FROM kb_fts_vocab"
                           " WHERE term >= ?1 AND term < ?2 LIMIT ?3",
                           -1, &st, NULL) != SQLITE_OK)
        return -2;
    char upper[130];
    memcpy(upper, prefix, (size_t)n);
    upper[n] = (char)0xff;
    sqlite3_bind_text(st, 1, prefix, n, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, upper, n + 1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, MATCH_WORDS + 1);
    size_t was = b->n;
    int words = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *w = (const char *)sqlite3_column_text(st, 0);
        int wn = sqlite3_column_bytes(st, 0);
        token_seen t = {0};
        if (++words > MATCH_WORDS || !w || wn < n ||
            memcmp(w, prefix, (size_t)n) ||
            c->tokenizer.xTokenize(c->tok, &t, FTS5_TOKENIZE_QUERY, w, wn,
                                   see_token) != SQLITE_OK ||
            t.n != 1 || t.first_len != wn || memcmp(t.first, w, (size_t)wn)) {
            words = -1;
            break;
        }
        if (words > 1)
            text_put(b, " OR ", 4);
        put_quoted(b, w, (size_t)wn);
    }
    if (words >= 0 && rc != SQLITE_DONE)
        words = -2;
    sqlite3_finalize(st);
    if (words < 0 && b->s) {
        b->n = was;
        b->s[was] = '\0';
    }
    return words;
}

/* Make what query (at version of the index) is matched as, and keep it:
 * each phrase "w"* that the tokenizer makes one token of is replaced by
 * the index's words that start with that token; anything else, or a query
 * whose phrases are joined otherwise than by " OR ", is matched as it
 * is.  NULL when out of memory or SQLite fails (matched as it is, not
 * kept). */
static const match_kept *expand(rank_cache *c, sqlite3 *db, const char *query,
                                sqlite3_int64 version)
{
    text_buf b = {0};
    int *of = NULL, nof = 0, cap = 0, nquery = 0, grouped = 0, failed = 0;
    const char *p = query;
    /* the query must be phrases joined by " OR " and nothing else */
    for (;;) {
        if (*p != '"') {
            grouped = 0;
            break;
        }
        const char *w = p + 1, *end = strchr(w, '"');
        if (!end || end - w > 120) {
            grouped = 0;
            break;
        }
        int prefix = end[1] == '*';
        token_seen t = {0};
        int flags = FTS5_TOKENIZE_QUERY | (prefix ? FTS5_TOKENIZE_PREFIX : 0);
        if (c->tokenizer.xTokenize(c->tok, &t, flags, w, (int)(end - w),
                                   see_token) != SQLITE_OK ||
            t.n == 0) {
            grouped = 0; /* FTS5 may leave out a phrase without a token */
            break;
        }
        int words = -1;
        if (nquery)
            text_put(&b, " OR ", 4);
        if (prefix && t.n == 1 && t.first_len > 0)
            words = words_of_prefix(c, db, t.first, t.first_len, &b);
        if (words == -2) {
            failed = 1;
            break;
        }
        if (words <= 0) {
            /* as written: none (it matches nothing) or too many */
            text_put(&b, p, (size_t)(end + 1 + prefix - p));
            words = 1;
        } else {
            grouped = 1;
        }
        if (nof + words > cap) {
            cap = (cap ? cap * 2 : 16) + words;
            int *more = realloc(of, sizeof *of * (size_t)cap);
            if (!more) {
                failed = 1;
                break;
            }
            of = more;
        }
        for (int i = 0; i < words; i++)
            of[nof++] = nquery;
        nquery++;
        p = end + 1 + prefix;
        if (*p == '\0')
            break;
        if (strncmp(p, " OR ", 4) != 0) {
            grouped = 0;
            break;
        }
        p += 4;
    }
    char *q = strdup(query);
    if (failed || b.failed || !q) {
        free(b.s);
        free(of);
        free(q);
        return NULL;
    }
    match_kept *m = &c->matched[c->next_match];
    c->next_match = (c->next_match + 1) % RANK_KEPT;
    match_clear(m);
    m->query = q;
    m->version = version;
    if (grouped) {
        m->match = b.s;
        m->of = of;
        m->nphrase = nof;
        m->nquery = nquery;
    } else {
        free(b.s);
        free(of);
        m->match = strdup(query);
        if (!m->match) {
            match_clear(m);
            return NULL;
        }
    }
    return m;
}

/* rp_kb_match(query, version): what to match for query (see the top). */
static void match_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    rank_cache *c = sqlite3_user_data(ctx);
    const char *query = (const char *)sqlite3_value_text(argv[0]);
    if (!query) {
        sqlite3_result_null(ctx);
        return;
    }
    const match_kept *m = NULL;
    if (sqlite3_value_type(argv[1]) == SQLITE_INTEGER) {
        sqlite3_int64 version = sqlite3_value_int64(argv[1]);
        m = kept_match(c, query, version);
        if (!m)
            m = expand(c, sqlite3_context_db_handle(ctx), query, version);
    }
    sqlite3_result_text(ctx, m ? m->match : query, -1, SQLITE_TRANSIENT);
}

fts5_api *rp_sqlite_fts5_api(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    return api;
}

int rp_sqlite_rank_register(sqlite3 *db)
{
    fts5_api *api = rp_sqlite_fts5_api(db);
    if (!api || api->iVersion < 2)
        return SQLITE_ERROR;
    rank_cache *c = calloc(1, sizeof *c);
    if (!c)
        return SQLITE_NOMEM;
    void *ud = NULL;
    const char *args[] = {"unicode61"};
    if (api->xFindTokenizer(api, "porter", &ud, &c->tokenizer) != SQLITE_OK ||
        c->tokenizer.xCreate(ud, args, 1, &c->tok) != SQLITE_OK) {
        free(c);
        return SQLITE_ERROR;
    }
    int rc = api->xCreateFunction(api, "rp_bm25", c, rank_fn, cache_free);
    if (rc != SQLITE_OK) {
        cache_free(c);
        return rc;
    }
    /* the counts live in the same cache, freed with the connection's FTS5
     * (the functions, not deterministic, are never run after the close) */
    rc = sqlite3_create_function_v2(db, "rp_kb_kept_count", 3, SQLITE_UTF8, c,
                                    kept_count_fn, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(db, "rp_kb_keep_count", 4, SQLITE_UTF8,
                                        c, keep_count_fn, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(db, "rp_kb_match", 2, SQLITE_UTF8, c,
                                        match_fn, NULL, NULL, NULL);
    return rc;
}
