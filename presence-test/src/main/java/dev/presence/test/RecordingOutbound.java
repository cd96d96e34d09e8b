package dev.presence.test;

import dev.presence.DisconnectReason;
import dev.presence.Outbound;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link Outbound} that records what the registry did to it: pings, texts sent and closes, in
 * order. The lists are live and thread-safe (copy-on-write); assert on them directly. Thread-safe.
 */
public final class RecordingOutbound implements Outbound {
  /** Pings answered so far (a ping that threw after {@link #failPings()} is not counted). */
  public final AtomicInteger pings = new AtomicInteger();
  /** Every text sent, in order (a live view). */
  public final List<String> sent = new CopyOnWriteArrayList<>();
  /** Every close, with its reason, in order (a live view). */
  public final List<DisconnectReason> closes = new CopyOnWriteArrayList<>();
  private volatile boolean failPings;

  /** Creates an outbound that accepts everything. */
  public RecordingOutbound() {}

  /** From now on every {@link #ping()} throws, as a dead channel would. */
  public void failPings() {
    failPings = true;
  }

  /**
   * Counts the ping.
   *
   * @throws IllegalStateException after {@link #failPings()}
   */
  @Override
  public void ping() {
    if (failPings) {
      throw new IllegalStateException("channel dead");
    }
    pings.incrementAndGet();
  }

  @Override
  public void send(String text) {
    sent.add(text);
  }

  @Override
  public void close(DisconnectReason reason) {
    closes.add(reason);
  }
}
