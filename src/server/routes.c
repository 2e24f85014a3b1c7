/*
 * routes.c - the table of every endpoint rapportd serves.  Handlers live
 * in one file per resource (routes_<resource>.c); this table is the map.
 */
#include "routes.h"

const rp_route rp_routes[] = {
    {"GET", "/healthz", rp_h_healthz},

    {"GET", "/api/v1/customers", rp_h_customer_list},
    {"POST", "/api/v1/customers", rp_h_customer_create},
    {"GET", "/api/v1/customers/{id}", rp_h_customer_get},
    {"PATCH", "/api/v1/customers/{id}", rp_h_customer_update},
    {"GET", "/api/v1/customers/{id}/moments", rp_h_customer_moments},

    {"GET", "/api/v1/encounters", rp_h_encounter_list},
    {"POST", "/api/v1/encounters", rp_h_encounter_open},
    {"GET", "/api/v1/encounters/{id}", rp_h_encounter_get},

    /* measures: waiting, the charter, promises, metrics */
    {"GET", "/api/v1/encounters/{id}/measures", rp_h_encounter_measures},
    {"GET", "/api/v1/charter", rp_h_charter_get},
    {"PUT", "/api/v1/charter", rp_h_charter_put},
    {"GET", "/api/v1/charter/breaches", rp_h_charter_breaches},
    {"POST", "/api/v1/promises/{id}/keep", rp_h_promise_keep},
    {"GET", "/api/v1/metrics/service", rp_h_metrics_service},
    {"GET", "/metrics", rp_h_prometheus},
    /* the encounter engine */
    {"PATCH", "/api/v1/encounters/{id}", rp_h_encounter_record},
    {"POST", "/api/v1/encounters/{id}/acknowledge", rp_h_encounter_acknowledge},
    {"POST", "/api/v1/encounters/{id}/advance", rp_h_encounter_advance},
    {"POST", "/api/v1/encounters/{id}/abandon", rp_h_encounter_abandon},
    {"POST", "/api/v1/encounters/{id}/defects", rp_h_encounter_defect},
    {"POST", "/api/v1/encounters/{id}/special_requests",
     rp_h_encounter_special_request},
    {"POST", "/api/v1/encounters/{id}/promises", rp_h_encounter_promise},
    {"POST", "/api/v1/encounters/{id}/transfers", rp_h_encounter_transfer},
    {"POST", "/api/v1/encounters/{id}/follow_ups", rp_h_encounter_follow_up},
    {"POST", "/api/v1/encounters/{id}/satisfaction", rp_h_encounter_satisfaction},
    {"GET", "/api/v1/encounters/{id}/guide", rp_h_encounter_guide},
    {"POST", "/api/v1/tasks/{id}/complete", rp_h_task_complete},
    {"GET", "/api/v1/customers/{id}/overview", rp_h_customer_overview},

    {NULL, NULL, NULL},
};
