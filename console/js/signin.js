// Sign in with email and password (a login token) or with an API key.

import { ApiError, forget, get, post, remember } from './api.js';
import { attempt, errorBox, field, h } from './dom.js';

export function signInView(main, context, onSignedIn) {
  const box = errorBox(null);
  const notice = h('p', { class: 'notice', role: 'status', hidden: !context.notice, text: context.notice });
  context.notice = '';

  const email = h('input', { type: 'email', name: 'email', id: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', id: 'password', autocomplete: 'current-password', required: true });
  const passwordForm = h('form', { id: 'signin-password', class: 'card' },
    h('h2', { text: 'Email and password' }),
    field('Email', email),
    field('Password', password),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  passwordForm.addEventListener('submit', (event) => {
    event.preventDefault();
    attempt(box, passwordForm.querySelector('button'), async () => {
      const answer = await post('/api/auth/login', { email: email.value.trim(), password: password.value });
      remember('token', answer.token);
      password.value = '';
      onSignedIn();
    });
  });

  const key = h('input', { type: 'password', name: 'apiKey', id: 'api-key', autocomplete: 'off', required: true });
  const keyForm = h('form', { id: 'signin-key', class: 'card' },
    h('h2', { text: 'API key' }),
    field('API key', key, 'The key sent as x-api-key; kept in this tab only.'),
    h('button', { type: 'submit' }, 'Sign in with the key'));
  keyForm.addEventListener('submit', (event) => {
    event.preventDefault();
    attempt(box, keyForm.querySelector('button'), async () => {
      remember('key', key.value.trim());
      try {
        context.me = await get('/api/auth/me');
      } catch (err) {
        forget();
        throw err instanceof ApiError ? err : new ApiError(0, 'network', String(err));
      }
      key.value = '';
      onSignedIn();
    });
  });

  main.replaceChildren(
    h('h1', { text: 'Sign in' }),
    notice,
    box,
    h('div', { class: 'grid' }, passwordForm, keyForm));
  email.focus();
  return null;
}
