package dev.presence.internal;

import dev.presence.Availability;
import dev.presence.StatusText;
import dev.presence.Scheduler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-user state of a {@link DefaultPresenceRegistry}. Fields without volatile, and every write,
 * are guarded by the entry's monitor; {@link #state} and {@link #sessions} are also read without
 * it.
 *
 * <p><b>Sessions.</b> Up to {@link #SMALL} sessions live in a copy-on-write array (the common
 * case: one to a few tabs; cheap to copy, no per-session node). Beyond it they move to a
 * {@link ConcurrentHashMap} keyed by session id, so that adding, replacing and removing one
 * session stay O(1) however many a user has; when the count falls back to {@code SMALL / 2} they
 * move back to an array (the gap keeps a user hovering at the boundary from converting on every
 * connect). Readers that walk the sessions take {@link #snapshot()}.
 */
final class UserEntry {
  /** Most sessions kept in an array. */
  static final int SMALL = 8;
  /** {@link #state} of a user in the offline grace: online with no session. */
  static final int GRACE = -1;
  static final LocalSession[] NONE = new LocalSession[0];

  final String userId;
  /**
   * The number of live sessions, or {@link #GRACE}: online ⇔ non-zero. One volatile field, so
   * that "online" and "how many sessions" are never seen torn.
   */
  volatile int state;
  /** A {@code LocalSession[]} of at most {@link #SMALL}, or a map of more, by session id. */
  private volatile Object sessions = NONE;
  Scheduler.Cancellable graceTimer;
  long graceGeneration;
  /** When the last session of a user in grace ended. */
  Instant graceSince;
  /** Retired from the registry's map: a thread holding it must look the user up again. */
  boolean removed;
  /** In the event dispatcher's ready queue or being delivered from: nobody else schedules it. */
  boolean queued;
  /**
   * Oldest undelivered event ({@code PresenceEvent} or {@code PresenceUpdate}), then the rest in
   * order; {@code more} is null while unused.
   */
  private Object head;
  private ArrayDeque<Object> more;

  // ------------------------------------------------------------------ rich presence (see UserStatus)

  /**
   * Publicly online: has a session (or is in the grace) and is not invisible. What
   * {@code isOnline} reads. Written under the monitor.
   */
  volatile boolean visible;
  /** What the user chose; reset when the user goes offline. */
  Availability availability = Availability.AVAILABLE;
  /** The custom text, possibly expired (readers check the clock); null for none. */
  StatusText statusText;
  Scheduler.Cancellable textTimer;
  /** No activity on any session for idleAfter. Read without the monitor by activity(). */
  volatile boolean idle;
  Scheduler.Cancellable idleTimer;
  long idleGeneration;
  /**
   * Ticker time of the latest activity; written without the monitor, never backwards (an
   * activity stamped earlier but published later does not hide a newer one).
   */
  volatile long lastActivityNanos;
  /** Wall time (epoch millis) of the latest activity, or {@link #UNKNOWN}; never backwards. */
  volatile long lastActiveMillis = UNKNOWN;
  static final long UNKNOWN = Long.MIN_VALUE;
  private static final VarHandle LAST_ACTIVITY_NANOS;
  private static final VarHandle LAST_ACTIVE_MILLIS;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      LAST_ACTIVITY_NANOS = lookup.findVarHandle(UserEntry.class, "lastActivityNanos", long.class);
      LAST_ACTIVE_MILLIS = lookup.findVarHandle(UserEntry.class, "lastActiveMillis", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Records an activity without the monitor: each time moves forward only. Ticker times are
   * compared by difference, as {@code System.nanoTime()} values must be.
   */
  void recordActivity(long tickerNanos, long wallMillis) {
    long cur;
    do {
      cur = lastActivityNanos;
    } while (tickerNanos - cur > 0 && !LAST_ACTIVITY_NANOS.compareAndSet(this, cur, tickerNanos));
    do {
      cur = lastActiveMillis;
    } while (wallMillis > cur && !LAST_ACTIVE_MILLIS.compareAndSet(this, cur, wallMillis));
  }

  UserEntry(String userId) {
    this.userId = userId;
  }

  // ------------------------------------------------------------------ sessions (under the monitor)

  /** Returns the live session with this id, or null. */
  LocalSession findLocked(String sessionId) {
    Object cur = sessions;
    if (cur instanceof LocalSession[] array) {
      for (LocalSession s : array) {
        if (s.sessionId.equals(sessionId)) {
          return s;
        }
      }
      return null;
    }
    return map(cur).get(sessionId);
  }

  void addLocked(LocalSession s) {
    Object cur = sessions;
    if (cur instanceof LocalSession[] array) {
      if (array.length < SMALL) {
        LocalSession[] next = Arrays.copyOf(array, array.length + 1);
        next[array.length] = s;
        sessions = next;
      } else {
        ConcurrentHashMap<String, LocalSession> map = new ConcurrentHashMap<>(4 * SMALL);
        for (LocalSession x : array) {
          map.put(x.sessionId, x);
        }
        map.put(s.sessionId, s);
        sessions = map;
      }
    } else {
      map(cur).put(s.sessionId, s);
    }
  }

  /** Puts {@code s} where {@code old} (same session id) was. */
  void replaceLocked(LocalSession old, LocalSession s) {
    Object cur = sessions;
    if (cur instanceof LocalSession[] array) {
      LocalSession[] next = array.clone();
      next[indexOf(array, old)] = s;
      sessions = next;
    } else {
      map(cur).put(s.sessionId, s);
    }
  }

  void removeLocked(LocalSession s) {
    Object cur = sessions;
    if (cur instanceof LocalSession[] array) {
      int i = indexOf(array, s);
      if (array.length == 1) {
        sessions = NONE;
      } else {
        LocalSession[] next = new LocalSession[array.length - 1];
        System.arraycopy(array, 0, next, 0, i);
        System.arraycopy(array, i + 1, next, i, array.length - i - 1);
        sessions = next;
      }
    } else {
      ConcurrentHashMap<String, LocalSession> map = map(cur);
      map.remove(s.sessionId, s);
      if (map.size() <= SMALL / 2) {
        sessions = map.values().toArray(NONE);
      }
    }
  }

  /**
   * Returns the live sessions without locking: the array itself (never modified once published)
   * or, for a user with many, a copy of the map's values. May include a session that is
   * ending or miss one that is connecting at the same moment.
   */
  LocalSession[] snapshot() {
    Object cur = sessions;
    return cur instanceof LocalSession[] array ? array : map(cur).values().toArray(NONE);
  }

  @SuppressWarnings("unchecked")
  private static ConcurrentHashMap<String, LocalSession> map(Object sessions) {
    return (ConcurrentHashMap<String, LocalSession>) sessions;
  }

  private static int indexOf(LocalSession[] array, LocalSession s) {
    for (int i = 0; i < array.length; i++) {
      if (array[i] == s) {
        return i;
      }
    }
    throw new AssertionError("open session missing from its user entry");
  }

  // ------------------------------------------------------------------ events (under the monitor)

  void addPendingLocked(Object event) {
    if (head == null) {
      head = event;
    } else {
      if (more == null) {
        more = new ArrayDeque<>(4);
      }
      more.add(event);
    }
  }

  /** Returns the oldest undelivered event and removes it, or null. */
  Object pollPendingLocked() {
    Object event = head;
    if (event != null) {
      head = more == null ? null : more.poll();
      if (more != null && more.isEmpty()) {
        more = null;
      }
    }
    return event;
  }

  /** Returns the newest undelivered event, or null. */
  Object lastPendingLocked() {
    return more != null ? more.peekLast() : head;
  }

  /** Removes the newest undelivered event (there must be one). */
  void dropLastPendingLocked() {
    if (more != null) {
      more.pollLast();
      if (more.isEmpty()) {
        more = null;
      }
    } else {
      head = null;
    }
  }

  boolean hasPendingLocked() {
    return head != null;
  }

  /** Nothing left that needs the entry: it may leave the registry's map. */
  boolean isIdleLocked() {
    return state == 0 && graceTimer == null && !queued && head == null;
  }
}
