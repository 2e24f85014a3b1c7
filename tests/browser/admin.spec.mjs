/*
 * admin.spec.mjs - the Admin pages in a real browser against a real
 * rapportd and a real SMTP receiver (lib.mjs's sink):
 *
 *   rapportd starts with no mail server: its log warns and the dashboard
 *   shows a banner; an admin adds a team lead and an agent, resets the
 *   agent's password and turns the account off; the lead signs in, adds a
 *   queue with its skills, sets a charter target, adds a product; the
 *   admin adds a loyalty tier, makes an API token (shown once) and revokes
 *   it, saves the SMTP settings pointing at the sink (the password shown
 *   only as "set"), sends a test message that arrives, and the banner is
 *   gone.  Each admin page is labelled, in plain words, and shot at 1280
 *   and 390 px into artifacts/.
 */
import { smtpSink, enter, waitView, assertLabelled } from './lib.mjs';

let sink = null;

export async function serverOptions() {
  sink = await smtpSink();
  return { env: { RAPPORT_SCHEDULER_INTERVAL: '0' }, cleanup: () => sink.close() };
}

const LEAD = { name: 'Lena Lead', email: 'lena@example.com', password: 'lead password 2026' };
const AGENT = { name: 'Otto Agent', email: 'otto@example.com', password: 'agent password 2026' };

/* Nothing an admin reads is an API path, a field name, JSON or an ISO time. */
async function assertPlain(page) {
  const text = await page.evaluate(() => document.querySelector('main').innerText);
  const bad = text.match(/\/api\/v1|\d{4}-\d{2}-\d{2}T\d|[{}"]|\b[a-z]+_[a-z_]+\b/);
  if (bad) throw new Error(`not plain language ("${bad[0]}") in: ${text.slice(0, 400)}`);
}

async function openSection(page, title, view = 'admin') {
  await page.locator('nav.admin-menu').getByRole('link', { name: title }).click();
  await waitView(page, view);
  await page.waitForFunction((x) => document.querySelector('main h1')?.textContent === x, title);
}

export default async function (t) {
  const { assert, base } = t;
  const context = await t.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await t.newPage({ context });
  page.on('dialog', (d) => d.accept());

  await t.step('without a mail server, the log warns and the dashboard shows a banner', async () => {
    assert.match(t.server.log, /email delivery is not configured/);
    await enter(t, page);
    await page.goto(`${base}/#/dashboard`);
    await waitView(page, 'dashboard', 15000);
    const banner = page.locator('#delivery-banner');
    await banner.waitFor();
    assert.match(await banner.textContent(), /Email cannot be sent/);
    assert.ok(await banner.getByRole('link', { name: 'Set up email now.' }).isVisible());
  });

  await t.step('an admin finds Admin in the navigation, grouped', async () => {
    const link = page.locator('#nav a[data-route="admin"]');
    assert.ok(await link.isVisible(), 'the Admin link is hidden from an admin');
    await link.click();
    await waitView(page, 'admin');
    const menu = await page.textContent('nav.admin-menu');
    for (const w of ['People', 'Agents', 'Queues', 'Service', 'Service charter', 'Loyalty tiers', 'Catalogue', 'Channels', 'Email and text messages', 'API tokens']) {
      assert.ok(menu.includes(w), `the menu lacks ${w}`);
    }
    await assertPlain(page);
    await t.shot(page, 'hub');
  });

  await t.step('the admin adds a lead and an agent, resets a password, turns an account off', async () => {
    await openSection(page, 'Agents');
    await assertLabelled(page);
    const form = page.locator('#agent-add');
    /* a refusal is shown next to its field and announced */
    await form.getByLabel('Name').fill(AGENT.name);
    await form.getByLabel('Email address').fill('not an address');
    await form.getByRole('button', { name: 'Add the agent' }).click();
    await page.waitForSelector('#agent-add [data-field="email"] .field-error');
    assert.equal(await page.getAttribute('#agent-email', 'aria-invalid'), 'true');
    for (const who of [LEAD, AGENT]) {
      await form.getByLabel('Name').fill(who.name);
      await form.getByLabel('Email address').fill(who.email);
      await form.getByLabel('Role').selectOption(who === LEAD ? 'lead' : 'agent');
      await form.getByLabel('Skills').fill(who === LEAD ? 'billing, español' : 'billing');
      await form.getByLabel('First password').fill(who.password);
      await form.getByRole('button', { name: 'Add the agent' }).click();
      await page.waitForFunction((n) => document.querySelector('#agent-list')?.textContent.includes(n), who.name);
    }
    const row = page.locator('#agent-list tr', { hasText: AGENT.name });
    assert.match(await row.textContent(), /Agent.*billing.*Takes new encounters.*On/);
    await row.getByRole('button', { name: `Change ${AGENT.name}` }).click();
    await page.getByLabel('New password').fill('a new password 2026');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.waitForFunction(() => /has a new password/.test(document.querySelector('#agent-password-form')?.textContent || ''));
    await t.shot(page, 'agents');
    await page.getByRole('button', { name: 'Turn this account off' }).click();
    await page.waitForFunction((n) => /Turned off/.test([...document.querySelectorAll('#agent-list tr')].find((r) => r.textContent.includes(n))?.textContent || ''), AGENT.name);
    const login = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: AGENT.email, password: 'a new password 2026' }) });
    assert.equal(login.status, 401, 'a turned-off agent signed in');
    await assertPlain(page);
  });

  const leadCtx = await t.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const lead = await t.newPage({ context: leadCtx });
  await t.step('the lead adds a queue with its skills', async () => {
    await enter({ ...t, credentials: LEAD }, lead);
    await lead.locator('#nav a[data-route="admin"]').click();
    await waitView(lead, 'admin');
    const menu = await lead.textContent('nav.admin-menu');
    assert.ok(!menu.includes('Agents') && !menu.includes('Loyalty tiers'), 'a lead is offered admin-only pages');
    await openSection(lead, 'Queues');
    await assertLabelled(lead);
    const form = lead.locator('#queue-add');
    await form.getByLabel('Name').fill('Billing desk');
    await form.getByLabel('Skills its work needs').fill('Billing, español');
    await form.getByLabel('Topics it takes').fill('invoices');
    await form.getByLabel('Email').check();
    await form.getByRole('button', { name: 'Add the queue' }).click();
    const row = lead.locator('#queue-list tr', { hasText: 'Billing desk' });
    await row.waitFor();
    assert.match(await row.textContent(), /billing, español.*invoices.*Email/);
    await row.getByRole('button', { name: 'Change Billing desk' }).click();
    await lead.locator('#queue-edit-form').getByLabel('Topics it takes').fill('invoices, refunds');
    await lead.locator('#queue-edit-form').getByRole('button', { name: 'Save the changes' }).click();
    await lead.waitForFunction(() => /invoices, refunds/.test(document.querySelector('#queue-list')?.textContent || ''));
    await assertPlain(lead);
    await t.shot(lead, 'queues');
  });

  await t.step('the lead sets a charter target and the queue’s hours', async () => {
    await openSection(lead, 'Service charter');
    await assertLabelled(lead);
    await lead.getByLabel('Let a customer know we have their request within (minutes)').fill('7');
    await lead.getByRole('button', { name: 'Save the targets' }).click();
    await lead.waitForFunction(() => /saved and in force/.test(document.querySelector('#charter-form')?.textContent || ''));
    const c = await (await lead.request.get(`${base}/api/v1/charter`)).json();
    assert.equal(c.acknowledge_minutes, 7);
    await lead.locator('#hours-queue').selectOption({ label: 'Billing desk' });
    await lead.locator('#hours-form').waitFor();
    await lead.getByLabel('Time zone').fill('Europe/Madrid');
    await lead.locator('#hours-monday-on').check();
    await lead.getByRole('button', { name: 'Save the hours' }).click();
    await lead.waitForFunction(() => /hours are saved/.test(document.querySelector('#hours-form')?.textContent || ''));
    await assertPlain(lead);
    await t.shot(lead, 'charter');
  });

  await t.step('the lead adds a product to the catalogue', async () => {
    await openSection(lead, 'Catalogue');
    await assertLabelled(lead);
    const form = lead.locator('#product-add');
    await form.getByLabel('Name').fill('Navy wool suit');
    await form.getByLabel('Category').fill('suits');
    await form.getByLabel('Price').fill('399.50');
    await form.getByLabel('In stock').fill('3');
    await form.getByRole('button', { name: 'Add the product' }).click();
    const row = lead.locator('#product-list tr', { hasText: 'Navy wool suit' });
    await row.waitFor();
    assert.match(await row.textContent(), /suits.*399.50.*3/);
    await assertPlain(lead);
    await t.shot(lead, 'catalogue');
  });

  await t.step('the admin adds a loyalty tier', async () => {
    await page.goto(`${base}/#/admin/loyalty`);
    await waitView(page, 'admin');
    await assertLabelled(page);
    const before = await page.locator('#loyalty-form tbody tr').count();
    await page.getByRole('button', { name: 'Add a tier' }).click();
    const n = before + 1;
    const row = page.locator('#loyalty-form tbody tr').nth(before);
    await row.getByLabel(/name$/).fill('Platinum');
    await row.getByLabel(/rank/).fill('90');
    await row.getByLabel(/visits needed/).fill('40');
    await row.getByLabel(/discount in percent/).fill('12');
    await page.getByRole('button', { name: 'Save the tiers' }).click();
    await page.waitForFunction(() => /tiers are saved/.test(document.querySelector('#loyalty-form')?.textContent || ''));
    const tiers = await (await page.request.get(`${base}/api/v1/loyalty/tiers`)).json();
    assert.equal(tiers.items.length, n);
    assert.ok(tiers.items.some((x) => x.name === 'Platinum' && x.discount_percent === 12));
    await t.shot(page, 'loyalty');
  });

  await t.step('the admin makes an API token, shown once, and revokes it', async () => {
    await openSection(page, 'API tokens');
    await assertLabelled(page);
    await page.getByLabel('What it is for').fill('The shop’s order system');
    await page.getByRole('button', { name: 'Make the token' }).click();
    await page.waitForSelector('#token-secret-value');
    const secret = await page.textContent('#token-secret-value');
    assert.match(secret, /^rpt_[0-9a-f]{64}$/);
    const works = await fetch(`${base}/api/v1/queues`, { headers: { Authorization: `Bearer ${secret}` } });
    assert.equal(works.status, 200);
    const row = page.locator('#token-list tr', { hasText: 'The shop’s order system' });
    assert.ok(!(await row.textContent()).includes(secret));
    await t.shot(page, 'tokens');
    await row.getByRole('button', { name: /Revoke/ }).click();
    await page.waitForFunction(() => /revoked/.test([...document.querySelectorAll('#token-list tr')].find((r) => r.textContent.includes('order system'))?.textContent || ''));
    const gone = await fetch(`${base}/api/v1/queues`, { headers: { Authorization: `Bearer ${secret}` } });
    assert.equal(gone.status, 401);
    await assertPlain(page);
  });

  await t.step('the admin sets the mail server, sends a test that arrives, and the banner goes', async () => {
    await openSection(page, 'Email and text messages');
    await assertLabelled(page);
    assert.match(await page.textContent('#delivery-status'), /Email is not set up/);
    await page.getByLabel('Mail server', { exact: true }).fill('ftp://wrong.example');
    await page.getByRole('button', { name: 'Save the settings' }).click();
    await page.waitForSelector('#delivery-form [data-field="smtp_url"] .field-error');
    await page.getByLabel('Mail server', { exact: true }).fill(`smtp://127.0.0.1:${sink.port}`);
    await page.getByLabel('Send email from').fill('desk@rapport.example');
    await page.getByLabel('User name at the mail server').fill('desk');
    await page.getByLabel('Password at the mail server').fill('sink password');
    await page.getByRole('button', { name: 'Save the settings' }).click();
    await page.waitForFunction(() => /settings are saved/.test(document.querySelector('#delivery-form')?.textContent || ''));
    assert.match(await page.textContent('#smtp-password-state'), /A password is set/);
    assert.equal(await page.inputValue('#smtp-password'), '');
    assert.match(await page.textContent('#delivery-status'), /Email is set up here/);
    const settings = await (await page.request.get(`${base}/api/v1/delivery/settings`)).text();
    assert.ok(!settings.includes('sink password'), 'the password came back to the browser');
    await page.getByLabel('Send a test email to').fill('ada@example.com');
    await page.getByRole('button', { name: 'Send a test' }).click();
    await page.waitForFunction(() => /took the test message/.test(document.querySelector('#test-result')?.textContent || ''), null, { timeout: 15000 });
    const until = Date.now() + 10000;
    while (!sink.messages.some((m) => /A test from rapport/.test(m)) && Date.now() < until) await page.waitForTimeout(100);
    const mail = sink.messages.find((m) => /A test from rapport/.test(m));
    assert.ok(mail, 'the test message did not arrive');
    assert.match(mail, /From:.*desk@rapport\.example/);
    assert.match(mail, /To:.*ada@example\.com/);
    await page.locator('#outbox-status').selectOption('sent');
    await assertPlain(page);
    await t.shot(page, 'delivery');
    await page.goto(`${base}/#/dashboard`);
    await waitView(page, 'dashboard', 15000);
    await page.waitForTimeout(300);
    assert.equal(await page.locator('#delivery-banner').count(), 0, 'the banner stays with email set up');
  });
}
