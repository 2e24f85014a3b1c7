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
import { fmtDuration, parseTime, fmtWhen } from '../format.js';
import { t, tn } from '../i18n.js';
import { stageWords, stageLabel, channelWords, channelLabel, kindWords, exchangeWords } from '../labels.js';
import { ownershipData, ownershipBlock } from './ownership.js';

const POLL_MS = 5000;

/* The list a hash names: mine, unassigned, open, closed or queue-N. */
function listOf(name) {
  if (name === 'unassigned') return { key: 'unassigned', title: t('Unassigned'), filters: { state: 'open', agent: 'none' } };
  if (name === 'open') return { key: 'open', title: t('All open'), filters: { state: 'open' } };
  if (name === 'closed') return { key: 'closed', title: t('Closed'), filters: { state: 'closed' } };
  const q = /^queue-(\d+|none)$/.exec(name || '');
  if (q) return { key: name, title: t('Queue'), filters: { state: 'open', queue: q[1] }, queue: q[1] };
  return { key: 'mine', title: t('Mine'), filters: { state: 'open', agent: 'me' } };
}

function select(id, label, words) {
  const s = h('select', { id }, h('option', { value: '' }, t('Any')),
    Object.entries(words).map(([v, text]) => h('option', { value: v }, text)));
  return field(label, s);
}

export async function render(main, [name], app) {
  const list = listOf(name);
  const data = ownershipData(app);
  const closed = list.key === 'closed';

  const lists = h('nav', { class: 'worklists', 'aria-label': t('Work lists') });
  const heading = h('h1', {}, list.title);
  const summary = h('p', { class: 'summary', id: 'worklist-summary', role: 'status' });
  const status = h('p', { class: 'error', role: 'alert' });
  const body = h('tbody', { id: 'worklist-rows' });

  /* filters */
  const queueSel = h('select', { id: 'wl-queue' }, h('option', { value: '' }, t('Any')), h('option', { value: 'none' }, t('In no queue')));
  const agentSel = h('select', { id: 'wl-agent' }, h('option', { value: '' }, t('Anyone')),
    h('option', { value: 'me' }, t('Me')), h('option', { value: 'none' }, t('Nobody yet')));
  const sortSel = h('select', { id: 'wl-sort' },
    closed ? null : h('option', { value: 'waiting' }, t('Longest waiting first')),
    h('option', { value: 'activity' }, t('Latest activity first')));
  const over = h('input', { type: 'checkbox', id: 'wl-over' });
  const q = h('input', { type: 'search', id: 'wl-q', placeholder: t('Subject, name or email') });
  const stagesShown = stageWords();
  const { closed: closedWord, abandoned, ...openStages } = stagesShown;
  const filters = h('form', { class: 'inline filters', role: 'search', 'aria-label': t('Filter the list') },
    list.queue ? null : field(t('Queue'), queueSel),
    list.filters.agent ? null : field(t('Handled by'), agentSel),
    select('wl-stage', t('Stage'), closed ? { closed: closedWord, abandoned } : openStages),
    select('wl-channel', t('Came by'), channelWords()),
    select('wl-kind', t('Kind'), kindWords()),
    select('wl-exchange', t('Exchange'), exchangeWords()),
    closed ? null : h('div', { class: 'field check' }, over, h('label', { for: 'wl-over' }, t('Only those over a target'))),
    field(t('Search'), q, { hint: t('Three letters or more.') }),
    field(t('Order'), sortSel),
    h('button', { type: 'submit' }, t('Show')));

  const table = h('table', { class: 'list worklist' },
    h('caption', { class: 'sr-only' }, t('{list}: encounters with who handles them', { list: list.title })),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('Customer')), h('th', { scope: 'col' }, t('Subject')),
      h('th', { scope: 'col' }, t('Where it is')), h('th', { scope: 'col' }, closed ? t('Last activity') : t('Waiting')),
      h('th', { scope: 'col' }, t('Who handles it')))),
    body);
  const more = h('button', { type: 'button', hidden: true, id: 'worklist-more' }, t('Show more'));
  main.append(heading, lists, summary, status, filters, table, more);

  data.queues.then((qs) => { for (const x of qs) queueSel.append(h('option', { value: String(x.id) }, x.name)); });
  data.agents.then((as) => { for (const a of as) agentSel.append(h('option', { value: String(a.id) }, a.name || a.email || t('Agent {id}', { id: a.id }))); });

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
    if (closed || sortSel.value === 'activity') return t('Last change {when}', { when: fmtWhen(e.updated_at) });
    const t0 = parseTime(e.arrived_at ?? e.created_at);
    const t1 = parseTime(e.acknowledged_at) ?? Date.now();
    if (t0 === null) return '';
    const time = fmtDuration((t1 - t0) / 1000);
    return e.acknowledged_at ? t('Waited {time}', { time }) : t('Waiting {time}', { time });
  }

  function row(e) {
    const who = e.customer_name || t('A customer');
    return h('tr', { dataset: { id: String(e.id) } },
      h('td', { 'data-label': t('Customer') }, h('a', { href: `#/customers/${e.customer_id}` }, who)),
      h('td', { 'data-label': t('Subject') }, h('a', { href: `#/encounters/${e.id}` }, e.subject || t('No subject'))),
      h('td', { 'data-label': t('Where it is') }, `${stageLabel(e.stage)} · ${channelLabel(e.channel)}`),
      h('td', { 'data-label': closed ? t('Last activity') : t('Waiting'), class: 'wait' }, when(e)),
      h('td', { 'data-label': t('Who handles it') },
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
    lists.append(link('mine', t('Mine'), counts.mine), link('unassigned', t('Unassigned'), counts.unassigned));
    for (const x of counts.queues) {
      const key = `queue-${x.queue_id === null ? 'none' : x.queue_id}`;
      lists.append(link(key, x.name || t('In no queue'), x.open,
        ` ${t('open, {unassigned} nobody handles', { unassigned: x.unassigned })}`));
      if (key === list.key) heading.textContent = x.name || t('In no queue');
    }
    lists.append(link('open', t('All open'), counts.open),
      link('closed', t('Closed'), counts.closed_recently, ` ${t('this week')}`));
    summary.textContent = closed
      ? tn(counts.closed_recently, '{n} finished this week.', '{n} finished this week.')
      : tn(counts.open, '{n} open, {unassigned} nobody handles yet, {over} over a target.',
        '{n} open, {unassigned} nobody handles yet, {over} over a target.',
        { unassigned: counts.unassigned, over: counts.over_target });
  }

  /* the counts, drawn; null when they could not be read (said on the page) */
  async function readCounts() {
    try {
      const c = await api.get('/api/v1/encounters/counts');
      status.textContent = '';
      counts = c;
      paintLists();
      return c;
    } catch (e) {
      if (e.status !== 401) status.textContent = t('The lists could not be brought up to date ({why}); they try again in a few seconds.', { why: e.message });
      return null;
    }
  }

  async function refresh(force) {
    const c = await readCounts();
    if (!c) return;
    const token = JSON.stringify(c);
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
      if (!first && !force) announce(t('{list} changed', { list: heading.textContent }));
    }
  }

  filters.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await load(null);
      status.textContent = '';
      announce(tn(rows.length, '{n} shown', '{n} shown'));
    } catch (e) {
      status.textContent = e.field === 'q' ? t('Type at least three letters to search.') : e.message;
    }
  });
  sortSel.addEventListener('change', () => filters.requestSubmit());
  more.addEventListener('click', () => load(next).catch((e) => { status.textContent = e.message; }));

  /* the first time, the counts and the rows are asked for at once */
  const [, failed] = await Promise.all([readCounts(), load(null).then(() => null, (e) => e)]);
  if (failed && failed.status !== 401) status.textContent = failed.message;
  seen = JSON.stringify(counts);
  const timer = setInterval(() => refresh(false), POLL_MS);
  return () => clearInterval(timer);
}
