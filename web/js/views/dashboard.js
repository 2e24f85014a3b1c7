/*
 * dashboard.js - how the service is doing, every measure rapport keeps:
 * what is waiting right now (read again every 15 seconds), the queue
 * waits, abandonment, first-contact resolution, transfers and ownership,
 * defects, apologies, special requests, promises kept and broken, the
 * charter's breaches (in business time and in calendar time), satisfaction
 * and the customers' three words, and customers by relationship level;
 * for a time window, one queue and one agent.
 *
 * Everything comes from the API: GET /api/v1/metrics/service once per
 * render (with each queue's waits, the days or weeks of the trends and
 * how far over each target the breaches went: by_queue, series and
 * breach_times; it takes the window, queue and agent),
 * GET /api/v1/encounters/counts for what waits now, GET /api/v1/queues
 * and GET /api/v1/encounters/assignees for the filters.  Figures are said
 * in words ("Half waited less than"), never by the metrics' field names.
 */
import * as api from '../api.js';
import { h, field, clear, append } from '../dom.js';
import { pick, parseTime, fmtDuration, fmtWhen } from '../format.js';
import { barChart, columnChart, lineChart } from '../charts.js';
import { t, tn, locale, timeZone } from '../i18n.js';
import { channelWords, defectWords, levelWords, targetWords, said, num, pct } from './admin_labels.js';

/* Append children, skipping nulls and flattening lists (Element.append would write "null"). */
const put = (el, ...kids) => append(el, kids);

const LEVELS = ['transactional', 'incremental', 'formative', 'partnership'];
const LIVE_MS = 15000;

/* The value at the first of the dotted paths that exists. */
export function dig(obj, ...paths) {
  for (const p of paths) {
    let v = obj;
    for (const k of p.split('.')) v = v && typeof v === 'object' ? v[k] : undefined;
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

/* [{label, value}] from [{word|level|...: x, count: n}] or {x: n}. */
export function counts(v, labelKeys = ['label', 'word', 'level', 'name', 'key', 'cause', 'kind', 'reason']) {
  if (!v) return [];
  if (Array.isArray(v)) {
    return v.map((x) => (Array.isArray(x) ? { label: String(x[0]), value: Number(x[1]) || 0 }
      : { label: String(pick(x, ...labelKeys) ?? ''), value: Number(pick(x, 'count', 'n', 'value', 'total')) || 0 }));
  }
  if (typeof v === 'object') return Object.entries(v).filter(([, n]) => typeof n === 'number').map(([k, n]) => ({ label: k, value: n }));
  return [];
}

const secs = (x) => (typeof x === 'number' ? fmtDuration(x) : '–');

/* A day as people write it: "1 Dec", "1. Dez.". */
function dayLabel(ms) {
  return new Date(ms).toLocaleDateString(locale(), { day: 'numeric', month: 'short', timeZone: timeZone() });
}

/* Days up to 62 (the report's most buckets), weeks beyond. */
function seriesOf(w) {
  return (w.toT - w.fromT) / 86400000 > 62 ? 'week' : 'day';
}

/* The console's time zone by its tz database name, where the series' days start. */
function zoneName() {
  return timeZone() || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function dateValue(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function stat(label, value, id) {
  return h('div', { class: 'stat', id }, h('span', { class: 'stat-value' }, value), h('span', { class: 'stat-label' }, label));
}

function section(id, title, content) {
  return h('section', { class: 'card', id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), content);
}

function table(caption, heads, rows, id) {
  return h('table', { class: 'list figures', id },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, heads.map((x, i) => h('th', { scope: 'col', class: i ? 'num' : null }, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => (i ? h('td', { class: 'num', 'data-label': heads[i] }, c) : h('th', { scope: 'row' }, c)))))));
}

export async function render(main, params, app) {
  const today = Date.now();
  const channels = channelWords(), defects = defectWords(), levels = levelWords(), targets = targetWords();
  const from = h('input', { type: 'date', id: 'dash-from', value: dateValue(today - 29 * 86400000) });
  const to = h('input', { type: 'date', id: 'dash-to', value: dateValue(today) });
  const queue = h('select', { id: 'dash-queue' }, h('option', { value: '' }, t('Every queue')));
  const agent = h('select', { id: 'dash-agent' }, h('option', { value: '' }, t('Everyone')));
  const form = h('form', { class: 'inline', id: 'dash-filters' },
    field(t('From'), from), field(t('To'), to), field(t('Queue'), queue), field(t('Agent'), agent),
    h('button', { type: 'submit' }, t('Show')));
  const live = h('div', { id: 'dash-live' });
  const out = h('div', { id: 'dashboard-body' });
  put(main, h('h1', {}, t('Dashboard')), form,
    section('now', t('Right now'), [h('p', { class: 'muted' }, t('Read again every 15 seconds.')), live]), out);

  const [queues, agents] = await Promise.all([
    api.get('/api/v1/queues?limit=500').then((x) => api.items(x)).catch(() => []),
    api.optional('/api/v1/encounters/assignees').then((x) => api.items(x)).catch(() => []),
  ]);
  const queueName = new Map(queues.map((q) => [q.id, q.name]));
  put(queue, queues.map((q) => h('option', { value: String(q.id) }, q.name)));
  put(agent, agents.map((a) => h('option', { value: String(a.id) }, a.name || a.email || t('Agent {id}', { id: a.id }))));
  if (!agents.length) agent.closest('.field').hidden = true;

  function span() {
    const f = from.value ? new Date(`${from.value}T00:00`).getTime() : today - 29 * 86400000;
    let end = to.value ? new Date(`${to.value}T00:00`).getTime() + 86400000 : today;
    /* "Up to now" ends after the current second: the window's end is
     * exclusive and sent in whole seconds, so rounding down would leave
     * out what happened in the last moment (an encounter opened a moment
     * ago would not be counted yet). */
    if (end > Date.now()) end = Math.ceil((Date.now() + 1) / 1000) * 1000;
    const iso = (x) => new Date(x).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { from: iso(f), to: iso(end), queue: queue.value || null, agent: agent.value || null, fromT: f, toT: end };
  }

  /* ---- right now ---- */
  async function refreshLive() {
    const c = await api.optional('/api/v1/encounters/counts');
    clear(live);
    if (!c) { put(live, h('p', { class: 'muted' }, t('This server does not count open work yet.'))); return; }
    const qs = Array.isArray(c.queues) ? c.queues : [];
    const shown = queue.value ? qs.filter((q) => String(q.queue_id) === queue.value) : qs;
    const sum = (k) => (queue.value ? shown.reduce((n, q) => n + (Number(q[k]) || 0), 0) : c[k]);
    put(live, h('div', { class: 'stats' },
      stat(t('Open now'), num(sum('open')), 'stat-open-now'),
      stat(t('Nobody handling them yet'), num(sum('unassigned')), 'stat-unassigned-now'),
      stat(t('Past a charter target now'), num(sum('over_target')), 'stat-over-now')),
    shown.length ? table(t('Open work by queue'), [t('Queue'), t('Open'), t('Nobody handling'), t('Past a target')],
      shown.map((q) => [q.name || (q.queue_id ? queueName.get(q.queue_id) || t('Queue {id}', { id: q.queue_id }) : t('In no queue')),
        num(q.open), num(q.unassigned), num(q.over_target)]), 'live-queues') : null,
    h('p', { class: 'muted', id: 'live-updated' }, t('Updated {when}.', { when: fmtWhen(new Date().toISOString()) })));
  }

  /* The window and the filters, as one sentence. */
  function scope(w) {
    const vars = { from: fmtWhen(w.from), to: fmtWhen(w.to), queue: queueName.get(Number(w.queue)) || '',
      agent: w.agent ? (agents.find((a) => String(a.id) === w.agent) || {}).name || '' : '' };
    if (w.queue && vars.agent) return t('From {from} to {to}, queue {queue} and {agent} only.', vars);
    if (w.queue) return t('From {from} to {to}, queue {queue} only.', vars);
    if (vars.agent) return t('From {from} to {to}, {agent} only.', vars);
    return t('From {from} to {to}, every queue and agent.', vars);
  }

  /* ---- the window ---- */
  async function load() {
    const w = span();
    const range = { from: w.from, to: w.to, queue: w.queue, agent: w.agent };
    /* One report for every figure of the window: each queue's waits
     * (by_queue), the days or weeks of the trends (series, cut at the
     * midnights of the console's time zone) and how far over each target
     * the breaches went (breach_times). */
    const metrics = await api.optional(`/api/v1/metrics/service${api.qs({ ...range, by_queue: w.queue ? null : 'true',
      series: seriesOf(w), tz: zoneName(), breach_times: 'true' })}`);
    const byQueue = new Map((dig(metrics, 'queues') || []).map((r) => [r.queue_id, r]));
    const perQueue = w.queue ? [] : queues.slice(0, 12).map((q) => ({ q, r: byQueue.get(q.id) || null }));
    clear(out);
    if (!metrics) {
      out.append(h('p', { class: 'muted', id: 'dashboard-unavailable' }, t('This server does not measure the service yet.')));
      return;
    }
    const m = metrics || {};
    out.append(h('p', { class: 'summary', id: 'dash-scope' }, scope(w)));

    /* Encounters and waits. */
    out.append(section('encounters', t('Encounters and waits'), [
      h('div', { class: 'stats' },
        stat(t('Encounters'), num(dig(m, 'volume.encounters')), 'stat-volume'),
        stat(t('Still waiting for a first answer'), num(dig(m, 'volume.waiting')), 'stat-waiting'),
        stat(t('Closed'), num(dig(m, 'volume.closed')), 'stat-closed'),
        stat(t('Half waited less than'), secs(dig(m, 'wait.p50_seconds')), 'stat-p50'),
        stat(t('9 in 10 waited less than'), secs(dig(m, 'wait.p90_seconds')), 'stat-p90'),
        stat(t('Longest wait'), secs(dig(m, 'wait.max_seconds')), 'stat-max-wait')),
      barChart(t('Encounters by channel'), counts(dig(m, 'volume.by_channel')).map((x) => ({ ...x, label: said(channels, x.label) })), { empty: t('No encounters in the period.') }),
      perQueue.length ? table(t('Waits in each queue'), [t('Queue'), t('Encounters'), t('Half waited less than'), t('9 in 10 waited less than'), t('Gave up')],
        perQueue.map(({ q, r }) => [q.name, num(r ? r.encounters : 0), secs(r ? r.wait_p50_seconds : null),
          secs(r ? r.wait_p90_seconds : null), num(r ? r.abandoned : 0)]), 'queue-waits') : null]));

    /* How encounters ended. */
    const transfers = dig(m, 'transfers.total') ?? 0;
    out.append(section('outcomes', t('How encounters ended'), h('div', { class: 'stats' },
      stat(t('Abandoned ({n})', { n: num(dig(m, 'abandonment.abandoned')) }), pct(dig(m, 'abandonment.rate')), 'stat-abandoned'),
      /* Of the closed encounters whose answer is known; the unknown are named, never counted as yes. */
      stat(t('Solved at first contact ({n} not known)', { n: num(dig(m, 'first_contact_resolution.unknown') ?? 0) }),
        pct(dig(m, 'first_contact_resolution.rate')), 'stat-fcr'),
      stat(tn(transfers, 'Transferred ({n} transfer)', 'Transferred ({n} transfers)'), pct(dig(m, 'transfers.rate')), 'stat-transfers'),
      stat(t('Taken by an agent'), num(dig(m, 'ownership.taken')), 'stat-taken'),
      stat(t('Given to an agent'), num(dig(m, 'ownership.assigned')), 'stat-assigned'),
      stat(t('Given to another agent'), num(dig(m, 'ownership.reassigned')), 'stat-reassigned'))));

    /* What went wrong, and what we owed. */
    const defectsByKind = counts(dig(m, 'defects.by_kind')).map((x) => ({ ...x, label: said(defects, x.label), cls: 'breach' }));
    const causes = (dig(m, 'defects.by_cause') || []).map((x) => ({ label: x.cause ? t('{kind}: {cause}', { kind: said(defects, x.kind), cause: x.cause }) : t('{kind}: cause not known', { kind: said(defects, x.kind) }), value: Number(x.count) || 0 }));
    const reasons = counts(dig(m, 'special_requests.decline_reasons'), ['reason']);
    out.append(section('owed', t('Defects, apologies, requests and promises'), [
      h('div', { class: 'stats' },
        stat(t('Defects'), num(dig(m, 'defects.total')), 'stat-defects'),
        stat(t('Apologies owed'), num(dig(m, 'apologies.owed')), 'stat-apologies-owed'),
        stat(t('Apologies given'), num(dig(m, 'apologies.given')), 'stat-apologies-given'),
        stat(t('Apologies still owed'), num(dig(m, 'apologies.owed_not_given')), 'stat-apologies-missing'),
        stat(t('Special requests granted'), num(dig(m, 'special_requests.granted')), 'stat-requests-granted'),
        /* a share only when there is one: "(–)" said nothing */
        stat(pct(dig(m, 'special_requests.decline_rate')) === '–' ? t('Special requests declined')
          : t('Special requests declined ({share})', { share: pct(dig(m, 'special_requests.decline_rate')) }), num(dig(m, 'special_requests.declined')), 'stat-requests-declined'),
        stat(t('Promises kept'), num(dig(m, 'promises.kept')), 'stat-promises-kept'),
        stat(t('Promises broken'), num(dig(m, 'promises.broken')), 'stat-promises-broken'),
        stat(pct(dig(m, 'promises.kept_rate')) === '–' ? t('Promises still open')
          : t('Promises still open ({share} kept)', { share: pct(dig(m, 'promises.kept_rate')) }), num(dig(m, 'promises.open')), 'stat-promises-open')),
      h('h3', {}, t('Defects by kind')),
      barChart(t('Defects by kind'), defectsByKind, { empty: t('No defects in the period.') }),
      causes.length ? [h('h3', {}, t('Defects by cause')), barChart(t('Defects by cause'), causes)] : null,
      reasons.length ? [h('h3', {}, t('Why requests were declined')), barChart(t('Reasons for declining'), reasons.map((x) => ({ ...x, label: x.label || t('no reason given') })))] : null]));

    /* The charter. */
    const buckets = dig(metrics, 'series.buckets') || [];
    const weekly = dig(metrics, 'series.bucket') === 'week';
    const days = buckets.filter((b) => Number(b.breaches) > 0)
      .map((b) => ({ label: dayLabel(parseTime(b.from)), value: Number(b.breaches), cls: 'breach' }));
    const targetOf = (k) => said(targets, k);
    const byTarget = counts(dig(m, 'charter.by_target')).map((x) => ({ label: targetOf(x.label), value: x.value, cls: 'breach' }));
    /* every breach of the window, averaged by the report */
    const perTarget = Object.entries(dig(m, 'charter.times') || {}).filter(([, e]) => Number(e.breaches) > 0);
    const total = dig(m, 'charter.breaches') ?? 0;
    out.append(section('chart-breaches', t('The service charter'), [
      h('p', { class: 'summary', id: 'breach-summary' },
        tn(total, '{n} time the charter was not kept in the period.', '{n} times the charter was not kept in the period.')),
      barChart(t('Breaches by target'), byTarget, { empty: t('The charter was kept throughout the period.') }),
      perTarget.length ? table(t('How far over, on average'), [t('Target'), t('Breaches'), t('Over the target, in business hours'), t('Taken, in calendar time')],
        perTarget.map(([k, e]) => [targetOf(k), num(e.breaches), secs(e.over_seconds_average), secs(e.calendar_seconds_average)]), 'breach-times') : null,
      h('h3', {}, weekly ? t('Breaches per week') : t('Breaches per day')),
      columnChart(weekly ? t('Charter breaches per week') : t('Charter breaches per day'), days, { cls: 'breach', empty: t('No breaches in the period.') })]));

    /* Satisfaction. */
    const trendPts = buckets.filter((b) => typeof dig(b, 'satisfaction.average') === 'number')
      .map((b) => ({ label: dayLabel(parseTime(b.from)), value: Math.round(dig(b, 'satisfaction.average') * 10) / 10 }));
    const words = counts(dig(m, 'satisfaction.words')).sort((a, b) => b.value - a.value || a.label.localeCompare(b.label)).slice(0, 20);
    const avg = dig(m, 'satisfaction.average');
    const answered = dig(m, 'satisfaction.answered') ?? 0;
    out.append(section('chart-satisfaction', t('Satisfaction'), [
      h('div', { class: 'stats' },
        stat(tn(answered, 'Satisfaction ({n} answer)', 'Satisfaction ({n} answers)'),
          typeof avg === 'number' ? t('{score} / 5', { score: avg.toLocaleString(locale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }) }) : '–', 'stat-satisfaction')),
      lineChart(t('Average satisfaction score'), trendPts, { min: 0, max: 5, empty: t('No satisfaction answers in the period.') })]));
    out.append(section('chart-words', t('The most frequent three words'), [
      barChart(t('Words customers used'), words, { empty: t('No words yet.') })]));

    /* Relationships. */
    const levelCounts = counts(dig(m, 'relationships.levels'));
    const funnel = LEVELS.map((l) => ({ label: said(levels, l), value: levelCounts.find((x) => x.label === l)?.value || 0, cls: `lvl-${l}` }));
    const moves = dig(m, 'relationships.movements');
    const moveRows = Array.isArray(moves)
      ? moves.map((x) => ({ label: t('{from} → {to}', { from: pick(x, 'from') ? said(levels, pick(x, 'from')) : t('New customer'), to: said(levels, pick(x, 'to')) }), value: Number(pick(x, 'count')) || 0 })) : [];
    out.append(section('chart-funnel', t('Customers by relationship level'), [
      levelCounts.length ? barChart(t('Customers by relationship level'), funnel) : h('p', { class: 'muted' }, t('No relationship levels yet.')),
      h('h3', {}, t('Changes of level in the period')),
      barChart(t('Relationship movements'), moveRows, { empty: t('No customer changed level in the period.') })]));
  }

  const fail = (e) => { clear(out); out.append(h('p', { class: 'error', role: 'alert' }, e.message)); };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); refreshLive().catch(() => {}); load().catch(fail); });
  await Promise.all([refreshLive().catch(() => {}), load().catch(fail)]);
  const timer = setInterval(() => { refreshLive().catch(() => {}); }, LIVE_MS);
  return () => clearInterval(timer);
}
