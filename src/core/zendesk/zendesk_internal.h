/*
 * zendesk_internal.h - what the files of the Zendesk-compatible subsystem
 * share: the shapes of a ticket and a user, and one way to read a page of
 * any list in either of Zendesk's paging styles.
 */
#ifndef RP_ZENDESK_INTERNAL_H
#define RP_ZENDESK_INTERNAL_H

#include "core/rapport.h"

/*
 * Read a page of entity e filtered by f[0..nf) in id order as page asks,
 * and wrap it as {key: items, "meta": {...}} (cursor style) or {key:
 * items, "count", "has_more", "page"} (offset style), each row turned into
 * its Zendesk shape by shape(ctx, rows) (which replaces rows' items).
 * Rows are of kind (RP_ROWS_ENCOUNTER, RP_ROWS_CUSTOMER): those the
 * reader (ctx->viewer) may not see are left out before the page is cut,
 * and for such a reader "count" is what they may see of the list up to
 * this page (the total would tell what other queues hold).  RP_ROWS_NONE:
 * rows of something the route already checked (a ticket's comments).
 */
typedef rp_code (*rp_zd_shape_fn)(rp_ctx *ctx, json_t *rows, rp_error *err);
rp_code rp_zd_page_of(rp_ctx *ctx, const rp_entity *e, const rp_filter *f,
                      int nf, rp_rows kind, const rp_zendesk_page *page,
                      const char *key, rp_zd_shape_fn shape, json_t **out,
                      rp_error *err);

/* Turn encounter rows into tickets, in place (one query for all the
 * descriptions). */
rp_code rp_zd_tickets_shape(rp_ctx *ctx, json_t *rows, rp_error *err);

/* Turn customer rows into end-users, in place. */
rp_code rp_zd_customers_shape(rp_ctx *ctx, json_t *rows, rp_error *err);

/* An agent row as a Zendesk user (new reference). */
json_t *rp_zd_agent_user(json_t *agent);

/* The customer or agent id a user id names: *customer_id or *agent_id is
 * set (the other 0); RP_ENOTFOUND (field) when it can name neither. */
rp_code rp_zd_user_id(int64_t user_id, const char *field, int64_t *customer_id,
                      int64_t *agent_id, rp_error *err);

/* The user id of an agent id. */
int64_t rp_zd_agent_user_id(int64_t agent_id);

/* The agent whose email address is email (any case): *agent_id, 0 when
 * none. */
rp_code rp_zd_agent_by_email(rp_ctx *ctx, const char *email, int64_t *agent_id,
                             rp_error *err);

/* The store's filters of a ticket status (one of rp_zendesk_statuses):
 * fills f from *nf on, with values owned by keep (an array). */
rp_code rp_zd_status_filters(const char *status, rp_filter *f, int *nf,
                             json_t *keep, rp_error *err);

#endif
