/*
 * prom.c - the Prometheus counters of rapportd (see prom.h).
 *
 * A small fixed table keyed by (route pattern, status) under one
 * mutex: a request takes the lock for a few comparisons and additions, far
 * below the cost of its SQLite work, and the table cannot grow because
 * routes are a fixed set and statuses few.  Durations go into a histogram
 * per route with buckets from 1 ms to 5 s, which spans a cached read and a
 * durable write on a slow disk.
 */
#include "prom.h"

#include "base/buf.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_COUNTERS 512
#define MAX_ROUTES 160
#define UNMATCHED "(unmatched)"

static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,   0.25,   0.5,   1.0,  2.5,   5.0};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

typedef struct counter {
    const char *route;
    int status;
    uint64_t n;
} counter;

typedef struct histogram {
    const char *route;
    uint64_t bucket[NBUCKETS]; /* not cumulative; summed when rendered */
    uint64_t count;
    double sum;
} histogram;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static counter counters[MAX_COUNTERS];
static int ncounters;
static histogram histograms[MAX_ROUTES];
static int nhistograms;

double rp_prom_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Two routes with one pattern (GET and PUT) are one series; the compiler
 * may or may not merge their literals, so compare the text when the
 * pointers differ. */
static int same(const char *a, const char *b)
{
    return a == b || strcmp(a, b) == 0;
}

void rp_prom_observe(const char *route, int status, double seconds)
{
    if (!route)
        route = UNMATCHED;
    if (seconds < 0)
        seconds = 0;
    pthread_mutex_lock(&lock);
    int i;
    for (i = 0; i < ncounters; i++)
        if (counters[i].status == status && same(counters[i].route, route))
            break;
    if (i == ncounters && ncounters < MAX_COUNTERS)
        counters[ncounters++] = (counter){route, status, 0};
    if (i < ncounters)
        counters[i].n++;
    for (i = 0; i < nhistograms; i++)
        if (same(histograms[i].route, route))
            break;
    if (i == nhistograms && nhistograms < MAX_ROUTES)
        histograms[nhistograms++] = (histogram){.route = route};
    if (i < nhistograms) {
        histogram *h = &histograms[i];
        size_t b = 0;
        while (b < NBUCKETS && seconds > buckets[b])
            b++;
        if (b < NBUCKETS)
            h->bucket[b]++;
        h->count++;
        h->sum += seconds;
    }
    pthread_mutex_unlock(&lock);
}

/* A label value with \, " and newline escaped as the format requires. */
static void put_label(rp_buf *o, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\')
            rp_buf_puts(o, "\\\\");
        else if (*v == '"')
            rp_buf_printf(o, "\\\"");
        else if (*v == '\n')
            rp_buf_puts(o, "\\n");
        else
            rp_buf_append(o, v, 1);
    }
}

static void put_requests(rp_buf *o)
{
    rp_buf_printf(
        o,
        "# HELP rapport_http_requests_total HTTP requests answered, by route "
        "pattern and status.\n"
        "# TYPE rapport_http_requests_total counter\n");
    for (int i = 0; i < ncounters; i++) {
        rp_buf_printf(o, "rapport_http_requests_total{route=\"");
        put_label(o, counters[i].route);
        rp_buf_printf(o, "\",status=\"%d\"} %llu\n", counters[i].status,
                      (unsigned long long)counters[i].n);
    }
    rp_buf_printf(
        o, "# HELP rapport_http_request_duration_seconds Time from the last "
           "byte of the request to the reply being queued, by route "
           "pattern.\n"
           "# TYPE rapport_http_request_duration_seconds histogram\n");
    for (int i = 0; i < nhistograms; i++) {
        histogram *h = &histograms[i];
        uint64_t cum = 0;
        for (size_t b = 0; b <= NBUCKETS; b++) {
            rp_buf_printf(
                o, "rapport_http_request_duration_seconds_bucket{route=\"");
            put_label(o, h->route);
            if (b < NBUCKETS) {
                cum += h->bucket[b];
                rp_buf_printf(o, "\",le=\"%g\"} %llu\n", buckets[b],
                              (unsigned long long)cum);
            } else {
                rp_buf_printf(o, "\",le=\"+Inf\"} %llu\n",
                              (unsigned long long)h->count);
            }
        }
        rp_buf_printf(o, "rapport_http_request_duration_seconds_sum{route=\"");
        put_label(o, h->route);
        rp_buf_printf(o, "\"} %.6f\n", h->sum);
        rp_buf_printf(o,
                      "rapport_http_request_duration_seconds_count{route=\"");
        put_label(o, h->route);
        rp_buf_printf(o, "\"} %llu\n", (unsigned long long)h->count);
    }
}

static const char *const task_kinds[] = {"follow_up",      "reminder",
                                         "renewal_notice", "satisfaction_check",
                                         "keep_in_touch",  NULL};

/* A gauge by task kind, every kind present (0 when no row names it). */
static void put_task_gauge(rp_buf *o, const char *name, const char *help,
                           json_t *rows)
{
    rp_buf_printf(o, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
    for (int k = 0; task_kinds[k]; k++) {
        long long n = 0;
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
            if (!strcmp(json_string_value(json_object_get(row, "kind")),
                        task_kinds[k]))
                n = json_integer_value(json_object_get(row, "n"));
        rp_buf_printf(o, "%s{kind=\"%s\"} %lld\n", name, task_kinds[k], n);
    }
}

static void put_gauges(rp_buf *o, json_t *g)
{
    rp_buf_printf(o,
                  "# HELP rapport_queue_depth Encounters received and not yet "
                  "acknowledged, by queue (\"none\": not routed).\n"
                  "# TYPE rapport_queue_depth gauge\n");
    json_t *depth = json_object_get(g, "queue_depth");
    size_t i;
    json_t *row;
    int any_unrouted = 0;
    json_array_foreach(depth, i, row) {
        json_t *q = json_object_get(row, "queue_id");
        long long n = json_integer_value(json_object_get(row, "n"));
        if (json_is_integer(q))
            rp_buf_printf(o, "rapport_queue_depth{queue=\"%lld\"} %lld\n",
                          (long long)json_integer_value(q), n);
        else {
            rp_buf_printf(o, "rapport_queue_depth{queue=\"none\"} %lld\n", n);
            any_unrouted = 1;
        }
    }
    if (!any_unrouted)
        rp_buf_printf(o, "rapport_queue_depth{queue=\"none\"} 0\n");
    put_task_gauge(o, "rapport_tasks_due",
                   "Scheduled tasks whose time has come and that are not yet "
                   "sent, by kind.",
                   json_object_get(g, "tasks_due"));
    put_task_gauge(o, "rapport_tasks_failed",
                   "Tasks that failed for good, by kind.",
                   json_object_get(g, "tasks_failed"));
}

int rp_prom_render(json_t *gauges, char **text, size_t *len)
{
    rp_buf o = RP_BUF_INIT;
    if (rp_buf_reserve(&o, 8192))
        return -1;
    pthread_mutex_lock(&lock);
    put_requests(&o);
    pthread_mutex_unlock(&lock);
    if (gauges)
        put_gauges(&o, gauges);
    if (o.failed) {
        free(o.p);
        return -1;
    }
    *text = o.p;
    *len = o.len;
    return 0;
}
