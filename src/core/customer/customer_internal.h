/*
 * customer_internal.h - what the files of the customer subsystem share and
 * no other subsystem may call: the ledger's writer, which rp_moment_record
 * (moment.c) hands every moment to.
 */
#ifndef RP_CUSTOMER_INTERNAL_H
#define RP_CUSTOMER_INTERNAL_H

#include "core/customer/customer.h"

/*
 * Append m to the ledger at time now, sealed with its content and chain
 * hashes (ledger.c says how), chained onto the moment that is the head at
 * the time of the insert.  Seals older unsealed rows first if it finds any.
 */
rp_code rp_ledger_append(rp_ctx *ctx, const rp_moment *m, int64_t now,
                         rp_error *err);

#endif
