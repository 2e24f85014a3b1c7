/*
 * delivery.c - sending a message on a real channel: email through SMTP and
 * webhooks (for SMS gateways and other systems), both with libcurl.
 *
 * Each message carries the task's idempotency key (the email's Message-ID,
 * the webhook's Idempotency-Key header), because the scheduler guarantees
 * "at most once per claim" but a process killed between sending and
 * recording may send again after its lease expires: the receiver can drop
 * the repeat by its key.  Webhook bodies are signed with HMAC-SHA256 so the
 * gateway can tell they came from us.
 */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rapport.h"

#define TIMEOUT_SECONDS 20L

/* A setting that is set: empty text counts as unset. */
static const char *set(const char *v)
{
    return v && *v ? v : NULL;
}

void rp_delivery_sign(const char *key, const char *body, size_t len,
                      char out[65])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    if (!key)
        key = ""; /* unsigned in effect: docs say to set the secret */
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, 65, mac, sizeof mac);
}

typedef struct upload {
    const char *data;
    size_t len, pos;
} upload;

static size_t read_upload(char *buf, size_t size, size_t n, void *arg)
{
    upload *u = arg;
    size_t room = size * n, left = u->len - u->pos;
    size_t k = left < room ? left : room;
    memcpy(buf, u->data + u->pos, k);
    u->pos += k;
    return k;
}

static size_t discard(char *data, size_t size, size_t n, void *arg)
{
    (void)data;
    (void)arg;
    return size * n;
}

/* A header value may not carry a line break: that would inject headers. */
static void one_line(char *dst, size_t n, const char *src)
{
    size_t i = 0;
    for (; src && *src && i + 1 < n; src++)
        dst[i++] = (*src == '\r' || *src == '\n') ? ' ' : *src;
    dst[i] = '\0';
}

/* The domain part of the sender, for Message-ID. */
static const char *domain_of(const char *addr)
{
    const char *at = strrchr(addr, '@');
    return at && at[1] ? at + 1 : "rapport.invalid";
}

/* Is every byte 7-bit?  Otherwise the body is declared UTF-8 8bit. */
static char *build_email(const rp_message *m, const char *from)
{
    char date[64], subject[400], to[300], fromline[300], key[200];
    time_t now = (time_t)rp_now();
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    one_line(subject, sizeof subject, m->subject);
    one_line(to, sizeof to, m->to);
    one_line(fromline, sizeof fromline, from);
    one_line(key, sizeof key, m->idempotency_key);
    /* The body's lines end in CRLF and a line starting with '.' is doubled
     * (RFC 5321 transparency; curl does this too, but only when it sees
     * CRLF.); we normalise newlines here. */
    size_t blen = strlen(m->body), cap = blen * 2 + 2048;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    int n = snprintf(out, cap,
                     "From: %s\r\n"
                     "To: %s\r\n"
                     "Subject: %s\r\n"
                     "Date: %s\r\n"
                     "Message-ID: <%s@%s>\r\n"
                     "X-Rapport-Task: %lld\r\n"
                     "MIME-Version: 1.0\r\n"
                     "Content-Type: text/plain; charset=utf-8\r\n"
                     "Content-Transfer-Encoding: 8bit\r\n"
                     "\r\n",
                     fromline, to, subject, date, key, domain_of(fromline),
                     (long long)m->task_id);
    size_t pos = (size_t)n;
    for (const char *p = m->body; *p; p++) {
        if (*p == '\n') {
            out[pos++] = '\r';
            out[pos++] = '\n';
        } else if (*p != '\r') {
            out[pos++] = *p;
        }
    }
    out[pos++] = '\r';
    out[pos++] = '\n';
    out[pos] = '\0';
    return out;
}

static rp_code send_email(const rp_delivery_config *dc, const rp_message *m,
                          rp_error *err)
{
    const char *url = set(dc->smtp_url), *from = set(dc->smtp_from);
    if (!url || !from)
        return rp_error_set(err, RP_EINTERNAL, "channel",
                            "email is not configured: set RAPPORT_SMTP_URL and "
                            "RAPPORT_SMTP_FROM");
    char *msg = build_email(m, from);
    if (!msg)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    CURL *c = curl_easy_init();
    if (!c) {
        free(msg);
        return rp_error_set(err, RP_EINTERNAL, NULL, "cannot start libcurl");
    }
    char mailfrom[320], rcpt[320];
    snprintf(mailfrom, sizeof mailfrom, "<%s>", from);
    snprintf(rcpt, sizeof rcpt, "<%s>", m->to);
    struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
    upload u = {msg, strlen(msg), 0};
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, mailfrom);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, TIMEOUT_SECONDS);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    if (set(dc->smtp_user)) {
        curl_easy_setopt(c, CURLOPT_USERNAME, dc->smtp_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD,
                         set(dc->smtp_password) ? dc->smtp_password : "");
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    }
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(c);
    free(msg);
    if (rc != CURLE_OK)
        return rp_error_set(err, RP_EINTERNAL, "channel", "SMTP to %s: %s", url,
                            errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return RP_OK;
}

static rp_code send_webhook(const rp_delivery_config *dc, const rp_message *m,
                            rp_error *err)
{
    const char *url = set(dc->webhook_url);
    if (!url)
        return rp_error_set(err, RP_EINTERNAL, "channel",
                            "webhooks are not configured: set "
                            "RAPPORT_WEBHOOK_URL");
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "channel", m->channel, "to",
        m->to, "subject", m->subject, "text", m->body, "idempotency_key",
        m->idempotency_key, "task_id", (json_int_t)m->task_id, "customer_id",
        (json_int_t)m->customer_id, "kind", m->kind ? m->kind : "");
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!body)
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "cannot build the webhook body");
    char sig[65], sighdr[120], keyhdr[300];
    rp_delivery_sign(set(dc->webhook_secret), body, strlen(body), sig);
    snprintf(sighdr, sizeof sighdr, "X-Rapport-Signature: sha256=%s", sig);
    char key[200];
    one_line(key, sizeof key, m->idempotency_key);
    snprintf(keyhdr, sizeof keyhdr, "Idempotency-Key: %s", key);
    struct curl_slist *h = curl_slist_append(NULL,
                                             "Content-Type: application/json");
    h = curl_slist_append(h, sighdr);
    h = curl_slist_append(h, keyhdr);
    CURL *c = curl_easy_init();
    if (!c) {
        curl_slist_free_all(h);
        free(body);
        return rp_error_set(err, RP_EINTERNAL, NULL, "cannot start libcurl");
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, TIMEOUT_SECONDS);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    free(body);
    if (rc != CURLE_OK)
        return rp_error_set(err, RP_EINTERNAL, "channel", "webhook to %s: %s",
                            url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
    if (status < 200 || status > 299)
        return rp_error_set(err, RP_EINTERNAL, "channel",
                            "webhook to %s answered HTTP %ld", url, status);
    return RP_OK;
}

rp_code rp_delivery_send(const rp_delivery_config *dc, const rp_message *m,
                         rp_error *err)
{
    if (m->channel && strcmp(m->channel, "email") == 0)
        return send_email(dc, m, err);
    if (m->channel && strcmp(m->channel, "sms") == 0)
        return send_webhook(dc, m, err);
    return rp_error_set(err, RP_EINTERNAL, "channel", "unknown channel %s",
                        m->channel ? m->channel : "(none)");
}
