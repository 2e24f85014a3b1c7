/*
 * test_worklists.c - the work lists and who handles an encounter, through
 * a real rapportd and the real CLI: every filter of GET
 * /api/v1/encounters finds what it should and nothing else, an unknown
 * filter or value is refused naming it, the counts follow the work,
 * taking, assigning and transferring are moments of truth with the right
 * actor and count in the service metrics, and an agent is refused what
 * is a lead's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static long long id_of(json_t *j)
{
    long long id = (long long)json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    return id;
}

static long long get_int(json_t *j, const char *key)
{
    return (long long)json_integer_value(json_object_get(j, key));
}

static long long enc(rp_srv *s, long long customer, const char *channel,
                     const char *subject)
{
    json_t *b = json_pack("{s:I, s:s, s:s}", "customer_id",
                          (json_int_t)customer, "channel", channel, "subject",
                          subject);
    long long id = id_of(rp_call(s, "POST", "/api/v1/encounters", b, 201));
    json_decref(b);
    return id;
}

/* The ids of a list's first page (at most 10), as "1,4,2". */
static void ids_of(rp_srv *s, const char *query, char *out, size_t n)
{
    char path[300];
    snprintf(path, sizeof path, "/api/v1/encounters?%s", query);
    json_t *page = rp_call(s, "GET", path, NULL, 200);
    json_t *items = json_object_get(page, "items"), *v;
    size_t i;
    size_t len = 0;
    out[0] = '\0';
    json_array_foreach(items, i, v)
        len += (size_t)snprintf(out + len, n - len, "%s%lld", i ? "," : "",
                                get_int(v, "id"));
    json_decref(page);
}

#define EXPECT_IDS(s, query, ...)                                              \
    do {                                                                       \
        char got_[200], want_[200];                                            \
        ids_of(s, query, got_, sizeof got_);                                   \
        snprintf(want_, sizeof want_, __VA_ARGS__);                            \
        if (strcmp(got_, want_))                                               \
            fprintf(stderr, "worklists: ?%s gave [%s], wanted [%s]\n", query,  \
                    got_, want_);                                              \
        assert_string_equal(got_, want_);                                      \
    } while (0)

static void refused(rp_srv *s, const char *method, const char *path,
                    const char *body, long status, const char *code,
                    const char *field, const char *words)
{
    rp_http r;
    rp_http_send(s, method, path, body ? "application/json" : NULL, body,
                 body ? strlen(body) : 0, NULL, &r);
    if (r.status != status)
        fprintf(stderr, "worklists: %s %s: %ld %s\n", method, path, r.status,
                r.body);
    rp_assert_error(&r, status, code, field);
    if (words) {
        const char *msg = json_string_value(
            json_object_get(json_object_get(r.json, "error"), "message"));
        if (!msg || !strstr(msg, words))
            fprintf(stderr, "worklists: message %s lacks \"%s\"\n", msg, words);
        assert_non_null(msg);
        assert_non_null(strstr(msg, words));
    }
    rp_http_free(&r);
}

/* The newest moment of kind on customer's ledger (new reference). */
static json_t *moment_of(rp_srv *s, long long customer, const char *kind)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/moments?limit=100",
             customer);
    json_t *page = rp_call(s, "GET", path, NULL, 200), *v, *found = NULL;
    size_t i;
    json_array_foreach(json_object_get(page, "items"), i, v)
        if (!found &&
            !strcmp(json_string_value(json_object_get(v, "kind")), kind))
            found = json_incref(v);
    json_decref(page);
    assert_non_null(found);
    return found;
}

static void as(rp_srv *s, const char *token)
{
    snprintf(s->token, sizeof s->token, "%s", token);
}

static void test_worklists_filters_counts_and_ownership(void **state)
{
    rp_srv *s = *state;
    char admin[160], ann_t[160], bob_t[160], lead_t[160], path[160], body[200];
    snprintf(admin, sizeof admin, "%s", s->token);
    long long ann = rp_srv_agent_for(s, "agent", ann_t, sizeof ann_t);
    long long bob = rp_srv_agent_for(s, "agent", bob_t, sizeof bob_t);
    rp_srv_agent_for(s, "lead", lead_t, sizeof lead_t);
    /* queues whose skills nobody has: the work arrives unassigned */
    long long billing = id_of(
        rp_callf(s, "POST", "/api/v1/queues", 201,
                 "{\"name\":\"Billing\",\"skills\":[\"ledgers\"],"
                 "\"channels\":[\"phone\"]}"));
    long long returns = id_of(
        rp_callf(s, "POST", "/api/v1/queues", 201,
                 "{\"name\":\"Returns\",\"skills\":[\"parcels\"],"
                 "\"channels\":[\"email\"]}"));
    long long ada = id_of(rp_callf(
        s, "POST", "/api/v1/customers", 201,
        "{\"name\":\"Ada Lovelace\",\"emails\":[\"ada@example.com\"]}"));
    long long brian = id_of(rp_callf(s, "POST", "/api/v1/customers", 201,
                                     "{\"name\":\"Brian Kernighan\"}"));
    long long e1 = enc(s, ada, "phone", "Invoice charged twice");
    long long e2 = enc(s, brian, "email", "Broken zipper on the coat");
    long long e3 = enc(s, ada, "chat", "Where is my parcel");
    long long e4 = enc(s, brian, "phone", "Refund for the boots");
    long long e5 = enc(s, brian, "web", "Question about sizes");
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/abandon", e5);
    json_decref(rp_callf(s, "POST", path, 200, "{\"reason\":\"hung up\"}"));
    snprintf(path, sizeof path, "/api/v1/encounters/%lld", e1);
    json_decref(rp_callf(s, "PATCH", path, 200, "{\"kind\":\"how\"}"));
    snprintf(path, sizeof path, "/api/v1/encounters/%lld", e2);
    json_decref(rp_callf(s, "PATCH", path, 200, "{\"exchange\":\"quick\"}"));
    /* Plain SQL, because no endpoint can do this: time passes.  e1 has
     * waited two hours, past the charter's acknowledge target. */
    char sql[400];
    /* and the last activity is told apart by whole minutes, not by which
     * second a loaded machine let each request land in: e4, then e3,
     * then e1 */
    snprintf(sql, sizeof sql,
             "UPDATE encounters SET created_at = created_at - 7200,"
             " arrived_at = arrived_at - 7200 WHERE id = %lld;"
             "UPDATE encounters SET updated_at = %lld"
             " - CASE id WHEN %lld THEN 3000 WHEN %lld THEN 2000"
             " ELSE 1000 END WHERE id IN (%lld, %lld, %lld);",
             e1, (long long)time(NULL), e1, e3, e1, e3, e4);
    assert_int_equal(rp_db_exec(s, sql), 0);

    /* ---- every filter ---- */
    EXPECT_IDS(s, "", "%lld,%lld,%lld,%lld,%lld", e5, e4, e3, e2, e1);
    EXPECT_IDS(s, "state=open", "%lld,%lld,%lld,%lld", e1, e2, e3, e4);
    EXPECT_IDS(s, "state=closed", "%lld", e5);
    EXPECT_IDS(s, "stage=abandoned", "%lld", e5);
    EXPECT_IDS(s, "stage=received&sort=newest", "%lld,%lld,%lld,%lld", e4, e3,
               e2, e1);
    char q[64];
    snprintf(q, sizeof q, "state=open&queue=%lld", billing);
    EXPECT_IDS(s, q, "%lld,%lld", e1, e4);
    snprintf(q, sizeof q, "state=open&queue=%lld", returns);
    EXPECT_IDS(s, q, "%lld", e2);
    EXPECT_IDS(s, "state=open&queue=none", "%lld", e3);
    EXPECT_IDS(s, "state=open&agent=none", "%lld,%lld,%lld,%lld", e1, e2, e3,
               e4);
    EXPECT_IDS(s, "channel=email", "%lld", e2);
    EXPECT_IDS(s, "channel=web", "%lld", e5);
    EXPECT_IDS(s, "kind=how", "%lld", e1);
    EXPECT_IDS(s, "exchange=quick", "%lld", e2);
    EXPECT_IDS(s, "over_target=true", "%lld", e1);
    EXPECT_IDS(s, "q=zipper", "%lld", e2);
    EXPECT_IDS(s, "q=LOVELACE&sort=waiting", "%lld,%lld", e1, e3);
    EXPECT_IDS(s, "q=ada%40example&state=open&sort=newest", "%lld,%lld", e3,
               e1);
    EXPECT_IDS(s, "q=nothing+like+it", "%s", "");
    snprintf(q, sizeof q, "customer_id=%lld", brian);
    EXPECT_IDS(s, q, "%lld,%lld,%lld", e5, e4, e2);
    snprintf(q, sizeof q, "state=open&queue=%lld&channel=phone&kind=how",
             billing);
    EXPECT_IDS(s, q, "%lld", e1);
    /* the last activity first: e2 changes a second later than the rest */
    sleep(2);
    snprintf(path, sizeof path, "/api/v1/encounters/%lld", e2);
    json_decref(rp_callf(s, "PATCH", path, 200, "{\"facts\":\"Zip broke\"}"));
    EXPECT_IDS(s, "state=open&sort=activity", "%lld,%lld,%lld,%lld", e2, e4, e3,
               e1);
    /* pages follow the order without losing or repeating a row */
    assert_int_equal(
        rp_list_count(s, "/api/v1/encounters?state=open&sort=waiting&limit=1"),
        4);
    assert_int_equal(
        rp_list_count(s, "/api/v1/encounters?state=open&sort=activity&limit=1"),
        4);
    assert_int_equal(rp_list_count(s, "/api/v1/encounters?limit=2"), 5);
    assert_int_equal(rp_list_count(s, "/api/v1/encounters?q=Brian&limit=1"), 3);
    /* every row names its customer, queue and owner */
    snprintf(path, sizeof path, "/api/v1/encounters?state=open&queue=%lld",
             returns);
    json_t *page = rp_call(s, "GET", path, NULL, 200);
    json_t *row = json_array_get(json_object_get(page, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(row, "queue_name")),
                        "Returns");
    assert_string_equal(
        json_string_value(json_object_get(row, "customer_name")),
        "Brian Kernighan");
    assert_true(json_is_null(json_object_get(row, "agent_name")));
    json_decref(page);

    /* ---- refusals of filters ---- */
    refused(s, "GET", "/api/v1/encounters?colour=red", NULL, 400, "malformed",
            "colour", "colour");
    refused(s, "GET", "/api/v1/encounters?agent=someone", NULL, 422, "invalid",
            "agent", NULL);
    refused(s, "GET", "/api/v1/encounters?queue=-1", NULL, 422, "invalid",
            "queue", NULL);
    refused(s, "GET", "/api/v1/encounters?state=half", NULL, 422, "invalid",
            "state", NULL);
    refused(s, "GET", "/api/v1/encounters?kind=why", NULL, 422, "invalid",
            "kind", NULL);
    refused(s, "GET", "/api/v1/encounters?over_target=maybe", NULL, 422,
            "invalid", "over_target", NULL);
    refused(s, "GET", "/api/v1/encounters?q=ab", NULL, 422, "invalid", "q",
            "three");
    refused(s, "GET", "/api/v1/encounters?state=closed&sort=waiting", NULL, 422,
            "invalid", "sort", NULL);
    refused(s, "GET", "/api/v1/encounters?stage=closed&state=open", NULL, 422,
            "invalid", "stage", NULL);

    /* ---- counts, as Ann sees them ---- */
    as(s, ann_t);
    json_t *c = rp_call(s, "GET", "/api/v1/encounters/counts", NULL, 200);
    assert_int_equal(get_int(c, "open"), 4);
    assert_int_equal(get_int(c, "unassigned"), 4);
    assert_int_equal(get_int(c, "mine"), 0);
    assert_int_equal(get_int(c, "over_target"), 1);
    assert_int_equal(get_int(c, "closed_recently"), 1);
    json_t *qv;
    size_t qi;
    int seen_billing = 0;
    json_array_foreach(json_object_get(c, "queues"), qi, qv)
        if (get_int(qv, "queue_id") == billing) {
            seen_billing = 1;
            assert_int_equal(get_int(qv, "open"), 2);
            assert_int_equal(get_int(qv, "unassigned"), 2);
            assert_int_equal(get_int(qv, "over_target"), 1);
        }
    assert_true(seen_billing);
    char changed[64];
    snprintf(changed, sizeof changed, "%s",
             json_string_value(json_object_get(c, "changed")));
    json_decref(c);

    /* ---- Ann takes e1: hers, a moment saying so, counted ---- */
    sleep(1); /* the change token has a resolution of a second */
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/take", e1);
    json_t *e = rp_callf(s, "POST", path, 200, "{}");
    assert_int_equal(get_int(e, "agent_id"), ann);
    assert_int_equal(get_int(e, "takes"), 1);
    json_decref(e);
    json_t *m = moment_of(s, ada, "encounter.taken");
    const char *summary = json_string_value(json_object_get(m, "summary"));
    assert_non_null(strstr(summary, "Taken by"));
    json_decref(m);
    /* taking it again changes nothing */
    e = rp_callf(s, "POST", path, 200, "{}");
    assert_int_equal(get_int(e, "takes"), 1);
    json_decref(e);
    EXPECT_IDS(s, "state=open&agent=me", "%lld", e1);
    c = rp_call(s, "GET", "/api/v1/encounters/counts", NULL, 200);
    assert_int_equal(get_int(c, "mine"), 1);
    assert_int_equal(get_int(c, "unassigned"), 3);
    assert_string_not_equal(json_string_value(json_object_get(c, "changed")),
                            changed);
    json_decref(c);

    /* ---- what an agent may not do ---- */
    as(s, bob_t);
    refused(s, "POST", path, "{}", 403, "forbidden", "agent_id", "ask a lead");
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/assign", e2);
    snprintf(body, sizeof body, "{\"agent_id\":%lld}", ann);
    refused(s, "POST", path, body, 403, "forbidden", "agent_id", "lead");
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/transfers", e3);
    snprintf(body, sizeof body,
             "{\"reason\":\"knows it\",\"to_agent_id\":%lld}", ann);
    refused(s, "POST", path, body, 403, "forbidden", "to_agent_id", NULL);
    /* but Bob may take work for himself, by assigning it to himself */
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/assign", e2);
    snprintf(body, sizeof body, "{\"agent_id\":%lld}", bob);
    e = rp_callf(s, "POST", path, 200, body);
    assert_int_equal(get_int(e, "agent_id"), bob);
    assert_int_equal(get_int(e, "takes"), 1);
    json_decref(e);
    /* a finished encounter is nobody's to take */
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/take", e5);
    refused(s, "POST", path, "{}", 409, "conflict", "stage", NULL);

    /* ---- the lead reassigns e1 from Ann to Bob, with a reason ---- */
    as(s, lead_t);
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/assign", e1);
    refused(s, "POST", path, "{\"agent_id\":99999}", 422, "invalid", "agent_id",
            NULL);
    snprintf(body, sizeof body,
             "{\"agent_id\":%lld,\"reason\":\"Ann is at lunch\"}", bob);
    e = rp_callf(s, "POST", path, 200, body);
    assert_int_equal(get_int(e, "agent_id"), bob);
    assert_int_equal(get_int(e, "assignments"), 1);
    assert_int_equal(get_int(e, "reassignments"), 1);
    json_decref(e);
    m = moment_of(s, ada, "encounter.assigned");
    summary = json_string_value(json_object_get(m, "summary"));
    assert_non_null(strstr(summary, "Assigned to"));
    assert_non_null(strstr(summary, "takes over from"));
    assert_non_null(strstr(summary, "Ann is at lunch"));
    /* the lead did it, and the ledger says so */
    char actor[128];
    const char *who = json_string_value(json_object_get(m, "actor"));
    assert_non_null(who);
    snprintf(actor, sizeof actor, "%s", who);
    json_decref(m);
    m = moment_of(s, ada, "encounter.taken");
    assert_string_not_equal(json_string_value(json_object_get(m, "actor")),
                            actor);
    json_decref(m);

    /* ---- Ann transfers e3 to Returns with a reason ---- */
    as(s, ann_t);
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/transfers", e3);
    snprintf(body, sizeof body,
             "{\"reason\":\"a parcel question\",\"to_queue_id\":%lld}",
             returns);
    json_decref(rp_callf(s, "POST", path, 201, body));
    snprintf(q, sizeof q, "state=open&queue=%lld", returns);
    EXPECT_IDS(s, q, "%lld,%lld", e2, e3);

    /* ---- the CLI: take, assign, list ---- */
    as(s, admin);
    char *out = NULL, id_a[32], id_e[32], id_b[32];
    snprintf(id_a, sizeof id_a, "%lld", ann);
    snprintf(id_b, sizeof id_b, "%lld", bob);
    snprintf(id_e, sizeof id_e, "%lld", e4);
    assert_int_equal(
        rp_cli(s, &out, "encounter", "take", id_e, "--agent", id_a, NULL), 0);
    free(out);
    assert_int_equal(rp_cli(s, &out, "encounter", "assign", id_e, "--agent-id",
                            id_b, "--reason", "Bob knows boots", NULL),
                     0);
    free(out);
    assert_int_equal(rp_cli(s, &out, "encounter", "list", "--state", "open",
                            "--agent", id_b, "--json", NULL),
                     0);
    json_t *listed = json_loads(out, 0, NULL);
    free(out);
    assert_non_null(listed);
    assert_int_equal(json_array_size(json_object_get(listed, "items")), 3);
    json_decref(listed);
    assert_int_equal(
        rp_cli(s, &out, "encounter", "list", "--agent", "nobody", NULL), 3);
    free(out);
    /* one agent's list, longest waiting first, read from that agent's
     * entries of the index (not a walk of all the open work): the same
     * rows in arrival order, and page by page the same three */
    snprintf(q, sizeof q, "state=open&agent=%lld&sort=waiting", bob);
    EXPECT_IDS(s, q, "%lld,%lld,%lld", e1, e2, e4);
    snprintf(path, sizeof path,
             "/api/v1/encounters?state=open&agent=%lld&sort=waiting&limit=1",
             bob);
    assert_int_equal(rp_list_count(s, path), 3);

    /* ---- the measures count who took and gave what ---- */
    json_t *mx = rp_call(s, "GET", "/api/v1/metrics/service", NULL, 200);
    json_t *own = json_object_get(mx, "ownership");
    assert_int_equal(get_int(own, "taken"), 3);    /* Ann e1, Bob e2, CLI e4 */
    assert_int_equal(get_int(own, "assigned"), 2); /* lead e1, CLI e4 */
    assert_int_equal(get_int(own, "reassigned"), 2);
    assert_int_equal(get_int(json_object_get(mx, "transfers"), "total"), 1);
    json_decref(mx);
}

/* rapportd with its scheduler off: the test moves an encounter back in
 * time, and a breach the sweep would record for it at a moment of the
 * loaded machine's choosing is activity that would reorder "last
 * activity". */
static int start_without_scheduler(void **state)
{
    rp_srv *s = calloc(1, sizeof *s);
    assert_non_null(s);
    rp_srv_init(s);
    snprintf(s->extra_env, sizeof s->extra_env, "RAPPORT_SCHEDULER_INTERVAL=0");
    rp_srv_start(s);
    *state = s;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_worklists_filters_counts_and_ownership,
            start_without_scheduler, rp_srv_fixture_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
