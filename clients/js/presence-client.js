// presence-client.js: the browser side of the Presence wire protocol (docs/protocol.md).
// A dependency-free ES module. It answers the server's JSON pings, keeps a map of the presence of
// the users the server tells it about, reconnects with exponential backoff and full jitter, closes
// its socket when the page is hidden (pagehide) and reopens it when the page is shown again, and
// stops for good when the server refuses the credentials. Types: presence-client.d.ts.
//
// Everything it touches from the outside (the WebSocket constructor, timers, randomness, the window
// and document event targets) can be injected, so it runs and is tested under Node as it runs in a
// browser. One client owns one socket at a time; it is not meant to be shared across threads
// (JavaScript has none here), and every callback runs on the event loop.

/** Wire names of the availability a user can choose (`set_status`). */
export const AVAILABILITIES = Object.freeze(['available', 'busy', 'away', 'invisible']);

/** Input events that count as activity when activity tracking is on. */
export const ACTIVITY_EVENTS = Object.freeze(['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart']);

/** Close code and reason with which presence-jakarta-websocket refuses a session without a user. */
export const AUTH_REFUSED_CODE = 1008;
export const AUTH_REFUSED_REASON = 'unauthenticated';

const DEFAULT_RECONNECT = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 30000,
  multiplier: 2,
  stableAfterMs: 10000,
  connectTimeoutMs: 15000,
});
const DEFAULT_ACTIVITY_THROTTLE_MS = 10000;
const OPEN = 1;

/**
 * The default test for an authentication refusal: close code 1008 with the reason
 * "unauthenticated", as presence-jakarta-websocket sends it. 1008 with another reason (for example
 * "slow consumer") and 1013 ("try again later") are not refusals: the client retries them.
 *
 * @param {{code: number, reason: string}} event the close event
 * @returns {boolean} true to stop retrying
 */
export function isAuthRefusal(event) {
  return event.code === AUTH_REFUSED_CODE && event.reason === AUTH_REFUSED_REASON;
}

/**
 * Creates a client; call {@link PresenceClient#start} to connect.
 *
 * @param {object} options see presence-client.d.ts (PresenceClientOptions)
 * @returns {PresenceClient}
 */
export function createPresenceClient(options) {
  return new PresenceClient(options);
}

function positive(name, value) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(name + ' must be a positive number: ' + String(value));
  }
  return value;
}

function nonNegative(name, value) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(name + ' must be a non-negative number: ' + String(value));
  }
  return value;
}

function defaultTimers() {
  return {
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: (id) => globalThis.clearTimeout(id),
    now: () => Date.now(),
  };
}

function reportListenerError(error) {
  if (typeof globalThis.reportError === 'function') {
    globalThis.reportError(error);
  } else if (typeof console !== 'undefined') {
    console.error('presence-client: a listener threw', error);
  }
}

function str(value) {
  return typeof value === 'string' ? value : null;
}

function samePresence(a, b) {
  return a.online === b.online && a.status === b.status && a.statusText === b.statusText
    && a.lastActive === b.lastActive && a.lastOnline === b.lastOnline;
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A connection to a Presence server and the presence it has told this page about.
 * Construct it with {@link createPresenceClient}.
 */
export class PresenceClient {
  #url;
  #protocols;
  #WebSocket;
  #timers;
  #random;
  #window;
  #document;
  #reconnect;
  #silenceTimeoutMs;
  #authRefusal;
  #activity;

  #listeners = new Map();
  #users = new Map();
  #state = 'idle';
  #socket = null;
  #generation = 0;
  #failures = 0;
  #opened = false;
  #stale = true;
  #userId = null;
  #metadata = null;
  #lastActivitySent = -Infinity;
  #retryTimer = null;
  #stableTimer = null;
  #connectTimer = null;
  #silenceTimer = null;
  #attached = [];

  constructor(options) {
    if (!isObject(options)) {
      throw new TypeError('options must be an object');
    }
    if (typeof options.url !== 'string' && typeof options.url !== 'function') {
      throw new TypeError('url must be a string or a function returning one: ' + String(options.url));
    }
    this.#url = options.url;
    this.#protocols = options.protocols;
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
    if (typeof this.#WebSocket !== 'function') {
      throw new TypeError('WebSocket must be a constructor (none is global here): ' + String(this.#WebSocket));
    }
    this.#timers = { ...defaultTimers(), ...(options.timers ?? {}) };
    this.#random = options.random ?? Math.random;
    this.#window = options.window === undefined ? globalThis.window : options.window;
    this.#document = options.document === undefined ? globalThis.document : options.document;
    const r = { ...DEFAULT_RECONNECT, ...(options.reconnect ?? {}) };
    positive('reconnect.initialDelayMs', r.initialDelayMs);
    positive('reconnect.maxDelayMs', r.maxDelayMs);
    if (r.maxDelayMs < r.initialDelayMs) {
      throw new RangeError('reconnect.maxDelayMs must be at least reconnect.initialDelayMs: '
        + r.maxDelayMs + ' < ' + r.initialDelayMs);
    }
    if (positive('reconnect.multiplier', r.multiplier) < 1) {
      throw new RangeError('reconnect.multiplier must be at least 1: ' + r.multiplier);
    }
    positive('reconnect.stableAfterMs', r.stableAfterMs);
    nonNegative('reconnect.connectTimeoutMs', r.connectTimeoutMs);
    this.#reconnect = Object.freeze(r);
    this.#silenceTimeoutMs = nonNegative('silenceTimeoutMs', options.silenceTimeoutMs ?? 0);
    this.#authRefusal = options.isAuthRefusal ?? isAuthRefusal;
    const a = options.activity;
    if (a === true || isObject(a)) {
      const o = a === true ? {} : a;
      this.#activity = Object.freeze({
        throttleMs: positive('activity.throttleMs', o.throttleMs ?? DEFAULT_ACTIVITY_THROTTLE_MS),
        events: Object.freeze([...(o.events ?? ACTIVITY_EVENTS)]),
      });
    } else {
      this.#activity = null;
    }
    if (options.metadata !== undefined) {
      this.#metadata = PresenceClient.#checkMetadata(options.metadata);
    }
  }

  // ------------------------------------------------------------------ state

  /** 'idle' | 'connecting' | 'open' | 'waiting' | 'suspended' | 'stopped' */
  get state() {
    return this.#state;
  }

  /** True while the socket is open. */
  get connected() {
    return this.#state === 'open';
  }

  /** The user id the server announced in its last `ready` message, or null. */
  get userId() {
    return this.#userId;
  }

  /**
   * True while the map may miss transitions: before the first `ready`/`presence_state`, after a
   * disconnect, and after a `presence_resync`, until the next `ready` or `presence_state`.
   */
  get stale() {
    return this.#stale;
  }

  /** Consecutive failed attempts since the last successful connection. */
  get failures() {
    return this.#failures;
  }

  /**
   * One user's presence as last heard, or undefined if the server has not spoken of them.
   *
   * @param {string} userId
   */
  get(userId) {
    return this.#users.get(userId);
  }

  /** A snapshot (a new Map) of every known user's presence. */
  users() {
    return new Map(this.#users);
  }

  // ------------------------------------------------------------------ events

  /**
   * Adds a listener; returns a function that removes it. A listener that throws is reported
   * (reportError or console.error) and does not stop the others.
   */
  on(type, listener) {
    if (typeof listener !== 'function') {
      throw new TypeError('listener must be a function: ' + String(listener));
    }
    let set = this.#listeners.get(type);
    if (!set) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener);
    return () => this.off(type, listener);
  }

  /** Removes a listener added with {@link on}. */
  off(type, listener) {
    this.#listeners.get(type)?.delete(listener);
  }

  #emit(type, event) {
    const set = this.#listeners.get(type);
    if (!set) {
      return;
    }
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Connects, and keeps reconnecting until {@link stop} or an authentication refusal. Idempotent
   * while running; after a stop or a refusal it starts again from a fresh backoff.
   */
  start() {
    if (this.#state !== 'idle' && this.#state !== 'stopped') {
      return;
    }
    this.#failures = 0;
    this.#attachPageEvents();
    this.#connect();
  }

  /**
   * Closes the socket (code 1000 unless given) and stops reconnecting. The map is kept.
   *
   * @param {number} [code]
   * @param {string} [reason]
   */
  stop(code = 1000, reason = 'client stopped') {
    if (this.#state === 'idle' || this.#state === 'stopped') {
      return;
    }
    this.#detachPageEvents();
    this.#halt('stopped', code, reason);
  }

  /** Stops the current socket or pending retry and enters `state`; emits close if a socket was open. */
  #halt(state, code, reason) {
    this.#generation++;
    this.#cancelRetry();
    const socket = this.#socket;
    const opened = this.#state === 'open';
    this.#state = state;
    if (socket) {
      this.#drop(socket, code, reason);
      this.#closed(socket, { code, reason, wasClean: true }, opened, false);
    }
  }

  #attachPageEvents() {
    if (this.#attached.length > 0) {
      return;
    }
    const add = (target, type, fn, opts) => {
      if (target && typeof target.addEventListener === 'function') {
        target.addEventListener(type, fn, opts);
        this.#attached.push(() => target.removeEventListener(type, fn, opts));
      }
    };
    add(this.#window, 'pagehide', () => this.#onPageHide());
    add(this.#window, 'pageshow', () => this.#onPageShow());
    add(this.#window, 'online', () => this.#onOnline());
    if (this.#activity) {
      const onInput = () => this.activity();
      for (const type of this.#activity.events) {
        add(this.#document, type, onInput, { capture: true, passive: true });
      }
    }
  }

  #detachPageEvents() {
    for (const remove of this.#attached.splice(0)) {
      remove();
    }
  }

  // A page kept in the back/forward cache keeps its socket open, frozen, while the browser goes
  // on answering ping frames: the server would keep the user online. Close it.
  #onPageHide() {
    if (this.#state === 'idle' || this.#state === 'stopped' || this.#state === 'suspended') {
      return;
    }
    this.#halt('suspended', 1000, 'page hidden');
  }

  #onPageShow() {
    if (this.#state === 'suspended') {
      this.#failures = 0;
      this.#connect();
    }
  }

  // The network is back: do not sit out the rest of a long backoff.
  #onOnline() {
    if (this.#state === 'waiting') {
      this.#cancelRetry();
      this.#connect();
    }
  }

  // ------------------------------------------------------------------ connecting

  async #connect() {
    const generation = ++this.#generation;
    this.#state = 'connecting';
    let url;
    try {
      url = typeof this.#url === 'function'
        ? await this.#url({ attempt: this.#failures, reconnect: this.#opened })
        : this.#url;
    } catch (error) {
      if (generation !== this.#generation) {
        return;
      }
      this.#emit('error', { kind: 'url', message: String(error?.message ?? error), cause: error });
      if (generation === this.#generation) { // a listener may have stopped the client
        this.#retryLater();
      }
      return;
    }
    if (generation !== this.#generation) {
      return; // stopped, hidden or restarted while the url was being fetched
    }
    if (url === null || url === undefined) {
      this.#refused({ code: null, reason: 'no credentials' });
      return;
    }
    let socket;
    try {
      socket = this.#protocols === undefined
        ? new this.#WebSocket(String(url))
        : new this.#WebSocket(String(url), this.#protocols);
    } catch (error) {
      this.#emit('error', { kind: 'socket', message: String(error?.message ?? error), cause: error });
      if (generation === this.#generation) {
        this.#retryLater();
      }
      return;
    }
    this.#socket = socket;
    let opened = false;
    if (this.#reconnect.connectTimeoutMs > 0) {
      this.#connectTimer = this.#timers.setTimeout(() => {
        this.#connectTimer = null;
        if (this.#socket === socket && !opened) {
          this.#abandon(socket, 'connect timeout', false);
        }
      }, this.#reconnect.connectTimeoutMs);
    }
    socket.onopen = () => {
      if (this.#socket !== socket) {
        return;
      }
      opened = true;
      this.#clearTimer('connect');
      const reconnect = this.#opened;
      this.#opened = true;
      this.#state = 'open';
      this.#stableTimer = this.#timers.setTimeout(() => {
        this.#stableTimer = null;
        if (this.#socket === socket) {
          this.#failures = 0;
        }
      }, this.#reconnect.stableAfterMs);
      this.#armSilence(socket);
      this.#emit('open', { reconnect });
      if (this.#metadata && this.#socket === socket) {
        this.#sendOn(socket, { type: 'set_metadata', metadata: this.#metadata });
      }
    };
    socket.onmessage = (event) => {
      if (this.#socket === socket) {
        this.#armSilence(socket);
        this.#onMessage(socket, event.data);
      }
    };
    socket.onclose = (event) => {
      if (this.#socket === socket) {
        this.#closed(socket, event, opened, true);
      }
    };
    socket.onerror = () => {
      // The close event follows and carries what there is to know.
    };
  }

  // Gives up on a socket without waiting for its close event (a dead network can hold it for
  // minutes), and handles it as closed.
  #abandon(socket, reason, opened) {
    this.#drop(socket, 4000, reason);
    this.#closed(socket, { code: 1006, reason, wasClean: false }, opened, true);
  }

  #drop(socket, code, reason) {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    try {
      socket.close(code, reason);
    } catch (error) {
      // Already closing, or a code the browser will not send: the socket is gone either way.
    }
  }

  #closed(socket, event, opened, retry) {
    if (this.#socket === socket) {
      this.#socket = null;
    }
    this.#clearTimer('connect');
    this.#clearTimer('stable');
    this.#clearTimer('silence');
    this.#stale = true;
    const code = typeof event.code === 'number' ? event.code : 1006;
    const reason = typeof event.reason === 'string' ? event.reason : '';
    const wasClean = event.wasClean === true;
    if (retry && this.#authRefusal({ code, reason, wasClean })) {
      this.#state = 'stopped';
      this.#generation++;
      this.#detachPageEvents();
      this.#emit('close', { code, reason, wasClean, opened, willRetry: false, delayMs: null });
      this.#emit('auth_refused', { code, reason });
      return;
    }
    let delayMs = null;
    if (retry) {
      delayMs = this.#retryLater();
    }
    this.#emit('close', { code, reason, wasClean, opened, willRetry: delayMs !== null, delayMs });
  }

  #refused(detail) {
    this.#state = 'stopped';
    this.#generation++;
    this.#detachPageEvents();
    this.#emit('auth_refused', detail);
  }

  /**
   * The next delay: a uniformly random value in [0, ceiling), where the ceiling is
   * initialDelayMs × multiplier^failures, capped at maxDelayMs ("full jitter").
   */
  #retryLater() {
    const r = this.#reconnect;
    const ceiling = Math.min(r.maxDelayMs, r.initialDelayMs * Math.pow(r.multiplier, this.#failures));
    const delayMs = Math.floor(this.#random() * ceiling);
    this.#failures++;
    this.#state = 'waiting';
    this.#cancelRetry();
    const generation = this.#generation;
    this.#retryTimer = this.#timers.setTimeout(() => {
      this.#retryTimer = null;
      if (generation === this.#generation && this.#state === 'waiting') {
        this.#connect();
      }
    }, delayMs);
    return delayMs;
  }

  #cancelRetry() {
    if (this.#retryTimer !== null) {
      this.#timers.clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
    }
  }

  #clearTimer(which) {
    const field = which === 'connect' ? this.#connectTimer : which === 'stable' ? this.#stableTimer : this.#silenceTimer;
    if (field !== null) {
      this.#timers.clearTimeout(field);
    }
    if (which === 'connect') {
      this.#connectTimer = null;
    } else if (which === 'stable') {
      this.#stableTimer = null;
    } else {
      this.#silenceTimer = null;
    }
  }

  // With silenceTimeoutMs set, a socket that has brought nothing for that long (no JSON ping, no
  // message) is taken for a dead network and replaced: browsers hide ping frames from pages.
  #armSilence(socket) {
    if (this.#silenceTimeoutMs <= 0) {
      return;
    }
    this.#clearTimer('silence');
    this.#silenceTimer = this.#timers.setTimeout(() => {
      this.#silenceTimer = null;
      if (this.#socket === socket) {
        this.#abandon(socket, 'silence timeout', true);
      }
    }, this.#silenceTimeoutMs);
  }

  // ------------------------------------------------------------------ messages

  #onMessage(socket, data) {
    if (typeof data !== 'string') {
      return;
    }
    let m;
    try {
      m = JSON.parse(data);
    } catch (error) {
      return;
    }
    if (!isObject(m) || typeof m.type !== 'string') {
      return;
    }
    switch (m.type) {
      case 'ping':
        this.#sendOn(socket, { type: 'pong' });
        return;
      case 'ready':
        this.#userId = str(m.user_id) ?? this.#userId;
        this.#succeeded();
        this.#emit('ready', { userId: this.#userId, message: m });
        this.#emit('resync', { reason: 'ready' });
        break;
      case 'user_status_changed':
        if (typeof m.user_id === 'string' && typeof m.is_online === 'boolean') {
          const p = this.#put(m.user_id, m, true);
          if (p) {
            this.#emit('status', p);
          }
        }
        break;
      case 'presence_state':
        this.#applyState(m);
        break;
      case 'presence_diff':
        this.#applyDiff(m);
        break;
      case 'presence_resync':
        this.#stale = true;
        this.#emit('resync', { reason: 'server' });
        break;
      case 'self_status':
        this.#emit('self', {
          availability: str(m.availability),
          status: str(m.status),
          statusText: str(m.status_text),
          expiresAt: str(m.expires_at),
          message: m,
        });
        break;
      case 'error':
        this.#emit('error', { kind: 'server', error: str(m.error), message: str(m.message) ?? str(m.error) ?? '' });
        break;
      default:
        break;
    }
    this.#emit('message', m);
  }

  #succeeded() {
    this.#failures = 0;
    this.#stale = false;
  }

  // live: the message reports a change as it happens (user_status_changed, presence_diff), so a
  // flip of the online flag is stamped with this client's clock; a snapshot (presence_state, seed)
  // cannot say when a flip happened.
  #entry(userId, wire, previous, live) {
    const online = wire.is_online === true;
    const flipped = previous === undefined || previous.online !== online;
    return Object.freeze({
      userId,
      online,
      // An entry without status (a server before rich presence) keeps what an online user last
      // showed rather than resetting it to available.
      status: str(wire.status) ?? (!online ? 'offline' : previous?.online ? previous.status : 'available'),
      statusText: online ? str(wire.status_text) : null,
      lastActive: str(wire.last_active),
      lastOnline: str(wire.last_online) ?? (!online && previous && !previous.online ? previous.lastOnline : null),
      changedAt: !flipped ? previous.changedAt : live ? this.#timers.now() : null,
    });
  }

  /** Stores the user's presence from wire fields; returns the status event if anything changed. */
  #put(userId, wire, live) {
    const previous = this.#users.get(userId);
    const presence = this.#entry(userId, wire, previous, live);
    if (previous && samePresence(previous, presence)) {
      return null;
    }
    this.#users.set(userId, presence);
    return { userId, presence, previous };
  }

  #applyState(m) {
    if (!isObject(m.users)) {
      return;
    }
    const changes = [];
    const seen = new Set();
    for (const id of Object.keys(m.users)) {
      const wire = m.users[id];
      if (isObject(wire)) {
        seen.add(id);
        const change = this.#put(id, wire, false);
        if (change) {
          changes.push(change);
        }
      }
    }
    for (const [id, previous] of [...this.#users]) {
      if (!seen.has(id)) {
        this.#users.delete(id);
        changes.push({ userId: id, presence: undefined, previous });
      }
    }
    this.#succeeded();
    for (const change of changes) {
      this.#emit('status', change);
    }
    this.#emit('state', { users: this.users() });
  }

  #applyDiff(m) {
    const online = Array.isArray(m.online) ? m.online.filter((id) => typeof id === 'string') : [];
    const offline = Array.isArray(m.offline) ? m.offline.filter((id) => typeof id === 'string') : [];
    const users = isObject(m.users) ? m.users : {};
    const changes = [];
    const done = new Set();
    for (const id of Object.keys(users)) {
      if (isObject(users[id])) {
        done.add(id);
        const change = this.#put(id, users[id], true);
        if (change) {
          changes.push(change);
        }
      }
    }
    for (const id of offline) {
      if (!done.has(id)) {
        done.add(id);
        const previous = this.#users.get(id);
        const change = this.#put(id, { is_online: false, status: 'offline',
          last_active: previous?.lastActive ?? undefined }, true);
        if (change) {
          changes.push(change);
        }
      }
    }
    for (const id of online) {
      if (!done.has(id)) {
        done.add(id);
        const previous = this.#users.get(id);
        const change = this.#put(id, previous?.online
          ? { is_online: true, status: previous.status, status_text: previous.statusText, last_active: previous.lastActive }
          : { is_online: true }, true);
        if (change) {
          changes.push(change);
        }
      }
    }
    for (const change of changes) {
      this.#emit('status', change);
    }
    this.#emit('diff', { online, offline, changes });
  }

  /**
   * Merges presence the host loaded another way (for example `users[*]` of `GET /threads`) into the
   * map: an object keyed by user id, or an array of objects with `id` or `user_id`, each with the
   * wire fields (`is_online`, `status`, `status_text`, `last_active`, `last_online`). Emits `status`
   * for each user whose presence changed.
   */
  seed(users) {
    const list = Array.isArray(users)
      ? users.filter(isObject).map((u) => [str(u.user_id) ?? str(u.id), u])
      : isObject(users) ? Object.keys(users).map((id) => [id, users[id]]) : null;
    if (list === null) {
      throw new TypeError('users must be an object keyed by user id or an array of users: ' + String(users));
    }
    const changes = [];
    for (const [id, wire] of list) {
      if (id !== null && isObject(wire) && typeof wire.is_online === 'boolean') {
        const change = this.#put(id, wire, false);
        if (change) {
          changes.push(change);
        }
      }
    }
    for (const change of changes) {
      this.#emit('status', change);
    }
  }

  // ------------------------------------------------------------------ sending

  #sendOn(socket, message) {
    if (socket.readyState !== OPEN) {
      return false;
    }
    try {
      socket.send(JSON.stringify(message));
      return true;
    } catch (error) {
      return false;
    }
  }

  /**
   * Sends a JSON message if the socket is open. Returns whether it was handed to the socket; nothing
   * is queued while disconnected.
   *
   * @param {object} message
   */
  send(message) {
    if (!isObject(message) || typeof message.type !== 'string') {
      throw new TypeError('message must be an object with a string type');
    }
    return this.#socket !== null && this.#state === 'open' && this.#sendOn(this.#socket, message);
  }

  /**
   * Sends `set_status`. User-level on the server: it applies to every session of the user. Not
   * remembered across reconnects (the server keeps it while the user stays connected; hosts persist
   * preferences themselves).
   *
   * @param {{availability?: string, statusText?: string|null, expiresAt?: string|Date|null}} status
   * @returns {boolean} whether it was sent
   */
  setStatus(status) {
    if (!isObject(status)) {
      throw new TypeError('status must be an object');
    }
    const message = { type: 'set_status' };
    if (status.availability !== undefined) {
      if (!AVAILABILITIES.includes(status.availability)) {
        throw new RangeError('availability must be one of ' + AVAILABILITIES.join(', ') + ": '"
          + String(status.availability) + "'");
      }
      message.availability = status.availability;
    }
    if (status.statusText !== undefined) {
      if (status.statusText !== null && typeof status.statusText !== 'string') {
        throw new TypeError('statusText must be a string or null: ' + String(status.statusText));
      }
      message.status_text = status.statusText;
      if (status.expiresAt !== undefined && status.expiresAt !== null) {
        message.expires_at = status.expiresAt instanceof Date ? status.expiresAt.toISOString() : String(status.expiresAt);
      }
    }
    if (message.availability === undefined && message.status_text === undefined) {
      throw new TypeError('setStatus needs availability or statusText');
    }
    return this.send(message);
  }

  static #checkMetadata(metadata) {
    if (!isObject(metadata)) {
      throw new TypeError('metadata must be an object of strings');
    }
    const copy = {};
    for (const key of Object.keys(metadata)) {
      if (typeof metadata[key] !== 'string') {
        throw new TypeError("metadata value for '" + key + "' must be a string: " + String(metadata[key]));
      }
      copy[key] = metadata[key];
    }
    return Object.freeze(copy);
  }

  /**
   * Replaces this session's metadata (`set_metadata`). Remembered: sent again on every reconnect,
   * since metadata belongs to the connection. Returns whether it was sent now.
   *
   * @param {Record<string, string>} metadata
   */
  setMetadata(metadata) {
    this.#metadata = PresenceClient.#checkMetadata(metadata);
    return this.send({ type: 'set_metadata', metadata: this.#metadata });
  }

  /**
   * Reports user activity (`{"type":"activity"}`), at most once per activity throttle (10 s by
   * default) however often it is called. Input events call it when activity tracking is on.
   * Returns whether a message was sent.
   */
  activity() {
    const throttleMs = this.#activity?.throttleMs ?? DEFAULT_ACTIVITY_THROTTLE_MS;
    const now = this.#timers.now();
    if (now - this.#lastActivitySent < throttleMs) {
      return false;
    }
    if (!this.send({ type: 'activity' })) {
      return false;
    }
    this.#lastActivitySent = now;
    return true;
  }
}
