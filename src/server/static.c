/*
 * static.c - serving the agent console's files from the web root.
 *
 * Only plain files under the root are served; paths with ".." or hidden
 * segments are refused, so nothing outside the root can be read.  HTML
 * pages carry a Content-Security-Policy that allows scripts, styles and
 * connections to this origin only and no inline code at all, so text that
 * a customer typed can never run as script even if a view mishandled it.
 *
 * Without --web-root, rapportd looks for the console where it is installed
 * (<prefix>/share/rapport/web beside <prefix>/bin/rapportd) and then in the
 * source tree it was built from, so both `make install` and a build tree
 * serve the console with no option.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server.h"
#include "server_internal.h"

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

static const char csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'";

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
    /* Revalidate every time: the files are small and a stale script after
     * an upgrade would talk to an API that changed under it. */
    rp_reply_header(res, "Cache-Control", "no-cache");
    if (strncmp(res->content_type, "text/html", 9) == 0) {
        rp_reply_header(res, "Content-Security-Policy", csp);
        rp_reply_header(res, "Referrer-Policy", "same-origin");
        rp_reply_header(res, "X-Frame-Options", "DENY");
    }
    return 1;
}

/* Is dir a directory holding the console (an index.html)? */
static int is_console_dir(const char *dir)
{
    char path[1024];
    struct stat st;
    if ((size_t)snprintf(path, sizeof path, "%s/index.html", dir) >=
        sizeof path)
        return 0;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

const char *rp_static_default_root(void)
{
    static char installed[1024];
    char exe[900];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(installed, sizeof installed, "%s/../share/rapport/web",
                     exe);
            if (is_console_dir(installed))
                return installed;
        }
    }
#ifdef RP_SOURCE_WEB_ROOT
    if (is_console_dir(RP_SOURCE_WEB_ROOT))
        return RP_SOURCE_WEB_ROOT;
#endif
    return NULL;
}

/* For the fuzz harnesses (server_internal.h). */
int rp_static_path_is_safe(const char *url)
{
    return safe_path(url);
}
