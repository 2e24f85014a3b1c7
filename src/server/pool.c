/*
 * pool.c - store connection pool (see pool.h).
 */
#include "pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct rp_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    char *path;
    rp_store **idle;
    int nidle, open, max;
};

rp_code rp_pool_create(const char *path, int max, rp_pool **out, rp_error *err)
{
    rp_pool *p = calloc(1, sizeof *p);
    if (!p || !(p->path = strdup(path)) ||
        !(p->idle = calloc((size_t)max, sizeof *p->idle))) {
        if (p)
            free(p->path);
        free(p);
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    p->max = max;
    rp_store *first;
    if (rp_store_open(path, &first, err)) {
        rp_pool_destroy(p);
        return err->code;
    }
    p->idle[p->nidle++] = first;
    p->open = 1;
    *out = p;
    return RP_OK;
}

rp_code rp_pool_acquire(rp_pool *p, rp_store **out, rp_error *err)
{
    pthread_mutex_lock(&p->lock);
    while (p->nidle == 0 && p->open >= p->max)
        pthread_cond_wait(&p->freed, &p->lock);
    if (p->nidle > 0) {
        *out = p->idle[--p->nidle];
        pthread_mutex_unlock(&p->lock);
        return RP_OK;
    }
    p->open++;
    pthread_mutex_unlock(&p->lock);
    if (rp_store_open(p->path, out, err)) {
        pthread_mutex_lock(&p->lock);
        p->open--;
        pthread_cond_signal(&p->freed);
        pthread_mutex_unlock(&p->lock);
        return err->code;
    }
    return RP_OK;
}

void rp_pool_release(rp_pool *p, rp_store *s)
{
    pthread_mutex_lock(&p->lock);
    p->idle[p->nidle++] = s;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

void rp_pool_destroy(rp_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->nidle; i++)
        rp_store_close(p->idle[i]);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->freed);
    free(p->idle);
    free(p->path);
    free(p);
}
