package dev.presence.testing;

import dev.presence.DisconnectReason;
import dev.presence.Outbound;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** An {@link Outbound} that records what the registry did to it. Thread-safe. */
public final class RecordingOutbound implements Outbound {
  public final AtomicInteger pings = new AtomicInteger();
  public final List<String> sent = new CopyOnWriteArrayList<>();
  public final List<DisconnectReason> closes = new CopyOnWriteArrayList<>();
  private volatile boolean failPings;

  public void failPings() {
    failPings = true;
  }

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
