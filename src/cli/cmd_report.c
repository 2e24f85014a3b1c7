/*
 * cmd_report.c - `rapport report`: the service metrics of a window as a
 * report a person reads in a terminal (or the JSON of the API).
 *
 * The figures are exactly those of GET /api/v1/metrics/service
 * (rp_metrics_service); this file only lays them out in aligned sections.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport report - the service metrics of a window, as a report\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport report [--from TIME] [--to TIME] [--queue ID] [--agent ID]\n"
    "                   [--json | --verify]\n"
    "    rapport report --rebuild\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints, in aligned sections: volume by channel; waiting (p50, p90,\n"
    "    average, longest); abandonment; first-contact resolution;\n"
    "    transfers; phone calls told by a phone system (answered,\n"
    "    abandoned in the queue, time to answer, hold time);\n"
    "    satisfaction with its most frequent words; relationship\n"
    "    levels and their movements; moments of truth per customer; defects\n"
    "    by kind and cause; special requests granted and declined;\n"
    "    apologies owed and given; promises kept and broken; and breaches of\n"
    "    the service charter.  Encounters count when received in the window;\n"
    "    satisfaction when answered, promises when due, defects, requests,\n"
    "    moments and movements when recorded in it.  Relationship levels are\n"
    "    the current ones of every customer.  Overdue promises are settled\n"
    "    (marked broken) first.\n"
    "\n"
    "    The encounters' figures are read from rollups kept per UTC day,\n"
    "    queue and agent as the desk works (partial days at the window's\n"
    "    edges from the encounters themselves); the wait's p50 and p90 are\n"
    "    exact below two minutes and otherwise the start of the bucket that\n"
    "    holds them (docs/rules.md).  --verify computes the window both ways,\n"
    "    from the rollups and from every encounter, and prints any figure\n"
    "    where they differ (exit 1), or that they agree; --rebuild fills the\n"
    "    rollups again from the records, in one transaction.\n"
    "\n"
    "OPTIONS\n"
    "    --from TIME, --to TIME  RFC 3339 times; the window is [from, to), by\n"
    "                            default the 30 days up to now, at most 366\n"
    "                            days\n"
    "    --queue ID              only encounters routed to this queue\n"
    "    --agent ID              only encounters handled by this agent\n"
    "    --json                  print the JSON of GET "
    "/api/v1/metrics/service\n"
    "    --verify                compare the rollups with the records\n"
    "    --rebuild               rebuild the rollups from the records\n"
    "\n"
    "EXAMPLES\n"
    "    rapport report\n"
    "    rapport report --from 2026-11-01T00:00:00Z --to 2026-12-01T00:00:00Z\n"
    "    rapport report --queue 2 --json | jq .wait\n"
    "    rapport report --verify\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad window or id, 1 database error or\n"
    "    (--verify) a figure where the rollups and the records differ.\n";

#define LABEL_WIDTH 30

static json_t *at(json_t *o, const char *section, const char *key)
{
    return json_object_get(json_object_get(o, section), key);
}

static void heading(const char *title)
{
    printf("\n%s\n", title);
}

static void line(const char *label, const char *value)
{
    printf("  %-*s %s\n", LABEL_WIDTH, label, value);
}

static void count(const char *label, json_t *v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
    line(label, buf);
}

/* A rate as a percentage, or "-" when there is nothing to divide by. */
static void percent(const char *label, json_t *v)
{
    char buf[32];
    if (json_is_number(v))
        snprintf(buf, sizeof buf, "%.1f %%", json_number_value(v) * 100.0);
    else
        snprintf(buf, sizeof buf, "-");
    line(label, buf);
}

/* Seconds as "1h 05m", "30m 00s", "45s", or "-". */
static void duration(const char *label, json_t *v)
{
    char buf[48];
    if (!json_is_number(v)) {
        line(label, "-");
        return;
    }
    long long s = (long long)(json_number_value(v) + 0.5);
    if (s >= 3600)
        snprintf(buf, sizeof buf, "%lldh %02lldm", s / 3600, s % 3600 / 60);
    else if (s >= 60)
        snprintf(buf, sizeof buf, "%lldm %02llds", s / 60, s % 60);
    else
        snprintf(buf, sizeof buf, "%llds", s);
    line(label, buf);
}

/* Every key: number pair of an object, as "a 3, b 1". */
static void pairs(const char *label, json_t *obj)
{
    rp_buf b = RP_BUF_INIT;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
        rp_buf_printf(&b, "%s%s %lld", b.len ? ", " : "", key,
                      (long long)json_integer_value(v));
    line(label, b.len ? rp_buf_str(&b) : "-");
    rp_buf_free(&b);
}

static void print_report(json_t *m)
{
    json_t *w = json_object_get(m, "window");
    printf("Service report %s .. %s",
           json_string_value(json_object_get(w, "from")),
           json_string_value(json_object_get(w, "to")));
    if (json_is_integer(json_object_get(w, "queue_id")))
        printf(", queue %lld",
               (long long)json_integer_value(json_object_get(w, "queue_id")));
    if (json_is_integer(json_object_get(w, "agent_id")))
        printf(", agent %lld",
               (long long)json_integer_value(json_object_get(w, "agent_id")));
    putchar('\n');

    heading("Volume");
    count("encounters received", at(m, "volume", "encounters"));
    pairs("by channel", at(m, "volume", "by_channel"));
    count("closed", at(m, "volume", "closed"));
    count("still waiting", at(m, "volume", "waiting"));

    heading("Waiting (arrival to acknowledged, or to hang-up)");
    count("measured", at(m, "wait", "measured"));
    duration("p50", at(m, "wait", "p50_seconds"));
    duration("p90", at(m, "wait", "p90_seconds"));
    duration("average", at(m, "wait", "average_seconds"));
    duration("longest", at(m, "wait", "max_seconds"));

    heading("Outcomes");
    count("abandoned", at(m, "abandonment", "abandoned"));
    percent("abandonment rate", at(m, "abandonment", "rate"));
    count("resolved at first contact",
          at(m, "first_contact_resolution", "resolved_first_contact"));
    count("not known if resolved at first contact",
          at(m, "first_contact_resolution", "unknown"));
    percent("first-contact resolution (of the known)",
            at(m, "first_contact_resolution", "rate"));
    count("transfers", at(m, "transfers", "total"));
    count("encounters transferred",
          at(m, "transfers", "encounters_transferred"));

    heading("Phone calls (told by the phone system)");
    count("calls", at(m, "telephony", "calls"));
    count("answered", at(m, "telephony", "answered"));
    count("abandoned in the queue", at(m, "telephony", "abandoned_in_queue"));
    percent("abandonment in the queue", at(m, "telephony", "abandonment_rate"));
    json_t *tel = json_object_get(m, "telephony");
    duration("time to answer, average",
             at(tel, "time_to_answer", "average_seconds"));
    duration("time to answer, longest",
             at(tel, "time_to_answer", "max_seconds"));
    duration("time before giving up, average",
             at(tel, "time_to_abandon", "average_seconds"));
    count("calls put on hold", at(tel, "hold", "calls_held"));
    duration("hold time, total", at(tel, "hold", "total_seconds"));
    duration("hold time per answered call",
             at(tel, "hold", "average_per_answered_call_seconds"));
    duration("longest hold on one call",
             at(tel, "hold", "max_per_call_seconds"));

    heading("Satisfaction");
    count("answered", at(m, "satisfaction", "answered"));
    json_t *avg = at(m, "satisfaction", "average");
    char buf[600];
    if (json_is_number(avg))
        snprintf(buf, sizeof buf, "%.2f of 5", json_number_value(avg));
    else
        snprintf(buf, sizeof buf, "-");
    line("average score", buf);
    size_t i;
    json_t *row;
    rp_buf words = RP_BUF_INIT;
    json_array_foreach(at(m, "satisfaction", "words"), i, row)
        if (i < 10)
            rp_buf_printf(
                &words, "%s%s %lld", words.len ? ", " : "",
                json_string_value(json_object_get(row, "word")),
                (long long)json_integer_value(json_object_get(row, "count")));
    line("words customers used", words.len ? rp_buf_str(&words) : "-");
    rp_buf_free(&words);

    heading("Relationships");
    pairs("levels now", at(m, "relationships", "levels"));
    count("moved up", at(m, "relationships", "up"));
    count("moved down", at(m, "relationships", "down"));
    json_array_foreach(at(m, "relationships", "movements"), i, row) {
        char label[96];
        const char *from = json_string_value(json_object_get(row, "from"));
        snprintf(label, sizeof label, "  %s -> %s", from ? from : "(new)",
                 json_string_value(json_object_get(row, "to")));
        count(label, json_object_get(row, "count"));
    }

    heading("Moments of truth");
    count("moments", at(m, "moments", "total"));
    count("customers touched", at(m, "moments", "customers"));
    json_t *per = at(m, "moments", "per_customer");
    if (json_is_number(per))
        snprintf(buf, sizeof buf, "%.2f", json_number_value(per));
    else
        snprintf(buf, sizeof buf, "-");
    line("per customer", buf);
    snprintf(buf, sizeof buf, "%lld positive, %lld neutral, %lld negative",
             (long long)json_integer_value(at(m, "moments", "positive")),
             (long long)json_integer_value(at(m, "moments", "neutral")),
             (long long)json_integer_value(at(m, "moments", "negative")));
    line("impressions", buf);

    heading("Defects");
    count("defects", at(m, "defects", "total"));
    pairs("by kind", at(m, "defects", "by_kind"));
    rp_buf label = RP_BUF_INIT;
    json_array_foreach(at(m, "defects", "by_cause"), i, row) {
        rp_buf_clear(&label);
        rp_buf_printf(
            &label, "  %s: ", json_string_value(json_object_get(row, "kind")));
        rp_buf_put_cut(&label, json_string_value(json_object_get(row, "cause")),
                       60);
        count(rp_buf_str(&label), json_object_get(row, "count"));
    }

    heading("Special requests, apologies and promises");
    count("special requests granted", at(m, "special_requests", "granted"));
    count("special requests declined", at(m, "special_requests", "declined"));
    json_array_foreach(at(m, "special_requests", "decline_reasons"), i, row) {
        const char *r = json_string_value(json_object_get(row, "reason"));
        rp_buf_clear(&label);
        rp_buf_puts(&label, "  declined: ");
        rp_buf_put_cut(&label, r ? r : "(no reason)", 60);
        count(rp_buf_str(&label), json_object_get(row, "count"));
    }
    rp_buf_free(&label);
    count("apologies owed", at(m, "apologies", "owed"));
    count("apologies given", at(m, "apologies", "given"));
    count("apologies owed, not given", at(m, "apologies", "owed_not_given"));
    count("promises kept", at(m, "promises", "kept"));
    count("promises broken", at(m, "promises", "broken"));
    count("promises open", at(m, "promises", "open"));

    heading("Service charter");
    count("breaches", at(m, "charter", "breaches"));
    const char *key;
    json_t *v;
    json_object_foreach(at(m, "charter", "by_target"), key, v) {
        char label[64];
        snprintf(label, sizeof label, "  %s", key);
        count(label, v);
    }
}

/* --verify: every figure where the rollups and the records differ. */
static int verify(rp_cli *cli, const rp_window *w, int json)
{
    rp_error err;
    json_t *diffs = NULL;
    if (rp_metrics_verify(&cli->ctx, w, &diffs, &err))
        return rp_cli_fail(&err);
    size_t n = json_array_size(diffs), i;
    json_t *d;
    if (json) {
        char *text = json_dumps(diffs, JSON_INDENT(2));
        printf("%s\n", text ? text : "[]");
        free(text);
    } else if (!n) {
        printf("The rollups agree with the records.\n");
    }
    json_array_foreach(diffs, i, d) {
        if (json)
            break;
        char *a = json_dumps(json_object_get(d, "records"), JSON_ENCODE_ANY);
        char *b = json_dumps(json_object_get(d, "rollups"), JSON_ENCODE_ANY);
        printf("%s: %s from the records, %s from the rollups\n",
               json_string_value(json_object_get(d, "figure")),
               a ? a : "nothing", b ? b : "nothing");
        free(a);
        free(b);
    }
    json_decref(diffs);
    return n ? RP_EXIT_INTERNAL : RP_EXIT_OK;
}

static int run(rp_cli *cli, int argc, char **argv)
{
    const char *from = NULL, *to = NULL, *queue = NULL, *agent = NULL;
    int json = 0, check = 0, rebuild = 0;
    const rp_opt opts[] = {{"from", RP_OPT_TEXT, NULL, &from},
                           {"to", RP_OPT_TEXT, NULL, &to},
                           {"queue", RP_OPT_TEXT, NULL, &queue},
                           {"agent", RP_OPT_TEXT, NULL, &agent},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {"verify", RP_OPT_FLAG, NULL, &check},
                           {"rebuild", RP_OPT_FLAG, NULL, &rebuild},
                           {0}};
    rp_error err;
    rp_window w;
    int rc = rp_cli_args(cli, argc, argv, opts, NULL, NULL);
    if (!rc && rebuild && (check || from || to || queue || agent))
        rc = rp_cli_usage("report", "--rebuild takes no other option");
    if (!rc && !rebuild && rp_window_parse(from, to, queue, agent, &w, &err))
        rc = rp_cli_fail(&err);
    if (rc || (rc = rp_cli_open(cli)))
        return rc;
    if (rebuild) {
        if (rp_rollup_rebuild(&cli->ctx, &err))
            return rp_cli_fail(&err);
        printf("The rollups were rebuilt from the records.\n");
        return RP_EXIT_OK;
    }
    if (check)
        return verify(cli, &w, json);
    json_t *out = NULL;
    rp_code code = rp_metrics_service(&cli->ctx, &w, &out, &err);
    return rp_cli_finish_with(code, &err, out, json, print_report);
}

const rp_command rp_cmd_report = {
    "report", "the service metrics of a window, as a report", help, NULL, run};
