/*
 * fuzz.h - what the libFuzzer harnesses of rapport share: a temporary
 * database holding the demo data, put back as it was after every input
 * that changed it, and the checks every reply must pass.
 *
 * A harness calls the very functions rapportd and the CLI call.  Beyond
 * the sanitizers (a crash, a leak, undefined behaviour), the checks here
 * turn the rules of docs/design.md into failures a fuzzer can find: an
 * error names its reason in valid UTF-8 text, a result is JSON that can be
 * written out, and a refused input changes nothing in the database.
 */
#ifndef RP_FUZZ_H
#define RP_FUZZ_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/rapport.h"

/*
 * Make the database once per process: a fresh temporary SQLite file with
 * the demo data, the clock pinned, and a pristine copy to restore from.
 * Returns the context to call the core with (actor "fuzz", agent 1, the
 * demo's admin).  Exits the process when the database cannot be made.
 */
rp_ctx *rp_fuzz_db(void);

/*
 * Make what the database holds now the state every later input starts
 * from: for a harness that adds rows of its own after rp_fuzz_db.
 */
void rp_fuzz_db_keep(void);

/*
 * Put the database back as rp_fuzz_db made it if anything was committed
 * since the last call, so that every input starts from the same rows and
 * a crash replays from its input alone.  Returns 1 when something had
 * been committed, else 0.
 */
int rp_fuzz_db_reset(void);

/* Abort with a message when s (len bytes) is not valid UTF-8. */
void rp_fuzz_check_utf8(const char *what, const char *s, size_t len);

/*
 * The checks of a call's outcome: on success *out is JSON that dumps
 * (every string valid UTF-8); on failure the code is a known one other
 * than RP_EINTERNAL (bad input is never an internal error), the message
 * is not empty, and message and field are valid UTF-8.  Aborts otherwise.
 * what names the call in the report.
 */
void rp_fuzz_check_result(const char *what, rp_code rc, const rp_error *err,
                          json_t *out);

/*
 * rp_fuzz_check_result, and then: a refused call committed nothing (the
 * rule "bad input changes nothing").  Puts the database back.
 */
void rp_fuzz_check_call(const char *what, rp_code rc, const rp_error *err,
                        json_t *out);

/*
 * Split data into at most max NUL-terminated pieces at each sep byte; the
 * pieces point into *copy, which the caller frees.  Returns the count.
 */
int rp_fuzz_split(const uint8_t *data, size_t size, char sep, char **pieces,
                  int max, char **copy);

#endif
