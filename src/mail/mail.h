/*
 * mail.h - email in: raw RFC 5322 messages turned into what the desk
 * understands, and handed to the conversation's one door.
 *
 * Mail arrives three ways (a mail server's pipe into `rapport mail
 * receive`, an HTTP post of the raw message, an IMAP mailbox rapportd
 * polls); all three end in rp_mail_deliver, so a message is understood the
 * same whichever way it came.  The MIME work is GMime's and the HTML is
 * read by libxml2's HTML parser: this layer writes no parser of its own,
 * it only decides what of a message is the customer's new text, what is
 * quoted history, what is attached, and what kind of mail it is.
 *
 * The layer sits beside the programs: it may include base and the core,
 * and the server and the CLI include it; the core never sees raw MIME.
 */
#ifndef RP_MAIL_H
#define RP_MAIL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/conversation/conversation.h"

/* The default size limit of one raw message, in bytes. */
#define RP_MAIL_DEFAULT_MAX_SIZE (40L * 1024 * 1024)

/* The X-Loop value rapport writes on what it sends, unless configured. */
#define RP_MAIL_DEFAULT_LOOP "rapport"

/* How a message is taken in: set by the program from its configuration. */
typedef struct rp_mail_options {
    const char *queue;   /* the queue new encounters open in, or NULL */
    const char *channel; /* "email" (NULL means "email") */
    size_t max_size;     /* 0: RP_MAIL_DEFAULT_MAX_SIZE */
    const char *loop;    /* our X-Loop value; NULL: RP_MAIL_DEFAULT_LOOP */
} rp_mail_options;

/*
 * A parsed message: mail points into storage the parsed message owns, so
 * it lives until rp_mail_free.  raw is borrowed from the caller.
 */
typedef struct rp_mail_parsed rp_mail_parsed;

/*
 * Parse size bytes of raw into a new *out.  Every text of (*out)->mail is
 * valid UTF-8 whatever the charsets the message declared (or lied about).
 * A message over the size limit is RP_ETOOLARGE; one that cannot be
 * understood at all (no headers, no sender) is RP_EMALFORMED with the
 * reason: the caller keeps it raw, it is never dropped.
 */
rp_code rp_mail_parse(const unsigned char *raw, size_t size,
                      const rp_mail_options *opt, rp_mail_parsed **out,
                      rp_error *err);

/* The message as the conversation's door takes it. */
const rp_inbound_mail *rp_mail_inbound(const rp_mail_parsed *m);

/* Release a parsed message (NULL is fine). */
void rp_mail_free(rp_mail_parsed *m);

/*
 * The whole way in: parse raw and hand it to rp_conversation_receive.  A
 * message that cannot be understood is kept raw with the reason
 * (rp_conversation_keep_unreadable, *out {"outcome": "unreadable",
 * "unreadable_id", "reason"}); an oversized one is refused (RP_ETOOLARGE)
 * and a line naming its size, sender and Message-ID is written to the log
 * stream (stderr).  RP_EBUSY is a temporary failure: deliver again later.
 */
rp_code rp_mail_deliver(rp_ctx *ctx, const unsigned char *raw, size_t size,
                        const rp_mail_options *opt, json_t **out,
                        rp_error *err);

/* ---- HTML and plain text (text.c, html.c) -------------------------------
 */

/*
 * The readable text of an HTML document of size bytes (already UTF-8):
 * paragraphs, line breaks, list items and links kept, scripts, styles and
 * markup dropped.  Quoted history (a blockquote, Gmail's and Outlook's
 * reply blocks) goes to *quoted (NULL when none).  Both are new strings the
 * caller frees with free(); *text is never NULL on RP_OK.
 */
rp_code rp_mail_html_to_text(const char *html, size_t size, char **text,
                             char **quoted, rp_error *err);

/*
 * Split a plain-text body into the new text and the quoted reply history
 * that follows it ("On ... wrote:", "-----Original Message-----", an
 * Outlook header block, trailing "> " lines).  Both are new strings;
 * *quoted is NULL when there is none.  Interleaved answers (text after a
 * quote) are kept whole in *text.
 */
void rp_mail_split_quoted(const char *body, char **text, char **quoted);

/*
 * size bytes in charset (NULL or unknown: UTF-8 when valid, else
 * Windows-1252) as a new NUL-terminated valid UTF-8 string.  ISO-8859-1 is
 * read as Windows-1252, its superset, as every mail program does.
 */
char *rp_mail_to_utf8(const char *data, size_t size, const char *charset);

/* ---- IMAP (imap.c) ------------------------------------------------------ */

/*
 * Poll every configured mailbox once: take each message not yet taken (its
 * UID under the mailbox's UIDVALIDITY, claimed in the database so two
 * servers never take the same one) and deliver it.  *taken counts the
 * messages delivered.  Problems with one mailbox are logged to stderr and
 * do not stop the others; the return is the first error, RP_OK when every
 * mailbox was read.
 */
rp_code rp_mail_imap_poll(rp_ctx *ctx, const rp_mail_options *opt, int *taken,
                          rp_error *err);

#endif
