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

typedef struct rank_kept {
    char *query;
    sqlite3_int64 version;
    int nphrase;
    sqlite3_int64 *hits; /* articles holding each phrase */
} rank_kept;

/* A word's count of articles, up to a cap (knowledge.word_articles). */
typedef struct count_kept {
    char *term;
    sqlite3_int64 cap, version, n;
} count_kept;

typedef struct rank_cache {
    rank_kept kept[RANK_KEPT];
    int next;
    count_kept counted[RANK_KEPT];
    int next_count;
} rank_cache;

/* What one statement's calls share (FTS5's auxdata): each phrase's idf,
 * the average length of an article, and room for a row's frequencies. */
typedef struct rank_stmt {
    int nphrase;
    double avgdl;
    double *idf;
    double *freq;
} rank_stmt;

static void cache_free(void *arg)
{
    rank_cache *c = arg;
    if (!c)
        return;
    for (int i = 0; i < RANK_KEPT; i++) {
        free(c->kept[i].query);
        free(c->kept[i].hits);
        free(c->counted[i].term);
    }
    free(c);
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
        free(s);
    }
}

/* The statement's idf and average length, from the kept counts or, when
 * none are kept for this query and version, counted as bm25 counts. */
static int prepare_stmt(const Fts5ExtensionApi *api, Fts5Context *fts,
                        rank_cache *c, sqlite3_value **val, rank_stmt **out)
{
    sqlite3_int64 nrow = 0, ntoken = 0;
    int rc = api->xRowCount(fts, &nrow);
    if (rc == SQLITE_OK)
        rc = api->xColumnTotalSize(fts, -1, &ntoken);
    if (rc != SQLITE_OK)
        return rc;
    int np = api->xPhraseCount(fts);
    rank_stmt *s = calloc(1, sizeof *s);
    sqlite3_int64 *hits = calloc((size_t)np + 1, sizeof *hits);
    if (s) {
        s->nphrase = np;
        s->idf = calloc((size_t)np + 1, sizeof *s->idf);
        s->freq = calloc((size_t)np + 1, sizeof *s->freq);
    }
    if (!s || !hits || !s->idf || !s->freq) {
        stmt_free(s);
        free(hits);
        return SQLITE_NOMEM;
    }
    const char *query = (const char *)sqlite3_value_text(val[0]);
    int versioned = query && sqlite3_value_type(val[1]) == SQLITE_INTEGER;
    sqlite3_int64 version = sqlite3_value_int64(val[1]);
    const sqlite3_int64 *known = versioned ? kept_hits(c, query, version, np)
                                           : NULL;
    if (known) {
        memcpy(hits, known, sizeof *hits * (size_t)np);
    } else {
        for (int i = 0; rc == SQLITE_OK && i < np; i++)
            rc = api->xQueryPhrase(fts, i, &hits[i], count_hit);
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
        if (rc == SQLITE_OK && phrase >= 0 && phrase < s->nphrase)
            s->freq[phrase] += nval - 3 > col
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
    return rc;
}
