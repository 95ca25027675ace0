// The instance's activity log, filtered by kind and time.

import { get } from './api.js';
import { errorBox, field, h, pager, show, table, when } from './dom.js';

const PAGE = 25;
const ACTIONS = [
  'instance_created', 'instance_updated', 'connecting', 'qr_received', 'qr_expired', 'qr_timeout',
  'pairing_code', 'paired', 'connection_opened', 'connection_closed', 'session_restarted',
  'supervisor_gave_up', 'session_replaced', 'temporarily_banned', 'client_outdated', 'logged_out',
  'reconnect_requested', 'webhook_failed', 'media_download_failed', 'history_imported',
  'session_imported', 'session_file_kept',
];

/** A datetime-local value (the browser's time zone) as ISO 8601. */
function iso(local) {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
}

export function activityTab(body, instance) {
  const box = errorBox(null);
  const list = h('div', { id: 'activity' });
  const kinds = h('select', { name: 'actions', id: 'activity-actions', multiple: true, size: 6 },
    ACTIONS.map((action) => h('option', { value: action, text: action.replaceAll('_', ' ') })));
  const from = h('input', { type: 'datetime-local', name: 'startDate', id: 'activity-from' });
  const to = h('input', { type: 'datetime-local', name: 'endDate', id: 'activity-to' });
  let skip = 0;

  const load = async () => {
    show(box, null);
    try {
      const page = await get(`${instance.base}/activity`, {
        limit: PAGE,
        skip,
        actions: [...kinds.selectedOptions].map((o) => o.value).join(','),
        startDate: iso(from.value),
        endDate: iso(to.value),
      });
      const rows = page.logs.map((log) => h('tr', {},
        h('td', { text: when(log.createdAt) }),
        h('td', { text: log.action }),
        h('td', {}, h('code', { text: JSON.stringify(log.details ?? {}) }))));
      list.replaceChildren(
        table(['When', 'What', 'Details'], rows, 'Nothing logged for these filters.'),
        pager(page.pagination, (next) => {
          skip = next;
          load();
        }));
    } catch (err) {
      show(box, err);
    }
  };

  const form = h('form', { id: 'activity-filters', class: 'card filters' },
    field('Kinds (none: all)', kinds),
    field('From', from),
    field('To', to),
    h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    skip = 0;
    load();
  });
  body.replaceChildren(form, box, list);
  load();
}
