package dev.presence;

import java.util.Locale;
import java.util.Objects;

/**
 * What others see of a user, computed from the user's sessions, chosen {@link Availability} and
 * activity:
 * <ul>
 *   <li>no session, or {@link Availability#INVISIBLE} → {@link #OFFLINE};</li>
 *   <li>chosen {@link Availability#BUSY} → {@link #BUSY}; chosen {@link Availability#AWAY} →
 *       {@link #AWAY};</li>
 *   <li>chosen {@link Availability#AVAILABLE} and idle (no activity on <em>any</em> session for
 *       the registry's {@code idleAfter}) → {@link #AWAY};</li>
 *   <li>else {@link #AVAILABLE}.</li>
 * </ul>
 * Immutable, hence thread-safe.
 */
public enum Status {
  /** Online and reachable. */
  AVAILABLE,
  /** Online, do not disturb. */
  BUSY,
  /** Online, away (by choice or idle). */
  AWAY,
  /** Not online, or invisible. */
  OFFLINE;

  /**
   * Returns the name used on the wire: {@code available}, {@code busy}, {@code away},
   * {@code offline}.
   *
   * @return the lower-case name
   */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Returns whether this status means online.
   *
   * @return false only for {@link #OFFLINE}
   */
  public boolean isOnline() {
    return this != OFFLINE;
  }

  /**
   * Computes the status others see (ignoring any policy).
   *
   * @param connected whether the user has a session (or is within the offline grace)
   * @param availability the user's choice
   * @param idle whether no session showed activity for {@code idleAfter}
   * @return the status
   * @throws NullPointerException if {@code availability} is null
   */
  public static Status of(boolean connected, Availability availability, boolean idle) {
    Objects.requireNonNull(availability, "availability");
    if (!connected || availability == Availability.INVISIBLE) {
      return OFFLINE;
    }
    return switch (availability) {
      case BUSY -> BUSY;
      case AWAY -> AWAY;
      default -> idle ? AWAY : AVAILABLE;
    };
  }

  /**
   * Parses a wire name. Exact lower-case names only.
   *
   * @param wireName the name
   * @return the status
   * @throws NullPointerException if {@code wireName} is null
   * @throws IllegalArgumentException if it is not one of the four names
   */
  public static Status parse(String wireName) {
    Objects.requireNonNull(wireName, "status");
    for (Status s : values()) {
      if (s.wireName().equals(wireName)) {
        return s;
      }
    }
    throw new IllegalArgumentException("status must be one of available, busy, away, offline: "
        + TextRules.quote(wireName));
  }
}
