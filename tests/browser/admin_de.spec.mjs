/*
 * admin_de.spec.mjs - the dashboard and the admin pages in German, in a
 * real browser (a context with locale de-DE, so the console chooses
 * German when the agent has no language of their own) against a real
 * rapportd.
 *
 * An admin reads the dashboard filtered by a queue, then works through
 * each admin page: adds an agent, a queue, sets the charter's targets and
 * a queue's hours, adds a product, makes a token, saves the delivery
 * settings, and connects a system.  The texts expected come from the
 * catalogue itself (i18n.js's t() after setLanguage('de')), so the test
 * checks the console uses the German of each message; on every page no
 * English message of the dashboard-and-admin section of de.js whose German
 * differs is left in what the admin reads (the text of the page, its
 * option labels, aria-labels and placeholders).  At 390 px the
 * dashboard's chart labels, longer in German, are still inside their
 * charts, large enough and on top of none other.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HERE, waitView, assertLabelled, hasLogin, chartLabelsReadable } from './lib.mjs';
import { t, tn, setLanguage } from '../../web/js/i18n.js';

setLanguage('de');

/* The English messages of de.js's "dashboard and admin" section whose German differs. */
function sectionEnglish() {
  const src = readFileSync(join(HERE, '..', '..', 'web', 'js', 'messages', 'de.js'), 'utf8');
  const part = src.slice(src.indexOf('/* ---- the dashboard and admin'));
  const out = [];
  const unq = (s) => s.replace(/\\(.)/g, '$1');
  for (const m of part.matchAll(/^ {2}'((?:[^'\\]|\\.)*)': '((?:[^'\\]|\\.)*)',$/gm)) {
    if (unq(m[1]) !== unq(m[2])) out.push(unq(m[1]));
  }
  if (out.length < 100) throw new Error(`only ${out.length} messages read from de.js's section`);
  return out;
}
const ENGLISH = sectionEnglish();
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/* A message as a pattern: a whole word or phrase ("Administrator" is not in "Administrator/in"), {names} standing for any value. */
const pattern = (msg) => new RegExp(`(?<![\\p{L}\\p{N}])${msg.split(/\{\w+\}/).map(esc).join('[\\s\\S]+?')}(?![\\p{L}\\p{N}/-])`, 'u');
const PATTERNS = ENGLISH.map((msg) => [msg, pattern(msg)]);

/* What the admin reads in main: its text, option labels, aria-labels, placeholders, titles. */
async function readable(page) {
  return page.evaluate(() => {
    const main = document.querySelector('main');
    const parts = [main.innerText];
    for (const el of main.querySelectorAll('option')) parts.push(el.textContent);
    for (const el of main.querySelectorAll('[aria-label], [placeholder], [title]')) {
      for (const a of ['aria-label', 'placeholder', 'title']) if (el.getAttribute(a)) parts.push(el.getAttribute(a));
    }
    return parts.join('\n');
  });
}

/*
 * No English message of the section is left on the page.  Names are
 * data, shown as written (the demo desk's queues have English names such
 * as "Phone line"), so they are taken out of the text first.
 */
async function noEnglish(assert, page, where, names) {
  let text = await readable(page);
  for (const n of names) text = text.split(n).join(' ');
  const left = PATTERNS.filter(([, re]) => re.test(text)).map(([msg, re]) => `${msg} in "${text.slice(Math.max(0, text.search(re) - 60), text.search(re) + 60)}"`);
  assert.deepEqual(left, [], `${where}: English left: ${left.join(' | ')}`);
}

async function textOf(page, selector) {
  return (await page.textContent(selector)) || '';
}

export default async function (tt) {
  const { assert, base } = tt;
  if (!(await hasLogin(base))) return;
  const context = await tt.browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  const page = await tt.newPage({ context });
  page.on('dialog', (d) => d.accept());

  /* Signed in through the API: the login page is another view's; these pages are this test's. */
  const login = await context.request.post(`${base}/api/v1/session`, { data: { email: tt.credentials.email, password: tt.credentials.password } });
  assert.ok(login.ok(), `login: ${login.status()}`);
  const csrf = (await (await context.request.get(`${base}/api/v1/session`)).json()).csrf_token;
  const call = async (method, path, data) => {
    const res = await context.request.fetch(`${base}${path}`, { method, headers: { 'X-CSRF-Token': csrf || '' }, data });
    assert.ok(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`);
    return res.json();
  };
  /* The names of the desk's queues and agents (data, not messages). */
  const names = async () => [...(await call('GET', '/api/v1/queues?limit=500')).items, ...(await call('GET', '/api/v1/encounters/assignees')).items]
    .map((x) => x.name).filter(Boolean).sort((a, b) => b.length - a.length);
  /* Open a page and wait until it is drawn: a change of hash alone keeps the
   * last page's main until the router starts, so wait for the page's own form. */
  const go = async (hash, view, ready) => {
    await page.goto(`${base}/${hash}`);
    if (ready) await page.waitForSelector(ready, { timeout: 15000 });
    await waitView(page, view, 15000);
  };

  /* A desk with known figures: a queue with three encounters, one given up, one with a defect. */
  const kasse = (await call('POST', '/api/v1/queues', { name: 'Kasse', skills: ['kasse'], topics: ['rechnung'] })).id;
  const cust = (await call('POST', '/api/v1/customers', { name: 'Pia Olsen' })).id;
  const open = async (subject) => (await call('POST', '/api/v1/encounters', { customer_id: cust, channel: 'phone', subject, topic: 'rechnung' })).id;
  const e1 = await open('Rechnung doppelt');
  await open('Karte abgelehnt');
  const e3 = await open('Erstattung spät');
  await call('POST', `/api/v1/encounters/${e3}/abandon`, { reason: 'aufgelegt' });
  await call('POST', `/api/v1/encounters/${e1}/defects`, { kind: 'wrong_item', cause: 'Rechnung zweimal geschickt' });

  await tt.step('the dashboard, filtered by a queue, is in German', async () => {
    await go('#/dashboard', 'dashboard');
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    assert.equal((await textOf(page, 'main h1')).trim(), t('Dashboard'));
    assert.equal((await textOf(page, '#dash-queue option')).trim(), t('Every queue'));
    await page.getByLabel(t('Queue'), { exact: true }).selectOption(String(kasse));
    const before = await textOf(page, '#dash-scope');
    await page.getByRole('button', { name: t('Show'), exact: true }).click();
    await page.waitForFunction((b) => { const s = document.querySelector('#dash-scope'); return s && s.textContent !== b; }, before);
    assert.match(await textOf(page, '#dash-scope'), pattern(t('From {from} to {to}, queue {queue} only.', { queue: 'Kasse' })));
    assert.equal((await textOf(page, '#stat-volume .stat-value')).trim(), '3');
    /* a share in the German way: "33 %" */
    assert.match(await textOf(page, '#stat-abandoned'), new RegExp(`^33\\s%${esc(t('Abandoned ({n})', { n: 1 }))}`));
    /* the satisfaction and relationship sections are drawn after the
     * satisfaction trend's figures arrive: wait for the last one */
    await page.waitForSelector('#chart-funnel', { timeout: 15000 });
    const main = await readable(page);
    for (const words of [t('Open now'), t('Half waited less than'), tn(0, 'Transferred ({n} transfer)', 'Transferred ({n} transfers)'),
      t('Defects by kind'), t('Wrong item'), t('Phone'), t('The service charter'), t('Customers by relationship level'),
      t('Encounters and waits'), t('Satisfaction')]) {
      assert.ok(main.includes(words), `the dashboard does not say "${words}"`);
    }
    await assertLabelled(page);
    await noEnglish(assert, page, 'dashboard', await names());
  });

  await tt.step('at 390 px the chart labels are readable in German', async () => {
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(300);
      const { problems, texts, labels } = await chartLabelsReadable(page);
      assert.ok(texts > 0, 'no chart drawn');
      assert.ok(labels.includes(t('Wrong item')), `the defects chart does not say "${t('Wrong item')}": ${labels.join(', ')}`);
      assert.deepEqual(problems, [], `at ${width} px: ${problems.join('; ')}`);
    }
    await tt.shot(page, 'dashboard');
  });

  await tt.step('the admin hub and the agents page: an agent is added', async () => {
    await go('#/admin', 'admin', 'nav.admin-menu');
    const menu = await textOf(page, 'nav.admin-menu');
    for (const w of [t('People'), t('Agents'), t('Queues'), t('Service charter'), t('Loyalty tiers'), t('Catalogue'), t('Email and text messages'), t('API tokens')]) {
      assert.ok(menu.includes(w), `the menu lacks ${w}`);
    }
    await noEnglish(assert, page, 'admin hub', await names());
    await go('#/admin/agents', 'admin', '#agent-add');
    const form = page.locator('#agent-add');
    await form.getByLabel(t('Name'), { exact: true }).fill('Jonas Weber');
    await form.getByLabel(t('Email address'), { exact: true }).fill('jonas@example.com');
    await form.getByLabel(t('Role'), { exact: true }).selectOption('lead');
    await form.getByLabel(t('Skills'), { exact: true }).fill('kasse');
    await form.getByLabel(t('First password'), { exact: true }).fill('ein langes Passwort 2026');
    await form.getByRole('button', { name: t('Add the agent') }).click();
    await page.waitForFunction((s) => document.querySelector('#agent-add')?.textContent.includes(s), t('{name} is added.', { name: 'Jonas Weber' }));
    const row = page.locator('#agent-list tr', { hasText: 'Jonas Weber' });
    const rowText = await row.textContent();
    for (const w of [t('Team lead'), t('Takes new encounters'), t('On')]) assert.ok(rowText.includes(w), `the row lacks ${w}: ${rowText}`);
    await row.getByRole('button', { name: t('Change {name}', { name: 'Jonas Weber' }) }).click();
    await page.locator('#agent-edit-form').waitFor();
    await assertLabelled(page);
    await noEnglish(assert, page, 'agents', await names());
    await tt.shot(page, 'agents');
  });

  await tt.step('a queue is added', async () => {
    await go('#/admin/queues', 'admin', '#queue-add');
    const form = page.locator('#queue-add');
    await form.getByLabel(t('Name'), { exact: true }).fill('Werkstatt');
    await form.getByLabel(t('Skills its work needs'), { exact: true }).fill('schrauben');
    await form.getByLabel(t('Topics it takes'), { exact: true }).fill('bremsen');
    await form.getByLabel(t('Email'), { exact: true }).check();
    await form.getByRole('button', { name: t('Add the queue') }).click();
    const row = page.locator('#queue-list tr', { hasText: 'Werkstatt' });
    await row.waitFor();
    assert.match(await row.textContent(), new RegExp(`schrauben.*bremsen.*${esc(t('Email'))}`));
    assert.ok((await textOf(page, 'main')).includes(t('service charter')));
    await assertLabelled(page);
    await noEnglish(assert, page, 'queues', await names());
  });

  await tt.step('the charter’s targets and a queue’s hours are set', async () => {
    await go('#/admin/charter', 'admin', '#charter-form');
    await page.getByLabel(t('Let a customer know we have their request within (minutes)')).fill('9');
    await page.getByRole('button', { name: t('Save the targets') }).click();
    await page.waitForFunction((s) => document.querySelector('#charter-form')?.textContent.includes(s), t('The targets are saved and in force from now.'));
    await page.locator('#charter-versions summary').click();
    assert.ok((await textOf(page, '#charter-versions')).includes(tn(9, '{n} minute', '{n} minutes')));
    await page.locator('#hours-queue').selectOption({ label: 'Werkstatt' });
    await page.locator('#hours-form').waitFor();
    await page.getByLabel(t('Time zone'), { exact: true }).fill('Europe/Berlin');
    await page.getByLabel(t('Monday'), { exact: true }).check();
    assert.ok(await page.getByLabel(t('{day} opens at', { day: t('Monday') })).isVisible());
    await page.getByRole('button', { name: t('Save the hours') }).click();
    await page.waitForFunction((s) => document.querySelector('#hours-form')?.textContent.includes(s), t('The business hours are saved.'));
    await assertLabelled(page);
    await noEnglish(assert, page, 'charter', await names());
    await tt.shot(page, 'charter');
  });

  await tt.step('the loyalty tiers read in German', async () => {
    await go('#/admin/loyalty', 'admin', '#loyalty-form');
    await page.getByRole('button', { name: t('Add a tier') }).click();
    assert.ok(await page.getByLabel(t('Tier {n}: discount in percent', { n: await page.locator('#loyalty-form tbody tr').count() })).isVisible());
    await assertLabelled(page);
    await noEnglish(assert, page, 'loyalty', await names());
  });

  await tt.step('a product is added, its price written the German way', async () => {
    await go('#/admin/catalogue', 'admin', '#product-add');
    const form = page.locator('#product-add');
    await form.getByLabel(t('Name'), { exact: true }).fill('Wollanzug');
    await form.getByLabel(t('Category'), { exact: true }).fill('Anzüge');
    await form.getByLabel(t('Price'), { exact: true }).fill('1399.50');
    await form.getByLabel(t('In stock'), { exact: true }).fill('3');
    await form.getByRole('button', { name: t('Add the product') }).click();
    const row = page.locator('#product-list tr', { hasText: 'Wollanzug' });
    await row.waitFor();
    assert.match(await row.textContent(), /anzüge.*1\.399,50.*3/i);
    assert.ok((await textOf(page, '#product-add')).includes(t('{name} is added to the catalogue.', { name: 'Wollanzug' })));
    await assertLabelled(page);
    await noEnglish(assert, page, 'catalogue', await names());
  });

  await tt.step('a token is made', async () => {
    await go('#/admin/tokens', 'admin', '#token-add');
    await page.getByLabel(t('What it is for'), { exact: true }).fill('Bestellsystem');
    await page.getByRole('button', { name: t('Make the token') }).click();
    await page.waitForSelector('#token-secret-value');
    assert.ok((await textOf(page, '#token-secret')).includes(t('Copy the token now')));
    const row = page.locator('#token-list tr', { hasText: 'Bestellsystem' });
    assert.ok((await row.textContent()).includes(t('yours')));
    assert.ok(await row.getByRole('button', { name: t('Revoke “{name}”', { name: 'Bestellsystem' }) }).isVisible());
    await assertLabelled(page);
    await noEnglish(assert, page, 'tokens', await names());
  });

  await tt.step('the delivery settings are saved', async () => {
    await go('#/admin/delivery', 'admin', '#delivery-form');
    assert.ok((await textOf(page, '#delivery-status')).includes(t('Email is not set up: nothing of this kind can be sent.')));
    await page.getByLabel(t('Mail server'), { exact: true }).fill('smtp://127.0.0.1:2525');
    await page.getByLabel(t('Send email from'), { exact: true }).fill('service@rapport.example');
    await page.getByRole('button', { name: t('Save the settings') }).click();
    await page.waitForFunction((s) => document.querySelector('#delivery-form')?.textContent.includes(s), t('The settings are saved. The next messages go out with them.'));
    /* the status is read again after the message is shown */
    await page.waitForFunction((s) => document.querySelector('#delivery-status')?.textContent.includes(s), t('Email is set up here.'));
    assert.equal((await textOf(page, '#outbox-status option:checked')).trim(), t('Could not be sent'));
    await assertLabelled(page);
    await noEnglish(assert, page, 'delivery', await names());
    await tt.shot(page, 'delivery');
  });

  await tt.step('a system is connected', async () => {
    await go('#/webhooks', 'webhooks', '#webhook-add');
    assert.equal((await textOf(page, 'main h1')).trim(), t('Connected systems'));
    await page.getByLabel(t('Address that receives the messages'), { exact: true }).fill('http://127.0.0.1:9/hook');
    await page.getByLabel(t('What it is (for you)'), { exact: true }).fill('Warenwirtschaft');
    await page.getByLabel(t('A customer is added'), { exact: true }).check();
    await page.getByRole('button', { name: t('Connect'), exact: true }).click();
    await page.waitForSelector('#webhook-secret-value');
    const card = page.locator('[data-webhook]', { hasText: 'Warenwirtschaft' });
    const text = await card.textContent();
    assert.ok(text.includes(`${t('Told when:')} ${t('A customer is added')}`), text);
    assert.ok(text.includes(t('Nothing sent yet')), text);
    await card.getByRole('button', { name: t('Show recent messages') }).click();
    await page.waitForFunction(() => document.querySelector('[data-webhook] .deliveries')?.textContent);
    await assertLabelled(page);
    await noEnglish(assert, page, 'connected systems', await names());
    await tt.shot(page, 'webhooks');
  });
  await context.close();
}
