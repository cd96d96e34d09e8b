package dev.presence.redis;

import dev.presence.PresenceEvent;
import dev.presence.PresenceListener;
import dev.presence.PresenceUpdate;
import dev.presence.Subscription;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands cluster events to listeners on the event executor, never on the thread that produced
 * them (the node's loop, hence never a Redis I/O thread). Delivery is serial: at most one drain
 * task runs at a time, so every listener sees the events in the order they were queued, which
 * is per user in order, strictly alternating, each once, with the user's updates in the same
 * stream between the transitions. An event goes to the listeners
 * registered when it was queued, so a listener added later never hears of earlier transitions.
 *
 * <p>A listener slower than the event rate delays only delivery, never the loop: events queue
 * without bound (memory grows by one small entry per event); the backlog is a gauge
 * ({@link #pending()}) and is logged once each time it crosses {@value #BACKLOG_WARNING}.
 * Thread-safe.
 */
final class EventDelivery {
  private static final Logger LOG = LoggerFactory.getLogger(EventDelivery.class);
  static final int BACKLOG_WARNING = 10_000;
  private static final int BATCH = 256;

  /**
   * A transition or an update, and the listeners registered when it was queued (never
   * modified).
   */
  private static final class Entry {
    final PresenceEvent event;
    final PresenceUpdate update;
    final PresenceListener[] listeners;

    Entry(PresenceEvent event, PresenceUpdate update, PresenceListener[] listeners) {
      this.event = event;
      this.update = update;
      this.listeners = listeners;
    }
  }

  private final Executor executor;
  private final String name;
  private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong online = new AtomicLong();
  private final AtomicLong offline = new AtomicLong();
  private final AtomicLong updates = new AtomicLong();
  private final Object listenersLock = new Object();
  private volatile PresenceListener[] listeners = new PresenceListener[0];

  EventDelivery(Executor executor, String name) {
    this.executor = Objects.requireNonNull(executor, "eventExecutor");
    this.name = name;
  }

  Subscription add(PresenceListener listener) {
    Objects.requireNonNull(listener, "listener");
    // a wrapper of its own per registration, so adding one listener twice needs two removals
    PresenceListener entry = new PresenceListener() {
      @Override
      public void onTransition(PresenceEvent event) {
        listener.onTransition(event);
      }

      @Override
      public void onUpdate(PresenceUpdate update) {
        listener.onUpdate(update);
      }

      @Override
      public String toString() {
        return listener.toString();
      }
    };
    synchronized (listenersLock) {
      PresenceListener[] now = listeners;
      PresenceListener[] next = Arrays.copyOf(now, now.length + 1);
      next[now.length] = entry;
      listeners = next;
    }
    return () -> {
      synchronized (listenersLock) {
        PresenceListener[] now = listeners;
        for (int i = 0; i < now.length; i++) {
          if (now[i] == entry) {
            PresenceListener[] next = new PresenceListener[now.length - 1];
            System.arraycopy(now, 0, next, 0, i);
            System.arraycopy(now, i + 1, next, i, now.length - i - 1);
            listeners = next;
            return;
          }
        }
      }
    };
  }

  /** Queues an event for the current listeners; never blocks, never runs a listener. */
  void publish(PresenceEvent event) {
    (event.online() ? online : offline).incrementAndGet();
    enqueue(event, null);
  }

  /** Queues an update for the current listeners; never blocks, never runs a listener. */
  void publish(PresenceUpdate update) {
    updates.incrementAndGet();
    enqueue(null, update);
  }

  private void enqueue(PresenceEvent event, PresenceUpdate update) {
    PresenceListener[] now = listeners;
    if (now.length == 0) {
      return;
    }
    queue.add(new Entry(event, update, now));
    if (pending.incrementAndGet() == BACKLOG_WARNING) {
      LOG.warn("{}: {} cluster events wait for slow listeners", name, BACKLOG_WARNING);
    }
    schedule();
  }

  /** Offline→online transitions so far (listeners or not). */
  long onlineTransitions() {
    return online.get();
  }

  /** Updates so far (listeners or not). */
  long updates() {
    return updates.get();
  }

  /** Online→offline transitions so far (listeners or not). */
  long offlineTransitions() {
    return offline.get();
  }

  /** Events queued and not yet delivered. */
  int pending() {
    return pending.get();
  }

  /** Drain tasks the executor refused (the events stay queued for the next accepted one). */
  long rejected() {
    return rejected.get();
  }

  private void schedule() {
    if (!queue.isEmpty() && draining.compareAndSet(false, true)) {
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        draining.set(false);
        rejected.incrementAndGet();
        LOG.debug("{}: event executor refused delivery (closing?)", name, e);
      }
    }
  }

  private void drain() {
    try {
      for (int i = 0; i < BATCH; i++) {
        Entry e = queue.poll();
        if (e == null) {
          break;
        }
        pending.decrementAndGet();
        for (PresenceListener l : e.listeners) {
          try {
            if (e.event != null) {
              l.onTransition(e.event);
            } else {
              l.onUpdate(e.update);
            }
          } catch (RuntimeException | Error ex) {
            LOG.warn("Presence listener {} failed on {}", l, e.event != null ? e.event : e.update,
                ex);
          }
        }
      }
    } finally {
      draining.set(false);
      schedule(); // more arrived, or the batch ended: let other tasks of the executor run
    }
  }
}
