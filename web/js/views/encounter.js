/*
 * encounter.js - the encounter workspace, led by the guide of its stage.
 *
 * The page is built from GET /api/v1/encounters/{id}/guide when the server
 * has it (greeting, relationship level and why, firm preferences, open
 * promises, the stage's checklist) and falls back to the encounter and the
 * customer alone when it does not.  Each stage of the interaction cycle has
 * its section with its fields and the button that leaves it; the API's
 * refusals (409, 422) are shown next to the field their `field` names,
 * because "what is missing" is only useful where it can be filled in.
 * What the encounter recorded beside its stages, how it is judged, and its
 * outcome come from records.js; the goal and preferences heard are offered
 * to the customer's profile from here.
 */
import * as api from '../api.js';
import { h, field, clear, announce } from '../dom.js';
import { fmtWhen, humanize, localToRfc3339, pick, greetingName, fmtList } from '../format.js';
import { kbSearch } from './kb.js';
import { conversationPanel } from './conversation.js';
import { encounterOwnership } from './ownership.js';
import { stagesList, waitText, abandonedText, judgedPanel, recordPanel, outcomePanel, isFinished } from './records.js';

export const STAGES = [
  { id: 'received', title: 'Receiving', next: 'understood', leave: 'Done receiving: go to understanding' },
  { id: 'understood', title: 'Understanding', next: 'helped', leave: 'Understood: go to helping' },
  { id: 'helped', title: 'Helping', next: 'kept', leave: 'Helped: go to keeping' },
  { id: 'kept', title: 'Keeping', next: 'closed', leave: 'Close the encounter' },
];
const ORDER = ['received', 'understood', 'helped', 'kept', 'closed'];

/* Text fields recorded with PATCH, by stage section. */
const TEXT_FIELDS = {
  understood: [
    ['request', 'What they ask for', 'input'],
    ['facts', 'Facts', 'textarea', 'What happened, what they need: the facts you heard.'],
    ['feelings', 'Feelings', 'textarea', 'How they feel about it (optional).'],
    ['questions', 'Open questions asked', 'list', 'One question per line.'],
    ['restatement', 'Restatement', 'textarea', 'The need in your own words, as you said it back.'],
    ['goal', 'Goal', 'input', 'What they want to achieve or become, if they said.'],
    ['preferences_captured', 'Preferences heard', 'list', 'One per line, such as “colour: navy”.'],
  ],
  helped: [
    ['options', 'Options offered', 'list', 'One option per line.'],
    ['agreement', 'Agreement', 'textarea', 'The course of action you agreed on.'],
    ['no_agreement_reason', 'No agreement: why', 'input', 'Only when no course of action was agreed.'],
  ],
  kept: [
    ['outcome_done', 'What we did', 'textarea'],
    ['outcome_watch', 'What to watch', 'textarea', 'What the customer should take care of from now on.'],
    ['bridged', 'Bridge to other needs', 'input'],
    ['satisfaction_skip_reason', 'No satisfaction check: why', 'input', 'Only when no check is done or scheduled.'],
  ],
};
/* The apology is recorded with the rest of the record (records.js), where
 * it can be given after the end too. */
const BOOL_FIELDS = {
  kept: [['thanked', 'Thanked the customer'], ['first_contact_resolved', 'Resolved at first contact']],
};

/* Where a refusal about one of these names is shown, when not a field of its own. */
const FIELD_ALIASES = {
  acknowledged_at: 'acknowledge', acknowledged: 'acknowledge',
  agreement: 'agreement', no_agreement_reason: 'agreement',
  satisfaction: 'satisfaction', satisfaction_check: 'satisfaction', satisfaction_skip_reason: 'satisfaction',
  schedule_at: 'satisfaction', score: 'satisfaction', words: 'satisfaction',
  to: 'stage', stage: 'stage',
};

function stageIndex(stage) {
  const i = ORDER.indexOf(stage);
  return i < 0 ? ORDER.length : i;
}

function asList(v) {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined || v === '') return [];
  return [v];
}

function textOf(x, ...keys) {
  if (x === null || x === undefined) return '';
  if (typeof x !== 'object') return String(x);
  const v = pick(x, ...keys);
  if (v === undefined) return '';
  if (Array.isArray(v)) return fmtList(v);
  return typeof v === 'object' ? textOf(v, 'text', 'message', 'why', 'reason') : String(v);
}

/* Show err next to the element its field names, or in fallback. */
export function showRefusal(root, err, fallback) {
  for (const old of root.querySelectorAll('.field-error')) old.remove();
  for (const bad of root.querySelectorAll('[aria-invalid]')) bad.removeAttribute('aria-invalid');
  const name = err.field;
  let target = null;
  if (name) {
    const want = [name, FIELD_ALIASES[name]].filter(Boolean);
    for (const w of want) {
      target = root.querySelector(`[data-field~="${CSS.escape(w)}"]`);
      if (target) break;
    }
  }
  const msg = h('p', { class: 'field-error', role: 'alert', id: `err-${Math.random().toString(36).slice(2)}` },
    err.message);
  if (err.field) msg.dataset.for = err.field;
  if (target) {
    const folded = target.closest('details');
    if (folded) folded.open = true;
    target.append(msg);
    const control = target.querySelector('input, textarea, select');
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), msg.id].filter(Boolean).join(' '));
      control.focus();
    }
  } else {
    fallback.append(msg);
  }
  return msg;
}

export async function render(main, [id], app) {
  const base = `/api/v1/encounters/${id}`;
  let enc = await api.get(base);
  let guide = null;
  let guideAvailable = true;

  async function loadGuide() {
    try {
      guide = await api.optional(`${base}/guide`);
      guideAvailable = guide !== null;
    } catch (e) {
      guide = null;
    }
  }
  /* what the encounter recorded beside its stages; null on a server
   * without the list */
  let record = null;
  async function loadRecord() {
    record = await api.optional(`${base}/record`).catch(() => null);
  }
  /* the customer's goals and preferences, to offer what the encounter
   * heard to the profile only when it is not there yet */
  let profile = { goals: [], preferences: [] };
  async function loadProfile() {
    const [g, p] = await Promise.all(['goals', 'preferences'].map((k) =>
      api.optional(`/api/v1/customers/${enc.customer_id}/${k}`).catch(() => null)));
    profile = { goals: api.items(g), preferences: api.items(p), available: g !== null };
  }
  let loadedAt = Date.now();
  await Promise.all([loadGuide(), loadRecord(), loadProfile()]);
  const customer = pick(guide, 'customer') || await api.get(`/api/v1/customers/${enc.customer_id}`);
  app.customers.set(enc.customer_id, customer);
  /* A returning customer is recognised on receiving: loyalty beside the guide. */
  const loyalty = pick(guide, 'loyalty') ||
    await api.optional(`/api/v1/customers/${enc.customer_id}/loyalty`).catch(() => null);

  let timer = null;
  const pageError = h('div', { class: 'page-error' });
  /* One conversation panel for the page's life: a re-render after a stage
   * change keeps what is being typed in the reply box. */
  const conversation = conversationPanel(enc, customer, { me: app.session && app.session.agent });

  async function act(fn, okText, errorHome) {
    const saved = drafts();
    try {
      const r = await fn();
      /* the whole encounter again: its measures come only with GET */
      enc = await api.get(base);
      loadedAt = Date.now();
      await Promise.all([loadGuide(), loadRecord(), loadProfile()]);
      void r;
      paint(saved);
      announce(okText);
      const ok = main.querySelector('#encounter-status');
      if (ok) ok.textContent = okText;
      return true;
    } catch (e) {
      if (e.status === 401) return false;
      showRefusal(main, e, errorHome || pageError);
      return false;
    }
  }

  function header() {
    const finished = isFinished(enc);
    /* a greeting is said to someone who is here: only while it is open */
    const greetText = textOf(pick(guide, 'greeting'), 'text', 'say', 'line') ||
      `Hello ${greetingName(customer)}, welcome${customer.relationship_level && customer.relationship_level !== 'transactional' ? ' back' : ''}.`;
    const title = !finished ? greetText
      : `${enc.stage === 'abandoned' ? 'Abandoned' : 'Closed'}: ${enc.subject || `encounter with ${greetingName(customer)}`}`;
    const wait = h('span', { id: 'encounter-wait' });
    const tick = () => { wait.textContent = waitText(enc, loadedAt); };
    tick();
    clearInterval(timer);
    if (enc.measures ? enc.measures.waiting : !enc.acknowledged_at && !finished) timer = setInterval(tick, 1000);
    return h('header', { class: 'encounter-head' },
      h('p', { class: 'eyebrow' }, `Encounter #${enc.id} · ${humanize(enc.channel)} · with ${customer.name || greetingName(customer)} · `, wait),
      h('h1', { id: 'greeting' }, title),
      finished ? null : h('p', { class: 'subject' }, enc.subject || ''),
      enc.stage === 'abandoned'
        ? h('div', { class: 'flag', id: 'abandoned' },
          h('p', {}, h('strong', {}, abandonedText(enc))),
          enc.abandon_reason ? h('p', {}, `Why: ${enc.abandon_reason}`) : null)
        : null,
      stagesList(enc),
      h('p', { id: 'encounter-status', class: 'ok', role: 'status' }));
  }

  function about() {
    const level = pick(guide, 'relationship') || {};
    const levelName = typeof level === 'string' ? level : (pick(level, 'level', 'name') || customer.relationship_level);
    const reasons = asList(pick(level, 'reasons', 'why') || pick(guide, 'relationship_reasons') || customer.relationship_reasons);
    const prefs = asList(pick(guide, 'firm_preferences') ||
      asList(pick(guide, 'preferences')).filter((p) => !p.firmness || p.firmness === 'firm'));
    const promises = asList(pick(guide, 'open_promises', 'promises'));
    const followUps = asList(pick(guide, 'follow_ups', 'open_follow_ups', 'tasks'));
    const listOr = (arr, render, empty) => arr.length
      ? h('ul', {}, arr.map((x) => h('li', {}, render(x))))
      : h('p', { class: 'muted' }, empty);
    return h('aside', { class: 'about card', 'aria-labelledby': 'about-h' },
      h('h2', { id: 'about-h' }, `About ${greetingName(customer)}`),
      h('p', {}, customer.name, customer.preferred_name && customer.preferred_name !== customer.name ? ` (prefers “${customer.preferred_name}”)` : ''),
      h('h3', {}, 'Relationship'),
      h('p', { id: 'relationship-level' }, h('strong', {}, humanize(levelName || 'transactional'))),
      listOr(reasons, (r) => textOf(r, 'why', 'text', 'reason', 'rule'), 'No history yet.'),
      loyalty ? [h('h3', {}, 'Loyalty'), h('p', { id: 'loyalty' }, textOf(loyalty, 'summary') ||
        [pick(loyalty, 'tier') && `Tier ${humanize(loyalty.tier)}`,
          pick(loyalty, 'discount_percent') !== undefined && `${loyalty.discount_percent}% discount`,
          pick(loyalty, 'visits') !== undefined && `${loyalty.visits} visits`,
          pick(loyalty, 'returning') && 'returning customer'].filter(Boolean).join(' · '))] : null,
      h('h3', {}, 'Firm preferences'),
      listOr(prefs, (p) => [h('strong', {}, humanize(textOf(p, 'key', 'name'))), `: ${textOf(p, 'value')}`], 'None recorded.'),
      h('h3', {}, 'Open promises'),
      listOr(promises, (p) => `${textOf(p, 'what', 'subject', 'description')}${p.due_at ? `, due ${fmtWhen(p.due_at)}` : ''}`, 'None open.'),
      followUps.length ? [h('h3', {}, 'Follow-ups'),
        listOr(followUps, (t) => `${textOf(t, 'subject', 'what', 'kind')}${t.due_at ? `, due ${fmtWhen(t.due_at)}` : ''}`, '')] : null,
      notes(customer),
      h('p', {}, h('a', { href: `#/customers/${customer.id}` }, `${greetingName(customer)}’s overview`)),
      guideAvailable ? null : h('p', { class: 'muted' }, 'This server gives no guide for encounters yet; the checklist and personal details come with it.'));
  }

  function notes(c) {
    return c.notes ? [h('h3', {}, 'Notes'), h('p', {}, c.notes)] : null;
  }

  function checklist() {
    const items = asList(pick(guide, 'checklist', 'skills', 'prompts'));
    if (!items.length) return null;
    return h('section', { class: 'card checklist', 'aria-labelledby': 'check-h' },
      h('h2', { id: 'check-h' }, `${humanize(pick(guide, 'stage_title') || STAGES.find((s) => s.id === enc.stage)?.title || enc.stage)}: what to do`),
      h('ul', { class: 'checks' }, items.map((it) => {
        const done = typeof it === 'object' && (it.done === true || it.checked === true);
        return h('li', { class: done ? 'done' : 'todo' },
          h('span', { class: 'tick', 'aria-hidden': 'true' }, done ? '✓' : '○'),
          h('span', { class: 'sr-only' }, done ? 'Done: ' : 'To do: '),
          h('span', {}, textOf(it, 'label', 'text', 'skill', 'prompt', 'name'),
            typeof it === 'object' && it.hint && !done ? h('span', { class: 'muted' }, ` · ${it.hint}`) : null));
      })),
      asList(pick(guide, 'missing')).length
        ? h('p', { class: 'hint', id: 'guide-missing' }, 'Before the next stage: ',
          asList(guide.missing).map((x) => textOf(x, 'message')).join('; '))
        : null);
  }

  function textControl(name, kind) {
    const v = enc[name];
    if (kind === 'textarea') return h('textarea', { name, rows: 3, id: `f-${name}` }, v || '');
    if (kind === 'list') return h('textarea', { name, rows: 3, id: `f-${name}` }, asList(v).join('\n'));
    return h('input', { type: 'text', name, id: `f-${name}`, value: v || '' });
  }

  /* A PATCH with the fields of this section that changed. */
  function changes(form, stage) {
    const out = {};
    for (const [name, , kind] of TEXT_FIELDS[stage] || []) {
      const el = form.elements.namedItem(name);
      if (!el) continue;
      if (kind === 'list') {
        const lines = el.value.split('\n').map((s) => s.trim()).filter(Boolean);
        if (JSON.stringify(lines) !== JSON.stringify(asList(enc[name]))) out[name] = lines;
      } else {
        const val = el.value.trim();
        if (val && val !== (enc[name] || '')) out[name] = val;
      }
    }
    for (const [name] of BOOL_FIELDS[stage] || []) {
      const el = form.elements.namedItem(name);
      if (el && el.checked !== Boolean(enc[name])) out[name] = el.checked;
    }
    return out;
  }

  function stageSection(st) {
    const idx = stageIndex(st.id), cur = stageIndex(enc.stage);
    const isCurrent = idx === cur;
    const closed = isFinished(enc);
    const reached = st.id === 'received' || Boolean(enc[`${st.id}_at`]);
    const errHome = h('div', { class: 'section-errors', dataset: { field: isCurrent ? 'stage' : '' } });
    const form = h('form', { class: 'stage-form', novalidate: true, id: `form-${st.id}` });
    /* The current stage is open; the others fold away, a click (or Enter) away. */
    const badge = enc.stage === 'abandoned'
      ? (reached ? h('span', { class: 'badge' }, 'reached') : h('span', { class: 'badge' }, 'not reached'))
      : idx < cur ? h('span', { class: 'badge' }, 'done') : isCurrent ? h('span', { class: 'badge now' }, 'now') : null;
    const title = h('h2', { id: `stage-${st.id}-h` }, st.title, badge);
    const section = isCurrent
      ? h('section', { class: ['card', 'stage', 'current'], id: `stage-${st.id}`, 'aria-labelledby': `stage-${st.id}-h` }, title, form)
      : h('details', { class: ['card', 'stage', idx < cur && enc.stage !== 'abandoned' && 'done'], id: `stage-${st.id}` }, h('summary', {}, title), form);

    if (st.id === 'received') {
      const ack = h('div', { class: 'field', dataset: { field: 'acknowledge acknowledged_at' } },
        enc.acknowledged_at
          ? h('p', {}, `Acknowledged ${fmtWhen(enc.acknowledged_at)}.`)
          : h('button', { type: 'button', id: 'acknowledge', class: 'primary', disabled: closed },
            `Acknowledge ${greetingName(customer)}`));
      form.append(h('p', { class: 'hint' }, 'Greet them by name; their history, relationship and open promises are beside you. Acknowledging stops the wait clock.'), ack);
      const btn = ack.querySelector('button');
      if (btn) btn.addEventListener('click', () => act(() => api.post(`${base}/acknowledge`, {}), 'Acknowledged.', errHome));
    }

    for (const [name, label, kind, hint] of TEXT_FIELDS[st.id] || []) {
      form.append(field(label, textControl(name, kind), { field: name, hint }));
      if (name === 'goal') form.append(goalOffer());
      if (name === 'preferences_captured') form.append(preferencesOffer());
    }
    for (const [name, label] of BOOL_FIELDS[st.id] || []) {
      /* Once finished it is judged, not ticked: yes, no or not known, in words. */
      if (name === 'first_contact_resolved' && closed) {
        const word = enc[name] === true ? 'yes' : enc[name] === false ? 'no' : 'not known';
        form.append(h('p', { id: 'first-contact', dataset: { field: name } },
          enc.first_contact_reason || `Resolved at first contact: ${word}`));
        continue;
      }
      const box = h('input', { type: 'checkbox', name, id: `f-${name}`, checked: Boolean(enc[name]) });
      form.append(h('div', { class: 'field check', dataset: { field: name } }, box, h('label', { for: box.id }, label)));
    }
    if (st.id === 'helped') form.append(promisesBlock(errHome));
    if (st.id === 'kept') form.append(satisfactionBlock(errHome), followUpBlock(errHome));
    form.append(errHome);

    const buttons = h('div', { class: 'actions' });
    if (TEXT_FIELDS[st.id]) {
      buttons.append(h('button', { type: 'submit', disabled: closed }, 'Save'));
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const body = changes(form, st.id);
        if (!Object.keys(body).length) { announce('Nothing changed.'); return; }
        act(() => api.patch(base, body), 'Saved.', errHome);
      });
    } else {
      form.addEventListener('submit', (ev) => ev.preventDefault());
    }
    if (isCurrent && !closed) {
      const adv = h('button', { type: 'button', class: 'primary advance', id: `advance-${st.next}` }, st.leave);
      adv.addEventListener('click', async () => {
        /* Save what was typed first, so the check sees it. */
        const body = TEXT_FIELDS[st.id] ? changes(form, st.id) : {};
        if (Object.keys(body).length && !(await act(() => api.patch(base, body), 'Saved.', errHome))) return;
        act(() => api.post(`${base}/advance`, { to: st.next }), `Now ${humanize(st.next)}.`, errHome);
      });
      buttons.append(adv);
    }
    form.append(buttons);
    return section;
  }

  /* The goal the customer said, offered to their profile once recorded. */
  function goalOffer() {
    const goal = (enc.goal || '').trim();
    if (!goal || !profile.available) return null;
    const known = profile.goals.some((g) => (g.title || '').trim().toLowerCase() === goal.toLowerCase());
    if (known) return h('p', { class: 'hint', id: 'goal-kept' }, `“${goal}” is one of ${greetingName(customer)}’s goals.`);
    const errHome = h('div', { dataset: { field: 'title' } });
    const keep = h('button', { type: 'button', id: 'keep-goal' }, `Keep “${goal}” as ${greetingName(customer)}’s goal`);
    keep.addEventListener('click', () => act(() => api.post(`/api/v1/customers/${enc.customer_id}/goals`,
      { title: goal, encounter_id: enc.id }), 'The goal is kept on the customer.', errHome));
    return h('div', { class: 'offer', id: 'goal-offer' }, keep, errHome);
  }

  /* Each preference heard ("colour: navy"), offered to the profile with its
   * firmness, unless the profile already says the same. */
  function preferencesOffer() {
    const heard = asList(enc.preferences_captured);
    if (!heard.length || !profile.available) return null;
    const rows = heard.map((line, i) => {
      const m = String(line).match(/^\s*([^:=]+?)\s*[:=]\s*(.+)$/);
      const key = m ? m[1] : '', value = m ? m[2] : String(line);
      const same = profile.preferences.find((p) => (p.key || '').toLowerCase() === key.toLowerCase() &&
        (p.value || '').toLowerCase() === value.toLowerCase());
      if (same) return h('li', {}, `“${line}” is in the profile (${same.firmness || 'flexible'}).`);
      const k = h('input', { type: 'text', id: `pref-key-${i}`, name: `pref_key_${i}`, value: key });
      const v = h('input', { type: 'text', id: `pref-value-${i}`, name: `pref_value_${i}`, value });
      const firm = h('select', { id: `pref-firmness-${i}`, name: `pref_firmness_${i}` },
        h('option', { value: 'flexible' }, 'Flexible: a wish'), h('option', { value: 'firm' }, 'Firm: never offer against it'));
      const errHome = h('div', { dataset: { field: 'key value firmness' } });
      const keep = h('button', { type: 'button', id: `keep-pref-${i}` }, 'Keep in the profile');
      keep.addEventListener('click', () => act(() => api.post(`/api/v1/customers/${enc.customer_id}/preferences`,
        { key: k.value.trim(), value: v.value.trim(), firmness: firm.value, encounter_id: enc.id }),
      'The preference is kept on the customer.', errHome));
      return h('li', {}, h('div', { class: 'row' }, field('About', k), field('Preference', v), field('How firm', firm)), keep, errHome);
    });
    return h('div', { class: 'offer', id: 'preferences-offer' },
      h('p', { class: 'hint' }, `Preferences heard, to keep in ${greetingName(customer)}’s profile:`), h('ul', { class: 'plain' }, rows));
  }

  function promisesBlock(errHome) {
    const what = h('input', { type: 'text', name: 'promise_what', id: 'promise-what' });
    const due = h('input', { type: 'datetime-local', name: 'promise_due', id: 'promise-due' });
    const add = h('button', { type: 'button', id: 'add-promise' }, 'Add the promise');
    const block = h('fieldset', { class: 'sub', dataset: { field: 'promises what due_at' } },
      h('legend', {}, 'Expectations: what we promise, by when'),
      field('What we promise', what), field('By when', due), add);
    add.addEventListener('click', () => act(() => api.post(`${base}/promises`,
      { what: what.value.trim(), due_at: localToRfc3339(due.value) }), 'Promise recorded.', errHome));
    return block;
  }

  function satisfactionBlock(errHome) {
    const score = h('select', { name: 'score', id: 'sat-score' },
      h('option', { value: '' }, 'Choose…'),
      [5, 4, 3, 2, 1].map((n) => h('option', { value: String(n) }, `${n}${n === 5 ? ' (very satisfied)' : n === 1 ? ' (very unhappy)' : ''}`)));
    const words = h('input', { type: 'text', name: 'words', id: 'sat-words' });
    const comment = h('textarea', { name: 'comment', id: 'sat-comment', rows: 2 });
    const record = h('button', { type: 'button', id: 'record-satisfaction' }, 'Record the answer');
    const when = h('input', { type: 'datetime-local', name: 'schedule_at', id: 'sat-schedule' });
    const schedule = h('button', { type: 'button', id: 'schedule-satisfaction' }, 'Schedule the check');
    record.addEventListener('click', () => {
      const ws = words.value.split(/[\s,]+/).map((w) => w.trim()).filter(Boolean);
      act(() => api.post(`${base}/satisfaction`, { score: Number(score.value) || 0, words: ws, comment: comment.value.trim() }),
        'Satisfaction recorded.', errHome);
    });
    schedule.addEventListener('click', () => act(() => api.post(`${base}/satisfaction`,
      { schedule_at: localToRfc3339(when.value) }), 'Satisfaction check scheduled.', errHome));
    return h('fieldset', { class: 'sub', dataset: { field: 'satisfaction score words comment schedule_at' } },
      h('legend', {}, 'Satisfaction check'),
      h('p', { class: 'hint' }, 'Ask now, in person, or schedule a check (the customer gets a link).'),
      field('Score', score), field('Three words', words, { hint: 'Three words that describe the experience.' }),
      field('Comment', comment), record,
      field('Or check later, at', when), schedule);
  }

  function followUpBlock(errHome) {
    const due = h('input', { type: 'datetime-local', name: 'follow_due', id: 'follow-due' });
    const subject = h('input', { type: 'text', name: 'follow_subject', id: 'follow-subject' });
    const channel = h('select', { name: 'follow_channel', id: 'follow-channel' },
      ['phone', 'email', 'in_person', 'chat', 'web'].map((c) => h('option', { value: c }, humanize(c))));
    const add = h('button', { type: 'button', id: 'schedule-follow-up' }, 'Schedule the follow-up');
    add.addEventListener('click', () => act(() => api.post(`${base}/follow_ups`,
      { due_at: localToRfc3339(due.value), subject: subject.value.trim(), channel: channel.value }),
    'Follow-up scheduled.', errHome));
    return h('fieldset', { class: 'sub', dataset: { field: 'follow_ups due_at subject channel' } },
      h('legend', {}, 'Follow-up'), field('When', due), field('About', subject), field('By', channel), add);
  }

  function abandonBlock() {
    if (isFinished(enc)) return null;
    const reason = h('input', { type: 'text', name: 'reason', id: 'abandon-reason' });
    const btn = h('button', { type: 'button', class: 'danger', id: 'abandon' }, 'Abandon the encounter');
    const errHome = h('div', {});
    btn.addEventListener('click', () => act(() => api.post(`${base}/abandon`, { reason: reason.value.trim() }),
      'Abandoned.', errHome));
    return h('details', { class: 'card abandon' }, h('summary', {}, 'The customer left or hung up'),
      h('div', { dataset: { field: 'reason' } }, field('Why', reason), btn), errHome);
  }

  /* What the agent typed and has not saved yet survives a re-render (after
   * acknowledging, adding a promise, ...): only the recorded fields (f-*). */
  function drafts() {
    const out = new Map();
    for (const el of main.querySelectorAll('[id^="f-"]'))
      out.set(el.id, el.type === 'checkbox' ? el.checked : el.value);
    /* and a folded section the agent opened stays open */
    out.set('open', [...main.querySelectorAll('details[open][id]')].map((d) => d.id));
    return out;
  }

  function restore(saved) {
    for (const [id, v] of saved) {
      if (id === 'open') {
        for (const d of v) { const el = main.querySelector(`details#${CSS.escape(d)}`); if (el) el.open = true; }
        continue;
      }
      const el = main.querySelector(`#${CSS.escape(id)}`);
      if (!el) continue;
      if (el.type === 'checkbox') el.checked = v; else el.value = v;
    }
  }

  /* who handles it (ownership.js): take, give, transfer */
  function ownership() {
    return encounterOwnership(enc, app, async () => { enc = await api.get(base); paint(drafts()); });
  }

  function paint(saved = new Map()) {
    clear(main);
    main.append(header(), pageError,
      h('div', { class: 'workspace' },
        h('div', { class: 'work' }, outcomePanel(enc, record), isFinished(enc) ? null : checklist(),
          conversation.element, STAGES.map(stageSection), judgedPanel(enc, guide, recordCtx),
          recordPanel(enc, record, recordCtx), abandonBlock()),
        h('div', { class: 'side' }, ownership(), about(), kbSearch(enc, { onInsert: conversation.insert }))));
    restore(saved);
  }

  const recordCtx = { act, base, api };
  paint();
  return () => { clearInterval(timer); conversation.stop(); };
}
