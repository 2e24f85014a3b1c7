/*
 * entity.c - the entity catalogue (see entity.h).  Column lists here must
 * match the tables that the backends' migrations create.
 */
#include "entity.h"

#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const rp_column *rp_entity_column(const rp_entity *e, const char *name)
{
    for (size_t i = 0; i < e->ncolumns; i++)
        if (strcmp(e->columns[i].name, name) == 0)
            return &e->columns[i];
    return NULL;
}

static const rp_column customer_columns[] = {
    {"name", RP_COL_TEXT},       {"preferred_name", RP_COL_TEXT},
    {"emails", RP_COL_JSON},     {"phones", RP_COL_JSON},
    {"notes", RP_COL_TEXT},      {"created_at", RP_COL_TIME},
    {"updated_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_CUSTOMER = {"customer", "customers", customer_columns,
                                      COUNT(customer_columns), 0};

static const rp_column encounter_columns[] = {
    {"customer_id", RP_COL_INT}, {"channel", RP_COL_TEXT},
    {"subject", RP_COL_TEXT},    {"stage", RP_COL_TEXT},
    {"created_at", RP_COL_TIME}, {"updated_at", RP_COL_TIME},
};
const rp_entity RP_ENTITY_ENCOUNTER = {"encounter", "encounters",
                                       encounter_columns,
                                       COUNT(encounter_columns), 0};

static const rp_column moment_columns[] = {
    {"customer_id", RP_COL_INT}, {"encounter_id", RP_COL_INT},
    {"occurred_at", RP_COL_TIME}, {"actor", RP_COL_TEXT},
    {"channel", RP_COL_TEXT},    {"kind", RP_COL_TEXT},
    {"summary", RP_COL_TEXT},    {"impression", RP_COL_TEXT},
    {"detail", RP_COL_JSON},
};
const rp_entity RP_ENTITY_MOMENT = {"moment", "moments", moment_columns,
                                    COUNT(moment_columns), 1};
