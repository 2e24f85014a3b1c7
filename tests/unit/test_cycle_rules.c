/*
 * test_cycle_rules.c - the rules of the encounter cycle: what each stage
 * needs before it is left, kind and exchange inference, the relationship
 * level from evidence; then the state machine on a real SQLite store
 * (refusals change nothing, transitions write moments, close settles kind,
 * exchange and level, the level history is kept).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"

/* ---- pure rules ---------------------------------------------------------- */

static json_t *enc(const char *json)
{
    json_t *e = json_loads(json, 0, NULL);
    assert_non_null(e);
    return e;
}

static void expect_refusal(json_t *e, const rp_encounter_facts *f,
                           const char *to, rp_code code, const char *field)
{
    rp_error err;
    assert_int_equal(rp_cycle_check(e, f, to, &err), code);
    assert_string_equal(err.field, field);
    assert_true(strlen(err.message) > 10);
    /* what to do next, in words: no request, path, command or field name
     * (an unknown stage asked for by a program is the program's field) */
    if (strcmp(field, "to") || code != RP_EINVALID) {
        assert_null(strstr(err.message, "POST"));
        assert_null(strstr(err.message, "..."));
        assert_null(strstr(err.message, "/"));
        assert_null(strstr(err.message, "rapport "));
        assert_null(strstr(err.message, "_"));
        assert_null(strstr(err.message, "stage '"));
    }
}

static void test_leaving_received_needs_acknowledgement(void **state)
{
    (void)state;
    rp_encounter_facts f = {0};
    rp_error err;
    json_t *e = enc("{\"stage\":\"received\",\"acknowledged_at\":null}");
    expect_refusal(e, &f, "understood", RP_ECONFLICT, "acknowledged_at");
    json_object_set_new(e, "acknowledged_at",
                        json_string("2026-11-23T09:00:00Z"));
    assert_int_equal(rp_cycle_check(e, &f, "understood", &err), RP_OK);
    json_decref(e);
}

static void test_stages_cannot_be_skipped_or_repeated(void **state)
{
    (void)state;
    rp_encounter_facts f = {0};
    json_t *e = enc("{\"stage\":\"received\",\"acknowledged_at\":\"x\"}");
    expect_refusal(e, &f, "helped", RP_ECONFLICT, "to");
    expect_refusal(e, &f, "closed", RP_ECONFLICT, "to");
    expect_refusal(e, &f, "received", RP_EINVALID, "to");
    expect_refusal(e, &f, "abandoned", RP_EINVALID, "to");
    expect_refusal(e, &f, "sideways", RP_EINVALID, "to");
    json_object_set_new(e, "stage", json_string("closed"));
    expect_refusal(e, &f, "closed", RP_ECONFLICT, "stage");
    json_object_set_new(e, "stage", json_string("abandoned"));
    expect_refusal(e, &f, "understood", RP_ECONFLICT, "stage");
    json_decref(e);
}

static void test_each_stage_names_its_missing_piece(void **state)
{
    (void)state;
    rp_encounter_facts f = {0};
    rp_error err;
    json_t *e = enc("{\"stage\":\"understood\",\"facts\":\"  \"}");
    expect_refusal(e, &f, "helped", RP_ECONFLICT, "facts");
    json_object_set_new(e, "facts", json_string("needs a suit"));
    assert_int_equal(rp_cycle_check(e, &f, "helped", &err), RP_OK);

    json_object_set_new(e, "stage", json_string("helped"));
    expect_refusal(e, &f, "kept", RP_ECONFLICT, "agreement");
    json_object_set_new(e, "no_agreement_reason", json_string("out of stock"));
    assert_int_equal(rp_cycle_check(e, &f, "kept", &err), RP_OK);
    json_object_del(e, "no_agreement_reason");
    json_object_set_new(e, "agreement", json_string("order it"));
    assert_int_equal(rp_cycle_check(e, &f, "kept", &err), RP_OK);

    json_object_set_new(e, "stage", json_string("kept"));
    /* a close asks for nothing more: with no check, the next-day check
     * is scheduled by itself */
    assert_int_equal(rp_cycle_check(e, &f, "closed", &err), RP_OK);
    f.satisfaction_answered = 1;
    assert_int_equal(rp_cycle_check(e, &f, "closed", &err), RP_OK);
    f.satisfaction_answered = 0;
    f.satisfaction_scheduled = 1;
    assert_int_equal(rp_cycle_check(e, &f, "closed", &err), RP_OK);
    f.satisfaction_scheduled = 0;
    json_object_set_new(e, "satisfaction_skip_reason",
                        json_string("in a hurry"));
    assert_int_equal(rp_cycle_check(e, &f, "closed", &err), RP_OK);
    json_decref(e);
}

/*
 * Kind and exchange: one recorded encounter per row, with the facts
 * gathered around it, the kind and exchange it must get, and a word each
 * reason must contain (the evidence it names).  docs/rules.md shows the same
 * table.
 */
static const struct {
    const char *enc;
    rp_encounter_facts f;
    const char *kind, *kind_word, *exchange, *exchange_word;
} kind_cases[] = {
    /* 1 the watermelon buyer: asked, got it */
    {"{\"request\":\"20 watermelons\",\"agreement\":\"20\"}",
     {.request_known_at_ack = 1},
     "what",
     "20 watermelons",
     "quick",
     "knew"},
    /* 2 red and seedless: preferences captured */
    {"{\"request\":\"20 watermelons\",\"preferences_captured\":[\"red\","
     "\"seedless\"]}",
     {.request_known_at_ack = 1},
     "how",
     "2 preferences",
     "quick",
     "knew"},
    /* 3 two options to choose from */
    {"{\"request\":\"20\",\"options\":[\"normal\",\"long\"]}",
     {.request_known_at_ack = 1},
     "how",
     "2 options",
     "quick",
     "knew"},
    /* 4 one option offered is an offer, not a choice */
    {"{\"request\":\"a suit\",\"options\":[\"navy\"]}",
     {.request_known_at_ack = 1},
     "what",
     "asked for",
     "quick",
     "knew"},
    /* 5 the juice maker: goal, and the talk bridged to other juices */
    {"{\"request\":\"20\",\"goal\":\"best juice in town\",\"options\":[\"a\","
     "\"b\",\"c\"],\"bridged\":\"other juices\"}",
     {.request_known_at_ack = 1},
     "become",
     "best juice in town",
     "quick",
     "knew"},
    /* 6 a goal with a follow-up toward it */
    {"{\"goal\":\"run a marathon\"}",
     {.request_known_at_ack = 1, .follow_ups = 1},
     "become",
     "follow-up",
     "supplemental",
     "follow-up"},
    /* 7 a goal with a promise toward it */
    {"{\"goal\":\"open a second shop\"}",
     {.request_known_at_ack = 1, .promises = 1},
     "become",
     "promise",
     "quick",
     "one contact"},
    /* 8 a goal typed in and left there: a note, not a become */
    {"{\"request\":\"aspirin\",\"goal\":\"stay well\"}",
     {.request_known_at_ack = 1},
     "what",
     "nothing was scheduled",
     "quick",
     "knew"},
    /* 9 a goal noted, with preferences: a how that says why not become */
    {"{\"goal\":\"x\",\"preferences_captured\":[\"blue\"]}",
     {0},
     "how",
     "goal was noted",
     "quick",
     "then and there"},
    /* 10 a blank goal is no goal, even with a follow-up */
    {"{\"goal\":\"   \"}",
     {.follow_ups = 1},
     "what",
     "only the need",
     "supplemental",
     "follow-up"},
    /* 11 nothing but the facts, typed in at the desk */
    {"{\"facts\":\"needs help\"}",
     {0},
     "what",
     "only the need",
     "quick",
     "then and there"},
    /* 12 no request at the start, questions and options: worked out */
    {"{\"questions\":[\"what happens?\"],\"options\":[\"reset\",\"replace\"]}",
     {0},
     "how",
     "2 options",
     "resolution",
     "worked out"},
    /* 13 no request, options but no question asked: not worked out */
    {"{\"options\":[\"a\",\"b\"]}",
     {0},
     "how",
     "2 options",
     "quick",
     "then and there"},
    /* 14 no request, a question but one option */
    {"{\"questions\":[\"q\"],\"options\":[\"a\"]}",
     {0},
     "what",
     "only the need",
     "quick",
     "then and there"},
    /* 15 a request known at the start: never a resolution */
    {"{\"request\":\"r\",\"questions\":[\"q\"],\"options\":[\"a\",\"b\"]}",
     {.request_known_at_ack = 1},
     "how",
     "2 options",
     "quick",
     "knew"},
    /* 16 the pharmacist's leaflet: information asked */
    {"{\"request\":\"leaflet\",\"information_requested\":true}",
     {.request_known_at_ack = 1},
     "what",
     "leaflet",
     "supplemental",
     "more information"},
    /* 17 the customer wrote twice */
    {"{\"request\":\"refund\"}",
     {.request_known_at_ack = 1, .inbound_messages = 2, .opened_by_message = 1},
     "what",
     "refund",
     "supplemental",
     "2 times"},
    /* 18 typed in at the desk, then the customer wrote */
    {"{\"request\":\"refund\"}",
     {.request_known_at_ack = 1, .inbound_messages = 1},
     "what",
     "refund",
     "supplemental",
     "2 times"},
    /* 19 one mail, answered */
    {"{\"request\":\"opening hours\"}",
     {.request_known_at_ack = 1, .inbound_messages = 1, .opened_by_message = 1},
     "what",
     "opening hours",
     "quick",
     "knew"},
    /* 20 a contract, whatever else */
    {"{\"contract\":true,\"questions\":[\"q\"],\"options\":[\"a\",\"b\"]}",
     {0},
     "how",
     "2 options",
     "formal",
     "contract"},
    /* 21 a meeting at senior level */
    {"{\"senior_level\":true,\"request\":\"supply deal\"}",
     {.request_known_at_ack = 1},
     "what",
     "supply deal",
     "formal",
     "senior"},
    /* 22 a contract outranks several contacts */
    {"{\"contract\":true}",
     {.inbound_messages = 3, .opened_by_message = 1},
     "what",
     "only the need",
     "formal",
     "contract"},
    /* 23 several contacts outrank a worked-out need? no: worked out first */
    {"{\"questions\":[\"q\"],\"options\":[\"a\",\"b\"]}",
     {.inbound_messages = 2, .opened_by_message = 1},
     "how",
     "2 options",
     "resolution",
     "worked out"},
    /* 24 a request recorded only later is still no request at the start,
     * but without questions it is no resolution */
    {"{\"request\":\"late\",\"options\":[\"a\",\"b\"]}",
     {0},
     "how",
     "2 options",
     "quick",
     "knew"},
};

static void test_kind_exchange_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof kind_cases / sizeof kind_cases[0]; i++) {
        json_t *e = enc(kind_cases[i].enc);
        const char *kind, *exchange;
        rp_buf kw = RP_BUF_INIT, xw = RP_BUF_INIT;
        rp_kind_infer(e, &kind_cases[i].f, &kind, &kw);
        rp_exchange_infer(e, &kind_cases[i].f, &exchange, &xw);
        if (strcmp(kind, kind_cases[i].kind) ||
            !strstr(rp_buf_str(&kw), kind_cases[i].kind_word) ||
            strcmp(exchange, kind_cases[i].exchange) ||
            !strstr(rp_buf_str(&xw), kind_cases[i].exchange_word))
            fprintf(stderr, "case %zu: %s (%s), %s (%s)\n", i + 1, kind,
                    rp_buf_str(&kw), exchange, rp_buf_str(&xw));
        assert_string_equal(kind, kind_cases[i].kind);
        assert_non_null(strstr(rp_buf_str(&kw), kind_cases[i].kind_word));
        assert_string_equal(exchange, kind_cases[i].exchange);
        assert_non_null(strstr(rp_buf_str(&xw), kind_cases[i].exchange_word));
        rp_buf_free(&kw);
        rp_buf_free(&xw);
        json_decref(e);
    }
}

/* The next-day check's day: local time in Madrid, across a weekend and the
 * change to summer time. */
static void test_next_working_day(void **state)
{
    (void)state;
    static const struct {
        const char *closed, *due;
    } cases[] = {
        {"2026-12-07T09:00:00+01:00", "2026-12-08T10:00:00+01:00"}, /* Mon */
        {"2026-12-10T23:30:00+01:00", "2026-12-11T10:00:00+01:00"}, /* Thu */
        {"2026-12-11T18:00:00+01:00", "2026-12-14T10:00:00+01:00"}, /* Fri */
        {"2026-12-12T12:00:00+01:00", "2026-12-14T10:00:00+01:00"}, /* Sat */
        {"2026-12-13T20:00:00+01:00", "2026-12-14T10:00:00+01:00"}, /* Sun */
        /* 23:30 UTC on Friday is already Saturday in Madrid */
        {"2026-12-11T23:30:00Z", "2026-12-14T10:00:00+01:00"},
        /* summer time begins on Sunday 28 March 2027 */
        {"2027-03-26T17:00:00+01:00", "2027-03-29T10:00:00+02:00"},
    };
    const char *tz = getenv("TZ");
    char *saved = tz ? strdup(tz) : NULL;
    setenv("TZ", "Europe/Madrid", 1);
    tzset();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t closed, due;
        assert_int_equal(rp_time_parse(cases[i].closed, &closed), 0);
        assert_int_equal(rp_time_parse(cases[i].due, &due), 0);
        if (rp_next_working_day(closed, 10) != due)
            fail_msg(
                "case %zu: %s gave %lld, want %lld", i + 1, cases[i].closed,
                (long long)rp_next_working_day(closed, 10), (long long)due);
    }
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
}

/*
 * First-contact resolution: one recorded encounter per row, with the
 * facts gathered around it, and the value it must get (1 yes, 0 no, -1
 * unknown) and the words that must open its reason.  docs/rules.md shows
 * the same table.
 */
static const struct {
    const char *enc;
    rp_encounter_facts f;
    int want;
    const char *why;
} fcr_cases[] = {
    /* 1 agreed on the spot, nothing else: earned */
    {"{\"agreement\":\"20 watermelons\"}", {0}, 1, "Resolved"},
    /* 2 an outcome recorded (a sale, an answer) */
    {"{\"no_agreement_reason\":\"just asking\",\"outcome_done\":\"Opening "
     "hours given\"}",
     {0},
     1,
     "Resolved"},
    /* 3 nothing sold and nothing agreed */
    {"{\"no_agreement_reason\":\"only browsing\"}", {0}, 0, "Not resolved"},
    /* 4 nothing recorded at all */
    {"{}", {0}, 0, "Not resolved"},
    /* 5 transferred, even with a sale */
    {"{\"agreement\":\"a\",\"outcome_done\":\"sold\",\"transfers\":1}",
     {0},
     0,
     "Not resolved"},
    /* 6 the customer wrote twice on it */
    {"{\"agreement\":\"a\"}",
     {.inbound_messages = 2, .opened_by_message = 1},
     0,
     "Not resolved"},
    /* 7 opened by one message: one contact */
    {"{\"agreement\":\"a\"}",
     {.inbound_messages = 1, .opened_by_message = 1},
     1,
     "Resolved"},
    /* 8 opened at the desk, then the customer wrote: a second contact */
    {"{\"agreement\":\"a\"}", {.inbound_messages = 1}, 0, "Not resolved"},
    /* 9 reopened by the customer writing again */
    {"{\"agreement\":\"a\",\"outcome_done\":\"done\"}",
     {.inbound_messages = 1, .opened_by_message = 1, .reopened = 1},
     0,
     "Not resolved"},
    /* 10 a follow-up still to do */
    {"{\"agreement\":\"a\",\"outcome_done\":\"done\"}",
     {.follow_ups = 1},
     0,
     "Not resolved"},
    /* 11 the follow-up was done before it closed */
    {"{\"agreement\":\"a\"}",
     {.follow_ups = 1, .follow_ups_done = 1},
     1,
     "Resolved"},
    /* 12 agreed, resting on a promise not yet kept: unknown */
    {"{\"agreement\":\"refund by Friday\"}",
     {.promises = 1, .promises_open = 1},
     -1,
     "Not known"},
    /* 13 the promise was kept before it closed */
    {"{\"agreement\":\"refund by Friday\"}", {.promises = 1}, 1, "Resolved"},
    /* 14 the agent settles the unknown with a yes */
    {"{\"agreement\":\"refund\",\"first_contact_resolved\":true}",
     {.promises_open = 1},
     1,
     "Resolved"},
    /* 15 the agent's no wins over an outcome */
    {"{\"agreement\":\"a\",\"outcome_done\":\"d\","
     "\"first_contact_resolved\":false}",
     {0},
     0,
     "Not resolved"},
    /* 16 the agent's yes does not overrule a transfer */
    {"{\"agreement\":\"a\",\"transfers\":2,\"first_contact_resolved\":true}",
     {0},
     0,
     "Not resolved"},
    /* 17 the agent's yes does not make nothing into something */
    {"{\"no_agreement_reason\":\"x\",\"first_contact_resolved\":true}",
     {0},
     0,
     "Not resolved"},
    /* 18 the promise it rested on was broken */
    {"{\"agreement\":\"refund by Friday\"}",
     {.promises = 1, .promises_broken = 1},
     0,
     "Not resolved"},
    /* 19 blank text is no text */
    {"{\"agreement\":\"  \",\"outcome_done\":\"\\u00a0\"}",
     {0},
     0,
     "Not resolved"},
};

static void test_first_contact_resolution_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof fcr_cases / sizeof fcr_cases[0]; i++) {
        json_t *e = enc(fcr_cases[i].enc);
        const char *why = NULL;
        int got = rp_first_contact_judge(e, &fcr_cases[i].f, &why);
        if (got != fcr_cases[i].want)
            fail_msg("case %zu: got %d, want %d (%s)", i + 1, got,
                     fcr_cases[i].want, why);
        assert_non_null(why);
        assert_memory_equal(why, fcr_cases[i].why, strlen(fcr_cases[i].why));
        json_decref(e);
    }
}

/*
 * Relationship levels: the evidence of one customer's history per row (as
 * the evidence query gives it: rule, encounter, time, score), the number of
 * closed encounters, the level it must get and the rule of the first
 * reason.  docs/rules.md shows the same table.
 */
#define EV(rule, id, at)                                                       \
    "{\"rule\":\"" rule "\",\"encounter_id\":" #id ",\"at\":" #at "}"
#define SAT(score, id, at)                                                     \
    "{\"rule\":\"latest_satisfaction\",\"encounter_id\":" #id ",\"at\":" #at   \
    ",\"score\":" #score "}"
static const struct {
    const char *evidence;
    int64_t closed;
    const char *level, *rule;
} level_cases[] = {
    /* 1 nothing yet */
    {"[]", 0, "transactional", "default"},
    /* 2 two quick visits */
    {"[" EV("closed_encounter", 1, 10) "," EV("closed_encounter", 2, 20) "]", 2,
     "transactional", "default"},
    /* 3 three visits */
    {"[" EV("closed_encounter", 3, 30) "]", 3, "incremental",
     "three_closed_encounters"},
    /* 4 one become visit: a first step, not a pattern */
    {"[" EV("become_encounter", 7, 10) "," EV("closed_encounter", 7, 10) "]", 1,
     "incremental", "first_step"},
    /* 5 a become on the second visit: formative */
    {"[" EV("become_encounter", 7, 20) "," EV("closed_encounter", 6, 10) "]", 2,
     "formative", "become_encounter"},
    /* 6 one become visit whose follow-up was done */
    {"[" EV("become_encounter", 7, 10) "," EV("follow_up_done", 7, 20) "]", 1,
     "formative", "become_encounter"},
    /* 7 one become visit whose promise was kept */
    {"[" EV("become_encounter", 7, 10) "," EV("promise_kept", 7, 20) "]", 1,
     "formative", "become_encounter"},
    /* 8 one resolution that satisfied: a first step */
    {"[" EV("resolution_satisfied", 5, 10) "]", 1, "incremental", "first_step"},
    /* 9 ... and then the customer came back */
    {"[" EV("resolution_satisfied", 5, 10) "]", 2, "formative",
     "resolution_satisfied"},
    /* 10 a supplemental exchange whose follow-up was done */
    {"[" EV("supplemental_followed_up", 4, 20) "," EV("follow_up_done", 4,
                                                      20) "]",
     1, "incremental", "supplemental_followed_up"},
    /* 11 an active goal in the profile */
    {"[" EV("active_goal", null, 10) "]", 0, "formative", "active_goal"},
    /* 12 a formal exchange on the first visit: a first step */
    {"[" EV("formal_exchange", 8, 10) "]", 1, "incremental", "first_step"},
    /* 13 a formal exchange on the second visit: partnership needs three */
    {"[" EV("formal_exchange", 8, 10) "]", 2, "incremental", "first_step"},
    /* 14 a formal exchange on a history of three visits */
    {"[" EV("formal_exchange", 8, 30) "," EV("become_encounter", 7, 20) "]", 3,
     "partnership", "formal_exchange"},
    /* 15 a broken promise, none kept since: a step down */
    {"[" EV("become_encounter", 7, 20) "," EV("promise_broken", 7, 30) "]", 2,
     "incremental", "promise_broken"},
    /* 16 a broken promise, then one kept: no hold */
    {"[" EV("become_encounter", 7, 20) "," EV("promise_broken", 7, 30) "," EV(
         "promise_kept", 9, 40) "]",
     2, "formative", "become_encounter"},
    /* 17 the newest answer was 2 of 5 */
    {"[" EV("closed_encounter", 3, 30) "," SAT(2, 3, 30) "]", 3,
     "transactional", "unhappy_answer"},
    /* 18 the newest answer was 4 of 5: no hold */
    {"[" EV("closed_encounter", 3, 30) "," SAT(4, 3, 30) "]", 3, "incremental",
     "three_closed_encounters"},
    /* 19 held back never goes below transactional */
    {"[" EV("promise_broken", 1, 10) "," SAT(1, 1, 10) "]", 1, "transactional",
     "promise_broken"},
    /* 20 both at once are one step, not two */
    {"[" EV("formal_exchange", 8, 30) "," EV("promise_broken", 8,
                                             31) "," SAT(1, 8, 32) "]",
     3, "formative", "promise_broken"},
};

static void test_level_rules(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof level_cases / sizeof level_cases[0]; i++) {
        const char *level;
        json_error_t jerr;
        json_t *ev = json_loads(level_cases[i].evidence, 0, &jerr), *reasons;
        if (!ev)
            fail_msg("case %zu: %s", i + 1, jerr.text);
        rp_level_decide(ev, level_cases[i].closed, &level, &reasons);
        const char *rule = json_string_value(
            json_object_get(json_array_get(reasons, 0), "rule"));
        if (strcmp(level, level_cases[i].level) ||
            strcmp(rule, level_cases[i].rule))
            fail_msg("case %zu: %s (%s), want %s (%s)", i + 1, level, rule,
                     level_cases[i].level, level_cases[i].rule);
        /* the first reason names the level given */
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(reasons, 0), "level")),
                            level);
        json_decref(reasons);
        json_decref(ev);
    }

    /* every rule that holds is a reason, with the encounters that show it */
    const char *level;
    json_t *reasons,
        *ev = json_loads("[{\"rule\":\"formal_exchange\",\"encounter_id\":8},"
                         "{\"rule\":\"become_encounter\",\"encounter_id\":7},"
                         "{\"rule\":\"closed_encounter\",\"encounter_id\":8},"
                         "{\"rule\":\"closed_encounter\",\"encounter_id\":7}]",
                         0, NULL);
    rp_level_decide(ev, 3, &level, &reasons);
    assert_string_equal(level, "partnership");
    assert_int_equal(json_array_size(reasons), 3);
    json_t *ids = json_object_get(json_array_get(reasons, 1), "encounter_ids");
    assert_int_equal(json_integer_value(json_array_get(ids, 0)), 7);
    json_decref(reasons);
    json_decref(ev);
}

/* ---- the state machine on a real store ----------------------------------- */

/* The state machine's tests run on the shared temporary database. */
typedef rp_test_db fixture;

static json_t *J(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    return j;
}

typedef rp_code (*op_fn)(rp_ctx *, int64_t, json_t *, json_t **, rp_error *);

/* Run op with in, expect rc, and return the output (or NULL). */
static json_t *run(fixture *fx, op_fn op, int64_t id, const char *in,
                   rp_code expect, const char *field)
{
    rp_error err;
    json_t *out = NULL, *body = in ? J(in) : NULL;
    rp_code rc = op(&fx->ctx, id, body, &out, &err);
    json_decref(body);
    if (rc != expect)
        fprintf(stderr, "unexpected %d: %s (%s)\n", rc, err.message, err.field);
    assert_int_equal(rc, expect);
    if (rc) {
        if (field)
            assert_string_equal(err.field, field);
        return NULL;
    }
    return out;
}

static int64_t count(fixture *fx, const rp_entity *e)
{
    int64_t n;
    rp_error err;
    assert_int_equal(fx->store->ops->count(fx->store, e, NULL, 0, &n, &err),
                     RP_OK);
    return n;
}

/* The customer's relationship level is `level`. */
static void assert_level(fixture *fx, int64_t customer, const char *level)
{
    json_t *c;
    rp_error err;
    assert_int_equal(rp_customer_get(&fx->ctx, customer, &c, &err), RP_OK);
    assert_string_equal(
        json_string_value(json_object_get(c, "relationship_level")), level);
    json_decref(c);
}

static int64_t open_encounter(fixture *fx, int64_t *customer)
{
    rp_error err;
    json_t *c, *e,
        *in = J("{\"name\":\"Thomas Baker\",\"preferred_name\":\"Tom\"}");
    assert_int_equal(rp_customer_create(&fx->ctx, in, &c, &err), RP_OK);
    json_decref(in);
    *customer = json_integer_value(json_object_get(c, "id"));
    in = json_pack("{s:I, s:s, s:s}", "customer_id", (json_int_t)*customer,
                   "channel", "phone", "subject", "Leaflet");
    assert_int_equal(rp_encounter_open(&fx->ctx, in, &e, &err), RP_OK);
    int64_t id = json_integer_value(json_object_get(e, "id"));
    json_decref(in);
    json_decref(c);
    json_decref(e);
    return id;
}

static void test_cycle_on_store(void **state)
{
    fixture *fx = *state;
    int64_t cid, id = open_encounter(fx, &cid);
    int64_t moments = count(fx, &RP_ENTITY_MOMENT);

    /* refusals change nothing */
    run(fx, rp_encounter_advance, id, "{\"to\":\"understood\",\"facts\":\"x\"}",
        RP_ECONFLICT, "acknowledged_at");
    run(fx, rp_encounter_record, id, "{\"facts\":5}", RP_ETYPE, "facts");
    run(fx, rp_encounter_record, id, "{\"colour\":\"red\"}", RP_EINVALID,
        "colour");
    run(fx, rp_encounter_record, id,
        "{\"agreement\":\"a\","
        "\"no_agreement_reason\":\"b\"}",
        RP_EINVALID, "no_agreement_reason");
    run(fx, rp_encounter_record, id, "{}", RP_EINVALID, NULL);
    assert_int_equal(count(fx, &RP_ENTITY_MOMENT), moments);
    json_t *e;
    rp_error gerr;
    assert_int_equal(rp_encounter_get(&fx->ctx, id, &e, &gerr), RP_OK);
    assert_true(json_is_null(json_object_get(e, "facts"))); /* not half-done */
    json_decref(e);
    e = run(fx, rp_encounter_advance, 999, "{\"to\":\"understood\"}",
            RP_ENOTFOUND, "id");

    /* the whole cycle; each step one moment */
    e = run(fx, rp_encounter_record, id, "{\"request\":\"A leaflet\"}", RP_OK,
            NULL);
    json_decref(e);
    e = run(fx, rp_encounter_acknowledge, id, NULL, RP_OK, NULL);
    assert_false(json_is_null(json_object_get(e, "acknowledged_at")));
    assert_false(json_is_null(json_object_get(e, "first_response_at")));
    json_decref(e);
    int64_t before = count(fx, &RP_ENTITY_MOMENT);
    e = run(fx, rp_encounter_acknowledge, id, "{}", RP_OK, NULL); /* no-op */
    json_decref(e);
    assert_int_equal(count(fx, &RP_ENTITY_MOMENT), before);
    e = run(fx, rp_encounter_advance, id,
            "{\"to\":\"understood\",\"facts\":\"Wants to know side effects\","
            "\"information_requested\":true}",
            RP_OK, NULL);
    assert_string_equal(json_string_value(json_object_get(e, "stage")),
                        "understood");
    assert_false(json_is_null(json_object_get(e, "understood_at")));
    json_decref(e);
    run(fx, rp_encounter_advance, id, "{\"to\":\"kept\"}", RP_ECONFLICT, "to");
    json_decref(
        run(fx, rp_encounter_advance, id, "{\"to\":\"helped\"}", RP_OK, NULL));
    json_decref(run(fx, rp_encounter_advance, id, "{\"to\":\"helped\"}",
                    RP_ECONFLICT, "to"));
    e = run(fx, rp_encounter_advance, id, "{\"to\":\"kept\"}", RP_ECONFLICT,
            "agreement");
    e = run(fx, rp_encounter_advance, id,
            "{\"to\":\"kept\",\"agreement\":\"Send the leaflet\"}", RP_OK,
            NULL);
    json_decref(e);
    json_t *task = run(
        fx, rp_encounter_add_follow_up, id,
        "{\"due_at\":\"2026-12-01T09:00:00Z\",\"subject\":\"Call\"}", RP_OK,
        NULL);
    assert_string_equal(
        json_string_value(json_object_get(task, "idempotency_key")),
        "follow_up:1:1");
    int64_t task_id = json_integer_value(json_object_get(task, "id"));
    json_decref(task);
    json_decref(run(fx, rp_encounter_add_satisfaction, id,
                    "{\"score\":5,\"words\":[\"caring\",\"clear\",\"quick\"]}",
                    RP_OK, NULL));
    e = run(fx, rp_encounter_advance, id,
            "{\"to\":\"closed\",\"outcome_done\":\"Leaflet sent\"}", RP_OK,
            NULL);
    assert_string_equal(json_string_value(json_object_get(e, "kind")), "what");
    assert_string_equal(json_string_value(json_object_get(e, "exchange")),
                        "supplemental");
    /* a follow-up is still to do: not resolved at the first contact */
    assert_true(json_is_false(json_object_get(e, "first_contact_resolved")));
    assert_non_null(
        strstr(json_string_value(json_object_get(e, "first_contact_reason")),
               "follow-up"));
    json_decref(e);

    /* still transactional until the follow-up is done */
    assert_level(fx, cid, "transactional");
    assert_int_equal(count(fx, &RP_ENTITY_RELATIONSHIP_LEVEL), 0);
    json_decref(run(fx, rp_task_complete, task_id, NULL, RP_OK, NULL));
    run(fx, rp_task_complete, task_id, NULL, RP_ECONFLICT, "status");
    assert_level(fx, cid, "incremental");
    assert_int_equal(count(fx, &RP_ENTITY_RELATIONSHIP_LEVEL), 1);

    /* a finished encounter neither moves nor records */
    run(fx, rp_encounter_abandon, id, "{\"reason\":\"x\"}", RP_ECONFLICT,
        "stage");
    run(fx, rp_encounter_record, id, "{\"facts\":\"y\"}", RP_ECONFLICT,
        "stage");
}

static void test_agent_kind_is_not_overwritten(void **state)
{
    fixture *fx = *state;
    int64_t cid, id = open_encounter(fx, &cid);
    json_decref(run(fx, rp_encounter_acknowledge, id, NULL, RP_OK, NULL));
    json_decref(run(fx, rp_encounter_record, id,
                    "{\"kind\":\"become\",\"exchange\":\"formal\","
                    "\"facts\":\"f\",\"no_agreement_reason\":\"none\","
                    "\"satisfaction_skip_reason\":\"phone dropped\"}",
                    RP_OK, NULL));
    json_decref(run(fx, rp_encounter_add_transfer, id,
                    "{\"reason\":\"wrong queue\",\"to_queue_id\":2}", RP_OK,
                    NULL));
    const char *steps[] = {"understood", "helped", "kept", "closed"};
    json_t *e = NULL;
    for (int i = 0; i < 4; i++) {
        char body[64];
        snprintf(body, sizeof body, "{\"to\":\"%s\"}", steps[i]);
        json_decref(e);
        e = run(fx, rp_encounter_advance, id, body, RP_OK, NULL);
    }
    assert_string_equal(json_string_value(json_object_get(e, "kind")),
                        "become");
    assert_string_equal(json_string_value(json_object_get(e, "kind_source")),
                        "agent");
    assert_string_equal(json_string_value(json_object_get(e, "exchange")),
                        "formal");
    assert_int_equal(json_integer_value(json_object_get(e, "transfers")), 1);
    assert_true(json_is_false(json_object_get(e, "first_contact_resolved")));
    /* the rules' own verdict is kept beside the agent's, with both in the
     * reason, and the override is counted as one */
    assert_string_equal(json_string_value(json_object_get(e, "kind_inferred")),
                        "what");
    assert_string_equal(
        json_string_value(json_object_get(e, "exchange_inferred")), "quick");
    assert_non_null(strstr(json_string_value(json_object_get(e, "kind_reason")),
                           "set by the agent; the rules would say what"));
    json_decref(e);
    json_t *o = NULL;
    rp_error err;
    assert_int_equal(rp_customer_overview(&fx->ctx, cid, &o, &err), RP_OK);
    json_t *agent = json_object_get(o, "encounters_set_by_agent");
    assert_int_equal(json_integer_value(json_object_get(agent, "kind")), 1);
    assert_int_equal(json_integer_value(json_object_get(agent, "exchange")), 1);
    json_decref(o);
    /* one formal visit is a first step, not yet a partnership */
    assert_level(fx, cid, "incremental");
}

static void test_sub_resource_validation(void **state)
{
    fixture *fx = *state;
    int64_t cid, id = open_encounter(fx, &cid);
    (void)cid;
    run(fx, rp_encounter_add_special_request, id,
        "{\"description\":\"Deliver at 6am\",\"outcome\":\"declined\"}",
        RP_EINVALID, "decline_reason");
    run(fx, rp_encounter_add_special_request, id,
        "{\"description\":\"Deliver at 6am\",\"outcome\":\"granted\","
        "\"decline_reason\":\"no\"}",
        RP_EINVALID, "decline_reason");
    run(fx, rp_encounter_add_defect, id, "{\"kind\":\"bad\",\"cause\":\"x\"}",
        RP_EINVALID, "kind");
    run(fx, rp_encounter_add_satisfaction, id, "{\"score\":6}", RP_EINVALID,
        "score");
    run(fx, rp_encounter_add_satisfaction, id,
        "{\"score\":3,\"schedule_at\":\"2026-12-01T09:00:00Z\"}", RP_EINVALID,
        "schedule_at");
    run(fx, rp_encounter_add_satisfaction, id,
        "{\"score\":3,\"words\":[\"a\",\"b\",\"c\",\"d\"]}", RP_EINVALID,
        "words");
    run(fx, rp_encounter_add_promise, id,
        "{\"what\":\"call\",\"due_at\":\"soon\"}", RP_EINVALID, "due_at");
    assert_int_equal(count(fx, &RP_ENTITY_SPECIAL_REQUEST), 0);
    assert_int_equal(count(fx, &RP_ENTITY_SATISFACTION), 0);
    json_t *r = run(fx, rp_encounter_add_satisfaction, id,
                    "{\"score\":2,\"words\":[\"slow\"]}", RP_OK, NULL);
    json_decref(r);
    json_t *m;
    rp_page_req page = {1, 0};
    rp_error err;
    assert_int_equal(rp_moment_list(&fx->ctx, cid, &page, &m, &err), RP_OK);
    json_t *last = json_array_get(json_object_get(m, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(last, "kind")),
                        "satisfaction.answered");
    assert_string_equal(json_string_value(json_object_get(last, "impression")),
                        "negative");
    json_decref(m);
}

/* An active goal makes the relationship formative; the level's history and
 * its moment are kept, and recomputing without a change adds neither. */
static void test_active_goal_and_level_history(void **state)
{
    fixture *fx = *state;
    int64_t cid;
    (void)open_encounter(fx, &cid);
    rp_error err;
    rp_store *s = fx->store;
    json_t *goal = json_pack(
        "{s:I, s:s, s:[], s:s, s:I, s:I}", "customer_id", (json_int_t)cid,
        "title", "Open a juice bar", "tags", "status", "active", "created_at",
        (json_int_t)rp_now(), "updated_at", (json_int_t)rp_now());
    assert_int_equal(rp_store_begin(s, &err), RP_OK);
    assert_int_equal(s->ops->insert(s, &RP_ENTITY_GOAL, goal, NULL, &err),
                     RP_OK);
    assert_int_equal(rp_relationship_recompute(&fx->ctx, cid, 0, &err), RP_OK);
    assert_int_equal(rp_store_commit(s, &err), RP_OK);
    json_decref(goal);
    json_t *c;
    assert_int_equal(rp_customer_get(&fx->ctx, cid, &c, &err), RP_OK);
    assert_string_equal(
        json_string_value(json_object_get(c, "relationship_level")),
        "formative");
    json_t *r0 = json_array_get(json_object_get(c, "relationship_reasons"), 0);
    assert_string_equal(json_string_value(json_object_get(r0, "rule")),
                        "active_goal");
    json_decref(c);
    assert_int_equal(count(fx, &RP_ENTITY_RELATIONSHIP_LEVEL), 1);
    int64_t moments = count(fx, &RP_ENTITY_MOMENT);
    assert_int_equal(rp_store_begin(s, &err), RP_OK);
    assert_int_equal(rp_relationship_recompute(&fx->ctx, cid, 0, &err), RP_OK);
    assert_int_equal(rp_store_commit(s, &err), RP_OK);
    assert_int_equal(count(fx, &RP_ENTITY_RELATIONSHIP_LEVEL), 1);
    assert_int_equal(count(fx, &RP_ENTITY_MOMENT), moments);
}

/* The newest level-history row of the customer (new reference). */
static json_t *newest_level_row(fixture *fx, int64_t customer)
{
    rp_error err;
    json_t *cid = json_integer(customer), *rows = NULL;
    rp_filter f = {"customer_id", RP_FILTER_EQ, cid};
    rp_page p = {0, 1, 1};
    assert_int_equal(fx->store->ops->list(fx->store,
                                          &RP_ENTITY_RELATIONSHIP_LEVEL, &f, 1,
                                          &p, &rows, &err),
                     RP_OK);
    json_decref(cid);
    json_t *row = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    assert_non_null(row);
    return row;
}

static void expect_history(fixture *fx, int64_t customer, const char *level,
                           const char *cause)
{
    assert_level(fx, customer, level);
    json_t *row = newest_level_row(fx, customer);
    assert_string_equal(json_string_value(json_object_get(row, "level")),
                        level);
    assert_string_equal(json_string_value(json_object_get(row, "cause")),
                        cause);
    json_decref(row);
}

/*
 * The level moves at once, with its cause in the history: a become on one
 * visit is a first step; the promise kept on it makes the relationship
 * formative; an unhappy answer holds it back; a better answer (after a
 * follow-up done) brings it back.
 */
static void test_level_moves_at_once(void **state)
{
    fixture *fx = *state;
    int64_t cid, id = open_encounter(fx, &cid);
    json_decref(run(fx, rp_encounter_acknowledge, id, NULL, RP_OK, NULL));
    json_t *p = run(fx, rp_encounter_add_promise, id,
                    "{\"what\":\"Show the plantation\","
                    "\"due_at\":\"2099-01-01T10:00:00Z\"}",
                    RP_OK, NULL);
    int64_t promise = json_integer_value(json_object_get(p, "id"));
    json_decref(p);
    json_decref(run(fx, rp_encounter_advance, id,
                    "{\"to\":\"understood\",\"facts\":\"Makes juice\","
                    "\"goal\":\"The best juice in town\"}",
                    RP_OK, NULL));
    json_decref(run(fx, rp_encounter_advance, id,
                    "{\"to\":\"helped\",\"agreement\":\"A visit\"}", RP_OK,
                    NULL));
    json_decref(run(fx, rp_encounter_advance, id,
                    "{\"to\":\"kept\",\"satisfaction_skip_reason\":\"later\"}",
                    RP_OK, NULL));
    json_t *e = run(fx, rp_encounter_advance, id, "{\"to\":\"closed\"}", RP_OK,
                    NULL);
    assert_string_equal(json_string_value(json_object_get(e, "kind")),
                        "become");
    json_decref(e);
    expect_history(fx, cid, "incremental", "an encounter was closed");

    rp_error err;
    json_t *out = NULL;
    assert_int_equal(rp_promise_keep(&fx->ctx, promise, &out, &err), RP_OK);
    json_decref(out);
    expect_history(fx, cid, "formative", "a promise was kept");

    json_decref(run(fx, rp_encounter_add_satisfaction, id,
                    "{\"score\":2,\"words\":[\"slow\"]}", RP_OK, NULL));
    expect_history(fx, cid, "incremental",
                   "the customer answered a satisfaction check");
    json_t *c;
    assert_int_equal(rp_customer_get(&fx->ctx, cid, &c, &err), RP_OK);
    json_t *r0 = json_array_get(json_object_get(c, "relationship_reasons"), 0);
    assert_string_equal(json_string_value(json_object_get(r0, "rule")),
                        "unhappy_answer");
    json_decref(c);

    /* a follow-up done does not outweigh the unhappy answer ... */
    json_t *task = run(
        fx, rp_encounter_add_follow_up, id,
        "{\"due_at\":\"2099-01-02T09:00:00Z\",\"subject\":\"Call\"}", RP_OK,
        NULL);
    int64_t task_id = json_integer_value(json_object_get(task, "id"));
    json_decref(task);
    int64_t rows = count(fx, &RP_ENTITY_RELATIONSHIP_LEVEL);
    json_decref(run(fx, rp_task_complete, task_id, NULL, RP_OK, NULL));
    assert_level(fx, cid, "incremental");
    assert_int_equal(count(fx, &RP_ENTITY_RELATIONSHIP_LEVEL), rows);
    /* ... a better answer does */
    json_decref(run(fx, rp_encounter_add_satisfaction, id,
                    "{\"score\":5,\"words\":[\"kind\"]}", RP_OK, NULL));
    expect_history(fx, cid, "formative",
                   "the customer answered a satisfaction check");
}

/* ---- what each moment says ---------------------------------------------- */

/* Like run, with the input built in C (stolen). */
static json_t *run_j(fixture *fx, op_fn op, int64_t id, json_t *in,
                     rp_code expect, const char *field)
{
    char *text = json_dumps(in, JSON_COMPACT);
    json_decref(in);
    json_t *out = run(fx, op, id, text, expect, field);
    free(text);
    return out;
}

/* n copies of the UTF-8 character c, then tail. */
static char *repeat(const char *c, size_t n, const char *tail)
{
    rp_buf b = RP_BUF_INIT;
    for (size_t i = 0; i < n; i++)
        rp_buf_puts(&b, c);
    rp_buf_puts(&b, tail);
    return rp_buf_steal(&b);
}

/* The summary of the newest moment of this kind for the encounter; every
 * moment of the customer is checked on the way: never "(null)", always
 * whole UTF-8. */
static char *summary_of(fixture *fx, int64_t customer, int64_t encounter,
                        const char *kind)
{
    rp_page_req page = {500, 0};
    json_t *list;
    rp_error err;
    assert_int_equal(rp_moment_list(&fx->ctx, customer, &page, &list, &err),
                     RP_OK);
    char *found = NULL;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(list, "items"), i, m) {
        const char *text = json_string_value(json_object_get(m, "summary"));
        assert_non_null(text);
        assert_null(strstr(text, "(null)"));
        assert_true(strlen(text) > 0);
        assert_true(rp_utf8_is_valid(text, strlen(text)));
        if (json_integer_value(json_object_get(m, "encounter_id")) ==
                encounter &&
            !strcmp(json_string_value(json_object_get(m, "kind")), kind)) {
            free(found);
            found = strdup(text);
        }
    }
    json_decref(list);
    if (!found)
        fprintf(stderr, "no moment %s for encounter %lld\n", kind,
                (long long)encounter);
    assert_non_null(found);
    return found;
}

static void expect_summary(fixture *fx, int64_t customer, int64_t encounter,
                           const char *kind, const char *want)
{
    char *got = summary_of(fx, customer, encounter, kind);
    assert_string_equal(got, want);
    free(got);
}

#define ELLIPSIS "\xE2\x80\xA6"

static void test_each_moment_says_what_happened(void **state)
{
    fixture *fx = *state;
    int64_t cid, id = open_encounter(fx, &cid);
    expect_summary(fx, cid, id, "encounter.opened",
                   "Encounter opened (phone): Leaflet");
    json_decref(run(fx, rp_encounter_acknowledge, id, NULL, RP_OK, NULL));
    char *ack = summary_of(fx, cid, id, "encounter.acknowledged");
    assert_non_null(strstr(ack, "greeted as Tom"));
    free(ack);

    /* entering understanding: nothing is understood yet */
    json_decref(run(fx, rp_encounter_advance, id, "{\"to\":\"understood\"}",
                    RP_OK, NULL));
    expect_summary(fx, cid, id, "encounter.understood",
                   "Received and acknowledged; listening for the need");

    /* facts of 199 CJK characters, then e + a combining acute at the cut:
     * the summary keeps the letter and its accent together, or neither */
    char *facts = repeat("\xE6\xBC\xA2", 199, "e\xCC\x81 and more");
    json_decref(run_j(fx, rp_encounter_record, id,
                      json_pack("{s:s}", "facts", facts), RP_OK, NULL));
    json_decref(
        run(fx, rp_encounter_advance, id, "{\"to\":\"helped\"}", RP_OK, NULL));
    char *want = repeat("\xE6\xBC\xA2", 199, ELLIPSIS);
    char *got = summary_of(fx, cid, id, "encounter.helped");
    assert_memory_equal(got, "Understood: ", 12);
    assert_string_equal(got + 12, want);
    assert_null(strstr(got, "agree")); /* nothing was agreed yet */
    free(got);
    free(want);
    free(facts);

    /* an agreement of 199 accented letters, then an emoji with a skin tone
     * that the cut falls inside */
    char *agreement = repeat("\xC3\x9C", 199,
                             "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD!");
    json_decref(run_j(fx, rp_encounter_record, id,
                      json_pack("{s:s}", "agreement", agreement), RP_OK, NULL));
    json_decref(
        run(fx, rp_encounter_advance, id, "{\"to\":\"kept\"}", RP_OK, NULL));
    want = repeat("\xC3\x9C", 199, ELLIPSIS);
    got = summary_of(fx, cid, id, "encounter.kept");
    assert_memory_equal(got, "Helped: agreed ", 15);
    assert_string_equal(got + 15, want);
    free(got);
    free(want);
    free(agreement);

    json_decref(
        run(fx, rp_encounter_advance, id,
            "{\"to\":\"closed\",\"satisfaction_skip_reason\":\"in a "
            "hurry\",\"outcome_done\":\"Leaflet sent \xF0\x9F\x93\xA8\"}",
            RP_OK, NULL));
    expect_summary(fx, cid, id, "encounter.closed",
                   "Closed (kind what, exchange quick; satisfaction check "
                   "skipped): Leaflet sent \xF0\x9F\x93\xA8");

    /* a second encounter ends with no agreement, then is abandoned */
    json_t *e,
        *in = json_pack("{s:I, s:s, s:s}", "customer_id", (json_int_t)cid,
                        "channel", "in_person", "subject", "Navy suit");
    rp_error err;
    assert_int_equal(rp_encounter_open(&fx->ctx, in, &e, &err), RP_OK);
    json_decref(in);
    int64_t id2 = json_integer_value(json_object_get(e, "id"));
    json_decref(e);
    json_decref(run(fx, rp_encounter_acknowledge, id2, NULL, RP_OK, NULL));
    json_decref(run(fx, rp_encounter_advance, id2, "{\"to\":\"understood\"}",
                    RP_OK, NULL));
    json_decref(run(fx, rp_encounter_advance, id2,
                    "{\"to\":\"helped\",\"facts\":\"Size 50, navy\"}", RP_OK,
                    NULL));
    expect_summary(fx, cid, id2, "encounter.helped",
                   "Understood: Size 50, navy");
    json_decref(run(fx, rp_encounter_advance, id2,
                    "{\"to\":\"kept\",\"no_agreement_reason\":\"Out of "
                    "stock\"}",
                    RP_OK, NULL));
    expect_summary(fx, cid, id2, "encounter.kept",
                   "Helped; nothing was agreed, because: Out of stock");

    /* a cause whose 200th byte falls inside a character was once cut there,
     * and the moment could not be written at all */
    char *cause = repeat("a", 199, "\xC3\xA9\xC3\xA9\xC3\xA9");
    json_decref(run_j(fx, rp_encounter_add_defect, id2,
                      json_pack("{s:s, s:s}", "kind", "late", "cause", cause),
                      RP_OK, NULL));
    want = repeat("a", 199, "\xC3\xA9" ELLIPSIS);
    got = summary_of(fx, cid, id2, "defect.recorded");
    assert_string_equal(got + strlen("Service breakdown (late): "), want);
    free(got);
    free(want);
    free(cause);

    json_decref(run(fx, rp_encounter_abandon, id2,
                    "{\"reason\":\"Customer left \xF0\x9F\x9A\xB6\"}", RP_OK,
                    NULL));
    /* how long it took depends on the machine: only its shape is fixed */
    char *gone = summary_of(fx, cid, id2, "encounter.abandoned");
    const char *tail = " s: Customer left \xF0\x9F\x9A\xB6";
    assert_memory_equal(gone, "Abandoned while keeping, after ", 31);
    assert_string_equal(gone + strlen(gone) - strlen(tail), tail);
    free(gone);
}

/* The guide's checklist and the cycle read blank text the same way. */
/* The agent overrides the kind with a reason; the reason alone is refused,
 * and the close keeps both the agent's reason and the rules' verdict. */
static void test_override_with_a_reason(void **state)
{
    fixture *fx = *state;
    int64_t cid, id = open_encounter(fx, &cid);
    (void)cid;
    json_decref(run(fx, rp_encounter_acknowledge, id, NULL, RP_OK, NULL));
    run(fx, rp_encounter_record, id,
        "{\"kind_override_reason\":\"she wants to open a shop\"}", RP_EINVALID,
        "kind_override_reason");
    run(fx, rp_encounter_record, id,
        "{\"kind\":null,\"kind_override_reason\":\"why\"}", RP_EINVALID,
        "kind_override_reason");
    json_t *e = run(fx, rp_encounter_record, id,
                    "{\"kind\":\"become\",\"kind_override_reason\":\"she "
                    "wants to open a shop\"}",
                    RP_OK, NULL);
    assert_string_equal(json_string_value(json_object_get(e, "kind_reason")),
                        "set by the agent: she wants to open a shop");
    assert_string_equal(
        json_string_value(json_object_get(e, "kind_override_reason")),
        "she wants to open a shop");
    json_decref(e);
    const char *steps[] = {
        "{\"to\":\"understood\"}",
        "{\"to\":\"helped\",\"facts\":\"wants juice\"}",
        "{\"to\":\"kept\",\"agreement\":\"order\"}",
        "{\"to\":\"closed\",\"satisfaction_skip_reason\":\"busy\"}"};
    e = NULL;
    for (int i = 0; i < 4; i++) {
        json_decref(e);
        e = run(fx, rp_encounter_advance, id, steps[i], RP_OK, NULL);
    }
    assert_string_equal(json_string_value(json_object_get(e, "kind")),
                        "become");
    const char *why = json_string_value(json_object_get(e, "kind_reason"));
    assert_non_null(strstr(why, "set by the agent (she wants to open a shop); "
                                "the rules would say what, because"));
    json_decref(e);
    /* handing it back clears the reason with it */
    int64_t id2 = open_encounter(fx, &cid);
    json_decref(run(fx, rp_encounter_record, id2,
                    "{\"exchange\":\"formal\",\"exchange_override_reason\":"
                    "\"a contract\"}",
                    RP_OK, NULL));
    e = run(fx, rp_encounter_record, id2, "{\"exchange\":null}", RP_OK, NULL);
    assert_true(json_is_null(json_object_get(e, "exchange_override_reason")));
    assert_true(json_is_null(json_object_get(e, "exchange_source")));
    json_decref(e);
}

/* After an abandoned call the fault is still ours: the apology can be
 * recorded, nothing else can, and the timeline says so in words. */
static void test_apology_after_abandonment(void **state)
{
    fixture *fx = *state;
    int64_t cid1, id = open_encounter(fx, &cid1), cid;
    rp_clock_pin(1800000000);
    int64_t id2 = open_encounter(fx, &cid);
    rp_clock_pin(1800000000 + 31 * 60);
    json_decref(run(fx, rp_encounter_abandon, id2,
                    "{\"reason\":\"Hung up after the wait\"}", RP_OK, NULL));
    expect_summary(fx, cid, id2, "encounter.abandoned",
                   "Abandoned while receiving, after 31 min: Hung up after "
                   "the wait");
    run(fx, rp_encounter_record, id2, "{\"facts\":\"too late\"}", RP_ECONFLICT,
        "stage");
    run(fx, rp_encounter_record, id2,
        "{\"apology_given\":true,\"facts\":\"x\"}", RP_ECONFLICT, "stage");
    json_t *e = run(fx, rp_encounter_record, id2, "{\"apology_given\":true}",
                    RP_OK, NULL);
    assert_true(json_is_true(json_object_get(e, "apology_given")));
    assert_true(json_is_true(json_object_get(e, "apology_owed")));
    assert_string_equal(json_string_value(json_object_get(e, "stage")),
                        "abandoned");
    json_decref(e);
    expect_summary(fx, cid, id2, "encounter.recorded",
                   "Apologised to the customer");
    /* a defect of the abandoned call is recorded too, in words */
    json_decref(run(fx, rp_encounter_add_defect, id2,
                    "{\"kind\":\"long_wait\",\"cause\":\"one agent on "
                    "the phones\"}",
                    RP_OK, NULL));
    expect_summary(fx, cid, id2, "defect.recorded",
                   "Service breakdown (a long wait): one agent on the phones");
    /* an ordinary record names what was recorded in words, not fields */
    json_decref(run(fx, rp_encounter_record, id,
                    "{\"facts\":\"f\",\"no_agreement_reason\":\"n\"}", RP_OK,
                    NULL));
    char *got = summary_of(fx, cid1, id, "encounter.recorded");
    assert_null(strstr(got, "_"));
    assert_non_null(strstr(got, "the facts"));
    free(got);
}

/* What an encounter recorded comes back in one read, without secrets. */
static void test_records_of_an_encounter(void **state)
{
    fixture *fx = *state;
    int64_t cid, id = open_encounter(fx, &cid), cid2;
    int64_t other = open_encounter(fx, &cid2);
    json_decref(run(fx, rp_encounter_add_defect, id,
                    "{\"kind\":\"late\",\"cause\":\"van broke down\"}", RP_OK,
                    NULL));
    json_decref(run(fx, rp_encounter_add_defect, other,
                    "{\"kind\":\"rude\",\"cause\":\"another encounter\"}",
                    RP_OK, NULL));
    json_decref(run(fx, rp_encounter_add_special_request, id,
                    "{\"description\":\"Deliver at 6am\",\"outcome\":"
                    "\"declined\",\"decline_reason\":\"no driver then\"}",
                    RP_OK, NULL));
    json_decref(run(fx, rp_encounter_add_promise, id,
                    "{\"what\":\"call back\",\"due_at\":"
                    "\"2030-01-01T10:00:00Z\"}",
                    RP_OK, NULL));
    expect_summary(fx, cid, id, "promise.made",
                   "Promised: call back (due 2030-01-01T10:00:00Z)");
    json_decref(run(fx, rp_encounter_add_satisfaction, id,
                    "{\"schedule_at\":\"2030-01-02T10:00:00Z\"}", RP_OK, NULL));
    json_t *r;
    rp_error err;
    assert_int_equal(rp_encounter_records(&fx->ctx, id, &r, &err), RP_OK);
    assert_int_equal(json_array_size(json_object_get(r, "defects")), 1);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(r, "defects"), 0), "cause")),
        "van broke down");
    json_t *sr = json_array_get(json_object_get(r, "special_requests"), 0);
    assert_string_equal(
        json_string_value(json_object_get(sr, "decline_reason")),
        "no driver then");
    assert_int_equal(json_array_size(json_object_get(r, "promises")), 1);
    assert_int_equal(json_array_size(json_object_get(r, "transfers")), 0);
    json_t *s;
    size_t i;
    json_array_foreach(json_object_get(r, "satisfaction"), i, s)
        assert_null(json_object_get(s, "token_hash"));
    json_decref(r);
    assert_int_equal(rp_encounter_records(&fx->ctx, 999, &r, &err),
                     RP_ENOTFOUND);
}

static void expect_facts_missing(fixture *fx, int64_t id, int missing)
{
    json_t *g;
    rp_error err;
    assert_int_equal(rp_encounter_guide(&fx->ctx, id, &g, &err), RP_OK);
    json_t *first = json_array_get(json_object_get(g, "checklist"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "skill")),
                        "listen for facts");
    assert_int_equal(json_is_true(json_object_get(first, "done")), !missing);
    json_t *m = json_object_get(g, "missing");
    assert_int_equal(json_array_size(m), missing ? 1 : 0);
    if (missing)
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(m, 0), "field")),
            "facts");
    json_decref(g);
}

static void test_blank_text_is_no_text(void **state)
{
    fixture *fx = *state;
    int64_t cid, id = open_encounter(fx, &cid);
    json_decref(run(fx, rp_encounter_acknowledge, id, NULL, RP_OK, NULL));
    json_decref(run(fx, rp_encounter_advance, id, "{\"to\":\"understood\"}",
                    RP_OK, NULL));
    const char *blanks[] = {"   ", "\t\n", "\xC2\xA0", "\xE3\x80\x80 "};
    for (size_t i = 0; i < sizeof blanks / sizeof blanks[0]; i++) {
        json_t *e = run_j(fx, rp_encounter_record, id,
                          json_pack("{s:s, s:s}", "facts", blanks[i],
                                    "restatement", blanks[i]),
                          RP_OK, NULL);
        assert_true(json_is_null(json_object_get(e, "facts")));
        assert_true(json_is_null(json_object_get(e, "restatement")));
        json_decref(e);
        expect_facts_missing(fx, id, 1);
        run(fx, rp_encounter_advance, id, "{\"to\":\"helped\"}", RP_ECONFLICT,
            "facts");
    }
    /* a required text that is blank is refused, naming the field */
    run(fx, rp_encounter_abandon, id, "{\"reason\":\" \\u3000 \"}", RP_EINVALID,
        "reason");
    json_decref(run(fx, rp_encounter_record, id,
                    "{\"facts\":\"Needs a navy suit\"}", RP_OK, NULL));
    expect_facts_missing(fx, id, 0);
    json_decref(
        run(fx, rp_encounter_advance, id, "{\"to\":\"helped\"}", RP_OK, NULL));
    /* blanking a recorded text clears it */
    json_t *e = run(fx, rp_encounter_record, id, "{\"facts\":\"\\u00a0\"}",
                    RP_OK, NULL);
    assert_true(json_is_null(json_object_get(e, "facts")));
    json_decref(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leaving_received_needs_acknowledgement),
        cmocka_unit_test(test_stages_cannot_be_skipped_or_repeated),
        cmocka_unit_test(test_each_stage_names_its_missing_piece),
        cmocka_unit_test(test_next_working_day),
        cmocka_unit_test(test_kind_exchange_table),
        cmocka_unit_test(test_first_contact_resolution_table),
        cmocka_unit_test(test_level_rules),
        cmocka_unit_test_setup_teardown(test_cycle_on_store, rp_test_db_setup,
                                        rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_agent_kind_is_not_overwritten,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_override_with_a_reason,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_apology_after_abandonment,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_records_of_an_encounter,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_sub_resource_validation,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_active_goal_and_level_history,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_level_moves_at_once,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_each_moment_says_what_happened,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_blank_text_is_no_text,
                                        rp_test_db_setup, rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
