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

function requestsSection() {
  const list = h('ul', { class: 'plain', id: 'export-requests' });
  const problem = h('p', { class: 'error', role: 'alert', hidden: true });
  async function load() {
    clear(list);
    const page = await api.get(`/api/v1/export_requests${api.qs({ status: 'pending', limit: 50 })}`);
    const items = api.items(page);
    if (!items.length) list.append(h('li', { class: 'muted' }, 'Nobody is waiting for a copy of their data.'));
    for (const r of items) {
      const approve = h('button', { type: 'button' }, 'Approve');
      approve.addEventListener('click', async () => {
        problem.hidden = true;
        try {
          await api.post(`/api/v1/export_requests/${r.id}/approve`);
          announce(`Approved: ${r.customer_name} can now download their data.`);
          await load();
        } catch (e) {
          problem.textContent = e.message || String(e);
          problem.hidden = false;
        }
      });
      list.append(h('li', {},
        h('a', { href: `#/customers/${r.customer_id}` }, r.customer_name || `Customer ${r.customer_id}`),
        ` asked for a copy of their data on ${fmtTime(r.requested_at)}. `, approve));
    }
  }
  return { el: h('section', { class: 'card', 'aria-labelledby': 'req-h' },
    h('h2', { id: 'req-h' }, 'Customers asking for their data'),
    h('p', { class: 'hint' }, 'Check that the request is theirs (it came from the page of one of their requests), then approve: their page offers the download for a few days.'),
    problem, list), load };
}

function auditSection() {
  const agent = h('select', { id: 'audit-agent' }, h('option', { value: '' }, 'Anyone'));
  const customer = h('input', { type: 'number', min: '1', id: 'audit-customer', inputmode: 'numeric' });
  const from = h('input', { type: 'date', id: 'audit-from' });
  const to = h('input', { type: 'date', id: 'audit-to' });
  const form = h('form', { class: 'inline' }, field('Agent', agent), field('Customer number', customer),
    field('From', from), field('To', to), h('button', { type: 'submit' }, 'Search'));
  const list = h('ul', { class: 'plain', id: 'audit-list' });
  const older = h('button', { type: 'button', hidden: true }, 'Older entries');
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
      if (!more && !items.length) list.append(h('li', { class: 'muted' }, 'Nothing recorded for this search.'));
      for (const e of items) {
        /* "Ana Ruiz read the profile of Marta Gil, 1 Dec 2026, 10:04, from 127.0.0.1" */
        list.append(h('li', { class: ['audit-entry', (e.action === 'refused' || e.action === 'login_failed') && 'refused'] },
          h('span', { class: 'summary' }, e.what || '', ', ',
            h('time', { datetime: e.occurred_at || '' }, fmtTime(e.occurred_at)),
            e.address ? `, from ${e.address}` : '')));
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
    h('h2', { id: 'audit-h' }, 'Audit log'),
    h('p', { class: 'hint' }, 'Who read or changed what, newest first: every sign-in, every change, every read of a customer\'s profile, overview or conversation, every export.'),
    form, problem, list, older), start };
}

export async function render(main, params, app) {
  main.append(h('h1', {}, 'Privacy'));
  const req = requestsSection();
  main.append(req.el);
  await req.load();
  const admin = app.session && app.session.agent && app.session.agent.role === 'admin';
  if (admin) {
    const audit = auditSection();
    main.append(audit.el);
    await audit.start();
  } else {
    main.append(h('p', { class: 'muted' }, 'The audit log is for admins.'));
  }
}
