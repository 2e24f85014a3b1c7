/*
 * config.c - the settings table of rapportd and rapport, and the reader
 * and help printer that walk it (see config.h).
 *
 * This is the only file that calls getenv() for a RAPPORT_* setting: a new
 * setting is one row here and one field in rp_config, and it shows in the
 * help of the programs that read it without further work.
 */
#include "config/config.h"
#include "core/conversation/conversation.h"
#include "base/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define F(field) offsetof(rp_config, field)
#define S RP_CONFIG_SERVER
#define C RP_CONFIG_CLI

const rp_setting rp_settings[] = {
    {"RAPPORT_DB", "db", "NAME", RP_SETTING_TEXT, F(db), 0, 0, S | C,
     "the database: sqlite:PATH, or a plain PATH of a SQLite file; "
     "postgres://USER@HOST/DATABASE or a libpq keyword string (host=... "
     "dbname=...) for PostgreSQL",
     NULL},
    {"RAPPORT_LISTEN", "listen", "HOST:PORT", RP_SETTING_ADDRESS, F(listen), 0,
     0, S, "IPv4 address and port to listen on; port 0 picks a free port",
     NULL},
    {NULL, "threads", "N", RP_SETTING_INT, F(threads), 1, 64, S,
     "HTTP worker threads", NULL},
    {"RAPPORT_WEB_ROOT", "web-root", "DIR", RP_SETTING_DIR, F(web_root), 0, 0,
     S, "directory of the agent console's files; empty serves no console",
     "../share/rapport/web beside the program, else the source tree's web/"},
    {"RAPPORT_SCHEDULER_INTERVAL", "scheduler-interval", "SECONDS",
     RP_SETTING_INT, F(scheduler_interval), 0, 86400, S,
     "how often the scheduler thread sends what is due; 0 turns it off, e.g. "
     "when cron runs 'rapport due'",
     NULL},
    {NULL, "clock-offset", "SECONDS", RP_SETTING_INT, F(clock_offset),
     -3650L * 86400, 3650L * 86400, S,
     "run the scheduler thread this many seconds ahead of (or, negative, "
     "behind) the real clock, to rehearse reminders",
     NULL},
    {"RAPPORT_SMTP_URL", NULL, "URL", RP_SETTING_TEXT,
     F(followup.delivery.smtp_url), 0, 0, S | C,
     "SMTP server email is sent through, e.g. smtp://127.0.0.1:2525", NULL},
    {"RAPPORT_SMTP_FROM", NULL, "ADDRESS", RP_SETTING_TEXT,
     F(followup.delivery.smtp_from), 0, 0, S | C, "the sender of email", NULL},
    {"RAPPORT_SMTP_USER", NULL, "NAME", RP_SETTING_TEXT,
     F(followup.delivery.smtp_user), 0, 0, S | C,
     "SMTP user name; STARTTLS is tried when set", NULL},
    {"RAPPORT_SMTP_PASSWORD", NULL, "TEXT", RP_SETTING_TEXT,
     F(followup.delivery.smtp_password), 0, 0, S | C, "SMTP password", NULL},
    {"RAPPORT_WEBHOOK_URL", NULL, "URL", RP_SETTING_TEXT,
     F(followup.delivery.webhook_url), 0, 0, S | C,
     "where SMS and other messages are POSTed as JSON", NULL},
    {"RAPPORT_WEBHOOK_SECRET", NULL, "TEXT", RP_SETTING_TEXT,
     F(followup.delivery.webhook_secret), 0, 0, S | C,
     "key of the webhook's X-Rapport-Signature (HMAC-SHA256)", NULL},
    {"RAPPORT_PUBLIC_URL", NULL, "URL", RP_SETTING_TEXT, F(followup.public_url),
     0, 0, S | C, "base of the satisfaction links sent to customers", NULL},
    {"RAPPORT_CADENCE", NULL, "LEVEL=DAYS,...", RP_SETTING_CADENCE,
     F(followup.cadence_days), 0, 3650, S | C,
     "days without contact before keep-in-touch, per relationship level "
     "(0: never); levels not named keep their default",
     NULL},
    {"RAPPORT_TASK_LEASE", NULL, "SECONDS", RP_SETTING_INT,
     F(followup.lease_seconds), 1, 86400, S | C,
     "after this a claimed task is taken over", NULL},
    {"RAPPORT_TASK_MAX_ATTEMPTS", NULL, "N", RP_SETTING_INT,
     F(followup.max_attempts), 1, 100, S | C,
     "attempts before a task is failed", NULL},
    {"RAPPORT_TASK_BACKOFF", NULL, "SECONDS", RP_SETTING_INT,
     F(followup.backoff_seconds), 1, 86400, S | C,
     "first retry delay; doubles each attempt", NULL},
    {"RAPPORT_TASK_BATCH", NULL, "N", RP_SETTING_INT, F(followup.batch), 1,
     1000, S | C, "tasks claimed per transaction", NULL},
    {"RAPPORT_SATISFACTION_TTL_DAYS", NULL, "DAYS", RP_SETTING_INT,
     F(followup.satisfaction_ttl_days), 1, 365, S | C,
     "how long a satisfaction link works", NULL},
    {"RAPPORT_PASSWORD", NULL, "TEXT", RP_SETTING_TEXT, F(password), 0, 0, C,
     "the password of 'rapport agent add' and 'rapport agent passwd'",
     "prompted for"},
    {"RAPPORT_ADMIN_PASSWORD", NULL, "TEXT", RP_SETTING_TEXT, F(admin_password),
     0, 0, C,
     "the admin's password for 'rapport init --admin-email' (at least 10 "
     "characters)",
     "prompted for"},
    /* the customer's help pages */
    {"RAPPORT_HELP_LINK_DAYS", NULL, "DAYS", RP_SETTING_INT, F(help.link_days),
     1, 365, S | C, "how long a customer's link to their request works", NULL},
    {"RAPPORT_HELP_WINDOW", NULL, "SECONDS", RP_SETTING_INT,
     F(help.window_seconds), 60, 86400, S,
     "the window the help form's limits count in", NULL},
    {"RAPPORT_HELP_MAX_PER_ADDRESS", NULL, "N", RP_SETTING_INT,
     F(help.max_per_address), 0, 100000, S,
     "requests and replies from one client address per window (0: no limit)",
     NULL},
    {"RAPPORT_HELP_MAX_PER_NETWORK", NULL, "N", RP_SETTING_INT,
     F(help.max_per_network), 0, 100000, S,
     "requests and replies from one /24 or /64 network per window (0: no "
     "limit)",
     NULL},
    {"RAPPORT_HELP_MAX_PER_EMAIL", NULL, "N", RP_SETTING_INT,
     F(help.max_per_email), 0, 100000, S,
     "new requests from one email address per window (0: no limit)", NULL},
    {"RAPPORT_HELP_MAX_ATTACHMENT", NULL, "BYTES", RP_SETTING_INT,
     F(help.max_attachment), 1024, 64L * 1024 * 1024, S,
     "largest attachment a customer may send with the help form", NULL},
    {"RAPPORT_HELP_QUEUE", NULL, "NAME", RP_SETTING_TEXT, F(help.queue), 0, 0,
     S, "queue new requests from the help form open in", "routed by channel"},
    {"RAPPORT_BUSY_WAIT_MS", "busy-wait", "MS", RP_SETTING_INT, F(busy_wait_ms),
     0, 60000, S,
     "how long a request waits in all for another writer to finish with the "
     "database before it is answered 503 with Retry-After",
     NULL},
    {"RAPPORT_PLAIN_HTTP", NULL, "1|0", RP_SETTING_BOOL, F(plain_http), 0, 0, S,
     "rapportd is reached over plain HTTP on this machine only: the session "
     "cookie is not marked Secure (allowed only with a loopback --listen); "
     "otherwise it is, as a TLS-terminating proxy in front needs",
     NULL},
    {"RAPPORT_TRUSTED_PROXIES", NULL, "ADDRESS[,ADDRESS...]", RP_SETTING_TEXT,
     F(trusted_proxies), 0, 0, S,
     "the load balancers in front of rapportd (e.g. haproxy on 10.0.0.5): a "
     "request from one of them is counted as from the client it names last "
     "in X-Forwarded-For (login throttling, the help form's limits, the "
     "audit log); from any other address the header is ignored",
     "none"},
    {"RAPPORT_SESSION_IDLE", NULL, "SECONDS", RP_SETTING_INT, F(session_idle),
     1, 366L * 86400, S, "a browser session ends after this long without use",
     NULL},
    {"RAPPORT_SESSION_LIFETIME", NULL, "SECONDS", RP_SETTING_INT,
     F(session_lifetime), 1, 366L * 86400, S,
     "a browser session ends this long after login, however much it is used",
     NULL},
    /* floods and login storms: how many connections rapportd holds, and
     * how many passwords it checks at once */
    {"RAPPORT_MAX_CONNECTIONS", "max-connections", "N", RP_SETTING_INT,
     F(max_connections), 1, 100000, S,
     "connections held open at once; more are closed as they arrive (the "
     "open-file limit is raised to fit)",
     NULL},
    {"RAPPORT_MAX_CONNECTIONS_PER_ADDRESS", "max-connections-per-address", "N",
     RP_SETTING_INT, F(max_connections_per_address), 1, 100000, S,
     "connections held open at once from one client address, so that one "
     "client cannot take them all",
     NULL},
    {"RAPPORT_IDLE_TIMEOUT", "idle-timeout", "SECONDS", RP_SETTING_INT,
     F(idle_timeout), 1, 3600, S,
     "a connection that sends and receives nothing for this long is closed",
     NULL},
    {"RAPPORT_PASSWORD_THREADS", "password-threads", "N", RP_SETTING_INT,
     F(password_threads), 1, 64, S,
     "threads that check and hash passwords (login, an agent's new "
     "password; argon2id, 64 MiB each while it runs: peak memory grows with "
     "this, not with --threads)",
     NULL},
    {"RAPPORT_PASSWORD_QUEUE", "password-queue", "N", RP_SETTING_INT,
     F(password_queue), 1, 10000, S,
     "logins and password changes that may wait for a password thread; more "
     "are answered 503 "
     "with Retry-After",
     NULL},
    {"RAPPORT_SLOW_THREADS", "slow-threads", "N", RP_SETTING_INT,
     F(slow_threads), 1, 64, S,
     "threads that serve slow requests (searches, reports, exports, imports, "
     "scheduler and outbox runs) so that they never hold up the HTTP "
     "workers' quick requests",
     NULL},
    {"RAPPORT_SLOW_QUEUE", "slow-queue", "N", RP_SETTING_INT, F(slow_queue), 1,
     10000, S,
     "slow requests that may wait for a slow-work thread; more are answered "
     "503 with Retry-After",
     NULL},
    {"RAPPORT_MAIL_MAX_BYTES", NULL, "BYTES", RP_SETTING_INT, F(mail_max_bytes),
     1024, 1024L * 1024 * 1024, S | C,
     "an inbound email larger than this is refused (and logged)", NULL},
    {"RAPPORT_IMAP_INTERVAL", NULL, "SECONDS", RP_SETTING_INT, F(imap_interval),
     0, 86400, S,
     "how often rapportd reads the queues' IMAP mailboxes; 0 turns it off, "
     "e.g. when cron runs 'rapport mail poll'",
     NULL},
    /* event webhooks */
    {"RAPPORT_EVENTS_INTERVAL", NULL, "SECONDS", RP_SETTING_INT,
     F(webhook_interval), 0, 3600, S,
     "how often rapportd sends the event webhook deliveries that are due; 0 "
     "turns the sending off",
     NULL},
    {"RAPPORT_EVENTS_TIMEOUT", NULL, "SECONDS", RP_SETTING_INT,
     F(webhooks.timeout_seconds), 1, 300, S,
     "how long a webhook receiver has to answer a delivery", NULL},
    {"RAPPORT_EVENTS_BACKOFF", NULL, "SECONDS", RP_SETTING_INT,
     F(webhooks.backoff_seconds), 1, 86400, S,
     "delay before a failed webhook delivery is tried again; doubles each "
     "attempt",
     NULL},
    {"RAPPORT_EVENTS_BACKOFF_MAX", NULL, "SECONDS", RP_SETTING_INT,
     F(webhooks.backoff_max_seconds), 1, 7L * 86400, S,
     "the longest delay between two attempts of a webhook delivery", NULL},
    {"RAPPORT_EVENTS_MAX_ATTEMPTS", NULL, "N", RP_SETTING_INT,
     F(webhooks.max_attempts), 1, 100, S,
     "attempts before a webhook delivery is given up as failed", NULL},
    {"RAPPORT_EVENTS_KEEP_DAYS", NULL, "DAYS", RP_SETTING_INT,
     F(webhooks.keep_days), 0, 3650, S,
     "days the webhook delivery log and sent events are kept (0: forever)",
     NULL},
    {"RAPPORT_SECRET_KEY", NULL, "BASE64[,BASE64...]", RP_SETTING_TEXT,
     F(secret_key), 0, 0, S | C,
     "the key that seals stored secrets (mailbox passwords, webhook "
     "secrets), base64 of 32 bytes ('rapport secrets keygen'); older keys "
     "after a comma stay readable; wins over the key file",
     NULL},
    {"RAPPORT_SECRET_KEY_FILE", NULL, "PATH", RP_SETTING_TEXT,
     F(secret_key_file), 0, 0, S | C,
     "the file holding that key (mode 0600, made at the first seal); keep "
     "it out of the database's backups",
     "the database's path + .key"},
    /* the audit log and the customer's export */
    {"RAPPORT_AUDIT_READS", NULL, "1|0", RP_SETTING_BOOL, F(audit_reads), 0, 0,
     S,
     "record every read of a customer's data in the audit log (0 only to "
     "measure what recording costs: the log is then incomplete)",
     NULL},
    {"RAPPORT_AUDIT_FLUSH_MS", NULL, "MS", RP_SETTING_INT, F(audit_flush_ms),
     10, 60000, S,
     "how often recorded reads are written to the audit log, in one "
     "transaction each time",
     NULL},
    {"RAPPORT_AUDIT_QUEUE_MAX", NULL, "N", RP_SETTING_INT, F(audit_queue_max),
     1, 10000000, S,
     "how many recorded reads may wait to be written while the database "
     "refuses writes; past them reads of customer data are answered 503 "
     "(never given unrecorded) until the waiting ones are written",
     NULL},
    {"RAPPORT_EXPORT_AUTO", NULL, "1|0", RP_SETTING_BOOL, F(export_auto), 0, 0,
     S,
     "a customer's request for their data from their help page is granted "
     "at once, without an agent's approval",
     NULL},
    {"RAPPORT_EXPORT_LINK_HOURS", NULL, "HOURS", RP_SETTING_INT,
     F(export_link_hours), 1, 24 * 90, S,
     "how long a granted export can be downloaded from the customer's help "
     "page",
     NULL},
    /* operations */
    {"RAPPORT_LOG_FORMAT", "log-format", "text|json", RP_SETTING_TEXT,
     F(log_format), 0, 0, S,
     "how rapportd writes its log to standard error: text, one line per "
     "event as level=... msg=... key=value, or json, one JSON object per "
     "line for log collectors",
     NULL},
    {NULL, NULL, NULL, RP_SETTING_TEXT, 0, 0, 0, 0, NULL, NULL},
};

#undef F
#undef S
#undef C

void rp_config_defaults(rp_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    rp_scheduler_config_default(&cfg->followup);
    cfg->followup.public_url = "http://" RP_CONFIG_DEFAULT_LISTEN;
    cfg->db = "rapport.db";
    cfg->listen = RP_CONFIG_DEFAULT_LISTEN;
    cfg->threads = 4;
    cfg->scheduler_interval = 30;
    rp_help_config_default(&cfg->help);
    cfg->max_connections = 1000;
    cfg->max_connections_per_address = 64;
    cfg->idle_timeout = 10;
    rp_webhook_config_default(&cfg->webhooks);
    cfg->webhook_interval = 2;
    cfg->password_threads = 2;
    cfg->password_queue = 64;
    cfg->slow_threads = 2;
    cfg->slow_queue = 64;
    cfg->mail_max_bytes = 40 * 1024 * 1024;
    /* the value the outbox writes, so that what we send is known again */
    cfg->mail_loop = RP_X_LOOP;
    cfg->imap_interval = 60;
    cfg->busy_wait_ms = 2000;
    cfg->session_idle = RP_SESSION_IDLE_SECONDS;
    cfg->session_lifetime = RP_SESSION_LIFETIME_SECONDS;
    cfg->audit_reads = 1;
    cfg->audit_flush_ms = 200;
    cfg->audit_queue_max = 100000;
    cfg->export_link_hours = 72;
    cfg->log_format = "text";
}

/* Does the database name name a PostgreSQL database: a postgres: or
 * postgresql: URI, or a libpq keyword string ("host=... dbname=...")? */
static int names_postgresql(const char *name)
{
    if (strncmp(name, "postgres:", 9) == 0 ||
        strncmp(name, "postgresql:", 11) == 0)
        return 1;
    size_t i = strspn(name, " \t");
    size_t k = strspn(name + i, "abcdefghijklmnopqrstuvwxyz"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
    if (k == 0)
        return 0;
    i += k;
    i += strspn(name + i, " \t");
    return name[i] == '=';
}

/* The default key file, made once from the database's path; global so
 * that it lives as long as the process. */
static char *default_key_file;

void rp_config_secrets(const rp_config *cfg, rp_secret_settings *out)
{
    out->key = cfg->secret_key;
    out->key_file = cfg->secret_key_file;
    if (out->key_file || !cfg->db)
        return;
    const char *path = cfg->db;
    if (names_postgresql(path))
        return; /* a database on a server: no file to be beside */
    if (strncmp(path, "sqlite:", 7) == 0)
        path += 7;
    else if (strchr(path, ':') && !strchr(path, '/'))
        return; /* another backend, or ":memory:": no file to be beside */
    if (!*path)
        return;
    size_t n = strlen(path);
    char *f = malloc(n + 5);
    if (!f)
        return;
    memcpy(f, path, n);
    memcpy(f + n, ".key", 5);
    free(default_key_file);
    default_key_file = f;
    out->key_file = f;
}

/* Is "HOST:PORT" an address of this machine only (127.0.0.0/8)? */
static int is_loopback(const char *listen)
{
    struct sockaddr_in addr;
    return rp_config_parse_address(listen, &addr) == 0 &&
           (ntohl(addr.sin_addr.s_addr) >> 24) == 127;
}

int rp_config_check_proxies(const char *list, char *why, size_t n)
{
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        char one[64];
        if (len == 0 || len >= sizeof one) {
            snprintf(why, n,
                     "RAPPORT_TRUSTED_PROXIES: '%s' is not a list of IP "
                     "addresses separated by commas",
                     list);
            return -1;
        }
        memcpy(one, p, len);
        one[len] = '\0';
        unsigned char bin[16];
        if (inet_pton(AF_INET, one, bin) != 1 &&
            inet_pton(AF_INET6, one, bin) != 1) {
            snprintf(why, n,
                     "RAPPORT_TRUSTED_PROXIES: '%s' is not an IP address "
                     "(write the proxy's address as it connects, e.g. "
                     "127.0.0.1)",
                     one);
            return -1;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* An IP address as text in its binary form (16 bytes, IPv4 mapped into
 * IPv6), so that two spellings of one address compare equal. */
static int address_bytes(const char *text, unsigned char out[16])
{
    unsigned char v4[4];
    if (inet_pton(AF_INET, text, v4) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, v4, 4);
        return 0;
    }
    return inet_pton(AF_INET6, text, out) == 1 ? 0 : -1;
}

int rp_config_proxy_listed(const char *list, const char *addr)
{
    unsigned char want[16], have[16];
    if (!list || address_bytes(addr, want))
        return 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        char one[64];
        if (len < sizeof one) {
            memcpy(one, p, len);
            one[len] = '\0';
            if (address_bytes(one, have) == 0 && !memcmp(want, have, 16))
                return 1;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* The server's settings that depend on each other: the session cookie is
 * Secure unless rapportd is told it is reached over plain HTTP, which a
 * browser allows only on loopback. */
static int settle_server(rp_config *cfg, char *why, size_t n)
{
    if (cfg->plain_http && !is_loopback(cfg->listen)) {
        snprintf(why, n,
                 "RAPPORT_PLAIN_HTTP is only for a loopback address "
                 "(127.0.0.1), not '%s': elsewhere serve HTTPS through a "
                 "proxy and leave it unset",
                 cfg->listen);
        return -1;
    }
    cfg->cookie_secure = !cfg->plain_http;
    return rp_config_check_proxies(cfg->trusted_proxies, why, n);
}

/* The log's format is one of two words. */
static int settle_log(const rp_config *cfg, char *why, size_t n)
{
    rp_log_format f;
    if (rp_log_format_parse(cfg->log_format, &f) == 0)
        return 0;
    rp_buf shown = RP_BUF_INIT;
    snprintf(why, n,
             "RAPPORT_LOG_FORMAT (--log-format) must be text or json, "
             "not '%s'",
             rp_cut(&shown, cfg->log_format, 60));
    rp_buf_free(&shown);
    return -1;
}

void rp_config_options(unsigned program, struct option *opts, size_t n,
                       size_t *count)
{
    for (size_t i = 0; rp_settings[i].env || rp_settings[i].flag; i++) {
        const rp_setting *s = &rp_settings[i];
        if (!s->flag || !(s->programs & program) || *count >= n)
            continue;
        opts[(*count)++] = (struct option){s->flag, required_argument, NULL,
                                           RP_CONFIG_OPTION_BASE + (int)i};
    }
}

int rp_config_parse_address(const char *text, struct sockaddr_in *addr)
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

/* "transactional=0,incremental=90": each named level over days[]. */
static int parse_cadence(const char *text, long max, int days[4])
{
    const char *c = text;
    while (*c) {
        int found = 0;
        for (int i = 0; rp_scheduler_levels[i]; i++) {
            size_t n = strlen(rp_scheduler_levels[i]);
            if (strncmp(c, rp_scheduler_levels[i], n) || c[n] != '=')
                continue;
            char *end;
            errno = 0;
            long d = strtol(c + n + 1, &end, 10);
            if (errno || end == c + n + 1 || (*end && *end != ',') || d < 0 ||
                d > max)
                return -1;
            days[i] = (int)d;
            c = end;
            found = 1;
            break;
        }
        if (!found)
            return -1;
        if (*c == ',')
            c++;
    }
    return 0;
}

/* Set row s of cfg from text; on a bad value say why, naming name and
 * quoting text as shown (cut by characters: it may be anything). */
static int set_value(rp_config *cfg, const rp_setting *s, const char *name,
                     const char *text, const char *shown, char *why, size_t n)
{
    void *at = (char *)cfg + s->offset;
    char *end;
    long v;
    struct sockaddr_in addr;
    switch (s->type) {
    case RP_SETTING_TEXT:
    case RP_SETTING_DIR: *(const char **)at = text; return 0;
    case RP_SETTING_ADDRESS:
        if (rp_config_parse_address(text, &addr) == 0) {
            *(const char **)at = text;
            return 0;
        }
        snprintf(why, n, "%s must be HOST:PORT with an IPv4 host, not '%s'",
                 name, shown);
        return -1;
    case RP_SETTING_INT:
        errno = 0;
        v = strtol(text, &end, 10);
        if (!errno && !*end && end != text && v >= s->min && v <= s->max) {
            *(int *)at = (int)v;
            return 0;
        }
        snprintf(why, n, "%s must be a whole number from %ld to %ld, not '%s'",
                 name, s->min, s->max, shown);
        return -1;
    case RP_SETTING_BOOL:
        if (!strcmp(text, "1") || !strcmp(text, "true") ||
            !strcmp(text, "yes")) {
            *(int *)at = 1;
            return 0;
        }
        if (!strcmp(text, "0") || !strcmp(text, "false") ||
            !strcmp(text, "no")) {
            *(int *)at = 0;
            return 0;
        }
        snprintf(why, n, "%s must be 1 or 0, not '%s'", name, shown);
        return -1;
    case RP_SETTING_CADENCE: {
        int days[4];
        memcpy(days, at, sizeof days);
        if (parse_cadence(text, s->max, days) == 0) {
            memcpy(at, days, sizeof days);
            return 0;
        }
        snprintf(why, n,
                 "%s must be LEVEL=DAYS,... with levels transactional, "
                 "incremental, formative or partnership and days from 0 to "
                 "%ld, not '%s'",
                 name, s->max, shown);
        return -1;
    }
    }
    return 0;
}

/*
 * Set cfg from the rows program reads (flags in given, else variables),
 * over the defaults; each bad value is told to bad(arg, why).  With
 * first_only, stop at the first.  Returns the number of bad values.
 */
static int read_rows(rp_config *cfg, unsigned program,
                     const char *const given[], int first_only,
                     void (*bad)(void *, const char *), void *arg)
{
    int nbad = 0;
    char why[512];
    rp_config_defaults(cfg);
    for (size_t i = 0; rp_settings[i].env || rp_settings[i].flag; i++) {
        const rp_setting *s = &rp_settings[i];
        if (!(s->programs & program))
            continue;
        char name[64];
        const char *text = given ? given[i] : NULL;
        if (text) {
            snprintf(name, sizeof name, "--%s", s->flag);
            /* an empty flag means the default, except for a directory:
             * --web-root '' serves no console */
            if (!*text && s->type != RP_SETTING_DIR)
                continue;
        } else if (s->env) {
            text = getenv(s->env);
            if (!text || !*text)
                continue;
            snprintf(name, sizeof name, "%s", s->env);
        } else {
            continue;
        }
        rp_buf shown = RP_BUF_INIT;
        int refused = set_value(cfg, s, name, text, rp_cut(&shown, text, 60),
                                why, sizeof why);
        rp_buf_free(&shown);
        if (refused) {
            bad(arg, why);
            nbad++;
            if (first_only)
                return nbad;
        }
    }
    cfg->followup.help_link_days = cfg->help.link_days;
    if (program & RP_CONFIG_SERVER) {
        if (settle_server(cfg, why, sizeof why)) {
            bad(arg, why);
            if (++nbad && first_only)
                return nbad;
        }
        if (settle_log(cfg, why, sizeof why)) {
            bad(arg, why);
            nbad++;
        }
    }
    return nbad;
}

/* What rp_config_read keeps of a refusal: the first one's words. */
typedef struct first_why {
    char *why;
    size_t n;
} first_why;

static void keep_why(void *arg, const char *why)
{
    first_why *f = arg;
    snprintf(f->why, f->n, "%s", why);
}

int rp_config_read(rp_config *cfg, unsigned program, const char *const given[],
                   char *why, size_t n)
{
    first_why f = {why, n};
    return read_rows(cfg, program, given, 1, keep_why, &f) ? -1 : 0;
}

/* ---- checking the whole configuration (rapportd --check-config) ---- */

/* Does text start with one of the schemes (each "name://")? */
static int has_scheme(const char *text, const char *const schemes[])
{
    for (int i = 0; schemes[i]; i++)
        if (strncmp(text, schemes[i], strlen(schemes[i])) == 0 &&
            text[strlen(schemes[i])])
            return 1;
    return 0;
}

/* Say why through bad, counting it. */
static int refuse(void (*bad)(void *, const char *), void *arg, const char *fmt,
                  const char *text)
{
    char why[600];
    rp_buf shown = RP_BUF_INIT;
    snprintf(why, sizeof why, fmt, rp_cut(&shown, text ? text : "", 60));
    rp_buf_free(&shown);
    bad(arg, why);
    return 1;
}

/* The delivery settings and the links must make sense together: a
 * channel half configured fails every send at run time instead. */
static int check_delivery(const rp_config *cfg,
                          void (*bad)(void *, const char *), void *arg)
{
    static const char *const smtp[] = {"smtp://", "smtps://", NULL};
    static const char *const http[] = {"http://", "https://", NULL};
    const rp_delivery_config *d = &cfg->followup.delivery;
    int n = 0;
    if (d->smtp_url && !has_scheme(d->smtp_url, smtp))
        n += refuse(bad, arg,
                    "RAPPORT_SMTP_URL must start with smtp:// or smtps:// "
                    "and name a server, not '%s'",
                    d->smtp_url);
    if (d->smtp_url && !d->smtp_from)
        n += refuse(bad, arg,
                    "RAPPORT_SMTP_FROM is needed with RAPPORT_SMTP_URL "
                    "('%s'): email needs a sender",
                    d->smtp_url);
    if (d->smtp_from && !strchr(d->smtp_from, '@'))
        n += refuse(bad, arg,
                    "RAPPORT_SMTP_FROM must be an email address, not '%s'",
                    d->smtp_from);
    if (!d->smtp_url && (d->smtp_from || d->smtp_user || d->smtp_password))
        n += refuse(bad, arg,
                    "RAPPORT_SMTP_FROM, RAPPORT_SMTP_USER and "
                    "RAPPORT_SMTP_PASSWORD need RAPPORT_SMTP_URL%s: no email "
                    "is sent without a server",
                    "");
    if (d->smtp_password && !d->smtp_user)
        n += refuse(bad, arg,
                    "RAPPORT_SMTP_PASSWORD is set without RAPPORT_SMTP_USER%s",
                    "");
    if (d->webhook_url && !has_scheme(d->webhook_url, http))
        n += refuse(bad, arg,
                    "RAPPORT_WEBHOOK_URL must start with http:// or https:// "
                    "and name a host, not '%s'",
                    d->webhook_url);
    if (d->webhook_secret && !d->webhook_url)
        n += refuse(bad, arg,
                    "RAPPORT_WEBHOOK_SECRET is set without "
                    "RAPPORT_WEBHOOK_URL%s: nothing would be signed",
                    "");
    if (d->webhook_url && !d->webhook_secret)
        n += refuse(bad, arg,
                    "RAPPORT_WEBHOOK_SECRET is needed with "
                    "RAPPORT_WEBHOOK_URL ('%s'): the receiver cannot tell "
                    "our messages from forged ones",
                    d->webhook_url);
    const char *pub = cfg->followup.public_url;
    if (pub && !has_scheme(pub, http))
        n += refuse(bad, arg,
                    "RAPPORT_PUBLIC_URL must start with http:// or https:// "
                    "and name a host, not '%s'",
                    pub);
    return n;
}

int rp_config_check(rp_config *cfg, unsigned program, const char *const given[],
                    void (*bad)(void *arg, const char *why), void *arg)
{
    int n = read_rows(cfg, program, given, 0, bad, arg);
    return n + check_delivery(cfg, bad, arg);
}

/* The default of row s as text, from a defaults structure. */
static void default_text(const rp_config *d, const rp_setting *s, char *out,
                         size_t n)
{
    const void *at = (const char *)d + s->offset;
    if (s->dflt) {
        snprintf(out, n, "%s", s->dflt);
        return;
    }
    switch (s->type) {
    case RP_SETTING_TEXT:
    case RP_SETTING_DIR:
    case RP_SETTING_ADDRESS:
        snprintf(out, n, "%s",
                 *(const char *const *)at ? *(const char *const *)at : "none");
        return;
    case RP_SETTING_INT: snprintf(out, n, "%d", *(const int *)at); return;
    case RP_SETTING_BOOL:
        snprintf(out, n, "%s", *(const int *)at ? "1" : "0");
        return;
    case RP_SETTING_CADENCE: {
        size_t len = 0;
        out[0] = '\0';
        for (int i = 0; rp_scheduler_levels[i] && len < n; i++)
            len += (size_t)snprintf(out + len, n - len, "%s%s=%d", i ? "," : "",
                                    rp_scheduler_levels[i],
                                    ((const int *)at)[i]);
        return;
    }
    }
}

/* Print text wrapped at 78 columns, every line indented by indent. */
static void wrap(FILE *out, int indent, const char *text)
{
    const int width = 78 - indent;
    while (*text) {
        int len = (int)strlen(text);
        int cut = len;
        if (len > width) {
            cut = width;
            while (cut > 0 && text[cut] != ' ')
                cut--;
            if (cut == 0)
                cut = width;
        }
        fprintf(out, "%*s%.*s\n", indent, "", cut, text);
        text += cut;
        while (*text == ' ')
            text++;
    }
}

static void print_rows(FILE *out, unsigned program, int flags)
{
    rp_config d;
    rp_config_defaults(&d);
    for (size_t i = 0; rp_settings[i].env || rp_settings[i].flag; i++) {
        const rp_setting *s = &rp_settings[i];
        if (!(s->programs & program) || (flags ? !s->flag : !s->env))
            continue;
        char dflt[160], range[64] = "", line[600];
        default_text(&d, s, dflt, sizeof dflt);
        if (s->type == RP_SETTING_INT)
            snprintf(range, sizeof range, "; from %ld to %ld", s->min, s->max);
        if (flags) {
            fprintf(out, "    --%s %s\n", s->flag, s->arg);
            if (s->env)
                snprintf(line, sizeof line, "%s (default: $%s, else %s%s).",
                         s->help, s->env, dflt, range);
            else
                snprintf(line, sizeof line, "%s (default %s%s).", s->help, dflt,
                         range);
        } else {
            fprintf(out, "    %s=%s\n", s->env, s->arg);
            if (s->flag)
                snprintf(line, sizeof line,
                         "%s; --%s wins over it (default %s%s).", s->help,
                         s->flag, dflt, range);
            else
                snprintf(line, sizeof line, "%s (default %s%s).", s->help, dflt,
                         range);
        }
        wrap(out, 8, line);
    }
}

void rp_config_print_flags(FILE *out, unsigned program)
{
    print_rows(out, program, 1);
}

void rp_config_print_environment(FILE *out, unsigned program)
{
    print_rows(out, program, 0);
}
