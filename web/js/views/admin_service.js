/*
 * admin_service.js - the Service pages of Admin: the service charter (its
 * targets, the versions in force before, the desk's holidays and each
 * queue's business hours), the loyalty tiers, and the catalogue.
 *
 * The charter's targets count business time where a queue has hours, so
 * the calendar is set on the same page as the targets it changes.
 */
import * as api from '../api.js';
import { h, field, clear, announce } from '../dom.js';
import { fmtTime } from '../format.js';
import { t, tn, locale } from '../i18n.js';
import { showError, clearErrors, words } from './admin.js';
import { days, num, withLink, pageLink } from './admin_labels.js';

function numberInput(id, value, opts = {}) {
  return h('input', { type: 'number', id, inputmode: 'numeric', min: opts.min ?? 0, step: opts.step ?? 1, value: value ?? '' });
}

/* A list of dated closures (date, name) that a person edits row by row. */
function holidayEditor(idp, holidays) {
  const rows = h('ul', { class: 'plain', id: `${idp}-rows` });
  function addRow(hd) {
    const date = h('input', { type: 'date', value: hd ? hd.date : '', 'aria-label': t('Date') });
    const name = h('input', { type: 'text', value: hd && hd.name ? hd.name : '', 'aria-label': t('What it is'), placeholder: t('What it is') });
    const remove = h('button', { type: 'button', class: 'link' }, t('Remove'));
    const li = h('li', { class: 'row' }, date, name, remove);
    remove.addEventListener('click', () => { li.remove(); announce(t('Date removed; save to keep the change.')); });
    rows.append(li);
    return date;
  }
  for (const hd of holidays || []) addRow(hd);
  const more = h('button', { type: 'button' }, t('Add a date'));
  more.addEventListener('click', () => addRow(null).focus());
  return {
    el: h('div', { dataset: { field: 'holidays' } }, rows, more),
    value: () => [...rows.querySelectorAll('li')].map((li) => {
      const [d, n] = li.querySelectorAll('input');
      return n.value.trim() ? { date: d.value, name: n.value.trim() } : { date: d.value };
    }).filter((x) => x.date),
  };
}

/* ---- the charter ------------------------------------------------------- */

export async function charter(root) {
  const c = await api.get('/api/v1/charter');
  const ack = numberInput('charter-ack', c.acknowledge_minutes, { min: 1 });
  const first = numberInput('charter-first', c.first_response_minutes, { min: 1 });
  const resolution = numberInput('charter-resolution', c.resolution_hours, { min: 1 });
  const onTime = h('input', { type: 'checkbox', id: 'charter-on-time', checked: c.follow_up_on_time });
  const fail = h('div');
  const status = h('p', { class: 'ok', role: 'status' });
  const form = h('form', { class: 'card', novalidate: true, id: 'charter-form' },
    h('h2', {}, t('Targets')),
    field(t('Let a customer know we have their request within (minutes)'), ack, { field: 'acknowledge_minutes' }),
    field(t('Give a first real answer within (minutes)'), first, { field: 'first_response_minutes' }),
    field(t('Resolve within (hours)'), resolution, { field: 'resolution_hours' }),
    h('div', { class: 'field', dataset: { field: 'follow_up_on_time' } },
      h('label', { class: 'check' }, onTime, ' ', t('A follow-up done late counts as a broken promise'))),
    h('p', { class: 'hint' }, t('A change is in force from now on; encounters already received keep the targets they started with.')),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('Save the targets'))), fail, status);
  const versions = h('div', { id: 'charter-versions' });
  /* Who set a version: "agent:7" is that agent's name; the server's own work is the desk's. */
  const agentNames = new Map(api.items(await api.optional('/api/v1/encounters/assignees').catch(() => null)).map((a) => [String(a.id), a.name]));
  const setBy = (actor) => {
    const m = /^agent:(\d+)$/.exec(actor || '');
    if (!m) return t('the desk');
    return agentNames.get(m[1]) || t('an agent');
  };
  async function loadVersions() {
    const v = api.items(await api.get('/api/v1/charter/versions'));
    clear(versions);
    if (!v.length) return;
    versions.append(h('details', { class: 'card' }, h('summary', {}, t('Earlier versions')),
      h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, [t('In force from'), t('Let them know'), t('First answer'), t('Resolve'), t('Late follow-up'), t('Set by')].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, v.map((x) => h('tr', {},
          h('td', { 'data-label': t('In force from') }, x.starts_at ? fmtTime(x.starts_at) : t('the start')),
          h('td', { 'data-label': t('Let them know') }, tn(x.acknowledge_minutes, '{n} minute', '{n} minutes')),
          h('td', { 'data-label': t('First answer') }, tn(x.first_response_minutes, '{n} minute', '{n} minutes')),
          h('td', { 'data-label': t('Resolve') }, tn(x.resolution_hours, '{n} hour', '{n} hours')),
          h('td', { 'data-label': t('Late follow-up') }, x.follow_up_on_time ? t('a broken promise') : t('not counted')),
          h('td', { 'data-label': t('Set by') }, setBy(x.created_by))))))));
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form, fail);
    const body = { follow_up_on_time: onTime.checked };
    for (const [k, el] of [['acknowledge_minutes', ack], ['first_response_minutes', first], ['resolution_hours', resolution]]) {
      if (el.value !== '') body[k] = Number(el.value);
    }
    try {
      await api.put('/api/v1/charter', body);
      status.textContent = t('The targets are saved and in force from now.');
      announce(status.textContent);
      await loadVersions();
    } catch (e) { showError(form, fail, e); }
  });

  /* the desk's holidays */
  const desk = await api.get('/api/v1/holidays');
  const deskDays = holidayEditor('desk-holidays', desk.holidays);
  const hFail = h('div');
  const hStatus = h('p', { class: 'ok', role: 'status' });
  const hForm = h('form', { class: 'card', novalidate: true, id: 'holidays-form' },
    h('h2', {}, t('Holidays of the whole desk')),
    h('p', { class: 'hint' }, t('Closed all day in every queue that has business hours; the targets’ clocks stop.')),
    deskDays.el, h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('Save the holidays'))), hFail, hStatus);
  hForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(hForm, hFail);
    try {
      await api.put('/api/v1/holidays', { holidays: deskDays.value() });
      hStatus.textContent = t('The holidays are saved.');
      announce(hStatus.textContent);
    } catch (e) { showError(hForm, hFail, e); }
  });

  /* each queue's hours */
  const queues = api.items(await api.get(`/api/v1/queues${api.qs({ limit: 100 })}`));
  const pick = h('select', { id: 'hours-queue' }, queues.map((q) => h('option', { value: String(q.id) }, q.name)));
  const hoursBox = h('div', { id: 'hours-box' });
  async function showHours() {
    clear(hoursBox);
    if (!pick.value) return;
    const hr = await api.get(`/api/v1/queues/${pick.value}/hours`);
    const tz = h('input', { type: 'text', id: 'hours-tz', value: hr.time_zone || Intl.DateTimeFormat().resolvedOptions().timeZone || '' });
    const dayRows = days().map(([d, label]) => {
      const iv = (hr.intervals || []).find((x) => x.day === d);
      const open = h('input', { type: 'checkbox', id: `hours-${d}-on`, checked: Boolean(iv) });
      const from = h('input', { type: 'time', id: `hours-${d}-open`, value: iv ? iv.open : '09:00', 'aria-label': t('{day} opens at', { day: label }) });
      const to = h('input', { type: 'time', id: `hours-${d}-close`, value: iv && iv.close !== '24:00' ? iv.close : (iv ? '23:59' : '17:00'), 'aria-label': t('{day} closes at', { day: label }) });
      return { d, open, from, to, el: h('li', { class: 'row' }, h('label', { class: 'check', for: open.id }, open, ` ${label}`), from, ` ${t('to')} `, to) };
    });
    const own = holidayEditor('queue-holidays', hr.holidays);
    const fail2 = h('div');
    const st2 = h('p', { class: 'ok', role: 'status' });
    const f = h('form', { novalidate: true, id: 'hours-form' },
      field(t('Time zone'), tz, { field: 'time_zone', hint: t('As the world’s time zone list names it, such as Europe/Madrid.') }),
      h('fieldset', { dataset: { field: 'intervals' } }, h('legend', {}, t('Open on')),
        h('ul', { class: 'plain' }, dayRows.map((r) => r.el)),
        h('p', { class: 'hint' }, t('No day ticked: open around the clock.'))),
      h('fieldset', {}, h('legend', {}, t('This queue’s own holidays')), own.el),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('Save the hours'))), fail2, st2);
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(f, fail2);
      const intervals = dayRows.filter((r) => r.open.checked).map((r) => ({ day: r.d, open: r.from.value, close: r.to.value }));
      const body = { intervals, holidays: own.value() };
      if (tz.value.trim()) body.time_zone = tz.value.trim();
      try {
        await api.put(`/api/v1/queues/${pick.value}/hours`, body);
        st2.textContent = t('The business hours are saved.');
        announce(st2.textContent);
      } catch (e) { showError(f, fail2, e); }
    });
    hoursBox.append(f);
  }
  pick.addEventListener('change', () => showHours().catch((e) => { clear(hoursBox); hoursBox.append(h('p', { class: 'error', role: 'alert' }, e.message)); }));
  root.append(form, versions, hForm,
    h('section', { class: 'card', id: 'hours' }, h('h2', {}, t('Business hours of a queue')),
      queues.length ? [field(t('Queue'), pick), hoursBox]
        : h('p', { class: 'muted' }, withLink(t('Add a queue first, on the {link} page.'), pageLink('#/admin/queues', t('queues'))))));
  await loadVersions();
  if (queues.length) await showHours();
  return undefined;
}

/* ---- loyalty tiers ----------------------------------------------------- */

export async function loyalty(root) {
  const data = await api.get('/api/v1/loyalty/tiers');
  const tbody = h('tbody', {});
  let seq = 0;
  function addRow(tier) {
    const n = ++seq;
    const cell = (label, control) => h('td', { 'data-label': label }, control);
    const name = h('input', { type: 'text', value: tier ? tier.name : '', 'aria-label': t('Tier {n}: name', { n }) });
    const rank = numberInput(`tier-${n}-rank`, tier ? tier.rank : '', {});
    rank.setAttribute('aria-label', t('Tier {n}: rank (0 is where everyone starts)', { n }));
    const visits = numberInput(`tier-${n}-visits`, tier ? tier.min_visits : '', {});
    visits.setAttribute('aria-label', t('Tier {n}: visits needed', { n }));
    const tenure = numberInput(`tier-${n}-tenure`, tier ? tier.min_tenure_days : '', {});
    tenure.setAttribute('aria-label', t('Tier {n}: days as a customer needed', { n }));
    const spend = numberInput(`tier-${n}-spend`, tier ? tier.min_spend : '', { step: '0.01' });
    spend.setAttribute('aria-label', t('Tier {n}: spending needed', { n }));
    const discount = numberInput(`tier-${n}-discount`, tier ? tier.discount_percent : '', { step: '0.1' });
    discount.setAttribute('aria-label', t('Tier {n}: discount in percent', { n }));
    const remove = h('button', { type: 'button', class: 'link' }, t('Remove'));
    const tr = h('tr', { dataset: { tier: String(n) } }, cell(t('Name'), name), cell(t('Rank'), rank), cell(t('Visits'), visits),
      cell(t('Days as a customer'), tenure), cell(t('Spending'), spend), cell(t('Discount %'), discount), h('td', {}, remove));
    remove.addEventListener('click', () => { tr.remove(); announce(t('Tier removed; save to keep the change.')); });
    tr.read = () => {
      const o = { name: name.value.trim(), rank: Number(rank.value || 0), discount_percent: Number(discount.value || 0) };
      if (visits.value !== '') o.min_visits = Number(visits.value);
      if (tenure.value !== '') o.min_tenure_days = Number(tenure.value);
      if (spend.value !== '') o.min_spend = Number(spend.value);
      return o;
    };
    tbody.append(tr);
    return name;
  }
  for (const tier of api.items(data)) addRow(tier);
  const more = h('button', { type: 'button', id: 'tier-add' }, t('Add a tier'));
  more.addEventListener('click', () => addRow(null).focus());
  const fail = h('div');
  const status = h('p', { class: 'ok', role: 'status' });
  const form = h('form', { class: 'card', novalidate: true, id: 'loyalty-form', dataset: { field: 'items' } },
    h('p', {}, t('A customer reaches the highest tier whose needs they meet. One tier has rank 0: where everyone starts.')),
    h('table', { class: 'list' }, h('caption', { class: 'sr-only' }, t('Loyalty tiers')),
      h('thead', {}, h('tr', {}, [t('Name'), t('Rank'), t('Visits'), t('Days as a customer'), t('Spending'), t('Discount %'), ''].map((x) => h('th', { scope: 'col' }, x)))),
      tbody),
    h('div', { class: 'actions' }, more, h('button', { type: 'submit' }, t('Save the tiers'))), fail, status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form, fail);
    try {
      await api.put('/api/v1/loyalty/tiers', { items: [...tbody.querySelectorAll('tr')].map((tr) => tr.read()) });
      status.textContent = t('The loyalty tiers are saved.');
      announce(status.textContent);
    } catch (e) { showError(form, fail, e); }
  });
  root.append(form);
  return undefined;
}

/* ---- the catalogue ----------------------------------------------------- */

function money(v) {
  return v === null || v === undefined ? t('no price') : Number(v).toLocaleString(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

export async function catalogue(root) {
  const list = h('div', { id: 'product-list' });
  const editBox = h('div', { id: 'product-edit' });

  function productForm(id, p) {
    const name = h('input', { type: 'text', id: `${id}-name`, value: p ? p.name : '' });
    const category = h('input', { type: 'text', id: `${id}-category`, value: p ? p.category : '' });
    const price = numberInput(`${id}-price`, p ? p.price : '', { step: '0.01' });
    const stock = numberInput(`${id}-stock`, p ? p.stock : '', {});
    const tags = h('input', { type: 'text', id: `${id}-tags`, value: p ? (p.tags || []).join(', ') : '' });
    const fail = h('div');
    const status = h('p', { class: 'ok', role: 'status' });
    const form = h('form', { class: 'card', novalidate: true, id },
      h('h2', { tabindex: '-1' }, p ? t('Change {name}', { name: p.name }) : t('Add a product')),
      field(t('Name'), name, { field: 'name' }),
      field(t('Category'), category, { field: 'category', hint: t('Products of one category can stand in for each other.') }),
      field(t('Price'), price, { field: 'price' }),
      field(t('In stock'), stock, { field: 'stock' }),
      field(t('Tags'), tags, { field: 'tags', hint: t('Words separated by commas; matched against customers’ goals.') }),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, p ? t('Save the changes') : t('Add the product'))), fail, status);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form, fail);
      const body = { name: name.value.trim(), category: category.value.trim(), tags: words(tags.value) };
      if (price.value !== '') body.price = Number(price.value);
      if (stock.value !== '') body.stock = Number(stock.value);
      try {
        const saved = p ? await api.patch(`/api/v1/products/${p.id}`, body) : await api.post('/api/v1/products', body);
        if (!p) form.reset();
        status.textContent = p ? t('{name} is saved.', { name: saved.name }) : t('{name} is added to the catalogue.', { name: saved.name });
        announce(status.textContent);
        await load();
      } catch (e) { showError(form, fail, e); }
    });
    return form;
  }

  async function load() {
    const rows = api.items(await api.get(`/api/v1/products${api.qs({ limit: 100 })}`));
    clear(list);
    if (!rows.length) { list.append(h('p', { class: 'muted' }, t('The catalogue is empty.'))); return; }
    list.append(h('table', { class: 'list' },
      h('caption', { class: 'sr-only' }, t('Products')),
      h('thead', {}, h('tr', {}, [t('Product'), t('Category'), t('Price'), t('In stock'), ''].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows.map((p) => {
        const change = h('button', { type: 'button', class: 'link', 'aria-label': t('Change {name}', { name: p.name }) }, t('Change'));
        change.addEventListener('click', () => {
          clear(editBox);
          const f = productForm('product-edit-form', p);
          editBox.append(f);
          f.querySelector('h2').focus();
        });
        return h('tr', { dataset: { product: String(p.id) } },
          h('td', { 'data-label': t('Product') }, p.name),
          h('td', { 'data-label': t('Category') }, p.category),
          h('td', { 'data-label': t('Price') }, money(p.price)),
          h('td', { 'data-label': t('In stock') }, p.stock === null || p.stock === undefined ? t('not counted') : num(p.stock)),
          h('td', {}, change));
      }))));
  }
  root.append(list, editBox, productForm('product-add', null));
  await load();
  return undefined;
}
