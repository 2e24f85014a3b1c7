/*
 * csv.c - reading and writing CSV as spreadsheets and help desks write it.
 *
 * RFC 4180 with what real files add: a UTF-8 byte-order mark (Excel's "CSV
 * UTF-8"), semicolons where the comma is the decimal mark (Excel in most
 * of Europe; "sep=;" on the first line when it says so), bare LF or CR
 * line ends, blank lines.  The reader pulls bytes through a small window,
 * so a file of any size takes the memory of its longest record, and that
 * is bounded: a quote left open would otherwise read the rest of the file
 * into one field.
 */
#include <stdlib.h>
#include <string.h>

#include "core/rapport.h"

#define WINDOW (64 * 1024)

struct rp_csv {
    rp_csv_read_fn read;
    void *arg;
    const char *mem; /* a reader of memory reads from here, else window */
    size_t mem_len;
    char *window;
    size_t len, pos; /* bytes in the window, and read from it */
    int eof;
    const char *read_error; /* why the last read failed */
    uint64_t consumed;      /* bytes before the window */
    char delim;             /* 0 until the first record */
    int64_t line;           /* the line the next byte is on */
    int64_t record_line;
    rp_buf rec;     /* the fields, each ended by a NUL */
    size_t *starts; /* where each field begins in rec */
    size_t *lens;   /* and its length */
    size_t nfields, cap;
    const char *problem;
    rp_buf problem_text;
};

static rp_csv *make(void)
{
    rp_csv *c = calloc(1, sizeof *c);
    if (c) {
        c->line = 1;
    }
    return c;
}

rp_csv *rp_csv_new(rp_csv_read_fn read, void *arg)
{
    rp_csv *c = make();
    if (c) {
        c->read = read;
        c->arg = arg;
        c->window = malloc(WINDOW);
        if (!c->window) {
            free(c);
            return NULL;
        }
    }
    return c;
}

rp_csv *rp_csv_new_memory(const char *text, size_t len)
{
    rp_csv *c = make();
    if (c) {
        c->mem = text;
        c->mem_len = len;
        c->len = len;
        c->eof = 1;
    }
    return c;
}

void rp_csv_free(rp_csv *c)
{
    if (!c)
        return;
    free(c->window);
    free(c->starts);
    free(c->lens);
    rp_buf_free(&c->rec);
    rp_buf_free(&c->problem_text);
    free(c);
}

static const char *bytes(const rp_csv *c)
{
    return c->mem ? c->mem : c->window;
}

/* Make at least want bytes unread in the window if the input has them,
 * keeping the unread ones.  -1 when the read failed. */
static int fill(rp_csv *c, size_t want)
{
    if (c->mem || c->eof)
        return 0;
    if (c->len - c->pos >= want)
        return 0;
    memmove(c->window, c->window + c->pos, c->len - c->pos);
    c->consumed += c->pos;
    c->len -= c->pos;
    c->pos = 0;
    while (!c->eof && c->len < want && c->len < WINDOW) {
        long n = c->read(c->arg, c->window + c->len, WINDOW - c->len,
                         &c->read_error);
        if (n < 0)
            return -1;
        if (n == 0)
            c->eof = 1;
        c->len += (size_t)n;
    }
    return 0;
}

/* The next byte, or -1 at the end (-2 when the read failed). */
static int next(rp_csv *c)
{
    if (c->pos == c->len && fill(c, 1) < 0)
        return -2;
    if (c->pos == c->len)
        return -1;
    return (unsigned char)bytes(c)[c->pos++];
}

static int peek(rp_csv *c)
{
    if (c->pos == c->len && fill(c, 1) < 0)
        return -2;
    if (c->pos == c->len)
        return -1;
    return (unsigned char)bytes(c)[c->pos];
}

static rp_code read_failed(rp_csv *c, rp_error *err)
{
    return rp_error_set(err, RP_EINTERNAL, NULL, "reading the file failed: %s",
                        c->read_error ? c->read_error : "unknown error");
}

/*
 * Before the first record: skip a byte-order mark, refuse UTF-16, and
 * find the delimiter on the first line: "sep=X", else whichever of comma,
 * semicolon and tab the line holds most of outside quotes (comma on a
 * tie, or when it holds none).
 */
/* Can ch separate the fields of a record? */
static int usable_delimiter(char ch)
{
    return ch == '\t' || (ch > ' ' && ch < 0x7F && ch != '"');
}

static rp_code start(rp_csv *c, rp_error *err)
{
    if (fill(c, 4) < 0)
        return read_failed(c, err);
    const unsigned char *b = (const unsigned char *)bytes(c) + c->pos;
    size_t have = c->len - c->pos;
    if (have >= 2 &&
        ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)))
        return rp_error_refuse(err, RP_EINVALID, "file", "unreadable", 1,
                               "line 1: the file is UTF-16 text; save it as "
                               "UTF-8 (in Excel: CSV UTF-8)");
    if (have >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF)
        c->pos += 3;
    /* the first line, as much of it as the window holds */
    if (fill(c, WINDOW) < 0)
        return read_failed(c, err);
    const char *s = bytes(c) + c->pos;
    size_t n = c->len - c->pos;
    /* Excel's "sep=X" line; X must be a character that can separate
     * fields: a tab or visible ASCII other than the quote (a byte such as
     * 0xFF would read as the end of the file and never end a record) */
    if (n >= 5 && strncmp(s, "sep=", 4) == 0 && usable_delimiter(s[4]) &&
        (n == 5 || s[5] == '\r' || s[5] == '\n')) {
        c->delim = s[4];
        c->pos += 5;
        if (peek(c) == '\r')
            c->pos++;
        if (peek(c) == '\n')
            c->pos++;
        c->line++;
        return RP_OK;
    }
    size_t commas = 0, semis = 0, tabs = 0;
    int quoted = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '"')
            quoted = !quoted;
        else if (!quoted && (ch == '\n' || ch == '\r'))
            break;
        else if (!quoted)
            commas += ch == ',', semis += ch == ';', tabs += ch == '\t';
    }
    c->delim = semis > commas && semis >= tabs ? ';'
               : tabs > commas && tabs > semis ? '\t'
                                               : ',';
    return RP_OK;
}

static int push_field(rp_csv *c, size_t start_at)
{
    if (c->nfields == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        size_t *s = realloc(c->starts, cap * sizeof *s);
        if (!s)
            return -1;
        c->starts = s;
        size_t *l = realloc(c->lens, cap * sizeof *l);
        if (!l)
            return -1;
        c->lens = l;
        c->cap = cap;
    }
    c->starts[c->nfields] = start_at;
    c->lens[c->nfields] = c->rec.len - start_at;
    c->nfields++;
    rp_buf_append(&c->rec, "", 1); /* the NUL that ends it */
    return 0;
}

static rp_code too_long(rp_csv *c, rp_error *err)
{
    return rp_error_refuse(
        err, RP_EINVALID, "file", "unreadable", c->record_line,
        "line %lld: a record longer than %d bytes; is a quote "
        "left open?",
        (long long)c->record_line, RP_CSV_MAX_RECORD);
}

/* A quoted field, the opening quote read.  *after is the byte after the
 * closing quote. */
static rp_code quoted_field(rp_csv *c, int *after, rp_error *err)
{
    int64_t opened = c->line;
    for (;;) {
        int ch = next(c);
        if (ch == -2)
            return read_failed(c, err);
        if (ch == -1)
            return rp_error_refuse(err, RP_EINVALID, "file", "unreadable",
                                   opened,
                                   "line %lld: a quote opened on this line is "
                                   "never closed before the end of the file",
                                   (long long)opened);
        if (ch == '"') {
            if (peek(c) != '"')
                break;
            c->pos++;
        } else if (ch == '\n' || (ch == '\r' && peek(c) != '\n')) {
            c->line++;
        }
        char b = (char)ch;
        rp_buf_append(&c->rec, &b, 1);
        if (c->rec.len > RP_CSV_MAX_RECORD)
            return too_long(c, err);
    }
    int ch = next(c);
    while (ch >= 0 && ch != c->delim && ch != '\n' && ch != '\r') {
        if (!c->problem) {
            rp_buf_printf(&c->problem_text,
                          "field %zu has text after its closing quote",
                          c->nfields + 1);
            c->problem = rp_buf_str(&c->problem_text);
        }
        ch = next(c);
    }
    *after = ch;
    return ch == -2 ? read_failed(c, err) : RP_OK;
}

/* One record into rec; *blank when the line held nothing at all. */
static rp_code record(rp_csv *c, int *blank, rp_error *err)
{
    rp_buf_clear(&c->rec);
    c->nfields = 0;
    c->problem = NULL;
    rp_buf_clear(&c->problem_text);
    c->record_line = c->line;
    int any_quote = 0;
    for (;;) {
        size_t at = c->rec.len;
        int ch = next(c);
        if (ch == '"') {
            any_quote = 1;
            if (quoted_field(c, &ch, err))
                return err->code;
        } else {
            while (ch >= 0 && ch != c->delim && ch != '\n' && ch != '\r') {
                char b = (char)ch;
                rp_buf_append(&c->rec, &b, 1);
                if (c->rec.len > RP_CSV_MAX_RECORD)
                    return too_long(c, err);
                ch = next(c);
            }
        }
        if (ch == -2)
            return read_failed(c, err);
        if (push_field(c, at) || c->rec.failed)
            return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
        if (ch == c->delim)
            continue;
        if (ch == '\r' && peek(c) == '\n')
            c->pos++;
        if (ch == '\r' || ch == '\n')
            c->line++;
        break;
    }
    *blank = c->nfields == 1 && c->lens[0] == 0 && !any_quote;
    return RP_OK;
}

rp_code rp_csv_next(rp_csv *c, int *got, rp_error *err)
{
    if (!c->delim && start(c, err))
        return err->code;
    for (;;) {
        int ch = peek(c);
        if (ch == -2)
            return read_failed(c, err);
        if (ch == -1) {
            *got = 0;
            c->nfields = 0;
            return RP_OK;
        }
        int blank = 0;
        if (record(c, &blank, err))
            return err->code;
        if (!blank) {
            *got = 1;
            return RP_OK;
        }
    }
}

size_t rp_csv_count(const rp_csv *c)
{
    return c->nfields;
}

const char *rp_csv_field(const rp_csv *c, size_t i, size_t *len)
{
    if (i >= c->nfields)
        return NULL;
    if (len)
        *len = c->lens[i];
    return rp_buf_str(&c->rec) + c->starts[i];
}

int64_t rp_csv_line(const rp_csv *c)
{
    return c->record_line;
}

const char *rp_csv_problem(const rp_csv *c)
{
    return c->problem;
}

char rp_csv_delimiter(const rp_csv *c)
{
    return c->delim;
}

uint64_t rp_csv_offset(const rp_csv *c)
{
    return c->consumed + c->pos;
}

void rp_csv_put(rp_buf *b, const char *s, size_t len)
{
    /* "sep=" first on a line would read as Excel's delimiter line, and a
     * byte of a byte-order mark first in a file as UTF-8's or UTF-16's */
    unsigned char first = len > 0 ? (unsigned char)s[0] : 0;
    int quote = (len > 0 && (s[0] == ' ' || s[len - 1] == ' ')) ||
                (len >= 4 && memcmp(s, "sep=", 4) == 0) || first == 0xEF ||
                first == 0xFE || first == 0xFF;
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r' ||
                s[i] == ';' || s[i] == '\t';
    if (!quote) {
        rp_buf_append(b, s, len);
        return;
    }
    rp_buf_append(b, "\"", 1);
    const char *run = s;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '"') {
            rp_buf_append(b, run, (size_t)(s + i + 1 - run));
            rp_buf_append(b, "\"", 1);
            run = s + i + 1;
        }
    rp_buf_append(b, run, (size_t)(s + len - run));
    rp_buf_append(b, "\"", 1);
}
