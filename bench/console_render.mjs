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
 */
import { chromium } from '../tests/browser/node_modules/playwright-core/index.mjs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, prepareDatabase, startServer, stopServer, removeServerDir, enter, waitView, credentials } from '../tests/browser/lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (n, d) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : d; };
const rapportd = resolve(opt('--rapportd', join(HERE, '..', 'build', 'rapportd')));
const rapport = resolve(opt('--rapport', join(dirname(rapportd), 'rapport')));
const runs = Number(opt('--runs', '20'));

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p90: q(0.9), max: s[s.length - 1] };
};

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
