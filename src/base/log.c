/*
 * log.c - one line per event, as text (logfmt) or JSON (see log.h).
 *
 * The line is built whole in a buffer and written with one write(): stderr
 * is unbuffered, and a printf per piece would let another thread's line
 * land in the middle of this one.
 */
#include "base/log.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/input.h"

/* A message or value longer than this many characters is cut, so that a
 * huge input quoted in a message cannot make a huge line. */
#define LOG_TEXT_MAX 4000

static const char *log_program = "rapport";
static rp_log_format log_format = RP_LOG_TEXT;

void rp_log_setup(const char *program, rp_log_format format)
{
    log_program = program;
    log_format = format;
}

int rp_log_format_parse(const char *text, rp_log_format *out)
{
    if (text && strcmp(text, "text") == 0)
        *out = RP_LOG_TEXT;
    else if (text && strcmp(text, "json") == 0)
        *out = RP_LOG_JSON;
    else
        return -1;
    return 0;
}

const char *rp_log_level_name(rp_log_level level)
{
    switch (level) {
    case RP_LOG_DEBUG: return "debug";
    case RP_LOG_INFO: return "info";
    case RP_LOG_WARN: return "warn";
    case RP_LOG_ERROR: return "error";
    }
    return "info";
}

/* The wall clock with milliseconds, in UTC: the real time even when a test
 * has pinned the desk's clock, since a log says when things happened. */
static void log_time(char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000));
}

/* Does a logfmt value need quotes?  Empty, or holding a space, a quote,
 * an equals sign, a backslash or a control character. */
static int needs_quotes(const char *v)
{
    if (!*v)
        return 1;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p == 0x7f)
            return 1;
    return 0;
}

/* Append v (valid UTF-8) as a logfmt value, quoted and escaped if need be:
 * a newline becomes \n, so an event stays on one line. */
static void put_text_value(rp_buf *b, const char *v)
{
    if (!needs_quotes(v)) {
        rp_buf_puts(b, v);
        return;
    }
    rp_buf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char esc[3] = {'\\', (char)*p, 0};
            rp_buf_puts(b, esc);
        } else if (*p == '\n') {
            rp_buf_puts(b, "\\n");
        } else if (*p == '\t') {
            rp_buf_puts(b, "\\t");
        } else if (*p == '\r') {
            rp_buf_puts(b, "\\r");
        } else if (*p < ' ' || *p == 0x7f) {
            rp_buf_printf(b, "\\x%02x", *p);
        } else {
            rp_buf_append(b, (const char *)p, 1);
        }
    }
    rp_buf_puts(b, "\"");
}

static void write_line(rp_buf *line)
{
    rp_buf_puts(line, "\n");
    const char *p = rp_buf_str(line);
    size_t left = strlen(p);
    while (left > 0) {
        ssize_t n = write(STDERR_FILENO, p, left);
        if (n <= 0)
            return; /* nowhere to report a log that cannot be written */
        p += n;
        left -= (size_t)n;
    }
}

void rp_logv(rp_log_level level, const char *msg, va_list fields)
{
    char when[32];
    log_time(when);
    rp_buf text = RP_BUF_INIT, line = RP_BUF_INIT;
    json_t *obj = NULL;
    if (log_format == RP_LOG_JSON)
        obj = json_pack("{s:s, s:s, s:s}", "time", when, "level",
                        rp_log_level_name(level), "prog", log_program);
    else
        rp_buf_printf(&line, "time=%s level=%s prog=%s msg=", when,
                      rp_log_level_name(level), log_program);
    const char *key = "msg", *value = msg;
    for (int first = 1;; first = 0) {
        rp_cut(&text, value ? value : "", LOG_TEXT_MAX);
        if (obj) {
            json_object_set_new(obj, key, json_string(rp_buf_str(&text)));
        } else {
            if (!first)
                rp_buf_printf(&line, " %s=", key);
            put_text_value(&line, rp_buf_str(&text));
        }
        key = va_arg(fields, const char *);
        if (!key)
            break;
        value = va_arg(fields, const char *);
    }
    if (obj) {
        char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
        rp_buf_puts(&line, s ? s : "{}");
        free(s);
        json_decref(obj);
    }
    write_line(&line);
    rp_buf_free(&text);
    rp_buf_free(&line);
}

void rp_log(rp_log_level level, const char *msg, ...)
{
    va_list ap;
    va_start(ap, msg);
    rp_logv(level, msg, ap);
    va_end(ap);
}

/* rp_logv with no fields: a va_list cannot be made empty portably, so the
 * message goes through a call that passes the NULL key itself. */
static void log_message(rp_log_level level, const char *msg, ...)
{
    va_list ap;
    va_start(ap, msg);
    rp_logv(level, msg, ap);
    va_end(ap);
}

void rp_logf(rp_log_level level, const char *fmt, ...)
{
    rp_buf msg = RP_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    rp_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    log_message(level, rp_buf_str(&msg), (const char *)NULL);
    rp_buf_free(&msg);
}
