/*
 * cmd_ledger.c - `rapport ledger verify|seal`: prove that the moments of
 * truth were not altered, removed or reordered since they were recorded.
 *
 * The checking is the core's (rp_ledger_verify walks the hash chain a
 * page at a time); this file prints what it found, one line per moment at
 * fault, and exits non-zero when anything is.
 */
#include <string.h>

#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport ledger - verify the sealed ledger of moments of truth\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport ledger verify [--anchor ID:HASH] [--json]\n"
    "    rapport ledger seal\n"
    "\n"
    "DESCRIPTION\n"
    "    Every moment of truth is sealed when it is recorded: a hash of its\n"
    "    content, and a hash chained over the moment before it and over\n"
    "    its time, kind, customer, encounter, actor, channel, impression\n"
    "    and content hash.  verify walks the whole ledger in order,\n"
    "    recomputing every hash, and names each moment whose content or\n"
    "    recorded fields changed, the moments missing before one, and\n"
    "    erased moments whose customer was not erased.  Erased moments\n"
    "    still verify: erasure replaces their content and keeps their\n"
    "    hashes.  It ends with the head of the chain (the last moment and\n"
    "    its chain hash); note it somewhere outside the database, and give\n"
    "    it later as --anchor ID:HASH to prove that no moment up to it was\n"
    "    rewritten and that the ledger was not cut short.\n"
    "\n"
    "    seal gives their hashes to moments recorded before the ledger was\n"
    "    sealed (rapportd does so when it starts).\n"
    "\n"
    "OPTIONS\n"
    "    --anchor ID:HASH  a head noted earlier, to check against\n"
    "    --json            print the report as JSON\n"
    "\n"
    "EXAMPLES\n"
    "    rapport ledger verify\n"
    "    rapport ledger verify --anchor 1042:3f9c...\n"
    "\n"
    "EXIT STATUS\n"
    "    0 the ledger verifies, 3 a moment is at fault (each is named),\n"
    "    2 usage error, 1 database error.\n";

static void print_report(json_t *r)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(r, "problems"), i, p) {
        const char *at = json_string_value(json_object_get(p, "occurred_at"));
        const char *kind = json_string_value(json_object_get(p, "kind"));
        printf("moment %lld",
               (long long)json_integer_value(json_object_get(p, "moment_id")));
        if (at && kind)
            printf(" (%s, %s)", at, kind);
        printf(": %s\n", json_string_value(json_object_get(p, "problem")));
    }
    long long problems = json_integer_value(
        json_object_get(r, "problem_count"));
    if (problems > (long long)json_array_size(json_object_get(r, "problems")))
        printf("... and %lld more\n",
               problems -
                   (long long)json_array_size(json_object_get(r, "problems")));
    printf("%s: %lld moments, %lld of them erased, %lld problem%s\n",
           problems ? "LEDGER ALTERED" : "ledger verified",
           (long long)json_integer_value(json_object_get(r, "moments")),
           (long long)json_integer_value(json_object_get(r, "erased")),
           problems, problems == 1 ? "" : "s");
    json_t *head = json_object_get(r, "head");
    if (json_is_object(head))
        printf(
            "head: %lld:%s\n",
            (long long)json_integer_value(json_object_get(head, "moment_id")),
            json_string_value(json_object_get(head, "chain_hash")));
}

static int verify(rp_cli *cli, int argc, char **argv)
{
    const char *anchor = NULL;
    int json = 0;
    const rp_opt opts[] = {{"anchor", RP_OPT_TEXT, NULL, &anchor},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    int rc = rp_cli_args(cli, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc;
    int64_t anchor_id = 0;
    const char *hash = NULL;
    if (anchor) {
        const char *colon = strchr(anchor, ':');
        char id[32];
        rp_error err;
        if (!colon || (size_t)(colon - anchor) >= sizeof id)
            return rp_cli_usage("ledger", "--anchor must be ID:HASH, as "
                                          "verify printed the head");
        memcpy(id, anchor, (size_t)(colon - anchor));
        id[colon - anchor] = '\0';
        if (rp_parse_id(id, "anchor", &anchor_id, &err))
            return rp_cli_usage("ledger", "--anchor: %s", err.message);
        hash = colon + 1;
    }
    if ((rc = rp_cli_open(cli)))
        return rc;
    rp_error err;
    json_t *out = NULL;
    rp_code code = rp_ledger_verify(&cli->ctx, anchor_id, hash, &out, &err);
    if (code)
        return rp_cli_fail(&err);
    int ok = json_is_true(json_object_get(out, "ok"));
    rp_cli_finish_with(RP_OK, &err, out, json, print_report);
    return ok ? RP_EXIT_OK : RP_EXIT_INPUT;
}

static void print_sealed(json_t *out)
{
    printf("sealed %lld moments\n",
           (long long)json_integer_value(json_object_get(out, "sealed")));
}

static int seal(rp_cli *cli, int argc, char **argv)
{
    int rc = rp_cli_start(cli, argc, argv, (const rp_opt[]){{0}}, NULL, NULL);
    if (rc)
        return rc;
    rp_error err;
    int64_t n = 0;
    rp_code code = rp_ledger_seal(&cli->ctx, &n, &err);
    return rp_cli_finish_with(
        code, &err, code ? NULL : json_pack("{s:I}", "sealed", (json_int_t)n),
        0, print_sealed);
}

static const rp_subcommand subs[] = {
    {"verify", verify}, {"seal", seal}, {NULL, NULL}};

const rp_command rp_cmd_ledger = {
    "ledger", "verify the sealed ledger of moments of truth", help, subs, NULL};
