// The demo page: plain JavaScript modules, no build step, nothing loaded from the network.
// Threads (names, members) come from GET /threads once, and again only when they change
// (an invitation, a new thread). Presence comes from the WebSocket: every (re)connect starts with
// a presence_state of everyone the user shares a thread with, then presence_diff and
// user_status_changed keep it current, so a reconnect repaints every dot without a GET /threads.
// The WebSocket side (pongs, reconnecting with backoff, pagehide/pageshow, the presence map) is
// the library's presence-client.js, served from the presence-jakarta-websocket jar. It closes the
// socket on pagehide because Chromium (156, observed by BrowserBackForwardCacheTest) caches a page
// with an open WebSocket, keeps the socket open and answers its ping frames while the page sits in
// the back/forward cache, and closes it (1001) only when the page is restored: without the handler a
// user who left the page would stay online. The user's own
// settings (status, text, hide last seen) go through PUT /me/presence, which stores them.
import { createPresenceClient, ACTIVITY_EVENTS } from '/presence/presence-client.js';

const state = {
  token: null, userId: null, threads: [], invitations: [], client: null, live: false,
  // The user's own settings, as GET/PUT /me/presence and self_status report them.
  me: { availability: 'available', status_text: null, expires_at: null, hide_last_seen: false },
  // From the server's ready message: automatic away after this long without input (null: off).
  idleAfterMs: null,
  // Per user: whether the server shows me their last seen (false when they or I hide it), learnt
  // from messages with the rich fields: an online entry with a status carries last_active exactly
  // when the policy shows it. Unknown users count as shown (servers without rich fields).
  lastSeenShown: new Map(),
  // Per online user: the status and text of the latest message that carried a status. A
  // presence_diff entry without one ({"is_online":true}, servers that send only the online flag
  // there) says nothing about the status, so it must not turn a busy or away user "available".
  rich: new Map(),
};

// Learns from one user's wire fields whether their last seen is shown to me.
// (While I hide mine the server shows me no one's: nothing to learn about them then.)
function learnLastSeen(id, wire) {
  if (state.me.hide_last_seen || typeof id !== 'string' || wire === null || typeof wire !== 'object') return;
  if (wire.is_online === true && typeof wire.status === 'string') state.lastSeenShown.set(id, 'last_active' in wire);
  else if (wire.is_online === false && typeof wire.last_online === 'string') state.lastSeenShown.set(id, true);
}

function learnEntry(id, wire) {
  if (typeof id !== 'string' || wire === null || typeof wire !== 'object') return;
  learnLastSeen(id, wire);
  if (wire.is_online === false) state.rich.delete(id);
  else if (wire.is_online === true && typeof wire.status === 'string') {
    state.rich.set(id, { status: wire.status, text: typeof wire.status_text === 'string' ? wire.status_text : null });
  }
}

// Runs after the client has applied a message to its map (and repainted): learns what the map
// does not keep, then repaints what it touched.
function learnFromMessage(m) {
  const users = m.users !== null && typeof m.users === 'object' ? m.users : {};
  if (m.type === 'user_status_changed') {
    learnEntry(m.user_id, m);
    repaint(m.user_id);
  } else if (m.type === 'last_seen_shown' && typeof m.user_id === 'string') { // they hid or showed it
    state.lastSeenShown.set(m.user_id, m.shown === true);
    repaint(m.user_id);
  } else if (m.type === 'presence_state') {
    state.rich.clear();
    for (const id of Object.keys(users)) learnEntry(id, users[id]);
    repaint();
  } else if (m.type === 'presence_diff') {
    for (const id of Array.isArray(m.offline) ? m.offline : []) state.rich.delete(id);
    for (const id of Object.keys(users)) learnEntry(id, users[id]);
    repaint();
  }
}

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
  loadSettings();
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
    for (const t of threads) for (const u of t.users) if (u.id !== state.userId) learnLastSeen(u.id, u);
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

// ---------------------------------------------------------------- my status

async function loadSettings() {
  try { showSettings(await api('GET', '/me/presence')); } catch (err) { showError(err.message); }
}

async function saveSettings(change) {
  showError('');
  try {
    const hadHidden = state.me.hide_last_seen;
    showSettings(await api('PUT', '/me/presence', change));
    // Reciprocal: hiding mine hides everyone's from me, so what the server shows me changed.
    if (state.me.hide_last_seen !== hadHidden) {
      state.lastSeenShown.clear();
      refresh();
    }
  } catch (err) {
    showError(err.message);
    showSettings(state.me); // put the controls back to what is stored
  }
}

function showSettings(me) {
  state.me = { availability: me.availability, status_text: me.status_text ?? null,
    expires_at: me.expires_at ?? null, hide_last_seen: me.hide_last_seen === true };
  $('status-availability').value = state.me.availability;
  if (document.activeElement !== $('status-text')) $('status-text').value = state.me.status_text ?? '';
  $('hide-last-seen').checked = state.me.hide_last_seen;
  repaint();
}

$('status-availability').addEventListener('change', () => saveSettings({ availability: $('status-availability').value }));
$('hide-last-seen').addEventListener('change', () => saveSettings({ hide_last_seen: $('hide-last-seen').checked }));
$('status-text-clear').addEventListener('click', () => { $('status-text').value = ''; saveSettings({ status_text: null }); });
$('status-text-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('status-text').value.trim();
  if (!text) { saveSettings({ status_text: null }); return; }
  const expiry = expiryOf($('status-expiry').value);
  saveSettings(expiry ? { status_text: text, expires_at: expiry } : { status_text: text });
  $('status-text').blur();
});

function expiryOf(choice) {
  const now = Date.now();
  const minutes = { '30m': 30, '1h': 60, '4h': 240 }[choice];
  if (minutes) return new Date(now + minutes * 60000).toISOString();
  if (choice === 'today') {
    const end = new Date(now);
    end.setHours(23, 59, 59, 0);
    return end.getTime() > now + 60000 ? end.toISOString() : new Date(now + 3600000).toISOString();
  }
  return null;
}

function myText() {
  const t = state.me.status_text;
  return t && !(state.me.expires_at && Date.parse(state.me.expires_at) <= Date.now()) ? t : null;
}

// ---------------------------------------------------------------- threads

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
        el('span', { class: 'state' }),
        el('span', { class: 'status-text' }),
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

// What to show of a member: for others, the WebSocket's presence map when it knows them (it is
// never older than the thread JSON), else the thread JSON; for the user, their own settings.
function shownPresence(u) {
  if (u.id === state.userId) {
    const invisible = state.me.availability === 'invisible';
    return { online: state.live, status: invisible ? 'invisible' : state.live ? state.me.availability : 'offline',
      text: myText(), lastSeen: null };
  }
  const p = state.client ? state.client.get(u.id) : undefined;
  // Hiding my last seen hides everyone's from me (the server sends none; this covers what it sent before).
  const mayShowLastSeen = !state.me.hide_last_seen;
  if (p) {
    let lastSeen = null;
    if (!p.online && mayShowLastSeen && state.lastSeenShown.get(u.id) !== false) {
      // From the wire if it says; else the moment this page saw them leave, if their last seen
      // is shown to me at all; else what GET /threads said.
      lastSeen = p.lastOnline
        ?? (p.changedAt !== null && state.lastSeenShown.get(u.id) !== false ? new Date(p.changedAt).toISOString() : null)
        ?? (u.is_online === false ? u.last_online ?? null : null);
    }
    const r = p.online ? state.rich.get(u.id) : undefined;
    return { online: p.online, status: r ? r.status : p.status, text: r ? r.text : p.online ? p.statusText : null, lastSeen };
  }
  const online = u.is_online === true;
  return { online, status: u.status ?? (online ? 'available' : 'offline'),
    text: online ? u.status_text ?? null : null,
    lastSeen: !online && mayShowLastSeen && state.lastSeenShown.get(u.id) !== false ? u.last_online ?? null : null };
}

const STATE_WORDS = { busy: 'busy', away: 'away', invisible: 'invisible' };

// Updates one member's dot, state, text and "last seen" in place, so typing in a form is never disturbed.
function paintMember(li, u) {
  const p = shownPresence(u);
  li.setAttribute('data-online', String(p.online));
  li.setAttribute('data-status', p.status);
  const dot = li.querySelector('.dot');
  dot.className = 'dot ' + (p.status === 'invisible' ? 'invisible' : p.online ? 'online ' + p.status : 'offline');
  dot.title = p.status;
  li.querySelector('.state').textContent = STATE_WORDS[p.status] ?? '';
  li.querySelector('.status-text').textContent = p.text ?? '';
  li.querySelector('.seen').textContent = p.online ? '' : ago(p.lastSeen);
}

// Repaints every member row (of one user, if given) from the presence map and the thread JSON.
function repaint(userId) {
  for (const t of state.threads) {
    for (const u of t.users) {
      if (userId !== undefined && u.id !== userId) continue;
      const li = document.querySelector('.thread[data-thread-id="' + CSS.escape(t.id) + '"] .member[data-user-id="' + CSS.escape(u.id) + '"]');
      if (li) paintMember(li, u);
    }
  }
}

// ---------------------------------------------------------------- WebSocket

function showConnection(live) {
  state.live = live;
  repaint(state.userId);
  $('connection').textContent = live ? 'live' : 'offline';
  $('connection').className = 'conn ' + (live ? 'online' : 'offline');
  // While the socket is down the dots may be out of date: dim them until the next resync.
  if (!live) $('threads').classList.add('stale');
}

// tag::client[]
// Called before every attempt. On a reconnect the token is checked over HTTP first: the demo
// refuses a bad token with HTTP 401 before the upgrade, which a browser reports only as a failed
// socket, so a restarted server (new token key) would otherwise be retried forever. A 401 logs out
// (api() does that), which stops the client. The check is GET /me/presence, answered from the
// server's memory (no database read), which also brings the picker up to date.
async function socketUrl({ reconnect }) {
  if (!state.token) return null;
  if (reconnect) {
    try {
      showSettings(await api('GET', '/me/presence'));
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
  // presence_state (sent before ready on every connect) replaced the map: repaint every dot from
  // it. No GET /threads: who is in which thread did not change by reconnecting.
  client.on('state', () => {
    repaint();
    if (!client.stale) $('threads').classList.remove('stale');
  });
  client.on('ready', (e) => {
    const ms = e.message.idle_after_ms;
    state.idleAfterMs = typeof ms === 'number' && ms > 0 ? ms : null;
    if (!client.stale) $('threads').classList.remove('stale');
  });
  client.on('status', (e) => repaint(e.userId));
  // Another of my devices (or tab) changed my status: show it here too.
  client.on('self', (e) => showSettings({ ...state.me, availability: e.availability ?? state.me.availability,
    status_text: e.statusText, expires_at: e.expiresAt }));
  client.on('message', (m) => {
    learnFromMessage(m);
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

// Activity: input in the page tells the server the user is here (automatic away after
// --idle-after without it). Throttled: at most one message per quarter of the idle time, and per
// 10 s at most, so a moving mouse costs nothing. Pings and pongs never count as activity.
let lastActivity = -Infinity;
function onInput() {
  if (!state.client || !state.client.connected) return;
  const every = Math.min(10000, state.idleAfterMs ? state.idleAfterMs / 4 : 10000);
  const now = Date.now();
  if (now - lastActivity < every) return;
  if (state.client.send({ type: 'activity' })) lastActivity = now;
}
for (const type of ACTIVITY_EVENTS) document.addEventListener(type, onInput, { capture: true, passive: true });

// "last seen N min ago" ages while the page stays open, and an expired text of mine disappears.
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
