// The console's entry point: a hash router (#/instances, #/instances/{id}/{tab},
// #/admin/users, #/admin/nodes, #/signin) and the navigation bar.

import { forget, get, signedIn } from './api.js';
import { errorBox, go, h } from './dom.js';
import { signInView } from './signin.js';
import { instancesView } from './instances.js';
import { instanceView } from './instance.js';
import { nodesView, usersView } from './admin.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');

const context = {
  me: null,
  features: { sim: false, cluster: false },
  notice: '',
};

let leaving = null; // what the current page closes when left (event streams)

async function render() {
  leaving?.();
  leaving = null;
  const route = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (!signedIn()) {
    context.me = null;
    drawNav();
    leaving = signInView(main, context, () => go('#/instances'));
    return;
  }
  try {
    context.me ??= await get('/api/auth/me');
  } catch (err) {
    if (!signedIn()) return render();
    main.replaceChildren(errorBox(err));
    return;
  }
  drawNav();
  const [section, id, tab] = route;
  if (section === 'instances' && id) leaving = instanceView(main, context, id, tab || 'overview');
  else if (section === 'admin' && id === 'users') leaving = usersView(main, context);
  else if (section === 'admin' && id === 'nodes') leaving = nodesView(main, context);
  else if (section !== 'instances') go('#/instances');
  else leaving = instancesView(main, context);
  document.title = `${main.querySelector('h1')?.textContent ?? 'Console'} · wamux`;
}

function drawNav() {
  const me = context.me;
  if (!me) {
    nav.replaceChildren();
    return;
  }
  const links = [h('a', { href: '#/instances' }, 'Instances')];
  if (me.role === 'admin') {
    links.push(h('a', { href: '#/admin/users' }, 'Users'));
    if (context.features.cluster) links.push(h('a', { href: '#/admin/nodes' }, 'Nodes'));
  }
  links.push(h('a', { href: '/docs/' }, 'API docs'));
  nav.replaceChildren(
    ...links,
    h('span', { class: 'me', text: me.email }),
    h('button', { type: 'button', id: 'sign-out', onclick: signOut }, 'Sign out'));
}

function signOut() {
  forget();
  context.me = null;
  context.notice = 'Signed out.';
  go('#/signin');
}

window.addEventListener('wamux:signed-out', (event) => {
  // Nobody was signed in (an API key being tried): the sign-in page shows why.
  if (!context.me) return;
  context.me = null;
  context.notice = event.detail;
  render();
});
window.addEventListener('hashchange', render);

async function boot() {
  try {
    const response = await fetch('/console/features.json');
    if (response.ok) context.features = await response.json();
  } catch {
    // Unknown features: no sim button, no nodes page; the rest works.
  }
  await render();
}

boot();
