/*
 * test_secrets.c - unit tests of secrets at rest: sealing and opening with
 * the right key, a wrong key, a missing key and a tampered value; keys from
 * the variable and from a key file (made 0600 at the first seal, refused
 * when others may read it); the start-up sealing of plain secrets and the
 * refusal without the key; rotation of a key file, which keeps every secret
 * readable and leaves one key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"

static char *key_a, *key_b;

static void use_key(const char *keys)
{
    rp_error err;
    rp_secret_settings s = {.key = keys};
    assert_int_equal(rp_secrets_configure(&s, &err), RP_OK);
}

static char *seal(const char *plain)
{
    char *out = NULL;
    rp_error err;
    assert_int_equal(rp_secret_seal(plain, &out, &err), RP_OK);
    return out;
}

static void test_seal_open(void **state)
{
    (void)state;
    use_key(key_a);
    char *s1 = seal("app password ünïcödé");
    char *s2 = seal("app password ünïcödé");
    assert_true(rp_secret_is_sealed(s1));
    assert_null(strstr(s1, "app password"));
    assert_string_not_equal(s1, s2); /* a nonce each */
    char *plain = NULL;
    rp_error err;
    assert_int_equal(rp_secret_open(s1, &plain, &err), RP_OK);
    assert_string_equal(plain, "app password ünïcödé");
    rp_secret_free(plain);
    /* the empty secret round-trips too */
    char *e = seal("");
    assert_int_equal(rp_secret_open(e, &plain, &err), RP_OK);
    assert_string_equal(plain, "");
    rp_secret_free(plain);
    free(e);
    free(s1);
    free(s2);
}

static void test_wrong_or_missing_key(void **state)
{
    (void)state;
    use_key(key_a);
    char *s = seal("hunter2 but longer");
    char id_a[9];
    rp_secrets_current_id(id_a);
    assert_int_equal(strlen(id_a), 8);
    assert_non_null(strstr(s, id_a));
    use_key(key_b);
    char *plain = NULL;
    rp_error err;
    assert_int_equal(rp_secret_open(s, &plain, &err), RP_EINVALID);
    assert_null(plain);
    assert_non_null(strstr(err.message, id_a));
    assert_non_null(strstr(err.message, "RAPPORT_SECRET_KEY"));
    /* no key at all: nothing seals, and the message names the settings */
    rp_secrets_reset();
    assert_false(rp_secrets_can_seal());
    char *none = NULL;
    assert_int_equal(rp_secret_seal("x", &none, &err), RP_EINVALID);
    assert_null(none);
    assert_non_null(strstr(err.message, "RAPPORT_SECRET_KEY_FILE"));
    /* a key that is not 32 bytes of base64 is refused naming the setting */
    rp_secret_settings bad = {.key = "c2hvcnQ="};
    assert_int_equal(rp_secrets_configure(&bad, &err), RP_EINVALID);
    assert_string_equal(err.field, "RAPPORT_SECRET_KEY");
    free(s);
}

static void test_tampered(void **state)
{
    (void)state;
    use_key(key_a);
    char *s = seal("the mailbox password");
    size_t n = strlen(s);
    rp_error err;
    char *plain = NULL;
    /* every byte of the box, changed, makes it refuse to open */
    for (size_t i = strlen(RP_SECRET_PREFIX) + 9; i < n; i++) {
        char *t = strdup(s);
        t[i] = t[i] == 'A' ? 'B' : 'A';
        assert_int_not_equal(rp_secret_open(t, &plain, &err), RP_OK);
        assert_null(plain);
        free(t);
    }
    /* cut short, or not sealed at all */
    s[n - 8] = '\0';
    assert_int_equal(rp_secret_open(s, &plain, &err), RP_EINVALID);
    assert_int_equal(rp_secret_open("plain text", &plain, &err), RP_EINVALID);
    assert_int_equal(rp_secret_open("rpsec1:", &plain, &err), RP_EINVALID);
    assert_null(plain);
    free(s);
}

static void test_rotation_keeps_old_readable(void **state)
{
    (void)state;
    use_key(key_a);
    char *old = seal("sealed under A");
    char id_a[9], id_b[9];
    rp_secrets_current_id(id_a);
    /* B first, A after it: B seals, both open */
    char both[128];
    snprintf(both, sizeof both, "%s, %s", key_b, key_a);
    use_key(both);
    rp_secrets_current_id(id_b);
    assert_string_not_equal(id_a, id_b);
    char *fresh = seal("sealed under B");
    assert_non_null(strstr(fresh, id_b));
    char *plain = NULL;
    rp_error err;
    assert_int_equal(rp_secret_open(old, &plain, &err), RP_OK);
    assert_string_equal(plain, "sealed under A");
    rp_secret_free(plain);
    /* A dropped: the old value no longer opens, the new one does */
    use_key(key_b);
    assert_int_equal(rp_secret_open(old, &plain, &err), RP_EINVALID);
    assert_int_equal(rp_secret_open(fresh, &plain, &err), RP_OK);
    rp_secret_free(plain);
    free(old);
    free(fresh);
}

/* A mailbox as a database made before sealing holds it: plain. */
static void add_plain_mailbox(rp_test_db *db, const char *user, const char *pw)
{
    json_t *p = json_pack("[n, s, s, s, s, i]", "imaps://imap.example.com",
                          user, pw, "INBOX", 1700000000);
    json_t *rows = NULL;
    rp_error err;
    assert_int_equal(
        db->store->ops->query(db->store, RP_Q_MAILBOX_INSERT, p, &rows, &err),
        RP_OK);
    json_decref(p);
    json_decref(rows);
}

/* The password column as stored, straight from the store. */
static char *stored_password(rp_test_db *db, int i)
{
    json_t *rows = NULL;
    rp_error err;
    json_t *p = json_array();
    assert_int_equal(db->store->ops->query(db->store, RP_Q_SECRETS_MAILBOX_LIST,
                                           p, &rows, &err),
                     RP_OK);
    json_decref(p);
    char *v = strdup(
        json_string_value(json_object_get(json_array_get(rows, i), "secret")));
    json_decref(rows);
    return v;
}

static void test_key_file_and_start(void **state)
{
    rp_test_db *db = *state;
    rp_secrets_reset();
    /* a database with plain passwords, from before they were sealed */
    add_plain_mailbox(db, "one@example.com", "first password");
    add_plain_mailbox(db, "two@example.com", "second password");
    char *raw = stored_password(db, 0);
    assert_false(rp_secret_is_sealed(raw));
    free(raw);
    rp_error err;
    int sealed = -1, left = -1;
    /* no key: nothing is sealed and nothing refused */
    assert_int_equal(rp_secrets_start(&db->ctx, &sealed, &left, &err), RP_OK);
    assert_int_equal(sealed, 0);
    assert_int_equal(left, 2);
    /* a key file named and missing: made 0600 at the first seal */
    char path[256];
    snprintf(path, sizeof path, "%s/secret.key", db->dir);
    rp_secret_settings s = {.key_file = path};
    assert_int_equal(rp_secrets_configure(&s, &err), RP_OK);
    assert_int_equal(rp_secrets_start(&db->ctx, &sealed, &left, &err), RP_OK);
    assert_int_equal(sealed, 2);
    assert_int_equal(left, 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    raw = stored_password(db, 1);
    assert_true(rp_secret_is_sealed(raw));
    free(raw);
    /* the poller reads them back in the clear */
    json_t *list = NULL;
    assert_int_equal(rp_mailbox_list(&db->ctx, 1, &list, &err), RP_OK);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(list, "items"), 1), "password")),
        "second password");
    json_decref(list);
    /* without the key, sealed secrets refuse the start, naming it */
    rp_secrets_reset();
    assert_int_equal(rp_secrets_start(&db->ctx, &sealed, &left, &err),
                     RP_EINVALID);
    assert_non_null(strstr(err.message, "RAPPORT_SECRET_KEY_FILE"));
    /* a key file others may read is refused */
    chmod(path, 0644);
    assert_int_equal(rp_secrets_configure(&s, &err), RP_EINVALID);
    assert_non_null(strstr(err.message, "chmod 600"));
    chmod(path, 0600);
    assert_int_equal(rp_secrets_configure(&s, &err), RP_OK);

    /* rotation: a new key, everything resealed, the file left with one */
    char old_id[9], new_id[9];
    int n = 0;
    raw = stored_password(db, 0);
    assert_int_equal(rp_secrets_rotate_file(&db->ctx, &n, old_id, new_id, &err),
                     RP_OK);
    assert_int_equal(n, 2);
    assert_string_not_equal(old_id, new_id);
    char *after = stored_password(db, 0);
    assert_non_null(strstr(raw, old_id));
    assert_non_null(strstr(after, new_id));
    free(raw);
    free(after);
    assert_int_equal(rp_secrets_configure(&s, &err), RP_OK); /* reread */
    char cur[9];
    rp_secrets_current_id(cur);
    assert_string_equal(cur, new_id);
    assert_int_equal(rp_secrets_start(&db->ctx, &sealed, &left, &err), RP_OK);
    assert_int_equal(rp_mailbox_list(&db->ctx, 1, &list, &err), RP_OK);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(list, "items"), 0), "password")),
        "first password");
    json_decref(list);
    FILE *f = fopen(path, "r");
    int lines = 0;
    for (int c; (c = fgetc(f)) != EOF;)
        lines += c == '\n';
    fclose(f);
    assert_int_equal(lines, 1);
    rp_secrets_reset();
}

int main(void)
{
    rp_error err;
    assert_int_equal(rp_secrets_key_generate(&key_a, &err), RP_OK);
    assert_int_equal(rp_secrets_key_generate(&key_b, &err), RP_OK);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seal_open),
        cmocka_unit_test(test_wrong_or_missing_key),
        cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_rotation_keeps_old_readable),
        cmocka_unit_test_setup_teardown(test_key_file_and_start,
                                        rp_test_db_setup, rp_test_db_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rp_secrets_reset();
    rp_secret_free(key_a);
    rp_secret_free(key_b);
    return rc;
}
