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
import { fmtWhen, fmtDuration, fmtList, parseTime } from '../format.js';
import { t, tn } from '../i18n.js';
import { stageLabel } from './customer_labels.js';

/* The kinds of encounter, each with what it means (the override's options). */
export function kinds() {
  return {
    what: t('What: the need itself'),
    how: t('How: with their preferences, or a choice of options'),
    become: t('Become: toward a goal of theirs'),
  };
}
/* The kinds of exchange, each with what it means. */
export function exchanges() {
  return {
    quick: t('Quick: one contact, settled there and then'),
    supplemental: t('Supplemental: more than one contact, or information asked'),
    resolution: t('Resolution: the need worked out together'),
    formal: t('Formal: under a contract, or at a senior level'),
  };
}
/* A kind or an exchange in one word, as it follows "Kind:" ("become"). */
function judgedWord(code) {
  const words = {
    what: t('what'), how: t('how'), become: t('become'),
    quick: t('quick'), supplemental: t('supplemental'), resolution: t('resolution'), formal: t('formal'),
  };
  return words[code] || t('not known');
}
/* What can go wrong, by its code. */
export function defects() {
  return {
    long_wait: t('A long wait'),
    disconnected: t('Cut off'),
    not_resolved: t('Not resolved'),
    late: t('Late'),
    missed_promise: t('A promise missed'),
    wrong_item: t('The wrong item'),
    rude: t('Rudeness'),
    other: t('Something else'),
  };
}
/* How a stage went, said after its name (the stylesheet shows it). */
function stateWords(state) {
  return { done: t('done'), current: t('now'), 'gave-up': t('the customer gave up here'), 'not-reached': t('not reached') }[state];
}

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
      id: s, title: stageLabel(s),
      state: i < last ? 'done' : i === last ? 'gave-up' : 'not-reached',
    }));
  }
  const cur = order.indexOf(enc.stage);
  return order.map((s, i) => ({
    id: s, title: stageLabel(s),
    state: enc.stage === 'closed' ? 'done' : i < cur ? 'done' : i === cur ? 'current' : 'not-reached',
  }));
}

/* Each stage says in words how it went (the stylesheet writes the state
 * after the name from data-state: "Closed · not reached"), so colour never
 * carries it alone and the name stays the stage's name. */
export function stagesList(enc) {
  return h('ol', { class: 'stages', 'aria-label': t('Interaction cycle'), id: 'stages' },
    stageStates(enc).map((s) => h('li', {
      class: [s.state],
      /* where the encounter is: its current stage, or its close */
      'aria-current': s.state === 'current' || (s.id === 'closed' && enc.stage === 'closed') ? 'step' : null,
      dataset: { stage: s.id, state: s.state, said: stateWords(s.state) },
    }, s.title)));
}

/* How long the customer waited for us: live while waiting, else where the
 * measures stopped the clock (acknowledged, or gave up). */
export function waitText(enc, loadedAt, now = Date.now()) {
  const m = enc.measures;
  if (m && typeof m.queue_wait_seconds === 'number') {
    if (m.waiting) return t('waiting {time}', { time: fmtDuration(m.queue_wait_seconds + (now - loadedAt) / 1000) });
    return t('waited {time}', { time: fmtDuration(m.queue_wait_seconds) });
  }
  const t0 = parseTime(enc.arrived_at ?? enc.created_at);
  if (t0 === null) return '';
  const stop = parseTime(enc.acknowledged_at) ?? parseTime(enc.abandoned_at) ?? parseTime(enc.closed_at);
  return stop === null ? t('waiting {time}', { time: fmtDuration((now - t0) / 1000) }) : t('waited {time}', { time: fmtDuration((stop - t0) / 1000) });
}

/* How long, as said of a person's patience: "45 s", "30 min", "2 h 05 min". */
function roughly(seconds) {
  if (seconds < 60) return t('{n} s', { n: Math.max(0, Math.round(seconds)) });
  if (seconds < 3600) return t('{n} min', { n: Math.round(seconds / 60) });
  return fmtDuration(seconds);
}

/* "The customer gave up today, 08:21, after 30 min." */
export function abandonedText(enc) {
  const t0 = parseTime(enc.arrived_at ?? enc.created_at), t1 = parseTime(enc.abandoned_at);
  if (t0 === null || t1 === null) return t('The customer gave up {when}.', { when: fmtWhen(enc.abandoned_at) });
  return t('The customer gave up {when}, after {time}.', { when: fmtWhen(enc.abandoned_at), time: roughly((t1 - t0) / 1000) });
}

/* The agent's reason, or the rules' ("because ..."). */
/*
 * The rules' reason for a kind or an exchange (src/core/encounter/infer.c
 * writes it in English from a few fixed sentences, with the customer's
 * own words quoted in them) in the agent's language; a sentence not
 * known here is shown as the server wrote it.
 */
const TOWARD = {
  'a follow-up was scheduled': () => t('a follow-up was scheduled'),
  'a promise was made': () => t('a promise was made'),
  'the talk went on to the customer\'s other needs': () => t('the talk went on to the customer’s other needs'),
};
export function ruleWords(reason) {
  const text = String(reason ?? '');
  let m;
  const one = (s) => {
    if ((m = /^the customer told us what they want to become \((.*)\) and (.+) toward it$/.exec(s)) && TOWARD[m[2]])
      return t('the customer told us what they want to become ({goal}) and {what} toward it', { goal: m[1], what: TOWARD[m[2]]() });
    if ((m = /^(\d+) preferences? of the customer (?:was|were) captured: how they want it$/.exec(s)))
      return tn(Number(m[1]), '{n} preference of the customer was captured: how they want it', '{n} preferences of the customer were captured: how they want it');
    if ((m = /^the customer chose among (\d+) options: how they want it$/.exec(s)))
      return t('the customer chose among {n} options: how they want it', { n: m[1] });
    if ((m = /^the customer asked for (.*) and nothing more was explored: what they want$/.exec(s)))
      return t('the customer asked for {request} and nothing more was explored: what they want', { request: m[1] });
    if ((m = /^the customer came without a definite request and the need was worked out together: (\d+) questions? asked, (\d+) options explored$/.exec(s)))
      return t('the customer came without a definite request and the need was worked out together: {questions} questions asked, {options} options explored', { questions: m[1], options: m[2] });
    if ((m = /^the customer contacted us (\d+) times about it$/.exec(s)))
      return t('the customer contacted us {n} times about it', { n: m[1] });
    const fixed = {
      'no preference, choice or goal was recorded, only the need itself: what the customer wants': () => t('no preference, choice or goal was recorded, only the need itself: what the customer wants'),
      'a contract was made': () => t('a contract was made'),
      'the meeting was at owner or senior level': () => t('the meeting was at owner or senior level'),
      'the customer asked for more information': () => t('the customer asked for more information'),
      'a follow-up was scheduled': () => t('a follow-up was scheduled'),
      'one contact: the customer knew what they wanted and got it': () => t('one contact: the customer knew what they wanted and got it'),
      'one contact, settled then and there, with nothing more asked or scheduled': () => t('one contact, settled then and there, with nothing more asked or scheduled'),
    };
    return Object.prototype.hasOwnProperty.call(fixed, s) ? fixed[s]() : null;
  };
  /* "a goal was noted (…) but nothing was scheduled, promised or bridged toward it; " before another reason */
  if ((m = /^a goal was noted \((.*?)\) but nothing was scheduled, promised or bridged toward it; (.*)$/.exec(text))) {
    const goal = m[1];
    const rest = one(m[2]);
    if (rest) return t('a goal was noted ({goal}) but nothing was scheduled, promised or bridged toward it; {rest}', { goal, rest });
    return text;
  }
  return one(text) || text;
}

function reasonText(enc, key) {
  const raw = enc[`${key}_reason`];
  const why = enc[`${key}_source`] === 'agent' ? raw : ruleWords(raw);
  if (!why) return '';
  return enc[`${key}_source`] === 'agent' ? ` — ${why}` : ` — ${t('because {why}', { why })}`;
}

/*
 * Kind and exchange: what was decided and why once closed, the rules'
 * verdict so far while open, and the agent's override with their reason.
 */
/* The sentences about a kind or an exchange, each whole in every language. */
const JUDGED = {
  kind: {
    values: kinds,
    gaveUp: () => t('Kind: not decided; the customer gave up before the encounter closed.'),
    is: (v) => t('Kind: {value}', v),
    soFar: (v) => t('Kind so far: {value}', v),
    later: () => t('Kind: decided when the encounter closes.'),
    set: () => t('Set the kind'),
    sayWhy: (v) => t('Say why the kind is {value}: the rules would decide otherwise, and the reason is kept with it.', v),
    setTo: (v) => t('Kind set to {value}.', v),
    back: () => t('Kind handed back to the rules.'),
    override: () => t('Override the kind'),
    yours: () => t('Your kind'),
  },
  exchange: {
    values: exchanges,
    gaveUp: () => t('Exchange: not decided; the customer gave up before the encounter closed.'),
    is: (v) => t('Exchange: {value}', v),
    soFar: (v) => t('Exchange so far: {value}', v),
    later: () => t('Exchange: decided when the encounter closes.'),
    set: () => t('Set the exchange'),
    sayWhy: (v) => t('Say why the exchange is {value}: the rules would decide otherwise, and the reason is kept with it.', v),
    setTo: (v) => t('Exchange set to {value}.', v),
    back: () => t('Exchange handed back to the rules.'),
    override: () => t('Override the exchange'),
    yours: () => t('Your exchange'),
  },
};

export function judgedPanel(enc, guide, { act, base, api }) {
  const open = !isFinished(enc);
  const rows = ['kind', 'exchange'].map((key) => {
    const say = JUDGED[key];
    const preview = guide && guide[`${key}_preview`];
    const line = enc.stage === 'abandoned' && !enc[key]
      ? h('p', { id: `encounter-${key}`, class: 'muted' }, say.gaveUp())
      : enc[key]
      ? h('p', { id: `encounter-${key}`, class: 'judged' }, h('strong', {}, say.is({ value: judgedWord(enc[key]) })), reasonText(enc, key))
      : preview && preview[key]
        ? h('p', { id: `encounter-${key}`, class: 'judged' }, h('strong', {}, say.soFar({ value: judgedWord(preview[key]) })),
          preview.reason ? ` — ${t('the rules say so because {why}', { why: ruleWords(preview.reason) })}` : '')
        : h('p', { id: `encounter-${key}`, class: 'muted' }, say.later());
    if (!open) return line;
    const select = h('select', { id: `override-${key}`, name: key },
      h('option', { value: '' }, t('Let the rules decide')),
      Object.entries(say.values()).map(([v, text]) => h('option', { value: v, selected: enc[`${key}_source`] === 'agent' && enc[key] === v }, text)));
    const why = h('input', { type: 'text', id: `override-${key}-why`, name: `${key}_override_reason`, value: enc[`${key}_override_reason`] || '' });
    const errHome = h('div', { dataset: { field: `${key} ${key}_override_reason` } });
    const save = h('button', { type: 'button', id: `override-${key}-save` }, say.set());
    save.addEventListener('click', () => {
      const body = select.value ? { [key]: select.value, [`${key}_override_reason`]: why.value.trim() || null } : { [key]: null };
      if (select.value && !why.value.trim()) {
        act(() => Promise.reject(Object.assign(new Error(say.sayWhy({ value: judgedWord(select.value) })),
          { field: `${key}_override_reason` })), '', errHome);
        return;
      }
      act(() => api.patch(base, body), select.value ? say.setTo({ value: judgedWord(select.value) }) : say.back(), errHome);
    });
    return [line, h('details', { class: 'override', id: `override-${key}-box` },
      h('summary', {}, say.override()),
      h('div', { class: 'row' }, field(say.yours(), select), field(t('Why'), why, { field: `${key}_override_reason` })),
      save, errHome)];
  });
  return h('section', { class: 'card', id: 'judged', 'aria-labelledby': 'judged-h' },
    h('h2', { id: 'judged-h' }, t('What kind of encounter this is')), rows);
}

/* The apology: owed, given, or neither; recordable after the end too. */
function apologyBlock(enc, { act, base, api }) {
  const owed = enc.apology_owed === true, given = enc.apology_given === true;
  const state = given ? t('We apologised to the customer.')
    : owed ? t('An apology is owed and has not been given yet.')
      : t('No apology is recorded as owed.');
  const errHome = h('div', { dataset: { field: 'apology_owed apology_given' } });
  const buttons = h('div', { class: 'actions' });
  if (!owed && !given) {
    const b = h('button', { type: 'button', id: 'apology-owed' }, t('An apology is owed'));
    b.addEventListener('click', () => act(() => api.patch(base, { apology_owed: true }), t('An apology is owed.'), errHome));
    buttons.append(b);
  }
  if (!given) {
    const b = h('button', { type: 'button', id: 'apology-given' }, t('We apologised'));
    b.addEventListener('click', () => act(() => api.patch(base, { apology_given: true }), t('The apology is recorded.'), errHome));
    buttons.append(b);
  }
  return h('div', { class: 'sub', id: 'apology' },
    h('h3', {}, t('Apology')),
    h('p', { id: 'apology-state' }, state),
    enc.stage === 'abandoned' && !given
      ? h('p', { class: 'hint' }, t('The customer gave up, but the fault was still ours: call them back and apologise, then record it here.')) : null,
    buttons, errHome);
}

function listOr(items, render, empty, id) {
  return items.length ? h('ul', { class: 'plain', id }, items.map((x) => h('li', {}, render(x)))) : h('p', { class: 'muted', id }, empty);
}

function defectsBlock(enc, record, { act, base, api }) {
  const kind = h('select', { id: 'defect-kind', name: 'defect_kind' },
    Object.entries(defects()).map(([v, text]) => h('option', { value: v }, text)));
  const cause = h('input', { type: 'text', id: 'defect-cause', name: 'defect_cause' });
  const errHome = h('div', { dataset: { field: 'kind cause' } });
  const add = h('button', { type: 'button', id: 'record-defect' }, t('Record what went wrong'));
  add.addEventListener('click', () => act(() => api.post(`${base}/defects`, { kind: kind.value, cause: cause.value.trim() }),
    t('What went wrong is recorded.'), errHome));
  return h('div', { class: 'sub', id: 'defects' },
    h('h3', {}, t('What went wrong')),
    listOr(record.defects || [], (d) => [h('strong', {}, defects()[d.kind] || t('Something else')), `: ${d.cause || ''} · ${fmtWhen(d.created_at)}`],
      t('Nothing recorded as gone wrong.'), 'defect-list'),
    h('div', { class: 'row' }, field(t('What'), kind), field(t('Why it happened'), cause, { field: 'cause' })),
    add, errHome);
}

function requestsBlock(enc, record, { act, base, api }) {
  const desc = h('input', { type: 'text', id: 'request-description', name: 'request_description' });
  const granted = h('input', { type: 'radio', name: 'request_outcome', id: 'request-granted', value: 'granted', checked: true });
  const declined = h('input', { type: 'radio', name: 'request_outcome', id: 'request-declined', value: 'declined' });
  const reason = h('input', { type: 'text', id: 'request-reason', name: 'request_reason' });
  const errHome = h('div', { dataset: { field: 'description outcome decline_reason' } });
  const add = h('button', { type: 'button', id: 'record-request' }, t('Record the request'));
  add.addEventListener('click', () => act(() => api.post(`${base}/special_requests`, {
    description: desc.value.trim(),
    outcome: declined.checked ? 'declined' : 'granted',
    ...(declined.checked ? { decline_reason: reason.value.trim() } : {}),
  }), t('The special request is recorded.'), errHome));
  return h('div', { class: 'sub', id: 'special-requests' },
    h('h3', {}, t('Special requests')),
    listOr(record.special_requests || [], (r) => r.outcome === 'declined'
      ? [h('strong', {}, t('Declined')), `: ${t('{what} — why: {why}', { what: r.description, why: r.decline_reason || '' })}`]
      : [h('strong', {}, t('Granted')), `: ${r.description}`], t('No special requests.'), 'request-list'),
    field(t('What they asked for'), desc, { field: 'description' }),
    h('fieldset', { class: 'choice' }, h('legend', {}, t('Our answer')),
      h('span', {}, granted, h('label', { for: granted.id }, t('Granted'))), ' ',
      h('span', {}, declined, h('label', { for: declined.id }, t('Declined')))),
    field(t('Why we said no'), reason, { field: 'decline_reason', hint: t('Only when declined: a customer told no deserves the reason.') }),
    add, errHome);
}

const promiseState = (code) => ({ open: t('open'), kept: t('kept'), broken: t('broken') }[code] || t('open'));

function promisesList(record) {
  return h('div', { class: 'sub', id: 'promises' },
    h('h3', {}, t('Promises made')),
    listOr(record.promises || [], (p) => [h('strong', {}, p.what), ` — ${t('due {when}', { when: fmtWhen(p.due_at) })} · ${promiseState(p.status)}`,
      p.settled_at ? ` ${fmtWhen(p.settled_at)}` : ''], t('No promises made on this encounter.'), 'promise-list'));
}

function transfersList(record) {
  const to = (x) => (x.to_queue_id && x.to_agent_id ? t('To queue {queue}, agent {agent}', { queue: x.to_queue_id, agent: x.to_agent_id })
    : x.to_queue_id ? t('To queue {queue}', { queue: x.to_queue_id })
      : x.to_agent_id ? t('To agent {agent}', { agent: x.to_agent_id }) : t('Handed on'));
  return h('div', { class: 'sub', id: 'transfers' },
    h('h3', {}, t('Transfers')),
    listOr(record.transfers || [], (x) => [h('strong', {}, to(x)), `: ${x.reason || ''} · ${fmtWhen(x.created_at)}`],
      t('Not transferred.'), 'transfer-list'));
}

export function satisfactionText(s) {
  if (s.score === null || s.score === undefined) {
    if (s.answered_at) return t('Answered.');
    return s.expires_at ? t('A check was sent; the customer has not answered yet (the link works until {when}).', { when: fmtWhen(s.expires_at) })
      : t('A check was sent; the customer has not answered yet.');
  }
  const vars = { score: s.score, words: Array.isArray(s.words) ? fmtList(s.words) : '' };
  const said = vars.words ? t('{score} of 5, in their words: {words}', vars) : t('{score} of 5', vars);
  return `${said}${s.comment ? ` — “${s.comment}”` : ''}`;
}

function satisfactionList(record) {
  const items = record.satisfaction || [];
  if (!items.length) return null;
  return h('div', { class: 'sub', id: 'satisfaction-answers' },
    h('h3', {}, t('Satisfaction')), listOr(items, (s) => satisfactionText(s), '', 'satisfaction-list'));
}

/* Everything recorded on the encounter beside its stages. */
export function recordPanel(enc, record, ctx) {
  return h('section', { class: 'card', id: 'record', 'aria-labelledby': 'record-h' },
    h('h2', { id: 'record-h' }, t('Recorded on this encounter')),
    record ? [apologyBlock(enc, ctx), defectsBlock(enc, record, ctx), requestsBlock(enc, record, ctx),
      promisesList(record), transfersList(record), satisfactionList(record)]
      : [apologyBlock(enc, ctx), h('p', { class: 'muted' }, t('This server does not list what an encounter recorded yet.'))]);
}

/* A loyalty tier's name as the admin wrote it, with a capital. */
const tierName = (name) => (name ? String(name)[0].toUpperCase() + String(name).slice(1) : '');

/* The outcome, once closed: what was done, what to watch, how it ended. */
export function outcomePanel(enc, record) {
  if (enc.stage !== 'closed') return null;
  const t0 = parseTime(enc.arrived_at ?? enc.created_at), t1 = parseTime(enc.closed_at);
  const answered = ((record && record.satisfaction) || []).find((s) => s.score);
  const facts = [
    [t('Closed'), t0 !== null && t1 !== null ? t('{when}, {time} after it began', { when: fmtWhen(enc.closed_at), time: fmtDuration((t1 - t0) / 1000) }) : fmtWhen(enc.closed_at)],
    [t('What we did'), enc.outcome_done || t('Not written down.')],
    [t('What to watch'), enc.outcome_watch || t('Nothing.')],
    [t('What was agreed'), enc.agreement || (enc.no_agreement_reason ? t('Nothing; why: {why}', { why: enc.no_agreement_reason }) : t('Not written down.'))],
    [t('Resolved at first contact'), enc.first_contact_reason || (enc.first_contact_resolved === true ? t('Yes') : enc.first_contact_resolved === false ? t('No') : t('Not known yet'))],
    [t('Satisfaction'), answered ? satisfactionText(answered) : enc.satisfaction_skip_reason ? t('Not asked: {why}', { why: enc.satisfaction_skip_reason }) : t('A check is scheduled or has been sent.')],
    enc.loyalty_tier ? [t('Loyalty'), enc.loyalty_discount_percent > 0
      ? t('{tier} tier, {percent}% discount', { tier: tierName(enc.loyalty_tier), percent: enc.loyalty_discount_percent })
      : t('{tier} tier, no discount', { tier: tierName(enc.loyalty_tier) })] : null,
  ].filter(Boolean);
  return h('section', { class: 'card', id: 'outcome', 'aria-labelledby': 'outcome-h' },
    h('h2', { id: 'outcome-h' }, t('Outcome')),
    h('dl', { class: 'facts' }, facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
}
