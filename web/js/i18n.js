/*
 * i18n.js - the console's words in the agent's language.
 *
 * Every string the console shows goes through t() or tn().  The English
 * text is the message's key (as gettext's msgid), so a view reads as what
 * it says; each other language is a catalogue from that English text to
 * its own (messages/de.js).  English is complete by construction; the
 * unit test (tests/browser/units.test.mjs) reads every t()/tn() call in
 * web/js and fails when a German entry is missing or a German entry is
 * no longer used, so German stays complete too.
 *
 * Values are put into a message by name, "{name}", never by position,
 * because a sentence's order differs between languages.  Plurals: tn()
 * takes the English singular and plural; English and German both choose
 * by "exactly one, or not", so each language's catalogue translates the
 * two forms separately.
 *
 * Which language: the agent's own choice (their setting, kept on the
 * server and sent with the session), else the browser's language, else
 * English.  Only languages with a catalogue are chosen.
 */
import de from './messages/de.js';

const CATALOGUES = { en: null, de };
const LOCALES = { en: 'en-GB', de: 'de-DE' };
/* The languages an agent can choose, each named in itself. */
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'de', name: 'Deutsch' },
];

let current = 'en';
let zone = null;

/* The language code ("en", "de") a setting or a browser's language maps to, or null. */
export function supported(code) {
  const base = String(code || '').toLowerCase().split(/[-_]/)[0];
  return Object.prototype.hasOwnProperty.call(CATALOGUES, base) ? base : null;
}

/*
 * Choose the language: the agent's setting first, else the browser's
 * preferred languages in order, else English.  Also sets <html lang> so
 * screen readers speak the page in its language.
 */
export function setLanguage(agentChoice) {
  let lang = supported(agentChoice);
  if (!lang && typeof navigator !== 'undefined') {
    for (const l of navigator.languages || [navigator.language]) {
      lang = supported(l);
      if (lang) break;
    }
  }
  current = lang || 'en';
  if (typeof document !== 'undefined' && document.documentElement) document.documentElement.lang = current;
  return current;
}

/* The language in use ("en" or "de"). */
export function language() {
  return current;
}

/* The locale dates and numbers are written in ("en-GB", "de-DE"). */
export function locale() {
  return LOCALES[current] || 'en-GB';
}

/* The agent's time zone (an IANA name such as "Europe/Madrid"), or null for the browser's. */
export function setTimeZone(tz) {
  zone = null;
  if (tz) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      zone = tz;
    } catch { /* an unknown zone: the browser's */ }
  }
  return zone;
}

/* The time zone times are shown in: the agent's, else undefined (the browser's). */
export function timeZone() {
  return zone || undefined;
}

function fill(text, vars) {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) => (Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m));
}

/* The message in the current language, with {name} replaced by vars.name. */
export function t(english, vars) {
  const cat = CATALOGUES[current];
  const text = cat && Object.prototype.hasOwnProperty.call(cat, english) ? cat[english] : english;
  return fill(text, vars);
}

/*
 * A message that depends on a count: one when n is 1, else other, each
 * translated; {n} is n written in the language's way (1,000 / 1.000).
 */
export function tn(n, one, other, vars) {
  const count = Number(n) || 0;
  const num = count.toLocaleString(locale());
  return t(count === 1 ? one : other, { ...vars, n: num });
}

/* Every catalogue, for the completeness test. */
export function catalogues() {
  return CATALOGUES;
}

/*
 * Translate the page's own texts (web/index.html): each element's
 * data-i18n English text becomes its text, and data-i18n-aria-label and
 * data-i18n-title its aria-label and title.  The catalogue test reads
 * these attributes as messages, as it reads t() calls.
 */
export function translatePage(root) {
  const own = (english) => (CATALOGUES[current] && Object.prototype.hasOwnProperty.call(CATALOGUES[current], english)
    ? CATALOGUES[current][english] : english);
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = own(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', own(el.dataset.i18nAriaLabel));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.setAttribute('title', own(el.dataset.i18nTitle));
}
