/*
 * queries.h - the one list of the store's named queries.
 *
 * Every statement that is not a generic record operation (store.h) is a
 * named query: an aggregate, a search, a claim, a batch update.  The list
 * below is the only place a query is declared.  It expands into the enum
 * rp_query, so the domain names a query by an identifier and a misspelt
 * name does not compile; each backend maps every id to its own statement
 * (sqlite_queries.c for SQLite), and a unit test prepares every one of them
 * against a fresh database.
 *
 * Names are "<subsystem>.<what>", the subsystem being the folder of
 * src/core whose rules the query serves; ids are the same words in capitals.
 * A query nothing calls any more is deleted, here and in every backend.
 */
#ifndef RP_QUERIES_H
#define RP_QUERIES_H

/* How many entries one audit.insert_rows writes (its parameters are
 * audit.insert's, this many times over). */
#define RP_AUDIT_INSERT_ROWS 16

#define RP_QUERIES(X)                                                          \
    X(AUDIT_INSERT, "audit.insert")                                            \
    X(AUDIT_INSERT_ROWS, "audit.insert_rows")                                  \
    X(AUDIT_LIST, "audit.list")                                                \
    X(AUDIT_LIST_BY_CUSTOMER, "audit.list_by_customer")                        \
    X(AUDIT_LIST_BY_AGENT, "audit.list_by_agent")                              \
    X(EXPORT_HELP_LINKS, "export.help_links")                                  \
    X(EXPORT_ERASURE_REQUESTS_OF, "export.erasure_requests_of")                \
    X(EXPORT_REQUESTS_OF, "export.requests_of")                                \
    X(EXPORT_REQUEST_INSERT, "export.request_insert")                          \
    X(EXPORT_REQUEST_PENDING, "export.request_pending")                        \
    X(EXPORT_REQUEST_LATEST, "export.request_latest")                          \
    X(EXPORT_REQUEST_APPROVE, "export.request_approve")                        \
    X(EXPORT_REQUEST_GET, "export.request_get")                                \
    X(EXPORT_REQUEST_LIST, "export.request_list")                              \
    X(CUSTOMER_RELATIONSHIP_EVIDENCE, "customer.relationship_evidence")        \
    X(CUSTOMER_CLOSED_COUNT, "customer.closed_count")                          \
    X(CUSTOMER_VIEW_ROW, "customer.view_row")                                  \
    X(CUSTOMER_OPEN_ENCOUNTERS, "customer.open_encounters")                    \
    X(CUSTOMER_OPEN_PROMISES, "customer.open_promises")                        \
    X(CUSTOMER_OPEN_FOLLOW_UPS, "customer.open_follow_ups")                    \
    X(CUSTOMER_LATEST_MOMENTS, "customer.latest_moments")                      \
    X(CUSTOMER_SATISFACTION_SUMMARY, "customer.satisfaction_summary")          \
    X(CUSTOMER_SATISFACTION_WORD_LISTS, "customer.satisfaction_word_lists")    \
    X(CUSTOMER_ENCOUNTER_COUNTS, "customer.encounter_counts")                  \
    X(CUSTOMER_PREFERENCES, "customer.preferences")                            \
    X(CUSTOMER_FIRM_PREFERENCES, "customer.firm_preferences")                  \
    X(CUSTOMER_CANCEL_DATE_TASKS, "customer.cancel_date_tasks")                \
    X(CUSTOMER_UNHOLD_TASKS, "customer.unhold_tasks")                          \
    X(ENCOUNTER_FACTS, "encounter.facts")                                      \
    X(ENCOUNTER_TASK_COUNT, "encounter.task_count")                            \
    X(FOLLOWUP_CLAIM_TASKS, "followup.claim_tasks")                            \
    X(FOLLOWUP_TASK_SENT, "followup.task_sent")                                \
    X(FOLLOWUP_TASK_SETTLE, "followup.task_settle")                            \
    X(FOLLOWUP_SATISFACTION_ANSWER, "followup.satisfaction_answer")            \
    X(FOLLOWUP_SATISFACTION_SUMMARY, "followup.satisfaction_summary")          \
    X(OFFERS_LOYALTY_STATS, "offers.loyalty_stats")                            \
    X(OFFERS_LOYALTY_TIERS, "offers.loyalty_tiers")                            \
    X(OFFERS_LOYALTY_TIERS_CLEAR, "offers.loyalty_tiers_clear")                \
    X(OFFERS_RECENT_EXCHANGES, "offers.recent_exchanges")                      \
    X(OFFERS_PRODUCTS, "offers.products")                                      \
    X(OFFERS_SHOWN, "offers.shown")                                            \
    X(STAFF_AGENT_BY_EMAIL, "staff.agent_by_email")                            \
    X(STAFF_AGENT_SET_PASSWORD, "staff.agent_set_password")                    \
    X(STAFF_AGENT_SET_SETTINGS, "staff.agent_set_settings")                    \
    X(STAFF_OTHER_ACTIVE_ADMINS, "staff.other_active_admins")                  \
    X(STAFF_SESSION_INSERT, "staff.session_insert")                            \
    X(STAFF_SESSION_LOOKUP, "staff.session_lookup")                            \
    X(STAFF_SESSION_TOUCH, "staff.session_touch")                              \
    X(STAFF_SESSION_DELETE, "staff.session_delete")                            \
    X(STAFF_SESSIONS_EXPIRE, "staff.sessions_expire")                          \
    X(STAFF_SESSIONS_OF_AGENT_DELETE, "staff.sessions_of_agent_delete")        \
    X(STAFF_TOKEN_INSERT, "staff.token_insert")                                \
    X(STAFF_TOKEN_LOOKUP, "staff.token_lookup")                                \
    X(STAFF_TOKEN_TOUCH, "staff.token_touch")                                  \
    X(STAFF_TOKEN_GET, "staff.token_get")                                      \
    X(STAFF_TOKEN_LIST, "staff.token_list")                                    \
    X(STAFF_TOKEN_REVOKE, "staff.token_revoke")                                \
    X(STAFF_LOGIN_FAILURES_COUNT, "staff.login_failures_count")                \
    X(STAFF_LOGIN_FAILURE_ADD, "staff.login_failure_add")                      \
    X(STAFF_LOGIN_FAILURE_DELETE, "staff.login_failure_delete")                \
    X(STAFF_LOGIN_FAILURES_CLEAR, "staff.login_failures_clear")                \
    X(STAFF_LOGIN_FAILURES_EXPIRE, "staff.login_failures_expire")              \
    X(STAFF_QUEUE_FOR, "staff.queue_for")                                      \
    X(STAFF_ROUTING_CANDIDATES, "staff.routing_candidates")                    \
    X(KNOWLEDGE_SEARCH, "knowledge.search")                                    \
    X(KNOWLEDGE_WORD_ARTICLES, "knowledge.word_articles")                      \
    X(KNOWLEDGE_VOTE, "knowledge.vote")                                        \
    X(KNOWLEDGE_TAGS, "knowledge.tags")                                        \
    X(MEASURES_CHARTER_LIST, "measures.charter_list")                          \
    X(MEASURES_CHARTER_SET, "measures.charter_set")                            \
    X(MEASURES_CHARTER_BREACHES, "measures.charter_breaches")                  \
    X(MEASURES_CHARTER_BREACHES_RECORDS, "measures.charter_breaches_records")  \
    X(MEASURES_CHARTER_BREACH_COUNTS, "measures.charter_breach_counts")        \
    X(MEASURES_BREACH_TIMES, "measures.breach_times")                          \
    X(MEASURES_BREACH_TIMES_ROWS, "measures.breach_times_rows")                \
    X(MEASURES_PROMISES_OVERDUE, "measures.promises_overdue")                  \
    X(MEASURES_PROMISE_SETTLE, "measures.promise_settle")                      \
    X(MEASURES_VOLUME, "measures.volume")                                      \
    X(MEASURES_BY_CHANNEL, "measures.by_channel")                              \
    X(MEASURES_WAIT_SUMMARY, "measures.wait_summary")                          \
    X(MEASURES_WAIT_AT_RANK, "measures.wait_at_rank")                          \
    X(MEASURES_TELEPHONY, "measures.telephony")                                \
    X(MEASURES_SATISFACTION, "measures.satisfaction")                          \
    X(MEASURES_SATISFACTION_WORDS, "measures.satisfaction_words")              \
    X(MEASURES_LEVELS, "measures.levels")                                      \
    X(MEASURES_MOVEMENTS, "measures.movements")                                \
    X(MEASURES_MOMENTS, "measures.moments")                                    \
    X(MEASURES_DEFECTS, "measures.defects")                                    \
    X(MEASURES_SPECIAL_REQUESTS, "measures.special_requests")                  \
    X(MEASURES_PROMISES, "measures.promises")                                  \
    X(MEASURES_QUEUE_DEPTH, "measures.queue_depth")                            \
    X(MEASURES_TASKS_DUE, "measures.tasks_due")                                \
    X(MEASURES_TASKS_FAILED, "measures.tasks_failed")                          \
    X(CONVERSATION_IDENTITY_FIND, "conversation.identity_find")                \
    X(CONVERSATION_IDENTITIES_PRUNE, "conversation.identities_prune")          \
    X(CONVERSATION_CUSTOMERS_BY_PHONE, "conversation.customers_by_phone")      \
    X(CONVERSATION_CUSTOMERS_BY_EMAIL, "conversation.customers_by_email")      \
    X(CONVERSATION_SETTINGS_LIST, "conversation.settings_list")                \
    X(CONVERSATION_SETTINGS_SET, "conversation.settings_set")                  \
    X(CONVERSATION_MESSAGE_BY_MSGID, "conversation.message_by_msgid")          \
    X(CONVERSATION_ATTACHMENTS_OF, "conversation.attachments_of")              \
    X(CONVERSATION_ATTACHMENTS_OF_MESSAGE,                                     \
      "conversation.attachments_of_message")                                   \
    X(CONVERSATION_BLOB_BY_SHA, "conversation.blob_by_sha")                    \
    X(CONVERSATION_ATTACHMENT_DATA, "conversation.attachment_data")            \
    X(CONVERSATION_RECENT_FROM, "conversation.recent_from")                    \
    X(CONVERSATION_LAST_INBOUND, "conversation.last_inbound")                  \
    X(CONVERSATION_OUTBOX_CLAIM, "conversation.outbox_claim")                  \
    X(CONVERSATION_OUTBOX_SETTLE, "conversation.outbox_settle")                \
    /* the customer's help pages: abuse limits and links */                    \
    X(CONVERSATION_HELP_HITS_EXPIRE, "conversation.help_hits_expire")          \
    X(CONVERSATION_HELP_HITS_COUNT, "conversation.help_hits_count")            \
    X(CONVERSATION_HELP_HIT_ADD, "conversation.help_hit_add")                  \
    X(CONVERSATION_HELP_LINK_INSERT, "conversation.help_link_insert")          \
    X(CONVERSATION_HELP_LINK_BY_HASH, "conversation.help_link_by_hash")        \
    X(CONVERSATION_HELP_LINK_MOVE, "conversation.help_link_move")              \
    X(CONVERSATION_HELP_LINKS_TO_MAIL, "conversation.help_links_to_mail")      \
    X(CONVERSATION_HELP_LINK_CLAIM_MAIL, "conversation.help_link_claim_mail")  \
    X(CONVERSATION_HELP_LINK_MAILED, "conversation.help_link_mailed")          \
    X(CONVERSATION_HELP_LINK_MAIL_RETRY, "conversation.help_link_mail_retry")  \
    X(FOLLOWUP_TASK_SENDING, "followup.task_sending")                          \
    X(MAILBOX_INSERT, "mailbox.insert")                                        \
    X(MAILBOX_LIST, "mailbox.list")                                            \
    X(MAILBOX_DELETE, "mailbox.delete")                                        \
    X(MAILBOX_UID_FROM, "mailbox.uid_from")                                    \
    X(MAILBOX_UID_CLAIM, "mailbox.uid_claim")                                  \
    X(MAILBOX_UID_DONE, "mailbox.uid_done")                                    \
    X(MAILBOX_UID_RELEASE, "mailbox.uid_release")                              \
    X(STAFF_TOKEN_SET_SCOPE, "staff.token_set_scope")                          \
    X(WEBHOOK_FANOUT, "webhook.fanout")                                        \
    X(WEBHOOK_DUE, "webhook.due")                                              \
    X(WEBHOOK_CLAIM, "webhook.claim")                                          \
    X(WEBHOOK_DELIVERY_LOAD, "webhook.delivery_load")                          \
    X(WEBHOOK_SETTLE, "webhook.settle")                                        \
    X(WEBHOOK_LAST_STATUS, "webhook.last_status")                              \
    X(WEBHOOK_DELIVERIES, "webhook.deliveries")                                \
    X(WEBHOOK_BACKLOG, "webhook.backlog")                                      \
    X(WEBHOOK_EVENTS_FORGET_CUSTOMER, "webhook.events_forget_customer")        \
    X(WEBHOOK_PRUNE_DELIVERIES, "webhook.prune_deliveries")                    \
    X(WEBHOOK_PRUNE_EVENTS, "webhook.prune_events")                            \
    X(STORE_READ_CHECK, "store.read_check")                                    \
    /* secrets at rest */                                                      \
    X(SECRETS_MAILBOX_LIST, "secrets.mailbox_list")                            \
    X(SECRETS_MAILBOX_SET, "secrets.mailbox_set")                              \
    /* least privilege */                                                      \
    X(STAFF_TOKEN_SET_LIMITS, "staff.token_set_limits")                        \
    X(STAFF_ANY_RESTRICTED, "staff.any_restricted")                            \
    X(STAFF_QUEUES_OF_AGENT, "staff.queues_of_agent")                          \
    X(STAFF_QUEUE_MEMBERS, "staff.queue_members")                              \
    X(STAFF_QUEUE_MEMBERS_CLEAR, "staff.queue_members_clear")                  \
    X(STAFF_QUEUE_MEMBER_ADD, "staff.queue_member_add")                        \
    X(STAFF_QUEUE_SET_RESTRICTED, "staff.queue_set_restricted")                \
    X(STAFF_CUSTOMER_VISIBLE, "staff.customer_visible")                        \
    X(STAFF_CUSTOMER_IN_QUEUES, "staff.customer_in_queues")                    \
    X(STAFF_ENCOUNTER_VISIBLE, "staff.encounter_visible")                      \
    X(STAFF_OWNER_OF_MESSAGE, "staff.owner_of_message")                        \
    X(STAFF_OWNER_OF_ATTACHMENT, "staff.owner_of_attachment")                  \
    X(STAFF_OWNER_OF_TASK, "staff.owner_of_task")                              \
    X(STAFF_OWNER_OF_PROMISE, "staff.owner_of_promise")                        \
    X(SECRETS_WEBHOOK_LIST, "secrets.webhook_list")                            \
    X(SECRETS_WEBHOOK_SET, "secrets.webhook_set")                              \
    X(SECRETS_SMTP_LIST, "secrets.smtp_list")                                  \
    X(SECRETS_SMTP_SET, "secrets.smtp_set")                                    \
    X(SECRETS_SMS_HOOK_LIST, "secrets.sms_hook_list")                          \
    X(SECRETS_SMS_HOOK_SET, "secrets.sms_hook_set")                            \
    X(DELIVERY_SETTINGS_GET, "followup.delivery_settings_get")                 \
    X(DELIVERY_SETTINGS_SET, "followup.delivery_settings_set")                 \
    /* the Zendesk-compatible API */                                           \
    X(ZENDESK_FIRST_MESSAGES, "zendesk.first_messages")                        \
    X(ZENDESK_AGENT_BY_EMAIL, "zendesk.agent_by_email")                        \
    /* operations */                                                           \
    X(MEASURES_DELIVERY_BACKLOG, "measures.delivery_backlog")                  \
    /* CSV in and out */                                                       \
    X(CUSTOMER_BY_EXTERNAL_ID, "customer.by_external_id")                      \
    /* the sealed ledger, erasure and retention */                             \
    X(CUSTOMER_LEDGER_HEAD, "customer.ledger_head")                            \
    X(CUSTOMER_LEDGER_KEY, "customer.ledger_key")                              \
    X(CUSTOMER_LEDGER_APPEND, "customer.ledger_append")                        \
    X(CUSTOMER_LEDGER_PAGE, "customer.ledger_page")                            \
    X(CUSTOMER_LEDGER_UNSEALED, "customer.ledger_unsealed")                    \
    X(CUSTOMER_LEDGER_BEFORE, "customer.ledger_before")                        \
    X(CUSTOMER_LEDGER_SEAL, "customer.ledger_seal")                            \
    X(CUSTOMER_LEDGER_OF_CUSTOMER, "customer.ledger_of_customer")              \
    X(CUSTOMER_LEDGER_TOMBSTONE, "customer.ledger_tombstone")                  \
    X(CUSTOMER_LEDGER_OF_ENCOUNTER, "customer.ledger_of_encounter")            \
    X(CUSTOMER_LEDGER_TOMBSTONE_ENCOUNTER,                                     \
      "customer.ledger_tombstone_encounter")                                   \
    X(PRIVACY_SETTINGS_LIST, "privacy.settings_list")                          \
    X(PRIVACY_SETTINGS_SET, "privacy.settings_set")                            \
    X(PRIVACY_SUPPRESSED, "privacy.suppressed")                                \
    X(PRIVACY_SUPPRESS, "privacy.suppress")                                    \
    X(PRIVACY_EMAILS_OF, "privacy.emails_of")                                  \
    X(PRIVACY_OFFERS_REFUSED, "privacy.offers_refused")                        \
    X(PRIVACY_REQUEST_PENDING, "privacy.request_pending")                      \
    X(PRIVACY_REQUEST_INSERT, "privacy.request_insert")                        \
    X(PRIVACY_REQUEST_DONE, "privacy.request_done")                            \
    X(PRIVACY_ERASE_KEPT_MAIL, "privacy.erase_kept_mail")                      \
    X(PRIVACY_ERASE_HELP_HITS, "privacy.erase_help_hits")                      \
    X(PRIVACY_ERASE_HELP_LINKS, "privacy.erase_help_links")                    \
    X(PRIVACY_ERASE_IDENTITIES, "privacy.erase_identities")                    \
    X(PRIVACY_ERASE_PREFERENCES, "privacy.erase_preferences")                  \
    X(PRIVACY_ERASE_GOALS, "privacy.erase_goals")                              \
    X(PRIVACY_ERASE_DATES, "privacy.erase_dates")                              \
    X(PRIVACY_ERASE_CONSENTS, "privacy.erase_consents")                        \
    X(PRIVACY_ERASE_ENCOUNTERS, "privacy.erase_encounters")                    \
    X(PRIVACY_ERASE_TRANSFERS, "privacy.erase_transfers")                      \
    X(PRIVACY_ERASE_DEFECTS, "privacy.erase_defects")                          \
    X(PRIVACY_ERASE_SPECIAL_REQUESTS, "privacy.erase_special_requests")        \
    X(PRIVACY_ERASE_PROMISES, "privacy.erase_promises")                        \
    X(PRIVACY_ERASE_LEVELS, "privacy.erase_levels")                            \
    X(PRIVACY_ERASE_TASKS, "privacy.erase_tasks")                              \
    X(PRIVACY_ERASE_SATISFACTION, "privacy.erase_satisfaction")                \
    X(PRIVACY_ERASE_OFFERS, "privacy.erase_offers")                            \
    X(PRIVACY_ERASE_MESSAGES, "privacy.erase_messages")                        \
    X(PRIVACY_BLOBS_OF_CUSTOMER, "privacy.blobs_of_customer")                  \
    X(PRIVACY_BLOBS_OF_ENCOUNTER, "privacy.blobs_of_encounter")                \
    X(PRIVACY_ERASE_ATTACHMENTS, "privacy.erase_attachments")                  \
    X(PRIVACY_DROP_OLD_ATTACHMENTS, "privacy.drop_old_attachments")            \
    X(PRIVACY_BLOB_DROP_UNUSED, "privacy.blob_drop_unused")                    \
    X(PRIVACY_ERASE_CUSTOMER, "privacy.erase_customer")                        \
    X(PRIVACY_RETAIN_INACTIVE, "privacy.retain_inactive")                      \
    X(PRIVACY_RETAIN_INACTIVE_COUNT, "privacy.retain_inactive_count")          \
    X(PRIVACY_RETAIN_ATTACHMENTS, "privacy.retain_attachments")                \
    X(PRIVACY_RETAIN_ATTACHMENTS_COUNT, "privacy.retain_attachments_count")    \
    X(PRIVACY_RETAIN_BODIES, "privacy.retain_bodies")                          \
    X(PRIVACY_RETAIN_BODIES_COUNT, "privacy.retain_bodies_count")              \
    X(PRIVACY_DROP_BODIES, "privacy.drop_bodies")                              \
    X(PRIVACY_BODIES_DROPPED, "privacy.bodies_dropped")                        \
    X(FOLLOWUP_DUE, "followup.due")                                            \
    X(FOLLOWUP_TASK_RETRY, "followup.task_retry")                              \
    /* the read path: searches from their indexes */                           \
    X(CUSTOMER_SEARCH, "customer.search")                                      \
    /* least privilege in figures, searches and export requests */             \
    X(STAFF_OWNER_OF_EXPORT_REQUEST, "staff.owner_of_export_request")          \
    X(STAFF_QUEUES_VISIBLE, "staff.queues_visible")                            \
    X(MEASURES_LEVELS_IN_QUEUES, "measures.levels_in_queues")                  \
    X(CUSTOMER_ALIASES, "customer.aliases")                                    \
    X(CUSTOMER_DUPLICATES, "customer.duplicates")                              \
    X(CUSTOMER_MERGE_ERASURE_PENDING, "customer.merge_erasure_pending")        \
    X(CUSTOMER_MERGE_PREFERENCES_SUPERSEDED,                                   \
      "customer.merge_preferences_superseded")                                 \
    X(CUSTOMER_MERGE_CONSENTS_SUPERSEDED,                                      \
      "customer.merge_consents_superseded")                                    \
    X(CUSTOMER_MERGE_REPOINT, "customer.merge_repoint")                        \
    X(CUSTOMER_MERGE_ENCOUNTERS, "customer.merge_encounters")                  \
    X(CUSTOMER_MERGE_ENCOUNTER_TRANSFERS,                                      \
      "customer.merge_encounter_transfers")                                    \
    X(CUSTOMER_MERGE_DEFECTS, "customer.merge_defects")                        \
    X(CUSTOMER_MERGE_SPECIAL_REQUESTS, "customer.merge_special_requests")      \
    X(CUSTOMER_MERGE_PROMISES, "customer.merge_promises")                      \
    X(CUSTOMER_MERGE_RELATIONSHIP_LEVELS,                                      \
      "customer.merge_relationship_levels")                                    \
    X(CUSTOMER_MERGE_TASKS, "customer.merge_tasks")                            \
    X(CUSTOMER_MERGE_SATISFACTION_CHECKS,                                      \
      "customer.merge_satisfaction_checks")                                    \
    X(CUSTOMER_MERGE_PREFERENCES, "customer.merge_preferences")                \
    X(CUSTOMER_MERGE_GOALS, "customer.merge_goals")                            \
    X(CUSTOMER_MERGE_IMPORTANT_DATES, "customer.merge_important_dates")        \
    X(CUSTOMER_MERGE_CONSENTS, "customer.merge_consents")                      \
    X(CUSTOMER_MERGE_OFFERS, "customer.merge_offers")                          \
    X(CUSTOMER_MERGE_IDENTITIES, "customer.merge_identities")                  \
    X(CUSTOMER_MERGE_MESSAGES, "customer.merge_messages")                      \
    X(CUSTOMER_MERGE_ATTACHMENTS, "customer.merge_attachments")                \
    X(CUSTOMER_MERGE_HELP_LINKS, "customer.merge_help_links")                  \
    X(CUSTOMER_MERGE_EXPORT_REQUESTS, "customer.merge_export_requests")        \
    X(CUSTOMER_MERGE_ERASURE_REQUESTS, "customer.merge_erasure_requests")      \
    X(CUSTOMER_MERGE_CHARTER_BREACHES, "customer.merge_charter_breaches")      \
    X(MEASURES_SWEEP_DUE, "measures.sweep_due")                                \
    X(MEASURES_SWEEP_LOOK, "measures.sweep_look")                              \
    X(MEASURES_SWEEP_RECORD, "measures.sweep_record")                          \
    X(MEASURES_SWEEP_NEXT, "measures.sweep_next")                              \
    X(MEASURES_SWEEP_DONE, "measures.sweep_done")                              \
    X(MEASURES_SWEEP_AGAIN, "measures.sweep_again")                            \
    X(MEASURES_SWEEP_BREACHES_OF, "measures.sweep_breaches_of")                \
    X(MEASURES_SWEEP_BREACHES_OF_CUSTOMER,                                     \
      "measures.sweep_breaches_of_customer")                                   \
    X(MEASURES_CHARTER_VERSION_ADD, "measures.charter_version_add")            \
    X(MEASURES_CHARTER_VERSION_AT, "measures.charter_version_at")              \
    X(MEASURES_CHARTER_VERSIONS, "measures.charter_versions")                  \
    X(MEASURES_HOURS_GET, "measures.hours_get")                                \
    X(MEASURES_HOURS_SET, "measures.hours_set")                                \
    X(MEASURES_HOURS_CLEAR, "measures.hours_clear")                            \
    X(MEASURES_HOLIDAYS_OF_QUEUE, "measures.holidays_of_queue")                \
    X(MEASURES_HOLIDAYS_OF_DESK, "measures.holidays_of_desk")                  \
    X(MEASURES_HOLIDAYS_CLEAR_QUEUE, "measures.holidays_clear_queue")          \
    X(MEASURES_HOLIDAYS_CLEAR_DESK, "measures.holidays_clear_desk")            \
    X(MEASURES_HOLIDAY_ADD, "measures.holiday_add")                            \
    X(MEASURES_DEADLINES_GET, "measures.deadlines_get")                        \
    X(MEASURES_DEADLINES_SET, "measures.deadlines_set")                        \
    X(ENCOUNTER_WORKLIST_OPEN_WAITING, "encounter.worklist_open_waiting")      \
    X(ENCOUNTER_WORKLIST_OPEN_ACTIVITY, "encounter.worklist_open_activity")    \
    X(ENCOUNTER_WORKLIST_AGENT_WAITING, "encounter.worklist_agent_waiting")    \
    X(ENCOUNTER_WORKLIST_QUEUE_WAITING, "encounter.worklist_queue_waiting")    \
    X(ENCOUNTER_WORKLIST_QUEUE_ACTIVITY, "encounter.worklist_queue_activity")  \
    X(ENCOUNTER_WORKLIST_CLOSED_ACTIVITY,                                      \
      "encounter.worklist_closed_activity")                                    \
    X(ENCOUNTER_WORKLIST_NEWEST, "encounter.worklist_newest")                  \
    X(ENCOUNTER_WORKLIST_CUSTOMER, "encounter.worklist_customer")              \
    X(ENCOUNTER_WORKLIST_SEARCH, "encounter.worklist_search")                  \
    X(ENCOUNTER_WORKLIST_KEY, "encounter.worklist_key")                        \
    X(ENCOUNTER_WORKLIST_COUNTS, "encounter.worklist_counts")                  \
    X(ENCOUNTER_WORKLIST_CLOSED_COUNTS, "encounter.worklist_closed_counts")    \
    X(ENCOUNTER_WORKLIST_CHANGED, "encounter.worklist_changed")                \
    X(MEASURES_OWNERSHIP, "measures.ownership")                                \
    X(FOLLOWUP_DATES_BATCH, "followup.dates_batch")                            \
    X(FOLLOWUP_DATES_MARK, "followup.dates_mark")                              \
    X(FOLLOWUP_KEEP_IN_TOUCH_BATCH, "followup.keep_in_touch_batch")            \
    X(FOLLOWUP_KEEP_IN_TOUCH_MARK, "followup.keep_in_touch_mark")              \
    X(FOLLOWUP_CLOSED_AFTER, "followup.closed_after")                          \
    X(FOLLOWUP_SATISFACTION_ONE, "followup.satisfaction_one")                  \
    X(FOLLOWUP_CURSOR_GET, "followup.cursor_get")                              \
    X(FOLLOWUP_CURSOR_PUT, "followup.cursor_put")                              \
    X(TELEPHONY_CALL_GET, "telephony.call_get")                                \
    X(TELEPHONY_CALL_INSERT, "telephony.call_insert")                          \
    X(TELEPHONY_CALL_UPDATE, "telephony.call_update")                          \
    X(TELEPHONY_EVENT_FIND, "telephony.event_find")                            \
    X(TELEPHONY_EVENT_INSERT, "telephony.event_insert")                        \
    X(TELEPHONY_EVENTS_OF, "telephony.events_of")                              \
    /* the rollups of the service metrics (core/measures/rollup.c) */          \
    X(MEASURES_ROLLUP_SUMS, "measures.rollup_sums")                            \
    X(MEASURES_ROLLUP_COUNTS, "measures.rollup_counts")                        \
    X(MEASURES_EDGE_SUMS, "measures.edge_sums")                                \
    X(MEASURES_EDGE_COUNTS, "measures.edge_counts")                            \
    X(MEASURES_ROLLUP_LEVELS, "measures.rollup_levels")                        \
    /* the per-queue breakdown of the service metrics (rollup.c) */            \
    X(MEASURES_ROLLUP_QUEUES, "measures.rollup_queues")                        \
    X(MEASURES_ROLLUP_QUEUE_WAITS, "measures.rollup_queue_waits")              \
    X(MEASURES_EDGE_QUEUES, "measures.edge_queues")                            \
    X(MEASURES_EDGE_QUEUE_WAITS, "measures.edge_queue_waits")                  \
    X(MEASURES_ROLLUP_CLEAR_DAYS, "measures.rollup_clear_days")                \
    X(MEASURES_ROLLUP_CLEAR_COUNTS, "measures.rollup_clear_counts")            \
    X(MEASURES_ROLLUP_CLEAR_LEVELS, "measures.rollup_clear_levels")            \
    X(MEASURES_ROLLUP_FILL_DAYS, "measures.rollup_fill_days")                  \
    X(MEASURES_ROLLUP_FILL_CHANNELS, "measures.rollup_fill_channels")          \
    X(MEASURES_ROLLUP_FILL_WAITS, "measures.rollup_fill_waits")                \
    X(MEASURES_ROLLUP_FILL_LEVELS, "measures.rollup_fill_levels")              \
    X(MEASURES_ROLLUP_BREACHES, "measures.rollup_breaches")                    \
    X(MEASURES_EDGE_BREACHES, "measures.edge_breaches")                        \
    X(MEASURES_BREACHES_NOW, "measures.breaches_now")                          \
    X(MEASURES_ROLLUP_BREACH_TIMES, "measures.rollup_breach_times")            \
    X(MEASURES_EDGE_BREACH_TIMES, "measures.edge_breach_times")                \
    X(MEASURES_BREACH_TIMES_NOW, "measures.breach_times_now")                  \
    X(MEASURES_ROLLUP_CLEAR_BREACHES, "measures.rollup_clear_breaches")        \
    X(MEASURES_ROLLUP_FILL_BREACHES, "measures.rollup_fill_breaches")          \
    X(MEASURES_ROLLUP_CLEAR_BREACH_LIST, "measures.rollup_clear_breach_list")  \
    X(MEASURES_ROLLUP_FILL_BREACH_LIST, "measures.rollup_fill_breach_list")    \
    X(MEASURES_ROLLUP_MOMENTS, "measures.rollup_moments")                      \
    X(MEASURES_ROLLUP_CLEAR_MOMENT_HOURS,                                      \
      "measures.rollup_clear_moment_hours")                                    \
    X(MEASURES_ROLLUP_CLEAR_MOMENT_CUSTOMERS,                                  \
      "measures.rollup_clear_moment_customers")                                \
    X(MEASURES_ROLLUP_FILL_MOMENT_HOURS, "measures.rollup_fill_moment_hours")  \
    X(MEASURES_ROLLUP_FILL_MOMENT_CUSTOMERS,                                   \
      "measures.rollup_fill_moment_customers")                                 \
    X(MEASURES_ROLLUP_FILL_MOMENT_LAST, "measures.rollup_fill_moment_last")    \
    X(MEASURES_ROLLUP_CLEAR_DAY_TOTALS, "measures.rollup_clear_day_totals")    \
    X(MEASURES_ROLLUP_FILL_DAY_TOTALS, "measures.rollup_fill_day_totals")      \
    X(MEASURES_ROLLUP_MOVEMENTS, "measures.rollup_movements")                  \
    X(MEASURES_ROLLUP_CLEAR_LATE, "measures.rollup_clear_late")                \
    X(MEASURES_ROLLUP_FILL_LATE, "measures.rollup_fill_late")                  \
    X(MEASURES_ROLLUP_CLEAR_MOVEMENTS, "measures.rollup_clear_movements")      \
    X(MEASURES_ROLLUP_FILL_MOVEMENTS, "measures.rollup_fill_movements")        \
    X(MEASURES_VERIFY_OPEN_WORK, "measures.verify_open_work")

/* One id per named query; RP_QUERY_COUNT is the number of them. */
typedef enum rp_query {
#define RP_QUERY_ENUM(id, name) RP_Q_##id,
    RP_QUERIES(RP_QUERY_ENUM)
#undef RP_QUERY_ENUM
        RP_QUERY_COUNT
} rp_query;

/* The stable name of q ("customer.open_promises"), for messages and logs;
 * "(unknown query)" for a value outside the enum. */
const char *rp_query_name(rp_query q);

#endif
