/*
 * imap.c - reading the queues' IMAP mailboxes with libcurl.
 *
 * For each mailbox: STATUS gives the folder's UIDVALIDITY (a UID means
 * something only under it: a folder that was recreated starts again), UID
 * SEARCH lists the UIDs from the first one not yet taken, and each is
 * claimed in the database before it is fetched, so two servers polling the
 * same mailbox never take the same message, and a restart does not take it
 * again.  The fetch URL names the UIDVALIDITY too, so libcurl refuses to
 * read a message from a folder that changed under us.  Messages are left
 * in the mailbox (read by the fetch, so marked seen): the mailbox stays
 * the mail provider's record.
 */
#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/buf.h"
#include "core/rapport.h"
#include "mail.h"

typedef struct sink {
    rp_buf buf;
    size_t limit; /* stop past this many bytes */
    int over;
} sink;

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
    sink *s = arg;
    size_t len = size * n;
    if (s->buf.len + len > s->limit) {
        s->over = 1;
        return 0; /* abort: we will not take it anyway */
    }
    rp_buf_append(&s->buf, p, len);
    return s->buf.failed ? 0 : len;
}

/* One request on c to url; a custom command when command is not NULL.
 * The answer (the untagged lines, or the message) goes to s. */
static CURLcode request(CURL *c, const char *url, const char *command, sink *s)
{
    rp_buf_free(&s->buf);
    s->over = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, command);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    return curl_easy_perform(c);
}

/* The folder quoted for an IMAP command ("a \"b\"" for a "b"). */
static void quote_folder(rp_buf *b, const char *folder)
{
    rp_buf_append(b, "\"", 1);
    for (const char *p = folder; *p; p++) {
        if (*p == '"' || *p == '\\')
            rp_buf_append(b, "\\", 1);
        rp_buf_append(b, p, 1);
    }
    rp_buf_append(b, "\"", 1);
}

/* The server's URL with the folder as its path, the folder escaped. */
static void folder_url(rp_buf *b, CURL *c, const char *url, const char *folder)
{
    rp_buf_puts(b, url);
    if (!b->len || b->p[b->len - 1] != '/')
        rp_buf_puts(b, "/");
    char *esc = curl_easy_escape(c, folder, 0);
    rp_buf_puts(b, esc ? esc : folder);
    curl_free(esc);
}

typedef struct mailbox {
    int64_t id;
    const char *url, *user, *password, *folder, *queue;
} mailbox;

static rp_code fail(rp_error *err, const mailbox *mb, const char *what,
                    CURLcode cc)
{
    return rp_error_set(
        err, RP_EINTERNAL, "mailbox", "mailbox %lld (%s, folder %s): %s: %s",
        (long long)mb->id, mb->url, mb->folder, what, curl_easy_strerror(cc));
}

/* STATUS: the folder's UIDVALIDITY. */
static rp_code uidvalidity_of(CURL *c, const mailbox *mb, sink *s, int64_t *v,
                              rp_error *err)
{
    rp_buf cmd = RP_BUF_INIT;
    rp_buf_puts(&cmd, "STATUS ");
    quote_folder(&cmd, mb->folder);
    rp_buf_puts(&cmd, " (UIDVALIDITY)");
    CURLcode cc = request(c, mb->url, rp_buf_str(&cmd), s);
    rp_buf_free(&cmd);
    if (cc)
        return fail(err, mb, "cannot read the folder's status", cc);
    const char *at = strstr(rp_buf_str(&s->buf), "UIDVALIDITY ");
    long long value = 0;
    if (!at || sscanf(at + 12, "%lld", &value) != 1 || value <= 0)
        return rp_error_set(err, RP_EINTERNAL, "mailbox",
                            "mailbox %lld: the server gave no UIDVALIDITY "
                            "for folder %s",
                            (long long)mb->id, mb->folder);
    *v = value;
    return RP_OK;
}

/* UID SEARCH: the UIDs from `from` on, ascending, into *uids. */
static rp_code uids_from(CURL *c, const mailbox *mb, const char *url,
                         int64_t from, sink *s, int64_t **uids, size_t *n,
                         rp_error *err)
{
    char cmd[64];
    snprintf(cmd, sizeof cmd, "UID SEARCH UID %" PRId64 ":*", from);
    CURLcode cc = request(c, url, cmd, s);
    if (cc)
        return fail(err, mb, "cannot search the folder", cc);
    *n = 0;
    *uids = NULL;
    const char *p = strstr(rp_buf_str(&s->buf), "* SEARCH");
    if (!p)
        return RP_OK;
    p += 8;
    size_t cap = 0;
    for (;;) {
        char *end;
        long long u = strtoll(p, &end, 10);
        if (end == p)
            break;
        p = end;
        /* "N:*" names the highest UID even when it is below N */
        if (u < from)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            int64_t *g = realloc(*uids, cap * sizeof **uids);
            if (!g) {
                free(*uids);
                *uids = NULL;
                return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
            }
            *uids = g;
        }
        (*uids)[(*n)++] = u;
    }
    return RP_OK;
}

/* Take one claimed message: fetch, deliver, and settle the claim. */
static rp_code take(rp_ctx *ctx, CURL *c, const mailbox *mb, const char *url,
                    int64_t v, int64_t uid, const rp_mail_options *base,
                    sink *s, int *taken, rp_error *err)
{
    rp_buf u = RP_BUF_INIT;
    rp_buf_printf(&u, "%s;UIDVALIDITY=%" PRId64 "/;UID=%" PRId64, url, v, uid);
    CURLcode cc = request(c, rp_buf_str(&u), NULL, s);
    rp_buf_free(&u);
    rp_error ignored;
    if (cc && s->over) {
        rp_logf(RP_LOG_WARN,
                "mail: refused message %" PRId64 " of mailbox %lld (%s): over "
                "the limit of %zu bytes",
                uid, (long long)mb->id, mb->folder, s->limit - 1);
        return rp_mailbox_done(ctx, mb->id, v, uid, err);
    }
    if (cc) {
        rp_mailbox_release(ctx, mb->id, v, uid, &ignored);
        return fail(err, mb, "cannot fetch a message", cc);
    }
    rp_mail_options opt = *base;
    opt.queue = mb->queue;
    json_t *out = NULL;
    rp_code rc = rp_mail_deliver(ctx, (const unsigned char *)s->buf.p,
                                 s->buf.len, &opt, &out, err);
    json_decref(out);
    if (rc == RP_OK || rc == RP_ETOOLARGE) {
        *taken += rc == RP_OK;
        return rp_mailbox_done(ctx, mb->id, v, uid, err);
    }
    /* busy, full, or the queue misconfigured: the next poll tries again */
    rp_mailbox_release(ctx, mb->id, v, uid, &ignored);
    return rc;
}

static rp_code poll_mailbox(rp_ctx *ctx, const mailbox *mb,
                            const rp_mail_options *opt, int *taken,
                            rp_error *err)
{
    CURL *c = curl_easy_init();
    if (!c)
        return rp_error_set(err, RP_EINTERNAL, NULL, "libcurl cannot start");
    curl_easy_setopt(c, CURLOPT_USERNAME, mb->user);
    curl_easy_setopt(c, CURLOPT_PASSWORD, mb->password);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps");
    /* the password is sent only over TLS, or to a server on this machine */
    if (strncmp(mb->url, "imap://", 7) == 0 &&
        strncmp(mb->url, "imap://127.", 11) != 0 &&
        strncmp(mb->url, "imap://localhost", 16) != 0)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    size_t max = opt->max_size ? opt->max_size
                               : (size_t)RP_MAIL_DEFAULT_MAX_SIZE;
    sink s = {RP_BUF_INIT, max + 1, 0};
    rp_buf url = RP_BUF_INIT;
    folder_url(&url, c, mb->url, mb->folder);
    int64_t v = 0, from = 0, *uids = NULL;
    size_t n = 0;
    rp_code rc;
    if (!(rc = uidvalidity_of(c, mb, &s, &v, err)) &&
        !(rc = rp_mailbox_uid_from(ctx, mb->id, v, &from, err)))
        rc = uids_from(c, mb, rp_buf_str(&url), from, &s, &uids, &n, err);
    for (size_t i = 0; rc == RP_OK && i < n; i++) {
        int claimed = 0;
        rc = rp_mailbox_claim(ctx, mb->id, v, uids[i], &claimed, err);
        if (rc == RP_OK && claimed)
            rc = take(ctx, c, mb, rp_buf_str(&url), v, uids[i], opt, &s, taken,
                      err);
    }
    free(uids);
    rp_buf_free(&url);
    rp_buf_free(&s.buf);
    curl_easy_cleanup(c);
    return rc;
}

rp_code rp_mail_imap_poll(rp_ctx *ctx, const rp_mail_options *opt, int *taken,
                          rp_error *err)
{
    *taken = 0;
    json_t *list = NULL;
    if (rp_mailbox_list(ctx, 1, &list, err))
        return err->code;
    rp_code first = RP_OK;
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(list, "items"), i, row) {
        mailbox mb = {
            json_integer_value(json_object_get(row, "id")),
            json_string_value(json_object_get(row, "url")),
            json_string_value(json_object_get(row, "username")),
            json_string_value(json_object_get(row, "password")),
            json_string_value(json_object_get(row, "folder")),
            json_string_value(json_object_get(row, "queue")),
        };
        rp_error e = {0};
        rp_code rc = poll_mailbox(ctx, &mb, opt, taken, &e);
        if (rc) {
            rp_logf(RP_LOG_ERROR, "mail: %s", e.message);
            if (!first) {
                first = rc;
                *err = e;
            }
        }
    }
    json_decref(list);
    return first;
}
