/*
 * mailpoll.h - rapportd's IMAP thread: every N seconds it reads the queues'
 * mailboxes (rp_mail_imap_poll), on its own store connection, so a slow
 * mail server never holds up a request.
 */
#ifndef RP_MAILPOLL_H
#define RP_MAILPOLL_H

#include "mail/mail.h"

typedef struct rp_mailpoll rp_mailpoll;

/*
 * Start the thread on the database db, polling every interval seconds (0:
 * do not start; *out is then NULL) with opt, which must outlive the
 * thread.
 */
rp_code rp_mailpoll_start(const char *db, int interval,
                          const rp_mail_options *opt, rp_mailpoll **out,
                          rp_error *err);

/* Stop the thread (a message being taken is finished first) and release
 * it.  NULL is allowed. */
void rp_mailpoll_stop(rp_mailpoll *p);

#endif
