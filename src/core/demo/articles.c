/*
 * articles.c - demo queues and knowledge articles for `rapport demo`, so a
 * new user sees routing rules and a searchable knowledge base at once.
 *
 * Loaded after the seed stories (demo.c), so the stories' encounters stay
 * exactly as demo.c made them; encounters opened afterwards are routed.
 * The articles are the know-how the seed texts teach.
 */
#include "core/rapport.h"

static const char *const demo_queues[] = {
    "{\"name\":\"Front desk\",\"channels\":[\"in_person\",\"chat\",\"web\"]}",
    "{\"name\":\"Phone line\",\"channels\":[\"phone\"]}",
    "{\"name\":\"Billing\",\"skills\":[\"billing\"],"
    "\"topics\":[\"billing\",\"refund\",\"invoice\",\"renewal\"]}",
    NULL};

static const char *const demo_articles[] = {
    "{\"title\":\"Watermelons: varieties, seedless and colour\",\"tags\":"
    "[\"produce\",\"preferences\"],\"body\":\"Ask how the customer wants it:"
    " red or yellow flesh, seeded or seedless, round or long.  Offer a taste of"
    " a second variety when they are open to it, and record what they chose as"
    " a preference so it is ready next time.\"}",
    "{\"title\":\"Out of stock: substitutes and firm preferences\",\"tags\":"
    "[\"preferences\",\"stock\"],\"body\":\"When the item is out of stock, "
    "never"
    " push a substitute that breaks a firm preference (a colour, a style).  "
    "Offer"
    " to order it, or to call when it arrives; suggest another brand only where"
    " the customer said brand is flexible.\"}",
    "{\"title\":\"Quick questions: answer and let go\",\"tags\":[\"exchange\"],"
    "\"body\":\"A customer who asks for aspirin wants aspirin.  Answer quickly"
    " and well, push nothing, and thank them.  A quick exchange is a good"
    " exchange.\"}",
    "{\"title\":\"Following up after "
    "advice\",\"tags\":[\"follow-up\"],\"body\":"
    "\"After a supplemental exchange (advice given, a remedy suggested), "
    "schedule"
    " a follow-up call for the next day or two and ask how it went.  Use the"
    " customer's name.\"}",
    "{\"title\":\"Long waits on the phone: apologise and call back\",\"tags\":"
    "[\"phone\",\"apology\"],\"body\":\"If a caller waited long or was cut off,"
    " apologise first, record the defect, and offer a call back at a time they"
    " choose rather than another queue.  Solve it at the first contact when you"
    " can.\"}",
    "{\"title\":\"Car service: what we did and what to watch\",\"tags\":"
    "[\"service\",\"outcome\"],\"body\":\"On handing back the car, say what was"
    " done and what to care about next (tyres, brakes, the next service date)."
    "  Remind the day before the next visit; call the day after to check all is"
    " well.\"}",
    "{\"title\":\"Insurance renewal: remind a week ahead\",\"tags\":"
    "[\"renewal\",\"billing\"],\"body\":\"Send the renewal reminder one week"
    " before the policy ends, with what changes and what it costs, and a way to"
    " ask questions.\"}",
    NULL};

rp_code rp_kb_demo_load(rp_ctx *ctx, int *loaded, rp_error *err)
{
    *loaded = 0;
    int64_t n = 0;
    if (ctx->store->ops->count(ctx->store, &RP_ENTITY_KB_ARTICLE, NULL, 0, &n,
                               err))
        return err->code;
    if (n > 0)
        return RP_OK; /* never mix demo know-how with real articles */
    for (int i = 0; demo_queues[i]; i++) {
        json_t *in = json_loads(demo_queues[i], 0, NULL), *out = NULL;
        rp_code rc = rp_queue_create(ctx, in, &out, err);
        json_decref(in);
        json_decref(out);
        if (rc && rc != RP_ECONFLICT)
            return rc;
    }
    for (int i = 0; demo_articles[i]; i++) {
        json_t *in = json_loads(demo_articles[i], 0, NULL), *out = NULL;
        rp_code rc = rp_kb_article_create(ctx, in, &out, err);
        json_decref(in);
        json_decref(out);
        if (rc)
            return rc;
        (*loaded)++;
    }
    return RP_OK;
}
