// Test doubles: a scripted WebSocket, a manual clock with timers, a queue of random numbers and a
// minimal event target. Nothing here sleeps; tests advance the clock.

export class FakeTimers {
  #now = 1_000_000;
  #nextId = 1;
  #pending = new Map();

  setTimeout = (fn, ms) => {
    const id = this.#nextId++;
    this.#pending.set(id, { at: this.#now + Math.max(0, ms), fn, ms });
    return id;
  };

  clearTimeout = (id) => {
    this.#pending.delete(id);
  };

  now = () => this.#now;

  /** Delays of the timers still pending, in creation order. */
  pendingDelays() {
    return [...this.#pending.values()].map((t) => t.ms);
  }

  get pendingCount() {
    return this.#pending.size;
  }

  /** Advances the clock, running due timers in time order (timers they schedule too). */
  advance(ms) {
    const end = this.#now + ms;
    for (;;) {
      let next = null;
      for (const [id, t] of this.#pending) {
        if (t.at <= end && (next === null || t.at < next[1].at)) {
          next = [id, t];
        }
      }
      if (next === null) {
        break;
      }
      this.#pending.delete(next[0]);
      this.#now = next[1].at;
      next[1].fn();
    }
    this.#now = end;
  }
}

export class FakeTarget {
  listeners = new Map();

  addEventListener(type, fn) {
    if (!this.listeners.has(type)) {
      this.listeners.set(type, new Set());
    }
    this.listeners.get(type).add(fn);
  }

  removeEventListener(type, fn) {
    this.listeners.get(type)?.delete(fn);
  }

  count(type) {
    return this.listeners.get(type)?.size ?? 0;
  }

  dispatch(type, event = {}) {
    for (const fn of [...(this.listeners.get(type) ?? [])]) {
      fn({ type, ...event });
    }
  }
}

/** A WebSocket class whose instances are recorded; the test plays the server. */
export function fakeWebSocketClass() {
  const sockets = [];
  class FakeWebSocket {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSING = 2;
    static CLOSED = 3;
    readyState = 0;
    sent = [];
    closedWith = null;
    onopen = null;
    onmessage = null;
    onclose = null;
    onerror = null;

    constructor(url, protocols) {
      this.url = url;
      this.protocols = protocols;
      sockets.push(this);
    }

    send(data) {
      if (this.readyState !== 1) {
        throw new Error('InvalidStateError: not open');
      }
      this.sent.push(data);
    }

    close(code, reason) {
      this.closedWith = { code, reason };
      this.readyState = 2;
    }

    // --- the server's side
    serverOpen() {
      this.readyState = 1;
      this.onopen?.({});
    }

    serverSend(message) {
      this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
    }

    serverClose(code, reason = '', wasClean = true) {
      this.readyState = 3;
      this.onclose?.({ code, reason, wasClean });
    }

    sentMessages() {
      return this.sent.map((s) => JSON.parse(s));
    }
  }
  return { FakeWebSocket, sockets };
}

/** random() returning the given values in turn, then the last one forever. */
export function sequence(...values) {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)];
}
