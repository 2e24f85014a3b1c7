/*
 * tz.c - a small reader of the tz database's compiled zone files (TZif,
 * RFC 8536), and civil dates (see tz.h for why rapport reads the files
 * itself rather than switching TZ per call).
 *
 * A zone is its transitions (instants where the offset changes, each
 * naming a local time type) and the POSIX rule of its footer for instants
 * after the last one.  Version 2+ files hold the transitions twice, in 32
 * and in 64 bits; the 64-bit block is read.  Loaded zones go on a list
 * guarded by a mutex and are never changed or freed afterwards, so a
 * zone in hand is read without any lock.
 */
#include "base/tz.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TZ_DIR "/usr/share/zoneinfo/"
#define TZ_FILE_MAX (1 << 20)
#define TZ_NAME_MAX 100

/* One date of a POSIX rule, "Mm.w.d/time": weekday d (0 Sunday) of week w
 * (1..4, 5 the last) of month m, at secs past local midnight. */
typedef struct rule_date {
    int month, week, wday;
    int32_t secs;
} rule_date;

struct rp_tz {
    char *name;
    int ntrans, ntypes;
    int64_t *trans;  /* instants of the transitions, ascending */
    uint8_t *idx;    /* the local time type each transition starts */
    int32_t *offset; /* of each type: seconds east of UTC */
    /* the footer's rule, for instants after the last transition */
    int has_rule, has_dst;
    int32_t std_off, dst_off;
    rule_date start, end;
    struct rp_tz *next;
};

static pthread_mutex_t zones_lock = PTHREAD_MUTEX_INITIALIZER;
static rp_tz *zones;

/* ---- civil dates ---------------------------------------------------------
 * Howard Hinnant's algorithms: exact for the proleptic Gregorian calendar,
 * and independent of the process's TZ. */

int64_t rp_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void rp_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int rp_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday */
    int64_t w = (days + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

static int days_in_month(int64_t y, int m)
{
    static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : n[m - 1];
}

int rp_date_parse(const char *s, int64_t *days)
{
    int y, m, d, used = 0;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 || used != 10)
        return -1;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    *days = rp_days_from_civil(y, m, d);
    return 0;
}

void rp_date_format(int64_t days, char out[16])
{
    int64_t y;
    int m, d;
    rp_civil_from_days(days, &y, &m, &d);
    snprintf(out, 16, "%04lld-%02d-%02d", (long long)y, m, d);
}

/* ---- the POSIX rule of a zone file's footer ------------------------------ */

/* [+-]hh[:mm[:ss]] at *p; advances *p.  -1 when there is none. */
static int parse_hms(const char **p, int32_t *out)
{
    const char *s = *p;
    int sign = 1;
    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    if (*s < '0' || *s > '9')
        return -1;
    int32_t part[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        if (i > 0) {
            if (*s != ':')
                break;
            s++;
        }
        if (*s < '0' || *s > '9')
            return -1;
        int v = 0;
        while (*s >= '0' && *s <= '9' && v < 1000)
            v = v * 10 + (*s++ - '0');
        part[i] = v;
    }
    *out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
    *p = s;
    return 0;
}

/* A zone abbreviation: letters, or anything within <...>. */
static int skip_name(const char **p)
{
    const char *s = *p;
    if (*s == '<') {
        while (*s && *s != '>')
            s++;
        if (*s != '>')
            return -1;
        *p = s + 1;
        return 0;
    }
    while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
        s++;
    if (s - *p < 3)
        return -1;
    *p = s;
    return 0;
}

/* ",Mm.w.d[/time]"; only the month form is read (every zone in use
 * today writes it); -1 for the others, and the last transition's offset
 * is kept then. */
static int parse_rule_date(const char **p, rule_date *r)
{
    const char *s = *p;
    if (*s++ != ',' || *s++ != 'M')
        return -1;
    if (sscanf(s, "%d.%d.%d", &r->month, &r->week, &r->wday) != 3)
        return -1;
    if (r->month < 1 || r->month > 12 || r->week < 1 || r->week > 5 ||
        r->wday < 0 || r->wday > 6)
        return -1;
    while (*s && *s != '/' && *s != ',')
        s++;
    r->secs = 7200;
    if (*s == '/') {
        s++;
        if (parse_hms(&s, &r->secs))
            return -1;
    }
    *p = s;
    return 0;
}

static void parse_footer(rp_tz *z, const char *s)
{
    int32_t off;
    if (skip_name(&s) || parse_hms(&s, &off))
        return;
    z->std_off = -off; /* POSIX offsets count west of Greenwich */
    if (!*s) {
        z->has_rule = 1;
        return;
    }
    if (skip_name(&s))
        return;
    z->dst_off = z->std_off + 3600;
    if (*s && *s != ',') {
        if (parse_hms(&s, &off))
            return;
        z->dst_off = -off;
    }
    if (parse_rule_date(&s, &z->start) || parse_rule_date(&s, &z->end) || *s)
        return;
    z->has_rule = z->has_dst = 1;
}

/* The instant, in year y, of rule date r read in a clock at offset off. */
static int64_t rule_instant(const rule_date *r, int64_t y, int32_t off)
{
    int64_t first = rp_days_from_civil(y, r->month, 1);
    int day = 1 + (r->wday - rp_weekday(first) + 7) % 7 + (r->week - 1) * 7;
    while (day > days_in_month(y, r->month))
        day -= 7;
    return (first + day - 1) * 86400 + r->secs - off;
}

static int32_t rule_offset(const rp_tz *z, int64_t t)
{
    if (!z->has_dst)
        return z->std_off;
    int64_t y;
    int m, d;
    int64_t local = t + z->std_off;
    int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    rp_civil_from_days(days, &y, &m, &d);
    int64_t on = rule_instant(&z->start, y, z->std_off);
    int64_t off = rule_instant(&z->end, y, z->dst_off);
    int dst = on < off ? (t >= on && t < off) : !(t >= off && t < on);
    return dst ? z->dst_off : z->std_off;
}

/* ---- reading a zone file ------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct counts {
    uint32_t isut, isstd, leap, time, type, chars;
} counts;

static int read_header(const unsigned char *p, size_t left, counts *c)
{
    if (left < 44 || memcmp(p, "TZif", 4))
        return -1;
    c->isut = be32(p + 20);
    c->isstd = be32(p + 24);
    c->leap = be32(p + 28);
    c->time = be32(p + 32);
    c->type = be32(p + 36);
    c->chars = be32(p + 40);
    if (c->type == 0 || c->type > 256 || c->time > 100000 || c->leap > 10000 ||
        c->chars > 10000 || c->isut > 256 || c->isstd > 256)
        return -1;
    return 0;
}

static size_t block_size(const counts *c, int wide)
{
    size_t t = wide ? 8 : 4;
    return c->time * t + c->time + c->type * 6 + c->chars + c->leap * (t + 4) +
           c->isstd + c->isut;
}

/* Parse the file's bytes into z; -1 when they are not a zone file. */
static int parse_tzif(rp_tz *z, const unsigned char *buf, size_t n)
{
    counts c;
    if (read_header(buf, n, &c))
        return -1;
    const unsigned char *p = buf + 44;
    int wide = buf[4] >= '2';
    if (wide) {
        size_t skip = block_size(&c, 0);
        if (44 + skip > n || read_header(p + skip, n - 44 - skip, &c))
            return -1;
        p += skip + 44;
    }
    size_t tsize = wide ? 8 : 4;
    if ((size_t)(p - buf) + block_size(&c, wide) > n)
        return -1;
    z->ntrans = (int)c.time;
    z->ntypes = (int)c.type;
    z->trans = calloc(c.time + 1, sizeof *z->trans);
    z->idx = calloc(c.time + 1, 1);
    z->offset = calloc(c.type, sizeof *z->offset);
    if (!z->trans || !z->idx || !z->offset)
        return -1;
    for (uint32_t i = 0; i < c.time; i++)
        z->trans[i] = wide ? be64(p + i * 8) : (int32_t)be32(p + i * 4);
    p += c.time * tsize;
    for (uint32_t i = 0; i < c.time; i++)
        if ((z->idx[i] = p[i]) >= c.type)
            return -1;
    p += c.time;
    for (uint32_t i = 0; i < c.type; i++)
        z->offset[i] = (int32_t)be32(p + i * 6);
    p += block_size(&c, wide) - c.time * tsize - c.time;
    /* the footer: "\n<POSIX TZ>\n" */
    if (wide && (size_t)(p - buf) < n && *p == '\n') {
        const unsigned char *end = memchr(p + 1, '\n',
                                          n - (size_t)(p - buf) - 1);
        if (end) {
            char rule[128];
            size_t len = (size_t)(end - p - 1);
            if (len < sizeof rule) {
                memcpy(rule, p + 1, len);
                rule[len] = 0;
                parse_footer(z, rule);
            }
        }
    }
    return 0;
}

static void tz_free(rp_tz *z)
{
    if (!z)
        return;
    free(z->name);
    free(z->trans);
    free(z->idx);
    free(z->offset);
    free(z);
}

static int name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > TZ_NAME_MAX || name[0] == '/' || name[0] == '.' ||
        strstr(name, ".."))
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
              (*p >= '0' && *p <= '9') || *p == '/' || *p == '_' || *p == '-' ||
              *p == '+'))
            return 0;
    return 1;
}

static rp_tz *read_zone(const char *name)
{
    char path[sizeof TZ_DIR + TZ_NAME_MAX];
    snprintf(path, sizeof path, "%s%s", TZ_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = malloc(TZ_FILE_MAX);
    size_t n = buf ? fread(buf, 1, TZ_FILE_MAX, f) : 0;
    fclose(f);
    rp_tz *z = calloc(1, sizeof *z);
    if (!buf || !z || parse_tzif(z, buf, n) || !(z->name = strdup(name))) {
        tz_free(z);
        z = NULL;
    }
    free(buf);
    return z;
}

rp_code rp_tz_load(const char *name, const char *field, const rp_tz **out,
                   rp_error *err)
{
    /* not one of the zones there are: "not_allowed" (base/error.h), as a
     * value outside a field's list */
    if (!name || !name_ok(name)) {
        rp_error_set(err, RP_EINVALID, field,
                     "%s must be a time zone of the tz database such as "
                     "Europe/Madrid",
                     field);
        return rp_error_because(err, "not_allowed", 0);
    }
    pthread_mutex_lock(&zones_lock);
    rp_tz *z = zones;
    while (z && strcmp(z->name, name))
        z = z->next;
    if (!z && (z = read_zone(name))) {
        z->next = zones;
        zones = z;
    }
    pthread_mutex_unlock(&zones_lock);
    if (!z) {
        rp_error_set(err, RP_EINVALID, field,
                     "%s names no time zone of the tz database (such as "
                     "Europe/Madrid or America/New_York)",
                     field);
        return rp_error_because(err, "not_allowed", 0);
    }
    *out = z;
    return RP_OK;
}

const char *rp_tz_name(const rp_tz *z)
{
    return z->name;
}

int32_t rp_tz_offset(const rp_tz *z, int64_t t)
{
    if (z->ntrans == 0)
        return z->has_rule ? rule_offset(z, t) : z->offset[0];
    if (t < z->trans[0])
        return z->offset[0];
    if (t >= z->trans[z->ntrans - 1] && z->has_rule)
        return rule_offset(z, t);
    int lo = 0, hi = z->ntrans - 1; /* the last transition at or before t */
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (z->trans[mid] <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    return z->offset[z->idx[lo]];
}

int64_t rp_tz_local_to_utc(const rp_tz *z, int64_t local)
{
    /* Offsets change at most a few times a year, so the offsets a day
     * either side are the only candidates. */
    int32_t before = rp_tz_offset(z, local - 86400);
    int32_t after = rp_tz_offset(z, local + 86400);
    int64_t u1 = local - before, u2 = local - after;
    int ok1 = rp_tz_offset(z, u1) == before;
    int ok2 = rp_tz_offset(z, u2) == after;
    if (ok1 && ok2)
        return u1 < u2 ? u1 : u2;
    if (ok2)
        return u2;
    return u1; /* shown once with the earlier offset, or skipped */
}
