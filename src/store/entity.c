/*
 * entity.c - the entity catalogue (see entity.h).  Column lists here must
 * match the tables that the backends' migrations create.
 */
#include "store/entity.h"

#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const rp_column *rp_entity_column(const rp_entity *e, const char *name)
{
    for (size_t i = 0; i < e->ncolumns; i++)
        if (strcmp(e->columns[i].name, name) == 0)
            return &e->columns[i];
    return NULL;
}

static const rp_column customer_columns[] = {
    {"name", RP_COL_TEXT},
    {"preferred_name", RP_COL_TEXT},
    {"emails", RP_COL_JSON},
    {"phones", RP_COL_JSON},
    {"notes", RP_COL_TEXT},
    {"created_at", RP_COL_TIME},
    {"updated_at", RP_COL_TIME},
    {"relationship_level", RP_COL_TEXT},
    {"relationship_reasons", RP_COL_JSON},
    /* a customer made from an unknown sender (migration 8) */
    {"unconfirmed", RP_COL_BOOL},
    /* the id in the system the customer was imported from (migration 25) */
    {"external_id", RP_COL_TEXT},
    /* when the customer's personal data was erased (migration 30) */
    {"erased_at", RP_COL_TIME},
    /* the customer this one was merged into, or null (migration 56) */
    {"merged_into", RP_COL_INT},
};
const rp_entity RP_ENTITY_CUSTOMER = {"customer", "customers", customer_columns,
                                      COUNT(customer_columns), 0};

static const rp_column encounter_columns[] = {
    {"customer_id", RP_COL_INT},
    {"channel", RP_COL_TEXT},
    {"subject", RP_COL_TEXT},
    {"stage", RP_COL_TEXT},
    {"created_at", RP_COL_TIME},
    {"updated_at", RP_COL_TIME},
    /* the interaction cycle (migration 2) */
    {"topic", RP_COL_TEXT},
    {"queue_id", RP_COL_INT},
    {"agent_id", RP_COL_INT},
    {"acknowledged_at", RP_COL_TIME},
    {"first_response_at", RP_COL_TIME},
    {"understood_at", RP_COL_TIME},
    {"helped_at", RP_COL_TIME},
    {"kept_at", RP_COL_TIME},
    {"closed_at", RP_COL_TIME},
    {"abandoned_at", RP_COL_TIME},
    {"abandon_reason", RP_COL_TEXT},
    {"request", RP_COL_TEXT},
    {"goal", RP_COL_TEXT},
    {"facts", RP_COL_TEXT},
    {"feelings", RP_COL_TEXT},
    {"questions", RP_COL_JSON},
    {"restatement", RP_COL_TEXT},
    {"options", RP_COL_JSON},
    {"preferences_captured", RP_COL_JSON},
    {"information_requested", RP_COL_BOOL},
    {"agreement", RP_COL_TEXT},
    {"no_agreement_reason", RP_COL_TEXT},
    {"outcome_done", RP_COL_TEXT},
    {"outcome_watch", RP_COL_TEXT},
    {"satisfaction_skip_reason", RP_COL_TEXT},
    {"thanked", RP_COL_BOOL},
    {"bridged", RP_COL_TEXT},
    {"first_contact_resolved", RP_COL_BOOL},
    {"transfers", RP_COL_INT},
    {"apology_owed", RP_COL_BOOL},
    {"apology_given", RP_COL_BOOL},
    {"senior_level", RP_COL_BOOL},
    {"contract", RP_COL_BOOL},
    {"kind", RP_COL_TEXT},
    {"kind_reason", RP_COL_TEXT},
    {"kind_source", RP_COL_TEXT},
    {"exchange", RP_COL_TEXT},
    {"exchange_reason", RP_COL_TEXT},
    {"exchange_source", RP_COL_TEXT},
    /* loyalty (migration 6): what the visit was worth, for spend tiers */
    {"spend", RP_COL_REAL},
    /* the loyalty earned, put on the outcome when it closes (migration 7) */
    {"loyalty_tier", RP_COL_TEXT},
    {"loyalty_discount_percent", RP_COL_REAL},
    /* the encounter this one follows, when a customer wrote on one closed
     * too long ago (migration 8) */
    {"previous_encounter_id", RP_COL_INT},
    /* why first-contact resolution is what it is (migration 16) */
    {"first_contact_reason", RP_COL_TEXT},
    /* what a help-desk client tracks on a ticket (migration 40): its
     * priority, its tags, and whom an open encounter is waiting on */
    {"priority", RP_COL_TEXT},
    {"tags", RP_COL_JSON},
    {"waiting_on", RP_COL_TEXT},
    /* what the rules say of kind and exchange, beside the agent's word
     * (migration 70) */
    {"kind_inferred", RP_COL_TEXT},
    {"exchange_inferred", RP_COL_TEXT},
    /* how often it was taken, assigned by someone else, and assigned
     * away from an owner (migration 83) */
    {"takes", RP_COL_INT},
    {"assignments", RP_COL_INT},
    {"reassignments", RP_COL_INT},
    /* the agent's reason for overriding them (migration 87) */
    {"kind_override_reason", RP_COL_TEXT},
    {"exchange_override_reason", RP_COL_TEXT},
    /* when the customer arrived, called or wrote: the waits count from it
     * (migration 88) */
    {"arrived_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_ENCOUNTER = {
    "encounter", "encounters", encounter_columns, COUNT(encounter_columns), 0};

static const rp_column moment_columns[] = {
    {"customer_id", RP_COL_INT},
    {"encounter_id", RP_COL_INT},
    {"occurred_at", RP_COL_TIME},
    {"actor", RP_COL_TEXT},
    {"channel", RP_COL_TEXT},
    {"kind", RP_COL_TEXT},
    {"summary", RP_COL_TEXT},
    {"impression", RP_COL_TEXT},
    {"detail", RP_COL_JSON},
    /* when its content was erased, keeping its place (migration 30) */
    {"erased_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_MOMENT = {"moment", "moments", moment_columns,
                                    COUNT(moment_columns), 1};

static const rp_column transfer_columns[] = {
    {"customer_id", RP_COL_INT},   {"encounter_id", RP_COL_INT},
    {"from_queue_id", RP_COL_INT}, {"to_queue_id", RP_COL_INT},
    {"from_agent_id", RP_COL_INT}, {"to_agent_id", RP_COL_INT},
    {"reason", RP_COL_TEXT},       {"created_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_TRANSFER = {"transfer", "encounter_transfers",
                                      transfer_columns, COUNT(transfer_columns),
                                      0};

static const rp_column defect_columns[] = {
    {"customer_id", RP_COL_INT}, {"encounter_id", RP_COL_INT},
    {"kind", RP_COL_TEXT},       {"cause", RP_COL_TEXT},
    {"created_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_DEFECT = {"defect", "defects", defect_columns,
                                    COUNT(defect_columns), 0};

static const rp_column special_request_columns[] = {
    {"customer_id", RP_COL_INT},     {"encounter_id", RP_COL_INT},
    {"description", RP_COL_TEXT},    {"outcome", RP_COL_TEXT},
    {"decline_reason", RP_COL_TEXT}, {"created_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_SPECIAL_REQUEST = {
    "special request", "special_requests", special_request_columns,
    COUNT(special_request_columns), 0};

static const rp_column promise_columns[] = {
    {"customer_id", RP_COL_INT}, {"encounter_id", RP_COL_INT},
    {"what", RP_COL_TEXT},       {"due_at", RP_COL_TIME},
    {"status", RP_COL_TEXT},     {"settled_at", RP_COL_TIME},
    {"created_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_PROMISE = {"promise", "promises", promise_columns,
                                     COUNT(promise_columns), 0};

static const rp_column level_columns[] = {
    {"customer_id", RP_COL_INT},
    {"level", RP_COL_TEXT},
    {"previous_level", RP_COL_TEXT},
    {"reasons", RP_COL_JSON},
    {"encounter_id", RP_COL_INT},
    {"created_at", RP_COL_TIME},
    /* what caused the change, in plain words (migration 71) */
    {"cause", RP_COL_TEXT},
};
const rp_entity RP_ENTITY_RELATIONSHIP_LEVEL = {
    "relationship level", "relationship_levels", level_columns,
    COUNT(level_columns), 1};

static const rp_column task_columns[] = {
    {"customer_id", RP_COL_INT}, {"encounter_id", RP_COL_INT},
    {"kind", RP_COL_TEXT},       {"purpose", RP_COL_TEXT},
    {"channel", RP_COL_TEXT},    {"subject", RP_COL_TEXT},
    {"payload", RP_COL_JSON},    {"due_at", RP_COL_TIME},
    {"status", RP_COL_TEXT},     {"idempotency_key", RP_COL_TEXT},
    {"attempts", RP_COL_INT},    {"next_attempt_at", RP_COL_TIME},
    {"last_error", RP_COL_TEXT}, {"claimed_by", RP_COL_TEXT},
    {"claimed_at", RP_COL_TIME}, {"sent_at", RP_COL_TIME},
    {"done_at", RP_COL_TIME},    {"created_by", RP_COL_TEXT},
    {"created_at", RP_COL_TIME}, {"sending_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_TASK = {"task", "tasks", task_columns,
                                  COUNT(task_columns), 0};

static const rp_column satisfaction_columns[] = {
    {"customer_id", RP_COL_INT},  {"encounter_id", RP_COL_INT},
    {"task_id", RP_COL_INT},      {"token_hash", RP_COL_TEXT},
    {"expires_at", RP_COL_TIME},  {"score", RP_COL_INT},
    {"words", RP_COL_JSON},       {"comment", RP_COL_TEXT},
    {"answered_at", RP_COL_TIME}, {"created_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_SATISFACTION = {
    "satisfaction check", "satisfaction_checks", satisfaction_columns,
    COUNT(satisfaction_columns), 0};

static const rp_column preference_columns[] = {
    {"customer_id", RP_COL_INT},  {"key", RP_COL_TEXT},
    {"value", RP_COL_TEXT},       {"firmness", RP_COL_TEXT},
    {"encounter_id", RP_COL_INT}, {"created_at", RP_COL_TIME},
    {"updated_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_PREFERENCE = {"preference", "preferences",
                                        preference_columns,
                                        COUNT(preference_columns), 0};

static const rp_column goal_columns[] = {
    {"customer_id", RP_COL_INT},  {"title", RP_COL_TEXT},
    {"tags", RP_COL_JSON},        {"status", RP_COL_TEXT},
    {"encounter_id", RP_COL_INT}, {"created_at", RP_COL_TIME},
    {"updated_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_GOAL = {"goal", "goals", goal_columns,
                                  COUNT(goal_columns), 0};

/* ---- dates, consents, products, offers, loyalty (migration 6) ---------- */

static const rp_column date_columns[] = {
    {"customer_id", RP_COL_INT}, {"kind", RP_COL_TEXT},
    {"title", RP_COL_TEXT},      {"at", RP_COL_TIME},
    {"location", RP_COL_TEXT},   {"with_whom", RP_COL_TEXT},
    {"bring", RP_COL_TEXT},      {"encounter_id", RP_COL_INT},
    {"created_at", RP_COL_TIME}, {"updated_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_DATE = {"important date", "important_dates",
                                  date_columns, COUNT(date_columns), 0};

static const rp_column consent_columns[] = {
    {"customer_id", RP_COL_INT}, {"purpose", RP_COL_TEXT},
    {"granted", RP_COL_BOOL},    {"decided_at", RP_COL_TIME},
    {"source", RP_COL_TEXT},     {"created_at", RP_COL_TIME},
    {"updated_at", RP_COL_TIME}, {"decided_by", RP_COL_TEXT}, /* mig. 86 */
};
const rp_entity RP_ENTITY_CONSENT = {"consent", "consents", consent_columns,
                                     COUNT(consent_columns), 0};

static const rp_column product_columns[] = {
    {"name", RP_COL_TEXT},       {"category", RP_COL_TEXT},
    {"attributes", RP_COL_JSON}, {"stock", RP_COL_INT},
    {"tags", RP_COL_JSON},       {"related", RP_COL_JSON},
    {"price", RP_COL_REAL},      {"created_at", RP_COL_TIME},
    {"updated_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_PRODUCT = {"product", "products", product_columns,
                                     COUNT(product_columns), 0};

static const rp_column offer_columns[] = {
    {"customer_id", RP_COL_INT},  {"product_id", RP_COL_INT},
    {"status", RP_COL_TEXT},      {"reason", RP_COL_TEXT},
    {"encounter_id", RP_COL_INT}, {"created_at", RP_COL_TIME},
    {"decided_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_OFFER = {"offer", "offers", offer_columns,
                                   COUNT(offer_columns), 0};

static const rp_column tier_columns[] = {
    {"name", RP_COL_TEXT},      {"rank", RP_COL_INT},
    {"min_visits", RP_COL_INT}, {"min_tenure_days", RP_COL_INT},
    {"min_spend", RP_COL_REAL}, {"discount_percent", RP_COL_REAL},
};
const rp_entity RP_ENTITY_LOYALTY_TIER = {"loyalty tier", "loyalty_tiers",
                                          tier_columns, COUNT(tier_columns), 0};

/* ---- staff and knowledge (migration 4): agents, queues, articles ------- */

/* password_hash is deliberately not a column here: it never leaves the
 * store through the generic operations, only through staff.* named queries. */
static const rp_column agent_columns[] = {
    {"name", RP_COL_TEXT},       {"email", RP_COL_TEXT},
    {"role", RP_COL_TEXT},       {"skills", RP_COL_JSON},
    {"active", RP_COL_BOOL},     {"available", RP_COL_BOOL},
    {"created_at", RP_COL_TIME}, {"updated_at", RP_COL_TIME},
    {"language", RP_COL_TEXT},   {"time_zone", RP_COL_TEXT},
};
const rp_entity RP_ENTITY_AGENT = {"agent", "agents", agent_columns,
                                   COUNT(agent_columns), 0};

static const rp_column queue_columns[] = {
    {"name", RP_COL_TEXT},
    {"skills", RP_COL_JSON},
    {"topics", RP_COL_JSON},
    {"channels", RP_COL_JSON},
    {"created_at", RP_COL_TIME},
    {"updated_at", RP_COL_TIME},
    /* the queue's mail (migration 8) */
    {"email_address", RP_COL_TEXT},
    {"acknowledge_new", RP_COL_BOOL},
    /* open to every agent, or to its members only (migration 50) */
    {"restricted", RP_COL_BOOL},
};
const rp_entity RP_ENTITY_QUEUE = {"queue", "queues", queue_columns,
                                   COUNT(queue_columns), 0};

static const rp_column kb_article_columns[] = {
    {"title", RP_COL_TEXT},
    {"body", RP_COL_TEXT},
    {"tags", RP_COL_JSON},
    {"helped", RP_COL_INT},
    {"not_helped", RP_COL_INT},
    {"created_by", RP_COL_INT},
    {"created_at", RP_COL_TIME},
    {"updated_at", RP_COL_TIME},
    /* draft or published, and when first published (migration 94) */
    {"state", RP_COL_TEXT},
    {"published_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_KB_ARTICLE = {
    "article", "kb_articles", kb_article_columns, COUNT(kb_article_columns), 0};

static const rp_column kb_feedback_columns[] = {
    {"article_id", RP_COL_INT},   {"agent_id", RP_COL_INT},
    {"encounter_id", RP_COL_INT}, {"helped", RP_COL_BOOL},
    {"created_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_KB_FEEDBACK = {"article feedback", "kb_feedback",
                                         kb_feedback_columns,
                                         COUNT(kb_feedback_columns), 1};

/* ---- conversations (migration 8) --------------------------------------- */

static const rp_column identity_columns[] = {
    {"customer_id", RP_COL_INT},
    {"kind", RP_COL_TEXT},
    {"value", RP_COL_TEXT},
    {"created_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_IDENTITY = {
    "identity", "identities", identity_columns, COUNT(identity_columns), 0};

static const rp_column message_columns[] = {
    {"customer_id", RP_COL_INT},   {"encounter_id", RP_COL_INT},
    {"direction", RP_COL_TEXT},    {"author", RP_COL_TEXT},
    {"agent_id", RP_COL_INT},      {"identity_id", RP_COL_INT},
    {"channel", RP_COL_TEXT},      {"subject", RP_COL_TEXT},
    {"body", RP_COL_TEXT},         {"quoted", RP_COL_TEXT},
    {"from_address", RP_COL_TEXT}, {"to_address", RP_COL_TEXT},
    {"message_id", RP_COL_TEXT},   {"in_reply_to", RP_COL_TEXT},
    {"refs", RP_COL_JSON},         {"status", RP_COL_TEXT},
    {"attempts", RP_COL_INT},      {"next_attempt_at", RP_COL_TIME},
    {"last_error", RP_COL_TEXT},   {"claimed_by", RP_COL_TEXT},
    {"claimed_at", RP_COL_TIME},   {"sent_at", RP_COL_TIME},
    {"occurred_at", RP_COL_TIME},  {"created_at", RP_COL_TIME},
    {"updated_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_MESSAGE = {"message", "messages", message_columns,
                                     COUNT(message_columns), 0};

static const rp_column blob_columns[] = {
    {"sha256", RP_COL_TEXT},
    {"size", RP_COL_INT},
    {"data", RP_COL_TEXT},
    {"created_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_ATTACHMENT_BLOB = {"attachment content",
                                             "attachment_blobs", blob_columns,
                                             COUNT(blob_columns), 0};

static const rp_column attachment_columns[] = {
    {"customer_id", RP_COL_INT}, {"encounter_id", RP_COL_INT},
    {"message_id", RP_COL_INT},  {"blob_id", RP_COL_INT},
    {"filename", RP_COL_TEXT},   {"content_type", RP_COL_TEXT},
    {"content_id", RP_COL_TEXT}, {"is_inline", RP_COL_BOOL},
    {"size", RP_COL_INT},        {"created_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_ATTACHMENT = {"attachment", "attachments",
                                        attachment_columns,
                                        COUNT(attachment_columns), 0};

static const rp_column kept_mail_columns[] = {
    {"kind", RP_COL_TEXT},         {"reason", RP_COL_TEXT},
    {"from_address", RP_COL_TEXT}, {"message_id", RP_COL_TEXT},
    {"subject", RP_COL_TEXT},      {"raw", RP_COL_TEXT},
    {"size", RP_COL_INT},          {"created_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_KEPT_MAIL = {
    "kept mail", "kept_mail", kept_mail_columns, COUNT(kept_mail_columns), 0};

/* event webhooks */
static const rp_column webhook_columns[] = {
    {"url", RP_COL_TEXT},
    {"description", RP_COL_TEXT},
    {"events", RP_COL_JSON},
    {"secret", RP_COL_TEXT},
    {"active", RP_COL_BOOL},
    {"created_at", RP_COL_TIME},
    {"updated_at", RP_COL_TIME},
    {"last_status", RP_COL_TEXT},
    {"last_response_code", RP_COL_INT},
    {"last_error", RP_COL_TEXT},
    {"last_attempt_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_WEBHOOK = {"webhook", "webhooks", webhook_columns,
                                     COUNT(webhook_columns), 0};

static const rp_column event_columns[] = {
    {"kind", RP_COL_TEXT},        {"customer_id", RP_COL_INT},
    {"encounter_id", RP_COL_INT}, {"actor", RP_COL_TEXT},
    {"data", RP_COL_JSON},        {"occurred_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_EVENT = {"event", "events", event_columns,
                                   COUNT(event_columns), 0};

const rp_entity *const rp_entities[] = {
    &RP_ENTITY_CUSTOMER,     &RP_ENTITY_ENCOUNTER,
    &RP_ENTITY_MOMENT,       &RP_ENTITY_TRANSFER,
    &RP_ENTITY_DEFECT,       &RP_ENTITY_SPECIAL_REQUEST,
    &RP_ENTITY_PROMISE,      &RP_ENTITY_RELATIONSHIP_LEVEL,
    &RP_ENTITY_TASK,         &RP_ENTITY_SATISFACTION,
    &RP_ENTITY_PREFERENCE,   &RP_ENTITY_GOAL,
    &RP_ENTITY_DATE,         &RP_ENTITY_CONSENT,
    &RP_ENTITY_PRODUCT,      &RP_ENTITY_OFFER,
    &RP_ENTITY_LOYALTY_TIER, &RP_ENTITY_AGENT,
    &RP_ENTITY_QUEUE,        &RP_ENTITY_KB_ARTICLE,
    &RP_ENTITY_KB_FEEDBACK,  &RP_ENTITY_IDENTITY,
    &RP_ENTITY_MESSAGE,      &RP_ENTITY_ATTACHMENT_BLOB,
    &RP_ENTITY_ATTACHMENT,   &RP_ENTITY_KEPT_MAIL,
    &RP_ENTITY_WEBHOOK,      &RP_ENTITY_EVENT,
};
const size_t rp_nentities = COUNT(rp_entities);
