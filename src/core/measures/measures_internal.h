/*
 * measures_internal.h - what charter.c and metrics.c share and nobody
 * else needs: the window as JSON and the breach counts of a window.
 */
#ifndef RP_MEASURES_INTERNAL_H
#define RP_MEASURES_INTERNAL_H

#include "core/rapport.h"

/* {"from", "to", "queue_id", "agent_id"} of w (new object). */
json_t *rp_window_json(const rp_window *w);

/* Breaches of charter c in w at time now, by target (every target
 * present, new object in *counts), and their sum in *total. */
rp_code rp_charter_breach_counts(rp_ctx *ctx, const rp_window *w,
                                 const rp_charter *c, int64_t now,
                                 json_t **counts, int64_t *total,
                                 rp_error *err);

#endif
