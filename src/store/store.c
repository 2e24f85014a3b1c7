/*
 * store.c - what every backend shares: the table of backends that
 * rp_store_open looks a name's scheme up in, the end of a transaction, and
 * the names of the named queries.  A new backend is one more line in
 * backends[] (and its files); nothing that opens a store changes.
 */
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/input.h"
#include "store/store_sqlite.h"

static const rp_store_backend *const backends[] = {
    &rp_store_sqlite_backend,
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

rp_code rp_store_open(const char *name, rp_store **out, rp_error *err)
{
    *out = NULL;
    if (!name || !*name)
        return rp_error_set(err, RP_EINVALID, "db",
                            "no database named: give sqlite:PATH");
    size_t n = scheme_length(name);
    const rp_store_backend *b = &rp_store_sqlite_backend;
    const char *target = name;
    if (n > 0) {
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
    return b->open(target, out, err);
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
