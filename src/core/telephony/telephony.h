/*
 * telephony.h - calls told by a phone system: when a caller arrived, was
 * answered, put on hold, transferred or hung up (seed 003: thirty minutes
 * of music, then a hang-up).
 *
 * A phone system (a PBX, a cloud telephony service) knows what happens on
 * a call; rapport keeps the customer, the encounter and the measures.  As
 * Zammad's generic CTI API and Zendesk Talk do, the phone system tells
 * rapport each step of a call by its own call id: the arrival opens an
 * encounter on the phone channel (the caller found by their number, or a
 * new unconfirmed customer), and each later event changes the call's
 * state and, where the engine already has one, does what the agent would
 * have done: an answer acknowledges the encounter (the queue wait stops),
 * a transfer is the encounter's transfer, a hang-up before any answer
 * abandons it.  Hold time, the time to answer and abandonment in the
 * queue are measured from the call's facts (metrics.c).
 *
 *   rules.c  the call's state machine, pure: which event may follow which
 *            state, events in the order they happened, hold time kept;
 *   call.c   the calls in the store: arrival, events (each once, however
 *            often the phone system retries), a call with its figures.
 *
 * The rules are written down in docs/telephony.md.
 */
#ifndef RP_TELEPHONY_H
#define RP_TELEPHONY_H

#include <jansson.h>
#include <stdint.h>

#include "core/context.h"

/* ---- the call's rules (rules.c) ----------------------------------------- */

/* The states of a call, in the words the API uses (rp_call_states). */
typedef enum rp_call_state {
    RP_CALL_QUEUED = 0,  /* arrived, nobody has answered yet */
    RP_CALL_ANSWERED,    /* someone is speaking with the caller */
    RP_CALL_ON_HOLD,     /* answered, then put on hold */
    RP_CALL_TRANSFERRED, /* handed on, waiting to be answered again */
    RP_CALL_ENDED        /* hung up, by either side */
} rp_call_state;

/* "queued", "answered", "on_hold", "transferred", "ended"; NULL-ended. */
extern const char *const rp_call_states[];
/* The events a phone system tells: "answered", "hold", "resume",
 * "transferred", "hung_up"; NULL-ended. */
extern const char *const rp_call_events[];

/* What rapport knows of a call: its state and running figures (Unix
 * seconds; 0 for a time that has not happened). */
typedef struct rp_call_facts {
    rp_call_state state;
    int64_t arrived_at;
    int64_t answered_at; /* the first answer */
    int64_t ended_at;
    int64_t hold_since;   /* on hold since then; 0 when not on hold */
    int64_t holds;        /* times put on hold */
    int64_t hold_seconds; /* hold time of the holds that ended */
    int64_t transfers;
    int64_t last_event_at; /* the arrival, or the newest event */
    int abandoned;         /* hung up before anyone answered */
} rp_call_facts;

/* The state named s, or -1. */
int rp_call_state_of(const char *s);

/*
 * Pure: apply event (one of rp_call_events) at time at to *f.  An event
 * before the call's last event is RP_EINVALID naming "at" (events are told
 * in the order they happened); one that cannot follow the call's state
 * (an answer while on hold, a resume without a hold, anything after the
 * hang-up) is RP_ECONFLICT naming "event" and saying what may follow.  On
 * a refusal *f is unchanged.  A hold ends with a resume, a transfer or the
 * hang-up, and its seconds are added then; a hang-up before any answer
 * marks the call abandoned.
 */
rp_code rp_call_step(rp_call_facts *f, const char *event, int64_t at,
                     rp_error *err);

/* Pure: the hold time of f as of now (the holds that ended and the one
 * still running). */
int64_t rp_call_hold_seconds(const rp_call_facts *f, int64_t now);

/* Pure: 1 when s may be a phone system's call id: 1 to 250 of the
 * letters, digits and . _ - : @ (it goes in a URL's path as it is). */
int rp_call_id_is_valid(const char *s);

/* ---- the calls (call.c) -------------------------------------------------- */

/* The fields of a call's arrival and of an event (the API's contract). */
extern const rp_field rp_call_arrival_fields[];
extern const rp_field rp_call_event_fields[];

/*
 * A call arrived: in is {"call_id" (the phone system's), "from" (the
 * caller's number, or "anonymous"), "caller_name", "arrived_at" (bounded
 * as an encounter's, rp_arrival_read; default now), "queue_id" (the queue
 * it waits in; default: routing by "topic" and the phone channel),
 * "topic", "subject"}.  Opens an encounter on the phone channel for the
 * customer with that number (a new unconfirmed customer when nobody has
 * it) and the call, in one transaction.  A call id already known is the
 * same call: nothing changes and *created is 0 (a retried arrival).  *out
 * is the call as rp_call_get gives it.
 */
rp_code rp_call_arrive(rp_ctx *ctx, json_t *in, json_t **out, int *created,
                       rp_error *err);

/*
 * Tell an event of call call_id: in is {"event", "at" (required, bounded
 * as an arrival and not before the call's last event), "queue_id" and
 * "agent_id" (a transfer's destination, one at least; the agent who
 * answered), "reason" (a transfer's)}.  The same event at the same time
 * told again records nothing and *created is 0.  The call's rules are
 * rp_call_step's; the encounter follows when it is still open: the first
 * answer acknowledges it as of at, a transfer transfers it, a hang-up
 * before any answer abandons it as of at, saying after how long the
 * caller gave up.  RP_ENOTFOUND (field "call_id") for an unknown call.
 * *out is the call.
 */
rp_code rp_call_event(rp_ctx *ctx, const char *call_id, json_t *in,
                      json_t **out, int *created, rp_error *err);

/*
 * The call call_id: {"call_id", "encounter_id", "customer_id", "state",
 * "arrived_at", "answered_at", "ended_at", "abandoned",
 * "queue_wait_seconds" (arrival to the first answer, or to the hang-up,
 * or to now while waiting), "hold_seconds" (a hold still running counts
 * to now), "holds", "on_hold_since", "transfers", "events": [{"event",
 * "occurred_at", "queue_id", "agent_id"}] (oldest first, at most 500)}.
 * RP_ENOTFOUND (field "call_id") when unknown.
 */
rp_code rp_call_get(rp_ctx *ctx, const char *call_id, json_t **out,
                    rp_error *err);

#endif
