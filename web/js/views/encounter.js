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
import { fmtWhen, humanize, localToRfc3339, pick, fmtList } from '../format.js';
import { t, locale, timeZone } from '../i18n.js';
import { channelLabel, channelWords, stageTitle, levelLabel, relationshipReason, skillLabel, skillHint, loyaltyText } from '../labels.js';
import { kbSearch } from './kb.js';
import { conversationPanel } from './conversation.js';
import { encounterOwnership } from './ownership.js';
import { stagesList, waitText, abandonedText, judgedPanel, recordPanel, outcomePanel, isFinished } from './records.js';

/* The stages with their sections, in the agent's language (built when
 * asked: the language is chosen after this module loads). */
export function stages() {
  return [
    { id: 'received', title: t('Receiving'), next: 'understood', leave: t('Done receiving: go to understanding'), now: t('Now: understanding.') },
    { id: 'understood', title: t('Understanding'), next: 'helped', leave: t('Understood: go to helping'), now: t('Now: helping.') },
    { id: 'helped', title: t('Helping'), next: 'kept', leave: t('Helped: go to keeping'), now: t('Now: keeping.') },
    { id: 'kept', title: t('Keeping'), next: 'closed', leave: t('Close the encounter'), now: t('Closed.') },
  ];
}
const ORDER = ['received', 'understood', 'helped', 'kept', 'closed'];

/* Text fields recorded with PATCH, by stage section. */
function textFields() {
  return {
    understood: [
      ['request', t('What they ask for'), 'input'],
      ['facts', t('Facts'), 'textarea', t('What happened, what they need: the facts you heard.')],
      ['feelings', t('Feelings'), 'textarea', t('How they feel about it (optional).')],
      ['questions', t('Open questions asked'), 'list', t('One question per line.')],
      ['restatement', t('Restatement'), 'textarea', t('The need in your own words, as you said it back.')],
      ['goal', t('Goal'), 'input', t('What they want to achieve or become, if they said.')],
      ['preferences_captured', t('Preferences heard'), 'list', t('One per line, such as “colour: navy”.')],
    ],
    helped: [
      ['options', t('Options offered'), 'list', t('One option per line.')],
      ['agreement', t('Agreement'), 'textarea', t('The course of action you agreed on.')],
      ['no_agreement_reason', t('No agreement: why'), 'input', t('Only when no course of action was agreed.')],
    ],
    kept: [
      ['outcome_done', t('What we did'), 'textarea'],
      ['outcome_watch', t('What to watch'), 'textarea', t('What the customer should take care of from now on.')],
      ['bridged', t('Bridge to other needs'), 'input'],
      ['satisfaction_skip_reason', t('No satisfaction check: why'), 'input', t('Only when no check is done or scheduled.')],
    ],
  };
}
/* The apology is recorded with the rest of the record (records.js), where
 * it can be given after the end too. */
function boolFields() {
  return { kept: [['thanked', t('Thanked the customer')], ['first_contact_resolved', t('Resolved at first contact')]] };
}

/* What the cycle still needs before the next stage, by the field the
 * server names; the same words when leaving a stage is refused. */
function missingWords(field) {
  return {
    acknowledged_at: t('Acknowledge the customer first: greet them and press “Acknowledge”, which stops the wait clock; then move on to understanding.'),
    facts: t('Write down the facts of the customer’s need before moving on (how they feel is optional).'),
    agreement: t('Write down the course of action you agreed on with the customer, or why nothing could be agreed, before moving on.'),
  }[field] || null;
}

/* The server's verdict on first-contact resolution, in the agent's language. */
function firstContactWords(reason) {
  const words = {
    'Not resolved at first contact: it was transferred': t('Not resolved at first contact: it was transferred'),
    'Not resolved at first contact: the customer wrote again after it was closed': t('Not resolved at first contact: the customer wrote again after it was closed'),
    'Not resolved at first contact: the customer contacted us more than once': t('Not resolved at first contact: the customer contacted us more than once'),
    'Not resolved at first contact: a follow-up is still needed': t('Not resolved at first contact: a follow-up is still needed'),
    'Not resolved at first contact: a promise made on it was broken': t('Not resolved at first contact: a promise made on it was broken'),
    'Not resolved at first contact: the agent said so': t('Not resolved at first contact: the agent said so'),
    'Resolved at first contact: what was done is recorded': t('Resolved at first contact: what was done is recorded'),
    'Not resolved at first contact: nothing was agreed and nothing done': t('Not resolved at first contact: nothing was agreed and nothing done'),
    'Not known yet: the agreement rests on a promise not yet kept': t('Not known yet: the agreement rests on a promise not yet kept'),
    'Resolved at first contact: the agent said the agreement was carried out': t('Resolved at first contact: the agent said the agreement was carried out'),
    'Resolved at first contact: agreed and carried out, no promise left open': t('Resolved at first contact: agreed and carried out, no promise left open'),
    'Not resolved at first contact: it was abandoned': t('Not resolved at first contact: it was abandoned'),
  };
  return Object.prototype.hasOwnProperty.call(words, reason) ? words[reason] : reason;
}

/* The name a customer is called by, or, when none could be read,
 * "customer 12" (said as a name, so it fits every sentence it is put in:
 * German's "den Kunden" fitted only some of them). */
function nameOf(c) {
  return pick(c, 'greeting_name', 'preferred_name', 'name') ||
    (c && c.id ? t('customer {id}', { id: c.id }) : t('customer'));
}

/* A greeting for the time of day in the agent's time zone. */
function greeting(c, now = new Date()) {
  let hour = now.getHours();
  try {
    hour = Number(new Intl.DateTimeFormat('en-GB', { hour: 'numeric', hourCycle: 'h23', timeZone: timeZone() }).format(now));
  } catch { /* the browser's hour */ }
  const name = nameOf(c);
  if (hour < 12) return t('Good morning, {name}', { name });
  if (hour < 18) return t('Good afternoon, {name}', { name });
  return t('Good evening, {name}', { name });
}

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
  /* the encounter, its guide and its record are asked for at once; only
   * the customer's profile waits for the encounter (it names the
   * customer) */
  const encP = api.get(base);
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
  const firstGuide = loadGuide(), firstRecord = loadRecord();
  let enc = await encP; /* the guide's and record's failures are their own */
  await Promise.all([firstGuide, firstRecord, loadProfile()]);
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
      /* leaving a stage too early (409): what to do, in the agent's words */
      const words = e.status === 409 ? missingWords(e.field) : null;
      showRefusal(main, words ? { field: e.field, message: words } : e, errorHome || pageError);
      return false;
    }
  }

  function header() {
    const finished = isFinished(enc);
    /* a greeting is said to someone who is here: only while it is open */
    const name = nameOf(customer);
    let title = greeting(customer);
    if (finished && enc.stage === 'abandoned') {
      title = enc.subject ? t('Abandoned: {subject}', { subject: enc.subject }) : t('Abandoned: the encounter with {name}', { name });
    } else if (finished) {
      title = enc.subject ? t('Closed: {subject}', { subject: enc.subject }) : t('Closed: the encounter with {name}', { name });
    }
    const wait = h('span', { id: 'encounter-wait' });
    const tick = () => { wait.textContent = waitText(enc, loadedAt); };
    tick();
    clearInterval(timer);
    if (enc.measures ? enc.measures.waiting : !enc.acknowledged_at && !finished) timer = setInterval(tick, 1000);
    return h('header', { class: 'encounter-head' },
      h('p', { class: 'eyebrow' }, t('Encounter #{id} · {channel} · with {name}',
        { id: enc.id, channel: channelLabel(enc.channel), name: customer.name || name }), ' · ', wait),
      h('h1', { id: 'greeting' }, title),
      finished ? null : h('p', { class: 'subject' }, enc.subject || ''),
      enc.stage === 'abandoned'
        ? h('div', { class: 'flag', id: 'abandoned' },
          h('p', {}, h('strong', {}, abandonedText(enc))),
          enc.abandon_reason ? h('p', {}, t('Why: {reason}', { reason: enc.abandon_reason })) : null)
        : null,
      stagesList(enc),
      h('p', { id: 'encounter-status', class: 'ok', role: 'status' }));
  }

  function about() {
    const level = pick(guide, 'relationship') || {};
    const levelName = typeof level === 'string' ? level : (pick(level, 'level', 'name') || customer.relationship_level);
    const name = nameOf(customer);
    const pct = (d) => `${d.toLocaleString(locale(), { maximumFractionDigits: 1 })} %`;
    const reasons = asList(pick(level, 'reasons', 'why') || pick(guide, 'relationship_reasons') || customer.relationship_reasons);
    const prefs = asList(pick(guide, 'firm_preferences') ||
      asList(pick(guide, 'preferences')).filter((p) => !p.firmness || p.firmness === 'firm'));
    const promises = asList(pick(guide, 'open_promises', 'promises'));
    const followUps = asList(pick(guide, 'follow_ups', 'open_follow_ups', 'tasks'));
    const listOr = (arr, render, empty) => arr.length
      ? h('ul', {}, arr.map((x) => h('li', {}, render(x))))
      : h('p', { class: 'muted' }, empty);
    return h('aside', { class: 'about card', 'aria-labelledby': 'about-h' },
      h('h2', { id: 'about-h' }, t('About {name}', { name })),
      h('p', {}, customer.name, customer.preferred_name && customer.preferred_name !== customer.name
        ? [' ', t('(prefers “{name}”)', { name: customer.preferred_name })] : ''),
      h('h3', {}, t('Relationship')),
      h('p', { id: 'relationship-level' }, h('strong', {}, levelLabel(levelName || 'transactional'))),
      listOr(reasons, (r) => relationshipReason(r), t('No history yet.')),
      loyalty ? [h('h3', {}, t('Loyalty')), h('p', { id: 'loyalty' }, loyaltyText(loyalty, pct))] : null,
      h('h3', {}, t('Firm preferences')),
      listOr(prefs, (p) => [h('strong', {}, humanize(textOf(p, 'key', 'name'))), `: ${textOf(p, 'value')}`], t('None recorded.')),
      h('h3', {}, t('Open promises')),
      listOr(promises, (p) => (p.due_at
        ? t('{what}, due {when}', { what: textOf(p, 'what', 'subject', 'description'), when: fmtWhen(p.due_at) })
        : textOf(p, 'what', 'subject', 'description')), t('None open.')),
      followUps.length ? [h('h3', {}, t('Follow-ups')),
        listOr(followUps, (task) => {
          const what = textOf(task, 'subject', 'what') || t('A follow-up');
          return task.due_at ? t('{what}, due {when}', { what, when: fmtWhen(task.due_at) }) : what;
        }, '')] : null,
      notes(customer),
      h('p', {}, h('a', { href: `#/customers/${customer.id}` }, t('{name}’s overview', { name }))),
      guideAvailable ? null : h('p', { class: 'muted' }, t('This server gives no guide for encounters yet; the checklist and personal details come with it.')));
  }

  function notes(c) {
    return c.notes ? [h('h3', {}, t('Notes')), h('p', {}, c.notes)] : null;
  }

  function checklist() {
    const items = asList(pick(guide, 'checklist', 'skills', 'prompts'));
    if (!items.length) return null;
    return h('section', { class: 'card checklist', 'aria-labelledby': 'check-h' },
      h('h2', { id: 'check-h' }, t('{stage}: what to do', { stage: stageTitle(enc.stage) })),
      h('ul', { class: 'checks' }, items.map((it) => {
        const done = typeof it === 'object' && (it.done === true || it.checked === true);
        const skill = typeof it === 'object' ? it.skill : null;
        const label = skill ? skillLabel(skill) : textOf(it, 'label', 'text', 'prompt', 'name');
        const hint = typeof it === 'object' && !done ? (skill && skillHint(skill)) || it.hint : null;
        return h('li', { class: done ? 'done' : 'todo' },
          h('span', { class: 'tick', 'aria-hidden': 'true' }, done ? '✓' : '○'),
          h('span', { class: 'sr-only' }, done ? t('Done:') : t('To do:'), ' '),
          h('span', {}, label, hint ? h('span', { class: 'muted' }, ` · ${hint}`) : null));
      })),
      asList(pick(guide, 'missing')).length
        ? h('p', { class: 'hint', id: 'guide-missing' }, t('Before the next stage: {what}', {
          what: asList(guide.missing).map((x) => missingWords(x && x.field) || textOf(x, 'message')).join(' '),
        }))
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
    for (const [name, , kind] of textFields()[stage] || []) {
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
    for (const [name] of boolFields()[stage] || []) {
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
      ? (reached ? h('span', { class: 'badge' }, t('reached')) : h('span', { class: 'badge' }, t('not reached')))
      : idx < cur ? h('span', { class: 'badge' }, t('done')) : isCurrent ? h('span', { class: 'badge now' }, t('now')) : null;
    const title = h('h2', { id: `stage-${st.id}-h` }, st.title, badge);
    const section = isCurrent
      ? h('section', { class: ['card', 'stage', 'current'], id: `stage-${st.id}`, 'aria-labelledby': `stage-${st.id}-h` }, title, form)
      : h('details', { class: ['card', 'stage', idx < cur && enc.stage !== 'abandoned' && 'done'], id: `stage-${st.id}` }, h('summary', {}, title), form);

    if (st.id === 'received') {
      const ack = h('div', { class: 'field', dataset: { field: 'acknowledge acknowledged_at' } },
        enc.acknowledged_at
          ? h('p', {}, t('Acknowledged {when}.', { when: fmtWhen(enc.acknowledged_at) }))
          : h('button', { type: 'button', id: 'acknowledge', class: 'primary', disabled: closed },
            t('Acknowledge {name}', { name: nameOf(customer) })));
      form.append(h('p', { class: 'hint' }, t('Greet them by name; their history, relationship and open promises are beside you. Acknowledging stops the wait clock.')), ack);
      const btn = ack.querySelector('button');
      if (btn) btn.addEventListener('click', () => act(() => api.post(`${base}/acknowledge`, {}), t('Acknowledged.'), errHome));
    }

    for (const [name, label, kind, hint] of textFields()[st.id] || []) {
      form.append(field(label, textControl(name, kind), { field: name, hint }));
      if (name === 'goal') form.append(goalOffer());
      if (name === 'preferences_captured') form.append(preferencesOffer());
    }
    for (const [name, label] of boolFields()[st.id] || []) {
      /* Once finished it is judged, not ticked: yes, no or not known, in words. */
      if (name === 'first_contact_resolved' && closed) {
        const said = enc[name] === true ? t('Resolved at first contact: yes')
          : enc[name] === false ? t('Resolved at first contact: no') : t('Resolved at first contact: not known');
        form.append(h('p', { id: 'first-contact', dataset: { field: name } },
          enc.first_contact_reason ? firstContactWords(enc.first_contact_reason) : said));
        continue;
      }
      const box = h('input', { type: 'checkbox', name, id: `f-${name}`, checked: Boolean(enc[name]) });
      form.append(h('div', { class: 'field check', dataset: { field: name } }, box, h('label', { for: box.id }, label)));
    }
    if (st.id === 'helped') form.append(promisesBlock(errHome));
    if (st.id === 'kept') form.append(satisfactionBlock(errHome), followUpBlock(errHome));
    form.append(errHome);

    const buttons = h('div', { class: 'actions' });
    const hasText = Boolean(textFields()[st.id]);
    if (hasText) {
      buttons.append(h('button', { type: 'submit', disabled: closed }, t('Save')));
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const body = changes(form, st.id);
        if (!Object.keys(body).length) { announce(t('Nothing changed.')); return; }
        act(() => api.patch(base, body), t('Saved.'), errHome);
      });
    } else {
      form.addEventListener('submit', (ev) => ev.preventDefault());
    }
    if (isCurrent && !closed) {
      const adv = h('button', { type: 'button', class: 'primary advance', id: `advance-${st.next}` }, st.leave);
      adv.addEventListener('click', async () => {
        /* Save what was typed first, so the check sees it. */
        const body = hasText ? changes(form, st.id) : {};
        if (Object.keys(body).length && !(await act(() => api.patch(base, body), t('Saved.'), errHome))) return;
        act(() => api.post(`${base}/advance`, { to: st.next }), st.now, errHome);
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
    const name = nameOf(customer);
    if (known) return h('p', { class: 'hint', id: 'goal-kept' }, t('“{goal}” is one of {name}’s goals.', { goal, name }));
    const errHome = h('div', { dataset: { field: 'title' } });
    const keep = h('button', { type: 'button', id: 'keep-goal' }, t('Keep “{goal}” as {name}’s goal', { goal, name }));
    keep.addEventListener('click', () => act(() => api.post(`/api/v1/customers/${enc.customer_id}/goals`,
      { title: goal, encounter_id: enc.id }), t('The goal is kept on the customer.'), errHome));
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
      if (same) {
        return h('li', {}, same.firmness === 'firm' ? t('“{line}” is in the profile (firm).', { line })
          : t('“{line}” is in the profile (flexible).', { line }));
      }
      const k = h('input', { type: 'text', id: `pref-key-${i}`, name: `pref_key_${i}`, value: key });
      const v = h('input', { type: 'text', id: `pref-value-${i}`, name: `pref_value_${i}`, value });
      const firm = h('select', { id: `pref-firmness-${i}`, name: `pref_firmness_${i}` },
        h('option', { value: 'flexible' }, t('Flexible: a wish')), h('option', { value: 'firm' }, t('Firm: never offer against it')));
      const errHome = h('div', { dataset: { field: 'key value firmness' } });
      const keep = h('button', { type: 'button', id: `keep-pref-${i}` }, t('Keep in the profile'));
      keep.addEventListener('click', () => act(() => api.post(`/api/v1/customers/${enc.customer_id}/preferences`,
        { key: k.value.trim(), value: v.value.trim(), firmness: firm.value, encounter_id: enc.id }),
      t('The preference is kept on the customer.'), errHome));
      return h('li', {}, h('div', { class: 'row' }, field(t('About'), k), field(t('Preference'), v), field(t('How firm'), firm)), keep, errHome);
    });
    return h('div', { class: 'offer', id: 'preferences-offer' },
      h('p', { class: 'hint' }, t('Preferences heard, to keep in {name}’s profile:', { name: nameOf(customer) })), h('ul', { class: 'plain' }, rows));
  }

  function promisesBlock(errHome) {
    const what = h('input', { type: 'text', name: 'promise_what', id: 'promise-what' });
    const due = h('input', { type: 'datetime-local', name: 'promise_due', id: 'promise-due' });
    const add = h('button', { type: 'button', id: 'add-promise' }, t('Add the promise'));
    const block = h('fieldset', { class: 'sub', dataset: { field: 'promises what due_at' } },
      h('legend', {}, t('Expectations: what we promise, by when')),
      field(t('What we promise'), what), field(t('By when'), due), add);
    add.addEventListener('click', () => {
      if (!what.value.trim()) { showRefusal(main, { field: 'what', message: t('Write what we promise first.') }, errHome); return; }
      act(() => api.post(`${base}/promises`,
        { what: what.value.trim(), due_at: localToRfc3339(due.value) }), t('Promise recorded.'), errHome);
    });
    return block;
  }

  function satisfactionBlock(errHome) {
    const score = h('select', { name: 'score', id: 'sat-score' },
      h('option', { value: '' }, t('Choose…')),
      [5, 4, 3, 2, 1].map((n) => h('option', { value: String(n) },
        n === 5 ? t('5 (very satisfied)') : n === 1 ? t('1 (very unhappy)') : String(n))));
    const words = h('input', { type: 'text', name: 'words', id: 'sat-words' });
    const comment = h('textarea', { name: 'comment', id: 'sat-comment', rows: 2 });
    const record = h('button', { type: 'button', id: 'record-satisfaction' }, t('Record the answer'));
    const when = h('input', { type: 'datetime-local', name: 'schedule_at', id: 'sat-schedule' });
    const schedule = h('button', { type: 'button', id: 'schedule-satisfaction' }, t('Schedule the check'));
    record.addEventListener('click', () => {
      if (!score.value) { showRefusal(main, { field: 'score', message: t('Choose a score from 1 to 5 first.') }, errHome); return; }
      const ws = words.value.split(/[\s,]+/).map((w) => w.trim()).filter(Boolean);
      act(() => api.post(`${base}/satisfaction`, { score: Number(score.value) || 0, words: ws, comment: comment.value.trim() }),
        t('Satisfaction recorded.'), errHome);
    });
    schedule.addEventListener('click', () => act(() => api.post(`${base}/satisfaction`,
      { schedule_at: localToRfc3339(when.value) }), t('Satisfaction check scheduled.'), errHome));
    return h('fieldset', { class: 'sub', dataset: { field: 'satisfaction score words comment schedule_at' } },
      h('legend', {}, t('Satisfaction check')),
      h('p', { class: 'hint' }, t('Ask now, in person, or schedule a check (the customer gets a link).')),
      field(t('Score'), score), field(t('Three words'), words, { hint: t('Three words that describe the experience.') }),
      field(t('Comment'), comment), record,
      field(t('Or check later, at'), when), schedule);
  }

  function followUpBlock(errHome) {
    const due = h('input', { type: 'datetime-local', name: 'follow_due', id: 'follow-due' });
    const subject = h('input', { type: 'text', name: 'follow_subject', id: 'follow-subject' });
    const channel = h('select', { name: 'follow_channel', id: 'follow-channel' },
      ['phone', 'email', 'in_person', 'chat', 'web'].map((c) => h('option', { value: c }, channelWords()[c])));
    const add = h('button', { type: 'button', id: 'schedule-follow-up' }, t('Schedule the follow-up'));
    add.addEventListener('click', () => act(() => api.post(`${base}/follow_ups`,
      { due_at: localToRfc3339(due.value), subject: subject.value.trim(), channel: channel.value }),
    t('Follow-up scheduled.'), errHome));
    return h('fieldset', { class: 'sub', dataset: { field: 'follow_ups due_at subject channel' } },
      h('legend', {}, t('Follow-up')), field(t('When'), due), field(t('About'), subject), field(t('By'), channel), add);
  }

  function abandonBlock() {
    if (isFinished(enc)) return null;
    const reason = h('input', { type: 'text', name: 'reason', id: 'abandon-reason' });
    const btn = h('button', { type: 'button', class: 'danger', id: 'abandon' }, t('Abandon the encounter'));
    const errHome = h('div', {});
    btn.addEventListener('click', () => act(() => api.post(`${base}/abandon`, { reason: reason.value.trim() }),
      t('Abandoned.'), errHome));
    return h('details', { class: 'card abandon' }, h('summary', {}, t('The customer left or hung up')),
      h('div', { dataset: { field: 'reason' } }, field(t('Why'), reason), btn), errHome);
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
    return encounterOwnership(enc, app, async () => {
      enc = await api.get(base);
      loadedAt = Date.now();
      await loadRecord();
      paint(drafts());
    });
  }

  function paint(saved = new Map()) {
    clear(main);
    main.append(header(), pageError,
      h('div', { class: 'workspace' },
        h('div', { class: 'work' }, outcomePanel(enc, record), isFinished(enc) ? null : checklist(),
          conversation.element, stages().map(stageSection), judgedPanel(enc, guide, recordCtx),
          recordPanel(enc, record, recordCtx), abandonBlock()),
        h('div', { class: 'side' }, ownership(), about(), kbSearch(enc, { onInsert: conversation.insert }))));
    restore(saved);
  }

  const recordCtx = { act, base, api };
  paint();
  return () => { clearInterval(timer); conversation.stop(); };
}
