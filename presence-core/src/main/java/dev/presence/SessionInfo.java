package dev.presence;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of one session of a user: its id, metadata and when it connected. Immutable, hence
 * thread-safe.
 *
 * @param sessionId the session id given to {@code connect}
 * @param metadata the session's metadata; an immutable snapshot, validated by
 *     {@link SessionMetadata#validate}
 * @param connectedAt the wall time the session connected
 */
public record SessionInfo(String sessionId, Map<String, String> metadata, Instant connectedAt) {

  /**
   * Validates the components and copies the metadata.
   *
   * @param sessionId the session id
   * @param metadata the metadata
   * @param connectedAt when it connected
   * @throws NullPointerException if a component is null
   * @throws IllegalArgumentException if the metadata is invalid
   */
  public SessionInfo {
    Objects.requireNonNull(sessionId, "sessionId");
    metadata = SessionMetadata.validate(metadata);
    Objects.requireNonNull(connectedAt, "connectedAt");
  }
}
