/*
 * worklist.js - the work lists, the agent's main page: "Mine",
 * "Unassigned", one list per queue, "All open" and "Closed", each with its
 * count, filters (queue, agent, stage, channel, kind, exchange, over a
 * target, a search), sorted by waiting time or last activity, and on each
 * row who handles it, in which queue, with Take / Give / Transfer.
 *
 * Kept up to date while open: the counts are polled every few seconds (one
 * cheap read of an index of the open work), and the list is read again
 * only when the counts or their "changed" token moved.  The lists are the
 * server's filters (GET /api/v1/encounters), so what the console shows is
 * what a script or the CLI would get.
 */
import * as api from '../api.js';
import { h, clear, field, announce } from '../dom.js';
import { fmtDuration, parseTime, fmtTime } from '../format.js';
import { ownershipData, ownershipBlock } from './ownership.js';

const POLL_MS = 5000;

const STAGE_WORDS = {
  received: 'Waiting to be received', understood: 'Understood', helped: 'Helped',
  kept: 'Keeping', closed: 'Closed', abandoned: 'Customer gave up',
};
const CHANNEL_WORDS = { in_person: 'In person', phone: 'Phone', email: 'Email', chat: 'Chat', web: 'Web' };
const KIND_WORDS = { what: 'What they asked for', how: 'How they want it', become: 'Who they want to become' };
const EXCHANGE_WORDS = { quick: 'Quick', supplemental: 'Supplemental', resolution: 'Resolution', formal: 'Formal' };

/* The list a hash names: mine, unassigned, open, closed or queue-N. */
function listOf(name) {
  if (name === 'unassigned') return { key: 'unassigned', title: 'Unassigned', filters: { state: 'open', agent: 'none' } };
  if (name === 'open') return { key: 'open', title: 'All open', filters: { state: 'open' } };
  if (name === 'closed') return { key: 'closed', title: 'Closed', filters: { state: 'closed' } };
  const q = /^queue-(\d+|none)$/.exec(name || '');
  if (q) return { key: name, title: 'Queue', filters: { state: 'open', queue: q[1] }, queue: q[1] };
  return { key: 'mine', title: 'Mine', filters: { state: 'open', agent: 'me' } };
}

function select(id, label, words, extra = []) {
  const s = h('select', { id }, h('option', { value: '' }, 'Any'),
    extra.map(([v, t]) => h('option', { value: v }, t)),
    Object.entries(words).map(([v, t]) => h('option', { value: v }, t)));
  return field(label, s);
}

export async function render(main, [name], app) {
  const list = listOf(name);
  const data = ownershipData(app);
  const closed = list.key === 'closed';

  const lists = h('nav', { class: 'worklists', 'aria-label': 'Work lists' });
  const heading = h('h1', {}, list.title);
  const summary = h('p', { class: 'summary', id: 'worklist-summary', role: 'status' });
  const status = h('p', { class: 'error', role: 'alert' });
  const body = h('tbody', { id: 'worklist-rows' });

  /* filters */
  const queueSel = h('select', { id: 'wl-queue' }, h('option', { value: '' }, 'Any'), h('option', { value: 'none' }, 'In no queue'));
  const agentSel = h('select', { id: 'wl-agent' }, h('option', { value: '' }, 'Anyone'),
    h('option', { value: 'me' }, 'Me'), h('option', { value: 'none' }, 'Nobody yet'));
  const sortSel = h('select', { id: 'wl-sort' },
    closed ? null : h('option', { value: 'waiting' }, 'Longest waiting first'),
    h('option', { value: 'activity' }, 'Latest activity first'));
  const over = h('input', { type: 'checkbox', id: 'wl-over' });
  const q = h('input', { type: 'search', id: 'wl-q', placeholder: 'Subject, name or email' });
  const filters = h('form', { class: 'inline filters', role: 'search', 'aria-label': 'Filter the list' },
    list.queue ? null : field('Queue', queueSel),
    list.filters.agent ? null : field('Handled by', agentSel),
    select('wl-stage', 'Stage', closed ? { closed: STAGE_WORDS.closed, abandoned: STAGE_WORDS.abandoned }
      : { received: STAGE_WORDS.received, understood: 'Understood', helped: 'Helped', kept: 'Keeping' }),
    select('wl-channel', 'Came by', CHANNEL_WORDS),
    select('wl-kind', 'Kind', KIND_WORDS),
    select('wl-exchange', 'Exchange', EXCHANGE_WORDS),
    closed ? null : h('div', { class: 'field check' }, over, h('label', { for: 'wl-over' }, 'Only those over a target')),
    field('Search', q, { hint: 'Three letters or more.' }),
    field('Order', sortSel),
    h('button', { type: 'submit' }, 'Show'));

  const table = h('table', { class: 'list worklist' },
    h('caption', { class: 'sr-only' }, `${list.title}: encounters with who handles them`),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Customer'), h('th', { scope: 'col' }, 'Subject'),
      h('th', { scope: 'col' }, 'Where it is'), h('th', { scope: 'col' }, closed ? 'Last activity' : 'Waiting'),
      h('th', { scope: 'col' }, 'Who handles it'))),
    body);
  const more = h('button', { type: 'button', hidden: true, id: 'worklist-more' }, 'Show more');
  main.append(heading, lists, summary, status, filters, table, more);

  data.queues.then((qs) => { for (const x of qs) queueSel.append(h('option', { value: String(x.id) }, x.name)); });
  data.agents.then((as) => { for (const a of as) agentSel.append(h('option', { value: String(a.id) }, a.name || `Agent ${a.id}`)); });

  function query(cursor) {
    const f = { ...list.filters };
    const val = (id) => main.querySelector(`#${id}`)?.value || '';
    if (!list.queue && queueSel.value) f.queue = queueSel.value;
    if (!list.filters.agent && agentSel.value) f.agent = agentSel.value;
    for (const [id, key] of [['wl-stage', 'stage'], ['wl-channel', 'channel'], ['wl-kind', 'kind'], ['wl-exchange', 'exchange']])
      if (val(id)) f[key] = val(id);
    if (over.checked && !closed) f.over_target = 'true';
    if (q.value.trim()) f.q = q.value.trim();
    f.sort = sortSel.value;
    f.limit = 50;
    if (cursor) f.cursor = cursor;
    return `/api/v1/encounters${api.qs(f)}`;
  }

  let rows = [];
  let next = null;

  function when(e) {
    if (closed || sortSel.value === 'activity') return `Last change ${fmtTime(e.updated_at)}`;
    const t0 = parseTime(e.arrived_at ?? e.created_at);
    const t1 = parseTime(e.acknowledged_at) ?? Date.now();
    return t0 === null ? '' : (e.acknowledged_at ? `Waited ${fmtDuration((t1 - t0) / 1000)}` : `Waiting ${fmtDuration((t1 - t0) / 1000)}`);
  }

  function row(e) {
    const who = e.customer_name || 'A customer';
    return h('tr', { dataset: { id: String(e.id) } },
      h('td', { 'data-label': 'Customer' }, h('a', { href: `#/customers/${e.customer_id}` }, who)),
      h('td', { 'data-label': 'Subject' }, h('a', { href: `#/encounters/${e.id}` }, e.subject || 'No subject')),
      h('td', { 'data-label': 'Where it is' }, `${STAGE_WORDS[e.stage] || e.stage} · ${CHANNEL_WORDS[e.channel] || e.channel}`),
      h('td', { 'data-label': closed ? 'Last activity' : 'Waiting', class: 'wait' }, when(e)),
      h('td', { 'data-label': 'Who handles it' },
        ownershipBlock(e, app, data, () => refresh(true), { compact: true, label: `${e.subject || ''} (${who})` })));
  }

  function paintRows() {
    clear(body);
    for (const e of rows) body.append(row(e));
    more.hidden = !next;
  }

  async function load(cursor) {
    const page = await api.get(query(cursor));
    const got = api.items(page);
    rows = cursor ? rows.concat(got) : got;
    next = page.next_cursor || null;
    paintRows();
  }

  let counts = null;
  let seen = '';
  function paintLists() {
    clear(lists);
    const link = (key, title, n, extra) => h('a', {
      href: `#/work/${key}`, 'aria-current': key === list.key ? 'page' : null, dataset: { list: key },
    }, title, ' ', h('span', { class: 'count' }, String(n)), extra ? h('span', { class: 'sr-only' }, extra) : null);
    if (!counts) return;
    lists.append(link('mine', 'Mine', counts.mine), link('unassigned', 'Unassigned', counts.unassigned));
    for (const x of counts.queues) {
      const key = `queue-${x.queue_id === null ? 'none' : x.queue_id}`;
      lists.append(link(key, x.name || 'In no queue', x.open, ` open, ${x.unassigned} nobody handles`));
      if (key === list.key) heading.textContent = x.name || 'In no queue';
    }
    lists.append(link('open', 'All open', counts.open),
      link('closed', 'Closed', counts.closed_recently, ' this week'));
    const overN = counts.over_target;
    summary.textContent = closed
      ? `${counts.closed_recently} finished this week.`
      : `${counts.open} open, ${counts.unassigned} nobody handles yet, ${overN} over a target.`;
  }

  async function refresh(force) {
    let c;
    try {
      c = await api.get('/api/v1/encounters/counts');
      status.textContent = '';
    } catch (e) {
      if (e.status !== 401) status.textContent = `The lists could not be brought up to date: ${e.message}`;
      return;
    }
    const token = JSON.stringify(c);
    counts = c;
    paintLists();
    /* not while the agent is filling in a row's form: it would vanish */
    const busy = body.contains(document.activeElement) || body.querySelector('details[open]');
    if (force || (token !== seen && !busy)) {
      const first = seen === '';
      seen = token;
      try {
        await load(null);
      } catch (e) {
        if (e.status !== 401) status.textContent = e.message;
        return;
      }
      if (!first && !force) announce(`${list.title} changed`);
    }
  }

  filters.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await load(null);
      status.textContent = '';
      announce(`${rows.length} shown`);
    } catch (e) {
      status.textContent = e.field === 'q' ? 'Type at least three letters to search.' : e.message;
    }
  });
  sortSel.addEventListener('change', () => filters.requestSubmit());
  more.addEventListener('click', () => load(next).catch((e) => { status.textContent = e.message; }));

  await refresh(true);
  seen = JSON.stringify(counts);
  const timer = setInterval(() => refresh(false), POLL_MS);
  return () => clearInterval(timer);
}
