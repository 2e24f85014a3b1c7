/*
 * cli.h - what the commands of the rapport CLI share: the command and
 * subcommand tables, the option-spec table every command parses with, the
 * open database, exit codes, and printing of records.
 *
 * One mechanism for every command, in the spirit of git's parse-options: a
 * command is a row of the command table (main.c) pointing at its rp_command
 * (one file per command, cmd_<name>.c); a command with subcommands lists
 * them in a table; each subcommand declares its options as a table of
 * rp_opt (option -> JSON field or variable, and type) and calls
 * rp_opt_parse.  Options map one to one onto the JSON fields of the API, so
 * the CLI accepts exactly what the API accepts and librapport does all the
 * checking.
 */
#ifndef RP_CLI_H
#define RP_CLI_H

#include <stdio.h>

#include "config/config.h"
#include "core/rapport.h"

/* Exit codes, documented in `rapport --help`. */
enum {
    RP_EXIT_OK = 0,
    RP_EXIT_INTERNAL = 1, /* database or system failure */
    RP_EXIT_USAGE = 2,    /* unknown command or option, missing argument */
    RP_EXIT_INPUT = 3,    /* input that breaks a rule, or a refused change */
    RP_EXIT_NOTFOUND = 4  /* no record with that id */
};

struct rp_command;

typedef struct rp_cli {
    rp_config config; /* read once by main from --db and RAPPORT_* */
    rp_store *store;
    rp_ctx ctx;
    const struct rp_command *command; /* the command being run */
} rp_cli;

/* A subcommand: argv[0] is its name, the rest its options and arguments. */
typedef struct rp_subcommand {
    const char *name;
    int (*run)(rp_cli *cli, int argc, char **argv);
} rp_subcommand;

/*
 * A top-level command.  With subs, `rapport NAME` alone prints help to
 * stderr (exit 2) and `rapport NAME SUB ...` runs the subcommand SUB;
 * without, run gets the whole command line (argv[0] is NAME).  Either way
 * --help or -h anywhere prints help to stdout (exit 0).
 */
typedef struct rp_command {
    const char *name;
    const char *summary;       /* one line, for `rapport --help` */
    const char *help;          /* the manual page of `rapport NAME --help` */
    const rp_subcommand *subs; /* ended by a NULL name, or NULL */
    int (*run)(rp_cli *cli, int argc, char **argv);
} rp_command;

/* Run cmd on argv (argv[0] is the command's name); returns an exit code. */
int rp_cli_dispatch(rp_cli *cli, const rp_command *cmd, int argc, char **argv);

/* ---- options ------------------------------------------------------------- */

/* What an option does with its value. */
typedef enum rp_opt_type {
    RP_OPT_END = 0, /* ends a table */
    RP_OPT_FLAG,    /* no value: *(int *)value = 1 */
    RP_OPT_TEXT,    /* *(const char **)value = the text */
    RP_OPT_STR,     /* field = the text */
    RP_OPT_INT,     /* field = a whole number */
    RP_OPT_REAL,    /* field = a number */
    RP_OPT_BOOL,    /* field = true|yes -> true, false|no -> false */
    RP_OPT_TRUE,    /* no value: field = true */
    RP_OPT_FALSE,   /* no value: field = false */
    RP_OPT_LIST,    /* repeatable: field = [the texts] */
    RP_OPT_IDLIST,  /* repeatable: field = [ids] */
    RP_OPT_ATTR,    /* repeatable KEY=VALUE: field = {KEY: VALUE}, where
                       true, false and numbers keep their type */
    RP_OPT_INCLUDE  /* value is another table whose options apply too */
} rp_opt_type;

/* One option: --name, what it sets, how. */
typedef struct rp_opt {
    const char *name; /* without the leading "--" */
    rp_opt_type type;
    const char *field; /* the JSON field, for the field types */
    const void *value; /* the variable (FLAG, TEXT) or table (INCLUDE) */
} rp_opt;

#define RP_OPT_MAX_POS 3

/* What a command line parsed into. */
typedef struct rp_args {
    json_t *fields; /* the JSON fields options set; owned, never NULL */
    const char *pos[RP_OPT_MAX_POS]; /* the arguments that are not options */
    int npos;
} rp_args;

/*
 * Parse argv[1..] (argv[0] names the subcommand) against the table opts
 * into a, which the caller releases with rp_args_free() whatever the
 * result.  Options and arguments may come in any order; --name=value and
 * --name value both work.  Returns 0, or prints a usage error naming the
 * option and returns RP_EXIT_USAGE.
 */
int rp_opt_parse(rp_cli *cli, int argc, char **argv, const rp_opt *opts,
                 rp_args *a);

/* Release what rp_opt_parse() filled. */
void rp_args_free(rp_args *a);

/* Parse argument i of a as the id of what into *id; a usage error when it
 * is missing or not an id.  Returns 0 or RP_EXIT_USAGE. */
int rp_cli_id(rp_cli *cli, const rp_args *a, int i, const char *what,
              int64_t *id);

/* A usage error unless a has at most n arguments. */
int rp_cli_no_more(rp_cli *cli, const rp_args *a, int n);

/*
 * The start every subcommand shares: parse argv against opts, then its
 * arguments as ids, one for each pair (const char *what, int64_t *id) of
 * the list that follows (ended by a NULL what), and refuse any argument
 * beyond them.  Fills a, which the caller releases with rp_args_free()
 * whatever the result; a may be NULL when the options set no JSON field
 * the subcommand needs.  Returns 0, or prints a usage error and returns
 * RP_EXIT_USAGE.  For example:
 *
 *     rp_cli_args(cli, argc, argv, opts, NULL, "customer", &cid, NULL)
 */
int rp_cli_args(rp_cli *cli, int argc, char **argv, const rp_opt *opts,
                rp_args *a, ...) __attribute__((sentinel));

/* rp_cli_args(), then rp_cli_open(): the start of a subcommand that checks
 * nothing of its own before it opens the database. */
int rp_cli_start(rp_cli *cli, int argc, char **argv, const rp_opt *opts,
                 rp_args *a, ...) __attribute__((sentinel));

/* ---- the database and output --------------------------------------------- */

/* Open the database (once); prints the error and returns an exit code. */
int rp_cli_open(rp_cli *cli);

/*
 * What a paged list is asked for: the options RP_CLI_PAGE_OPTIONS(p) end
 * its option table with, and the page they name once rp_cli_page_open()
 * has checked them.
 */
typedef struct rp_cli_page {
    const char *limit;  /* --limit N */
    const char *cursor; /* --cursor C */
    int json;           /* --json */
    rp_page_req req;    /* filled by rp_cli_page_open() */
} rp_cli_page;

/* clang-format off */
#define RP_CLI_PAGE_OPTIONS(p)                      \
    {"limit", RP_OPT_TEXT, NULL, &(p).limit},       \
    {"cursor", RP_OPT_TEXT, NULL, &(p).cursor},     \
    {"json", RP_OPT_FLAG, NULL, &(p).json}
/* clang-format on */

/* The manual's lines for the options of RP_CLI_PAGE_OPTIONS. */
#define RP_CLI_PAGE_HELP                                                       \
    "    --json      print JSON exactly as the HTTP API returns it\n"          \
    "    --limit N   rows per page, 1 to 500 (default 50)\n"                   \
    "    --cursor C  continue after the page that printed "                    \
    "'(more: --cursor C)'\n"

/*
 * Check the --limit and --cursor of p into p->req, then open the database.
 * Bad ones are refused before the database is touched.  Returns 0, or
 * prints why and returns the exit code.
 */
int rp_cli_page_open(rp_cli *cli, rp_cli_page *p);

/*
 * Print a message to stderr, every byte that is not UTF-8 shown as U+FFFD:
 * a message may quote an argument, and an argument may be any bytes.
 */
void rp_cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print err to stderr and return the exit code for its code. */
int rp_cli_fail(const rp_error *err);

/* Print a usage error for cmd and return RP_EXIT_USAGE. */
int rp_cli_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Print a record as "key: value" lines, or as JSON when json is set. */
void rp_cli_print_record(json_t *record, int json);

/* Print rows as an aligned table of the given columns, or JSON. */
void rp_cli_print_table(json_t *page, const char *const columns[], int json);

/*
 * Finish a call that made out: on failure print err and return its exit
 * code; else print out as a table of columns (a page) or, when columns is
 * NULL, as a record, release it and return RP_EXIT_OK.
 */
int rp_cli_finish(rp_code code, const rp_error *err, json_t *out, int json,
                  const char *const columns[]);

/*
 * Like rp_cli_finish() for a record, but printed by print for people
 * (JSON is still printed as the API returns it; a NULL print prints
 * "key: value" lines): for results that read better as lines of their own.
 */
int rp_cli_finish_with(rp_code code, const rp_error *err, json_t *out, int json,
                       void (*print)(json_t *out));

/*
 * The whole of the subcommands `add [FIELDS] [--json]` and `update ID
 * [FIELDS] [--json]` (update when argv[0] is "update") of a record whose
 * options are the JSON fields of the table fields: create makes one, update
 * changes record ID; what names the id in errors ("customer").
 */
int rp_cli_write(rp_cli *cli, int argc, char **argv, const rp_opt *fields,
                 const char *what,
                 rp_code (*create)(rp_ctx *ctx, json_t *in, json_t **out,
                                   rp_error *err),
                 rp_code (*update)(rp_ctx *ctx, int64_t id, json_t *in,
                                   json_t **out, rp_error *err));

/*
 * The whole of a subcommand `NAME ID [--json]` that prints the record get
 * returns for ID; what names the id in errors ("customer").
 */
int rp_cli_show(rp_cli *cli, int argc, char **argv, const char *what,
                rp_code (*get)(rp_ctx *ctx, int64_t id, json_t **out,
                               rp_error *err));

/*
 * Fill out with a password: generated (and *generated set) when generate,
 * else the configured value (from the variable named env), else prompted
 * for twice on the terminal without echo.  Prints why and returns -1 when
 * there is none.
 */
int rp_cli_read_password(const char *configured, const char *env, int generate,
                         char *out, size_t n, int *generated);

/* ---- the commands (cmd_<name>.c) ------------------------------------------
 */

extern const rp_command rp_cmd_init, rp_cmd_demo, rp_cmd_customer,
    rp_cmd_encounter, rp_cmd_agent, rp_cmd_token, rp_cmd_charter, rp_cmd_report,
    rp_cmd_pref, rp_cmd_goal, rp_cmd_date, rp_cmd_consent, rp_cmd_product,
    rp_cmd_due, rp_cmd_tasks, rp_cmd_loyalty, rp_cmd_recommend;
extern const rp_command rp_cmd_message;
extern const rp_command rp_cmd_mail; /* cmd_mail.c: email in */
/* cmd_secrets.c: the key of secrets at rest */
extern const rp_command rp_cmd_secrets;
/* cmd_queue.c: queues and who may see their customers */
extern const rp_command rp_cmd_queue;
extern const rp_command rp_cmd_webhook; /* cmd_webhook.c: event webhooks */
extern const rp_command rp_cmd_backup, rp_cmd_restore; /* cmd_backup.c */
extern const rp_command rp_cmd_import, rp_cmd_export;  /* CSV in and out */
/* cmd_ledger.c, cmd_retention.c: the sealed ledger, retention */
extern const rp_command rp_cmd_ledger, rp_cmd_retention;
/* cmd_store.c: moving a whole desk into another database */
extern const rp_command rp_cmd_store;

/*
 * The subcommands of pref, goal, date and consent (profile_items.c): the
 * items of kind ("preferences", ...) of a customer, with the options of
 * fields for add and update.
 */
int rp_profile_items_run(rp_cli *cli, int argc, char **argv, const char *kind,
                         const rp_opt *fields);

/* The one manual page of pref, goal, date and consent. */
extern const char rp_profile_items_help[];

#endif
