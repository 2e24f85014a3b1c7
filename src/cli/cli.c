/*
 * cli.c - the machinery every command of the CLI shares (see cli.h):
 * dispatching to a subcommand, parsing options against an rp_opt table,
 * opening the database, turning errors into exit codes, and printing; and
 * the start and end that subcommands have in common (options, ids, the
 * page of a list, a record shown, added or changed), so that each
 * subcommand is only what is particular to it.
 */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int is_help(const char *a)
{
    return !strcmp(a, "--help") || !strcmp(a, "-h");
}

int rp_cli_dispatch(rp_cli *cli, const rp_command *cmd, int argc, char **argv)
{
    cli->command = cmd;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (is_help(argv[i])) {
            fputs(cmd->help, stdout);
            return RP_EXIT_OK;
        }
    }
    if (!cmd->subs)
        return cmd->run(cli, argc, argv);
    if (argc < 2) {
        fputs(cmd->help, stderr);
        return RP_EXIT_USAGE;
    }
    for (const rp_subcommand *s = cmd->subs; s->name; s++)
        if (!strcmp(s->name, argv[1]))
            return s->run(cli, argc - 1, argv + 1);
    return rp_cli_usage(cmd->name, "unknown subcommand '%s'", argv[1]);
}

/* ---- options --------------------------------------------------------------
 */

#define MAX_OPTS 64

/* Flatten opts (following includes) into list; returns the new count. */
static size_t flatten(const rp_opt *opts, const rp_opt **list, size_t n)
{
    for (; opts && opts->type != RP_OPT_END; opts++) {
        if (opts->type == RP_OPT_INCLUDE)
            n = flatten(opts->value, list, n);
        else if (n < MAX_OPTS)
            list[n++] = opts;
    }
    return n;
}

static int takes_value(rp_opt_type t)
{
    return t != RP_OPT_FLAG && t != RP_OPT_TRUE && t != RP_OPT_FALSE;
}

/* The array under field in fields, or a new one there. */
static json_t *array_at(json_t *fields, const char *field)
{
    json_t *list = json_object_get(fields, field);
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(fields, field, list);
    }
    return list;
}

/* Apply option o with its value v (NULL when it takes none) to a. */
static int apply(rp_cli *cli, const rp_opt *o, const char *v, rp_args *a)
{
    const char *cmd = cli->command ? cli->command->name : "rapport";
    char *end;
    switch (o->type) {
    case RP_OPT_FLAG: *(int *)o->value = 1; return 0;
    case RP_OPT_TEXT: *(const char **)o->value = v; return 0;
    case RP_OPT_STR:
        json_object_set_new(a->fields, o->field, json_string(v));
        return 0;
    case RP_OPT_INT: {
        long long n = strtoll(v, &end, 10);
        if (!*v || *end)
            return rp_cli_usage(cmd, "--%s must be a whole number, not '%s'",
                                o->name, v);
        json_object_set_new(a->fields, o->field, json_integer(n));
        return 0;
    }
    case RP_OPT_REAL: {
        double d = strtod(v, &end);
        if (!*v || *end)
            return rp_cli_usage(cmd, "--%s must be a number, not '%s'", o->name,
                                v);
        json_object_set_new(a->fields, o->field, json_real(d));
        return 0;
    }
    case RP_OPT_BOOL:
        if (!strcmp(v, "true") || !strcmp(v, "yes"))
            json_object_set_new(a->fields, o->field, json_true());
        else if (!strcmp(v, "false") || !strcmp(v, "no"))
            json_object_set_new(a->fields, o->field, json_false());
        else
            return rp_cli_usage(cmd,
                                "--%s must be yes or no (true or false), "
                                "not '%s'",
                                o->name, v);
        return 0;
    case RP_OPT_TRUE:
    case RP_OPT_FALSE:
        json_object_set_new(a->fields, o->field,
                            json_boolean(o->type == RP_OPT_TRUE));
        return 0;
    case RP_OPT_LIST:
        json_array_append_new(array_at(a->fields, o->field), json_string(v));
        return 0;
    case RP_OPT_IDLIST: {
        long long id = strtoll(v, &end, 10);
        if (!*v || *end)
            return rp_cli_usage(cmd, "--%s must be an id, not '%s'", o->name,
                                v);
        json_array_append_new(array_at(a->fields, o->field), json_integer(id));
        return 0;
    }
    case RP_OPT_ATTR: {
        const char *eq = strchr(v, '=');
        if (!eq || eq == v)
            return rp_cli_usage(cmd, "--%s must be KEY=VALUE, not '%s'",
                                o->name, v);
        json_t *obj = json_object_get(a->fields, o->field);
        if (!json_is_object(obj)) {
            obj = json_object();
            json_object_set_new(a->fields, o->field, obj);
        }
        rp_buf key = RP_BUF_INIT;
        rp_buf_append(&key, v, (size_t)(eq - v));
        const char *val = eq + 1;
        double d = strtod(val, &end);
        json_object_set_new(obj, rp_buf_str(&key),
                            !strcmp(val, "true")    ? json_true()
                            : !strcmp(val, "false") ? json_false()
                            : (*val && !*end)       ? json_real(d)
                                                    : json_string(val));
        rp_buf_free(&key);
        return 0;
    }
    case RP_OPT_END:
    case RP_OPT_INCLUDE: break;
    }
    return 0;
}

/* getopt values of the table's options: OPT_BASE + index. */
#define OPT_BASE 256

/* Keep a plain argument; a usage error past RP_OPT_MAX_POS. */
static int keep(const char *cmd, rp_args *a, const char *arg)
{
    if (a->npos >= RP_OPT_MAX_POS)
        return rp_cli_usage(cmd, "unexpected argument '%s'", arg);
    a->pos[a->npos++] = arg;
    return 0;
}

int rp_opt_parse(rp_cli *cli, int argc, char **argv, const rp_opt *opts,
                 rp_args *a)
{
    const char *cmd = cli->command ? cli->command->name : "rapport";
    const rp_opt *list[MAX_OPTS];
    size_t n = flatten(opts, list, 0);
    struct option longopts[MAX_OPTS + 1];
    for (size_t i = 0; i < n; i++)
        longopts[i] = (struct option){
            list[i]->name,
            takes_value(list[i]->type) ? required_argument : no_argument, NULL,
            OPT_BASE + (int)i};
    longopts[n] = (struct option){NULL, 0, NULL, 0};
    a->fields = json_object();
    a->npos = 0;
    /* "-": plain arguments come back in order as 1; ":": a missing value
     * comes back as ':' */
    optind = 0; /* 0, not 1: glibc starts afresh on a new argv */
    opterr = 0;
    int c, rc = 0;
    while (!rc && (c = getopt_long(argc, argv, "-:", longopts, NULL)) != -1) {
        if (c == 1)
            rc = keep(cmd, a, optarg);
        else if (c == ':')
            rc = rp_cli_usage(cmd, "option '%s' needs a value",
                              argv[optind - 1]);
        else if (c >= OPT_BASE && c < OPT_BASE + (int)n)
            rc = apply(cli, list[c - OPT_BASE], optarg, a);
        else
            rc = rp_cli_usage(cmd, "unknown option '%s'", argv[optind - 1]);
    }
    for (int i = optind; !rc && i < argc; i++) /* after "--" */
        rc = keep(cmd, a, argv[i]);
    return rc;
}

void rp_args_free(rp_args *a)
{
    json_decref(a->fields);
    a->fields = NULL;
}

int rp_cli_id(rp_cli *cli, const rp_args *a, int i, const char *what,
              int64_t *id)
{
    const char *cmd = cli->command ? cli->command->name : "rapport";
    rp_error err;
    if (i >= a->npos)
        return rp_cli_usage(cmd, "give the %s id", what);
    if (rp_parse_id(a->pos[i], what, id, &err))
        return rp_cli_usage(cmd, "%s", err.message);
    return 0;
}

int rp_cli_no_more(rp_cli *cli, const rp_args *a, int n)
{
    if (a->npos <= n)
        return 0;
    return rp_cli_usage(cli->command ? cli->command->name : "rapport",
                        "unexpected argument '%s'", a->pos[n]);
}

/* Parse into a (or, when a is NULL, into a copy released here), then the
 * ids named in ap. */
static int vargs(rp_cli *cli, int argc, char **argv, const rp_opt *opts,
                 rp_args *a, va_list ap)
{
    rp_args own;
    rp_args *args = a ? a : &own;
    int rc = rp_opt_parse(cli, argc, argv, opts, args);
    int n = 0;
    const char *what;
    while (!rc && (what = va_arg(ap, const char *)) != NULL)
        rc = rp_cli_id(cli, args, n++, what, va_arg(ap, int64_t *));
    if (!rc)
        rc = rp_cli_no_more(cli, args, n);
    if (!a)
        rp_args_free(&own);
    return rc;
}

int rp_cli_args(rp_cli *cli, int argc, char **argv, const rp_opt *opts,
                rp_args *a, ...)
{
    va_list ap;
    va_start(ap, a);
    int rc = vargs(cli, argc, argv, opts, a, ap);
    va_end(ap);
    return rc;
}

int rp_cli_start(rp_cli *cli, int argc, char **argv, const rp_opt *opts,
                 rp_args *a, ...)
{
    va_list ap;
    va_start(ap, a);
    int rc = vargs(cli, argc, argv, opts, a, ap);
    va_end(ap);
    return rc ? rc : rp_cli_open(cli);
}

/* ---- the database and output ----------------------------------------------
 */

int rp_cli_open(rp_cli *cli)
{
    if (cli->store)
        return RP_EXIT_OK;
    rp_error err;
    if (rp_store_open(cli->config.db, &cli->store, &err)) {
        /* A name the store cannot read is a usage error; a database it
         * cannot open or migrate is an internal one. */
        if (err.code == RP_EINVALID) {
            fprintf(stderr, "rapport: --db: %s\n", err.message);
            return RP_EXIT_USAGE;
        }
        fprintf(stderr, "rapport: %s\n", err.message);
        return RP_EXIT_INTERNAL;
    }
    cli->ctx.store = cli->store;
    cli->ctx.actor = "cli";
    /* the keys of secrets at rest, for a command that seals or opens one */
    rp_secret_settings keys;
    rp_config_secrets(&cli->config, &keys);
    if (rp_secrets_configure(&keys, &err)) {
        fprintf(stderr, "rapport: %s\n", err.message);
        return RP_EXIT_USAGE;
    }
    return RP_EXIT_OK;
}

int rp_cli_page_open(rp_cli *cli, rp_cli_page *p)
{
    rp_error err;
    if (rp_page_req_parse(p->limit, p->cursor, &p->req, &err))
        return rp_cli_fail(&err);
    return rp_cli_open(cli);
}

void rp_cli_say(const char *fmt, ...)
{
    rp_buf text = RP_BUF_INIT, shown = RP_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    rp_buf_vprintf(&text, fmt, ap);
    va_end(ap);
    fputs(rp_cut(&shown, rp_buf_str(&text), (size_t)-1), stderr);
    rp_buf_free(&text);
    rp_buf_free(&shown);
}

int rp_cli_fail(const rp_error *err)
{
    /* the field at fault and the rule it broke, as the API names them */
    if (err->field[0] && err->reason[0])
        rp_cli_say("rapport: %s (field: %s; reason: %s)\n", err->message,
                   err->field, err->reason);
    else if (err->field[0])
        rp_cli_say("rapport: %s (field: %s)\n", err->message, err->field);
    else if (err->reason[0])
        rp_cli_say("rapport: %s (reason: %s)\n", err->message, err->reason);
    else
        rp_cli_say("rapport: %s\n", err->message);
    switch (err->code) {
    case RP_ENOTFOUND: return RP_EXIT_NOTFOUND;
    case RP_EMALFORMED:
    case RP_ETYPE:
    case RP_EINVALID:
    case RP_ECONFLICT:
    case RP_EFORBIDDEN:
    case RP_EAUTH:
    case RP_ERATELIMIT: return RP_EXIT_INPUT;
    default: return RP_EXIT_INTERNAL;
    }
}

int rp_cli_usage(const char *cmd, const char *fmt, ...)
{
    rp_buf why = RP_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    rp_buf_vprintf(&why, fmt, ap);
    va_end(ap);
    rp_cli_say("rapport %s: %s\nTry 'rapport %s --help'.\n", cmd,
               rp_buf_str(&why), cmd);
    rp_buf_free(&why);
    return RP_EXIT_USAGE;
}

static void print_value(json_t *v)
{
    if (json_is_string(v)) {
        fputs(json_string_value(v), stdout);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) {
            if (i)
                fputs(", ", stdout);
            print_value(item);
        }
    } else if (json_is_null(v)) {
        fputs("-", stdout);
    } else {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        fputs(s ? s : "?", stdout);
        free(s);
    }
}

void rp_cli_print_record(json_t *record, int json)
{
    if (json) {
        json_dumpf(record, stdout, JSON_INDENT(2));
        putchar('\n');
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach(record, key, v) {
        printf("%-16s ", key);
        print_value(v);
        putchar('\n');
    }
}

void rp_cli_print_table(json_t *page, const char *const columns[], int json)
{
    if (json) {
        json_dumpf(page, stdout, JSON_INDENT(2));
        putchar('\n');
        return;
    }
    json_t *items = json_object_get(page, "items");
    for (int c = 0; columns[c]; c++)
        printf("%s%s", c ? "\t" : "", columns[c]);
    putchar('\n');
    size_t i;
    json_t *row;
    json_array_foreach(items, i, row) {
        for (int c = 0; columns[c]; c++) {
            if (c)
                putchar('\t');
            print_value(json_object_get(row, columns[c]));
        }
        putchar('\n');
    }
    json_t *next = json_object_get(page, "next_cursor");
    if (json_is_string(next))
        fprintf(stderr, "(more: --cursor %s)\n", json_string_value(next));
}

int rp_cli_finish(rp_code code, const rp_error *err, json_t *out, int json,
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

int rp_cli_finish_with(rp_code code, const rp_error *err, json_t *out, int json,
                       void (*print)(json_t *out))
{
    if (code || json || !print)
        return rp_cli_finish(code, err, out, json, NULL);
    print(out);
    json_decref(out);
    return RP_EXIT_OK;
}

int rp_cli_show(rp_cli *cli, int argc, char **argv, const char *what,
                rp_code (*get)(rp_ctx *ctx, int64_t id, json_t **out,
                               rp_error *err))
{
    int json = 0;
    const rp_opt opts[] = {{"json", RP_OPT_FLAG, NULL, &json}, {0}};
    int64_t id = 0;
    int rc = rp_cli_start(cli, argc, argv, opts, NULL, what, &id, NULL);
    if (rc)
        return rc;
    rp_error err;
    json_t *out = NULL;
    rp_code code = get(&cli->ctx, id, &out, &err);
    return rp_cli_finish(code, &err, out, json, NULL);
}

int rp_cli_write(rp_cli *cli, int argc, char **argv, const rp_opt *fields,
                 const char *what,
                 rp_code (*create)(rp_ctx *ctx, json_t *in, json_t **out,
                                   rp_error *err),
                 rp_code (*update)(rp_ctx *ctx, int64_t id, json_t *in,
                                   json_t **out, rp_error *err))
{
    int json = 0, by_id = !strcmp(argv[0], "update");
    const rp_opt opts[] = {{"", RP_OPT_INCLUDE, NULL, fields},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    rp_args a;
    int64_t id = 0;
    int rc = rp_cli_start(cli, argc, argv, opts, &a, by_id ? what : NULL, &id,
                          NULL);
    rp_error err;
    json_t *out = NULL;
    rp_code code = RP_OK;
    if (!rc)
        code = by_id ? update(&cli->ctx, id, a.fields, &out, &err)
                     : create(&cli->ctx, a.fields, &out, &err);
    rp_args_free(&a);
    return rc ? rc : rp_cli_finish(code, &err, out, json, NULL);
}
