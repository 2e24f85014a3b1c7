/*
 * customer.js - the customer overview: who they are, how the relationship
 * stands and why, their open encounters, goals, preferences, important
 * dates, loyalty, recommendations with their reasons, the messages sent to
 * them (and any that failed, with why), and the timeline of moments of
 * truth.
 *
 * The details, preferences, goals, dates and consents are editable where
 * they are shown (profile.js).
 *
 * One GET /api/v1/customers/{id}/overview gives most of it when the server
 * has it; the other requests run in parallel, each optional, so the page
 * shows whatever this rapportd offers and says what it does not.
 */
import * as api from '../api.js';
import { h, field, clear } from '../dom.js';
import { fmtWhen, fmtDate, fmtList, pick, greetingName } from '../format.js';
import { t, tn, locale } from '../i18n.js';
import { channelLabel, stageLabel, levelLabel, momentLabel, impressionLabel, taskKindLabel, relationshipReason, CHANNEL_CODES } from './customer_labels.js';
import { taskState, taskNeedsAttention } from '../tasks.js';
import { duplicatesPanel } from './merge.js';
import { momentSentence } from './moment_words.js';
import { detailsPanel, preferencesPanel, goalsPanel, datesPanel, consentsPanel, loyaltyText } from './profile.js';

const asList = (v) => (Array.isArray(v) ? v : v ? api.items(v) : []);
const str = (x, ...keys) => {
  const v = pick(x, ...keys);
  if (v === undefined) return '';
  if (Array.isArray(v)) return fmtList(v);
  return typeof v === 'object' ? str(v, 'text', 'why', 'reason', 'name') : String(v);
};

function panel(id, title, content) {
  return h('section', { class: 'card panel', id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), content);
}

function listOr(arr, render, empty) {
  return arr.length ? h('ul', { class: 'plain' }, arr.map((x) => h('li', {}, render(x)))) : h('p', { class: 'muted' }, empty);
}

const unavailable = (text) => h('p', { class: 'muted' }, text);

export async function render(main, [id], app) {
  const base = `/api/v1/customers/${id}`;
  const sub = (p) => api.optional(`${base}/${p}`).catch(() => null);
  /* the possible duplicates with the rest (the panel says nothing when
   * they cannot be had) */
  const dupes = api.get(`${base}/duplicates`);
  dupes.catch(() => {});
  const [customer, overview, encounters, moments, loyalty, recs, tasks] = await Promise.all([
    api.get(base),
    sub('overview'),
    api.get(`/api/v1/encounters${api.qs({ customer_id: id, limit: 20 })}`),
    api.get(`${base}/moments?limit=30`),
    sub('loyalty'), sub('recommendations'),
    api.optional(`/api/v1/tasks${api.qs({ customer_id: id, limit: 20 })}`).catch(() => null),
  ]);
  /* a customer merged into another is that other one now */
  if (String(customer.id) !== String(id)) {
    app.go(`#/customers/${customer.id}`);
    return;
  }
  app.customers.set(customer.id, customer);
  const duplicates = await duplicatesPanel(customer, app, dupes);
  const ov = overview || {};
  const name = greetingName(customer);

  /* Relationship: the overview's, else the customer's own columns. */
  const rel = pick(ov, 'relationship') || {};
  const level = (typeof rel === 'string' ? rel : pick(rel, 'level')) || customer.relationship_level || 'transactional';
  const reasons = asList(pick(rel, 'reasons') || customer.relationship_reasons);

  const head = h('header', { class: 'customer-head' },
    h('h1', {}, name, customer.preferred_name && customer.preferred_name !== customer.name ? h('span', { class: 'muted' }, ` · ${customer.name}`) : null),
    h('p', {}, [...(customer.emails || []), ...(customer.phones || [])].join(' · ')),
    customer.notes ? h('p', { class: 'notes' }, customer.notes) : null,
    h('p', {}, t('Relationship:'), ' ', h('strong', { id: 'customer-level' }, levelLabel(level)), ' · ',
      t('customer since {date}', { date: fmtDate(customer.created_at) })),
    /* everything held about them, for a request under the GDPR or CCPA;
     * each download is in the audit log */
    h('p', { class: 'actions', id: 'customer-export' },
      h('a', { class: 'button', href: `${base}/export?format=html`, download: `customer-${customer.id}-data.html` }, t('Export all their data (page)')),
      ' ',
      h('a', { class: 'button', href: `${base}/export`, download: `customer-${customer.id}-data.json` }, t('Export all their data (file for another system)'))));

  const relPanel = panel('p-relationship', t('Relationship and why'),
    [listOr(reasons, (r) => (r && r.rule ? relationshipReason(r) : str(r, 'why', 'text', 'reason') || String(r)), t('No history yet: every customer starts transactional.')),
      asList(pick(ov, 'movements', 'level_history')).length
        ? h('p', { class: 'muted' }, asList(pick(ov, 'movements', 'level_history')).map((m) => t('{from} → {to} {date}', {
          from: levelLabel(m.previous_level || m.from), to: levelLabel(m.level || m.to), date: fmtDate(m.created_at || m.at),
        })).join('; '))
        : null]);

  /* Encounters: open ones first, with their stage. */
  const encList = api.items(encounters);
  const encPanel = panel('p-encounters', t('Encounters'), [
    listOr(encList, (e) => [h('a', { href: `#/encounters/${e.id}` }, e.subject || t('Encounter {id}', { id: e.id })),
      ` · ${stageLabel(e.stage)} · ${channelLabel(e.channel)} · ${fmtWhen(e.created_at)}`], t('No encounters yet.')),
    openForm(customer, app)]);

  const loy = pick(ov, 'loyalty') || loyalty;
  const recList = asList(recs ? pick(recs, 'items', 'recommendations') || recs : pick(ov, 'recommendations'));
  const recNote = recs && pick(recs, 'reason', 'note', 'held_back_reason');

  const panels = [
    detailsPanel(customer, (c) => app.customers.set(c.id, c)), relPanel, encPanel,
    goalsPanel(customer), preferencesPanel(customer), datesPanel(customer), consentsPanel(customer),
    panel('p-loyalty', t('Loyalty'), !loy ? unavailable(t('This server does not keep loyalty yet.')) : h('p', { id: 'loyalty-text' }, loyaltyText(loy))),
    panel('p-recommendations', t('Recommendations'), recs === null && !pick(ov, 'recommendations') ? unavailable(t('This server does not keep recommendations yet.'))
      : recommendations(customer, recs, recList, recNote)),
    pick(ov, 'satisfaction') ? panel('p-satisfaction', t('Satisfaction so far'), h('p', {}, satisfactionText(ov.satisfaction))) : null,
    panel('p-messages', t('Messages to the customer'), tasks === null ? unavailable(t('This server does not keep messages yet.'))
      : listOr(api.items(tasks), (task) => [h('strong', {}, task.subject || taskKindLabel(task.kind)), ` · ${taskKindLabel(task.kind)} · `,
        h('span', { class: ['task-state', taskNeedsAttention(task) && 'attention'] }, taskState(task))], t('No messages yet.'))),
  ];

  const timeline = h('ol', { class: 'timeline', id: 'timeline' });
  const older = h('button', { type: 'button', id: 'moments-older', hidden: true }, t('Older moments'));
  let cursor = null;
  function addMoments(page) {
    for (const m of api.items(page)) {
      timeline.append(h('li', { class: ['moment', m.impression && `imp-${m.impression}`] },
        h('time', { datetime: m.occurred_at || '' }, fmtWhen(m.occurred_at)),
        h('span', { class: 'kind' }, momentLabel(m.kind)),
        h('span', { class: 'summary' }, momentSentence(m)),
        m.impression ? h('span', { class: 'badge' }, impressionLabel(m.impression)) : null,
        m.encounter_id ? h('a', { href: `#/encounters/${m.encounter_id}` }, t('encounter {id}', { id: m.encounter_id })) : null));
    }
    cursor = page.next_cursor || null;
    older.hidden = !cursor;
  }
  addMoments(moments);
  older.addEventListener('click', async () => addMoments(await api.get(`${base}/moments${api.qs({ limit: 30, cursor })}`)));

  /* no duplicates is no panel (DOM append would write "null") */
  main.append(head, duplicates || '', h('div', { class: 'panels' }, panels),
    h('section', { class: 'card', 'aria-labelledby': 'timeline-h' },
      h('h2', { id: 'timeline-h' }, t('Moments of truth')),
      h('p', { class: 'hint' }, t('Every touch point, newest first.')), timeline, older));
}

/*
 * Recommendations with their reasons.  Nothing is pushed on a customer who
 * did not ask when the server withholds (the reason says why); the agent can
 * ask again when the customer asks, and record what they accepted or declined.
 * Reading them changes nothing on the server: once they are on the screen the
 * console says so with its own request, which records them as offers shown.
 */
/* The recommender's fixed sentences (src/core/offers/recommend.c) in the
 * agent's language; any other note is shown as the server wrote it. */
function offerWords(text) {
  const words = {
    'nothing is offered unasked: the customer withdrew consent for offers': () => t('Nothing is offered unasked: the customer withdrew their consent to offers.'),
    'nothing is offered unasked: the customer\'s recent exchanges were all quick and the relationship is transactional; if the customer asks for suggestions, show them then': () => t('Nothing is offered unasked: the customer’s recent exchanges were all quick and the relationship is transactional. If the customer asks for suggestions, show them then.'),
    'no product serves the customer\'s active goals or preferences': () => t('No product serves the customer’s current goals or preferences.'),
  };
  return Object.prototype.hasOwnProperty.call(words, text) ? words[text]() : text;
}

function recommendations(customer, recs, list, note) {
  const base = `/api/v1/customers/${customer.id}/recommendations`;
  const box = h('div', { id: 'recommendations' });
  const fill = (data, items, why) => {
    clear(box);
    if (why) box.append(h('p', { class: 'muted' }, offerWords(why)));
    for (const n of asList(pick(data, 'notes'))) box.append(h('p', { class: 'muted' }, offerWords(typeof n === 'string' ? n : str(n, 'text', 'note'))));
    box.append(listOr(items, (r) => {
      const p = r.product || r;
      const status = h('span', { class: 'muted', role: 'status' });
      const decide = (what) => async () => {
        try {
          await api.post(`${base}/${p.id}/${what}`, {});
          status.textContent = ` ${what === 'accept' ? t('Accepted.') : t('Declined.')}`;
        } catch (e) { status.textContent = ` ${e.message}`; }
      };
      const reasons = asList(pick(r, 'reasons')).map((x) => (typeof x === 'string' ? x : str(x, 'text', 'why', 'reason')));
      const single = str(r, 'reason', 'why');
      return [h('strong', {}, str(p, 'name', 'title')),
        h('ul', { class: 'reasons' }, (reasons.length ? reasons : [single]).filter(Boolean).map((x) => h('li', { class: 'reason' }, x))),
        p.id ? h('div', { class: 'actions' },
          h('button', { type: 'button', onclick: decide('accept') }, t('Accepted')),
          h('button', { type: 'button', onclick: decide('decline') }, t('Declined')), status) : null];
    }, t('Nothing to recommend.')));
    const shown = items.map((r) => (r.product || r).id).filter(Number.isInteger);
    if (shown.length) {
      api.post(`${base}/shown`, { product_ids: shown }).catch((e) => {
        box.append(h('p', { class: 'error' }, e.message));
      });
    }
    if (pick(data, 'withheld')) {
      const ask = h('button', { type: 'button' }, t('The customer asks for suggestions'));
      ask.addEventListener('click', async () => {
        try {
          const again = await api.get(`${base}?asked=true`);
          fill(again, asList(pick(again, 'items')), pick(again, 'reason'));
        } catch (e) { box.append(h('p', { class: 'error' }, e.message)); }
      });
      box.append(ask);
    }
  };
  fill(recs, list, note);
  return box;
}

function satisfactionText(s) {
  if (typeof s !== 'object') return String(s);
  const parts = [];
  if (s.average !== undefined && s.average !== null) parts.push(t('average {score} of 5', { score: Number(s.average).toLocaleString(locale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }) }));
  if (s.count !== undefined) parts.push(tn(s.count, '{n} answer', '{n} answers'));
  const words = s.words || s.top_words;
  if (Array.isArray(words) && words.length) parts.push(t('in their words: {words}', { words: fmtList(words.map((w) => (typeof w === 'string' ? w : w.word))) }));
  return parts.join(' · ') || t('No answers yet.');
}

function openForm(customer, app) {
  const channel = h('select', { name: 'channel', id: 'open-channel' },
    CHANNEL_CODES.map((c) => h('option', { value: c }, channelLabel(c))));
  const subject = h('input', { type: 'text', name: 'subject', id: 'open-subject' });
  const err = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'sub', novalidate: true },
    h('h3', {}, t('Open an encounter with {name}', { name: greetingName(customer) })),
    h('div', { class: 'row' }, field(t('Channel'), channel), field(t('Subject'), subject, { field: 'subject' })),
    err, h('button', { type: 'submit' }, t('Open the encounter')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(err);
    try {
      const e = await api.post('/api/v1/encounters', { customer_id: customer.id, channel: channel.value, subject: subject.value.trim() });
      app.go(`#/encounters/${e.id}`);
    } catch (e) {
      err.textContent = e.message;
    }
  });
  return form;
}
