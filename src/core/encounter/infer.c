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

#include "core/encounter/encounter_internal.h"

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
    (void)f; /* no stage needs the facts since keeping asks for nothing */
    const char *stage = json_string_value(json_object_get(enc, "stage"));
    int from = rp_cycle_stage_index(stage), target = rp_cycle_stage_index(to);
    if (from >= 4)
        return rp_error_refuse(err, RP_ECONFLICT, "stage", "finished", 0,
                               "this encounter is %s and does not move any "
                               "more; open a new encounter with the customer "
                               "if there is more to do",
                               rp_encounter_stage_words(stage));
    if (target < 1 || target > 4)
        return rp_error_refuse(err, RP_EINVALID, "to", "not_allowed", 0,
                               "to must be one of: understood, helped, kept, "
                               "closed (use abandon to give up)");
    if (target != from + 1)
        return rp_error_refuse(
            err, RP_ECONFLICT, "to", "out_of_order", 0,
            "the encounter is at %s now, so the next step is "
            "%s, not %s: stages cannot be skipped or "
            "repeated",
            rp_encounter_stage_words(stage),
            rp_encounter_stage_words(rp_encounter_stages[from + 1]),
            rp_encounter_stage_words(to));
    switch (from) {
    case 0:
        if (json_is_null(json_object_get(enc, "acknowledged_at")) ||
            !json_object_get(enc, "acknowledged_at"))
            return rp_error_refuse(
                err, RP_ECONFLICT, "acknowledged_at", "step_missing", 0,
                "acknowledge the customer first: greet them "
                "and press Acknowledge, which stops the wait "
                "clock; then move on to understanding");
        break;
    case 1:
        if (!has_text(enc, "facts"))
            return rp_error_refuse(
                err, RP_ECONFLICT, "facts", "step_missing", 0,
                "write down the facts of the customer's need "
                "before moving on (how they feel is "
                "optional)");
        break;
    case 2:
        if (!has_text(enc, "agreement") &&
            !has_text(enc, "no_agreement_reason"))
            return rp_error_refuse(err, RP_ECONFLICT, "agreement",
                                   "step_missing", 0,
                                   "write down the course of action you agreed "
                                   "on with the customer, or why nothing could "
                                   "be agreed, before moving on");
        break;
        /* leaving keeping needs nothing more: a close with no satisfaction
         * check and no reason to skip schedules the next-day check itself
         * (nextday.c) */
    }
    return RP_OK;
}

/* How many characters of what the agent typed a reason quotes. */
#define QUOTE 80

static void quote(rp_buf *b, json_t *enc, const char *key)
{
    rp_buf_puts(b, "\u201c");
    rp_buf_put_cut(b, json_string_value(json_object_get(enc, key)), QUOTE);
    rp_buf_puts(b, "\u201d");
}

/* The customers' contacts on it: the messages they sent, plus the visit or
 * call it was typed in from when no message opened it. */
static int contacts_of(const rp_encounter_facts *f)
{
    return f->inbound_messages + (f->opened_by_message ? 0 : 1);
}

/*
 * A goal is only a "become" when the encounter did something toward it
 * beyond today's need: a follow-up or a promise made on it, or the talk
 * carried on to the customer's other needs.  A goal typed in and left there
 * is a note, not a relationship, so the other rules decide and the reason
 * says so.
 */
void rp_kind_infer(json_t *enc, const rp_encounter_facts *f, const char **kind,
                   rp_buf *why)
{
    int goal = has_text(enc, "goal");
    const char *toward = f->follow_ups > 0 ? "a follow-up was scheduled"
                         : f->promises > 0 ? "a promise was made"
                         : has_text(enc, "bridged") ? "the talk went on to "
                                                      "the customer's other "
                                                      "needs"
                                                    : NULL;
    if (goal && toward) {
        *kind = "become";
        rp_buf_puts(why, "the customer told us what they want to become (");
        quote(why, enc, "goal");
        rp_buf_printf(why, ") and %s toward it", toward);
        return;
    }
    if (goal) {
        rp_buf_puts(why, "a goal was noted (");
        quote(why, enc, "goal");
        rp_buf_puts(why, ") but nothing was scheduled, promised or bridged "
                         "toward it; ");
    }
    size_t prefs = list_len(enc, "preferences_captured");
    size_t options = list_len(enc, "options");
    if (prefs > 0) {
        *kind = "how";
        rp_buf_printf(why,
                      "%zu preference%s of the customer %s captured: how "
                      "they want it",
                      prefs, prefs == 1 ? "" : "s",
                      prefs == 1 ? "was" : "were");
    } else if (options >= 2) {
        *kind = "how";
        rp_buf_printf(why,
                      "the customer chose among %zu options: how they want it",
                      options);
    } else if (has_text(enc, "request")) {
        *kind = "what";
        rp_buf_puts(why, "the customer asked for ");
        quote(why, enc, "request");
        rp_buf_puts(why, " and nothing more was explored: what they want");
    } else {
        *kind = "what";
        rp_buf_puts(why, "no preference, choice or goal was recorded, only "
                         "the need itself: what the customer wants");
    }
}

/*
 * An empty request box proves nothing (it is often filled in later, or not
 * at all): a resolution needs the record of a need worked out together,
 * open questions asked and options explored, with no definite request at
 * the start.
 */
void rp_exchange_infer(json_t *enc, const rp_encounter_facts *f,
                       const char **exchange, rp_buf *why)
{
    size_t questions = list_len(enc, "questions");
    size_t options = list_len(enc, "options");
    int contacts = contacts_of(f);
    if (is_true(enc, "contract")) {
        *exchange = "formal";
        rp_buf_puts(why, "a contract was made");
    } else if (is_true(enc, "senior_level")) {
        *exchange = "formal";
        rp_buf_puts(why, "the meeting was at owner or senior level");
    } else if (!f->request_known_at_ack && questions >= 1 && options >= 2) {
        *exchange = "resolution";
        rp_buf_printf(why,
                      "the customer came without a definite request and the "
                      "need was worked out together: %zu question%s asked, "
                      "%zu options explored",
                      questions, questions == 1 ? "" : "s", options);
    } else if (contacts > 1) {
        *exchange = "supplemental";
        rp_buf_printf(why, "the customer contacted us %d times about it",
                      contacts);
    } else if (is_true(enc, "information_requested")) {
        *exchange = "supplemental";
        rp_buf_puts(why, "the customer asked for more information");
    } else if (f->follow_ups > 0) {
        *exchange = "supplemental";
        rp_buf_puts(why, "a follow-up was scheduled");
    } else if (has_text(enc, "request")) {
        *exchange = "quick";
        rp_buf_puts(why, "one contact: the customer knew what they wanted "
                         "and got it");
    } else {
        *exchange = "quick";
        rp_buf_puts(why, "one contact, settled then and there, with nothing "
                         "more asked or scheduled");
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
