package dev.presence.demo;

/**
 * An answer other than 2xx, with the message the client sees as {@code {"error": "..."}}. The
 * message is written for the client: it names the problem and quotes client input only through
 * {@link ClientText#excerpt(String)}. Immutable, hence thread-safe.
 */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final int status;

  ApiError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }
}
