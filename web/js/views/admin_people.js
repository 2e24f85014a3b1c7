/*
 * admin_people.js - the People pages of Admin: agents (an admin adds
 * them, gives a role and skills, says whether they take new work, sets a
 * new password, turns an account off or on again) and queues (a lead adds
 * them and says which skills their work needs, which topics and channels
 * they take).
 */
import * as api from '../api.js';
import { h, field, clear, announce } from '../dom.js';
import { showError, clearErrors, words } from './admin.js';

const ROLE_WORDS = { agent: 'Agent', lead: 'Team lead', admin: 'Administrator' };
const CHANNEL_WORDS = { in_person: 'In person', phone: 'Phone', email: 'Email', chat: 'Chat', web: 'Web form' };

function roleSelect(id, value) {
  return h('select', { id, name: 'role' },
    Object.entries(ROLE_WORDS).map(([v, t]) => h('option', { value: v, selected: v === value }, t)));
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
  const editBox = h('div', { id: 'agent-edit' });

  function editor(a) {
    clear(editBox);
    const status = h('p', { class: 'ok', role: 'status' });
    const fail = h('div');
    const role = roleSelect('agent-edit-role', a.role);
    const skills = h('input', { type: 'text', id: 'agent-edit-skills', value: (a.skills || []).join(', ') });
    const available = h('input', { type: 'checkbox', id: 'agent-edit-available', checked: a.available });
    const form = h('form', { class: 'card', novalidate: true, id: 'agent-edit-form' },
      h('h2', { tabindex: '-1' }, `Change ${a.name}`),
      field('Role', role, { field: 'role' }),
      field('Skills', skills, { field: 'skills', hint: 'Words separated by commas, such as billing, spanish. Queues offer their work to agents with their skills.' }),
      h('div', { class: 'field', dataset: { field: 'available' } },
        h('label', { class: 'check' }, available, ' Takes new encounters now')),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save the changes')), fail, status);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form, fail);
      try {
        await api.patch(`/api/v1/agents/${a.id}`, { role: role.value, skills: words(skills.value), available: available.checked });
        status.textContent = `${a.name} is saved.`;
        announce(status.textContent);
        await load();
      } catch (e) { showError(form, fail, e); }
    });

    const pw = h('input', { type: 'password', id: 'agent-new-password', autocomplete: 'new-password' });
    const pwFail = h('div');
    const pwStatus = h('p', { class: 'ok', role: 'status' });
    const pwForm = h('form', { class: 'card', novalidate: true, id: 'agent-password-form' },
      h('h2', {}, 'Reset the password'),
      field('New password', pw, { field: 'password', hint: 'At least 10 characters. Tell it to the agent in person; their open sessions end now.' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Set the new password')), pwFail, pwStatus);
    pwForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(pwForm, pwFail);
      try {
        await api.patch(`/api/v1/agents/${a.id}`, { password: pw.value });
        pw.value = '';
        pwStatus.textContent = `${a.name} has a new password. They sign in again with it.`;
        announce(pwStatus.textContent);
      } catch (e) { showError(pwForm, pwFail, e); }
    });

    const onOff = h('button', { type: 'button', class: a.active ? 'danger' : null, id: 'agent-active-toggle' },
      a.active ? 'Turn this account off' : 'Turn this account on again');
    const onOffFail = h('div');
    onOff.addEventListener('click', async () => {
      if (a.active && !window.confirm(`${a.name} will be signed out and can no longer sign in. Their history stays. Go on?`)) return;
      clear(onOffFail);
      try {
        const changed = await api.patch(`/api/v1/agents/${a.id}`, { active: !a.active });
        announce(changed.active ? `${a.name} can sign in again.` : `${a.name} can no longer sign in.`);
        await load();
        editor(changed);
      } catch (e) { showError(editBox, onOffFail, e); }
    });
    editBox.append(form, pwForm,
      h('section', { class: 'card' }, h('h2', {}, 'Account'),
        h('p', {}, a.active ? `${a.name} can sign in.` : `${a.name} cannot sign in.`), onOff, onOffFail));
    form.querySelector('h2').focus();
  }

  async function load() {
    const rows = await allOf('/api/v1/agents');
    clear(list);
    list.append(h('table', { class: 'list' },
      h('caption', { class: 'sr-only' }, 'Agents'),
      h('thead', {}, h('tr', {}, ['Name', 'Email', 'Role', 'Skills', 'New work', 'Account', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((a) => {
        const change = h('button', { type: 'button', class: 'link' }, 'Change');
        change.setAttribute('aria-label', `Change ${a.name}`);
        change.addEventListener('click', () => editor(a));
        return h('tr', { dataset: { agent: String(a.id) } },
          h('td', { 'data-label': 'Name' }, a.name),
          h('td', { 'data-label': 'Email' }, a.email),
          h('td', { 'data-label': 'Role' }, ROLE_WORDS[a.role] || a.role),
          h('td', { 'data-label': 'Skills' }, (a.skills || []).join(', ') || 'none'),
          h('td', { 'data-label': 'New work' }, a.available ? 'Takes new encounters' : 'Not now'),
          h('td', { 'data-label': 'Account' }, a.active ? 'On' : 'Turned off'),
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
    h('h2', {}, 'Add an agent'),
    field('Name', name, { field: 'name' }),
    field('Email address', email, { field: 'email', hint: 'They sign in with it.' }),
    field('Role', role, { field: 'role', hint: 'A team lead also sets up queues, the charter and the catalogue; an administrator sets up everything.' }),
    field('Skills', skills, { field: 'skills', hint: 'Words separated by commas, such as billing, spanish.' }),
    field('First password', password, { field: 'password', hint: 'At least 10 characters. Leave it empty for an account that only uses API tokens.' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Add the agent')), fail, status);
  add.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(add, fail);
    const body = { name: name.value.trim(), email: email.value.trim(), role: role.value, skills: words(skills.value) };
    if (password.value) body.password = password.value;
    try {
      const a = await api.post('/api/v1/agents', body);
      add.reset();
      status.textContent = `${a.name} is added.`;
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
  return Object.entries(CHANNEL_WORDS).map(([v, t]) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: `${prefix}-channels`, value: v, checked: (chosen || []).includes(v) }), ` ${t}`));
}

function queueForm(id, q, onSaved) {
  const name = h('input', { type: 'text', id: `${id}-name`, required: true, value: q ? q.name : '' });
  const skills = h('input', { type: 'text', id: `${id}-skills`, value: q ? (q.skills || []).join(', ') : '' });
  const topics = h('input', { type: 'text', id: `${id}-topics`, value: q ? (q.topics || []).join(', ') : '' });
  const fail = h('div');
  const status = h('p', { class: 'ok', role: 'status' });
  const form = h('form', { class: 'card', novalidate: true, id },
    h('h2', { tabindex: '-1' }, q ? `Change ${q.name}` : 'Add a queue'),
    field('Name', name, { field: 'name' }),
    field('Skills its work needs', skills, { field: 'skills', hint: 'Words separated by commas. New encounters are offered to an available agent with every one of them.' }),
    field('Topics it takes', topics, { field: 'topics', hint: 'Words separated by commas, such as billing, delivery.' }),
    h('fieldset', { dataset: { field: 'channels' } }, h('legend', {}, 'Ways in it takes'), channelChecks(id, q && q.channels)),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, q ? 'Save the changes' : 'Add the queue')), fail, status);
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
      status.textContent = q ? `${saved.name} is saved.` : `${saved.name} is added.`;
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
    if (!rows.length) { list.append(h('p', { class: 'muted' }, 'There is no queue yet.')); return; }
    list.append(h('table', { class: 'list' },
      h('caption', { class: 'sr-only' }, 'Queues'),
      h('thead', {}, h('tr', {}, ['Queue', 'Skills needed', 'Topics', 'Ways in', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((q) => {
        const change = h('button', { type: 'button', class: 'link', 'aria-label': `Change ${q.name}` }, 'Change');
        change.addEventListener('click', () => {
          clear(editBox);
          const f = queueForm('queue-edit-form', q, load);
          editBox.append(f);
          f.querySelector('h2').focus();
        });
        return h('tr', { dataset: { queue: String(q.id) } },
          h('td', { 'data-label': 'Queue' }, q.name),
          h('td', { 'data-label': 'Skills needed' }, (q.skills || []).join(', ') || 'none'),
          h('td', { 'data-label': 'Topics' }, (q.topics || []).join(', ') || 'none'),
          h('td', { 'data-label': 'Ways in' }, (q.channels || []).map((c) => CHANNEL_WORDS[c] || c).join(', ') || 'none'),
          h('td', {}, change));
      }))));
  }
  root.append(list, editBox, queueForm('queue-add', null, load),
    h('p', { class: 'muted' }, 'Business hours and holidays of each queue are set on the ',
      h('a', { href: '#/admin/charter' }, 'service charter'), ' page.'));
  await load();
  return undefined;
}
