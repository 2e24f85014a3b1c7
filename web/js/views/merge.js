/*
 * merge.js - on the customer page: the other customers who may be the same
 * person (an email address or phone number that matches when written
 * loosely), each with a link, and for an admin the merge of one into the
 * customer shown, behind a confirmation in plain words that asks why.
 *
 * The merge cannot be undone from the console, so the confirmation says
 * what moves and what stays before anything is sent; the server checks
 * again that the agent is an admin.
 */
import * as api from '../api.js';
import { h, field, clear } from '../dom.js';
import { greetingName } from '../format.js';

const matchWords = (m) => (m.kind === 'email' ? `the same email address (${m.value})` : `the same phone number (${m.value})`);

/* The panel, or null when the server does not point out duplicates or
 * there are none. */
export async function duplicatesPanel(customer, app) {
  let found;
  try {
    found = await api.get(`/api/v1/customers/${customer.id}/duplicates`);
  } catch (e) {
    return null; /* an older rapportd, or not allowed: the page goes on */
  }
  const items = api.items(found);
  if (!items.length) return null;
  const isAdmin = Boolean(app.session && app.session.agent && app.session.agent.role === 'admin');
  const box = h('section', { class: 'card duplicates', id: 'duplicates', 'aria-labelledby': 'duplicates-h' },
    h('h2', { id: 'duplicates-h' }, items.length === 1 ? 'Possible duplicate' : 'Possible duplicates'),
    h('p', { class: 'hint' }, `These customers may be the same person as ${greetingName(customer)}.`));
  const list = h('ul', { class: 'plain' });
  for (const d of items) {
    const li = h('li', { class: 'duplicate' },
      h('a', { href: `#/customers/${d.customer_id}` }, d.greeting_name || d.name || 'A customer without a name'),
      ` has ${(d.matches || []).map(matchWords).join(' and ')}.`);
    if (isAdmin) li.append(' ', mergeControl(customer, d, app));
    list.append(li);
  }
  box.append(list);
  return box;
}

/* The merge button, and the confirmation it opens. */
function mergeControl(customer, other, app) {
  const keepName = greetingName(customer);
  const otherName = other.greeting_name || other.name || 'the other customer';
  const wrap = h('span', { class: 'merge' });
  const open = h('button', { type: 'button', class: 'merge-open' }, `Merge ${otherName} into ${keepName}…`);
  const reason = h('input', { type: 'text', name: 'reason', maxlength: '500' });
  const problem = h('p', { class: 'error', role: 'alert' });
  const yes = h('button', { type: 'submit', class: 'danger' }, 'Yes, merge them');
  const no = h('button', { type: 'button' }, 'Cancel');
  const confirm = h('form', { class: 'sub merge-confirm', hidden: true, novalidate: true, 'aria-label': `Merge ${otherName} into ${keepName}` },
    h('p', {}, h('strong', {}, `Merge ${otherName} into ${keepName}?`)),
    h('p', {}, `Everything about ${otherName} becomes part of ${keepName}: their conversations and visits, email addresses and phone numbers, preferences, goals, dates, consents, follow-ups and history. From then on there is one customer, ${keepName}. This cannot be undone.`),
    field('Why are they the same person?', reason, { field: 'reason' }),
    problem,
    h('div', { class: 'actions' }, yes, ' ', no));
  open.addEventListener('click', () => {
    confirm.hidden = false;
    open.hidden = true;
    reason.focus();
  });
  no.addEventListener('click', () => {
    confirm.hidden = true;
    open.hidden = false;
    clear(problem);
    open.focus();
  });
  confirm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(problem);
    if (!reason.value.trim()) {
      problem.textContent = 'Say why they are the same person, so that others can follow the decision later.';
      reason.focus();
      return;
    }
    yes.disabled = true;
    try {
      await api.post(`/api/v1/customers/${customer.id}/merge`, { merged_id: other.customer_id, reason: reason.value.trim() });
      app.customers.delete(other.customer_id);
      app.customers.delete(customer.id);
      app.go(`#/customers/${customer.id}`);
    } catch (e) {
      problem.textContent = e.message;
      yes.disabled = false;
    }
  });
  wrap.append(open, confirm);
  return wrap;
}
