package dev.presence;

import java.util.Locale;
import java.util.Objects;

/**
 * What a user chose to show: the user-level setting, the same on all their sessions. Others see a
 * {@link Status} computed from it (see {@link Status} for the rules). Immutable, hence
 * thread-safe.
 */
public enum Availability {
  /** Reachable; the default. Turns into {@link Status#AWAY} when the user is idle. */
  AVAILABLE,
  /** Do not disturb. Not changed by idleness. */
  BUSY,
  /** Away by choice. */
  AWAY,
  /**
   * Connected but shown as offline to everyone else: no online transition, no
   * {@code is_online:true}, no status, and no last-seen change while invisible.
   */
  INVISIBLE;

  /**
   * Returns the name used on the wire: {@code available}, {@code busy}, {@code away},
   * {@code invisible}.
   *
   * @return the lower-case name
   */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a wire name. Exact lower-case names only.
   *
   * @param wireName the name
   * @return the availability
   * @throws NullPointerException if {@code wireName} is null
   * @throws IllegalArgumentException if it is not one of the four names
   */
  public static Availability parse(String wireName) {
    Objects.requireNonNull(wireName, "availability");
    for (Availability a : values()) {
      if (a.wireName().equals(wireName)) {
        return a;
      }
    }
    throw new IllegalArgumentException("availability must be one of available, busy, away, invisible: "
        + TextRules.quote(wireName));
  }
}
