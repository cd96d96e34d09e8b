package dev.presence;

/**
 * The four ways a user whose presence a viewer may see can be shown to that viewer, from a
 * {@link Visibility}: with or without the status text, with or without last active / last seen.
 * Used by the fan-out paths to build one JSON text per way of showing rather than per recipient.
 * Immutable, hence thread-safe.
 */
enum Shown {
  ALL, NO_TEXT, NO_LAST_SEEN, PRESENCE_ONLY;

  /** The way of showing that {@code v} allows (its presence flag is the caller's to check). */
  static Shown of(Visibility v) {
    return v.statusText() ? (v.lastSeen() ? ALL : NO_LAST_SEEN) : (v.lastSeen() ? NO_TEXT : PRESENCE_ONLY);
  }

  /** Whether the status text is shown. */
  boolean text() {
    return this == ALL || this == NO_LAST_SEEN;
  }

  /** Whether last active (online) and last seen (offline) are shown. */
  boolean lastSeen() {
    return this == ALL || this == NO_TEXT;
  }

  /** {@code p} without what this way hides, and without availability (others never see it). */
  VisiblePresence apply(VisiblePresence p) {
    return new VisiblePresence(p.userId(), p.online(), p.status(), text() ? p.statusText() : null,
        lastSeen() ? p.lastActive() : null, null);
  }
}
