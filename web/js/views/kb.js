/*
 * kb.js - knowledge-base search inside the encounter.
 *
 * GET /api/v1/kb/search?q= returns articles with a highlighted snippet.  The
 * highlight arrives as markers inside plain text; the snippet is split on
 * the markers and each piece becomes a text node (highlighted pieces inside
 * <mark>), so an article can never inject markup into the console.
 */
import * as api from '../api.js';
import { h, field, clear } from '../dom.js';
import { pick } from '../format.js';

/* Markers a snippet may use: <mark>..</mark>, <b>..</b>, [[..]], \u0002..\u0003. */
const MARKERS = /(<mark>|<\/mark>|<b>|<\/b>|\[\[|\]\]|\u0002|\u0003)/;
const OPEN = new Set(['<mark>', '<b>', '[[', '\u0002']);
const CLOSE = new Set(['</mark>', '</b>', ']]', '\u0003']);

/* The snippet as nodes: text, with highlighted parts in <mark>. */
export function snippetNodes(snippet, markers) {
  let re = MARKERS, open = OPEN, close = CLOSE;
  if (markers && markers.start && markers.end) {
    const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    re = new RegExp(`(${esc(markers.start)}|${esc(markers.end)})`);
    open = new Set([markers.start]);
    close = new Set([markers.end]);
  }
  const out = [];
  let inMark = false;
  for (const part of String(snippet || '').split(re)) {
    if (open.has(part)) { inMark = true; continue; }
    if (close.has(part)) { inMark = false; continue; }
    if (part) out.push(inMark ? h('mark', {}, part) : document.createTextNode(part));
  }
  return out;
}

export function kbSearch(enc) {
  const q = h('input', { type: 'search', name: 'q', id: 'kb-q', autocomplete: 'off' });
  const results = h('div', { id: 'kb-results', 'aria-live': 'polite' });
  const form = h('form', { role: 'search', class: 'inline' },
    field('Search the knowledge base', q), h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = q.value.trim();
    clear(results);
    if (!text) return;
    let data;
    try {
      data = await api.get(`/api/v1/kb/search${api.qs({ q: text, encounter_id: enc.id })}`);
    } catch (e) {
      results.append(h('p', { class: e.missingEndpoint ? 'muted' : 'error' },
        e.missingEndpoint ? 'This server has no knowledge base yet.' : e.message));
      return;
    }
    const list = api.items(data, 'results');
    if (!list.length) { results.append(h('p', { class: 'muted' }, `No article matches “${text}”.`)); return; }
    const markers = pick(data, 'markers', 'highlight');
    results.append(h('ol', { class: 'kb-list' }, list.map((a) => h('li', {},
      h('strong', { class: 'kb-title' }, snippetNodes(pick(a, 'title_highlight') || a.title || `Article ${a.id}`, markers)),
      h('p', { class: 'kb-snippet' }, snippetNodes(pick(a, 'snippet', 'highlight', 'excerpt') || '', markers)),
      Array.isArray(a.tags) && a.tags.length ? h('p', { class: 'muted' }, a.tags.join(', ')) : null))));
  });
  return h('section', { class: 'card kb', 'aria-labelledby': 'kb-h' },
    h('h2', { id: 'kb-h' }, 'Knowledge base'), form, results);
}
