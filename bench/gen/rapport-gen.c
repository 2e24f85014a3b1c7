/*
 * rapport-gen.c - fill a rapport database with a desk of any size, for the
 * benchmarks and for the test that checks query plans on real data.
 *
 *   rapport-gen --db PATH [--customers N] [--encounters N] [--moments N]
 *               [--articles N] [--agents N] [--seed S] [--now UNIX]
 *
 * The database is made by rapport's own migrations (the store is opened
 * once through rp_store_open, as rapportd opens it), then filled in one
 * pass with prepared statements: agents and queues, customers with their
 * identities and the history of their relationship level, encounters in
 * every stage, channel, kind and exchange with the times that stage
 * implies, the charter's breaches they caused, follow-up and satisfaction
 * tasks, knowledge articles, and the moments of truth of all of it.
 *
 * Everything an entity holds is a pure function of (seed, its id), so the
 * same seed gives the same database, and a moment can say what its
 * encounter was about without the encounter being kept in memory.  The
 * moments are sorted by time before they are appended, so the ledger's
 * order is the order things happened, and each is sealed with the
 * library's own rp_ledger_content_hash and rp_ledger_chain_hash, so
 * `rapport ledger verify` passes.  Breaches are judged by the library's
 * rp_measure_compute, the rule the sweep, the measures and the breach
 * report share.
 *
 * What the app keeps beside the rows is made the way the app would have
 * it, but once at the end rather than row by row: the bulk tables' indexes
 * and the triggers that keep derived tables (bulk_triggers) are off during
 * the load, and afterwards each customer's last contact and activity are
 * set in one pass, the charter watch gets the encounters still open (the
 * sweep judges those on its first run), the measures' rollups are filled
 * by the app's own rebuild (sqlite_rollup.h), the three search indexes are
 * rebuilt from their tables, and the indexes and triggers are made again
 * from their own definitions; the result is the database the triggers
 * would have made, row for row.  Each customer's relationship level is
 * the last of their level history, what the rules inferred of a closed
 * encounter's kind and exchange is kept beside the agent's word, and the
 * statistics are gathered (ANALYZE) so the planner sees a desk of this
 * size.  With the triggers on, the load slowed as it grew (each
 * encounter's rollup, search-index and contact updates, each moment's
 * update of its customer, pages the cache no longer held): 1M encounters
 * took minutes, not seconds.
 *
 * This is a benchmark tool, not part of the desk: it writes SQLite
 * directly, for speed (10 million moments in minutes, not hours).
 */
#include <math.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/rapport.h"
#include "store/sqlite_rollup.h"
#include "store/store.h"

#define DAY 86400
#define HASH_HEX 65

/* ---- deterministic randomness ------------------------------------------ */

static uint64_t g_seed = 1;

static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A stream of numbers for entity `id` of kind `what`: the same for the same
 * seed, whatever else was generated before. */
typedef struct rng {
    uint64_t s;
} rng;

static rng rng_for(uint64_t what, uint64_t id)
{
    return (rng){mix64(g_seed * 0x100000001b3ULL ^ mix64(what * 7919 + id))};
}

static uint64_t next(rng *r)
{
    r->s += 0x9e3779b97f4a7c15ULL;
    return mix64(r->s);
}

/* 0 <= n < bound */
static int64_t below(rng *r, int64_t bound)
{
    return bound <= 1 ? 0 : (int64_t)(next(r) % (uint64_t)bound);
}

static double unit(rng *r)
{
    return (double)(next(r) >> 11) / 9007199254740992.0;
}

static int chance(rng *r, double p)
{
    return unit(r) < p;
}

/* An exponentially distributed wait of this mean, in whole seconds. */
static int64_t wait_of(rng *r, double mean)
{
    return (int64_t)(-mean * log(1.0 - unit(r)));
}

/* Index into weights[n] chosen in proportion to the weights. */
static int pick(rng *r, const int *weights, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++)
        total += weights[i];
    int64_t x = below(r, total);
    for (int i = 0; i < n; i++)
        if ((x -= weights[i]) < 0)
            return i;
    return n - 1;
}

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- what the desk is made of ------------------------------------------ */

/* Given names and family names in several scripts, each with the ASCII
 * form its email address uses.  "Martin" is common on purpose, and one
 * customer in 100,000 is a "Quirkfield" (the rare word of bench/search). */
static const char *const given[][2] = {
    {"Ana", "ana"},           {"José", "jose"},         {"Zoë", "zoe"},
    {"Amélie", "amelie"},     {"Søren", "soren"},       {"Łukasz", "lukasz"},
    {"Ingrid", "ingrid"},     {"Mohammed", "mohammed"}, {"Fatima", "fatima"},
    {"Ngozi", "ngozi"},       {"Kenji", "kenji"},       {"Αλέξης", "alexis"},
    {"Дмитрий", "dmitry"},    {"Chloé", "chloe"},       {"Björn", "bjorn"},
    {"Maya", "maya"},         {"Pablo", "pablo"},       {"Siew Lan", "siewlan"},
    {"Tom", "tom"},           {"Olga", "olga"},         {"Yusuf", "yusuf"},
    {"François", "francois"}, {"Jürgen", "jurgen"},     {"Aoife", "aoife"},
};
static const char *const family[][2] = {
    {"Martin", "martin"},
    {"Núñez", "nunez"},
    {"Müller", "muller"},
    {"García", "garcia"},
    {"Dubois", "dubois"},
    {"Kowalski", "kowalski"},
    {"O'Brien", "obrien"},
    {"Smith", "smith"},
    {"Papadopoulos", "papadopoulos"},
    {"Okafor", "okafor"},
    {"Tanaka", "tanaka"},
    {"Nguyễn", "nguyen"},
    {"Østergaard", "ostergaard"},
    {"Rossi", "rossi"},
    {"Silva", "silva"},
    {"Weber", "weber"},
    {"Horváth", "horvath"},
    {"Petrov", "petrov"},
    {"Lefèvre", "lefevre"},
    {"Andersson", "andersson"},
    {"Tan", "tan"},
    {"Çelik", "celik"},
    {"Novák", "novak"},
    {"Larsen", "larsen"},
};
/* Chinese, Japanese and Korean names, family name first, no space. */
static const char *const cjk_family[][2] = {
    {"王", "wang"}, {"李", "li"},          {"张", "zhang"},    {"刘", "liu"},
    {"陈", "chen"}, {"佐藤", "sato"},      {"鈴木", "suzuki"}, {"김", "kim"},
    {"박", "park"}, {"高橋", "takahashi"},
};
static const char *const cjk_given[][2] = {
    {"伟", "wei"},       {"芳", "fang"},     {"娜", "na"},
    {"秀英", "xiuying"}, {"敏", "min"},      {"花子", "hanako"},
    {"翔太", "shota"},   {"민준", "minjun"}, {"서연", "seoyeon"},
    {"静", "jing"},
};
static const char *const domains[] = {
    "example.com",    "example.org",  "example.net",     "gmail.com",
    "correo.example", "post.example", "mail.example.jp",
};
static const char *const levels[] = {"transactional", "incremental",
                                     "formative", "partnership"};
static const int level_weights[] = {70, 18, 9, 3};
static const char *const level_rules[] = {"default", "first_step",
                                          "active_goal", "long_partnership"};
static const char *const level_why[] = {
    "only quick or unfollowed exchanges so far",
    "one encounter went beyond a transaction (a become, a satisfying "
    "resolution or a formal exchange); one visit is a first step, not yet a "
    "pattern",
    "the customer has an active goal kept in their profile",
    "years of encounters that went beyond transactions, with goals reached "
    "together",
};
static const char *const level_cause[] = {
    "an encounter was closed",
    "a follow-up was done",
    "a goal was recorded",
    "the relationship rules were run again",
};

static const char *const channels[] = {"in_person", "phone", "email", "chat",
                                       "web"};
static const int channel_weights[] = {10, 25, 35, 15, 15};
enum { IN_PERSON, PHONE, EMAIL, CHAT, WEB };

static const char *const stages[] = {"received", "understood", "helped",
                                     "kept",     "closed",     "abandoned"};
enum { RECEIVED, UNDERSTOOD, HELPED, KEPT, CLOSED, ABANDONED };

static const char *const kinds[] = {"what", "how", "become"};
static const int kind_weights[] = {55, 35, 10};
static const char *const kind_reasons[] = {
    "the customer asked for what they wanted and nothing more was explored: "
    "what they want",
    "preferences of the customer were captured: how they want it",
    "the customer told us what they want to become and a follow-up was "
    "scheduled toward it",
};
static const char *const exchanges[] = {"quick", "supplemental", "resolution",
                                        "formal"};
static const int exchange_weights[] = {50, 25, 20, 5};
static const char *const exchange_reasons[] = {
    "one contact: the customer knew what they wanted and got it",
    "a follow-up was scheduled",
    "a problem was put right",
    "a contract was made or changed",
};
static const char *const priorities[] = {"normal", "low", "high", "urgent"};
static const int priority_weights[] = {70, 10, 15, 5};

/* Topics, the queue that takes each, and subjects about them; %d is a
 * number (an order, an invoice, a model). */
static const struct {
    const char *topic;
    int queue; /* index into queues[], -1: by channel */
    const char *subjects[4];
} topics[] = {
    {"printer",
     4,
     {"Printer shows error E-%d", "The printer stops after %d pages",
      "Paper jam in tray %d of the printer",
      "Printer offline since the update"}},
    {"login",
     4,
     {"Cannot log in to my account", "Password reset mail %d never arrived",
      "Two-factor code rejected", "Account locked after %d tries"}},
    {"billing",
     2,
     {"Invoice %d is wrong", "Charged twice for order %d",
      "Rechnung %d doppelt bezahlt", "Question about the bill of %d"}},
    {"refund",
     2,
     {"Refund for order %d", "Remboursement de la commande %d",
      "Refund not received after %d days", "Reembolso del pedido %d"}},
    {"delivery",
     5,
     {"Delivery of order %d is late", "El paquete %d no ha llegado",
      "配送状況について (注文 %d)", "Wrong address on delivery %d"}},
    {"return",
     5,
     {"Return of item %d", "Damaged item in parcel %d",
      "Exchange size for order %d", "Return label for order %d"}},
    {"renewal",
     2,
     {"Renewal of policy %d", "Contract %d ends next month",
      "Change the plan of contract %d", "Cancel renewal %d"}},
    {"advice",
     -1,
     {"Which model suits a family of %d?", "Advice on a gift under %d euros",
      "Looking for a navy suit, size %d", "Want to learn to cook %d dishes"}},
};

static const struct {
    const char *name, *skills, *topics, *channels;
    int acknowledge_new;
} queues[] = {
    {"Front desk", "[]", "[]", "[\"in_person\",\"chat\",\"web\"]", 0},
    {"Phone line", "[]", "[]", "[\"phone\"]", 0},
    {"Billing", "[\"billing\"]", "[\"billing\",\"refund\",\"renewal\"]", "[]",
     0},
    {"Email", "[]", "[]", "[\"email\"]", 1},
    {"Technical", "[\"technical\"]", "[\"printer\",\"login\"]", "[]", 0},
    {"Returns", "[]", "[\"delivery\",\"return\"]", "[]", 0},
};
#define NQUEUES COUNT(queues)

/* Knowledge articles: a vocabulary in order of frequency, drawn with
 * Zipf's law, so that the first words ("printer" among them) are in most
 * articles and the last in a handful. */
static const char *const vocabulary[] = {
    "the",         "customer",     "check",       "printer",    "account",
    "order",       "when",         "after",       "the",        "update",
    "restart",     "settings",     "cable",       "driver",     "tray",
    "paper",       "refund",       "invoice",     "delivery",   "password",
    "reset",       "email",        "phone",       "network",    "router",
    "warranty",    "repair",       "return",      "label",      "parcel",
    "contract",    "renewal",      "policy",      "payment",    "card",
    "bank",        "transfer",     "discount",    "voucher",    "store",
    "manager",     "appointment",  "address",     "billing",    "error",
    "code",        "screen",       "button",      "light",      "blinking",
    "battery",     "charger",      "firmware",    "version",    "install",
    "uninstall",   "browser",      "cookie",      "cache",      "login",
    "locked",      "unlock",       "verify",      "identity",   "document",
    "scan",        "copy",         "fax",         "toner",      "cartridge",
    "ink",         "nozzle",       "cleaning",    "alignment",  "wireless",
    "bluetooth",   "pairing",      "speaker",     "headset",    "microphone",
    "camera",      "lens",         "focus",       "shutter",    "memory",
    "storage",     "backup",       "restore",     "sync",       "calendar",
    "contacts",    "subscription", "plan",        "upgrade",    "downgrade",
    "cancel",      "notice",       "period",      "fee",        "late",
    "interest",    "statement",    "receipt",     "duplicate",  "charge",
    "dispute",     "chargeback",   "courier",     "tracking",   "customs",
    "duty",        "damaged",      "missing",     "wrong",      "size",
    "colour",      "exchange",     "replacement", "spare",      "part",
    "screw",       "hinge",        "cover",       "filter",     "boiler",
    "pressure",    "valve",        "thermostat",  "radiator",   "leak",
    "noise",       "vibration",    "overheating", "fan",        "dust",
    "calibration", "sensor",       "gauge",       "meter",      "reading",
    "tariff",      "energy",       "solar",       "inverter",   "grid",
    "outage",      "fuse",         "breaker",     "socket",     "adapter",
    "voltage",     "surge",        "ticket",      "escalate",   "supervisor",
    "apology",     "goodwill",     "gesture",     "loyalty",    "tier",
    "points",      "redeem",       "expire",      "birthday",   "anniversary",
    "gift",        "wrap",         "engraving",   "tailoring",  "alteration",
    "hem",         "sleeve",       "fabric",      "wool",       "cotton",
    "linen",       "stain",        "laundry",     "pharmacy",   "prescription",
    "dosage",      "allergy",      "leaflet",     "insurance",  "claim",
    "excess",      "premium",      "broker",      "inspection", "mileage",
    "tyre",        "brake",        "oil",         "service",    "interval",
    "recall",      "quirkfield",
};

/* ---- options ------------------------------------------------------------ */

typedef struct options {
    const char *db;
    int64_t customers, encounters, moments, articles, agents;
    int64_t now, years;
    int checked; /* keep the schema's CHECK constraints during the load */
} options;

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: rapport-gen --db PATH [--customers N] [--encounters N]\n"
        "                   [--moments N] [--articles N] [--agents N]\n"
        "                   [--seed S] [--now UNIX] [--years Y] [--checked]\n"
        "Fills the rapport database at PATH (made or migrated first) with\n"
        "a desk of N customers (1,000,000); encounters default to 3 per\n"
        "customer, moments to about 10 per customer, articles to one per\n"
        "10 customers.  The same seed (1) and time (--now, 2026-12-02)\n"
        "give the same database.  --checked keeps the schema's CHECK\n"
        "constraints on during the load (slower; every row is checked).\n");
}

static int64_t number(const char *flag, const char *s)
{
    char *end;
    long long v = s ? strtoll(s, &end, 10) : -1;
    if (!s || *end || v < 0) {
        fprintf(stderr, "rapport-gen: %s needs a whole number, not '%s'\n",
                flag, s ? s : "");
        exit(2);
    }
    return v;
}

static options parse(int argc, char **argv)
{
    options o = {.customers = 1000000,
                 .encounters = -1,
                 .moments = -1,
                 .articles = -1,
                 .agents = 40,
                 .now = 1796169600,
                 .years = 3};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--db") && v)
            o.db = v;
        else if (!strcmp(a, "--customers"))
            o.customers = number(a, v);
        else if (!strcmp(a, "--encounters"))
            o.encounters = number(a, v);
        else if (!strcmp(a, "--moments"))
            o.moments = number(a, v);
        else if (!strcmp(a, "--articles"))
            o.articles = number(a, v);
        else if (!strcmp(a, "--agents"))
            o.agents = number(a, v);
        else if (!strcmp(a, "--seed"))
            g_seed = (uint64_t)number(a, v);
        else if (!strcmp(a, "--now"))
            o.now = number(a, v);
        else if (!strcmp(a, "--years"))
            o.years = number(a, v);
        else if (!strcmp(a, "--checked")) {
            o.checked = 1;
            continue;
        } else {
            usage(stderr);
            exit(2);
        }
        i++;
    }
    if (!o.db || o.customers < 1 || o.agents < 1 || o.years < 1) {
        usage(stderr);
        exit(2);
    }
    if (o.encounters < 0)
        o.encounters = 3 * o.customers;
    if (o.moments < 0)
        o.moments = 10 * o.customers;
    if (o.articles < 0)
        o.articles = o.customers / 10;
    return o;
}

/* ---- the database ------------------------------------------------------- */

static sqlite3 *g_db;

static void die(const char *what)
{
    fprintf(stderr, "rapport-gen: %s: %s\n", what, sqlite3_errmsg(g_db));
    exit(1);
}

static void run(const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(g_db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "rapport-gen: %s: %s\n", sql, msg ? msg : "?");
        exit(1);
    }
}

static double seconds_since(struct timespec *t0);
static void progress(const char *what, int64_t n);

/* Run the statements of sql one by one, naming on stderr each that took
 * more than two seconds (the index builds of a large desk). */
static void run_each(const char *sql)
{
    while (*sql) {
        sqlite3_stmt *st;
        const char *tail;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (sqlite3_prepare_v2(g_db, sql, -1, &st, &tail) != SQLITE_OK)
            die(sql);
        if (!st)
            break;
        if (sqlite3_step(st) != SQLITE_DONE)
            die(sqlite3_sql(st));
        if (seconds_since(&t0) > 2) {
            char what[72];
            snprintf(what, sizeof what, "%.*s", (int)sizeof what - 1,
                     sqlite3_sql(st));
            progress(what, 0);
        }
        sqlite3_finalize(st);
        sql = tail;
    }
}

static sqlite3_stmt *prep(const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(g_db, sql, -1, &st, NULL) != SQLITE_OK)
        die(sql);
    return st;
}

static void step(sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        die(sqlite3_sql(st));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/* A time, or NULL when 0 (not reached). */
static void bind_time(sqlite3_stmt *st, int i, int64_t t)
{
    if (t)
        sqlite3_bind_int64(st, i, t);
    else
        sqlite3_bind_null(st, i);
}

static int64_t scalar(const char *sql)
{
    sqlite3_stmt *st = prep(sql);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0)
                                               : 0;
    sqlite3_finalize(st);
    return v;
}

static double seconds_since(struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) +
           (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static struct timespec g_start;

/* The CPU time this process has used, user and system, in seconds: what
 * a phase costs whatever else the machine is doing. */
static double cpu_seconds(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static void progress(const char *what, int64_t n)
{
    fprintf(stderr, "rapport-gen: %8.1f s (CPU %7.1f s)  %s: %lld\n",
            seconds_since(&g_start), cpu_seconds(), what, (long long)n);
}

/* ---- the shape of the desk --------------------------------------------- */

static options g_opt;
static int64_t g_t0, g_span; /* history: [g_t0, g_t0 + g_span) */
static int64_t g_first_agent;
static int64_t g_first_queue;
static int64_t g_members[NQUEUES][64]; /* agent ids per queue */
static int g_nmembers[NQUEUES];

/* A customer, from (seed, id) alone. */
typedef struct customer {
    int64_t id, created;
    int cjk, g, f, domain, level, nphones, nemails;
    int quirk, imported, preferred, unconfirmed;
    int64_t level_at[4]; /* when each level up to `level` was reached */
    uint64_t key_bits[4];
} customer;

static void customer_gen(int64_t id, customer *c)
{
    rng r = rng_for(1, (uint64_t)id);
    memset(c, 0, sizeof *c);
    c->id = id;
    c->created = g_t0 + (id - 1) * g_span / g_opt.customers + below(&r, 600);
    c->cjk = chance(&r, 0.15);
    c->g = (int)below(&r, c->cjk ? COUNT(cjk_given) : COUNT(given));
    c->f = (int)(chance(&r, 0.12)
                     ? 0 /* Martin */
                     : below(&r, c->cjk ? COUNT(cjk_family) : COUNT(family)));
    c->quirk = id % 100000 == 7;
    c->domain = (int)below(&r, COUNT(domains));
    c->nemails = chance(&r, 0.9) + chance(&r, 0.1);
    c->nphones = chance(&r, 0.6) + chance(&r, 0.05);
    c->imported = chance(&r, 0.3);
    c->preferred = !c->cjk && chance(&r, 0.25);
    c->unconfirmed = chance(&r, 0.02);
    c->level = pick(&r, level_weights, COUNT(level_weights));
    int64_t t = c->created;
    for (int l = 1; l <= c->level; l++) {
        int64_t room = g_t0 + g_span - t;
        t += room > 2 ? 1 + below(&r, room / 2) : 1;
        c->level_at[l] = t;
    }
    for (int i = 0; i < 4; i++)
        c->key_bits[i] = next(&r);
}

static void customer_name(const customer *c, char *out, size_t n)
{
    if (c->cjk)
        snprintf(out, n, "%s%s", cjk_family[c->f][0], cjk_given[c->g][0]);
    else
        snprintf(out, n, "%s %s", given[c->g][0],
                 c->quirk ? "Quirkfield" : family[c->f][0]);
}

static const char *first_name(const customer *c)
{
    return c->cjk ? cjk_given[c->g][0] : given[c->g][0];
}

static void customer_email(const customer *c, int which, char *out, size_t n)
{
    const char *g = c->cjk ? cjk_given[c->g][1] : given[c->g][1];
    const char *f = c->quirk ? "quirkfield"
                    : c->cjk ? cjk_family[c->f][1]
                             : family[c->f][1];
    if (which == 0)
        snprintf(out, n, "%s.%s.%lld@%s", g, f, (long long)c->id,
                 domains[c->domain]);
    else
        snprintf(out, n, "%s%lld+work@example.com", f, (long long)c->id);
}

/* E.164 for the identity, spaced for the customer's record. */
static void customer_phone(const customer *c, int which, char *e164,
                           char *shown, size_t n)
{
    long long digits = 600000000LL + c->id * 2 + which;
    snprintf(e164, n, "+34%lld", digits);
    snprintf(shown, n, "+34 %lld %03lld %03lld", digits / 1000000,
             digits / 1000 % 1000, digits % 1000);
}

static void customer_key(const customer *c, char out[HASH_HEX])
{
    unsigned char b[32];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            b[i * 8 + j] = (unsigned char)(c->key_bits[i] >> (8 * j));
    sodium_bin2hex(out, HASH_HEX, b, sizeof b);
}

static int64_t customer_agent(int64_t id)
{
    return g_first_agent +
           (int64_t)(mix64((uint64_t)id) % (uint64_t)g_opt.agents);
}

/* An encounter, from (seed, id) alone. */
typedef struct encounter {
    int64_t id, customer, created, updated;
    int64_t ack, first, understood, helped, kept, closed, abandoned;
    int channel, stage, topic, subject, number, queue, priority;
    int kind, exchange, kind_by_agent, exchange_by_agent, kind_inferred,
        exchange_inferred;
    int64_t agent; /* 0: none yet */
    int waiting_on_customer, thanked, skip_satisfaction, vip;
} encounter;

/* The times of the cycle, each after the one before, from created. */
static void encounter_times(rng *r, encounter *e)
{
    static const double ack_mean[] = {20, 60, 5, 40, 120};
    static const double reply_mean[] = {0, 0, 360, 60, 300};
    static const double close_mean[] = {600, 900, 4 * 3600, 1200, 3 * 3600};
    e->ack = e->created + 1 + wait_of(r, ack_mean[e->channel]);
    e->first = e->ack + wait_of(r, reply_mean[e->channel]);
    e->understood = e->first + 30 + wait_of(r, 240);
    e->helped = e->understood + 60 + wait_of(r, 900);
    e->kept = e->helped + 30 + wait_of(r, 600);
    e->closed = e->kept + 60 + wait_of(r, close_mean[e->channel]);
    if (chance(r, 0.015)) /* now and then a case drags on */
        e->closed += 2 * DAY + below(r, 5 * DAY);
}

/* Blank the times past the stage the encounter stopped at. */
static void encounter_stop(encounter *e, int stage)
{
    e->stage = stage;
    if (stage < CLOSED)
        e->closed = 0;
    if (stage < KEPT)
        e->kept = 0;
    if (stage < HELPED)
        e->helped = 0;
    if (stage < UNDERSTOOD)
        e->understood = 0;
}

static void encounter_gen(int64_t id, encounter *e)
{
    rng r = rng_for(2, (uint64_t)id);
    int64_t step_ = g_span / g_opt.encounters;
    memset(e, 0, sizeof *e);
    e->id = id;
    /* after the first customer, who arrives in the first ten minutes */
    e->created = g_t0 + 600 + (id - 1) * (g_span - 600) / g_opt.encounters +
                 below(&r, step_);
    int64_t known = 1 + (e->created - g_t0) * g_opt.customers / g_span;
    while (known > 1 &&
           g_t0 + (known - 1) * g_span / g_opt.customers + 600 > e->created)
        known--;
    if (known > g_opt.customers)
        known = g_opt.customers;
    int64_t recent = known / 20 + 1;
    e->customer = chance(&r, 0.4)
                      ? known - below(&r, recent < known ? recent : known)
                      : 1 + below(&r, known);
    e->channel = pick(&r, channel_weights, COUNT(channel_weights));
    e->topic = (int)below(&r, COUNT(topics));
    e->subject = (int)below(&r, 4);
    e->number = (int)(1000 + below(&r, 90000));
    e->queue = topics[e->topic].queue >= 0 ? topics[e->topic].queue
               : e->channel == PHONE       ? 1
               : e->channel == EMAIL       ? 3
                                           : 0;
    e->priority = pick(&r, priority_weights, COUNT(priority_weights));
    e->vip = chance(&r, 0.05);
    e->agent = g_members[e->queue][below(&r, g_nmembers[e->queue])];
    encounter_times(&r, e);
    int64_t age = g_opt.now - e->created;
    if (chance(&r, 0.05)) { /* the customer gave up */
        e->abandoned = e->created + 60 + wait_of(&r, 1800);
        if (e->abandoned >= g_opt.now)
            e->abandoned = 0;
        else {
            if (e->ack > e->abandoned)
                e->ack = 0;
            if (e->first > e->abandoned || !e->ack)
                e->first = 0;
            encounter_stop(e, RECEIVED);
            e->stage = ABANDONED;
            e->closed = 0;
        }
    }
    if (e->stage != ABANDONED) {
        int stage = CLOSED;
        if (age < 3 * DAY ? chance(&r, 0.25) : chance(&r, 0.002))
            stage = (int)below(&r, CLOSED); /* stopped, still open */
        int64_t *at[] = {&e->created, &e->understood, &e->helped, &e->kept,
                         &e->closed};
        while (stage > RECEIVED && *at[stage] >= g_opt.now)
            stage--; /* not there yet */
        encounter_stop(e, stage);
        if (e->ack >= g_opt.now)
            e->ack = 0;
        if (e->first >= g_opt.now || !e->ack)
            e->first = 0;
        if (stage == RECEIVED && !e->ack && chance(&r, 0.5))
            e->agent = 0; /* waiting to be routed */
    }
    if (e->stage == CLOSED) {
        e->kind = pick(&r, kind_weights, COUNT(kind_weights));
        e->exchange = pick(&r, exchange_weights, COUNT(exchange_weights));
        e->kind_inferred = e->kind;
        e->exchange_inferred = e->exchange;
        if ((e->kind_by_agent = chance(&r, 0.1)))
            e->kind_inferred = (int)below(&r, COUNT(kinds));
        if ((e->exchange_by_agent = chance(&r, 0.05)))
            e->exchange_inferred = (int)below(&r, COUNT(exchanges));
        e->thanked = chance(&r, 0.7);
        e->skip_satisfaction = chance(&r, 0.2);
    }
    e->waiting_on_customer = e->stage == HELPED && chance(&r, 0.3);
    int64_t last = e->created;
    int64_t ts[] = {e->ack,  e->first,  e->understood, e->helped,
                    e->kept, e->closed, e->abandoned};
    for (int i = 0; i < COUNT(ts); i++)
        if (ts[i] > last)
            last = ts[i];
    e->updated = last;
}

static void encounter_subject(const encounter *e, char *out, size_t n)
{
    snprintf(out, n, topics[e->topic].subjects[e->subject], e->number);
}

/* ---- the moments, gathered and then sealed in time order --------------- */

enum {
    M_CUSTOMER_CREATED,
    M_RELATIONSHIP,
    M_OPENED,
    M_ACKNOWLEDGED,
    M_UNDERSTOOD,
    M_HELPED,
    M_KEPT,
    M_CLOSED,
    M_ABANDONED,
    M_BREACHED,
};

typedef struct moment {
    int64_t at;
    int32_t customer, encounter; /* encounter 0: none */
    int32_t aux;                 /* level, or breach id */
    uint8_t kind, extra;         /* extra: the breached target */
} moment;

static moment *g_m;
static size_t g_nm, g_cap;

/* Per customer id: the latest encounter's start (what
 * customers_contact_on_encounter keeps in contact_at) and the latest
 * moment (customers_active_on_moment, active_at), set in one pass at the
 * end instead of one update of the customer per row. */
static int64_t *g_contact, *g_active;

static void add_moment(int64_t at, int64_t customer, int64_t encounter,
                       int kind, int32_t aux, int extra)
{
    if (g_nm == g_cap) {
        g_cap = g_cap ? g_cap * 2 : 1 << 20;
        g_m = realloc(g_m, g_cap * sizeof *g_m);
        if (!g_m) {
            fprintf(stderr, "rapport-gen: out of memory\n");
            exit(1);
        }
    }
    g_m[g_nm++] = (moment){.at = at,
                           .customer = (int32_t)customer,
                           .encounter = (int32_t)encounter,
                           .aux = aux,
                           .kind = (uint8_t)kind,
                           .extra = (uint8_t)extra};
}

static int by_time(const void *a, const void *b)
{
    const moment *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    if (x->encounter != y->encounter)
        return x->encounter < y->encounter ? -1 : 1;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    return x->kind - y->kind;
}

/* ---- filling ------------------------------------------------------------ */

static void fill_staff(void)
{
    sqlite3_stmt *a = prep(
        "INSERT INTO agents (name, email, role, skills, created_at,"
        " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)");
    static const char *const roles[] = {"agent", "lead"};
    for (int64_t i = 0; i < g_opt.agents; i++) {
        char name[64], email[64];
        customer c;
        customer_gen(1000000007 + i, &c);
        customer_name(&c, name, sizeof name);
        snprintf(email, sizeof email, "agent%lld@desk.example", (long long)i);
        sqlite3_bind_text(a, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(a, 2, email, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(a, 3, roles[i % 8 == 0], -1, SQLITE_STATIC);
        sqlite3_bind_text(a, 4,
                          i % 3 == 0   ? "[\"billing\",\"technical\"]"
                          : i % 3 == 1 ? "[\"billing\"]"
                                       : "[\"technical\"]",
                          -1, SQLITE_STATIC);
        sqlite3_bind_int64(a, 5, g_t0);
        step(a);
        if (i == 0)
            g_first_agent = sqlite3_last_insert_rowid(g_db);
    }
    sqlite3_finalize(a);
    sqlite3_stmt *q = prep(
        "INSERT INTO queues (name, skills, topics, channels, acknowledge_new,"
        " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
    sqlite3_stmt *m = prep(
        "INSERT INTO queue_members (queue_id, agent_id) VALUES (?1, ?2)");
    for (int i = 0; i < NQUEUES; i++) {
        bind_text(q, 1, queues[i].name);
        bind_text(q, 2, queues[i].skills);
        bind_text(q, 3, queues[i].topics);
        bind_text(q, 4, queues[i].channels);
        sqlite3_bind_int(q, 5, queues[i].acknowledge_new);
        sqlite3_bind_int64(q, 6, g_t0);
        step(q);
        int64_t qid = sqlite3_last_insert_rowid(g_db);
        if (i == 0)
            g_first_queue = qid;
        /* each agent serves two queues, each queue at least one agent */
        for (int64_t a2 = 0; a2 < g_opt.agents; a2++)
            if ((a2 % NQUEUES == i || (a2 + 2) % NQUEUES == i) &&
                g_nmembers[i] < 64) {
                g_members[i][g_nmembers[i]++] = g_first_agent + a2;
                sqlite3_bind_int64(m, 1, qid);
                sqlite3_bind_int64(m, 2, g_first_agent + a2);
                step(m);
            }
        if (!g_nmembers[i]) {
            g_members[i][g_nmembers[i]++] = g_first_agent;
            sqlite3_bind_int64(m, 1, qid);
            sqlite3_bind_int64(m, 2, g_first_agent);
            step(m);
        }
    }
    sqlite3_finalize(q);
    sqlite3_finalize(m);
}

static void fill_customers(char (*keys)[HASH_HEX])
{
    sqlite3_stmt *c = prep(
        "INSERT INTO customers (id, name, preferred_name, emails, phones,"
        " notes, created_at, updated_at, relationship_level,"
        " relationship_reasons, unconfirmed, external_id, ledger_key)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    sqlite3_stmt *ident = prep(
        "INSERT INTO identities (customer_id, kind, value, created_at)"
        " VALUES (?1, ?2, ?3, ?4)");
    sqlite3_stmt *lvl = prep(
        "INSERT INTO relationship_levels (customer_id, level, previous_level,"
        " reasons, created_at, cause) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    char name[128], emails[2][128], phones[2][40], shown[2][40], json[512],
        reasons[512];
    for (int64_t id = 1; id <= g_opt.customers; id++) {
        customer cu;
        customer_gen(id, &cu);
        customer_name(&cu, name, sizeof name);
        customer_key(&cu, keys[id]);
        int len = snprintf(json, sizeof json, "[");
        for (int i = 0; i < cu.nemails; i++) {
            customer_email(&cu, i, emails[i], sizeof emails[i]);
            len += snprintf(json + len, sizeof json - (size_t)len, "%s\"%s\"",
                            i ? "," : "", emails[i]);
        }
        snprintf(json + len, sizeof json - (size_t)len, "]");
        char pjson[128];
        len = snprintf(pjson, sizeof pjson, "[");
        for (int i = 0; i < cu.nphones; i++) {
            customer_phone(&cu, i, phones[i], shown[i], sizeof phones[i]);
            len += snprintf(pjson + len, sizeof pjson - (size_t)len, "%s\"%s\"",
                            i ? "," : "", shown[i]);
        }
        snprintf(pjson + len, sizeof pjson - (size_t)len, "]");
        snprintf(reasons, sizeof reasons,
                 "[{\"rule\":\"%s\",\"level\":\"%s\",\"why\":\"%s\","
                 "\"encounter_ids\":[]}]",
                 level_rules[cu.level], levels[cu.level], level_why[cu.level]);
        char ext[32];
        snprintf(ext, sizeof ext, "Z%lld", (long long)(id * 7 + 100000));
        int64_t updated = cu.level ? cu.level_at[cu.level] : cu.created;
        sqlite3_bind_int64(c, 1, id);
        bind_text(c, 2, name);
        bind_text(c, 3, cu.preferred ? first_name(&cu) : NULL);
        bind_text(c, 4, json);
        bind_text(c, 5, pjson);
        bind_text(c, 6,
                  id % 10 == 0 ? "Prefers email, not calls. Said: \"call me "
                                 "after 6\"."
                               : NULL);
        sqlite3_bind_int64(c, 7, cu.created);
        sqlite3_bind_int64(c, 8, updated);
        bind_text(c, 9, levels[cu.level]);
        bind_text(c, 10, reasons);
        sqlite3_bind_int(c, 11, cu.unconfirmed);
        bind_text(c, 12, cu.imported ? ext : NULL);
        bind_text(c, 13, keys[id]);
        step(c);
        for (int i = 0; i < cu.nemails + cu.nphones; i++) {
            int phone = i >= cu.nemails;
            sqlite3_bind_int64(ident, 1, id);
            bind_text(ident, 2, phone ? "phone" : "email");
            bind_text(ident, 3, phone ? phones[i - cu.nemails] : emails[i]);
            sqlite3_bind_int64(ident, 4, cu.created);
            step(ident);
        }
        add_moment(cu.created, id, 0, M_CUSTOMER_CREATED, 0, 0);
        for (int l = 1; l <= cu.level; l++) {
            snprintf(reasons, sizeof reasons,
                     "[{\"rule\":\"%s\",\"level\":\"%s\",\"why\":\"%s\","
                     "\"encounter_ids\":[]}]",
                     level_rules[l], levels[l], level_why[l]);
            sqlite3_bind_int64(lvl, 1, id);
            bind_text(lvl, 2, levels[l]);
            bind_text(lvl, 3, levels[l - 1]);
            bind_text(lvl, 4, reasons);
            sqlite3_bind_int64(lvl, 5, cu.level_at[l]);
            bind_text(lvl, 6, level_cause[(id + l) % COUNT(level_cause)]);
            step(lvl);
            add_moment(cu.level_at[l], id, 0, M_RELATIONSHIP, l, 0);
        }
        if (id % 200000 == 0)
            progress("customers", id);
    }
    sqlite3_finalize(c);
    sqlite3_finalize(ident);
    sqlite3_finalize(lvl);
}

/* The encounter as rp_encounter_get returns it, as far as the measures
 * read it. */
static json_t *measured_row(const encounter *e)
{
    json_t *o = json_object();
    int64_t ts[] = {e->created, e->ack, e->first, e->closed, e->abandoned};
    const char *names[] = {"created_at", "acknowledged_at", "first_response_at",
                           "closed_at", "abandoned_at"};
    for (int i = 0; i < COUNT(ts); i++) {
        char at[RP_TIME_MAX];
        if (!ts[i])
            continue;
        rp_time_format(ts[i], at);
        json_object_set_new(o, names[i], json_string(at));
    }
    json_object_set_new(o, "id", json_integer(e->id));
    json_object_set_new(o, "customer_id", json_integer(e->customer));
    json_object_set_new(o, "stage", json_string(stages[e->stage]));
    json_object_set_new(o, "transfers", json_integer(0));
    return o;
}

/* Record the breaches of ended encounter e as the sweep would have, a
 * minute or so after each happened. */
static void judge(const encounter *e, const rp_charter *ch, sqlite3_stmt *ins,
                  int64_t *breaches)
{
    static const char *const targets[] = {"acknowledge", "first_response",
                                          "resolution"};
    json_t *row = measured_row(e);
    json_t *m = rp_measure_compute(row, ch, g_opt.now);
    json_t *charter = json_object_get(m, "charter");
    rng r = rng_for(3, (uint64_t)e->id);
    for (int i = 0; i < 3; i++) {
        json_t *one = json_object_get(charter, targets[i]);
        if (!json_is_true(json_object_get(one, "breached")))
            continue;
        int64_t t = json_integer_value(json_object_get(one, "target_seconds"));
        int64_t due = e->created + t, happened = due;
        if (i == 2 && !e->closed && e->abandoned && e->abandoned < due)
            happened = e->abandoned;
        int64_t judged = happened + 1 + below(&r, 60);
        if (judged >= g_opt.now)
            judged = happened; /* ended a moment ago */
        sqlite3_bind_int64(ins, 1, e->id);
        sqlite3_bind_int64(ins, 2, e->customer);
        bind_text(ins, 3, targets[i]);
        sqlite3_bind_int64(ins, 4, t);
        sqlite3_bind_int64(ins, 5, due);
        sqlite3_bind_int64(ins, 6, happened);
        sqlite3_bind_int64(ins, 7, judged);
        step(ins);
        add_moment(judged, e->customer, e->id, M_BREACHED,
                   (int32_t)sqlite3_last_insert_rowid(g_db), i);
        (*breaches)++;
    }
    json_decref(m);
    json_decref(row);
}

/* Mandatory moments per encounter, and the optional ones (the stages in
 * between) kept with probability p so the total comes near --moments. */
static double optional_share(int64_t customers_moments)
{
    int64_t must = customers_moments, may = 0;
    for (int64_t id = 1; id <= g_opt.encounters; id++) {
        encounter e;
        encounter_gen(id, &e);
        must += 1 + (e.stage == CLOSED || e.stage == ABANDONED);
        may += (e.ack != 0) + (e.understood != 0) + (e.helped != 0) +
               (e.kept != 0);
    }
    must += g_opt.encounters / 20; /* breaches, about */
    double p = may ? (double)(g_opt.moments - must) / (double)may : 0;
    return p < 0 ? 0 : p > 1 ? 1 : p;
}

static void fill_encounters(const rp_charter *ch, double p, int64_t *breaches,
                            int64_t *tasks)
{
    sqlite3_stmt *ins = prep(
        "INSERT INTO encounters (id, customer_id, channel, subject, stage,"
        " created_at, updated_at, topic, queue_id, agent_id, acknowledged_at,"
        " first_response_at, understood_at, helped_at, kept_at, closed_at,"
        " abandoned_at, abandon_reason, request, goal, kind, kind_reason,"
        " kind_source, exchange, exchange_reason, exchange_source,"
        " kind_inferred, exchange_inferred, first_contact_resolved,"
        " first_contact_reason, priority, tags, waiting_on, thanked,"
        " satisfaction_skip_reason, arrived_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
        " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26,"
        " ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?6)");
    sqlite3_stmt *breach = prep(
        "INSERT INTO charter_breaches (encounter_id, customer_id, target,"
        " target_seconds, due_at, breached_at, judged_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    sqlite3_stmt *task = prep(
        "INSERT INTO tasks (customer_id, encounter_id, kind, purpose,"
        " channel, subject, payload, due_at, status, idempotency_key,"
        " attempts, sent_at, done_at, created_by, created_at)"
        " VALUES (?1, ?2, ?3, 'service', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
        " ?12, ?13, ?14)");
    char subject[256], buf[320], key[64], payload[64];
    for (int64_t id = 1; id <= g_opt.encounters; id++) {
        encounter e;
        encounter_gen(id, &e);
        encounter_subject(&e, subject, sizeof subject);
        int ended = e.stage == CLOSED || e.stage == ABANDONED;
        sqlite3_bind_int64(ins, 1, id);
        sqlite3_bind_int64(ins, 2, e.customer);
        bind_text(ins, 3, channels[e.channel]);
        bind_text(ins, 4, subject);
        bind_text(ins, 5, stages[e.stage]);
        sqlite3_bind_int64(ins, 6, e.created);
        sqlite3_bind_int64(ins, 7, e.updated);
        bind_text(ins, 8, topics[e.topic].topic);
        sqlite3_bind_int64(ins, 9, g_first_queue + e.queue);
        bind_time(ins, 10, e.agent);
        bind_time(ins, 11, e.ack);
        bind_time(ins, 12, e.first);
        bind_time(ins, 13, e.understood);
        bind_time(ins, 14, e.helped);
        bind_time(ins, 15, e.kept);
        bind_time(ins, 16, e.closed);
        bind_time(ins, 17, e.abandoned);
        bind_text(ins, 18,
                  e.abandoned ? "Disconnected while waiting, unresolved"
                              : NULL);
        bind_text(ins, 19, e.stage >= UNDERSTOOD ? subject : NULL);
        bind_text(ins, 20,
                  e.stage == CLOSED && e.kind == 2
                      ? "Make the most of what they bought, beyond this case"
                      : NULL);
        if (e.stage == CLOSED) {
            bind_text(ins, 21, kinds[e.kind]);
            bind_text(ins, 22, kind_reasons[e.kind]);
            bind_text(ins, 23, e.kind_by_agent ? "agent" : "inferred");
            bind_text(ins, 24, exchanges[e.exchange]);
            bind_text(ins, 25, exchange_reasons[e.exchange]);
            bind_text(ins, 26, e.exchange_by_agent ? "agent" : "inferred");
            bind_text(ins, 27, kinds[e.kind_inferred]);
            bind_text(ins, 28, exchanges[e.exchange_inferred]);
        }
        if (ended) {
            int fcr = e.stage == CLOSED && e.exchange == 0;
            sqlite3_bind_int(ins, 29, fcr);
            bind_text(ins, 30,
                      fcr ? "Resolved at first contact: what was done is "
                            "recorded"
                      : e.abandoned ? "Not resolved at first contact: it was "
                                      "abandoned"
                                    : "Not resolved at first contact: a "
                                      "follow-up is still needed");
        }
        bind_text(ins, 31, priorities[e.priority]);
        bind_text(ins, 32, e.vip ? "[\"vip\"]" : "[]");
        bind_text(ins, 33, e.waiting_on_customer ? "customer" : NULL);
        sqlite3_bind_int(ins, 34, e.thanked);
        bind_text(ins, 35,
                  e.skip_satisfaction ? "the customer asked not to be asked"
                                      : NULL);
        step(ins);

        if (e.created > g_contact[e.customer])
            g_contact[e.customer] = e.created;
        rng r = rng_for(4, (uint64_t)id);
        add_moment(e.created, e.customer, id, M_OPENED, 0, 0);
        int64_t mids[] = {e.ack, e.understood, e.helped, e.kept};
        for (int i = 0; i < 4; i++)
            if (mids[i] && chance(&r, p))
                add_moment(mids[i], e.customer, id, M_ACKNOWLEDGED + i, 0, 0);
        if (e.closed)
            add_moment(e.closed, e.customer, id, M_CLOSED, 0, 0);
        if (e.abandoned)
            add_moment(e.abandoned, e.customer, id, M_ABANDONED, 0, 0);
        if (ended)
            judge(&e, ch, breach, breaches);

        /* the follow-up of a supplemental exchange, and the satisfaction
         * check the scheduler makes of a closed encounter */
        for (int t = 0; t < 2 && e.stage == CLOSED; t++) {
            if (t == 0 && e.exchange != 1)
                continue;
            if (t == 1 && e.skip_satisfaction)
                continue;
            int64_t due = e.closed + (t == 0 ? 7 * DAY : DAY);
            int done = due < g_opt.now;
            if (t == 0) {
                snprintf(key, sizeof key, "follow_up:%lld:1", (long long)id);
                snprintf(buf, sizeof buf, "Follow up: %s", subject);
                snprintf(payload, sizeof payload, "{}");
            } else {
                snprintf(key, sizeof key, "satisfaction:encounter:%lld",
                         (long long)id);
                snprintf(buf, sizeof buf, "How did we do? %s", subject);
                snprintf(payload, sizeof payload, "{\"encounter_id\":%lld}",
                         (long long)id);
            }
            sqlite3_bind_int64(task, 1, e.customer);
            sqlite3_bind_int64(task, 2, id);
            bind_text(task, 3, t == 0 ? "follow_up" : "satisfaction_check");
            bind_text(task, 4, t == 0 ? channels[e.channel] : "email");
            bind_text(task, 5, buf);
            bind_text(task, 6, payload);
            sqlite3_bind_int64(task, 7, due);
            bind_text(task, 8, done ? (t == 0 ? "done" : "sent") : "scheduled");
            bind_text(task, 9, key);
            sqlite3_bind_int(task, 10, done && t == 1);
            bind_time(task, 11, done && t == 1 ? due + 5 : 0);
            bind_time(task, 12, done && t == 0 ? due + 3600 : 0);
            bind_text(task, 13, t == 0 ? "api" : "scheduler");
            sqlite3_bind_int64(task, 14, t == 0 ? e.kept : e.closed + 60);
            step(task);
            (*tasks)++;
        }
        if (id % 100000 == 0)
            progress("encounters", id);
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(breach);
    sqlite3_finalize(task);
}

/* Words drawn by Zipf's law over the vocabulary (rank r with weight 1/r). */
static double g_zipf[COUNT(vocabulary)];

static void zipf_init(void)
{
    double sum = 0;
    for (int i = 0; i < COUNT(vocabulary); i++)
        g_zipf[i] = (sum += 1.0 / (i + 1));
    for (int i = 0; i < COUNT(vocabulary); i++)
        g_zipf[i] /= sum;
}

static const char *zipf_word(rng *r)
{
    double u = unit(r);
    int lo = 0, hi = COUNT(vocabulary) - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (g_zipf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return vocabulary[lo];
}

static void fill_articles(void)
{
    sqlite3_stmt *a = prep(
        "INSERT INTO kb_articles (title, body, tags, helped, not_helped,"
        " created_by, created_at, updated_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    rp_buf body = RP_BUF_INIT, title = RP_BUF_INIT;
    zipf_init();
    for (int64_t id = 1; id <= g_opt.articles; id++) {
        rng r = rng_for(5, (uint64_t)id);
        rp_buf_clear(&body);
        rp_buf_clear(&title);
        const char *topic = topics[below(&r, COUNT(topics))].topic;
        rp_buf_printf(&title, "%c%s: ", topic[0] - 'a' + 'A', topic + 1);
        for (int w = 0, n = 3 + (int)below(&r, 5); w < n; w++)
            rp_buf_printf(&title, "%s%s", w ? " " : "", zipf_word(&r));
        rp_buf_printf(&title, " (%lld)", (long long)id);
        int sentences = 4 + (int)below(&r, 12);
        for (int s = 0; s < sentences; s++) {
            int words = 6 + (int)below(&r, 12);
            for (int w = 0; w < words; w++) {
                const char *word = zipf_word(&r);
                if (w == 0)
                    rp_buf_printf(&body, "%s%c%s", s ? " " : "",
                                  word[0] - 'a' + 'A', word + 1);
                else
                    rp_buf_printf(&body, " %s", word);
            }
            rp_buf_puts(&body, ".");
        }
        char tags[96];
        snprintf(tags, sizeof tags, "[\"%s\",\"%s\"]", topic, zipf_word(&r));
        int64_t created = g_t0 + (id - 1) * g_span / (g_opt.articles + 1);
        bind_text(a, 1, rp_buf_str(&title));
        bind_text(a, 2, rp_buf_str(&body));
        bind_text(a, 3, tags);
        sqlite3_bind_int64(a, 4, below(&r, 200));
        sqlite3_bind_int64(a, 5, below(&r, 40));
        sqlite3_bind_int64(a, 6, customer_agent((int64_t)id));
        sqlite3_bind_int64(a, 7, created);
        sqlite3_bind_int64(a, 8, created + below(&r, 30 * DAY));
        step(a);
    }
    rp_buf_free(&body);
    rp_buf_free(&title);
    sqlite3_finalize(a);
}

/* What one moment says, as the app words it, into *summary and *detail
 * (NULL: none); the actor, channel and impression into f. */
static void moment_words(const moment *m, rp_buf *summary, rp_buf *detail,
                         rp_ledger_fields *f, char *actor, size_t an)
{
    static const char *const breach_words[] = {
        "Waited longer than the acknowledgement target",
        "No first response within the target",
        "Not resolved within the target",
    };
    rp_buf_clear(summary);
    rp_buf_clear(detail);
    f->channel = NULL;
    f->impression = NULL;
    snprintf(actor, an, "agent:%lld", (long long)customer_agent(m->customer));
    f->actor = actor;
    if (m->kind == M_CUSTOMER_CREATED || m->kind == M_RELATIONSHIP) {
        customer c;
        char name[128];
        customer_gen(m->customer, &c);
        customer_name(&c, name, sizeof name);
        if (m->kind == M_CUSTOMER_CREATED) {
            f->kind = "customer.created";
            rp_buf_printf(summary, "Became a customer: %s", name);
            if (c.imported)
                f->actor = "cli";
        } else {
            f->kind = "relationship.changed";
            f->actor = "scheduler";
            rp_buf_printf(summary, "Relationship %s -> %s: %s",
                          levels[m->aux - 1], levels[m->aux],
                          level_why[m->aux]);
            rp_buf_printf(detail,
                          "{\"previous_level\":\"%s\",\"level\":\"%s\"}",
                          levels[m->aux - 1], levels[m->aux]);
        }
        return;
    }
    encounter e;
    char subject[256];
    encounter_gen(m->encounter, &e);
    encounter_subject(&e, subject, sizeof subject);
    f->channel = channels[e.channel];
    if (e.channel == EMAIL && m->kind == M_OPENED)
        f->actor = "mail";
    else if (e.agent)
        snprintf(actor, an, "agent:%lld", (long long)e.agent);
    switch (m->kind) {
    case M_OPENED:
        f->kind = "encounter.opened";
        rp_buf_printf(summary, "Encounter opened (%s): %s", f->channel,
                      subject);
        break;
    case M_ACKNOWLEDGED: {
        customer c;
        customer_gen(e.customer, &c);
        int64_t w = e.ack - e.created;
        f->kind = "encounter.acknowledged";
        rp_buf_printf(summary,
                      "Acknowledged after %lld min %lld s; greeted "
                      "as %s",
                      (long long)(w / 60), (long long)(w % 60), first_name(&c));
        rp_buf_printf(detail, "{\"wait_seconds\":%lld,\"request_known\":true}",
                      (long long)w);
        break;
    }
    case M_UNDERSTOOD:
        f->kind = "encounter.understood";
        rp_buf_puts(summary, "Received and acknowledged; listening for the "
                             "need");
        break;
    case M_HELPED:
        f->kind = "encounter.helped";
        rp_buf_printf(summary, "Understood: %s", subject);
        break;
    case M_KEPT:
        f->kind = "encounter.kept";
        rp_buf_printf(summary, "Helped: agreed to look into %s", subject);
        break;
    case M_CLOSED:
        f->kind = "encounter.closed";
        f->impression = e.kind == 2 || e.exchange == 2 ? "positive" : "neutral";
        rp_buf_printf(summary, "Closed (kind %s, exchange %s): %s",
                      kinds[e.kind], exchanges[e.exchange], subject);
        break;
    case M_ABANDONED:
        f->kind = "encounter.abandoned";
        f->impression = "negative";
        rp_buf_printf(summary, "Abandoned at stage received: Disconnected "
                               "while waiting, unresolved");
        break;
    default:
        f->kind = "charter.breached";
        f->actor = "scheduler";
        f->impression = "negative";
        rp_buf_printf(summary, "%s", breach_words[m->extra]);
        rp_buf_printf(detail, "{\"breach_id\":%d}", m->aux);
        break;
    }
}

/* Append every gathered moment in time order, each sealed onto the one
 * before it. */
static void fill_moments(char (*keys)[HASH_HEX])
{
    qsort(g_m, g_nm, sizeof *g_m, by_time);
    progress("moments sorted", (int64_t)g_nm);
    sqlite3_stmt *ins = prep(
        "INSERT INTO moments (id, customer_id, encounter_id, occurred_at,"
        " actor, channel, kind, summary, impression, detail, content_hash,"
        " chain_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
        " ?12)");
    rp_buf summary = RP_BUF_INIT, detail = RP_BUF_INIT;
    char prev[HASH_HEX] = "", content[HASH_HEX], chain[HASH_HEX], actor[48];
    for (size_t i = 0; i < g_nm; i++) {
        const moment *m = &g_m[i];
        if (m->at > g_active[m->customer])
            g_active[m->customer] = m->at;
        rp_ledger_fields f = {.id = (int64_t)i + 1,
                              .occurred_at = m->at,
                              .customer_id = m->customer,
                              .encounter_id = m->encounter};
        moment_words(m, &summary, &detail, &f, actor, sizeof actor);
        const char *d = detail.len ? rp_buf_str(&detail) : NULL;
        if (rp_ledger_content_hash(keys[m->customer], rp_buf_str(&summary), d,
                                   content) ||
            (f.content_hash = content,
             rp_ledger_chain_hash(prev[0] ? prev : NULL, &f, chain))) {
            fprintf(stderr, "rapport-gen: cannot seal moment %zu\n", i + 1);
            exit(1);
        }
        sqlite3_bind_int64(ins, 1, f.id);
        sqlite3_bind_int64(ins, 2, m->customer);
        bind_time(ins, 3, m->encounter);
        sqlite3_bind_int64(ins, 4, m->at);
        bind_text(ins, 5, f.actor);
        bind_text(ins, 6, f.channel);
        bind_text(ins, 7, f.kind);
        bind_text(ins, 8, rp_buf_str(&summary));
        bind_text(ins, 9, f.impression);
        bind_text(ins, 10, d);
        bind_text(ins, 11, content);
        bind_text(ins, 12, chain);
        step(ins);
        memcpy(prev, chain, sizeof prev);
        if ((i + 1) % 2000000 == 0)
            progress("moments", (int64_t)i + 1);
    }
    rp_buf_free(&summary);
    rp_buf_free(&detail);
    sqlite3_finalize(ins);
}

static rp_charter load_charter(void)
{
    rp_charter c = rp_charter_defaults;
    sqlite3_stmt *st = prep("SELECT key, value FROM charter");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        int64_t v = sqlite3_column_int64(st, 1);
        if (!strcmp(k, "acknowledge_minutes"))
            c.acknowledge_minutes = v;
        else if (!strcmp(k, "first_response_minutes"))
            c.first_response_minutes = v;
        else if (!strcmp(k, "resolution_hours"))
            c.resolution_hours = v;
        else if (!strcmp(k, "follow_up_on_time"))
            c.follow_up_on_time = (int)v;
    }
    sqlite3_finalize(st);
    return c;
}

/* The indexes of the tables filled in bulk, taken off before the load and
 * made again after it from their own definitions (rp_buf of statements):
 * building an index once from sorted keys is several times faster than
 * keeping it up to date row by row, and the schema ends the same. */
static void drop_indexes(rp_buf *again)
{
    sqlite3_stmt *st = prep(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index'"
        " AND sql IS NOT NULL AND tbl_name IN ('customers', 'encounters',"
        " 'moments', 'tasks', 'identities', 'relationship_levels',"
        " 'charter_breaches', 'kb_articles')");
    rp_buf drop = RP_BUF_INIT;
    while (sqlite3_step(st) == SQLITE_ROW) {
        rp_buf_printf(&drop, "DROP INDEX \"%s\";",
                      (const char *)sqlite3_column_text(st, 0));
        rp_buf_printf(again, "%s;", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    run(rp_buf_str(&drop));
    rp_buf_free(&drop);
}

/* The triggers that keep, row by row, what the app derives from the
 * bulk tables: taken off during the load (each would cost an update, an
 * index entry or a lookup per row, most of the load's time at millions of
 * rows) and made again from their own definitions after derive() has
 * made in one pass what they would have made.  A trigger not named here
 * stays on and does its work row by row. */
static const char *const bulk_triggers[] = {
    "customers_fts_ai",               /* the search index: rebuilt */
    "customers_levels_ai",            /* measure_levels: the rollups' rebuild */
    "encounters_charter_watch",       /* the open encounters, inserted */
    "customers_contact_on_encounter", /* contact_at: g_contact */
    "encounters_fts_ai",              /* rebuilt */
    "encounters_rollup_ai",           /* the rollups' rebuild */
    "encounters_breaches_ai",         /* the rollups' rebuild */
    "kb_articles_ai",                 /* kb_fts: rebuilt */
    "customers_active_on_moment",     /* active_at: g_active */
};

static void drop_triggers(rp_buf *again)
{
    sqlite3_stmt *st = prep("SELECT sql FROM sqlite_schema"
                            " WHERE type = 'trigger' AND name = ?1");
    for (int i = 0; i < COUNT(bulk_triggers); i++) {
        bind_text(st, 1, bulk_triggers[i]);
        if (sqlite3_step(st) == SQLITE_ROW) {
            rp_buf_printf(again, "%s;",
                          (const char *)sqlite3_column_text(st, 0));
            char drop[96];
            snprintf(drop, sizeof drop, "DROP TRIGGER \"%s\"",
                     bulk_triggers[i]);
            run(drop);
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
}

/* What the triggers of bulk_triggers would have made, in one pass each:
 * each customer's last contact and activity, the charter watch of the
 * open encounters (the sweep judges those on its first run), the rollups
 * of the measures by the app's own rebuild (sqlite_rollup.h), and the
 * search indexes built from their tables. */
static void derive(void)
{
    sqlite3_stmt *u = prep("UPDATE customers SET contact_at = ?2,"
                           " active_at = ?3 WHERE id = ?1");
    for (int64_t id = 1; id <= g_opt.customers; id++) {
        customer c;
        customer_gen(id, &c);
        /* the triggers move a time only forward from created_at */
        int64_t contact = g_contact[id] > c.created ? g_contact[id] : 0;
        int64_t active = g_active[id] > c.created ? g_active[id] : 0;
        if (!contact && !active)
            continue;
        sqlite3_bind_int64(u, 1, id);
        bind_time(u, 2, contact);
        bind_time(u, 3, active);
        step(u);
    }
    sqlite3_finalize(u);
    progress("contact and activity", g_opt.customers);
    run("INSERT INTO charter_watch (encounter_id, next_at)"
        " SELECT id, created_at FROM encounters"
        " WHERE stage NOT IN ('closed','abandoned')");
    run(RU_FILL " DELETE FROM measure_breaches; " RBT_FILL ";"
        " DELETE FROM measure_breach_list; " RBL_FILL ";");
    progress("charter watch and rollups", g_opt.encounters);
    run("DELETE FROM customers_fts_pending;"
        " INSERT INTO customers_fts (customers_fts) VALUES ('rebuild');");
    progress("customer search index", g_opt.customers);
    run("DELETE FROM encounters_fts_pending;"
        " INSERT INTO encounters_fts (encounters_fts) VALUES ('rebuild');"
        /* a rebuild leaves merges of its own segments under way, which
         * every later create would take a share of; one segment, as
         * migration 123 leaves an upgraded desk */
        " INSERT INTO encounters_fts (encounters_fts) VALUES ('optimize');");
    progress("encounter search index", g_opt.encounters);
    run("INSERT INTO kb_fts (kb_fts) VALUES ('rebuild');");
    progress("knowledge search index", g_opt.articles);
}

/* Bring the schema up to date the way rapportd does on start. */
static void migrate(const char *path)
{
    rp_store *s = NULL;
    rp_error err = {0};
    char *name = malloc(strlen(path) + 8);
    sprintf(name, "sqlite:%s", path);
    if (rp_store_open(name, &s, &err) != RP_OK) {
        fprintf(stderr, "rapport-gen: %s: %s\n", path, err.message);
        exit(1);
    }
    s->ops->close(s);
    free(name);
}

int main(int argc, char **argv)
{
    g_opt = parse(argc, argv);
    if (sodium_init() < 0)
        return 1;
    clock_gettime(CLOCK_MONOTONIC, &g_start);
    g_span = g_opt.years * 365 * DAY;
    g_t0 = g_opt.now - g_span;
    if (g_opt.encounters > INT32_MAX || g_opt.customers > INT32_MAX ||
        g_span / (g_opt.encounters + 1) < 1) {
        fprintf(stderr, "rapport-gen: too many encounters for the years\n");
        return 2;
    }
    migrate(g_opt.db);
    if (sqlite3_open(g_opt.db, &g_db) != SQLITE_OK)
        die(g_opt.db);
    if (scalar("SELECT count(*) FROM customers") ||
        scalar("SELECT count(*) FROM encounters")) {
        fprintf(stderr,
                "rapport-gen: %s already holds customers or "
                "encounters; give a new database\n",
                g_opt.db);
        return 1;
    }
    /* bulk load: no journal (a failed run leaves a file to delete), the
     * page cache large, the write-ahead log back on at the end */
    run("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
        " PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY;"
        " PRAGMA foreign_keys = OFF; BEGIN");
    /* a CHECK (x IN (...)) builds a temporary B-tree per statement, most
     * of the load's time; --checked keeps the checks (the test does) */
    if (!g_opt.checked)
        run("PRAGMA ignore_check_constraints = ON");
    rp_charter ch = load_charter();
    rp_buf indexes = RP_BUF_INIT, triggers = RP_BUF_INIT;
    drop_indexes(&indexes);
    drop_triggers(&triggers);
    fill_staff();
    size_t ncust = (size_t)g_opt.customers + 1;
    char(*keys)[HASH_HEX] = calloc(ncust, HASH_HEX);
    g_contact = calloc(ncust, sizeof *g_contact);
    g_active = calloc(ncust, sizeof *g_active);
    if (!keys || !g_contact || !g_active) {
        fprintf(stderr, "rapport-gen: out of memory\n");
        return 1;
    }
    fill_customers(keys);
    progress("customers", g_opt.customers);
    double p = optional_share((int64_t)g_nm);
    int64_t breaches = 0, tasks = 0;
    fill_encounters(&ch, p, &breaches, &tasks);
    progress("encounters", g_opt.encounters);
    fill_articles();
    progress("articles", g_opt.articles);
    fill_moments(keys);
    progress("moments", (int64_t)g_nm);
    derive();
    run_each(rp_buf_str(&indexes));
    rp_buf_free(&indexes);
    progress("indexes", 0);
    run(rp_buf_str(&triggers));
    rp_buf_free(&triggers);
    run("COMMIT");
    run("PRAGMA ignore_check_constraints = OFF; PRAGMA analysis_limit = 2000;"
        " ANALYZE; PRAGMA journal_mode = WAL");
    progress("statistics", 0);
    printf("customers %lld\nencounters %lld\nmoments %zu\narticles %lld\n"
           "breaches %lld\ntasks %lld\nagents %lld\nseconds %.1f\n",
           (long long)g_opt.customers, (long long)g_opt.encounters, g_nm,
           (long long)g_opt.articles, (long long)breaches, (long long)tasks,
           (long long)g_opt.agents, seconds_since(&g_start));
    free(keys);
    free(g_contact);
    free(g_active);
    free(g_m);
    sqlite3_close(g_db);
    return 0;
}
