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
import { t } from '../i18n.js';
import { showError, clearErrors } from './admin.js';
import { taskKindWords } from './admin_labels.js';

/* The outbox's states, as the list's choices say them. */
function outboxStates() {
  return [
    ['scheduled', t('Waiting to be sent')],
    ['sent', t('Sent')],
    ['held', t('Held')],
    ['failed', t('Could not be sent')],
  ];
}

/* Whether email can be sent, and where its settings come from, in words. */
function emailSource(ch) {
  if (!ch || !ch.configured) return t('Email is not set up: nothing of this kind can be sent.');
  return ch.source === 'console' ? t('Email is set up here.') : t('Email is set up in the server’s own settings; what you save here replaces them.');
}

/* The same for text messages. */
function textSource(ch) {
  if (!ch || !ch.configured) return t('Text messages are not set up: nothing of this kind can be sent.');
  return ch.source === 'console' ? t('Text messages are set up here.') : t('Text messages are set up in the server’s own settings; what you save here replaces them.');
}

/* Why a task is held or failed, in words an admin acts on; what the server said when the reason is not known. */
function reasonWords(text) {
  if (!text) return '';
  if (/not configured/i.test(text)) return t('sending is not set up on this desk: set the mail server above');
  if (/consent/i.test(text)) return t('the customer has not agreed to this kind of message');
  if (/no (email|address|phone)/i.test(text)) return t('the customer has no address to send it to');
  return text;
}

async function outbox(box) {
  const states = outboxStates();
  const kinds = taskKindWords();
  const pick = h('select', { id: 'outbox-status' }, states.map(([v, words]) => h('option', { value: v, selected: v === 'failed' }, words)));
  const table = h('div', { id: 'outbox-list', 'aria-live': 'polite' });
  async function load() {
    const rows = api.items(await api.get(`/api/v1/tasks${api.qs({ status: pick.value, limit: 50 })}`));
    clear(table);
    if (!rows.length) { table.append(h('p', { class: 'muted' }, t('Nothing here.'))); return; }
    table.append(h('table', { class: 'list' },
      h('caption', { class: 'sr-only' }, states.find(([v]) => v === pick.value)[1]),
      h('thead', {}, h('tr', {}, [t('What'), t('Subject'), t('When'), t('Why'), ''].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows.map((task) => {
        let retry = null;
        if (task.status === 'held' || task.status === 'failed') {
          retry = h('button', { type: 'button', 'aria-label': task.subject ? t('Try “{subject}” again', { subject: task.subject }) : t('Try this message again') }, t('Try again'));
          retry.addEventListener('click', async () => {
            try {
              await api.post(`/api/v1/tasks/${task.id}/retry`, {});
              announce(t('It will be tried again at the next run.'));
              await load();
            } catch (e) { announce(e.message); }
          });
        }
        const when = task.sent_at || task.next_attempt_at || task.due_at;
        const kind = kinds[task.kind] || t('Message');
        return h('tr', { dataset: { task: String(task.id) } },
          h('td', { 'data-label': t('What') }, task.channel === 'sms' ? t('{kind} by text message', { kind }) : t('{kind} by email', { kind })),
          h('td', { 'data-label': t('Subject') }, task.subject || t('no subject')),
          h('td', { 'data-label': t('When') }, when ? fmtWhen(when) : ''),
          h('td', { 'data-label': t('Why') }, reasonWords(task.last_error)),
          h('td', {}, retry));
      }))));
  }
  pick.addEventListener('change', () => load().catch((e) => announce(e.message)));
  box.append(h('section', { class: 'card', id: 'outbox' }, h('h2', {}, t('Outbox')),
    h('p', { class: 'hint' }, t('Reminders, follow-ups and satisfaction checks the desk sends, by how they went.')),
    field(t('Show'), pick), table));
  await load();
}

export async function delivery(root) {
  const statusBox = h('div', { id: 'delivery-status', role: 'status' });
  async function loadStatus() {
    const st = await api.get('/api/v1/delivery/status');
    clear(statusBox);
    statusBox.append(h('p', { class: st.email.configured ? null : 'flag' }, emailSource(st.email)),
      h('p', { class: 'muted' }, textSource(st.text_messages)));
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
    passSet.textContent = x.smtp_password_set ? t('A password is set. Leave this empty to keep it.') : t('No password is set.');
    keySet.textContent = x.webhook_secret_set ? t('A signing key is set. Leave this empty to keep it.') : t('No signing key is set.');
  }
  showSecrets(s);
  const fail = h('div');
  const saved = h('p', { class: 'ok', role: 'status' });
  const form = h('form', { class: 'card', novalidate: true, id: 'delivery-form' },
    h('h2', {}, t('Email')),
    field(t('Mail server'), url, { field: 'smtp_url', hint: t('The address your email provider gives, starting smtp:// (or smtps:// for a secure connection), with its port. Leave it empty to send no email from here.') }),
    field(t('Send email from'), from, { field: 'smtp_from', hint: t('The address customers see and reply to.') }),
    field(t('User name at the mail server'), user, { field: 'smtp_user' }),
    field(t('Password at the mail server'), pass, { field: 'smtp_password' }), passSet,
    h('label', { class: 'check' }, forget, ' ', t('Remove the saved password')),
    h('h2', {}, t('Text messages')),
    field(t('Text-message service address'), hook, { field: 'webhook_url', hint: t('Where rapport posts each text message; your text-message provider gives it.') }),
    field(t('Signing key'), key, { field: 'webhook_secret' }), keySet,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('Save the settings'))), fail, saved);
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
      /* the status first, so the page says "saved" once all of it shows the new settings */
      await loadStatus().catch(() => {});
      saved.textContent = t('The settings are saved. The next messages go out with them.');
      announce(saved.textContent);
    } catch (e) { showError(form, fail, e); }
  });

  const to = h('input', { type: 'email', id: 'test-to', autocomplete: 'email',
    value: '' });
  const testFail = h('div');
  const testResult = h('p', { role: 'status', id: 'test-result' });
  const test = h('form', { class: 'card', novalidate: true, id: 'delivery-test' },
    h('h2', {}, t('Send a test')),
    field(t('Send a test email to'), to, { field: 'to', hint: t('Use an address you can read, to see that it arrives.') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('Send a test'))), testFail, testResult);
  test.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(test, testFail);
    testResult.textContent = t('Sending…');
    testResult.className = '';
    try {
      const r = await api.post('/api/v1/delivery/test', { to: to.value.trim() });
      testResult.className = r.sent ? 'ok' : 'error';
      testResult.textContent = r.sent
        ? t('The mail server took the test message for {to}. Check that it arrived.', { to: r.to })
        : t('The test message was not sent: {problem}. Check the mail server’s address, user name and password, and try again.', { problem: r.problem });
    } catch (e) {
      testResult.textContent = '';
      showError(test, testFail, e);
    }
  });

  root.append(h('section', { class: 'card' }, h('h2', {}, t('Can the desk send?')), statusBox), form, test);
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
    h('strong', {}, t('Email cannot be sent.')), ' ',
    t('Reminders, satisfaction checks and replies wait until a mail server is set up.'), ' ',
    isAdmin ? h('a', { href: '#/admin/delivery' }, t('Set up email now.')) : t('Ask an administrator to set up email.'));
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
    if (!rows.length) { list.append(h('p', { class: 'muted' }, t('There is no API token yet.'))); return; }
    list.append(h('table', { class: 'list' },
      h('caption', { class: 'sr-only' }, t('API tokens')),
      h('thead', {}, h('tr', {}, [t('What it is for'), t('Whose'), t('Made'), t('Last used'), t('Works until'), ''].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows.map((tok) => {
        let revoke = null;
        if (!tok.revoked_at) {
          revoke = h('button', { type: 'button', class: 'danger', 'aria-label': t('Revoke “{name}”', { name: tok.name }) }, t('Revoke'));
          revoke.addEventListener('click', async () => {
            if (!window.confirm(t('Programs using “{name}” stop working at once. Go on?', { name: tok.name }))) return;
            try {
              await api.del(`/api/v1/tokens/${tok.id}`);
              announce(t('“{name}” is revoked.', { name: tok.name }));
              await load();
            } catch (e) { announce(e.message); }
          });
        }
        const mine = app.session && app.session.agent && app.session.agent.id === tok.agent_id;
        return h('tr', { dataset: { token: String(tok.id) } },
          h('td', { 'data-label': t('What it is for') }, tok.name || t('unnamed')),
          h('td', { 'data-label': t('Whose') }, mine ? t('yours') : (names.get(tok.agent_id) || t('another agent’s'))),
          h('td', { 'data-label': t('Made') }, fmtTime(tok.created_at)),
          h('td', { 'data-label': t('Last used') }, tok.last_used_at ? fmtWhen(tok.last_used_at) : t('never')),
          h('td', { 'data-label': t('Works until') }, tok.revoked_at ? t('revoked {when}', { when: fmtTime(tok.revoked_at) }) : (tok.expires_at ? fmtTime(tok.expires_at) : t('until it is revoked'))),
          h('td', {}, revoke));
      }))));
  }
  const name = h('input', { type: 'text', id: 'token-name', required: true });
  const until = h('input', { type: 'date', id: 'token-until' });
  const fail = h('div');
  const form = h('form', { class: 'card', novalidate: true, id: 'token-add' },
    h('h2', {}, t('Make a token')),
    field(t('What it is for'), name, { field: 'name', hint: t('Such as “the shop’s order system”, so you know later what to revoke.') }),
    field(t('Works until (optional)'), until, { field: 'expires_at', hint: t('Leave it empty for a token that works until it is revoked.') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('Make the token'))), fail);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form, fail);
    clear(shown);
    const body = { name: name.value.trim() };
    if (until.value) body.expires_at = new Date(`${until.value}T23:59:59`).toISOString().replace(/\.\d+Z$/, 'Z');
    try {
      const made = await api.post('/api/v1/tokens', body);
      shown.append(h('section', { class: 'card', role: 'status' },
        h('h2', {}, t('Copy the token now')),
        h('p', {}, t('The program that uses it sends it with each request. It is shown only this once: if it is lost, revoke it and make another.')),
        h('p', {}, h('code', { id: 'token-secret-value', class: 'secret' }, made.token))));
      form.reset();
      announce(t('The token is made. Copy it now: it is shown only this once.'));
      await load();
    } catch (e) { showError(form, fail, e); }
  });
  root.append(shown, list, form);
  await load();
  return undefined;
}
