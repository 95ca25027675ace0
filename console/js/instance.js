// One instance: its live status in the header, and a tab per task.

import { del, get, post, streamEvents } from './api.js';
import { attempt, confirmAction, errorBox, go, h, statusBadge } from './dom.js';
import { refreshStatusOn } from './instances.js';
import { settingsTab } from './settings.js';
import { pairingTab } from './pairing.js';
import { messagesTab } from './messages.js';
import { activityTab } from './activity.js';
import { deliveriesTab } from './deliveries.js';
import { usageTab } from './usage.js';

const TABS = [
  ['overview', 'Overview'],
  ['pairing', 'Pairing'],
  ['messages', 'Messages'],
  ['activity', 'Activity'],
  ['webhooks', 'Webhooks'],
  ['usage', 'Usage'],
  ['settings', 'Settings'],
];

export function instanceView(main, context, id, tab) {
  const base = `/api/instances/${encodeURIComponent(id)}`;
  const box = errorBox(null);
  const title = h('h1', { text: 'Instance' });
  const badge = h('span', { id: 'status' }, statusBadge('connecting'));
  const body = h('section', { id: 'tab', 'aria-live': 'polite' });
  // A tab listens to the instance's events through this (the pairing tab's QR).
  const listeners = new Set();
  const instance = { id, base, context, listeners, status: 'connecting' };

  const setStatus = (status) => {
    instance.status = status;
    badge.replaceChildren(statusBadge(status));
  };
  const readStatus = async () => {
    try {
      setStatus((await get(`/api/whatsapp/${encodeURIComponent(id)}/status`)).status);
    } catch {
      // Shown by the next event or the next visit.
    }
  };
  // The instance's own stream: with the cluster on, it is forwarded to the node
  // holding the instance.
  const stream = streamEvents(`${base}/events`, async (type, envelope) => {
    // The tabs hear of an event once the status it changed is known.
    if (refreshStatusOn(type)) await readStatus();
    for (const listener of listeners) listener(type, envelope);
  }, (open) => {
    if (open) readStatus();
  });

  const tabs = h('nav', { class: 'tabs', 'aria-label': 'Instance' },
    TABS.map(([name, label]) => h('a', {
      href: `#/instances/${encodeURIComponent(id)}/${name}`,
      'aria-current': name === tab ? 'page' : null,
      text: label,
    })));
  main.replaceChildren(
    h('p', {}, h('a', { href: '#/instances', text: '← All instances' })),
    h('div', { class: 'row spread' }, title, badge),
    tabs, box, body);

  get(base).then((loaded) => {
    Object.assign(instance, { loaded });
    title.textContent = loaded.name;
    document.title = `${loaded.name} · wamux`;
    setStatus(loaded.connectionStatus?.status ?? loaded.status);
    const draw = {
      overview: overviewTab,
      pairing: pairingTab,
      messages: messagesTab,
      activity: activityTab,
      webhooks: deliveriesTab,
      usage: usageTab,
      settings: settingsTab,
    }[tab] ?? overviewTab;
    draw(body, instance);
  }, (err) => {
    title.textContent = 'Instance';
    body.replaceChildren(errorBox(err));
  });
  return () => {
    stream.close();
    listeners.clear();
  };
}

function overviewTab(body, instance) {
  const { loaded, base } = instance;
  const box = errorBox(null);
  const done = h('p', { class: 'notice', role: 'status', hidden: true });
  const say = (answer) => {
    done.hidden = false;
    done.textContent = answer.message ?? 'Done.';
  };
  const action = (label, run, extra = {}) => {
    const button = h('button', { type: 'button', ...extra }, label);
    button.addEventListener('click', () => attempt(box, button, run));
    return button;
  };
  const settings = loaded.webhookSettings ?? {};
  body.replaceChildren(
    h('dl', { class: 'facts' },
      h('dt', { text: 'Id' }), h('dd', {}, h('code', { text: loaded.id })),
      h('dt', { text: 'Description' }), h('dd', { text: loaded.description || '—' }),
      h('dt', { text: 'Webhook' }), h('dd', { text: loaded.webhookEnabled ? loaded.webhookUrl : 'off' }),
      h('dt', { text: 'Notifies' }), h('dd', {
        text: ['Received', 'Sent', 'Delivery', 'Read'].filter((k) => settings[`notify${k}`]).join(', ') || 'connection events only',
      }),
      loaded.node ? [h('dt', { text: 'Node' }), h('dd', { text: loaded.node })] : null),
    h('div', { class: 'row' },
      action('Reconnect', async () => say(await post(`${base}/reconnect`)), { id: 'reconnect' }),
      action('Log out', async () => {
        if (await confirmAction(`Log ${loaded.name} out of WhatsApp? It will need a new QR scan.`)) {
          say(await post(`${base}/logout`));
        }
      }, { id: 'logout' }),
      action('Delete', async () => {
        if (await confirmAction(`Delete ${loaded.name}? Its messages and session are removed.`)) {
          await del(base);
          go('#/instances');
        }
      }, { id: 'delete', class: 'danger' })),
    box, done);
}
