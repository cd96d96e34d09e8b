package dev.presence;

import org.jspecify.annotations.Nullable;

/**
 * A client message of the presence protocol that is malformed or invalid. Its message names the
 * field and is safe to send back to the client (client-supplied values in it are cut short);
 * {@link #reply()} is the {@code error} message to send. Nothing was applied.
 */
public final class PresenceProtocolException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The {@code error} code of a malformed or invalid message. */
  public static final String BAD_REQUEST = "bad_request";

  /**
   * The {@code error} code of a valid change refused because the session asked for too many
   * ({@link PresenceRegistry.Builder#clientChangeLimit}).
   */
  public static final String RATE_LIMITED = "rate_limited";

  private final String type;
  private final String error;

  /**
   * Creates the exception for a malformed or invalid message ({@link #BAD_REQUEST}).
   *
   * @param type the message type, or null if unknown
   * @param message what is wrong, naming the field
   */
  public PresenceProtocolException(@Nullable String type, String message) {
    this(type, BAD_REQUEST, message);
  }

  /**
   * Creates the exception with an {@code error} code.
   *
   * @param type the message type, or null if unknown
   * @param error the code: {@link #BAD_REQUEST} or {@link #RATE_LIMITED}
   * @param message what is wrong, naming the field or the limit
   * @throws NullPointerException if {@code error} is null
   */
  public PresenceProtocolException(@Nullable String type, String error, String message) {
    super(message);
    this.type = type;
    this.error = java.util.Objects.requireNonNull(error, "error");
  }

  /**
   * Returns the {@code error} code of the reply.
   *
   * @return {@link #BAD_REQUEST} or {@link #RATE_LIMITED}
   */
  public String error() {
    return error;
  }

  /**
   * Returns the type of the rejected message.
   *
   * @return the type, or null if it could not be read
   */
  public @Nullable String type() {
    return type;
  }

  /**
   * Returns the answer for the client:
   * {@code {"type":"error","error":…,"message":…}} with {@link #error()} as the code.
   *
   * @return the JSON text
   */
  public String reply() {
    return PresenceMessages.error(error, getMessage());
  }
}
