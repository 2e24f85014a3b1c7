/*
 * worker.c - unique names for the claims a process makes (see worker.h).
 */
#include "base/worker.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static uint32_t nonce;
static unsigned long serial;
static pthread_mutex_t serial_lock = PTHREAD_MUTEX_INITIALIZER;

/* Drawn once: a process that fails to read randomness still differs from
 * its namesakes by the time it started. */
static void draw_nonce(void)
{
    if (getrandom(&nonce, sizeof nonce, 0) != (ssize_t)sizeof nonce) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        nonce = (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec;
    }
}

void rp_worker_name(char *out, size_t n, const char *program, const char *role)
{
    pthread_once(&once, draw_nonce);
    pthread_mutex_lock(&serial_lock);
    unsigned long k = ++serial;
    pthread_mutex_unlock(&serial_lock);
    char host[256] = "";
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    snprintf(out, n, "%s:%.40s:%d:%08x:%lu:%s", program, host, (int)getpid(),
             (unsigned)nonce, k, role);
}
