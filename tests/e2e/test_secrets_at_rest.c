/*
 * test_secrets_at_rest.c - secrets at rest, end to end with the real
 * programs: a mailbox password added through the CLI is sealed under a key
 * file made 0600 beside the database (on PostgreSQL, the file the harness
 * names in RAPPORT_SECRET_KEY_FILE), and appears nowhere in the database
 * file or its WAL (on PostgreSQL: in no row); rapportd starts with the key and
 * refuses to start without it, naming the setting; `rapport secrets rotate`
 * reseals under a new key (the old key no longer opens anything, the new one
 * does, the file holds one key); a database made before sealing has its plain
 * password sealed at rapportd's start.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "harness.h"

#define PASSWORD "imap-app-password-7Q2"

/* Run a shell command; its exit status, and its standard error in err. */
static int run(const char *cmd, char *err, size_t n)
{
    char full[2048], errfile[] = "/tmp/rapport-secrets-err-XXXXXX";
    int fd = mkstemp(errfile);
    assert_true(fd >= 0);
    close(fd);
    snprintf(full, sizeof full, "%s 2>%s >/dev/null", cmd, errfile);
    int st = system(full);
    FILE *f = fopen(errfile, "r");
    size_t got = f ? fread(err, 1, n - 1, f) : 0;
    err[got] = '\0';
    if (f)
        fclose(f);
    unlink(errfile);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* rapportd on s->db with env, expected to refuse to start: its exit
 * status (a server that starts is killed by timeout: 124). */
static int rapportd_refuses(rp_srv *s, const char *env, char *err, size_t n)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "%s RAPPORT_PLAIN_HTTP=1 RAPPORT_IMAP_INTERVAL=0 timeout 20 %s "
             "--db '%s' --listen "
             "127.0.0.1:0",
             env, RAPPORTD_PATH, s->db);
    return run(cmd, err, n);
}

static void add_mailbox(rp_srv *s)
{
    char cmd[1024], err[1024];
    snprintf(cmd, sizeof cmd,
             "RAPPORT_PASSWORD=" PASSWORD " %s --db '%s' mail mailbox add "
             "--url imaps://imap.example.com --user help@desk.example",
             RAPPORT_CLI_PATH, s->db);
    int rc = run(cmd, err, sizeof err);
    if (rc)
        fprintf(stderr, "secrets: mailbox add: %s\n", err);
    assert_int_equal(rc, 0);
}

static json_t *status(rp_srv *s)
{
    char *out = NULL;
    assert_int_equal(rp_cli(s, &out, "secrets", "status", "--json", NULL), 0);
    json_t *j = json_loads(out, 0, NULL);
    free(out);
    assert_non_null(j);
    return j;
}

static void test_sealed_refused_rotated(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    /* no poll of the made-up mail server */
    snprintf(s.extra_env, sizeof s.extra_env, "RAPPORT_IMAP_INTERVAL=0");
    rp_srv_start(&s);
    rp_srv_stop(&s);
    add_mailbox(&s);
    char key[400], moved[420];
    rp_srv_key_file(&s, key, sizeof key);
    snprintf(moved, sizeof moved, "%s.away", key);
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    json_t *j = status(&s);
    assert_int_equal(json_integer_value(json_object_get(j, "sealed")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "plain")), 0);
    char old_id[16];
    snprintf(old_id, sizeof old_id, "%s",
             json_string_value(json_object_get(j, "key_id")));
    json_decref(j);
    assert_false(rp_db_holds(&s, PASSWORD));
    assert_true(rp_db_holds(&s, "rpsec1:"));

    /* with its key rapportd starts; without, it refuses, naming it */
    rp_srv_start(&s);
    rp_srv_stop(&s);
    assert_int_equal(rename(key, moved), 0);
    char err[2048];
    int rc = rapportd_refuses(&s, "", err, sizeof err);
    if (rc != 4)
        fprintf(stderr, "secrets: rapportd without its key: %d %s\n", rc, err);
    assert_int_equal(rc, 4);
    assert_non_null(strstr(err, "RAPPORT_SECRET_KEY_FILE"));
    assert_non_null(strstr(err, old_id));
    /* a wrong key from the variable is refused too */
    char *other = NULL, env[500];
    assert_int_equal(rp_cli(&s, &other, "secrets", "keygen", NULL), 0);
    other[strcspn(other, "\n")] = '\0';
    snprintf(env, sizeof env, "RAPPORT_SECRET_KEY=%s", other);
    assert_int_equal(rapportd_refuses(&s, env, err, sizeof err), 4);
    assert_non_null(strstr(err, old_id));
    assert_int_equal(rename(moved, key), 0);

    /* rotation: a new key seals everything, the old one opens nothing */
    char keep[900], *out = NULL;
    snprintf(keep, sizeof keep, "cp -p %s %s.old", key, key);
    assert_int_equal(system(keep), 0);
    assert_int_equal(rp_cli(&s, &out, "secrets", "rotate", NULL), 0);
    free(out);
    j = status(&s);
    const char *new_id = json_string_value(json_object_get(j, "key_id"));
    assert_string_not_equal(new_id, old_id);
    assert_int_equal(json_integer_value(
                         json_object_get(json_object_get(j, "by_key"), new_id)),
                     1);
    assert_null(json_object_get(json_object_get(j, "by_key"), old_id));
    json_decref(j);
    FILE *f = fopen(key, "r");
    int lines = 0;
    for (int c; (c = fgetc(f)) != EOF;)
        lines += c == '\n';
    fclose(f);
    assert_int_equal(lines, 1);
    /* the new key opens every secret (a reseal opens each), the old key
     * file no longer starts the server */
    assert_int_equal(rp_cli(&s, &out, "secrets", "reseal", NULL), 0);
    free(out);
    snprintf(env, sizeof env, "RAPPORT_SECRET_KEY_FILE=%s.old", key);
    assert_int_equal(rapportd_refuses(&s, env, err, sizeof err), 4);
    assert_non_null(strstr(err, "RAPPORT_SECRET_KEY_FILE"));
    rp_srv_start(&s);
    rp_srv_stop(&s);
    assert_false(rp_db_holds(&s, PASSWORD));
    free(other);
    rp_srv_cleanup(&s);
}

/* A password kept plain by an older rapport is sealed at the first start
 * with a key. */
static void test_plain_sealed_at_start(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    /* no poll of the made-up mail server */
    snprintf(s.extra_env, sizeof s.extra_env, "RAPPORT_IMAP_INTERVAL=0");
    rp_srv_start(&s);
    rp_srv_stop(&s);
    assert_int_equal(
        rp_db_exec(&s, "INSERT INTO mail_mailboxes (url, username, "
                       "password, folder, created_at) VALUES "
                       "('imaps://old.example', 'old@desk.example', '" PASSWORD
                       "', 'INBOX', 1700000000)"),
        0);
    json_t *j = status(&s);
    assert_int_equal(json_integer_value(json_object_get(j, "plain")), 1);
    json_decref(j);
    rp_srv_start(&s);
    j = status(&s);
    assert_int_equal(json_integer_value(json_object_get(j, "plain")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "sealed")), 1);
    json_decref(j);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sealed_refused_rotated),
        cmocka_unit_test(test_plain_sealed_at_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
