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
 *
 *   ... --open 10000 --explain
 *
 * says where the time of each page's first render (the first visit after
 * rapportd started) went, as the browser saw it: for each API call the
 * page made (the browser's Resource Timing entries), when it started
 * after the route changed, how long it waited before it was sent (a free
 * connection), the server's time (request sent to first byte of the
 * answer) and when its answer was in; then the time the render spent
 * outside any API call (the console's own work: building the page, the
 * DOM).  --explain-all says it for every run.  --profile adds, for the
 * same renders, the browser's CPU profile: the functions (and the
 * browser's own work: style, layout, garbage collection) that took the
 * most time, by self time.
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
const explainAll = args.includes('--explain-all');
const explain = explainAll || args.includes('--explain');
const profile = args.includes('--profile');

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

/*
 * Where a render's ms went, as the browser saw it: each API call the page
 * made (start after the route changed, queued before it was sent, the
 * server's time to its first byte, answered at), and the time outside
 * every call.
 */
async function explainRender(page, name, run, ms, startedAt) {
  const r = await page.evaluate(() => {
    const t0 = Number(document.querySelector('main').dataset.renderStart);
    return performance.getEntriesByType('resource')
      .filter((e) => e.startTime >= t0 - 1 && new URL(e.name).pathname.startsWith('/api/'))
      .map((e) => ({
        path: new URL(e.name).pathname + new URL(e.name).search,
        start: e.startTime - t0,
        queued: (e.requestStart || e.startTime) - e.startTime,
        server: e.responseStart && e.requestStart ? e.responseStart - e.requestStart : null,
        end: e.responseEnd - t0,
        bytes: e.encodedBodySize,
        reused: e.connectStart === e.connectEnd,
      }));
  });
  /* the calls that ended inside the render; the rest came after it */
  const inside = r.filter((x) => x.end <= ms + 1).sort((a, b) => a.start - b.start);
  let covered = 0, from = -1, to = -1;
  for (const x of inside) {
    if (x.start > to) { if (to > from) covered += to - from; from = x.start; to = x.end; } else to = Math.max(to, x.end);
  }
  if (to > from) covered += to - from;
  const f = (v) => (v === null ? '  -' : String(Math.round(v)).padStart(4));
  const short = (p) => (p.length > 70 ? `${p.slice(0, 67)}...` : p);
  const lines = [`  ${name}, run ${run + 1}, ${((Date.now() - startedAt) / 1000).toFixed(1)} s after rapportd started: render ${ms} ms = ${Math.round(covered)} ms with an API call under way`
    + ` + ${Math.round(ms - covered)} ms outside them; ${inside.length} calls${r.length > inside.length ? ` (${r.length - inside.length} more after the render)` : ''}`];
  const byPath = new Map();
  for (const x of inside) {
    const k = x.path.replace(/\/\d+(?=\/|$|\?)/g, '/N');
    const e = byPath.get(k) || [];
    e.push(x);
    byPath.set(k, e);
  }
  for (const [k, xs] of byPath) {
    if (xs.length > 3) {
      const s = xs.map((x) => x.server ?? 0).sort((a, b) => a - b);
      lines.push(`    ${xs.length} x ${short(k)}: from ${f(Math.min(...xs.map((x) => x.start)))} to ${f(Math.max(...xs.map((x) => x.end)))} ms,`
        + ` server median ${f(s[s.length >> 1])} max ${f(s[s.length - 1])}, queued up to ${f(Math.max(...xs.map((x) => x.queued)))}`);
    } else {
      for (const x of xs) lines.push(`    ${short(x.path).padEnd(70)} start ${f(x.start)} queued ${f(x.queued)} server ${f(x.server)} end ${f(x.end)} ms, ${x.bytes} B${x.reused ? '' : ', new connection'}`);
    }
  }
  return lines.join('\n');
}

/* The functions of a CPU profile that took the most time, by self time. */
function topOfProfile(p) {
  const self = new Map();
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]);
    const cf = n.callFrame;
    if (cf.functionName === '(idle)') continue;
    const k = `${cf.functionName || '(anonymous)'} ${cf.url ? `${cf.url.replace(/^.*\/js\//, 'js/')}:${cf.lineNumber + 1}` : ''}`;
    self.set(k, (self.get(k) || 0) + (p.timeDeltas[i] || 0));
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  const busy = [...self.values()].reduce((a, b) => a + b, 0);
  return [`    CPU busy ${Math.round(busy / 1000)} ms in the profile ("(program)" is the browser's own work: style, layout, paint); by self time:`,
    ...top.map(([k, us]) => `      ${String(Math.round(us / 1000)).padStart(4)} ms  ${k}`)].join('\n');
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
  const cdp = profile ? await page.context().newCDPSession(page) : null;
  if (cdp) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 200 }); }
  for (const [name, hash, view] of pages) {
    const render = [];
    for (let i = 0; i < runs; i++) {
      /* from a page that reads nothing, switch routes inside the running console */
      await page.goto(`${base}/#/admin`);
      await waitView(page, 'admin', 30000);
      const profiling = profile && (i === 0 || explainAll);
      if (profiling) await cdp.send('Profiler.start');
      await page.evaluate((h) => {
        /* only this render's requests in the browser's resource timing */
        performance.clearResourceTimings();
        performance.setResourceTimingBufferSize(2000);
        location.hash = h;
      }, hash);
      await waitView(page, view, 30000);
      const ms = Number(await page.getAttribute('main', 'data-render-ms'));
      render.push(ms);
      if (explain && (i === 0 || explainAll)) console.log(await explainRender(page, name, i, ms, server.startedAt));
      if (profiling) console.log(topOfProfile((await cdp.send('Profiler.stop')).profile));
    }
    out[name] = stats(render);
    /* the runs in order, so a slow first (cold) run can be told from a slow page */
    console.log(`${name.padEnd(24)} render median ${out[name].median} ms, p90 ${out[name].p90} ms, max ${out[name].max} ms${out[name].max < 200 ? '' : '  (over 200 ms)'}; runs: ${render.join(' ')}`);
  }
  console.log(JSON.stringify({ runs, open: openTarget, ...out }));
}

if (openTarget > 0) {
  const server = await startServer({ rapportd, rapport, webRoot: join(HERE, '..', 'web'), prepare: prepareDesk });
  server.startedAt = Date.now();
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
    /* what the server did meanwhile (the scheduler's runs, slow work) */
    if (explain) console.log(`rapportd's log:\n${server.log.trim().split('\n').map((l) => `  ${l}`).join('\n')}`);
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
