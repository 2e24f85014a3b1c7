/*
 * units.test.mjs - the console's pure helpers, under node's test runner
 * (no browser): the charter target reader, entity decoding of knowledge-base
 * snippets, the metrics readers, and the time formats.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ackTargetSeconds } from '../../web/js/views/queue.js';
import { unescapeHtml } from '../../web/js/views/kb.js';
import { counts, dig } from '../../web/js/views/dashboard.js';
import { fmtDuration, humanize, localToRfc3339, rfc3339ToLocal, pick } from '../../web/js/format.js';
import { setTimeZone } from '../../web/js/i18n.js';
import { ApiError, qs, items } from '../../web/js/api.js';
import { taskState, taskNeedsAttention } from '../../web/js/tasks.js';
import { shorten, labelEvery, chartValue } from '../../web/js/charts.js';

test('the acknowledgement target comes from the charter, in seconds, else 5 minutes', () => {
  assert.equal(ackTargetSeconds({ acknowledge_minutes: 3, first_response_minutes: 15 }), 180);
  assert.equal(ackTargetSeconds({ targets: { acknowledge_seconds: 90 } }), 90);
  assert.equal(ackTargetSeconds({ charter: { max_wait_hours: 1 } }), 3600);
  assert.equal(ackTargetSeconds({ resolution_hours: 24 }), 300);
  assert.equal(ackTargetSeconds(null), 300);
  assert.equal(ackTargetSeconds({ acknowledge_minutes: 0 }), 300);
});

test('snippets are decoded to text, never to markup', () => {
  assert.equal(unescapeHtml('Brake pads &amp; bedding-in &lt;b&gt;'), 'Brake pads & bedding-in <b>');
  assert.equal(unescapeHtml('&quot;x&quot; &#39;y&#39; &#x27;z&#x27;'), '"x" \'y\' \'z\'');
  assert.equal(unescapeHtml('&unknown; &#0; &amp;lt;'), '&unknown; &#0; &lt;');
});

test('metrics readers accept lists and objects of counts', () => {
  assert.deepEqual(counts([{ word: 'quick', count: 3 }, { word: 'kind', count: 1 }]),
    [{ label: 'quick', value: 3 }, { label: 'kind', value: 1 }]);
  assert.deepEqual(counts({ transactional: 8, incremental: 1, note: 'x' }),
    [{ label: 'transactional', value: 8 }, { label: 'incremental', value: 1 }]);
  assert.deepEqual(counts([['a', 2]]), [{ label: 'a', value: 2 }]);
  assert.deepEqual(counts(null), []);
  assert.equal(dig({ wait: { p50_seconds: 12 } }, 'wait.p50', 'wait.p50_seconds'), 12);
  assert.equal(dig({}, 'a.b'), undefined);
});

test('durations, labels and times read as people write them', () => {
  assert.equal(fmtDuration(0), '0 s');
  assert.equal(fmtDuration(75), '1 min 15 s');
  assert.equal(fmtDuration(7260), '2 h 01 min');
  assert.equal(fmtDuration(3 * 86400 + 3600), '3 d 1 h');
  assert.equal(humanize('no_agreement_reason'), 'No agreement reason');
  assert.equal(humanize('encounter.opened'), 'Encounter opened');
  assert.match(localToRfc3339('2026-11-24T09:30'), /^2026-11-2\dT\d\d:30:00Z$/);
  assert.equal(localToRfc3339(''), null);
  assert.equal(pick({ a: '', b: 0 }, 'a', 'b'), 0);
});

test('the API helpers', () => {
  assert.equal(qs({ q: 'a b', limit: 50, cursor: null, x: '' }), '?q=a+b&limit=50');
  assert.equal(qs({}), '');
  assert.deepEqual(items({ items: [1] }), [1]);
  assert.deepEqual(items([2]), [2]);
  assert.deepEqual(items({ results: [3] }, 'results'), [3]);
  assert.equal(new ApiError(404, 'not_found', 'no such endpoint: /x').missingEndpoint, true);
  assert.equal(new ApiError(404, 'not_found', 'no customer with id 4').missingEndpoint, false);
});

test('a message that failed says so, with its attempts and its reason', () => {
  const failed = { status: 'failed', attempts: 3, last_error: 'the receiver answered HTTP 500' };
  assert.equal(taskState(failed), 'Failed after 3 attempts: the receiver answered HTTP 500');
  assert.ok(taskNeedsAttention(failed));
  const retry = { status: 'scheduled', attempts: 1, next_attempt_at: '2027-06-01T09:01:00Z', last_error: 'no answer' };
  assert.match(taskState(retry), /^Tried 1 time, trying again .+: no answer$/);
  assert.ok(taskNeedsAttention(retry));
  const sent = { status: 'sent', attempts: 1, sent_at: '2027-06-01T09:00:00Z' };
  assert.match(taskState(sent), /^Sent /);
  assert.ok(!taskNeedsAttention(sent));
  assert.equal(taskState({ status: 'held', last_error: 'held: no consent' }), 'Held: no consent');
});

test('times are said from now, in words, and lists as a sentence', async () => {
  const { fmtWhen, plainTimes, fmtList } = await import('../../web/js/format.js');
  const now = new Date(2026, 11, 13, 9, 0).getTime(); /* Sun 13 Dec 2026, 09:00 local */
  const at = (d, h, m = 0) => new Date(2026, 11, d, h, m).toISOString();
  assert.equal(fmtWhen(at(15, 10), now), 'in 2 days, Tue 15 Dec 10:00');
  assert.equal(fmtWhen(at(13, 16, 30), now), 'today, 16:30');
  assert.equal(fmtWhen(at(14, 8), now), 'tomorrow, 08:00');
  assert.equal(fmtWhen(at(12, 18, 20), now), 'yesterday, 18:20');
  assert.equal(fmtWhen(at(10, 9, 12), now), '3 days ago, Thu 10 Dec 09:12');
  assert.equal(fmtWhen(new Date(2027, 0, 5, 10).toISOString(), now), 'in 23 days, Tue, 5 Jan 2027 10:00');
  assert.equal(fmtWhen(null, now), '');
  const iso = at(15, 10).replace(/\.\d{3}Z$/, 'Z');
  assert.equal(plainTimes(`Promised: call back (due ${iso})`, now), 'Promised: call back (due in 2 days, Tue 15 Dec 10:00)');
  assert.equal(plainTimes('no time here'), 'no time here');
  assert.equal(fmtList(['respected', 'honest', 'quick']), 'respected, honest and quick');
  assert.equal(fmtList(['kind']), 'kind');
  assert.equal(fmtList([]), '');
});

test('a chart shortens a label between characters, and labels a time axis only where there is room', () => {
  assert.equal(shorten('Transactional', 20), 'Transactional');
  assert.equal(shorten('Disconnected: the call was cut off', 10), 'Disconnec…');
  assert.ok(![...shorten('zürich straße', 5)].some((c) => c === '\ufffd'));
  /* 30 days of "1 Dec" (5 characters, ~53 px each) over 300 px: every 6th */
  assert.equal(labelEvery(30, 5, 300), 6);
  assert.equal(labelEvery(7, 5, 600), 1);
});

test('in German: times, durations, lists and task states in the agent\'s language', async () => {
  const { fmtWhen, fmtList } = await import('../../web/js/format.js');
  const { setLanguage } = await import('../../web/js/i18n.js');
  setLanguage('de');
  try {
    const now = new Date(2026, 11, 13, 9, 0).getTime();
    const at = (d, h, m = 0) => new Date(2026, 11, d, h, m).toISOString();
    assert.equal(fmtWhen(at(15, 10), now), 'in 2 Tagen, Di. 15. Dez., 10:00');
    assert.equal(fmtWhen(at(13, 16, 30), now), 'heute, 16:30');
    assert.equal(fmtWhen(at(14, 8), now), 'morgen, 08:00');
    assert.equal(fmtWhen(at(12, 18, 20), now), 'gestern, 18:20');
    assert.equal(fmtWhen(at(10, 9, 12), now), 'vor 3 Tagen, Do. 10. Dez., 09:12');
    assert.match(fmtWhen(new Date(2027, 0, 5, 10).toISOString(), now), /^in 23 Tagen, Di\. 5\. Jan\. 2027, 10:00$/);
    assert.equal(fmtDuration(75), '1 Min. 15 s');
    assert.equal(fmtDuration(7260), '2 Std. 01 Min.');
    assert.equal(fmtDuration(3 * 86400 + 3600), '3 T. 1 Std.');
    assert.equal(fmtList(['respektvoll', 'ehrlich', 'schnell']), 'respektvoll, ehrlich und schnell');
    assert.equal(taskState({ status: 'failed', attempts: 3, last_error: 'HTTP 500' }), 'Nach 3 Versuchen fehlgeschlagen: HTTP 500');
    assert.equal(taskState({ status: 'held', last_error: 'held: no consent' }), 'Zurückgehalten: no consent');
  } finally {
    setLanguage('en');
  }
});

test('times are shown in the agent\'s time zone, whatever the browser\'s', async () => {
  const { fmtWhen, fmtTime } = await import('../../web/js/format.js');
  const { setTimeZone } = await import('../../web/js/i18n.js');
  const now = Date.UTC(2026, 11, 13, 0, 0); /* 09:00 in Tokyo, 19:00 the day before in New York */
  try {
    setTimeZone('Asia/Tokyo');
    assert.equal(fmtWhen('2026-12-13T15:30:00Z', now), 'tomorrow, 00:30');
    assert.equal(fmtWhen('2026-12-12T23:00:00Z', now), 'today, 08:00');
    assert.match(fmtTime('2026-12-13T15:30:00Z'), /14 Dec 2026, 00:30/);
    setTimeZone('America/New_York');
    assert.equal(fmtWhen('2026-12-13T15:30:00Z', now), 'tomorrow, 10:30');
    assert.equal(fmtWhen('2026-12-12T23:00:00Z', now), 'today, 18:00');
    assert.equal(setTimeZone('Mars/Olympus'), null); /* an unknown zone: the browser's */
  } finally {
    setTimeZone(null);
  }
});

test('a refusal is said in the agent\'s language with what to do next; the server\'s words are kept', async () => {
  const { setLanguage } = await import('../../web/js/i18n.js');
  const tooLong = new ApiError(422, 'invalid', 'name is 201 characters long; at most 200 are allowed', 'name',
    { reason: 'too_long', limit: 200 });
  assert.equal(tooLong.message, 'Shorten the name to at most 200 characters.');
  assert.equal(tooLong.serverMessage, 'name is 201 characters long; at most 200 are allowed');
  assert.equal(tooLong.field, 'name');
  assert.equal(new ApiError(422, 'invalid', 'email is required', 'email', { reason: 'required' }).message,
    'Fill in the email address.');
  /* no reason: a sentence for the code, and the server's own words */
  assert.equal(new ApiError(422, 'invalid', 'time_zone "X" is not a zone', 'time_zone').message,
    'Check the time zone and try again. The server said: time_zone "X" is not a zone');
  assert.equal(new ApiError(403, 'csrf', 'needs X-CSRF-Token').message, 'This page is out of date. Reload it and try again.');
  assert.match(new ApiError(418, 'http_418', '').message, /error 418/);
  setLanguage('de');
  try {
    assert.equal(new ApiError(422, 'invalid', 'x', 'email', { reason: 'not_an_email' }).message,
      'Geben Sie für die E-Mail-Adresse eine gültige E-Mail-Adresse ein.');
    assert.equal(new ApiError(422, 'invalid', 'x', 'subject', { reason: 'too_long', limit: 200 }).message,
      'Kürzen Sie den Betreff auf höchstens 200 Zeichen.');
    assert.equal(new ApiError(503, 'busy', 'the database is busy').message,
      'Der Server ist ausgelastet. Versuchen Sie es gleich noch einmal.');
    assert.equal(new ApiError(409, 'conflict', 'already closed').message,
      'Das ist im jetzigen Zustand nicht möglich. Laden Sie die Seite neu, um zu sehen, was sich geändert hat. Der Server meldete: already closed');
  } finally {
    setLanguage('en');
  }
});

test('a time typed in a date-time field is the agent\'s wall clock in their zone, whatever the computer\'s', () => {
  try {
    setTimeZone('Europe/Madrid');
    assert.equal(localToRfc3339('2026-11-24T09:30'), '2026-11-24T08:30:00Z'); /* winter: UTC+1 */
    assert.equal(localToRfc3339('2026-07-01T09:30'), '2026-07-01T07:30:00Z'); /* summer: UTC+2 */
    assert.equal(localToRfc3339('2026-10-25T12:00'), '2026-10-25T11:00:00Z'); /* the day summer time ends */
    assert.equal(rfc3339ToLocal('2026-11-24T08:30:00Z'), '2026-11-24T09:30');
    assert.equal(rfc3339ToLocal('2026-07-01T07:30:00Z'), '2026-07-01T09:30');
    setTimeZone('Asia/Tokyo');
    assert.equal(localToRfc3339('2026-11-24T09:30'), '2026-11-24T00:30:00Z');
    assert.equal(rfc3339ToLocal(localToRfc3339('2026-12-31T23:59')), '2026-12-31T23:59');
    assert.equal(localToRfc3339('24.11.2026 09:30'), null);
    assert.equal(localToRfc3339(null), null);
    assert.equal(rfc3339ToLocal('not a time'), '');
  } finally {
    setTimeZone(null);
  }
});

test('chart values and shares are written in the agent\'s language', async () => {
  const { setLanguage } = await import('../../web/js/i18n.js');
  const { fmtNumber, fmtPercent } = await import('../../web/js/format.js');
  try {
    setLanguage('en');
    assert.equal(chartValue(1234.5), '1,234.5');
    assert.equal(chartValue(0.12, { percent: true }), '12%');
    assert.equal(fmtPercent(37), '37%');
    setLanguage('de');
    assert.equal(chartValue(1234.5), '1.234,5');
    assert.equal(chartValue(4.25), '4,3');
    assert.equal(chartValue(0.12, { percent: true }).replace(/\u00a0/g, ' '), '12 %');
    assert.equal(fmtNumber(1000000), '1.000.000');
    assert.equal(fmtNumber(null), '');
  } finally {
    setLanguage('en');
  }
});

/* The reasons rapportd can give for a refusal (docs/openapi.json, the Error
 * schema, written from src/base/error.c's list by scripts/gen-api-docs). */
async function serverReasons() {
  const { readFileSync } = await import('node:fs');
  const doc = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
  return doc.components.schemas.Error.properties.error.properties.reason.enum;
}

test('every reason the server can give for a refusal is said in English and German', async () => {
  const { reasonMessage, errorMessage } = await import('../../web/js/errors.js');
  const { setLanguage } = await import('../../web/js/i18n.js');
  const reasons = await serverReasons();
  assert.ok(reasons.length >= 40, 'the server lists its reasons');
  try {
    for (const reason of reasons) {
      const e = { code: 'conflict', reason, field: 'name', limit: 5, message: 'the server’s English' };
      setLanguage('en');
      const en = reasonMessage(e, 'the name');
      assert.ok(en, `no English words for the reason ${reason}`);
      assert.ok(!en.includes('{'), `${reason}: ${en}`);
      setLanguage('de');
      const de = reasonMessage(e, 'den Namen');
      assert.ok(de && de !== en, `no German words for the reason ${reason}`);
      assert.ok(!de.includes('{'), `${reason}: ${de}`);
      /* the refusal shows those words, not the generic sentence with the server's English */
      assert.equal(errorMessage(409, e), reasonMessage(e, 'den Namen'));
      assert.ok(!errorMessage(422, { ...e, code: 'invalid' }).includes('the server’s English'));
    }
  } finally {
    setLanguage('en');
  }
});

test('every reason named in the server\'s source is one it lists', async () => {
  const { readFileSync, readdirSync, statSync } = await import('node:fs');
  const root = new URL('../../src/', import.meta.url).pathname;
  const walk = (d) => readdirSync(d).flatMap((f) => (statSync(d + f).isDirectory() ? walk(`${d}${f}/`) : f.endsWith('.c') ? [d + f] : []));
  const listed = new Set(await serverReasons());
  const named = new Set();
  for (const file of walk(root)) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/rp_error_(?:because\([^,;]+,|refuse\([^,;]+,[^,;]+,[^,;]+,)\s*"(\w*)"/g)) named.add(m[1]);
  }
  assert.ok(named.size >= 30);
  assert.deepEqual([...named].filter((r) => !listed.has(r)), []);
});

test('the rules\' reasons for a kind or an exchange are said in the agent\'s language', async () => {
  const { ruleWords } = await import('../../web/js/views/records.js');
  const { setLanguage } = await import('../../web/js/i18n.js');
  try {
    setLanguage('de');
    assert.equal(ruleWords('a follow-up was scheduled'), 'ein Nachfassen wurde geplant');
    assert.equal(ruleWords('the customer asked for “navy socks” and nothing more was explored: what they want'),
      'der Kunde hat nach „navy socks“ gefragt, und mehr wurde nicht erkundet: was er möchte'.replace('„navy socks“', '“navy socks”'));
    assert.equal(ruleWords('2 preferences of the customer were captured: how they want it'), '2 Präferenzen des Kunden wurden erfasst: wie er es möchte');
    assert.match(ruleWords('a goal was noted (“run a marathon”) but nothing was scheduled, promised or bridged toward it; the customer asked for more information'),
      /^ein Ziel wurde notiert \(“run a marathon”\), aber .*; der Kunde hat um weitere Informationen gebeten$/);
    assert.equal(ruleWords('something new'), 'something new');
    setLanguage('en');
    assert.equal(ruleWords('a contract was made'), 'a contract was made');
  } finally {
    setLanguage('en');
  }
});

/* The kinds of moment rapportd can record (docs/openapi.json, the Moment
 * schema, written from src/core/customer/moment.c's rp_moment_kinds). */
async function serverMomentKinds() {
  const { readFileSync } = await import('node:fs');
  const doc = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
  return doc.components.schemas.Moment.properties.kind.enum;
}

/* One moment of each kind, with the parameters the server records for it
 * (its summary is the English the console must not show). */
const MOMENT_SAMPLES = {
  'customer.created': { name: 'Ana Souza' },
  'customer.updated': { fields: ['phones', 'notes'] },
  'customer.merged': { merged_id: 7, merged_name: 'A. Souza', reason: 'same person' },
  'customer.erasure_requested': { requested_by: 'Ana Souza' },
  'customer.erased': { requested_by: 'Ana Souza', erased_by: 'Lee' },
  'profile.changed': { kind: 'preferences', action: 'recorded', item: { key: 'colour', value: 'navy', firmness: 'firm' } },
  'consent.changed': { kind: 'consents', action: 'changed', item: { purpose: 'offers', granted: false } },
  'relationship.changed': { previous_level: 'transactional', level: 'incremental', reasons: [{ rule: 'three_closed_encounters', why: 'x' }] },
  'encounter.opened': { subject: 'Brakes squeal', waited_seconds: 300 },
  'encounter.routed': { queue: 'Workshop', agent: 'Lee', agent_id: 2, by: 'topic' },
  'encounter.acknowledged': { wait_seconds: 75, greeted_as: 'Ana' },
  'encounter.understood': { stage: 'understood' },
  'encounter.helped': { stage: 'helped', facts: 'squeal at low speed' },
  'encounter.kept': { stage: 'kept', agreement: 'new pads on Friday' },
  'encounter.closed': { stage: 'closed', kind: 'how', exchange: 'quick', satisfaction: 'skipped', loyalty: { tier: 'Gold', discount_percent: 5 } },
  'encounter.abandoned': { stage: 'received', waited_seconds: 1800, reason: 'hung up' },
  'encounter.reopened': { after: 'closed' },
  'encounter.taken': { agent: 'Lee', previous_agent: null },
  'encounter.assigned': { agent: 'Lee', previous_agent: 'Mia', reason: 'knows brakes' },
  'encounter.transferred': { reason: 'needs a mechanic' },
  'encounter.recorded': { fields: ['facts', 'feelings'] },
  'defect.recorded': { defect_kind: 'long_wait', cause: 'one agent on shift' },
  'special_request.granted': { description: 'a courtesy car' },
  'special_request.declined': { description: 'a courtesy car', decline_reason: 'none left' },
  'promise.made': { what: 'call back', due_at: '2026-12-15T10:00:00Z' },
  'promise.kept': { what: 'call back' },
  'promise.broken': { what: 'call back' },
  'charter.breached': { target: 'acknowledge', target_seconds: 300, over_by_seconds: 60, business_hours: true },
  'follow_up.scheduled': { subject: 'Check the brakes', due_at: '2026-12-15T10:00:00Z' },
  'follow_up.moved': { due_at: 1797328800, previous_due_at: 1797242400, reason: 'away' },
  'follow_up.done': { subject: 'Check the brakes', note: 'all good' },
  'satisfaction.scheduled': { due_at: '2026-12-15T10:00:00Z', next_day: true },
  'satisfaction.answered': { score: 5, words: ['quick'] },
  'satisfaction_check.moved': { due_at: 1797328800 },
  'satisfaction_check.done': { subject: 'How did we do?' },
  'reminder.done': { subject: 'Your appointment' },
  'renewal_notice.done': { subject: 'Your policy' },
  'keep_in_touch.done': { subject: 'Hello again' },
  'task.sent': { task_kind: 'reminder', via: 'email', subject: 'Your appointment' },
  'message.received': { excerpt: 'Hello' },
  'message.replied': { excerpt: 'Hello', first_response: true },
  'message.noted': { excerpt: 'call her back' },
  'message.failed': { failure: 'bounced', reason: 'mailbox full' },
  'offer.shown': { products: ['Brake pads', 'Wipers'] },
  'offer.accepted': { product: 'Brake pads' },
  'offer.declined': { product: 'Wipers', reason: 'not now' },
  'kb.feedback': { title: 'Squealing brakes', helped: true },
  'export.requested': { granted: false },
  'export.approved': { granted: true },
  'retention.messages_blanked': { count: 3, months: 24 },
  'retention.attachments_dropped': { count: 1, months: 12 },
};

test('every kind of moment the server can record is said in English and German, never with the stored English', async () => {
  const { momentSentence, MOMENT_SENTENCES } = await import('../../web/js/views/moment_words.js');
  const { hasMomentLabel, momentLabel } = await import('../../web/js/views/customer_labels.js');
  const { setLanguage } = await import('../../web/js/i18n.js');
  const kinds = await serverMomentKinds();
  assert.ok(kinds.length >= 45, 'the server lists its kinds of moment');
  assert.deepEqual(kinds.filter((k) => !Object.hasOwn(MOMENT_SENTENCES, k)), [], 'kinds without a sentence in moment_words.js');
  assert.deepEqual(kinds.filter((k) => !hasMomentLabel(k)), [], 'kinds without a label in customer_labels.js');
  assert.deepEqual(kinds.filter((k) => !MOMENT_SAMPLES[k]), [], 'kinds without a sample here');
  const summary = 'THE STORED ENGLISH SUMMARY';
  try {
    for (const kind of kinds) {
      const m = { kind, channel: 'email', summary, detail: MOMENT_SAMPLES[kind] };
      setLanguage('en');
      const en = momentSentence(m);
      assert.ok(en && !en.includes(summary) && !en.includes('{'), `${kind}: ${en}`);
      assert.ok(!/\d{4}-\d\d-\d\dT/.test(en), `${kind} shows an ISO time: ${en}`);
      setLanguage('de');
      const de = momentSentence(m);
      assert.ok(de && !de.includes(summary) && !de.includes('{'), `${kind}: ${de}`);
      assert.notEqual(de, en, `${kind} is not said in German: ${de}`);
      assert.notEqual(momentLabel(kind), 'Moment', kind);
    }
    /* an older moment without its parameters, or a kind unknown here, keeps the summary */
    setLanguage('de');
    assert.equal(momentSentence({ kind: 'encounter.taken', summary: 'Taken by Lee', detail: { agent_id: 2 } }), 'Taken by Lee');
    assert.equal(momentSentence({ kind: 'something.new', summary: 'Something new', detail: { x: 1 } }), 'Something new');
    assert.equal(momentSentence({ kind: 'encounter.taken', summary: 'x', erased_at: '2026-01-01T00:00:00Z', detail: null }),
      'Die Einzelheiten dieses Moments wurden gelöscht.');
  } finally {
    setLanguage('en');
  }
});

test('every kind of moment written in the server\'s source is one it lists', async () => {
  const { readFileSync, readdirSync, statSync } = await import('node:fs');
  const root = new URL('../../src/core/', import.meta.url).pathname;
  const walk = (d) => readdirSync(d).flatMap((f) => (statSync(d + f).isDirectory() ? walk(`${d}${f}/`) : f.endsWith('.c') ? [d + f] : []));
  const listed = new Set(await serverMomentKinds());
  const named = new Set();
  for (const file of walk(root)) {
    const src = readFileSync(file, 'utf8');
    /* the kinds given to a moment: `.kind = ... "a.b"` in an rp_moment, and
     * the kind argument of the helpers that write one */
    for (const block of src.matchAll(/rp_moment \w+ = \{([\s\S]*?)\};/g)) {
      const k = /\.kind\s*=([^,]*(?:\?[^,]*)?),/.exec(block[1]);
      if (k) for (const s of k[1].matchAll(/"(\w+\.\w+)"/g)) named.add(s[1]);
    }
    for (const m of src.matchAll(/(?:moment_for|add_child|add_child_then|add_task|record_moment)\([^;]*?"(\w+\.\w+)"/g)) named.add(m[1]);
  }
  assert.ok(named.size >= 30, `found ${named.size}`);
  assert.deepEqual([...named].filter((k) => !listed.has(k)), []);
});
