/*
 * records.spec.mjs - the encounter shows everything it recorded and lets
 * the agent record it; the customer is editable where shown.
 *
 * An agent records "navy only" as a firm preference and a goal on a
 * customer, changes a consent and sees who changed it and when; opens the
 * call that was cut off after 30 minutes (the demo's story 5) and sees it
 * said as it was (abandoned after 30 min, the stages it never reached as
 * not reached, the wait clock stopped, no greeting), records a defect and
 * the apology on it; overrides an encounter's kind with a reason (refused
 * without one); declines a special request with a reason (refused
 * without one); and reads a timeline with no raw times in it.
 */
import { waitView, assertLabelled, enter, cli } from './lib.mjs';

export default async function (t) {
  const { assert, base } = t;
  const opts = { rapport: t.rapport, db: t.server.db };
  const page = await t.newPage();
  const json = (path) => page.evaluate(async (p) => (await fetch(p, { headers: { Accept: 'application/json' } })).json(), path);
  const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d/;

  await t.step('log in', async () => { await enter(t, page); });

  const max = (await json('/api/v1/customers?q=Max&limit=5')).items.find((c) => c.preferred_name === 'Max');
  assert.ok(max, 'the demo has Max');

  await t.step('a firm preference, a goal and the details, recorded on the customer page', async () => {
    await page.goto(`${base}/#/customers/${max.id}`);
    await waitView(page, 'customer');
    await assertLabelled(page);
    await page.fill('#new-pref-key', 'shirt colour');
    await page.fill('#new-pref-value', 'navy only');
    await page.selectOption('#new-pref-firmness', 'firm');
    await page.click('#preference-form button[type="submit"]');
    await page.waitForSelector('#p-preferences-status:has-text("recorded")');
    const pref = page.locator('#preference-list li[data-key="shirt colour"]');
    assert.match(await pref.textContent(), /Shirt colour: navy only firm/);
    const prefs = await json(`/api/v1/customers/${max.id}/preferences`);
    assert.equal(prefs.items.find((p) => p.key === 'shirt colour').firmness, 'firm');

    /* a preference without what it is about is refused next to that field */
    await page.fill('#new-pref-value', 'slim fit');
    await page.click('#preference-form button[type="submit"]');
    const refusal = page.locator('#preference-form [data-field~="key"] .field-error');
    await refusal.waitFor();
    assert.ok((await refusal.textContent()).length > 5);

    await page.fill('#new-goal-title', 'Look sharp at his daughter’s wedding');
    await page.fill('#new-goal-tags', 'suit, wedding');
    await page.click('#goal-form button[type="submit"]');
    await page.waitForSelector('#goal-list:has-text("Look sharp at his daughter’s wedding")');
    assert.match(await page.textContent('#goal-list'), /Working toward it · about suit and wedding/);

    await page.click('#p-details summary');
    await page.fill('#edit-notes', 'Prefers a call after 17:00');
    await page.click('#details-form button[type="submit"]');
    await page.waitForSelector('#details:has-text("Prefers a call after 17:00")');
  });

  await t.step('a consent changed, with who changed it and when', async () => {
    const item = page.locator('#consent-reminders');
    assert.match(await item.locator('.consent-state').textContent(), /Not asked yet|Agreed|Withdrawn/);
    const before = (await item.locator('.consent-state').textContent()).trim();
    await item.locator('input[type="text"]').fill('on the phone');
    await item.locator('button[type="submit"]').click();
    await page.waitForSelector('#p-consents-status:has-text("Reminders")');
    const after = page.locator('#consent-reminders');
    const state = (await after.locator('.consent-state').textContent()).trim();
    assert.notEqual(state, before);
    const who = await after.locator('.consent-who').textContent();
    assert.match(who, /Changed today, \d\d:\d\d by Ada Byron; how: on the phone\./);
    assert.doesNotMatch(who, ISO);
    await t.shot(page, 'customer-profile');
  });

  await t.step('the timeline says times in words', async () => {
    const text = await page.textContent('#timeline');
    assert.doesNotMatch(text, ISO);
    assert.doesNotMatch(text, /\(null\)|_/);
  });

  const encounters = (await json('/api/v1/encounters?limit=50')).items;
  const cut = encounters.find((e) => e.stage === 'abandoned');
  assert.ok(cut, 'the demo has the call that was cut off');

  await t.step('an abandoned call is shown as what it is', async () => {
    await page.goto(`${base}/#/encounters/${cut.id}`);
    await waitView(page, 'encounter');
    assert.match(await page.textContent('main h1'), /^Abandoned: /);
    assert.doesNotMatch(await page.textContent('main h1'), /Good (morning|afternoon|evening)|Hello/);
    assert.match(await page.textContent('#abandoned'), /The customer gave up (today|yesterday), \d\d:\d\d, after 30 min\./);
    const states = await page.$$eval('#stages li', (lis) => lis.map((li) => [li.dataset.stage, li.dataset.state, li.textContent]));
    assert.deepEqual(states.map(([s, st]) => [s, st]), [
      ['received', 'gave-up'], ['understood', 'not-reached'], ['helped', 'not-reached'],
      ['kept', 'not-reached'], ['closed', 'not-reached']]);
    assert.equal(states[4][2], 'Closed');
    assert.equal(await page.$eval('#stages li[data-stage="closed"]', (li) => li.dataset.said), 'not reached');
    assert.match(await page.$eval('#stages li[data-stage="closed"]', (li) => getComputedStyle(li, '::after').content),
      /^" · " attr\(data-said\)$|^" · not reached"$/);
    /* the wait clock stopped where the measures stop it */
    const wait = await page.textContent('#encounter-wait');
    assert.equal(wait, 'waited 30 min 00 s');
    await page.waitForTimeout(1500);
    assert.equal(await page.textContent('#encounter-wait'), wait);
    assert.match(await page.textContent('#stage-helped summary'), /not reached/);
  });

  await t.step('a defect and the apology recorded on the abandoned call', async () => {
    await page.selectOption('#defect-kind', 'long_wait');
    await page.fill('#defect-cause', 'One agent on the phones at lunchtime');
    await page.click('#record-defect');
    await page.waitForSelector('#defect-list:has-text("One agent on the phones at lunchtime")');
    assert.match(await page.textContent('#defect-list'), /A long wait: One agent on the phones at lunchtime/);
    assert.match(await page.textContent('#apology-state'), /owed and has not been given/);
    assert.match(await page.textContent('#apology'), /the fault was still ours/);
    await page.click('#apology-given');
    await page.waitForSelector('#apology-state:has-text("We apologised to the customer.")');
    /* still abandoned, still saying so */
    assert.match(await page.textContent('main h1'), /^Abandoned: /);
    const e = await json(`/api/v1/encounters/${cut.id}`);
    assert.equal(e.apology_given, true);
    assert.equal(e.stage, 'abandoned');
    await assertLabelled(page);
    await t.shot(page, 'encounter-abandoned');
    await page.goto(`${base}/#/customers/${cut.customer_id}`);
    await waitView(page, 'customer');
    const timeline = await page.textContent('#timeline');
    assert.match(timeline, /Apologised to the customer/);
    assert.match(timeline, /Service breakdown \(a long wait\): One agent on the phones at lunchtime/);
  });

  let open;
  await t.step('an encounter opened for Max', async () => {
    const r = cli(opts, ['encounter', 'open', '--json', '--customer', String(max.id), '--channel', 'in_person', '--subject', 'A shirt to go with the suit']);
    assert.equal(r.status, 0, r.stderr);
    open = JSON.parse(r.stdout).id;
    await page.goto(`${base}/#/encounters/${open}`);
    await waitView(page, 'encounter');
    assert.match(await page.textContent('main h1'), /Max/);
    assert.match(await page.textContent('#encounter-kind'), /Kind so far: what — the rules say so because/);
  });

  await t.step('the kind overridden, with a reason', async () => {
    await page.click('#override-kind-box summary');
    await page.selectOption('#override-kind', 'become');
    await page.click('#override-kind-save');
    const refusal = page.locator('#judged .field-error');
    await refusal.waitFor();
    assert.match(await refusal.textContent(), /Say why the kind is become/);
    await page.fill('#override-kind-why', 'He is dressing for his new job, not only buying a shirt');
    await page.click('#override-kind-save');
    await page.waitForSelector('#encounter-kind:has-text("Kind: become")');
    assert.match(await page.textContent('#encounter-kind'),
      /Kind: become — set by the agent: He is dressing for his new job, not only buying a shirt/);
    const e = await json(`/api/v1/encounters/${open}`);
    assert.equal(e.kind_source, 'agent');
    assert.equal(e.kind_override_reason, 'He is dressing for his new job, not only buying a shirt');
  });

  await t.step('a special request declined, with a reason', async () => {
    await page.fill('#request-description', 'Deliver it at 6 in the morning');
    await page.check('#request-declined');
    await page.click('#record-request');
    const refusal = page.locator('#special-requests [data-field~="decline_reason"] .field-error');
    await refusal.waitFor();
    assert.match(await refusal.textContent(), /^Fill in the reason for declining\.$/);
    await page.fill('#request-description', 'Deliver it at 6 in the morning');
    await page.check('#request-declined');
    await page.fill('#request-reason', 'Our driver starts at 8');
    await page.click('#record-request');
    await page.waitForSelector('#request-list:has-text("Deliver it at 6 in the morning")');
    assert.match(await page.textContent('#request-list'), /Declined: Deliver it at 6 in the morning — why: Our driver starts at 8/);
  });

  await t.step('a promise reads in words, and the goal heard is offered to the profile', async () => {
    await page.click('#stage-helped summary');
    await page.fill('#promise-what', 'Call when the shirt is in');
    const due = new Date(Date.now() + 2 * 86400000);
    due.setHours(10, 0, 0, 0);
    const local = new Date(due.getTime() - due.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    await page.fill('#promise-due', local);
    await page.click('#add-promise');
    await page.waitForSelector('#promise-list:has-text("Call when the shirt is in")');
    assert.match(await page.textContent('#promise-list'), /Call when the shirt is in — due in 2 days, \w{3} \d{1,2} \w{3} 10:00 · open/);
    await page.click('#stage-understood summary');
    await page.fill('#f-goal', 'Dress well for the new job');
    await page.fill('#f-preferences_captured', 'collar: button-down');
    await page.click('#form-understood button[type="submit"]');
    await page.waitForSelector('#keep-goal');
    await page.click('#keep-goal');
    await page.waitForSelector('#goal-kept');
    await page.waitForSelector('#keep-pref-0');
    await page.selectOption('#pref-firmness-0', 'firm');
    await page.click('#keep-pref-0');
    await page.waitForSelector('#preferences-offer:has-text("is in the profile (firm)")');
    const goals = await json(`/api/v1/customers/${max.id}/goals`);
    assert.ok(goals.items.some((g) => g.title === 'Dress well for the new job' && g.encounter_id === open));
    const prefs = await json(`/api/v1/customers/${max.id}/preferences`);
    assert.ok(prefs.items.some((p) => p.key === 'collar' && p.value === 'button-down' && p.firmness === 'firm'));
    await t.shot(page, 'encounter-open');
  });
}
