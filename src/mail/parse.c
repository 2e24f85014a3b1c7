/*
 * parse.c - one raw message into an rp_inbound_mail, with GMime 3.
 *
 * GMime reads the MIME (multipart, transfer encodings, RFC 2047 and 2231
 * words, broken headers, with its own tolerance for what real mail
 * programs send); this file decides what the parts mean for the desk:
 * which part is the text the customer wrote (plain text before HTML,
 * HTML made text when it is all there is), what is attached or shown
 * inline, which ids thread the message, what kind of mail it is (a
 * person, an auto-reply, bulk, our own loop, a bounce) and, for a bounce,
 * which of our messages it reports and why.  Everything handed on is valid
 * UTF-8; everything allocated hangs off the parsed message and is freed
 * with it.
 */
#include <gmime/gmime.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/input.h"
#include "mail.h"
#include "mail_internal.h"

#define MAX_REFERENCES 100 /* the newest are kept: they thread best */
#define MAX_ID_BYTES 500

struct rp_mail_parsed {
    rp_inbound_mail mail;
    GPtrArray *owned;  /* malloc'd strings */
    GPtrArray *arrays; /* GByteArray data of attachments */
    GArray *attachments;
    GPtrArray *refs;
    char *plain;   /* the body's text parts, UTF-8, or NULL */
    char *html;    /* the first HTML body part, UTF-8, or NULL */
    int in_report; /* inside multipart/report */
    const char *bounce_status;
};

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;
static GMimeParserOptions *parser_options;

static void gmime_start(void)
{
    g_mime_init();
    parser_options = g_mime_parser_options_new();
    /* undeclared 8-bit headers: UTF-8 when valid, else Windows-1252 */
    const char *fallback[] = {"utf-8", "windows-1252", NULL};
    g_mime_parser_options_set_fallback_charsets(parser_options, fallback);
    g_mime_parser_options_set_rfc2047_compliance_mode(
        parser_options, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_address_compliance_mode(
        parser_options, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(
        parser_options, GMIME_RFC_COMPLIANCE_LOOSE);
}

void rp_mail_gmime_start(void)
{
    pthread_once(&gmime_once, gmime_start);
}

static char *own(rp_mail_parsed *m, char *s)
{
    if (s)
        g_ptr_array_add(m->owned, s);
    return s;
}

/* A new valid-UTF-8 copy of a header's text (GMime has decoded it), with
 * line breaks made spaces; NULL for NULL or blank. */
static char *header_text(rp_mail_parsed *m, const char *s)
{
    if (!s)
        return NULL;
    char *t = rp_mail_to_utf8(s, strlen(s), "utf-8");
    if (!t)
        return NULL;
    for (char *p = t; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    if (rp_text_is_blank(t)) {
        free(t);
        return NULL;
    }
    return own(m, t);
}

/* An id as the core takes it: no <>, printable ASCII, no space; a
 * message id has an @ (a content id need not: Gmail's have none). */
static char *clean_some_id(rp_mail_parsed *m, const char *id, int need_at)
{
    if (!id)
        return NULL;
    while (*id == '<' || *id == ' ')
        id++;
    size_t n = strcspn(id, "> \t\r\n");
    if (n == 0 || n > MAX_ID_BYTES || (need_at && !memchr(id, '@', n)))
        return NULL; /* a word that is not an id threads nothing */
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)id[i] < 0x21 || (unsigned char)id[i] > 0x7e)
            return NULL;
    return own(m, strndup(id, n));
}

static char *clean_id(rp_mail_parsed *m, const char *id)
{
    return clean_some_id(m, id, 1);
}

static GByteArray *decoded(GMimePart *part)
{
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    GMimeStream *s = g_mime_stream_mem_new();
    if (w)
        g_mime_data_wrapper_write_to_stream(w, s);
    GByteArray *a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(s), FALSE);
    g_object_unref(s);
    return a;
}

static char *lower_type(const GMimeContentType *ct)
{
    const char *t = ct ? g_mime_content_type_get_media_type(
                             (GMimeContentType *)ct)
                       : NULL;
    const char *s = ct ? g_mime_content_type_get_media_subtype(
                             (GMimeContentType *)ct)
                       : NULL;
    char *r = g_strdup_printf("%s/%s", t ? t : "application",
                              s ? s : "octet-stream");
    char *out = g_ascii_strdown(r, -1);
    g_free(r);
    char *m = strdup(out);
    g_free(out);
    return m;
}

static void add_attachment(rp_mail_parsed *m, GMimeObject *obj,
                           GByteArray *data, const char *filename,
                           int is_inline)
{
    rp_mail_attachment a = {0};
    a.filename = header_text(m, filename);
    a.content_type = own(m, lower_type(g_mime_object_get_content_type(obj)));
    a.content_id = clean_some_id(m, g_mime_object_get_content_id(obj), 0);
    a.is_inline = is_inline;
    a.data = data->data;
    a.size = data->len;
    g_ptr_array_add(m->arrays, data);
    g_array_append_val(m->attachments, a);
}

/* Append a text part's words to the plain or HTML body. */
static void add_body(char **body, const char *text)
{
    if (!*body) {
        *body = strdup(text);
        return;
    }
    char *joined = g_strdup_printf("%s\n\n%s", *body, text);
    free(*body);
    *body = strdup(joined);
    g_free(joined);
}

/* "Diagnostic-Code: smtp; 550 5.1.1 ..." and friends of a delivery report. */
static void read_delivery_status(rp_mail_parsed *m, const char *text)
{
    char **lines = g_strsplit(text, "\n", -1);
    const char *diag = NULL, *status = NULL, *rcpt = NULL;
    for (int i = 0; lines[i]; i++) {
        char *l = g_strstrip(lines[i]);
        /* a folded Diagnostic-Code continues on indented lines: the
         * first line says enough */
        if (!diag && g_ascii_strncasecmp(l, "Diagnostic-Code:", 16) == 0)
            diag = l + 16;
        else if (!status && g_ascii_strncasecmp(l, "Status:", 7) == 0)
            status = l + 7;
        else if (!rcpt && g_ascii_strncasecmp(l, "Final-Recipient:", 16) == 0)
            rcpt = l + 16;
    }
    if (diag) {
        const char *semi = strchr(diag, ';');
        diag = semi ? semi + 1 : diag;
        while (*diag == ' ')
            diag++;
    }
    if (rcpt) {
        const char *semi = strchr(rcpt, ';');
        rcpt = semi ? semi + 1 : rcpt;
    }
    GString *why = g_string_new(NULL);
    if (rcpt) {
        while (*rcpt == ' ')
            rcpt++;
        g_string_append_printf(why, "delivery to %s failed", rcpt);
    }
    if (diag || status) {
        if (why->len)
            g_string_append(why, ": ");
        g_string_append(why, diag ? diag : status);
    }
    if (why->len && !m->mail.bounce_reason) {
        char *w = g_strstrip(why->str);
        m->mail.bounce_reason = header_text(m, w);
    }
    g_string_free(why, TRUE);
    g_strfreev(lines);
}

/* The Message-ID of the original a bounce carries as headers only. */
static void read_original_headers(rp_mail_parsed *m, const GByteArray *data)
{
    GMimeStream *s = g_mime_stream_mem_new_with_buffer((const char *)data->data,
                                                       data->len);
    GMimeParser *p = g_mime_parser_new_with_stream(s);
    GMimeMessage *orig = g_mime_parser_construct_message(p, parser_options);
    if (orig && !m->mail.bounced_message_id)
        m->mail.bounced_message_id = clean_id(
            m, g_mime_message_get_message_id(orig));
    if (orig)
        g_object_unref(orig);
    g_object_unref(p);
    g_object_unref(s);
}

static void walk(rp_mail_parsed *m, GMimeObject *obj, int depth);

static void walk_message_part(rp_mail_parsed *m, GMimeObject *obj)
{
    GMimeMessage *inner = g_mime_message_part_get_message(
        GMIME_MESSAGE_PART(obj));
    if (m->in_report) {
        /* a bounce's copy of our message: only its id matters */
        if (inner && !m->mail.bounced_message_id)
            m->mail.bounced_message_id = clean_id(
                m, g_mime_message_get_message_id(inner));
        return;
    }
    /* a message forwarded as an attachment stays one, whole */
    GMimeStream *s = g_mime_stream_mem_new();
    if (inner)
        g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, s);
    GByteArray *a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(s), FALSE);
    g_object_unref(s);
    const char *subject = inner ? g_mime_message_get_subject(inner) : NULL;
    char *name = g_strdup_printf("%s.eml",
                                 subject && *subject ? subject : "message");
    add_attachment(m, obj, a, name, 0);
    g_free(name);
}

static void walk_part(rp_mail_parsed *m, GMimeObject *obj)
{
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    GMimeContentDisposition *cd = g_mime_object_get_content_disposition(obj);
    const char *filename = g_mime_part_get_filename(GMIME_PART(obj));
    int attached = cd && g_mime_content_disposition_is_attachment(cd);
    int is_inline = !attached && (cd || g_mime_object_get_content_id(obj));
    GByteArray *data = decoded(GMIME_PART(obj));

    if (g_mime_content_type_is_type(ct, "message", "delivery-status") ||
        g_mime_content_type_is_type(ct, "message", "global-delivery-status")) {
        char *t = rp_mail_to_utf8((const char *)data->data, data->len, NULL);
        if (t)
            read_delivery_status(m, t);
        free(t);
        g_byte_array_free(data, TRUE);
        return;
    }
    if (m->in_report &&
        g_mime_content_type_is_type(ct, "text", "rfc822-headers")) {
        read_original_headers(m, data);
        g_byte_array_free(data, TRUE);
        return;
    }
    int text = g_mime_content_type_is_type(ct, "text", "plain"),
        html = g_mime_content_type_is_type(ct, "text", "html");
    if ((text || html) && !attached && !filename) {
        const char *cs = g_mime_object_get_content_type_parameter(obj,
                                                                  "charset");
        char *t = rp_mail_to_utf8((const char *)data->data, data->len, cs);
        g_byte_array_free(data, TRUE);
        if (!t)
            return;
        if (text)
            add_body(&m->plain, t);
        else if (!m->html)
            m->html = strdup(t);
        free(t);
        return;
    }
    add_attachment(m, obj, data, filename, is_inline);
}

static void walk(rp_mail_parsed *m, GMimeObject *obj, int depth)
{
    if (!obj || depth > 32)
        return; /* GMime nests as deep as the sender likes; we do not */
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeContentType *ct = g_mime_object_get_content_type(obj);
        int report = g_mime_content_type_is_type(ct, "multipart", "report");
        m->in_report += report;
        int n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
        for (int i = 0; i < n; i++)
            walk(m, g_mime_multipart_get_part(GMIME_MULTIPART(obj), i),
                 depth + 1);
        m->in_report -= report;
    } else if (GMIME_IS_MESSAGE_PART(obj)) {
        walk_message_part(m, obj);
    } else if (GMIME_IS_PART(obj)) {
        walk_part(m, obj);
    }
}

/* ---- what kind of mail ----------------------------------------------------
 */

static const char *hdr(GMimeMessage *msg, const char *name)
{
    return g_mime_object_get_header(GMIME_OBJECT(msg), name);
}

static int has_prefix_ci(const char *s, const char *const *prefixes)
{
    for (int i = 0; s && prefixes[i]; i++)
        if (g_ascii_strncasecmp(s, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

static rp_mail_class classify(rp_mail_parsed *m, GMimeMessage *msg,
                              const rp_mail_options *opt)
{
    const char *loop = opt && opt->loop ? opt->loop : RP_MAIL_DEFAULT_LOOP;
    GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(msg));
    int n = g_mime_header_list_get_count(hl);
    for (int i = 0; i < n; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
        const char *v = g_mime_header_get_value(h);
        if (g_ascii_strcasecmp(g_mime_header_get_name(h), "X-Loop") == 0 && v &&
            strcasestr(v, loop))
            return RP_MAIL_LOOP;
    }
    GMimeObject *top = g_mime_message_get_mime_part(msg);
    GMimeContentType *ct = top ? g_mime_object_get_content_type(top) : NULL;
    const char *rt = ct ? g_mime_content_type_get_parameter(ct, "report-type")
                        : NULL;
    if (ct && g_mime_content_type_is_type(ct, "multipart", "report") && rt &&
        strcasestr(rt, "delivery-status"))
        return RP_MAIL_BOUNCE;
    if (m->mail.bounced_message_id && m->mail.bounce_reason)
        return RP_MAIL_BOUNCE;
    const char *as = hdr(msg, "Auto-Submitted");
    while (as && (*as == ' ' || *as == '\t'))
        as++;
    if (as && *as && g_ascii_strncasecmp(as, "no", 2) != 0)
        return RP_MAIL_AUTO_REPLY;
    /* not X-Auto-Response-Suppress: Outlook sets it on ordinary mail */
    if (hdr(msg, "X-Autoreply") || hdr(msg, "X-Autorespond"))
        return RP_MAIL_AUTO_REPLY;
    const char *prec = hdr(msg, "Precedence");
    if (prec && strcasestr(prec, "auto_reply"))
        return RP_MAIL_AUTO_REPLY;
    static const char *const auto_subjects[] = {"Out of Office",
                                                "Out of the office",
                                                "Automatic reply:",
                                                "Auto:",
                                                "Autoreply:",
                                                "Auto-Reply:",
                                                "Abwesenheitsnotiz",
                                                "Réponse automatique",
                                                "Respuesta automática",
                                                "Risposta automatica:",
                                                NULL};
    if (has_prefix_ci(m->mail.subject, auto_subjects))
        return RP_MAIL_AUTO_REPLY;
    if (prec && (strcasestr(prec, "bulk") || strcasestr(prec, "junk") ||
                 strcasestr(prec, "list")))
        return RP_MAIL_BULK;
    if (hdr(msg, "List-Id") || hdr(msg, "List-Unsubscribe"))
        return RP_MAIL_BULK;
    return RP_MAIL_PERSONAL;
}

/* ---- the message ----------------------------------------------------------
 */

static void read_ids(rp_mail_parsed *m, GMimeMessage *msg)
{
    m->mail.message_id = clean_id(m, g_mime_message_get_message_id(msg));
    const char *irt = hdr(msg, "In-Reply-To");
    if (irt) {
        char *id = g_mime_utils_decode_message_id(irt);
        m->mail.in_reply_to = clean_id(m, id ? id : irt);
        g_free(id);
    }
    const char *refs = hdr(msg, "References");
    GMimeReferences *r = refs ? g_mime_references_parse(parser_options, refs)
                              : NULL;
    int n = r ? g_mime_references_length(r) : 0;
    for (int i = n > MAX_REFERENCES ? n - MAX_REFERENCES : 0; i < n; i++) {
        char *id = clean_id(m, g_mime_references_get_message_id(r, i));
        if (id)
            g_ptr_array_add(m->refs, id);
    }
    if (r)
        g_mime_references_free(r);
    m->mail.references = (const char *const *)m->refs->pdata;
    m->mail.nreferences = m->refs->len;
}

static int read_sender(rp_mail_parsed *m, GMimeMessage *msg)
{
    InternetAddressList *from = g_mime_message_get_from(msg);
    if (!from || internet_address_list_length(from) == 0)
        from = g_mime_message_get_sender(msg);
    for (int i = 0; from && i < internet_address_list_length(from); i++) {
        InternetAddress *a = internet_address_list_get_address(from, i);
        if (!INTERNET_ADDRESS_IS_MAILBOX(a))
            continue;
        const char *addr = internet_address_mailbox_get_addr(
            INTERNET_ADDRESS_MAILBOX(a));
        if (!addr || !strchr(addr, '@') || strchr(addr, ' '))
            continue;
        m->mail.from_address = header_text(m, addr);
        m->mail.from_name = header_text(m, internet_address_get_name(a));
        return m->mail.from_address != NULL;
    }
    return 0;
}

static int forwarded(const char *subject)
{
    static const char *const fwd[] = {
        "Fwd:", "Fw:", "WG:", "TR:", "RV:", "Enc:", NULL};
    return has_prefix_ci(subject, fwd);
}

/* The new text and the quoted history, from the body parts. */
static rp_code read_text(rp_mail_parsed *m, rp_error *err)
{
    char *text = NULL, *quoted = NULL;
    int fwd = forwarded(m->mail.subject);
    if (m->plain && !rp_text_is_blank(m->plain)) {
        if (fwd) {
            text = strdup(m->plain);
        } else {
            rp_mail_split_quoted(m->plain, &text, &quoted);
        }
    } else if (m->html) {
        char *t, *q;
        if (rp_mail_html_to_text(m->html, strlen(m->html), &t, &q, err))
            return err->code;
        if (fwd) {
            text = t;
            quoted = q;
        } else {
            /* "On ... wrote:" is written above the blockquote, in the
             * text: it belongs with the history */
            char *q2;
            rp_mail_split_quoted(t, &text, &q2);
            free(t);
            if (q2 && q) {
                quoted = malloc(strlen(q2) + strlen(q) + 2);
                if (quoted)
                    sprintf(quoted, "%s\n%s", q2, q);
                free(q2);
                free(q);
            } else {
                quoted = q2 ? q2 : q;
            }
        }
    }
    m->mail.text = own(m, text ? text : strdup(""));
    m->mail.quoted = own(m, quoted);
    if (!m->mail.text)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    return RP_OK;
}

static rp_mail_parsed *parsed_new(void)
{
    rp_mail_parsed *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->owned = g_ptr_array_new_with_free_func(free);
    m->arrays = g_ptr_array_new();
    m->attachments = g_array_new(FALSE, TRUE, sizeof(rp_mail_attachment));
    m->refs = g_ptr_array_new();
    return m;
}

void rp_mail_free(rp_mail_parsed *m)
{
    if (!m)
        return;
    for (guint i = 0; i < m->arrays->len; i++)
        g_byte_array_free(g_ptr_array_index(m->arrays, i), TRUE);
    g_ptr_array_free(m->arrays, TRUE);
    g_array_free(m->attachments, TRUE);
    g_ptr_array_free(m->refs, TRUE);
    g_ptr_array_free(m->owned, TRUE);
    free(m->plain);
    free(m->html);
    free(m);
}

const rp_inbound_mail *rp_mail_inbound(const rp_mail_parsed *m)
{
    return &m->mail;
}

rp_code rp_mail_parse(const unsigned char *raw, size_t size,
                      const rp_mail_options *opt, rp_mail_parsed **out,
                      rp_error *err)
{
    size_t max = opt && opt->max_size ? opt->max_size
                                      : (size_t)RP_MAIL_DEFAULT_MAX_SIZE;
    if (size > max)
        return rp_error_set(err, RP_ETOOLARGE, "message",
                            "the message is %zu bytes, over the limit of %zu "
                            "bytes",
                            size, max);
    if (size == 0)
        return rp_error_set(err, RP_EMALFORMED, "message",
                            "the message is empty");
    rp_mail_gmime_start();
    rp_mail_parsed *m = parsed_new();
    if (!m)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    GMimeStream *s = g_mime_stream_mem_new_with_buffer((const char *)raw, size);
    GMimeParser *p = g_mime_parser_new_with_stream(s);
    GMimeMessage *msg = g_mime_parser_construct_message(p, parser_options);
    g_object_unref(p);
    g_object_unref(s);
    rp_code rc = RP_OK;
    if (!msg) {
        rc = rp_error_set(err, RP_EMALFORMED, "message",
                          "it is not an email message: no headers could be "
                          "read");
        goto done;
    }
    m->mail.channel = opt && opt->channel ? opt->channel : "email";
    m->mail.queue = opt ? opt->queue : NULL;
    m->mail.raw = raw;
    m->mail.raw_size = size;
    if (!read_sender(m, msg)) {
        rc = rp_error_set(err, RP_EMALFORMED, "from",
                          "it names no sender: the From header has no "
                          "address");
        goto done;
    }
    m->mail.subject = header_text(m, g_mime_message_get_subject(msg));
    GDateTime *date = g_mime_message_get_date(msg);
    m->mail.sent_at = date ? g_date_time_to_unix(date) : 0;
    read_ids(m, msg);
    walk(m, g_mime_message_get_mime_part(msg), 0);
    if ((rc = read_text(m, err)))
        goto done;
    m->mail.attachments = (const rp_mail_attachment *)m->attachments->data;
    m->mail.nattachments = m->attachments->len;
    m->mail.mail_class = classify(m, msg, opt);
    if (m->mail.mail_class != RP_MAIL_BOUNCE) {
        m->mail.bounced_message_id = NULL;
        m->mail.bounce_reason = NULL;
    } else if (!m->mail.bounce_reason) {
        m->mail.bounce_reason = "the receiving mail server refused it";
    }
done:
    if (msg)
        g_object_unref(msg);
    if (rc) {
        rp_mail_free(m);
        return rc;
    }
    *out = m;
    return RP_OK;
}
