package dev.presence.internal;

import dev.presence.DisconnectReason;
import dev.presence.Outbound;
import dev.presence.PresenceSession;
import dev.presence.RateLimit;
import dev.presence.SessionInfo;
import dev.presence.SessionMetadata;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One session of a {@link DefaultPresenceRegistry}. Thread-safe: {@code lastTouch} is written
 * without a lock (the latest write wins); {@code closed} is set under the user entry's monitor.
 */
final class LocalSession implements PresenceSession {
  final DefaultPresenceRegistry registry;
  final UserEntry entry;
  final String sessionId;
  final Outbound outbound;
  final Instant connectedAt;
  volatile long lastTouch;
  volatile boolean closed;
  /** Immutable, validated; replaced under the entry's monitor. */
  volatile Map<String, String> metadata;
  /**
   * The client change limit as a GCRA (a token bucket in one number): the ticker time at which
   * the bucket would be full again. Guarded by {@code this}.
   */
  private long changesFullAt;

  LocalSession(DefaultPresenceRegistry registry, UserEntry entry, String sessionId,
      Outbound outbound, long now, Instant connectedAt, Map<String, String> metadata) {
    this.registry = registry;
    this.entry = entry;
    this.sessionId = sessionId;
    this.outbound = outbound;
    this.lastTouch = now;
    this.connectedAt = connectedAt;
    this.metadata = metadata;
    this.changesFullAt = now;
  }

  @Override
  public String userId() {
    return entry.userId;
  }

  @Override
  public String sessionId() {
    return sessionId;
  }

  @Override
  public void touch() {
    if (!closed) {
      lastTouch = registry.ticker();
    }
  }

  @Override
  public void activity() {
    if (!closed) {
      lastTouch = registry.status().activity(entry);
    }
  }

  @Override
  public void metadata(Map<String, String> metadata) {
    Map<String, String> valid = SessionMetadata.validate(metadata);
    registry.status().metadata(this, valid);
  }

  @Override
  public boolean tryClientChange() {
    RateLimit limit = registry.clientChangeLimit;
    long interval = limit.intervalNanos();
    long tolerance = interval * (limit.permits() - 1); // a full bucket's worth, but the one taken
    long now = registry.ticker();
    synchronized (this) {
      long fullAt = Math.max(changesFullAt, now);
      if (fullAt - now > tolerance) {
        registry.clientChangeRefused();
        return false;
      }
      changesFullAt = fullAt + interval;
      return true;
    }
  }

  @Override
  public Map<String, String> metadata() {
    return metadata;
  }

  SessionInfo info() {
    return new SessionInfo(sessionId, metadata, connectedAt);
  }

  @Override
  public boolean isOpen() {
    return !closed;
  }

  @Override
  public void close() {
    registry.end(this, DisconnectReason.CLOSED, false);
  }

  @Override
  public void close(DisconnectReason reason) {
    registry.end(this, Objects.requireNonNull(reason, "reason"), false);
  }

  @Override
  public String toString() {
    return "PresenceSession(" + entry.userId + "/" + sessionId + (closed ? ", closed" : "") + ")";
  }
}
