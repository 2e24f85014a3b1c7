/*
 * cmd_encounter_engine.c - the encounter engine's subcommands of
 * `rapport encounter`: acknowledge, note, advance, close, abandon, guide and
 * the sub-resources (defect, promise, transfer, special-request, follow-up,
 * satisfaction, follow-up-done).
 *
 * Options are turned into exactly the JSON the HTTP API takes, so the CLI
 * and the API obey the same rules and give the same errors.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport encounter (engine) - move an encounter through the\n"
    "    interaction cycle and record what happened\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport encounter acknowledge ID\n"
    "    rapport encounter note ID [FIELD OPTIONS]\n"
    "    rapport encounter advance ID --to STAGE [FIELD OPTIONS]\n"
    "    rapport encounter close ID [--done TEXT] [--watch TEXT]\n"
    "                               [FIELD OPTIONS]\n"
    "    rapport encounter abandon ID --reason TEXT\n"
    "    rapport encounter guide ID\n"
    "    rapport encounter defect ID --kind KIND --cause TEXT\n"
    "    rapport encounter promise ID --what TEXT --due TIME\n"
    "    rapport encounter transfer ID --reason TEXT [--to-queue N]\n"
    "                                  [--to-agent N]\n"
    "    rapport encounter special-request ID --description TEXT\n"
    "                      --outcome granted|declined [--decline-reason TEXT]\n"
    "    rapport encounter follow-up ID --due TIME --subject TEXT\n"
    "                                   [--channel CHANNEL]\n"
    "    rapport encounter satisfaction ID (--score N [--word W]...\n"
    "                      [--comment TEXT] | --schedule-at TIME)\n"
    "    rapport encounter follow-up-done TASK_ID [--note TEXT]\n"
    "    (every form also takes --json)\n"
    "\n"
    "DESCRIPTION\n"
    "    The interaction cycle is received -> understood -> helped -> kept\n"
    "    -> closed; abandon ends an open encounter.  A stage is left only\n"
    "    when its piece is there: acknowledgement (received), facts\n"
    "    (understood), an agreement or --no-agreement-reason (helped), a\n"
    "    satisfaction check done or scheduled or --skip-satisfaction\n"
    "    (kept).  Otherwise the command is refused (exit 3) and the message\n"
    "    names the missing piece.  close is advance --to closed: it infers\n"
    "    the kind and exchange unless set and recomputes the customer's\n"
    "    relationship level.  guide prints what to do now.  Every change is\n"
    "    a moment of truth.  The rules: docs/rules.md.\n"
    "\n"
    "FIELD OPTIONS (note, advance, close)\n"
    "    --facts TEXT  --feelings TEXT  --question TEXT (repeat)\n"
    "    --restatement TEXT  --option TEXT (repeat)  --request TEXT\n"
    "    --goal TEXT  --preference TEXT (repeat)  --agreement TEXT\n"
    "    --no-agreement-reason TEXT  --done TEXT  --watch TEXT\n"
    "    --resolved yes|no  --apology-owed  --apology-given\n"
    "    --kind what|how|become  --exchange quick|supplemental|resolution|\n"
    "    formal  --information-requested  --senior-level  --contract\n"
    "    --thanked  --bridged TEXT  --skip-satisfaction REASON  --topic TEXT\n"
    "\n"
    "OPTIONS\n"
    "    --json      print JSON exactly as the HTTP API returns it\n"
    "    TIME is RFC 3339, e.g. 2026-11-24T09:00:00Z.  KIND of a defect is\n"
    "    one of wrong_item, late, missed_promise, not_resolved, long_wait,\n"
    "    disconnected, rude, other.\n"
    "\n"
    "EXAMPLES\n"
    "    rapport encounter acknowledge 7\n"
    "    rapport encounter note 7 --facts 'Needs a navy suit, size 50' \\\n"
    "        --feelings 'In a hurry' --question 'What is the occasion?'\n"
    "    rapport encounter advance 7 --to understood\n"
    "    rapport encounter advance 7 --to helped --agreement 'Order it in'\n"
    "    rapport encounter satisfaction 7 --score 5 --word quick \\\n"
    "        --word friendly --word clear\n"
    "    rapport encounter close 7 --done 'Ordered the suit' \\\n"
    "        --watch 'Arrives Friday'\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad input or refused transition,\n"
    "    4 no such encounter or task, 1 database error.\n";

enum {
    O_TO = 1, O_FACTS, O_FEELINGS, O_QUESTION, O_RESTATEMENT, O_OPTION,
    O_REQUEST, O_GOAL, O_PREFERENCE, O_AGREEMENT, O_NO_AGREEMENT, O_DONE,
    O_WATCH, O_RESOLVED, O_APOLOGY_OWED, O_APOLOGY_GIVEN, O_KIND, O_EXCHANGE,
    O_INFO, O_SENIOR, O_CONTRACT, O_THANKED, O_BRIDGED, O_SKIP, O_TOPIC,
    O_REASON, O_CAUSE, O_WHAT, O_DUE, O_TO_QUEUE, O_TO_AGENT, O_DESCRIPTION,
    O_OUTCOME, O_DECLINE, O_SUBJECT, O_CHANNEL, O_SCORE, O_WORD, O_COMMENT,
    O_SCHEDULE, O_NOTE, O_JSON, O_HELP
};

static const struct option opts[] = {
    {"to", required_argument, NULL, O_TO},
    {"facts", required_argument, NULL, O_FACTS},
    {"feelings", required_argument, NULL, O_FEELINGS},
    {"question", required_argument, NULL, O_QUESTION},
    {"restatement", required_argument, NULL, O_RESTATEMENT},
    {"option", required_argument, NULL, O_OPTION},
    {"request", required_argument, NULL, O_REQUEST},
    {"goal", required_argument, NULL, O_GOAL},
    {"preference", required_argument, NULL, O_PREFERENCE},
    {"agreement", required_argument, NULL, O_AGREEMENT},
    {"no-agreement-reason", required_argument, NULL, O_NO_AGREEMENT},
    {"done", required_argument, NULL, O_DONE},
    {"watch", required_argument, NULL, O_WATCH},
    {"resolved", required_argument, NULL, O_RESOLVED},
    {"apology-owed", no_argument, NULL, O_APOLOGY_OWED},
    {"apology-given", no_argument, NULL, O_APOLOGY_GIVEN},
    {"kind", required_argument, NULL, O_KIND},
    {"exchange", required_argument, NULL, O_EXCHANGE},
    {"information-requested", no_argument, NULL, O_INFO},
    {"senior-level", no_argument, NULL, O_SENIOR},
    {"contract", no_argument, NULL, O_CONTRACT},
    {"thanked", no_argument, NULL, O_THANKED},
    {"bridged", required_argument, NULL, O_BRIDGED},
    {"skip-satisfaction", required_argument, NULL, O_SKIP},
    {"topic", required_argument, NULL, O_TOPIC},
    {"reason", required_argument, NULL, O_REASON},
    {"cause", required_argument, NULL, O_CAUSE},
    {"what", required_argument, NULL, O_WHAT},
    {"due", required_argument, NULL, O_DUE},
    {"to-queue", required_argument, NULL, O_TO_QUEUE},
    {"to-agent", required_argument, NULL, O_TO_AGENT},
    {"description", required_argument, NULL, O_DESCRIPTION},
    {"outcome", required_argument, NULL, O_OUTCOME},
    {"decline-reason", required_argument, NULL, O_DECLINE},
    {"subject", required_argument, NULL, O_SUBJECT},
    {"channel", required_argument, NULL, O_CHANNEL},
    {"score", required_argument, NULL, O_SCORE},
    {"word", required_argument, NULL, O_WORD},
    {"comment", required_argument, NULL, O_COMMENT},
    {"schedule-at", required_argument, NULL, O_SCHEDULE},
    {"note", required_argument, NULL, O_NOTE},
    {"json", no_argument, NULL, O_JSON},
    {"help", no_argument, NULL, O_HELP},
    {NULL, 0, NULL, 0},
};

/* The JSON key each text option sets; NULL for the others. */
static const char *text_key(int opt)
{
    switch (opt) {
    case O_TO: return "to";
    case O_FACTS: return "facts";
    case O_FEELINGS: return "feelings";
    case O_RESTATEMENT: return "restatement";
    case O_REQUEST: return "request";
    case O_GOAL: return "goal";
    case O_AGREEMENT: return "agreement";
    case O_NO_AGREEMENT: return "no_agreement_reason";
    case O_DONE: return "outcome_done";
    case O_WATCH: return "outcome_watch";
    case O_KIND: return "kind";
    case O_EXCHANGE: return "exchange";
    case O_BRIDGED: return "bridged";
    case O_SKIP: return "satisfaction_skip_reason";
    case O_TOPIC: return "topic";
    case O_REASON: return "reason";
    case O_CAUSE: return "cause";
    case O_WHAT: return "what";
    case O_DUE: return "due_at";
    case O_DESCRIPTION: return "description";
    case O_OUTCOME: return "outcome";
    case O_DECLINE: return "decline_reason";
    case O_SUBJECT: return "subject";
    case O_CHANNEL: return "channel";
    case O_COMMENT: return "comment";
    case O_SCHEDULE: return "schedule_at";
    case O_NOTE: return "note";
    default: return NULL;
    }
}

static const char *list_key(int opt)
{
    return opt == O_QUESTION     ? "questions"
           : opt == O_OPTION     ? "options"
           : opt == O_PREFERENCE ? "preferences_captured"
           : opt == O_WORD       ? "words"
                                 : NULL;
}

static const char *flag_key(int opt)
{
    switch (opt) {
    case O_APOLOGY_OWED: return "apology_owed";
    case O_APOLOGY_GIVEN: return "apology_given";
    case O_INFO: return "information_requested";
    case O_SENIOR: return "senior_level";
    case O_CONTRACT: return "contract";
    case O_THANKED: return "thanked";
    default: return NULL;
    }
}

/* Numbers are passed on as JSON integers so the core checks their range. */
static int put_number(json_t *in, const char *key, const char *text)
{
    char *end;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end)
        return rp_cli_usage("encounter", "%s must be a whole number, not '%s'",
                            key, text);
    json_object_set_new(in, key, json_integer(v));
    return 0;
}

static int parse(int argc, char **argv, json_t *in, int *json, int *help_out)
{
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        const char *key;
        if ((key = text_key(c))) {
            json_object_set_new(in, key, json_string(optarg));
        } else if ((key = list_key(c))) {
            json_t *l = json_object_get(in, key);
            if (!l)
                json_object_set_new(in, key, l = json_array());
            json_array_append_new(l, json_string(optarg));
        } else if ((key = flag_key(c))) {
            json_object_set_new(in, key, json_true());
        } else if (c == O_RESOLVED) {
            if (strcmp(optarg, "yes") && strcmp(optarg, "no"))
                return rp_cli_usage("encounter", "--resolved takes yes or no");
            json_object_set_new(in, "first_contact_resolved",
                                json_boolean(!strcmp(optarg, "yes")));
        } else if (c == O_SCORE || c == O_TO_QUEUE || c == O_TO_AGENT) {
            const char *k = c == O_SCORE      ? "score"
                            : c == O_TO_QUEUE ? "to_queue_id"
                                              : "to_agent_id";
            if (put_number(in, k, optarg))
                return RP_EXIT_USAGE;
        } else if (c == O_JSON) {
            *json = 1;
        } else if (c == 'h' || c == O_HELP) {
            *help_out = 1;
        } else {
            return rp_cli_usage("encounter", "unknown or incomplete option '%s'",
                                argv[optind - 1]);
        }
    }
    return 0;
}

typedef rp_code (*engine_op)(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                             rp_error *err);

static const struct {
    const char *name;
    engine_op op;
} subs[] = {
    {"acknowledge", rp_encounter_acknowledge},
    {"note", rp_encounter_record},
    {"advance", rp_encounter_advance},
    {"close", rp_encounter_advance},
    {"abandon", rp_encounter_abandon},
    {"guide", NULL},
    {"defect", rp_encounter_add_defect},
    {"promise", rp_encounter_add_promise},
    {"transfer", rp_encounter_add_transfer},
    {"special-request", rp_encounter_add_special_request},
    {"follow-up", rp_encounter_add_follow_up},
    {"satisfaction", rp_encounter_add_satisfaction},
    {"follow-up-done", rp_task_complete},
};

/* The guide as an agent reads it at the desk. */
static void print_guide(json_t *g)
{
#define S(o, k) json_string_value(json_object_get(o, k))
    json_t *rel = json_object_get(g, "relationship"), *v;
    size_t i;
    printf("%s    (stage: %s, next: %s)\n", S(g, "greeting"), S(g, "stage"),
           S(g, "next_stage") ? S(g, "next_stage") : "-");
    printf("relationship: %s\n", S(rel, "level"));
    json_array_foreach(json_object_get(rel, "reasons"), i, v)
        printf("  because %s (%s)\n", S(v, "why"), S(v, "rule"));
    json_array_foreach(json_object_get(g, "firm_preferences"), i, v)
        printf("firm preference: %s = %s (never substitute)\n", S(v, "key"),
               S(v, "value"));
    json_array_foreach(json_object_get(g, "open_promises"), i, v)
        printf("open promise: %s, by %s\n", S(v, "what"), S(v, "due_at"));
    json_array_foreach(json_object_get(g, "open_follow_ups"), i, v)
        printf("open %s: %s, due %s\n", S(v, "kind"), S(v, "subject"),
               S(v, "due_at"));
    json_array_foreach(json_object_get(g, "checklist"), i, v)
        printf("  [%c] %s%s%s\n", json_is_true(json_object_get(v, "done")) ? 'x' : ' ',
               S(v, "skill"), json_is_true(json_object_get(v, "done")) ? "" : ": ",
               json_is_true(json_object_get(v, "done")) ? "" : S(v, "hint"));
    json_array_foreach(json_object_get(g, "missing"), i, v)
        printf("before moving on: %s (%s)\n", S(v, "message"), S(v, "field"));
    printf("so far: kind %s, exchange %s\n",
           S(json_object_get(g, "kind_preview"), "kind"),
           S(json_object_get(g, "exchange_preview"), "exchange"));
#undef S
}

int rp_cmd_encounter_is_engine(const char *sub)
{
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (!strcmp(subs[i].name, sub))
            return 1;
    return !strcmp(sub, "help-engine");
}

int rp_cmd_encounter_engine(rp_cli *cli, int argc, char **argv)
{
    const char *sub = argv[1];
    json_t *in = json_object();
    int json = 0, want_help = !strcmp(sub, "help-engine");
    optind = 1;
    int rc = parse(argc - 1, argv + 1, in, &json, &want_help);
    if (rc || want_help) {
        json_decref(in);
        if (want_help)
            fputs(help, stdout);
        return rc;
    }
    rp_error err;
    int64_t id;
    if (optind >= argc - 1) {
        json_decref(in);
        return rp_cli_usage("encounter", "%s needs an id", sub);
    }
    if (rp_parse_id(argv[optind + 1], "id", &id, &err)) {
        json_decref(in);
        return rp_cli_usage("encounter", "%s", err.message);
    }
    if (!strcmp(sub, "close"))
        json_object_set_new(in, "to", json_string("closed"));
    if ((rc = rp_cli_open(cli))) {
        json_decref(in);
        return rc;
    }
    json_t *out = NULL;
    rp_code code = RP_EINTERNAL;
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        if (strcmp(subs[i].name, sub))
            continue;
        if (subs[i].op)
            code = subs[i].op(&cli->ctx, id, in, &out, &err);
        else
            code = rp_encounter_guide(&cli->ctx, id, &out, &err);
    }
    json_decref(in);
    if (code)
        return rp_cli_fail(&err);
    if (!json && !strcmp(sub, "guide"))
        print_guide(out);
    else
        rp_cli_print_record(out, json);
    json_decref(out);
    return RP_EXIT_OK;
}
