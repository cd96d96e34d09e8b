package dev.presence;

/**
 * What one viewer may see of one subject, as decided by a {@link PresencePolicy}. Without
 * {@code presence} the subject looks offline to the viewer, and then nothing else is shown
 * either: the constructor clears {@code statusText} and {@code lastSeen} when {@code presence}
 * is false, because a changing last seen or text would reveal the hidden presence. Immutable,
 * hence thread-safe.
 *
 * @param presence whether the viewer may see that the subject is online, and their status
 * @param statusText whether the viewer may see the subject's custom status text
 * @param lastSeen whether the viewer may see the subject's last seen ({@code last_online}) and
 *     last activity ({@code last_active})
 */
public record Visibility(boolean presence, boolean statusText, boolean lastSeen) {
  /** Everything visible. */
  public static final Visibility ALL = new Visibility(true, true, true);
  /** Online state and status only: no status text, no last seen or last active. */
  public static final Visibility PRESENCE_ONLY = new Visibility(true, false, false);
  /** Nothing visible: the subject looks offline, with no last seen. */
  public static final Visibility NONE = new Visibility(false, false, false);

  /**
   * Normalizes: nothing but presence is visible without presence.
   *
   * @param presence whether online state and status are visible
   * @param statusText whether the status text is visible
   * @param lastSeen whether last seen and last active are visible
   */
  public Visibility {
    if (!presence) {
      statusText = false;
      lastSeen = false;
    }
  }

  /**
   * Returns what both this and {@code other} allow.
   *
   * @param other another visibility
   * @return the intersection
   */
  public Visibility and(Visibility other) {
    return new Visibility(presence && other.presence, statusText && other.statusText,
        lastSeen && other.lastSeen);
  }
}
