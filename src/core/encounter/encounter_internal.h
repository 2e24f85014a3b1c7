/*
 * encounter_internal.h - helpers the files of the encounter subsystem
 * share (cycle.c, record.c, guide.c); not part of the public API.
 */
#ifndef RP_ENCOUNTER_INTERNAL_H
#define RP_ENCOUNTER_INTERNAL_H

#include "core/rapport.h"

/* The encounter with this id (new reference), or RP_ENOTFOUND naming it. */
rp_code rp_encounter_load(rp_ctx *ctx, int64_t id, json_t **enc, rp_error *err);

/* Gather what the store knows about enc beyond its row (one query). */
rp_code rp_encounter_facts_read(rp_ctx *ctx, json_t *enc, rp_encounter_facts *f,
                                rp_error *err);

/* 1 when the encounter is in one of the open stages. */
int rp_encounter_is_open(json_t *enc);

/* RP_ECONFLICT (field "stage") unless the encounter is open. */
rp_code rp_encounter_require_open(json_t *enc, const char *doing,
                                  rp_error *err);

/*
 * Begin a change of encounter id: open a transaction and load the encounter
 * into *enc (new reference), requiring it open when need_open (doing names
 * the change in the refusal).  On failure nothing is left open and *enc is
 * NULL.
 */
rp_code rp_encounter_begin_change(rp_ctx *ctx, int64_t id, int need_open,
                                  const char *doing, json_t **enc,
                                  rp_error *err);

/*
 * At close: when no satisfaction check was answered or scheduled and no
 * reason to skip was given, schedule one for the next working day at 10:00
 * local time (a task and the moment "satisfaction.scheduled"; f counts it),
 * or, when the customer cannot be reached or has not consented, put why
 * into row's and merged's satisfaction_skip_reason.  The caller holds the
 * transaction.
 */
rp_code rp_encounter_next_day_check(rp_ctx *ctx, json_t *enc, json_t *merged,
                                    rp_encounter_facts *f, json_t *row,
                                    rp_error *err);

/* Shorthands for the encounter's ids. */
int64_t rp_encounter_row_id(json_t *enc);
int64_t rp_encounter_row_customer(json_t *enc);

/* A stage as a sentence says it: "received" is "receiving" (the stage
 * being worked in), "closed" and "abandoned" stay as they are. */
const char *rp_encounter_stage_words(const char *stage);

/* A length of time as a person says it: "45 s", "30 min", "2 h 05 min",
 * "3 days". */
void rp_encounter_put_duration(rp_buf *b, int64_t seconds);

#endif
