/*
 * cmd_mail.c - `rapport mail receive|poll|mailbox`: email in from the
 * command line.
 *
 * `receive` is what a mail server's pipe runs (Postfix's pipe transport or
 * an aliases line, Exim's pipe): one message on standard input, and an exit
 * status from sysexits.h, which mail servers read: 0 taken, 75 try again
 * later (the mail server keeps the message and retries), 65 refused for
 * good (the sender gets a bounce).  Anything the desk could not take for a
 * reason that may pass (a busy or full database, an I/O error) is 75, so a
 * message is never lost between the mail server and the desk.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mail/mail.h"

/* sysexits.h, spelt out: these numbers are the contract with the mail
 * server, documented in the help below. */
enum {
    EX_OK_ = 0,
    EX_USAGE_ = 64,
    EX_DATAERR_ = 65,
    EX_SOFTWARE_ = 70,
    EX_IOERR_ = 74,
    EX_TEMPFAIL_ = 75,
    EX_CONFIG_ = 78
};

static const char help[] =
    "NAME\n"
    "    rapport mail - email in: a mail server's pipe, IMAP mailboxes\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport mail receive [--queue NAME] [--json] < message\n"
    "    rapport mail poll [--json]\n"
    "    rapport mail mailbox add --url imap[s]://HOST[:PORT] --user NAME\n"
    "                             [--folder NAME] [--queue NAME]\n"
    "    rapport mail mailbox list [--json]\n"
    "    rapport mail mailbox remove ID\n"
    "\n"
    "DESCRIPTION\n"
    "    receive reads one email message (RFC 5322, as a mail server hands\n"
    "    it to a pipe) on standard input and gives it to the desk: a reply\n"
    "    joins the encounter it answers, a new request opens an encounter\n"
    "    (in queue NAME when given), auto-replies, mailing lists and the\n"
    "    desk's own mail are recorded and refused, a bounce marks the reply\n"
    "    it reports as failed.  A message that cannot be understood is kept\n"
    "    raw for an admin; a message over RAPPORT_MAIL_MAX_BYTES is refused.\n"
    "    It prints what became of the message on standard output, and why\n"
    "    it was not taken on standard error.\n"
    "\n"
    "    poll reads every IMAP mailbox once (rapportd does so by itself\n"
    "    every RAPPORT_IMAP_INTERVAL seconds): messages not taken before\n"
    "    are taken, each once, even with several servers.\n"
    "\n"
    "    mailbox add makes the desk read a mailbox: the server (imaps:// for\n"
    "    TLS), the user, the folder (default INBOX) and the queue its new\n"
    "    requests open in.  The password (or app password) comes from\n"
    "    RAPPORT_PASSWORD, else it is asked for on the terminal.\n"
    "\n"
    "EXAMPLES\n"
    "    rapport --db /var/lib/rapport/rapport.db mail receive --queue "
    "support\n"
    "    RAPPORT_PASSWORD=app-password rapport mail mailbox add \\\n"
    "        --url imaps://imap.example.com --user help@example.com "
    "--queue support\n"
    "\n"
    "EXIT STATUS (receive, as sysexits.h)\n"
    "    0   taken: stored, threaded, kept unreadable, or refused as an\n"
    "        auto-reply, bulk mail or a loop\n"
    "    64  usage error (EX_USAGE)\n"
    "    65  refused for good: over the size limit (EX_DATAERR)\n"
    "    74  standard input could not be read (EX_IOERR)\n"
    "    75  temporary failure: the database is busy, full or cannot be\n"
    "        opened; the mail server should try again (EX_TEMPFAIL)\n"
    "    78  the queue named does not exist (EX_CONFIG)\n"
    "EXIT STATUS (poll, mailbox)\n"
    "    0 success, 2 usage error, 3 bad input, 4 no such mailbox,\n"
    "    1 a mailbox or the database could not be read.\n";

static rp_mail_options options_of(const rp_cli *cli, const char *queue)
{
    return (rp_mail_options){.queue = queue,
                             .channel = "email",
                             .max_size = (size_t)cli->config.mail_max_bytes,
                             .loop = cli->config.mail_loop};
}

/* Read all of stdin into b, or stop past limit; 0, or -1 on a read error. */
static int read_stdin(rp_buf *b, size_t limit)
{
    char chunk[65536];
    for (;;) {
        ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return b->failed ? -1 : 0;
        rp_buf_append(b, chunk, (size_t)n);
        if (b->len > limit)
            return b->failed ? -1 : 0; /* enough to refuse it */
    }
}

static int exit_for(const rp_error *err)
{
    switch (err->code) {
    case RP_ETOOLARGE: return EX_DATAERR_;
    case RP_EINVALID:
    case RP_ENOTFOUND:
        return strcmp(err->field, "queue") == 0 ? EX_CONFIG_ : EX_TEMPFAIL_;
    default: return EX_TEMPFAIL_;
    }
}

static void print_outcome(json_t *out)
{
    const char *outcome = json_string_value(json_object_get(out, "outcome"));
    json_int_t enc = json_integer_value(json_object_get(out, "encounter_id"));
    const char *reason = json_string_value(json_object_get(out, "reason"));
    printf("%s", outcome ? outcome : "taken");
    if (enc)
        printf(": encounter %lld", (long long)enc);
    if (reason)
        printf(" (%s)", reason);
    putchar('\n');
}

static int receive(rp_cli *cli, int argc, char **argv)
{
    const char *queue = NULL;
    int json = 0;
    const rp_opt opts[] = {{"queue", RP_OPT_TEXT, NULL, &queue},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    if (rp_cli_args(cli, argc, argv, opts, NULL, NULL))
        return EX_USAGE_;
    rp_mail_options opt = options_of(cli, queue);
    rp_buf raw = RP_BUF_INIT;
    if (read_stdin(&raw, opt.max_size)) {
        fprintf(stderr,
                "rapport mail: cannot read the message on standard "
                "input: %s\n",
                raw.failed ? "out of memory" : strerror(errno));
        rp_buf_free(&raw);
        return EX_IOERR_;
    }
    int rc = rp_cli_open(cli);
    if (rc) {
        rp_buf_free(&raw);
        return rc == RP_EXIT_USAGE ? EX_USAGE_ : EX_TEMPFAIL_;
    }
    rp_error err = {0};
    json_t *out = NULL;
    rp_code code = rp_mail_deliver(&cli->ctx, (const unsigned char *)raw.p,
                                   raw.len, &opt, &out, &err);
    rp_buf_free(&raw);
    if (code) {
        fprintf(stderr, "rapport mail: the message was not taken: %s\n",
                err.message);
        return exit_for(&err);
    }
    if (json) {
        char *s = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
        puts(s ? s : "{}");
        free(s);
    } else {
        print_outcome(out);
    }
    json_decref(out);
    return EX_OK_;
}

static int poll_once(rp_cli *cli, int argc, char **argv)
{
    int json = 0;
    const rp_opt opts[] = {{"json", RP_OPT_FLAG, NULL, &json}, {0}};
    rp_args a;
    int rc = rp_cli_start(cli, argc, argv, opts, &a, NULL);
    rp_args_free(&a);
    if (rc)
        return rc;
    rp_mail_options opt = options_of(cli, NULL);
    int taken = 0;
    rp_error err = {0};
    rp_code code = rp_mail_imap_poll(&cli->ctx, &opt, &taken, &err);
    if (json)
        printf("{\"taken\":%d}\n", taken);
    else
        printf("%d message%s taken\n", taken, taken == 1 ? "" : "s");
    return code ? rp_cli_fail(&err) : RP_EXIT_OK;
}

static const char *const mailbox_columns[] = {"id",       "queue",  "url",
                                              "username", "folder", NULL};

static int mailbox(rp_cli *cli, int argc, char **argv)
{
    if (argc < 2)
        return rp_cli_usage("mail", "mailbox needs add, list or remove");
    const char *sub = argv[1];
    argc--;
    argv++;
    rp_error err;
    json_t *out = NULL;
    if (strcmp(sub, "list") == 0) {
        int json = 0;
        const rp_opt opts[] = {{"json", RP_OPT_FLAG, NULL, &json}, {0}};
        int rc = rp_cli_start(cli, argc, argv, opts, NULL, NULL);
        if (rc)
            return rc;
        rp_code code = rp_mailbox_list(&cli->ctx, 0, &out, &err);
        if (!code)
            json_object_set_new(out, "next_cursor", json_null());
        return rp_cli_finish(code, &err, out, json, mailbox_columns);
    }
    if (strcmp(sub, "remove") == 0) {
        int64_t id;
        const rp_opt opts[] = {{0}};
        int rc = rp_cli_start(cli, argc, argv, opts, NULL, "mailbox", &id,
                              NULL);
        if (rc)
            return rc;
        if (rp_mailbox_remove(&cli->ctx, id, &err))
            return rp_cli_fail(&err);
        printf("mailbox %lld removed\n", (long long)id);
        return RP_EXIT_OK;
    }
    if (strcmp(sub, "add") != 0)
        return rp_cli_usage("mail", "unknown mailbox subcommand '%s'", sub);
    int json = 0;
    const rp_opt opts[] = {{"url", RP_OPT_STR, "url", NULL},
                           {"user", RP_OPT_STR, "username", NULL},
                           {"folder", RP_OPT_STR, "folder", NULL},
                           {"queue", RP_OPT_STR, "queue", NULL},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    rp_args a;
    int rc = rp_cli_args(cli, argc, argv, opts, &a, NULL);
    char password[512];
    int generated;
    if (!rc && rp_cli_read_password(cli->config.password, "RAPPORT_PASSWORD", 0,
                                    password, sizeof password, &generated))
        rc = RP_EXIT_INPUT;
    if (!rc)
        rc = rp_cli_open(cli);
    if (!rc) {
        json_object_set_new(a.fields, "password", json_string(password));
        rp_code code = rp_mailbox_add(&cli->ctx, a.fields, &out, &err);
        rc = rp_cli_finish(code, &err, out, json, NULL);
    }
    memset(password, 0, sizeof password);
    rp_args_free(&a);
    return rc;
}

static const rp_subcommand subs[] = {{"receive", receive},
                                     {"poll", poll_once},
                                     {"mailbox", mailbox},
                                     {NULL, NULL}};

const rp_command rp_cmd_mail = {"mail",
                                "email in: a mail server's pipe, IMAP "
                                "mailboxes",
                                help, subs, NULL};
