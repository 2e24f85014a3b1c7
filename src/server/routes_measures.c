/*
 * routes_measures.c - the charter's breaches and the service metrics (both
 * over a window given in the query string), and GET /metrics for
 * Prometheus.  Every rule is in librapport (measure.c, charter.c,
 * metrics.c); these handlers only read arguments and reply.  The measures
 * of an encounter, the charter itself and keeping a promise name their
 * librapport function in the table (routes.c).
 */
#include <stdlib.h>

#include "prom.h"
#include "routes.h"

/* Parse from, to, queue and agent; on failure reply and return -1. */
static int window_arg(rp_request *req, rp_response *res, rp_window *w)
{
    rp_error err;
    if (rp_window_parse(rp_query_arg(req, "from"), rp_query_arg(req, "to"),
                        rp_query_arg(req, "queue"), rp_query_arg(req, "agent"),
                        w, &err)) {
        rp_reply_error(res, &err);
        return -1;
    }
    return 0;
}

void rp_h_charter_breaches(rp_request *req, rp_response *res)
{
    rp_window w;
    if (window_arg(req, res, &w))
        return;
    rp_error err;
    json_t *out = NULL;
    int limit = 500;
    const char *l = rp_query_arg(req, "limit");
    if (l) {
        char *end;
        long v = strtol(l, &end, 10);
        limit = *l && !*end && v >= 1 && v <= 1000 ? (int)v : 0;
    }
    rp_code rc = rp_charter_breaches(&req->ctx, &w, limit, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_metrics_service(rp_request *req, rp_response *res)
{
    rp_window w;
    if (window_arg(req, res, &w))
        return;
    rp_error err;
    rp_metrics_options o;
    if (rp_metrics_options_parse(rp_query_arg(req, "by_queue"),
                                 rp_query_arg(req, "series"),
                                 rp_query_arg(req, "tz"),
                                 rp_query_arg(req, "breach_times"), &o, &err)) {
        rp_reply_error(res, &err);
        return;
    }
    json_t *out = NULL;
    rp_code rc = rp_metrics_service_with(&req->ctx, &w, &o, &out, &err);
    rp_reply_result(res, rc, &err, 200, out);
}

void rp_h_prometheus(rp_request *req, rp_response *res)
{
    rp_error err;
    json_t *gauges = NULL;
    if (rp_metrics_gauges(&req->ctx, &gauges, &err)) {
        rp_reply_error(res, &err);
        return;
    }
    char *text;
    size_t len;
    int failed = rp_prom_render(gauges, &text, &len);
    json_decref(gauges);
    if (failed) {
        rp_reply_fail(res, RP_EINTERNAL, NULL,
                      "out of memory rendering metrics");
        return;
    }
    res->status = 200;
    res->text = text;
    res->text_len = len;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
