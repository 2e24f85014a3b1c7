/*
 * dispatch.c - sending the queued deliveries of events (webhook.h).
 *
 * The signature follows the scheme Stripe made common: HMAC-SHA256 keyed
 * by the subscription's secret over "<timestamp>.<body>", sent as
 * "Rapport-Signature: t=<timestamp>,v1=<hex>".  Signing the timestamp with
 * the body lets a receiver refuse a delivery captured and replayed later
 * (it checks that t is recent); the "v1=" names the scheme so that another
 * can be added beside it.  Rapport-Delivery carries the delivery's id,
 * made once when the event was queued and the same on every retry (as
 * GitHub's X-GitHub-Delivery), so a receiver that keeps the ids it has
 * seen processes each delivery once.
 *
 * The write lock is never held across a send: a delivery is claimed in a
 * short transaction (status "sending", with who and when, and its attempt
 * counted), sent with no transaction open, then settled in another short
 * transaction by the claim's holder only.  A process that dies between
 * claim and settle leaves a claim that the next run takes over after the
 * lease, sending the same delivery id again: at least once, never lost.
 */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rapport.h"

void rp_webhook_config_default(rp_webhook_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->timeout_seconds = 10;
    cfg->backoff_seconds = 30;
    cfg->backoff_max_seconds = 6 * 3600;
    cfg->max_attempts = 12;
    cfg->batch = 20;
}

int rp_webhook_lease_seconds(const rp_webhook_config *cfg)
{
    return 2 * cfg->timeout_seconds + 5;
}

int64_t rp_webhook_backoff(const rp_webhook_config *cfg, int64_t attempts)
{
    int64_t delay = cfg->backoff_seconds > 0 ? cfg->backoff_seconds : 1;
    int64_t cap = cfg->backoff_max_seconds > delay ? cfg->backoff_max_seconds
                                                   : delay;
    for (int64_t i = 1; i < attempts && delay < cap; i++)
        delay *= 2;
    return delay < cap ? delay : cap;
}

void rp_webhook_sign(const char *secret, int64_t timestamp, const char *body,
                     size_t len, char out[65])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    char ts[32];
    int n = snprintf(ts, sizeof ts, "%lld.", (long long)timestamp);
    if (!secret)
        secret = "";
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
                                strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (size_t)n);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, 65, mac, sizeof mac);
    sodium_memzero(&st, sizeof st);
}

rp_code rp_webhook_verify(const char *secret, const char *header,
                          const char *body, size_t len, int64_t now,
                          int64_t tolerance, rp_error *err)
{
    if (!header || !*header)
        return rp_error_set(err, RP_EAUTH, "signature",
                            "the delivery is not signed");
    /* t= first, then any number of v1= */
    long long t = -1;
    const char *p = header;
    char want[65];
    int have_t = 0, matched = 0, any = 0;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 2 && !strncmp(p, "t=", 2) && !have_t) {
            char *stop = NULL;
            t = strtoll(p + 2, &stop, 10);
            have_t = stop == p + n && t >= 0;
            if (have_t)
                rp_webhook_sign(secret, t, body, len, want);
        } else if (n == 3 + 64 && !strncmp(p, "v1=", 3) && have_t) {
            any = 1;
            matched |= sodium_memcmp(p + 3, want, 64) == 0;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    if (!have_t || !any)
        return rp_error_set(err, RP_EAUTH, "signature",
                            "the signature has no timestamp or no v1 value");
    if (!matched)
        return rp_error_set(err, RP_EAUTH, "signature",
                            "the signature does not match the body");
    if (t < now - tolerance || t > now + tolerance)
        return rp_error_set(err, RP_EAUTH, "signature",
                            "the signature's timestamp is %lld seconds away "
                            "from now",
                            (long long)(t > now ? t - now : now - t));
    return RP_OK;
}

static size_t discard(char *data, size_t size, size_t n, void *arg)
{
    (void)data;
    (void)arg;
    return size * n;
}

/* The body of delivery d (a row of webhook.delivery_load); NULL when out
 * of memory.  It is the same on every retry: only the signature's
 * timestamp changes. */
static char *body_of(json_t *d)
{
    json_t *b = json_pack(
        "{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "delivery_id",
        json_object_get(d, "delivery_id"), "event_id",
        json_object_get(d, "event_id"), "type", json_object_get(d, "kind"),
        "occurred_at", json_object_get(d, "occurred_at"), "customer_id",
        json_object_get(d, "customer_id"), "encounter_id",
        json_object_get(d, "encounter_id"), "data", json_object_get(d, "data"));
    char *text = b ? json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(b);
    return text;
}

/* Append "Name: value" to h, with any line break in value made a space. */
static struct curl_slist *header(struct curl_slist *h, const char *name,
                                 const char *value)
{
    rp_buf b = RP_BUF_INIT;
    rp_buf_printf(&b, "%s: ", name);
    for (const char *p = value; p && *p; p++)
        rp_buf_append(&b, *p == '\r' || *p == '\n' ? " " : p, 1);
    struct curl_slist *n = curl_slist_append(h, rp_buf_str(&b));
    rp_buf_free(&b);
    return n ? n : h;
}

/*
 * POST delivery d; *code is the HTTP status (0 when none came).  RP_OK on
 * a 2xx answer, else RP_EINTERNAL saying in words what went wrong.
 */
static rp_code post(const rp_webhook_config *cfg, json_t *d, long *code,
                    rp_error *err)
{
    *code = 0;
    char *body = body_of(d);
    if (!body)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    const char *secret = json_string_value(json_object_get(d, "secret"));
    int64_t ts = rp_now();
    char sig[65], sighdr[128];
    rp_webhook_sign(secret, ts, body, strlen(body), sig);
    snprintf(sighdr, sizeof sighdr, "t=%lld,v1=%s", (long long)ts, sig);
    struct curl_slist *h = header(NULL, "Content-Type", "application/json");
    h = header(h, "User-Agent", "rapport-webhooks/" RP_VERSION);
    h = header(h, "Rapport-Event",
               json_string_value(json_object_get(d, "kind")));
    h = header(h, "Rapport-Delivery",
               json_string_value(json_object_get(d, "delivery_id")));
    h = header(h, "Rapport-Signature", sighdr);
    h = header(h, "Expect", "");
    CURL *c = curl_easy_init();
    rp_code rc = RP_OK;
    if (!c) {
        rc = rp_error_set(err, RP_EINTERNAL, NULL, "cannot start libcurl");
        goto done;
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL,
                     json_string_value(json_object_get(d, "url")));
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)cfg->timeout_seconds);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, code);
    curl_easy_cleanup(c);
    if (cc == CURLE_OPERATION_TIMEDOUT)
        rc = rp_error_set(err, RP_EINTERNAL, "url",
                          "the receiver did not answer within %d seconds",
                          cfg->timeout_seconds);
    else if (cc != CURLE_OK)
        rc = rp_error_set(err, RP_EINTERNAL, "url",
                          "the receiver could not be reached: %s",
                          errbuf[0] ? errbuf : curl_easy_strerror(cc));
    else if (*code < 200 || *code > 299)
        rc = rp_error_set(err, RP_EINTERNAL, "url",
                          "the receiver answered with status %ld instead of "
                          "accepting the delivery",
                          *code);
done:
    curl_slist_free_all(h);
    free(body);
    return rc;
}

/* Settle delivery id after attempts, in one short transaction. */
static rp_code settle(rp_ctx *ctx, const rp_webhook_config *cfg, json_t *d,
                      int64_t attempts, int64_t now, const char *worker,
                      long code, const rp_error *failure, json_t *report,
                      rp_error *err)
{
    const char *status = "delivered", *last = "delivered";
    if (failure) {
        int out = attempts >= cfg->max_attempts;
        status = out ? "failed" : "queued";
        last = out ? "failed" : "retrying";
    }
    json_t *rcode = code ? json_integer(code) : json_null();
    json_t *why = failure ? json_string(failure->message) : json_null();
    json_t *p1 = json_pack(
        "[s, O, O, o, o, I, O, s]", status, rcode, why,
        !strcmp(status, "queued")
            ? json_integer(now + rp_webhook_backoff(cfg, attempts))
            : json_null(),
        failure ? json_null() : json_integer(now), (json_int_t)now,
        json_object_get(d, "id"), worker);
    json_t *p2 = json_pack("[s, O, O, I, O]", last, rcode, why, (json_int_t)now,
                           json_object_get(d, "webhook_id"));
    json_decref(rcode);
    json_decref(why);
    rp_store *s = ctx->store;
    int64_t changed = 0;
    rp_code rc = rp_store_begin(s, err);
    if (rc == RP_OK) {
        rc = s->ops->exec(s, RP_Q_WEBHOOK_SETTLE, p1, &changed, err);
        /* a claim taken over meanwhile is the new holder's to settle */
        if (rc == RP_OK && changed)
            rc = s->ops->exec(s, RP_Q_WEBHOOK_LAST_STATUS, p2, NULL, err);
        rc = rp_store_finish(s, rc, err);
    }
    json_decref(p1);
    json_decref(p2);
    if (rc == RP_OK && changed) {
        const char *key = !failure                    ? "delivered"
                          : !strcmp(status, "failed") ? "failed"
                                                      : "retried";
        json_object_set_new(
            report, key,
            json_integer(json_integer_value(json_object_get(report, key)) + 1));
    }
    return rc;
}

rp_code rp_webhook_run(rp_ctx *ctx, const rp_webhook_config *cfg, int64_t now,
                       const char *worker, json_t **out, rp_error *err)
{
    rp_store *s = ctx->store;
    int64_t stale = now - rp_webhook_lease_seconds(cfg);
    json_t *params = json_pack("[I, I]", (json_int_t)now, (json_int_t)stale);
    json_t *rows = NULL, *claimed = NULL;
    /* a read first: an idle desk takes no write lock every second */
    rp_code rc = s->ops->query(s, RP_Q_WEBHOOK_DUE, params, &rows, err);
    json_decref(params);
    if (rc)
        return rc;
    int due = json_is_true(json_object_get(json_array_get(rows, 0), "due"));
    json_decref(rows);
    json_t *report = json_pack("{s:i, s:i, s:i, s:i}", "claimed", 0,
                               "delivered", 0, "retried", 0, "failed", 0);
    if (!due) {
        *out = report;
        return RP_OK;
    }
    params = json_pack("[s, I, I, i]", worker, (json_int_t)now,
                       (json_int_t)stale, cfg->batch > 0 ? cfg->batch : 1);
    rc = rp_store_begin(s, err);
    if (rc == RP_OK)
        rc = rp_store_finish(
            s, s->ops->query(s, RP_Q_WEBHOOK_CLAIM, params, &claimed, err),
            err);
    json_decref(params);
    if (rc) {
        json_decref(report);
        return rc;
    }
    json_object_set_new(report, "claimed",
                        json_integer((json_int_t)json_array_size(claimed)));
    size_t i;
    json_t *c;
    json_array_foreach(claimed, i, c) {
        if (cfg->should_stop && cfg->should_stop(cfg->stop_arg))
            break; /* the rest are taken over after the lease */
        int64_t id = json_integer_value(json_object_get(c, "id"));
        int64_t attempts = json_integer_value(json_object_get(c, "attempts"));
        json_t *p = json_pack("[I]", (json_int_t)id), *found = NULL;
        rc = s->ops->query(s, RP_Q_WEBHOOK_DELIVERY_LOAD, p, &found, err);
        json_decref(p);
        json_t *d = json_array_get(found, 0);
        if (rc == RP_OK && d) {
            rp_error failure;
            rp_error_clear(&failure);
            long code = 0;
            rp_code sent = post(cfg, d, &code, &failure);
            rc = settle(ctx, cfg, d, attempts, rp_now(), worker, code,
                        sent ? &failure : NULL, report, err);
        }
        json_decref(found);
        if (rc)
            break;
    }
    json_decref(claimed);
    if (rc) {
        json_decref(report);
        return rc;
    }
    *out = report;
    return RP_OK;
}

rp_code rp_webhook_backlog(rp_ctx *ctx, int64_t *count, rp_error *err)
{
    json_t *rows = NULL;
    rp_code rc = ctx->store->ops->query(ctx->store, RP_Q_WEBHOOK_BACKLOG, NULL,
                                        &rows, err);
    if (rc)
        return rc;
    *count = json_integer_value(json_object_get(json_array_get(rows, 0), "n"));
    json_decref(rows);
    return RP_OK;
}
