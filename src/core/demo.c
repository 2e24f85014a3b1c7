/*
 * demo.c - the seed stories of DESIGN.md as demo data.
 *
 * A new user should see rapport's ideas at work at once, so `rapport demo`
 * (and the README's run command) load the people of the seed texts and
 * their encounters through the same domain functions the API uses: the demo
 * obeys every rule and writes every moment of truth a real desk would.
 */
#include <string.h>

#include "rapport.h"

typedef struct demo_story {
    const char *customer_json;
    const char *encounters[4]; /* each {"channel","subject"} */
} demo_story;

static const demo_story stories[] = {
    /* 1. The fruit seller, three times (seed 000). */
    {"{\"name\":\"Walk-in watermelon buyer\",\"notes\":\"Story 1, first kind:"
     " knows exactly what he wants.\"}",
     {"{\"channel\":\"in_person\",\"subject\":\"20 watermelons\"}"}},
    {"{\"name\":\"Siew Lan Tan\",\"preferred_name\":\"Siew Lan\","
     "\"phones\":[\"+65 6123 4567\"],\"notes\":\"Story 1, second kind: red,"
     " seedless, tried the long sweet ones.\"}",
     {"{\"channel\":\"in_person\",\"subject\":\"20 watermelons, red and "
      "seedless\"}"}},
    {"{\"name\":\"Ahmad bin Yusof\",\"preferred_name\":\"Ahmad\","
     "\"emails\":[\"ahmad@juicebar.example\"],\"notes\":\"Story 1, third kind:"
     " makes watermelon juice, wants the best juice in town.\"}",
     {"{\"channel\":\"in_person\",\"subject\":\"20 watermelons for juice\"}"}},
    /* 2. Max and the suit (seed 002). */
    {"{\"name\":\"Maximilian Weber\",\"preferred_name\":\"Max\","
     "\"emails\":[\"max.weber@example.com\"],\"notes\":\"Firm on colour and"
     " style, flexible on brand.\"}",
     {"{\"channel\":\"in_person\",\"subject\":\"A navy single-breasted "
      "suit\"}"}},
    /* 3. The headache and the aspirin (seed 002). */
    {"{\"name\":\"Grace Okafor\",\"preferred_name\":\"Grace\"}",
     {"{\"channel\":\"in_person\",\"subject\":\"Aspirin for a headache\"}"}},
    /* 4. The pharmacist's follow-up (seed 002). */
    {"{\"name\":\"Thomas Baker\",\"preferred_name\":\"Tom\","
     "\"emails\":[\"tom.baker@example.com\"],\"phones\":[\"+44 20 7946 0018\"]}",
     {"{\"channel\":\"phone\",\"subject\":\"Leaflet on a new blood-pressure "
      "medicine\"}"}},
    /* 5. The phone call (seed 003). */
    {"{\"name\":\"Piotr Nowak\",\"preferred_name\":\"Piotr\","
     "\"phones\":[\"+48 22 555 0199\"]}",
     {"{\"channel\":\"phone\",\"subject\":\"Service not working\"}"}},
    /* 6. The car service (seed 003). */
    {"{\"name\":\"Anna Kowalska\",\"preferred_name\":\"Anna\","
     "\"emails\":[\"anna.kowalska@example.com\"],"
     "\"phones\":[\"+48 601 555 123\"],\"notes\":\"Permanent client of the"
     " garage.\"}",
     {"{\"channel\":\"in_person\",\"subject\":\"Technical inspection of the "
      "car\"}"}},
    /* 7. The insurance renewal (seed 003). */
    {"{\"name\":\"Jan Dvorak\",\"preferred_name\":\"Jan\","
     "\"emails\":[\"jan.dvorak@example.com\"]}",
     {"{\"channel\":\"phone\",\"subject\":\"Car insurance policy\"}"}},
};

static rp_code load_story(rp_ctx *ctx, const demo_story *st, rp_error *err)
{
    json_t *in = json_loads(st->customer_json, 0, NULL), *customer = NULL;
    if (!in)
        return rp_error_set(err, RP_EINTERNAL, NULL, "demo data is not JSON");
    rp_code rc = rp_customer_create(ctx, in, &customer, err);
    json_decref(in);
    if (rc)
        return rc;
    json_int_t id = json_integer_value(json_object_get(customer, "id"));
    json_decref(customer);
    for (int i = 0; i < 4 && st->encounters[i] && rc == RP_OK; i++) {
        json_t *e = json_loads(st->encounters[i], 0, NULL), *out = NULL;
        if (!e)
            return rp_error_set(err, RP_EINTERNAL, NULL, "demo data is not JSON");
        json_object_set_new(e, "customer_id", json_integer(id));
        rc = rp_encounter_open(ctx, e, &out, err);
        json_decref(e);
        json_decref(out);
    }
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
    for (size_t i = 0; i < sizeof stories / sizeof stories[0]; i++) {
        if (load_story(ctx, &stories[i], err))
            return err->code;
        (*loaded)++;
    }
    if (rp_demo_load_future(ctx, err))
        return err->code;
    return RP_OK;
}
