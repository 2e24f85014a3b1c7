/*
 * admin_labels.js - the words for the codes the server sends that the
 * dashboard and the admin pages show: roles, channels, days of the week,
 * the charter's targets, relationship levels, defect kinds, message kinds,
 * webhook events and delivery states.
 *
 * Each map is a function of the language in use, so a code is said in
 * the agent's language (through i18n.js's catalogue) and never shown raw; a code the
 * console does not know yet is said as "something else" rather than as
 * its code.  Other views name some of the same codes in their own
 * modules; the lead may join them into one.
 */
import { t, locale } from '../i18n.js';
import { h } from '../dom.js';

/* A role: agent, lead, admin. */
export function roleWords() {
  return { agent: t('Agent'), lead: t('Team lead'), admin: t('Administrator') };
}

/* A way in (an encounter's channel). */
export function channelWords() {
  return {
    in_person: t('In person'), phone: t('Phone'), email: t('Email'), chat: t('Chat'), web: t('Web form'), sms: t('Text message'),
  };
}

/* The days of the week, Monday first: [code, name]. */
export function days() {
  return [['monday', t('Monday')], ['tuesday', t('Tuesday')], ['wednesday', t('Wednesday')], ['thursday', t('Thursday')],
    ['friday', t('Friday')], ['saturday', t('Saturday')], ['sunday', t('Sunday')]];
}

/* A target of the service charter, as a breach names it. */
export function targetWords() {
  return {
    acknowledge: t('Acknowledge'), first_response: t('First answer'), resolution: t('Resolution'), promise: t('Promise'),
    promises: t('Promises'), follow_up: t('Follow-up'), follow_up_on_time: t('Follow-up on time'),
  };
}

/* A relationship level. */
export function levelWords() {
  return {
    transactional: t('Transactional'), incremental: t('Incremental'), formative: t('Formative'), partnership: t('Partnership'),
  };
}

/* A kind of defect. */
export function defectWords() {
  return {
    wrong_item: t('Wrong item'), late: t('Late'), missed_promise: t('Missed promise'), not_resolved: t('Not resolved'),
    long_wait: t('Long wait'), disconnected: t('Cut off'), rude: t('Rude'), other: t('Other'),
  };
}

/* A kind of message the desk sends on its own. */
export function taskKindWords() {
  return {
    reminder: t('Reminder'), renewal_notice: t('Renewal notice'), satisfaction_check: t('Satisfaction check'),
    keep_in_touch: t('Keeping in touch'), follow_up: t('Follow-up'),
  };
}

/* What each kind of webhook event means, in the words an admin reads (in the server's order). */
export function eventWordsMap() {
  return {
    'encounter.opened': t('An encounter is opened'),
    'encounter.stage_changed': t('An encounter moves to another stage'),
    'encounter.assigned': t('An encounter is given to a queue or an agent'),
    'encounter.closed': t('An encounter is closed'),
    'encounter.abandoned': t('An encounter is abandoned'),
    'message.received': t('A customer’s message arrives'),
    'message.sent': t('A reply is sent'),
    'message.failed': t('A reply could not be sent'),
    'satisfaction.answered': t('A customer answers a satisfaction check'),
    'customer.created': t('A customer is added'),
    'customer.changed': t('A customer’s details change'),
    'customer.merged': t('Two customers are merged into one'),
    'customer.erased': t('A customer is erased'),
    'charter.breached': t('A service promise is broken'),
  };
}

/* The word for code in map, else "something else" (a code is never shown). */
export function said(map, code) {
  return Object.prototype.hasOwnProperty.call(map, code) ? map[code] : t('Something else');
}

/* A number written in the language's way ("1,000" / "1.000"), or a dash. */
export function num(x) {
  return typeof x === 'number' && Number.isFinite(x) ? x.toLocaleString(locale()) : '–';
}

/* A share (0..1, or a percentage above 1) written in the language's way ("50%" / "50 %"), or a dash. */
export function pct(x) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  return (x <= 1 ? x : x / 100).toLocaleString(locale(), { style: 'percent', maximumFractionDigits: 0 });
}

/*
 * A translated sentence with a link in it: text holds "{link}" where the
 * link goes (the sentence's order is the language's), a is the link.
 */
export function withLink(text, a) {
  const [before, after] = text.split('{link}');
  return [before, a, after ?? ''];
}

/* A link to another admin page, for withLink. */
export function pageLink(href, words) {
  return h('a', { href }, words);
}
