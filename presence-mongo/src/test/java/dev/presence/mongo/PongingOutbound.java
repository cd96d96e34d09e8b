package dev.presence.mongo;

import dev.presence.DisconnectReason;
import dev.presence.Outbound;
import dev.presence.PresenceSession;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client that answers every heartbeat ping at once (the session is touched, as a pong would),
 * until it is told to go silent like a half-open connection. Thread-safe.
 */
final class PongingOutbound implements Outbound {
  final AtomicInteger pings = new AtomicInteger();
  private volatile PresenceSession session;
  private volatile boolean silent;
  volatile DisconnectReason closedBy;

  void attach(PresenceSession session) {
    this.session = session;
  }

  void goSilent() {
    silent = true;
  }

  @Override
  public void ping() {
    pings.incrementAndGet();
    PresenceSession s = session;
    if (!silent && s != null) {
      s.touch();
    }
  }

  @Override
  public void send(String text) {}

  @Override
  public void close(DisconnectReason reason) {
    closedBy = reason;
  }
}
