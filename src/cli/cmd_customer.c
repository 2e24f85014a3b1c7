/*
 * cmd_customer.c - `rapport customer
 * add|update|show|list|moments|export|erase|merge|duplicates`.
 */
#include "cli.h"

#include <errno.h>
#include <string.h>

static const char help[] =
    "NAME\n"
    "    rapport customer - add, show, change and list customers\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport customer add --name NAME [--preferred-name NAME]\n"
    "                         [--email ADDR]... [--phone NUMBER]...\n"
    "                         [--notes TEXT] [--json]\n"
    "    rapport customer update ID [--name NAME] [--preferred-name NAME]\n"
    "                         [--email ADDR]... [--phone NUMBER]...\n"
    "                         [--notes TEXT] [--unconfirmed false] [--json]\n"
    "    rapport customer show ID [--overview] [--json]\n"
    "    rapport customer list [--q TEXT] [--limit N] [--cursor C] [--json]\n"
    "    rapport customer moments ID [--limit N] [--cursor C] [--json]\n"
    "    rapport customer export ID [--out FILE] [--html]\n"
    "    rapport customer erase ID --requested-by TEXT [--suppress-marketing]\n"
    "                         [--agent ID] [--json]\n"
    "    rapport customer duplicates ID [--json]\n"
    "    rapport customer merge KEEP GONE --reason TEXT [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    add creates a customer and prints it.  The preferred name is how\n"
    "    the customer likes to be greeted; it is shown first everywhere.\n"
    "    --email and --phone may be repeated; on update they replace the\n"
    "    whole list.  show prints one customer; list prints customers in the\n"
    "    order they were added, those whose name, preferred name or email\n"
    "    contains TEXT when --q is given; moments prints the customer's\n"
    "    moments of truth, newest first.  Every change is recorded as a\n"
    "    moment of truth.  A customer made from an unknown sender's message\n"
    "    is unconfirmed until --unconfirmed false.  --q with a phone number,\n"
    "    typed any way, or a whole email address finds the customer who has\n"
    "    it.\n"
    "\n"
    "    show --overview prints the customer at a glance instead: profile,\n"
    "    relationship level and why, open encounters with their stage,\n"
    "    open promises and follow-ups, the latest 10 moments of truth,\n"
    "    satisfaction so far, and encounters counted by kind and exchange\n"
    "    (the same as GET /api/v1/customers/ID/overview).\n"
    "\n"
    "    export writes everything rapport holds about the customer (the\n"
    "    archive of docs/privacy.md: profile, identities, preferences,\n"
    "    goals, dates, consents, encounters, conversations with their files,\n"
    "    moments, tasks, satisfaction answers, relationship levels, offers,\n"
    "    and who looked at their data) as JSON, or with --html as a page a\n"
    "    person reads, to FILE (created, or replaced) or standard output.\n"
    "    The export is recorded in the audit log.\n"

    "    erase removes the customer's personal data for good: profile,\n"
    "    identities, preferences, goals, dates, consents, the text of\n"
    "    their encounters and messages, attachments, answers and notes.\n"
    "    Every moment of truth keeps its time, kind and encounter with its\n"
    "    content replaced, so the counts and measures of the past stay\n"
    "    true and `rapport ledger verify` still passes; the erasure is a\n"
    "    moment of its own.  --requested-by says on whose request (not the\n"
    "    customer's name: it is kept).  --suppress-marketing keeps a salted\n"
    "    hash of the customer's addresses so that no offer reaches them\n"
    "    again (always so when the customer had refused offers).  When the\n"
    "    privacy settings ask for two people (`rapport retention\n"
    "    --erasure-approval two_people`), --agent names the admin or lead\n"
    "    who asks; a different one approves by running the same command.\n"
    "    See docs/privacy.md.\n"
    "\n"
    "    duplicates lists the other customers who may be the same person:\n"
    "    an email address or phone number of theirs matches one of ID's\n"
    "    when written loosely (an email's +tag, a Gmail address's dots, a\n"
    "    phone number with or without its country code).\n"
    "\n"
    "    merge makes GONE part of KEEP, for good: GONE's encounters,\n"
    "    conversations, email addresses and phone numbers, preferences,\n"
    "    goals, dates, consents, follow-ups, satisfaction answers, offers\n"
    "    and requests become KEEP's.  GONE's moments of truth stay sealed\n"
    "    in the ledger as they are (`rapport ledger verify` still passes)\n"
    "    and are part of KEEP's history; GONE's id leads to KEEP from then\n"
    "    on.  Where both had a preference with the same name, or decided\n"
    "    on the same consent, the later one stands and the other is kept\n"
    "    in the merge's moment of truth, with --reason (why the two are the\n"
    "    same person).  The relationship level is worked out again.  An\n"
    "    erased customer, one merged already, or one with an erasure\n"
    "    waiting cannot be merged.  Only an admin merges in the console\n"
    "    and the API; this command is the operator's.\n"
    "\n"
    "OPTIONS\n" RP_CLI_PAGE_HELP "\n"
    "EXAMPLES\n"
    "    rapport customer add --name 'Maximilian Weber' --preferred-name Max "
    "\\\n"
    "        --email max@example.com\n"
    "    rapport customer list --q weber\n"
    "    rapport customer erase 4 --requested-by 'the customer, by letter'\n"
    "    rapport customer duplicates 3\n"
    "    rapport customer merge 3 7 --reason 'the same person: wrote from her "
    "work address'\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad input, 4 no such customer,\n"
    "    1 database error.\n";

static const rp_opt fields[] = {
    {"name", RP_OPT_STR, "name", NULL},
    {"preferred-name", RP_OPT_STR, "preferred_name", NULL},
    {"email", RP_OPT_LIST, "emails", NULL},
    {"phone", RP_OPT_LIST, "phones", NULL},
    {"notes", RP_OPT_STR, "notes", NULL},
    {"unconfirmed", RP_OPT_BOOL, "unconfirmed", NULL},
    {0}};

/* add and update: the fields given, to a new customer or customer ID. */
static int write(rp_cli *cli, int argc, char **argv)
{
    return rp_cli_write(cli, argc, argv, fields, "customer", rp_customer_create,
                        rp_customer_update);
}

static int show(rp_cli *cli, int argc, char **argv)
{
    int json = 0, overview = 0;
    const rp_opt opts[] = {{"overview", RP_OPT_FLAG, NULL, &overview},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    int64_t id = 0;
    int rc = rp_cli_start(cli, argc, argv, opts, NULL, "customer", &id, NULL);
    if (rc)
        return rc;
    rp_error err;
    json_t *out = NULL;
    rp_code code = overview ? rp_customer_overview(&cli->ctx, id, &out, &err)
                            : rp_customer_get(&cli->ctx, id, &out, &err);
    return rp_cli_finish(code, &err, out, json, NULL);
}

/* list and moments: a page of customers, or of customer ID's moments. */
static int page(rp_cli *cli, int argc, char **argv)
{
    const char *q = NULL;
    int moments = argv[0][0] == 'm';
    rp_cli_page p = {0};
    const rp_opt opts[] = {
        {"q", RP_OPT_TEXT, NULL, &q}, RP_CLI_PAGE_OPTIONS(p), {0}};
    int64_t id = 0;
    int rc = rp_cli_args(cli, argc, argv, moments ? opts + 1 : opts, NULL,
                         moments ? "customer" : NULL, &id, NULL);
    if (rc || (rc = rp_cli_page_open(cli, &p)))
        return rc;
    static const char *const columns[] = {"id",     "greeting_name", "name",
                                          "emails", "phones",        NULL};
    static const char *const moment_columns[] = {
        "id", "occurred_at", "kind", "summary", "impression", NULL};
    rp_error err;
    json_t *out = NULL;
    rp_code code = moments ? rp_moment_list(&cli->ctx, id, &p.req, &out, &err)
                           : rp_customer_list(&cli->ctx, q, &p.req, &out, &err);
    return rp_cli_finish(code, &err, out, p.json,
                         moments ? moment_columns : columns);
}

/* export: the customer's archive to a file, or standard output. */
static int export(rp_cli *cli, int argc, char **argv)
{
    const char *path = NULL;
    int html = 0;
    const rp_opt opts[] = {{"out", RP_OPT_TEXT, NULL, &path},
                           {"html", RP_OPT_FLAG, NULL, &html},
                           {0}};
    int64_t id = 0;
    int rc = rp_cli_start(cli, argc, argv, opts, NULL, "customer", &id, NULL);
    if (rc)
        return rc;
    /* the file first: an export that cannot be written is not made */
    FILE *f = path ? fopen(path, "w") : stdout;
    if (!f) {
        rp_buf q = RP_BUF_INIT;
        fprintf(stderr, "rapport: cannot write %s: %s\n", rp_cut(&q, path, 200),
                strerror(errno));
        rp_buf_free(&q);
        return RP_EXIT_INTERNAL;
    }
    rp_error err;
    json_t *archive = NULL;
    rp_code code = rp_export_customer(&cli->ctx, id, &archive, &err);
    if (code) {
        if (path) {
            fclose(f);
            remove(path);
        }
        return rp_cli_fail(&err);
    }
    int bad = 0;
    if (html) {
        rp_buf b = RP_BUF_INIT;
        rp_export_html(archive, &b);
        bad = b.failed || fwrite(rp_buf_str(&b), 1, b.len, f) != b.len;
        rp_buf_free(&b);
    } else {
        bad = json_dumpf(archive, f, JSON_INDENT(1) | JSON_SORT_KEYS) != 0 ||
              fputc('\n', f) == EOF;
    }
    json_decref(archive);
    if (path ? fclose(f) != 0 : fflush(f) != 0)
        bad = 1;
    if (bad) {
        fprintf(stderr, "rapport: the export could not be written in full\n");
        return RP_EXIT_INTERNAL;
    }
    return RP_EXIT_OK;
}

/* erase: the customer's personal data, for good. */
static int erase(rp_cli *cli, int argc, char **argv)
{
    const char *agent = NULL;
    int json = 0;
    const rp_opt opts[] = {
        {"requested-by", RP_OPT_STR, "requested_by", NULL},
        {"suppress-marketing", RP_OPT_TRUE, "suppress_marketing", NULL},
        {"agent", RP_OPT_TEXT, NULL, &agent},
        {"json", RP_OPT_FLAG, NULL, &json},
        {0}};
    rp_args a;
    int64_t id = 0;
    int rc = rp_cli_args(cli, argc, argv, opts, &a, "customer", &id, NULL);
    rp_error err;
    if (rc == 0 && agent &&
        rp_parse_id(agent, "agent", &cli->ctx.agent_id, &err))
        rc = rp_cli_usage("customer", "--agent: %s", err.message);
    if (rc == 0)
        rc = rp_cli_open(cli);
    if (rc) {
        rp_args_free(&a);
        return rc;
    }
    json_t *out = NULL;
    rp_code code = rp_privacy_erase(&cli->ctx, id, a.fields, &out, &err);
    rp_args_free(&a);
    return rp_cli_finish(code, &err, out, json, NULL);
}

/* duplicates: who may be the same person as customer ID, in words. */
static void print_duplicates(json_t *out)
{
    json_t *items = json_object_get(out, "items"), *it;
    size_t i, j;
    if (json_array_size(items) == 0)
        printf("No other customer looks like the same person.\n");
    json_array_foreach(items, i, it) {
        printf(
            "%lld  %s:",
            (long long)json_integer_value(json_object_get(it, "customer_id")),
            json_string_value(json_object_get(it, "greeting_name")));
        json_t *m;
        json_array_foreach(json_object_get(it, "matches"), j, m)
            printf(
                " %s%s %s (like %s)", j ? ", " : "",
                strcmp(json_string_value(json_object_get(m, "kind")), "email")
                    ? "phone number"
                    : "email address",
                json_string_value(json_object_get(m, "value")),
                json_string_value(json_object_get(m, "own_value")));
        putchar('\n');
    }
}

static int duplicates(rp_cli *cli, int argc, char **argv)
{
    int json = 0;
    const rp_opt opts[] = {{"json", RP_OPT_FLAG, NULL, &json}, {0}};
    int64_t id = 0;
    int rc = rp_cli_start(cli, argc, argv, opts, NULL, "customer", &id, NULL);
    if (rc)
        return rc;
    rp_error err;
    json_t *out = NULL;
    rp_code code = rp_customer_duplicates(&cli->ctx, id, &out, &err);
    return rp_cli_finish_with(code, &err, out, json, print_duplicates);
}

static void print_merge(json_t *out)
{
    json_t *c = json_object_get(out, "customer");
    printf("Customer %lld is part of customer %lld (%s) now.\n",
           (long long)json_integer_value(json_object_get(out, "merged_id")),
           (long long)json_integer_value(json_object_get(c, "id")),
           json_string_value(json_object_get(c, "greeting_name")));
}

/* merge: customer GONE into customer KEEP. */
static int merge(rp_cli *cli, int argc, char **argv)
{
    const char *reason = NULL;
    int json = 0;
    const rp_opt opts[] = {{"reason", RP_OPT_TEXT, NULL, &reason},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    int64_t keep = 0, gone = 0;
    int rc = rp_cli_args(cli, argc, argv, opts, NULL, "customer to keep", &keep,
                         "customer to merge into it", &gone, NULL);
    if (rc == 0 && !reason)
        rc = rp_cli_usage("customer", "merge needs --reason: say why the two "
                                      "are the same person");
    if (rc == 0)
        rc = rp_cli_open(cli);
    if (rc)
        return rc;
    rp_error err;
    json_t *out = NULL;
    rp_code code = rp_customer_merge(&cli->ctx, keep, gone, reason, &out, &err);
    return rp_cli_finish_with(code, &err, out, json, print_merge);
}

static const rp_subcommand subs[] = {
    {"add", write},   {"update", write}, {"show", show},
    {"list", page},   {"moments", page}, {"export", export},
    {"erase", erase}, {"merge", merge},  {"duplicates", duplicates},
    {NULL, NULL}};

const rp_command rp_cmd_customer = {
    "customer", "add, show, change and list customers", help, subs, NULL};
