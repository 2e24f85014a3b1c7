/*
 * static.c - serving the agent console's files from the web root.
 *
 * Only plain files under the root are served; paths with ".." or hidden
 * segments are refused, so nothing outside the root can be read.  The
 * Content-Security-Policy allows scripts and styles from this origin only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "server.h"

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".json", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
};

static const char *type_for(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcmp(dot, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

static int safe_path(const char *url)
{
    if (url[0] != '/' || strstr(url, "/.") || strchr(url, '\\'))
        return 0;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p < 0x20)
            return 0;
    return strlen(url) < 256;
}

int rp_static_serve(rp_server *srv, const char *url, rp_response *res)
{
    if (!srv->web_root || !safe_path(url))
        return 0;
    char path[1024];
    snprintf(path, sizeof path, "%s%s", srv->web_root,
             strcmp(url, "/") == 0 ? "/index.html" : url);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 8 << 20)
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char *data = malloc((size_t)st.st_size + 1);
    size_t n = data ? fread(data, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (!data || n != (size_t)st.st_size) {
        free(data);
        return 0;
    }
    res->status = 200;
    res->text = data;
    res->text_len = n;
    res->content_type = type_for(path);
    return 1;
}
