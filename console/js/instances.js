// The caller's instances with their live status (one event stream for all of
// them), and creating one.

import { get, post, streamEvents } from './api.js';
import { attempt, checkbox, errorBox, field, go, h, statusBadge, table, values, when } from './dom.js';

/** The status an event implies; the status route says exactly, it is asked after. */
export function refreshStatusOn(type) {
  return ['connection_opened', 'connection_closed', 'qr_received'].includes(type);
}

export function instancesView(main, context) {
  const box = errorBox(null);
  const list = h('div', { id: 'instance-list' }, h('p', { class: 'muted', text: 'Loading…' }));
  const live = h('span', { class: 'live', id: 'live', text: 'connecting…' });
  const badges = new Map();

  const load = async () => {
    const answer = await attempt(box, null, () => get('/api/instances'));
    if (!answer) return;
    badges.clear();
    const rows = answer.instances.map((instance) => {
      const badge = statusBadge(instance.status);
      badges.set(instance.id, badge);
      return h('tr', { 'data-instance': instance.id },
        h('td', {}, h('a', { href: `#/instances/${instance.id}/overview`, text: instance.name })),
        h('td', {}, badge),
        h('td', { text: instance.description ?? '' }),
        h('td', { text: instance.webhookEnabled ? instance.webhookUrl : 'off' }),
        h('td', { text: when(instance.createdAt) }));
    });
    list.replaceChildren(table(['Name', 'Status', 'Description', 'Webhook', 'Created'], rows,
      'No instances yet: create one below.'));
  };

  const updateStatus = async (instanceId) => {
    const badge = badges.get(instanceId);
    if (!badge) return;
    try {
      const status = await get(`/api/whatsapp/${encodeURIComponent(instanceId)}/status`);
      badge.replaceWith(statusBadge(status.status));
      badges.set(instanceId, list.querySelector(`tr[data-instance="${CSS.escape(instanceId)}"] .badge`));
    } catch {
      // The next event tries again; the list stays as it was.
    }
  };

  const stream = streamEvents('/api/events', (type, envelope) => {
    if (refreshStatusOn(type)) updateStatus(envelope.data?.instanceId);
  }, (open) => {
    live.textContent = open ? 'live' : 'reconnecting…';
    live.classList.toggle('on', open);
    // Whatever changed before the stream was (re)opened is read again.
    if (open) load();
  });
  load();

  main.replaceChildren(
    h('div', { class: 'row spread' }, h('h1', { text: 'Instances' }), live),
    box,
    list,
    createForm(context));
  return () => stream.close();
}

function createForm() {
  const box = errorBox(null);
  const form = h('form', { id: 'create-instance', class: 'card' },
    h('h2', { text: 'New instance' }),
    field('Name', h('input', { name: 'name', id: 'new-name', required: true, maxlength: 100 })),
    field('Description', h('input', { name: 'description', maxlength: 500 })),
    field('Webhook URL', h('input', { name: 'webhookUrl', type: 'url', placeholder: 'https://example.com/webhook' })),
    checkbox('Send webhooks', 'webhookEnabled', false),
    box,
    h('button', { type: 'submit', class: 'primary' }, 'Create'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    attempt(box, form.querySelector('button[type=submit]'), async () => {
      const body = values(form);
      if (!body.webhookUrl) delete body.webhookUrl;
      if (!body.description) delete body.description;
      const created = await post('/api/instances', body);
      go(`#/instances/${created.id}/pairing`);
    });
  });
  return form;
}
