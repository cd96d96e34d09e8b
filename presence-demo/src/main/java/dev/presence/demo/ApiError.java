package dev.presence.demo;

/**
 * An answer other than 2xx, with the message the client sees as {@code {"error": "..."}}. The
 * message is written for the client: it names the problem and quotes client input only through
 * {@link ClientText#excerpt(String)}. Immutable, hence thread-safe.
 */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final int status;
  /** For a 429: whole seconds until a retry can succeed (the Retry-After header); else 0. */
  final long retryAfterSeconds;

  ApiError(int status, String message) {
    this(status, message, 0);
  }

  ApiError(int status, String message, long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
