#!/usr/bin/env node
/*
 * console_render.mjs - how fast the agent console's queue and customer
 * overview render on the demo data (the target is 200 ms).
 *
 *   node bench/console_render.mjs --rapportd build/rapportd [--runs 20]
 *
 * Starts a real rapportd on a fresh demo database (as the browser tests
 * do), opens each page in Debian's chromium `runs` times, and reports for
 * each page:
 *   render - from the route change to the page drawn with its data (the
 *            console's own main[data-render-ms]: API calls + DOM);
 *   load   - from navigation start (a new tab: HTML, modules, session,
 *            API calls, DOM) to the page drawn.
 * Median, 90th percentile and maximum, in milliseconds.  Measures only;
 * the tests never assert timings.
 *
 *   node bench/console_render.mjs --rapportd build/rapportd --open 10000 \
 *        [--gen build/rapport-gen] [--customers 10000] [--runs 10]
 *
 * A busy desk instead of the demo: rapport-gen fills a fresh database
 * with --customers customers (three encounters each, mostly closed, over
 * a year), then customers' encounters arrive through the API until
 * --open encounters are open (the generator opens only about one in 250,
 * as a real desk's history would), and the first render of every page an
 * agent works on is measured: the work lists (mine, unassigned, all
 * open), the queue, an encounter, customers, a customer, follow-ups, the
 * dashboard and the knowledge base.
 *
 *   ... --open 10000 --desk /tmp/desk.db
 *
 * keeps the desk: the first run builds it as above and copies the
 * database to that file when it stops; later runs start from a copy of
 * it (building the desk takes many minutes on a loaded machine).
 */
import { chromium } from '../tests/browser/node_modules/playwright-core/index.mjs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { existsSync, copyFileSync } from 'node:fs';
import { CHROMIUM_ARGS, prepareDatabase, startServer, stopServer, removeServerDir, enter, waitView, credentials } from '../tests/browser/lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (n, d) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : d; };
const rapportd = resolve(opt('--rapportd', join(HERE, '..', 'build', 'rapportd')));
const rapport = resolve(opt('--rapport', join(dirname(rapportd), 'rapport')));
const runs = Number(opt('--runs', '20'));
const openTarget = Number(opt('--open', '0'));
const gen = resolve(opt('--gen', join(dirname(rapportd), 'rapport-gen')));
const genCustomers = Number(opt('--customers', '10000'));
const deskFile = opt('--desk', '') ? resolve(opt('--desk', '')) : '';

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p90: q(0.9), max: s[s.length - 1] };
};

/* A desk of genCustomers generated customers, with an admin to log in as. */
function prepareDesk(server) {
  if (deskFile && existsSync(deskFile)) { copyFileSync(deskFile, server.db); return; }
  const env = { ...process.env, RAPPORT_ADMIN_PASSWORD: credentials.password };
  const run = (cmd, a) => {
    const r = spawnSync(cmd, a, { encoding: 'utf8', env, timeout: 1800000 });
    if (r.status !== 0) throw new Error(`${cmd} ${a.join(' ')}: ${r.stderr}`);
  };
  run(rapport, ['--db', server.db, 'init', '--admin-email', credentials.email, '--admin-name', credentials.name]);
  run(gen, ['--db', server.db, '--customers', String(genCustomers), '--articles', String(Math.max(100, genCustomers / 10)), '--years', '1']);
}

/* Customers' encounters arrive through the API until `target` are open. */
async function fillOpen(page, base, target) {
  const csrf = (await (await page.request.get(`${base}/api/v1/session`)).json()).csrf_token || '';
  const counts = await (await page.request.get(`${base}/api/v1/encounters/counts`)).json();
  const queues = (await (await page.request.get(`${base}/api/v1/queues?limit=100`)).json()).items;
  const customers = (await (await page.request.get(`${base}/api/v1/customers?limit=100`)).json()).items;
  /* routed by topic, as a customer's words would be */
  const topicOf = (q) => ((q.topics || [])[0] ? { topic: q.topics[0] } : {});
  const channels = ['phone', 'email', 'chat', 'web', 'in_person'];
  let open = counts.open;
  const missing = Math.max(0, target - open);
  const t0 = Date.now();
  /* four at a time; a connection the server closed is tried again */
  const arrive = async (n) => {
    const data = {
      customer_id: customers[n % customers.length].id, channel: channels[n % channels.length],
      subject: `Arrived for the bench, number ${n + 1}`, ...topicOf(queues[n % queues.length]),
    };
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await page.request.post(`${base}/api/v1/encounters`, { headers: { 'X-CSRF-Token': csrf }, data });
        if (r.ok()) return;
        if (attempt >= 5) throw new Error(`opening an encounter: ${r.status()} ${await r.text()}`);
      } catch (e) {
        if (attempt >= 5) throw e;
      }
      await new Promise((res) => setTimeout(res, 200 * (attempt + 1)));
    }
  };
  for (let i = 0; i < missing; i += 4) {
    await Promise.all(Array.from({ length: Math.min(4, missing - i) }, (_, j) => arrive(i + j)));
  }
  open = (await (await page.request.get(`${base}/api/v1/encounters/counts`)).json()).open;
  console.log(`desk: ${genCustomers} generated customers, ${counts.open} open from the generator, ${missing} arrived through the API in ${Math.round((Date.now() - t0) / 1000)} s, ${open} open`);
  return open;
}

/* The first render of each page an agent works on, over a busy desk. */
async function deskBench(server, page) {
  const base = server.base;
  await fillOpen(page, base, openTarget);
  const enc = (await (await page.request.get(`${base}/api/v1/encounters?state=open&limit=1`)).json()).items[0];
  const pages = [
    ['work lists: mine', '#/work/mine', 'work'],
    ['work lists: unassigned', '#/work/unassigned', 'work'],
    ['work lists: all open', '#/work/open', 'work'],
    ['queue', '#/queue', 'queue'],
    ['an encounter', `#/encounters/${enc.id}`, 'encounter'],
    ['customers', '#/customers', 'customers'],
    ['a customer', `#/customers/${enc.customer_id}`, 'customer'],
    ['follow-ups', '#/followups', 'followups'],
    ['dashboard', '#/dashboard', 'dashboard'],
    ['knowledge base', '#/kb', 'kb'],
  ];
  const out = {};
  for (const [name, hash, view] of pages) {
    const render = [];
    for (let i = 0; i < runs; i++) {
      /* from a page that reads nothing, switch routes inside the running console */
      await page.goto(`${base}/#/admin`);
      await waitView(page, 'admin', 30000);
      await page.evaluate((h) => { location.hash = h; }, hash);
      await waitView(page, view, 30000);
      render.push(Number(await page.getAttribute('main', 'data-render-ms')));
    }
    out[name] = stats(render);
    /* the runs in order, so a slow first (cold) run can be told from a slow page */
    console.log(`${name.padEnd(24)} render median ${out[name].median} ms, p90 ${out[name].p90} ms, max ${out[name].max} ms${out[name].max < 200 ? '' : '  (over 200 ms)'}; runs: ${render.join(' ')}`);
  }
  console.log(JSON.stringify({ runs, open: openTarget, ...out }));
}

if (openTarget > 0) {
  const server = await startServer({ rapportd, rapport, webRoot: join(HERE, '..', 'web'), prepare: prepareDesk });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${server.base}/#/login`);
    await waitView(page, 'login', 30000);
    await page.getByLabel('Email').fill(credentials.email);
    await page.getByLabel('Password').fill(credentials.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForSelector('main[aria-busy="false"]:not([data-view="login"])', { timeout: 60000 });
    await deskBench(server, page);
  } finally {
    await browser.close();
    await stopServer(server);
    if (deskFile && !existsSync(deskFile) && existsSync(server.db)) copyFileSync(server.db, deskFile);
    removeServerDir(server);
  }
  process.exit(0);
}

const server = await startServer({ rapportd, rapport, webRoot: join(HERE, '..', 'web'), prepare: (s) => prepareDatabase(s, rapport) });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const t = { base: server.base, credentials };
  await enter(t, page);
  const customers = await (await page.request.get(`${server.base}/api/v1/customers?q=kowal`)).json();
  const anna = customers.items[0].id;
  const pages = [['queue', '#/queue'], ['customer overview', `#/customers/${anna}`]];
  const out = {};
  for (const [name, hash] of pages) {
    const view = hash.startsWith('#/queue') ? 'queue' : 'customer';
    const render = [], load = [];
    for (let i = 0; i < runs; i++) {
      /* render: switch routes inside the running console. */
      await page.goto(`${server.base}/#/dashboard`);
      await waitView(page, 'dashboard');
      await page.evaluate((h) => { location.hash = h; }, hash);
      await waitView(page, view);
      render.push(Number(await page.getAttribute('main', 'data-render-ms')));
      /* load: a new tab straight onto the page. */
      const tab = await context.newPage();
      await tab.goto(`${server.base}/${hash}`);
      await waitView(tab, view);
      load.push(Math.round(await tab.evaluate(() => performance.now())));
      await tab.close();
    }
    out[name] = { render: stats(render), load: stats(load) };
    console.log(`${name.padEnd(18)} render median ${out[name].render.median} ms, p90 ${out[name].render.p90} ms, max ${out[name].render.max} ms;` +
      ` load median ${out[name].load.median} ms, p90 ${out[name].load.p90} ms, max ${out[name].load.max} ms`);
  }
  console.log(JSON.stringify({ runs, ...out }));
} finally {
  await browser.close();
  await stopServer(server);
  removeServerDir(server);
}
