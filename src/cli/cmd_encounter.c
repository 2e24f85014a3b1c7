/*
 * cmd_encounter.c - `rapport encounter`: open, show and list encounters,
 * and move one through the interaction cycle (acknowledge, note, advance,
 * close, abandon, guide) with what happens on the way (defect, promise,
 * transfer, special-request, follow-up, satisfaction, follow-up-done),
 * the work lists (list with their filters), and who handles an encounter
 * (take, assign).
 *
 * Options are turned into exactly the JSON the HTTP API takes, so the CLI
 * and the API obey the same rules and give the same errors.
 */
#include <string.h>

#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport encounter - open encounters and move them through the\n"
    "    interaction cycle, recording what happened\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport encounter open --customer ID --channel CHANNEL\n"
    "                           --subject TEXT [--topic TEXT]\n"
    "                           [--arrived TIME]\n"
    "    rapport encounter show ID\n"
    "    rapport encounter list [--customer ID] [--stage STAGE]\n"
    "                           [--state open|closed|all] [--queue N|none]\n"
    "                           [--agent N|none] [--channel CHANNEL]\n"
    "                           [--kind KIND] [--exchange EXCHANGE]\n"
    "                           [--over-target true] [--search TEXT]\n"
    "                           [--sort waiting|activity|newest]\n"
    "                           [--limit N] [--cursor C]\n"
    "    rapport encounter take ID --agent N\n"
    "    rapport encounter assign ID --agent-id N [--reason TEXT]\n"
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
    "    rapport encounter move-task TASK_ID --due TIME [--reason TEXT]\n"
    "    (every form also takes --json)\n"
    "\n"
    "DESCRIPTION\n"
    "    An encounter is one contact with a customer.  open starts one at\n"
    "    the stage 'received' of the interaction cycle and records a moment\n"
    "    of truth.  --arrived is when the customer arrived, called or\n"
    "    wrote (RFC 3339, e.g. 2026-12-02T09:30:00Z) when that was before\n"
    "    the encounter was opened: its waits and the charter count from\n"
    "    then.  It may not be in the future, nor further back than the\n"
    "    desk's arrival_max_hours (rapport message settings).\n"
    "    list prints a work list, newest first unless sorted:\n"
    "    --state open --agent none is the unassigned work, --queue N a\n"
    "    queue's, --over-target true what is past a charter target now,\n"
    "    --search finds three characters or more of the subject or the\n"
    "    customer's name or email; --sort waiting puts the longest waiting\n"
    "    first (open encounters), --sort activity the latest change.\n"
    "\n"
    "    take gives the open encounter to agent N (as if N took it);\n"
    "    assign gives it to agent --agent-id, with a --reason when it had\n"
    "    an owner; transfer hands it to another queue.  Each is a moment\n"
    "    of truth, counted in the service metrics.\n"
    "\n"
    "    The interaction cycle is received -> understood -> helped -> kept\n"
    "    -> closed; abandon ends an open encounter.  A stage is left only\n"
    "    when its piece is there: acknowledgement (received), facts\n"
    "    (understood), an agreement or --no-agreement-reason (helped).\n"
    "    Otherwise the command is refused (exit 3) and the message names\n"
    "    the missing piece.  close is advance --to closed: it infers the\n"
    "    kind and exchange unless set and recomputes the customer's\n"
    "    relationship level; closing with no satisfaction check done or\n"
    "    scheduled and no --skip-satisfaction schedules one by itself for\n"
    "    the next working day at 10:00 local time (unless the customer has\n"
    "    no email or phone, or has not consented).  move-task moves a\n"
    "    scheduled check or follow-up to --due.  guide prints what to do\n"
    "    now.  Every change is a moment of truth.  The rules:\n"
    "    docs/rules.md.\n"
    "\n"
    "    CHANNEL is one of in_person, phone, email, chat, web.\n"
    "    STAGE is one of received, understood, helped, kept, closed,\n"
    "    abandoned.  TIME is RFC 3339, e.g. 2026-11-24T09:00:00Z.  KIND of a\n"
    "    defect is one of wrong_item, late, missed_promise, not_resolved,\n"
    "    long_wait, disconnected, rude, other.\n"
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
    "OPTIONS\n" RP_CLI_PAGE_HELP "\n"
    "EXAMPLES\n"
    "    rapport encounter open --customer 4 --channel phone \\\n"
    "        --subject 'Suit out of stock'\n"
    "    rapport encounter open --customer 4 --channel phone \\\n"
    "        --subject 'On hold since 9:00' --arrived 2026-12-02T09:00:00Z\n"
    "    rapport encounter list --stage received\n"
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

static int open_encounter(rp_cli *cli, int argc, char **argv)
{
    const char *customer = NULL;
    int json = 0;
    const rp_opt opts[] = {{"customer", RP_OPT_TEXT, NULL, &customer},
                           {"channel", RP_OPT_STR, "channel", NULL},
                           {"subject", RP_OPT_STR, "subject", NULL},
                           {"topic", RP_OPT_STR, "topic", NULL},
                           {"arrived", RP_OPT_STR, "arrived_at", NULL},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    rp_args a;
    rp_error err;
    int64_t customer_id = 0;
    int rc = rp_cli_args(cli, argc, argv, opts, &a, NULL);
    if (!rc && customer &&
        rp_parse_id(customer, "customer", &customer_id, &err))
        rc = rp_cli_usage("encounter", "%s", err.message);
    if (!rc && customer)
        json_object_set_new(a.fields, "customer_id", json_integer(customer_id));
    if (!rc)
        rc = rp_cli_open(cli);
    json_t *out = NULL;
    rp_code code = RP_OK;
    if (!rc)
        code = rp_encounter_open(&cli->ctx, a.fields, &out, &err);
    rp_args_free(&a);
    return rc ? rc : rp_cli_finish(code, &err, out, json, NULL);
}

static int show(rp_cli *cli, int argc, char **argv)
{
    return rp_cli_show(cli, argc, argv, "encounter", rp_encounter_get);
}

/* A work list: the filters are the API's, given as text to the core. */
static int list(rp_cli *cli, int argc, char **argv)
{
    rp_cli_page p = {0};
    const rp_opt opts[] = {{"customer", RP_OPT_STR, "customer_id", NULL},
                           {"stage", RP_OPT_STR, "stage", NULL},
                           {"state", RP_OPT_STR, "state", NULL},
                           {"queue", RP_OPT_STR, "queue", NULL},
                           {"agent", RP_OPT_STR, "agent", NULL},
                           {"channel", RP_OPT_STR, "channel", NULL},
                           {"kind", RP_OPT_STR, "kind", NULL},
                           {"exchange", RP_OPT_STR, "exchange", NULL},
                           {"over-target", RP_OPT_STR, "over_target", NULL},
                           {"search", RP_OPT_STR, "q", NULL},
                           {"sort", RP_OPT_STR, "sort", NULL},
                           RP_CLI_PAGE_OPTIONS(p),
                           {0}};
    rp_args a;
    rp_error err;
    int rc = rp_cli_args(cli, argc, argv, opts, &a, NULL);
    if (rc || (rc = rp_cli_page_open(cli, &p))) {
        rp_args_free(&a);
        return rc;
    }
    json_t *out = NULL;
    rp_code code = rp_encounter_worklist(&cli->ctx, a.fields, &p.req, &out,
                                         &err);
    rp_args_free(&a);
    static const char *const columns[] = {
        "id",         "customer_name", "channel", "stage",
        "queue_name", "agent_name",    "subject", NULL};
    return rp_cli_finish(code, &err, out, p.json, columns);
}

/* take ID --agent N: agent N takes the encounter (the CLI has no signed-in
 * agent, so it names the one who takes it). */
static int take(rp_cli *cli, int argc, char **argv)
{
    const char *agent = NULL;
    int json = 0;
    const rp_opt opts[] = {{"agent", RP_OPT_TEXT, NULL, &agent},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    int64_t id = 0, agent_id = 0;
    rp_error err;
    int rc = rp_cli_args(cli, argc, argv, opts, NULL, "encounter", &id, NULL);
    if (!rc && !agent)
        rc = rp_cli_usage("encounter", "take needs --agent N: who takes it");
    if (!rc && rp_parse_id(agent, "agent", &agent_id, &err))
        rc = rp_cli_usage("encounter", "%s", err.message);
    if (!rc)
        rc = rp_cli_open(cli);
    if (rc)
        return rc;
    cli->ctx.agent_id = agent_id;
    json_t *out = NULL;
    rp_code code = rp_encounter_take(&cli->ctx, id, NULL, &out, &err);
    cli->ctx.agent_id = 0;
    return rp_cli_finish(code, &err, out, json, NULL);
}

/* Every option of the cycle's subcommands, each the JSON field it sets. */
static const rp_opt cycle_fields[] = {
    {"to", RP_OPT_STR, "to", NULL},
    {"facts", RP_OPT_STR, "facts", NULL},
    {"feelings", RP_OPT_STR, "feelings", NULL},
    {"question", RP_OPT_LIST, "questions", NULL},
    {"restatement", RP_OPT_STR, "restatement", NULL},
    {"option", RP_OPT_LIST, "options", NULL},
    {"request", RP_OPT_STR, "request", NULL},
    {"goal", RP_OPT_STR, "goal", NULL},
    {"preference", RP_OPT_LIST, "preferences_captured", NULL},
    {"agreement", RP_OPT_STR, "agreement", NULL},
    {"no-agreement-reason", RP_OPT_STR, "no_agreement_reason", NULL},
    {"done", RP_OPT_STR, "outcome_done", NULL},
    {"watch", RP_OPT_STR, "outcome_watch", NULL},
    {"resolved", RP_OPT_BOOL, "first_contact_resolved", NULL},
    {"apology-owed", RP_OPT_TRUE, "apology_owed", NULL},
    {"apology-given", RP_OPT_TRUE, "apology_given", NULL},
    {"kind", RP_OPT_STR, "kind", NULL},
    {"exchange", RP_OPT_STR, "exchange", NULL},
    {"information-requested", RP_OPT_TRUE, "information_requested", NULL},
    {"senior-level", RP_OPT_TRUE, "senior_level", NULL},
    {"contract", RP_OPT_TRUE, "contract", NULL},
    {"thanked", RP_OPT_TRUE, "thanked", NULL},
    {"bridged", RP_OPT_STR, "bridged", NULL},
    {"skip-satisfaction", RP_OPT_STR, "satisfaction_skip_reason", NULL},
    {"topic", RP_OPT_STR, "topic", NULL},
    {"reason", RP_OPT_STR, "reason", NULL},
    {"cause", RP_OPT_STR, "cause", NULL},
    {"what", RP_OPT_STR, "what", NULL},
    {"due", RP_OPT_STR, "due_at", NULL},
    {"to-queue", RP_OPT_INT, "to_queue_id", NULL},
    {"to-agent", RP_OPT_INT, "to_agent_id", NULL},
    {"description", RP_OPT_STR, "description", NULL},
    {"outcome", RP_OPT_STR, "outcome", NULL},
    {"decline-reason", RP_OPT_STR, "decline_reason", NULL},
    {"subject", RP_OPT_STR, "subject", NULL},
    {"channel", RP_OPT_STR, "channel", NULL},
    {"score", RP_OPT_INT, "score", NULL},
    {"word", RP_OPT_LIST, "words", NULL},
    {"comment", RP_OPT_STR, "comment", NULL},
    {"schedule-at", RP_OPT_STR, "schedule_at", NULL},
    {"note", RP_OPT_STR, "note", NULL},
    {"agent-id", RP_OPT_INT, "agent_id", NULL},
    {0}};

typedef rp_code (*cycle_op)(rp_ctx *ctx, int64_t id, json_t *in, json_t **out,
                            rp_error *err);

/* The domain call of each cycle subcommand; guide has none (no body). */
static const struct {
    const char *name;
    cycle_op op;
} ops[] = {
    {"acknowledge", rp_encounter_acknowledge},
    {"note", rp_encounter_record},
    {"advance", rp_encounter_advance},
    {"close", rp_encounter_advance},
    {"abandon", rp_encounter_abandon},
    {"defect", rp_encounter_add_defect},
    {"promise", rp_encounter_add_promise},
    {"transfer", rp_encounter_add_transfer},
    {"special-request", rp_encounter_add_special_request},
    {"follow-up", rp_encounter_add_follow_up},
    {"satisfaction", rp_encounter_add_satisfaction},
    {"follow-up-done", rp_task_complete},
    {"move-task", rp_task_move},
    {"assign", rp_encounter_assign},
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
        printf("  [%c] %s%s%s\n",
               json_is_true(json_object_get(v, "done")) ? 'x' : ' ',
               S(v, "skill"),
               json_is_true(json_object_get(v, "done")) ? "" : ": ",
               json_is_true(json_object_get(v, "done")) ? "" : S(v, "hint"));
    json_array_foreach(json_object_get(g, "missing"), i, v)
        printf("before moving on: %s (%s)\n", S(v, "message"), S(v, "field"));
    printf("so far: kind %s, because %s\n",
           S(json_object_get(g, "kind_preview"), "kind"),
           S(json_object_get(g, "kind_preview"), "reason"));
    printf("so far: exchange %s, because %s\n",
           S(json_object_get(g, "exchange_preview"), "exchange"),
           S(json_object_get(g, "exchange_preview"), "reason"));
#undef S
}

/* A step of the cycle on encounter (or, for follow-up-done, task) ID. */
static int cycle(rp_cli *cli, int argc, char **argv)
{
    const char *sub = argv[0];
    int json = 0;
    const rp_opt opts[] = {{"", RP_OPT_INCLUDE, NULL, cycle_fields},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    rp_args a;
    int64_t id = 0;
    int rc = rp_cli_start(
        cli, argc, argv, opts, &a,
        strcmp(sub, "follow-up-done") && strcmp(sub, "move-task") ? "encounter"
                                                                  : "task",
        &id, NULL);
    if (!rc && !strcmp(sub, "close"))
        json_object_set_new(a.fields, "to", json_string("closed"));
    rp_error err;
    json_t *out = NULL;
    rp_code code = RP_EINTERNAL;
    if (!rc && !strcmp(sub, "guide"))
        code = rp_encounter_guide(&cli->ctx, id, &out, &err);
    for (size_t i = 0; !rc && i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(ops[i].name, sub))
            code = ops[i].op(&cli->ctx, id, a.fields, &out, &err);
    rp_args_free(&a);
    if (rc)
        return rc;
    return rp_cli_finish_with(code, &err, out, json,
                              strcmp(sub, "guide") ? NULL : print_guide);
}

static const rp_subcommand subs[] = {
    {"open", open_encounter},   {"show", show},       {"list", list},
    {"acknowledge", cycle},     {"note", cycle},      {"advance", cycle},
    {"close", cycle},           {"abandon", cycle},   {"guide", cycle},
    {"defect", cycle},          {"promise", cycle},   {"transfer", cycle},
    {"special-request", cycle}, {"follow-up", cycle}, {"satisfaction", cycle},
    {"follow-up-done", cycle},  {"move-task", cycle}, {"take", take},
    {"assign", cycle},          {NULL, NULL}};

const rp_command rp_cmd_encounter = {
    "encounter", "open encounters and move them through the cycle", help, subs,
    NULL};
