/*
 * rapport.h - the public face of librapport, the core library.
 *
 * Every rule of rapport lives behind these functions; the CLI (src/cli) and
 * the HTTP server (src/server) only turn their input into calls here and the
 * results into output.  Functions take an rp_ctx (which store, who is
 * acting), return an rp_code, and on success fill their out-parameters with
 * new references that the caller releases with json_decref().  Input
 * objects are JSON as the API documents them (docs/api.md), so the CLI and the
 * API accept exactly the same things.
 */
#ifndef RAPPORT_H
#define RAPPORT_H

#include <jansson.h>
#include <stdint.h>

#include "../store/store.h"
#include "error.h"
#include "input.h"
#include "timeutil.h"
#include "auth.h"    /* auth: agents, sessions, tokens */
#include "routing.h" /* auth: queues and routing */
#include "kb.h"      /* auth: knowledge base */
#include "measures.h"
#include "cycle.h"

#define RP_VERSION "0.1.0"

/* Who is doing what, with which store.  Cheap to make per request. */
typedef struct rp_ctx {
    rp_store *store;
    const char *actor;  /* recorded on moments: "agent:Ada", "cli", "system" */
    int64_t agent_id;   /* the acting agent, 0 when none */
} rp_ctx;

/* ---- customers (customer.c) ---------------------------------------------- */

/*
 * Create a customer from in: {"name" (required), "preferred_name", "emails",
 * "phones", "notes"}.  Records a moment of truth.  *out is the new customer.
 */
rp_code rp_customer_create(rp_ctx *ctx, json_t *in, json_t **out,
                           rp_error *err);

/* Change the fields present in in (same fields as create; at least one). */
rp_code rp_customer_update(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                           rp_error *err);

/* The customer with this id, or RP_ENOTFOUND. */
rp_code rp_customer_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err);

/*
 * A page of customers in id order, optionally only those whose name,
 * preferred name or email contains q.  *out is {"items", "next_cursor"}.
 */
rp_code rp_customer_list(rp_ctx *ctx, const char *q, const rp_page_req *page,
                         json_t **out, rp_error *err);

/* The number of customers (all of them). */
rp_code rp_customer_count(rp_ctx *ctx, int64_t *count, rp_error *err);

/* ---- encounters (encounter.c) -------------------------------------------- */

/* The channels an encounter can arrive by, NULL-terminated. */
extern const char *const rp_encounter_channels[];
/* The stages of the interaction cycle, NULL-terminated, in order. */
extern const char *const rp_encounter_stages[];

/*
 * Open an encounter from in: {"customer_id", "channel", "subject"} (all
 * required).  It starts at stage "received"; records a moment of truth.
 */
rp_code rp_encounter_open(rp_ctx *ctx, json_t *in, json_t **out,
                          rp_error *err);

/* The encounter with this id, or RP_ENOTFOUND. */
rp_code rp_encounter_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err);

/*
 * A page of encounters, newest first, filtered by customer (0: any) and
 * stage (NULL: any).  *out is {"items", "next_cursor"}.
 */
rp_code rp_encounter_list(rp_ctx *ctx, int64_t customer_id, const char *stage,
                          const rp_page_req *page, json_t **out,
                          rp_error *err);

/* ---- moments of truth (moment.c) ----------------------------------------- */

/* One touch point, as the domain records it. */
typedef struct rp_moment {
    int64_t customer_id;
    int64_t encounter_id;   /* 0 when the moment is not part of an encounter */
    const char *channel;    /* NULL when none */
    const char *kind;       /* "customer.created", "encounter.opened", ... */
    const char *summary;    /* one line a person can read */
    const char *impression; /* "positive", "neutral", "negative" or NULL */
    json_t *detail;         /* borrowed; NULL when none */
} rp_moment;

/*
 * Append a moment to the ledger.  Call inside the transaction of the change
 * it records, so that the change and its moment are kept or lost together.
 */
rp_code rp_moment_record(rp_ctx *ctx, const rp_moment *m, rp_error *err);

/* A page of a customer's moments, newest first; RP_ENOTFOUND if no customer. */
rp_code rp_moment_list(rp_ctx *ctx, int64_t customer_id,
                       const rp_page_req *page, json_t **out, rp_error *err);

/* ---- demo data (demo.c) -------------------------------------------------- */

/*
 * Load the seed stories of DESIGN.md into the store, unless they are already
 * there (then *loaded is 0).  Fills *loaded with the number of customers added.
 */
rp_code rp_demo_load(rp_ctx *ctx, int *loaded, rp_error *err);

#include "future.h" /* looking to the future: preferences .. recommendations */

#endif
