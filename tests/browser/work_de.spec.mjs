/*
 * work_de.spec.mjs - the agent's work in German: an agent whose browser
 * speaks German (a context with locale de-DE, no language setting) walks
 * the work lists, takes an unassigned encounter and transfers it, leads
 * an encounter through its stages (a refusal, the acknowledgement, the
 * facts, the goal and a preference kept on the profile, a promise, the
 * agreement, a follow-up, the close), writes an internal note in the
 * conversation, records a customer who hung up, reads the queue, and
 * marks an overdue follow-up done.
 *
 * The expected texts come from the catalogue itself (t() after
 * setLanguage('de')), so the spec checks that the console asks for the
 * German text, not a copy of it.  On every page it also checks that no
 * English message of the work lists' and the encounter's section of
 * de.js is left on the page (only those whose German differs, and not in
 * what the customer or the agent wrote, nor in parts other views draw).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitView, assertLabelled, hasLogin, cli, HERE } from './lib.mjs';
import { t, setLanguage } from '../../web/js/i18n.js';

const AGENT = { email: 'greta@example.com', password: 'ein langes Passwort bitte', name: 'Greta Sommer' };

/* What the work lists show that people wrote: the customer, the subject,
 * and the subject again in a button's name for screen readers. */
const ROWS = ['#worklist-rows td:nth-child(1)', '#worklist-rows td:nth-child(2)', '#worklist-rows .take .sr-only'];

/* The English keys of this section of de.js whose German differs. */
function sectionKeys() {
  const src = readFileSync(join(HERE, '..', '..', 'web', 'js', 'messages', 'de.js'), 'utf8');
  const start = src.indexOf('/* ---- the work lists and the encounter');
  const end = src.indexOf('/* ----', start + 10);
  const body = src.slice(start, end < 0 ? undefined : end);
  const keys = [];
  /* one entry a line, in single or double quotes */
  for (const m of body.matchAll(/^\s*(['"])((?:(?!\1)[^\\]|\\.)*)\1:\s*(['"])((?:(?!\3)[^\\]|\\.)*)\3,\s*$/gm)) {
    const en = m[2].replace(/\\(.)/g, '$1'), de = m[4].replace(/\\(.)/g, '$1');
    if (en !== de) keys.push(en);
  }
  return keys;
}

/* A key as a pattern: its words exactly, a {value} anything, whole words only. */
function pattern(key) {
  const parts = key.split(/\{\w+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(?<![\\p{L}])${parts.join('.*?')}(?![\\p{L}])`, 'u');
}

/* The German text of a message as a pattern, any value in its {names}. */
function like(key) {
  const parts = t(key).split(/\{\w+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.+?')}$`);
}

export default async function (t0) {
  const { assert, base } = t0;
  if (!(await hasLogin(base))) return;
  setLanguage('de');
  const english = sectionKeys().filter((k) => k.replace(/\{\w+\}/g, '').trim().length >= 2).map((k) => [k, pattern(k)]);
  assert.ok(english.length > 100, `only ${english.length} keys read from the section`);

  const opts = { rapport: t0.rapport, db: t0.server.db };
  const r = cli(opts, ['agent', 'add', '--name', AGENT.name, '--email', AGENT.email, '--role', 'agent'], { RAPPORT_PASSWORD: AGENT.password });
  assert.equal(r.status, 0, r.stderr);

  /* the admin sets up the desk through the API */
  const admin = await t0.browser.newContext();
  const adm = admin.request;
  const session = await (await adm.post(`${base}/api/v1/session`, { data: { email: t0.credentials.email, password: t0.credentials.password } })).json();
  const adminPost = async (path, data) => {
    const res = await adm.post(`${base}${path}`, { headers: { 'X-CSRF-Token': session.csrf_token || '' }, data });
    assert.ok(res.ok(), `${path}: ${res.status()} ${await res.text()}`);
    return res.json();
  };
  await adminPost('/api/v1/queues', { name: 'Annahme', skills: ['annahme'], topics: ['autopanne'] });
  await adminPost('/api/v1/queues', { name: 'Werkstatt', skills: ['schrauben'] });
  const cust = (await adminPost('/api/v1/customers', { name: 'Jörg Weiß', preferred_name: 'Jörg' })).id;
  const taken = (await adminPost('/api/v1/encounters', { customer_id: cust, channel: 'phone', subject: 'Getriebe knirscht', topic: 'autopanne' })).id;
  const walked = (await adminPost('/api/v1/encounters', { customer_id: cust, channel: 'in_person', subject: 'Bremsen quietschen' })).id;
  const due = await adminPost(`/api/v1/encounters/${walked}/follow_ups`, {
    due_at: new Date(Date.now() - 3600000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    subject: 'Jörg wegen der Beläge anrufen', channel: 'phone',
  });

  /* the agent, in a German browser, logged in through the API */
  const context = await t0.browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  const login = await context.request.post(`${base}/api/v1/session`, { data: { email: AGENT.email, password: AGENT.password } });
  assert.ok(login.ok(), `login: ${login.status()}`);
  const page = await t0.newPage({ context });

  /* No English message of this section in the page, outside what other
   * views draw (drop) and what people wrote (the data). */
  /* the queues' names are data too (the desk's own "Phone line") */
  const queueNames = (await (await context.request.get(`${base}/api/v1/queues?limit=500`)).json()).items.map((q) => q.name);
  async function noEnglish(label, drop = []) {
    let text = await page.evaluate((sel) => {
      const main = document.querySelector('main').cloneNode(true);
      for (const s of sel) for (const el of main.querySelectorAll(s)) el.remove();
      const attrs = [...main.querySelectorAll('[aria-label],[placeholder],[title],[data-label]')]
        .flatMap((el) => ['aria-label', 'placeholder', 'title', 'data-label'].map((a) => el.getAttribute(a) || ''));
      /* each text node on its own line: textContent would glue a cell to the next */
      const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
      const texts = [];
      while (walker.nextNode()) texts.push(walker.currentNode.nodeValue);
      return [...texts, ...attrs].join('\n');
    }, drop);
    for (const name of queueNames) text = text.split(name).join(' ');
    const left = english.filter(([, re]) => re.test(text))
      .map(([k, re]) => { const at = text.search(re); return `${k} in “…${text.slice(Math.max(0, at - 40), at + 40)}…”`; });
    assert.deepEqual(left, [], `${label}: English left on the page`);
  }

  await t0.step('the work lists speak German', async () => {
    await page.goto(`${base}/#/work`);
    await waitView(page, 'work');
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    assert.equal(await page.textContent('main h1'), t('Mine'));
    await page.locator('nav.worklists a[data-list="unassigned"]').waitFor();
    assert.match(await page.textContent('nav.worklists a[data-list="unassigned"]'), new RegExp(`^${t('Unassigned')}`));
    assert.match(await page.textContent('#worklist-summary'), like('{n} open, {unassigned} nobody handles yet, {over} over a target.'));
    assert.ok(await page.getByLabel(t('Came by')).count() === 1);
    assert.equal(await page.getAttribute('#wl-q', 'placeholder'), t('Subject, name or email'));
    await assertLabelled(page);
    await noEnglish('Mine', ROWS);
    await t0.shot(page, 'mine');
  });

  await t0.step('the agent takes an unassigned encounter and transfers it, in German', async () => {
    await page.click('nav.worklists a[data-list="unassigned"]');
    await waitView(page, 'work');
    assert.equal(await page.textContent('main h1'), t('Unassigned'));
    const row = page.locator(`#worklist-rows tr[data-id="${taken}"]`);
    await row.waitFor();
    const text = await row.textContent();
    assert.ok(text.includes(t('Nobody handles it yet · in {queue}', { queue: 'Annahme' })), text);
    assert.ok(text.includes(t('Waiting to be received')), text);
    assert.ok(text.includes(t('Phone')), text);
    await noEnglish('Unassigned', ROWS);
    await row.getByRole('button', { name: new RegExp(`^${t('Take')}`) }).click();
    await page.waitForSelector(`#worklist-rows tr[data-id="${taken}"]`, { state: 'detached' });
    await page.click('nav.worklists a[data-list="mine"]');
    await waitView(page, 'work');
    const mine = page.locator(`#worklist-rows tr[data-id="${taken}"]`);
    await mine.waitFor();
    assert.ok((await mine.textContent()).includes(t('Handled by {agent} · in {queue}', { agent: AGENT.name, queue: 'Annahme' })));
    await mine.locator('details.transfer summary').click();
    /* the view's own check says what to do */
    await mine.getByLabel(t('Why'), { exact: true }).fill('Braucht einen Mechaniker');
    await mine.getByRole('button', { name: t('Transfer'), exact: true }).click();
    assert.equal(await mine.locator('.ownership .error').textContent(), t('Choose the queue it should go to.'));
    await mine.getByLabel(t('To the queue')).selectOption({ label: 'Werkstatt' });
    await mine.getByRole('button', { name: t('Transfer'), exact: true }).click();
    await page.waitForFunction((x) => document.getElementById('announce')?.textContent === x,
      t('Transferred to {queue}.', { queue: 'Werkstatt' }));
    await noEnglish('Mine after a transfer', ROWS);
  });

  /* wait for the status line to say text */
  const status = (text) => page.waitForFunction((x) => document.getElementById('encounter-status')?.textContent === x, text, { timeout: 8000 });
  const drop = ['#stages', '#judged', '#record', '#outcome', 'section.kb', '.subject', '.msg-body', '.msg-subject'];

  await t0.step('an encounter through its stages, in German', async () => {
    await page.goto(`${base}/#/encounters/${walked}`);
    await waitView(page, 'encounter');
    const greetings = [t('Good morning, {name}', { name: 'Jörg' }), t('Good afternoon, {name}', { name: 'Jörg' }), t('Good evening, {name}', { name: 'Jörg' })];
    assert.ok(greetings.includes(await page.textContent('#greeting')), await page.textContent('#greeting'));
    assert.ok((await page.textContent('.eyebrow')).includes(t('In person')));
    assert.equal(await page.textContent('#about-h'), t('About {name}', { name: 'Jörg' }));
    assert.equal(await page.textContent('#relationship-level'), t('Transactional'));
    assert.equal(await page.textContent('#check-h'), t('{stage}: what to do', { stage: t('Receiving') }));
    assert.ok((await page.textContent('.checklist')).includes(t('Greet by name')));
    assert.equal(await page.textContent('#ownership-h'), t('Who handles it'));
    assert.equal(await page.textContent('#advance-understood'), t('Done receiving: go to understanding'));
    await assertLabelled(page);
    await noEnglish('receiving', drop);
    await t0.shot(page, 'receiving');

    await page.click('#advance-understood');
    const err = page.locator('[data-field~="acknowledge"] .field-error');
    await err.waitFor();
    assert.equal(await err.textContent(), t('Acknowledge the customer first: greet them and press “Acknowledge”, which stops the wait clock; then move on to understanding.'));
    await page.click('#acknowledge');
    await status(t('Acknowledged.'));
    await page.click('#advance-understood');
    await status(t('Now: understanding.'));

    await page.getByLabel(t('Facts'), { exact: true }).fill('Die Bremsen quietschen bei Kälte.');
    await page.getByLabel(t('Restatement'), { exact: true }).fill('Sie möchten sichere, leise Bremsen.');
    await page.getByLabel(t('Goal'), { exact: true }).fill('Sicher in den Urlaub fahren');
    await page.getByLabel(t('Preferences heard')).fill('Farbe: blau');
    await page.click('#form-understood button[type="submit"]');
    await status(t('Saved.'));
    /* what was heard, offered to the profile in German */
    assert.equal(await page.textContent('#keep-goal'), t('Keep “{goal}” as {name}’s goal', { goal: 'Sicher in den Urlaub fahren', name: 'Jörg' }));
    await page.click('#keep-goal');
    await status(t('The goal is kept on the customer.'));
    assert.equal(await page.textContent('#goal-kept'), t('“{goal}” is one of {name}’s goals.', { goal: 'Sicher in den Urlaub fahren', name: 'Jörg' }));
    await page.selectOption('#pref-firmness-0', 'firm');
    assert.equal(await page.$eval('#pref-firmness-0 option:checked', (o) => o.textContent), t('Firm: never offer against it'));
    await page.click('#keep-pref-0');
    await status(t('The preference is kept on the customer.'));
    assert.ok((await page.textContent('#preferences-offer')).includes(t('“{line}” is in the profile (firm).', { line: 'Farbe: blau' })));
    await noEnglish('understanding', drop);
    await page.click('#advance-helped');
    await status(t('Now: helping.'));
    await noEnglish('helping', drop);

    await page.getByLabel(t('What we promise')).fill('Auto bis 17 Uhr fertig');
    await page.getByLabel(t('By when')).fill(new Date(Date.now() + 8 * 3600000 - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16));
    await page.click('#add-promise');
    await status(t('Promise recorded.'));
    await page.getByLabel(t('Agreement'), { exact: true }).fill('Neue Bremsbeläge vorne, fertig bis 17 Uhr.');
    await page.click('#advance-kept');
    await status(t('Now: keeping.'));

    /* the view's own check, in words */
    await page.click('#record-satisfaction');
    assert.equal(await page.locator('main .field-error').textContent(), t('Choose a score from 1 to 5 first.'));
    await page.getByLabel(t('What we did'), { exact: true }).fill('Beläge gewechselt.');
    await page.getByLabel(t('Thanked the customer')).check();
    await page.getByLabel(t('When'), { exact: true }).fill(new Date(Date.now() + 86400000 - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16));
    await page.getByLabel(t('About'), { exact: true }).fill('Nachfragen, ob die Bremsen gut sind');
    await page.getByLabel(t('By'), { exact: true }).selectOption('phone');
    assert.equal(await page.$eval('#follow-channel option:checked', (o) => o.textContent), t('Phone'));
    await page.click('#schedule-follow-up');
    await status(t('Follow-up scheduled.'));
    await assertLabelled(page);
    await noEnglish('keeping', drop);
    await t0.shot(page, 'keeping');
  });

  await t0.step('an internal note in the conversation, in German', async () => {
    assert.equal(await page.textContent('#conversation-h'), t('Conversation'));
    await page.getByLabel(t('An internal note for colleagues')).check();
    await page.getByLabel(t('Your internal note (the customer never sees it)')).fill('Zweites Mal diesen Monat.');
    await page.getByRole('button', { name: t('Add the note') }).click();
    await page.waitForFunction((x) => document.getElementById('reply-status')?.textContent === x, t('Note added.'));
    const note = page.locator('#conversation li.msg.note').last();
    await note.waitFor();
    assert.ok((await note.textContent()).includes(t('Internal note, not sent to the customer')));
    await noEnglish('conversation', drop);
  });

  await t0.step('the encounter closed, in German', async () => {
    await page.click('#advance-closed');
    await status(t('Closed.'));
    assert.equal(await page.textContent('main h1'), t('Closed: {subject}', { subject: 'Bremsen quietschen' }));
    const fcr = await page.textContent('#first-contact');
    assert.ok(!/first contact/.test(fcr), fcr);
    await noEnglish('closed', drop);
    await t0.shot(page, 'closed');
  });

  await t0.step('an encounter the customer left, in German', async () => {
    await page.goto(`${base}/#/encounters/${taken}`);
    await waitView(page, 'encounter');
    await page.click('details.abandon summary');
    assert.equal(await page.textContent('details.abandon summary'), t('The customer left or hung up'));
    await page.locator('details.abandon').getByLabel(t('Why'), { exact: true }).fill('Aufgelegt');
    await page.getByRole('button', { name: t('Abandon the encounter') }).click();
    await status(t('Abandoned.'));
    assert.equal(await page.textContent('main h1'), t('Abandoned: {subject}', { subject: 'Getriebe knirscht' }));
    assert.ok((await page.textContent('#abandoned')).includes(t('Why: {reason}', { reason: 'Aufgelegt' })));
    assert.equal(await page.textContent('#first-contact'), t('Not resolved at first contact: it was abandoned'));
    await noEnglish('abandoned', [...drop, '#abandoned strong']);
  });

  await t0.step('the queue, in German', async () => {
    await page.goto(`${base}/#/queue`);
    await waitView(page, 'queue');
    assert.equal(await page.textContent('main h1'), t('Queue'));
    const summary = await page.textContent('#queue-summary');
    assert.ok(summary === t('Nobody is waiting.') || /wartend/.test(summary), summary);
    await noEnglish('queue', ['#queue-rows td:nth-child(1)', '#queue-rows td:nth-child(2)']);
  });

  await t0.step('an overdue follow-up marked done, in German', async () => {
    await page.goto(`${base}/#/followups`);
    await waitView(page, 'followups');
    assert.equal(await page.textContent('main h1'), t('Follow-ups'));
    await page.selectOption('#followups-scope', 'all');
    const card = page.locator(`#followups-due section[data-task="${due.id}"]`);
    await card.waitFor();
    const text = await card.textContent();
    assert.ok(text.includes(t('by phone')), text);
    assert.ok(text.includes(t('Overdue since {when}', { when: '' }).trim()), text);
    await assertLabelled(page);
    await noEnglish('follow-ups', ['#followups-due h3', '#followups-not-sent td:nth-child(1)', '#followups-not-sent td:nth-child(3)']);
    await card.getByLabel(t('What came of it')).fill('Angerufen: alles gut.');
    await card.getByRole('button', { name: t('Mark done') }).click();
    await page.waitForFunction((id) => !document.querySelector(`#followups-due section[data-task="${id}"]`), due.id);
    await t0.shot(page, 'followups');
  });
  setLanguage('en');
}
