/*
 * delivery.c - sending a message on a real channel: email through SMTP and
 * webhooks (for SMS gateways and other systems), both with libcurl.
 *
 * Each message carries the task's idempotency key (the email's Message-ID,
 * the webhook's Idempotency-Key header), so a receiver can drop a repeat
 * whatever its cause (the scheduler itself never sends a task again once
 * a send of it began).  Webhook bodies are signed with HMAC-SHA256 so the
 * gateway can tell they came from us.  Text goes out whole: the email's
 * subject in RFC 2047 encoded words of whole characters, a body with lines
 * too long for SMTP in base64.
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

/* Append s to b as one line: a line break in a header value would inject
 * headers, so each becomes a space. */
static void put_one_line(rp_buf *b, const char *s)
{
    for (; s && *s; s++)
        rp_buf_append(b, *s == '\r' || *s == '\n' ? " " : s, 1);
}

/* The domain part of the sender, for Message-ID. */
static const char *domain_of(const char *addr)
{
    const char *at = strrchr(addr, '@');
    return at && at[1] ? at + 1 : "rapport.invalid";
}

/* Bytes of text an encoded word holds: 42 become 56 base64 characters, so
 * "Subject: " and one word stay within a 78-character line. */
#define WORD_BYTES 42

/* The length of the UTF-8 character that starts with byte c. */
static size_t char_len(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/*
 * Append "Subject: <text>\r\n".  Plain ASCII that fits on the line goes as
 * it is; anything else as RFC 2047 encoded words of UTF-8 in base64, each
 * of whole characters (a word may not end inside one), one per folded
 * line, so every header line is 7-bit and within 78 characters.
 */
static void put_subject(rp_buf *b, const char *subject)
{
    rp_buf line = RP_BUF_INIT;
    put_one_line(&line, subject);
    const char *t = rp_buf_str(&line);
    int plain = line.len <= 69;
    for (size_t i = 0; plain && i < line.len; i++)
        plain = t[i] >= 0x20 && t[i] < 0x7F;
    rp_buf_puts(b, "Subject: ");
    if (plain)
        rp_buf_puts(b, t);
    for (size_t i = 0; !plain && i < line.len;) {
        size_t n = 0;
        while (i + n < line.len &&
               n + char_len((unsigned char)t[i + n]) <= WORD_BYTES)
            n += char_len((unsigned char)t[i + n]);
        if (n == 0) /* a cut piece of a character: send it on its own */
            n = 1;
        char word[sodium_base64_ENCODED_LEN(WORD_BYTES,
                                            sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(word, sizeof word, (const unsigned char *)t + i, n,
                          sodium_base64_VARIANT_ORIGINAL);
        rp_buf_printf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", word);
        i += n;
    }
    rp_buf_puts(b, "\r\n");
    rp_buf_free(&line);
}

/* Is any line of text longer than SMTP allows (998 bytes)? */
static int has_long_line(const char *text)
{
    size_t run = 0;
    for (; *text; text++) {
        run = *text == '\n' ? 0 : run + 1;
        if (run > 998)
            return 1;
    }
    return 0;
}

/* Append text with CRLF line ends (a lone CR is dropped). */
static void put_crlf(rp_buf *b, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            rp_buf_puts(b, "\r\n");
        else if (*p != '\r')
            rp_buf_append(b, p, 1);
    }
    rp_buf_puts(b, "\r\n");
}

/* Append text with CRLF line ends in base64, 76 characters a line. */
static void put_base64(rp_buf *b, const char *text)
{
    rp_buf crlf = RP_BUF_INIT;
    put_crlf(&crlf, text);
    const unsigned char *p = (const unsigned char *)rp_buf_str(&crlf);
    for (size_t i = 0; i < crlf.len; i += 57) {
        size_t n = crlf.len - i < 57 ? crlf.len - i : 57;
        char
            line[sodium_base64_ENCODED_LEN(57, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(line, sizeof line, p + i, n,
                          sodium_base64_VARIANT_ORIGINAL);
        rp_buf_printf(b, "%s\r\n", line);
    }
    rp_buf_free(&crlf);
}

/*
 * The RFC 5322 message of m from from (caller frees), or NULL when out of
 * memory.  The body is 8-bit UTF-8 with CRLF line ends; a body with a
 * line longer than SMTP allows goes in base64 instead, so nothing is cut.
 */
static char *build_email(const rp_message *m, const char *from)
{
    char date[64];
    time_t now = (time_t)rp_now();
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    rp_buf b = RP_BUF_INIT;
    rp_buf_puts(&b, "From: ");
    put_one_line(&b, from);
    rp_buf_puts(&b, "\r\nTo: ");
    put_one_line(&b, m->to);
    rp_buf_puts(&b, "\r\n");
    put_subject(&b, m->subject);
    rp_buf_printf(&b, "Date: %s\r\nMessage-ID: <", date);
    put_one_line(&b, m->idempotency_key);
    rp_buf_puts(&b, "@");
    put_one_line(&b, domain_of(from));
    int base64 = has_long_line(m->body);
    rp_buf_printf(&b,
                  ">\r\nX-Rapport-Task: %lld\r\n"
                  "MIME-Version: 1.0\r\n"
                  "Content-Type: text/plain; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: %s\r\n\r\n",
                  (long long)m->task_id, base64 ? "base64" : "8bit");
    if (base64)
        put_base64(&b, m->body);
    else
        put_crlf(&b, m->body);
    if (b.failed) {
        rp_buf_free(&b);
        return NULL;
    }
    return rp_buf_steal(&b);
}

/* An envelope address: <addr>, with any line break made a space so that
 * an address cannot add an SMTP command. */
static void put_envelope(rp_buf *b, const char *addr)
{
    rp_buf_puts(b, "<");
    for (; addr && *addr; addr++)
        rp_buf_append(b, (*addr == '\r' || *addr == '\n') ? " " : addr, 1);
    rp_buf_puts(b, ">");
}

rp_code rp_smtp_send(const rp_delivery_config *dc, const char *from,
                     const char *to, const char *text, size_t len,
                     rp_error *err)
{
    const char *url = set(dc ? dc->smtp_url : NULL);
    if (!url)
        return rp_error_set(err, RP_EINTERNAL, "channel",
                            "email is not configured: an admin sets the mail "
                            "server (console: Admin, Delivery; or "
                            "RAPPORT_SMTP_URL)");
    if (!set(from))
        return rp_error_set(err, RP_EINTERNAL, "channel",
                            "email has no sender: set RAPPORT_SMTP_FROM");
    if (!set(to))
        return rp_error_set(err, RP_EINTERNAL, "to",
                            "the message has no address to go to");
    CURL *c = curl_easy_init();
    if (!c)
        return rp_error_set(err, RP_EINTERNAL, NULL, "cannot start libcurl");
    rp_buf mailfrom = RP_BUF_INIT, rcpt = RP_BUF_INIT;
    put_envelope(&mailfrom, from);
    put_envelope(&rcpt, to);
    struct curl_slist *rcpts = curl_slist_append(NULL, rp_buf_str(&rcpt));
    upload u = {text, len, 0};
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, rp_buf_str(&mailfrom));
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
    rp_buf_free(&mailfrom);
    rp_buf_free(&rcpt);
    if (rc != CURLE_OK)
        return rp_error_set(err, RP_EINTERNAL, "channel",
                            "the mail server refused or could not be "
                            "reached: %s",
                            errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return RP_OK;
}

static rp_code send_email(const rp_delivery_config *dc, const rp_message *m,
                          rp_error *err)
{
    const char *from = set(dc->smtp_from);
    if (!set(dc->smtp_url) || !from)
        return rp_error_set(err, RP_EINTERNAL, "channel",
                            "email is not configured: an admin sets the mail "
                            "server and sender (console: Admin, Delivery; or "
                            "RAPPORT_SMTP_URL and RAPPORT_SMTP_FROM)");
    char *msg = build_email(m, from);
    if (!msg)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    rp_code rc = rp_smtp_send(dc, from, m->to, msg, strlen(msg), err);
    free(msg);
    return rc;
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
    char sig[65], sighdr[120];
    rp_delivery_sign(set(dc->webhook_secret), body, strlen(body), sig);
    snprintf(sighdr, sizeof sighdr, "X-Rapport-Signature: sha256=%s", sig);
    rp_buf keyhdr = RP_BUF_INIT;
    rp_buf_puts(&keyhdr, "Idempotency-Key: ");
    put_one_line(&keyhdr, m->idempotency_key);
    struct curl_slist *h = curl_slist_append(NULL,
                                             "Content-Type: application/json");
    h = curl_slist_append(h, sighdr);
    h = curl_slist_append(h, rp_buf_str(&keyhdr));
    rp_buf_free(&keyhdr);
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
