// The demo page: plain JavaScript modules, no build step, nothing loaded from the network.
// Status comes from two places: GET /threads (is_online computed by the server from memory)
// and the WebSocket, which keeps the dots current between loads. The WebSocket side (pongs,
// reconnecting with backoff, pagehide/pageshow, resync after a reconnect) is the library's
// presence-client.js, served from the presence-jakarta-websocket jar.
import { createPresenceClient } from '/presence/presence-client.js';

const state = { token: null, userId: null, threads: [], invitations: [], client: null };

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
  refresh();
  connect();
}

function logout() {
  sessionStorage.removeItem('presence-demo');
  if (state.client) state.client.stop();
  state.client = null;
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

function setStatus(userId, presence) {
  for (const t of state.threads) {
    for (const u of t.users) {
      if (u.id === userId) {
        u.is_online = presence.online;
        if (!presence.online) u.last_online = presence.lastOnline || new Date(presence.changedAt || Date.now()).toISOString();
      }
    }
  }
  repaint();
}

// ---------------------------------------------------------------- WebSocket

function showConnection(live) {
  $('connection').textContent = live ? 'live' : 'offline';
  $('connection').className = 'conn ' + (live ? 'online' : 'offline');
  // While the socket is down the dots may be out of date: dim them until the next resync.
  if (!live) $('threads').classList.add('stale');
}

// tag::client[]
// Called before every attempt. On a reconnect the token is checked over HTTP first: the demo
// refuses a bad token with HTTP 401 before the upgrade, which a browser reports only as a failed
// socket, so a restarted server (new token key) would otherwise be retried forever. A 401 logs out
// (api() does that), which stops the client.
async function socketUrl({ reconnect }) {
  if (!state.token) return null;
  if (reconnect) {
    try {
      await api('GET', '/invitations');
    } catch (err) {
      if (!state.token) { // refused: api() logged out
        showError(err.message);
        return null;
      }
      throw err; // the server is not back yet: the client retries with backoff
    }
  }
  return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host
    + '/ws?token=' + encodeURIComponent(state.token);
}

function connect() {
  if (!state.token || state.client) return;
  const client = createPresenceClient({ url: socketUrl });
  state.client = client;
  client.on('open', () => { showError(''); showConnection(true); });
  client.on('close', () => showConnection(false));
  // Registered (after every reconnect too): from now on no transition is missed, so load the state.
  client.on('resync', async () => {
    await refresh();
    if (!client.stale) $('threads').classList.remove('stale');
  });
  client.on('status', (e) => { if (e.presence) setStatus(e.userId, e.presence); });
  client.on('message', (m) => {
    if (['invitation_accepted', 'member_joined', 'thread_added', 'invitation'].includes(m.type)) refresh();
  });
  client.on('auth_refused', () => {
    if (state.client === client) {
      logout();
      showError('The server refused your session: log in again.');
    }
  });
  client.start();
}
// end::client[]

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
