// Administrators: users (create, deactivate, role) and, with the cluster on, nodes.

import { get, patch, post } from './api.js';
import { attempt, errorBox, field, h, pager, show, table, when } from './dom.js';

const PAGE = 25;

export function usersView(main, context) {
  const box = errorBox(null);
  const list = h('div', { id: 'users' });
  let skip = 0;

  const load = async () => {
    show(box, null);
    try {
      const page = await get('/api/admin/users', { limit: PAGE, skip });
      const rows = page.users.map((user) => userRow(user, context, box, load));
      list.replaceChildren(
        table(['Email', 'Name', 'Role', 'Active', 'Created', ''], rows),
        pager(page.pagination, (next) => {
          skip = next;
          load();
        }));
    } catch (err) {
      show(box, err);
    }
  };

  main.replaceChildren(h('h1', { text: 'Users' }), box, list, createUserForm(load));
  load();
  return null;
}

function userRow(user, context, box, reload) {
  const self = user.id === context.me.id;
  const role = h('select', { 'aria-label': `Role of ${user.email}`, class: 'role', disabled: self },
    ['user', 'admin'].map((value) => h('option', { value, text: value })));
  role.value = user.role;
  role.addEventListener('change', async () => {
    const changed = await attempt(box, role, () =>
      patch(`/api/admin/users/${encodeURIComponent(user.id)}`, { role: role.value }));
    if (changed) await reload();
    else role.value = user.role;
  });
  const toggle = h('button', { type: 'button', class: user.active ? 'danger toggle' : 'toggle', disabled: self },
    user.active ? 'Deactivate' : 'Activate');
  toggle.addEventListener('click', () => attempt(box, toggle, async () => {
    await patch(`/api/admin/users/${encodeURIComponent(user.id)}`, { active: !user.active });
    await reload();
  }));
  return h('tr', { 'data-user': user.email },
    h('td', { text: user.email }),
    h('td', { text: `${user.firstName} ${user.lastName}`.trim() }),
    h('td', {}, role),
    h('td', { class: 'active', text: user.active ? 'yes' : 'no' }),
    h('td', { text: when(user.createdAt) }),
    h('td', {}, toggle));
}

function createUserForm(reload) {
  const box = errorBox(null);
  const made = h('p', { class: 'notice', role: 'status', hidden: true });
  const role = h('select', { name: 'role' }, ['user', 'admin'].map((value) => h('option', { value, text: value })));
  const form = h('form', { id: 'create-user', class: 'card' },
    h('h2', { text: 'New user' }),
    field('Email', h('input', { name: 'email', type: 'email', required: true, autocomplete: 'off' })),
    field('Password', h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' })),
    field('First name', h('input', { name: 'firstName' })),
    field('Last name', h('input', { name: 'lastName' })),
    field('Role', role),
    box, made,
    h('button', { type: 'submit', class: 'primary' }, 'Create user'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    made.hidden = true;
    attempt(box, form.querySelector('button'), async () => {
      const e = form.elements;
      const user = await post('/api/admin/users', {
        email: e.email.value.trim(),
        password: e.password.value,
        firstName: e.firstName.value.trim(),
        lastName: e.lastName.value.trim(),
        role: role.value,
      });
      form.reset();
      made.hidden = false;
      made.textContent = `Created ${user.email}.`;
      await reload();
    });
  });
  return form;
}

export function nodesView(main) {
  const box = errorBox(null);
  const list = h('div', { id: 'nodes' });
  main.replaceChildren(h('h1', { text: 'Nodes' }), box, list);
  get('/api/admin/nodes').then((answer) => {
    list.replaceChildren(table(['Node', 'Address', 'Instances', 'Last seen', 'Version'],
      answer.nodes.map((node) => h('tr', {},
        h('td', { text: node.nodeId }),
        h('td', { text: node.advertiseUrl }),
        h('td', { text: String(node.instances) }),
        h('td', { text: when(node.lastSeen) }),
        h('td', { text: node.version }))),
      'The cluster is off: this server is the only node.'));
  }, (err) => show(box, err));
  return null;
}
