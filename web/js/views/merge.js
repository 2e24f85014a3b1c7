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
import { greetingName, fmtList } from '../format.js';
import { t } from '../i18n.js';

const matchWords = (m) => (m.kind === 'email' ? t('the same email address ({value})', { value: m.value })
  : t('the same phone number ({value})', { value: m.value }));

/* The panel, or null when the server does not point out duplicates or
 * there are none.  asked: the duplicates' request already under way (the
 * customer page asks for them with the rest of the page). */
export async function duplicatesPanel(customer, app, asked) {
  let found;
  try {
    found = await (asked || api.get(`/api/v1/customers/${customer.id}/duplicates`));
  } catch (e) {
    return null; /* an older rapportd, or not allowed: the page goes on */
  }
  const items = api.items(found);
  if (!items.length) return null;
  const isAdmin = Boolean(app.session && app.session.agent && app.session.agent.role === 'admin');
  const box = h('section', { class: 'card duplicates', id: 'duplicates', 'aria-labelledby': 'duplicates-h' },
    h('h2', { id: 'duplicates-h' }, items.length === 1 ? t('Possible duplicate') : t('Possible duplicates')),
    h('p', { class: 'hint' }, t('These customers may be the same person as {name}.', { name: greetingName(customer) })));
  const list = h('ul', { class: 'plain' });
  for (const d of items) {
    const li = h('li', { class: 'duplicate' },
      h('a', { href: `#/customers/${d.customer_id}` }, d.greeting_name || d.name || t('A customer without a name')),
      ' ', t('has {matches}.', { matches: fmtList((d.matches || []).map(matchWords)) }));
    if (isAdmin) li.append(' ', mergeControl(customer, d, app));
    list.append(li);
  }
  box.append(list);
  return box;
}

/* The merge button, and the confirmation it opens. */
function mergeControl(customer, other, app) {
  const keepName = greetingName(customer);
  const otherName = other.greeting_name || other.name || (other.id ? t('customer {id}', { id: other.id }) : t('customer'));
  const wrap = h('span', { class: 'merge' });
  const open = h('button', { type: 'button', class: 'merge-open' }, t('Merge {other} into {kept}…', { other: otherName, kept: keepName }));
  const reason = h('input', { type: 'text', name: 'reason', maxlength: '500' });
  const problem = h('p', { class: 'error', role: 'alert' });
  const yes = h('button', { type: 'submit', class: 'danger' }, t('Yes, merge them'));
  const no = h('button', { type: 'button' }, t('Cancel'));
  const confirm = h('form', { class: 'sub merge-confirm', hidden: true, novalidate: true, 'aria-label': t('Merge {other} into {kept}', { other: otherName, kept: keepName }) },
    h('p', {}, h('strong', {}, t('Merge {other} into {kept}?', { other: otherName, kept: keepName }))),
    h('p', {}, t('Everything about {other} becomes part of {kept}: their conversations and visits, email addresses and phone numbers, preferences, goals, dates, consents, follow-ups and history. From then on there is one customer, {kept}. This cannot be undone.', { other: otherName, kept: keepName })),
    field(t('Why are they the same person?'), reason, { field: 'reason' }),
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
      problem.textContent = t('Say why they are the same person, so that others can follow the decision later.');
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
