package dev.presence;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts any {@link LastSeenStore} behind a bounded, coalescing queue so that recording a last-seen
 * time never waits on the database.
 *
 * <p>Design: {@link #recordAll} only merges into a map of pending times (one entry per user,
 * the latest time wins) and makes sure a flush is scheduled. The flush runs on the
 * {@link Scheduler}, hands up to {@code batchSize} users to the delegate in one call, and
 * reschedules itself while work remains. A failed batch goes back into the map (merged, so a
 * newer time recorded meanwhile still wins) and is retried with exponential backoff; nothing
 * accepted is dropped. Only new users beyond {@code maxPending} are refused: they are counted
 * ({@link #droppedCount()}) and logged. Reads overlay the queued and in-flight times on the
 * delegate's, so a reader sees every accepted time, before, during and after its write.
 *
 * <p>Erasure: {@link #forget} drops the users' queued times, waits for a batch being written
 * (which may hold one of them) to finish, and then has the delegate forget them while no batch
 * runs, so a write accepted before the call can never land after the erasure.
 *
 * <p>Thread-safe.
 */
public final class WriteBehindLastSeenStore implements LastSeenStore, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WriteBehindLastSeenStore.class);

  private final LastSeenStore delegate;
  private final int maxPending;
  private final int batchSize;
  private final Duration flushDelay;
  private final Duration retryBackoff;
  private final Duration maxRetryBackoff;
  private final Duration closeTimeout;
  private final Scheduler scheduler;
  private final boolean ownsScheduler;

  private final ConcurrentHashMap<String, Instant> pending = new ConcurrentHashMap<>();
  /** The batch being written: still visible to readers until the delegate has it. */
  private final ConcurrentHashMap<String, Instant> inFlight = new ConcurrentHashMap<>();
  private final AtomicBoolean flushScheduled = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong failedAttempts = new AtomicLong();
  private final AtomicLong unwrittenAtClose = new AtomicLong();
  /** Counted down by close's drain thread when it is done. */
  private final CountDownLatch drained = new CountDownLatch(1);
  /** Close has given up: its drain thread stops after the write it is in. */
  private volatile boolean abandoned;
  private final Object flushLock = new Object();
  private Duration currentBackoff; // guarded by flushLock
  private boolean failing; // guarded by flushLock

  private WriteBehindLastSeenStore(Builder b) {
    this.delegate = b.delegate;
    this.maxPending = b.maxPending;
    this.batchSize = b.batchSize;
    this.flushDelay = b.flushDelay;
    this.retryBackoff = b.retryBackoff;
    this.maxRetryBackoff = b.maxRetryBackoff;
    this.closeTimeout = b.closeTimeout;
    this.ownsScheduler = b.scheduler == null;
    this.scheduler = ownsScheduler ? Scheduler.daemonThread("presence-last-seen-writer") : b.scheduler;
    this.currentBackoff = retryBackoff;
  }

  /**
   * Returns a builder wrapping {@code delegate}.
   *
   * @param delegate the store that does the real writes, called from the flush thread only
   * @return a new builder
   * @throws NullPointerException if {@code delegate} is null
   */
  public static Builder builder(LastSeenStore delegate) {
    return new Builder(Objects.requireNonNull(delegate, "delegate"));
  }

  /**
   * Queues the times; never blocks and never calls the delegate on this thread.
   *
   * @param lastSeen user id → offline time
   * @throws IllegalStateException if this store is closed
   */
  @Override
  public void recordAll(Map<String, Instant> lastSeen) {
    Objects.requireNonNull(lastSeen, "lastSeen");
    if (closed.get()) {
      throw new IllegalStateException("WriteBehindLastSeenStore is closed");
    }
    lastSeen.forEach(this::enqueue);
    scheduleFlush(pending.size() >= batchSize ? Duration.ZERO : flushDelay);
  }

  private void enqueue(String userId, Instant at) {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(at, "at");
    // The size check is racy by a few entries under contention; the bound is a memory guard,
    // not an exact quota, and existing users always coalesce.
    if (!pending.containsKey(userId) && pending.size() >= maxPending) {
      long n = dropped.incrementAndGet();
      if (Long.bitCount(n) == 1) { // 1st, 2nd, 4th, 8th ... drop: visible, never a log flood
        LOG.warn("Last-seen queue full ({} users pending); dropped the write for user '{}' ({} dropped so far)",
            maxPending, userId, n);
      }
      return;
    }
    pending.merge(userId, at, WriteBehindLastSeenStore::later);
  }

  /**
   * Reads from the delegate (on the calling thread) and overlays times still queued or being
   * written.
   *
   * @param userIds the users
   * @return user id → last seen
   */
  @Override
  public Map<String, Instant> readAll(Collection<String> userIds) {
    Objects.requireNonNull(userIds, "userIds");
    // Order matters: queued, then in flight, then the delegate. A time leaves the queue only
    // after entering inFlight, and leaves inFlight only after the delegate has it.
    Map<String, Instant> out = new HashMap<>();
    for (String id : userIds) {
      if (id != null) {
        Instant queued = pending.get(id);
        if (queued != null) {
          out.put(id, queued);
        }
        Instant writing = inFlight.get(id);
        if (writing != null) {
          out.merge(id, writing, WriteBehindLastSeenStore::later);
        }
      }
    }
    delegate.readAll(userIds).forEach((id, at) -> out.merge(id, at, WriteBehindLastSeenStore::later));
    return out;
  }

  /**
   * Erases the users: drops their queued times, then (on the calling thread, after any batch
   * being written has finished, and while no other batch runs) has the delegate forget them.
   * Blocking: it waits for at most one batch write and then for the delegate's own erasure.
   * Works after {@link #close()} too.
   *
   * @param userIds the users; null elements are ignored
   * @throws NullPointerException if {@code userIds} is null
   * @throws RuntimeException what the delegate threw; the queued times are dropped already, and
   *     the call is safe to repeat
   */
  @Override
  public void forget(Collection<String> userIds) {
    Objects.requireNonNull(userIds, "userIds");
    List<String> ids = new ArrayList<>(userIds.size());
    for (String id : userIds) {
      if (id != null) {
        ids.add(id);
        pending.remove(id); // not taken into a batch from now on
      }
    }
    if (ids.isEmpty()) {
      return;
    }
    synchronized (flushLock) {
      // A batch in flight when we started has finished (written, or failed and re-queued).
      ids.forEach(pending::remove);
      delegate.forget(ids);
    }
  }

  private void scheduleFlush(Duration delay) {
    if (!pending.isEmpty() && flushScheduled.compareAndSet(false, true)) {
      try {
        scheduler.schedule(this::flush, delay);
      } catch (RuntimeException e) {
        flushScheduled.set(false);
        if (!closed.get()) {
          throw e;
        }
      }
    }
  }

  private void flush() {
    Duration next;
    synchronized (flushLock) {
      Duration retryIn = writeOneBatch();
      next = retryIn != null ? retryIn : pending.isEmpty() ? null : Duration.ZERO;
    }
    flushScheduled.set(false);
    if (next != null && !closed.get()) {
      scheduleFlush(next);
    }
  }

  /**
   * Writes up to one batch. Returns null on success, or how long to wait before retrying if the
   * delegate failed. Caller holds flushLock.
   */
  private Duration writeOneBatch() {
    Map<String, Instant> batch = takeBatch();
    if (batch.isEmpty()) {
      return null;
    }
    try {
      delegate.recordAll(batch);
    } catch (RuntimeException e) {
      batch.forEach((user, at) -> pending.merge(user, at, WriteBehindLastSeenStore::later));
      batch.forEach(inFlight::remove);
      failedAttempts.incrementAndGet();
      if (!failing) {
        LOG.warn("Last-seen write of {} users failed; retrying with backoff ({} pending)",
            batch.size(), pending.size(), e);
      }
      failing = true;
      Duration wait = currentBackoff;
      Duration doubled = currentBackoff.multipliedBy(2);
      currentBackoff = doubled.compareTo(maxRetryBackoff) > 0 ? maxRetryBackoff : doubled;
      return wait;
    }
    batch.forEach(inFlight::remove);
    written.addAndGet(batch.size());
    if (failing) {
      LOG.info("Last-seen writes recovered after {} failed attempts", failedAttempts.get());
      failing = false;
    }
    currentBackoff = retryBackoff;
    return null;
  }

  private Map<String, Instant> takeBatch() {
    Map<String, Instant> batch = new HashMap<>();
    Iterator<String> it = pending.keySet().iterator();
    while (batch.size() < batchSize && it.hasNext()) {
      String user = it.next();
      Instant at = pending.get(user);
      if (at == null) {
        continue;
      }
      inFlight.put(user, at); // visible before it leaves the queue
      if (!pending.remove(user, at)) {
        inFlight.remove(user, at); // a newer time arrived: it stays queued, written next
        continue;
      }
      batch.put(user, at);
    }
    return batch;
  }

  /**
   * Returns false: {@link #recordAll} only enqueues.
   *
   * @return false
   */
  @Override
  public boolean blocksCaller() {
    return false;
  }

  /**
   * Returns how many users have a time waiting to be written.
   *
   * @return the current queue size
   */
  public int pendingCount() {
    return pending.size();
  }

  /**
   * Returns how many writes were refused because the queue was full.
   *
   * @return the total since creation
   */
  public long droppedCount() {
    return dropped.get();
  }

  /**
   * Returns how many user times the delegate accepted.
   *
   * @return the total since creation
   */
  public long writtenCount() {
    return written.get();
  }

  /**
   * Returns how many batch writes the delegate failed.
   *
   * @return the total since creation
   */
  public long failedAttemptCount() {
    return failedAttempts.get();
  }

  /**
   * Returns how many user times {@link #close()} gave up on: still queued, or in a write that had
   * not returned, when its timeout passed. A write still running then may land later.
   *
   * @return 0 until a close timed out; then the users it reported as not written
   */
  public long unwrittenAtCloseCount() {
    return unwrittenAtClose.get();
  }

  /**
   * Stops accepting writes and flushes what is queued, returning within the close timeout
   * whatever the delegate does. The flush runs on a thread of its own
   * ({@code presence-last-seen-close}, a daemon), in batches of {@code batchSize}, retrying a
   * failed batch with backoff; the caller waits until everything is written or the close timeout
   * has passed since the call, whichever comes first. On timeout (the delegate failing, or
   * blocked, or too slow for the queue) it stops retrying, logs at ERROR how many users were not
   * written (queued, and in a write that had not returned: that write may still land), counts
   * them in {@link #unwrittenAtCloseCount()}, and returns. With a zero timeout it returns at
   * once, reporting whatever is still queued then. Idempotent; a second call returns at once.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    if (!pending.isEmpty() || !inFlight.isEmpty()) {
      Thread drainer = new Thread(() -> drain(deadline), "presence-last-seen-close");
      drainer.setDaemon(true);
      drainer.start();
      if (!awaitDrained(deadline)) {
        abandoned = true;
        LockSupport.unpark(drainer); // ends a retry wait; a write that hangs is left to itself
        int queued = pending.size();
        int writing = 0;
        for (String user : inFlight.keySet()) {
          if (!pending.containsKey(user)) { // a time moving between the two is counted once
            writing++;
          }
        }
        unwrittenAtClose.set((long) queued + writing);
        LOG.error("Closed with {} last-seen times not written within the close timeout of {}: {} queued,"
            + " {} in a write that had not returned (it may still land)", queued + writing, closeTimeout,
            queued, writing);
      }
    }
    if (ownsScheduler) {
      scheduler.close();
    }
  }

  /** On the close thread: writes batches until the queue is empty, the deadline passes, or close gives up. */
  private void drain(long deadline) {
    try {
      synchronized (flushLock) {
        while (!pending.isEmpty() && !abandoned) {
          Duration retryIn = writeOneBatch();
          if (retryIn != null) {
            long wait = Math.min(retryIn.toNanos(), deadline - System.nanoTime());
            if (wait <= 0) {
              break;
            }
            LockSupport.parkNanos(wait);
          }
        }
      }
    } finally {
      drained.countDown();
    }
  }

  /** Waits for the close thread until the deadline; true if it finished with nothing left. */
  private boolean awaitDrained(long deadline) {
    try {
      return drained.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)
          && pending.isEmpty() && inFlight.isEmpty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the host is in a hurry: report what is left
      return false;
    }
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  @Override
  public String toString() {
    return "WriteBehindLastSeenStore(" + delegate + ", pending=" + pending.size() + ")";
  }

  /** Builds a {@link WriteBehindLastSeenStore}. Setters validate at once. Not thread-safe. */
  public static final class Builder {
    private final LastSeenStore delegate;
    private int maxPending = 100_000;
    private int batchSize = 500;
    private Duration flushDelay = Duration.ofMillis(100);
    private Duration retryBackoff = Duration.ofMillis(100);
    private Duration maxRetryBackoff = Duration.ofSeconds(30);
    private Duration closeTimeout = Duration.ofSeconds(10);
    private Scheduler scheduler;

    private Builder(LastSeenStore delegate) {
      this.delegate = delegate;
    }

    /**
     * Sets how many users may wait to be written; beyond it, new users are dropped (counted and
     * logged). Default 100 000. The batch being written is out of the queue meanwhile, so memory
     * holds at most {@code maxPending + batchSize} users; a failed batch always goes back in,
     * whatever the bound, because it was already accepted.
     *
     * @param maxPending a positive count
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxPending(int maxPending) {
      if (maxPending <= 0) {
        throw new IllegalArgumentException("maxPending must be positive: " + maxPending);
      }
      this.maxPending = maxPending;
      return this;
    }

    /**
     * Sets the most users handed to the delegate in one call. Default 500.
     *
     * @param batchSize a positive count
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder batchSize(int batchSize) {
      if (batchSize <= 0) {
        throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Sets how long the first write waits for more to join its batch. Default 100 ms.
     *
     * @param flushDelay zero or positive
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder flushDelay(Duration flushDelay) {
      this.flushDelay = notNegative("flushDelay", flushDelay);
      return this;
    }

    /**
     * Sets the wait after the first failure; it doubles per failure up to the maximum. Default
     * 100 ms.
     *
     * @param backoff a positive duration
     * @return this builder
     * @throws IllegalArgumentException if zero or negative
     */
    public Builder retryBackoff(Duration backoff) {
      this.retryBackoff = positive("retryBackoff", backoff);
      return this;
    }

    /**
     * Sets the longest wait between retries. Default 30 s.
     *
     * @param max a positive duration
     * @return this builder
     * @throws IllegalArgumentException if zero or negative
     */
    public Builder maxRetryBackoff(Duration max) {
      this.maxRetryBackoff = positive("maxRetryBackoff", max);
      return this;
    }

    /**
     * Sets how long {@link #close()} waits for the queue to be written, retrying a failing
     * delegate meanwhile; past it, close reports what was not written and returns. Default 10 s.
     *
     * @param timeout zero (close reports what is queued and returns at once) or positive
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = notNegative("closeTimeout", timeout);
      return this;
    }

    /**
     * Sets the scheduler flushes run on. Default: a daemon thread of its own, stopped on close.
     *
     * @param scheduler the scheduler; not closed by the store
     * @return this builder
     * @throws NullPointerException if null
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Builds the store.
     *
     * @return a new write-behind store
     * @throws IllegalStateException if maxRetryBackoff is shorter than retryBackoff
     */
    public WriteBehindLastSeenStore build() {
      if (maxRetryBackoff.compareTo(retryBackoff) < 0) {
        throw new IllegalStateException("maxRetryBackoff (" + maxRetryBackoff
            + ") must not be shorter than retryBackoff (" + retryBackoff + ")");
      }
      return new WriteBehindLastSeenStore(this);
    }

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }

    private static Duration notNegative(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative: " + d);
      }
      return d;
    }
  }
}
