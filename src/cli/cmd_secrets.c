/*
 * cmd_secrets.c - `rapport secrets init|status|keygen|reseal|rotate`: the
 * key that seals the secrets the database keeps (mailbox passwords,
 * webhook secrets), which lives outside the database.
 */
#include <stdlib.h>

#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport secrets - the key that seals stored secrets\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport secrets init\n"
    "    rapport secrets status [--json]\n"
    "    rapport secrets keygen\n"
    "    rapport secrets reseal\n"
    "    rapport secrets rotate\n"
    "\n"
    "DESCRIPTION\n"
    "    Secrets rapport must read back (an IMAP mailbox's password, a\n"
    "    webhook's signing secret) are kept in the database sealed with\n"
    "    libsodium's secretbox under a key that is not in the database:\n"
    "    RAPPORT_SECRET_KEY (base64; 'NEW,OLD' keeps an old key readable)\n"
    "    or else the key file RAPPORT_SECRET_KEY_FILE (default: the\n"
    "    database's path with .key added; mode 0600).\n"
    "\n"
    "    init makes the key file if it is missing and seals every secret\n"
    "    still kept plain.  status says which key seals, and how many\n"
    "    secrets are sealed under each key and how many are plain.  keygen\n"
    "    prints a new random key, for RAPPORT_SECRET_KEY.  reseal seals\n"
    "    every secret again under the first key listed.  rotate (key file\n"
    "    only) makes a new key, writes it into the key file before the old\n"
    "    one, reseals every secret under it in one transaction, then leaves\n"
    "    the new key alone in the file; if it stops half way, both keys are\n"
    "    still in the file and running it again finishes.  Restart rapportd\n"
    "    afterwards so it reads the new key.\n"
    "\n"
    "    With RAPPORT_SECRET_KEY, rotate by hand: 'rapport secrets keygen',\n"
    "    set RAPPORT_SECRET_KEY=NEW,OLD, run 'rapport secrets reseal', then\n"
    "    set RAPPORT_SECRET_KEY=NEW everywhere and restart.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error or no usable key, 3 a secret cannot be\n"
    "    opened with the keys given, 1 database error.\n";

/* A key that is missing or wrong is a matter of the settings (exit 2);
 * a secret that does not open is bad data (exit 3). */
static int key_fail(const rp_error *err)
{
    if (err->code == RP_EINVALID && err->field[0]) {
        rp_cli_say("rapport: %s\n", err->message);
        return RP_EXIT_USAGE;
    }
    return rp_cli_fail(err);
}

static int init(rp_cli *cli, int argc, char **argv)
{
    int rc = rp_cli_start(cli, argc, argv, NULL, NULL, NULL);
    if (rc)
        return rc;
    rp_error err;
    int sealed = 0;
    if (rp_secrets_ensure_key(&err) ||
        rp_secrets_start(&cli->ctx, &sealed, NULL, &err))
        return key_fail(&err);
    char id[9];
    rp_secrets_current_id(id);
    char *file = rp_secrets_key_file();
    printf("rapport: secrets are sealed with key %s%s%s; %d sealed now\n", id,
           file && *file ? " from " : " from RAPPORT_SECRET_KEY",
           file ? file : "", sealed);
    free(file);
    return RP_EXIT_OK;
}

static int status(rp_cli *cli, int argc, char **argv)
{
    int json = 0;
    const rp_opt opts[] = {{"json", RP_OPT_FLAG, NULL, &json}, {0}};
    int rc = rp_cli_start(cli, argc, argv, opts, NULL, NULL);
    if (rc)
        return rc;
    rp_error err;
    json_t *out = NULL;
    if (rp_secrets_status(&cli->ctx, &out, &err))
        return rp_cli_fail(&err);
    if (json) {
        rp_cli_print_record(out, 1);
    } else {
        const char *id = json_string_value(json_object_get(out, "key_id"));
        printf("key: %s\n", id ? id : "none loaded");
        printf("sealed: %lld\n",
               (long long)json_integer_value(json_object_get(out, "sealed")));
        printf("plain: %lld\n",
               (long long)json_integer_value(json_object_get(out, "plain")));
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(out, "by_key"), k, v)
            printf("sealed under key %s: %lld\n", k,
                   (long long)json_integer_value(v));
    }
    json_decref(out);
    return RP_EXIT_OK;
}

static int keygen(rp_cli *cli, int argc, char **argv)
{
    int rc = rp_cli_args(cli, argc, argv, NULL, NULL, NULL);
    if (rc)
        return rc;
    rp_error err;
    char *key = NULL;
    if (rp_secrets_key_generate(&key, &err))
        return rp_cli_fail(&err);
    printf("%s\n", key);
    rp_secret_free(key);
    return RP_EXIT_OK;
}

static int reseal(rp_cli *cli, int argc, char **argv)
{
    int rc = rp_cli_start(cli, argc, argv, NULL, NULL, NULL);
    if (rc)
        return rc;
    rp_error err;
    int n = 0;
    if (rp_secrets_ensure_key(&err) || rp_secrets_reseal(&cli->ctx, &n, &err))
        return key_fail(&err);
    char id[9];
    rp_secrets_current_id(id);
    printf("rapport: %d secrets sealed again under key %s\n", n, id);
    return RP_EXIT_OK;
}

static int rotate(rp_cli *cli, int argc, char **argv)
{
    int rc = rp_cli_start(cli, argc, argv, NULL, NULL, NULL);
    if (rc)
        return rc;
    rp_error err;
    int n = 0;
    char old_id[9], new_id[9];
    if (rp_secrets_rotate_file(&cli->ctx, &n, old_id, new_id, &err))
        return key_fail(&err);
    printf("rapport: key %s replaced by key %s; %d secrets sealed again; "
           "restart rapportd\n",
           old_id, new_id, n);
    return RP_EXIT_OK;
}

static const rp_subcommand subs[] = {{"init", init},     {"status", status},
                                     {"keygen", keygen}, {"reseal", reseal},
                                     {"rotate", rotate}, {NULL, NULL}};

const rp_command rp_cmd_secrets = {
    "secrets", "the key that seals stored secrets: init, status, rotate", help,
    subs, NULL};
