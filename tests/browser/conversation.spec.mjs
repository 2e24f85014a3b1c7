/*
 * conversation.spec.mjs - the conversation loop, both sides, in real
 * browsers against a real rapportd and a real SMTP receiver:
 *
 *   a customer opens a request on /help (with a photo) on a phone-sized
 *   screen and gets their link; the agent sees it arrive in the console's
 *   queue, opens the workspace, finds the message in the conversation,
 *   leaves an internal note, inserts a knowledge-base answer with one click
 *   and sends a reply; the reply arrives at the SMTP sink and shows as
 *   sent; the customer opens their status page (no note on it), answers;
 *   and the agent sees the answer arrive without reloading.
 */
import { smtpSink, freePort, enter, waitView, assertLabelled } from './lib.mjs';

let sink = null;
let port = 0;

export async function serverOptions() {
  sink = await smtpSink();
  port = await freePort();
  return {
    port,
    env: {
      RAPPORT_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      RAPPORT_SMTP_FROM: 'desk@rapport.example',
      RAPPORT_PUBLIC_URL: `http://127.0.0.1:${port}`,
      RAPPORT_SCHEDULER_INTERVAL: '1',
    },
    cleanup: () => sink.close(),
  };
}

/* Wait until the sink has a message matching re; returns it. */
async function mailMatching(re, timeout = 30000) {
  const until = Date.now() + timeout;
  for (;;) {
    const m = sink.messages.find((x) => re.test(x));
    if (m) return m;
    if (Date.now() > until) throw new Error(`no mail matching ${re} arrived in ${timeout / 1000} s; got ${sink.messages.length}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export default async function (t) {
  const { assert, base } = t;
  const phone = await t.browser.newContext({ viewport: { width: 390, height: 844 } });
  const customer = await t.newPage({ context: phone });
  const desk = await t.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const agent = await t.newPage({ context: desk });
  const subject = 'My new kettle leaks';
  let statusUrl = '';

  await t.step('the customer opens a request on /help with a photo', async () => {
    await customer.goto(`${base}/help`);
    await assertLabelled(customer);
    await t.shot(customer, 'help-form');
    await customer.getByLabel('Your name').fill('Marta Nowak');
    await customer.getByLabel('Your email address').fill('marta@example.com');
    await customer.getByLabel('Subject').fill(subject);
    await customer.getByLabel('Your message').fill('Water drips from the bottom after two days.\nWhat can I do?');
    await customer.setInputFiles('#attachment', {
      name: 'kettle.png', mimeType: 'image/png', buffer: Buffer.from('89504e470d0a1a0a0000', 'hex'),
    });
    /* the honeypot is out of sight and out of the tab order */
    assert.equal(await customer.getAttribute('#website', 'tabindex'), '-1');
    await customer.getByRole('button', { name: 'Send' }).click();
    await customer.waitForSelector('text=Thank you, Marta Nowak');
    const href = await customer.getAttribute('.link a', 'href');
    assert.match(href, /^\/help\/r\/[0-9a-f]{64}$/);
    statusUrl = `${base}${href}`;
    await t.shot(customer, 'help-thanks');
  });

  let encounterId = 0;
  await t.step('the agent sees it arrive and opens it', async () => {
    await enter(t, agent);
    const row = agent.locator('#queue-rows tr', { hasText: subject });
    await row.waitFor({ timeout: 10000 });
    await row.getByRole('link', { name: /Receive/ }).click();
    await waitView(agent, 'encounter');
    encounterId = Number(agent.url().match(/encounters\/(\d+)/)[1]);
    const first = agent.locator('#conversation li.msg.inbound').first();
    await first.waitFor({ timeout: 10000 });
    assert.match(await first.textContent(), /Water drips from the bottom/);
    assert.match(await first.textContent(), /Marta Nowak \(customer\)/);
    assert.equal(await first.locator('.files a').textContent(), 'kettle.png');
    await assertLabelled(agent);
  });

  await t.step('an internal note looks different and says so', async () => {
    await agent.getByLabel('An internal note for colleagues').check();
    await agent.getByLabel(/Your internal note/).fill('NOTE: second kettle this month, check the batch.');
    await agent.getByRole('button', { name: 'Add the note' }).click();
    const note = agent.locator('#conversation li.msg.note');
    await note.waitFor({ timeout: 10000 });
    assert.match(await note.textContent(), /Internal note, not sent to the customer/);
    assert.match(await note.locator('article').getAttribute('aria-label'), /^Internal note/);
    const [noteBg, inBg] = await Promise.all([
      note.evaluate((el) => getComputedStyle(el).backgroundColor),
      agent.locator('#conversation li.msg.inbound').first().evaluate((el) => getComputedStyle(el).backgroundColor)]);
    assert.notEqual(noteBg, inBg, 'a note has its own background');
  });

  await t.step('a knowledge-base answer goes into the reply with one click', async () => {
    await agent.getByLabel('A reply to the customer').check();
    await agent.getByLabel('Search the knowledge base').fill('watermelons');
    await agent.getByRole('button', { name: 'Search', exact: true }).click();
    const insert = agent.locator('#kb-results .kb-insert').first();
    await insert.waitFor({ timeout: 5000 });
    await insert.click();
    await agent.waitForFunction(() => document.querySelector('#reply-body').value.length > 40);
    assert.match(await agent.inputValue('#reply-body'), /seedless|variet/i);
  });

  await t.step('the reply is sent and arrives at the SMTP sink', async () => {
    await agent.fill('#reply-body', 'Hello Marta, we are sorry. REPLY-1: a new kettle is on its way to you.');
    await agent.getByRole('button', { name: 'Send the reply' }).click();
    const reply = agent.locator('#conversation li.msg.outbound', { hasText: 'REPLY-1' });
    await reply.waitFor({ timeout: 10000 });
    const mail = await mailMatching(/REPLY-1/);
    assert.match(mail, /^To:.*marta@example\.com/mi);
    assert.doesNotMatch(mail, /NOTE: second kettle/);
    /* the console shows it sent, in words */
    await agent.waitForFunction(() => /Sent /.test(
      [...document.querySelectorAll('#conversation li.msg.outbound')].pop()?.querySelector('.delivery')?.textContent || ''),
    null, { timeout: 20000 });
    await t.shot(agent, 'workspace-conversation');
  });

  await t.step('the customer reads the answer on their page, without the note, and answers', async () => {
    await customer.goto(statusUrl);
    const body = await customer.textContent('main');
    assert.match(body, /REPLY-1/);
    assert.doesNotMatch(body, /NOTE: second kettle/);
    assert.doesNotMatch(body, /\d{4}-\d{2}-\d{2}T\d{2}:/, 'times are in words');
    await assertLabelled(customer);
    await t.shot(customer, 'help-status');
    await customer.getByLabel('Your message').fill('ANSWER-1: thank you, it arrived!');
    await customer.getByRole('button', { name: 'Send' }).click();
    await customer.waitForSelector('#latest >> text=ANSWER-1');
    assert.match(customer.url(), /\/help\/r\/[0-9a-f]{64}#latest$/);
  });

  await t.step('the agent sees the answer arrive without reloading', async () => {
    const answer = agent.locator('#conversation li.msg.inbound', { hasText: 'ANSWER-1' });
    await answer.waitFor({ timeout: 15000 });
    /* newest at the bottom */
    const last = agent.locator('#conversation li.msg').last();
    assert.match(await last.textContent(), /ANSWER-1/);
    assert.equal(Number(agent.url().match(/encounters\/(\d+)/)[1]), encounterId);
  });

  await phone.close();
  await desk.close();
}
