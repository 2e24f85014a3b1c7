/*
 * log.h - the log of the programs: one line per event, with a level.
 *
 * An operator reads rapportd's log on a terminal or in the journal, and a
 * log collector parses it; both want one event a line, its level, and the
 * facts of the event as separate fields rather than buried in a sentence.
 * So every event goes through here and is written in one of two formats,
 * chosen once at start (RAPPORT_LOG_FORMAT, --log-format):
 *
 *   text  time=2026-12-02T01:40:00.123Z level=info prog=rapportd
 *         msg="listening" url=http://127.0.0.1:8080/        (logfmt)
 *   json  {"time":"...","level":"info","prog":"rapportd","msg":"listening",
 *          "url":"http://127.0.0.1:8080/"}
 *
 * Each line is written with a single write() to standard error, so lines
 * from several threads never interleave.  Text that is not UTF-8 is shown
 * with U+FFFD for each bad byte (a message may quote anything a client
 * sent), and a value is quoted and escaped when it needs to be, so a line
 * never breaks in two.
 */
#ifndef RP_LOG_H
#define RP_LOG_H

#include <stdarg.h>

typedef enum rp_log_level {
    RP_LOG_DEBUG,
    RP_LOG_INFO,
    RP_LOG_WARN,
    RP_LOG_ERROR
} rp_log_level;

typedef enum rp_log_format { RP_LOG_TEXT, RP_LOG_JSON } rp_log_format;

/* Name the program in every line and choose the format; call once in main
 * before any thread starts.  Until then lines are text from "rapport". */
void rp_log_setup(const char *program, rp_log_format format);

/* Parse "text" or "json" into *out: 0, or -1 for any other text. */
int rp_log_format_parse(const char *text, rp_log_format *out);

/* The level's name as written in a line: "debug", "info", "warn", "error". */
const char *rp_log_level_name(rp_log_level level);

/*
 * Write one event: msg, then the fields given as pairs of strings (key,
 * value), ended by a NULL key.  A NULL value writes the key with an empty
 * value.  Keys are written as given (they are names in the code, never
 * input); values and msg may be any text.
 */
void rp_log(rp_log_level level, const char *msg, ...) __attribute__((sentinel));

/* Write one event whose message is formatted as printf formats it. */
void rp_logf(rp_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The event that rp_log writes, with the fields as a va_list (for
 * wrappers). */
void rp_logv(rp_log_level level, const char *msg, va_list fields);

#endif
