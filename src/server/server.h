/*
 * server.h - the rapportd process: its daemon, its store pool, and the
 * static files of the agent console.
 */
#ifndef RP_SERVER_H
#define RP_SERVER_H

#include <netinet/in.h>
#include <stdatomic.h>

#include "http.h"
#include "pool.h"
#include "workq.h"

typedef struct rp_server {
    struct MHD_Daemon *daemon;
    rp_pool *pool;
    const rp_config *config; /* read once by main; outlives the daemon */
    const char *web_root;    /* directory of the console's files, or NULL */
    unsigned port;           /* the port actually bound */
    atomic_int in_flight;    /* requests begun and not yet completed */
    rp_workq *passwords;     /* the password threads (workq.h): the
                                requests of RP_ROUTE_PASSWORD routes */
    rp_workq *slow;          /* the slow-work threads: the requests of
                                RP_ROUTE_SLOW routes (searches, reports) */
    int listen_fd;           /* the listening socket, ours to close */
    rp_audit_writer *audit;  /* writes the audit log's reads; NULL: reads
                                are not recorded (RAPPORT_AUDIT_READS=0) */
} rp_server;

/*
 * Start listening on addr with a pool of threads, the password and
 * slow-work threads and the connection limits of srv->config; fills
 * srv->port.  An address in
 * use, or not of this machine, is RP_EINVALID with a message saying so
 * (rapportd exits with status 5).
 */
rp_code rp_server_start(rp_server *srv, const struct sockaddr_in *addr,
                        int threads, rp_error *err);

/*
 * Stop accepting; answer the slow work still waiting for a thread 503 (the
 * work running finishes); let requests in flight finish (up to
 * grace_seconds); stop.
 */
void rp_server_stop(rp_server *srv, int grace_seconds);

/*
 * Serve url from the web root if it names a file there ("/" is
 * index.html).  Returns 1 when res was filled, 0 when there is no such file.
 */
int rp_static_serve(rp_server *srv, const char *url, rp_response *res);

/*
 * Where the console's files are when no --web-root or $RAPPORT_WEB_ROOT is
 * given: <dir of rapportd>/../share/rapport/web when installed, else the
 * web/ directory of the source tree rapportd was built from; NULL if
 * neither holds an index.html.
 */
const char *rp_static_default_root(void);

#endif
