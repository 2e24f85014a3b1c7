/*
 * entity.h - the catalogue of record kinds the store keeps.
 *
 * Each entity names its table and columns with their types.  The domain
 * passes these descriptors to the generic record operations of store.h; the
 * backends build their statements from them (identifiers only ever come from
 * this catalogue, values are always bound).  Adding a kind of record means an
 * entry here plus a migration in the backend's schema.
 */
#ifndef RP_ENTITY_H
#define RP_ENTITY_H

#include <stddef.h>

typedef enum rp_column_type {
    RP_COL_INT,  /* 64-bit integer */
    RP_COL_REAL, /* double */
    RP_COL_TEXT, /* UTF-8 text */
    RP_COL_BOOL, /* stored 0/1, JSON true/false */
    RP_COL_TIME, /* stored Unix seconds UTC, JSON in: integer, out: RFC 3339 */
    RP_COL_JSON  /* stored as JSON text, JSON in and out as a value */
} rp_column_type;

typedef struct rp_column {
    const char *name;
    rp_column_type type;
} rp_column;

typedef struct rp_entity {
    const char *name;         /* singular, for messages: "customer" */
    const char *table;        /* SQL table */
    const rp_column *columns; /* excluding "id", which every entity has */
    size_t ncolumns;
    int append_only; /* updates and deletes are refused */
} rp_entity;

/* Look up a column of e by name; NULL when e has no such column. */
const rp_column *rp_entity_column(const rp_entity *e, const char *name);

extern const rp_entity RP_ENTITY_CUSTOMER;
extern const rp_entity RP_ENTITY_ENCOUNTER;
extern const rp_entity RP_ENTITY_MOMENT;
extern const rp_entity RP_ENTITY_TRANSFER;
extern const rp_entity RP_ENTITY_DEFECT;
extern const rp_entity RP_ENTITY_SPECIAL_REQUEST;
extern const rp_entity RP_ENTITY_PROMISE;
extern const rp_entity RP_ENTITY_RELATIONSHIP_LEVEL;
extern const rp_entity RP_ENTITY_TASK;
extern const rp_entity RP_ENTITY_SATISFACTION;
extern const rp_entity RP_ENTITY_PREFERENCE;
extern const rp_entity RP_ENTITY_GOAL;
extern const rp_entity RP_ENTITY_DATE;
extern const rp_entity RP_ENTITY_CONSENT;
extern const rp_entity RP_ENTITY_PRODUCT;
extern const rp_entity RP_ENTITY_OFFER;
extern const rp_entity RP_ENTITY_LOYALTY_TIER;
extern const rp_entity RP_ENTITY_AGENT;
extern const rp_entity RP_ENTITY_QUEUE;
extern const rp_entity RP_ENTITY_KB_ARTICLE;
extern const rp_entity RP_ENTITY_KB_FEEDBACK;
extern const rp_entity RP_ENTITY_IDENTITY;
extern const rp_entity RP_ENTITY_MESSAGE;
extern const rp_entity RP_ENTITY_ATTACHMENT_BLOB;
extern const rp_entity RP_ENTITY_ATTACHMENT;
extern const rp_entity RP_ENTITY_KEPT_MAIL;
extern const rp_entity RP_ENTITY_WEBHOOK;
extern const rp_entity RP_ENTITY_EVENT;

/* Every entity above, so that a test can check the catalogue against the
 * live schema of each backend. */
extern const rp_entity *const rp_entities[];
extern const size_t rp_nentities;

#endif
