/*
 * admin_channels.js - the Channels pages of Admin: how the desk reaches
 * customers (the mail server and the text-message service an admin keeps
 * in the database, a test message, and the outbox of what was sent, held
 * and could not be sent) and the API tokens (made with the secret shown
 * once, listed, revoked).
 *
 * Secrets never come back from the server: the page says whether one is
 * set, and a new one replaces it only when typed.
 */
import * as api from '../api.js';
import { h, field, clear, announce } from '../dom.js';
import { fmtTime, fmtWhen } from '../format.js';
import { showError, clearErrors } from './admin.js';

const KIND_WORDS = {
  reminder: 'Reminder',
  renewal_notice: 'Renewal notice',
  satisfaction_check: 'Satisfaction check',
  keep_in_touch: 'Keeping in touch',
  follow_up: 'Follow-up',
};
const OUTBOX = [
  ['scheduled', 'Waiting to be sent'],
  ['sent', 'Sent'],
  ['held', 'Held'],
  ['failed', 'Could not be sent'],
];

/* Where a channel's settings come from, in words. */
function sourceWords(ch, what) {
  if (!ch || !ch.configured) return `${what} is not set up: nothing of this kind can be sent.`;
  return ch.source === 'console' ? `${what} is set up here.` : `${what} is set up in the server’s own settings; what you save here replaces them.`;
}

/* Why a task is held or failed, in words an admin acts on. */
function reasonWords(text) {
  if (!text) return '';
  if (/not configured/i.test(text)) return 'sending is not set up on this desk: set the mail server above';
  if (/consent/i.test(text)) return 'the customer has not agreed to this kind of message';
  if (/no (email|address|phone)/i.test(text)) return 'the customer has no address to send it to';
  return text;
}

async function outbox(box) {
  const pick = h('select', { id: 'outbox-status' }, OUTBOX.map(([v, t]) => h('option', { value: v, selected: v === 'failed' }, t)));
  const table = h('div', { id: 'outbox-list', 'aria-live': 'polite' });
  async function load() {
    const rows = api.items(await api.get(`/api/v1/tasks${api.qs({ status: pick.value, limit: 50 })}`));
    clear(table);
    if (!rows.length) { table.append(h('p', { class: 'muted' }, 'Nothing here.')); return; }
    table.append(h('table', { class: 'list' },
      h('caption', { class: 'sr-only' }, OUTBOX.find(([v]) => v === pick.value)[1]),
      h('thead', {}, h('tr', {}, ['What', 'Subject', 'When', 'Why', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((t) => {
        let retry = null;
        if (t.status === 'held' || t.status === 'failed') {
          retry = h('button', { type: 'button', 'aria-label': `Try “${t.subject || 'this message'}” again` }, 'Try again');
          retry.addEventListener('click', async () => {
            try {
              await api.post(`/api/v1/tasks/${t.id}/retry`, {});
              announce('It will be tried again at the next run.');
              await load();
            } catch (e) { announce(e.message); }
          });
        }
        const when = t.sent_at || t.next_attempt_at || t.due_at;
        return h('tr', { dataset: { task: String(t.id) } },
          h('td', { 'data-label': 'What' }, `${KIND_WORDS[t.kind] || 'Message'} by ${t.channel === 'sms' ? 'text message' : 'email'}`),
          h('td', { 'data-label': 'Subject' }, t.subject || 'no subject'),
          h('td', { 'data-label': 'When' }, when ? fmtWhen(when) : ''),
          h('td', { 'data-label': 'Why' }, reasonWords(t.last_error)),
          h('td', {}, retry));
      }))));
  }
  pick.addEventListener('change', () => load().catch((e) => announce(e.message)));
  box.append(h('section', { class: 'card', id: 'outbox' }, h('h2', {}, 'Outbox'),
    h('p', { class: 'hint' }, 'Reminders, follow-ups and satisfaction checks the desk sends, by how they went.'),
    field('Show', pick), table));
  await load();
}

export async function delivery(root) {
  const statusBox = h('div', { id: 'delivery-status', role: 'status' });
  async function loadStatus() {
    const st = await api.get('/api/v1/delivery/status');
    clear(statusBox);
    statusBox.append(h('p', { class: st.email.configured ? null : 'flag' }, sourceWords(st.email, 'Email')),
      h('p', { class: 'muted' }, sourceWords(st.text_messages, 'Text messages')));
  }
  const s = await api.get('/api/v1/delivery/settings');
  const url = h('input', { type: 'text', id: 'smtp-url', value: s.smtp_url || '', placeholder: 'smtp://mail.example.com:587', autocomplete: 'off' });
  const from = h('input', { type: 'email', id: 'smtp-from', value: s.smtp_from || '', autocomplete: 'off' });
  const user = h('input', { type: 'text', id: 'smtp-user', value: s.smtp_user || '', autocomplete: 'off' });
  const pass = h('input', { type: 'password', id: 'smtp-password', autocomplete: 'new-password' });
  const forget = h('input', { type: 'checkbox', id: 'smtp-password-forget' });
  const passSet = h('p', { class: 'hint', id: 'smtp-password-state' });
  const hook = h('input', { type: 'url', id: 'sms-url', value: s.webhook_url || '', placeholder: 'https://', autocomplete: 'off' });
  const key = h('input', { type: 'password', id: 'sms-key', autocomplete: 'new-password' });
  const keySet = h('p', { class: 'hint', id: 'sms-key-state' });
  function showSecrets(x) {
    passSet.textContent = x.smtp_password_set ? 'A password is set. Leave this empty to keep it.' : 'No password is set.';
    keySet.textContent = x.webhook_secret_set ? 'A signing key is set. Leave this empty to keep it.' : 'No signing key is set.';
  }
  showSecrets(s);
  const fail = h('div');
  const saved = h('p', { class: 'ok', role: 'status' });
  const form = h('form', { class: 'card', novalidate: true, id: 'delivery-form' },
    h('h2', {}, 'Email'),
    field('Mail server', url, { field: 'smtp_url', hint: 'The address your email provider gives, starting smtp:// (or smtps:// for a secure connection), with its port. Leave it empty to send no email from here.' }),
    field('Send email from', from, { field: 'smtp_from', hint: 'The address customers see and reply to.' }),
    field('User name at the mail server', user, { field: 'smtp_user' }),
    field('Password at the mail server', pass, { field: 'smtp_password' }), passSet,
    h('label', { class: 'check' }, forget, ' Remove the saved password'),
    h('h2', {}, 'Text messages'),
    field('Text-message service address', hook, { field: 'webhook_url', hint: 'Where rapport posts each text message; your text-message provider gives it.' }),
    field('Signing key', key, { field: 'webhook_secret' }), keySet,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save the settings')), fail, saved);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form, fail);
    saved.textContent = '';
    const body = {
      smtp_url: url.value.trim() || null,
      smtp_from: from.value.trim() || null,
      smtp_user: user.value.trim() || null,
      webhook_url: hook.value.trim() || null,
    };
    if (forget.checked) body.smtp_password = null;
    else if (pass.value) body.smtp_password = pass.value;
    if (key.value) body.webhook_secret = key.value;
    try {
      const x = await api.put('/api/v1/delivery/settings', body);
      pass.value = '';
      key.value = '';
      forget.checked = false;
      showSecrets(x);
      saved.textContent = 'The settings are saved. The next messages go out with them.';
      announce(saved.textContent);
      await loadStatus();
    } catch (e) { showError(form, fail, e); }
  });

  const to = h('input', { type: 'email', id: 'test-to', autocomplete: 'email',
    value: '' });
  const testFail = h('div');
  const testResult = h('p', { role: 'status', id: 'test-result' });
  const test = h('form', { class: 'card', novalidate: true, id: 'delivery-test' },
    h('h2', {}, 'Send a test'),
    field('Send a test email to', to, { field: 'to', hint: 'Use an address you can read, to see that it arrives.' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Send a test')), testFail, testResult);
  test.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(test, testFail);
    testResult.textContent = 'Sending…';
    testResult.className = '';
    try {
      const r = await api.post('/api/v1/delivery/test', { to: to.value.trim() });
      testResult.className = r.sent ? 'ok' : 'error';
      testResult.textContent = r.sent
        ? `The mail server took the test message for ${r.to}. Check that it arrived.`
        : `The test message was not sent: ${r.problem}. Check the mail server’s address, user name and password, and try again.`;
    } catch (e) {
      testResult.textContent = '';
      showError(test, testFail, e);
    }
  });

  root.append(h('section', { class: 'card' }, h('h2', {}, 'Can the desk send?'), statusBox), form, test);
  await loadStatus();
  await outbox(root);
  return undefined;
}

/*
 * The dashboard's banner when the desk cannot send email: shown to
 * everyone (reminders and replies wait), with the way to mend it for an
 * admin.  Nothing is shown when the status cannot be read.
 */
export async function deliveryBanner(main, isAdmin) {
  let st;
  try { st = await api.get('/api/v1/delivery/status'); } catch { return; }
  if (!st || !st.email || st.email.configured) return;
  const banner = h('div', { class: 'card banner', role: 'alert', id: 'delivery-banner' },
    h('strong', {}, 'Email cannot be sent. '),
    'Reminders, satisfaction checks and replies wait until a mail server is set up. ',
    isAdmin ? h('a', { href: '#/admin/delivery' }, 'Set up email now.') : 'Ask an administrator to set up email.');
  const h1 = main.querySelector('h1');
  if (h1) h1.after(banner); else main.prepend(banner);
}

/* ---- API tokens -------------------------------------------------------- */

export async function tokens(root, app, rank) {
  const list = h('div', { id: 'token-list' });
  const shown = h('div', { id: 'token-secret' });
  const names = new Map();
  if (rank >= 3) {
    try {
      for (const a of api.items(await api.get(`/api/v1/agents${api.qs({ limit: 100 })}`))) names.set(a.id, a.name);
    } catch { /* shown without names */ }
  }
  async function load() {
    const rows = api.items(await api.get(`/api/v1/tokens${api.qs({ limit: 100 })}`));
    clear(list);
    if (!rows.length) { list.append(h('p', { class: 'muted' }, 'There is no API token yet.')); return; }
    list.append(h('table', { class: 'list' },
      h('caption', { class: 'sr-only' }, 'API tokens'),
      h('thead', {}, h('tr', {}, ['What it is for', 'Whose', 'Made', 'Last used', 'Works until', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((t) => {
        let revoke = null;
        if (!t.revoked_at) {
          revoke = h('button', { type: 'button', class: 'danger', 'aria-label': `Revoke “${t.name}”` }, 'Revoke');
          revoke.addEventListener('click', async () => {
            if (!window.confirm(`Programs using “${t.name}” stop working at once. Go on?`)) return;
            try {
              await api.del(`/api/v1/tokens/${t.id}`);
              announce(`“${t.name}” is revoked.`);
              await load();
            } catch (e) { announce(e.message); }
          });
        }
        const mine = app.session && app.session.agent && app.session.agent.id === t.agent_id;
        return h('tr', { dataset: { token: String(t.id) } },
          h('td', { 'data-label': 'What it is for' }, t.name || 'unnamed'),
          h('td', { 'data-label': 'Whose' }, mine ? 'yours' : (names.get(t.agent_id) || 'another agent’s')),
          h('td', { 'data-label': 'Made' }, fmtTime(t.created_at)),
          h('td', { 'data-label': 'Last used' }, t.last_used_at ? fmtWhen(t.last_used_at) : 'never'),
          h('td', { 'data-label': 'Works until' }, t.revoked_at ? `revoked ${fmtTime(t.revoked_at)}` : (t.expires_at ? fmtTime(t.expires_at) : 'until it is revoked')),
          h('td', {}, revoke));
      }))));
  }
  const name = h('input', { type: 'text', id: 'token-name', required: true });
  const until = h('input', { type: 'date', id: 'token-until' });
  const fail = h('div');
  const form = h('form', { class: 'card', novalidate: true, id: 'token-add' },
    h('h2', {}, 'Make a token'),
    field('What it is for', name, { field: 'name', hint: 'Such as “the shop’s order system”, so you know later what to revoke.' }),
    field('Works until (optional)', until, { field: 'expires_at', hint: 'Leave it empty for a token that works until it is revoked.' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Make the token')), fail);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form, fail);
    clear(shown);
    const body = { name: name.value.trim() };
    if (until.value) body.expires_at = new Date(`${until.value}T23:59:59`).toISOString().replace(/\.\d+Z$/, 'Z');
    try {
      const t = await api.post('/api/v1/tokens', body);
      shown.append(h('section', { class: 'card', role: 'status' },
        h('h2', {}, 'Copy the token now'),
        h('p', {}, 'The program that uses it sends it with each request. It is shown only this once: if it is lost, revoke it and make another.'),
        h('p', {}, h('code', { id: 'token-secret-value', class: 'secret' }, t.token))));
      form.reset();
      announce('The token is made. Copy it now: it is shown only this once.');
      await load();
    } catch (e) { showError(form, fail, e); }
  });
  root.append(shown, list, form);
  await load();
  return undefined;
}
