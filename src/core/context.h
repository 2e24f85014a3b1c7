/*
 * context.h - what every call into the core carries: which store, and who
 * is acting.  Every subsystem header includes this one.
 */
#ifndef RP_CONTEXT_H
#define RP_CONTEXT_H

#include <stdint.h>

#include "base/base.h"
#include "store/store.h"

#define RP_VERSION "0.1.0"

/* Who is doing what, with which store.  Cheap to make per request. */
typedef struct rp_ctx {
    rp_store *store;
    const char *actor; /* recorded on moments: "agent:Ada", "cli", "system" */
    int64_t agent_id;  /* the acting agent, 0 when none */
    /* the request being served, for the audit log (core/audit/audit.h):
     * how the actor came in and from where; NULL outside a request */
    struct rp_audit_request *audit;
    /* whose view a read is for (core/staff/staff.h): what lists, searches
     * and figures may show; NULL shows everything (the CLI, the
     * scheduler) */
    const struct rp_principal *viewer;
    /* the desk's settings read once for a long transaction that cannot see
     * them change (core/conversation: rp_desk_settings_pin); NULL when each
     * reader reads them afresh */
    struct json_t *desk_settings;
    /* the fields the caller keeps of each item of a list it reads (an
     * object whose keys name them: the server's projection of a list);
     * a list may leave the others out rather than read them.  NULL keeps
     * every field */
    const struct json_t *list_fields;
    /* set while a request's credentials are checked inside the read
     * transaction its reply is read in (the server, for the 360 view): no
     * write may begin there, so their last use is left in the principal
     * for rp_auth_touch (core/staff/staff.h) after it ends */
    int touch_later;
} rp_ctx;

#endif
