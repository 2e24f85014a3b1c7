/*
 * infer.c - the pure rules of an encounter: what a stage needs before it
 * can be left, the kind of an encounter (seed 000) and its exchange
 * (seed 002).
 *
 * Nothing here touches the store: the callers gather the facts with a
 * bounded number of queries and pass them in, so every rule is a plain
 * function the unit tests can exercise case by case.  docs/rules.md states
 * the same rules in words; keep the two in step.
 */
#include <string.h>

#include "core/rapport.h"

static int has_text(json_t *enc, const char *key)
{
    return !rp_text_is_blank(json_string_value(json_object_get(enc, key)));
}

static size_t list_len(json_t *enc, const char *key)
{
    json_t *v = json_object_get(enc, key);
    return json_is_array(v) ? json_array_size(v) : 0;
}

static int is_true(json_t *enc, const char *key)
{
    return json_is_true(json_object_get(enc, key));
}

int rp_cycle_stage_index(const char *stage)
{
    for (int i = 0; stage && rp_encounter_stages[i]; i++)
        if (strcmp(rp_encounter_stages[i], stage) == 0)
            return i;
    return -1;
}

rp_code rp_cycle_check(json_t *enc, const rp_encounter_facts *f, const char *to,
                       rp_error *err)
{
    const char *stage = json_string_value(json_object_get(enc, "stage"));
    int from = rp_cycle_stage_index(stage), target = rp_cycle_stage_index(to);
    if (from >= 4)
        return rp_error_set(err, RP_ECONFLICT, "stage",
                            "the encounter is %s; a finished encounter does "
                            "not move any more",
                            stage);
    if (target < 1 || target > 4)
        return rp_error_set(err, RP_EINVALID, "to",
                            "to must be one of: understood, helped, kept, "
                            "closed (use abandon to give up)");
    if (target != from + 1)
        return rp_error_set(err, RP_ECONFLICT, "to",
                            "the encounter is at stage '%s'; the next stage "
                            "is '%s', not '%s' (stages cannot be skipped or "
                            "repeated)",
                            stage, rp_encounter_stages[from + 1], to);
    switch (from) {
    case 0:
        if (json_is_null(json_object_get(enc, "acknowledged_at")) ||
            !json_object_get(enc, "acknowledged_at"))
            return rp_error_set(err, RP_ECONFLICT, "acknowledged_at",
                                "acknowledge the customer first (POST "
                                ".../acknowledge, or rapport encounter "
                                "acknowledge): it stops the wait clock");
        break;
    case 1:
        if (!has_text(enc, "facts"))
            return rp_error_set(err, RP_ECONFLICT, "facts",
                                "record the facts of the customer's need "
                                "before moving on (feelings are optional)");
        break;
    case 2:
        if (!has_text(enc, "agreement") &&
            !has_text(enc, "no_agreement_reason"))
            return rp_error_set(err, RP_ECONFLICT, "agreement",
                                "record the agreed course of action "
                                "(agreement), or why there is none "
                                "(no_agreement_reason)");
        break;
    case 3:
        if (f->satisfaction_answered == 0 && f->satisfaction_scheduled == 0 &&
            !has_text(enc, "satisfaction_skip_reason"))
            return rp_error_set(err, RP_ECONFLICT, "satisfaction",
                                "check satisfaction (POST .../satisfaction "
                                "with a score), schedule a check (with "
                                "schedule_at), or record "
                                "satisfaction_skip_reason");
        break;
    }
    return RP_OK;
}

void rp_kind_infer(json_t *enc, const char **kind, const char **reason)
{
    if (has_text(enc, "goal")) {
        *kind = "become";
        *reason = "a goal or future need was recorded: what the customer "
                  "wants to become";
    } else if (list_len(enc, "preferences_captured") > 0 ||
               list_len(enc, "options") > 0) {
        *kind = "how";
        *reason = "preferences were captured or options offered: how the "
                  "customer wants it";
    } else {
        *kind = "what";
        *reason = "only a request or order was recorded: what the customer "
                  "wants";
    }
}

void rp_exchange_infer(json_t *enc, const rp_encounter_facts *f,
                       const char **exchange, const char **reason)
{
    if (is_true(enc, "contract") || is_true(enc, "senior_level")) {
        *exchange = "formal";
        *reason = is_true(enc, "contract")
                      ? "an agreement or contract was made"
                      : "the meeting was at owner or senior level";
    } else if (!f->request_known_at_ack && list_len(enc, "options") >= 2) {
        *exchange = "resolution";
        *reason = "the need was unclear at the start (no request when "
                  "acknowledged) and several options were explored";
    } else if (is_true(enc, "information_requested") || f->follow_ups > 0) {
        *exchange = "supplemental";
        *reason = is_true(enc, "information_requested")
                      ? "the customer asked for more information"
                      : "a follow-up was scheduled";
    } else {
        *exchange = "quick";
        *reason = "the customer knew what they wanted and got it";
    }
}

/*
 * First-contact resolution is earned: the customer's need was met in the
 * one contact, so anything that shows another contact was needed (a
 * transfer, the customer coming back, a follow-up still to do) says no,
 * and a yes needs something done: an agreement carried out on the spot or
 * an outcome recorded.  An agreement that rests on an open promise is not
 * known to be carried out yet, and unknown is never counted as yes.
 */
/* Say why, and give the value. */
static int verdict(const char **reason, const char *why, int value)
{
    *reason = why;
    return value;
}

int rp_first_contact_judge(json_t *enc, const rp_encounter_facts *f,
                           const char **reason)
{
    json_t *agent = json_object_get(enc, "first_contact_resolved");
    int contacts = f->inbound_messages + (f->opened_by_message ? 0 : 1);
    if (json_integer_value(json_object_get(enc, "transfers")) > 0)
        return verdict(reason,
                       "Not resolved at first contact: it was transferred", 0);
    if (f->reopened > 0)
        return verdict(reason,
                       "Not resolved at first contact: the customer wrote "
                       "again after it was closed",
                       0);
    if (contacts > 1)
        return verdict(reason,
                       "Not resolved at first contact: the customer "
                       "contacted us more than once",
                       0);
    if (f->follow_ups > f->follow_ups_done)
        return verdict(reason,
                       "Not resolved at first contact: a follow-up is "
                       "still needed",
                       0);
    if (f->promises_broken > 0)
        return verdict(reason,
                       "Not resolved at first contact: a promise made on "
                       "it was broken",
                       0);
    if (json_is_false(agent))
        return verdict(reason,
                       "Not resolved at first contact: the agent said so", 0);
    if (has_text(enc, "outcome_done"))
        return verdict(reason,
                       "Resolved at first contact: what was done is "
                       "recorded",
                       1);
    if (!has_text(enc, "agreement"))
        return verdict(reason,
                       "Not resolved at first contact: nothing was agreed "
                       "and nothing done",
                       0);
    if (f->promises_open > 0 && !json_is_true(agent))
        return verdict(reason,
                       "Not known yet: the agreement rests on a promise "
                       "not yet kept",
                       -1);
    if (f->promises_open > 0)
        return verdict(reason,
                       "Resolved at first contact: the agent said the "
                       "agreement was carried out",
                       1);
    return verdict(reason,
                   "Resolved at first contact: agreed and carried out, "
                   "no promise left open",
                   1);
}
