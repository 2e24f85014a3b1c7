/*
 * cmd_message.c - `rapport message ...`: the conversation of an encounter
 * from the command line, the same calls as the HTTP API: list, show, write
 * a reply or a note, send a draft, save an attachment, take in a message,
 * run the outbox (for cron), and the desk's conversation settings.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/worker.h"
#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport message - the conversation of an encounter\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport message list ENCOUNTER [--limit N] [--cursor C] [--json]\n"
    "    rapport message show ID [--json]\n"
    "    rapport message reply ENCOUNTER --body TEXT [--subject TEXT]\n"
    "                          [--channel email|web|phone|in_person]\n"
    "                          [--draft] [--attach FILE]... [--json]\n"
    "    rapport message note ENCOUNTER --body TEXT [--json]\n"
    "    rapport message send ID [--json]\n"
    "    rapport message attachment ID [--output FILE]\n"
    "    rapport message receive --from ADDR [--name NAME] [--subject TEXT]\n"
    "                          [--text TEXT] [--message-id ID]\n"
    "                          [--in-reply-to ID] [--queue NAME]\n"
    "                          [--channel email|web] [--json]\n"
    "    rapport message outbox [--json]\n"
    "    rapport message kept [--limit N] [--cursor C] [--json]\n"
    "    rapport message settings [--desk-name NAME] [--phone-country-code N]\n"
    "                          [--reopen-days N] [--flood-messages N]\n"
    "                          [--flood-minutes N] [--attachment-max-bytes N]\n"
    "                          [--outbox-max-attempts N]\n"
    "                          [--outbox-backoff-seconds N]\n"
    "                          [--arrival-max-hours N] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    list prints an encounter's messages, oldest first: what the\n"
    "    customer wrote, the replies (with their delivery state: draft,\n"
    "    queued, sending, sent, failed and why) and the agents' notes.\n"
    "    reply writes to the customer: by email (the default) or web it is\n"
    "    queued and sent by the outbox; by phone or in person it records\n"
    "    what was said.  --draft keeps it unsent until `send`.  The first\n"
    "    reply is the encounter's first response.  note writes for the\n"
    "    other agents only; it is never sent.  attachment saves an\n"
    "    attachment to FILE (default: its own name in the current\n"
    "    directory, never over an existing file).  receive takes in a\n"
    "    message already read (a web form, a script): it threads it, or\n"
    "    opens an encounter for it, as mail is.  outbox sends the queued\n"
    "    replies now, as rapportd's scheduler does (for cron when the\n"
    "    scheduler thread is off).  kept lists the mail that was refused\n"
    "    (auto-replies, bulk mail, loops, floods) or could not be read,\n"
    "    with the reason, newest first.  settings shows the desk's\n"
    "    conversation settings, or changes those given.\n"
    "\n"
    "OPTIONS\n" RP_CLI_PAGE_HELP "\n"
    "ENVIRONMENT\n"
    "    RAPPORT_SMTP_URL, RAPPORT_SMTP_FROM, RAPPORT_SMTP_USER,\n"
    "    RAPPORT_SMTP_PASSWORD: where the outbox sends (docs/scheduler.md).\n"
    "\n"
    "EXAMPLES\n"
    "    rapport message reply 7 --body 'Your suit arrived.' --attach "
    "receipt.pdf\n"
    "    rapport message note 7 --body 'Called the tailor.'\n"
    "    rapport message settings --reopen-days 7 --phone-country-code 34\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad input or refused change, 4 no such\n"
    "    encounter or message, 1 database or system error.\n";

static const char *const columns[] = {"id",     "occurred_at", "direction",
                                      "author", "channel",     "status",
                                      "body",   NULL};

static int list(rp_cli *cli, int argc, char **argv)
{
    rp_cli_page p = {0};
    const rp_opt opts[] = {RP_CLI_PAGE_OPTIONS(p), {0}};
    int64_t id = 0;
    int rc = rp_cli_args(cli, argc, argv, opts, NULL, "encounter", &id, NULL);
    if (rc || (rc = rp_cli_page_open(cli, &p)))
        return rc;
    rp_error err;
    json_t *out = NULL;
    rp_code code = rp_message_list(&cli->ctx, id, &p.req, &out, &err);
    return rp_cli_finish(code, &err, out, p.json, columns);
}

static int show(rp_cli *cli, int argc, char **argv)
{
    return rp_cli_show(cli, argc, argv, "message", rp_message_get);
}

/* The files of --attach as the attachments of the API. */
static int attach(json_t *fields, json_t *files)
{
    json_t *list = json_array();
    size_t i;
    json_t *f;
    json_array_foreach(files, i, f) {
        const char *path = json_string_value(f);
        FILE *fp = fopen(path, "rb");
        rp_buf data = RP_BUF_INIT;
        char chunk[65536];
        size_t n;
        while (fp && (n = fread(chunk, 1, sizeof chunk, fp)) > 0)
            rp_buf_append(&data, chunk, n);
        if (!fp || ferror(fp) || data.failed) {
            fprintf(stderr, "rapport: cannot read %s (field: attach)\n", path);
            if (fp)
                fclose(fp);
            rp_buf_free(&data);
            json_decref(list);
            return RP_EXIT_INPUT;
        }
        fclose(fp);
        size_t len = sodium_base64_encoded_len(data.len,
                                               sodium_base64_VARIANT_ORIGINAL);
        char *b64 = malloc(len);
        if (b64)
            sodium_bin2base64(b64, len,
                              (const unsigned char *)rp_buf_str(&data),
                              data.len, sodium_base64_VARIANT_ORIGINAL);
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        json_array_append_new(list, json_pack("{s:s, s:s}", "filename", base,
                                              "data_base64", b64 ? b64 : ""));
        free(b64);
        rp_buf_free(&data);
    }
    json_object_set_new(fields, "attachments", list);
    return 0;
}

/* reply and note: a message written on encounter ID. */
static int write_message(rp_cli *cli, int argc, char **argv)
{
    int note = !strcmp(argv[0], "note"), json = 0;
    const rp_opt opts[] = {{"body", RP_OPT_STR, "body", NULL},
                           {"subject", RP_OPT_STR, "subject", NULL},
                           {"channel", RP_OPT_STR, "channel", NULL},
                           {"draft", RP_OPT_TRUE, "draft", NULL},
                           {"attach", RP_OPT_LIST, "attach", NULL},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    const rp_opt note_opts[] = {{"body", RP_OPT_STR, "body", NULL},
                                {"json", RP_OPT_FLAG, NULL, &json},
                                {0}};
    rp_args a;
    int64_t id = 0;
    int rc = rp_cli_args(cli, argc, argv, note ? note_opts : opts, &a,
                         "encounter", &id, NULL);
    json_t *files = json_object_get(a.fields, "attach");
    if (rc == 0 && files) {
        rc = attach(a.fields, files);
        json_object_del(a.fields, "attach");
    }
    if (rc == 0)
        rc = rp_cli_open(cli);
    if (rc) {
        rp_args_free(&a);
        return rc;
    }
    json_object_set_new(a.fields, "kind", json_string(note ? "note" : "reply"));
    rp_error err;
    json_t *out = NULL;
    rp_code code = rp_message_add(&cli->ctx, id, a.fields, &out, &err);
    rp_args_free(&a);
    return rp_cli_finish(code, &err, out, json, NULL);
}

static int send(rp_cli *cli, int argc, char **argv)
{
    int json = 0;
    const rp_opt opts[] = {{"json", RP_OPT_FLAG, NULL, &json}, {0}};
    int64_t id = 0;
    int rc = rp_cli_start(cli, argc, argv, opts, NULL, "message", &id, NULL);
    if (rc)
        return rc;
    rp_error err;
    json_t *out = NULL;
    rp_code code = rp_message_send(&cli->ctx, id, NULL, &out, &err);
    return rp_cli_finish(code, &err, out, json, NULL);
}

static int save(rp_cli *cli, int argc, char **argv)
{
    const char *output = NULL;
    const rp_opt opts[] = {{"output", RP_OPT_TEXT, NULL, &output}, {0}};
    int64_t id = 0;
    int rc = rp_cli_start(cli, argc, argv, opts, NULL, "attachment", &id, NULL);
    if (rc)
        return rc;
    rp_error err;
    rp_attachment_data att;
    if (rp_attachment_get(&cli->ctx, id, &att, &err))
        return rp_cli_fail(&err);
    const char *path = output ? output : att.filename;
    FILE *fp = !strcmp(path, "-") ? stdout : fopen(path, output ? "wb" : "wbx");
    int ok = fp && fwrite(att.data, 1, att.size, fp) == att.size;
    if (fp && fp != stdout)
        ok = fclose(fp) == 0 && ok;
    if (!ok)
        fprintf(stderr,
                "rapport: cannot write %s (it may exist already; give "
                "--output FILE)\n",
                path);
    else if (fp != stdout)
        printf("%s\t%zu bytes\n", path, att.size);
    rp_attachment_free(&att);
    return ok ? RP_EXIT_OK : RP_EXIT_INTERNAL;
}

static int receive(rp_cli *cli, int argc, char **argv)
{
    const char *from = NULL, *name = NULL, *subject = NULL, *text = NULL,
               *mid = NULL, *parent = NULL, *queue = NULL, *channel = "email";
    int json = 0;
    const rp_opt opts[] = {{"from", RP_OPT_TEXT, NULL, &from},
                           {"name", RP_OPT_TEXT, NULL, &name},
                           {"subject", RP_OPT_TEXT, NULL, &subject},
                           {"text", RP_OPT_TEXT, NULL, &text},
                           {"message-id", RP_OPT_TEXT, NULL, &mid},
                           {"in-reply-to", RP_OPT_TEXT, NULL, &parent},
                           {"queue", RP_OPT_TEXT, NULL, &queue},
                           {"channel", RP_OPT_TEXT, NULL, &channel},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    int rc = rp_cli_start(cli, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc;
    rp_inbound_mail m = {.channel = channel,
                         .queue = queue,
                         .message_id = mid,
                         .in_reply_to = parent,
                         .from_address = from,
                         .from_name = name,
                         .subject = subject,
                         .text = text};
    rp_error err;
    json_t *out = NULL;
    rp_code code = rp_conversation_receive(&cli->ctx, &m, &out, &err);
    return rp_cli_finish(code, &err, out, json, NULL);
}

static int outbox(rp_cli *cli, int argc, char **argv)
{
    int json = 0;
    const rp_opt opts[] = {{"json", RP_OPT_FLAG, NULL, &json}, {0}};
    int rc = rp_cli_start(cli, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc;
    cli->ctx.actor = "outbox";
    char worker[RP_WORKER_NAME_MAX];
    rp_worker_name(worker, sizeof worker, "rapport", "outbox");
    rp_error err;
    json_t *out = NULL;
    rp_code code = rp_outbox_run(&cli->ctx, &cli->config.followup.delivery,
                                 rp_now(), worker, &out, &err);
    return rp_cli_finish(code, &err, out, json, NULL);
}

static int kept(rp_cli *cli, int argc, char **argv)
{
    rp_cli_page p = {0};
    const rp_opt opts[] = {RP_CLI_PAGE_OPTIONS(p), {0}};
    int rc = rp_cli_args(cli, argc, argv, opts, NULL, NULL);
    if (rc || (rc = rp_cli_page_open(cli, &p)))
        return rc;
    static const char *const cols[] = {
        "id", "created_at", "kind", "from_address", "subject", "reason", NULL};
    rp_error err;
    json_t *out = NULL;
    rp_code code = rp_kept_mail_list(&cli->ctx, &p.req, &out, &err);
    /* the raw message is for --json; a table has no room for it */
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(out, "items"), i, row)
        if (!p.json)
            json_object_del(row, "raw");
    return rp_cli_finish(code, &err, out, p.json, cols);
}

static int settings(rp_cli *cli, int argc, char **argv)
{
    int json = 0;
    const rp_opt opts[] = {
        {"desk-name", RP_OPT_STR, "desk_name", NULL},
        {"phone-country-code", RP_OPT_STR, "phone_country_code", NULL},
        {"reopen-days", RP_OPT_INT, "reopen_days", NULL},
        {"flood-messages", RP_OPT_INT, "flood_messages", NULL},
        {"flood-minutes", RP_OPT_INT, "flood_minutes", NULL},
        {"attachment-max-bytes", RP_OPT_INT, "attachment_max_bytes", NULL},
        {"outbox-max-attempts", RP_OPT_INT, "outbox_max_attempts", NULL},
        {"outbox-backoff-seconds", RP_OPT_INT, "outbox_backoff_seconds", NULL},
        {"arrival-max-hours", RP_OPT_INT, "arrival_max_hours", NULL},
        {"json", RP_OPT_FLAG, NULL, &json},
        {0}};
    rp_args a;
    int rc = rp_cli_start(cli, argc, argv, opts, &a, NULL);
    if (rc) {
        rp_args_free(&a);
        return rc;
    }
    rp_error err;
    json_t *out = NULL;
    rp_code code = json_object_size(a.fields)
                       ? rp_desk_settings_update(&cli->ctx, a.fields, &out,
                                                 &err)
                       : rp_desk_settings_get(&cli->ctx, &out, &err);
    rp_args_free(&a);
    return rp_cli_finish(code, &err, out, json, NULL);
}

static const rp_subcommand subs[] = {
    {"list", list},          {"show", show},     {"reply", write_message},
    {"note", write_message}, {"send", send},     {"attachment", save},
    {"receive", receive},    {"outbox", outbox}, {"settings", settings},
    {"kept", kept},          {NULL, NULL}};

const rp_command rp_cmd_message = {
    "message", "the conversation of an encounter: replies, notes, the outbox",
    help, subs, NULL};
