/*
 * privacy.js - the customers' requests for their data (every agent may
 * approve one: the customer's page then offers the download for a limited
 * time), and the audit log for admins: who read or changed what, searched
 * by agent, customer and time, each entry in words ("Ana Ruiz read the
 * profile of Marta Gil") with the time in the reader's own zone.
 * GET /api/v1/export_requests, POST .../approve, GET /api/v1/audit.
 */
import * as api from '../api.js';
import { h, field, clear, announce } from '../dom.js';
import { fmtTime } from '../format.js';
import { t } from '../i18n.js';

/* What a route shows of a customer, by the end of its pattern (as the
 * server's audit says it, src/core/audit/audit.c), in the agent's words. */
const SHOWN = [
  ['/customers/{id}', () => t('the profile')],
  ['/overview', () => t('the overview')],
  ['/moments', () => t('the moments of truth')],
  ['/preferences', () => t('the preferences')],
  ['/goals', () => t('the goals')],
  ['/dates', () => t('the important dates')],
  ['/consents', () => t('the consents')],
  ['/loyalty', () => t('the loyalty')],
  ['/satisfaction', () => t('the satisfaction figures')],
  ['/recommendations', () => t('the recommendations')],
  ['/export', () => t('all the data')],
  ['/export_requests', () => t('the requests for exports')],
  ['/messages', () => t('the conversation')],
  ['/messages/{id}', () => t('a message of the conversation')],
  ['/attachments/{id}', () => t('a file of the conversation')],
  ['/guide', () => t('the guide of an encounter')],
  ['/measures', () => t('the measures of an encounter')],
  ['/kb_suggestions', () => t('the suggested articles of an encounter')],
  ['/encounters/{id}', () => t('an encounter')],
  ['/encounters', () => t('the encounters')],
  ['/tasks/{id}', () => t('a task')],
  ['/tasks', () => t('the tasks')],
];

function shows(route) {
  const hit = route && SHOWN.find(([end]) => route.endsWith(end));
  return hit ? hit[1]() : t('the data');
}

/* What a change was made to (without whose). */
function target(route) {
  if (!route) return t("the desk's records");
  if (route.endsWith('/customers/{id}')) return t('the profile');
  if (route.includes('/encounters')) return t('an encounter');
  if (route.includes('/messages') || route.includes('/conversation')) return t('a conversation');
  if (route.includes('/customers/{id}/')) return shows(route);
  if (route.includes('/agents') || route.includes('/tokens')) return t("the desk's agents or tokens");
  if (route === '/api/v1/customers') return t('the list of customers');
  return t("the desk's settings or records");
}

/* Why a request was refused, by the server's code. */
function refusalWords(code) {
  const words = {
    invalid: () => t('a rule was broken'),
    not_found: () => t('there was no such record'),
    forbidden: () => t('their role does not allow it'),
    conflict: () => t('it clashed with what is already there'),
    csrf: () => t("the browser's request was not the console's"),
    rate_limited: () => t('too many tries'),
    busy: () => t('the database was busy'),
    no_space: () => t('the disk was full'),
    auth: () => t('they were not signed in'),
    lost: () => t('the server could not keep up with writing them down'),
  }[code];
  return words ? words() : t('the request was not right');
}

/*
 * An audit entry in words, in the agent's language: "Ana Ruiz read the
 * profile of Marta Gil".  The server says the same in English ("what");
 * the console says it from the entry's facts so that it can say it in
 * German too.
 */
export function auditWhat(e) {
  const who = e.agent_name || (e.agent_id ? t('Agent {id}', { id: e.agent_id })
    : e.via === 'cli' ? t('Someone at the command line') : e.via === 'customer' ? t('The customer') : t('Someone'));
  const whom = e.customer_name || (e.customer_id ? t('customer {id}', { id: e.customer_id }) : t('a customer'));
  const v = { who, whom };
  switch (e.action) {
    case 'login': return t('{who} signed in', v);
    case 'login_failed': return e.agent_id ? t('A sign-in as {who} failed: wrong password', v) : t('A sign-in with an unknown email address failed');
    case 'logout': return t('{who} signed out', v);
    case 'export': return t('{who} exported all the data of {whom}', v);
    case 'erasure': return t('{who} erased the personal data of {whom}', v);
    case 'read': return t('{who} read {what} of {whom}', { ...v, what: shows(e.route) });
    case 'refused': {
      const why = refusalWords(e.code);
      if (e.method === 'GET') return t('{who} tried to read {what} of {whom} and was refused: {why}', { ...v, what: shows(e.route), why });
      if (e.customer_id) return t('{who} tried to change {what} of {whom} and was refused: {why}', { ...v, what: target(e.route), why });
      return t('{who} tried to change {what} and was refused: {why}', { ...v, what: target(e.route), why });
    }
    default:
      if (e.method === 'POST' && e.route === '/api/v1/customers') return t('{who} added a customer', v);
      if (e.customer_id) return t('{who} changed {what} of {whom}', { ...v, what: target(e.route) });
      return t('{who} changed {what}', { ...v, what: target(e.route) });
  }
}

function requestsSection() {
  const list = h('ul', { class: 'plain', id: 'export-requests' });
  const problem = h('p', { class: 'error', role: 'alert', hidden: true });
  async function load() {
    clear(list);
    const page = await api.get(`/api/v1/export_requests${api.qs({ status: 'pending', limit: 50 })}`);
    const items = api.items(page);
    if (!items.length) list.append(h('li', { class: 'muted' }, t('Nobody is waiting for a copy of their data.')));
    for (const r of items) {
      const approve = h('button', { type: 'button' }, t('Approve'));
      approve.addEventListener('click', async () => {
        problem.hidden = true;
        try {
          await api.post(`/api/v1/export_requests/${r.id}/approve`);
          announce(t('Approved: {name} can now download their data.', { name: r.customer_name || (r.customer_id ? t('customer {id}', { id: r.customer_id }) : t('customer')) }));
          await load();
        } catch (e) {
          problem.textContent = e.message || String(e);
          problem.hidden = false;
        }
      });
      list.append(h('li', {},
        h('a', { href: `#/customers/${r.customer_id}` }, r.customer_name || t('Customer {id}', { id: r.customer_id })),
        ' ', t('asked for a copy of their data on {when}.', { when: fmtTime(r.requested_at) }), ' ', approve));
    }
  }
  return { el: h('section', { class: 'card', 'aria-labelledby': 'req-h' },
    h('h2', { id: 'req-h' }, t('Customers asking for their data')),
    h('p', { class: 'hint' }, t('Check that the request is theirs (it came from the page of one of their requests), then approve: their page offers the download for a few days.')),
    problem, list), load };
}

function auditSection() {
  const agent = h('select', { id: 'audit-agent' }, h('option', { value: '' }, t('Anyone')));
  const customer = h('input', { type: 'number', min: '1', id: 'audit-customer', inputmode: 'numeric' });
  const from = h('input', { type: 'date', id: 'audit-from' });
  const to = h('input', { type: 'date', id: 'audit-to' });
  const form = h('form', { class: 'inline' }, field(t('Agent'), agent), field(t('Customer number'), customer),
    field(t('From'), from), field(t('To'), to), h('button', { type: 'submit' }, t('Search')));
  const list = h('ul', { class: 'plain', id: 'audit-list' });
  const older = h('button', { type: 'button', hidden: true }, t('Older entries'));
  const problem = h('p', { class: 'error', role: 'alert', hidden: true });
  let cursor = null;
  function query() {
    const q = { limit: 50 };
    if (agent.value) q.agent_id = agent.value;
    if (customer.value) q.customer_id = customer.value;
    if (from.value) q.from = new Date(`${from.value}T00:00:00`).toISOString().replace(/\.\d+Z$/, 'Z');
    if (to.value) q.to = new Date(new Date(`${to.value}T00:00:00`).getTime() + 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
    if (cursor) q.cursor = cursor;
    return q;
  }
  async function load(more) {
    problem.hidden = true;
    if (!more) { cursor = null; clear(list); }
    try {
      const page = await api.get(`/api/v1/audit${api.qs(query())}`);
      const items = api.items(page);
      if (!more && !items.length) list.append(h('li', { class: 'muted' }, t('Nothing recorded for this search.')));
      for (const e of items) {
        /* "Ana Ruiz read the profile of Marta Gil, 1 Dec 2026, 10:04, from 127.0.0.1" */
        list.append(h('li', { class: ['audit-entry', (e.action === 'refused' || e.action === 'login_failed') && 'refused'] },
          h('span', { class: 'summary' }, auditWhat(e), ', ',
            h('time', { datetime: e.occurred_at || '' }, fmtTime(e.occurred_at)),
            e.via === 'token' ? `, ${t('with an API token')}` : e.via === 'cli' ? `, ${t('at the command line')}` : '',
            e.address ? `, ${t('from {address}', { address: e.address })}` : '')));
      }
      cursor = page.next_cursor || null;
      older.hidden = !cursor;
    } catch (e) {
      problem.textContent = e.message || String(e);
      problem.hidden = false;
    }
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(false); });
  older.addEventListener('click', () => load(true));
  async function start() {
    try {
      for (const a of api.items(await api.get('/api/v1/agents?limit=500'))) agent.append(h('option', { value: String(a.id) }, a.name || a.email));
    } catch { /* the search works by customer and time without the list */ }
    await load(false);
  }
  return { el: h('section', { class: 'card', 'aria-labelledby': 'audit-h' },
    h('h2', { id: 'audit-h' }, t('Audit log')),
    h('p', { class: 'hint' }, t('Who read or changed what, newest first: every sign-in, every change, every read of a customer’s profile, overview or conversation, every export.')),
    form, problem, list, older), start };
}

export async function render(main, params, app) {
  main.append(h('h1', {}, t('Privacy')));
  const req = requestsSection();
  main.append(req.el);
  await req.load();
  const admin = app.session && app.session.agent && app.session.agent.role === 'admin';
  if (admin) {
    const audit = auditSection();
    main.append(audit.el);
    await audit.start();
  } else {
    main.append(h('p', { class: 'muted' }, t('The audit log is for admins.')));
  }
}
