/*
 * cmd_future.c - the "looking to the future" commands of the CLI:
 *
 *   rapport pref|goal|date|consent ...   a customer's preferences, goals,
 *                                        important dates and consents
 *   rapport product ...                  the catalogue
 *   rapport due [--now TIME]             send what is due (for cron)
 *   rapport tasks ...                    what was sent, held, failed
 *   rapport loyalty CUSTOMER             tier and discount
 *   rapport recommend CUSTOMER [--asked] respectful recommendations
 *
 * Options map one to one onto the JSON fields of the API (a table per
 * command says which and of what type), so the CLI accepts exactly what
 * the API accepts and librapport does all the checking.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

typedef enum { T_STR, T_INT, T_BOOL, T_LIST, T_ATTR, T_REAL, T_IDLIST } opt_type;

typedef struct opt_spec {
    const char *option; /* without the leading "--" */
    const char *field;  /* JSON field */
    opt_type type;
} opt_spec;

typedef struct parsed {
    json_t *fields;
    const char *pos[3];
    int npos;
    int json, asked, help;
    const char *now, *status, *customer, *category, *tag, *limit, *cursor;
} parsed;

/* Parse argv[first..] against spec; returns 0 or an exit code. */
static int parse(const char *cmd, int argc, char **argv, int first,
                 const opt_spec *spec, parsed *p)
{
    p->fields = json_object();
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0) {
            if (p->npos >= 3)
                return rp_cli_usage(cmd, "unexpected argument '%s'", a);
            p->pos[p->npos++] = a;
            continue;
        }
        a += 2;
        if (!strcmp(a, "json")) { p->json = 1; continue; }
        if (!strcmp(a, "asked")) { p->asked = 1; continue; }
        if (!strcmp(a, "help")) { p->help = 1; continue; }
        if (i + 1 >= argc)
            return rp_cli_usage(cmd, "option '--%s' needs a value", a);
        const char *v = argv[++i];
        const char **global = !strcmp(a, "now")        ? &p->now
                              : !strcmp(a, "status")   ? &p->status
                              : !strcmp(a, "customer") ? &p->customer
                              : !strcmp(a, "limit")    ? &p->limit
                              : !strcmp(a, "cursor")   ? &p->cursor
                                                       : NULL;
        const opt_spec *s = NULL;
        for (int k = 0; spec && spec[k].option; k++)
            if (!strcmp(spec[k].option, a))
                s = &spec[k];
        if (!s && global) {
            *global = v;
            continue;
        }
        if (!s)
            return rp_cli_usage(cmd, "unknown option '--%s'", a);
        json_t *list = json_object_get(p->fields, s->field);
        char *end;
        switch (s->type) {
        case T_STR:
            json_object_set_new(p->fields, s->field, json_string(v));
            break;
        case T_INT:
        case T_REAL: {
            double d = strtod(v, &end);
            if (*end || !*v)
                return rp_cli_usage(cmd, "--%s must be a number, not '%s'", a, v);
            json_object_set_new(p->fields, s->field,
                                s->type == T_INT ? json_integer((json_int_t)d)
                                                 : json_real(d));
            break;
        }
        case T_BOOL:
            if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "yes") &&
                strcmp(v, "no"))
                return rp_cli_usage(cmd, "--%s must be true or false", a);
            json_object_set_new(p->fields, s->field,
                                json_boolean(!strcmp(v, "true") ||
                                             !strcmp(v, "yes")));
            break;
        case T_LIST:
        case T_IDLIST:
            if (!list) {
                list = json_array();
                json_object_set_new(p->fields, s->field, list);
            }
            if (s->type == T_LIST) {
                json_array_append_new(list, json_string(v));
            } else {
                long long id = strtoll(v, &end, 10);
                if (*end || !*v)
                    return rp_cli_usage(cmd, "--%s must be an id, not '%s'", a, v);
                json_array_append_new(list, json_integer(id));
            }
            break;
        case T_ATTR: {
            /* --attr colour=red; true/false/numbers keep their type */
            const char *eq = strchr(v, '=');
            if (!eq || eq == v)
                return rp_cli_usage(cmd, "--%s must be KEY=VALUE, not '%s'", a, v);
            if (!list) {
                list = json_object();
                json_object_set_new(p->fields, s->field, list);
            }
            char key[100];
            snprintf(key, sizeof key, "%.*s", (int)(eq - v), v);
            const char *val = eq + 1;
            double d = strtod(val, &end);
            json_t *jv = !strcmp(val, "true")    ? json_true()
                         : !strcmp(val, "false") ? json_false()
                         : (*val && !*end)       ? json_real(d)
                                                 : json_string(val);
            json_object_set_new(list, key, jv);
            break;
        }
        }
    }
    return 0;
}

static int need_id(const char *cmd, parsed *p, int i, const char *what,
                   int64_t *id)
{
    rp_error err;
    if (i >= p->npos)
        return rp_cli_usage(cmd, "give the %s id", what);
    if (rp_parse_id(p->pos[i], what, id, &err))
        return rp_cli_usage(cmd, "%s", err.message);
    return 0;
}

static int finish(rp_code code, rp_error *err, json_t *out, int json,
                  const char *const columns[])
{
    if (code)
        return rp_cli_fail(err);
    if (columns)
        rp_cli_print_table(out, columns, json);
    else
        rp_cli_print_record(out, json);
    json_decref(out);
    return RP_EXIT_OK;
}

/* ---- pref / goal / date / consent ----------------------------------------- */

static const opt_spec pref_spec[] = {
    {"key", "key", T_STR}, {"value", "value", T_STR},
    {"firmness", "firmness", T_STR}, {"encounter", "encounter_id", T_INT},
    {NULL, NULL, T_STR}};
static const opt_spec goal_spec[] = {
    {"title", "title", T_STR}, {"tag", "tags", T_LIST},
    {"status", "status", T_STR}, {"encounter", "encounter_id", T_INT},
    {NULL, NULL, T_STR}};
static const opt_spec date_spec[] = {
    {"kind", "kind", T_STR},   {"title", "title", T_STR},
    {"at", "at", T_STR},       {"where", "where", T_STR},
    {"with", "with_whom", T_STR}, {"bring", "bring", T_STR},
    {"encounter", "encounter_id", T_INT}, {NULL, NULL, T_STR}};
static const opt_spec consent_spec[] = {
    {"purpose", "purpose", T_STR}, {"granted", "granted", T_BOOL},
    {"source", "source", T_STR}, {NULL, NULL, T_STR}};

static const char profile_help[] =
    "NAME\n"
    "    rapport pref|goal|date|consent - what a customer wants, wants to\n"
    "    become, has coming up, and agreed to\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport pref add CUSTOMER --key KEY --value VALUE\n"
    "                 --firmness firm|flexible [--encounter ID]\n"
    "    rapport goal add CUSTOMER --title TEXT [--tag TAG]...\n"
    "                 [--status active|achieved|dropped]\n"
    "    rapport date add CUSTOMER --kind appointment|renewal|expiry|other\n"
    "                 --title TEXT --at TIME [--where TEXT] [--with TEXT]\n"
    "                 [--bring TEXT]\n"
    "    rapport consent set CUSTOMER --purpose service|reminders|offers\n"
    "                 --granted true|false [--source TEXT]\n"
    "    rapport pref|goal|date|consent list CUSTOMER [--json]\n"
    "    rapport pref|goal|date update CUSTOMER ITEM [OPTIONS as for add]\n"
    "    rapport pref|goal|date remove CUSTOMER ITEM\n"
    "\n"
    "DESCRIPTION\n"
    "    Preferences have a firmness: recommendations never contradict a\n"
    "    firm one.  A key may be scoped to a product category with a prefix,\n"
    "    e.g. watermelon.colour.  Adding a preference whose key exists\n"
    "    changes it.  Goals carry tags that link them to products (juice).\n"
    "    Important dates drive reminders: the day before an appointment,\n"
    "    seven days before a renewal or expiry.  Consent is per purpose;\n"
    "    nothing is sent for reminders or offers without it (service is\n"
    "    granted unless withdrawn).  Consents are never removed, only\n"
    "    withdrawn with --granted false.  Every change is a moment of truth.\n"
    "    TIME is RFC 3339, e.g. 2026-11-24T09:00:00Z.\n"
    "\n"
    "OPTIONS\n"
    "    --json      print JSON exactly as the HTTP API returns it\n"
    "\n"
    "EXAMPLES\n"
    "    rapport pref add 4 --key colour --value navy --firmness firm\n"
    "    rapport goal add 3 --title 'Make the best juice in town' --tag juice\n"
    "    rapport date add 8 --kind appointment --title \"car's technical\n"
    "        inspection\" --at 2026-11-24T09:00:00Z --where 'ul. Polna 5'\n"
    "    rapport consent set 8 --purpose reminders --granted true\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad input or refused, 4 no such\n"
    "    customer or item, 1 database error.\n";

static int profile_cmd(rp_cli *cli, int argc, char **argv, const char *kind,
                       const opt_spec *spec)
{
    const char *cmd = argv[0];
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(profile_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? RP_EXIT_USAGE : RP_EXIT_OK;
    }
    const char *sub = argv[1];
    parsed p = {0};
    int rc = parse(cmd, argc, argv, 2, spec, &p);
    int64_t cid = 0, item = 0;
    if (!rc && p.help) {
        fputs(profile_help, stdout);
        json_decref(p.fields);
        return RP_EXIT_OK;
    }
    int is_add = !strcmp(sub, "add") || !strcmp(sub, "set");
    if (!rc && !is_add && strcmp(sub, "list") && strcmp(sub, "update") &&
        strcmp(sub, "remove"))
        rc = rp_cli_usage(cmd, "unknown subcommand '%s'", sub);
    if (!rc)
        rc = need_id(cmd, &p, 0, "customer", &cid);
    if (!rc && (!strcmp(sub, "update") || !strcmp(sub, "remove")))
        rc = need_id(cmd, &p, 1, "item", &item);
    if (!rc)
        rc = rp_cli_open(cli);
    if (rc) {
        json_decref(p.fields);
        return rc;
    }
    rp_error err;
    json_t *out = NULL;
    rp_code code;
    static const char *const cols_pref[] = {"id", "key", "value", "firmness",
                                            "encounter_id", NULL};
    static const char *const cols_goal[] = {"id", "title", "tags", "status",
                                            NULL};
    static const char *const cols_date[] = {"id", "kind", "title", "at",
                                            "where", "bring", NULL};
    static const char *const cols_consent[] = {"id", "purpose", "granted",
                                               "decided_at", "source", NULL};
    const char *const *cols = !strcmp(kind, "preferences") ? cols_pref
                              : !strcmp(kind, "goals")     ? cols_goal
                              : !strcmp(kind, "dates")     ? cols_date
                                                           : cols_consent;
    if (is_add)
        code = rp_profile_add(&cli->ctx, kind, cid, p.fields, &out, &err);
    else if (!strcmp(sub, "update"))
        code = rp_profile_update(&cli->ctx, kind, cid, item, p.fields, &out,
                                 &err);
    else if (!strcmp(sub, "remove")) {
        code = rp_profile_remove(&cli->ctx, kind, cid, item, &err);
        out = code ? NULL : json_pack("{s:b}", "deleted", 1);
    } else {
        json_decref(p.fields);
        code = rp_profile_list(&cli->ctx, kind, cid, &out, &err);
        return finish(code, &err, out, p.json, cols);
    }
    json_decref(p.fields);
    return finish(code, &err, out, p.json, NULL);
}

int rp_cmd_pref(rp_cli *cli, int argc, char **argv)
{
    return profile_cmd(cli, argc, argv, "preferences", pref_spec);
}
int rp_cmd_goal(rp_cli *cli, int argc, char **argv)
{
    return profile_cmd(cli, argc, argv, "goals", goal_spec);
}
int rp_cmd_date(rp_cli *cli, int argc, char **argv)
{
    return profile_cmd(cli, argc, argv, "dates", date_spec);
}
int rp_cmd_consent(rp_cli *cli, int argc, char **argv)
{
    return profile_cmd(cli, argc, argv, "consents", consent_spec);
}

/* ---- product -------------------------------------------------------------- */

static const opt_spec product_spec[] = {
    {"name", "name", T_STR},         {"category", "category", T_STR},
    {"attr", "attributes", T_ATTR},  {"stock", "stock", T_INT},
    {"tag", "tags", T_LIST},         {"related", "related", T_IDLIST},
    {"price", "price", T_REAL},      {NULL, NULL, T_STR}};

static const char product_help[] =
    "NAME\n"
    "    rapport product - the catalogue recommendations are made from\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport product add --name NAME --category CATEGORY\n"
    "                        [--attr KEY=VALUE]... [--stock N] [--tag TAG]...\n"
    "                        [--related ID]... [--price P] [--json]\n"
    "    rapport product update ID [OPTIONS as for add] [--json]\n"
    "    rapport product show ID [--json]\n"
    "    rapport product list [--category C] [--tag T] [--limit N]\n"
    "                         [--cursor C] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Attributes (colour, seedless, style, brand, ...) are compared with\n"
    "    customers' preferences; VALUE true/false and numbers keep their\n"
    "    type.  Tags link a product to goals (a goal tagged juice brings\n"
    "    products tagged juice).  Related products are offered next to the\n"
    "    product; --tag, --attr and --related replace the whole list or\n"
    "    object on update.  show lists the related products too.\n"
    "\n"
    "EXAMPLES\n"
    "    rapport product add --name Starfruit --category fruit --tag juice \\\n"
    "        --attr colour=yellow --stock 150\n"
    "    rapport product list --tag juice\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad input, 4 no such product,\n"
    "    1 database error.\n";

int rp_cmd_product(rp_cli *cli, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(product_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? RP_EXIT_USAGE : RP_EXIT_OK;
    }
    static const opt_spec list_spec[] = {{"category", "category", T_STR},
                                         {"tag", "tag", T_STR},
                                         {NULL, NULL, T_STR}};
    const char *sub = argv[1];
    parsed p = {0};
    int is_list = !strcmp(sub, "list");
    int rc = parse("product", argc, argv, 2, is_list ? list_spec : product_spec,
                   &p);
    int64_t id = 0;
    if (!rc && p.help) {
        fputs(product_help, stdout);
        json_decref(p.fields);
        return RP_EXIT_OK;
    }
    if (!rc && strcmp(sub, "add") && !is_list && strcmp(sub, "show") &&
        strcmp(sub, "update"))
        rc = rp_cli_usage("product", "unknown subcommand '%s'", sub);
    if (!rc && (!strcmp(sub, "show") || !strcmp(sub, "update")))
        rc = need_id("product", &p, 0, "product", &id);
    if (!rc)
        rc = rp_cli_open(cli);
    if (rc) {
        json_decref(p.fields);
        return rc;
    }
    rp_error err;
    json_t *out = NULL;
    rp_code code;
    static const char *const cols[] = {"id", "name", "category", "stock",
                                       "tags", NULL};
    if (!strcmp(sub, "add"))
        code = rp_product_create(&cli->ctx, p.fields, &out, &err);
    else if (!strcmp(sub, "update"))
        code = rp_product_update(&cli->ctx, id, p.fields, &out, &err);
    else if (!strcmp(sub, "show"))
        code = rp_product_get(&cli->ctx, id, &out, &err);
    else {
        rp_page_req page;
        code = rp_page_req_parse(p.limit, p.cursor, &page, &err);
        if (!code)
            code = rp_product_list(
                &cli->ctx,
                json_string_value(json_object_get(p.fields, "category")),
                json_string_value(json_object_get(p.fields, "tag")), &page,
                &out, &err);
        json_decref(p.fields);
        return finish(code, &err, out, p.json, cols);
    }
    json_decref(p.fields);
    return finish(code, &err, out, p.json, NULL);
}

/* ---- due / tasks ----------------------------------------------------------- */

static const char due_help[] =
    "NAME\n"
    "    rapport due - send the reminders, notices and checks that are due\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport due [--now TIME] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Runs the scheduler once, as rapportd's scheduler thread does every\n"
    "    30 seconds; meant for cron when the thread is turned off.  The\n"
    "    rules create tasks (a reminder the day before an appointment, a\n"
    "    renewal notice seven days before a renewal or expiry, a\n"
    "    satisfaction check the day after an encounter closes, keep-in-touch\n"
    "    by relationship level); then due tasks are claimed, sent by email\n"
    "    (SMTP) or webhook (SMS gateway) and recorded.  Tasks without\n"
    "    consent are held; failed sends are retried with backoff, then\n"
    "    failed.  Each sent, held, retried or failed task is printed.\n"
    "    Running it twice, or next to rapportd, sends nothing twice.\n"
    "\n"
    "OPTIONS\n"
    "    --now TIME  run as if it were TIME (RFC 3339), to rehearse or test\n"
    "    --json      print the whole report as JSON\n"
    "\n"
    "ENVIRONMENT\n"
    "    RAPPORT_SMTP_URL, RAPPORT_SMTP_FROM, RAPPORT_SMTP_USER,\n"
    "    RAPPORT_SMTP_PASSWORD, RAPPORT_WEBHOOK_URL, RAPPORT_WEBHOOK_SECRET,\n"
    "    RAPPORT_PUBLIC_URL, RAPPORT_CADENCE, RAPPORT_TASK_LEASE,\n"
    "    RAPPORT_TASK_MAX_ATTEMPTS, RAPPORT_TASK_BACKOFF: see\n"
    "    docs/scheduler.md.\n"
    "\n"
    "EXAMPLES\n"
    "    */1 * * * * rapport --db /var/lib/rapport/rapport.db due\n"
    "    rapport due --now 2026-11-23T08:00:00Z\n"
    "\n"
    "EXIT STATUS\n"
    "    0 the run completed (even if some sends failed: they are retried),\n"
    "    2 usage error, 3 bad --now, 1 database error.\n";

static void print_list(json_t *report, const char *name)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(report, name), i, t)
    {
        const char *reason = json_string_value(json_object_get(t, "reason"));
        const char *channel = json_string_value(json_object_get(t, "channel"));
        printf("%s\ttask %lld\tcustomer %lld\t%s\t%s\t%s%s%s\n", name,
               (long long)json_integer_value(json_object_get(t, "id")),
               (long long)json_integer_value(json_object_get(t, "customer_id")),
               json_string_value(json_object_get(t, "kind")),
               channel ? channel : "-",
               json_string_value(json_object_get(t, "subject")),
               reason ? "\t" : "", reason ? reason : "");
    }
}

int rp_cmd_due(rp_cli *cli, int argc, char **argv)
{
    parsed p = {0};
    int rc = parse("due", argc, argv, 1, NULL, &p);
    json_decref(p.fields);
    if (rc)
        return rc;
    if (p.help) {
        fputs(due_help, stdout);
        return RP_EXIT_OK;
    }
    if (p.npos)
        return rp_cli_usage("due", "unexpected argument '%s'", p.pos[0]);
    int64_t now = rp_now();
    if (p.now && rp_time_parse(p.now, &now)) {
        fprintf(stderr, "rapport: --now must be an RFC 3339 time such as "
                        "2026-11-23T08:00:00Z, not '%s' (field: now)\n",
                p.now);
        return RP_EXIT_INPUT;
    }
    if ((rc = rp_cli_open(cli)))
        return rc;
    if (p.now)
        rp_clock_pin(now); /* moments and links follow the injected clock */
    cli->ctx.actor = "scheduler";
    rp_scheduler_config cfg;
    rp_scheduler_config_default(&cfg);
    char worker[64];
    snprintf(worker, sizeof worker, "cli:%d", (int)getpid());
    rp_error err;
    json_t *out = NULL;
    if (rp_scheduler_run(&cli->ctx, &cfg, now, worker, &out, &err))
        return rp_cli_fail(&err);
    if (p.json) {
        rp_cli_print_record(out, 1);
    } else {
        print_list(out, "sent");
        print_list(out, "held");
        print_list(out, "retried");
        print_list(out, "failed");
        fprintf(stderr, "rapport due: %lld new task(s), %lld claimed, %zu sent\n",
                (long long)json_integer_value(json_object_get(out, "created")),
                (long long)json_integer_value(json_object_get(out, "claimed")),
                json_array_size(json_object_get(out, "sent")));
    }
    json_decref(out);
    return RP_EXIT_OK;
}

static const char tasks_help[] =
    "NAME\n"
    "    rapport tasks - reminders, notices, checks and follow-ups\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport tasks [--status STATUS] [--customer ID] [--limit N]\n"
    "                  [--cursor C] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Lists tasks newest first.  STATUS is scheduled, claimed, sent,\n"
    "    done, failed, cancelled or held; held and failed tasks show why in\n"
    "    last_error.\n"
    "\n"
    "EXAMPLES\n"
    "    rapport tasks --status failed\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad input, 1 database error.\n";

int rp_cmd_tasks(rp_cli *cli, int argc, char **argv)
{
    parsed p = {0};
    int rc = parse("tasks", argc, argv, 1, NULL, &p);
    json_decref(p.fields);
    if (rc)
        return rc;
    if (p.help) {
        fputs(tasks_help, stdout);
        return RP_EXIT_OK;
    }
    rp_error err;
    rp_page_req page;
    int64_t cid = 0;
    json_t *out = NULL;
    if (rp_page_req_parse(p.limit, p.cursor, &page, &err) ||
        (p.customer && rp_parse_id(p.customer, "customer", &cid, &err)))
        return rp_cli_fail(&err);
    if ((rc = rp_cli_open(cli)))
        return rc;
    static const char *const cols[] = {"id",     "customer_id", "kind",
                                       "status", "due_at",      "channel",
                                       "subject", "last_error", NULL};
    rp_code code = rp_task_list(&cli->ctx, p.status, cid, &page, &out, &err);
    return finish(code, &err, out, p.json, cols);
}

/* ---- loyalty / recommend --------------------------------------------------- */

static const char loyalty_help[] =
    "NAME\n"
    "    rapport loyalty - a customer's loyalty tier and discount\n"
    "    rapport recommend - respectful recommendations for a customer\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport loyalty CUSTOMER [--json]\n"
    "    rapport recommend CUSTOMER [--asked] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    loyalty prints tenure, visits (closed encounters), spend, the tier\n"
    "    they reach and its discount (tiers: GET /api/v1/loyalty/tiers).\n"
    "    recommend prints products that serve the customer's active goals\n"
    "    and preferences, with reasons, never contradicting a firm\n"
    "    preference; for a transactional customer whose recent exchanges\n"
    "    were all quick nothing is offered unless --asked.  The products\n"
    "    shown are recorded as offers (moments of truth).\n"
    "\n"
    "EXAMPLES\n"
    "    rapport loyalty 8\n"
    "    rapport recommend 3\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 4 no such customer, 1 database error.\n";

static int customer_cmd(rp_cli *cli, int argc, char **argv, int recommend)
{
    parsed p = {0};
    int64_t cid = 0;
    int rc = parse(argv[0], argc, argv, 1, NULL, &p);
    json_decref(p.fields);
    if (!rc && p.help) {
        fputs(loyalty_help, stdout);
        return RP_EXIT_OK;
    }
    if (!rc)
        rc = need_id(argv[0], &p, 0, "customer", &cid);
    if (!rc)
        rc = rp_cli_open(cli);
    if (rc)
        return rc;
    rp_error err;
    json_t *out = NULL;
    rp_code code = recommend
                       ? rp_recommend(&cli->ctx, cid, p.asked, &out, &err)
                       : rp_loyalty_for_customer(&cli->ctx, cid, &out, &err);
    if (code || p.json || !recommend)
        return finish(code, &err, out, p.json, NULL);
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(out, "items"), i, it)
    {
        json_t *prod = json_object_get(it, "product");
        printf("%lld\t%s", (long long)json_integer_value(json_object_get(prod, "id")),
               json_string_value(json_object_get(prod, "name")));
        size_t k;
        json_t *r;
        json_array_foreach(json_object_get(it, "reasons"), k, r)
            printf("%s%s", k ? "; " : "\t", json_string_value(r));
        putchar('\n');
    }
    if (json_is_string(json_object_get(out, "reason")))
        printf("withheld: %s\n", json_string_value(json_object_get(out, "reason")));
    json_array_foreach(json_object_get(out, "notes"), i, it)
        printf("note: %s\n", json_string_value(it));
    json_decref(out);
    return RP_EXIT_OK;
}

int rp_cmd_loyalty(rp_cli *cli, int argc, char **argv)
{
    return customer_cmd(cli, argc, argv, 0);
}
int rp_cmd_recommend(rp_cli *cli, int argc, char **argv)
{
    return customer_cmd(cli, argc, argv, 1);
}
