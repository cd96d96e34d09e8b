package dev.presence;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recording side of a batched {@link PresenceFanout}: the open {@link DiffWindow}, the users
 * online as the fan-out's events tell (with what others may be shown of them), the sequence
 * numbers that order changes against states, and the timer that ends the window. Every method is
 * O(1) under one short lock except the cuts, which read one entry per member asked for.
 *
 * <p>Thread-safe: one lock guards the window, the sequence number, the timer and writes of the
 * online map.
 */
final class FanoutWindow {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceFanout.class);

  private final Object lock = new Object();
  /**
   * Users online as the fan-out's events tell, with what others may be shown of them (unfiltered)
   * as of their latest event: what states show of subjects, and what a window's changes are
   * compared with.
   */
  private final Map<String, VisiblePresence> online = new ConcurrentHashMap<>();
  private final Scheduler scheduler;
  private final Duration length;
  private final Runnable flush;
  private DiffWindow window = new DiffWindow();
  private long seq;
  private Scheduler.@Nullable Cancellable flushTimer;
  private boolean closed;

  FanoutWindow(Scheduler scheduler, Duration length, Runnable flush) {
    this.scheduler = scheduler;
    this.length = length;
    this.flush = flush;
  }

  /** Takes the users already online when the fan-out starts, unless an event already told. */
  void start(Collection<String> onlineUsers, PresenceRegistry registry) {
    synchronized (lock) {
      for (String u : onlineUsers) {
        if (!window.changes.containsKey(u)) {
          online.put(u, StatusTexts.onlineNow(registry, u));
        }
      }
    }
  }

  /** Records a transition; {@code fields} is what others may be shown of the user if online. */
  void transition(String userId, boolean isOnline, @Nullable VisiblePresence fields, Instant at) {
    synchronized (lock) {
      VisiblePresence before = isOnline ? online.put(userId, fields) : online.remove(userId);
      window.record(userId, isOnline, fields, at, before, ++seq);
      scheduleFlushLocked();
    }
  }

  /** Records a visible update of an online user; ignored if the events say they are offline. */
  void update(String userId, VisiblePresence fields) {
    synchronized (lock) {
      VisiblePresence before = online.get(userId);
      if (before == null) {
        return; // not online as the fan-out's events tell: its online transition carries the fields
      }
      online.put(userId, fields);
      window.update(userId, fields, before, ++seq);
      scheduleFlushLocked();
    }
  }

  /** Adds a session waiting for its state at this window's flush; false once closed. */
  boolean addPending(FanoutStates.Pending pending) {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      window.pending.add(pending);
      scheduleFlushLocked();
      return true;
    }
  }

  /** Closes the open window and opens the next; the caller owns the returned one. */
  DiffWindow swap() {
    synchronized (lock) {
      DiffWindow w = window;
      window = new DiffWindow();
      flushTimer = null;
      return w;
    }
  }

  /**
   * Cuts a flush's states at the end of the window just swapped out: what the fan-out showed of
   * each member then, which is the start of the open window (a member changed since shows the
   * value its change started from).
   */
  void cutAtLastSwap(FanoutStates.Batch batch) {
    synchronized (lock) {
      DiffWindow open = window;
      batch.cut(m -> {
        DiffWindow.Change c = open.changes.get(m);
        return c == null ? online.get(m) : c.startFields;
      });
    }
  }

  /**
   * Cuts one viewer's state now (a {@code presence_resync}): the presence of each member as the
   * events tell (null when offline), and registers the state in the open window so that its diffs
   * tell the viewer of everyone who changes after the cut.
   */
  Map<String, @Nullable VisiblePresence> cutNow(String viewer, Collection<String> members) {
    Map<String, @Nullable VisiblePresence> out = new HashMap<>();
    synchronized (lock) {
      for (String m : members) {
        if (!m.equals(viewer)) {
          out.put(m, online.get(m));
        }
      }
      window.states.putIfAbsent(viewer, seq);
    }
    return out;
  }

  /** Drops the open window and its timer; nothing is recorded afterwards. */
  void close() {
    synchronized (lock) {
      closed = true;
      if (flushTimer != null) {
        flushTimer.cancel();
        flushTimer = null;
      }
      window = new DiffWindow();
    }
  }

  private void scheduleFlushLocked() {
    if (flushTimer != null || closed) {
      return;
    }
    try {
      flushTimer = scheduler.schedule(flush, length);
    } catch (RuntimeException e) {
      LOG.warn("Scheduler refused the presence fan-out flush; changes wait for the next one", e);
    }
  }
}
