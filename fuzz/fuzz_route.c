/*
 * fuzz_route.c - the route matcher (http.c) and the static-file path guard
 * (static.c), on any method and path.
 *
 * The input is "METHOD PATH", the path as libmicrohttpd hands it to
 * rapportd (already %-decoded).  Checked beyond the sanitizers: a matched
 * route has that method and as many parameters as its pattern has {name}
 * segments, each non-empty, without '/', and a piece of the path; a path
 * the guard lets through names nothing outside the web root: no "."
 * or ".." segment, no backslash, no control character.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "server/server_internal.h"

static void fail(const char *why, const char *method, const char *path)
{
    fprintf(stderr, "fuzz: %s: %s \"%s\"\n", why, method, path);
    abort();
}

static void check_route(const char *method, const char *path)
{
    rp_request req;
    memset(&req, 0, sizeof req);
    char allowed[128];
    const rp_route *r = rp_route_find(method, path, &req, allowed,
                                      sizeof allowed);
    if (!r)
        return;
    if (strcmp(r->method, method))
        fail("a route of another method", method, path);
    int braces = 0;
    for (const char *p = r->pattern; (p = strchr(p, '{')); p++)
        braces++;
    if (req.nparams != braces)
        fail("a route with the wrong number of parameters", method, path);
    for (int i = 0; i < req.nparams; i++) {
        const char *v = req.params[i];
        if (!*v || strchr(v, '/') || !strstr(path, v))
            fail("a parameter that is not a segment of the path", method, path);
    }
    if (!strstr(allowed, method))
        fail("a matched method missing from the allowed ones", method, path);
}

static void check_static(const char *path)
{
    if (!rp_static_path_is_safe(path))
        return;
    if (path[0] != '/' || strchr(path, '\\') || strlen(path) >= 256)
        fail("an unsafe path let through", "GET", path);
    for (const char *p = path; *p; p++) {
        if ((unsigned char)*p < 0x20)
            fail("a control character let through", "GET", path);
        if (p[0] == '/' && p[1] == '.')
            fail("a hidden or parent segment let through", "GET", path);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1024)
        return 0;
    char *pieces[2], *copy;
    if (rp_fuzz_split(data, size, ' ', pieces, 2, &copy) == 2) {
        check_route(pieces[0], pieces[1]);
        check_static(pieces[1]);
    }
    free(copy);
    return 0;
}
