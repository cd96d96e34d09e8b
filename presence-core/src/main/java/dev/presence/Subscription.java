package dev.presence;

/**
 * A registration that can be undone, such as an added listener. Thread-safe.
 */
@FunctionalInterface
public interface Subscription extends AutoCloseable {

  /** Undoes the registration. Idempotent. */
  @Override
  void close();
}
