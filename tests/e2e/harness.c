/*
 * harness.c - the end-to-end test harness (see harness.h).
 */
#include "harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"

/* ---- the response log of the contract test ------------------------------
 *
 * When RP_CONTRACT_LOG names a directory, every response to a request under
 * /api/v1/ is appended to <dir>/<test program>.jsonl as one JSON object
 * (method, path with its query, status, content type, body), and the
 * contract test (tests/contract/responses.mjs) checks each against the
 * OpenAPI document.  The file is emptied at the first response, so a test
 * run leaves the log of that run only.  A mutex keeps the lines whole when
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
        snprintf(file, sizeof file, "%s/%s.jsonl", dir,
                 program_invocation_short_name);
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

void rp_srv_init(rp_srv *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/rapport-e2e-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->db, sizeof s->db, "%s/rapport.db", s->dir);
    s->pid = 0;
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
    if (access(s->db, F_OK) != 0 && !s->token[0])
        bootstrap_admin(s);
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

long rp_db_count(rp_srv *s, const char *table)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(s->db, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void fingerprint_table(sqlite3 *db, const char *table,
                              unsigned long long *h)
{
    rp_buf sql = RP_BUF_INIT;
    rp_buf_printf(&sql, "SELECT * FROM \"%s\"", table);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, rp_buf_str(&sql), -1, &st, NULL);
    rp_buf_free(&sql);
    if (rc != SQLITE_OK)
        return;
    while (sqlite3_step(st) == SQLITE_ROW)
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const unsigned char *v = sqlite3_column_blob(st, i);
            int n = sqlite3_column_bytes(st, i);
            for (int k = 0; k < n; k++)
                *h = (*h ^ v[k]) * 1099511628211ULL;
            *h = (*h ^ 0xff) * 1099511628211ULL;
        }
    sqlite3_finalize(st);
}

unsigned long long rp_db_fingerprint(sqlite3 *db,
                                     int (*leave_out)(const char *table))
{
    unsigned long long h = 1469598103934665603ULL;
    sqlite3_stmt *tables;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT name FROM sqlite_master WHERE "
                                        "type='table' AND name NOT LIKE "
                                        "'sqlite_%' ORDER BY name",
                                        -1, &tables, NULL),
                     SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(tables, 0);
        if (!leave_out || !leave_out(t))
            fingerprint_table(db, t, &h);
    }
    sqlite3_finalize(tables);
    return h;
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
