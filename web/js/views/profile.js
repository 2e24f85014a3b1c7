/*
 * profile.js - the customer, editable where they are shown: their details,
 * preferences (firm or flexible: "navy only" is firm, and nothing is ever
 * offered against it), goals, important dates, and consent per purpose
 * with who changed it and when.
 *
 * Each panel keeps itself up to date: after a change it reads its list
 * again and redraws only itself, so what is typed in the other panels
 * stays.  A refusal is shown inside the panel that caused it, next to the
 * field it names.
 */
import * as api from '../api.js';
import { h, field, clear, announce } from '../dom.js';
import { fmtWhen, fmtList, humanize, localToRfc3339, rfc3339ToLocal } from '../format.js';
import { showRefusal } from './encounter.js';

const FIRMNESS = { firm: 'Firm: never offer against it', flexible: 'Flexible: a wish' };
const GOAL_STATUS = { active: 'Working toward it', achieved: 'Achieved', dropped: 'Dropped' };
const DATE_KINDS = { appointment: 'Appointment', renewal: 'Renewal', expiry: 'Expiry', other: 'Other' };
const PURPOSES = {
  service: ['About their service', 'replies, satisfaction checks and follow-ups; given unless withdrawn'],
  reminders: ['Reminders', 'appointments, renewals and keeping in touch; only when granted'],
  offers: ['Offers', 'suggestions of products; only when granted'],
};

/* A panel that draws itself from its list and draws again after a change. */
function livePanel(id, title, load, draw) {
  const body = h('div', { class: 'panel-body' });
  const status = h('p', { class: 'ok', role: 'status', id: `${id}-status` });
  const section = h('section', { class: 'card panel', id, 'aria-labelledby': `${id}-h` },
    h('h2', { id: `${id}-h` }, title), body, status);
  async function refresh(said) {
    let data;
    try {
      data = await load();
    } catch (e) {
      clear(body).append(h('p', { class: 'error' }, e.message));
      return;
    }
    clear(body);
    if (data === null) {
      body.append(h('p', { class: 'muted' }, `This server does not keep ${title.toLowerCase()} yet.`));
      return;
    }
    draw(body, data, run);
    if (said) { status.textContent = said; announce(said); }
  }
  /* do fn; on success read again and say so, else show the refusal */
  async function run(fn, said, home) {
    try {
      await fn();
    } catch (e) {
      if (e.status === 401) return false;
      showRefusal(home, e, home);
      return false;
    }
    await refresh(said);
    return true;
  }
  refresh();
  return section;
}

const itemsOf = (x) => (x === null ? null : api.items(x));

/* ---- details ---------------------------------------------------------- */

export function detailsPanel(customer, onSaved) {
  const base = `/api/v1/customers/${customer.id}`;
  let current = customer;
  return livePanel('p-details', 'Details', async () => current, (body, c, run) => {
    const lines = [
      ['Name', c.name], ['Called', c.preferred_name || c.name],
      ['Email', fmtList(c.emails || []) || 'none'], ['Phone', fmtList(c.phones || []) || 'none'],
      ['Notes', c.notes || 'none'],
    ];
    body.append(h('dl', { class: 'facts', id: 'details' }, lines.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
    const name = h('input', { type: 'text', id: 'edit-name', value: c.name || '' });
    const preferred = h('input', { type: 'text', id: 'edit-preferred', value: c.preferred_name || '' });
    const emails = h('textarea', { id: 'edit-emails', rows: 2 }, (c.emails || []).join('\n'));
    const phones = h('textarea', { id: 'edit-phones', rows: 2 }, (c.phones || []).join('\n'));
    const notes = h('textarea', { id: 'edit-notes', rows: 2 }, c.notes || '');
    const form = h('form', { class: 'sub', novalidate: true, id: 'details-form' },
      h('div', { class: 'row' }, field('Name', name, { field: 'name' }), field('Called', preferred, { field: 'preferred_name', hint: 'How they like to be greeted.' })),
      h('div', { class: 'row' }, field('Email addresses', emails, { field: 'emails', hint: 'One per line.' }),
        field('Phone numbers', phones, { field: 'phones', hint: 'One per line.' })),
      field('Notes', notes, { field: 'notes' }),
      h('button', { type: 'submit' }, 'Save the details'));
    const split = (el) => el.value.split('\n').map((x) => x.trim()).filter(Boolean);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      run(async () => {
        current = await api.patch(base, {
          name: name.value.trim(), preferred_name: preferred.value.trim() || null,
          emails: split(emails), phones: split(phones), notes: notes.value.trim() || null,
        });
        if (onSaved) onSaved(current);
      }, 'The details are saved.', form);
    });
    body.append(h('details', { class: 'edit' }, h('summary', {}, 'Change the details'), form));
  });
}

/* ---- preferences -------------------------------------------------------- */

function firmnessSelect(id, value) {
  return h('select', { id }, Object.entries(FIRMNESS).map(([v, t]) => h('option', { value: v, selected: v === value }, t)));
}

export function preferencesPanel(customer) {
  const base = `/api/v1/customers/${customer.id}/preferences`;
  return livePanel('p-preferences', 'Preferences', async () => itemsOf(await api.optional(base)), (body, list, run) => {
    body.append(list.length ? h('ul', { class: 'plain', id: 'preference-list' }, list.map((p) => {
      const value = h('input', { type: 'text', id: `pref-${p.id}-value`, value: p.value || '' });
      const firm = firmnessSelect(`pref-${p.id}-firmness`, p.firmness);
      const form = h('form', { class: 'sub', novalidate: true },
        h('div', { class: 'row' }, field(`${humanize(p.key)}`, value, { field: 'value' }), field('How firm', firm, { field: 'firmness' })),
        h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save'),
          h('button', { type: 'button', class: 'danger', dataset: { remove: String(p.id) } }, 'Remove')));
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        run(() => api.patch(`${base}/${p.id}`, { value: value.value.trim(), firmness: firm.value }), 'The preference is saved.', form);
      });
      form.querySelector('[data-remove]').addEventListener('click', () =>
        run(() => api.del(`${base}/${p.id}`), 'The preference is removed.', form));
      return h('li', { dataset: { key: p.key } },
        h('strong', {}, humanize(p.key)), `: ${p.value} `,
        h('span', { class: ['badge', p.firmness === 'firm' && 'firm'] }, p.firmness === 'firm' ? 'firm' : 'flexible'),
        p.encounter_id ? h('span', { class: 'muted' }, ' · heard in ', h('a', { href: `#/encounters/${p.encounter_id}` }, `encounter #${p.encounter_id}`)) : null,
        h('details', { class: 'edit' }, h('summary', {}, 'Change'), form));
    })) : h('p', { class: 'muted', id: 'preference-list' }, 'No preferences recorded.'));
    const key = h('input', { type: 'text', id: 'new-pref-key', name: 'key' });
    const value = h('input', { type: 'text', id: 'new-pref-value', name: 'value' });
    const firm = firmnessSelect('new-pref-firmness', 'flexible');
    const form = h('form', { class: 'sub', novalidate: true, id: 'preference-form' },
      h('h3', {}, 'Add a preference'),
      h('div', { class: 'row' },
        field('About', key, { field: 'key', hint: 'Such as colour, size or brand.' }),
        field('Preference', value, { field: 'value', hint: 'Such as “navy only”.' }),
        field('How firm', firm, { field: 'firmness' })),
      h('button', { type: 'submit' }, 'Add the preference'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      run(() => api.post(base, { key: key.value.trim(), value: value.value.trim(), firmness: firm.value }), 'The preference is recorded.', form);
    });
    body.append(form);
  });
}

/* ---- goals ---------------------------------------------------------------- */

export function goalsPanel(customer) {
  const base = `/api/v1/customers/${customer.id}/goals`;
  return livePanel('p-goals', 'Goals', async () => itemsOf(await api.optional(base)), (body, list, run) => {
    body.append(list.length ? h('ul', { class: 'plain', id: 'goal-list' }, list.map((g) => {
      const status = h('select', { id: `goal-${g.id}-status` },
        Object.entries(GOAL_STATUS).map(([v, t]) => h('option', { value: v, selected: v === g.status }, t)));
      const form = h('form', { class: 'sub', novalidate: true },
        field('Where it stands', status, { field: 'status' }), h('button', { type: 'submit' }, 'Save'));
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        run(() => api.patch(`${base}/${g.id}`, { status: status.value }), 'The goal is saved.', form);
      });
      return h('li', {}, h('strong', {}, g.title), ` · ${GOAL_STATUS[g.status] || humanize(g.status)}`,
        Array.isArray(g.tags) && g.tags.length ? ` · about ${fmtList(g.tags)}` : '',
        h('details', { class: 'edit' }, h('summary', {}, 'Change'), form));
    })) : h('p', { class: 'muted', id: 'goal-list' }, 'No goals recorded.'));
    const title = h('input', { type: 'text', id: 'new-goal-title' });
    const tags = h('input', { type: 'text', id: 'new-goal-tags' });
    const form = h('form', { class: 'sub', novalidate: true, id: 'goal-form' },
      h('h3', {}, 'Add a goal'),
      field('What they want to achieve or become', title, { field: 'title' }),
      field('What it is about', tags, { field: 'tags', hint: 'A few words, separated by commas; products with the same words are suggested for it.' }),
      h('button', { type: 'submit' }, 'Add the goal'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const t = tags.value.split(',').map((x) => x.trim()).filter(Boolean);
      run(() => api.post(base, { title: title.value.trim(), tags: t }), 'The goal is recorded.', form);
    });
    body.append(form);
  });
}

/* ---- important dates ------------------------------------------------------ */

export function datesPanel(customer) {
  const base = `/api/v1/customers/${customer.id}/dates`;
  return livePanel('p-dates', 'Important dates', async () => itemsOf(await api.optional(base)), (body, list, run) => {
    body.append(list.length ? h('ul', { class: 'plain', id: 'date-list' }, list.map((d) => {
      const at = h('input', { type: 'datetime-local', id: `date-${d.id}-at`, value: rfc3339ToLocal(d.at) });
      const form = h('form', { class: 'sub', novalidate: true },
        field('Moved to', at, { field: 'at' }),
        h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Move it'),
          h('button', { type: 'button', class: 'danger', dataset: { remove: String(d.id) } }, 'Remove')));
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        run(() => api.patch(`${base}/${d.id}`, { at: localToRfc3339(at.value) }), 'The date is moved.', form);
      });
      form.querySelector('[data-remove]').addEventListener('click', () =>
        run(() => api.del(`${base}/${d.id}`), 'The date is removed.', form));
      return h('li', {}, h('strong', {}, fmtWhen(d.at)), ` · ${DATE_KINDS[d.kind] || humanize(d.kind)}: ${d.title}`,
        d.where ? ` · at ${d.where}` : '', d.with_whom ? ` · with ${d.with_whom}` : '', d.bring ? ` · bring ${d.bring}` : '',
        h('details', { class: 'edit' }, h('summary', {}, 'Change'), form));
    })) : h('p', { class: 'muted', id: 'date-list' }, 'No dates recorded.'));
    const kind = h('select', { id: 'new-date-kind' }, Object.entries(DATE_KINDS).map(([v, t]) => h('option', { value: v }, t)));
    const title = h('input', { type: 'text', id: 'new-date-title' });
    const at = h('input', { type: 'datetime-local', id: 'new-date-at' });
    const where = h('input', { type: 'text', id: 'new-date-where' });
    const whom = h('input', { type: 'text', id: 'new-date-with' });
    const bring = h('input', { type: 'text', id: 'new-date-bring' });
    const form = h('form', { class: 'sub', novalidate: true, id: 'date-form' },
      h('h3', {}, 'Add a date'),
      h('div', { class: 'row' }, field('What kind', kind, { field: 'kind' }), field('What', title, { field: 'title' }),
        field('When', at, { field: 'at' })),
      h('div', { class: 'row' }, field('Where', where, { field: 'where' }), field('With whom', whom, { field: 'with_whom' }),
        field('What to bring', bring, { field: 'bring' })),
      h('p', { class: 'hint' }, 'An appointment gets a reminder the day before; a renewal or expiry a notice a week before, when the customer agreed to reminders.'),
      h('button', { type: 'submit' }, 'Add the date'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const body2 = { kind: kind.value, title: title.value.trim(), at: localToRfc3339(at.value) };
      if (where.value.trim()) body2.where = where.value.trim();
      if (whom.value.trim()) body2.with_whom = whom.value.trim();
      if (bring.value.trim()) body2.bring = bring.value.trim();
      run(() => api.post(base, body2), 'The date is recorded.', form);
    });
    body.append(form);
  });
}

/* ---- consents --------------------------------------------------------------- */

export function consentsPanel(customer) {
  const base = `/api/v1/customers/${customer.id}/consents`;
  return livePanel('p-consents', 'Consent', async () => itemsOf(await api.optional(base)), (body, list, run) => {
    const by = new Map(list.map((c) => [c.purpose, c]));
    body.append(h('p', { class: 'hint' }, 'What the customer agreed to be contacted about. Nothing is sent for a purpose they did not agree to.'));
    body.append(h('ul', { class: 'plain', id: 'consent-list' }, Object.entries(PURPOSES).map(([purpose, [title, what]]) => {
      const c = by.get(purpose);
      const granted = c ? c.granted === true : purpose === 'service';
      const state = c ? (c.granted ? 'Agreed' : 'Withdrawn') : purpose === 'service' ? 'Agreed (unless they say otherwise)' : 'Not asked yet';
      const who = c ? `Changed ${fmtWhen(c.decided_at)}${c.decided_by ? ` by ${c.decided_by}` : ''}${c.source ? `; how: ${c.source}` : ''}.` : '';
      const source = h('input', { type: 'text', id: `consent-${purpose}-source` });
      const button = h('button', { type: 'submit', id: `consent-${purpose}-toggle` }, granted ? 'Withdraw' : 'They agree');
      const form = h('form', { class: 'consent-form', novalidate: true },
        field('How they said so', source, { field: 'source', hint: 'Such as “on the phone” (optional).' }), button);
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const req = { purpose, granted: !granted };
        if (source.value.trim()) req.source = source.value.trim();
        run(() => api.post(base, req), `${title}: ${granted ? 'withdrawn' : 'agreed'}.`, form);
      });
      return h('li', { id: `consent-${purpose}`, dataset: { purpose } },
        h('strong', {}, title), ` (${what}): `, h('span', { class: 'consent-state' }, state),
        who ? h('span', { class: 'muted consent-who' }, ` ${who}`) : null, form);
    })));
  });
}

/* ---- loyalty, in sentences -------------------------------------------------- */

export function loyaltyText(l) {
  if (!l) return '';
  const parts = [];
  parts.push(`${humanize(l.tier || 'no')} tier`);
  parts.push(Number(l.discount_percent) > 0 ? `${Number(l.discount_percent)}% discount` : 'no discount');
  if (typeof l.visits === 'number') parts.push(`${l.visits} ${l.visits === 1 ? 'visit' : 'visits'}`);
  if (typeof l.tenure_days === 'number') parts.push(l.tenure_days < 1 ? 'a customer since today' : `a customer for ${l.tenure_days} ${l.tenure_days === 1 ? 'day' : 'days'}`);
  if (l.returning) parts.push('returning');
  const next = l.next_tier;
  let nextText = '';
  if (next && next.name) {
    const how = [next.min_visits ? `${next.min_visits} visits` : null, next.min_tenure_days ? `${next.min_tenure_days} days` : null,
      next.min_spend ? `${next.min_spend} spent` : null].filter(Boolean);
    nextText = `Next: ${humanize(next.name)}${Number(next.discount_percent) > 0 ? ` (${Number(next.discount_percent)}% discount)` : ''}${how.length ? ` from ${how.join(' or ')}` : ''}.`;
  }
  return `${parts.join(', ')}.${nextText ? ` ${nextText}` : ''}`;
}
