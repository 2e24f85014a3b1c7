/*
 * store.c - what every backend shares: the table of backends that
 * rp_store_open looks a name's scheme up in, the end of a transaction, and
 * the names of the named queries.  A new backend is one more line in
 * backends[] (and its files); nothing that opens a store changes.  The
 * PostgreSQL backend has two lines, "postgres:" and "postgresql:", the two
 * schemes libpq accepts; a libpq keyword string is sent to it whole.
 */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/input.h"
#include "base/json.h"
#include "store/store_pg.h"
#include "store/store_sqlite.h"

static const rp_store_backend *const backends[] = {
    &rp_store_sqlite_backend,
    &rp_store_pg_backend,
    &rp_store_postgresql_backend,
};

static const char *const query_names[RP_QUERY_COUNT] = {
#define RP_QUERY_NAME(id, name) [RP_Q_##id] = name,
    RP_QUERIES(RP_QUERY_NAME)
#undef RP_QUERY_NAME
};

const char *rp_query_name(rp_query q)
{
    if ((int)q < 0 || q >= RP_QUERY_COUNT)
        return "(unknown query)";
    return query_names[q];
}

const rp_store_backend *rp_store_backend_find(const char *scheme, size_t len)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (strlen(backends[i]->scheme) == len &&
            strncmp(backends[i]->scheme, scheme, len) == 0)
            return backends[i];
    return NULL;
}

/* Length of the scheme that name starts with (up to its ':'), or 0 when
 * name is a plain path.  RFC 3986 spells a scheme this way. */
static size_t scheme_length(const char *name)
{
    size_t n = 0;
    if (!((name[0] >= 'a' && name[0] <= 'z') ||
          (name[0] >= 'A' && name[0] <= 'Z')))
        return 0;
    for (n = 1; name[n] && name[n] != ':'; n++) {
        char c = name[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
            return 0;
    }
    return name[n] == ':' ? n : 0;
}

/* The backend and the target that name names, or RP_EINVALID naming
 * what is wrong with it. */
static rp_code resolve(const char *name, const rp_store_backend **backend,
                       const char **where, rp_error *err)
{
    if (!name || !*name)
        return rp_error_set(err, RP_EINVALID, "db",
                            "no database named: give sqlite:PATH or "
                            "postgres://HOST/DATABASE");
    size_t n = scheme_length(name);
    const rp_store_backend *b = &rp_store_sqlite_backend;
    const char *target = name;
    if (rp_store_pg_is_keyword_string(name)) {
        /* "host=... dbname=...": libpq's own way of naming a database,
         * which the backend takes whole */
        b = &rp_store_postgresql_backend;
    } else if (n > 0) {
        b = rp_store_backend_find(name, n);
        if (!b) {
            rp_buf known = RP_BUF_INIT, scheme = RP_BUF_INIT, q = RP_BUF_INIT;
            for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
                rp_buf_printf(&known, "%s%s:", i ? ", " : "",
                              backends[i]->scheme);
            rp_buf_append(&scheme, name, n);
            rp_error_set(err, RP_EINVALID, "db",
                         "unknown database scheme \"%s\" in \"%s\" (known: "
                         "%s)",
                         rp_buf_str(&scheme), rp_cut(&q, name, 100),
                         rp_buf_str(&known));
            rp_buf_free(&known);
            rp_buf_free(&scheme);
            rp_buf_free(&q);
            return err->code;
        }
        target = name + n + 1;
        if (!*target)
            return rp_error_set(err, RP_EINVALID, "db",
                                "%s: nothing after the scheme", name);
    }
    *backend = b;
    *where = target;
    return RP_OK;
}

rp_code rp_store_open(const char *name, rp_store **out, rp_error *err)
{
    *out = NULL;
    const rp_store_backend *b;
    const char *target;
    if (resolve(name, &b, &target, err))
        return err->code;
    return b->open(target, out, err);
}

rp_code rp_store_restore(const char *file, const char *name, int replace,
                         json_t **report, rp_error *err)
{
    const rp_store_backend *b;
    const char *target;
    if (resolve(name, &b, &target, err))
        return err->code;
    return b->restore(file, target, replace, report, err);
}

rp_code rp_store_describe(const char *name, json_t **out, rp_error *err)
{
    *out = NULL;
    const rp_store_backend *b;
    const char *target;
    if (resolve(name, &b, &target, err) || b->describe(target, out, err))
        return err->code;
    json_object_set_new(*out, "copy_target", json_boolean(b->copy_target));
    return RP_OK;
}

struct rp_store_claim {
    const rp_store_backend *backend;
    void *hold;
};

rp_code rp_store_claim_db(const char *name, rp_store_claim **out, rp_error *err)
{
    *out = NULL;
    const rp_store_backend *b;
    const char *target;
    void *hold = NULL;
    if (resolve(name, &b, &target, err) || b->claim(target, &hold, err))
        return err->code;
    if (!hold)
        return RP_OK;
    rp_store_claim *c = malloc(sizeof *c);
    if (!c) {
        b->release(hold);
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    }
    c->backend = b;
    c->hold = hold;
    *out = c;
    return RP_OK;
}

void rp_store_release(rp_store_claim *claim)
{
    if (!claim)
        return;
    claim->backend->release(claim->hold);
    free(claim);
}

/* A keyword string's password: "password" then '=' then a value, quoted
 * or not (libpq's rules: a quoted value ends at an unescaped quote). */
static void hide_keyword_password(const char *name, rp_buf *out)
{
    const char *p = name;
    while (*p) {
        const char *key = p;
        while (*p && *p != '=' && *p != ' ')
            p++;
        size_t klen = (size_t)(p - key);
        while (*p == ' ')
            p++;
        if (*p != '=') {
            rp_buf_append(out, key, (size_t)(p - key));
            continue;
        }
        p++;
        while (*p == ' ')
            p++;
        const char *value = p;
        if (*p == '\'') {
            for (p++; *p && *p != '\''; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (*p)
                p++;
        } else {
            while (*p && *p != ' ')
                p++;
        }
        rp_buf_append(out, key, klen);
        rp_buf_append(out, "=", 1);
        if (klen == 8 && strncmp(key, "password", 8) == 0)
            rp_buf_append(out, "***", 3);
        else
            rp_buf_append(out, value, (size_t)(p - value));
        while (*p == ' ')
            rp_buf_append(out, p++, 1);
    }
}

/* A URI's query, "?a=1&password=x&b=2", with the password's value
 * hidden. */
static void hide_query_password(const char *query, rp_buf *out)
{
    const char *p = query;
    while (*p) {
        size_t n = strcspn(p + 1, "&") + 1; /* one '?' or '&' and its pair */
        if (strncmp(p + 1, "password=", 9) == 0) {
            rp_buf_append(out, p, 10);
            rp_buf_append(out, "***", 3);
        } else {
            rp_buf_append(out, p, n);
        }
        p += n;
    }
}

void rp_store_display_name(const char *name, rp_buf *out)
{
    if (!name)
        return;
    if (rp_store_pg_is_keyword_string(name)) {
        hide_keyword_password(name, out);
        return;
    }
    /* a URI: "scheme://user:password@host/db?password=..."; the password
     * ends at the last '@' of the authority (before the path) */
    const char *auth = strstr(name, "://");
    if (!auth) {
        rp_buf_append(out, name, strlen(name));
        return;
    }
    auth += 3;
    const char *end = auth + strcspn(auth, "/?");
    const char *at = NULL;
    for (const char *c = auth; c < end; c++)
        if (*c == '@')
            at = c;
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    const char *query = strchr(end, '?');
    if (!query)
        query = end + strlen(end);
    if (colon) {
        rp_buf_append(out, name, (size_t)(colon + 1 - name));
        rp_buf_append(out, "***", 3);
        rp_buf_append(out, at, (size_t)(query - at));
    } else {
        rp_buf_append(out, name, (size_t)(query - name));
    }
    hide_query_password(query, out);
}

rp_code rp_store_finish(rp_store *s, rp_code rc, rp_error *err)
{
    if (rc == RP_OK && s->before_commit)
        rc = s->before_commit(s, s->before_commit_arg, err);
    if (rc == RP_OK)
        rc = s->ops->commit(s, err);
    if (rc != RP_OK)
        s->ops->rollback(s);
    return rc;
}

rp_code rp_store_finish_with(rp_store *s, rp_code rc, json_t *row, json_t **out,
                             rp_error *err)
{
    rc = rp_store_finish(s, rc, err);
    if (rc == RP_OK)
        *out = row;
    else
        json_decref(row);
    return rc;
}

const char *rp_filter_op_sql(rp_filter_op op)
{
    switch (op) {
    case RP_FILTER_NE: return "<>";
    case RP_FILTER_LT: return "<";
    case RP_FILTER_LE: return "<=";
    case RP_FILTER_GT: return ">";
    case RP_FILTER_GE: return ">=";
    default: return "=";
    }
}

/* Check that every column named by a filter (several with '|') belongs to
 * e, so that no identifier in a statement can come from outside the
 * catalogue. */
rp_code rp_filter_check_columns(const rp_entity *e, const rp_filter *f,
                                rp_error *err)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", f->column);
    char *save = NULL;
    for (char *c = strtok_r(buf, "|", &save); c; c = strtok_r(NULL, "|", &save))
        if (strcmp(c, "id") != 0 && !rp_entity_column(e, c))
            return rp_error_set(err, RP_EINTERNAL, c, "%s has no column %s",
                                e->name, c);
    return RP_OK;
}

rp_code rp_store_query_write(rp_store *s, rp_query q, json_t *params,
                             rp_buf *out, rp_error *err)
{
    if (s->ops->query_write)
        return s->ops->query_write(s, q, params, out, err);
    json_t *rows;
    if (s->ops->query(s, q, params, &rows, err))
        return err->code;
    rp_json_write(out, rows);
    json_decref(rows);
    return RP_OK;
}
