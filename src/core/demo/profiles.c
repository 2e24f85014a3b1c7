/*
 * profiles.c - the profiles and catalogue of the seed stories,
 * loaded after rp_demo_load has added the people: the fruit seller's and
 * the tailor's catalogue, Max's firm and flexible preferences, the juice
 * maker's goal, Anna's car inspection tomorrow, Jan's policy renewal in
 * seven days, and the consents that let the reminders go out.  Everything
 * goes through the same functions as the API, so every rule applies.
 */
#include <stdio.h>
#include <string.h>

#include "core/rapport.h"

static const char *const products[] = {
    "{\"name\":\"Red watermelon\",\"category\":\"watermelon\",\"stock\":200,"
    "\"attributes\":{\"colour\":\"red\",\"seedless\":false,\"shape\":\"round\"}"
    ","
    "\"price\":3.5}",
    "{\"name\":\"Red seedless watermelon\",\"category\":\"watermelon\","
    "\"stock\":120,\"attributes\":{\"colour\":\"red\",\"seedless\":true,"
    "\"shape\":\"round\"},\"price\":4.0}",
    "{\"name\":\"Yellow watermelon\",\"category\":\"watermelon\",\"stock\":60,"
    "\"attributes\":{\"colour\":\"yellow\",\"seedless\":true,\"shape\":"
    "\"round\"},\"price\":4.5}",
    "{\"name\":\"Long sweet watermelon\",\"category\":\"watermelon\","
    "\"stock\":80,\"attributes\":{\"colour\":\"red\",\"seedless\":true,"
    "\"shape\":\"long\",\"sweet\":true},\"price\":5.0}",
    "{\"name\":\"Starfruit\",\"category\":\"fruit\",\"stock\":150,"
    "\"tags\":[\"juice\"],\"attributes\":{\"colour\":\"yellow\"}}",
    "{\"name\":\"Apple\",\"category\":\"fruit\",\"stock\":400,"
    "\"tags\":[\"juice\"],\"attributes\":{\"colour\":\"green\"}}",
    "{\"name\":\"Honey melon\",\"category\":\"fruit\",\"stock\":90,"
    "\"tags\":[\"juice\"],\"attributes\":{\"colour\":\"pale green\"}}",
    "{\"name\":\"Navy single-breasted suit (Hugo Boss)\",\"category\":\"suit\","
    "\"stock\":0,\"attributes\":{\"colour\":\"navy\",\"style\":"
    "\"single-breasted\",\"brand\":\"Hugo Boss\"},\"price\":499}",
    "{\"name\":\"Charcoal double-breasted suit\",\"category\":\"suit\","
    "\"stock\":3,\"attributes\":{\"colour\":\"charcoal\",\"style\":"
    "\"double-breasted\",\"brand\":\"Hugo Boss\"},\"price\":549}",
    "{\"name\":\"Navy double-breasted suit\",\"category\":\"suit\",\"stock\":2,"
    "\"attributes\":{\"colour\":\"navy\",\"style\":\"double-breasted\","
    "\"brand\":\"Armani\"},\"price\":899}",
    "{\"name\":\"Black single-breasted "
    "suit\",\"category\":\"suit\",\"stock\":4,"
    "\"attributes\":{\"colour\":\"black\",\"style\":\"single-breasted\","
    "\"brand\":\"Zegna\"},\"price\":799}",
};

static rp_code add(rp_ctx *ctx, const char *kind, int64_t cid, const char *json,
                   rp_error *err)
{
    json_t *in = json_loads(json, 0, NULL), *out = NULL;
    if (!in)
        return rp_error_set(err, RP_EINTERNAL, NULL, "demo data is not JSON");
    rp_code rc = rp_profile_add(ctx, kind, cid, in, &out, err);
    json_decref(in);
    json_decref(out);
    return rc;
}

/* The id of the demo's customer of that full name, or 0. */
static int64_t named(json_t *people, const char *name)
{
    return json_integer_value(json_object_get(people, name));
}

rp_code rp_demo_load_profiles(rp_ctx *ctx, json_t *people, rp_error *err)
{
    rp_code rc = RP_OK;
    int64_t made[sizeof products / sizeof products[0]] = {0};
    for (size_t i = 0; i < sizeof products / sizeof products[0] && !rc; i++) {
        json_t *in = json_loads(products[i], 0, NULL), *out = NULL;
        rc = in ? rp_product_create(ctx, in, &out, err)
                : rp_error_set(err, RP_EINTERNAL, NULL,
                               "demo data is not JSON");
        made[i] = json_integer_value(json_object_get(out, "id"));
        json_decref(in);
        json_decref(out);
    }
    if (rc)
        return rc;
    /* the long sweet ones go with the round seedless ones (story 1) */
    json_t *rel = json_pack("{s:[I]}", "related", (json_int_t)made[3]),
           *prod = NULL;
    rc = rp_product_update(ctx, made[1], rel, &prod, err);
    json_decref(rel);
    json_decref(prod);
    if (rc)
        return rc;
    int64_t ahmad = named(people, "Ahmad bin Yusof"),
            max = named(people, "Maximilian Weber"),
            anna = named(people, "Anna Kowalska"),
            jan = named(people, "Jan Dvorak"),
            siew = named(people, "Siew Lan Tan");
    if (!ahmad || !max || !anna || !jan || !siew)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "the seed customers are missing; load rp_demo_load "
                            "first");
    /* appointments at 09:00 tomorrow; the renewal seven days from today */
    int64_t now = rp_now(), day = now - now % 86400;
    char tomorrow[RP_TIME_MAX], renewal[RP_TIME_MAX], json[800];
    rp_time_format(day + 86400 + 9 * 3600, tomorrow);
    rp_time_format(day + 7 * 86400 + 12 * 3600, renewal);
    const struct {
        const char *kind;
        int64_t cid;
        const char *json;
    } items[] = {
        {"preferences", siew,
         "{\"key\":\"watermelon.colour\",\"value\":\"red\",\"firmness\":"
         "\"flexible\"}"},
        {"preferences", siew,
         "{\"key\":\"watermelon.seedless\",\"value\":\"yes\",\"firmness\":"
         "\"flexible\"}"},
        {"preferences", ahmad,
         "{\"key\":\"watermelon.colour\",\"value\":\"red\",\"firmness\":"
         "\"flexible\"}"},
        {"goals", ahmad,
         "{\"title\":\"Make the best juice in town\",\"tags\":[\"juice\"]}"},
        {"consents", ahmad,
         "{\"purpose\":\"offers\",\"granted\":true,"
         "\"source\":\"asked at the stall\"}"},
        {"preferences", max,
         "{\"key\":\"colour\",\"value\":\"navy\",\"firmness\":\"firm\"}"},
        {"preferences", max,
         "{\"key\":\"style\",\"value\":\"single-breasted\",\"firmness\":"
         "\"firm\"}"},
        {"preferences", max,
         "{\"key\":\"brand\",\"value\":\"Hugo Boss\",\"firmness\":"
         "\"flexible\"}"},
        {"consents", anna,
         "{\"purpose\":\"reminders\",\"granted\":true,"
         "\"source\":\"booking form\"}"},
        {"consents", jan,
         "{\"purpose\":\"reminders\",\"granted\":true,"
         "\"source\":\"policy application\"}"},
    };
    for (size_t i = 0; i < sizeof items / sizeof items[0] && !rc; i++)
        rc = add(ctx, items[i].kind, items[i].cid, items[i].json, err);
    if (rc)
        return rc;
    snprintf(json, sizeof json,
             "{\"kind\":\"appointment\",\"title\":\"car's technical "
             "inspection\",\"at\":\"%s\",\"where\":\"Auto Serwis Polna, ul. "
             "Polna 5, Warsaw\",\"bring\":\"the registration certificate and "
             "the service book\"}",
             tomorrow);
    if ((rc = add(ctx, "dates", anna, json, err)))
        return rc;
    snprintf(json, sizeof json,
             "{\"kind\":\"renewal\",\"title\":\"car insurance policy\","
             "\"at\":\"%s\",\"with_whom\":\"your agent, Eva Horakova\"}",
             renewal);
    return add(ctx, "dates", jan, json, err);
}
