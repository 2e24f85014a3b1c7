/*
 * followups.spec.mjs - "Follow-ups": an agent finds the follow-ups due
 * today and overdue (their own, their queues', the desk's), marks one done
 * with a note that the customer's story keeps, and sees the messages that
 * were not sent (held for want of an address) with their reason in words,
 * tries one again, and sees it held again for the same reason while the
 * cause is not mended.
 */
import { waitView, assertLabelled, enter, hasLogin } from './lib.mjs';

const NOTE = 'Called back: the new pads are fine — très bien 👍';

export default async function (t) {
  const { assert, base } = t;
  if (!(await hasLogin(base))) return;
  const context = await t.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await t.newPage({ context });
  let csrf = '';
  const post = async (path, data) => {
    const r = await page.request.post(`${base}${path}`, { headers: { 'X-CSRF-Token': csrf }, data });
    assert.ok(r.ok(), `${path}: ${r.status()} ${await r.text()}`);
    return r.json();
  };
  let followUp = null;
  let customer = null;

  await t.step('a follow-up promised an hour ago, and a customer without an address', async () => {
    await enter(t, page);
    csrf = (await (await page.request.get(`${base}/api/v1/session`)).json()).csrf_token || '';
    customer = await post('/api/v1/customers', { name: 'Łukasz Nowak-Ōtani' });
    const enc = await post('/api/v1/encounters', { customer_id: customer.id, channel: 'phone', subject: 'The brakes squeak' });
    followUp = await post(`/api/v1/encounters/${enc.id}/follow_ups`, {
      due_at: new Date(Date.now() - 3600000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      subject: 'Call Łukasz about the brake pads',
      channel: 'phone',
    });
    /* a reminder for a date tomorrow; with no address it cannot be sent */
    await post(`/api/v1/customers/${customer.id}/dates`, {
      kind: 'appointment', title: 'Brake check', at: new Date(Date.now() + 20 * 3600000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    await post(`/api/v1/customers/${customer.id}/consents`, { purpose: 'reminders', granted: true }).catch(() => null);
    await post('/api/v1/scheduler/run', {});
  });

  await t.step('the whole desk\'s due follow-ups include the overdue one', async () => {
    await page.click('#nav a[data-route="followups"]');
    await waitView(page, 'followups');
    assert.equal(await page.textContent('main h1'), 'Follow-ups');
    await assertLabelled(page);
    await page.selectOption('#followups-scope', 'all');
    const card = page.locator(`#followups-due section[data-task="${followUp.id}"]`);
    await card.waitFor();
    const text = await card.textContent();
    assert.match(text, /Call Łukasz about the brake pads/);
    assert.match(text, /by phone/);
    assert.match(text, /Overdue since/);
    assert.ok(!/\d{4}-\d{2}-\d{2}T/.test(text), `an ISO time on the card: ${text}`);
  });

  await t.step('marking it done with a note', async () => {
    const card = page.locator(`#followups-due section[data-task="${followUp.id}"]`);
    await card.getByLabel('What came of it').fill(NOTE);
    await card.getByRole('button', { name: 'Mark done' }).click();
    await page.waitForFunction((id) => !document.querySelector(`#followups-due section[data-task="${id}"]`), followUp.id);
    const task = await (await page.request.get(`${base}/api/v1/tasks/${followUp.id}`)).json();
    assert.equal(task.status, 'done');
    const moments = await (await page.request.get(`${base}/api/v1/customers/${customer.id}/moments?limit=50`)).json();
    assert.ok(moments.items.some((m) => (m.summary || '').includes('très bien 👍')), 'the note is not in the customer\'s story');
  });

  await t.step('the held reminder says why, and trying again holds it again', async () => {
    const held = (await (await page.request.get(`${base}/api/v1/tasks?status=held&customer_id=${customer.id}`)).json()).items;
    assert.ok(held.length >= 1, 'the scheduler held no reminder for the customer without an address');
    const id = held[0].id;
    await page.reload();
    await waitView(page, 'followups');
    const row = page.locator(`#followups-not-sent tr[data-task="${id}"]`);
    await row.waitFor();
    const before = await row.textContent();
    assert.match(before, /Held/);
    await row.getByRole('button', { name: 'Try again' }).click();
    await page.waitForFunction((x) => !document.querySelector(`#followups-not-sent tr[data-task="${x}"]`), id);
    assert.equal((await (await page.request.get(`${base}/api/v1/tasks/${id}`)).json()).status, 'scheduled');
    await post('/api/v1/scheduler/run', {});
    const again = await (await page.request.get(`${base}/api/v1/tasks/${id}`)).json();
    assert.equal(again.status, 'held', 'a retry without an address was not held again');
    /* a message still scheduled cannot be "tried again" */
    const r = await page.request.post(`${base}/api/v1/tasks/${followUp.id}/retry`, { headers: { 'X-CSRF-Token': csrf }, data: {} });
    assert.equal(r.status(), 409);
  });

  await t.step('at 390 px the page still reads', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 400, `the page scrolls sideways at 390 px (${wide})`);
  });
}
