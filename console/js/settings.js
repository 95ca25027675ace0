// Editing an instance: name, description, webhook target and what it is told.

import { put } from './api.js';
import { attempt, checkbox, errorBox, field, h, values } from './dom.js';

export function settingsTab(body, instance) {
  const { loaded, base } = instance;
  const hooks = loaded.webhookSettings ?? {};
  const box = errorBox(null);
  const saved = h('p', { class: 'notice', role: 'status', hidden: true, text: 'Saved.' });
  const form = h('form', { id: 'instance-settings', class: 'card' },
    field('Name', h('input', { name: 'name', value: loaded.name, required: true, maxlength: 100 })),
    field('Description', h('input', { name: 'description', value: loaded.description ?? '', maxlength: 500 })),
    field('Webhook URL', h('input', { name: 'webhookUrl', type: 'url', value: loaded.webhookUrl ?? '' })),
    checkbox('Send webhooks', 'webhookEnabled', loaded.webhookEnabled),
    h('fieldset', {},
      h('legend', { text: 'Events sent' }),
      checkbox('Messages received', 'notifyReceived', hooks.notifyReceived),
      checkbox('Messages sent', 'notifySent', hooks.notifySent),
      checkbox('Delivered receipts', 'notifyDelivery', hooks.notifyDelivery),
      checkbox('Read receipts', 'notifyRead', hooks.notifyRead)),
    field('Retries', h('input', { name: 'maxRetries', type: 'number', min: 0, value: hooks.maxRetries ?? 3 })),
    field('Between retries (ms)', h('input', { name: 'retryInterval', type: 'number', min: 0, value: hooks.retryInterval ?? 60000 })),
    field('Signing secret', h('input', { name: 'secret', type: 'password', autocomplete: 'new-password' }),
      'Left empty: the secret stays as it is (it is never shown).'),
    box, saved,
    h('button', { type: 'submit', class: 'primary' }, 'Save'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    saved.hidden = true;
    attempt(box, form.querySelector('button[type=submit]'), async () => {
      const v = values(form);
      const webhookSettings = {
        notifyReceived: v.notifyReceived,
        notifySent: v.notifySent,
        notifyDelivery: v.notifyDelivery,
        notifyRead: v.notifyRead,
        maxRetries: v.maxRetries,
        retryInterval: v.retryInterval,
      };
      if (v.secret) webhookSettings.secret = v.secret;
      const answer = await put(base, {
        name: v.name,
        description: v.description,
        webhookUrl: v.webhookUrl || undefined,
        webhookEnabled: v.webhookEnabled,
        webhookSettings,
      });
      Object.assign(loaded, answer, { webhookSettings: { ...hooks, ...webhookSettings, secret: undefined } });
      form.elements.secret.value = '';
      saved.hidden = false;
    });
  });
  body.replaceChildren(form);
}
