/*
 * cmd_due.c - `rapport due`: run the scheduler once, for cron, with the
 * scheduler settings read from RAPPORT_* at start (config.c), exactly as
 * rapportd's scheduler thread does.
 */
#include <unistd.h>

#include "base/worker.h"
#include "cli.h"

static const char help[] =
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

static void print_tasks(json_t *report, const char *name)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(report, name), i, t) {
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

/* Each task sent, held, retried or failed, one a line, and the counts on
 * stderr. */
static void print_report(json_t *out)
{
    print_tasks(out, "sent");
    print_tasks(out, "held");
    print_tasks(out, "retried");
    print_tasks(out, "failed");
    fprintf(stderr, "rapport due: %lld new task(s), %lld claimed, %zu sent\n",
            (long long)json_integer_value(json_object_get(out, "created")),
            (long long)json_integer_value(json_object_get(out, "claimed")),
            json_array_size(json_object_get(out, "sent")));
    json_t *links = json_object_get(out, "help_links");
    json_int_t ls = json_integer_value(json_object_get(links, "sent")),
               lr = json_integer_value(json_object_get(links, "retried")),
               lf = json_integer_value(json_object_get(links, "failed"));
    if (ls || lr || lf)
        fprintf(stderr,
                "rapport due: request links mailed to customers: %lld sent, "
                "%lld to retry, %lld failed\n",
                (long long)ls, (long long)lr, (long long)lf);
}

static int run(rp_cli *cli, int argc, char **argv)
{
    const char *when = NULL;
    int json = 0;
    const rp_opt opts[] = {{"now", RP_OPT_TEXT, NULL, &when},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    int rc = rp_cli_args(cli, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc;
    int64_t now = rp_now();
    if (when && rp_time_parse(when, &now)) {
        rp_cli_say("rapport: --now must be an RFC 3339 time such as "
                   "2026-11-23T08:00:00Z, in the years 0000 to 9999, not "
                   "'%s' (field: now)\n",
                   when);
        return RP_EXIT_INPUT;
    }
    if ((rc = rp_cli_open(cli)))
        return rc;
    if (when)
        rp_clock_pin(now); /* moments and links follow the injected clock */
    cli->ctx.actor = "scheduler";
    char worker[RP_WORKER_NAME_MAX];
    rp_worker_name(worker, sizeof worker, "rapport", "due");
    rp_error err;
    json_t *out = NULL;
    rp_code code = rp_scheduler_run(&cli->ctx, &cli->config.followup, now,
                                    worker, &out, &err);
    return rp_cli_finish_with(code, &err, out, json, print_report);
}

const rp_command rp_cmd_due = {
    "due", "send what is due (reminders, notices, checks)", help, NULL, run};
