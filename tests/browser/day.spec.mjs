/*
 * day.spec.mjs - a whole day at the desk, in one language, through the
 * console's pages only (clicks and typing; the only API writes are what a
 * customer does: an encounter arriving).
 *
 * The admin adds a team lead and an agent (only an admin may add people);
 * the lead adds a queue; a customer's call arrives in it; the agent logs
 * in, takes the unassigned call, records a firm preference and a goal on
 * the customer, schedules a follow-up, transfers the call with a reason,
 * records a defect and the apology on the call that was cut off (the
 * demo's story 5), completes the follow-up from "Due today"; the lead
 * writes and publishes a knowledge article; the agent reads it and the
 * dashboard.  Then every top-level page is visited too (work lists,
 * queue, customers, follow-ups, knowledge base, dashboard, privacy,
 * import, connected systems, every admin page, the agent's settings,
 * login).
 *
 * On every page: axe-core (via @axe-core/playwright) must find no
 * serious or critical violation; a screenshot at 1280 and 390 px goes to
 * artifacts/PAGE-LANG-WIDTH.png.  The language comes from
 * RAPPORT_TEST_LANG ("en" or "de"); in German the browser asks for
 * German (locale de-DE) and every text the spec expects is taken from the
 * console's own catalogue (web/js/i18n.js), and no English message whose
 * German differs may be left on any page walked.
 */
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { waitView as waitFor, assertLabelled, hasLogin, ARTIFACTS } from './lib.mjs';
import { setLanguage, t as msg, catalogues } from '../../web/js/i18n.js';

const LANG = (process.env.RAPPORT_TEST_LANG || 'en').toLowerCase();
const LOCALE = LANG === 'de' ? 'de-DE' : 'en-GB';
setLanguage(LANG);

const LEAD = { name: 'Lotte Lead', email: 'lotte@example.com', password: 'lead password 2026 day' };
const AGENT = { name: 'Jonas Agent', email: 'jonas@example.com', password: 'agent password 2026 day' };
const QUEUE = 'Tea room';
const ARTICLE = 'Descaling a kettle';

/* A loaded machine renders slowly: wait up to 20 s for a page. */
const waitView = (page, view, timeout = 20000) => waitFor(page, view, timeout);

const IMPACTS = new Set(['serious', 'critical']);

/* A regular expression for a catalogue message: its {names} match anything. */
function pattern(text, value = '.+?') {
  return text.split(/\{\w+\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join(value);
}

/*
 * The English messages whose German differs, as tests on a page's texts:
 * a text equal to the message (values in {names} matching anything), or
 * containing it when the message is a sentence of four words or more (a
 * short word such as "Queue" may be a customer's own words).
 */
const ENGLISH_LEFT = Object.entries(catalogues().de || {})
  .filter(([en, de]) => en !== de && /[A-Za-z]{2}/.test(en))
  .map(([en]) => ({
    en,
    /* a whole text: a value is one word ("Encounter {id}" is not "Encounter opened (phone): …") */
    whole: new RegExp(`^${pattern(en, '\\S+')}$`),
    part: en.split(/\s+/).length >= 4 ? new RegExp(pattern(en)) : null,
  }));

export default async function (t) {
  const { assert, base } = t;
  if (!(await hasLogin(base))) return;
  const violations = [];
  const leftovers = new Map(); /* English message -> the pages it was left on */

  const newContext = () => t.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: LOCALE });
  const login = async (who, view = 'work') => {
    const page = await t.newPage({ context: await newContext() });
    page.on('dialog', (d) => d.accept());
    await page.goto(`${base}/`);
    await waitView(page, 'login');
    /* by id: the words of the login page are checked by the audit */
    await page.fill('#login-email', who.email);
    await page.fill('#login-password', who.password);
    await page.click('main form button[type="submit"]');
    await waitView(page, view);
    return page;
  };

  /*
   * Audit the page as it is now: axe's serious and critical violations,
   * (in German) English left on it, and screenshots at both widths.
   */
  const audit = async (page, label) => {
    await page.waitForSelector('main[aria-busy="false"][data-view]');
    await page.waitForTimeout(150);
    const t0 = Date.now();
    /* legacy mode: axe runs in the page itself (the default finishes each
     * run in a new blank page, five times slower on a loaded machine) */
    const result = await new AxeBuilder({ page }).setLegacyMode().options({ resultTypes: ['violations'] }).analyze();
    const t1 = Date.now();
    for (const v of result.violations.filter((x) => IMPACTS.has(x.impact))) {
      violations.push(`${label}: ${v.id} (${v.impact}) ${v.help}\n         ${v.nodes.map((n) => n.target.join(' ')).join('\n         ')}`);
    }
    if (LANG !== 'en') {
      const texts = await page.evaluate(() => {
        const out = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const el = n.parentElement;
          /* the customers' own words on the dashboard are data ("quick", "caring"), not messages */
          if (!el || el.closest('[hidden], script, style, noscript, #chart-words') || !n.textContent.trim()) continue;
          out.push(n.textContent.trim());
        }
        for (const el of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
          for (const a of ['aria-label', 'placeholder', 'title']) if (el.getAttribute(a)) out.push(el.getAttribute(a).trim());
        }
        return out;
      });
      for (const text of texts) {
        const hit = ENGLISH_LEFT.find((m) => m.whole.test(text) || (m.part && m.part.test(text)));
        if (hit) {
          if (!leftovers.has(hit.en)) leftovers.set(hit.en, new Set());
          leftovers.get(hit.en).add(label);
        }
      }
    }
    const size = page.viewportSize();
    for (const w of [1280, 390]) {
      await page.setViewportSize({ width: w, height: 900 });
      await page.waitForTimeout(50);
      await page.screenshot({ path: join(ARTIFACTS, `${label}-${LANG}-${w}.png`), fullPage: true });
    }
    await page.setViewportSize(size);
    if (process.env.RAPPORT_TEST_TIMING) console.log(`       ${label}: axe ${t1 - t0} ms, the rest ${Date.now() - t1} ms`);
  };
  const visit = async (page, hash, view, label) => {
    await page.goto(`${base}/${hash}`);
    await waitView(page, view);
    await audit(page, label);
  };

  let admin = null, lead = null, agent = null;
  let customer = null, call = null, followUpSubject = null, cutCall = null;

  await t.step('the login page', async () => {
    const page = await t.newPage({ context: await newContext() });
    await page.goto(`${base}/`);
    await waitView(page, 'login');
    assert.equal(await page.evaluate(() => document.documentElement.lang), LANG);
    await audit(page, 'login');
    await page.context().close();
  });

  await t.step('the admin adds a team lead and an agent', async () => {
    admin = await login(t.credentials);
    await admin.goto(`${base}/#/admin/agents`);
    await waitView(admin, 'admin');
    await assertLabelled(admin);
    const form = admin.locator('#agent-add');
    for (const who of [LEAD, AGENT]) {
      await form.getByLabel(msg('Name')).fill(who.name);
      await form.getByLabel(msg('Email address')).fill(who.email);
      await form.getByLabel(msg('Role')).selectOption(who === LEAD ? 'lead' : 'agent');
      /* skills the new queue does not ask for: its calls wait to be taken */
      await form.getByLabel(msg('Skills')).fill(who === LEAD ? 'coaching' : 'returns');
      await form.getByLabel(msg('First password')).fill(who.password);
      await form.getByRole('button', { name: msg('Add the agent') }).click();
      await admin.waitForFunction((n) => document.querySelector('#agent-list')?.textContent.includes(n), who.name);
    }
    await audit(admin, 'admin-agents');
  });

  await t.step('the lead logs in and adds a queue', async () => {
    lead = await login(LEAD);
    await lead.locator('#nav a[data-route="admin"]').click();
    await waitView(lead, 'admin');
    await lead.locator('nav.admin-menu').getByRole('link', { name: msg('Queues') }).click();
    await lead.waitForFunction((x) => document.querySelector('main h1')?.textContent === x, msg('Queues'));
    await assertLabelled(lead);
    const form = lead.locator('#queue-add');
    await form.getByLabel(msg('Name')).fill(QUEUE);
    await form.getByLabel(msg('Skills its work needs')).fill('tea');
    await form.getByLabel(msg('Topics it takes')).fill('kettles');
    await form.getByRole('button', { name: msg('Add the queue') }).click();
    await lead.locator('#queue-list tr', { hasText: QUEUE }).waitFor();
    await audit(lead, 'admin-queues');
  });

  await t.step('a customer calls: the call arrives in the new queue', async () => {
    /* what the customer does, through the API as the phone system would */
    const req = admin.request;
    const csrf = (await (await req.get(`${base}/api/v1/session`)).json()).csrf_token || '';
    const post = async (path, data) => {
      const r = await req.post(`${base}${path}`, { headers: { 'X-CSRF-Token': csrf }, data });
      assert.ok(r.ok(), `${path}: ${r.status()} ${await r.text()}`);
      return r.json();
    };
    customer = await post('/api/v1/customers', { name: 'Greta Lindqvist' });
    call = await post('/api/v1/encounters', { customer_id: customer.id, channel: 'phone', subject: 'The kettle leaks', topic: 'kettles' });
    assert.equal(call.agent_id ?? null, null, 'the call was given to someone at once');
  });

  await t.step('the agent logs in and takes the unassigned call', async () => {
    agent = await login(AGENT);
    assert.equal(await agent.textContent('main h1'), msg('Mine'));
    await audit(agent, 'work-mine');
    await agent.click('nav.worklists a[data-list="unassigned"]');
    await waitView(agent, 'work');
    assert.equal(await agent.textContent('main h1'), msg('Unassigned'));
    const row = agent.locator(`#worklist-rows tr[data-id="${call.id}"]`);
    await row.waitFor();
    assert.match(await row.textContent(), /Greta Lindqvist/);
    await audit(agent, 'work-unassigned');
    await row.getByRole('button', { name: new RegExp(`^${msg('Take')}`) }).click();
    await agent.waitForSelector(`#worklist-rows tr[data-id="${call.id}"]`, { state: 'detached' });
    await agent.click('nav.worklists a[data-list="mine"]');
    await waitView(agent, 'work');
    await agent.locator(`#worklist-rows tr[data-id="${call.id}"]`).waitFor();
  });

  await t.step('the agent opens the call and records a firm preference and a goal on the customer', async () => {
    await agent.locator(`#worklist-rows tr[data-id="${call.id}"] a[href="#/encounters/${call.id}"]`).click();
    await waitView(agent, 'encounter');
    await audit(agent, 'encounter');
    await agent.locator(`main a[href="#/customers/${customer.id}"]`).first().click();
    await waitView(agent, 'customer');
    await assertLabelled(agent);
    await agent.fill('#new-pref-key', 'tea');
    await agent.fill('#new-pref-value', 'green, never black');
    await agent.selectOption('#new-pref-firmness', 'firm');
    await agent.click('#preference-form button[type="submit"]');
    await agent.locator('#preference-list li[data-key="tea"]').waitFor();
    await agent.fill('#new-goal-title', 'A kitchen that works for her café');
    await agent.fill('#new-goal-tags', 'kettle, café');
    await agent.click('#goal-form button[type="submit"]');
    await agent.waitForSelector('#goal-list:has-text("A kitchen that works for her café")');
    await audit(agent, 'customer');
  });

  await t.step('the agent schedules a follow-up for later today', async () => {
    await agent.goBack();
    await waitView(agent, 'encounter');
    await agent.locator('#stage-kept summary').click();
    /* a few minutes from now in the browser's own time (datetime-local) */
    const when = await agent.evaluate(() => {
      const d = new Date(Date.now() + 3 * 60000);
      const p = (n) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    });
    followUpSubject = 'Ask Greta whether the new kettle holds';
    await agent.fill('#follow-due', when);
    await agent.fill('#follow-subject', followUpSubject);
    await agent.selectOption('#follow-channel', 'phone');
    await agent.click('#schedule-follow-up');
    await agent.waitForFunction((x) => (document.getElementById('announce')?.textContent || '').includes(x), msg('Follow-up scheduled.'));
  });

  await t.step('the agent transfers the call to Billing with a reason', async () => {
    await agent.goto(`${base}/#/work/mine`);
    await waitView(agent, 'work');
    const row = agent.locator(`#worklist-rows tr[data-id="${call.id}"]`);
    await row.waitFor();
    await row.locator('details.transfer summary').click();
    await row.getByLabel(msg('To the queue')).selectOption({ label: 'Billing' });
    await row.getByLabel(msg('Why')).fill('She wants a refund for the old kettle');
    await row.getByRole('button', { name: msg('Transfer') }).click();
    /* the row stays under "Mine" (the agent still handles it), in the new queue */
    await agent.waitForFunction(async (id) => (await (await fetch(`/api/v1/encounters/${id}`)).json()).transfers === 1,
      call.id, { polling: 200, timeout: 10000 });
  });

  await t.step('the queue, and the call that was cut off: a defect and the apology', async () => {
    await agent.click('#nav a[data-route="queue"]');
    await waitView(agent, 'queue');
    await audit(agent, 'queue');
    const list = (await (await agent.request.get(`${base}/api/v1/encounters?limit=50`)).json()).items;
    const cut = list.find((e) => e.stage === 'abandoned');
    assert.ok(cut, 'the demo has the call that was cut off');
    cutCall = cut;
    await agent.goto(`${base}/#/encounters/${cut.id}`);
    await waitView(agent, 'encounter');
    await agent.selectOption('#defect-kind', 'long_wait');
    await agent.fill('#defect-cause', 'One agent on the phones at lunchtime');
    await agent.click('#record-defect');
    await agent.waitForSelector('#defect-list:has-text("One agent on the phones at lunchtime")');
    await agent.click('#apology-given');
    await agent.waitForFunction(() => !document.getElementById('apology-given'));
    const e = await (await agent.request.get(`${base}/api/v1/encounters/${cut.id}`)).json();
    assert.equal(e.apology_given, true);
    await audit(agent, 'encounter-abandoned');
  });

  await t.step('the agent completes the follow-up from "Due today"', async () => {
    await agent.click('#nav a[data-route="followups"]');
    await waitView(agent, 'followups');
    assert.equal(await agent.textContent('main h1'), msg('Follow-ups'));
    assert.ok((await agent.textContent('main')).includes(msg('Due today and overdue')));
    const card = agent.locator('#followups-due section[data-task]', { hasText: followUpSubject });
    await card.waitFor();
    await audit(agent, 'followups');
    await card.getByLabel(msg('What came of it')).fill('It holds; she is happy');
    await card.getByRole('button', { name: msg('Mark done') }).click();
    await card.waitFor({ state: 'detached' });
  });

  await t.step('the lead writes and publishes a knowledge article', async () => {
    await lead.click('#nav a[data-route="kb"]');
    await waitView(lead, 'kb');
    await lead.click('#kb-write');
    await waitView(lead, 'kb');
    await assertLabelled(lead);
    await lead.getByLabel(msg('Title')).fill(ARTICLE);
    await lead.getByLabel(msg('Text')).fill('Fill the kettle half way with water and a spoon of citric acid.\n\nBoil, leave for an hour, rinse twice.');
    await lead.getByLabel(msg('Tags')).fill('kettles, care');
    await audit(lead, 'kb-editor');
    await lead.click('#kb-save-draft');
    await lead.waitForSelector('#kb-publish');
    await lead.click('#kb-publish');
    await lead.waitForSelector('#kb-unpublish');
    await audit(lead, 'kb-article-lead');
  });

  await t.step('the agent finds and reads the article', async () => {
    await agent.click('#nav a[data-route="kb"]');
    await waitView(agent, 'kb');
    await agent.fill('#kb-page-q', 'descal');
    await agent.click('#kb-search button[type="submit"]');
    await agent.waitForSelector('#kb-hits a');
    await audit(agent, 'kb');
    await agent.locator('#kb-hits a', { hasText: ARTICLE }).click();
    await waitView(agent, 'kb');
    assert.equal(await agent.textContent('main h1'), ARTICLE);
    await audit(agent, 'kb-article');
  });

  await t.step('the agent reads the dashboard', async () => {
    await agent.click('#nav a[data-route="dashboard"]');
    await waitView(agent, 'dashboard');
    assert.equal(await agent.textContent('main h1'), msg('Dashboard'));
    await audit(agent, 'dashboard');
  });

  await t.step('the customers\' timelines say each moment of the day in the agent\'s language', async () => {
    /* the kinds the day recorded, each to be found on a timeline */
    const wanted = new Set(['encounter.taken', 'encounter.transferred', 'defect.recorded', 'encounter.recorded',
      'follow_up.scheduled', 'follow_up.done', 'profile.changed']);
    const seen = new Set();
    const wrong = [];
    for (const [who, label] of [[customer.id, 'customer-timeline'], [cutCall.customer_id, 'customer-timeline-abandoned']]) {
      await visit(agent, `#/customers/${who}`, 'customer', label);
      const moments = (await (await agent.request.get(`${base}/api/v1/customers/${who}/moments?limit=30`)).json()).items;
      const shown = await agent.locator('#timeline li .summary').allTextContents();
      assert.equal(shown.length, moments.length, 'the timeline shows a moment for each the server has');
      moments.forEach((m, i) => {
        seen.add(m.kind);
        /* said from the kind and its parameters: never the stored English, in German;
         * never empty or with an unfilled {name}, in either language */
        if (!shown[i] || shown[i].includes('{') || (LANG !== 'en' && shown[i] === m.summary)) wrong.push(`${m.kind}: "${shown[i]}"`);
      });
      if (LANG === 'de') {
        const text = shown.join('\n');
        for (const english of ['Taken by', 'Transferred:', 'Service breakdown', 'Apologised', 'Done:', 'Follow-up scheduled', 'Preference recorded', 'Goal recorded']) {
          assert.ok(!text.includes(english), `"${english}" on a German timeline:\n${text}`);
        }
      }
    }
    assert.deepEqual([...wanted].filter((k) => !seen.has(k)), [], 'a moment of the day is missing from the timelines');
    assert.deepEqual(wrong, [], 'moments shown in the stored English, or not at all');
  });

  await t.step('every other page of the console, as the agent and as the admin', async () => {
    await visit(agent, '#/customers', 'customers', 'customers');
    await visit(agent, '#/privacy', 'privacy', 'privacy');
    await visit(agent, '#/import', 'import', 'import');
    await visit(admin, '#/webhooks', 'webhooks', 'webhooks');
    await visit(admin, '#/admin', 'admin', 'admin');
    for (const section of ['agents', 'queues', 'charter', 'loyalty', 'catalogue', 'delivery', 'tokens']) {
      await visit(admin, `#/admin/${section}`, 'admin', `admin-${section}`);
    }
    /* "Your settings", from the agent's name in the header */
    if (await agent.locator('header a[href="#/settings"]').count()) {
      await agent.click('header a[href="#/settings"]');
      await waitView(agent, 'settings');
      await audit(agent, 'settings');
    }
  });

  await t.step('no serious or critical accessibility violation on any page (axe-core)', async () => {
    assert.equal(violations.length, 0, `axe found:\n       ${violations.join('\n       ')}`);
  });

  if (LANG !== 'en') {
    await t.step('no English message left on any page walked', async () => {
      const list = [...leftovers].map(([en, pages]) => `"${en}" on ${[...pages].join(', ')}`);
      assert.equal(list.length, 0, `English left (${list.length} messages):\n       ${list.join('\n       ')}`);
    });
  }
}
