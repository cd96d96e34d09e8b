package dev.presence.websocket;

import dev.presence.PresenceSession;
import jakarta.websocket.Session;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions one {@link WebSocketPresence} keeps state for (open, or closing), each with its
 * {@link SessionOutbound}: the lookups of the endpoint callbacks, the watchdog's pass over every
 * write in flight, and the bounded close of them all on shutdown. An entry is added when a
 * session opens and removed when the container reports it closed or the watchdog finds it
 * finished.
 *
 * <p>Thread-safe: a {@link ConcurrentHashMap}; iteration sees a weakly consistent view.
 */
final class SessionTable {
  // under the integration's name, as before the split: hosts configure it by that name
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketPresence.class);

  private final ConcurrentHashMap<Session, SessionOutbound> sessions = new ConcurrentHashMap<>();

  void put(Session session, SessionOutbound outbound) {
    sessions.put(session, outbound);
  }

  @Nullable SessionOutbound get(Session session) {
    return sessions.get(session);
  }

  /** The registered presence of a session, or null if it has none (refused, closed, not yet). */
  @Nullable PresenceSession presenceOf(Session session) {
    SessionOutbound o = sessions.get(session);
    return o == null ? null : o.presence();
  }

  @Nullable SessionOutbound remove(Session session) {
    return sessions.remove(session);
  }

  void remove(Session session, SessionOutbound outbound) {
    sessions.remove(session, outbound);
  }

  /** How many sessions are tracked (open, or closing). */
  int size() {
    return sessions.size();
  }

  /** How many of the sessions tracked have texts queued or in flight. */
  int withPendingTexts() {
    int n = 0;
    for (SessionOutbound o : sessions.values()) {
      n += o.pendingTexts() > 0 ? 1 : 0;
    }
    return n;
  }

  /**
   * The watchdog's pass: checks the write in flight of every session (ending slow consumers) and
   * forgets the sessions that are finished. Never throws.
   *
   * @param now {@link System#nanoTime()} of the pass
   */
  void checkWrites(long now) {
    for (var entry : sessions.entrySet()) {
      SessionOutbound o = entry.getValue();
      try {
        o.check(now);
        if (o.finished()) {
          sessions.remove(entry.getKey(), o);
        }
      } catch (RuntimeException e) {
        LOG.debug("Checking WebSocket session {} failed", o.id, e);
      }
    }
  }

  /**
   * Closes every session in bounded time: starts the closing handshake of each one not closing
   * yet, waits until every handshake completed or {@code timeout} passed, then drops the
   * connections that remain without waiting for them.
   *
   * @param timeout how long to wait for the handshakes
   * @return how many connections were dropped
   */
  int closeAll(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (SessionOutbound o : sessions.values()) {
      o.shutdown(); // a no-op for sessions the registry's close started closing already
    }
    while (!sessions.isEmpty() && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    int dropped = 0;
    for (SessionOutbound o : sessions.values()) {
      try {
        o.drop();
        dropped++;
      } catch (RuntimeException e) {
        LOG.debug("Dropping WebSocket session {} failed", o.id, e);
      }
    }
    return dropped;
  }
}
