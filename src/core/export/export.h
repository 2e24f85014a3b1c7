/*
 * export.h - everything rapport holds about one customer, for them.
 *
 * The customer has the right to see all of it (the GDPR's access and
 * portability, the CCPA's right to know): their profile, identities,
 * preferences, goals, dates, consents, encounters with their
 * conversations and files, moments of truth, tasks and deliveries,
 * satisfaction answers, relationship levels, recommendations, the links of
 * their help pages, their requests for this export, and who looked at or
 * changed their data (the audit log).  rp_export_customer gathers it as
 * one JSON archive (docs/privacy.md documents its schema, section by
 * section, each named after the table it comes from), and rp_export_html
 * writes the same as a page a person can read.
 *
 * The customer asks for it from their help page; an agent approves (or the
 * desk grants it at once, as configured) and the page then offers the
 * download for a limited time.  Every export, by an agent or downloaded by
 * the customer, is in the audit log.
 */
#ifndef RP_EXPORT_H
#define RP_EXPORT_H

#include <jansson.h>
#include <stdint.h>

#include "core/context.h"

struct rp_ctx;

/* The archive's "format", changed only when the schema changes in a way a
 * reader must know of. */
#define RP_EXPORT_FORMAT "rapport-export/1"

/*
 * The archive of customer_id: {"format", "exported_at", "customer",
 * "identities", "preferences", "goals", "important_dates", "consents",
 * "encounters", "encounter_transfers", "defects", "special_requests",
 * "promises", "messages", "attachments" (each with "data_base64", its
 * content), "moments", "tasks", "satisfaction_checks",
 * "relationship_levels", "offers", "events", "help_links",
 * "export_requests",
 * "audit"}; every section an array of rows in id order, oldest first,
 * keyed by column name, without secrets (the hashes of links).  Records
 * the export in the audit log first (ctx says who asked: an agent, the
 * command line, or the customer through their page).  RP_ENOTFOUND when
 * there is no such customer.
 */
rp_code rp_export_customer(struct rp_ctx *ctx, int64_t customer_id,
                           json_t **out, rp_error *err);

/*
 * The archive as an HTML page a person reads (no script, no outside
 * resource), appended to b: a section per part with a heading in words,
 * times as "1 December 2026 at 22:40 (UTC)", every text escaped.
 */
void rp_export_html(json_t *archive, rp_buf *b);

/* ---- the customer's requests for their data (request.c) ----------------- */

/*
 * The customer of customer_id asks for their data, from the help page of
 * encounter_id.  A request still waiting is not made twice (*out is the
 * waiting one).  With auto_approve it is approved at once, downloadable
 * for link_hours.  *out is the request: {"id", "customer_id",
 * "encounter_id", "status" ("pending", "approved", "declined"),
 * "requested_at", "decided_at", "decided_by", "expires_at"}.  The request
 * is a moment of truth ("export.requested").
 */
rp_code rp_export_request_create(struct rp_ctx *ctx, int64_t customer_id,
                                 int64_t encounter_id, int auto_approve,
                                 int link_hours, json_t **out, rp_error *err);

/*
 * A page of requests, newest first; status ("pending", "approved",
 * "declined") or NULL for all.  Items carry "customer_name".
 */
rp_code rp_export_request_list(struct rp_ctx *ctx, const char *status,
                               const rp_page_req *page, json_t **out,
                               rp_error *err);

/*
 * An agent (ctx->agent_id) approves request id: the customer's page offers
 * the download for link_hours from now.  A request already decided is
 * RP_ECONFLICT.  A moment of truth ("export.approved").
 */
rp_code rp_export_request_approve(struct rp_ctx *ctx, int64_t id,
                                  int link_hours, json_t **out, rp_error *err);

/*
 * The latest request of customer_id as their page shows it, with
 * "downloadable" (approved and not expired); *out is JSON null when there
 * is none.
 */
rp_code rp_export_request_latest(struct rp_ctx *ctx, int64_t customer_id,
                                 json_t **out, rp_error *err);

/*
 * The archive for the customer themself, from their page: only while a
 * request of theirs is approved and not expired (RP_EFORBIDDEN, saying so
 * in words, otherwise).  Recorded in the audit log as an export by the
 * customer, from client_addr.
 */
rp_code rp_export_for_customer(struct rp_ctx *ctx, int64_t customer_id,
                               const char *client_addr, json_t **out,
                               rp_error *err);

#endif
