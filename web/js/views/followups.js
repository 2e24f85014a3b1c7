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
import { fmtWhen, parseTime } from '../format.js';
import { t, tn } from '../i18n.js';
import { channelBy } from '../labels.js';
import { taskState } from '../tasks.js';

function scopes() {
  return [
    ['mine', t('My encounters')],
    ['queues', t('My queues')],
    ['all', t('The whole desk')],
  ];
}

/* The end of today in the browser's time zone, as RFC 3339. */
export function endOfToday(now = new Date()) {
  const d = new Date(now);
  d.setHours(23, 59, 59, 999);
  return d.toISOString();
}

function customerLabel(task) {
  return task.customer_preferred_name || task.customer_name || t('A customer');
}

function dueWords(task, now) {
  const due = parseTime(task.due_at);
  const when = fmtWhen(task.due_at);
  return due !== null && due < now ? t('Overdue since {when}', { when }) : t('Due {when}', { when });
}

export async function render(main, _params, app) {
  const isAgent = Boolean(app.session && app.session.agent);
  const scope = h('select', { id: 'followups-scope' },
    scopes().filter(([v]) => isAgent || v === 'all').map(([v, label]) => h('option', { value: v }, label)));
  const dueList = h('div', { id: 'followups-due' });
  const dueCount = h('p', { class: 'summary', role: 'status', id: 'followups-due-count' });
  const notSent = h('div', { id: 'followups-not-sent' });

  function doneForm(task) {
    const note = h('input', { type: 'text', id: `done-note-${task.id}`, maxlength: 1000 });
    const err = h('p', { class: 'error', role: 'alert' });
    const form = h('form', { class: 'inline', novalidate: true },
      field(t('What came of it'), note), h('button', { type: 'submit' }, t('Mark done')), err);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.textContent = '';
      const body = note.value.trim() ? { note: note.value.trim() } : {};
      try {
        await api.post(`/api/v1/tasks/${task.id}/complete`, body);
        announce(t('Done: {subject}.', { subject: task.subject }));
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
    dueCount.textContent = list.length === 0 ? t('Nothing is due today.')
      : data.next_cursor ? tn(list.length, 'More than {n} due today or overdue.', 'More than {n} due today or overdue.')
        : tn(list.length, '{n} due today or overdue.', '{n} due today or overdue.');
    for (const task of list) {
      const overdue = (parseTime(task.due_at) ?? now) < now;
      dueList.append(h('section', { class: ['card', overdue && 'over-target'], dataset: { task: String(task.id) } },
        h('h3', {}, task.subject),
        h('p', {}, h('a', { href: `#/customers/${task.customer_id}` }, customerLabel(task)),
          task.channel ? ` · ${channelBy(task.channel)}` : '',
          task.encounter_id ? [' · ', h('a', { href: `#/encounters/${task.encounter_id}` }, t('the encounter'))] : ''),
        h('p', { class: overdue ? 'warn' : 'muted' }, dueWords(task, now)),
        doneForm(task)));
    }
  }

  async function loadNotSent() {
    const [held, failed] = await Promise.all([
      api.get(`/api/v1/tasks${api.qs({ status: 'held', limit: 50 })}`),
      api.get(`/api/v1/tasks${api.qs({ status: 'failed', limit: 50 })}`),
    ]);
    const list = [...api.items(failed), ...api.items(held)];
    clear(notSent);
    if (!list.length) { notSent.append(h('p', { class: 'muted' }, t('Every message went out.'))); return; }
    const rows = list.map((task) => {
      const err = h('span', { class: 'error', role: 'alert' });
      const retry = h('button', { type: 'button' }, t('Try again'));
      retry.addEventListener('click', async () => {
        err.textContent = '';
        try {
          const now = await api.post(`/api/v1/tasks/${task.id}/retry`, {});
          announce(t('{subject}: {state}.', { subject: task.subject, state: taskState(now) }));
          await loadNotSent();
        } catch (e) {
          err.textContent = e.message;
        }
      });
      return h('tr', { dataset: { task: String(task.id), status: task.status } },
        h('td', { 'data-label': t('Message') }, task.subject),
        h('td', { 'data-label': t('Customer') }, h('a', { href: `#/customers/${task.customer_id}` },
          task.customer_name ? t('Open {name}', { name: task.customer_name }) : t('Open the customer'))),
        h('td', { 'data-label': t('What happened') }, taskState(task)),
        h('td', { 'data-label': t('Action') }, retry, err));
    });
    notSent.append(h('table', { class: 'list' },
      h('caption', { class: 'sr-only' }, t('Messages not sent')),
      h('thead', {}, h('tr', {}, [t('Message'), t('Customer'), t('What happened'), t('Action')].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows)));
  }

  scope.addEventListener('change', () => { loadDue().catch((e) => { dueCount.textContent = e.message; }); });
  main.append(h('h1', {}, t('Follow-ups')),
    h('h2', {}, t('Due today and overdue')),
    h('form', { class: 'inline', novalidate: true }, field(t('Follow-ups of'), scope)),
    dueCount, dueList,
    h('h2', {}, t('Messages not sent')),
    h('p', {}, t('Reminders, notices and checks that were held or could not be delivered. Mend the cause (an address, a consent) on the customer, then try again.')),
    notSent);
  await Promise.all([loadDue(), loadNotSent()]);
  const timer = setInterval(() => { loadDue().catch(() => {}); }, 30000);
  return () => clearInterval(timer);
}
