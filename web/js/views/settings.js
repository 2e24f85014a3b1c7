/*
 * settings.js - "Your settings": the agent chooses the console's language
 * and the time zone their times are shown in (PATCH /api/v1/session).
 *
 * Each language is named in itself (English, Deutsch), so an agent who
 * cannot read the current one still finds theirs.  The zones are the
 * browser's list of IANA zones, the browser's own offered first; "as my
 * browser" keeps no setting (null), so the console follows the browser
 * wherever the agent signs in.  Saving applies at once: the shell and this
 * page are drawn again in the new language.  A console without login
 * ("open" mode) has no agent to keep settings for, so it has no page.
 */
import * as api from '../api.js';
import { h, field, announce } from '../dom.js';
import { t, LANGUAGES } from '../i18n.js';

/* The zones the browser knows, or only its own when it cannot list them. */
function zones(own) {
  let all = [];
  try { all = Intl.supportedValuesOf('timeZone'); } catch { all = []; }
  if (own && !all.includes(own)) all = [own, ...all];
  return all;
}

export function render(main, _params, app) {
  const s = app.session;
  main.append(h('h1', {}, t('Your settings')));
  if (!s || s.mode !== 'auth' || !s.agent) {
    main.append(h('p', {}, t('This console has no login, so there is no one to keep settings for.')));
    return;
  }
  const agent = s.agent;
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';

  const language = h('select', { id: 'settings-language', name: 'language' },
    h('option', { value: '' }, t('As my browser')),
    LANGUAGES.map((l) => h('option', { value: l.code, lang: l.code, selected: agent.language === l.code }, l.name)));
  if (!agent.language) language.value = '';

  const zone = h('select', { id: 'settings-time-zone', name: 'time_zone' },
    h('option', { value: '' }, t('As my browser ({zone})', { zone: browserZone })),
    zones(agent.time_zone).map((z) => h('option', { value: z, selected: agent.time_zone === z }, z)));
  if (!agent.time_zone) zone.value = '';

  const error = h('p', { class: 'error', role: 'alert', id: 'settings-error' });
  const button = h('button', { type: 'submit', class: 'primary' }, t('Save'));
  const form = h('form', { class: 'card narrow', novalidate: true },
    field(t('Language'), language, { field: 'language' }),
    field(t('Time zone'), zone, {
      field: 'time_zone',
      hint: browserZone ? t('Your browser is in {zone}.', { zone: browserZone }) : null,
    }),
    error, button);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    button.disabled = true;
    try {
      const saved = await api.saveSettings({ language: language.value || null, time_zone: zone.value || null });
      app.setAgent(saved);
      announce(t('Your settings are saved.'));
    } catch (e) {
      error.textContent = e.message;
      button.disabled = false;
    }
  });
  main.append(h('p', { class: 'muted' },
    t('The console speaks your language and shows every time in your time zone. Without a choice it follows your browser.')),
  form);
}
