/*
 * test_login_storm.c - logins do not stall the API, and passwords take a
 * bounded amount of memory.
 *
 * argon2id takes tens of milliseconds and 64 MiB per check.  rapportd
 * checks passwords on a small pool of threads of its own, not on the HTTP
 * workers, behind a bounded queue.  Here a child process sends 50 logins
 * at once (ten agents, five each) while the test reads the API from
 * another address and times every read; rapportd's peak memory (VmHWM)
 * is read from /proc.  Then, with a queue of one, a burst of logins is
 * partly answered 503 with Retry-After, and never 500.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define AGENTS 10
#define LOGINS_EACH 5 /* at once: what one account may have in flight */
#define STORM (AGENTS * LOGINS_EACH)
#define PASSWORD "storm password 1234"
#define PASSWORD_THREADS 2
#define MIB (1024.0 * 1024.0)

/* A line of /proc/<pid>/status ("VmHWM", "VmRSS") in kB. */
static long proc_kb(pid_t pid, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    long kb = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, kl) == 0 && line[kl] == ':')
            kb = atol(line + kl + 1);
    fclose(f);
    assert_true(kb > 0);
    return kb;
}

static void make_agents(rp_srv *s, int n)
{
    for (int i = 0; i < n; i++) {
        char body[300];
        snprintf(body, sizeof body,
                 "{\"name\":\"Storm %d\",\"email\":\"storm%d@e2e.example\","
                 "\"role\":\"agent\",\"password\":\"" PASSWORD "\"}",
                 i, i);
        json_decref(rp_callf(s, "POST", "/api/v1/agents", 201, body));
    }
}

/* ---- the storm (a child process, curl multi) ----------------------------- */

/*
 * Send n logins at once (agent i % agents; rp_burst) and write one line
 * per login to out: "<status> <retry-after or -> <seconds>".
 */
static void storm(const char *url, int n, int agents, int out)
{
    rp_burst_req *a = calloc((size_t)n, sizeof *a);
    assert_non_null(a);
    for (int i = 0; i < n; i++) {
        snprintf(a[i].url, sizeof a[i].url, "%s/api/v1/session", url);
        snprintf(a[i].body, sizeof a[i].body,
                 "{\"email\":\"storm%d@e2e.example\",\"password\":\"" PASSWORD
                 "\"}",
                 i % agents);
    }
    double took = rp_burst(a, n, -1);
    for (int i = 0; i < n; i++)
        dprintf(out, "%ld %s %.3f\n", a[i].status,
                a[i].retry_after[0] ? a[i].retry_after : "-", a[i].seconds);
    dprintf(out, "done %.3f\n", took);
    free(a);
}

typedef struct outcome {
    int created, busy, other;
    double longest; /* seconds, the slowest login */
    double took;    /* seconds, the whole storm */
} outcome;

/* Read the storm's lines from fd until "done". */
static outcome read_outcome(int fd)
{
    outcome o = {0};
    FILE *f = fdopen(fd, "r");
    assert_non_null(f);
    char line[128];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "done ", 5) == 0) {
            o.took = atof(line + 5);
            break;
        }
        long status = atol(line);
        char ra[40];
        double t = 0;
        assert_int_equal(sscanf(line, "%*d %39s %lf", ra, &t), 2);
        if (t > o.longest)
            o.longest = t;
        if (status == 201)
            o.created++;
        else if (status == 503 && atoi(ra) > 0)
            o.busy++; /* a full queue, told when to come back */
        else {
            fprintf(stderr, "storm: a login answered %s", line);
            o.other++;
        }
    }
    fclose(f);
    return o;
}

static pid_t start_storm(rp_srv *s, int n, int agents, int *fd)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t kid = fork();
    assert_true(kid >= 0);
    if (kid == 0) {
        close(p[0]);
        storm(s->url, n, agents, p[1]);
        _exit(0);
    }
    close(p[1]);
    *fd = p[0];
    return kid;
}

/* ---- reads while it goes on -----------------------------------------------
 */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median_of(const char *what, double *ms, int n)
{
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    double median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
    printf("storm: %-34s n=%d median=%.1f ms p90=%.1f ms max=%.1f ms\n", what,
           n, median, ms[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1], ms[n - 1]);
    return median;
}

static double timed_read(rp_srv *s, const char *path)
{
    rp_http r;
    double t = rp_now_s();
    rp_http_send(s, "GET", path, NULL, NULL, 0, NULL, &r);
    double ms = (rp_now_s() - t) * 1000;
    if (r.status != 200)
        fprintf(stderr, "storm: %s answered %ld: %s\n", path, r.status, r.body);
    assert_int_equal(r.status, 200);
    rp_http_free(&r);
    return ms;
}

/* 1 while the child is still running. */
static int running(pid_t kid)
{
    return waitpid(kid, NULL, WNOHANG) == 0;
}

static void test_login_storm_keeps_the_api_serving(void **state)
{
    (void)state;
    char threads[8];
    snprintf(threads, sizeof threads, "%d", PASSWORD_THREADS);
    setenv("RAPPORT_PASSWORD_THREADS", threads, 1);
    setenv("RAPPORT_PASSWORD_QUEUE", "64", 1);
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    make_agents(&s, AGENTS);
    json_decref(rp_callf(&s, "POST", "/api/v1/customers", 201,
                         "{\"name\":\"Storm Witness\"}"));

    /* Reads from another address: first quietly, then during the storm. */
    snprintf(s.source, sizeof s.source, "127.0.0.2");
    enum { MAX = 2000 };
    static double quiet[MAX], busy[MAX];
    int nq = 0, nb = 0;
    for (; nq < 30; nq++)
        quiet[nq] = timed_read(&s, "/api/v1/customers");
    long rss_before = proc_kb(s.pid, "VmRSS");
    int fd;
    pid_t kid = start_storm(&s, STORM, AGENTS, &fd);
    double t0 = rp_now_s();
    while (running(kid) && nb < MAX) {
        busy[nb++] = timed_read(&s, "/api/v1/customers");
        if (nb < MAX)
            busy[nb++] = timed_read(&s, "/healthz");
        struct timespec pause = {0, 40 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    double storm_s = rp_now_s() - t0;
    waitpid(kid, NULL, 0);
    outcome o = read_outcome(fd);
    long hwm = proc_kb(s.pid, "VmHWM");
    s.source[0] = '\0';

    printf("storm: %d logins at once, %d password threads: %d signed in, %d "
           "busy (503), %d other, in %.1f s (slowest %.1f s)\n",
           STORM, PASSWORD_THREADS, o.created, o.busy, o.other, o.took,
           o.longest);
    double mq = median_of("API reads, quiet", quiet, nq);
    double mb = median_of("API and /healthz reads, in the storm", busy, nb);
    printf("storm: rapportd VmRSS before %.1f MiB, VmHWM after %.1f MiB "
           "(growth %.1f MiB; argon2id takes 64 MiB a check)\n",
           rss_before / 1024.0, hwm / 1024.0, (hwm - rss_before) / 1024.0);

    /* Every login was answered properly, and all fit the queue. */
    assert_int_equal(o.other, 0);
    assert_int_equal(o.created, STORM);
    /* Reads kept being served in the storm (generous: the machine is
     * shared; before, one read waited 11 s). */
    assert_true(nb >= 10);
    assert_true(mb < 100 + 5 * mq);
    assert_true(busy[nb - 1] < 3000);
    (void)storm_s;
#ifndef __SANITIZE_ADDRESS__
    /* Memory grows with the password threads, not with the logins:
     * PASSWORD_THREADS checks of 64 MiB, and room for one more. (Under
     * AddressSanitizer freed memory is held in quarantine: not checked.) */
    assert_true((hwm - rss_before) / 1024.0 < (PASSWORD_THREADS + 1) * 64.0);
#endif
    /* Stopped in the middle of a storm (more checks waiting than the 10 s
     * of grace can finish), rapportd still stops cleanly: the waiting
     * logins are answered 503 or dropped, and taken back. */
    kid = start_storm(&s, 4 * AGENTS, AGENTS, &fd);
    struct timespec second = {1, 0};
    nanosleep(&second, NULL);
    rp_srv_stop(&s);
    waitpid(kid, NULL, 0);
    close(fd);
    /* every one was either signed in or taken back: none counts as a
     * failed login */
    assert_int_equal(rp_db_count(&s, "login_failures"), 0);
    unsetenv("RAPPORT_PASSWORD_THREADS");
    unsetenv("RAPPORT_PASSWORD_QUEUE");
    rp_srv_cleanup(&s);
}

/* With one password thread and a queue of one, a burst of logins is
 * partly turned away with 503 and Retry-After, at once; never 500. */
static void test_full_password_queue_is_503(void **state)
{
    (void)state;
    setenv("RAPPORT_PASSWORD_THREADS", "1", 1);
    setenv("RAPPORT_PASSWORD_QUEUE", "1", 1);
    rp_srv s;
    rp_srv_init(&s);
    rp_srv_start(&s);
    make_agents(&s, 4);
    int fd;
    pid_t kid = start_storm(&s, 16, 4, &fd);
    waitpid(kid, NULL, 0);
    outcome o = read_outcome(fd);
    printf("queue of one: %d signed in, %d busy (503 with Retry-After), %d "
           "other\n",
           o.created, o.busy, o.other);
    assert_int_equal(o.other, 0);
    assert_true(o.busy > 0);
    assert_true(o.created >= 2);
    /* A refusal for a full queue is not a failed login: each agent still
     * signs in. */
    for (int i = 0; i < 4; i++) {
        char body[160];
        snprintf(body, sizeof body,
                 "{\"email\":\"storm%d@e2e.example\",\"password\":\"" PASSWORD
                 "\"}",
                 i);
        json_decref(rp_callf(&s, "POST", "/api/v1/session", 201, body));
    }
    rp_srv_stop(&s);
    unsetenv("RAPPORT_PASSWORD_THREADS");
    unsetenv("RAPPORT_PASSWORD_QUEUE");
    rp_srv_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_storm_keeps_the_api_serving),
        cmocka_unit_test(test_full_password_queue_is_503),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
