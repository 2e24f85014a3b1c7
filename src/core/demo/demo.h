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

/*
 * Load the seed stories even into a desk that has customers, beside them
 * (`rapport demo --beside`): for the benchmarks, which serve the same demo
 * customers from an empty desk and from a large one.  Once per desk:
 * the stories' phones and emails are one customer's each, so a second call
 * stops with RP_ECONFLICT at the first story that has one (after the
 * walk-in buyer, who has none).  *loaded as rp_demo_load.
 */
rp_code rp_demo_load_beside(rp_ctx *ctx, int *loaded, rp_error *err);

/* ---- profiles and catalogue (profiles.c) --------------------------------- */

/*
 * Add the profile part of the seed stories to the customers rp_demo_load
 * just made (people: each one's full name and id): products, Max's
 * preferences, the juice maker's goal, Anna's appointment tomorrow, Jan's
 * renewal in seven days, consents.  By id, not by a search of names, so
 * a desk's other customers of the same names are left alone.
 */
rp_code rp_demo_load_profiles(rp_ctx *ctx, json_t *people, rp_error *err);

/*
 * Load the demo queues and knowledge articles (kb_demo.c) unless the
 * knowledge base already has articles; *loaded is the articles added.
 */
rp_code rp_kb_demo_load(struct rp_ctx *ctx, int *loaded, rp_error *err);

#endif
