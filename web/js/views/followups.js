/*
 * followups.js - "Follow-ups": what the agent promised to do and is now
 * due, and the messages to customers that did not go out.
 *
 * "Due today and overdue" lists the follow-ups not yet done that fall due
 * before the end of the agent's day (in the browser's time zone), for the
 * agent's own encounters, the queues they belong to, or the whole desk;
 * each is marked done with a note, which the customer's story keeps.
 * "Not sent" lists the reminders, notices and checks that were held (no
 * consent, no address) or failed, each with its reason in words and a
 * button to try again once the cause is mended.
 */
import * as api from '../api.js';
import { h, field, clear, announce } from '../dom.js';
import { fmtTime, parseTime, humanize } from '../format.js';
import { taskState } from '../tasks.js';

const SCOPES = [
  ['mine', 'My encounters'],
  ['queues', 'My queues'],
  ['all', 'The whole desk'],
];

const CHANNEL_WORDS = { phone: 'by phone', in_person: 'in person', email: 'by email', sms: 'by text message' };

/* The end of today in the browser's time zone, as RFC 3339. */
export function endOfToday(now = new Date()) {
  const d = new Date(now);
  d.setHours(23, 59, 59, 999);
  return d.toISOString();
}

function customerLabel(t) {
  return t.customer_preferred_name || t.customer_name || 'A customer';
}

function dueWords(t, now) {
  const due = parseTime(t.due_at);
  return due !== null && due < now ? `Overdue since ${fmtTime(t.due_at)}` : `Due ${fmtTime(t.due_at)}`;
}

export async function render(main, _params, app) {
  const isAgent = Boolean(app.session && app.session.agent);
  const scope = h('select', { id: 'followups-scope' },
    SCOPES.filter(([v]) => isAgent || v === 'all').map(([v, label]) => h('option', { value: v }, label)));
  const dueList = h('div', { id: 'followups-due' });
  const dueCount = h('p', { class: 'summary', role: 'status', id: 'followups-due-count' });
  const notSent = h('div', { id: 'followups-not-sent' });

  function doneForm(t) {
    const note = h('input', { type: 'text', id: `done-note-${t.id}`, maxlength: 1000 });
    const err = h('p', { class: 'error', role: 'alert' });
    const form = h('form', { class: 'inline', novalidate: true },
      field('What came of it', note), h('button', { type: 'submit' }, 'Mark done'), err);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.textContent = '';
      const body = note.value.trim() ? { note: note.value.trim() } : {};
      try {
        await api.post(`/api/v1/tasks/${t.id}/complete`, body);
        announce(`Done: ${t.subject}.`);
        await loadDue();
      } catch (e) {
        err.textContent = e.message;
      }
    });
    return form;
  }

  async function loadDue() {
    const data = await api.get(`/api/v1/followups${api.qs({ scope: scope.value, due_before: endOfToday(), limit: 100 })}`);
    const list = api.items(data);
    const now = Date.now();
    clear(dueList);
    dueCount.textContent = list.length === 0
      ? 'Nothing is due today.'
      : `${list.length}${data.next_cursor ? '+' : ''} due today or overdue.`;
    for (const t of list) {
      const overdue = (parseTime(t.due_at) ?? now) < now;
      dueList.append(h('section', { class: ['card', overdue && 'over-target'], dataset: { task: String(t.id) } },
        h('h3', {}, t.subject),
        h('p', {}, h('a', { href: `#/customers/${t.customer_id}` }, customerLabel(t)),
          t.channel ? ` · ${CHANNEL_WORDS[t.channel] || humanize(t.channel)}` : '',
          t.encounter_id ? [' · ', h('a', { href: `#/encounters/${t.encounter_id}` }, 'the encounter')] : ''),
        h('p', { class: overdue ? 'warn' : 'muted' }, dueWords(t, now)),
        doneForm(t)));
    }
  }

  async function loadNotSent() {
    const [held, failed] = await Promise.all([
      api.get(`/api/v1/tasks${api.qs({ status: 'held', limit: 50 })}`),
      api.get(`/api/v1/tasks${api.qs({ status: 'failed', limit: 50 })}`),
    ]);
    const list = [...api.items(failed), ...api.items(held)];
    clear(notSent);
    if (!list.length) { notSent.append(h('p', { class: 'muted' }, 'Every message went out.')); return; }
    const rows = list.map((t) => {
      const err = h('span', { class: 'error', role: 'alert' });
      const retry = h('button', { type: 'button' }, 'Try again');
      retry.addEventListener('click', async () => {
        err.textContent = '';
        try {
          const now = await api.post(`/api/v1/tasks/${t.id}/retry`, {});
          announce(`${t.subject}: ${taskState(now)}.`);
          await loadNotSent();
        } catch (e) {
          err.textContent = e.message;
        }
      });
      return h('tr', { dataset: { task: String(t.id), status: t.status } },
        h('td', { 'data-label': 'Message' }, t.subject),
        h('td', { 'data-label': 'Customer' }, h('a', { href: `#/customers/${t.customer_id}` }, 'Open the customer')),
        h('td', { 'data-label': 'What happened' }, taskState(t)),
        h('td', { 'data-label': 'Action' }, retry, err));
    });
    notSent.append(h('table', { class: 'list' },
      h('caption', { class: 'sr-only' }, 'Messages not sent'),
      h('thead', {}, h('tr', {}, ['Message', 'Customer', 'What happened', 'Action'].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows)));
  }

  scope.addEventListener('change', () => { loadDue().catch((e) => { dueCount.textContent = e.message; }); });
  main.append(h('h1', {}, 'Follow-ups'),
    h('h2', {}, 'Due today and overdue'),
    h('form', { class: 'inline', novalidate: true }, field('Whose', scope)),
    dueCount, dueList,
    h('h2', {}, 'Messages not sent'),
    h('p', {}, 'Reminders, notices and checks that were held or could not be delivered. ',
      'Mend the cause (an address, a consent) on the customer, then try again.'),
    notSent);
  await Promise.all([loadDue(), loadNotSent()]);
  const timer = setInterval(() => { loadDue().catch(() => {}); }, 30000);
  return () => clearInterval(timer);
}
