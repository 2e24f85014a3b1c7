/*
 * harness.c - the end-to-end test harness (see harness.h).
 */
#include "harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "support/pg_db.h"
#include "store/pg_internal.h"
#include "store/store_pg.h"

/* ---- the response log of the contract test ------------------------------
 *
 * When RP_CONTRACT_LOG names a directory, every response to a request under
 * /api/v1/ is appended to <dir>/<test program>.jsonl as one JSON object
 * (method, path with its query, status, content type, body), and the
 * contract test (tests/contract/responses.mjs) checks each against the
 * OpenAPI document.  The file is emptied at the first response, so a test
 * run leaves the log of that run only (on PostgreSQL the file is
 * <program>-pg.jsonl).  A mutex keeps the lines whole when
 * a test sends from several threads. */
static pthread_mutex_t contract_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *contract_log;
static int contract_log_tried;

static void contract_record(const char *method, const char *path,
                            const rp_http *r)
{
    const char *dir = getenv("RP_CONTRACT_LOG");
    if (!dir || !*dir || strncmp(path, "/api/v1/", 8) != 0)
        return;
    pthread_mutex_lock(&contract_lock);
    if (!contract_log_tried) {
        contract_log_tried = 1;
        char file[1024];
        mkdir(dir, 0755);
        /* the same test on PostgreSQL logs beside it, not over it */
        snprintf(file, sizeof file, "%s/%s%s.jsonl", dir,
                 program_invocation_short_name, rp_e2e_pg() ? "-pg" : "");
        contract_log = fopen(file, "w");
        if (!contract_log)
            fprintf(stderr, "harness: cannot write %s: %s\n", file,
                    strerror(errno));
    }
    if (contract_log) {
        json_t *rec = json_pack("{s:s, s:s, s:i, s:s, s:s%}", "method", method,
                                "path", path, "status", (int)r->status,
                                "content_type", r->content_type, "body",
                                r->body, r->len);
        if (!rec) /* not UTF-8: the contract test refuses it */
            rec = json_pack("{s:s, s:s, s:i, s:s, s:n, s:b}", "method", method,
                            "path", path, "status", (int)r->status,
                            "content_type", r->content_type, "body",
                            "body_not_utf8", 1);
        if (rec) {
            json_dumpf(rec, contract_log, JSON_COMPACT);
            fputc('\n', contract_log);
            fflush(contract_log);
            json_decref(rec);
        }
    }
    pthread_mutex_unlock(&contract_lock);
}

/* Servers still running when the test program ends (a failed assertion
 * jumps past rp_srv_stop): kill them, or their inherited stderr keeps
 * ctest waiting until its timeout. */
static pid_t live[32];

static void kill_live(void)
{
    for (int i = 0; i < 32; i++)
        if (live[i] > 0) {
            kill(live[i], SIGKILL);
            waitpid(live[i], NULL, 0);
            live[i] = 0;
        }
}

static void track(pid_t pid, int add)
{
    static int registered;
    if (!registered) {
        atexit(kill_live);
        registered = 1;
    }
    for (int i = 0; i < 32; i++)
        if (add ? live[i] == 0 : live[i] == pid) {
            live[i] = add ? pid : 0;
            return;
        }
}

/* ---- PostgreSQL: a database of each server's own ------------------------ */

/* The PostgreSQL server the tests run on (RP_E2E_PG), or NULL. */
static const char *pg_server(void)
{
    const char *v = getenv("RP_E2E_PG");
    return v && *v ? v : NULL;
}

int rp_e2e_pg(void)
{
    return pg_server() != NULL;
}

/* A connection to dbname on the test server; fails the test when it
 * cannot be made. */
static PGconn *pg_connect(const char *dbname)
{
    char info[1024];
    snprintf(info, sizeof info, "%s dbname=%s", pg_server(), dbname);
    PGconn *c = PQconnectdb(info);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("the test PostgreSQL (%s) cannot be reached: %s", info,
                 PQerrorMessage(c));
    return c;
}

/* Name s's database on the test server ("rp_e2e_<pid>_<n>", unique in
 * this run), point s->db at it and make it: a copy of from when given,
 * else of the template at the latest schema, which s->fresh then marks as
 * opened by no program yet (as a SQLite file not made yet). */
static void pg_make(rp_srv *s, const char *from)
{
    static int made;
    snprintf(s->pgdb, sizeof s->pgdb, "rp_e2e_%ld_%d", (long)getpid(), ++made);
    snprintf(s->db, sizeof s->db, "%s dbname=%s", pg_server(), s->pgdb);
    s->fresh = !from;
    rp_test_pg_create(pg_server(), s->pgdb, from);
}

void rp_srv_key_file(const rp_srv *s, char *out, size_t n)
{
    if (s->pgdb[0])
        snprintf(out, n, "%s/rapport.db.key", s->dir);
    else
        snprintf(out, n, "%s.key", s->db);
}

/* On PostgreSQL, name s's key file for a program about to run (a child
 * of this process): without one, it could not seal secrets at all. */
static void use_key_file(const rp_srv *s)
{
    if (!s->pgdb[0])
        return;
    char key[400];
    rp_srv_key_file(s, key, sizeof key);
    setenv("RAPPORT_SECRET_KEY_FILE", key, 1);
}

void rp_srv_init(rp_srv *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/rapport-e2e-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->db, sizeof s->db, "%s/rapport.db", s->dir);
    if (pg_server()) {
        pg_make(s, NULL);
        /* for the programs a test runs itself, too (the last server made
         * is the one they are about) */
        use_key_file(s);
    }
    s->pid = 0;
}

int rp_db_exists(rp_srv *s)
{
    return s->pgdb[0] ? !s->fresh : access(s->db, F_OK) == 0;
}

/* The value after "key: " on a line of text, copied into out. */
static int line_value(const char *text, const char *key, char *out, size_t n)
{
    size_t kl = strlen(key);
    for (const char *p = text; p && *p;
         p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, key, kl) == 0 && p[kl] == ':' && p[kl + 1] == ' ') {
            const char *v = p + kl + 2;
            size_t vl = strcspn(v, "\n");
            if (vl >= n)
                vl = n - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return 0;
        }
    }
    return -1;
}

static void make_token(rp_srv *s, long long agent_id, char *out, size_t n)
{
    char idtext[32], *text = NULL;
    snprintf(idtext, sizeof idtext, "%lld", agent_id);
    int rc = rp_cli(s, &text, "token", "create", "--agent", idtext, "--name",
                    "e2e", NULL);
    if (rc != 0)
        fprintf(stderr, "harness: rapport token create failed (%d): %s\n", rc,
                text);
    assert_int_equal(rc, 0);
    size_t tl = strcspn(text, "\n");
    assert_true(tl > 10 && tl < n);
    memcpy(out, text, tl);
    out[tl] = '\0';
    free(text);
}

/* A new database gets its first admin and a token, as an operator would. */
static void bootstrap_admin(rp_srv *s)
{
    char *text = NULL, id[32];
    snprintf(s->admin_email, sizeof s->admin_email, "admin@e2e.example");
    int rc = rp_cli(s, &text, "init", "--admin-email", s->admin_email,
                    "--admin-name", "E2E Admin", "--generate-password", NULL);
    if (rc != 0)
        fprintf(stderr, "harness: rapport init failed (%d): %s\n", rc, text);
    assert_int_equal(rc, 0);
    assert_int_equal(line_value(text, "agent", id, sizeof id), 0);
    assert_int_equal(line_value(text, "password", s->admin_password,
                                sizeof s->admin_password),
                     0);
    free(text);
    s->admin_id = atoll(id);
    make_token(s, s->admin_id, s->token, sizeof s->token);
}

long long rp_srv_agent_for(rp_srv *s, const char *role, char *out, size_t n)
{
    static int serial;
    char email[80], name[80], *text = NULL;
    serial++;
    snprintf(email, sizeof email, "%s-%d-%d@e2e.example", role, (int)getpid(),
             serial);
    snprintf(name, sizeof name, "E2E %s %d", role, serial);
    int rc = rp_cli(s, &text, "agent", "add", "--name", name, "--email", email,
                    "--role", role, "--no-password", "--json", NULL);
    if (rc != 0)
        fprintf(stderr, "harness: rapport agent add failed (%d): %s\n", rc,
                text);
    assert_int_equal(rc, 0);
    json_t *a = json_loads(text, 0, NULL);
    assert_non_null(a);
    long long id = (long long)json_integer_value(json_object_get(a, "id"));
    json_decref(a);
    free(text);
    assert_true(id > 0);
    make_token(s, id, out, n);
    return id;
}

void rp_srv_token_for(rp_srv *s, const char *role, char *out, size_t n)
{
    rp_srv_agent_for(s, role, out, n);
}

void rp_child_first_line(int fd, char *line, size_t size)
{
    size_t len = 0;
    struct pollfd pfd = {fd, POLLIN, 0};
    while (len < size - 1) {
        int ready = poll(&pfd, 1, 20000);
        assert_true(ready > 0); /* the child must announce itself in time */
        ssize_t n = read(fd, line + len, 1);
        assert_true(n == 1);
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    close(fd);
}

void rp_srv_start(rp_srv *s)
{
    if (!s->token[0] && !rp_db_exists(s))
        bootstrap_admin(s);
    s->fresh = 0;
    int out[2];
    assert_int_equal(pipe(out), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a crashed test */
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        /* plain HTTP on loopback, as a browser test needs its cookie;
         * extra_env may say otherwise */
        setenv("RAPPORT_PLAIN_HTTP", "1", 1);
        /* a loaded test machine can keep the scheduler's write running
         * for seconds; the fault test sets its own, shorter wait */
        setenv("RAPPORT_BUSY_WAIT_MS", "10000", 1);
        use_key_file(s);
        if (s->extra_env[0])
            putenv(s->extra_env);
        if (s->fsize_limit > 0) {
            struct rlimit rl = {(rlim_t)s->fsize_limit, RLIM_INFINITY};
            signal(SIGXFSZ, SIG_IGN); /* a write past it fails, EFBIG */
            if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
                _exit(126);
        }
        execl(RAPPORTD_PATH, "rapportd", "--db", s->db, "--listen",
              "127.0.0.1:0", "--threads", "4", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    s->pid = pid;
    track(pid, 1);
    char line[256];
    rp_child_first_line(out[0], line, sizeof line);
    const char *p = strstr(line, "http://");
    assert_non_null(p);
    snprintf(s->url, sizeof s->url, "%s", p);
    size_t ul = strlen(s->url);
    if (ul && s->url[ul - 1] == '/')
        s->url[ul - 1] = '\0';
}

static int wait_exit(pid_t pid, int seconds)
{
    int status = 0;
    for (int i = 0; i < seconds * 100; i++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

void rp_srv_stop(rp_srv *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGTERM);
    track(s->pid, 0);
    int status = wait_exit(s->pid, 30);
    s->pid = 0;
    assert_true(status != -1);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

void rp_srv_kill(rp_srv *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGKILL);
    track(s->pid, 0);
    int status;
    waitpid(s->pid, &status, 0);
    s->pid = 0;
}

void rp_srv_cleanup(rp_srv *s)
{
    if (s->pid > 0)
        rp_srv_kill(s);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    if (s->dir[0] && system(cmd) != 0)
        fprintf(stderr, "harness: could not remove %s\n", s->dir);
    if (s->pgdb[0]) {
        /* FORCE: a CLI a failed test left behind must not keep it */
        snprintf(cmd, sizeof cmd, "DROP DATABASE IF EXISTS %s WITH (FORCE)",
                 s->pgdb);
        rp_test_pg_sql(pg_server(), "postgres", cmd, NULL);
        s->pgdb[0] = '\0';
    }
}

int rp_srv_fixture_start(void **state)
{
    rp_srv *s = calloc(1, sizeof *s);
    assert_non_null(s);
    rp_srv_init(s);
    rp_srv_start(s);
    *state = s;
    return 0;
}

int rp_srv_fixture_stop(void **state)
{
    rp_srv *s = *state;
    rp_srv_stop(s);
    rp_srv_cleanup(s);
    free(s);
    return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    rp_buf *b = arg;
    rp_buf_append(b, data, size * n);
    return b->failed ? 0 : size * n;
}

static void copy_header(const char *line, size_t n, const char *name, char *dst,
                        size_t dstsize)
{
    size_t nl = strlen(name);
    if (n > nl && strncasecmp(line, name, nl) == 0) {
        const char *v = line + nl;
        size_t vl = n - nl;
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
            vl--;
        if (vl >= dstsize)
            vl = dstsize - 1;
        memcpy(dst, v, vl);
        dst[vl] = '\0';
    }
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    rp_http *r = arg;
    size_t k = size * n;
    copy_header(data, k, "Content-Type: ", r->content_type,
                sizeof r->content_type);
    copy_header(data, k, "Location: ", r->location, sizeof r->location);
    copy_header(data, k, "Allow: ", r->allow, sizeof r->allow);
    copy_header(data, k, "Set-Cookie: ", r->set_cookie, sizeof r->set_cookie);
    copy_header(data, k, "Retry-After: ", r->retry_after,
                sizeof r->retry_after);
    copy_header(data, k, "WWW-Authenticate: ", r->www_authenticate,
                sizeof r->www_authenticate);
    return k;
}

void rp_http_send(rp_srv *s, const char *method, const char *path,
                  const char *content_type, const char *body, size_t len,
                  const char *const *extra_headers, rp_http *out)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[1024];
    snprintf(url, sizeof url, "%s%s", s->url, path);
    struct curl_slist *h = NULL;
    char hdr[300];
    if (content_type) {
        snprintf(hdr, sizeof hdr, "Content-Type: %s", content_type);
        h = curl_slist_append(h, hdr);
    } else {
        h = curl_slist_append(h, "Content-Type:");
    }
    /* A body too big for rapportd to read through and throw away is sent
     * the way curl sends any big body, after "Expect: 100-continue", so a
     * refusal arrives before the body does; without it the 413 races the
     * upload and the client may see only the connection reset. */
    if (!body || len <= 16u * 1024 * 1024)
        h = curl_slist_append(h, "Expect:");
    if (s->token[0]) {
        snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", s->token);
        h = curl_slist_append(h, hdr);
    }
    for (int i = 0; extra_headers && extra_headers[i]; i++)
        h = curl_slist_append(h, extra_headers[i]);
    rp_buf g = RP_BUF_INIT;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &g);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    char source[48];
    if (s->source[0]) {
        snprintf(source, sizeof source, "host!%s", s->source);
        curl_easy_setopt(c, CURLOPT_INTERFACE, source);
    }
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        fprintf(stderr, "harness: %s %s: %s\n", method, path,
                curl_easy_strerror(rc));
    assert_int_equal(rc, CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    out->len = g.len;
    out->body = g.p ? rp_buf_steal(&g) : strdup("");
    if (strncmp(out->content_type, "application/json", 16) == 0)
        out->json = json_loadb(out->body, out->len, 0, NULL);
    contract_record(method, path, out);
}

void rp_http_free(rp_http *r)
{
    json_decref(r->json);
    free(r->body);
    memset(r, 0, sizeof *r);
}

json_t *rp_call(rp_srv *s, const char *method, const char *path, json_t *body,
                long expect_status)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    rp_http r;
    rp_http_send(s, method, path, text ? "application/json" : NULL, text,
                 text ? strlen(text) : 0, NULL, &r);
    free(text);
    if (r.status != expect_status)
        fprintf(stderr, "harness: %s %s: expected %ld, got %ld: %s\n", method,
                path, expect_status, r.status, r.body);
    assert_int_equal(r.status, expect_status);
    json_t *out = r.json ? json_incref(r.json) : json_null();
    rp_http_free(&r);
    return out;
}

json_t *rp_callf(rp_srv *s, const char *method, const char *path,
                 long expect_status, const char *json_text)
{
    json_error_t jerr;
    json_t *body = json_text ? json_loads(json_text, 0, &jerr) : NULL;
    if (json_text && !body)
        fprintf(stderr, "harness: bad JSON in test: %s\n", jerr.text);
    assert_true(!json_text || body);
    json_t *out = rp_call(s, method, path, body, expect_status);
    json_decref(body);
    return out;
}

void rp_assert_error(rp_http *r, long status, const char *code,
                     const char *field)
{
    if (r->status != status)
        fprintf(stderr, "harness: expected %ld, got %ld: %s\n", status,
                r->status, r->body);
    assert_int_equal(r->status, status);
    assert_non_null(r->json);
    json_t *e = json_object_get(r->json, "error");
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "code")), code);
    assert_true(json_string_length(json_object_get(e, "message")) > 0);
    if (field) {
        json_t *f = json_object_get(e, "field");
        if (!json_is_string(f) || strcmp(json_string_value(f), field) != 0)
            fprintf(stderr, "harness: expected field %s: %s\n", field, r->body);
        assert_true(json_is_string(f));
        assert_string_equal(json_string_value(f), field);
    }
}

int rp_cli(rp_srv *s, char **out, ...)
{
    s->fresh = 0; /* opened now, as the CLI makes a SQLite file */
    const char *argv[40];
    int argc = 0;
    argv[argc++] = "rapport";
    argv[argc++] = "--db";
    argv[argc++] = s->db;
    va_list ap;
    va_start(ap, out);
    const char *a;
    while ((a = va_arg(ap, const char *)) && argc < 39)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        close(pipefd[1]);
        use_key_file(s);
        execv(RAPPORT_CLI_PATH, (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    rp_buf g = RP_BUF_INIT;
    char buf[4096];
    ssize_t n;
    while ((n = read(pipefd[0], buf, sizeof buf)) > 0)
        on_body(buf, 1, (size_t)n, &g);
    close(pipefd[0]);
    int status;
    waitpid(pid, &status, 0);
    if (out)
        *out = g.p ? rp_buf_steal(&g) : strdup("");
    else
        rp_buf_free(&g);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

long rp_list_count(rp_srv *s, const char *path)
{
    long n = 0;
    char cursor[32] = "";
    const char *sep = strchr(path, '?') ? "&" : "?";
    for (;;) {
        char url[512];
        snprintf(url, sizeof url, "%s%slimit=500%s%s", path, sep,
                 cursor[0] ? "&cursor=" : "", cursor);
        json_t *page = rp_call(s, "GET", url, NULL, 200);
        json_t *items = json_object_get(page, "items");
        assert_true(json_is_array(items));
        n += (long)json_array_size(items);
        json_t *next = json_object_get(page, "next_cursor");
        if (!json_is_string(next)) {
            json_decref(page);
            return n;
        }
        snprintf(cursor, sizeof cursor, "%s", json_string_value(next));
        json_decref(page);
    }
}

/* ---- the database seen past rapportd (see harness.h) -------------------- */

struct rp_db {
    sqlite3 *lite; /* SQLite, or */
    PGconn *pg;    /* PostgreSQL */
};

rp_db *rp_db_open(rp_srv *s)
{
    rp_db *db = calloc(1, sizeof *db);
    assert_non_null(db);
    if (s->pgdb[0]) {
        db->pg = pg_connect(s->pgdb);
        /* a writer of rapportd's may hold a lock a while on a loaded
         * machine; a statement waits for it as SQLite's busy wait does */
        PQclear(PQexec(db->pg, "SET lock_timeout = 30000"));
        return db;
    }
    /* read-write but never created: a missing file is the test's error */
    if (sqlite3_open_v2(s->db, &db->lite, SQLITE_OPEN_READWRITE, NULL) !=
        SQLITE_OK)
        fail_msg("opening %s: %s", s->db, sqlite3_errmsg(db->lite));
    sqlite3_busy_timeout(db->lite, 30000);
    return db;
}

void rp_db_close(rp_db *db)
{
    if (!db)
        return;
    if (db->pg)
        PQfinish(db->pg);
    else
        sqlite3_close(db->lite);
    free(db);
}

long long rp_db_value(rp_db *db, const char *sql)
{
    long long v = 0;
    if (db->pg) {
        PGresult *r = PQexec(db->pg, sql);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            fail_msg("%s: %s", sql, PQresultErrorMessage(r));
        if (PQntuples(r) > 0 && PQnfields(r) > 0)
            v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
        return v;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->lite, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db->lite));
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db->lite));
    sqlite3_finalize(st);
    return v;
}

json_t *rp_db_rows(rp_db *db, const char *sql)
{
    json_t *rows = json_array();
    if (db->pg) {
        PGresult *r = PQexec(db->pg, sql);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            fail_msg("%s: %s", sql, PQresultErrorMessage(r));
        for (int i = 0; i < PQntuples(r); i++) {
            json_t *row = json_array();
            for (int k = 0; k < PQnfields(r); k++)
                json_array_append_new(row,
                                      PQgetisnull(r, i, k)
                                          ? json_null()
                                          : json_string(PQgetvalue(r, i, k)));
            json_array_append_new(rows, row);
        }
        PQclear(r);
        return rows;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->lite, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db->lite));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row = json_array();
        for (int k = 0; k < sqlite3_column_count(st); k++) {
            const char *v = (const char *)sqlite3_column_text(st, k);
            json_array_append_new(row, v ? json_string(v) : json_null());
        }
        json_array_append_new(rows, row);
    }
    if (rc != SQLITE_DONE)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db->lite));
    sqlite3_finalize(st);
    return rows;
}

int rp_db_run(rp_db *db, const char *sql)
{
    if (db->pg) {
        PGresult *r = PQexec(db->pg, sql);
        ExecStatusType st = PQresultStatus(r);
        int outcome = 0;
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
            /* a constraint (class 23) or a trigger's RAISE (P0001) */
            outcome = state && (strncmp(state, "23", 2) == 0 ||
                                strcmp(state, "P0001") == 0)
                          ? 1
                          : -1;
            if (outcome < 0)
                fprintf(stderr, "harness: %s: %s", sql,
                        PQresultErrorMessage(r));
        }
        PQclear(r);
        return outcome;
    }
    char *msg = NULL;
    int rc = sqlite3_exec(db->lite, sql, NULL, NULL, &msg);
    int outcome = rc == SQLITE_OK ? 0
                  : (sqlite3_extended_errcode(db->lite) & 0xff) ==
                          SQLITE_CONSTRAINT
                      ? 1
                      : -1;
    if (outcome < 0)
        fprintf(stderr, "harness: %s: %s\n", sql, msg ? msg : "?");
    sqlite3_free(msg);
    return outcome;
}

void rp_db_hold_writes(rp_db *db)
{
    if (db->pg) {
        char sql[120];
        snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(%lld)",
                 RP_PG_WRITER_LOCK_KEY);
        assert_int_equal(rp_db_run(db, sql), 0);
    } else {
        assert_int_equal(rp_db_run(db, "BEGIN IMMEDIATE"), 0);
    }
}

long long rp_db_version(rp_db *db)
{
    /* PostgreSQL: the snapshot's xmax moves on when any transaction that
     * wrote ends; reads take no transaction id */
    return rp_db_value(db, db->pg ? "SELECT pg_snapshot_xmax("
                                    "pg_current_snapshot())::text::bigint"
                                  : "PRAGMA data_version");
}

static void hash_bytes(unsigned long long *h, const void *p, size_t n)
{
    const unsigned char *v = p;
    for (size_t k = 0; k < n; k++)
        *h = (*h ^ v[k]) * 1099511628211ULL;
    *h = (*h ^ 0xff) * 1099511628211ULL;
}

/* SQLite: every value of every row of table, in the order they are
 * stored. */
static void fingerprint_table(rp_db *db, const char *table,
                              unsigned long long *h)
{
    rp_buf sql = RP_BUF_INIT;
    rp_buf_printf(&sql, "SELECT * FROM \"%s\"", table);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->lite, rp_buf_str(&sql), -1, &st, NULL);
    rp_buf_free(&sql);
    if (rc != SQLITE_OK)
        return;
    while (sqlite3_step(st) == SQLITE_ROW)
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const void *v = sqlite3_column_blob(st, i);
            hash_bytes(h, v, (size_t)sqlite3_column_bytes(st, i));
        }
    sqlite3_finalize(st);
}

/* The names of the desk's tables, in name order (free each and the
 * array); *n is set to their number. */
static char **table_names(rp_db *db, int *n)
{
    *n = 0;
    char **names = NULL;
    if (db->pg) {
        PGresult *r = PQexec(db->pg, "SELECT tablename FROM pg_tables WHERE"
                                     " schemaname = 'public' ORDER BY 1");
        assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
        names = calloc((size_t)PQntuples(r) + 1, sizeof *names);
        assert_non_null(names);
        for (int i = 0; i < PQntuples(r); i++)
            names[(*n)++] = strdup(PQgetvalue(r, i, 0));
        PQclear(r);
        return names;
    }
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db->lite,
                                        "SELECT name FROM sqlite_master WHERE "
                                        "type='table' AND name NOT LIKE "
                                        "'sqlite_%' ORDER BY name",
                                        -1, &st, NULL),
                     SQLITE_OK);
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if ((size_t)*n + 1 >= cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
            assert_non_null(names);
        }
        names[(*n)++] = strdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return names;
}

static void free_names(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* PostgreSQL: the whole fingerprint in one statement, each table's rows
 * as text, sorted (a row rewritten unchanged moves in PostgreSQL's heap,
 * and must not look like a change) and hashed by the server, since a
 * round trip per table would make a test of hundreds of checks slow. */
static void fingerprint_pg(rp_db *db, char **names, int n,
                           int (*leave_out)(const char *table),
                           unsigned long long *h)
{
    rp_buf sql = RP_BUF_INIT;
    int parts = 0;
    for (int i = 0; i < n; i++) {
        if (leave_out && leave_out(names[i]))
            continue;
        rp_buf_printf(&sql,
                      "%sSELECT %d AS n, md5(coalesce(string_agg(t::text,"
                      " E'\\n' ORDER BY t::text), '')) AS h FROM \"%s\" t",
                      parts++ ? " UNION ALL " : "", i, names[i]);
    }
    if (!parts) {
        rp_buf_free(&sql);
        return;
    }
    rp_buf all = RP_BUF_INIT;
    rp_buf_printf(&all, "SELECT string_agg(h, '' ORDER BY n) FROM (%s) x",
                  rp_buf_str(&sql));
    rp_buf_free(&sql);
    PGresult *r = PQexec(db->pg, rp_buf_str(&all));
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("fingerprint: %s", PQresultErrorMessage(r));
    rp_buf_free(&all);
    hash_bytes(h, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
    PQclear(r);
}

unsigned long long rp_db_fingerprint(rp_db *db,
                                     int (*leave_out)(const char *table))
{
    unsigned long long h = 1469598103934665603ULL;
    int n;
    char **names = table_names(db, &n);
    if (db->pg)
        fingerprint_pg(db, names, n, leave_out, &h);
    else
        for (int i = 0; i < n; i++)
            if (!leave_out || !leave_out(names[i]))
                fingerprint_table(db, names[i], &h);
    free_names(names, n);
    return h;
}

long long rp_db_number(rp_srv *s, const char *sql)
{
    rp_db *db = rp_db_open(s);
    long long v = rp_db_value(db, sql);
    rp_db_close(db);
    return v;
}

int rp_db_exec(rp_srv *s, const char *sql)
{
    rp_db *db = rp_db_open(s);
    int outcome = rp_db_run(db, sql);
    rp_db_close(db);
    return outcome;
}

long rp_db_count(rp_srv *s, const char *table)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    return (long)rp_db_number(s, sql);
}

/* Is text in the file at path? */
static int file_holds(const char *path, const char *text)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    rp_buf b = RP_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rp_buf_append(&b, chunk, n);
    fclose(f);
    assert_false(b.failed);
    int found = b.len && memmem(b.p, b.len, text, strlen(text)) != NULL;
    rp_buf_free(&b);
    return found;
}

int rp_db_holds(rp_srv *s, const char *text)
{
    if (!s->pgdb[0]) {
        char wal[400];
        snprintf(wal, sizeof wal, "%s-wal", s->db);
        int found = 0;
        if (file_holds(s->db, text)) {
            fprintf(stderr, "harness: \"%s\" is in %s\n", text, s->db);
            found = 1;
        }
        if (file_holds(wal, text)) {
            fprintf(stderr, "harness: \"%s\" is in %s\n", text, wal);
            found = 1;
        }
        return found;
    }
    rp_db *db = rp_db_open(s);
    int n, found = 0;
    char **names = table_names(db, &n);
    for (int i = 0; i < n; i++) {
        const char *values[] = {text};
        rp_buf sql = RP_BUF_INIT;
        rp_buf_printf(&sql,
                      "SELECT count(*) FROM \"%s\" t WHERE"
                      " strpos(t::text, $1) > 0",
                      names[i]);
        PGresult *r = PQexecParams(db->pg, rp_buf_str(&sql), 1, NULL, values,
                                   NULL, NULL, 0);
        rp_buf_free(&sql);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            fail_msg("looking for text in %s: %s", names[i],
                     PQresultErrorMessage(r));
        if (atol(PQgetvalue(r, 0, 0)) > 0) {
            fprintf(stderr, "harness: \"%s\" is in table %s\n", text, names[i]);
            found = 1;
        }
        PQclear(r);
    }
    free_names(names, n);
    rp_db_close(db);
    return found;
}

void rp_db_copy(rp_srv *s, rp_srv *copy)
{
    memset(copy, 0, sizeof *copy);
    snprintf(copy->dir, sizeof copy->dir, "/tmp/rapport-e2e-XXXXXX");
    assert_non_null(mkdtemp(copy->dir));
    if (s->pgdb[0]) {
        assert_true(s->pid <= 0); /* a template has no one connected */
        pg_make(copy, s->pgdb);
        return;
    }
    snprintf(copy->db, sizeof copy->db, "%s/rapport.db", copy->dir);
    sqlite3 *from, *to;
    assert_int_equal(sqlite3_open_v2(s->db, &from, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_open(copy->db, &to), SQLITE_OK);
    sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
    assert_non_null(b);
    assert_int_equal(sqlite3_backup_step(b, -1), SQLITE_DONE);
    assert_int_equal(sqlite3_backup_finish(b), SQLITE_OK);
    sqlite3_close(to);
    sqlite3_close(from);
}

char *rp_repeat(const char *unit, int n)
{
    size_t len = strlen(unit);
    char *out = malloc(len * (size_t)n + 1);
    assert_non_null(out);
    for (int i = 0; i < n; i++)
        memcpy(out + len * (size_t)i, unit, len);
    out[len * (size_t)n] = '\0';
    return out;
}

double rp_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t burst_drop_body(char *p, size_t size, size_t n, void *u)
{
    (void)p;
    (void)u;
    return size * n;
}

static size_t burst_retry_after(char *p, size_t size, size_t n, void *u)
{
    rp_burst_req *r = u;
    size_t len = size * n;
    if (len > 13 && strncasecmp(p, "Retry-After: ", 13) == 0) {
        size_t vl = strcspn(p + 13, "\r\n");
        snprintf(r->retry_after, sizeof r->retry_after, "%.*s",
                 (int)(vl > 20 ? 20 : vl), p + 13);
    }
    return len;
}

double rp_burst(rp_burst_req *reqs, int n, int sent_fd)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *m = curl_multi_init();
    struct curl_slist **headers = calloc((size_t)n, sizeof *headers);
    assert_non_null(headers);
    CURL **easy = calloc((size_t)n, sizeof *easy);
    assert_non_null(easy);
    double start = rp_now_s();
    for (int i = 0; i < n; i++) {
        rp_burst_req *r = &reqs[i];
        r->status = 0;
        r->seconds = 0;
        r->retry_after[0] = '\0';
        CURL *e = easy[i] = curl_easy_init();
        assert_non_null(e);
        curl_easy_setopt(e, CURLOPT_URL, r->url);
        if (r->body[0]) {
            headers[i] = curl_slist_append(headers[i],
                                           "Content-Type: application/json");
            headers[i] = curl_slist_append(headers[i], "Expect:");
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
        }
        if (r->token) {
            char bearer[256];
            snprintf(bearer, sizeof bearer, "Authorization: Bearer %s",
                     r->token);
            headers[i] = curl_slist_append(headers[i], bearer);
        }
        if (headers[i])
            curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers[i]);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, burst_drop_body);
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, burst_retry_after);
        curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
        curl_easy_setopt(e, CURLOPT_INTERFACE, "host!127.0.0.1");
        curl_easy_setopt(e, CURLOPT_TIMEOUT, 120L);
        curl_multi_add_handle(m, e);
    }
    int running = 1, told = sent_fd < 0;
    while (running) {
        curl_multi_perform(m, &running);
        if (!told && rp_now_s() - start > 0.2) {
            dprintf(sent_fd, "sent\n"); /* every request is on its way */
            told = 1;
        }
        curl_multi_poll(m, NULL, 0, 50, NULL);
    }
    if (!told)
        dprintf(sent_fd, "sent\n");
    for (int i = 0; i < n; i++) {
        curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &reqs[i].status);
        curl_easy_getinfo(easy[i], CURLINFO_TOTAL_TIME, &reqs[i].seconds);
        curl_multi_remove_handle(m, easy[i]);
        curl_easy_cleanup(easy[i]);
        curl_slist_free_all(headers[i]);
    }
    double took = rp_now_s() - start;
    curl_multi_cleanup(m);
    free(easy);
    free(headers);
    curl_global_cleanup();
    return took;
}
