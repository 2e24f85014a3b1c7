/*
 * routes.h - the handlers of rapportd, one group per resource file.
 */
#ifndef RP_ROUTES_H
#define RP_ROUTES_H

#include "http.h"

/* routes_health.c */
void rp_h_healthz(rp_request *req, rp_response *res);

/* routes_customers.c */
void rp_h_customer_list(rp_request *req, rp_response *res);
void rp_h_customer_create(rp_request *req, rp_response *res);
void rp_h_customer_get(rp_request *req, rp_response *res);
void rp_h_customer_update(rp_request *req, rp_response *res);
void rp_h_customer_moments(rp_request *req, rp_response *res);

/* routes_encounters.c */
void rp_h_encounter_list(rp_request *req, rp_response *res);
void rp_h_encounter_open(rp_request *req, rp_response *res);
void rp_h_encounter_get(rp_request *req, rp_response *res);

/* routes_auth.c (auth) */
void rp_h_session_create(rp_request *req, rp_response *res);
void rp_h_session_get(rp_request *req, rp_response *res);
void rp_h_session_delete(rp_request *req, rp_response *res);
void rp_h_agent_list(rp_request *req, rp_response *res);
void rp_h_agent_create(rp_request *req, rp_response *res);
void rp_h_agent_update(rp_request *req, rp_response *res);
void rp_h_token_list(rp_request *req, rp_response *res);
void rp_h_token_create(rp_request *req, rp_response *res);
void rp_h_token_revoke(rp_request *req, rp_response *res);

/* routes_queues.c (auth) */
void rp_h_queue_list(rp_request *req, rp_response *res);
void rp_h_queue_create(rp_request *req, rp_response *res);

/* routes_kb.c (auth) */
void rp_h_kb_search(rp_request *req, rp_response *res);
void rp_h_kb_article_create(rp_request *req, rp_response *res);
void rp_h_kb_article_get(rp_request *req, rp_response *res);
void rp_h_kb_article_update(rp_request *req, rp_response *res);
void rp_h_kb_feedback(rp_request *req, rp_response *res);
void rp_h_kb_suggestions(rp_request *req, rp_response *res);
/* routes_measures.c */
void rp_h_encounter_measures(rp_request *req, rp_response *res);
void rp_h_charter_get(rp_request *req, rp_response *res);
void rp_h_charter_put(rp_request *req, rp_response *res);
void rp_h_charter_breaches(rp_request *req, rp_response *res);
void rp_h_promise_keep(rp_request *req, rp_response *res);
void rp_h_metrics_service(rp_request *req, rp_response *res);
void rp_h_prometheus(rp_request *req, rp_response *res);
/* routes_encounters.c: the encounter engine */
void rp_h_encounter_record(rp_request *req, rp_response *res);
void rp_h_encounter_acknowledge(rp_request *req, rp_response *res);
void rp_h_encounter_advance(rp_request *req, rp_response *res);
void rp_h_encounter_abandon(rp_request *req, rp_response *res);
void rp_h_encounter_defect(rp_request *req, rp_response *res);
void rp_h_encounter_special_request(rp_request *req, rp_response *res);
void rp_h_encounter_promise(rp_request *req, rp_response *res);
void rp_h_encounter_transfer(rp_request *req, rp_response *res);
void rp_h_encounter_follow_up(rp_request *req, rp_response *res);
void rp_h_encounter_satisfaction(rp_request *req, rp_response *res);
void rp_h_encounter_guide(rp_request *req, rp_response *res);
/* routes_tasks.c */
void rp_h_task_complete(rp_request *req, rp_response *res);
/* routes_overview.c */
void rp_h_customer_overview(rp_request *req, rp_response *res);
/* looking to the future: routes_profile.c */
#define RP_PROFILE_DECL(kind)                                                \
    void rp_h_##kind##_list(rp_request *req, rp_response *res);              \
    void rp_h_##kind##_add(rp_request *req, rp_response *res);               \
    void rp_h_##kind##_update(rp_request *req, rp_response *res);            \
    void rp_h_##kind##_remove(rp_request *req, rp_response *res);
RP_PROFILE_DECL(preferences)
RP_PROFILE_DECL(goals)
RP_PROFILE_DECL(dates)
RP_PROFILE_DECL(consents)
void rp_h_customer_loyalty(rp_request *req, rp_response *res);
void rp_h_customer_satisfaction(rp_request *req, rp_response *res);
void rp_h_customer_recommendations(rp_request *req, rp_response *res);
void rp_h_offer_accept(rp_request *req, rp_response *res);
void rp_h_offer_decline(rp_request *req, rp_response *res);
/* routes_products.c */
void rp_h_product_list(rp_request *req, rp_response *res);
void rp_h_product_create(rp_request *req, rp_response *res);
void rp_h_product_get(rp_request *req, rp_response *res);
void rp_h_product_update(rp_request *req, rp_response *res);
/* routes_tasks.c */
void rp_h_task_list(rp_request *req, rp_response *res);
void rp_h_task_get(rp_request *req, rp_response *res);
void rp_h_scheduler_run(rp_request *req, rp_response *res);
void rp_h_loyalty_tiers(rp_request *req, rp_response *res);
void rp_h_loyalty_set_tiers(rp_request *req, rp_response *res);
/* routes_satisfaction.c: PUBLIC pages (no auth, no CSRF) */
void rp_h_satisfaction_css(rp_request *req, rp_response *res);
void rp_h_satisfaction_page(rp_request *req, rp_response *res);
void rp_h_satisfaction_answer(rp_request *req, rp_response *res);

#endif
