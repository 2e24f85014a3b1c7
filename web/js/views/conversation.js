/*
 * conversation.js - the conversation of an encounter in its workspace.
 *
 * Messages come from GET /api/v1/encounters/{id}/messages, oldest first,
 * so the newest is at the bottom, next to the reply box, as in any mail
 * program.  An internal note looks different (another background, a
 * border, and the words "Internal note, not sent to the customer" that a
 * screen reader reads too): colour never carries the difference alone.
 * Quoted history is folded into a details element; attachments are
 * download links; a reply says where it is on its way (queued, sent,
 * failed and why, in words).  The reply box writes a reply or a note;
 * what is typed is kept in the browser until it is sent, and a reply can
 * be saved on the server as a draft and sent later.  Knowledge-base
 * answers are put into the box with one click (kb.js calls insert()).
 *
 * The thread refreshes every few seconds without touching the box, so a
 * customer's answer shows up while the agent works.
 */
import * as api from '../api.js';
import { h, field, clear, announce } from '../dom.js';
import { fmtWhen, pick } from '../format.js';
import { t, locale } from '../i18n.js';
import { channelLabel } from '../labels.js';

const REFRESH_MS = 4000;

/* A delivery failure as the agent can act on it, not as the transport said it. */
export function failureWords(reason) {
  const r = String(reason || '');
  if (!r) return t('the reason was not recorded');
  if (/not configured|RAPPORT_SMTP/i.test(r)) return t('sending email is not set up on this desk (an admin can set it up)');
  if (/no email address|no address/i.test(r)) return t('the customer has no email address');
  if (/couldn.t connect|connection refused|could not connect|timed? ?out|resolve host/i.test(r))
    return t('the mail server could not be reached');
  if (/\b55[0-4]\b|recipient|mailbox|user unknown|rejected/i.test(r))
    return t('the customer’s mail server refused the address');
  if (/bounce/i.test(r)) return t('it came back undelivered ({why})', { why: r.replace(/^.*?:\s*/, '') });
  /* otherwise the words the core gave, without a transport's URL (they
   * are the core's English, so the URL's stand-in is English too) */
  return r.replace(/\b(smtps?|https?):\/\/\S+/g, 'the mail server').replace(/^SMTP to the mail server:\s*/i, '');
}

/* "Sent today, 22:40", "Queued: waiting to be sent", ... */
export function deliveryText(m) {
  const status = m.status;
  const tries = Number(m.attempts) || 0;
  if (status === 'draft') return t('Draft, not sent yet');
  if (status === 'queued' && tries > 0)
    return t('Not sent yet: the last try failed because {why}; it will be tried again', { why: failureWords(m.last_error) });
  if (status === 'queued') return t('Queued: waiting to be sent');
  if (status === 'sending') return t('Sending now');
  if (status === 'sent') return m.sent_at ? t('Sent {when}', { when: fmtWhen(m.sent_at) }) : t('Sent');
  if (status === 'failed') return t('Failed: not delivered, because {why}', { why: failureWords(m.last_error) });
  return '';
}

/* Who wrote m: the customer by name; an agent by name when the message
 * says it, the signed-in agent as "you", else by their number. */
function authorText(m, customer, me) {
  if (m.direction === 'inbound') {
    const name = pick(customer, 'name');
    return name ? t('{name} (customer)', { name }) : t('The customer');
  }
  let who = pick(m, 'agent_name', 'author_name');
  if (!who && me && m.agent_id && m.agent_id === me.id) who = t('{name} (you)', { name: me.name || me.email });
  if (!who) who = m.author === 'system' ? t('The desk') : t('An agent');
  return m.direction === 'note' ? who : t('{who}, to the customer', { who });
}

function attachmentList(m) {
  const files = Array.isArray(m.attachments) ? m.attachments : [];
  if (!files.length) return null;
  return h('ul', { class: 'files', 'aria-label': t('Attachments') }, files.map((a) => h('li', {},
    h('a', { href: pick(a, 'download_url', 'url') || `/api/v1/attachments/${a.id}`, download: a.filename || '' },
      a.filename || t('file {id}', { id: a.id })),
    a.size !== undefined ? h('span', { class: 'muted' }, ' ',
      t('({size} KB)', { size: Math.max(1, Math.round(a.size / 1024)).toLocaleString(locale()) })) : null)));
}

function messageItem(m, customer, me, onSend) {
  const note = m.direction === 'note';
  const kind = note ? t('Internal note, not sent to the customer')
    : m.direction === 'inbound' ? t('From the customer') : t('Reply');
  const delivery = m.direction === 'outbound' ? deliveryText(m) : '';
  const failed = m.status === 'failed' || (m.status === 'queued' && Number(m.attempts) > 0);
  return h('li', {
    class: ['msg', m.direction, m.status === 'draft' && 'draft'],
    dataset: { id: String(m.id), direction: m.direction || '' },
  },
  h('article', { 'aria-label': `${kind}, ${authorText(m, customer, me)}` },
    h('header', { class: 'msg-head' },
      h('span', { class: ['msg-kind', note && 'note-label'] }, kind),
      h('strong', {}, authorText(m, customer, me)),
      h('span', { class: 'muted' }, note ? ` · ${fmtWhen(pick(m, 'occurred_at', 'created_at'))}`
        : ` · ${m.channel ? channelLabel(m.channel) : ''} · ${fmtWhen(pick(m, 'occurred_at', 'created_at'))}`)),
    m.subject && m.direction !== 'note' ? h('p', { class: 'msg-subject' }, m.subject) : null,
    h('div', { class: 'msg-body' }, m.body || ''),
    m.quoted ? h('details', { class: 'quoted' }, h('summary', {}, t('Quoted history')), h('pre', {}, m.quoted)) : null,
    attachmentList(m),
    delivery ? h('p', { class: ['delivery', failed && 'failed', m.status], role: failed ? 'note' : null }, delivery) : null,
    m.status === 'draft' ? h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', onclick: () => onSend(m) }, t('Send this draft'))) : null));
}

/* Read a File as base64 (without the data: prefix). */
function base64Of(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onerror = () => reject(r.error);
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.readAsDataURL(file);
  });
}

/*
 * The conversation panel of enc (me: the signed-in agent, when known).
 * Returns {element, insert(text), stop()}:
 * insert puts text into the reply box (the knowledge base's one click);
 * stop ends the refresh when the page is left.
 */
export function conversationPanel(enc, customer, { onChange, me } = {}) {
  const base = `/api/v1/encounters/${enc.id}/messages`;
  const draftKey = `rapport.draft.${enc.id}`;
  const list = h('ol', { class: 'thread', id: 'conversation', 'aria-live': 'polite', 'aria-relevant': 'additions' });
  const empty = h('p', { class: 'muted', id: 'conversation-empty' }, t('No messages yet.'));
  const status = h('p', { class: 'ok', role: 'status', id: 'reply-status' });
  const errors = h('div', { class: 'section-errors', dataset: { field: 'body kind channel attachments' } });
  let lastSeen = '';
  let available = true;
  let timer = null;

  /* the reply box */
  const kindReply = h('input', { type: 'radio', name: 'reply-kind', id: 'kind-reply', value: 'reply', checked: true });
  const kindNote = h('input', { type: 'radio', name: 'reply-kind', id: 'kind-note', value: 'note' });
  const body = h('textarea', { id: 'reply-body', name: 'body', rows: 6 });
  const files = h('input', { type: 'file', id: 'reply-files', name: 'attachments', multiple: true });
  const send = h('button', { type: 'submit', class: 'primary', id: 'reply-send' }, t('Send the reply'));
  const saveDraft = h('button', { type: 'button', id: 'reply-draft' }, t('Save as draft'));
  const bodyField = field(t('Your reply to the customer'), body,
    { hint: t('Plain text. It is sent by email from the queue’s address.'), field: 'body' });
  const form = h('form', { class: 'reply-box', id: 'reply-form', novalidate: true },
    h('fieldset', { class: 'kind-switch' }, h('legend', {}, t('Write')),
      h('label', { for: 'kind-reply', class: 'choice' }, kindReply, ' ', t('A reply to the customer')),
      h('label', { for: 'kind-note', class: 'choice' }, kindNote, ' ', t('An internal note for colleagues'))),
    bodyField,
    field(t('Attach files (optional)'), files, { field: 'attachments' }),
    errors,
    h('div', { class: 'actions' }, send, saveDraft), status);

  body.value = localStorage.getItem(draftKey) || '';
  let saveTimer = null;
  body.addEventListener('input', () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      if (body.value) localStorage.setItem(draftKey, body.value); else localStorage.removeItem(draftKey);
    }, 300);
  });

  function mode() { return kindNote.checked ? 'note' : 'reply'; }
  function setMode() {
    const note = mode() === 'note';
    form.classList.toggle('writing-note', note);
    bodyField.querySelector('label').textContent = note ? t('Your internal note (the customer never sees it)') : t('Your reply to the customer');
    const hint = bodyField.querySelector('.hint');
    if (hint) hint.textContent = note ? t('Only agents see notes.') : t('Plain text. It is sent by email from the queue’s address.');
    send.textContent = note ? t('Add the note') : t('Send the reply');
    saveDraft.hidden = note;
  }
  kindReply.addEventListener('change', setMode);
  kindNote.addEventListener('change', setMode);

  function showError(e) {
    clear(errors);
    errors.append(h('p', { class: 'field-error', role: 'alert' }, e.message));
  }

  async function write(draft) {
    clear(errors);
    const text = body.value.trim();
    if (!text) { showError({ message: t('Write something first.') }); body.focus(); return; }
    const payload = { kind: mode(), body: text };
    if (payload.kind === 'reply') {
      payload.channel = enc.channel === 'web' || enc.channel === 'email' ? enc.channel : 'email';
      if (draft) payload.draft = true;
    }
    send.disabled = saveDraft.disabled = true;
    try {
      if (files.files.length) {
        payload.attachments = [];
        for (const f of files.files)
          payload.attachments.push({ filename: f.name, content_type: f.type || 'application/octet-stream', data_base64: await base64Of(f) });
      }
      await api.post(base, payload);
      body.value = '';
      files.value = '';
      localStorage.removeItem(draftKey);
      const done = payload.kind === 'note' ? t('Note added.') : draft ? t('Draft saved.') : t('Reply queued for sending.');
      status.textContent = done;
      announce(done);
      await refresh(true);
      if (onChange) onChange();
    } catch (e) {
      if (e.status !== 401) showError(e);
    } finally {
      send.disabled = saveDraft.disabled = false;
    }
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); write(false); });
  saveDraft.addEventListener('click', () => write(true));

  async function sendDraft(m) {
    try {
      await api.post(`/api/v1/messages/${m.id}/send`, {});
      status.textContent = t('Draft queued for sending.');
      announce(status.textContent);
      await refresh(true);
      if (onChange) onChange();
    } catch (e) {
      if (e.status !== 401) showError(e);
    }
  }

  async function load() {
    const all = [];
    let cursor = null;
    for (let i = 0; i < 20; i++) {
      const page = await api.get(`${base}${api.qs({ limit: 100, cursor })}`);
      all.push(...api.items(page));
      cursor = page && page.next_cursor;
      if (!cursor) break;
    }
    return all;
  }

  async function refresh(force) {
    let msgs;
    try {
      msgs = await load();
    } catch (e) {
      if (e.missingEndpoint) {
        available = false;
        clear(list);
        empty.textContent = t('This server keeps no conversations yet.');
        form.hidden = true;
        return;
      }
      throw e;
    }
    const seen = JSON.stringify(msgs.map((m) => [m.id, m.status, m.attempts]));
    if (!force && seen === lastSeen) return;
    const grew = lastSeen && msgs.length > JSON.parse(lastSeen).length;
    lastSeen = seen;
    clear(list);
    for (const m of msgs) list.append(messageItem(m, customer, me, sendDraft));
    empty.hidden = msgs.length > 0;
    if (grew && !force) announce(t('A new message arrived.'));
  }

  const element = h('section', { class: 'card conversation', 'aria-labelledby': 'conversation-h', id: 'conversation-panel' },
    h('div', { class: 'conv-head' }, h('h2', { id: 'conversation-h' }, t('Conversation')),
      h('button', { type: 'button', id: 'conversation-refresh', onclick: () => refresh(true).catch(showError) }, t('Refresh'))),
    empty, list, form);

  refresh(true).catch(showError);
  timer = setInterval(() => { if (available && document.contains(element)) refresh(false).catch(() => {}); }, REFRESH_MS);

  return {
    element,
    insert(text) {
      kindReply.checked = true;
      setMode();
      const words = String(text || '').trim();
      body.value = body.value.trim() ? `${body.value.trimEnd()}\n\n${words}` : words;
      body.dispatchEvent(new Event('input'));
      body.focus();
      announce(t('Article inserted into the reply.'));
    },
    stop() { clearInterval(timer); clearTimeout(saveTimer); },
  };
}
