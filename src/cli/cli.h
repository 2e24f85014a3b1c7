/*
 * cli.h - what the commands of the rapport CLI share: the open database,
 * exit codes, and printing of records.
 */
#ifndef RP_CLI_H
#define RP_CLI_H

#include <stdio.h>

#include "core/rapport.h"

/* Exit codes, documented in `rapport --help`. */
enum {
    RP_EXIT_OK = 0,
    RP_EXIT_INTERNAL = 1, /* database or system failure */
    RP_EXIT_USAGE = 2,    /* unknown command or option, missing argument */
    RP_EXIT_INPUT = 3,    /* input that breaks a rule, or a refused change */
    RP_EXIT_NOTFOUND = 4  /* no record with that id */
};

typedef struct rp_cli {
    const char *db_path;
    rp_store *store;
    rp_ctx ctx;
} rp_cli;

typedef struct rp_command {
    const char *name;
    const char *summary;
    int (*run)(rp_cli *cli, int argc, char **argv);
} rp_command;

/* Open the database (once); prints the error and returns an exit code. */
int rp_cli_open(rp_cli *cli);

/* Print err to stderr and return the exit code for its code. */
int rp_cli_fail(const rp_error *err);

/* Print a usage error for cmd and return RP_EXIT_USAGE. */
int rp_cli_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Print a record as "key: value" lines, or as JSON when json is set. */
void rp_cli_print_record(json_t *record, int json);

/* Print rows as an aligned table of the given columns, or JSON. */
void rp_cli_print_table(json_t *page, const char *const columns[], int json);

/* Commands (cmd_*.c). */
int rp_cmd_init(rp_cli *cli, int argc, char **argv);
int rp_cmd_demo(rp_cli *cli, int argc, char **argv);
int rp_cmd_customer(rp_cli *cli, int argc, char **argv);
int rp_cmd_encounter(rp_cli *cli, int argc, char **argv);
int rp_cmd_charter(rp_cli *cli, int argc, char **argv);
int rp_cmd_report(rp_cli *cli, int argc, char **argv);

/* auth: cmd_agent.c */
int rp_cmd_agent(rp_cli *cli, int argc, char **argv);
int rp_cmd_token(rp_cli *cli, int argc, char **argv);

/*
 * Fill out with a password: generated (and *generated set) when generate,
 * else from the environment variable env, else prompted for twice on the
 * terminal without echo.  Prints why and returns -1 when there is none.
 */
int rp_cli_read_password(const char *env, int generate, char *out, size_t n,
                         int *generated);
/* cmd_encounter_engine.c: the engine's subcommands of `rapport encounter`. */
int rp_cmd_encounter_is_engine(const char *sub);
int rp_cmd_encounter_engine(rp_cli *cli, int argc, char **argv);
/* looking to the future (cmd_future.c) */
int rp_cmd_pref(rp_cli *cli, int argc, char **argv);
int rp_cmd_goal(rp_cli *cli, int argc, char **argv);
int rp_cmd_date(rp_cli *cli, int argc, char **argv);
int rp_cmd_consent(rp_cli *cli, int argc, char **argv);
int rp_cmd_product(rp_cli *cli, int argc, char **argv);
int rp_cmd_due(rp_cli *cli, int argc, char **argv);
int rp_cmd_tasks(rp_cli *cli, int argc, char **argv);
int rp_cmd_loyalty(rp_cli *cli, int argc, char **argv);
int rp_cmd_recommend(rp_cli *cli, int argc, char **argv);

#endif
