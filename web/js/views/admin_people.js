/*
 * admin_people.js - the People pages of Admin: agents (an admin adds
 * them, gives a role and skills, says whether they take new work, sets a
 * new password, turns an account off or on again) and queues (a lead adds
 * them and says which skills their work needs, which topics and channels
 * they take).
 */
import * as api from '../api.js';
import { h, field, clear, announce } from '../dom.js';
import { t } from '../i18n.js';
import { showError, clearErrors, words } from './admin.js';
import { roleWords, channelWords, said, withLink, pageLink } from './admin_labels.js';

/* The ways in a queue can take, in the order they are offered. */
const QUEUE_CHANNELS = ['in_person', 'phone', 'email', 'chat', 'web'];

function roleSelect(id, value) {
  return h('select', { id, name: 'role' },
    Object.entries(roleWords()).map(([v, words]) => h('option', { value: v, selected: v === value }, words)));
}

async function allOf(path) {
  const out = [];
  let cursor = null;
  for (let i = 0; i < 50; i++) {
    const page = await api.get(`${path}${api.qs({ limit: 100, cursor })}`);
    out.push(...api.items(page));
    cursor = page && page.next_cursor;
    if (!cursor) break;
  }
  return out;
}

/* ---- agents ------------------------------------------------------------ */

export async function agents(root, app) {
  const list = h('div', { id: 'agent-list' });
  const roles = roleWords();
  const editBox = h('div', { id: 'agent-edit' });

  function editor(a) {
    clear(editBox);
    const status = h('p', { class: 'ok', role: 'status' });
    const fail = h('div');
    const role = roleSelect('agent-edit-role', a.role);
    const skills = h('input', { type: 'text', id: 'agent-edit-skills', value: (a.skills || []).join(', ') });
    const available = h('input', { type: 'checkbox', id: 'agent-edit-available', checked: a.available });
    const form = h('form', { class: 'card', novalidate: true, id: 'agent-edit-form' },
      h('h2', { tabindex: '-1' }, t('Change {name}', { name: a.name })),
      field(t('Role'), role, { field: 'role' }),
      field(t('Skills'), skills, { field: 'skills', hint: t('Words separated by commas, such as billing, spanish. Queues offer their work to agents with their skills.') }),
      h('div', { class: 'field', dataset: { field: 'available' } },
        h('label', { class: 'check' }, available, ' ', t('Takes new encounters now'))),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('Save the changes'))), fail, status);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form, fail);
      try {
        await api.patch(`/api/v1/agents/${a.id}`, { role: role.value, skills: words(skills.value), available: available.checked });
        status.textContent = t('{name} is saved.', { name: a.name });
        announce(status.textContent);
        await load();
      } catch (e) { showError(form, fail, e); }
    });

    const pw = h('input', { type: 'password', id: 'agent-new-password', autocomplete: 'new-password' });
    const pwFail = h('div');
    const pwStatus = h('p', { class: 'ok', role: 'status' });
    const pwForm = h('form', { class: 'card', novalidate: true, id: 'agent-password-form' },
      h('h2', {}, t('Reset the password')),
      field(t('New password'), pw, { field: 'password', hint: t('At least 10 characters. Tell it to the agent in person; their open sessions end now.') }),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('Set the new password'))), pwFail, pwStatus);
    pwForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(pwForm, pwFail);
      try {
        await api.patch(`/api/v1/agents/${a.id}`, { password: pw.value });
        pw.value = '';
        pwStatus.textContent = t('{name} has a new password. They sign in again with it.', { name: a.name });
        announce(pwStatus.textContent);
      } catch (e) { showError(pwForm, pwFail, e); }
    });

    const onOff = h('button', { type: 'button', class: a.active ? 'danger' : null, id: 'agent-active-toggle' },
      a.active ? t('Turn this account off') : t('Turn this account on again'));
    const onOffFail = h('div');
    onOff.addEventListener('click', async () => {
      if (a.active && !window.confirm(t('{name} will be signed out and can no longer sign in. Their history stays. Go on?', { name: a.name }))) return;
      clear(onOffFail);
      try {
        const changed = await api.patch(`/api/v1/agents/${a.id}`, { active: !a.active });
        announce(changed.active ? t('{name} can sign in again.', { name: a.name }) : t('{name} can no longer sign in.', { name: a.name }));
        await load();
        editor(changed);
      } catch (e) { showError(editBox, onOffFail, e); }
    });
    editBox.append(form, pwForm,
      h('section', { class: 'card' }, h('h2', {}, t('Account')),
        h('p', {}, a.active ? t('{name} can sign in.', { name: a.name }) : t('{name} cannot sign in.', { name: a.name })), onOff, onOffFail));
    form.querySelector('h2').focus();
  }

  async function load() {
    const rows = await allOf('/api/v1/agents');
    clear(list);
    list.append(h('table', { class: 'list' },
      h('caption', { class: 'sr-only' }, t('Agents')),
      h('thead', {}, h('tr', {}, [t('Name'), t('Email'), t('Role'), t('Skills'), t('New work'), t('Account'), ''].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows.map((a) => {
        const change = h('button', { type: 'button', class: 'link' }, t('Change'));
        change.setAttribute('aria-label', t('Change {name}', { name: a.name }));
        change.addEventListener('click', () => editor(a));
        return h('tr', { dataset: { agent: String(a.id) } },
          h('td', { 'data-label': t('Name') }, a.name),
          h('td', { 'data-label': t('Email') }, a.email),
          h('td', { 'data-label': t('Role') }, said(roles, a.role)),
          h('td', { 'data-label': t('Skills') }, (a.skills || []).join(', ') || t('none')),
          h('td', { 'data-label': t('New work') }, a.available ? t('Takes new encounters') : t('Not now')),
          h('td', { 'data-label': t('Account') }, a.active ? t('On') : t('Turned off')),
          h('td', {}, change));
      }))));
  }

  const name = h('input', { type: 'text', id: 'agent-name', required: true, autocomplete: 'off' });
  const email = h('input', { type: 'email', id: 'agent-email', required: true, autocomplete: 'off' });
  const role = roleSelect('agent-role', 'agent');
  const skills = h('input', { type: 'text', id: 'agent-skills' });
  const password = h('input', { type: 'password', id: 'agent-password', autocomplete: 'new-password' });
  const fail = h('div');
  const status = h('p', { class: 'ok', role: 'status' });
  const add = h('form', { class: 'card', novalidate: true, id: 'agent-add' },
    h('h2', {}, t('Add an agent')),
    field(t('Name'), name, { field: 'name' }),
    field(t('Email address'), email, { field: 'email', hint: t('They sign in with it.') }),
    field(t('Role'), role, { field: 'role', hint: t('A team lead also sets up queues, the charter and the catalogue; an administrator sets up everything.') }),
    field(t('Skills'), skills, { field: 'skills', hint: t('Words separated by commas, such as billing, spanish.') }),
    field(t('First password'), password, { field: 'password', hint: t('At least 10 characters. Leave it empty for an account that only uses API tokens.') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('Add the agent'))), fail, status);
  add.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(add, fail);
    const body = { name: name.value.trim(), email: email.value.trim(), role: role.value, skills: words(skills.value) };
    if (password.value) body.password = password.value;
    try {
      const a = await api.post('/api/v1/agents', body);
      add.reset();
      status.textContent = t('{name} is added.', { name: a.name });
      announce(status.textContent);
      await load();
    } catch (e) { showError(add, fail, e); }
  });
  root.append(list, editBox, add);
  await load();
  return undefined;
}

/* ---- queues ------------------------------------------------------------ */

function channelChecks(prefix, chosen) {
  const names = channelWords();
  return QUEUE_CHANNELS.map((v) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: `${prefix}-channels`, value: v, checked: (chosen || []).includes(v) }), ` ${names[v]}`));
}

function queueForm(id, q, onSaved) {
  const name = h('input', { type: 'text', id: `${id}-name`, required: true, value: q ? q.name : '' });
  const skills = h('input', { type: 'text', id: `${id}-skills`, value: q ? (q.skills || []).join(', ') : '' });
  const topics = h('input', { type: 'text', id: `${id}-topics`, value: q ? (q.topics || []).join(', ') : '' });
  const fail = h('div');
  const status = h('p', { class: 'ok', role: 'status' });
  const form = h('form', { class: 'card', novalidate: true, id },
    h('h2', { tabindex: '-1' }, q ? t('Change {name}', { name: q.name }) : t('Add a queue')),
    field(t('Name'), name, { field: 'name' }),
    field(t('Skills its work needs'), skills, { field: 'skills', hint: t('Words separated by commas. New encounters are offered to an available agent with every one of them.') }),
    field(t('Topics it takes'), topics, { field: 'topics', hint: t('Words separated by commas, such as billing, delivery.') }),
    h('fieldset', { dataset: { field: 'channels' } }, h('legend', {}, t('Ways in it takes')), channelChecks(id, q && q.channels)),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, q ? t('Save the changes') : t('Add the queue'))), fail, status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form, fail);
    const body = {
      name: name.value.trim(), skills: words(skills.value), topics: words(topics.value),
      channels: [...form.querySelectorAll(`input[name="${id}-channels"]:checked`)].map((c) => c.value),
    };
    try {
      const saved = q ? await api.patch(`/api/v1/queues/${q.id}`, body) : await api.post('/api/v1/queues', body);
      if (!q) form.reset();
      status.textContent = q ? t('{name} is saved.', { name: saved.name }) : t('{name} is added.', { name: saved.name });
      announce(status.textContent);
      await onSaved(saved);
    } catch (e) { showError(form, fail, e); }
  });
  return form;
}

export async function queues(root) {
  const list = h('div', { id: 'queue-list' });
  const editBox = h('div', { id: 'queue-edit' });
  async function load() {
    const rows = await allOf('/api/v1/queues');
    clear(list);
    if (!rows.length) { list.append(h('p', { class: 'muted' }, t('There is no queue yet.'))); return; }
    const ways = channelWords();
    list.append(h('table', { class: 'list' },
      h('caption', { class: 'sr-only' }, t('Queues')),
      h('thead', {}, h('tr', {}, [t('Queue'), t('Skills needed'), t('Topics'), t('Ways in'), ''].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows.map((q) => {
        const change = h('button', { type: 'button', class: 'link', 'aria-label': t('Change {name}', { name: q.name }) }, t('Change'));
        change.addEventListener('click', () => {
          clear(editBox);
          const f = queueForm('queue-edit-form', q, load);
          editBox.append(f);
          f.querySelector('h2').focus();
        });
        return h('tr', { dataset: { queue: String(q.id) } },
          h('td', { 'data-label': t('Queue') }, q.name),
          h('td', { 'data-label': t('Skills needed') }, (q.skills || []).join(', ') || t('none')),
          h('td', { 'data-label': t('Topics') }, (q.topics || []).join(', ') || t('none')),
          h('td', { 'data-label': t('Ways in') }, (q.channels || []).map((c) => said(ways, c)).join(', ') || t('none')),
          h('td', {}, change));
      }))));
  }
  root.append(list, editBox, queueForm('queue-add', null, load),
    h('p', { class: 'muted' }, withLink(t('Business hours and holidays of each queue are set on the {link} page.'),
      pageLink('#/admin/charter', t('service charter')))));
  await load();
  return undefined;
}
