// Type declarations for presence-client.js (hand-written; checked by `tsc --noEmit` in the build).
// Self-contained: no DOM library types are needed, so it type-checks in Node projects too.

/** What a user chose (`set_status`). `invisible` looks exactly like offline to everyone else. */
export type Availability = 'available' | 'busy' | 'away' | 'invisible';

/** What others see of a user. */
export type Status = 'available' | 'busy' | 'away' | 'offline';

/** The wire names of {@link Availability}. */
export declare const AVAILABILITIES: readonly Availability[];
/** Input events that count as activity when activity tracking is on. */
export declare const ACTIVITY_EVENTS: readonly string[];
/** 1008: the close code presence-jakarta-websocket refuses an unauthenticated session with. */
export declare const AUTH_REFUSED_CODE: 1008;
/** "unauthenticated": the close reason that goes with {@link AUTH_REFUSED_CODE}. */
export declare const AUTH_REFUSED_REASON: 'unauthenticated';

/**
 * One user's presence fields as they travel on the wire (snake_case, ISO-8601 strings): the
 * values of `presence_state.users` and `presence_diff.users`, and the fields of
 * `user_status_changed`. The server includes `status_text`, `last_active` and `last_online` only
 * where its policy lets you see them; a missing `status_text` means "no text".
 */
export interface WirePresence {
  is_online: boolean;
  /** Always sent by servers with rich presence; `offline` exactly when `is_online` is false. */
  status?: Status;
  /** Only for an online user. */
  status_text?: string | null;
  /** Only for an online user. */
  last_active?: string;
  /** Only for an offline user (a diff reporting them offline, GET responses). */
  last_online?: string;
}

/** `presence_state`: replaces the whole map (the recipient itself is never in it). */
export interface PresenceStateMessage {
  readonly type: 'presence_state';
  readonly users: Readonly<Record<string, WirePresence>>;
}

/**
 * `presence_diff`: applied on top of the map. `online`/`offline` list the ids whose online flag
 * flipped; `users` carries their fields and those of users whose status or text changed while
 * they stayed online (in neither list).
 */
export interface PresenceDiffMessage {
  readonly type: 'presence_diff';
  readonly online: readonly string[];
  readonly offline: readonly string[];
  readonly users?: Readonly<Record<string, WirePresence>>;
}

/** `user_status_changed`: one user's fields (batch window 0). */
export interface UserStatusChangedMessage extends WirePresence {
  readonly type: 'user_status_changed';
  readonly user_id: string;
}

/** One user's presence as this client last heard it. Immutable. */
export interface UserPresence {
  readonly userId: string;
  /** The server-computed online flag (`is_online`): never derived from a timestamp. */
  readonly online: boolean;
  /** `available`/`offline` when the server sends no status (servers before rich presence). */
  readonly status: Status;
  /** Only while online, and only where the server's policy shows it. */
  readonly statusText: string | null;
  /** ISO-8601, where the server's policy shows it. */
  readonly lastActive: string | null;
  /**
   * ISO-8601 "last seen", when the server sent one (a presence_diff reporting the user offline,
   * a presence_state, GET responses via seed()); kept while the user stays offline.
   */
  readonly lastOnline: string | null;
  /**
   * When this client saw the online flag flip live (epoch ms from the client's clock), or null
   * when it only knows a snapshot.
   */
  readonly changedAt: number | null;
}

export interface StatusEvent {
  readonly userId: string;
  /** undefined: a presence_state no longer lists the user. */
  readonly presence: UserPresence | undefined;
  /** undefined: the first time this client hears of the user. */
  readonly previous: UserPresence | undefined;
}

export interface DiffEvent {
  readonly online: readonly string[];
  readonly offline: readonly string[];
  /** The users whose presence changed, each also reported by a `status` event before this one. */
  readonly changes: readonly StatusEvent[];
}

export interface StateEvent {
  /** A snapshot of the whole map after a presence_state replaced it. */
  readonly users: ReadonlyMap<string, UserPresence>;
}

export interface ResyncEvent {
  /**
   * `ready`: a session was registered (first connect or reconnect), so state loaded from now on
   * cannot miss a transition: (re)load it. `server`: the server dropped buffered diffs
   * (presence_resync); a presence_state follows, or re-fetch.
   */
  readonly reason: 'ready' | 'server';
}

export interface OpenEvent {
  /** True when an earlier socket of this client had opened. */
  readonly reconnect: boolean;
}

export interface ReadyEvent {
  readonly userId: string | null;
  readonly message: ServerMessage;
}

export interface CloseEvent {
  /** 1006 when the socket was given up without a close frame (connect or silence timeout). */
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  /** Whether the socket had opened. */
  readonly opened: boolean;
  readonly willRetry: boolean;
  /** The delay before the next attempt, or null when none is scheduled. */
  readonly delayMs: number | null;
}

export interface AuthRefusedEvent {
  /** The close code, or null when the url function returned null/undefined (no credentials). */
  readonly code: number | null;
  readonly reason: string;
}

export type ErrorEvent =
  | { readonly kind: 'server'; readonly error: string | null; readonly message: string }
  | { readonly kind: 'url' | 'socket'; readonly message: string; readonly cause: unknown };

/** The server's `self_status`: what the user chose, as their own sessions see it. */
export interface SelfEvent {
  readonly availability: Availability | null;
  readonly status: Status | null;
  readonly statusText: string | null;
  /** ISO-8601 expiry of the status text, when it has one. */
  readonly expiresAt: string | null;
  readonly message: ServerMessage;
}

/** Any JSON object the server sent; `type` names it. */
export interface ServerMessage {
  readonly type: string;
  readonly [field: string]: unknown;
}

export interface PresenceClientEventMap {
  open: OpenEvent;
  ready: ReadyEvent;
  close: CloseEvent;
  status: StatusEvent;
  diff: DiffEvent;
  state: StateEvent;
  resync: ResyncEvent;
  auth_refused: AuthRefusedEvent;
  error: ErrorEvent;
  self: SelfEvent;
  /** Every message but pings, after the client handled it (application messages too). */
  message: ServerMessage;
}

export type PresenceClientState = 'idle' | 'connecting' | 'open' | 'waiting' | 'suspended' | 'stopped';

/** The part of a WebSocket the client uses. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** An event target such as `window` or `document`. */
export interface EventTargetLike {
  addEventListener(type: string, listener: (event: any) => void, options?: unknown): void;
  removeEventListener(type: string, listener: (event: any) => void, options?: unknown): void;
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: any): void;
  /** Epoch milliseconds. */
  now(): number;
}

export interface UrlContext {
  /** Failed attempts since the last successful connection (0 on the first try). */
  readonly attempt: number;
  /** True when a socket of this client has opened before. */
  readonly reconnect: boolean;
}

export interface ReconnectOptions {
  /** Ceiling of the first retry's delay. Default 500. */
  initialDelayMs?: number;
  /** Largest ceiling. Default 30000. */
  maxDelayMs?: number;
  /** Growth of the ceiling per failed attempt. Default 2. */
  multiplier?: number;
  /** A socket open this long counts as a success even without `ready`. Default 10000. */
  stableAfterMs?: number;
  /** A socket not open after this long is given up and retried; 0 turns it off. Default 15000. */
  connectTimeoutMs?: number;
}

export interface ActivityOptions {
  /** At most one activity message per this many ms. Default 10000. */
  throttleMs?: number;
  /** The document events that count as input. Default {@link ACTIVITY_EVENTS}. */
  events?: readonly string[];
}

export interface PresenceClientOptions {
  /**
   * The WebSocket URL, or a function called before every attempt (so a fresh token can be
   * fetched). Returning null/undefined means "no credentials": the client stops with auth_refused.
   * Throwing (or rejecting) is an `error` event and a retry with backoff.
   */
  url: string | ((context: UrlContext) => string | null | undefined | Promise<string | null | undefined>);
  protocols?: string | string[];
  reconnect?: ReconnectOptions;
  /** Send `{"type":"activity"}` on user input, throttled. Default off. */
  activity?: boolean | ActivityOptions;
  /** Session metadata sent (`set_metadata`) on every open. */
  metadata?: Record<string, string>;
  /**
   * Replace a socket that brought nothing (no JSON ping, no message) for this long; 0 (default)
   * turns it off. Set it to about 2-3 heartbeat intervals when the server sends JSON pings.
   */
  silenceTimeoutMs?: number;
  /** Decides from a close event whether the server refused the credentials (then no retry). */
  isAuthRefusal?: (event: { code: number; reason: string; wasClean: boolean }) => boolean;
  /** Default: the global WebSocket. */
  WebSocket?: WebSocketConstructor;
  /** Default: the global setTimeout/clearTimeout and Date.now. */
  timers?: Partial<Timers>;
  /** Default: Math.random. Must return a number in [0, 1). */
  random?: () => number;
  /** pagehide/pageshow/online come from here. Default: the global window; null: none. */
  window?: EventTargetLike | null;
  /** Input events for activity tracking come from here. Default: the global document; null: none. */
  document?: EventTargetLike | null;
}

/** The default auth-refusal test: close code 1008 with the reason "unauthenticated". */
export declare function isAuthRefusal(event: { code: number; reason: string }): boolean;

export declare function createPresenceClient(options: PresenceClientOptions): PresenceClient;

export declare class PresenceClient {
  constructor(options: PresenceClientOptions);
  readonly state: PresenceClientState;
  readonly connected: boolean;
  readonly userId: string | null;
  /** True while the map may miss transitions (until the next ready or presence_state). */
  readonly stale: boolean;
  /** Consecutive failed attempts since the last successful connection. */
  readonly failures: number;
  get(userId: string): UserPresence | undefined;
  /** A snapshot of every known user's presence. */
  users(): Map<string, UserPresence>;
  on<K extends keyof PresenceClientEventMap>(type: K, listener: (event: PresenceClientEventMap[K]) => void): () => void;
  off<K extends keyof PresenceClientEventMap>(type: K, listener: (event: PresenceClientEventMap[K]) => void): void;
  start(): void;
  stop(code?: number, reason?: string): void;
  seed(users: Record<string, WirePresence> | ReadonlyArray<WirePresence & ({ id: string } | { user_id: string })>): void;
  send(message: { type: string; [field: string]: unknown }): boolean;
  setStatus(status: { availability: Availability; statusText?: string | null; expiresAt?: string | Date | null }
    | { availability?: Availability; statusText: string | null; expiresAt?: string | Date | null }): boolean;
  setMetadata(metadata: Record<string, string>): boolean;
  activity(): boolean;
}
