/*
 * main.c - rapportd, the rapport HTTP server.
 *
 * Parses options, opens the database (migrating it), starts the HTTP
 * daemon, prints the address it listens on, and waits for SIGINT or SIGTERM.
 * On a signal it stops accepting, lets requests in flight finish, and closes
 * the database cleanly.  Signals are blocked in every thread and taken with
 * sigwait() here, so no handler code runs in signal context.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sched.h"
#include "server.h"

static const char usage_text[] =
    "NAME\n"
    "    rapportd - the rapport customer-service desk server\n"
    "\n"
    "SYNOPSIS\n"
    "    rapportd [--db PATH] [--listen HOST:PORT] [--threads N]\n"
    "             [--web-root DIR] [--scheduler-interval SECONDS]\n"
    "             [--clock-offset SECONDS]\n"
    "\n"
    "DESCRIPTION\n"
    "    Serves the JSON API under /api/v1/, the agent console under /, and\n"
    "    /healthz.  The database is created and migrated to the current\n"
    "    schema if needed.  When it is listening it prints one line,\n"
    "    \"rapportd listening on http://HOST:PORT/\", to standard output.\n"
    "    SIGINT or SIGTERM stop it gracefully: no new connections are\n"
    "    accepted, requests in flight finish (up to 10 seconds), and the\n"
    "    database is closed cleanly.\n"
    "\n"
    "OPTIONS\n"
    "    --db PATH         SQLite database file (default: $RAPPORT_DB, else\n"
    "                      ./rapport.db).\n"
    "    --listen ADDR     IPv4 address and port to listen on, e.g.\n"
    "                      127.0.0.1:8080; port 0 picks a free port (default:\n"
    "                      $RAPPORT_LISTEN, else 127.0.0.1:8080).\n"
    "    --threads N       worker threads, 1 to 64 (default 4).\n"
    "    --web-root DIR    directory of the agent console's files (default:\n"
    "                      $RAPPORT_WEB_ROOT, else ../share/rapport/web\n"
    "                      beside the program, else the source tree's web/;\n"
    "                      an empty DIR serves no console).\n"
    "    --scheduler-interval SECONDS\n"
    "                      how often the scheduler thread sends what is due\n"
    "                      (default: $RAPPORT_SCHEDULER_INTERVAL, else 30; 0\n"
    "                      turns it off, e.g. when cron runs 'rapport due').\n"
    "    --clock-offset SECONDS\n"
    "                      run the scheduler thread this many seconds ahead\n"
    "                      of (or, negative, behind) the real clock, to\n"
    "                      rehearse reminders (default 0).  Delivery is\n"
    "                      configured by RAPPORT_SMTP_URL, RAPPORT_SMTP_FROM,\n"
    "                      RAPPORT_WEBHOOK_URL, RAPPORT_WEBHOOK_SECRET and\n"
    "                      RAPPORT_PUBLIC_URL: see docs/scheduler.md.\n"
    "    -h, --help        print this help and exit.\n"
    "    --version         print the version and exit.\n"
    "    --routes          print the route table (method, path, access,\n"
    "                      shape, query parameters, summary) as the markdown\n"
    "                      table of docs/api.md, and exit.\n"
    "\n"
    "EXIT STATUS\n"
    "    0  stopped by a signal after a clean shutdown\n"
    "    2  usage error (unknown option, bad value)\n"
    "    4  the database cannot be opened or is newer than this program\n"
    "    5  cannot listen on the address\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "rapportd: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'rapportd --help'.\n");
    return 2;
}

/* Parse "HOST:PORT" (HOST an IPv4 address or "localhost"). */
static int parse_listen(const char *text, struct sockaddr_in *addr)
{
    char host[64];
    const char *colon = strrchr(text, ':');
    if (!colon || (size_t)(colon - text) >= sizeof host)
        return -1;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (errno || *end || end == colon + 1 || port < 0 || port > 65535)
        return -1;
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0 || host[0] == '\0')
        strcpy(host, "127.0.0.1");
    return inet_pton(AF_INET, host, &addr->sin_addr) == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *db = getenv("RAPPORT_DB");
    const char *listen = getenv("RAPPORT_LISTEN");
    const char *web_root = getenv("RAPPORT_WEB_ROOT");
    int threads = 4;
    const char *interval_text = getenv("RAPPORT_SCHEDULER_INTERVAL");
    long sched_interval = 30, clock_offset = 0;
    char *num_end;
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 't'},
        {"web-root", required_argument, NULL, 'w'},
        {"scheduler-interval", required_argument, NULL, 'S'},
        {"clock-offset", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"routes", no_argument, NULL, 'R'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'l':
            listen = optarg;
            break;
        case 't':
            threads = atoi(optarg);
            if (threads < 1 || threads > 64)
                return usage_error("--threads must be 1 to 64, not '%s'", optarg);
            break;
        case 'w':
            web_root = optarg;
            break;
        case 'S':
            interval_text = optarg;
            break;
        case 'C':
            clock_offset = strtol(optarg, &num_end, 10);
            if (*num_end || !*optarg)
                return usage_error("--clock-offset must be a number of "
                                   "seconds, not '%s'", optarg);
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        case 'V':
            printf("rapportd %s\n", RP_VERSION);
            return 0;
        case 'R': /* docs/api.md holds it; the authorization test walks it */
            rp_routes_print(stdout);
            return 0;
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (interval_text && *interval_text) {
        sched_interval = strtol(interval_text, &num_end, 10);
        if (*num_end || sched_interval < 0 || sched_interval > 86400)
            return usage_error("the scheduler interval must be 0 to 86400 "
                               "seconds, not '%s'", interval_text);
    }
    if (!db || !*db)
        db = "rapport.db";
    if (!listen || !*listen)
        listen = "127.0.0.1:8080";
    struct sockaddr_in addr;
    if (parse_listen(listen, &addr))
        return usage_error("--listen must be HOST:PORT with an IPv4 host, "
                           "not '%s'",
                           listen);
    if (!web_root)
        web_root = rp_static_default_root();
    struct stat st;
    if (web_root && *web_root && (stat(web_root, &st) || !S_ISDIR(st.st_mode)))
        return usage_error("--web-root '%s' is not a directory", web_root);

    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* once, before any thread: the scheduler sends with libcurl */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rp_server srv = {.web_root = web_root && *web_root ? web_root : NULL};
    atomic_init(&srv.in_flight, 0);
    rp_error err;
    if (rp_pool_create(db, threads + 2, &srv.pool, &err)) {
        fprintf(stderr, "rapportd: %s\n", err.message);
        return 4;
    }
    if (rp_server_start(&srv, &addr, threads, &err)) {
        fprintf(stderr, "rapportd: %s: %s\n", listen, err.message);
        rp_pool_destroy(srv.pool);
        return 5;
    }
    rp_sched *sched = NULL;
    if (rp_sched_start(db, (int)sched_interval, clock_offset, &sched, &err)) {
        fprintf(stderr, "rapportd: scheduler: %s\n", err.message);
        rp_server_stop(&srv, 0);
        rp_pool_destroy(srv.pool);
        return 4;
    }
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr.sin_addr, host, sizeof host);
    if (srv.web_root)
        fprintf(stderr, "rapportd: serving the console from %s\n", srv.web_root);
    printf("rapportd listening on http://%s:%u/\n", host, srv.port);
    fflush(stdout);

    int sig = 0;
    sigwait(&sigs, &sig);
    fprintf(stderr, "rapportd: %s received, shutting down\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    rp_server_stop(&srv, 10);
    rp_sched_stop(sched);
    rp_pool_destroy(srv.pool);
    fprintf(stderr, "rapportd: stopped cleanly\n");
    return 0;
}
