// Building the page from data without ever parsing data as HTML: every text goes
// in as a text node, so a message body or an instance name cannot inject markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'text') element.textContent = value;
    else if (name === 'value' || name === 'checked') element[name] = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  element.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return element;
}

export const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
export const s = (tag, attrs, ...children) => build(document.createElementNS(SVG_NS, tag), attrs, children);

export function errorBox(error) {
  const box = h('p', { class: 'error', role: 'alert' });
  show(box, error);
  return box;
}

/** Shows an error (the API's message, its code aside) or clears the box. */
export function show(box, error) {
  box.replaceChildren();
  box.hidden = !error;
  if (!error) return;
  box.append(error.message || String(error));
  if (error.code && error.code !== 'network') box.append(' ', h('code', { text: error.code }));
}

/**
 * Runs an action from a button or form: disables the button meanwhile, and shows
 * a failure in the box (an ApiError's message) instead of losing it.
 */
export async function attempt(box, button, action) {
  show(box, null);
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (err) {
    show(box, err);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

export function confirmAction(message) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = message;
  dialog.returnValue = 'cancel';
  dialog.showModal();
  document.getElementById('confirm-cancel').focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
  });
}

export function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', { text: label }), input, hint ? h('small', { text: hint }) : null);
}

export function checkbox(label, name, checked) {
  return h('label', { class: 'check' }, h('input', { type: 'checkbox', name, checked: !!checked }), ` ${label}`);
}

/** A table that scrolls sideways on a narrow screen instead of squeezing. */
export function table(headings, rows, empty = 'Nothing yet.') {
  if (rows.length === 0) return h('p', { class: 'muted', text: empty });
  return h('div', { class: 'scroll' },
    h('table', {},
      h('thead', {}, h('tr', {}, headings.map((text) => h('th', { scope: 'col', text })))),
      h('tbody', {}, rows)));
}

/** Previous / next buttons for an API `pagination` block. */
export function pager(pagination, onSkip) {
  const { total, limit, skip, hasMore } = pagination;
  const last = Math.min(skip + limit, total);
  return h('div', { class: 'row pager' },
    h('button', { type: 'button', disabled: skip === 0, onclick: () => onSkip(Math.max(0, skip - limit)) }, 'Previous'),
    h('span', { class: 'muted', text: total === 0 ? 'none' : `${skip + 1}–${last} of ${total}` }),
    h('button', { type: 'button', disabled: !hasMore, onclick: () => onSkip(skip + limit) }, 'Next'));
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}`, 'data-status': status, text: status.replace('_', ' ') });
}

export function when(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** A form's fields as an object: checkboxes as booleans, numbers as numbers. */
export function values(form) {
  const out = {};
  for (const element of form.elements) {
    if (!element.name) continue;
    if (element.type === 'checkbox') out[element.name] = element.checked;
    else if (element.type === 'number') out[element.name] = element.value === '' ? undefined : Number(element.value);
    else out[element.name] = element.value.trim();
  }
  return out;
}

/** Opens a page of the console (again, when it is the one shown). */
export function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}
