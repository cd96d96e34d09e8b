package dev.presence.demo;

import dev.presence.RateLimit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A per-user limit on presence changes over HTTP ({@code PUT /me/presence}), the same rate the
 * library applies to {@code set_status} on a socket: every accepted change is a database write and
 * a message to each co-member, so a client looping on it must not turn the server into an
 * amplifier. A token bucket per user, kept as one number (the generic cell rate algorithm: the
 * time at which the bucket will be full again). Memory: one entry per user who changed something
 * since start.
 *
 * <p>Thread-safe: one {@link ConcurrentHashMap#compute} per call.
 */
final class ChangeLimiter {
  private final RateLimit limit;
  private final LongSupplier nanoTime;
  private final Map<String, Long> fullAt = new ConcurrentHashMap<>();

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
    return wait[0];
  }
}
