/*
 * server_internal.h - the parsers inside rapportd, reachable without a
 * connection.
 *
 * The route matcher, the static-file path guard and the form parser are
 * private to their files; the fuzz harnesses (fuzz/) drive them directly
 * through these entry points, with the very code rapportd runs, rather
 * than through a copy or a socket.  Nothing in rapportd calls them by these
 * names.
 */
#ifndef RP_SERVER_INTERNAL_H
#define RP_SERVER_INTERNAL_H

#include "http.h"

/*
 * The route of the table that serves method on path (http.c), filling
 * req->params, req->nparams and req->pathbuf; NULL when none does.
 * *allowed gets the methods the path takes, comma separated, for a 405.
 */
const rp_route *rp_route_find(const char *method, const char *path,
                              rp_request *req, char *allowed,
                              size_t allowed_size);

/* 1 when url may be looked up under the web root (static.c): it starts
 * with '/', has no hidden or ".." segment, no backslash, no control
 * character, and is shorter than 256 bytes. */
int rp_static_path_is_safe(const char *url);

/*
 * A satisfaction form's body (application/x-www-form-urlencoded, len
 * bytes) as the JSON that rp_satisfaction_answer takes
 * (routes_satisfaction.c).  A score or a text that cannot be read leaves a
 * sentence for the customer in problem (psize bytes).  NULL when out of
 * memory.
 */
json_t *rp_form_to_json(const char *form, size_t len, char *problem,
                        size_t psize);

#endif
