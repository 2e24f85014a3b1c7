/*
 * http.h - what the pieces of rapportd share: the request and response as
 * a handler sees them, the route table, and reply helpers.
 *
 * Most routes have no handler: their entry in the table names the
 * librapport function and the shape of the call (create from the body, read
 * or change by path id, a page of a list), and http.c makes the call.  A
 * handler is written only where a request needs real translation (filters,
 * cookies, HTML pages); it stays thin: it reads path parameters, the query
 * string and the parsed JSON body, calls librapport, and turns the result
 * or the rp_error into a reply.  Routing, credentials, body limits, content
 * types, query parameter checks, the store pool and error formatting are
 * done once, in http.c.
 */
#ifndef RP_HTTP_H
#define RP_HTTP_H

#include <jansson.h>
#include <stdio.h>
#include <microhttpd.h>

#include "config/config.h"
#include "core/rapport.h"

#define RP_MAX_PATH_PARAMS 4
#define RP_MAX_BODY_BYTES (1024 * 1024)
#define RP_SESSION_COOKIE "rapport_session"
#define RP_CSRF_HEADER "X-CSRF-Token"
#define RP_MAX_EXTRA_HEADERS 6

typedef struct rp_request {
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    const char *params[RP_MAX_PATH_PARAMS]; /* {name} segments, in order */
    int nparams;
    char pathbuf[512]; /* the path split into segments; params point here */
    json_t *body;      /* parsed body of POST/PUT/PATCH, else NULL */
    rp_ctx ctx;        /* store and actor for this request */
    const rp_config *config; /* rapportd's configuration, read at start */
    /* the raw body of a form post (application/x-www-form-urlencoded),
     * accepted only on the public satisfaction pages /s/...; else NULL */
    const char *form;
    size_t form_len;
    rp_principal auth; /* who authenticated (agent_id 0 on public routes) */
    const char *session_secret;   /* the session cookie's value, or NULL */
    char client_addr[64];         /* the peer's address, for login throttling */
    char actorbuf[32];            /* ctx.actor points here: "agent:<id>" */
    const struct rp_route *route; /* the route that matched */
    rp_page_req page; /* limit and cursor, on RP_SHAPE_LIST routes */
    int too_large;    /* an RP_ROUTE_UPLOAD body over its limit, discarded */
    /* the raw body of an RP_ROUTE_MAIL route (an email message) or of an
     * RP_ROUTE_CSV route (a CSV file) */
    const unsigned char *raw;
    size_t raw_len;
} rp_request;

typedef struct rp_response {
    int status;
    json_t *json; /* body when JSON; owned */
    char *text;   /* body otherwise; owned */
    size_t text_len;
    const char *content_type; /* for text bodies */
    char location[128];       /* Location header when set */
    char set_cookie[256];     /* Set-Cookie header when set */
    int retry_after;          /* Retry-After seconds when > 0 */
    const char *route;        /* pattern of the route that answered, for
                                 /metrics; NULL when none matched */
    /* Extra headers (static strings: names and values are not copied). */
    struct {
        const char *name, *value;
    } headers[RP_MAX_EXTRA_HEADERS];
    int nheaders;
    char disposition[512]; /* Content-Disposition header when set */
    int zendesk;   /* a request under /api/v2: errors in Zendesk's shape */
    int json_text; /* text is a JSON reply written already (by_id_text) */
} rp_response;

typedef void (*rp_handler)(rp_request *req, rp_response *res);

/*
 * Who may call a route.  The zero value is RP_ACCESS_AGENT, so a route
 * added without a flag needs credentials: forgetting is safe, not open.
 */
typedef enum rp_access {
    RP_ACCESS_AGENT = 0, /* any signed-in agent (session or token) */
    RP_ACCESS_LEAD,      /* lead or admin */
    RP_ACCESS_ADMIN,     /* admin only */
    RP_ACCESS_PUBLIC,    /* no credentials needed */
    RP_ACCESS_MAIL       /* a token that may deliver mail (mail-only or an
                            admin's): nothing else passes, nothing more is
                            granted */
} rp_access;

/* The shapes of most domain calls a route makes. */
typedef rp_code (*rp_plain_fn)(rp_ctx *ctx, json_t **out, rp_error *err);
typedef rp_code (*rp_body_fn)(rp_ctx *ctx, json_t *in, json_t **out,
                              rp_error *err);
typedef rp_code (*rp_by_id_fn)(rp_ctx *ctx, int64_t id, json_t **out,
                               rp_error *err);
/* A read by id that writes its reply's JSON text itself (rp_buf). */
typedef rp_code (*rp_by_id_text_fn)(rp_ctx *ctx, int64_t id, rp_buf *out,
                                    rp_error *err);
typedef rp_code (*rp_by_id_body_fn)(rp_ctx *ctx, int64_t id, json_t *in,
                                    json_t **out, rp_error *err);
typedef rp_code (*rp_paged_fn)(rp_ctx *ctx, const rp_page_req *page,
                               json_t **out, rp_error *err);

/*
 * What a route does with a request, so that most routes name a librapport
 * function and need no handler of their own (as Redis's command table
 * drives thin commands over one generic).  The path id is path parameter 0;
 * a bad or unknown one is 404 naming the resource (the path segment before
 * it, singular: "/api/v1/customers/{id}" is a customer).
 */
typedef enum rp_shape {
    RP_SHAPE_CUSTOM = 0, /* .handler does it all */
    RP_SHAPE_PLAIN,      /* .plain(): a singleton such as the charter */
    RP_SHAPE_BODY,       /* .body(body): replace a singleton */
    RP_SHAPE_CREATE,     /* .body(body) → 201 + Location <pattern>/<new id> */
    RP_SHAPE_ID,         /* .by_id(path id) */
    RP_SHAPE_ID_BODY,    /* .by_id_body(path id, body) */
    RP_SHAPE_LIST        /* a page: .paged(page), or .handler with req->page */
} rp_shape;

/* A query parameter a route takes, for the check and for the docs. */
typedef struct rp_param {
    const char *name;    /* "customer_id" */
    const char *type;    /* "id", "text", "time", "true or false", "1-50" */
    const char *meaning; /* a few words, or NULL */
    /* "text" that must be one of these words (the core's own list, the
     * one it checks the parameter with); NULL-terminated, or NULL */
    const char *const *values;
} rp_param;

/* Route flags. */
#define RP_ROUTE_FORM                                                          \
    1u /* takes application/x-www-form-urlencoded too                          \
          (handed to the handler raw, in req->form) */
/*
 * It checks or hashes a password (argon2id: 64 MiB and tens of
 * milliseconds each): the whole request runs on the password threads, not
 * on an HTTP worker (see RP_ROUTE_SLOW for how).  A lane of its own, so
 * that a storm of logins cannot hold up searches and reports, nor they a
 * login, and so that argon2id's memory grows with the password threads.
 */
#define RP_ROUTE_PASSWORD 2u
#define RP_ROUTE_MAIL                                                          \
    4u /* takes a raw email (message/rfc822) up to the mail size limit         \
          instead of JSON (handed to the handler raw, in req->raw) */
/* Takes multipart/form-data too (a form with a file), handed raw in
 * req->form like a form post, with a body up to the help pages' attachment
 * limit plus room for the fields; a body over it reaches the handler with
 * req->too_large set and no form, so the page can say so in words. */
#define RP_ROUTE_UPLOAD 8u
/* A route of the Zendesk-compatible API (/api/v2): credentials are
 * Zendesk's (Basic email/token:API_TOKEN, or Bearer), and errors have
 * Zendesk's shape (rp_zendesk_error).  Its paths may end in ".json". */
#define RP_ROUTE_ZENDESK 16u
/* Takes a CSV file (text/csv) up to RP_MAX_CSV_BYTES instead of JSON,
 * handed to the handler raw in req->raw. */
#define RP_ROUTE_CSV 32u
#define RP_MAX_CSV_BYTES (32 * 1024 * 1024)
/* Its JSON body may be left out (its .request table then says what one
 * may hold); without this a route with a table needs one. */
#define RP_ROUTE_BODY_OPTIONAL 64u
/* Answers 201 when it records something new and 200 when told the same
 * again (a retry from another system): the contract lists both. */
#define RP_ROUTE_RETRY_200 128u
/*
 * Slow work: a search, a report, an export or an import, a run of the
 * scheduler or the outbox, whose time grows with the data or waits on
 * another system.  libmicrohttpd's threads only read the request and send
 * the reply: a place on the slow-work threads' bounded queue is reserved
 * (none left: 503 with Retry-After at once), the connection is suspended,
 * and credentials, checks, the handler and the audit all run on a
 * slow-work thread; the reply goes out when the connection is resumed.
 * Quick requests on the same HTTP worker are served meanwhile.
 */
#define RP_ROUTE_SLOW 256u
/* It commits in steps before its outcome is known (a login counts the
 * attempt first): the audit log records it once, at its end, with the
 * status it answered, rather than in the transaction of its first commit. */
#define RP_ROUTE_AUDIT_AT_END 512u

typedef struct rp_route {
    const char *method;  /* "GET", "POST", ... */
    const char *pattern; /* "/api/v1/customers/{id}" */
    rp_shape shape;
    rp_handler handler; /* RP_SHAPE_CUSTOM, and RP_SHAPE_LIST with filters */
    rp_plain_fn plain;
    rp_body_fn body;
    rp_by_id_fn by_id;
    /* An RP_SHAPE_ID route whose function can also write its reply as JSON
     * text, the same bytes as by_id's value, without making the value
     * (the 360 view): served this way when set. */
    rp_by_id_text_fn by_id_text;
    rp_by_id_body_fn by_id_body;
    rp_paged_fn paged;
    int status;       /* status of a success; 0: 201 for a create, else 200 */
    rp_access access; /* default (0): RP_ACCESS_AGENT */
    unsigned flags;   /* RP_ROUTE_* */
    /* The query parameters it takes besides limit and cursor (which every
     * RP_SHAPE_LIST route takes), ended by a NULL name; NULL for none.  A
     * list, or a route that declares parameters, refuses any other. */
    const rp_param *params;
    const char *summary; /* one line for `rapportd --routes` and the docs */
    /* For the OpenAPI document (openapi.c): the schema of a success's body
     * by its name in openapi.c's table (for a list, of each item), and the
     * core's field table of the request body: the table the core checks
     * the body with, and http.c too before the route runs, so that no
     * route takes more than its contract says.  Every route that takes a
     * JSON body has one (rp_no_fields when the body must be empty); the
     * contract test fails for one that has none. */
    const char *reply;
    const rp_field *request;
    /* A list's projection: the fields each item shows unless the caller
     * asks for others (?fields=a,b: those and "id") or for all of them
     * (?view=full), so that a page carries what a list shows and not every
     * column of every row.  NULL-terminated; NULL: every field, always. */
    const char *const *projection;
    /* A query parameter that makes a request of this route slow work (a
     * list that searches when given ?q=): with it, the request is served
     * as if the route were RP_ROUTE_SLOW.  NULL: none. */
    const char *slow_with;
} rp_route;

/* "public", "agent", "lead", "admin" or "mail". */
const char *rp_access_name(rp_access a);

/* "custom", "plain", "body", "create", "id", "id+body" or "list". */
const char *rp_shape_name(rp_shape s);

/* The route table (routes.c), ended by an entry with a NULL method. */
extern const rp_route rp_routes[];

/*
 * Print the route table as the markdown table docs/api.md holds (method,
 * path, access, shape, query parameters, summary); `rapportd --routes`.
 */
void rp_routes_print(FILE *out);

/*
 * The OpenAPI 3.1 document of /api/v1 (openapi.c), made from the route
 * table, the entity catalogue and the core's field tables; NULL (and the
 * reason on standard error) when a route names a schema that does not
 * exist.  rp_openapi_print writes it as `rapportd --openapi` prints it
 * (docs/openapi.json); 0 on success.
 */
json_t *rp_openapi_document(void);
int rp_openapi_print(FILE *out);

/* 1 when the schema named reply (openapi.c's table) has the field name,
 * 0 when not; what ?fields= of a list is checked against. */
int rp_openapi_has_field(const char *reply, const char *name);

/* Reply with status and a JSON body (stolen). */
void rp_reply_json(rp_response *res, int status, json_t *body);

/* Reply with the error body {"error":{"code","message","field"}}.  A busy
 * database (503) carries Retry-After; the message of an internal failure
 * (which may name a file or a table) is logged, and the client gets only
 * a sentence saying that it failed. */
void rp_reply_error(rp_response *res, const rp_error *err);

/* Reply with a code, field and message built here. */
void rp_reply_fail(rp_response *res, rp_code code, const char *field,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Add a header to the reply.  name and value must outlive the response
 * (string literals); headers past RP_MAX_EXTRA_HEADERS are dropped.
 */
void rp_reply_header(rp_response *res, const char *name, const char *value);

/* 1 when path is under /api/v2, the Zendesk-compatible API. */
int rp_is_zendesk_path(const char *path);

/* Query-string argument, or NULL. */
const char *rp_query_arg(rp_request *req, const char *name);

/* Parse path parameter i as an id; on failure reply 404 and return -1. */
int rp_path_id(rp_request *req, rp_response *res, int i, const char *what,
               int64_t *out);

/*
 * RP_ENOSPACE when the last change a client asked for failed because the
 * disk holding the database is full and none has succeeded since; else
 * RP_OK.  /healthz reports it.
 */
rp_code rp_last_write_fault(void);

/* Reply with rc's error if rc failed, else with status and *body (stolen). */
void rp_reply_result(rp_response *res, rp_code rc, const rp_error *err,
                     int status, json_t *body);

#endif
