/*
 * openapi.c - the OpenAPI 3.1 document of /api/v1, made from the route
 * table and the entity catalogue, so the contract cannot leave a route out
 * or drift from what the server does.
 *
 * From each route (routes.c) come its path and method, path parameters,
 * query parameters (a list's limit and cursor, and the ones it declares),
 * who may call it, its summary, its success status and the schemas of
 * its request and reply, named by .request and .reply.  Those names are
 * the components of this file's table (schemas[] below): most are an
 * entity of the catalogue (store/entity.c), every column with its type,
 * and the few fields the core adds to a record or leaves out of it; the
 * others, the answers of the handlers that build their own JSON, are
 * written out here as JSON Schema.  A request's fields and limits come
 * from the core's own field tables (rp_field, base/input.h), the ones
 * the core checks its input with.
 *
 * Every operation also answers the one error shape of rapport, {"error":
 * {"code", "message", "field"}}, with each code's status.
 *
 * `rapportd --openapi` prints the document; GET /api/v1/openapi.json
 * serves it; docs/openapi.json keeps it in the repository
 * (scripts/gen-api-docs writes it, and a test fails when it differs); and
 * every /api/v1 response the end-to-end tests receive is checked against
 * it (tests/contract).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"

/* Fields left out of a schema entry are zero: no entity, no patch,
 * application/json. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/*
 * A component schema.  With an entity: an object with id and every column
 * of the entity, each of its column's type (nullable: the catalogue does
 * not say which columns may be null), all present, and nothing else; then
 * `patch` (JSON Schema properties, quoted with ' instead of ") adds the
 * fields the core puts on the record, gives a JSON column its shape, or
 * with `false` says a column is never shown.  Without an entity: `patch`
 * is the whole schema.
 */
typedef struct schema_def {
    const char *name;
    const rp_entity *entity;
    const char *patch;
    const char *media; /* the reply's media type; NULL: application/json */
    const char *also;  /* another media type it may come in, as text */
} schema_def;

/* Reused pieces of schema text. */
#define STRINGS "{'type':'array','items':{'type':'string'}}"
#define NSTRING "{'type':['string','null']}"
#define NTIME "{'type':['string','null'],'format':'date-time'}"
#define PAGE_OF(items)                                                         \
    "{'type':'object','required':['items','next_cursor'],"                     \
    "'additionalProperties':false,'properties':{'items':{'type':'array',"      \
    "'items':" items "},'next_cursor':" NSTRING "}}"

/* clang-format off */
#define REF(name) "{'$ref':'#/components/schemas/" name "'}"
#define ITEMS_OF(name)                                                         \
    "{'type':'object','required':['items'],'additionalProperties':false,"     \
    "'properties':{'items':{'type':'array','items':" REF(name) "}}}"
#define INT "{'type':'integer'}"
#define NINT "{'type':['integer','null']}"
#define NUMBER "{'type':'number'}"
#define NNUMBER "{'type':['number','null']}"
#define BOOL "{'type':'boolean'}"
#define STRING "{'type':'string'}"
#define TIME "{'type':'string','format':'date-time'}"
#define OBJECT "{'type':'object'}"
#define ARRAY "{'type':'array'}"
#define IDS "{'type':'array','items':{'type':'integer'}}"
/* The JSON columns of an encounter and a product, with their shapes. */
#define ENCOUNTER_LISTS                                                        \
    "'questions':{'type':['array','null']},"                                  \
    "'options':{'type':['array','null']},"                                    \
    "'preferences_captured':{'type':['array','null']}"
#define PRODUCT_LISTS                                                          \
    "'attributes':{'type':['object','null']},'tags':" STRINGS                 \
    ",'related':" IDS
/* A token's limits: read only, to some resources, to some queues (null:
 * no limit of that kind). */
#define TOKEN_LIMITS_REQUIRED "'read_only','resources','queues'"
#define TOKEN_LIMITS                                                           \
    "'read_only':" BOOL ",'resources':{'type':['array','null'],"              \
    "'items':{'type':'string'}},'queues':{'type':['array','null'],"           \
    "'items':{'type':'integer'}}"
/* A charter target judged: the target, how long it took, kept or not. */
#define JUDGED                                                                 \
    "{'type':'object','required':['target_seconds','actual_seconds',"         \
    "'breached'],'additionalProperties':false,'properties':{"                 \
    "'target_seconds':" INT ",'actual_seconds':" INT ",'breached':" BOOL ","  \
    "'calendar_seconds':" INT ",'due_at':" TIME "}}"

/* The parameters a moment's detail carries, by kind (what its summary
 * says; recorded since the console says moments in the agent's language:
 * older moments may lack them, and a client then shows the summary). */
#define MOMENT_DETAIL_WORDS                                                    \
    "what the moment's summary says, as stable parameters (null when "       \
    "erased). Times are RFC 3339 strings, or Unix seconds where named "       \
    "*_seconds or on a task moved. customer.created: name, or via "           \
    "(phone, email) and from. customer.updated: fields. customer.merged: "    \
    "merged_id, merged_name, reason. customer.erasure_requested, "            \
    "customer.erased: requested_by, erased_by. profile.changed, "             \
    "consent.changed: kind (preferences, goals, dates, consents), action "     \
    "(recorded, changed, removed), item (key, value, firmness, title, "       \
    "status, date_kind, at, purpose, granted). relationship.changed: "        \
    "previous_level, level, reasons (each with its rule), cause. "            \
    "encounter.opened: subject, waited_seconds, previous_encounter_id. "      \
    "encounter.routed: queue, agent, agent_id, by. encounter.acknowledged: "  \
    "wait_seconds, greeted_as. encounter.understood, helped, kept, closed: "  \
    "stage, facts, agreement, no_agreement_reason, kind, exchange, "          \
    "satisfaction (checked, scheduled, skipped), outcome_done, loyalty "      \
    "(tier, discount_percent). encounter.abandoned: stage, waited_seconds, "  \
    "reason. encounter.reopened: after (closed, abandoned). "                 \
    "encounter.taken, encounter.assigned: agent, previous_agent (names as "    \
    "they were), reason. encounter.transferred: reason. encounter.recorded: " \
    "fields, apology (given, owed, none: only the apology was recorded). "     \
    "defect.recorded: defect_kind, cause. special_request.*: description, "   \
    "decline_reason. promise.made: what, due_at. promise.kept, "               \
    "promise.broken: what. charter.breached: target, target_seconds, "         \
    "over_by_seconds, business_hours. follow_up.scheduled: subject, due_at. " \
    "*.moved: due_at, previous_due_at, reason. *.done: subject, note. "       \
    "satisfaction.scheduled: due_at, next_day. satisfaction.answered: "       \
    "score, words. task.sent: task_kind, via, subject. message.received, "    \
    "message.replied, message.noted: excerpt, first_response. "               \
    "message.failed: failure (bounced, not_sent), reason. offer.shown: "      \
    "products. offer.accepted, offer.declined: product, reason. "             \
    "kb.feedback: title, helped. export.*: granted. retention.*: count, "     \
    "months."

static const schema_def schemas[] = {
    /* ---- the records of the catalogue, as the core shows them ---------- */
    {"Customer", &RP_ENTITY_CUSTOMER,
     "{'emails':" STRINGS ",'phones':" STRINGS ","
     "'relationship_reasons':{'type':['array','null']},"
     "'greeting_name':" STRING "}"},
    {"Encounter", &RP_ENTITY_ENCOUNTER, "{" ENCOUNTER_LISTS "}"},
    {"Moment", &RP_ENTITY_MOMENT, NULL},
    {"Transfer", &RP_ENTITY_TRANSFER, NULL},
    {"Defect", &RP_ENTITY_DEFECT, NULL},
    {"SpecialRequest", &RP_ENTITY_SPECIAL_REQUEST, NULL},
    {"Promise", &RP_ENTITY_PROMISE, NULL},
    {"Task", &RP_ENTITY_TASK, NULL},
    {"Satisfaction", &RP_ENTITY_SATISFACTION, NULL},
    {"Preference", &RP_ENTITY_PREFERENCE, NULL},
    {"Goal", &RP_ENTITY_GOAL, "{'tags':" STRINGS "}"},
    /* the column "location" is shown as "where" */
    {"ImportantDate", &RP_ENTITY_DATE, "{'location':false,'where':" NSTRING "}"},
    {"Consent", &RP_ENTITY_CONSENT, NULL},
    {"Product", &RP_ENTITY_PRODUCT, "{" PRODUCT_LISTS "}"},
    {"Offer", &RP_ENTITY_OFFER, NULL},
    {"LoyaltyTier", &RP_ENTITY_LOYALTY_TIER, NULL},
    {"Agent", &RP_ENTITY_AGENT, "{'skills':" STRINGS "}"},
    {"Queue", &RP_ENTITY_QUEUE,
     "{'skills':" STRINGS ",'topics':" STRINGS ",'channels':" STRINGS "}"},
    {"Article", &RP_ENTITY_KB_ARTICLE, "{'tags':" STRINGS "}"},
    {"ArticleFeedback", &RP_ENTITY_KB_FEEDBACK, NULL},
    /* a message with its attachments; the outbox's claim is not shown */
    {"Message", &RP_ENTITY_MESSAGE,
     "{'refs':{'type':['array','null']},'next_attempt_at':false,"
     "'claimed_by':false,'claimed_at':false,"
     "'attachments':{'type':'array','items':" REF("AttachmentInfo") "}}"},
    {"KeptMail", &RP_ENTITY_KEPT_MAIL, NULL},

    /* ---- records with what the core adds to them ------------------------ */
    /* an encounter in a work list, with the names a list shows */
    {"EncounterInList", &RP_ENTITY_ENCOUNTER,
     "{" ENCOUNTER_LISTS ",'customer_name':" NSTRING
     ",'customer_preferred_name':" NSTRING ",'queue_name':" NSTRING
     ",'agent_name':" NSTRING "}"},
    {"Assignees", NULL,
     "{'type':'object','required':['items'],'additionalProperties':false,"
     "'properties':{'items':{'type':'array','items':{'type':'object',"
     "'required':['id','name','role','available'],"
     "'additionalProperties':false,'properties':{'id':" INT ","
     "'name':" NSTRING ",'role':" STRING ",'available':" BOOL "}}}}}"},
    {"WorklistCounts", NULL,
     "{'type':'object','required':['mine','unassigned','open','over_target',"
     "'closed_recently','closed_since','queues','changed'],"
     "'additionalProperties':false,'properties':{'mine':" INT ","
     "'unassigned':" INT ",'open':" INT ",'over_target':" INT ","
     "'closed_recently':" INT ",'closed_since':" TIME ","
     "'queues':{'type':'array','items':{'type':'object','required':["
     "'queue_id','name','open','unassigned','mine','over_target',"
     "'closed_recently'],'additionalProperties':false,'properties':{"
     "'queue_id':" NINT ",'name':" NSTRING ",'open':" INT ","
     "'unassigned':" INT ",'mine':" INT ",'over_target':" INT ","
     "'closed_recently':" INT "}}},'changed':" STRING "}}"},
    {"EncounterWithMeasures", &RP_ENTITY_ENCOUNTER,
     "{" ENCOUNTER_LISTS ",'measures':" REF("Measures") "}"},
    {"ProductWithRelated", &RP_ENTITY_PRODUCT,
     "{" PRODUCT_LISTS ",'related_products':{'type':'array','items':"
     REF("Product") "}}"},
    {"Measures", NULL,
     "{'type':'object','required':['queue_wait_seconds','waiting',"
     "'first_response_seconds','resolution_seconds','abandoned',"
     "'abandon_reason','first_contact_resolved','transfers','charter'],"
     "'additionalProperties':false,'properties':{"
     "'queue_wait_seconds':" INT ",'waiting':" BOOL ","
     "'first_response_seconds':" NINT ",'resolution_seconds':" NINT ","
     "'abandoned':" BOOL ",'abandon_reason':" NSTRING ","
     "'first_contact_resolved':{'type':['boolean','null']},"
     "'encounter_id':" INT ",'customer_id':" INT ",'stage':" STRING ","
     "'transfers':" INT ",'queue_wait_business_seconds':" INT ","
     "'first_response_business_seconds':" NINT ","
     "'resolution_business_seconds':" NINT ",'business_hours':" BOOL ","
     "'charter_version':" NINT ",'charter':{'type':'object','required':["
     "'acknowledge','first_response','resolution'],"
     "'additionalProperties':false,'properties':{'acknowledge':" JUDGED ","
     "'first_response':" JUDGED ",'resolution':" JUDGED "}}}}"},
    {"AttachmentInfo", NULL,
     "{'type':'object','required':['id','filename','content_type','size',"
     "'inline','content_id'],'additionalProperties':false,'properties':{"
     "'id':" INT ",'filename':" NSTRING ",'content_type':" STRING ","
     "'size':" INT ",'inline':" BOOL ",'content_id':" NSTRING "}}"},

    /* ---- lists that are not pages -------------------------------------- */
    {"Preferences", NULL, ITEMS_OF("Preference")},
    {"Goals", NULL, ITEMS_OF("Goal")},
    {"ImportantDates", NULL, ITEMS_OF("ImportantDate")},
    {"Consents", NULL, ITEMS_OF("Consent")},
    {"LoyaltyTiers", NULL, ITEMS_OF("LoyaltyTier")},
    {"ArticleHits", NULL, ITEMS_OF("ArticleHit")},
    {"ArticleTags", NULL, ITEMS_OF("ArticleTag")},
    {"ArticleTag", NULL,
     "{'type':'object','required':['tag','articles'],"
     "'additionalProperties':false,'properties':{'tag':" STRING ","
     "'articles':" INT "}}"},
    {"ArticleHit", NULL,
     "{'type':'object','required':['id','title','tags','helped',"
     "'not_helped','relevance','score','title_html','snippet_html'],"
     "'additionalProperties':false,'properties':{'id':" INT ","
     "'title':" STRING ",'tags':" STRINGS ",'helped':" INT ","
     "'not_helped':" INT ",'relevance':" NUMBER ",'score':" NUMBER ","
     "'title_html':" STRING ",'snippet_html':" STRING "}}"},

    /* ---- sessions and tokens -------------------------------------------- */
    {"Session", NULL,
     "{'type':'object','required':['agent','csrf_token'],"
     "'additionalProperties':false,'properties':{'agent':" REF("Agent") ","
     "'csrf_token':{'type':['string','null'],'description':'send it as "
     "X-CSRF-Token with every change made with the session; null when "
     "signed in with a token'}}}"},
    {"LoggedOut", NULL,
     "{'type':'object','required':['logged_out'],"
     "'additionalProperties':false,'properties':{'logged_out':" BOOL "}}"},
    {"Token", NULL,
     "{'type':'object','required':['id','agent_id','name','created_at',"
     "'expires_at','last_used_at','revoked_at'," TOKEN_LIMITS_REQUIRED "],"
     "'additionalProperties':false,'properties':{'id':" INT ","
     "'agent_id':" INT ",'name':" NSTRING ",'scope':" STRING ","
     "'created_at':" TIME ",'expires_at':" NTIME ",'last_used_at':" NTIME ","
     "'revoked_at':" NTIME "," TOKEN_LIMITS "}}"},
    {"NewToken", NULL,
     "{'type':'object','required':['id','agent_id','name','scope',"
     "'created_at','expires_at','last_used_at','revoked_at','token',"
     TOKEN_LIMITS_REQUIRED "],"
     "'additionalProperties':false,'properties':{'id':" INT ","
     "'agent_id':" INT ",'name':" NSTRING ",'scope':" STRING ","
     "'created_at':" TIME ",'expires_at':" NTIME ",'last_used_at':" NTIME ","
     "'revoked_at':" NTIME "," TOKEN_LIMITS ",'token':{'type':'string','description':'the "
     "secret, shown only here'}}}"},
    {"RevokedToken", NULL,
     "{'type':'object','required':['id','revoked'],"
     "'additionalProperties':false,'properties':{'id':" INT ","
     "'revoked':" BOOL "}}"},

    /* ---- customers: overview, loyalty, satisfaction, offers ------------- */
    {"CustomerOverview", NULL,
     "{'type':'object','required':['customer','relationship','preferences',"
     "'open_encounters','open_promises','follow_ups','latest_moments',"
     "'satisfaction','encounters_by_kind','encounters_by_exchange',"
     "'encounters_set_by_agent'],"
     "'additionalProperties':false,'properties':{"
     "'customer':" REF("Customer") ",'relationship':" REF("Relationship") ","
     "'preferences':" ARRAY ",'open_encounters':" ARRAY ","
     "'open_promises':" ARRAY ",'follow_ups':" ARRAY ","
     "'latest_moments':" ARRAY ",'satisfaction':{'type':'object',"
     "'required':['count','average','words'],'properties':{"
     "'count':" NINT ",'average':" NNUMBER ",'words':" ARRAY "}},"
     "'encounters_by_kind':" OBJECT ",'encounters_by_exchange':" OBJECT ","
     "'encounters_set_by_agent':{'type':'object','required':['kind',"
     "'exchange'],'properties':{'kind':" INT ",'exchange':" INT "}}}}"},
    {"Relationship", NULL,
     "{'type':'object','required':['level','reasons'],'properties':{"
     "'level':" NSTRING ",'reasons':" ARRAY "}}"},
    {"Loyalty", NULL,
     "{'type':'object','required':['customer_id','tier','discount_percent',"
     "'visits','tenure_days','spend','returning','summary','next_tier'],"
     "'additionalProperties':false,'properties':{'customer_id':" INT ","
     "'tier':" STRING ",'discount_percent':" NUMBER ",'visits':" INT ","
     "'tenure_days':" INT ",'spend':" NUMBER ",'returning':" BOOL ","
     "'summary':" STRING ",'next_tier':{'oneOf':[{'type':'null'},"
     REF("LoyaltyTier") "]}}}"},
    {"SatisfactionFigures", NULL,
     "{'type':'object','required':['answered','average_score','positive',"
     "'neutral','negative'],'additionalProperties':false,'properties':{"
     "'answered':" INT ",'average_score':" NNUMBER ",'positive':" INT ","
     "'neutral':" INT ",'negative':" INT "}}"},
    {"Recommendations", NULL,
     "{'type':'object','required':['items','withheld','reason'],"
     "'additionalProperties':false,'properties':{'items':{'type':'array',"
     "'items':{'type':'object','required':['product','reasons'],"
     "'properties':{'product':" OBJECT ",'reasons':" STRINGS ","
     "'score':" INT "}}},'withheld':" BOOL ",'reason':" NSTRING ","
     "'notes':" STRINGS "}}"},
    {"DueFollowUp", NULL,
     "{'type':'object','required':['id','customer_id','encounter_id','kind',"
     "'channel','subject','due_at','status','attempts','last_error',"
     "'agent_id','queue_id','customer_name','customer_preferred_name'],"
     "'additionalProperties':false,'properties':{'id':" INT ","
     "'customer_id':" INT ",'encounter_id':" NINT ",'kind':" STRING ","
     "'channel':" NSTRING ",'subject':" STRING ",'due_at':" NTIME ","
     "'status':" STRING ",'attempts':" INT ",'last_error':" NSTRING ","
     "'agent_id':" NINT ",'queue_id':" NINT ",'customer_name':" STRING ","
     "'customer_preferred_name':" NSTRING "}}"},
    {"OffersShown", NULL,
     "{'type':'object','required':['recorded','already_shown'],"
     "'additionalProperties':false,'properties':{'recorded':" IDS ","
     "'already_shown':" IDS "}}"},
    {"Deleted", NULL,
     "{'type':'object','required':['deleted'],'additionalProperties':false,"
     "'properties':{'deleted':" BOOL "}}"},

    /* ---- encounters ------------------------------------------------------ */
    {"SatisfactionAnswer", &RP_ENTITY_SATISFACTION, "{'token_hash':false}"},
    {"EncounterRecord", NULL,
     "{'type':'object','required':['encounter_id','defects',"
     "'special_requests','promises','transfers','satisfaction'],"
     "'additionalProperties':false,'properties':{'encounter_id':" INT ","
     "'defects':{'type':'array','items':" REF("Defect") "},"
     "'special_requests':{'type':'array','items':" REF("SpecialRequest") "},"
     "'promises':{'type':'array','items':" REF("Promise") "},"
     "'transfers':{'type':'array','items':" REF("Transfer") "},"
     "'satisfaction':{'type':'array','items':" REF("SatisfactionAnswer")
     "}}}"},
    {"SatisfactionOrCheck", NULL,
     "{'description':'the answer recorded, or the check scheduled',"
     "'oneOf':[" REF("Satisfaction") "," REF("Task") "]}"},
    {"Guide", NULL,
     "{'type':'object','required':['encounter_id','stage','greeting',"
     "'customer','relationship','checklist'],'properties':{"
     "'encounter_id':" INT ",'stage':" STRING ",'greeting':" STRING ","
     "'customer':" REF("Customer") ",'relationship':" REF("Relationship") ","
     "'open_promises':" ARRAY ",'open_follow_ups':" ARRAY ","
     "'firm_preferences':" ARRAY ",'checklist':{'type':'array','items':{"
     "'type':'object','required':['skill','done'],'properties':{"
     "'skill':" STRING ",'done':" BOOL ",'hint':" STRING "}}},"
     "'next_stage':" NSTRING ",'missing':{'type':'array','items':{"
     "'type':'object','required':['field','message'],'properties':{"
     "'field':" STRING ",'message':" STRING "}}},"
     "'kind_preview':" OBJECT ",'exchange_preview':" OBJECT ","
     "'loyalty':" REF("Loyalty") "}}"},

    /* ---- measures -------------------------------------------------------- */
    {"Charter", NULL,
     "{'type':'object','required':['acknowledge_minutes',"
     "'first_response_minutes','resolution_hours','follow_up_on_time'],"
     "'additionalProperties':false,'properties':{"
     "'acknowledge_minutes':" INT ",'first_response_minutes':" INT ","
     "'resolution_hours':" INT ",'follow_up_on_time':" BOOL ","
     "'updated_at':" NTIME ",'updated_by':" NSTRING ","
     "'version_id':" NINT "}}"},
    {"Window", NULL,
     "{'type':'object','required':['from','to','queue_id','agent_id'],"
     "'additionalProperties':false,'properties':{'from':" TIME ","
     "'to':" TIME ",'queue_id':" NINT ",'agent_id':" NINT "}}"},
    {"Breaches", NULL,
     "{'type':'object','required':['window','charter','count','counts',"
     "'truncated','items'],'additionalProperties':false,'properties':{"
     "'window':" REF("Window") ",'charter':" REF("Charter") ","
     "'count':" INT ",'counts':{'type':'object','additionalProperties':"
     INT "},'truncated':" BOOL ",'items':{'type':'array','items':{"
     "'type':'object','required':['target_seconds','actual_seconds',"
     "'over_by_seconds'],'properties':{'target_seconds':" INT ","
     "'actual_seconds':" INT ",'over_by_seconds':" NINT "}}}}}"},
    {"CharterVersions", NULL,
     "{'type':'object','required':['items'],'additionalProperties':false,"
     "'properties':{'items':{'type':'array','items':{'type':'object',"
     "'required':['id','starts_at','acknowledge_minutes',"
     "'first_response_minutes','resolution_hours','follow_up_on_time'],"
     "'additionalProperties':false,'properties':{'id':" INT ","
     "'starts_at':" NTIME ",'acknowledge_minutes':" INT ","
     "'first_response_minutes':" INT ",'resolution_hours':" INT ","
     "'follow_up_on_time':" BOOL ",'created_by':" NSTRING "}}}}}"},
    {"Holiday", NULL,
     "{'type':'object','required':['date'],'additionalProperties':false,"
     "'properties':{'date':{'type':'string','format':'date'},"
     "'name':" NSTRING "}}"},
    {"Holidays", NULL,
     "{'type':'object','required':['holidays'],'additionalProperties':false,"
     "'properties':{'holidays':{'type':'array','items':" REF("Holiday") "}}}"},
    {"BusinessHours", NULL,
     "{'type':'object','required':['queue_id','time_zone','intervals',"
     "'around_the_clock','holidays','desk_holidays'],"
     "'additionalProperties':false,'properties':{'queue_id':" INT ","
     "'time_zone':" NSTRING ",'intervals':{'type':'array','items':{"
     "'type':'object','required':['day','open','close'],"
     "'additionalProperties':false,'properties':{'day':" STRING ","
     "'open':" STRING ",'close':" STRING "}}},"
     "'around_the_clock':" BOOL ",'holidays':{'type':'array','items':"
     REF("Holiday") "},'desk_holidays':{'type':'array','items':"
     REF("Holiday") "},'updated_at':" NTIME ",'updated_by':" NSTRING "}}"},
    /* a call told by a phone system (core/telephony) */
    {"CallEvent", NULL,
     "{'type':'object','required':['event','occurred_at'],"
     "'additionalProperties':false,'properties':{'event':" STRING ","
     "'occurred_at':" TIME ",'queue_id':" NINT ",'agent_id':" NINT "}}"},
    {"Call", NULL,
     "{'type':'object','required':['call_id','encounter_id','customer_id',"
     "'state','arrived_at','answered_at','ended_at','abandoned',"
     "'queue_wait_seconds','hold_seconds','holds','on_hold_since',"
     "'transfers','events'],'additionalProperties':false,'properties':{"
     "'call_id':" STRING ",'encounter_id':" INT ",'customer_id':" INT ","
     "'state':{'enum':['queued','answered','on_hold','transferred','ended']},"
     "'arrived_at':" TIME ",'answered_at':" NTIME ",'ended_at':" NTIME ","
     "'abandoned':" BOOL ",'queue_wait_seconds':" INT ","
     "'hold_seconds':" INT ",'holds':" INT ",'on_hold_since':" NTIME ","
     "'transfers':" INT ",'events':{'type':'array','items':" REF(
         "CallEvent") "}}}"},
    {"ServiceMetrics", NULL,
     "{'type':'object','required':['window'],'properties':{"
     "'window':" REF("Window") ",'queues':{'type':'array','items':{"
     "'type':'object','required':['queue_id','encounters','abandoned',"
     "'wait_p50_seconds','wait_p90_seconds'],'additionalProperties':false,"
     "'properties':{'queue_id':" NINT ",'encounters':" INT ","
     "'abandoned':" INT ",'wait_p50_seconds':" NINT ","
     "'wait_p90_seconds':" NINT "}}},'series':{'type':'object',"
     "'required':['bucket','time_zone','buckets'],'properties':{"
     "'bucket':{'enum':['day','week']},'time_zone':" STRING ","
     "'buckets':{'type':'array','items':{'type':'object','required':["
     "'from','to','satisfaction','breaches'],'properties':{'from':" TIME
     ",'to':" TIME ",'satisfaction':" OBJECT ",'breaches':" INT "}}}}},"
     "'charter':{'type':'object','required':['breaches','by_target'],"
     "'properties':{'breaches':" INT ",'by_target':" OBJECT ","
     "'times':{'type':'object','additionalProperties':{'type':'object',"
     "'required':['breaches','over_seconds_average',"
     "'calendar_seconds_average'],'additionalProperties':false,"
     "'properties':{'breaches':" INT ",'over_seconds_average':" NNUMBER
     ",'calendar_seconds_average':" NNUMBER "}}}}}}}"},

    /* ---- tasks, the scheduler, the outbox, mail -------------------------- */
    {"SchedulerRun", NULL,
     "{'type':'object','required':['now','created','claimed','sent','held',"
     "'retried','failed'],'properties':{'now':" TIME ",'created':" INT ","
     "'claimed':" INT ",'sent':" ARRAY ",'held':" ARRAY ","
     "'retried':" ARRAY ",'failed':" ARRAY ",'help_links':" OBJECT ","
     "'charter_breaches':" INT ",'rule_transactions':" INT "}}"},
    {"OutboxRun", NULL,
     "{'type':'object','required':['sent','retried','failed'],"
     "'additionalProperties':false,'properties':{'sent':" ARRAY ","
     "'retried':" ARRAY ",'failed':" ARRAY "}}"},
    {"DeskSettings", NULL,
     "{'type':'object','required':['desk_name','reopen_days',"
     "'phone_country_code'],'properties':{'desk_name':" NSTRING ","
     "'reopen_days':" INT ",'phone_country_code':" NSTRING ","
     "'attachment_max_bytes':" INT ",'flood_messages':" INT ","
     "'flood_minutes':" INT ",'outbox_backoff_seconds':" INT ","
     "'outbox_max_attempts':" INT ",'arrival_max_hours':" INT "}}"},
    {"DeliverySettings", NULL,
     "{'type':'object','required':['smtp_url','smtp_from','smtp_user',"
     "'smtp_password_set','webhook_url','webhook_secret_set'],"
     "'additionalProperties':false,'properties':{'smtp_url':" NSTRING ","
     "'smtp_from':" NSTRING ",'smtp_user':" NSTRING ","
     "'smtp_password_set':" BOOL ",'webhook_url':" NSTRING ","
     "'webhook_secret_set':" BOOL ",'updated_at':" NTIME ","
     "'updated_by':" NSTRING "}}"},
    {"DeliveryStatus", NULL,
     "{'type':'object','required':['email','text_messages'],"
     "'additionalProperties':false,'properties':{'email':{'type':'object',"
     "'required':['configured','source'],'properties':{'configured':" BOOL
     ",'source':" NSTRING "}},'text_messages':{'type':'object',"
     "'required':['configured','source'],'properties':{'configured':" BOOL
     ",'source':" NSTRING "}}}}"},
    {"DeliveryTest", NULL,
     "{'type':'object','required':['sent','to'],'additionalProperties':false,"
     "'properties':{'sent':" BOOL ",'to':" STRING ",'from':" NSTRING ","
     "'problem':" NSTRING "}}"},
    {"MailTaken", NULL,
     "{'type':'object','required':['outcome'],'additionalProperties':false,"
     "'properties':{'outcome':" STRING ",'encounter_id':" INT ","
     "'message_id':" INT ",'customer_id':" INT ","
     "'customer_created':" BOOL ",'reason':" STRING ","
     "'unreadable_id':" INT "}}"},

    /* a file as it was received, under its own media type, as a download */
    {"Download", NULL,
     "{'type':'string','description':'the file, with Content-Disposition: "
     "attachment'}",
     "*/*"},

    /* ---- the audit log --------------------------------------------------- */
    {"AuditEntry", NULL,
     "{'type':'object','required':['id','occurred_at','action','agent_id',"
     "'agent_name','token_id','via','address','method','route','subject',"
     "'subject_id','customer_id','customer_name','status','code','field'],"
     "'additionalProperties':false,'properties':{'id':" INT ","
     "'occurred_at':" TIME ",'action':" STRING ",'agent_id':" NINT ","
     "'agent_name':" NSTRING ",'token_id':" NINT ",'via':" NSTRING ","
     "'address':" NSTRING ",'method':" NSTRING ",'route':" NSTRING ","
     "'subject':" NSTRING ",'subject_id':" NINT ",'customer_id':" NINT ","
     "'customer_name':" NSTRING ",'status':" NINT ",'code':" NSTRING ","
     "'field':" NSTRING ",'what':{'description':'what was read or changed, "
     "when the entry says'},'text':{'description':'the entry in "
     "words'}}}"},

    /* ---- event webhooks -------------------------------------------------- */
    /* a subscription; its secret is shown only when it is made */
    {"Webhook", &RP_ENTITY_WEBHOOK, "{'events':" STRINGS ",'secret':false}"},
    {"NewWebhook", &RP_ENTITY_WEBHOOK,
     "{'events':" STRINGS ",'secret':{'type':'string','description':'the "
     "secret that signs every delivery, shown only here'}}"},
    {"WebhookEventKinds", NULL,
     "{'type':'object','required':['kinds'],'additionalProperties':false,"
     "'properties':{'kinds':" STRINGS "}}"},
    {"WebhookRemoved", NULL,
     "{'type':'object','required':['id','removed'],"
     "'additionalProperties':false,'properties':{'id':" INT ","
     "'removed':" BOOL "}}"},
    {"WebhookDelivery", NULL,
     "{'type':'object','required':['id','delivery_id','event_id','kind',"
     "'status','attempts','response_code','last_error','next_attempt_at',"
     "'delivered_at','created_at'],'additionalProperties':false,"
     "'properties':{'id':" INT ",'delivery_id':" STRING ","
     "'event_id':" INT ",'kind':" STRING ",'status':{'enum':['queued',"
     "'sending','delivered','failed']},'attempts':" INT ","
     "'response_code':" NINT ",'last_error':" NSTRING ","
     "'next_attempt_at':" TIME ",'delivered_at':" NTIME ","
     "'created_at':" TIME "}}"},

    /* ---- CSV in ---------------------------------------------------------- */
    {"ImportReport", NULL,
     "{'type':'object','required':['dry_run','rows','created','updated',"
     "'unchanged','refused','refusals','columns','delimiter'],"
     "'additionalProperties':false,'properties':{'dry_run':" BOOL ","
     "'rows':" INT ",'created':" INT ",'updated':" INT ","
     "'unchanged':" INT ",'refused':" INT ",'refusals':{'type':'array',"
     "'description':'the first refused rows, each with why','items':{"
     "'type':'object','required':['line','reason'],"
     "'additionalProperties':false,'properties':{'line':" INT ","
     "'column':" NSTRING ",'field':" NSTRING ",'reason':" STRING ","
     "'rule':{'type':'string','description':'why, as one of the Error "
     "reasons'},'limit':" INT "}}},"
     "'columns':{'type':'array','items':{'type':'object','required':["
     "'column','field','recognised'],'additionalProperties':false,"
     "'properties':{'column':" STRING ",'field':" NSTRING ","
     "'recognised':" BOOL "}}},'delimiter':" STRING "}}"},

    /* ---- least privilege ------------------------------------------------- */
    {"QueueAccess", NULL,
     "{'type':'object','required':['id','name','restricted','members'],"
     "'additionalProperties':false,'properties':{'id':" INT ","
     "'name':" NSTRING ",'restricted':{'type':['boolean','null']},"
     "'members':" IDS "}}"},

    /* ---- the customer's export ------------------------------------------- */
    /* the archive as JSON, or (format=html) as a page to read */
    {"CustomerArchive", NULL,
     "{'type':'object','required':['format','exported_at','customer',"
     "'identities','preferences','goals','important_dates','consents',"
     "'encounters','encounter_transfers','defects','special_requests',"
     "'promises','messages','attachments','moments','tasks',"
     "'satisfaction_checks','relationship_levels','offers','events',"
     "'help_links','export_requests','erasure_requests','audit',"
     "'charter_breaches'],"
     "'additionalProperties':false,'properties':{'format':" STRING ","
     "'exported_at':" TIME ",'customer':" OBJECT ",'identities':" ARRAY ","
     "'preferences':" ARRAY ",'goals':" ARRAY ",'important_dates':" ARRAY ","
     "'consents':" ARRAY ",'encounters':" ARRAY ","
     "'encounter_transfers':" ARRAY ",'defects':" ARRAY ","
     "'special_requests':" ARRAY ",'promises':" ARRAY ","
     "'messages':" ARRAY ",'attachments':" ARRAY ",'moments':" ARRAY ","
     "'tasks':" ARRAY ",'satisfaction_checks':" ARRAY ","
     "'relationship_levels':" ARRAY ",'offers':" ARRAY ","
     "'events':" ARRAY ",'help_links':" ARRAY ","
     "'export_requests':" ARRAY ",'erasure_requests':" ARRAY ","
     "'audit':" ARRAY ",'charter_breaches':" ARRAY "}}",
     "application/json", "text/html"},
    /* a customer's request for their data; a list adds their name */
    {"ExportRequest", NULL,
     "{'type':'object','required':['id','customer_id','encounter_id',"
     "'status','requested_at','decided_at','decided_by','expires_at'],"
     "'additionalProperties':false,'properties':{'id':" INT ","
     "'customer_id':" INT ",'customer_name':" NSTRING ","
     "'encounter_id':" NINT ",'status':{'enum':['pending','approved',"
     "'declined']},'requested_at':" TIME ",'decided_at':" NTIME ","
     "'decided_by':" NINT ",'expires_at':" NTIME "}}"},

    /* ---- erasure and retention ------------------------------------------- */
    {"Erasure", NULL,
     "{'type':'object','required':['customer_id','state','message'],"
     "'additionalProperties':false,'properties':{'customer_id':" INT ","
     "'state':{'enum':['erased','pending']},'message':" STRING "}}"},
    {"PrivacySettings", NULL,
     "{'type':'object','required':['erasure_approval',"
     "'retention_inactive_years','retention_attachment_months',"
     "'retention_body_months','retention_batch'],"
     "'additionalProperties':false,'properties':{'erasure_approval':{"
     "'enum':['admin','two_people']},'retention_inactive_years':" INT ","
     "'retention_attachment_months':" INT ",'retention_body_months':" INT ","
     "'retention_batch':" INT "}}"},

    /* ---- merging customers, and possible duplicates ---------------------- */
    {"CustomerMerge", NULL,
     "{'type':'object','required':['customer','merged_id','message'],"
     "'additionalProperties':false,'properties':{'customer':" REF("Customer")
     ",'merged_id':" INT ",'message':" STRING "}}"},
    {"CustomerDuplicates", NULL,
     "{'type':'object','required':['customer_id','items'],"
     "'additionalProperties':false,'properties':{'customer_id':" INT ","
     "'items':{'type':'array','items':{'type':'object','required':"
     "['customer_id','name','greeting_name','matches'],"
     "'additionalProperties':false,'properties':{'customer_id':" INT ","
     "'name':" STRING ",'greeting_name':" STRING ",'matches':{'type':'array',"
     "'items':{'type':'object','required':['kind','value','own_value'],"
     "'additionalProperties':false,'properties':{'kind':{'enum':['email',"
     "'phone']},'value':" STRING ",'own_value':" STRING "}}}}}}}}"},

    /* ---- the contract itself --------------------------------------------- */
    {"OpenAPI", NULL,
     "{'type':'object','required':['openapi','info','paths'],"
     "'properties':{'openapi':{'type':'string'},'info':{'type':'object'},"
     "'paths':{'type':'object'}}}"},
    /* a route without .reply: contract_document fails until it has one */
    {"Undescribed", NULL,
     "{'type':'object','description':'not described yet: give the route a "
     ".reply in src/server/routes.c'}"},
    {NULL, NULL, NULL},
};
/* clang-format on */

/* The schema text of a table entry, with ' made ". */
static json_t *parse_patch(const char *name, const char *text)
{
    char *s = strdup(text);
    if (!s)
        return NULL;
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t jerr;
    json_t *v = json_loads(s, 0, &jerr);
    free(s);
    if (!v)
        fprintf(stderr, "rapportd: the OpenAPI schema %s is not JSON: %s\n",
                name, jerr.text);
    return v;
}

static json_t *column_schema(rp_column_type t)
{
    switch (t) {
    case RP_COL_INT: return json_pack("{s:[ss]}", "type", "integer", "null");
    case RP_COL_REAL: return json_pack("{s:[ss]}", "type", "number", "null");
    case RP_COL_TEXT: return json_pack("{s:[ss]}", "type", "string", "null");
    case RP_COL_BOOL: return json_pack("{s:[ss]}", "type", "boolean", "null");
    case RP_COL_TIME:
        return json_pack("{s:[ss], s:s}", "type", "string", "null", "format",
                         "date-time");
    default: return json_object(); /* JSON: any value */
    }
}

/* The schema of an entity's record, patched. */
static json_t *entity_schema(const schema_def *d, json_t *patch)
{
    json_t *props = json_object(), *required = json_array();
    json_object_set_new(
        props, "id", json_pack("{s:s, s:i}", "type", "integer", "minimum", 1));
    json_array_append_new(required, json_string("id"));
    for (size_t i = 0; i < d->entity->ncolumns; i++) {
        const rp_column *c = &d->entity->columns[i];
        json_object_set_new(props, c->name, column_schema(c->type));
        json_t *p = json_object_get(patch, c->name);
        if (!json_is_false(p))
            json_array_append_new(required, json_string(c->name));
    }
    const char *key;
    json_t *v;
    json_object_foreach(patch, key, v) {
        if (!json_object_get(props, key) && !json_is_false(v))
            json_array_append_new(required, json_string(key));
        json_object_set(props, key, v);
    }
    return json_pack("{s:s, s:s, s:o, s:o, s:b}", "type", "object",
                     "description", d->entity->name, "required", required,
                     "properties", props, "additionalProperties", 0);
}

/* The reasons an error may give (base/error.h), for the Error schema. */
static json_t *error_reasons(void)
{
    json_t *out = json_array();
    for (const char *const *r = rp_error_reasons; *r; r++)
        json_array_append_new(out, json_string(*r));
    return out;
}

static void listed_schemas(json_t *out);

static json_t *component_schemas(void)
{
    json_t *out = json_object();
    for (const schema_def *d = schemas; d->name; d++) {
        json_t *patch = d->patch ? parse_patch(d->name, d->patch) : NULL;
        if (d->patch && !patch) {
            json_decref(out);
            return NULL;
        }
        if (d->entity) {
            json_object_set_new(out, d->name, entity_schema(d, patch));
            json_decref(patch);
        } else {
            json_object_set_new(out, d->name, patch);
        }
    }
    /* A moment's kind is one of the core's list, and its detail carries
     * what its summary says as parameters (customer/moment.c). */
    json_t *mprops = json_object_get(json_object_get(out, "Moment"),
                                     "properties");
    if (mprops) {
        json_t *kinds = json_array();
        for (const char *const *k = rp_moment_kinds; *k; k++)
            json_array_append_new(kinds, json_string(*k));
        json_object_set_new(
            mprops, "kind",
            json_pack("{s:s, s:o, s:s}", "type", "string", "enum", kinds,
                      "description",
                      "what happened; a client says the moment in its own "
                      "words from the kind and the detail's parameters, and "
                      "shows the summary (rapport's English) for a kind it "
                      "does not know"));
        json_object_set_new(mprops, "detail",
                            json_pack("{s:[ss], s:s}", "type", "object", "null",
                                      "description", MOMENT_DETAIL_WORDS));
    }
    /* The one error shape of every refusal and failure. */
    json_t *codes = json_array();
    for (int c = RP_OK + 1; c < 64; c++) {
        const char *name = rp_code_name((rp_code)c);
        size_t i;
        json_t *v;
        int seen = 0;
        json_array_foreach(codes, i, v)
            seen |= strcmp(json_string_value(v), name) == 0;
        if (!seen)
            json_array_append_new(codes, json_string(name));
    }
    /* the status each code is answered with, for the response check */
    json_t *statuses = json_object();
    size_t ci;
    json_t *cv;
    json_array_foreach(codes, ci, cv) {
        for (int c = RP_OK + 1; c < 64; c++)
            if (strcmp(rp_code_name((rp_code)c), json_string_value(cv)) == 0) {
                json_object_set_new(statuses, json_string_value(cv),
                                    json_integer(rp_code_http_status(c)));
                break;
            }
    }
    json_object_set_new(
        out, "Error",
        json_pack("{s:s, s:s, s:[s], s:b, s:{s:{s:s, s:[sss], s:b, "
                  "s:{s:{s:s, s:o}, s:{s:s}, s:{s:[ss]}, s:{s:s, s:o}, "
                  "s:{s:s, s:i}}}}}",
                  "type", "object", "description",
                  "a refusal or failure: code says which kind, message says "
                  "why in words a person can act on, field names the field "
                  "at fault (null when no single field is); when a field "
                  "broke one of its rules, reason says which (stable, for a "
                  "client to say in its own words) and limit the most "
                  "characters (too_long) or items (too_many)",
                  "required", "error", "additionalProperties", 0, "properties",
                  "error", "type", "object", "required", "code", "message",
                  "field", "additionalProperties", 0, "properties", "code",
                  "type", "string", "enum", codes, "message", "type", "string",
                  "field", "type", "string", "null", "reason", "type", "string",
                  "enum", error_reasons(), "limit", "type", "integer",
                  "minimum", 1));
    json_object_set_new(json_object_get(out, "Error"), "x-rapport-status",
                        statuses);
    listed_schemas(out);
    return out;
}

/* For each record a projected list shows, "<Name>InList": the record's
 * schema with only id required, since ?fields= and the projection choose
 * the others. */
static void listed_schemas(json_t *out)
{
    for (const rp_route *r = rp_routes; r->method; r++) {
        char key[128];
        json_t *full = r->reply ? json_object_get(out, r->reply) : NULL;
        if (!r->projection || !full)
            continue;
        snprintf(key, sizeof key, "%sInList", r->reply);
        if (json_object_get(out, key))
            continue;
        rp_buf b = RP_BUF_INIT;
        rp_buf_printf(&b, "%s as a list shows it: by default only ", r->reply);
        for (const char *const *f = r->projection; *f; f++)
            rp_buf_printf(&b, "%s%s", f == r->projection ? "" : ", ", *f);
        rp_buf_puts(&b, "; the fields named in fields, or every field with "
                        "view=full");
        json_t *c = json_deep_copy(full);
        json_object_set_new(c, "required", json_pack("[s]", "id"));
        json_object_set_new(c, "description", json_string(rp_buf_str(&b)));
        json_object_set_new(out, key, c);
        rp_buf_free(&b);
    }
}

static const schema_def *schema_named(const char *name)
{
    for (const schema_def *d = schemas; d->name; d++)
        if (strcmp(d->name, name) == 0)
            return d;
    return NULL;
}

static json_t *ref(const char *name)
{
    char buf[160];
    snprintf(buf, sizeof buf, "#/components/schemas/%s", name);
    return json_pack("{s:s}", "$ref", buf);
}

/* A path parameter: {token} is the customer's secret link, every other
 * one an id (a decimal number from 1). */
static json_t *path_param(const char *name, size_t len)
{
    json_t *schema = len == 5 && strncmp(name, "token", 5) == 0
                         ? json_pack("{s:s}", "type", "string")
                         : json_pack("{s:s, s:i}", "type", "integer", "minimum",
                                     1);
    return json_pack("{s:s%, s:s, s:b, s:o}", "name", name, len, "in", "path",
                     "required", 1, "schema", schema);
}

/* A declared query parameter: the route table's type words as schema. */
static json_t *query_param(const rp_param *p)
{
    json_t *schema;
    int lo, hi;
    if (strcmp(p->type, "id") == 0)
        schema = json_pack("{s:s, s:i}", "type", "integer", "minimum", 1);
    else if (strcmp(p->type, "time") == 0)
        schema = json_pack("{s:s, s:s}", "type", "string", "format",
                           "date-time");
    else if (strcmp(p->type, "true or false") == 0)
        schema = json_pack("{s:s}", "type", "boolean");
    else if (sscanf(p->type, "%d-%d", &lo, &hi) == 2)
        schema = json_pack("{s:s, s:i, s:i}", "type", "integer", "minimum", lo,
                           "maximum", hi);
    else
        schema = json_pack("{s:s}", "type", "string");
    if (p->values) {
        json_t *values = json_array();
        for (int i = 0; p->values[i]; i++)
            json_array_append_new(values, json_string(p->values[i]));
        json_object_set_new(schema, "enum", values);
    }
    json_t *q = json_pack("{s:s, s:s, s:o}", "name", p->name, "in", "query",
                          "schema", schema);
    if (p->meaning) {
        json_object_set_new(q, "description", json_string(p->meaning));
        if (strncmp(p->meaning, "required", 8) == 0)
            json_object_set_new(q, "required", json_true());
    }
    return q;
}

static json_t *parameters(const rp_route *r)
{
    json_t *out = json_array();
    for (const char *p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (end)
            json_array_append_new(out,
                                  path_param(p + 1, (size_t)(end - p - 1)));
    }
    if (r->shape == RP_SHAPE_LIST) {
        json_array_append_new(
            out,
            json_pack("{s:s, s:s, s:s, s:{s:s, s:i, s:i, s:i}}", "name",
                      "limit", "in", "query", "description",
                      "how many items a page holds", "schema", "type",
                      "integer", "minimum", 1, "maximum", 500, "default", 50));
        json_array_append_new(
            out, json_pack("{s:s, s:s, s:s, s:{s:s}}", "name", "cursor", "in",
                           "query", "description",
                           "the next_cursor of the page before, to read on",
                           "schema", "type", "string"));
    }
    if (r->projection) {
        rp_buf b = RP_BUF_INIT;
        for (const char *const *f = r->projection; *f; f++)
            rp_buf_printf(&b, "%s%s", f == r->projection ? "" : ", ", *f);
        json_array_append_new(
            out, json_pack("{s:s, s:s, s:s+, s:{s:s}}", "name", "fields", "in",
                           "query", "description",
                           "the fields each item holds, by name, separated by "
                           "commas (id always); by default: ",
                           rp_buf_str(&b), "schema", "type", "string"));
        json_array_append_new(
            out,
            json_pack("{s:s, s:s, s:s, s:{s:s, s:[ss]}}", "name", "view", "in",
                      "query", "description",
                      "full: every field of each item; list (the default): "
                      "the fields a list shows",
                      "schema", "type", "string", "enum", "list", "full"));
        rp_buf_free(&b);
    }
    for (const rp_param *p = r->params; p && p->name; p++)
        json_array_append_new(out, query_param(p));
    return out;
}

/* 1 for a method that carries a body. */
static int takes_body(const rp_route *r)
{
    return !strcmp(r->method, "POST") || !strcmp(r->method, "PUT") ||
           !strcmp(r->method, "PATCH");
}

/* The body of a route: the core's field table of it, the raw text of a
 * mail or CSV route; a route that takes a JSON body and has no table is
 * only "an object", which the contract test refuses (it names the route
 * and what to add). */
static json_t *request_body(const rp_route *r)
{
    json_t *schema = NULL;
    const char *type = "application/json";
    int required = 1;
    if (r->flags & RP_ROUTE_MAIL) {
        type = "message/rfc822";
        schema = json_pack("{s:s}", "type", "string");
    } else if (r->flags & RP_ROUTE_CSV) {
        type = "text/csv";
        schema = json_pack("{s:s}", "type", "string");
    } else if (r->request) {
        schema = rp_fields_schema(r->request, strcmp(r->method, "PATCH") != 0);
        required = !(r->flags & RP_ROUTE_BODY_OPTIONAL);
    } else if (takes_body(r)) {
        schema = json_pack("{s:s}", "type", "object");
    } else {
        return NULL;
    }
    return json_pack("{s:b, s:{s:{s:o}}}", "required", required, "content",
                     type, "schema", schema);
}

/* An item of a projected list: the component made for it (listed_schemas). */
static json_t *listed(const char *name)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%sInList", name);
    return ref(buf);
}

/* The reply of a success: the named schema, or a page of them. */
static json_t *success(const rp_route *r, int status)
{
    json_t *schema;
    const char *name = r->reply ? r->reply : "Undescribed";
    if (r->shape == RP_SHAPE_LIST) {
        json_t *page = parse_patch("page", PAGE_OF("{}"));
        json_object_set_new(
            json_object_get(json_object_get(page, "properties"), "items"),
            "items", r->projection ? listed(name) : ref(name));
        schema = page;
    } else {
        schema = ref(name);
    }
    const schema_def *d = schema_named(name);
    json_t *resp = json_pack("{s:s, s:{s:{s:o}}}", "description",
                             r->summary ? r->summary : "success", "content",
                             d && d->media ? d->media : "application/json",
                             "schema", schema);
    if (d && d->also)
        json_object_set_new(json_object_get(resp, "content"), d->also,
                            json_pack("{s:{s:s}}", "schema", "type", "string"));
    if (status == 201 && r->shape == RP_SHAPE_CREATE)
        json_object_set_new(resp, "headers",
                            json_pack("{s:{s:s, s:{s:s}}}", "Location",
                                      "description",
                                      "the path of the new record", "schema",
                                      "type", "string"));
    return resp;
}

/* "get_customers_by_id_moments" for GET /api/v1/customers/{id}/moments. */
static json_t *operation_id(const rp_route *r)
{
    rp_buf b = RP_BUF_INIT;
    for (const char *m = r->method; *m; m++)
        rp_buf_append(&b, &(char){(char)(*m | 0x20)}, 1);
    const char *p = r->pattern + strlen("/api/v1");
    while (*p) {
        p++; /* the slash */
        size_t n = strcspn(p, "/");
        rp_buf_puts(&b, "_");
        if (*p == '{') {
            rp_buf_puts(&b, "by_");
            rp_buf_append(&b, p + 1, n - 2);
        } else {
            for (size_t i = 0; i < n; i++)
                rp_buf_append(&b, strchr(".-", p[i]) ? "_" : &p[i], 1);
        }
        p += n;
    }
    json_t *id = json_string(rp_buf_str(&b));
    rp_buf_free(&b);
    return id;
}

/*
 * The 503 of a route served on a lane of its own (http.c's lane_of): the
 * password threads, or the slow-work threads (always, or when its
 * slow_with parameter is given), whose bounded queue, when full, turns a
 * request away at once with Retry-After rather than let it wait.  NULL
 * for a route served on the HTTP workers, which has no such answer.
 */
static json_t *busy_response(const rp_route *r)
{
    char what[240];
    if (r->flags & RP_ROUTE_PASSWORD)
        snprintf(what, sizeof what,
                 "busy checking other passwords (the password threads' "
                 "queue is full, RAPPORT_PASSWORD_QUEUE): try again after "
                 "Retry-After seconds");
    else if (r->flags & RP_ROUTE_SLOW)
        snprintf(what, sizeof what,
                 "busy with other searches and reports (the slow-work "
                 "threads' queue is full, RAPPORT_SLOW_QUEUE): try again "
                 "after Retry-After seconds");
    else if (r->slow_with)
        snprintf(what, sizeof what,
                 "with %s, busy with other searches and reports (the "
                 "slow-work threads' queue is full, RAPPORT_SLOW_QUEUE): "
                 "try again after Retry-After seconds",
                 r->slow_with);
    else
        return NULL;
    return json_pack("{s:s, s:{s:{s:s, s:{s:s, s:i}}}, s:{s:{s:o}}}",
                     "description", what, "headers", "Retry-After",
                     "description", "seconds to wait before trying again",
                     "schema", "type", "integer", "minimum", 1, "content",
                     "application/json", "schema", ref("Error"));
}

static json_t *operation(const rp_route *r)
{
    json_t *op = json_object();
    json_object_set_new(op, "operationId", operation_id(r));
    if (r->summary)
        json_object_set_new(op, "summary", json_string(r->summary));
    /* the tag: the first segment after /api/v1/ */
    const char *t = r->pattern + strlen("/api/v1/");
    json_object_set_new(op, "tags", json_pack("[s%]", t, strcspn(t, "/")));
    json_object_set_new(op, "x-rapport-access",
                        json_string(rp_access_name(r->access)));
    json_object_set_new(op, "x-rapport-shape",
                        json_string(rp_shape_name(r->shape)));
    if (r->access == RP_ACCESS_PUBLIC)
        json_object_set_new(op, "security", json_array());
    else if (r->access == RP_ACCESS_MAIL)
        json_object_set_new(op, "security", json_pack("[{s:[]}]", "token"));
    json_t *params = parameters(r);
    if (json_array_size(params))
        json_object_set_new(op, "parameters", params);
    else
        json_decref(params);
    json_t *body = request_body(r);
    if (body)
        json_object_set_new(op, "requestBody", body);
    int status = r->status                     ? r->status
                 : r->shape == RP_SHAPE_CREATE ? 201
                                               : 200;
    char code[8];
    snprintf(code, sizeof code, "%d", status);
    json_object_set_new(
        op, "responses",
        json_pack("{s:o, s:{s:s, s:{s:{s:o}}}}", code, success(r, status),
                  "default", "description",
                  "a refusal or failure, with the status of its code",
                  "content", "application/json", "schema", ref("Error")));
    if (r->flags & RP_ROUTE_RETRY_200)
        json_object_set_new(json_object_get(op, "responses"), "200",
                            success(r, 200));
    json_t *busy = busy_response(r);
    if (busy)
        json_object_set_new(json_object_get(op, "responses"), "503", busy);
    return op;
}

/* Check that every route names schemas the table holds; say which not. */
static int routes_checked(void)
{
    int ok = 1;
    for (const rp_route *r = rp_routes; r->method; r++)
        if (r->reply && !schema_named(r->reply)) {
            fprintf(stderr,
                    "rapportd: %s %s: .reply names \"%s\", which is not a "
                    "schema of openapi.c\n",
                    r->method, r->pattern, r->reply);
            ok = 0;
        }
    return ok;
}

json_t *rp_openapi_document(void)
{
    if (!routes_checked())
        return NULL;
    json_t *schemas_out = component_schemas();
    if (!schemas_out)
        return NULL;
    json_t *paths = json_object();
    for (const rp_route *r = rp_routes; r->method; r++) {
        if (strncmp(r->pattern, "/api/v1/", 8) != 0)
            continue;
        json_t *item = json_object_get(paths, r->pattern);
        if (!item) {
            item = json_object();
            json_object_set_new(paths, r->pattern, item);
        }
        char method[8];
        size_t i = 0;
        for (; r->method[i] && i < sizeof method - 1; i++)
            method[i] = (char)(r->method[i] | 0x20);
        method[i] = '\0';
        json_object_set_new(item, method, operation(r));
    }
    return json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:o, s:[{s:[]}, {s:[]}], s:{s:o, s:{s:{s:s, "
        "s:s, s:s}, s:{s:s, s:s, s:s, s:s}}}}",
        "openapi", "3.1.0", "info", "title", "rapport", "version", RP_VERSION,
        "description",
        "The JSON API of the rapport customer-service desk.  Made by "
        "`rapportd --openapi` from the server's route table and the "
        "rules that check its input; docs/api.md says more about each "
        "resource.  Every refusal and failure answers the Error shape, "
        "with the status of its code (the Error schema's x-rapport-status "
        "lists them).",
        "paths", paths, "security", "token", "session", "components", "schemas",
        schemas_out, "securitySchemes", "token", "type", "http", "scheme",
        "bearer", "description",
        "an API token (`rapport token create`, or POST /api/v1/tokens)",
        "session", "type", "apiKey", "in", "cookie", "name", RP_SESSION_COOKIE,
        "description",
        "the console's session (POST /api/v1/session); a change made with "
        "it must carry the X-CSRF-Token header");
}

int rp_openapi_print(FILE *out)
{
    json_t *doc = rp_openapi_document();
    if (!doc)
        return -1;
    int rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(doc);
    return rc;
}

/* The document is the same for the life of the process: made once. */
static pthread_once_t served_once = PTHREAD_ONCE_INIT;
static json_t *served;

static void make_served(void)
{
    served = rp_openapi_document();
}

int rp_openapi_has_field(const char *reply, const char *name)
{
    pthread_once(&served_once, make_served);
    json_t *schema = json_object_get(
        json_object_get(json_object_get(served, "components"), "schemas"),
        reply);
    json_t *prop = json_object_get(json_object_get(schema, "properties"), name);
    return prop && !json_is_false(prop);
}

void rp_h_openapi(rp_request *req, rp_response *res)
{
    (void)req;
    pthread_once(&served_once, make_served);
    if (!served) {
        rp_reply_fail(res, RP_EINTERNAL, NULL,
                      "the OpenAPI document could not be made");
        return;
    }
    /* a copy: jansson's dump marks what it visits, so two threads must
     * not dump one value at once */
    rp_reply_json(res, 200, json_deep_copy(served));
}
