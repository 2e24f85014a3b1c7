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
import { fmtWhen, fmtDate, fmtList, plainTimes, humanize, pick, greetingName } from '../format.js';
import { taskState, taskNeedsAttention } from '../tasks.js';
import { duplicatesPanel } from './merge.js';
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

const unavailable = (what) => h('p', { class: 'muted' }, `This server does not keep ${what} yet.`);

export async function render(main, [id], app) {
  const base = `/api/v1/customers/${id}`;
  const sub = (p) => api.optional(`${base}/${p}`).catch(() => null);
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
  const duplicates = await duplicatesPanel(customer, app);
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
    h('p', {}, 'Relationship: ', h('strong', { id: 'customer-level' }, humanize(level)), ` · customer since ${fmtDate(customer.created_at)}`),
    /* everything held about them, for a request under the GDPR or CCPA;
     * each download is in the audit log */
    h('p', { class: 'actions', id: 'customer-export' },
      h('a', { class: 'button', href: `${base}/export?format=html`, download: `customer-${customer.id}-data.html` }, 'Export all their data (page)'),
      ' ',
      h('a', { class: 'button', href: `${base}/export`, download: `customer-${customer.id}-data.json` }, 'Export all their data (JSON file)')));

  const relPanel = panel('p-relationship', 'Relationship and why',
    [listOr(reasons, (r) => str(r, 'why', 'text', 'reason', 'rule') || String(r), 'No history yet: every customer starts transactional.'),
      asList(pick(ov, 'movements', 'level_history')).length
        ? h('p', { class: 'muted' }, asList(pick(ov, 'movements', 'level_history')).map((m) => `${humanize(m.previous_level || m.from || '')} → ${humanize(m.level || m.to || '')} ${fmtDate(m.created_at || m.at)}`).join('; '))
        : null]);

  /* Encounters: open ones first, with their stage. */
  const encList = api.items(encounters);
  const encPanel = panel('p-encounters', 'Encounters', [
    listOr(encList, (e) => [h('a', { href: `#/encounters/${e.id}` }, e.subject || `Encounter #${e.id}`),
      ` · ${humanize(e.stage)} · ${humanize(e.channel)} · ${fmtWhen(e.created_at)}`], 'No encounters yet.'),
    openForm(customer, app)]);

  const loy = pick(ov, 'loyalty') || loyalty;
  const recList = asList(recs ? pick(recs, 'items', 'recommendations') || recs : pick(ov, 'recommendations'));
  const recNote = recs && pick(recs, 'reason', 'note', 'held_back_reason');

  const panels = [
    detailsPanel(customer, (c) => app.customers.set(c.id, c)), relPanel, encPanel,
    goalsPanel(customer), preferencesPanel(customer), datesPanel(customer), consentsPanel(customer),
    panel('p-loyalty', 'Loyalty', !loy ? unavailable('loyalty') : h('p', { id: 'loyalty-text' }, loyaltyText(loy))),
    panel('p-recommendations', 'Recommendations', recs === null && !pick(ov, 'recommendations') ? unavailable('recommendations')
      : recommendations(customer, recs, recList, recNote)),
    pick(ov, 'satisfaction') ? panel('p-satisfaction', 'Satisfaction so far', h('p', {}, satisfactionText(ov.satisfaction))) : null,
    panel('p-messages', 'Messages to the customer', tasks === null ? unavailable('messages')
      : listOr(api.items(tasks), (t) => [h('strong', {}, t.subject || humanize(t.kind)), ` · ${humanize(t.kind)} · `,
        h('span', { class: ['task-state', taskNeedsAttention(t) && 'attention'] }, taskState(t))], 'No messages yet.')),
  ];

  const timeline = h('ol', { class: 'timeline', id: 'timeline' });
  const older = h('button', { type: 'button', id: 'moments-older', hidden: true }, 'Older moments');
  let cursor = null;
  function addMoments(page) {
    for (const m of api.items(page)) {
      timeline.append(h('li', { class: ['moment', m.impression && `imp-${m.impression}`] },
        h('time', { datetime: m.occurred_at || '' }, fmtWhen(m.occurred_at)),
        h('span', { class: 'kind' }, humanize(m.kind)),
        h('span', { class: 'summary' }, plainTimes(m.summary || '')),
        m.impression ? h('span', { class: 'badge' }, humanize(m.impression)) : null,
        m.encounter_id ? h('a', { href: `#/encounters/${m.encounter_id}` }, `encounter #${m.encounter_id}`) : null));
    }
    cursor = page.next_cursor || null;
    older.hidden = !cursor;
  }
  addMoments(moments);
  older.addEventListener('click', async () => addMoments(await api.get(`${base}/moments${api.qs({ limit: 30, cursor })}`)));

  /* no duplicates is no panel (DOM append would write "null") */
  main.append(head, duplicates || '', h('div', { class: 'panels' }, panels),
    h('section', { class: 'card', 'aria-labelledby': 'timeline-h' },
      h('h2', { id: 'timeline-h' }, 'Moments of truth'),
      h('p', { class: 'hint' }, 'Every touch point, newest first.'), timeline, older));
}

/*
 * Recommendations with their reasons.  Nothing is pushed on a customer who
 * did not ask when the server withholds (the reason says why); the agent can
 * ask again when the customer asks, and record what they accepted or declined.
 * Reading them changes nothing on the server: once they are on the screen the
 * console says so with its own request, which records them as offers shown.
 */
function recommendations(customer, recs, list, note) {
  const base = `/api/v1/customers/${customer.id}/recommendations`;
  const box = h('div', { id: 'recommendations' });
  const fill = (data, items, why) => {
    clear(box);
    if (why) box.append(h('p', { class: 'muted' }, why));
    for (const n of asList(pick(data, 'notes'))) box.append(h('p', { class: 'muted' }, typeof n === 'string' ? n : str(n, 'text', 'note')));
    box.append(listOr(items, (r) => {
      const p = r.product || r;
      const status = h('span', { class: 'muted', role: 'status' });
      const decide = (what) => async () => {
        try {
          await api.post(`${base}/${p.id}/${what}`, {});
          status.textContent = what === 'accept' ? ' Accepted.' : ' Declined.';
        } catch (e) { status.textContent = ` ${e.message}`; }
      };
      const reasons = asList(pick(r, 'reasons')).map((x) => (typeof x === 'string' ? x : str(x, 'text', 'why', 'reason')));
      const single = str(r, 'reason', 'why');
      return [h('strong', {}, str(p, 'name', 'title')),
        h('ul', { class: 'reasons' }, (reasons.length ? reasons : [single]).filter(Boolean).map((x) => h('li', { class: 'reason' }, x))),
        p.id ? h('div', { class: 'actions' },
          h('button', { type: 'button', onclick: decide('accept') }, 'Accepted'),
          h('button', { type: 'button', onclick: decide('decline') }, 'Declined'), status) : null];
    }, 'Nothing to recommend.'));
    const shown = items.map((r) => (r.product || r).id).filter(Number.isInteger);
    if (shown.length) {
      api.post(`${base}/shown`, { product_ids: shown }).catch((e) => {
        box.append(h('p', { class: 'error' }, e.message));
      });
    }
    if (pick(data, 'withheld')) {
      const ask = h('button', { type: 'button' }, 'The customer asks for suggestions');
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
  if (s.average !== undefined && s.average !== null) parts.push(`average ${Number(s.average).toFixed(1)} of 5`);
  if (s.count !== undefined) parts.push(`${s.count} answers`);
  const words = s.words || s.top_words;
  if (Array.isArray(words) && words.length) parts.push(`in their words: ${fmtList(words.map((w) => (typeof w === 'string' ? w : w.word)))}`);
  return parts.join(' · ') || 'No answers yet.';
}

function openForm(customer, app) {
  const channel = h('select', { name: 'channel', id: 'open-channel' },
    ['in_person', 'phone', 'email', 'chat', 'web'].map((c) => h('option', { value: c }, humanize(c))));
  const subject = h('input', { type: 'text', name: 'subject', id: 'open-subject' });
  const err = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'sub', novalidate: true },
    h('h3', {}, `Open an encounter with ${greetingName(customer)}`),
    h('div', { class: 'row' }, field('Channel', channel), field('Subject', subject, { field: 'subject' })),
    err, h('button', { type: 'submit' }, 'Open the encounter'));
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
