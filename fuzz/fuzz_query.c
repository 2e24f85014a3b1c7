/*
 * fuzz_query.c - query strings: the page (limit and cursor), ids, the
 * window of the measures (from, to, queue, agent) and the filters and
 * searches of the lists, read on a temporary database with the demo data.
 *
 * The input is a query string as it follows the '?' of a URL.  It is
 * split and decoded as libmicrohttpd does for rapportd ('&' between
 * arguments, the first '=' between name and value, '+' a space, %XX
 * through MHD_http_unescape); a query that is not UTF-8 text is refused
 * there, as rapportd refuses it, and each known name is handed to the
 * function that reads it (the reports of the measures only when a window
 * is given: they are the slowest reads).  Beyond the checks of every call
 * (fuzz.h), a read must not write: a list or a search that commits anything
 * fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>

#include "fuzz.h"

#define MAX_ARGS 16

typedef struct args {
    const char *name[MAX_ARGS];
    const char *value[MAX_ARGS];
    int n;
} args;

/* The first value of name, as MHD_lookup_connection_value gives it. */
static const char *arg(const args *a, const char *name)
{
    for (int i = 0; i < a->n; i++)
        if (!strcmp(a->name[i], name))
            return a->value[i];
    return NULL;
}

/* Decode s in place; 0 when it is not text (not UTF-8, or a %00 inside),
 * which rapportd refuses with 400 before any parser sees it (http.c). */
static int decode(char *s)
{
    for (char *p = s; *p; p++)
        if (*p == '+')
            *p = ' ';
    size_t n = MHD_http_unescape(s);
    return strlen(s) == n && rp_utf8_is_valid(s, n);
}

static void check_read(const char *what, rp_code rc, const rp_error *err,
                       json_t *out)
{
    rp_fuzz_check_result(what, rc, err, out);
    json_decref(out);
    if (rp_fuzz_db_reset()) {
        fprintf(stderr, "fuzz: %s changed the database\n", what);
        abort();
    }
}

static void lists(rp_ctx *ctx, const args *a, const rp_page_req *page)
{
    rp_error err;
    json_t *out = NULL;
    rp_code rc;
    rc = rp_customer_list(ctx, arg(a, "q"), page, &out, &err);
    check_read("the customer list", rc, &err, out);

    out = NULL;
    int64_t customer = 0;
    const char *cid = arg(a, "customer_id");
    rc = cid ? rp_parse_id(cid, "customer_id", &customer, &err) : RP_OK;
    if (rc == RP_OK)
        rc = rp_encounter_list(ctx, customer, arg(a, "stage"), page, &out,
                               &err);
    check_read("the encounter list", rc, &err, out);

    out = NULL;
    rc = rp_product_list(ctx, arg(a, "category"), arg(a, "tag"), page, &out,
                         &err);
    check_read("the product list", rc, &err, out);

    out = NULL;
    rc = rp_task_list(ctx, arg(a, "status"), customer, page, &out, &err);
    check_read("the task list", rc, &err, out);

    if (customer) {
        out = NULL;
        rc = rp_moment_list(ctx, customer, page, &out, &err);
        check_read("the moments", rc, &err, out);
    }
}

static void search(rp_ctx *ctx, const args *a)
{
    const char *q = arg(a, "q");
    if (!q)
        return;
    rp_error err;
    json_t *out = NULL;
    rp_code rc = rp_kb_search(ctx, q, 10, &out, &err);
    check_read("the knowledge search", rc, &err, out);
}

static void window(rp_ctx *ctx, const args *a)
{
    if (!arg(a, "from") && !arg(a, "to") && !arg(a, "queue") &&
        !arg(a, "agent"))
        return; /* the reports are slow: only when a window is asked for */
    rp_window w;
    rp_error err;
    rp_code rc = rp_window_parse(arg(a, "from"), arg(a, "to"), arg(a, "queue"),
                                 arg(a, "agent"), &w, &err);
    if (rc) {
        rp_fuzz_check_result("the window", rc, &err, NULL);
        return;
    }
    if (w.from >= w.to)
        abort();
    json_t *out = NULL;
    rc = rp_metrics_service(ctx, &w, &out, &err);
    check_read("the service metrics", rc, &err, out);
    out = NULL;
    rc = rp_charter_breaches(ctx, &w, 50, &out, &err);
    check_read("the charter's breaches", rc, &err, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2048)
        return 0;
    rp_ctx *ctx = rp_fuzz_db();
    char *pieces[MAX_ARGS], *copy;
    int n = rp_fuzz_split(data, size, '&', pieces, MAX_ARGS, &copy);
    args a = {.n = 0};
    for (int i = 0; i < n; i++) {
        char *eq = strchr(pieces[i], '=');
        if (eq)
            *eq++ = '\0';
        if (!decode(pieces[i]) || (eq && !decode(eq))) {
            free(copy);
            return 0; /* refused at the edge */
        }
        if (!*pieces[i])
            continue; /* "?a=1&" leaves an empty name: nothing asked */
        a.name[a.n] = pieces[i];
        a.value[a.n++] = eq ? eq : "";
    }

    rp_page_req page;
    rp_error err;
    rp_code rc = rp_page_req_parse(arg(&a, "limit"), arg(&a, "cursor"), &page,
                                   &err);
    if (rc)
        rp_fuzz_check_result("the page", rc, &err, NULL);
    else if (page.limit < 1 || page.limit > 500 || page.after_id < 0)
        abort();
    else
        lists(ctx, &a, &page);
    search(ctx, &a);
    window(ctx, &a);
    free(copy);
    return 0;
}
