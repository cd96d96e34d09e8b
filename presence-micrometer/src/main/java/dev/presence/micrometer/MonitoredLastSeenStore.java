package dev.presence.micrometer;

import dev.presence.LastSeenStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Wraps a (possibly blocking) {@link LastSeenStore} to time its writes and remember since when
 * they fail, for metrics and health checks. Put it <em>inside</em> the write-behind: hand it to
 * {@code PresenceRegistry.Builder.lastSeenStore}, which wraps it in a write-behind as it does any
 * blocking store, so that it sees every batch write and retry.
 *
 * <p>A write that throws starts (or continues) a failing period; the next write that succeeds
 * ends it. Reads are passed through untimed. Thread-safe: counters are atomics.
 */
public final class MonitoredLastSeenStore implements LastSeenStore {
  private final LastSeenStore delegate;
  private final Clock clock;
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong writeNanos = new AtomicLong();
  /** When the current failing period started; null while writes succeed. */
  private final AtomicReference<Instant> failingSince = new AtomicReference<>();
  private volatile String lastError;

  private MonitoredLastSeenStore(LastSeenStore delegate, Clock clock) {
    this.delegate = delegate;
    this.clock = clock;
  }

  /**
   * Wraps a store, stamping failures with the UTC system clock.
   *
   * @param delegate the store doing the writes
   * @return the wrapper
   * @throws NullPointerException if {@code delegate} is null
   */
  public static MonitoredLastSeenStore of(LastSeenStore delegate) {
    return of(delegate, Clock.systemUTC());
  }

  /**
   * Wraps a store.
   *
   * @param delegate the store doing the writes
   * @param clock the clock failures are stamped with
   * @return the wrapper
   * @throws NullPointerException if an argument is null
   */
  public static MonitoredLastSeenStore of(LastSeenStore delegate, Clock clock) {
    return new MonitoredLastSeenStore(Objects.requireNonNull(delegate, "delegate"),
        Objects.requireNonNull(clock, "clock"));
  }

  @Override
  public void recordAll(Map<String, Instant> lastSeen) {
    long start = System.nanoTime();
    try {
      delegate.recordAll(lastSeen);
      failingSince.set(null);
    } catch (RuntimeException e) {
      failures.incrementAndGet();
      failingSince.compareAndSet(null, clock.instant());
      lastError = e.getClass().getName() + ": " + e.getMessage();
      throw e;
    } finally {
      writeNanos.addAndGet(System.nanoTime() - start);
      writes.incrementAndGet();
    }
  }

  @Override
  public Map<String, Instant> readAll(Collection<String> userIds) {
    return delegate.readAll(userIds);
  }

  /**
   * Returns since when writes have been failing.
   *
   * @return the time of the first failure of the current failing period; empty while the last
   *     write succeeded (or none was made)
   */
  public Optional<Instant> failingSince() {
    return Optional.ofNullable(failingSince.get());
  }

  /**
   * Returns the last write error, as {@code class: message}.
   *
   * @return the last error, or empty if no write ever failed
   */
  public Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  /**
   * Returns how many batch writes were attempted (successful or not).
   *
   * @return the count since creation
   */
  public long writeCount() {
    return writes.get();
  }

  /**
   * Returns how many batch writes failed.
   *
   * @return the count since creation
   */
  public long failureCount() {
    return failures.get();
  }

  /**
   * Returns the time spent in writes, all together.
   *
   * @return nanoseconds since creation
   */
  public long totalWriteNanos() {
    return writeNanos.get();
  }

  /**
   * Returns the wrapped store.
   *
   * @return the delegate
   */
  public LastSeenStore delegate() {
    return delegate;
  }

  @Override
  public String toString() {
    return "MonitoredLastSeenStore(" + delegate + ")";
  }
}
