/*
 * test_ops.c - operations against the real programs: a backup taken while
 * rapportd takes writes and restored with every acknowledged write in it;
 * restore refusing to replace a database without --force, or one a
 * rapportd serves; rapportd --check-config on good and bad settings; the
 * log as one JSON object a line; /healthz with the database and the
 * delivery backlog.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* ---- running a program and keeping what it says ------------------------ */

/* Read the whole file at path into a new string (free it). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return strdup("");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = calloc(1, (size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

/* Run argv with the variables env ("NAME=value", NULL-ended) added; fill
 * *out and *err with what it printed (free them); return its exit status. */
static int run(rp_srv *s, char *const argv[], char *const env[], char **out,
               char **err)
{
    char outp[400], errp[400];
    snprintf(outp, sizeof outp, "%s/run.out", s->dir);
    snprintf(errp, sizeof errp, "%s/run.err", s->dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(o, 1);
        dup2(e, 2);
        for (int i = 0; env && env[i]; i++)
            putenv(env[i]);
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    *out = slurp(outp);
    *err = slurp(errp);
    printf("%s: exit %d\n%s%s", argv[0], WEXITSTATUS(status), *out, *err);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- a sqlite3 look at a database file, not through rapport ------------ */

static long long db_number(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* Is there a customer with this id and name in the database at path? */
static int has_customer(sqlite3 *db, long long id, const char *name)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT 1 FROM customers WHERE id = ?"
                                        " AND name = ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* ---- writers ------------------------------------------------------------ */

#define WRITERS 4
#define MAX_ACKS 100000

typedef struct ack {
    long long id;
    char name[32];
} ack;

typedef struct load {
    rp_srv *srv;
    atomic_int stop;
    atomic_int failures; /* any answer but 201 */
    pthread_mutex_t lock;
    ack *acks; /* acknowledged creations, in the order they were answered */
    int nacks;
} load;

typedef struct writer {
    load *l;
    int n;
} writer;

static void *write_customers(void *arg)
{
    writer *w = arg;
    load *l = w->l;
    for (int i = 0; !atomic_load(&l->stop); i++) {
        char name[32], body[96];
        snprintf(name, sizeof name, "Load %d-%d", w->n, i);
        int len = snprintf(body, sizeof body, "{\"name\":\"%s\"}", name);
        rp_http r;
        rp_http_send(l->srv, "POST", "/api/v1/customers", "application/json",
                     body, (size_t)len, NULL, &r);
        if (r.status == 201 && r.json) {
            pthread_mutex_lock(&l->lock);
            if (l->nacks < MAX_ACKS) {
                ack *a = &l->acks[l->nacks++];
                a->id = json_integer_value(json_object_get(r.json, "id"));
                snprintf(a->name, sizeof a->name, "%s", name);
            }
            pthread_mutex_unlock(&l->lock);
        } else {
            atomic_fetch_add(&l->failures, 1);
            fprintf(stderr, "writer %d: %ld %s\n", w->n, r.status,
                    r.body ? r.body : "");
        }
        rp_http_free(&r);
    }
    return NULL;
}

static int acks_now(load *l)
{
    pthread_mutex_lock(&l->lock);
    int n = l->nacks;
    pthread_mutex_unlock(&l->lock);
    return n;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/*
 * Writers create customers through the API while `rapport backup` runs.
 * Every creation acknowledged before the backup began is in the copy;
 * nothing in the copy was never acknowledged; each customer in it has the
 * moment of truth written in its transaction (one snapshot, not pages of
 * different moments).  The writers are never refused meanwhile.  Then
 * the copy is restored over the database (refused while rapportd serves
 * it and without --force) and the restarted rapportd serves every
 * customer acknowledged before the backup.
 */
static void test_backup_under_write_load_and_restore(void **state)
{
    (void)state;
    /* SQLite only: on PostgreSQL backups are pg_dump's (rapport backup
     * says so) */
    if (rp_e2e_pg())
        skip();
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    /* some weight, so the copy takes more than one step */
    char *out = NULL;
    json_t *c = rp_callf(&s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Seed\"}");
    json_decref(c);
    {
        sqlite3 *db = NULL;
        assert_int_equal(sqlite3_open(s.db, &db), SQLITE_OK);
        sqlite3_busy_timeout(db, 10000);
        assert_int_equal(
            sqlite3_exec(db,
                         "CREATE TABLE ballast (b BLOB);"
                         "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT"
                         " i + 1 FROM n WHERE i < 2000)"
                         " INSERT INTO ballast SELECT randomblob(16384) FROM n",
                         NULL, NULL, NULL),
            SQLITE_OK);
        sqlite3_close(db);
    }
    load l = {.srv = &s};
    pthread_mutex_init(&l.lock, NULL);
    l.acks = calloc(MAX_ACKS, sizeof *l.acks);
    pthread_t threads[WRITERS];
    writer ws[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        ws[i] = (writer){&l, i};
        pthread_create(&threads[i], NULL, write_customers, &ws[i]);
    }
    while (acks_now(&l) < 100)
        sleep_ms(10);
    char backup[400];
    snprintf(backup, sizeof backup, "%s/backup.db", s.dir);
    int before = acks_now(&l);
    int rc = rp_cli(&s, &out, "backup", "--to", backup, "--json", NULL);
    int after = acks_now(&l);
    printf("backup: %s", out);
    /* the writers go on a little after it, then stop */
    sleep_ms(200);
    atomic_store(&l.stop, 1);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(threads[i], NULL);
    printf("acknowledged: %d before the backup, %d by its end, %d in all\n",
           before, after, l.nacks);
    assert_int_equal(rc, 0);
    json_t *report = json_loads(out, 0, NULL);
    free(out);
    assert_non_null(report);
    assert_int_equal(atomic_load(&l.failures), 0);

    /* the copy: checked, one file, and the state of one moment */
    /* the file format's read and write versions (bytes 18 and 19 of the
     * header): 1 for a rollback journal, 2 for WAL */
    unsigned char head[20] = {0};
    FILE *hf = fopen(backup, "rb");
    assert_non_null(hf);
    assert_int_equal(fread(head, 1, sizeof head, hf), sizeof head);
    fclose(hf);
    assert_int_equal(head[18], 1);
    assert_int_equal(head[19], 1);
    char wal[420];
    snprintf(wal, sizeof wal, "%s-wal", backup);
    assert_true(access(wal, F_OK) != 0);
    long long in_copy = db_number(backup, "SELECT count(*) FROM customers");
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(report, "counts"), "customers")),
                     in_copy);
    json_decref(report);
    /* + the seed and whatever customers the harness made */
    long long base = in_copy - before;
    printf("in the copy: %lld customers\n", in_copy);
    assert_true(in_copy >= before + 1);
    assert_true(in_copy <= l.nacks + 1 + base);
    assert_int_equal(db_number(backup,
                               "SELECT count(*) FROM customers c WHERE NOT"
                               " EXISTS (SELECT 1 FROM moments m WHERE"
                               " m.customer_id = c.id)"),
                     0);
    sqlite3 *copy = NULL;
    assert_int_equal(sqlite3_open_v2(backup, &copy, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    for (int i = 0; i < before; i++)
        if (!has_customer(copy, l.acks[i].id, l.acks[i].name))
            fail_msg("acknowledged customer %lld (%s) is not in the backup",
                     l.acks[i].id, l.acks[i].name);
    /* what the copy holds was all acknowledged (or in flight at its end) */
    long long max_id = db_number(backup, "SELECT max(id) FROM customers");
    int known = 0;
    for (int i = 0; i < l.nacks; i++)
        known += l.acks[i].id <= max_id;
    assert_true(known + 1 + base >= in_copy);
    sqlite3_close(copy);

    /* restoring: refused while rapportd serves, and without --force */
    long long live = db_number(s.db, "SELECT count(*) FROM customers");
    assert_int_equal(rp_cli(&s, &out, "restore", "--force", backup, NULL), 3);
    free(out);
    rp_srv_stop(&s);
    assert_int_equal(rp_cli(&s, &out, "restore", backup, NULL), 3);
    free(out);
    assert_int_equal(db_number(s.db, "SELECT count(*) FROM customers"), live);
    assert_int_equal(rp_cli(&s, &out, "restore", "--force", backup, NULL), 0);
    printf("restore: %s", out);
    free(out);
    snprintf(wal, sizeof wal, "%s-wal", s.db);
    assert_true(access(wal, F_OK) != 0);
    assert_int_equal(db_number(s.db, "SELECT count(*) FROM customers"),
                     in_copy);

    /* the restored database serves every write acknowledged before */
    rp_srv_start(&s);
    for (int i = 0; i < before; i += before / 50 + 1) {
        char path[64];
        snprintf(path, sizeof path, "/api/v1/customers/%lld", l.acks[i].id);
        json_t *got = rp_call(&s, "GET", path, NULL, 200);
        assert_string_equal(json_string_value(json_object_get(got, "name")),
                            l.acks[i].name);
        json_decref(got);
    }
    rp_srv_stop(&s);
    free(l.acks);
    rp_srv_cleanup(&s);
}

/* A backup file is checked before it replaces anything: a file that is
 * not a database, a database that is not rapport's, and a rapport
 * database newer than this program are refused, and the database is left
 * as it was. */
static void test_restore_refuses_what_is_not_a_backup(void **state)
{
    (void)state;
    if (rp_e2e_pg()) /* SQLite only, as the test above */
        skip();
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    char *out = NULL;
    char backup[400], junk[400], other[400];
    snprintf(backup, sizeof backup, "%s/newer.db", s.dir);
    snprintf(junk, sizeof junk, "%s/junk.db", s.dir);
    snprintf(other, sizeof other, "%s/other.db", s.dir);
    assert_int_equal(rp_cli(&s, &out, "backup", "--to", backup, NULL), 0);
    free(out);
    /* a second backup to the same file is refused without --force */
    assert_int_equal(rp_cli(&s, &out, "backup", "--to", backup, NULL), 3);
    free(out);
    rp_srv_stop(&s);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(backup, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO schema_version VALUES (9999, 0)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    FILE *f = fopen(junk, "w");
    fputs("SQLite format 3 but not really a database at all, no pages\n", f);
    fclose(f);
    long long customers = db_number(s.db, "SELECT count(*) FROM customers");
    const char *files[] = {backup, junk, other};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(rp_cli(&s, &out, "restore", "--force", files[i], NULL),
                         3);
        free(out);
        assert_int_equal(db_number(s.db, "SELECT count(*) FROM customers"),
                         customers);
    }
    char missing[420];
    snprintf(missing, sizeof missing, "%s/none.db", s.dir);
    assert_int_equal(rp_cli(&s, &out, "restore", "--force", missing, NULL), 4);
    free(out);
    /* nothing was left beside the database */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -q -e restoring -e partial",
             s.dir);
    assert_int_not_equal(system(cmd), 0);
    rp_srv_cleanup(&s);
}

/* rapportd --check-config: exit 0 on a good configuration without
 * creating the database; non-zero naming each bad setting; 4 for a
 * database newer than the program. */
static void test_check_config(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    char *out, *err;
    char *good[] = {RAPPORTD_PATH, "--check-config", "--db", s.db, NULL};
    char *smtp_url = "RAPPORT_SMTP_URL=smtp://127.0.0.1:2525",
         *smtp_from = "RAPPORT_SMTP_FROM=desk@example.com";
    char *env_good[] = {smtp_url, smtp_from, "RAPPORT_LOG_FORMAT=json", NULL};
    assert_int_equal(run(&s, good, env_good, &out, &err), 0);
    assert_non_null(strstr(out, "configuration ok"));
    if (!rp_e2e_pg()) /* PostgreSQL's is made by its administrator */
        assert_non_null(strstr(out, "will be created"));
    free(out);
    free(err);
    assert_false(rp_db_exists(&s)); /* checked, not created */

    char *env_bad[] = {"RAPPORT_BUSY_WAIT_MS=soon", "RAPPORT_LOG_FORMAT=xml",
                       "RAPPORT_SMTP_URL=http://mail.example.com",
                       "RAPPORT_WEBHOOK_SECRET=s3cret", NULL};
    char *bad[] = {RAPPORTD_PATH, "--check-config", "--db", s.db,
                   "--listen",    "localhost:http", NULL};
    int rc = run(&s, bad, env_bad, &out, &err);
    assert_int_not_equal(rc, 0);
    const char *named[] = {
        "RAPPORT_BUSY_WAIT_MS", "RAPPORT_LOG_FORMAT", "RAPPORT_SMTP_URL",
        "RAPPORT_SMTP_FROM",    "--listen",           "RAPPORT_WEBHOOK_URL"};
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (!strstr(err, named[i]))
            fail_msg("--check-config did not name %s", named[i]);
    free(out);
    free(err);

    /* a database made by a newer rapport */
    rp_srv_start(&s);
    rp_srv_stop(&s);
    assert_int_equal(
        rp_db_exec(&s, "INSERT INTO schema_version VALUES (9999, 0)"), 0);
    assert_int_equal(run(&s, good, NULL, &out, &err), 4);
    assert_non_null(strstr(err, "RAPPORT_DB"));
    assert_non_null(strstr(err, "9999"));
    free(out);
    free(err);
    rp_srv_cleanup(&s);
}

/* With --log-format json every line rapportd writes to standard error is
 * one JSON object with a time, a level and a message; a value holding
 * quotes, spaces and a newline stays on its line.  In text every line is
 * one event with its level. */
static void check_log(rp_srv *s, const char *format)
{
    char errp[400], db[400];
    snprintf(errp, sizeof errp, "%s/rapportd-%s.log", s->dir, format);
    /* a name that needs escaping in both formats */
    snprintf(db, sizeof db, "%s/a \"quoted\" desk=1.db", s->dir);
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(pipefd[1], 1);
        dup2(e, 2);
        close(pipefd[0]);
        execl(RAPPORTD_PATH, "rapportd", "--db", db, "--listen", "127.0.0.1:0",
              "--log-format", format, (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    char line[256];
    rp_child_first_line(pipefd[0], line, sizeof line);
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    char *log = slurp(errp);
    printf("%s", log);
    int lines = 0, listening = 0;
    for (char *l = strtok(log, "\n"); l; l = strtok(NULL, "\n"), lines++) {
        if (strcmp(format, "json") == 0) {
            json_error_t jerr;
            json_t *o = json_loads(l, 0, &jerr);
            if (!json_is_object(o))
                fail_msg("not a JSON object: %s (%s)", l, jerr.text);
            assert_non_null(json_string_value(json_object_get(o, "time")));
            assert_non_null(json_string_value(json_object_get(o, "level")));
            const char *msg = json_string_value(json_object_get(o, "msg"));
            assert_non_null(msg);
            if (strcmp(msg, "listening") == 0) {
                listening++;
                assert_string_equal(json_string_value(json_object_get(o, "db")),
                                    db);
            }
            json_decref(o);
        } else {
            assert_true(strncmp(l, "time=", 5) == 0);
            assert_non_null(strstr(l, " level="));
            assert_non_null(strstr(l, " msg="));
            if (strstr(l, "msg=listening")) {
                listening++;
                assert_non_null(strstr(l, "db=\""));
                assert_non_null(strstr(l, "a \\\"quoted\\\" desk=1.db\""));
            }
        }
    }
    assert_int_equal(listening, 1);
    assert_true(lines >= 3); /* listening, shutting down, stopped */
    free(log);
}

static void test_log_lines(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    check_log(&s, "json");
    check_log(&s, "text");
    rp_srv_cleanup(&s);
}

/* /healthz tells the database's state and the delivery backlog: a
 * follow-up that is due and not sent shows as due. */
static void test_healthz_backlog(void **state)
{
    (void)state;
    rp_srv s;
    rp_srv_init(&s);
    snprintf(s.extra_env, sizeof s.extra_env, "RAPPORT_SCHEDULER_INTERVAL=0");
    rp_srv_start(&s);
    json_t *h = rp_call(&s, "GET", "/healthz", NULL, 200);
    json_t *dbj = json_object_get(h, "database");
    assert_true(json_is_true(json_object_get(dbj, "reachable")));
    assert_int_equal(json_integer_value(json_object_get(dbj, "schema_version")),
                     json_integer_value(json_object_get(h, "schema_version")));
    json_t *tasks = json_object_get(json_object_get(h, "delivery"), "tasks");
    json_t *outbox = json_object_get(json_object_get(h, "delivery"), "outbox");
    assert_true(json_is_integer(json_object_get(outbox, "due")));
    assert_true(json_is_integer(json_object_get(outbox, "failed")));
    json_t *hooks = json_object_get(json_object_get(h, "delivery"), "webhooks");
    assert_true(json_is_integer(json_object_get(hooks, "due")));
    assert_true(json_is_integer(json_object_get(hooks, "failed")));
    json_int_t due = json_integer_value(json_object_get(tasks, "due"));
    json_decref(h);

    json_t *c = rp_callf(&s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Backlog\"}");
    char body[200];
    snprintf(body, sizeof body,
             "{\"customer_id\":%lld,\"channel\":\"phone\",\"subject\":\"x\"}",
             (long long)json_integer_value(json_object_get(c, "id")));
    json_decref(c);
    json_t *e = rp_callf(&s, "POST", "/api/v1/encounters", 201, body);
    char path[80];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/follow_ups",
             (long long)json_integer_value(json_object_get(e, "id")));
    json_decref(e);
    json_decref(rp_callf(&s, "POST", path, 201,
                         "{\"due_at\":\"2020-01-01T00:00:00Z\","
                         "\"subject\":\"Call back\"}"));
    h = rp_call(&s, "GET", "/healthz", NULL, 200);
    tasks = json_object_get(json_object_get(h, "delivery"), "tasks");
    assert_int_equal(json_integer_value(json_object_get(tasks, "due")),
                     due + 1);
    assert_int_equal(json_integer_value(json_object_get(tasks, "failed")), 0);
    json_decref(h);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backup_under_write_load_and_restore),
        cmocka_unit_test(test_restore_refuses_what_is_not_a_backup),
        cmocka_unit_test(test_check_config),
        cmocka_unit_test(test_log_lines),
        cmocka_unit_test(test_healthz_backlog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
