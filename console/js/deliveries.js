// Webhook deliveries of the instance, by state, and retrying a failed one.

import { get, post } from './api.js';
import { attempt, errorBox, field, h, pager, show, table, when } from './dom.js';

const PAGE = 20;

export function deliveriesTab(body, instance) {
  const box = errorBox(null);
  const list = h('div', { id: 'deliveries' });
  const state = h('select', { name: 'state', id: 'delivery-state' },
    [['', 'all'], ['pending', 'pending'], ['delivered', 'delivered'], ['failed', 'failed']]
      .map(([value, text]) => h('option', { value, text })));
  let skip = 0;

  const load = async () => {
    show(box, null);
    try {
      const page = await get(`${instance.base}/webhooks/deliveries`, { state: state.value, limit: PAGE, skip });
      const rows = page.deliveries.map((delivery) => row(instance, delivery, box, load));
      list.replaceChildren(
        table(['Created', 'Event', 'State', 'Attempts', 'Last error', ''], rows, 'No deliveries in this state.'),
        pager(page.pagination, (next) => {
          skip = next;
          load();
        }));
    } catch (err) {
      show(box, err);
    }
  };
  state.addEventListener('change', () => {
    skip = 0;
    load();
  });
  const refresh = h('button', { type: 'button', id: 'deliveries-refresh', onclick: load }, 'Refresh');
  body.replaceChildren(
    h('div', { class: 'row filters' }, field('State', state), refresh),
    box, list);
  load();
}

function row(instance, delivery, box, reload) {
  const failure = delivery.lastError ?? (delivery.lastStatus ? `HTTP ${delivery.lastStatus}` : '');
  let retry = null;
  if (delivery.state === 'failed') {
    retry = h('button', { type: 'button', class: 'retry' }, 'Retry');
    retry.addEventListener('click', () => attempt(box, retry, async () => {
      await post(`${instance.base}/webhooks/deliveries/${encodeURIComponent(delivery.id)}/retry`);
      await reload();
    }));
  }
  return h('tr', { 'data-delivery': delivery.id, 'data-state': delivery.state },
    h('td', { text: when(delivery.createdAt) }),
    h('td', { text: delivery.event }),
    h('td', {}, h('span', { class: `badge delivery-${delivery.state}`, text: delivery.state })),
    h('td', { text: `${delivery.attempts} / ${delivery.maxRetries + 1}` }),
    h('td', { class: 'body', text: failure || '—' }),
    h('td', {}, retry));
}
