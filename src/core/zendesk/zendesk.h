/*
 * zendesk.h - the Zendesk-compatible subset of the API (/api/v2): tickets,
 * their comments, users and search, translated onto rapport's own model.
 *
 * Help-desk tooling speaks Zendesk's API; meeting its most used part lets
 * an existing client or script work against rapport by changing its URL.
 * Nothing here is a second desk: a ticket is an encounter, a comment is a
 * message of its conversation, an end-user is a customer and an agent an
 * agent, and every change goes through the same core calls the rest of the
 * API uses (rp_conversation_receive, rp_message_add, the cycle), so a
 * ticket made here has its routing, its clocks and its moments of truth.
 * docs/zendesk.md is the field-by-field mapping; the rules of the mapping
 * live in this subsystem only, and rapportd's handlers just carry the
 * request in and the JSON out.
 *
 * Shapes follow Zendesk: a ticket is {"id", "subject", "description",
 * "status", "priority", "tags", "requester_id", "assignee_id", ...}, lists
 * are {"tickets": [...], "meta": {"has_more", "after_cursor",
 * "before_cursor"}} (the server adds "links", which need its own address),
 * errors are {"error", "description"} or {"error": "RecordInvalid",
 * "description", "details": {field: [{"description"}]}}.
 */
#ifndef RP_ZENDESK_H
#define RP_ZENDESK_H

#include <jansson.h>
#include <stdint.h>
#include "core/context.h"
#include "core/staff/staff.h"

/*
 * Zendesk has one space of user ids for end-users and agents; rapport has
 * customers and agents apart.  A customer keeps its id; an agent is
 * RP_ZENDESK_AGENT_BASE + its id, far above any customer id a desk will
 * reach and well inside the integers JavaScript holds exactly.
 */
#define RP_ZENDESK_AGENT_BASE 1000000000000LL

/* The most items one page of a Zendesk list holds (page[size], per_page). */
#define RP_ZENDESK_PAGE_MAX 100
/* Offset pages reach this many items at most, as Zendesk's own do. */
#define RP_ZENDESK_OFFSET_MAX 10000

/* ---- paging and errors (page.c) ------------------------------------------
 */

/* A page of a Zendesk list: cursor style (page[size], page[after]) or
 * offset style (page, per_page), as the client asked. */
typedef struct rp_zendesk_page {
    int size;         /* items wanted, 1..RP_ZENDESK_PAGE_MAX */
    int64_t after_id; /* cursor style: items after this id; 0: the start */
    int offset_style; /* 1 when the client sent page=N or per_page */
    int64_t number;   /* offset style: the page, from 1 */
} rp_zendesk_page;

/*
 * Read the paging parameters a Zendesk client sends: "page[size]",
 * "page[after]", "page[before]" (refused: rapport pages forward only),
 * "page" and "per_page" (any may be NULL).  Cursor style is the default;
 * a bad value is RP_EMALFORMED naming the parameter.
 */
rp_code rp_zendesk_page_parse(const char *size, const char *after,
                              const char *before, const char *page,
                              const char *per_page, rp_zendesk_page *out,
                              rp_error *err);

/*
 * Zendesk's error body for err, and its HTTP status in *status: 401
 * {"error": "Couldn't authenticate you"}; 404 {"error": "RecordNotFound",
 * "description"}; 422 {"error": "RecordInvalid", "description": "Record
 * validation errors", "details": {field: [{"description", "error"}]}} for
 * input that breaks a rule or a state that refuses it; otherwise {"error":
 * <a Zendesk-style name>, "description"}.  The message of an internal
 * failure is not repeated (it may name a file or a table).
 */
json_t *rp_zendesk_error(const rp_error *err, int *status);

/*
 * Authenticate the Authorization header of a Zendesk client: Basic
 * base64("email/token:API_TOKEN") over rapport's API tokens, where email
 * must be the token's own agent's (any case), or "Bearer API_TOKEN".
 * Passwords (Basic "email:password") are refused: rapport checks
 * passwords only at sign-in.  Fills *p as rp_auth_token does; RP_EAUTH
 * saying why otherwise.
 */
rp_code rp_zendesk_authenticate(rp_ctx *ctx, const char *authorization,
                                rp_principal *p, rp_error *err);

/* ---- tickets (ticket.c) -------------------------------------------------- */

/* The Zendesk statuses, in Zendesk's order, NULL-terminated. */
extern const char *const rp_zendesk_statuses[];
/* The priorities, NULL-terminated: low, normal, high, urgent. */
extern const char *const rp_zendesk_priorities[];

/*
 * The Zendesk status of an encounter as the store returns it: "new"
 * (received, not yet acknowledged), "open" (acknowledged, in the cycle),
 * "pending" or "hold" (in the cycle and waiting on the customer or on a
 * third party), "solved" (kept: resolved, being kept), "closed" (closed
 * or abandoned).  Static.
 */
const char *rp_zendesk_status_of(json_t *encounter);

/*
 * The ticket with this id as Zendesk shows it ({"ticket": {...}}), or
 * RP_ENOTFOUND.
 */
rp_code rp_zendesk_ticket_get(rp_ctx *ctx, int64_t id, json_t **out,
                              rp_error *err);

/*
 * Make a ticket from in: {"ticket": {"subject", "comment": {"body"}
 * (required), "requester": {"email", "name"} or "requester_id" (an
 * end-user with an email address), "priority", "tags", "status",
 * "assignee_id"}}.  The comment is the customer's first message, taken in
 * through rp_conversation_receive on the web channel, so the requester is
 * found by email address or made a customer on the fly, and the
 * encounter is opened and routed as any request is; then priority, tags,
 * assignee and status are applied as rp_zendesk_ticket_update applies
 * them.  Every field is checked before anything changes.  *out is
 * {"ticket": {...}}.
 */
rp_code rp_zendesk_ticket_create(rp_ctx *ctx, json_t *in, json_t **out,
                                 rp_error *err);

/*
 * Change ticket id from in: {"ticket": {"status", "priority", "tags",
 * "assignee_id", "subject", "comment": {"body", "public"}}}.  A public
 * comment is a reply to the customer through the conversation's outbox,
 * a private one an internal note (rp_message_add), written before the
 * status changes.  Status moves the encounter along the cycle (docs/
 * zendesk.md): open acknowledges, pending and hold acknowledge and say
 * whom it waits on, solved moves it to kept and closed closes it, each
 * step through rp_encounter_advance, which records its moment; what the
 * cycle asks for and a Zendesk client never records (the facts, an
 * agreement, a satisfaction check) is filled in saying that the ticket was
 * solved from a Zendesk client.  A ticket cannot go back to new, nor out
 * of solved or closed: RP_ECONFLICT naming "status".  *out is
 * {"ticket": {...}}.
 */
rp_code rp_zendesk_ticket_update(rp_ctx *ctx, int64_t id, json_t *in,
                                 json_t **out, rp_error *err);

/*
 * A page of tickets in id order, {"tickets": [...], "meta": {...}} (or
 * "next_page"-style fields in offset style: "count" and "has_more"),
 * filtered by requester (customer id, 0: any).
 */
rp_code rp_zendesk_ticket_list(rp_ctx *ctx, int64_t requester_id,
                               const rp_zendesk_page *page, json_t **out,
                               rp_error *err);

/*
 * The comments of ticket id, oldest first: {"comments": [{"id", "type":
 * "Comment", "author_id", "body", "plain_body", "public", "created_at",
 * "attachments"}], "meta": {...}}.
 */
rp_code rp_zendesk_comment_list(rp_ctx *ctx, int64_t id,
                                const rp_zendesk_page *page, json_t **out,
                                rp_error *err);

/* ---- users (user.c) ------------------------------------------------------ */

/*
 * Make an end-user (a customer) from in: {"user": {"name" (required),
 * "email", "phone", "notes"}}; "role" may only be "end-user".  An email
 * address another customer has is RP_ECONFLICT naming "email".  *out is
 * {"user": {...}}.
 */
rp_code rp_zendesk_user_create(rp_ctx *ctx, json_t *in, json_t **out,
                               rp_error *err);

/* The user with this id (a customer, or an agent above
 * RP_ZENDESK_AGENT_BASE) as {"user": {...}}, or RP_ENOTFOUND. */
rp_code rp_zendesk_user_get(rp_ctx *ctx, int64_t id, json_t **out,
                            rp_error *err);

/*
 * Users found by query: an email address (or "email:ADDRESS") finds the
 * customer and the agent who have it, any other text the customers whose
 * name or email holds it.  {"users": [...], "meta": {...}}.
 */
rp_code rp_zendesk_user_search(rp_ctx *ctx, const char *query,
                               const rp_zendesk_page *page, json_t **out,
                               rp_error *err);

/* The tickets user id asked for (an end-user's encounters), as
 * rp_zendesk_ticket_list; an agent has none. */
rp_code rp_zendesk_user_requested(rp_ctx *ctx, int64_t id,
                                  const rp_zendesk_page *page, json_t **out,
                                  rp_error *err);

/* ---- search (search.c) --------------------------------------------------- */

/*
 * Zendesk's search: query is words and "key:value" terms.  Tickets (the
 * default, or "type:ticket") are filtered by "status:", "requester:" (an
 * email address, or a user id), "assignee:" (an email address, a user id,
 * or "none"), "priority:", "tags:" and plain words found in the subject;
 * "type:user" finds users as rp_zendesk_user_search does.  A key rapport
 * does not support is RP_EINVALID naming it.  *out is {"results": [...
 * each with "result_type"], "count", "has_more"}; pages are offset style.
 */
rp_code rp_zendesk_search(rp_ctx *ctx, const char *query,
                          const rp_zendesk_page *page, json_t **out,
                          rp_error *err);

#endif
