/*
 * fleet_test.c - several servers, one desk: three real rapportd on one
 * real PostgreSQL 15, with Debian's haproxy in front of them (round robin,
 * a health check on /healthz), as a desk that outgrows one machine runs.
 * Through haproxy and straight to each server, the test checks that:
 *
 *   - a session made through one server works on the others, its logout
 *     ends it everywhere, and failed logins are counted across servers
 *     and against the client haproxy names (RAPPORT_TRUSTED_PROXIES);
 *   - writes spread over the three are all read back through each;
 *   - one rapportd killed with SIGKILL under write load (several client
 *     threads writing through haproxy) loses no acknowledged write (every
 *     write that got a 2xx is read back after, through every server)
 *     while the others keep serving, haproxy routing around it;
 *   - the scheduler running in all three sends each due reminder exactly
 *     once, counted at the SMTP sink.
 *
 * Nothing is shared between the servers but the database: this is the
 * proof that rapportd keeps no state of its own a request depends on.
 * PostgreSQL is the ctest fixture's server (RAPPORT_TEST_DB) with a
 * database of this test's own, or, run by hand without it, a server this
 * test starts (tests/pg/pg-start).  haproxy runs as the user "nobody"
 * when the test runs as root, with its configuration in a temp folder,
 * listening on loopback only.
 */
#include <curl/curl.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../e2e/harness.h"
#include "../e2e/sinks.h"
#include "base/buf.h"
#include "support/pg_db.h"

#define PG_SCRIPTS RP_SOURCE_DIR "/tests/pg"
#define HAPROXY "/usr/sbin/haproxy"
#define NSRV 3

typedef struct fleet {
    char pg_dir[64];    /* a server of the test's own, "" for the fixture's */
    char conninfo[200]; /* the PostgreSQL server, no database named */
    char dbname[64];
    rp_srv srv[NSRV];
    rp_srv lb;       /* haproxy: its url and the admin's token, no process */
    char lb_dir[64]; /* haproxy's configuration */
    pid_t haproxy;
    rp_sink smtp;
} fleet;

static fleet F;

/* ---- PostgreSQL -----------------------------------------------------------
 */

/* ---- haproxy --------------------------------------------------------------
 */

/* A loopback port free at this moment (haproxy cannot announce the one
 * it picked, so the test picks one for it). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* Write haproxy's configuration for the three servers and start it in
 * the foreground, as nobody when the test runs as root. */
static void haproxy_start(void)
{
    snprintf(F.lb_dir, sizeof F.lb_dir, "/tmp/rp-fleet-lb-XXXXXX");
    assert_non_null(mkdtemp(F.lb_dir));
    chmod(F.lb_dir, 0755); /* readable by nobody */
    int port = free_port();
    char cfg[300];
    snprintf(cfg, sizeof cfg, "%s/haproxy.cfg", F.lb_dir);
    FILE *f = fopen(cfg, "w");
    assert_non_null(f);
    /* retries with redispatch: a connection the dead server refuses is
     * tried again on another (nothing was sent yet); a request in flight
     * when it died is answered 502, never retried, as the write may have
     * happened.  The health check takes the server out within ~1.5 s. */
    fprintf(f,
            "global\n"
            "    maxconn 256\n"
            "defaults\n"
            "    mode http\n"
            "    timeout connect 2s\n"
            "    timeout client 30s\n"
            "    timeout server 30s\n"
            "    timeout check 3s\n"
            "    retries 3\n"
            "    option redispatch 1\n"
            "    option forwardfor\n"
            "frontend desk\n"
            "    bind 127.0.0.1:%d\n"
            "    default_backend rapportd\n"
            "backend rapportd\n"
            "    balance roundrobin\n"
            "    option httpchk GET /healthz\n"
            "    http-check expect status 200\n"
            "    http-response set-header X-Served-By %%[srv_name]\n"
            "    default-server check inter 500ms fall 3 rise 2 maxconn 32\n",
            port);
    for (int i = 0; i < NSRV; i++)
        fprintf(f, "    server r%d %s\n", i + 1, F.srv[i].url + 7);
    fclose(f);
    chmod(cfg, 0644);

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (getuid() == 0) {
            struct passwd *pw = getpwnam("nobody");
            if (!pw || setgroups(0, NULL) || setgid(pw->pw_gid) ||
                setuid(pw->pw_uid))
                _exit(126);
        }
        /* after the change of user, which clears it */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        execl(HAPROXY, "haproxy", "-db", "-f", cfg, (char *)NULL);
        _exit(127);
    }
    F.haproxy = pid;
    F.lb = F.srv[0];
    F.lb.pid = 0;
    snprintf(F.lb.url, sizeof F.lb.url, "http://127.0.0.1:%d", port);
}

static void haproxy_stop(void)
{
    if (F.haproxy > 0) {
        kill(F.haproxy, SIGTERM);
        waitpid(F.haproxy, NULL, 0);
        F.haproxy = 0;
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", F.lb_dir);
    if (F.lb_dir[0] && system(cmd) != 0)
        fprintf(stderr, "fleet: could not remove %s\n", F.lb_dir);
}

/* ---- requests from any thread --------------------------------------------
 *
 * The harness's requests assert, which only the test's own thread may do;
 * the writers under load send with these, which never assert, and learn
 * which server answered from the header haproxy adds. */

typedef struct reply {
    long status; /* 0: no HTTP answer at all */
    json_t *json;
    char served_by[16];
} reply;

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    rp_buf_append(arg, data, size * n);
    return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    reply *r = arg;
    size_t k = size * n;
    if (k > 13 && strncasecmp(data, "X-Served-By: ", 13) == 0) {
        size_t vl = strcspn(data + 13, "\r\n");
        if (vl >= sizeof r->served_by)
            vl = sizeof r->served_by - 1;
        memcpy(r->served_by, data + 13, vl);
        r->served_by[vl] = '\0';
    }
    return k;
}

/* Send method path (body: JSON or NULL) to s with s->token, unless
 * headers are given (then with those only); fill *r (free with
 * reply_free). */
static void send_to(const rp_srv *s, const char *method, const char *path,
                    const char *body, const char *const *headers, reply *r)
{
    memset(r, 0, sizeof *r);
    CURL *c = curl_easy_init();
    if (!c)
        return;
    char url[256], auth[200];
    snprintf(url, sizeof url, "%s%s", s->url, path);
    struct curl_slist *h = curl_slist_append(NULL, "Expect:");
    if (body)
        h = curl_slist_append(h, "Content-Type: application/json");
    if (headers) {
        for (int i = 0; headers[i]; i++)
            h = curl_slist_append(h, headers[i]);
    } else {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", s->token);
        h = curl_slist_append(h, auth);
    }
    rp_buf b = RP_BUF_INIT;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    char source[48];
    if (s->source[0]) {
        snprintf(source, sizeof source, "host!%s", s->source);
        curl_easy_setopt(c, CURLOPT_INTERFACE, source);
    }
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    if (b.p)
        r->json = json_loadb(b.p, b.len, 0, NULL);
    rp_buf_free(&b);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

static void reply_free(reply *r)
{
    json_decref(r->json);
    r->json = NULL;
}

/* GET path on s, expecting 200; the answer's JSON (caller decrefs). */
static json_t *get_ok(const rp_srv *s, const char *path)
{
    reply r;
    send_to(s, "GET", path, NULL, NULL, &r);
    if (r.status != 200)
        fail_msg("GET %s%s: %ld", s->url, path, r.status);
    return r.json;
}

/* The name of customer id as s reads it (caller frees), NULL when s
 * does not find it. */
static char *name_on(const rp_srv *s, long long id)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/customers/%lld", id);
    reply r;
    send_to(s, "GET", path, NULL, NULL, &r);
    char *name = NULL;
    if (r.status == 200)
        name = strdup(json_string_value(json_object_get(r.json, "name")));
    else if (r.status != 404)
        fail_msg("GET %s%s: %ld", s->url, path, r.status);
    reply_free(&r);
    return name;
}

/* ---- the fleet -------------------------------------------------------------
 */

static int fleet_up(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const char *fixture = getenv("RAPPORT_TEST_DB");
    if (fixture && *fixture) {
        snprintf(F.conninfo, sizeof F.conninfo, "%s", fixture);
    } else {
        char cmd[200];
        snprintf(F.pg_dir, sizeof F.pg_dir, "/tmp/rp-fleet-pg-XXXXXX");
        assert_non_null(mkdtemp(F.pg_dir));
        snprintf(cmd, sizeof cmd, "%s/pg-start %s", PG_SCRIPTS, F.pg_dir);
        rp_test_run(cmd, F.conninfo, sizeof F.conninfo);
    }
    snprintf(F.dbname, sizeof F.dbname, "fleet_%d", (int)getpid());
    rp_test_pg_create_empty(F.conninfo, F.dbname);

    rp_sink_start(&F.smtp, "smtp_sink.py", "0");
    char url[128];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", F.smtp.port);
    setenv("RAPPORT_SMTP_URL", url, 1);
    setenv("RAPPORT_SMTP_FROM", "desk@fleet.example", 1);
    setenv("RAPPORT_PUBLIC_URL", "https://desk.example", 1);
    setenv("RAPPORT_SCHEDULER_INTERVAL", "1", 1); /* all three run it */
    /* two tasks a claim, so the three schedulers take turns at them */
    setenv("RAPPORT_TASK_BATCH", "2", 1);
    setenv("TZ", "UTC", 1);
    /* haproxy connects from 127.0.0.1 and names the client */
    setenv("RAPPORT_TRUSTED_PROXIES", "127.0.0.1", 1);

    for (int i = 0; i < NSRV; i++) {
        rp_srv *s = &F.srv[i];
        rp_srv_init(s);
        snprintf(s->db, sizeof s->db, "%s dbname=%s", F.conninfo, F.dbname);
        if (i > 0) { /* the first made the admin and its token */
            snprintf(s->token, sizeof s->token, "%s", F.srv[0].token);
            snprintf(s->admin_email, sizeof s->admin_email, "%s",
                     F.srv[0].admin_email);
            snprintf(s->admin_password, sizeof s->admin_password, "%s",
                     F.srv[0].admin_password);
            s->admin_id = F.srv[0].admin_id;
        }
        rp_srv_start(s);
    }
    haproxy_start();
    /* haproxy answers once it listens and has found the servers healthy */
    reply r = {0};
    for (int i = 0; i < 200; i++) {
        send_to(&F.lb, "GET", "/healthz", NULL, NULL, &r);
        reply_free(&r);
        if (r.status == 200)
            break;
        usleep(100 * 1000);
    }
    assert_int_equal(r.status, 200);
    return 0;
}

static int fleet_down(void **state)
{
    (void)state;
    haproxy_stop();
    for (int i = 0; i < NSRV; i++) {
        rp_srv_stop(&F.srv[i]);
        rp_srv_cleanup(&F.srv[i]);
    }
    rp_sink_stop(&F.smtp);
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)",
             F.dbname);
    rp_test_pg_sql(F.conninfo, "postgres", sql, NULL);
    if (F.pg_dir[0]) {
        char cmd[200];
        snprintf(cmd, sizeof cmd, "%s/pg-stop %s", PG_SCRIPTS, F.pg_dir);
        rp_test_run(cmd, NULL, 0);
    }
    curl_global_cleanup();
    return 0;
}

/* ---- sessions --------------------------------------------------------------
 */

/* POST /session with body to s from address from; the reply's status,
 * and the cookie and CSRF token of a session made. */
static long login(const rp_srv *s, const char *from, const char *password,
                  char *cookie, size_t cn, char *csrf, size_t csn)
{
    rp_srv anon = *s;
    anon.token[0] = '\0';
    snprintf(anon.source, sizeof anon.source, "%s", from);
    json_t *b = json_pack("{s:s, s:s}", "email", s->admin_email, "password",
                          password);
    char *text = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    rp_http r;
    rp_http_send(&anon, "POST", "/api/v1/session", "application/json", text,
                 strlen(text), NULL, &r);
    free(text);
    long status = r.status;
    if (status == 201 && cookie) {
        snprintf(cookie, cn, "Cookie: %.*s", (int)strcspn(r.set_cookie, ";"),
                 r.set_cookie);
        snprintf(csrf, csn, "X-CSRF-Token: %s",
                 json_string_value(json_object_get(r.json, "csrf_token")));
    }
    rp_http_free(&r);
    return status;
}

static void test_a_session_made_on_one_server_works_on_all(void **state)
{
    (void)state;
    char cookie[300], csrf[120];
    assert_int_equal(login(&F.srv[0], "127.0.0.1", F.srv[0].admin_password,
                           cookie, sizeof cookie, csrf, sizeof csrf),
                     201);
    const char *h_read[] = {cookie, NULL};
    const char *h_write[] = {cookie, csrf, NULL};
    reply r;
    for (int i = 0; i < NSRV; i++) {
        send_to(&F.srv[i], "GET", "/api/v1/session", NULL, h_read, &r);
        assert_int_equal(r.status, 200);
        assert_string_equal(json_string_value(json_object_get(
                                json_object_get(r.json, "agent"), "email")),
                            F.srv[0].admin_email);
        reply_free(&r);
    }
    /* a change with the session's CSRF token, on a server that did not
     * make it */
    send_to(&F.srv[2], "POST", "/api/v1/customers",
            "{\"name\":\"Made Through Server 3\"}", h_write, &r);
    assert_int_equal(r.status, 201);
    reply_free(&r);
    /* through haproxy, every server answers for the session */
    int seen[NSRV] = {0};
    for (int i = 0; i < 3 * NSRV; i++) {
        send_to(&F.lb, "GET", "/api/v1/session", NULL, h_read, &r);
        assert_int_equal(r.status, 200);
        assert_true(r.served_by[0] == 'r');
        int k = atoi(r.served_by + 1);
        assert_true(k >= 1 && k <= NSRV);
        seen[k - 1]++;
        reply_free(&r);
    }
    for (int i = 0; i < NSRV; i++)
        assert_true(seen[i] > 0); /* round robin reached all three */
    /* logging out on the second server ends it on all */
    send_to(&F.srv[1], "DELETE", "/api/v1/session", NULL, h_write, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    for (int i = 0; i < NSRV; i++) {
        send_to(&F.srv[i], "GET", "/api/v1/session", NULL, h_read, &r);
        assert_int_equal(r.status, 401);
        reply_free(&r);
    }
}

/* Failed logins are counted in the database: five wrong passwords from
 * one address, spread over the three servers, and the sixth attempt
 * waits on any of them, even with the right password. */
static void test_failed_logins_are_counted_across_servers(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++)
        assert_int_equal(login(&F.srv[i % NSRV], "127.0.0.2",
                               "not the password", NULL, 0, NULL, 0),
                         401);
    for (int i = 0; i < NSRV; i++)
        assert_int_equal(login(&F.srv[i], "127.0.0.2", F.srv[0].admin_password,
                               NULL, 0, NULL, 0),
                         429);
}

/* A login through haproxy from address from, with extra (a header line,
 * or NULL); the reply's status. */
static long login_through_lb(const char *from, const char *password,
                             const char *extra)
{
    rp_srv lb = F.lb;
    snprintf(lb.source, sizeof lb.source, "%s", from);
    json_t *b = json_pack("{s:s, s:s}", "email", F.srv[0].admin_email,
                          "password", password);
    char *text = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    const char *headers[] = {extra ? extra : "X-Nothing: 1", NULL};
    reply r;
    send_to(&lb, "POST", "/api/v1/session", text, headers, &r);
    free(text);
    reply_free(&r);
    return r.status;
}

/*
 * Behind haproxy every connection comes from haproxy.  With
 * RAPPORT_TRUSTED_PROXIES naming it, failed logins count against the
 * client haproxy names, not against haproxy (which would slow every
 * agent at once), and what a client writes in X-Forwarded-For itself is
 * not believed.
 */
static void test_behind_haproxy_failures_count_against_the_client(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++)
        assert_int_equal(login_through_lb("127.0.0.3", "not the password",
                                          "X-Forwarded-For: 127.0.0.4"),
                         401);
    /* another client signs in at once; the guesser waits */
    assert_int_equal(
        login_through_lb("127.0.0.4", F.srv[0].admin_password, NULL), 201);
    assert_int_equal(
        login_through_lb("127.0.0.3", F.srv[0].admin_password, NULL), 429);
}

/* ---- writes spread, read back everywhere -----------------------------------
 */

static long long create(const rp_srv *s, const char *name, reply *r)
{
    json_t *b = json_pack("{s:s}", "name", name);
    char *text = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    send_to(s, "POST", "/api/v1/customers", text, NULL, r);
    free(text);
    long long id = 0;
    if (r->status == 201)
        id = (long long)json_integer_value(json_object_get(r->json, "id"));
    reply_free(r);
    return id;
}

#define SPREAD 40

static void test_writes_spread_over_all_are_read_through_each(void **state)
{
    (void)state;
    long long ids[SPREAD];
    char names[SPREAD][48];
    const rp_srv *where[NSRV + 1] = {&F.srv[0], &F.srv[1], &F.srv[2], &F.lb};
    for (int i = 0; i < SPREAD; i++) {
        reply r;
        snprintf(names[i], sizeof names[i], "Spread Écrit %d via %d", i,
                 i % (NSRV + 1));
        ids[i] = create(where[i % (NSRV + 1)], names[i], &r);
        assert_int_equal(r.status, 201);
    }
    for (int w = 0; w <= NSRV; w++)
        for (int i = 0; i < SPREAD; i++) {
            char *name = name_on(where[w], ids[i]);
            assert_non_null(name);
            assert_string_equal(name, names[i]);
            free(name);
        }
    /* and listed alike: each server lists the same customers */
    long n0 = rp_list_count(&F.srv[0], "/api/v1/customers");
    assert_true(n0 >= SPREAD);
    for (int w = 1; w <= NSRV; w++)
        assert_int_equal(rp_list_count((rp_srv *)where[w], "/api/v1/customers"),
                         n0);
}

/* ---- the scheduler in all three --------------------------------------------
 */

#define REMINDERS 24

static void test_each_due_reminder_is_sent_once(void **state)
{
    (void)state;
    /* customers who agreed to reminders by email, then appointments whose
     * reminders (a day before) fall due a few seconds from now, all at
     * once, while the three schedulers run every second */
    long long ids[REMINDERS];
    for (int i = 0; i < REMINDERS; i++) {
        const rp_srv *s = &F.srv[i % NSRV];
        char body[200], path[96];
        snprintf(body, sizeof body,
                 "{\"name\":\"Reminded %d\",\"emails\":"
                 "[\"reminded-%d@fleet.example\"]}",
                 i, i);
        json_t *c = rp_callf((rp_srv *)s, "POST", "/api/v1/customers", 201,
                             body);
        ids[i] = (long long)json_integer_value(json_object_get(c, "id"));
        json_decref(c);
        snprintf(path, sizeof path, "/api/v1/customers/%lld/consents", ids[i]);
        json_decref(rp_callf((rp_srv *)s, "POST", path, 201,
                             "{\"purpose\":\"reminders\",\"granted\":true}"));
    }
    time_t due = time(NULL) + 3;
    char at[32];
    struct tm tm;
    time_t when = due + 86400;
    gmtime_r(&when, &tm);
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    for (int i = 0; i < REMINDERS; i++) {
        char body[200], path[96];
        snprintf(path, sizeof path, "/api/v1/customers/%lld/dates", ids[i]);
        snprintf(body, sizeof body,
                 "{\"kind\":\"appointment\",\"title\":\"yearly check %d\","
                 "\"at\":\"%s\"}",
                 i, at);
        json_decref(
            rp_callf((rp_srv *)&F.srv[i % NSRV], "POST", path, 201, body));
    }
    if (time(NULL) >= due)
        printf("fleet: the reminders were set up after they fell due\n");
    /* every reminder sent (by whichever scheduler claimed it) ... */
    double start = rp_now_s();
    long sent = 0;
    while (rp_now_s() - start < 40) {
        sent = rp_list_count(&F.srv[0], "/api/v1/tasks?status=sent");
        if (sent >= REMINDERS &&
            rp_sink_count(&F.smtp, "msg-", ".eml") >= REMINDERS)
            break;
        usleep(250 * 1000);
    }
    assert_int_equal(sent, REMINDERS);
    /* ... and, two more rounds of all three later, none twice */
    sleep(2);
    assert_int_equal(rp_sink_count(&F.smtp, "msg-", ".eml"), REMINDERS);
    int got[REMINDERS] = {0};
    for (int m = 1; m <= REMINDERS; m++) {
        char name[32];
        snprintf(name, sizeof name, "msg-%d.json", m);
        char *env = rp_sink_read(&F.smtp, name);
        assert_non_null(env);
        const char *p = strstr(env, "reminded-");
        assert_non_null(p);
        int i = atoi(p + 9);
        assert_true(i >= 0 && i < REMINDERS);
        got[i]++;
        free(env);
    }
    for (int i = 0; i < REMINDERS; i++)
        assert_int_equal(got[i], 1);
    assert_int_equal(rp_list_count(&F.srv[1], "/api/v1/tasks?status=sent"),
                     REMINDERS);
    /* which servers claimed them (for the log: on a loaded machine one
     * may win every claim, which is as correct) */
    PGresult *rows;
    rp_test_pg_sql(
        F.conninfo, F.dbname,
        "SELECT claimed_by, count(*) FROM tasks WHERE status = 'sent'"
        " GROUP BY claimed_by ORDER BY claimed_by",
        &rows);
    for (int i = 0; i < PQntuples(rows); i++)
        printf("fleet: %s reminders sent by %s\n", PQgetvalue(rows, i, 1),
               PQgetvalue(rows, i, 0));
    PQclear(rows);
}

/* ---- a server killed under write load -------------------------------------
 */

#define WRITERS 4
#define MAX_WRITES 4000

typedef struct writer {
    int n;
    volatile int *stop;
    double kill_at; /* when the server was killed, 0 before */
    int done;
    long long ids[MAX_WRITES];
    double at[MAX_WRITES];
    long status[MAX_WRITES];
    char name[MAX_WRITES][32];
    int failed_late; /* refusals past the kill's first two seconds */
} writer;

static volatile double killed_at;

static void *write_loop(void *arg)
{
    writer *w = arg;
    while (!*w->stop && w->done < MAX_WRITES) {
        int k = w->done;
        snprintf(w->name[k], sizeof w->name[k], "Load %d-%d", w->n, k);
        reply r;
        w->ids[k] = create(&F.lb, w->name[k], &r);
        w->status[k] = r.status;
        w->at[k] = rp_now_s();
        double ka = killed_at;
        if (r.status != 201 && ka > 0 && w->at[k] > ka + 2.0)
            w->failed_late++;
        w->done++;
    }
    return NULL;
}

static void test_a_server_killed_under_load_loses_no_write(void **state)
{
    (void)state;
    static writer ws[WRITERS];
    volatile int stop = 0;
    pthread_t t[WRITERS];
    killed_at = 0;
    for (int i = 0; i < WRITERS; i++) {
        memset(&ws[i], 0, sizeof ws[i]);
        ws[i].n = i;
        ws[i].stop = &stop;
        assert_int_equal(pthread_create(&t[i], NULL, write_loop, &ws[i]), 0);
    }
    usleep(1500 * 1000);
    rp_srv_kill(&F.srv[1]); /* SIGKILL, mid-write */
    killed_at = rp_now_s();
    usleep(4000 * 1000);
    stop = 1;
    for (int i = 0; i < WRITERS; i++)
        pthread_join(t[i], NULL);

    int acked = 0, refused = 0, after = 0, late = 0;
    for (int i = 0; i < WRITERS; i++) {
        late += ws[i].failed_late;
        for (int k = 0; k < ws[i].done; k++) {
            if (ws[i].status[k] == 201) {
                acked++;
                after += ws[i].at[k] > killed_at + 2.0;
            } else {
                refused++;
            }
        }
    }
    printf("fleet: %d writes acknowledged, %d refused (in flight at the "
           "kill), %d acknowledged two seconds after it\n",
           acked, refused, after);
    assert_true(acked > 0);
    assert_true(after > 0);    /* the other two kept serving */
    assert_int_equal(late, 0); /* haproxy routed around the dead one */

    /* the killed server starts again on the same database (on a new
     * port: it is read directly) */
    rp_srv_start(&F.srv[1]);
    const rp_srv *where[] = {&F.lb, &F.srv[0], &F.srv[1], &F.srv[2]};
    for (size_t w = 0; w < sizeof where / sizeof *where; w++)
        for (int i = 0; i < WRITERS; i++)
            for (int k = 0; k < ws[i].done; k++) {
                if (ws[i].status[k] != 201)
                    continue;
                char *name = name_on(where[w], ws[i].ids[k]);
                if (!name)
                    fail_msg("acknowledged write %s (id %lld) lost on %s",
                             ws[i].name[k], ws[i].ids[k], where[w]->url);
                assert_string_equal(name, ws[i].name[k]);
                free(name);
            }
    /* haproxy still serves, the dead server out of its rotation */
    for (int i = 0; i < 2 * NSRV; i++) {
        json_decref(get_ok(&F.lb, "/healthz"));
    }
}

int main(void)
{
    if (access(HAPROXY, X_OK) != 0) {
        printf("fleet: no haproxy at " HAPROXY
               " (scripts/install-deps installs it); skipped\n");
        return 77;
    }
    if (access("/usr/lib/postgresql/15/bin/postgres", X_OK) != 0) {
        printf("fleet: no PostgreSQL 15 (scripts/install-deps installs "
               "postgresql-15); skipped\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_session_made_on_one_server_works_on_all),
        cmocka_unit_test(test_failed_logins_are_counted_across_servers),
        cmocka_unit_test(test_behind_haproxy_failures_count_against_the_client),
        cmocka_unit_test(test_writes_spread_over_all_are_read_through_each),
        cmocka_unit_test(test_each_due_reminder_is_sent_once),
        cmocka_unit_test(test_a_server_killed_under_load_loses_no_write),
    };
    return cmocka_run_group_tests(tests, fleet_up, fleet_down);
}
