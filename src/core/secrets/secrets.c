/*
 * secrets.c - sealing and opening secrets with a key kept outside the
 * database (secrets.h), and the secrets the store holds.
 *
 * The keys are process-wide, loaded once by each program's main; a mutex
 * guards them because the first seal may create the key file while
 * another thread opens a secret.  Keys are compared and found by their id
 * (a keyed hash of the key, so the id tells nothing about it), which is
 * what lets a rotation keep old values readable: the old key stays listed
 * after the new one until every value has been sealed again.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/rapport.h"

#define KEY_BYTES crypto_secretbox_KEYBYTES
#define MAX_KEYS 8
#define SETTINGS "RAPPORT_SECRET_KEY_FILE or RAPPORT_SECRET_KEY"

typedef struct key {
    unsigned char bytes[KEY_BYTES];
    char id[9];
} key;

static struct {
    pthread_mutex_t lock;
    key keys[MAX_KEYS]; /* keys[0] seals; all open */
    int nkeys;
    char *file;   /* the key file, or NULL */
    int from_env; /* the keys came from RAPPORT_SECRET_KEY */
} ring = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The secrets the database holds: a query listing {id, secret} and one
 * setting a secret (new value, id, the value it replaces).  A subsystem
 * that keeps a secret adds its row here. */
typedef struct secret_column {
    const char *what;
    rp_query list;
    rp_query set;
} secret_column;

static const secret_column secret_columns[] = {
    {"IMAP mailbox passwords", RP_Q_SECRETS_MAILBOX_LIST,
     RP_Q_SECRETS_MAILBOX_SET},
    {"webhook signing secrets", RP_Q_SECRETS_WEBHOOK_LIST,
     RP_Q_SECRETS_WEBHOOK_SET},
    {"the SMTP password", RP_Q_SECRETS_SMTP_LIST, RP_Q_SECRETS_SMTP_SET},
    {"the text-message webhook's key", RP_Q_SECRETS_SMS_HOOK_LIST,
     RP_Q_SECRETS_SMS_HOOK_SET},
};
#define NCOLUMNS (sizeof secret_columns / sizeof secret_columns[0])

static int init_sodium(void)
{
    return sodium_init() >= 0;
}

static void key_id_of(const unsigned char *k, char out[9])
{
    static const unsigned char label[] = "rapport secret key id";
    unsigned char h[4];
    crypto_generichash(h, sizeof h, k, KEY_BYTES, label, sizeof label - 1);
    sodium_bin2hex(out, 9, h, sizeof h);
}

/* Decode one base64 key (white space around it ignored) into k. */
static int decode_key(const char *text, size_t len, unsigned char *k)
{
    while (len && (*text == ' ' || *text == '\t'))
        text++, len--;
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' ||
                   text[len - 1] == '\r'))
        len--;
    size_t got = 0;
    const char *end = NULL;
    if (sodium_base642bin(k, KEY_BYTES, text, len, NULL, &got, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != KEY_BYTES || end != text + len)
        return -1;
    return 0;
}

static void add_key(const unsigned char *k)
{
    if (ring.nkeys >= MAX_KEYS)
        return;
    key *dst = &ring.keys[ring.nkeys++];
    memcpy(dst->bytes, k, KEY_BYTES);
    key_id_of(k, dst->id);
}

/* Parse a list of keys separated by sep (and blank or # lines when sep is
 * a newline) into the ring. */
static rp_code parse_keys(const char *text, char sep, const char *setting,
                          rp_error *err)
{
    const char *p = text;
    int line = 0;
    while (*p) {
        const char *end = strchr(p, sep);
        size_t len = end ? (size_t)(end - p) : strlen(p);
        line++;
        size_t i = 0;
        while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
            i++;
        if (i < len && p[i] != '#') {
            unsigned char k[KEY_BYTES];
            if (decode_key(p, len, k) != 0) {
                sodium_memzero(k, sizeof k);
                return rp_error_set(err, RP_EINVALID, setting,
                                    "%s: key %d is not a secret key (base64 "
                                    "of 32 bytes; `rapport secrets keygen` "
                                    "makes one)",
                                    setting, line);
            }
            if (ring.nkeys >= MAX_KEYS)
                return rp_error_set(err, RP_EINVALID, setting,
                                    "%s: more than %d keys", setting, MAX_KEYS);
            add_key(k);
            sodium_memzero(k, sizeof k);
        }
        p += len;
        if (*p)
            p++;
    }
    return RP_OK;
}

/* Read the key file into the ring; *missing is set when it does not exist.
 * Called with the lock held. */
static rp_code load_file(const char *path, int *missing, rp_error *err)
{
    *missing = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            *missing = 1;
            return RP_OK;
        }
        return rp_error_set(err, RP_EINVALID, "RAPPORT_SECRET_KEY_FILE",
                            "cannot read the secret key file %s: %s", path,
                            strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return rp_error_set(err, RP_EINVALID, "RAPPORT_SECRET_KEY_FILE",
                            "the secret key file %s is not a file", path);
    }
    if (st.st_mode & 077) {
        close(fd);
        return rp_error_set(err, RP_EINVALID, "RAPPORT_SECRET_KEY_FILE",
                            "the secret key file %s may be read by others "
                            "(mode %04o); make it 0600: chmod 600 %s",
                            path, (unsigned)(st.st_mode & 07777), path);
    }
    if (st.st_size > 64 * 1024) {
        close(fd);
        return rp_error_set(err, RP_EINVALID, "RAPPORT_SECRET_KEY_FILE",
                            "the secret key file %s is too large to be one",
                            path);
    }
    size_t n = (size_t)st.st_size;
    char *text = malloc(n + 1);
    if (!text) {
        close(fd);
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, text + got, n - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    text[got] = '\0';
    rp_code rc = parse_keys(text, '\n', "RAPPORT_SECRET_KEY_FILE", err);
    sodium_memzero(text, got);
    free(text);
    if (rc == RP_OK && ring.nkeys == 0)
        rc = rp_error_set(err, RP_EINVALID, "RAPPORT_SECRET_KEY_FILE",
                          "the secret key file %s holds no key", path);
    return rc;
}

void rp_secrets_reset(void)
{
    pthread_mutex_lock(&ring.lock);
    sodium_memzero(ring.keys, sizeof ring.keys);
    ring.nkeys = 0;
    free(ring.file);
    ring.file = NULL;
    ring.from_env = 0;
    pthread_mutex_unlock(&ring.lock);
}

rp_code rp_secrets_configure(const rp_secret_settings *s, rp_error *err)
{
    if (!init_sodium())
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "libsodium cannot be initialised");
    rp_secrets_reset();
    pthread_mutex_lock(&ring.lock);
    rp_code rc = RP_OK;
    if (s && s->key && *s->key) {
        ring.from_env = 1;
        rc = parse_keys(s->key, ',', "RAPPORT_SECRET_KEY", err);
        if (rc == RP_OK && ring.nkeys == 0)
            rc = rp_error_set(err, RP_EINVALID, "RAPPORT_SECRET_KEY",
                              "RAPPORT_SECRET_KEY holds no key");
    } else if (s && s->key_file && *s->key_file) {
        ring.file = strdup(s->key_file);
        int missing;
        if (!ring.file)
            rc = rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
        else
            rc = load_file(ring.file, &missing, err);
    }
    pthread_mutex_unlock(&ring.lock);
    if (rc)
        rp_secrets_reset();
    return rc;
}

int rp_secrets_can_seal(void)
{
    pthread_mutex_lock(&ring.lock);
    int can = ring.nkeys > 0 || ring.file != NULL;
    pthread_mutex_unlock(&ring.lock);
    return can;
}

void rp_secrets_current_id(char out[9])
{
    pthread_mutex_lock(&ring.lock);
    snprintf(out, 9, "%s", ring.nkeys ? ring.keys[0].id : "");
    pthread_mutex_unlock(&ring.lock);
}

int rp_secret_is_sealed(const char *text)
{
    return text &&
           strncmp(text, RP_SECRET_PREFIX, strlen(RP_SECRET_PREFIX)) == 0;
}

/* Write keys (base64, one a line) to path through a temporary file renamed
 * over it, with mode 0600, synced.  Called with the lock held. */
static rp_code write_key_file(const char *path, const key *keys, int n,
                              rp_error *err)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 8);
    if (!tmp)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".new", 5);
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        rp_code rc = rp_error_set(err, RP_EINVALID, "RAPPORT_SECRET_KEY_FILE",
                                  "cannot write the secret key file %s: %s",
                                  tmp, strerror(errno));
        free(tmp);
        return rc;
    }
    int ok = 1;
    for (int i = 0; i < n && ok; i++) {
        char b64[sodium_base64_ENCODED_LEN(KEY_BYTES,
                                           sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(b64, sizeof b64, keys[i].bytes, KEY_BYTES,
                          sodium_base64_VARIANT_ORIGINAL);
        size_t len = strlen(b64);
        b64[len] = '\n';
        ok = write(fd, b64, len + 1) == (ssize_t)(len + 1);
        sodium_memzero(b64, sizeof b64);
    }
    ok = ok && fsync(fd) == 0;
    close(fd);
    ok = ok && rename(tmp, path) == 0;
    rp_code rc = RP_OK;
    if (!ok) {
        rc = rp_error_set(err, RP_EINVALID, "RAPPORT_SECRET_KEY_FILE",
                          "cannot write the secret key file %s: %s", path,
                          strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

/* Make the key file at the first seal.  Called with the lock held. */
static rp_code create_key_file(rp_error *err)
{
    unsigned char k[KEY_BYTES];
    crypto_secretbox_keygen(k);
    key fresh;
    memcpy(fresh.bytes, k, KEY_BYTES);
    key_id_of(k, fresh.id);
    /* O_EXCL on the final name: two programs sealing at once make one
     * key between them, and the loser reads the winner's */
    int fd = open(ring.file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    rp_code rc = RP_OK;
    if (fd < 0 && errno == EEXIST) {
        int missing;
        rc = load_file(ring.file, &missing, err);
    } else if (fd < 0) {
        rc = rp_error_set(err, RP_EINVALID, "RAPPORT_SECRET_KEY_FILE",
                          "cannot create the secret key file %s: %s", ring.file,
                          strerror(errno));
    } else {
        char b64[sodium_base64_ENCODED_LEN(KEY_BYTES,
                                           sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(b64, sizeof b64, k, KEY_BYTES,
                          sodium_base64_VARIANT_ORIGINAL);
        size_t len = strlen(b64);
        b64[len] = '\n';
        int ok = write(fd, b64, len + 1) == (ssize_t)(len + 1) &&
                 fsync(fd) == 0;
        sodium_memzero(b64, sizeof b64);
        close(fd);
        if (ok) {
            add_key(k);
        } else {
            unlink(ring.file);
            rc = rp_error_set(err, RP_EINVALID, "RAPPORT_SECRET_KEY_FILE",
                              "cannot write the secret key file %s", ring.file);
        }
    }
    sodium_memzero(k, sizeof k);
    sodium_memzero(&fresh, sizeof fresh);
    return rc;
}

rp_code rp_secrets_ensure_key(rp_error *err)
{
    if (!init_sodium())
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "libsodium cannot be initialised");
    pthread_mutex_lock(&ring.lock);
    rp_code rc = RP_OK;
    if (ring.nkeys == 0 && ring.file)
        rc = create_key_file(err);
    else if (ring.nkeys == 0)
        rc = rp_error_refuse(err, RP_EINVALID, "RAPPORT_SECRET_KEY_FILE",
                             "no_secret_key", 0,
                             "no key to seal secrets with: set " SETTINGS);
    pthread_mutex_unlock(&ring.lock);
    return rc;
}

char *rp_secrets_key_file(void)
{
    pthread_mutex_lock(&ring.lock);
    char *f = strdup(ring.file && !ring.from_env ? ring.file : "");
    pthread_mutex_unlock(&ring.lock);
    return f;
}

rp_code rp_secret_seal(const char *plain, char **sealed, rp_error *err)
{
    if (!plain)
        return rp_error_refuse(err, RP_EINVALID, NULL, "required", 0,
                               "no secret to seal");
    if (!init_sodium())
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "libsodium cannot be initialised");
    pthread_mutex_lock(&ring.lock);
    rp_code rc = RP_OK;
    if (ring.nkeys == 0 && ring.file)
        rc = create_key_file(err);
    else if (ring.nkeys == 0)
        rc = rp_error_refuse(err, RP_EINVALID, "RAPPORT_SECRET_KEY_FILE",
                             "no_secret_key", 0,
                             "no key to seal secrets with: set " SETTINGS
                             " (see `rapport secrets init`)");
    if (rc) {
        pthread_mutex_unlock(&ring.lock);
        return rc;
    }
    size_t n = strlen(plain);
    size_t boxlen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    unsigned char *box = malloc(boxlen);
    size_t b64len = sodium_base64_ENCODED_LEN(boxlen,
                                              sodium_base64_VARIANT_ORIGINAL);
    size_t outlen = strlen(RP_SECRET_PREFIX) + 9 + b64len;
    char *out = malloc(outlen);
    if (!box || !out) {
        pthread_mutex_unlock(&ring.lock);
        free(box);
        free(out);
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    }
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES,
                          (const unsigned char *)plain, n, box,
                          ring.keys[0].bytes);
    int prefix = snprintf(out, outlen, RP_SECRET_PREFIX "%s:", ring.keys[0].id);
    pthread_mutex_unlock(&ring.lock);
    sodium_bin2base64(out + prefix, outlen - (size_t)prefix, box, boxlen,
                      sodium_base64_VARIANT_ORIGINAL);
    free(box);
    *sealed = out;
    return RP_OK;
}

rp_code rp_secret_open(const char *sealed, char **plain, rp_error *err)
{
    size_t plen = strlen(RP_SECRET_PREFIX);
    if (!rp_secret_is_sealed(sealed) || strlen(sealed) < plen + 9 ||
        sealed[plen + 8] != ':')
        return rp_error_refuse(err, RP_EINVALID, NULL, "tampered", 0,
                               "the stored secret is not a sealed value");
    if (!init_sodium())
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "libsodium cannot be initialised");
    char id[9];
    memcpy(id, sealed + plen, 8);
    id[8] = '\0';
    const char *b64 = sealed + plen + 9;
    size_t b64len = strlen(b64);
    size_t max = b64len / 4 * 3 + 3;
    unsigned char *box = malloc(max + 1);
    if (!box)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    size_t boxlen = 0;
    const char *end = NULL;
    if (sodium_base642bin(box, max, b64, b64len, NULL, &boxlen, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != b64 + b64len ||
        boxlen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
        free(box);
        return rp_error_refuse(err, RP_EINVALID, NULL, "tampered", 0,
                               "the stored secret sealed under key %s is "
                               "damaged",
                               id);
    }
    size_t n = boxlen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    char *out = malloc(n + 1);
    if (!out) {
        free(box);
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    }
    pthread_mutex_lock(&ring.lock);
    int found = -1;
    for (int i = 0; i < ring.nkeys && found < 0; i++)
        if (strcmp(ring.keys[i].id, id) == 0)
            found = i;
    int opened = found >= 0 &&
                 crypto_secretbox_open_easy(
                     (unsigned char *)out, box + crypto_secretbox_NONCEBYTES,
                     boxlen - crypto_secretbox_NONCEBYTES, box,
                     ring.keys[found].bytes) == 0;
    pthread_mutex_unlock(&ring.lock);
    free(box);
    if (!opened) {
        sodium_memzero(out, n + 1);
        free(out);
        if (found < 0)
            return rp_error_refuse(err, RP_EINVALID, "RAPPORT_SECRET_KEY_FILE",
                                   "no_secret_key", 0,
                                   "a stored secret was sealed under key %s, "
                                   "which is not loaded: set " SETTINGS
                                   " to the key (list old keys after the new "
                                   "one)",
                                   id);
        return rp_error_refuse(err, RP_EINVALID, NULL, "tampered", 0,
                               "a stored secret sealed under key %s was "
                               "altered: it does not open",
                               id);
    }
    out[n] = '\0';
    *plain = out;
    return RP_OK;
}

void rp_secret_free(char *plain)
{
    if (!plain)
        return;
    sodium_memzero(plain, strlen(plain));
    free(plain);
}

rp_code rp_secrets_key_generate(char **b64, rp_error *err)
{
    if (!init_sodium())
        return rp_error_set(err, RP_EINTERNAL, NULL,
                            "libsodium cannot be initialised");
    unsigned char k[KEY_BYTES];
    crypto_secretbox_keygen(k);
    size_t len = sodium_base64_ENCODED_LEN(KEY_BYTES,
                                           sodium_base64_VARIANT_ORIGINAL);
    char *out = malloc(len);
    if (!out) {
        sodium_memzero(k, sizeof k);
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    }
    sodium_bin2base64(out, len, k, KEY_BYTES, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(k, sizeof k);
    *b64 = out;
    return RP_OK;
}

/* ---- the secrets the store holds ---------------------------------------- */

static rp_code list_column(rp_ctx *ctx, const secret_column *c, json_t **rows,
                           rp_error *err)
{
    json_t *params = json_array();
    rp_code rc = ctx->store->ops->query(ctx->store, c->list, params, rows, err);
    json_decref(params);
    return rc;
}

rp_code rp_secrets_status(rp_ctx *ctx, json_t **out, rp_error *err)
{
    json_int_t sealed = 0, plain = 0;
    json_t *by_key = json_object();
    for (size_t i = 0; i < NCOLUMNS; i++) {
        json_t *rows = NULL;
        rp_code rc = list_column(ctx, &secret_columns[i], &rows, err);
        if (rc) {
            json_decref(by_key);
            return rc;
        }
        size_t j;
        json_t *row;
        json_array_foreach(rows, j, row) {
            const char *v = json_string_value(json_object_get(row, "secret"));
            if (!rp_secret_is_sealed(v)) {
                plain++;
                continue;
            }
            sealed++;
            char id[9];
            snprintf(id, sizeof id, "%.8s", v + strlen(RP_SECRET_PREFIX));
            json_object_set_new(
                by_key, id,
                json_integer(json_integer_value(json_object_get(by_key, id)) +
                             1));
        }
        json_decref(rows);
    }
    char current[9];
    rp_secrets_current_id(current);
    *out = json_pack("{s:I, s:I, s:o, s:s?}", "sealed", sealed, "plain", plain,
                     "by_key", by_key, "key_id", current[0] ? current : NULL);
    return *out ? RP_OK
                : rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
}

/* Seal every secret of column c again (plain_only: only those still
 * plain) under the current key; count them in *n. */
static rp_code reseal_column(rp_ctx *ctx, const secret_column *c,
                             int plain_only, int *n, rp_error *err)
{
    json_t *rows = NULL;
    rp_code rc = list_column(ctx, c, &rows, err);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        if (rc)
            break;
        const char *v = json_string_value(json_object_get(row, "secret"));
        if (!v || (plain_only && rp_secret_is_sealed(v)))
            continue;
        char *clear = NULL, *sealed = NULL;
        if (rp_secret_is_sealed(v))
            rc = rp_secret_open(v, &clear, err);
        else if (!(clear = strdup(v)))
            rc = rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
        if (rc == RP_OK)
            rc = rp_secret_seal(clear, &sealed, err);
        rp_secret_free(clear);
        if (rc == RP_OK) {
            json_t *params = json_pack("[s, O, s]", sealed,
                                       json_object_get(row, "id"), v);
            rc = ctx->store->ops->exec(ctx->store, c->set, params, NULL, err);
            json_decref(params);
            (*n)++;
        }
        free(sealed);
    }
    json_decref(rows);
    return rc;
}

static rp_code reseal_all(rp_ctx *ctx, int plain_only, int *count,
                          rp_error *err)
{
    int n = 0;
    rp_code rc = rp_store_begin(ctx->store, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < NCOLUMNS && rc == RP_OK; i++)
        rc = reseal_column(ctx, &secret_columns[i], plain_only, &n, err);
    rc = rp_store_finish(ctx->store, rc, err);
    if (rc == RP_OK && count)
        *count = n;
    return rc;
}

rp_code rp_secrets_reseal(rp_ctx *ctx, int *resealed, rp_error *err)
{
    return reseal_all(ctx, 0, resealed, err);
}

/* RP_EINVALID naming the first key id a sealed secret needs and the ring
 * lacks. */
static rp_code check_keys(rp_ctx *ctx, int *plain, rp_error *err)
{
    json_t *st = NULL;
    rp_code rc = rp_secrets_status(ctx, &st, err);
    if (rc)
        return rc;
    *plain = (int)json_integer_value(json_object_get(st, "plain"));
    const char *id;
    json_t *v;
    json_object_foreach(json_object_get(st, "by_key"), id, v) {
        int have = 0;
        pthread_mutex_lock(&ring.lock);
        for (int i = 0; i < ring.nkeys; i++)
            have |= strcmp(ring.keys[i].id, id) == 0;
        int any = ring.nkeys;
        pthread_mutex_unlock(&ring.lock);
        if (!have) {
            rc = rp_error_refuse(
                err, RP_EINVALID, "RAPPORT_SECRET_KEY_FILE", "no_secret_key", 0,
                any ? "the database holds %lld secrets sealed under key %s, "
                      "which is not loaded: list that key in " SETTINGS
                    : "the database holds %lld secrets sealed under key %s "
                      "and no key is loaded: set " SETTINGS
                      " to the key they were sealed with",
                (long long)json_integer_value(v), id);
            break;
        }
    }
    json_decref(st);
    return rc;
}

rp_code rp_secrets_start(rp_ctx *ctx, int *sealed, int *plain_left,
                         rp_error *err)
{
    int plain = 0;
    rp_code rc = check_keys(ctx, &plain, err);
    if (rc)
        return rc;
    int n = 0;
    if (plain && rp_secrets_can_seal()) {
        rc = reseal_all(ctx, 1, &n, err);
        if (rc)
            return rc;
        plain = 0;
    }
    if (sealed)
        *sealed = n;
    if (plain_left)
        *plain_left = plain;
    return RP_OK;
}

rp_code rp_secrets_rotate_file(rp_ctx *ctx, int *resealed, char old_id[9],
                               char new_id[9], rp_error *err)
{
    int plain = 0;
    rp_code rc = check_keys(ctx, &plain, err);
    if (rc)
        return rc;
    pthread_mutex_lock(&ring.lock);
    if (ring.from_env || !ring.file) {
        pthread_mutex_unlock(&ring.lock);
        return rp_error_set(err, RP_EINVALID, "RAPPORT_SECRET_KEY",
                            ring.from_env
                                ? "the keys come from RAPPORT_SECRET_KEY: "
                                  "make a key with `rapport secrets keygen`, "
                                  "set RAPPORT_SECRET_KEY=NEW,OLD and run "
                                  "`rapport secrets reseal`"
                                : "no key file to rotate: set "
                                  "RAPPORT_SECRET_KEY_FILE");
    }
    if (ring.nkeys == 0)
        rc = create_key_file(err);
    if (rc == RP_OK && ring.nkeys >= MAX_KEYS)
        rc = rp_error_set(err, RP_EINVALID, "RAPPORT_SECRET_KEY_FILE",
                          "the key file holds %d keys already; reseal and "
                          "remove the old ones first",
                          ring.nkeys);
    if (rc) {
        pthread_mutex_unlock(&ring.lock);
        return rc;
    }
    snprintf(old_id, 9, "%s", ring.keys[0].id);
    /* the new key first, every old one after it: written before any
     * secret is resealed, so no crash can leave a secret unreadable */
    memmove(&ring.keys[1], &ring.keys[0], (size_t)ring.nkeys * sizeof(key));
    ring.nkeys++;
    unsigned char k[KEY_BYTES];
    crypto_secretbox_keygen(k);
    memcpy(ring.keys[0].bytes, k, KEY_BYTES);
    key_id_of(k, ring.keys[0].id);
    sodium_memzero(k, sizeof k);
    snprintf(new_id, 9, "%s", ring.keys[0].id);
    rc = write_key_file(ring.file, ring.keys, ring.nkeys, err);
    if (rc) {
        memmove(&ring.keys[0], &ring.keys[1],
                (size_t)(ring.nkeys - 1) * sizeof(key));
        ring.nkeys--;
        sodium_memzero(&ring.keys[ring.nkeys], sizeof(key));
    }
    pthread_mutex_unlock(&ring.lock);
    if (rc)
        return rc;
    rc = reseal_all(ctx, 0, resealed, err);
    if (rc)
        return rc; /* the file keeps both keys: run it again */
    pthread_mutex_lock(&ring.lock);
    rc = write_key_file(ring.file, ring.keys, 1, err);
    if (rc == RP_OK) {
        sodium_memzero(&ring.keys[1], (size_t)(ring.nkeys - 1) * sizeof(key));
        ring.nkeys = 1;
    }
    pthread_mutex_unlock(&ring.lock);
    return rc;
}
