/*
 * demo.h - the seed stories as demo data: the fruit seller, Max and the
 * suit, the aspirin, the pharmacist's follow-up, the phone call, the car
 * service and the insurance renewal (docs/design.md), with their profiles
 * and the knowledge articles a desk starts with.
 */
#ifndef RP_DEMO_H
#define RP_DEMO_H

#include <jansson.h>
#include <stdint.h>
#include "core/context.h"

/* ---- demo data (demo.c) -------------------------------------------------- */

/*
 * Load the seed stories of docs/design.md into the store, unless they are
 * already there (then *loaded is 0).  Fills *loaded with the number of
 * customers added.
 */
rp_code rp_demo_load(rp_ctx *ctx, int *loaded, rp_error *err);

/* ---- profiles and catalogue (profiles.c) --------------------------------- */

/*
 * Add the profile part of the seed stories to a store that rp_demo_load
 * just filled: products, Max's preferences, the juice maker's goal, Anna's
 * appointment tomorrow, Jan's renewal in seven days, consents.
 */
rp_code rp_demo_load_profiles(rp_ctx *ctx, rp_error *err);

/*
 * Load the demo queues and knowledge articles (kb_demo.c) unless the
 * knowledge base already has articles; *loaded is the articles added.
 */
rp_code rp_kb_demo_load(struct rp_ctx *ctx, int *loaded, rp_error *err);

#endif
