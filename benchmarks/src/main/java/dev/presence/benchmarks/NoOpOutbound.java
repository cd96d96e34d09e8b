package dev.presence.benchmarks;

import dev.presence.DisconnectReason;
import dev.presence.Outbound;
import java.util.concurrent.atomic.LongAdder;

/**
 * An {@link Outbound} that sends nothing and counts pings: stands for the host's connection
 * without measuring the transport. Thread-safe.
 */
final class NoOpOutbound implements Outbound {
  /** Shared by every session whose pings nobody counts. */
  static final NoOpOutbound INSTANCE = new NoOpOutbound();

  private final LongAdder pings = new LongAdder();

  @Override
  public void ping() {
    pings.increment();
  }

  @Override
  public void send(String text) {}

  @Override
  public void close(DisconnectReason reason) {}

  long pings() {
    return pings.sum();
  }
}
