/*
 * dashboard.spec.mjs - the dashboard against a desk whose encounters are
 * known: two queues of its own (the demo's encounters are in neither),
 * four encounters, one given up by the customer, one with a defect, three
 * given to one agent.  The figures shown, filtered by queue and by agent,
 * are the ones these encounters make, and the same as the API's; what
 * waits now is read again while the page is open; at 390 px every chart's
 * labels are inside the window, large enough to read and on top of none
 * other.  Screenshots at 1280 and 390 px.
 */
import { waitView, assertLabelled, hasLogin, cli, enter, chartLabelsReadable } from './lib.mjs';

const AGENT = { email: 'mo@example.com', password: 'a long enough passphrase', name: 'Mo Agent' };

function plain(assert, text) {
  assert.ok(!/\/api\/v1|\d{4}-\d{2}-\d{2}T|[{}[\]"]|_id\b|_seconds|p50|p90/.test(text), `not plain language: ${text}`);
}

export default async function (t) {
  const { assert, base } = t;
  if (!(await hasLogin(base))) return;
  const opts = { rapport: t.rapport, db: t.server.db };
  const r = cli(opts, ['agent', 'add', '--name', AGENT.name, '--email', AGENT.email, '--role', 'agent'], { RAPPORT_PASSWORD: AGENT.password });
  assert.equal(r.status, 0, r.stderr);
  const page = await t.newPage();
  await enter(t, page);
  const csrf = await page.evaluate(async () => (await (await fetch('/api/v1/session')).json()).csrf_token);
  const call = async (method, path, data) => {
    const res = await page.request.fetch(`${base}${path}`, { method, headers: { 'X-CSRF-Token': csrf || '' }, data });
    assert.ok(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`);
    return res.json();
  };
  /* Queues whose skills nobody has: their work waits to be given to someone. */
  const front = (await call('POST', '/api/v1/queues', { name: 'Counter', skills: ['counter'], topics: ['invoices'] })).id;
  const shop = (await call('POST', '/api/v1/queues', { name: 'Garage', skills: ['spanners'], topics: ['brakes'] })).id;
  const agentId = (await call('GET', '/api/v1/encounters/assignees')).items.find((a) => a.name === AGENT.name).id;
  const cust = (await call('POST', '/api/v1/customers', { name: 'Pia Olsen' })).id;
  const open = async (subject, topic) => (await call('POST', '/api/v1/encounters', { customer_id: cust, channel: 'phone', subject, topic })).id;
  const e1 = await open('Invoice twice', 'invoices');
  const e2 = await open('Card refused', 'invoices');
  const e3 = await open('Refund late', 'invoices');
  const e4 = await open('Brakes squeal', 'brakes');
  for (const e of [e1, e2, e4]) await call('POST', `/api/v1/encounters/${e}/assign`, { agent_id: agentId });
  await call('POST', `/api/v1/encounters/${e3}/abandon`, { reason: 'hung up after a long wait' });
  await call('POST', `/api/v1/encounters/${e1}/defects`, { kind: 'wrong_item', cause: 'invoice sent twice' });

  const show = async (queueValue, agentValue) => {
    await page.selectOption('#dash-queue', queueValue);
    await page.selectOption('#dash-agent', agentValue);
    const before = await page.evaluate(() => document.querySelector('#dash-scope')?.textContent);
    await page.click('#dash-filters button[type="submit"]');
    await page.waitForFunction((b) => { const s = document.querySelector('#dash-scope'); return s && s.textContent !== b; }, before);
  };
  const figure = async (id) => (await page.textContent(`#${id} .stat-value`)).trim();
  const metrics = async (q) => call('GET', `/api/v1/metrics/service?${new URLSearchParams(q)}`);

  await t.step('the dashboard shows every measure, in words', async () => {
    await page.click('#nav a[data-route="dashboard"]');
    await waitView(page, 'dashboard', 15000);
    for (const id of ['now', 'encounters', 'outcomes', 'owed', 'chart-breaches', 'chart-satisfaction', 'chart-words', 'chart-funnel'])
      assert.equal(await page.locator(`#${id}`).count(), 1, `no section ${id}`);
    for (const words of ['Open now', 'Half waited less than', 'Abandoned', 'Solved at first contact', 'Transferred',
      'Defects', 'Apologies owed', 'Special requests granted', 'Promises kept', 'Promises broken', 'business hours',
      'calendar time', 'Satisfaction', 'three words', 'relationship level', 'Waits in each queue'])
      assert.ok((await page.textContent('main')).includes(words), `the dashboard does not say "${words}"`);
    await assertLabelled(page);
    plain(assert, await page.textContent('main'));
  });

  await t.step('how far over each target, from the one report: the breach list\'s figures, and no call for the list', async () => {
    const list = await call('GET', '/api/v1/charter/breaches?limit=1000');
    assert.equal(list.truncated, false);
    const perTarget = new Map();
    for (const b of list.items) perTarget.set(b.target, (perTarget.get(b.target) || 0) + 1);
    assert.ok(perTarget.size > 0, 'the demo desk has breaches');
    const rows = await page.$$eval('#breach-times tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
    assert.equal(rows.length, perTarget.size);
    assert.deepEqual(rows.map((r) => Number(r[1].replace(/\D/g, ''))).sort(), [...perTarget.values()].sort());
    for (const r of rows) assert.ok(r[2] && r[3] && r[3] !== '–', `no times in ${r.join(' | ')}`);
    const report = await metrics({ breach_times: 'true' });
    for (const [k, n] of perTarget) assert.equal(report.charter.times[k].breaches, n, k);
    assert.equal(await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => new URL(e.name).pathname === '/api/v1/charter/breaches').length), 0);
  });

  await t.step('filtered by queue, the figures are that queue\'s', async () => {
    await show(String(front), '');
    assert.equal(await figure('stat-volume'), '3');
    assert.match(await page.textContent('#stat-abandoned'), /^33%Abandoned \(1\)/);
    assert.equal(await figure('stat-defects'), '1');
    const api = await metrics({ queue: front });
    assert.equal(api.volume.encounters, 3);
    assert.equal(api.abandonment.abandoned, 1);
    /* what waits now, in that queue: two open, both given to the agent */
    await page.waitForFunction(() => document.querySelector('#live-queues'));
    assert.equal(await figure('stat-open-now'), '2');
    assert.equal(await figure('stat-unassigned-now'), '0');
    assert.match(await page.textContent('#dash-scope'), /queue Counter only/);
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(300);
      const { problems } = await chartLabelsReadable(page);
      assert.deepEqual(problems, [], `at ${width} px: ${problems.join('; ')}`);
    }
    await t.shot(page, 'queue');
  });

  await t.step('filtered by agent, the figures are that agent\'s', async () => {
    await show('', String(agentId));
    assert.equal(await figure('stat-volume'), '3');
    assert.match(await page.textContent('#stat-abandoned'), /^0%Abandoned \(0\)/);
    const api = await metrics({ agent: agentId });
    assert.equal(api.volume.encounters, 3);
    await show(String(shop), String(agentId));
    assert.equal(await figure('stat-volume'), '1');
    assert.equal(await figure('stat-defects'), '0');
  });

  await t.step('what waits now is read again while the page is open', async () => {
    await show(String(shop), '');
    assert.equal(await figure('stat-open-now'), '1');
    await open('Tyre flat', 'brakes');
    await page.waitForFunction(() => document.querySelector('#stat-open-now .stat-value')?.textContent === '2', null, { timeout: 20000 });
    assert.equal(await figure('stat-unassigned-now'), '1');
  });

  await t.step('at 390 px the charts\' labels are readable and inside the window', async () => {
    await show('', '');
    await page.setViewportSize({ width: 390, height: 900 });
    await page.waitForTimeout(300);
    const { problems, texts } = await chartLabelsReadable(page);
    assert.ok(texts > 10, `only ${texts} chart labels drawn`);
    assert.deepEqual(problems, [], problems.join('; '));
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.waitForTimeout(300);
    const wide = await chartLabelsReadable(page);
    assert.deepEqual(wide.problems, [], wide.problems.join('; '));
    await t.shot(page, 'all');
  });
}
