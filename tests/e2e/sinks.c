/*
 * sinks.c - the SMTP and webhook sinks of the end-to-end tests (see
 * sinks.h).  The scripts are found through RP_TEST_TOOLS_DIR, which the
 * build sets to tests/tools in the source tree.
 */
#include "sinks.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

void rp_sink_start(rp_sink *k, const char *script, const char *arg)
{
    memset(k, 0, sizeof *k);
    snprintf(k->dir, sizeof k->dir, "/tmp/rapport-sink-XXXXXX");
    assert_non_null(mkdtemp(k->dir));
    char path[512];
    snprintf(path, sizeof path, "%s/%s", RP_TEST_TOOLS_DIR, script);
    int out[2];
    assert_int_equal(pipe(out), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* a test that fails past its teardown must not leave the sink
         * running with our stderr open (ctest would wait for it) */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        execlp("python3", "python3", path, k->dir, arg, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    k->pid = pid;
    char line[128];
    rp_child_first_line(out[0], line, sizeof line);
    assert_int_equal(sscanf(line, "listening %d", &k->port), 1);
}

void rp_sink_stop(rp_sink *k)
{
    if (k->pid > 0) {
        kill(k->pid, SIGTERM);
        waitpid(k->pid, NULL, 0);
        k->pid = 0;
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", k->dir);
    if (k->dir[0] && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", k->dir);
}

int rp_sink_count(rp_sink *k, const char *prefix, const char *ext)
{
    DIR *d = opendir(k->dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    size_t pl = strlen(prefix), el = strlen(ext);
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > pl + el && strncmp(e->d_name, prefix, pl) == 0 &&
            strcmp(e->d_name + l - el, ext) == 0)
            n++;
    }
    closedir(d);
    return n;
}

char *rp_sink_read(rp_sink *k, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", k->dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

int rp_sink_wait_webhooks(rp_sink *k, int n, int seconds)
{
    int have = 0;
    for (int i = 0; i < seconds * 5; i++) {
        have = rp_sink_count(k, "hook-", ".json");
        if (have >= n)
            break;
        usleep(200 * 1000);
    }
    return have;
}

json_t *rp_sink_webhook(rp_sink *k, int i)
{
    char name[32];
    snprintf(name, sizeof name, "hook-%d.json", i);
    char *text = rp_sink_read(k, name);
    assert_non_null(text);
    json_t *r = json_loads(text, 0, NULL);
    free(text);
    assert_non_null(r);
    json_t *ev = json_loads(json_string_value(json_object_get(r, "body")), 0,
                            NULL);
    assert_non_null(ev);
    json_object_set_new(r, "event", ev);
    return r;
}

const char *rp_sink_header(json_t *delivery, const char *name)
{
    return json_string_value(
        json_object_get(json_object_get(delivery, "headers"), name));
}
