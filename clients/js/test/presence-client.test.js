import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createPresenceClient, isAuthRefusal, PresenceClient } from '../presence-client.js';
import { FakeTimers, FakeTarget, fakeWebSocketClass, sequence } from './fakes.js';

/** A client wired to fakes; `random` defaults to 0.5. */
function setup(options = {}) {
  const timers = new FakeTimers();
  const { FakeWebSocket, sockets } = fakeWebSocketClass();
  const window = new FakeTarget();
  const document = new FakeTarget();
  const events = [];
  const client = createPresenceClient({
    url: 'ws://presence.test/ws',
    WebSocket: FakeWebSocket,
    timers,
    random: () => 0.5,
    window,
    document,
    ...options,
  });
  for (const type of ['open', 'ready', 'close', 'status', 'diff', 'state', 'resync', 'auth_refused', 'error', 'self', 'message']) {
    client.on(type, (e) => events.push(type === 'message' ? { type, message: e } : { type, ...e }));
  }
  const last = () => sockets[sockets.length - 1];
  const of = (type) => events.filter((e) => e.type === type);
  return { client, timers, sockets, last, window, document, events, of };
}

/** Lets promise continuations (an async url function) run. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('protocol', () => {
  test('ping is answered with a JSON pong', () => {
    const { client, last } = setup();
    client.start();
    last().serverOpen();
    last().serverSend({ type: 'ping' });
    assert.deepEqual(last().sentMessages(), [{ type: 'pong' }]);
  });

  test('ready: user id known, map fresh, a resync tells the host to load, failures reset', () => {
    const { client, timers, last, of } = setup();
    client.start();
    last().serverClose(1006, '', false);
    timers.advance(of('close')[0].delayMs);
    assert.equal(client.failures, 1);
    last().serverOpen();
    assert.equal(client.stale, true);
    last().serverSend({ type: 'ready', user_id: 'alice' });
    assert.equal(client.userId, 'alice');
    assert.equal(client.stale, false);
    assert.equal(client.failures, 0);
    assert.equal(client.state, 'open');
    assert.deepEqual(of('resync').map((e) => e.reason), ['ready']);
    assert.equal(of('ready')[0].userId, 'alice');
  });

  test('presence_state replaces the whole map and reports each change', () => {
    const { client, last, of } = setup();
    client.start();
    last().serverOpen();
    last().serverSend({ type: 'user_status_changed', user_id: 'gone', is_online: true });
    last().serverSend({ type: 'user_status_changed', user_id: 'u1', is_online: true, status: 'available' });
    last().serverSend({
      type: 'presence_state',
      users: {
        u1: { is_online: true, status: 'busy', status_text: 'In a meeting', last_active: '2026-11-29T10:00:00Z' },
        u2: { is_online: false, status: 'offline', last_online: '2026-11-28T09:00:00Z' },
      },
    });
    assert.deepEqual([...client.users().keys()].sort(), ['u1', 'u2']);
    const u1 = client.get('u1');
    assert.equal(u1.online, true);
    assert.equal(u1.status, 'busy');
    assert.equal(u1.statusText, 'In a meeting');
    assert.equal(u1.lastActive, '2026-11-29T10:00:00Z');
    assert.equal(client.get('u2').lastOnline, '2026-11-28T09:00:00Z');
    assert.equal(client.get('u2').online, false);
    assert.equal(client.get('gone'), undefined);
    const changed = of('status').slice(2).map((e) => [e.userId, e.presence?.status]);
    assert.deepEqual(changed.sort(), [['gone', undefined], ['u1', 'busy'], ['u2', 'offline']]);
    assert.equal(of('state').length, 1);
    assert.equal(of('state')[0].users.size, 2);
    assert.equal(client.stale, false);
  });

  test('user_status_changed updates one user; a repeat changes nothing and says nothing', () => {
    const { client, timers, last, of } = setup();
    client.start();
    last().serverOpen();
    last().serverSend({ type: 'user_status_changed', user_id: 'bob', is_online: true, status: 'away', status_text: 'lunch' });
    last().serverSend({ type: 'user_status_changed', user_id: 'bob', is_online: true, status: 'away', status_text: 'lunch' });
    assert.equal(of('status').length, 1);
    const t0 = timers.now();
    timers.advance(5000);
    last().serverSend({ type: 'user_status_changed', user_id: 'bob', is_online: false, status: 'offline' });
    const bob = client.get('bob');
    assert.equal(bob.online, false);
    assert.equal(bob.status, 'offline');
    assert.equal(bob.statusText, null, 'an offline user shows no status text');
    assert.equal(bob.changedAt, t0 + 5000);
    assert.equal(of('status')[1].previous.status, 'away');
  });

  test('a server without rich presence: status is derived from is_online', () => {
    const { client, last } = setup();
    client.start();
    last().serverOpen();
    last().serverSend({ type: 'user_status_changed', user_id: 'a', is_online: true });
    last().serverSend({ type: 'user_status_changed', user_id: 'b', is_online: false });
    assert.equal(client.get('a').status, 'available');
    assert.equal(client.get('b').status, 'offline');
  });

  test('presence_diff is applied on top of the map', () => {
    const { client, last, of } = setup();
    client.start();
    last().serverOpen();
    last().serverSend({
      type: 'presence_state',
      users: {
        u1: { is_online: false, status: 'offline', last_online: '2026-11-29T08:00:00Z' },
        u2: { is_online: true, status: 'available' },
        u3: { is_online: true, status: 'available' },
        u4: { is_online: true, status: 'busy', status_text: 'focus' },
      },
    });
    const before = of('status').length;
    last().serverSend({
      type: 'presence_diff',
      online: ['u1'],
      offline: ['u2'],
      users: { u1: { is_online: true, status: 'available' }, u3: { is_online: true, status: 'away' } },
    });
    assert.equal(client.get('u1').online, true);
    assert.equal(client.get('u1').lastOnline, null);
    assert.equal(client.get('u2').online, false);
    assert.equal(client.get('u2').status, 'offline');
    assert.equal(client.get('u3').status, 'away');
    assert.equal(client.get('u4').statusText, 'focus', 'users the diff does not name keep their presence');
    const diff = of('diff')[0];
    assert.deepEqual(diff.online, ['u1']);
    assert.deepEqual(diff.offline, ['u2']);
    assert.deepEqual(diff.changes.map((c) => c.userId).sort(), ['u1', 'u2', 'u3']);
    assert.equal(of('status').length - before, 3);
  });

  test('presence_diff rich entries: text, last active and last seen as sent; a missing text clears it', () => {
    const { client, last, of } = setup();
    client.start();
    last().serverOpen();
    last().serverSend({
      type: 'presence_state',
      users: {
        u1: { is_online: true, status: 'busy', status_text: 'Call', last_active: '2026-11-29T09:00:00.000Z' },
        u2: { is_online: true, status: 'available', status_text: 'Lunch' },
        u3: { is_online: true, status: 'available' },
      },
    });
    const before = of('status').length;
    last().serverSend({
      type: 'presence_diff',
      online: [],
      offline: ['u3'],
      users: {
        u1: { is_online: true, status: 'away', status_text: 'Later', last_active: '2026-11-29T09:30:00.000Z' },
        u2: { is_online: true, status: 'available' },
        u3: { is_online: false, status: 'offline', last_online: '2026-11-29T10:03:12.345Z' },
      },
    });
    assert.deepEqual([client.get('u1').status, client.get('u1').statusText, client.get('u1').lastActive],
      ['away', 'Later', '2026-11-29T09:30:00.000Z']);
    assert.equal(client.get('u1').online, true, 'a users-only entry keeps the user online');
    assert.equal(client.get('u1').changedAt, null, 'no flip: a status change is not an online change');
    assert.equal(client.get('u2').statusText, null, 'an entry without status_text means no text');
    assert.equal(client.get('u3').online, false);
    assert.equal(client.get('u3').lastOnline, '2026-11-29T10:03:12.345Z');
    assert.equal(of('status').length - before, 3);
    assert.deepEqual(of('diff')[0].changes.map((c) => c.userId).sort(), ['u1', 'u2', 'u3']);
  });

  test('an entry without status keeps the status an online user last showed', () => {
    const { client, last } = setup();
    client.start();
    last().serverOpen();
    last().serverSend({ type: 'presence_state', users: { u1: { is_online: true, status: 'busy' } } });
    last().serverSend({ type: 'presence_diff', online: [], offline: [], users: { u1: { is_online: true } } });
    assert.equal(client.get('u1').status, 'busy');
    last().serverSend({ type: 'presence_diff', online: [], offline: ['u1'] });
    last().serverSend({ type: 'presence_diff', online: [], offline: [], users: { u1: { is_online: true } } });
    assert.equal(client.get('u1').status, 'available', 'a user coming online without a status is available');
  });

  test('presence_diff naming an id only in online/offline still flips it', () => {
    const { client, last } = setup();
    client.start();
    last().serverOpen();
    last().serverSend({ type: 'presence_diff', online: ['x'], offline: ['y'] });
    assert.equal(client.get('x').online, true);
    assert.equal(client.get('x').status, 'available');
    assert.equal(client.get('y').online, false);
  });

  test('presence_resync marks the map stale and tells the host', () => {
    const { client, last, of } = setup();
    client.start();
    last().serverOpen();
    last().serverSend({ type: 'ready', user_id: 'a' });
    last().serverSend({ type: 'presence_resync' });
    assert.equal(client.stale, true);
    assert.deepEqual(of('resync').map((e) => e.reason), ['ready', 'server']);
    last().serverSend({ type: 'presence_state', users: {} });
    assert.equal(client.stale, false);
  });

  test('server errors, self status and application messages become events; junk is ignored', () => {
    const { client, last, of } = setup();
    client.start();
    last().serverOpen();
    last().serverSend('not json');
    last().serverSend('[1,2]');
    last().serverSend({ no: 'type' });
    last().serverSend({ type: 'error', error: 'bad_request', message: 'statusText must be at most 100 code points: 131' });
    last().serverSend({ type: 'self_status', availability: 'invisible', status: 'available', status_text: 'focus',
      expires_at: '2026-11-29T12:00:00Z' });
    last().serverSend({ type: 'invitation_accepted', thread_id: 't1' });
    assert.deepEqual(of('error').map((e) => [e.kind, e.error, e.message]),
      [['server', 'bad_request', 'statusText must be at most 100 code points: 131']]);
    assert.deepEqual([of('self')[0].availability, of('self')[0].status, of('self')[0].statusText, of('self')[0].expiresAt],
      ['invisible', 'available', 'focus', '2026-11-29T12:00:00Z']);
    assert.deepEqual(of('message').map((e) => e.message.type), ['error', 'self_status', 'invitation_accepted']);
  });
});

describe('reconnect', () => {
  test('full jitter: each delay is random() × a ceiling that doubles from 500 ms up to 30 s', () => {
    const { client, timers, last, of } = setup({ random: () => 0.999999 });
    client.start();
    const delays = [];
    for (let i = 0; i < 10; i++) {
      last().serverClose(1006, '', false);
      delays.push(of('close').at(-1).delayMs);
      timers.advance(of('close').at(-1).delayMs);
    }
    assert.deepEqual(delays, [499, 999, 1999, 3999, 7999, 15999, 29999, 29999, 29999, 29999]);
  });

  test('full jitter: the delay spans [0, ceiling) with random()', () => {
    for (const [r, expected] of [[0, 0], [0.25, 125], [0.5, 250], [0.75, 375]]) {
      const { client, last, of } = setup({ random: () => r });
      client.start();
      last().serverClose(1006, '', false);
      assert.equal(of('close')[0].delayMs, expected);
      assert.equal(of('close')[0].willRetry, true);
    }
  });

  test('delays stay within the bounds over many random draws', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const { client, timers, last, of } = setup({ random, reconnect: { initialDelayMs: 100, maxDelayMs: 2000 } });
    client.start();
    const seen = [];
    for (let i = 0; i < 200; i++) {
      last().serverClose(1006, '', false);
      const { delayMs } = of('close').at(-1);
      const ceiling = Math.min(2000, 100 * 2 ** i);
      assert.ok(delayMs >= 0 && delayMs < ceiling, `attempt ${i}: ${delayMs} not in [0, ${ceiling})`);
      seen.push(delayMs);
      timers.advance(delayMs);
    }
    const late = seen.slice(10);
    assert.ok(Math.min(...late) < 400 && Math.max(...late) > 1600, 'jitter covers the whole range');
  });

  test('the backoff resets after a success (ready), and after a socket stays open', () => {
    const { client, timers, last, of } = setup({ random: () => 0.999999 });
    client.start();
    for (let i = 0; i < 4; i++) {
      last().serverClose(1006, '', false);
      timers.advance(of('close').at(-1).delayMs);
    }
    assert.equal(of('close').at(-1).delayMs, 3999);
    last().serverOpen();
    last().serverSend({ type: 'ready', user_id: 'a' });
    last().serverClose(1001, 'server shutting down');
    assert.equal(of('close').at(-1).delayMs, 499, 'after ready');

    for (let i = 0; i < 3; i++) {
      timers.advance(of('close').at(-1).delayMs);
      last().serverClose(1006, '', false);
    }
    assert.equal(of('close').at(-1).delayMs, 3999);
    timers.advance(of('close').at(-1).delayMs);
    last().serverOpen(); // a server that sends no ready
    timers.advance(9_999);
    assert.equal(client.failures, 4, 'not yet stable');
    timers.advance(1);
    assert.equal(client.failures, 0);
    last().serverClose(1006, '', false);
    assert.equal(of('close').at(-1).delayMs, 499, 'after a stable open');
  });

  test('a socket that opens and is closed at once does not reset the backoff', () => {
    const { client, timers, last, of } = setup({ random: () => 0.999999 });
    client.start();
    for (let i = 0; i < 5; i++) {
      last().serverOpen();
      last().serverClose(1013, 'try again later');
      timers.advance(of('close').at(-1).delayMs);
    }
    assert.deepEqual(of('close').map((e) => e.delayMs), [499, 999, 1999, 3999, 7999]);
    assert.ok(of('close').every((e) => e.willRetry), '1013 means try again later');
  });

  test('after a reconnect the map is stale until ready, then a resync reloads and presence_state repaints', () => {
    const { client, timers, sockets, last, of } = setup();
    client.start();
    last().serverOpen();
    last().serverSend({ type: 'ready', user_id: 'alice' });
    last().serverSend({ type: 'presence_state', users: { bob: { is_online: true, status: 'available' } } });
    assert.equal(client.stale, false);
    last().serverClose(1006, '', false); // network drop: bob goes offline meanwhile
    assert.equal(client.stale, true);
    assert.equal(client.get('bob').online, true, 'the last known value is kept, flagged stale');
    timers.advance(of('close').at(-1).delayMs);
    assert.equal(sockets.length, 2);
    last().serverOpen();
    assert.equal(of('open').at(-1).reconnect, true);
    last().serverSend({ type: 'ready', user_id: 'alice' });
    assert.deepEqual(of('resync').map((e) => e.reason), ['ready', 'ready']);
    last().serverSend({ type: 'presence_state', users: { bob: { is_online: false, status: 'offline', last_online: '2026-11-29T11:00:00Z' } } });
    assert.equal(client.get('bob').online, false);
    assert.equal(client.get('bob').lastOnline, '2026-11-29T11:00:00Z');
    assert.equal(of('status').at(-1).userId, 'bob');
    assert.equal(client.stale, false);
  });

  test('the url function is called for every attempt, so each gets a fresh token', async () => {
    let token = 0;
    const calls = [];
    const { client, timers, sockets, last, of } = setup({
      url: async (ctx) => {
        calls.push(ctx);
        return 'ws://presence.test/ws?token=t' + (++token);
      },
    });
    client.start();
    await flush();
    last().serverOpen();
    last().serverClose(1006, '', false);
    timers.advance(of('close').at(-1).delayMs);
    await flush();
    last().serverClose(1006, '', false);
    timers.advance(of('close').at(-1).delayMs);
    await flush();
    assert.deepEqual(sockets.map((s) => s.url), ['ws://presence.test/ws?token=t1', 'ws://presence.test/ws?token=t2',
      'ws://presence.test/ws?token=t3']);
    assert.deepEqual(calls, [{ attempt: 0, reconnect: false }, { attempt: 1, reconnect: true }, { attempt: 2, reconnect: true }]);
  });

  test('a url function that throws is an error event and a retry; one returning null is a refusal', async () => {
    let fail = true;
    let refuse = false;
    const { client, timers, sockets, of } = setup({
      url: () => {
        if (refuse) return null;
        if (fail) throw new Error('token endpoint down');
        return 'ws://x/ws';
      },
    });
    client.start();
    await flush();
    assert.equal(sockets.length, 0);
    assert.equal(of('error')[0].kind, 'url');
    assert.equal(of('error')[0].message, 'token endpoint down');
    assert.equal(client.state, 'waiting');
    refuse = true;
    timers.advance(30_000);
    await flush();
    assert.equal(client.state, 'stopped');
    assert.deepEqual(of('auth_refused').map((e) => [e.code, e.reason]), [[null, 'no credentials']]);
    assert.equal(timers.pendingCount, 0);
  });
});

describe('authentication refusal', () => {
  test('close 1008 "unauthenticated" stops retrying with a clear event', () => {
    const { client, timers, sockets, last, of, window } = setup();
    client.start();
    last().serverOpen();
    last().serverClose(1008, 'unauthenticated');
    assert.equal(client.state, 'stopped');
    assert.deepEqual(of('auth_refused').map((e) => [e.code, e.reason]), [[1008, 'unauthenticated']]);
    assert.equal(of('close')[0].willRetry, false);
    assert.equal(timers.pendingCount, 0);
    timers.advance(10 * 60_000);
    window.dispatch('online');
    window.dispatch('pageshow', { persisted: true });
    assert.equal(sockets.length, 1, 'no attempt after a refusal');
    client.start(); // e.g. after logging in again
    assert.equal(sockets.length, 2);
  });

  test('1008 for another reason (slow consumer) and 1013 are retried', () => {
    for (const [code, reason] of [[1008, 'slow consumer'], [1013, 'try again later'], [1011, 'error'], [1001, 'heartbeat timeout']]) {
      const { client, timers, sockets, last, of } = setup();
      client.start();
      last().serverOpen();
      last().serverClose(code, reason);
      assert.equal(of('auth_refused').length, 0, code + ' ' + reason);
      timers.advance(of('close')[0].delayMs);
      assert.equal(sockets.length, 2, code + ' ' + reason);
    }
  });

  test('isAuthRefusal is replaceable, for servers that refuse another way', () => {
    const { client, last, of } = setup({ isAuthRefusal: (e) => e.code === 4401 });
    client.start();
    last().serverClose(4401, 'token expired');
    assert.equal(of('auth_refused').length, 1);
    assert.equal(isAuthRefusal({ code: 1008, reason: 'unauthenticated' }), true);
    assert.equal(isAuthRefusal({ code: 1008, reason: 'slow consumer' }), false);
  });
});

describe('page lifecycle', () => {
  test('pagehide closes the socket and stops retrying; pageshow reconnects at once', () => {
    const { client, timers, sockets, last, of, window } = setup();
    client.start();
    last().serverOpen();
    const first = last();
    window.dispatch('pagehide', { persisted: true });
    assert.deepEqual(first.closedWith, { code: 1000, reason: 'page hidden' });
    assert.equal(client.state, 'suspended');
    assert.equal(of('close')[0].willRetry, false);
    assert.equal(timers.pendingCount, 0);
    first.serverClose(1000, 'page hidden'); // the close event that follows is not a failure
    timers.advance(60_000);
    assert.equal(sockets.length, 1);
    window.dispatch('pageshow', { persisted: true });
    assert.equal(sockets.length, 2);
    assert.equal(client.state, 'connecting');
    assert.equal(client.failures, 0);
  });

  test('pagehide while waiting to retry cancels the retry', () => {
    const { client, timers, sockets, last, window } = setup();
    client.start();
    last().serverClose(1006, '', false);
    window.dispatch('pagehide', { persisted: true });
    timers.advance(60_000);
    assert.equal(sockets.length, 1);
    window.dispatch('pageshow', { persisted: true });
    assert.equal(sockets.length, 2);
  });

  test('pagehide during an async url lookup opens no socket', async () => {
    let release;
    const { client, sockets, window } = setup({ url: () => new Promise((resolve) => { release = resolve; }) });
    client.start();
    window.dispatch('pagehide', { persisted: true });
    release('ws://x/ws');
    await flush();
    assert.equal(sockets.length, 0);
    assert.equal(client.state, 'suspended');
  });

  test('a first pageshow (not from the cache) does nothing', () => {
    const { client, sockets, window } = setup();
    client.start();
    window.dispatch('pageshow', { persisted: false });
    assert.equal(sockets.length, 1);
  });

  test('online cuts a long backoff short', () => {
    const { client, timers, sockets, last, of, window } = setup({ random: () => 0.999999 });
    client.start();
    for (let i = 0; i < 6; i++) {
      last().serverClose(1006, '', false);
      timers.advance(of('close').at(-1).delayMs);
    }
    last().serverClose(1006, '', false);
    assert.ok(of('close').at(-1).delayMs > 20_000);
    window.dispatch('online');
    assert.equal(sockets.length, 8);
    assert.equal(timers.pendingCount, 1, 'only the connect timeout; the retry timer is gone');
  });

  test('stop closes with 1000, schedules nothing and removes its page listeners', () => {
    const { client, timers, last, window, of } = setup({ activity: true });
    client.start();
    last().serverOpen();
    assert.equal(window.count('pagehide'), 1);
    client.stop();
    assert.deepEqual(last().closedWith, { code: 1000, reason: 'client stopped' });
    assert.equal(client.state, 'stopped');
    assert.equal(of('close')[0].willRetry, false);
    assert.equal(timers.pendingCount, 0);
    assert.equal(window.count('pagehide') + window.count('pageshow') + window.count('online'), 0);
  });
});

describe('timeouts', () => {
  test('a socket that never opens is given up after connectTimeoutMs and retried', () => {
    const { client, timers, sockets, of } = setup({ reconnect: { connectTimeoutMs: 5000 } });
    client.start();
    timers.advance(4999);
    assert.equal(sockets.length, 1);
    timers.advance(1);
    assert.equal(sockets[0].closedWith.reason, 'connect timeout');
    assert.equal(of('close')[0].code, 1006);
    assert.equal(of('close')[0].opened, false);
    timers.advance(of('close')[0].delayMs);
    assert.equal(sockets.length, 2);
  });

  test('with silenceTimeoutMs, a socket that brings nothing is replaced; pings keep it', () => {
    const { client, timers, sockets, last, of } = setup({ silenceTimeoutMs: 3000 });
    client.start();
    last().serverOpen();
    for (let i = 0; i < 5; i++) {
      timers.advance(2000);
      last().serverSend({ type: 'ping' });
    }
    assert.equal(of('close').length, 0);
    timers.advance(3000);
    assert.equal(of('close')[0].reason, 'silence timeout');
    assert.equal(sockets[0].closedWith.code, 4000);
    timers.advance(of('close')[0].delayMs);
    assert.equal(sockets.length, 2);
  });
});

describe('sending', () => {
  test('activity tracking sends at most one activity per throttle window', () => {
    const { client, timers, last, document } = setup({ activity: { throttleMs: 10_000 } });
    client.start();
    last().serverOpen();
    for (let i = 0; i < 30; i++) { // 30 s of input, one event a second
      timers.advance(i === 0 ? 0 : 1000);
      document.dispatch(i % 2 ? 'keydown' : 'pointermove');
    }
    assert.deepEqual(last().sentMessages(), [{ type: 'activity' }, { type: 'activity' }, { type: 'activity' }]);
    assert.equal(client.activity(), false);
  });

  test('no activity is sent, or counted, while disconnected', () => {
    const { client, last, document } = setup({ activity: true });
    client.start();
    document.dispatch('keydown');
    last().serverOpen();
    document.dispatch('keydown');
    assert.deepEqual(last().sentMessages(), [{ type: 'activity' }]);
  });

  test('without activity tracking, input sends nothing', () => {
    const { client, last, document } = setup();
    client.start();
    last().serverOpen();
    document.dispatch('keydown');
    assert.deepEqual(last().sent, []);
    assert.equal(document.count('keydown'), 0);
  });

  test('setStatus sends set_status; bad values fail at once', () => {
    const { client, last } = setup();
    client.start();
    assert.equal(client.setStatus({ availability: 'busy' }), false, 'not open yet');
    last().serverOpen();
    assert.equal(client.setStatus({ availability: 'busy', statusText: 'In a meeting', expiresAt: new Date('2026-11-29T12:00:00Z') }), true);
    client.setStatus({ statusText: null });
    assert.deepEqual(last().sentMessages(), [
      { type: 'set_status', availability: 'busy', status_text: 'In a meeting', expires_at: '2026-11-29T12:00:00.000Z' },
      { type: 'set_status', status_text: null },
    ]);
    assert.throws(() => client.setStatus({ availability: 'asleep' }),
      { message: "availability must be one of available, busy, away, invisible: 'asleep'" });
    assert.throws(() => client.setStatus({}), { message: 'setStatus needs availability or statusText' });
  });

  test('metadata is sent on every open, and setMetadata replaces it', () => {
    const { client, timers, last, of } = setup({ metadata: { device: 'web' } });
    client.start();
    last().serverOpen();
    assert.deepEqual(last().sentMessages(), [{ type: 'set_metadata', metadata: { device: 'web' } }]);
    client.setMetadata({ device: 'web', app: '2.3.1' });
    last().serverClose(1006, '', false);
    timers.advance(of('close')[0].delayMs);
    last().serverOpen();
    assert.deepEqual(last().sentMessages(), [{ type: 'set_metadata', metadata: { device: 'web', app: '2.3.1' } }]);
    assert.throws(() => client.setMetadata({ n: 1 }), { message: "metadata value for 'n' must be a string: 1" });
  });
});

describe('api', () => {
  test('options are validated with messages that name the setting', () => {
    const { FakeWebSocket } = fakeWebSocketClass();
    assert.throws(() => createPresenceClient({ url: 42, WebSocket: FakeWebSocket }),
      { message: 'url must be a string or a function returning one: 42' });
    assert.throws(() => createPresenceClient({ url: 'ws://x', WebSocket: FakeWebSocket, reconnect: { initialDelayMs: 0 } }),
      { message: 'reconnect.initialDelayMs must be a positive number: 0' });
    assert.throws(() => createPresenceClient({ url: 'ws://x', WebSocket: FakeWebSocket, reconnect: { initialDelayMs: 5000, maxDelayMs: 1000 } }),
      { message: 'reconnect.maxDelayMs must be at least reconnect.initialDelayMs: 1000 < 5000' });
    assert.throws(() => createPresenceClient({ url: 'ws://x', WebSocket: FakeWebSocket, activity: { throttleMs: -1 } }),
      { message: 'activity.throttleMs must be a positive number: -1' });
    assert.throws(() => createPresenceClient({ url: 'ws://x', WebSocket: undefined, window: null }),
      { name: 'TypeError' });
  });

  test('a listener that throws does not stop the others; on() returns an unsubscribe', () => {
    const { client, last } = setup();
    const seen = [];
    const errors = [];
    const original = globalThis.reportError;
    globalThis.reportError = (e) => errors.push(e.message);
    try {
      client.on('status', () => { throw new Error('boom'); });
      const off = client.on('status', (e) => seen.push(e.userId));
      client.start();
      last().serverOpen();
      last().serverSend({ type: 'user_status_changed', user_id: 'a', is_online: true });
      off();
      last().serverSend({ type: 'user_status_changed', user_id: 'b', is_online: true });
    } finally {
      globalThis.reportError = original;
    }
    assert.deepEqual(seen, ['a']);
    assert.deepEqual(errors, ['boom', 'boom']);
  });

  test('the package name resolves through package.json exports to this module', async () => {
    const viaName = await import('presence-client');
    assert.equal(viaName.createPresenceClient, createPresenceClient);
    assert.equal(viaName.PresenceClient, PresenceClient);
  });

  test('seed merges presence loaded over HTTP (thread users) into the map', () => {
    const { client, of } = setup();
    client.seed([{ id: 'a', is_online: true }, { id: 'b', is_online: false, last_online: '2026-11-29T09:00:00Z' }, { id: 'c' }]);
    assert.equal(client.get('a').online, true);
    assert.equal(client.get('b').lastOnline, '2026-11-29T09:00:00Z');
    assert.equal(client.get('b').changedAt, null);
    assert.equal(client.get('c'), undefined, 'no is_online, nothing known');
    client.seed({ a: { is_online: true } });
    assert.equal(of('status').length, 2);
    assert.ok(client instanceof PresenceClient);
  });
});
