/*
 * records.js - what an encounter recorded, on its page, and the forms that
 * record it: how the encounter is judged (kind and exchange, with the
 * rules' reasons and the agent's override), what went wrong (defects), what
 * the customer asked beyond the usual (special requests, granted or
 * declined with the reason), the apology owed and given, the promises made,
 * the transfers, the satisfaction answers, and the outcome once it closed.
 *
 * A closed or abandoned encounter is shown as what it is: the stages it
 * never reached say so, an abandoned call says when and after how long the
 * customer gave up, and the apology can still be recorded after it (the
 * fault was still ours).  Every label is plain words; no field names, no
 * raw times.
 */
import { h, field } from '../dom.js';
import { fmtWhen, fmtDuration, fmtList, parseTime, humanize } from '../format.js';

export const KINDS = {
  what: 'What: the need itself',
  how: 'How: with their preferences, or a choice of options',
  become: 'Become: toward a goal of theirs',
};
export const EXCHANGES = {
  quick: 'Quick: one contact, settled there and then',
  supplemental: 'Supplemental: more than one contact, or information asked',
  resolution: 'Resolution: the need worked out together',
  formal: 'Formal: under a contract, or at a senior level',
};
export const DEFECTS = {
  long_wait: 'A long wait',
  disconnected: 'Cut off',
  not_resolved: 'Not resolved',
  late: 'Late',
  missed_promise: 'A promise missed',
  wrong_item: 'The wrong item',
  rude: 'Rudeness',
  other: 'Something else',
};
const STAGE_WORDS = { received: 'Received', understood: 'Understood', helped: 'Helped', kept: 'Kept', closed: 'Closed' };

export const isFinished = (enc) => enc.stage === 'closed' || enc.stage === 'abandoned';

/*
 * The cycle as it really went: each stage done, current, the one the
 * customer gave up in, or not reached.  An abandoned encounter reached the
 * stages whose time is set; closing it was never reached.
 */
export function stageStates(enc) {
  const order = ['received', 'understood', 'helped', 'kept', 'closed'];
  const reached = (s) => s === 'received' || Boolean(enc[`${s}_at`]);
  if (enc.stage === 'abandoned') {
    let last = 0;
    order.forEach((s, i) => { if (reached(s)) last = i; });
    return order.map((s, i) => ({
      id: s, title: STAGE_WORDS[s],
      state: i < last ? 'done' : i === last ? 'gave-up' : 'not-reached',
    }));
  }
  const cur = order.indexOf(enc.stage);
  return order.map((s, i) => ({
    id: s, title: STAGE_WORDS[s],
    state: enc.stage === 'closed' ? 'done' : i < cur ? 'done' : i === cur ? 'current' : 'not-reached',
  }));
}

/* Each stage says in words how it went (the stylesheet writes the state
 * after the name from data-state: "Closed · not reached"), so colour never
 * carries it alone and the name stays the stage's name. */
export function stagesList(enc) {
  return h('ol', { class: 'stages', 'aria-label': 'Interaction cycle', id: 'stages' },
    stageStates(enc).map((s) => h('li', {
      class: [s.state],
      /* where the encounter is: its current stage, or its close */
      'aria-current': s.state === 'current' || (s.id === 'closed' && enc.stage === 'closed') ? 'step' : null,
      dataset: { stage: s.id, state: s.state },
    }, s.title)));
}

/* How long the customer waited for us: live while waiting, else where the
 * measures stopped the clock (acknowledged, or gave up). */
export function waitText(enc, loadedAt, now = Date.now()) {
  const m = enc.measures;
  if (m && typeof m.queue_wait_seconds === 'number') {
    if (m.waiting) return `waiting ${fmtDuration(m.queue_wait_seconds + (now - loadedAt) / 1000)}`;
    return `waited ${fmtDuration(m.queue_wait_seconds)}`;
  }
  const t0 = parseTime(enc.arrived_at ?? enc.created_at);
  if (t0 === null) return '';
  const stop = parseTime(enc.acknowledged_at) ?? parseTime(enc.abandoned_at) ?? parseTime(enc.closed_at);
  return stop === null ? `waiting ${fmtDuration((now - t0) / 1000)}` : `waited ${fmtDuration((stop - t0) / 1000)}`;
}

/* How long, as said of a person's patience: "45 s", "30 min", "2 h 05 min". */
function roughly(seconds) {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return fmtDuration(seconds);
}

/* "The customer gave up today, 08:21, after 30 min." */
export function abandonedText(enc) {
  const t0 = parseTime(enc.arrived_at ?? enc.created_at), t1 = parseTime(enc.abandoned_at);
  const after = t0 !== null && t1 !== null ? `, after ${roughly((t1 - t0) / 1000)}` : '';
  return `The customer gave up ${fmtWhen(enc.abandoned_at)}${after}.`;
}

/* The agent's reason, or the rules' ("because ..."). */
function reasonText(enc, key) {
  const why = enc[`${key}_reason`];
  if (!why) return '';
  return enc[`${key}_source`] === 'agent' ? ` — ${why}` : ` — because ${why}`;
}

/*
 * Kind and exchange: what was decided and why once closed, the rules'
 * verdict so far while open, and the agent's override with their reason.
 */
export function judgedPanel(enc, guide, { act, base, api }) {
  const open = !isFinished(enc);
  const rows = [['kind', 'Kind', KINDS], ['exchange', 'Exchange', EXCHANGES]].map(([key, label, values]) => {
    const preview = guide && guide[`${key}_preview`];
    const line = enc.stage === 'abandoned' && !enc[key]
      ? h('p', { id: `encounter-${key}`, class: 'muted' }, `${label}: not decided; the customer gave up before the encounter closed.`)
      : enc[key]
      ? h('p', { id: `encounter-${key}`, class: 'judged' }, h('strong', {}, `${label}: ${enc[key]}`), reasonText(enc, key))
      : preview && preview[key]
        ? h('p', { id: `encounter-${key}`, class: 'judged' }, h('strong', {}, `${label} so far: ${preview[key]}`),
          preview.reason ? ` — the rules say so because ${preview.reason}` : '')
        : h('p', { id: `encounter-${key}`, class: 'muted' }, `${label}: decided when the encounter closes.`);
    if (!open) return line;
    const select = h('select', { id: `override-${key}`, name: key },
      h('option', { value: '' }, 'Let the rules decide'),
      Object.entries(values).map(([v, text]) => h('option', { value: v, selected: enc[`${key}_source`] === 'agent' && enc[key] === v }, text)));
    const why = h('input', { type: 'text', id: `override-${key}-why`, name: `${key}_override_reason`, value: enc[`${key}_override_reason`] || '' });
    const errHome = h('div', { dataset: { field: `${key} ${key}_override_reason` } });
    const save = h('button', { type: 'button', id: `override-${key}-save` }, `Set the ${label.toLowerCase()}`);
    save.addEventListener('click', () => {
      const body = select.value ? { [key]: select.value, [`${key}_override_reason`]: why.value.trim() || null } : { [key]: null };
      if (select.value && !why.value.trim()) {
        act(() => Promise.reject(Object.assign(new Error(`Say why the ${label.toLowerCase()} is ${select.value}: the rules would decide otherwise, and the reason is kept with it.`),
          { field: `${key}_override_reason` })), '', errHome);
        return;
      }
      act(() => api.patch(base, body), select.value ? `${label} set to ${select.value}.` : `${label} handed back to the rules.`, errHome);
    });
    return [line, h('details', { class: 'override', id: `override-${key}-box` },
      h('summary', {}, `Override the ${label.toLowerCase()}`),
      h('div', { class: 'row' }, field(`Your ${label.toLowerCase()}`, select), field('Why', why, { field: `${key}_override_reason` })),
      save, errHome)];
  });
  return h('section', { class: 'card', id: 'judged', 'aria-labelledby': 'judged-h' },
    h('h2', { id: 'judged-h' }, 'What kind of encounter this is'), rows);
}

/* The apology: owed, given, or neither; recordable after the end too. */
function apologyBlock(enc, { act, base, api }) {
  const owed = enc.apology_owed === true, given = enc.apology_given === true;
  const state = given ? 'We apologised to the customer.'
    : owed ? 'An apology is owed and has not been given yet.'
      : 'No apology is recorded as owed.';
  const errHome = h('div', { dataset: { field: 'apology_owed apology_given' } });
  const buttons = h('div', { class: 'actions' });
  if (!owed && !given) {
    const b = h('button', { type: 'button', id: 'apology-owed' }, 'An apology is owed');
    b.addEventListener('click', () => act(() => api.patch(base, { apology_owed: true }), 'An apology is owed.', errHome));
    buttons.append(b);
  }
  if (!given) {
    const b = h('button', { type: 'button', id: 'apology-given' }, 'We apologised');
    b.addEventListener('click', () => act(() => api.patch(base, { apology_given: true }), 'The apology is recorded.', errHome));
    buttons.append(b);
  }
  return h('div', { class: 'sub', id: 'apology' },
    h('h3', {}, 'Apology'),
    h('p', { id: 'apology-state' }, state),
    enc.stage === 'abandoned' && !given
      ? h('p', { class: 'hint' }, 'The customer gave up, but the fault was still ours: call them back and apologise, then record it here.') : null,
    buttons, errHome);
}

function listOr(items, render, empty, id) {
  return items.length ? h('ul', { class: 'plain', id }, items.map((x) => h('li', {}, render(x)))) : h('p', { class: 'muted', id }, empty);
}

function defectsBlock(enc, record, { act, base, api }) {
  const kind = h('select', { id: 'defect-kind', name: 'defect_kind' },
    Object.entries(DEFECTS).map(([v, text]) => h('option', { value: v }, text)));
  const cause = h('input', { type: 'text', id: 'defect-cause', name: 'defect_cause' });
  const errHome = h('div', { dataset: { field: 'kind cause' } });
  const add = h('button', { type: 'button', id: 'record-defect' }, 'Record what went wrong');
  add.addEventListener('click', () => act(() => api.post(`${base}/defects`, { kind: kind.value, cause: cause.value.trim() }),
    'What went wrong is recorded.', errHome));
  return h('div', { class: 'sub', id: 'defects' },
    h('h3', {}, 'What went wrong'),
    listOr(record.defects || [], (d) => [h('strong', {}, DEFECTS[d.kind] || humanize(d.kind)), `: ${d.cause || ''} · ${fmtWhen(d.created_at)}`],
      'Nothing recorded as gone wrong.', 'defect-list'),
    h('div', { class: 'row' }, field('What', kind), field('Why it happened', cause, { field: 'cause' })),
    add, errHome);
}

function requestsBlock(enc, record, { act, base, api }) {
  const desc = h('input', { type: 'text', id: 'request-description', name: 'request_description' });
  const granted = h('input', { type: 'radio', name: 'request_outcome', id: 'request-granted', value: 'granted', checked: true });
  const declined = h('input', { type: 'radio', name: 'request_outcome', id: 'request-declined', value: 'declined' });
  const reason = h('input', { type: 'text', id: 'request-reason', name: 'request_reason' });
  const errHome = h('div', { dataset: { field: 'description outcome decline_reason' } });
  const add = h('button', { type: 'button', id: 'record-request' }, 'Record the request');
  add.addEventListener('click', () => act(() => api.post(`${base}/special_requests`, {
    description: desc.value.trim(),
    outcome: declined.checked ? 'declined' : 'granted',
    ...(declined.checked ? { decline_reason: reason.value.trim() } : {}),
  }), 'The special request is recorded.', errHome));
  return h('div', { class: 'sub', id: 'special-requests' },
    h('h3', {}, 'Special requests'),
    listOr(record.special_requests || [], (r) => r.outcome === 'declined'
      ? [h('strong', {}, 'Declined'), `: ${r.description} — why: ${r.decline_reason || ''}`]
      : [h('strong', {}, 'Granted'), `: ${r.description}`], 'No special requests.', 'request-list'),
    field('What they asked for', desc, { field: 'description' }),
    h('fieldset', { class: 'choice' }, h('legend', {}, 'Our answer'),
      h('span', {}, granted, h('label', { for: granted.id }, 'Granted')), ' ',
      h('span', {}, declined, h('label', { for: declined.id }, 'Declined'))),
    field('Why we said no', reason, { field: 'decline_reason', hint: 'Only when declined: a customer told no deserves the reason.' }),
    add, errHome);
}

const PROMISE_STATE = { open: 'open', kept: 'kept', broken: 'broken' };

function promisesList(record) {
  return h('div', { class: 'sub', id: 'promises' },
    h('h3', {}, 'Promises made'),
    listOr(record.promises || [], (p) => [h('strong', {}, p.what), ` — due ${fmtWhen(p.due_at)} · ${PROMISE_STATE[p.status] || humanize(p.status)}`,
      p.settled_at ? ` ${fmtWhen(p.settled_at)}` : ''], 'No promises made on this encounter.', 'promise-list'));
}

function transfersList(record) {
  const to = (t) => [t.to_queue_id ? `queue #${t.to_queue_id}` : null, t.to_agent_id ? `agent #${t.to_agent_id}` : null].filter(Boolean).join(', ');
  return h('div', { class: 'sub', id: 'transfers' },
    h('h3', {}, 'Transfers'),
    listOr(record.transfers || [], (t) => [h('strong', {}, to(t) ? `To ${to(t)}` : 'Handed on'), `: ${t.reason || ''} · ${fmtWhen(t.created_at)}`],
      'Not transferred.', 'transfer-list'));
}

export function satisfactionText(s) {
  if (s.score === null || s.score === undefined) {
    return s.answered_at ? 'Answered.' : `A check was sent; the customer has not answered yet${s.expires_at ? ` (the link works until ${fmtWhen(s.expires_at)})` : ''}.`;
  }
  const words = Array.isArray(s.words) && s.words.length ? `, in their words: ${fmtList(s.words)}` : '';
  return `${s.score} of 5${words}${s.comment ? ` — “${s.comment}”` : ''}`;
}

function satisfactionList(record) {
  const items = record.satisfaction || [];
  if (!items.length) return null;
  return h('div', { class: 'sub', id: 'satisfaction-answers' },
    h('h3', {}, 'Satisfaction'), listOr(items, (s) => satisfactionText(s), '', 'satisfaction-list'));
}

/* Everything recorded on the encounter beside its stages. */
export function recordPanel(enc, record, ctx) {
  return h('section', { class: 'card', id: 'record', 'aria-labelledby': 'record-h' },
    h('h2', { id: 'record-h' }, 'Recorded on this encounter'),
    record ? [apologyBlock(enc, ctx), defectsBlock(enc, record, ctx), requestsBlock(enc, record, ctx),
      promisesList(record), transfersList(record), satisfactionList(record)]
      : [apologyBlock(enc, ctx), h('p', { class: 'muted' }, 'This server does not list what an encounter recorded yet.')]);
}

/* The outcome, once closed: what was done, what to watch, how it ended. */
export function outcomePanel(enc, record) {
  if (enc.stage !== 'closed') return null;
  const t0 = parseTime(enc.arrived_at ?? enc.created_at), t1 = parseTime(enc.closed_at);
  const answered = ((record && record.satisfaction) || []).find((s) => s.score);
  const facts = [
    ['Closed', `${fmtWhen(enc.closed_at)}${t0 !== null && t1 !== null ? `, ${fmtDuration((t1 - t0) / 1000)} after it began` : ''}`],
    ['What we did', enc.outcome_done || 'Not written down.'],
    ['What to watch', enc.outcome_watch || 'Nothing.'],
    ['Agreed', enc.agreement || (enc.no_agreement_reason ? `Nothing; why: ${enc.no_agreement_reason}` : 'Not written down.')],
    ['Resolved at first contact', enc.first_contact_reason || (enc.first_contact_resolved === true ? 'Yes' : enc.first_contact_resolved === false ? 'No' : 'Not known yet')],
    ['Satisfaction', answered ? satisfactionText(answered) : enc.satisfaction_skip_reason ? `Not asked: ${enc.satisfaction_skip_reason}` : 'A check is scheduled or has been sent.'],
    enc.loyalty_tier ? ['Loyalty', `${humanize(enc.loyalty_tier)} tier${enc.loyalty_discount_percent > 0 ? `, ${enc.loyalty_discount_percent}% discount` : ', no discount'}`] : null,
  ].filter(Boolean);
  return h('section', { class: 'card', id: 'outcome', 'aria-labelledby': 'outcome-h' },
    h('h2', { id: 'outcome-h' }, 'Outcome'),
    h('dl', { class: 'facts' }, facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
}
