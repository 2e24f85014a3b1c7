/*
 * console.spec.mjs - the agent console on what every build has: customers,
 * encounters and moments of truth.  The queue (live, with wait times, long
 * waits standing out), the customer list and search, the customer page
 * with its moments timeline and its recommendations (recorded as offers
 * only once shown), opening an encounter, the dashboard's page,
 * escaping, labels, keyboard use, the security headers, and screenshots of
 * each page at 1280 and 390 px.  With a build that has login it logs in
 * first; without one the console is open.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HERE, waitView, assertLabelled, enter, hasLogin } from './lib.mjs';

const WEB = join(HERE, '..', '..', 'web');

function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? jsFiles(join(dir, d.name)) : d.name.endsWith('.js') ? [join(dir, d.name)] : []);
}

export default async function (t) {
  const { assert, base } = t;
  const login = await hasLogin(base);
  const context = await t.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await t.newPage({ context });
  const apiGet = async (path) => {
    const r = await page.request.get(`${base}${path}`);
    assert.equal(r.status(), 200, `GET ${path}`);
    return r.json();
  };
  let anna = null;
  let opened = null;

  await t.step('the console is served with a strict Content-Security-Policy and no inline code', async () => {
    const r = await fetch(`${base}/`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    const csp = r.headers.get('content-security-policy') || '';
    for (const d of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"])
      assert.ok(csp.includes(d), `CSP lacks ${d}: ${csp}`);
    assert.ok(!/unsafe-inline|unsafe-eval/.test(csp), `CSP allows inline code: ${csp}`);
    const html = await r.text();
    assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html), 'index.html has an inline script');
    assert.ok(!/\son[a-z]+\s*=/i.test(html), 'index.html has an inline event handler');
    assert.ok(!/\sstyle\s*=/i.test(html), 'index.html has an inline style');
    const js = await fetch(`${base}/js/app.js`);
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
    for (const f of jsFiles(join(WEB, 'js'))) {
      const src = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
      assert.ok(!/\.innerHTML|\.outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function/.test(src),
        `${f} parses strings as HTML or code`);
    }
  });

  await t.step(login ? 'log in through the login page' : 'open mode: the console goes straight to the queue', async () => {
    await enter(t, page);
  });

  await t.step('the queue lists every waiting encounter with its wait time', async () => {
    const waiting = (await apiGet('/api/v1/encounters?stage=received&limit=100')).items;
    assert.ok(waiting.length >= 1, 'the demo leaves the car service waiting');
    await page.waitForSelector('#queue-rows tr');
    const rows = page.locator('#queue-rows tr');
    assert.equal(await rows.count(), waiting.length);
    const car = page.locator('#queue-rows tr', { hasText: 'Technical inspection of the car' });
    assert.equal(await car.count(), 1);
    assert.match(await car.textContent(), /Anna/);
    /* the name the customer likes to be called, from the list itself:
     * no call per customer */
    const carRow = waiting.find((e) => /Technical inspection of the car/.test(e.subject));
    assert.equal((await car.locator('td a').first().textContent()).trim(), carRow.customer_preferred_name || carRow.customer_name);
    assert.equal(await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => /^\/api\/v1\/customers\/\d+$/.test(new URL(e.name).pathname)).length), 0);
    assert.match(await car.locator('.wait').textContent(), /^\d+ (s|min)/);
    assert.match(await page.textContent('#queue-summary'), new RegExp(`^${waiting.length} waiting`));
    await assertLabelled(page);
    await t.shot(page, 'queue');
  });

  await t.step('long waits stand out (clock ten minutes ahead)', async () => {
    /* The clock is per browser context: a context of its own, with the session. */
    const lateContext = await t.browser.newContext({ viewport: { width: 1280, height: 900 }, storageState: await context.storageState() });
    const late = await t.newPage({ context: lateContext });
    await late.clock.setFixedTime(new Date(Date.now() + 10 * 60 * 1000));
    await late.goto(`${base}/#/queue`);
    await waitView(late, 'queue');
    const n = await late.locator('#queue-rows tr').count();
    assert.ok(n > 0);
    assert.equal(await late.locator('#queue-rows tr.over-target').count(), n, 'every row is over the 5 min target');
    assert.equal(await late.locator('#queue-rows .flag:visible').count(), n, 'each says so in words');
    assert.match(await late.textContent('#queue-summary'), new RegExp(`${n} over the`));
    await t.shot(late, 'queue-long-waits');
    await lateContext.close();
  });

  await t.step('the customer list searches by name', async () => {
    await page.click('#nav a[data-route="customers"]');
    await waitView(page, 'customers');
    const all = (await apiGet('/api/v1/customers?limit=50')).items.length;
    assert.equal(await page.locator('#customer-rows tr').count(), all);
    await page.getByLabel('Search customers').fill('kowal');
    await page.waitForFunction(() => document.querySelectorAll('#customer-rows tr').length === 1);
    assert.match(await page.textContent('#customer-rows'), /Anna/);
    await assertLabelled(page);
    await t.shot(page, 'customers');
    await page.getByLabel('Search customers').fill('');
    await page.waitForFunction((n) => document.querySelectorAll('#customer-rows tr').length === n, all);
  });

  await t.step('the customer page shows the moments-of-truth timeline', async () => {
    await page.getByLabel('Search customers').fill('kowal');
    await page.waitForFunction(() => document.querySelectorAll('#customer-rows tr').length === 1);
    await page.locator('#customer-rows a').first().click();
    await waitView(page, 'customer');
    anna = Number(page.url().match(/customers\/(\d+)/)[1]);
    assert.match(await page.textContent('h1'), /Anna/);
    const moments = (await apiGet(`/api/v1/customers/${anna}/moments?limit=30`)).items;
    assert.equal(await page.locator('#timeline li').count(), moments.length);
    assert.match(await page.textContent('#timeline'), /Encounter opened/);
    assert.match(await page.textContent('#p-encounters'), /Technical inspection of the car/);
    await assertLabelled(page);
    await t.shot(page, 'customer');
  });

  await t.step('an encounter opened from the customer page appears in the live queue', async () => {
    const queue = await t.newPage({ context });
    await queue.goto(`${base}/#/queue`);
    await waitView(queue, 'queue');
    const before = await queue.locator('#queue-rows tr').count();
    await page.getByLabel('Channel').selectOption('phone');
    await page.getByLabel('Subject').fill('Squeaking brakes after the inspection');
    await page.getByRole('button', { name: 'Open the encounter' }).click();
    await waitView(page, 'encounter');
    opened = Number(page.url().match(/encounters\/(\d+)/)[1]);
    /* No reload: the queue polls every 3 s. */
    await queue.waitForSelector(`#queue-rows tr[data-id="${opened}"]`, { timeout: 6000 });
    assert.equal(await queue.locator('#queue-rows tr').count(), before + 1);
    assert.match(await queue.locator(`#queue-rows tr[data-id="${opened}"]`).textContent(), /Squeaking brakes/);
    await queue.close();
  });

  await t.step('the encounter workspace greets the customer and shows the stages', async () => {
    assert.match(await page.textContent('#greeting'), /Anna/);
    assert.match(await page.textContent('#encounter-wait'), /^waiting \d+ s$/, 'a fresh encounter has waited seconds');
    assert.equal(await page.textContent('ol.stages li[aria-current="step"]'), 'Received');
    assert.ok(await page.locator('#stage-received.current').count() === 1);
    assert.ok(await page.getByLabel('Facts').count() === 1);
    assert.ok(await page.getByLabel('Search the knowledge base').count() === 1);
    assert.match(await page.textContent('.about'), /Permanent client of the garage/);
    await assertLabelled(page);
    await t.shot(page, 'encounter');
  });

  await t.step('knowledge-base search inside the encounter shows marked snippets as text', async () => {
    const probe = await page.request.get(`${base}/api/v1/kb/search?q=brake`);
    if (probe.status() === 404) {
      await page.getByLabel('Search the knowledge base').fill('brake');
      await page.click('.kb button[type="submit"]');
      await page.waitForSelector('#kb-results >> text=no knowledge base');
      return;
    }
    const session = await (await page.request.get(`${base}/api/v1/session`)).json();
    const made = await page.request.post(`${base}/api/v1/kb/articles`, {
      headers: { 'X-CSRF-Token': session.csrf_token },
      data: { title: 'Brake pads & bedding-in <b>', tags: ['brakes'],
        body: 'New brake pads need 200 km of gentle braking.\n\n<img src=x onerror="window.__pwned=2">' },
    });
    assert.equal(made.status(), 201, await made.text());
    await page.getByLabel('Search the knowledge base').fill('brake pads');
    await page.click('.kb button[type="submit"]');
    const hit = page.locator('#kb-results li').first();
    await hit.waitFor();
    assert.equal(await hit.locator('.kb-title').textContent(), 'Brake pads & bedding-in <b>');
    assert.match(await hit.locator('.kb-snippet mark').first().textContent(), /brake|pads/i);
    await hit.locator('summary').click();
    await hit.locator('.kb-body p').nth(1).waitFor();
    assert.match(await hit.locator('.kb-body').textContent(), /<img src=x onerror/);
    assert.equal(await page.locator('main img').count(), 0);
    await hit.getByRole('button', { name: 'It helped' }).click();
    await hit.locator('text=marked as helpful').waitFor();
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    await t.shot(page, 'encounter-kb');
  });

  await t.step('keyboard: Tab reaches the queue and Enter opens an encounter', async () => {
    await page.goto(`${base}/#/queue`);
    await waitView(page, 'queue');
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    let found = false;
    for (let i = 0; i < 40 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement?.matches('#queue-rows a.button') ?? false);
    }
    assert.ok(found, 'no Receive link reachable with Tab');
    await page.keyboard.press('Enter');
    await waitView(page, 'encounter');
  });

  await t.step('what people type is shown as text, never run', async () => {
    await page.goto(`${base}/#/customers`);
    await waitView(page, 'customers');
    const evil = '<img src=x onerror="window.__pwned=1">Eve';
    await page.getByLabel('Full name').fill(evil);
    await page.getByRole('button', { name: 'Add the customer' }).click();
    await waitView(page, 'customer');
    assert.ok((await page.textContent('h1')).includes(evil));
    assert.equal(await page.locator('main img').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
  });

  await t.step('recommendations on the customer page are recorded as offers when shown, not when read', async () => {
    const found = (await apiGet('/api/v1/customers?q=Ahmad')).items;
    assert.equal(found.length, 1);
    const ahmad = found[0].id;
    const shownMoments = async () => (await apiGet(`/api/v1/customers/${ahmad}/moments?limit=100`))
      .items.filter((m) => m.kind === 'offer.shown').length;
    const before = await shownMoments();
    /* reading them (as any script could) records nothing */
    await apiGet(`/api/v1/customers/${ahmad}/recommendations`);
    assert.equal(await shownMoments(), before);
    const other = page; /* the next step leaves for the dashboard anyway */
    await other.goto(`${base}/#/customers/${ahmad}`);
    await waitView(other, 'customer');
    await other.waitForFunction(() => /Starfruit/.test(document.querySelector('#recommendations')?.textContent || ''));
    /* the console says what it showed, with a request of its own */
    let after = before;
    for (let i = 0; i < 50 && after === before; i++) {
      await other.waitForTimeout(100);
      after = await shownMoments();
    }
    assert.equal(after, before + 1, 'showing the recommendations records one offer.shown moment');
  });

  await t.step('the dashboard page renders', async () => {
    await page.click('#nav a[data-route="dashboard"]');
    await waitView(page, 'dashboard');
    const charts = await page.locator('#chart-funnel, #dashboard-unavailable').count();
    assert.ok(charts >= 1, 'neither charts nor the note that metrics are missing');
    await assertLabelled(page);
    await t.shot(page, 'dashboard');
  });

  await t.step('the login page', async () => {
    if (login) {
      await page.click('#logout');
      await waitView(page, 'login');
    } else {
      await page.goto(`${base}/#/login`);
      await waitView(page, 'login');
    }
    await assertLabelled(page);
    await t.shot(page, 'login');
  });

  await context.close();
}
