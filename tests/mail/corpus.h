/*
 * corpus.h - the mail corpus of the tests (tests/mail/corpus): each
 * NN-name.eml is a message as a mail program sends it, and NN-name.expect
 * says what must come of it, one "key: value" a line (a key may repeat):
 *
 *   from, name, class, message_id ("-" for none), in_reply_to,
 *   references (space-separated), subject, date (unix seconds)
 *   text / not_text / quoted     excerpts that must (not) be in the text
 *   attachments                  how many
 *   attachment                   name | type | size or - | inline or
 *                                attached [| content id]
 *   bounced, reason              a bounce: the id it reports, why
 *   error                        the parser refuses it (kept raw)
 *   customer, thread, outcome    what the desk makes of it: the sender's
 *                                address, the item whose encounter it
 *                                joins, the outcome of the door
 *
 * The parser's unit test and the end-to-end tests of the three ways in
 * read the same files, so the expectations are written once.
 */
#ifndef RP_TEST_CORPUS_H
#define RP_TEST_CORPUS_H

#include <jansson.h>
#include <stddef.h>

typedef struct rp_corpus_item {
    char *name;         /* "01-gmail-new-request" */
    unsigned char *raw; /* the .eml, as it is on disk */
    size_t size;
    json_t *expect; /* {"key": ["value", ...]} */
} rp_corpus_item;

/* Load every item of dir in name order; returns the count, -1 on error. */
int rp_corpus_load(const char *dir, rp_corpus_item **items);

/* The first value of key, or NULL. */
const char *rp_corpus_get(const rp_corpus_item *it, const char *key);

/* The values of key (an array, possibly empty; borrowed). */
json_t *rp_corpus_all(const rp_corpus_item *it, const char *key);

void rp_corpus_free(rp_corpus_item *items, int n);

/* A message of about size bytes: a short request from sender with one
 * base64 attachment that fills the rest; malloc'd, *len its length. */
unsigned char *rp_corpus_big_message(const char *sender, size_t size,
                                     size_t *len);

#endif
