/*
 * worklists.spec.mjs - the work lists and who handles an encounter: an
 * agent logs in and lands on the work lists, sees an encounter under
 * "Unassigned", takes it, finds it under "Mine", transfers it to another
 * queue with a reason; a lead gives another encounter to that agent, who
 * sees it appear under "Mine" without a reload.  Every step is checked
 * against the API too, and no screen shows an API path, a field name or
 * an ISO time.
 */
import { waitView, assertLabelled, hasLogin, cli } from './lib.mjs';

const AGENT = { email: 'wren@example.com', password: 'a long enough passphrase', name: 'Wren Agent' };
const LEAD = { email: 'lee@example.com', password: 'another long passphrase', name: 'Lee Lead' };

async function login(t, who) {
  const context = await t.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await t.newPage({ context });
  await page.goto(`${t.base}/`);
  await waitView(page, 'login');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await waitView(page, 'work');
  return page;
}

function plain(assert, text) {
  assert.ok(!/\/api\/v1|\d{4}-\d{2}-\d{2}T|[{}[\]"]|_id\b|agent_id|queue_id/.test(text), `not plain language: ${text}`);
}

export default async function (t) {
  const { assert, base } = t;
  if (!(await hasLogin(base))) return;
  const opts = { rapport: t.rapport, db: t.server.db };
  const run = (args, env) => {
    const r = cli(opts, args, env);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  /* the admin sets up the desk through the API */
  const admin = await t.browser.newContext();
  const adm = admin.request;
  const session = await (await adm.post(`${base}/api/v1/session`, { data: { email: t.credentials.email, password: t.credentials.password } })).json();
  const adminPost = async (path, data) => {
    const r = await adm.post(`${base}${path}`, { headers: { 'X-CSRF-Token': session.csrf_token || '' }, data });
    assert.ok(r.ok(), `${path}: ${r.status()} ${await r.text()}`);
    return r.json();
  };
  /* queues whose skills nobody has: new work waits unassigned */
  await adminPost('/api/v1/queues', { name: 'Garage front', skills: ['frontdesk'], topics: ['car trouble'] });
  const workshop = (await adminPost('/api/v1/queues', { name: 'Workshop', skills: ['spanners'] })).id;
  run(['agent', 'add', '--name', AGENT.name, '--email', AGENT.email, '--role', 'agent'], { RAPPORT_PASSWORD: AGENT.password });
  run(['agent', 'add', '--name', LEAD.name, '--email', LEAD.email, '--role', 'lead'], { RAPPORT_PASSWORD: LEAD.password });
  const cust = (await adminPost('/api/v1/customers', { name: 'Nora Quist' })).id;
  const open = async (subject) => (await adminPost('/api/v1/encounters',
    { customer_id: cust, channel: 'phone', subject, topic: 'car trouble' })).id;
  const first = await open('Gearbox grinds');
  const second = await open('Wiper blades squeal');
  let agentPage = null;
  let agentId = null;
  const apiGet = async (page, path) => (await page.request.get(`${base}${path}`)).json();

  await t.step('an agent logs in and lands on the work lists, with counts', async () => {
    agentPage = await login(t, AGENT);
    const me = await apiGet(agentPage, '/api/v1/session');
    agentId = me.agent.id;
    assert.equal(await agentPage.textContent('main h1'), 'Mine');
    const lists = agentPage.locator('nav.worklists');
    await lists.locator('a[data-list="unassigned"]').waitFor();
    assert.match(await lists.textContent(), /Mine\s*0/);
    assert.match(await lists.locator('a[data-list="unassigned"]').textContent(), /Unassigned\s*\d+/);
    assert.match(await lists.textContent(), /Garage front/);
    assert.match(await lists.textContent(), /Workshop/);
    await assertLabelled(agentPage);
    plain(assert, await agentPage.textContent('main'));
    await t.shot(agentPage, 'mine-empty');
  });

  await t.step('"Unassigned" shows the new encounter in its queue, nobody handling it', async () => {
    await agentPage.click('nav.worklists a[data-list="unassigned"]');
    await waitView(agentPage, 'work');
    assert.equal(await agentPage.textContent('main h1'), 'Unassigned');
    const row = agentPage.locator(`#worklist-rows tr[data-id="${first}"]`);
    await row.waitFor();
    const text = await row.textContent();
    assert.match(text, /Nora Quist/);
    assert.match(text, /Gearbox grinds/);
    assert.match(text, /Nobody handles it yet · in Garage front/);
    assert.match(text, /Waiting/);
    plain(assert, await agentPage.textContent('main'));
    await t.shot(agentPage, 'unassigned');
  });

  await t.step('the agent takes it, and finds it under "Mine"', async () => {
    const row = agentPage.locator(`#worklist-rows tr[data-id="${first}"]`);
    await row.getByRole('button', { name: /^Take/ }).click();
    await agentPage.waitForSelector(`#worklist-rows tr[data-id="${first}"]`, { state: 'detached' });
    const enc = await apiGet(agentPage, `/api/v1/encounters/${first}`);
    assert.equal(enc.agent_id, agentId);
    assert.equal(enc.takes, 1);
    const moments = await apiGet(agentPage, `/api/v1/customers/${cust}/moments?limit=50`);
    assert.ok(moments.items.some((m) => m.kind === 'encounter.taken' && m.summary === `Taken by ${AGENT.name}`),
      'no moment says the agent took it');
    await agentPage.click('nav.worklists a[data-list="mine"]');
    await waitView(agentPage, 'work');
    const mine = agentPage.locator(`#worklist-rows tr[data-id="${first}"]`);
    await mine.waitFor();
    assert.match(await mine.textContent(), new RegExp(`Handled by ${AGENT.name} · in Garage front`));
    assert.match(await agentPage.locator('a[data-list="mine"]').textContent(), /Mine\s*1/);
    await t.shot(agentPage, 'mine');
  });

  await t.step('the agent cannot give work to someone else: no such control', async () => {
    assert.equal(await agentPage.locator('details.give').count(), 0);
  });

  await t.step('the agent transfers it to the workshop with a reason', async () => {
    const row = agentPage.locator(`#worklist-rows tr[data-id="${first}"]`);
    await row.locator('details.transfer summary').click();
    await row.getByLabel('To the queue').selectOption({ label: 'Workshop' });
    await row.getByLabel('Why').fill('Needs a mechanic — the gearbox');
    await row.getByRole('button', { name: 'Transfer' }).click();
    await agentPage.waitForFunction(() => /Transferred to Workshop/.test(document.getElementById('announce')?.textContent || ''));
    const enc = await apiGet(agentPage, `/api/v1/encounters/${first}`);
    assert.equal(enc.queue_id, workshop);
    assert.equal(enc.transfers, 1);
    const moments = await apiGet(agentPage, `/api/v1/customers/${cust}/moments?limit=50`);
    assert.ok(moments.items.some((m) => m.kind === 'encounter.transferred' && /Needs a mechanic/.test(m.summary)));
    await agentPage.click(`nav.worklists a[data-list="queue-${workshop}"]`);
    await waitView(agentPage, 'work');
    assert.equal(await agentPage.textContent('main h1'), 'Workshop');
    await agentPage.locator(`#worklist-rows tr[data-id="${first}"]`).waitFor();
  });

  await t.step('on the encounter page the agent sees who handles it and where', async () => {
    await agentPage.goto(`${base}/#/encounters/${first}`);
    await waitView(agentPage, 'encounter');
    const box = agentPage.locator('#ownership');
    await agentPage.waitForFunction(() => /in Workshop/.test(document.querySelector('#ownership .owner')?.textContent || ''));
    assert.match(await box.textContent(), /Who handles it/);
    plain(assert, await box.textContent());
    await t.shot(agentPage, 'encounter-ownership');
  });

  await t.step('a lead gives the second encounter to the agent, with a reason', async () => {
    await agentPage.goto(`${base}/#/work/mine`);
    await waitView(agentPage, 'work');
    const lead = await login(t, LEAD);
    await lead.click('nav.worklists a[data-list="unassigned"]');
    await waitView(lead, 'work');
    const row = lead.locator(`#worklist-rows tr[data-id="${second}"]`);
    await row.waitFor();
    await row.locator('details.give summary').click();
    await row.getByLabel('Give to').selectOption({ label: AGENT.name });
    await row.getByLabel('Why (optional)').fill('Wren knows wipers');
    await row.getByRole('button', { name: 'Give' }).click();
    await lead.waitForSelector(`#worklist-rows tr[data-id="${second}"]`, { state: 'detached' });
    const enc = await apiGet(lead, `/api/v1/encounters/${second}`);
    assert.equal(enc.agent_id, agentId);
    assert.equal(enc.assignments, 1);
    const moments = await apiGet(lead, `/api/v1/customers/${cust}/moments?limit=50`);
    const m = moments.items.find((x) => x.kind === 'encounter.assigned');
    assert.ok(m, 'no moment of the assignment');
    assert.equal(m.summary, `Assigned to ${AGENT.name}: Wren knows wipers`);
    await t.shot(lead, 'lead-unassigned');
    /* the agent's "Mine" shows it without a reload: the counts are polled */
    await agentPage.waitForSelector(`#worklist-rows tr[data-id="${second}"]`, { timeout: 15000 });
    const metrics = await apiGet(lead, '/api/v1/metrics/service');
    assert.ok(metrics.ownership.taken >= 1 && metrics.ownership.assigned >= 1, JSON.stringify(metrics.ownership));
  });
}
