/*
 * format.js - times, durations and labels as people read them, in the
 * agent's language and time zone (i18n.js: locale(), timeZone()).
 */
import { t, tn, language, locale, timeZone } from './i18n.js';

/*
 * A date formatter for locale and options, made once and kept: making an
 * Intl.DateTimeFormat costs far more than using one, and a customer's
 * page says some sixty times "3 days ago, Sun 29 Nov 09:12" (each six
 * formatters when made afresh: most of that page's render in the
 * browser, bench/console_render.mjs --profile).  Keyed by the locale and
 * the options, the zone among them, so a change of settings makes new
 * ones.
 */
const formatters = new Map();
function dtf(loc, opts) {
  const key = `${loc}|${JSON.stringify(opts)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(loc, opts);
    formatters.set(key, f);
  }
  return f;
}

export function parseTime(iso) {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

export function fmtTime(iso) {
  const ms = parseTime(iso);
  if (ms === null) return '';
  return dtf(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: timeZone() }).format(new Date(ms));
}

export function fmtDate(iso) {
  const ms = parseTime(iso);
  return ms === null ? '' : dtf(locale(), { dateStyle: 'medium', timeZone: timeZone() }).format(new Date(ms));
}

/* 75 -> "1 min 15 s", 7260 -> "2 h 01 min" (German: "1 Min. 15 s", "2 Std. 01 Min."). */
export function fmtDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t('{s} s', { s });
  const m = Math.floor(s / 60);
  if (m < 60) return t('{m} min {s} s', { m, s: String(s % 60).padStart(2, '0') });
  const hr = Math.floor(m / 60);
  if (hr < 48) return t('{h} h {m} min', { h: hr, m: String(m % 60).padStart(2, '0') });
  return t('{d} d {h} h', { d: Math.floor(hr / 24), h: hr % 24 });
}

/* "no_agreement_reason" -> "No agreement reason". */
export function humanize(name) {
  const s = String(name ?? '').replace(/[_.]/g, ' ').trim();
  return s ? s[0].toUpperCase() + s.slice(1) : '';
}

/* How far the agent's zone is ahead of UTC at instant ms, in ms (the
 * browser's own offset when the agent chose no zone). */
function zoneOffset(ms) {
  const zone = timeZone();
  if (!zone) return -new Date(ms).getTimezoneOffset() * 60000;
  const parts = dtf('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric',
  }).formatToParts(new Date(ms));
  const p = Object.fromEntries(parts.map((x) => [x.type, Number(x.value)]));
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/*
 * A datetime-local value ("2026-11-24T09:30"), read as a wall-clock time
 * in the agent's zone (an agent in Madrid typing 09:30 means 09:30 in
 * Madrid, whatever the computer's zone), as RFC 3339 UTC.  The offset is
 * looked up twice, so a time next to a change of summer time takes the
 * offset in force at that time.
 */
export function localToRfc3339(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(String(value || ''));
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] || 0));
  if (Number.isNaN(wall)) return null;
  let ms = wall - zoneOffset(wall);
  ms = wall - zoneOffset(ms);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/* An RFC 3339 time as a datetime-local value in the agent's zone. */
export function rfc3339ToLocal(iso) {
  const ms = parseTime(iso);
  if (ms === null) return '';
  return new Date(ms + zoneOffset(ms)).toISOString().slice(0, 16);
}

/* The first present value among keys of obj. */
export function pick(obj, ...keys) {
  if (!obj || typeof obj !== 'object') return undefined;
  for (const k of keys) if (obj[k] !== undefined && obj[k] !== null && obj[k] !== '') return obj[k];
  return undefined;
}

/* The name a customer is greeted by. */
export function greetingName(c) {
  return pick(c, 'greeting_name', 'preferred_name', 'name') || t('customer');
}

/* ---- times and lists as an agent reads them on the encounter and customer pages ---- */

/* The calendar date of instant ms in the agent's zone, as a day number. */
function dayInZone(ms) {
  const parts = dtf('en-US', {
    timeZone: timeZone(), year: 'numeric', month: 'numeric', day: 'numeric',
  }).formatToParts(new Date(ms));
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day)) / 86400000;
}

/*
 * A time as a person says it, in the agent's zone and language, with how
 * far it is from now: "in 2 days, Tue 15 Dec 10:00", "today, 10:00",
 * "yesterday, 18:20", "3 days ago, Sun 29 Nov 09:12" (German: "in 2
 * Tagen, Di. 15. Dez., 10:00", "heute, 10:00"); the year only when it is
 * not this one.
 */
export function fmtWhen(iso, now = Date.now()) {
  const ms = parseTime(iso);
  if (ms === null) return '';
  const d = new Date(ms);
  const days = dayInZone(ms) - dayInZone(now);
  const zone = timeZone();
  const time = dtf(locale(), { hour: '2-digit', minute: '2-digit', timeZone: zone }).format(d);
  const yearOf = (x) => dtf('en-US', { timeZone: zone, year: 'numeric' }).format(x);
  let date = dtf(locale(), {
    weekday: 'short', day: 'numeric', month: 'short', timeZone: zone,
    year: yearOf(d) !== yearOf(new Date(now)) ? 'numeric' : undefined,
  }).format(d);
  /* German writes "Di. 15. Dez." in a sentence, without the list's comma */
  if (language() === 'de') date = date.replace(/^([^,\s]+),\s/, '$1 ');
  if (days === 0) return t('today, {time}', { time });
  if (days === 1) return t('tomorrow, {time}', { time });
  if (days === -1) return t('yesterday, {time}', { time });
  if (days > 1) return tn(days, 'in {n} day, {date} {time}', 'in {n} days, {date} {time}', { date, time });
  return tn(-days, '{n} day ago, {date} {time}', '{n} days ago, {date} {time}', { date, time });
}

/* Text written by rapport (a moment's summary) with every RFC 3339 time in it
 * said as fmtWhen says it: the ledger keeps UTC, the agent reads their zone. */
export function plainTimes(text, now = Date.now()) {
  return String(text ?? '').replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)/g,
    (iso) => fmtWhen(iso, now) || iso);
}

/* ["respected","honest","quick"] -> "respected, honest and quick" ("... und ..."). */
export function fmtList(items) {
  const xs = (Array.isArray(items) ? items : [items]).filter((x) => x !== null && x !== undefined && x !== '').map(String);
  if (xs.length < 2) return xs.join('');
  return t('{list} and {last}', { list: xs.slice(0, -1).join(', '), last: xs[xs.length - 1] });
}

/* A number written in the agent's language: 1234.5 -> "1,234.5" (German
 * "1.234,5"); at most digits decimals (1 by default); '' for no number. */
export function fmtNumber(x, digits = 1) {
  const v = Number(x);
  if (x === null || x === undefined || x === '' || !Number.isFinite(v)) return '';
  return v.toLocaleString(locale(), { maximumFractionDigits: digits });
}

/* A share written in the agent's language: 0.12 (or 12, a percentage
 * above 1) -> "12%" (German "12 %"); '' for no number. */
export function fmtPercent(x, digits = 0) {
  const v = Number(x);
  if (x === null || x === undefined || x === '' || !Number.isFinite(v)) return '';
  return (v <= 1 ? v : v / 100).toLocaleString(locale(), { style: 'percent', maximumFractionDigits: digits });
}
