/*
 * check_sql.c - the PostgreSQL backend's SQL against a real PostgreSQL.
 *
 * Needs none of the backend's C plumbing: it connects with libpq to the
 * server named by its one argument (a libpq connection string), applies
 * every migration of pg_schema.c in order, each in its own transaction,
 * then asks the server to PREPARE every named query of pg_queries.c, which
 * parses, resolves and types it against the live schema without running
 * it, and runs each once with every parameter NULL (undone at once), which
 * finds what only running shows.  Then it runs the queries whose meaning rests
 * most on PostgreSQL itself rather than on their text (the ledger's triggers,
 * an append that lost the race, the knowledge base's search, the customer
 * search's escaping, a claim made by two servers at once) and checks what they
 * do. Parameters are bound as text with no declared type, as the backend binds
 * them, so PostgreSQL types each from its query.  Every failure is printed
 * with the migration or query it is about and PostgreSQL's own message;
 * the exit status is 1 when there was any.  tests/pg/check-sql starts a
 * throwaway server and runs this against it.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_internal.h"

/* Run sql (one or more statements) for its effect: 0, or 1 having printed
 * what failed. */
static int run(PGconn *db, const char *what, const char *sql)
{
    PGresult *r = PQexec(db, sql);
    ExecStatusType st = PQresultStatus(r);
    int bad = st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK;
    if (bad)
        fprintf(stderr, "FAIL %s: %s", what, PQerrorMessage(db));
    PQclear(r);
    return bad;
}

static int apply_migrations(PGconn *db)
{
    int failed = 0;
    if (run(db, "schema_version",
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version bigint NOT NULL, applied_at bigint NOT NULL)"))
        return 1;
    for (int i = 0; i < rp_pg_nmigrations; i++) {
        const rp_pg_migration *m = &rp_pg_migrations[i];
        char what[64], mark[128];
        snprintf(what, sizeof what, "migration %d", m->version);
        snprintf(mark, sizeof mark,
                 "INSERT INTO schema_version VALUES (%d,"
                 " extract(epoch FROM now())::bigint)",
                 m->version);
        if (i > 0 && m->version <= rp_pg_migrations[i - 1].version) {
            fprintf(stderr, "FAIL %s: not after version %d\n", what,
                    rp_pg_migrations[i - 1].version);
            failed++;
        }
        if (run(db, what, "BEGIN") || run(db, what, m->sql) ||
            run(db, what, mark) || run(db, what, "COMMIT")) {
            run(db, what, "ROLLBACK");
            return failed + 1; /* later ones build on this one */
        }
    }
    printf("%d migrations applied\n", rp_pg_nmigrations);
    return failed;
}

static int prepare_queries(PGconn *db)
{
    int failed = 0, prepared = 0;
    for (int q = 0; q < RP_QUERY_COUNT; q++) {
        const char *sql = rp_pg_query_sql((rp_query)q);
        if (!sql) {
            fprintf(stderr, "FAIL query %s: no PostgreSQL text\n",
                    rp_query_name((rp_query)q));
            failed++;
            continue;
        }
        char stmt[32];
        snprintf(stmt, sizeof stmt, "q%d", q);
        PGresult *r = PQprepare(db, stmt, sql, 0, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            fprintf(stderr, "FAIL query %s: %s", rp_query_name((rp_query)q),
                    PQerrorMessage(db));
            failed++;
        } else {
            prepared++;
        }
        PQclear(r);
    }
    printf("%d of %d queries prepared\n", prepared, (int)RP_QUERY_COUNT);
    return failed;
}

/*
 * Run every prepared query once with every parameter NULL, each in a
 * savepoint undone afterwards: what PREPARE cannot see (a cast, a text
 * search option, a regular expression) fails here.  A NULL where a value
 * is required is a constraint's refusal (SQLSTATE class 23), which is the
 * schema doing its work, not the query failing.
 */
static int run_queries_with_nulls(PGconn *db)
{
    int failed = 0;
    const char *nulls[1000] = {0};
    run(db, "nulls", "BEGIN");
    for (int q = 0; q < RP_QUERY_COUNT; q++) {
        char stmt[32];
        snprintf(stmt, sizeof stmt, "q%d", q);
        PGresult *d = PQdescribePrepared(db, stmt);
        int n = PQnparams(d);
        PQclear(d);
        run(db, "nulls", "SAVEPOINT one_query");
        PGresult *r = PQexecPrepared(db, stmt, n < 1000 ? n : 1000, nulls, NULL,
                                     NULL, 0);
        ExecStatusType st = PQresultStatus(r);
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
            !(state && strncmp(state, "23", 2) == 0)) {
            fprintf(stderr, "FAIL query %s run with NULLs: %s",
                    rp_query_name((rp_query)q), PQerrorMessage(db));
            failed++;
        }
        PQclear(r);
        run(db, "nulls", "ROLLBACK TO SAVEPOINT one_query");
    }
    run(db, "nulls", "ROLLBACK");
    printf("%d queries run with NULL parameters\n", (int)RP_QUERY_COUNT);
    return failed;
}

/* ---- what the queries do ------------------------------------------------ */

static int checks_failed;

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);               \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            checks_failed++;                                                   \
        }                                                                      \
    } while (0)

/* Run query q with n text parameters (NULL for SQL NULL); the result, or
 * NULL having counted a failure with PostgreSQL's message. */
static PGresult *q_run(PGconn *db, rp_query q, int n, const char *const *v)
{
    PGresult *r = PQexecParams(db, rp_pg_query_sql(q), n, NULL, v, NULL, NULL,
                               0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return r;
    CHECK(0, "query %s: %s", rp_query_name(q), PQerrorMessage(db));
    PQclear(r);
    return NULL;
}

/* The value of column name in row i of r, or NULL. */
static const char *col(PGresult *r, int i, const char *name)
{
    int c = PQfnumber(r, name);
    if (!r || c < 0 || i >= PQntuples(r) || PQgetisnull(r, i, c))
        return NULL;
    return PQgetvalue(r, i, c);
}

/* Whether sql fails with a message holding want. */
static int refused(PGconn *db, const char *sql, const char *want)
{
    PGresult *r = PQexec(db, sql);
    int st = PQresultStatus(r);
    PQclear(r);
    return st == PGRES_FATAL_ERROR && strstr(PQerrorMessage(db), want);
}

static void check_ledger(PGconn *db)
{
    run(db, "ledger",
        "INSERT INTO customers (id, name, created_at,"
        " updated_at) VALUES (1, 'Ana', 1, 1)");
    /* detail keeps its text as written: its hash is of that text */
    const char *detail = "{\"b\":1, \"a\":[2]}";
    const char *m1[] = {"1",    "1",     NULL, "100",  "agent", NULL,
                        "note", "hello", NULL, detail, "c1",    "h1"};
    PGresult *r = q_run(db, RP_Q_CUSTOMER_LEDGER_APPEND, 12, m1);
    CHECK(r && atoi(PQcmdTuples(r)) == 1, "the first moment is appended");
    PQclear(r);
    /* another writer came first: nothing appended, no error */
    r = q_run(db, RP_Q_CUSTOMER_LEDGER_APPEND, 12, m1);
    CHECK(r && atoi(PQcmdTuples(r)) == 0, "a moment on a taken id is not"
                                          " appended");
    PQclear(r);
    const char *head_of[] = {"1", "0", "10"};
    r = q_run(db, RP_Q_CUSTOMER_LEDGER_OF_CUSTOMER, 3, head_of);
    CHECK(r && PQntuples(r) == 1 && col(r, 0, "detail") &&
              strcmp(col(r, 0, "detail"), detail) == 0 &&
              col(r, 0, "ledger_key") && strlen(col(r, 0, "ledger_key")) == 64,
          "the moment reads back as written, with its customer's key");
    PQclear(r);
    CHECK(refused(db, "UPDATE moments SET summary = 'changed'", "append-only"),
          "a moment's summary cannot be changed");
    CHECK(refused(db, "DELETE FROM moments", "append-only"),
          "a moment cannot be deleted");
    CHECK(refused(db,
                  "INSERT INTO moments (customer_id, occurred_at, actor,"
                  " kind, summary) VALUES (1, 1, 'a', 'k', 's')",
                  "with their hashes"),
          "a moment without hashes is refused");
    const char *wrong[] = {"1", "200", "gone"};
    r = PQexecParams(db, rp_pg_query_sql(RP_Q_CUSTOMER_LEDGER_TOMBSTONE), 3,
                     NULL, wrong, NULL, NULL, 0);
    CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR,
          "erasure with another text than the tombstone is refused");
    PQclear(r);
    const char *erase[] = {"1", "200",
                           "The details of this moment were erased."};
    r = q_run(db, RP_Q_CUSTOMER_LEDGER_TOMBSTONE, 3, erase);
    CHECK(r && atoi(PQcmdTuples(r)) == 1, "erasure blanks the moment");
    PQclear(r);
}

static void check_knowledge_search(PGconn *db)
{
    run(db, "knowledge",
        "INSERT INTO kb_articles (id, title, body, tags, created_at,"
        " updated_at) VALUES (1, 'Resetting a password', 'Open the login"
        " page and follow the link we send.', '[\"account\"]', 1, 1),"
        " (2, 'Caf\xc3\xa9 hours', 'The caf\xc3\xa9 is not running on"
        " Sundays.', '[]', 1, 1)");
    const char *stem[] = {"\"passwords\" \"link\"", "5", "0",
                          "\"passwords\" \"link\""};
    PGresult *r = q_run(db, RP_Q_KNOWLEDGE_SEARCH, 4, stem);
    CHECK(r && PQntuples(r) == 1 && strcmp(col(r, 0, "id"), "1") == 0 &&
              strstr(col(r, 0, "title_marked"), "\x02password\x03") &&
              strstr(col(r, 0, "snippet_marked"), "\x02link\x03"),
          "all words, stemmed, found and marked");
    PQclear(r);
    /* accents ignored; "not" is a word like any other, as in FTS5 */
    const char *any[] = {"\"cafe\" OR \"nothing\"", "5", "0",
                         "\"cafe\" OR \"nothing\""};
    r = q_run(db, RP_Q_KNOWLEDGE_SEARCH, 4, any);
    CHECK(r && PQntuples(r) == 1 && strcmp(col(r, 0, "id"), "2") == 0,
          "any word, accents ignored");
    PQclear(r);
    const char *none[] = {"\"running\" \"password\"", "5", "0", NULL};
    r = q_run(db, RP_Q_KNOWLEDGE_SEARCH, 4, none);
    CHECK(r && PQntuples(r) == 0, "all words must match");
    PQclear(r);
    /* a word followed by * is the start of a word, each lexeme of it */
    const char *prefix[] = {"\"passw\"* OR \"sund\"*", "5", "0",
                            "\"passw\"* OR \"sund\"*"};
    r = q_run(db, RP_Q_KNOWLEDGE_SEARCH, 4, prefix);
    CHECK(r && PQntuples(r) == 2, "the start of a word finds the word");
    PQclear(r);
    /* a draft is found only when drafts are asked for */
    run(db, "knowledge", "UPDATE kb_articles SET state = 'draft' WHERE id = 2");
    const char *cafe[] = {"\"caf\"*", "5", "0", "\"caf\"*"};
    r = q_run(db, RP_Q_KNOWLEDGE_SEARCH, 4, cafe);
    CHECK(r && PQntuples(r) == 0, "a draft is not found for an agent");
    PQclear(r);
    const char *cafe_lead[] = {"\"caf\"*", "5", "1", "\"caf\"*"};
    r = q_run(db, RP_Q_KNOWLEDGE_SEARCH, 4, cafe_lead);
    CHECK(r && PQntuples(r) == 1, "a draft is found for a writer");
    PQclear(r);
    /* how many articles a word matches, up to a bound: drafts count */
    const char *const counts[][3] = {
        {"\"password\"", "5", "1"}, {"\"passw\"*", "5", "1"},
        {"\"passw\"", "5", "0"},    {"\"caf\"*", "5", "1"},
        {"\"the\"", "5", "2"},      {"\"the\"", "1", "1"},
        {"\"nowhere\"", "5", "0"}};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        r = q_run(db, RP_Q_KNOWLEDGE_WORD_ARTICLES, 2, counts[i]);
        CHECK(r && PQntuples(r) == 1 &&
                  strcmp(col(r, 0, "articles"), counts[i][2]) == 0,
              "%s matches %s articles up to %s", counts[i][0], counts[i][2],
              counts[i][1]);
        PQclear(r);
    }
    const char *agent_tags[] = {"0"};
    r = q_run(db, RP_Q_KNOWLEDGE_TAGS, 1, agent_tags);
    CHECK(r && PQntuples(r) == 1 && strcmp(col(r, 0, "tag"), "account") == 0 &&
              strcmp(col(r, 0, "articles"), "1") == 0,
          "the tags of the published articles");
    PQclear(r);
}

static void check_customer_search(PGconn *db)
{
    run(db, "customers",
        "INSERT INTO customers (id, name, emails, created_at, updated_at)"
        " VALUES (2, 'Bob 100% \"Sure\"', '[\"bob@example.org\"]', 1, 1),"
        " (3, 'CarlXZ', '[]', 1, 1), (4, 'BOBBY', '[]', 1, 1)");
    run(db, "customers", "UPDATE customers SET merged_into = 2 WHERE id = 4");
    const char *quoted[] = {"\"0% \"\"sure\"\"\"", "0", "10"};
    PGresult *r = q_run(db, RP_Q_CUSTOMER_SEARCH, 3, quoted);
    CHECK(r && PQntuples(r) == 1 && strcmp(col(r, 0, "id"), "2") == 0,
          "a quote and a percent sign are the text itself");
    PQclear(r);
    const char *wild[] = {"\"l_z\"", "0", "10"};
    r = q_run(db, RP_Q_CUSTOMER_SEARCH, 3, wild);
    CHECK(r && PQntuples(r) == 0, "an underscore is no wildcard");
    PQclear(r);
    const char *merged[] = {"\"bob\"", "0", "10"};
    r = q_run(db, RP_Q_CUSTOMER_SEARCH, 3, merged);
    CHECK(r && PQntuples(r) == 1 && strcmp(col(r, 0, "id"), "2") == 0,
          "any case, and a merged customer is not found");
    PQclear(r);
}

/* Two servers claim at once: each task goes to one of them, and neither
 * waits for the other. */
static void check_claims(PGconn *db, const char *conninfo)
{
    run(db, "claims",
        "INSERT INTO tasks (customer_id, kind, subject, due_at,"
        " idempotency_key, created_at) VALUES (1, 'reminder', 'a', 10,"
        " 'claim:1', 1), (1, 'reminder', 'b', 10, 'claim:2', 1)");
    PGconn *other = PQconnectdb(conninfo);
    CHECK(PQstatus(other) == CONNECTION_OK, "second connection");
    run(db, "claims", "BEGIN");
    const char *first[] = {"one", "100", "100", "100", "50", "1"};
    PGresult *a = q_run(db, RP_Q_FOLLOWUP_CLAIM_TASKS, 6, first);
    run(other, "claims", "SET lock_timeout = '5s'");
    const char *second[] = {"two", "100", "100", "100", "50", "5"};
    PGresult *b = q_run(other, RP_Q_FOLLOWUP_CLAIM_TASKS, 6, second);
    CHECK(a && b && PQntuples(a) == 1 && PQntuples(b) == 1 &&
              strcmp(col(a, 0, "id"), col(b, 0, "id")) != 0,
          "each server claims a task of its own at once");
    PQclear(a);
    PQclear(b);
    run(db, "claims", "ROLLBACK");
    PQfinish(other);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CONNINFO\n", argv[0]);
        return 2;
    }
    PGconn *db = PQconnectdb(argv[1]);
    if (PQstatus(db) != CONNECTION_OK) {
        fprintf(stderr, "cannot connect: %s", PQerrorMessage(db));
        PQfinish(db);
        return 2;
    }
    /* the server's notices (an extension already there) are not errors */
    run(db, "quiet", "SET client_min_messages = warning");
    int failed = apply_migrations(db);
    if (!failed)
        failed = prepare_queries(db);
    if (!failed)
        failed = run_queries_with_nulls(db);
    if (!failed) {
        check_ledger(db);
        check_knowledge_search(db);
        check_customer_search(db);
        check_claims(db, argv[1]);
        printf("%s\n", checks_failed ? "the queries' checks failed"
                                     : "the queries do what they say");
        failed = checks_failed;
    }
    PQfinish(db);
    return failed ? 1 : 0;
}
