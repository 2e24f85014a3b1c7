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

/* What each field of a customer is called on this page. */
const FIELD_WORDS = {
  external_id: 'Reference in the other system',
  name: 'Full name',
  preferred_name: 'Preferred name',
  email: 'Email',
  emails: 'Email',
  phone: 'Phone',
  phones: 'Phone',
  notes: 'Notes',
};

function fieldWords(f) {
  return FIELD_WORDS[f] || 'another detail';
}

function plural(n, one, many) {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/* The report's counts as one sentence. */
export function summary(r) {
  const parts = [];
  parts.push(`${plural(r.created, 'new customer', 'new customers')}`);
  if (r.updated) parts.push(`${plural(r.updated, 'customer', 'customers')} brought up to date`);
  if (r.unchanged) parts.push(`${plural(r.unchanged, 'customer', 'customers')} already here and unchanged`);
  if (r.refused) parts.push(`${plural(r.refused, 'row', 'rows')} refused`);
  const rows = plural(r.rows, 'row', 'rows');
  return r.dry_run
    ? `The file has ${rows}. Importing it would give: ${parts.join(', ')}. Nothing was saved.`
    : `Imported ${rows}: ${parts.join(', ')}.`;
}

function columnsTable(columns) {
  return h('table', { class: 'list', id: 'import-columns' },
    h('caption', {}, 'How the columns are read'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Column in the file'), h('th', { scope: 'col' }, 'Becomes'))),
    h('tbody', {}, columns.map((c) => h('tr', {},
      h('td', { 'data-label': 'Column in the file' }, c.column),
      h('td', { 'data-label': 'Becomes' }, c.field ? fieldWords(c.field) : h('span', { class: 'muted' }, 'Left out'))))));
}

/* The core names the field a reason is about ("emails[0] ..."); the column
 * already says which, so the page shows the rest of the sentence. */
export function plainReason(reason) {
  return String(reason || '').replace(/^[a-z_]+(\[\d+\])?\s+/, '');
}

function refusalsTable(refusals, total) {
  return h('table', { class: 'list', id: 'import-refusals' },
    h('caption', {}, total > refusals.length
      ? `Refused rows (the first ${refusals.length.toLocaleString()} of ${total.toLocaleString()})`
      : 'Refused rows'),
    h('thead', {}, h('tr', {}, ['Line', 'Column', 'Why'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, refusals.map((x) => h('tr', {},
      h('td', { 'data-label': 'Line' }, String(x.line)),
      h('td', { 'data-label': 'Column' }, x.column || ''),
      h('td', { 'data-label': 'Why' }, plainReason(x.reason))))));
}

export async function render(main, _params, app) {
  const role = app.session && app.session.agent ? app.session.agent.role : null;
  main.append(h('h1', {}, 'Bring in customers'),
    h('p', {}, 'Bring the desk’s customers from a spreadsheet or from another help desk’s export, saved as a CSV file. ',
      'Zendesk’s and Freshdesk’s exports are recognised by their column names. ',
      'Check the file first: nothing is saved until you import it. ',
      'A row that cannot be read is refused and listed with its line, and the others are imported; ',
      'if the file itself cannot be read, nothing is saved at all. ',
      'A customer already here (the same reference, email or phone) is brought up to date, never added twice.'),
    h('p', {}, h('a', { href: '#/customers' }, 'Back to the customers')));
  if (role && role !== 'lead' && role !== 'admin') {
    main.append(h('p', { class: 'muted' }, 'Only a lead or an administrator can bring in customers.'));
    return undefined;
  }
  const file = h('input', { type: 'file', id: 'import-file', accept: '.csv,text/csv,text/plain', required: true });
  const error = h('p', { class: 'error', role: 'alert', id: 'import-error' });
  const result = h('div', { id: 'import-result', role: 'status' });
  const check = h('button', { type: 'submit', id: 'import-check' }, 'Check the file');
  const go = h('button', { type: 'button', id: 'import-go', disabled: true }, 'Import');
  const form = h('form', { class: 'card', novalidate: true, id: 'import-form' },
    field('CSV file', file, { hint: 'Comma or semicolon separated, with a header line naming the columns.' }),
    error, h('div', { class: 'row' }, check, go));

  async function send(dryRun) {
    error.textContent = '';
    const f = file.files && file.files[0];
    if (!f) { error.textContent = 'Choose a CSV file first.'; return; }
    check.disabled = true;
    go.disabled = true;
    clear(result).append(h('p', { class: 'muted' }, dryRun ? 'Checking the file…' : 'Importing…'));
    try {
      const r = await api.postFile(`/api/v1/imports/customers${api.qs({ dry_run: dryRun ? 'true' : 'false' })}`,
        await f.arrayBuffer(), 'text/csv');
      clear(result).append(h('p', { class: 'summary', id: 'import-summary' }, summary(r)),
        columnsTable(r.columns || []),
        r.refused ? refusalsTable(r.refusals || [], r.refused) : null);
      announce(summary(r));
      go.disabled = !dryRun;
      if (dryRun && r.refused) go.textContent = 'Import the other rows';
      else go.textContent = 'Import';
    } catch (e) {
      clear(result);
      error.textContent = e.message;
    } finally {
      check.disabled = false;
    }
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); send(true); });
  go.addEventListener('click', () => send(false));
  file.addEventListener('change', () => { go.disabled = true; go.textContent = 'Import'; clear(result); error.textContent = ''; });
  main.append(form, result);
  return undefined;
}
