/*
 * text.c - the text of a mail: any charset to valid UTF-8, and the new
 * text split from the reply history quoted below it.
 *
 * Mail programs label text with charsets they did not use (Windows-1252
 * bytes in an "iso-8859-1" part, Latin-1 bytes with no label at all), so
 * the conversion never fails: what iconv cannot read is read as
 * Windows-1252, and whatever is still not UTF-8 becomes U+FFFD.  The
 * agent reads every message, so a message that says something must show
 * it, even with a wrong accent.
 *
 * The quoted history is found by the lines mail programs write above it
 * (Gmail's and Apple Mail's "On ... wrote:", Outlook's "From:/Sent:" block
 * and "-----Original Message-----") and by a tail of "> " lines.  It is
 * kept (folded away when shown), never thrown away.
 */
#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

#include "mail.h"
#include "mail_internal.h"

/* Windows-1252's 0x80..0x9F; 0 where it defines nothing (read as Latin-1). */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0};

/* Windows-1252 cannot fail: every byte is a character. */
static char *from_cp1252(const char *data, size_t size)
{
    GString *s = g_string_sized_new(size + size / 4 + 1);
    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char)data[i];
        gunichar u = c;
        if (c >= 0x80 && c < 0xA0 && cp1252_high[c - 0x80])
            u = cp1252_high[c - 0x80];
        g_string_append_unichar(s, u);
    }
    return g_string_free(s, FALSE);
}

static int is_latin1(const char *cs)
{
    static const char *const names[] = {
        "iso-8859-1", "iso8859-1",  "latin1",       "latin-1", "l1",
        "cp819",      "iso_8859-1", "windows-1252", "cp1252",  NULL};
    for (int i = 0; names[i]; i++)
        if (g_ascii_strcasecmp(cs, names[i]) == 0)
            return 1;
    return 0;
}

/* A new malloc'd copy of s with NULs dropped, CRLF and CR made LF, and
 * anything not UTF-8 replaced; frees s (a glib string). */
static char *finish(char *s)
{
    if (!s)
        return NULL;
    char *valid = g_utf8_make_valid(s, -1);
    g_free(s);
    size_t n = strlen(valid);
    char *out = malloc(n + 1), *w = out;
    if (!out) {
        g_free(valid);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (valid[i] == '\r') {
            *w++ = '\n';
            if (valid[i + 1] == '\n')
                i++;
        } else {
            *w++ = valid[i];
        }
    }
    *w = '\0';
    g_free(valid);
    return out;
}

char *rp_mail_to_utf8(const char *data, size_t size, const char *charset)
{
    rp_mail_gmime_start(); /* the charset tables below are GMime's */
    /* NUL bytes end C strings early: drop them before anything else. */
    GString *clean = g_string_sized_new(size + 1);
    for (size_t i = 0; i < size; i++)
        if (data[i])
            g_string_append_c(clean, data[i]);
    char *s = NULL;
    const char *cs = charset && *charset ? charset : NULL;
    if (cs && !is_latin1(cs) && g_ascii_strcasecmp(cs, "us-ascii") != 0 &&
        g_ascii_strcasecmp(cs, "utf-8") != 0 &&
        g_ascii_strcasecmp(cs, "utf8") != 0) {
        gsize written = 0;
        s = g_convert(clean->str, (gssize)clean->len, "UTF-8",
                      g_mime_charset_iconv_name(cs), NULL, &written, NULL);
    }
    if (!s && (!cs || !is_latin1(cs)) &&
        g_utf8_validate(clean->str, (gssize)clean->len, NULL))
        s = g_strndup(clean->str, clean->len);
    if (!s)
        s = from_cp1252(clean->str, clean->len);
    g_string_free(clean, TRUE);
    return finish(s);
}

/* ---- quoted history -------------------------------------------------------
 */

/* The line at s, up to its newline, without trailing white space. */
typedef struct line {
    const char *p;
    size_t n;     /* without the newline and trailing blanks */
    size_t whole; /* with the newline */
} line;

static size_t split_lines(const char *s, line **out)
{
    size_t cap = 64, n = 0;
    line *v = malloc(cap * sizeof *v);
    while (v && *s) {
        const char *nl = strchr(s, '\n');
        size_t whole = nl ? (size_t)(nl - s) + 1 : strlen(s);
        size_t len = nl ? (size_t)(nl - s) : whole;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (n == cap) {
            line *g = realloc(v, (cap *= 2) * sizeof *v);
            if (!g) {
                free(v);
                v = NULL;
                break;
            }
            v = g;
        }
        v[n++] = (line){s, len, whole};
        s += whole;
    }
    *out = v;
    return v ? n : 0;
}

static int starts(const line *l, const char *prefix)
{
    size_t k = strlen(prefix);
    return l->n >= k && g_ascii_strncasecmp(l->p, prefix, k) == 0;
}

static int ends(const line *l, const char *suffix)
{
    size_t k = strlen(suffix);
    return l->n >= k && memcmp(l->p + l->n - k, suffix, k) == 0;
}

static int is_blank(const line *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->p[i] != ' ' && l->p[i] != '\t')
            return 0;
    return 1;
}

static int is_quote(const line *l)
{
    return l->n && l->p[0] == '>';
}

/* "On Tue, 3 Nov 2026 at 10:02, Ana <ana@example.com> wrote:" and its
 * translations, which mail programs wrap over two lines. */
static int attribution_ending(const line *l)
{
    static const char *const endings[] = {
        "wrote:",    "écrit :",     "écrit:", "schrieb:",
        "escribió:", "scritto:",    "skrev:", "schreef:",
        "escreveu:", "napisał(a):", NULL};
    for (int i = 0; endings[i]; i++)
        if (ends(l, endings[i]))
            return 1;
    return 0;
}

static int attribution_start(const line *l)
{
    static const char *const starts_with[] = {"On ",     "Le ", "Am ", "El ",
                                              "Il ",     "Op ", "Em ", "Den ",
                                              "W dniu ", NULL};
    for (int i = 0; starts_with[i]; i++)
        if (starts(l, starts_with[i]))
            return 1;
    return 0;
}

/* Where the history starts at line i, or 0 when it does not start here. */
static int history_at(const line *v, size_t n, size_t i)
{
    const line *l = &v[i];
    if (starts(l, "-----Original Message-----") ||
        starts(l, "----- Original Message -----") ||
        starts(l, "-------- Original Message --------") ||
        starts(l, "-------- Message original --------"))
        return 1;
    if (attribution_start(l) &&
        (attribution_ending(l) || (i + 1 < n && attribution_ending(&v[i + 1]))))
        return 1;
    /* Outlook: "From: ...", then "Sent:" or "Date:" within a few lines,
     * after a blank line or an underline. */
    if ((starts(l, "From: ") || starts(l, "De : ") || starts(l, "Von: ")) &&
        (i == 0 || is_blank(&v[i - 1]) || starts(&v[i - 1], "____"))) {
        for (size_t k = i + 1; k < n && k <= i + 4; k++)
            if (starts(&v[k], "Sent: ") || starts(&v[k], "Date: ") ||
                starts(&v[k], "Envoyé : ") || starts(&v[k], "Gesendet: "))
                return 1;
    }
    return 0;
}

/* A new copy of n bytes at p without leading and trailing blank lines;
 * NULL when nothing is left. */
static char *trimmed(const char *p, size_t n)
{
    while (n && (*p == '\n' || *p == ' ' || *p == '\t')) {
        /* drop whole leading blank lines only */
        const char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) + 1 : n;
        int blank = 1;
        for (size_t j = 0; j < k; j++)
            if (p[j] != ' ' && p[j] != '\t' && p[j] != '\n')
                blank = 0;
        if (!blank)
            break;
        p += k;
        n -= k;
    }
    while (n && (p[n - 1] == '\n' || p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    if (!n)
        return NULL;
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

void rp_mail_split_quoted(const char *body, char **text, char **quoted)
{
    *text = NULL;
    *quoted = NULL;
    if (!body)
        return;
    line *v;
    size_t n = split_lines(body, &v);
    size_t cut = n;
    for (size_t i = 0; i < n && cut == n; i++) {
        if (starts(&v[i], "---------- Forwarded message") ||
            starts(&v[i], "Begin forwarded message:"))
            break; /* a forward: what follows is the message itself */
        if (history_at(v, n, i)) {
            cut = i;
            /* Outlook puts an underline above its header block */
            if (i > 0 && starts(&v[i - 1], "____"))
                cut = i - 1;
        } else if (is_quote(&v[i])) {
            /* a tail of quoted lines, with nothing new after it */
            size_t k = i;
            while (k < n && (is_quote(&v[k]) || is_blank(&v[k])))
                k++;
            if (k == n)
                cut = i;
        }
    }
    size_t at = cut < n ? (size_t)(v[cut].p - body) : strlen(body);
    free(v);
    *text = trimmed(body, at);
    if (!*text) {
        /* nothing but history: it is the message */
        *text = trimmed(body, strlen(body));
        if (!*text)
            *text = strdup("");
        return;
    }
    *quoted = trimmed(body + at, strlen(body + at));
}
