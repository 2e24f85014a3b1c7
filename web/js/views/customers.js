/*
 * customers.js - the customer list: search by name, preferred name or
 * email, page through with the API's cursor, add a customer.
 */
import * as api from '../api.js';
import { h, field, clear, announce } from '../dom.js';
import { t, tn } from '../i18n.js';
import { levelLabel } from './customer_labels.js';

export async function render(main, _params, app) {
  const q = h('input', { type: 'search', name: 'q', id: 'customer-q', autocomplete: 'off' });
  const body = h('tbody', { id: 'customer-rows' });
  const more = h('button', { type: 'button', hidden: true, id: 'customers-more' }, t('More customers'));
  const count = h('p', { class: 'summary', role: 'status' });
  let cursor = null;
  let shown = 0;
  let seq = 0;

  function row(c) {
    app.customers.set(c.id, c);
    return h('tr', {},
      h('td', { 'data-label': t('Name') }, h('a', { href: `#/customers/${c.id}` }, c.greeting_name || c.preferred_name || c.name),
        c.preferred_name && c.preferred_name !== c.name ? h('span', { class: 'muted' }, ` ${c.name}`) : null),
      h('td', { 'data-label': t('Contact') }, [...(c.emails || []), ...(c.phones || [])].join(', ')),
      h('td', { 'data-label': t('Relationship') }, levelLabel(c.relationship_level || 'transactional')));
  }

  async function load(reset) {
    const my = ++seq;
    if (reset) { cursor = null; shown = 0; }
    const data = await api.get(`/api/v1/customers${api.qs({ q: q.value.trim(), limit: 50, cursor })}`);
    if (my !== seq) return;
    if (reset) clear(body);
    const list = api.items(data);
    for (const c of list) body.append(row(c));
    shown += list.length;
    cursor = data.next_cursor || null;
    more.hidden = !cursor;
    count.textContent = shown === 0 ? t('No customer matches.')
      : cursor ? tn(shown, '{n} shown, more below.', '{n} shown, more below.') : tn(shown, '{n} shown.', '{n} shown.');
  }

  let debounce = null;
  q.addEventListener('input', () => { clearTimeout(debounce); debounce = setTimeout(() => load(true), 250); });
  const search = h('form', { role: 'search', class: 'inline' }, field(t('Search customers'), q), h('button', { type: 'submit' }, t('Search')));
  search.addEventListener('submit', (ev) => { ev.preventDefault(); clearTimeout(debounce); load(true); });
  more.addEventListener('click', () => load(false));

  const name = h('input', { type: 'text', name: 'name', id: 'new-name', required: true });
  const preferred = h('input', { type: 'text', name: 'preferred_name', id: 'new-preferred' });
  const email = h('input', { type: 'email', name: 'email', id: 'new-email' });
  const addErr = h('p', { class: 'error', role: 'alert' });
  const add = h('form', { class: 'card', novalidate: true },
    h('h2', {}, t('Add a customer')),
    h('div', { class: 'row' }, field(t('Full name'), name, { field: 'name' }), field(t('Preferred name'), preferred, { field: 'preferred_name' }),
      field(t('Email'), email, { field: 'emails' })),
    addErr, h('button', { type: 'submit' }, t('Add the customer')));
  add.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    addErr.textContent = '';
    const bodyIn = { name: name.value.trim() };
    if (preferred.value.trim()) bodyIn.preferred_name = preferred.value.trim();
    if (email.value.trim()) bodyIn.emails = [email.value.trim()];
    try {
      const c = await api.post('/api/v1/customers', bodyIn);
      announce(t('Added {name}.', { name: c.name }));
      app.go(`#/customers/${c.id}`);
    } catch (e) {
      addErr.textContent = e.message;
    }
  });

  const role = app.session && app.session.agent ? app.session.agent.role : null;
  const bring = role === 'lead' || role === 'admin'
    ? h('p', {}, h('a', { href: '#/import', id: 'customers-import' }, t('Bring in customers from a file')))
    : null;
  main.append(h('h1', {}, t('Customers')), bring, search, count,
    h('table', { class: 'list' },
      h('caption', { class: 'sr-only' }, t('Customers')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('Name')), h('th', { scope: 'col' }, t('Contact')), h('th', { scope: 'col' }, t('Relationship')))),
      body),
    more, add);
  await load(true);
  return () => clearTimeout(debounce);
}
