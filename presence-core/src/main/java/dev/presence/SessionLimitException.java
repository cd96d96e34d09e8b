package dev.presence;

import java.util.Objects;

/**
 * Thrown by {@link PresenceRegistry#connect} when a new session would exceed a cap
 * ({@code maxSessionsPerUser} or {@code maxSessions}). Nothing was registered: the user's state,
 * the counters and the listeners are as if {@code connect} had not been called (the refusal is
 * counted in {@link PresenceStats#sessionsRefused()}). A WebSocket host closes the connection,
 * e.g. with 1013 "try again later". Immutable, hence thread-safe.
 */
public final class SessionLimitException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** The setting name of the per-user cap. */
  public static final String MAX_SESSIONS_PER_USER = "maxSessionsPerUser";
  /** The setting name of the cap on all sessions together. */
  public static final String MAX_SESSIONS = "maxSessions";

  private final String userId;
  private final String setting;
  private final int limit;

  /**
   * Creates the exception.
   *
   * @param userId the user whose session was refused
   * @param setting {@link #MAX_SESSIONS_PER_USER} or {@link #MAX_SESSIONS}
   * @param limit the cap that was reached
   */
  public SessionLimitException(String userId, String setting, int limit) {
    super(message(userId, setting, limit));
    this.userId = userId;
    this.setting = setting;
    this.limit = limit;
  }

  private static String message(String userId, String setting, int limit) {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(setting, "setting");
    return MAX_SESSIONS_PER_USER.equals(setting)
        ? "session of user '" + userId + "' refused: the user already has " + limit
            + " sessions (" + setting + " " + limit + ")"
        : "session of user '" + userId + "' refused: " + limit
            + " sessions are open in total (" + setting + " " + limit + ")";
  }

  /**
   * Returns the user whose session was refused.
   *
   * @return the user id given to {@code connect}
   */
  public String userId() {
    return userId;
  }

  /**
   * Returns which cap was reached.
   *
   * @return {@code "maxSessionsPerUser"} or {@code "maxSessions"}
   */
  public String setting() {
    return setting;
  }

  /**
   * Returns the value of the cap that was reached.
   *
   * @return the configured limit
   */
  public int limit() {
    return limit;
  }
}
