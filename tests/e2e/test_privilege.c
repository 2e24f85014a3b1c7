/*
 * test_privilege.c - least privilege, walked over the WHOLE route table
 * (`rapportd --routes`, so a new route is walked without being added
 * here):
 *
 *   - every route's resource is one rapport knows (a route added without
 *     being classified is printed UNCLASSIFIED, and refused: this fails);
 *   - a read-only token is refused (403) on every write and let through
 *     on every read;
 *   - a token scoped to another resource is refused on every route, one
 *     scoped to the route's own resource is not;
 *   - on every route whose path id names a customer's rows, a token
 *     limited to queue A and an agent of no queue are refused a row of
 *     restricted queue B, while an agent of B, a token limited to B and an
 *     admin are not; lists leave B's rows out for those who may not see
 *     them; a body naming B's customer is refused;
 *   - an agent sees the customers of their queues and of open queues, a
 *     lead the work of their queues' agents, an admin everything (a table
 *     of who sees what);
 *   - the figures (service metrics), the Zendesk-compatible API's lists
 *     and searches, and customers' requests for their data show an agent
 *     and a token limited to a queue nothing of another queue.
 *
 * Real rapportd, real CLI; the tokens are made with `rapport token add
 * --scope ... --queue ...` as an operator would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

typedef struct route {
    char method[16], pattern[200], access[16], rows[64];
} route;

static route routes[200];
static int nroutes;

/* "| GET | `/api/v1/customers` | agent | list | ... | customers: customer |" */
static void load_routes(void)
{
    FILE *p = popen(RAPPORTD_PATH " --routes", "r");
    assert_non_null(p);
    char line[1200];
    while (nroutes < 200 && fgets(line, sizeof line, p)) {
        route *r = &routes[nroutes];
        if (sscanf(line, "| %15s | `%199[^`]` | %15[a-z]", r->method,
                   r->pattern, r->access) != 3)
            continue;
        /* the last cell: "customers: customer", "public" or
         * "UNCLASSIFIED name", kept as "customers customer" */
        char *end = strrchr(line, '|');
        assert_non_null(end);
        *end = '\0';
        char *cell = strrchr(line, '|');
        assert_non_null(cell);
        snprintf(r->rows, sizeof r->rows, "%s", cell + 2);
        for (char *c = r->rows; *c; c++)
            if (*c == ':')
                *c = ' ';
        nroutes++;
    }
    assert_int_equal(pclose(p), 0);
    assert_true(nroutes > 50);
}

/* The resource of r ("customers") and the kind of row its path id names
 * ("customer", "none"). */
static void resource_of(const route *r, char *res, size_t n, char *kind,
                        size_t kn)
{
    char a[64] = "", b[32] = "";
    sscanf(r->rows, "%63s %31s", a, b);
    snprintf(res, n, "%s", a);
    snprintf(kind, kn, "%s", b);
}

static long long new_id(json_t *j)
{
    long long id = (long long)json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    assert_true(id > 0);
    return id;
}

/* A token through the CLI: rapport token add --agent ID --name N args... */
static void token(rp_srv *s, long long agent, char *out, size_t n,
                  const char *a1, const char *a2, const char *a3,
                  const char *a4)
{
    char id[32], *text = NULL;
    snprintf(id, sizeof id, "%lld", agent);
    const char *argv[12] = {"token", "add", "--agent", id, "--name", "scoped"};
    int k = 6;
    const char *extra[] = {a1, a2, a3, a4};
    for (int i = 0; i < 4 && extra[i]; i++)
        argv[k++] = extra[i];
    int rc = rp_cli(s, &text, argv[0], argv[1], argv[2], argv[3], argv[4],
                    argv[5], argv[6], argv[7], argv[8], argv[9], argv[10]);
    if (rc)
        fprintf(stderr, "privilege: token add failed: %s\n", text);
    assert_int_equal(rc, 0);
    size_t tl = strcspn(text, "\n");
    assert_true(tl > 10 && tl < n);
    memcpy(out, text, tl);
    out[tl] = '\0';
    free(text);
}

/* Send method path as tok (body "{}" on a write); the status. */
static long send_as(rp_srv *s, const char *tok, const char *method,
                    const char *path, rp_http *h)
{
    char saved[sizeof s->token];
    memcpy(saved, s->token, sizeof saved);
    if (tok != s->token)
        snprintf(s->token, sizeof s->token, "%s", tok);
    int body = !strcmp(method, "POST") || !strcmp(method, "PATCH") ||
               !strcmp(method, "PUT");
    rp_http_send(s, method, path, body ? "application/json" : NULL,
                 body ? "{}" : NULL, body ? 2 : 0, NULL, h);
    memcpy(s->token, saved, sizeof saved);
    return h->status;
}

static int refused(rp_http *h, const char *text)
{
    const char *msg = json_string_value(
        json_object_get(json_object_get(h->json, "error"), "message"));
    if (!msg) /* the Zendesk-compatible API's error body */
        msg = json_string_value(json_object_get(h->json, "description"));
    return h->status == 403 && msg && (!text || strstr(msg, text));
}

static void expect(int ok, const route *r, const char *who, rp_http *h,
                   const char *what)
{
    if (!ok)
        fprintf(stderr, "privilege: %s %s as %s: got %ld %s, expected %s\n",
                r->method, r->pattern, who, h->status, h->body, what);
    assert_true(ok);
}

/* pattern with its first {param} as first and any other as 999999. */
static void concrete(const char *pattern, long long first, char *out, size_t n)
{
    size_t o = 0;
    int k = 0;
    for (const char *p = pattern; *p && o + 24 < n;) {
        if (*p == '{') {
            o += (size_t)snprintf(out + o, n - o, "%lld",
                                  k++ == 0 ? first : 999999LL);
            p = strchr(p, '}') + 1;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
}

typedef struct desk {
    long long qa, qb, qo;             /* restricted A and B, open O */
    long long agent_a, agent_b, lead; /* members of A, of B, lead of A */
    long long agent_x;                /* of no queue */
    char tok_a[160], tok_b[160], tok_lead[160], tok_x[160];
    char tok_read[160], tok_qa[160], tok_qb[160];
    long long ca, cb, co, cn, cw; /* customers of A, B, O, none; B by A */
    long long ea, eb, ew;         /* encounters */
    long long ma, mb;             /* notes */
    long long ta, tb;             /* follow-up tasks */
    long long pa, pb;             /* promises */
    long long xa, xb;             /* export requests of A's and B's customers */
} desk;

static long long agent_with_skill(rp_srv *s, const char *role,
                                  const char *skill, char *tok, size_t n)
{
    long long id = rp_srv_agent_for(s, role, tok, n);
    char path[64], body[120];
    snprintf(path, sizeof path, "/api/v1/agents/%lld", id);
    snprintf(body, sizeof body, "{\"skills\":[\"%s\"]}", skill);
    json_decref(rp_callf(s, "PATCH", path, 200, body));
    return id;
}

static long long open_encounter(rp_srv *s, long long customer,
                                const char *channel, long long want_queue)
{
    char body[160];
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"%s\",\"subject\":\"S\"}",
             customer, channel);
    json_t *e = rp_callf(s, "POST", "/api/v1/encounters", 201, body);
    assert_int_equal(json_integer_value(json_object_get(e, "queue_id")),
                     want_queue);
    return new_id(e);
}

static long long customer(rp_srv *s, const char *name, const char *email)
{
    char body[200];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"emails\":[\"%s\"]}", name,
             email);
    return new_id(rp_callf(s, "POST", "/api/v1/customers", 201, body));
}

/* The customer with this email asks for their data from the page of a
 * help request, as a customer does; the id of their pending request. */
static long long ask_for_data(rp_srv *s, const char *email)
{
    char body[300], path[128];
    snprintf(body, sizeof body,
             "name=Someone&email=%s&subject=My+data&message=Send+me+my+data"
             "&website=",
             email);
    rp_http h;
    rp_http_send(s, "POST", "/help", "application/x-www-form-urlencoded", body,
                 strlen(body), NULL, &h);
    assert_int_equal(h.status, 201);
    const char *p = strstr(h.body, "/help/r/");
    assert_non_null(p);
    snprintf(path, sizeof path, "/help/r/%.64s/export", p + 8);
    rp_http_free(&h);
    rp_http_send(s, "POST", path, "application/x-www-form-urlencoded", "", 0,
                 NULL, &h);
    assert_int_equal(h.status, 303);
    rp_http_free(&h);
    json_t *list = rp_call(s, "GET", "/api/v1/export_requests?limit=1", NULL,
                           200);
    json_t *first = json_array_get(json_object_get(list, "items"), 0);
    long long id = (long long)json_integer_value(json_object_get(first, "id"));
    json_decref(list);
    assert_true(id > 0);
    return id;
}

/* A note, a follow-up task and a promise on encounter e. */
static void records(rp_srv *s, long long e, long long *m, long long *t,
                    long long *p)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/messages", e);
    *m = new_id(
        rp_callf(s, "POST", path, 201, "{\"kind\":\"note\",\"body\":\"n\"}"));
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/promises", e);
    *p = new_id(rp_callf(s, "POST", path, 201,
                         "{\"what\":\"call back\",\"due_at\":"
                         "\"2030-01-01T00:00:00Z\"}"));
    snprintf(path, sizeof path, "/api/v1/tasks?customer_id=%lld", 0LL);
    (void)path;
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/follow_ups", e);
    json_t *f = rp_callf(s, "POST", path, 201,
                         "{\"due_at\":\"2030-01-02T00:00:00Z\","
                         "\"subject\":\"check\"}");
    json_t *tid = json_object_get(f, "task_id");
    if (!json_is_integer(tid))
        tid = json_object_get(f, "id");
    *t = (long long)json_integer_value(tid);
    json_decref(f);
    assert_true(*t > 0);
}

static void build_desk(rp_srv *s, desk *d)
{
    d->qa = new_id(rp_callf(s, "POST", "/api/v1/queues", 201,
                            "{\"name\":\"Alpha\",\"skills\":[\"alpha\"],"
                            "\"channels\":[\"phone\"]}"));
    d->qb = new_id(rp_callf(s, "POST", "/api/v1/queues", 201,
                            "{\"name\":\"Bravo\",\"skills\":[\"bravo\"],"
                            "\"channels\":[\"email\"]}"));
    d->qo = new_id(rp_callf(s, "POST", "/api/v1/queues", 201,
                            "{\"name\":\"Open\",\"skills\":[\"open\"],"
                            "\"channels\":[\"chat\"]}"));
    d->agent_a = agent_with_skill(s, "agent", "alpha", d->tok_a,
                                  sizeof d->tok_a);
    d->agent_b = agent_with_skill(s, "agent", "bravo", d->tok_b,
                                  sizeof d->tok_b);
    d->lead = agent_with_skill(s, "lead", "nothing", d->tok_lead,
                               sizeof d->tok_lead);
    d->agent_x = agent_with_skill(s, "agent", "open", d->tok_x,
                                  sizeof d->tok_x);
    /* restricted A (agent A and the lead) and B (agent B), through the CLI
     * and the API */
    char qa[32], qb[32], ida[32], idl[32], idb[32], *out = NULL;
    snprintf(qa, sizeof qa, "%lld", d->qa);
    snprintf(qb, sizeof qb, "%lld", d->qb);
    snprintf(ida, sizeof ida, "%lld", d->agent_a);
    snprintf(idl, sizeof idl, "%lld", d->lead);
    snprintf(idb, sizeof idb, "%lld", d->agent_b);
    assert_int_equal(rp_cli(s, &out, "queue", "access", qa, "--restricted",
                            "yes", "--member", ida, "--member", idl, NULL),
                     0);
    free(out);
    char path[64], body[80];
    snprintf(path, sizeof path, "/api/v1/queues/%lld/access", d->qb);
    snprintf(body, sizeof body, "{\"restricted\":true,\"members\":[%lld]}",
             d->agent_b);
    json_t *acc = rp_callf(s, "PUT", path, 200, body);
    assert_true(json_is_true(json_object_get(acc, "restricted")));
    json_decref(acc);

    d->ca = customer(s, "Alma Alpha", "alma@example.com");
    d->cb = customer(s, "Bruno Bravo", "bruno@example.com");
    d->co = customer(s, "Olga Open", "olga@example.com");
    d->cn = customer(s, "Nina None", "nina@example.com");
    d->cw = customer(s, "Walter Work", "walter@example.com");
    d->ea = open_encounter(s, d->ca, "phone", d->qa);
    d->eb = open_encounter(s, d->cb, "email", d->qb);
    open_encounter(s, d->co, "chat", d->qo);
    /* queue B's encounter handed to agent A: the lead's agent's work */
    d->ew = open_encounter(s, d->cw, "email", d->qb);
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/transfers", d->ew);
    snprintf(body, sizeof body,
             "{\"reason\":\"knows him\",\"to_agent_id\":%lld}", d->agent_a);
    json_decref(rp_callf(s, "POST", path, 201, body));
    records(s, d->ea, &d->ma, &d->ta, &d->pa);
    records(s, d->eb, &d->mb, &d->tb, &d->pb);
    d->xa = ask_for_data(s, "alma@example.com");
    d->xb = ask_for_data(s, "bruno@example.com");

    /* tokens of the admin: read-only; limited to queue A; to queue B */
    token(s, s->admin_id, d->tok_read, sizeof d->tok_read, "--scope", "read",
          NULL, NULL);
    token(s, s->admin_id, d->tok_qa, sizeof d->tok_qa, "--queue", qa, NULL,
          NULL);
    token(s, s->admin_id, d->tok_qb, sizeof d->tok_qb, "--queue", qb, NULL,
          NULL);
}

/* The id of the row of kind that belongs to queue A or B. */
static long long row_of(const desk *d, const char *kind, int b)
{
    if (!strcmp(kind, "customer"))
        return b ? d->cb : d->ca;
    if (!strcmp(kind, "encounter"))
        return b ? d->eb : d->ea;
    if (!strcmp(kind, "message"))
        return b ? d->mb : d->ma;
    if (!strcmp(kind, "task"))
        return b ? d->tb : d->ta;
    if (!strcmp(kind, "promise"))
        return b ? d->pb : d->pa;
    if (!strcmp(kind, "export_request"))
        return b ? d->xb : d->xa;
    return 0; /* attachments: none in this desk (see the list check) */
}

static const char *const kinds[] = {"none",    "customer",       "encounter",
                                    "message", "attachment",     "task",
                                    "promise", "export_request", NULL};

static void test_every_route(void **state)
{
    (void)state;
    load_routes();
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    desk d;
    memset(&d, 0, sizeof d);
    build_desk(&s, &d);
    char by_resource[40][160], names[40][64], tok_kb[160], tok_products[160];
    int nres = 0;
    token(&s, s.admin_id, tok_kb, sizeof tok_kb, "--scope", "kb", NULL, NULL);
    token(&s, s.admin_id, tok_products, sizeof tok_products, "--scope",
          "products", NULL, NULL);
    rp_http h;
    int walked = 0, row_routes = 0;
    for (int i = 0; i < nroutes; i++) {
        const route *r = &routes[i];
        if (!strcmp(r->access, "public"))
            continue;
        /* classified: a known resource and a known kind of row */
        char res[64], kind[32];
        resource_of(r, res, sizeof res, kind, sizeof kind);
        int known = 0;
        for (int k = 0; kinds[k]; k++)
            known |= strcmp(kinds[k], kind) == 0;
        if (!known || !strcmp(res, "UNCLASSIFIED"))
            fprintf(stderr,
                    "privilege: %s %s is not classified (%s): add its "
                    "resource to rp_resources\n",
                    r->method, r->pattern, r->rows);
        assert_true(known && strcmp(res, "UNCLASSIFIED") != 0);
        if (!strcmp(r->method, "DELETE") &&
            !strcmp(r->pattern, "/api/v1/session"))
            continue; /* ends nothing for a token, but walked by test_auth */
        char path[256];
        long long b_row = row_of(&d, kind, 1), a_row = row_of(&d, kind, 0);
        int has_id = strstr(r->pattern, "{") != NULL;
        concrete(r->pattern, b_row ? b_row : 999999, path, sizeof path);
        int writes = strcmp(r->method, "GET") != 0;

        /* read-only: every write refused, every read let through */
        send_as(&s, d.tok_read, r->method, path, &h);
        if (writes)
            expect(refused(&h, "only read"), r, "a read-only token", &h,
                   "403 this token may only read");
        else
            expect(h.status != 401 && h.status != 403 && h.status < 500, r,
                   "a read-only token", &h, "not refused");
        rp_http_free(&h);

        /* scoped to another resource: refused; to its own: not */
        const char *other = strcmp(res, "kb") ? "kb" : "products";
        const char *scoped_other = strcmp(res, "kb") ? tok_kb : tok_products;
        int slot = -1;
        for (int k = 0; k < nres; k++)
            if (!strcmp(names[k], res))
                slot = k;
        if (slot < 0) {
            assert_true(nres < 40);
            slot = nres++;
            snprintf(names[slot], sizeof names[slot], "%s", res);
            token(&s, s.admin_id, by_resource[slot], sizeof by_resource[slot],
                  "--scope", res, NULL, NULL);
        }
        (void)other;
        send_as(&s, scoped_other, r->method, path, &h);
        expect(refused(&h, "may use only"), r, "a token of another resource",
               &h, "403 this token may use only ...");
        rp_http_free(&h);
        if (!writes) {
            send_as(&s, by_resource[slot], r->method, path, &h);
            expect(h.status != 401 && h.status != 403 && h.status < 500, r,
                   "a token of its own resource", &h, "not refused");
            rp_http_free(&h);
        }

        /* the rows of restricted queue B */
        if (has_id && b_row && strcmp(kind, "none") != 0) {
            row_routes++;
            send_as(&s, d.tok_qa, r->method, path, &h);
            expect(refused(&h, NULL), r, "a token limited to queue A", &h,
                   "403");
            rp_http_free(&h);
            send_as(&s, d.tok_x, r->method, path, &h);
            /* a route for leads or admins refuses an agent for the role
             * first */
            expect(
                refused(&h, strcmp(r->access, "agent") == 0 ? "restricted queue"
                                                            : NULL),
                r, "an agent of no queue", &h, "403 ... restricted queue ...");
            rp_http_free(&h);
            if (!writes) {
                const char *may[] = {d.tok_qb, d.tok_b, s.token};
                const char *who[] = {"a token limited to queue B",
                                     "an agent of queue B", "the admin"};
                for (int k = 0; k < 3; k++) {
                    send_as(&s, may[k], r->method, path, &h);
                    expect(h.status != 401 && h.status != 403 && h.status < 500,
                           r, who[k], &h, "not refused");
                    rp_http_free(&h);
                }
                /* and queue A's row through the token limited to A */
                concrete(r->pattern, a_row, path, sizeof path);
                send_as(&s, d.tok_qa, r->method, path, &h);
                expect(h.status != 401 && h.status != 403 && h.status < 500, r,
                       "a token limited to queue A, on A's row", &h,
                       "not refused");
                rp_http_free(&h);
            }
        }
        walked++;
    }
    assert_true(walked > 50);
    assert_true(row_routes > 30);

    /* a body naming B's customer is refused to those who may not see it */
    char body[120];
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"phone\",\"subject\":\"x\"}",
             d.cb);
    char saved[sizeof s.token];
    memcpy(saved, s.token, sizeof saved);
    snprintf(s.token, sizeof s.token, "%s", d.tok_x);
    rp_http_send(&s, "POST", "/api/v1/encounters", "application/json", body,
                 strlen(body), NULL, &h);
    memcpy(s.token, saved, sizeof saved);
    assert_true(refused(&h, "restricted queue"));
    rp_http_free(&h);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

/* Does the list at path, read as tok, hold the row with this id? */
static int lists(rp_srv *s, const char *tok, const char *path, long long id)
{
    rp_http h;
    send_as(s, tok, "GET", path, &h);
    assert_int_equal(h.status, 200);
    int found = 0;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(h.json, "items"), i, item)
        found |= json_integer_value(json_object_get(item, "id")) == id;
    rp_http_free(&h);
    return found;
}

static int sees(rp_srv *s, const char *tok, const char *what, long long id)
{
    char path[80];
    rp_http h;
    snprintf(path, sizeof path, "/api/v1/%s/%lld", what, id);
    long st = send_as(s, tok, "GET", path, &h);
    if (st != 200 && st != 403)
        fprintf(stderr, "privilege: GET %s: %ld %s\n", path, st, h.body);
    rp_http_free(&h);
    assert_true(st == 200 || st == 403);
    return st == 200;
}

/* One line of who sees what: whether who (their token) sees the row id
 * of what ("customers", "encounters", "messages"), and whether the list of
 * what holds it (only where the test reads the list). */
typedef struct view {
    const char *who, *tok, *what;
    long long id;
    int sees;
    int listed; /* 1: the list is read too, and holds it exactly if seen */
} view;

static void check_views(rp_srv *s, const view *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int saw = sees(s, v[i].tok, v[i].what, v[i].id);
        if (saw != v[i].sees)
            fprintf(stderr, "privilege: %s %s %s %lld\n", v[i].who,
                    v[i].sees ? "should see" : "should not see", v[i].what,
                    v[i].id);
        assert_int_equal(saw, v[i].sees);
        if (!v[i].listed)
            continue;
        char path[80];
        snprintf(path, sizeof path, "/api/v1/%s?limit=100", v[i].what);
        int held = lists(s, v[i].tok, path, v[i].id);
        if (held != v[i].sees)
            fprintf(stderr, "privilege: the %s listed to %s %s %lld\n",
                    v[i].what, v[i].who, v[i].sees ? "lack" : "hold", v[i].id);
        assert_int_equal(held, v[i].sees);
    }
}

static void test_who_sees_what(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    desk d;
    memset(&d, 0, sizeof d);
    build_desk(&s, &d);
    const char *X = "an agent of no queue", *A = "agent A", *B = "agent B",
               *L = "the lead of A", *ADM = "the admin",
               *QA = "a token limited to A";
    const view table[] = {
        /* an agent of no queue: open customers and those with no
         * encounter; not A's, B's, nor the work of A's agents in B */
        {X, d.tok_x, "customers", d.co, 1, 1},
        {X, d.tok_x, "customers", d.cn, 1, 0},
        {X, d.tok_x, "customers", d.ca, 0, 0},
        {X, d.tok_x, "customers", d.cb, 0, 1},
        {X, d.tok_x, "customers", d.cw, 0, 0},
        {X, d.tok_x, "encounters", d.eb, 0, 1},
        /* agent A: A's customers, not B's; and what they handle in B */
        {A, d.tok_a, "customers", d.ca, 1, 1},
        {A, d.tok_a, "customers", d.cb, 0, 1},
        {A, d.tok_a, "customers", d.cw, 1, 0},
        {A, d.tok_a, "encounters", d.ew, 1, 0},
        /* agent B: B's, not A's */
        {B, d.tok_b, "customers", d.cb, 1, 0},
        {B, d.tok_b, "customers", d.ca, 0, 0},
        {B, d.tok_b, "messages", d.mb, 1, 0},
        {B, d.tok_b, "messages", d.ma, 0, 0},
        /* the lead of A: A's, and the work of A's agents in B, not the
         * rest of B */
        {L, d.tok_lead, "customers", d.ca, 1, 0},
        {L, d.tok_lead, "customers", d.cw, 1, 1},
        {L, d.tok_lead, "encounters", d.ew, 1, 0},
        {L, d.tok_lead, "customers", d.cb, 0, 1},
        {L, d.tok_lead, "encounters", d.eb, 0, 0},
        /* the admin: everything */
        {ADM, s.token, "customers", d.cb, 1, 1},
        {ADM, s.token, "encounters", d.eb, 1, 0},
        /* the token limited to A: only A's customers, also not open ones */
        {QA, d.tok_qa, "customers", d.ca, 1, 1},
        {QA, d.tok_qa, "customers", d.cb, 0, 1},
        {QA, d.tok_qa, "customers", d.co, 0, 0},
    };
    check_views(&s, table, sizeof table / sizeof table[0]);
    /* an agent's token limited to a queue they are not in sees nothing
     * of it */
    char tok[160], qb[32];
    snprintf(qb, sizeof qb, "%lld", d.qb);
    token(&s, d.agent_a, tok, sizeof tok, "--queue", qb, NULL, NULL);
    assert_false(sees(&s, tok, "customers", d.cb));
    /* opening queue B lets every agent see its customers */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/queues/%lld/access", d.qb);
    json_decref(rp_callf(&s, "PUT", path, 200, "{\"restricted\":false}"));
    assert_true(sees(&s, d.tok_x, "customers", d.cb));
    assert_true(sees(&s, d.tok_a, "encounters", d.eb));
    /* bad input changes nothing and names the field */
    rp_http h;
    const char *bad_members = "{\"members\":[999999]}";
    rp_http_send(&s, "PUT", path, "application/json", bad_members,
                 strlen(bad_members), NULL, &h);
    rp_assert_error(&h, 422, "invalid", "members");
    rp_http_free(&h);
    const char *bad_scope = "{\"name\":\"t\",\"scopes\":[\"everything\"]}";
    rp_http_send(&s, "POST", "/api/v1/tokens", "application/json", bad_scope,
                 strlen(bad_scope), NULL, &h);
    rp_assert_error(&h, 422, "invalid", "scopes");
    rp_http_free(&h);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

/* GET path as tok: 200, and the reply in *out. */
static json_t *read_as(rp_srv *s, const char *tok, const char *path)
{
    rp_http h;
    send_as(s, tok, "GET", path, &h);
    if (h.status != 200)
        fprintf(stderr, "privilege: GET %s: %ld %s\n", path, h.status, h.body);
    assert_int_equal(h.status, 200);
    json_t *j = json_incref(h.json);
    rp_http_free(&h);
    return j;
}

/* The encounters counted in the service metrics as tok sees them. */
static long long volume(rp_srv *s, const char *tok, const char *query)
{
    char path[120];
    snprintf(path, sizeof path, "/api/v1/metrics/service%s", query);
    json_t *m = read_as(s, tok, path);
    long long n = (long long)json_integer_value(
        json_object_get(json_object_get(m, "volume"), "encounters"));
    json_decref(m);
    return n;
}

/* Does array key of j hold an item with this id? */
static int holds(json_t *j, const char *key, long long id)
{
    size_t i;
    json_t *item;
    int found = 0;
    json_array_foreach(json_object_get(j, key), i, item)
        found |= json_integer_value(json_object_get(item, "id")) == id;
    return found;
}

static void test_figures_tickets_requests(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    desk d;
    memset(&d, 0, sizeof d);
    build_desk(&s, &d);
    /* a customer served by both restricted queues */
    long long cm = customer(&s, "Mia Mixed", "mia@example.com");
    long long ema = open_encounter(&s, cm, "phone", d.qa);
    long long emb = open_encounter(&s, cm, "email", d.qb);
    rp_http h;
    char path[160];

    /* figures: each counts only the queues its reader may see */
    char qa[40], qb[40];
    snprintf(qa, sizeof qa, "?queue=%lld", d.qa);
    snprintf(qb, sizeof qb, "?queue=%lld", d.qb);
    long long all = volume(&s, s.token, ""), in_a = volume(&s, s.token, qa),
              in_b = volume(&s, s.token, qb);
    assert_true(in_a >= 2 && in_b >= 3 && all > in_a + in_b);
    assert_int_equal(volume(&s, d.tok_x, ""), all - in_a - in_b);
    assert_int_equal(volume(&s, d.tok_a, ""), all - in_b);
    assert_int_equal(volume(&s, d.tok_lead, ""), all - in_b);
    assert_int_equal(volume(&s, d.tok_b, ""), all - in_a);
    assert_int_equal(volume(&s, d.tok_qa, ""), in_a);
    assert_int_equal(volume(&s, d.tok_qb, ""), in_b);
    assert_int_equal(volume(&s, d.tok_b, qb), in_b);
    /* another queue's figures are refused, naming the queue */
    const char *figures[] = {"/api/v1/metrics/service",
                             "/api/v1/charter/breaches"};
    const char *not_b[] = {d.tok_a, d.tok_x, d.tok_qa};
    for (int f = 0; f < 2; f++)
        for (int k = 0; k < 3; k++) {
            snprintf(path, sizeof path, "%s%s", figures[f], qb);
            send_as(&s, not_b[k], "GET", path, &h);
            rp_assert_error(&h, 403, "forbidden", "queue");
            rp_http_free(&h);
        }

    /* tickets: the lists, searches and a requester's tickets leave out
     * another queue's, and their counts tell nothing of them */
    json_t *j = read_as(&s, d.tok_a, "/api/v2/search?query=type:ticket");
    assert_true(holds(j, "results", d.ea) && holds(j, "results", ema));
    assert_false(holds(j, "results", d.eb) || holds(j, "results", emb));
    assert_int_equal(json_integer_value(json_object_get(j, "count")),
                     json_array_size(json_object_get(j, "results")));
    json_decref(j);
    j = read_as(&s, d.tok_qb, "/api/v2/search?query=type:ticket");
    assert_true(holds(j, "results", d.eb) && holds(j, "results", emb));
    assert_false(holds(j, "results", d.ea) || holds(j, "results", ema));
    json_decref(j);
    j = read_as(&s, d.tok_x, "/api/v2/tickets.json?per_page=100");
    assert_false(holds(j, "tickets", d.ea) || holds(j, "tickets", d.eb));
    assert_int_equal(json_integer_value(json_object_get(j, "count")),
                     json_array_size(json_object_get(j, "tickets")));
    json_decref(j);
    j = read_as(&s, d.tok_qa, "/api/v2/tickets?page[size]=100");
    assert_true(holds(j, "tickets", d.ea));
    assert_false(holds(j, "tickets", d.eb) || holds(j, "tickets", emb));
    json_decref(j);
    snprintf(path, sizeof path, "/api/v2/users/%lld/tickets/requested", cm);
    const char *mixed[] = {d.tok_a, d.tok_qa, d.tok_b, d.tok_qb, s.token};
    for (int k = 0; k < 5; k++) {
        j = read_as(&s, mixed[k], path);
        int b_side = k == 2 || k == 3, admin = k == 4;
        assert_int_equal(holds(j, "tickets", ema), !b_side || admin);
        assert_int_equal(holds(j, "tickets", emb), b_side || admin);
        json_decref(j);
    }
    j = read_as(&s, d.tok_a, "/api/v2/users/search?query=bruno%40example.com");
    assert_int_equal(json_array_size(json_object_get(j, "users")), 0);
    json_decref(j);
    j = read_as(&s, d.tok_b, "/api/v2/search?query=type:user%20bruno");
    assert_int_equal(json_array_size(json_object_get(j, "results")), 1);
    json_decref(j);
    j = read_as(&s, d.tok_a, "/api/v2/search?query=type:user%20bruno");
    assert_int_equal(json_array_size(json_object_get(j, "results")), 0);
    json_decref(j);

    /* customers' requests for their data: listed and approved only by
     * those who may see the customer */
    const char *R = "/api/v1/export_requests?limit=100";
    assert_true(lists(&s, d.tok_a, R, d.xa));
    assert_false(lists(&s, d.tok_a, R, d.xb));
    assert_false(lists(&s, d.tok_qa, R, d.xb));
    assert_true(lists(&s, d.tok_b, R, d.xb));
    snprintf(path, sizeof path, "/api/v1/export_requests/%lld/approve", d.xb);
    const char *may_not[] = {d.tok_a, d.tok_qa, d.tok_x};
    for (int k = 0; k < 3; k++) {
        send_as(&s, may_not[k], "POST", path, &h);
        assert_true(refused(&h, NULL));
        rp_http_free(&h);
    }
    send_as(&s, d.tok_b, "POST", path, &h);
    assert_int_equal(h.status, 200);
    assert_string_equal(json_string_value(json_object_get(h.json, "status")),
                        "approved");
    rp_http_free(&h);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route),
        cmocka_unit_test(test_who_sees_what),
        cmocka_unit_test(test_figures_tickets_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
