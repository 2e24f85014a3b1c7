/*
 * http.c - libmicrohttpd glue: request lifecycle, routing, body limits,
 * content types, the store pool and JSON replies.
 *
 * libmicrohttpd calls the access handler several times for one request:
 * first with the headers, then once per piece of body, then once more with
 * no data.  We always return on the first call and reply on a later one,
 * because queueing a reply on the first call makes libmicrohttpd 0.9.75
 * close the connection (4-5x fewer requests per second, see docs/design.md).
 */
#include "base/json.h"
#include "base/log.h"
#include "server.h"
#include "server_internal.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "prom.h"
#include "routes.h"

/*
 * A body over RP_MAX_BODY_BYTES is read and thrown away, up to this much,
 * before the 413 goes out: answering while the client is still sending
 * makes the kernel reset the connection (unread data at close), and the
 * client then sees a reset instead of the 413.  A declared body larger than
 * this, or one sent after "Expect: 100-continue", is refused at once.
 */
#define RP_MAX_DISCARD_BYTES (16 * 1024 * 1024)

typedef struct request_state {
    rp_buf body; /* the request body as it arrives */
    int started; /* the access handler has seen the request */
    int too_large;
    double began;   /* when the request was dispatched, for /metrics */
    rp_workq *lane; /* the threads its route runs on; NULL: this one */
    struct slow_request *slow; /* handed to them and not yet replied to */
    const char *pattern;       /* its route's, for /metrics; NULL: none */
    size_t limit;              /* the body limit of the route */
    int mail;                  /* the route takes raw email */
    int upload;       /* an RP_ROUTE_UPLOAD route: an oversized body is its
                         handler's to explain */
    size_t discarded; /* bytes of a too large body thrown away */
    int nul_in_uri;   /* the raw address holds %00 */
    /* the route found once when the headers came (route_needs), and what
     * route_for told of it, for dispatch to take up without a second
     * walk through the table */
    const struct rp_route *route;
    int routed;
    int nparams;
    size_t param_at[RP_MAX_PATH_PARAMS]; /* offsets into pathbuf */
    char pathbuf[sizeof((rp_request *)0)->pathbuf];
    char allowed[128];
} request_state;

/* ---- replies ------------------------------------------------------------- */

void rp_reply_json(rp_response *res, int status, json_t *body)
{
    json_decref(res->json);
    res->status = status;
    res->json = body;
    res->json_text = 0;
}

/* A change the last client asked for failed because the disk is full
 * (RP_ENOSPACE), or not (RP_OK): /healthz tells it until a change
 * succeeds again. */
static atomic_int last_write_fault;

rp_code rp_last_write_fault(void)
{
    return (rp_code)atomic_load(&last_write_fault);
}

void rp_reply_error(rp_response *res, const rp_error *err)
{
    const char *message = err->message;
    if (res->zendesk) {
        int status;
        if (err->code == RP_EINTERNAL || err->code == RP_ESCHEMA)
            rp_logf(RP_LOG_ERROR, "%s", err->message);
        if (err->code == RP_EBUSY && res->retry_after <= 0)
            res->retry_after = 1;
        json_t *body = rp_zendesk_error(err, &status);
        rp_reply_json(res, status, body);
        return;
    }
    if (err->code == RP_EINTERNAL || err->code == RP_ESCHEMA) {
        /* Such a message may name a file, a table or a query: the log
         * keeps it, the client is told only that it failed. */
        rp_log(RP_LOG_ERROR, "a request failed", "error", err->message,
               (char *)NULL);
        message = "the server failed to answer this request; its log says "
                  "why";
    }
    if (err->code == RP_EBUSY && res->retry_after <= 0)
        res->retry_after = 1; /* the writer ahead is usually done by then */
    json_t *e = json_pack("{s:s, s:s}", "code", rp_code_name(err->code),
                          "message", message);
    json_object_set_new(e, "field",
                        err->field[0] ? json_string(err->field) : json_null());
    /* the rule the field broke, for clients that say it in their own
     * words (the console, in the agent's language) */
    if (err->reason[0] && memchr(err->reason, '\0', sizeof err->reason)) {
        json_object_set_new(e, "reason", json_string(err->reason));
        if (err->limit > 0)
            json_object_set_new(e, "limit", json_integer(err->limit));
    }
    rp_reply_json(res, rp_code_http_status(err->code),
                  json_pack("{s:o}", "error", e));
}

void rp_reply_fail(rp_response *res, rp_code code, const char *field,
                   const char *fmt, ...)
{
    rp_error err;
    va_list ap;
    va_start(ap, fmt);
    rp_error_vset(&err, code, field, fmt, ap);
    va_end(ap);
    rp_reply_error(res, &err);
}

void rp_reply_result(rp_response *res, rp_code rc, const rp_error *err,
                     int status, json_t *body)
{
    if (rc) {
        json_decref(body);
        rp_reply_error(res, err);
    } else {
        rp_reply_json(res, status, body);
    }
}

void rp_reply_header(rp_response *res, const char *name, const char *value)
{
    if (res->nheaders < RP_MAX_EXTRA_HEADERS) {
        res->headers[res->nheaders].name = name;
        res->headers[res->nheaders++].value = value;
    }
}

const char *rp_query_arg(rp_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

int rp_path_id(rp_request *req, rp_response *res, int i, const char *what,
               int64_t *out)
{
    rp_error err;
    if (i >= req->nparams || rp_parse_id(req->params[i], "id", out, &err)) {
        rp_buf q = RP_BUF_INIT;
        rp_reply_fail(res, RP_ENOTFOUND, "id", "no %s with id \"%s\"", what,
                      rp_cut(&q, i < req->nparams ? req->params[i] : "", 40));
        rp_buf_free(&q);
        return -1;
    }
    return 0;
}

/* ---- routing ------------------------------------------------------------- */

/* Does path match pattern?  Fills starts and lens with where each {name}
 * segment lies in path. */
static int match(const char *pattern, const char *path, size_t *starts,
                 size_t *lens, int *nparams)
{
    /* one pass over both, leaving at the first byte that differs: the
     * table is walked for every request */
    const char *p = pattern, *s = path;
    *nparams = 0;
    for (;;) {
        if (*p != '/' || *s != '/')
            return *p == '\0' && *s == '\0';
        p++, s++;
        if (*p == '{') {
            const char *seg = s;
            while (*s && *s != '/')
                s++;
            if (s == seg || *nparams >= RP_MAX_PATH_PARAMS)
                return 0;
            starts[*nparams] = (size_t)(seg - path);
            lens[(*nparams)++] = (size_t)(s - seg);
            while (*p && *p != '/')
                p++;
        } else {
            while (*p && *p != '/' && *p == *s)
                p++, s++;
            if ((*p && *p != '/') || (*s && *s != '/'))
                return 0;
        }
    }
}

int rp_is_zendesk_path(const char *path)
{
    return path && strncmp(path, "/api/v2/", 8) == 0;
}

/* The length of each route's pattern before its first "{", worked out
 * once: a path that does not begin with those bytes cannot match, and
 * memcmp says so faster than match() (the table is walked for every
 * request).  0 entries: not worked out (a table longer than this). */
enum { ROUTES_MAX = 1024 };
static unsigned short route_literal[ROUTES_MAX];
static size_t route_count;
static pthread_once_t route_literal_once = PTHREAD_ONCE_INIT;

static void route_literal_init(void)
{
    size_t n = 0;
    while (rp_routes[n].method)
        n++;
    if (n > ROUTES_MAX)
        return;
    for (size_t i = 0; i < n; i++)
        route_literal[i] = (unsigned short)strcspn(rp_routes[i].pattern, "{");
    route_count = n;
}

/* Does route r's pattern match path (n bytes)?  Its literal start is
 * compared first, which rules most routes out without parsing the
 * pattern; match fills the parameters' starts and lengths. */
static int route_takes(const rp_route *r, const char *path, size_t n,
                       size_t *starts, size_t *lens, int *nparams)
{
    size_t i = (size_t)(r - rp_routes);
    if (i < route_count &&
        (route_literal[i] > n || memcmp(r->pattern, path, route_literal[i])))
        return 0;
    return match(r->pattern, path, starts, lens, nparams);
}

/* Find the route: the first of the table with the method whose pattern
 * the path matches.  *allowed is what a 405 says: when no route takes the
 * method, the methods the path accepts ("" when none); when one does, that
 * method alone.  The table is walked only up to the route found (the
 * common case: every request comes here once), and through to its end only
 * for a path no route of the method takes. */
static const rp_route *route_for(const char *method, const char *path,
                                 rp_request *req, char *allowed,
                                 size_t allowed_size)
{
    const rp_route *found = NULL;
    allowed[0] = '\0';
    size_t n = strlen(path);
    if (n > 1 && path[n - 1] == '/')
        n--; /* "/api/v1/customers/" is "/api/v1/customers" */
    if (rp_is_zendesk_path(path) && n > 5 && !strncmp(path + n - 5, ".json", 5))
        n -= 5; /* Zendesk's clients write "/api/v2/tickets/1.json" */
    if (n >= sizeof req->pathbuf)
        return NULL;
    char buf[sizeof req->pathbuf];
    memcpy(buf, path, n);
    buf[n] = '\0';
    pthread_once(&route_literal_once, route_literal_init);
    size_t starts[RP_MAX_PATH_PARAMS], lens[RP_MAX_PATH_PARAMS];
    int nparams = 0;
    for (const rp_route *r = rp_routes; r->method && !found; r++)
        if (strcmp(r->method, method) == 0 &&
            route_takes(r, buf, n, starts, lens, &nparams))
            found = r;
    if (found) {
        snprintf(allowed, allowed_size, "%s", found->method);
        memcpy(req->pathbuf, buf, n + 1);
        for (int i = 0; i < nparams; i++) {
            req->pathbuf[starts[i] + lens[i]] = '\0';
            req->params[i] = req->pathbuf + starts[i];
        }
        req->nparams = nparams;
        return found;
    }
    /* none takes the method: which do, for the 405 */
    for (const rp_route *r = rp_routes; r->method; r++) {
        int count;
        if (!route_takes(r, buf, n, starts, lens, &count))
            continue;
        size_t len = strlen(allowed);
        if (!strstr(allowed, r->method))
            snprintf(allowed + len, allowed_size - len, "%s%s", len ? ", " : "",
                     r->method);
    }
    return NULL;
}

static int has_body_method(const char *method)
{
    return !strcmp(method, "POST") || !strcmp(method, "PUT") ||
           !strcmp(method, "PATCH");
}

static int is_json_type(const char *ct)
{
    if (!ct)
        return 0;
    size_t n = strlen("application/json");
    return strncasecmp(ct, "application/json", n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* A route flagged RP_ROUTE_FORM (the customer's satisfaction page, posted
 * by a plain HTML form) takes application/x-www-form-urlencoded too,
 * handed to the handler raw. */
static int is_type(const char *ct, const char *type)
{
    size_t n = strlen(type);
    return ct && strncasecmp(ct, type, n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static int is_form_post(const rp_route *r, const char *ct)
{
    return ((r->flags & (RP_ROUTE_FORM | RP_ROUTE_UPLOAD)) &&
            is_type(ct, "application/x-www-form-urlencoded")) ||
           ((r->flags & RP_ROUTE_UPLOAD) && is_type(ct, "multipart/form-data"));
}

/* Read and parse the body; on failure reply and return -1. */
static int parse_body(rp_request *req, const rp_route *r, request_state *rs,
                      rp_response *res)
{
    const char *ct = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_TYPE);
    if ((r->flags & RP_ROUTE_UPLOAD) && rs->too_large) {
        req->too_large = 1; /* the handler says so on its page */
        return 0;
    }
    if (is_form_post(r, ct)) {
        req->form = rp_buf_str(&rs->body);
        req->form_len = rs->body.len;
        return 0;
    }
    if (r->flags & RP_ROUTE_CSV) {
        if (!is_type(ct, "text/csv")) {
            rp_buf q = RP_BUF_INIT;
            rp_reply_fail(res, RP_EMEDIATYPE, NULL,
                          "send the file as text/csv, not %s",
                          ct ? rp_cut(&q, ct, 60) : "no Content-Type");
            rp_buf_free(&q);
            return -1;
        }
        req->raw = (const unsigned char *)rp_buf_str(&rs->body);
        req->raw_len = rs->body.len;
        return 0;
    }
    if (r->flags & RP_ROUTE_MAIL) {
        size_t n = strlen("message/rfc822");
        if (!ct || strncasecmp(ct, "message/rfc822", n) != 0 ||
            (ct[n] != '\0' && ct[n] != ';' && ct[n] != ' ')) {
            rp_buf q = RP_BUF_INIT;
            rp_reply_fail(res, RP_EMEDIATYPE, NULL,
                          "send the email as message/rfc822, not %s",
                          ct ? rp_cut(&q, ct, 60) : "no Content-Type");
            rp_buf_free(&q);
            return -1;
        }
        req->raw = (const unsigned char *)rp_buf_str(&rs->body);
        req->raw_len = rs->body.len;
        return 0;
    }
    if (!is_json_type(ct)) {
        rp_buf q = RP_BUF_INIT;
        rp_reply_fail(res, RP_EMEDIATYPE, NULL,
                      "send the body as application/json, not %s",
                      ct ? rp_cut(&q, ct, 60) : "no Content-Type");
        rp_buf_free(&q);
        return -1;
    }
    if (rs->body.len == 0)
        return 0; /* handlers say which fields are required */
    size_t text = rp_utf8_valid_prefix(rp_buf_str(&rs->body), rs->body.len);
    if (text < rs->body.len) {
        rp_reply_fail(res, RP_EMALFORMED, NULL,
                      "the body is not valid UTF-8 text: byte %zu is not "
                      "part of a character",
                      text + 1);
        return -1;
    }
    json_error_t jerr;
    req->body = json_loadb(rp_buf_str(&rs->body), rs->body.len,
                           JSON_REJECT_DUPLICATES, &jerr);
    if (!req->body) {
        rp_reply_fail(res, RP_EMALFORMED, NULL,
                      "the body is not valid JSON: %s (line %d, column %d)",
                      jerr.text, jerr.line, jerr.column);
        return -1;
    }
    return 0;
}

const char *rp_access_name(rp_access a)
{
    switch (a) {
    case RP_ACCESS_PUBLIC: return "public";
    case RP_ACCESS_LEAD: return "lead";
    case RP_ACCESS_ADMIN: return "admin";
    case RP_ACCESS_MAIL: return "mail";
    default: return "agent";
    }
}

const char *rp_shape_name(rp_shape s)
{
    switch (s) {
    case RP_SHAPE_PLAIN: return "plain";
    case RP_SHAPE_BODY: return "body";
    case RP_SHAPE_CREATE: return "create";
    case RP_SHAPE_ID: return "id";
    case RP_SHAPE_ID_BODY: return "id+body";
    case RP_SHAPE_LIST: return "list";
    default: return "custom";
    }
}

/* ---- query parameters: a route names the ones it takes ------------------- */

typedef struct query_check {
    const rp_route *route;
    const char *unknown; /* the first parameter the route does not take */
} query_check;

static int takes_param(const rp_route *r, const char *name)
{
    if (r->shape == RP_SHAPE_LIST &&
        (!strcmp(name, "limit") || !strcmp(name, "cursor")))
        return 1;
    if (r->projection && (!strcmp(name, "fields") || !strcmp(name, "view")))
        return 1;
    for (const rp_param *p = r->params; p && p->name; p++)
        if (!strcmp(p->name, name))
            return 1;
    return 0;
}

static enum MHD_Result check_param(void *cls, enum MHD_ValueKind kind,
                                   const char *key, const char *value)
{
    (void)kind;
    (void)value;
    query_check *qc = cls;
    /* "?a=1&" leaves an empty key behind: nothing was asked for */
    if (!key || !*key || takes_param(qc->route, key))
        return MHD_YES;
    qc->unknown = key;
    return MHD_NO;
}

/*
 * A list or a search refuses a query parameter it does not take, so that a
 * misspelt or unsupported filter is an error rather than a silent "all of
 * them".  On refusal fill res and return -1.
 */
static int check_query(const rp_route *r, rp_request *req, rp_response *res)
{
    if (r->shape != RP_SHAPE_LIST && !r->params)
        return 0;
    query_check qc = {r, NULL};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, check_param,
                              &qc);
    if (!qc.unknown)
        return 0;
    /* the name as given, cut by characters: it may be in any script */
    rp_buf msg = RP_BUF_INIT;
    rp_buf_printf(&msg, "%s %s takes no query parameter \"", req->method,
                  r->pattern);
    rp_buf_put_cut(&msg, qc.unknown, 60);
    rp_buf_puts(&msg, "\"; it takes ");
    const char *sep = "";
    if (r->shape == RP_SHAPE_LIST) {
        rp_buf_puts(&msg, r->projection ? "limit, cursor, fields, view"
                                        : "limit, cursor");
        sep = ", ";
    }
    for (const rp_param *p = r->params; p && p->name; p++, sep = ", ")
        rp_buf_printf(&msg, "%s%s", sep, p->name);
    rp_reply_fail(res, RP_EMALFORMED, qc.unknown, "%s", rp_buf_str(&msg));
    rp_buf_free(&msg);
    return -1;
}

/* ---- the generic call of each shape -------------------------------------- */

/* What the path id of a route names, for its 404: the segment before the
 * first {param}, singular ("/api/v1/kb/articles/{id}" names an article). */
static void id_names(const char *pattern, char *out, size_t n)
{
    const char *brace = strchr(pattern, '{');
    const char *end = brace && brace > pattern ? brace - 1 : pattern;
    const char *start = end;
    while (start > pattern && start[-1] != '/')
        start--;
    size_t len = (size_t)(end - start);
    if (len > 1 && start[len - 1] == 's')
        len--;
    snprintf(out, n, "%.*s", (int)len, start);
}

/* ---- lists send what the page needs -------------------------------------- */

/* The projection's field names, separated by commas, into b. */
static void put_names(rp_buf *b, const char *const *names)
{
    for (const char *const *f = names; *f; f++)
        rp_buf_printf(b, "%s%s", f == names ? "" : ", ", *f);
}

/* The fields each item of the list r answers keeps, as the keys of *keep
 * (a new object), from ?fields= and ?view=; *keep NULL: every field.  A
 * field the items do not have, or a view other than list or full, is
 * RP_EINVALID naming it, and nothing is read. */
static rp_code projection_of(const rp_route *r, rp_request *req, json_t **keep,
                             rp_error *err)
{
    const char *view = rp_query_arg(req, "view");
    const char *fields = rp_query_arg(req, "fields");
    *keep = NULL;
    if (view && strcmp(view, "list") && strcmp(view, "full")) {
        rp_buf msg = RP_BUF_INIT;
        rp_buf_puts(&msg, "view is list (the fields a list shows, the "
                          "default) or full (every field), not \"");
        rp_buf_put_cut(&msg, view, 40);
        rp_buf_puts(&msg, "\"");
        rp_error_refuse(err, RP_EINVALID, "view", "not_allowed", 0, "%s",
                        rp_buf_str(&msg));
        rp_buf_free(&msg);
        return err->code;
    }
    if (view && !strcmp(view, "full")) {
        if (fields)
            return rp_error_refuse(err, RP_EINVALID, "fields", "not_both", 0,
                                   "give fields or view=full, not both: "
                                   "view=full holds every field");
        return RP_OK;
    }
    json_t *k = json_object();
    json_object_set_new(k, "id", json_true());
    if (!fields) {
        for (const char *const *f = r->projection; *f; f++)
            json_object_set_new(k, *f, json_true());
        *keep = k;
        return RP_OK;
    }
    for (const char *p = fields; *p;) {
        size_t n = strcspn(p, ",");
        char *name = strndup(p, n);
        if (!name || (n && !rp_openapi_has_field(r->reply, name))) {
            rp_buf msg = RP_BUF_INIT;
            rp_buf_puts(&msg, "fields names \"");
            rp_buf_put_cut(&msg, name ? name : "", 60);
            rp_buf_printf(&msg,
                          "\", which the items of %s %s do not have; "
                          "a list shows ",
                          req->method, r->pattern);
            put_names(&msg, r->projection);
            rp_buf_puts(&msg, " unless asked, view=full shows every field");
            rp_error_refuse(err, RP_EINVALID, "fields", "not_allowed", 0, "%s",
                            rp_buf_str(&msg));
            rp_buf_free(&msg);
            free(name);
            json_decref(k);
            return err->code;
        }
        if (n)
            json_object_set_new(k, name, json_true());
        free(name);
        p += n;
        if (*p == ',')
            p++;
    }
    *keep = k;
    return RP_OK;
}

/* Keep only the fields of keep in each item of the page body. */
static void project(json_t *body, json_t *keep)
{
    json_t *items = json_object_get(body, "items");
    if (!keep || !json_is_array(items))
        return;
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
        if (!json_is_object(item))
            continue;
        json_t *kept = json_object();
        const char *key;
        json_t *v;
        json_object_foreach(keep, key, v) {
            json_t *have = json_object_get(item, key);
            if (have)
                json_object_set(kept, key, have);
        }
        json_array_set_new(items, i, kept);
    }
}

/* Call the route's function by its shape and reply. */
static void serve(const rp_route *r, rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *out = NULL;
    rp_code rc = RP_OK;
    int64_t id = 0;
    int status = r->status                     ? r->status
                 : r->shape == RP_SHAPE_CREATE ? 201
                                               : 200;
    if (r->shape == RP_SHAPE_ID || r->shape == RP_SHAPE_ID_BODY) {
        char what[64];
        id_names(r->pattern, what, sizeof what);
        if (rp_path_id(req, res, 0, what, &id))
            return;
    }
    json_t *keep = NULL; /* a projected list's fields; NULL: all */
    if (r->shape == RP_SHAPE_LIST) {
        rc = rp_page_req_parse(rp_query_arg(req, "limit"),
                               rp_query_arg(req, "cursor"), &req->page, &err);
        if (rc == RP_OK && r->projection)
            rc = projection_of(r, req, &keep, &err);
        req->ctx.list_fields = keep; /* what a list need not read */
        if (rc) {
            rp_reply_error(res, &err);
            return;
        }
    }
    /* the body is checked against the route's table, the one its contract
     * is made from, whatever the handler reads of it afterwards */
    if (r->request && req->body &&
        rp_in_fields(req->body, r->request, strcmp(r->method, "PATCH") != 0,
                     &err)) {
        json_decref(keep);
        rp_reply_error(res, &err);
        return;
    }
    switch (r->shape) {
    case RP_SHAPE_PLAIN: rc = r->plain(&req->ctx, &out, &err); break;
    case RP_SHAPE_BODY:
    case RP_SHAPE_CREATE:
        rc = r->body(&req->ctx, req->body, &out, &err);
        if (rc == RP_OK && r->shape == RP_SHAPE_CREATE)
            snprintf(res->location, sizeof res->location, "%s/%lld", r->pattern,
                     (long long)json_integer_value(json_object_get(out, "id")));
        break;
    case RP_SHAPE_ID:
        if (r->by_id_text) {
            rp_buf text = RP_BUF_INIT;
            rp_buf_reserve(&text, 8192); /* a view is a few kB */
            rc = r->by_id_text(&req->ctx, id, &text, &err);
            if (rc == RP_OK) {
                json_decref(res->json);
                res->json = NULL;
                res->status = status;
                res->text_len = text.len;
                res->text = rp_buf_steal(&text);
                res->json_text = 1;
                return;
            }
            rp_buf_free(&text);
            break;
        }
        rc = r->by_id(&req->ctx, id, &out, &err);
        break;
    case RP_SHAPE_ID_BODY:
        rc = r->by_id_body(&req->ctx, id, req->body, &out, &err);
        break;
    case RP_SHAPE_LIST:
        if (r->handler) {
            r->handler(req, res); /* the filters need translating */
            if (res->status == 200)
                project(res->json, keep);
            req->ctx.list_fields = NULL;
            json_decref(keep);
            return;
        }
        rc = r->paged(&req->ctx, &req->page, &out, &err);
        if (rc == RP_OK)
            project(out, keep);
        req->ctx.list_fields = NULL;
        json_decref(keep);
        break;
    default: r->handler(req, res); return;
    }
    rp_reply_result(res, rc, &err, status, out);
}

/* ---- authentication: once, here, for every route ------------------------- */

/* The token of "Authorization: Bearer <token>"; "" for another scheme (so
 * it fails rather than falling back to the cookie); NULL when absent. */
static const char *bearer_of(struct MHD_Connection *conn)
{
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h)
        return NULL;
    if (strncasecmp(h, "Bearer ", 7) != 0)
        return "";
    for (h += 7; *h == ' '; h++)
        ;
    return h;
}

static void peer_addr(struct MHD_Connection *conn, char *out, size_t n);

/* Keep the value of the last X-Forwarded-For header: a balancer adds its
 * own line after any the client sent, and the first would be the
 * client's word. */
static enum MHD_Result last_forwarded(void *cls, enum MHD_ValueKind kind,
                                      const char *key, const char *value)
{
    (void)kind;
    if (key && value && strcasecmp(key, "X-Forwarded-For") == 0)
        *(const char **)cls = value;
    return MHD_YES;
}

/*
 * The client's address.  Behind a load balancer every connection comes
 * from the balancer, so one client's failed logins would slow everybody;
 * from an address in RAPPORT_TRUSTED_PROXIES the client is the last
 * address of X-Forwarded-For (the one that balancer appended: earlier
 * entries are whatever the client wrote).  From anyone else the header is
 * ignored, as anybody can send it.
 */
static void client_addr(struct MHD_Connection *conn, const rp_config *cfg,
                        char *out, size_t n)
{
    peer_addr(conn, out, n);
    if (!cfg->trusted_proxies ||
        !rp_config_proxy_listed(cfg->trusted_proxies, out))
        return;
    const char *xff = NULL;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, last_forwarded, &xff);
    if (!xff)
        return;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ' || *last == '\t')
        last++;
    char one[64];
    size_t len = strcspn(last, " \t");
    unsigned char bin[16];
    if (len == 0 || len >= sizeof one)
        return;
    memcpy(one, last, len);
    one[len] = '\0';
    if (inet_pton(AF_INET, one, bin) == 1 || inet_pton(AF_INET6, one, bin) == 1)
        snprintf(out, n, "%s", one);
}

static void peer_addr(struct MHD_Connection *conn, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
        conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, n, "unknown");
    if (!ci || !ci->client_addr)
        return;
    if (ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET,
                  &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out,
                  (socklen_t)n);
    else if (ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6,
                  &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr,
                  out, (socklen_t)n);
}

static int is_unsafe_method(const char *method)
{
    return strcmp(method, "GET") && strcmp(method, "HEAD") &&
           strcmp(method, "OPTIONS");
}

/* ---- least privilege: generic, from the route table ---------------------- */

/* The resource of a route (rp_resource_of_path); NULL when the core does
 * not know it: such a route has not been classified. */
static const rp_resource *resource_of(const char *pattern, int *id_follows)
{
    return rp_resource_of_path(pattern, id_follows);
}

/* A token's limits on the route's resource and on writing; on refusal
 * fill res and return -1. */
static int check_resource(const rp_route *r, rp_request *req, rp_response *res)
{
    int id_follows;
    const rp_resource *rs = resource_of(r->pattern, &id_follows);
    rp_error err;
    if (!rs) {
        rp_reply_fail(res, RP_EINTERNAL, NULL,
                      "%s %s has no resource rapport knows, so who may see "
                      "it is not decided (add it to rp_resources)",
                      r->method, r->pattern);
        return -1;
    }
    if (rp_access_resource(&req->auth, rs, is_unsafe_method(req->method),
                           &err)) {
        rp_reply_error(res, &err);
        return -1;
    }
    return 0;
}

/*
 * Whether the caller may see the rows the request names: the path id of a
 * route of a customer's resource, and a customer_id or encounter_id in
 * the body.  On refusal fill res and return -1.  An id that names nothing
 * passes: the route answers 404.
 */
static int check_rows(const rp_route *r, rp_request *req, rp_response *res)
{
    if (r->access == RP_ACCESS_PUBLIC)
        return 0;
    int id_follows;
    const rp_resource *rs = resource_of(r->pattern, &id_follows);
    rp_error err;
    int64_t id;
    if (rs && id_follows && rs->rows != RP_ROWS_NONE && req->nparams > 0 &&
        rp_parse_id(req->params[0], "id", &id, &err) == RP_OK &&
        rp_access_row(&req->ctx, &req->auth, rs->rows, id, &err)) {
        rp_reply_error(res, &err);
        return -1;
    }
    static const struct {
        const char *field;
        rp_rows rows;
    } body_ids[] = {{"customer_id", RP_ROWS_CUSTOMER},
                    {"encounter_id", RP_ROWS_ENCOUNTER}};
    for (size_t i = 0; i < sizeof body_ids / sizeof body_ids[0]; i++) {
        json_t *v = json_object_get(req->body, body_ids[i].field);
        if (json_is_integer(v) &&
            rp_access_row(&req->ctx, &req->auth, body_ids[i].rows,
                          json_integer_value(v), &err)) {
            rp_reply_error(res, &err);
            return -1;
        }
    }
    return 0;
}

/* A list read by a route without a path id: leave out the rows the
 * caller may not see (a page may then be shorter than its limit).  The
 * Zendesk-compatible API's lists and searches are filtered by the core
 * before their pages are cut (req->ctx.viewer), so that their counts and
 * cursors tell nothing of other queues. */
static void filter_rows(const rp_route *r, rp_request *req, rp_response *res)
{
    if (r->access == RP_ACCESS_PUBLIC || strcmp(req->method, "GET") != 0 ||
        res->status != 200 || req->nparams > 0 || !res->json)
        return;
    int id_follows;
    const rp_resource *rs = resource_of(r->pattern, &id_follows);
    json_t *items = json_object_get(res->json, "items");
    rp_error err;
    if (rs && json_is_array(items) &&
        rp_access_filter(&req->ctx, &req->auth, rs->rows, items, NULL, &err))
        rp_reply_error(res, &err);
}

/*
 * Check credentials, role and CSRF for route r; on refusal fill res and
 * return -1.  A bearer token wins over a cookie and needs no CSRF token
 * (a browser never adds it by itself); a cookie on an unsafe method must
 * come with X-CSRF-Token, because a browser sends cookies on requests other
 * sites make.
 */
static int authorize(const rp_route *r, rp_request *req, rp_response *res)
{
    req->session_secret = MHD_lookup_connection_value(
        req->conn, MHD_COOKIE_KIND, RP_SESSION_COOKIE);
    if (r->access == RP_ACCESS_PUBLIC)
        return 0;
    rp_error err;
    rp_code rc;
    const char *bearer = bearer_of(req->conn);
    if (r->flags & RP_ROUTE_ZENDESK)
        rc = rp_zendesk_authenticate(
            &req->ctx,
            MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                        MHD_HTTP_HEADER_AUTHORIZATION),
            &req->auth, &err);
    else if (bearer)
        rc = rp_auth_token(&req->ctx, bearer, &req->auth, &err);
    else if (req->session_secret)
        rc = rp_auth_session(&req->ctx, req->session_secret, &req->auth, &err);
    else
        rc = rp_error_set(&err, RP_EAUTH, NULL,
                          "sign in first: send the session cookie, or "
                          "Authorization: Bearer <token>");
    if (rc) {
        rp_reply_error(res, &err);
        return -1;
    }
    if (r->access == RP_ACCESS_MAIL && !req->auth.may_deliver_mail) {
        rp_reply_fail(res, RP_EFORBIDDEN, NULL,
                      "%s %s needs a mail-only token or an admin", req->method,
                      r->pattern);
        return -1;
    }
    int need = r->access == RP_ACCESS_MAIL    ? 0
               : r->access == RP_ACCESS_ADMIN ? 3
               : r->access == RP_ACCESS_LEAD  ? 2
                                              : 1;
    if (req->auth.role < need) {
        rp_reply_fail(res, RP_EFORBIDDEN, NULL, "%s %s needs the %s role",
                      req->method, r->pattern, rp_access_name(r->access));
        return -1;
    }
    if (req->auth.via_session && is_unsafe_method(req->method)) {
        const char *t = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                                    RP_CSRF_HEADER);
        if (!t || !rp_secret_equal(t, req->auth.csrf)) {
            rp_reply_fail(res, RP_ECSRF, NULL,
                          "a signed-in browser request that changes something "
                          "must carry the header " RP_CSRF_HEADER
                          " with the session's csrf_token");
            return -1;
        }
    }
    if (check_resource(r, req, res))
        return -1;
    req->ctx.agent_id = req->auth.agent_id;
    req->ctx.viewer = &req->auth;
    snprintf(req->actorbuf, sizeof req->actorbuf, "agent:%lld",
             (long long)req->auth.agent_id);
    req->ctx.actor = req->actorbuf;
    return 0;
}

/* ---- text at the edge: nothing but UTF-8 gets in ------------------------- */

static int is_text(const char *s)
{
    return !s || rp_utf8_is_valid(s, strlen(s));
}

static enum MHD_Result find_bad_arg(void *cls, enum MHD_ValueKind kind,
                                    const char *key, const char *value)
{
    (void)kind;
    const char **bad = cls;
    if (is_text(key) && is_text(value))
        return MHD_YES;
    *bad = key ? key : "";
    return MHD_NO;
}

/*
 * Refuse a path or a query parameter that is not UTF-8 text, before
 * anything looks at it, naming which (a %00 was refused before: on_uri);
 * the refusal quotes the parameter's name with U+FFFD for each byte that
 * is not text.  On refusal fill res and return -1.
 */
static int refuse_bad_text(struct MHD_Connection *conn, const char *url,
                           rp_response *res)
{
    if (!is_text(url)) {
        rp_reply_fail(res, RP_EMALFORMED, "path",
                      "the path is not valid UTF-8 text: a byte or %%XX "
                      "escape in it is not part of a character");
        return -1;
    }
    const char *bad = NULL;
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, find_bad_arg,
                              (void *)&bad);
    if (!bad)
        return 0;
    rp_buf name = RP_BUF_INIT;
    rp_cut(&name, bad, 60);
    rp_reply_fail(res, RP_EMALFORMED, rp_buf_str(&name),
                  "the query parameter \"%s\" is not valid UTF-8 text: a "
                  "byte or %%XX escape in it is not part of a character",
                  rp_buf_str(&name));
    rp_buf_free(&name);
    return -1;
}

/* ---- the audit log: every route under /api/v1/ and /api/v2/, here, once -- */

/*
 * Start accounting for req on route r (core/audit/audit.h): who, how, from
 * where, which route, and the customer data it touches (the path's id,
 * else a customer_id in the query or the body).  A change is then
 * recorded in the transaction of its first commit.  Returns 1 when req is
 * accounted for, 0 for a route outside the API (the customer's pages, the
 * console's files, health and metrics).
 */
static int audit_begin(rp_request *req, const rp_route *r, rp_audit_request *a)
{
    int zendesk = (r->flags & RP_ROUTE_ZENDESK) != 0;
    if (!zendesk && strncmp(r->pattern, "/api/v1/", 8) != 0)
        return 0;
    const char *customer = rp_query_arg(req, "customer_id");
    char buf[32];
    json_t *c = json_object_get(req->body, "customer_id");
    if (!customer && json_is_integer(c)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(c));
        customer = buf;
    }
    const char *subject;
    int64_t id;
    if (zendesk)
        rp_zendesk_audit_subject(r->pattern, req->params, req->nparams,
                                 &subject, &id);
    else
        rp_audit_subject_of(r->pattern, req->params, req->nparams, customer,
                            &subject, &id);
    int status = r->status                     ? r->status
                 : r->shape == RP_SHAPE_CREATE ? 201
                                               : 200;
    memset(a, 0, sizeof *a);
    a->change = is_unsafe_method(r->method);
    /* a login commits in steps before its outcome is known: it is
     * recorded at its end, with the status it answered */
    a->at_end = (r->flags & RP_ROUTE_AUDIT_AT_END) != 0;
    a->entry = (rp_audit_entry){
        .agent_id = req->auth.agent_id,
        .token_id = req->auth.token_id,
        .via = req->auth.agent_id && !req->auth.via_session ? "token"
                                                            : "session",
        .address = req->client_addr,
        .method = r->method,
        .route = r->pattern,
        .subject = subject,
        .subject_id = id,
        .status = status};
    rp_audit_request_begin(&req->ctx, a);
    return 1;
}

/* Finish accounting for req once res is made: a read goes on the
 * background writer's queue, a refusal is written with its error's code
 * and field.  A read the queue cannot take (the database has refused
 * writes for a while) is not answered: res becomes a 503, so that no
 * customer's data leaves unrecorded. */
static void audit_end(rp_server *srv, rp_request *req, rp_audit_request *a,
                      rp_response *res)
{
    json_t *e = json_object_get(res->json, "error");
    const char *code = json_string_value(json_object_get(e, "code"));
    const char *field = json_string_value(json_object_get(e, "field"));
    if (res->zendesk && json_is_string(e)) { /* Zendesk's error shape */
        void *first = json_object_iter(json_object_get(res->json, "details"));
        code = json_string_value(e);
        field = first ? json_object_iter_key(first) : NULL;
    }
    if (rp_audit_request_end(&req->ctx, a, res->status, code, field,
                             srv->audit) == RP_OK)
        return;
    free(res->text);
    res->text = NULL;
    res->text_len = 0;
    res->content_type = NULL;
    res->disposition[0] = res->location[0] = '\0';
    res->nheaders = 0;
    res->retry_after = 2;
    rp_reply_fail(res, RP_EBUSY, NULL,
                  "this read cannot be recorded in the audit log now (the "
                  "database has refused writes for a while); try again in a "
                  "moment");
}

/* Borrow a store connection for req; on failure reply and return -1. */
static int borrow_store(rp_server *srv, rp_request *req, rp_response *res)
{
    rp_error err;
    if (rp_pool_acquire(srv->pool, &req->ctx.store, &err)) {
        /* the message names the database file: logged, not sent */
        rp_log(RP_LOG_ERROR, "opening a database connection failed", "error",
               err.message, (char *)NULL);
        if (err.code == RP_EBUSY)
            rp_reply_fail(res, RP_EBUSY, NULL,
                          "the database is busy with another change; try "
                          "again in a moment");
        else
            rp_reply_fail(res, RP_EINTERNAL, NULL,
                          "the database cannot be opened");
        return -1;
    }
    /* a request waits this long in all for another writer, then is
     * answered 503 rather than hanging */
    req->ctx.store->ops->set_busy_wait(req->ctx.store,
                                       srv->config->busy_wait_ms);
    return 0;
}

static void dispatch(rp_server *srv, struct MHD_Connection *conn,
                     const char *url, const char *method, request_state *rs,
                     rp_response *res, char *allowed, size_t allowed_size)
{
    if (refuse_bad_text(conn, url, res))
        return;
    rp_request req = {
        .conn = conn, .method = method, .path = url, .config = srv->config};
    const char *route_method = strcmp(method, "HEAD") == 0 ? "GET" : method;
    const rp_route *r;
    if (rs->routed) { /* found by route_needs */
        r = rs->route;
        snprintf(allowed, allowed_size, "%s", rs->allowed);
        if (r) {
            memcpy(req.pathbuf, rs->pathbuf, sizeof req.pathbuf);
            req.nparams = rs->nparams;
            for (int i = 0; i < rs->nparams; i++)
                req.params[i] = req.pathbuf + rs->param_at[i];
        }
    } else {
        r = route_for(route_method, url, &req, allowed, allowed_size);
    }
    if (!r) {
        rp_buf q = RP_BUF_INIT;
        if (allowed[0])
            rp_reply_fail(res, RP_EMETHOD, NULL,
                          "%s is not allowed on %s; allowed: %s", method,
                          rp_cut(&q, url, 200), allowed);
        else if (res->zendesk || !rp_static_serve(srv, url, res))
            rp_reply_fail(res, RP_ENOTFOUND, res->zendesk ? "path" : NULL,
                          "no such endpoint: %s", rp_cut(&q, url, 200));
        rp_buf_free(&q);
        return;
    }
    res->route = r->pattern; /* counted by pattern in /metrics */
    if (borrow_store(srv, &req, res))
        return;
    req.ctx.actor = "api";
    client_addr(conn, srv->config, req.client_addr, sizeof req.client_addr);
    req.route = r;
    rp_audit_request audit;
    int audited = 0;
    /* A read that writes its reply as text (the 360 view) checks the
     * credentials in the transaction it reads in: one snapshot, one lock,
     * for the whole request.  No write may begin in it, so the
     * credential's last use is written after it ends. */
    int one_read = r->by_id_text && !is_unsafe_method(method);
    if (one_read) {
        rp_error err;
        if (rp_store_read_begin(req.ctx.store, &err)) {
            rp_reply_error(res, &err);
            rp_pool_release(srv->pool, req.ctx.store);
            return;
        }
        req.ctx.touch_later = 1;
    }
    if (authorize(r, &req, res) == 0) {
        if (check_query(r, &req, res) == 0 &&
            (!has_body_method(method) || parse_body(&req, r, rs, res) == 0) &&
            check_rows(r, &req, res) == 0) {
            audited = audit_begin(&req, r, &audit);
            serve(r, &req, res);
            filter_rows(r, &req, res);
        } else {
            audited = audit_begin(&req, r, &audit);
        }
    } else if (req.auth.agent_id) {
        /* known, and refused: their role, a CSRF token missing, or what
         * the token or the queues allow */
        audited = audit_begin(&req, r, &audit);
    }
    if (one_read) {
        rp_store_read_end(req.ctx.store);
        req.ctx.touch_later = 0;
        rp_auth_touch(&req.ctx, &req.auth);
    }
    if (audited)
        audit_end(srv, &req, &audit, res);
    rp_pool_release(srv->pool, req.ctx.store);
    json_decref(req.body);
}

/* ---- slow work: off the HTTP workers and back -----------------------------
 *
 * A request of a slow route (RP_ROUTE_SLOW, RP_ROUTE_PASSWORD) is read on
 * an HTTP worker like any other; then, instead of dispatch() there, its
 * connection is suspended and dispatch() runs on one of its lane's
 * threads, which fills the reply and resumes the connection; the HTTP
 * worker that picks the connection up again sends the reply.  A suspended
 * connection is left alone by libmicrohttpd (no reads, no timeout), so the
 * lane's thread may read its headers and arguments meanwhile, and the
 * request's state (its body) stays put until the reply is sent.
 */
typedef struct slow_request {
    rp_job job; /* the lane's view of it */
    rp_server *srv;
    struct MHD_Connection *conn;
    const char *url, *method; /* libmicrohttpd's, alive while suspended */
    request_state *rs;
    rp_response res;   /* made on the lane's thread */
    char allowed[128]; /* the methods the path takes, for a 405 */
    atomic_int done;   /* res is made (or the lane stopped first) */
} slow_request;

/* On a lane's thread: the whole request, credentials to audit. */
static void slow_run(rp_job *job)
{
    slow_request *q = (slow_request *)job;
    dispatch(q->srv, q->conn, q->url, q->method, q->rs, &q->res, q->allowed,
             sizeof q->allowed);
}

/* On a lane's thread (or at once when the lane is stopping): wake the
 * connection up for on_request to send the reply.  Work the lane never
 * started (the server is stopping) is answered 503: nothing of it ran. */
static void slow_done(rp_job *job)
{
    slow_request *q = (slow_request *)job;
    if (job->cancelled) {
        rp_reply_fail(&q->res, RP_EBUSY, NULL,
                      "the server is stopping; try again in a moment");
        q->res.retry_after = 2;
    }
    struct MHD_Connection *conn = q->conn;
    atomic_store(&q->done, 1);
    MHD_resume_connection(conn);
}

/* The lane of the route at method and url for this request: the password
 * threads, the slow-work threads, or NULL (served here). */
static rp_workq *lane_of(rp_server *srv, const rp_route *r,
                         struct MHD_Connection *conn)
{
    if (!r)
        return NULL;
    if (r->flags & RP_ROUTE_PASSWORD)
        return srv->passwords;
    if ((r->flags & RP_ROUTE_SLOW) ||
        (r->slow_with && MHD_lookup_connection_value(
                             conn, MHD_GET_ARGUMENT_KIND, r->slow_with)))
        return srv->slow;
    return NULL;
}

/*
 * Hand the request to its lane: 0 when it is on its way (the connection
 * suspended), else -1 with res filled: 503 with Retry-After when the
 * lane's queue is full, so that slow work never waits on an HTTP worker.
 */
static int hand_off(rp_server *srv, struct MHD_Connection *conn,
                    const char *url, const char *method, request_state *rs,
                    rp_response *res)
{
    if (rp_workq_reserve(rs->lane)) {
        res->route = rs->pattern;
        rp_reply_fail(res, RP_EBUSY, NULL,
                      rs->lane == srv->passwords
                          ? "the server is busy checking other passwords; "
                            "try again in a moment"
                          : "the server is busy with other searches and "
                            "reports; try again in a moment");
        res->retry_after = 2;
        return -1;
    }
    slow_request *q = calloc(1, sizeof *q);
    if (!q) {
        rp_workq_release(rs->lane);
        rp_reply_fail(res, RP_EINTERNAL, NULL, "out of memory");
        return -1;
    }
    q->srv = srv;
    q->conn = conn;
    q->url = url;
    q->method = method;
    q->rs = rs;
    q->res.zendesk = res->zendesk;
    q->job.work = slow_run;
    q->job.done = slow_done;
    atomic_init(&q->done, 0);
    rs->slow = q;
    /* Suspend first, then submit: work done before the suspension would
     * resume nothing and leave the connection hanging. */
    MHD_suspend_connection(conn);
    rp_workq_submit(rs->lane, &q->job);
    return 0;
}

/* Free a reply that was made and never sent. */
static void drop_response(rp_response *res)
{
    json_decref(res->json);
    free(res->text);
    res->json = NULL;
    res->text = NULL;
}

/* ---- libmicrohttpd callbacks -------------------------------------------- */

static int has_header(const rp_response *res, const char *name)
{
    for (int i = 0; i < res->nheaders; i++)
        if (strcasecmp(res->headers[i].name, name) == 0)
            return 1;
    return 0;
}

static enum MHD_Result send_response(struct MHD_Connection *conn,
                                     rp_response *res, const char *allowed)
{
    char *text = res->text;
    size_t len = res->text_len;
    const char *type = res->json_text      ? "application/json"
                       : res->content_type ? res->content_type
                                           : "text/plain";
    if (res->json) {
        /* the bytes of json_dumps(JSON_COMPACT), several times faster */
        text = rp_json_text(res->json, &len);
        if (!text)
            len = 0;
        type = "application/json";
        free(res->text);
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, text ? text : (char *)"",
        text ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (res->json || res->json_text)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (strncmp(type, "text/html", 9) == 0 &&
        !has_header(res, "Content-Security-Policy")) {
        /* Server-rendered pages (the satisfaction pages) carry no script
         * and load only our own style sheet; the console sets its own. */
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'none'; style-src 'self'; "
                                "form-action 'self'; frame-ancestors 'none'");
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    }
    if (res->location[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, res->location);
    if (res->set_cookie[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, res->set_cookie);
    if (res->disposition[0])
        MHD_add_response_header(r, "Content-Disposition", res->disposition);
    if (res->retry_after > 0) {
        char ra[24];
        snprintf(ra, sizeof ra, "%d", res->retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    if (res->status == 401)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                res->zendesk ? "Basic realm=\"Web Password\""
                                             : "Bearer realm=\"rapport\"");
    if (res->status == 405 && allowed && allowed[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allowed);
    for (int i = 0; i < res->nheaders; i++)
        MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)res->status, r);
    MHD_destroy_response(r);
    json_decref(res->json);
    return ret;
}

/* What the route at method and url asks of its request, before its body
 * is read: the body limit (the mail size limit for a route that takes raw
 * email, the help pages' attachment limit and room for the form's fields
 * for an upload, else RP_MAX_BODY_BYTES) and the lane it runs on. */
static void route_needs(rp_server *srv, struct MHD_Connection *conn,
                        const char *method, const char *url, request_state *rs)
{
    rp_request scratch;
    const rp_route *r = route_for(strcmp(method, "HEAD") ? method : "GET", url,
                                  &scratch, rs->allowed, sizeof rs->allowed);
    rs->route = r;
    rs->routed = 1;
    if (r) {
        memcpy(rs->pathbuf, scratch.pathbuf, sizeof rs->pathbuf);
        rs->nparams = scratch.nparams;
        for (int i = 0; i < scratch.nparams; i++)
            rs->param_at[i] = (size_t)(scratch.params[i] - scratch.pathbuf);
    }
    rs->mail = r && (r->flags & RP_ROUTE_MAIL);
    rs->upload = r && (r->flags & RP_ROUTE_UPLOAD);
    rs->lane = lane_of(srv, r, conn);
    rs->pattern = r ? r->pattern : NULL;
    size_t up = (size_t)srv->config->help.max_attachment + 256 * 1024;
    if (r && (r->flags & RP_ROUTE_CSV))
        rs->limit = RP_MAX_CSV_BYTES;
    else
        rs->limit = rs->mail ? (size_t)srv->config->mail_max_bytes
                    : rs->upload
                        ? (up > RP_MAX_BODY_BYTES ? up : RP_MAX_BODY_BYTES)
                        : (size_t)RP_MAX_BODY_BYTES;
}

/* An email refused for its size is logged: its sender's mail service is
 * the only other place that knows of it. */
static void refuse_body(rp_response *res, int mail, unsigned long long size,
                        size_t limit)
{
    if (mail)
        rp_logf(RP_LOG_WARN,
                "mail: refused an email of %s%llu bytes: over the limit of "
                "%zu bytes (RAPPORT_MAIL_MAX_BYTES)",
                size ? "" : "more than ",
                size ? size : (unsigned long long)limit, limit);
    rp_reply_fail(res, RP_ETOOLARGE, NULL, "the body is larger than %zu bytes",
                  limit);
    /* not reused: what is left of the body may still be on its way */
    rp_reply_header(res, MHD_HTTP_HEADER_CONNECTION, "close");
}

/*
 * Called with the address as the client sent it, before libmicrohttpd
 * decodes it: a %00 there would otherwise end the decoded path or value
 * early ("/api/v1/customers/1%00x" would read customer 1), so it is noted
 * here and refused once the request is read.  The state made here is the
 * request's (libmicrohttpd hands it to on_request as *con_cls).
 */
/* Remember whether the last change a client asked for hit a full disk
 * (for /healthz). */
static void note_write_outcome(const char *method, const rp_response *res)
{
    if (!res->route || !is_unsafe_method(method))
        return;
    if (res->status == 507)
        atomic_store(&last_write_fault, RP_ENOSPACE);
    else if (res->status >= 200 && res->status < 300)
        atomic_store(&last_write_fault, RP_OK);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    request_state *rs = calloc(1, sizeof *rs);
    if (rs && uri)
        rs->nul_in_uri = strstr(uri, "%00") != NULL;
    return rs; /* NULL: on_request makes it */
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    rp_server *srv = cls;
    request_state *rs = *con_cls;
    if (!rs || !rs->started) {
        if (!rs && !(rs = calloc(1, sizeof *rs)))
            return MHD_NO;
        *con_cls = rs;
        rs->started = 1;
        atomic_fetch_add(&srv->in_flight, 1);
        route_needs(srv, conn, method, url, rs);
        const char *cl = MHD_lookup_connection_value(
            conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
        if (declared > rs->limit) {
            rs->too_large = 1;
            const char *expect = MHD_lookup_connection_value(
                conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
            /* With "Expect: 100-continue" the body has not been sent, so
             * the refusal can go at once; so does one of a body too big to
             * read through. */
            if (declared > RP_MAX_DISCARD_BYTES ||
                (expect && strcasecmp(expect, "100-continue") == 0)) {
                rp_response res = {.zendesk = rp_is_zendesk_path(url)};
                refuse_body(&res, rs->mail, declared, rs->limit);
                return send_response(conn, &res, NULL);
            }
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (!rs->too_large && rs->body.len + n > rs->limit) {
            rs->too_large = 1;
            rs->discarded = rs->body.len;
            rp_buf_free(&rs->body);
        }
        if (rs->too_large) {
            /* read and thrown away, so the 413 reaches the client; a
             * chunked body that never ends is cut off */
            rs->discarded += n;
            return rs->discarded > RP_MAX_DISCARD_BYTES ? MHD_NO : MHD_YES;
        }
        rp_buf_append(&rs->body, upload_data, n);
        if (rs->body.failed)
            return MHD_NO;
        return MHD_YES;
    }
    rp_response res = {.zendesk = rp_is_zendesk_path(url)};
    char allowed[128];
    allowed[0] = '\0';
    if (rs->slow) {
        /* resumed after the slow work: its reply is made */
        slow_request *q = rs->slow;
        if (!atomic_load(&q->done))
            return MHD_YES;
        rs->slow = NULL;
        note_write_outcome(method, &q->res);
        rp_prom_observe(q->res.route, q->res.status,
                        rp_prom_clock() - rs->began);
        enum MHD_Result ret = send_response(conn, &q->res, q->allowed);
        free(q);
        return ret;
    }
    rs->began = rp_prom_clock();
    /* an upload's handler explains an oversized body on its page */
    if (rs->too_large && !rs->upload)
        refuse_body(&res, rs->mail, 0, rs->limit);
    else if (rs->nul_in_uri)
        rp_reply_fail(&res, RP_EMALFORMED, NULL,
                      "the address holds %%00, a NUL character, which no "
                      "path or query parameter may contain");
    else if (!rs->lane)
        dispatch(srv, conn, url, method, rs, &res, allowed, sizeof allowed);
    else if (refuse_bad_text(conn, url, &res) == 0 &&
             hand_off(srv, conn, url, method, rs, &res) == 0)
        return MHD_YES; /* replied to once resumed */
    note_write_outcome(method, &res);
    rp_prom_observe(res.route, res.status, rp_prom_clock() - rs->began);
    return send_response(conn, &res, allowed);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    rp_server *srv = cls;
    request_state *rs = *con_cls;
    if (!rs)
        return;
    if (rs->slow) {
        /* Resumed, and closed before its reply went out (the client went
         * away, or the server is stopping): what it did is done; its
         * reply is dropped.  (A connection is never closed while
         * suspended: the lanes stop, resuming every one, before the
         * daemon does.) */
        if (atomic_load(&rs->slow->done)) {
            drop_response(&rs->slow->res);
            free(rs->slow);
        }
    }
    int started = rs->started;
    rp_buf_free(&rs->body);
    free(rs);
    *con_cls = NULL;
    if (started)
        atomic_fetch_sub(&srv->in_flight, 1);
}

/*
 * The listening socket, made here rather than by libmicrohttpd so that an
 * address in use is told as such.  SO_REUSEADDR only lets a restart bind
 * while old connections linger in TIME_WAIT; without SO_REUSEPORT a second
 * rapportd on the same port is refused instead of quietly sharing the
 * traffic (and writing to another database).
 */
static rp_code listen_on(const struct sockaddr_in *addr, int *fd_out,
                         rp_error *err)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return rp_error_set(err, RP_EINTERNAL, "listen",
                            "cannot make a socket: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr->sin_addr, host, sizeof host);
    if (bind(fd, (const struct sockaddr *)addr, sizeof *addr) != 0) {
        int e = errno;
        close(fd);
        if (e == EADDRINUSE)
            return rp_error_set(err, RP_EINVALID, "listen",
                                "the address %s:%u is already in use (is "
                                "another rapportd running?)",
                                host, ntohs(addr->sin_port));
        return rp_error_set(err, RP_EINVALID, "listen",
                            "cannot listen on %s:%u: %s", host,
                            ntohs(addr->sin_port), strerror(e));
    }
    if (listen(fd, SOMAXCONN) != 0) {
        int e = errno;
        close(fd);
        return rp_error_set(err, RP_EINVALID, "listen",
                            "cannot listen on %s:%u: %s", host,
                            ntohs(addr->sin_port), strerror(e));
    }
    *fd_out = fd;
    return RP_OK;
}

/* Descriptors kept for what is not a client connection: the listening
 * socket, the database files, the scheduler's, libmicrohttpd's own. */
#define RESERVED_FDS 64

/*
 * Raise the soft limit on open files to fit max connections (the hard
 * limit allowing); return how many connections fit after all.
 */
static unsigned fit_connections(unsigned max)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return max;
    rlim_t need = (rlim_t)max + RESERVED_FDS;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need
                          ? need
                          : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
        return max;
    unsigned fit = rl.rlim_cur > 2 * RESERVED_FDS
                       ? (unsigned)(rl.rlim_cur - RESERVED_FDS)
                       : RESERVED_FDS;
    rp_logf(RP_LOG_WARN,
            "only %llu open files allowed (ulimit -n): holding at most %u "
            "connections, not %u",
            (unsigned long long)rl.rlim_cur, fit, max);
    return fit;
}

/*
 * libmicrohttpd's messages, at most five a minute: under a flood it
 * reports every connection it closes over a limit, and a log that grows
 * by thousands of lines a second is a second way to fill a disk.
 */
static void log_limited(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static time_t minute;
    static int printed;
    static long dropped;
    time_t now = time(NULL) / 60;
    pthread_mutex_lock(&lock);
    if (now != minute) {
        if (dropped)
            rp_logf(RP_LOG_WARN, "and %ld more such messages in that minute",
                    dropped);
        minute = now;
        printed = 0;
        dropped = 0;
    }
    if (printed < 5) {
        printed++;
        rp_buf text = RP_BUF_INIT;
        rp_buf_vprintf(&text, fmt, ap);
        /* libmicrohttpd ends its messages with a newline: one line */
        size_t len = strlen(rp_buf_str(&text));
        while (len && rp_buf_str(&text)[len - 1] == '\n')
            len--;
        rp_buf line = RP_BUF_INIT;
        rp_buf_append(&line, rp_buf_str(&text), len);
        rp_log(RP_LOG_WARN, rp_buf_str(&line), "from", "libmicrohttpd",
               (char *)NULL);
        rp_buf_free(&line);
        rp_buf_free(&text);
    } else {
        dropped++;
    }
    pthread_mutex_unlock(&lock);
}

rp_code rp_server_start(rp_server *srv, const struct sockaddr_in *addr,
                        int threads, rp_error *err)
{
    const rp_config *cfg = srv->config;
    srv->listen_fd = -1;
    if (listen_on(addr, &srv->listen_fd, err))
        return err->code;
    unsigned max = fit_connections((unsigned)cfg->max_connections);
    /* argon2id takes 64 MiB per check: the password threads bound it */
    rp_password_set_concurrency(cfg->password_threads);
    /* A login runs whole on a password thread: besides its check it
     * commits twice (the attempt, the session) and writes its audit entry.
     * Twice as many threads as checks may run at once let one login's
     * commits overlap another's check; the memory stays bounded by the
     * checks (rp_password_set_concurrency above). */
    srv->passwords = rp_workq_start(2 * cfg->password_threads,
                                    cfg->password_queue);
    srv->slow = rp_workq_start(cfg->slow_threads, cfg->slow_queue);
    if (!srv->passwords || !srv->slow) {
        rp_workq_free(srv->passwords);
        rp_workq_free(srv->slow);
        srv->passwords = srv->slow = NULL;
        close(srv->listen_fd);
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "cannot start the password and slow-work "
                            "threads");
    }
    /* poll(), not epoll: with a thread pool, libmicrohttpd 0.9.75's
     * MHD_quiesce_daemon races the workers removing the listening socket
     * from their epoll sets and can abort the process on shutdown (seen
     * here once in a few hundred stops).  Connections over a limit are
     * closed as they are accepted; an idle one is closed after the idle
     * timeout, so sockets opened and left do not pile up. */
    srv->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
            MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
        0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, log_limited,
        NULL, MHD_OPTION_LISTEN_SOCKET, srv->listen_fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_CONNECTION_LIMIT, max, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)cfg->max_connections_per_address,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->idle_timeout,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_END);
    if (!srv->daemon) {
        rp_workq_free(srv->passwords);
        rp_workq_free(srv->slow);
        srv->passwords = srv->slow = NULL;
        close(srv->listen_fd);
        return rp_error_set(err, RP_EINTERNAL, "listen",
                            "cannot start the HTTP server");
    }
    struct sockaddr_in bound;
    socklen_t len = sizeof bound;
    srv->port = getsockname(srv->listen_fd, (struct sockaddr *)&bound, &len)
                    ? ntohs(addr->sin_port)
                    : ntohs(bound.sin_port);
    return RP_OK;
}

void rp_server_stop(rp_server *srv, int grace_seconds)
{
    if (!srv->daemon)
        return;
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon); /* accept nothing new */
    /* Slow work still waiting for a thread is answered 503 at once (none
     * of it ran) and the work running finishes: a queue of searches or
     * logins would otherwise hold the stop for as long as they all take.
     * Every connection is resumed by then: libmicrohttpd must not stop
     * with one suspended.  From now on slow work is refused with 503. */
    rp_workq_stop(srv->slow);
    rp_workq_stop(srv->passwords);
    struct timespec tick = {0, 20 * 1000 * 1000};
    for (int i = 0; i < grace_seconds * 50 && atomic_load(&srv->in_flight) > 0;
         i++)
        nanosleep(&tick, NULL);
    MHD_stop_daemon(srv->daemon);
    srv->daemon = NULL;
    rp_workq_free(srv->passwords);
    rp_workq_free(srv->slow);
    srv->passwords = srv->slow = NULL;
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
}

/* ---- for the fuzz harnesses (server_internal.h) -------------------------- */

const rp_route *rp_route_find(const char *method, const char *path,
                              rp_request *req, char *allowed,
                              size_t allowed_size)
{
    return route_for(method, path, req, allowed, allowed_size);
}
