/*
 * routes.c - the table of every endpoint rapportd serves, and its printout.
 *
 * Each entry says what a route is: method and pattern, the shape of the
 * call (see rp_shape in http.h) and the librapport function it names, who
 * may call it, the query parameters it takes and one line saying what it
 * is for.  Most routes have no handler of their own: http.c reads the
 * request, calls the function by its shape and replies.  The few that need
 * real translation (filters, cookies, HTML pages) have a handler in
 * routes_<resource>.c.
 *
 * `rapportd --routes` prints this table as the markdown table of
 * docs/api.md (scripts/gen-api-docs puts it there, and a test fails when
 * they differ), so the reference can never leave a route out.
 */
#include "routes.h"

#include <string.h>

/* Fields left out of an entry are zero: access RP_ACCESS_AGENT (credentials
 * needed, the safe default), no flags, no query parameters. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define PLAIN(fn) .shape = RP_SHAPE_PLAIN, .plain = (fn)
#define BODY(fn) .shape = RP_SHAPE_BODY, .body = (fn)
#define CREATE(fn) .shape = RP_SHAPE_CREATE, .body = (fn)
#define BY_ID(fn) .shape = RP_SHAPE_ID, .by_id = (fn)
#define BY_ID_BODY(fn) .shape = RP_SHAPE_ID_BODY, .by_id_body = (fn)
#define LIST(fn) .shape = RP_SHAPE_LIST, .paged = (fn)
#define LIST_BY(h) .shape = RP_SHAPE_LIST, .handler = (h)
#define CUSTOM(h) .shape = RP_SHAPE_CUSTOM, .handler = (h)

#define PUBLIC .access = RP_ACCESS_PUBLIC
#define LEAD .access = RP_ACCESS_LEAD
#define ADMIN .access = RP_ACCESS_ADMIN

/* The window of the measures (rp_window_parse). */
/* clang-format off */
#define WINDOW_PARAMS                                                        \
    {"from", "time", "start of the window (default: 30 days ago)"},          \
        {"to", "time", "end of the window, excluded (default: now)"},        \
        {"queue", "id", "only encounters routed to this queue"},             \
        {"agent", "id", "only encounters handled by this agent"}
/* clang-format on */

/* What each list shows unless asked for more (?fields=, ?view=full): the
 * fields the console's lists read (web/js/views), so a page of rows is not
 * every column of every row. */
static const char *const customer_listed[] = {"id",
                                              "name",
                                              "preferred_name",
                                              "greeting_name",
                                              "emails",
                                              "phones",
                                              "relationship_level",
                                              "unconfirmed",
                                              "merged_into",
                                              "updated_at",
                                              NULL};
static const char *const encounter_listed[] = {
    "id",         "customer_id",     "subject",
    "channel",    "stage",           "priority",
    "tags",       "topic",           "queue_id",
    "agent_id",   "acknowledged_at", "waiting_on",
    "created_at", "updated_at",      "arrived_at",
    "kind",       "exchange",        "customer_name",
    "queue_name", "agent_name",      "customer_preferred_name",
    NULL};
/* a moment's detail is listed: it carries what the summary says as
 * parameters, from which the console says it in the agent's language */
static const char *const moment_listed[] = {
    "id",    "customer_id", "encounter_id", "occurred_at",
    "kind",  "summary",     "impression",   "channel",
    "actor", "detail",      "erased_at",    NULL};
static const char *const task_listed[] = {
    "id",       "customer_id", "encounter_id",    "kind",
    "channel",  "subject",     "status",          "due_at",
    "attempts", "last_error",  "next_attempt_at", "sent_at",
    "done_at",  NULL};

static const rp_param webhook_delivery_params[] = {
    {"status", "text",
     "only deliveries in this status: queued, sending, "
     "delivered or failed"},
    {NULL, NULL, NULL},
};
static const rp_param customer_params[] = {
    {"q", "text",
     "part of the name, preferred name or email, any case; or a phone "
     "number, typed any way; or a whole email address (its holder)"},
    {NULL, NULL, NULL},
};
static const char *const worklist_states[] = {"open", "closed", "all", NULL};
static const char *const worklist_sorts[] = {"waiting", "activity", "newest",
                                             NULL};
static const rp_param encounter_params[] = {
    {"customer_id", "id", "only this customer's"},
    {"stage", "text", "only encounters at this stage",
     .values = rp_encounter_stages},
    /* the work lists' filters (rp_encounter_worklist) */
    {"state", "text", "open, closed (or abandoned) or all (the default)",
     .values = worklist_states},
    {"queue", "id or none", "only this queue's; none: in no queue"},
    {"agent", "id, me or none",
     "only this agent's; me: the reader's; none: nobody handles them"},
    {"channel", "text", "only those that came by this channel",
     .values = rp_encounter_channels},
    {"kind", "text", "only this kind: what, how or become"},
    {"exchange", "text",
     "only this exchange: quick, supplemental, resolution or formal"},
    {"over_target", "true or false",
     "true: only open encounters past a target of the charter now"},
    {"q", "text",
     "three characters or more of the subject, or of the customer's name "
     "or email"},
    {"sort", "text",
     "waiting (longest first; open lists' default), activity (latest "
     "first; closed lists' default) or newest (the default)",
     .values = worklist_sorts},
    {NULL, NULL, NULL},
};
static const rp_param audit_params[] = {
    {"agent_id", "id", "only what this agent did"},
    {"customer_id", "id", "only what touched this customer's data"},
    {"from", "time", "only from this time"},
    {"to", "time", "only before this time"},
    {"action", "text",
     "only this action: read, change, refused, login, login_failed, logout, "
     "export or erasure",
     .values = rp_audit_actions},
    {NULL, NULL, NULL},
};
static const rp_param export_params[] = {
    {"format", "text", "json (the default), or html: a page to read"},
    {NULL, NULL, NULL},
};
static const rp_param export_request_params[] = {
    {"status", "text", "only requests pending, approved or declined"},
    {NULL, NULL, NULL},
};
static const rp_param kb_search_params[] = {
    {"q", "text",
     "required; any of the words, a word of 3 or more letters also "
     "as a word's start"},
    {"limit", "1-50", "default 10"},
    {NULL, NULL, NULL},
};
static const rp_param breach_params[] = {
    WINDOW_PARAMS,
    {"limit", "1-1000", "default 500"},
    {NULL, NULL, NULL},
};
static const rp_param kb_list_params[] = {
    {"tag", "text", "only articles with this tag"},
    {"state", "draft or published",
     "only drafts (leads and admins) or only "
     "published articles"},
    {NULL, NULL, NULL},
};
static const rp_param service_params[] = {
    WINDOW_PARAMS,
    {"by_queue", "true or false",
     "add the encounters, waits and abandoned of each queue"},
    {"series", "day or week",
     "add the satisfaction and breaches of each day or week (at most 62)"},
    {"tz", "time zone", "where the series' days start (default UTC)"},
    {"breach_times", "true or false",
     "add how far over each target of the charter the breaches went, on "
     "average"},
    {NULL, NULL, NULL},
};
static const rp_param recommend_params[] = {
    {"asked", "true or false", "the customer asked for advice"},
    {NULL, NULL, NULL},
};
static const rp_param product_params[] = {
    {"category", "text", "only this category"},
    {"tag", "text", "only products with this tag"},
    {NULL, NULL, NULL},
};
static const rp_param task_params[] = {
    {"status", "text", "only tasks in this status"},
    {"customer_id", "id", "only this customer's"},
    {NULL, NULL, NULL},
};
static const rp_param followup_params[] = {
    {"scope", "text",
     "mine (my encounters; the default for an agent), queues (the queues I "
     "am a member of) or all"},
    {"due_before", "time", "due before this time (default: now)"},
    {NULL, NULL, NULL},
};
static const rp_param mail_params[] = {
    {"queue", "text", "the queue a new request opens in"},
    {NULL, NULL, NULL},
};
static const rp_param import_params[] = {
    {"dry_run", "true or false", "report what would happen, change nothing"},
    {"map", "text",
     "COLUMN=FIELD pairs separated by ';', for columns not recognised"},
    {NULL, NULL, NULL},
};

/* The Zendesk-compatible API: Zendesk's paging in both its styles. */
/* clang-format off */
#define ZD_PAGE_PARAMS                                                       \
    {"page[size]", "1-100", "cursor paging: items per page (default 100)"},  \
        {"page[after]", "text", "cursor paging: the after_cursor of the "    \
                                "page before"},                              \
        {"page[before]", "text", "refused: pages go forward only"},          \
        {"page", "number", "offset paging: the page, from 1"},               \
        {"per_page", "1-100", "offset paging: items per page"}
/* clang-format on */
static const rp_param zd_page_params[] = {
    ZD_PAGE_PARAMS,
    {NULL, NULL, NULL},
};
static const rp_param zd_query_params[] = {
    {"query", "text",
     "Zendesk's search terms: type, status, requester, assignee, priority, "
     "tags, plain words"},
    ZD_PAGE_PARAMS,
    {NULL, NULL, NULL},
};
#define ZENDESK .flags = RP_ROUTE_ZENDESK
static const rp_param erase_params[] = {
    {"requested_by", "text", "required: on whose request"},
    {"suppress_marketing", "true or false",
     "keep a salted hash of the addresses so no offer reaches them again"},
    {NULL, NULL, NULL},
};

/* The four kinds of what rapport remembers about a customer's future. */
/* clang-format off */
#define PROFILE_ROUTES(kind, what, remove, one, many, add_f, change_f)       \
    {"GET", "/api/v1/customers/{id}/" kind, CUSTOM(rp_h_profile_list),       \
     .summary = "the customer's " what, .reply = many},                      \
        {"POST", "/api/v1/customers/{id}/" kind, CUSTOM(rp_h_profile_add),   \
         .status = 201, .summary = "add one of the customer's " what,        \
         .reply = one, .request = add_f},                                    \
        {"PATCH", "/api/v1/customers/{id}/" kind "/{item}",                  \
         CUSTOM(rp_h_profile_update),                                        \
         .summary = "change one of the customer's " what, .reply = one,      \
         .request = change_f},                                               \
        {"DELETE", "/api/v1/customers/{id}/" kind "/{item}",                 \
         CUSTOM(rp_h_profile_remove), .summary = remove, .reply = "Deleted"}
/* clang-format on */

const rp_route rp_routes[] = {
    {"GET", "/healthz", CUSTOM(rp_h_healthz), PUBLIC,
     .summary = "is the server up, and can it read and write its database"},

    /* customers */
    {"GET", "/api/v1/customers", LIST_BY(rp_h_customer_list),
     .params = customer_params, .summary = "page of customers in id order",
     .reply = "Customer", .projection = customer_listed, .slow_with = "q"},
    {"POST", "/api/v1/customers", CREATE(rp_customer_create),
     .summary = "add a customer", .request = rp_customer_fields,
     .reply = "Customer"},
    {"GET", "/api/v1/customers/{id}", BY_ID(rp_customer_get),
     .summary = "a customer", .reply = "Customer"},
    {"PATCH", "/api/v1/customers/{id}", BY_ID_BODY(rp_customer_update),
     .summary = "change a customer", .request = rp_customer_fields,
     .reply = "Customer"},
    {"GET", "/api/v1/customers/{id}/moments", LIST_BY(rp_h_customer_moments),
     .summary = "the customer's moments of truth, newest first",
     .reply = "Moment", .projection = moment_listed},
    {"GET", "/api/v1/customers/{id}/overview", BY_ID(rp_customer_overview),
     .by_id_text = rp_customer_overview_write,
     .summary = "the customer at a glance", .reply = "CustomerOverview"},

    /* encounters and the interaction cycle */
    {"GET", "/api/v1/encounters", LIST_BY(rp_h_encounter_list),
     .params = encounter_params,
     .summary = "a work list: a page of encounters by the filters, sorted by "
                "waiting time, last activity or newest first",
     .reply = "EncounterInList", .projection = encounter_listed},
    /* before /api/v1/encounters/{id}, which would take "counts" for an id */
    {"GET", "/api/v1/encounters/counts", PLAIN(rp_encounter_worklists),
     .summary = "the counts of the work lists (mine, unassigned, each queue, "
                "all open, closed lately) and a token that moves when an "
                "encounter changes",
     .reply = "WorklistCounts"},
    {"GET", "/api/v1/encounters/assignees", PLAIN(rp_encounter_assignees), LEAD,
     .summary = "the agents an encounter can be given to",
     .reply = "Assignees"},
    {"POST", "/api/v1/encounters", CREATE(rp_encounter_open),
     .request = rp_encounter_open_fields,
     .summary = "open an encounter and route it", .reply = "Encounter"},
    {"GET", "/api/v1/encounters/{id}", CUSTOM(rp_h_encounter_get),
     .summary = "an encounter with its measures",
     .reply = "EncounterWithMeasures"},
    {"PATCH", "/api/v1/encounters/{id}", BY_ID_BODY(rp_encounter_record),
     .request = rp_encounter_record_fields,
     .summary = "record what was learnt in an open encounter",
     .reply = "Encounter"},
    {"POST", "/api/v1/encounters/{id}/acknowledge",
     BY_ID_BODY(rp_encounter_acknowledge), .request = rp_no_fields,
     .flags = RP_ROUTE_BODY_OPTIONAL,
     .summary = "tell the customer they have been seen", .reply = "Encounter"},
    {"POST", "/api/v1/encounters/{id}/advance",
     BY_ID_BODY(rp_encounter_advance), .request = rp_encounter_advance_fields,
     .summary = "move an encounter to its next stage", .reply = "Encounter"},
    {"POST", "/api/v1/encounters/{id}/abandon",
     BY_ID_BODY(rp_encounter_abandon), .request = rp_encounter_abandon_fields,
     .summary = "record that the customer gave up or was cut off",
     .reply = "Encounter"},
    {"POST", "/api/v1/encounters/{id}/defects",
     BY_ID_BODY(rp_encounter_add_defect), .status = 201,
     .request = rp_encounter_defect_fields,
     .summary = "record something that went wrong", .reply = "Defect"},
    {"POST", "/api/v1/encounters/{id}/special_requests",
     BY_ID_BODY(rp_encounter_add_special_request), .status = 201,
     .request = rp_encounter_special_request_fields,
     .summary = "record a special request, granted or declined",
     .reply = "SpecialRequest"},
    {"POST", "/api/v1/encounters/{id}/promises",
     BY_ID_BODY(rp_encounter_add_promise), .status = 201,
     .request = rp_encounter_promise_fields,
     .summary = "promise the customer something by a date", .reply = "Promise"},
    {"POST", "/api/v1/encounters/{id}/transfers",
     BY_ID_BODY(rp_encounter_add_transfer), .status = 201,
     .request = rp_encounter_transfer_fields,
     .summary = "hand an encounter to another queue or agent",
     .reply = "Transfer"},
    {"POST", "/api/v1/encounters/{id}/follow_ups",
     BY_ID_BODY(rp_encounter_add_follow_up), .status = 201,
     .request = rp_encounter_follow_up_fields,
     .summary = "schedule a follow-up task", .reply = "Task"},
    {"POST", "/api/v1/encounters/{id}/satisfaction",
     BY_ID_BODY(rp_encounter_add_satisfaction), .status = 201,
     .request = rp_encounter_satisfaction_fields,
     .summary = "record the customer's satisfaction, or schedule the check",
     .reply = "SatisfactionOrCheck"},
    {"GET", "/api/v1/encounters/{id}/guide", BY_ID(rp_encounter_guide),
     .summary = "what to say and do next in an encounter", .reply = "Guide"},
    {"GET", "/api/v1/encounters/{id}/measures", BY_ID(rp_measure_get),
     .summary = "waiting, response and resolution times of an encounter",
     .reply = "Measures"},
    {"GET", "/api/v1/encounters/{id}/kb_suggestions", BY_ID(rp_kb_suggest),
     .flags = RP_ROUTE_SLOW,
     .summary = "articles that may help with an encounter",
     .reply = "ArticleHits"},
    {"GET", "/api/v1/encounters/{id}/record", BY_ID(rp_encounter_records),
     .summary = "the defects, special requests, promises, transfers and "
                "satisfaction an encounter recorded",
     .reply = "EncounterRecord"},
    {"POST", "/api/v1/tasks/{id}/complete", BY_ID_BODY(rp_task_complete),
     .request = rp_task_complete_fields, .flags = RP_ROUTE_BODY_OPTIONAL,
     .summary = "mark a follow-up or other task done", .reply = "Task"},
    {"POST", "/api/v1/tasks/{id}/move", BY_ID_BODY(rp_task_move),
     .request = rp_task_move_fields,
     .summary = "move a satisfaction check or follow-up to another time",
     .reply = "Task"},

    /* sessions, agents, tokens */
    {"POST", "/api/v1/session", CUSTOM(rp_h_session_create), PUBLIC,
     .flags = RP_ROUTE_PASSWORD | RP_ROUTE_AUDIT_AT_END, .status = 201,
     .request = rp_login_fields, .summary = "sign in with email and password",
     .reply = "Session"},
    {"GET", "/api/v1/session", CUSTOM(rp_h_session_get),
     .summary = "who is signed in", .reply = "Session"},
    {"PATCH", "/api/v1/session", BODY(rp_agent_settings_update),
     .request = rp_agent_settings_fields,
     .summary = "change one's own language and time zone for the console",
     .reply = "Agent"},
    {"DELETE", "/api/v1/session", CUSTOM(rp_h_session_delete),
     .summary = "sign out", .reply = "LoggedOut"},
    {"GET", "/api/v1/agents", LIST(rp_agent_list), ADMIN,
     .summary = "page of agents in id order", .reply = "Agent"},
    {"POST", "/api/v1/agents", CREATE(rp_agent_create), ADMIN,
     .flags = RP_ROUTE_PASSWORD, .request = rp_agent_create_fields,
     .summary = "add an agent", .reply = "Agent"},
    {"PATCH", "/api/v1/agents/{id}", BY_ID_BODY(rp_agent_update), ADMIN,
     .flags = RP_ROUTE_PASSWORD, .request = rp_agent_update_fields,
     .summary = "change an agent", .reply = "Agent"},
    {"GET", "/api/v1/tokens", LIST_BY(rp_h_token_list),
     .summary = "page of API tokens: one's own, or everyone's for an admin",
     .reply = "Token"},
    {"POST", "/api/v1/tokens", CUSTOM(rp_h_token_create), .status = 201,
     .request = rp_token_fields, .summary = "make an API token, shown once",
     .reply = "NewToken"},
    {"DELETE", "/api/v1/tokens/{id}", CUSTOM(rp_h_token_revoke),
     .summary = "revoke an API token", .reply = "RevokedToken"},

    /* queues and the knowledge base */
    {"GET", "/api/v1/queues", LIST(rp_queue_list), .summary = "page of queues",
     .reply = "Queue"},
    {"POST", "/api/v1/queues", CREATE(rp_queue_create), LEAD,
     .request = rp_queue_fields, .summary = "add a queue", .reply = "Queue"},
    {"PATCH", "/api/v1/queues/{id}", BY_ID_BODY(rp_queue_update), LEAD,
     .request = rp_queue_fields,
     .summary = "change a queue's name, skills, topics or channels",
     .reply = "Queue"},
    {"GET", "/api/v1/kb/search", CUSTOM(rp_h_kb_search), .flags = RP_ROUTE_SLOW,
     .params = kb_search_params, .summary = "search the articles, best first",
     .reply = "ArticleHits"},
    {"GET", "/api/v1/kb/articles", LIST_BY(rp_h_kb_article_list),
     .params = kb_list_params,
     .summary = "page of articles (drafts only for leads and admins)",
     .reply = "Article"},
    {"GET", "/api/v1/kb/tags", PLAIN(rp_kb_tags),
     .summary = "the articles' tags and how many articles carry each",
     .reply = "ArticleTags"},
    {"POST", "/api/v1/kb/articles", CREATE(rp_kb_article_create), LEAD,
     .request = rp_kb_article_fields, .summary = "add an article",
     .reply = "Article"},
    {"GET", "/api/v1/kb/articles/{id}", BY_ID(rp_kb_article_get),
     .summary = "an article", .reply = "Article"},
    {"PATCH", "/api/v1/kb/articles/{id}", BY_ID_BODY(rp_kb_article_update),
     .request = rp_kb_article_fields, LEAD, .summary = "change an article",
     .reply = "Article"},
    {"POST", "/api/v1/kb/articles/{id}/feedback", BY_ID_BODY(rp_kb_feedback),
     .request = rp_kb_feedback_fields, .status = 201,
     .summary = "say whether an article helped", .reply = "Article"},

    /* measures: the charter, promises, metrics */
    {"GET", "/api/v1/charter", PLAIN(rp_charter_get),
     .summary = "the service charter's targets", .reply = "Charter"},
    {"PUT", "/api/v1/charter", BODY(rp_charter_update), LEAD,
     .request = rp_charter_fields,
     .summary = "change the service charter's targets", .reply = "Charter"},
    {"GET", "/api/v1/charter/breaches", CUSTOM(rp_h_charter_breaches),
     .flags = RP_ROUTE_SLOW, .params = breach_params,
     .summary = "where the charter was not kept", .reply = "Breaches"},
    {"POST", "/api/v1/promises/{id}/keep", BY_ID(rp_promise_keep),
     .request = rp_no_fields, .flags = RP_ROUTE_BODY_OPTIONAL,
     .summary = "mark a promise kept", .reply = "Promise"},
    {"GET", "/api/v1/metrics/service", CUSTOM(rp_h_metrics_service),
     .flags = RP_ROUTE_SLOW, .params = service_params,
     .summary = "the service metrics of a window", .reply = "ServiceMetrics"},
    {"GET", "/metrics", CUSTOM(rp_h_prometheus),
     .summary = "request counters and gauges for Prometheus"},

    /* a phone system's calls (docs/telephony.md): 201 when told first,
     * 200 when told again */
    {"POST", "/api/v1/telephony/calls", CUSTOM(rp_h_call_arrive),
     .flags = RP_ROUTE_RETRY_200, .status = 201,
     .request = rp_call_arrival_fields,
     .summary = "a call arrived: open its encounter on the phone channel "
                "(a retried call id changes nothing)",
     .reply = "Call"},
    {"GET", "/api/v1/telephony/calls/{call_id}", CUSTOM(rp_h_call_get),
     .summary = "a call with its state, queue wait, hold time and events",
     .reply = "Call"},
    {"POST", "/api/v1/telephony/calls/{call_id}/events",
     CUSTOM(rp_h_call_event), .flags = RP_ROUTE_RETRY_200, .status = 201,
     .request = rp_call_event_fields,
     .summary = "the call was answered, put on hold, resumed, transferred "
                "or hung up (a retried event changes nothing)",
     .reply = "Call"},

    /* what rapport remembers about the customer's future */
    PROFILE_ROUTES("preferences", "preferences",
                   "remove one of the customer's preferences", "Preference",
                   "Preferences", rp_preference_add_fields,
                   rp_preference_change_fields),
    PROFILE_ROUTES("goals", "goals", "remove one of the customer's goals",
                   "Goal", "Goals", rp_goal_fields, rp_goal_fields),
    PROFILE_ROUTES("dates", "important dates",
                   "remove one of the customer's important dates",
                   "ImportantDate", "ImportantDates", rp_date_fields,
                   rp_date_fields),
    PROFILE_ROUTES("consents", "consents",
                   "refused (409): a consent is withdrawn, never removed",
                   "Consent", "Consents", rp_consent_add_fields,
                   rp_consent_change_fields),
    {"GET", "/api/v1/customers/{id}/loyalty", BY_ID(rp_loyalty_for_customer),
     .summary = "the customer's loyalty tier and what it is based on",
     .reply = "Loyalty"},
    {"GET", "/api/v1/customers/{id}/satisfaction",
     CUSTOM(rp_h_customer_satisfaction),
     .summary = "the customer's satisfaction figures",
     .reply = "SatisfactionFigures"},
    {"GET", "/api/v1/customers/{id}/recommendations",
     CUSTOM(rp_h_customer_recommendations), .params = recommend_params,
     .summary = "products to offer the customer, with reasons",
     .reply = "Recommendations"},
    {"POST", "/api/v1/customers/{id}/recommendations/{product}/accept",
     CUSTOM(rp_h_offer_decide), .request = rp_offer_decide_fields,
     .flags = RP_ROUTE_BODY_OPTIONAL,
     .summary = "the customer accepted an offer", .reply = "Offer"},
    {"POST", "/api/v1/customers/{id}/recommendations/{product}/decline",
     CUSTOM(rp_h_offer_decide), .request = rp_offer_decide_fields,
     .flags = RP_ROUTE_BODY_OPTIONAL,
     .summary = "the customer declined an offer", .reply = "Offer"},
    {"POST", "/api/v1/customers/{id}/recommendations/shown",
     BY_ID_BODY(rp_offer_record_shown), .request = rp_offer_shown_fields,
     .summary = "record the products shown to the customer as offers",
     .reply = "OffersShown"},

    /* the catalogue, tasks, the scheduler, loyalty tiers */
    {"GET", "/api/v1/products", LIST_BY(rp_h_product_list),
     .params = product_params, .summary = "page of products",
     .reply = "Product"},
    {"POST", "/api/v1/products", CREATE(rp_product_create), LEAD,
     .request = rp_product_fields, .summary = "add a product",
     .reply = "ProductWithRelated"},
    {"GET", "/api/v1/products/{id}", BY_ID(rp_product_get),
     .summary = "a product with its related products",
     .reply = "ProductWithRelated"},
    {"PATCH", "/api/v1/products/{id}", BY_ID_BODY(rp_product_update), LEAD,
     .request = rp_product_fields, .summary = "change a product",
     .reply = "ProductWithRelated"},
    {"GET", "/api/v1/tasks", LIST_BY(rp_h_task_list), .params = task_params,
     .summary = "page of scheduled, sent, held and failed tasks",
     .reply = "Task", .projection = task_listed},
    {"GET", "/api/v1/tasks/{id}", BY_ID(rp_task_get), .summary = "a task",
     .reply = "Task"},
    {"POST", "/api/v1/tasks/{id}/retry", BY_ID(rp_task_retry),
     .request = rp_no_fields, .flags = RP_ROUTE_BODY_OPTIONAL,
     .summary = "try a held or failed message again", .reply = "Task"},
    {"GET", "/api/v1/followups", LIST_BY(rp_h_followups_due),
     .params = followup_params,
     .summary = "page of follow-ups due and not yet done (mine, my queues' "
                "or all)",
     .reply = "DueFollowUp"},
    {"POST", "/api/v1/scheduler/run", CUSTOM(rp_h_scheduler_run), ADMIN,
     .request = rp_scheduler_run_fields,
     .flags = RP_ROUTE_BODY_OPTIONAL | RP_ROUTE_SLOW,
     .summary = "run the scheduler now, optionally at a given time",
     .reply = "SchedulerRun"},
    {"GET", "/api/v1/loyalty/tiers", PLAIN(rp_loyalty_tiers),
     .summary = "the loyalty tiers, highest first", .reply = "LoyaltyTiers"},
    {"PUT", "/api/v1/loyalty/tiers", BODY(rp_loyalty_set_tiers), ADMIN,
     .request = rp_loyalty_tier_fields, .summary = "replace every loyalty tier",
     .reply = "LoyaltyTiers"},

    /* event webhooks (events before {id}) */
    {"GET", "/api/v1/webhooks", LIST(rp_webhook_list), ADMIN,
     .summary = "page of event webhook subscriptions, without their secrets",
     .reply = "Webhook"},
    {"POST", "/api/v1/webhooks", CREATE(rp_webhook_create), ADMIN,
     .request = rp_webhook_create_fields,
     .summary = "subscribe a URL to events; the secret is shown only here",
     .reply = "NewWebhook"},
    {"GET", "/api/v1/webhooks/events", PLAIN(rp_event_kind_list), ADMIN,
     .summary = "the kinds of event a subscription may ask for",
     .reply = "WebhookEventKinds"},
    {"GET", "/api/v1/webhooks/{id}", BY_ID(rp_webhook_get), ADMIN,
     .summary = "a subscription with its last delivery's status",
     .reply = "Webhook"},
    {"PATCH", "/api/v1/webhooks/{id}", BY_ID_BODY(rp_webhook_update), ADMIN,
     .request = rp_webhook_update_fields,
     .summary = "change a subscription's URL, events, description or "
                "active flag",
     .reply = "Webhook"},
    {"DELETE", "/api/v1/webhooks/{id}", CUSTOM(rp_h_webhook_remove), ADMIN,
     .summary = "remove a subscription and its delivery log",
     .reply = "WebhookRemoved"},
    {"GET", "/api/v1/webhooks/{id}/deliveries",
     LIST_BY(rp_h_webhook_deliveries), ADMIN, .params = webhook_delivery_params,
     .summary = "page of a subscription's deliveries, newest first",
     .reply = "WebhookDelivery"},

    /* the customer's satisfaction pages (style.css before {token}) */
    {"GET", "/s/style.css", CUSTOM(rp_h_satisfaction_css), PUBLIC,
     .summary = "the satisfaction pages' style sheet"},
    {"GET", "/s/{token}", CUSTOM(rp_h_satisfaction_page), PUBLIC,
     .summary = "the customer's satisfaction form (HTML)"},
    {"POST", "/s/{token}", CUSTOM(rp_h_satisfaction_answer), PUBLIC,
     .flags = RP_ROUTE_FORM, .summary = "the customer's answer to the form"},

    /* conversations: messages, attachments, the outbox, mail settings */
    {"GET", "/api/v1/encounters/{id}/messages", LIST_BY(rp_h_message_list),
     .summary = "the conversation of an encounter, oldest first",
     .reply = "Message"},
    {"POST", "/api/v1/encounters/{id}/messages", BY_ID_BODY(rp_message_add),
     .request = rp_message_add_fields, .status = 201,
     .summary = "write a reply (or a draft) or a note", .reply = "Message"},
    {"GET", "/api/v1/messages/{id}", BY_ID(rp_message_get),
     .summary = "a message with its delivery state", .reply = "Message"},
    {"POST", "/api/v1/messages/{id}/send", BY_ID_BODY(rp_message_send),
     .request = rp_no_fields, .flags = RP_ROUTE_BODY_OPTIONAL,
     .summary = "send a draft reply", .reply = "Message"},
    {"GET", "/api/v1/attachments/{id}", CUSTOM(rp_h_attachment_download),
     .summary = "download an attachment (never shown inline)",
     .reply = "Download"},
    {"POST", "/api/v1/conversation/inbound", CUSTOM(rp_h_conversation_inbound),
     ADMIN, .request = rp_inbound_fields,
     .summary = "take in a message already parsed (JSON)",
     .reply = "MailTaken"},
    {"POST", "/api/v1/outbox/run", CUSTOM(rp_h_outbox_run), ADMIN,
     .request = rp_no_fields, .flags = RP_ROUTE_BODY_OPTIONAL | RP_ROUTE_SLOW,
     .summary = "send the queued replies now", .reply = "OutboxRun"},
    {"GET", "/api/v1/conversation/settings", PLAIN(rp_desk_settings_get),
     .summary = "the desk's conversation settings", .reply = "DeskSettings"},
    {"PUT", "/api/v1/conversation/settings", BODY(rp_desk_settings_update),
     ADMIN, .request = rp_desk_settings_fields,
     .summary = "change the desk's conversation settings",
     .reply = "DeskSettings"},
    {"PUT", "/api/v1/queues/{id}/mail", BY_ID_BODY(rp_queue_mail_set), ADMIN,
     .request = rp_queue_mail_fields,
     .summary = "set a queue's address and acknowledgement", .reply = "Queue"},
    {"GET", "/api/v1/mail/kept", LIST(rp_kept_mail_list), ADMIN,
     .summary = "mail refused or not understood, kept with the reason",
     .reply = "KeptMail"},
    /* email in by HTTP */
    {"POST", "/api/v1/mail/inbound", CUSTOM(rp_h_mail_inbound),
     .access = RP_ACCESS_MAIL, .flags = RP_ROUTE_MAIL, .params = mail_params,
     .summary = "take one raw email (message/rfc822) as the desk's mail",
     .reply = "MailTaken"},
    /* the customer's help pages (style.css before {token}) */
    {"GET", "/help", CUSTOM(rp_h_help_form), PUBLIC,
     .summary = "the customer's form to write to the desk (HTML)"},
    {"POST", "/help", CUSTOM(rp_h_help_send), PUBLIC, .flags = RP_ROUTE_UPLOAD,
     .summary = "open a request from the form; shows the customer's link"},
    {"GET", "/help/style.css", CUSTOM(rp_h_help_css), PUBLIC,
     .summary = "the help pages' style sheet"},
    {"GET", "/help/r/{token}", CUSTOM(rp_h_help_status), PUBLIC,
     .summary = "the customer's request: status and conversation (HTML)"},
    {"POST", "/help/r/{token}", CUSTOM(rp_h_help_reply), PUBLIC,
     .flags = RP_ROUTE_UPLOAD,
     .summary = "the customer's reply from their request's page"},
    {"GET", "/help/r/{token}/files/{id}", CUSTOM(rp_h_help_file), PUBLIC,
     .summary = "a file of the customer's conversation, as a download"},
    /* CSV in */
    {"POST", "/api/v1/imports/customers", CUSTOM(rp_h_import_customers), LEAD,
     .flags = RP_ROUTE_CSV | RP_ROUTE_SLOW, .params = import_params,
     .summary = "import customers from a CSV file (text/csv); a report of "
                "each row",
     .reply = "ImportReport"},

    /* least privilege: who sees a queue's customers */
    {"GET", "/api/v1/queues/{id}/access", BY_ID(rp_queue_access),
     .summary = "whether a queue is restricted, and its members",
     .reply = "QueueAccess"},
    {"PUT", "/api/v1/queues/{id}/access", BY_ID_BODY(rp_queue_set_access),
     ADMIN, .request = rp_queue_access_fields,
     .summary = "restrict a queue to its members or open it; set them",
     .reply = "QueueAccess"},

    /* the contract of this API */
    {"GET", "/api/v1/openapi.json", CUSTOM(rp_h_openapi), PUBLIC,
     .summary = "this API's OpenAPI 3.1 document", .reply = "OpenAPI"},

    /* the audit log and the customer's export */
    {"GET", "/api/v1/audit", LIST_BY(rp_h_audit_list), ADMIN,
     .params = audit_params, .reply = "AuditEntry",
     .summary = "the audit log: who did or read what, newest first"},
    {"GET", "/api/v1/customers/{id}/export", CUSTOM(rp_h_customer_export),
     .flags = RP_ROUTE_SLOW, .params = export_params,
     .summary = "everything held about a customer, as one archive",
     .reply = "CustomerArchive"},
    {"GET", "/api/v1/export_requests", LIST_BY(rp_h_export_request_list),
     .params = export_request_params,
     .summary = "customers' requests for their data, newest first",
     .reply = "ExportRequest"},
    {"POST", "/api/v1/export_requests/{id}/approve",
     CUSTOM(rp_h_export_request_approve), .request = rp_no_fields,
     .flags = RP_ROUTE_BODY_OPTIONAL,
     .summary = "approve a customer's request: their page offers the "
                "download for a limited time",
     .reply = "ExportRequest"},
    {"POST", "/help/r/{token}/export", CUSTOM(rp_h_help_export_request), PUBLIC,
     .flags = RP_ROUTE_FORM,
     .summary = "the customer asks for a copy of their data"},
    {"GET", "/help/r/{token}/export", CUSTOM(rp_h_help_export_download), PUBLIC,
     .flags = RP_ROUTE_SLOW, .params = export_params,
     .summary = "the customer's copy of their data, once approved"},

    /* the Zendesk-compatible API (docs/zendesk.md); "me" before {id} */
    {"GET", "/api/v2/tickets", CUSTOM(rp_h_zd_ticket_list), ZENDESK,
     .params = zd_page_params, .summary = "Zendesk: page of tickets"},
    {"POST", "/api/v2/tickets", CUSTOM(rp_h_zd_ticket_create), ZENDESK,
     .summary = "Zendesk: make a ticket with its first comment"},
    {"GET", "/api/v2/tickets/{id}", BY_ID(rp_zendesk_ticket_get), ZENDESK,
     .summary = "Zendesk: a ticket"},
    {"PUT", "/api/v2/tickets/{id}", BY_ID_BODY(rp_zendesk_ticket_update),
     ZENDESK,
     .summary = "Zendesk: change a ticket's status, assignee, priority, tags, "
                "or add a comment"},
    {"GET", "/api/v2/tickets/{id}/comments", CUSTOM(rp_h_zd_comment_list),
     ZENDESK, .params = zd_page_params,
     .summary = "Zendesk: a ticket's comments, oldest first"},
    {"GET", "/api/v2/users/me", CUSTOM(rp_h_zd_user_me), ZENDESK,
     .summary = "Zendesk: the agent the credentials belong to"},
    {"GET", "/api/v2/users/search", CUSTOM(rp_h_zd_user_search),
     .flags = RP_ROUTE_ZENDESK | RP_ROUTE_SLOW, .params = zd_query_params,
     .summary = "Zendesk: users by email address or name"},
    {"POST", "/api/v2/users", CUSTOM(rp_h_zd_user_create), ZENDESK,
     .summary = "Zendesk: make an end-user (a customer)"},
    {"GET", "/api/v2/users/{id}", BY_ID(rp_zendesk_user_get), ZENDESK,
     .summary = "Zendesk: a user (customer or agent)"},
    {"GET", "/api/v2/users/{id}/tickets/requested",
     CUSTOM(rp_h_zd_user_requested), ZENDESK, .params = zd_page_params,
     .summary = "Zendesk: the tickets a user asked for"},
    {"GET", "/api/v2/search", CUSTOM(rp_h_zd_search),
     .flags = RP_ROUTE_ZENDESK | RP_ROUTE_SLOW, .params = zd_query_params,
     .summary = "Zendesk: search tickets or users"},
    /* erasure and the desk's privacy settings */
    {"DELETE", "/api/v1/customers/{id}", CUSTOM(rp_h_customer_erase), LEAD,
     .params = erase_params,
     .summary = "erase the customer's personal data for good (admin, or a "
                "lead and a second person as the privacy settings say)",
     .reply = "Erasure"},
    {"GET", "/api/v1/privacy/settings", PLAIN(rp_privacy_settings_get), ADMIN,
     .summary = "who may erase, and the retention rules",
     .reply = "PrivacySettings"},
    {"PUT", "/api/v1/privacy/settings", BODY(rp_privacy_settings_update), ADMIN,
     .request = rp_privacy_settings_fields,
     .summary = "change who may erase, or the retention rules",
     .reply = "PrivacySettings"},
    /* merging two customers, and pointing out possible duplicates */
    {"POST", "/api/v1/customers/{id}/merge",
     BY_ID_BODY(rp_customer_merge_request), ADMIN,
     .summary = "merge another customer into this one: their history, "
                "identities and moments become this customer's",
     .request = rp_customer_merge_fields, .reply = "CustomerMerge"},
    {"GET", "/api/v1/customers/{id}/duplicates", BY_ID(rp_customer_duplicates),
     .summary = "other customers who may be the same person (a matching "
                "email address or phone number)",
     .reply = "CustomerDuplicates"},
    /* the charter's calendar and history */
    {"GET", "/api/v1/charter/versions", PLAIN(rp_charter_versions),
     .summary = "the history of the charter: each version and when it "
                "came into force",
     .reply = "CharterVersions"},
    {"GET", "/api/v1/queues/{id}/hours", BY_ID(rp_hours_get),
     .summary = "a queue's business hours, time zone and holidays",
     .reply = "BusinessHours"},
    {"PUT", "/api/v1/queues/{id}/hours", BY_ID_BODY(rp_hours_set), LEAD,
     .request = rp_hours_fields,
     .summary = "replace a queue's business hours and holidays (no "
                "intervals: open around the clock)",
     .reply = "BusinessHours"},
    {"GET", "/api/v1/holidays", PLAIN(rp_holidays_get),
     .summary = "the desk's holidays, closed in every queue with hours",
     .reply = "Holidays"},
    {"PUT", "/api/v1/holidays", BODY(rp_holidays_set), LEAD,
     .request = rp_holidays_fields, .summary = "replace the desk's holidays",
     .reply = "Holidays"},
    /* where email and text messages go: the settings an admin keeps */
    {"GET", "/api/v1/delivery/settings", PLAIN(rp_delivery_settings_get), ADMIN,
     .summary = "the mail server and text-message webhook set in the "
                "database; secrets only as set or not",
     .reply = "DeliverySettings"},
    {"PUT", "/api/v1/delivery/settings", BODY(rp_delivery_settings_update),
     ADMIN, .request = rp_delivery_settings_fields,
     .summary = "change the mail server or text-message webhook (left out: "
                "kept; null: removed)",
     .reply = "DeliverySettings"},
    {"GET", "/api/v1/delivery/status", CUSTOM(rp_h_delivery_status),
     .summary = "whether the desk can send email and text messages, and "
                "from which settings",
     .reply = "DeliveryStatus"},
    {"POST", "/api/v1/delivery/test", CUSTOM(rp_h_delivery_test), ADMIN,
     .flags = RP_ROUTE_SLOW, .request = rp_delivery_test_fields,
     .summary = "send a test email with the settings in use now",
     .reply = "DeliveryTest"},
    /* who handles an encounter: taking and assigning */
    {"POST", "/api/v1/encounters/{id}/take", BY_ID_BODY(rp_encounter_take),
     .request = rp_encounter_take_fields, .flags = RP_ROUTE_BODY_OPTIONAL,
     .summary = "take an open encounter: the reader handles it from now on",
     .reply = "Encounter"},
    {"POST", "/api/v1/encounters/{id}/assign", BY_ID_BODY(rp_encounter_assign),
     .request = rp_encounter_assign_fields,
     .summary = "give an open encounter to an agent (to another agent: a "
                "lead or an admin)",
     .reply = "Encounter"},

    {NULL, NULL},
};

/* The query cell: what a route takes besides its path and body. */
static void print_params(FILE *out, const rp_route *r)
{
    const char *sep = "";
    if (r->shape == RP_SHAPE_LIST) {
        fputs(r->projection ? "`limit`, `cursor`, `fields`, `view`"
                            : "`limit`, `cursor`",
              out);
        sep = "; ";
    }
    for (const rp_param *p = r->params; p && p->name; p++) {
        fprintf(out, "%s`%s` (%s)", sep, p->name, p->type);
        if (p->meaning)
            fprintf(out, ": %s", p->meaning);
        sep = "; ";
    }
}

/* The rows cell: what the route's resource is, and which customer's or
 * encounter's rows its path id names (least privilege, access.c). */
static void print_rows(FILE *out, const rp_route *r)
{
    if (r->access == RP_ACCESS_PUBLIC) {
        fputs("public", out);
        return;
    }
    const rp_resource *rs = rp_resource_of_path(r->pattern, NULL);
    if (!rs)
        fputs("UNCLASSIFIED", out);
    else
        fprintf(out, "%s: %s", rs->name, rp_rows_name(rs->rows));
}

void rp_routes_print(FILE *out)
{
    fputs("| method | path | access | shape | query | summary | rows |\n"
          "|---|---|---|---|---|---|---|\n",
          out);
    for (const rp_route *r = rp_routes; r->method; r++) {
        fprintf(out, "| %s | `%s` | %s%s | %s", r->method, r->pattern,
                rp_access_name(r->access),
                r->flags & RP_ROUTE_ZENDESK  ? ", zendesk"
                : r->flags & RP_ROUTE_FORM   ? ", form"
                : r->flags & RP_ROUTE_MAIL   ? ", email"
                : r->flags & RP_ROUTE_UPLOAD ? ", upload"
                : r->flags & RP_ROUTE_CSV    ? ", csv"
                                             : "",
                rp_shape_name(r->shape));
        if (r->status)
            fprintf(out, " → %d", r->status);
        fputs(" | ", out);
        print_params(out, r);
        fprintf(out, " | %s | ", r->summary ? r->summary : "");
        print_rows(out, r);
        fputs(" |\n", out);
    }
}
