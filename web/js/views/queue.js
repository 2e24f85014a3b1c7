/*
 * queue.js - the live queue: encounters waiting to be received.
 *
 * Polls GET /api/v1/encounters?stage=received every 3 seconds, so new
 * encounters appear without a reload, and ticks the wait times every second
 * between polls.  A wait over the charter's acknowledgement target (5
 * minutes when no charter says otherwise) stands out, in colour and in
 * words, so it is seen by people who do not see the colour.
 */
import * as api from '../api.js';
import { h, clear, announce } from '../dom.js';
import { fmtDuration, parseTime } from '../format.js';
import { t, tn } from '../i18n.js';
import { channelLabel } from '../labels.js';

const POLL_MS = 3000;
const DEFAULT_TARGET_S = 5 * 60;

/*
 * The acknowledgement target in seconds from the charter, whatever its
 * exact shape: the first numeric field whose name speaks of acknowledging
 * or waiting, scaled by its unit suffix.
 */
export function ackTargetSeconds(charter) {
  let found = null;
  const visit = (obj, depth) => {
    if (!obj || typeof obj !== 'object' || depth > 3 || found !== null) return;
    for (const [k, v] of Object.entries(obj)) {
      if (found !== null) return;
      if (typeof v === 'number' && /ack|wait/i.test(k)) {
        if (/hour/i.test(k)) found = v * 3600;
        else if (/sec/i.test(k)) found = v;
        else found = v * 60; /* minutes is what the charter speaks in */
      } else if (v && typeof v === 'object') {
        if (/ack|wait/i.test(k) && typeof v.target === 'number') {
          found = /sec/i.test(v.unit || '') ? v.target : v.target * 60;
        } else visit(v, depth + 1);
      }
    }
  };
  visit(charter, 0);
  return found && found > 0 ? found : DEFAULT_TARGET_S;
}

function waitSeconds(e, now) {
  const start = parseTime(e.arrived_at ?? e.created_at);
  if (start === null) return 0;
  const end = parseTime(e.acknowledged_at) ?? now;
  return (end - start) / 1000;
}

export async function render(main) {
  const summary = h('p', { class: 'summary', id: 'queue-summary' }, t('Loading the queue…'));
  const body = h('tbody', { id: 'queue-rows' });
  const table = h('table', { class: 'list queue' },
    h('caption', { class: 'sr-only' }, t('Encounters waiting to be received, longest wait first')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('Customer')), h('th', { scope: 'col' }, t('Subject')),
      h('th', { scope: 'col' }, t('Channel')), h('th', { scope: 'col' }, t('Waiting')),
      h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('Action'))))),
    body);
  const status = h('p', { class: 'error', role: 'alert' });
  main.append(h('h1', {}, t('Queue')), summary, status, table);

  let target = DEFAULT_TARGET_S;
  let targetFrom = 'default';
  /* Asked alongside the first poll, not before it: one round trip less. */
  const charterAsked = api.optional('/api/v1/charter').then((charter) => {
    if (charter) { target = ackTargetSeconds(charter); targetFrom = 'charter'; }
  }).catch(() => { /* keep the default target */ });

  let list = [];
  let known = null;
  const rows = new Map();

  function paint() {
    const now = Date.now();
    let over = 0;
    for (const e of list) {
      const r = rows.get(e.id);
      const w = waitSeconds(e, now);
      const late = w > target && !e.acknowledged_at;
      if (late) over++;
      r.wait.textContent = e.acknowledged_at ? t('{time} (acknowledged)', { time: fmtDuration(w) }) : fmtDuration(w);
      r.tr.classList.toggle('over-target', late);
      r.flag.hidden = !late;
    }
    const vars = { over, target: fmtDuration(target) };
    summary.textContent = list.length === 0 ? t('Nobody is waiting.')
      : targetFrom === 'default'
        ? tn(list.length, '{n} waiting, {over} over the {target} target (the usual target; no service charter is set).',
          '{n} waiting, {over} over the {target} target (the usual target; no service charter is set).', vars)
        : tn(list.length, '{n} waiting, {over} over the {target} target of the service charter.',
          '{n} waiting, {over} over the {target} target of the service charter.', vars);
  }

  function rowFor(e) {
    /* the list carries the names: how the customer likes to be addressed
     * first (reading each customer besides was 100 calls on a first visit) */
    const name = e.customer_preferred_name || e.customer_name || t('A customer');
    const wait = h('span', { class: 'wait' });
    const flag = h('strong', { class: 'flag', hidden: true }, t('Over target'));
    const tr = h('tr', { dataset: { id: String(e.id) } },
      h('td', { 'data-label': t('Customer') }, h('a', { href: `#/customers/${e.customer_id}` }, name)),
      h('td', { 'data-label': t('Subject') }, e.subject || ''),
      h('td', { 'data-label': t('Channel') }, channelLabel(e.channel)),
      h('td', { 'data-label': t('Waiting') }, wait, ' ', flag),
      h('td', {}, h('a', { class: 'button', href: `#/encounters/${e.id}` }, t('Receive'), h('span', { class: 'sr-only' }, ` ${name}`))));
    return { tr, wait, flag };
  }

  async function poll() {
    let data;
    try {
      data = await api.get('/api/v1/encounters?stage=received&limit=100');
      status.textContent = '';
    } catch (e) {
      if (e.status !== 401) status.textContent = t('The queue could not be brought up to date ({why}); it tries again in a few seconds.', { why: e.message });
      return;
    }
    const fresh = api.items(data);
    fresh.sort((a, b) => (parseTime(a.arrived_at ?? a.created_at) ?? 0) - (parseTime(b.arrived_at ?? b.created_at) ?? 0) || a.id - b.id);
    const arrived = known ? fresh.filter((e) => !known.has(e.id)) : [];
    list = fresh;
    known = new Set(fresh.map((e) => e.id));
    for (const id of [...rows.keys()]) if (!known.has(id)) rows.delete(id);
    clear(body);
    for (const e of list) {
      if (!rows.has(e.id)) rows.set(e.id, rowFor(e));
      body.append(rows.get(e.id).tr);
    }
    paint();
    if (arrived.length) announce(tn(arrived.length, '{n} new in the queue', '{n} new in the queue'));
  }

  await Promise.all([poll(), charterAsked]);
  paint();
  const pollTimer = setInterval(poll, POLL_MS);
  const tickTimer = setInterval(paint, 1000);
  return () => { clearInterval(pollTimer); clearInterval(tickTimer); };
}
