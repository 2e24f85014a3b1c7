/*
 * corpus.c - reading the mail corpus and its expectations (corpus.h), and
 * making the one message too big to commit.
 */
#include "corpus.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p) {
        p[n] = 0;
        *size = (size_t)n;
    }
    return p;
}

static json_t *read_expect(const char *path)
{
    size_t size;
    char *text = (char *)slurp(path, &size);
    if (!text)
        return NULL;
    json_t *o = json_object();
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l;
         l = strtok_r(NULL, "\n", &save)) {
        char *colon = strstr(l, ": ");
        if (!colon)
            continue;
        *colon = '\0';
        json_t *list = json_object_get(o, l);
        if (!list) {
            list = json_array();
            json_object_set_new(o, l, list);
        }
        json_array_append_new(list, json_string(colon + 2));
    }
    free(text);
    return o;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const rp_corpus_item *)a)->name,
                  ((const rp_corpus_item *)b)->name);
}

int rp_corpus_load(const char *dir, rp_corpus_item **items)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0, cap = 64;
    rp_corpus_item *v = calloc((size_t)cap, sizeof *v);
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".eml") != 0)
            continue;
        if (n == cap)
            v = realloc(v, (size_t)(cap *= 2) * sizeof *v);
        char path[4096];
        rp_corpus_item *it = &v[n];
        it->name = strndup(e->d_name, len - 4);
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        it->raw = slurp(path, &it->size);
        snprintf(path, sizeof path, "%s/%s.expect", dir, it->name);
        it->expect = read_expect(path);
        if (!it->raw || !it->expect) {
            fprintf(stderr, "corpus: cannot read %s\n", path);
            closedir(d);
            rp_corpus_free(v, n + 1);
            return -1;
        }
        n++;
    }
    closedir(d);
    qsort(v, (size_t)n, sizeof *v, by_name);
    *items = v;
    return n;
}

const char *rp_corpus_get(const rp_corpus_item *it, const char *key)
{
    return json_string_value(
        json_array_get(json_object_get(it->expect, key), 0));
}

json_t *rp_corpus_all(const rp_corpus_item *it, const char *key)
{
    static json_t *empty;
    json_t *v = json_object_get(it->expect, key);
    if (v)
        return v;
    if (!empty)
        empty = json_array();
    return empty;
}

void rp_corpus_free(rp_corpus_item *items, int n)
{
    for (int i = 0; i < n; i++) {
        free(items[i].name);
        free(items[i].raw);
        json_decref(items[i].expect);
    }
    free(items);
}

unsigned char *rp_corpus_big_message(const char *sender, size_t size,
                                     size_t *len)
{
    char head[1024];
    int h = snprintf(head, sizeof head,
                     "From: Big Sender <%s>\r\n"
                     "To: help@acme-tailors.example\r\n"
                     "Subject: The scans of every page\r\n"
                     "Date: Tue, 01 Dec 2026 12:00:00 +0100\r\n"
                     "Message-ID: <big-%zu@example.com>\r\n"
                     "MIME-Version: 1.0\r\n"
                     "Content-Type: multipart/mixed; boundary=\"BIG\"\r\n"
                     "\r\n--BIG\r\n"
                     "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                     "Here are the scans, all of them.\r\n"
                     "--BIG\r\n"
                     "Content-Type: application/octet-stream; "
                     "name=\"scans.bin\"\r\n"
                     "Content-Disposition: attachment; "
                     "filename=\"scans.bin\"\r\n"
                     "Content-Transfer-Encoding: base64\r\n\r\n",
                     sender, size);
    const char *tail = "--BIG--\r\n";
    /* 76 base64 characters and CRLF a line: 57 bytes of data */
    size_t lines = (size - (size_t)h - strlen(tail)) / 78;
    unsigned char *p = malloc((size_t)h + lines * 78 + strlen(tail) + 1);
    memcpy(p, head, (size_t)h);
    unsigned char *w = p + h;
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < lines; i++) {
        for (int k = 0; k < 76; k++)
            *w++ = (unsigned char)b64[(i * 7 + (size_t)k) & 63];
        *w++ = '\r';
        *w++ = '\n';
    }
    memcpy(w, tail, strlen(tail));
    w += strlen(tail);
    *w = 0;
    *len = (size_t)(w - p);
    return p;
}
