/*
 * stories.c - the seed stories of docs/design.md as demo data.
 *
 * A new user should see rapport's ideas at work at once, so `rapport demo`
 * (and the README's run command) load the people of the seed texts and
 * their encounters through the same domain functions the API uses: the demo
 * obeys every rule and writes every moment of truth a real desk would.
 */
#include <stdio.h>
#include <string.h>

#include "core/rapport.h"

/* One step of a story, played through the encounter's public functions. */
typedef enum demo_op {
    D_END = 0,
    D_RECORD,       /* rp_encounter_record(json) */
    D_ACK,          /* rp_encounter_acknowledge */
    D_ADVANCE,      /* rp_encounter_advance(json) */
    D_ABANDON,      /* rp_encounter_abandon(json) */
    D_DEFECT,       /* rp_encounter_add_defect(json) */
    D_PROMISE,      /* rp_encounter_add_promise(json + due_at = now + due_in) */
    D_FOLLOW_UP,    /* rp_encounter_add_follow_up(json + due_at) */
    D_SATISFACTION, /* rp_encounter_add_satisfaction(json) */
    D_TRANSFER,     /* rp_encounter_add_transfer(json) */
    D_COMPLETE,     /* rp_task_complete of the last task made */
    D_CLOCK         /* pin the clock at start + due_in (0: release); as the
                       first step, the story starts due_in seconds ago */
} demo_op;

typedef struct demo_step {
    demo_op op;
    const char *json;
    int64_t due_in; /* seconds from the demo's start, for D_PROMISE etc. */
} demo_step;

typedef struct demo_story {
    const char *customer_json;
    const char *encounters[4]; /* each {"channel","subject"} */
    demo_step steps[16];       /* played on the first encounter */
} demo_story;

#define DAY 86400
/* Braced lists inside macros stay as written. */
/* clang-format off */
#define CLOSE_WITH(done) {D_ADVANCE, "{\"to\":\"kept\"}", 0}, \
    {D_ADVANCE, "{\"to\":\"closed\",\"outcome_done\":\"" done "\"}", 0}
#define UNDERSTOOD {D_ADVANCE, "{\"to\":\"understood\"}", 0}
#define HELPED {D_ADVANCE, "{\"to\":\"helped\"}", 0}
/* clang-format on */

static const demo_story stories[] = {
    /* 1. The fruit seller, three times (seed 000): what, how, become. */
    {"{\"name\":\"Walk-in watermelon buyer\",\"notes\":\"Story 1, first kind:"
     " knows exactly what he wants.\"}",
     {"{\"channel\":\"in_person\",\"subject\":\"20 watermelons\"}"},
     {{D_RECORD, "{\"request\":\"20 watermelons\"}", 0},
      {D_ACK, NULL, 0},
      {D_RECORD, "{\"facts\":\"Wants 20 watermelons\"}", 0},
      UNDERSTOOD,
      {D_RECORD,
       "{\"agreement\":\"20 watermelons, handed over\","
       "\"thanked\":true}",
       0},
      HELPED,
      {D_RECORD,
       "{\"satisfaction_skip_reason\":\"a quick sale; he left at "
       "once\"}",
       0},
      CLOSE_WITH("Sold 20 watermelons")}},
    {"{\"name\":\"Siew Lan Tan\",\"preferred_name\":\"Siew Lan\","
     "\"phones\":[\"+65 6123 4567\"],\"notes\":\"Story 1, second kind: red,"
     " seedless, tried the long sweet ones.\"}",
     {"{\"channel\":\"in_person\",\"subject\":\"20 watermelons, red and "
      "seedless\"}"},
     {{D_RECORD, "{\"request\":\"20 watermelons\"}", 0},
      {D_ACK, NULL, 0},
      {D_RECORD,
       "{\"facts\":\"Wants 20 watermelons, red and seedless\","
       "\"questions\":[\"Red or yellow?\",\"Seedless or not?\"],"
       "\"preferences_captured\":[\"colour: red\",\"seeds: "
       "seedless\"]}",
       0},
      UNDERSTOOD,
      {D_RECORD,
       "{\"options\":[\"20 normal red seedless\",\"20 long-shaped,"
       " sweeter\"],\"agreement\":\"20 normal and 20 long-shaped "
       "watermelons\",\"thanked\":true}",
       0},
      HELPED,
      {D_SATISFACTION,
       "{\"score\":5,\"words\":[\"attentive\",\"sweet\","
       "\"generous\"]}",
       0},
      CLOSE_WITH("Sold 40 watermelons: 20 normal, 20 long-shaped")}},
    {"{\"name\":\"Ahmad bin Yusof\",\"preferred_name\":\"Ahmad\","
     "\"emails\":[\"ahmad@juicebar.example\"],\"notes\":\"Story 1, third kind:"
     " makes watermelon juice, wants the best juice in town.\"}",
     {"{\"channel\":\"in_person\",\"subject\":\"20 watermelons for juice\"}"},
     {{D_RECORD, "{\"request\":\"20 watermelons\"}", 0},
      {D_ACK, NULL, 0},
      {D_RECORD,
       "{\"facts\":\"Makes watermelon juice; looking to venture "
       "into other fruit juices\",\"questions\":[\"Are you holding"
       " a party?\"],\"preferences_captured\":[\"colour: red\","
       "\"seeds: seedless\"],\"goal\":\"Make the best juice in "
       "town, beyond watermelon\"}",
       0},
      UNDERSTOOD,
      {D_RECORD,
       "{\"options\":[\"starfruit\",\"apple\",\"honey melon\"],"
       "\"agreement\":\"20 red seedless watermelons, and a visit to"
       " the plantation\",\"bridged\":\"Other fruit juices: invited"
       " to see the plantation's finest collection\","
       "\"thanked\":true}",
       0},
      {D_PROMISE, "{\"what\":\"Show Ahmad the plantation's finest fruit\"}",
       7 * DAY},
      HELPED,
      {D_FOLLOW_UP, "{\"subject\":\"Plantation visit with Ahmad\"}", 7 * DAY},
      {D_SATISFACTION,
       "{\"score\":5,\"words\":[\"interested\",\"personal\","
       "\"inspiring\"]}",
       0},
      CLOSE_WITH("Sold 20 red seedless watermelons; plantation visit agreed")}},
    /* 2. Max and the suit (seed 002): firm on colour and style.  His
     * preferences themselves belong to the profile (profiles.c adds
     * them); the encounter records what he said. */
    {"{\"name\":\"Maximilian Weber\",\"preferred_name\":\"Max\","
     "\"emails\":[\"max.weber@example.com\"],\"notes\":\"Firm on colour and"
     " style, flexible on brand.\"}",
     {"{\"channel\":\"in_person\",\"subject\":\"A navy single-breasted "
      "suit\"}"},
     {{D_RECORD, "{\"request\":\"A navy single-breasted suit\"}", 0},
      {D_ACK, NULL, 0},
      {D_RECORD,
       "{\"facts\":\"Wants a navy single-breasted suit; brand "
       "negotiable, colour and style not\",\"preferences_captured\":"
       "[\"colour: navy (firm)\",\"style: single-breasted (firm)\","
       "\"brand: Hugo (flexible)\"]}",
       0},
      UNDERSTOOD,
      {D_RECORD,
       "{\"no_agreement_reason\":\"Not in stock in his colour and "
       "style; no substitute pushed, as he asked\",\"thanked\":true}",
       0},
      {D_PROMISE,
       "{\"what\":\"Call Max when a navy single-breasted suit "
       "arrives\"}",
       14 * DAY},
      HELPED,
      {D_SATISFACTION,
       "{\"score\":4,\"words\":[\"respected\",\"honest\","
       "\"quick\"]}",
       0},
      CLOSE_WITH("Nothing sold; his colour and style are on order")}},
    /* 3. The headache and the aspirin (seed 002): quick, transactional. */
    {"{\"name\":\"Grace Okafor\",\"preferred_name\":\"Grace\"}",
     {"{\"channel\":\"in_person\",\"subject\":\"Aspirin for a headache\"}"},
     {{D_RECORD, "{\"request\":\"Aspirin\"}", 0},
      {D_ACK, NULL, 0},
      {D_RECORD,
       "{\"facts\":\"Has a headache; wants aspirin\","
       "\"feelings\":\"In pain, in a hurry\"}",
       0},
      UNDERSTOOD,
      {D_RECORD, "{\"agreement\":\"A pack of aspirin\",\"thanked\":true}", 0},
      HELPED,
      {D_SATISFACTION,
       "{\"score\":4,\"words\":[\"fast\",\"respectful\","
       "\"easy\"]}",
       0},
      CLOSE_WITH("Sold a pack of aspirin; nothing else pushed")}},
    /* 4. The pharmacist's follow-up (seed 002): supplemental, incremental. */
    {"{\"name\":\"Thomas Baker\",\"preferred_name\":\"Tom\","
     "\"emails\":[\"tom.baker@example.com\"],\"phones\":[\"+44 20 7946 "
     "0018\"]}",
     {"{\"channel\":\"phone\",\"subject\":\"Leaflet on a new blood-pressure "
      "medicine\"}"},
     {{D_RECORD,
       "{\"request\":\"Information on a new blood-pressure "
       "medicine\"}",
       0},
      {D_ACK, NULL, 0},
      {D_RECORD,
       "{\"facts\":\"Started a new blood-pressure medicine; wants "
       "to know about side effects\",\"feelings\":\"Worried\","
       "\"information_requested\":true}",
       0},
      UNDERSTOOD,
      {D_RECORD,
       "{\"agreement\":\"Email the leaflet today and call back in "
       "a week\",\"thanked\":true}",
       0},
      {D_PROMISE, "{\"what\":\"Email Tom the leaflet\"}", 3600},
      HELPED,
      {D_FOLLOW_UP, "{\"subject\":\"Call Tom: how is the new medicine?\"}",
       7 * DAY},
      {D_SATISFACTION,
       "{\"score\":5,\"words\":[\"caring\",\"informed\","
       "\"clear\"]}",
       0},
      CLOSE_WITH("Leaflet sent; follow-up call booked"),
      {D_COMPLETE, "{\"note\":\"Tom is fine; no side effects\"}", 0}}},
    /* 5. The phone call (seed 003): 30 minutes, unresolved, cut off. */
    {"{\"name\":\"Piotr Nowak\",\"preferred_name\":\"Piotr\","
     "\"phones\":[\"+48 22 555 0199\"]}",
     {"{\"channel\":\"phone\",\"subject\":\"Service not working\"}"},
     {{D_CLOCK, NULL, 1800},
      {D_ACK, NULL, 0},
      {D_CLOCK, NULL, 0},
      {D_RECORD,
       "{\"facts\":\"Service not working; waited 30 minutes in "
       "the queue\",\"feelings\":\"Angry\",\"apology_owed\":true}",
       0},
      {D_DEFECT,
       "{\"kind\":\"long_wait\",\"cause\":\"30 minutes in the "
       "phone queue\"}",
       0},
      {D_DEFECT,
       "{\"kind\":\"disconnected\",\"cause\":\"The call was cut "
       "off before anyone could help\"}",
       0},
      {D_ABANDON,
       "{\"reason\":\"Disconnected after 30 minutes, "
       "unresolved\"}",
       0}}},
    /* 6. The car service (seed 003); left open for reminders. */
    {"{\"name\":\"Anna Kowalska\",\"preferred_name\":\"Anna\","
     "\"emails\":[\"anna.kowalska@example.com\"],"
     "\"phones\":[\"+48 601 555 123\"],\"notes\":\"Permanent client of the"
     " garage.\"}",
     {"{\"channel\":\"in_person\",\"subject\":\"Technical inspection of the "
      "car\"}"},
     {{D_END, NULL, 0}}},
    /* 7. The insurance renewal (seed 003); left open for reminders. */
    {"{\"name\":\"Jan Dvorak\",\"preferred_name\":\"Jan\","
     "\"emails\":[\"jan.dvorak@example.com\"]}",
     {"{\"channel\":\"phone\",\"subject\":\"Car insurance policy\"}"},
     {{D_END, NULL, 0}}},
};

static rp_code play_step(rp_ctx *ctx, int64_t eid, const demo_step *st,
                         int64_t start, int64_t *task, rp_error *err)
{
    json_t *in = st->json ? json_loads(st->json, 0, NULL) : json_object();
    if (!in)
        return rp_error_set(err, RP_EINTERNAL, NULL, "demo step is not JSON");
    if (st->op == D_PROMISE || st->op == D_FOLLOW_UP) {
        char when[RP_TIME_MAX];
        rp_time_format(start + st->due_in, when);
        json_object_set_new(in, "due_at", json_string(when));
    }
    json_t *out = NULL;
    rp_code rc = RP_OK;
    switch (st->op) {
    case D_RECORD: rc = rp_encounter_record(ctx, eid, in, &out, err); break;
    case D_ACK: rc = rp_encounter_acknowledge(ctx, eid, in, &out, err); break;
    case D_ADVANCE: rc = rp_encounter_advance(ctx, eid, in, &out, err); break;
    case D_ABANDON: rc = rp_encounter_abandon(ctx, eid, in, &out, err); break;
    case D_DEFECT: rc = rp_encounter_add_defect(ctx, eid, in, &out, err); break;
    case D_PROMISE:
        rc = rp_encounter_add_promise(ctx, eid, in, &out, err);
        break;
    case D_FOLLOW_UP:
        rc = rp_encounter_add_follow_up(ctx, eid, in, &out, err);
        if (rc == RP_OK)
            *task = json_integer_value(json_object_get(out, "id"));
        break;
    case D_SATISFACTION:
        rc = rp_encounter_add_satisfaction(ctx, eid, in, &out, err);
        break;
    case D_TRANSFER:
        rc = rp_encounter_add_transfer(ctx, eid, in, &out, err);
        break;
    case D_COMPLETE: rc = rp_task_complete(ctx, *task, in, &out, err); break;
    case D_CLOCK: rp_clock_pin(st->due_in ? start + st->due_in : 0); break;
    case D_END: break;
    }
    json_decref(in);
    json_decref(out);
    return rc;
}

/* Play story st; people gets its customer's name and id. */
static rp_code load_story(rp_ctx *ctx, const demo_story *st, json_t *people,
                          rp_error *err)
{
    json_t *in = json_loads(st->customer_json, 0, NULL), *customer = NULL;
    if (!in)
        return rp_error_set(err, RP_EINTERNAL, NULL, "demo data is not JSON");
    rp_code rc = rp_customer_create(ctx, in, &customer, err);
    json_decref(in);
    if (rc)
        return rc;
    json_int_t id = json_integer_value(json_object_get(customer, "id"));
    const char *name = json_string_value(json_object_get(customer, "name"));
    if (name)
        json_object_set_new(people, name, json_integer(id));
    json_decref(customer);
    /* A story that starts with the clock pinned began that long ago. */
    int64_t start = rp_now(), first = 0, task = 0;
    if (st->steps[0].op == D_CLOCK) {
        start -= st->steps[0].due_in;
        rp_clock_pin(start);
    }
    for (int i = 0; i < 4 && st->encounters[i] && rc == RP_OK; i++) {
        json_t *e = json_loads(st->encounters[i], 0, NULL), *out = NULL;
        if (!e)
            return rp_error_set(err, RP_EINTERNAL, NULL,
                                "demo data is not JSON");
        json_object_set_new(e, "customer_id", json_integer(id));
        rc = rp_encounter_open(ctx, e, &out, err);
        if (rc == RP_OK && !first)
            first = json_integer_value(json_object_get(out, "id"));
        json_decref(e);
        json_decref(out);
    }
    for (int i = 0; i < 16 && st->steps[i].op != D_END && rc == RP_OK; i++)
        rc = play_step(ctx, first, &st->steps[i], start, &task, err);
    if (st->steps[0].op == D_CLOCK)
        rp_clock_pin(0);
    return rc;
}

static rp_code load_all(rp_ctx *ctx, int *loaded, rp_error *err)
{
    json_t *people = json_object();
    rp_code rc = RP_OK;
    for (size_t i = 0; i < sizeof stories / sizeof stories[0] && !rc; i++) {
        rc = load_story(ctx, &stories[i], people, err);
        if (rc == RP_OK)
            (*loaded)++;
    }
    if (rc == RP_OK)
        rc = rp_demo_load_profiles(ctx, people, err);
    json_decref(people);
    return rc;
}

rp_code rp_demo_load(rp_ctx *ctx, int *loaded, rp_error *err)
{
    int64_t n;
    *loaded = 0;
    if (rp_customer_count(ctx, &n, err))
        return err->code;
    if (n > 0)
        return RP_OK; /* never mix the demo into real data */
    return load_all(ctx, loaded, err);
}

rp_code rp_demo_load_beside(rp_ctx *ctx, int *loaded, rp_error *err)
{
    *loaded = 0;
    return load_all(ctx, loaded, err);
}
