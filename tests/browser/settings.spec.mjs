/*
 * settings.spec.mjs - "Your settings": the agent reaches them from their
 * name in the header, chooses Deutsch and a time zone, and the console
 * speaks German at once (the shell and the page), shows the times in that
 * zone, says a refusal in German with what to do next, keeps the choice
 * over a reload (it is kept on the server), and goes back to English.
 * A browser whose language is German gets German before any choice.
 */
import { waitView, assertLabelled, enter, hasLogin } from './lib.mjs';

export default async function (t) {
  const { assert, base } = t;
  if (!(await hasLogin(base))) return;
  const context = await t.browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
  const page = await t.newPage({ context });

  await t.step('the agent\'s name leads to their settings, in English at first', async () => {
    await enter(t, page);
    await page.click('#who');
    await waitView(page, 'settings');
    assert.equal(await page.textContent('main h1'), 'Your settings');
    await assertLabelled(page);
    assert.equal(await page.inputValue('#settings-language'), '');
    const names = await page.locator('#settings-language option').allTextContents();
    assert.ok(names.includes('English') && names.includes('Deutsch'), names.join());
    assert.ok(await page.locator('#settings-time-zone option[value="Asia/Tokyo"]').count());
  });

  await t.step('choosing Deutsch and Tokyo applies at once', async () => {
    await page.selectOption('#settings-language', 'de');
    await page.selectOption('#settings-time-zone', 'Asia/Tokyo');
    await page.click('main button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Ihre Einstellungen');
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    assert.equal(await page.textContent('#nav a[data-route="work"]'), 'Arbeit');
    assert.equal(await page.textContent('#logout'), 'Abmelden');
    assert.equal(await page.getAttribute('#nav', 'aria-label'), 'Hauptnavigation');
    assert.equal(await page.inputValue('#settings-language'), 'de');
    assert.equal(await page.inputValue('#settings-time-zone'), 'Asia/Tokyo');
    await t.shot(page, 'settings-de');
  });

  await t.step('the choice is kept on the server: a reload still speaks German, times in Tokyo', async () => {
    await page.reload();
    await waitView(page, 'settings');
    assert.equal(await page.textContent('#nav a[data-route="customers"]'), 'Kunden');
    const shown = await page.evaluate(async () => {
      const f = await import('/js/format.js');
      return f.fmtWhen('2026-12-13T15:30:00Z', Date.UTC(2026, 11, 13, 0, 0));
    });
    assert.equal(shown, 'morgen, 00:30');
  });

  await t.step('a refusal is said in German with what to do next', async () => {
    const message = await page.evaluate(async () => {
      const api = await import('/js/api.js');
      try { await api.saveSettings({ time_zone: 'Mars/Olympus_Mons' }); return 'accepted'; } catch (e) { return `${e.message}|${e.serverMessage}|${e.field}`; }
    });
    const [said, server, field] = message.split('|');
    assert.match(said, /Zeitzone/);
    assert.ok(!/time_zone/.test(said), said);
    assert.match(server, /time_zone/);
    assert.equal(field, 'time_zone');
  });

  await t.step('back to English, as the browser', async () => {
    await page.selectOption('#settings-language', '');
    await page.selectOption('#settings-time-zone', '');
    await page.click('main button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Your settings');
    assert.equal(await page.textContent('#nav a[data-route="work"]'), 'Work');
  });
  await context.close();

  await t.step('a German browser gets German before any choice', async () => {
    const de = await t.browser.newContext({ viewport: { width: 390, height: 800 }, locale: 'de-DE' });
    const p = await t.newPage({ context: de });
    await p.goto(`${base}/#/queue`);
    await waitView(p, 'login');
    assert.equal(await p.textContent('main h1'), 'Bei rapport anmelden');
    await p.getByLabel('E-Mail').fill(t.credentials.email);
    await p.getByLabel('Passwort').fill(t.credentials.password);
    await p.getByRole('button', { name: 'Anmelden' }).click();
    await waitView(p, 'queue');
    assert.equal(await p.textContent('#nav a[data-route="followups"]'), 'Nachfassen');
    assert.equal(await p.textContent('#skip-link'), 'Zum Inhalt springen');
    await de.close();
  });
}
