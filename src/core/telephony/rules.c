/*
 * rules.c - a call's state machine, told by a phone system.
 *
 *   queued --answered--> answered --hold--> on_hold --resume--> answered
 *   queued, answered, on_hold --transferred--> transferred --answered-->
 *   any but ended --hung_up--> ended
 *
 * Pure, so that every rule is checked by a table of cases without a
 * database (tests/unit/test_telephony.c).  Events come in the order they
 * happened: a phone system that sends them out of order would make hold
 * time negative or an answer come after the hang-up, so an event before
 * the last one is refused, saying which was last.  The hold time is kept
 * as the holds end (resume, transfer, hang-up), so the figure read later
 * is a sum, never a replay of the events.
 */
#include <string.h>

#include "core/rapport.h"

const char *const rp_call_states[] = {"queued",      "answered", "on_hold",
                                      "transferred", "ended",    NULL};
const char *const rp_call_events[] = {"answered",    "hold",    "resume",
                                      "transferred", "hung_up", NULL};

int rp_call_state_of(const char *s)
{
    for (int i = 0; s && rp_call_states[i]; i++)
        if (!strcmp(rp_call_states[i], s))
            return i;
    return -1;
}

int64_t rp_call_hold_seconds(const rp_call_facts *f, int64_t now)
{
    int64_t running = f->hold_since && now > f->hold_since ? now - f->hold_since
                                                           : 0;
    return f->hold_seconds + running;
}

int rp_call_id_is_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 250)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || strchr("._-:@", *p)))
            return 0;
    return 1;
}

/* What may follow each state, for a refusal that says so. */
static const char *const next_words[] = {
    [RP_CALL_QUEUED] = "answered, transferred or hung_up",
    [RP_CALL_ANSWERED] = "hold, transferred or hung_up",
    [RP_CALL_ON_HOLD] = "resume, transferred or hung_up",
    [RP_CALL_TRANSFERRED] = "answered, transferred or hung_up",
    [RP_CALL_ENDED] = "nothing: the call has ended",
};

/* 1 when event may follow state. */
static int allowed(rp_call_state state, const char *event)
{
    if (state == RP_CALL_ENDED)
        return 0;
    if (!strcmp(event, "answered"))
        return state == RP_CALL_QUEUED || state == RP_CALL_TRANSFERRED;
    if (!strcmp(event, "hold"))
        return state == RP_CALL_ANSWERED;
    if (!strcmp(event, "resume"))
        return state == RP_CALL_ON_HOLD;
    return !strcmp(event, "transferred") || !strcmp(event, "hung_up");
}

/* End a hold running in f at time at. */
static void end_hold(rp_call_facts *f, int64_t at)
{
    if (f->hold_since) {
        f->hold_seconds += at - f->hold_since;
        f->hold_since = 0;
    }
}

rp_code rp_call_step(rp_call_facts *f, const char *event, int64_t at,
                     rp_error *err)
{
    int known = 0;
    for (int i = 0; event && rp_call_events[i]; i++)
        known |= !strcmp(rp_call_events[i], event);
    if (!known)
        return rp_error_set(err, RP_EINVALID, "event",
                            "event must be one of: answered, hold, resume, "
                            "transferred, hung_up");
    if (at < f->last_event_at) {
        char when[RP_TIME_MAX], last[RP_TIME_MAX];
        rp_time_format(at, when);
        rp_time_format(f->last_event_at, last);
        return rp_error_set(err, RP_EINVALID, "at",
                            "at (%s) is before the call's last event (%s): "
                            "events must be told in the order they happened",
                            when, last);
    }
    if (!allowed(f->state, event))
        return rp_error_refuse(err, RP_ECONFLICT, "event", "out_of_order", 0,
                               "the call is %s, so it cannot be %s now; what "
                               "may follow is %s",
                               rp_call_states[f->state], event,
                               next_words[f->state]);
    rp_call_facts n = *f;
    n.last_event_at = at;
    if (!strcmp(event, "answered")) {
        n.state = RP_CALL_ANSWERED;
        if (!n.answered_at)
            n.answered_at = at;
    } else if (!strcmp(event, "hold")) {
        n.state = RP_CALL_ON_HOLD;
        n.hold_since = at;
        n.holds++;
    } else if (!strcmp(event, "resume")) {
        n.state = RP_CALL_ANSWERED;
        end_hold(&n, at);
    } else if (!strcmp(event, "transferred")) {
        n.state = RP_CALL_TRANSFERRED;
        end_hold(&n, at);
        n.transfers++;
    } else { /* hung_up */
        n.state = RP_CALL_ENDED;
        end_hold(&n, at);
        n.ended_at = at;
        n.abandoned = n.answered_at == 0;
    }
    *f = n;
    return RP_OK;
}
