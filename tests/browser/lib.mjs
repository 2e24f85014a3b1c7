/*
 * lib.mjs - what the browser specs share: a real rapportd on a fresh
 * database, Debian's chromium driven by playwright-core, steps with
 * assertions, and screenshots of each page at 1280 and 390 px.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = join(HERE, 'artifacts');
export const WIDTHS = [1280, 390];
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/* Run the rapport CLI on the test database; returns {status, stdout, stderr}. */
export function cli(opts, args, env = {}) {
  const r = spawnSync(opts.rapport, ['--db', opts.db, ...args], {
    encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20000,
  });
  return { status: r.status, stdout: r.stdout || '', stderr: r.stderr || '' };
}

/* The agent the specs log in as, when this rapportd has login. */
export const credentials = { email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada Byron' };

/*
 * A fresh database with the seed stories, and an admin agent: with a
 * rapport whose init knows --admin-email the agent is made; with one that
 * does not (no login in this build) the plain init is enough.
 */
export async function prepareDatabase(server, rapport) {
  const opts = { rapport, db: server.db };
  let r = cli(opts, ['init', '--admin-email', credentials.email, '--admin-name', credentials.name],
    { RAPPORT_ADMIN_PASSWORD: credentials.password });
  if (r.status === 2) r = cli(opts, ['init']);
  if (r.status !== 0) throw new Error(`rapport init failed (${r.status}): ${r.stderr}`);
  r = cli(opts, ['demo']);
  if (r.status !== 0) throw new Error(`rapport demo failed (${r.status}): ${r.stderr}`);
}

/* Start rapportd on 127.0.0.1:0 with a fresh database; resolves with its base URL. */
export async function startServer(opts) {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-browser-'));
  const db = join(dir, 'rapport.db');
  const server = { dir, db, rapport: opts.rapport, proc: null, base: null, log: '' };
  if (opts.prepare) await opts.prepare(server);
  const proc = spawn(opts.rapportd, ['--db', db, '--listen', `127.0.0.1:${opts.port || 0}`, '--web-root', opts.webRoot,
    ...(opts.args || [])],
    /* plain HTTP on loopback: without it the session cookie is Secure */
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RAPPORT_PLAIN_HTTP: '1', ...(opts.env || {}) } });
  server.proc = proc;
  proc.stderr.on('data', (d) => { server.log += d; });
  server.base = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`rapportd did not start in 10 s: ${server.log}`)), 10000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[0-9.]+:\d+)\//);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`rapportd exited with ${code}: ${server.log}`)); });
  });
  proc.removeAllListeners('exit');
  return server;
}

/* A port free on 127.0.0.1 now (for a server that must know its URL before it starts). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

/*
 * A minimal SMTP server on 127.0.0.1 that accepts every message and keeps
 * it, so a test can read what rapportd sent (the satisfaction link).
 */
export async function smtpSink() {
  const messages = [];
  const srv = createServer((sock) => {
    let buf = '', inData = false, data = '';
    const say = (line) => sock.write(`${line}\r\n`);
    say('220 rapport-test-sink ESMTP');
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0 || (inData && buf.includes('\r\n.\r\n'))) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) break;
          data += buf.slice(0, end);
          buf = buf.slice(end + 5);
          messages.push(data.replace(/\r\n\.\./g, '\r\n.'));
          data = '';
          inData = false;
          say('250 OK: queued');
          continue;
        }
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO') { sock.write('250-rapport-test-sink\r\n250 8BITMIME\r\n'); }
        else if (cmd === 'DATA') { inData = true; say('354 End data with <CR><LF>.<CR><LF>'); }
        else if (cmd === 'QUIT') { say('221 Bye'); sock.end(); }
        else say('250 OK');
      }
    });
    sock.on('error', () => {});
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { port: srv.address().port, messages, close: () => new Promise((r) => srv.close(r)) };
}

/* Stop rapportd with SIGTERM; resolves with its exit code. */
export function stopServer(server) {
  return new Promise((resolve) => {
    if (!server || !server.proc || server.proc.exitCode !== null) { resolve(server?.proc?.exitCode ?? 0); return; }
    const timer = setTimeout(() => server.proc.kill('SIGKILL'), 15000);
    server.proc.on('exit', (code, sig) => { clearTimeout(timer); resolve(sig ? 128 : code); });
    server.proc.kill('SIGTERM');
  });
}

export function removeServerDir(server) {
  if (server && server.dir) rmSync(server.dir, { recursive: true, force: true });
}

/*
 * The test context a spec gets: steps that stop at the first failure,
 * screenshots at both widths, and page-error tracking.
 */
export function makeContext(name, server, browser, extra) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const results = [];
  let failed = false;
  const pageErrors = [];
  const t = {
    name, server, browser, base: server.base, assert, results, artifacts: ARTIFACTS, ...extra,
    track(page) {
      page.on('pageerror', (e) => pageErrors.push(e.message));
      return page;
    },
    async newPage(opts = {}) {
      const ctx = opts.context || await browser.newContext({ viewport: { width: 1280, height: 900 } });
      return t.track(await ctx.newPage());
    },
    async step(title, fn) {
      if (failed) { results.push({ title, status: 'skipped' }); console.log(`skip - ${name}: ${title}`); return; }
      const t0 = Date.now();
      try {
        await fn();
        if (pageErrors.length) throw new Error(`script error in the page: ${pageErrors.splice(0).join('; ')}`);
        results.push({ title, status: 'passed' });
        console.log(`ok   - ${name}: ${title} (${Date.now() - t0} ms)`);
      } catch (e) {
        failed = true;
        results.push({ title, status: 'failed', error: e });
        console.log(`FAIL - ${name}: ${title}\n       ${String(e && e.stack || e).split('\n').slice(0, 40).join('\n       ')}`);
      }
    },
    /* Screenshot the page at 1280 and 390 px; at 390 nothing may overflow sideways. */
    async shot(page, label) {
      const size = page.viewportSize();
      for (const w of WIDTHS) {
        await page.setViewportSize({ width: w, height: 900 });
        await page.waitForTimeout(50);
        const { overflow, wide } = await page.evaluate(() => {
          const vw = document.documentElement.clientWidth;
          /* the innermost elements that reach past the window: what to mend */
          const wide = [...document.querySelectorAll('main *, header *')]
            .filter((el) => el.getBoundingClientRect().right > vw + 1 && ![...el.children].some((c) => c.getBoundingClientRect().right > vw + 1))
            .slice(0, 3)
            .map((el) => `<${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}> "${(el.textContent || '').trim().slice(0, 40)}"`);
          return { overflow: document.documentElement.scrollWidth - vw, wide };
        });
        assert.ok(overflow <= 1, `${label} at ${w} px is ${overflow} px wider than the window: ${wide.join(', ')}`);
        await page.screenshot({ path: join(ARTIFACTS, `${name}-${label}-${w}.png`), fullPage: true });
      }
      await page.setViewportSize(size);
    },
  };
  return t;
}

/* Wait until the router finished rendering view (main[data-view=view]). */
export async function waitView(page, view, timeout = 5000) {
  await page.waitForSelector(`main[data-view="${view}"][aria-busy="false"]`, { timeout });
}

/* Every form control in main has a label; throws naming the first that does not. */
export async function assertLabelled(page) {
  const bad = await page.evaluate(() => [...document.querySelectorAll('main input, main select, main textarea')]
    .filter((el) => el.type !== 'hidden' && el.labels.length === 0 && !el.getAttribute('aria-label'))
    .map((el) => el.name || el.id || el.outerHTML.slice(0, 60)));
  assert.deepEqual(bad, [], `controls without a label: ${bad.join(', ')}`);
}

/*
 * Log in through the login page if this rapportd has login; in "open" mode
 * (a rapportd without the session endpoint) the console goes to the queue.
 */
export async function enter(t, page) {
  await page.goto(`${t.base}/#/queue`);
  await page.waitForSelector('main[aria-busy="false"][data-view]');
  if (await page.getAttribute('main', 'data-view') === 'login') {
    assert.ok(t.credentials, 'this rapportd asks for a login and no credentials were given');
    await page.getByLabel('Email').fill(t.credentials.email);
    await page.getByLabel('Password').fill(t.credentials.password);
    await page.getByRole('button', { name: 'Log in' }).click();
  }
  await waitView(page, 'queue');
}

/* Does this rapportd have login (GET /api/v1/session is not "no such endpoint")? */
export async function hasLogin(base) {
  const r = await fetch(`${base}/api/v1/session`);
  return r.status !== 404;
}

/* Every text of every chart: inside its chart and the window, at least
 * 10 px tall, and overlapping no other text of its chart. */
export async function chartLabelsReadable(page) {
  return page.evaluate(() => {
    const problems = [];
    const vw = document.documentElement.clientWidth;
    let texts = 0;
    for (const chart of document.querySelectorAll('svg.chart')) {
      const boxes = [...chart.querySelectorAll('text')].map((el) => ({ el, r: el.getBoundingClientRect() })).filter((b) => b.r.width > 0);
      texts += boxes.length;
      const frame = chart.getBoundingClientRect();
      for (const b of boxes) {
        /* an SVG clips what it does not hold: a label cut at the chart's edge */
        if (b.r.left < frame.left - 0.5 || b.r.right > frame.right + 0.5) problems.push(`"${b.el.textContent}" cut at the chart's edge`);
        if (b.r.left < -0.5 || b.r.right > vw + 0.5) problems.push(`"${b.el.textContent}" outside the window (${Math.round(b.r.left)}..${Math.round(b.r.right)} of ${vw})`);
        if (b.r.height < 10) problems.push(`"${b.el.textContent}" is ${b.r.height.toFixed(1)} px tall`);
      }
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i].r, c = boxes[j].r;
          const w = Math.min(a.right, c.right) - Math.max(a.left, c.left);
          const h = Math.min(a.bottom, c.bottom) - Math.max(a.top, c.top);
          if (w > 1 && h > 1) problems.push(`"${boxes[i].el.textContent}" overlaps "${boxes[j].el.textContent}"`);
        }
      }
    }
    return { problems, texts, labels: [...document.querySelectorAll('svg.chart text')].map((x) => x.textContent) };
  });
}
