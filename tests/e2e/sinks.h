/*
 * sinks.h - the real receivers that outbound delivery is tested against:
 * an SMTP sink and a webhook receiver (tests/tools/smtp_sink.py and
 * webhook_sink.py, python3) that a test starts on a loopback port, and
 * helpers to read what actually arrived.  Each sink writes every message
 * it receives as a numbered file in its own temporary directory, so a test
 * asserts on the bytes that went over the wire, not on what rapport says
 * it sent.
 */
#ifndef RP_SINKS_H
#define RP_SINKS_H

#include <sys/types.h>

#include <jansson.h>

typedef struct rp_sink {
    pid_t pid;     /* the python3 process, 0 when stopped */
    int port;      /* loopback port it listens on */
    char dir[256]; /* where it writes what arrived */
} rp_sink;

/*
 * Start tests/tools/<script> with a fresh directory and the optional
 * argument arg (the script's own meaning; NULL for none), and wait until it
 * prints "listening PORT".  The sink dies with the test process even when
 * a failed assertion skips rp_sink_stop.  Fails the test on error.
 */
void rp_sink_start(rp_sink *k, const char *script, const char *arg);

/* Stop the sink and remove its directory. */
void rp_sink_stop(rp_sink *k);

/* Number of files named <prefix>...<ext> that arrived (e.g. "msg-", ".eml"). */
int rp_sink_count(rp_sink *k, const char *prefix, const char *ext);

/* The contents of the file <name> in the sink's directory (caller frees),
 * or NULL when it has not arrived. */
char *rp_sink_read(rp_sink *k, const char *name);

/* Wait up to seconds until the webhook receiver holds at least n
 * deliveries; how many it holds. */
int rp_sink_wait_webhooks(rp_sink *k, int n, int seconds);

/* Delivery i (from 1) as the webhook receiver stored it: {"path",
 * "headers","body","verified"?}, with "event": the parsed body.  Fails the
 * test when it has not arrived.  Caller decrefs. */
json_t *rp_sink_webhook(rp_sink *k, int i);

/* The header name of a delivery from rp_sink_webhook, or NULL. */
const char *rp_sink_header(json_t *delivery, const char *name);

#endif
