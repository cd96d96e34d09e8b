package dev.presence;

import java.util.EnumMap;

/**
 * The {@code user_status_changed} texts of one change of one user, per recipient: the registry's
 * policy decides what each recipient may see, and the JSON is built once per distinct way of
 * showing the user (at most four; once in all under {@link PresencePolicy#everyone()}). Shared by
 * {@link StatusBroadcaster} and {@link PresenceFanout} so both send the same messages.
 *
 * <p>Not thread-safe: one instance serves one delivery on one thread.
 */
final class StatusTexts {
  private final PresenceRegistry registry;
  private final VisiblePresence full;
  private final EnumMap<Shown, String> texts = new EnumMap<>(Shown.class);

  private StatusTexts(PresenceRegistry registry, VisiblePresence full) {
    this.registry = registry;
    this.full = full;
  }

  /** For a transition: an online message carries the user's status and text as they are now. */
  static StatusTexts of(PresenceRegistry registry, PresenceEvent event) {
    String userId = event.userId();
    if (!event.online()) {
      return new StatusTexts(registry, VisiblePresence.offline(userId));
    }
    VisiblePresence self = registry.visiblePresence(userId, userId); // everything, as of now
    VisiblePresence full = self.online() && self.availability() != Availability.INVISIBLE
        ? new VisiblePresence(userId, true, self.status(), self.statusText(), self.lastActive(), null)
        : new VisiblePresence(userId, true, Status.AVAILABLE, null, null, null); // gone again: its offline follows
    return new StatusTexts(registry, full);
  }

  /** For an update; null if other users cannot see what changed (metadata only). */
  static StatusTexts of(PresenceRegistry registry, PresenceUpdate update) {
    if (!update.isVisibleChange()) {
      return null;
    }
    return new StatusTexts(registry, new VisiblePresence(update.userId(), true, update.status(),
        update.statusText(), update.lastActive(), null));
  }

  String userId() {
    return full.userId();
  }

  /**
   * Returns the text for {@code recipient}, or null if the recipient may not see the user at all
   * (then it must not be told anything, not even that the user left).
   */
  String textFor(String recipient) {
    Visibility v = registry.visibility(recipient, full.userId());
    if (!v.presence()) {
      return null;
    }
    Shown shown = Shown.of(v);
    String text = texts.get(shown);
    if (text == null) {
      text = PresenceMessages.userStatusChanged(shown.apply(full));
      texts.put(shown, text);
    }
    return text;
  }

  /** The four ways a visible user can be shown. */
  private enum Shown {
    ALL, NO_TEXT, NO_LAST_ACTIVE, PRESENCE_ONLY;

    static Shown of(Visibility v) {
      return v.statusText() ? (v.lastSeen() ? ALL : NO_LAST_ACTIVE) : (v.lastSeen() ? NO_TEXT : PRESENCE_ONLY);
    }

    VisiblePresence apply(VisiblePresence p) {
      boolean text = this == ALL || this == NO_LAST_ACTIVE;
      boolean lastActive = this == ALL || this == NO_TEXT;
      return new VisiblePresence(p.userId(), p.online(), p.status(), text ? p.statusText() : null,
          lastActive ? p.lastActive() : null, null);
    }
  }
}
