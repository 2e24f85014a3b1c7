/*
 * fixture.c - the temporary database of the unit tests (see fixture.h).
 * The directory is removed with nftw rather than a shell, so a path never
 * passes through quoting.
 */
#include "fixture.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_sqlite.h"

rp_store *rp_test_db_open(const rp_test_db *db, int version)
{
    rp_store *s = NULL;
    rp_error err;
    rp_code rc;
    if (version == 0) {
        /* by name, as rapportd and the CLI open it */
        char name[160];
        snprintf(name, sizeof name, "sqlite:%s", db->path);
        rc = rp_store_open(name, &s, &err);
    } else {
        rc = rp_store_sqlite_open(db->path, version, &s, &err);
    }
    if (rc != RP_OK)
        fprintf(stderr, "opening %s: %s\n", db->path, err.message);
    assert_int_equal(rc, RP_OK);
    return s;
}

void rp_test_db_make(rp_test_db *db, int open)
{
    memset(db, 0, sizeof *db);
    snprintf(db->dir, sizeof db->dir, "/tmp/rapport-unit-XXXXXX");
    assert_non_null(mkdtemp(db->dir));
    snprintf(db->path, sizeof db->path, "%s/t.db", db->dir);
    db->ctx.actor = "test";
    /* secrets are sealed under a key file of the test's own, made 0600 at
     * the first seal, as the programs do beside their database */
    char key[160];
    snprintf(key, sizeof key, "%s/t.db.key", db->dir);
    rp_secret_settings keys = {.key_file = key};
    rp_error err;
    assert_int_equal(rp_secrets_configure(&keys, &err), RP_OK);
    if (open) {
        db->store = rp_test_db_open(db, 0);
        db->ctx.store = db->store;
    }
}

static int remove_one(const char *path, const struct stat *sb, int flag,
                      struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void rp_test_db_remove(rp_test_db *db)
{
    rp_store_close(db->store);
    db->store = NULL;
    db->ctx.store = NULL;
    rp_clock_pin(0);
    rp_secrets_reset();
    if (db->dir[0])
        assert_int_equal(nftw(db->dir, remove_one, 8, FTW_DEPTH | FTW_PHYS), 0);
    db->dir[0] = '\0';
}

static int setup(void **state, int open)
{
    rp_test_db *db = calloc(1, sizeof *db);
    assert_non_null(db);
    rp_test_db_make(db, open);
    *state = db;
    return 0;
}

int rp_test_db_setup(void **state)
{
    return setup(state, 1);
}

int rp_test_db_setup_unopened(void **state)
{
    return setup(state, 0);
}

int rp_test_db_teardown(void **state)
{
    rp_test_db *db = *state;
    rp_test_db_remove(db);
    free(db);
    *state = NULL;
    return 0;
}
