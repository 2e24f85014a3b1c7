/*
 * fuzz_json.c - the JSON input rules of every resource, driven through the
 * core's create and change functions on a temporary database with the
 * demo data (fuzz_db.c).
 *
 * An input is one line naming the call, with the ids it takes, then the
 * body as a client would send it:
 *
 *     customer.update 4
 *     {"name":"Max","emails":["max@example.com"]}
 *
 * The body is parsed as rapportd parses it (duplicate keys refused; an
 * empty body is no body), and the call's outcome must pass
 * rp_fuzz_check_call: no internal error, a clear error in valid UTF-8,
 * a result that dumps, and nothing committed when it was refused.
 * An agent's password is removed from the body: a password is hashed with
 * argon2id (64 MiB, a tenth of a second), which would slow the fuzzer a
 * thousandfold; fuzz_text.c checks the password rule itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

typedef rp_code (*body_fn)(rp_ctx *, json_t *, json_t **, rp_error *);
typedef rp_code (*id_body_fn)(rp_ctx *, int64_t, json_t *, json_t **,
                              rp_error *);

static rp_code agent_create(rp_ctx *c, json_t *in, json_t **out, rp_error *e)
{
    json_object_del(in, "password");
    return rp_agent_create(c, in, out, e);
}

static rp_code agent_update(rp_ctx *c, int64_t id, json_t *in, json_t **out,
                            rp_error *e)
{
    json_object_del(in, "password");
    return rp_agent_update(c, id, in, out, e);
}

static rp_code token_create(rp_ctx *c, json_t *in, json_t **out, rp_error *e)
{
    return rp_token_create(c, in, 1, out, e);
}

static const struct {
    const char *name;
    body_fn fn;
} body_calls[] = {
    {"customer.create", rp_customer_create},
    {"encounter.open", rp_encounter_open},
    {"kb.create", rp_kb_article_create},
    {"charter.update", rp_charter_update},
    {"product.create", rp_product_create},
    {"loyalty.tiers", rp_loyalty_set_tiers},
    {"agent.create", agent_create},
    {"token.create", token_create},
    {"queue.create", rp_queue_create},
    {"settings.update", rp_desk_settings_update},
};

static const struct {
    const char *name;
    id_body_fn fn;
} id_calls[] = {
    {"customer.update", rp_customer_update},
    {"encounter.record", rp_encounter_record},
    {"encounter.acknowledge", rp_encounter_acknowledge},
    {"encounter.advance", rp_encounter_advance},
    {"encounter.abandon", rp_encounter_abandon},
    {"encounter.defect", rp_encounter_add_defect},
    {"encounter.special_request", rp_encounter_add_special_request},
    {"encounter.promise", rp_encounter_add_promise},
    {"encounter.transfer", rp_encounter_add_transfer},
    {"encounter.follow_up", rp_encounter_add_follow_up},
    {"encounter.satisfaction", rp_encounter_add_satisfaction},
    {"task.complete", rp_task_complete},
    {"kb.update", rp_kb_article_update},
    {"kb.feedback", rp_kb_feedback},
    {"product.update", rp_product_update},
    {"agent.update", agent_update},
    {"queue.mail", rp_queue_mail_set},
    {"message.add", rp_message_add},
    {"message.send", rp_message_send},
    {"offer.shown", rp_offer_record_shown},
};

/* What a customer's profile holds: preferences.add 4, goals.update 4 1 */
static const char *const kinds[] = {"preferences", "goals", "dates", "consents",
                                    NULL};

static int64_t id_of(const char *s)
{
    return s ? strtoll(s, NULL, 10) : 0;
}

static rp_code call_named(rp_ctx *ctx, char *line, json_t *in, json_t **out,
                          rp_error *err, int *known)
{
    char *words[4] = {NULL};
    int n = 0;
    for (char *w = strtok(line, " "); w && n < 4; w = strtok(NULL, " "))
        words[n++] = w;
    *known = 1;
    if (!words[0])
        goto unknown;
    for (size_t i = 0; i < sizeof body_calls / sizeof body_calls[0]; i++)
        if (!strcmp(words[0], body_calls[i].name))
            return body_calls[i].fn(ctx, in, out, err);
    for (size_t i = 0; i < sizeof id_calls / sizeof id_calls[0]; i++)
        if (!strcmp(words[0], id_calls[i].name))
            return id_calls[i].fn(ctx, id_of(words[1]), in, out, err);
    if (!strcmp(words[0], "offer.accept") || !strcmp(words[0], "offer.decline"))
        return rp_offer_decide(ctx, id_of(words[1]), id_of(words[2]),
                               words[0][6] == 'a', in, out, err);
    char *dot = strchr(words[0], '.');
    if (dot) {
        *dot = '\0';
        for (int i = 0; kinds[i]; i++) {
            if (strcmp(words[0], kinds[i]))
                continue;
            if (!strcmp(dot + 1, "add"))
                return rp_profile_add(ctx, kinds[i], id_of(words[1]), in, out,
                                      err);
            if (!strcmp(dot + 1, "update"))
                return rp_profile_update(ctx, kinds[i], id_of(words[1]),
                                         id_of(words[2]), in, out, err);
        }
    }
unknown:
    *known = 0;
    return RP_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rp_ctx *ctx = rp_fuzz_db();
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl || nl - data > 80)
        return 0;
    char line[81];
    memcpy(line, data, (size_t)(nl - data));
    line[nl - data] = '\0';
    const char *body = (const char *)nl + 1;
    size_t len = size - (size_t)(nl - data) - 1;

    json_t *in = NULL;
    if (len) {
        json_error_t jerr;
        in = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!in)
            return 0; /* rapportd answers 400 before any rule is asked */
    }
    json_t *out = NULL;
    rp_error err;
    rp_error_clear(&err);
    int known;
    char what[81];
    snprintf(what, sizeof what, "%s", line);
    rp_code rc = call_named(ctx, line, in, &out, &err, &known);
    if (known)
        rp_fuzz_check_call(what, rc, &err, out);
    json_decref(out);
    json_decref(in);
    return 0;
}
