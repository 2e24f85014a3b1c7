/*
 * privacy.spec.mjs - the customer's data and the audit log, in the
 * console: an admin reads a customer, then finds that read on the Privacy
 * page by searching the audit log; downloads the customer's data as an
 * archive and as a page to read and checks what they hold; a customer
 * asks for their data from their help page, the admin approves, and the
 * customer's page offers the download; an agent sees neither the audit
 * log nor another queue's requests.  Everything a person reads is plain
 * language: no field names, JSON or ISO timestamps.
 */
import { readFileSync } from 'node:fs';
import { waitView, assertLabelled, enter, hasLogin, cli } from './lib.mjs';

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const FIELDS = /\b(customer_id|agent_id|encounter_id|occurred_at|requested_at|null|undefined)\b|[{}]|\/api\//;

/* What the reader sees in the element (its visible text) is plain. */
async function assertPlain(assert, locator, what) {
  const text = await locator.innerText();
  assert.ok(!ISO.test(text), `${what} shows an ISO timestamp: ${text.match(ISO)}`);
  assert.ok(!FIELDS.test(text), `${what} shows a field name or JSON: ${text.match(FIELDS)}`);
  return text;
}

/* The text of the download a click on locator starts. */
async function download(page, locator) {
  const [d] = await Promise.all([page.waitForEvent('download'), locator.click()]);
  return readFileSync(await d.path(), 'utf8');
}

export default async function (t) {
  const { assert, base } = t;
  if (!(await hasLogin(base))) return; /* the audit log is for admins */
  const admin = await t.newPage();
  let customerId = 0, customerName = '';

  await t.step('an admin reads a customer: the read is in the audit log', async () => {
    await enter(t, admin);
    const r = await admin.request.get(`${base}/api/v1/customers?limit=1`);
    const c = (await r.json()).items[0];
    customerId = c.id;
    customerName = c.name;
    await admin.goto(`${base}/#/customers/${customerId}`);
    await waitView(admin, 'customer');
    await admin.locator('#nav a[data-route="privacy"]').click();
    await waitView(admin, 'privacy');
    assert.equal(await admin.textContent('main h1'), 'Privacy');
    await assertLabelled(admin);
    await admin.getByLabel('Customer number').fill(String(customerId));
    await admin.getByRole('button', { name: 'Search' }).click();
    await admin.waitForFunction((name) => [...document.querySelectorAll('#audit-list .audit-entry')]
      .some((li) => li.textContent.includes(`read the profile of ${name}`) || li.textContent.includes(`read the overview of ${name}`)),
    customerName);
    const text = await assertPlain(assert, admin.locator('#audit-list'), 'the audit log');
    assert.match(text, new RegExp(`${t.credentials.name} read the (profile|overview) of ${customerName}`));
    assert.match(text, /from 127\.0\.0\.1/);
    await t.shot(admin, 'privacy-audit');
  });

  await t.step('the customer\'s data comes out as an archive and as a page', async () => {
    await admin.goto(`${base}/#/customers/${customerId}`);
    await waitView(admin, 'customer');
    const archive = JSON.parse(await download(admin, admin.getByRole('link', { name: 'Export all their data (file for another system)' })));
    assert.equal(archive.customer.id, customerId);
    assert.equal(archive.customer.name, customerName);
    const db = await (await admin.request.get(`${base}/api/v1/encounters?customer_id=${customerId}&limit=100`)).json();
    assert.deepEqual(archive.encounters.map((e) => e.id).sort(), db.items.map((e) => e.id).sort());
    /* the reads of this test are in it: who looked at their data */
    assert.ok(JSON.stringify(archive).includes(t.credentials.name), 'the archive does not say who read the data');
    const html = await download(admin, admin.getByRole('link', { name: 'Export all their data (page)' }));
    const page = await t.newPage();
    await page.setContent(html);
    const body = await assertPlain(assert, page.locator('body'), 'the page of their data');
    assert.ok(body.includes(customerName), 'the page does not name the customer');
    await page.close();
  });

  let statusUrl = '';
  const customer = await t.newPage();
  await t.step('a customer asks for their data from their help page', async () => {
    await customer.goto(`${base}/help`);
    await customer.getByLabel('Your name').fill('Inés Ortega');
    await customer.getByLabel('Your email address').fill('ines@example.com');
    await customer.getByLabel('Subject').fill('What do you keep about me?');
    await customer.getByLabel('Your message').fill('I would like a copy of my data.');
    await customer.getByRole('button', { name: 'Send' }).click();
    await customer.waitForSelector('text=Thank you, Inés Ortega');
    statusUrl = `${base}${await customer.getAttribute('.link a', 'href')}`;
    await customer.goto(statusUrl);
    await customer.getByRole('button', { name: 'Ask for a copy of my data' }).click();
    await customer.waitForSelector('text=will look at your request');
  });

  await t.step('the admin approves it; the customer\'s page offers the download', async () => {
    await admin.goto(`${base}/#/privacy`);
    await waitView(admin, 'privacy');
    const item = admin.locator('#export-requests li', { hasText: 'Inés Ortega' });
    await item.waitFor();
    await assertPlain(assert, admin.locator('#export-requests'), 'the requests');
    assert.match(await item.innerText(), /Inés Ortega asked for a copy of their data on /);
    await item.getByRole('button', { name: 'Approve' }).click();
    await admin.waitForFunction(() => !/Inés Ortega/.test(document.querySelector('#export-requests')?.textContent || ''));
    await customer.goto(statusUrl);
    const file = customer.getByRole('link', { name: /download it as a file/ });
    await file.waitFor();
    await assertPlain(assert, customer.locator('#data ~ p').first(), 'the customer\'s page');
    const r = await customer.request.get(new URL(await file.getAttribute('href'), base).href);
    assert.equal(r.status(), 200);
    const archive = await r.json();
    assert.equal(archive.customer.name, 'Inés Ortega');
    assert.ok(archive.encounters.some((e) => e.subject === 'What do you keep about me?'));
    const read = await customer.request.get(new URL(await customer.getByRole('link', { name: 'read it' }).getAttribute('href'), base).href);
    assert.equal(read.status(), 200);
    const copy = await t.newPage();
    await copy.setContent(await read.text());
    assert.match(await assertPlain(assert, copy.locator('body'), 'the customer\'s copy as a page'), /Everything we hold about Inés Ortega/);
    await copy.close();
  });

  await t.step('an agent sees no audit log and no other queue\'s requests', async () => {
    const made = cli({ rapport: t.rapport, db: t.server.db },
      ['agent', 'add', '--name', 'Ana Ruiz', '--email', 'ana@example.com', '--role', 'agent'],
      { RAPPORT_PASSWORD: 'another long passphrase' });
    assert.equal(made.status, 0, made.stderr);
    const ctx = await t.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const agent = await t.newPage({ context: ctx });
    await enter({ ...t, credentials: { email: 'ana@example.com', password: 'another long passphrase' } }, agent);
    await agent.goto(`${base}/#/privacy`);
    await waitView(agent, 'privacy');
    assert.equal(await agent.locator('#audit-list').count(), 0, 'an agent sees the audit log');
    assert.equal(await agent.getByLabel('Customer number').count(), 0, 'an agent can search the audit log');
    await assertPlain(assert, agent.locator('main'), 'the agent\'s Privacy page');
    const r = await agent.request.get(`${base}/api/v1/audit`);
    assert.equal(r.status(), 403);
    await t.shot(agent, 'privacy-agent');
  });
}
