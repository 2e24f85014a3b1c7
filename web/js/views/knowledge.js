/*
 * knowledge.js - the knowledge base's own page: browse the articles by tag,
 * search them, read one, and (leads and admins) write and edit them as
 * drafts before publishing.
 *
 * Routes: #/kb (browse and search), #/kb/new, #/kb/{id}, #/kb/{id}/edit.
 * The server decides who sees what: an agent's lists, searches and reads
 * never hold a draft, so this page only hides the writing controls from
 * agents and says why; it does not filter drafts itself.  Search results
 * arrive with the matched words marked in HTML-escaped text; they are
 * shown through kb.js's snippetNodes, as text, never parsed as HTML.
 */
import * as api from '../api.js';
import { h, field, clear, announce, append } from '../dom.js';
import { fmtWhen, fmtList } from '../format.js';
import { snippetNodes } from './kb.js';
import { t, tn } from '../i18n.js';

/* Append children, skipping nulls and flattening lists (Element.append would write "null"). */
const put = (el, ...kids) => append(el, kids);

const TITLE_MAX = 200;
const BODY_MAX = 20000;

/* Leads and admins write; a console without login (no agent) is open. */
function isWriter(app) {
  const s = app && app.session;
  return !s || !s.agent || s.agent.role === 'lead' || s.agent.role === 'admin';
}

function badge(a) {
  return a.state === 'draft'
    ? h('span', { class: 'badge draft' }, t('Draft'))
    : h('span', { class: 'badge' }, t('Published'));
}

/* When it was written and published, in words. */
function when(a) {
  if (a.state === 'draft') return t('Draft, only leads and admins see it. Last changed {when}.', { when: fmtWhen(a.updated_at) });
  const changed = a.updated_at && a.updated_at !== a.published_at;
  const vars = { published: fmtWhen(a.published_at), changed: fmtWhen(a.updated_at) };
  if (!a.published_at) return changed ? t('Published; last changed {changed}.', vars) : t('Published.');
  return changed ? t('Published {published}; last changed {changed}.', vars) : t('Published {published}.', vars);
}

function tagLine(tags) {
  return Array.isArray(tags) && tags.length ? h('p', { class: 'muted kb-tags' }, t('Tags: {tags}', { tags: fmtList(tags) })) : null;
}

export async function render(main, params, app) {
  const [id, edit] = params || [];
  if (id === 'new') return editor(main, null, app);
  if (id && edit) return editor(main, await api.get(`/api/v1/kb/articles/${id}`), app);
  if (id) return reader(main, id, app);
  return browse(main, app);
}

/* ---- browse and search ---- */

async function browse(main, app) {
  const writer = isWriter(app);
  const state = { tag: '', show: '', cursor: null };
  const q = h('input', { type: 'search', id: 'kb-page-q', name: 'q', autocomplete: 'off' });
  const searchForm = h('form', { role: 'search', class: 'inline', id: 'kb-search' },
    field(t('Search articles'), q, { hint: t('Finds articles with any of the words, and words that start with what you typed.') }),
    h('button', { type: 'submit' }, t('Search')));
  const found = h('div', { id: 'kb-found', 'aria-live': 'polite' });
  const tags = h('div', { class: 'kb-tagbar', id: 'kb-tags', role: 'group', 'aria-label': t('Browse by tag') });
  const show = writer ? h('select', { id: 'kb-show' },
    h('option', { value: '' }, t('All articles')),
    h('option', { value: 'published' }, t('Published only')),
    h('option', { value: 'draft' }, t('Drafts only'))) : null;
  const list = h('ul', { class: 'kb-articles', id: 'kb-articles' });
  const more = h('button', { type: 'button', id: 'kb-more', hidden: true }, t('More articles'));
  const listHead = h('h2', { id: 'kb-list-h' }, t('All articles'));

  put(main, h('h1', {}, t('Knowledge base')),
    writer ? h('p', {}, h('a', { href: '#/kb/new', class: 'button', id: 'kb-write' }, t('Write an article')))
      : h('p', { class: 'muted' }, t('Leads and admins write the articles; you can read and search all published ones.')),
    h('section', { class: 'card', 'aria-labelledby': 'kb-search-h' }, h('h2', { id: 'kb-search-h' }, t('Search')), searchForm, found),
    h('section', { class: 'card', 'aria-labelledby': 'kb-list-h' }, listHead, tags,
      show ? field(t('Show'), show) : null, list, more));

  function articleItem(a) {
    return h('li', { class: 'kb-article' },
      h('a', { href: `#/kb/${a.id}`, class: 'kb-title' }, a.title || t('Untitled article')), ' ',
      writer ? badge(a) : null, tagLine(a.tags),
      h('p', { class: 'muted' }, a.state === 'draft' ? t('Draft, last changed {when}', { when: fmtWhen(a.updated_at) }) : t('Published {published}', { published: fmtWhen(a.published_at || a.created_at) })));
  }

  async function loadTags() {
    const data = await api.get('/api/v1/kb/tags');
    clear(tags);
    const button = (tag, label) => h('button', {
      type: 'button', class: 'tag', 'aria-pressed': String(state.tag === tag), dataset: { tag },
      onclick: () => { state.tag = tag; loadTags().catch(() => {}); loadList(true).catch(showError); },
    }, label);
    append(tags, [button('', t('All tags')), api.items(data).map((x) => button(x.tag, t('{tag} ({n})', { tag: x.tag, n: x.articles })))]);
  }

  async function loadList(reset) {
    if (reset) { clear(list); state.cursor = null; }
    listHead.textContent = state.tag ? t('Articles tagged “{tag}”', { tag: state.tag }) : t('All articles');
    const data = await api.get(`/api/v1/kb/articles${api.qs({ tag: state.tag || null, state: state.show || null, limit: 50, cursor: state.cursor })}`);
    const rows = api.items(data);
    if (reset && !rows.length) list.append(h('li', { class: 'muted' }, t('No articles here yet.')));
    append(list, rows.map(articleItem));
    state.cursor = data.next_cursor || null;
    more.hidden = !state.cursor;
  }

  function showError(e) { list.append(h('li', { class: 'error', role: 'alert' }, e.message)); }

  searchForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = q.value.trim();
    clear(found);
    if (!text) return;
    try {
      const data = await api.get(`/api/v1/kb/search${api.qs({ q: text, limit: 20 })}`);
      const hits = api.items(data);
      if (!hits.length) { found.append(h('p', { class: 'muted' }, t('No article matches “{words}”.', { words: text }))); announce(t('No article matches.')); return; }
      found.append(h('p', { class: 'muted' }, tn(hits.length, '{n} article found, best first.', '{n} articles found, best first.')),
        h('ol', { class: 'kb-list', id: 'kb-hits' }, hits.map((a) => h('li', {},
          h('a', { href: `#/kb/${a.id}`, class: 'kb-title' }, snippetNodes(a.title_html || a.title, a.title_html !== undefined)),
          h('p', { class: 'kb-snippet' }, snippetNodes(a.snippet_html || '', true)), tagLine(a.tags)))));
      announce(tn(hits.length, '{n} article found.', '{n} articles found.'));
    } catch (e) {
      found.append(h('p', { class: 'error', role: 'alert' }, e.field === 'q' ? t('Type at least one word to search for.') : e.message));
    }
  });
  if (show) show.addEventListener('change', () => { state.show = show.value; loadList(true).catch(showError); });
  more.addEventListener('click', () => loadList(false).catch(showError));
  await Promise.all([loadTags(), loadList(true)]);
}

/* ---- read ---- */

async function reader(main, id, app) {
  const writer = isWriter(app);
  let a;
  try {
    a = await api.get(`/api/v1/kb/articles/${id}`);
  } catch (e) {
    if (e.status !== 404) throw e;
    put(main, h('h1', {}, t('Article not found')),
      h('p', {}, t('This article does not exist, or it is a draft that only leads and admins can read.')),
      h('p', {}, h('a', { href: '#/kb' }, t('Back to the knowledge base'))));
    return;
  }
  const status = h('p', { class: 'muted', role: 'status', id: 'kb-status' });
  const setState = async (to) => {
    try {
      a = await api.patch(`/api/v1/kb/articles/${a.id}`, { state: to });
      announce(to === 'published' ? t('Published: agents can find it now.') : t('Back to drafts: agents no longer see it.'));
      app.go(`#/kb/${a.id}`);
    } catch (e) { status.textContent = e.message; }
  };
  const actions = writer ? h('div', { class: 'actions' },
    h('a', { href: `#/kb/${a.id}/edit`, class: 'button', id: 'kb-edit' }, t('Edit')),
    a.state === 'draft'
      ? h('button', { type: 'button', id: 'kb-publish', onclick: () => setState('published') }, t('Publish'))
      : h('button', { type: 'button', id: 'kb-unpublish', onclick: () => setState('draft') }, t('Take back to drafts'))) : null;
  const votes = (a.helped || a.not_helped)
    ? `${tn(a.helped, 'Agents said it helped {n} time.', 'Agents said it helped {n} times.')} ${tn(a.not_helped, 'It did not help {n} time.', 'It did not help {n} times.')}`
    : t('No agent has said yet whether it helped.');
  put(main, h('p', {}, h('a', { href: '#/kb' }, t('Knowledge base'))),
    h('h1', {}, a.title), h('p', {}, writer ? badge(a) : null, ' ', when(a)), tagLine(a.tags),
    h('article', { class: 'card kb-read' }, String(a.body || '').split(/\n{2,}/).map((p) => h('p', {}, p))),
    h('p', { class: 'muted' }, votes), actions, status);
}

/* ---- write ---- */

function editor(main, a, app) {
  if (!isWriter(app)) {
    put(main, h('h1', {}, t('Write an article')), h('p', {}, t('Only leads and admins write and change articles. Ask your lead to add what you know.')),
      h('p', {}, h('a', { href: '#/kb' }, t('Back to the knowledge base'))));
    return;
  }
  const title = h('input', { type: 'text', id: 'kb-title', name: 'title', required: true, maxlength: String(TITLE_MAX), value: a ? a.title : '' });
  const body = h('textarea', { id: 'kb-body', name: 'body', rows: '14', required: true, maxlength: String(BODY_MAX) });
  body.value = a ? a.body || '' : '';
  const tags = h('input', { type: 'text', id: 'kb-tags-input', name: 'tags', value: a && Array.isArray(a.tags) ? a.tags.join(', ') : '' });
  const status = h('p', { role: 'status', class: 'muted', id: 'kb-save-status' });
  const draft = !a || a.state === 'draft';
  const form = h('form', { id: 'kb-editor', novalidate: true },
    field(t('Title'), title, { field: 'title' }),
    field(t('Text'), body, { field: 'body', hint: t('Plain text; an empty line starts a new paragraph.') }),
    field(t('Tags'), tags, { field: 'tags', hint: t('Words to browse by, separated by commas.') }),
    h('div', { class: 'actions' },
      draft ? h('button', { type: 'submit', value: 'draft', id: 'kb-save-draft' }, t('Save as draft')) : null,
      h('button', { type: 'submit', value: 'published', id: 'kb-save-publish' }, draft ? t('Publish') : t('Save')),
      h('a', { href: a ? `#/kb/${a.id}` : '#/kb' }, t('Cancel'))),
    status);
  put(main, h('p', {}, h('a', { href: '#/kb' }, t('Knowledge base'))), h('h1', {}, a ? t('Edit the article') : t('Write an article')),
    draft ? h('p', { class: 'muted' }, t('A draft is seen by leads and admins only; agents find the article once it is published.')) : null, form);

  function fieldError(name, message) {
    for (const el of form.querySelectorAll('.field-error')) el.remove();
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    const wrap = name && form.querySelector(`[data-field~="${name}"]`);
    if (!wrap) { status.textContent = message; return; }
    const control = wrap.querySelector('input, textarea');
    const err = h('p', { class: 'error field-error', id: `${control.id}-error` }, message);
    wrap.append(err);
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', err.id);
    control.focus();
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const to = ev.submitter && ev.submitter.value === 'draft' ? 'draft' : 'published';
    if (!title.value.trim()) { fieldError('title', t('Give the article a title.')); return; }
    if (!body.value.trim()) { fieldError('body', t('Write the text of the article.')); return; }
    const payload = {
      title: title.value, body: body.value,
      tags: tags.value.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean),
      state: to,
    };
    try {
      const saved = a ? await api.patch(`/api/v1/kb/articles/${a.id}`, payload) : await api.post('/api/v1/kb/articles', payload);
      announce(to === 'draft' ? t('Draft saved.') : t('Article published.'));
      app.go(`#/kb/${saved.id}`);
    } catch (e) {
      fieldError(e.field, e.message);
    }
  });
}
