/*
 * rapport.h - the public face of librapport, the core library.
 *
 * Every rule of rapport lives behind these headers, one per subsystem; the
 * CLI (src/cli) and the HTTP server (src/server) only turn their input into
 * calls here and the results into output.  Functions take an rp_ctx (which
 * store, who is acting), return an rp_code, and on success fill their
 * out-parameters with new references that the caller releases with
 * json_decref().  Input objects are JSON as the API documents them
 * (docs/api.md), so the CLI and the API accept exactly the same things.
 * docs/design.md maps the subsystems and says what each may include.
 */
#ifndef RAPPORT_H
#define RAPPORT_H

#include "core/context.h"

#include "core/conversation/conversation.h"
#include "core/customer/customer.h"
#include "core/demo/demo.h"
#include "core/encounter/encounter.h"
#include "core/followup/followup.h"
#include "core/knowledge/knowledge.h"
#include "core/measures/measures.h"
#include "core/offers/offers.h"
#include "core/staff/staff.h"
#include "core/mailbox/mailbox.h"
#include "core/webhook/webhook.h"
#include "core/secrets/secrets.h"
#include "core/audit/audit.h"
#include "core/zendesk/zendesk.h"
#include "core/export/export.h"
#include "core/transfer/transfer.h"
#include "core/privacy/privacy.h"
#include "core/telephony/telephony.h"

#endif
