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
import { fmtWhen, fmtList, localToRfc3339, rfc3339ToLocal } from '../format.js';
import { t, tn, locale } from '../i18n.js';
import { showRefusal } from './encounter.js';
import { firmnessOptions, goalStates, dateKinds, consentPurposes } from './customer_labels.js';

/* A panel that draws itself from its list and draws again after a change. */
function livePanel(id, title, missing, load, draw) {
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
      body.append(h('p', { class: 'muted' }, missing));
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
  return livePanel('p-details', t('Details'), '', async () => current, (body, c, run) => {
    const lines = [
      [t('Name'), c.name], [t('Called'), c.preferred_name || c.name],
      [t('Email'), fmtList(c.emails || []) || t('none')], [t('Phone'), fmtList(c.phones || []) || t('none')],
      [t('Notes'), c.notes || t('none')],
    ];
    body.append(h('dl', { class: 'facts', id: 'details' }, lines.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
    const name = h('input', { type: 'text', id: 'edit-name', value: c.name || '' });
    const preferred = h('input', { type: 'text', id: 'edit-preferred', value: c.preferred_name || '' });
    const emails = h('textarea', { id: 'edit-emails', rows: 2 }, (c.emails || []).join('\n'));
    const phones = h('textarea', { id: 'edit-phones', rows: 2 }, (c.phones || []).join('\n'));
    const notes = h('textarea', { id: 'edit-notes', rows: 2 }, c.notes || '');
    const form = h('form', { class: 'sub', novalidate: true, id: 'details-form' },
      h('div', { class: 'row' }, field(t('Name'), name, { field: 'name' }), field(t('Called'), preferred, { field: 'preferred_name', hint: t('How they like to be greeted.') })),
      h('div', { class: 'row' }, field(t('Email addresses'), emails, { field: 'emails', hint: t('One per line.') }),
        field(t('Phone numbers'), phones, { field: 'phones', hint: t('One per line.') })),
      field(t('Notes'), notes, { field: 'notes' }),
      h('button', { type: 'submit' }, t('Save the details')));
    const split = (el) => el.value.split('\n').map((x) => x.trim()).filter(Boolean);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      run(async () => {
        current = await api.patch(base, {
          name: name.value.trim(), preferred_name: preferred.value.trim() || null,
          emails: split(emails), phones: split(phones), notes: notes.value.trim() || null,
        });
        if (onSaved) onSaved(current);
      }, t('The details are saved.'), form);
    });
    body.append(h('details', { class: 'edit' }, h('summary', {}, t('Change the details')), form));
  });
}

/* ---- preferences -------------------------------------------------------- */

function firmnessSelect(id, value) {
  return h('select', { id }, Object.entries(firmnessOptions()).map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
}

export function preferencesPanel(customer) {
  const base = `/api/v1/customers/${customer.id}/preferences`;
  return livePanel('p-preferences', t('Preferences'), t('This server does not keep preferences yet.'), async () => itemsOf(await api.optional(base)), (body, list, run) => {
    body.append(list.length ? h('ul', { class: 'plain', id: 'preference-list' }, list.map((p) => {
      const value = h('input', { type: 'text', id: `pref-${p.id}-value`, value: p.value || '' });
      const firm = firmnessSelect(`pref-${p.id}-firmness`, p.firmness);
      const form = h('form', { class: 'sub', novalidate: true },
        h('div', { class: 'row' }, field(t('Preference about {what}', { what: p.key }), value, { field: 'value' }), field(t('How firm'), firm, { field: 'firmness' })),
        h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('Save')),
          h('button', { type: 'button', class: 'danger', dataset: { remove: String(p.id) } }, t('Remove'))));
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        run(() => api.patch(`${base}/${p.id}`, { value: value.value.trim(), firmness: firm.value }), t('The preference is saved.'), form);
      });
      form.querySelector('[data-remove]').addEventListener('click', () =>
        run(() => api.del(`${base}/${p.id}`), t('The preference is removed.'), form));
      return h('li', { dataset: { key: p.key } },
        h('strong', {}, capital(p.key)), `: ${p.value} `,
        h('span', { class: ['badge', p.firmness === 'firm' && 'firm'] }, p.firmness === 'firm' ? t('firm') : t('flexible')),
        p.encounter_id ? h('span', { class: 'muted' }, ' · ', t('heard in'), ' ', h('a', { href: `#/encounters/${p.encounter_id}` }, t('encounter {id}', { id: p.encounter_id }))) : null,
        h('details', { class: 'edit' }, h('summary', {}, t('Change')), form));
    })) : h('p', { class: 'muted', id: 'preference-list' }, t('No preferences recorded.')));
    const key = h('input', { type: 'text', id: 'new-pref-key', name: 'key' });
    const value = h('input', { type: 'text', id: 'new-pref-value', name: 'value' });
    const firm = firmnessSelect('new-pref-firmness', 'flexible');
    const form = h('form', { class: 'sub', novalidate: true, id: 'preference-form' },
      h('h3', {}, t('Add a preference')),
      h('div', { class: 'row' },
        field(t('About'), key, { field: 'key', hint: t('Such as colour, size or brand.') }),
        field(t('Preference'), value, { field: 'value', hint: t('Such as “navy only”.') }),
        field(t('How firm'), firm, { field: 'firmness' })),
      h('button', { type: 'submit' }, t('Add the preference')));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      run(() => api.post(base, { key: key.value.trim(), value: value.value.trim(), firmness: firm.value }), t('The preference is recorded.'), form);
    });
    body.append(form);
  });
}

/* ---- goals ---------------------------------------------------------------- */

export function goalsPanel(customer) {
  const base = `/api/v1/customers/${customer.id}/goals`;
  return livePanel('p-goals', t('Goals'), t('This server does not keep goals yet.'), async () => itemsOf(await api.optional(base)), (body, list, run) => {
    body.append(list.length ? h('ul', { class: 'plain', id: 'goal-list' }, list.map((g) => {
      const status = h('select', { id: `goal-${g.id}-status` },
        Object.entries(goalStates()).map(([v, label]) => h('option', { value: v, selected: v === g.status }, label)));
      const form = h('form', { class: 'sub', novalidate: true },
        field(t('Where it stands'), status, { field: 'status' }), h('button', { type: 'submit' }, t('Save')));
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        run(() => api.patch(`${base}/${g.id}`, { status: status.value }), t('The goal is saved.'), form);
      });
      return h('li', {}, h('strong', {}, g.title), ` · ${goalStates()[g.status] || t('Working toward it')}`,
        Array.isArray(g.tags) && g.tags.length ? ` · ${t('about {tags}', { tags: fmtList(g.tags) })}` : '',
        h('details', { class: 'edit' }, h('summary', {}, t('Change')), form));
    })) : h('p', { class: 'muted', id: 'goal-list' }, t('No goals recorded.')));
    const title = h('input', { type: 'text', id: 'new-goal-title' });
    const tags = h('input', { type: 'text', id: 'new-goal-tags' });
    const form = h('form', { class: 'sub', novalidate: true, id: 'goal-form' },
      h('h3', {}, t('Add a goal')),
      field(t('What they want to achieve or become'), title, { field: 'title' }),
      field(t('What it is about'), tags, { field: 'tags', hint: t('A few words, separated by commas; products with the same words are suggested for it.') }),
      h('button', { type: 'submit' }, t('Add the goal')));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const words = tags.value.split(',').map((x) => x.trim()).filter(Boolean);
      run(() => api.post(base, { title: title.value.trim(), tags: words }), t('The goal is recorded.'), form);
    });
    body.append(form);
  });
}

/* ---- important dates ------------------------------------------------------ */

export function datesPanel(customer) {
  const base = `/api/v1/customers/${customer.id}/dates`;
  return livePanel('p-dates', t('Important dates'), t('This server does not keep important dates yet.'), async () => itemsOf(await api.optional(base)), (body, list, run) => {
    body.append(list.length ? h('ul', { class: 'plain', id: 'date-list' }, list.map((d) => {
      const at = h('input', { type: 'datetime-local', id: `date-${d.id}-at`, value: rfc3339ToLocal(d.at) });
      const form = h('form', { class: 'sub', novalidate: true },
        field(t('Moved to'), at, { field: 'at' }),
        h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('Move it')),
          h('button', { type: 'button', class: 'danger', dataset: { remove: String(d.id) } }, t('Remove'))));
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        run(() => api.patch(`${base}/${d.id}`, { at: localToRfc3339(at.value) }), t('The date is moved.'), form);
      });
      form.querySelector('[data-remove]').addEventListener('click', () =>
        run(() => api.del(`${base}/${d.id}`), t('The date is removed.'), form));
      return h('li', {}, h('strong', {}, fmtWhen(d.at)), ` · ${dateKinds()[d.kind] || t('Other')}: ${d.title}`,
        d.where ? ` · ${t('at {place}', { place: d.where })}` : '', d.with_whom ? ` · ${t('with {whom}', { whom: d.with_whom })}` : '',
        d.bring ? ` · ${t('bring {what}', { what: d.bring })}` : '',
        h('details', { class: 'edit' }, h('summary', {}, t('Change')), form));
    })) : h('p', { class: 'muted', id: 'date-list' }, t('No dates recorded.')));
    const kind = h('select', { id: 'new-date-kind' }, Object.entries(dateKinds()).map(([v, label]) => h('option', { value: v }, label)));
    const title = h('input', { type: 'text', id: 'new-date-title' });
    const at = h('input', { type: 'datetime-local', id: 'new-date-at' });
    const where = h('input', { type: 'text', id: 'new-date-where' });
    const whom = h('input', { type: 'text', id: 'new-date-with' });
    const bring = h('input', { type: 'text', id: 'new-date-bring' });
    const form = h('form', { class: 'sub', novalidate: true, id: 'date-form' },
      h('h3', {}, t('Add a date')),
      h('div', { class: 'row' }, field(t('What kind'), kind, { field: 'kind' }), field(t('What'), title, { field: 'title' }),
        field(t('When'), at, { field: 'at' })),
      h('div', { class: 'row' }, field(t('Where'), where, { field: 'where' }), field(t('With whom'), whom, { field: 'with_whom' }),
        field(t('What to bring'), bring, { field: 'bring' })),
      h('p', { class: 'hint' }, t('An appointment gets a reminder the day before; a renewal or expiry a notice a week before, when the customer agreed to reminders.')),
      h('button', { type: 'submit' }, t('Add the date')));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const body2 = { kind: kind.value, title: title.value.trim(), at: localToRfc3339(at.value) };
      if (where.value.trim()) body2.where = where.value.trim();
      if (whom.value.trim()) body2.with_whom = whom.value.trim();
      if (bring.value.trim()) body2.bring = bring.value.trim();
      run(() => api.post(base, body2), t('The date is recorded.'), form);
    });
    body.append(form);
  });
}

/* ---- consents --------------------------------------------------------------- */

export function consentsPanel(customer) {
  const base = `/api/v1/customers/${customer.id}/consents`;
  return livePanel('p-consents', t('Consent'), t('This server does not keep consent yet.'), async () => itemsOf(await api.optional(base)), (body, list, run) => {
    const by = new Map(list.map((c) => [c.purpose, c]));
    body.append(h('p', { class: 'hint' }, t('What the customer agreed to be contacted about. Nothing is sent for a purpose they did not agree to.')));
    body.append(h('ul', { class: 'plain', id: 'consent-list' }, Object.entries(consentPurposes()).map(([purpose, [title, what]]) => {
      const c = by.get(purpose);
      const granted = c ? c.granted === true : purpose === 'service';
      const state = c ? (c.granted ? t('Agreed') : t('Withdrawn')) : purpose === 'service' ? t('Agreed (unless they say otherwise)') : t('Not asked yet');
      const who = c ? consentWho(c) : '';
      const source = h('input', { type: 'text', id: `consent-${purpose}-source` });
      const button = h('button', { type: 'submit', id: `consent-${purpose}-toggle` }, granted ? t('Withdraw') : t('They agree'));
      const form = h('form', { class: 'consent-form', novalidate: true },
        field(t('How they said so'), source, { field: 'source', hint: t('Such as “on the phone” (optional).') }), button);
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const req = { purpose, granted: !granted };
        if (source.value.trim()) req.source = source.value.trim();
        run(() => api.post(base, req), granted ? t('{purpose}: withdrawn.', { purpose: title }) : t('{purpose}: agreed.', { purpose: title }), form);
      });
      return h('li', { id: `consent-${purpose}`, dataset: { purpose } },
        h('strong', {}, title), ` (${what}): `, h('span', { class: 'consent-state' }, state),
        who ? h('span', { class: 'muted consent-who' }, ` ${who}`) : null, form);
    })));
  });
}

/* ---- loyalty, in sentences -------------------------------------------------- */

/* A tier's name as the admin wrote it, with a capital ("gold" -> "Gold"). */
function capital(name) {
  const x = String(name || '');
  return x ? x[0].toLocaleUpperCase(locale()) + x.slice(1) : '';
}

/* "Changed today, 10:04 by Ana Ruiz; how: on the phone." */
function consentWho(c) {
  const vars = { when: fmtWhen(c.decided_at), who: c.decided_by || '', how: c.source || '' };
  if (c.decided_by && c.source) return t('Changed {when} by {who}; how: {how}.', vars);
  if (c.decided_by) return t('Changed {when} by {who}.', vars);
  if (c.source) return t('Changed {when}; how: {how}.', vars);
  return t('Changed {when}.', vars);
}

/* The loyalty the customer has, and what the next tier needs, in sentences. */
export function loyaltyText(l) {
  if (!l) return '';
  const parts = [];
  parts.push(l.tier ? t('{tier} tier', { tier: capital(l.tier) }) : t('No tier'));
  const pct = Number(l.discount_percent);
  parts.push(pct > 0 ? t('{percent}% discount', { percent: pct.toLocaleString(locale()) }) : t('no discount'));
  if (typeof l.visits === 'number') parts.push(tn(l.visits, '{n} visit', '{n} visits'));
  if (typeof l.tenure_days === 'number') {
    parts.push(l.tenure_days < 1 ? t('a customer since today') : tn(l.tenure_days, 'a customer for {n} day', 'a customer for {n} days'));
  }
  if (l.returning) parts.push(t('returning'));
  const next = l.next_tier;
  let nextText = '';
  if (next && next.name) {
    const how = [next.min_visits ? tn(next.min_visits, '{n} visit', '{n} visits') : null,
      next.min_tenure_days ? tn(next.min_tenure_days, '{n} day', '{n} days') : null,
      next.min_spend ? t('{amount} spent', { amount: Number(next.min_spend).toLocaleString(locale()) }) : null].filter(Boolean);
    const vars = {
      tier: capital(next.name), percent: Number(next.discount_percent).toLocaleString(locale()),
      how: how.join(` ${t('or')} `),
    };
    const discount = Number(next.discount_percent) > 0;
    if (discount && how.length) nextText = t('Next: {tier} ({percent}% discount) from {how}.', vars);
    else if (discount) nextText = t('Next: {tier} ({percent}% discount).', vars);
    else if (how.length) nextText = t('Next: {tier} from {how}.', vars);
    else nextText = t('Next: {tier}.', vars);
  }
  return `${parts.join(', ')}.${nextText ? ` ${nextText}` : ''}`;
}
