/*
 * main.c - rapportd, the rapport HTTP server.
 *
 * Reads its configuration once (flags and RAPPORT_* variables, from the
 * table in config.c), opens the database (migrating it), starts the HTTP
 * daemon, prints the address it listens on, and waits for SIGINT or SIGTERM.
 * On a signal it stops accepting, lets requests in flight finish, and closes
 * the database cleanly.  Signals are blocked in every thread and taken with
 * sigwait() here, so no handler code runs in signal context.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "config/config.h"
#include "pool.h"
#include "mailpoll.h"
#include "sched.h"
#include "webhook_thread.h"
#include "server.h"

static const char usage_head[] =
    "NAME\n"
    "    rapportd - the rapport customer-service desk server\n"
    "\n"
    "SYNOPSIS\n"
    "    rapportd [--db NAME] [--listen HOST:PORT] [--threads N]\n"
    "             [--web-root DIR] [--scheduler-interval SECONDS]\n"
    "             [--clock-offset SECONDS] [--max-connections N]\n"
    "             [--max-connections-per-address N] [--idle-timeout SECONDS]\n"
    "             [--password-threads N] [--password-queue N]\n"
    "             [--slow-threads N] [--slow-queue N]\n"
    "\n"
    "DESCRIPTION\n"
    "    Serves the JSON API under /api/v1/, the agent console under /, and\n"
    "    /healthz.  The database is created and migrated to the current\n"
    "    schema if needed.  When it is listening it prints one line,\n"
    "    \"rapportd listening on http://HOST:PORT/\", to standard output.\n"
    "    SIGINT or SIGTERM stop it gracefully: no new connections are\n"
    "    accepted, requests in flight finish (up to 10 seconds), and the\n"
    "    database is closed cleanly.  The scheduler thread sends reminders,\n"
    "    notices and checks by email and webhook: see docs/scheduler.md.\n"
    "    Connections are limited in all and per client address, and an idle\n"
    "    one is closed, so that one client cannot keep others out;\n"
    "    passwords are checked, and searches, reports, exports and imports\n"
    "    made, on threads of their own, so that they do not hold up quick\n"
    "    requests.\n"
    "    The mail thread reads the queues' IMAP mailboxes every\n"
    "    RAPPORT_IMAP_INTERVAL seconds ('rapport mail mailbox add'), and\n"
    "    POST /api/v1/mail/inbound takes raw email from a mail service.\n"
    "\n"
    "OPTIONS\n";

static const char usage_options[] =
    "    -h, --help\n"
    "        print this help and exit.\n"
    "    --version\n"
    "        print the version and exit.\n"
    "    --check-config\n"
    "        check the configuration and exit: every setting (flags and\n"
    "        RAPPORT_* variables), that the settings agree with each other\n"
    "        (email and webhook delivery, the links), the web root, and that\n"
    "        the database can be read and written and its schema is not\n"
    "        newer than this program; the database is not created or\n"
    "        changed.  Prints each problem naming the setting, and exits 0\n"
    "        when there is none.\n"
    "    --openapi\n"
    "        print the OpenAPI 3.1 document of /api/v1 (docs/openapi.json,\n"
    "        also served at GET /api/v1/openapi.json), and exit.\n"
    "    --routes\n"
    "        print the route table (method, path, access, shape, query\n"
    "        parameters, summary) as the markdown table of docs/api.md, and\n"
    "        exit.\n"
    "\n"
    "ENVIRONMENT\n";

static const char usage_tail[] =
    "\n"
    "EXIT STATUS\n"
    "    0  stopped by a signal after a clean shutdown\n"
    "    2  usage error (unknown option, bad value)\n"
    "    4  the database cannot be opened or is newer than this program, or\n"
    "       is being restored\n"
    "    5  cannot listen on the address: in use (by another rapportd?) or\n"
    "       not an address of this machine\n";

static void usage(void)
{
    fputs(usage_head, stdout);
    rp_config_print_flags(stdout, RP_CONFIG_SERVER);
    fputs(usage_options, stdout);
    rp_config_print_environment(stdout, RP_CONFIG_SERVER);
    fputs(usage_tail, stdout);
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "rapportd: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'rapportd --help'.\n");
    return 2;
}

enum {
    OPT_HELP = 'h',
    OPT_VERSION = 'V',
    OPT_ROUTES = 'R',
    OPT_CHECK_CONFIG = 'C',
    OPT_OPENAPI = 'O'
};

/* ---- --check-config ------------------------------------------------------ */

static void say_bad(void *arg, const char *why)
{
    (*(int *)arg)++;
    rp_buf shown = RP_BUF_INIT;
    fprintf(stderr, "rapportd: check-config: %s\n", rp_cut(&shown, why, 600));
    rp_buf_free(&shown);
}

/*
 * Check everything rapportd would check at start, and more, without
 * starting: every setting, how they fit together, the web root, and the
 * database (readable, writable, a rapport database not newer than this
 * program), changing nothing.  Exit 0 when all is well, 2 when a setting
 * is wrong, 4 when only the database is.
 */
static int check_config(const char *const given[])
{
    rp_config cfg;
    int bad = 0;
    rp_config_check(&cfg, RP_CONFIG_SERVER, given, say_bad, &bad);
    const char *web_root = cfg.web_root ? cfg.web_root
                                        : rp_static_default_root();
    struct stat st;
    if (web_root && *web_root && (stat(web_root, &st) || !S_ISDIR(st.st_mode)))
        say_bad(&bad, cfg.web_root ? "--web-root (RAPPORT_WEB_ROOT) is not a "
                                     "directory"
                                   : "the console's files are not installed "
                                     "beside rapportd: set RAPPORT_WEB_ROOT");
    json_t *db = NULL;
    rp_error err;
    int db_bad = 0;
    if (rp_store_describe(cfg.db, &db, &err)) {
        rp_buf why = RP_BUF_INIT;
        rp_buf_printf(&why, "RAPPORT_DB (--db): %s", err.message);
        say_bad(&db_bad, rp_buf_str(&why));
        rp_buf_free(&why);
    }
    if (bad || db_bad) {
        fprintf(stderr, "rapportd: check-config: %d problem%s found\n",
                bad + db_bad, bad + db_bad == 1 ? "" : "s");
        json_decref(db);
        return bad ? 2 : 4;
    }
    json_int_t have = json_integer_value(json_object_get(db, "schema_version"));
    json_int_t want = json_integer_value(
        json_object_get(db, "latest_schema_version"));
    int exists = json_is_true(json_object_get(db, "exists"));
    printf("rapportd: configuration ok\n");
    rp_buf shown = RP_BUF_INIT;
    rp_store_display_name(cfg.db, &shown);
    printf("  database  %s: %s\n", rp_buf_str(&shown),
           !exists       ? "does not exist yet; it will be created at start"
           : have < want ? "readable and writable; it will be migrated at "
                           "start"
                         : "readable and writable, schema current");
    rp_buf_free(&shown);
    if (exists)
        printf("  schema    version %lld (this rapportd: %lld)\n",
               (long long)have, (long long)want);
    printf("  listen    %s\n", cfg.listen);
    printf("  email     %s\n", cfg.followup.delivery.smtp_url
                                   ? cfg.followup.delivery.smtp_url
                                   : "not configured (no email is sent)");
    printf("  webhook   %s\n", cfg.followup.delivery.webhook_url
                                   ? cfg.followup.delivery.webhook_url
                                   : "not configured");
    printf("  log       %s\n", cfg.log_format);
    json_decref(db);
    return 0;
}

/* The schema version the server's database is at, for the start line. */
static int served_version(rp_pool *pool)
{
    rp_store *st;
    rp_error err;
    if (rp_pool_acquire(pool, &st, &err))
        return 0;
    int v = st->ops->schema_version(st);
    rp_pool_release(pool, st);
    return v;
}

/*
 * Keep freed memory in the process instead of handing it back to the
 * kernel after every statement.  Each SQLite sort (ORDER BY, GROUP BY,
 * DISTINCT) builds a temporary B-tree and frees it when the statement
 * ends; with glibc's defaults the top of a thread's heap then goes back
 * with madvise() at once, and is faulted in again by the next request.
 * Measured on the customer 360 view at 64 connections, 58% of rapportd's
 * CPU went to those madvise calls and the TLB flushes they force.  A high
 * trim threshold keeps up to 64 MB free at the top of each heap (the
 * desk's working set stays resident instead), and a fixed mmap threshold
 * keeps scratch blocks up to 4 MB on the heap, where a free is cheap,
 * rather than in mappings that are unmapped on every free.  An operator
 * who sets glibc's own malloc tunables (GLIBC_TUNABLES=glibc.malloc...)
 * keeps them: they are not overridden here.
 */
static void tune_allocator(void)
{
#ifdef __GLIBC__
    const char *tunables = getenv("GLIBC_TUNABLES");
    if (tunables && strstr(tunables, "glibc.malloc."))
        return;
    mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
#endif
}

/*
 * Load the keys of secrets at rest and check them against the database:
 * with sealed secrets and no key that opens them, rapportd does not start
 * (the mail poller and the webhooks would fail on every try); secrets kept
 * plain from before are sealed now.  -1 after saying why.
 */
static int start_secrets(const rp_config *cfg, rp_pool *pool)
{
    rp_secret_settings keys;
    rp_config_secrets(cfg, &keys);
    rp_error err;
    rp_store *store = NULL;
    int sealed = 0, plain = 0;
    rp_code rc = rp_secrets_configure(&keys, &err);
    if (rc == RP_OK && (rc = rp_pool_acquire(pool, &store, &err)) == RP_OK) {
        rp_ctx ctx = {.store = store, .actor = "system"};
        rc = rp_secrets_start(&ctx, &sealed, &plain, &err);
        rp_pool_release(pool, store);
    }
    if (rc) {
        rp_logf(RP_LOG_ERROR, "%s", err.message);
        return -1;
    }
    if (sealed)
        rp_logf(RP_LOG_INFO, "sealed %d stored secrets kept plain", sealed);
    if (plain)
        rp_logf(RP_LOG_WARN,
                "%d stored secrets are kept plain: set "
                "RAPPORT_SECRET_KEY_FILE or RAPPORT_SECRET_KEY to seal "
                "them",
                plain);
    return 0;
}

/*
 * Say at start when the desk cannot send email or text messages, so that
 * an operator learns it from the log rather than from tasks that fail one
 * by one; the dashboard shows the same (GET /api/v1/delivery/status).
 */
static void warn_delivery(const rp_config *cfg, rp_pool *pool)
{
    rp_error err;
    rp_store *store = NULL;
    json_t *status = NULL;
    if (rp_pool_acquire(pool, &store, &err) == RP_OK) {
        rp_ctx ctx = {.store = store, .actor = "system"};
        if (rp_delivery_status(&ctx, &cfg->followup.delivery, &status, &err))
            status = NULL;
        rp_pool_release(pool, store);
    }
    if (!status) {
        rp_log(RP_LOG_WARN, "cannot tell whether delivery is configured",
               "error", err.message, (char *)NULL);
        return;
    }
    if (!json_is_true(
            json_object_get(json_object_get(status, "email"), "configured")))
        rp_log(RP_LOG_WARN,
               "email delivery is not configured: reminders, satisfaction "
               "checks and replies are held until an admin sets the mail "
               "server (console: Admin, Delivery; or RAPPORT_SMTP_URL)",
               (char *)NULL);
    if (!json_is_true(json_object_get(json_object_get(status, "text_messages"),
                                      "configured")))
        rp_log(RP_LOG_INFO,
               "text-message delivery is not configured: messages by phone "
               "are held (console: Admin, Delivery; or RAPPORT_WEBHOOK_URL)",
               (char *)NULL);
    json_decref(status);
}

int main(int argc, char **argv)
{
    struct option opts[32] = {
        {"help", no_argument, NULL, OPT_HELP},
        {"version", no_argument, NULL, OPT_VERSION},
        {"routes", no_argument, NULL, OPT_ROUTES},
        {"check-config", no_argument, NULL, OPT_CHECK_CONFIG},
        {"openapi", no_argument, NULL, OPT_OPENAPI},
    };
    size_t nopts = 5;
    int checking = 0;
    /* the last entry stays zero: the end of the array */
    tune_allocator();
    rp_log_setup("rapportd", RP_LOG_TEXT); /* until the settings say */
    rp_config_options(RP_CONFIG_SERVER, opts, 31, &nopts);
    const char *given[64] = {0};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_HELP: usage(); return 0;
        case OPT_VERSION: printf("rapportd %s\n", RP_VERSION); return 0;
        case OPT_ROUTES: /* docs/api.md holds it; the authorization test
                          * walks it */
            rp_routes_print(stdout);
            return 0;
        case OPT_CHECK_CONFIG: checking = 1; break;
        case OPT_OPENAPI: /* docs/openapi.json holds it */
            return rp_openapi_print(stdout) ? 1 : 0;
        default:
            if (c >= RP_CONFIG_OPTION_BASE &&
                c - RP_CONFIG_OPTION_BASE <
                    (int)(sizeof given / sizeof *given)) {
                given[c - RP_CONFIG_OPTION_BASE] = optarg;
                break;
            }
            return usage_error(c == ':' ? "option '%s' needs a value"
                                        : "unknown option '%s'",
                               argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (checking)
        return check_config(given);
    rp_config cfg;
    char why[512];
    if (rp_config_read(&cfg, RP_CONFIG_SERVER, given, why, sizeof why))
        return usage_error("%s", why);
    rp_log_format log_format = RP_LOG_TEXT;
    rp_log_format_parse(cfg.log_format, &log_format); /* checked when read */
    rp_log_setup("rapportd", log_format);
    struct sockaddr_in addr;
    rp_config_parse_address(cfg.listen, &addr); /* checked when read */
    const char *web_root = cfg.web_root ? cfg.web_root
                                        : rp_static_default_root();
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
    rp_session_set_lifetimes(cfg.session_idle, cfg.session_lifetime);
    rp_server srv = {.web_root = web_root && *web_root ? web_root : NULL,
                     .config = &cfg};
    atomic_init(&srv.in_flight, 0);
    rp_error err;
    /* a connection for each thread that serves requests (HTTP workers,
     * password and slow-work threads), so that none waits for one */
    if (rp_pool_create(cfg.db,
                       cfg.threads + 2 * cfg.password_threads +
                           cfg.slow_threads + 2,
                       &srv.pool, &err)) {
        rp_log(RP_LOG_ERROR, err.message, (char *)NULL);
        return 4;
    }
    /* held until the last connection is closed: a restore refuses to
     * replace the database while it is held */
    rp_store_claim *claim = NULL;
    if (rp_store_claim_db(cfg.db, &claim, &err)) {
        rp_log(RP_LOG_ERROR, err.message, (char *)NULL);
        rp_pool_destroy(srv.pool);
        return 4;
    }
    if (start_secrets(&cfg, srv.pool)) {
        rp_pool_destroy(srv.pool);
        rp_store_release(claim);
        return 4;
    }
    warn_delivery(&cfg, srv.pool);
    if (cfg.audit_reads) {
        /* the audit log's reads are written on a connection of their own,
         * so that a batch never waits for a request's connection */
        rp_store *audit_store;
        if (rp_store_open(cfg.db, &audit_store, &err) ||
            rp_audit_writer_start(audit_store, cfg.audit_flush_ms,
                                  cfg.audit_queue_max, &srv.audit, &err)) {
            rp_log(RP_LOG_ERROR, "the audit log cannot start", "error",
                   err.message, (char *)NULL);
            rp_pool_destroy(srv.pool);
            rp_store_release(claim);
            return 4;
        }
    }
    if (rp_server_start(&srv, &addr, cfg.threads, &err)) {
        rp_log(RP_LOG_ERROR, err.message, (char *)NULL);
        rp_audit_writer_stop(srv.audit);
        rp_pool_destroy(srv.pool);
        rp_store_release(claim);
        return 5;
    }
    rp_sched *sched = NULL;
    if (rp_sched_start(cfg.db, cfg.scheduler_interval, cfg.clock_offset,
                       &cfg.followup, &sched, &err)) {
        rp_log(RP_LOG_ERROR, "the scheduler cannot start", "error", err.message,
               (char *)NULL);
        rp_server_stop(&srv, 0);
        rp_audit_writer_stop(srv.audit);
        rp_pool_destroy(srv.pool);
        rp_store_release(claim);
        return 4;
    }
    rp_mail_options mail = {.channel = "email",
                            .max_size = (size_t)cfg.mail_max_bytes,
                            .loop = cfg.mail_loop};
    rp_mailpoll *mailpoll = NULL;
    if (rp_mailpoll_start(cfg.db, cfg.imap_interval, &mail, &mailpoll, &err)) {
        rp_log(RP_LOG_ERROR, "the mail thread cannot start", "error",
               err.message, (char *)NULL);
        rp_sched_stop(sched);
        rp_server_stop(&srv, 0);
        rp_audit_writer_stop(srv.audit);
        rp_pool_destroy(srv.pool);
        rp_store_release(claim);
        return 4;
    }
    rp_webhook_thread *webhooks = NULL;
    if (rp_webhook_thread_start(cfg.db, cfg.webhook_interval, &cfg.webhooks,
                                &webhooks, &err)) {
        rp_log(RP_LOG_ERROR, "the webhook thread cannot start", "error",
               err.message, (char *)NULL);
        rp_mailpoll_stop(mailpoll);
        rp_sched_stop(sched);
        rp_server_stop(&srv, 0);
        rp_audit_writer_stop(srv.audit);
        rp_pool_destroy(srv.pool);
        rp_store_release(claim);
        return 4;
    }
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr.sin_addr, host, sizeof host);
    if (srv.web_root)
        rp_log(RP_LOG_INFO, "serving the console", "web_root", srv.web_root,
               (char *)NULL);
    char url[64], version[16];
    snprintf(url, sizeof url, "http://%s:%u/", host, srv.port);
    snprintf(version, sizeof version, "%d", served_version(srv.pool));
    rp_buf shown = RP_BUF_INIT;
    rp_store_display_name(cfg.db, &shown);
    rp_log(RP_LOG_INFO, "listening", "url", url, "db", rp_buf_str(&shown),
           "schema_version", version, "version", RP_VERSION, (char *)NULL);
    rp_buf_free(&shown);
    /* the one line on standard output: scripts and the tests wait for it */
    printf("rapportd listening on %s\n", url);
    fflush(stdout);

    int sig = 0;
    sigwait(&sigs, &sig);
    rp_log(RP_LOG_INFO, "shutting down", "signal",
           sig == SIGINT ? "SIGINT" : "SIGTERM", (char *)NULL);
    rp_sched_ask_stop(sched); /* winds down beside the connections */
    rp_server_stop(&srv, 10);
    rp_webhook_thread_stop(webhooks);
    rp_mailpoll_stop(mailpoll);
    rp_sched_stop(sched);
    rp_audit_writer_stop(srv.audit); /* what is queued is written first */
    rp_pool_destroy(srv.pool);
    rp_store_release(claim);
    rp_log(RP_LOG_INFO, "stopped cleanly", (char *)NULL);
    return 0;
}
