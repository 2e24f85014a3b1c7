/*
 * zendesk.test.mjs - the Zendesk-compatible API driven by the real
 * Zendesk client, node-zendesk 6, against the real rapportd on loopback.
 *
 * An integrator's script changes only its URL (endpointUri) and its
 * credentials (an agent's email and a rapport API token); this walks what
 * such a script does: who am I, create a user, create a ticket for it,
 * comment publicly and privately, list (following the client's own cursor
 * paging), search, solve.  What the client sees is checked, and so is
 * what rapport made of it through its own API: the ticket is an
 * encounter that moved along its cycle, with its moments of truth.
 *
 * Usage: node zendesk.test.mjs --rapportd PATH --rapport PATH
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
const zendesk = require('node-zendesk');

function opt(name) {
  const i = process.argv.indexOf(name);
  if (i < 0 || !process.argv[i + 1]) throw new Error(`usage: ${name} PATH is required`);
  return process.argv[i + 1];
}
const rapportd = opt('--rapportd');
const rapport = opt('--rapport');

const dir = mkdtempSync(join(tmpdir(), 'rapport-zendesk-'));
const db = join(dir, 'rapport.db');
const AGENT = 'ada@example.com';

function cli(args, env = {}) {
  const r = spawnSync(rapport, ['--db', db, ...args],
    { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30000 });
  if (r.status !== 0) throw new Error(`rapport ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/* A fresh desk with one admin and an API token for her. */
cli(['init', '--admin-email', AGENT, '--admin-name', 'Ada Byron'],
  { RAPPORT_ADMIN_PASSWORD: 'correct horse battery staple' });
const token = cli(['token', 'create', '--agent', '1', '--name', 'zendesk client'])
  .match(/rpt_[0-9a-f]{64}/)[0];

let log = '';
const proc = spawn(rapportd, ['--db', db, '--listen', '127.0.0.1:0'],
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RAPPORT_PLAIN_HTTP: '1' } });
proc.stderr.on('data', (d) => { log += d; });
const base = await new Promise((resolve, reject) => {
  let out = '';
  const timer = setTimeout(() => reject(new Error(`rapportd did not start in 30 s: ${log}`)), 30000);
  proc.stdout.on('data', (d) => {
    out += d;
    const m = out.match(/listening on (http:\/\/[0-9.]+:\d+)\//);
    if (m) { clearTimeout(timer); resolve(m[1]); }
  });
  proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`rapportd exited with ${code}: ${log}`)); });
});
proc.removeAllListeners('exit');

const quiet = { debug() {}, info() {}, warn() {}, error() {}, log() {} };
const options = { username: AGENT, token, endpointUri: `${base}/api/v2`, logger: quiet };
const client = zendesk.createClient(options);

/* rapport's own API, to see what the ticket became */
async function v1(path) {
  const r = await fetch(`${base}/api/v1${path}`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200, `GET /api/v1${path}`);
  return r.json();
}

let failed = 0;
async function step(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name}\n  ${String(e.stack || e).replace(/\n/g, '\n  ')}`);
  }
}

let me, user, ticket;
const email = 'ann.lee@example.com';
try {
  await step('the credentials are the agent\'s (users/me)', async () => {
    ({ result: me } = await client.users.me());
    assert.equal(me.email, AGENT);
    assert.equal(me.role, 'admin');
  });

  await step('another agent\'s email with this token is refused', async () => {
    const other = zendesk.createClient({ ...options, username: 'mallory@example.com' });
    await assert.rejects(other.users.me(), /401/);
  });

  await step('create a user', async () => {
    ({ result: user } = await client.users.create({ user: { name: 'Ann Lee', email } }));
    assert.equal(user.name, 'Ann Lee');
    assert.equal(user.email, email);
    assert.equal(user.role, 'end-user');
    const { result: shown } = await client.users.show(user.id);
    assert.equal(shown.id, user.id);
  });

  await step('find the user by email', async () => {
    const found = await client.users.search({ query: email });
    assert.deepEqual(found.map((u) => u.id), [user.id]);
  });

  await step('create a ticket with a first comment', async () => {
    ({ result: ticket } = await client.tickets.create({
      ticket: {
        subject: 'The kettle stopped working',
        comment: { body: 'It was bought three weeks ago and no longer heats.' },
        requester_id: user.id,
        priority: 'high',
        tags: ['Kettle', 'warranty'],
      },
    }));
    assert.equal(ticket.status, 'new');
    assert.equal(ticket.requester_id, user.id);
    assert.equal(ticket.priority, 'high');
    assert.deepEqual(ticket.tags, ['kettle', 'warranty']);
    assert.equal(ticket.description, 'It was bought three weeks ago and no longer heats.');
    const enc = await v1(`/encounters/${ticket.id}`);
    assert.equal(enc.customer_id, user.id);
    assert.equal(enc.stage, 'received');
  });

  await step('a ticket for a requester given by email makes the customer', async () => {
    const { result: t } = await client.tickets.create({
      ticket: {
        subject: 'Where is my order?',
        comment: { body: 'Order 1234 has not arrived.' },
        requester: { name: 'Bo Chen', email: 'bo.chen@example.com' },
      },
    });
    const found = await client.users.search({ query: 'bo.chen@example.com' });
    assert.equal(found.length, 1);
    assert.equal(found[0].name, 'Bo Chen');
    assert.equal(t.requester_id, found[0].id);
  });

  await step('comment publicly and privately', async () => {
    const { result: t } = await client.tickets.update(ticket.id, {
      ticket: { comment: { body: 'Sorry about that: a new kettle is on its way.', public: true }, status: 'open' },
    });
    assert.equal(t.status, 'open');
    await client.tickets.update(ticket.id, {
      ticket: { comment: { body: 'Courier booked for Friday.', public: false } },
    });
    const comments = await client.tickets.getComments(ticket.id);
    assert.deepEqual(comments.map((c) => [c.public, c.body]), [
      [true, 'It was bought three weeks ago and no longer heats.'],
      [true, 'Sorry about that: a new kettle is on its way.'],
      [false, 'Courier booked for Friday.'],
    ]);
    assert.equal(comments[0].author_id, user.id);
    assert.notEqual(comments[1].author_id, user.id);
    /* the public comment is a reply in the outbox, the private one a note */
    const msgs = await v1(`/encounters/${ticket.id}/messages`);
    assert.deepEqual(msgs.items.map((m) => m.direction), ['inbound', 'outbound', 'note']);
  });

  await step('list tickets, following the client\'s cursor paging', async () => {
    for (let i = 0; i < 3; i++) {
      await client.tickets.create({
        ticket: { subject: `Question ${i}`, comment: { body: `Question number ${i}` },
          requester: { email: `asker${i}@example.com` } },
      });
    }
    const all = await client.tickets.list();
    assert.equal(all.length, 5);
    /* two to a page: the client follows links.next until it is null */
    const asked = [];
    const recorder = { ...quiet, debug(e) { const u = e && (e.uri || (e.detail && e.detail.uri)); if (u) asked.push(u); } };
    const paged = zendesk.createClient({ ...options, logger: recorder, debug: true,
      query: { page: { size: 2 } } });
    const walked = await paged.tickets.list();
    assert.equal(asked.length, 3, `three pages of two: ${asked.join(' ')}`);
    assert.ok(asked.slice(1).every((u) => /page%5Bafter%5D=\d+/.test(u)), asked.join(' '));
    assert.deepEqual(walked.map((t) => t.id), all.map((t) => t.id));
    assert.ok(walked.map((t) => t.id).includes(ticket.id));
  });

  await step('search: type:ticket status:open, and requester:', async () => {
    const { result: open } = await client.search.query('type:ticket status:open');
    assert.deepEqual(open.map((r) => r.id), [ticket.id]);
    assert.equal(open[0].result_type, 'ticket');
    const { result: mine } = await client.search.query(`requester:${email}`);
    assert.deepEqual(mine.map((r) => r.id), [ticket.id]);
    const { result: fresh } = await client.search.query('type:ticket status:new');
    assert.equal(fresh.length, 4);
    const requested = await client.tickets.listByUserRequested(user.id);
    assert.deepEqual(requested.map((t) => t.id), [ticket.id]);
  });

  await step('assign the ticket to an agent', async () => {
    const { result: t } = await client.tickets.update(ticket.id, { ticket: { assignee_id: me.id, priority: 'urgent' } });
    assert.equal(t.assignee_id, me.id);
    assert.equal(t.priority, 'urgent');
    const enc = await v1(`/encounters/${ticket.id}`);
    assert.equal(enc.agent_id, 1);
    const { result: mine } = await client.search.query(`assignee:${AGENT} priority:urgent`);
    assert.deepEqual(mine.map((r) => r.id), [ticket.id]);
  });

  await step('solve the ticket', async () => {
    const { result: t } = await client.tickets.update(ticket.id, { ticket: { status: 'solved' } });
    assert.equal(t.status, 'solved');
    const { result: shown } = await client.tickets.show(ticket.id);
    assert.equal(shown.status, 'solved');
    const { result: open } = await client.search.query('type:ticket status:open');
    assert.equal(open.length, 0);
    const { result: solved } = await client.search.query('status:solved');
    assert.deepEqual(solved.map((r) => r.id), [ticket.id]);
    /* rapport's cycle: kept, with a moment for every step */
    const enc = await v1(`/encounters/${ticket.id}`);
    assert.equal(enc.stage, 'kept');
    const moments = await v1(`/customers/${user.id}/moments?limit=100`);
    const kinds = moments.items.map((m) => m.kind);
    for (const k of ['encounter.opened', 'message.received', 'message.replied',
      'message.noted', 'encounter.understood', 'encounter.helped', 'encounter.kept']) {
      assert.ok(kinds.includes(k), `moment ${k} in ${kinds.join(', ')}`);
    }
  });

  await step('a solved ticket cannot be reopened, and an unknown one is not found', async () => {
    await assert.rejects(client.tickets.update(ticket.id, { ticket: { status: 'open' } }), /422/);
    await assert.rejects(client.tickets.show(999999), /404/);
  });
} finally {
  proc.kill('SIGTERM');
  /* a clean stop: under the sanitizers a leak or an error fails it */
  const code = await new Promise((resolve) => proc.on('exit', resolve));
  if (code !== 0) {
    failed++;
    console.log(`not ok - rapportd stopped with ${code}`);
  }
  rmSync(dir, { recursive: true, force: true });
}
if (failed) {
  console.log(`${failed} step(s) failed; rapportd said:\n${log}`);
  process.exit(1);
}
console.log('all steps passed');
