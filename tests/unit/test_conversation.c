/*
 * test_conversation.c - the rules of conversations against a real store:
 * how addresses and numbers are normalised, how an inbound message finds
 * its customer and its encounter (In-Reply-To, References, the subject
 * tag), duplicates, bounces, refusals and floods, reopening, replies and
 * the first response, attachments kept once, and identities moved from
 * the customers' lists by the migration.
 */
#include <string.h>

#include "fixture.h"

static const char *norm_email(rp_buf *b, const char *s)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
    return rp_identity_email(s, b) ? NULL : rp_buf_str(b);
}

static const char *norm_phone(rp_buf *b, const char *s, const char *cc)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
    return rp_identity_phone(s, cc, b) ? NULL : rp_buf_str(b);
}

static void test_email_normalisation(void **state)
{
    (void)state;
    rp_buf b = RP_BUF_INIT;
    assert_string_equal(norm_email(&b, "  Ann.Lee+Desk@Example.COM "),
                        "ann.lee+desk@example.com");
    assert_string_equal(norm_email(&b, "ann@example.com"), "ann@example.com");
    assert_null(norm_email(&b, "not an address"));
    assert_null(norm_email(&b, "@example.com"));
    assert_null(norm_email(&b, ""));
    rp_buf_free(&b);
}

static void test_phone_normalisation(void **state)
{
    (void)state;
    rp_buf b = RP_BUF_INIT;
    assert_string_equal(norm_phone(&b, "+34 600 100 200", NULL),
                        "+34600100200");
    assert_string_equal(norm_phone(&b, "0034 600-100-200", NULL),
                        "+34600100200");
    assert_string_equal(norm_phone(&b, "600 100 200", "34"), "+34600100200");
    assert_string_equal(norm_phone(&b, "(600) 100.200", "34"), "+34600100200");
    /* one national trunk 0 is dropped when the country code is added */
    assert_string_equal(norm_phone(&b, "020 7946 0958", "44"), "+442079460958");
    assert_string_equal(norm_phone(&b, "600 100 200", NULL), "600100200");
    assert_string_equal(norm_phone(&b, "+1 (555) 010-9999", "34"),
                        "+15550109999");
    assert_null(norm_phone(&b, "call me", "34"));
    assert_null(norm_phone(&b, "12", "34"));
    rp_buf_free(&b);
    assert_true(rp_identity_looks_like_phone("600 100 200"));
    assert_false(rp_identity_looks_like_phone("Ann 600"));
}

static void test_subject_tag(void **state)
{
    (void)state;
    assert_int_equal(
        rp_subject_tag_encounter("Re: kettle [Support #12]", "Support"), 12);
    assert_int_equal(rp_subject_tag_encounter("[support #7] again", "Support"),
                     7);
    assert_int_equal(
        rp_subject_tag_encounter("[ Acme Desk  #  9 ]", "Acme Desk"),
        0); /* "# 9": no number right after the sign */
    assert_int_equal(rp_subject_tag_encounter("[Acme Desk #9]", "Acme Desk"),
                     9);
    assert_int_equal(rp_subject_tag_encounter("[Other #12]", "Support"), 0);
    assert_int_equal(rp_subject_tag_encounter("[Support #12", "Support"), 0);
    assert_int_equal(rp_subject_tag_encounter(NULL, "Support"), 0);
    assert_int_equal(
        rp_subject_tag_encounter("[Support #x] [Support #4]", "Support"), 4);
}

/* Receive a message from `from`; returns the outcome report. */
static json_t *receive(rp_ctx *ctx, const char *from, const char *subject,
                       const char *mid, const char *parent,
                       const char *const *refs, size_t nrefs)
{
    rp_inbound_mail m = {.channel = "email",
                         .from_address = from,
                         .from_name = "Ann Lee",
                         .subject = subject,
                         .text = "Hello, the kettle does not heat.",
                         .message_id = mid,
                         .in_reply_to = parent,
                         .references = refs,
                         .nreferences = nrefs};
    json_t *out = NULL;
    rp_error err;
    rp_code rc = rp_conversation_receive(ctx, &m, &out, &err);
    if (rc)
        fprintf(stderr, "receive: %s\n", err.message);
    assert_int_equal(rc, RP_OK);
    return out;
}

static const char *outcome(json_t *r)
{
    return json_string_value(json_object_get(r, "outcome"));
}

static int64_t num(json_t *r, const char *key)
{
    return json_integer_value(json_object_get(r, key));
}

static void test_new_sender_opens_and_replies_thread(void **state)
{
    rp_test_db *db = *state;
    json_t *a = receive(&db->ctx, "Ann@Example.com", "Kettle", "m1@ex.com",
                        NULL, NULL, 0);
    assert_string_equal(outcome(a), "opened");
    assert_true(json_is_true(json_object_get(a, "customer_created")));
    int64_t enc = num(a, "encounter_id"), cust = num(a, "customer_id");
    json_t *c = NULL;
    rp_error err;
    assert_int_equal(rp_customer_get(&db->ctx, cust, &c, &err), RP_OK);
    assert_true(json_is_true(json_object_get(c, "unconfirmed")));
    json_decref(c);

    /* the same address in another case is the same customer */
    json_t *b = receive(&db->ctx, "ann@EXAMPLE.com", "Re: Kettle", "m2@ex.com",
                        "m1@ex.com", NULL, 0);
    assert_string_equal(outcome(b), "threaded");
    assert_int_equal(num(b, "encounter_id"), enc);
    assert_int_equal(num(b, "customer_id"), cust);
    assert_null(json_object_get(b, "customer_created"));

    /* References when In-Reply-To names nothing we know */
    const char *refs[] = {"m1@ex.com", "unknown@elsewhere"};
    json_t *r = receive(&db->ctx, "ann@example.com", "Re: Re: Kettle",
                        "m3@ex.com", "nothing@here", refs, 2);
    assert_string_equal(outcome(r), "threaded");
    assert_int_equal(num(r, "encounter_id"), enc);

    /* the same Message-ID again is stored once */
    json_t *d = receive(&db->ctx, "ann@example.com", "Re: Kettle", "m2@ex.com",
                        "m1@ex.com", NULL, 0);
    assert_string_equal(outcome(d), "duplicate");
    assert_int_equal(num(d, "message_id"), num(b, "message_id"));
    json_t *page = NULL;
    rp_page_req pr = {50, 0};
    assert_int_equal(rp_message_list(&db->ctx, enc, &pr, &page, &err), RP_OK);
    assert_int_equal(json_array_size(json_object_get(page, "items")), 3);
    json_decref(page);
    json_decref(a);
    json_decref(b);
    json_decref(r);
    json_decref(d);
}

static void test_subject_tag_only_for_that_customer(void **state)
{
    rp_test_db *db = *state;
    json_t *a = receive(&db->ctx, "ann@example.com", "Kettle", "t1@ex.com",
                        NULL, NULL, 0);
    int64_t enc = num(a, "encounter_id");
    char subject[80];
    snprintf(subject, sizeof subject, "Re: Kettle [Support #%lld]",
             (long long)enc);
    json_t *same = receive(&db->ctx, "ann@example.com", subject, "t2@ex.com",
                           NULL, NULL, 0);
    assert_string_equal(outcome(same), "threaded");
    assert_int_equal(num(same, "encounter_id"), enc);
    /* someone copied in who answers the thread joins it: the encounter
     * stays the customer's, the message says who wrote it */
    json_t *cc = receive(&db->ctx, "colleague@example.com", "Re: Kettle",
                         "t4@ex.com", "t1@ex.com", NULL, 0);
    assert_string_equal(outcome(cc), "threaded");
    assert_int_equal(num(cc, "encounter_id"), enc);
    assert_int_equal(num(cc, "customer_id"), num(a, "customer_id"));
    json_t *msg = NULL;
    rp_error err;
    assert_int_equal(
        rp_message_get(&db->ctx, num(cc, "message_id"), &msg, &err), RP_OK);
    assert_string_equal(json_string_value(json_object_get(msg, "from_address")),
                        "colleague@example.com");
    json_decref(msg);
    json_decref(cc);
    /* someone else quoting the tag opens their own encounter */
    json_t *other = receive(&db->ctx, "bob@example.org", subject, "t3@ex.org",
                            NULL, NULL, 0);
    assert_string_equal(outcome(other), "opened");
    assert_int_not_equal(num(other, "encounter_id"), enc);
    json_decref(a);
    json_decref(same);
    json_decref(other);
}

static void close_encounter(rp_test_db *db, int64_t enc, int64_t days_ago)
{
    rp_error err;
    json_t *ch = json_pack("{s:s, s:I}", "stage", "closed", "closed_at",
                           (json_int_t)(rp_now() - days_ago * 86400));
    assert_int_equal(
        db->store->ops->update(db->store, &RP_ENTITY_ENCOUNTER, enc, ch, &err),
        RP_OK);
    json_decref(ch);
}

static void test_closed_encounter_reopens_or_links(void **state)
{
    rp_test_db *db = *state;
    rp_error err;
    json_t *a = receive(&db->ctx, "ann@example.com", "Kettle", "r1@ex.com",
                        NULL, NULL, 0);
    int64_t enc = num(a, "encounter_id");
    close_encounter(db, enc, 2);
    json_t *b = receive(&db->ctx, "ann@example.com", "Re: Kettle", "r2@ex.com",
                        "r1@ex.com", NULL, 0);
    assert_string_equal(outcome(b), "reopened");
    assert_int_equal(num(b, "encounter_id"), enc);
    json_t *e = NULL;
    assert_int_equal(rp_encounter_get(&db->ctx, enc, &e, &err), RP_OK);
    assert_string_equal(json_string_value(json_object_get(e, "stage")),
                        "received");
    assert_true(json_is_null(json_object_get(e, "closed_at")));
    /* coming back is a second contact */
    assert_true(json_is_false(json_object_get(e, "first_contact_resolved")));
    json_decref(e);

    /* closed longer ago than reopen_days: a new encounter, linked */
    json_t *in = json_pack("{s:i}", "reopen_days", 3), *out = NULL;
    assert_int_equal(rp_desk_settings_update(&db->ctx, in, &out, &err), RP_OK);
    json_decref(in);
    json_decref(out);
    close_encounter(db, enc, 4);
    json_t *c = receive(&db->ctx, "ann@example.com", "Re: Kettle", "r3@ex.com",
                        "r2@ex.com", NULL, 0);
    assert_string_equal(outcome(c), "opened");
    assert_int_not_equal(num(c, "encounter_id"), enc);
    assert_int_equal(
        rp_encounter_get(&db->ctx, num(c, "encounter_id"), &e, &err), RP_OK);
    assert_int_equal(num(e, "previous_encounter_id"), enc);
    json_decref(e);
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

static void test_refused_classes_open_nothing(void **state)
{
    rp_test_db *db = *state;
    rp_mail_class classes[] = {RP_MAIL_AUTO_REPLY, RP_MAIL_BULK, RP_MAIL_LOOP};
    for (size_t i = 0; i < 3; i++) {
        rp_inbound_mail m = {.channel = "email",
                             .from_address = "robot@example.com",
                             .subject = "Out of office",
                             .text = "I am away.",
                             .mail_class = classes[i]};
        json_t *out = NULL;
        rp_error err;
        assert_int_equal(rp_conversation_receive(&db->ctx, &m, &out, &err),
                         RP_OK);
        assert_string_equal(outcome(out), "refused");
        assert_non_null(json_object_get(out, "reason"));
        assert_null(json_object_get(out, "encounter_id"));
        json_decref(out);
    }
    int64_t n = -1;
    rp_error err;
    assert_int_equal(db->store->ops->count(db->store, &RP_ENTITY_ENCOUNTER,
                                           NULL, 0, &n, &err),
                     RP_OK);
    assert_int_equal(n, 0);
    assert_int_equal(db->store->ops->count(db->store, &RP_ENTITY_KEPT_MAIL,
                                           NULL, 0, &n, &err),
                     RP_OK);
    assert_int_equal(n, 3);
}

static void test_flood_is_limited(void **state)
{
    rp_test_db *db = *state;
    rp_error err;
    json_t *in = json_pack("{s:i, s:i}", "flood_messages", 3, "flood_minutes",
                           10),
           *out = NULL;
    assert_int_equal(rp_desk_settings_update(&db->ctx, in, &out, &err), RP_OK);
    json_decref(in);
    json_decref(out);
    const char *outcomes[5];
    for (int i = 0; i < 5; i++) {
        char mid[32];
        snprintf(mid, sizeof mid, "f%d@ex.com", i);
        json_t *r = receive(&db->ctx, "flood@example.com", "Help", mid, NULL,
                            NULL, 0);
        outcomes[i] = strcmp(outcome(r), "refused") ? "taken" : "refused";
        json_decref(r);
    }
    assert_string_equal(outcomes[2], "taken");
    assert_string_equal(outcomes[3], "refused");
    assert_string_equal(outcomes[4], "refused");
}

static void test_reply_first_response_and_bounce(void **state)
{
    rp_test_db *db = *state;
    rp_error err;
    json_t *a = receive(&db->ctx, "ann@example.com", "Kettle", "b1@ex.com",
                        NULL, NULL, 0);
    int64_t enc = num(a, "encounter_id");
    json_t *note = json_pack("{s:s, s:s}", "kind", "note", "body",
                             "Checked the warranty."),
           *n = NULL;
    assert_int_equal(rp_message_add(&db->ctx, enc, note, &n, &err), RP_OK);
    json_t *e = NULL;
    assert_int_equal(rp_encounter_get(&db->ctx, enc, &e, &err), RP_OK);
    assert_true(json_is_null(json_object_get(e, "first_response_at")));
    json_decref(e);
    json_t *draft = json_pack("{s:s, s:s, s:b}", "kind", "reply", "body",
                              "Please try the reset button.", "draft", 1),
           *d = NULL;
    assert_int_equal(rp_message_add(&db->ctx, enc, draft, &d, &err), RP_OK);
    assert_string_equal(json_string_value(json_object_get(d, "status")),
                        "draft");
    assert_int_equal(rp_encounter_get(&db->ctx, enc, &e, &err), RP_OK);
    assert_true(json_is_null(json_object_get(e, "first_response_at")));
    json_decref(e);
    json_t *sent = NULL;
    assert_int_equal(rp_message_send(&db->ctx, num(d, "id"), NULL, &sent, &err),
                     RP_OK);
    assert_string_equal(json_string_value(json_object_get(sent, "status")),
                        "queued");
    assert_string_equal(json_string_value(json_object_get(sent, "to_address")),
                        "ann@example.com");
    assert_string_equal(json_string_value(json_object_get(sent, "in_reply_to")),
                        "b1@ex.com");
    char tag[40];
    snprintf(tag, sizeof tag, "[Support #%lld]", (long long)enc);
    assert_non_null(
        strstr(json_string_value(json_object_get(sent, "subject")), tag));
    assert_int_equal(rp_encounter_get(&db->ctx, enc, &e, &err), RP_OK);
    assert_false(json_is_null(json_object_get(e, "first_response_at")));
    json_decref(e);
    /* a draft is sent once */
    json_t *again = NULL;
    assert_int_equal(
        rp_message_send(&db->ctx, num(d, "id"), NULL, &again, &err),
        RP_ECONFLICT);

    /* the outbox gives it a Message-ID; a bounce naming it fails it */
    char *text = NULL;
    assert_int_equal(rp_outbox_render(&db->ctx, num(d, "id"),
                                      "desk@shop.example", &text, &err),
                     RP_OK);
    assert_non_null(strstr(text, "In-Reply-To: <b1@ex.com>\r\n"));
    assert_non_null(strstr(text, "X-Loop: rapport\r\n"));
    assert_non_null(strstr(text, "@shop.example>\r\n"));
    free(text);
    json_t *m = NULL;
    assert_int_equal(rp_message_get(&db->ctx, num(d, "id"), &m, &err), RP_OK);
    const char *mid = json_string_value(json_object_get(m, "message_id"));
    assert_non_null(mid);
    rp_inbound_mail bounce = {.channel = "email",
                              .from_address = "mailer-daemon@ex.com",
                              .mail_class = RP_MAIL_BOUNCE,
                              .bounced_message_id = mid,
                              .bounce_reason = "550 mailbox unknown"};
    json_t *out = NULL;
    assert_int_equal(rp_conversation_receive(&db->ctx, &bounce, &out, &err),
                     RP_OK);
    assert_string_equal(outcome(out), "bounce");
    json_t *after = NULL;
    assert_int_equal(rp_message_get(&db->ctx, num(d, "id"), &after, &err),
                     RP_OK);
    assert_string_equal(json_string_value(json_object_get(after, "status")),
                        "failed");
    assert_non_null(
        strstr(json_string_value(json_object_get(after, "last_error")), "550"));
    json_decref(after);
    json_decref(out);
    json_decref(m);
    json_decref(sent);
    json_decref(note);
    json_decref(n);
    json_decref(draft);
    json_decref(d);
    json_decref(a);
}

static void test_attachments_kept_once(void **state)
{
    rp_test_db *db = *state;
    rp_error err;
    const unsigned char png[] = {0x89, 'P', 'N', 'G', 1, 2, 3, 4};
    rp_mail_attachment att = {.filename = "../../etc/photo.png",
                              .content_type = "image/png",
                              .data = png,
                              .size = sizeof png};
    for (int i = 0; i < 2; i++) {
        char mid[32];
        snprintf(mid, sizeof mid, "a%d@ex.com", i);
        rp_inbound_mail m = {.channel = "email",
                             .from_address = "ann@example.com",
                             .subject = "Photo",
                             .text = "See the photo.",
                             .message_id = mid,
                             .attachments = &att,
                             .nattachments = 1};
        json_t *out = NULL;
        assert_int_equal(rp_conversation_receive(&db->ctx, &m, &out, &err),
                         RP_OK);
        json_decref(out);
    }
    int64_t blobs = 0, atts = 0;
    assert_int_equal(db->store->ops->count(db->store,
                                           &RP_ENTITY_ATTACHMENT_BLOB, NULL, 0,
                                           &blobs, &err),
                     RP_OK);
    assert_int_equal(db->store->ops->count(db->store, &RP_ENTITY_ATTACHMENT,
                                           NULL, 0, &atts, &err),
                     RP_OK);
    assert_int_equal(blobs, 1);
    assert_int_equal(atts, 2);
    rp_attachment_data a;
    assert_int_equal(rp_attachment_get(&db->ctx, 2, &a, &err), RP_OK);
    assert_int_equal(a.size, sizeof png);
    assert_memory_equal(a.data, png, sizeof png);
    assert_string_equal(a.filename, "photo.png");
    assert_string_equal(a.content_type, "image/png");
    rp_attachment_free(&a);
    assert_string_equal(rp_attachment_safe_type("text/html"),
                        "application/octet-stream");
    assert_string_equal(rp_attachment_safe_type("image/svg+xml"),
                        "application/octet-stream");
    assert_string_equal(rp_attachment_safe_type("text/plain; charset=utf-8"),
                        "text/plain");

    /* over the limit: refused, nothing stored */
    json_t *in = json_pack("{s:i}", "attachment_max_bytes", 1024), *out = NULL;
    assert_int_equal(rp_desk_settings_update(&db->ctx, in, &out, &err), RP_OK);
    json_decref(in);
    json_decref(out);
    unsigned char big[2048] = {0};
    rp_mail_attachment large = {.filename = "big.bin",
                                .content_type = "application/zip",
                                .data = big,
                                .size = sizeof big};
    rp_inbound_mail m = {.channel = "email",
                         .from_address = "ann@example.com",
                         .text = "Big one",
                         .message_id = "big@ex.com",
                         .attachments = &large,
                         .nattachments = 1};
    assert_int_equal(rp_conversation_receive(&db->ctx, &m, &out, &err),
                     RP_EINVALID);
    assert_string_equal(err.field, "attachments");
}

static void test_identities_unique_and_phone_search(void **state)
{
    rp_test_db *db = *state;
    rp_error err;
    json_t *in = json_pack("{s:s}", "phone_country_code", "34"), *out = NULL;
    assert_int_equal(rp_desk_settings_update(&db->ctx, in, &out, &err), RP_OK);
    json_decref(in);
    json_decref(out);
    json_t *ann = json_pack("{s:s, s:[s], s:[s]}", "name", "Ann", "emails",
                            "Ann@Example.com", "phones", "600 100 200"),
           *c1 = NULL;
    assert_int_equal(rp_customer_create(&db->ctx, ann, &c1, &err), RP_OK);
    /* the customer still shows what was written */
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(c1, "emails"), 0)),
        "Ann@Example.com");
    json_t *bob = json_pack("{s:s, s:[s]}", "name", "Bob", "emails",
                            "ann@example.COM"),
           *c2 = NULL;
    assert_int_equal(rp_customer_create(&db->ctx, bob, &c2, &err),
                     RP_ECONFLICT);
    assert_string_equal(err.field, "emails");
    int64_t n = 0;
    assert_int_equal(rp_customer_count(&db->ctx, &n, &err), RP_OK);
    assert_int_equal(n, 1); /* refused changes nothing */
    const char *typed[] = {"600 100 200", "+34600100200", "0034 600-100-200",
                           "(600) 100 200"};
    for (size_t i = 0; i < 4; i++) {
        rp_page_req pr = {50, 0};
        json_t *page = NULL;
        assert_int_equal(rp_customer_list(&db->ctx, typed[i], &pr, &page, &err),
                         RP_OK);
        json_t *items = json_object_get(page, "items");
        assert_int_equal(json_array_size(items), 1);
        assert_int_equal(num(json_array_get(items, 0), "id"), num(c1, "id"));
        json_decref(page);
    }
    /* an unknown sender with that address is this customer */
    json_t *r = receive(&db->ctx, "ANN@example.com", "Hi", "i1@ex.com", NULL,
                        NULL, 0);
    assert_int_equal(num(r, "customer_id"), num(c1, "id"));
    json_decref(r);
    /* changing the list moves the identities with it */
    json_t *upd = json_pack("{s:[s]}", "emails", "ann.lee@example.com"),
           *u = NULL;
    assert_int_equal(rp_customer_update(&db->ctx, num(c1, "id"), upd, &u, &err),
                     RP_OK);
    assert_int_equal(rp_customer_create(&db->ctx, bob, &c2, &err), RP_OK);
    json_decref(u);
    json_decref(upd);
    json_decref(c2);
    json_decref(ann);
    json_decref(bob);
    json_decref(c1);
}

static void test_migration_moves_contacts(void **state)
{
    rp_test_db *db = *state;
    rp_store *old = rp_test_db_open(db, 7);
    rp_error err;
    json_t *rows[] = {json_pack("{s:s, s:[s], s:[s], s:i, s:i}", "name", "Ann",
                                "emails", "Ann@Example.com", "phones",
                                "+34 600-100-200", "created_at", 1,
                                "updated_at", 1),
                      json_pack("{s:s, s:[s], s:[], s:i, s:i}", "name",
                                "Ann twin", "emails", "ann@example.com",
                                "phones", "created_at", 2, "updated_at", 2)};
    for (int i = 0; i < 2; i++) {
        int64_t id;
        /* version 7 had no unconfirmed column: insert only what it had */
        json_t *r = rows[i];
        rp_entity e = RP_ENTITY_CUSTOMER;
        e.ncolumns -= 1;
        assert_int_equal(old->ops->insert(old, &e, r, &id, &err), RP_OK);
        json_decref(r);
    }
    rp_store_close(old);
    db->store = rp_test_db_open(db, 0);
    db->ctx.store = db->store;
    int64_t cid, iid;
    assert_int_equal(rp_identity_find(&db->ctx, "email", "ANN@example.com",
                                      &cid, &iid, &err),
                     RP_OK);
    assert_int_equal(cid, 1); /* the first customer keeps a shared address */
    assert_int_equal(
        rp_identity_find(&db->ctx, "phone", "0034600100200", &cid, &iid, &err),
        RP_OK);
    assert_int_equal(cid, 1);
}

static void test_acknowledgement_per_queue(void **state)
{
    rp_test_db *db = *state;
    rp_error err;
    json_t *qin = json_pack("{s:s, s:[s]}", "name", "Mail", "channels",
                            "email"),
           *q = NULL;
    assert_int_equal(rp_queue_create(&db->ctx, qin, &q, &err), RP_OK);
    json_t *m = json_pack("{s:s, s:b}", "email_address", "help@shop.example",
                          "acknowledge_new", 1),
           *q2 = NULL;
    assert_int_equal(rp_queue_mail_set(&db->ctx, num(q, "id"), m, &q2, &err),
                     RP_OK);
    /* an out-of-office is refused: nothing opened, nothing sent back */
    rp_inbound_mail ooo = {.channel = "email",
                           .from_address = "ann@example.com",
                           .subject = "Away",
                           .text = "I am away.",
                           .queue = "Mail",
                           .mail_class = RP_MAIL_AUTO_REPLY};
    json_t *out = NULL;
    assert_int_equal(rp_conversation_receive(&db->ctx, &ooo, &out, &err),
                     RP_OK);
    json_decref(out);
    int64_t n = -1;
    assert_int_equal(
        db->store->ops->count(db->store, &RP_ENTITY_MESSAGE, NULL, 0, &n, &err),
        RP_OK);
    assert_int_equal(n, 0);
    /* a person's new request is acknowledged, as the system */
    rp_inbound_mail mail = {.channel = "email",
                            .from_address = "ann@example.com",
                            .subject = "Kettle",
                            .text = "Broken.",
                            .message_id = "k1@ex.com",
                            .queue = "Mail"};
    assert_int_equal(rp_conversation_receive(&db->ctx, &mail, &out, &err),
                     RP_OK);
    rp_page_req pr = {50, 0};
    json_t *page = NULL;
    assert_int_equal(
        rp_message_list(&db->ctx, num(out, "encounter_id"), &pr, &page, &err),
        RP_OK);
    json_t *items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 2);
    json_t *ack = json_array_get(items, 1);
    assert_string_equal(json_string_value(json_object_get(ack, "author")),
                        "system");
    assert_string_equal(json_string_value(json_object_get(ack, "status")),
                        "queued");
    assert_string_equal(json_string_value(json_object_get(ack, "in_reply_to")),
                        "k1@ex.com");
    /* an acknowledgement is not the first response */
    json_t *e = NULL;
    assert_int_equal(
        rp_encounter_get(&db->ctx, num(out, "encounter_id"), &e, &err), RP_OK);
    assert_true(json_is_null(json_object_get(e, "first_response_at")));
    assert_int_equal(num(e, "queue_id"), num(q, "id"));
    char *text = NULL;
    assert_int_equal(
        rp_outbox_render(&db->ctx, num(ack, "id"), NULL, &text, &err), RP_OK);
    assert_non_null(strstr(text, "Auto-Submitted: auto-replied\r\n"));
    assert_non_null(strstr(text, "From: \"Support\" <help@shop.example>"));
    free(text);
    json_decref(e);
    json_decref(page);
    json_decref(out);
    json_decref(qin);
    json_decref(q);
    json_decref(m);
    json_decref(q2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_email_normalisation),
        cmocka_unit_test(test_phone_normalisation),
        cmocka_unit_test(test_subject_tag),
        cmocka_unit_test_setup_teardown(
            test_new_sender_opens_and_replies_thread, rp_test_db_setup,
            rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_subject_tag_only_for_that_customer,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_closed_encounter_reopens_or_links,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_refused_classes_open_nothing,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_flood_is_limited, rp_test_db_setup,
                                        rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_reply_first_response_and_bounce,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_attachments_kept_once,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_identities_unique_and_phone_search,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_acknowledgement_per_queue,
                                        rp_test_db_setup, rp_test_db_teardown),
        cmocka_unit_test_setup_teardown(test_migration_moves_contacts,
                                        rp_test_db_setup_unopened,
                                        rp_test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
