/*
 * cmd_retention.c - `rapport retention`: the desk's privacy settings (who
 * may erase, the retention rules), what the rules would remove now, and
 * applying them at once instead of waiting for the scheduler.
 */
#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport retention - the retention rules and who may erase\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport retention [--json]\n"
    "    rapport retention [--inactive-years N] [--attachment-months N]\n"
    "                      [--body-months N] [--batch N]\n"
    "                      [--erasure-approval admin|two_people] [--json]\n"
    "    rapport retention --dry-run [--now TIME] [--json]\n"
    "    rapport retention --run [--now TIME] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Alone, prints the settings.  With settings, changes them (all or\n"
    "    nothing) and prints them; 0 turns a rule off.\n"
    "\n"
    "      --inactive-years N     erase customers with no contact (no moment\n"
    "                             of truth) for N years of 365 days\n"
    "      --attachment-months N  drop attachments N months (of 30 days) old\n"
    "      --body-months N        blank the messages of encounters closed or\n"
    "                             abandoned N months ago (their times and\n"
    "                             counts stay)\n"
    "      --batch N              at most N of each per scheduler step\n"
    "      --erasure-approval     admin: an admin erases at once; two_people:\n"
    "                             an admin or lead asks, a different one\n"
    "                             approves\n"
    "\n"
    "    rapportd's scheduler applies the rules a batch at a time (hourly\n"
    "    once nothing is left).  --dry-run prints what they would remove\n"
    "    now (how many customers, and which; how many attachments and\n"
    "    bytes; how many encounters' messages) and changes nothing.  --run\n"
    "    applies them until nothing is left, each erasure with its moment\n"
    "    of truth.  --now pretends it is TIME (RFC 3339).\n"
    "\n"
    "EXAMPLES\n"
    "    rapport retention --inactive-years 6 --attachment-months 24\n"
    "    rapport retention --dry-run\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad value, 1 database error.\n";

static const rp_opt settings[] = {
    {"inactive-years", RP_OPT_INT, "retention_inactive_years", NULL},
    {"attachment-months", RP_OPT_INT, "retention_attachment_months", NULL},
    {"body-months", RP_OPT_INT, "retention_body_months", NULL},
    {"batch", RP_OPT_INT, "retention_batch", NULL},
    {"erasure-approval", RP_OPT_STR, "erasure_approval", NULL},
    {0}};

static void print_dry_run(json_t *r)
{
    json_t *c = json_object_get(r, "customers");
    json_t *a = json_object_get(r, "attachments");
    json_t *b = json_object_get(r, "bodies");
    if (!c && !a && !b) {
        printf("every retention rule is off: nothing would go\n");
        return;
    }
    if (c) {
        printf("customers to erase (no contact for %lld years): %lld\n",
               (long long)json_integer_value(json_object_get(
                   json_object_get(r, "rules"), "retention_inactive_years")),
               (long long)json_integer_value(json_object_get(c, "count")));
        size_t i;
        json_t *row;
        json_array_foreach(json_object_get(c, "listed"), i, row) {
            printf("  %lld  %s\n",
                   (long long)json_integer_value(json_object_get(row, "id")),
                   json_string_value(json_object_get(row, "name")));
        }
    }
    if (a)
        printf("attachments to drop: %lld (%lld bytes, in %lld encounters)\n",
               (long long)json_integer_value(json_object_get(a, "count")),
               (long long)json_integer_value(json_object_get(a, "bytes")),
               (long long)json_integer_value(json_object_get(a, "encounters")));
    if (b)
        printf("messages to blank: %lld (in %lld ended encounters)\n",
               (long long)json_integer_value(json_object_get(b, "messages")),
               (long long)json_integer_value(json_object_get(b, "encounters")));
    printf("nothing was changed (dry run)\n");
}

static void print_done(json_t *r)
{
    printf(
        "erased %lld customers, dropped %lld attachments, blanked %lld "
        "messages in %lld encounters\n",
        (long long)json_integer_value(json_object_get(r, "customers_erased")),
        (long long)json_integer_value(
            json_object_get(r, "attachments_dropped")),
        (long long)json_integer_value(json_object_get(r, "messages_blanked")),
        (long long)json_integer_value(
            json_object_get(r, "encounters_blanked")));
}

/* Apply batches until none is full; *out is the sum of their reports. */
static rp_code run_all(rp_ctx *ctx, int64_t now, json_t **out, rp_error *err)
{
    static const char *const keys[] = {
        "customers_erased", "attachments_dropped", "encounters_blanked",
        "messages_blanked", NULL};
    json_t *sum = json_object();
    for (const char *const *k = keys; *k; k++)
        json_object_set_new(sum, *k, json_integer(0));
    for (;;) {
        json_t *one;
        if (rp_retention_apply(ctx, now, &one, err)) {
            json_decref(sum);
            return err->code;
        }
        for (const char *const *k = keys; *k; k++)
            json_object_set_new(
                sum, *k,
                json_integer(json_integer_value(json_object_get(sum, *k)) +
                             json_integer_value(json_object_get(one, *k))));
        int more = json_is_true(json_object_get(one, "more"));
        json_decref(one);
        if (!more)
            break;
    }
    *out = sum;
    return RP_OK;
}

static int run(rp_cli *cli, int argc, char **argv)
{
    int dry = 0, apply = 0, json = 0;
    const char *when = NULL;
    const rp_opt opts[] = {{"dry-run", RP_OPT_FLAG, NULL, &dry},
                           {"run", RP_OPT_FLAG, NULL, &apply},
                           {"now", RP_OPT_TEXT, NULL, &when},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {"", RP_OPT_INCLUDE, NULL, settings},
                           {0}};
    rp_args a;
    int rc = rp_cli_args(cli, argc, argv, opts, &a, NULL);
    int changing = rc == 0 && json_object_size(a.fields) > 0;
    if (rc == 0 && dry + apply + changing > 1)
        rc = rp_cli_usage("retention", "give one of --dry-run, --run or "
                                       "settings to change");
    int64_t now = rp_now();
    if (rc == 0 && when && rp_time_parse(when, &now)) {
        rp_cli_say("rapport: --now must be an RFC 3339 time such as "
                   "2026-11-23T08:00:00Z, not '%s' (field: now)\n",
                   when);
        rc = RP_EXIT_INPUT;
    }
    if (rc == 0)
        rc = rp_cli_open(cli);
    if (rc) {
        rp_args_free(&a);
        return rc;
    }
    if (when)
        rp_clock_pin(now); /* the moments of erasures follow --now */
    cli->ctx.actor = "retention";
    rp_error err;
    json_t *out = NULL;
    rp_code code;
    if (changing)
        code = rp_privacy_settings_update(&cli->ctx, a.fields, &out, &err);
    else if (dry)
        code = rp_retention_report(&cli->ctx, now, &out, &err);
    else if (apply)
        code = run_all(&cli->ctx, now, &out, &err);
    else
        code = rp_privacy_settings_get(&cli->ctx, &out, &err);
    rp_args_free(&a);
    return rp_cli_finish_with(code, &err, out, json,
                              dry     ? print_dry_run
                              : apply ? print_done
                                      : NULL);
}

const rp_command rp_cmd_retention = {
    "retention", "the retention rules, a dry run of them, who may erase", help,
    NULL, run};
