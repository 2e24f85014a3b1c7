/*
 * format.js - times, durations and labels as people read them.
 */

export function parseTime(iso) {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

export function fmtTime(iso) {
  const t = parseTime(iso);
  if (t === null) return '';
  return new Date(t).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function fmtDate(iso) {
  const t = parseTime(iso);
  return t === null ? '' : new Date(t).toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/* 75 -> "1 min 15 s", 7260 -> "2 h 01 min". */
export function fmtDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  const hr = Math.floor(m / 60);
  if (hr < 48) return `${hr} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(hr / 24)} d ${hr % 24} h`;
}

/* "no_agreement_reason" -> "No agreement reason". */
export function humanize(name) {
  const s = String(name ?? '').replace(/[_.]/g, ' ').trim();
  return s ? s[0].toUpperCase() + s.slice(1) : '';
}

/* A datetime-local value ("2026-11-24T09:30") as RFC 3339 UTC. */
export function localToRfc3339(value) {
  if (!value) return null;
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) return null;
  return t.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/* An RFC 3339 time as a datetime-local value in this browser's zone. */
export function rfc3339ToLocal(iso) {
  const t = parseTime(iso);
  if (t === null) return '';
  const d = new Date(t - new Date(t).getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
}

/* The first present value among keys of obj. */
export function pick(obj, ...keys) {
  if (!obj || typeof obj !== 'object') return undefined;
  for (const k of keys) if (obj[k] !== undefined && obj[k] !== null && obj[k] !== '') return obj[k];
  return undefined;
}

/* The name a customer is greeted by. */
export function greetingName(c) {
  return pick(c, 'greeting_name', 'preferred_name', 'name') || 'customer';
}

/* ---- times and lists as an agent reads them on the encounter and customer pages ---- */

function dateLocale() {
  const lang = typeof document !== 'undefined' && document.documentElement ? document.documentElement.lang : '';
  return !lang || lang.startsWith('en') ? 'en-GB' : lang;
}

/*
 * A time as a person says it, in this browser's zone, with how far it is
 * from now: "in 2 days, Tue 15 Dec 10:00", "today, 10:00",
 * "yesterday, 18:20", "3 days ago, Sun 29 Nov 09:12"; the year only when
 * it is not this one.
 */
export function fmtWhen(iso, now = Date.now()) {
  const t = parseTime(iso);
  if (t === null) return '';
  const d = new Date(t), n = new Date(now);
  const midnight = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const days = Math.round((midnight(d) - midnight(n)) / 86400000);
  const loc = dateLocale();
  const time = d.toLocaleTimeString(loc, { hour: '2-digit', minute: '2-digit' });
  const date = d.toLocaleDateString(loc, {
    weekday: 'short', day: 'numeric', month: 'short',
    year: d.getFullYear() !== n.getFullYear() ? 'numeric' : undefined,
  });
  if (days === 0) return `today, ${time}`;
  if (days === 1) return `tomorrow, ${time}`;
  if (days === -1) return `yesterday, ${time}`;
  return `${days > 1 ? `in ${days} days` : `${-days} days ago`}, ${date} ${time}`;
}

/* Text written by rapport (a moment's summary) with every RFC 3339 time in it
 * said as fmtWhen says it: the ledger keeps UTC, the agent reads their zone. */
export function plainTimes(text, now = Date.now()) {
  return String(text ?? '').replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)/g,
    (iso) => fmtWhen(iso, now) || iso);
}

/* ["respected","honest","quick"] -> "respected, honest and quick". */
export function fmtList(items) {
  const xs = (Array.isArray(items) ? items : [items]).filter((x) => x !== null && x !== undefined && x !== '').map(String);
  if (xs.length < 2) return xs.join('');
  return `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}
