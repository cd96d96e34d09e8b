// The demo page: plain JavaScript, no build step, nothing loaded from the network.
// Status comes from two places: GET /threads (is_online computed by the server from memory)
// and the WebSocket (user_status_changed events), which keeps the dots current between loads.
'use strict';

const state = { token: null, userId: null, threads: [], invitations: [], socket: null,
  retryMs: 500, retryTimer: null, stopped: false, hidden: false };

const $ = (id) => document.getElementById(id);

function showError(message) { $('error').textContent = message || ''; }

async function api(method, path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (state.token) headers['Authorization'] = 'Bearer ' + state.token;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (res.status === 401 && path !== '/login') {
    logout();
    throw new Error('Your session ended (tokens do not survive a server restart): log in again.');
  }
  if (!res.ok) throw new Error(data.error || (method + ' ' + path + ': HTTP ' + res.status));
  return data;
}

// ---------------------------------------------------------------- login

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  showError('');
  try {
    const data = await api('POST', '/login', { user_id: $('login-user').value.trim() });
    state.token = data.token;
    state.userId = data.user_id;
    sessionStorage.setItem('presence-demo', JSON.stringify({ token: data.token, userId: data.user_id }));
    enterApp();
  } catch (err) { showError(err.message); }
});

function enterApp() {
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  $('whoami').textContent = 'Logged in as ' + state.userId;
  state.stopped = false;
  refresh();
  connect();
}

function logout() {
  state.stopped = true;
  sessionStorage.removeItem('presence-demo');
  if (state.socket) state.socket.close(1000);
  state.token = null;
  $('app-view').hidden = true;
  $('login-view').hidden = false;
}

// ---------------------------------------------------------------- threads

async function refresh() {
  try {
    const [threads, invitations] = await Promise.all([api('GET', '/threads'), api('GET', '/invitations')]);
    state.threads = threads;
    state.invitations = invitations;
    render();
  } catch (err) { showError(err.message); }
}

$('create-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  showError('');
  const users = $('create-users').value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  try {
    await api('POST', '/threads', { name: $('create-name').value, user_ids: users });
    $('create-name').value = '';
    $('create-users').value = '';
    refresh();
  } catch (err) { showError(err.message); }
});

$('stats-button').addEventListener('click', async () => {
  try { $('stats').textContent = JSON.stringify(await api('GET', '/stats'), null, 2); }
  catch (err) { showError(err.message); }
});

function ago(iso) {
  if (!iso) return '';
  const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 60000));
  if (minutes < 1) return 'last seen just now';
  if (minutes < 60) return 'last seen ' + minutes + ' min ago';
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return 'last seen ' + hours + ' h ago';
  return 'last seen ' + new Date(iso).toLocaleString();
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function render() {
  const inv = $('invitations');
  inv.replaceChildren(...state.invitations.map((i) => {
    const button = el('button', { class: 'accept', 'data-thread-id': i.thread_id }, 'Accept');
    button.addEventListener('click', async () => {
      try { await api('POST', '/threads/' + encodeURIComponent(i.thread_id) + '/invitations/accept'); refresh(); }
      catch (err) { showError(err.message); }
    });
    return el('div', { class: 'invitation', 'data-thread-id': i.thread_id },
      i.invited_by + ' invited you to "' + i.thread_name + '" ', button);
  }));

  const list = $('threads');
  if (state.threads.length === 0) {
    list.replaceChildren(el('p', { class: 'hint' }, 'No threads yet: create one with someone in it.'));
    return;
  }
  list.replaceChildren(...state.threads.map((t) => {
    const members = el('ul', { class: 'members' }, ...t.users.map((u) => {
      const li = el('li', { class: 'member', 'data-user-id': u.id },
        el('span', { class: 'dot' }),
        el('span', { class: 'name' }, u.name + (u.id === state.userId ? ' (you)' : '')),
        el('span', { class: 'seen' }));
      paintMember(li, u);
      return li;
    }));
    const pending = (t.invitations || []).map((i) => i.user_id);
    const invite = el('form', { class: 'invite-form' },
      el('input', { class: 'invite-user', placeholder: 'invite someone', required: '' }),
      el('button', { type: 'submit' }, 'Invite'));
    invite.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await api('POST', '/threads/' + encodeURIComponent(t.id) + '/invitations',
          { user_id: invite.querySelector('input').value.trim() });
        refresh();
      } catch (err) { showError(err.message); }
    });
    return el('div', { class: 'thread', 'data-thread-id': t.id },
      el('h2', {}, t.name), members,
      pending.length ? el('p', { class: 'invited' }, 'Invited: ' + pending.join(', ')) : '',
      invite);
  }));
}

// Updates one member's dot and "last seen" in place, so typing in a form is never disturbed.
function paintMember(li, u) {
  const online = u.is_online === true;
  li.setAttribute('data-online', String(online));
  const dot = li.querySelector('.dot');
  dot.className = 'dot ' + (online ? 'online' : 'offline');
  dot.title = online ? 'online' : 'offline';
  li.querySelector('.seen').textContent = online ? '' : ago(u.last_online);
}

function repaint() {
  for (const t of state.threads) {
    for (const u of t.users) {
      const li = document.querySelector('.thread[data-thread-id="' + CSS.escape(t.id) + '"] .member[data-user-id="' + CSS.escape(u.id) + '"]');
      if (li) paintMember(li, u);
    }
  }
}

function setStatus(userId, online) {
  for (const t of state.threads) {
    for (const u of t.users) {
      if (u.id === userId) {
        u.is_online = online;
        if (!online) u.last_online = new Date().toISOString();
      }
    }
  }
  repaint();
}

// ---------------------------------------------------------------- WebSocket

function connect() {
  if (state.stopped || !state.token) return;
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host
    + '/ws?token=' + encodeURIComponent(state.token);
  const socket = new WebSocket(url);
  state.socket = socket;
  socket.onopen = () => {
    state.retryMs = 500;
    showError('');
    $('connection').textContent = 'live';
    $('connection').className = 'conn online';
  };
  socket.onmessage = (e) => {
    let m;
    try { m = JSON.parse(e.data); } catch (err) { return; }
    switch (m.type) {
      case 'ping': socket.send('{"type":"pong"}'); break;
      // Registered: from now on no transition is missed, so load the current state.
      case 'ready': refresh(); break;
      case 'user_status_changed': setStatus(m.user_id, m.is_online); break;
      case 'invitation_accepted':
      case 'member_joined':
      case 'thread_added':
      case 'invitation': refresh(); break;
      default: break;
    }
  };
  socket.onclose = () => {
    if (state.socket !== socket) return;
    $('connection').textContent = 'offline';
    $('connection').className = 'conn offline';
    if (state.stopped || state.hidden) return;
    // Reconnect with exponential backoff and jitter, so a restarted server is not stampeded.
    const delay = state.retryMs + Math.floor(Math.random() * state.retryMs / 2);
    state.retryMs = Math.min(state.retryMs * 2, 15000);
    clearTimeout(state.retryTimer);
    // Check the token over HTTP first: a restarted server refuses it, and then we log out
    // instead of retrying a refused handshake forever.
    state.retryTimer = setTimeout(() => refresh().then(connect), delay);
  };
}

// A page left for another keeps running its WebSocket in the back/forward cache: frozen, yet the
// browser still answers ping frames, so the server would keep the user online. Close it when the
// page is hidden, and reconnect if the page is shown again from that cache.
window.addEventListener('pagehide', () => {
  state.hidden = true;
  if (state.socket) state.socket.close(1000, 'page hidden');
});
window.addEventListener('pageshow', (e) => {
  state.hidden = false;
  if (e.persisted && state.token && !state.stopped) connect();
});

// "last seen N min ago" ages while the page stays open.
setInterval(() => { if (!$('app-view').hidden) repaint(); }, 30000);

(function resume() {
  const saved = sessionStorage.getItem('presence-demo');
  if (!saved) return;
  try {
    const s = JSON.parse(saved);
    state.token = s.token;
    state.userId = s.userId;
    enterApp();
  } catch (err) { sessionStorage.removeItem('presence-demo'); }
})();
