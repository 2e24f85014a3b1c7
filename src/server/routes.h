/*
 * routes.h - the handlers of rapportd: only the routes whose request needs
 * real translation have one (filters, cookies, HTML pages); every other
 * route names its librapport function in the table (routes.c).  A handler
 * of an RP_SHAPE_LIST route finds the page already parsed in req->page.
 */
#ifndef RP_ROUTES_H
#define RP_ROUTES_H

#include "http.h"

/* openapi.c: GET /api/v1/openapi.json */
void rp_h_openapi(rp_request *req, rp_response *res);

/* routes_health.c */
void rp_h_healthz(rp_request *req, rp_response *res);

/* routes_customers.c */
void rp_h_customer_list(rp_request *req, rp_response *res);
void rp_h_customer_moments(rp_request *req, rp_response *res);
/* DELETE: erasure, its fields in the query (a DELETE carries no body) */
void rp_h_customer_erase(rp_request *req, rp_response *res);

/* routes_encounters.c */
void rp_h_encounter_list(rp_request *req, rp_response *res);
void rp_h_encounter_get(rp_request *req, rp_response *res);

/* routes_auth.c */
void rp_h_session_create(rp_request *req, rp_response *res);
void rp_h_session_get(rp_request *req, rp_response *res);
void rp_h_session_delete(rp_request *req, rp_response *res);
void rp_h_token_list(rp_request *req, rp_response *res);
void rp_h_token_create(rp_request *req, rp_response *res);
void rp_h_token_revoke(rp_request *req, rp_response *res);

/* routes_kb.c */
void rp_h_kb_search(rp_request *req, rp_response *res);
void rp_h_kb_article_list(rp_request *req, rp_response *res);

/* routes_measures.c */
void rp_h_charter_breaches(rp_request *req, rp_response *res);
void rp_h_metrics_service(rp_request *req, rp_response *res);
void rp_h_prometheus(rp_request *req, rp_response *res);

/* routes_profile.c: the kind (preferences, goals, dates, consents) is the
 * path segment after the customer's id */
void rp_h_profile_list(rp_request *req, rp_response *res);
void rp_h_profile_add(rp_request *req, rp_response *res);
void rp_h_profile_update(rp_request *req, rp_response *res);
void rp_h_profile_remove(rp_request *req, rp_response *res);
void rp_h_customer_satisfaction(rp_request *req, rp_response *res);
void rp_h_customer_recommendations(rp_request *req, rp_response *res);
/* .../recommendations/{product}/accept or .../decline, by the last segment */
void rp_h_offer_decide(rp_request *req, rp_response *res);

/* routes_products.c */
void rp_h_product_list(rp_request *req, rp_response *res);

/* routes_telephony.c: the call by the phone system's id (path param 0) */
void rp_h_call_arrive(rp_request *req, rp_response *res);
void rp_h_call_event(rp_request *req, rp_response *res);
void rp_h_call_get(rp_request *req, rp_response *res);

/* routes_tasks.c */
void rp_h_task_list(rp_request *req, rp_response *res);
void rp_h_followups_due(rp_request *req, rp_response *res);
void rp_h_scheduler_run(rp_request *req, rp_response *res);

/* routes_satisfaction.c: the customer's public pages */
void rp_h_satisfaction_css(rp_request *req, rp_response *res);
void rp_h_satisfaction_page(rp_request *req, rp_response *res);
void rp_h_satisfaction_answer(rp_request *req, rp_response *res);

/* routes_messages.c: the conversation of an encounter */
void rp_h_message_list(rp_request *req, rp_response *res);
void rp_h_attachment_download(rp_request *req, rp_response *res);
void rp_h_conversation_inbound(rp_request *req, rp_response *res);
void rp_h_outbox_run(rp_request *req, rp_response *res);
/* routes_delivery.c: whether the desk can send, and a test message, with
 * the program's own delivery settings under the database's */
void rp_h_delivery_status(rp_request *req, rp_response *res);
void rp_h_delivery_test(rp_request *req, rp_response *res);
/* routes_mail.c: email in by HTTP */
void rp_h_mail_inbound(rp_request *req, rp_response *res);
/* routes_import.c: customers from a CSV file */
void rp_h_import_customers(rp_request *req, rp_response *res);
/* routes_help.c: the customer's help pages */
void rp_h_help_css(rp_request *req, rp_response *res);
void rp_h_help_form(rp_request *req, rp_response *res);
void rp_h_help_send(rp_request *req, rp_response *res);
void rp_h_help_status(rp_request *req, rp_response *res);
void rp_h_help_reply(rp_request *req, rp_response *res);
void rp_h_help_file(rp_request *req, rp_response *res);
/* routes_zendesk.c: the Zendesk-compatible API (/api/v2) */
void rp_h_zd_ticket_list(rp_request *req, rp_response *res);
void rp_h_zd_ticket_create(rp_request *req, rp_response *res);
void rp_h_zd_comment_list(rp_request *req, rp_response *res);
void rp_h_zd_user_me(rp_request *req, rp_response *res);
void rp_h_zd_user_create(rp_request *req, rp_response *res);
void rp_h_zd_user_search(rp_request *req, rp_response *res);
void rp_h_zd_user_requested(rp_request *req, rp_response *res);
void rp_h_zd_search(rp_request *req, rp_response *res);

/* routes_webhooks.c: event webhook subscriptions */
void rp_h_webhook_remove(rp_request *req, rp_response *res);
void rp_h_webhook_deliveries(rp_request *req, rp_response *res);
/* routes_audit.c */
void rp_h_audit_list(rp_request *req, rp_response *res);

/* routes_export.c */
void rp_h_customer_export(rp_request *req, rp_response *res);
void rp_h_export_request_list(rp_request *req, rp_response *res);
void rp_h_export_request_approve(rp_request *req, rp_response *res);
void rp_h_help_export_request(rp_request *req, rp_response *res);
void rp_h_help_export_download(rp_request *req, rp_response *res);
/* The "Your data" section of the customer's status page for token: ask
 * for a copy, waiting for approval, or the download links. */
void rp_help_put_data_section(rp_buf *b, rp_ctx *ctx, const char *token);

#endif
