// Compiled by `tsc --noEmit` only (never run): the declarations describe the API the tests use,
// and reject what the client rejects. Every @ts-expect-error line must be an error, or tsc fails.
import {
  createPresenceClient, isAuthRefusal, PresenceClient, AVAILABILITIES, AUTH_REFUSED_CODE,
  type UserPresence, type Status, type Availability, type WebSocketConstructor, type CloseEvent,
  type PresenceDiffMessage, type PresenceStateMessage, type UserStatusChangedMessage, type WirePresence,
} from '../presence-client.js';
import * as viaPackage from 'presence-client'; // package.json "exports" -> "types"

declare const FakeSocket: WebSocketConstructor;
const sameFactory: typeof createPresenceClient = viaPackage.createPresenceClient;

const client: PresenceClient = createPresenceClient({
  url: async ({ attempt, reconnect }) => (attempt > 3 && reconnect ? null : 'wss://example.test/ws?token=t'),
  WebSocket: FakeSocket,
  reconnect: { initialDelayMs: 500, maxDelayMs: 30_000 },
  activity: { throttleMs: 10_000 },
  metadata: { device: 'web' },
  silenceTimeoutMs: 90_000,
  timers: { now: () => 0 },
  random: Math.random,
  window: null,
  document: null,
});

client.on('status', ({ userId, presence, previous }) => {
  const online: boolean | undefined = presence?.online;
  const status: Status | undefined = presence?.status;
  const since: number | null | undefined = presence?.changedAt;
  const was: string | null | undefined = previous?.lastOnline;
  void [userId.toUpperCase(), online, status, since, was];
});
client.on('diff', (e) => e.changes.forEach((c) => c.userId));
client.on('state', (e) => e.users.get('u1')?.statusText);
client.on('resync', (e) => (e.reason === 'ready' || e.reason === 'server'));
client.on('close', (e: CloseEvent) => (e.willRetry ? e.delayMs : e.code));
client.on('auth_refused', (e) => e.code ?? 'no credentials');
client.on('error', (e) => (e.kind === 'server' ? e.error : e.cause));
client.on('message', (m) => m.type);
client.on('self', (e) => { const chosen: Availability | null = e.availability; return [chosen, e.expiresAt]; });
const off: () => void = client.on('open', (e) => e.reconnect);
off();

const bob: UserPresence | undefined = client.get('bob');
const all: Map<string, UserPresence> = client.users();
client.seed([{ id: 'a', is_online: true, last_online: '2026-11-29T10:00:00Z' }]);
client.seed({ b: { is_online: false, status: 'offline' } });
client.setStatus({ availability: 'busy' });
client.setStatus({ statusText: 'In a meeting', expiresAt: new Date() });
client.setStatus({ availability: 'away', statusText: null });
client.setMetadata({ app: '2.3.1' });
const sent: boolean = client.activity();
client.start();
client.stop(1000, 'bye');
void [sameFactory, bob, all, sent, AVAILABILITIES[0], AUTH_REFUSED_CODE, isAuthRefusal({ code: 1008, reason: 'x' }), client.state];

// @ts-expect-error: no such event
client.on('statuses', () => {});
// @ts-expect-error: not an availability
client.setStatus({ availability: 'asleep' });
// @ts-expect-error: neither availability nor statusText
client.setStatus({});
// @ts-expect-error: metadata values are strings
client.setMetadata({ n: 1 });
// @ts-expect-error: url is required
createPresenceClient({ WebSocket: FakeSocket });
// @ts-expect-error: presence may be undefined (a user dropped from presence_state)
client.on('status', (e) => e.presence.online);
// @ts-expect-error: state is read-only
client.state = 'open';

// The server's rich presence messages, as the docs show them.
const diffMessage: PresenceDiffMessage = {
  type: 'presence_diff', online: ['u1'], offline: ['u2'],
  users: {
    u1: { is_online: true, status: 'busy', status_text: 'In a meeting', last_active: '2026-11-29T10:00:00.000Z' },
    u2: { is_online: false, status: 'offline', last_online: '2026-11-29T10:03:12.345Z' },
    u3: { is_online: true, status: 'away' },
  },
};
const stateMessage: PresenceStateMessage = { type: 'presence_state', users: { u1: { is_online: false, status: 'offline' } } };
const changed: UserStatusChangedMessage = { type: 'user_status_changed', user_id: 'u1', is_online: true, status: 'available' };
const entry: WirePresence | undefined = diffMessage.users?.['u1'];
// @ts-expect-error a status is one of the four wire names
const badStatus: WirePresence = { is_online: true, status: 'idle' };
// @ts-expect-error a diff always has both lists
const noLists: PresenceDiffMessage = { type: 'presence_diff', online: [] };
client.seed(stateMessage.users);
void [entry, changed, badStatus, noLists];
