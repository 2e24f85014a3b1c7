/*
 * webhooks.js - "Connected systems": the admin's page for the event
 * webhooks that tell other systems (a CRM, a chat tool, a data warehouse)
 * what happens at the desk.  Each connection is an address, the happenings
 * it is told about, and a signing key shown once when it is added; the
 * page lists the connections with how their last message went, turns
 * them off and on, removes them, and shows what was sent recently.
 */
import * as api from '../api.js';
import { h, field, clear, announce } from '../dom.js';
import { fmtTime } from '../format.js';

/* What each kind of event means, in the words an admin reads. */
export const EVENT_WORDS = {
  'encounter.opened': 'An encounter is opened',
  'encounter.stage_changed': 'An encounter moves to another stage',
  'encounter.assigned': 'An encounter is given to a queue or an agent',
  'encounter.closed': 'An encounter is closed',
  'encounter.abandoned': 'An encounter is abandoned',
  'message.received': 'A customer’s message arrives',
  'message.sent': 'A reply is sent',
  'message.failed': 'A reply could not be sent',
  'satisfaction.answered': 'A customer answers a satisfaction check',
  'customer.created': 'A customer is added',
  'customer.changed': 'A customer’s details change',
  'customer.merged': 'Two customers are merged into one',
  'customer.erased': 'A customer is erased',
  'charter.breached': 'A service promise is broken',
};

const LAST_WORDS = {
  delivered: 'Last message arrived',
  retrying: 'Last message did not arrive yet; trying again',
  failed: 'Last message could not be delivered; gave up',
};

const STATUS_WORDS = {
  queued: 'Waiting to be sent',
  sending: 'Being sent',
  delivered: 'Arrived',
  failed: 'Gave up',
};

export function eventWords(kind) {
  return kind === '*' ? 'Everything that happens' : (EVENT_WORDS[kind] || kind);
}

function whatItHears(events) {
  const list = events || [];
  if (list.includes('*')) return 'Everything that happens';
  return list.map(eventWords).join('; ');
}

export async function render(main, _params, app) {
  const isAdmin = app.session && app.session.agent && app.session.agent.role === 'admin';
  main.append(h('h1', {}, 'Connected systems'),
    h('p', {}, 'When something happens at the desk, rapport can tell another system by sending it a signed message. ',
      'Each message is sent again until it arrives, and never counts twice.'));
  if (!isAdmin) {
    main.append(h('p', { class: 'muted' }, 'Only an administrator can see and change the connected systems.'));
    return undefined;
  }
  const list = h('div', { id: 'webhook-list' });
  const shown = h('div', { id: 'webhook-secret', role: 'status' });

  async function deliveriesOf(w, box) {
    clear(box);
    const data = await api.get(`/api/v1/webhooks/${w.id}/deliveries${api.qs({ limit: 20 })}`);
    const rows = api.items(data);
    if (!rows.length) { box.append(h('p', { class: 'muted' }, 'Nothing has been sent yet.')); return; }
    box.append(h('table', { class: 'list' },
      h('caption', { class: 'sr-only' }, 'Recent messages'),
      h('thead', {}, h('tr', {}, ['What happened', 'When', 'How it went', 'Tries', 'Reference'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((d) => h('tr', { dataset: { status: d.status } },
        h('td', { 'data-label': 'What happened' }, eventWords(d.kind)),
        h('td', { 'data-label': 'When' }, fmtTime(d.created_at)),
        h('td', { 'data-label': 'How it went' }, STATUS_WORDS[d.status] || d.status,
          d.status !== 'delivered' && d.last_error ? h('span', { class: 'muted' }, ` (${d.last_error})`) : null),
        h('td', { 'data-label': 'Tries' }, String(d.attempts)),
        h('td', { 'data-label': 'Reference' }, h('code', {}, d.delivery_id)))))));
  }

  function card(w) {
    const box = h('div', { class: 'deliveries' });
    const err = h('p', { class: 'error', role: 'alert' });
    const toggle = h('button', { type: 'button' }, w.active ? 'Stop sending' : 'Start sending again');
    toggle.addEventListener('click', async () => {
      err.textContent = '';
      try {
        await api.patch(`/api/v1/webhooks/${w.id}`, { active: !w.active });
        announce(w.active ? 'Stopped sending to that system.' : 'Sending to that system again.');
        await load();
      } catch (e) { err.textContent = e.message; }
    });
    const remove = h('button', { type: 'button', class: 'danger' }, 'Remove');
    remove.addEventListener('click', async () => {
      if (!window.confirm(`Stop telling ${w.url} anything, and forget what was sent to it?`)) return;
      err.textContent = '';
      try {
        await api.del(`/api/v1/webhooks/${w.id}`);
        announce('The connection was removed.');
        await load();
      } catch (e) { err.textContent = e.message; }
    });
    const recent = h('button', { type: 'button' }, 'Show recent messages');
    recent.addEventListener('click', async () => {
      err.textContent = '';
      try { await deliveriesOf(w, box); } catch (e) { err.textContent = e.message; }
    });
    const last = w.last_status
      ? `${LAST_WORDS[w.last_status] || w.last_status} (${fmtTime(w.last_attempt_at)})`
      : 'Nothing sent yet';
    return h('section', { class: 'card', dataset: { webhook: String(w.id) } },
      h('h2', {}, w.description || w.url),
      w.description ? h('p', {}, 'Address: ', h('code', {}, w.url)) : null,
      h('p', {}, 'Told when: ', whatItHears(w.events)),
      h('p', {}, w.active ? last : 'Turned off: nothing is sent until it is started again.',
        w.last_status === 'failed' || w.last_status === 'retrying'
          ? h('span', { class: 'muted' }, ` ${w.last_error || ''}`) : null),
      h('div', { class: 'row' }, recent, toggle, remove), err, box);
  }

  async function load() {
    const data = await api.get(`/api/v1/webhooks${api.qs({ limit: 100 })}`);
    clear(list);
    const rows = api.items(data);
    if (!rows.length) list.append(h('p', { class: 'muted' }, 'No system is connected yet.'));
    for (const w of rows) list.append(card(w));
  }

  const url = h('input', { type: 'url', name: 'url', id: 'webhook-url', required: true, placeholder: 'https://' });
  const description = h('input', { type: 'text', name: 'description', id: 'webhook-description' });
  const checks = Object.keys(EVENT_WORDS).map((kind) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'events', value: kind }), ` ${EVENT_WORDS[kind]}`));
  const all = h('input', { type: 'checkbox', name: 'all', id: 'webhook-all' });
  const addErr = h('p', { class: 'error', role: 'alert' });
  const add = h('form', { class: 'card', novalidate: true, id: 'webhook-add' },
    h('h2', {}, 'Connect a system'),
    field('Address that receives the messages', url, { field: 'url', hint: 'The web address the other system gave you for this.' }),
    field('What it is (for you)', description, { field: 'description' }),
    h('fieldset', { dataset: { field: 'events' } }, h('legend', {}, 'Tell it when'),
      h('label', { class: 'check' }, all, ' Anything happens'), checks),
    addErr, h('button', { type: 'submit' }, 'Connect'));
  add.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    addErr.textContent = '';
    clear(shown);
    const events = all.checked ? ['*']
      : [...add.querySelectorAll('input[name=events]:checked')].map((c) => c.value);
    const body = { url: url.value.trim(), events };
    if (description.value.trim()) body.description = description.value.trim();
    try {
      const w = await api.post('/api/v1/webhooks', body);
      shown.append(h('div', { class: 'card' },
        h('h2', {}, 'Copy the signing key now'),
        h('p', {}, 'The other system checks each message with this key. It is shown only this once.'),
        h('p', {}, h('code', { id: 'webhook-secret-value' }, w.secret))));
      add.reset();
      announce('The system is connected. Copy its signing key now.');
      await load();
    } catch (e) {
      addErr.textContent = e.message;
    }
  });

  main.append(shown, list, add);
  await load();
  return undefined;
}
