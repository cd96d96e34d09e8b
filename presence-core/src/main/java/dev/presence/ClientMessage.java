package dev.presence;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One message from a client, as parsed by {@link PresenceProtocol#parse}: a presence message
 * (already validated) or another message the host handles itself. Immutable, hence thread-safe.
 */
public sealed interface ClientMessage {

  /** {@code {"type":"pong"}}: the answer to a heartbeat ping. Liveness only, not activity. */
  record Pong() implements ClientMessage {}

  /** {@code {"type":"activity"}}: the user did something (input, a message). */
  record Activity() implements ClientMessage {}

  /**
   * {@code {"type":"set_status", "availability":…, "status_text":…, "expires_at":…}}: sets the
   * user's availability and/or status text (user-level: applies to all their sessions).
   *
   * @param availability the new availability, or null to leave it as it is
   * @param setsStatusText whether the message sets the status text ({@code statusText} null then
   *     means clear it)
   * @param statusText the new status text, or null
   */
  record SetStatus(@Nullable Availability availability, boolean setsStatusText, @Nullable StatusText statusText)
      implements ClientMessage {
    /**
     * Validates the combination.
     *
     * @param availability the new availability, or null
     * @param setsStatusText whether the text is set
     * @param statusText the text, or null
     * @throws IllegalArgumentException if it changes nothing, or carries a text it does not set
     */
    public SetStatus {
      if (availability == null && !setsStatusText) {
        throw new IllegalArgumentException("set_status must set availability or status_text");
      }
      if (!setsStatusText && statusText != null) {
        throw new IllegalArgumentException("statusText given but setsStatusText is false");
      }
    }
  }

  /**
   * {@code {"type":"set_metadata","metadata":{…}}}: replaces this session's metadata.
   *
   * @param metadata the new metadata, validated by {@link SessionMetadata#validate}; immutable
   */
  record SetMetadata(Map<String, String> metadata) implements ClientMessage {
    /**
     * Validates and copies the metadata.
     *
     * @param metadata the metadata
     * @throws IllegalArgumentException if it is invalid
     */
    public SetMetadata {
      metadata = SessionMetadata.validate(metadata);
    }
  }

  /**
   * Any other message: not part of the presence protocol, for the host to handle. Not
   * validated beyond finding its type.
   *
   * @param type the top-level string {@code type} of a JSON object, or null if the text is not a
   *     JSON object with a string {@code type}
   */
  record Other(@Nullable String type) implements ClientMessage {
    /**
     * Returns whether the message has the given type.
     *
     * @param expected the type
     * @return true if {@code type} equals {@code expected}
     */
    public boolean is(String expected) {
      return Objects.equals(type, expected);
    }
  }
}
