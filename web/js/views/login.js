/*
 * login.js - the login page: email and password, POST /api/v1/session.
 */
import * as api from '../api.js';
import { h, field } from '../dom.js';
import { t } from '../i18n.js';

export function render(main, _params, app) {
  if (app.session) {
    main.append(h('h1', {}, t('Log in')),
      h('p', {}, app.session.mode === 'open'
        ? t('This desk has no login: the console is open to everyone who can reach it.')
        : t('You are logged in.'),
      ' ', h('a', { href: '#/queue' }, t('Go to the queue'))));
    return;
  }
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, id: 'login-email' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, id: 'login-password' });
  const error = h('p', { class: 'error', role: 'alert', id: 'login-error' });
  const button = h('button', { type: 'submit', class: 'primary' }, t('Log in'));
  const form = h('form', { class: 'card narrow', novalidate: true },
    field(t('Email'), email), field(t('Password'), password), error, button);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    if (!email.value || !password.value) {
      error.textContent = t('Enter your email and your password.');
      (email.value ? password : email).focus();
      return;
    }
    button.disabled = true;
    try {
      app.setSession(await api.login(email.value.trim(), password.value));
      /* back to the page that asked for the login, else the work lists */
      app.go(app.afterLogin || '#/work');
      app.afterLogin = null;
    } catch (e) {
      error.textContent = e.status === 401 || e.status === 422
        ? t('That email and password do not match an agent. Check them and try again.')
        : e.message;
      password.select();
    } finally {
      button.disabled = false;
    }
  });
  main.append(h('h1', {}, t('Log in to rapport')), form);
  email.focus();
}
