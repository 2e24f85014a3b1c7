/*
 * encounter.h - an encounter and the interaction cycle of seed 004
 * (receiving, understanding, helping, keeping), what an encounter records,
 * its kind (seed 000) and exchange (seed 002), and the agent's guide.
 *
 * The rules are written down in docs/rules.md; the pure rule functions at
 * the end of this header (rp_cycle_*, rp_kind_infer, rp_exchange_infer)
 * take plain facts and no store, so unit tests check every rule without a
 * database.
 */
#ifndef RP_ENCOUNTER_H
#define RP_ENCOUNTER_H

#include <jansson.h>
#include <stdint.h>
#include "core/context.h"

/* ---- when the customer arrived (arrival.c) ------------------------------- */

/* How far ahead of this server's clock an arrival may be (clocks that
 * disagree a little); it is then taken as now. */
#define RP_ARRIVAL_SKEW_SECONDS 120
/* The desk's arrival_max_hours: its default and the most it may be. */
#define RP_ARRIVAL_MAX_HOURS_DEFAULT 24
#define RP_ARRIVAL_MAX_HOURS_LIMIT 720

/*
 * Pure: check that at (Unix seconds) is a time a customer may have arrived
 * at, given now and the desk's limit of max_hours back: not more than
 * RP_ARRIVAL_SKEW_SECONDS ahead of now, not more than max_hours before
 * it.  *out is at, or now when at is ahead within the allowance.  A
 * refusal is RP_EINVALID naming field and saying which bound and why.
 */
rp_code rp_arrival_check(int64_t at, int64_t now, int64_t max_hours,
                         const char *field, int64_t *out, rp_error *err);

/*
 * Pure: when a mail arrived, from its Date: header sent_at (0: none): that
 * time when it is within max_hours before now and not after now, else now
 * (a Date: is the sender's word, and a wrong clock must not make a wait).
 */
int64_t rp_arrival_of_mail(int64_t sent_at, int64_t now, int64_t max_hours);

/* The desk's arrival_max_hours (conversation settings) into *out. */
rp_code rp_arrival_max_hours(rp_ctx *ctx, int64_t *out, rp_error *err);

/*
 * The arrival given as the RFC 3339 time at key of in, checked by
 * rp_arrival_check against now and the desk's limit, into *out; now when
 * the key is absent or null.  Errors name key.
 */
rp_code rp_arrival_read(rp_ctx *ctx, json_t *in, const char *key, int64_t now,
                        int64_t *out, rp_error *err);

/* ---- encounters (encounter.c) -------------------------------------------- */

/* The channels an encounter can arrive by, NULL-terminated. */
extern const char *const rp_encounter_channels[];
/* The stages of the interaction cycle, NULL-terminated, in order. */
extern const char *const rp_encounter_stages[];

/*
 * Open an encounter from in: {"customer_id", "channel", "subject"} (all
 * required), "topic" and "arrived_at" (when the customer arrived, called
 * or wrote: bounded by rp_arrival_read; now when absent).  It starts at
 * stage "received"; records a moment of truth.  created_at is when it was
 * opened; its waits and the charter's clocks count from arrived_at.
 */
/* The fields of rp_encounter_open, and their limits (for the API's
 * contract too). */
extern const rp_field rp_encounter_open_fields[];

rp_code rp_encounter_open(rp_ctx *ctx, json_t *in, json_t **out, rp_error *err);

/* What rp_encounter_open_in opens: already checked values. */
typedef struct rp_encounter_opening {
    int64_t customer_id; /* a live customer */
    const char *channel; /* one of rp_encounter_channels */
    const char *subject;
    const char *topic;  /* or NULL */
    int64_t arrived_at; /* checked (rp_arrival_check); 0: now */
    int route;          /* 1: route it by topic and channel now */
    int customer_known; /* 1: the caller read the customer's row in this
                           transaction (it exists): not read again */
} rp_encounter_opening;

/*
 * Open the encounter o inside the caller's write transaction, as
 * rp_encounter_open does (its row, moment, event and, when o->route, its
 * routing); *id gets its id.  For a door that records more in the same
 * transaction (a phone system's call).  A customer_id that names nobody is
 * RP_EINVALID naming "customer_id".
 */
rp_code rp_encounter_open_in(rp_ctx *ctx, const rp_encounter_opening *o,
                             int64_t *id, rp_error *err);

/* The encounter with this id, or RP_ENOTFOUND. */
rp_code rp_encounter_get(rp_ctx *ctx, int64_t id, json_t **out, rp_error *err);

/*
 * A page of encounters, newest first, filtered by customer (0: any) and
 * stage (NULL: any).  *out is {"items", "next_cursor"}.
 */
rp_code rp_encounter_list(rp_ctx *ctx, int64_t customer_id, const char *stage,
                          const rp_page_req *page, json_t **out, rp_error *err);

/* ---- the interaction cycle (cycle.c) ------------------------------------- */

/*
 * Acknowledge the encounter: stop the wait clock.  Sets acknowledged_at (and
 * first_response_at when unset) and writes the moment
 * "encounter.acknowledged".  in may be NULL or {}.  Acknowledging twice
 * changes nothing and returns the encounter; a closed or abandoned
 * encounter is RP_ECONFLICT (field "stage").
 */
rp_code rp_encounter_acknowledge(struct rp_ctx *ctx, int64_t id, json_t *in,
                                 json_t **out, rp_error *err);

/*
 * Acknowledge the encounter enc (a row as rp_encounter_get returns it) as
 * of time at, inside the caller's write transaction: what
 * rp_encounter_acknowledge does, for a fact told later (a phone system's
 * "answered").  Nothing when already acknowledged; RP_ECONFLICT (field
 * "stage") when it is no longer open.  The wait is counted from its
 * arrival.
 */
rp_code rp_encounter_acknowledge_in(struct rp_ctx *ctx, json_t *enc, int64_t at,
                                    rp_error *err);

/*
 * Move the encounter to the next stage: in is {"to": "understood" | "helped"
 * | "kept" | "closed"} plus, optionally, any field rp_encounter_record
 * accepts (recorded in the same transaction, so `close --done ...` is one
 * change).  A stage out of order, or a missing piece, is RP_ECONFLICT whose
 * field names what is missing ("to", "acknowledged_at", "facts",
 * "agreement").  Sets the stage's timestamp, writes the
 * moment "encounter.<stage>"; on close also infers kind and exchange (unless
 * the agent set them), schedules the next-day satisfaction check when none
 * was answered, scheduled or skipped (nextday.c), judges first_contact_resolved
 * (with its reason, by rp_first_contact_judge) and recomputes the customer's
 * relationship level, all in one transaction.
 */
rp_code rp_encounter_advance(struct rp_ctx *ctx, int64_t id, json_t *in,
                             json_t **out, rp_error *err);

/* The fields of an abandonment (for the API's contract too). */
extern const rp_field rp_encounter_abandon_fields[];

/*
 * Abandon an open encounter: in is {"reason"} (required).  Sets
 * abandoned_at, abandon_reason, first_contact_resolved false, and
 * writes the moment "encounter.abandoned".
 */
rp_code rp_encounter_abandon(struct rp_ctx *ctx, int64_t id, json_t *in,
                             json_t **out, rp_error *err);

/*
 * Abandon the encounter enc with reason as of time at, inside the caller's
 * write transaction (the moment says after how long since the customer
 * arrived); RP_ECONFLICT (field "stage") when it is no longer open.
 */
rp_code rp_encounter_abandon_in(struct rp_ctx *ctx, json_t *enc,
                                const char *reason, int64_t at, rp_error *err);

/* ---- recording (record.c) ------------------------------------------------ */

/*
 * Record fields of an open encounter (PATCH): facts, feelings, questions[],
 * restatement, options[], request, goal, preferences_captured[], agreement,
 * no_agreement_reason, outcome_done, outcome_watch, first_contact_resolved,
 * apology_owed, apology_given, kind, exchange, information_requested,
 * senior_level, contract, thanked, bridged, satisfaction_skip_reason, topic.
 * null clears a field; kind or exchange null hands it back to inference.
 * Writes the moment "encounter.recorded".
 */
rp_code rp_encounter_record(struct rp_ctx *ctx, int64_t id, json_t *in,
                            json_t **out, rp_error *err);

/* The fields rp_encounter_record takes, and those of rp_encounter_advance
 * (the stage "to" and the same fields, recorded as it moves). */
extern const rp_field rp_encounter_record_fields[];
extern const rp_field rp_encounter_advance_fields[];

/*
 * Check in against fields (rp_encounter_record_fields, or the advance's)
 * and put the column changes into row.  Exposed for rp_encounter_advance.
 */
rp_code rp_encounter_read_fields(json_t *in, const rp_field *fields,
                                 json_t *row, rp_error *err);

/* The fields of a follow-up, of a satisfaction record or check, and of a
 * task's completion (the body may be left out). */
extern const rp_field rp_encounter_follow_up_fields[];
extern const rp_field rp_encounter_satisfaction_fields[];
extern const rp_field rp_task_complete_fields[];

/* The sub-resources of an encounter; each returns the new row (201) and
 * writes a moment in the same transaction. */

/* The fields of a defect, a special request, a promise and a transfer, and
 * their limits: what the calls below accept, and what the API's contract
 * says they accept. */
extern const rp_field rp_encounter_defect_fields[];
extern const rp_field rp_encounter_special_request_fields[];
extern const rp_field rp_encounter_promise_fields[];
extern const rp_field rp_encounter_transfer_fields[];

/* {"kind": wrong_item|late|missed_promise|not_resolved|long_wait|
 *  disconnected|rude|other, "cause"}: a service breakdown. */
rp_code rp_encounter_add_defect(struct rp_ctx *ctx, int64_t id, json_t *in,
                                json_t **out, rp_error *err);

/* {"description", "outcome": granted|declined, "decline_reason"} (the
 * reason is required when declined, refused when granted). */
rp_code rp_encounter_add_special_request(struct rp_ctx *ctx, int64_t id,
                                         json_t *in, json_t **out,
                                         rp_error *err);

/* {"what", "due_at"}: an expectation set with the customer. */
rp_code rp_encounter_add_promise(struct rp_ctx *ctx, int64_t id, json_t *in,
                                 json_t **out, rp_error *err);

/* {"reason", "to_queue_id"?, "to_agent_id"?}: counts into
 * encounters.transfers; only while the encounter is open. */
/*
 * Record the transfer of the open encounter enc to queue_id and/or
 * agent_id (0: not named; a queue alone is offered to its agent as
 * routing would) for reason, inside the caller's write transaction: the
 * transfer row, the encounter's queue, agent and count, its event and
 * moment.  For a transfer that already happened elsewhere (a phone
 * system's), so no role is asked for.  *transfer_id (may be NULL) gets the
 * new row's id.
 */
rp_code rp_encounter_transfer_in(struct rp_ctx *ctx, json_t *enc,
                                 const char *reason, int64_t queue_id,
                                 int64_t agent_id, int64_t *transfer_id,
                                 rp_error *err);

rp_code rp_encounter_add_transfer(struct rp_ctx *ctx, int64_t id, json_t *in,
                                  json_t **out, rp_error *err);

/* {"due_at", "subject", "channel"?}: a task of kind follow_up with the
 * idempotency key "follow_up:<encounter>:<n>". */
rp_code rp_encounter_add_follow_up(struct rp_ctx *ctx, int64_t id, json_t *in,
                                   json_t **out, rp_error *err);

/* {"score" 1..5, "words"[<=3], "comment"?}: checked in person (a
 * satisfaction_checks row, answered now); or {"schedule_at"}: a task of kind
 * satisfaction_check. */
rp_code rp_encounter_add_satisfaction(struct rp_ctx *ctx, int64_t id,
                                      json_t *in, json_t **out, rp_error *err);

/*
 * Mark a task done (status done, done_at now), writing the moment
 * "<kind>.done" and recomputing the customer's relationship level (a
 * completed follow-up can raise it).  A task already done or cancelled is
 * RP_ECONFLICT.  in may be NULL or {"note"}.
 */
rp_code rp_task_complete(struct rp_ctx *ctx, int64_t id, json_t *in,
                         json_t **out, rp_error *err);

/*
 * What the encounter recorded besides its own fields, oldest first:
 * {"encounter_id", "defects", "special_requests", "promises",
 * "transfers", "satisfaction"} (the satisfaction answers and checks
 * without their link's hash).  Read in one read transaction.
 */
rp_code rp_encounter_records(rp_ctx *ctx, int64_t id, json_t **out,
                             rp_error *err);

/* ---- the next-day check (nextday.c) -------------------------------------- */

/* The fields of a move (for the API's contract too). */
extern const rp_field rp_task_move_fields[];

/*
 * Move a satisfaction check or a follow-up still to be sent: in is
 * {"due_at", "reason"?}; due_at must be in the future.  Writes the moment
 * "<kind>.moved" with the old and new times.  Another kind of task is
 * RP_ECONFLICT (field "kind"), one already sent, done or cancelled
 * RP_ECONFLICT (field "status").
 */
rp_code rp_task_move(struct rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                     rp_error *err);

/*
 * The next working day (Monday to Friday) after t at hour:00 in the local
 * time zone (TZ): Friday, Saturday and Sunday give Monday.  Pure: the
 * next-day check's rule, exposed for tests.
 */
int64_t rp_next_working_day(int64_t t, int hour);

/* ---- the guide (guide.c) --------- ----------------------------------------
 */

/*
 * What the agent should do now: {"encounter_id", "stage", "greeting",
 * "customer", "relationship": {"level", "reasons"}, "open_promises",
 * "open_follow_ups", "firm_preferences", "checklist": [{"skill", "done"}],
 * "next_stage", "missing": [{"field", "message"}], "kind_preview",
 * "exchange_preview"}.
 */
rp_code rp_encounter_guide(struct rp_ctx *ctx, int64_t id, json_t **out,
                           rp_error *err);

/* ---- work lists (worklist.c) --------------------------------------------- */

/* The filters of a work list, NULL-terminated: state, stage, queue, agent,
 * channel, kind, exchange, over_target, q, customer_id, sort. */
extern const char *const rp_worklist_filters[];

/*
 * A page of a work list.  filters (NULL: none) holds the filters as text,
 * as a query string gives them: "state" open | closed | all (the default;
 * a stage implies it), "stage", "queue" (a queue's id or "none"), "agent"
 * (an agent's id, "me" or "none"), "channel", "kind", "exchange",
 * "over_target" ("true": open encounters past a target of the charter
 * now), "q" (three characters or more of the subject or of the
 * customer's name or email), "customer_id", "sort" (waiting: longest
 * waiting first, the default of open lists; activity: latest change
 * first, the default of closed ones; newest: the default of all).  An
 * unknown filter or value is RP_EINVALID naming it.  *out is {"items",
 * "next_cursor"}; each item is the encounter with "customer_name",
 * "customer_preferred_name", "queue_name" and "agent_name".  One indexed query
 * and one read by id.
 */
rp_code rp_encounter_worklist(rp_ctx *ctx, json_t *filters,
                              const rp_page_req *page, json_t **out,
                              rp_error *err);

/*
 * The counts of the work lists for the reader (ctx->agent_id, and the
 * queues ctx->viewer may see): {"mine", "unassigned", "open",
 * "over_target", "closed_recently", "closed_since", "queues": [{"queue_id"
 * (null: in no queue), "name", "open", "unassigned", "mine",
 * "over_target", "closed_recently"}], "changed"}.  "changed" is a token
 * that changes whenever an encounter is opened or changes: a console
 * polls this and reads its list again only when the token moved.
 */
rp_code rp_encounter_worklists(rp_ctx *ctx, json_t **out, rp_error *err);

/* ---- ownership (ownership.c) --------------------------------------------- */

/* The fields of a take (none) and of an assignment: agent_id, reason. */
extern const rp_field rp_encounter_take_fields[];
extern const rp_field rp_encounter_assign_fields[];

/*
 * The acting agent (ctx->agent_id) takes the open encounter id: it is
 * theirs from now on.  in may be NULL or {}.  Taking one that another
 * agent handles is a lead's or an admin's (RP_EFORBIDDEN naming its
 * owner); taking one's own changes nothing.  Writes the moment
 * "encounter.taken" ("Taken by Ada"), counts it in takes (and
 * reassignments when it had an owner) and emits encounter.assigned.
 */
rp_code rp_encounter_take(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                          rp_error *err);

/*
 * Give the open encounter id to an active agent: in is {"agent_id",
 * "reason"?}.  Giving it to someone other than oneself, or taking it from
 * another agent, is a lead's or an admin's (RP_EFORBIDDEN); to oneself it
 * is a take.  Writes the moment "encounter.assigned" ("Assigned to Bob,
 * who takes over from Ada: reason"), counts it in assignments (and
 * reassignments when it had an owner), emits encounter.assigned.
 */
rp_code rp_encounter_assign(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                            rp_error *err);

/* The agents an encounter can be given to (the active ones), for a lead's
 * choice: {"items": [{"id", "name", "role", "available"}]}, in id order. */
rp_code rp_encounter_assignees(rp_ctx *ctx, json_t **out, rp_error *err);

/* ---- pure rules (infer.c, cycle.c) --------------------------------------- */

/* What the store knows about an encounter beyond its own row. */
typedef struct rp_encounter_facts {
    int satisfaction_answered;  /* answered satisfaction checks */
    int satisfaction_best;      /* highest score answered, 0 when none */
    int satisfaction_scheduled; /* satisfaction_check tasks not cancelled */
    int follow_ups;             /* follow_up tasks not cancelled */
    int follow_ups_done;        /* follow_up tasks done */
    int promises;               /* promises (expectations set) */
    int request_known_at_ack;   /* a request was recorded when acknowledged */
    int promises_open;          /* promises neither kept nor broken yet */
    int promises_broken;        /* promises whose date passed unkept */
    int inbound_messages;       /* messages the customer sent on it */
    int opened_by_message;      /* its first contact was one of those */
    int reopened;               /* times the customer's writing reopened it */
} rp_encounter_facts;

/* Index of stage in rp_encounter_stages, or -1. */
int rp_cycle_stage_index(const char *stage);

/*
 * Check what leaving the encounter's current stage for `to` needs.
 * Returns RP_OK, or RP_ECONFLICT with err naming the missing piece (or "to"
 * when the stage is out of order, "stage" when the encounter is finished).
 * enc is the encounter as the store returns it (times are strings or null).
 */
rp_code rp_cycle_check(json_t *enc, const rp_encounter_facts *f, const char *to,
                       rp_error *err);

/*
 * Infer the kind from what was recorded (docs/rules.md): sets *kind
 * ("what", "how", "become", static) and appends to why the reason in plain
 * words, which name the evidence (a goal with a follow-up, promise or
 * bridge is a become; preferences or a choice of options a how).
 */
void rp_kind_infer(json_t *enc, const rp_encounter_facts *f, const char **kind,
                   rp_buf *why);

/*
 * Infer the exchange ("quick", "supplemental", "resolution", "formal",
 * static) from the contract, the senior level, the questions and options
 * of a need worked out, the number of the customer's contacts, information
 * asked and follow-ups; appends the reason to why.
 */
void rp_exchange_infer(json_t *enc, const rp_encounter_facts *f,
                       const char **exchange, rp_buf *why);

/*
 * Judge first-contact resolution of a closed encounter (docs/rules.md):
 * returns 1 (resolved at first contact), 0 (not) or -1 (not known), and
 * sets *reason (static, plain words).  enc carries what was recorded,
 * including the agent's own first_contact_resolved, which can say no or
 * settle an unknown but never overrule evidence that it was not resolved.
 */
int rp_first_contact_judge(json_t *enc, const rp_encounter_facts *f,
                           const char **reason);

/*
 * Judge again a closed encounter whose first-contact resolution was not
 * known (it waited on a promise), now that a promise of it is settled.
 * Anything else is left as it is.  The caller holds the transaction.
 */
rp_code rp_encounter_first_contact_settle(rp_ctx *ctx, int64_t id,
                                          rp_error *err);

#endif
