package dev.presence.internal;

import dev.presence.DisconnectReason;
import dev.presence.Scheduler;
import dev.presence.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heartbeat of a {@link DefaultPresenceRegistry}: one repeating task on the
 * {@link Scheduler}; each sweep walks the live map, pings every session and evicts those silent
 * for the timeout, and only then hands the resulting events to the dispatcher, so that no
 * listener (not even with a direct executor) runs before every eviction is done. Thread-safe.
 */
final class Heartbeat {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);

  private final DefaultPresenceRegistry registry;
  private final Collection<UserEntry> users;
  private final EventDispatcher dispatcher;
  private final Scheduler scheduler;
  private final Ticker ticker;
  private final Duration interval;
  private final long timeoutNanos;
  private volatile Scheduler.Cancellable next;
  private volatile boolean stopped;

  Heartbeat(DefaultPresenceRegistry registry, Collection<UserEntry> users, EventDispatcher dispatcher,
      Scheduler scheduler, Ticker ticker, Duration interval, Duration timeout) {
    this.registry = registry;
    this.users = users;
    this.dispatcher = dispatcher;
    this.scheduler = scheduler;
    this.ticker = ticker;
    this.interval = interval;
    this.timeoutNanos = timeout.toNanos();
  }

  void start() {
    next = scheduler.schedule(this::sweepAndReschedule, interval);
  }

  void stop() {
    stopped = true;
    Scheduler.Cancellable n = next;
    if (n != null) {
      n.cancel();
    }
  }

  private void sweepAndReschedule() {
    if (stopped) {
      return;
    }
    try {
      sweep();
    } finally {
      if (!stopped) {
        next = scheduler.schedule(this::sweepAndReschedule, interval);
      }
    }
  }

  /** One heartbeat pass: evict the silent, ping the rest; then schedule the events. */
  void sweep() {
    long now = ticker.read();
    List<UserEntry> deferred = new ArrayList<>();
    for (UserEntry e : users) {
      for (LocalSession s : e.snapshot()) {
        if (s.closed) {
          continue;
        }
        if (now - s.lastTouch >= timeoutNanos) {
          registry.end(s, DisconnectReason.HEARTBEAT_TIMEOUT, true, deferred);
        } else {
          try {
            s.outbound.ping();
          } catch (RuntimeException ex) {
            LOG.debug("Ping to session '{}' of user '{}' failed", s.sessionId, e.userId, ex);
            registry.end(s, DisconnectReason.PING_FAILED, true, deferred);
          }
        }
      }
    }
    for (UserEntry e : deferred) {
      dispatcher.schedule(e);
    }
  }
}
