/*
 * knowledge.h - the knowledge base: articles agents search while helping.
 *
 * Seed 003 asks for know-how: an answer at the first contact.  Articles are
 * searched with SQLite FTS5, ranked by bm25 and by how often agents said an
 * article helped, and shown with highlighted snippets.  What a person types
 * is never passed to MATCH as query syntax: it is cut into words, and each
 * word is quoted (rp_kb_fts_query).
 *
 * An article is a draft or published.  Drafts are for those who write
 * articles (leads and admins): an agent never finds, reads, lists or is
 * offered one, as in Zammad's knowledge base, where only editors see an
 * answer before it is published.
 */
#ifndef RP_KNOWLEDGE_H
#define RP_KNOWLEDGE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/context.h"

struct rp_ctx;

#define RP_KB_MAX_TERMS 16

/*
 * Turn free text into a safe FTS5 query: the words of text (letters,
 * digits and any non-ASCII character), each in double quotes, joined by
 * joiner (" " for all words, " OR " for any).  Words shorter than minlen
 * characters, and common English words when skip_common is set, are
 * dropped.  RP_EINVALID (field "q") when no word is left or out is too
 * small.
 */
rp_code rp_kb_fts_query(const char *text, const char *joiner, size_t minlen,
                        int skip_common, char *out, size_t n, rp_error *err);

/*
 * rp_kb_fts_query, and words of at least prefix_from characters (0:
 * none) also match as the start of a longer word (FTS5's "word"*).
 */
rp_code rp_kb_fts_terms(const char *text, const char *joiner, size_t minlen,
                        int skip_common, size_t prefix_from, char *out,
                        size_t n, rp_error *err);

/* Whether ctx's reader may see drafts: a lead or an admin, or no reader
 * (the CLI). */
int rp_kb_may_see_drafts(const struct rp_ctx *ctx);

/* The fields of an article's create and change, and their limits (for the
 * API's contract too). */
extern const rp_field rp_kb_article_fields[];

/* Create an article from in: {"title", "body" (required), "tags",
 * "state" ("draft" or "published", the default)}.  published_at is set
 * when it is created published. */
rp_code rp_kb_article_create(struct rp_ctx *ctx, json_t *in, json_t **out,
                             rp_error *err);

/* Change the fields present in in: {"title", "body", "tags", "state"}.
 * Publishing a draft sets published_at the first time. */
rp_code rp_kb_article_update(struct rp_ctx *ctx, int64_t id, json_t *in,
                             json_t **out, rp_error *err);

/* The article with this id, or RP_ENOTFOUND (also for a draft when the
 * reader may not see drafts). */
rp_code rp_kb_article_get(struct rp_ctx *ctx, int64_t id, json_t **out,
                          rp_error *err);

/*
 * Search for q (free text, at most 200 characters); limit 1..50.  An
 * article matches when it holds any of the words, a word of three or more
 * characters also as the start of a longer word; those holding more of
 * the words, and the rarer ones, rank first.  Drafts are found only by a
 * reader who may see them.  *out is
 * {"items": [{"id", "title", "tags", "helped", "not_helped", "score",
 * "relevance", "title_html", "snippet_html"}]}, best first.  The *_html
 * fields are HTML-escaped text with the matched words in <mark>.
 */
rp_code rp_kb_search(struct rp_ctx *ctx, const char *q, int limit, json_t **out,
                     rp_error *err);

/*
 * Record that article id helped or not: in {"helped" (required bool),
 * "encounter_id"}.  Feeds the ranking; with an encounter, records a moment.
 */
/* The fields of feedback on an article. */
extern const rp_field rp_kb_feedback_fields[];

rp_code rp_kb_feedback(struct rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                       rp_error *err);

/* Articles suggested for an encounter from its subject, topic, request and
 * facts: the search answer of rp_kb_search. */
rp_code rp_kb_suggest(struct rp_ctx *ctx, int64_t encounter_id, json_t **out,
                      rp_error *err);

/*
 * A page of articles, oldest first: only those with tag (the whole tag)
 * when given, only those in state ("draft" or "published") when given.  A
 * reader who may not see drafts gets the published ones, and asking for
 * drafts is RP_EFORBIDDEN.
 */
rp_code rp_kb_article_list(struct rp_ctx *ctx, const char *tag,
                           const char *state, const rp_page_req *page,
                           json_t **out, rp_error *err);

/* {"items": [{"tag", "articles"}]}: the tags of the articles the reader may
 * see and how many carry each, most used first (at most 200). */
rp_code rp_kb_tags(struct rp_ctx *ctx, json_t **out, rp_error *err);

#endif
