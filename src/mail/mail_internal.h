/*
 * mail_internal.h - what the files of the mail layer share and nobody else
 * sees.
 *
 * GMime keeps process-wide tables (charset aliases, iconv names) that are
 * made on first use; made before g_mime_init they are never freed, so every
 * entry point that touches GMime starts it first, once.
 */
#ifndef RP_MAIL_INTERNAL_H
#define RP_MAIL_INTERNAL_H

/* Start GMime for this process, once, whichever thread comes first. */
void rp_mail_gmime_start(void);

#endif
