/*
 * kb.js - knowledge-base search inside the encounter.
 *
 * GET /api/v1/kb/search?q= returns articles with a highlighted title and
 * snippet (title_html, snippet_html: HTML-escaped text with the matched
 * words inside <mark>).  The console never parses them as HTML: it splits
 * on the markers, decodes the few entities an escaper produces, and puts
 * each piece in a text node (highlighted pieces inside <mark>), so an
 * article can never inject markup into the console.  Articles suggested
 * from the encounter's facts are listed first; the agent can open an
 * article and say whether it helped, which feeds the ranking.
 */
import * as api from '../api.js';
import { h, field, clear, announce } from '../dom.js';
import { pick } from '../format.js';
import { t } from '../i18n.js';

/* Markers a snippet may use: <mark>..</mark>, <b>..</b>, \u0002..\u0003. */
const MARKERS = /(<mark>|<\/mark>|<b>|<\/b>|\u0002|\u0003)/;
const OPEN = new Set(['<mark>', '<b>', '\u0002']);
const CLOSE = new Set(['</mark>', '</b>', '\u0003']);
const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/* Undo HTML escaping (&amp; &lt; &gt; &quot; &#39; &#x27;) to plain text. */
export function unescapeHtml(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/* The snippet as nodes: text, with highlighted parts in <mark>. */
export function snippetNodes(snippet, escaped) {
  const out = [];
  let inMark = false;
  for (const part of String(snippet || '').split(MARKERS)) {
    if (OPEN.has(part)) { inMark = true; continue; }
    if (CLOSE.has(part)) { inMark = false; continue; }
    if (!part) continue;
    const text = escaped ? unescapeHtml(part) : part;
    out.push(inMark ? h('mark', {}, text) : document.createTextNode(text));
  }
  return out;
}

/* The article's text, read once, for showing and for the reply box. */
async function articleBody(a) {
  if (a.fullBody === undefined) a.fullBody = String((await api.get(`/api/v1/kb/articles/${a.id}`)).body || '');
  return a.fullBody;
}

function article(a, enc, opts = {}) {
  const escaped = a.title_html !== undefined || a.snippet_html !== undefined;
  const title = pick(a, 'title_html', 'title') || t('Article {id}', { id: a.id });
  const snippet = pick(a, 'snippet_html', 'snippet', 'excerpt') || '';
  const body = h('div', { class: 'kb-body' });
  const status = h('span', { class: 'muted', role: 'status' });
  const feedback = (helped) => async () => {
    try {
      await api.post(`/api/v1/kb/articles/${a.id}/feedback`, { helped, encounter_id: enc.id });
      status.textContent = ` ${helped ? t('Thanks: marked as helpful.') : t('Noted: it did not help.')}`;
      announce(status.textContent);
    } catch (e) { status.textContent = ` ${e.message}`; }
  };
  const more = h('details', { class: 'kb-more' }, h('summary', {}, t('Read the article')), body);
  more.addEventListener('toggle', async () => {
    if (!more.open || body.childNodes.length) return;
    try {
      for (const para of (await articleBody(a)).split(/\n{2,}/)) body.append(h('p', {}, para));
    } catch (e) { body.append(h('p', { class: 'error' }, e.message)); }
  });
  /* One click puts the answer into the reply box. */
  const insert = opts.onInsert ? h('button', {
    type: 'button', class: 'kb-insert',
    onclick: async () => {
      try { opts.onInsert(await articleBody(a)); status.textContent = ` ${t('Inserted into the reply.')}`; }
      catch (e) { status.textContent = ` ${e.message}`; }
    },
  }, t('Insert into the reply')) : null;
  return h('li', {},
    h('strong', { class: 'kb-title' }, snippetNodes(title, escaped && a.title_html !== undefined)),
    h('p', { class: 'kb-snippet' }, snippetNodes(snippet, escaped && a.snippet_html !== undefined)),
    Array.isArray(a.tags) && a.tags.length ? h('p', { class: 'muted' }, a.tags.join(', ')) : null,
    more,
    h('div', { class: 'actions' }, insert,
      h('button', { type: 'button', onclick: feedback(true) }, t('It helped')),
      h('button', { type: 'button', onclick: feedback(false) }, t('It did not help')), status));
}

export function kbSearch(enc, opts = {}) {
  const q = h('input', { type: 'search', name: 'q', id: 'kb-q', autocomplete: 'off' });
  const results = h('div', { id: 'kb-results', 'aria-live': 'polite' });
  const suggested = h('div', { id: 'kb-suggested' });
  const form = h('form', { role: 'search', class: 'inline' },
    field(t('Search the knowledge base'), q), h('button', { type: 'submit' }, t('Search')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = q.value.trim();
    clear(results);
    if (!text) return;
    let data;
    try {
      data = await api.get(`/api/v1/kb/search${api.qs({ q: text })}`);
    } catch (e) {
      results.append(h('p', { class: e.missingEndpoint ? 'muted' : 'error' },
        e.missingEndpoint ? t('This server has no knowledge base yet.') : e.message));
      return;
    }
    const list = api.items(data, 'results');
    if (!list.length) { results.append(h('p', { class: 'muted' }, t('No article matches “{words}”.', { words: text }))); return; }
    results.append(h('ol', { class: 'kb-list' }, list.map((a) => article(a, enc, opts))));
  });
  /* Suggestions from what the encounter recorded, when the server has them. */
  api.optional(`/api/v1/encounters/${enc.id}/kb_suggestions`).then((data) => {
    const list = api.items(data).slice(0, 3);
    if (list.length)
      suggested.append(h('h3', {}, t('Suggested for this encounter')), h('ol', { class: 'kb-list' }, list.map((a) => article(a, enc, opts))));
  }).catch(() => { /* suggestions are a help, not a need */ });
  return h('section', { class: 'card kb', 'aria-labelledby': 'kb-h' },
    h('h2', { id: 'kb-h' }, t('Knowledge base')), suggested, form, results);
}
