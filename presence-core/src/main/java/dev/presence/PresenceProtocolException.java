package dev.presence;

/**
 * A client message of the presence protocol that is malformed or invalid. Its message names the
 * field and is safe to send back to the client (client-supplied values in it are cut short);
 * {@link #reply()} is the {@code error} message to send. Nothing was applied.
 */
public final class PresenceProtocolException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The {@code error} code of every rejected message. */
  public static final String BAD_REQUEST = "bad_request";

  private final String type;

  /**
   * Creates the exception.
   *
   * @param type the message type, or null if unknown
   * @param message what is wrong, naming the field
   */
  public PresenceProtocolException(String type, String message) {
    super(message);
    this.type = type;
  }

  /**
   * Returns the type of the rejected message.
   *
   * @return the type, or null if it could not be read
   */
  public String type() {
    return type;
  }

  /**
   * Returns the answer for the client:
   * {@code {"type":"error","error":"bad_request","message":…}}.
   *
   * @return the JSON text
   */
  public String reply() {
    return PresenceMessages.error(BAD_REQUEST, getMessage());
  }
}
