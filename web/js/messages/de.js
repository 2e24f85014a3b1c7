/*
 * de.js - the console in German: each English message (the key, as the
 * views write it) and its German text.  Values go in by name ("{n}",
 * "{name}"); both plural forms of a tn() message have their own entry.
 * The unit test fails when a message the console uses is missing here or
 * an entry here is no longer used.
 *
 * Grouped by where the message is used, one section per file; a message
 * used in several places is listed once, in the first section that needs it.
 * Address the agent as "Sie"; say what happened and what to do next.
 */
export default Object.freeze({
  /* ---- the shell: app.js, index.html, login, api.js errors, format.js, tasks.js, charts.js ---- */

  /* ---- the work lists and the encounter: worklist, queue, encounter, ownership, conversation, followups ---- */

  /* ---- customers: customers, customer, profile, records, merge, privacy, import, kb, knowledge ---- */

  /* ---- the dashboard and admin: dashboard, admin, admin_people, admin_service, admin_channels, webhooks ---- */
});
