/*
 * webhooks.js - "Connected systems": the admin's page for the event
 * webhooks that tell other systems (a CRM, a chat tool, a data warehouse)
 * what happens at the desk.  Each connection is an address, the happenings
 * it is told about, and a signing key shown once when it is added; the
 * page lists the connections with how their last message went, turns
 * them off and on, removes them, and shows what was sent recently.
 */
import * as api from '../api.js';
import { h, field, clear, announce } from '../dom.js';
import { fmtTime } from '../format.js';
import { t } from '../i18n.js';
import { eventWordsMap, said, num } from './admin_labels.js';

/* How the last message to a connection went. */
function lastWords() {
  return {
    delivered: t('Last message arrived'),
    retrying: t('Last message did not arrive yet; trying again'),
    failed: t('Last message could not be delivered; gave up'),
  };
}

/* How one message went. */
function statusWords() {
  return {
    queued: t('Waiting to be sent'),
    sending: t('Being sent'),
    delivered: t('Arrived'),
    failed: t('Gave up'),
  };
}

/*
 * Why a message did not arrive, in words an admin acts on (the server
 * writes its reason in English); a reason not known here as written.
 */
export function failureWords(text) {
  if (!text) return '';
  let m = /did not answer within (\d+) seconds/.exec(text);
  if (m) return t('The other system did not answer within {n} seconds. Check that it is running.', { n: m[1] });
  if (/could not be reached/.test(text)) return t('The other system could not be reached. Check its address and that it is running.');
  m = /answered with status (\d+)/.exec(text);
  if (m) return t('The other system refused the message (it answered {code}). Ask the people who run it why.', { code: m[1] });
  return text;
}

/* A kind of event in words ("*" is everything). */
export function eventWords(kind) {
  return kind === '*' ? t('Everything that happens') : said(eventWordsMap(), kind);
}

function whatItHears(events) {
  const list = events || [];
  if (list.includes('*')) return t('Everything that happens');
  return list.map(eventWords).join('; ');
}

export async function render(main, _params, app) {
  const isAdmin = app.session && app.session.agent && app.session.agent.role === 'admin';
  main.append(h('h1', {}, t('Connected systems')),
    h('p', {}, t('When something happens at the desk, rapport can tell another system by sending it a signed message.'), ' ',
      t('Each message is sent again until it arrives, and never counts twice.')));
  if (!isAdmin) {
    main.append(h('p', { class: 'muted' }, t('Only an administrator can see and change the connected systems. Ask one of them.')));
    return undefined;
  }
  const list = h('div', { id: 'webhook-list' });
  const shown = h('div', { id: 'webhook-secret', role: 'status' });

  async function deliveriesOf(w, box) {
    clear(box);
    const data = await api.get(`/api/v1/webhooks/${w.id}/deliveries${api.qs({ limit: 20 })}`);
    const rows = api.items(data);
    if (!rows.length) { box.append(h('p', { class: 'muted' }, t('Nothing has been sent yet.'))); return; }
    const states = statusWords();
    box.append(h('table', { class: 'list' },
      h('caption', { class: 'sr-only' }, t('Recent messages')),
      h('thead', {}, h('tr', {}, [t('What happened'), t('When'), t('How it went'), t('Tries'), t('Reference')].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows.map((d) => h('tr', { dataset: { status: d.status } },
        h('td', { 'data-label': t('What happened') }, eventWords(d.kind)),
        h('td', { 'data-label': t('When') }, fmtTime(d.created_at)),
        h('td', { 'data-label': t('How it went') }, said(states, d.status),
          d.status !== 'delivered' && d.last_error ? h('span', { class: 'muted' }, ` (${failureWords(d.last_error)})`) : null),
        h('td', { 'data-label': t('Tries') }, num(d.attempts)),
        h('td', { 'data-label': t('Reference') }, h('code', {}, d.delivery_id)))))));
  }

  function card(w) {
    const box = h('div', { class: 'deliveries' });
    const err = h('p', { class: 'error', role: 'alert' });
    const toggle = h('button', { type: 'button' }, w.active ? t('Stop sending') : t('Start sending again'));
    toggle.addEventListener('click', async () => {
      err.textContent = '';
      try {
        await api.patch(`/api/v1/webhooks/${w.id}`, { active: !w.active });
        announce(w.active ? t('Stopped sending to that system.') : t('Sending to that system again.'));
        await load();
      } catch (e) { err.textContent = e.message; }
    });
    const remove = h('button', { type: 'button', class: 'danger' }, t('Remove'));
    remove.addEventListener('click', async () => {
      if (!window.confirm(t('Stop telling {address} anything, and forget what was sent to it?', { address: w.url }))) return;
      err.textContent = '';
      try {
        await api.del(`/api/v1/webhooks/${w.id}`);
        announce(t('The connection was removed.'));
        await load();
      } catch (e) { err.textContent = e.message; }
    });
    const recent = h('button', { type: 'button' }, t('Show recent messages'));
    recent.addEventListener('click', async () => {
      err.textContent = '';
      try { await deliveriesOf(w, box); } catch (e) { err.textContent = e.message; }
    });
    const last = w.last_status
      ? t('{how} ({when})', { how: said(lastWords(), w.last_status), when: fmtTime(w.last_attempt_at) })
      : t('Nothing sent yet');
    return h('section', { class: 'card', dataset: { webhook: String(w.id) } },
      h('h2', {}, w.description || w.url),
      w.description ? h('p', {}, t('Address:'), ' ', h('code', {}, w.url)) : null,
      h('p', {}, t('Told when:'), ' ', whatItHears(w.events)),
      h('p', {}, w.active ? last : t('Turned off: nothing is sent until it is started again.'),
        w.last_status === 'failed' || w.last_status === 'retrying'
          ? h('span', { class: 'muted' }, ` ${failureWords(w.last_error)}`) : null),
      h('div', { class: 'row' }, recent, toggle, remove), err, box);
  }

  async function load() {
    const data = await api.get(`/api/v1/webhooks${api.qs({ limit: 100 })}`);
    clear(list);
    const rows = api.items(data);
    if (!rows.length) list.append(h('p', { class: 'muted' }, t('No system is connected yet.')));
    for (const w of rows) list.append(card(w));
  }

  const url = h('input', { type: 'url', name: 'url', id: 'webhook-url', required: true, placeholder: 'https://' });
  const description = h('input', { type: 'text', name: 'description', id: 'webhook-description' });
  const checks = Object.entries(eventWordsMap()).map(([kind, words]) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'events', value: kind }), ` ${words}`));
  const all = h('input', { type: 'checkbox', name: 'all', id: 'webhook-all' });
  const addErr = h('p', { class: 'error', role: 'alert' });
  const add = h('form', { class: 'card', novalidate: true, id: 'webhook-add' },
    h('h2', {}, t('Connect a system')),
    field(t('Address that receives the messages'), url, { field: 'url', hint: t('The web address the other system gave you for this.') }),
    field(t('What it is (for you)'), description, { field: 'description' }),
    h('fieldset', { dataset: { field: 'events' } }, h('legend', {}, t('Tell it when')),
      h('label', { class: 'check' }, all, ' ', t('Anything happens')), checks),
    addErr, h('button', { type: 'submit' }, t('Connect')));
  add.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    addErr.textContent = '';
    clear(shown);
    const events = all.checked ? ['*']
      : [...add.querySelectorAll('input[name=events]:checked')].map((c) => c.value);
    const body = { url: url.value.trim(), events };
    if (description.value.trim()) body.description = description.value.trim();
    try {
      const w = await api.post('/api/v1/webhooks', body);
      shown.append(h('div', { class: 'card' },
        h('h2', {}, t('Copy the signing key now')),
        h('p', {}, t('The other system checks each message with this key. It is shown only this once.')),
        h('p', {}, h('code', { id: 'webhook-secret-value', class: 'secret' }, w.secret))));
      add.reset();
      announce(t('The system is connected. Copy its signing key now.'));
      await load();
    } catch (e) {
      addErr.textContent = e.message;
    }
  });

  main.append(shown, list, add);
  await load();
  return undefined;
}
