// Usage of an instance: daily sent and received messages as a bar chart the page
// draws itself (SVG), with the figures as a table beside it.

import { get } from './api.js';
import { errorBox, field, h, s, show, table } from './dom.js';

const DAY = 86_400_000;
const SPAN = { week: 7, month: 30 };

/** One entry per UTC day of the period, the days without activity as zeros. */
export function everyDay(dailyStats, period, now = Date.now()) {
  const byDay = new Map(dailyStats.map((day) => [day.date.slice(0, 10), day]));
  const today = Math.floor(now / DAY) * DAY;
  const first = SPAN[period]
    ? today - (SPAN[period] - 1) * DAY
    : Math.min(today, ...dailyStats.map((day) => Date.parse(day.date.slice(0, 10))));
  const days = [];
  for (let t = first; t <= today; t += DAY) {
    const date = new Date(t).toISOString().slice(0, 10);
    const day = byDay.get(date);
    days.push({ date, sent: day?.messagesSent ?? 0, received: day?.messagesReceived ?? 0 });
  }
  return days;
}

function chart(days) {
  const width = 640;
  const height = 220;
  const top = 16;
  const bottom = 28;
  const left = 36;
  const plot = height - top - bottom;
  const max = Math.max(1, ...days.flatMap((d) => [d.sent, d.received]));
  const slot = (width - left) / days.length;
  const bar = Math.max(1, slot * 0.38);
  const y = (value) => top + plot - (value / max) * plot;
  const bars = days.flatMap((day, i) => {
    const x = left + i * slot + slot * 0.1;
    return [['sent', day.sent, x], ['received', day.received, x + bar]].map(([kind, value, at]) =>
      s('rect', {
        class: `bar ${kind}`, x: at.toFixed(1), y: y(value).toFixed(1), width: bar.toFixed(1),
        height: (top + plot - y(value)).toFixed(1), 'data-day': day.date, 'data-kind': kind, 'data-value': value,
      }, s('title', { text: `${day.date}: ${value} ${kind}` })));
  });
  const every = Math.ceil(days.length / 8);
  const labels = days.map((day, i) => (i % every === 0
    ? s('text', { x: (left + i * slot + slot / 2).toFixed(1), y: height - 8, class: 'axis', 'text-anchor': 'middle', text: day.date.slice(5) })
    : null));
  return s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', id: 'usage-chart', 'aria-labelledby': 'usage-caption' },
    s('line', { x1: left, y1: top + plot, x2: width, y2: top + plot, class: 'axis-line' }),
    s('text', { x: left - 6, y: top + 4, class: 'axis', 'text-anchor': 'end', text: String(max) }),
    s('text', { x: left - 6, y: top + plot, class: 'axis', 'text-anchor': 'end', text: '0' }),
    bars, labels);
}

export function usageTab(body, instance) {
  const box = errorBox(null);
  const out = h('div', { id: 'usage' });
  const period = h('select', { name: 'period', id: 'usage-period' },
    ['week', 'month', 'all'].map((value) => h('option', { value, text: value })));

  const load = async () => {
    show(box, null);
    try {
      const { usage } = await get(`/api/stats/instances/${encodeURIComponent(instance.id)}`, { period: period.value });
      const days = everyDay(usage.dailyStats ?? [], period.value);
      out.replaceChildren(
        h('figure', { class: 'card' },
          h('figcaption', { id: 'usage-caption' }, 'Messages per day: ',
            h('span', { class: 'key sent', text: 'sent' }), ' and ', h('span', { class: 'key received', text: 'received' }),
            ` (UTC days; ${usage.messagesSent} sent, ${usage.messagesReceived} received in all)`),
          chart(days)),
        h('details', {}, h('summary', { text: 'Figures' }),
          table(['Day', 'Sent', 'Received'], days.map((d) => h('tr', {},
            h('td', { text: d.date }), h('td', { text: String(d.sent) }), h('td', { text: String(d.received) }))))),
        h('p', { class: 'muted', text: `API calls ${usage.apiCalls}, webhooks sent ${usage.webhookSent}, media ${usage.mediaSent} sent / ${usage.mediaReceived} received.` }));
    } catch (err) {
      show(box, err);
    }
  };
  period.addEventListener('change', load);
  body.replaceChildren(h('div', { class: 'row filters' }, field('Period', period)), box, out);
  load();
}
