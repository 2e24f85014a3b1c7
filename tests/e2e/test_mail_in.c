/*
 * test_mail_in.c - email in, end to end, the three ways: the corpus of
 * tests/mail/corpus through `rapport mail receive` (a mail server's pipe),
 * through POST /api/v1/mail/inbound (a mail service's HTTP forward), and
 * from a real Dovecot IMAP server that the test starts unprivileged on a
 * loopback port with a throwaway configuration, read by `rapport mail
 * poll` and by rapportd's own mail thread.
 *
 * Every way must give every message the outcome its .expect file names
 * (opened, threaded, duplicate, refused, bounce, unreadable), the same
 * customer for the same address, and the same encounter as the message it
 * threads with; the desk then holds exactly as many encounters as the
 * corpus opens.  The exit codes a mail server reads (0, 65, 75) and the
 * refusals of the HTTP endpoint (415, 403, 413) are checked too.
 */
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../mail/corpus.h"
#include "harness.h"
#include "sinks.h"

static rp_corpus_item *items;
static int nitems;

/* ---- the pipe ------------------------------------------------------------
 */

/* Run `rapport --db DB ARGS` with env (NULL or "NAME=value"), stdin from
 * size bytes of input; fill *out and *errs (caller frees); the exit code. */
static int run_cli(rp_srv *s, const char *env, const unsigned char *input,
                   size_t size, char **out, char **errs, const char *a1,
                   const char *a2, const char *a3, const char *a4)
{
    char in_path[400], out_path[400], err_path[400];
    snprintf(in_path, sizeof in_path, "%s/stdin", s->dir);
    snprintf(out_path, sizeof out_path, "%s/stdout", s->dir);
    snprintf(err_path, sizeof err_path, "%s/stderr", s->dir);
    FILE *f = fopen(in_path, "wb");
    assert_non_null(f);
    if (size)
        assert_int_equal(fwrite(input, 1, size, f), size);
    fclose(f);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int i = open(in_path, O_RDONLY),
            o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600),
            e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(i, 0);
        dup2(o, 1);
        dup2(e, 2);
        if (env)
            putenv((char *)env);
        execl(RAPPORT_CLI_PATH, "rapport", "--db", s->db, a1, a2, a3, a4,
              (char *)NULL);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    const char *paths[2] = {out_path, err_path};
    char **dest[2] = {out, errs};
    for (int k = 0; k < 2; k++) {
        if (!dest[k])
            continue;
        f = fopen(paths[k], "rb");
        char buf[65536];
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose(f);
        buf[n] = '\0';
        *dest[k] = strdup(buf);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- what the corpus must give -------------------------------------------
 */

typedef struct result {
    json_int_t customer, encounter;
    char outcome[32];
} result;

static int index_of(const char *name)
{
    for (int i = 0; i < nitems; i++)
        if (strcmp(items[i].name, name) == 0)
            return i;
    return -1;
}

/* Check out (the door's answer for item i) against its expectations and
 * what the items before it gave; record it in r[i]. */
static void check_outcome(const char *way, int i, json_t *out, result *r)
{
    const rp_corpus_item *it = &items[i];
    const char *outcome = json_string_value(json_object_get(out, "outcome"));
    const char *want = rp_corpus_get(it, "outcome");
    if (!outcome || strcmp(outcome, want) != 0)
        fail_msg("%s: %s: outcome should be %s, is %s (%s)", way, it->name,
                 want, outcome ? outcome : "(none)",
                 json_string_value(json_object_get(out, "reason")));
    snprintf(r[i].outcome, sizeof r[i].outcome, "%s", outcome);
    r[i].customer = json_integer_value(json_object_get(out, "customer_id"));
    r[i].encounter = json_integer_value(json_object_get(out, "encounter_id"));
    const char *thread = rp_corpus_get(it, "thread");
    if (thread) {
        int t = index_of(thread);
        assert_true(t >= 0 && t < i);
        if (r[i].encounter != r[t].encounter)
            fail_msg("%s: %s should join the encounter of %s (%lld), went "
                     "to %lld",
                     way, it->name, thread, (long long)r[t].encounter,
                     (long long)r[i].encounter);
    }
    const char *customer = rp_corpus_get(it, "customer");
    for (int k = 0; customer && k < i; k++) {
        const char *other = rp_corpus_get(&items[k], "customer");
        if (other && strcmp(other, customer) == 0 &&
            r[k].customer != r[i].customer)
            fail_msg("%s: %s and %s are both from %s, yet customers %lld and "
                     "%lld",
                     way, it->name, items[k].name, customer,
                     (long long)r[k].customer, (long long)r[i].customer);
    }
    if (strcmp(want, "opened") == 0 || strcmp(want, "threaded") == 0)
        assert_true(r[i].customer > 0 && r[i].encounter > 0);
}

static int opened_in_corpus(void)
{
    int n = 0;
    for (int i = 0; i < nitems; i++)
        n += strcmp(rp_corpus_get(&items[i], "outcome"), "opened") == 0;
    return n;
}

/* The desk holds the encounters the corpus opened, each the customer's the
 * door named. */
static void check_desk(rp_srv *s, const char *way, const result *r)
{
    if (rp_list_count(s, "/api/v1/encounters") != opened_in_corpus())
        fail_msg("%s: %ld encounters, the corpus opens %d", way,
                 rp_list_count(s, "/api/v1/encounters"), opened_in_corpus());
    for (int i = 0; i < nitems; i++) {
        if (!r[i].encounter)
            continue;
        char path[64];
        snprintf(path, sizeof path, "/api/v1/encounters/%lld",
                 (long long)r[i].encounter);
        json_t *e = rp_call(s, "GET", path, NULL, 200);
        assert_int_equal(json_integer_value(json_object_get(e, "customer_id")),
                         r[i].customer);
        json_decref(e);
    }
}

/* ---- the three ways --------------------------------------------------------
 */

static void test_pipe(void **state)
{
    rp_srv *s = *state;
    result *r = calloc((size_t)nitems, sizeof *r);
    for (int i = 0; i < nitems; i++) {
        char *out = NULL, *errs = NULL;
        int rc = run_cli(s, NULL, items[i].raw, items[i].size, &out, &errs,
                         "mail", "receive", "--json", NULL);
        if (rc != 0)
            fail_msg("pipe: %s: exit %d: %s", items[i].name, rc, errs);
        json_error_t jerr;
        json_t *o = json_loads(out, 0, &jerr);
        assert_non_null(o);
        check_outcome("pipe", i, o, r);
        json_decref(o);
        free(out);
        free(errs);
    }
    check_desk(s, "pipe", r);
    free(r);
}

/* The 30 MB message.  Its 22 MB attachment is over the desk's own
 * attachment limit (10 MiB by default): the message is kept whole for an
 * admin, not dropped.  With the limit raised it opens an encounter; over
 * RAPPORT_MAIL_MAX_BYTES it is refused for good (65, which a mail server
 * bounces) with a log line naming the sender. */
static void test_pipe_big_message(void **state)
{
    rp_srv *s = *state;
    size_t len;
    unsigned char *raw = rp_corpus_big_message("big.sender@example.com",
                                               30u * 1000 * 1000, &len);
    char *out = NULL, *errs = NULL;
    int rc = run_cli(s, NULL, raw, len, &out, &errs, "mail", "receive",
                     "--json", NULL);
    if (rc != 0)
        fail_msg("the 30 MB message: exit %d: %s", rc, errs);
    assert_non_null(strstr(out, "\"outcome\":\"unreadable\""));
    assert_non_null(strstr(out, "the limit is 10485760 bytes"));
    assert_int_equal(rp_list_count(s, "/api/v1/mail/kept"), 1);
    free(out);
    free(errs);
    json_decref(rp_callf(s, "PUT", "/api/v1/conversation/settings", 200,
                         "{\"attachment_max_bytes\":40000000}"));
    rc = run_cli(s, NULL, raw, len, &out, &errs, "mail", "receive", "--json",
                 NULL);
    if (rc != 0)
        fail_msg("the 30 MB message: exit %d: %s", rc, errs);
    assert_non_null(strstr(out, "\"outcome\":\"opened\""));
    free(out);
    free(errs);
    rc = run_cli(s, "RAPPORT_MAIL_MAX_BYTES=10000000", raw, len, &out, &errs,
                 "mail", "receive", NULL, NULL);
    assert_int_equal(rc, 65);
    assert_non_null(strstr(errs, "refused a message of"));
    assert_non_null(strstr(errs, "big.sender@example.com"));
    assert_non_null(strstr(errs, "over the limit of 10000000 bytes"));
    free(out);
    free(errs);
    free(raw);
}

/* A database another process holds locked is a temporary failure: 75, so
 * the mail server keeps the message and tries again; then it is taken. */
static void test_pipe_busy_database(void **state)
{
    rp_srv *s = *state;
    rp_db *db = rp_db_open(s); /* waits while rapportd's own threads write */
    rp_db_hold_writes(db);
    const rp_corpus_item *it = &items[index_of("34-auto-submitted-no")];
    char *out = NULL, *errs = NULL;
    int rc = run_cli(s, NULL, it->raw, it->size, &out, &errs, "mail", "receive",
                     NULL, NULL);
    assert_int_equal(rc, 75);
    assert_non_null(strstr(errs, "rapport"));
    assert_true(strlen(errs) > 20); /* a reason, not just a code */
    free(out);
    free(errs);
    assert_int_equal(rp_db_run(db, "ROLLBACK"), 0);
    rp_db_close(db);
    rc = run_cli(s, NULL, it->raw, it->size, &out, &errs, "mail", "receive",
                 NULL, NULL);
    assert_int_equal(rc, 0);
    free(out);
    free(errs);
}

/* A token that may only deliver mail, made with the real CLI. */
static void mail_token(rp_srv *s, char *token, size_t n)
{
    char *out = NULL;
    char agent[32];
    snprintf(agent, sizeof agent, "%lld", s->admin_id);
    assert_int_equal(rp_cli(s, &out, "token", "create", "--agent", agent,
                            "--name", "mail service", "--mail-only", NULL),
                     0);
    out[strcspn(out, "\n")] = '\0';
    snprintf(token, n, "%s", out);
    free(out);
}

static void post_mail(rp_srv *s, const char *token, const unsigned char *raw,
                      size_t size, const char *content_type, rp_http *res)
{
    char saved[sizeof s->token];
    memcpy(saved, s->token, sizeof saved);
    snprintf(s->token, sizeof s->token, "%s", token);
    rp_http_send(s, "POST", "/api/v1/mail/inbound", content_type,
                 (const char *)raw, size, NULL, res);
    memcpy(s->token, saved, sizeof saved);
}

static void test_http(void **state)
{
    rp_srv *s = *state;
    char token[160];
    mail_token(s, token, sizeof token);
    result *r = calloc((size_t)nitems, sizeof *r);
    for (int i = 0; i < nitems; i++) {
        rp_http res;
        post_mail(s, token, items[i].raw, items[i].size, "message/rfc822",
                  &res);
        if (res.status != 200)
            fail_msg("http: %s: %ld %s", items[i].name, res.status, res.body);
        check_outcome("http", i, res.json, r);
        rp_http_free(&res);
    }
    check_desk(s, "http", r);
    free(r);

    /* the mail token reads nothing; an agent's token delivers nothing */
    char saved[sizeof s->token];
    memcpy(saved, s->token, sizeof saved);
    snprintf(s->token, sizeof s->token, "%s", token);
    rp_http res;
    rp_http_send(s, "GET", "/api/v1/customers", NULL, NULL, 0, NULL, &res);
    rp_assert_error(&res, 403, "forbidden", NULL);
    rp_http_free(&res);
    memcpy(s->token, saved, sizeof saved);
    char agent_token[160];
    rp_srv_token_for(s, "agent", agent_token, sizeof agent_token);
    post_mail(s, agent_token, items[0].raw, items[0].size, "message/rfc822",
              &res);
    rp_assert_error(&res, 403, "forbidden", NULL);
    rp_http_free(&res);
    /* JSON is not mail */
    post_mail(s, token, (const unsigned char *)"{}", 2, "application/json",
              &res);
    rp_assert_error(&res, 415, "unsupported_media_type", NULL);
    rp_http_free(&res);
}

/* The 30 MB message over HTTP under the default limit, and a server with a
 * smaller limit refusing it with 413 and a log line. */
static void test_http_big_message(void **state)
{
    rp_srv *s = *state;
    char token[160];
    mail_token(s, token, sizeof token);
    size_t len;
    unsigned char *raw = rp_corpus_big_message("big.sender@example.com",
                                               30u * 1000 * 1000, &len);
    json_decref(rp_callf(s, "PUT", "/api/v1/conversation/settings", 200,
                         "{\"attachment_max_bytes\":40000000}"));
    rp_http res;
    post_mail(s, token, raw, len, "message/rfc822", &res);
    assert_int_equal(res.status, 200);
    assert_string_equal(json_string_value(json_object_get(res.json, "outcome")),
                        "opened");
    rp_http_free(&res);
    rp_srv_stop(s);
    snprintf(s->extra_env, sizeof s->extra_env,
             "RAPPORT_MAIL_MAX_BYTES=10000000");
    rp_srv_start(s);
    post_mail(s, token, raw, len, "message/rfc822", &res);
    rp_assert_error(&res, 413, "too_large", NULL);
    rp_http_free(&res);
    free(raw);
}

/* ---- IMAP against a real Dovecot ------------------------------------------
 */

typedef struct dovecot {
    char dir[256];
    int port;
    pid_t master;
} dovecot;

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    getsockname(fd, (struct sockaddr *)&a, &l);
    close(fd);
    return ntohs(a.sin_port);
}

/*
 * Start Dovecot as nobody (the test may run as root; Dovecot then runs
 * without privileges all the same) with a configuration in a temporary
 * directory: IMAP on a loopback port, one user, maildir storage.
 */
static void dovecot_start(dovecot *d)
{
    snprintf(d->dir, sizeof d->dir, "/tmp/rapport-dovecot-XXXXXX");
    assert_non_null(mkdtemp(d->dir));
    chmod(d->dir, 0755);
    d->port = free_port();
    char path[400];
    snprintf(path, sizeof path, "%s/passwd", d->dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "help@desk.example:{PLAIN}imap-secret::::::\n");
    fclose(f);
    int root = getuid() == 0;
    const char *user = root ? "nobody" : getenv("USER");
    char group[64];
    snprintf(group, sizeof group, "%s", root ? "nogroup" : user);
    snprintf(path, sizeof path, "%s/dovecot.conf", d->dir);
    f = fopen(path, "w");
    fprintf(f,
            "base_dir = %1$s/run\nstate_dir = %1$s/state\n"
            "log_path = %1$s/dovecot.log\nprotocols = imap\n"
            "listen = 127.0.0.1\nssl = no\ndisable_plaintext_auth = no\n"
            "auth_mechanisms = plain login\n"
            "default_login_user = %2$s\ndefault_internal_user = %2$s\n"
            "default_internal_group = %3$s\n"
            "mail_location = maildir:%1$s/mail/%%u\n"
            "passdb {\n driver = passwd-file\n args = %1$s/passwd\n}\n"
            "userdb {\n driver = static\n"
            " args = uid=%4$d gid=%5$d home=%1$s/mail/%%u\n}\n"
            "service imap-login {\n chroot =\n"
            " inet_listener imap {\n  address = 127.0.0.1\n  port = %6$d\n }\n"
            " inet_listener imaps {\n  port = 0\n }\n}\n"
            "service anvil {\n chroot =\n}\n"
            "service stats {\n unix_listener stats-reader {\n  user = %2$s\n"
            " }\n unix_listener stats-writer {\n  user = %2$s\n }\n}\n",
            d->dir, user, group, root ? 65534 : (int)getuid(),
            root ? 65534 : (int)getgid(), d->port);
    fclose(f);
    char full[1600];
    if (root)
        snprintf(full, sizeof full,
                 "mkdir -p %1$s/run %1$s/state %1$s/mail && "
                 "chown -R nobody:nogroup %1$s && setpriv --reuid=nobody "
                 "--regid=nogroup --clear-groups /usr/sbin/dovecot -c "
                 "%1$s/dovecot.conf",
                 d->dir);
    else
        snprintf(full, sizeof full,
                 "mkdir -p %1$s/run %1$s/state %1$s/mail && "
                 "/usr/sbin/dovecot -c %1$s/dovecot.conf",
                 d->dir);
    if (system(full) != 0)
        fail_msg("Dovecot did not start (%s); see %s/dovecot.log", full,
                 d->dir);
    /* it daemonizes; wait until it answers */
    for (int i = 0; i < 100; i++) {
        snprintf(path, sizeof path, "%s/run/master.pid", d->dir);
        f = fopen(path, "r");
        if (f) {
            int pid = 0;
            if (fscanf(f, "%d", &pid) == 1)
                d->master = pid;
            fclose(f);
            if (d->master)
                break;
        }
        usleep(100000);
    }
    assert_true(d->master > 0);
}

static void dovecot_stop(dovecot *d)
{
    if (d->master > 0)
        kill(d->master, SIGTERM);
    for (int i = 0; i < 50 && kill(d->master, 0) == 0; i++)
        usleep(100000);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", d->dir);
    assert_int_equal(system(cmd), 0);
    d->master = 0;
}

typedef struct upload {
    const unsigned char *p;
    size_t left;
} upload;

static size_t read_upload(char *buf, size_t size, size_t n, void *arg)
{
    upload *u = arg;
    size_t k = size * n < u->left ? size * n : u->left;
    memcpy(buf, u->p, k);
    u->p += k;
    u->left -= k;
    return k;
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

/* APPEND a message to the INBOX, as a mail server delivering it would. */
static void imap_append(const dovecot *d, const unsigned char *raw, size_t size)
{
    CURL *c = curl_easy_init();
    char url[128];
    snprintf(url, sizeof url, "imap://127.0.0.1:%d/INBOX", d->port);
    upload u = {raw, size};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_USERNAME, "help@desk.example");
    curl_easy_setopt(c, CURLOPT_PASSWORD, "imap-secret");
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)size);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    CURLcode cc = curl_easy_perform(c);
    if (cc)
        fail_msg("IMAP APPEND: %s", curl_easy_strerror(cc));
    curl_easy_cleanup(c);
}

static int poll_taken(rp_srv *s)
{
    char *out = NULL, *errs = NULL;
    int rc = run_cli(s, NULL, NULL, 0, &out, &errs, "mail", "poll", "--json",
                     NULL);
    if (rc != 0)
        fail_msg("mail poll: exit %d: %s", rc, errs);
    int taken = -1;
    assert_int_equal(sscanf(out, "{\"taken\":%d}", &taken), 1);
    free(out);
    free(errs);
    return taken;
}

/* The Dovecot of test_imap, stopped by its teardown even when the test
 * fails half-way. */
static dovecot the_dovecot;

static int imap_teardown(void **state)
{
    int rc = rp_srv_fixture_stop(state); /* its mail thread first */
    if (the_dovecot.master)
        dovecot_stop(&the_dovecot);
    return rc;
}

static void test_imap(void **state)
{
    rp_srv *s = *state;
    dovecot_start(&the_dovecot);
    dovecot *dp = &the_dovecot;
    char url[64], cmd[1024];
    snprintf(url, sizeof url, "imap://127.0.0.1:%d", dp->port);
    snprintf(cmd, sizeof cmd,
             "RAPPORT_PASSWORD=imap-secret %s --db '%s' mail mailbox add "
             "--url %s --user help@desk.example --folder INBOX > /dev/null",
             RAPPORT_CLI_PATH, s->db, url);
    assert_int_equal(system(cmd), 0);
    /* half the corpus, taken by the CLI's poll */
    int half = nitems / 2;
    for (int i = 0; i < half; i++)
        imap_append(dp, items[i].raw, items[i].size);
    assert_int_equal(poll_taken(s), half);
    /* polled again, and after a restart: nothing is taken twice */
    assert_int_equal(poll_taken(s), 0);
    rp_srv_stop(s);
    assert_int_equal(poll_taken(s), 0);
    /* the rest, taken by rapportd's own mail thread, with a second poller
     * racing it: each message is taken once */
    snprintf(s->extra_env, sizeof s->extra_env, "RAPPORT_IMAP_INTERVAL=1");
    rp_srv_start(s);
    for (int i = half; i < nitems; i++)
        imap_append(dp, items[i].raw, items[i].size);
    int by_cli = poll_taken(s);
    long done = 0;
    for (int i = 0; i < 300 && done < nitems; i++) {
        usleep(100000);
        done = rp_db_count(s, "mail_imap_uids");
    }
    assert_int_equal(done, nitems);
    assert_true(by_cli >= 0 && by_cli <= nitems - half);
    /* the desk holds what the corpus opens, each message taken once */
    long enc = 0;
    for (int i = 0; i < 100; i++) {
        enc = rp_list_count(s, "/api/v1/encounters");
        if (enc == opened_in_corpus())
            break;
        usleep(100000);
    }
    assert_int_equal(enc, opened_in_corpus());
}

/* ---- the loop by mail: a reply goes out, what comes back is understood ---
 */

static rp_sink the_smtp;

static int round_trip_setup(void **state)
{
    rp_sink_start(&the_smtp, "smtp_sink.py", "0");
    char url[128];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", the_smtp.port);
    setenv("RAPPORT_SMTP_URL", url, 1);
    setenv("RAPPORT_SMTP_FROM", "help@acme-tailors.example", 1);
    setenv("RAPPORT_SCHEDULER_INTERVAL", "1", 1);
    return rp_srv_fixture_start(state);
}

static int round_trip_teardown(void **state)
{
    int rc = rp_srv_fixture_stop(state);
    unsetenv("RAPPORT_SMTP_URL");
    unsetenv("RAPPORT_SMTP_FROM");
    unsetenv("RAPPORT_SCHEDULER_INTERVAL");
    rp_sink_stop(&the_smtp);
    return rc;
}

static json_t *receive_text(rp_srv *s, const char *raw)
{
    char *out = NULL, *errs = NULL;
    int rc = run_cli(s, NULL, (const unsigned char *)raw, strlen(raw), &out,
                     &errs, "mail", "receive", "--json", NULL);
    if (rc != 0)
        fail_msg("mail receive: exit %d: %s", rc, errs);
    json_t *o = json_loads(out, 0, NULL);
    assert_non_null(o);
    free(out);
    free(errs);
    return o;
}

static const char *outcome_of(json_t *o)
{
    return json_string_value(json_object_get(o, "outcome"));
}

/*
 * A customer writes through the pipe; an agent replies and the outbox
 * sends the reply to a real SMTP receiver.  Then what mail brings back is
 * understood: the reply itself, come back, is our own loop (refused); the
 * customer's answer to it joins the encounter; a bounce carrying it marks
 * the reply failed with the mail server's reason.  (A copy of our own mail
 * with a new Message-ID is refused as a loop: corpus item 24.)
 */
static void test_round_trip(void **state)
{
    rp_srv *s = *state;
    const rp_corpus_item *first = &items[index_of("01-gmail-new-request")];
    json_t *o = receive_text(s, (const char *)first->raw);
    assert_string_equal(outcome_of(o), "opened");
    json_int_t enc = json_integer_value(json_object_get(o, "encounter_id"));
    json_decref(o);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/encounters/%lld/messages",
             (long long)enc);
    json_t *r = rp_callf(s, "POST", path, 201,
                         "{\"kind\":\"reply\",\"body\":\"Dear Ana,\\nyour "
                         "suit arrives on Friday.\"}");
    json_int_t reply = json_integer_value(json_object_get(r, "id"));
    json_decref(r);
    char *sent = NULL;
    for (int i = 0; i < 600 && !sent; i++) {
        usleep(100000);
        sent = rp_sink_read(&the_smtp, "msg-1.eml");
    }
    assert_non_null(sent);
    snprintf(path, sizeof path, "/api/v1/messages/%lld", (long long)reply);
    json_t *m = NULL;
    for (int i = 0; i < 600; i++) {
        m = rp_call(s, "GET", path, NULL, 200);
        const char *st = json_string_value(json_object_get(m, "status"));
        if (st && strcmp(st, "sent") == 0)
            break;
        json_decref(m);
        m = NULL;
        usleep(100000);
    }
    assert_non_null(m);
    char mid[300];
    snprintf(mid, sizeof mid, "%s",
             json_string_value(json_object_get(m, "message_id")));
    json_decref(m);

    /* our own reply, come back whole (a forwarding rule): the desk has
     * that Message-ID already, so nothing new is made of it */
    o = receive_text(s, sent);
    assert_string_equal(outcome_of(o), "duplicate");
    json_decref(o);

    /* the customer answers it from her phone */
    char answer[2048];
    snprintf(answer, sizeof answer,
             "From: Ana Garcia <ana.garcia@gmail.com>\r\n"
             "To: help@acme-tailors.example\r\n"
             "Subject: Re: Where is my suit?\r\n"
             "Message-ID: <answer-1@mail.gmail.com>\r\n"
             "In-Reply-To: <%s>\r\nReferences: <%s>\r\n"
             "Content-Type: text/plain; charset=utf-8\r\n\r\n"
             "Friday is perfect, thank you!\r\n\r\n"
             "On Tue, 1 Dec 2026, Support <help@acme-tailors.example> "
             "wrote:\r\n> Dear Ana,\r\n> your suit arrives on Friday.\r\n",
             mid, mid);
    o = receive_text(s, answer);
    assert_string_equal(outcome_of(o), "threaded");
    assert_int_equal(json_integer_value(json_object_get(o, "encounter_id")),
                     enc);
    json_decref(o);

    /* the reply bounces: the report carries it whole */
    size_t n = strlen(sent) + 2048;
    char *bounce = malloc(n);
    snprintf(bounce, n,
             "From: MAILER-DAEMON@mx.acme-tailors.example (Mail Delivery "
             "System)\r\n"
             "To: help@acme-tailors.example\r\n"
             "Subject: Undelivered Mail Returned to Sender\r\n"
             "Message-ID: <bounce-1@mx.acme-tailors.example>\r\n"
             "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
             "Content-Type: multipart/report; report-type=delivery-status; "
             "boundary=\"B\"\r\n\r\n--B\r\n"
             "Content-Type: text/plain\r\n\r\nYour message could not be "
             "delivered.\r\n--B\r\n"
             "Content-Type: message/delivery-status\r\n\r\n"
             "Reporting-MTA: dns; mx.acme-tailors.example\r\n\r\n"
             "Final-Recipient: rfc822; ana.garcia@gmail.com\r\n"
             "Action: failed\r\nStatus: 5.2.2\r\n"
             "Diagnostic-Code: smtp; 552 5.2.2 mailbox full\r\n\r\n"
             "--B\r\nContent-Type: message/rfc822\r\n\r\n%s\r\n--B--\r\n",
             sent);
    o = receive_text(s, bounce);
    assert_string_equal(outcome_of(o), "bounce");
    json_decref(o);
    m = rp_call(s, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(m, "status")),
                        "failed");
    const char *why = json_string_value(json_object_get(m, "last_error"));
    assert_non_null(why);
    assert_non_null(strstr(why, "552 5.2.2 mailbox full"));
    json_decref(m);
    free(bounce);
    free(sent);
}

int main(void)
{
    nitems = rp_corpus_load(RP_MAIL_CORPUS_DIR, &items);
    assert_true(nitems >= 30);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pipe, rp_srv_fixture_start,
                                        rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(
            test_pipe_big_message, rp_srv_fixture_start, rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(
            test_pipe_busy_database, rp_srv_fixture_start, rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(test_http, rp_srv_fixture_start,
                                        rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(
            test_http_big_message, rp_srv_fixture_start, rp_srv_fixture_stop),
        cmocka_unit_test_setup_teardown(test_imap, rp_srv_fixture_start,
                                        imap_teardown),
        cmocka_unit_test_setup_teardown(test_round_trip, round_trip_setup,
                                        round_trip_teardown),
    };
    if (getenv("RP_TEST_ONLY")) /* one test, for debugging */
        cmocka_set_test_filter(getenv("RP_TEST_ONLY"));
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rp_corpus_free(items, nitems);
    curl_global_cleanup();
    return rc;
}
