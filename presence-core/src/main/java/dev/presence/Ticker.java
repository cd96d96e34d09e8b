package dev.presence;

/**
 * A source of monotonic time in nanoseconds, used for every timing rule of the library
 * (heartbeat timeout, offline grace, write-behind delays). Injected so that tests can drive
 * time by hand instead of sleeping.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Ticker {

  /**
   * Returns the number of nanoseconds elapsed since an arbitrary, fixed origin.
   *
   * @return the current reading; only differences between readings are meaningful
   */
  long read();

  /**
   * Returns the ticker backed by {@link System#nanoTime()}.
   *
   * @return the system ticker (thread-safe, shared)
   */
  static Ticker system() {
    return System::nanoTime;
  }
}
