/*
 * dashboard.js - how the service is doing: charter targets and breaches
 * over time, the satisfaction trend, the relationship funnel and its
 * movements, and the most frequent three words, from
 * GET /api/v1/metrics/service and GET /api/v1/charter/breaches.
 *
 * The readers below accept the shapes a metrics document is likely to take
 * (lists of {label, count} or objects of counts), so a field renamed on the
 * server degrades to "no data" rather than to a broken page.
 */
import * as api from '../api.js';
import { h, field, clear } from '../dom.js';
import { humanize, pick, parseTime, fmtDuration } from '../format.js';
import { barChart, columnChart, lineChart } from '../charts.js';

const LEVELS = ['transactional', 'incremental', 'formative', 'partnership'];

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
export function counts(v, labelKeys = ['label', 'word', 'level', 'name', 'key', 'cause', 'kind']) {
  if (!v) return [];
  if (Array.isArray(v)) {
    return v.map((x) => (Array.isArray(x) ? { label: String(x[0]), value: Number(x[1]) || 0 }
      : { label: String(pick(x, ...labelKeys) ?? ''), value: Number(pick(x, 'count', 'n', 'value', 'total')) || 0 }));
  }
  if (typeof v === 'object') return Object.entries(v).filter(([, n]) => typeof n === 'number').map(([k, n]) => ({ label: k, value: n }));
  return [];
}

function dayOf(iso) {
  const t = parseTime(iso);
  return t === null ? null : new Date(t).toISOString().slice(0, 10);
}

function isoDate(d) { return d.toISOString().slice(0, 10); }

function stat(label, value, id) {
  return h('div', { class: 'stat', id }, h('span', { class: 'stat-value' }, value), h('span', { class: 'stat-label' }, label));
}

const pct = (x) => (typeof x === 'number' ? `${Math.round(x <= 1 ? x * 100 : x)}%` : '–');
const secs = (x) => (typeof x === 'number' ? fmtDuration(x) : '–');

export async function render(main) {
  const today = new Date();
  const from = h('input', { type: 'date', id: 'dash-from', value: isoDate(new Date(today.getTime() - 29 * 86400000)) });
  const to = h('input', { type: 'date', id: 'dash-to', value: isoDate(today) });
  const form = h('form', { class: 'inline' }, field('From', from), field('To', to), h('button', { type: 'submit' }, 'Show'));
  const out = h('div', { id: 'dashboard-body' });
  main.append(h('h1', {}, 'Dashboard'), form, out);

  async function load() {
    const range = { from: from.value ? `${from.value}T00:00:00Z` : null, to: to.value ? `${to.value}T23:59:59Z` : null };
    const [metrics, breaches, charter] = await Promise.all([
      api.optional(`/api/v1/metrics/service${api.qs(range)}`),
      api.optional(`/api/v1/charter/breaches${api.qs(range)}`),
      api.optional('/api/v1/charter').catch(() => null),
    ]);
    clear(out);
    if (!metrics && !breaches) {
      out.append(h('p', { class: 'muted', id: 'dashboard-unavailable' }, 'This server does not measure the service yet: the dashboard fills in once it has GET /api/v1/metrics/service and the charter.'));
      return;
    }
    const m = metrics || {};
    out.append(h('div', { class: 'stats' },
      stat('Encounters', String(dig(m, 'volume.encounters', 'volume.total', 'encounters.total') ?? '–'), 'stat-volume'),
      stat('Wait p50', secs(dig(m, 'wait.p50_seconds', 'wait.p50', 'wait_p50_seconds', 'queue_wait.p50_seconds')), 'stat-p50'),
      stat('Wait p90', secs(dig(m, 'wait.p90_seconds', 'wait.p90', 'wait_p90_seconds', 'queue_wait.p90_seconds')), 'stat-p90'),
      stat('Abandoned', pct(dig(m, 'abandonment.rate', 'abandonment_rate', 'abandoned_rate')), 'stat-abandoned'),
      /* Of the closed encounters whose answer is known; the unknown are named, never counted as yes. */
      stat(`Solved at first contact (${dig(m, 'first_contact_resolution.unknown') ?? 0} not known)`,
        pct(dig(m, 'first_contact_resolution.rate', 'first_contact_resolution_rate', 'fcr_rate')), 'stat-fcr'),
      stat(`Satisfaction (${dig(m, 'satisfaction.answered', 'satisfaction.count') ?? 0} answers)`,
        (() => { const a = dig(m, 'satisfaction.average', 'satisfaction_average'); return typeof a === 'number' ? `${a.toFixed(1)} / 5` : '–'; })(), 'stat-satisfaction')));

    /* Charter: targets and breaches per day. */
    const bl = api.items(breaches, 'breaches');
    const byDay = new Map();
    for (const b of bl) {
      const d = dayOf(pick(b, 'started_at', 'breached_at', 'at', 'occurred_at', 'due_at', 'created_at'));
      if (d) byDay.set(d, (byDay.get(d) || 0) + 1);
    }
    const days = [...byDay.keys()].sort().map((d) => ({ label: d.slice(5), value: byDay.get(d), cls: 'breach' }));
    const byTarget = counts(bl.reduce((acc, b) => { const k = humanize(pick(b, 'target', 'kind', 'rule') || 'breach'); acc[k] = (acc[k] || 0) + 1; return acc; }, {}));
    const ch = pick(breaches, 'charter') || charter;
    const targets = ch && typeof ch === 'object'
      ? Object.entries(ch.targets || ch).filter(([k]) => !/_at$/.test(k)).filter(([, v]) => typeof v === 'number' || typeof v === 'string') : [];
    out.append(section('chart-breaches', 'Charter targets and breaches over time', [
      targets.length ? h('ul', { class: 'targets' }, targets.map(([k, v]) => h('li', {}, `${humanize(k)}: ${v}`))) : null,
      h('p', { class: 'summary' }, `${bl.length} breach${bl.length === 1 ? '' : 'es'} in the period.`),
      columnChart('Charter breaches per day', days, { cls: 'breach', empty: 'No breaches in the period.' }),
      byTarget.length ? barChart('Breaches by target', byTarget.map((x) => ({ ...x, cls: 'breach' })), {}) : null]));

    /* Satisfaction trend: the metrics' own series if they have one, else
     * the average of each week (or day, for short periods) of the period. */
    const trendRaw = dig(m, 'satisfaction.trend', 'satisfaction.by_day', 'satisfaction.by_week', 'satisfaction_trend');
    const trendPts = Array.isArray(trendRaw)
      ? trendRaw.map((p) => ({ label: String(pick(p, 'day', 'date', 'week', 'period', 'label') || '').slice(5), value: Number(pick(p, 'average', 'avg', 'score', 'value')) || 0 }))
      : await satisfactionSeries(range);
    out.append(section('chart-satisfaction', 'Satisfaction trend', [
      lineChart('Average satisfaction score', trendPts, { min: 0, max: 5, empty: 'No satisfaction answers in the period.' })]));

    /* Relationship funnel and movements. */
    const levels = counts(dig(m, 'relationships.levels', 'relationship_levels', 'relationships.by_level', 'levels'));
    const funnel = LEVELS.map((l) => ({ label: humanize(l), value: levels.find((x) => x.label === l)?.value || 0, cls: `lvl-${l}` }));
    const moves = dig(m, 'relationships.movements', 'relationship_movements', 'movements');
    const moveRows = Array.isArray(moves)
      ? moves.map((x) => ({ label: `${humanize(pick(x, 'from', 'previous_level') || '')} → ${humanize(pick(x, 'to', 'level') || '')}`, value: Number(pick(x, 'count', 'n')) || 0 }))
      : counts(moves).map((x) => ({ ...x, label: x.label.replace(/->|_to_/, ' → ') }));
    out.append(section('chart-funnel', 'Relationship funnel and movements', [
      levels.length ? barChart('Customers by relationship level', funnel) : h('p', { class: 'muted' }, 'No relationship levels in the metrics.'),
      h('h3', {}, 'Movements in the period'),
      barChart('Relationship movements', moveRows, { empty: 'No customer changed level in the period.' })]));

    /* Three words. */
    const words = counts(dig(m, 'satisfaction.words', 'satisfaction.three_words', 'three_words', 'words'))
      .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label)).slice(0, 20);
    out.append(section('chart-words', 'The most frequent three words', [
      barChart('Words customers used', words, { empty: 'No words yet.' })]));
  }

  form.addEventListener('submit', (ev) => { ev.preventDefault(); load().catch((e) => { clear(out); out.append(h('p', { class: 'error', role: 'alert' }, e.message)); }); });
  await load();
}

/* Average satisfaction per bucket of the period, one metrics call each, in parallel. */
async function satisfactionSeries(range) {
  const from = Date.parse(range.from), to = Date.parse(range.to);
  if (Number.isNaN(from) || Number.isNaN(to) || to <= from) return [];
  const days = (to - from) / 86400000;
  const step = (days > 14 ? 7 : 1) * 86400000;
  const buckets = [];
  for (let t = from; t < to && buckets.length < 8; t += step) buckets.push([t, Math.min(t + step, to)]);
  if (buckets.length === 8 && buckets[7][1] < to) buckets[7][1] = to;
  const iso = (t) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const results = await Promise.all(buckets.map(([a, b]) =>
    api.optional(`/api/v1/metrics/service${api.qs({ from: iso(a), to: iso(b) })}`).catch(() => null)));
  return results.map((r, i) => ({ label: isoDate(new Date(buckets[i][0])).slice(5), avg: dig(r, 'satisfaction.average') }))
    .filter((p) => typeof p.avg === 'number').map((p) => ({ label: p.label, value: Math.round(p.avg * 10) / 10 }));
}

function section(id, title, content) {
  return h('section', { class: 'card', id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), content);
}
