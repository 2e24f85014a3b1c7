/*
 * moment_words.js - a moment of truth said in the agent's language.
 *
 * The server keeps each moment's summary in English, and the ledger is
 * sealed: a stored moment is never rewritten.  What a moment says is also
 * in its kind and in the parameters its detail carries (the kinds are
 * listed once, in src/core/customer/moment.c's rp_moment_kinds; the
 * OpenAPI document's Moment says each kind's parameters), so the console
 * writes the sentence itself from those, in the language chosen at login,
 * with times in the agent's zone.  What someone typed (a reason, a cause,
 * a promise) is quoted as they typed it.
 *
 * A moment recorded before its kind carried its parameters (older data),
 * or of a kind this console does not know (a newer server), keeps the
 * server's summary, its times said as fmtWhen says them.  units.test.mjs
 * fails when a kind the server can record has no sentence here.
 */
import { t, tn } from '../i18n.js';
import { fmtWhen, fmtDuration, fmtList, fmtNumber, plainTimes } from '../format.js';
import { kindWords, exchangeWords, channelBy } from '../labels.js';
import { levelLabel, relationshipReason, goalStates, dateKinds, consentPurposes, taskKindLabel } from './customer_labels.js';

const has = (d, k) => d && typeof d === 'object' && Object.prototype.hasOwnProperty.call(d, k);
const str = (v) => (v === null || v === undefined ? '' : String(v));
/* a time the detail gives as RFC 3339 or as Unix seconds */
const when = (v) => fmtWhen(typeof v === 'number' ? new Date(v * 1000).toISOString() : v);
const own = (map, code) => (Object.prototype.hasOwnProperty.call(map, code) ? map[code] : null);

/* What an agent can record on an encounter (src/core/encounter/record.c's
 * field_words), as the object of "Recorded …". */
function recordedField(field) {
  return own({
    facts: t('the facts'),
    feelings: t('how the customer feels'),
    restatement: t('the need said back'),
    request: t('the request'),
    goal: t('the customer’s goal'),
    agreement: t('what was agreed'),
    no_agreement_reason: t('why nothing was agreed'),
    outcome_done: t('what was done'),
    outcome_watch: t('what to watch'),
    satisfaction_skip_reason: t('why satisfaction is not asked'),
    bridged: t('the bridge to other needs'),
    topic: t('the topic'),
    questions: t('the questions asked'),
    options: t('the options offered'),
    preferences_captured: t('the preferences heard'),
    information_requested: t('that only information was asked for'),
    senior_level: t('the senior level'),
    contract: t('the contract'),
    thanked: t('the thanks'),
    apology_owed: t('the apology owed'),
    apology_given: t('the apology given'),
    first_contact_resolved: t('resolution at first contact'),
    spend: t('what the visit was worth'),
    kind: t('the kind'),
    exchange: t('the exchange'),
    kind_override_reason: t('why the kind is what it is'),
    exchange_override_reason: t('why the exchange is what it is'),
  }, field) || field;
}

/* A customer's details, as the object of "Details changed: …". */
function customerField(field) {
  return own({
    name: t('the name'),
    preferred_name: t('the preferred name'),
    emails: t('the email addresses'),
    phones: t('the phone numbers'),
    notes: t('the notes'),
    unconfirmed: t('whether they are confirmed'),
    external_id: t('the external number'),
  }, field) || field;
}

/* What can go wrong (a defect's kind), inside the sentence: "Service
 * breakdown (a long wait)", as the stored summary says it. */
function defectWords(code) {
  return own({
    wrong_item: t('the wrong item'), late: t('late'), missed_promise: t('a promise missed'),
    not_resolved: t('not resolved'), long_wait: t('a long wait'), disconnected: t('a call cut off'),
    rude: t('rudeness'), other: t('something else'),
  }, code) || t('something else');
}

/* A preference, goal, date or consent as the profile moment says it. */
function profileItem(d) {
  const it = d.item || {};
  const action = own({ recorded: t('recorded'), changed: t('changed'), removed: t('removed') }, d.action) || t('changed');
  switch (d.kind) {
    case 'preferences':
      return t('Preference {action}: {key} = {value} ({firmness})', {
        action, key: str(it.key), value: str(it.value), firmness: it.firmness === 'firm' ? t('firm') : t('flexible'),
      });
    case 'goals':
      return t('Goal {action}: {title} ({status})', { action, title: str(it.title), status: own(goalStates(), it.status) || str(it.status) });
    case 'dates':
      return t('Important date {action}: {kind} “{title}” on {when}', {
        action, kind: own(dateKinds(), it.date_kind) || str(it.date_kind), title: str(it.title), when: when(it.at),
      });
    case 'consents': {
      const purpose = (own(consentPurposes(), it.purpose) || [str(it.purpose)])[0];
      return it.granted ? t('Consent given: {purpose}', { purpose }) : t('Consent withdrawn: {purpose}', { purpose });
    }
    default:
      return null;
  }
}

/* The stage an encounter was in when the customer gave up. */
function abandonedStage(code) {
  return own({
    received: t('while waiting to be received'), understood: t('while being understood'),
    helped: t('while being helped'), kept: t('while the agreement was being kept'),
  }, code) || t('before it was finished');
}

/* A charter target missed. */
function breachWords(d) {
  const target = fmtDuration(Number(d.target_seconds) || 0);
  const hours = d.business_hours ? t('{target} of business hours', { target }) : target;
  switch (d.target) {
    case 'acknowledge': return t('Waited longer than the acknowledgement target of {target}', { target: hours });
    case 'first_response': return t('No first response within the target of {target}', { target: hours });
    default:
      return d.over_by_seconds
        ? t('Not resolved within the target of {target}', { target: hours })
        : t('Abandoned before being resolved, within the resolution target of {target}', { target: hours });
  }
}

/* ": what they typed", or nothing when it is empty. */
const quote = (text) => (str(text).trim() ? `: ${str(text)}` : '');

/* A task done ("follow_up.done"): what it was and the note. */
const taskDone = (d) => (has(d, 'subject') ? t('Done: {subject}', { subject: str(d.subject) }) + (d.note ? ` – ${d.note}` : '') : null);

/*
 * Each kind the server records, with its sentence from the moment's
 * detail d (and the moment m); null when d lacks what the sentence needs
 * (a moment recorded before its kind carried its parameters).
 */
export const MOMENT_SENTENCES = Object.freeze({
  'customer.created': (d) => {
    if (has(d, 'name')) return t('Became a customer: {name}', { name: str(d.name) });
    if (d && d.via === 'phone') {
      return d.from ? t('Called the desk for the first time, from {from} (not yet confirmed)', { from: d.from })
        : t('Called the desk with the number withheld (not yet confirmed)');
    }
    if (d && d.via === 'email') return t('Wrote to the desk for the first time, from {from} (not yet confirmed)', { from: str(d.from) });
    return null;
  },
  'customer.updated': (d) => (Array.isArray(d && d.fields) ? t('Details changed: {fields}', { fields: fmtList(d.fields.map(customerField)) }) : null),
  'customer.merged': (d) => (has(d, 'merged_id')
    ? t('Another record of this customer, {name} (customer {id}), was merged into this one', { name: d.merged_name || t('without a name'), id: d.merged_id }) + quote(d.reason)
    : null),
  'customer.erasure_requested': (d) => (has(d, 'requested_by')
    ? t('Erasure of the customer’s personal data asked for, at the request of {who}; a second person must approve it', { who: str(d.requested_by) })
    : null),
  'customer.erased': (d) => {
    if (!has(d, 'requested_by')) return null;
    const who = str(d.requested_by);
    return d.erased_by ? t('Personal data erased at the request of {who}; erased by {by}; this cannot be undone', { who, by: d.erased_by })
      : t('Personal data erased at the request of {who}; this cannot be undone', { who });
  },
  'profile.changed': (d) => (d && d.item ? profileItem(d) : null),
  'consent.changed': (d) => (d && d.item ? profileItem(d) : null),
  'relationship.changed': (d) => {
    if (!has(d, 'level')) return null;
    const first = Array.isArray(d.reasons) && d.reasons.length ? relationshipReason(d.reasons[0]) : '';
    return t('Relationship {from} → {to}', { from: d.previous_level ? levelLabel(d.previous_level) : t('none'), to: levelLabel(d.level) }) + quote(first);
  },
  'encounter.opened': (d, m) => {
    if (!has(d, 'subject')) return null;
    let s = t('Encounter opened {channel}: {subject}', { channel: channelBy(m.channel), subject: str(d.subject) });
    if (d.waited_seconds) s += t('; the customer had already waited {time}', { time: fmtDuration(d.waited_seconds) });
    if (d.previous_encounter_id) s += t('; it follows encounter {id}', { id: d.previous_encounter_id });
    return s;
  },
  'encounter.routed': (d) => {
    if (!d || !has(d, 'by')) return null;
    if (d.by === 'address') return d.agent_id ? t('Routed to the queue it was sent to') : t('Routed to the queue it was sent to; waiting for an available agent');
    if (!has(d, 'queue')) return null;
    if (d.by === 'phone system') return t('Waiting in queue {queue}, where the phone system placed the call', { queue: d.queue });
    return d.agent_id ? t('Routed to queue {queue} and offered to {agent}', { queue: d.queue, agent: d.agent || t('an agent') })
      : t('Routed to queue {queue}; waiting for an available agent', { queue: d.queue });
  },
  'encounter.acknowledged': (d) => (has(d, 'wait_seconds')
    ? t('Acknowledged after {time}; greeted as {name}', { time: fmtDuration(d.wait_seconds), name: str(d.greeted_as) })
    : null),
  'encounter.understood': (d) => (d && d.stage ? t('Received and acknowledged; listening for the need') : null),
  'encounter.helped': (d) => (has(d, 'facts') ? t('Understood') + quote(d.facts) : null),
  'encounter.kept': (d) => {
    if (has(d, 'agreement')) return t('Helped: agreed {agreement}', { agreement: str(d.agreement) });
    if (has(d, 'no_agreement_reason')) return t('Helped; nothing was agreed, because: {reason}', { reason: str(d.no_agreement_reason) });
    return null;
  },
  'encounter.closed': (d) => {
    if (!has(d, 'satisfaction')) return null;
    const satisfaction = own({ checked: t('checked'), scheduled: t('check scheduled'), skipped: t('check skipped') }, d.satisfaction) || '';
    let s = t('Closed (kind: {kind}; exchange: {exchange}; satisfaction {satisfaction})', {
      kind: own(kindWords(), d.kind) || t('not set'), exchange: own(exchangeWords(), d.exchange) || t('not set'), satisfaction,
    }) + quote(d.outcome_done);
    if (d.loyalty && Number(d.loyalty.discount_percent) > 0) {
      s += t('; a returning customer of the {tier} tier: {percent}% discount', { tier: str(d.loyalty.tier), percent: fmtNumber(d.loyalty.discount_percent) });
    }
    return s;
  },
  'encounter.abandoned': (d) => (has(d, 'waited_seconds')
    ? t('The customer gave up {stage}, after {time}', { stage: abandonedStage(d.stage), time: fmtDuration(d.waited_seconds) }) + quote(d.reason)
    : null),
  'encounter.reopened': (d) => {
    if (!d || !d.after) return null;
    return d.after === 'closed' ? t('Reopened: the customer wrote again after it was closed') : t('Reopened: the customer wrote again after it was abandoned');
  },
  'encounter.taken': (d) => {
    if (!has(d, 'agent')) return null;
    const s = d.previous_agent ? t('Taken by {agent}, who takes over from {previous}', { agent: d.agent, previous: d.previous_agent })
      : t('Taken by {agent}', { agent: d.agent });
    return s + quote(d.reason);
  },
  'encounter.assigned': (d) => {
    if (!has(d, 'agent')) return null;
    const s = d.previous_agent ? t('Assigned to {agent}, who takes over from {previous}', { agent: d.agent, previous: d.previous_agent })
      : t('Assigned to {agent}', { agent: d.agent });
    return s + quote(d.reason);
  },
  'encounter.transferred': (d) => (has(d, 'reason') ? t('Transferred') + quote(d.reason) : null),
  'encounter.recorded': (d) => {
    if (!d || !Array.isArray(d.fields)) return null;
    if (d.apology === 'given') return t('Apologised to the customer');
    if (d.apology === 'owed') return t('Recorded that an apology is owed');
    return t('Recorded {fields}', { fields: fmtList(d.fields.map(recordedField)) });
  },
  'defect.recorded': (d) => (has(d, 'defect_kind') ? t('Service breakdown ({kind})', { kind: defectWords(d.defect_kind) }) + quote(d.cause) : null),
  'special_request.granted': (d) => (has(d, 'description') ? t('Special request granted') + quote(d.description) : null),
  'special_request.declined': (d) => (has(d, 'description')
    ? t('Special request declined') + quote(d.description) + (d.decline_reason ? t('; why: {reason}', { reason: d.decline_reason }) : '')
    : null),
  'promise.made': (d) => (has(d, 'what') ? t('Promised: {what} (due {when})', { what: str(d.what), when: when(d.due_at) }) : null),
  'promise.kept': (d) => (has(d, 'what') ? t('Promise kept') + quote(d.what) : null),
  'promise.broken': (d) => (has(d, 'what') ? t('Promise broken (its date passed)') + quote(d.what) : null),
  'charter.breached': (d) => (has(d, 'target_seconds') ? breachWords(d) : null),
  'follow_up.scheduled': (d) => (has(d, 'subject') ? t('Follow-up planned: {subject} (due {when})', { subject: str(d.subject), when: when(d.due_at) }) : null),
  'follow_up.moved': (d) => (has(d, 'due_at') ? t('Follow-up moved to {when}', { when: when(d.due_at) }) + quote(d.reason) : null),
  'follow_up.done': taskDone,
  'satisfaction.scheduled': (d) => {
    if (!has(d, 'due_at')) return null;
    return d.next_day ? t('Satisfaction check planned by itself for the next working day, {when}', { when: when(d.due_at) })
      : t('Satisfaction check planned (due {when})', { when: when(d.due_at) });
  },
  'satisfaction.answered': (d) => {
    if (!has(d, 'score')) return null;
    const words = Array.isArray(d.words) && d.words.length ? t('; in words: {words}', { words: d.words.join(', ') }) : '';
    return t('Satisfaction {score} of 5', { score: d.score }) + words;
  },
  'satisfaction_check.moved': (d) => (has(d, 'due_at') ? t('Satisfaction check moved to {when}', { when: when(d.due_at) }) + quote(d.reason) : null),
  'satisfaction_check.done': taskDone,
  'reminder.done': taskDone,
  'renewal_notice.done': taskDone,
  'keep_in_touch.done': taskDone,
  'task.sent': (d) => (has(d, 'via')
    ? t('{what} sent {how}', { what: taskKindLabel(d.task_kind), how: channelBy(d.via) }) + quote(d.subject)
    : null),
  'message.received': (d, m) => (has(d, 'excerpt')
    ? (m.channel === 'web' ? t('Wrote on the web') : t('Wrote by email')) + quote(d.excerpt || t('(no text)'))
    : null),
  'message.replied': (d) => (has(d, 'excerpt') ? (d.first_response ? t('First reply to the customer') : t('Reply to the customer')) + quote(d.excerpt) : null),
  'message.noted': (d) => (has(d, 'excerpt') ? t('Internal note') + quote(d.excerpt) : null),
  'message.failed': (d) => {
    if (!d || !d.failure) return null;
    return (d.failure === 'bounced' ? t('A reply did not reach the customer') : t('A reply could not be sent')) + quote(d.reason);
  },
  'offer.shown': (d) => (Array.isArray(d && d.products) ? t('Offered: {products}', { products: fmtList(d.products) }) : null),
  'offer.accepted': (d) => (has(d, 'product') ? t('Offer accepted: {product}', { product: str(d.product) }) + (d.reason ? ` – ${d.reason}` : '') : null),
  'offer.declined': (d) => (has(d, 'product') ? t('Offer declined: {product}', { product: str(d.product) }) + (d.reason ? ` – ${d.reason}` : '') : null),
  'kb.feedback': (d) => (has(d, 'title')
    ? (d.helped ? t('Knowledge article “{title}” helped', { title: str(d.title) }) : t('Knowledge article “{title}” did not help', { title: str(d.title) }))
    : null),
  'export.requested': (d) => (has(d, 'granted') ? (d.granted ? t('Asked for a copy of their data, granted at once') : t('Asked for a copy of their data')) : null),
  'export.approved': (d) => (has(d, 'granted') ? t('Their request for a copy of their data was approved') : null),
  'retention.messages_blanked': (d) => (has(d, 'count')
    ? tn(d.count, 'The text of {n} message was removed under the desk’s retention rules, {months} months after the encounter ended',
      'The text of {n} messages was removed under the desk’s retention rules, {months} months after the encounter ended', { months: d.months })
    : null),
  'retention.attachments_dropped': (d) => (has(d, 'count')
    ? tn(d.count, '{n} attachment older than {months} months removed under the desk’s retention rules',
      '{n} attachments older than {months} months removed under the desk’s retention rules', { months: d.months })
    : null),
});

/*
 * The sentence of moment m in the agent's language: from its kind and
 * detail when this console knows the kind and the detail carries what it
 * needs, else the server's summary (its times in the agent's zone).
 */
export function momentSentence(m) {
  if (!m) return '';
  if (m.erased_at) return t('The details of this moment were erased.');
  const say = Object.prototype.hasOwnProperty.call(MOMENT_SENTENCES, m.kind) ? MOMENT_SENTENCES[m.kind] : null;
  const d = m.detail && typeof m.detail === 'object' ? m.detail : null;
  const said = say && d ? say(d, m) : null;
  return said || plainTimes(m.summary || '');
}
