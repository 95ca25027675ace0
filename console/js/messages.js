// Sending a test text message, and a chat's history, page by page.

import { get, post } from './api.js';
import { attempt, errorBox, field, h, pager, table, when } from './dom.js';

const PAGE = 20;

export function messagesTab(body, instance) {
  const { id, base } = instance;
  const sendBox = errorBox(null);
  const sent = h('p', { class: 'notice', role: 'status', id: 'sent', hidden: true });
  const chat = h('input', { name: 'chat', id: 'history-chat', required: true, placeholder: '79001234567 or …@g.us' });
  const history = h('div', { id: 'history' });
  const historyBox = errorBox(null);
  let skip = 0;

  const showHistory = async () => {
    if (!chat.value.trim()) return;
    const page = await attempt(historyBox, null, () =>
      get(`${base}/chats/${encodeURIComponent(chat.value.trim())}/messages`, { limit: PAGE, skip }));
    if (!page) return;
    const rows = page.messages.map((message) => h('tr', { 'data-message': message.messageId },
      h('td', { text: when(message.createdAt) }),
      h('td', { text: message.fromMe ? 'sent' : 'received' }),
      h('td', { text: message.messageType }),
      h('td', { class: 'body', text: message.content ?? (message.hasMedia ? '(media)' : '') }),
      h('td', { text: message.status })));
    history.replaceChildren(
      table(['When', 'Direction', 'Kind', 'Content', 'Status'], rows, 'No messages in this chat.'),
      pager(page.pagination, (next) => {
        skip = next;
        showHistory();
      }));
  };

  const sendForm = h('form', { id: 'send-form', class: 'card' },
    h('h2', { text: 'Send a test message' }),
    field('To (phone number)', h('input', { name: 'phone', id: 'send-phone', type: 'tel', required: true })),
    field('Message', h('textarea', { name: 'message', id: 'send-text', required: true, rows: 3 })),
    sendBox, sent,
    h('button', { type: 'submit', class: 'primary' }, 'Send'));
  sendForm.addEventListener('submit', (event) => {
    event.preventDefault();
    sent.hidden = true;
    attempt(sendBox, sendForm.querySelector('button'), async () => {
      const phone = sendForm.elements.phone.value.trim();
      const answer = await post(`/api/whatsapp/${encodeURIComponent(id)}/send`, {
        phone,
        message: sendForm.elements.message.value,
      });
      sent.hidden = false;
      sent.textContent = `Sent, message id ${answer.id}.`;
      sendForm.elements.message.value = '';
      chat.value = phone;
      skip = 0;
      await showHistory();
    });
  });

  const historyForm = h('form', { id: 'history-form', class: 'card' },
    h('h2', { text: 'Chat history' }),
    field('Chat', chat),
    h('button', { type: 'submit' }, 'Show'),
    historyBox, history);
  historyForm.addEventListener('submit', (event) => {
    event.preventDefault();
    skip = 0;
    showHistory();
  });

  // New messages and receipts of the chat shown appear without a reload.
  instance.listeners.add((type) => {
    if (skip === 0 && ['message_received', 'message_sent', 'message_status'].includes(type)) showHistory();
  });

  body.replaceChildren(sendForm, historyForm);
}
