package dev.presence.internal;

import dev.presence.PresenceEvent;
import dev.presence.PresenceListener;
import dev.presence.PresenceUpdate;
import dev.presence.Subscription;
import java.util.EnumSet;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a registry's transitions and updates to its listeners, off the threads that cause
 * them.
 *
 * <p><b>Model.</b> A transition is appended to its user's pending events under the user's
 * monitor ({@link #enqueueLocked}); a user with pending events sits once in a ready queue. One
 * delivery task at a time (the {@code running} flag) runs on the executor: it takes a user from
 * the ready queue, takes that user's oldest event under the monitor, calls the listeners with no
 * lock held, and puts the user back at the tail if more events are pending (so one busy user
 * does not starve the others). Per user, events are therefore delivered in order, each once.
 *
 * <p><b>Backlog bound.</b> While fewer than {@code maxPending} events wait, every one is
 * delivered. At or above it, an online event whose user's newest undelivered event is an offline
 * cancels that offline instead of queueing (both are counted as coalesced): alternation is kept,
 * and the backlog stays below {@code maxPending} plus one event per user. Likewise an update
 * ({@link PresenceUpdate}) whose user's newest undelivered event is also an update replaces it
 * (both describe the user's whole state: the newer one wins, and the {@code changes} of both are
 * kept); it is counted as coalesced. The first coalescing
 * of an episode is logged at WARN, the end of the episode (nothing pending) at INFO.
 *
 * <p>Thread-safe.
 */
final class EventDispatcher implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);
  static final long CLOSE_WAIT_MILLIS = 5_000;

  private final CopyOnWriteArrayList<PresenceListener> listeners = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<UserEntry> ready = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicInteger pending = new AtomicInteger();
  private final LongAdder coalesced = new LongAdder();
  private final AtomicBoolean behind = new AtomicBoolean();
  private final AtomicBoolean rejectionLogged = new AtomicBoolean();
  private final Executor executor;
  private final ThreadPoolExecutor owned; // null when the host gave the executor
  private volatile Thread ownedThread;
  private final int maxPending;
  /** Called under a user's monitor when the dispatcher is done with it: retires it if idle. */
  private final Consumer<UserEntry> releaseLocked;

  EventDispatcher(Executor executor, int maxPending, Consumer<UserEntry> releaseLocked) {
    this.maxPending = maxPending;
    this.releaseLocked = releaseLocked;
    if (executor != null) {
      this.executor = executor;
      this.owned = null;
    } else {
      ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "presence-events");
            t.setDaemon(true);
            ownedThread = t;
            return t;
          });
      pool.allowCoreThreadTimeOut(true); // an idle registry holds no thread
      this.owned = pool;
      this.executor = pool;
    }
  }

  Subscription addListener(PresenceListener listener) {
    Objects.requireNonNull(listener, "listener");
    // Wrapped so that adding one listener twice gives two independent subscriptions.
    PresenceListener entry = new Registered(listener);
    listeners.add(entry);
    return () -> listeners.remove(entry);
  }

  /** A listener as added: identity per subscription, both callbacks forwarded. */
  private record Registered(PresenceListener delegate) implements PresenceListener {
    @Override
    public void onTransition(PresenceEvent event) {
      delegate.onTransition(event);
    }

    @Override
    public void onUpdate(PresenceUpdate update) {
      delegate.onUpdate(update);
    }

    @Override
    public boolean equals(Object o) {
      return this == o;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(this);
    }

    @Override
    public String toString() {
      return delegate.toString();
    }
  }

  boolean hasListeners() {
    return !listeners.isEmpty();
  }

  /**
   * Queues a transition of the entry's user. Call under the entry's monitor; if it returns true,
   * call {@link #schedule} with the entry after releasing the monitor.
   */
  boolean enqueueLocked(UserEntry e, PresenceEvent event) {
    if (listeners.isEmpty()) {
      return false; // nobody to tell; a listener added later hears later transitions
    }
    if (event.online() && pending.get() >= maxPending) {
      Object last = e.lastPendingLocked();
      if (last instanceof PresenceEvent offline && !offline.online()) {
        e.dropLastPendingLocked();
        pending.decrementAndGet();
        coalesced.add(2);
        if (behind.compareAndSet(false, true)) {
          LOG.warn("Presence listeners are behind: {} events pending (maxPendingEvents {});"
              + " an undelivered offline and the next online of the same user now cancel out"
              + " until they catch up", pending.get() + 1, maxPending);
        }
        return false;
      }
    }
    return addLocked(e, event);
  }

  /**
   * Queues an update of the entry's user; at or above the backlog bound it replaces an
   * undelivered update of the same user instead.
   * Call under the entry's monitor; if it returns true, call {@link #schedule} with the entry
   * after releasing the monitor.
   */
  boolean enqueueLocked(UserEntry e, PresenceUpdate update) {
    if (listeners.isEmpty()) {
      return false;
    }
    if (pending.get() >= maxPending && e.lastPendingLocked() instanceof PresenceUpdate older) {
      EnumSet<PresenceUpdate.Change> changes = EnumSet.copyOf(update.changes());
      changes.addAll(older.changes());
      e.dropLastPendingLocked();
      e.addPendingLocked(new PresenceUpdate(update.userId(), update.status(), update.statusText(),
          update.lastActive(), update.at(), changes));
      coalesced.increment();
      return false; // the entry is queued already: the older update was pending
    }
    return addLocked(e, update);
  }

  private boolean addLocked(UserEntry e, Object event) {
    e.addPendingLocked(event);
    pending.incrementAndGet();
    if (e.queued) {
      return false;
    }
    e.queued = true;
    return true;
  }

  /** Makes the entry's pending events deliverable. Call without holding any monitor. */
  void schedule(UserEntry e) {
    ready.offer(e);
    kick();
  }

  private void kick() {
    if (!running.compareAndSet(false, true)) {
      return; // the running task will see the entry
    }
    try {
      executor.execute(this);
    } catch (RuntimeException ex) { // RejectedExecutionException, or a host executor's own
      if (rejectionLogged.compareAndSet(false, true)) {
        LOG.warn("Event executor rejected delivery; delivering presence events on the calling"
            + " thread from now on when it does", ex);
      }
      run();
    }
  }

  /** The delivery task: empties the ready queue, then stops (or continues if more arrived). */
  @Override
  public void run() {
    for (;;) {
      UserEntry e;
      while ((e = ready.poll()) != null) {
        deliverNext(e);
      }
      if (behind.get() && pending.get() == 0 && behind.compareAndSet(true, false)) {
        LOG.info("Presence listeners caught up; {} events coalesced so far", coalesced.sum());
      }
      running.set(false);
      if (ready.isEmpty() || !running.compareAndSet(false, true)) {
        return;
      }
    }
  }

  private void deliverNext(UserEntry e) {
    Object event;
    synchronized (e) {
      event = e.pollPendingLocked();
      if (event == null) { // coalesced away meanwhile
        e.queued = false;
        releaseLocked.accept(e);
        return;
      }
    }
    pending.decrementAndGet();
    for (PresenceListener l : listeners) {
      try {
        if (event instanceof PresenceEvent transition) {
          l.onTransition(transition);
        } else {
          l.onUpdate((PresenceUpdate) event);
        }
      } catch (RuntimeException | Error ex) {
        LOG.warn("Presence listener {} failed on {}", l, event, ex);
      }
    }
    boolean more;
    synchronized (e) {
      more = e.hasPendingLocked();
      if (!more) {
        e.queued = false;
        releaseLocked.accept(e);
      }
    }
    if (more) {
      ready.offer(e); // to the tail: other users' events go first
    }
  }

  int pending() {
    return pending.get();
  }

  long coalesced() {
    return coalesced.sum();
  }

  /**
   * Stops the owned event thread once the queued events are delivered, waiting at most
   * {@link #CLOSE_WAIT_MILLIS} (not at all when called from a listener on that thread). A host's
   * executor is left alone.
   */
  void close() {
    if (owned == null) {
      return;
    }
    owned.shutdown();
    if (Thread.currentThread() == ownedThread) {
      return; // a listener closing the registry: the queue drains after it returns
    }
    boolean done;
    try {
      done = owned.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      done = false;
    }
    if (!done) {
      LOG.warn("Presence listeners did not finish within {} ms of close; {} events dropped",
          CLOSE_WAIT_MILLIS, pending.get());
      owned.shutdownNow();
    }
  }
}
