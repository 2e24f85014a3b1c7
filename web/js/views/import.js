/*
 * import.js - "Bring in customers": a lead or an admin brings the desk's
 * customers from a spreadsheet or another help desk's export (a CSV file).
 *
 * The file goes to rapportd as it is (its encoding, byte-order mark and
 * delimiter are the server's to read), first as a check that saves
 * nothing, so the person sees which columns are used, which are left out
 * and every row that would be refused, with its line, before anything
 * changes.  The import itself keeps every row or none; running it again
 * with the same file creates nobody twice (rows are matched by their
 * reference in the other system, their email or their phone).
 */
import * as api from '../api.js';
import { h, field, clear, announce } from '../dom.js';
import { t, tn, locale } from '../i18n.js';
import { reasonMessage } from '../errors.js';

/* What each field of a customer is called on this page. */
function fieldWords(f) {
  const words = {
    external_id: t('Reference in the other system'),
    name: t('Full name'),
    preferred_name: t('Preferred name'),
    email: t('Email'),
    emails: t('Email'),
    phone: t('Phone'),
    phones: t('Phone'),
    notes: t('Notes'),
  };
  return words[f] || t('another detail');
}

/* The report's counts as one sentence. */
export function summary(r) {
  const parts = [];
  parts.push(tn(r.created, '{n} new customer', '{n} new customers'));
  if (r.updated) parts.push(tn(r.updated, '{n} customer brought up to date', '{n} customers brought up to date'));
  if (r.unchanged) parts.push(tn(r.unchanged, '{n} customer already here and unchanged', '{n} customers already here and unchanged'));
  if (r.refused) parts.push(tn(r.refused, '{n} row refused', '{n} rows refused'));
  const what = parts.join(', ');
  return r.dry_run
    ? tn(r.rows, 'The file has {n} row. Importing it would give: {what}. Nothing was saved.',
      'The file has {n} rows. Importing it would give: {what}. Nothing was saved.', { what })
    : tn(r.rows, 'Imported {n} row: {what}.', 'Imported {n} rows: {what}.', { what });
}

function columnsTable(columns) {
  return h('table', { class: 'list', id: 'import-columns' },
    h('caption', {}, t('How the columns are read')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('Column in the file')), h('th', { scope: 'col' }, t('Becomes')))),
    h('tbody', {}, columns.map((c) => h('tr', {},
      h('td', { 'data-label': t('Column in the file') }, c.column),
      h('td', { 'data-label': t('Becomes') }, c.field ? fieldWords(c.field) : h('span', { class: 'muted' }, t('Left out')))))));
}

/* The core names the field a reason is about ("emails[0] ..."); the column
 * already says which, so the page shows the rest of the sentence. */
export function plainReason(reason) {
  return String(reason || '').replace(/^[a-z_]+(\[\d+\])?\s+/, '');
}

/* Why a row was refused, in the agent's language when the report names
 * the rule it broke (its "rule", one of the server's reasons), with the
 * column as the field; else the server's sentence. */
export function rowReason(x) {
  const field = x.field ? fieldWords(x.field) : '';
  const said = x.rule ? reasonMessage({ reason: x.rule, limit: x.limit, field: x.field }, field ? t('the column “{column}”', { column: x.column || field }) : '') : '';
  return said || plainReason(x.reason);
}

function refusalsTable(refusals, total) {
  return h('table', { class: 'list', id: 'import-refusals' },
    h('caption', {}, total > refusals.length
      ? tn(total, 'Refused rows (the first {shown} of {n})', 'Refused rows (the first {shown} of {n})', { shown: refusals.length.toLocaleString(locale()) })
      : t('Refused rows')),
    h('thead', {}, h('tr', {}, [t('Line'), t('Column'), t('Why')].map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, refusals.map((x) => h('tr', {},
      h('td', { 'data-label': t('Line') }, String(x.line)),
      h('td', { 'data-label': t('Column') }, x.column || ''),
      h('td', { 'data-label': t('Why') }, rowReason(x))))));
}

export async function render(main, _params, app) {
  const role = app.session && app.session.agent ? app.session.agent.role : null;
  main.append(h('h1', {}, t('Bring in customers')),
    h('p', {}, t('Bring the desk’s customers from a spreadsheet or from another help desk’s export, saved as a CSV file.'), ' ',
      t('Zendesk’s and Freshdesk’s exports are recognised by their column names.'), ' ',
      t('Check the file first: nothing is saved until you import it.'), ' ',
      t('A row that cannot be read is refused and listed with its line, and the others are imported; if the file itself cannot be read, nothing is saved at all.'), ' ',
      t('A customer already here (the same reference, email or phone) is brought up to date, never added twice.')),
    h('p', {}, h('a', { href: '#/customers' }, t('Back to the customers'))));
  if (role && role !== 'lead' && role !== 'admin') {
    main.append(h('p', { class: 'muted' }, t('Only a lead or an administrator can bring in customers. Ask your lead to import the file.')));
    return undefined;
  }
  const file = h('input', { type: 'file', id: 'import-file', accept: '.csv,text/csv,text/plain', required: true });
  const error = h('p', { class: 'error', role: 'alert', id: 'import-error' });
  const result = h('div', { id: 'import-result', role: 'status' });
  const check = h('button', { type: 'submit', id: 'import-check' }, t('Check the file'));
  const go = h('button', { type: 'button', id: 'import-go', disabled: true }, t('Import'));
  const form = h('form', { class: 'card', novalidate: true, id: 'import-form' },
    field(t('CSV file'), file, { hint: t('Comma or semicolon separated, with a header line naming the columns.') }),
    error, h('div', { class: 'row' }, check, go));

  async function send(dryRun) {
    error.textContent = '';
    const f = file.files && file.files[0];
    if (!f) { error.textContent = t('Choose a CSV file first.'); return; }
    check.disabled = true;
    go.disabled = true;
    clear(result).append(h('p', { class: 'muted' }, dryRun ? t('Checking the file…') : t('Importing…')));
    try {
      const r = await api.postFile(`/api/v1/imports/customers${api.qs({ dry_run: dryRun ? 'true' : 'false' })}`,
        await f.arrayBuffer(), 'text/csv');
      clear(result).append(h('p', { class: 'summary', id: 'import-summary' }, summary(r)),
        columnsTable(r.columns || []),
        r.refused ? refusalsTable(r.refusals || [], r.refused) : null);
      announce(summary(r));
      go.disabled = !dryRun;
      if (dryRun && r.refused) go.textContent = t('Import the other rows');
      else go.textContent = t('Import');
    } catch (e) {
      clear(result);
      error.textContent = e.message;
    } finally {
      check.disabled = false;
    }
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); send(true); });
  go.addEventListener('click', () => send(false));
  file.addEventListener('change', () => { go.disabled = true; go.textContent = t('Import'); clear(result); error.textContent = ''; });
  main.append(form, result);
  return undefined;
}
