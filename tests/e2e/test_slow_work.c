/*
 * test_slow_work.c - slow work never runs on the threads that serve quick
 * requests.
 *
 * rapportd serves the requests of slow routes (logins and password
 * changes on the password threads; searches, reports, exports and imports
 * on the slow-work threads) whole on those threads, behind bounded
 * queues, while libmicrohttpd's threads only read requests and send
 * replies.  Here a child process keeps both lanes busy (logins and
 * knowledge searches over 5,000 articles, all at once, with one thread
 * per lane) while the test sends quick requests (/healthz and a customer
 * read with a token) from another address: they are answered while the
 * slow work is still in progress.  With queues of one, a burst is partly
 * answered 503 with Retry-After, never left hanging or answered 500.
 * Stopped with slow work queued, rapportd answers what waits 503, lets
 * the work running finish, and exits cleanly (the sanitizer build checks
 * that everything was freed) well within its grace period.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define AGENTS 4
#define PASSWORD "slow work password 1234"
#define ARTICLES 5000
#define SEARCHES 30
#define QUICK_WANTED 50

/* Agents with a password, to sign in as: slow@N.e2e.example. */
static void make_agents(rp_srv *s, int n)
{
    for (int i = 0; i < n; i++) {
        char body[300];
        snprintf(body, sizeof body,
                 "{\"name\":\"Slow %d\",\"email\":\"slow%d@e2e.example\","
                 "\"role\":\"agent\",\"password\":\"" PASSWORD "\"}",
                 i, i);
        json_decref(rp_callf(s, "POST", "/api/v1/agents", 201, body));
    }
}

/* n published articles that all hold the word "printer", written past
 * rapportd (thousands through the API would take minutes): a search for
 * it ranks every one of them, which takes a while. */
static void seed_articles(rp_srv *s, int n)
{
    char sql[900];
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
             "WHERE i < %d) "
             "INSERT INTO kb_articles (title, body, tags, created_at, "
             "updated_at, published_at) "
             "SELECT 'Printer question ' || i, 'When the printer in room ' "
             "|| i || ' jams, open the tray, take the paper out and try "
             "again; if the printer still jams call the desk.', '[]', "
             "1764000000, 1764000000, 1764000000 FROM n",
             n);
    rp_db *db = rp_db_open(s);
    assert_int_equal(rp_db_run(db, sql), 0);
    rp_db_close(db);
}

/* ---- the slow work (a child process, curl multi) ------------------------- */

/*
 * Send logins logins (agent i % AGENTS, right password) and searches
 * knowledge searches at once (rp_burst); write "sent" once they are all
 * on their way, then one line per request to out, "<kind> <status>
 * <retry-after or -> <seconds>", then "done <seconds>".
 */
static void storm(const char *url, const char *token, int logins, int searches,
                  int out)
{
    int n = logins + searches;
    rp_burst_req *a = calloc((size_t)n, sizeof *a);
    assert_non_null(a);
    int nl = 0, ns = 0;
    for (int i = 0; i < n; i++) {
        /* interleaved, so that both lanes fill at once */
        a[i].tag = (i % 2 == 0 && nl < logins) || ns >= searches ? 'L' : 'S';
        if (a[i].tag == 'L') {
            nl++;
            snprintf(a[i].url, sizeof a[i].url, "%s/api/v1/session", url);
            snprintf(a[i].body, sizeof a[i].body,
                     "{\"email\":\"slow%d@e2e.example\",\"password\":"
                     "\"" PASSWORD "\"}",
                     i % AGENTS);
        } else {
            ns++;
            snprintf(a[i].url, sizeof a[i].url, "%s/api/v1/kb/search?q=printer",
                     url);
            a[i].token = token;
        }
    }
    double took = rp_burst(a, n, out);
    for (int i = 0; i < n; i++)
        dprintf(out, "%c %ld %s %.3f\n", a[i].tag, a[i].status,
                a[i].retry_after[0] ? a[i].retry_after : "-", a[i].seconds);
    dprintf(out, "done %.3f\n", took);
    free(a);
}

typedef struct outcome {
    int ok[2];      /* logins signed in, searches answered */
    int busy[2];    /* 503 with Retry-After */
    int dropped[2]; /* no answer: the connection closed (a stop) */
    int other;      /* anything else */
    double took;    /* seconds, the whole storm */
} outcome;

typedef struct storm_run {
    pid_t kid;
    FILE *from; /* its lines */
} storm_run;

static storm_run start_storm(rp_srv *s, int logins, int searches)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t kid = fork();
    assert_true(kid >= 0);
    if (kid == 0) {
        close(p[0]);
        storm(s->url, s->token, logins, searches, p[1]);
        _exit(0);
    }
    close(p[1]);
    storm_run r = {kid, fdopen(p[0], "r")};
    assert_non_null(r.from);
    char line[64];
    assert_non_null(fgets(line, sizeof line, r.from));
    assert_string_equal(line, "sent\n");
    return r;
}

/* Wait for the storm and read its lines. */
static outcome finish_storm(storm_run *r)
{
    outcome o = {0};
    char line[128];
    while (fgets(line, sizeof line, r->from)) {
        if (strncmp(line, "done ", 5) == 0) {
            o.took = atof(line + 5);
            break;
        }
        char kind, ra[40];
        long status;
        double t;
        assert_int_equal(
            sscanf(line, "%c %ld %39s %lf", &kind, &status, ra, &t), 4);
        int k = kind == 'S';
        if (status == (k ? 200 : 201))
            o.ok[k]++;
        else if (status == 503 && atoi(ra) > 0)
            o.busy[k]++; /* a full queue, told when to come back */
        else if (status == 0)
            o.dropped[k]++;
        else {
            fprintf(stderr, "slow work: answered %s", line);
            o.other++;
        }
    }
    fclose(r->from);
    waitpid(r->kid, NULL, 0);
    return o;
}

/* 1 while the child is still running. */
static int running(pid_t kid)
{
    return waitpid(kid, NULL, WNOHANG) == 0;
}

/* ---- quick requests meanwhile -------------------------------------------- */

static double quick(rp_srv *s, const char *path)
{
    rp_http r;
    double t = rp_now_s();
    rp_http_send(s, "GET", path, NULL, NULL, 0, NULL, &r);
    double ms = (rp_now_s() - t) * 1000;
    if (r.status != 200)
        fprintf(stderr, "slow work: %s answered %ld: %s\n", path, r.status,
                r.body);
    assert_int_equal(r.status, 200);
    rp_http_free(&r);
    return ms;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median_of(const char *what, double *ms, int n)
{
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    double median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
    printf("slow work: %-40s n=%d median=%.1f ms p90=%.1f ms max=%.1f ms\n",
           what, n, median, ms[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1],
           ms[n - 1]);
    return median;
}

/* A server with one thread in each lane and queues of queue places. */
static void start_server(rp_srv *s, const char *queue)
{
    setenv("RAPPORT_SLOW_THREADS", "1", 1);
    setenv("RAPPORT_SLOW_QUEUE", queue, 1);
    setenv("RAPPORT_PASSWORD_THREADS", "1", 1);
    setenv("RAPPORT_PASSWORD_QUEUE", queue, 1);
    /* the storm comes from one address */
    setenv("RAPPORT_MAX_CONNECTIONS_PER_ADDRESS", "1000", 1);
    rp_srv_init(s);
    rp_srv_start(s);
    unsetenv("RAPPORT_SLOW_THREADS");
    unsetenv("RAPPORT_SLOW_QUEUE");
    unsetenv("RAPPORT_PASSWORD_THREADS");
    unsetenv("RAPPORT_PASSWORD_QUEUE");
    unsetenv("RAPPORT_MAX_CONNECTIONS_PER_ADDRESS");
    make_agents(s, AGENTS);
    seed_articles(s, ARTICLES);
}

/* The id of a new customer, for the quick reads. */
static long long witness(rp_srv *s)
{
    json_t *c = rp_callf(s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Quick Witness\"}");
    long long id = json_integer_value(json_object_get(c, "id"));
    json_decref(c);
    return id;
}

static void test_quick_requests_pass_busy_lanes(void **state)
{
    (void)state;
    rp_srv s;
    start_server(&s, "500");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/customers/%lld", witness(&s));

    /* Quick requests from another address: first quietly, then while
     * both lanes are busy. */
    snprintf(s.source, sizeof s.source, "127.0.0.2");
    enum { MAX = 4000 };
    static double quiet[MAX], busy[MAX];
    int nq = 0, nb = 0;
    for (; nq < 30; nq += 2) {
        quiet[nq] = quick(&s, "/healthz");
        quiet[nq + 1] = quick(&s, path);
    }
    storm_run st = start_storm(&s, 5 * AGENTS, SEARCHES);
    double t0 = rp_now_s(), fiftieth = 0;
    while (running(st.kid) && nb < MAX - 1) {
        busy[nb++] = quick(&s, "/healthz");
        busy[nb++] = quick(&s, path);
        if (nb >= QUICK_WANTED && !fiftieth)
            fiftieth = rp_now_s() - t0;
    }
    int still_running = running(st.kid);
    outcome o = finish_storm(&st);
    s.source[0] = '\0';
    printf("slow work: %d logins and %d searches at once, one thread each: "
           "%d signed in, %d searches answered, %d busy, %d other, in %.1f "
           "s; the %dth quick reply after %.2f s\n",
           5 * AGENTS, SEARCHES, o.ok[0], o.ok[1], o.busy[0] + o.busy[1],
           o.other, o.took, QUICK_WANTED, fiftieth);
    double mq = median_of("quick requests, quiet", quiet, nq);
    double mb = median_of("quick requests, both lanes busy", busy, nb);

    /* Every slow request was answered, all fitting their queues. */
    assert_int_equal(o.other, 0);
    assert_int_equal(o.ok[0], 5 * AGENTS);
    assert_int_equal(o.ok[1], SEARCHES);
    /* Fifty quick requests were answered while the slow work was still
     * in progress: they did not wait for it. */
    assert_true(fiftieth > 0);
    assert_true(nb >= QUICK_WANTED || still_running);
    assert_true(fiftieth < o.took);
    /* and each promptly, by a generous bound (the machine is shared) */
    assert_true(mb < 100 + 5 * mq);
    assert_true(busy[nb - 1] < 3000);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

/* With queues of one, a burst of slow work is partly turned away with 503
 * and Retry-After, at once; never 500, never left waiting; quick requests
 * are answered all along. */
static void test_full_lanes_answer_503(void **state)
{
    (void)state;
    rp_srv s;
    start_server(&s, "1");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/customers/%lld", witness(&s));
    storm_run st = start_storm(&s, 16, 40);
    snprintf(s.source, sizeof s.source, "127.0.0.2");
    int nquick = 0;
    while (running(st.kid) && nquick < 2000) {
        quick(&s, "/healthz");
        quick(&s, path);
        nquick += 2;
    }
    s.source[0] = '\0';
    outcome o = finish_storm(&st);
    printf("slow work, queues of one: logins %d signed in, %d busy; "
           "searches %d answered, %d busy; %d other; %d quick requests "
           "answered meanwhile\n",
           o.ok[0], o.busy[0], o.ok[1], o.busy[1], o.other, nquick);
    assert_int_equal(o.other, 0);
    assert_int_equal(o.dropped[0] + o.dropped[1], 0);
    assert_true(o.busy[0] > 0 && o.busy[1] > 0);
    assert_true(o.ok[0] >= 1 && o.ok[1] >= 1);
    /* the lane takes work again once the burst is over */
    rp_http r;
    rp_http_send(&s, "GET", "/api/v1/kb/search?q=printer", NULL, NULL, 0, NULL,
                 &r);
    assert_int_equal(r.status, 200);
    rp_http_free(&r);
    rp_srv_stop(&s);
    rp_srv_cleanup(&s);
}

/* Stopped with slow work queued, rapportd answers what waits 503 (or
 * closes it), lets the work running finish, and exits cleanly well
 * within its ten seconds of grace; every login was either signed in or
 * never begun. */
static void test_stop_with_slow_work_queued(void **state)
{
    (void)state;
    rp_srv s;
    start_server(&s, "500");
    storm_run st = start_storm(&s, 5 * AGENTS, 2 * SEARCHES);
    struct timespec pause = {0, 300 * 1000 * 1000};
    nanosleep(&pause, NULL);
    double t0 = rp_now_s();
    rp_srv_stop(&s); /* asserts a clean exit, within 30 s */
    double stop_s = rp_now_s() - t0;
    outcome o = finish_storm(&st);
    double after = rp_now_s() - t0;
    printf("slow work, stopped: in %.2f s; logins %d signed in, %d busy, %d "
           "dropped; searches %d answered, %d busy, %d dropped; the storm "
           "ended %.2f s after the stop began\n",
           stop_s, o.ok[0], o.busy[0], o.dropped[0], o.ok[1], o.busy[1],
           o.dropped[1], after);
    assert_int_equal(o.other, 0);
    /* what waited was answered, not held for the grace period */
    assert_true(o.busy[0] + o.busy[1] + o.dropped[0] + o.dropped[1] > 0);
    assert_true(stop_s < 8);
    assert_true(after < 10);
    /* a login never begun counts as no failure */
    assert_int_equal(rp_db_count(&s, "login_failures"), 0);
    rp_srv_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quick_requests_pass_busy_lanes),
        cmocka_unit_test(test_full_lanes_answer_503),
        cmocka_unit_test(test_stop_with_slow_work_queued),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
