package dev.presence.internal;

import dev.presence.DisconnectReason;
import dev.presence.LastSeenStore;
import dev.presence.Outbound;
import dev.presence.PresenceEvent;
import dev.presence.PresenceListener;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.Scheduler;
import dev.presence.Subscription;
import dev.presence.Ticker;
import dev.presence.WriteBehindLastSeenStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-node {@link PresenceRegistry}.
 *
 * <p><b>Concurrency.</b> One {@link UserEntry} per known user in a {@link ConcurrentHashMap}.
 * Every compound update of a user (add/remove a session, start/cancel the grace, flip online)
 * happens under that entry's monitor, and only that one: users never contend with each other.
 * {@code isOnline} reads a volatile flag of the entry without locking. Transitions are appended
 * to the entry's event queue under the monitor and delivered after it is released by whichever
 * thread first finds the queue idle ("drainer"), so listeners run outside every lock, per user
 * in order, each event once. An entry leaves the map only when its drainer finds it idle (no
 * sessions, offline, no grace timer, no queued event); a thread that raced to it sees the
 * {@code removed} flag under the monitor and retries with a fresh entry, so no event is ever
 * queued on an entry that can no longer be drained.
 *
 * <p><b>Timing.</b> All times come from the injected {@link Ticker} (monotonic: heartbeat
 * timeout, grace) and {@link Clock} (wall time: event stamps, last seen). The heartbeat is one
 * repeating task on the {@link Scheduler}; each sweep walks the live map without copying it,
 * pings every session and evicts those silent for the timeout. Grace timers are one scheduled
 * task per user in grace, cancelled on reconnect and guarded by a generation number against a
 * timer that fires anyway.
 *
 * <p><b>Failure.</b> A listener or outbound that throws is logged and skipped. The last-seen
 * store is only ever called through a non-blocking wrapper, so no connection thread waits on a
 * database.
 */
public final class DefaultPresenceRegistry implements PresenceRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultPresenceRegistry.class);
  static final LocalSession[] NO_SESSIONS = new LocalSession[0];
  /**
   * The sessions of a user in the offline grace: empty, yet online. A distinct instance so that
   * "online" and "how many sessions" are one volatile read of one field, hence never seen torn.
   */
  static final LocalSession[] IN_GRACE = new LocalSession[0];

  private final ConcurrentHashMap<String, UserEntry> users = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<PresenceListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicInteger onlineUsers = new AtomicInteger();
  private final AtomicInteger sessions = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();

  private final Duration heartbeatInterval; // null = no heartbeat
  private final long timeoutNanos;
  private final Duration offlineGrace;
  private final Ticker ticker;
  private final Clock clock;
  private final Scheduler scheduler;
  private final boolean ownsScheduler;
  private final LastSeenStore lastSeen; // non-blocking, or null
  private final WriteBehindLastSeenStore ownedWriteBehind;
  private volatile Scheduler.Cancellable nextSweep;

  public DefaultPresenceRegistry(Duration heartbeatInterval, Duration heartbeatTimeout,
      Duration offlineGrace, Ticker ticker, Clock clock, Scheduler scheduler,
      LastSeenStore lastSeenStore) {
    this.heartbeatInterval = heartbeatInterval;
    this.timeoutNanos = heartbeatTimeout.toNanos();
    this.offlineGrace = offlineGrace;
    this.ticker = ticker;
    this.clock = clock;
    this.ownsScheduler = scheduler == null;
    this.scheduler = ownsScheduler ? Scheduler.daemonThread("presence-heartbeat") : scheduler;
    if (lastSeenStore == null || lastSeenStore instanceof WriteBehindLastSeenStore
        || lastSeenStore instanceof InMemoryLastSeenStore) {
      this.lastSeen = lastSeenStore;
      this.ownedWriteBehind = null;
    } else {
      this.ownedWriteBehind = WriteBehindLastSeenStore.builder(lastSeenStore).build();
      this.lastSeen = ownedWriteBehind;
    }
    if (heartbeatInterval != null) {
      nextSweep = this.scheduler.schedule(this::sweepAndReschedule, heartbeatInterval);
    }
  }

  // ---------------------------------------------------------------- connect / close

  @Override
  public PresenceSession connect(String userId, String sessionId, Outbound outbound) {
    requireId("userId", userId);
    requireId("sessionId", sessionId);
    Objects.requireNonNull(outbound, "outbound");
    if (closed.get()) {
      throw new IllegalStateException("registry is closed");
    }
    for (;;) {
      UserEntry e = users.get(userId);
      if (e == null) {
        e = users.computeIfAbsent(userId, UserEntry::new);
      }
      LocalSession replaced = null;
      LocalSession s;
      PresenceEvent deliver;
      synchronized (e) {
        if (e.removed) {
          continue; // its drainer retired it; use a fresh entry
        }
        s = new LocalSession(this, e, sessionId, outbound, ticker.read());
        LocalSession[] current = e.sessions;
        int same = indexOf(current, sessionId);
        if (same >= 0) {
          replaced = current[same];
          replaced.closed = true;
          LocalSession[] next = current.clone();
          next[same] = s;
          e.sessions = next;
          deliver = null;
        } else {
          LocalSession[] next = Arrays.copyOf(current, current.length + 1);
          next[current.length] = s;
          deliver = goOnlineLocked(e, current);
          e.sessions = next; // the single write that makes the user (more) online
          sessions.incrementAndGet();
        }
      }
      if (replaced != null) {
        closeOutbound(replaced, DisconnectReason.REPLACED);
      }
      if (deliver != null) {
        drain(e, deliver);
      }
      if (closed.get()) {
        end(s, DisconnectReason.REGISTRY_CLOSED); // raced with close(): leave nothing behind
      }
      return s;
    }
  }

  /** Returns the grace timer, or null if the scheduler refused it: then offline goes at once. */
  private Scheduler.Cancellable scheduleGrace(UserEntry e, long generation, Instant at) {
    try {
      return scheduler.schedule(() -> graceElapsed(e, generation, at), offlineGrace);
    } catch (RuntimeException ex) {
      LOG.warn("Scheduler refused the offline-grace timer of user '{}'; going offline now", e.userId, ex);
      return null;
    }
  }

  /** Returns the event this thread must deliver (then drain), or null. */
  private PresenceEvent goOnlineLocked(UserEntry e, LocalSession[] before) {
    if (e.graceTimer != null) { // reconnect within the grace: no events at all
      e.graceTimer.cancel();
      e.graceTimer = null;
      e.graceGeneration++;
      return null;
    }
    if (isOnline(before)) {
      return null; // a further tab
    }
    onlineUsers.incrementAndGet();
    return e.enqueueLocked(new PresenceEvent(e.userId, true, now()));
  }

  /**
   * Ends a session. Returns false if it was already ended. Tells the outbound to close when the
   * registry (not the host) ends it.
   */
  boolean end(LocalSession s, DisconnectReason reason) {
    UserEntry e = s.entry;
    PresenceEvent deliver = null;
    synchronized (e) {
      if (s.closed) {
        return false;
      }
      s.closed = true;
      LocalSession[] current = e.sessions;
      int i = indexOfSession(current, s);
      sessions.decrementAndGet();
      if (current.length > 1) {
        LocalSession[] next = new LocalSession[current.length - 1];
        System.arraycopy(current, 0, next, 0, i);
        System.arraycopy(current, i + 1, next, i, current.length - i - 1);
        e.sessions = next;
      } else {
        Instant at = now();
        if (offlineGrace.isZero() || closed.get()) {
          deliver = goOfflineLocked(e, at);
        } else {
          long generation = ++e.graceGeneration;
          Scheduler.Cancellable timer = scheduleGrace(e, generation, at);
          if (timer == null) {
            deliver = goOfflineLocked(e, at);
          } else {
            e.graceTimer = timer;
            e.sessions = IN_GRACE;
          }
        }
      }
    }
    if (reason != DisconnectReason.CLOSED) {
      closeOutbound(s, reason);
    }
    if (deliver != null) {
      drain(e, deliver);
    }
    return true;
  }

  private void graceElapsed(UserEntry e, long generation, Instant at) {
    PresenceEvent deliver;
    synchronized (e) {
      if (e.graceGeneration != generation || e.graceTimer == null) {
        return; // cancelled by a reconnect that won the race
      }
      e.graceTimer = null;
      deliver = goOfflineLocked(e, at);
    }
    if (deliver != null) {
      drain(e, deliver);
    }
  }

  private PresenceEvent goOfflineLocked(UserEntry e, Instant at) {
    if (e.graceTimer != null) {
      e.graceTimer.cancel();
      e.graceTimer = null;
      e.graceGeneration++;
    }
    e.sessions = NO_SESSIONS;
    onlineUsers.decrementAndGet();
    return e.enqueueLocked(new PresenceEvent(e.userId, false, at));
  }

  // ---------------------------------------------------------------- event delivery

  private void drain(UserEntry e, PresenceEvent first) {
    deliver(first);
    for (;;) {
      PresenceEvent event;
      synchronized (e) {
        event = e.pending == null ? null : e.pending.poll();
        if (event == null) {
          e.pending = null;
          e.draining = false;
          if (e.isIdleLocked()) {
            e.removed = true;
            users.remove(e.userId, e);
          }
          return;
        }
      }
      deliver(event);
    }
  }

  private void deliver(PresenceEvent event) {
    if (!event.online() && lastSeen != null) {
      try {
        lastSeen.recordAll(Map.of(event.userId(), event.at()));
      } catch (RuntimeException ex) {
        LOG.warn("Could not queue the last-seen time of user '{}'", event.userId(), ex);
      }
    }
    for (PresenceListener l : listeners) {
      try {
        l.onTransition(event);
      } catch (RuntimeException | Error ex) {
        LOG.warn("Presence listener {} failed on {}", l, event, ex);
      }
    }
  }

  @Override
  public Subscription addListener(PresenceListener listener) {
    Objects.requireNonNull(listener, "listener");
    // Wrapped so that adding one listener twice gives two independent subscriptions.
    PresenceListener entry = listener::onTransition;
    listeners.add(entry);
    return () -> listeners.remove(entry);
  }

  // ---------------------------------------------------------------- heartbeat

  private void sweepAndReschedule() {
    if (closed.get()) {
      return;
    }
    try {
      sweep();
    } finally {
      if (!closed.get()) {
        nextSweep = scheduler.schedule(this::sweepAndReschedule, heartbeatInterval);
      }
    }
  }

  /** One heartbeat pass: evict the silent, ping the rest. Walks the live map, copies nothing. */
  void sweep() {
    long now = ticker.read();
    for (UserEntry e : users.values()) {
      for (LocalSession s : e.sessions) {
        if (now - s.lastTouch >= timeoutNanos) {
          end(s, DisconnectReason.HEARTBEAT_TIMEOUT);
        } else {
          try {
            s.outbound.ping();
          } catch (RuntimeException ex) {
            LOG.debug("Ping to session '{}' of user '{}' failed", s.sessionId, e.userId, ex);
            end(s, DisconnectReason.PING_FAILED);
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- queries

  @Override
  public boolean isOnline(String userId) {
    if (userId == null) {
      return false;
    }
    UserEntry e = users.get(userId);
    return e != null && isOnline(e.sessions);
  }

  static boolean isOnline(LocalSession[] sessions) {
    return sessions.length > 0 || sessions == IN_GRACE;
  }

  @Override
  public Set<String> onlineAmong(Collection<String> userIds) {
    Objects.requireNonNull(userIds, "userIds");
    Set<String> out = new HashSet<>();
    for (String id : userIds) {
      if (isOnline(id)) {
        out.add(id);
      }
    }
    return out;
  }

  @Override
  public int sessionCount(String userId) {
    UserEntry e = userId == null ? null : users.get(userId);
    return e == null ? 0 : e.sessions.length;
  }

  @Override
  public int onlineUserCount() {
    return onlineUsers.get();
  }

  @Override
  public int totalSessionCount() {
    return sessions.get();
  }

  @Override
  public Set<String> onlineUsers() {
    Set<String> out = new HashSet<>();
    for (UserEntry e : users.values()) {
      if (isOnline(e.sessions)) {
        out.add(e.userId);
      }
    }
    return Set.copyOf(out);
  }

  @Override
  public int sendToUser(String userId, String text) {
    Objects.requireNonNull(text, "text");
    UserEntry e = userId == null ? null : users.get(userId);
    if (e == null) {
      return 0;
    }
    int sent = 0;
    for (LocalSession s : e.sessions) {
      try {
        s.outbound.send(text);
        sent++;
      } catch (RuntimeException ex) {
        LOG.debug("Send to session '{}' of user '{}' failed", s.sessionId, userId, ex);
      }
    }
    return sent;
  }

  @Override
  public Optional<LastSeenStore> lastSeenStore() {
    return Optional.ofNullable(lastSeen);
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Scheduler.Cancellable sweep = nextSweep;
    if (sweep != null) {
      sweep.cancel();
    }
    for (UserEntry e : users.values()) {
      for (LocalSession s : e.sessions) {
        end(s, DisconnectReason.REGISTRY_CLOSED);
      }
      // Users in their grace go offline now rather than never.
      PresenceEvent deliver = null;
      synchronized (e) {
        if (!e.removed && e.graceTimer != null) {
          deliver = goOfflineLocked(e, now());
        }
      }
      if (deliver != null) {
        drain(e, deliver);
      }
    }
    if (ownedWriteBehind != null) {
      ownedWriteBehind.close();
    }
    if (ownsScheduler) {
      scheduler.close();
    }
  }

  private static void closeOutbound(LocalSession s, DisconnectReason reason) {
    try {
      s.outbound.close(reason);
    } catch (RuntimeException ex) {
      LOG.debug("Closing session '{}' ({}) failed", s.sessionId, reason, ex);
    }
  }

  private static int indexOf(LocalSession[] sessions, String sessionId) {
    for (int i = 0; i < sessions.length; i++) {
      if (sessions[i].sessionId.equals(sessionId)) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOfSession(LocalSession[] sessions, LocalSession s) {
    for (int i = 0; i < sessions.length; i++) {
      if (sessions[i] == s) {
        return i;
      }
    }
    throw new AssertionError("open session missing from its user entry");
  }

  static void requireId(String name, String value) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank: '" + value + "'");
    }
  }

  /**
   * Wall time of a transition, to the millisecond: what last-seen stores keep, and
   * {@code Clock.millis()} is a cheap clock read where {@code Clock.instant()} of the system
   * clock is a native call costing a fifth of a transition.
   */
  private Instant now() {
    return Instant.ofEpochMilli(clock.millis());
  }

  /** Entries held, online or not: lets tests prove idle users do not leak. */
  int entryCount() {
    return users.size();
  }

  long ticker() {
    return ticker.read();
  }

  @Override
  public String toString() {
    return "PresenceRegistry(online=" + onlineUsers.get() + ", sessions=" + sessions.get() + ")";
  }

  /** Per-user state. Fields without volatile are guarded by the entry's monitor. */
  static final class UserEntry {
    final String userId;
    /**
     * Copy-on-write under the monitor, read without locking by lookups, the sweep and sends.
     * Also the online flag: online ⇔ non-empty or {@link #IN_GRACE}.
     */
    volatile LocalSession[] sessions = NO_SESSIONS;
    Scheduler.Cancellable graceTimer;
    long graceGeneration;
    boolean removed;
    boolean draining;
    /** Events not yet delivered; null when empty, to keep idle users small. */
    ArrayDeque<PresenceEvent> pending;

    UserEntry(String userId) {
      this.userId = userId;
    }

    /** Queues an event; returns it if the caller must deliver it and drain (nobody else is), else null. */
    PresenceEvent enqueueLocked(PresenceEvent event) {
      if (draining) {
        if (pending == null) {
          pending = new ArrayDeque<>(4);
        }
        pending.add(event);
        return null;
      }
      draining = true;
      return event; // nobody is draining: the caller delivers it at once, no queue needed
    }

    boolean isIdleLocked() {
      return sessions == NO_SESSIONS && graceTimer == null && pending == null;
    }
  }

  /** One session. {@code lastTouch} is written without a lock: the latest write wins. */
  static final class LocalSession implements PresenceSession {
    final DefaultPresenceRegistry registry;
    final UserEntry entry;
    final String sessionId;
    final Outbound outbound;
    volatile long lastTouch;
    volatile boolean closed;

    LocalSession(DefaultPresenceRegistry registry, UserEntry entry, String sessionId,
        Outbound outbound, long now) {
      this.registry = registry;
      this.entry = entry;
      this.sessionId = sessionId;
      this.outbound = outbound;
      this.lastTouch = now;
    }

    @Override
    public String userId() {
      return entry.userId;
    }

    @Override
    public String sessionId() {
      return sessionId;
    }

    @Override
    public void touch() {
      if (!closed) {
        lastTouch = registry.ticker();
      }
    }

    @Override
    public boolean isOpen() {
      return !closed;
    }

    @Override
    public void close() {
      registry.end(this, DisconnectReason.CLOSED);
    }

    @Override
    public String toString() {
      return "PresenceSession(" + entry.userId + "/" + sessionId + (closed ? ", closed" : "") + ")";
    }
  }
}
