/*
 * customers_de.spec.mjs - the customer pages in German.
 *
 * A browser whose language is German (a context with locale de-DE; the
 * agents have no language setting, so the console follows the browser)
 * walks the customer list and its search, a customer's page (a firm
 * preference, a goal, an important date and a consent recorded), the
 * import page (a file checked), the privacy page (the audit log's entries
 * said in German), and, as a lead, the knowledge base (an article written
 * as a draft, published, searched and read).  The expected texts come from
 * the catalogue itself (t() after setLanguage('de')), and on every page no
 * English message of the customers' section of messages/de.js is left
 * (only those whose German differs, and only in what the console wrote:
 * what customers and agents wrote is data, shown as written).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitView, assertLabelled, hasLogin, cli, HERE } from './lib.mjs';
import { t, tn, setLanguage } from '../../web/js/i18n.js';
import de from '../../web/js/messages/de.js';

const LEAD = { email: 'lena@example.com', password: 'a long lead passphrase 7', name: 'Lena Leitung' };

/* The English messages of the customers' section whose German differs. */
function sectionMessages() {
  const src = readFileSync(join(HERE, '..', '..', 'web', 'js', 'messages', 'de.js'), 'utf8');
  const start = src.indexOf('/* ---- customers:');
  const end = src.indexOf('/* ----', start + 10);
  const part = src.slice(start, end < 0 ? undefined : end);
  const keys = [...part.matchAll(/^\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*:/gm)].map((m) => JSON.parse(`"${m[1] ?? m[2].replace(/"/g, '\\"')}"`));
  return keys.filter((k) => de[k] !== k);
}

/*
 * The English messages found in text: a message without values as it is
 * (only a sentence or a phrase of two words or more, so that a lone word
 * such as "Chat" that a customer may write is not taken for one), a
 * message with values as a pattern, its values any text.
 */
function englishLeft(text, messages) {
  const found = [];
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const m of messages) {
    if (!/\{\w+\}/.test(m)) {
      if (m.trim().split(/\s+/).length >= 2 && text.includes(m)) found.push(m);
      continue;
    }
    const fixed = m.split(/\{\w+\}/).map((x) => x.trim()).filter(Boolean);
    if (fixed.join(' ').split(/\s+/).length < 3) continue; /* too little fixed text to tell */
    const re = new RegExp(m.split(/(\{\w+\})/).map((p) => (/^\{\w+\}$/.test(p) ? '.+?' : esc(p))).join(''));
    if (re.test(text)) found.push(m);
  }
  return found;
}

/* What the console wrote on the page: main's text and the texts an agent's
 * tools read (labels, placeholders, titles, aria-labels), without what
 * customers and agents wrote (moments' summaries, articles, the audit's
 * names, notes). */
async function consoleText(page) {
  return page.evaluate(() => {
    const main = document.querySelector('main').cloneNode(true);
    for (const el of main.querySelectorAll('#timeline, .kb-read, .kb-snippet, .kb-title, .reasons, #recommendations, #p-messages, .notes, #details dd, input, textarea')) el.remove();
    const attrs = [...document.querySelectorAll('main [placeholder], main [aria-label], main [title], main [alt]')]
      .map((el) => ['placeholder', 'aria-label', 'title', 'alt'].map((a) => el.getAttribute(a) || '').join(' '));
    return `${main.innerText}\n${attrs.join('\n')}`;
  });
}

async function login(tc, who) {
  const context = await tc.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'de-DE' });
  const page = await tc.newPage({ context });
  await page.goto(`${tc.base}/#/queue`);
  await waitView(page, 'login');
  await page.fill('#login-email', who.email);
  await page.fill('#login-password', who.password);
  await page.click('main form button[type="submit"]');
  await page.waitForSelector('main[aria-busy="false"]:not([data-view="login"])');
  return page;
}

export default async function (tc) {
  const { assert, base } = tc;
  if (!(await hasLogin(base))) return; /* the lead's article and the import need login */
  setLanguage('de');
  const messages = sectionMessages();
  assert.ok(messages.length > 100, `the customers' section has its messages (${messages.length})`);
  const noEnglish = async (page, where) => {
    const left = englishLeft(await consoleText(page), messages);
    assert.deepEqual(left, [], `${where} still says in English: ${left.join(' | ')}`);
  };
  const opts = { rapport: tc.rapport, db: tc.server.db };
  const r = cli(opts, ['agent', 'add', '--name', LEAD.name, '--email', LEAD.email, '--role', 'lead'], { RAPPORT_PASSWORD: LEAD.password });
  assert.equal(r.status, 0, r.stderr);

  let page, max;
  await tc.step('the customer list and its search, in German', async () => {
    page = await login(tc, tc.credentials);
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    await page.goto(`${base}/#/customers`);
    await waitView(page, 'customers');
    assert.equal(await page.textContent('main h1'), t('Customers'));
    assert.deepEqual(await page.locator('main table.list thead th').allTextContents(), [t('Name'), t('Contact'), t('Relationship')]);
    assert.equal(await page.textContent('#customers-import'), t('Bring in customers from a file'));
    await page.fill('#customer-q', 'Max');
    await page.click('main form[role="search"] button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('#customer-rows tr').length === 1);
    assert.equal(await page.textContent('main p.summary'), tn(1, '{n} shown.', '{n} shown.'));
    const level = (await page.locator('#customer-rows td').nth(2).textContent()).trim();
    assert.ok([t('Transactional'), t('Incremental'), t('Formative'), t('Partnership')].includes(level), `level in German: ${level}`);
    await page.fill('#customer-q', 'zzzz-nobody');
    await page.click('main form[role="search"] button[type="submit"]');
    await page.waitForFunction((said) => document.querySelector('main p.summary').textContent === said, t('No customer matches.'));
    await assertLabelled(page);
    await noEnglish(page, 'the customer list');
    const list = await (await page.request.get(`${base}/api/v1/customers?q=Max&limit=5`)).json();
    max = list.items.find((c) => c.preferred_name === 'Max');
    assert.ok(max, 'the demo has Max');
  });

  await tc.step('a customer page: preference, goal, date and consent recorded in German', async () => {
    await page.goto(`${base}/#/customers/${max.id}`);
    await waitView(page, 'customer');
    await page.waitForSelector('#preference-form');
    for (const [id, title] of [['p-details', 'Details'], ['p-preferences', 'Preferences'], ['p-goals', 'Goals'],
      ['p-dates', 'Important dates'], ['p-consents', 'Consent'], ['p-encounters', 'Encounters']]) {
      assert.equal(await page.textContent(`#${id}-h`), t(title));
    }
    assert.equal(await page.textContent('#timeline-h'), t('Moments of truth'));

    await page.fill('#new-pref-key', 'Hemdfarbe');
    await page.fill('#new-pref-value', 'nur Marineblau');
    await page.selectOption('#new-pref-firmness', 'firm');
    assert.equal(await page.locator('#new-pref-firmness option[value="firm"]').textContent(), t('Firm: never offer against it'));
    await page.click('#preference-form button[type="submit"]');
    await page.waitForFunction((said) => document.querySelector('#p-preferences-status').textContent === said, t('The preference is recorded.'));
    assert.equal(await page.textContent('#preference-list li[data-key="Hemdfarbe"] .badge'), t('firm'));

    await page.fill('#new-goal-title', 'Gut angezogen zur Hochzeit');
    await page.fill('#new-goal-tags', 'Anzug, Hochzeit');
    await page.click('#goal-form button[type="submit"]');
    await page.waitForFunction((said) => document.querySelector('#p-goals-status').textContent === said, t('The goal is recorded.'));
    const goals = await page.textContent('#goal-list');
    assert.ok(goals.includes(`Gut angezogen zur Hochzeit · ${t('Working toward it')}`), goals);

    await page.selectOption('#new-date-kind', 'appointment');
    await page.fill('#new-date-title', 'Anprobe');
    const at = new Date(Date.now() + 3 * 86400000);
    at.setHours(10, 0, 0, 0);
    await page.fill('#new-date-at', new Date(at.getTime() - at.getTimezoneOffset() * 60000).toISOString().slice(0, 16));
    await page.fill('#new-date-where', 'Laden Mitte');
    await page.click('#date-form button[type="submit"]');
    await page.waitForFunction((said) => document.querySelector('#p-dates-status').textContent === said, t('The date is recorded.'));
    const dates = await page.textContent('#date-list');
    assert.ok(dates.includes(`${t('Appointment')}: Anprobe`), dates);
    assert.ok(dates.includes(t('at {place}', { place: 'Laden Mitte' })), dates);

    const item = page.locator('#consent-reminders');
    const before = (await item.locator('.consent-state').textContent()).trim();
    assert.ok([t('Not asked yet'), t('Agreed'), t('Withdrawn')].includes(before), before);
    await item.locator('input[type="text"]').fill('am Telefon');
    await item.locator('button[type="submit"]').click();
    await page.waitForFunction((said) => said.includes(document.querySelector('#p-consents-status').textContent),
      [t('{purpose}: agreed.', { purpose: t('Reminders') }), t('{purpose}: withdrawn.', { purpose: t('Reminders') })]);
    const who = (await page.locator('#consent-reminders .consent-who').textContent()).trim();
    const expected = t('Changed {when} by {who}; how: {how}.', { when: 'WHEN', who: tc.credentials.name, how: 'am Telefon' });
    const [head, tail] = expected.split('WHEN');
    assert.ok(who.startsWith(head) && who.endsWith(tail), `${who} is not like ${expected}`);
    await assertLabelled(page);
    await noEnglish(page, 'the customer page');
    await tc.shot(page, 'customer');
  });

  await tc.step('what an abandoned call recorded, in German', async () => {
    const all = await (await page.request.get(`${base}/api/v1/encounters?limit=50`)).json();
    const cut = all.items.find((e) => e.stage === 'abandoned');
    assert.ok(cut, 'the demo has the call that was cut off');
    await page.goto(`${base}/#/encounters/${cut.id}`);
    await waitView(page, 'encounter');
    const gaveUp = t('The customer gave up {when}, after {time}.', { when: 'WHEN', time: 'TIME' });
    assert.ok((await page.textContent('#abandoned strong')).startsWith(gaveUp.split('WHEN')[0]));
    assert.equal(await page.getAttribute('#stages', 'aria-label'), t('Interaction cycle'));
    assert.equal(await page.$eval('#stages li[data-stage="closed"]', (li) => li.dataset.said), t('not reached'));
    assert.equal(await page.$eval('#stages li[data-stage="received"]', (li) => li.dataset.said), t('the customer gave up here'));
    assert.equal(await page.textContent('#stages li[data-stage="closed"]'), t('Closed'));
    assert.equal(await page.textContent('#apology-state'), t('An apology is owed and has not been given yet.'));
    assert.equal(await page.textContent('#encounter-kind'), t('Kind: not decided; the customer gave up before the encounter closed.'));
    await page.selectOption('#defect-kind', 'long_wait');
    await page.fill('#defect-cause', 'Nur eine Person am Telefon');
    await page.click('#record-defect');
    await page.waitForSelector('#defect-list:has-text("Nur eine Person am Telefon")');
    const defects = await page.textContent('#defect-list');
    assert.ok(defects.includes(`${t('A long wait')}: Nur eine Person am Telefon`), defects);
    const recorded = await page.evaluate(() => ['#record', '#judged', '#stages', '#abandoned']
      .map((s) => { const el = document.querySelector(s).cloneNode(true); el.querySelectorAll('input, textarea').forEach((x) => x.remove()); return el.innerText; }).join('\n'));
    const left = englishLeft(recorded, messages);
    assert.deepEqual(left, [], `the record still says in English: ${left.join(' | ')}`);
  });

  await tc.step('the import page checks a file in German', async () => {
    await page.goto(`${base}/#/import`);
    await waitView(page, 'import');
    assert.equal(await page.textContent('main h1'), t('Bring in customers'));
    assert.equal(await page.textContent('#import-check'), t('Check the file'));
    const csv = 'Name,Email,Firma\r\nJonas Brandt,jonas.import@example.com,Acme\r\nKein Eintrag,keine-adresse,\r\n';
    await page.setInputFiles('#import-file', { name: 'kunden.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await page.click('#import-check');
    await page.waitForSelector('#import-summary');
    const what = [tn(1, '{n} new customer', '{n} new customers'), tn(1, '{n} row refused', '{n} rows refused')].join(', ');
    assert.equal(await page.textContent('#import-summary'),
      tn(2, 'The file has {n} row. Importing it would give: {what}. Nothing was saved.',
        'The file has {n} rows. Importing it would give: {what}. Nothing was saved.', { what }));
    assert.equal(await page.textContent('#import-go'), t('Import the other rows'));
    assert.match(await page.textContent('#import-columns'), new RegExp(`Firma\\s*${t('Left out')}`));
    assert.equal(await page.textContent('#import-refusals caption'), t('Refused rows'));
    await assertLabelled(page);
    await noEnglish(page, 'the import page');
    await tc.shot(page, 'import');
  });

  await tc.step('the privacy page and its audit log in German', async () => {
    await page.goto(`${base}/#/privacy`);
    await waitView(page, 'privacy');
    assert.equal(await page.textContent('main h1'), t('Privacy'));
    assert.equal(await page.textContent('#audit-h'), t('Audit log'));
    await page.fill('#audit-customer', String(max.id));
    await page.click('main form.inline button[type="submit"]');
    const changed = t('{who} changed {what} of {whom}', { who: tc.credentials.name, what: t('the preferences'), whom: max.name });
    await page.waitForFunction((said) => document.querySelector('#audit-list').textContent.includes(said), changed);
    const read = ['the profile', 'the overview'].map((what) => t('{who} read {what} of {whom}', { who: tc.credentials.name, what: t(what), whom: max.name }));
    const log = await page.textContent('#audit-list');
    assert.ok(read.some((x) => log.includes(x)), `the audit log says "${read[0]}"`);
    assert.ok((await page.textContent('#audit-list')).includes(t('from {address}', { address: '127.0.0.1' })));
    await assertLabelled(page);
    await noEnglish(page, 'the privacy page');
    await tc.shot(page, 'privacy');
  });

  await tc.step('a lead writes a draft, publishes it, and finds and reads it, in German', async () => {
    const lead = await login(tc, LEAD);
    await lead.goto(`${base}/#/kb`);
    await waitView(lead, 'kb');
    assert.equal(await lead.textContent('main h1'), t('Knowledge base'));
    assert.equal(await lead.textContent('#kb-write'), t('Write an article'));
    await noEnglish(lead, 'the knowledge base');
    await lead.click('#kb-write');
    await waitView(lead, 'kb');
    assert.equal(await lead.textContent('main h1'), t('Write an article'));
    /* refused in words: the title is missing */
    await lead.click('#kb-save-draft');
    assert.equal(await lead.textContent('[data-field="title"] .field-error'), t('Give the article a title.'));
    await lead.fill('#kb-title', 'Umtausch ohne Kassenbon');
    await lead.fill('#kb-body', 'Ein Umtausch ohne Kassenbon geht mit der Kundennummer.\n\nSuchen Sie den Kauf im Verlauf.');
    await lead.fill('#kb-tags-input', 'Umtausch, Kasse');
    await assertLabelled(lead);
    await noEnglish(lead, 'the article editor');
    await lead.click('#kb-save-draft');
    await lead.waitForSelector('#kb-publish');
    assert.equal(await lead.textContent('#kb-publish'), t('Publish'));
    assert.ok((await lead.textContent('main')).includes(t('Draft, only leads and admins see it. Last changed {when}.', { when: 'X' }).split('X')[0]));
    await noEnglish(lead, 'the draft');
    await lead.click('#kb-publish');
    await lead.waitForSelector('#kb-unpublish');
    assert.equal(await lead.textContent('#kb-unpublish'), t('Take back to drafts'));

    await lead.goto(`${base}/#/kb`);
    await waitView(lead, 'kb');
    await lead.fill('#kb-page-q', 'Kassen');
    await lead.click('#kb-search button[type="submit"]');
    await lead.waitForSelector('#kb-hits');
    const n = await lead.locator('#kb-hits > li').count();
    assert.ok((await lead.textContent('#kb-found')).includes(tn(n, '{n} article found, best first.', '{n} articles found, best first.')));
    await noEnglish(lead, 'the search');
    await lead.click('#kb-hits a:has-text("Umtausch ohne Kassenbon")');
    await waitView(lead, 'kb');
    assert.equal(await lead.textContent('main h1'), 'Umtausch ohne Kassenbon');
    assert.ok((await lead.textContent('main')).includes(t('No agent has said yet whether it helped.')));
    assert.ok((await lead.textContent('main')).includes(t('Tags: {tags}', { tags: 'kasse' }).split('kasse')[0]));
    await noEnglish(lead, 'the article');
    await tc.shot(lead, 'article');
  });
}
