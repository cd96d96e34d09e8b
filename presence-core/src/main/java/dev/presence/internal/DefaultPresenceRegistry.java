package dev.presence.internal;

import dev.presence.ClientMessage;
import dev.presence.ConnectOptions;
import dev.presence.DisconnectReason;
import dev.presence.LastSeenStore;
import dev.presence.Outbound;
import dev.presence.PresenceListener;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.PresenceStats;
import dev.presence.RateLimit;
import dev.presence.Scheduler;
import dev.presence.SessionLimitException;
import dev.presence.Subscription;
import dev.presence.Ticker;
import dev.presence.UserPresence;
import dev.presence.Visibility;
import dev.presence.VisiblePresence;
import dev.presence.WriteBehindLastSeenStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-node {@link PresenceRegistry}.
 *
 * <p><b>Concurrency.</b> One {@link UserEntry} per known user in a {@link ConcurrentHashMap}.
 * Every compound update of a user (add/remove a session, start/cancel the grace, flip online,
 * queue an event) happens under that entry's monitor, and only that one: users never contend
 * with each other. {@code isOnline} (a volatile boolean: publicly online) and
 * {@code sessionCount} (a volatile int) read the entry without locking or allocating. A user's
 * sessions are an array up to a few and a map beyond (see {@link UserEntry}), so adding and
 * removing one is O(1) however many the user has.
 *
 * <p><b>Responsibilities.</b> This class registers and ends sessions and answers lookups;
 * {@link Transitions} decides when a user is publicly online (first visible session, grace,
 * invisibility) and queues transitions; {@link UserStatus} keeps availability, status text,
 * activity, idleness and metadata and builds the per-viewer views; {@link Heartbeat} sweeps;
 * {@link EventDispatcher} delivers transitions and updates to listeners.
 *
 * <p><b>Events.</b> Transitions are queued per user under the monitor and delivered by an
 * {@link EventDispatcher} on the event executor, with no lock held, per user in order, each
 * once. Neither connection threads nor the heartbeat ever run a listener, so a slow listener
 * delays only other events. The last-seen time is recorded at the transition, on the thread that
 * caused it, through the non-blocking store, so it never waits behind listeners. An entry leaves
 * the map only when nothing needs it (no sessions, no grace timer, no queued event); a thread
 * that raced to it sees the {@code removed} flag under the monitor and retries with a fresh
 * entry, so no event is ever queued on an entry that can no longer be delivered.
 *
 * <p><b>Timing.</b> All times come from the injected {@link Ticker} (monotonic: heartbeat
 * timeout, grace) and {@link Clock} (wall time: event stamps, last seen). The heartbeat is one
 * repeating task on the {@link Scheduler}; each sweep walks the live map, pings every session and
 * evicts those silent for the timeout, and only then hands the resulting events to the
 * dispatcher. Grace timers are one scheduled task per user in grace, cancelled on reconnect and
 * guarded by a generation number against a timer that fires anyway.
 *
 * <p><b>Failure.</b> A listener or outbound that throws is logged and skipped. The last-seen
 * store is only ever called through a non-blocking wrapper, so no connection thread waits on a
 * database.
 */
public final class DefaultPresenceRegistry implements PresenceRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultPresenceRegistry.class);
  private static final DisconnectReason[] REASONS = DisconnectReason.values();

  private final ConcurrentHashMap<String, UserEntry> users = new ConcurrentHashMap<>();
  private final AtomicInteger sessions = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final LongAdder refused = new LongAdder();
  private final LongAdder clientChangesRefused = new LongAdder();
  final RateLimit clientChangeLimit;
  /** Sessions ended per reason; filled in the constructor, read-only map after it. */
  private final Map<DisconnectReason, LongAdder> ended = new EnumMap<>(DisconnectReason.class);
  private final EventDispatcher dispatcher;

  private final Ticker ticker;
  private final Clock clock;
  private final Scheduler scheduler;
  private final boolean ownsScheduler;
  private final LastSeenStore lastSeen; // non-blocking, or null
  private final WriteBehindLastSeenStore ownedWriteBehind;
  private final int maxSessionsPerUser;
  private final int maxSessions;
  private final UserStatus status;
  private final Transitions transitions;
  private final Heartbeat heartbeat; // null = no heartbeat

  public DefaultPresenceRegistry(RegistrySettings settings) {
    this.ticker = settings.ticker();
    this.clientChangeLimit = settings.clientChangeLimit();
    this.clock = settings.clock();
    this.maxSessionsPerUser = settings.maxSessionsPerUser();
    this.maxSessions = settings.maxSessions();
    for (DisconnectReason r : REASONS) {
      ended.put(r, new LongAdder());
    }
    this.dispatcher = new EventDispatcher(settings.eventExecutor(), settings.maxPendingEvents(),
        e -> transitions().retireIfIdleLocked(e));
    this.ownsScheduler = settings.scheduler() == null;
    this.scheduler = ownsScheduler ? Scheduler.daemonThread("presence-heartbeat") : settings.scheduler();
    LastSeenStore store = settings.lastSeenStore();
    if (store == null || !store.blocksCaller()) {
      this.lastSeen = store;
      this.ownedWriteBehind = null;
    } else {
      this.ownedWriteBehind = WriteBehindLastSeenStore.builder(store).build();
      this.lastSeen = ownedWriteBehind;
    }
    this.status = new UserStatus(this, dispatcher, this.scheduler, clock, settings.idleAfter(),
        settings.policy());
    this.transitions = new Transitions(this, users, dispatcher, this.scheduler,
        settings.offlineGrace(), lastSeen, status);
    if (settings.heartbeatInterval() != null) {
      heartbeat = new Heartbeat(this, users.values(), dispatcher, this.scheduler, ticker,
          settings.heartbeatInterval(), settings.heartbeatTimeout());
      heartbeat.start();
    } else {
      heartbeat = null;
    }
  }

  // ---------------------------------------------------------------- connect / close

  @Override
  public PresenceSession connect(String userId, String sessionId, Outbound outbound) {
    return connect(userId, sessionId, outbound, ConnectOptions.defaults());
  }

  @Override
  public PresenceSession connect(String userId, String sessionId, Outbound outbound,
      ConnectOptions options) {
    requireId("userId", userId);
    requireId("sessionId", sessionId);
    Objects.requireNonNull(outbound, "outbound");
    Objects.requireNonNull(options, "options");
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
      boolean schedule = false;
      String refusedBy = null;
      synchronized (e) {
        if (e.removed) {
          continue; // retired meanwhile; use a fresh entry
        }
        long nowNanos = ticker.read();
        s = new LocalSession(this, e, sessionId, outbound, nowNanos, now(), options.metadata());
        LocalSession same = e.findLocked(sessionId);
        if (same != null) { // a replacement is not a new session: no cap, no transition
          replaced = same;
          replaced.closed = true;
          e.replaceLocked(same, s);
          schedule = status.sessionAddedLocked(e, nowNanos);
        } else {
          int count = Math.max(e.state, 0);
          if (count >= maxSessionsPerUser) {
            refusedBy = SessionLimitException.MAX_SESSIONS_PER_USER;
          } else if (!reserveSession()) {
            refusedBy = SessionLimitException.MAX_SESSIONS;
          }
          if (refusedBy != null) {
            transitions.retireIfIdleLocked(e); // a fresh entry made for this connect leaves again
          } else {
            e.addLocked(s);
            schedule = transitions.goOnlineLocked(e, e.state, options, nowNanos);
            // The linearization point: isOnline is visible && state != 0, visible is set before
            // this write when going online and cleared after state = 0 when going offline.
            e.state = count + 1;
          }
        }
      }
      if (refusedBy != null) {
        refused.increment();
        int limit = SessionLimitException.MAX_SESSIONS.equals(refusedBy) ? maxSessions : maxSessionsPerUser;
        LOG.debug("Refused a session of user '{}': {} {} reached", userId, refusedBy, limit);
        throw new SessionLimitException(userId, refusedBy, limit);
      }
      if (replaced != null) {
        ended.get(DisconnectReason.REPLACED).increment();
        closeOutbound(replaced, DisconnectReason.REPLACED);
      }
      if (schedule) {
        dispatcher.schedule(e);
      }
      if (closed.get()) {
        end(s, DisconnectReason.REGISTRY_CLOSED, true, null); // raced with close(): leave nothing behind
      }
      return s;
    }
  }

  /** Counts a new session against {@code maxSessions}; false if the cap is reached. */
  private boolean reserveSession() {
    if (maxSessions == Integer.MAX_VALUE) {
      sessions.incrementAndGet();
      return true;
    }
    for (;;) {
      int n = sessions.get();
      if (n >= maxSessions) {
        return false;
      }
      if (sessions.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /**
   * Ends a session. Returns false if it was already ended. Tells the outbound to close when the
   * registry (not the host) ends it. With {@code deferred}, an entry whose events need
   * scheduling is added to it instead of being scheduled now.
   */
  boolean end(LocalSession s, DisconnectReason reason, boolean closeOutbound, List<UserEntry> deferred) {
    UserEntry e = s.entry;
    int flags = 0;
    Instant offlineAt = null;
    synchronized (e) {
      if (s.closed) {
        return false;
      }
      s.closed = true;
      e.removeLocked(s);
      sessions.decrementAndGet();
      int count = e.state - 1;
      if (count > 0) {
        e.state = count;
      } else {
        offlineAt = now();
        flags = transitions.lastSessionGoneLocked(e, offlineAt, closed.get());
      }
    }
    ended.get(reason).increment();
    if (closeOutbound) {
      closeOutbound(s, reason);
    }
    if ((flags & Transitions.RECORD_LAST_SEEN) != 0) {
      transitions.recordLastSeen(e.userId, offlineAt);
    }
    if ((flags & Transitions.SCHEDULE) != 0) {
      if (deferred != null) {
        deferred.add(e);
      } else {
        dispatcher.schedule(e);
      }
    }
    return true;
  }

  boolean end(LocalSession s, DisconnectReason reason, boolean closeOutbound) {
    return end(s, reason, closeOutbound, null);
  }

  @Override
  public Subscription addListener(PresenceListener listener) {
    return dispatcher.addListener(listener);
  }

  // ---------------------------------------------------------------- queries

  @Override
  public boolean isOnline(String userId) {
    if (userId == null) {
      return false;
    }
    UserEntry e = users.get(userId);
    return e != null && e.visible && e.state != 0; // see connect for the order of the writes
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
    return e == null ? 0 : Math.max(e.state, 0);
  }

  @Override
  public int onlineUserCount() {
    return transitions.onlineUsers.get();
  }

  @Override
  public int totalSessionCount() {
    return sessions.get();
  }

  @Override
  public Set<String> onlineUsers() {
    Set<String> out = new HashSet<>();
    for (UserEntry e : users.values()) {
      if (e.visible && e.state != 0) {
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
    for (LocalSession s : e.snapshot()) {
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
  public boolean setStatus(String userId, ClientMessage.SetStatus change) {
    return status.setStatus(userId, change);
  }

  @Override
  public Optional<UserPresence> presenceOf(String userId) {
    return status.presenceOf(userId);
  }

  @Override
  public VisiblePresence visiblePresence(String viewerId, String subjectId) {
    return status.visiblePresence(viewerId, subjectId);
  }

  @Override
  public Visibility visibility(String viewerId, String subjectId) {
    return status.visibility(viewerId, subjectId);
  }

  @Override
  public Optional<Instant> lastActive(String userId) {
    return status.lastActive(userId);
  }

  @Override
  public void forget(Collection<String> userIds) {
    Objects.requireNonNull(userIds, "userIds");
    List<String> ids = new ArrayList<>(userIds.size());
    for (String id : userIds) {
      if (id != null) {
        ids.add(id);
        status.forget(id);
      }
    }
    if (lastSeen != null && !ids.isEmpty()) {
      lastSeen.forget(ids);
    }
  }

  /** The user's entry, or null: for {@link UserStatus}. */
  UserEntry entry(String userId) {
    return users.get(userId);
  }

  UserStatus status() {
    return status;
  }

  Transitions transitions() {
    return transitions;
  }

  @Override
  public PresenceStats stats() {
    EnumMap<DisconnectReason, Long> byReason = new EnumMap<>(DisconnectReason.class);
    for (DisconnectReason r : REASONS) {
      byReason.put(r, ended.get(r).sum());
    }
    return new PresenceStats(transitions.onlineUsers.get(), sessions.get(),
        transitions.onlineTransitions.sum(), transitions.offlineTransitions.sum(), byReason, refused.sum(), dispatcher.pending(),
        dispatcher.coalesced(), clientChangesRefused.sum());
  }

  @Override
  public RateLimit clientChangeLimit() {
    return clientChangeLimit;
  }

  /** Counts a client change refused by a session's limit. */
  void clientChangeRefused() {
    clientChangesRefused.increment();
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
    if (heartbeat != null) {
      heartbeat.stop();
    }
    List<UserEntry> deferred = new ArrayList<>();
    for (UserEntry e : users.values()) {
      for (LocalSession s : e.snapshot()) {
        end(s, DisconnectReason.REGISTRY_CLOSED, true, deferred);
      }
      // Users in their grace go offline now rather than never.
      Instant since = null;
      int flags = 0;
      synchronized (e) {
        if (!e.removed && e.graceTimer != null) {
          since = e.graceSince;
          flags = transitions.goOfflineLocked(e, since);
        }
      }
      if ((flags & Transitions.RECORD_LAST_SEEN) != 0) {
        transitions.recordLastSeen(e.userId, since);
      }
      if ((flags & Transitions.SCHEDULE) != 0) {
        deferred.add(e);
      }
    }
    for (UserEntry e : deferred) {
      dispatcher.schedule(e);
    }
    if (ownedWriteBehind != null) {
      ownedWriteBehind.close();
    }
    dispatcher.close();
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
  Instant now() {
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
    return "PresenceRegistry(online=" + transitions.onlineUsers.get() + ", sessions=" + sessions.get() + ")";
  }
}
