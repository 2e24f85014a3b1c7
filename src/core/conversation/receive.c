/*
 * receive.c - the one door in: a message a customer sent, already parsed,
 * becomes part of a conversation (conversation.h, rp_conversation_receive).
 *
 * The rules, in the order they are applied, each in one transaction with
 * what it records:
 *
 *   1. the same Message-ID twice is stored once ("duplicate");
 *   2. a bounce marks the reply it reports as failed ("bounce");
 *   3. auto-replies, bulk mail and our own mail coming back are kept with
 *      the reason and open nothing ("refused"), so two robots can never
 *      answer each other for ever;
 *   4. the sender is found by their address (one index lookup), or becomes
 *      a new customer flagged unconfirmed;
 *   5. a flood from one sender is refused past the desk's limit;
 *   6. threading: In-Reply-To, then References, then a subject tag
 *      "[<desk> #123]" when the sender is that encounter's customer, else a
 *      new encounter in the queue the message came for;
 *   7. a closed encounter reopens, or, closed longer than the desk's
 *      reopen_days ago, a new encounter is opened linked to it;
 *   8. the message, its attachments and its moment of truth are stored; a
 *      new request gets the queue's acknowledgement when it asks for one.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/conversation/conversation_internal.h"

int64_t rp_subject_tag_encounter(const char *subject, const char *desk_name)
{
    size_t dn = desk_name ? strlen(desk_name) : 0;
    for (const char *p = subject ? strchr(subject, '[') : NULL; p;
         p = strchr(p + 1, '[')) {
        const char *q = p + 1;
        while (*q == ' ')
            q++;
        if (!dn || strncasecmp(q, desk_name, dn) != 0)
            continue;
        q += dn;
        while (*q == ' ')
            q++;
        if (*q++ != '#' || !isdigit((unsigned char)*q))
            continue;
        int64_t n = 0;
        while (isdigit((unsigned char)*q) && n < INT64_MAX / 10)
            n = n * 10 + (*q++ - '0');
        while (*q == ' ')
            q++;
        if (*q == ']')
            return n;
    }
    return 0;
}

/* What one receive found out, carried between the steps. */
typedef struct intake {
    const rp_inbound_mail *mail;
    rp_desk_settings ds;
    int64_t now;
    int64_t customer_id, identity_id, encounter_id, message_id;
    int customer_created;
    const char *outcome;
    rp_buf reason;
} intake;

static json_t *report(intake *in)
{
    json_t *o = json_pack("{s:s}", "outcome", in->outcome);
    if (in->encounter_id)
        json_object_set_new(o, "encounter_id", json_integer(in->encounter_id));
    if (in->message_id)
        json_object_set_new(o, "message_id", json_integer(in->message_id));
    if (in->customer_id)
        json_object_set_new(o, "customer_id", json_integer(in->customer_id));
    if (in->customer_created)
        json_object_set_new(o, "customer_created", json_true());
    if (in->reason.len)
        json_object_set_new(o, "reason", json_string(rp_buf_str(&in->reason)));
    return o;
}

/* The message stored under this Message-ID: *row or NULL. */
static rp_code by_message_id(rp_ctx *ctx, const char *mid, json_t **row,
                             rp_error *err)
{
    *row = NULL;
    if (!mid || !*mid)
        return RP_OK;
    json_t *params = json_pack("[s]", mid), *rows = NULL;
    if (!params) /* not UTF-8: matches nothing we stored */
        return RP_OK;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_CONVERSATION_MESSAGE_BY_MSGID, params, &rows, err);
    json_decref(params);
    if (rc == RP_OK && json_array_size(rows))
        *row = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return rc;
}

/* Keep a refused message with its reason (kept_mail). */
static rp_code keep(rp_ctx *ctx, const char *kind, const rp_inbound_mail *m,
                    const char *reason, int64_t *id, rp_error *err)
{
    json_t *row = json_pack("{s:s, s:s, s:I, s:I}", "kind", kind, "reason",
                            reason, "size", (json_int_t)(m ? m->raw_size : 0),
                            "created_at", (json_int_t)rp_now());
    if (!row)
        return rp_error_set(err, RP_EINTERNAL, NULL, "out of memory");
    if (m && m->from_address &&
        rp_utf8_is_valid(m->from_address, strlen(m->from_address)))
        json_object_set_new(row, "from_address", json_string(m->from_address));
    if (m && m->message_id &&
        rp_utf8_is_valid(m->message_id, strlen(m->message_id)))
        json_object_set_new(row, "message_id", json_string(m->message_id));
    if (m && m->subject && rp_utf8_is_valid(m->subject, strlen(m->subject)))
        json_object_set_new(row, "subject", json_string(m->subject));
    if (m && m->raw && m->raw_size) { /* bytes as they came: base64 */
        char *b64 = rp_conv_base64(m->raw, m->raw_size);
        if (b64)
            json_object_set_new(row, "raw", json_string(b64));
        free(b64);
    }
    rp_code rc = ctx->store->ops->insert(ctx->store, &RP_ENTITY_KEPT_MAIL, row,
                                         id, err);
    json_decref(row);
    return rc;
}

rp_code rp_conversation_keep_unreadable(rp_ctx *ctx, const unsigned char *raw,
                                        size_t size, const char *reason,
                                        int64_t *id, rp_error *err)
{
    rp_inbound_mail m = {.raw = raw, .raw_size = size};
    rp_buf why = RP_BUF_INIT;
    rp_buf_put_cut(&why,
                   reason && rp_utf8_is_valid(reason, strlen(reason))
                       ? reason
                       : "the message could not be read",
                   500);
    rp_code rc = rp_store_begin(ctx->store, err);
    if (rc == RP_OK)
        rc = rp_store_finish(
            ctx->store, keep(ctx, "unreadable", &m, rp_buf_str(&why), id, err),
            err);
    rp_buf_free(&why);
    return rc;
}

/* ---- the steps ----------------------------------------------------------- */

/* A bounce: the reply it reports failed, with the reason. */
static rp_code take_bounce(rp_ctx *ctx, intake *in, rp_error *err)
{
    const rp_inbound_mail *m = in->mail;
    json_t *orig = NULL;
    rp_code rc = by_message_id(ctx, m->bounced_message_id, &orig, err);
    const char *dir = json_string_value(json_object_get(orig, "direction"));
    int64_t kept;
    if (rc == RP_OK && (!orig || !dir || strcmp(dir, "outbound"))) {
        in->outcome = "refused";
        rp_buf_puts(&in->reason,
                    "a bounce for a message the desk did not send");
        json_decref(orig);
        return keep(ctx, "refused", m, rp_buf_str(&in->reason), &kept, err);
    }
    if (rc) {
        json_decref(orig);
        return rc;
    }
    in->outcome = "bounce";
    in->message_id = json_integer_value(json_object_get(orig, "id"));
    in->encounter_id = json_integer_value(
        json_object_get(orig, "encounter_id"));
    in->customer_id = json_integer_value(json_object_get(orig, "customer_id"));
    json_decref(orig);
    rp_buf_puts(&in->reason, "the customer's mail server returned the reply");
    if (m->bounce_reason &&
        rp_utf8_is_valid(m->bounce_reason, strlen(m->bounce_reason))) {
        rp_buf_puts(&in->reason, ": ");
        rp_buf_put_cut(&in->reason, m->bounce_reason, 300);
    }
    json_t *changes = json_pack("{s:s, s:s, s:I}", "status", "failed",
                                "last_error", rp_buf_str(&in->reason),
                                "updated_at", (json_int_t)in->now);
    rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_MESSAGE, in->message_id,
                                 changes, err);
    json_decref(changes);
    if (rc)
        return rc;
    rp_buf summary = RP_BUF_INIT;
    rp_buf_puts(&summary, "A reply did not reach the customer: ");
    rp_buf_puts(&summary, rp_buf_str(&in->reason));
    json_t *detail = json_pack("{s:I, s:s, s:s}", "message_id",
                               (json_int_t)in->message_id, "failure", "bounced",
                               "reason", rp_buf_str(&in->reason));
    rp_moment mo = {.customer_id = in->customer_id,
                    .encounter_id = in->encounter_id,
                    .channel = "email",
                    .kind = "message.failed",
                    .summary = rp_buf_str(&summary),
                    .impression = "negative",
                    .detail = detail};
    rc = rp_moment_record(ctx, &mo, err);
    if (rc == RP_OK)
        rc = rp_event_emit_pack(ctx, "message.failed", in->customer_id,
                                in->encounter_id, err, "{s:I, s:s, s:s}",
                                "message_id", (json_int_t)in->message_id,
                                "channel", "email", "reason", "bounced");
    json_decref(detail);
    rp_buf_free(&summary);
    return rc;
}

/* The sender's customer, made (unconfirmed) when nobody has the address. */
static rp_code find_sender(rp_ctx *ctx, intake *in, rp_error *err)
{
    const rp_inbound_mail *m = in->mail;
    rp_code rc = rp_identity_find(ctx, "email", m->from_address,
                                  &in->customer_id, &in->identity_id, err);
    if (rc || in->customer_id)
        return rc;
    rp_buf name = RP_BUF_INIT, addr = RP_BUF_INIT;
    rp_identity_email(m->from_address, &addr);
    if (m->from_name && !rp_text_is_blank(m->from_name) &&
        rp_utf8_is_valid(m->from_name, strlen(m->from_name)))
        rp_buf_put_cut(&name, m->from_name, 200);
    else
        rp_buf_put_cut(&name, m->from_address, 200);
    json_t *emails = json_pack("[s]", m->from_address);
    json_t *row = json_pack("{s:s, s:O, s:[], s:b, s:I, s:I}", "name",
                            rp_buf_str(&name), "emails", emails, "phones",
                            "unconfirmed", 1, "created_at", (json_int_t)in->now,
                            "updated_at", (json_int_t)in->now);
    rc = ctx->store->ops->insert(ctx->store, &RP_ENTITY_CUSTOMER, row,
                                 &in->customer_id, err);
    json_decref(row);
    if (rc == RP_OK)
        rc = rp_identity_sync(ctx, in->customer_id, "email", emails, err);
    json_decref(emails);
    if (rc == RP_OK)
        rc = rp_identity_find(ctx, "email", m->from_address, &in->customer_id,
                              &in->identity_id, err);
    if (rc == RP_OK) {
        rp_buf summary = RP_BUF_INIT;
        rp_buf_puts(&summary, "Wrote to the desk for the first time, from ");
        rp_buf_puts(&summary, rp_buf_str(&addr));
        rp_buf_puts(&summary, " (not yet confirmed)");
        json_t *said = json_pack("{s:s, s:s}", "via", "email", "from",
                                 rp_buf_str(&addr));
        rp_moment mo = {.customer_id = in->customer_id,
                        .channel = m->channel,
                        .kind = "customer.created",
                        .summary = rp_buf_str(&summary),
                        .detail = said};
        rc = rp_moment_record(ctx, &mo, err);
        json_decref(said);
        if (rc == RP_OK)
            rc = rp_event_emit_pack(ctx, "customer.created", in->customer_id, 0,
                                    err, "{s:[s, s], s:s}", "fields", "name",
                                    "emails", "channel",
                                    m->channel ? m->channel : "email");
        rp_buf_free(&summary);
    }
    in->customer_created = rc == RP_OK;
    rp_buf_free(&name);
    rp_buf_free(&addr);
    return rc;
}

/* 1 when the sender has written more than the desk allows lately. */
static rp_code flooding(rp_ctx *ctx, intake *in, int *flood, rp_error *err)
{
    *flood = 0;
    if (!in->identity_id || in->customer_created)
        return RP_OK;
    json_t *params = json_pack(
               "[I, I]", (json_int_t)in->identity_id,
               (json_int_t)(in->now - in->ds.flood_minutes * 60)),
           *rows = NULL;
    rp_code rc = ctx->store->ops->query(
        ctx->store, RP_Q_CONVERSATION_RECENT_FROM, params, &rows, err);
    json_decref(params);
    int64_t n = json_integer_value(
        json_object_get(json_array_get(rows, 0), "n"));
    json_decref(rows);
    *flood = rc == RP_OK && n >= in->ds.flood_messages;
    return rc;
}

/* The encounter the message continues: by its headers, then by the subject
 * tag of one of the sender's encounters.  0 when none. */
static rp_code thread(rp_ctx *ctx, intake *in, int64_t *enc_id, rp_error *err)
{
    const rp_inbound_mail *m = in->mail;
    json_t *hit = NULL;
    *enc_id = 0;
    rp_code rc = by_message_id(ctx, m->in_reply_to, &hit, err);
    for (size_t i = m->nreferences; rc == RP_OK && !hit && i > 0; i--)
        rc = by_message_id(ctx, m->references[i - 1], &hit, err);
    if (hit)
        *enc_id = json_integer_value(json_object_get(hit, "encounter_id"));
    json_decref(hit);
    if (rc || *enc_id)
        return rc;
    int64_t tagged = rp_subject_tag_encounter(m->subject, in->ds.desk_name);
    json_t *enc = NULL;
    if (tagged && rp_encounter_get(ctx, tagged, &enc, err) == RP_OK &&
        json_integer_value(json_object_get(enc, "customer_id")) ==
            in->customer_id)
        *enc_id = tagged;
    json_decref(enc);
    return RP_OK;
}

/* The queue a new encounter goes to when the message names one: by name,
 * or by id.  0 when it names none (routing then decides). */
static rp_code named_queue(rp_ctx *ctx, const char *name, int64_t *queue_id,
                           rp_error *err)
{
    *queue_id = 0;
    if (!name || !*name)
        return RP_OK;
    json_t *v = json_string(name), *rows = NULL;
    if (!v)
        return rp_error_set(err, RP_EINVALID, "queue",
                            "the queue's name is not UTF-8");
    rp_filter f = {"name", RP_FILTER_EQ, v};
    rp_page p = {0, 0, 1};
    rp_code rc = ctx->store->ops->list(ctx->store, &RP_ENTITY_QUEUE, &f, 1, &p,
                                       &rows, err);
    json_decref(v);
    if (rc)
        return rc;
    *queue_id = json_integer_value(
        json_object_get(json_array_get(rows, 0), "id"));
    json_decref(rows);
    int64_t id = 0;
    rp_error ignored;
    if (!*queue_id && rp_parse_id(name, "queue", &id, &ignored) == RP_OK) {
        json_t *q = NULL;
        if (ctx->store->ops->get(ctx->store, &RP_ENTITY_QUEUE, id, &q,
                                 &ignored) == RP_OK)
            *queue_id = id;
        json_decref(q);
    }
    if (!*queue_id)
        return rp_error_set(err, RP_EINVALID, "queue", "no queue named \"%s\"",
                            name);
    return RP_OK;
}

/* Route a new encounter: to the named queue's agent, else by the rules. */
static rp_code route(rp_ctx *ctx, intake *in, int64_t queue_id, rp_error *err)
{
    if (!queue_id)
        return rp_routing_route(ctx, in->encounter_id, err);
    int64_t agent_id = 0;
    rp_code rc = rp_routing_offer(ctx, queue_id, &agent_id, err);
    if (rc)
        return rc;
    json_t *changes = json_pack(
        "{s:I, s:o}", "queue_id", (json_int_t)queue_id, "agent_id",
        agent_id ? json_integer(agent_id) : json_null());
    rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_ENCOUNTER,
                                 in->encounter_id, changes, err);
    json_decref(changes);
    if (rc)
        return rc;
    json_t *detail = json_pack(
        "{s:I, s:o, s:s}", "queue_id", (json_int_t)queue_id, "agent_id",
        agent_id ? json_integer(agent_id) : json_null(), "by", "address");
    rp_moment mo = {.customer_id = in->customer_id,
                    .encounter_id = in->encounter_id,
                    .channel = in->mail->channel,
                    .kind = "encounter.routed",
                    .summary = agent_id ? "Routed to the queue it was sent to"
                                        : "Routed to the queue it was sent "
                                          "to; waiting for an available agent",
                    .detail = detail};
    rc = rp_moment_record(ctx, &mo, err);
    json_decref(detail);
    if (rc == RP_OK)
        rc = rp_event_emit_pack(
            ctx, "encounter.assigned", in->customer_id, in->encounter_id, err,
            "{s:I, s:o}", "queue_id", (json_int_t)queue_id, "agent_id",
            agent_id ? json_integer(agent_id) : json_null());
    return rc;
}

/* Open a new encounter for the message (linked to previous when not 0). */
static rp_code open_encounter(rp_ctx *ctx, intake *in, int64_t previous,
                              rp_error *err)
{
    const rp_inbound_mail *m = in->mail;
    int64_t queue_id = 0;
    rp_code rc = named_queue(ctx, m->queue, &queue_id, err);
    if (rc)
        return rc;
    rp_buf subject = RP_BUF_INIT;
    if (m->subject && !rp_text_is_blank(m->subject))
        rp_buf_put_cut(&subject, m->subject, 200);
    else
        rp_buf_puts(&subject, "(no subject)");
    /* the customer started waiting when they wrote, as far as the Date:
     * header can be believed (arrival.c) */
    int64_t arrived = rp_arrival_of_mail(m->sent_at, in->now,
                                         in->ds.arrival_max_hours);
    json_t *row = json_pack(
        "{s:I, s:s, s:s, s:s, s:I, s:I, s:I}", "customer_id",
        (json_int_t)in->customer_id, "channel", m->channel, "subject",
        rp_buf_str(&subject), "stage", "received", "created_at",
        (json_int_t)in->now, "updated_at", (json_int_t)in->now, "arrived_at",
        (json_int_t)arrived);
    if (previous)
        json_object_set_new(row, "previous_encounter_id",
                            json_integer(previous));
    rc = ctx->store->ops->insert(ctx->store, &RP_ENTITY_ENCOUNTER, row,
                                 &in->encounter_id, err);
    json_decref(row);
    if (rc == RP_OK) {
        rp_buf summary = RP_BUF_INIT;
        rp_buf_printf(&summary, "Encounter opened (%s): %s", m->channel,
                      rp_buf_str(&subject));
        if (previous)
            rp_buf_printf(&summary, "; it follows encounter %lld",
                          (long long)previous);
        json_t *said = json_pack("{s:s}", "subject", rp_buf_str(&subject));
        if (previous)
            json_object_set_new(said, "previous_encounter_id",
                                json_integer(previous));
        rp_moment mo = {.customer_id = in->customer_id,
                        .encounter_id = in->encounter_id,
                        .channel = m->channel,
                        .kind = "encounter.opened",
                        .summary = rp_buf_str(&summary),
                        .detail = said};
        rc = rp_moment_record(ctx, &mo, err);
        json_decref(said);
        rp_buf_free(&summary);
    }
    if (rc == RP_OK)
        rc = rp_event_emit_pack(
            ctx, "encounter.opened", in->customer_id, in->encounter_id, err,
            "{s:s, s:s, s:o}", "channel", m->channel, "stage", "received",
            "previous_encounter_id",
            previous ? json_integer(previous) : json_null());
    rp_buf_free(&subject);
    if (rc == RP_OK)
        rc = route(ctx, in, queue_id, err);
    in->outcome = "opened";
    return rc;
}

/* The message continues encounter id: thread it, reopen it, or open a new
 * one linked to it. */
static rp_code continue_encounter(rp_ctx *ctx, intake *in, int64_t id,
                                  rp_error *err)
{
    json_t *enc = NULL;
    rp_code rc = rp_encounter_get(ctx, id, &enc, err);
    if (rc)
        return rc;
    const char *stage = json_string_value(json_object_get(enc, "stage"));
    int closed = !strcmp(stage, "closed"),
        abandoned = !strcmp(stage, "abandoned");
    in->encounter_id = id;
    in->outcome = "threaded";
    /* someone copied in who answers joins the conversation, which stays
     * the encounter's customer's: the message keeps who sent it */
    in->customer_id = json_integer_value(json_object_get(enc, "customer_id"));
    if (!closed && !abandoned) {
        json_decref(enc);
        return RP_OK;
    }
    int64_t ended = 0;
    rp_time_parse(json_string_value(json_object_get(
                      enc, closed ? "closed_at" : "abandoned_at")),
                  &ended);
    json_decref(enc);
    if (in->now - ended > in->ds.reopen_days * 86400)
        return open_encounter(ctx, in, id, err);
    /* coming back is a second contact: it was not resolved at the first */
    json_t *changes = json_pack(
        "{s:s, s:n, s:n, s:n, s:I, s:b, s:s}", "stage", "received", "closed_at",
        "abandoned_at", "abandon_reason", "updated_at", (json_int_t)in->now,
        "first_contact_resolved", 0, "first_contact_reason",
        "Not resolved at first contact: the customer wrote again after it "
        "was closed");
    rc = ctx->store->ops->update(ctx->store, &RP_ENTITY_ENCOUNTER, id, changes,
                                 err);
    json_decref(changes);
    if (rc)
        return rc;
    in->outcome = "reopened";
    rp_moment mo = {.customer_id = in->customer_id,
                    .encounter_id = id,
                    .channel = in->mail->channel,
                    .kind = "encounter.reopened",
                    .summary = closed ? "Reopened: the customer wrote again "
                                        "after it was closed"
                                      : "Reopened: the customer wrote again "
                                        "after it was abandoned"};
    json_t *said = json_pack("{s:s}", "after", closed ? "closed" : "abandoned");
    mo.detail = said;
    rc = rp_moment_record(ctx, &mo, err);
    json_decref(said);
    if (rc == RP_OK)
        rc = rp_event_emit_pack(ctx, "encounter.stage_changed", in->customer_id,
                                id, err, "{s:s, s:s, s:b}", "from",
                                closed ? "closed" : "abandoned", "to",
                                "received", "reopened", 1);
    return rc;
}

/* Store the message itself, its attachments and its moment. */
static rp_code store_message(rp_ctx *ctx, intake *in, rp_error *err)
{
    const rp_inbound_mail *m = in->mail;
    json_t *refs = json_array();
    for (size_t i = 0; i < m->nreferences; i++)
        if (m->references[i] &&
            rp_utf8_is_valid(m->references[i], strlen(m->references[i])))
            json_array_append_new(refs, json_string(m->references[i]));
    int64_t at = m->sent_at > 0 ? m->sent_at : in->now;
    json_t *row = json_pack(
        "{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:I}",
        "customer_id", (json_int_t)in->customer_id, "encounter_id",
        (json_int_t)in->encounter_id, "direction", "inbound", "author",
        "customer", "channel", m->channel, "body", m->text ? m->text : "",
        "from_address", m->from_address, "refs", refs, "identity_id",
        (json_int_t)in->identity_id, "occurred_at", (json_int_t)at,
        "created_at", (json_int_t)in->now, "updated_at", (json_int_t)in->now);
    if (!row)
        return rp_error_set(err, RP_EINVALID, "text",
                            "the message's text is not UTF-8");
    if (m->subject)
        json_object_set_new(row, "subject", json_string(m->subject));
    if (m->quoted && !rp_text_is_blank(m->quoted))
        json_object_set_new(row, "quoted", json_string(m->quoted));
    if (m->message_id && *m->message_id)
        json_object_set_new(row, "message_id", json_string(m->message_id));
    if (m->in_reply_to && *m->in_reply_to)
        json_object_set_new(row, "in_reply_to", json_string(m->in_reply_to));
    rp_code rc = ctx->store->ops->insert(ctx->store, &RP_ENTITY_MESSAGE, row,
                                         &in->message_id, err);
    json_decref(row);
    if (rc == RP_OK)
        rc = rp_conv_store_attachments(
            ctx, in->customer_id, in->encounter_id, in->message_id,
            m->attachments, m->nattachments, in->ds.attachment_max_bytes, err);
    if (rc)
        return rc;
    rp_buf summary = RP_BUF_INIT;
    rp_buf_puts(&summary, !strcmp(m->channel, "web") ? "Wrote on the web: "
                                                     : "Wrote by email: ");
    rp_buf_put_cut(&summary,
                   m->text && !rp_text_is_blank(m->text) ? m->text
                   : m->subject                          ? m->subject
                                                         : "(no text)",
                   120);
    json_t *detail = json_pack("{s:I, s:I}", "message_id",
                               (json_int_t)in->message_id, "attachments",
                               (json_int_t)m->nattachments);
    {
        /* the words quoted, for the console's sentence */
        rp_buf quote = RP_BUF_INIT;
        rp_buf_put_cut(&quote,
                       m->text && !rp_text_is_blank(m->text) ? m->text
                       : m->subject                          ? m->subject
                                                             : "",
                       120);
        json_object_set_new(detail, "excerpt", json_string(rp_buf_str(&quote)));
        rp_buf_free(&quote);
    }
    rp_moment mo = {.customer_id = in->customer_id,
                    .encounter_id = in->encounter_id,
                    .channel = m->channel,
                    .kind = "message.received",
                    .summary = rp_buf_str(&summary),
                    .detail = detail};
    rc = rp_moment_record(ctx, &mo, err);
    if (rc == RP_OK)
        rc = rp_event_emit_pack(
            ctx, "message.received", in->customer_id, in->encounter_id, err,
            "{s:I, s:s, s:I}", "message_id", (json_int_t)in->message_id,
            "channel", m->channel, "attachments", (json_int_t)m->nattachments);
    json_decref(detail);
    rp_buf_free(&summary);
    return rc;
}

/* A new request by mail: the queue's acknowledgement, when it wants one. */
static rp_code acknowledge(rp_ctx *ctx, intake *in, rp_error *err)
{
    json_t *enc = NULL, *queue = NULL;
    rp_code rc = rp_encounter_get(ctx, in->encounter_id, &enc, err);
    int64_t qid = json_integer_value(json_object_get(enc, "queue_id"));
    if (rc == RP_OK && qid)
        rc = rp_queue_get(ctx, qid, &queue, err);
    if (rc || !json_is_true(json_object_get(queue, "acknowledge_new"))) {
        json_decref(enc);
        json_decref(queue);
        return rc;
    }
    rp_buf body = RP_BUF_INIT;
    rp_buf_printf(&body,
                  "Hello,\n\nthank you for writing to %s. We have received "
                  "your request and will answer as soon as we can. To add "
                  "anything, just reply to this message.\n\nYour request "
                  "number is %lld.\n",
                  in->ds.desk_name, (long long)in->encounter_id);
    json_t *row = json_pack(
        "{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I}",
        "customer_id", (json_int_t)in->customer_id, "encounter_id",
        (json_int_t)in->encounter_id, "direction", "outbound", "author",
        "system", "channel", "email", "body", rp_buf_str(&body), "status",
        "queued", "next_attempt_at", (json_int_t)in->now, "occurred_at",
        (json_int_t)in->now, "created_at", (json_int_t)in->now, "updated_at",
        (json_int_t)in->now);
    rc = rp_conv_address_reply(ctx, enc, NULL, in->ds.desk_name, row, err);
    int64_t id;
    if (rc == RP_OK)
        rc = ctx->store->ops->insert(ctx->store, &RP_ENTITY_MESSAGE, row, &id,
                                     err);
    json_decref(row);
    rp_buf_free(&body);
    json_decref(enc);
    json_decref(queue);
    return rc;
}

/* Refuse and keep the message with the reason given. */
static rp_code refuse(rp_ctx *ctx, intake *in, const char *why, rp_error *err)
{
    int64_t kept;
    in->outcome = "refused";
    rp_buf_puts(&in->reason, why);
    return keep(ctx, "refused", in->mail, why, &kept, err);
}

static rp_code check_mail(const rp_inbound_mail *m, rp_error *err)
{
    if (!m)
        return rp_error_set(err, RP_EINVALID, NULL, "no message");
    if (!m->channel ||
        (strcmp(m->channel, "email") && strcmp(m->channel, "web")))
        return rp_error_set(err, RP_EINVALID, "channel",
                            "channel must be email or web");
    if (m->mail_class != RP_MAIL_BOUNCE &&
        (!m->from_address || !rp_email_is_valid(m->from_address)))
        return rp_error_set(err, RP_EINVALID, "from_address",
                            "the sender's address is missing or not an "
                            "email address");
    const char *texts[] = {m->text,        m->quoted,      m->subject,
                           m->from_name,   m->queue,       m->message_id,
                           m->in_reply_to, m->from_address};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i] && !rp_utf8_is_valid(texts[i], strlen(texts[i])))
            return rp_error_set(err, RP_EINVALID, "text",
                                "a text of the message is not valid UTF-8");
    return RP_OK;
}

static rp_code receive(rp_ctx *ctx, intake *in, rp_error *err)
{
    const rp_inbound_mail *m = in->mail;
    json_t *dup = NULL;
    rp_code rc = by_message_id(ctx, m->message_id, &dup, err);
    if (rc == RP_OK && dup) {
        in->outcome = "duplicate";
        in->message_id = json_integer_value(json_object_get(dup, "id"));
        in->encounter_id = json_integer_value(
            json_object_get(dup, "encounter_id"));
        in->customer_id = json_integer_value(
            json_object_get(dup, "customer_id"));
        rp_buf_puts(&in->reason, "this message was received before");
        json_decref(dup);
        return RP_OK;
    }
    if (rc)
        return rc;
    switch (m->mail_class) {
    case RP_MAIL_BOUNCE: return take_bounce(ctx, in, err);
    case RP_MAIL_AUTO_REPLY:
        return refuse(ctx, in, "an automatic reply (out of office or similar)",
                      err);
    case RP_MAIL_BULK: return refuse(ctx, in, "bulk or mailing-list mail", err);
    case RP_MAIL_LOOP:
        return refuse(ctx, in, "mail the desk sent itself, come back", err);
    case RP_MAIL_PERSONAL: break;
    }
    int flood = 0;
    if ((rc = find_sender(ctx, in, err)) ||
        (rc = flooding(ctx, in, &flood, err)))
        return rc;
    if (flood) {
        rp_buf why = RP_BUF_INIT;
        rp_buf_printf(&why,
                      "too many messages from this sender: more than %lld "
                      "in %lld minutes",
                      (long long)in->ds.flood_messages,
                      (long long)in->ds.flood_minutes);
        rc = refuse(ctx, in, rp_buf_str(&why), err);
        rp_buf_free(&why);
        return rc;
    }
    int64_t enc_id = 0;
    if ((rc = thread(ctx, in, &enc_id, err)))
        return rc;
    rc = enc_id ? continue_encounter(ctx, in, enc_id, err)
                : open_encounter(ctx, in, 0, err);
    if (rc == RP_OK)
        rc = store_message(ctx, in, err);
    if (rc == RP_OK && !strcmp(in->outcome, "opened") &&
        !strcmp(m->channel, "email"))
        rc = acknowledge(ctx, in, err);
    return rc;
}

/* The order of rp_mail_class, as the API names the classes. */
const char *const rp_mail_class_names[] = {"personal", "auto_reply", "bulk",
                                           "loop",     "bounce",     NULL};

static const rp_field inbound_attachment_fields[] = {
    {"filename", RP_FIELD_TEXT, RP_IN_OPTIONAL, .meaning = "the file's name"},
    {"content_type", RP_FIELD_TEXT, RP_IN_OPTIONAL,
     .meaning = "default: application/octet-stream"},
    {"content_id", RP_FIELD_TEXT, RP_IN_OPTIONAL,
     .meaning = "how the message's HTML names it"},
    {"inline", RP_FIELD_BOOL, RP_IN_OPTIONAL,
     .meaning = "shown in the message, not attached"},
    {"data_base64", RP_FIELD_TEXT, RP_IN_REQUIRED,
     .meaning = "the file, in base64"},
    {.name = NULL},
};

/* clang-format off */
#define MAIL_TEXT(n, what)                                                   \
    {n, RP_FIELD_TEXT, RP_IN_OPTIONAL, .meaning = what}
/* clang-format on */
const rp_field rp_inbound_fields[] = {
    MAIL_TEXT("channel", "default: email"),
    MAIL_TEXT("queue", "the queue a new request opens in"),
    MAIL_TEXT("message_id", "the sender's Message-ID"),
    MAIL_TEXT("in_reply_to", "the Message-ID it answers"),
    {"references", RP_FIELD_TEXT_LIST, RP_IN_OPTIONAL,
     .meaning = "the Message-IDs of the thread"},
    MAIL_TEXT("from_address", "the sender's address"),
    MAIL_TEXT("from_name", "the sender's name"),
    MAIL_TEXT("subject", NULL),
    MAIL_TEXT("text", "the new text of the message"),
    MAIL_TEXT("quoted", "the text it quotes"),
    {"sent_at", RP_FIELD_TIME, RP_IN_OPTIONAL, .meaning = "when it was sent"},
    {"class", RP_FIELD_ENUM, RP_IN_OPTIONAL, .values = rp_mail_class_names,
     .meaning = "default: personal"},
    MAIL_TEXT("bounced_message_id", "for a bounce: the message that bounced"),
    MAIL_TEXT("bounce_reason", "for a bounce: why"),
    {"attachments", RP_FIELD_ARRAY, RP_IN_OPTIONAL,
     .fields = inbound_attachment_fields},
    {.name = NULL},
};

rp_code rp_conversation_receive(rp_ctx *ctx, const rp_inbound_mail *mail,
                                json_t **out, rp_error *err)
{
    if (check_mail(mail, err))
        return err->code;
    rp_code rc = RP_ECONFLICT;
    /* A second server taking the same message (or a new sender's first
     * two messages) at the same moment loses on a unique index; once more
     * and it sees what the other stored: a duplicate, a known sender. */
    for (int attempt = 0; attempt < 2 && rc == RP_ECONFLICT; attempt++) {
        intake in = {.mail = mail, .now = rp_now(), .reason = RP_BUF_INIT};
        rc = rp_desk_settings_read(ctx, &in.ds, err);
        if (rc == RP_OK && (rc = rp_store_begin(ctx->store, err)) == RP_OK)
            rc = rp_store_finish(ctx->store, receive(ctx, &in, err), err);
        if (rc == RP_OK)
            *out = report(&in);
        rp_desk_settings_free(&in.ds);
        rp_buf_free(&in.reason);
    }
    return rc;
}
