package dev.presence;

import java.time.Duration;
import java.util.Objects;

/**
 * A rate: at most {@code permits} in a burst, and {@code permits} per {@code per} sustained (a
 * token bucket of {@code permits} tokens, one refilled every {@code per / permits}). Used for
 * {@link PresenceRegistry.Builder#clientChangeLimit}. Immutable, hence thread-safe.
 *
 * @param permits the burst, and how many per {@code per}; positive
 * @param per the period; positive, at most a day
 */
public record RateLimit(int permits, Duration per) {
  private static final Duration MAX_PER = Duration.ofDays(1);

  /**
   * Validates the components.
   *
   * @param permits positive
   * @param per positive, at most a day
   * @throws NullPointerException if {@code per} is null
   * @throws IllegalArgumentException if {@code permits} or {@code per} is not positive, or
   *     {@code per} is longer than a day
   */
  public RateLimit {
    Objects.requireNonNull(per, "per");
    if (permits <= 0) {
      throw new IllegalArgumentException("permits must be positive: " + permits);
    }
    if (per.isZero() || per.isNegative()) {
      throw new IllegalArgumentException("per must be positive: " + per);
    }
    if (per.compareTo(MAX_PER) > 0) {
      throw new IllegalArgumentException("per must be at most PT24H: " + per);
    }
  }

  /**
   * Returns the time one permit takes to come back: {@code per / permits}, at least 1 ns.
   *
   * @return nanoseconds
   */
  public long intervalNanos() {
    return Math.max(1, per.toNanos() / permits);
  }

  /**
   * Returns the rate as people read it.
   *
   * @return e.g. {@code "5 per PT10S"}
   */
  @Override
  public String toString() {
    return permits + " per " + per;
  }
}
