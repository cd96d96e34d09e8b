package dev.presence.internal;

import dev.presence.ConnectOptions;
import dev.presence.LastSeenStore;
import dev.presence.PresenceEvent;
import dev.presence.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a user of a {@link DefaultPresenceRegistry} is publicly online: the first visible session,
 * the offline grace, invisibility. Counts the transitions, queues their events, records last
 * seen, and retires entries nothing needs any more.
 *
 * <p>Methods ending in {@code Locked} run under the user entry's monitor; they return flags
 * ({@link #SCHEDULE}, {@link #RECORD_LAST_SEEN}) for the caller to act on once the monitor is
 * released, so that neither the dispatcher nor the store is called under it. Thread-safe.
 */
final class Transitions {
  private static final Logger LOG = LoggerFactory.getLogger(Transitions.class);

  /** The caller must schedule the entry with the dispatcher. */
  static final int SCHEDULE = 1;
  /** The caller must record the last-seen time. */
  static final int RECORD_LAST_SEEN = 2;

  private final DefaultPresenceRegistry registry;
  private final ConcurrentHashMap<String, UserEntry> users;
  private final EventDispatcher dispatcher;
  private final Scheduler scheduler;
  private final Duration offlineGrace;
  private final LastSeenStore lastSeen; // non-blocking, or null
  private final UserStatus status;
  final AtomicInteger onlineUsers = new AtomicInteger();
  final LongAdder onlineTransitions = new LongAdder();
  final LongAdder offlineTransitions = new LongAdder();

  Transitions(DefaultPresenceRegistry registry, ConcurrentHashMap<String, UserEntry> users,
      EventDispatcher dispatcher, Scheduler scheduler, Duration offlineGrace, LastSeenStore lastSeen,
      UserStatus status) {
    this.registry = registry;
    this.users = users;
    this.dispatcher = dispatcher;
    this.scheduler = scheduler;
    this.offlineGrace = offlineGrace;
    this.lastSeen = lastSeen;
    this.status = status;
  }

  /**
   * A session is being added; {@code before} is the entry's state before it (the caller writes
   * the new count after this, see {@code DefaultPresenceRegistry.connect}). Returns true if the
   * caller must schedule the entry.
   */
  boolean goOnlineLocked(UserEntry e, int before, ConnectOptions options, long nowNanos) {
    if (e.graceTimer != null) { // reconnect within the grace: no events at all
      e.graceTimer.cancel();
      e.graceTimer = null;
      e.graceSince = null;
      e.graceGeneration++;
      return status.sessionAddedLocked(e, nowNanos);
    }
    if (before != 0) {
      return status.sessionAddedLocked(e, nowNanos); // a further tab
    }
    if (!status.startLocked(e, options.availability(), options.statusText(), nowNanos)) {
      return false; // connected invisible: nobody sees it
    }
    return (showLocked(e, registry.now()) & SCHEDULE) != 0;
  }

  /**
   * The user's last session ended at {@code at}: starts the grace, or goes offline at once (no
   * grace, the registry closing, or the scheduler refusing the timer). Returns flags.
   */
  int lastSessionGoneLocked(UserEntry e, Instant at, boolean closing) {
    Scheduler.Cancellable timer = null;
    if (!offlineGrace.isZero() && !closing) {
      timer = scheduleGrace(e, ++e.graceGeneration, at);
    }
    if (timer == null) {
      return goOfflineLocked(e, at);
    }
    e.graceTimer = timer;
    e.graceSince = at;
    e.state = UserEntry.GRACE;
    return 0;
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

  private void graceElapsed(UserEntry e, long generation, Instant at) {
    int flags;
    synchronized (e) {
      if (e.graceGeneration != generation || e.graceTimer == null) {
        return; // cancelled by a reconnect that won the race
      }
      e.graceTimer = null;
      flags = goOfflineLocked(e, at);
    }
    if ((flags & RECORD_LAST_SEEN) != 0) {
      recordLastSeen(e.userId, at);
    }
    if ((flags & SCHEDULE) != 0) {
      dispatcher.schedule(e);
    }
  }

  /**
   * Under the monitor: the user becomes publicly online (first visible session, or leaving
   * invisibility while connected). Returns {@link #SCHEDULE} if the caller must schedule.
   */
  int showLocked(UserEntry e, Instant at) {
    e.visible = true;
    onlineUsers.incrementAndGet();
    onlineTransitions.increment();
    return dispatcher.hasListeners() && dispatcher.enqueueLocked(e, new PresenceEvent(e.userId, true, at))
        ? SCHEDULE : 0;
  }

  /**
   * Under the monitor: the user stops being publicly online (offline, or invisible). Returns
   * {@link #RECORD_LAST_SEEN}, plus {@link #SCHEDULE} if the caller must schedule.
   */
  int hideLocked(UserEntry e, Instant at) {
    e.visible = false;
    onlineUsers.decrementAndGet();
    offlineTransitions.increment();
    return RECORD_LAST_SEEN
        | (dispatcher.enqueueLocked(e, new PresenceEvent(e.userId, false, at)) ? SCHEDULE : 0);
  }

  /**
   * The user has no session left (and no grace). Fires the offline transition only if the user
   * was publicly online: an invisible user leaves silently, and their last seen is not moved.
   * Returns flags; retires the entry if nothing is left.
   */
  int goOfflineLocked(UserEntry e, Instant at) {
    if (e.graceTimer != null) {
      e.graceTimer.cancel();
      e.graceTimer = null;
      e.graceGeneration++;
    }
    e.graceSince = null;
    boolean wasVisible = e.visible;
    e.state = 0; // the linearization point; visible is cleared after it
    int flags = wasVisible ? hideLocked(e, at) : 0;
    status.resetLocked(e);
    if ((flags & SCHEDULE) == 0) {
      retireIfIdleLocked(e);
    }
    return flags;
  }

  /** Under the entry's monitor: removes it from the map if nothing needs it any more. */
  void retireIfIdleLocked(UserEntry e) {
    if (!e.removed && e.isIdleLocked()) {
      e.removed = true;
      users.remove(e.userId, e);
    }
  }

  void recordLastSeen(String userId, Instant at) {
    if (lastSeen != null) {
      try {
        lastSeen.recordAll(Map.of(userId, at));
      } catch (RuntimeException ex) {
        LOG.warn("Could not queue the last-seen time of user '{}'", userId, ex);
      }
    }
  }
}
