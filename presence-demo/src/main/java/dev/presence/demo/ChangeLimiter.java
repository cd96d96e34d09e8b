package dev.presence.demo;

import dev.presence.RateLimit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A per-user limit on presence changes over HTTP ({@code PUT /me/presence}), the same rate the
 * library applies to {@code set_status} on a socket: every accepted change is a database write and
 * a message to each co-member, so a client looping on it must not turn the server into an
 * amplifier. A token bucket per user, kept as one number (the generic cell rate algorithm: the
 * time at which the bucket will be full again). Memory: one entry per user whose bucket is not full
 * again, plus at most {@value #SWEEP_EVERY} whose bucket filled up since the last sweep: a user
 * whose bucket is full is the same as a user without an entry, so every {@value #SWEEP_EVERY}th
 * call drops those entries. So the map is bounded by the change rate over one refill period, not
 * by how many users ever changed something (logins are free in the demo).
 *
 * <p>Thread-safe: one {@link ConcurrentHashMap#compute} per call.
 */
final class ChangeLimiter {
  static final int SWEEP_EVERY = 1024;
  private final RateLimit limit;
  private final LongSupplier nanoTime;
  private final Map<String, Long> fullAt = new ConcurrentHashMap<>();
  private final AtomicInteger sinceSweep = new AtomicInteger();

  /**
   * @param limit the rate
   * @param nanoTime a monotonic clock in nanoseconds ({@code System::nanoTime})
   */
  ChangeLimiter(RateLimit limit, LongSupplier nanoTime) {
    this.limit = limit;
    this.nanoTime = nanoTime;
  }

  RateLimit limit() {
    return limit;
  }

  /**
   * Takes one permit for {@code userId} if there is one.
   *
   * @param userId the user
   * @return 0 if the change may go ahead (the permit is taken), else how many nanoseconds until
   *     the next permit
   */
  long acquire(String userId) {
    long interval = limit.intervalNanos();
    long tolerance = interval * (limit.permits() - 1);
    long[] wait = new long[1];
    fullAt.compute(userId, (k, at) -> {
      long now = nanoTime.getAsLong();
      long t = at == null || at - now < 0 ? now : at;
      if (t - now > tolerance) {
        wait[0] = t - now - tolerance;
        return at;
      }
      return t + interval;
    });
    if (sinceSweep.incrementAndGet() >= SWEEP_EVERY) {
      sinceSweep.set(0);
      long now = nanoTime.getAsLong();
      // removes an entry only if it still holds the value tested: a concurrent acquire wins
      fullAt.values().removeIf(at -> at - now <= 0);
    }
    return wait[0];
  }

  /** How many users have an entry: the limiter's memory. */
  int trackedUsers() {
    return fullAt.size();
  }
}
