/*
 * prom.h - request counters and latency histograms for GET /metrics
 * (Prometheus text exposition format 0.0.4).
 *
 * http.c calls rp_prom_observe() once per reply with the route PATTERN
 * that served it (never the raw path: a label per customer id would grow
 * without bound and leak ids), the status and the duration.
 */
#ifndef RP_PROM_H
#define RP_PROM_H

#include <jansson.h>

/* Seconds on a monotonic clock, for measuring a request's duration. */
double rp_prom_clock(void);

/*
 * Count one reply.  route is a pattern from the route table, or NULL for a
 * request no route matched (static files, 404, 405, 413); the pointer must
 * live as long as the process (patterns are string literals).
 */
void rp_prom_observe(const char *route, int status, double seconds);

/*
 * Render every metric as exposition text into *text (malloc'd, NUL
 * terminated; caller frees): the request counters and histograms, and the
 * gauges (see rp_metrics_gauges) given in gauges (borrowed; may be NULL).
 * Returns 0, or -1 when out of memory.
 */
int rp_prom_render(json_t *gauges, char **text, size_t *len);

#endif
