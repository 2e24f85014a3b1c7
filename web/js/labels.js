/*
 * labels.js - the words for the codes the server sends (channels, stages,
 * kinds, exchanges, relationship levels, the guide's skills and reasons),
 * in the agent's language.
 *
 * The server's codes stay stable ("in_person", "understood"); what an
 * agent reads comes from here, through the catalogue.  Each map is built
 * when it is asked for, not when the module loads, because the language
 * is chosen after the session is read.  A code the console does not know
 * yet (a newer server) is shown humanized rather than hidden.
 */
import { t, tn } from './i18n.js';
import { humanize } from './format.js';

const own = (map, code) => Object.prototype.hasOwnProperty.call(map, code);
const word = (map, code) => (own(map, code) ? map[code] : humanize(code));

/* How the customer came: code -> label, for lists and choices. */
export function channelWords() {
  return { in_person: t('In person'), phone: t('Phone'), email: t('Email'), chat: t('Chat'), web: t('Web') };
}
export const channelLabel = (code) => word({ ...channelWords(), sms: t('Text message') }, code);

/* "by phone": how a follow-up or a message goes. */
export function channelBy(code) {
  return word({
    phone: t('by phone'), in_person: t('in person'), email: t('by email'), sms: t('by text message'),
    chat: t('by chat'), web: t('on the web'),
  }, code);
}

/* Where an encounter is, as a work list says it. */
export function stageWords() {
  return {
    received: t('Waiting to be received'), understood: t('Understanding'), helped: t('Helping'),
    kept: t('Keeping'), closed: t('Closed'), abandoned: t('Customer gave up'),
  };
}
export const stageLabel = (code) => word(stageWords(), code);

/* The cycle's stages by name (the encounter page's sections). */
export function stageTitle(code) {
  return word({
    received: t('Receiving'), understood: t('Understanding'), helped: t('Helping'), kept: t('Keeping'),
    closed: t('Closed'), abandoned: t('Abandoned'),
  }, code);
}

/* The kind of need and the kind of exchange, short. */
export function kindWords() {
  return { what: t('What they asked for'), how: t('How they want it'), become: t('Who they want to become') };
}
export function exchangeWords() {
  return { quick: t('Quick'), supplemental: t('Supplemental'), resolution: t('Resolution'), formal: t('Formal') };
}

/* The relationship's level. */
export function levelLabel(code) {
  return word({
    transactional: t('Transactional'), incremental: t('Incremental'), formative: t('Formative'),
    partnership: t('Partnership'),
  }, code);
}

/* Why the relationship is at its level: each rule of the server in words;
 * an unknown rule keeps the server's words. */
export function relationshipReason(r) {
  if (!r || typeof r !== 'object') return String(r ?? '');
  const why = String(r.why || r.text || r.reason || '');
  switch (r.rule) {
    case 'formal_exchange':
      return t('A formal exchange (a contract, or a meeting at senior level) was closed, on a history of 3 or more closed encounters.');
    case 'become_encounter':
      return t('An encounter about what the customer wants to become was closed, and the relationship went on.');
    case 'resolution_satisfied':
      return t('A need worked out together left the customer satisfied, and the relationship went on.');
    case 'active_goal':
      return t('The customer has an active goal kept in their profile.');
    case 'supplemental_followed_up':
      return t('A supplemental exchange was closed and its follow-up was done.');
    case 'three_closed_encounters':
      return t('Three or more encounters were closed.');
    case 'first_step':
      return t('One encounter went beyond a transaction; one visit is a first step, not yet a pattern.');
    case 'promise_broken':
      return t('The newest promise settled was broken, and none kept since: held back a step.');
    case 'unhappy_answer': {
      const m = /(\d) of 5/.exec(why);
      return t('The newest satisfaction answer was {score} of 5: held back a step.', { score: m ? m[1] : '1–2' });
    }
    case 'default':
      return /no encounter closed/.test(why) ? t('No encounter closed yet.') : t('Only quick or unfollowed exchanges so far.');
    default:
      return why;
  }
}

/* The guide's checklist: each skill of a stage, and what to do for it. */
export function skillLabel(code) {
  return word({
    'greet by name': t('Greet by name'), acknowledge: t('Acknowledge the customer'),
    'listen for facts': t('Listen for facts'), 'listen for feelings': t('Listen for feelings'),
    'ask open questions': t('Ask open questions'), restate: t('Restate'),
    'offer information and options': t('Offer information and options'),
    'set realistic expectations': t('Set realistic expectations'), 'get agreement': t('Get agreement'),
    'check satisfaction': t('Check satisfaction'), thank: t('Thank'),
    'bridge to other needs': t('Bridge to other needs'), 'follow up': t('Follow up'),
  }, code);
}
export function skillHint(code) {
  const hints = {
    'greet by name': t('greet with the greeting above'),
    acknowledge: t('acknowledge the customer: it stops the wait clock'),
    'listen for facts': t('record facts'), 'listen for feelings': t('record feelings'),
    'ask open questions': t('record the questions asked'),
    restate: t('restate the need in your words and record it'),
    'offer information and options': t('record the options offered'),
    'set realistic expectations': t('record what was promised, by when'),
    'get agreement': t('record the agreement, or why there is none'),
    'check satisfaction': t('ask a score and three words, or schedule a check'),
    thank: t('thank the customer'),
    'bridge to other needs': t('ask about other needs and record what came up'),
    'follow up': t('schedule a follow-up'),
  };
  return own(hints, code) ? hints[code] : null;
}

/* The loyalty line: returning or new, the tier (an admin's name for it),
 * the discount and the visits. */
export function loyaltyText(l, percent) {
  if (!l || typeof l !== 'object') return '';
  const parts = [l.returning ? t('Returning customer') : t('New customer')];
  if (l.tier && l.tier !== 'none') parts.push(t('{tier} tier', { tier: l.tier }));
  const d = Number(l.discount_percent) || 0;
  parts.push(d > 0 ? t('{percent} discount', { percent: percent(d) }) : t('No discount'));
  if (l.visits !== undefined) parts.push(tn(l.visits, '{n} visit', '{n} visits'));
  return parts.join(' · ');
}
