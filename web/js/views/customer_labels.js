/*
 * customer_labels.js - the codes the server sends about a customer, in the
 * agent's words: channels, stages, relationship levels, the kinds of moment
 * in the timeline and their impressions, the kinds of message sent to a
 * customer, preference firmness, goal states, date kinds and consent
 * purposes.
 *
 * Each label is looked up when it is shown (a function, not a table built
 * at load), so it is in the language chosen at login.  A code this console
 * does not know yet is said as "other", never shown raw.
 */
import { t } from '../i18n.js';

function lookup(table, code, fallback) {
  const f = table[code];
  return f ? f() : fallback();
}

const CHANNELS = {
  in_person: () => t('In person'),
  phone: () => t('Phone'),
  email: () => t('Email'),
  chat: () => t('Chat'),
  web: () => t('Web form'),
  sms: () => t('Text message'),
};
/* The channels an encounter can be opened on, in the order offered. */
export const CHANNEL_CODES = ['in_person', 'phone', 'email', 'chat', 'web'];

/* "in_person" -> "In person". */
export function channelLabel(code) {
  return lookup(CHANNELS, code, () => t('Another channel'));
}

const STAGES = {
  received: () => t('Received'),
  understood: () => t('Understood'),
  helped: () => t('Helped'),
  kept: () => t('Kept'),
  closed: () => t('Closed'),
  abandoned: () => t('Abandoned'),
};

/* "understood" -> "Understood". */
export function stageLabel(code) {
  return lookup(STAGES, code, () => t('Another stage'));
}

const LEVELS = {
  transactional: () => t('Transactional'),
  incremental: () => t('Incremental'),
  formative: () => t('Formative'),
  partnership: () => t('Partnership'),
};

/* "incremental" -> "Incremental". */
export function levelLabel(code) {
  return lookup(LEVELS, code, () => t('Not known yet'));
}

const MOMENTS = {
  'customer.created': () => t('New customer'),
  'customer.changed': () => t('Details changed'),
  'customer.updated': () => t('Details changed'),
  'customer.merged': () => t('Customers merged'),
  'customer.erased': () => t('Personal data erased'),
  'customer.erasure_requested': () => t('Asked to be forgotten'),
  'profile.changed': () => t('Profile changed'),
  'consent.changed': () => t('Consent changed'),
  'relationship.changed': () => t('Relationship changed'),
  'encounter.opened': () => t('Encounter opened'),
  'encounter.routed': () => t('Put in a queue'),
  'encounter.acknowledged': () => t('Acknowledged'),
  'encounter.stage_changed': () => t('Stage reached'),
  'encounter.understood': () => t('Understood'),
  'encounter.helped': () => t('Helped'),
  'encounter.kept': () => t('Kept'),
  'encounter.assigned': () => t('Assigned'),
  'encounter.taken': () => t('Taken'),
  'encounter.transferred': () => t('Transferred'),
  'encounter.recorded': () => t('Recorded on the encounter'),
  'encounter.closed': () => t('Encounter closed'),
  'encounter.abandoned': () => t('Gave up waiting'),
  'encounter.reopened': () => t('Encounter reopened'),
  'defect.recorded': () => t('Something went wrong'),
  'special_request.granted': () => t('Special request granted'),
  'special_request.declined': () => t('Special request declined'),
  'promise.made': () => t('Promise made'),
  'promise.kept': () => t('Promise kept'),
  'promise.broken': () => t('Promise broken'),
  'charter.breached': () => t('Service charter missed'),
  'follow_up.scheduled': () => t('Follow-up planned'),
  'follow_up.moved': () => t('Follow-up moved'),
  'follow_up.done': () => t('Follow-up done'),
  'satisfaction_check.moved': () => t('Satisfaction check moved'),
  'satisfaction_check.done': () => t('Satisfaction check done'),
  'reminder.done': () => t('Reminder done'),
  'renewal_notice.done': () => t('Renewal notice done'),
  'keep_in_touch.done': () => t('Keeping in touch done'),
  'task.sent': () => t('Message sent'),
  'message.received': () => t('Message received'),
  'message.sent': () => t('Message sent'),
  'message.replied': () => t('Replied'),
  'message.noted': () => t('Note written'),
  'message.failed': () => t('Message not delivered'),
  'satisfaction.scheduled': () => t('Satisfaction check planned'),
  'satisfaction.answered': () => t('Satisfaction check answered'),
  'offer.shown': () => t('Suggestions shown'),
  'offer.accepted': () => t('Suggestion accepted'),
  'offer.declined': () => t('Suggestion declined'),
  'kb.feedback': () => t('Article rated'),
  'export.requested': () => t('Asked for their data'),
  'export.approved': () => t('Data copy approved'),
  'retention.messages_blanked': () => t('Old messages cleared'),
  'retention.attachments_dropped': () => t('Old files removed'),
};

/* A moment of truth's kind ("promise.kept") in words ("Promise kept");
 * hasMomentLabel: whether the console has words for the kind. */
export const hasMomentLabel = (code) => Object.prototype.hasOwnProperty.call(MOMENTS, code);
export function momentLabel(code) {
  return lookup(MOMENTS, code, () => t('Moment'));
}

const IMPRESSIONS = {
  positive: () => t('Positive'),
  neutral: () => t('Neutral'),
  negative: () => t('Negative'),
};

/* The impression a moment left ("negative" -> "Negative"). */
export function impressionLabel(code) {
  return lookup(IMPRESSIONS, code, () => t('Not known yet'));
}

const TASK_KINDS = {
  follow_up: () => t('Follow-up'),
  keep_in_touch: () => t('Keeping in touch'),
  reminder: () => t('Reminder'),
  renewal_notice: () => t('Renewal notice'),
  satisfaction: () => t('Satisfaction check'),
  satisfaction_check: () => t('Satisfaction check'),
  test: () => t('Test message'),
};

/* A message's kind ("renewal_notice" -> "Renewal notice"). */
export function taskKindLabel(code) {
  return lookup(TASK_KINDS, code, () => t('Message'));
}

/* How firm a preference is, as offered in the form. */
export function firmnessOptions() {
  return { firm: t('Firm: never offer against it'), flexible: t('Flexible: a wish') };
}

/* Where a goal stands, by its code. */
export function goalStates() {
  return { active: t('Working toward it'), achieved: t('Achieved'), dropped: t('Dropped') };
}

/* The kinds of important date. */
export function dateKinds() {
  return { appointment: t('Appointment'), renewal: t('Renewal'), expiry: t('Expiry'), other: t('Other') };
}

/* Each purpose a customer consents to: its title and what it covers. */
export function consentPurposes() {
  return {
    service: [t('About their service'), t('replies, satisfaction checks and follow-ups; given unless withdrawn')],
    reminders: [t('Reminders'), t('appointments, renewals and keeping in touch; only when granted')],
    offers: [t('Offers'), t('suggestions of products; only when granted')],
  };
}

/*
 * Why a customer's relationship stands where it does, from the rule the
 * server names (src/core/customer/relationship.c); a rule this console does
 * not know yet keeps the server's own words.
 */
export function relationshipReason(r) {
  if (!r || typeof r !== 'object') return String(r ?? '');
  const why = String(r.why || '');
  switch (r.rule) {
    case 'formal_exchange':
      return t('a formal exchange (a contract, or a meeting at senior level) was closed, on a history of 3 or more closed encounters');
    case 'become_encounter':
      return t('an encounter about what the customer wants to become was closed, and the relationship went on (another visit, a follow-up done or a promise kept)');
    case 'resolution_satisfied':
      return t('a need worked out together left the customer satisfied (4 or 5), and the relationship went on (another visit, a follow-up done or a promise kept)');
    case 'active_goal':
      return t('the customer has an active goal kept in their profile');
    case 'supplemental_followed_up':
      return t('a supplemental exchange was closed and its follow-up was done');
    case 'three_closed_encounters':
      return t('three or more encounters were closed');
    case 'first_step':
      return t('one encounter went beyond a transaction (a become, a satisfying resolution or a formal exchange); one visit is a first step, not yet a pattern');
    case 'unhappy_answer': {
      const score = (/(\d) of 5/.exec(why) || [])[1];
      return score ? t('the newest satisfaction answer was {score} of 5: held back a step', { score }) : why;
    }
    case 'promise_broken':
      return t('the newest promise settled was broken, and none kept since: held back a step');
    case 'default':
      return /^no encounter/.test(why) ? t('no encounter closed yet') : t('only quick or unfollowed exchanges so far');
    default:
      return why;
  }
}
