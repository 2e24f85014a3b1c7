/*
 * html.c - HTML-only mail made readable text, with libxml2's HTML parser.
 *
 * The console never renders a customer's HTML: it shows text.  So a mail
 * that came only as HTML (phone clients, marketing-styled signatures,
 * Outlook) is read by a real HTML parser that forgives broken markup, and
 * its tree is walked once: text nodes give their words with white space
 * collapsed, block elements give line breaks, list items a dash, a link
 * whose words are not its address keeps the address in brackets, and
 * scripts, styles and the head give nothing.  The reply history mail
 * programs put below a reply (Gmail's gmail_quote, Apple Mail's
 * blockquote, Outlook's divRplyFwdMsg and what follows it) goes to the
 * quoted text, so it can be folded away.
 */
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "mail.h"

typedef struct walker {
    rp_buf text, quoted;
    rp_buf *out;  /* text, until the history starts; then quoted */
    int pre;      /* inside <pre>: white space kept */
    int space;    /* a space is owed before the next word */
    int newlines; /* newlines at the end of out (0, 1, 2) */
} walker;

static int name_is(const xmlNode *n, const char *name)
{
    return n->name && xmlStrcasecmp(n->name, (const xmlChar *)name) == 0;
}

static int name_in(const xmlNode *n, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (name_is(n, names[i]))
            return 1;
    return 0;
}

static int attr_has(const xmlNode *n, const char *attr, const char *word)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);
    int found = v && strstr((const char *)v, word) != NULL;
    xmlFree(v);
    return found;
}

/* Does the reply history start at this element? */
static int starts_history(const xmlNode *n)
{
    if (name_is(n, "blockquote"))
        return 1;
    return attr_has(n, "class", "gmail_quote") ||
           attr_has(n, "class", "yahoo_quoted") ||
           attr_has(n, "id", "divRplyFwdMsg") ||
           attr_has(n, "id", "appendonsend") ||
           attr_has(n, "id", "mail-editor-reference-message-container");
}

static void newline(walker *w, int want)
{
    if (w->out->len == 0)
        return; /* no blank lines at the start */
    while (w->newlines < want) {
        rp_buf_append(w->out, "\n", 1);
        w->newlines++;
    }
    w->space = 0;
}

static void put_text(walker *w, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        int white = c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
                    c == '\f';
        if (w->pre) {
            rp_buf_append(w->out, s, 1);
            w->newlines = c == '\n' ? w->newlines + 1 : 0;
            continue;
        }
        if (white) {
            w->space = 1;
            continue;
        }
        if (w->space && w->newlines == 0 && w->out->len)
            rp_buf_append(w->out, " ", 1);
        w->space = 0;
        /* U+00A0 (no-break space) as a plain space: &nbsp; runs are how
         * HTML mail indents */
        if (c == 0xC2 && (unsigned char)s[1] == 0xA0) {
            if (w->newlines == 0 && w->out->len)
                w->space = 1;
            s++;
            continue;
        }
        rp_buf_append(w->out, s, 1);
        w->newlines = 0;
    }
}

static void walk(walker *w, xmlNode *n);

static void walk_children(walker *w, xmlNode *n)
{
    for (xmlNode *c = n->children; c; c = c->next)
        walk(w, c);
}

static void walk_element(walker *w, xmlNode *n)
{
    static const char *const silent[] = {"head",   "script",   "style",
                                         "title",  "template", "noscript",
                                         "object", NULL};
    static const char *const blocks[] = {
        "div",    "table",  "tr",      "ul",      "ol",      "dl",
        "dt",     "dd",     "form",    "center",  "section", "article",
        "header", "footer", "address", "caption", NULL};
    static const char *const paragraphs[] = {"p",  "h1", "h2",  "h3", "h4",
                                             "h5", "h6", "pre", NULL};
    if (name_in(n, silent))
        return;
    if (w->out == &w->text && starts_history(n)) {
        w->out = &w->quoted;
        w->newlines = 0;
        w->space = 0;
    }
    if (name_is(n, "br")) {
        rp_buf_append(w->out, "\n", 1);
        w->newlines++;
        w->space = 0;
        return;
    }
    if (name_is(n, "hr")) {
        newline(w, 1);
        put_text(w, "----");
        newline(w, 1);
        return;
    }
    if (name_is(n, "img")) {
        xmlChar *alt = xmlGetProp(n, (const xmlChar *)"alt");
        if (alt && *alt) {
            put_text(w, "[");
            put_text(w, (const char *)alt);
            put_text(w, "]");
        }
        xmlFree(alt);
        return;
    }
    int para = name_in(n, paragraphs), block = name_in(n, blocks);
    if (para)
        newline(w, 2);
    else if (block)
        newline(w, 1);
    if (name_is(n, "li")) {
        newline(w, 1);
        put_text(w, "- ");
    }
    if (name_is(n, "td") || name_is(n, "th"))
        w->space = 1;
    int pre = name_is(n, "pre");
    w->pre += pre;
    rp_buf *before = w->out;
    size_t at = w->out->len;
    walk_children(w, n);
    w->pre -= pre;
    if (name_is(n, "a") && w->out == before) {
        /* keep a link's address when its words do not show it */
        xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
        const char *h = (const char *)href;
        if (h &&
            (strncmp(h, "http://", 7) == 0 || strncmp(h, "https://", 8) == 0)) {
            size_t hl = strlen(h);
            const char *words = w->out->p ? w->out->p + at : "";
            if (!memmem(words, w->out->len - at, h, hl) &&
                !memmem(words, w->out->len - at, h + (h[4] == 's' ? 8 : 7),
                        hl - (h[4] == 's' ? 8 : 7))) {
                put_text(w, " (");
                put_text(w, h);
                put_text(w, ")");
            }
        }
        xmlFree(href);
    }
    if (para)
        newline(w, 2);
    else if (block || name_is(n, "li"))
        newline(w, 1);
}

static void walk(walker *w, xmlNode *n)
{
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        if (n->content)
            put_text(w, (const char *)n->content);
    } else if (n->type == XML_ELEMENT_NODE) {
        walk_element(w, n);
    } else if (n->type == XML_DOCUMENT_NODE ||
               n->type == XML_HTML_DOCUMENT_NODE) {
        walk_children(w, n);
    }
}

/* A new string of b's text with trailing blank lines dropped; NULL when
 * empty or only white space. */
static char *take(rp_buf *b)
{
    size_t n = b->len;
    while (n && (b->p[n - 1] == '\n' || b->p[n - 1] == ' '))
        n--;
    size_t start = 0;
    while (start < n && (b->p[start] == '\n' || b->p[start] == ' '))
        start++;
    char *s = NULL;
    if (n > start) {
        s = malloc(n - start + 1);
        if (s) {
            memcpy(s, b->p + start, n - start);
            s[n - start] = '\0';
        }
    }
    rp_buf_free(b);
    return s;
}

rp_code rp_mail_html_to_text(const char *html, size_t size, char **text,
                             char **quoted, rp_error *err)
{
    *text = NULL;
    *quoted = NULL;
    if (size > INT32_MAX)
        return rp_error_set(err, RP_ETOOLARGE, "html",
                            "the HTML part is too large to read");
    htmlDocPtr doc = htmlReadMemory(html, (int)size, NULL, "UTF-8",
                                    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                        HTML_PARSE_NOWARNING |
                                        HTML_PARSE_NONET);
    walker w = {RP_BUF_INIT, RP_BUF_INIT, NULL, 0, 0, 0};
    w.out = &w.text;
    if (doc)
        walk(&w, (xmlNode *)doc);
    xmlFreeDoc(doc);
    int failed = w.text.failed || w.quoted.failed;
    char *t = take(&w.text), *q = take(&w.quoted);
    if (failed) {
        free(t);
        free(q);
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "out of memory while reading an HTML part");
    }
    *text = t ? t : strdup("");
    *quoted = q;
    return *text ? RP_OK
                 : rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
}
