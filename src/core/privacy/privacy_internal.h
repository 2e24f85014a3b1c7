/*
 * privacy_internal.h - what the files of the privacy subsystem share: the
 * reading and writing of single settings.
 */
#ifndef RP_PRIVACY_INTERNAL_H
#define RP_PRIVACY_INTERNAL_H

#include "core/privacy/privacy.h"

/* The text of setting key (a new string the caller frees). */
rp_code rp_privacy_setting(rp_ctx *ctx, const char *key, char **value,
                           rp_error *err);

/* Setting key as a whole number. */
rp_code rp_privacy_setting_int(rp_ctx *ctx, const char *key, int64_t *value,
                               rp_error *err);

/* Store value as setting key, recording ctx's actor as who changed it. */
rp_code rp_privacy_setting_put(rp_ctx *ctx, const char *key, const char *value,
                               rp_error *err);

/* Delete each blob of blobs (rows {"blob_id"}) that no attachment uses
 * any more. */
rp_code rp_privacy_drop_blobs(rp_ctx *ctx, json_t *blobs, rp_error *err);

#endif
