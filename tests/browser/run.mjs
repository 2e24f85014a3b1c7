#!/usr/bin/env node
/*
 * run.mjs - runs the browser specs of the agent console.
 *
 *   node run.mjs --rapportd PATH [--rapport PATH] [--web-root DIR] [SPEC...]
 *
 * For each spec (default: console.spec.mjs) it starts a real rapportd on
 * 127.0.0.1:0 with a fresh database in a temporary directory (the demo data
 * loaded with the rapport CLI, and an admin agent when this build has
 * login), drives Debian's /usr/bin/chromium through playwright-core, writes
 * screenshots to artifacts/, stops rapportd with SIGTERM (it must exit 0),
 * and exits non-zero if any step failed.  The whole run is capped at 280 s (a loaded CI machine is slow; a normal run takes under a minute),
 * or at RAPPORT_BROWSER_BUDGET seconds (the whole day's walk, with an
 * accessibility audit of every page, asks for more).
 */
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { HERE, CHROMIUM_ARGS, credentials, prepareDatabase, startServer, stopServer, removeServerDir, makeContext } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name, env) => {
  const i = args.indexOf(name);
  if (i >= 0) { const v = args[i + 1]; args.splice(i, 2); return v; }
  return process.env[env];
};
const rapportd = opt('--rapportd', 'RAPPORTD');
let rapport = opt('--rapport', 'RAPPORT_CLI');
const webRoot = resolve(opt('--web-root', 'RAPPORT_WEB_ROOT') || join(HERE, '..', '..', 'web'));
const specs = args.length ? args : ['console.spec.mjs'];

if (!rapportd || !existsSync(rapportd)) {
  console.error('usage: node run.mjs --rapportd PATH [--rapport PATH] [--web-root DIR] [SPEC...]');
  process.exit(2);
}
if (!rapport) rapport = join(dirname(rapportd), 'rapport');

const prepare = (server) => prepareDatabase(server, rapport);

const budget = Number(process.env.RAPPORT_BROWSER_BUDGET) || 280;
let running = null; /* the rapportd of the spec under way, stopped if time runs out */
const deadline = setTimeout(() => {
  console.error(`browser tests: over the ${budget} s budget, giving up`);
  if (running && running.proc && running.proc.exitCode === null) running.proc.kill('SIGKILL');
  removeServerDir(running);
  process.exit(1);
}, budget * 1000);

let passed = 0, failed = 0, skipped = 0;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  for (const spec of specs) {
    const mod = await import(new URL(spec, `file://${HERE}/`).href);
    const name = spec.replace(/\.spec\.mjs$/, '');
    let server = null;
    /* A spec may ask for its own rapportd options (ports, environment). */
    const extra = mod.serverOptions ? await mod.serverOptions() : {};
    try {
      server = await startServer({ rapportd, webRoot, rapport, prepare, ...extra });
      running = server;
    } catch (e) {
      console.log(`FAIL - ${name}: rapportd: ${e.message}`);
      failed++;
      continue;
    }
    const t = makeContext(name, server, browser, { credentials, rapport });
    try {
      await mod.default(t);
    } catch (e) {
      t.results.push({ title: 'spec', status: 'failed', error: e });
      console.log(`FAIL - ${name}: ${e.stack || e}`);
    }
    const code = await stopServer(server);
    if (code !== 0) {
      t.results.push({ title: 'rapportd stops cleanly on SIGTERM', status: 'failed' });
      console.log(`FAIL - ${name}: rapportd exited with ${code} on SIGTERM\n${server.log}`);
    }
    removeServerDir(server);
    if (extra.cleanup) await extra.cleanup();
    for (const r of t.results) {
      if (r.status === 'passed') passed++; else if (r.status === 'failed') failed++; else skipped++;
    }
  }
} finally {
  await browser.close();
  clearTimeout(deadline);
}
console.log(`browser: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed || !passed ? 1 : 0);
