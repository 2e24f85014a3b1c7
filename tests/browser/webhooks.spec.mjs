/*
 * webhooks.spec.mjs - the admin's "Connected systems" page: reached from
 * the navigation, it connects a system (the signing key shown once, then
 * never again), says in plain words what the system is told, refuses a
 * bad address next to the form, stops and restarts sending, shows the
 * recent messages, and removes the connection.  The page's controls are
 * all labelled.
 */
import { waitView, assertLabelled, enter, hasLogin } from './lib.mjs';

export default async function (t) {
  const { assert, base } = t;
  if (!(await hasLogin(base))) return; /* subscriptions are for admins */
  const context = await t.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await t.newPage({ context });
  page.on('dialog', (d) => d.accept());

  await t.step('an admin finds Connected systems in the navigation', async () => {
    await enter(t, page);
    const link = page.locator('#nav a[data-route="webhooks"]');
    assert.ok(await link.isVisible(), 'the link is hidden from an admin');
    await link.click();
    await waitView(page, 'webhooks');
    assert.equal(await page.textContent('main h1'), 'Connected systems');
    assert.match(await page.textContent('#webhook-list'), /No system is connected yet/);
    await assertLabelled(page);
  });

  await t.step('a bad address is refused and nothing is added', async () => {
    await page.getByLabel('Address that receives the messages').fill('ftp://files.example/');
    await page.getByLabel('A customer is added').check();
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.waitForSelector('#webhook-add .error:not(:empty)');
    assert.match(await page.textContent('#webhook-add .error'), /https:\/\//);
    assert.match(await page.textContent('#webhook-list'), /No system is connected yet/);
  });

  await t.step('connecting shows the signing key once and what the system is told', async () => {
    await page.getByLabel('Address that receives the messages').fill('https://crm.example/hooks');
    await page.getByLabel('What it is (for you)').fill('The CRM');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.waitForSelector('#webhook-secret-value');
    const secret = await page.textContent('#webhook-secret-value');
    assert.match(secret, /^whsec_[0-9a-f]{64}$/);
    const card = page.locator('section[data-webhook]');
    await card.waitFor();
    const text = await card.textContent();
    assert.match(text, /The CRM/);
    assert.match(text, /Told when: A customer is added/);
    assert.match(text, /Nothing sent yet/);
    assert.ok(!text.includes(secret), 'the card shows the secret');
    /* a fresh visit of the page never shows it again */
    await page.reload();
    await waitView(page, 'webhooks');
    assert.equal(await page.locator('#webhook-secret-value').count(), 0);
    assert.ok(!(await page.textContent('main')).includes(secret));
  });

  await t.step('sending is stopped and started again; the recent messages are shown', async () => {
    const card = page.locator('section[data-webhook]');
    await card.getByRole('button', { name: 'Stop sending' }).click();
    await page.waitForFunction(() => /Turned off/.test(document.querySelector('section[data-webhook]')?.textContent || ''));
    await page.locator('section[data-webhook]').getByRole('button', { name: 'Start sending again' }).click();
    await page.waitForFunction(() => /Nothing sent yet/.test(document.querySelector('section[data-webhook]')?.textContent || ''));
    await page.locator('section[data-webhook]').getByRole('button', { name: 'Show recent messages' }).click();
    await page.waitForFunction(() => /Nothing has been sent yet/.test(document.querySelector('section[data-webhook]')?.textContent || ''));
  });

  await t.step('removing the connection', async () => {
    await page.locator('section[data-webhook]').getByRole('button', { name: 'Remove' }).click();
    await page.waitForFunction(() => /No system is connected yet/.test(document.querySelector('#webhook-list')?.textContent || ''));
    const r = await page.request.get(`${base}/api/v1/webhooks`);
    assert.equal(r.status(), 200);
    assert.equal((await r.json()).items.length, 0);
  });
}
