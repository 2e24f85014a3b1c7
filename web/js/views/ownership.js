/*
 * ownership.js - who handles an encounter, and the buttons that change it:
 * take it, give it to an agent (a lead's or an admin's), transfer it to
 * another queue with a reason.
 *
 * Used by the work lists (one block per row) and by the encounter page, so
 * both say the same words and refuse the same way.  The server decides
 * who may do what; the console only leaves out the controls a role cannot
 * use, and shows a refusal in words next to the block when it comes.
 */
import * as api from '../api.js';
import { h, field, announce } from '../dom.js';
import { t } from '../i18n.js';

/* The queues and assignable agents, fetched once per page and shared. */
export function ownershipData(app) {
  const lead = isLead(app);
  const queues = api.get('/api/v1/queues?limit=500').then((x) => api.items(x)).catch(() => []);
  const agents = lead
    ? api.get('/api/v1/encounters/assignees').then((x) => api.items(x)).catch(() => [])
    : Promise.resolve([]);
  return { queues, agents, lead };
}

export function isLead(app) {
  const role = app.session && app.session.agent ? app.session.agent.role : null;
  return role === 'lead' || role === 'admin';
}

function myId(app) {
  return app.session && app.session.agent ? app.session.agent.id : null;
}

/* "Handled by Ann · Billing" in words, from a row or an encounter. */
export function ownerLine(enc, names = {}) {
  const agent = enc.agent_name || names.agent || (enc.agent_id ? t('an agent') : null);
  const queue = enc.queue_name || names.queue || (enc.queue_id ? t('a queue') : null);
  if (agent && queue) return t('Handled by {agent} · in {queue}', { agent, queue });
  if (agent) return t('Handled by {agent} · in no queue', { agent });
  if (queue) return t('Nobody handles it yet · in {queue}', { queue });
  return t('Nobody handles it yet · in no queue');
}

function isOpen(enc) {
  return enc.stage !== 'closed' && enc.stage !== 'abandoned';
}

/* Why the server said no, in words; the server's message names the field
 * in the API's terms, so the ownership fields are put in words here. */
function refusalText(e) {
  if (e.status === 403) return t('Your role may not do that: ask a lead to take it or hand it on.');
  if (e.status === 409) return t('This encounter is finished: nobody can take it or hand it on.');
  return e.message || t('That did not work; reload the page and try again.');
}

/* Add [value, text] of each item to select, at once. */
function optionsOf(select, items, pair) {
  select.append(...items.map((x) => { const [value, text] = pair(x); return h('option', { value }, text); }));
}

/*
 * fill() the first time details is opened: the agents and queues to
 * choose from are built when someone means to choose.  Built for every
 * row at once they were 2,000 options on a work list of 50 rows, most of
 * the first render's time in the browser (bench/console_render.mjs
 * --profile).
 */
function whenOpened(details, fill) {
  let filled = false;
  details.addEventListener('toggle', () => {
    if (details.open && !filled) { filled = true; fill(); }
  });
  return details;
}

/*
 * The block: who handles enc, and Take / Give to / Transfer for an open
 * encounter.  data comes from ownershipData(app); onChange(encounter) is
 * called after a change with the encounter as it is now (or null to read
 * it again).
 */
export function ownershipBlock(enc, app, data, onChange, opts = {}) {
  const idp = `own-${enc.id}`;
  const status = h('p', { class: 'ok', role: 'status', id: `${idp}-status` });
  const error = h('p', { class: 'error', role: 'alert', id: `${idp}-error` });
  const line = h('p', { class: 'owner', id: `${idp}-line` }, ownerLine(enc));
  const block = h('div', { class: ['ownership', opts.compact && 'compact'], dataset: { encounter: String(enc.id) } }, line);
  if (!isOpen(enc)) return block;

  async function run(fn, done) {
    error.textContent = '';
    status.textContent = '';
    try {
      const r = await fn();
      announce(done);
      status.textContent = done;
      await onChange(r && r.stage ? r : null);
    } catch (e) {
      if (e.status !== 401) error.textContent = refusalText(e);
    }
  }

  const me = myId(app);
  const mine = me !== null && enc.agent_id === me;
  const someoneElses = enc.agent_id && !mine;
  const name = opts.label || enc.subject || t('encounter {id}', { id: enc.id });
  const actions = h('div', { class: 'actions' });
  if (!mine && (!someoneElses || data.lead)) {
    actions.append(h('button', {
      type: 'button', class: 'primary take',
      onclick: () => run(() => api.post(`/api/v1/encounters/${enc.id}/take`, {}), t('Taken: it is yours now.')),
    }, someoneElses ? t('Take over') : t('Take'), h('span', { class: 'sr-only' }, ` ${name}`)));
  }

  /* give to an agent: leads and admins */
  if (data.lead) {
    const who = h('select', { id: `${idp}-agent` }, h('option', { value: '' }, t('Choose an agent')));
    const fillWho = () => data.agents.then((list) => optionsOf(who, list.filter((a) => a.id !== enc.agent_id),
      (a) => [String(a.id), a.name || a.email || t('Agent {id}', { id: a.id })]));
    const why = h('input', { id: `${idp}-assign-reason`, maxlength: '500' });
    const form = h('form', {
      class: 'inline give',
      onsubmit: (ev) => {
        ev.preventDefault();
        if (!who.value) { error.textContent = t('Choose the agent who should handle it.'); return; }
        const picked = who.options[who.selectedIndex].textContent;
        const body = { agent_id: Number(who.value) };
        if (why.value.trim()) body.reason = why.value.trim();
        run(() => api.post(`/api/v1/encounters/${enc.id}/assign`, body), t('Given to {agent}.', { agent: picked }));
      },
    }, field(t('Give to'), who), field(t('Why (optional)'), why), h('button', { type: 'submit' }, t('Give')));
    actions.append(whenOpened(h('details', { class: 'give' }, h('summary', {}, t('Give to an agent…')), form), fillWho));
  }

  /* transfer to another queue, with a reason */
  const queue = h('select', { id: `${idp}-queue` }, h('option', { value: '' }, t('Choose a queue')));
  const fillQueue = () => data.queues.then((list) => optionsOf(queue, list.filter((q) => q.id !== enc.queue_id),
    (q) => [String(q.id), q.name || t('Queue {id}', { id: q.id })]));
  const reason = h('input', { id: `${idp}-transfer-reason`, maxlength: '500', required: true });
  const tform = h('form', {
    class: 'inline transfer',
    onsubmit: (ev) => {
      ev.preventDefault();
      if (!queue.value) { error.textContent = t('Choose the queue it should go to.'); return; }
      if (!reason.value.trim()) { error.textContent = t('Say why it goes to another queue.'); return; }
      const picked = queue.options[queue.selectedIndex].textContent;
      run(() => api.post(`/api/v1/encounters/${enc.id}/transfers`,
        { to_queue_id: Number(queue.value), reason: reason.value.trim() }), t('Transferred to {queue}.', { queue: picked }));
    },
  }, field(t('To the queue'), queue), field(t('Why'), reason), h('button', { type: 'submit' }, t('Transfer')));
  actions.append(whenOpened(h('details', { class: 'transfer' }, h('summary', {}, t('Transfer to a queue…')), tform), fillQueue));

  block.append(actions, status, error);
  return block;
}

/*
 * The encounter page's section: who handles it and in which queue, with
 * the same buttons.  The names come from the encounter's row in its
 * customer's list (which carries them); onChange() repaints the page.
 */
export function encounterOwnership(enc, app, onChange) {
  const data = ownershipData(app);
  const section = h('section', { class: 'card ownership-section', id: 'ownership', 'aria-labelledby': 'ownership-h' },
    h('h2', { id: 'ownership-h' }, t('Who handles it')));
  const slot = h('div', {}, ownershipBlock(enc, app, data, onChange));
  section.append(slot);
  api.get(`/api/v1/encounters?customer_id=${enc.customer_id}&limit=200`).then((page) => {
    const row = api.items(page).find((x) => x.id === enc.id);
    if (!row) return;
    const line = slot.querySelector('.owner');
    if (line) line.textContent = ownerLine(row);
  }).catch(() => { /* the ids stay */ });
  return section;
}
