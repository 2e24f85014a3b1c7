/*
 * import.spec.mjs - "Bring in customers": an admin reaches the page from
 * the customer list, checks a Zendesk-shaped CSV file (names in several
 * scripts, a row with a bad address, a column rapport has no place for),
 * sees in words what the import would do and that nothing was saved,
 * imports it, finds the new customers, and imports the same file again
 * without adding anyone twice.  A file that cannot be read is refused with
 * a reason and saves nothing.
 */
import { waitView, assertLabelled, enter, hasLogin } from './lib.mjs';

const CSV = [
  'Name,Email,Phone,Organization,Details',
  'Zoë Ångström,zoe.import@example.com,+34 600 111 222,Acme,"Prefers mornings, ""navy only"""',
  '山田 花子,hanako.import@example.com,,Acme,',
  'Bad Row,not-an-address,,Acme,',
  'Ama 🎉 Mensah,ama.import@example.com,,,"e\u0301 combining"',
].join('\r\n') + '\r\n';

const EMAILS = ['zoe.import@example.com', 'hanako.import@example.com', 'ama.import@example.com'];

/* How many of the file's customers the desk has, found by their address. */
async function customerCount(page, base) {
  let n = 0;
  for (const e of EMAILS) {
    const r = await page.request.get(`${base}/api/v1/customers?q=${encodeURIComponent(e)}`);
    n += (await r.json()).items.length;
  }
  return n;
}

export default async function (t) {
  const { assert, base } = t;
  if (!(await hasLogin(base))) return; /* importing is for leads and admins */
  const context = await t.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await t.newPage({ context });

  await t.step('the customer list leads to the import page', async () => {
    await enter(t, page);
    await page.click('#nav a[data-route="customers"]');
    await waitView(page, 'customers');
    await page.click('#customers-import');
    await waitView(page, 'import');
    assert.equal(await page.textContent('main h1'), 'Bring in customers');
    await assertLabelled(page);
  });

  await t.step('checking the file shows what would happen and saves nothing', async () => {
    const before = await customerCount(page, base);
    await page.setInputFiles('#import-file', { name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf8') });
    await page.click('#import-check');
    await page.waitForSelector('#import-summary');
    const summary = await page.textContent('#import-summary');
    assert.match(summary, /The file has 4 rows/);
    assert.match(summary, /3 new customers/);
    assert.match(summary, /1 row refused/);
    assert.match(summary, /Nothing was saved/);
    const columns = await page.textContent('#import-columns');
    assert.match(columns, /Organization\s*Left out/);
    assert.match(columns, /Details\s*Notes/);
    const refusals = await page.textContent('#import-refusals');
    assert.equal((await page.textContent('#import-refusals tbody tr td')).trim(), '4', 'the refused row is not named by its line');
    /* said from the rule the row broke (the report's "rule"), in the agent's words, naming the column */
    assert.match(refusals, /Enter a valid email address in the column “Email”/);
    assert.equal(await customerCount(page, base), before, 'the check saved customers');
    assert.ok(!(await page.isDisabled('#import-go')), 'Import is not offered after the check');
  });

  await t.step('importing keeps the rows that can be read, text as it was typed', async () => {
    await page.click('#import-go');
    await page.waitForFunction(() => /^Imported/.test(document.querySelector('#import-summary')?.textContent || ''));
    assert.match(await page.textContent('#import-summary'), /Imported 4 rows: 3 new customers, 1 row refused/);
    assert.equal(await customerCount(page, base), 3);
    const r = await page.request.get(`${base}/api/v1/customers?view=full&q=${encodeURIComponent('zoe.import@example.com')}`);
    const zoe = (await r.json()).items[0];
    assert.equal(zoe.name, 'Zoë Ångström');
    assert.equal(zoe.notes, 'Prefers mornings, "navy only"');
    assert.ok(await page.isDisabled('#import-go'), 'Import is offered twice');
  });

  await t.step('the same file again adds nobody', async () => {
    await page.click('#import-check');
    await page.waitForFunction(() => /Nothing was saved/.test(document.querySelector('#import-summary')?.textContent || ''));
    const summary = await page.textContent('#import-summary');
    assert.match(summary, /0 new customers/);
    assert.match(summary, /3 customers already here and unchanged/);
  });

  await t.step('a file that cannot be read is refused and saves nothing', async () => {
    await page.setInputFiles('#import-file', { name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from('Name,Email\r\n"never closed,x@example.com\r\n', 'utf8') });
    await page.click('#import-check');
    await page.waitForFunction(() => (document.querySelector('#import-error')?.textContent || '') !== '');
    /* the reason in the agent's words, with the line the server names */
    assert.match(await page.textContent('#import-error'), /Line 2 of the file cannot be read \(a quote left open/);
    assert.equal(await page.locator('#import-summary').count(), 0);
    assert.equal(await customerCount(page, base), 3);
  });

  await t.step('at 390 px the page still reads', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 400, `the page scrolls sideways at 390 px (${wide})`);
  });
}
