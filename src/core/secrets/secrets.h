/*
 * secrets.h - secrets at rest: what the desk must be able to read back
 * (an IMAP mailbox's password, a webhook's signing secret) is kept in the
 * database sealed with a key that is not in the database.
 *
 * A secret is sealed with libsodium's crypto_secretbox (XSalsa20-Poly1305)
 * under a random nonce of its own, and stored as text:
 *
 *     rpsec1:<key id>:<base64 of nonce || box>
 *
 * "rpsec1" is the version of the format; the key id (8 hex digits, a hash
 * of the key, never the key) says which key sealed it, so that after a
 * rotation a value sealed under the old key is still found and opened
 * while the old key is still listed.  A copy of the database alone (a
 * backup, a stolen disk image) gives away no secret.
 *
 * The keys come from the program's settings, never from the database:
 * RAPPORT_SECRET_KEY (base64 keys of 32 bytes, comma separated, the one to
 * seal with first, older ones after it only to open) or else the key file
 * RAPPORT_SECRET_KEY_FILE (the same keys, one a line; created with mode
 * 0600 the first time a secret is sealed if it does not exist).  The keys
 * are held process-wide: each program's main configures them once, before
 * any thread starts, and every subsystem seals and opens through this
 * header.  See docs/privacy.md ("Secrets").
 */
#ifndef RP_SECRETS_H
#define RP_SECRETS_H

#include <jansson.h>

#include "core/context.h"

/* The prefix of every sealed value. */
#define RP_SECRET_PREFIX "rpsec1:"

/* Where the keys come from, as the main read them from its settings. */
typedef struct rp_secret_settings {
    const char *key;      /* RAPPORT_SECRET_KEY, or NULL/"": none */
    const char *key_file; /* RAPPORT_SECRET_KEY_FILE, or NULL/"": none */
} rp_secret_settings;

/*
 * Load the keys process-wide from s (the variable wins over the file).  A
 * key file that does not exist yet is not an error: it is made at the
 * first seal.  A key that is not base64 of 32 bytes, or a key file that
 * others may read (any group or other permission bit), is RP_EINVALID
 * naming the setting.  Call before any thread seals or opens.
 */
rp_code rp_secrets_configure(const rp_secret_settings *s, rp_error *err);

/* Forget every key (sodium_memzero), as before configuring. */
void rp_secrets_reset(void);

/* 1 when a key to seal with is loaded (or a key file is named, which the
 * first seal creates); 0 when sealing would fail for want of a key. */
int rp_secrets_can_seal(void);

/* Make sure there is a key to seal with: create the key file (0600) when
 * one is named and missing.  RP_EINVALID naming the settings when no key
 * can be had. */
rp_code rp_secrets_ensure_key(rp_error *err);

/* The key file named by the settings ("" when the keys come from the
 * variable or nothing is named), in a new string the caller frees. */
char *rp_secrets_key_file(void);

/* The id of the key new secrets are sealed with, in out (9 bytes); "" when
 * none is loaded. */
void rp_secrets_current_id(char out[9]);

/* 1 when text is a sealed value (starts with RP_SECRET_PREFIX). */
int rp_secret_is_sealed(const char *text);

/*
 * Seal plain (text, NUL-terminated) under the current key: *sealed is a
 * new string the caller frees with free().  Without any key configured:
 * RP_EINVALID naming RAPPORT_SECRET_KEY_FILE and RAPPORT_SECRET_KEY.
 * Each call draws a fresh nonce, so sealing one text twice gives two
 * different values.
 */
rp_code rp_secret_seal(const char *plain, char **sealed, rp_error *err);

/*
 * Open a value made by rp_secret_seal: *plain is a new string the caller
 * releases with rp_secret_free.  A value sealed under a key not loaded is
 * RP_EINVALID naming its key id and the settings; one that was altered
 * (any byte) or is not in the format is RP_EINVALID too; nothing is
 * returned in part.
 */
rp_code rp_secret_open(const char *sealed, char **plain, rp_error *err);

/* Wipe and free a string rp_secret_open (or rp_secrets_key_generate)
 * gave; NULL is fine. */
void rp_secret_free(char *plain);

/* A new random key as base64 (44 characters) in *b64, to put in
 * RAPPORT_SECRET_KEY or a key file; release with rp_secret_free. */
rp_code rp_secrets_key_generate(char **b64, rp_error *err);

/* ---- the secrets the store holds -------------------------------------- */

/*
 * How many secrets the database holds, sealed and still plain (a database
 * made before secrets were sealed), in *out: {"sealed": n, "plain": n,
 * "by_key": {"<key id>": n, ...}, "key_id": current id or null}.
 */
rp_code rp_secrets_status(rp_ctx *ctx, json_t **out, rp_error *err);

/*
 * What a program checks at start: RP_EINVALID when the database holds
 * sealed secrets and no key that opens them all is loaded (the message
 * names the settings and the missing key ids); then seals every secret
 * still kept plain, when a key can be had (creating the key file if it is
 * named and missing), in one transaction.  *sealed (may be NULL) gets how
 * many were sealed now.  With no key and only plain secrets, nothing
 * changes and RP_OK is returned: *plain_left (may be NULL) says how many.
 */
rp_code rp_secrets_start(rp_ctx *ctx, int *sealed, int *plain_left,
                         rp_error *err);

/*
 * Seal every secret again under the current key, in one transaction;
 * *resealed gets how many.  Each must open under a loaded key (old ones
 * listed after the current one), or nothing changes.
 */
rp_code rp_secrets_reseal(rp_ctx *ctx, int *resealed, rp_error *err);

/*
 * `rapport secrets rotate` with a key file: make a new key, write the file
 * with the new key first and the old ones after it (so a crash leaves
 * every secret readable), reseal everything under the new key, then write
 * the file with the new key alone.  *old_id and *new_id (9 bytes each) get
 * the key ids.  With the keys from RAPPORT_SECRET_KEY this is
 * RP_EINVALID: the variable is set by whoever runs the program (list the
 * new key first, the old after it, and reseal; see docs/privacy.md).
 */
rp_code rp_secrets_rotate_file(rp_ctx *ctx, int *resealed, char old_id[9],
                               char new_id[9], rp_error *err);

#endif
