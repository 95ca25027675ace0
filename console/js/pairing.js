// Linking WhatsApp: the QR image, fetched again whenever WhatsApp rotates it (the
// instance's qr_received event), pairing by phone code, and the simulator's scan.

import { imageUrl, post } from './api.js';
import { attempt, errorBox, field, h } from './dom.js';

export function pairingTab(body, instance) {
  const { base, context } = instance;
  const qrBox = h('div', { id: 'qr', class: 'qr' });
  let shown = null;

  const drawQr = async () => {
    try {
      const url = await imageUrl(`${base}/qr?format=png`);
      if (shown) URL.revokeObjectURL(shown);
      shown = url;
      qrBox.replaceChildren(
        h('img', { src: url, alt: 'QR code: scan it in WhatsApp, Linked devices', id: 'qr-image', width: 320, height: 320 }),
        h('p', { class: 'muted', text: 'WhatsApp on the phone: Settings, Linked devices, Link a device.' }));
    } catch (err) {
      if (shown) URL.revokeObjectURL(shown);
      shown = null;
      qrBox.replaceChildren(h('p', { class: 'muted', id: 'qr-none' }, err.message));
      // Waiting for a scan ended (nobody scanned in time): a new round on request.
      if (!['connected', 'connecting', 'qr'].includes(instance.status)) qrBox.append(restart(instance));
    }
  };
  instance.listeners.add((type) => {
    if (type === 'qr_received' || type === 'connection_opened' || type === 'connection_closed') drawQr();
  });
  drawQr();

  const codeBox = errorBox(null);
  const code = h('output', { id: 'pairing-code', class: 'code' });
  const codeForm = h('form', { id: 'pairing-form', class: 'card' },
    h('h2', { text: 'Link with a phone number' }),
    field('Phone number', h('input', { name: 'phone', type: 'tel', required: true, placeholder: '+79001234567' })),
    h('button', { type: 'submit' }, 'Get a pairing code'),
    codeBox, code);
  codeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    code.textContent = '';
    attempt(codeBox, codeForm.querySelector('button'), async () => {
      const answer = await post(`${base}/pairing-code`, { phone: codeForm.elements.phone.value.trim() });
      code.textContent = answer.pairingCode;
    });
  });

  body.replaceChildren(h('div', { class: 'grid' },
    h('div', { class: 'card' }, h('h2', { text: 'Scan the QR code' }), qrBox),
    codeForm,
    context.features.sim ? simScan(instance) : null));
}

function restart(instance) {
  const box = errorBox(null);
  const button = h('button', { type: 'button', id: 'qr-restart' }, 'Get a new QR code');
  button.addEventListener('click', () => attempt(box, button, () => post(`${instance.base}/reconnect`)));
  return h('div', {}, button, box);
}

/** The simulated network's phone: links the instance as if the QR were scanned. */
function simScan(instance) {
  const box = errorBox(null);
  const form = h('form', { id: 'sim-scan', class: 'card' },
    h('h2', { text: 'Simulated phone' }),
    h('p', { class: 'muted', text: 'The simulated network is on: scan the QR as this phone.' }),
    field('Phone number', h('input', { name: 'phone', type: 'tel', required: true, value: '15550001111' })),
    field('Name', h('input', { name: 'pushName', value: 'Demo phone' })),
    box,
    h('button', { type: 'submit', class: 'primary', id: 'sim-scan-button' }, 'Scan'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    attempt(box, form.querySelector('button'), () => post(`/api/sim/instances/${encodeURIComponent(instance.id)}/scan`, {
      phone: form.elements.phone.value.trim(),
      pushName: form.elements.pushName.value.trim() || undefined,
    }));
  });
  return form;
}
