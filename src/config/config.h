/*
 * config.h - the configuration of rapportd and rapport: one table of
 * settings (the RAPPORT_* variable, the flag, the type, the help line) and
 * the one structure it fills.
 *
 * Each program's main reads its settings once, from its flags and the
 * environment, and passes the structure down: the core takes the values it
 * needs as plain parameters (the scheduler's rp_scheduler_config) and never
 * reads the environment, and neither do the server's handlers.  The help
 * of both programs lists the settings from the same table that reads them,
 * so the two cannot drift apart.  A flag wins over its variable; an empty
 * variable or flag counts as unset (but see RP_SETTING_DIR).
 */
#ifndef RP_CONFIG_H
#define RP_CONFIG_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#include "core/rapport.h"

/* Where rapportd listens when told nothing, and so where links point. */
#define RP_CONFIG_DEFAULT_LISTEN "127.0.0.1:8080"

/* Which program reads a setting (a bit mask). */
enum { RP_CONFIG_SERVER = 1, RP_CONFIG_CLI = 2 };

typedef struct rp_config {
    const char *db; /* the database by name: "sqlite:PATH" or a path */
    /* the scheduler, its channels and its links; rapportd's thread, the
     * scheduler endpoint and `rapport due` all run with this */
    rp_scheduler_config followup;
    /* rapportd */
    const char *listen;     /* HOST:PORT */
    int threads;            /* HTTP worker threads */
    const char *web_root;   /* NULL: the default root; "": no console */
    int scheduler_interval; /* seconds between runs; 0: no thread */
    int clock_offset;       /* seconds the scheduler thread runs ahead */
    int cookie_secure;      /* mark the session cookie Secure */
    int max_connections;    /* held open at once */
    int max_connections_per_address; /* held open at once per client */
    int idle_timeout;                /* seconds before an idle one closes */
    int password_threads;            /* threads checking passwords */
    int password_queue;              /* logins waiting for one */
    int slow_threads;                /* threads of the slow work (searches,
                                        reports, exports) */
    int slow_queue;                  /* slow requests waiting for one */
    /* rapport */
    const char *password;       /* for `agent add` and `agent passwd` */
    const char *admin_password; /* for `init --admin-email` */
    /* the customer's help pages (rapportd); their link lifetime is copied
     * to followup.help_link_days, which mails the links */
    rp_help_config help;
    /* rapportd: faults, and how long credentials last */
    int busy_wait_ms; /* a request's wait for another writer, in all */
    int plain_http;   /* served over plain HTTP on loopback: no Secure */
    /* the load balancers in front (their addresses, comma separated;
     * NULL: none): a request from one is from the last address of its
     * X-Forwarded-For */
    const char *trusted_proxies;
    int session_idle;     /* seconds a session lasts without use */
    int session_lifetime; /* seconds a session lasts however much used */
    /* email in: both programs */
    int mail_max_bytes;    /* a raw message over this is refused */
    const char *mail_loop; /* the X-Loop value that marks our own mail */
    int imap_interval;     /* rapportd: seconds between IMAP polls; 0: none */
    /* event webhooks: rapportd's sending thread */
    rp_webhook_config webhooks; /* timeout, backoff, attempts */
    int webhook_interval;       /* seconds between runs; 0: no thread */
    /* secrets at rest: both programs (rp_config_secrets) */
    const char *secret_key;      /* base64 keys, newest first, or NULL */
    const char *secret_key_file; /* the key file; default: the database's
                                    path + ".key" */
    /* rapportd: the audit log and the customer's export */
    int audit_reads;       /* record reads of customer data */
    int audit_flush_ms;    /* how often queued reads are written */
    int audit_queue_max;   /* reads that may wait; past them reads get 503 */
    int export_auto;       /* a customer's export request needs no approval */
    int export_link_hours; /* a granted export downloads this long */
    /* operations (rapportd): the log's format, "text" or "json" */
    const char *log_format;
} rp_config;

/* How a setting's text becomes a value. */
typedef enum rp_setting_type {
    RP_SETTING_TEXT,    /* const char * */
    RP_SETTING_DIR,     /* const char *; "" from a flag is kept: none */
    RP_SETTING_INT,     /* int within [min, max] */
    RP_SETTING_BOOL,    /* int: 1, true, yes / 0, false, no */
    RP_SETTING_ADDRESS, /* const char * "HOST:PORT", IPv4 or localhost */
    RP_SETTING_CADENCE  /* int[4]: "level=days,..." over the defaults */
} rp_setting_type;

/* One row of the settings table. */
typedef struct rp_setting {
    const char *env;  /* "RAPPORT_..." or NULL */
    const char *flag; /* long option without "--", or NULL */
    const char *arg;  /* what the value is, for help: "PATH", "N" */
    rp_setting_type type;
    size_t offset; /* of the value in rp_config */
    long min, max; /* for RP_SETTING_INT */
    unsigned programs;
    const char *help; /* one line; the default is added from rp_config */
    const char *dflt; /* the default in words, when the value cannot say */
} rp_setting;

/* The table, ended by a row whose env and flag are both NULL. */
extern const rp_setting rp_settings[];

/* First getopt value of the table's flags: option i has val BASE + i. */
#define RP_CONFIG_OPTION_BASE 1000

/* Fill cfg with every default (the scheduler's come from the core). */
void rp_config_defaults(rp_config *cfg);

/*
 * Add a getopt_long entry for each flag program reads to opts (which has
 * room for n entries after *count), with val RP_CONFIG_OPTION_BASE + the
 * row's index, and advance *count.  The caller ends the array.
 */
void rp_config_options(unsigned program, struct option *opts, size_t n,
                       size_t *count);

/*
 * Fill cfg from the defaults, then from the environment, then from flags:
 * given[i] is the text of the flag of row i, or NULL when not given.  On a
 * bad value writes "NAME must be ..., not 'TEXT'" into why (NAME the flag
 * with its dashes, or the variable, whichever the text came from) and
 * returns -1; cfg is then not to be used.
 */
int rp_config_read(rp_config *cfg, unsigned program, const char *const given[],
                   char *why, size_t n);

/*
 * Print program's flags (as an OPTIONS list) or its variables (as an
 * ENVIRONMENT list), each with its help and default, indented like a
 * manual page.
 */
void rp_config_print_flags(FILE *out, unsigned program);
void rp_config_print_environment(FILE *out, unsigned program);

/*
 * Where the keys of secrets at rest come from (core/secrets/secrets.h):
 * RAPPORT_SECRET_KEY when set, else the key file, whose default is the
 * database file's path with ".key" added (none for a database that is
 * not a SQLite file).
 */
void rp_config_secrets(const rp_config *cfg, rp_secret_settings *out);

/*
 * Check every setting program reads, as rp_config_read would, but go on
 * past a bad one: call bad(arg, why) for each refusal ("NAME must be ...,
 * not 'TEXT'", naming the flag or variable), then for each setting that
 * contradicts another (the delivery channels, the links).  Fills cfg with
 * what was good.  Returns the number of refusals; 0 means rp_config_read
 * would accept it all and the settings agree with each other.
 */
int rp_config_check(rp_config *cfg, unsigned program, const char *const given[],
                    void (*bad)(void *arg, const char *why), void *arg);

/* Parse "HOST:PORT" (HOST an IPv4 address or "localhost") into addr;
 * -1 when it is not one. */
struct sockaddr_in;
int rp_config_parse_address(const char *text, struct sockaddr_in *addr);

/* Check RAPPORT_TRUSTED_PROXIES: list (NULL: none) is IP addresses, IPv4
 * or IPv6, separated by commas; else -1 with why (n bytes) naming the
 * entry that is not one. */
int rp_config_check_proxies(const char *list, char *why, size_t n);

/* Whether addr (an IP address as text) is one of list's, the exact text
 * of an entry or the same address written otherwise. */
int rp_config_proxy_listed(const char *list, const char *addr);

#endif
