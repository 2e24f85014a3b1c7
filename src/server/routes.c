/*
 * routes.c - the table of every endpoint rapportd serves.  Handlers live
 * in one file per resource (routes_<resource>.c); this table is the map.
 */
#include "routes.h"

/* A route listed as {method, pattern, handler} gets access 0,
 * RP_ACCESS_AGENT (credentials needed): the safe default, on purpose. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

const rp_route rp_routes[] = {
    {"GET", "/healthz", rp_h_healthz, RP_ACCESS_PUBLIC},

    {"GET", "/api/v1/customers", rp_h_customer_list},
    {"POST", "/api/v1/customers", rp_h_customer_create},
    {"GET", "/api/v1/customers/{id}", rp_h_customer_get},
    {"PATCH", "/api/v1/customers/{id}", rp_h_customer_update},
    {"GET", "/api/v1/customers/{id}/moments", rp_h_customer_moments},

    {"GET", "/api/v1/encounters", rp_h_encounter_list},
    {"POST", "/api/v1/encounters", rp_h_encounter_open},
    {"GET", "/api/v1/encounters/{id}", rp_h_encounter_get},

    /* auth: sessions, agents, tokens (the 4th field is who may call) */
    {"POST", "/api/v1/session", rp_h_session_create, RP_ACCESS_PUBLIC},
    {"GET", "/api/v1/session", rp_h_session_get, RP_ACCESS_AGENT},
    {"DELETE", "/api/v1/session", rp_h_session_delete, RP_ACCESS_AGENT},
    {"GET", "/api/v1/agents", rp_h_agent_list, RP_ACCESS_ADMIN},
    {"POST", "/api/v1/agents", rp_h_agent_create, RP_ACCESS_ADMIN},
    {"PATCH", "/api/v1/agents/{id}", rp_h_agent_update, RP_ACCESS_ADMIN},
    {"GET", "/api/v1/tokens", rp_h_token_list, RP_ACCESS_AGENT},
    {"POST", "/api/v1/tokens", rp_h_token_create, RP_ACCESS_AGENT},
    {"DELETE", "/api/v1/tokens/{id}", rp_h_token_revoke, RP_ACCESS_AGENT},
    /* auth: queues and the knowledge base */
    {"GET", "/api/v1/queues", rp_h_queue_list, RP_ACCESS_AGENT},
    {"POST", "/api/v1/queues", rp_h_queue_create, RP_ACCESS_ADMIN},
    {"GET", "/api/v1/kb/search", rp_h_kb_search, RP_ACCESS_AGENT},
    {"POST", "/api/v1/kb/articles", rp_h_kb_article_create, RP_ACCESS_LEAD},
    {"GET", "/api/v1/kb/articles/{id}", rp_h_kb_article_get, RP_ACCESS_AGENT},
    {"PATCH", "/api/v1/kb/articles/{id}", rp_h_kb_article_update, RP_ACCESS_LEAD},
    {"POST", "/api/v1/kb/articles/{id}/feedback", rp_h_kb_feedback, RP_ACCESS_AGENT},
    {"GET", "/api/v1/encounters/{id}/kb_suggestions", rp_h_kb_suggestions, RP_ACCESS_AGENT},

    /* measures: waiting, the charter, promises, metrics */
    {"GET", "/api/v1/encounters/{id}/measures", rp_h_encounter_measures},
    {"GET", "/api/v1/charter", rp_h_charter_get},
    {"PUT", "/api/v1/charter", rp_h_charter_put, RP_ACCESS_ADMIN},
    {"GET", "/api/v1/charter/breaches", rp_h_charter_breaches},
    {"POST", "/api/v1/promises/{id}/keep", rp_h_promise_keep},
    {"GET", "/api/v1/metrics/service", rp_h_metrics_service},
    {"GET", "/metrics", rp_h_prometheus},
    /* the encounter engine */
    {"PATCH", "/api/v1/encounters/{id}", rp_h_encounter_record},
    {"POST", "/api/v1/encounters/{id}/acknowledge", rp_h_encounter_acknowledge},
    {"POST", "/api/v1/encounters/{id}/advance", rp_h_encounter_advance},
    {"POST", "/api/v1/encounters/{id}/abandon", rp_h_encounter_abandon},
    {"POST", "/api/v1/encounters/{id}/defects", rp_h_encounter_defect},
    {"POST", "/api/v1/encounters/{id}/special_requests",
     rp_h_encounter_special_request},
    {"POST", "/api/v1/encounters/{id}/promises", rp_h_encounter_promise},
    {"POST", "/api/v1/encounters/{id}/transfers", rp_h_encounter_transfer},
    {"POST", "/api/v1/encounters/{id}/follow_ups", rp_h_encounter_follow_up},
    {"POST", "/api/v1/encounters/{id}/satisfaction", rp_h_encounter_satisfaction},
    {"GET", "/api/v1/encounters/{id}/guide", rp_h_encounter_guide},
    {"POST", "/api/v1/tasks/{id}/complete", rp_h_task_complete},
    {"GET", "/api/v1/customers/{id}/overview", rp_h_customer_overview},
    /* looking to the future (helper "future") */
    {"GET", "/api/v1/customers/{id}/preferences", rp_h_preferences_list},
    {"POST", "/api/v1/customers/{id}/preferences", rp_h_preferences_add},
    {"PATCH", "/api/v1/customers/{id}/preferences/{item}", rp_h_preferences_update},
    {"DELETE", "/api/v1/customers/{id}/preferences/{item}", rp_h_preferences_remove},
    {"GET", "/api/v1/customers/{id}/goals", rp_h_goals_list},
    {"POST", "/api/v1/customers/{id}/goals", rp_h_goals_add},
    {"PATCH", "/api/v1/customers/{id}/goals/{item}", rp_h_goals_update},
    {"DELETE", "/api/v1/customers/{id}/goals/{item}", rp_h_goals_remove},
    {"GET", "/api/v1/customers/{id}/dates", rp_h_dates_list},
    {"POST", "/api/v1/customers/{id}/dates", rp_h_dates_add},
    {"PATCH", "/api/v1/customers/{id}/dates/{item}", rp_h_dates_update},
    {"DELETE", "/api/v1/customers/{id}/dates/{item}", rp_h_dates_remove},
    {"GET", "/api/v1/customers/{id}/consents", rp_h_consents_list},
    {"POST", "/api/v1/customers/{id}/consents", rp_h_consents_add},
    {"PATCH", "/api/v1/customers/{id}/consents/{item}", rp_h_consents_update},
    {"DELETE", "/api/v1/customers/{id}/consents/{item}", rp_h_consents_remove},
    {"GET", "/api/v1/customers/{id}/loyalty", rp_h_customer_loyalty},
    {"GET", "/api/v1/customers/{id}/satisfaction", rp_h_customer_satisfaction},
    {"GET", "/api/v1/customers/{id}/recommendations",
     rp_h_customer_recommendations},
    {"POST", "/api/v1/customers/{id}/recommendations/{product}/accept",
     rp_h_offer_accept},
    {"POST", "/api/v1/customers/{id}/recommendations/{product}/decline",
     rp_h_offer_decline},
    {"GET", "/api/v1/products", rp_h_product_list},
    {"POST", "/api/v1/products", rp_h_product_create, RP_ACCESS_LEAD},
    {"GET", "/api/v1/products/{id}", rp_h_product_get},
    {"PATCH", "/api/v1/products/{id}", rp_h_product_update, RP_ACCESS_LEAD},
    {"GET", "/api/v1/tasks", rp_h_task_list},
    {"GET", "/api/v1/tasks/{id}", rp_h_task_get},
    {"POST", "/api/v1/scheduler/run", rp_h_scheduler_run, RP_ACCESS_ADMIN},
    {"GET", "/api/v1/loyalty/tiers", rp_h_loyalty_tiers},
    {"PUT", "/api/v1/loyalty/tiers", rp_h_loyalty_set_tiers, RP_ACCESS_ADMIN},
    /* PUBLIC: the customer's satisfaction pages (style.css before {token}) */
    {"GET", "/s/style.css", rp_h_satisfaction_css, RP_ACCESS_PUBLIC},
    {"GET", "/s/{token}", rp_h_satisfaction_page, RP_ACCESS_PUBLIC},
    {"POST", "/s/{token}", rp_h_satisfaction_answer, RP_ACCESS_PUBLIC},

    {NULL, NULL, NULL, 0},
};
