/*
 * test_cli_hostile.c - hostile arguments to the real `rapport` command.
 *
 * Every command that stores text or takes an id, a number or a time is run
 * with arguments in several scripts at and past the limits (ASCII,
 * accented Latin, CJK, 4-byte emoji, combining marks), control characters,
 * bytes that are not UTF-8, option-looking values, huge and negative
 * numbers and impossible times.  Each run either succeeds and prints the
 * record with the text exactly as given (blank text is no text), or exits
 * with a usage (2), refusal (3) or not-found (4) status, says why on
 * stderr, and leaves the database as it was.  It never crashes and never
 * reports an internal error (1).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/input.h"
#include "harness.h"

static rp_srv srv;
static long runs;
static rp_db *watch; /* a second connection, open for the whole test */

/* Every row of every table, hashed, read through the watch connection;
 * recomputed only when another connection committed since the last time
 * (the data version moved), since hashing the whole database after each
 * of the thousand runs was most of this test's time under ASan. */
static unsigned long long fingerprint(void)
{
    static long long known_version = -1;
    static unsigned long long known;
    long long version = rp_db_version(watch);
    if (version != known_version) {
        known = rp_db_fingerprint(watch, NULL);
        known_version = version;
    }
    return known;
}

/* Read fd to its end into b. */
static void slurp(int fd, rp_buf *b)
{
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        rp_buf_append(b, buf, (size_t)n);
    close(fd);
}

/* Run rapport --db DB argv...; fill out and err (caller frees); return
 * the exit status, or -1 when it died of a signal. */
static int run(const char *const *args, char **out, char **err)
{
    const char *argv[32];
    int argc = 0;
    argv[argc++] = "rapport";
    argv[argc++] = "--db";
    argv[argc++] = srv.db;
    for (int i = 0; args[i] && argc < 31; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    int po[2], pe[2];
    assert_int_equal(pipe(po), 0);
    assert_int_equal(pipe(pe), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(pe[0]);
        close(po[1]);
        close(pe[1]);
        execv(RAPPORT_CLI_PATH, (char *const *)argv);
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    rp_buf bo = RP_BUF_INIT, be = RP_BUF_INIT;
    /* stderr is short; stdout may be long: read stdout first, then the
     * rest of stderr (the child writes its error after its output) */
    slurp(po[0], &bo);
    slurp(pe[0], &be);
    int status;
    waitpid(pid, &status, 0);
    *out = bo.p ? rp_buf_steal(&bo) : strdup("");
    *err = be.p ? rp_buf_steal(&be) : strdup("");
    runs++;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* What the argument at "@" is: which hostile values it gets. */
typedef enum slot { TEXT, ID, NUM, TIME } slot;

/*
 * One command with the hostile value at "@"; key is the JSON field its
 * --json output shows the value in (NULL: not shown).
 */
typedef struct command {
    slot kind;
    const char *args[16];
    const char *key;
} command;

static const command commands[] = {
    {TEXT, {"customer", "add", "--name", "@", "--json"}, "name"},
    {TEXT,
     {"customer", "add", "--name", "N", "--notes", "@", "--json"},
     "notes"},
    {TEXT,
     {"customer", "add", "--name", "N", "--email", "@", "--json"},
     "emails"},
    {TEXT,
     {"encounter", "open", "--customer", "1", "--channel", "phone", "--subject",
      "@", "--json"},
     "subject"},
    {TEXT, {"encounter", "note", "1", "--facts", "@", "--json"}, "facts"},
    {TEXT,
     {"pref", "add", "1", "--key", "k", "--value", "@", "--firmness", "firm",
      "--json"},
     "value"},
    {TEXT, {"goal", "add", "1", "--title", "@", "--json"}, "title"},
    {TEXT,
     {"date", "add", "1", "--kind", "other", "--title", "@", "--at",
      "2030-01-01T00:00:00Z", "--json"},
     "title"},
    {TEXT,
     {"product", "add", "--name", "@", "--category", "c", "--json"},
     "name"},
    {TEXT,
     {"agent", "add", "--name", "@", "--email", "#", "--role", "agent",
      "--no-password", "--json"},
     "name"},
    {ID, {"customer", "show", "@", "--json"}, NULL},
    {ID, {"customer", "update", "@", "--name", "N", "--json"}, NULL},
    {ID,
     {"encounter", "open", "--customer", "@", "--channel", "phone", "--subject",
      "S", "--json"},
     NULL},
    {ID, {"token", "create", "--agent", "@", "--name", "t"}, NULL},
    {NUM,
     {"product", "add", "--name", "P", "--category", "c", "--stock", "@",
      "--json"},
     NULL},
    {NUM, {"charter", "set", "--acknowledge-minutes", "@"}, NULL},
    {TIME,
     {"date", "add", "1", "--kind", "other", "--title", "t", "--at", "@",
      "--json"},
     "at"},
    {TIME, {"encounter", "promise", "1", "--what", "w", "--due", "@"}, NULL},
    {TIME, {"due", "--now", "@"}, NULL},
};

/* n copies of the UTF-8 of one character. */
static char *repeat(const char *ch, size_t n)
{
    rp_buf b = RP_BUF_INIT;
    for (size_t i = 0; i < n; i++)
        rp_buf_puts(&b, ch);
    return b.p ? rp_buf_steal(&b) : strdup("");
}

/* The hostile values of each kind of argument, made once. */
#define MAX_VALUES 40
static char *values[4][MAX_VALUES];
static int nvalues[4];

static void add_value(slot k, const char *v, int owned)
{
    assert_true(nvalues[k] < MAX_VALUES);
    values[k][nvalues[k]++] = owned ? (char *)v : strdup(v);
}

static void make_values(void)
{
    /* what any argument may be sent: blanks, bytes that are not UTF-8,
     * control characters, option look-alikes */
    static const char *const any[] = {"",
                                      "   ",
                                      "\xff",
                                      "a\xc3",
                                      "\xed\xa0\x80",
                                      "\x01\x1b[31m\x7f",
                                      "line\nbreak",
                                      "--json",
                                      "-"};
    static const char *const numbers[] = {"0",
                                          "-1",
                                          "1.5",
                                          "1e3",
                                          "0x10",
                                          "99999999999999999999",
                                          "9223372036854775807",
                                          "9223372036854775808",
                                          "-5"};
    static const char *const times[] = {"garbage",
                                        "0000-01-01T00:00:00+00:01",
                                        "99999-01-01T00:00:00Z",
                                        "2026-02-30T00:00:00Z",
                                        "0999-01-01T00:00:00Z",
                                        "9999-12-31T23:59:59Z",
                                        "now",
                                        "2026-11-23T08:00:00"};
    static const char *const texts[] = {"\xe3\x80\x80\t",
                                        "'; DROP TABLE customers; --",
                                        "<b>x</b>", "e\xcc\x81\xcc\x81"};
    for (int k = 0; k < 4; k++)
        for (size_t i = 0; i < sizeof any / sizeof any[0]; i++)
            add_value((slot)k, any[i], 0);
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        add_value(ID, numbers[i], 0);
        add_value(NUM, numbers[i], 0);
    }
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
        add_value(TIME, times[i], 0);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        add_value(TEXT, texts[i], 0);
    /* every script at the usual limit of a name or title and one past */
    static const char *const chars[] = {"\xc3\xa9", "\xe6\xbc\xa2",
                                        "\xf0\x9f\x98\x80", "\xcc\x81"};
    for (size_t c = 0; c < sizeof chars / sizeof chars[0]; c++)
        for (size_t n = 200; n <= 201; n++) {
            char *t = repeat(chars[c], n);
            if (c == 3)
                t[0] = 'e', t[1] = 'e'; /* a base letter, then marks */
            add_value(TEXT, t, 1);
        }
    add_value(TEXT, repeat("a", 100000), 1);
}

/* The value a command was given, with "#" made unique. */
static void fill(const command *c, const char *value, const char **args,
                 char *unique, size_t n)
{
    static int serial;
    snprintf(unique, n, "cli%d-%d@e2e.example", (int)getpid(), ++serial);
    int i = 0;
    for (; c->args[i]; i++)
        args[i] = !strcmp(c->args[i], "@")   ? value
                  : !strcmp(c->args[i], "#") ? unique
                                             : c->args[i];
    args[i] = NULL;
}

static void judge(const command *c, const char *value, int code,
                  const char *out, const char *err, unsigned long long before)
{
    char shown[80];
    snprintf(shown, sizeof shown, "%s %s", c->args[0], c->args[1]);
    if (code != 0 && code != 2 && code != 3 && code != 4)
        fprintf(stderr,
                "cli hostile: rapport %s with \"%.60s\": exit %d: "
                "%.300s\n",
                shown, value, code, err);
    assert_true(code == 0 || code == 2 || code == 3 || code == 4);
    if (code != 0) {
        /* a clear message, in text, and nothing changed */
        if (!*err || !rp_utf8_is_valid(err, strlen(err)))
            fprintf(stderr,
                    "cli hostile: rapport %s with \"%.60s\": exit %d "
                    "with stderr \"%.200s\"\n",
                    shown, value, code, err);
        assert_true(*err);
        assert_true(rp_utf8_is_valid(err, strlen(err)));
        unsigned long long after = fingerprint();
        if (after != before)
            fprintf(stderr,
                    "cli hostile: rapport %s with \"%.60s\": exit %d "
                    "but the database changed\n",
                    shown, value, code);
        assert_true(after == before);
        return;
    }
    if (!c->key)
        return;
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    json_t *v = json_object_get(j, c->key);
    if (json_is_array(v))
        v = json_array_get(v, 0);
    if (rp_text_is_blank(value)) {
        assert_true(!v || json_is_null(v));
    } else if (json_is_string(v) && strcmp(c->key, "at") != 0 &&
               strcmp(c->key, "tags") != 0) {
        if (strcmp(json_string_value(v), value) != 0)
            fprintf(stderr,
                    "cli hostile: rapport %s stored \"%.60s\" for "
                    "\"%.60s\"\n",
                    shown, json_string_value(v), value);
        assert_string_equal(json_string_value(v), value);
    }
    json_decref(j);
}

static void test_every_command(void **state)
{
    (void)state;
    make_values();
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
        slot k = commands[c].kind;
        for (int i = 0; i < nvalues[k]; i++) {
            const char *args[20];
            char unique[64];
            fill(&commands[c], values[k][i], args, unique, sizeof unique);
            unsigned long long before = fingerprint();
            char *out, *err;
            int code = run(args, &out, &err);
            judge(&commands[c], values[k][i], code, out, err, before);
            free(out);
            free(err);
        }
    }
    fprintf(stderr, "cli hostile: %zu commands, %ld runs\n",
            sizeof commands / sizeof commands[0], runs);
    for (int k = 0; k < 4; k++)
        for (int i = 0; i < nvalues[k]; i++)
            free(values[k][i]);
}

static int setup(void **state)
{
    (void)state;
    rp_srv_init(&srv);
    char shm[] = "/dev/shm/rapport-cli-hostile-XXXXXX";
    if (!rp_e2e_pg() && access("/dev/shm", W_OK) == 0 && mkdtemp(shm)) {
        rmdir(srv.dir);
        snprintf(srv.dir, sizeof srv.dir, "%s", shm);
        snprintf(srv.db, sizeof srv.db, "%s/rapport.db", srv.dir);
    }
    char *text = NULL;
    assert_int_equal(rp_cli(&srv, &text, "init", "--admin-email",
                            "admin@e2e.example", "--admin-name", "Admin",
                            "--generate-password", NULL),
                     0);
    free(text);
    assert_int_equal(
        rp_cli(&srv, &text, "customer", "add", "--name", "Customer One", NULL),
        0);
    free(text);
    assert_int_equal(rp_cli(&srv, &text, "encounter", "open", "--customer", "1",
                            "--channel", "phone", "--subject", "S", NULL),
                     0);
    free(text);
    watch = rp_db_open(&srv);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rp_db_close(watch);
    rp_srv_cleanup(&srv);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_command),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
