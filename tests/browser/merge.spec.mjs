/*
 * merge.spec.mjs - possible duplicates and the merge on the customer page.
 * Two customers who are one person (the same Gmail address written with
 * and without dots and a "+tag", the same number with and without its
 * country code): each page points to the other as a possible duplicate
 * with a link; an agent sees the hint but no merge button; an admin's
 * merge asks in plain words first (and can be cancelled, and asks why),
 * then the page shows one customer with both histories, and the old
 * page leads to it.
 */
import { waitView, assertLabelled, enter, hasLogin, cli } from './lib.mjs';

const AGENT = { email: 'sam@example.com', password: 'a long agent password 42' };

export default async function (t) {
  const { assert, base } = t;
  if (!(await hasLogin(base))) return; /* merging is for admins */
  const opts = { rapport: t.rapport, db: t.server.db };
  const add = (args) => {
    const r = cli(opts, ['customer', 'add', '--json', ...args]);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout).id;
  };
  const keep = add(['--name', 'Rosa Delgado', '--email', 'rosa.delgado@gmail.com', '--phone', '+34 611 222 333']);
  const gone = add(['--name', 'Rosa D.', '--email', 'rosadelgado+shop@gmail.com', '--phone', '611 222 333']);
  let r = cli(opts, ['encounter', 'open', '--customer', String(gone), '--channel', 'phone', '--subject', 'Returns a jacket']);
  assert.equal(r.status, 0, r.stderr);
  r = cli(opts, ['agent', 'add', '--name', 'Sam Agent', '--email', AGENT.email, '--role', 'agent'], { RAPPORT_PASSWORD: AGENT.password });
  assert.equal(r.status, 0, r.stderr);

  await t.step('an agent sees the possible duplicate with a link, and no merge button', async () => {
    const context = await t.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await t.newPage({ context });
    await page.goto(`${base}/#/queue`);
    await waitView(page, 'login');
    await page.getByLabel('Email').fill(AGENT.email);
    await page.getByLabel('Password').fill(AGENT.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await waitView(page, 'queue');
    await page.goto(`${base}/#/customers/${keep}`);
    await waitView(page, 'customer');
    const box = page.locator('#duplicates');
    await box.waitFor();
    assert.equal(await box.locator('h2').textContent(), 'Possible duplicate');
    const text = await box.textContent();
    assert.match(text, /Rosa D\. has the same email address \(rosadelgado\+shop@gmail\.com\) and the same phone number/);
    assert.equal(await box.getByRole('button').count(), 0, 'an agent is offered a merge');
    await box.getByRole('link', { name: 'Rosa D.' }).click();
    await waitView(page, 'customer');
    assert.equal(await page.textContent('main h1'), 'Rosa D.');
    assert.match(await page.textContent('#duplicates'), /Rosa Delgado/);
    await context.close();
  });

  const context = await t.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await t.newPage({ context });

  await t.step('an admin is asked first, in plain words, and can cancel', async () => {
    await enter(t, page);
    await page.goto(`${base}/#/customers/${keep}`);
    await waitView(page, 'customer');
    await page.getByRole('button', { name: 'Merge Rosa D. into Rosa Delgado…' }).click();
    const form = page.locator('form.merge-confirm');
    assert.ok(await form.isVisible());
    const words = await form.textContent();
    assert.match(words, /Merge Rosa D\. into Rosa Delgado\?/);
    assert.match(words, /This cannot be undone/);
    assert.ok(!/api\/v1|merged_id|\{|\}/.test(words), `the confirmation is not plain language: ${words}`);
    await assertLabelled(page);
    await t.shot(page, 'merge-confirm');
    await form.getByRole('button', { name: 'Cancel' }).click();
    assert.ok(!(await form.isVisible()));
    const still = await page.request.get(`${base}/api/v1/customers/${gone}`);
    assert.equal((await still.json()).id, gone, 'cancelling merged');
  });

  await t.step('without a reason nothing is merged; with one the page shows one customer', async () => {
    await page.getByRole('button', { name: 'Merge Rosa D. into Rosa Delgado…' }).click();
    const form = page.locator('form.merge-confirm');
    await form.getByRole('button', { name: 'Yes, merge them' }).click();
    await page.waitForSelector('form.merge-confirm .error:not(:empty)');
    assert.match(await form.locator('.error').textContent(), /Say why they are the same person/);
    let still = await page.request.get(`${base}/api/v1/customers/${gone}`);
    assert.equal((await still.json()).id, gone, 'merged without a reason');

    await form.getByLabel('Why are they the same person?').fill('She wrote from her shop and called from home');
    await form.getByRole('button', { name: 'Yes, merge them' }).click();
    await page.waitForFunction(() => !document.querySelector('#duplicates') && document.querySelector('main[aria-busy="false"]'));
    await waitView(page, 'customer');
    assert.equal(await page.textContent('main h1'), 'Rosa Delgado');
    const head = await page.textContent('.customer-head');
    assert.match(head, /rosadelgado\+shop@gmail\.com/);
    assert.match(await page.textContent('#p-encounters'), /Returns a jacket/);
    await page.waitForFunction(() => /merged into this one/.test(document.querySelector('#timeline')?.textContent || ''));
    assert.match(await page.textContent('#timeline'), /Became a customer: Rosa D\./);
    still = await page.request.get(`${base}/api/v1/customers/${gone}`);
    assert.equal((await still.json()).id, keep);
  });

  await t.step('the old page leads to the customer kept', async () => {
    await page.goto(`${base}/#/customers/${gone}`);
    await page.waitForFunction((k) => location.hash === `#/customers/${k}`, keep);
    await waitView(page, 'customer');
    assert.equal(await page.textContent('main h1'), 'Rosa Delgado');
    assert.equal(await page.locator('#duplicates').count(), 0);
  });
  await context.close();
}
