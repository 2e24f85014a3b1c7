/*
 * admin.js - "Admin": the pages where a lead or an admin sets the desk up,
 * grouped as Zendesk's and Zammad's admin areas group them, by what a
 * person is doing rather than by table:
 *
 *   People      agents (admin), queues and their skills (lead)
 *   Service     the service charter with its calendar (lead), loyalty
 *               tiers (admin), the catalogue (lead)
 *   Channels    delivery of email and text messages with a test and the
 *               outbox (admin), API tokens (everyone's own; an admin sees all)
 *
 * This module is the hub and the shared pieces (the section menu, refusals
 * in words); each group's pages live in admin_people.js, admin_service.js
 * and admin_channels.js.  Every string goes through the message catalogue
 * (i18n.js), so each page reads in the agent's language; the
 * sections are made when the page is drawn, in the language then in use.
 */
import { h, clear, announce } from '../dom.js';
import { t } from '../i18n.js';
import * as people from './admin_people.js';
import * as service from './admin_service.js';
import * as channels from './admin_channels.js';

/* The sections: who may open each, and where it is drawn. */
export function sections() {
  return [
    { id: 'agents', group: t('People'), title: t('Agents'), rank: 3, view: people.agents,
      about: t('Add people, give them a role and skills, set who takes new work, reset a password, or turn an account off.') },
    { id: 'queues', group: t('People'), title: t('Queues'), rank: 2, view: people.queues,
      about: t('The teams encounters are routed to, and the skills an agent needs to be offered their work.') },
    { id: 'charter', group: t('Service'), title: t('Service charter'), rank: 2, view: service.charter,
      about: t('The promises the desk makes about how fast it answers, with business hours and holidays.') },
    { id: 'loyalty', group: t('Service'), title: t('Loyalty tiers'), rank: 3, view: service.loyalty,
      about: t('The tiers returning customers reach, and the discount each one brings.') },
    { id: 'catalogue', group: t('Service'), title: t('Catalogue'), rank: 2, view: service.catalogue,
      about: t('The products agents may offer, with their price and stock.') },
    { id: 'delivery', group: t('Channels'), title: t('Email and text messages'), rank: 3, view: channels.delivery,
      about: t('The mail server the desk sends through, a test message, and what was sent, held or could not be sent.') },
    { id: 'tokens', group: t('Channels'), title: t('API tokens'), rank: 1, view: channels.tokens,
      about: t('Keys that let another program use rapport on someone’s behalf.') },
  ];
}

const RANK = { agent: 1, lead: 2, admin: 3 };

/* The reader's role as a number: 1 agent, 2 lead, 3 admin; open mode is admin. */
export function rankOf(app) {
  const s = app.session;
  if (s && s.mode === 'open') return 3;
  return (s && s.agent && RANK[s.agent.role]) || 0;
}

/* Words for a refusal: what happened and what to do next. */
export function refusal(e) {
  if (!e) return t('That did not work. Try again.');
  if (e.status === 0) return t('rapport cannot be reached just now. Check the connection and try again.');
  if (e.status === 403) return t('Your role may not do this. Ask an administrator.');
  if (e.status === 404) return t('That is no longer there. Reload the page to see what is.');
  if (e.status === 503) return t('The desk is busy. Wait a moment and try again.');
  return e.message || t('That did not work. Check what you typed and try again.');
}

/*
 * Show a refusal next to the field it is about (an element with
 * data-field naming it, inside form), else in fallback; the control is
 * marked invalid, described by the message and focused, and the message
 * is announced.
 */
export function showError(form, fallback, e, aliases = {}) {
  for (const old of form.querySelectorAll('.field-error')) old.remove();
  for (const bad of form.querySelectorAll('[aria-invalid]')) bad.removeAttribute('aria-invalid');
  const text = refusal(e);
  const msg = h('p', { class: 'field-error', role: 'alert', id: `err-${Math.random().toString(36).slice(2)}` }, text);
  const name = e && e.field ? (aliases[e.field] || e.field) : null;
  const target = name ? form.querySelector(`[data-field="${CSS.escape(name)}"]`) : null;
  if (target) {
    target.append(msg);
    const control = target.querySelector('input, select, textarea');
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), msg.id].filter(Boolean).join(' '));
      control.focus();
    }
  } else {
    clear(fallback);
    fallback.append(msg);
  }
  announce(text);
}

/* Clear what showError left. */
export function clearErrors(form, fallback) {
  for (const old of form.querySelectorAll('.field-error')) old.remove();
  for (const bad of form.querySelectorAll('[aria-invalid]')) bad.removeAttribute('aria-invalid');
  if (fallback) clear(fallback);
}

/* A comma-separated list typed by a person, as a list of words. */
export function words(text) {
  return String(text || '').split(',').map((w) => w.trim()).filter(Boolean);
}

function menu(all, current, rank) {
  const groups = [...new Set(all.map((s) => s.group))];
  return h('nav', { class: 'admin-menu', 'aria-label': t('Admin') },
    groups.map((g) => {
      const mine = all.filter((s) => s.group === g && rank >= s.rank);
      if (!mine.length) return null;
      return h('div', { class: 'admin-group' }, h('h2', { class: 'admin-group-title' }, g),
        h('ul', {}, mine.map((s) => h('li', {},
          h('a', { href: `#/admin/${s.id}`, 'aria-current': s.id === current ? 'page' : null }, s.title)))));
    }));
}

export async function render(main, [section], app) {
  const rank = rankOf(app);
  if (rank < 1) {
    main.append(h('h1', {}, t('Admin')), h('p', {}, t('Sign in to see the admin pages.')));
    return undefined;
  }
  const all = sections();
  const s = all.find((x) => x.id === section);
  if (!s) {
    main.append(h('h1', {}, t('Admin')),
      h('p', {}, t('Set up the desk: the people and teams, the promises it keeps, and how it reaches customers.')),
      menu(all, null, rank),
      h('div', { class: 'panels' }, all.filter((x) => rank >= x.rank).map((x) => h('section', { class: 'card' },
        h('h2', {}, h('a', { href: `#/admin/${x.id}` }, x.title)), h('p', {}, x.about)))));
    return undefined;
  }
  if (rank < s.rank) {
    main.append(h('h1', {}, s.title), menu(all, s.id, rank),
      h('p', {}, s.rank === 3 ? t('Only an administrator can see and change this. Ask one of them.')
        : t('Only a team lead or an administrator can see and change this. Ask one of them.')));
    return undefined;
  }
  main.append(h('h1', {}, s.title), h('p', { class: 'muted' }, s.about), menu(all, s.id, rank));
  const body = h('div', { class: 'admin-body' });
  main.append(body);
  return s.view(body, app, rank);
}
