/*
 * page.c - the parts of Zendesk's API that are not about one resource:
 * its two paging styles, its error bodies and its authentication.
 *
 * Zendesk clients page either by cursor (page[size], page[after]; the
 * answer's meta.has_more and links.next say whether and where to go on) or
 * by offset (page, per_page; next_page).  Both are served from the
 * store's keyset pages on id: a cursor is the last id given, and an offset
 * page reads its items from the start, bounded as Zendesk bounds it.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/zendesk/zendesk_internal.h"

/* ---- paging -------------------------------------------------------------- */

static rp_code number_of(const char *text, const char *name, int64_t min,
                         int64_t max, int64_t *out, rp_error *err)
{
    char *end = NULL;
    long long v = text && *text ? strtoll(text, &end, 10) : 0;
    if (!text || !*text || *end || v < min || v > max) {
        rp_buf q = RP_BUF_INIT;
        rp_error_set(err, RP_EMALFORMED, name,
                     "%s must be a whole number from %lld to %lld, not "
                     "\"%s\"",
                     name, (long long)min, (long long)max,
                     rp_cut(&q, text, 40));
        rp_buf_free(&q);
        return err->code;
    }
    *out = v;
    return RP_OK;
}

rp_code rp_zendesk_page_parse(const char *size, const char *after,
                              const char *before, const char *page,
                              const char *per_page, rp_zendesk_page *out,
                              rp_error *err)
{
    rp_zendesk_page p = {RP_ZENDESK_PAGE_MAX, 0, 0, 1};
    int64_t v;
    if (before)
        return rp_error_set(err, RP_EMALFORMED, "page[before]",
                            "page[before] is not supported: pages go "
                            "forward only, with page[after]");
    if (page || per_page) {
        if (size || after)
            return rp_error_set(err, RP_EMALFORMED, "page",
                                "use either page[size] and page[after], or "
                                "page and per_page, not both");
        p.offset_style = 1;
        if (page && number_of(page, "page", 1, INT32_MAX, &p.number, err))
            return err->code;
        if (per_page &&
            number_of(per_page, "per_page", 1, RP_ZENDESK_PAGE_MAX, &v, err))
            return err->code;
        if (per_page)
            p.size = (int)v;
        if ((p.number - 1) * p.size + p.size > RP_ZENDESK_OFFSET_MAX)
            return rp_error_set(err, RP_EMALFORMED, "page",
                                "offset pages reach the first %d items "
                                "only; page on with page[size] and "
                                "page[after]",
                                RP_ZENDESK_OFFSET_MAX);
    } else {
        if (size &&
            number_of(size, "page[size]", 1, RP_ZENDESK_PAGE_MAX, &v, err))
            return err->code;
        if (size)
            p.size = (int)v;
        if (after &&
            number_of(after, "page[after]", 1, INT64_MAX, &p.after_id, err))
            return rp_error_set(err, RP_EMALFORMED, "page[after]",
                                "page[after] must be the after_cursor of "
                                "the page before");
    }
    *out = p;
    return RP_OK;
}

static json_t *cursor_of(json_t *rows, size_t i)
{
    char buf[32];
    json_t *row = json_array_get(rows, i);
    if (!row)
        return json_null();
    snprintf(buf, sizeof buf, "%" PRId64,
             (int64_t)json_integer_value(json_object_get(row, "id")));
    return json_string(buf);
}

/* Rows examined at most for one page a reader who may not see every queue
 * asks for, besides the rows the page needs: a request stays bounded when
 * most rows are another queue's, and the page then ends early with
 * has_more and a cursor past what was examined. */
#define EXAMINE_EXTRA 1000

/*
 * Up to want rows of e matching f after id after, leaving out the rows of
 * kind the reader (ctx->viewer) may not see (rp_access_filter: a few
 * lookups by key each).  Read in id order in batches; *last is the id of
 * the last row examined, *unexamined 1 when the bound stopped the reading
 * before the list ended.
 */
static rp_code visible_rows(rp_ctx *ctx, const rp_entity *e, const rp_filter *f,
                            int nf, rp_rows kind, int64_t after, int want,
                            json_t **out, int64_t *last, int *unexamined,
                            rp_error *err)
{
    json_t *all = json_array();
    int64_t examined = 0;
    *last = after;
    *unexamined = 0;
    for (;;) {
        int batch = want - (int)json_array_size(all) + 1;
        rp_page p = {*last, 0, batch < 50 ? 50 : batch};
        json_t *rows = NULL;
        rp_code rc = ctx->store->ops->list(ctx->store, e, f, nf, &p, &rows,
                                           err);
        size_t n = json_array_size(rows);
        if (rc == RP_OK && n > 0)
            *last = json_integer_value(
                json_object_get(json_array_get(rows, n - 1), "id"));
        if (rc == RP_OK && kind != RP_ROWS_NONE)
            rc = rp_access_filter(ctx, ctx->viewer, kind, rows, NULL, err);
        if (rc) {
            json_decref(rows);
            json_decref(all);
            return rc;
        }
        json_array_extend(all, rows);
        json_decref(rows);
        examined += (int64_t)n;
        if ((int)n < p.limit || (int)json_array_size(all) >= want)
            break;
        if (examined >= want + EXAMINE_EXTRA) {
            *unexamined = 1;
            break;
        }
    }
    while ((int)json_array_size(all) > want)
        json_array_remove(all, json_array_size(all) - 1);
    *out = all;
    return RP_OK;
}

rp_code rp_zd_page_of(rp_ctx *ctx, const rp_entity *e, const rp_filter *f,
                      int nf, rp_rows kind, const rp_zendesk_page *page,
                      const char *key, rp_zd_shape_fn shape, json_t **out,
                      rp_error *err)
{
    int64_t skip = page->offset_style ? (page->number - 1) * page->size : 0;
    rp_page p = {page->offset_style ? 0 : page->after_id, 0,
                 (int)(skip + page->size + 1)};
    json_t *rows = NULL;
    int64_t last = 0;
    int unexamined = 0, everything = 0;
    if (kind != RP_ROWS_NONE && ctx->viewer) {
        json_t *queues = NULL;
        if (rp_access_queues(ctx, ctx->viewer, &queues, err))
            return err->code;
        everything = !queues;
        json_decref(queues);
    }
    rp_code rc = kind == RP_ROWS_NONE || !ctx->viewer || everything
                     ? ctx->store->ops->list(ctx->store, e, f, nf, &p, &rows,
                                             err)
                     : visible_rows(ctx, e, f, nf, kind, p.after_id, p.limit,
                                    &rows, &last, &unexamined, err);
    if (rc)
        return rc;
    /* what the reader may see of the list so far, when they may not see
     * it all: counting the rest would read every other queue's rows */
    int64_t found = (int64_t)json_array_size(rows);
    for (int64_t i = 0; i < skip && json_array_size(rows); i++)
        json_array_remove(rows, 0);
    int has_more = (int)json_array_size(rows) > page->size;
    if (has_more)
        json_array_remove(rows, (size_t)page->size);
    int64_t count = 0;
    rc = shape(ctx, rows, err);
    if (rc == RP_OK && page->offset_style &&
        (everything || !ctx->viewer || kind == RP_ROWS_NONE))
        rc = ctx->store->ops->count(ctx->store, e, f, nf, &count, err);
    else
        count = found;
    if (rc) {
        json_decref(rows);
        return rc;
    }
    /* the bound stopped the reading: there may be more after what was
     * examined, and the cursor goes on from there */
    size_t n = json_array_size(rows);
    json_t *after = NULL;
    if (unexamined && !has_more) {
        char buf[32];
        snprintf(buf, sizeof buf, "%" PRId64, last);
        after = json_string(buf);
        has_more = 1;
    } else {
        after = n ? cursor_of(rows, n - 1) : json_null();
    }
    if (page->offset_style) {
        json_decref(after);
        *out = json_pack("{s:o, s:I, s:b, s:I}", key, rows, "count",
                         (json_int_t)count, "has_more", has_more, "page",
                         (json_int_t)page->number);
        return RP_OK;
    }
    json_t *meta = json_pack("{s:b, s:o, s:o}", "has_more", has_more,
                             "after_cursor", after, "before_cursor",
                             cursor_of(rows, 0));
    *out = json_pack("{s:o, s:o}", key, rows, "meta", meta);
    return RP_OK;
}

/* ---- errors -------------------------------------------------------------- */

json_t *rp_zendesk_error(const rp_error *err, int *status)
{
    const char *name = NULL, *message = err->message;
    *status = rp_code_http_status(err->code);
    switch (err->code) {
    case RP_EAUTH: name = "Couldn't authenticate you"; break;
    case RP_EFORBIDDEN:
    case RP_ECSRF: name = "Forbidden"; break;
    case RP_ENOTFOUND:
        name = !strcmp(err->field, "path") ? "InvalidEndpoint"
                                           : "RecordNotFound";
        break;
    case RP_EMALFORMED: name = "BadRequest"; break;
    case RP_ETYPE:
    case RP_EINVALID:
    case RP_ECONFLICT: {
        *status = 422;
        json_t *one = json_pack("{s:s, s:s}", "description", message, "error",
                                err->code == RP_ECONFLICT ? "InvalidState"
                                                          : "InvalidValue");
        return json_pack("{s:s, s:s, s:{s:[o]}}", "error", "RecordInvalid",
                         "description", "Record validation errors", "details",
                         err->field[0] ? err->field : "base", one);
    }
    case RP_ETOOLARGE: name = "RequestTooLarge"; break;
    case RP_EMEDIATYPE: name = "UnsupportedMediaType"; break;
    case RP_EMETHOD: name = "MethodNotAllowed"; break;
    case RP_ERATELIMIT: name = "TooManyRequests"; break;
    case RP_EBUSY: name = "ServiceUnavailable"; break;
    case RP_ENOSPACE: name = "InsufficientStorage"; break;
    default:
        name = "InternalError";
        message = "the server failed to answer this request; its log says "
                  "why";
        break;
    }
    return json_pack("{s:s, s:s}", "error", name, "description", message);
}

/* ---- authentication ------------------------------------------------------ */

/* The decoded text of a Basic credential, or NULL when it is not base64 of
 * text without NUL. */
static char *basic_text(const char *b64)
{
    size_t n = strlen(b64), len = 0;
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    if (sodium_base642bin((unsigned char *)out, n, b64, n, " ", &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        memchr(out, '\0', len) || !rp_utf8_is_valid(out, len)) {
        free(out);
        return NULL;
    }
    out[len] = '\0';
    return out;
}

static rp_code token_of_agent(rp_ctx *ctx, const char *email, const char *token,
                              rp_principal *p, rp_error *err)
{
    rp_principal who;
    if (rp_auth_token(ctx, token, &who, err))
        return err->code;
    json_t *agent = NULL;
    if (rp_agent_get(ctx, who.agent_id, &agent, err))
        return rp_error_set(err, RP_EAUTH, NULL, "the token's agent is gone");
    const char *own = json_string_value(json_object_get(agent, "email"));
    int same = own && strcasecmp(own, email) == 0;
    json_decref(agent);
    if (!same)
        return rp_error_set(err, RP_EAUTH, NULL,
                            "the email address before /token is not the "
                            "address of the agent the token belongs to");
    *p = who;
    return RP_OK;
}

rp_code rp_zendesk_authenticate(rp_ctx *ctx, const char *authorization,
                                rp_principal *p, rp_error *err)
{
    if (!authorization)
        return rp_error_set(err, RP_EAUTH, NULL,
                            "send Authorization: Basic with "
                            "email/token:API_TOKEN");
    if (strncasecmp(authorization, "Bearer ", 7) == 0) {
        const char *t = authorization + 7;
        while (*t == ' ')
            t++;
        return rp_auth_token(ctx, t, p, err);
    }
    if (strncasecmp(authorization, "Basic ", 6) != 0)
        return rp_error_set(err, RP_EAUTH, NULL,
                            "only Basic (email/token:API_TOKEN) and Bearer "
                            "credentials are accepted");
    const char *b64 = authorization + 6;
    while (*b64 == ' ')
        b64++;
    char *text = basic_text(b64);
    if (!text)
        return rp_error_set(err, RP_EAUTH, NULL,
                            "the Basic credential is not base64 of "
                            "email/token:API_TOKEN");
    size_t total = strlen(text);
    char *colon = strchr(text, ':');
    size_t suffix = strlen("/token");
    rp_code rc;
    if (!colon)
        rc = rp_error_set(err, RP_EAUTH, NULL,
                          "the Basic credential has no ':' between the "
                          "user and the token");
    else if ((size_t)(colon - text) <= suffix ||
             strncmp(colon - suffix, "/token", suffix) != 0)
        rc = rp_error_set(err, RP_EAUTH, NULL,
                          "passwords are not accepted here: use "
                          "email/token:API_TOKEN with an API token");
    else {
        colon[-(ptrdiff_t)suffix] = '\0';
        rc = token_of_agent(ctx, text, colon + 1, p, err);
    }
    sodium_memzero(text, total); /* the token, and maybe a password */
    free(text);
    return rc;
}
