/*
 * catalogue.test.mjs - the console's message catalogues are complete
 * (node's test runner, no browser).
 *
 * Reads every t('…') and tn(n, '…', '…') call in web/js (and every
 * data-i18n text in web/index.html) and checks that each English message
 * has a German entry, that no German entry is left that nothing uses, that
 * a German text keeps the {names} of its English key, and that t() and tn()
 * are called with a literal message (a message made at run time could not
 * be checked, or translated).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { t, tn, setLanguage, supported, catalogues } from '../../web/js/i18n.js';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'messages' ? [] : files(p);
    return p.endsWith('.js') ? [p] : [];
  });
}

/* A JavaScript string literal at the start of s: [value, length] or null. */
function literal(s) {
  const m = /^\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\$]|\\.|\$(?!\{))*)`)/.exec(s);
  if (!m) return null;
  const raw = m[1] ?? m[2] ?? m[3];
  return [raw.replace(/\\(.)/g, (x, c) => ({ n: '\n', t: '\t' }[c] ?? c)), m[0].length];
}

/* Every message used: { text -> [where] }, and calls whose message is not a literal. */
function usedMessages() {
  const used = new Map();
  const dynamic = [];
  const add = (text, where) => used.set(text, [...(used.get(text) || []), where]);
  for (const file of files(join(WEB, 'js'))) {
    if (file.endsWith('i18n.js')) continue;
    const src = readFileSync(file, 'utf8');
    const where = relative(WEB, file);
    for (const m of src.matchAll(/\b(tn?)\(/g)) {
      if (/[\w.$]/.test(src[m.index - 1] || '')) continue; /* x.t(, format( … */
      let rest = src.slice(m.index + m[0].length);
      if (m[1] === 'tn') {
        const comma = rest.indexOf(',');
        rest = rest.slice(comma + 1);
        const one = literal(rest);
        if (!one) { dynamic.push(`${where}: tn(${rest.slice(0, 40)}`); continue; }
        add(one[0], where);
        rest = rest.slice(one[1]).replace(/^\s*,/, '');
        const other = literal(rest);
        if (!other) { dynamic.push(`${where}: tn(…, ${rest.slice(0, 40)}`); continue; }
        add(other[0], where);
      } else {
        const one = literal(rest);
        if (!one) { dynamic.push(`${where}: t(${rest.slice(0, 40)}`); continue; }
        add(one[0], where);
      }
    }
  }
  const html = readFileSync(join(WEB, 'index.html'), 'utf8');
  for (const m of html.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]*)"/g)) add(m[1].replace(/&amp;/g, '&'), 'index.html');
  return { used, dynamic };
}

const names = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every message of the console is a literal, so it can be translated', () => {
  const { dynamic } = usedMessages();
  assert.deepEqual(dynamic, [], 't() and tn() take the English text itself');
});

for (const [lang, cat] of Object.entries(catalogues())) {
  if (!cat) continue;
  test(`the ${lang} catalogue has every message the console uses, and only those`, () => {
    const { used } = usedMessages();
    const missing = [...used.keys()].filter((k) => !Object.prototype.hasOwnProperty.call(cat, k));
    assert.deepEqual(missing.map((k) => `${k}  (${used.get(k)[0]})`), [], `${missing.length} messages have no ${lang} text`);
    const unused = Object.keys(cat).filter((k) => !used.has(k));
    assert.deepEqual(unused, [], `${unused.length} ${lang} entries are used nowhere`);
  });
  test(`the ${lang} catalogue names each message once`, () => {
    /* a repeated key in an object literal is legal JavaScript, and the last
     * one silently wins: two texts for one message would be one lost */
    const src = readFileSync(join(WEB, 'js', 'messages', `${lang}.js`), 'utf8');
    const seen = new Map();
    const twice = [];
    for (const line of src.split('\n')) {
      const m = /^\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*:/.exec(line);
      if (!m) continue;
      const key = new Function(`return ${m[1]};`)();
      if (seen.has(key)) twice.push(key);
      seen.set(key, true);
    }
    assert.deepEqual(twice, [], `${twice.length} messages are listed more than once`);
  });
  test(`the ${lang} texts keep their message's {names}`, () => {
    const wrong = Object.entries(cat).filter(([en, x]) => names(en).join() !== names(x).join());
    assert.deepEqual(wrong, []);
    const empty = Object.entries(cat).filter(([, x]) => typeof x !== 'string' || !x.trim());
    assert.deepEqual(empty, []);
  });
}

test('t() and tn() fill values by name and choose the plural', () => {
  setLanguage('en');
  assert.equal(t('{who} took it', { who: 'Ana' }), 'Ana took it');
  assert.equal(t('{missing} stays'), '{missing} stays');
  assert.equal(tn(1, '{n} encounter', '{n} encounters'), '1 encounter');
  assert.equal(tn(1500, '{n} encounter', '{n} encounters'), '1,500 encounters');
  assert.equal(supported('de-AT'), 'de');
  assert.equal(supported('fr'), null);
  assert.equal(setLanguage('xx'), 'en');
});
