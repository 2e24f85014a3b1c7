/*
 * app.js - the console's shell: session, navigation and the hash router.
 *
 * Routes are hashes (#/work, #/queue, #/encounters/12, ...) so that rapportd only
 * ever serves static files and the API; each view module renders into
 * <main> and may return a function that stops what it started (polling).
 * Without a session the console shows the login page; a rapportd built
 * without login ("open" mode) goes straight to the work lists; after a
 * login the console returns to the page that asked for it.  The shell
 * speaks the agent's language in their time zone (i18n.js), chosen on
 * "Your settings" (#/settings, from the agent's name in the header).
 */
import * as api from './api.js';
import { h, clear } from './dom.js';
import { t, setLanguage, setTimeZone, translatePage } from './i18n.js';
import * as loginView from './views/login.js';
import * as queueView from './views/queue.js';
import * as encounterView from './views/encounter.js';
import * as customersView from './views/customers.js';
import * as customerView from './views/customer.js';
import * as dashboardView from './views/dashboard.js';
import * as webhooksView from './views/webhooks.js';
import * as privacyView from './views/privacy.js';
import * as importView from './views/import.js';
import * as followupsView from './views/followups.js';
import * as worklistView from './views/worklist.js';
import * as knowledgeView from './views/knowledge.js';
import * as adminView from './views/admin.js';
import * as settingsView from './views/settings.js';
import { deliveryBanner } from './views/admin_channels.js';

const routes = [
  { re: /^#\/login$/, view: loginView, name: 'login', public: true },
  { re: /^#\/queue$/, view: queueView, name: 'queue' },
  { re: /^#\/encounters\/(\d+)$/, view: encounterView, name: 'encounter' },
  { re: /^#\/customers$/, view: customersView, name: 'customers' },
  { re: /^#\/customers\/(\d+)$/, view: customerView, name: 'customer' },
  { re: /^#\/dashboard$/, view: dashboardView, name: 'dashboard' },
  { re: /^#\/webhooks$/, view: webhooksView, name: 'webhooks' },
  { re: /^#\/privacy$/, view: privacyView, name: 'privacy' },
  { re: /^#\/import$/, view: importView, name: 'import' },
  { re: /^#\/followups$/, view: followupsView, name: 'followups' },
  { re: /^#\/work(?:\/([a-z0-9-]+))?$/, view: worklistView, name: 'work' },
  { re: /^#\/kb(?:\/(new|\d+)(?:\/(edit))?)?$/, view: knowledgeView, name: 'kb' },
  { re: /^#\/admin(?:\/([a-z-]+))?$/, view: adminView, name: 'admin' },
  { re: /^#\/settings$/, view: settingsView, name: 'settings' },
];

/* What views share: the session, and customers already read. */
const app = {
  session: null,
  afterLogin: null,
  customers: new Map(),
  go(hash) { if (location.hash === hash) route(); else location.hash = hash; },
  setSession(s) { app.session = s; shell(); },
  /* The agent's own settings changed: speak and show times as they say, now. */
  setAgent(agent) { if (app.session) app.session.agent = agent; shell(); route(); },
};

let stop = null;
let seq = 0;

function shell() {
  const s = app.session;
  setLanguage(s && s.agent ? s.agent.language : null);
  setTimeZone(s && s.agent ? s.agent.time_zone : null);
  const nav = document.getElementById('nav');
  nav.hidden = !s;
  translatePage(document);
  const who = document.getElementById('who');
  who.textContent = s && s.agent ? (s.agent.name || s.agent.email || '') : '';
  /* open mode has no agent to keep settings for */
  who.hidden = !(s && s.mode === 'auth' && s.agent);
  document.getElementById('logout').hidden = !(s && s.mode === 'auth');
  const hooks = nav.querySelector('a[data-route="webhooks"]');
  if (hooks) hooks.hidden = !(s && s.agent && s.agent.role === 'admin');
  const admin = nav.querySelector('a[data-route="admin"]');
  if (admin) admin.hidden = !(s && (s.mode === 'open' || (s.agent && s.agent.role !== 'agent')));
}

function markNav(name) {
  for (const a of document.querySelectorAll('#nav a')) {
    const on = a.dataset.route === name || ((name === 'customer' || name === 'import') && a.dataset.route === 'customers');
    if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
}

async function route() {
  const hash = location.hash;
  if (!hash.startsWith('#/')) { location.replace('#/work'); return; }
  const r = routes.find((x) => x.re.test(hash));
  if (!r) { location.replace('#/work'); return; }
  if (!r.public && !app.session) { app.afterLogin = hash; location.replace('#/login'); return; }
  if (stop) { try { stop(); } catch { /* the old view is gone anyway */ } stop = null; }
  const my = ++seq;
  const main = document.getElementById('main');
  clear(main);
  main.setAttribute('aria-busy', 'true');
  delete main.dataset.view;
  markNav(r.name);
  const t0 = performance.now();
  try {
    const params = hash.match(r.re).slice(1);
    const result = await r.view.render(main, params, app);
    if (my !== seq) { if (typeof result === 'function') result(); return; }
    if (typeof result === 'function') stop = result;
  } catch (e) {
    if (my !== seq) return;
    if (e instanceof api.ApiError && e.status === 401) return; /* the unauthorized handler moves to login */
    clear(main);
    main.append(h('h1', {}, t('Something went wrong')),
      h('p', { class: 'error', role: 'alert' }, e instanceof api.ApiError ? e.message
        : t('The page could not be shown. Reload it; if it keeps happening, tell your admin. The browser said: {message}', { message: e.message || String(e) })),
      h('p', {}, h('a', { href: '#/queue' }, t('Back to the queue'))));
  }
  if (my !== seq) return;
  main.setAttribute('aria-busy', 'false');
  main.dataset.view = r.name;
  main.dataset.renderMs = String(Math.round(performance.now() - t0));
  /* when it started, on the page's clock (bench/console_render.mjs
   * --explain lines the resource timings up with it) */
  main.dataset.renderStart = String(Math.round(t0));
  if (r.name === 'dashboard') await deliveryBanner(main, adminView.rankOf(app) >= 3);
  if (my !== seq) return;
  const h1 = main.querySelector('h1');
  document.title = h1 ? `${h1.textContent} · rapport` : 'rapport';
}

window.addEventListener('rapport:unauthorized', () => {
  app.session = null;
  shell();
  if (location.hash !== '#/login') location.hash = '#/login';
});

async function start() {
  document.getElementById('logout').addEventListener('click', async () => {
    try { await api.logout(); } catch { /* logged out locally anyway */ }
    app.session = null;
    shell();
    app.go('#/login');
  });
  document.getElementById('skip-link').addEventListener('click', (ev) => {
    ev.preventDefault();
    document.getElementById('main').focus();
  });
  try {
    app.session = await api.loadSession();
  } catch (e) {
    app.session = null;
  }
  shell();
  window.addEventListener('hashchange', route);
  route();
}

start();
