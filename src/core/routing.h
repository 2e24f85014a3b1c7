/*
 * routing.h - queues (teams) and the routing of new encounters to them.
 *
 * A queue names the skills its work needs and the topics and channels it
 * takes.  A new encounter goes to the queue whose topics hold its topic,
 * else to one that takes its channel, and is offered to the available
 * agent who has every skill of that queue and the fewest open encounters:
 * seed 003's caller should reach someone who can help, at once.
 */
#ifndef RP_ROUTING_H
#define RP_ROUTING_H

#include <jansson.h>
#include <stdint.h>

#include "error.h"
#include "input.h"

struct rp_ctx;

/*
 * Create a queue from in: {"name" (required, unique), "skills", "topics",
 * "channels"} (lists of strings; channels from rp_encounter_channels).
 */
rp_code rp_queue_create(struct rp_ctx *ctx, json_t *in, json_t **out,
                        rp_error *err);

/* The queue with this id, or RP_ENOTFOUND. */
rp_code rp_queue_get(struct rp_ctx *ctx, int64_t id, json_t **out,
                     rp_error *err);

/* A page of queues in id order: {"items", "next_cursor"}. */
rp_code rp_queue_list(struct rp_ctx *ctx, const rp_page_req *page,
                      json_t **out, rp_error *err);

/*
 * Pure choice: among candidates (array of {"id", "skills", "open"}) the one
 * that has every skill in needed (array of strings; empty: anyone) with the
 * fewest open encounters, the lowest id on a tie.  0 when nobody fits.
 */
int64_t rp_routing_pick(json_t *candidates, json_t *needed);

/*
 * Route the encounter with this id: set its queue_id and agent_id and
 * record the moment "encounter.routed".  Does nothing when no queue takes
 * the encounter's topic or channel.  Call INSIDE the transaction that
 * opened the encounter, so that an encounter is never seen unrouted.
 */
rp_code rp_routing_route(struct rp_ctx *ctx, int64_t encounter_id,
                         rp_error *err);

/*
 * For a transfer to queue_id: fill *agent_id with the agent routing would
 * offer it to now (0 when nobody available has the skills).  RP_ENOTFOUND
 * (field "to_queue_id") when there is no such queue.  Call inside the
 * transfer's transaction.
 */
rp_code rp_routing_offer(struct rp_ctx *ctx, int64_t queue_id,
                         int64_t *agent_id, rp_error *err);

#endif
