/*
 * knowledge.spec.mjs - the knowledge base's page: a lead writes an article
 * and saves it as a draft; an agent can neither find nor open it; the lead
 * publishes it; the agent then finds it by the start of a word ("dupl")
 * and by some of the words, reads it, and browses to it by its tag.  No
 * screen shows an API path, a field name or an ISO time; screenshots at
 * 1280 and 390 px.
 */
import { waitView, assertLabelled, hasLogin, cli } from './lib.mjs';

const AGENT = { email: 'kai@example.com', password: 'a long enough passphrase', name: 'Kai Agent' };
const LEAD = { email: 'lou@example.com', password: 'another long passphrase', name: 'Lou Lead' };
const TITLE = 'Merging duplicate customers';

async function login(t, who) {
  const context = await t.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await t.newPage({ context });
  await page.goto(`${t.base}/`);
  await waitView(page, 'login');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await waitView(page, 'work');
  return page;
}

function plain(assert, text) {
  assert.ok(!/\/api\/v1|\d{4}-\d{2}-\d{2}T|[{}[\]"]|_id\b|published_at|state=/.test(text), `not plain language: ${text}`);
}

async function search(page, words) {
  await page.fill('#kb-page-q', words);
  await page.click('#kb-search button[type="submit"]');
  await page.waitForSelector('#kb-found > *');
  return page.textContent('#kb-found');
}

export default async function (t) {
  const { assert, base } = t;
  if (!(await hasLogin(base))) return;
  const opts = { rapport: t.rapport, db: t.server.db };
  const run = (args, env) => {
    const r = cli(opts, args, env);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  };
  run(['agent', 'add', '--name', AGENT.name, '--email', AGENT.email, '--role', 'agent'], { RAPPORT_PASSWORD: AGENT.password });
  run(['agent', 'add', '--name', LEAD.name, '--email', LEAD.email, '--role', 'lead'], { RAPPORT_PASSWORD: LEAD.password });
  let lead = null, agent = null, articleId = null;

  await t.step('a lead writes an article and keeps it as a draft', async () => {
    lead = await login(t, LEAD);
    await lead.click('#nav a[data-route="kb"]');
    await waitView(lead, 'kb');
    await lead.click('#kb-write');
    await waitView(lead, 'kb');
    await assertLabelled(lead);
    await lead.getByLabel('Title').fill(TITLE);
    await lead.getByLabel('Text').fill('Two profiles for one person happen when someone writes from a new address.\n\nOpen the customer, choose “Possible duplicates” and merge: history and moments move to the one kept.');
    await lead.getByLabel('Tags').fill('Customers, merging');
    await t.shot(lead, 'editor');
    await lead.click('#kb-save-draft');
    await lead.waitForSelector('#kb-publish');
    await waitView(lead, 'kb');
    articleId = Number(lead.url().match(/#\/kb\/(\d+)/)[1]);
    assert.equal(await lead.textContent('main h1'), TITLE);
    assert.match(await lead.textContent('main'), /Draft, only leads and admins see it/);
    const api = await (await lead.request.get(`${base}/api/v1/kb/articles/${articleId}`)).json();
    assert.equal(api.state, 'draft');
    assert.deepEqual(api.tags, ['customers', 'merging']);
    plain(assert, await lead.textContent('main'));
    await t.shot(lead, 'draft');
  });

  await t.step('an agent cannot find or open the draft', async () => {
    agent = await login(t, AGENT);
    await agent.click('#nav a[data-route="kb"]');
    await waitView(agent, 'kb');
    assert.equal(await agent.locator('#kb-write').count(), 0, 'an agent is not offered to write');
    assert.match(await search(agent, 'dupl'), /No article matches/);
    assert.doesNotMatch(await agent.textContent('#kb-articles'), new RegExp(TITLE));
    await agent.goto(`${base}/#/kb/${articleId}`);
    await waitView(agent, 'kb');
    assert.equal(await agent.textContent('main h1'), 'Article not found');
    const r = await agent.request.get(`${base}/api/v1/kb/articles/${articleId}`);
    assert.equal(r.status(), 404);
    plain(assert, await agent.textContent('main'));
  });

  await t.step('the lead publishes it', async () => {
    await lead.click('#kb-publish');
    await lead.waitForSelector('#kb-unpublish');
    assert.match(await lead.textContent('main'), /Published today/);
  });

  await t.step('the agent finds it by the start of a word and by some of the words, and reads it', async () => {
    await agent.goto(`${base}/#/kb`);
    await waitView(agent, 'kb');
    assert.match(await search(agent, 'dupl'), new RegExp(TITLE));
    assert.equal(await agent.locator('#kb-hits mark').first().textContent(), 'duplicate');
    /* "refunds" and "parcel" are in no article about merging: some words are enough */
    const found = await search(agent, 'merging refunds parcel');
    assert.match(found, new RegExp(TITLE));
    plain(assert, await agent.textContent('main'));
    await t.shot(agent, 'search');
    await agent.click(`#kb-hits a[href="#/kb/${articleId}"]`);
    await waitView(agent, 'kb');
    assert.equal(await agent.textContent('main h1'), TITLE);
    assert.match(await agent.textContent('main article'), /history and moments move to the one kept/);
    assert.equal(await agent.locator('#kb-edit').count(), 0);
    plain(assert, await agent.textContent('main'));
    await t.shot(agent, 'article');
  });

  await t.step('and browses to it by its tag', async () => {
    await agent.goto(`${base}/#/kb`);
    await waitView(agent, 'kb');
    await agent.click('#kb-tags button[data-tag="merging"]');
    await agent.waitForFunction(() => /tagged/.test(document.querySelector('#kb-list-h').textContent)
      && document.querySelectorAll('#kb-articles li').length > 0);
    const items = await agent.locator('#kb-articles li').allTextContents();
    assert.equal(items.length, 1);
    assert.match(items[0], new RegExp(TITLE));
    assert.equal(await agent.getAttribute('#kb-tags button[data-tag="merging"]', 'aria-pressed'), 'true');
    await assertLabelled(agent);
    await t.shot(agent, 'browse');
  });
}
